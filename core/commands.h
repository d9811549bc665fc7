/* softrl — the subcommands of the `softrl` program (internal). */
#ifndef SRL_COMMANDS_H
#define SRL_COMMANDS_H

#include "runner.h"

G_BEGIN_DECLS

/* Exit statuses of the program. */
enum {
  SRL_EXIT_OK = 0,
  SRL_EXIT_FAILED = 1,      /* a run or a command failed while working */
  SRL_EXIT_USAGE = 2,       /* bad command line, bad experiment: nothing was started */
  SRL_EXIT_INTERRUPTED = 130
};

/* The registry of the default search path; refused plugins are reported on
 * stderr unless `quiet_refusals`. */
SrlRegistry *srl_cli_registry (gboolean quiet_refusals);
/* Print "softrl: MESSAGE" on stderr. */
void srl_cli_error (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
/* Exit status for an error: usage for configuration errors, failure otherwise. */
int srl_cli_status (const GError *error);

int srl_cmd_run (int argc, char **argv);
int srl_cmd_eval (int argc, char **argv);
int srl_cmd_env (int argc, char **argv);
int srl_cmd_plugins (int argc, char **argv);
int srl_cmd_bench (int argc, char **argv);
int srl_cmd_sweep (int argc, char **argv);
int srl_cmd_summarize (int argc, char **argv);
int srl_cmd_plot (int argc, char **argv);
/* Whether sweeps can use MPI in this build, for --version (cmd-sweep.c). */
const char *srl_cli_mpi_description (void);

G_END_DECLS

#endif

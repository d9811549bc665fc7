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
/* Whether `path` (an --out option) may take the output of a command that
 * reads run directory `run_dir`: not empty, not a directory, in an existing
 * directory the user can write to, and none of the run's own files
 * (SRL_RUN_FILES, compared by real path).  Checked before any work, so that
 * nothing is computed only to be thrown away and the run is never
 * overwritten; FALSE with a configuration error naming `path` and why. */
gboolean srl_cli_check_output (const char *path, const char *run_dir, GError **error);
/* Train `run` with Ctrl-C handling, report how it ended ("results: DIR" and
 * `note`, or how to resume) and return the exit status (cmd-run.c). */
int srl_cli_train (SrlRun *run, const char *note);

/* Environment `name` made with the parameters of `--set KEY=VALUE` options
 * (KEY may be written env.KEY), the defaults filled in.  NULL after printing
 * "softrl: COMMAND: …" (an unknown name with the closest one, a bad value,
 * the environment's own error), with the exit status in *status.
 * *section receives the parameters, which must outlive the environment:
 * free it after the environment (transfer full, both). */
SrlEnv *srl_cli_env_new (const SrlRegistry *registry, const char *command, const char *name, char **sets,
                         SrlSection **section, int *status);

int srl_cmd_run (int argc, char **argv);
int srl_cmd_eval (int argc, char **argv);
/* eval --actions (eval-actions.c): rows of episode, step, observation and
 * action, filled by srl_eval_actions_observe as srl_agent_episode_observed's
 * callback (set episode and step = 0 before each episode). */
typedef struct {
  const SrlAgent *agent;
  GString *csv;
  double *previous; /* obs_dim */
  gint64 episode;
  guint step;
} SrlEvalActions;
void srl_eval_actions_header (GString *csv, const SrlAgent *agent);
void srl_eval_actions_observe (const double *obs, guint obs_dim, gpointer data);
int srl_cmd_env (int argc, char **argv);
int srl_cmd_plugins (int argc, char **argv);
int srl_cmd_bench (int argc, char **argv);
int srl_cmd_compose (int argc, char **argv);
int srl_cmd_figure (int argc, char **argv);
int srl_cmd_sweep (int argc, char **argv);
int srl_cmd_summarize (int argc, char **argv);
int srl_cmd_plot (int argc, char **argv);
/* Whether sweeps can use MPI in this build, for --version (cmd-sweep.c). */
const char *srl_cli_mpi_description (void);

G_END_DECLS

#endif

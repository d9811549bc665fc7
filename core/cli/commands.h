/* softrl — the subcommands of the `softrl` program (internal). */
#ifndef SRL_COMMANDS_H
#define SRL_COMMANDS_H

#include "cli.h"

G_BEGIN_DECLS

int srl_cmd_run (int argc, char **argv);
int srl_cmd_experiments (int argc, char **argv);
int srl_cmd_export (int argc, char **argv);
int srl_cmd_eval (int argc, char **argv);
int srl_cmd_render (int argc, char **argv);
int srl_cmd_env (int argc, char **argv);
int srl_cmd_plugins (int argc, char **argv);
int srl_cmd_bench (int argc, char **argv);
int srl_cmd_compose (int argc, char **argv);
int srl_cmd_figure (int argc, char **argv);
int srl_cmd_sweep (int argc, char **argv);
int srl_cmd_summarize (int argc, char **argv);
int srl_cmd_plot (int argc, char **argv);
int srl_cmd_board (int argc, char **argv);
/* Whether sweeps can use MPI in this build, for --version (cmd-sweep.c). */
const char *srl_cli_mpi_description (void);

G_END_DECLS

#endif

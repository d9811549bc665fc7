/* softrl — what every command of the program shares (internal to the
 * program; the library never includes it). */
#ifndef SRL_CLI_H
#define SRL_CLI_H

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
/* The policy saved in `run_dir`, its settings overridden by `sets` (--set
 * GROUP.KEY=VALUE), with the registry it was built from in *registry,
 * which must outlive it (transfer full, both).  NULL after printing the
 * error, with the exit status in *status. */
SrlLoadedPolicy *srl_cli_load_policy (const char *run_dir, char **sets, SrlRegistry **registry, int *status);
/* Train `run` with Ctrl-C handling, report how it ended ("results: DIR" and
 * `note`, or how to resume) and return the exit status. */
int srl_cli_train (SrlRun *run, const char *note);

/* Environment `name` made with the parameters of `--set KEY=VALUE` options
 * (KEY may be written env.KEY), the defaults filled in.  NULL after printing
 * "softrl: COMMAND: …" (an unknown name with the closest one, a bad value,
 * the environment's own error), with the exit status in *status.
 * *section receives the parameters, which must outlive the environment:
 * free it after the environment (transfer full, both). */
SrlEnv *srl_cli_env_new (const SrlRegistry *registry, const char *command, const char *name, char **sets,
                         SrlSection **section, int *status);

/* Catch SIGINT and SIGTERM: each asks a training run in this process to
 * stop at its next step (srl_run_request_stop()) and is counted for
 * srl_cli_stop_requests().  With `second_kills`, the second signal takes
 * the default action (a run's Ctrl-C twice); otherwise every one is
 * counted (a sweep decides). */
void srl_cli_catch_stop_signals (gboolean second_kills);
int srl_cli_stop_requests (void);

/* An experiment file named on the command line: `name` itself when it has
 * a slash, else NAME or NAME.ini in the current directory, else a shipped
 * experiment of that name (experiment-files.c).  transfer full; NULL with a
 * configuration error when none exists. */
char *srl_cli_find_experiment (const char *name, GError **error);
/* The shipped experiments, sorted by name within each data directory, an
 * earlier directory's file hiding a later one of the same name
 * (transfer full: an array of SrlCliExperiment). */
typedef struct {
  char *name, *path;
  char *summary; /* the file's first comment line, "" when none */
} SrlCliExperiment;
GPtrArray *srl_cli_list_experiments (void);
void srl_cli_experiment_free (SrlCliExperiment *experiment);

/* softrl eval --actions-for FILE: print `policy`'s deterministic environment
 * action for each observation row of FILE ("-": stdin); the exit status
 * (eval-actions.c). */
int srl_cli_print_actions (const SrlLoadedPolicy *policy, const char *file);

/* eval --actions (eval-record.c): rows of episode, step, observation and
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

G_END_DECLS

#endif

/* softrl — a training run's state, shared by the run's own files (runner.c:
 * the loop; checkpoint.c: saving and restoring it).  Internal. */
#ifndef SRL_RUN_PRIVATE_H
#define SRL_RUN_PRIVATE_H

#include <stdio.h>

#include "runner.h"

G_BEGIN_DECLS

/* Random streams of a run, all derived from its seed. */
enum {
  STREAM_ACT = 1,
  STREAM_ENV = 2,
  STREAM_EVAL_ACT = 1000000,
  STREAM_EVAL_ENV = 2000000,
};

#define RECENT_RETURNS 10
/* Episodes in a row ended by an invalid simulator state that fail a run. */
#define SRL_RUN_MAX_INVALID_STREAK 100

struct _SrlRun {
  const SrlRegistry *registry;
  SrlExperiment *x;
  char *dir;
  SrlRunOptions options;
  SrlEnv *env, *eval_env;
  SrlAgent *agent;
  SrlReplay *replay;
  const SrlStatSpec *stats;
  guint n_stats;
  double *stat_values;
  FILE *log;
  SrlConsole console;  /* the progress line and messages on stderr */

  /* settings */
  char *name;
  guint64 seed;
  gint64 epochs, steps_per_epoch, eval_episodes, initial_random_steps, min_replay_size, gradient_steps;
  gint64 checkpoint_interval;
  gint64 offline_updates; /* > 0: updates per epoch of an offline run (no environment steps) */
  gboolean eval_deterministic;
  guint max_path_length;

  /* saved state */
  SrlRng rng_act, rng_env;
  gint64 epoch, step_in_epoch;
  gint64 total_steps, total_episodes, total_updates;
  gboolean need_reset;
  gint64 episode_step;
  double episode_return;
  double epoch_return_sum;
  gint64 epoch_episodes;
  double *stat_sums;
  gint64 epoch_updates;
  double epoch_update_seconds;
  double wall_before; /* seconds of earlier processes of this run */
  double recent[RECENT_RETURNS];
  gint64 n_recent;
  gint64 invalid_streak; /* episodes in a row ended by an invalid state */
  GPtrArray *rows;    /* progress.csv data rows */
  char *header;

  /* this process */
  int lock_fd;        /* its ownership of `dir` (owner.c), -1 before */
  double started;
  gint64 steps_at_start;
};

/* Seconds this run has trained, earlier processes included. */
double srl_run_wall_seconds (SrlRun *run);
/* Write the run's checkpoint and then its policy (checkpoint.c). */
gboolean srl_run_save_checkpoint (SrlRun *run, GError **error);
/* Write policy.safetensors alone. */
gboolean srl_run_save_policy (SrlRun *run, GError **error);
/* Restore everything the checkpoint holds into a run set up from its
 * config.ini, progress rows included. */
gboolean srl_run_load_checkpoint (SrlRun *run, GError **error);

G_END_DECLS

#endif

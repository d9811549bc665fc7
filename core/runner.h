/* softrl — training runs, checkpoints and acting from saved policies (internal). */
#ifndef SRL_RUNNER_H
#define SRL_RUNNER_H

#include "experiment.h"

G_BEGIN_DECLS

/* An algorithm instance with the buffers needed to act in an environment. */
typedef struct {
  const SrlAlgorithmDescriptor *descriptor;
  gpointer algorithm;
  guint obs_dim, act_dim, memory_size, n_info;
  double *obs;        /* obs_dim, as the environment gives it */
  double *next_obs;
  float *obs_f;       /* obs_dim, as networks take it */
  float *next_obs_f;
  float *agent_action;
  float *env_action;
  float *memory;
  double *info;       /* per-episode info values */
  /* Episodes run without learning (evaluation) keep their own observation
   * and memory, so they never disturb a training episode in progress. */
  double *episode_obs;
  float *episode_obs_f;
  float *episode_memory;
} SrlAgent;

/* out[i] = in[i] for n values: observations as the networks take them. */
void srl_doubles_to_floats (const double *in, float *out, guint n);
/* The longest episode of `experiment`: its max_path_length, else the
 * environment's time limit, else 1000. */
guint srl_run_path_limit (const SrlExperiment *experiment, const SrlEnvSpec *env_spec);

/* Create the experiment's algorithm for `env_spec` (transfer full). */
SrlAgent *srl_agent_new (const SrlRegistry *registry, const SrlExperiment *experiment,
                         const SrlEnvSpec *env_spec, guint64 seed, GError **error);
void srl_agent_free (SrlAgent *agent);

typedef struct {
  double ret;
  guint64 length;
  gboolean terminated;   /* ended in a terminal state (not the time limit) */
  gboolean invalid;      /* ended by an invalid simulator state */
} SrlEpisode;

/* Summary of a set of episodes' returns; zero-initialise, then add. */
typedef struct {
  guint64 n;
  double sum, min, max, length_sum;
} SrlReturns;

void srl_returns_add (SrlReturns *returns, const SrlEpisode *episode);
/* NAN when no episode was added. */
double srl_returns_mean (const SrlReturns *returns);
double srl_returns_mean_length (const SrlReturns *returns);

/* Run one episode of at most `max_steps` steps without learning; the info
 * values land in agent->info. */
void srl_agent_episode (SrlAgent *agent, SrlEnv *env, SrlRng *rng, SrlActMode mode, guint max_steps,
                        SrlEpisode *episode);
/* The same, calling `observe` with the first observation and each one after
 * a valid step (paths for figures). */
typedef void (*SrlObserveFunc) (const double *obs, guint obs_dim, gpointer data);
void srl_agent_episode_observed (SrlAgent *agent, SrlEnv *env, SrlRng *rng, SrlActMode mode, guint max_steps,
                                 SrlEpisode *episode, SrlObserveFunc observe, gpointer data);

/* Load a run directory's configuration and its policy for evaluation. */
typedef struct {
  SrlExperiment *experiment;
  SrlEnv *env;
  SrlAgent *agent;
  guint max_path_length;
} SrlLoadedPolicy;

SrlLoadedPolicy *srl_loaded_policy_new (const SrlRegistry *registry, const char *run_dir,
                                        const char *const *overrides, GError **error);
void srl_loaded_policy_free (SrlLoadedPolicy *policy);

typedef enum {
  SRL_RUN_FINISHED,
  SRL_RUN_INTERRUPTED,
  SRL_RUN_FAILED
} SrlRunResult;

typedef struct {
  const char *out_dir;          /* NULL: runs/NAME-seedN-TIMESTAMP */
  gint64 interrupt_after_steps; /* > 0: behave as if Ctrl-C came after this many total steps (updates for an
                                   offline run; tests) */
  gboolean quiet;               /* no progress line or log lines on stderr */
} SrlRunOptions;

typedef struct _SrlRun SrlRun;

/* Whether `experiment` can run: its settings fit together, and its
 * environment and algorithm (with its sampler) are created once and freed;
 * FALSE with the error the run would have met, before any directory or
 * replay buffer exists. */
gboolean srl_experiment_check (const SrlRegistry *registry, SrlExperiment *experiment, GError **error);

/* Whether the machine has the memory a run of `experiment` needs, by a
 * lower bound made from its declared sizes (networks, their gradients and
 * Adam moments, workspaces, the replay buffer as full as the run fills it)
 * against what this process can get (MemAvailable with free swap, its
 * cgroup's limit, RLIMIT_AS); FALSE with a configuration error saying how
 * much is needed and how much there is (memory.c).  The _for variant takes
 * the environment's spec, when an environment exists already. */
gboolean srl_experiment_check_memory (const SrlExperiment *experiment, GError **error);
gboolean srl_experiment_check_memory_for (const SrlExperiment *experiment, const SrlEnvSpec *spec, GError **error);

/* A new run of `experiment` in a new directory.  Takes `experiment` over,
 * also when it fails; a directory it created for a run refused before
 * training is removed again. */
SrlRun *srl_run_new (const SrlRegistry *registry, SrlExperiment *experiment, const SrlRunOptions *options,
                     GError **error);
/* Continue the run in `run_dir` from its checkpoint. */
SrlRun *srl_run_resume (const SrlRegistry *registry, const char *run_dir, const char *const *overrides,
                        const SrlRunOptions *options, GError **error);
SrlRunResult srl_run_train (SrlRun *run, GError **error);
const char *srl_run_dir (const SrlRun *run);
void srl_run_free (SrlRun *run);

/* Ask every training run of this process to stop at its next step, write a
 * checkpoint and return SRL_RUN_INTERRUPTED.  Async-signal-safe: the
 * program calls it from its SIGINT/SIGTERM handler. */
void srl_run_request_stop (void);

/* ---- owner.c ---- */
/* Become the owner of directory `dir`: hold flock() on its file `lock_name`
 * (created if missing) and write "process PID on HOST" into it.  Returns the
 * file descriptor to close when done (the lock goes with it, or with the
 * process however it ends), or -1 with SRL_ERROR_CONFIG naming the process
 * that owns it; `what` names the kind of owner for that message ("run"). */
int srl_dir_lock (const char *dir, const char *lock_name, const char *what, GError **error);
/* Who owns `dir` ("process PID on HOST", transfer full), or NULL when
 * nobody holds its `lock_name`. */
char *srl_dir_lock_holder (const char *dir, const char *lock_name);
/* Remove the temporary files of writes that were interrupted in run
 * directory `dir` (only its owner may: they could be a live writer's);
 * returns how many. */
guint srl_run_remove_temporaries (const char *dir);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlAgent, srl_agent_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlLoadedPolicy, srl_loaded_policy_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlRun, srl_run_free)

G_END_DECLS

#endif

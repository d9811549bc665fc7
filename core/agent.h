/* softrl — agents: an algorithm instance with the buffers to act in an
 * environment, episodes without learning, and policies loaded from run
 * directories (internal). */
#ifndef SRL_AGENT_H
#define SRL_AGENT_H

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

/* Create the experiment's algorithm for `env_spec` (transfer full), to act
 * (srl_agent_new) or to train (srl_agent_new_full with `training`, which
 * the algorithm reads in its context). */
SrlAgent *srl_agent_new (const SrlRegistry *registry, const SrlExperiment *experiment,
                         const SrlEnvSpec *env_spec, guint64 seed, GError **error);
SrlAgent *srl_agent_new_full (const SrlRegistry *registry, const SrlExperiment *experiment,
                              const SrlEnvSpec *env_spec, guint64 seed, gboolean training, GError **error);
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
 * a valid step (paths for figures, frames for videos); `episode` already
 * counts that step and its reward when `observe` runs. */
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlAgent, srl_agent_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlLoadedPolicy, srl_loaded_policy_free)

G_END_DECLS

#endif

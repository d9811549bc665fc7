/* softrl — algorithm plugins.
 *
 * The core runs the environment loop, the replay buffer, evaluation,
 * progress and checkpoints.  An algorithm supplies:
 *   act     — an action for one observation (also during evaluation);
 *   update  — one gradient step, drawing its own minibatch from the replay;
 *   save / load — everything needed to continue exactly (weights, optimiser
 *             moments, temperature, its RNG), or only what acting needs.
 *
 * Lifecycle: create → (act | update | end_epoch)* → save/load at any point
 * between calls → destroy.  act and update must not allocate.  Not
 * thread-safe: the core calls one function at a time.
 */
#ifndef SOFTRL_ALGORITHM_H
#define SOFTRL_ALGORITHM_H

#include <glib.h>
#include <softrl/env.h>
#include <softrl/plugin.h>
#include <softrl/replay.h>
#include <softrl/rng.h>
#include <softrl/sampler.h>
#include <softrl/state.h>

G_BEGIN_DECLS

typedef enum {
  SRL_ACT_RANDOM,        /* exploration before learning starts (e.g. uniform actions) */
  SRL_ACT_STOCHASTIC,    /* sample from the policy */
  SRL_ACT_DETERMINISTIC  /* the policy's deterministic action (noise = 0) */
} SrlActMode;

typedef enum {
  SRL_SAVE_POLICY, /* what acting needs: enough for `softrl eval` */
  SRL_SAVE_FULL    /* everything for an exact resume */
} SrlSaveScope;

/* A statistic reported per epoch in progress.csv (mean over the epoch's updates). */
typedef struct {
  const char *name;
  const char *doc;
} SrlStatSpec;

typedef struct _SrlRegistry SrlRegistry;

/* What create() receives.  The struct itself is valid only during create();
 * what its members point to is borrowed from the core and stays valid for
 * the algorithm's lifetime.  Fields are only ever appended. */
typedef struct {
  const SrlSection *params;          /* the validated [algorithm] group */
  const SrlEnvSpec *env;             /* the environment's sizes */
  const SrlSamplerFactory *sampler;  /* NULL when the algorithm takes no sampler */
  guint64 seed;                      /* derive all initial randomness from it */
  const SrlRegistry *registry;       /* to build plugins named by saved runs */
} SrlAlgorithmContext;

typedef struct {
  SrlPluginInfo info;
  /* Sampler flags the algorithm needs (the experiment is refused otherwise). */
  guint required_sampler_flags;
  /* The sampler used when the experiment has no [sampler] group, or NULL
   * when the algorithm takes no sampler at all. */
  const char *default_sampler;
  gpointer (*create) (const SrlAlgorithmContext *context, GError **error);
  void (*destroy) (gpointer algorithm);
  /* Statistics `update` writes, in order; terminated by {NULL}.  Names
   * "alpha", "entropy", "q_loss", "policy_loss" fill progress.csv's standard
   * columns; others become extra columns. */
  const SrlStatSpec *(*stats) (gpointer algorithm);
  /* Floats of per-episode memory act() may keep (held actions, noise
   * processes); the core zeroes it at each reset and saves it.  NULL: none. */
  guint (*memory_size) (gpointer algorithm);
  /* One action for `obs` (obs_dim).  `agent_action` (act_dim) is what the
   * replay stores and update trains on; `env_action` (act_dim, in [-1, 1]) is
   * what the environment receives.  They differ for hierarchies. */
  void (*act) (gpointer algorithm, SrlRng *rng, SrlActMode mode, const float *obs,
               guint episode_step, float *memory, float *agent_action, float *env_action);
  /* One gradient step; write each statistic into stats[i].  FALSE with an
   * error stops training (for example a NaN loss). */
  gboolean (*update) (gpointer algorithm, SrlReplay *replay, double *stats, GError **error);
  /* Optional: called after each epoch's evaluation (schedules). */
  void (*end_epoch) (gpointer algorithm, guint epoch);
  void (*save) (gpointer algorithm, SrlStateWriter *writer, SrlSaveScope scope);
  gboolean (*load) (gpointer algorithm, const SrlStateReader *reader, SrlSaveScope scope, GError **error);
  /* Optional: floating-point operations of the matrix products of one
   * update, for `softrl bench` to compare against the sgemm roofline. */
  guint64 (*update_flops) (gpointer algorithm);
  /* ---- ABI 1.1 ---- */
  /* Optional: the algorithm's soft Q-function at `n` state-action pairs,
   * obs [n, obs_dim] and act [n, act_dim] (actions in [-1, 1]), into q [n];
   * for tools (figures of Q over the action square).  Any n: the algorithm
   * works through it in pieces of its own workspace; never allocates.
   * FALSE when it cannot (then q is untouched).  Read it only through
   * srl_algorithm_q_values(), which knows older descriptors lack it. */
  gboolean (*q_values) (gpointer algorithm, guint n, const float *obs, const float *act, float *q);
} SrlAlgorithmDescriptor;

/* The soft Q-function of `algorithm` (created from `descriptor`) at n pairs,
 * or FALSE when the plugin has none (no q_values, or built for ABI 1.0). */
gboolean srl_algorithm_q_values (const SrlAlgorithmDescriptor *descriptor, gpointer algorithm, guint n,
                                 const float *obs, const float *act, float *q);

/* Algorithms draw their own minibatches; this is the one rule for the
 * soft Bellman target so every algorithm bootstraps alike:
 *     y = reward_scale·r + γ·(1 − terminal)·v_next                       */
static inline float
srl_bellman_target (float reward, float terminal, float v_next, float reward_scale, float discount)
{
  return reward_scale * reward + discount * (1.0f - terminal) * v_next;
}

G_END_DECLS

#endif

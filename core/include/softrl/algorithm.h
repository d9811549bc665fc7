/* softrl — algorithm plugins.
 *
 * The core runs the environment loop, the replay buffer, evaluation,
 * progress and checkpoints.  An algorithm supplies:
 *   act     — an action for one observation (also during evaluation);
 *   update  — one gradient step, drawing its own minibatch from the replay;
 *   save / load — everything needed to continue exactly (weights, optimiser
 *             moments, temperature, its RNG), or only what acting needs.
 *
 * Lifecycle: create → (act | update | episode_end | end_epoch)* → save/load
 * at any point between calls → destroy.  act and update must not allocate.  Not
 * thread-safe: the core calls one function at a time.  A run holds one
 * instance; `softrl eval` creates another and loads SRL_SAVE_POLICY state
 * into it.
 *
 * Randomness: act() draws only from the rng it is given (the core's acting
 * and evaluation streams); update() draws from the algorithm's own stream,
 * seeded from context->seed in create() and saved by save(SRL_SAVE_FULL).
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

/* What act() is asked for. */
typedef enum {
  SRL_ACT_RANDOM,          /* training, before learning starts: exploration (e.g. uniform actions) */
  SRL_ACT_STOCHASTIC,      /* training: sample from the policy, with any exploration it adds */
  SRL_ACT_DETERMINISTIC,   /* evaluation: the policy's deterministic action (noise = 0) */
  /* ABI 1.2: evaluation that samples from the policy (eval --stochastic,
   * eval_deterministic = false), without what only training adds (sql's
   * Ornstein–Uhlenbeck noise).  Plugins built for ABI 1.0 or 1.1 receive
   * SRL_ACT_STOCHASTIC instead. */
  SRL_ACT_EVAL_STOCHASTIC
} SrlActMode;

/* How a training episode ended, for episode_end().  `ret` sums every reward
 * of the episode, the terminating step's included; exactly one of
 * `terminated` (a terminal state: the replay marks that transition
 * terminal), `truncated` (the time limit) and `invalid` (the simulator
 * reached an invalid state; that last transition was dropped and is not in
 * `ret` or the replay) is TRUE. */
typedef struct {
  double ret;
  guint64 length;
  gboolean terminated, truncated, invalid;
} SrlEpisodeEnd;

/* How much save() writes and load() reads. */
typedef enum {
  SRL_SAVE_POLICY, /* what acting needs: enough for `softrl eval` */
  SRL_SAVE_FULL    /* everything for an exact resume */
} SrlSaveScope;

/* A statistic reported per epoch in progress.csv: the mean of the values
 * update() wrote over the epoch's updates, so a counter reads as its mean
 * over the epoch (report what changes per update, or a level such as a
 * temperature, rather than a running count).  Tables of them are static: the strings are borrowed for as long
 * as the plugin is loaded.  `name` is the CSV column, `doc` one line. */
typedef struct {
  const char *name;
  const char *doc;
} SrlStatSpec;

/* What create() receives.  The struct itself is valid only during create();
 * what its members point to is borrowed from the core and stays valid for
 * the algorithm's lifetime.  Fields are only ever appended. */
typedef struct {
  const SrlSection *params;          /* the validated [algorithm] group */
  const SrlEnvSpec *env;             /* the environment's sizes */
  const SrlSamplerFactory *sampler;  /* NULL when the algorithm takes no sampler */
  guint64 seed;                      /* derive all initial randomness from it */
  const SrlRegistry *registry;       /* to build plugins named by saved runs */
  /* ---- ABI 1.2 ---- */
  /* The run's settings ([experiment]), also when the instance is made to
   * evaluate a saved run rather than to train. */
  gint64 epochs, steps_per_epoch;    /* the run's length */
  guint64 replay_capacity;           /* transitions the replay can hold */
  guint max_path_length;             /* steps after which an episode is truncated */
  gboolean training;                 /* FALSE: made for eval, figure or compose, never updated */
} SrlAlgorithmContext;

/* An algorithm plugin.  Every function is required unless marked optional;
 * `algorithm` is the pointer create() returned. */
typedef struct {
  SrlPluginInfo info;
  /* Sampler flags the algorithm needs (the experiment is refused otherwise). */
  guint required_sampler_flags;
  /* The sampler used when the experiment has no [sampler] group, or NULL
   * when the algorithm takes no sampler at all. */
  const char *default_sampler;
  /* Build the networks and every workspace act and update will need
   * (transfer full; the core calls destroy() once).  Draw initial weights
   * from a stream seeded by context->seed.  On failure set `error` (bad
   * parameter combinations through srl_section_error() on context->params,
   * which names file, group and key), free what was made, return NULL. */
  gpointer (*create) (const SrlAlgorithmContext *context, GError **error);
  /* Free the instance and everything it owns. */
  void (*destroy) (gpointer algorithm);
  /* Statistics `update` writes, in order; terminated by {NULL}.  Names
   * "alpha", "entropy", "q_loss", "policy_loss" fill progress.csv's standard
   * columns; others become extra columns.  The table is the plugin's (static)
   * and must not change during the instance's lifetime. */
  const SrlStatSpec *(*stats) (gpointer algorithm);
  /* Optional: floats of per-episode memory act() may keep (held actions,
   * noise processes); the core zeroes it at each reset and saves it in
   * checkpoints.  Called once after create().  NULL: none. */
  guint (*memory_size) (gpointer algorithm);
  /* One action for `obs` (obs_dim).  `agent_action` (act_dim) is what the
   * replay stores and update trains on; `env_action` (act_dim, in [-1, 1]) is
   * what the environment receives.  They differ for hierarchies.
   * `episode_step` counts from 0 at each reset; `memory` holds
   * memory_size() floats of this episode.  All arrays are the core's, valid
   * during the call.  Random draws from `rng` only: in SRL_ACT_DETERMINISTIC
   * mode draw nothing that changes the action. */
  void (*act) (gpointer algorithm, SrlRng *rng, SrlActMode mode, const float *obs,
               guint episode_step, float *memory, float *agent_action, float *env_action);
  /* One gradient step on a minibatch the algorithm draws from `replay`
   * (the core's, valid during the call) with its own stream; write each
   * statistic into stats[i] (stats() order, every one, every call: the core
   * averages them and stops on a non-finite one).  FALSE with an error
   * (SRL_ERROR_NUMERIC for a NaN loss) stops training. */
  gboolean (*update) (gpointer algorithm, SrlReplay *replay, double *stats, GError **error);
  /* Optional: called after each epoch's evaluation (schedules). */
  void (*end_epoch) (gpointer algorithm, guint epoch);
  /* Put the state of `scope` into `writer` (whose prefix the core set): the
   * writer borrows the data until it writes, before the next call into the
   * algorithm.  SRL_SAVE_FULL must hold everything the next update() and
   * act() depend on (weights, targets, optimiser moments, temperature, the
   * update stream, counters), so that a resumed run matches an
   * uninterrupted one bit for bit.  load() reads the same names into an
   * instance created from the same parameters, returning the reader's error
   * (the file and tensor named) when one is missing or misshapen. */
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
  /* ---- ABI 1.2 ---- */
  /* Optional: called once at the end of each training episode, after its
   * last transition is in the replay and before the next reset (never for
   * evaluation episodes).  Must not allocate; what it keeps belongs in
   * save(SRL_SAVE_FULL) for an exact resume. */
  void (*episode_end) (gpointer algorithm, const SrlEpisodeEnd *episode);
} SrlAlgorithmDescriptor;

/* `mode` as the plugin built from `descriptor` understands it: plugins
 * built before ABI 1.2 get SRL_ACT_STOCHASTIC for SRL_ACT_EVAL_STOCHASTIC. */
SrlActMode srl_algorithm_act_mode (const SrlAlgorithmDescriptor *descriptor, SrlActMode mode);

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

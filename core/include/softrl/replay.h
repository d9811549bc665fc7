/* softrl — the replay buffer: a ring of transitions with uniform minibatches.
 *
 * Each transition keeps `terminal` (the environment ended the episode: no
 * bootstrap) apart from `truncated` (the time limit or an invalid simulator
 * state cut the episode: bootstrap from next_obs as usual).  Algorithms build
 * their targets from `terminal` only.
 *
 * Storage is allocated once at creation; adding and sampling never allocate.
 * Not thread-safe.  During a run the core owns the replay: it adds every
 * transition and hands it to the algorithm's update(), which only samples
 * from it (and must not add or keep the pointer).
 */
#ifndef SOFTRL_REPLAY_H
#define SOFTRL_REPLAY_H

#include <glib.h>
#include <softrl/rng.h>
#include <softrl/state.h>

G_BEGIN_DECLS

typedef struct _SrlReplay SrlReplay;

/* A minibatch: arrays of `capacity` rows the caller owns (srl_batch_new).
 * Row i of each array belongs to the same transition. */
typedef struct {
  guint capacity;   /* rows allocated */
  guint n;          /* rows filled by the last sample */
  guint obs_dim;
  guint act_dim;
  float *obs;       /* [n, obs_dim] */
  float *act;       /* [n, act_dim] */
  float *rew;       /* [n] */
  float *next_obs;  /* [n, obs_dim] */
  float *terminal;  /* [n]: 1 when the episode ended in a terminal state, else 0 */
} SrlBatch;

/* A batch with `capacity` rows allocated (transfer full: srl_batch_free,
 * which frees the arrays too).  Make it in create(), sample into it in
 * update(). */
SrlBatch *srl_batch_new (guint capacity, guint obs_dim, guint act_dim);
void srl_batch_free (SrlBatch *batch);

/* An empty ring of `capacity` transitions (transfer full: srl_replay_free). */
SrlReplay *srl_replay_new (gsize capacity, guint obs_dim, guint act_dim);
void srl_replay_free (SrlReplay *replay);
gsize srl_replay_size (const SrlReplay *replay);
gsize srl_replay_capacity (const SrlReplay *replay);
guint srl_replay_obs_dim (const SrlReplay *replay);
guint srl_replay_act_dim (const SrlReplay *replay);
/* Bytes held by the transitions (for memory reports). */
gsize srl_replay_bytes (const SrlReplay *replay);
/* Copy one transition in; when full, it replaces the oldest. */
void srl_replay_add (SrlReplay *replay, const float *obs, const float *act, float rew,
                     const float *next_obs, gboolean terminal, gboolean truncated);
/* Draw `n` ≤ batch->capacity transitions uniformly with replacement into
 * the batch's first n rows (batch->n = n), with `rng` (use the algorithm's
 * own stream, so that saving it resumes the same minibatches).  The buffer
 * must not be empty (the core calls update() only once min_replay_size
 * transitions are stored). */
void srl_replay_sample (const SrlReplay *replay, SrlRng *rng, guint n, SrlBatch *batch);
/* Copy transition i (0 = oldest kept, i < srl_replay_size()) into
 * single-row arrays; for tools and algorithms that read whole episodes.  Any
 * output may be NULL, and is then not read.  `terminal` marks a transition
 * into a terminal state, `truncated` the last of an episode cut by the time
 * limit; an episode's transitions are contiguous and in order. */
void srl_replay_get (const SrlReplay *replay, gsize i, float *obs, float *act, float *rew,
                     float *next_obs, gboolean *terminal, gboolean *truncated);
/* Save the filled part under PREFIX (borrowed until the writer writes);
 * load refuses other dimensions (SRL_ERROR_MISMATCH) or a capacity too
 * small for the saved transitions.  The core saves the run's replay in
 * checkpoints: algorithms never need to. */
void srl_replay_save (const SrlReplay *replay, SrlStateWriter *writer, const char *prefix);
gboolean srl_replay_load (SrlReplay *replay, const SrlStateReader *reader, const char *prefix, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlReplay, srl_replay_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlBatch, srl_batch_free)

G_END_DECLS

#endif

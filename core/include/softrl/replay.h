/* softrl — the replay buffer: a ring of transitions with uniform minibatches.
 *
 * Each transition keeps `terminal` (the environment ended the episode: no
 * bootstrap) apart from `truncated` (the time limit or an invalid simulator
 * state cut the episode: bootstrap from next_obs as usual).  Algorithms build
 * their targets from `terminal` only.
 *
 * Storage is allocated once at creation; adding and sampling never allocate.
 * Not thread-safe.
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

SrlBatch *srl_batch_new (guint capacity, guint obs_dim, guint act_dim);
void srl_batch_free (SrlBatch *batch);

/* transfer full. */
SrlReplay *srl_replay_new (gsize capacity, guint obs_dim, guint act_dim);
void srl_replay_free (SrlReplay *replay);
gsize srl_replay_size (const SrlReplay *replay);
gsize srl_replay_capacity (const SrlReplay *replay);
guint srl_replay_obs_dim (const SrlReplay *replay);
guint srl_replay_act_dim (const SrlReplay *replay);
/* Bytes held by the transitions (for memory reports). */
gsize srl_replay_bytes (const SrlReplay *replay);
void srl_replay_add (SrlReplay *replay, const float *obs, const float *act, float rew,
                     const float *next_obs, gboolean terminal, gboolean truncated);
/* Draw batch->capacity (or `n` ≤ capacity) transitions uniformly with
 * replacement.  The buffer must not be empty. */
void srl_replay_sample (const SrlReplay *replay, SrlRng *rng, guint n, SrlBatch *batch);
/* Copy transition i (0 = oldest kept) into single-row arrays; for tools. */
void srl_replay_get (const SrlReplay *replay, gsize i, float *obs, float *act, float *rew,
                     float *next_obs, gboolean *terminal, gboolean *truncated);
/* Save the filled part under PREFIX; load refuses other dimensions or a
 * capacity too small for the saved transitions. */
void srl_replay_save (const SrlReplay *replay, SrlStateWriter *writer, const char *prefix);
gboolean srl_replay_load (SrlReplay *replay, const SrlStateReader *reader, const char *prefix, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlReplay, srl_replay_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlBatch, srl_batch_free)

G_END_DECLS

#endif

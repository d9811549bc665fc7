/* The replay buffer: a ring of transitions allocated once. */
#include <string.h>

#include "srl-private.h"

struct _SrlReplay {
  gsize capacity, size, head; /* head: next slot to write */
  guint obs_dim, act_dim;
  float *obs, *act, *rew, *next_obs;
  guint8 *terminal, *truncated;
};

SrlBatch *
srl_batch_new (guint capacity, guint obs_dim, guint act_dim)
{
  SrlBatch *b = g_new0 (SrlBatch, 1);
  b->capacity = capacity;
  b->obs_dim = obs_dim;
  b->act_dim = act_dim;
  b->obs = g_new0 (float, (gsize) capacity * obs_dim);
  b->act = g_new0 (float, (gsize) capacity * act_dim);
  b->rew = g_new0 (float, capacity);
  b->next_obs = g_new0 (float, (gsize) capacity * obs_dim);
  b->terminal = g_new0 (float, capacity);
  return b;
}

void
srl_batch_free (SrlBatch *b)
{
  if (!b)
    return;
  g_free (b->obs);
  g_free (b->act);
  g_free (b->rew);
  g_free (b->next_obs);
  g_free (b->terminal);
  g_free (b);
}

SrlReplay *
srl_replay_try_new (gsize capacity, guint obs_dim, guint act_dim, GError **error)
{
  g_return_val_if_fail (capacity > 0, NULL);
  g_autoptr (SrlReplay) r = g_new0 (SrlReplay, 1);
  r->capacity = capacity;
  r->obs_dim = obs_dim;
  r->act_dim = act_dim;
  /* Zeroed allocations of this size are mapped lazily: an unfilled buffer
   * costs no resident memory.  A capacity the address space cannot hold is
   * an error for the caller to report, not an abort. */
  r->obs = g_try_malloc0_n (capacity, obs_dim * sizeof (float));
  r->act = g_try_malloc0_n (capacity, act_dim * sizeof (float));
  r->rew = g_try_malloc0_n (capacity, sizeof (float));
  r->next_obs = g_try_malloc0_n (capacity, obs_dim * sizeof (float));
  r->terminal = g_try_malloc0_n (capacity, 1);
  r->truncated = g_try_malloc0_n (capacity, 1);
  if ((obs_dim && (!r->obs || !r->next_obs)) || (act_dim && !r->act) || !r->rew || !r->terminal || !r->truncated)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO,
                   "a replay buffer of %" G_GSIZE_FORMAT " transitions needs %.1f GiB, which cannot be allocated",
                   capacity, (double) capacity * ((2.0 * obs_dim + act_dim + 1) * sizeof (float) + 2) / (1 << 30));
      return NULL;
    }
  return g_steal_pointer (&r);
}

SrlReplay *
srl_replay_new (gsize capacity, guint obs_dim, guint act_dim)
{
  g_autoptr (GError) error = NULL;
  SrlReplay *r = srl_replay_try_new (capacity, obs_dim, act_dim, &error);
  if (!r && error)
    g_error ("%s", error->message);
  return r;
}

void
srl_replay_free (SrlReplay *r)
{
  if (!r)
    return;
  g_free (r->obs);
  g_free (r->act);
  g_free (r->rew);
  g_free (r->next_obs);
  g_free (r->terminal);
  g_free (r->truncated);
  g_free (r);
}

gsize srl_replay_size (const SrlReplay *r) { return r->size; }
gsize srl_replay_capacity (const SrlReplay *r) { return r->capacity; }
guint srl_replay_obs_dim (const SrlReplay *r) { return r->obs_dim; }
guint srl_replay_act_dim (const SrlReplay *r) { return r->act_dim; }

gsize
srl_replay_bytes (const SrlReplay *r)
{
  return r->capacity * (sizeof (float) * (2 * r->obs_dim + r->act_dim + 1) + 2);
}

void
srl_replay_add (SrlReplay *r, const float *obs, const float *act, float rew, const float *next_obs,
                gboolean terminal, gboolean truncated)
{
  gsize i = r->head;
  memcpy (r->obs + i * r->obs_dim, obs, r->obs_dim * sizeof (float));
  memcpy (r->act + i * r->act_dim, act, r->act_dim * sizeof (float));
  r->rew[i] = rew;
  memcpy (r->next_obs + i * r->obs_dim, next_obs, r->obs_dim * sizeof (float));
  r->terminal[i] = terminal ? 1 : 0;
  r->truncated[i] = truncated ? 1 : 0;
  r->head = (r->head + 1) % r->capacity;
  if (r->size < r->capacity)
    r->size++;
}

void
srl_replay_sample (const SrlReplay *r, SrlRng *rng, guint n, SrlBatch *b)
{
  g_return_if_fail (r->size > 0 && n <= b->capacity && b->obs_dim == r->obs_dim && b->act_dim == r->act_dim);
  for (guint k = 0; k < n; k++)
    {
      gsize i = srl_rng_below (rng, r->size);
      memcpy (b->obs + (gsize) k * r->obs_dim, r->obs + i * r->obs_dim, r->obs_dim * sizeof (float));
      memcpy (b->act + (gsize) k * r->act_dim, r->act + i * r->act_dim, r->act_dim * sizeof (float));
      b->rew[k] = r->rew[i];
      memcpy (b->next_obs + (gsize) k * r->obs_dim, r->next_obs + i * r->obs_dim, r->obs_dim * sizeof (float));
      b->terminal[k] = r->terminal[i];
    }
  b->n = n;
}

void
srl_replay_get (const SrlReplay *r, gsize i, float *obs, float *act, float *rew, float *next_obs,
                gboolean *terminal, gboolean *truncated)
{
  g_return_if_fail (i < r->size);
  /* Oldest first: when full, the oldest sits at head. */
  gsize slot = r->size < r->capacity ? i : (r->head + i) % r->capacity;
  if (obs)
    memcpy (obs, r->obs + slot * r->obs_dim, r->obs_dim * sizeof (float));
  if (act)
    memcpy (act, r->act + slot * r->act_dim, r->act_dim * sizeof (float));
  if (rew)
    *rew = r->rew[slot];
  if (next_obs)
    memcpy (next_obs, r->next_obs + slot * r->obs_dim, r->obs_dim * sizeof (float));
  if (terminal)
    *terminal = r->terminal[slot];
  if (truncated)
    *truncated = r->truncated[slot];
}

void
srl_replay_save (const SrlReplay *r, SrlStateWriter *w, const char *prefix)
{
  /* The slots are saved as laid out (not oldest first) so that a resumed run
   * samples exactly the indices an uninterrupted one would. */
#define NAME(n) g_autofree char *n##_name = g_strconcat (prefix, #n, NULL)
  NAME (capacity); NAME (size); NAME (head); NAME (obs); NAME (next_obs); NAME (act);
  NAME (rew); NAME (terminal); NAME (truncated);
#undef NAME
  gsize shape[2] = { r->size, r->obs_dim };
  srl_state_writer_put_i64_value (w, capacity_name, (gint64) r->capacity);
  srl_state_writer_put_i64_value (w, size_name, (gint64) r->size);
  srl_state_writer_put_i64_value (w, head_name, (gint64) r->head);
  srl_state_writer_put (w, obs_name, SRL_DTYPE_F32, r->obs, 2, shape);
  srl_state_writer_put (w, next_obs_name, SRL_DTYPE_F32, r->next_obs, 2, shape);
  shape[1] = r->act_dim;
  srl_state_writer_put (w, act_name, SRL_DTYPE_F32, r->act, 2, shape);
  srl_state_writer_put_f32 (w, rew_name, r->rew, r->size);
  srl_state_writer_put_u8 (w, terminal_name, r->terminal, r->size);
  srl_state_writer_put_u8 (w, truncated_name, r->truncated, r->size);
}

/* The counters of a buffer saved under `prefix`, checked against each
 * other. */
static gboolean
load_counters (const SrlStateReader *reader, const char *prefix, gint64 *capacity, gint64 *size, gint64 *head,
               GError **error)
{
  g_autofree char *p_cap = g_strconcat (prefix, "capacity", NULL);
  g_autofree char *p_size = g_strconcat (prefix, "size", NULL);
  g_autofree char *p_head = g_strconcat (prefix, "head", NULL);
  /* A ring that has not wrapped yet writes its next transition at `size`. */
  return srl_state_reader_get_count (reader, p_cap, 1, SRL_STATE_MAX_COUNT, capacity, error)
         && srl_state_reader_get_count (reader, p_size, 0, *capacity, size, error)
         && srl_state_reader_get_count (reader, p_head, *size < *capacity ? *size : 0,
                                        *size < *capacity ? *size : *capacity - 1, head, error);
}

/* The first `size` slots of a buffer saved under `prefix` into the first
 * slots of `r`. */
static gboolean
load_slots (SrlReplay *r, const SrlStateReader *reader, const char *prefix, gint64 size, GError **error)
{
  g_autofree char *p_obs = g_strconcat (prefix, "obs", NULL);
  guint nd;
  const gsize *shape = srl_state_reader_shape (reader, p_obs, &nd);
  if (shape && nd == 2 && shape[1] != r->obs_dim)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_MISMATCH,
                   "%s: saved observations have %" G_GSIZE_FORMAT " dimensions, the environment %u",
                   srl_state_reader_path (reader), shape[1], r->obs_dim);
      return FALSE;
    }
  g_autofree char *p_next = g_strconcat (prefix, "next_obs", NULL);
  g_autofree char *p_act = g_strconcat (prefix, "act", NULL);
  g_autofree char *p_rew = g_strconcat (prefix, "rew", NULL);
  g_autofree char *p_term = g_strconcat (prefix, "terminal", NULL);
  g_autofree char *p_trunc = g_strconcat (prefix, "truncated", NULL);
  if (!srl_state_reader_get_f32 (reader, p_obs, r->obs, size * r->obs_dim, error)
      || !srl_state_reader_get_f32 (reader, p_next, r->next_obs, size * r->obs_dim, error)
      || !srl_state_reader_get_f32 (reader, p_act, r->act, size * r->act_dim, error)
      || !srl_state_reader_get_f32 (reader, p_rew, r->rew, size, error)
      || !srl_state_reader_get_u8 (reader, p_term, r->terminal, size, error)
      || !srl_state_reader_get_u8 (reader, p_trunc, r->truncated, size, error))
    return FALSE;
  /* Flags are 0 or 1, and a transition that ended in a terminal state was
   * not also cut by the time limit. */
  for (gint64 i = 0; i < size; i++)
    if (r->terminal[i] > 1 || r->truncated[i] > 1 || (r->terminal[i] && r->truncated[i]))
      {
        g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT,
                     "%s: transition %" G_GINT64_FORMAT " of the replay buffer has terminal %u and truncated %u; a "
                     "run saves 0 or 1, never both 1", srl_state_reader_path (reader), i, r->terminal[i],
                     r->truncated[i]);
        return FALSE;
      }
  return TRUE;
}

gboolean
srl_replay_load (SrlReplay *r, const SrlStateReader *reader, const char *prefix, GError **error)
{
  gint64 capacity, size, head;
  if (!load_counters (reader, prefix, &capacity, &size, &head, error))
    return FALSE;
  if ((gsize) capacity != r->capacity)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_MISMATCH,
                   "%s: the saved replay buffer has capacity %" G_GINT64_FORMAT
                   ", this experiment %" G_GSIZE_FORMAT "; keep [experiment] replay_capacity when resuming",
                   srl_state_reader_path (reader), capacity, r->capacity);
      return FALSE;
    }
  if (!load_slots (r, reader, prefix, size, error))
    return FALSE;
  r->size = size;
  r->head = head;
  return TRUE;
}

gboolean
srl_replay_append_saved (SrlReplay *r, const SrlStateReader *reader, const char *prefix, gsize *appended,
                         GError **error)
{
  gint64 capacity, size, head;
  if (!load_counters (reader, prefix, &capacity, &size, &head, error))
    return FALSE;
  if ((gsize) size > r->capacity - r->size)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                   "%s: its %" G_GINT64_FORMAT " transitions do not fit replay_capacity %" G_GSIZE_FORMAT
                   " after the %" G_GSIZE_FORMAT " already there", srl_state_reader_path (reader), size, r->capacity,
                   r->size);
      return FALSE;
    }
  *appended = 0;
  if (size == 0)
    return TRUE;
  /* Only what is stored is read, into a buffer of its own size: the
   * source's capacity may be far beyond this machine's memory. */
  g_autoptr (GError) no_memory = NULL;
  g_autoptr (SrlReplay) saved = srl_replay_try_new (size, r->obs_dim, r->act_dim, &no_memory);
  if (!saved)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: %s", srl_state_reader_path (reader), no_memory->message);
      return FALSE;
    }
  if (!load_slots (saved, reader, prefix, size, error))
    return FALSE;
  /* Oldest first: a full buffer's oldest slot is at its head. */
  for (gint64 t = 0; t < size; t++)
    {
      gsize i = size < capacity ? (gsize) t : (gsize) ((head + t) % capacity);
      srl_replay_add (r, saved->obs + i * r->obs_dim, saved->act + i * r->act_dim, saved->rew[i],
                      saved->next_obs + i * r->obs_dim, saved->terminal[i], saved->truncated[i]);
    }
  *appended = size;
  return TRUE;
}

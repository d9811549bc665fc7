/* Checkpoints: everything a run needs to continue exactly (its counters,
 * random states, environment, algorithm and replay) written atomically, and
 * read back on resume; the policy file beside it. */
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "run-private.h"

static void
put_rng (SrlStateWriter *w, const char *name, const SrlRng *rng)
{
  srl_state_writer_put_u64 (w, name, rng->s, 4);
}

static void
add_meta (SrlRun *r, SrlStateWriter *w)
{
  srl_state_writer_put_meta (w, "softrl_version", PACKAGE_VERSION);
  srl_state_writer_put_meta (w, "experiment", r->name);
  srl_state_writer_put_meta (w, "run_id", srl_section_get_string (r->x->runner, "run_id"));
  g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, r->seed);
  srl_state_writer_put_meta (w, "seed", seed);
  srl_state_writer_put_meta (w, "algorithm", r->x->algorithm_descriptor->info.name);
  srl_state_writer_put_meta (w, "environment", r->x->env_descriptor->info.name);
  if (r->x->sampler_descriptor)
    srl_state_writer_put_meta (w, "sampler", r->x->sampler_descriptor->info.name);
  /* Where each plugin came from, so that a run moved to another machine
   * can say which file it needs. */
  const SrlPluginInfo *plugins[] = { &r->x->algorithm_descriptor->info, &r->x->env_descriptor->info,
                                     r->x->sampler_descriptor ? &r->x->sampler_descriptor->info : NULL };
  const char *keys[] = { "algorithm_file", "environment_file", "sampler_file" };
  for (guint i = 0; i < G_N_ELEMENTS (plugins); i++)
    {
      const char *file = plugins[i] ? srl_registry_file (r->registry, plugins[i]) : NULL;
      if (file)
        srl_state_writer_put_meta (w, keys[i], file);
    }
}

gboolean
srl_run_save_policy (SrlRun *r, GError **error)
{
  g_autoptr (SrlStateWriter) w = srl_state_writer_new ();
  add_meta (r, w);
  r->agent->descriptor->save (r->agent->algorithm, w, SRL_SAVE_POLICY);
  g_autofree char *path = g_build_filename (r->dir, SRL_RUN_POLICY, NULL);
  return srl_state_writer_write (w, path, error);
}

double
srl_run_wall_seconds (SrlRun *r)
{
  return r->wall_before + (srl_now () - r->started);
}

gboolean
srl_run_save_checkpoint (SrlRun *r, GError **error)
{
  double wall = srl_run_wall_seconds (r);
  g_autoptr (SrlStateWriter) w = srl_state_writer_new ();
  add_meta (r, w);
  srl_state_writer_set_prefix (w, SRL_CHECKPOINT_RUNNER);
  srl_state_writer_put_i64_value (w, "epoch", r->epoch);
  srl_state_writer_put_i64_value (w, "step_in_epoch", r->step_in_epoch);
  srl_state_writer_put_i64_value (w, "total_steps", r->total_steps);
  srl_state_writer_put_i64_value (w, "total_episodes", r->total_episodes);
  srl_state_writer_put_i64_value (w, "total_updates", r->total_updates);
  srl_state_writer_put_i64_value (w, "need_reset", r->need_reset);
  srl_state_writer_put_i64_value (w, "episode_step", r->episode_step);
  srl_state_writer_put_f64_value (w, "episode_return", r->episode_return);
  srl_state_writer_put_f64_value (w, "epoch_return_sum", r->epoch_return_sum);
  srl_state_writer_put_i64_value (w, "epoch_episodes", r->epoch_episodes);
  srl_state_writer_put_f64 (w, "stat_sums", r->stat_sums, r->n_stats);
  srl_state_writer_put_i64_value (w, "epoch_updates", r->epoch_updates);
  srl_state_writer_put_f64_value (w, "epoch_update_seconds", r->epoch_update_seconds);
  srl_state_writer_put_f64_value (w, "wall_seconds", wall);
  srl_state_writer_put_f64 (w, "recent_returns", r->recent, RECENT_RETURNS);
  srl_state_writer_put_i64_value (w, "n_recent", r->n_recent);
  srl_state_writer_put_i64_value (w, "progress_rows", r->rows->len);
  srl_state_writer_put_i64_value (w, "invalid_streak", r->invalid_streak);
  put_rng (w, "rng_act", &r->rng_act);
  put_rng (w, "rng_env", &r->rng_env);
  srl_state_writer_put_f64 (w, "obs", r->agent->obs, r->agent->obs_dim);
  srl_state_writer_put_f32 (w, "memory", r->agent->memory, r->agent->memory_size);
  srl_state_writer_set_prefix (w, SRL_CHECKPOINT_ENV);
  srl_env_save (r->env, w);
  srl_state_writer_set_prefix (w, SRL_CHECKPOINT_ALGORITHM);
  r->agent->descriptor->save (r->agent->algorithm, w, SRL_SAVE_FULL);
  srl_state_writer_set_prefix (w, "");
  srl_replay_save (r->replay, w, SRL_CHECKPOINT_REPLAY);
  g_autofree char *path = g_build_filename (r->dir, SRL_RUN_CHECKPOINT, NULL);
  if (!srl_state_writer_write (w, path, error))
    return FALSE;
  return srl_run_save_policy (r, error);
}

/* A float that a run only ever counts up from zero (seconds). */
static gboolean
get_non_negative (const SrlStateReader *rd, const char *name, double *value, GError **error)
{
  if (!srl_state_reader_get_f64_value (rd, name, value, error))
    return FALSE;
  if (*value < 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "%s: tensor \"" SRL_CHECKPOINT_RUNNER "%s\" is %g; a run "
                   "saves a value of 0 or more here", srl_state_reader_path (rd), name, *value);
      return FALSE;
    }
  return TRUE;
}

/* A runner counter in [min, max], the error saying which rule bounds it. */
static gboolean
get_counter (const SrlStateReader *rd, const char *name, gint64 min, gint64 max, const char *rule, gint64 *value,
             GError **error)
{
  if (srl_state_reader_get_count (rd, name, min, max, value, error))
    return TRUE;
  if (error && *error && (*error)->code == SRL_ERROR_FORMAT)
    {
      char *message = g_strdup_printf ("%s (%s)", (*error)->message, rule);
      g_free ((*error)->message);
      (*error)->message = message;
    }
  return FALSE;
}

gboolean
srl_run_load_checkpoint (SrlRun *r, GError **error)
{
  g_autofree char *path = g_build_filename (r->dir, SRL_RUN_CHECKPOINT, NULL);
  g_autoptr (SrlStateReader) rd = srl_state_reader_open (path, error);
  if (!rd || !srl_experiment_check_owner (rd, r->x, error))
    return FALSE;
  gint64 need_reset, n_recent, progress_rows;
  const gint64 most = SRL_STATE_MAX_COUNT;
  srl_state_reader_set_prefix (rd, SRL_CHECKPOINT_RUNNER);
  /* Each counter against what a run can produce, those read before it
   * bounding it: one row of progress per epoch done, an episode ends on a
   * step, this epoch's steps and episodes are part of the totals, one entry
   * of the recent returns per episode.  Settings that --set may change on
   * resume (steps_per_epoch, max_path_length) bound nothing here. */
  if (!get_counter (rd, "epoch", 0, G_MAXINT32, "epochs done", &r->epoch, error)
      || !get_counter (rd, "progress_rows", r->epoch, r->epoch, "one row of progress.csv per epoch done",
                       &progress_rows, error)
      || !get_counter (rd, "total_steps", 0, most, "environment steps", &r->total_steps, error)
      || !get_counter (rd, "total_updates", 0, most, "gradient updates", &r->total_updates, error)
      || !get_counter (rd, "step_in_epoch", 0, r->total_steps + r->total_updates,
                       "this epoch's steps or updates are part of the totals", &r->step_in_epoch, error)
      || !get_counter (rd, "total_episodes", 0, r->total_steps, "an episode takes at least one step",
                       &r->total_episodes, error)
      || !get_counter (rd, "epoch_episodes", 0, MIN (r->total_episodes, r->step_in_epoch),
                       "this epoch's episodes are part of total_episodes, each ended on one of its steps",
                       &r->epoch_episodes, error)
      || !get_counter (rd, "epoch_updates", 0, r->total_updates, "this epoch's updates are part of total_updates",
                       &r->epoch_updates, error)
      || !get_counter (rd, "need_reset", 0, 1, "a flag", &need_reset, error)
      || !get_counter (rd, "episode_step", 0, r->total_steps, "the current episode's steps are part of total_steps",
                       &r->episode_step, error)
      || !get_counter (rd, "n_recent", r->total_episodes, r->total_episodes, "one recent return per episode",
                       &n_recent, error)
      || !srl_state_reader_get_f64_value (rd, "episode_return", &r->episode_return, error)
      || !srl_state_reader_get_f64_value (rd, "epoch_return_sum", &r->epoch_return_sum, error)
      || !srl_state_reader_get_f64 (rd, "stat_sums", r->stat_sums, r->n_stats, error)
      || !get_non_negative (rd, "epoch_update_seconds", &r->epoch_update_seconds, error)
      || !get_non_negative (rd, "wall_seconds", &r->wall_before, error)
      || !srl_state_reader_get_f64 (rd, "recent_returns", r->recent, RECENT_RETURNS, error)
      || !srl_state_reader_get_rng (rd, "rng_act", &r->rng_act, error)
      || !srl_state_reader_get_rng (rd, "rng_env", &r->rng_env, error)
      || !srl_state_reader_get_f64 (rd, "obs", r->agent->obs, r->agent->obs_dim, error)
      || !srl_state_reader_get_f32 (rd, "memory", r->agent->memory, r->agent->memory_size, error))
    return FALSE;
  /* (Checkpoints written before this counter existed have none.) */
  r->invalid_streak = 0;
  if (srl_state_reader_has (rd, "invalid_streak")
      && !get_counter (rd, "invalid_streak", 0, MIN (r->total_episodes, SRL_RUN_MAX_INVALID_STREAK - 1),
                       "episodes in a row ended by an invalid state, fewer than fail a run", &r->invalid_streak, error))
    return FALSE;
  if (!srl_env_check_output (r->env, r->agent->obs, NULL, error, "the observation saved in %s", path))
    return FALSE;
  r->need_reset = need_reset != 0;
  r->n_recent = n_recent;
  srl_state_reader_set_prefix (rd, SRL_CHECKPOINT_ENV);
  if (!srl_env_load (r->env, rd, error))
    return FALSE;
  srl_state_reader_set_prefix (rd, SRL_CHECKPOINT_ALGORITHM);
  if (!r->agent->descriptor->load (r->agent->algorithm, rd, SRL_SAVE_FULL, error))
    return FALSE;
  srl_state_reader_set_prefix (rd, "");
  if (!srl_replay_load (r->replay, rd, SRL_CHECKPOINT_REPLAY, error))
    return FALSE;

  /* progress.csv: keep the rows the checkpoint knows about; later rows (from
   * after a crash) are written again by the resumed run. */
  g_autofree char *csv_path = g_build_filename (r->dir, SRL_RUN_PROGRESS, NULL);
  g_autofree char *csv = NULL;
  if (progress_rows > 0 && !g_file_get_contents (csv_path, &csv, NULL, NULL))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: missing, but the checkpoint counts %" G_GINT64_FORMAT " rows",
                   csv_path, progress_rows);
      return FALSE;
    }
  if (csv)
    {
      g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
      /* The rows the checkpoint counts must all be there, each with the
       * header's columns: a row lost or mangled would otherwise be dropped
       * from the curve without a word. */
      guint columns = lines[0] ? srl_csv_count_fields (lines[0]) : 0;
      for (gint64 i = 1; i <= progress_rows; i++)
        {
          if (!lines[i - 1] || !lines[i] || !*lines[i])
            {
              g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT,
                           "%s: holds %" G_GINT64_FORMAT " of the checkpoint's %" G_GINT64_FORMAT " rows", csv_path,
                           i - 1, progress_rows);
              return FALSE;
            }
          if (srl_csv_count_fields (lines[i]) != columns)
            {
              g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "%s: line %" G_GINT64_FORMAT ": %u fields, the header has %u",
                           csv_path, i + 1, srl_csv_count_fields (lines[i]), columns);
              return FALSE;
            }
        }
      for (gint64 i = 1; i <= progress_rows; i++)
        g_ptr_array_add (r->rows, g_strdup (lines[i]));
    }
  return TRUE;
}

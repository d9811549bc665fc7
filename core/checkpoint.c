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

static gboolean
get_rng (const SrlStateReader *rd, const char *name, SrlRng *rng, GError **error)
{
  return srl_state_reader_get_u64 (rd, name, rng->s, 4, error);
}

static void
add_meta (SrlRun *r, SrlStateWriter *w)
{
  srl_state_writer_put_meta (w, "softrl_version", PACKAGE_VERSION);
  srl_state_writer_put_meta (w, "experiment", r->name);
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

gboolean
srl_run_load_checkpoint (SrlRun *r, GError **error)
{
  g_autofree char *path = g_build_filename (r->dir, SRL_RUN_CHECKPOINT, NULL);
  g_autoptr (SrlStateReader) rd = srl_state_reader_open (path, error);
  if (!rd)
    return FALSE;
  gint64 need_reset, n_recent, progress_rows;
  srl_state_reader_set_prefix (rd, SRL_CHECKPOINT_RUNNER);
  if (!srl_state_reader_get_i64_value (rd, "epoch", &r->epoch, error)
      || !srl_state_reader_get_i64_value (rd, "step_in_epoch", &r->step_in_epoch, error)
      || !srl_state_reader_get_i64_value (rd, "total_steps", &r->total_steps, error)
      || !srl_state_reader_get_i64_value (rd, "total_episodes", &r->total_episodes, error)
      || !srl_state_reader_get_i64_value (rd, "total_updates", &r->total_updates, error)
      || !srl_state_reader_get_i64_value (rd, "need_reset", &need_reset, error)
      || !srl_state_reader_get_i64_value (rd, "episode_step", &r->episode_step, error)
      || !srl_state_reader_get_f64_value (rd, "episode_return", &r->episode_return, error)
      || !srl_state_reader_get_f64_value (rd, "epoch_return_sum", &r->epoch_return_sum, error)
      || !srl_state_reader_get_i64_value (rd, "epoch_episodes", &r->epoch_episodes, error)
      || !srl_state_reader_get_f64 (rd, "stat_sums", r->stat_sums, r->n_stats, error)
      || !srl_state_reader_get_i64_value (rd, "epoch_updates", &r->epoch_updates, error)
      || !srl_state_reader_get_f64_value (rd, "epoch_update_seconds", &r->epoch_update_seconds, error)
      || !srl_state_reader_get_f64_value (rd, "wall_seconds", &r->wall_before, error)
      || !srl_state_reader_get_f64 (rd, "recent_returns", r->recent, RECENT_RETURNS, error)
      || !srl_state_reader_get_i64_value (rd, "n_recent", &n_recent, error)
      || !srl_state_reader_get_i64_value (rd, "progress_rows", &progress_rows, error)
      || !get_rng (rd, "rng_act", &r->rng_act, error) || !get_rng (rd, "rng_env", &r->rng_env, error)
      || !srl_state_reader_get_f64 (rd, "obs", r->agent->obs, r->agent->obs_dim, error)
      || !srl_state_reader_get_f32 (rd, "memory", r->agent->memory, r->agent->memory_size, error))
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

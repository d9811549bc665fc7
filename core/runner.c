/* Training runs: the environment loop, evaluation, progress, checkpoints and
 * exact resume.  Everything a run needs to continue lives in SrlRun's saved
 * fields; wall-clock figures are the only values a resumed run may report
 * differently. */
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "run-private.h"

static volatile sig_atomic_t stop_requested = 0;

void
srl_run_request_stop (void)
{
  stop_requested = 1;
}

/* ------------------------------------------------------------------ runs */

static const char *const standard_columns[] = { "alpha", "entropy", "q_loss", "policy_loss" };

const char *
srl_run_dir (const SrlRun *r)
{
  return r->dir;
}

void
srl_run_free (SrlRun *r)
{
  if (!r)
    return;
  srl_agent_free (r->agent);
  srl_env_free (r->env);
  srl_env_free (r->eval_env);
  srl_replay_free (r->replay);
  srl_experiment_free (r->x);
  if (r->log)
    fclose (r->log);
  g_free (r->stat_values);
  g_free (r->stat_sums);
  if (r->rows)
    g_ptr_array_unref (r->rows);
  g_free (r->header);
  g_free (r->name);
  g_free (r->dir);
  if (r->lock_fd >= 0)
    close (r->lock_fd);
  g_free (r);
}

static SrlRun *
run_alloc (const SrlRegistry *registry, const SrlRunOptions *options)
{
  SrlRun *r = g_new0 (SrlRun, 1);
  r->registry = registry;
  r->options = *options;
  r->lock_fd = -1;
  return r;
}

/* Own the run directory, then clear what an interrupted predecessor left
 * half written. */
static gboolean
run_own_dir (SrlRun *r, guint *temporaries_removed, GError **error)
{
  r->lock_fd = srl_dir_lock (r->dir, SRL_RUN_LOCK, "run", error);
  if (r->lock_fd < 0)
    return FALSE;
  *temporaries_removed = srl_run_remove_temporaries (r->dir);
  return TRUE;
}

static void run_log (SrlRun *r, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
run_log (SrlRun *r, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (r->log)
    srl_log_line (r->log, msg);
  srl_console_print (&r->console, msg);
}

static void
write_status (SrlRun *r, const char *status)
{
  g_autofree char *path = g_build_filename (r->dir, SRL_RUN_STATUS, NULL);
  g_autofree char *text = g_strconcat (status, "\n", NULL);
  g_autoptr (GError) error = NULL;
  if (!srl_write_file_atomic (path, text, -1, &error))
    run_log (r, "warning: %s", error->message);
}

static gboolean
stat_is_standard (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (standard_columns); i++)
    if (strcmp (name, standard_columns[i]) == 0)
      return TRUE;
  return FALSE;
}

static char *
build_header (SrlRun *r)
{
  GString *h = g_string_new ("epoch,env_steps,episodes,train_return_mean,eval_return_mean,eval_return_min,"
                             "eval_return_max,eval_length_mean");
  for (guint i = 0; i < G_N_ELEMENTS (standard_columns); i++)
    g_string_append_printf (h, ",%s", standard_columns[i]);
  for (guint i = 0; i < r->n_stats; i++)
    if (!stat_is_standard (r->stats[i].name))
      g_string_append_printf (h, ",%s", r->stats[i].name);
  g_string_append (h, ",updates,updates_per_s,wall_s");
  return g_string_free (h, FALSE);
}

/* Everything both a new and a resumed run set up from the experiment. */
/* The runner's settings against each other (each alone was checked when the
 * experiment was read). */
static gboolean
check_settings (SrlExperiment *x, GError **error)
{
  gint64 capacity = srl_section_get_int (x->runner, "replay_capacity");
  gint64 min_replay_size = srl_section_get_int (x->runner, "min_replay_size");
  if (!srl_section_get_int (x->runner, "offline_updates") && min_replay_size > capacity)
    return srl_section_error (x->runner, "min_replay_size", error,
                              "%" G_GINT64_FORMAT " is more than replay_capacity %" G_GINT64_FORMAT
                              ": the buffer never holds enough and no update would ever run",
                              min_replay_size, capacity);
  return TRUE;
}

gboolean
srl_experiment_check (const SrlRegistry *registry, SrlExperiment *x, GError **error)
{
  if (!check_settings (x, error))
    return FALSE;
  SrlEnv *env = srl_env_new (x->env_descriptor, x->env, error);
  if (!env)
    return FALSE;
  if (!srl_experiment_check_memory_for (x, srl_env_spec (env), error))
    {
      srl_env_free (env);
      return FALSE;
    }
  SrlAgent *agent = srl_agent_new_full (registry, x, srl_env_spec (env), srl_section_get_int (x->runner, "seed"), TRUE,
                                        error);
  srl_env_free (env);
  if (!agent)
    return FALSE;
  srl_agent_free (agent);
  return TRUE;
}

static gboolean
run_setup (SrlRun *r, GError **error)
{
  SrlExperiment *x = r->x;
  r->seed = srl_section_get_int (x->runner, "seed");
  r->epochs = srl_section_get_int (x->runner, "epochs");
  r->steps_per_epoch = srl_section_get_int (x->runner, "steps_per_epoch");
  r->eval_episodes = srl_section_get_int (x->runner, "eval_episodes");
  r->eval_deterministic = srl_section_get_bool (x->runner, "eval_deterministic");
  r->initial_random_steps = srl_section_get_int (x->runner, "initial_random_steps");
  r->min_replay_size = srl_section_get_int (x->runner, "min_replay_size");
  r->gradient_steps = srl_section_get_int (x->runner, "gradient_steps");
  r->checkpoint_interval = srl_section_get_int (x->runner, "checkpoint_interval");
  r->offline_updates = srl_section_get_int (x->runner, "offline_updates");
  if (!check_settings (x, error))
    return FALSE;
  const char *name = srl_section_get_string (x->runner, "name");
  if (!*name)
    {
      g_autofree char *base = srl_experiment_default_name (x->file);
      srl_section_set (x->runner, "name", base, "default", NULL);
      name = srl_section_get_string (x->runner, "name");
    }
  r->name = g_strdup (name);

  r->env = srl_env_new (x->env_descriptor, x->env, error);
  if (!r->env)
    return FALSE;
  r->eval_env = srl_env_new (x->env_descriptor, x->env, error);
  if (!r->eval_env)
    return FALSE;
  const SrlEnvSpec *spec = srl_env_spec (r->env);
  r->max_path_length = srl_run_path_limit (x, spec);
  r->agent = srl_agent_new_full (r->registry, x, spec, r->seed, TRUE, error);
  if (!r->agent)
    return FALSE;
  g_autoptr (GError) no_memory = NULL;
  r->replay = srl_replay_try_new (srl_section_get_int (x->runner, "replay_capacity"), spec->obs_dim, spec->act_dim,
                                  &no_memory);
  if (!r->replay)
    return srl_section_error (x->runner, "replay_capacity", error, "%s", no_memory->message);
  r->stats = r->agent->descriptor->stats (r->agent->algorithm);
  while (r->stats && r->stats[r->n_stats].name)
    r->n_stats++;
  r->stat_values = g_new0 (double, MAX (r->n_stats, 1));
  r->stat_sums = g_new0 (double, MAX (r->n_stats, 1));
  r->header = build_header (r);
  r->rows = g_ptr_array_new_with_free_func (g_free);
  srl_rng_init_stream (&r->rng_act, r->seed, STREAM_ACT);
  srl_rng_init_stream (&r->rng_env, r->seed, STREAM_ENV);
  r->need_reset = TRUE;
  srl_console_init (&r->console, r->options.quiet);
  g_autofree char *log_path = g_build_filename (r->dir, SRL_RUN_LOG, NULL);
  r->log = g_fopen (log_path, "a");
  if (!r->log)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot open: %s", log_path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_config (SrlRun *r, GError **error)
{
  g_autofree char *text = srl_experiment_format (r->x);
  g_autofree char *path = g_build_filename (r->dir, SRL_RUN_CONFIG, NULL);
  return srl_write_file_atomic (path, text, -1, error);
}

static char *
default_run_dir (const char *name, guint64 seed)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *base = g_strdup_printf ("%s-seed%" G_GUINT64_FORMAT "-%s", name, seed, stamp);
  char *dir = g_build_filename ("runs", base, NULL);
  /* Two runs started in the same second get distinct directories. */
  for (int i = 2; g_file_test (dir, G_FILE_TEST_EXISTS); i++)
    {
      g_free (dir);
      g_autofree char *alt = g_strdup_printf ("%s-%d", base, i);
      dir = g_build_filename ("runs", alt, NULL);
    }
  return dir;
}

/* [experiment] replay_from: append every transition of the named runs'
 * replay buffers (oldest first, run by run) to this run's.  An offline run
 * needs some. */
static gboolean
fill_replay (SrlRun *r, GError **error)
{
  guint n_runs = 0;
  const char *const *runs = srl_section_get_string_list (r->x->runner, "replay_from", &n_runs);
  for (guint i = 0; i < n_runs; i++)
    {
      g_autofree char *path = g_build_filename (runs[i], SRL_RUN_CHECKPOINT, NULL);
      g_autoptr (GError) local = NULL;
      g_autoptr (SrlStateReader) rd = srl_state_reader_open (path, &local);
      gsize n = 0;
      if (!rd || !srl_replay_append_saved (r->replay, rd, SRL_CHECKPOINT_REPLAY, &n, &local))
        return srl_section_error (r->x->runner, "replay_from", error, "%s", local->message);
      run_log (r, "replay buffer: %" G_GSIZE_FORMAT " transitions from %s", n, runs[i]);
    }
  if (r->offline_updates > 0 && srl_replay_size (r->replay) == 0)
    return srl_section_error (r->x->runner, "replay_from", error, "these runs saved no transitions to train on");
  return TRUE;
}

static void
log_temporaries_removed (SrlRun *r, guint n)
{
  if (n)
    run_log (r, "removed %u temporary file%s of writes that were interrupted", n, n == 1 ? "" : "s");
}

/* Undo what srl_run_new wrote into a directory it created; rmdir only
 * succeeds if nothing else is there. */
static void
remove_refused_run (SrlRun *r)
{
  if (r->log)
    {
      fclose (r->log);
      r->log = NULL;
    }
  const char *names[] = { SRL_RUN_LOG, SRL_RUN_CONFIG, SRL_RUN_STATUS, SRL_RUN_LOCK };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (r->dir, names[i], NULL);
      g_unlink (path);
    }
  g_rmdir (r->dir);
  close (r->lock_fd);
  r->lock_fd = -1;
}

SrlRun *
srl_run_new (const SrlRegistry *registry, SrlExperiment *x, const SrlRunOptions *options, GError **error)
{
  g_autoptr (SrlRun) r = run_alloc (registry, options);
  r->x = x;
  const char *name = srl_section_get_string (x->runner, "name");
  g_autofree char *base = srl_experiment_default_name (x->file);
  if (options->out_dir)
    r->dir = g_strdup (options->out_dir);
  else
    r->dir = default_run_dir (*name ? name : base, srl_section_get_int (x->runner, "seed"));
  /* The name becomes a directory under runs/: a path there would put the
   * run elsewhere. */
  if (*name && (strchr (name, '/') || strcmp (name, ".") == 0 || strcmp (name, "..") == 0))
    {
      srl_section_error (x->runner, "name", error, "\"%s\": a name, not a path (give the directory with --out)", name);
      return NULL;
    }
  const char *const *replay_from = srl_section_get_string_list (x->runner, "replay_from", NULL);
  if (srl_section_get_int (x->runner, "offline_updates") > 0 && !(replay_from && replay_from[0]))
    {
      srl_section_error (x->runner, "offline_updates", error,
                         "an offline run trains on saved transitions: name runs in [experiment] replay_from");
      return NULL;
    }
  if (!srl_experiment_check_memory (x, error))
    return NULL;
  /* Owner first, then look: two runs started at once with one --out cannot
   * both find the directory empty. */
  gboolean created = !g_file_test (r->dir, G_FILE_TEST_EXISTS);
  if (g_mkdir_with_parents (r->dir, 0755) != 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot create the run directory: %s", r->dir,
                   g_strerror (errno));
      return NULL;
    }
  guint temporaries = 0;
  if (!run_own_dir (r, &temporaries, error))
    {
      /* Another process's directory now, whoever created it. */
      return NULL;
    }
  g_autofree char *ckpt = g_build_filename (r->dir, SRL_RUN_CHECKPOINT, NULL);
  if (g_file_test (ckpt, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                   "%s already holds a run; continue it with `softrl run --resume %s` or choose another --out",
                   r->dir, r->dir);
      return NULL;
    }
  /* Any other file a run writes would be overwritten: a run that stopped
   * before its first checkpoint, or results copied there.  (log.txt is only
   * ever appended to; a sweep restarts its runs in place after removing
   * these.) */
  static const char *const results[] = { SRL_RUN_CONFIG, SRL_RUN_PROGRESS, SRL_RUN_POLICY, SRL_RUN_STATUS };
  g_autoptr (GString) found = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autofree char *path = g_build_filename (r->dir, results[i], NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        g_string_append_printf (found, "%s%s", found->len ? ", " : "", results[i]);
    }
  if (found->len)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                   "%s holds a run's files but no checkpoint to continue from (%s); continue it with "
                   "`softrl run --resume %s` (it starts over from its config.ini), move them away or choose "
                   "another --out", r->dir, found->str, r->dir);
      return NULL;
    }
  /* A new identity for every new run, even one started from another run's
   * config.ini: its checkpoints are then refused by any other run. */
  g_autofree char *run_id = g_uuid_string_random ();
  srl_section_set (x->runner, "run_id", run_id, "softrl", NULL);
  if (!run_setup (r, error) || !fill_replay (r, error) || !write_config (r, error))
    {
      /* Refused before training (an algorithm's create() rejected its
       * parameters, say): leave no empty run behind. */
      if (created)
        remove_refused_run (r);
      return NULL;
    }
  write_status (r, "running");
  log_temporaries_removed (r, temporaries);
  return g_steal_pointer (&r);
}

/* A run killed before its first checkpoint has nothing to continue from:
 * it starts over from its config.ini (log.txt keeps what came before). */
static gboolean
run_start_over (SrlRun *r, const char *config, const char *const *overrides, GError **error)
{
  static const char *const results[] = { SRL_RUN_PROGRESS, SRL_RUN_POLICY, SRL_RUN_STATUS };
  r->x = srl_experiment_load (r->registry, config, overrides, error);
  if (!r->x || !srl_experiment_check_memory (r->x, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      g_autofree char *path = g_build_filename (r->dir, results[i], NULL);
      g_unlink (path);
    }
  if (!run_setup (r, error) || !fill_replay (r, error) || !write_config (r, error))
    return FALSE;
  write_status (r, "running");
  run_log (r, "%s had no checkpoint yet (stopped before its first one): starting over from its %s", r->dir,
           SRL_RUN_CONFIG);
  return TRUE;
}

SrlRun *
srl_run_resume (const SrlRegistry *registry, const char *run_dir, const char *const *overrides,
                const SrlRunOptions *options, GError **error)
{
  g_autofree char *config = g_build_filename (run_dir, SRL_RUN_CONFIG, NULL);
  g_autofree char *ckpt = g_build_filename (run_dir, SRL_RUN_CHECKPOINT, NULL);
  if (!g_file_test (config, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: not a run directory (no config.ini)", run_dir);
      return NULL;
    }
  g_autoptr (SrlRun) r = run_alloc (registry, options);
  r->dir = g_strdup (run_dir);
  guint temporaries = 0;
  if (!run_own_dir (r, &temporaries, error))
    return NULL;
  /* The seed seeded the generators whose states the checkpoint holds: a new
   * one would change nothing but config.ini, which would then lie. */
  for (guint i = 0; overrides && overrides[i]; i++)
    {
      /* Read as the experiment reads it: group and key each stripped. */
      g_auto (GStrv) key_value = g_strsplit (overrides[i], "=", 2);
      g_auto (GStrv) group_key = g_strsplit (key_value[0], ".", 2);
      if (group_key[0] && group_key[1] && strcmp (g_strstrip (group_key[0]), "experiment") == 0
          && strcmp (g_strstrip (group_key[1]), "seed") == 0)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                       "--set %s: a resumed run keeps its seed (its random states are in the checkpoint)", overrides[i]);
          return NULL;
        }
    }
  if (!g_file_test (ckpt, G_FILE_TEST_EXISTS))
    {
      if (!run_start_over (r, config, overrides, error))
        return NULL;
      log_temporaries_removed (r, temporaries);
      return g_steal_pointer (&r);
    }
  r->x = srl_experiment_load (registry, config, overrides, error);
  if (!r->x || !srl_experiment_check_memory (r->x, error) || !run_setup (r, error))
    return NULL;
  if (!srl_run_load_checkpoint (r, error))
    {
      /* A checkpoint that no longer fits what the command line changed is
       * the command line's fault: say which setting, not only which
       * tensor. */
      gboolean blamed = FALSE;
      for (guint i = 0; overrides && overrides[i] && !blamed; i++)
        if (!g_str_has_prefix (overrides[i], "experiment."))
          {
            g_autofree char *why = g_strdup ((*error)->message);
            g_clear_error (error);
            g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                         "%s (after --set %s: a resumed run keeps the settings its checkpoint was made with)", why,
                         overrides[i]);
            blamed = TRUE;
          }
      /* Otherwise the shapes asked for come from config.ini: an edit
       * there is a bad experiment like any other. */
      if (!blamed && g_error_matches (*error, SRL_ERROR, SRL_ERROR_MISMATCH))
        {
          g_autofree char *why = g_strdup ((*error)->message);
          g_clear_error (error);
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                       "%s (does %s still hold the settings the run was made with? a resumed run keeps them)", why,
                       config);
        }
      return NULL;
    }
  if (r->epochs < r->epoch)
    {
      srl_section_error (r->x->runner, "epochs", error,
                         "the run has done %" G_GINT64_FORMAT " epochs already; give at least that many", r->epoch);
      return NULL;
    }
  if (!write_config (r, error))
    return NULL;
  write_status (r, "running");
  log_temporaries_removed (r, temporaries);
  run_log (r, "resumed at epoch %" G_GINT64_FORMAT ", step %" G_GINT64_FORMAT, r->epoch + 1, r->total_steps);
  return g_steal_pointer (&r);
}

/* ---- the loop ---- */

static void
progress_line (SrlRun *r)
{
  if (!r->console.tty || r->options.quiet)
    return;
  double elapsed = srl_now () - r->started;
  gboolean offline = r->offline_updates > 0;
  gint64 done = offline ? r->total_updates : r->total_steps;
  gint64 done_here = done - r->steps_at_start;
  gint64 total = r->epochs * (offline ? r->offline_updates : r->steps_per_epoch);
  double eta = done_here > 0 ? elapsed / done_here * (total - done) : 0;
  double recent = 0;
  gint64 n = MIN (r->n_recent, RECENT_RETURNS);
  for (gint64 i = 0; i < n; i++)
    recent += r->recent[i];
  g_autofree char *ret = n ? g_strdup_printf ("%.1f", recent / n) : g_strdup ("-");
  g_autofree char *line = g_strdup_printf ("epoch %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "  %s %" G_GINT64_FORMAT
                                            "  return %s  left %dm%02ds",
           MIN (r->epoch + 1, r->epochs), r->epochs, offline ? "updates" : "steps", done, ret, (int) (eta / 60),
           (int) fmod (eta, 60));
  srl_console_progress (&r->console, line);
}

static void
end_episode (SrlRun *r, gboolean terminated, gboolean truncated, gboolean invalid)
{
  const SrlAlgorithmDescriptor *d = r->agent->descriptor;
  if (SRL_DESCRIPTOR_HAS (d, SrlAlgorithmDescriptor, episode_end) && d->episode_end)
    {
      SrlEpisodeEnd end = { r->episode_return, (guint64) r->episode_step, terminated, truncated, invalid };
      d->episode_end (r->agent->algorithm, &end);
    }
  r->epoch_return_sum += r->episode_return;
  r->epoch_episodes++;
  r->total_episodes++;
  r->recent[r->n_recent % RECENT_RETURNS] = r->episode_return;
  r->n_recent++;
  r->need_reset = TRUE;
}

/* A non-finite loss at the run's first update came from the data and the
 * initial weights alone: no learning rate had acted yet, so the message
 * blames what did (the plugin's own message may advise lowering them). */
static void
blame_the_data (SrlRun *r, GError **error)
{
  double max_reward = 0, max_obs = 0;
  guint O = srl_replay_obs_dim (r->replay);
  g_autofree float *obs = g_new (float, MAX (O, 1));
  for (gsize t = 0; t < srl_replay_size (r->replay); t++)
    {
      float reward;
      srl_replay_get (r->replay, t, obs, NULL, &reward, NULL, NULL, NULL);
      max_reward = MAX (max_reward, fabs (reward));
      for (guint i = 0; i < O; i++)
        max_obs = MAX (max_obs, fabs (obs[i]));
    }
  g_autofree char *losses = g_strdup ((*error)->message);
  char *advice = strstr (losses, "; ");
  if (advice)
    *advice = '\0';
  g_clear_error (error);
  g_set_error (error, SRL_ERROR, SRL_ERROR_NUMERIC,
               "%s at the run's first update, before any learning rate acted: the replay buffer's rewards (up to %g "
               "in magnitude) or observations (up to %g) are too large for float32 arithmetic; scale the "
               "environment's rewards or observations down (algorithm.reward_scale, or the environment's parameters)",
               losses, max_reward, max_obs);
}

/* `n` gradient updates, their statistics summed into the epoch's. */
static gboolean
run_updates (SrlRun *r, gint64 n, GError **error)
{
  SrlAgent *a = r->agent;
  double t0 = srl_now ();
  for (gint64 g = 0; g < n; g++)
    {
      if (!a->descriptor->update (a->algorithm, r->replay, r->stat_values, error))
        {
          if (r->total_updates == 0 && g_error_matches (*error, SRL_ERROR, SRL_ERROR_NUMERIC))
            blame_the_data (r, error);
          return FALSE;
        }
      for (guint i = 0; i < r->n_stats; i++)
        {
          if (!isfinite (r->stat_values[i]))
            {
              g_set_error (error, SRL_ERROR, SRL_ERROR_NUMERIC,
                           "update %" G_GINT64_FORMAT " (step %" G_GINT64_FORMAT "): %s is %g; training diverged",
                           r->total_updates + 1, r->total_steps, r->stats[i].name, r->stat_values[i]);
              if (r->total_updates == 0)
                blame_the_data (r, error);
              return FALSE;
            }
          r->stat_sums[i] += r->stat_values[i];
        }
      r->total_updates++;
      r->epoch_updates++;
    }
  r->epoch_update_seconds += srl_now () - t0;
  return TRUE;
}

static gboolean
train_step (SrlRun *r, GError **error)
{
  SrlAgent *a = r->agent;
  if (r->need_reset)
    {
      srl_env_reset (r->env, &r->rng_env, a->obs);
      if (!srl_env_check_output (r->env, a->obs, NULL, error, "reset before step %" G_GINT64_FORMAT,
                                 r->total_steps + 1))
        return FALSE;
      memset (a->memory, 0, a->memory_size * sizeof (float));
      r->episode_step = 0;
      r->episode_return = 0;
      r->need_reset = FALSE;
    }
  srl_doubles_to_floats (a->obs, a->obs_f, a->obs_dim);
  SrlActMode mode = r->total_steps < r->initial_random_steps ? SRL_ACT_RANDOM : SRL_ACT_STOCHASTIC;
  a->descriptor->act (a->algorithm, &r->rng_act, mode, a->obs_f, (guint) r->episode_step, a->memory,
                      a->agent_action, a->env_action);
  double reward = 0;
  SrlStepStatus status = srl_env_step_normalized (r->env, &r->rng_env, a->env_action, a->next_obs, &reward);
  r->total_steps++;
  r->episode_step++;
  if (status == SRL_STEP_INVALID)
    {
      run_log (r, "warning: step %" G_GINT64_FORMAT ": %s; episode ended, transition dropped", r->total_steps,
               srl_env_invalid_reason (r->env));
      end_episode (r, FALSE, FALSE, TRUE);
      /* A simulator may break now and then; one that breaks in episode
       * after episode would only ever record returns of nothing. */
      if (++r->invalid_streak >= SRL_RUN_MAX_INVALID_STREAK)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_NUMERIC,
                       "environment %s, step %" G_GINT64_FORMAT ": the last %d episodes all ended in an invalid "
                       "state (%s); check the environment's parameters", r->x->env_descriptor->info.name,
                       r->total_steps, SRL_RUN_MAX_INVALID_STREAK, srl_env_invalid_reason (r->env));
          return FALSE;
        }
    }
  else
    {
      /* A NaN or an overflow here would otherwise be stored, trained on and
       * written as a return. */
      if (!srl_env_check_output (r->env, a->next_obs, &reward, error, "step %" G_GINT64_FORMAT, r->total_steps))
        return FALSE;
      srl_doubles_to_floats (a->next_obs, a->next_obs_f, a->obs_dim);
      r->episode_return += reward;
      gboolean terminal = status == SRL_STEP_TERMINATED;
      gboolean truncated = !terminal && r->episode_step >= (gint64) r->max_path_length;
      srl_replay_add (r->replay, a->obs_f, a->agent_action, (float) reward, a->next_obs_f, terminal, truncated);
      memcpy (a->obs, a->next_obs, a->obs_dim * sizeof (double));
      if (terminal || truncated)
        {
          end_episode (r, terminal, truncated, FALSE);
          r->invalid_streak = 0;
        }
    }
  if ((gint64) srl_replay_size (r->replay) >= r->min_replay_size)
    return run_updates (r, r->gradient_steps, error);
  return TRUE;
}

static gboolean
end_epoch (SrlRun *r, GError **error)
{
  /* Evaluation: its own random streams per epoch, so it neither disturbs
   * training nor depends on where a run was interrupted. */
  SrlReturns eval = { 0 };
  if (r->eval_episodes > 0)
    {
      SrlRng rng;
      srl_rng_init_stream (&rng, r->seed, STREAM_EVAL_ENV + r->epoch);
      SrlActMode mode = r->eval_deterministic ? SRL_ACT_DETERMINISTIC : SRL_ACT_EVAL_STOCHASTIC;
      for (gint64 e = 0; e < r->eval_episodes; e++)
        {
          SrlEpisode ep;
          if (!srl_agent_episode (r->agent, r->eval_env, &rng, mode, r->max_path_length, &ep, error))
            return FALSE;
          srl_returns_add (&eval, &ep);
        }
    }
  double wall = srl_run_wall_seconds (r);
  GString *row = g_string_new (NULL);
  g_string_append_printf (row, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT, r->epoch + 1,
                          r->total_steps, r->total_episodes);
  srl_csv_append_number (row, r->epoch_episodes ? r->epoch_return_sum / r->epoch_episodes : NAN);
  srl_csv_append_number (row, srl_returns_mean (&eval));
  srl_csv_append_number (row, eval.n ? eval.min : NAN);
  srl_csv_append_number (row, eval.n ? eval.max : NAN);
  srl_csv_append_number (row, srl_returns_mean_length (&eval));
  for (guint c = 0; c < G_N_ELEMENTS (standard_columns); c++)
    {
      double v = NAN;
      for (guint i = 0; i < r->n_stats; i++)
        if (strcmp (r->stats[i].name, standard_columns[c]) == 0 && r->epoch_updates)
          v = r->stat_sums[i] / r->epoch_updates;
      srl_csv_append_number (row, v);
    }
  for (guint i = 0; i < r->n_stats; i++)
    if (!stat_is_standard (r->stats[i].name))
      srl_csv_append_number (row, r->epoch_updates ? r->stat_sums[i] / r->epoch_updates : NAN);
  g_string_append_printf (row, ",%" G_GINT64_FORMAT, r->total_updates);
  srl_csv_append_number (row, r->epoch_update_seconds > 0 ? r->epoch_updates / r->epoch_update_seconds : 0);
  srl_csv_append_number (row, wall);
  g_ptr_array_add (r->rows, g_string_free (row, FALSE));

  GString *csv = g_string_new (r->header);
  g_string_append_c (csv, '\n');
  for (guint i = 0; i < r->rows->len; i++)
    {
      g_string_append (csv, r->rows->pdata[i]);
      g_string_append_c (csv, '\n');
    }
  g_autofree char *csv_path = g_build_filename (r->dir, SRL_RUN_PROGRESS, NULL);
  gboolean ok = srl_write_file_atomic (csv_path, csv->str, csv->len, error);
  g_string_free (csv, TRUE);
  if (!ok)
    return FALSE;

  g_autofree char *eval_text = eval.n ? g_strdup_printf ("%.1f", srl_returns_mean (&eval)) : g_strdup ("-");
  g_autofree char *train_text = r->epoch_episodes ? g_strdup_printf ("%.1f", r->epoch_return_sum / r->epoch_episodes)
                                                  : g_strdup ("-");
  run_log (r, "epoch %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT ": steps %" G_GINT64_FORMAT ", train return %s, "
              "eval return %s, %.0f updates/s, %.0f s",
           r->epoch + 1, r->epochs, r->total_steps, train_text, eval_text,
           r->epoch_update_seconds > 0 ? r->epoch_updates / r->epoch_update_seconds : 0.0, wall);

  if (r->agent->descriptor->end_epoch)
    r->agent->descriptor->end_epoch (r->agent->algorithm, (guint) r->epoch);
  r->epoch++;
  r->step_in_epoch = 0;
  r->epoch_return_sum = 0;
  r->epoch_episodes = 0;
  r->epoch_updates = 0;
  r->epoch_update_seconds = 0;
  memset (r->stat_sums, 0, r->n_stats * sizeof (double));
  if (r->epoch >= r->epochs || (r->checkpoint_interval > 0 && r->epoch % r->checkpoint_interval == 0))
    return srl_run_save_checkpoint (r, error);
  return TRUE;
}

SrlRunResult
srl_run_train (SrlRun *r, GError **error)
{
  /* An offline run's loop counts updates where an online run counts
   * environment steps. */
  gboolean offline = r->offline_updates > 0;
  gint64 per_epoch = offline ? r->offline_updates : r->steps_per_epoch;
  r->started = srl_now ();
  r->steps_at_start = offline ? r->total_updates : r->total_steps;
  if (r->epoch == 0 && r->step_in_epoch == 0)
    {
      if (offline)
        run_log (r, "run %s: %s on %s, offline: %" G_GINT64_FORMAT " epochs of %" G_GINT64_FORMAT
                    " updates on %" G_GSIZE_FORMAT " saved transitions, no environment steps, seed %" G_GUINT64_FORMAT,
                 r->dir, r->x->algorithm_descriptor->info.name, r->x->env_descriptor->info.name, r->epochs, per_epoch,
                 srl_replay_size (r->replay), r->seed);
      else
        run_log (r, "run %s: %s on %s, %" G_GINT64_FORMAT " epochs of %" G_GINT64_FORMAT " steps, seed %" G_GUINT64_FORMAT,
                 r->dir, r->x->algorithm_descriptor->info.name, r->x->env_descriptor->info.name, r->epochs, per_epoch,
                 r->seed);
    }
  /* Per process, since a resumed run may run on another machine or thread
   * count: what its wall-clock figures were measured with. */
  guint threads = srl_parallel_get_threads ();
  run_log (r, "this process: %u thread%s on %s, softrl %s", threads, threads == 1 ? "" : "s", g_get_host_name (),
           PACKAGE_VERSION);
  g_autoptr (GError) local = NULL;
  double last_line = 0;
  while (r->epoch < r->epochs)
    {
      while (r->step_in_epoch < per_epoch)
        {
          gboolean forced = r->options.interrupt_after_steps > 0
                            && (offline ? r->total_updates : r->total_steps) >= r->options.interrupt_after_steps;
          if (stop_requested || forced)
            {
              srl_console_clear (&r->console);
              if (!srl_run_save_checkpoint (r, &local))
                goto failed;
              write_status (r, "interrupted");
              run_log (r, "interrupted at %s %" G_GINT64_FORMAT "; checkpoint written; continue with "
                          "`softrl run --resume %s`", offline ? "update" : "step",
                       offline ? r->total_updates : r->total_steps, r->dir);
              return SRL_RUN_INTERRUPTED;
            }
          if (!(offline ? run_updates (r, 1, &local) : train_step (r, &local)))
            goto failed;
          r->step_in_epoch++;
          double now = srl_now ();
          if (now - last_line > 0.5)
            {
              progress_line (r);
              last_line = now;
            }
        }
      if (!end_epoch (r, &local))
        goto failed;
    }
  srl_console_clear (&r->console);
  write_status (r, "finished");
  run_log (r, "finished: %s (progress.csv, policy.safetensors, log.txt)", r->dir);
  return SRL_RUN_FINISHED;

failed:
  srl_console_clear (&r->console);
  {
    g_autofree char *status = g_strdup_printf ("failed: %s", local->message);
    write_status (r, status);
    run_log (r, "error: %s", local->message);
  }
  g_propagate_error (error, g_steal_pointer (&local));
  return SRL_RUN_FAILED;
}

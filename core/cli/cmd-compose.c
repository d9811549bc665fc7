/* softrl compose: a policy for a combined task from soft Q-functions trained
 * for its parts (thesis chapter 6).
 *
 * The command writes an experiment and runs it with the ordinary runner:
 * the first constituent's resolved configuration, with
 *   [experiment] replay_from = the constituents (their replay buffers, united)
 *                offline_updates = updates per epoch, no environment steps
 *   [algorithm]  compose_from = the constituents, compose_mode = mean | sum
 * so the sql algorithm trains a fresh sampler toward exp(Q_Σ/α) with
 * Q_Σ the mean (Equation 6.2) or sum of the constituents' soft Q-functions.
 * The result is an ordinary run directory: `softrl eval` and `softrl
 * figure` read it, `softrl run --resume` continues it.  The sql plugin
 * refuses constituents whose spaces differ; nothing is left behind then. */
#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

/* Transitions in the replay buffer saved by run `dir`'s checkpoint. */
static gboolean
saved_transitions (const char *dir, gint64 *n, GError **error)
{
  g_autofree char *path = g_build_filename (dir, SRL_RUN_CHECKPOINT, NULL);
  g_autoptr (SrlStateReader) r = srl_state_reader_open (path, error);
  return r && srl_state_reader_get_count (r, SRL_CHECKPOINT_REPLAY "size", 0, SRL_STATE_MAX_COUNT, n, error);
}

/* Remove what this command put into `dir` (which it created). */
static void
remove_attempt (const char *dir)
{
  const char *names[] = { SRL_RUN_COMPOSITION, SRL_RUN_LOG, SRL_RUN_CONFIG, SRL_RUN_STATUS, SRL_RUN_LOCK };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

int
srl_cmd_compose (int argc, char **argv)
{
  g_autofree char *out = NULL, *mode = NULL;
  gint64 epochs = 10, updates = 1000, seed = G_MININT64; /* G_MININT64: no --seed */
  gboolean quiet = FALSE;
  g_auto (GStrv) sets = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "run directory of the composed policy (required)", "DIR" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode, "mean (Equation 6.2, the default) or sum of the Q-functions", "MODE" },
    { "epochs", 0, 0, G_OPTION_ARG_INT64, &epochs, "epochs of offline training (default 10)", "N" },
    { "updates", 0, 0, G_OPTION_ARG_INT64, &updates, "sampler updates per epoch (default 1000)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "seed (default: the first constituent's)", "N" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "override a parameter, e.g. env.target_y=-1 for evaluation",
      "GROUP.KEY=VALUE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no progress on stderr", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("RUNDIR RUNDIR... --out DIR");
  g_option_context_set_summary (
    ctx, "Compose sql runs (thesis chapter 6): train a new sampler offline, on the union of the runs'\n"
         "replay buffers and without environment steps, to sample from exp(Q_sum / alpha) where Q_sum\n"
         "is the mean (or sum) of the runs' soft Q-functions.  The environment and the sampler's\n"
         "settings are the first run's; --set changes them (say, the environment's reward for evaluation).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("compose: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  if (argc < 3 || !out || epochs < 1 || updates < 1)
    {
      srl_cli_error ("compose: give two or more run directories, --out DIR, and --epochs/--updates ≥ 1");
      return SRL_EXIT_USAGE;
    }
  if (mode && strcmp (mode, "mean") != 0 && strcmp (mode, "sum") != 0)
    {
      srl_cli_error ("compose: --mode %s: expected mean or sum", mode);
      return SRL_EXIT_USAGE;
    }
  /* What compose sets itself: a --set of it would contradict the command
   * line (and the "0 environment steps" it reports). */
  static const struct {
    const char *key, *instead;
  } owned[] = {
    { "experiment.epochs", "--epochs" },         { "experiment.offline_updates", "--updates" },
    { "experiment.seed", "--seed" },             { "experiment.name", "--out" },
    { "experiment.replay_from", "the run directories" }, { "experiment.replay_capacity", "the runs' transitions" },
    { "algorithm.compose_from", "the run directories" }, { "algorithm.compose_mode", "--mode" },
    { "algorithm.init_from", NULL },             { "algorithm.anneal_epochs", NULL },
    { "algorithm.fixed_noise_samples", NULL },
  };
  for (guint k = 0; sets && sets[k]; k++)
    {
      g_auto (GStrv) key_value = g_strsplit (sets[k], "=", 2);
      g_strstrip (key_value[0]);
      for (guint o = 0; o < G_N_ELEMENTS (owned); o++)
        if (strcmp (key_value[0], owned[o].key) == 0)
          {
            if (owned[o].instead)
              srl_cli_error ("compose: --set %s: compose sets %s itself, from %s", sets[k], owned[o].key,
                             owned[o].instead);
            else
              srl_cli_error ("compose: --set %s: compose sets %s itself", sets[k], owned[o].key);
            return SRL_EXIT_USAGE;
          }
    }
  g_autofree char *existing = g_build_filename (out, SRL_RUN_CONFIG, NULL);
  if (g_file_test (existing, G_FILE_TEST_EXISTS))
    {
      srl_cli_error ("compose: %s already holds a run; choose another --out", out);
      return SRL_EXIT_USAGE;
    }

  g_autoptr (SrlRegistry) registry = srl_cli_registry (FALSE);
  /* The constituents, as absolute paths, and the transitions they saved. */
  guint n = (guint) argc - 1;
  g_autoptr (GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  gint64 transitions = 0;
  g_autoptr (GKeyFile) first = g_key_file_new ();
  g_autofree char *alpha = NULL;
  for (guint i = 0; i < n; i++)
    {
      char *dir = g_canonicalize_filename (argv[i + 1], NULL);
      g_ptr_array_add (dirs, dir);
      g_autofree char *config = g_build_filename (dir, SRL_RUN_CONFIG, NULL);
      g_autoptr (GKeyFile) kf = g_key_file_new ();
      gint64 saved = 0;
      if (!g_key_file_load_from_file (kf, config, G_KEY_FILE_KEEP_COMMENTS, &error))
        {
          srl_cli_error ("compose: %s: not a run directory (%s)", argv[i + 1], error->message);
          return SRL_EXIT_USAGE;
        }
      /* Only an algorithm with soft Q-functions to add takes compose_from. */
      g_autofree char *algorithm = g_key_file_get_string (kf, "algorithm", "plugin", NULL);
      const SrlPluginInfo *info = algorithm ? srl_registry_lookup (registry, SRL_KIND_ALGORITHM, algorithm) : NULL;
      gboolean composes = FALSE;
      for (const SrlParamSpec *p = info ? info->params : NULL; p && p->name; p++)
        composes |= strcmp (p->name, "compose_from") == 0;
      if (!composes)
        {
          srl_cli_error ("compose: %s was trained by %s, which has no soft Q-functions to compose; give sql runs",
                         argv[i + 1], algorithm ? algorithm : "an unknown algorithm");
          return SRL_EXIT_USAGE;
        }
      if (!saved_transitions (dir, &saved, &error))
        {
          srl_cli_error ("compose: %s", error->message);
          return srl_cli_status (error);
        }
      transitions += saved;
      /* Equation 6.2 adds Q-functions of one temperature. */
      g_autofree char *a = g_key_file_get_value (kf, "algorithm", "alpha", NULL);
      if (i == 0)
        {
          alpha = g_strdup (a);
          if (!g_key_file_load_from_file (first, config, G_KEY_FILE_KEEP_COMMENTS, &error))
            {
              srl_cli_error ("compose: %s", error->message);
              return SRL_EXIT_USAGE;
            }
        }
      else if (g_strcmp0 (a, alpha) != 0)
        {
          gboolean chosen = FALSE;
          for (guint k = 0; sets && sets[k]; k++)
            chosen |= g_str_has_prefix (sets[k], "algorithm.alpha=");
          if (!chosen)
            {
              srl_cli_error ("compose: %s was trained with alpha = %s, %s with alpha = %s; choose the composed "
                             "policy's temperature with --set algorithm.alpha=VALUE",
                             argv[1], alpha ? alpha : "?", argv[i + 1], a ? a : "?");
              return SRL_EXIT_USAGE;
            }
        }
    }
  g_ptr_array_add (dirs, NULL);
  g_autofree char *joined = g_strjoinv (";", (char **) dirs->pdata);

  /* The experiment: the first constituent's, made offline and composing. */
  g_autofree char *name = g_path_get_basename (out);
  g_key_file_set_string (first, "experiment", "name", name);
  g_key_file_set_int64 (first, "experiment", "epochs", epochs);
  g_key_file_set_int64 (first, "experiment", "offline_updates", updates);
  g_key_file_set_string (first, "experiment", "replay_from", joined);
  g_key_file_set_int64 (first, "experiment", "replay_capacity", MAX (transitions, 1));
  if (seed != G_MININT64) /* checked with experiment.seed's range */
    g_key_file_set_int64 (first, "experiment", "seed", seed);
  g_key_file_set_string (first, "algorithm", "compose_from", joined);
  g_key_file_set_string (first, "algorithm", "compose_mode", mode ? mode : "mean");
  g_key_file_set_string (first, "algorithm", "init_from", "");
  g_key_file_set_int64 (first, "algorithm", "anneal_epochs", 0);
  g_key_file_set_int64 (first, "algorithm", "fixed_noise_samples", 0);
  gboolean created = !g_file_test (out, G_FILE_TEST_IS_DIR);
  if (g_mkdir_with_parents (out, 0755) != 0)
    {
      srl_cli_error ("compose: %s: cannot create: %s", out, g_strerror (errno));
      return SRL_EXIT_FAILED;
    }
  g_autofree char *ini = g_build_filename (out, SRL_RUN_COMPOSITION, NULL);
  g_autofree char *text = g_key_file_to_data (first, NULL, NULL);
  g_autofree char *header = g_strdup_printf ("# Written by `softrl compose`: the composition of\n#   %s\n"
                                             "# trained offline on their replay buffers (thesis chapter 6).\n%s",
                                             joined, text);
  if (!srl_write_file_atomic (ini, header, -1, &error))
    {
      srl_cli_error ("compose: %s", error->message);
      return SRL_EXIT_FAILED;
    }

  SrlRunOptions options = { .out_dir = out, .quiet = quiet };
  g_autoptr (SrlRun) run = NULL;
  SrlExperiment *x = srl_experiment_load (registry, ini, (const char *const *) sets, &error);
  if (x)
    run = srl_run_new (registry, x, &options, &error);
  if (!run)
    {
      if (created)
        remove_attempt (out);
      srl_cli_error ("%s", error->message);
      return srl_cli_status (error);
    }
  g_autofree char *note = g_strdup_printf (" (composed from %u runs, 0 environment steps)", n);
  return srl_cli_train (run, note);
}

/* Every shipped experiment file loads: its plugins exist, every key is
 * declared and in range, and its environment and algorithm can be created
 * (hierarchies and fine-tuning examples, which need saved runs, only as far
 * as the missing run directory).  And every one trains a short epoch with
 * its own networks and sizes: a few dozen updates and an evaluation episode,
 * which is where a workspace sized for one environment's shapes would break
 * on another's.  The sweep files are checked by tests/test-sweep.c. */
#include "runner.h"
#include "testutil.h"

/* The paths of the shipped experiment files, sweeps left out. */
static GPtrArray *
experiment_files (void)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir_path = g_build_filename (SRL_ABS_TOP_SRCDIR, "experiments", NULL);
  GDir *dir = g_dir_open (dir_path, 0, NULL);
  g_assert_nonnull (dir);
  const char *name;
  while ((name = g_dir_read_name (dir)))
    {
      if (!g_str_has_suffix (name, ".ini"))
        continue;
      char *path = g_build_filename (dir_path, name, NULL);
      g_autoptr (GKeyFile) kf = g_key_file_new ();
      g_assert_true (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL));
      if (g_key_file_has_group (kf, "sweep"))
        g_free (path);
      else
        g_ptr_array_add (paths, path);
    }
  g_dir_close (dir);
  return paths;
}

static void
test_every_experiment_loads (void)
{
  g_autoptr (SrlRegistry) registry = srl_registry_new ();
  srl_registry_load_default (registry);
  g_autoptr (GPtrArray) paths = experiment_files ();
  guint loaded = 0;
  GString *failures = g_string_new (NULL);
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *name = g_path_get_basename (path);
      GError *error = NULL;
      g_autoptr (SrlExperiment) x = srl_experiment_load (registry, path, NULL, &error);
      g_autoptr (SrlEnv) env = x ? srl_env_new (srl_experiment_env (x), srl_experiment_section (x, "env"), &error) : NULL;
      g_autoptr (SrlAgent) agent = env ? srl_agent_new (registry, x, srl_env_spec (env), 1, &error) : NULL;
      if (error && strstr (error->message, "not a run directory"))
        {
          g_test_message ("%s: needs a saved run (%s)", name, error->message);
          g_clear_error (&error);
        }
      if (error)
        {
          g_string_append_printf (failures, "  %s\n", error->message);
          g_clear_error (&error);
          continue;
        }
      loaded++;
    }
  g_test_message ("%u experiment files loaded", loaded);
  if (failures->len)
    g_error ("experiment files that do not load:\n%s", failures->str);
  g_string_free (failures, TRUE);
  g_assert_cmpuint (loaded, >=, 40);
}

/* The experiments as shipped, with only the run's length cut down. */
static void
test_every_experiment_trains (void)
{
  g_autoptr (SrlRegistry) registry = srl_registry_new ();
  srl_registry_load_default (registry);
  g_autoptr (GPtrArray) paths = experiment_files ();
  g_autofree char *tmp = srl_test_tmpdir ();
  const char *const short_run[] = { "experiment.epochs=1", "experiment.steps_per_epoch=120",
                                    "experiment.initial_random_steps=60", "experiment.min_replay_size=60",
                                    "experiment.eval_episodes=1", "experiment.replay_capacity=1000", NULL };
  guint trained = 0;
  GString *failures = g_string_new (NULL);
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *name = g_path_get_basename (path);
      GError *error = NULL;
      g_autofree char *out = g_build_filename (tmp, name, NULL);
      SrlRunOptions options = { out, 0, TRUE };
      SrlExperiment *x = srl_experiment_load (registry, path, short_run, &error);
      g_autoptr (SrlRun) run = x ? srl_run_new (registry, x, &options, &error) : NULL;
      SrlRunResult result = run ? srl_run_train (run, &error) : SRL_RUN_FAILED;
      if (error && strstr (error->message, "not a run directory"))
        {
          g_clear_error (&error);
          continue;
        }
      if (result != SRL_RUN_FINISHED)
        g_string_append_printf (failures, "  %s: %s\n", name, error ? error->message : "did not finish");
      else
        trained++;
      g_clear_error (&error);
    }
  srl_test_rmtree (tmp);
  g_test_message ("%u experiments trained a short epoch", trained);
  if (failures->len)
    g_error ("experiments that do not train:\n%s", failures->str);
  g_string_free (failures, TRUE);
  g_assert_cmpuint (trained, >=, 40);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/experiments/every-file-loads", test_every_experiment_loads);
  g_test_add_func ("/experiments/every-file-trains", test_every_experiment_trains);
  return g_test_run ();
}

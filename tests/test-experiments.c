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

/* One shipped experiment file through one check: TRUE when it passed,
 * FALSE with `error` set otherwise. */
typedef gboolean (*ExperimentCheck) (SrlRegistry *registry, const char *path, const char *name, gpointer data,
                                     GError **error);

/* Every experiment file through `check`: the files that need a saved run
 * (they refuse with "not a run directory") are passed over, every other
 * failure is listed, and at least 40 files must pass. */
static void
check_every_experiment (const char *what, ExperimentCheck check, gpointer data)
{
  g_autoptr (SrlRegistry) registry = srl_registry_new ();
  srl_registry_load_default (registry);
  g_autoptr (GPtrArray) paths = experiment_files ();
  guint passed = 0;
  GString *failures = g_string_new (NULL);
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autofree char *name = g_path_get_basename (path);
      GError *error = NULL;
      if (check (registry, path, name, data, &error))
        passed++;
      else if (error && strstr (error->message, "not a run directory"))
        g_test_message ("%s: needs a saved run (%s)", name, error->message);
      else
        g_string_append_printf (failures, "  %s: %s\n", name, error ? error->message : "failed");
      g_clear_error (&error);
    }
  g_test_message ("%u experiment files %s", passed, what);
  if (failures->len)
    g_error ("experiment files that fail (%s):\n%s", what, failures->str);
  g_string_free (failures, TRUE);
  g_assert_cmpuint (passed, >=, 40);
}

static gboolean
loads (SrlRegistry *registry, const char *path, const char *name, gpointer data, GError **error)
{
  (void) name, (void) data;
  g_autoptr (SrlExperiment) x = srl_experiment_load (registry, path, NULL, error);
  g_autoptr (SrlEnv) env = x ? srl_env_new (srl_experiment_env (x), srl_experiment_section (x, "env"), error) : NULL;
  g_autoptr (SrlAgent) agent = env ? srl_agent_new (registry, x, srl_env_spec (env), 1, error) : NULL;
  return agent != NULL;
}

static void
test_every_experiment_loads (void)
{
  check_every_experiment ("loaded", loads, NULL);
}

/* The experiments as shipped, with only the run's length cut down; `data`
 * is the folder for the runs. */
static gboolean
trains (SrlRegistry *registry, const char *path, const char *name, gpointer data, GError **error)
{
  const char *const short_run[] = { "experiment.epochs=1", "experiment.steps_per_epoch=120",
                                    "experiment.initial_random_steps=60", "experiment.min_replay_size=60",
                                    "experiment.eval_episodes=1", "experiment.replay_capacity=1000", NULL };
  g_autofree char *out = g_build_filename (data, name, NULL);
  SrlRunOptions options = { out, 0, TRUE };
  SrlExperiment *x = srl_experiment_load (registry, path, short_run, error);
  g_autoptr (SrlRun) run = x ? srl_run_new (registry, x, &options, error) : NULL;
  SrlRunResult result = run ? srl_run_train (run, error) : SRL_RUN_FAILED;
  if (result != SRL_RUN_FINISHED && error && !*error)
    g_set_error_literal (error, SRL_ERROR, SRL_ERROR_NUMERIC, "did not finish");
  return result == SRL_RUN_FINISHED;
}

static void
test_every_experiment_trains (void)
{
  g_autofree char *tmp = srl_test_tmpdir ();
  check_every_experiment ("trained a short epoch", trains, tmp);
  srl_test_rmtree (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/experiments/every-file-loads", test_every_experiment_loads);
  g_test_add_func ("/experiments/every-file-trains", test_every_experiment_trains);
  return g_test_run ();
}

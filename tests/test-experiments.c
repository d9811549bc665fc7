/* Every shipped experiment file loads: its plugins exist, every key is
 * declared and in range, and its environment and algorithm can be created
 * (hierarchies and fine-tuning examples, which need saved runs, only as far
 * as the missing run directory).  The sweep files are checked by
 * tests/test-sweep.c. */
#include "runner.h"
#include "testutil.h"

static void
test_every_experiment_loads (void)
{
  g_autoptr (SrlRegistry) registry = srl_registry_new ();
  srl_registry_load_default (registry);
  g_autofree char *dir_path = g_build_filename (SRL_ABS_TOP_SRCDIR, "experiments", NULL);
  GDir *dir = g_dir_open (dir_path, 0, NULL);
  g_assert_nonnull (dir);
  const char *name;
  guint loaded = 0;
  GString *failures = g_string_new (NULL);
  while ((name = g_dir_read_name (dir)))
    {
      if (!g_str_has_suffix (name, ".ini"))
        continue;
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autoptr (GKeyFile) kf = g_key_file_new ();
      g_assert_true (g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL));
      if (g_key_file_has_group (kf, "sweep"))
        continue;
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
  g_dir_close (dir);
  g_test_message ("%u experiment files loaded", loaded);
  if (failures->len)
    g_error ("experiment files that do not load:\n%s", failures->str);
  g_string_free (failures, TRUE);
  g_assert_cmpuint (loaded, >=, 40);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/experiments/every-file-loads", test_every_experiment_loads);
  return g_test_run ();
}

/* The plugin registry: every way a file can be refused, and duplicates. */
#include "testutil.h"

static char *
test_plugin (const char *name)
{
  const char *dir = g_getenv ("SOFTRL_TEST_PLUGINS");
  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

static void
expect_refusal (SrlRegistry *r, const char *file, const char *fragment)
{
  g_autofree char *path = test_plugin (file);
  GError *error = NULL;
  g_assert_false (srl_registry_load_file (r, path, &error));
  g_assert_error (error, SRL_ERROR, SRL_ERROR_PLUGIN);
  if (!strstr (error->message, path) || !strstr (error->message, fragment))
    g_error ("expected the file and \"%s\" in: %s", fragment, error->message);
  g_clear_error (&error);
}

static void
test_duplicates (void)
{
  g_autoptr (SrlRegistry) r = srl_registry_new ();
  g_autofree char *a = test_plugin ("toy-a.so");
  g_autofree char *b = test_plugin ("toy-b.so");
  GError *error = NULL;
  g_assert_true (srl_registry_load_file (r, a, &error));
  g_assert_no_error (error);
  /* The same descriptor from another file: accepted, changes nothing. */
  g_assert_true (srl_registry_load_file (r, b, &error));
  g_assert_no_error (error);
  const SrlPluginInfo *toy = srl_registry_lookup (r, SRL_KIND_ENV, "toy");
  g_assert_nonnull (toy);
  g_assert_cmpstr (srl_registry_file (r, toy), ==, a);
  /* The same name, described differently: refused, naming both files. */
  expect_refusal (r, "toy-conflict.so", "already registered differently");
  g_autofree char *conflict = test_plugin ("toy-conflict.so");
  error = NULL;
  srl_registry_load_file (r, conflict, &error);
  g_assert_nonnull (strstr (error->message, a));
  g_clear_error (&error);
  g_assert_cmpstr (srl_registry_lookup (r, SRL_KIND_ENV, "toy")->doc, ==, toy->doc);
}

static void
test_refusals (void)
{
  g_autoptr (SrlRegistry) r = srl_registry_new ();
  g_autofree char *major = g_strdup_printf ("ABI 2.%d", SRL_ABI_MINOR);
  expect_refusal (r, "abi-major.so", major);
  expect_refusal (r, "abi-major.so", "major versions differ");
  expect_refusal (r, "abi-minor.so", "ABI 1.99, newer than this softrl");
  expect_refusal (r, "no-entry.so", "no entry point srl_plugin_init");
  /* Refused by its exported ABI constant: its entry point (which aborts)
   * never runs. */
  expect_refusal (r, "abi-early.so", "refused before running it: built for softrl ABI 2.0");
  expect_refusal (r, "failing.so", "the toy resource is missing");
  /* A file that is not a shared object at all. */
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *fake = srl_test_write (dir, "fake.so", "this is not an ELF file\n");
  GError *error = NULL;
  g_assert_false (srl_registry_load_file (r, fake, &error));
  g_assert_error (error, SRL_ERROR, SRL_ERROR_PLUGIN);
  g_assert_nonnull (strstr (error->message, fake));
  g_assert_nonnull (strstr (error->message, "not a softrl plugin"));
  g_clear_error (&error);
  /* Nothing of a refused file is registered. */
  g_assert_null (srl_registry_lookup (r, SRL_KIND_ENV, "toy"));
  srl_test_rmtree (dir);
}

static void
test_directory_scan_records_refusals (void)
{
  g_autoptr (SrlRegistry) r = srl_registry_new ();
  srl_registry_load_dir (r, g_getenv ("SOFTRL_TEST_PLUGINS"));
  guint n;
  const char *const *refused = srl_registry_refusals (r, &n);
  /* abi-early, abi-major, abi-minor, failing, no-entry and toy-conflict
   * (toy-a comes first). */
  g_assert_cmpuint (n, ==, 6);
  for (guint i = 0; i < n; i++)
    g_assert_nonnull (strstr (refused[i], g_getenv ("SOFTRL_TEST_PLUGINS")));
  g_assert_nonnull (srl_registry_lookup (r, SRL_KIND_ENV, "toy"));
}

static gpointer
bad_create (const SrlSection *p, GError **error)
{
  return NULL;
}

static void bad_destroy (gpointer p) {}
static const SrlEnvSpec *bad_spec (gpointer p) { return NULL; }
static void bad_reset (gpointer p, SrlRng *rng, double *obs) {}
static SrlStepStatus bad_step (gpointer p, SrlRng *rng, const double *a, double *o, double *r) { return 0; }
static void bad_save (gpointer p, SrlStateWriter *w) {}
static gboolean bad_load (gpointer p, const SrlStateReader *r, GError **e) { return TRUE; }

static void
test_malformed_descriptors (void)
{
  g_autoptr (SrlRegistry) r = srl_registry_new ();
  static const SrlParamSpec bad_default[] = {
    SRL_PARAM_INT ("n", "lots", 0, 10, "a number with a non-numeric default"),
    SRL_PARAM_END
  };
  static const SrlEnvDescriptor missing_functions = {
    .info = SRL_PLUGIN_INFO (SRL_KIND_ENV, SrlEnvDescriptor, "broken", "no functions", NULL),
    .create = bad_create,
  };
  static const SrlEnvDescriptor bad_name = {
    .info = SRL_PLUGIN_INFO (SRL_KIND_ENV, SrlEnvDescriptor, "Bad Name", "doc", NULL),
  };
  SrlEnvDescriptor bad_params = {
    .info = SRL_PLUGIN_INFO (SRL_KIND_ENV, SrlEnvDescriptor, "params", "a bad default", bad_default),
    .create = bad_create, .destroy = bad_destroy, .spec = bad_spec, .reset = bad_reset, .step = bad_step,
    .save = bad_save, .load = bad_load,
  };
  GError *error = NULL;
  g_assert_false (srl_registry_add (r, &missing_functions.info, &error));
  g_assert_nonnull (strstr (error->message, "required function"));
  g_clear_error (&error);
  g_assert_false (srl_registry_add (r, &bad_name.info, &error));
  g_assert_nonnull (strstr (error->message, "lower-case"));
  g_clear_error (&error);
  g_assert_false (srl_registry_add (r, &bad_params.info, &error));
  g_assert_nonnull (strstr (error->message, "default of n"));
  g_clear_error (&error);
}

/* An environment descriptor of ABI 1.0 ends before the fields 1.1 appended
 * (bench_baseline): it is accepted, and the core never reads past it. */
static SrlEnvSpec old_spec = { 1, 1, NULL, NULL, 10, NULL };
static double old_bound[2] = { -1, 1 };
static gpointer old_create (const SrlSection *p, GError **error) { return &old_spec; }
static const SrlEnvSpec *old_spec_of (gpointer p) { return &old_spec; }

static void
test_abi_1_0_environment (void)
{
  g_autoptr (SrlRegistry) r = srl_registry_new ();
  old_spec.act_low = &old_bound[0];
  old_spec.act_high = &old_bound[1];
  /* Filled like a 1.0 plugin: the appended field lies beyond `size`, so
   * whatever it holds (here a bogus pointer) must be ignored. */
  static SrlEnvDescriptor old = {
    .info = { .abi_major = 1, .abi_minor = 0, .size = SRL_ENV_DESCRIPTOR_SIZE_1_0, .kind = SRL_KIND_ENV,
              .name = "old-env", .doc = "an ABI 1.0 environment" },
    .create = old_create, .destroy = bad_destroy, .spec = old_spec_of, .reset = bad_reset, .step = bad_step,
    .save = bad_save, .load = bad_load,
  };
  old.bench_baseline = (gpointer) 0x1;
  GError *error = NULL;
  g_assert_true (srl_registry_add (r, &old.info, &error));
  g_assert_no_error (error);
  g_autoptr (SrlEnv) env = srl_env_new (&old, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (srl_env_has_bench_baseline (env));
  SrlRng rng;
  srl_rng_init (&rng, 1);
  g_assert_cmpuint (srl_env_bench_baseline (env, &rng, 10), ==, 0);
  /* Nor the render entries (ABI 1.2), here bogus too. */
  old.render_setup = (gpointer) 0x1;
  old.render = (gpointer) 0x1;
  g_assert_false (srl_env_can_render (env));
  g_assert_false (srl_env_render_setup (env, 64, 48, NULL, &error));
  g_assert_error (error, SRL_ERROR, SRL_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "old-env"));
  g_clear_error (&error);
  /* Shorter than 1.0: refused. */
  static SrlEnvDescriptor truncated;
  truncated = old;
  truncated.info.name = "truncated-env";
  truncated.info.size = SRL_ENV_DESCRIPTOR_SIZE_1_0 - sizeof (gpointer);
  g_assert_false (srl_registry_add (r, &truncated.info, &error));
  g_assert_nonnull (strstr (error->message, "expected at least"));
  g_clear_error (&error);
}

static void
test_default_path_finds_build_tree (void)
{
  g_autoptr (SrlRegistry) r = srl_registry_new ();
  srl_registry_load_default (r);
  guint n;
  srl_registry_refusals (r, &n);
  g_assert_cmpuint (n, ==, 0);
  g_assert_nonnull (srl_registry_lookup (r, SRL_KIND_ALGORITHM, "sac"));
  g_assert_nonnull (srl_registry_lookup (r, SRL_KIND_ALGORITHM, "sac-auto"));
  g_assert_nonnull (srl_registry_lookup (r, SRL_KIND_SAMPLER, "gaussian"));
  g_assert_nonnull (srl_registry_lookup (r, SRL_KIND_ENV, "pendulum"));
  g_assert_nonnull (srl_registry_lookup (r, SRL_KIND_ENV, "multigoal"));
  g_assert_cmpstr (srl_registry_closest (r, SRL_KIND_ENV, "pendulm"), ==, "pendulum");
  g_assert_null (srl_registry_closest (r, SRL_KIND_ENV, "humanoid-on-mars"));
}

static void
test_cli_lists_and_refuses (void)
{
  g_setenv ("SOFTRL_PLUGIN_PATH", g_getenv ("SOFTRL_TEST_PLUGINS"), TRUE);
  g_autofree char *out = NULL;
  int status = srl_test_run (NULL, &out, NULL, "plugins", NULL);
  g_unsetenv ("SOFTRL_PLUGIN_PATH");
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (out, "environment toy"));
  g_assert_nonnull (strstr (out, "refused"));
  g_assert_nonnull (strstr (out, "abi-major.so"));
  /* Asked for by name, a refused file says why it was refused. */
  g_autofree char *why = NULL;
  g_setenv ("SOFTRL_PLUGIN_PATH", g_getenv ("SOFTRL_TEST_PLUGINS"), TRUE);
  status = srl_test_run (NULL, NULL, &why, "plugins", "abi-minor", NULL);
  g_unsetenv ("SOFTRL_PLUGIN_PATH");
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (why, "no plugin named \"abi-minor\": its file was refused"));
  g_assert_nonnull (strstr (why, "ABI 1.99, newer than this softrl"));
  g_autofree char *listing = NULL;
  g_assert_cmpint (srl_test_run (NULL, &listing, NULL, "plugins", NULL), ==, 0);
  g_assert_nonnull (strstr (listing, "algorithm   sac-auto"));
  g_assert_nonnull (strstr (listing, "sac.so"));
  g_autofree char *params = NULL;
  g_assert_cmpint (srl_test_run (NULL, &params, NULL, "plugins", "gaussian", NULL), ==, 0);
  g_assert_nonnull (strstr (params, "log_std_min (number) = -20"));
  g_assert_nonnull (strstr (params, "density: yes"));
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "plugins", "gausian", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "did you mean \"gaussian\""));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/registry/duplicates", test_duplicates);
  g_test_add_func ("/registry/refusals", test_refusals);
  g_test_add_func ("/registry/directory-scan", test_directory_scan_records_refusals);
  g_test_add_func ("/registry/malformed-descriptors", test_malformed_descriptors);
  g_test_add_func ("/registry/abi-1.0-environment", test_abi_1_0_environment);
  g_test_add_func ("/registry/default-path", test_default_path_finds_build_tree);
  g_test_add_func ("/registry/cli", test_cli_lists_and_refuses);
  return g_test_run ();
}

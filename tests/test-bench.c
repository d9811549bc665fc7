/* softrl bench update: every algorithm's update runs under the benchmark
 * and reports what `make bench` and tools read from its JSON; bad requests
 * are refused with the reason and the usage exit status.  No rate is judged
 * here (the machines are shared): only that the numbers exist and are sane. */
#include "testutil.h"

static SrlRegistry *registry;

/* The number after "KEY": in a JSON line, or NAN when the key is absent. */
static double
json_number (const char *json, const char *key)
{
  g_autofree char *pattern = g_strdup_printf ("\"%s\":", key);
  const char *at = strstr (json, pattern);
  if (!at)
    return NAN;
  char *end;
  double v = g_ascii_strtod (at + strlen (pattern), &end);
  return end == at + strlen (pattern) ? NAN : v;
}

static void
test_update (gconstpointer data)
{
  const SrlAlgorithmDescriptor *ad = data;
  g_autofree char *out = NULL, *err = NULL;
  int status = srl_test_run (NULL, &out, &err, "bench", "update", "-a", ad->info.name, "--rounds", "1", "--seconds",
                             "0.02", "--json", NULL);
  if (status != 0)
    g_error ("softrl bench update -a %s: exit %d: %s", ad->info.name, status, err);
  g_autofree char *name = g_strdup_printf ("\"algorithm\":\"%s\"", ad->info.name);
  g_assert_nonnull (strstr (out, name));
  g_assert_nonnull (strstr (out, "\"blas\":\"OpenBLAS "));
  g_assert_cmpfloat (json_number (out, "updates_per_s"), >, 0);
  g_assert_cmpfloat (json_number (out, "sgemm_gflops"), >, 0);
  /* an algorithm that counts its matrix work gets a roofline */
  double fraction = json_number (out, "fraction_of_roofline");
  if (ad->update_flops)
    g_assert_cmpfloat (fraction, >, 0);
  else
    g_assert_cmpfloat (fraction, ==, 0);
  g_assert_true (isfinite (fraction));
}

/* bench products: a JSON line per layer shape, every rate positive and
 * finite, the libraries named. */
static void
test_products (void)
{
  g_autofree char *out = NULL, *err = NULL;
  int status = srl_test_run (NULL, &out, &err, "bench", "products", "--rounds", "1", "--seconds", "0.02", "--json",
                             NULL);
  if (status != 0)
    g_error ("softrl bench products: exit %d: %s", status, err);
  g_auto (GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  for (guint i = 0; lines[i]; i++)
    {
      g_assert_nonnull (strstr (lines[i], "\"benchmark\":\"products\""));
      g_assert_nonnull (strstr (lines[i], "products: "));
      static const char *const rates[] = { "forward_gflops", "forward_sgemm_gflops", "gradient_gflops",
                                           "gradient_sgemm_gflops", "input_gradient_gflops",
                                           "input_gradient_sgemm_gflops" };
      for (guint k = 0; k < G_N_ELEMENTS (rates); k++)
        {
          double v = json_number (lines[i], rates[k]);
          g_assert_true (isfinite (v) && v > 0);
        }
    }
}

/* Each refusal: exit status 2 and a message naming what was wrong. */
static void
test_refusals (void)
{
  static const struct {
    const char *args[7];
    const char *says;
  } cases[] = {
    { { "update", "-a", "nosuch" }, "no algorithm \"nosuch\"" },
    { { "update", "-a", "sac", "--sampler", "nosuch" }, "no sampler \"nosuch\"" },
    { { "update", "-a", "sac", "--sampler", "svgd" }, "algorithm \"sac\" needs a sampler with a tractable density" },
    { { "update", "-a", "lsp", "--sampler", "svgd" }, "algorithm \"lsp\" needs a sampler with" },
    { { "update", "-a", "ddpg", "--sampler", "gaussian" }, "algorithm \"ddpg\" takes no sampler" },
    { { "update", "-a", "sac", "--set", "algorithm.batch_size=abc" }, "[algorithm] batch_size: expected an integer" },
    { { "update", "-a", "sac", "--set", "batch_size=64" }, "--set batch_size=64: bench update takes algorithm.KEY" },
    { { "update", "-a", "ddpg", "--set", "sampler.hidden_sizes=8" }, "(algorithm \"ddpg\" takes no sampler)" },
    { { "update", "--threads", "5000" }, "--threads: expected 1 to 1024" },
    { { "update", "--obs", "100000000" }, "--obs: expected 1 to 65536" },
    { { "update", "--seconds", "nan" }, "--seconds: expected more than 0" },
    { { "torch", "--torch-script", "/nonexistent/torch_sac_update.py" },
      "--torch-script /nonexistent/torch_sac_update.py: no such file" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      const char *const *a = cases[i].args;
      int status = srl_test_run (NULL, &out, &err, "bench", "--rounds", "1", "--seconds", "0.02", a[0], a[1], a[2],
                                 a[3], a[4], a[5], a[6], NULL);
      g_autofree char *line = g_strjoinv (" ", (char **) a);
      if (status != 2 || !strstr (err, cases[i].says))
        g_error ("softrl bench %s: exit %d, said \"%s\"; expected 2 and \"%s\"", line, status, err, cases[i].says);
      g_assert_null (strstr (err, "CRITICAL"));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  registry = srl_registry_new ();
  srl_registry_load_default (registry);
  g_autoptr (GPtrArray) algorithms = srl_registry_list (registry, SRL_KIND_ALGORITHM);
  for (guint i = 0; i < algorithms->len; i++)
    {
      const SrlPluginInfo *info = g_ptr_array_index (algorithms, i);
      g_autofree char *path = g_strdup_printf ("/bench/update/%s", info->name);
      g_test_add_data_func (path, info, test_update);
    }
  g_test_add_func ("/bench/refusals", test_refusals);
  g_test_add_func ("/bench/products", test_products);
  int status = g_test_run ();
  srl_registry_free (registry);
  return status;
}

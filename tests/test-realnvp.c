/* The real NVP sampler beyond what conformance and density check (those use
 * |A| = 2 and the default two coupling layers):
 *   inverse      f⁻¹(f(h; s); s) = h within 1e-5, for |A| = 1, 2, 3, 5,
 *                1 to 3 coupling layers, with and without the tanh squash;
 *   log-det      log π(a|s) = log N(h) − log|det ∂a/∂h| with the Jacobian
 *                computed numerically (central differences, LU in double);
 *   gradients    dL/dφ and dL/ds against central differences (the
 *                conformance check) for 1 and 3 coupling layers, |A| = 5,
 *                tanh couplings, a linear embedding and bounded log-scales;
 *   options      squash = true/false overrides the shape; noise 0 is the
 *                deterministic action and inverts to 0. */
#include <float.h>
#include <math.h>

#include "testutil.h"

typedef struct {
  guint act_dim, layers;
  gboolean squash;
  const char *coupling_nl, *embedding_nl, *hidden, *coupling_hidden, *max_log_scale;
} Config;

static SrlRegistry *registry;

static SrlSampler *
make (const Config *c, guint obs_dim, guint rows, guint64 seed, SrlSection **section)
{
  const SrlSamplerDescriptor *d = (const void *) srl_registry_lookup (registry, SRL_KIND_SAMPLER, "realnvp");
  g_assert_nonnull (d);
  SrlSection *s = srl_section_new ("(test)", "sampler", "realnvp", d->info.params);
  g_autofree char *layers = g_strdup_printf ("%u", c->layers);
  GError *error = NULL;
  g_assert_true (srl_section_set (s, "coupling_layers", layers, "test", &error));
  g_assert_true (srl_section_set (s, "hidden_sizes", c->hidden ? c->hidden : "16;16", "test", &error));
  if (c->coupling_hidden)
    g_assert_true (srl_section_set (s, "coupling_hidden_sizes", c->coupling_hidden, "test", &error));
  if (c->coupling_nl)
    g_assert_true (srl_section_set (s, "coupling_nl", c->coupling_nl, "test", &error));
  if (c->embedding_nl)
    g_assert_true (srl_section_set (s, "embedding_nl", c->embedding_nl, "test", &error));
  if (c->max_log_scale)
    g_assert_true (srl_section_set (s, "max_log_scale", c->max_log_scale, "test", &error));
  srl_section_fill_defaults (s);
  SrlSamplerShape shape = { obs_dim, c->act_dim, rows, c->squash };
  SrlSamplerFactory factory = { d, s };
  SrlRng rng;
  srl_rng_init (&rng, seed);
  SrlSampler *sampler = srl_sampler_new (&factory, &shape, &rng, &error);
  g_assert_no_error (error);
  *section = s;
  return sampler;
}

static const Config configs[] = {
  { 1, 2, TRUE }, { 1, 2, FALSE }, { 2, 1, TRUE }, { 2, 3, FALSE }, { 3, 2, TRUE },
  { 3, 3, FALSE }, { 5, 2, TRUE }, { 5, 3, FALSE, "tanh", "linear", "32;32", "4" },
  { 2, 2, TRUE, NULL, NULL, NULL, NULL, "0.5" }, { 3, 2, FALSE, NULL, NULL, NULL, NULL, "0.5" },
};

static void
test_inverse (void)
{
  const guint n = 64, O = 3;
  for (guint c = 0; c < G_N_ELEMENTS (configs); c++)
    {
      const Config *cfg = &configs[c];
      const guint A = cfg->act_dim;
      SrlSection *section;
      g_autoptr (SrlSampler) s = make (cfg, O, n, 10 + c, &section);
      g_autofree float *obs = g_new (float, n * O), *h = g_new (float, n * A), *a = g_new (float, n * A);
      g_autofree float *back = g_new (float, n * A);
      SrlRng rng;
      srl_rng_init (&rng, c);
      srl_rng_fill_normal (&rng, obs, n * O);
      srl_rng_fill_normal (&rng, h, n * A);
      srl_sampler_sample (s, n, obs, h, a, NULL);
      g_assert_true (srl_sampler_inverse (s, n, obs, a, back));
      double worst = 0;
      guint kept = 0;
      for (guint i = 0; i < n; i++)
        {
          /* Near ±1, float's spacing of a leaves too few digits of
           * u = atanh(a) (d atanh/da = 1/(1 − a²)): rows with an action
           * within 1% of the bound are left out. */
          gboolean saturated = FALSE;
          for (guint j = 0; j < A; j++)
            saturated |= cfg->squash && fabsf (a[i * A + j]) > 0.99f;
          if (saturated)
            continue;
          kept++;
          for (guint j = 0; j < A; j++)
            worst = MAX (worst, fabs (back[i * A + j] - h[i * A + j]));
        }
      g_test_message ("|A| = %u, %u couplings, %s: max |f^-1(f(h)) - h| = %.2e over %u of %u rows", A, cfg->layers,
                      cfg->squash ? "squashed" : "latent", worst, kept, n);
      g_assert_cmpuint (kept, >=, n / 4);
      g_assert_cmpfloat (worst, <=, 1e-5);
      /* Deterministic mode: h = 0, and back. */
      memset (h, 0, n * A * sizeof (float));
      srl_sampler_sample (s, n, obs, h, a, NULL);
      srl_sampler_inverse (s, n, obs, a, back);
      for (guint i = 0; i < n * A; i++)
        g_assert_cmpfloat (fabsf (back[i]), <=, 1e-5);
      srl_section_free (section);
    }
}

/* log|det M| of an n×n matrix by LU with partial pivoting. */
static double
log_abs_det (double *m, guint n)
{
  double sum = 0;
  for (guint k = 0; k < n; k++)
    {
      guint p = k;
      for (guint i = k + 1; i < n; i++)
        if (fabs (m[i * n + k]) > fabs (m[p * n + k]))
          p = i;
      if (p != k)
        for (guint j = 0; j < n; j++)
          {
            double t = m[k * n + j];
            m[k * n + j] = m[p * n + j];
            m[p * n + j] = t;
          }
      sum += log (fabs (m[k * n + k]));
      for (guint i = k + 1; i < n; i++)
        {
          double f = m[i * n + k] / m[k * n + k];
          for (guint j = k; j < n; j++)
            m[i * n + j] -= f * m[k * n + j];
        }
    }
  return sum;
}

static void
test_log_det (void)
{
  const guint O = 3, rows = 24;
  const float step = 4e-3f;
  for (guint c = 0; c < G_N_ELEMENTS (configs); c++)
    {
      const Config *cfg = &configs[c];
      const guint A = cfg->act_dim, R = 4 * A + 1;
      SrlSection *section;
      g_autoptr (SrlSampler) s = make (cfg, O, R, 20 + c, &section);
      SrlRng rng;
      srl_rng_init (&rng, 100 + c);
      double worst = 0;
      guint compared = 0;
      for (guint r = 0; r < rows; r++)
        {
          /* Row 0: h; rows 1 + 4j …: h ± step e_j and h ± step/2 e_j. */
          float obs[21 * 3], h[21 * 5], a[21 * 5], logp[21];
          float o[3], h0[5];
          srl_rng_fill_normal (&rng, o, O);
          srl_rng_fill_normal (&rng, h0, A);
          for (guint i = 0; i < R; i++)
            {
              memcpy (obs + i * O, o, sizeof o);
              memcpy (h + i * A, h0, A * sizeof (float));
            }
          const float offsets[4] = { step, -step, step / 2, -step / 2 };
          for (guint j = 0; j < A; j++)
            for (guint k = 0; k < 4; k++)
              h[(1 + 4 * j + k) * A + j] += offsets[k];
          srl_sampler_sample (s, R, obs, h, a, logp);
          gboolean usable = TRUE;
          for (guint j = 0; j < A; j++)
            usable &= !cfg->squash || fabsf (a[j]) < 0.99f; /* tanh's differences lose their digits near ±1 */
          double jac[25], half[25], prior = 0;
          for (guint j = 0; j < A; j++)
            for (guint i = 0; i < A; i++)
              {
                const float *row = a + (1 + 4 * j) * A + i;
                jac[i * A + j] = ((double) row[0] - row[A]) / (2.0 * step);
                half[i * A + j] = ((double) row[2 * A] - row[3 * A]) / step;
                /* A ReLU kink between the points: the two steps disagree
                 * by more than their truncation and the rounding of a in
                 * float allow. */
                double rounding = 8 * FLT_EPSILON * (1 + fabs (row[0])) / step;
                usable &= fabs (jac[i * A + j] - half[i * A + j]) <= 3e-3 * (1 + fabs (jac[i * A + j])) + rounding;
              }
          if (!usable)
            continue;
          compared++;
          for (guint j = 0; j < A; j++)
            prior += -0.5 * h0[j] * h0[j] - 0.5 * log (2 * G_PI);
          double expected = prior - log_abs_det (jac, A);
          worst = MAX (worst, fabs (expected - logp[0]));
        }
      g_test_message ("|A| = %u, %u couplings, %s: max |log pi - (log N(h) - log|det J|)| = %.2e over %u of %u points",
                      A, cfg->layers, cfg->squash ? "squashed" : "latent", worst, compared, rows);
      g_assert_cmpuint (compared, >=, rows / 3);
      /* The finite differences of float actions carry the rounding of exp
       * and tanh, which run as vector functions within a few ulp: 2.2e-3 at
       * worst here (|A| = 3, three unbounded couplings; 1.35e-3 with libm's
       * scalar functions).  A wrong log-determinant is off by O(0.1). */
      g_assert_cmpfloat (worst, <, 3e-3);
      srl_section_free (section);
    }
}

/* Per-weight and per-observation central differences (the conformance
 * test's check) for the configurations conformance does not build. */
static void
test_gradients (void)
{
  const guint n = 5, O = 3;
  for (guint c = 0; c < G_N_ELEMENTS (configs); c++)
    {
      const Config *cfg = &configs[c];
      SrlSection *section;
      g_autoptr (SrlSampler) s = make (cfg, O, n, 30 + c, &section);
      SrlRng rng;
      srl_rng_init (&rng, 200 + c);
      float obs[5 * 3], noise[5 * 5];
      srl_rng_fill_normal (&rng, obs, n * O);
      srl_rng_fill_normal (&rng, noise, n * cfg->act_dim);
      g_autofree char *name = g_strdup_printf ("realnvp, %u couplings, %s%s%s%s%s", cfg->layers,
                                               cfg->squash ? "squashed" : "latent", cfg->coupling_nl ? ", " : "",
                                               cfg->coupling_nl ? cfg->coupling_nl : "",
                                               cfg->max_log_scale ? ", max_log_scale " : "",
                                               cfg->max_log_scale ? cfg->max_log_scale : "");
      srl_test_sampler_gradients (s, n, obs, noise, &rng, name);
      srl_section_free (section);
    }
}

static void
test_squash_option (void)
{
  const SrlSamplerDescriptor *d = (const void *) srl_registry_lookup (registry, SRL_KIND_SAMPLER, "realnvp");
  const char *values[] = { "true", "false" };
  for (guint v = 0; v < 2; v++)
    {
      g_autoptr (SrlSection) s = srl_section_new ("(test)", "sampler", "realnvp", d->info.params);
      g_assert_true (srl_section_set (s, "squash", values[v], "test", NULL));
      srl_section_fill_defaults (s);
      /* The shape says the opposite of the parameter, which wins. */
      SrlSamplerShape shape = { 2, 2, 64, v == 1 };
      SrlSamplerFactory factory = { d, s };
      SrlRng rng;
      srl_rng_init (&rng, 4);
      g_autoptr (SrlSampler) sampler = srl_sampler_new (&factory, &shape, &rng, NULL);
      float obs[128], h[128], a[128];
      srl_rng_fill_normal (&rng, obs, 128);
      srl_rng_fill_normal (&rng, h, 128);
      for (guint i = 0; i < 128; i++)
        h[i] *= 5;
      srl_sampler_sample (sampler, 64, obs, h, a, NULL);
      float largest = 0;
      for (guint i = 0; i < 128; i++)
        largest = MAX (largest, fabsf (a[i]));
      if (v == 0)
        g_assert_cmpfloat (largest, <=, 1.0f);
      else
        g_assert_cmpfloat (largest, >, 1.0f);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  registry = srl_registry_new ();
  srl_registry_load_default (registry);
  g_test_add_func ("/realnvp/inverse", test_inverse);
  g_test_add_func ("/realnvp/log-det", test_log_det);
  g_test_add_func ("/realnvp/gradients", test_gradients);
  g_test_add_func ("/realnvp/squash-option", test_squash_option);
  int status = g_test_run ();
  srl_registry_free (registry);
  return status;
}

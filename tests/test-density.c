/* Densities of every sampler that claims one: log π(a|s) integrates to one
 * over the action space, and it is the density sample() actually draws
 * from (a histogram of samples against the integrated density).  Missing or
 * wrong change-of-variables terms (C.2) fail both. */
#include <math.h>

#include "testutil.h"

#define GRID 300      /* points per dimension of the integration grid */
#define BINS 8        /* histogram bins per dimension */

typedef struct {
  SrlSampler *s;
  gboolean squash;
  float obs[3];
} Case;

/* Integrate π over the 2-D action space on a grid in u = atanh(a) (so the
 * tails near ±1 are resolved); fill the mass of each histogram bin. */
static double
integrate (Case *c, double bins[BINS][BINS])
{
  const double lim = c->squash ? 9.0 : 12.0, du = 2 * lim / GRID;
  float obs[GRID * 3], act[GRID * 2], logp[GRID];
  for (int i = 0; i < GRID; i++)
    memcpy (obs + 3 * i, c->obs, sizeof c->obs);
  double total = 0;
  memset (bins, 0, sizeof (double) * BINS * BINS);
  for (int i = 0; i < GRID; i++)
    {
      double u0 = -lim + (i + 0.5) * du;
      for (int j = 0; j < GRID; j++)
        {
          double u1 = -lim + (j + 0.5) * du;
          act[2 * j] = c->squash ? tanh (u0) : u0;
          act[2 * j + 1] = c->squash ? tanh (u1) : u1;
        }
      g_assert_true (srl_sampler_log_prob (c->s, GRID, obs, act, logp));
      for (int j = 0; j < GRID; j++)
        {
          double jac = c->squash ? (1 - act[2 * j] * act[2 * j]) * (1 - act[2 * j + 1] * act[2 * j + 1]) : 1;
          double mass = exp (logp[j]) * jac * du * du;
          if (!isfinite (mass))
            continue; /* a = ±1 exactly in float: measure zero */
          total += mass;
          if (c->squash)
            {
              int bi = CLAMP ((int) ((act[2 * j] + 1) / 2 * BINS), 0, BINS - 1);
              int bj = CLAMP ((int) ((act[2 * j + 1] + 1) / 2 * BINS), 0, BINS - 1);
              bins[bi][bj] += mass;
            }
        }
    }
  return total;
}

static void
check (const SrlSamplerDescriptor *d, gboolean squash)
{
  g_autoptr (SrlSection) params = srl_section_new ("(test)", "sampler", d->info.name, d->info.params);
  srl_section_fill_defaults (params);
  SrlSamplerShape shape = { 3, 2, GRID, squash };
  SrlSamplerFactory factory = { d, params };
  SrlRng rng;
  srl_rng_init (&rng, 17);
  GError *error = NULL;
  g_autoptr (SrlSampler) s = srl_sampler_new (&factory, &shape, &rng, &error);
  g_assert_no_error (error);
  Case c = { s, squash, { 0.3f, -0.5f, 0.8f } };
  double bins[BINS][BINS];
  double total = integrate (&c, bins);
  g_test_message ("%s (%s): integral of the density %.5f", d->info.name, squash ? "squashed" : "latent", total);
  g_assert_cmpfloat (fabs (total - 1.0), <, 5e-3);
  if (!squash)
    return;
  /* 200,000 samples against the bins' integrated mass. */
  const int batches = 200000 / GRID;
  float obs[GRID * 3], noise[GRID * 8], act[GRID * 2];
  for (int i = 0; i < GRID; i++)
    memcpy (obs + 3 * i, c.obs, sizeof c.obs);
  double counts[BINS][BINS] = { { 0 } };
  guint nd = srl_sampler_noise_dim (s);
  for (int b = 0; b < batches; b++)
    {
      srl_rng_fill_normal (&rng, noise, GRID * nd);
      srl_sampler_sample (s, GRID, obs, noise, act, NULL);
      for (int j = 0; j < GRID; j++)
        {
          int bi = CLAMP ((int) ((act[2 * j] + 1) / 2 * BINS), 0, BINS - 1);
          int bj = CLAMP ((int) ((act[2 * j + 1] + 1) / 2 * BINS), 0, BINS - 1);
          counts[bi][bj] += 1.0 / (batches * GRID);
        }
    }
  double worst = 0;
  for (int i = 0; i < BINS; i++)
    for (int j = 0; j < BINS; j++)
      worst = MAX (worst, fabs (counts[i][j] - bins[i][j]));
  g_test_message ("%s: largest bin difference between samples and density %.4f", d->info.name, worst);
  g_assert_cmpfloat (worst, <, 0.006);
}

static void
test_density (gconstpointer data)
{
  check (data, TRUE);
  check (data, FALSE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_autoptr (SrlRegistry) registry = srl_registry_new ();
  srl_registry_load_default (registry);
  g_autoptr (GPtrArray) samplers = srl_registry_list (registry, SRL_KIND_SAMPLER);
  for (guint i = 0; i < samplers->len; i++)
    {
      const SrlSamplerDescriptor *d = samplers->pdata[i];
      if (!(d->flags & SRL_SAMPLER_DENSITY))
        continue;
      g_autofree char *path = g_strdup_printf ("/density/%s", d->info.name);
      g_test_add_data_func (path, d, test_density);
    }
  return g_test_run ();
}

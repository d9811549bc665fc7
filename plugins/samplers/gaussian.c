/* Sampler "gaussian": a diagonal Gaussian policy squashed by tanh (thesis
 * chapter 4 and appendix C.3).
 *
 *   [μ, log σ] = MLP(s),  log σ clamped to [log_std_min, log_std_max]
 *   u = μ + σ ⊙ ξ,  ξ ~ N(0, I)
 *   a = tanh(u)    (identity when the outputs are latent actions)
 *   log π(a|s) = Σ_j [−½ξ_j² − log σ_j − ½ log 2π] − Σ_j log(1 − tanh² u_j)   (C.2)
 */
#include <math.h>
#include <string.h>

#include <softrl/softrl.h>

#include "squash.h"

static const SrlParamSpec gaussian_params[] = {
  SRL_PARAM_INT_LIST ("hidden_sizes", "256;256", 1, 65536, "units of each hidden ReLU layer (Table C.1: 2 × 256)"),
  SRL_PARAM_DOUBLE ("log_std_min", "-20", -100, 100, "lower clamp of log σ"),
  SRL_PARAM_DOUBLE ("log_std_max", "2", -100, 100, "upper clamp of log σ"),
  SRL_PARAM_CHOICE ("init", "glorot", "glorot|he", "weight initialisation of the network"),
  SRL_PARAM_END
};

typedef struct {
  guint obs_dim, act_dim, max_rows;
  gboolean squash;
  float log_std_min, log_std_max;
  SrlInit init;
  SrlWeights *weights;
  SrlMlp *net;         /* used by sample/backward */
  SrlMlp *density_net; /* same weights, own workspace: log_prob keeps sample's cache */
  /* caches of the last sample(), [max_rows, act_dim] */
  float *noise, *std, *act;
  guint8 *clamped;
  float *log_std, *u, *log_jacobian; /* the sample's scratch, [max_rows, act_dim] */
  float *d_out;        /* [max_rows, 2 act_dim] */
} Gaussian;

static gpointer
gaussian_create (const SrlSection *params, const SrlSamplerShape *shape, GError **error)
{
  double lo = srl_section_get_double (params, "log_std_min");
  double hi = srl_section_get_double (params, "log_std_max");
  if (lo >= hi)
    {
      srl_section_error (params, "log_std_min", error, "must be below log_std_max (%g ≥ %g)", lo, hi);
      return NULL;
    }
  guint hidden[64], n_hidden;
  if (!srl_section_get_sizes (params, "hidden_sizes", hidden, G_N_ELEMENTS (hidden), &n_hidden, error))
    return NULL;

  Gaussian *g = g_new0 (Gaussian, 1);
  g->obs_dim = shape->obs_dim;
  g->act_dim = shape->act_dim;
  g->max_rows = shape->max_rows;
  g->squash = shape->env_actions;
  g->log_std_min = (float) lo;
  g->log_std_max = (float) hi;
  g->init = strcmp (srl_section_get_string (params, "init"), "he") == 0 ? SRL_INIT_HE_UNIFORM
                                                                       : SRL_INIT_GLOROT_UNIFORM;
  g->weights = srl_weights_new ();
  g->net = srl_mlp_new (g->weights, "mlp.", g->obs_dim, hidden, n_hidden, 2 * g->act_dim, SRL_NL_RELU, SRL_NL_LINEAR,
                        g->max_rows);
  srl_weights_allocate (g->weights);
  g->density_net = srl_mlp_new_sibling (g->net, g->weights, g->max_rows);
  gsize cells = (gsize) g->max_rows * g->act_dim;
  g->noise = g_new0 (float, cells);
  g->std = g_new0 (float, cells);
  g->act = g_new0 (float, cells);
  g->clamped = g_new0 (guint8, cells);
  g->log_std = g_new0 (float, cells);
  g->u = g_new0 (float, cells);
  g->log_jacobian = g_new0 (float, cells);
  g->d_out = g_new0 (float, 2 * cells);
  return g;
}

static void
gaussian_destroy (gpointer p)
{
  Gaussian *g = p;
  srl_mlp_free (g->net);
  srl_mlp_free (g->density_net);
  srl_weights_free (g->weights);
  g_free (g->noise);
  g_free (g->std);
  g_free (g->act);
  g_free (g->clamped);
  g_free (g->log_std);
  g_free (g->u);
  g_free (g->log_jacobian);
  g_free (g->d_out);
  g_free (g);
}

static SrlWeights *
gaussian_weights (gpointer p)
{
  return ((Gaussian *) p)->weights;
}

static void
gaussian_init (gpointer p, SrlRng *rng)
{
  Gaussian *g = p;
  srl_mlp_init (g->net, rng, g->init);
}

static guint
gaussian_noise_dim (gpointer p)
{
  return ((Gaussian *) p)->act_dim;
}

static inline float
clamp_log_std (const Gaussian *g, float raw, guint8 *clamped)
{
  if (raw < g->log_std_min)
    {
      *clamped = 1;
      return g->log_std_min;
    }
  if (raw > g->log_std_max)
    {
      *clamped = 1;
      return g->log_std_max;
    }
  *clamped = 0;
  return raw;
}

static void
gaussian_sample (gpointer p, guint n, const float *obs, const float *noise, float *act, float *logp)
{
  Gaussian *g = p;
  const guint A = g->act_dim;
  const float *out = srl_mlp_forward (g->net, n, obs);
  const gsize cells = (gsize) n * A;
  memcpy (g->noise, noise, cells * sizeof (float));
  /* Flat passes over all n·A entries, so that exp and the squash run on
   * whole vectors: per entry they would cost more than the network. */
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < A; j++)
      {
        gsize k = (gsize) i * A + j;
        g->u[k] = out[(gsize) i * 2 * A + j];
        g->log_std[k] = clamp_log_std (g, out[(gsize) i * 2 * A + A + j], &g->clamped[k]);
      }
  srl_exp_floats (g->log_std, g->std, cells);
  for (gsize k = 0; k < cells; k++)
    g->u[k] += g->std[k] * noise[k];
  if (g->squash)
    srl_tanh_squash (g->u, g->act, g->log_jacobian, cells);
  else
    memcpy (g->act, g->u, cells * sizeof (float));
  memcpy (act, g->act, cells * sizeof (float));
  if (!logp)
    return;
  for (guint i = 0; i < n; i++)
    {
      float lp = 0.0f;
      for (guint j = 0; j < A; j++)
        {
          gsize k = (gsize) i * A + j;
          lp += -0.5f * noise[k] * noise[k] - g->log_std[k] - SRL_HALF_LOG_2PI;
          if (g->squash)
            lp -= g->log_jacobian[k];
        }
      logp[i] = lp;
    }
}

static void
gaussian_backward (gpointer p, guint n, const float *d_act, const float *d_logp, float *d_obs)
{
  Gaussian *g = p;
  const guint A = g->act_dim;
  for (guint i = 0; i < n; i++)
    {
      float gl = d_logp ? d_logp[i] : 0.0f;
      float *d_mean = g->d_out + (gsize) i * 2 * A;
      float *d_log_std = d_mean + A;
      for (guint j = 0; j < A; j++)
        {
          gsize k = (gsize) i * A + j;
          float ga = d_act ? d_act[k] : 0.0f;
          float a = g->act[k];
          /* d/du of −log(1 − tanh² u) is 2 tanh u. */
          float du = g->squash ? ga * (1.0f - a * a) + gl * 2.0f * a : ga;
          d_mean[j] = du;
          /* u depends on log σ through σ ξ; log π also has −log σ directly. */
          d_log_std[j] = g->clamped[k] ? 0.0f : du * g->std[k] * g->noise[k] - gl;
        }
    }
  srl_mlp_backward (g->net, n, g->d_out, d_obs, TRUE);
}

static void
gaussian_log_prob (gpointer p, guint n, const float *obs, const float *act, float *logp)
{
  Gaussian *g = p;
  const guint A = g->act_dim;
  const float *out = srl_mlp_forward (g->density_net, n, obs);
  for (guint i = 0; i < n; i++)
    {
      const float *mean = out + (gsize) i * 2 * A;
      float lp = 0.0f;
      for (guint j = 0; j < A; j++)
        {
          guint8 unused;
          float log_std = clamp_log_std (g, mean[A + j], &unused);
          float a = act[(gsize) i * A + j];
          float u = a;
          if (g->squash)
            {
              u = srl_atanh_clamped (a);
              lp -= srl_log_one_minus_tanh_sq (u);
            }
          float xi = (u - mean[j]) / expf (log_std);
          lp += -0.5f * xi * xi - log_std - SRL_HALF_LOG_2PI;
        }
      logp[i] = lp;
    }
}

static const SrlSamplerDescriptor gaussian_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_SAMPLER, SrlSamplerDescriptor, "gaussian",
                           "diagonal Gaussian squashed by tanh, reparameterized, exact log-density (C.3)",
                           gaussian_params),
  .flags = SRL_SAMPLER_REPARAMETERIZED | SRL_SAMPLER_DENSITY,
  .create = gaussian_create,
  .destroy = gaussian_destroy,
  .weights = gaussian_weights,
  .init = gaussian_init,
  .noise_dim = gaussian_noise_dim,
  .sample = gaussian_sample,
  .backward = gaussian_backward,
  .log_prob = gaussian_log_prob,
};

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &gaussian_descriptor.info, error);
}

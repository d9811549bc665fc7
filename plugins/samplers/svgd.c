/* Sampler "svgd": the amortized Stein sampling network of soft Q-learning
 * (thesis section 3.3, appendix C.1; Wang & Liu 2016).
 *
 *   a = tanh(f_φ(s, ξ)),  ξ ~ N(0, I) of size |A|
 *
 * f_φ is a ReLU MLP (appendix C.1: two hidden layers of 200) whose input is
 * the observation and the noise side by side; its linear output is squashed
 * by tanh for environment actions and left as it is for latent actions.  The
 * distribution it induces has no tractable density, so the descriptor
 * claims only reparameterized gradients: algorithms that need log π (sac,
 * sac-auto) refuse it when the experiment is loaded.  Deterministic mode
 * (ξ = 0) gives f_φ(s, 0).
 */
#include <math.h>
#include <string.h>

#include <softrl/softrl.h>

static const SrlParamSpec svgd_params[] = {
  SRL_PARAM_INT_LIST ("hidden_sizes", "200;200", 1, 65536, "units of each hidden ReLU layer (appendix C.1: 2 × 200)"),
  SRL_PARAM_CHOICE ("init", "glorot", "glorot|he", "weight initialisation of the network"),
  SRL_PARAM_END
};

typedef struct {
  guint obs_dim, act_dim, in_dim, max_rows;
  gboolean squash;
  SrlInit init;
  SrlWeights *weights;
  SrlMlp *net;
  float *input;  /* [max_rows, obs_dim + act_dim]: [s, ξ] rows of the last sample() */
  float *act;    /* [max_rows, act_dim]: its outputs */
  float *d_out;  /* [max_rows, act_dim] */
  float *d_in;   /* [max_rows, obs_dim + act_dim] */
} Svgd;

static gpointer
svgd_create (const SrlSection *params, const SrlSamplerShape *shape, GError **error)
{
  guint hidden[64], n_hidden;
  if (!srl_section_get_sizes (params, "hidden_sizes", hidden, G_N_ELEMENTS (hidden), &n_hidden, error))
    return NULL;
  Svgd *s = g_new0 (Svgd, 1);
  s->obs_dim = shape->obs_dim;
  s->act_dim = shape->act_dim;
  s->in_dim = s->obs_dim + s->act_dim;
  s->max_rows = shape->max_rows;
  s->squash = shape->env_actions;
  s->init = strcmp (srl_section_get_string (params, "init"), "he") == 0 ? SRL_INIT_HE_UNIFORM
                                                                       : SRL_INIT_GLOROT_UNIFORM;
  s->weights = srl_weights_new ();
  s->net = srl_mlp_new (s->weights, "mlp.", s->in_dim, hidden, n_hidden, s->act_dim, SRL_NL_RELU, SRL_NL_LINEAR,
                        s->max_rows);
  srl_weights_allocate (s->weights);
  s->input = g_new0 (float, (gsize) s->max_rows * s->in_dim);
  s->act = g_new0 (float, (gsize) s->max_rows * s->act_dim);
  s->d_out = g_new0 (float, (gsize) s->max_rows * s->act_dim);
  s->d_in = g_new0 (float, (gsize) s->max_rows * s->in_dim);
  return s;
}

static void
svgd_destroy (gpointer p)
{
  Svgd *s = p;
  srl_mlp_free (s->net);
  srl_weights_free (s->weights);
  g_free (s->input);
  g_free (s->act);
  g_free (s->d_out);
  g_free (s->d_in);
  g_free (s);
}

static SrlWeights *
svgd_weights (gpointer p)
{
  return ((Svgd *) p)->weights;
}

static void
svgd_init (gpointer p, SrlRng *rng)
{
  Svgd *s = p;
  srl_mlp_init (s->net, rng, s->init);
}

static guint
svgd_noise_dim (gpointer p)
{
  return ((Svgd *) p)->act_dim;
}

static void
svgd_sample (gpointer p, guint n, const float *obs, const float *noise, float *act, float *logp)
{
  Svgd *s = p;
  const guint O = s->obs_dim, A = s->act_dim, I = s->in_dim;
  (void) logp; /* no density: the descriptor does not claim one */
  for (guint i = 0; i < n; i++)
    {
      memcpy (s->input + (gsize) i * I, obs + (gsize) i * O, O * sizeof (float));
      memcpy (s->input + (gsize) i * I + O, noise + (gsize) i * A, A * sizeof (float));
    }
  const float *out = srl_mlp_forward (s->net, n, s->input);
  gsize cells = (gsize) n * A;
  if (s->squash)
    srl_tanh_squash (out, s->act, NULL, cells);
  else
    memcpy (s->act, out, cells * sizeof (float));
  memcpy (act, s->act, cells * sizeof (float));
}

static void
svgd_backward (gpointer p, guint n, const float *d_act, const float *d_logp, float *d_obs)
{
  Svgd *s = p;
  const guint O = s->obs_dim, A = s->act_dim, I = s->in_dim;
  (void) d_logp;
  gsize cells = (gsize) n * A;
  for (gsize k = 0; k < cells; k++)
    {
      float g = d_act ? d_act[k] : 0.0f;
      s->d_out[k] = s->squash ? g * (1.0f - s->act[k] * s->act[k]) : g;
    }
  srl_mlp_backward (s->net, n, s->d_out, d_obs ? s->d_in : NULL, TRUE);
  if (d_obs)
    for (guint i = 0; i < n; i++)
      memcpy (d_obs + (gsize) i * O, s->d_in + (gsize) i * I, O * sizeof (float));
}

static const SrlSamplerDescriptor svgd_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_SAMPLER, SrlSamplerDescriptor, "svgd",
                           "amortized Stein sampling network a = tanh(f(s, ξ)), no tractable density (ch. 3, C.1)",
                           svgd_params),
  .flags = SRL_SAMPLER_REPARAMETERIZED,
  .create = svgd_create,
  .destroy = svgd_destroy,
  .weights = svgd_weights,
  .init = svgd_init,
  .noise_dim = svgd_noise_dim,
  .sample = svgd_sample,
  .backward = svgd_backward,
};

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &svgd_descriptor.info, error);
}

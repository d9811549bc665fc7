/* Sampler "realnvp": a state-conditioned real NVP flow (Dinh et al. 2016), the
 * latent space policy of thesis chapter 7 (Figure 7.2, appendix C.4).
 *
 *   e   = E(s)                      observation embedding: an MLP with two hidden
 *                                   ReLU layers of 128 (C.4), output 2|A|
 *   x_0 = h ~ N(0, I)               the latent (the sampler's noise)
 *   x_{k+1} = coupling_k(x_k; e),   k = 0 … K−1 (K = 2, Table C.3):
 *       the vector is cut into a first half A = x[0, ⌊|A|/2⌋) and a second
 *       half B = the rest; layer k keeps one half c (B for odd k, A for even
 *       k) and transforms the other half t:
 *         σ = S_k([c, e]),  μ = M_k([c, e])    (σ optionally soft-bounded,
 *                                               b·tanh(σ/b), max_log_scale)
 *         t' = t ⊙ exp(σ) + μ,   log|det ∂x_{k+1}/∂x_k| = Σ σ
 *       S_k and M_k have one hidden layer of |A| ReLU units each (C.4)
 *   u = x_K,  a = tanh(u) when squashing (environment actions), else a = u
 *
 *   log π(a|s) = log N(h; 0, I) − Σ_k Σ σ_k − Σ_j log(1 − tanh² u_j)    (7.5, C.2)
 *
 * The inverse runs the layers backwards, t = (t' − μ)·exp(−σ), where σ and μ
 * only read the kept half, which the layer left unchanged.  The
 * deterministic action is f(0; s).
 *
 * With an odd |A| the halves differ by one; with |A| = 1 the first half is
 * empty, so layer 0 transforms the single coordinate conditioned on the
 * embedding only and layer 1 (whose transformed half would be empty) is the
 * identity: the flow is then a state-conditioned affine map of h, exactly
 * as in the reference code, which cuts the vector at ⌊|A|/2⌋ the same way.
 */
#include <math.h>
#include <string.h>

#include <softrl/softrl.h>

#include "squash.h"

#define MAX_COUPLINGS 16
#define MAX_HIDDEN 64

static const SrlParamSpec realnvp_params[] = {
  SRL_PARAM_INT_LIST ("hidden_sizes", "128;128", 1, 65536,
                      "hidden ReLU units of the observation embedding network (C.4: 2 × 128)"),
  SRL_PARAM_INT ("embedding_dim", "0", 0, 65536, "size of the observation embedding; 0 is 2|A| (C.4, Table C.4)"),
  SRL_PARAM_CHOICE ("embedding_nl", "relu", "relu|tanh|linear",
                    "nonlinearity of the embedding's output layer (the reference code's: relu)"),
  SRL_PARAM_INT ("coupling_layers", "2", 1, MAX_COUPLINGS, "coupling layers K (Table C.3: 2)"),
  SRL_PARAM_INT_LIST ("coupling_hidden_sizes", "0", 0, 65536,
                      "hidden units of each scale and translation network; 0 is |A| (C.4: one layer of |A|)"),
  SRL_PARAM_CHOICE ("coupling_nl", "relu", "relu|tanh",
                    "hidden nonlinearity of the scale and translation networks (C.4: ReLU)"),
  SRL_PARAM_DOUBLE ("max_log_scale", "0", 0, 100,
                    "soft bound b of each coupling's log-scale, σ = b·tanh(σ_raw/b); 0: unbounded (C.4, the "
                    "reference code)"),
  SRL_PARAM_CHOICE ("squash", "auto", "auto|true|false",
                    "tanh-squash the outputs (C.3); auto: when they are environment actions, "
                    "not for the latent actions of a hierarchy's upper layers"),
  SRL_PARAM_CHOICE ("init", "glorot", "glorot|he", "weight initialisation of every network"),
  SRL_PARAM_END
};

/* One coupling layer: the two networks, for sampling and (siblings with
 * their own workspaces) for densities and inverses. */
typedef struct {
  guint keep_off, n_keep;   /* the half read by the networks */
  guint trans_off, n_trans; /* the half transformed; 0: identity layer */
  SrlMlp *scale, *shift;
  SrlMlp *inv_scale, *inv_shift;
  float *in;       /* [max_rows, n_keep + E]: input of the last sample() */
  float *inv_in;   /* the same for inverse passes */
  float *exp_scale;/* [max_rows, n_trans] of the last sample(): exp(σ) */
  float *d_bound;  /* [max_rows, n_trans]: dσ/dσ_raw of the last sample() */
} Coupling;

typedef struct {
  guint obs_dim, act_dim, emb_dim, max_rows, n_layers;
  gboolean squash;
  float max_log_scale; /* 0: unbounded */
  SrlInit init;
  SrlWeights *weights;
  SrlMlp *embed, *inv_embed;
  Coupling layer[MAX_COUPLINGS];
  /* caches of the last sample() */
  float *x;        /* [n_layers + 1][max_rows, A]: x_0 = h … x_K = u */
  float *act;      /* [max_rows, A] */
  /* workspaces */
  float *dx;       /* [max_rows, A] */
  float *d_scale, *d_shift;   /* [max_rows, A] */
  float *d_in;     /* [max_rows, A + E] */
  float *d_emb;    /* [max_rows, E] */
  float *inv_x;    /* [max_rows, A] */
  float *inv_u;    /* [max_rows, A] */
  float *inv_ldj;  /* [max_rows] */
  float *sigma;    /* [max_rows, A]: a coupling's σ, then the squash's log-Jacobian, in sample() */
} RealNvp;

static SrlNonlinearity
nonlinearity (const char *name)
{
  if (strcmp (name, "relu") == 0)
    return SRL_NL_RELU;
  if (strcmp (name, "tanh") == 0)
    return SRL_NL_TANH;
  return SRL_NL_LINEAR;
}

static void
realnvp_destroy (gpointer p)
{
  RealNvp *r = p;
  srl_mlp_free (r->embed);
  srl_mlp_free (r->inv_embed);
  for (guint k = 0; k < r->n_layers; k++)
    {
      Coupling *c = &r->layer[k];
      srl_mlp_free (c->scale);
      srl_mlp_free (c->shift);
      srl_mlp_free (c->inv_scale);
      srl_mlp_free (c->inv_shift);
      g_free (c->in);
      g_free (c->inv_in);
      g_free (c->exp_scale);
      g_free (c->d_bound);
    }
  srl_weights_free (r->weights);
  g_free (r->x);
  g_free (r->act);
  g_free (r->dx);
  g_free (r->d_scale);
  g_free (r->d_shift);
  g_free (r->d_in);
  g_free (r->d_emb);
  g_free (r->inv_x);
  g_free (r->inv_u);
  g_free (r->sigma);
  g_free (r->inv_ldj);
  g_free (r);
}

static gpointer
realnvp_create (const SrlSection *params, const SrlSamplerShape *shape, GError **error)
{
  guint hidden[MAX_HIDDEN], n_hidden, coupling_hidden[MAX_HIDDEN], n_coupling_hidden;
  if (!srl_section_get_sizes (params, "hidden_sizes", hidden, MAX_HIDDEN, &n_hidden, error)
      || !srl_section_get_sizes (params, "coupling_hidden_sizes", coupling_hidden, MAX_HIDDEN, &n_coupling_hidden,
                                 error))
    return NULL;
  const guint A = shape->act_dim;
  for (guint i = 0; i < n_coupling_hidden; i++)
    if (coupling_hidden[i] == 0)
      coupling_hidden[i] = A;
  const char *squash = srl_section_get_string (params, "squash");

  RealNvp *r = g_new0 (RealNvp, 1);
  r->obs_dim = shape->obs_dim;
  r->act_dim = A;
  r->max_rows = shape->max_rows;
  r->squash = strcmp (squash, "auto") == 0 ? shape->env_actions : strcmp (squash, "true") == 0;
  r->emb_dim = srl_section_get_int (params, "embedding_dim") > 0 ? (guint) srl_section_get_int (params, "embedding_dim")
                                                                 : 2 * A;
  r->n_layers = (guint) srl_section_get_int (params, "coupling_layers");
  r->max_log_scale = (float) srl_section_get_double (params, "max_log_scale");
  r->init = strcmp (srl_section_get_string (params, "init"), "he") == 0 ? SRL_INIT_HE_UNIFORM
                                                                       : SRL_INIT_GLOROT_UNIFORM;
  const guint E = r->emb_dim, R = r->max_rows;
  r->weights = srl_weights_new ();
  r->embed = srl_mlp_new (r->weights, "embed.", r->obs_dim, hidden, n_hidden, E, SRL_NL_RELU,
                          nonlinearity (srl_section_get_string (params, "embedding_nl")), R);
  SrlNonlinearity coupling_nl = nonlinearity (srl_section_get_string (params, "coupling_nl"));
  const guint first = A / 2;
  for (guint k = 0; k < r->n_layers; k++)
    {
      Coupling *c = &r->layer[k];
      /* Even layers transform the second half, odd layers the first. */
      gboolean second = k % 2 == 0;
      c->trans_off = second ? first : 0;
      c->n_trans = second ? A - first : first;
      c->keep_off = second ? 0 : first;
      c->n_keep = A - c->n_trans;
      if (c->n_trans == 0)
        continue;
      char prefix[48];
      g_snprintf (prefix, sizeof prefix, "coupling%u.scale.", k);
      c->scale = srl_mlp_new (r->weights, prefix, c->n_keep + E, coupling_hidden, n_coupling_hidden, c->n_trans,
                              coupling_nl, SRL_NL_LINEAR, R);
      g_snprintf (prefix, sizeof prefix, "coupling%u.shift.", k);
      c->shift = srl_mlp_new (r->weights, prefix, c->n_keep + E, coupling_hidden, n_coupling_hidden, c->n_trans,
                              coupling_nl, SRL_NL_LINEAR, R);
      c->in = g_new0 (float, (gsize) R * (c->n_keep + E));
      c->inv_in = g_new0 (float, (gsize) R * (c->n_keep + E));
      c->exp_scale = g_new0 (float, (gsize) R * c->n_trans);
      c->d_bound = g_new0 (float, (gsize) R * c->n_trans);
    }
  srl_weights_allocate (r->weights);
  r->inv_embed = srl_mlp_new_sibling (r->embed, r->weights, R);
  for (guint k = 0; k < r->n_layers; k++)
    {
      Coupling *c = &r->layer[k];
      if (c->n_trans == 0)
        continue;
      c->inv_scale = srl_mlp_new_sibling (c->scale, r->weights, R);
      c->inv_shift = srl_mlp_new_sibling (c->shift, r->weights, R);
    }
  gsize cells = (gsize) R * A;
  r->x = g_new0 (float, (r->n_layers + 1) * cells);
  r->act = g_new0 (float, cells);
  r->dx = g_new0 (float, cells);
  r->d_scale = g_new0 (float, cells);
  r->d_shift = g_new0 (float, cells);
  r->d_in = g_new0 (float, (gsize) R * (A + E));
  r->d_emb = g_new0 (float, (gsize) R * E);
  r->inv_x = g_new0 (float, cells);
  r->inv_u = g_new0 (float, cells);
  r->sigma = g_new0 (float, cells);
  r->inv_ldj = g_new0 (float, R);
  return r;
}

static SrlWeights *
realnvp_weights (gpointer p)
{
  return ((RealNvp *) p)->weights;
}

static void
realnvp_init (gpointer p, SrlRng *rng)
{
  RealNvp *r = p;
  srl_mlp_init (r->embed, rng, r->init);
  for (guint k = 0; k < r->n_layers; k++)
    if (r->layer[k].n_trans)
      {
        srl_mlp_init (r->layer[k].scale, rng, r->init);
        srl_mlp_init (r->layer[k].shift, rng, r->init);
      }
}

static guint
realnvp_noise_dim (gpointer p)
{
  return ((RealNvp *) p)->act_dim;
}

/* The log-scale σ of a raw network output, and dσ/dσ_raw into *slope. */
static inline float
bounded_log_scale (const RealNvp *r, float raw, float *slope)
{
  if (r->max_log_scale <= 0)
    {
      *slope = 1.0f;
      return raw;
    }
  float t = tanhf (raw / r->max_log_scale);
  *slope = 1.0f - t * t;
  return r->max_log_scale * t;
}

/* Rows of [x_keep, e], the input of a coupling layer's networks. */
static void
coupling_input (const Coupling *c, guint n, guint A, guint E, const float *x, const float *emb, float *in)
{
  const guint w = c->n_keep + E;
  for (guint i = 0; i < n; i++)
    {
      memcpy (in + (gsize) i * w, x + (gsize) i * A + c->keep_off, c->n_keep * sizeof (float));
      memcpy (in + (gsize) i * w + c->n_keep, emb + (gsize) i * E, E * sizeof (float));
    }
}

static void
realnvp_sample (gpointer p, guint n, const float *obs, const float *noise, float *act, float *logp)
{
  RealNvp *r = p;
  const guint A = r->act_dim, E = r->emb_dim;
  const gsize cells = (gsize) r->max_rows * A;
  const float *emb = srl_mlp_forward (r->embed, n, obs);
  memcpy (r->x, noise, (gsize) n * A * sizeof (float));
  if (logp)
    for (guint i = 0; i < n; i++)
      logp[i] = srl_log_normal (noise + (gsize) i * A, A);
  for (guint k = 0; k < r->n_layers; k++)
    {
      Coupling *c = &r->layer[k];
      const float *x = r->x + k * cells;
      float *y = r->x + (k + 1) * cells;
      memcpy (y, x, (gsize) n * A * sizeof (float));
      if (c->n_trans == 0)
        continue;
      coupling_input (c, n, A, E, x, emb, c->in);
      const float *scale = srl_mlp_forward (c->scale, n, c->in);
      const float *shift = srl_mlp_forward (c->shift, n, c->in);
      /* σ = b·tanh(σ_raw/b) and exp σ as flat vector passes (the same
       * values bounded_log_scale() gives, up to the vector tanh). */
      const gsize m = (gsize) n * c->n_trans;
      float *sigma = r->sigma;
      if (r->max_log_scale > 0)
        {
          const float b = r->max_log_scale;
          for (gsize q = 0; q < m; q++)
            sigma[q] = scale[q] / b;
          srl_tanh_squash (sigma, sigma, NULL, m);
          for (gsize q = 0; q < m; q++)
            {
              c->d_bound[q] = 1.0f - sigma[q] * sigma[q];
              sigma[q] *= b;
            }
        }
      else
        for (gsize q = 0; q < m; q++)
          {
            sigma[q] = scale[q];
            c->d_bound[q] = 1.0f;
          }
      srl_exp_floats (sigma, c->exp_scale, m);
      for (guint i = 0; i < n; i++)
        {
          float ldj = 0.0f;
          for (guint j = 0; j < c->n_trans; j++)
            {
              gsize q = (gsize) i * c->n_trans + j, v = (gsize) i * A + c->trans_off + j;
              y[v] = x[v] * c->exp_scale[q] + shift[q];
              ldj += sigma[q];
            }
          if (logp)
            logp[i] -= ldj;
        }
    }
  const float *u = r->x + r->n_layers * cells;
  if (!r->squash)
    {
      memcpy (r->act, u, (gsize) n * A * sizeof (float));
      memcpy (act, u, (gsize) n * A * sizeof (float));
      return;
    }
  srl_tanh_squash (u, r->act, r->sigma, (gsize) n * A);
  memcpy (act, r->act, (gsize) n * A * sizeof (float));
  if (logp)
    for (guint i = 0; i < n; i++)
      {
        float corr = 0.0f;
        for (guint j = 0; j < A; j++)
          corr += r->sigma[(gsize) i * A + j];
        logp[i] -= corr;
      }
}

/* Add the input gradient of a coupling network (rows of [keep, e]) into
 * dL/dx_keep and dL/de. */
static void
scatter_input_grad (const Coupling *c, guint n, guint A, guint E, const float *d_in, float *dx, float *d_emb)
{
  const guint w = c->n_keep + E;
  for (guint i = 0; i < n; i++)
    {
      const float *row = d_in + (gsize) i * w;
      for (guint j = 0; j < c->n_keep; j++)
        dx[(gsize) i * A + c->keep_off + j] += row[j];
      for (guint j = 0; j < E; j++)
        d_emb[(gsize) i * E + j] += row[c->n_keep + j];
    }
}

static void
realnvp_backward (gpointer p, guint n, const float *d_act, const float *d_logp, float *d_obs)
{
  RealNvp *r = p;
  const guint A = r->act_dim, E = r->emb_dim;
  const gsize cells = (gsize) r->max_rows * A;
  /* dL/du: through the squash and its correction (d/du of −log(1 − tanh² u)
   * is 2 tanh u). */
  for (guint i = 0; i < n; i++)
    {
      float gl = d_logp ? d_logp[i] : 0.0f;
      for (guint j = 0; j < A; j++)
        {
          gsize v = (gsize) i * A + j;
          float ga = d_act ? d_act[v] : 0.0f;
          float a = r->act[v];
          r->dx[v] = r->squash ? ga * (1.0f - a * a) + gl * 2.0f * a : ga;
        }
    }
  memset (r->d_emb, 0, (gsize) n * E * sizeof (float));
  for (guint k = r->n_layers; k-- > 0;)
    {
      Coupling *c = &r->layer[k];
      if (c->n_trans == 0)
        continue;
      const float *x = r->x + k * cells;
      /* t' = t·exp(σ) + μ and log π ∋ −Σσ. */
      for (guint i = 0; i < n; i++)
        {
          float gl = d_logp ? d_logp[i] : 0.0f;
          for (guint j = 0; j < c->n_trans; j++)
            {
              gsize q = (gsize) i * c->n_trans + j, v = (gsize) i * A + c->trans_off + j;
              float dy = r->dx[v], e = c->exp_scale[q];
              r->d_scale[q] = (dy * x[v] * e - gl) * c->d_bound[q];
              r->d_shift[q] = dy;
              r->dx[v] = dy * e;
            }
        }
      srl_mlp_backward (c->scale, n, r->d_scale, r->d_in, TRUE);
      scatter_input_grad (c, n, A, E, r->d_in, r->dx, r->d_emb);
      srl_mlp_backward (c->shift, n, r->d_shift, r->d_in, TRUE);
      scatter_input_grad (c, n, A, E, r->d_in, r->dx, r->d_emb);
    }
  /* dL/dh is not needed: the latent is the caller's noise. */
  srl_mlp_backward (r->embed, n, r->d_emb, d_obs, TRUE);
}

/* Run the flow backwards from actions to latents (into inv_x), with
 * Σ log|det| of the layers in inv_ldj and u in inv_u.  Uses the sibling
 * networks only, so the caches of the last sample() stay intact. */
static void
inverse_pass (RealNvp *r, guint n, const float *obs, const float *act)
{
  const guint A = r->act_dim, E = r->emb_dim;
  const float *emb = srl_mlp_forward (r->inv_embed, n, obs);
  for (guint v = 0; v < n * A; v++)
    r->inv_u[v] = r->squash ? srl_atanh_clamped (act[v]) : act[v];
  memcpy (r->inv_x, r->inv_u, (gsize) n * A * sizeof (float));
  memset (r->inv_ldj, 0, n * sizeof (float));
  for (guint k = r->n_layers; k-- > 0;)
    {
      Coupling *c = &r->layer[k];
      if (c->n_trans == 0)
        continue;
      coupling_input (c, n, A, E, r->inv_x, emb, c->inv_in);
      const float *scale = srl_mlp_forward (c->inv_scale, n, c->inv_in);
      const float *shift = srl_mlp_forward (c->inv_shift, n, c->inv_in);
      for (guint i = 0; i < n; i++)
        for (guint j = 0; j < c->n_trans; j++)
          {
            gsize q = (gsize) i * c->n_trans + j, v = (gsize) i * A + c->trans_off + j;
            float slope, sigma = bounded_log_scale (r, scale[q], &slope);
            r->inv_x[v] = (r->inv_x[v] - shift[q]) * expf (-sigma);
            r->inv_ldj[i] += sigma;
          }
    }
}

static void
realnvp_log_prob (gpointer p, guint n, const float *obs, const float *act, float *logp)
{
  RealNvp *r = p;
  const guint A = r->act_dim;
  inverse_pass (r, n, obs, act);
  for (guint i = 0; i < n; i++)
    {
      float lp = srl_log_normal (r->inv_x + (gsize) i * A, A) - r->inv_ldj[i];
      if (r->squash)
        for (guint j = 0; j < A; j++)
          lp -= srl_log_one_minus_tanh_sq (r->inv_u[(gsize) i * A + j]);
      logp[i] = lp;
    }
}

static void
realnvp_inverse (gpointer p, guint n, const float *obs, const float *act, float *noise)
{
  RealNvp *r = p;
  inverse_pass (r, n, obs, act);
  memcpy (noise, r->inv_x, (gsize) n * r->act_dim * sizeof (float));
}

static const SrlSamplerDescriptor realnvp_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_SAMPLER, SrlSamplerDescriptor, "realnvp",
                           "state-conditioned real NVP flow: invertible, exact log-density (ch. 7, C.4)",
                           realnvp_params),
  .flags = SRL_SAMPLER_REPARAMETERIZED | SRL_SAMPLER_DENSITY | SRL_SAMPLER_INVERTIBLE,
  .create = realnvp_create,
  .destroy = realnvp_destroy,
  .weights = realnvp_weights,
  .init = realnvp_init,
  .noise_dim = realnvp_noise_dim,
  .sample = realnvp_sample,
  .backward = realnvp_backward,
  .log_prob = realnvp_log_prob,
  .inverse = realnvp_inverse,
};

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &realnvp_descriptor.info, error);
}

/* Algorithms "sac" and "sac-auto": soft actor-critic (thesis chapter 4,
 * Algorithm 2) and soft actor-critic with automatic temperature adjustment
 * (chapter 5, Algorithm 3).  One implementation serves both names; sac-auto
 * differs only in learning log α from the dual objective (Equation 5.8).
 *
 * One update:
 *   a' ~ π(·|s'),  y = c·r + γ(1 − d)(min_k Q̄_k(s', a') − α log π(a'|s'))     (4.4, 4.5)
 *   each Q_k ← Adam on ½(Q_k(s, a) − y)²
 *   ã = f_φ(ξ; s),  J_π = α log π(ã|s) − min_k Q_k(s, ã)                      (4.8, 4.9)
 *   log α ← Adam on −log α · (log π(ã|s) + H̄)                                (5.8)
 *   Q̄_k ← τ Q_k + (1 − τ) Q̄_k every target_update_interval updates
 * The policy step uses the Q-functions just updated, as Algorithm 2 orders it.
 */
#include <math.h>
#include <string.h>

#include <softrl/softrl.h>

#define MAX_Q 8

#define COMMON_PARAMS                                                                                           \
  SRL_PARAM_INT ("batch_size", "256", 1, 1e6, "transitions per minibatch (Table C.1: 256)"),                         \
  SRL_PARAM_DOUBLE ("discount", "0.99", 0, 1, "discount γ (Table C.1: 0.99)"),                                         \
  SRL_PARAM_DOUBLE ("tau", "0.005", 0, 1, "target smoothing coefficient τ; 1 is a hard copy (Table C.1: 0.005)"),     \
  SRL_PARAM_INT ("target_update_interval", "1", 1, 1e9, "updates between target updates (Table C.1: 1; 1000 with τ = 1)"), \
  SRL_PARAM_DOUBLE ("q_lr", "3e-4", 0, 1, "Adam learning rate of the Q-functions (Table C.1: 3·10⁻⁴)"),                \
  SRL_PARAM_DOUBLE ("policy_lr", "3e-4", 0, 1, "Adam learning rate of the policy (Table C.1: 3·10⁻⁴)"),                \
  SRL_PARAM_INT_LIST ("hidden_sizes", "256;256", 1, 65536, "hidden ReLU units of each Q-function (Table C.1: 2 × 256)"), \
  SRL_PARAM_INT ("n_q", "2", 1, MAX_Q, "Q-functions whose minimum is used (chapter 4: 2)"),                   \
  SRL_PARAM_DOUBLE ("reward_scale", "1", 0, SRL_UNBOUNDED, "multiplier of rewards (Table C.2)"),               \
  SRL_PARAM_DOUBLE ("grad_clip", "0", 0, SRL_UNBOUNDED, "clip each network's gradient to this global norm (0: off)"), \
  SRL_PARAM_CHOICE ("init", "glorot", "glorot|he", "weight initialisation of the Q-functions")

static const SrlParamSpec sac_params[] = {
  COMMON_PARAMS,
  SRL_PARAM_DOUBLE ("alpha", "1", 0, SRL_UNBOUNDED, "temperature α (fixed)"),
  SRL_PARAM_END
};

static const SrlParamSpec sac_auto_params[] = {
  COMMON_PARAMS,
  SRL_PARAM_DOUBLE ("initial_alpha", "1", 1e-12, SRL_UNBOUNDED, "temperature α before learning"),
  SRL_PARAM_DOUBLE ("alpha_lr", "3e-4", 0, 1, "Adam learning rate of log α"),
  SRL_PARAM_DOUBLE_OR ("target_entropy", "auto", -SRL_UNBOUNDED, SRL_UNBOUNDED, "auto",
                       "target entropy H̄; auto is −|A| (chapter 5)"),
  SRL_PARAM_END
};

static const SrlStatSpec sac_stats[] = {
  { "q_loss", "mean over Q-functions of ½(Q − y)²" },
  { "policy_loss", "α log π − min Q on the policy's actions" },
  { "alpha", "temperature α" },
  { "entropy", "−mean log π of the policy's actions" },
  { "q_mean", "mean Q of the minibatch actions" },
  { NULL, NULL }
};

typedef struct {
  gboolean learn_alpha;
  guint obs_dim, act_dim, batch_size, n_q, in_dim;
  float discount, tau, reward_scale, grad_clip, target_entropy;
  gint64 target_update_interval;
  SrlRng rng;
  guint64 updates;

  SrlSampler *policy;
  SrlAdam *policy_adam;
  SrlWeights *q_weights[MAX_Q], *target_weights[MAX_Q];
  SrlMlp *q[MAX_Q], *target[MAX_Q];
  SrlAdam *q_adam[MAX_Q];
  SrlWeights *log_alpha; /* one value, so Adam and saving treat it like any weight */
  SrlAdam *alpha_adam;
  float fixed_alpha;

  /* workspaces, sized once */
  SrlBatch *batch;
  float *noise, *next_act, *next_logp, *new_act, *logp;
  float *sa, *y, *q_min, *dq, *dsa, *d_act, *d_logp;
  guint *argmin;
  float *act_noise, *act_logp;
} Sac;

static float
sac_alpha (const Sac *s)
{
  return s->learn_alpha ? expf (srl_weights_data_const (s->log_alpha)[0]) : s->fixed_alpha;
}

static void
sac_destroy (gpointer p)
{
  Sac *s = p;
  srl_sampler_free (s->policy);
  srl_adam_free (s->policy_adam);
  for (guint k = 0; k < s->n_q; k++)
    {
      srl_mlp_free (s->q[k]);
      srl_mlp_free (s->target[k]);
      srl_adam_free (s->q_adam[k]);
      srl_weights_free (s->q_weights[k]);
      srl_weights_free (s->target_weights[k]);
    }
  srl_adam_free (s->alpha_adam);
  srl_weights_free (s->log_alpha);
  srl_batch_free (s->batch);
  g_free (s->noise);
  g_free (s->next_act);
  g_free (s->next_logp);
  g_free (s->new_act);
  g_free (s->logp);
  g_free (s->sa);
  g_free (s->y);
  g_free (s->q_min);
  g_free (s->dq);
  g_free (s->dsa);
  g_free (s->d_act);
  g_free (s->d_logp);
  g_free (s->argmin);
  g_free (s->act_noise);
  g_free (s->act_logp);
  g_free (s);
}

static gpointer
sac_create_common (const SrlAlgorithmContext *ctx, gboolean learn_alpha, GError **error)
{
  const SrlSection *p = ctx->params;
  guint hidden[64], n_hidden;
  if (!srl_section_get_sizes (p, "hidden_sizes", hidden, G_N_ELEMENTS (hidden), &n_hidden, error))
    return NULL;

  Sac *s = g_new0 (Sac, 1);
  s->learn_alpha = learn_alpha;
  s->obs_dim = ctx->env->obs_dim;
  s->act_dim = ctx->env->act_dim;
  s->in_dim = s->obs_dim + s->act_dim;
  s->batch_size = (guint) srl_section_get_int (p, "batch_size");
  s->n_q = (guint) srl_section_get_int (p, "n_q");
  s->discount = (float) srl_section_get_double (p, "discount");
  s->tau = (float) srl_section_get_double (p, "tau");
  s->target_update_interval = srl_section_get_int (p, "target_update_interval");
  s->reward_scale = (float) srl_section_get_double (p, "reward_scale");
  s->grad_clip = (float) srl_section_get_double (p, "grad_clip");
  SrlInit init = strcmp (srl_section_get_string (p, "init"), "he") == 0 ? SRL_INIT_HE_UNIFORM
                                                                        : SRL_INIT_GLOROT_UNIFORM;
  srl_rng_init_stream (&s->rng, ctx->seed, 0x5ac);

  /* Policy: its outputs are the environment's actions. */
  SrlSamplerShape shape = { s->obs_dim, s->act_dim, s->batch_size, TRUE };
  s->policy = srl_sampler_new (ctx->sampler, &shape, &s->rng, error);
  if (!s->policy)
    {
      g_free (s);
      return NULL;
    }
  s->policy_adam = srl_adam_new (srl_sampler_weights (s->policy), srl_section_get_double (p, "policy_lr"), 0.9,
                                 0.999, 1e-8);
  for (guint k = 0; k < s->n_q; k++)
    {
      s->q_weights[k] = srl_weights_new ();
      s->q[k] = srl_mlp_new (s->q_weights[k], "", s->in_dim, hidden, n_hidden, 1, SRL_NL_RELU, SRL_NL_LINEAR,
                             s->batch_size);
      srl_weights_allocate (s->q_weights[k]);
      srl_mlp_init (s->q[k], &s->rng, init);
      s->target_weights[k] = srl_weights_new_copy (s->q_weights[k]);
      s->target[k] = srl_mlp_new_sibling (s->q[k], s->target_weights[k], s->batch_size);
      s->q_adam[k] = srl_adam_new (s->q_weights[k], srl_section_get_double (p, "q_lr"), 0.9, 0.999, 1e-8);
    }
  s->log_alpha = srl_weights_new ();
  srl_weights_declare (s->log_alpha, "log_alpha", 0, 1);
  srl_weights_allocate (s->log_alpha);
  if (learn_alpha)
    {
      srl_weights_data (s->log_alpha)[0] = (float) log (srl_section_get_double (p, "initial_alpha"));
      s->alpha_adam = srl_adam_new (s->log_alpha, srl_section_get_double (p, "alpha_lr"), 0.9, 0.999, 1e-8);
      s->target_entropy = srl_section_is_word (p, "target_entropy", "auto")
                              ? -(float) s->act_dim
                              : (float) srl_section_get_double (p, "target_entropy");
    }
  else
    {
      s->fixed_alpha = (float) srl_section_get_double (p, "alpha");
      srl_weights_data (s->log_alpha)[0] = logf (s->fixed_alpha);
    }

  guint B = s->batch_size, A = s->act_dim;
  s->batch = srl_batch_new (B, s->obs_dim, A);
  s->noise = g_new0 (float, (gsize) B * A);
  s->next_act = g_new0 (float, (gsize) B * A);
  s->next_logp = g_new0 (float, B);
  s->new_act = g_new0 (float, (gsize) B * A);
  s->logp = g_new0 (float, B);
  s->sa = g_new0 (float, (gsize) B * s->in_dim);
  s->y = g_new0 (float, B);
  s->q_min = g_new0 (float, B);
  s->dq = g_new0 (float, B);
  s->dsa = g_new0 (float, (gsize) B * s->in_dim);
  s->d_act = g_new0 (float, (gsize) B * A);
  s->d_logp = g_new0 (float, B);
  s->argmin = g_new0 (guint, B);
  s->act_noise = g_new0 (float, A);
  s->act_logp = g_new0 (float, 1);
  return s;
}

static gpointer
sac_create (const SrlAlgorithmContext *ctx, GError **error)
{
  return sac_create_common (ctx, FALSE, error);
}

static gpointer
sac_auto_create (const SrlAlgorithmContext *ctx, GError **error)
{
  return sac_create_common (ctx, TRUE, error);
}

static const SrlStatSpec *
sac_stat_specs (gpointer p)
{
  return sac_stats;
}

static void
sac_act (gpointer p, SrlRng *rng, SrlActMode mode, const float *obs, guint episode_step, float *memory,
         float *agent_action, float *env_action)
{
  Sac *s = p;
  if (mode == SRL_ACT_RANDOM)
    srl_rng_fill_uniform (rng, agent_action, s->act_dim, -1.0f, 1.0f);
  else
    {
      if (mode == SRL_ACT_STOCHASTIC)
        srl_rng_fill_normal (rng, s->act_noise, s->act_dim);
      else
        memset (s->act_noise, 0, s->act_dim * sizeof (float));
      srl_sampler_sample (s->policy, 1, obs, s->act_noise, agent_action, NULL);
    }
  memcpy (env_action, agent_action, s->act_dim * sizeof (float));
}

/* Rows of [obs, act] for the Q-networks. */
static void
concat_rows (float *out, const float *obs, guint obs_dim, const float *act, guint act_dim, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      memcpy (out + (gsize) i * (obs_dim + act_dim), obs + (gsize) i * obs_dim, obs_dim * sizeof (float));
      memcpy (out + (gsize) i * (obs_dim + act_dim) + obs_dim, act + (gsize) i * act_dim, act_dim * sizeof (float));
    }
}

static void
step_adam (SrlAdam *adam, SrlWeights *w, float clip)
{
  if (clip > 0)
    srl_weights_clip_grad_norm (w, clip);
  srl_adam_step (adam);
}

static gboolean
sac_update (gpointer p, SrlReplay *replay, double *stats, GError **error)
{
  Sac *s = p;
  const guint B = s->batch_size, A = s->act_dim, O = s->obs_dim, I = s->in_dim;
  const float alpha = sac_alpha (s);
  SrlBatch *b = s->batch;
  srl_replay_sample (replay, &s->rng, B, b);

  /* Soft Bellman targets from the target Q-functions. */
  srl_rng_fill_normal (&s->rng, s->noise, (gsize) B * A);
  srl_sampler_sample (s->policy, B, b->next_obs, s->noise, s->next_act, s->next_logp);
  concat_rows (s->sa, b->next_obs, O, s->next_act, A, B);
  for (guint k = 0; k < s->n_q; k++)
    {
      const float *qt = srl_mlp_forward (s->target[k], B, s->sa);
      for (guint i = 0; i < B; i++)
        s->q_min[i] = k == 0 ? qt[i] : MIN (s->q_min[i], qt[i]);
    }
  for (guint i = 0; i < B; i++)
    s->y[i] = srl_bellman_target (b->rew[i], b->terminal[i], s->q_min[i] - alpha * s->next_logp[i],
                                  s->reward_scale, s->discount);

  /* Q-function steps. */
  concat_rows (s->sa, b->obs, O, b->act, A, B);
  double q_loss = 0, q_mean = 0;
  for (guint k = 0; k < s->n_q; k++)
    {
      const float *q = srl_mlp_forward (s->q[k], B, s->sa);
      for (guint i = 0; i < B; i++)
        {
          float diff = q[i] - s->y[i];
          q_loss += 0.5 * diff * diff;
          q_mean += q[i];
          s->dq[i] = diff / B;
        }
      srl_weights_zero_grad (s->q_weights[k]);
      srl_mlp_backward (s->q[k], B, s->dq, NULL, TRUE);
      step_adam (s->q_adam[k], s->q_weights[k], s->grad_clip);
    }
  q_loss /= (double) B * s->n_q;
  q_mean /= (double) B * s->n_q;

  /* Policy step through the reparameterized sample. */
  srl_rng_fill_normal (&s->rng, s->noise, (gsize) B * A);
  srl_sampler_sample (s->policy, B, b->obs, s->noise, s->new_act, s->logp);
  concat_rows (s->sa, b->obs, O, s->new_act, A, B);
  for (guint k = 0; k < s->n_q; k++)
    {
      const float *q = srl_mlp_forward (s->q[k], B, s->sa);
      for (guint i = 0; i < B; i++)
        if (k == 0 || q[i] < s->q_min[i])
          {
            s->q_min[i] = q[i];
            s->argmin[i] = k;
          }
    }
  double policy_loss = 0, logp_mean = 0;
  memset (s->d_act, 0, (gsize) B * A * sizeof (float));
  for (guint i = 0; i < B; i++)
    {
      policy_loss += alpha * s->logp[i] - s->q_min[i];
      logp_mean += s->logp[i];
      s->d_logp[i] = alpha / B;
    }
  policy_loss /= B;
  logp_mean /= B;
  /* dJ/dã = −∂Q_k/∂a of the minimising Q-function; the forward caches of
   * every Q_k still hold (s, ã). */
  for (guint k = 0; k < s->n_q; k++)
    {
      gboolean used = FALSE;
      for (guint i = 0; i < B; i++)
        {
          s->dq[i] = s->argmin[i] == k ? -1.0f / B : 0.0f;
          used |= s->argmin[i] == k;
        }
      if (!used)
        continue;
      srl_mlp_backward (s->q[k], B, s->dq, s->dsa, FALSE);
      for (guint i = 0; i < B; i++)
        for (guint j = 0; j < A; j++)
          s->d_act[(gsize) i * A + j] += s->dsa[(gsize) i * I + O + j];
    }
  SrlWeights *pw = srl_sampler_weights (s->policy);
  srl_weights_zero_grad (pw);
  srl_sampler_backward (s->policy, B, s->d_act, s->d_logp, NULL);
  step_adam (s->policy_adam, pw, s->grad_clip);

  /* Temperature (Equation 5.8): d/d log α of −log α·(log π + H̄). */
  if (s->learn_alpha)
    {
      srl_weights_grad (s->log_alpha)[0] = -(float) (logp_mean + s->target_entropy);
      srl_adam_step (s->alpha_adam);
    }

  s->updates++;
  if (s->updates % s->target_update_interval == 0)
    for (guint k = 0; k < s->n_q; k++)
      srl_weights_polyak (s->target_weights[k], s->q_weights[k], s->tau);

  stats[0] = q_loss;
  stats[1] = policy_loss;
  stats[2] = alpha;
  stats[3] = -logp_mean;
  stats[4] = q_mean;
  if (!isfinite (q_loss) || !isfinite (policy_loss))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_NUMERIC,
                   "update %" G_GUINT64_FORMAT ": Q loss %g, policy loss %g; lower the learning rates or the reward scale",
                   s->updates, q_loss, policy_loss);
      return FALSE;
    }
  return TRUE;
}

static void
sac_save (gpointer p, SrlStateWriter *w, SrlSaveScope scope)
{
  Sac *s = p;
  srl_weights_save (srl_sampler_weights (s->policy), w, "policy.");
  if (scope == SRL_SAVE_POLICY)
    return;
  srl_adam_save (s->policy_adam, w, "policy_adam.");
  for (guint k = 0; k < s->n_q; k++)
    {
      char prefix[32];
      g_snprintf (prefix, sizeof prefix, "q%u.", k);
      srl_weights_save (s->q_weights[k], w, prefix);
      g_snprintf (prefix, sizeof prefix, "q%u_target.", k);
      srl_weights_save (s->target_weights[k], w, prefix);
      g_snprintf (prefix, sizeof prefix, "q%u_adam.", k);
      srl_adam_save (s->q_adam[k], w, prefix);
    }
  srl_weights_save (s->log_alpha, w, "");
  if (s->alpha_adam)
    srl_adam_save (s->alpha_adam, w, "alpha_adam.");
  srl_state_writer_put_u64 (w, "rng", s->rng.s, 4);
  srl_state_writer_put_i64_value (w, "updates", (gint64) s->updates);
}

static gboolean
sac_load (gpointer p, const SrlStateReader *r, SrlSaveScope scope, GError **error)
{
  Sac *s = p;
  if (!srl_weights_load (srl_sampler_weights (s->policy), r, "policy.", error))
    return FALSE;
  if (scope == SRL_SAVE_POLICY)
    return TRUE;
  if (!srl_adam_load (s->policy_adam, r, "policy_adam.", error))
    return FALSE;
  for (guint k = 0; k < s->n_q; k++)
    {
      char prefix[32];
      g_snprintf (prefix, sizeof prefix, "q%u.", k);
      if (!srl_weights_load (s->q_weights[k], r, prefix, error))
        return FALSE;
      g_snprintf (prefix, sizeof prefix, "q%u_target.", k);
      if (!srl_weights_load (s->target_weights[k], r, prefix, error))
        return FALSE;
      g_snprintf (prefix, sizeof prefix, "q%u_adam.", k);
      if (!srl_adam_load (s->q_adam[k], r, prefix, error))
        return FALSE;
    }
  gint64 updates;
  if (!srl_weights_load (s->log_alpha, r, "", error)
      || (s->alpha_adam && !srl_adam_load (s->alpha_adam, r, "alpha_adam.", error))
      || !srl_state_reader_get_u64 (r, "rng", s->rng.s, 4, error)
      || !srl_state_reader_get_i64_value (r, "updates", &updates, error))
    return FALSE;
  s->updates = (guint64) updates;
  return TRUE;
}

static guint64
sac_update_flops (gpointer p)
{
  Sac *s = p;
  /* Per row: forward F, parameter gradients F, input gradients F (less the
   * first layer's when dx is not wanted). */
  gsize in, width;
  srl_weights_entry (s->q_weights[0], 0, NULL, &in, &width);
  guint64 f = srl_mlp_flops_per_row (s->q[0]);
  guint64 first_layer = 2ull * in * width;
  guint64 critic = 4 * f - first_layer; /* target fwd, fwd, dW, dx without the first layer */
  guint64 actor_q = 2 * f;              /* fwd at (s, ã), dx */
  /* The sampler's network: ~2 flops per weight forward; fwd at s', fwd at s, dW, dx. */
  guint64 policy = 4 * 2ull * srl_weights_size (srl_sampler_weights (s->policy));
  return (guint64) s->batch_size * (s->n_q * (critic + actor_q) + policy);
}

/* sac and sac-auto differ only in their parameters and create(). */
#define SAC_DESCRIPTOR(name_, doc_, params_, create_)                                              \
  {                                                                                                \
    .info = SRL_PLUGIN_INFO (SRL_KIND_ALGORITHM, SrlAlgorithmDescriptor, name_, doc_, params_),    \
    .required_sampler_flags = SRL_SAMPLER_REPARAMETERIZED | SRL_SAMPLER_DENSITY,                   \
    .default_sampler = "gaussian",                                                                 \
    .create = create_,                                                                             \
    .destroy = sac_destroy,                                                                        \
    .stats = sac_stat_specs,                                                                       \
    .act = sac_act,                                                                                \
    .update = sac_update,                                                                          \
    .save = sac_save,                                                                              \
    .load = sac_load,                                                                              \
    .update_flops = sac_update_flops,                                                              \
  }

static const SrlAlgorithmDescriptor sac_descriptor =
  SAC_DESCRIPTOR ("sac", "soft actor-critic with a fixed temperature (thesis ch. 4, Algorithm 2)", sac_params,
                  sac_create);
static const SrlAlgorithmDescriptor sac_auto_descriptor =
  SAC_DESCRIPTOR ("sac-auto", "soft actor-critic with automatic temperature (thesis ch. 5, Algorithm 3)",
                  sac_auto_params, sac_auto_create);

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &sac_descriptor.info, error)
         && srl_registry_add (registry, &sac_auto_descriptor.info, error);
}

/* The soft actor-critic update shared by "sac", "sac-auto" and "lsp": soft
 * actor-critic (thesis chapter 4, Algorithm 2), with automatic temperature
 * adjustment (chapter 5, Algorithm 3) and with the Gaussian action prior of
 * a hierarchy's upper layers (chapter 7, C.4).
 *
 * One update:
 *   a' ~ π(·|s'),  y = c·r + γ(1 − d)(min_k Q̄_k(s', a') − α log π(a'|s'))     (4.4, 4.5)
 *   each Q_k ← Adam on ½(Q_k(s, a) − y)²
 *   ã = f_φ(ξ; s),  J_π = α log π(ã|s) − min_k Q_k(s, ã)                      (4.8, 4.9)
 *   log α ← Adam on −log α · (log π(ã|s) + H̄)                                (5.8)
 *   Q̄_k ← τ Q_k + (1 − τ) Q̄_k every target_update_interval updates
 * The policy step uses the Q-functions just updated, as Algorithm 2 orders it.
 * With the Gaussian prior, log π − log p takes the place of log π in the
 * target, the policy loss and the temperature's objective (7.4).
 */
#include <math.h>
#include <string.h>

#include "core.h"


static const SrlStatSpec stat_specs[] = {
  { "q_loss", "mean over Q-functions of ½(Q − y)²" },
  { "policy_loss", "α log π − min Q on the policy's actions" },
  { "alpha", "temperature α" },
  { "entropy", "−mean log π of the policy's actions" },
  { "q_mean", "mean Q of the minibatch actions" },
  { NULL, NULL }
};

const SrlStatSpec *
sac_stats (gpointer p)
{
  return stat_specs;
}

float
sac_alpha (const Sac *s)
{
  return s->learn_alpha ? expf (srl_weights_data_const (s->log_alpha)[0]) : s->fixed_alpha;
}

void
sac_free (gpointer p)
{
  Sac *s = p;
  if (!s)
    return;
  srl_sampler_free (s->policy);
  srl_adam_free (s->policy_adam);
  for (guint k = 0; k < s->n_q; k++)
    {
      srl_mlp_free (s->target[k]);
      srl_mlp_free (s->q[k]);
      srl_adam_free (s->q_adam[k]);
      srl_weights_free (s->q_weights[k]);
      srl_weights_free (s->target_weights[k]);
    }
  for (guint k = 0; k < SAC_MAX_Q; k++)
    {
      g_free (s->q_data[k]);
      g_free (s->dq[k]);
      g_free (s->d_new[k]);
    }
  srl_adam_free (s->alpha_adam);
  srl_weights_free (s->log_alpha);
  srl_batch_free (s->batch);
  g_free (s->noise);
  g_free (s->noise_new);
  g_free (s->next_act);
  g_free (s->next_logp);
  g_free (s->new_act);
  g_free (s->logp);
  g_free (s->sa_next);
  g_free (s->sa);
  g_free (s->sa_new);
  g_free (s->y);
  g_free (s->q_min);
  g_free (s->d_act);
  g_free (s->d_logp);
  g_free (s->argmin);
  g_free (s->act_noise);
  g_free (s);
}

Sac *
sac_new (const SrlAlgorithmContext *ctx, const SacOptions *options, GError **error)
{
  const SrlSection *p = ctx->params;
  guint hidden[64], n_hidden;
  if (!srl_section_get_sizes (p, "hidden_sizes", hidden, G_N_ELEMENTS (hidden), &n_hidden, error))
    return NULL;

  Sac *s = g_new0 (Sac, 1);
  s->learn_alpha = options->learn_alpha;
  s->prior = options->prior;
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

  SrlSamplerShape shape = { s->obs_dim, s->act_dim, s->batch_size, options->env_actions };
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
      /* The target's values are read before Q_k runs: one workspace serves both. */
      s->target[k] = srl_mlp_new_alias (s->q[k], s->target_weights[k]);
      s->q_adam[k] = srl_adam_new (s->q_weights[k], srl_section_get_double (p, "q_lr"), 0.9, 0.999, 1e-8);
    }
  s->log_alpha = srl_weights_new ();
  srl_weights_declare (s->log_alpha, "log_alpha", 0, 1);
  srl_weights_allocate (s->log_alpha);
  if (s->learn_alpha)
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
  s->noise_new = g_new0 (float, (gsize) B * A);
  s->next_act = g_new0 (float, (gsize) B * A);
  s->next_logp = g_new0 (float, B);
  s->new_act = g_new0 (float, (gsize) B * A);
  s->logp = g_new0 (float, B);
  s->sa_next = g_new0 (float, (gsize) B * s->in_dim);
  s->sa = g_new0 (float, (gsize) B * s->in_dim);
  s->sa_new = g_new0 (float, (gsize) B * s->in_dim);
  s->y = g_new0 (float, B);
  s->q_min = g_new0 (float, B);
  for (guint k = 0; k < s->n_q; k++)
    {
      s->q_data[k] = g_new0 (float, B);
      s->dq[k] = g_new0 (float, B);
      s->d_new[k] = g_new0 (float, (gsize) B * A);
    }
  s->d_act = g_new0 (float, (gsize) B * A);
  s->d_logp = g_new0 (float, B);
  s->argmin = g_new0 (guint, B);
  s->act_noise = g_new0 (float, A);
  return s;
}

void
sac_policy_action (Sac *s, const float *obs, const float *noise, float *action)
{
  srl_sampler_sample (s->policy, 1, obs, noise, action, NULL);
}

/* One Adam step; the step also clears the gradient (gradients are zero
 * between updates, so backward passes add into zeros without a separate
 * pass) and, when given, moves the target copy. */
static void
step_adam (SrlAdam *adam, SrlWeights *w, float clip, SrlWeights *target, float tau)
{
  if (clip > 0)
    srl_weights_clip_grad_norm (w, clip);
  srl_adam_step_and_clear (adam, target, tau);
}

/* The update's work on Q-function k, as tasks of srl_parallel_run(): each
 * touches only Q_k, its target, its optimiser and its own buffers, so the
 * Q-functions run side by side with the same arithmetic as one after the
 * other. */
static void
target_task (gpointer p, guint k)
{
  Sac *s = p;
  s->q_target[k] = srl_mlp_forward (s->target[k], s->batch_size, s->sa_next);
}

/* Q_k's step on ½(Q_k(s, a) − y)², its target's move when due, and then
 * Q_k(s, ã) with the stepped weights for the policy's loss (Algorithm 2
 * steps the Q-functions before the policy). */
static void
critic_task (gpointer p, guint k)
{
  Sac *s = p;
  const guint B = s->batch_size;
  const float *q = srl_mlp_forward (s->q[k], B, s->sa);
  for (guint i = 0; i < B; i++)
    {
      s->q_data[k][i] = q[i];
      s->dq[k][i] = (q[i] - s->y[i]) / B;
    }
  srl_mlp_backward_input_cols (s->q[k], B, s->dq[k], NULL, 0, 0, TRUE);
  step_adam (s->q_adam[k], s->q_weights[k], s->grad_clip, s->polyak_due ? s->target_weights[k] : NULL, s->tau);
  s->q_new[k] = srl_mlp_forward (s->q[k], B, s->sa_new);
}

/* −∂Q_k/∂ã (scaled by 1/B) on the rows where Q_k is the minimum; the
 * forward cache of Q_k still holds (s, ã). */
static void
actor_task (gpointer p, guint k)
{
  Sac *s = p;
  const guint B = s->batch_size;
  gboolean used = FALSE;
  for (guint i = 0; i < B; i++)
    {
      s->dq[k][i] = s->argmin[i] == k ? -1.0f / B : 0.0f;
      used |= s->argmin[i] == k;
    }
  s->q_used[k] = used;
  if (used)
    srl_mlp_backward_input_cols (s->q[k], B, s->dq[k], s->d_new[k], s->obs_dim, s->act_dim, FALSE);
}

gboolean
sac_update (gpointer p, SrlReplay *replay, double *stats, GError **error)
{
  Sac *s = p;
  const guint B = s->batch_size, A = s->act_dim, O = s->obs_dim;
  const float alpha = sac_alpha (s);
  SrlBatch *b = s->batch;
  srl_replay_sample (replay, &s->rng, B, b);

  /* The policy at s' (for the targets) and at s (for its own step), which
   * the Q-function steps do not change; the sample at s is the one its
   * backward pass goes through. */
  srl_rng_fill_normal (&s->rng, s->noise, (gsize) B * A);
  srl_rng_fill_normal (&s->rng, s->noise_new, (gsize) B * A);
  srl_sampler_sample (s->policy, B, b->next_obs, s->noise, s->next_act, s->next_logp);
  srl_sampler_sample (s->policy, B, b->obs, s->noise_new, s->new_act, s->logp);
  srl_concat_rows (s->sa_next, b->next_obs, O, s->next_act, A, B);
  srl_concat_rows (s->sa, b->obs, O, b->act, A, B);
  srl_concat_rows (s->sa_new, b->obs, O, s->new_act, A, B);

  /* Soft Bellman targets from the target Q-functions. */
  srl_parallel_run (s->n_q, target_task, s);
  for (guint i = 0; i < B; i++)
    {
      float q_min = s->q_target[0][i];
      for (guint k = 1; k < s->n_q; k++)
        q_min = MIN (q_min, s->q_target[k][i]);
      float log_ratio = s->next_logp[i];
      if (s->prior == SAC_PRIOR_NORMAL)
        log_ratio -= srl_log_normal (s->next_act + (gsize) i * A, A);
      s->y[i] = srl_bellman_target (b->rew[i], b->terminal[i], q_min - alpha * log_ratio, s->reward_scale,
                                    s->discount);
    }

  /* Q-function steps (targets moved here when due: they are not read again
   * in this update), then each Q-function at the policy's actions. */
  s->polyak_due = (s->updates + 1) % s->target_update_interval == 0;
  srl_parallel_run (s->n_q, critic_task, s);
  double q_loss = 0, q_mean = 0;
  for (guint k = 0; k < s->n_q; k++)
    for (guint i = 0; i < B; i++)
      {
        float diff = s->q_data[k][i] - s->y[i];
        q_loss += 0.5 * diff * diff;
        q_mean += s->q_data[k][i];
      }
  q_loss /= (double) B * s->n_q;
  q_mean /= (double) B * s->n_q;

  /* Policy step through the reparameterized sample. */
  for (guint k = 0; k < s->n_q; k++)
    for (guint i = 0; i < B; i++)
      if (k == 0 || s->q_new[k][i] < s->q_min[i])
        {
          s->q_min[i] = s->q_new[k][i];
          s->argmin[i] = k;
        }
  double policy_loss = 0, logp_mean = 0, log_ratio_mean = 0;
  memset (s->d_act, 0, (gsize) B * A * sizeof (float));
  for (guint i = 0; i < B; i++)
    {
      float log_ratio = s->logp[i];
      if (s->prior == SAC_PRIOR_NORMAL)
        {
          /* −α log p(ã) with log p(ã) = −½|ã|² + const: dJ/dã = α ã. */
          const float *a = s->new_act + (gsize) i * A;
          log_ratio -= srl_log_normal (a, A);
          for (guint j = 0; j < A; j++)
            s->d_act[(gsize) i * A + j] = alpha * a[j] / B;
        }
      policy_loss += alpha * log_ratio - s->q_min[i];
      logp_mean += s->logp[i];
      log_ratio_mean += log_ratio;
      s->d_logp[i] = alpha / B;
    }
  policy_loss /= B;
  logp_mean /= B;
  log_ratio_mean /= B;
  /* dJ/dã = −∂Q_k/∂a of the minimising Q-function. */
  srl_parallel_run (s->n_q, actor_task, s);
  for (guint k = 0; k < s->n_q; k++)
    if (s->q_used[k])
      for (gsize c = 0; c < (gsize) B * A; c++)
        s->d_act[c] += s->d_new[k][c];
  SrlWeights *pw = srl_sampler_weights (s->policy);
  srl_sampler_backward (s->policy, B, s->d_act, s->d_logp, NULL);
  step_adam (s->policy_adam, pw, s->grad_clip, NULL, 0);

  /* Temperature (Equation 5.8): d/d log α of −log α·(log π + H̄), with
   * log π − log p under the Gaussian prior. */
  if (s->learn_alpha)
    {
      srl_weights_grad (s->log_alpha)[0] = -(float) (log_ratio_mean + s->target_entropy);
      srl_adam_step (s->alpha_adam);
    }

  s->updates++;
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

void
sac_save (gpointer p, SrlStateWriter *w, SrlSaveScope scope)
{
  Sac *s = p;
  srl_weights_save (srl_sampler_weights (s->policy), w, "policy.");
  if (scope == SRL_SAVE_POLICY)
    return;
  srl_adam_save (s->policy_adam, w, "policy_adam.");
  srl_q_functions_save (s->q_weights, s->target_weights, s->q_adam, s->n_q, w);
  srl_weights_save (s->log_alpha, w, "");
  if (s->alpha_adam)
    srl_adam_save (s->alpha_adam, w, "alpha_adam.");
  srl_state_writer_put_u64 (w, "rng", s->rng.s, 4);
  srl_state_writer_put_i64_value (w, "updates", (gint64) s->updates);
}

gboolean
sac_load (gpointer p, const SrlStateReader *r, SrlSaveScope scope, GError **error)
{
  Sac *s = p;
  if (!srl_weights_load (srl_sampler_weights (s->policy), r, "policy.", error))
    return FALSE;
  if (scope == SRL_SAVE_POLICY)
    return TRUE;
  if (!srl_adam_load (s->policy_adam, r, "policy_adam.", error))
    return FALSE;
  if (!srl_q_functions_load (s->q_weights, s->target_weights, s->q_adam, s->n_q, r, error))
    return FALSE;
  gint64 updates;
  if (!srl_weights_load (s->log_alpha, r, "", error)
      || (s->alpha_adam && !srl_adam_load (s->alpha_adam, r, "alpha_adam.", error))
      || !srl_state_reader_get_rng (r, "rng", &s->rng, error)
      || !srl_state_reader_get_count (r, "updates", 0, SRL_STATE_MAX_COUNT, &updates, error))
    return FALSE;
  s->updates = (guint64) updates;
  return TRUE;
}

/* The matrix products one update needs, per minibatch row, with F the
 * flops of one Q-function's forward pass, F₀ those of its first layer
 * (inputs [s, a]) and F₀·|A|/|s, a| of that layer's action columns; W and
 * W₀ the same for the policy's network(s) and the layer reading s:
 *   each Q-function: target pass F, pass at (s, a) F, weight gradient F,
 *     input gradient down to its first layer F − F₀, pass at (s, ã) F, and
 *     the action gradient F − F₀ + F₀·|A|/|s, a|;
 *   the policy: passes at s' and s 2W, weight gradient W, input gradient
 *     down to its first layer W − W₀.
 * Nothing else is counted: not the biases, activations, the squash or Adam. */
guint64
sac_update_flops (gpointer p)
{
  Sac *s = p;
  guint64 f0, w0;
  guint64 f = srl_weights_flops_per_row (s->q_weights[0], &f0);
  guint64 w = srl_weights_flops_per_row (srl_sampler_weights (s->policy), &w0);
  guint64 q = 6 * f - 2 * f0 + f0 * s->act_dim / s->in_dim;
  return (guint64) s->batch_size * (s->n_q * q + 4 * w - w0);
}

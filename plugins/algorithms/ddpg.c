/* Algorithms "ddpg" and "td3": the deterministic actor-critic baselines the
 * thesis compares against (DDPG in chapters 3–6, TD3 in chapter 4).  Written
 * only on the public SDK, <softrl/softrl.h>, as a third party would write a
 * plugin: the build compiles this file with the installed headers alone.
 *
 * ddpg — Lillicrap et al. 2015, Algorithm 1 with section 7's settings:
 *   act:     a = clip(μ(s) + x_t, ±1),  x_t an Ornstein–Uhlenbeck process
 *            x_{t+1} = x_t − θ x_t + σ ε,  ε ~ N(0, I),  x_0 = 0 each episode
 *   critic:  y = c·r + γ(1 − d) Q̄(s', μ̄(s'));  Q ← Adam on ½(Q(s, a) − y)² + ½λ‖W_Q‖²
 *   actor:   μ ← Adam on −Q(s, μ(s))
 *   targets: Q̄ ← τQ + (1 − τ)Q̄,  μ̄ ← τμ + (1 − τ)μ̄
 * Two departures, both shared with Fujimoto et al.'s re-implementation and
 * the thesis' own DDPG: the critic takes [s, a] at its input (the paper feeds
 * a into the second layer), and there is no batch normalisation.
 *
 * td3 — Fujimoto et al. 2018, Algorithm 1: ddpg plus
 *   clipped double Q:          two critics, y = c·r + γ(1 − d) min_k Q̄_k(s', ã')
 *   target-policy smoothing:   ã' = clip(μ̄(s') + clip(ε, ±noise_clip), ±1),  ε ~ N(0, σ̃²)
 *   delayed policy updates:    μ (ascending Q_1) and all targets every d = 2 critic updates
 *   Gaussian exploration:      a = clip(μ(s) + N(0, 0.1²), ±1)
 *
 * The thesis' own variants are settings of the same code:
 *   chapter 5's "our version of DDPG":  ddpg with n_q = 2 (the minimum of two
 *                                        critics in the target and the policy loss)
 *   appendix C.1's DDPG (chapter 3):     ddpg with batch 64, 2 × 200 units,
 *                                        policy_lr 1e-4, exploration_sigma 0.3,
 *                                        tau = 1 every 1000 updates (target_update_interval)
 *   the deterministic SAC ablation (Figure 4.2a, appendix D.2): ddpg with
 *                                        n_q = 2, Gaussian noise, hard target
 *                                        updates and target_actor = false
 *                                        (experiments/pendulum-sac-deterministic.ini)
 *
 * Actions are in [−1, 1] (the core maps them onto the environment's bounds),
 * so noise scales are fractions of the action range, as in Fujimoto et al.'s
 * code where max_action multiplies them.
 */
#include <math.h>
#include <string.h>

#include <softrl/softrl.h>

#define MAX_Q 8

/* One table shape, two sets of defaults: each default is the paper's value
 * (Lillicrap et al. 2015 §7 for ddpg; for td3 Fujimoto et al. 2018 as the
 * authors' reference code, github.com/sfujim/TD3, sets them). */
#define DPG_PARAMS(batch, tau, policy_lr, weight_decay, n_q, delay, policy_q, noise, sigma, target_noise,   \
                   final_init, src)                                                                           \
  SRL_PARAM_INT ("batch_size", batch, 1, 1e6, "transitions per minibatch (" src ": " batch ")"),             \
  SRL_PARAM_DOUBLE ("discount", "0.99", 0, 1, "discount γ (" src ": 0.99)"),                                  \
  SRL_PARAM_DOUBLE ("tau", tau, 0, 1, "target smoothing coefficient τ; 1 copies (" src ": " tau ")"),         \
  SRL_PARAM_INT ("target_update_interval", "1", 1, 1e9,                                                        \
                 "actor updates between target updates (thesis appendix C.1: 1000, with tau = 1)"),         \
  SRL_PARAM_DOUBLE ("q_lr", "1e-3", 0, 1, "Adam learning rate of the critics (" src ": 10⁻³)"),              \
  SRL_PARAM_DOUBLE ("policy_lr", policy_lr, 0, 1, "Adam learning rate of the actor (" src ": " policy_lr ")"), \
  SRL_PARAM_INT_LIST ("hidden_sizes", "400;300", 1, 65536,                                                     \
                      "hidden ReLU units of the actor and of each critic (" src ": 400, 300)"),               \
  SRL_PARAM_DOUBLE ("q_weight_decay", weight_decay, 0, SRL_UNBOUNDED,                                          \
                    "L2 penalty ½λ‖W‖² on the critics' weight matrices (" src ": " weight_decay ")"),         \
  SRL_PARAM_INT ("n_q", n_q, 1, MAX_Q, "critics; targets use their minimum (" src ": " n_q "; chapter 5's DDPG: 2)"), \
  SRL_PARAM_INT ("policy_delay", delay, 1, 1e9,                                                                \
                 "critic updates per actor and target update (" src ": " delay ")"),                          \
  SRL_PARAM_CHOICE ("policy_q", policy_q, "first|min",                                                         \
                    "critic the actor ascends: the first (TD3's Q_1) or the minimum of all (chapter 5's DDPG)"), \
  SRL_PARAM_CHOICE ("exploration", noise, "ou|gaussian",                                                       \
                    "exploration noise: Ornstein–Uhlenbeck (Lillicrap et al.) or independent Gaussian (Fujimoto et al.)"), \
  SRL_PARAM_DOUBLE ("exploration_sigma", sigma, 0, SRL_UNBOUNDED,                                              \
                    "σ of the exploration noise, in units of the action range's half-width (" src ": " sigma ")"), \
  SRL_PARAM_DOUBLE ("ou_theta", "0.15", 0, 1, "mean reversion θ of the OU process (Lillicrap et al.: 0.15)"), \
  SRL_PARAM_DOUBLE ("target_noise", target_noise, 0, SRL_UNBOUNDED,                                            \
                    "σ̃ of the target-policy smoothing noise; 0 turns it off (" src ": " target_noise ")"),   \
  SRL_PARAM_DOUBLE ("target_noise_clip", "0.5", 0, SRL_UNBOUNDED,                                              \
                    "the smoothing noise is clipped to ±this (Fujimoto et al.: 0.5)"),                        \
  SRL_PARAM_BOOL ("target_actor", "true",                                                                      \
                  "targets use a target actor μ̄; false uses μ (the deterministic SAC ablation)"),            \
  SRL_PARAM_CHOICE ("init", "fan_in", "fan_in|glorot|he",                                                      \
                    "weight initialisation: U(±1/√fan-in) for weights and biases (Lillicrap et al.; PyTorch's "  \
                    "default, which Fujimoto et al. use), Glorot or He uniform"),                              \
  SRL_PARAM_DOUBLE ("final_init", final_init, 0, SRL_UNBOUNDED,                                                \
                    "output layers drawn from U(±final_init); 0: like the others (" src ": " final_init ")"), \
  SRL_PARAM_DOUBLE ("reward_scale", "1", 0, SRL_UNBOUNDED, "multiplier c of rewards (Fujimoto et al.: 1)")

static const SrlParamSpec ddpg_params[] = {
  DPG_PARAMS ("64", "0.001", "1e-4", "1e-2", "1", "1", "min", "ou", "0.2", "0", "3e-3", "Lillicrap et al. 2015"),
  SRL_PARAM_END
};

static const SrlParamSpec td3_params[] = {
  DPG_PARAMS ("100", "0.005", "1e-3", "0", "2", "2", "first", "gaussian", "0.1", "0.2", "0", "Fujimoto et al. 2018"),
  SRL_PARAM_END
};

static const SrlStatSpec dpg_stats[] = {
  { "q_loss", "mean over critics of ½(Q(s, a) − y)² on the minibatch" },
  { "policy_loss", "−Q(s, μ(s)) of the critic the actor ascends, at the latest actor update" },
  { "q_mean", "mean Q(s, a) of the minibatch over critics" },
  { "saturation", "fraction of actor outputs with |μ(s)| > 0.99 at the latest actor update" },
  { NULL, NULL }
};

typedef struct {
  guint obs_dim, act_dim, in_dim, batch_size, n_q, policy_delay, target_update_interval;
  float discount, tau, reward_scale, weight_decay, sigma, ou_theta, target_noise, target_noise_clip;
  gboolean ou, policy_min, target_actor;
  SrlRng rng;           /* update()'s own stream: minibatches and smoothing noise */
  guint64 updates;
  double last_policy_loss, last_saturation;

  SrlWeights *actor_w, *actor_target_w;
  SrlMlp *actor, *actor_target;
  SrlAdam *actor_adam;
  SrlWeights *q_w[MAX_Q], *q_target_w[MAX_Q];
  SrlMlp *q[MAX_Q], *q_target[MAX_Q];
  SrlAdam *q_adam[MAX_Q];

  /* workspaces, sized once */
  SrlBatch *batch;
  float *next_act, *sa, *y, *q_min, *dq, *dsa, *d_act, *act_noise;
  guint *argmin;
} Dpg;

static void
dpg_destroy (gpointer p)
{
  Dpg *d = p;
  srl_mlp_free (d->actor);
  srl_mlp_free (d->actor_target);
  srl_adam_free (d->actor_adam);
  srl_weights_free (d->actor_w);
  srl_weights_free (d->actor_target_w);
  for (guint k = 0; k < d->n_q; k++)
    {
      srl_mlp_free (d->q[k]);
      srl_mlp_free (d->q_target[k]);
      srl_adam_free (d->q_adam[k]);
      srl_weights_free (d->q_w[k]);
      srl_weights_free (d->q_target_w[k]);
    }
  srl_batch_free (d->batch);
  g_free (d->next_act);
  g_free (d->sa);
  g_free (d->y);
  g_free (d->q_min);
  g_free (d->dq);
  g_free (d->dsa);
  g_free (d->d_act);
  g_free (d->act_noise);
  g_free (d->argmin);
  g_free (d);
}

/* Initialise one network (alone in its SrlWeights): Glorot/He through the
 * core, or U(±1/√fan-in) on every weight and bias; then, when final_init > 0,
 * the output layer (the last weight and bias entries) from U(±final_init). */
static void
init_network (SrlMlp *mlp, SrlWeights *w, SrlRng *rng, const char *init, float final_init)
{
  float *data = srl_weights_data (w);
  guint n = srl_weights_n_entries (w);
  if (strcmp (init, "fan_in") == 0)
    {
      gsize fan_in = 1;
      for (guint i = 0; i < n; i++)
        {
          gsize offset, rows, cols;
          srl_weights_entry (w, i, &offset, &rows, &cols);
          if (rows > 0)
            fan_in = rows; /* a weight [in, out]; its bias follows */
          float limit = 1.0f / sqrtf ((float) fan_in);
          srl_rng_fill_uniform (rng, data + offset, (rows ? rows : 1) * cols, -limit, limit);
        }
    }
  else
    srl_mlp_init (mlp, rng, strcmp (init, "he") == 0 ? SRL_INIT_HE_UNIFORM : SRL_INIT_GLOROT_UNIFORM);
  if (final_init > 0)
    for (guint i = n - 2; i < n; i++)
      {
        gsize offset, rows, cols;
        srl_weights_entry (w, i, &offset, &rows, &cols);
        srl_rng_fill_uniform (rng, data + offset, (rows ? rows : 1) * cols, -final_init, final_init);
      }
}

static gpointer
dpg_create (const SrlAlgorithmContext *ctx, GError **error)
{
  const SrlSection *p = ctx->params;
  guint hidden[64], n_hidden;
  if (!srl_section_get_sizes (p, "hidden_sizes", hidden, G_N_ELEMENTS (hidden), &n_hidden, error))
    return NULL;
  Dpg *d = g_new0 (Dpg, 1);
  d->obs_dim = ctx->env->obs_dim;
  d->act_dim = ctx->env->act_dim;
  d->in_dim = d->obs_dim + d->act_dim;
  d->batch_size = (guint) srl_section_get_int (p, "batch_size");
  d->n_q = (guint) srl_section_get_int (p, "n_q");
  d->policy_delay = (guint) srl_section_get_int (p, "policy_delay");
  d->target_update_interval = (guint) srl_section_get_int (p, "target_update_interval");
  d->discount = (float) srl_section_get_double (p, "discount");
  d->tau = (float) srl_section_get_double (p, "tau");
  d->reward_scale = (float) srl_section_get_double (p, "reward_scale");
  d->weight_decay = (float) srl_section_get_double (p, "q_weight_decay");
  d->ou = strcmp (srl_section_get_string (p, "exploration"), "ou") == 0;
  d->sigma = (float) srl_section_get_double (p, "exploration_sigma");
  d->ou_theta = (float) srl_section_get_double (p, "ou_theta");
  d->target_noise = (float) srl_section_get_double (p, "target_noise");
  d->target_noise_clip = (float) srl_section_get_double (p, "target_noise_clip");
  d->target_actor = srl_section_get_bool (p, "target_actor");
  d->policy_min = strcmp (srl_section_get_string (p, "policy_q"), "min") == 0;
  const char *init = srl_section_get_string (p, "init");
  float final_init = (float) srl_section_get_double (p, "final_init");
  srl_rng_init_stream (&d->rng, ctx->seed, 0xd96);

  const guint B = d->batch_size, A = d->act_dim;
  d->actor_w = srl_weights_new ();
  d->actor = srl_mlp_new (d->actor_w, "", d->obs_dim, hidden, n_hidden, A, SRL_NL_RELU, SRL_NL_TANH, B);
  srl_weights_allocate (d->actor_w);
  init_network (d->actor, d->actor_w, &d->rng, init, final_init);
  d->actor_target_w = srl_weights_new_copy (d->actor_w);
  d->actor_target = srl_mlp_new_sibling (d->actor, d->actor_target_w, B);
  d->actor_adam = srl_adam_new (d->actor_w, srl_section_get_double (p, "policy_lr"), 0.9, 0.999, 1e-8);
  for (guint k = 0; k < d->n_q; k++)
    {
      d->q_w[k] = srl_weights_new ();
      d->q[k] = srl_mlp_new (d->q_w[k], "", d->in_dim, hidden, n_hidden, 1, SRL_NL_RELU, SRL_NL_LINEAR, B);
      srl_weights_allocate (d->q_w[k]);
      init_network (d->q[k], d->q_w[k], &d->rng, init, final_init);
      d->q_target_w[k] = srl_weights_new_copy (d->q_w[k]);
      d->q_target[k] = srl_mlp_new_sibling (d->q[k], d->q_target_w[k], B);
      d->q_adam[k] = srl_adam_new (d->q_w[k], srl_section_get_double (p, "q_lr"), 0.9, 0.999, 1e-8);
    }

  d->batch = srl_batch_new (B, d->obs_dim, A);
  d->next_act = g_new0 (float, (gsize) B * A);
  d->sa = g_new0 (float, (gsize) B * d->in_dim);
  d->y = g_new0 (float, B);
  d->q_min = g_new0 (float, B);
  d->dq = g_new0 (float, B);
  d->dsa = g_new0 (float, (gsize) B * d->in_dim);
  d->d_act = g_new0 (float, (gsize) B * A);
  d->act_noise = g_new0 (float, MAX ((gsize) B * A, 1));
  d->argmin = g_new0 (guint, B);
  return d;
}

static const SrlStatSpec *
dpg_stat_specs (gpointer p)
{
  return dpg_stats;
}

/* The OU process lives in act()'s per-episode memory, which the core zeroes
 * at each reset (x_0 = 0) and saves in checkpoints. */
static guint
dpg_memory_size (gpointer p)
{
  Dpg *d = p;
  return d->ou ? d->act_dim : 0;
}

static void
dpg_act (gpointer p, SrlRng *rng, SrlActMode mode, const float *obs, guint episode_step, float *memory,
         float *agent_action, float *env_action)
{
  Dpg *d = p;
  const guint A = d->act_dim;
  if (mode == SRL_ACT_RANDOM)
    srl_rng_fill_uniform (rng, agent_action, A, -1.0f, 1.0f);
  else
    {
      memcpy (agent_action, srl_mlp_forward (d->actor, 1, obs), A * sizeof (float));
      if (mode != SRL_ACT_DETERMINISTIC)
        {
          srl_rng_fill_normal (rng, d->act_noise, A);
          for (guint j = 0; j < A; j++)
            {
              float noise = d->sigma * d->act_noise[j];
              if (d->ou)
                noise = memory[j] = memory[j] - d->ou_theta * memory[j] + noise;
              agent_action[j] = CLAMP (agent_action[j] + noise, -1.0f, 1.0f);
            }
        }
    }
  memcpy (env_action, agent_action, A * sizeof (float));
}

/* grad += λ·W on the weight matrices (entries with rows), not the biases. */
static void
add_weight_decay (SrlWeights *w, float lambda)
{
  if (lambda <= 0)
    return;
  const float *data = srl_weights_data_const (w);
  float *grad = srl_weights_grad (w);
  for (guint i = 0; i < srl_weights_n_entries (w); i++)
    {
      gsize offset, rows, cols;
      srl_weights_entry (w, i, &offset, &rows, &cols);
      for (gsize j = offset; rows && j < offset + rows * cols; j++)
        grad[j] += lambda * data[j];
    }
}

/* The actor step: μ ← Adam on −mean Q(s, μ(s)), Q the first critic or the
 * row-wise minimum of all. */
static void
actor_step (Dpg *d, const SrlBatch *b)
{
  const guint B = d->batch_size, A = d->act_dim, O = d->obs_dim, I = d->in_dim;
  const float *mu = srl_mlp_forward (d->actor, B, b->obs);
  guint saturated = 0;
  for (gsize i = 0; i < (gsize) B * A; i++)
    saturated += fabsf (mu[i]) > 0.99f;
  srl_concat_rows (d->sa, b->obs, O, mu, A, B);
  guint n_used = d->policy_min ? d->n_q : 1;
  for (guint k = 0; k < n_used; k++)
    {
      const float *q = srl_mlp_forward (d->q[k], B, d->sa);
      for (guint i = 0; i < B; i++)
        if (k == 0 || q[i] < d->q_min[i])
          {
            d->q_min[i] = q[i];
            d->argmin[i] = k;
          }
    }
  double loss = 0;
  for (guint i = 0; i < B; i++)
    loss -= d->q_min[i];
  /* dJ/dμ(s) = −∂Q_k/∂a of the critic that gave each row's value; every
   * critic's forward cache still holds (s, μ(s)). */
  memset (d->d_act, 0, (gsize) B * A * sizeof (float));
  for (guint k = 0; k < n_used; k++)
    {
      gboolean used = FALSE;
      for (guint i = 0; i < B; i++)
        {
          d->dq[i] = d->argmin[i] == k ? -1.0f / B : 0.0f;
          used |= d->argmin[i] == k;
        }
      if (!used)
        continue;
      srl_mlp_backward (d->q[k], B, d->dq, d->dsa, FALSE);
      for (guint i = 0; i < B; i++)
        for (guint j = 0; j < A; j++)
          d->d_act[(gsize) i * A + j] += d->dsa[(gsize) i * I + O + j];
    }
  srl_weights_zero_grad (d->actor_w);
  srl_mlp_backward (d->actor, B, d->d_act, NULL, TRUE);
  srl_adam_step (d->actor_adam);
  d->last_policy_loss = loss / B;
  d->last_saturation = (double) saturated / ((double) B * A);
}

static gboolean
dpg_update (gpointer p, SrlReplay *replay, double *stats, GError **error)
{
  Dpg *d = p;
  const guint B = d->batch_size, A = d->act_dim, O = d->obs_dim;
  SrlBatch *b = d->batch;
  srl_replay_sample (replay, &d->rng, B, b);

  /* Targets: ã' = μ̄(s') (or μ(s')), smoothed with clipped noise for td3. */
  const float *mu_next = srl_mlp_forward (d->target_actor ? d->actor_target : d->actor, B, b->next_obs);
  memcpy (d->next_act, mu_next, (gsize) B * A * sizeof (float));
  if (d->target_noise > 0)
    {
      srl_rng_fill_normal (&d->rng, d->act_noise, (gsize) B * A);
      for (gsize i = 0; i < (gsize) B * A; i++)
        {
          float eps = CLAMP (d->target_noise * d->act_noise[i], -d->target_noise_clip, d->target_noise_clip);
          d->next_act[i] = CLAMP (d->next_act[i] + eps, -1.0f, 1.0f);
        }
    }
  srl_concat_rows (d->sa, b->next_obs, O, d->next_act, A, B);
  for (guint k = 0; k < d->n_q; k++)
    {
      const float *qt = srl_mlp_forward (d->q_target[k], B, d->sa);
      for (guint i = 0; i < B; i++)
        d->q_min[i] = k == 0 ? qt[i] : MIN (d->q_min[i], qt[i]);
    }
  for (guint i = 0; i < B; i++)
    d->y[i] = srl_bellman_target (b->rew[i], b->terminal[i], d->q_min[i], d->reward_scale, d->discount);

  /* Critic steps. */
  srl_concat_rows (d->sa, b->obs, O, b->act, A, B);
  double q_loss = 0, q_mean = 0;
  for (guint k = 0; k < d->n_q; k++)
    {
      const float *q = srl_mlp_forward (d->q[k], B, d->sa);
      for (guint i = 0; i < B; i++)
        {
          float diff = q[i] - d->y[i];
          q_loss += 0.5 * diff * diff;
          q_mean += q[i];
          d->dq[i] = diff / B;
        }
      srl_weights_zero_grad (d->q_w[k]);
      srl_mlp_backward (d->q[k], B, d->dq, NULL, TRUE);
      add_weight_decay (d->q_w[k], d->weight_decay);
      srl_adam_step (d->q_adam[k]);
    }
  q_loss /= (double) B * d->n_q;
  q_mean /= (double) B * d->n_q;

  /* Delayed actor step, and the targets with it. */
  d->updates++;
  if (d->updates % d->policy_delay == 0)
    {
      actor_step (d, b);
      if ((d->updates / d->policy_delay) % d->target_update_interval == 0)
        {
          for (guint k = 0; k < d->n_q; k++)
            srl_weights_polyak (d->q_target_w[k], d->q_w[k], d->tau);
          if (d->target_actor)
            srl_weights_polyak (d->actor_target_w, d->actor_w, d->tau);
        }
    }

  stats[0] = q_loss;
  stats[1] = d->last_policy_loss;
  stats[2] = q_mean;
  stats[3] = d->last_saturation;
  if (!isfinite (q_loss) || !isfinite (d->last_policy_loss))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_NUMERIC,
                   "update %" G_GUINT64_FORMAT ": critic loss %g, actor loss %g; lower the learning rates or the reward scale",
                   d->updates, q_loss, d->last_policy_loss);
      return FALSE;
    }
  return TRUE;
}

/* SRL_SAVE_POLICY: the actor, all `softrl eval` needs.  SRL_SAVE_FULL adds
 * every other network, target and Adam state, the update stream and counters
 * (the latest actor statistics too, since update() reports them). */
static void
dpg_save (gpointer p, SrlStateWriter *w, SrlSaveScope scope)
{
  Dpg *d = p;
  srl_weights_save (d->actor_w, w, "policy.");
  if (scope == SRL_SAVE_POLICY)
    return;
  srl_weights_save (d->actor_target_w, w, "policy_target.");
  srl_adam_save (d->actor_adam, w, "policy_adam.");
  srl_q_functions_save (d->q_w, d->q_target_w, d->q_adam, d->n_q, w);
  srl_state_writer_put_u64 (w, "rng", d->rng.s, 4);
  srl_state_writer_put_i64_value (w, "updates", (gint64) d->updates);
  srl_state_writer_put_f64_value (w, "last_policy_loss", d->last_policy_loss);
  srl_state_writer_put_f64_value (w, "last_saturation", d->last_saturation);
}

static gboolean
dpg_load (gpointer p, const SrlStateReader *r, SrlSaveScope scope, GError **error)
{
  Dpg *d = p;
  if (!srl_weights_load (d->actor_w, r, "policy.", error))
    return FALSE;
  if (scope == SRL_SAVE_POLICY)
    return TRUE;
  if (!srl_weights_load (d->actor_target_w, r, "policy_target.", error)
      || !srl_adam_load (d->actor_adam, r, "policy_adam.", error))
    return FALSE;
  if (!srl_q_functions_load (d->q_w, d->q_target_w, d->q_adam, d->n_q, r, error))
    return FALSE;
  gint64 updates;
  if (!srl_state_reader_get_u64 (r, "rng", d->rng.s, 4, error)
      || !srl_state_reader_get_i64_value (r, "updates", &updates, error)
      || !srl_state_reader_get_f64_value (r, "last_policy_loss", &d->last_policy_loss, error)
      || !srl_state_reader_get_f64_value (r, "last_saturation", &d->last_saturation, error))
    return FALSE;
  d->updates = (guint64) updates;
  return TRUE;
}

static guint64
dpg_update_flops (gpointer p)
{
  Dpg *d = p;
  /* Per row, F a forward pass: target actor F; per critic target F,
   * forward F, parameter gradients F; every policy_delay updates the actor
   * (forward, gradients: 2F) and the critics it ascends (forward, input
   * gradients: 2F). */
  guint64 fa = srl_mlp_flops_per_row (d->actor), fq = srl_mlp_flops_per_row (d->q[0]);
  guint64 every = fa + d->n_q * 3 * fq;
  guint64 delayed = 2 * fa + (d->policy_min ? d->n_q : 1) * 2 * fq;
  return (guint64) d->batch_size * (every + delayed / d->policy_delay);
}

#define DPG_DESCRIPTOR(name_, doc_, params_)                                                        \
  {                                                                                                \
    .info = SRL_PLUGIN_INFO (SRL_KIND_ALGORITHM, SrlAlgorithmDescriptor, name_, doc_, params_),    \
    .default_sampler = NULL,                                                                       \
    .create = dpg_create,                                                                          \
    .destroy = dpg_destroy,                                                                        \
    .stats = dpg_stat_specs,                                                                       \
    .memory_size = dpg_memory_size,                                                                \
    .act = dpg_act,                                                                                \
    .update = dpg_update,                                                                          \
    .save = dpg_save,                                                                              \
    .load = dpg_load,                                                                              \
    .update_flops = dpg_update_flops,                                                              \
  }

static const SrlAlgorithmDescriptor ddpg_descriptor =
  DPG_DESCRIPTOR ("ddpg", "deep deterministic policy gradient (Lillicrap et al. 2015)", ddpg_params);
static const SrlAlgorithmDescriptor td3_descriptor =
  DPG_DESCRIPTOR ("td3", "twin delayed DDPG (Fujimoto et al. 2018)", td3_params);

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &ddpg_descriptor.info, error)
         && srl_registry_add (registry, &td3_descriptor.info, error);
}

/* Algorithm "sql": soft Q-learning with an amortized Stein sampling network
 * (thesis chapter 3, Algorithm 1, appendix C.1), fine-tuning from a saved
 * run (section 3.4) and policy composition by adding soft Q-functions
 * (chapter 6).
 *
 * One update:
 *   Q-function (Equations 3.8, 3.9):
 *     u_1..u_KV ~ U[−1, 1]^|A| for each s',
 *     V(s') = α log( (1/KV) Σ_j exp(Q̄(s', u_j)/α) · 2^|A| )
 *     y = c·r + γ(1 − d) V(s'),   Q ← Adam on ½(Q(s, a) − y)²
 *   Sampling network (Equations 3.11, 3.12, C.1's estimator), per state s:
 *     M kernel-defining particles a_j = f(ξ_j; s) (held fixed) and K updated
 *     particles ã_l = f(ξ̃_l; s), as the reference code splits one set;
 *     score_j = ∇_a Q(s, a_j)/α + ∇_a Σ log(1 − a_j² + ε)  (the reference's
 *               squash correction; off with squash_correction = false)
 *     h = median_{j,l} ‖a_j − ã_l‖² / (2 log(M + 1))       (C.1)
 *     Δ_l = (1/M) Σ_j [κ(a_j, ã_l) score_j + ∇_{a_j} κ(a_j, ã_l)]
 *     φ ← Adam on the surrogate whose gradient is −(1/(BK)) Σ Δ_l ∂ã_l/∂φ,
 *     pushed back through any reparameterized sampler (srl_sampler_backward).
 *   Q̄ ← τ Q + (1 − τ) Q̄ every target_update_interval updates (C.1: a hard
 *   copy every 1000).
 * The policy step uses the Q-function just updated, as Algorithm 1 orders it.
 * Scaling α and the reward scale c together leaves the policy unchanged;
 * both are parameters.
 *
 * Fine-tuning (init_from, appendix C.1): the Q-function and the sampler
 * start from a saved sql run's policy file; α can be annealed log-linearly
 * to final_alpha over anneal_epochs, and acting can draw ξ from a fixed set
 * of fixed_noise_samples vectors whose number shrinks linearly to 1 over
 * the same epochs.
 *
 * Composition (compose_from, chapter 6): the soft Q-function is the mean
 * (Equation 6.2) or the sum of the constituent runs' Q-functions, frozen;
 * only the sampler is trained, toward exp(Q_Σ/α).  The runner supplies the
 * transitions offline ([experiment] replay_from and offline_updates);
 * `softrl compose` writes such an experiment.
 */
#include <math.h>
#include <string.h>

#include <softrl/softrl.h>

#include "sql-math.h"

#define MAX_PARTS 16
#define SQUASH_EPS 1e-6f
/* Rows per network call when evaluating many particles: small enough for a
 * layer's activations to stay in cache, large enough for sgemm to run near
 * its peak (see `softrl bench update --algorithm sql`). */
#ifndef SQL_CHUNK
#define SQL_CHUNK 1024
#endif

static const SrlParamSpec sql_params[] = {
  SRL_PARAM_INT ("batch_size", "64", 1, 1e6, "states per minibatch (appendix C.1: 64)"),
  SRL_PARAM_DOUBLE ("discount", "0.99", 0, 1, "discount γ (the reference code's 0.99; C.1 gives none)"),
  SRL_PARAM_DOUBLE ("q_lr", "1e-3", 0, 1, "Adam learning rate of the Q-function (C.1: 0.001)"),
  SRL_PARAM_DOUBLE ("policy_lr", "1e-4", 0, 1, "Adam learning rate of the sampling network (C.1: 0.0001)"),
  SRL_PARAM_INT_LIST ("hidden_sizes", "200;200", 1, 65536,
                      "hidden ReLU units of the Q-function (C.1: 2 × 200); the sampling network's are [sampler] "
                      "hidden_sizes"),
  SRL_PARAM_DOUBLE ("alpha", "0.1", 0, SRL_UNBOUNDED,
                    "temperature α (C.1: 10 on multi-goal, 0.1 on the other tasks; 0: conventional Q-learning, the limit α → 0)"),
  SRL_PARAM_DOUBLE ("reward_scale", "1", 0, SRL_UNBOUNDED, "multiplier of rewards (c in y = c·r + γV)"),
  SRL_PARAM_INT ("value_particles", "50", 1, 1e6, "uniform action samples K_V of the soft value (C.1: 50)"),
  SRL_PARAM_INT ("kernel_particles", "32", 1, 1e5,
                 "particles M per state that define the Stein kernel's expectation, held fixed (C.1: 32; 100 on multi-goal)"),
  SRL_PARAM_INT ("updated_particles", "32", 1, 1e5,
                 "particles K per state moved by the Stein direction (C.1: 32; 100 on multi-goal)"),
  SRL_PARAM_BOOL ("squash_correction", "true",
                  "add Σ log(1 − a² + 1e-6) to the sampler's target log-density, as the reference code does"),
  SRL_PARAM_INT ("target_update_interval", "1000", 1, 1e9, "updates between target updates (C.1: 1000)"),
  SRL_PARAM_DOUBLE ("tau", "1", 0, 1, "target update Q̄ ← τQ + (1 − τ)Q̄; 1 is C.1's hard copy, below 1 Polyak averaging"),
  SRL_PARAM_BOOL ("ou_noise", "false",
                  "add Ornstein–Uhlenbeck noise to sampled actions (C.1 does; it then also applies to stochastic evaluation)"),
  SRL_PARAM_DOUBLE ("ou_theta", "0.15", 0, 1, "OU mean reversion θ (C.1: 0.15)"),
  SRL_PARAM_DOUBLE ("ou_sigma", "0.3", 0, SRL_UNBOUNDED, "OU noise scale σ (C.1: 0.3)"),
  SRL_PARAM_CHOICE ("init", "glorot", "glorot|he", "weight initialisation of the Q-function"),
  SRL_PARAM_PATH ("init_from", "", "start the Q-function and the sampler from this sql run directory (fine-tuning, 3.4)"),
  SRL_PARAM_INT ("anneal_epochs", "0", 0, 1e9,
                 "epochs over which α goes log-linearly to final_alpha and the fixed noise set shrinks to 1 (C.1 fine-tuning: 20; 0: off)"),
  SRL_PARAM_DOUBLE ("final_alpha", "0.001", 1e-12, SRL_UNBOUNDED, "α after anneal_epochs epochs (C.1: 0.001)"),
  SRL_PARAM_INT ("fixed_noise_samples", "0", 0, 1e6,
                 "act with ξ drawn from a fixed set of this many vectors K_ξ, reduced linearly to 1 over anneal_epochs (0: fresh ξ)"),
  SRL_PARAM_PATH_LIST ("compose_from", "",
                       "sql run directories whose soft Q-functions are combined and frozen; only the sampler learns (chapter 6)"),
  SRL_PARAM_CHOICE ("compose_mode", "mean", "mean|sum",
                    "combine the constituents' Q-functions by their mean (Equation 6.2) or their sum (the reference code)"),
  SRL_PARAM_END
};

static const SrlStatSpec learn_stats[] = {
  { "q_loss", "½ mean (Q − y)² over the minibatch" },
  { "alpha", "temperature α" },
  { "q_mean", "mean Q of the minibatch actions" },
  { "bellman_error", "mean squared soft Bellman error (Q − y)²" },
  { "kernel_bandwidth", "mean Stein kernel bandwidth h over the minibatch's states" },
  { NULL, NULL }
};

static const SrlStatSpec compose_stats[] = {
  { "alpha", "temperature α" },
  { "q_mean", "mean composed Q_Σ of the minibatch actions" },
  { "kernel_bandwidth", "mean Stein kernel bandwidth h over the minibatch's states" },
  { NULL, NULL }
};

/* One soft Q-function of the sum Q_Σ = Σ weight_p Q_p. */
typedef struct {
  SrlWeights *w;
  SrlMlp *mlp;
  float weight;
} QPart;

typedef struct {
  /* Sizes, written O, A, ND, B, M, K, KV where the updates below use them as
   * appendix C.1 does: observation and action dimensions, the sampling
   * network's noise inputs, minibatch, kernel particles (M), particles
   * moved by SVGD (K) and action samples of the soft value (K_V). */
  guint obs_dim, act_dim, noise_dim, q_input_dim, batch_size, kernel_particles, updated_particles, value_particles;
  guint q_rows; /* rows of the Q networks' workspaces: a minibatch, or a chunk of particles */
  float discount, reward_scale, tau, alpha0, final_alpha, alpha, ou_theta, ou_sigma;
  gboolean learn_q, squash_correction, ou;
  gint64 target_update_interval, anneal_epochs, epochs_done;
  guint fixed_noise_samples, noise_count;
  SrlRng rng;
  guint64 updates;

  SrlSampler *policy;
  SrlAdam *policy_adam;
  guint n_parts;
  QPart parts[MAX_PARTS];  /* the learned Q-function, or the constituents */
  SrlWeights *target_w;    /* learned Q only */
  SrlMlp *target;
  SrlAdam *q_adam;
  float *fixed_noise;      /* [fixed_noise_samples, ND] */

  /* workspaces, sized once */
  SrlBatch *batch;
  float *uniform, *rows, *d_rows, *dy, *qsum, *y;
  float *obs_m, *noise_m, *act_m, *obs_k, *noise_k, *act_k, *score, *d_act;
  float *dist, *kappa, *delta;
  float *act_noise;
} Sql;

/* ------------------------------------------------------------------ helpers */

/* Rows r = first … first + n − 1 of [obs[r / per], act[r]] into out (row r
 * lands at out row r − first): states repeated `per` times beside their
 * actions. */
static void
pair_rows (float *out, const float *obs, guint O, guint per, const float *act, guint A, guint first, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      guint r = first + i;
      memcpy (out + (gsize) i * (O + A), obs + (gsize) (r / per) * O, O * sizeof (float));
      memcpy (out + (gsize) i * (O + A) + O, act + (gsize) r * A, A * sizeof (float));
    }
}

/* Each state repeated `per` times. */
static void
repeat_rows (float *out, const float *obs, guint O, guint per, guint n_states)
{
  for (guint i = 0; i < n_states; i++)
    for (guint j = 0; j < per; j++)
      memcpy (out + ((gsize) i * per + j) * O, obs + (gsize) i * O, O * sizeof (float));
}

/* Q_Σ at the n rows [obs[r / per], act[r]], in pieces of q_rows rows. */
static void
qsum_forward (Sql *s, guint n, const float *obs, guint per, const float *act, float *out)
{
  for (guint first = 0; first < n; first += s->q_rows)
    {
      guint rows = MIN (n - first, s->q_rows);
      pair_rows (s->rows, obs, s->obs_dim, per, act, s->act_dim, first, rows);
      for (guint p = 0; p < s->n_parts; p++)
        {
          const float *q = srl_mlp_forward (s->parts[p].mlp, rows, s->rows);
          for (guint r = 0; r < rows; r++)
            out[first + r] = (p ? out[first + r] : 0.0f) + s->parts[p].weight * q[r];
        }
    }
}

/* scale · ∇_a Q_Σ at the n rows [obs[r / per], act[r]], into grad [n, A]. */
static void
qsum_action_grad (Sql *s, guint n, const float *obs, guint per, const float *act, float scale, float *grad)
{
  memset (grad, 0, (gsize) n * s->act_dim * sizeof (float));
  for (guint first = 0; first < n; first += s->q_rows)
    {
      guint rows = MIN (n - first, s->q_rows);
      pair_rows (s->rows, obs, s->obs_dim, per, act, s->act_dim, first, rows);
      for (guint p = 0; p < s->n_parts; p++)
        {
          srl_mlp_forward (s->parts[p].mlp, rows, s->rows);
          float c = scale * s->parts[p].weight;
          for (guint r = 0; r < rows; r++)
            s->dy[r] = c;
          srl_mlp_backward_input_cols (s->parts[p].mlp, rows, s->dy, s->d_rows, s->obs_dim, s->act_dim, FALSE);
          float *g = grad + (gsize) first * s->act_dim;
          for (gsize i = 0; i < (gsize) rows * s->act_dim; i++)
            g[i] += s->d_rows[i];
        }
    }
}

/* α and the fixed noise set's size after `epochs_done` epochs (C.1). */
static void
apply_schedule (Sql *s)
{
  double t = s->anneal_epochs > 0 ? MIN (1.0, (double) s->epochs_done / (double) s->anneal_epochs) : 0.0;
  s->alpha = s->anneal_epochs > 0 ? (float) exp (log (s->alpha0) + t * (log (s->final_alpha) - log (s->alpha0)))
                                  : s->alpha0;
  if (s->fixed_noise_samples)
    {
      double k = s->fixed_noise_samples - t * (s->fixed_noise_samples - 1.0);
      s->noise_count = (guint) MAX (1.0, floor (k + 0.5));
    }
}

static char *
describe_spaces (const SrlEnvSpec *e)
{
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "observations of size %u, actions of size %u in ", e->obs_dim, e->act_dim);
  for (guint i = 0; i < e->act_dim; i++)
    g_string_append_printf (s, "%s[%g, %g]", i ? "×" : "", e->act_low[i], e->act_high[i]);
  return g_string_free (s, FALSE);
}

static gboolean
same_spaces (const SrlEnvSpec *a, const SrlEnvSpec *b)
{
  if (a->obs_dim != b->obs_dim || a->act_dim != b->act_dim)
    return FALSE;
  for (guint i = 0; i < a->act_dim; i++)
    if (a->act_low[i] != b->act_low[i] || a->act_high[i] != b->act_high[i])
      return FALSE;
  return TRUE;
}

/* Open the saved sql run `dir` named by parameter `key`: its resolved
 * experiment and its policy file (sampler and Q-function).  Refused unless
 * the run is an sql run on an environment with this experiment's spaces. */
static gboolean
open_run (const SrlAlgorithmContext *ctx, const char *key, const char *dir, SrlExperiment **x_out,
          SrlStateReader **reader_out, GError **error)
{
  const SrlSection *p = ctx->params;
  g_autoptr (GError) local = NULL;
  if (!ctx->registry)
    return srl_section_error (p, key, error, "no plugin registry to read %s with", dir);
  g_autoptr (SrlExperiment) x = srl_experiment_load_run (ctx->registry, dir, NULL, &local);
  if (!x)
    return srl_section_error (p, key, error, "%s", local->message);
  const char *algorithm = srl_experiment_algorithm (x)->info.name;
  if (strcmp (algorithm, "sql") != 0)
    return srl_section_error (p, key, error, "%s was trained by %s; soft Q-functions come from sql runs", dir,
                              algorithm);
  g_autoptr (SrlEnv) env = srl_env_new (srl_experiment_env (x), srl_experiment_section (x, "env"), &local);
  if (!env)
    return srl_section_error (p, key, error, "%s: %s", dir, local->message);
  if (!same_spaces (srl_env_spec (env), ctx->env))
    {
      g_autofree char *theirs = describe_spaces (srl_env_spec (env));
      g_autofree char *ours = describe_spaces (ctx->env);
      return srl_section_error (p, key, error,
                                "%s was trained on %s with %s, but this experiment's environment has %s: "
                                "their observation or action spaces differ",
                                dir, srl_experiment_env (x)->info.name, theirs, ours);
    }
  g_autofree char *policy = g_build_filename (dir, SRL_RUN_POLICY, NULL);
  SrlStateReader *reader = srl_state_reader_open (policy, &local);
  if (!reader)
    return srl_section_error (p, key, error, "%s", local->message);
  *x_out = g_steal_pointer (&x);
  *reader_out = reader;
  return TRUE;
}

/* Load the weights of `weights` from `reader` under `prefix`, naming the
 * parameter and the run when they do not fit. */
static gboolean
load_run_weights (const SrlSection *p, const char *key, const char *dir, SrlWeights *weights,
                  const SrlStateReader *reader, const char *prefix, GError **error)
{
  g_autoptr (GError) local = NULL;
  if (srl_weights_load (weights, reader, prefix, &local))
    return TRUE;
  return srl_section_error (p, key, error, "the networks of %s do not fit this experiment's: %s", dir, local->message);
}

static gboolean
init_from_run (Sql *s, const SrlAlgorithmContext *ctx, const char *dir, GError **error)
{
  const SrlSection *p = ctx->params;
  g_autoptr (SrlExperiment) x = NULL;
  g_autoptr (SrlStateReader) reader = NULL;
  if (!open_run (ctx, "init_from", dir, &x, &reader, error))
    return FALSE;
  const char *const *theirs = srl_section_get_string_list (srl_experiment_section (x, "algorithm"), "compose_from", NULL);
  if (theirs && theirs[0])
    return srl_section_error (p, "init_from", error, "%s is a composition; start from one of its constituents", dir);
  const SrlSamplerFactory *their_sampler = srl_experiment_sampler (x);
  const char *ours = ctx->sampler->descriptor->info.name;
  if (!their_sampler || strcmp (their_sampler->descriptor->info.name, ours) != 0)
    return srl_section_error (p, "init_from", error, "%s used sampler %s, this experiment %s", dir,
                              their_sampler ? their_sampler->descriptor->info.name : "(none)", ours);
  return load_run_weights (p, "init_from", dir, srl_sampler_weights (s->policy), reader, "policy.", error)
         && load_run_weights (p, "init_from", dir, s->parts[0].w, reader, "q.", error);
}

static gboolean
compose_from_runs (Sql *s, const SrlAlgorithmContext *ctx, const char *const *dirs, guint n, GError **error)
{
  const SrlSection *p = ctx->params;
  if (n > MAX_PARTS)
    return srl_section_error (p, "compose_from", error, "at most %d runs", MAX_PARTS);
  gboolean sum = strcmp (srl_section_get_string (p, "compose_mode"), "sum") == 0;
  for (guint c = 0; c < n; c++)
    {
      g_autoptr (SrlExperiment) x = NULL;
      g_autoptr (SrlStateReader) reader = NULL;
      if (!open_run (ctx, "compose_from", dirs[c], &x, &reader, error))
        return FALSE;
      const SrlSection *theirs = srl_experiment_section (x, "algorithm");
      const char *const *nested = srl_section_get_string_list (theirs, "compose_from", NULL);
      if (nested && nested[0])
        return srl_section_error (p, "compose_from", error, "%s is itself a composition; name its constituents",
                                  dirs[c]);
      guint hidden[64], n_hidden;
      if (!srl_section_get_sizes (theirs, "hidden_sizes", hidden, G_N_ELEMENTS (hidden), &n_hidden, error))
        return FALSE;
      QPart *part = &s->parts[s->n_parts++];
      part->w = srl_weights_new ();
      part->mlp = srl_mlp_new (part->w, "", s->q_input_dim, hidden, n_hidden, 1, SRL_NL_RELU, SRL_NL_LINEAR, s->q_rows);
      srl_weights_allocate (part->w);
      part->weight = sum ? 1.0f : 1.0f / (float) n;
      if (!load_run_weights (p, "compose_from", dirs[c], part->w, reader, "q.", error))
        return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ lifecycle */

static void
sql_destroy (gpointer p)
{
  Sql *s = p;
  srl_sampler_free (s->policy);
  srl_adam_free (s->policy_adam);
  for (guint i = 0; i < s->n_parts; i++)
    {
      srl_mlp_free (s->parts[i].mlp);
      srl_weights_free (s->parts[i].w);
    }
  srl_mlp_free (s->target);
  srl_weights_free (s->target_w);
  srl_adam_free (s->q_adam);
  srl_batch_free (s->batch);
  float **buffers[] = { &s->fixed_noise, &s->uniform, &s->rows, &s->d_rows, &s->dy, &s->qsum, &s->y,
                        &s->obs_m, &s->noise_m, &s->act_m, &s->obs_k, &s->noise_k, &s->act_k, &s->score,
                        &s->d_act, &s->dist, &s->kappa, &s->delta, &s->act_noise };
  for (guint i = 0; i < G_N_ELEMENTS (buffers); i++)
    g_free (*buffers[i]);
  g_free (s);
}

static gpointer
sql_create (const SrlAlgorithmContext *ctx, GError **error)
{
  const SrlSection *p = ctx->params;
  guint hidden[64], n_hidden;
  if (!srl_section_get_sizes (p, "hidden_sizes", hidden, G_N_ELEMENTS (hidden), &n_hidden, error))
    return NULL;
  const char *init_from = srl_section_get_string (p, "init_from");
  guint n_compose = 0;
  const char *const *compose = srl_section_get_string_list (p, "compose_from", &n_compose);
  if (*init_from && n_compose)
    {
      srl_section_error (p, "init_from", error, "cannot be combined with compose_from");
      return NULL;
    }
  if (ctx->env->act_dim == 0)
    {
      srl_section_error (p, NULL, error, "sql needs at least one action dimension");
      return NULL;
    }

  Sql *s = g_new0 (Sql, 1);
  s->obs_dim = ctx->env->obs_dim;
  s->act_dim = ctx->env->act_dim;
  s->q_input_dim = s->obs_dim + s->act_dim;
  s->batch_size = (guint) srl_section_get_int (p, "batch_size");
  s->kernel_particles = (guint) srl_section_get_int (p, "kernel_particles");
  s->updated_particles = (guint) srl_section_get_int (p, "updated_particles");
  s->value_particles = (guint) srl_section_get_int (p, "value_particles");
  s->q_rows = MAX (s->batch_size, MIN (s->batch_size * MAX (s->kernel_particles, s->value_particles), SQL_CHUNK));
  s->discount = (float) srl_section_get_double (p, "discount");
  s->reward_scale = (float) srl_section_get_double (p, "reward_scale");
  s->tau = (float) srl_section_get_double (p, "tau");
  s->target_update_interval = srl_section_get_int (p, "target_update_interval");
  s->alpha0 = (float) srl_section_get_double (p, "alpha");
  s->final_alpha = (float) srl_section_get_double (p, "final_alpha");
  s->anneal_epochs = srl_section_get_int (p, "anneal_epochs");
  s->fixed_noise_samples = (guint) srl_section_get_int (p, "fixed_noise_samples");
  if (s->anneal_epochs > 0 && s->alpha0 <= 0)
    {
      srl_section_error (p, "anneal_epochs", error, "α is annealed log-linearly, which needs alpha > 0");
      sql_destroy (s);
      return NULL;
    }
  s->squash_correction = srl_section_get_bool (p, "squash_correction");
  s->ou = srl_section_get_bool (p, "ou_noise");
  s->ou_theta = (float) srl_section_get_double (p, "ou_theta");
  s->ou_sigma = (float) srl_section_get_double (p, "ou_sigma");
  s->learn_q = n_compose == 0;
  SrlInit init = strcmp (srl_section_get_string (p, "init"), "he") == 0 ? SRL_INIT_HE_UNIFORM
                                                                        : SRL_INIT_GLOROT_UNIFORM;
  srl_rng_init_stream (&s->rng, ctx->seed, 0x5a1);

  /* The sampling network draws every particle of a minibatch in one call. */
  SrlSamplerShape shape = { s->obs_dim, s->act_dim, s->batch_size * MAX (s->kernel_particles, s->updated_particles), TRUE };
  s->policy = srl_sampler_new (ctx->sampler, &shape, &s->rng, error);
  if (!s->policy)
    {
      sql_destroy (s);
      return NULL;
    }
  s->noise_dim = srl_sampler_noise_dim (s->policy);
  s->policy_adam = srl_adam_new (srl_sampler_weights (s->policy), srl_section_get_double (p, "policy_lr"), 0.9,
                                 0.999, 1e-8);
  if (s->learn_q)
    {
      QPart *q = &s->parts[s->n_parts++];
      q->w = srl_weights_new ();
      q->mlp = srl_mlp_new (q->w, "", s->q_input_dim, hidden, n_hidden, 1, SRL_NL_RELU, SRL_NL_LINEAR, s->q_rows);
      srl_weights_allocate (q->w);
      srl_mlp_init (q->mlp, &s->rng, init);
      q->weight = 1.0f;
      if (*init_from && !init_from_run (s, ctx, init_from, error))
        {
          sql_destroy (s);
          return NULL;
        }
      s->target_w = srl_weights_new_copy (q->w);
      s->target = srl_mlp_new_sibling (q->mlp, s->target_w, s->q_rows);
      s->q_adam = srl_adam_new (q->w, srl_section_get_double (p, "q_lr"), 0.9, 0.999, 1e-8);
    }
  else if (!compose_from_runs (s, ctx, compose, n_compose, error))
    {
      sql_destroy (s);
      return NULL;
    }
  if (s->fixed_noise_samples)
    {
      s->fixed_noise = g_new (float, (gsize) s->fixed_noise_samples * s->noise_dim);
      srl_rng_fill_normal (&s->rng, s->fixed_noise, (gsize) s->fixed_noise_samples * s->noise_dim);
    }
  apply_schedule (s);

  const guint B = s->batch_size, A = s->act_dim, O = s->obs_dim;
  const guint M = s->kernel_particles, K = s->updated_particles, ND = s->noise_dim;
  s->batch = srl_batch_new (B, O, A);
  s->uniform = g_new0 (float, (gsize) B * s->value_particles * A);
  s->rows = g_new0 (float, (gsize) s->q_rows * s->q_input_dim);
  s->d_rows = g_new0 (float, (gsize) s->q_rows * s->q_input_dim);
  s->dy = g_new0 (float, s->q_rows);
  s->qsum = g_new0 (float, (gsize) B * MAX (s->kernel_particles, s->value_particles));
  s->y = g_new0 (float, B);
  s->obs_m = g_new0 (float, (gsize) B * M * O);
  s->noise_m = g_new0 (float, (gsize) B * M * ND);
  s->act_m = g_new0 (float, (gsize) B * M * A);
  s->obs_k = g_new0 (float, (gsize) B * K * O);
  s->noise_k = g_new0 (float, (gsize) B * K * ND);
  s->act_k = g_new0 (float, (gsize) B * K * A);
  s->score = g_new0 (float, (gsize) B * M * A);
  s->d_act = g_new0 (float, (gsize) B * K * A);
  s->dist = g_new0 (float, (gsize) M * K);
  s->kappa = g_new0 (float, (gsize) M * K);
  s->delta = g_new0 (float, (gsize) K * A);
  s->act_noise = g_new0 (float, MAX (ND, A));
  return s;
}

static const SrlStatSpec *
sql_stat_specs (gpointer p)
{
  return ((Sql *) p)->learn_q ? learn_stats : compose_stats;
}

static guint
sql_memory_size (gpointer p)
{
  Sql *s = p;
  return s->ou ? s->act_dim : 0;
}

static void
sql_act (gpointer p, SrlRng *rng, SrlActMode mode, const float *obs, guint episode_step, float *memory,
         float *agent_action, float *env_action)
{
  Sql *s = p;
  const guint A = s->act_dim;
  if (mode == SRL_ACT_RANDOM)
    srl_rng_fill_uniform (rng, agent_action, A, -1.0f, 1.0f);
  else
    {
      if (mode == SRL_ACT_DETERMINISTIC)
        memset (s->act_noise, 0, s->noise_dim * sizeof (float));
      else if (s->noise_count)
        memcpy (s->act_noise, s->fixed_noise + srl_rng_below (rng, s->noise_count) * s->noise_dim, s->noise_dim * sizeof (float));
      else
        srl_rng_fill_normal (rng, s->act_noise, s->noise_dim);
      srl_sampler_sample (s->policy, 1, obs, s->act_noise, agent_action, NULL);
      if (mode == SRL_ACT_STOCHASTIC && s->ou)
        /* Ornstein–Uhlenbeck with unit time step: x ← x − θx + σ ε; in
         * training only (not SRL_ACT_EVAL_STOCHASTIC). */
        for (guint j = 0; j < A; j++)
          {
            memory[j] += -s->ou_theta * memory[j] + s->ou_sigma * (float) srl_rng_normal (rng);
            agent_action[j] = CLAMP (agent_action[j] + memory[j], -1.0f, 1.0f);
          }
    }
  memcpy (env_action, agent_action, A * sizeof (float));
}

/* ------------------------------------------------------------------ update */

/* The Q-function step (Equations 3.8, 3.9); writes q_loss, q_mean and the
 * mean squared Bellman error. */
static void
q_step (Sql *s, const SrlBatch *b, double *q_loss, double *q_mean, double *bellman)
{
  const guint B = s->batch_size, A = s->act_dim, O = s->obs_dim, KV = s->value_particles;
  QPart *q = &s->parts[0];
  srl_rng_fill_uniform (&s->rng, s->uniform, (gsize) B * KV * A, -1.0f, 1.0f);
  for (guint first = 0; first < B * KV; first += s->q_rows)
    {
      guint rows = MIN (B * KV - first, s->q_rows);
      pair_rows (s->rows, b->next_obs, O, KV, s->uniform, A, first, rows);
      const float *qt = srl_mlp_forward (s->target, rows, s->rows);
      memcpy (s->qsum + first, qt, rows * sizeof (float));
    }
  for (guint i = 0; i < B; i++)
    {
      float v = sql_soft_value (s->qsum + (gsize) i * KV, KV, s->alpha, A);
      s->y[i] = srl_bellman_target (b->rew[i], b->terminal[i], v, s->reward_scale, s->discount);
    }
  pair_rows (s->rows, b->obs, O, 1, b->act, A, 0, B);
  const float *qv = srl_mlp_forward (q->mlp, B, s->rows);
  double sq = 0, mean = 0;
  for (guint i = 0; i < B; i++)
    {
      float diff = qv[i] - s->y[i];
      sq += (double) diff * diff;
      mean += qv[i];
      s->dy[i] = diff / B;
    }
  srl_weights_zero_grad (q->w);
  srl_mlp_backward (q->mlp, B, s->dy, NULL, TRUE);
  srl_adam_step (s->q_adam);
  *bellman = sq / B;
  *q_loss = 0.5 * sq / B;
  *q_mean = mean / B;
}

/* The sampling network's Stein step; returns the mean kernel bandwidth. */
static double
policy_step (Sql *s, const SrlBatch *b)
{
  const guint B = s->batch_size, A = s->act_dim, O = s->obs_dim;
  const guint M = s->kernel_particles, K = s->updated_particles, ND = s->noise_dim;
  /* Kernel-defining particles first (held fixed), then the updated ones,
   * whose sample() call backward() goes through. */
  repeat_rows (s->obs_m, b->obs, O, M, B);
  srl_rng_fill_normal (&s->rng, s->noise_m, (gsize) B * M * ND);
  for (guint first = 0; first < B * M; first += SQL_CHUNK)
    srl_sampler_sample (s->policy, MIN (B * M - first, SQL_CHUNK), s->obs_m + (gsize) first * O,
                        s->noise_m + (gsize) first * ND, s->act_m + (gsize) first * A, NULL);
  repeat_rows (s->obs_k, b->obs, O, K, B);
  srl_rng_fill_normal (&s->rng, s->noise_k, (gsize) B * K * ND);
  srl_sampler_sample (s->policy, B * K, s->obs_k, s->noise_k, s->act_k, NULL);

  /* Equation 3.11: κ ∇_a Q + α ∇κ, i.e. α times the Stein direction toward
   * exp(Q/α) (whose score includes α⁻¹ times the squash correction's
   * gradient), which keeps α = 0 defined. */
  qsum_action_grad (s, B * M, b->obs, M, s->act_m, 1.0f, s->score);
  if (s->squash_correction)
    for (gsize i = 0; i < (gsize) B * M * A; i++)
      s->score[i] += -2.0f * s->alpha * s->act_m[i] / (1.0f - s->act_m[i] * s->act_m[i] + SQUASH_EPS);

  double h_sum = 0;
  const float scale = -1.0f / ((float) B * K);
  for (guint i = 0; i < B; i++)
    {
      const float *x = s->act_m + (gsize) i * M * A, *y = s->act_k + (gsize) i * K * A;
      sql_pairwise_sq_dist (x, M, y, K, A, s->dist);
      float h = sql_kernel_bandwidth (s->dist, M, K);
      h_sum += h;
      sql_stein_direction (x, s->score + (gsize) i * M * A, M, y, K, A, s->dist, h, s->alpha, s->kappa, s->delta);
      float *d = s->d_act + (gsize) i * K * A;
      for (guint c = 0; c < K * A; c++)
        d[c] = scale * s->delta[c];
    }
  SrlWeights *pw = srl_sampler_weights (s->policy);
  srl_weights_zero_grad (pw);
  srl_sampler_backward (s->policy, B * K, s->d_act, NULL, NULL);
  srl_adam_step (s->policy_adam);
  return h_sum / B;
}

static gboolean
sql_update (gpointer p, SrlReplay *replay, double *stats, GError **error)
{
  Sql *s = p;
  SrlBatch *b = s->batch;
  srl_replay_sample (replay, &s->rng, s->batch_size, b);
  double q_loss = 0, q_mean = 0, bellman = 0;
  if (s->learn_q)
    q_step (s, b, &q_loss, &q_mean, &bellman);
  else
    {
      qsum_forward (s, s->batch_size, b->obs, 1, b->act, s->qsum);
      for (guint i = 0; i < s->batch_size; i++)
        q_mean += s->qsum[i];
      q_mean /= s->batch_size;
    }
  double h = policy_step (s, b);
  s->updates++;
  if (s->learn_q && s->updates % s->target_update_interval == 0)
    srl_weights_polyak (s->target_w, s->parts[0].w, s->tau);

  if (s->learn_q)
    {
      stats[0] = q_loss;
      stats[1] = s->alpha;
      stats[2] = q_mean;
      stats[3] = bellman;
      stats[4] = h;
    }
  else
    {
      stats[0] = s->alpha;
      stats[1] = q_mean;
      stats[2] = h;
    }
  if (!isfinite (q_loss) || !isfinite (q_mean) || !isfinite (h))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_NUMERIC,
                   "update %" G_GUINT64_FORMAT ": Q loss %g, mean Q %g, kernel bandwidth %g; lower the learning rates "
                   "or the reward scale",
                   s->updates, q_loss, q_mean, h);
      return FALSE;
    }
  return TRUE;
}

static void
sql_end_epoch (gpointer p, guint epoch)
{
  Sql *s = p;
  s->epochs_done = (gint64) epoch + 1;
  apply_schedule (s);
}

/* ------------------------------------------------------------------ state */

static void
part_prefix (const Sql *s, guint i, char *buf, gsize size)
{
  if (s->learn_q)
    g_strlcpy (buf, "q.", size);
  else
    g_snprintf (buf, size, "q_c%u.", i);
}

static void
sql_save (gpointer p, SrlStateWriter *w, SrlSaveScope scope)
{
  Sql *s = p;
  /* The policy is the sampler and the soft Q-function it samples from
   * (figures draw Q; fine-tuning and composition start from it). */
  srl_weights_save (srl_sampler_weights (s->policy), w, "policy.");
  for (guint i = 0; i < s->n_parts; i++)
    {
      char prefix[32];
      part_prefix (s, i, prefix, sizeof prefix);
      srl_weights_save (s->parts[i].w, w, prefix);
    }
  if (s->fixed_noise)
    srl_state_writer_put_f32 (w, "fixed_noise", s->fixed_noise, (gsize) s->fixed_noise_samples * s->noise_dim);
  srl_state_writer_put_i64_value (w, "epochs_done", s->epochs_done);
  if (scope == SRL_SAVE_POLICY)
    return;
  srl_adam_save (s->policy_adam, w, "policy_adam.");
  if (s->learn_q)
    {
      srl_weights_save (s->target_w, w, "q_target.");
      srl_adam_save (s->q_adam, w, "q_adam.");
    }
  srl_state_writer_put_u64 (w, "rng", s->rng.s, 4);
  srl_state_writer_put_i64_value (w, "updates", (gint64) s->updates);
}

static gboolean
sql_load (gpointer p, const SrlStateReader *r, SrlSaveScope scope, GError **error)
{
  Sql *s = p;
  if (!srl_weights_load (srl_sampler_weights (s->policy), r, "policy.", error))
    return FALSE;
  for (guint i = 0; i < s->n_parts; i++)
    {
      char prefix[32];
      part_prefix (s, i, prefix, sizeof prefix);
      if (!srl_weights_load (s->parts[i].w, r, prefix, error))
        return FALSE;
    }
  if (s->fixed_noise
      && !srl_state_reader_get_f32 (r, "fixed_noise", s->fixed_noise, (gsize) s->fixed_noise_samples * s->noise_dim, error))
    return FALSE;
  if (!srl_state_reader_get_i64_value (r, "epochs_done", &s->epochs_done, error))
    return FALSE;
  apply_schedule (s);
  if (scope == SRL_SAVE_POLICY)
    return TRUE;
  gint64 updates;
  if (!srl_adam_load (s->policy_adam, r, "policy_adam.", error)
      || (s->learn_q && (!srl_weights_load (s->target_w, r, "q_target.", error)
                         || !srl_adam_load (s->q_adam, r, "q_adam.", error)))
      || !srl_state_reader_get_u64 (r, "rng", s->rng.s, 4, error)
      || !srl_state_reader_get_i64_value (r, "updates", &updates, error))
    return FALSE;
  s->updates = (guint64) updates;
  return TRUE;
}

/* ------------------------------------------------------------------ tools */

static gboolean
sql_q_values (gpointer p, guint n, const float *obs, const float *act, float *q)
{
  qsum_forward (p, n, obs, 1, act, q);
  return TRUE;
}

/* The matrix products one update needs, with F the flops of one row
 * through the soft Q-function (the sum of the parts' when composed), F₀
 * those of its first layer (inputs [s, a]) and F₀·|A|/|s, a| of that
 * layer's action columns; W and W₀ the same for the sampling network:
 *   soft values: B·K_V target passes F;
 *   Q step: B passes F, weight gradients F, input gradients down to the
 *     first layer F − F₀ (composition: only the B passes, for q_mean);
 *   sampler: B·M kernel-defining particles (pass W; Q pass F and action
 *     gradient F − F₀ + F₀·|A|/|s, a|) and B·K updated ones (pass W,
 *     weight gradient W, input gradient down to the first layer W − W₀).
 * Not counted: biases, activations, the kernel and Stein sums, Adam. */
static guint64
sql_update_flops (gpointer p)
{
  Sql *s = p;
  guint64 f = 0, f0 = 0, w0;
  for (guint i = 0; i < s->n_parts; i++)
    {
      guint64 first;
      f += srl_weights_flops_per_row (s->parts[i].w, &first);
      f0 += first;
    }
  guint64 w = srl_weights_flops_per_row (srl_sampler_weights (s->policy), &w0);
  guint64 B = s->batch_size, BM = B * s->kernel_particles, BK = B * s->updated_particles;
  guint64 q = s->learn_q ? B * s->value_particles * f + B * (3 * f - f0) : B * f;
  return q + BM * (w + 2 * f - f0 + f0 * s->act_dim / s->q_input_dim) + BK * (3 * w - w0);
}

static const SrlAlgorithmDescriptor sql_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_ALGORITHM, SrlAlgorithmDescriptor, "sql",
                           "soft Q-learning with an amortized Stein sampler; fine-tuning and composition (ch. 3, 6)",
                           sql_params),
  .required_sampler_flags = SRL_SAMPLER_REPARAMETERIZED,
  .default_sampler = "svgd",
  .create = sql_create,
  .destroy = sql_destroy,
  .stats = sql_stat_specs,
  .memory_size = sql_memory_size,
  .act = sql_act,
  .update = sql_update,
  .end_epoch = sql_end_epoch,
  .save = sql_save,
  .load = sql_load,
  .update_flops = sql_update_flops,
  .q_values = sql_q_values,
};

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &sql_descriptor.info, error);
}

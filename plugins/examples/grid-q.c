/* Example algorithm "grid-q", built outside softrl against its installed SDK
 * (see README.md in this folder and plugins/WRITING-PLUGINS.md):
 *
 *     cc -shared -fPIC grid-q.c -o grid-q.so $(pkg-config --cflags --libs softrl)
 *
 * Deep Q-learning (Mnih et al. 2015) over a grid of actions: each action
 * dimension takes `bins` evenly spaced values in [−1, 1], and a network maps
 * an observation to the Q-values of all K = bins^act_dim grid actions.
 *   act:     the greedy grid action; exploring, with probability ε a random
 *            grid action held for 1 … max_hold steps (temporally extended
 *            ε-greedy as in Dabney et al. 2021, with uniform durations), the
 *            held action kept in act()'s per-episode memory
 *   update:  y = r + γ(1 − d)·max_k Q̄(s')_k,  Q ← Adam on ½(Q(s)_k(a) − y)²,
 *            k(a) the grid action nearest to the stored action;
 *            Q̄ ← Q every target_update_interval updates
 * It shows every part of an algorithm plugin on the SDK alone: declared
 * parameters and a relation checked in create(), workspaces sized once,
 * the three act modes, per-episode memory, an update on the core's replay
 * with SrlMlp, SrlWeights and SrlAdam, statistics, and state saved for exact
 * resume.
 */
#include <math.h>
#include <string.h>

#include <softrl/softrl.h>

#define MAX_ACTIONS 4096

static const SrlParamSpec grid_q_params[] = {
  SRL_PARAM_INT ("bins", "5", 2, 101, "values per action dimension, evenly spaced in [−1, 1]"),
  SRL_PARAM_INT ("batch_size", "64", 1, 1e6, "transitions per minibatch"),
  SRL_PARAM_DOUBLE ("discount", "0.99", 0, 1, "discount γ"),
  SRL_PARAM_DOUBLE ("lr", "1e-3", 0, 1, "Adam learning rate"),
  SRL_PARAM_INT_LIST ("hidden_sizes", "64;64", 1, 65536, "hidden ReLU units"),
  SRL_PARAM_INT ("target_update_interval", "500", 1, 1e9, "updates between copies into the target network"),
  SRL_PARAM_DOUBLE ("epsilon", "0.1", 0, 1, "probability of starting a random action when exploring"),
  SRL_PARAM_INT ("max_hold", "4", 1, 1000, "a random action is held for 1 … max_hold steps"),
  SRL_PARAM_END
};

/* progress.csv gets q_loss in its standard column and q_mean as its own. */
static const SrlStatSpec grid_q_stats[] = {
  { "q_loss", "½(Q(s)_k(a) − y)² on the minibatch" },
  { "q_mean", "mean Q(s)_k(a) of the minibatch" },
  { NULL, NULL }
};

typedef struct {
  guint obs_dim, act_dim, bins, n_actions, batch_size, max_hold;
  float discount, epsilon;
  gint64 target_update_interval;
  SrlRng rng; /* update()'s own stream (minibatches), saved with the state */
  guint64 updates;
  SrlWeights *q_w, *target_w;
  SrlMlp *q, *target;
  SrlAdam *adam;
  SrlBatch *batch;
  float *y;  /* [batch] */
  float *dq; /* [batch, n_actions] */
} GridQ;

/* Grid action k → its action vector. */
static void
grid_action (const GridQ *g, guint k, float *action)
{
  for (guint j = 0; j < g->act_dim; j++, k /= g->bins)
    action[j] = -1.0f + 2.0f * (float) (k % g->bins) / (float) (g->bins - 1);
}

/* Action vector → index of the nearest grid action. */
static guint
grid_index (const GridQ *g, const float *action)
{
  guint k = 0;
  for (int j = (int) g->act_dim - 1; j >= 0; j--)
    {
      float x = CLAMP (action[j], -1.0f, 1.0f);
      k = k * g->bins + (guint) lrintf ((x + 1.0f) * 0.5f * (float) (g->bins - 1));
    }
  return k;
}

static guint
argmax (const float *q, guint n)
{
  guint best = 0;
  for (guint k = 1; k < n; k++)
    if (q[k] > q[best])
      best = k;
  return best;
}

static void
grid_q_destroy (gpointer p)
{
  GridQ *g = p;
  srl_mlp_free (g->q);
  srl_mlp_free (g->target);
  srl_adam_free (g->adam);
  srl_weights_free (g->q_w);
  srl_weights_free (g->target_w);
  srl_batch_free (g->batch);
  g_free (g->y);
  g_free (g->dq);
  g_free (g);
}

static gpointer
grid_q_create (const SrlAlgorithmContext *ctx, GError **error)
{
  const SrlSection *p = ctx->params;
  guint bins = (guint) srl_section_get_int (p, "bins");
  /* A relation the parameter table cannot express: refuse it like the core
   * would, naming the file, the group and the key. */
  double n_actions = pow (bins, ctx->env->act_dim);
  if (n_actions > MAX_ACTIONS)
    {
      srl_section_error (p, "bins", error, "%u^%u = %.0f grid actions; at most %d fit (lower bins)", bins,
                         ctx->env->act_dim, n_actions, MAX_ACTIONS);
      return NULL;
    }
  guint hidden[16], n_hidden;
  if (!srl_section_get_sizes (p, "hidden_sizes", hidden, G_N_ELEMENTS (hidden), &n_hidden, error))
    return NULL;

  GridQ *g = g_new0 (GridQ, 1);
  g->obs_dim = ctx->env->obs_dim;
  g->act_dim = ctx->env->act_dim;
  g->bins = bins;
  g->n_actions = (guint) n_actions;
  g->batch_size = (guint) srl_section_get_int (p, "batch_size");
  g->discount = (float) srl_section_get_double (p, "discount");
  g->epsilon = (float) srl_section_get_double (p, "epsilon");
  g->max_hold = (guint) srl_section_get_int (p, "max_hold");
  g->target_update_interval = srl_section_get_int (p, "target_update_interval");
  /* All randomness derives from the seed the core gives; a stream of our own. */
  srl_rng_init_stream (&g->rng, ctx->seed, 0x9e1d);

  /* The network: declared in an SrlWeights, allocated, initialised; the
   * target is a copy with the same layout and its own workspace. */
  g->q_w = srl_weights_new ();
  g->q = srl_mlp_new (g->q_w, "q.", g->obs_dim, hidden, n_hidden, g->n_actions, SRL_NL_RELU, SRL_NL_LINEAR,
                      g->batch_size);
  srl_weights_allocate (g->q_w);
  srl_mlp_init (g->q, &g->rng, SRL_INIT_GLOROT_UNIFORM);
  g->target_w = srl_weights_new_copy (g->q_w);
  g->target = srl_mlp_new_sibling (g->q, g->target_w, g->batch_size);
  g->adam = srl_adam_new (g->q_w, srl_section_get_double (p, "lr"), 0.9, 0.999, 1e-8);
  /* Workspaces: act() and update() must not allocate. */
  g->batch = srl_batch_new (g->batch_size, g->obs_dim, g->act_dim);
  g->y = g_new0 (float, g->batch_size);
  g->dq = g_new0 (float, (gsize) g->batch_size * g->n_actions);
  return g;
}

static const SrlStatSpec *
grid_q_stat_specs (gpointer p)
{
  return grid_q_stats;
}

/* Episode memory: [steps the held action has left, its grid index]. */
static guint
grid_q_memory_size (gpointer p)
{
  return 2;
}

static void
grid_q_act (gpointer p, SrlRng *rng, SrlActMode mode, const float *obs, guint episode_step, float *memory,
            float *agent_action, float *env_action)
{
  GridQ *g = p;
  guint k;
  if (mode == SRL_ACT_RANDOM)
    k = (guint) srl_rng_below (rng, g->n_actions);
  else if (mode != SRL_ACT_DETERMINISTIC && memory[0] > 0)
    {
      memory[0] -= 1;
      k = (guint) memory[1];
    }
  else if (mode != SRL_ACT_DETERMINISTIC && srl_rng_uniform (rng) < g->epsilon)
    {
      k = (guint) srl_rng_below (rng, g->n_actions);
      memory[0] = (float) srl_rng_below (rng, g->max_hold); /* further steps to hold it */
      memory[1] = (float) k;
    }
  else
    k = argmax (srl_mlp_forward (g->q, 1, obs), g->n_actions);
  grid_action (g, k, agent_action);
  memcpy (env_action, agent_action, g->act_dim * sizeof (float));
}

static gboolean
grid_q_update (gpointer p, SrlReplay *replay, double *stats, GError **error)
{
  GridQ *g = p;
  const guint B = g->batch_size, K = g->n_actions;
  SrlBatch *b = g->batch;
  srl_replay_sample (replay, &g->rng, B, b);

  /* Targets from the target network; `terminal` only, never truncation. */
  const float *qt = srl_mlp_forward (g->target, B, b->next_obs);
  for (guint i = 0; i < B; i++)
    g->y[i] = srl_bellman_target (b->rew[i], b->terminal[i], qt[(gsize) i * K + argmax (qt + (gsize) i * K, K)], 1.0f,
                               g->discount);

  /* Only the taken action's output has a gradient. */
  const float *q = srl_mlp_forward (g->q, B, b->obs);
  memset (g->dq, 0, (gsize) B * K * sizeof (float));
  double loss = 0, mean = 0;
  for (guint i = 0; i < B; i++)
    {
      guint k = grid_index (g, b->act + (gsize) i * g->act_dim);
      float diff = q[(gsize) i * K + k] - g->y[i];
      loss += 0.5 * diff * diff;
      mean += q[(gsize) i * K + k];
      g->dq[(gsize) i * K + k] = diff / B;
    }
  srl_weights_zero_grad (g->q_w);
  srl_mlp_backward (g->q, B, g->dq, NULL, TRUE);
  srl_adam_step (g->adam);
  if (++g->updates % g->target_update_interval == 0)
    srl_weights_copy_data (g->target_w, g->q_w);

  stats[0] = loss / B;
  stats[1] = mean / B;
  if (!isfinite (loss))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_NUMERIC, "update %" G_GUINT64_FORMAT ": Q loss %g; lower lr",
                   g->updates, loss);
      return FALSE;
    }
  return TRUE;
}

/* SRL_SAVE_POLICY: what acting needs (the Q-network).  SRL_SAVE_FULL:
 * everything else that changes during training, for an exact resume. */
static void
grid_q_save (gpointer p, SrlStateWriter *w, SrlSaveScope scope)
{
  GridQ *g = p;
  srl_weights_save (g->q_w, w, "");
  if (scope == SRL_SAVE_POLICY)
    return;
  srl_weights_save (g->target_w, w, "target.");
  srl_adam_save (g->adam, w, "adam.");
  srl_state_writer_put_u64 (w, "rng", g->rng.s, 4);
  srl_state_writer_put_i64_value (w, "updates", (gint64) g->updates);
}

static gboolean
grid_q_load (gpointer p, const SrlStateReader *r, SrlSaveScope scope, GError **error)
{
  GridQ *g = p;
  if (!srl_weights_load (g->q_w, r, "", error))
    return FALSE;
  if (scope == SRL_SAVE_POLICY)
    return TRUE;
  gint64 updates;
  if (!srl_weights_load (g->target_w, r, "target.", error) || !srl_adam_load (g->adam, r, "adam.", error)
      || !srl_state_reader_get_u64 (r, "rng", g->rng.s, 4, error)
      || !srl_state_reader_get_i64_value (r, "updates", &updates, error))
    return FALSE;
  g->updates = (guint64) updates;
  return TRUE;
}

static const SrlAlgorithmDescriptor grid_q_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_ALGORITHM, SrlAlgorithmDescriptor, "grid-q",
                           "deep Q-learning over a grid of actions (example plugin)", grid_q_params),
  .default_sampler = NULL, /* takes no [sampler] */
  .create = grid_q_create,
  .destroy = grid_q_destroy,
  .stats = grid_q_stat_specs,
  .memory_size = grid_q_memory_size,
  .act = grid_q_act,
  .update = grid_q_update,
  .save = grid_q_save,
  .load = grid_q_load,
};

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &grid_q_descriptor.info, error);
}

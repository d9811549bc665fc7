/* Example algorithm "cem", built outside softrl against its installed SDK
 * (see README.md in this folder and plugins/WRITING-PLUGINS.md):
 *
 *     cc -shared -fPIC cem.c -o cem.so $(pkg-config --cflags --libs softrl)
 *
 * The cross-entropy method (Rubinstein 1999; Szita and Lőrincz 2006) over a
 * linear policy a = tanh(W·s + b): each training episode tries one candidate
 * θ = (W, b) drawn from N(μ, σ²); when every candidate of a population has
 * had its episode, μ and σ are refitted to the best (elite) fraction.
 * Evaluation acts with μ.  It learns from whole episodes, so it needs
 * episode_end() (ABI 1.2), and no gradient: update() only reports.
 */
#include <math.h>
#include <string.h>

#include <softrl/softrl.h>

#define MAX_POPULATION 256

static const SrlParamSpec cem_params[] = {
  SRL_PARAM_INT ("population", "16", 2, MAX_POPULATION, "candidates per generation, one episode each"),
  SRL_PARAM_DOUBLE ("elite_fraction", "0.25", 0.01, 1, "fraction of a generation μ and σ are refitted to"),
  SRL_PARAM_DOUBLE ("initial_std", "0.5", 1e-6, 100, "σ of every parameter at the start"),
  SRL_PARAM_DOUBLE ("extra_std", "0.01", 0, 100, "added to each refitted σ, so the search never stops"),
  SRL_PARAM_END
};

static const SrlStatSpec cem_stats[] = {
  { "elite_return", "mean return of the last generation's elite (0 before the first one ends)" },
  { "std", "mean σ of the search distribution" },
  { NULL, NULL }
};

typedef struct {
  guint obs_dim, act_dim, n_params, population, n_elite, candidate;
  float extra_std;
  SrlRng rng; /* draws the candidates; saved with the state */
  float *mean, *std;  /* [n_params]: the policy is `mean` */
  float *candidates;  /* [population, n_params] */
  double returns[MAX_POPULATION], elite_return;
  guint order[MAX_POPULATION];
} Cem;

static void
draw_generation (Cem *c)
{
  for (guint k = 0; k < c->population; k++)
    for (guint i = 0; i < c->n_params; i++)
      c->candidates[(gsize) k * c->n_params + i] = c->mean[i] + c->std[i] * (float) srl_rng_normal (&c->rng);
  c->candidate = 0;
}

static void
cem_destroy (gpointer p)
{
  Cem *c = p;
  g_free (c->mean);
  g_free (c->std);
  g_free (c->candidates);
  g_free (c);
}

static gpointer
cem_create (const SrlAlgorithmContext *ctx, GError **error)
{
  Cem *c = g_new0 (Cem, 1);
  c->obs_dim = ctx->env->obs_dim;
  c->act_dim = ctx->env->act_dim;
  c->n_params = c->act_dim * (c->obs_dim + 1);
  c->population = (guint) srl_section_get_int (ctx->params, "population");
  c->n_elite = MAX (1, (guint) lrint (c->population * srl_section_get_double (ctx->params, "elite_fraction")));
  c->extra_std = (float) srl_section_get_double (ctx->params, "extra_std");
  c->mean = g_new0 (float, c->n_params);
  c->std = g_new (float, c->n_params);
  c->candidates = g_new (float, (gsize) c->population * c->n_params);
  for (guint i = 0; i < c->n_params; i++)
    c->std[i] = (float) srl_section_get_double (ctx->params, "initial_std");
  c->elite_return = 0; /* until the first generation ends */
  srl_rng_init (&c->rng, ctx->seed);
  draw_generation (c);
  return c;
}

static const SrlStatSpec *
cem_stat_specs (gpointer p)
{
  return cem_stats;
}

/* a = tanh(W·s + b) with θ = [W (act_dim × obs_dim) | b]. */
static void
cem_act (gpointer p, SrlRng *rng, SrlActMode mode, const float *obs, guint episode_step, float *memory,
         float *agent_action, float *env_action)
{
  Cem *c = p;
  const float *theta = mode == SRL_ACT_STOCHASTIC ? c->candidates + (gsize) c->candidate * c->n_params : c->mean;
  for (guint j = 0; j < c->act_dim; j++)
    {
      const float *w = theta + (gsize) j * (c->obs_dim + 1);
      float u = w[c->obs_dim];
      for (guint i = 0; i < c->obs_dim; i++)
        u += w[i] * obs[i];
      agent_action[j] = mode == SRL_ACT_RANDOM ? (float) srl_rng_uniform (rng) * 2.0f - 1.0f : tanhf (u);
    }
  memcpy (env_action, agent_action, c->act_dim * sizeof (float));
}

/* Each training episode scores the candidate that acted in it. */
static void
cem_episode_end (gpointer p, const SrlEpisodeEnd *episode)
{
  Cem *c = p;
  c->returns[c->candidate] = episode->ret;
  if (++c->candidate < c->population)
    return;
  for (guint k = 0; k < c->population; k++) /* best first */
    {
      guint j = k;
      for (; j > 0 && c->returns[c->order[j - 1]] < c->returns[k]; j--)
        c->order[j] = c->order[j - 1];
      c->order[j] = k;
    }
  c->elite_return = 0;
  for (guint e = 0; e < c->n_elite; e++)
    c->elite_return += c->returns[c->order[e]] / c->n_elite;
  for (guint i = 0; i < c->n_params; i++)
    {
      double sum = 0, sq = 0;
      for (guint e = 0; e < c->n_elite; e++)
        sum += c->candidates[(gsize) c->order[e] * c->n_params + i];
      c->mean[i] = (float) (sum / c->n_elite);
      for (guint e = 0; e < c->n_elite; e++)
        sq += pow (c->candidates[(gsize) c->order[e] * c->n_params + i] - c->mean[i], 2);
      c->std[i] = (float) sqrt (sq / c->n_elite) + c->extra_std;
    }
  draw_generation (c);
}

static gboolean
cem_update (gpointer p, SrlReplay *replay, double *stats, GError **error)
{
  Cem *c = p;
  double std = 0;
  for (guint i = 0; i < c->n_params; i++)
    std += c->std[i] / c->n_params;
  stats[0] = c->elite_return;
  stats[1] = std;
  return TRUE;
}

static void
cem_save (gpointer p, SrlStateWriter *w, SrlSaveScope scope)
{
  Cem *c = p;
  srl_state_writer_put_f32 (w, "policy.mean", c->mean, c->n_params);
  if (scope == SRL_SAVE_POLICY)
    return;
  srl_state_writer_put_f32 (w, "std", c->std, c->n_params);
  srl_state_writer_put_f32 (w, "candidates", c->candidates, (gsize) c->population * c->n_params);
  srl_state_writer_put_f64 (w, "returns", c->returns, c->population);
  srl_state_writer_put_f64_value (w, "elite_return", c->elite_return);
  srl_state_writer_put_i64_value (w, "candidate", c->candidate);
  srl_state_writer_put_u64 (w, "rng", c->rng.s, 4);
}

static gboolean
cem_load (gpointer p, const SrlStateReader *r, SrlSaveScope scope, GError **error)
{
  Cem *c = p;
  if (!srl_state_reader_get_f32 (r, "policy.mean", c->mean, c->n_params, error))
    return FALSE;
  if (scope == SRL_SAVE_POLICY)
    return TRUE;
  gint64 candidate;
  if (!srl_state_reader_get_f32 (r, "std", c->std, c->n_params, error)
      || !srl_state_reader_get_f32 (r, "candidates", c->candidates, (gsize) c->population * c->n_params, error)
      || !srl_state_reader_get_f64 (r, "returns", c->returns, c->population, error)
      || !srl_state_reader_get_f64_value (r, "elite_return", &c->elite_return, error)
      || !srl_state_reader_get_i64_value (r, "candidate", &candidate, error)
      || !srl_state_reader_get_u64 (r, "rng", c->rng.s, 4, error))
    return FALSE;
  if (candidate < 0 || candidate >= c->population)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "candidate %" G_GINT64_FORMAT ": expected 0 … %u", candidate,
                   c->population - 1);
      return FALSE;
    }
  c->candidate = (guint) candidate;
  return TRUE;
}

static const SrlAlgorithmDescriptor cem_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_ALGORITHM, SrlAlgorithmDescriptor, "cem",
                           "cross-entropy method over a linear policy (example plugin)", cem_params),
  .create = cem_create,
  .destroy = cem_destroy,
  .stats = cem_stat_specs,
  .act = cem_act,
  .update = cem_update,
  .save = cem_save,
  .load = cem_load,
  .episode_end = cem_episode_end,
};

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &cem_descriptor.info, error);
}

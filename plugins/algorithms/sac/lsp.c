/* Algorithm "lsp": latent space policy learning (thesis chapter 7,
 * Algorithm 4).  Trains one layer i of a hierarchy with soft actor-critic
 * (the update of core.c, shared with sac and sac-auto); its action is the
 * latent h⁽ⁱ⁾ of the saved layers 0 … i−1 below, which are frozen and embedded
 * into the environment:
 *
 *   h⁽ⁱ⁾ = f_φᵢ(h⁽ⁱ⁺¹⁾; s),  h⁽ⁱ⁺¹⁾ ~ N(0, I)          this layer (trained)
 *   a    = (f_φ₀ ∘ … ∘ f_φᵢ₋₁)(h⁽ⁱ⁾; s)                the layers below (frozen)
 *
 * The replay stores h⁽ⁱ⁾ (agent_action); the environment receives a
 * (env_action).  Each layer is an ordinary run directory: its config.ini names
 * its sampler, its policy.safetensors holds the sampler's weights, and an
 * upper layer's config lists the layers below it, so a stacked policy is a
 * run directory `softrl eval` accepts.  Each layer is trained under its own
 * experiment's [env] group, so a lower layer pretrained on a shaping reward
 * (motion in any direction) is reused under the sparse task reward above it
 * (sections 7.3 and 7.4).
 *
 * Layers above the bottom output unsquashed latents and use the Gaussian
 * action prior p(h) = N(0, I) in their entropy term (C.4, "All the high-level
 * policies use Gaussian action prior").  C.4's Ant maze options: the action
 * can be held for k environment steps, and the layer's own latent h⁽ⁱ⁺¹⁾ can
 * be drawn once per episode (then h⁽ⁱ⁾ = f_φᵢ(h⁽ⁱ⁺¹⁾; s_t) still follows the
 * state).  Both live in act()'s per-episode memory:
 *   memory[0, A)        the action being held
 *   memory[A]           environment steps it has been held
 *   memory[A+1, 2A+1)   the episode's latent
 *   memory[2A+1]        1 once the episode's latent is drawn
 * Random actions (before learning starts) are draws from the action prior,
 * held and kept per episode alike.
 */
#include <string.h>

#include "core.h"

#define CHECKSUM_TENSOR "layers.checksums"

static const SrlParamSpec lsp_params[] = {
  SAC_COMMON_PARAMS ("Table C.3", "128", "0.01", "128;128", "2 × 128", "Table C.4"),
  SRL_PARAM_DOUBLE_OR ("alpha", "1", 0, SRL_UNBOUNDED, "auto",
                       "temperature α; auto learns it as sac-auto does (C.4 keeps α = 1 and tunes the reward scale)"),
  SAC_AUTO_ALPHA_PARAMS,
  SRL_PARAM_PATH_LIST ("layers", "",
                       "run directories of the saved layers below this one, bottom first; empty: this is the bottom layer"),
  SRL_PARAM_CHOICE ("action_prior", "auto", "auto|uniform|normal",
                    "action prior of the entropy term; auto: normal above the bottom layer (C.4), uniform for the bottom"),
  SRL_PARAM_INT ("hold_steps", "1", 1, 1e6, "environment steps each action of this layer is held (C.4, Ant maze: 3)"),
  SRL_PARAM_BOOL ("latent_per_episode", "false",
                  "draw this layer's latent once per episode and keep it (C.4, Ant maze: true)"),
  SRL_PARAM_END
};

/* A frozen layer below: its experiment (which its sampler's parameters
 * belong to) and its sampler with the saved weights. */
typedef struct {
  SrlExperiment *experiment;
  SrlSampler *sampler;
} Layer;

typedef struct {
  Sac *sac;
  guint act_dim, n_layers, hold_steps;
  gboolean latent_per_episode;
  SacPrior prior;
  Layer *layers;
  GString *checksums; /* of the layers' policy files, one per line */
  float *chain_in, *chain_out;
  float *noise;
} Lsp;

static void
lsp_destroy (gpointer p)
{
  Lsp *l = p;
  sac_free (l->sac);
  for (guint j = 0; j < l->n_layers; j++)
    {
      srl_sampler_free (l->layers[j].sampler);
      srl_experiment_free (l->layers[j].experiment);
    }
  g_free (l->layers);
  if (l->checksums)
    g_string_free (l->checksums, TRUE);
  g_free (l->chain_in);
  g_free (l->chain_out);
  g_free (l->noise);
  g_free (l);
}

static gboolean
same_path (const char *a, const char *b)
{
  g_autofree char *ca = g_canonicalize_filename (a, NULL);
  g_autofree char *cb = g_canonicalize_filename (b, NULL);
  return strcmp (ca, cb) == 0;
}

/* Why layer `index` (trained as `x`) cannot sit on top of layers[0, index),
 * or NULL when it can. */
static char *
check_position (const SrlExperiment *x, guint index, const char *const *layers)
{
  const char *algorithm = srl_experiment_algorithm (x)->info.name;
  if (strcmp (algorithm, "lsp") != 0)
    {
      if (strcmp (algorithm, "sac") != 0 && strcmp (algorithm, "sac-auto") != 0)
        return g_strdup_printf ("was trained by %s; a layer is a run of lsp, sac or sac-auto", algorithm);
      if (index > 0)
        return g_strdup_printf ("was trained by %s on the environment's actions, so it can only be the bottom "
                                "layer, not layer %u", algorithm, index);
      return NULL;
    }
  guint n;
  const char *const *below = srl_section_get_string_list (srl_experiment_section (x, "algorithm"), "layers", &n);
  if (n != index)
    return g_strdup_printf ("was trained over %u layer%s, so it is layer %u of its hierarchy, not layer %u", n,
                            n == 1 ? "" : "s", n, index);
  for (guint j = 0; j < n; j++)
    if (!same_path (below[j], layers[j]))
      return g_strdup_printf ("was trained over %s as its layer %u, not over %s", below[j], j, layers[j]);
  return NULL;
}

/* Load layer `index` from run directory `dir` into l->layers[index]. */
static gboolean
load_layer (Lsp *l, const SrlAlgorithmContext *ctx, guint index, const char *const *layers, GError **error)
{
  const char *dir = layers[index];
  const SrlSection *p = ctx->params;
  Layer *layer = &l->layers[index];
  g_autoptr (GError) local = NULL;
  layer->experiment = srl_experiment_load_run (ctx->registry, dir, NULL, &local);
  if (!layer->experiment)
    return srl_section_error (p, "layers", error, "layer %u: %s", index, local->message);
  g_autofree char *position = check_position (layer->experiment, index, layers);
  if (position)
    return srl_section_error (p, "layers", error, "layer %u (%s) %s", index, dir, position);

  const SrlSamplerFactory *factory = srl_experiment_sampler (layer->experiment);
  if (!(factory->descriptor->flags & SRL_SAMPLER_INVERTIBLE))
    return srl_section_error (p, "layers", error,
                              "layer %u (%s) has sampler \"%s\", which has no inverse map; the layers of a hierarchy "
                              "need an invertible sampler such as realnvp",
                              index, dir, factory->descriptor->info.name);

  /* Dimensions: every layer observes the environment and maps latents of
   * the action's size onto actions (or the latents of the layer below). */
  const SrlEnvDescriptor *env_descriptor = srl_experiment_env (layer->experiment);
  g_autoptr (SrlEnv) env = srl_env_new (env_descriptor, srl_experiment_section (layer->experiment, "env"), &local);
  if (!env)
    return srl_section_error (p, "layers", error, "layer %u (%s): %s", index, dir, local->message);
  const SrlEnvSpec *spec = srl_env_spec (env);
  if (spec->obs_dim != ctx->env->obs_dim || spec->act_dim != ctx->env->act_dim)
    return srl_section_error (p, "layers", error,
                              "layer %u (%s) was trained on %s with %u observations and %u actions; this experiment's "
                              "environment has %u observations and %u actions, so the layers do not chain",
                              index, dir, env_descriptor->info.name, spec->obs_dim, spec->act_dim,
                              ctx->env->obs_dim, ctx->env->act_dim);
  SrlSamplerShape shape = { spec->obs_dim, spec->act_dim, 1, index == 0 };
  SrlRng rng;
  srl_rng_init (&rng, 0); /* the weights are loaded below */
  layer->sampler = srl_sampler_new (factory, &shape, &rng, &local);
  if (!layer->sampler)
    return srl_section_error (p, "layers", error, "layer %u (%s): %s", index, dir, local->message);
  if (srl_sampler_noise_dim (layer->sampler) != spec->act_dim)
    return srl_section_error (p, "layers", error,
                              "layer %u (%s): its sampler takes latents of %u values for actions of %u, so the layers "
                              "do not chain", index, dir, srl_sampler_noise_dim (layer->sampler), spec->act_dim);

  g_autofree char *policy = g_build_filename (dir, SRL_RUN_POLICY, NULL);
  g_autoptr (SrlStateReader) reader = srl_state_reader_open (policy, &local);
  if (!reader || !srl_weights_load (srl_sampler_weights (layer->sampler), reader, "policy.", &local))
    return srl_section_error (p, "layers", error, "layer %u: %s", index, local->message);
  const char *checksum = srl_state_reader_meta (reader, "checksum");
  g_string_append_printf (l->checksums, "%s\n", checksum ? checksum : "");
  return TRUE;
}

static gpointer
lsp_create (const SrlAlgorithmContext *ctx, GError **error)
{
  const SrlSection *p = ctx->params;
  Lsp *l = g_new0 (Lsp, 1);
  l->act_dim = ctx->env->act_dim;
  l->hold_steps = (guint) srl_section_get_int (p, "hold_steps");
  l->latent_per_episode = srl_section_get_bool (p, "latent_per_episode");
  l->checksums = g_string_new (NULL);
  const char *const *layers = srl_section_get_string_list (p, "layers", &l->n_layers);
  l->layers = g_new0 (Layer, MAX (l->n_layers, 1));
  for (guint j = 0; j < l->n_layers; j++)
    if (!load_layer (l, ctx, j, layers, error))
      {
        lsp_destroy (l);
        return NULL;
      }
  const char *prior = srl_section_get_string (p, "action_prior");
  l->prior = strcmp (prior, "normal") == 0 || (strcmp (prior, "auto") == 0 && l->n_layers > 0) ? SAC_PRIOR_NORMAL
                                                                                              : SAC_PRIOR_UNIFORM;
  SacOptions options = {
    .learn_alpha = srl_section_is_word (p, "alpha", "auto"),
    .env_actions = l->n_layers == 0,
    .prior = l->prior,
  };
  l->sac = sac_new (ctx, &options, error);
  if (!l->sac)
    {
      lsp_destroy (l);
      return NULL;
    }
  l->chain_in = g_new0 (float, l->act_dim);
  l->chain_out = g_new0 (float, l->act_dim);
  l->noise = g_new0 (float, l->act_dim);
  return l;
}

static guint
lsp_memory_size (gpointer p)
{
  return 2 * ((Lsp *) p)->act_dim + 2;
}

/* A draw from the action prior: the random action of this layer. */
static void
prior_sample (const Lsp *l, SrlRng *rng, float *out)
{
  if (l->prior == SAC_PRIOR_NORMAL)
    srl_rng_fill_normal (rng, out, l->act_dim);
  else
    srl_rng_fill_uniform (rng, out, l->act_dim, -1.0f, 1.0f);
}

/* The layers below map this layer's action onto the environment's. */
static void
lsp_compose (Lsp *l, const float *obs, const float *action, float *env_action)
{
  const guint A = l->act_dim;
  memcpy (l->chain_in, action, A * sizeof (float));
  for (guint j = l->n_layers; j-- > 0;)
    {
      srl_sampler_sample (l->layers[j].sampler, 1, obs, l->chain_in, l->chain_out, NULL);
      memcpy (l->chain_in, l->chain_out, A * sizeof (float));
    }
  for (guint j = 0; j < A; j++)
    env_action[j] = CLAMP (l->chain_in[j], -1.0f, 1.0f);
}

static void
lsp_act (gpointer p, SrlRng *rng, SrlActMode mode, const float *obs, guint episode_step, float *memory,
         float *agent_action, float *env_action)
{
  Lsp *l = p;
  const guint A = l->act_dim;
  float *held = memory, *held_steps = memory + A, *episode_latent = memory + A + 1, *drawn = memory + 2 * A + 1;
  if (*held_steps == 0.0f)
    {
      /* The episode's latent, when kept: N(0, I), which is also the normal
       * prior's random action. */
      if (l->latent_per_episode && mode != SRL_ACT_DETERMINISTIC && *drawn == 0.0f
          && (mode != SRL_ACT_RANDOM || l->prior == SAC_PRIOR_NORMAL))
        {
          srl_rng_fill_normal (rng, episode_latent, A);
          *drawn = 1.0f;
        }
      gboolean kept = l->latent_per_episode && *drawn != 0.0f;
      if (mode == SRL_ACT_RANDOM)
        {
          if (kept && l->prior == SAC_PRIOR_NORMAL)
            memcpy (held, episode_latent, A * sizeof (float));
          else
            prior_sample (l, rng, held);
        }
      else
        {
          if (mode == SRL_ACT_DETERMINISTIC)
            memset (l->noise, 0, A * sizeof (float));
          else if (kept)
            memcpy (l->noise, episode_latent, A * sizeof (float));
          else
            srl_rng_fill_normal (rng, l->noise, A);
          sac_policy_action (l->sac, obs, l->noise, held);
        }
    }
  *held_steps += 1.0f;
  if (*held_steps >= (float) l->hold_steps)
    *held_steps = 0.0f;
  memcpy (agent_action, held, A * sizeof (float));
  lsp_compose (l, obs, held, env_action);
}

static gboolean
lsp_update (gpointer p, SrlReplay *replay, double *stats, GError **error)
{
  return sac_update (((Lsp *) p)->sac, replay, stats, error);
}

static const SrlStatSpec *
lsp_stats (gpointer p)
{
  return sac_stats (((Lsp *) p)->sac);
}

/* The layer's own networks, and the checksums of the layers below it, so a
 * stacked policy refuses to run over layers that changed since. */
static void
lsp_save (gpointer p, SrlStateWriter *w, SrlSaveScope scope)
{
  Lsp *l = p;
  sac_save (l->sac, w, scope);
  if (l->n_layers)
    srl_state_writer_put_u8 (w, CHECKSUM_TENSOR, (const guint8 *) l->checksums->str, l->checksums->len);
}

static gboolean
lsp_load (gpointer p, const SrlStateReader *r, SrlSaveScope scope, GError **error)
{
  Lsp *l = p;
  if (!sac_load (l->sac, r, scope, error))
    return FALSE;
  if (!l->n_layers)
    return TRUE;
  guint n_dims;
  const gsize *shape = srl_state_reader_shape (r, CHECKSUM_TENSOR, &n_dims);
  g_autofree guint8 *saved = g_malloc0 (l->checksums->len + 1);
  if (!shape || n_dims != 1 || shape[0] != l->checksums->len
      || !srl_state_reader_get_u8 (r, CHECKSUM_TENSOR, saved, l->checksums->len, NULL)
      || memcmp (saved, l->checksums->str, l->checksums->len) != 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT,
                   "%s: the layers below this one (algorithm.layers) are not the ones it was trained over: one of "
                   "their policy files changed since",
                   srl_state_reader_path (r));
      return FALSE;
    }
  return TRUE;
}

static guint64
lsp_update_flops (gpointer p)
{
  return sac_update_flops (((Lsp *) p)->sac);
}

static const SrlAlgorithmDescriptor lsp_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_ALGORITHM, SrlAlgorithmDescriptor, "lsp",
                           "one layer of a latent space policy hierarchy, trained with SAC (thesis ch. 7, Algorithm 4)",
                           lsp_params),
  .required_sampler_flags = SRL_SAMPLER_REPARAMETERIZED | SRL_SAMPLER_DENSITY,
  .default_sampler = "realnvp",
  .create = lsp_create,
  .destroy = lsp_destroy,
  .stats = lsp_stats,
  .memory_size = lsp_memory_size,
  .act = lsp_act,
  .update = lsp_update,
  .save = lsp_save,
  .load = lsp_load,
  .update_flops = lsp_update_flops,
};

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &lsp_descriptor.info, error);
}

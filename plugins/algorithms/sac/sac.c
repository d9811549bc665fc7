/* Algorithms "sac" and "sac-auto": soft actor-critic (thesis chapter 4,
 * Algorithm 2) and soft actor-critic with automatic temperature adjustment
 * (chapter 5, Algorithm 3).  The update lives in core.c, shared with "lsp";
 * sac-auto differs only in learning log α from the dual objective
 * (Equation 5.8).
 */
#include <string.h>

#include "core.h"

static const SrlParamSpec sac_params[] = {
  SAC_COMMON_PARAMS ("Table C.1", "256", "0.005", "256;256", "2 × 256", "Table C.2"),
  SRL_PARAM_DOUBLE ("alpha", "1", 0, SRL_UNBOUNDED, "temperature α (fixed)"),
  SRL_PARAM_END
};

static const SrlParamSpec sac_auto_params[] = {
  SAC_COMMON_PARAMS ("Table C.1", "256", "0.005", "256;256", "2 × 256", "Table C.2"),
  SAC_AUTO_ALPHA_PARAMS,
  SRL_PARAM_END
};

/* The policy outputs the environment's actions; the objective is the plain
 * maximum entropy one (uniform action prior). */
static gpointer
sac_create (const SrlAlgorithmContext *ctx, GError **error)
{
  SacOptions options = { .learn_alpha = FALSE, .env_actions = TRUE, .prior = SAC_PRIOR_UNIFORM };
  return sac_new (ctx, &options, error);
}

static gpointer
sac_auto_create (const SrlAlgorithmContext *ctx, GError **error)
{
  SacOptions options = { .learn_alpha = TRUE, .env_actions = TRUE, .prior = SAC_PRIOR_UNIFORM };
  return sac_new (ctx, &options, error);
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
      if (mode != SRL_ACT_DETERMINISTIC)
        srl_rng_fill_normal (rng, s->act_noise, s->act_dim);
      else
        memset (s->act_noise, 0, s->act_dim * sizeof (float));
      sac_policy_action (s, obs, s->act_noise, agent_action);
    }
  memcpy (env_action, agent_action, s->act_dim * sizeof (float));
}

/* sac and sac-auto differ only in their parameters and create(). */
#define SAC_DESCRIPTOR(name_, doc_, params_, create_)                                              \
  {                                                                                                \
    .info = SRL_PLUGIN_INFO (SRL_KIND_ALGORITHM, SrlAlgorithmDescriptor, name_, doc_, params_),    \
    .required_sampler_flags = SRL_SAMPLER_REPARAMETERIZED | SRL_SAMPLER_DENSITY,                   \
    .default_sampler = "gaussian",                                                                 \
    .create = create_,                                                                             \
    .destroy = sac_free,                                                                           \
    .stats = sac_stats,                                                                            \
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

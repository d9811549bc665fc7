/* The core side of environment plugins: action scaling and bookkeeping. */
#include <string.h>

#include "srl-private.h"

struct _SrlEnv {
  const SrlEnvDescriptor *d;
  gpointer instance;
  const SrlEnvSpec *spec;
  guint n_info;
  double *action; /* act_dim workspace for the scaled action */
};

SrlEnv *
srl_env_new (const SrlEnvDescriptor *d, const SrlSection *params, GError **error)
{
  gpointer instance = d->create (params, error);
  if (!instance)
    return NULL;
  SrlEnv *env = g_new0 (SrlEnv, 1);
  env->d = d;
  env->instance = instance;
  env->spec = d->spec (instance);
  for (const char *const *n = env->spec->info_names; n && *n; n++)
    env->n_info++;
  env->action = g_new0 (double, MAX (env->spec->act_dim, 1));
  return env;
}

void
srl_env_free (SrlEnv *env)
{
  if (!env)
    return;
  env->d->destroy (env->instance);
  g_free (env->action);
  g_free (env);
}

const SrlEnvDescriptor *srl_env_descriptor (const SrlEnv *env) { return env->d; }
const SrlEnvSpec *srl_env_spec (const SrlEnv *env) { return env->spec; }
guint srl_env_n_info (const SrlEnv *env) { return env->n_info; }

void
srl_env_reset (SrlEnv *env, SrlRng *rng, double *obs)
{
  env->d->reset (env->instance, rng, obs);
}

void
srl_env_map_action (const SrlEnvSpec *s, const float *action, double *env_action)
{
  for (guint i = 0; i < s->act_dim; i++)
    {
      double a = CLAMP ((double) action[i], -1.0, 1.0);
      env_action[i] = s->act_low[i] + 0.5 * (a + 1.0) * (s->act_high[i] - s->act_low[i]);
    }
}

SrlStepStatus
srl_env_step_normalized (SrlEnv *env, SrlRng *rng, const float *action, double *obs, double *reward)
{
  srl_env_map_action (env->spec, action, env->action);
  return env->d->step (env->instance, rng, env->action, obs, reward);
}

SrlStepStatus
srl_env_step (SrlEnv *env, SrlRng *rng, const double *action, double *obs, double *reward)
{
  const SrlEnvSpec *s = env->spec;
  for (guint i = 0; i < s->act_dim; i++)
    env->action[i] = CLAMP (action[i], s->act_low[i], s->act_high[i]);
  return env->d->step (env->instance, rng, env->action, obs, reward);
}

void
srl_env_episode_info (SrlEnv *env, double *values)
{
  if (env->d->episode_info && env->n_info)
    env->d->episode_info (env->instance, values);
}

const char *
srl_env_invalid_reason (SrlEnv *env)
{
  const char *why = env->d->invalid_reason ? env->d->invalid_reason (env->instance) : NULL;
  return why ? why : "the environment reported an invalid state";
}

void
srl_env_save (SrlEnv *env, SrlStateWriter *writer)
{
  env->d->save (env->instance, writer);
}

gboolean
srl_env_load (SrlEnv *env, const SrlStateReader *reader, GError **error)
{
  return env->d->load (env->instance, reader, error);
}

gboolean
srl_env_has_bench_baseline (const SrlEnv *env)
{
  return SRL_DESCRIPTOR_HAS (env->d, SrlEnvDescriptor, bench_baseline) && env->d->bench_baseline != NULL;
}

guint64
srl_env_bench_baseline (SrlEnv *env, SrlRng *rng, guint64 steps)
{
  return srl_env_has_bench_baseline (env) ? env->d->bench_baseline (env->instance, rng, steps) : 0;
}

gboolean
srl_env_can_render (const SrlEnv *env)
{
  return SRL_DESCRIPTOR_HAS (env->d, SrlEnvDescriptor, render) && env->d->render_setup && env->d->render;
}

gboolean
srl_env_render_setup (SrlEnv *env, guint width, guint height, const char *camera, GError **error)
{
  if (!srl_env_can_render (env))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "environment %s cannot render (its plugin has no render entry)",
                   env->d->info.name);
      return FALSE;
    }
  return env->d->render_setup (env->instance, width, height, camera, error);
}

void
srl_env_render (SrlEnv *env, SrlFrame *frame)
{
  env->d->render (env->instance, frame);
}

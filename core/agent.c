/* Agents: an algorithm instance with the buffers to act in an environment,
 * episodes run without learning, and policies loaded from run directories
 * (used by eval, figure, compose and the runs themselves). */
#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

SrlAgent *
srl_agent_new (const SrlRegistry *registry, const SrlExperiment *x, const SrlEnvSpec *spec, guint64 seed,
               GError **error)
{
  return srl_agent_new_full (registry, x, spec, seed, FALSE, error);
}

SrlAgent *
srl_agent_new_full (const SrlRegistry *registry, const SrlExperiment *x, const SrlEnvSpec *spec, guint64 seed,
                    gboolean training, GError **error)
{
  SrlAlgorithmContext ctx = {
    .params = x->algorithm,
    .env = spec,
    .sampler = x->sampler_descriptor ? &x->sampler_factory : NULL,
    .seed = seed,
    .registry = registry,
    .epochs = srl_section_get_int (x->runner, "epochs"),
    .steps_per_epoch = srl_section_get_int (x->runner, "steps_per_epoch"),
    .replay_capacity = (guint64) srl_section_get_int (x->runner, "replay_capacity"),
    .max_path_length = srl_run_path_limit (x, spec),
    .training = training,
  };
  const SrlAlgorithmDescriptor *ad = x->algorithm_descriptor;
  gpointer algorithm = ad->create (&ctx, error);
  if (!algorithm)
    return NULL;
  SrlAgent *a = g_new0 (SrlAgent, 1);
  a->descriptor = ad;
  a->algorithm = algorithm;
  a->obs_dim = spec->obs_dim;
  a->act_dim = spec->act_dim;
  a->memory_size = ad->memory_size ? ad->memory_size (algorithm) : 0;
  for (const char *const *n = spec->info_names; n && *n; n++)
    a->n_info++;
  a->obs = g_new0 (double, a->obs_dim);
  a->next_obs = g_new0 (double, a->obs_dim);
  a->obs_f = g_new0 (float, a->obs_dim);
  a->next_obs_f = g_new0 (float, a->obs_dim);
  a->agent_action = g_new0 (float, a->act_dim);
  a->env_action = g_new0 (float, a->act_dim);
  a->memory = g_new0 (float, MAX (a->memory_size, 1));
  a->info = g_new0 (double, MAX (a->n_info, 1));
  a->episode_obs = g_new0 (double, a->obs_dim);
  a->episode_obs_f = g_new0 (float, a->obs_dim);
  a->episode_memory = g_new0 (float, MAX (a->memory_size, 1));
  return a;
}

void
srl_agent_free (SrlAgent *a)
{
  if (!a)
    return;
  a->descriptor->destroy (a->algorithm);
  g_free (a->obs);
  g_free (a->next_obs);
  g_free (a->obs_f);
  g_free (a->next_obs_f);
  g_free (a->agent_action);
  g_free (a->env_action);
  g_free (a->memory);
  g_free (a->info);
  g_free (a->episode_obs);
  g_free (a->episode_obs_f);
  g_free (a->episode_memory);
  g_free (a);
}

void
srl_doubles_to_floats (const double *in, float *out, guint n)
{
  for (guint i = 0; i < n; i++)
    out[i] = (float) in[i];
}

void
srl_agent_episode (SrlAgent *a, SrlEnv *env, SrlRng *rng, SrlActMode mode, guint max_steps, SrlEpisode *ep)
{
  srl_agent_episode_observed (a, env, rng, mode, max_steps, ep, NULL, NULL);
}

void
srl_agent_episode_observed (SrlAgent *a, SrlEnv *env, SrlRng *rng, SrlActMode mode, guint max_steps, SrlEpisode *ep,
                            SrlObserveFunc observe, gpointer data)
{
  memset (ep, 0, sizeof *ep);
  memset (a->episode_memory, 0, a->memory_size * sizeof (float));
  srl_env_reset (env, rng, a->episode_obs);
  if (observe)
    observe (a->episode_obs, a->obs_dim, data);
  while (ep->length < max_steps)
    {
      srl_doubles_to_floats (a->episode_obs, a->episode_obs_f, a->obs_dim);
      a->descriptor->act (a->algorithm, rng, srl_algorithm_act_mode (a->descriptor, mode), a->episode_obs_f,
                          (guint) ep->length, a->episode_memory, a->agent_action, a->env_action);
      double reward = 0;
      SrlStepStatus status = srl_env_step_normalized (env, rng, a->env_action, a->episode_obs, &reward);
      ep->length++;
      if (status == SRL_STEP_INVALID)
        {
          ep->invalid = TRUE;
          break;
        }
      ep->ret += reward;
      if (observe)
        observe (a->episode_obs, a->obs_dim, data);
      if (status == SRL_STEP_TERMINATED)
        {
          ep->terminated = TRUE;
          break;
        }
    }
  srl_env_episode_info (env, a->info);
}

void
srl_returns_add (SrlReturns *r, const SrlEpisode *ep)
{
  r->min = r->n == 0 ? ep->ret : MIN (r->min, ep->ret);
  r->max = r->n == 0 ? ep->ret : MAX (r->max, ep->ret);
  r->sum += ep->ret;
  r->length_sum += ep->length;
  r->n++;
}

double
srl_returns_mean (const SrlReturns *r)
{
  return r->n ? r->sum / r->n : NAN;
}

double
srl_returns_mean_length (const SrlReturns *r)
{
  return r->n ? r->length_sum / r->n : NAN;
}

/* ------------------------------------------------------------------ loaded policies */

guint
srl_run_path_limit (const SrlExperiment *x, const SrlEnvSpec *spec)
{
  gint64 m = srl_section_get_int (x->runner, "max_path_length");
  return m > 0 ? (guint) m : (spec->max_episode_steps ? spec->max_episode_steps : 1000);
}

void
srl_loaded_policy_free (SrlLoadedPolicy *p)
{
  if (!p)
    return;
  srl_agent_free (p->agent);
  srl_env_free (p->env);
  srl_experiment_free (p->experiment);
  g_free (p);
}

SrlLoadedPolicy *
srl_loaded_policy_new (const SrlRegistry *registry, const char *run_dir, const char *const *overrides,
                       GError **error)
{
  g_autofree char *policy = g_build_filename (run_dir, SRL_RUN_POLICY, NULL);
  g_autoptr (SrlLoadedPolicy) p = g_new0 (SrlLoadedPolicy, 1);
  p->experiment = srl_experiment_load_run (registry, run_dir, overrides, error);
  if (!p->experiment)
    return NULL;
  p->env = srl_env_new (p->experiment->env_descriptor, p->experiment->env, error);
  if (!p->env)
    return NULL;
  const SrlEnvSpec *spec = srl_env_spec (p->env);
  p->agent = srl_agent_new (registry, p->experiment, spec, srl_section_get_int (p->experiment->runner, "seed"), error);
  if (!p->agent)
    return NULL;
  g_autoptr (SrlStateReader) reader = srl_state_reader_open (policy, error);
  if (!reader)
    return NULL;
  if (!p->agent->descriptor->load (p->agent->algorithm, reader, SRL_SAVE_POLICY, error))
    return NULL;
  p->max_path_length = srl_run_path_limit (p->experiment, spec);
  return g_steal_pointer (&p);
}

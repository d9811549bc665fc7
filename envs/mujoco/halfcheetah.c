/* Environment "halfcheetah": Gymnasium's HalfCheetah-v4 on the MuJoCo C API.
 *
 *   reward      forward_reward_weight·(x' − x)/dt − ctrl_cost_weight·‖a‖²,  x = qpos[0] (rootx), dt = 5 × 0.01
 *   observation qpos[1:] (8) and qvel (9): 17 values
 *   action      6 torques in [−1, 1] (gears 120, 90, 60, 120, 60, 30)
 *   start       qpos0 + U(±reset_noise_scale), qvel = reset_noise_scale·N(0, 1)
 *   no termination; 1000 steps
 * Per-episode info: forward distance (final minus initial x) and the largest
 * forward distance reached during the episode.
 */
#include "mujoco-env.h"

static const SrlParamSpec halfcheetah_params[] = {
  SRL_PARAM_DOUBLE ("forward_reward_weight", "1", -SRL_UNBOUNDED, SRL_UNBOUNDED, "weight of the forward velocity"),
  SRL_PARAM_DOUBLE ("ctrl_cost_weight", "0.1", 0, SRL_UNBOUNDED, "weight of the control cost ‖a‖²"),
  SRL_PARAM_DOUBLE ("reset_noise_scale", "0.1", 0, SRL_UNBOUNDED,
                    "initial qpos noise U(±scale), initial qvel noise scale·N(0, 1)"),
  SRL_PARAM_INT ("max_episode_steps", "1000", 1, 1e9, "time limit"),
  SRL_PARAM_PATH ("model", "", "MJCF model to use instead of the shipped envs/mujoco/models/halfcheetah.xml"),
  SRL_PARAM_END
};

static const char *const info_names[] = { "forward_distance", "max_forward_distance", NULL };

typedef struct {
  SrlMjPlanar planar;
  double forward_weight, ctrl_weight, noise;
} HalfCheetah;

static gboolean
halfcheetah_configure (SrlMjEnv *env, const SrlSection *p, GError **error)
{
  HalfCheetah *h = (HalfCheetah *) env;
  h->forward_weight = srl_section_get_double (p, "forward_reward_weight");
  h->ctrl_weight = srl_section_get_double (p, "ctrl_cost_weight");
  h->noise = srl_section_get_double (p, "reset_noise_scale");
  env->spec.obs_dim = 17;
  env->spec.info_names = info_names;
  return srl_mj_check_sizes (env, 9, 9, 6, -1, error);
}

static void
halfcheetah_reset (SrlMjEnv *env, SrlRng *rng)
{
  HalfCheetah *h = (HalfCheetah *) env;
  srl_mj_reset_state (env, rng, h->noise, h->noise, SRL_MJ_NOISE_NORMAL);
}

static SrlStepStatus
halfcheetah_after (SrlMjEnv *env, const double *action, double *reward)
{
  HalfCheetah *h = (HalfCheetah *) env;
  *reward = h->forward_weight * srl_mj_planar_velocity (env) - h->ctrl_weight * srl_mj_sum_squares (action, 6);
  return SRL_STEP_CONTINUE;
}

static void
halfcheetah_observe (SrlMjEnv *env, double *obs)
{
  srl_mj_observe_state (env, 1, 0, obs);
}

static const SrlMjTask halfcheetah_task = {
  .model = "envs/mujoco/models/halfcheetah.xml",
  .frame_skip = 5,
  .size = sizeof (HalfCheetah),
  .episode = G_STRUCT_OFFSET (SrlMjPlanar, progress),
  .n_episode = sizeof (SrlMjProgress) / sizeof (double),
  .configure = halfcheetah_configure,
  .reset = halfcheetah_reset,
  .begin = srl_mj_planar_begin,
  .before = srl_mj_planar_before,
  .after = halfcheetah_after,
  .observe = halfcheetah_observe,
  .info = srl_mj_planar_info,
};

static gpointer
halfcheetah_create (const SrlSection *params, GError **error)
{
  return srl_mj_env_new (&halfcheetah_task, params, error);
}

static const SrlEnvDescriptor halfcheetah_descriptor = SRL_MJ_ENV_DESCRIPTOR (
  "halfcheetah", "planar cheetah running forward, Gymnasium's HalfCheetah-v4 (obs 17, action 6)",
  halfcheetah_params, halfcheetah_create);

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &halfcheetah_descriptor.info, error);
}

/* Environment "hopper": Gymnasium's Hopper-v4 on the MuJoCo C API.
 *
 *   reward      forward_reward_weight·(x' − x)/dt + healthy_reward − ctrl_cost_weight·‖a‖²,
 *               x = qpos[0], dt = 4 × 0.002; the healthy reward is paid on every step while
 *               terminate_when_unhealthy (the terminal step included), otherwise only while healthy
 *   healthy     every value of qpos[2:] and qvel strictly inside healthy_state_range,
 *               height qpos[1] strictly inside healthy_z_range and angle qpos[2] strictly
 *               inside healthy_angle_range
 *   observation qpos[1:] (5) and qvel clipped to ±10 (6): 11 values
 *   action      3 torques in [−1, 1] (gear 200)
 *   start       qpos0 (height 1.25) + U(±reset_noise_scale), qvel U(±reset_noise_scale)
 *   terminates when unhealthy (terminate_when_unhealthy); 1000 steps
 */
#include "mujoco-env.h"

static const SrlParamSpec hopper_params[] = {
  SRL_PARAM_DOUBLE ("forward_reward_weight", "1", -SRL_UNBOUNDED, SRL_UNBOUNDED, "weight of the forward velocity"),
  SRL_PARAM_DOUBLE ("ctrl_cost_weight", "1e-3", 0, SRL_UNBOUNDED, "weight of the control cost ‖a‖²"),
  SRL_PARAM_DOUBLE ("healthy_reward", "1", -SRL_UNBOUNDED, SRL_UNBOUNDED, "reward for each healthy step"),
  SRL_PARAM_BOOL ("terminate_when_unhealthy", "true", "end the episode (terminal) when the hopper is unhealthy"),
  SRL_PARAM_DOUBLE_LIST ("healthy_state_range", "-100;100", -SRL_UNBOUNDED, SRL_UNBOUNDED,
                         "open interval for qpos[2:] and qvel"),
  SRL_PARAM_DOUBLE_LIST ("healthy_z_range", "0.7;1e300", -SRL_UNBOUNDED, SRL_UNBOUNDED,
                         "open interval for the height qpos[1] (Gymnasium: 0.7 to infinity)"),
  SRL_PARAM_DOUBLE_LIST ("healthy_angle_range", "-0.2;0.2", -SRL_UNBOUNDED, SRL_UNBOUNDED,
                         "open interval for the torso angle qpos[2]"),
  SRL_PARAM_DOUBLE ("reset_noise_scale", "5e-3", 0, SRL_UNBOUNDED, "initial qpos and qvel noise U(±scale)"),
  SRL_PARAM_INT ("max_episode_steps", "1000", 1, 1e9, "time limit"),
  SRL_PARAM_PATH ("model", "", "MJCF model to use instead of the shipped envs/mujoco/models/hopper.xml"),
  SRL_PARAM_END
};

static const char *const info_names[] = { "forward_distance", "max_forward_distance", NULL };

typedef struct {
  SrlMjPlanar planar;
  double forward_weight, ctrl_weight, healthy_reward, noise;
  double state_range[2], z_range[2], angle_range[2];
  gboolean terminate;
} Hopper;

static gboolean
hopper_configure (SrlMjEnv *env, const SrlSection *p, GError **error)
{
  Hopper *h = (Hopper *) env;
  h->forward_weight = srl_section_get_double (p, "forward_reward_weight");
  h->ctrl_weight = srl_section_get_double (p, "ctrl_cost_weight");
  h->healthy_reward = srl_section_get_double (p, "healthy_reward");
  h->terminate = srl_section_get_bool (p, "terminate_when_unhealthy");
  h->noise = srl_section_get_double (p, "reset_noise_scale");
  env->spec.obs_dim = 11;
  env->spec.info_names = info_names;
  return srl_mj_range (p, "healthy_state_range", h->state_range, error)
         && srl_mj_range (p, "healthy_z_range", h->z_range, error)
         && srl_mj_range (p, "healthy_angle_range", h->angle_range, error)
         && srl_mj_check_sizes (env, 6, 6, 3, -1, error);
}

static gboolean
inside (double v, const double range[2])
{
  return range[0] < v && v < range[1];
}

static gboolean
hopper_healthy (const Hopper *h)
{
  const mjData *d = h->planar.base.d;
  for (int i = 2; i < 6; i++)
    if (!inside (d->qpos[i], h->state_range))
      return FALSE;
  for (int i = 0; i < 6; i++)
    if (!inside (d->qvel[i], h->state_range))
      return FALSE;
  return inside (d->qpos[1], h->z_range) && inside (d->qpos[2], h->angle_range);
}

static void
hopper_reset (SrlMjEnv *env, SrlRng *rng)
{
  Hopper *h = (Hopper *) env;
  srl_mj_reset_state (env, rng, h->noise, h->noise, SRL_MJ_NOISE_UNIFORM);
}

static SrlStepStatus
hopper_after (SrlMjEnv *env, const double *action, double *reward)
{
  Hopper *h = (Hopper *) env;
  gboolean healthy = hopper_healthy (h);
  *reward = h->forward_weight * srl_mj_planar_velocity (env) + (healthy || h->terminate ? h->healthy_reward : 0)
            - h->ctrl_weight * srl_mj_sum_squares (action, 3);
  return h->terminate && !healthy ? SRL_STEP_TERMINATED : SRL_STEP_CONTINUE;
}

static void
hopper_observe (SrlMjEnv *env, double *obs)
{
  srl_mj_observe_state (env, 1, 10, obs);
}

static const SrlMjTask hopper_task = {
  .model = "envs/mujoco/models/hopper.xml",
  .frame_skip = 4,
  .size = sizeof (Hopper),
  .episode = G_STRUCT_OFFSET (SrlMjPlanar, progress),
  .n_episode = sizeof (SrlMjProgress) / sizeof (double),
  .configure = hopper_configure,
  .reset = hopper_reset,
  .begin = srl_mj_planar_begin,
  .before = srl_mj_planar_before,
  .after = hopper_after,
  .observe = hopper_observe,
  .info = srl_mj_planar_info,
};

static gpointer
hopper_create (const SrlSection *params, GError **error)
{
  return srl_mj_env_new (&hopper_task, params, error);
}

static const SrlEnvDescriptor hopper_descriptor = SRL_MJ_ENV_DESCRIPTOR (
  "hopper", "planar one-legged hopper, Gymnasium's Hopper-v4 (obs 11, action 3)", hopper_params, hopper_create);

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &hopper_descriptor.info, error);
}

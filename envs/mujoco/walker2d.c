/* Environment "walker2d": Gymnasium's Walker2d-v4 on the MuJoCo C API.
 *
 *   reward      forward_reward_weight·(x' − x)/dt + healthy_reward − ctrl_cost_weight·‖a‖²,
 *               x = qpos[0], dt = 4 × 0.002; the healthy reward is paid on every step while
 *               terminate_when_unhealthy (the terminal step included), otherwise only while healthy
 *   healthy     height qpos[1] strictly inside healthy_z_range and angle qpos[2] strictly
 *               inside healthy_angle_range
 *   observation qpos[1:] (8) and qvel clipped to ±10 (9): 17 values
 *   action      6 torques in [−1, 1] (gear 100)
 *   start       qpos0 (height 1.25) + U(±reset_noise_scale), qvel U(±reset_noise_scale)
 *   terminates when unhealthy (terminate_when_unhealthy); 1000 steps
 */
#include "mujoco-env.h"

static const SrlParamSpec walker2d_params[] = {
  SRL_PARAM_DOUBLE ("forward_reward_weight", "1", -SRL_UNBOUNDED, SRL_UNBOUNDED, "weight of the forward velocity"),
  SRL_PARAM_DOUBLE ("ctrl_cost_weight", "1e-3", 0, SRL_UNBOUNDED, "weight of the control cost ‖a‖²"),
  SRL_PARAM_DOUBLE ("healthy_reward", "1", -SRL_UNBOUNDED, SRL_UNBOUNDED, "reward for each healthy step"),
  SRL_PARAM_BOOL ("terminate_when_unhealthy", "true", "end the episode (terminal) when the walker is unhealthy"),
  SRL_PARAM_DOUBLE_LIST ("healthy_z_range", "0.8;2", -SRL_UNBOUNDED, SRL_UNBOUNDED,
                         "open interval for the height qpos[1]"),
  SRL_PARAM_DOUBLE_LIST ("healthy_angle_range", "-1;1", -SRL_UNBOUNDED, SRL_UNBOUNDED,
                         "open interval for the torso angle qpos[2]"),
  SRL_PARAM_DOUBLE ("reset_noise_scale", "5e-3", 0, SRL_UNBOUNDED, "initial qpos and qvel noise U(±scale)"),
  SRL_PARAM_INT ("max_episode_steps", "1000", 1, 1e9, "time limit"),
  SRL_PARAM_PATH ("model", "", "MJCF model to use instead of the shipped envs/mujoco/models/walker2d.xml"),
  SRL_PARAM_END
};

static const char *const info_names[] = { "forward_distance", "max_forward_distance", NULL };

typedef struct {
  SrlMjPlanar planar;
  double forward_weight, ctrl_weight, healthy_reward, noise;
  double z_range[2], angle_range[2];
  gboolean terminate;
} Walker2d;

static gboolean
walker2d_configure (SrlMjEnv *env, const SrlSection *p, GError **error)
{
  Walker2d *w = (Walker2d *) env;
  w->forward_weight = srl_section_get_double (p, "forward_reward_weight");
  w->ctrl_weight = srl_section_get_double (p, "ctrl_cost_weight");
  w->healthy_reward = srl_section_get_double (p, "healthy_reward");
  w->terminate = srl_section_get_bool (p, "terminate_when_unhealthy");
  w->noise = srl_section_get_double (p, "reset_noise_scale");
  env->spec.obs_dim = 17;
  env->spec.info_names = info_names;
  return srl_mj_range (p, "healthy_z_range", w->z_range, error)
         && srl_mj_range (p, "healthy_angle_range", w->angle_range, error)
         && srl_mj_check_sizes (env, 9, 9, 6, -1, error);
}

static void
walker2d_reset (SrlMjEnv *env, SrlRng *rng)
{
  Walker2d *w = (Walker2d *) env;
  srl_mj_reset_state (env, rng, w->noise, w->noise, SRL_MJ_NOISE_UNIFORM);
}

static SrlStepStatus
walker2d_after (SrlMjEnv *env, const double *action, double *reward)
{
  Walker2d *w = (Walker2d *) env;
  const double *qpos = env->d->qpos;
  gboolean healthy = w->z_range[0] < qpos[1] && qpos[1] < w->z_range[1] && w->angle_range[0] < qpos[2]
                     && qpos[2] < w->angle_range[1];
  *reward = w->forward_weight * srl_mj_planar_velocity (env) + (healthy || w->terminate ? w->healthy_reward : 0)
            - w->ctrl_weight * srl_mj_sum_squares (action, 6);
  return w->terminate && !healthy ? SRL_STEP_TERMINATED : SRL_STEP_CONTINUE;
}

static void
walker2d_observe (SrlMjEnv *env, double *obs)
{
  srl_mj_observe_state (env, 1, 10, obs);
}

static const SrlMjTask walker2d_task = {
  .model = "envs/mujoco/models/walker2d.xml",
  .frame_skip = 4,
  .size = sizeof (Walker2d),
  .episode = G_STRUCT_OFFSET (SrlMjPlanar, progress),
  .n_episode = sizeof (SrlMjProgress) / sizeof (double),
  .configure = walker2d_configure,
  .reset = walker2d_reset,
  .begin = srl_mj_planar_begin,
  .before = srl_mj_planar_before,
  .after = walker2d_after,
  .observe = walker2d_observe,
  .info = srl_mj_planar_info,
};

static gpointer
walker2d_create (const SrlSection *params, GError **error)
{
  return srl_mj_env_new (&walker2d_task, params, error);
}

static const SrlEnvDescriptor walker2d_descriptor = SRL_MJ_ENV_DESCRIPTOR (
  "walker2d", "planar biped walker, Gymnasium's Walker2d-v4 (obs 17, action 6)", walker2d_params, walker2d_create);

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &walker2d_descriptor.info, error);
}

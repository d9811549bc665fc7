/* Environment "ant": Gymnasium's Ant-v4 on the MuJoCo C API, with the
 * any-direction motion reward of thesis sections 3.4 and C.4 as a parameter.
 *
 *   reward      forward_reward_weight·v_x + healthy_reward − ctrl_cost_weight·‖a‖²
 *               (− contact_cost_weight·Σ clip(cfrc_ext)² with use_contact_forces), v from the
 *               torso's displacement over dt = 5 × 0.01; motion = any replaces v_x by ‖v_xy‖,
 *               the pretraining task of section 3.4 and the lower layer's task of section 7.4
 *   healthy     qpos and qvel finite and the torso height in [0.2, 1]
 *   observation qpos[2:] (13) and qvel (14): 27 values (29 with x and y when
 *               exclude_current_positions = false, + 84 contact forces with use_contact_forces)
 *   action      8 torques in [−1, 1] (gear 150)
 *   start       qpos0 (torso at height 0.75) + U(±0.1), qvel 0.1·N(0, 1)
 *   terminates when unhealthy; 1000 steps
 * Per-episode info: forward distance, the largest forward distance reached,
 * and the distance from the start in the plane.  See ant-common.h.
 */
#include "ant-common.h"

static const SrlParamSpec ant_params[] = {
  SRL_ANT_PARAMS ("forward", "0.5", "1", "0.2;1", "false", "true", "0.1"),
  SRL_PARAM_INT ("max_episode_steps", "1000", 1, 1e9, "time limit"),
  SRL_PARAM_PATH ("model", "", "MJCF model to use instead of the shipped envs/mujoco/models/ant.xml"),
  SRL_PARAM_END
};

static const char *const info_names[] = { "forward_distance", "max_forward_distance", "distance_from_start", NULL };

typedef struct {
  SrlAnt ant;
  SrlAntEpisode ep;
} Ant;

static gboolean
ant_configure (SrlMjEnv *env, const SrlSection *p, GError **error)
{
  env->spec.info_names = info_names;
  return srl_ant_configure ((SrlAnt *) env, p, 0, error);
}

static const SrlMjTask ant_task = {
  .model = "envs/mujoco/models/ant.xml",
  .frame_skip = 5,
  .size = sizeof (Ant),
  .episode = G_STRUCT_OFFSET (Ant, ep),
  .n_episode = sizeof (SrlAntEpisode) / sizeof (double),
  .configure = ant_configure,
  .reset = srl_ant_reset,
  .begin = srl_ant_begin,
  .after = srl_ant_after,
  .observe = srl_ant_observe,
  .info = srl_ant_info,
};

static gpointer
ant_create (const SrlSection *params, GError **error)
{
  return srl_mj_env_new (&ant_task, params, error);
}

static const SrlEnvDescriptor ant_descriptor = SRL_MJ_ENV_DESCRIPTOR (
  "ant", "quadruped, Gymnasium's Ant-v4; motion = any for section 3.4's any-direction task (obs 27, action 8)",
  ant_params, ant_create);

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &ant_descriptor.info, error);
}

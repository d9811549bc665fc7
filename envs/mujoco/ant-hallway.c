/* Environment "ant-hallway": the hallways of thesis section 3.4 (Figure
 * 3.7b, c) for fine-tuning a policy pretrained to move in any direction.
 *
 *   width = wide    corridor y ∈ [−1.5, 1.5] (envs/mujoco/models/ant-hallway-wide.xml)
 *   width = narrow  corridor y ∈ [−1, 1] (ant-hallway-narrow.xml)
 * Both run from a wall just behind the start at the origin to x = 29, as the
 * reference's hallways (hard walls at wall offsets 0.5 and 0).
 *
 *   reward   the pretraining reward: ‖v_xy‖ (motion = any) and the robot's other terms
 *            (ant-common.h); the walls block sideways motion, so the best is to run along +x
 * The robot's defaults follow the reference rather than Ant-v4: control cost
 * 0.5·10⁻³‖a‖², survival reward 0.05, the episode ends when the torso flips
 * over or rises above 1, and the observation includes the torso's x and y
 * (29 values), the same as experiments/ant-pretrain-sql.ini's pretraining so
 * that its networks fit.  500 steps (appendix C.1).  Per-episode info:
 * forward distance, the largest forward distance reached, and the distance
 * from the start.
 */
#include "ant-common.h"

static const SrlParamSpec ant_hallway_params[] = {
  SRL_PARAM_CHOICE ("width", "wide", "wide|narrow", "wide (3 m, Figure 3.7b) or narrow (2 m, Figure 3.7c) hallway"),
  SRL_ANT_PARAMS ("any", "5e-4", "0.05", "0;1", "true", "false", "0.1"),
  SRL_PARAM_INT ("max_episode_steps", "500", 1, 1e9, "time limit"),
  SRL_PARAM_PATH ("model", "", "MJCF model to use instead of the width's shipped one"),
  SRL_PARAM_END
};

static const char *const info_names[] = { "forward_distance", "max_forward_distance", "distance_from_start", NULL };

typedef struct {
  SrlAnt ant;
  SrlAntEpisode ep;
} AntHallway;

static gboolean
ant_hallway_configure (SrlMjEnv *env, const SrlSection *p, GError **error)
{
  env->spec.info_names = info_names;
  return srl_ant_configure ((SrlAnt *) env, p, 0, error);
}

#define ANT_HALLWAY_TASK(model_)                                                                                 \
  {                                                                                                              \
    .model = model_, .frame_skip = 5, .size = sizeof (AntHallway), .episode = G_STRUCT_OFFSET (AntHallway, ep),  \
    .n_episode = sizeof (SrlAntEpisode) / sizeof (double), .configure = ant_hallway_configure,                   \
    .reset = srl_ant_reset, .begin = srl_ant_begin, .after = srl_ant_after, .observe = srl_ant_observe,           \
    .info = srl_ant_info,                                                                                        \
  }
static const SrlMjTask wide_task = ANT_HALLWAY_TASK ("envs/mujoco/models/ant-hallway-wide.xml");
static const SrlMjTask narrow_task = ANT_HALLWAY_TASK ("envs/mujoco/models/ant-hallway-narrow.xml");

static gpointer
ant_hallway_create (const SrlSection *params, GError **error)
{
  gboolean narrow = g_strcmp0 (srl_section_get_string (params, "width"), "narrow") == 0;
  return srl_mj_env_new (narrow ? &narrow_task : &wide_task, params, error);
}

static const SrlEnvDescriptor ant_hallway_descriptor = SRL_MJ_ENV_DESCRIPTOR (
  "ant-hallway", "Ant in Figure 3.7's wide or narrow hallway, rewarded for speed (obs 29, action 8)",
  ant_hallway_params, ant_hallway_create);

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &ant_hallway_descriptor.info, error);
}

/* Environment "humanoid": Gymnasium's Humanoid-v4 on the MuJoCo C API, with
 * the any-direction motion reward of thesis sections 3.4 and C.4 as a
 * parameter.
 *
 *   reward      forward_reward_weight·v_x + healthy_reward − ctrl_cost_weight·Σ ctrl²,
 *               v from the displacement of the centre of mass (Σ m_b·xipos_b / Σ m_b, as
 *               Gymnasium's mass_center) over dt = 5 × 0.003; motion = any replaces v_x by
 *               ‖v_xy‖ (the lower layer's task of section 7.4)
 *   healthy     torso height qpos[2] strictly inside healthy_z_range (1, 2)
 *   observation qpos[2:] (22), qvel (23), cinert (140), cvel (84), qfrc_actuator (23) and
 *               cfrc_ext (84): 376 values (378 with x and y when exclude_current_positions = false)
 *   action      17 torques in [−0.4, 0.4] (gears 25 to 300)
 *   start       qpos0 (torso at height 1.4) + U(±0.01), qvel U(±0.01)
 *   terminates when unhealthy; 1000 steps
 * As Gymnasium, every step ends with mj_rnePostConstraint so that cfrc_ext
 * holds the contact forces.  Per-episode info: forward distance of the
 * centre of mass, the largest forward distance reached, the distance from
 * the start in the plane.
 */
#include "mujoco-env.h"

static const SrlParamSpec humanoid_params[] = {
  SRL_PARAM_CHOICE ("motion", "forward", "forward|any",
                    "velocity term: along x (forward, Humanoid-v4) or speed in any direction (any)"),
  SRL_PARAM_DOUBLE ("forward_reward_weight", "1.25", -SRL_UNBOUNDED, SRL_UNBOUNDED, "weight of the velocity term"),
  SRL_PARAM_DOUBLE ("ctrl_cost_weight", "0.1", 0, SRL_UNBOUNDED, "weight of the control cost Σ ctrl²"),
  SRL_PARAM_DOUBLE ("healthy_reward", "5", -SRL_UNBOUNDED, SRL_UNBOUNDED, "reward for each healthy step"),
  SRL_PARAM_BOOL ("terminate_when_unhealthy", "true", "end the episode (terminal) when the humanoid is unhealthy"),
  SRL_PARAM_DOUBLE_LIST ("healthy_z_range", "1;2", -SRL_UNBOUNDED, SRL_UNBOUNDED,
                         "open interval for the torso height qpos[2]"),
  SRL_PARAM_BOOL ("exclude_current_positions", "true",
                  "leave the torso's x and y out of the observation (Humanoid-v4: true)"),
  SRL_PARAM_DOUBLE ("reset_noise_scale", "1e-2", 0, SRL_UNBOUNDED, "initial qpos and qvel noise U(±scale)"),
  SRL_PARAM_INT ("max_episode_steps", "1000", 1, 1e9, "time limit"),
  SRL_PARAM_PATH ("model", "", "MJCF model to use instead of the shipped envs/mujoco/models/humanoid.xml"),
  SRL_PARAM_END
};

static const char *const info_names[] = { "forward_distance", "max_forward_distance", "distance_from_start", NULL };

typedef struct {
  double prev[2]; /* centre of mass after the last step, as Gymnasium reads it before the next */
  double start[2];
  double max_x;
} Episode;

typedef struct {
  SrlMjEnv base;
  gboolean any, terminate, include_xy;
  double forward_weight, ctrl_weight, healthy_reward, z_range[2], noise, total_mass;
  Episode ep;
} Humanoid;

static gboolean
humanoid_configure (SrlMjEnv *env, const SrlSection *p, GError **error)
{
  Humanoid *h = (Humanoid *) env;
  h->any = g_strcmp0 (srl_section_get_string (p, "motion"), "any") == 0;
  h->forward_weight = srl_section_get_double (p, "forward_reward_weight");
  h->ctrl_weight = srl_section_get_double (p, "ctrl_cost_weight");
  h->healthy_reward = srl_section_get_double (p, "healthy_reward");
  h->terminate = srl_section_get_bool (p, "terminate_when_unhealthy");
  h->include_xy = !srl_section_get_bool (p, "exclude_current_positions");
  h->noise = srl_section_get_double (p, "reset_noise_scale");
  if (!srl_mj_range (p, "healthy_z_range", h->z_range, error) || !srl_mj_check_sizes (env, 24, 23, 17, 14, error))
    return FALSE;
  for (int b = 0; b < env->m->nbody; b++)
    h->total_mass += env->m->body_mass[b];
  env->post_constraint = TRUE;
  env->spec.obs_dim = (h->include_xy ? 24 : 22) + 23 + 14 * 10 + 14 * 6 + 23 + 14 * 6;
  env->spec.info_names = info_names;
  return TRUE;
}

/* Gymnasium's mass_center: the bodies' centres of mass (xipos, from the last
 * forward computation) weighted by their masses. */
static void
mass_center (const Humanoid *h, double xy[2])
{
  const mjModel *m = h->base.m;
  const mjData *d = h->base.d;
  xy[0] = xy[1] = 0;
  for (int b = 0; b < m->nbody; b++)
    {
      xy[0] += m->body_mass[b] * d->xipos[3 * b];
      xy[1] += m->body_mass[b] * d->xipos[3 * b + 1];
    }
  xy[0] /= h->total_mass;
  xy[1] /= h->total_mass;
}

static void
humanoid_reset (SrlMjEnv *env, SrlRng *rng)
{
  Humanoid *h = (Humanoid *) env;
  srl_mj_reset_state (env, rng, h->noise, h->noise, SRL_MJ_NOISE_UNIFORM);
}

static void
humanoid_begin (SrlMjEnv *env)
{
  Humanoid *h = (Humanoid *) env;
  mass_center (h, h->ep.prev);
  h->ep.start[0] = h->ep.max_x = h->ep.prev[0];
  h->ep.start[1] = h->ep.prev[1];
}

static SrlStepStatus
humanoid_after (SrlMjEnv *env, const double *action, double *reward)
{
  Humanoid *h = (Humanoid *) env;
  double xy[2];
  mass_center (h, xy);
  double vx = (xy[0] - h->ep.prev[0]) / env->dt, vy = (xy[1] - h->ep.prev[1]) / env->dt;
  h->ep.prev[0] = xy[0];
  h->ep.prev[1] = xy[1];
  h->ep.max_x = MAX (h->ep.max_x, xy[0]);
  double z = env->d->qpos[2];
  gboolean healthy = h->z_range[0] < z && z < h->z_range[1];
  /* Humanoid-v4's control cost reads data.ctrl: the action as applied. */
  *reward = h->forward_weight * (h->any ? hypot (vx, vy) : vx) + (healthy || h->terminate ? h->healthy_reward : 0)
            - h->ctrl_weight * srl_mj_sum_squares (env->d->ctrl, 17);
  return h->terminate && !healthy ? SRL_STEP_TERMINATED : SRL_STEP_CONTINUE;
}

static void
copy (double **obs, const double *from, int n)
{
  memcpy (*obs, from, n * sizeof (double));
  *obs += n;
}

static void
humanoid_observe (SrlMjEnv *env, double *obs)
{
  Humanoid *h = (Humanoid *) env;
  const mjData *d = env->d;
  obs = srl_mj_observe_state (env, h->include_xy ? 0 : 2, 0, obs);
  copy (&obs, d->cinert, 14 * 10);
  copy (&obs, d->cvel, 14 * 6);
  copy (&obs, d->qfrc_actuator, 23);
  copy (&obs, d->cfrc_ext, 14 * 6);
}

static void
humanoid_info (SrlMjEnv *env, double *values)
{
  Humanoid *h = (Humanoid *) env;
  values[0] = h->ep.prev[0] - h->ep.start[0];
  values[1] = h->ep.max_x - h->ep.start[0];
  values[2] = hypot (h->ep.prev[0] - h->ep.start[0], h->ep.prev[1] - h->ep.start[1]);
}

static const SrlMjTask humanoid_task = {
  .model = "envs/mujoco/models/humanoid.xml",
  .frame_skip = 5,
  .size = sizeof (Humanoid),
  .episode = G_STRUCT_OFFSET (Humanoid, ep),
  .n_episode = sizeof (Episode) / sizeof (double),
  .configure = humanoid_configure,
  .reset = humanoid_reset,
  .begin = humanoid_begin,
  .after = humanoid_after,
  .observe = humanoid_observe,
  .info = humanoid_info,
};

static gpointer
humanoid_create (const SrlSection *params, GError **error)
{
  return srl_mj_env_new (&humanoid_task, params, error);
}

static const SrlEnvDescriptor humanoid_descriptor = SRL_MJ_ENV_DESCRIPTOR (
  "humanoid", "3-D biped, Gymnasium's Humanoid-v4; motion = any for the any-direction task (obs 376, action 17)",
  humanoid_params, humanoid_create);

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &humanoid_descriptor.info, error);
}

/* Environment "pusher": the planar pushing task of thesis section 6.3
 * (Figure 6.1, Table 6.1), as the reference soft Q-learning code defined it
 * (haarnoja/softqlearning's PusherEnv).
 *
 * A 3-DoF arm pushes a cylinder (the puck) on a table; the task is to bring
 * the puck to a target x, a target y, or both: either coordinate may be left
 * free ("any"), which gives the constituent tasks of the composition
 * experiment (push left x = −1, middle x = 0, right x = 1, bottom y = −1) and
 * their combinations (bottom-left, bottom-middle, bottom-right).  The default
 * goal is the reference's, (0, −1).
 *
 *   reward      −ctrl_cost_weight·‖a‖² − goal_distance_weight·‖(puck − goal) over the set
 *               coordinates‖ − arm_distance_weight·‖hand − puck‖, computed, as the reference
 *               does, on the state before the step; a are the torques as applied (in [−3, 3])
 *   observation the arm's joint angles (3) and velocities (3), the hand's centre of mass (3)
 *               and the puck's (3): 12 values
 *   action      3 torques in [−3, 3]
 *   start       the arm at qpos0 + U(±0.1) with zero velocity; the puck at rest, uniform in
 *               [0.3, 1] × [−1, −0.4] and more than 0.45 from (1, −1) (the reference's draw)
 *   no termination; 300 steps (the reference's max_path_length)
 * Per-episode info: the puck's final x and y, its final distance to the goal
 * (Table 6.1's measure) and the hand's final distance to the puck.
 */
#include "mujoco-env.h"

static const SrlParamSpec pusher_params[] = {
  SRL_PARAM_DOUBLE_OR ("goal_x", "0", -SRL_UNBOUNDED, SRL_UNBOUNDED, "any",
                       "x the puck should reach, or any (x free)"),
  SRL_PARAM_DOUBLE_OR ("goal_y", "-1", -SRL_UNBOUNDED, SRL_UNBOUNDED, "any",
                       "y the puck should reach, or any (y free)"),
  SRL_PARAM_DOUBLE ("ctrl_cost_weight", "0.1", 0, SRL_UNBOUNDED, "weight of the control cost ‖a‖²"),
  SRL_PARAM_DOUBLE ("goal_distance_weight", "1", 0, SRL_UNBOUNDED, "weight of the puck's distance to the goal"),
  SRL_PARAM_DOUBLE ("arm_distance_weight", "0", 0, SRL_UNBOUNDED, "weight of the hand's distance to the puck"),
  SRL_PARAM_DOUBLE ("reset_noise_scale", "0.1", 0, SRL_UNBOUNDED, "initial joint angle noise U(±scale)"),
  SRL_PARAM_INT ("max_episode_steps", "300", 1, 1e9, "time limit"),
  SRL_PARAM_PATH ("model", "", "MJCF model to use instead of the shipped envs/mujoco/models/pusher.xml"),
  SRL_PARAM_END
};

static const char *const info_names[] = { "final_x", "final_y", "final_distance", "arm_distance", NULL };

typedef struct {
  SrlMjEnv base;
  gboolean use[2]; /* which goal coordinates count */
  double goal[2], ctrl_weight, goal_weight, arm_weight, noise;
  int hand, puck, site;
} Pusher;

static gboolean
pusher_configure (SrlMjEnv *env, const SrlSection *p, GError **error)
{
  Pusher *u = (Pusher *) env;
  static const char *const keys[2] = { "goal_x", "goal_y" };
  for (int i = 0; i < 2; i++)
    {
      u->use[i] = !srl_section_is_word (p, keys[i], "any");
      u->goal[i] = u->use[i] ? srl_section_get_double (p, keys[i]) : 0;
    }
  if (!u->use[0] && !u->use[1])
    return srl_section_error (p, "goal_y", error, "goal_x and goal_y are both any: the puck would have no goal");
  u->ctrl_weight = srl_section_get_double (p, "ctrl_cost_weight");
  u->goal_weight = srl_section_get_double (p, "goal_distance_weight");
  u->arm_weight = srl_section_get_double (p, "arm_distance_weight");
  u->noise = srl_section_get_double (p, "reset_noise_scale");
  env->spec.obs_dim = 12;
  env->spec.info_names = info_names;
  if (!srl_mj_check_sizes (env, 5, 5, 3, -1, error) || !srl_mj_body (env, "distal_4", &u->hand, error)
      || !srl_mj_body (env, "object", &u->puck, error) || !srl_mj_site (env, "goal", &u->site, error))
    return FALSE;
  /* Draw the target where the task puts it (viewers only); a free
   * coordinate is drawn at 0. */
  env->m->site_pos[3 * u->site] = u->goal[0];
  env->m->site_pos[3 * u->site + 1] = u->goal[1];
  return TRUE;
}

/* The hand's and the puck's centres of mass at the current state.  The
 * reference's get_body_com reads com_subtree after a forward pass; both
 * bodies are leaves, whose subtree centre of mass is their own (xipos), and
 * mj_step leaves the positions of its last sub-step, so mj_kinematics
 * recomputes them. */
static void
positions (Pusher *u)
{
  mj_kinematics (u->base.m, u->base.d);
}

static const double *
com (const Pusher *u, int body)
{
  return u->base.d->xipos + 3 * body;
}

static void
pusher_reset (SrlMjEnv *env, SrlRng *rng)
{
  Pusher *u = (Pusher *) env;
  mjData *d = env->d;
  for (int i = 0; i < 3; i++)
    d->qpos[i] = env->m->qpos0[i] + srl_rng_uniform_range (rng, -u->noise, u->noise);
  double px, py;
  do
    {
      px = srl_rng_uniform_range (rng, 0.3, 1.0);
      py = srl_rng_uniform_range (rng, -1.0, -0.4);
    }
  while (hypot (px - 1, py + 1) <= 0.45);
  d->qpos[3] = px;
  d->qpos[4] = py;
  for (int i = 0; i < 5; i++)
    d->qvel[i] = 0;
  srl_mj_forward (env);
}

static void
pusher_begin (SrlMjEnv *env)
{
}

static double
goal_distance (const Pusher *u, const double *puck)
{
  double s = 0;
  for (int i = 0; i < 2; i++)
    if (u->use[i])
      s += (puck[i] - u->goal[i]) * (puck[i] - u->goal[i]);
  return sqrt (s);
}

static double
arm_distance (const Pusher *u)
{
  const double *hand = com (u, u->hand), *puck = com (u, u->puck);
  return sqrt ((hand[0] - puck[0]) * (hand[0] - puck[0]) + (hand[1] - puck[1]) * (hand[1] - puck[1])
               + (hand[2] - puck[2]) * (hand[2] - puck[2]));
}

static void
pusher_before (SrlMjEnv *env, const double *action, double *reward)
{
  Pusher *u = (Pusher *) env;
  *reward = -u->ctrl_weight * srl_mj_sum_squares (action, 3)
            - u->goal_weight * goal_distance (u, com (u, u->puck)) - u->arm_weight * arm_distance (u);
}

static SrlStepStatus
pusher_after (SrlMjEnv *env, const double *action, double *reward)
{
  positions ((Pusher *) env);
  return SRL_STEP_CONTINUE;
}

static void
pusher_observe (SrlMjEnv *env, double *obs)
{
  Pusher *u = (Pusher *) env;
  const mjData *d = env->d;
  for (int i = 0; i < 3; i++)
    {
      obs[i] = d->qpos[i];
      obs[3 + i] = d->qvel[i];
      obs[6 + i] = com (u, u->hand)[i];
      obs[9 + i] = com (u, u->puck)[i];
    }
}

static void
pusher_info (SrlMjEnv *env, double *values)
{
  Pusher *u = (Pusher *) env;
  const double *puck = com (u, u->puck);
  values[0] = puck[0];
  values[1] = puck[1];
  values[2] = goal_distance (u, puck);
  values[3] = arm_distance (u);
}

static const SrlMjTask pusher_task = {
  .model = "envs/mujoco/models/pusher.xml",
  .frame_skip = 5,
  .size = sizeof (Pusher),
  .configure = pusher_configure,
  .reset = pusher_reset,
  .begin = pusher_begin,
  .before = pusher_before,
  .after = pusher_after,
  .observe = pusher_observe,
  .info = pusher_info,
};

static gpointer
pusher_create (const SrlSection *params, GError **error)
{
  return srl_mj_env_new (&pusher_task, params, error);
}

static const SrlEnvDescriptor pusher_descriptor = SRL_MJ_ENV_DESCRIPTOR (
  "pusher", "planar 3-DoF arm pushing a puck to a target x, y or both, section 6.3 (obs 12, action 3)",
  pusher_params, pusher_create);

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &pusher_descriptor.info, error);
}

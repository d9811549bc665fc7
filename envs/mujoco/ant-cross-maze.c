/* Environment "ant-cross-maze": the sparse-goal maze of thesis section 7.4
 * (Figure 7.5) and appendix C.4, the task of the Ant hierarchy's top layer.
 *
 *   reward   goal_reward (1000) on the step that brings the torso within goal_radius (2) of
 *            the goal, and the episode ends there; no other reward ("no velocity reward nor
 *            any control costs", C.4): the robot's terms are off by default (motion none,
 *            ctrl_cost_weight 0, healthy_reward 0)
 *   goals    the reference's (haarnoja/sac's CrossMazeAntEnv): (6, −6), (6, 6) and (12, 0), one
 *            per experiment (`goal`), as Figure 7.5a's three tasks; with random_goal each
 *            episode draws one of the three and the observation carries it (31 values)
 *   walls    envs/mujoco/models/ant-cross-maze.xml
 * The robot is Ant-v4's, with the torso's x and y in the observation (29
 * values; the lower layer's pretraining on `ant` with motion = any and
 * exclude_current_positions = false sees the same), health as Ant-v4
 * (height in [0.2, 1], the reference's), 1000 steps (Table C.3).
 * Per-episode info: whether the goal was reached, the final and the smallest
 * distance to the goal.
 */
#include "ant-common.h"

static const SrlParamSpec ant_cross_maze_params[] = {
  SRL_PARAM_DOUBLE_LIST ("goal", "12;0", -SRL_UNBOUNDED, SRL_UNBOUNDED,
                         "x;y of the goal; the reference's goals are 6;-6, 6;6 and 12;0"),
  SRL_PARAM_BOOL ("random_goal", "false",
                  "draw the goal among (6, -6), (6, 6), (12, 0) for each episode and append it to the observation"),
  SRL_PARAM_DOUBLE ("goal_reward", "1000", -SRL_UNBOUNDED, SRL_UNBOUNDED, "reward on reaching the goal (C.4)"),
  SRL_PARAM_DOUBLE ("goal_radius", "2", 1e-9, SRL_UNBOUNDED, "distance of the torso to the goal that counts as reached"),
  SRL_ANT_PARAMS ("none", "0", "0", "0.2;1", "false", "false", "0.1"),
  SRL_PARAM_INT ("max_episode_steps", "1000", 1, 1e9, "time limit"),
  SRL_PARAM_PATH ("model", "", "MJCF model to use instead of the shipped envs/mujoco/models/ant-cross-maze.xml"),
  SRL_PARAM_END
};

static const char *const info_names[] = { "goal_reached", "final_distance", "min_distance", NULL };

static const double reference_goals[3][2] = { { 6, -6 }, { 6, 6 }, { 12, 0 } };

typedef struct {
  SrlAntEpisode ant;
  double goal[2];
  double reached, min_distance;
} Episode;

typedef struct {
  SrlAnt ant;
  double fixed_goal[2], goal_reward, radius;
  gboolean random_goal;
  int site;
  Episode ep;
} AntCrossMaze;

static gboolean
ant_cross_maze_configure (SrlMjEnv *env, const SrlSection *p, GError **error)
{
  AntCrossMaze *a = (AntCrossMaze *) env;
  a->random_goal = srl_section_get_bool (p, "random_goal");
  a->goal_reward = srl_section_get_double (p, "goal_reward");
  a->radius = srl_section_get_double (p, "goal_radius");
  guint n = 0;
  const double *goal = srl_section_get_double_list (p, "goal", &n);
  if (n != 2)
    return srl_section_error (p, "goal", error, "expected x;y");
  a->fixed_goal[0] = goal[0];
  a->fixed_goal[1] = goal[1];
  env->spec.info_names = info_names;
  return srl_ant_configure (&a->ant, p, a->random_goal ? 2 : 0, error) && srl_mj_site (env, "goal", &a->site, error);
}

static void
ant_cross_maze_reset (SrlMjEnv *env, SrlRng *rng)
{
  AntCrossMaze *a = (AntCrossMaze *) env;
  const double *goal = a->random_goal ? reference_goals[srl_rng_below (rng, 3)] : a->fixed_goal;
  a->ep.goal[0] = goal[0];
  a->ep.goal[1] = goal[1];
  srl_ant_reset (env, rng);
}

static void
ant_cross_maze_begin (SrlMjEnv *env)
{
  AntCrossMaze *a = (AntCrossMaze *) env;
  if (!a->random_goal)
    {
      /* A state set by hand (load without bookkeeping) keeps the fixed goal. */
      a->ep.goal[0] = a->fixed_goal[0];
      a->ep.goal[1] = a->fixed_goal[1];
    }
  /* Show the goal where the model's site is drawn (viewers only). */
  env->m->site_pos[3 * a->site] = a->ep.goal[0];
  env->m->site_pos[3 * a->site + 1] = a->ep.goal[1];
  srl_ant_begin (env);
  a->ep.reached = 0;
  a->ep.min_distance = srl_ant_distance (&a->ant, a->ep.goal);
}

static SrlStepStatus
ant_cross_maze_after (SrlMjEnv *env, const double *action, double *reward)
{
  AntCrossMaze *a = (AntCrossMaze *) env;
  double d = srl_ant_distance (&a->ant, a->ep.goal);
  a->ep.min_distance = MIN (a->ep.min_distance, d);
  SrlStepStatus status = srl_ant_after (env, action, reward);
  if (d < a->radius)
    {
      a->ep.reached = 1;
      *reward += a->goal_reward;
      return SRL_STEP_TERMINATED;
    }
  return status;
}

static void
ant_cross_maze_observe (SrlMjEnv *env, double *obs)
{
  AntCrossMaze *a = (AntCrossMaze *) env;
  srl_ant_observe (env, obs);
  if (a->random_goal)
    {
      obs[srl_ant_obs_dim (&a->ant)] = a->ep.goal[0];
      obs[srl_ant_obs_dim (&a->ant) + 1] = a->ep.goal[1];
    }
}

static void
ant_cross_maze_info (SrlMjEnv *env, double *values)
{
  AntCrossMaze *a = (AntCrossMaze *) env;
  values[0] = a->ep.reached;
  values[1] = srl_ant_distance (&a->ant, a->ep.goal);
  values[2] = a->ep.min_distance;
}

static const SrlMjTask ant_cross_maze_task = {
  .model = "envs/mujoco/models/ant-cross-maze.xml",
  .frame_skip = 5,
  .size = sizeof (AntCrossMaze),
  .episode = G_STRUCT_OFFSET (AntCrossMaze, ep),
  .n_episode = sizeof (Episode) / sizeof (double),
  .configure = ant_cross_maze_configure,
  .reset = ant_cross_maze_reset,
  .begin = ant_cross_maze_begin,
  .after = ant_cross_maze_after,
  .observe = ant_cross_maze_observe,
  .info = ant_cross_maze_info,
};

static gpointer
ant_cross_maze_create (const SrlSection *params, GError **error)
{
  return srl_mj_env_new (&ant_cross_maze_task, params, error);
}

static const SrlEnvDescriptor ant_cross_maze_descriptor = SRL_MJ_ENV_DESCRIPTOR (
  "ant-cross-maze", "Ant in section 7.4's cross maze, reward 1000 at a goal and nothing else (obs 29, action 8)",
  ant_cross_maze_params, ant_cross_maze_create);

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &ant_cross_maze_descriptor.info, error);
}

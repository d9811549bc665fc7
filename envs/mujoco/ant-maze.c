/* Environment "ant-maze": the quadruped mazes of thesis section 3.4 with a
 * Gaussian reward centred at the target.
 *
 *   layout = two-choice  the exploration maze of section 3.4 (Figure 3.5b): a divider in front
 *                        of the start opens an upper and a lower passage that look alike; both
 *                        lead towards the target at (8, 0) but the upper one is closed by a
 *                        barrier, so reaching the target needs the lower one
 *   layout = u-maze      the U-shaped maze of Figure 3.7d (fine-tuning): a corridor that turns
 *                        back to the target at (0, 7)
 * (models envs/mujoco/models/ant-maze.xml and ant-u-maze.xml; the target is
 * their site "goal").
 *
 *   reward      goal_reward·exp(−b·d²) + the robot's terms (ant-common.h), where d is the torso's
 *               distance to the target and b = ln(goal_reward/start_reward)/d0² makes the
 *               reward start_reward at the start's distance d0 (the origin's) and goal_reward at
 *               the target, as the reference (AntPuddleEnv's "goal" reward) defined it
 * The robot's defaults follow the reference rather than Ant-v4: no velocity
 * term, control cost 0.5·10⁻³‖a‖², survival reward 0.05, the episode ends
 * when the torso flips over or rises above 1, and the observation includes
 * the torso's x and y (the task depends on where the robot is: 29 values).
 * 500 steps (appendix C.1's horizon).  Per-episode info: the final and the
 * smallest distance to the target (Figure 3.5b plots the latter).
 */
#include "ant-common.h"

static const SrlParamSpec ant_maze_params[] = {
  SRL_PARAM_CHOICE ("layout", "two-choice", "two-choice|u-maze",
                    "two-choice: section 3.4's maze with a blocked passage; u-maze: Figure 3.7d"),
  SRL_PARAM_DOUBLE ("goal_reward", "10", 1e-9, SRL_UNBOUNDED, "reward at the target (the Gaussian's peak)"),
  SRL_PARAM_DOUBLE ("start_reward", "1", 1e-9, SRL_UNBOUNDED,
                    "reward at the start's distance from the target (sets the Gaussian's width)"),
  SRL_ANT_PARAMS ("none", "5e-4", "0.05", "0;1", "true", "false", "0.1"),
  SRL_PARAM_INT ("max_episode_steps", "500", 1, 1e9, "time limit"),
  SRL_PARAM_PATH ("model", "", "MJCF model to use instead of the layout's shipped one"),
  SRL_PARAM_END
};

static const char *const info_names[] = { "final_distance", "min_distance", NULL };

typedef struct {
  SrlAntEpisode ant;
  double min_distance;
} Episode;

typedef struct {
  SrlAnt ant;
  double goal[2], goal_reward, b;
  Episode ep;
} AntMaze;

static const SrlMjTask ant_maze_task, ant_u_maze_task;

static gboolean
ant_maze_configure (SrlMjEnv *env, const SrlSection *p, GError **error)
{
  AntMaze *a = (AntMaze *) env;
  env->spec.info_names = info_names;
  int site;
  if (!srl_ant_configure (&a->ant, p, 0, error) || !srl_mj_site (env, "goal", &site, error))
    return FALSE;
  a->goal[0] = env->m->site_pos[3 * site];
  a->goal[1] = env->m->site_pos[3 * site + 1];
  a->goal_reward = srl_section_get_double (p, "goal_reward");
  double start_reward = srl_section_get_double (p, "start_reward");
  double d0 = hypot (a->goal[0], a->goal[1]);
  if (!(start_reward < a->goal_reward))
    return srl_section_error (p, "start_reward", error, "must be below goal_reward (%g) for a bump at the target",
                              a->goal_reward);
  if (!(d0 > 0))
    return srl_section_error (p, "model", error, "the target is at the start");
  a->b = log (a->goal_reward / start_reward) / (d0 * d0);
  return TRUE;
}

static void
ant_maze_begin (SrlMjEnv *env)
{
  AntMaze *a = (AntMaze *) env;
  srl_ant_begin (env);
  a->ep.min_distance = srl_ant_distance (&a->ant, a->goal);
}

static SrlStepStatus
ant_maze_after (SrlMjEnv *env, const double *action, double *reward)
{
  AntMaze *a = (AntMaze *) env;
  double d = srl_ant_distance (&a->ant, a->goal);
  a->ep.min_distance = MIN (a->ep.min_distance, d);
  *reward = a->goal_reward * exp (-a->b * d * d);
  return srl_ant_after (env, action, reward);
}

static void
ant_maze_info (SrlMjEnv *env, double *values)
{
  AntMaze *a = (AntMaze *) env;
  values[0] = srl_ant_distance (&a->ant, a->goal);
  values[1] = a->ep.min_distance;
}

#define ANT_MAZE_TASK(model_)                                                                                    \
  {                                                                                                              \
    .model = model_, .frame_skip = 5, .size = sizeof (AntMaze), .episode = G_STRUCT_OFFSET (AntMaze, ep),        \
    .n_episode = sizeof (Episode) / sizeof (double), .configure = ant_maze_configure, .reset = srl_ant_reset,     \
    .begin = ant_maze_begin, .after = ant_maze_after, .observe = srl_ant_observe, .info = ant_maze_info,          \
  }
static const SrlMjTask ant_maze_task = ANT_MAZE_TASK ("envs/mujoco/models/ant-maze.xml");
static const SrlMjTask ant_u_maze_task = ANT_MAZE_TASK ("envs/mujoco/models/ant-u-maze.xml");

static gpointer
ant_maze_create (const SrlSection *params, GError **error)
{
  gboolean u = g_strcmp0 (srl_section_get_string (params, "layout"), "u-maze") == 0;
  return srl_mj_env_new (u ? &ant_u_maze_task : &ant_maze_task, params, error);
}

static const SrlEnvDescriptor ant_maze_descriptor = SRL_MJ_ENV_DESCRIPTOR (
  "ant-maze", "Ant in section 3.4's two-passage maze or Figure 3.7's U-maze, Gaussian reward at the target (obs 29, action 8)",
  ant_maze_params, ant_maze_create);

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &ant_maze_descriptor.info, error);
}

/* Environment "swimmer": Gymnasium's Swimmer-v4 on the MuJoCo C API, with the
 * exploration task of thesis section 3.4 as parameters.
 *
 *   reward      forward_reward_weight·v − ctrl_cost_weight·‖a‖² + finish_bonus·[x' > finish_line]
 *               where x = qpos[0] (the front segment's x), dt = 4 × 0.01 and
 *               v = (x' − x)/dt (motion = forward, Gymnasium's) or |x' − x|/dt
 *               (motion = either: speed along x in either direction, section 3.4)
 *   observation qpos[2:] (3 angles) and qvel (5): 8 values
 *   action      2 torques in [−1, 1] (gear 150)
 *   start       qpos0 + U(±reset_noise_scale), qvel U(±reset_noise_scale)
 *   no termination; 1000 steps
 *
 * Section 3.4's task: the swimming snake is rewarded for its speed along x
 * forwards or backwards, and once it swims far enough forward it crosses a
 * finish line and receives a larger reward, so a learner must keep both
 * directions until it discovers the bonus.  The reference experiment's
 * environment (UndirectedSwimmerEnv in Haoran Tang's rllab sandbox) put the
 * line at x = 4 with a bonus of 1 per step beyond it; these are the values
 * of experiments/swimmer-exploration-*.ini.  Per-episode info: forward
 * distance, the largest forward distance reached, and whether the finish
 * line was crossed (Figures 3.4 and 3.5a).
 */
#include "mujoco-env.h"

static const SrlParamSpec swimmer_params[] = {
  SRL_PARAM_CHOICE ("motion", "forward", "forward|either",
                    "reward the velocity along x (forward) or the speed along x in either direction (either)"),
  SRL_PARAM_DOUBLE ("forward_reward_weight", "1", -SRL_UNBOUNDED, SRL_UNBOUNDED, "weight of the velocity term"),
  SRL_PARAM_DOUBLE ("ctrl_cost_weight", "1e-4", 0, SRL_UNBOUNDED, "weight of the control cost ‖a‖²"),
  SRL_PARAM_DOUBLE_OR ("finish_line", "none", -SRL_UNBOUNDED, SRL_UNBOUNDED, "none",
                       "x of the finish line (section 3.4), or none"),
  SRL_PARAM_DOUBLE ("finish_bonus", "1", -SRL_UNBOUNDED, SRL_UNBOUNDED,
                    "reward added on every step that ends beyond the finish line"),
  SRL_PARAM_DOUBLE ("reset_noise_scale", "0.1", 0, SRL_UNBOUNDED, "initial qpos and qvel noise U(±scale)"),
  SRL_PARAM_INT ("max_episode_steps", "1000", 1, 1e9, "time limit"),
  SRL_PARAM_PATH ("model", "", "MJCF model to use instead of the shipped envs/mujoco/models/swimmer.xml"),
  SRL_PARAM_END
};

static const char *const info_names[] = { "forward_distance", "max_forward_distance", "crossed_finish", NULL };

/* The per-episode bookkeeping is the planar progress followed by `crossed`. */
typedef struct {
  SrlMjPlanar planar;
  double crossed;
  gboolean either;
  double forward_weight, ctrl_weight, finish_line, finish_bonus, noise;
} Swimmer;

static gboolean
swimmer_configure (SrlMjEnv *env, const SrlSection *p, GError **error)
{
  Swimmer *s = (Swimmer *) env;
  s->either = g_strcmp0 (srl_section_get_string (p, "motion"), "either") == 0;
  s->forward_weight = srl_section_get_double (p, "forward_reward_weight");
  s->ctrl_weight = srl_section_get_double (p, "ctrl_cost_weight");
  s->finish_line = srl_section_is_word (p, "finish_line", "none") ? INFINITY
                                                                   : srl_section_get_double (p, "finish_line");
  s->finish_bonus = srl_section_get_double (p, "finish_bonus");
  s->noise = srl_section_get_double (p, "reset_noise_scale");
  env->spec.obs_dim = 8;
  env->spec.info_names = info_names;
  return srl_mj_check_sizes (env, 5, 5, 2, -1, error);
}

static void
swimmer_reset (SrlMjEnv *env, SrlRng *rng)
{
  Swimmer *s = (Swimmer *) env;
  srl_mj_reset_state (env, rng, s->noise, s->noise, SRL_MJ_NOISE_UNIFORM);
}

static void
swimmer_begin (SrlMjEnv *env)
{
  Swimmer *s = (Swimmer *) env;
  srl_mj_planar_begin (env);
  s->crossed = env->d->qpos[0] > s->finish_line;
}

static SrlStepStatus
swimmer_after (SrlMjEnv *env, const double *action, double *reward)
{
  Swimmer *s = (Swimmer *) env;
  double v = srl_mj_planar_velocity (env);
  gboolean beyond = env->d->qpos[0] > s->finish_line;
  *reward = s->forward_weight * (s->either ? fabs (v) : v) - s->ctrl_weight * srl_mj_sum_squares (action, 2)
            + (beyond ? s->finish_bonus : 0);
  if (beyond)
    s->crossed = 1;
  return SRL_STEP_CONTINUE;
}

static void
swimmer_observe (SrlMjEnv *env, double *obs)
{
  srl_mj_observe_state (env, 2, 0, obs);
}

static void
swimmer_info (SrlMjEnv *env, double *values)
{
  srl_mj_planar_info (env, values);
  values[2] = ((Swimmer *) env)->crossed;
}

static const SrlMjTask swimmer_task = {
  .model = "envs/mujoco/models/swimmer.xml",
  .frame_skip = 4,
  .size = sizeof (Swimmer),
  .episode = G_STRUCT_OFFSET (Swimmer, planar.progress),
  .n_episode = sizeof (SrlMjProgress) / sizeof (double) + 1,
  .configure = swimmer_configure,
  .reset = swimmer_reset,
  .begin = swimmer_begin,
  .before = srl_mj_planar_before,
  .after = swimmer_after,
  .observe = swimmer_observe,
  .info = swimmer_info,
};

static gpointer
swimmer_create (const SrlSection *params, GError **error)
{
  return srl_mj_env_new (&swimmer_task, params, error);
}

static const SrlEnvDescriptor swimmer_descriptor = SRL_MJ_ENV_DESCRIPTOR (
  "swimmer", "three-link swimmer, Gymnasium's Swimmer-v4 and the finish-line task of section 3.4 (obs 8, action 2)",
  swimmer_params, swimmer_create);

G_STATIC_ASSERT (G_STRUCT_OFFSET (Swimmer, crossed)
                 == G_STRUCT_OFFSET (Swimmer, planar.progress) + sizeof (SrlMjProgress));

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &swimmer_descriptor.info, error);
}

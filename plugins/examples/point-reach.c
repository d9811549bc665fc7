/* Example environment "point-reach", built outside softrl against its
 * installed SDK (see README.md in this folder and plugins/WRITING-PLUGINS.md):
 *
 *     cc -shared -fPIC point-reach.c -o point-reach.so $(pkg-config --cflags --libs softrl)
 *
 * A point mass on the plane must reach a goal drawn at random each episode.
 *   state:        position p, velocity v (both 2-D), goal g
 *   observation:  [p, v, g − p]                                (6 numbers)
 *   action:       a force in [−max_force, max_force]²
 *   dynamics:     v ← clip((1 − damping)·v + a·dt, ±max_speed),  p ← clip(p + v·dt, ±arena)
 *   reward:       −‖g − p‖ − action_cost·‖a‖² per step
 *   termination:  ‖g − p‖ < goal_radius is a true terminal state (no value
 *                 beyond it), so reaching the goal early pays
 * Per-episode info: whether the goal was reached and the final distance.
 */
#include <math.h>

#include <softrl/softrl.h>

/* Declared parameters: the core validates the experiment's [env] group
 * against this table, fills in the defaults and refuses unknown keys. */
static const SrlParamSpec point_params[] = {
  SRL_PARAM_DOUBLE ("max_force", "1", 1e-9, SRL_UNBOUNDED, "bound of each force component"),
  SRL_PARAM_DOUBLE ("max_speed", "2", 1e-9, SRL_UNBOUNDED, "bound of each velocity component"),
  SRL_PARAM_DOUBLE ("damping", "0.1", 0, 1, "fraction of the velocity lost per step"),
  SRL_PARAM_DOUBLE ("dt", "0.1", 1e-6, 10, "time step"),
  SRL_PARAM_DOUBLE ("arena", "1", 1e-9, SRL_UNBOUNDED, "positions and goals lie in [−arena, arena]²"),
  SRL_PARAM_DOUBLE ("goal_radius", "0.1", 0, SRL_UNBOUNDED, "distance at which the goal counts as reached"),
  SRL_PARAM_DOUBLE ("action_cost", "0.01", 0, SRL_UNBOUNDED, "coefficient of ‖a‖² in the reward"),
  SRL_PARAM_INT ("max_episode_steps", "100", 1, 1e9, "time limit (the core truncates, it is not terminal)"),
  SRL_PARAM_END
};

/* Per-episode info columns, NULL-terminated; episode_info() fills them. */
static const char *const point_info[] = { "reached", "final_distance", NULL };

typedef struct {
  double max_speed, damping, dt, arena, goal_radius, action_cost;
  /* the state (saved for exact resume) */
  double p[2], v[2], g[2], reached;
  /* constant after create */
  double low[2], high[2];
  SrlEnvSpec spec;
} Point;

/* Everything is allocated here, once: reset and step never allocate. */
static gpointer
point_create (const SrlSection *params, GError **error)
{
  if (srl_section_get_double (params, "goal_radius") >= 2 * srl_section_get_double (params, "arena"))
    {
      srl_section_error (params, "goal_radius", error, "must be smaller than the arena's width (2·arena)");
      return NULL;
    }
  Point *e = g_new0 (Point, 1);
  double force = srl_section_get_double (params, "max_force");
  e->max_speed = srl_section_get_double (params, "max_speed");
  e->damping = srl_section_get_double (params, "damping");
  e->dt = srl_section_get_double (params, "dt");
  e->arena = srl_section_get_double (params, "arena");
  e->goal_radius = srl_section_get_double (params, "goal_radius");
  e->action_cost = srl_section_get_double (params, "action_cost");
  e->low[0] = e->low[1] = -force;
  e->high[0] = e->high[1] = force;
  e->spec.obs_dim = 6;
  e->spec.act_dim = 2;
  e->spec.act_low = e->low;
  e->spec.act_high = e->high;
  e->spec.max_episode_steps = (guint) srl_section_get_int (params, "max_episode_steps");
  e->spec.info_names = point_info;
  return e;
}

static void
point_destroy (gpointer env)
{
  g_free (env);
}

static const SrlEnvSpec *
point_spec (gpointer env)
{
  return &((Point *) env)->spec;
}

static double
distance (const Point *e)
{
  return hypot (e->g[0] - e->p[0], e->g[1] - e->p[1]);
}

static void
observe (const Point *e, double *obs)
{
  obs[0] = e->p[0];
  obs[1] = e->p[1];
  obs[2] = e->v[0];
  obs[3] = e->v[1];
  obs[4] = e->g[0] - e->p[0];
  obs[5] = e->g[1] - e->p[1];
}

/* Randomness comes only from the stream the core passes in. */
static void
point_reset (gpointer env, SrlRng *rng, double *obs)
{
  Point *e = env;
  for (int i = 0; i < 2; i++)
    {
      e->p[i] = srl_rng_uniform_range (rng, -e->arena, e->arena);
      e->g[i] = srl_rng_uniform_range (rng, -e->arena, e->arena);
      e->v[i] = 0;
    }
  e->reached = 0;
  observe (e, obs);
}

/* `action` arrives in [low, high]: the core maps the agent's [−1, 1] onto it. */
static SrlStepStatus
point_step (gpointer env, SrlRng *rng, const double *action, double *obs, double *reward)
{
  Point *e = env;
  for (int i = 0; i < 2; i++)
    {
      e->v[i] = CLAMP ((1 - e->damping) * e->v[i] + action[i] * e->dt, -e->max_speed, e->max_speed);
      e->p[i] = CLAMP (e->p[i] + e->v[i] * e->dt, -e->arena, e->arena);
    }
  double d = distance (e);
  *reward = -d - e->action_cost * (action[0] * action[0] + action[1] * action[1]);
  observe (e, obs);
  if (d < e->goal_radius)
    {
      e->reached = 1;
      return SRL_STEP_TERMINATED;
    }
  return SRL_STEP_CONTINUE;
}

static void
point_episode_info (gpointer env, double *values)
{
  Point *e = env;
  values[0] = e->reached;
  values[1] = distance (e);
}

/* The mid-episode state, for exact resume.  The writer borrows the pointers
 * until it writes the file, so they point into the environment itself. */
static void
point_save (gpointer env, SrlStateWriter *w)
{
  Point *e = env;
  srl_state_writer_put_f64 (w, "p", e->p, 2);
  srl_state_writer_put_f64 (w, "v", e->v, 2);
  srl_state_writer_put_f64 (w, "g", e->g, 2);
  srl_state_writer_put_f64 (w, "reached", &e->reached, 1);
}

static gboolean
point_load (gpointer env, const SrlStateReader *r, GError **error)
{
  Point *e = env;
  return srl_state_reader_get_f64 (r, "p", e->p, 2, error) && srl_state_reader_get_f64 (r, "v", e->v, 2, error)
         && srl_state_reader_get_f64 (r, "g", e->g, 2, error)
         && srl_state_reader_get_f64 (r, "reached", &e->reached, 1, error);
}

static const SrlEnvDescriptor point_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_ENV, SrlEnvDescriptor, "point-reach",
                           "2-D point mass reaching a random goal (example plugin; obs 6, action 2)", point_params),
  .create = point_create,
  .destroy = point_destroy,
  .spec = point_spec,
  .reset = point_reset,
  .step = point_step,
  .episode_info = point_episode_info,
  .save = point_save,
  .load = point_load,
};

/* The one exported symbol: register the descriptor, or say why not. */
SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &point_descriptor.info, error);
}

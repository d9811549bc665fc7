/* Environment "point-maze": a point mass in a 2-D maze, the cheap stand-in
 * for the Ant maze of thesis section 7.4 (Figure 7.5) used by the
 * hierarchy's tests and examples.
 *
 *   v' = clip_norm(decay·v + accel·a, max_speed),   a ∈ [−1, 1]²
 *   p' = p + v', moved one axis at a time: a move into a wall or the arena's
 *        edge stops at it and zeroes that velocity component
 *   observation [x/size, y/size, v_x/max_speed, v_y/max_speed]
 *
 * The arena is the square [−size, size]².  Layout "u" adds one wall, the
 * rectangle [−size, size/2] × [−0.5, 0.5]: from the start (−3, −3) below it
 * the goal (−3, 3) above it is reached by going right round the wall's end;
 * layout "open" has no walls (the pretraining environment of C.4).
 *
 * Rewards (parameter `reward`):
 *   goal    goal_reward on reaching the disc of radius goal_radius round the
 *           goal, 0 otherwise; the episode then ends (C.4: "a reward of 1000
 *           upon reaching the goal and 0 otherwise ... no velocity reward nor
 *           any control costs"; "terminates after the agent reaches the goal")
 *   motion  ‖v'‖/max_speed every step: speed in any direction, the lower
 *           layer's pretraining reward (C.4: "velocity based reward in any
 *           direction on the xy-plane")
 * Per-episode info: reached_goal (0/1), final_distance and min_distance to
 * the goal, mean_speed (‖v‖/max_speed).
 */
#include <math.h>
#include <string.h>

#include <softrl/softrl.h>

#include "draw2d.h"

static const SrlParamSpec point_maze_params[] = {
  SRL_PARAM_CHOICE ("reward", "goal", "goal|motion", "goal: sparse reward at the goal; motion: speed in any direction"),
  SRL_PARAM_CHOICE ("layout", "u", "u|open", "u: one wall between start and goal; open: no walls"),
  SRL_PARAM_DOUBLE ("size", "4", 1, 1e6, "half-width of the square arena"),
  SRL_PARAM_DOUBLE ("start_x", "-3", -SRL_UNBOUNDED, SRL_UNBOUNDED, "centre of the start positions, x"),
  SRL_PARAM_DOUBLE ("start_y", "-3", -SRL_UNBOUNDED, SRL_UNBOUNDED, "centre of the start positions, y"),
  SRL_PARAM_DOUBLE ("start_noise", "0.25", 0, SRL_UNBOUNDED, "start positions are uniform within ± this of the centre"),
  SRL_PARAM_DOUBLE ("goal_x", "-3", -SRL_UNBOUNDED, SRL_UNBOUNDED, "goal position, x"),
  SRL_PARAM_DOUBLE ("goal_y", "3", -SRL_UNBOUNDED, SRL_UNBOUNDED, "goal position, y"),
  SRL_PARAM_DOUBLE ("goal_radius", "0.75", 1e-6, SRL_UNBOUNDED, "distance at which the goal counts as reached"),
  SRL_PARAM_DOUBLE ("goal_reward", "1000", -SRL_UNBOUNDED, SRL_UNBOUNDED, "reward on reaching the goal (C.4: 1000)"),
  SRL_PARAM_BOOL ("terminate_at_goal", "true", "end the episode when the goal is reached (C.4)"),
  SRL_PARAM_DOUBLE ("accel", "0.1", 1e-9, SRL_UNBOUNDED, "velocity change per step of a full action"),
  SRL_PARAM_DOUBLE ("velocity_decay", "0.8", 0, 1, "fraction of the velocity kept from one step to the next"),
  SRL_PARAM_DOUBLE ("max_speed", "0.5", 1e-9, 0.99, "largest distance moved per step (below the walls' thickness of 1)"),
  SRL_PARAM_INT ("max_episode_steps", "200", 1, 1e9, "time limit"),
  SRL_PARAM_END
};

static const char *const info_names[] = { "reached_goal", "final_distance", "min_distance", "mean_speed", NULL };

typedef struct {
  double x0, x1, y0, y1;
} Box;

typedef struct {
  gboolean motion, terminate_at_goal;
  double size, start[2], start_noise, goal[2], goal_radius, goal_reward, accel, decay, max_speed;
  Box walls[1];
  guint n_walls;
  /* state: position, velocity, and the episode's statistics */
  double pos[2], vel[2];
  double reached, min_distance, speed_sum, steps;
  double low[2], high[2];
  SrlEnvSpec spec;
  SrlDraw2d draw;
} PointMaze;

static gpointer
point_maze_create (const SrlSection *params, GError **error)
{
  PointMaze *m = g_new0 (PointMaze, 1);
  m->motion = strcmp (srl_section_get_string (params, "reward"), "motion") == 0;
  m->terminate_at_goal = srl_section_get_bool (params, "terminate_at_goal");
  m->size = srl_section_get_double (params, "size");
  m->start[0] = srl_section_get_double (params, "start_x");
  m->start[1] = srl_section_get_double (params, "start_y");
  m->start_noise = srl_section_get_double (params, "start_noise");
  m->goal[0] = srl_section_get_double (params, "goal_x");
  m->goal[1] = srl_section_get_double (params, "goal_y");
  m->goal_radius = srl_section_get_double (params, "goal_radius");
  m->goal_reward = srl_section_get_double (params, "goal_reward");
  m->accel = srl_section_get_double (params, "accel");
  m->decay = srl_section_get_double (params, "velocity_decay");
  m->max_speed = srl_section_get_double (params, "max_speed");
  if (strcmp (srl_section_get_string (params, "layout"), "u") == 0)
    {
      m->walls[0] = (Box) { -m->size, m->size / 2, -0.5, 0.5 };
      m->n_walls = 1;
    }
  for (int i = 0; i < 2; i++)
    {
      const char *key = i == 0 ? "start_x" : "start_y";
      if (fabs (m->start[i]) + m->start_noise > m->size)
        {
          srl_section_error (params, key, error, "start positions reach outside the arena [−%g, %g]", m->size,
                             m->size);
          g_free (m);
          return NULL;
        }
    }
  m->low[0] = m->low[1] = -1;
  m->high[0] = m->high[1] = 1;
  m->spec.obs_dim = 4;
  m->spec.act_dim = 2;
  m->spec.act_low = m->low;
  m->spec.act_high = m->high;
  m->spec.max_episode_steps = (guint) srl_section_get_int (params, "max_episode_steps");
  m->spec.info_names = info_names;
  return m;
}

static void
point_maze_destroy (gpointer p)
{
  srl_draw2d_clear (&((PointMaze *) p)->draw);
  g_free (p);
}

static const SrlEnvSpec *
point_maze_spec (gpointer p)
{
  return &((PointMaze *) p)->spec;
}

static void
observe (const PointMaze *m, double *obs)
{
  obs[0] = m->pos[0] / m->size;
  obs[1] = m->pos[1] / m->size;
  obs[2] = m->vel[0] / m->max_speed;
  obs[3] = m->vel[1] / m->max_speed;
}

static double
goal_distance (const PointMaze *m)
{
  return hypot (m->pos[0] - m->goal[0], m->pos[1] - m->goal[1]);
}

static gboolean
inside (const Box *b, double x, double y)
{
  return x >= b->x0 && x <= b->x1 && y >= b->y0 && y <= b->y1;
}

/* A start position outside every wall (drawn again, up to 100 times). */
static void
point_maze_reset (gpointer env, SrlRng *rng, double *obs)
{
  PointMaze *m = env;
  srl_draw2d_forget_trail (&m->draw);
  for (int attempt = 0;; attempt++)
    {
      for (int i = 0; i < 2; i++)
        m->pos[i] = m->start[i] + srl_rng_uniform_range (rng, -m->start_noise, m->start_noise);
      gboolean free = TRUE;
      for (guint w = 0; w < m->n_walls; w++)
        free &= !inside (&m->walls[w], m->pos[0], m->pos[1]);
      if (free || attempt == 100)
        break;
    }
  m->vel[0] = m->vel[1] = 0;
  m->reached = 0;
  m->min_distance = goal_distance (m);
  m->speed_sum = 0;
  m->steps = 0;
  observe (m, obs);
}

/* Move along axis `k` by `d`, stopping at the arena's edge or a wall face. */
static void
move_axis (PointMaze *m, int k, double d)
{
  double from = m->pos[k], to = CLAMP (from + d, -m->size, m->size);
  gboolean blocked = to != from + d;
  double other = m->pos[1 - k];
  for (guint w = 0; w < m->n_walls; w++)
    {
      const Box *b = &m->walls[w];
      double lo = k == 0 ? b->x0 : b->y0, hi = k == 0 ? b->x1 : b->y1;
      double olo = k == 0 ? b->y0 : b->x0, ohi = k == 0 ? b->y1 : b->x1;
      if (other < olo || other > ohi)
        continue;
      if (d > 0 && from < lo && to >= lo)
        {
          to = nextafter (lo, -INFINITY);
          blocked = TRUE;
        }
      else if (d < 0 && from > hi && to <= hi)
        {
          to = nextafter (hi, INFINITY);
          blocked = TRUE;
        }
    }
  m->pos[k] = to;
  if (blocked)
    m->vel[k] = 0;
}

static SrlStepStatus
point_maze_step (gpointer env, SrlRng *rng, const double *action, double *obs, double *reward)
{
  PointMaze *m = env;
  for (int k = 0; k < 2; k++)
    m->vel[k] = m->decay * m->vel[k] + m->accel * CLAMP (action[k], -1.0, 1.0);
  double speed = hypot (m->vel[0], m->vel[1]);
  if (speed > m->max_speed)
    for (int k = 0; k < 2; k++)
      m->vel[k] *= m->max_speed / speed;
  move_axis (m, 0, m->vel[0]);
  move_axis (m, 1, m->vel[1]);
  observe (m, obs);
  double d = goal_distance (m), s = hypot (m->vel[0], m->vel[1]) / m->max_speed;
  m->min_distance = MIN (m->min_distance, d);
  m->speed_sum += s;
  m->steps++;
  gboolean at_goal = d <= m->goal_radius;
  if (at_goal)
    m->reached = 1;
  if (m->motion)
    {
      *reward = s;
      return SRL_STEP_CONTINUE;
    }
  *reward = at_goal ? m->goal_reward : 0.0;
  return at_goal && m->terminate_at_goal ? SRL_STEP_TERMINATED : SRL_STEP_CONTINUE;
}

static void
point_maze_episode_info (gpointer env, double *values)
{
  PointMaze *m = env;
  values[0] = m->reached;
  values[1] = goal_distance (m);
  values[2] = m->min_distance;
  values[3] = m->steps > 0 ? m->speed_sum / m->steps : 0;
}

static void
point_maze_save (gpointer env, SrlStateWriter *w)
{
  PointMaze *m = env;
  srl_state_writer_put_f64 (w, "pos", m->pos, 2);
  srl_state_writer_put_f64 (w, "vel", m->vel, 2);
  srl_state_writer_put_f64 (w, "reached", &m->reached, 1);
  srl_state_writer_put_f64 (w, "min_distance", &m->min_distance, 1);
  srl_state_writer_put_f64 (w, "speed_sum", &m->speed_sum, 1);
  srl_state_writer_put_f64 (w, "steps", &m->steps, 1);
}

static gboolean
point_maze_load (gpointer env, const SrlStateReader *r, GError **error)
{
  PointMaze *m = env;
  return srl_state_reader_get_f64 (r, "pos", m->pos, 2, error) && srl_state_reader_get_f64 (r, "vel", m->vel, 2, error)
         && srl_state_reader_get_f64 (r, "reached", &m->reached, 1, error)
         && srl_state_reader_get_f64 (r, "min_distance", &m->min_distance, 1, error)
         && srl_state_reader_get_f64 (r, "speed_sum", &m->speed_sum, 1, error)
         && srl_state_reader_get_f64 (r, "steps", &m->steps, 1, error);
}

/* The maze from above: walls, the goal's disc, the path so far. */
static gboolean
point_maze_render_setup (gpointer env, guint width, guint height, const char *camera, GError **error)
{
  PointMaze *m = env;
  double r = 1.05 * m->size;
  return srl_draw2d_setup (&m->draw, width, height, camera, -r, r, -r, r, m->spec.max_episode_steps + 1, error);
}

static void
point_maze_render (gpointer env, SrlFrame *frame)
{
  PointMaze *m = env;
  cairo_t *cr = srl_draw2d_begin (&m->draw);
  srl_draw2d_arena (&m->draw, m->size);
  for (guint w = 0; w < m->n_walls; w++)
    cairo_rectangle (cr, m->walls[w].x0, m->walls[w].y0, m->walls[w].x1 - m->walls[w].x0, m->walls[w].y1 - m->walls[w].y0);
  cairo_fill (cr);
  srl_draw2d_disc (&m->draw, m->goal[0], m->goal[1], m->goal_radius, 0.6, 0.85, 0.6);
  srl_draw2d_trail (&m->draw, m->pos[0], m->pos[1]);
  srl_draw2d_disc (&m->draw, m->pos[0], m->pos[1], 0.2, 0.9, 0.5, 0.1);
  srl_draw2d_finish (&m->draw, frame);
}

static const SrlEnvDescriptor point_maze_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_ENV, SrlEnvDescriptor, "point-maze",
                           "2-D point mass in a maze, sparse goal or motion reward: the hierarchy's test task "
                           "(obs 4, action 2)",
                           point_maze_params),
  .create = point_maze_create,
  .destroy = point_maze_destroy,
  .spec = point_maze_spec,
  .reset = point_maze_reset,
  .step = point_maze_step,
  .episode_info = point_maze_episode_info,
  .save = point_maze_save,
  .load = point_maze_load,
  .render_setup = point_maze_render_setup,
  .render = point_maze_render,
};

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &point_maze_descriptor.info, error);
}

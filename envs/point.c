/* Environment "point": a 2-D point moved by velocity actions in a square
 * arena, rewarded for approaching a target x, a target y, or both — the
 * composition task of thesis chapter 6 without the MuJoCo pusher.  Either
 * coordinate of the target may be left free ("any", as the reference
 * pusher's goal allows), so one run learns "reach x = −1" with y free and
 * another "reach y = −1" with x free; their composition should reach
 * (−1, −1).
 *
 *   p' = clip(p + speed · a, ±arena),  a ∈ [−1, 1]²
 *   reward = −‖(p' − target) on the constrained coordinates‖ − action_cost ‖a‖²
 *   start p ~ U[−start_range, start_range]²; no terminal states.
 * The distance (not squared) and the action cost 0.1‖a‖² follow the
 * reference code's pusher.  Per-episode info: the final position and its
 * distance to the target on the constrained coordinates.
 */
#include <math.h>

#include <softrl/softrl.h>

#include "draw2d.h"

static const SrlParamSpec point_params[] = {
  SRL_PARAM_DOUBLE_OR ("target_x", "any", -SRL_UNBOUNDED, SRL_UNBOUNDED, "any",
                       "x the point should reach; any: x is free"),
  SRL_PARAM_DOUBLE_OR ("target_y", "any", -SRL_UNBOUNDED, SRL_UNBOUNDED, "any",
                       "y the point should reach; any: y is free"),
  SRL_PARAM_DOUBLE ("action_cost", "0.1", 0, SRL_UNBOUNDED, "coefficient of ‖a‖² (the reference pusher's 0.1)"),
  SRL_PARAM_DOUBLE ("speed", "0.1", 1e-9, SRL_UNBOUNDED, "distance moved per step by a full action"),
  SRL_PARAM_DOUBLE ("arena", "2", 1e-9, SRL_UNBOUNDED, "positions are clipped to ±arena"),
  SRL_PARAM_DOUBLE ("start_range", "1", 0, SRL_UNBOUNDED, "start positions are uniform in ±start_range"),
  SRL_PARAM_INT ("max_episode_steps", "50", 1, 1e9, "time limit"),
  SRL_PARAM_END
};

static const char *const info_names[] = { "final_x", "final_y", "final_distance", NULL };

typedef struct {
  gboolean constrained[2];
  double target[2];
  double action_cost, speed, arena, start_range;
  double pos[2];
  double low[2], high[2];
  SrlEnvSpec spec;
  SrlDraw2d draw;
} Point;

static gpointer
point_create (const SrlSection *params, GError **error)
{
  double arena = srl_section_get_double (params, "arena");
  double start = srl_section_get_double (params, "start_range");
  if (start > arena)
    {
      srl_section_error (params, "start_range", error, "must not exceed arena (%g > %g)", start, arena);
      return NULL;
    }
  Point *p = g_new0 (Point, 1);
  const char *keys[2] = { "target_x", "target_y" };
  for (int i = 0; i < 2; i++)
    {
      p->constrained[i] = !srl_section_is_word (params, keys[i], "any");
      p->target[i] = p->constrained[i] ? srl_section_get_double (params, keys[i]) : 0;
    }
  p->action_cost = srl_section_get_double (params, "action_cost");
  p->speed = srl_section_get_double (params, "speed");
  p->arena = arena;
  p->start_range = start;
  p->low[0] = p->low[1] = -1;
  p->high[0] = p->high[1] = 1;
  p->spec.obs_dim = 2;
  p->spec.act_dim = 2;
  p->spec.act_low = p->low;
  p->spec.act_high = p->high;
  p->spec.max_episode_steps = (guint) srl_section_get_int (params, "max_episode_steps");
  p->spec.info_names = info_names;
  return p;
}

static void
point_destroy (gpointer p)
{
  srl_draw2d_clear (&((Point *) p)->draw);
  g_free (p);
}

static const SrlEnvSpec *
point_spec (gpointer p)
{
  return &((Point *) p)->spec;
}

static void
point_reset (gpointer env, SrlRng *rng, double *obs)
{
  Point *p = env;
  srl_draw2d_forget_trail (&p->draw);
  for (int i = 0; i < 2; i++)
    obs[i] = p->pos[i] = srl_rng_uniform_range (rng, -p->start_range, p->start_range);
}

/* Distance to the target on the constrained coordinates. */
static double
target_distance (const Point *p)
{
  double d2 = 0;
  for (int i = 0; i < 2; i++)
    if (p->constrained[i])
      d2 += (p->pos[i] - p->target[i]) * (p->pos[i] - p->target[i]);
  return sqrt (d2);
}

static SrlStepStatus
point_step (gpointer env, SrlRng *rng, const double *action, double *obs, double *reward)
{
  Point *p = env;
  double cost = 0;
  for (int i = 0; i < 2; i++)
    {
      double a = CLAMP (action[i], -1.0, 1.0);
      p->pos[i] = CLAMP (p->pos[i] + p->speed * a, -p->arena, p->arena);
      obs[i] = p->pos[i];
      cost += a * a;
    }
  *reward = -target_distance (p) - p->action_cost * cost;
  return SRL_STEP_CONTINUE;
}

static void
point_episode_info (gpointer env, double *values)
{
  Point *p = env;
  values[0] = p->pos[0];
  values[1] = p->pos[1];
  values[2] = target_distance (p);
}

/* The position is the whole state; `softrl figure` sets it through this
 * tensor to draw the reward landscape. */
static void
point_save (gpointer env, SrlStateWriter *w)
{
  srl_state_writer_put_f64 (w, "pos", ((Point *) env)->pos, 2);
}

static gboolean
point_load (gpointer env, const SrlStateReader *r, GError **error)
{
  return srl_state_reader_get_f64 (r, "pos", ((Point *) env)->pos, 2, error);
}

/* The arena from above: the target's lines (or point), the path so far. */
static gboolean
point_render_setup (gpointer env, guint width, guint height, const char *camera, GError **error)
{
  Point *p = env;
  double r = 1.05 * p->arena;
  return srl_draw2d_setup (&p->draw, width, height, camera, -r, r, -r, r, p->spec.max_episode_steps + 1, error);
}

static void
point_render (gpointer env, SrlFrame *frame)
{
  Point *p = env;
  cairo_t *cr = srl_draw2d_begin (&p->draw);
  srl_draw2d_arena (&p->draw, p->arena);
  /* A free coordinate makes the target a line across the arena. */
  if (p->constrained[0] && p->constrained[1])
    srl_draw2d_disc (&p->draw, p->target[0], p->target[1], 0.05 * p->arena, 0.3, 0.7, 0.3);
  else if (p->constrained[0] || p->constrained[1])
    {
      double a = p->arena;
      if (p->constrained[0])
        {
          cairo_move_to (cr, p->target[0], -a);
          cairo_line_to (cr, p->target[0], a);
        }
      else
        {
          cairo_move_to (cr, -a, p->target[1]);
          cairo_line_to (cr, a, p->target[1]);
        }
      cairo_set_source_rgb (cr, 0.2, 0.6, 0.2);
      cairo_set_line_width (cr, 4 * p->draw.pixel);
      cairo_stroke (cr);
    }
  srl_draw2d_trail (&p->draw, p->pos[0], p->pos[1]);
  srl_draw2d_disc (&p->draw, p->pos[0], p->pos[1], 0.04 * p->arena, 0.9, 0.5, 0.1);
  srl_draw2d_finish (&p->draw, frame);
}

static const SrlEnvDescriptor point_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_ENV, SrlEnvDescriptor, "point",
                           "2-D point reaching a target x, y or both, for composition (ch. 6; obs 2, action 2)",
                           point_params),
  .create = point_create,
  .destroy = point_destroy,
  .spec = point_spec,
  .reset = point_reset,
  .step = point_step,
  .episode_info = point_episode_info,
  .save = point_save,
  .load = point_load,
  .render_setup = point_render_setup,
  .render = point_render,
};

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &point_descriptor.info, error);
}

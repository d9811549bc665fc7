/* Environment "multigoal": the 2-D multi-goal task of thesis section 3.4
 * (Figure 3.2), as the reference soft Q-learning code defines it.
 *
 *   s' = clip(s + clip(a, ±1), ±limit)
 *   reward = −(action_cost ‖a‖² + distance_cost min_g ‖s' − g‖²), plus goal_reward and
 *            termination when some goal is within goal_threshold of s'
 *   goals (5, 0), (−5, 0), (0, 5), (0, −5); start s ~ N(0, init_sigma² I)
 * Per-episode info: the goal reached (index in that order, −1 for none) and
 * the final position.
 */
#include <math.h>

#include <softrl/softrl.h>

#include "draw2d.h"

static const SrlParamSpec multigoal_params[] = {
  SRL_PARAM_DOUBLE ("goal_reward", "10", -SRL_UNBOUNDED, SRL_UNBOUNDED, "bonus on reaching a goal"),
  SRL_PARAM_DOUBLE ("action_cost", "30", 0, SRL_UNBOUNDED, "coefficient of ‖a‖²"),
  SRL_PARAM_DOUBLE ("distance_cost", "1", 0, SRL_UNBOUNDED, "coefficient of the squared distance to the nearest goal"),
  SRL_PARAM_DOUBLE ("goal_threshold", "1", 0, SRL_UNBOUNDED, "distance at which a goal counts as reached"),
  SRL_PARAM_DOUBLE ("init_sigma", "0.1", 0, SRL_UNBOUNDED, "standard deviation of the start position"),
  SRL_PARAM_DOUBLE ("limit", "7", 0, SRL_UNBOUNDED, "the positions are clipped to ±limit"),
  SRL_PARAM_INT ("max_episode_steps", "30", 1, 1e9, "time limit (the reference's horizon)"),
  SRL_PARAM_END
};

static const double goals[4][2] = { { 5, 0 }, { -5, 0 }, { 0, 5 }, { 0, -5 } };
static const char *const info_names[] = { "goal", "final_x", "final_y", NULL };

typedef struct {
  double goal_reward, action_cost, distance_cost, threshold, init_sigma, limit;
  double pos[2];
  double goal; /* index reached this episode, −1 */
  double low[2], high[2];
  SrlEnvSpec spec;
  SrlDraw2d draw;
} Multigoal;

static gpointer
multigoal_create (const SrlSection *params, GError **error)
{
  Multigoal *m = g_new0 (Multigoal, 1);
  m->goal_reward = srl_section_get_double (params, "goal_reward");
  m->action_cost = srl_section_get_double (params, "action_cost");
  m->distance_cost = srl_section_get_double (params, "distance_cost");
  m->threshold = srl_section_get_double (params, "goal_threshold");
  m->init_sigma = srl_section_get_double (params, "init_sigma");
  m->limit = srl_section_get_double (params, "limit");
  m->low[0] = m->low[1] = -1;
  m->high[0] = m->high[1] = 1;
  m->spec.obs_dim = 2;
  m->spec.act_dim = 2;
  m->spec.act_low = m->low;
  m->spec.act_high = m->high;
  m->spec.max_episode_steps = (guint) srl_section_get_int (params, "max_episode_steps");
  m->spec.info_names = info_names;
  return m;
}

static void
multigoal_destroy (gpointer p)
{
  srl_draw2d_clear (&((Multigoal *) p)->draw);
  g_free (p);
}

static const SrlEnvSpec *
multigoal_spec (gpointer p)
{
  return &((Multigoal *) p)->spec;
}

static void
multigoal_reset (gpointer env, SrlRng *rng, double *obs)
{
  Multigoal *m = env;
  srl_draw2d_forget_trail (&m->draw);
  for (int i = 0; i < 2; i++)
    obs[i] = m->pos[i] = m->init_sigma * srl_rng_normal (rng);
  m->goal = -1;
}

static SrlStepStatus
multigoal_step (gpointer env, SrlRng *rng, const double *action, double *obs, double *reward)
{
  Multigoal *m = env;
  double a[2], cost = 0;
  for (int i = 0; i < 2; i++)
    {
      a[i] = CLAMP (action[i], -1.0, 1.0);
      m->pos[i] = CLAMP (m->pos[i] + a[i], -m->limit, m->limit);
      obs[i] = m->pos[i];
      cost += a[i] * a[i];
    }
  double best = INFINITY;
  int nearest = 0;
  for (int g = 0; g < 4; g++)
    {
      double dx = m->pos[0] - goals[g][0], dy = m->pos[1] - goals[g][1];
      double d2 = dx * dx + dy * dy;
      if (d2 < best)
        {
          best = d2;
          nearest = g;
        }
    }
  *reward = -(m->action_cost * cost + m->distance_cost * best);
  if (sqrt (best) < m->threshold)
    {
      *reward += m->goal_reward;
      m->goal = nearest;
      return SRL_STEP_TERMINATED;
    }
  return SRL_STEP_CONTINUE;
}

static void
multigoal_episode_info (gpointer env, double *values)
{
  Multigoal *m = env;
  values[0] = m->goal;
  values[1] = m->pos[0];
  values[2] = m->pos[1];
}

static void
multigoal_save (gpointer env, SrlStateWriter *w)
{
  Multigoal *m = env;
  srl_state_writer_put_f64 (w, "pos", m->pos, 2);
  srl_state_writer_put_f64 (w, "goal", &m->goal, 1);
}

static gboolean
multigoal_load (gpointer env, const SrlStateReader *r, GError **error)
{
  Multigoal *m = env;
  return srl_state_reader_get_f64 (r, "pos", m->pos, 2, error) && srl_state_reader_get_f64 (r, "goal", &m->goal, 1, error);
}

/* The plane from above: the four goals with their thresholds, the path. */
static gboolean
multigoal_render_setup (gpointer env, guint width, guint height, const char *camera, GError **error)
{
  Multigoal *m = env;
  double r = 1.05 * MAX (m->limit, 6);
  return srl_draw2d_setup (&m->draw, width, height, camera, -r, r, -r, r, m->spec.max_episode_steps + 1, error);
}

static void
multigoal_render (gpointer env, SrlFrame *frame)
{
  Multigoal *m = env;
  srl_draw2d_begin (&m->draw);
  srl_draw2d_arena (&m->draw, m->limit);
  for (guint g = 0; g < G_N_ELEMENTS (goals); g++)
    srl_draw2d_disc (&m->draw, goals[g][0], goals[g][1], MAX (m->threshold, 0.1), 0.6, 0.85, 0.6);
  srl_draw2d_trail (&m->draw, m->pos[0], m->pos[1]);
  srl_draw2d_disc (&m->draw, m->pos[0], m->pos[1], 0.2, 0.9, 0.5, 0.1);
  srl_draw2d_finish (&m->draw, frame);
}

static const SrlEnvDescriptor multigoal_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_ENV, SrlEnvDescriptor, "multigoal",
                           "2-D point with four goals, the multimodal task of thesis Figure 3.2 (obs 2, action 2)",
                           multigoal_params),
  .create = multigoal_create,
  .destroy = multigoal_destroy,
  .spec = multigoal_spec,
  .reset = multigoal_reset,
  .step = multigoal_step,
  .episode_info = multigoal_episode_info,
  .save = multigoal_save,
  .load = multigoal_load,
  .render_setup = multigoal_render_setup,
  .render = multigoal_render,
};

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &multigoal_descriptor.info, error);
}

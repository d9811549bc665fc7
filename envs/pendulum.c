/* Environment "pendulum": Gymnasium's Pendulum-v1.
 *
 *   θ̈-step:  θ̇' = clip(θ̇ + (3g/(2l) sin θ + 3/(m l²) u) dt, ±max_speed),  θ' = θ + θ̇' dt
 *   reward:   −(norm(θ)² + 0.1 θ̇² + 0.001 u²),  norm(θ) ∈ [−π, π)
 *   observation [cos θ, sin θ, θ̇]; start θ ~ U[−π, π], θ̇ ~ U[−1, 1]; 200 steps.
 * The reward uses the state before the step, as Gymnasium does.
 */
#include <math.h>

#include <softrl/softrl.h>

#include "draw2d.h"

static const SrlParamSpec pendulum_params[] = {
  SRL_PARAM_DOUBLE ("gravity", "10", 0, SRL_UNBOUNDED, "g"),
  SRL_PARAM_DOUBLE ("mass", "1", 1e-9, SRL_UNBOUNDED, "m"),
  SRL_PARAM_DOUBLE ("length", "1", 1e-9, SRL_UNBOUNDED, "l"),
  SRL_PARAM_DOUBLE ("dt", "0.05", 1e-6, 10, "time step"),
  SRL_PARAM_DOUBLE ("max_speed", "8", 0, SRL_UNBOUNDED, "bound of the angular velocity"),
  SRL_PARAM_DOUBLE ("max_torque", "2", 1e-9, SRL_UNBOUNDED, "bound of the torque action"),
  SRL_PARAM_INT ("max_episode_steps", "200", 1, 1e9, "time limit"),
  SRL_PARAM_END
};

typedef struct {
  double g, m, l, dt, max_speed;
  double theta, theta_dot;
  double low, high;
  SrlEnvSpec spec;
  SrlDraw2d draw;
} Pendulum;

static gpointer
pendulum_create (const SrlSection *params, GError **error)
{
  Pendulum *p = g_new0 (Pendulum, 1);
  p->g = srl_section_get_double (params, "gravity");
  p->m = srl_section_get_double (params, "mass");
  p->l = srl_section_get_double (params, "length");
  p->dt = srl_section_get_double (params, "dt");
  p->max_speed = srl_section_get_double (params, "max_speed");
  p->high = srl_section_get_double (params, "max_torque");
  p->low = -p->high;
  p->spec.obs_dim = 3;
  p->spec.act_dim = 1;
  p->spec.act_low = &p->low;
  p->spec.act_high = &p->high;
  p->spec.max_episode_steps = (guint) srl_section_get_int (params, "max_episode_steps");
  return p;
}

static void
pendulum_destroy (gpointer p)
{
  srl_draw2d_clear (&((Pendulum *) p)->draw);
  g_free (p);
}

static const SrlEnvSpec *
pendulum_spec (gpointer p)
{
  return &((Pendulum *) p)->spec;
}

static void
observe (const Pendulum *p, double *obs)
{
  obs[0] = cos (p->theta);
  obs[1] = sin (p->theta);
  obs[2] = p->theta_dot;
}

static void
pendulum_reset (gpointer env, SrlRng *rng, double *obs)
{
  Pendulum *p = env;
  srl_draw2d_forget_trail (&p->draw);
  p->theta = srl_rng_uniform_range (rng, -G_PI, G_PI);
  p->theta_dot = srl_rng_uniform_range (rng, -1.0, 1.0);
  observe (p, obs);
}

static double
angle_normalize (double x)
{
  return fmod (fmod (x + G_PI, 2 * G_PI) + 2 * G_PI, 2 * G_PI) - G_PI;
}

static SrlStepStatus
pendulum_step (gpointer env, SrlRng *rng, const double *action, double *obs, double *reward)
{
  Pendulum *p = env;
  double u = CLAMP (action[0], p->low, p->high);
  double th = angle_normalize (p->theta);
  *reward = -(th * th + 0.1 * p->theta_dot * p->theta_dot + 0.001 * u * u);
  double acc = 3.0 * p->g / (2.0 * p->l) * sin (p->theta) + 3.0 / (p->m * p->l * p->l) * u;
  p->theta_dot = CLAMP (p->theta_dot + acc * p->dt, -p->max_speed, p->max_speed);
  p->theta += p->theta_dot * p->dt;
  observe (p, obs);
  return SRL_STEP_CONTINUE;
}

static void
pendulum_save (gpointer env, SrlStateWriter *w)
{
  Pendulum *p = env;
  srl_state_writer_put_f64 (w, "theta", &p->theta, 1);
  srl_state_writer_put_f64 (w, "theta_dot", &p->theta_dot, 1);
}

static gboolean
pendulum_load (gpointer env, const SrlStateReader *r, GError **error)
{
  Pendulum *p = env;
  return srl_state_reader_get_f64 (r, "theta", &p->theta, 1, error)
         && srl_state_reader_get_f64 (r, "theta_dot", &p->theta_dot, 1, error);
}

/* The pendulum from the front, upright at θ = 0, as Gymnasium draws it. */
static gboolean
pendulum_render_setup (gpointer env, guint width, guint height, const char *camera, GError **error)
{
  Pendulum *p = env;
  double r = 1.3 * p->l;
  return srl_draw2d_setup (&p->draw, width, height, camera, -r, r, -r, r, 0, error);
}

static void
pendulum_render (gpointer env, SrlFrame *frame)
{
  Pendulum *p = env;
  cairo_t *cr = srl_draw2d_begin (&p->draw);
  double x = p->l * sin (p->theta), y = p->l * cos (p->theta);
  cairo_arc (cr, 0, 0, p->l, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, 0.8, 0.8, 0.8);
  cairo_stroke (cr);
  cairo_move_to (cr, 0, 0);
  cairo_line_to (cr, x, y);
  cairo_set_line_width (cr, 0.2 * p->l);
  cairo_set_source_rgb (cr, 0.8, 0.3, 0.3);
  cairo_stroke (cr);
  srl_draw2d_disc (&p->draw, 0, 0, 0.05 * p->l, 0.2, 0.2, 0.2);
  srl_draw2d_finish (&p->draw, frame);
}

static const SrlEnvDescriptor pendulum_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_ENV, SrlEnvDescriptor, "pendulum",
                           "inverted pendulum swing-up, Gymnasium's Pendulum-v1 (obs 3, action 1)", pendulum_params),
  .create = pendulum_create,
  .destroy = pendulum_destroy,
  .spec = pendulum_spec,
  .reset = pendulum_reset,
  .step = pendulum_step,
  .save = pendulum_save,
  .load = pendulum_load,
  .render_setup = pendulum_render_setup,
  .render = pendulum_render,
};

SRL_PLUGIN_DEFINE (registry, error)
{
  return srl_registry_add (registry, &pendulum_descriptor.info, error);
}

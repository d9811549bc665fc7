/* Example environment "mujoco-pendulum", built outside softrl against its
 * installed SDK, simulated and drawn with MuJoCo (see README.md in this
 * folder):
 *
 *     cc -shared -fPIC mujoco-pendulum.c -o mujoco-pendulum.so $(pkg-config --cflags --libs softrl-mujoco)
 *
 * A pole on a hinge, upright at angle 0, swung up by a torque motor: Gymnasium's
 * Pendulum-v1 task on a MuJoCo model.
 *   observation:  [cos θ, sin θ, θ̇]
 *   action:       torque in [−2, 2], held for 5 steps of 0.01 s
 *   reward:       −(θ² + 0.1 θ̇² + 0.001 u²), θ wrapped to [−π, π)
 *   start:        θ ~ U[−π, π], θ̇ ~ U[−1, 1]
 * `softrl render` films it through libsoftrl-mujoco's renderer
 * (softrl/mujoco-render.h): MuJoCo's own renderer on a headless EGL context,
 * the same one softrl's MuJoCo environments use.
 */
#include <math.h>
#include <string.h>

#include <mujoco/mujoco.h>
#include <softrl/mujoco-render.h>
#include <softrl/softrl.h>

#define FRAME_SKIP 5

static const SrlParamSpec pendulum_params[] = {
  SRL_PARAM_INT ("max_episode_steps", "100", 1, 1e9, "time limit"),
  SRL_PARAM_END
};

/* The model, loaded from memory through MuJoCo's virtual file system. */
static const char model_xml[] =
  "<mujoco model='pendulum'>"
  "  <option timestep='0.01'/>"
  "  <asset>"
  "    <texture name='sky' type='skybox' builtin='gradient' rgb1='0.55 0.7 0.85' rgb2='0.1 0.15 0.2'"
  "             width='64' height='64'/>"
  "  </asset>"
  "  <worldbody>"
  "    <light pos='0 -2 3' dir='0 0.5 -1'/>"
  "    <geom type='plane' pos='0 0 -1.3' size='2 2 0.1' rgba='0.55 0.6 0.65 1'/>"
  "    <geom type='cylinder' fromto='0 -0.1 0 0 0.1 0' size='0.06' rgba='0.3 0.3 0.3 1'/>"
  "    <body name='pole'>"
  "      <joint name='hinge' type='hinge' axis='0 1 0' damping='0.05'/>"
  "      <geom type='capsule' fromto='0 0 0 0 0 1' size='0.05' mass='1' rgba='0.8 0.3 0.3 1'/>"
  "    </body>"
  "  </worldbody>"
  "  <actuator>"
  "    <motor joint='hinge' ctrllimited='true' ctrlrange='-2 2'/>"
  "  </actuator>"
  "</mujoco>";

typedef struct {
  mjModel *m;
  mjData *d;
  double low, high;
  SrlEnvSpec spec;
  SrlMjRenderer *renderer; /* made by render_setup */
} Pendulum;

static void pendulum_destroy (gpointer env);

static gpointer
pendulum_create (const SrlSection *params, GError **error)
{
  Pendulum *e = g_new0 (Pendulum, 1);
  mjVFS *vfs = g_new0 (mjVFS, 1);
  mj_defaultVFS (vfs);
  mj_makeEmptyFileVFS (vfs, "pendulum.xml", sizeof model_xml - 1);
  memcpy (vfs->filedata[0], model_xml, sizeof model_xml - 1);
  char message[256] = "";
  e->m = mj_loadXML ("pendulum.xml", vfs, message, sizeof message);
  mj_deleteVFS (vfs);
  g_free (vfs);
  if (!e->m)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "mujoco-pendulum: the model does not load: %s", message);
      pendulum_destroy (e);
      return NULL;
    }
  e->d = mj_makeData (e->m);
  e->low = e->m->actuator_ctrlrange[0];
  e->high = e->m->actuator_ctrlrange[1];
  e->spec.obs_dim = 3;
  e->spec.act_dim = 1;
  e->spec.act_low = &e->low;
  e->spec.act_high = &e->high;
  e->spec.max_episode_steps = (guint) srl_section_get_int (params, "max_episode_steps");
  return e;
}

static void
pendulum_destroy (gpointer env)
{
  Pendulum *e = env;
  srl_mj_renderer_free (e->renderer);
  if (e->d)
    mj_deleteData (e->d);
  if (e->m)
    mj_deleteModel (e->m);
  g_free (e);
}

static const SrlEnvSpec *
pendulum_spec (gpointer env)
{
  return &((Pendulum *) env)->spec;
}

static void
observe (const Pendulum *e, double *obs)
{
  obs[0] = cos (e->d->qpos[0]);
  obs[1] = sin (e->d->qpos[0]);
  obs[2] = e->d->qvel[0];
}

static void
pendulum_reset (gpointer env, SrlRng *rng, double *obs)
{
  Pendulum *e = env;
  mj_resetData (e->m, e->d);
  e->d->qpos[0] = srl_rng_uniform_range (rng, -G_PI, G_PI);
  e->d->qvel[0] = srl_rng_uniform_range (rng, -1, 1);
  mj_forward (e->m, e->d);
  observe (e, obs);
}

static SrlStepStatus
pendulum_step (gpointer env, SrlRng *rng, const double *action, double *obs, double *reward)
{
  Pendulum *e = env;
  double th = fmod (fmod (e->d->qpos[0] + G_PI, 2 * G_PI) + 2 * G_PI, 2 * G_PI) - G_PI;
  *reward = -(th * th + 0.1 * e->d->qvel[0] * e->d->qvel[0] + 0.001 * action[0] * action[0]);
  e->d->ctrl[0] = action[0];
  for (int i = 0; i < FRAME_SKIP; i++)
    mj_step (e->m, e->d);
  observe (e, obs);
  return isfinite (obs[0]) && isfinite (obs[2]) ? SRL_STEP_CONTINUE : SRL_STEP_INVALID;
}

static void
pendulum_save (gpointer env, SrlStateWriter *w)
{
  Pendulum *e = env;
  srl_state_writer_put_f64 (w, "qpos", e->d->qpos, 1);
  srl_state_writer_put_f64 (w, "qvel", e->d->qvel, 1);
}

static gboolean
pendulum_load (gpointer env, const SrlStateReader *r, GError **error)
{
  Pendulum *e = env;
  if (!srl_state_reader_get_f64 (r, "qpos", e->d->qpos, 1, error)
      || !srl_state_reader_get_f64 (r, "qvel", e->d->qvel, 1, error))
    return FALSE;
  mj_forward (e->m, e->d);
  return TRUE;
}

/* Frames: everything the renderer needs is made here, once. */
static gboolean
pendulum_render_setup (gpointer env, guint width, guint height, const char *camera, GError **error)
{
  Pendulum *e = env;
  srl_mj_renderer_free (e->renderer);
  e->renderer = srl_mj_renderer_new (e->m, width, height, camera, error);
  return e->renderer != NULL;
}

static void
pendulum_render (gpointer env, SrlFrame *frame)
{
  Pendulum *e = env;
  srl_mj_renderer_draw (e->renderer, e->m, e->d, frame);
}

static const SrlEnvDescriptor pendulum_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_ENV, SrlEnvDescriptor, "mujoco-pendulum",
                           "pendulum swing-up simulated and drawn with MuJoCo (out-of-tree example)",
                           pendulum_params),
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

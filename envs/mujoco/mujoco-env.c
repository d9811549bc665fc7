/* softrl — the machinery every MuJoCo environment shares: model loading,
 * frame-skipped stepping with warning detection, exact state save and
 * load, Gymnasium's reset noise, and the bare loop for `softrl bench env`.
 * See mujoco-env.h. */
#include <math.h>
#include <setjmp.h>
#include <string.h>

#include "mujoco-env.h"

/* ---- MuJoCo's error and warning handlers ----
 *
 * MuJoCo reports problems through two process-wide hooks: warnings are
 * printed (and logged to MUJOCO_LOG.TXT) unless mju_user_warning is set, and
 * errors end the process unless mju_user_error is set and does not return.
 * Around each call into the engine we install handlers of our own: warnings
 * are only remembered (the step looks at mjData's warning counters), errors
 * jump back to the guarded call.  The simulation engine is C, so a jump out
 * of mj_step crosses no destructor; the caller then resets the data
 * (mj_resetData clears the stack MuJoCo was using).  mj_loadXML reports
 * parse and compile errors in its message buffer; an error proper inside
 * it (out of memory) jumps out of its C++ parser and leaks what it had
 * allocated, which beats the exit MuJoCo would otherwise take.  The hooks
 * are process-wide: the plugins are not meant to step environments from
 * several threads at once. */
typedef struct {
  jmp_buf jump;
  char message[256];
  void (*saved_error) (const char *);
  void (*saved_warning) (const char *);
} Guard;

static Guard *active_guard;

static void
guard_error (const char *message)
{
  g_strlcpy (active_guard->message, message, sizeof active_guard->message);
  longjmp (active_guard->jump, 1);
}

static void
guard_warning (const char *message)
{
  if (active_guard && !active_guard->message[0])
    g_strlcpy (active_guard->message, message, sizeof active_guard->message);
}

/* GUARD_BEGIN (&guard) { ...engine calls... } else { error path } GUARD_END (&guard) */
#define GUARD_BEGIN(g)                                                                                 \
  (g)->message[0] = '\0';                                                                              \
  (g)->saved_error = mju_user_error;                                                                   \
  (g)->saved_warning = mju_user_warning;                                                               \
  active_guard = (g);                                                                                  \
  mju_user_error = guard_error;                                                                        \
  mju_user_warning = guard_warning;                                                                    \
  if (setjmp ((g)->jump) == 0)
#define GUARD_END(g)                                                                                   \
  mju_user_error = (g)->saved_error;                                                                   \
  mju_user_warning = (g)->saved_warning;                                                               \
  active_guard = NULL;

/* ---- helpers ---- */

double
srl_mj_sum_squares (const double *a, guint n)
{
  double s = 0;
  for (guint i = 0; i < n; i++)
    s += a[i] * a[i];
  return s;
}

double *
srl_mj_observe_state (const SrlMjEnv *env, int skip_qpos, double clip, double *obs)
{
  const mjData *d = env->d;
  for (int i = skip_qpos; i < env->m->nq; i++)
    *obs++ = d->qpos[i];
  for (int i = 0; i < env->m->nv; i++)
    *obs++ = clip > 0 ? CLAMP (d->qvel[i], -clip, clip) : d->qvel[i];
  return obs;
}

void
srl_mj_planar_begin (SrlMjEnv *env)
{
  srl_mj_progress_begin (&((SrlMjPlanar *) env)->progress, env->d->qpos[0]);
}

void
srl_mj_planar_before (SrlMjEnv *env, const double *action, double *reward)
{
  ((SrlMjPlanar *) env)->x_before = env->d->qpos[0];
}

void
srl_mj_planar_info (SrlMjEnv *env, double *values)
{
  srl_mj_progress_info (&((SrlMjPlanar *) env)->progress, env->d->qpos[0], values);
}

double
srl_mj_planar_velocity (SrlMjEnv *env)
{
  SrlMjPlanar *p = (SrlMjPlanar *) env;
  srl_mj_progress_update (&p->progress, env->d->qpos[0]);
  return (env->d->qpos[0] - p->x_before) / env->dt;
}

gboolean
srl_mj_range (const SrlSection *params, const char *key, double range[2], GError **error)
{
  guint n = 0;
  const double *v = srl_section_get_double_list (params, key, &n);
  if (n != 2 || !(v[0] < v[1]))
    return srl_section_error (params, key, error, "expected two numbers LOW;HIGH with LOW < HIGH");
  range[0] = v[0];
  range[1] = v[1];
  return TRUE;
}

gboolean
srl_mj_check_sizes (SrlMjEnv *env, int nq, int nv, int nu, int nbody, GError **error)
{
  const mjModel *m = env->m;
  if (m->nq == nq && m->nv == nv && m->nu == nu && (nbody < 0 || m->nbody == nbody))
    return TRUE;
  g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
               "%s: the model has nq %d, nv %d, nu %d and %d bodies; this environment needs nq %d, nv %d, nu %d "
               "and %d bodies",
               env->model_path, m->nq, m->nv, m->nu, m->nbody, nq, nv, nu, nbody < 0 ? m->nbody : nbody);
  return FALSE;
}

static gboolean
named (SrlMjEnv *env, int type, const char *what, const char *name, int *id, GError **error)
{
  *id = mj_name2id (env->m, type, name);
  if (*id >= 0)
    return TRUE;
  g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: the model has no %s named \"%s\"", env->model_path, what,
               name);
  return FALSE;
}

gboolean
srl_mj_body (SrlMjEnv *env, const char *name, int *id, GError **error)
{
  return named (env, mjOBJ_BODY, "body", name, id, error);
}

gboolean
srl_mj_site (SrlMjEnv *env, const char *name, int *id, GError **error)
{
  return named (env, mjOBJ_SITE, "site", name, id, error);
}

/* ---- creation ---- */

static gboolean
load_model (SrlMjEnv *env, const SrlSection *params, GError **error)
{
  const char *given = srl_section_get_string (params, "model");
  if (given && *given)
    env->model_path = g_strdup (given);
  else if (!(env->model_path = srl_find_data_file (env->task->model, error)))
    return FALSE;
  /* A model the experiment names is its setting to fix ([env] model, exit
   * status 2); a shipped one missing is the installation's fault. */
  gboolean chosen = given && *given;
  if (!g_file_test (env->model_path, G_FILE_TEST_IS_REGULAR))
    {
      const char *what = g_file_test (env->model_path, G_FILE_TEST_EXISTS) ? "not a regular file" : "no such file";
      if (chosen)
        return srl_section_error (params, "model", error, "MuJoCo model %s: %s", env->model_path, what);
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "MuJoCo model %s: %s", env->model_path, what);
      return FALSE;
    }
  char message[1024] = "";
  Guard guard;
  GUARD_BEGIN (&guard)
  {
    env->m = mj_loadXML (env->model_path, NULL, message, sizeof message);
    if (env->m)
      env->d = mj_makeData (env->m);
  }
  else
  {
    g_strlcpy (message, guard.message, sizeof message);
    env->d = NULL;
  }
  GUARD_END (&guard);
  if (!env->m || !env->d)
    {
      if (chosen)
        return srl_section_error (params, "model", error, "MuJoCo could not load the model %s: %s", env->model_path,
                                  message[0] ? message : "unknown error");
      g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "MuJoCo could not load the model %s: %s", env->model_path,
                   message[0] ? message : "unknown error");
      return FALSE;
    }
  return TRUE;
}

gpointer
srl_mj_env_new (const SrlMjTask *task, const SrlSection *params, GError **error)
{
  g_return_val_if_fail (task->size >= sizeof (SrlMjEnv), NULL);
  SrlMjEnv *env = g_malloc0 (task->size);
  env->task = task;
  if (!load_model (env, params, error))
    {
      srl_mj_env_destroy (env);
      return NULL;
    }
  const mjModel *m = env->m;
  env->dt = m->opt.timestep * task->frame_skip;
  env->act_low = g_new (double, MAX (m->nu, 1));
  env->act_high = g_new (double, MAX (m->nu, 1));
  for (int i = 0; i < m->nu; i++)
    {
      /* Gymnasium's action space is the actuators' ctrlrange. */
      env->act_low[i] = m->actuator_ctrlrange[2 * i];
      env->act_high[i] = m->actuator_ctrlrange[2 * i + 1];
      if (!m->actuator_ctrllimited[i] || !(env->act_low[i] < env->act_high[i]))
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: actuator %d has no control range", env->model_path, i);
          srl_mj_env_destroy (env);
          return NULL;
        }
    }
  env->start = g_new0 (double, m->nq + m->nv);
  memcpy (env->start, m->qpos0, m->nq * sizeof (double));
  env->spec.act_dim = (guint) m->nu;
  env->spec.act_low = env->act_low;
  env->spec.act_high = env->act_high;
  env->spec.max_episode_steps = (guint) srl_section_get_int (params, "max_episode_steps");
  if (!task->configure (env, params, error))
    {
      srl_mj_env_destroy (env);
      return NULL;
    }
  g_assert (env->spec.obs_dim > 0);
  return env;
}

void
srl_mj_env_destroy (gpointer p)
{
  SrlMjEnv *env = p;
  if (!env)
    return;
  srl_mj_renderer_free (env->renderer);
  if (env->bench)
    mj_deleteData (env->bench);
  if (env->d)
    mj_deleteData (env->d);
  if (env->m)
    mj_deleteModel (env->m);
  g_free (env->model_path);
  g_free (env->act_low);
  g_free (env->act_high);
  g_free (env->start);
  g_free (env);
}

const SrlEnvSpec *
srl_mj_env_spec (gpointer p)
{
  return &((SrlMjEnv *) p)->spec;
}

const char *
srl_mj_env_invalid_reason (gpointer p)
{
  SrlMjEnv *env = p;
  return env->reason[0] ? env->reason : NULL;
}

/* ---- reset and stepping ---- */

void
srl_mj_forward (SrlMjEnv *env)
{
  Guard guard;
  GUARD_BEGIN (&guard) { mj_forward (env->m, env->d); }
  else
  {
    mj_resetData (env->m, env->d);
  }
  GUARD_END (&guard);
}

void
srl_mj_reset_state (SrlMjEnv *env, SrlRng *rng, double pos_scale, double vel_scale, SrlMjNoise vel_noise)
{
  const mjModel *m = env->m;
  mjData *d = env->d;
  for (int i = 0; i < m->nq; i++)
    d->qpos[i] = m->qpos0[i] + srl_rng_uniform_range (rng, -pos_scale, pos_scale);
  for (int i = 0; i < m->nv; i++)
    d->qvel[i] = vel_noise == SRL_MJ_NOISE_NORMAL ? vel_scale * srl_rng_normal (rng)
                                                  : srl_rng_uniform_range (rng, -vel_scale, vel_scale);
  srl_mj_forward (env);
}

void
srl_mj_env_reset (gpointer p, SrlRng *rng, double *obs)
{
  SrlMjEnv *env = p;
  mj_resetData (env->m, env->d);
  env->task->reset (env, rng);
  memcpy (env->start, env->d->qpos, env->m->nq * sizeof (double));
  memcpy (env->start + env->m->nq, env->d->qvel, env->m->nv * sizeof (double));
  env->task->begin (env);
  env->task->observe (env, obs);
}

/* Advance frame_skip steps with the action as controls.  FALSE with the
 * reason when MuJoCo warned (it may also have reset the data: its reaction
 * to a bad state) or failed. */
static gboolean
advance (SrlMjEnv *env, const double *action)
{
  const mjModel *m = env->m;
  mjData *d = env->d;
  memcpy (d->ctrl, action, m->nu * sizeof (double));
  for (int w = 0; w < mjNWARNING; w++)
    d->warning[w].number = 0;
  volatile gboolean ok = TRUE;
  Guard guard;
  GUARD_BEGIN (&guard)
  {
    for (guint k = 0; k < env->task->frame_skip && ok; k++)
      {
        mj_step (m, d);
        for (int w = 0; w < mjNWARNING; w++)
          if (d->warning[w].number > 0 && w != mjWARN_VGEOMFULL)
            {
              g_snprintf (env->reason, sizeof env->reason, "MuJoCo: %s (time %.4f)",
                          mju_warningText (w, d->warning[w].lastinfo), d->time);
              ok = FALSE;
            }
      }
    if (ok && env->post_constraint)
      mj_rnePostConstraint (m, d);
  }
  else
  {
    g_snprintf (env->reason, sizeof env->reason, "MuJoCo error: %s", guard.message);
    mj_resetData (m, d);
    ok = FALSE;
  }
  GUARD_END (&guard);
  return ok;
}

static gboolean
all_finite (const double *x, guint n)
{
  for (guint i = 0; i < n; i++)
    if (!isfinite (x[i]))
      return FALSE;
  return TRUE;
}

SrlStepStatus
srl_mj_env_step (gpointer p, SrlRng *rng, const double *action, double *obs, double *reward)
{
  SrlMjEnv *env = p;
  const SrlMjTask *task = env->task;
  env->reason[0] = '\0';
  *reward = 0;
  if (task->before)
    task->before (env, action, reward);
  if (!advance (env, action))
    return SRL_STEP_INVALID;
  SrlStepStatus status = task->after (env, action, reward);
  task->observe (env, obs);
  if (!all_finite (obs, env->spec.obs_dim) || !isfinite (*reward))
    {
      g_snprintf (env->reason, sizeof env->reason, "non-finite %s at time %.4f",
                  isfinite (*reward) ? "observation" : "reward", env->d->time);
      return SRL_STEP_INVALID;
    }
  return status;
}

void
srl_mj_env_episode_info (gpointer p, double *values)
{
  SrlMjEnv *env = p;
  if (env->task->info)
    env->task->info (env, values);
}

/* ---- state ---- */

void
srl_mj_env_save (gpointer p, SrlStateWriter *w)
{
  SrlMjEnv *env = p;
  const mjModel *m = env->m;
  mjData *d = env->d;
  srl_state_writer_put_f64 (w, "qpos", d->qpos, m->nq);
  srl_state_writer_put_f64 (w, "qvel", d->qvel, m->nv);
  if (m->na > 0)
    srl_state_writer_put_f64 (w, "act", d->act, m->na);
  srl_state_writer_put_f64 (w, "qacc_warmstart", d->qacc_warmstart, m->nv);
  srl_state_writer_put_f64 (w, "ctrl", d->ctrl, m->nu);
  srl_state_writer_put_f64 (w, "time", &d->time, 1);
  if (env->task->n_episode)
    srl_state_writer_put_f64 (w, "episode", SRL_MJ_EPISODE (env, double), env->task->n_episode);
}

gboolean
srl_mj_env_load (gpointer p, const SrlStateReader *r, GError **error)
{
  SrlMjEnv *env = p;
  const mjModel *m = env->m;
  mjData *d = env->d;
  mj_resetData (m, d);
  if (!srl_state_reader_get_f64 (r, "qpos", d->qpos, m->nq, error)
      || !srl_state_reader_get_f64 (r, "qvel", d->qvel, m->nv, error))
    return FALSE;
  gboolean complete = srl_state_reader_has (r, "qacc_warmstart") && srl_state_reader_has (r, "time")
                      && (m->na == 0 || srl_state_reader_has (r, "act"))
                      && (!env->task->n_episode || srl_state_reader_has (r, "episode"));
  if (!complete)
    {
      /* A state set by hand: as Gymnasium's set_state, then a new episode. */
      srl_mj_forward (env);
      env->task->begin (env);
      return TRUE;
    }
  if ((m->na > 0 && !srl_state_reader_get_f64 (r, "act", d->act, m->na, error))
      || !srl_state_reader_get_f64 (r, "qacc_warmstart", d->qacc_warmstart, m->nv, error)
      || !srl_state_reader_get_f64 (r, "time", &d->time, 1, error)
      || (srl_state_reader_has (r, "ctrl") && !srl_state_reader_get_f64 (r, "ctrl", d->ctrl, m->nu, error))
      || (env->task->n_episode
          && !srl_state_reader_get_f64 (r, "episode", SRL_MJ_EPISODE (env, double), env->task->n_episode, error)))
    return FALSE;
  /* The derived quantities (positions, inertias, forces) that a task may
   * read before the next step are recomputed from the state; mj_step
   * recomputes them anyway before integrating.  mj_forward also touches the
   * state itself (it normalises the free joints' quaternions in qpos, which
   * is not idempotent in the last bit), so the saved state is put back
   * afterwards: the next step starts exactly where it would have. */
  mjtNum *saved = g_newa (mjtNum, m->nq + m->nv);
  memcpy (saved, d->qpos, m->nq * sizeof (mjtNum));
  memcpy (saved + m->nq, d->qacc_warmstart, m->nv * sizeof (mjtNum));
  srl_mj_forward (env);
  memcpy (d->qpos, saved, m->nq * sizeof (mjtNum));
  memcpy (d->qacc_warmstart, saved + m->nq, m->nv * sizeof (mjtNum));
  return TRUE;
}

/* ---- the bare loop ---- */

guint64
srl_mj_env_bench_baseline (gpointer p, SrlRng *rng, guint64 steps)
{
  SrlMjEnv *env = p;
  const mjModel *m = env->m;
  if (!env->bench)
    env->bench = mj_makeData (m);
  /* Start where the environment's last episode started, so that the bare
   * loop simulates what the environment's episodes do. */
  mj_resetData (m, env->bench);
  memcpy (env->bench->qpos, env->start, m->nq * sizeof (mjtNum));
  memcpy (env->bench->qvel, env->start + m->nq, m->nv * sizeof (mjtNum));
  mj_forward (m, env->bench);
  double *ctrl = g_newa (double, MAX (m->nu, 1));
  void (*saved_warning) (const char *) = mju_user_warning;
  mju_user_warning = guard_warning; /* silent: no guard is active */
  for (guint64 s = 0; s < steps; s++)
    {
      /* Controls drawn as `softrl env` draws actions: uniform in [-1, 1],
       * mapped onto the control range. */
      for (int i = 0; i < m->nu; i++)
        {
          double a = srl_rng_uniform_range (rng, -1.0, 1.0);
          ctrl[i] = env->act_low[i] + 0.5 * (a + 1.0) * (env->act_high[i] - env->act_low[i]);
        }
      memcpy (env->bench->ctrl, ctrl, m->nu * sizeof (double));
      for (guint k = 0; k < env->task->frame_skip; k++)
        mj_step (m, env->bench);
      if (env->bench->warning[mjWARN_BADQACC].number || env->bench->warning[mjWARN_BADQVEL].number)
        mj_resetData (m, env->bench);
    }
  mju_user_warning = saved_warning;
  return steps;
}

gboolean
srl_mj_env_render_setup (gpointer p, guint width, guint height, const char *camera, GError **error)
{
  SrlMjEnv *env = p;
  g_clear_pointer (&env->renderer, srl_mj_renderer_free);
  Guard guard;
  GUARD_BEGIN (&guard)
  {
    env->renderer = srl_mj_renderer_new (env->m, width, height, camera, error);
  }
  else
  {
    g_set_error (error, SRL_ERROR, SRL_ERROR_FAILED, "cannot render %s: MuJoCo: %s", env->model_path, guard.message);
  }
  GUARD_END (&guard);
  return env->renderer != NULL;
}

void
srl_mj_env_render (gpointer p, SrlFrame *frame)
{
  SrlMjEnv *env = p;
  srl_mj_renderer_draw (env->renderer, env->m, env->d, frame);
}

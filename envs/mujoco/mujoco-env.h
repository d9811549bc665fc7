/* softrl — what the MuJoCo environment plugins share (internal to
 * envs/mujoco/, built into each plugin from the convenience library
 * envs/mujoco/libsrl-mujoco.la; nothing here is exported).
 *
 * An environment is described by an SrlMjTask: its model file, frame skip,
 * observation size and the functions that make it a task (initial state,
 * reward and termination, observation, per-episode info).  The generic
 * functions below implement every SrlEnvDescriptor entry from it, so an
 * environment file holds only its parameters and the task's formulas.
 *
 * Lifecycle and allocation: srl_mj_env_new() loads the model (the file is
 * found with srl_find_data_file() unless the `model` parameter names one)
 * and makes its one mjData; reset and step never allocate.  A missing model
 * is an SRL_ERROR_IO error naming the places searched, an invalid one an
 * SRL_ERROR_FORMAT error naming the file and quoting MuJoCo's message.
 *
 * Stepping: the action (already clipped to the actuators' ctrlrange by the
 * core) is written to ctrl and mj_step runs frame_skip times, as Gymnasium's
 * do_simulation does.  Any MuJoCo warning during those steps (NaN, Inf or
 * huge values in qpos, qvel, qacc or ctrl, a singular inertia, a full contact
 * or constraint list) or a non-finite observation or reward makes the step
 * SRL_STEP_INVALID with MuJoCo's text as invalid_reason(): the core drops the
 * transition and ends the episode.  MuJoCo's own printing of warnings (and
 * its MUJOCO_LOG.TXT) is replaced for the duration of each call, and a
 * MuJoCo error (which would otherwise exit the process) becomes an invalid
 * step or a creation error.
 *
 * State: save() writes qpos, qvel, act, qacc_warmstart (the solver's warm
 * start), ctrl and time, which is everything mj_step reads, plus the task's
 * per-episode bookkeeping ("episode"), so a loaded environment continues bit
 * for bit.  load() also accepts a partial state holding only qpos and qvel
 * (the documented way tests set a state by hand): the robot is put there as
 * Gymnasium's set_state() does (mj_forward), everything else as after a reset
 * to that state.
 */
#ifndef SRL_MUJOCO_ENV_H
#define SRL_MUJOCO_ENV_H

#include <mujoco/mujoco.h>
#include <softrl/softrl.h>

#include <softrl/mujoco-render.h>

G_BEGIN_DECLS

typedef struct _SrlMjEnv SrlMjEnv;

typedef struct {
  const char *model;               /* data file, e.g. "envs/mujoco/models/ant.xml" */
  guint frame_skip;
  gsize size;                      /* sizeof the environment's struct (SrlMjEnv first) */
  /* Per-episode bookkeeping: `n_episode` doubles at byte offset `episode`
   * of the struct, saved with the state (positions the reward compares
   * against, distances for the info columns). */
  gsize episode;
  guint n_episode;
  /* Read the parameters, check the model, set spec.obs_dim, the time limit
   * and info names (act_dim and bounds come from the model).  FALSE with an
   * error (srl_section_error for bad combinations of parameters). */
  gboolean (*configure) (SrlMjEnv *env, const SrlSection *params, GError **error);
  /* Put the model in an initial state (srl_mj_reset_state or set qpos/qvel
   * and call srl_mj_forward); the data were just reset with mj_resetData. */
  void (*reset) (SrlMjEnv *env, SrlRng *rng);
  /* Start the episode's bookkeeping from the current state. */
  void (*begin) (SrlMjEnv *env);
  /* Optional: before the simulation advances (rewards on the pre-step state). */
  void (*before) (SrlMjEnv *env, const double *action, double *reward);
  /* After the simulation advanced: add the reward, update bookkeeping, say
   * whether the state is terminal. */
  SrlStepStatus (*after) (SrlMjEnv *env, const double *action, double *reward);
  void (*observe) (SrlMjEnv *env, double *obs);
  /* Optional: per-episode info values (spec.info_names order). */
  void (*info) (SrlMjEnv *env, double *values);
} SrlMjTask;

struct _SrlMjEnv {
  const SrlMjTask *task;
  mjModel *m;
  mjData *d;
  char *model_path;
  double dt;                       /* timestep × frame_skip */
  gboolean post_constraint;        /* run mj_rnePostConstraint after stepping (cfrc_ext, cacc) */
  double *act_low, *act_high;
  SrlEnvSpec spec;
  char reason[512];
  mjData *bench;                   /* the bare loop's own data, made on first use */
  double *start;                   /* qpos and qvel after the last reset (where the bare loop starts) */
  SrlMjRenderer *renderer;         /* made by render_setup */
};

/* The environment's bookkeeping as doubles (task->episode). */
#define SRL_MJ_EPISODE(env, type) ((type *) ((char *) (env) + (env)->task->episode))

/* ---- SrlEnvDescriptor entries ---- */
gpointer srl_mj_env_new (const SrlMjTask *task, const SrlSection *params, GError **error);
void srl_mj_env_destroy (gpointer env);
const SrlEnvSpec *srl_mj_env_spec (gpointer env);
void srl_mj_env_reset (gpointer env, SrlRng *rng, double *obs);
SrlStepStatus srl_mj_env_step (gpointer env, SrlRng *rng, const double *action, double *obs, double *reward);
void srl_mj_env_episode_info (gpointer env, double *values);
const char *srl_mj_env_invalid_reason (gpointer env);
void srl_mj_env_save (gpointer env, SrlStateWriter *writer);
gboolean srl_mj_env_load (gpointer env, const SrlStateReader *reader, GError **error);
guint64 srl_mj_env_bench_baseline (gpointer env, SrlRng *rng, guint64 steps);
/* MuJoCo's renderer (mujoco-render.h); a MuJoCo error while making it is a
 * setup error, not an exit. */
gboolean srl_mj_env_render_setup (gpointer env, guint width, guint height, const char *camera, GError **error);
void srl_mj_env_render (gpointer env, SrlFrame *frame);

/* Fill the entries of an SrlEnvDescriptor that every MuJoCo environment
 * shares; `create_` is the environment's own (it names its task). */
#define SRL_MJ_ENV_DESCRIPTOR(name_, doc_, params_, create_)                                        \
  {                                                                                                \
    .info = SRL_PLUGIN_INFO (SRL_KIND_ENV, SrlEnvDescriptor, name_, doc_, params_),                \
    .create = create_, .destroy = srl_mj_env_destroy, .spec = srl_mj_env_spec,                     \
    .reset = srl_mj_env_reset, .step = srl_mj_env_step, .episode_info = srl_mj_env_episode_info,    \
    .invalid_reason = srl_mj_env_invalid_reason, .save = srl_mj_env_save, .load = srl_mj_env_load, \
    .bench_baseline = srl_mj_env_bench_baseline, .render_setup = srl_mj_env_render_setup,          \
    .render = srl_mj_env_render,                                                                   \
  }

/* ---- helpers for the tasks ---- */

/* Gymnasium's reset_model: qpos = qpos0 + U(-pos_scale, pos_scale) for every
 * coordinate, qvel = U(-vel_scale, vel_scale) (uniform) or vel_scale·N(0, 1)
 * (normal), then mj_forward.  Draws qpos first, then qvel. */
typedef enum { SRL_MJ_NOISE_UNIFORM, SRL_MJ_NOISE_NORMAL } SrlMjNoise;
void srl_mj_reset_state (SrlMjEnv *env, SrlRng *rng, double pos_scale, double vel_scale, SrlMjNoise vel_noise);
/* mj_forward under the error guard (after setting qpos/qvel by hand). */
void srl_mj_forward (SrlMjEnv *env);
/* Refuse a model (set with the `model` parameter) whose sizes differ from
 * what the task's observation layout needs. */
gboolean srl_mj_check_sizes (SrlMjEnv *env, int nq, int nv, int nu, int nbody, GError **error);
/* Id of a named body / site, or an error naming the model file. */
gboolean srl_mj_body (SrlMjEnv *env, const char *name, int *id, GError **error);
gboolean srl_mj_site (SrlMjEnv *env, const char *name, int *id, GError **error);
/* Copy qpos[skip_qpos:] then qvel (clipped to ±clip when clip > 0) into
 * obs, Gymnasium's _get_obs for the locomotion tasks; returns the position
 * after the values written. */
double *srl_mj_observe_state (const SrlMjEnv *env, int skip_qpos, double clip, double *obs);

/* Forward progress along x over an episode, for the info columns
 * forward_distance and max_forward_distance. */
typedef struct {
  double x0, max_x;
} SrlMjProgress;

static inline void
srl_mj_progress_begin (SrlMjProgress *p, double x)
{
  p->x0 = p->max_x = x;
}

static inline void
srl_mj_progress_update (SrlMjProgress *p, double x)
{
  p->max_x = MAX (p->max_x, x);
}

/* values[0] = x − x0 (forward distance), values[1] = max x − x0. */
static inline void
srl_mj_progress_info (const SrlMjProgress *p, double x, double *values)
{
  values[0] = x - p->x0;
  values[1] = p->max_x - p->x0;
}

/* Robots that advance along x measured on qpos[0] (halfcheetah, hopper,
 * walker2d, swimmer): the environment's struct starts with SrlMjPlanar and
 * its per-episode bookkeeping starts at `progress`. */
typedef struct {
  SrlMjEnv base;
  double x_before; /* qpos[0] before the step */
  SrlMjProgress progress;
} SrlMjPlanar;

/* Task callbacks: start the progress, remember x before the step, report
 * forward_distance and max_forward_distance. */
void srl_mj_planar_begin (SrlMjEnv *env);
void srl_mj_planar_before (SrlMjEnv *env, const double *action, double *reward);
void srl_mj_planar_info (SrlMjEnv *env, double *values);
/* After the step: the velocity (qpos[0] − x_before)/dt; updates the progress. */
double srl_mj_planar_velocity (SrlMjEnv *env);

/* Σ a_i² over the action. */
double srl_mj_sum_squares (const double *a, guint n);
/* A [low, high] parameter given as a list of two numbers with low < high
 * ("0.2;1"). */
gboolean srl_mj_range (const SrlSection *params, const char *key, double range[2], GError **error);

G_END_DECLS

#endif

/* softrl — environment plugins.
 *
 * Lifecycle: create (read parameters, allocate everything) → spec → reset →
 * step … step → reset … → destroy.  reset and step must not allocate.
 *
 * Actions arrive already clipped to [act_low, act_high]; the core maps the
 * agents' actions from [-1, 1] onto these bounds.  Randomness comes only from
 * the SrlRng the core passes in, so the core can save and restore it.
 *
 * The time limit is the core's business: an environment reports
 * SRL_STEP_TERMINATED only for true terminal states (falling over, reaching a
 * goal) and gives its usual limit in spec->max_episode_steps.
 *
 * Threading: the core calls an instance's functions one at a time, from one
 * thread; distinct instances (the run's training and evaluation copies)
 * share nothing but the descriptor, so keep mutable state in the instance,
 * not in static variables.
 */
#ifndef SOFTRL_ENV_H
#define SOFTRL_ENV_H

#include <glib.h>
#include <softrl/plugin.h>
#include <softrl/rng.h>
#include <softrl/state.h>

G_BEGIN_DECLS

/* What an environment instance looks like to the core and the algorithm.
 * Owned by the instance (usually embedded in it) and constant from create()
 * to destroy(). */
typedef struct {
  guint obs_dim;
  guint act_dim;
  const double *act_low;          /* act_dim values, owned by the environment */
  const double *act_high;
  guint max_episode_steps;        /* default time limit (truncation) */
  const char *const *info_names;  /* per-episode info columns, NULL-terminated; NULL if none;
                                     `softrl eval --out` writes one column each */
} SrlEnvSpec;

/* A picture for render(): width × height pixels, each a guint32 0x00RRGGBB
 * (cairo's CAIRO_FORMAT_RGB24, so cairo can draw on it directly), rows top
 * to bottom, `stride` bytes apart.  The core owns the pixels and sizes them
 * once, before the first frame. */
typedef struct {
  guint width, height;
  gsize stride;
  guint32 *pixels;
} SrlFrame;

typedef enum {
  SRL_STEP_CONTINUE = 0,   /* the episode goes on */
  SRL_STEP_TERMINATED = 1, /* a terminal state: no value beyond it */
  SRL_STEP_INVALID = 2     /* the simulation broke (NaN, instability): the core drops the
                              transition, logs invalid_reason() and ends the episode */
} SrlStepStatus;

/* An environment plugin.  Every function is required unless marked
 * optional; `env` is the pointer create() returned. */
typedef struct {
  SrlPluginInfo info;
  /* Create from validated parameters (transfer full to the core, which
   * calls destroy() once).  Allocate everything reset and step will need.
   * `params` is borrowed and outlives the instance, so the strings it
   * returns may be kept.  On failure set `error` (SRL_ERROR_CONFIG through
   * srl_section_error() for bad parameter combinations, SRL_ERROR_IO for a
   * missing model file, …), free what was made and return NULL. */
  gpointer (*create) (const SrlSection *params, GError **error);
  /* Free the instance and everything it owns. */
  void (*destroy) (gpointer env);
  /* Sizes and bounds; owned by the environment, constant for its lifetime. */
  const SrlEnvSpec *(*spec) (gpointer env);
  /* Start an episode from a state drawn with `rng` (borrowed for the call;
   * the only source of randomness) and write the first observation into
   * `obs` (obs_dim doubles, the core's). */
  void (*reset) (gpointer env, SrlRng *rng, double *obs);
  /* Apply `action` (act_dim, within the bounds, the core's), write the next
   * observation and the reward; randomness, if any, from `rng` as in reset.
   * The reward of the step that returns SRL_STEP_TERMINATED counts like any
   * other (in the return and in the replay); after SRL_STEP_INVALID neither
   * the observation nor the reward is used. */
  SrlStepStatus (*step) (gpointer env, SrlRng *rng, const double *action, double *obs, double *reward);
  /* Optional: the per-episode info values (spec->info_names order) into
   * `values` (the core's), read at the end of an episode. */
  void (*episode_info) (gpointer env, double *values);
  /* Optional: why the last step was SRL_STEP_INVALID (owned by the env). */
  const char *(*invalid_reason) (gpointer env);
  /* Save and restore the mid-episode state, for exact resume.  The writer
   * borrows pointers into the env until it has written.  Called at any
   * point after create(), also between episodes; load() gets a reader that
   * holds what save() wrote (under the same prefix) into an instance created
   * with the same parameters, and reports missing or misshapen tensors by
   * returning the reader's error. */
  void (*save) (gpointer env, SrlStateWriter *writer);
  gboolean (*load) (gpointer env, const SrlStateReader *reader, GError **error);
  /* ---- ABI 1.1 (optional; a 1.0 descriptor ends before this) ---- */
  /* Run the simulator the environment wraps as a bare loop would: start a
   * copy of the simulation where the environment's last episode started and
   * advance it `steps` times with random controls at the environment's frame
   * skip, computing no observation, reward or check; the environment's own
   * state is left alone.  `softrl bench env` times it, in stretches as long as the
   * environment's episodes, beside the environment's own steps to show what
   * the plugin costs on top of its simulator.  Returns the steps taken. */
  guint64 (*bench_baseline) (gpointer env, SrlRng *rng, guint64 steps);
  /* ---- ABI 1.2 (optional, both or neither; a 1.1 descriptor ends before this) ---- */
  /* Get ready to draw width × height frames seen from `camera` (NULL: the
   * environment's default view, which keeps the agent in the picture; else
   * a view the environment names, such as a camera of a MuJoCo model).
   * Called once, after create() and before the first render(); allocate
   * here whatever drawing needs (a GL context, a scene, buffers) and free
   * it in destroy().  FALSE with SRL_ERROR_CONFIG for an unknown camera or
   * a size the renderer cannot draw, SRL_ERROR_FAILED when no renderer is
   * available (no OpenGL, for instance).  `softrl render` uses it. */
  gboolean (*render_setup) (gpointer env, guint width, guint height, const char *camera, GError **error);
  /* Draw the current state into `frame` (the core's, of the size set up):
   * after reset() and after every step.  Must not allocate. */
  void (*render) (gpointer env, SrlFrame *frame);
} SrlEnvDescriptor;

/* Size of an ABI 1.0 environment descriptor (the fields every plugin has). */
#define SRL_ENV_DESCRIPTOR_SIZE_1_0 (G_STRUCT_OFFSET (SrlEnvDescriptor, bench_baseline))
/* Size of an ABI 1.1 environment descriptor (before render_setup). */
#define SRL_ENV_DESCRIPTOR_SIZE_1_1 (G_STRUCT_OFFSET (SrlEnvDescriptor, render_setup))

/* ---- using an environment (core side, also for algorithms and tools) ---- */
typedef struct _SrlEnv SrlEnv;

/* An instance of `descriptor`: create() and the core's bookkeeping (the
 * action scaling workspace).  transfer full: srl_env_free destroys the
 * instance.  `params` is borrowed and must outlive the env.  Errors are
 * create()'s. */
SrlEnv *srl_env_new (const SrlEnvDescriptor *descriptor, const SrlSection *params, GError **error);
void srl_env_free (SrlEnv *env);
/* The descriptor, the spec (owned by the instance) and the number of info
 * columns. */
const SrlEnvDescriptor *srl_env_descriptor (const SrlEnv *env);
const SrlEnvSpec *srl_env_spec (const SrlEnv *env);
guint srl_env_n_info (const SrlEnv *env);
/* The plugin's reset (likewise srl_env_save and srl_env_load below). */
void srl_env_reset (SrlEnv *env, SrlRng *rng, double *obs);
/* `action` in [-1, 1]^act_dim: clipped, mapped onto the bounds and applied. */
SrlStepStatus srl_env_step_normalized (SrlEnv *env, SrlRng *rng, const float *action,
                                       double *obs, double *reward);
/* `action` in the environment's own units: clipped to the bounds and applied. */
SrlStepStatus srl_env_step (SrlEnv *env, SrlRng *rng, const double *action, double *obs, double *reward);
/* Fills srl_env_n_info() values; does nothing for environments without info. */
void srl_env_episode_info (SrlEnv *env, double *values);
/* The environment's reason (owned by it) or a generic one; never NULL. */
const char *srl_env_invalid_reason (SrlEnv *env);
void srl_env_save (SrlEnv *env, SrlStateWriter *writer);
gboolean srl_env_load (SrlEnv *env, const SrlStateReader *reader, GError **error);
/* The descriptor's bench_baseline, or 0 without running anything when the
 * plugin has none (ABI 1.0 plugins, simulators without a bare loop). */
gboolean srl_env_has_bench_baseline (const SrlEnv *env);
guint64 srl_env_bench_baseline (SrlEnv *env, SrlRng *rng, guint64 steps);
/* Whether the environment draws frames (an ABI ≥ 1.2 descriptor with
 * render_setup and render). */
gboolean srl_env_can_render (const SrlEnv *env);
/* The descriptor's render_setup (an SRL_ERROR_CONFIG error naming the
 * environment when it cannot render) and render.  `frame` must have the
 * size set up. */
gboolean srl_env_render_setup (SrlEnv *env, guint width, guint height, const char *camera, GError **error);
void srl_env_render (SrlEnv *env, SrlFrame *frame);

/* For bindings from other languages: environment `name` of `registry`
 * with "KEY=VALUE" `settings` over its defaults, validated as an [env]
 * group (SRL_ERROR_CONFIG naming the key; an unknown name suggests the
 * closest), owning the parameters the instance borrows.  transfer full:
 * srl_env_binding_free; the env is the binding's. */
typedef struct _SrlEnvBinding SrlEnvBinding;
SrlEnvBinding *srl_env_binding_new (const SrlRegistry *registry, const char *name, const char *const *settings,
                                    GError **error);
SrlEnv *srl_env_binding_env (SrlEnvBinding *binding);
void srl_env_binding_free (SrlEnvBinding *binding);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlEnv, srl_env_free)

G_END_DECLS

#endif

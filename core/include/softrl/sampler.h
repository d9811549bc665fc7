/* softrl — sampler plugins: state-conditioned action distributions.
 *
 * A sampler maps an observation and a noise vector ξ to an action:
 *     a = f_φ(ξ; s),   ξ ~ N(0, I) of size noise_dim.
 * The caller draws ξ (so one RNG, saved by the caller, drives everything) and
 * passes zeros for the deterministic action.  Samplers that know their
 * density also return log π(a|s).  Parameters φ live in the sampler's
 * SrlWeights; an algorithm trains them with srl_sampler_backward() and an
 * SrlAdam over those weights.
 *
 * Lifecycle: create (allocate, sized for max_rows rows) → init → sample /
 * backward … → destroy.  sample and backward never allocate.  backward
 * back-propagates through the most recent sample() call, so the arrays given
 * to that call must stay unchanged until then.  Not thread-safe.
 */
#ifndef SOFTRL_SAMPLER_H
#define SOFTRL_SAMPLER_H

#include <glib.h>
#include <softrl/nn.h>
#include <softrl/plugin.h>
#include <softrl/rng.h>

G_BEGIN_DECLS

typedef enum {
  SRL_SAMPLER_REPARAMETERIZED = 1 << 0, /* backward gives dL/dφ through a = f_φ(ξ; s) */
  SRL_SAMPLER_DENSITY = 1 << 1,         /* sample() returns log π(a|s); log_prob() exists */
  SRL_SAMPLER_INVERTIBLE = 1 << 2       /* inverse() maps actions back to noise */
} SrlSamplerFlags;

/* The sizes a sampler is built for, chosen by the algorithm (copied by
 * srl_sampler_new; a plugin's create() may keep a copy, not the pointer). */
typedef struct {
  guint obs_dim;
  guint act_dim;
  guint max_rows;       /* most rows any call will pass */
  gboolean env_actions; /* outputs are environment actions in (-1, 1): squash them;
                           FALSE for latent actions of a hierarchy's upper layers */
} SrlSamplerShape;

/* A sampler plugin.  Every function is required unless marked optional;
 * backward, log_prob and inverse are required exactly when the matching
 * flag is set.  Arrays passed in are the caller's, read or written only
 * during the call (except that backward relies on the last sample's
 * inputs, see above). */
typedef struct {
  SrlPluginInfo info;
  guint flags; /* SrlSamplerFlags */
  /* Create with all weights declared and allocated and every workspace
   * sized for shape->max_rows (transfer full; destroy() frees).  `params`
   * is borrowed and outlives the sampler.  On failure set `error` (e.g.
   * srl_section_error()) and return NULL. */
  gpointer (*create) (const SrlSection *params, const SrlSamplerShape *shape, GError **error);
  void (*destroy) (gpointer sampler);
  /* Owned by the sampler; the same pointer for its whole lifetime. */
  SrlWeights *(*weights) (gpointer sampler);
  /* Initialise the weights, drawing from `rng`. */
  void (*init) (gpointer sampler, SrlRng *rng);
  /* Floats of noise ξ per row sample() reads. */
  guint (*noise_dim) (gpointer sampler);
  /* obs [n, obs_dim], noise [n, noise_dim] → act [n, act_dim] and, when
   * `logp` is non-NULL (DENSITY samplers only), log π(act|obs) [n]. */
  void (*sample) (gpointer sampler, guint n, const float *obs, const float *noise, float *act, float *logp);
  /* Given dL/dact [n, act_dim] and dL/dlogp [n] (NULL: zero) for the last
   * sample(), add dL/dφ into the weights' gradient; when d_obs is non-NULL
   * write dL/dobs [n, obs_dim] there. */
  void (*backward) (gpointer sampler, guint n, const float *d_act, const float *d_logp, float *d_obs);
  /* DENSITY: log π(act|obs) of given actions.  Does not disturb the cache of
   * the last sample(). */
  void (*log_prob) (gpointer sampler, guint n, const float *obs, const float *act, float *logp);
  /* INVERTIBLE: the noise that sample() maps to `act`. */
  void (*inverse) (gpointer sampler, guint n, const float *obs, const float *act, float *noise);
} SrlSamplerDescriptor;

/* What an algorithm receives to build samplers: the plugin and its
 * validated [sampler] group.  Both borrowed from the experiment and valid
 * for the algorithm's lifetime. */
typedef struct {
  const SrlSamplerDescriptor *descriptor;
  const SrlSection *params;
} SrlSamplerFactory;

/* ---- using a sampler (algorithms, tools, tests) ---- */
typedef struct _SrlSampler SrlSampler;

/* Create (the plugin's create) and initialise from `rng` (its init).
 * transfer full: srl_sampler_free destroys the instance.  Errors are
 * create()'s.  `shape` is copied. */
SrlSampler *srl_sampler_new (const SrlSamplerFactory *factory, const SrlSamplerShape *shape,
                             SrlRng *rng, GError **error);
void srl_sampler_free (SrlSampler *sampler);
/* Accessors; the weights are owned by the sampler.  sample and backward
 * below call the plugin's (n ≤ max_rows, flags permitting). */
const SrlSamplerDescriptor *srl_sampler_descriptor (const SrlSampler *sampler);
const SrlSamplerShape *srl_sampler_shape (const SrlSampler *sampler);
guint srl_sampler_flags (const SrlSampler *sampler);
SrlWeights *srl_sampler_weights (SrlSampler *sampler);
guint srl_sampler_noise_dim (const SrlSampler *sampler);
void srl_sampler_sample (SrlSampler *sampler, guint n, const float *obs, const float *noise,
                         float *act, float *logp);
void srl_sampler_backward (SrlSampler *sampler, guint n, const float *d_act, const float *d_logp,
                           float *d_obs);
/* FALSE when the sampler has no density / no inverse. */
gboolean srl_sampler_log_prob (SrlSampler *sampler, guint n, const float *obs, const float *act, float *logp);
gboolean srl_sampler_inverse (SrlSampler *sampler, guint n, const float *obs, const float *act, float *noise);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlSampler, srl_sampler_free)

G_END_DECLS

#endif

/* The core side of sampler plugins. */
#include "srl-private.h"

struct _SrlSampler {
  const SrlSamplerDescriptor *d;
  gpointer instance;
  SrlSamplerShape shape;
};

SrlSampler *
srl_sampler_new (const SrlSamplerFactory *factory, const SrlSamplerShape *shape, SrlRng *rng, GError **error)
{
  g_return_val_if_fail (factory && factory->descriptor && shape && rng, NULL);
  gpointer instance = factory->descriptor->create (factory->params, shape, error);
  if (!instance)
    return NULL;
  SrlSampler *s = g_new0 (SrlSampler, 1);
  s->d = factory->descriptor;
  s->instance = instance;
  s->shape = *shape;
  s->d->init (instance, rng);
  return s;
}

void
srl_sampler_free (SrlSampler *s)
{
  if (!s)
    return;
  s->d->destroy (s->instance);
  g_free (s);
}

const SrlSamplerDescriptor *srl_sampler_descriptor (const SrlSampler *s) { return s->d; }
const SrlSamplerShape *srl_sampler_shape (const SrlSampler *s) { return &s->shape; }
guint srl_sampler_flags (const SrlSampler *s) { return s->d->flags; }
SrlWeights *srl_sampler_weights (SrlSampler *s) { return s->d->weights (s->instance); }
guint srl_sampler_noise_dim (const SrlSampler *s) { return s->d->noise_dim (s->instance); }

void
srl_sampler_sample (SrlSampler *s, guint n, const float *obs, const float *noise, float *act, float *logp)
{
  g_return_if_fail (n <= s->shape.max_rows);
  g_return_if_fail (logp == NULL || (s->d->flags & SRL_SAMPLER_DENSITY));
  s->d->sample (s->instance, n, obs, noise, act, logp);
}

void
srl_sampler_backward (SrlSampler *s, guint n, const float *d_act, const float *d_logp, float *d_obs)
{
  g_return_if_fail (s->d->flags & SRL_SAMPLER_REPARAMETERIZED);
  s->d->backward (s->instance, n, d_act, d_logp, d_obs);
}

gboolean
srl_sampler_log_prob (SrlSampler *s, guint n, const float *obs, const float *act, float *logp)
{
  if (!(s->d->flags & SRL_SAMPLER_DENSITY))
    return FALSE;
  s->d->log_prob (s->instance, n, obs, act, logp);
  return TRUE;
}

gboolean
srl_sampler_inverse (SrlSampler *s, guint n, const float *obs, const float *act, float *noise)
{
  if (!(s->d->flags & SRL_SAMPLER_INVERTIBLE))
    return FALSE;
  s->d->inverse (s->instance, n, obs, act, noise);
  return TRUE;
}

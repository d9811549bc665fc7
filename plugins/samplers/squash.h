/* Helpers shared by the samplers (not installed): the tanh squash of
 * appendix C.3 (the standard normal log-density is srl_log_normal(), in
 * softrl/nn.h).
 *
 *   a = tanh(u),  log π(a|s) = log μ(u|s) − Σ_i log(1 − tanh² u_i)      (C.2)
 *
 * log(1 − tanh² u) is evaluated as 2(log 2 − u − softplus(−2u)), which stays
 * finite where 1 − tanh² u rounds to zero in float.
 */
#ifndef SRL_SAMPLERS_SQUASH_H
#define SRL_SAMPLERS_SQUASH_H

#include <math.h>

#include <glib.h>

static const float SRL_HALF_LOG_2PI = 0.91893853320467274178f;
static const float SRL_LOG_2 = 0.69314718055994530942f;

static inline float
srl_softplus (float x)
{
  return x > 20.0f ? x : log1pf (expf (x));
}

/* log(1 − tanh² u), stable for large |u|. */
static inline float
srl_log_one_minus_tanh_sq (float u)
{
  return 2.0f * (SRL_LOG_2 - u - srl_softplus (-2.0f * u));
}

/* atanh of an action clamped just inside (−1, 1), so that actions on the
 * bound (possible after rounding to float) keep a finite pre-image. */
static inline float
srl_atanh_clamped (float a)
{
  const float edge = 1.0f - 1e-6f;
  return atanhf (CLAMP (a, -edge, edge));
}

#endif

/* xoshiro256** (Blackman & Vigna) seeded through splitmix64. */
#include "srl-private.h"

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void
srl_rng_init (SrlRng *rng, guint64 seed)
{
  guint64 x = seed;
  for (int i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
}

void
srl_rng_init_stream (SrlRng *rng, guint64 seed, guint64 stream)
{
  /* Mix the stream number through splitmix so neighbouring streams of one
   * seed share no state words. */
  guint64 x = stream;
  srl_rng_init (rng, seed ^ splitmix64 (&x));
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

guint64
srl_rng_next (SrlRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

double
srl_rng_uniform (SrlRng *rng)
{
  return (srl_rng_next (rng) >> 11) * 0x1.0p-53;
}

double
srl_rng_uniform_range (SrlRng *rng, double low, double high)
{
  return low + (high - low) * srl_rng_uniform (rng);
}

guint64
srl_rng_below (SrlRng *rng, guint64 n)
{
  g_return_val_if_fail (n > 0, 0);
  /* Lemire's nearly divisionless method with rejection. */
  guint64 x = srl_rng_next (rng);
  unsigned __int128 m = (unsigned __int128) x * n;
  guint64 low = (guint64) m;
  if (low < n)
    {
      guint64 threshold = -n % n;
      while (low < threshold)
        {
          x = srl_rng_next (rng);
          m = (unsigned __int128) x * n;
          low = (guint64) m;
        }
    }
  return (guint64) (m >> 64);
}

double
srl_rng_normal (SrlRng *rng)
{
  /* 1 - U lies in (0, 1], so the log is finite. */
  double u1 = 1.0 - srl_rng_uniform (rng);
  double u2 = srl_rng_uniform (rng);
  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

/* Box–Muller on `pairs` pairs of uniforms (u1, u2) into (z1, z2) =
 * (r cos θ, r sin θ), as whole vectors (log, cos and sin through libmvec;
 * in separate loops, since GCC would otherwise merge cos and sin into one
 * sincos call that it cannot vectorise).  u1 and u2 are overwritten. */
SRL_VECTOR_CLONES static void
box_muller (double *restrict u1, double *restrict u2, double *restrict z1, gsize pairs)
{
  for (gsize p = 0; p < pairs; p++)
    {
      u1[p] = sqrt (-2.0 * log (u1[p]));
      u2[p] = 2.0 * G_PI * u2[p];
    }
  for (gsize p = 0; p < pairs; p++)
    z1[p] = u1[p] * cos (u2[p]);
  for (gsize p = 0; p < pairs; p++)
    u2[p] = u1[p] * sin (u2[p]);
}

void
srl_rng_fill_normal (SrlRng *rng, float *out, gsize n)
{
  /* The uniforms are drawn in the same order as one pair at a time would
   * draw them; only the transform runs in chunks. */
  enum { CHUNK = 128 };
  double u1[CHUNK], u2[CHUNK], z1[CHUNK];
  gsize i = 0;
  while (i + 1 < n)
    {
      gsize pairs = MIN ((gsize) CHUNK, (n - i) / 2);
      for (gsize p = 0; p < pairs; p++)
        {
          u1[p] = 1.0 - srl_rng_uniform (rng);
          u2[p] = srl_rng_uniform (rng);
        }
      box_muller (u1, u2, z1, pairs);
      for (gsize p = 0; p < pairs; p++, i += 2)
        {
          out[i] = (float) z1[p];
          out[i + 1] = (float) u2[p];
        }
    }
  if (i < n)
    out[i] = (float) srl_rng_normal (rng);
}

void
srl_rng_fill_uniform (SrlRng *rng, float *out, gsize n, float low, float high)
{
  for (gsize i = 0; i < n; i++)
    out[i] = low + (high - low) * (float) srl_rng_uniform (rng);
}

/* Soft Q-learning's numerical pieces: see sql-math.h. */
#include <math.h>
#include <string.h>

#include "sql-math.h"

float
sql_soft_value (const float *q, guint n, float alpha, guint act_dim)
{
  float top = q[0];
  for (guint i = 1; i < n; i++)
    top = MAX (top, q[i]);
  /* α → 0 is the hard maximum: conventional Q-learning's value. */
  if (alpha <= 0.0f)
    return top;
  double sum = 0;
  for (guint i = 0; i < n; i++)
    sum += exp ((double) (q[i] - top) / alpha);
  /* log mean exp(Q/α) + log 2^|A|: the uniform density's normaliser. */
  return top + alpha * (float) (log (sum / n) + act_dim * G_LN2);
}

void
sql_pairwise_sq_dist (const float *x, guint m, const float *y, guint k, guint d, float *dist_sq)
{
  for (guint j = 0; j < m; j++)
    for (guint l = 0; l < k; l++)
      {
        float s = 0;
        for (guint c = 0; c < d; c++)
          {
            float diff = x[(gsize) j * d + c] - y[(gsize) l * d + c];
            s += diff * diff;
          }
        dist_sq[(gsize) j * k + l] = s;
      }
}

#if defined(__GNUC__) && defined(__x86_64__) && defined(__GLIBC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define SQL_VECTOR_CLONES __attribute__ ((target_clones ("avx512f", "avx2", "default")))
#endif
#endif
#ifndef SQL_VECTOR_CLONES
#define SQL_VECTOR_CLONES
#endif

/* A float's bit pattern read in place (GCC's may_alias: the floats are
 * read as unsigned integers without breaking the aliasing rules). */
typedef guint32 __attribute__ ((__may_alias__)) FloatBits;

/* How many of the n keys are ≤ t: a branch-free pass that vectorises. */
SQL_VECTOR_CLONES static guint32
count_at_most (const FloatBits *restrict keys, guint32 n, guint32 t)
{
  guint32 c = 0;
  for (guint32 i = 0; i < n; i++)
    c += keys[i] <= t;
  return c;
}

/* The element of rank r (0-based) of n non-negative floats, and in *below
 * the one of rank r − 1 (r > 0).  Non-negative floats order as their bit
 * patterns, so a binary search over patterns with counting passes finds it
 * exactly.  A quickselect does fewer comparisons but its branches follow
 * the data: on fresh distances every update it mispredicted about half of
 * them and took 9.5 µs per state at m = k = 32, against 2.6 µs here. */
static float
select_rank (const float *v, guint32 n, guint32 r, float *below)
{
  const FloatBits *keys = (const FloatBits *) v;
  guint32 lo = 0, hi = G_MAXUINT32; /* the answer's pattern lies in [lo, hi] */
  while (lo < hi)
    {
      guint32 mid = lo + (hi - lo) / 2;
      if (count_at_most (keys, n, mid) > r)
        hi = mid;
      else
        lo = mid + 1;
    }
  if (below && r > 0)
    {
      /* Rank r − 1 is a tie with rank r, or else the largest key below. */
      guint32 prev = 0;
      if (lo == 0 || count_at_most (keys, n, lo - 1) == r)
        for (guint32 i = 0; i < n; i++)
          prev = MAX (prev, keys[i] < lo ? keys[i] : 0);
      else
        prev = lo;
      memcpy (below, &prev, sizeof prev);
    }
  float value;
  memcpy (&value, &lo, sizeof lo);
  return value;
}

float
sql_kernel_bandwidth (const float *dist_sq, guint m, guint k)
{
  guint32 n = m * k;
  float below, median = select_rank (dist_sq, n, n / 2, &below);
  if (n % 2 == 0)
    median = 0.5f * (median + below);
  float h = median / (2.0f * logf ((float) m + 1.0f));
  return MAX (h, SQL_MIN_BANDWIDTH);
}

void
sql_stein_direction (const float *x, const float *score, guint m, const float *y, guint k, guint d,
                     const float *dist_sq, float h, float repulsion, float *kappa, float *delta)
{
  const float inv_h = 1.0f / h, inv_m = 1.0f / (float) m, push = 2.0f * repulsion * inv_h;
  gsize n = (gsize) m * k;
  for (gsize i = 0; i < n; i++)
    kappa[i] = expf (-dist_sq[i] * inv_h);
  memset (delta, 0, (gsize) k * d * sizeof (float));
  for (guint j = 0; j < m; j++)
    {
      const float *xj = x + (gsize) j * d, *sj = score + (gsize) j * d;
      const float *kj = kappa + (gsize) j * k;
      for (guint l = 0; l < k; l++)
        {
          const float *yl = y + (gsize) l * d;
          float *dl = delta + (gsize) l * d;
          float kv = kj[l];
          for (guint c = 0; c < d; c++)
            dl[c] += kv * (sj[c] - push * (xj[c] - yl[c]));
        }
    }
  for (gsize i = 0; i < (gsize) k * d; i++)
    delta[i] *= inv_m;
}

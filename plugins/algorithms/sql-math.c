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

/* Reorder v[0..n) so that v[r] is the element of rank r, every element
 * left of it ≤ it and every element right of it ≥ it: quickselect (Hoare)
 * with a median-of-three pivot.  The arrays here are a few hundred
 * distances, where this beats sampling schemes; any exact selection gives
 * the same v[r]. */
static void
select_rank (float *v, gsize n, gsize r)
{
  gsize lo = 0, hi = n - 1;
  while (hi > lo)
    {
      gsize mid = lo + (hi - lo) / 2;
      float a = v[lo], b = v[mid], c = v[hi];
      float pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
      gsize i = lo, j = hi;
      while (i <= j)
        {
          while (v[i] < pivot)
            i++;
          while (v[j] > pivot)
            j--;
          if (i <= j)
            {
              float t = v[i];
              v[i] = v[j];
              v[j] = t;
              i++;
              if (j == 0)
                break;
              j--;
            }
        }
      /* Now v[lo..j] ≤ pivot ≤ v[i..hi], and v(j..i) = pivot. */
      if (r <= j && j < i)
        hi = j;
      else if (r >= i)
        lo = i;
      else
        return;
    }
}

float
sql_kernel_bandwidth (const float *dist_sq, guint m, guint k, float *work)
{
  gsize n = (gsize) m * k;
  memcpy (work, dist_sq, n * sizeof (float));
  select_rank (work, n, n / 2);
  float median = work[n / 2];
  if (n % 2 == 0)
    {
      /* The other middle value is the largest of those left of n/2. */
      float below = work[0];
      for (gsize i = 1; i < n / 2; i++)
        below = MAX (below, work[i]);
      median = 0.5f * (median + below);
    }
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

/* A layer with few inputs, written out for AVX-512: its forward product and
 * its weight gradient.
 *
 * A network's first layer reads the observation (and the action): 17 or
 * 23 inputs against 256 outputs.  OpenBLAS spends more time there clearing
 * the output, loading and storing it around a short inner loop, and then
 * the activation's own pass over it, than on the multiply-adds: about
 * 37 µs for the 1.5 M multiply-adds of a 256-row batch, 2.5 times the time
 * of the same work inside a 256³ product.  Here each block of 4 rows ×
 * 64 outputs stays in 16 registers from the bias to the activation and is
 * stored once (18 µs).  The weight gradient x^T dz of such a layer is a
 * product with few rows, which OpenBLAS also runs slowly (36 µs at 256 ×
 * 23 → 256); here 4 inputs × 64 outputs are summed over the batch in
 * registers (20 µs).
 *
 * Only where the CPU has AVX-512 (checked once at run time); elsewhere, and
 * for the shapes not handled, callers fall back to cblas_sgemm.  The sums
 * are formed in a fixed order (bias or 0, then inputs or rows 0, 1, … each
 * with one fused multiply-add), so results do not depend on how the rows or
 * columns are blocked. */
#include "srl-private.h"

#if defined(__GNUC__) && defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target)
#define HAVE_AVX512_KERNELS 1
#endif
#endif

#ifdef HAVE_AVX512_KERNELS
#include <immintrin.h>

#define AVX512 __attribute__ ((target ("avx512f")))
#define BLOCK_ROWS 4
#define BLOCK_VECTORS 4 /* of 16 floats: 64 outputs */
#define GRAD_BLOCK_INPUTS 4
#define NARROW_GRAD_MIN_WORK (256u * 128u) /* rows × outputs */

/* mask[v]: which of the 16 columns of vector v exist, in a last block of
 * `left` (< 64) columns. */
static void
column_masks (__mmask16 *mask, guint left)
{
  for (guint v = 0; v < BLOCK_VECTORS; v++)
    {
      guint here = left > 16 * v ? left - 16 * v : 0;
      mask[v] = here >= 16 ? 0xffff : (__mmask16) ((1u << here) - 1);
    }
}

/* Vector v of p: all 16 floats, or those mask[v] selects (the others 0). */
static inline __attribute__ ((always_inline)) AVX512 __m512
load_vector (const float *p, const __mmask16 *mask, int v)
{
  return mask ? _mm512_maskz_loadu_ps (mask[v], p + 16 * v) : _mm512_loadu_ps (p + 16 * v);
}

static inline __attribute__ ((always_inline)) AVX512 void
store_vector (float *p, const __mmask16 *mask, int v, __m512 value)
{
  if (mask)
    _mm512_mask_storeu_ps (p + 16 * v, mask[v], value);
  else
    _mm512_storeu_ps (p + 16 * v, value);
}

/* The step both kernels repeat: acc[i][·] += xs[i · stride] · row[·] for
 * the `count` accumulator rows i, with the `vectors` vectors of row loaded
 * once. */
static inline __attribute__ ((always_inline)) AVX512 void
rank_one_update (__m512 acc[][BLOCK_VECTORS], const float *xs, guint stride, int count, const float *row,
                 const __mmask16 *mask, int vectors)
{
  __m512 rv[BLOCK_VECTORS];
#pragma GCC unroll 4
  for (int v = 0; v < vectors; v++)
    rv[v] = load_vector (row, mask, v);
#pragma GCC unroll 4
  for (int i = 0; i < count; i++)
    {
      __m512 xi = _mm512_set1_ps (xs[(gsize) i * stride]);
#pragma GCC unroll 4
      for (int v = 0; v < vectors; v++)
        acc[i][v] = _mm512_fmadd_ps (xi, rv[v], acc[i][v]);
    }
}

/* y[i, 0..64) ← nl (b + Σ_k x[i, k] w[k, 0..64)) for the `rows` (a
 * constant after inlining) rows i of the block; `mask[v]` selects the
 * outputs of vector v that exist (the last block of a layer whose width is
 * not a multiple of 64). */
static inline __attribute__ ((always_inline)) AVX512 void
forward_block (const float *x, guint n_in, const float *w, guint ldw, const float *b, float *y, guint ldy,
               int rows, int vectors, const __mmask16 *mask, gboolean relu)
{
  __m512 acc[BLOCK_ROWS][BLOCK_VECTORS];
#pragma GCC unroll 4
  for (int v = 0; v < vectors; v++)
    {
      __m512 bias = load_vector (b, mask, v);
#pragma GCC unroll 4
      for (int i = 0; i < rows; i++)
        acc[i][v] = bias;
    }
  for (guint k = 0; k < n_in; k++)
    rank_one_update (acc, x + k, n_in, rows, w + (gsize) k * ldw, mask, vectors);
#pragma GCC unroll 4
  for (int i = 0; i < rows; i++)
#pragma GCC unroll 4
    for (int v = 0; v < vectors; v++)
      {
        /* max (NaN, 0) is 0, as `v > 0 ? v : 0` gives. */
        __m512 out = relu ? _mm512_max_ps (acc[i][v], _mm512_setzero_ps ()) : acc[i][v];
        store_vector (y + (gsize) i * ldy, mask, v, out);
      }
}

/* Lines to bring into the cache while the kernel computes: the next
 * layer's weights, which sgemm would otherwise wait for (last touched by the
 * previous update's Adam step, they have left L2).  The kernel's loads
 * leave room for a few prefetches per block of rows. */
typedef struct {
  const char *next;
  gsize lines_left, lines_per_block;
} Prefetch;

static inline __attribute__ ((always_inline)) void
prefetch_some (Prefetch *pf)
{
  for (gsize i = 0; i < pf->lines_per_block && pf->lines_left; i++, pf->lines_left--, pf->next += SRL_CACHE_LINE)
    __builtin_prefetch (pf->next, 0, 2);
}

/* Rows [0, n) of one column block, 4 at a time, then one at a time. */
static inline __attribute__ ((always_inline)) AVX512 void
forward_columns (const float *x, guint n, guint n_in, const float *w, guint ldw, const float *b, float *y,
                 int vectors, const __mmask16 *mask, gboolean relu, Prefetch *pf)
{
  guint r = 0;
  for (; r + BLOCK_ROWS <= n; r += BLOCK_ROWS)
    {
      forward_block (x + (gsize) r * n_in, n_in, w, ldw, b, y + (gsize) r * ldw, ldw, BLOCK_ROWS, vectors, mask,
                     relu);
      prefetch_some (pf);
    }
  for (; r < n; r++)
    forward_block (x + (gsize) r * n_in, n_in, w, ldw, b, y + (gsize) r * ldw, ldw, 1, vectors, mask, relu);
}

static AVX512 void
forward_avx512 (const float *x, guint n, guint n_in, const float *w, const float *b, guint n_out, float *y,
                gboolean relu, const void *prefetch, gsize prefetch_bytes)
{
  const guint block = 16 * BLOCK_VECTORS;
  const guint column_blocks = n_out <= 16 ? 1 : (n_out + block - 1) / block;
  const gsize lines = prefetch ? (prefetch_bytes + SRL_CACHE_LINE - 1) / SRL_CACHE_LINE : 0;
  const gsize blocks = MAX ((gsize) (n / BLOCK_ROWS) * column_blocks, 1);
  Prefetch pf = { prefetch, lines, (lines + blocks - 1) / blocks };
  if (n_out <= 16)
    {
      /* One vector wide (a coupling network's layers): the rest masked. */
      __mmask16 mask = (__mmask16) ((1u << n_out) - 1);
      forward_columns (x, n, n_in, w, n_out, b, y, 1, &mask, relu, &pf);
      return;
    }
  guint c = 0;
  for (; c + block <= n_out; c += block)
    if (relu)
      forward_columns (x, n, n_in, w + c, n_out, b + c, y + c, BLOCK_VECTORS, NULL, TRUE, &pf);
    else
      forward_columns (x, n, n_in, w + c, n_out, b + c, y + c, BLOCK_VECTORS, NULL, FALSE, &pf);
  if (c < n_out)
    {
      __mmask16 mask[BLOCK_VECTORS];
      column_masks (mask, n_out - c);
      forward_columns (x, n, n_in, w + c, n_out, b + c, y + c, BLOCK_VECTORS, mask, relu, &pf);
    }
}

/* dw[k, 0..16·vectors) += Σ_r x[r, k] dz[r, 0..16·vectors) for the `ks`
 * (a constant after inlining) inputs k of the block, summed over the rows
 * in order in registers and added to dw once. */
static inline __attribute__ ((always_inline)) AVX512 void
weight_grad_block (const float *x, guint n, guint n_in, const float *dz, guint ldz, float *dw, int ks,
                   int vectors, const __mmask16 *mask)
{
  __m512 acc[GRAD_BLOCK_INPUTS][BLOCK_VECTORS];
#pragma GCC unroll 4
  for (int k = 0; k < ks; k++)
#pragma GCC unroll 4
    for (int v = 0; v < vectors; v++)
      acc[k][v] = _mm512_setzero_ps ();
  for (guint r = 0; r < n; r++)
    rank_one_update (acc, x + (gsize) r * n_in, 1, ks, dz + (gsize) r * ldz, mask, vectors);
#pragma GCC unroll 4
  for (int k = 0; k < ks; k++)
#pragma GCC unroll 4
    for (int v = 0; v < vectors; v++)
      {
        float *row = dw + (gsize) k * ldz;
        store_vector (row, mask, v, _mm512_add_ps (load_vector (row, mask, v), acc[k][v]));
      }
}

/* Inputs [0, n_in) of one column block, 4 at a time, then the rest. */
static inline __attribute__ ((always_inline)) AVX512 void
weight_grad_columns (const float *x, guint n, guint n_in, const float *dz, guint ldz, float *dw, int vectors,
                     const __mmask16 *mask)
{
  guint k = 0;
  for (; k + GRAD_BLOCK_INPUTS <= n_in; k += GRAD_BLOCK_INPUTS)
    weight_grad_block (x + k, n, n_in, dz, ldz, dw + (gsize) k * ldz, GRAD_BLOCK_INPUTS, vectors, mask);
  switch (n_in - k)
    {
    case 3:
      weight_grad_block (x + k, n, n_in, dz, ldz, dw + (gsize) k * ldz, 3, vectors, mask);
      break;
    case 2:
      weight_grad_block (x + k, n, n_in, dz, ldz, dw + (gsize) k * ldz, 2, vectors, mask);
      break;
    case 1:
      weight_grad_block (x + k, n, n_in, dz, ldz, dw + (gsize) k * ldz, 1, vectors, mask);
      break;
    }
}

static AVX512 void
weight_grad_avx512 (const float *x, guint n, guint n_in, const float *dz, guint n_out, float *dw)
{
  __mmask16 mask[BLOCK_VECTORS];
  if (n_out <= 16)
    {
      mask[0] = (__mmask16) ((1u << n_out) - 1);
      weight_grad_columns (x, n, n_in, dz, n_out, dw, 1, mask);
      return;
    }
  const guint block = 16 * BLOCK_VECTORS;
  guint c = 0;
  for (; c + block <= n_out; c += block)
    weight_grad_columns (x, n, n_in, dz + c, n_out, dw + c, BLOCK_VECTORS, NULL);
  if (c < n_out)
    {
      column_masks (mask, n_out - c);
      weight_grad_columns (x, n, n_in, dz + c, n_out, dw + c, BLOCK_VECTORS, mask);
    }
}

static gboolean
have_avx512 (void)
{
  static int have = -1;
  if (have < 0)
    {
      __builtin_cpu_init ();
      have = __builtin_cpu_supports ("avx512f") ? 1 : 0;
    }
  return have;
}
#endif /* HAVE_AVX512_KERNELS */

gboolean
srl_narrow_forward (const float *x, guint n, guint n_in, const float *w, const float *b, guint n_out, float *y,
                    SrlNonlinearity nl, const void *prefetch, gsize prefetch_bytes)
{
#ifdef HAVE_AVX512_KERNELS
  if (n_in > SRL_NARROW_INPUTS || (nl != SRL_NL_RELU && nl != SRL_NL_LINEAR) || !have_avx512 ())
    return FALSE;
  forward_avx512 (x, n, n_in, w, b, n_out, y, nl == SRL_NL_RELU, prefetch, prefetch_bytes);
  return TRUE;
#else
  (void) x, (void) n, (void) n_in, (void) w, (void) b, (void) n_out, (void) y, (void) nl;
  (void) prefetch, (void) prefetch_bytes;
  return FALSE;
#endif
}

gboolean
srl_narrow_weight_grad (const float *x, guint n, guint n_in, const float *dz, guint n_out, float *dw)
{
#ifdef HAVE_AVX512_KERNELS
  /* Measured against OpenBLAS's x^T dz: 20 against 36 µs at 256 × 23 → 256,
   * even at 128 × 23 → 128, slower below. */
  if (n_in > SRL_NARROW_INPUTS || (guint64) n * n_out < NARROW_GRAD_MIN_WORK || !have_avx512 ())
    return FALSE;
  weight_grad_avx512 (x, n, n_in, dz, n_out, dw);
  return TRUE;
#else
  (void) x, (void) n, (void) n_in, (void) dz, (void) n_out, (void) dw;
  return FALSE;
#endif
}

/* The wide layers' products through libxsmm's JIT-compiled kernels.
 *
 * OpenBLAS packs both operands into its own layout before every product and
 * clears the output first when beta is 0; for the 128- to 256-wide layers
 * of the thesis' networks that overhead is a tenth of the product.  libxsmm
 * generates one kernel per shape (at its first use, then found in its
 * registry) that reads the operands where they are.  `softrl bench products`
 * times one layer's two products as the library computes them (bias and
 * bias gradient included) against OpenBLAS's bare sgemm; on the development
 * machine (AMD EPYC, AVX-512, one thread), GFLOP/s:
 *
 *   rows × in → out     forward            weight gradient
 *                       softrl   sgemm     softrl   sgemm
 *   256 × 256 → 256     112.6    101.1     112.7    101.3
 *   128 × 128 → 128     111.4     98.2     111.4     98.2
 *    64 × 200 → 200     109.8     96.7     107.6     98.4
 *   100 ×  64 →  64     108.4    113.7     106.3    112.8   (OpenBLAS: the two tie here)
 *
 * With SOFTRL_XSMM=off the softrl columns of the wide layers read 0.97–1.00
 * of sgemm's.  So libxsmm takes the layers at least SRL_XSMM_MIN_WIDTH wide
 * on both sides (below, the two libraries tie), and the input gradient
 * dz W^T stays with OpenBLAS (libxsmm 1.17 has no kernel with A transposed, and a transposed
 * copy costs more than it gains).  Which library computes a product depends
 * only on its shape, so a run is as deterministic as before; results differ
 * from an OpenBLAS-only build in the last bits, as any two BLAS do.
 * SOFTRL_XSMM=off (read once) keeps every product on OpenBLAS. */
#include "srl-private.h"

#ifdef HAVE_LIBXSMM
#include <libxsmm.h>

static gboolean
xsmm_enabled (void)
{
  static gsize once = 0;
  static gboolean enabled;
  if (g_once_init_enter (&once))
    {
      const char *v = g_getenv ("SOFTRL_XSMM");
      enabled = !(v && (g_ascii_strcasecmp (v, "off") == 0 || strcmp (v, "0") == 0));
      g_once_init_leave (&once, 1);
    }
  return enabled;
}

static gboolean
xsmm_shape (guint n, guint n_in, guint n_out)
{
  return n >= SRL_XSMM_MIN_ROWS && n_in >= SRL_XSMM_MIN_WIDTH && n_out >= SRL_XSMM_MIN_WIDTH && xsmm_enabled ();
}

/* Column-major c ← a b + beta c (b transposed with `flags`) by libxsmm's
 * kernel for the shape; FALSE when it has none. */
static gboolean
xsmm_product (libxsmm_blasint m, libxsmm_blasint n, libxsmm_blasint k, libxsmm_blasint ldb, float beta, int flags,
              const float *a, const float *b, float *c)
{
  const float alpha = 1.0f;
  libxsmm_smmfunction kernel = libxsmm_smmdispatch (m, n, k, &m, &ldb, &m, &alpha, &beta, &flags, NULL);
  if (!kernel)
    return FALSE;
  kernel (a, b, c);
  return TRUE;
}

gboolean
srl_xsmm_forward (const float *x, guint n, guint n_in, const float *w, guint n_out, float *y)
{
  /* Row-major y = x w is column-major yᵀ = wᵀ xᵀ: m = n_out, n = rows, k = n_in. */
  return xsmm_shape (n, n_in, n_out) && xsmm_product (n_out, n, n_in, n_in, 0.0f, LIBXSMM_GEMM_FLAG_BETA_0, w, x, y);
}

gboolean
srl_xsmm_weight_grad (const float *x, guint n, guint n_in, const float *dz, guint n_out, float *dw)
{
  /* Row-major dw += xᵀ dz is column-major dwᵀ += dzᵀ x, with x read
   * transposed: m = n_out, n = n_in, k = rows. */
  return xsmm_shape (n, n_in, n_out)
         && xsmm_product (n_out, n_in, n, n_in, 1.0f, LIBXSMM_GEMM_FLAG_TRANS_B, dz, x, dw);
}

const char *
srl_nn_products_description (void)
{
  if (!xsmm_enabled ())
    return "OpenBLAS";
  return "libxsmm " SRL_XSMM_VERSION " for layers at least " G_STRINGIFY (SRL_XSMM_MIN_WIDTH) " wide, OpenBLAS otherwise";
}

#else

const char *
srl_nn_products_description (void)
{
  return "OpenBLAS";
}

gboolean
srl_xsmm_forward (const float *x, guint n, guint n_in, const float *w, guint n_out, float *y)
{
  return FALSE;
}

gboolean
srl_xsmm_weight_grad (const float *x, guint n, guint n_in, const float *dz, guint n_out, float *dw)
{
  return FALSE;
}

#endif

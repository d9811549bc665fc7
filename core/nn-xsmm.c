/* The wide layers' products through libxsmm's JIT-compiled kernels.
 *
 * OpenBLAS packs both operands into its own layout before every product and
 * clears the output first when beta is 0; for the 128- to 256-wide layers
 * of the thesis' networks that overhead is a tenth of the product.  libxsmm
 * generates one kernel per shape (at its first use, then found in its
 * registry) that reads the operands where they are.  `softrl bench products`
 * times one layer's three products as the library computes them (bias and
 * bias gradient included) against OpenBLAS's bare sgemm; on the development
 * machine (AMD EPYC, AVX-512, one thread, nothing else running), GFLOP/s:
 *
 *   rows × in → out     forward          weight gradient   input gradient
 *                       softrl  sgemm    softrl  sgemm     softrl  sgemm
 *   256 × 256 → 256     114.5   102.9    113.7   103.7     110.5   102.2
 *   128 × 128 → 128     112.4    98.9    112.4    99.4     109.2    95.8
 *    64 × 200 → 200     110.1    97.1    107.9    98.8     105.0    90.8
 *   100 ×  64 →  64     108.6   114.1    107.6   114.4     110.1    88.9
 *
 * So libxsmm takes the forward product and the weight gradient of layers at
 * least SRL_XSMM_MIN_WIDTH wide on both sides (below, OpenBLAS is as fast
 * or faster: the 64-wide row), and the input gradient dz Wᵀ from
 * SRL_XSMM_INPUT_GRAD_MIN_WIDTH: OpenBLAS's product with a transposed second
 * operand is its slowest (89–102 GFLOP/s above), and libxsmm 1.17 has no
 * kernel for it either, but its own transposition (libxsmm_otrans: 0.2 µs
 * for 64 × 64, 13 µs for 256 × 256) into the MLP's workspace followed by a
 * plain kernel beats it at every width measured.
 *
 * Without AVX-512 libxsmm's kernels are another matter.  On an AMD EPYC
 * with AVX2 only (OpenBLAS's Zen kernels; one thread, nothing else
 * running), the library's product against OpenBLAS's, with libxsmm forced:
 *
 *   rows × in → out     forward   weight gradient   input gradient
 *   256 × 256 → 256      0.97          0.59              0.96
 *   128 × 128 → 128      1.10          0.72              1.05
 *    64 × 200 → 200      0.97          0.97              0.91
 *  2048 × 200 → 200      0.87          0.46              0.86
 *   100 ×  64 →  64        –             –               1.45
 *
 * so there libxsmm keeps only the forward products and input gradients of
 * layers at most SRL_XSMM_AVX2_MAX_WIDTH wide, and never a weight gradient
 * (its AVX2 kernel with a transposed operand is the slow one).
 *
 * Which library computes a product depends only on its shape and on the
 * processor, so a run on one machine is as deterministic as before;
 * results differ from an OpenBLAS-only build in the last bits, as any two
 * BLAS do.  SOFTRL_XSMM (read once): off keeps every product on OpenBLAS,
 * on gives libxsmm every shape above whatever the processor (for tests and
 * measurements), auto (the default) chooses as above. */
#include "srl-private.h"

#ifdef HAVE_LIBXSMM
#include <libxsmm.h>

/* Which products libxsmm computes, decided once. */
typedef struct
{
  gboolean enabled;
  guint max_width;      /* the widest layer (either side) it takes */
  gboolean weight_grad; /* the weight gradient xᵀ dz too */
  gboolean forced;      /* SOFTRL_XSMM=on */
} XsmmChoice;

static const XsmmChoice *
xsmm_choice (void)
{
  static gsize once = 0;
  static XsmmChoice choice;
  if (g_once_init_enter (&once))
    {
      const char *v = g_getenv ("SOFTRL_XSMM");
      const int arch = libxsmm_get_target_archid ();
      if (v && (g_ascii_strcasecmp (v, "off") == 0 || strcmp (v, "0") == 0))
        choice = (XsmmChoice){ FALSE, 0, FALSE, FALSE };
      else if ((v && (g_ascii_strcasecmp (v, "on") == 0 || strcmp (v, "1") == 0)) || arch >= LIBXSMM_X86_AVX512_CORE)
        choice = (XsmmChoice){ TRUE, G_MAXUINT, TRUE, arch < LIBXSMM_X86_AVX512_CORE };
      else if (arch >= LIBXSMM_X86_AVX2)
        choice = (XsmmChoice){ TRUE, SRL_XSMM_AVX2_MAX_WIDTH, FALSE, FALSE };
      else
        choice = (XsmmChoice){ FALSE, 0, FALSE, FALSE };
      g_once_init_leave (&once, 1);
    }
  return &choice;
}

static gboolean
xsmm_shape (guint n, guint n_in, guint n_out)
{
  const XsmmChoice *c = xsmm_choice ();
  return c->enabled && n >= SRL_XSMM_MIN_ROWS && n_in >= SRL_XSMM_MIN_WIDTH && n_out >= SRL_XSMM_MIN_WIDTH
         && n_in <= c->max_width && n_out <= c->max_width;
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
  return xsmm_shape (n, n_in, n_out) && xsmm_choice ()->weight_grad
         && xsmm_product (n_out, n_in, n, n_in, 1.0f, LIBXSMM_GEMM_FLAG_TRANS_B, dz, x, dw);
}

gboolean
srl_xsmm_input_grad (const float *dz, guint n, guint n_out, const float *w, guint cols, float *wt, float *dx)
{
  const XsmmChoice *c = xsmm_choice ();
  if (!c->enabled || n < SRL_XSMM_MIN_ROWS || n_out < SRL_XSMM_INPUT_GRAD_MIN_WIDTH
      || cols < SRL_XSMM_INPUT_GRAD_MIN_WIDTH || n_out > c->max_width || cols > c->max_width)
    return FALSE;
  /* w's rows [cols, n_out] are column-major [n_out, cols]; transposed they
   * are wt, row-major [n_out, cols].  Then row-major dx = dz wt is
   * column-major dxᵀ = wtᵀ dzᵀ: m = cols, n = rows, k = n_out. */
  libxsmm_otrans (wt, w, sizeof (float), n_out, cols, n_out, cols);
  return xsmm_product (cols, n, n_out, n_out, 0.0f, LIBXSMM_GEMM_FLAG_BETA_0, wt, dz, dx);
}

const char *
srl_nn_products_description (void)
{
  static gsize once = 0;
  static const char *description;
  if (g_once_init_enter (&once))
    {
      const XsmmChoice *c = xsmm_choice ();
      if (!c->enabled)
        description = "OpenBLAS";
      else if (c->weight_grad)
        description = g_strdup_printf ("libxsmm %s for layers at least %d wide (input gradients from %d)%s, "
                                       "OpenBLAS otherwise",
                                       SRL_XSMM_VERSION, SRL_XSMM_MIN_WIDTH, SRL_XSMM_INPUT_GRAD_MIN_WIDTH,
                                       c->forced ? ", forced by SOFTRL_XSMM=on" : "");
      else
        description = g_strdup_printf ("libxsmm %s (AVX2) for forward products of layers %d to %u wide and "
                                       "input gradients from %d to %u, OpenBLAS otherwise",
                                       SRL_XSMM_VERSION, SRL_XSMM_MIN_WIDTH, c->max_width,
                                       SRL_XSMM_INPUT_GRAD_MIN_WIDTH, c->max_width);
      g_once_init_leave (&once, 1);
    }
  return description;
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

gboolean
srl_xsmm_input_grad (const float *dz, guint n, guint n_out, const float *w, guint cols, float *wt, float *dx)
{
  return FALSE;
}

#endif

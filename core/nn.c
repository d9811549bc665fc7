/* The network core: flat parameter sets, dense MLPs on cblas_sgemm, Adam. */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "srl-private.h"

/* ------------------------------------------------------------- kernels
 *
 * The elementwise passes of the networks and optimisers: see
 * SRL_VECTOR_CLONES and SRL_VECTOR_MATH in srl-private.h. */

/* Every row of y [n, width] ← nl(row + b): the bias and the activation in
 * the one pass over the product that follows it. */
SRL_VECTOR_CLONES static void
bias_activate (float *restrict y, const float *restrict b, guint n, guint width, SrlNonlinearity nl)
{
  for (guint r = 0; r < n; r++)
    {
      float *row = y + (gsize) r * width;
      if (nl == SRL_NL_RELU)
        for (guint c = 0; c < width; c++)
          {
            float v = row[c] + b[c];
            row[c] = v > 0.0f ? v : 0.0f;
          }
      else if (nl == SRL_NL_TANH)
        for (guint c = 0; c < width; c++)
          row[c] = tanhf (row[c] + b[c]);
      else
        for (guint c = 0; c < width; c++)
          row[c] += b[c];
    }
}

/* dz [n, width] ← dz ⊙ (y > 0) (ReLU's derivative, from its output y);
 * when db, db += Σ_rows dz (the bias gradient), row by row. */
SRL_VECTOR_CLONES static void
relu_backward (float *restrict dz, const float *restrict y, guint n, guint width, float *restrict db)
{
  for (guint r = 0; r < n; r++)
    {
      float *d = dz + (gsize) r * width;
      const float *o = y + (gsize) r * width;
      if (db)
        for (guint c = 0; c < width; c++)
          {
            float v = o[c] > 0.0f ? d[c] : 0.0f;
            d[c] = v;
            db[c] += v;
          }
      else
        for (guint c = 0; c < width; c++)
          d[c] = o[c] > 0.0f ? d[c] : 0.0f;
    }
}

SRL_VECTOR_CLONES static void
exp_pass (const float *restrict x, float *restrict y, gsize n)
{
  for (gsize i = 0; i < n; i++)
    y[i] = expf (x[i]);
}

/* tanh u from e = expm1(−2|u|) ∈ (−1, 0]: tanh |u| = −e / (2 + e), exact
 * to rounding near 0 where 1 − e^{−2|u|} would cancel; and log(1 − tanh² u)
 * = 2 (log 2 − |u| − log(1 + e^{−2|u|})), which never forms 1 − tanh² u
 * (0 in float once |u| > 9). */
SRL_VECTOR_CLONES static void
tanh_squash_pass (const float *restrict u, float *restrict act, float *restrict log_jacobian, gsize n)
{
  if (log_jacobian)
    for (gsize i = 0; i < n; i++)
      {
        float au = fabsf (u[i]);
        float e = expm1f (-2.0f * au);
        act[i] = copysignf (-e / (2.0f + e), u[i]);
        log_jacobian[i] = 2.0f * ((float) G_LN2 - au - log1pf (e + 1.0f));
      }
  else
    for (gsize i = 0; i < n; i++)
      {
        float e = expm1f (-2.0f * fabsf (u[i]));
        act[i] = copysignf (-e / (2.0f + e), u[i]);
      }
}

void
srl_exp_floats (const float *x, float *y, gsize n)
{
  exp_pass (x, y, n);
}

void
srl_tanh_squash (const float *u, float *act, float *log_jacobian, gsize n)
{
  tanh_squash_pass (u, act, log_jacobian, n);
}

/* dz [n, width] ← dz ⊙ (1 − y²) (tanh's derivative, from its output y). */
SRL_VECTOR_CLONES static void
tanh_backward (float *restrict dz, const float *restrict y, gsize total)
{
  for (gsize i = 0; i < total; i++)
    dz[i] *= 1.0f - y[i] * y[i];
}

/* db += Σ_rows dz, row by row. */
SRL_VECTOR_CLONES static void
bias_grad (const float *restrict dz, guint n, guint width, float *restrict db)
{
  for (guint r = 0; r < n; r++)
    {
      const float *d = dz + (gsize) r * width;
      for (guint c = 0; c < width; c++)
        db[c] += d[c];
    }
}

/* The input gradient of a layer with one output: dx [n, width] ← dz w^T,
 * an outer product (what sgemm computes for an inner dimension of 1, one
 * rounding per product).  When y (the output of the ReLU layer below) is
 * given, the ReLU's derivative is applied on the way, and with db its
 * bias gradient accumulated, as relu_backward() would. */
SRL_VECTOR_CLONES static void
outer_backward (float *restrict dx, const float *restrict dz, const float *restrict w, const float *restrict y,
                guint n, guint width, float *restrict db)
{
  for (guint r = 0; r < n; r++)
    {
      float *d = dx + (gsize) r * width;
      const float g = dz[r];
      if (!y)
        for (guint c = 0; c < width; c++)
          d[c] = g * w[c];
      else
        {
          const float *o = y + (gsize) r * width;
          if (db)
            for (guint c = 0; c < width; c++)
              {
                float v = o[c] > 0.0f ? g * w[c] : 0.0f;
                d[c] = v;
                db[c] += v;
              }
          else
            for (guint c = 0; c < width; c++)
              d[c] = o[c] > 0.0f ? g * w[c] : 0.0f;
        }
    }
}

/* dst [cols, rows] += src [rows, cols]^T. */
static void
add_transposed (float *restrict dst, const float *restrict src, guint rows, guint cols)
{
  for (guint r = 0; r < rows; r++)
    for (guint c = 0; c < cols; c++)
      dst[(gsize) c * rows + r] += src[(gsize) r * cols + c];
}

/* dst [cols, rows] ← src [rows, cols]^T. */
static void
transpose_into (float *restrict dst, const float *restrict src, guint rows, guint cols)
{
  for (guint r = 0; r < rows; r++)
    for (guint c = 0; c < cols; c++)
      dst[(gsize) c * rows + r] = src[(gsize) r * cols + c];
}

/* Weights, gradients, activations and optimiser moments start on a cache
 * line (free with g_aligned_free): malloc's 16-byte alignment splits every
 * vector load of the elementwise passes and of OpenBLAS's packing across
 * two lines, which cost 2 % of a SAC update. */
static float *
floats_new0 (gsize n)
{
  return g_aligned_alloc0 (MAX (n, 1), sizeof (float), SRL_CACHE_LINE);
}

/* ------------------------------------------------------------- weights */

typedef struct {
  char *name;
  gsize offset, rows, cols;
} Entry;

struct _SrlWeights {
  GArray *entries; /* Entry */
  gsize size;
  float *data;
  float *grad;
};

static void
entry_clear (gpointer p)
{
  g_free (((Entry *) p)->name);
}

SrlWeights *
srl_weights_new (void)
{
  SrlWeights *w = g_new0 (SrlWeights, 1);
  w->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (w->entries, entry_clear);
  return w;
}

void
srl_weights_free (SrlWeights *w)
{
  if (!w)
    return;
  g_array_unref (w->entries);
  g_aligned_free (w->data);
  g_aligned_free (w->grad);
  g_free (w);
}

gsize
srl_weights_declare (SrlWeights *w, const char *name, gsize rows, gsize cols)
{
  g_return_val_if_fail (w->data == NULL, 0);
  for (guint i = 0; i < w->entries->len; i++)
    g_return_val_if_fail (strcmp (g_array_index (w->entries, Entry, i).name, name) != 0, 0);
  Entry e = { g_strdup (name), w->size, rows, cols };
  g_array_append_val (w->entries, e);
  w->size += (rows ? rows : 1) * cols;
  return e.offset;
}

void
srl_weights_allocate (SrlWeights *w)
{
  g_return_if_fail (w->data == NULL);
  w->data = floats_new0 (w->size);
  w->grad = floats_new0 (w->size);
}

SrlWeights *
srl_weights_new_copy (const SrlWeights *src)
{
  SrlWeights *w = srl_weights_new ();
  for (guint i = 0; i < src->entries->len; i++)
    {
      const Entry *e = &g_array_index (src->entries, Entry, i);
      srl_weights_declare (w, e->name, e->rows, e->cols);
    }
  srl_weights_allocate (w);
  if (src->data)
    memcpy (w->data, src->data, w->size * sizeof (float));
  return w;
}

gsize srl_weights_size (const SrlWeights *w) { return w->size; }
float *srl_weights_data (SrlWeights *w) { return w->data; }
float *srl_weights_grad (SrlWeights *w) { return w->grad; }
const float *srl_weights_data_const (const SrlWeights *w) { return w->data; }
guint srl_weights_n_entries (const SrlWeights *w) { return w->entries->len; }

const char *
srl_weights_entry (const SrlWeights *w, guint i, gsize *offset, gsize *rows, gsize *cols)
{
  g_return_val_if_fail (i < w->entries->len, NULL);
  const Entry *e = &g_array_index (w->entries, Entry, i);
  if (offset)
    *offset = e->offset;
  if (rows)
    *rows = e->rows;
  if (cols)
    *cols = e->cols;
  return e->name;
}

guint64
srl_weights_flops_per_row (const SrlWeights *w, guint64 *first)
{
  guint64 total = 0, head = 0;
  for (guint i = 0; i < w->entries->len; i++)
    {
      const Entry *e = &g_array_index (w->entries, Entry, i);
      if (!e->rows)
        continue;
      guint64 f = 2ull * e->rows * e->cols;
      if (!total)
        head = f;
      total += f;
    }
  if (first)
    *first = head;
  return total;
}

void
srl_weights_zero_grad (SrlWeights *w)
{
  memset (w->grad, 0, w->size * sizeof (float));
}

void
srl_weights_copy_data (SrlWeights *dst, const SrlWeights *src)
{
  g_return_if_fail (dst->size == src->size);
  memcpy (dst->data, src->data, src->size * sizeof (float));
}

SRL_VECTOR_CLONES static void
polyak (float *restrict t, const float *restrict s, gsize n, float keep, float tau)
{
  for (gsize i = 0; i < n; i++)
    t[i] = keep * t[i] + tau * s[i];
}

void
srl_weights_polyak (SrlWeights *target, const SrlWeights *src, float tau)
{
  g_return_if_fail (target->size == src->size);
  if (tau >= 1.0f)
    {
      srl_weights_copy_data (target, src);
      return;
    }
  polyak (target->data, src->data, src->size, 1.0f - tau, tau);
}

float
srl_weights_clip_grad_norm (SrlWeights *w, float max_norm)
{
  double sum = 0;
  for (gsize i = 0; i < w->size; i++)
    sum += (double) w->grad[i] * w->grad[i];
  float norm = (float) sqrt (sum);
  if (norm > max_norm && norm > 0)
    {
      float scale = max_norm / norm;
      for (gsize i = 0; i < w->size; i++)
        w->grad[i] *= scale;
    }
  return norm;
}

void
srl_weights_save (const SrlWeights *w, SrlStateWriter *writer, const char *prefix)
{
  for (guint i = 0; i < w->entries->len; i++)
    {
      const Entry *e = &g_array_index (w->entries, Entry, i);
      g_autofree char *name = g_strconcat (prefix, e->name, NULL);
      gsize shape[2] = { e->rows, e->cols };
      if (e->rows)
        srl_state_writer_put (writer, name, SRL_DTYPE_F32, w->data + e->offset, 2, shape);
      else
        srl_state_writer_put (writer, name, SRL_DTYPE_F32, w->data + e->offset, 1, &shape[1]);
    }
}

gboolean
srl_weights_load (SrlWeights *w, const SrlStateReader *reader, const char *prefix, GError **error)
{
  for (guint i = 0; i < w->entries->len; i++)
    {
      const Entry *e = &g_array_index (w->entries, Entry, i);
      g_autofree char *name = g_strconcat (prefix, e->name, NULL);
      guint n_dims;
      const gsize *shape = srl_state_reader_shape (reader, name, &n_dims);
      gboolean fits = shape && (e->rows ? (n_dims == 2 && shape[0] == e->rows && shape[1] == e->cols)
                                        : (n_dims == 1 && shape[0] == e->cols));
      if (!fits)
        {
          g_autofree char *want = e->rows ? g_strdup_printf ("[%zu, %zu]", e->rows, e->cols)
                                          : g_strdup_printf ("[%zu]", e->cols);
          g_autofree char *got = NULL;
          if (!shape)
            got = g_strdup ("nothing");
          else
            {
              GString *s = g_string_new ("[");
              for (guint d = 0; d < n_dims; d++)
                g_string_append_printf (s, d ? ", %zu" : "%zu", shape[d]);
              g_string_append_c (s, ']');
              got = g_string_free (s, FALSE);
            }
          g_set_error (error, SRL_ERROR, SRL_ERROR_MISMATCH,
                       "%s: tensor \"%s\": the network needs shape %s, the file has %s",
                       srl_state_reader_path (reader), name, want, got);
          return FALSE;
        }
      if (!srl_state_reader_get_f32 (reader, name, w->data + e->offset, (e->rows ? e->rows : 1) * e->cols, error))
        return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------- MLP */

typedef struct {
  guint n_in, n_out;
  gsize w_offset, b_offset;
  SrlNonlinearity nl;
  float *out;   /* [max_rows, n_out] workspace */
} Layer;

struct _SrlMlp {
  SrlWeights *weights;
  guint n_layers;
  Layer *layers;
  guint max_rows;
  guint max_width;
  const float *input;  /* of the last forward */
  float *delta_a, *delta_b;
  float *wt, *dwt;     /* transposed copies of weights for products (see layer_grads_task) */
  gboolean borrowed;   /* the workspace is another MLP's (srl_mlp_new_alias) */
};

/* OpenBLAS's sgemm runs at half speed or less when the dimension it
 * vectorises over is narrow (a layer reading the actions, the policy's
 * output layer), while the transposed product is fast; for such layers the
 * backward pass multiplies small transposed copies instead. */
#define NARROW 32

/* The weight gradient x^T dz is computed as (dz^T x)^T: many inputs, few
 * (but more than one) outputs. */
static gboolean
narrow_outputs (const Layer *L)
{
  return L->n_out > 1 && L->n_out <= NARROW && L->n_in > NARROW;
}

/* The input gradient dz W^T of the `cols` requested input columns is
 * computed from a transposed copy of those rows of W when either side is
 * narrow. */
static gboolean
narrow_input_grad (const Layer *L, guint cols)
{
  return L->n_out > 1 && (cols <= NARROW || L->n_out <= NARROW);
}

/* The most floats that a transposed copy of W's rows can need for layer L,
 * over every column range a caller may ask for: the narrow copy above, or
 * libxsmm's (srl_xsmm_input_grad). */
static gsize
input_grad_copy_floats (const Layer *L)
{
  if (L->n_out <= 1)
    return 0;
  if (L->n_out >= SRL_XSMM_INPUT_GRAD_MIN_WIDTH && L->n_in >= SRL_XSMM_INPUT_GRAD_MIN_WIDTH)
    return (gsize) L->n_in * L->n_out;
  return (gsize) (L->n_out <= NARROW ? L->n_in : MIN (L->n_in, NARROW)) * L->n_out;
}

static SrlMlp *
mlp_alloc_workspace (SrlMlp *m)
{
  m->max_width = srl_mlp_n_in (m);
  for (guint l = 0; l < m->n_layers; l++)
    {
      m->layers[l].out = floats_new0 ((gsize) m->max_rows * m->layers[l].n_out);
      m->max_width = MAX (m->max_width, m->layers[l].n_out);
    }
  m->delta_a = floats_new0 ((gsize) m->max_rows * m->max_width);
  m->delta_b = floats_new0 ((gsize) m->max_rows * m->max_width);
  gsize wt = 1, dwt = 1;
  for (guint l = 0; l < m->n_layers; l++)
    {
      const Layer *L = &m->layers[l];
      wt = MAX (wt, input_grad_copy_floats (L));
      if (narrow_outputs (L))
        dwt = MAX (dwt, (gsize) L->n_in * L->n_out);
    }
  m->wt = floats_new0 (wt);
  m->dwt = floats_new0 (dwt);
  return m;
}

SrlMlp *
srl_mlp_new (SrlWeights *weights, const char *prefix, guint n_in, const guint *hidden, guint n_hidden,
             guint n_out, SrlNonlinearity hidden_nl, SrlNonlinearity out_nl, guint max_rows)
{
  g_return_val_if_fail (weights && n_in > 0 && n_out > 0 && max_rows > 0, NULL);
  SrlMlp *m = g_new0 (SrlMlp, 1);
  m->weights = weights;
  m->n_layers = n_hidden + 1;
  m->layers = g_new0 (Layer, m->n_layers);
  m->max_rows = max_rows;
  guint in = n_in;
  for (guint l = 0; l < m->n_layers; l++)
    {
      Layer *L = &m->layers[l];
      L->n_in = in;
      L->n_out = l < n_hidden ? hidden[l] : n_out;
      L->nl = l < n_hidden ? hidden_nl : out_nl;
      g_autofree char *wname = g_strdup_printf ("%sl%u.weight", prefix, l);
      g_autofree char *bname = g_strdup_printf ("%sl%u.bias", prefix, l);
      L->w_offset = srl_weights_declare (weights, wname, L->n_in, L->n_out);
      L->b_offset = srl_weights_declare (weights, bname, 0, L->n_out);
      in = L->n_out;
    }
  return mlp_alloc_workspace (m);
}

SrlMlp *
srl_mlp_new_sibling (const SrlMlp *layout, SrlWeights *weights, guint max_rows)
{
  g_return_val_if_fail (srl_weights_size (weights) == srl_weights_size (layout->weights), NULL);
  SrlMlp *m = g_new0 (SrlMlp, 1);
  m->weights = weights;
  m->n_layers = layout->n_layers;
  m->layers = g_new0 (Layer, m->n_layers);
  m->max_rows = max_rows;
  for (guint l = 0; l < m->n_layers; l++)
    {
      m->layers[l] = layout->layers[l];
      m->layers[l].out = NULL;
    }
  return mlp_alloc_workspace (m);
}

SrlMlp *
srl_mlp_new_alias (SrlMlp *layout, SrlWeights *weights)
{
  g_return_val_if_fail (srl_weights_size (weights) == srl_weights_size (layout->weights), NULL);
  SrlMlp *m = g_memdup2 (layout, sizeof *layout);
  m->weights = weights;
  m->layers = g_memdup2 (layout->layers, layout->n_layers * sizeof (Layer));
  m->input = NULL;
  m->borrowed = TRUE;
  return m;
}

void
srl_mlp_free (SrlMlp *m)
{
  if (!m)
    return;
  if (!m->borrowed)
    {
      for (guint l = 0; l < m->n_layers; l++)
        g_aligned_free (m->layers[l].out);
      g_aligned_free (m->delta_a);
      g_aligned_free (m->delta_b);
      g_aligned_free (m->wt);
      g_aligned_free (m->dwt);
    }
  g_free (m->layers);
  g_free (m);
}

guint srl_mlp_n_in (const SrlMlp *m) { return m->layers[0].n_in; }
guint srl_mlp_n_out (const SrlMlp *m) { return m->layers[m->n_layers - 1].n_out; }
guint srl_mlp_max_rows (const SrlMlp *m) { return m->max_rows; }

guint64
srl_mlp_flops_per_row (const SrlMlp *m)
{
  guint64 f = 0;
  for (guint l = 0; l < m->n_layers; l++)
    f += 2ull * m->layers[l].n_in * m->layers[l].n_out;
  return f;
}

void
srl_mlp_init (SrlMlp *m, SrlRng *rng, SrlInit init)
{
  float *data = srl_weights_data (m->weights);
  g_return_if_fail (data != NULL);
  for (guint l = 0; l < m->n_layers; l++)
    {
      Layer *L = &m->layers[l];
      double limit = init == SRL_INIT_HE_UNIFORM ? sqrt (6.0 / L->n_in) : sqrt (6.0 / (L->n_in + L->n_out));
      srl_rng_fill_uniform (rng, data + L->w_offset, (gsize) L->n_in * L->n_out, -limit, limit);
      memset (data + L->b_offset, 0, L->n_out * sizeof (float));
    }
}

const float *
srl_mlp_forward (SrlMlp *m, guint n, const float *x)
{
  g_return_val_if_fail (n <= m->max_rows, NULL);
  const float *data = srl_weights_data (m->weights);
  m->input = x;
  const float *in = x;
  for (guint l = 0; l < m->n_layers; l++)
    {
      Layer *L = &m->layers[l];
      float *y = L->out;
      /* Layers with few inputs in one pass from registers (nn-narrow.c),
       * which brings the next layer's weights into the cache meanwhile; the
       * others by sgemm with beta = 0 rather than rows seeded with the bias:
       * OpenBLAS clears C as cheaply as a seed would fill it, and the bias
       * then rides along with the activation's pass. */
      const Layer *next = l + 1 < m->n_layers ? &m->layers[l + 1] : NULL;
      if (srl_narrow_forward (in, n, L->n_in, data + L->w_offset, data + L->b_offset, L->n_out, y, L->nl,
                              next ? data + next->w_offset : NULL,
                              next ? (gsize) next->n_in * next->n_out * sizeof (float) : 0))
        {
          in = y;
          continue;
        }
      if (!srl_xsmm_forward (in, n, L->n_in, data + L->w_offset, L->n_out, y))
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, L->n_out, L->n_in, 1.0f, in, L->n_in,
                     data + L->w_offset, L->n_out, 0.0f, y, L->n_out);
      bias_activate (y, data + L->b_offset, n, L->n_out, L->nl);
      in = y;
    }
  return m->layers[m->n_layers - 1].out;
}

/* One layer's two products of the backward pass: the weight gradient
 * dW += x^T dz and the input gradient dx ← dz W^T (columns [first, first +
 * cols) of it); independent, so they may run at the same time. */
typedef struct {
  const Layer *L;
  guint n, first, cols;
  const float *x, *dz, *w;
  float *dw, *dx;
  const Layer *below; /* the ReLU layer below, for the fused outer product */
  float *below_db;
  float *wt, *dwt;    /* the MLP's transposition workspaces */
} LayerGrads;

static void
layer_grads_task (gpointer data, guint index)
{
  const LayerGrads *g = data;
  const Layer *L = g->L;
  if (index == 0 && g->dw && narrow_outputs (L))
    {
      /* dW^T = dz^T x, then added transposed. */
      cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, L->n_out, L->n_in, g->n, 1.0f, g->dz, L->n_out, g->x,
                   L->n_in, 0.0f, g->dwt, L->n_in);
      add_transposed (g->dw, g->dwt, L->n_out, L->n_in);
    }
  else if (index == 0 && g->dw)
    {
      /* A layer with few inputs sums its weight gradient in registers
       * (nn-narrow.c) where that is faster. */
      if (!srl_narrow_weight_grad (g->x, g->n, L->n_in, g->dz, L->n_out, g->dw)
          && !srl_xsmm_weight_grad (g->x, g->n, L->n_in, g->dz, L->n_out, g->dw))
        cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, L->n_in, L->n_out, g->n, 1.0f, g->x, L->n_in, g->dz,
                     L->n_out, 1.0f, g->dw, L->n_out);
    }
  else if (index == 1 && g->dx)
    {
      const float *w = g->w + (gsize) g->first * L->n_out;
      if (L->n_out == 1)
        /* An outer product; into a ReLU layer, its derivative and bias
         * gradient come in the same pass. */
        outer_backward (g->dx, g->dz, w, g->below ? g->below->out : NULL, g->n, g->cols, g->below_db);
      else if (narrow_input_grad (L, g->cols))
        {
          /* dx = dz (W rows [first, first + cols))^T through a transposed
           * copy of those rows: a plain product. */
          transpose_into (g->wt, w, g->cols, L->n_out);
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, g->n, g->cols, L->n_out, 1.0f, g->dz, L->n_out,
                       g->wt, g->cols, 0.0f, g->dx, g->cols);
        }
      else if (!srl_xsmm_input_grad (g->dz, g->n, L->n_out, w, g->cols, g->wt, g->dx))
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, g->n, g->cols, L->n_out, 1.0f, g->dz, L->n_out, w,
                     L->n_out, 0.0f, g->dx, g->cols);
    }
}

/* Layers whose two products are worth a task each (multiply-adds). */
#define PARALLEL_LAYER_WORK (1u << 21)

void
srl_mlp_backward_input_cols (SrlMlp *m, guint n, const float *dy, float *dx, guint first, guint n_cols,
                             gboolean param_grads)
{
  g_return_if_fail (n <= m->max_rows && m->input != NULL);
  g_return_if_fail (first + n_cols <= srl_mlp_n_in (m));
  const float *data = srl_weights_data (m->weights);
  float *grad = srl_weights_grad (m->weights);
  const Layer *last = &m->layers[m->n_layers - 1];
  /* dz: dL/d(layer output) on entry to each layer, dL/d(pre-activation) once
   * `ready` (the activation's derivative applied, the bias gradient added). */
  const float *dz = dy;
  gboolean ready = FALSE;
  if (last->nl != SRL_NL_LINEAR)
    {
      memcpy (m->delta_a, dy, (gsize) n * last->n_out * sizeof (float));
      dz = m->delta_a;
    }
  for (int l = (int) m->n_layers - 1; l >= 0; l--)
    {
      const Layer *L = &m->layers[l];
      float *db = param_grads ? grad + L->b_offset : NULL;
      if (!ready)
        {
          if (L->nl == SRL_NL_RELU)
            relu_backward ((float *) dz, L->out, n, L->n_out, db);
          else
            {
              if (L->nl == SRL_NL_TANH)
                tanh_backward ((float *) dz, L->out, (gsize) n * L->n_out);
              if (db)
                bias_grad (dz, n, L->n_out, db);
            }
        }
      LayerGrads g = { L, n, 0, L->n_in, l > 0 ? m->layers[l - 1].out : m->input, dz, data + L->w_offset,
                       param_grads ? grad + L->w_offset : NULL, NULL, NULL, NULL, m->wt, m->dwt };
      if (l > 0)
        g.dx = dz == m->delta_a ? m->delta_b : m->delta_a;
      else if (dx && n_cols)
        {
          g.dx = dx;
          g.first = first;
          g.cols = n_cols;
        }
      ready = L->n_out == 1 && l > 0 && m->layers[l - 1].nl == SRL_NL_RELU;
      if (ready)
        {
          g.below = &m->layers[l - 1];
          g.below_db = param_grads ? grad + g.below->b_offset : NULL;
        }
      if (g.dw && g.dx && (guint64) n * L->n_in * L->n_out >= PARALLEL_LAYER_WORK)
        srl_parallel_run (2, layer_grads_task, &g);
      else
        {
          layer_grads_task (&g, 0);
          layer_grads_task (&g, 1);
        }
      if (!g.dx)
        break;
      dz = g.dx;
    }
}

void
srl_mlp_backward (SrlMlp *m, guint n, const float *dy, float *dx, gboolean param_grads)
{
  srl_mlp_backward_input_cols (m, n, dy, dx, 0, dx ? srl_mlp_n_in (m) : 0, param_grads);
}

/* ------------------------------------------------------------- Adam */

struct _SrlAdam {
  SrlWeights *weights;
  float *m, *v;
  double lr, beta1, beta2, eps;
  guint64 t;
};

SrlAdam *
srl_adam_new (SrlWeights *weights, double lr, double beta1, double beta2, double eps)
{
  g_return_val_if_fail (srl_weights_data (weights) != NULL, NULL);
  SrlAdam *a = g_new0 (SrlAdam, 1);
  a->weights = weights;
  a->m = floats_new0 (srl_weights_size (weights));
  a->v = floats_new0 (srl_weights_size (weights));
  a->lr = lr;
  a->beta1 = beta1;
  a->beta2 = beta2;
  a->eps = eps;
  return a;
}

void
srl_adam_free (SrlAdam *a)
{
  if (!a)
    return;
  g_aligned_free (a->m);
  g_aligned_free (a->v);
  g_free (a);
}

void
srl_adam_set_learning_rate (SrlAdam *a, double lr)
{
  a->lr = lr;
}

guint64
srl_adam_steps (const SrlAdam *a)
{
  return a->t;
}

/* One Adam step of an optimiser's floats [start, end), optionally clearing
 * the gradient and moving a target copy, in one pass. */
typedef struct {
  float *p, *g, *m, *v, *target;
  float b1, b2, c1, c2, lr, eps, keep, tau;
  gboolean clear;
  gsize end_, chunk; /* floats, and floats per task */
} AdamPass;

/* Kingma & Ba, Algorithm 1, with the bias corrections folded into c1, c2;
 * then g ← 0 and target ← keep·target + tau·p when asked. */
SRL_VECTOR_CLONES static void
adam (const AdamPass *a, gsize start, gsize end)
{
  float *restrict p = a->p, *restrict g = a->g, *restrict m = a->m, *restrict v = a->v, *restrict t = a->target;
  const float b1 = a->b1, b2 = a->b2, c1 = a->c1, c2 = a->c2, lr = a->lr, eps = a->eps;
  if (!a->clear && !t)
    for (gsize i = start; i < end; i++)
      {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        p[i] -= lr * (m[i] * c1) / (sqrtf (v[i] * c2) + eps);
      }
  else if (!t)
    for (gsize i = start; i < end; i++)
      {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        p[i] -= lr * (m[i] * c1) / (sqrtf (v[i] * c2) + eps);
        g[i] = 0.0f;
      }
  else
    {
      const float keep = a->keep, tau = a->tau;
      for (gsize i = start; i < end; i++)
        {
          m[i] = b1 * m[i] + (1.0f - b1) * g[i];
          v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
          p[i] -= lr * (m[i] * c1) / (sqrtf (v[i] * c2) + eps);
          g[i] = 0.0f;
          t[i] = keep * t[i] + tau * p[i];
        }
    }
}

/* Fewest floats worth a task of their own.  The pass is elementwise, so
 * however it is cut the results are the same. */
#define ADAM_MIN_CHUNK 16384

static void
adam_task (gpointer data, guint index)
{
  const AdamPass *a = data;
  gsize start = (gsize) index * a->chunk;
  adam (a, start, MIN (a->end_, start + a->chunk));
}

static void
adam_run (SrlAdam *a, gboolean clear, SrlWeights *target, float tau)
{
  a->t++;
  AdamPass pass = {
    srl_weights_data (a->weights), srl_weights_grad (a->weights), a->m, a->v, NULL,
    (float) a->beta1, (float) a->beta2,
    (float) (1.0 / (1.0 - pow (a->beta1, (double) a->t))), (float) (1.0 / (1.0 - pow (a->beta2, (double) a->t))),
    (float) a->lr, (float) a->eps, 1.0f - tau, tau, clear || target, srl_weights_size (a->weights), 0
  };
  if (target)
    {
      g_return_if_fail (srl_weights_size (target) == srl_weights_size (a->weights));
      if (tau >= 1.0f)
        pass.keep = 0.0f; /* unused: a hard copy follows */
      else
        pass.target = srl_weights_data (target);
    }
  gsize n = pass.end_;
  guint tasks = (guint) CLAMP (n / ADAM_MIN_CHUNK, 1, srl_parallel_get_threads ());
  pass.chunk = (n + tasks - 1) / tasks;
  srl_parallel_run (tasks, adam_task, &pass);
  if (target && tau >= 1.0f)
    srl_weights_copy_data (target, a->weights);
}

void
srl_adam_step (SrlAdam *a)
{
  adam_run (a, FALSE, NULL, 0.0f);
}

void
srl_adam_step_and_clear (SrlAdam *a, SrlWeights *target, float tau)
{
  adam_run (a, TRUE, target, tau);
}

void
srl_adam_save (const SrlAdam *a, SrlStateWriter *writer, const char *prefix)
{
  gsize n = srl_weights_size (a->weights);
  g_autofree char *mn = g_strconcat (prefix, "m", NULL);
  g_autofree char *vn = g_strconcat (prefix, "v", NULL);
  g_autofree char *tn = g_strconcat (prefix, "t", NULL);
  srl_state_writer_put_f32 (writer, mn, a->m, n);
  srl_state_writer_put_f32 (writer, vn, a->v, n);
  srl_state_writer_put_i64_value (writer, tn, (gint64) a->t);
}

gboolean
srl_adam_load (SrlAdam *a, const SrlStateReader *reader, const char *prefix, GError **error)
{
  gsize n = srl_weights_size (a->weights);
  g_autofree char *mn = g_strconcat (prefix, "m", NULL);
  g_autofree char *vn = g_strconcat (prefix, "v", NULL);
  g_autofree char *tn = g_strconcat (prefix, "t", NULL);
  gint64 t;
  if (!srl_state_reader_get_f32 (reader, mn, a->m, n, error) || !srl_state_reader_get_f32 (reader, vn, a->v, n, error)
      || !srl_state_reader_get_count (reader, tn, 0, SRL_STATE_MAX_COUNT, &t, error))
    return FALSE;
  /* The second moment is a mean of squares; a negative one would be a NaN
   * under the square root of the next step. */
  for (gsize i = 0; i < n; i++)
    if (a->v[i] < 0)
      {
        g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT,
                     "%s: tensor \"%s\" element %" G_GSIZE_FORMAT " is %g: Adam's second moment is never negative",
                     srl_state_reader_path (reader), vn, i, a->v[i]);
        return FALSE;
      }
  a->t = (guint64) t;
  return TRUE;
}

/* ---- Q-functions' state, rows ---- */

void
srl_q_functions_save (SrlWeights *const *weights, SrlWeights *const *targets, SrlAdam *const *adams, guint n,
                      SrlStateWriter *w)
{
  for (guint k = 0; k < n; k++)
    {
      char prefix[32];
      g_snprintf (prefix, sizeof prefix, "q%u.", k);
      srl_weights_save (weights[k], w, prefix);
      g_snprintf (prefix, sizeof prefix, "q%u_target.", k);
      srl_weights_save (targets[k], w, prefix);
      g_snprintf (prefix, sizeof prefix, "q%u_adam.", k);
      srl_adam_save (adams[k], w, prefix);
    }
}

gboolean
srl_q_functions_load (SrlWeights *const *weights, SrlWeights *const *targets, SrlAdam *const *adams, guint n,
                      const SrlStateReader *r, GError **error)
{
  for (guint k = 0; k < n; k++)
    {
      char prefix[32];
      g_snprintf (prefix, sizeof prefix, "q%u.", k);
      if (!srl_weights_load (weights[k], r, prefix, error))
        return FALSE;
      g_snprintf (prefix, sizeof prefix, "q%u_target.", k);
      if (!srl_weights_load (targets[k], r, prefix, error))
        return FALSE;
      g_snprintf (prefix, sizeof prefix, "q%u_adam.", k);
      if (!srl_adam_load (adams[k], r, prefix, error))
        return FALSE;
    }
  return TRUE;
}

void
srl_concat_rows (float *out, const float *a, guint a_dim, const float *b, guint b_dim, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      memcpy (out + (gsize) i * (a_dim + b_dim), a + (gsize) i * a_dim, a_dim * sizeof (float));
      memcpy (out + (gsize) i * (a_dim + b_dim) + a_dim, b + (gsize) i * b_dim, b_dim * sizeof (float));
    }
}

float
srl_log_normal (const float *x, guint n)
{
  const float half_log_2pi = 0.91893853320467274178f;
  float lp = 0.0f;
  for (guint j = 0; j < n; j++)
    lp += -0.5f * x[j] * x[j] - half_log_2pi;
  return lp;
}

/* The network core: gradients against finite differences, Adam and Polyak
 * against hand-computed values, saved state round trips and refusals. */
#include <math.h>

#include "testutil.h"

/* L = Σ c ⊙ MLP(x): dL/dy = c. */
static double
mlp_loss (SrlMlp *mlp, guint n, const float *x, const float *c)
{
  const float *y = srl_mlp_forward (mlp, n, x);
  double loss = 0;
  for (guint i = 0; i < n * srl_mlp_n_out (mlp); i++)
    loss += (double) c[i] * y[i];
  return loss;
}

/* Central difference of f at *p with step h, or NAN when f has a kink within
 * h of *p (the one-sided differences disagree), where no derivative exists
 * to compare against. */
typedef double (*LossFn) (gpointer data);

static double
numeric_derivative (float *p, float h, LossFn f, gpointer data)
{
  float saved = *p;
  double f0 = f (data);
  *p = saved + h;
  double fp = f (data);
  *p = saved - h;
  double fm = f (data);
  *p = saved;
  double right = (fp - f0) / h, left = (f0 - fm) / h;
  if (fabs (right - left) > 0.05 * (fabs (right) + fabs (left)) + 1e-3)
    return NAN;
  return (fp - fm) / (2.0 * h);
}

typedef struct {
  SrlMlp *mlp;
  guint n;
  float *x, *c;
} MlpCase;

static double
mlp_case_loss (gpointer data)
{
  MlpCase *m = data;
  return mlp_loss (m->mlp, m->n, m->x, m->c);
}

/* Relative agreement scaled by the gradient's size, so tiny components do
 * not dominate. */
static void
assert_close (double analytic, double numeric, double scale, const char *what, guint i)
{
  double tol = 2e-2 * MAX (scale, fabs (numeric)) + 1e-4;
  if (fabs (analytic - numeric) > tol)
    g_error ("%s[%u]: analytic %g, finite difference %g (tolerance %g)", what, i, analytic, numeric, tol);
}

/* Hidden sizes 16, 12 take the backward pass's paths for narrow layers
 * (transposed copies), 48, 40 its plain sgemm paths and, in the output
 * layer, the transposed weight gradient. */
static void
check_mlp_gradients (SrlNonlinearity nl, guint hidden0, guint hidden1)
{
  SrlRng rng;
  srl_rng_init (&rng, 11);
  const guint n = 7, n_in = 5, hidden[2] = { hidden0, hidden1 }, n_out = 3;
  g_autoptr (SrlWeights) w = srl_weights_new ();
  g_autoptr (SrlMlp) mlp = srl_mlp_new (w, "t.", n_in, hidden, 2, n_out, nl, SRL_NL_TANH, n);
  srl_weights_allocate (w);
  srl_mlp_init (mlp, &rng, SRL_INIT_GLOROT_UNIFORM);
  /* Non-zero biases so every unit's input moves. */
  for (guint e = 0; e < srl_weights_n_entries (w); e++)
    {
      gsize off, rows, cols;
      srl_weights_entry (w, e, &off, &rows, &cols);
      if (rows == 0)
        srl_rng_fill_uniform (&rng, srl_weights_data (w) + off, cols, -0.3f, 0.3f);
    }
  g_autofree float *x = g_new (float, n * n_in);
  g_autofree float *c = g_new (float, n * n_out);
  g_autofree float *dx = g_new (float, n * n_in);
  srl_rng_fill_normal (&rng, x, n * n_in);
  srl_rng_fill_normal (&rng, c, n * n_out);

  srl_weights_zero_grad (w);
  mlp_loss (mlp, n, x, c);
  srl_mlp_backward (mlp, n, c, dx, TRUE);
  g_autofree float *grad = g_memdup2 (srl_weights_grad (w), srl_weights_size (w) * sizeof (float));

  MlpCase mc = { mlp, n, x, c };
  double scale = 0;
  for (gsize i = 0; i < srl_weights_size (w); i++)
    scale = MAX (scale, fabs (grad[i]));
  guint checked = 0;
  for (gsize i = 0; i < srl_weights_size (w); i++)
    {
      double num = numeric_derivative (srl_weights_data (w) + i, 1e-3f, mlp_case_loss, &mc);
      if (isnan (num))
        continue;
      assert_close (grad[i], num, scale * 0.05, "dL/dw", i);
      checked++;
    }
  g_assert_cmpuint (checked, >, srl_weights_size (w) * 9 / 10);
  for (guint i = 0; i < n * n_in; i++)
    {
      double num = numeric_derivative (x + i, 1e-3f, mlp_case_loss, &mc);
      if (!isnan (num))
        assert_close (dx[i], num, 0.05, "dL/dx", i);
    }
  /* Gradients accumulate: a second backward doubles them. */
  mlp_loss (mlp, n, x, c);
  srl_mlp_backward (mlp, n, c, NULL, TRUE);
  for (gsize i = 0; i < srl_weights_size (w); i++)
    g_assert_cmpfloat_with_epsilon (srl_weights_grad (w)[i], 2 * grad[i], 1e-5 + 1e-5 * fabs (grad[i]));
}

static void
test_mlp_gradients_relu (void)
{
  check_mlp_gradients (SRL_NL_RELU, 48, 40);
  check_mlp_gradients (SRL_NL_RELU, 16, 12);
}

static void
test_mlp_gradients_tanh (void)
{
  check_mlp_gradients (SRL_NL_TANH, 16, 12);
  check_mlp_gradients (SRL_NL_TANH, 48, 40);
}

/* srl_mlp_backward_input_cols() against the full input gradient, for
 * column ranges narrow and wide, inputs narrow and wide (a Q-function of
 * Ant reads 35 inputs and its policy gradient asks for the last 8), and
 * one or several outputs.  Run under valgrind, it also checks the
 * transposition workspaces' sizes. */
static void
test_mlp_input_columns (void)
{
  const struct {
    guint n_in, hidden, n_out, first, cols;
  } cases[] = {
    { 35, 48, 1, 27, 8 }, { 35, 48, 3, 27, 8 }, { 40, 48, 1, 0, 40 }, { 23, 48, 1, 17, 6 },
    { 70, 40, 2, 3, 40 }, { 70, 40, 2, 30, 33 }, { 5, 16, 3, 1, 3 },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      const guint n = 9, n_in = cases[c].n_in, n_out = cases[c].n_out, first = cases[c].first, cols = cases[c].cols;
      const guint hidden[2] = { cases[c].hidden, cases[c].hidden };
      SrlRng rng;
      srl_rng_init (&rng, 5 + c);
      g_autoptr (SrlWeights) w = srl_weights_new ();
      g_autoptr (SrlMlp) mlp = srl_mlp_new (w, "", n_in, hidden, 2, n_out, SRL_NL_RELU, SRL_NL_LINEAR, n);
      srl_weights_allocate (w);
      srl_mlp_init (mlp, &rng, SRL_INIT_GLOROT_UNIFORM);
      g_autofree float *x = g_new (float, n * n_in), *dy = g_new (float, n * n_out);
      g_autofree float *full = g_new (float, n * n_in), *part = g_new (float, n * cols);
      srl_rng_fill_normal (&rng, x, n * n_in);
      srl_rng_fill_normal (&rng, dy, n * n_out);
      srl_mlp_forward (mlp, n, x);
      srl_mlp_backward (mlp, n, dy, full, FALSE);
      srl_mlp_backward_input_cols (mlp, n, dy, part, first, cols, FALSE);
      for (guint r = 0; r < n; r++)
        for (guint j = 0; j < cols; j++)
          {
            float want = full[r * n_in + first + j], got = part[r * cols + j];
            if (fabsf (got - want) > 1e-5f * (1 + fabsf (want)))
              g_error ("case %u, row %u, column %u: %g, full gradient %g", c, r, first + j, got, want);
          }
    }
}

/* The vectorised exp and tanh squash against double-precision libm, over
 * the range samplers meet, including |u| where 1 − tanh² u is 0 in float. */
/* GUARD floats past an output, which a kernel must leave alone. */
#define GUARD 64
#define GUARD_VALUE 12345.0f

static void
guard_set (float *past_end)
{
  for (guint i = 0; i < GUARD; i++)
    past_end[i] = GUARD_VALUE;
}

static void
guard_check (const float *past_end)
{
  for (guint i = 0; i < GUARD; i++)
    g_assert_cmpfloat (past_end[i], ==, GUARD_VALUE);
}

/* n floats drawn uniformly from [−1, 1) (free with g_free). */
static float *
uniform_floats (SrlRng *rng, gsize n)
{
  float *p = g_new (float, n);
  srl_rng_fill_uniform (rng, p, n, -1, 1);
  return p;
}

/* y = nl (x w + b) (b may be NULL; ReLU or linear) against double-precision
 * sums, to a tolerance relative to the sum of the terms' magnitudes. */
static void
assert_forward (const char *what, const float *x, const float *w, const float *b, const float *y, guint n,
                guint n_in, guint n_out, gboolean relu)
{
  for (guint r = 0; r < n; r++)
    for (guint c = 0; c < n_out; c++)
      {
        double want = b ? b[c] : 0, mag = b ? fabs (b[c]) : 0;
        for (guint k = 0; k < n_in; k++)
          {
            double t = (double) x[(gsize) r * n_in + k] * w[(gsize) k * n_out + c];
            want += t;
            mag += fabs (t);
          }
        if (relu)
          want = MAX (want, 0.0);
        double got = y[(gsize) r * n_out + c];
        if (fabs (got - want) > 1e-6 * mag + 1e-30)
          g_error ("%s forward %u×%u→%u, row %u column %u: %.9g, want %.9g", what, n, n_in, n_out, r, c, got, want);
      }
}

/* dw = dw0 + x^T dz against double-precision sums, as above. */
static void
assert_weight_grad (const char *what, const float *x, const float *dz, const float *dw0, const float *dw, guint n,
                    guint n_in, guint n_out)
{
  for (guint k = 0; k < n_in; k++)
    for (guint c = 0; c < n_out; c++)
      {
        double want = dw0[(gsize) k * n_out + c], mag = fabs (want);
        for (guint r = 0; r < n; r++)
          {
            double t = (double) x[(gsize) r * n_in + k] * dz[(gsize) r * n_out + c];
            want += t;
            mag += fabs (t);
          }
        double got = dw[(gsize) k * n_out + c];
        if (fabs (got - want) > 1e-6 * mag)
          g_error ("%s weight gradient %u×%u→%u, input %u column %u: %.9g, want %.9g", what, n, n_in, n_out, k, c,
                   got, want);
      }
}

/* The narrow-input forward kernel against a double-precision sum, on
 * shapes that exercise its row and column remainders, and without writing
 * past the rows and columns it was given. */
static void
test_narrow_forward (void)
{
  static const struct { guint n, n_in, n_out; SrlNonlinearity nl; } shapes[] = {
    { 256, 23, 256, SRL_NL_RELU }, { 7, 17, 200, SRL_NL_RELU }, { 5, 15, 6, SRL_NL_LINEAR },
    { 3, 1, 3, SRL_NL_RELU }, { 9, 32, 130, SRL_NL_LINEAR }, { 130, 6, 16, SRL_NL_RELU },
  };
  SrlRng rng;
  srl_rng_init (&rng, 11);
  guint done = 0;
  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const guint n = shapes[s].n, n_in = shapes[s].n_in, n_out = shapes[s].n_out;
      g_autofree float *x = uniform_floats (&rng, (gsize) n * n_in);
      g_autofree float *w = uniform_floats (&rng, (gsize) n_in * n_out);
      g_autofree float *b = uniform_floats (&rng, n_out);
      g_autofree float *y = g_new (float, (gsize) n * n_out + GUARD);
      guard_set (y + (gsize) n * n_out);
      if (!srl_narrow_forward (x, n, n_in, w, b, n_out, y, shapes[s].nl, w, (gsize) n_in * n_out * sizeof (float)))
        continue;
      done++;
      assert_forward ("narrow", x, w, b, y, n, n_in, n_out, shapes[s].nl == SRL_NL_RELU);
      guard_check (y + (gsize) n * n_out);
    }
  if (!done)
    g_test_skip ("no AVX-512 here: the networks use cblas_sgemm for every layer");
}

/* The narrow-input weight gradient: dw += x^T dz against a double sum, onto
 * the values already there, and nothing written past dw. */
static void
test_narrow_weight_grad (void)
{
  static const struct { guint n, n_in, n_out; } shapes[] = {
    { 256, 23, 256 }, { 256, 17, 130 }, { 300, 5, 200 }, { 257, 1, 128 },
  };
  SrlRng rng;
  srl_rng_init (&rng, 12);
  guint done = 0;
  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const guint n = shapes[s].n, n_in = shapes[s].n_in, n_out = shapes[s].n_out;
      g_autofree float *x = uniform_floats (&rng, (gsize) n * n_in);
      g_autofree float *dz = uniform_floats (&rng, (gsize) n * n_out);
      g_autofree float *dw0 = uniform_floats (&rng, (gsize) n_in * n_out);
      g_autofree float *dw = g_new (float, (gsize) n_in * n_out + GUARD);
      memcpy (dw, dw0, (gsize) n_in * n_out * sizeof (float));
      guard_set (dw + (gsize) n_in * n_out);
      if (!srl_narrow_weight_grad (x, n, n_in, dz, n_out, dw))
        continue;
      done++;
      assert_weight_grad ("narrow", x, dz, dw0, dw, n, n_in, n_out);
      guard_check (dw + (gsize) n_in * n_out);
    }
  if (!done)
    g_test_skip ("no AVX-512 here: the networks use cblas_sgemm for every layer");
}

/* dx [n, cols] = dz [n, n_out] (rows [first, first + cols) of w [n_in, n_out])^T
 * against double sums. */
static void
assert_input_grad (const char *what, const float *dz, const float *w, const float *dx, guint n, guint n_out,
                   guint first, guint cols)
{
  for (guint r = 0; r < n; r++)
    for (guint c = 0; c < cols; c++)
      {
        double want = 0, mag = 0;
        for (guint o = 0; o < n_out; o++)
          {
            double t = (double) dz[(gsize) r * n_out + o] * w[(gsize) (first + c) * n_out + o];
            want += t;
            mag += fabs (t);
          }
        double got = dx[(gsize) r * cols + c];
        if (fabs (got - want) > 1e-6 * mag)
          g_error ("%s input gradient %u rows, %u outputs, inputs [%u, %u), row %u input %u: %.9g, want %.9g", what,
                   n, n_out, first, first + cols, r, first + c, got, want);
      }
}

/* The wide layers' products through libxsmm (nn-xsmm.c): y = x w,
 * dw += x^T dz and dx = dz w^T against double sums, on square, rectangular
 * and odd shapes, nothing written past the output; narrower shapes are left
 * to OpenBLAS. */
static void
test_xsmm_products (void)
{
  static const struct { guint n, n_in, n_out; } shapes[] = {
    { 256, 256, 256 }, { 40, 128, 200 }, { 33, 97, 130 }, { 128, 200, 96 }, { 100, 64, 64 },
  };
  SrlRng rng;
  srl_rng_init (&rng, 13);
  guint done = 0;
  const gboolean active = strcmp (srl_nn_products_description (), "OpenBLAS") != 0;
  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      const guint n = shapes[s].n, n_in = shapes[s].n_in, n_out = shapes[s].n_out;
      g_autofree float *x = uniform_floats (&rng, (gsize) n * n_in);
      g_autofree float *w = uniform_floats (&rng, (gsize) n_in * n_out);
      g_autofree float *dz = uniform_floats (&rng, (gsize) n * n_out);
      g_autofree float *dw0 = uniform_floats (&rng, (gsize) n_in * n_out);
      g_autofree float *y = g_new (float, (gsize) n * n_out + GUARD);
      g_autofree float *dw = g_new (float, (gsize) n_in * n_out + GUARD);
      memcpy (dw, dw0, (gsize) n_in * n_out * sizeof (float));
      guard_set (y + (gsize) n * n_out);
      guard_set (dw + (gsize) n_in * n_out);
      gboolean forward = srl_xsmm_forward (x, n, n_in, w, n_out, y);
      gboolean grad = srl_xsmm_weight_grad (x, n, n_in, dz, n_out, dw);
      g_assert_cmpint (forward, ==, grad);
      if (!active)
        continue;
      done++;
      /* libxsmm takes the forward product and weight gradient from 96 wide,
       * the input gradient from 64. */
      g_assert_cmpint (forward, ==, n_in >= SRL_XSMM_MIN_WIDTH && n_out >= SRL_XSMM_MIN_WIDTH);
      if (forward)
        {
          assert_forward ("libxsmm", x, w, NULL, y, n, n_in, n_out, FALSE);
          assert_weight_grad ("libxsmm", x, dz, dw0, dw, n, n_in, n_out);
          guard_check (y + (gsize) n * n_out);
          guard_check (dw + (gsize) n_in * n_out);
        }
      /* The input gradient, of every input and of a range of them (the
       * actions' columns of a Q-function's first layer). */
      const guint ranges[][2] = { { 0, n_in }, { n_in - SRL_XSMM_INPUT_GRAD_MIN_WIDTH, SRL_XSMM_INPUT_GRAD_MIN_WIDTH } };
      for (guint k = 0; k < G_N_ELEMENTS (ranges); k++)
        {
          const guint first = ranges[k][0], cols = ranges[k][1];
          g_autofree float *wt = g_new (float, (gsize) cols * n_out + GUARD);
          g_autofree float *dx = g_new (float, (gsize) n * cols + GUARD);
          guard_set (wt + (gsize) cols * n_out);
          guard_set (dx + (gsize) n * cols);
          g_assert_true (srl_xsmm_input_grad (dz, n, n_out, w + (gsize) first * n_out, cols, wt, dx));
          assert_input_grad ("libxsmm", dz, w, dx, n, n_out, first, cols);
          guard_check (wt + (gsize) cols * n_out);
          guard_check (dx + (gsize) n * cols);
        }
    }
  /* Below the width libxsmm takes, nothing is done. */
  float one = 1;
  g_assert_false (srl_xsmm_forward (&one, 64, SRL_XSMM_MIN_WIDTH - 1, &one, 256, &one));
  g_assert_false (srl_xsmm_input_grad (&one, 64, SRL_XSMM_INPUT_GRAD_MIN_WIDTH - 1, &one, 256, &one, &one));
  if (!done)
    g_test_skip ("softrl was built without libxsmm (or SOFTRL_XSMM=off): every product runs on OpenBLAS");
}

/* Tasks run with their caller's floating-point control, on whichever thread:
 * a subnormal input reads as zero in every task while the caller flushes,
 * and as itself once it stops. */
typedef struct {
  volatile float tiny, two;
  float seen[64];
} FpTasks;

static void
fp_task (gpointer data, guint index)
{
  FpTasks *t = data;
  for (volatile int spin = 0; spin < 20000; spin++) /* long enough to be shared out */
    ;
  t->seen[index] = t->tiny * t->two;
}

static void
test_parallel_fp_control (void)
{
  FpTasks t = { .tiny = 1e-40f, .two = 2.0f };
  guint threads = srl_parallel_get_threads ();
  srl_parallel_set_threads (2);
  for (int flush = 1; flush >= 0; flush--)
    {
      if (!srl_flush_subnormals (flush))
        {
          g_test_skip ("no flush-to-zero mode on this CPU");
          break;
        }
      float want = t.tiny * t.two; /* here, on the caller's thread */
      g_assert_cmpfloat (want, ==, flush ? 0.0f : 2 * 1e-40f);
      srl_parallel_run (G_N_ELEMENTS (t.seen), fp_task, &t);
      for (guint i = 0; i < G_N_ELEMENTS (t.seen); i++)
        g_assert_cmpfloat (t.seen[i], ==, want);
    }
  srl_parallel_set_threads (threads);
}

static void
test_vector_maths (void)
{
  enum { N = 4001 };
  g_autofree float *x = g_new (float, N), *y = g_new (float, N), *a = g_new (float, N), *lj = g_new (float, N);
  for (guint i = 0; i < N; i++)
    x[i] = -40.0f + 80.0f * i / (N - 1);
  x[N / 2] = 0.0f;
  srl_tanh_squash (x, a, lj, N);
  for (guint i = 0; i < N; i++)
    {
      double u = x[i], t = tanh (u);
      double want_lj = 2.0 * (G_LN2 - fabs (u) - log1p (exp (-2.0 * fabs (u))));
      if (fabs (a[i] - t) > 2e-7 * MAX (fabs (t), 1e-30) + 1e-37)
        g_error ("tanh(%g): %.9g, want %.9g", u, a[i], t);
      if (fabs (lj[i] - want_lj) > 4e-6 * MAX (1.0, fabs (want_lj)))
        g_error ("log(1 − tanh² %g): %.9g, want %.9g", u, lj[i], want_lj);
    }
  g_assert_cmpfloat (a[N / 2], ==, 0.0f);
  g_assert_cmpfloat (lj[N / 2], ==, 0.0f);
  /* In place, and without the log-Jacobian. */
  memcpy (y, x, N * sizeof (float));
  srl_tanh_squash (y, y, NULL, N);
  g_assert_cmpmem (y, N * sizeof (float), a, N * sizeof (float));
  for (guint i = 0; i < N; i++)
    x[i] = -20.0f + 40.0f * i / (N - 1);
  srl_exp_floats (x, y, N);
  for (guint i = 0; i < N; i++)
    if (fabs (y[i] - exp (x[i])) > 3e-7 * exp (x[i]))
      g_error ("exp(%g): %.9g, want %.9g", x[i], y[i], exp (x[i]));
}

static void
test_mlp_sibling_shares_layout (void)
{
  SrlRng rng;
  srl_rng_init (&rng, 3);
  guint hidden = 8;
  g_autoptr (SrlWeights) w = srl_weights_new ();
  g_autoptr (SrlMlp) mlp = srl_mlp_new (w, "", 4, &hidden, 1, 2, SRL_NL_RELU, SRL_NL_LINEAR, 5);
  srl_weights_allocate (w);
  srl_mlp_init (mlp, &rng, SRL_INIT_HE_UNIFORM);
  g_autoptr (SrlWeights) copy = srl_weights_new_copy (w);
  g_autoptr (SrlMlp) twin = srl_mlp_new_sibling (mlp, copy, 5);
  float x[20];
  srl_rng_fill_normal (&rng, x, 20);
  const float *a = srl_mlp_forward (mlp, 5, x);
  const float *b = srl_mlp_forward (twin, 5, x);
  for (int i = 0; i < 10; i++)
    g_assert_cmpfloat (a[i], ==, b[i]);
  g_assert_cmpuint (srl_mlp_flops_per_row (mlp), ==, 2 * (4 * 8 + 8 * 2));
}

static void
test_adam_by_hand (void)
{
  g_autoptr (SrlWeights) w = srl_weights_new ();
  srl_weights_declare (w, "p", 0, 2);
  srl_weights_allocate (w);
  float *p = srl_weights_data (w), *g = srl_weights_grad (w);
  p[0] = 1.0f;
  p[1] = -2.0f;
  g_autoptr (SrlAdam) adam = srl_adam_new (w, 0.1, 0.9, 0.999, 1e-8);
  /* Step 1, g = (0.5, −0.1): m = 0.1 g, v = 0.001 g²; bias-corrected m̂ = g,
   * v̂ = g², so each weight moves by lr·sign(g) = 0.1 (ε negligible). */
  g[0] = 0.5f;
  g[1] = -0.1f;
  srl_adam_step (adam);
  g_assert_cmpfloat_with_epsilon (p[0], 0.9, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[1], -1.9, 1e-6);
  /* Step 2, g = (−0.5, 0.3):
   *   m = 0.9·(0.05, −0.01) + 0.1·(−0.5, 0.3) = (−0.005, 0.021)
   *   v = 0.999·(2.5e-4, 1e-5) + 0.001·(0.25, 0.09) = (4.9975e-4, 9.999e-5)
   *   m̂ = m / 0.19 = (−0.0263158, 0.1105263)
   *   v̂ = v / 0.001999 = (0.2500000, 0.0500200)
   *   Δ = −0.1 m̂ / (√v̂ + ε) = (+0.00526316, −0.0494187)  */
  g[0] = -0.5f;
  g[1] = 0.3f;
  srl_adam_step (adam);
  g_assert_cmpfloat_with_epsilon (p[0], 0.9 + 0.00526316, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[1], -1.9 - 0.0494187, 1e-6);
  g_assert_cmpuint (srl_adam_steps (adam), ==, 2);
}

static void
test_polyak_and_clip (void)
{
  g_autoptr (SrlWeights) src = srl_weights_new ();
  srl_weights_declare (src, "p", 0, 2);
  srl_weights_allocate (src);
  g_autoptr (SrlWeights) target = srl_weights_new_copy (src);
  srl_weights_data (target)[0] = 1;
  srl_weights_data (target)[1] = 2;
  srl_weights_data (src)[0] = 3;
  srl_weights_data (src)[1] = -2;
  /* 0.75·(1, 2) + 0.25·(3, −2) = (1.5, 1.0) */
  srl_weights_polyak (target, src, 0.25f);
  g_assert_cmpfloat_with_epsilon (srl_weights_data (target)[0], 1.5, 1e-7);
  g_assert_cmpfloat_with_epsilon (srl_weights_data (target)[1], 1.0, 1e-7);
  srl_weights_polyak (target, src, 1.0f);
  g_assert_cmpfloat (srl_weights_data (target)[0], ==, 3);
  g_assert_cmpfloat (srl_weights_data (target)[1], ==, -2);
  /* Clip (3, 4) (norm 5) to norm 1: (0.6, 0.8). */
  srl_weights_grad (src)[0] = 3;
  srl_weights_grad (src)[1] = 4;
  g_assert_cmpfloat_with_epsilon (srl_weights_clip_grad_norm (src, 1.0f), 5.0, 1e-6);
  g_assert_cmpfloat_with_epsilon (srl_weights_grad (src)[0], 0.6, 1e-6);
  g_assert_cmpfloat_with_epsilon (srl_weights_grad (src)[1], 0.8, 1e-6);
}

static void
test_rng_streams (void)
{
  SrlRng a, b, c;
  srl_rng_init_stream (&a, 5, 1);
  srl_rng_init_stream (&b, 5, 1);
  srl_rng_init_stream (&c, 5, 2);
  g_assert_cmpuint (srl_rng_next (&a), ==, srl_rng_next (&b));
  g_assert_cmpuint (srl_rng_next (&a), !=, srl_rng_next (&c));
  /* Normals have the right first two moments. */
  double sum = 0, sq = 0;
  const int n = 200000;
  for (int i = 0; i < n; i++)
    {
      double x = srl_rng_normal (&a);
      sum += x;
      sq += x * x;
    }
  g_assert_cmpfloat (fabs (sum / n), <, 0.01);
  g_assert_cmpfloat (fabs (sq / n - 1.0), <, 0.02);
  for (int i = 0; i < 1000; i++)
    g_assert_cmpuint (srl_rng_below (&a, 7), <, 7);
}

/* ---- saved state ---- */

static char *
write_sample_state (const char *dir)
{
  g_autoptr (SrlStateWriter) w = srl_state_writer_new ();
  static float weights[6] = { 1, 2, 3, 4, 5, 6 };
  gsize shape[2] = { 2, 3 };
  srl_state_writer_put (w, "net.weight", SRL_DTYPE_F32, weights, 2, shape);
  srl_state_writer_set_prefix (w, "runner.");
  srl_state_writer_put_i64_value (w, "epoch", 7);
  srl_state_writer_put_f64_value (w, "ret", -1.5);
  srl_state_writer_put_meta (w, "note", "a \"quoted\" value");
  char *path = g_build_filename (dir, "state.safetensors", NULL);
  GError *error = NULL;
  g_assert_true (srl_state_writer_write (w, path, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_state_round_trip (void)
{
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *path = write_sample_state (dir);
  GError *error = NULL;
  g_autoptr (SrlStateReader) r = srl_state_reader_open (path, &error);
  g_assert_no_error (error);
  float w[6];
  g_assert_true (srl_state_reader_get_f32 (r, "net.weight", w, 6, &error));
  g_assert_cmpfloat (w[5], ==, 6);
  guint nd;
  const gsize *shape = srl_state_reader_shape (r, "net.weight", &nd);
  g_assert_cmpuint (nd, ==, 2);
  g_assert_cmpuint (shape[0], ==, 2);
  g_assert_cmpuint (shape[1], ==, 3);
  srl_state_reader_set_prefix (r, "runner.");
  gint64 epoch;
  double ret;
  g_assert_true (srl_state_reader_get_i64_value (r, "epoch", &epoch, &error));
  g_assert_true (srl_state_reader_get_f64_value (r, "ret", &ret, &error));
  g_assert_cmpint (epoch, ==, 7);
  g_assert_cmpfloat (ret, ==, -1.5);
  g_assert_cmpstr (srl_state_reader_meta (r, "note"), ==, "a \"quoted\" value");
  /* Wrong element count and wrong dtype are refused with the tensor's name. */
  g_assert_false (srl_state_reader_get_f64_value (r, "epoch", &ret, &error));
  g_assert_error (error, SRL_ERROR, SRL_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, "runner.epoch"));
  g_clear_error (&error);
  srl_state_reader_set_prefix (r, "");
  g_assert_false (srl_state_reader_get_f32 (r, "net.weight", w, 5, &error));
  g_assert_error (error, SRL_ERROR, SRL_ERROR_MISMATCH);
  g_clear_error (&error);
  srl_test_rmtree (dir);
}

static void
expect_refused (const char *path, const char *fragment)
{
  GError *error = NULL;
  SrlStateReader *r = srl_state_reader_open (path, &error);
  g_assert_null (r);
  g_assert_error (error, SRL_ERROR, SRL_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, path));
  if (!strstr (error->message, fragment))
    g_error ("expected \"%s\" in: %s", fragment, error->message);
  g_clear_error (&error);
}

static void
test_state_refusals (void)
{
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *path = write_sample_state (dir);
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));

  /* One flipped data bit. */
  bytes[len - 3] ^= 0x10;
  g_assert_true (g_file_set_contents (path, bytes, len, NULL));
  expect_refused (path, "checksum mismatch");
  bytes[len - 3] ^= 0x10;

  /* Truncated. */
  g_assert_true (g_file_set_contents (path, bytes, len - 5, NULL));
  expect_refused (path, "does not fit");
  g_assert_true (g_file_set_contents (path, bytes, 20, NULL));
  expect_refused (path, "truncated");

  /* Another format version (the checksum would not match either; the
   * version is reported first because it explains more). */
  char *v = strstr (bytes + 8, "\"format_version\":\"1\"");
  g_assert_nonnull (v);
  v[strlen ("\"format_version\":\"")] = '9';
  g_assert_true (g_file_set_contents (path, bytes, len, NULL));
  expect_refused (path, "version 9");

  /* Not a state file at all. */
  g_assert_true (g_file_set_contents (path, "[experiment]\nseed = 1\n", -1, NULL));
  expect_refused (path, "not a softrl state file");
  srl_test_rmtree (dir);
}

static void
test_weights_load_checks_shapes (void)
{
  g_autofree char *dir = srl_test_tmpdir ();
  guint hidden = 4;
  g_autoptr (SrlWeights) w = srl_weights_new ();
  g_autoptr (SrlMlp) mlp = srl_mlp_new (w, "q.", 3, &hidden, 1, 1, SRL_NL_RELU, SRL_NL_LINEAR, 1);
  srl_weights_allocate (w);
  SrlRng rng;
  srl_rng_init (&rng, 1);
  srl_mlp_init (mlp, &rng, SRL_INIT_GLOROT_UNIFORM);
  g_autofree char *path = g_build_filename (dir, "w.safetensors", NULL);
  {
    g_autoptr (SrlStateWriter) sw = srl_state_writer_new ();
    srl_weights_save (w, sw, "");
    g_assert_true (srl_state_writer_write (sw, path, NULL));
  }
  GError *error = NULL;
  g_autoptr (SrlStateReader) r = srl_state_reader_open (path, &error);
  g_assert_no_error (error);
  g_autoptr (SrlWeights) same = srl_weights_new_copy (w);
  memset (srl_weights_data (same), 0, srl_weights_size (same) * sizeof (float));
  g_assert_true (srl_weights_load (same, r, "", &error));
  g_assert_cmpmem (srl_weights_data (same), srl_weights_size (same) * 4, srl_weights_data (w), srl_weights_size (w) * 4);
  guint wider = 5;
  g_autoptr (SrlWeights) other = srl_weights_new ();
  g_autoptr (SrlMlp) other_mlp = srl_mlp_new (other, "q.", 3, &wider, 1, 1, SRL_NL_RELU, SRL_NL_LINEAR, 1);
  srl_weights_allocate (other);
  g_assert_false (srl_weights_load (other, r, "", &error));
  g_assert_error (error, SRL_ERROR, SRL_ERROR_MISMATCH);
  g_assert_nonnull (strstr (error->message, "q.l0.weight"));
  g_assert_nonnull (strstr (error->message, "[3, 5]"));
  g_assert_nonnull (strstr (error->message, "[3, 4]"));
  g_clear_error (&error);
  srl_test_rmtree (dir);
}

static void
test_replay_ring (void)
{
  g_autoptr (SrlReplay) r = srl_replay_new (3, 1, 1);
  for (int i = 0; i < 5; i++)
    {
      float o = i, a = -i, o2 = i + 1;
      srl_replay_add (r, &o, &a, (float) i, &o2, i == 4, i == 3);
    }
  g_assert_cmpuint (srl_replay_size (r), ==, 3);
  float o, a, rew, o2;
  gboolean term, trunc;
  srl_replay_get (r, 0, &o, &a, &rew, &o2, &term, &trunc);
  g_assert_cmpfloat (o, ==, 2); /* the two oldest were overwritten */
  srl_replay_get (r, 2, &o, &a, &rew, &o2, &term, &trunc);
  g_assert_cmpfloat (rew, ==, 4);
  g_assert_true (term);
  srl_replay_get (r, 1, NULL, NULL, NULL, NULL, &term, &trunc);
  g_assert_false (term);
  g_assert_true (trunc);
  SrlRng rng;
  srl_rng_init (&rng, 1);
  g_autoptr (SrlBatch) b = srl_batch_new (64, 1, 1);
  srl_replay_sample (r, &rng, 64, b);
  gboolean seen[3] = { 0 };
  for (int i = 0; i < 64; i++)
    {
      g_assert_cmpfloat (b->obs[i], >=, 2);
      g_assert_cmpfloat (b->next_obs[i], ==, b->obs[i] + 1);
      g_assert_cmpfloat (b->terminal[i], ==, b->obs[i] == 4 ? 1.0f : 0.0f);
      seen[(int) b->obs[i] - 2] = TRUE;
    }
  g_assert_true (seen[0] && seen[1] && seen[2]);
}

/* Without SOFTRL_XSMM, libxsmm takes what is faster on this processor:
 * every product of the wide layers with AVX-512; with AVX2 the forward
 * products and input gradients up to SRL_XSMM_AVX2_MAX_WIDTH wide and no
 * weight gradient.  (The other tests force libxsmm on, so that its products
 * are checked on any processor: this one runs in a child without it.) */
static void
test_xsmm_choice (void)
{
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  if (g_getenv ("SRL_TEST_XSMM_AUTO"))
    g_unsetenv ("SOFTRL_XSMM");
  const char *what = srl_nn_products_description ();
  if (strcmp (what, "OpenBLAS") == 0)
    {
      /* Built without libxsmm, no AVX2 here, or SOFTRL_XSMM=off: then
       * nothing may be taken. */
      float one = 1;
      g_assert_false (srl_xsmm_forward (&one, 64, 128, &one, 128, &one));
      g_assert_false (srl_xsmm_input_grad (&one, 64, 128, &one, 128, &one, &one));
      return;
    }
  SrlRng rng;
  srl_rng_init (&rng, 14);
  g_autofree float *x = uniform_floats (&rng, 256 * 256);
  g_autofree float *w = uniform_floats (&rng, 256 * 256);
  g_autofree float *y = g_new (float, 256 * 256);
  g_autofree float *wt = g_new (float, 256 * 256);
  const gboolean avx2 = strstr (what, "(AVX2)") != NULL;
  g_assert_true (srl_xsmm_forward (x, 64, 128, w, 128, y));
  g_assert_true (srl_xsmm_input_grad (x, 64, 128, w, 128, wt, y));
  g_assert_cmpint (srl_xsmm_forward (x, 64, 256, w, 256, y), ==, !avx2);
  g_assert_cmpint (srl_xsmm_forward (x, 64, 128, w, 256, y), ==, !avx2);
  g_assert_cmpint (srl_xsmm_input_grad (x, 64, 256, w, 128, wt, y), ==, !avx2);
  g_assert_cmpint (srl_xsmm_weight_grad (x, 64, 128, w, 128, y), ==, !avx2);
  g_assert_cmpint (srl_xsmm_weight_grad (x, 64, 256, w, 256, y), ==, !avx2);
}

int
main (int argc, char **argv)
{
  /* libxsmm's products are checked on any processor, not only on those
   * where softrl would choose them (test_xsmm_choice). */
  if (!g_getenv ("SOFTRL_XSMM"))
    {
      g_setenv ("SOFTRL_XSMM", "on", TRUE);
      g_setenv ("SRL_TEST_XSMM_AUTO", "1", TRUE);
    }
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nn/mlp-gradients-relu", test_mlp_gradients_relu);
  g_test_add_func ("/nn/mlp-gradients-tanh", test_mlp_gradients_tanh);
  g_test_add_func ("/nn/mlp-input-columns", test_mlp_input_columns);
  g_test_add_func ("/nn/vector-maths", test_vector_maths);
  g_test_add_func ("/nn/narrow-forward", test_narrow_forward);
  g_test_add_func ("/nn/narrow-weight-grad", test_narrow_weight_grad);
  g_test_add_func ("/nn/xsmm-products", test_xsmm_products);
  g_test_add_func ("/nn/xsmm-choice", test_xsmm_choice);
  g_test_add_func ("/nn/mlp-sibling", test_mlp_sibling_shares_layout);
  g_test_add_func ("/nn/adam-by-hand", test_adam_by_hand);
  g_test_add_func ("/nn/polyak-and-clip", test_polyak_and_clip);
  g_test_add_func ("/parallel/fp-control", test_parallel_fp_control);
  g_test_add_func ("/rng/streams", test_rng_streams);
  g_test_add_func ("/state/round-trip", test_state_round_trip);
  g_test_add_func ("/state/refusals", test_state_refusals);
  g_test_add_func ("/state/weights-shapes", test_weights_load_checks_shapes);
  g_test_add_func ("/replay/ring", test_replay_ring);
  return g_test_run ();
}

/* softrl bench products: one dense layer's three products, as the library
 * computes them, beside OpenBLAS's sgemm on the same shapes.
 *
 * The library sends each layer's forward product, weight gradient and
 * input gradient to the code that is fastest for its shape on the
 * development machine (libxsmm's kernels for wide layers, its own AVX-512
 * kernels for layers with few inputs, OpenBLAS otherwise; nn-xsmm.c,
 * nn-narrow.c).  The choice is fixed by shape and processor, not timed at
 * run time, so that a run's numbers never depend on how loaded the machine
 * was when its networks were built; this benchmark re-measures the shapes of the thesis' networks on another
 * machine, to show whether the rule still holds there.  The library's side
 * includes what a layer adds to the product (the bias in the forward pass,
 * the bias gradient in the backward one), so it is a lower bound. */
#include <cblas.h>
#include <stdio.h>

#include "bench.h"

typedef struct {
  guint rows, n_in, n_out;
  const char *where;
} Shape;

static const Shape shapes[] = {
  { 256, 256, 256, "sac: hidden layer (2 × 256, batch 256)" },
  { 256, 23, 256, "sac: Q's first layer (HalfCheetah's 17 + 6 inputs)" },
  { 128, 128, 128, "lsp: hidden layer (2 × 128, batch 128)" },
  { 64, 200, 200, "sql: hidden layer (2 × 200, batch 64)" },
  { 2048, 200, 200, "sql: hidden layer over K × batch (32 × 64)" },
  { 100, 64, 64, "pendulum showcase: hidden layer (2 × 64, batch 100)" },
};

typedef struct {
  const Shape *shape;
  SrlMlp *mlp;
  float *x, *dy, *c, *w, *dw, *dx;
} Layer;

#define SIDES 6

/* Seconds per call of `side` (0: the library's forward, 1: sgemm's; 2:
 * the library's weight gradient, 3: sgemm's; 4: the library's input
 * gradient, 5: sgemm's), over about `seconds`. */
static double
time_side (Layer *l, int side, double seconds)
{
  const Shape *s = l->shape;
  guint calls = 0;
  double start = srl_now (), elapsed;
  do
    {
      for (int k = 0; k < 8; k++)
        switch (side)
          {
          case 0:
            srl_mlp_forward (l->mlp, s->rows, l->x);
            break;
          case 1:
            cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, s->rows, s->n_out, s->n_in, 1.0f, l->x, s->n_in,
                         l->w, s->n_out, 0.0f, l->c, s->n_out);
            break;
          case 2:
            srl_mlp_backward (l->mlp, s->rows, l->dy, NULL, TRUE);
            break;
          case 3:
            cblas_sgemm (CblasRowMajor, CblasTrans, CblasNoTrans, s->n_in, s->n_out, s->rows, 1.0f, l->x, s->n_in,
                         l->dy, s->n_out, 1.0f, l->dw, s->n_out);
            break;
          case 4:
            srl_mlp_backward (l->mlp, s->rows, l->dy, l->dx, FALSE);
            break;
          default:
            cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, s->rows, s->n_in, s->n_out, 1.0f, l->dy, s->n_out,
                         l->w, s->n_out, 0.0f, l->dx, s->n_in);
          }
      calls += 8;
    }
  while ((elapsed = srl_now () - start) < seconds);
  return elapsed / calls;
}

int
srl_bench_products (const BenchOptions *o)
{
  g_autofree char *blas = srl_bench_blas_description ();
  if (!o->json)
    printf ("products: one layer's forward product, weight gradient and input gradient, the library's against "
            "OpenBLAS's sgemm\n(GFLOP/s, medians of %u interleaved rounds, 1 thread; %s)\n\n"
            "%-16s %-21s    %-21s    %-21s\n%-5s %-4s %-4s  %6s %6s  %5s    %6s %6s  %5s    %6s %6s  %5s   %s\n",
            o->rounds, blas, "", "forward product", "weight gradient", "input gradient", "rows", "in", "out", "softrl",
            "sgemm", "ratio", "softrl", "sgemm", "ratio", "softrl", "sgemm", "ratio", "layer");
  guint program_threads = srl_parallel_get_threads ();
  srl_parallel_set_threads (1);
  openblas_set_num_threads (1);
  SrlRng rng;
  srl_rng_init (&rng, 1);
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      const Shape *s = &shapes[i];
      SrlWeights *weights = srl_weights_new ();
      Layer l = { s, srl_mlp_new (weights, "layer.", s->n_in, NULL, 0, s->n_out, SRL_NL_LINEAR, SRL_NL_LINEAR, s->rows) };
      srl_weights_allocate (weights);
      srl_mlp_init (l.mlp, &rng, SRL_INIT_GLOROT_UNIFORM);
      l.x = g_new (float, (gsize) s->rows * s->n_in);
      l.dy = g_new (float, (gsize) s->rows * s->n_out);
      l.c = g_new (float, (gsize) s->rows * s->n_out);
      l.w = g_new (float, (gsize) s->n_in * s->n_out);
      l.dw = g_new0 (float, (gsize) s->n_in * s->n_out);
      l.dx = g_new (float, (gsize) s->rows * s->n_in);
      srl_rng_fill_uniform (&rng, l.x, (gsize) s->rows * s->n_in, -1, 1);
      srl_rng_fill_uniform (&rng, l.dy, (gsize) s->rows * s->n_out, -1, 1);
      srl_rng_fill_uniform (&rng, l.w, (gsize) s->n_in * s->n_out, -1, 1);
      srl_mlp_forward (l.mlp, s->rows, l.x); /* the backward pass reads this input */
      double flops = 2.0 * s->rows * s->n_in * s->n_out;
      g_autofree double *rates = g_new (double, SIDES * o->rounds);
      for (guint r = 0; r < o->rounds; r++)
        for (int side = 0; side < SIDES; side++)
          rates[side * o->rounds + r] = flops / time_side (&l, side, o->seconds / SIDES) / 1e9;
      double gf[SIDES];
      for (int side = 0; side < SIDES; side++)
        gf[side] = srl_bench_median (rates + side * o->rounds, o->rounds);
      if (o->json)
        printf ("{\"benchmark\":\"products\",\"rows\":%u,\"inputs\":%u,\"outputs\":%u,\"forward_gflops\":%.1f,"
                "\"forward_sgemm_gflops\":%.1f,\"gradient_gflops\":%.1f,\"gradient_sgemm_gflops\":%.1f,"
                "\"input_gradient_gflops\":%.1f,\"input_gradient_sgemm_gflops\":%.1f,\"blas\":\"%s\"}\n",
                s->rows, s->n_in, s->n_out, gf[0], gf[1], gf[2], gf[3], gf[4], gf[5], blas);
      else
        printf ("%-5u %-4u %-4u  %6.1f %6.1f  %5.2f    %6.1f %6.1f  %5.2f    %6.1f %6.1f  %5.2f   %s\n", s->rows,
                s->n_in, s->n_out, gf[0], gf[1], gf[0] / gf[1], gf[2], gf[3], gf[2] / gf[3], gf[4], gf[5],
                gf[4] / gf[5], s->where);
      g_free (l.x);
      g_free (l.dy);
      g_free (l.c);
      g_free (l.w);
      g_free (l.dw);
      g_free (l.dx);
      srl_mlp_free (l.mlp);
      srl_weights_free (weights);
    }
  srl_parallel_set_threads (program_threads);
  return SRL_EXIT_OK;
}

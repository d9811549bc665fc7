/* softrl bench: what every benchmark shares: the summary table's rows,
 * medians, the sgemm roofline and the name of the BLAS that sets it. */
#include <cblas.h>
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "bench.h"

void
srl_bench_summary_row_clear (gpointer p)
{
  SummaryRow *r = p;
  g_free (r->name);
  g_free (r->measured);
  g_free (r->baseline);
  g_free (r->ratio);
  g_free (r->target);
}

/* Add a row (taking the strings) when `summary` is non-NULL.  `target` > 0:
 * the ratio must reach it; NULL-free otherwise. */
void
srl_bench_summary_add (GArray *summary, double ratio, double target, char *name, char *measured, char *baseline)
{
  SummaryRow row = { name, measured, baseline, g_strdup_printf ("%.3f", ratio),
                     target > 0 ? g_strdup_printf ("≥ %.2f", target) : g_strdup (""),
                     target > 0 ? ratio >= target : -1 };
  if (summary)
    g_array_append_val (summary, row);
  else
    srl_bench_summary_row_clear (&row);
}

double
srl_bench_median (double *v, guint n)
{
  g_autofree double *s = g_memdup2 (v, n * sizeof *v);
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && s[j - 1] > s[j]; j--)
      {
        double t = s[j];
        s[j] = s[j - 1];
        s[j - 1] = t;
      }
  return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/* ------------------------------------------------------------------ roofline */

void
srl_bench_roofline_init (Roofline *r)
{
  SrlRng rng;
  srl_rng_init (&rng, 7);
  r->a = g_new (float, ROOF_N * ROOF_N);
  r->b = g_new (float, ROOF_N * ROOF_N);
  r->c = g_new (float, ROOF_N * ROOF_N);
  srl_rng_fill_uniform (&rng, r->a, ROOF_N * ROOF_N, -1, 1);
  srl_rng_fill_uniform (&rng, r->b, ROOF_N * ROOF_N, -1, 1);
}

void
srl_bench_roofline_clear (Roofline *r)
{
  g_free (r->a);
  g_free (r->b);
  g_free (r->c);
}

/* GFLOP/s of a square single-thread sgemm of size 256, run for about
 * `seconds` (the updates' thread setting is restored afterwards). */
double
srl_bench_roofline_gflops (Roofline *r, double seconds)
{
  const int n = ROOF_N;
  guint threads = srl_parallel_get_threads ();
  srl_parallel_set_threads (1);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, r->a, n, r->b, n, 0.0f, r->c, n);
  guint64 reps = 0;
  double start = srl_now (), now;
  do
    {
      for (int i = 0; i < 8; i++)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, r->a, n, r->b, n, 0.0f, r->c, n);
      reps += 8;
      now = srl_now ();
    }
  while (now - start < seconds);
  srl_parallel_set_threads (threads);
  return 2.0 * n * n * n * reps / (now - start) / 1e9;
}

/* "OpenBLAS 0.3.21, Haswell kernels": the library's version and the kernels
 * it chose for this processor (or $OPENBLAS_CORETYPE's), which set the
 * roofline — the same cores give 105 GFLOP/s with OpenBLAS's AVX2 kernels
 * and 199 with its AVX-512 ones, so a number without them cannot be
 * compared with another machine's. */
char *
srl_bench_blas_description (void)
{
  g_auto (GStrv) words = g_strsplit (openblas_get_config (), " ", 3);
  return g_strdup_printf ("%s %s, %s kernels; products: %s", words[0] ? words[0] : "OpenBLAS",
                          words[0] && words[1] ? words[1] : "?", openblas_get_corename (),
                          srl_nn_products_description ());
}

gboolean
srl_bench_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  if (dir)
    for (const char *name; (name = g_dir_read_name (dir));)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          srl_bench_remove_tree (child);
        else
          g_remove (child);
      }
  return g_rmdir (path) == 0;
}


gboolean
srl_bench_run_softrl (const char *ini, const char *out, double *seconds, struct rusage *ru, GError **error)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  const char *argv[] = { self ? self : "softrl", "run", "-q", "--out", out, ini, NULL };
  GPid pid;
  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | (self ? 0 : G_SPAWN_SEARCH_PATH), NULL,
                      NULL, &pid, error))
    return FALSE;
  int wstatus;
  double start = srl_now ();
  pid_t got;
  while ((got = wait4 (pid, &wstatus, 0, ru)) < 0 && errno == EINTR)
    ;
  *seconds = srl_now () - start;
  g_spawn_close_pid (pid);
  if (got != pid || !WIFEXITED (wstatus) || WEXITSTATUS (wstatus) != 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "softrl run %s did not finish (exit status or signal)", ini);
      return FALSE;
    }
  return TRUE;
}

/* softrl bench pendulum: RLtools' Pendulum SAC showcase end to end
 * (experiments/pendulum-rltools.ini: 10,000 steps, 64 × 2 networks, batch
 * 100, ten evaluations of ten episodes), timed whole, as a user would time
 * it.  When $SOFTRL_RLTOOLS_BIN names RLtools' own build of the example,
 * the two alternate round by round and the ratio of their median
 * wall-clock times is the result: RLtools is never a dependency. */
#include <stdio.h>
#include <sys/resource.h>

#include "bench.h"
#include "results.h"

/* Wall-clock seconds of one run of an external program, or a negative
 * number when it did not exit 0. */
static double
time_program (const char *program)
{
  const char *argv[] = { program, NULL };
  int status = -1;
  double start = srl_now ();
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     NULL, NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL))
    return -1;
  return srl_now () - start;
}

int
srl_bench_pendulum (const BenchOptions *o, GArray *summary)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *ini = srl_cli_find_experiment ("pendulum-rltools", &error);
  if (!ini)
    {
      srl_cli_error ("bench: %s", error->message);
      return SRL_EXIT_FAILED;
    }
  const char *rltools = g_getenv ("SOFTRL_RLTOOLS_BIN");
  if (rltools && !*rltools)
    rltools = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("softrl-bench-pendulum-XXXXXX", &error);
  if (!tmp)
    {
      srl_cli_error ("bench: %s", error->message);
      return SRL_EXIT_FAILED;
    }
  g_autofree double *ours = g_new (double, o->rounds);
  g_autofree double *theirs = g_new (double, o->rounds);
  double final_return = NAN;
  for (guint r = 0; r < o->rounds; r++)
    {
      g_autofree char *out = g_strdup_printf ("%s/run%u", tmp, r);
      struct rusage ru;
      if (!srl_bench_run_softrl (ini, out, &ours[r], &ru, &error))
        {
          srl_cli_error ("bench: pendulum: %s", error->message);
          srl_bench_remove_tree (tmp);
          return SRL_EXIT_FAILED;
        }
      g_autofree char *csv = g_build_filename (out, "progress.csv", NULL);
      g_autoptr (SrlTable) table = srl_table_read (csv, NULL);
      int column = table ? srl_table_column (table, "eval_return_mean") : -1;
      if (column >= 0 && table->n_rows)
        final_return = srl_table_get (table, table->n_rows - 1, (guint) column);
      if (rltools && (theirs[r] = time_program (rltools)) < 0)
        {
          srl_cli_error ("bench: pendulum: %s (SOFTRL_RLTOOLS_BIN) did not run to the end", rltools);
          srl_bench_remove_tree (tmp);
          return SRL_EXIT_FAILED;
        }
    }
  srl_bench_remove_tree (tmp);
  double seconds = srl_bench_median (ours, o->rounds);
  double peer = rltools ? srl_bench_median (theirs, o->rounds) : NAN;
  if (o->json)
    printf ("{\"benchmark\":\"pendulum\",\"seconds\":%.3f,\"final_eval_return\":%.1f,\"rltools_seconds\":%.3f,"
            "\"ratio\":%.3f,\"rounds\":%u,\"threads\":%u}\n",
            seconds, final_return, peer, seconds / peer, o->rounds, srl_parallel_get_threads ());
  else
    {
      printf ("pendulum: RLtools' Pendulum SAC showcase (%s), median of %u runs on %u thread%s\n", ini, o->rounds,
              srl_parallel_get_threads (), srl_parallel_get_threads () == 1 ? "" : "s");
      printf ("  softrl                       %.2f s, final evaluation return %.1f\n", seconds, final_return);
      if (rltools)
        printf ("  RLtools (%s)  %.2f s\n  ratio                        %.3f\n", rltools, peer, seconds / peer);
      else
        printf ("  RLtools                      not measured (set SOFTRL_RLTOOLS_BIN to its example's binary)\n");
    }
  if (summary && rltools)
    srl_bench_summary_add (summary, seconds / peer, -1, g_strdup ("pendulum showcase vs RLtools (wall-clock)"),
                           g_strdup_printf ("%.2f s", seconds), g_strdup_printf ("RLtools %.2f s", peer));
  return SRL_EXIT_OK;
}

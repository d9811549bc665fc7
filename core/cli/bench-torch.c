/* softrl bench torch: the PyTorch SAC update beside softrl's, at the same
 * sizes and thread count, in alternating rounds. */
#include <cblas.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "bench.h"

/* The peer benchmark script: --torch-script, else $SOFTRL_TORCH_BENCH, else
 * the repository's bench/torch_sac_update.py (installed in $(pkgdatadir),
 * found like every data file).  NULL when the default does not exist, NULL
 * and *error when the one asked for does not. */
static char *
find_torch_script (const BenchOptions *o, GError **error)
{
  /* A script asked for by name must exist; only the default may be absent. */
  const char *env = g_getenv ("SOFTRL_TORCH_BENCH");
  const char *asked = o->torch_script ? o->torch_script : env && *env ? env : NULL;
  if (asked)
    {
      if (g_file_test (asked, G_FILE_TEST_IS_REGULAR))
        return g_strdup (asked);
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s %s: no such file", o->torch_script ? "--torch-script"
                   : "$SOFTRL_TORCH_BENCH", asked);
      return NULL;
    }
  return srl_find_data_file ("bench/torch_sac_update.py", NULL);
}

/* A Python that imports torch: $SOFTRL_PYTHON, else the first python3 on
 * PATH, else the system's /usr/bin/python3 (Debian's python3-torch is
 * installed for it, while PATH may lead to another Python).  NULL when
 * none does. */
static char *
find_torch_python (void)
{
  const char *candidates[] = { g_getenv ("SOFTRL_PYTHON"), "python3", "/usr/bin/python3" };
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      if (!candidates[i] || !*candidates[i])
        continue;
      const char *argv[] = { candidates[i], "-c", "import torch", NULL };
      gint wait_status;
      if (g_spawn_sync (NULL, (char **) argv, NULL,
                        G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                        NULL, NULL, &wait_status, NULL)
          && g_spawn_check_wait_status (wait_status, NULL))
        return g_strdup (candidates[i]);
    }
  return NULL;
}

/* PyTorch's updates per second over `seconds` at SAC's sizes, or a negative
 * value after filling *why. */
static double
torch_rate (const char *python, const char *script, guint threads, double seconds, char **why)
{
  g_autofree char *secs = g_strdup_printf ("%d", MAX (1, (int) (seconds + 0.5)));
  g_autofree char *thr = g_strdup_printf ("%u", threads);
  const char *argv[] = { python, script, "17", "6", "256", "256", thr, secs, NULL };
  g_autofree char *out = NULL, *err = NULL;
  gint wait_status;
  g_autoptr (GError) error = NULL;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &wait_status, &error))
    {
      *why = g_strdup (error->message);
      return -1;
    }
  const char *line = out ? strstr (out, "updates_per_sec=") : NULL;
  if (!g_spawn_check_wait_status (wait_status, NULL) || !line)
    {
      g_autofree char *last = g_strstrip (g_strdup (err && *err ? err : "no output"));
      char *nl = strrchr (last, '\n');
      *why = g_strdup (nl ? nl + 1 : last);
      return -1;
    }
  return g_ascii_strtod (line + strlen ("updates_per_sec="), NULL);
}

/* softrl's sac-auto update beside PyTorch's at the same sizes and thread
 * count, in alternating rounds. */
int
srl_bench_torch (SrlRegistry *registry, guint threads, const BenchOptions *o, GArray *summary)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *script = find_torch_script (o, &error);
  if (error)
    {
      srl_cli_error ("bench: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  if (!script)
    {
      if (o->json)
        printf ("{\"benchmark\":\"torch\",\"threads\":%u,\"skipped\":\"torch_sac_update.py not found\"}\n", threads);
      else
        printf ("PyTorch comparison, %u thread%s: skipped (no torch_sac_update.py: give --torch-script PATH or set "
                "SOFTRL_TORCH_BENCH)\n", threads, threads == 1 ? "" : "s");
      return SRL_EXIT_OK;
    }
  g_autofree char *python = find_torch_python ();
  if (!python)
    {
      if (o->json)
        printf ("{\"benchmark\":\"torch\",\"threads\":%u,\"skipped\":\"no python3 with torch\"}\n", threads);
      else
        printf ("PyTorch comparison, %u thread%s: skipped (no python3 imports torch; Debian: apt-get install "
                "python3-torch, or point SOFTRL_PYTHON at a Python that has it)\n",
                threads, threads == 1 ? "" : "s");
      return SRL_EXIT_OK;
    }
  int status;
  g_autoptr (UpdateBench) u = srl_update_bench_new (registry, "sac-auto", NULL, 17, 6, NULL, &status);
  if (!u)
    return status;
  g_autofree double *ours = g_new (double, o->rounds);
  g_autofree double *theirs = g_new (double, o->rounds);
  g_autofree double *ratio = g_new (double, o->rounds);
  /* The script runs at least a second and includes its own warm-up. */
  double secs = MAX (o->seconds, 2.0);
  for (guint r = 0; r < o->rounds; r++)
    {
      srl_bench_apply_threads (threads, LAYOUT_TASKS);
      ours[r] = srl_update_bench_rate (u, secs);
      srl_bench_apply_threads (1, LAYOUT_TASKS);
      g_autofree char *why = NULL;
      theirs[r] = torch_rate (python, script, threads, secs, &why);
      if (theirs[r] < 0)
        {
          g_autofree char *escaped = g_strescape (why, NULL);
          if (o->json)
            printf ("{\"benchmark\":\"torch\",\"threads\":%u,\"skipped\":\"%s\"}\n", threads, escaped);
          else
            printf ("PyTorch comparison, %u thread%s: skipped (%s %s: %s)\n", threads, threads == 1 ? "" : "s",
                    python, script, why);
          return SRL_EXIT_OK;
        }
      ratio[r] = ours[r] / theirs[r];
    }
  double a = srl_bench_median (ours, o->rounds), b = srl_bench_median (theirs, o->rounds), f = srl_bench_median (ratio, o->rounds);
  if (o->json)
    printf ("{\"benchmark\":\"torch\",\"threads\":%u,\"rounds\":%u,\"softrl_updates_per_s\":%.2f,"
            "\"torch_updates_per_s\":%.2f,\"softrl_over_torch\":%.4f}\n",
            threads, o->rounds, a, b, f);
  else
    {
      printf ("sac-auto update beside PyTorch, obs 17, action 6, 2 × 256, batch 256, %u thread%s "
              "(medians of %u alternating rounds)\n",
              threads, threads == 1 ? "" : "s", o->rounds);
      printf ("  softrl updates per second   %.1f\n", a);
      printf ("  PyTorch updates per second  %.1f (%s %s)\n", b, python, script);
      printf ("  softrl / PyTorch            %.2f× (median of the rounds' ratios)\n", f);
    }
  srl_bench_summary_add (summary, f, 0, g_strdup_printf ("sac-auto vs PyTorch, %u thread%s", threads, threads == 1 ? "" : "s"),
               g_strdup_printf ("%.1f updates/s", a), g_strdup_printf ("PyTorch %.1f/s", b));
  return SRL_EXIT_OK;
}

/* softrl bench memory: the peak resident memory of a run with a full replay
 * buffer, against the buffer's own bytes. */
#include <cblas.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "bench.h"

/* A HalfCheetah-sized run whose replay buffer fills: random actions until
 * it holds `capacity` transitions, then `updates` SAC updates (one per
 * step, the ring overwriting its oldest), one evaluation episode and the
 * final checkpoint, which saves the whole buffer. */
static char *
memory_experiment (guint64 capacity, guint64 updates)
{
  return g_strdup_printf ("# softrl bench memory: a run that fills a replay buffer of %" G_GUINT64_FORMAT
                          " HalfCheetah transitions\n"
                          "[experiment]\nepochs = 1\nsteps_per_epoch = %" G_GUINT64_FORMAT "\neval_episodes = 1\n"
                          "initial_random_steps = %" G_GUINT64_FORMAT "\nmin_replay_size = %" G_GUINT64_FORMAT "\n"
                          "gradient_steps = 1\nreplay_capacity = %" G_GUINT64_FORMAT "\ncheckpoint_interval = 0\n\n"
                          "[env]\nplugin = halfcheetah\n\n[algorithm]\nplugin = sac-auto\n\n[sampler]\nplugin = gaussian\n",
                          capacity, capacity + updates, capacity, capacity, capacity);
}

/* Peak resident memory of `softrl run` (this program, as a child process,
 * measured by the kernel: wait4's ru_maxrss) on memory_experiment(),
 * against the replay buffer's own bytes. */
int
srl_bench_memory (SrlRegistry *registry, guint64 capacity, const BenchOptions *o, GArray *summary)
{
  if (!srl_registry_lookup (registry, SRL_KIND_ENV, "halfcheetah"))
    {
      printf ("memory: skipped (no halfcheetah environment in this build)\n");
      return SRL_EXIT_OK;
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("softrl-bench-memory-XXXXXX", &error);
  if (!tmp)
    {
      srl_cli_error ("bench: %s", error->message);
      return SRL_EXIT_FAILED;
    }
  const guint64 updates = 1000;
  g_autofree char *ini = g_build_filename (tmp, "memory.ini", NULL);
  g_autofree char *text = memory_experiment (capacity, updates);
  g_autofree char *out = g_build_filename (tmp, "run", NULL);
  if (!g_file_set_contents (ini, text, -1, &error))
    {
      srl_cli_error ("bench: %s", error->message);
      srl_bench_remove_tree (tmp);
      return SRL_EXIT_FAILED;
    }
  struct rusage ru;
  double seconds;
  gboolean ran = srl_bench_run_softrl (ini, out, &seconds, &ru, &error);
  srl_bench_remove_tree (tmp);
  if (!ran)
    {
      srl_cli_error ("bench: the memory run failed: %s", error->message);
      return SRL_EXIT_FAILED;
    }
  g_autoptr (SrlReplay) probe = srl_replay_new (1, 17, 6);
  double replay = (double) srl_replay_bytes (probe) * capacity;
  double peak = ru.ru_maxrss * 1024.0;
  const double mib = 1024.0 * 1024.0;
  if (o->json)
    printf ("{\"benchmark\":\"memory\",\"env\":\"halfcheetah\",\"transitions\":%" G_GUINT64_FORMAT
            ",\"replay_bytes\":%.0f,\"peak_rss_bytes\":%.0f,\"overhead_bytes\":%.0f,\"seconds\":%.1f}\n",
            capacity, replay, peak, peak - replay, seconds);
  else
    {
      printf ("peak memory of a HalfCheetah sac-auto run filling a replay buffer of %" G_GUINT64_FORMAT
              " transitions (softrl run, then %" G_GUINT64_FORMAT " updates, an evaluation and the checkpoint; %.0f s)\n",
              capacity, updates, seconds);
      printf ("  replay buffer                %.1f MiB\n", replay / mib);
      printf ("  peak resident memory         %.1f MiB\n", peak / mib);
      printf ("  beyond the buffer            %.1f MiB\n", (peak - replay) / mib);
    }
  if (summary)
    {
      SummaryRow row = { g_strdup_printf ("memory, %" G_GUINT64_FORMAT " transitions", capacity),
                         g_strdup_printf ("peak RSS %.1f MiB", peak / mib),
                         g_strdup_printf ("replay buffer %.1f MiB", replay / mib),
                         g_strdup_printf ("+%.1f MiB", (peak - replay) / mib), g_strdup ("≤ +64 MiB"),
                         peak - replay <= TARGET_MEMORY_SLACK };
      g_array_append_val (summary, row);
    }
  return SRL_EXIT_OK;
}

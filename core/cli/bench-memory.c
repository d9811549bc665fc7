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

static gboolean
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  if (dir)
    for (const char *name; (name = g_dir_read_name (dir));)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_remove (child);
      }
  return g_rmdir (path) == 0;
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
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  if (!g_file_set_contents (ini, text, -1, &error))
    {
      srl_cli_error ("bench: %s", error->message);
      remove_tree (tmp);
      return SRL_EXIT_FAILED;
    }
  const char *argv[] = { self ? self : "softrl", "run", "-q", "--out", out, ini, NULL };
  GPid pid;
  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | (self ? 0 : G_SPAWN_SEARCH_PATH), NULL,
                      NULL, &pid, &error))
    {
      srl_cli_error ("bench: %s", error->message);
      remove_tree (tmp);
      return SRL_EXIT_FAILED;
    }
  int wstatus;
  struct rusage ru;
  double start = srl_now ();
  pid_t got;
  while ((got = wait4 (pid, &wstatus, 0, &ru)) < 0 && errno == EINTR)
    ;
  double seconds = srl_now () - start;
  g_spawn_close_pid (pid);
  remove_tree (tmp);
  if (got != pid || !WIFEXITED (wstatus) || WEXITSTATUS (wstatus) != 0)
    {
      srl_cli_error ("bench: the memory run failed (softrl run %s)", ini);
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

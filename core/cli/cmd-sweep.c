/* softrl sweep: run a grid of variants times seeds, N runs at a time on this
 * machine, or spread over the ranks of an MPI job (sweep-mpi.c). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "commands.h"
#include "sweep.h"

static void
print_list (SrlSweep *s)
{
  g_autofree char *grid = srl_sweep_grid_text (s);
  printf ("sweep %s: %s in %s\n", s->name, grid, s->out);
  for (guint i = 0; i < s->variants->len; i++)
    {
      const SrlSweepVariant *v = s->variants->pdata[i];
      g_autofree char *settings = g_strjoinv (" ", v->settings);
      printf ("variant %s: %s %s\n", v->name, v->experiment, settings);
    }
  for (guint i = 0; i < s->runs->len; i++)
    {
      const SrlSweepRun *r = s->runs->pdata[i];
      printf ("  %-40s %s%s%s\n", r->name, srl_sweep_state_name (r->state), r->error ? ": " : "",
              r->error ? r->error : "");
    }
}

/* The next run to start at or after *next, or FALSE. */
static gboolean
next_pending (SrlSweep *s, guint *next)
{
  for (; *next < s->runs->len; (*next)++)
    {
      SrlSweepRun *r = s->runs->pdata[*next];
      if (r->state == SRL_SWEEP_PENDING || r->state == SRL_SWEEP_INTERRUPTED || r->state == SRL_SWEEP_LOST)
        return TRUE;
    }
  return FALSE;
}

/* Runs `jobs` at a time as child processes; TRUE unless stopped. */
static gboolean
run_local (SrlSweep *s, guint jobs)
{
  g_autoptr (GArray) running = g_array_new (FALSE, FALSE, sizeof (SrlSweepJob));
  guint next = 0;
  int stops_seen = 0;
  gboolean stopping = FALSE;
  double last_line = 0;
  const char *host = g_get_host_name ();
  for (;;)
    {
      int stops = srl_cli_stop_requests ();
      if (stops > stops_seen)
        {
          stops_seen = stops;
          if (!stopping)
            srl_sweep_event (s, "stopping: asking %u running run%s to write a checkpoint and stop (Ctrl-C again "
                                "kills them)", running->len, running->len == 1 ? "" : "s");
          else
            srl_sweep_event (s, "killing %u running run%s", running->len, running->len == 1 ? "" : "s");
          stopping = TRUE;
          /* The runs are in their own process groups: a terminal's Ctrl-C
           * reached only us, and each run gets exactly one SIGINT per ours. */
          for (guint j = 0; j < running->len; j++)
            kill (g_array_index (running, SrlSweepJob, j).pid, SIGINT);
        }
      while (!stopping && running->len < jobs && next_pending (s, &next))
        {
          SrlSweepJob job;
          g_autoptr (GError) error = NULL;
          guint i = next++;
          if (!srl_sweep_job_start (s, i, &job, &error))
            {
              srl_sweep_record_end (s, i, SRL_SWEEP_FAILED, error->message, 0);
              continue;
            }
          srl_sweep_record_start (s, i, host, job.resumed);
          g_array_append_val (running, job);
        }
      if (running->len == 0)
        break;
      for (guint j = running->len; j-- > 0;)
        {
          SrlSweepJob *job = &g_array_index (running, SrlSweepJob, j);
          SrlSweepState state;
          g_autofree char *reason = NULL;
          if (!srl_sweep_job_poll (s, job, stopping, &state, &reason))
            continue;
          srl_sweep_record_end (s, job->run, state, reason, srl_now () - job->started);
          g_array_remove_index (running, j);
        }
      double now = srl_now ();
      if (now - last_line > 0.5)
        {
          srl_sweep_progress (s);
          last_line = now;
        }
      g_usleep (50000);
    }
  srl_sweep_progress_clear (s);
  return !stopping;
}

const char *
srl_cli_mpi_description (void)
{
#ifdef HAVE_MPI
  static char text[128];
  g_snprintf (text, sizeof text, "MPI: %s (softrl sweep under mpirun spreads runs over the ranks)",
              srl_sweep_mpi_version ());
  return text;
#else
  return "MPI: no (built without Open MPI; softrl sweep runs on one machine)";
#endif
}

int
srl_cmd_sweep (int argc, char **argv)
{
  gint64 jobs = 1;
  g_autofree char *out = NULL;
  gboolean retry_failed = FALSE, list = FALSE;
  double heartbeat = 10, rank_timeout = 120;
  GOptionEntry entries[] = {
    { "jobs", 'j', 0, G_OPTION_ARG_INT64, &jobs, "runs at a time on this machine (under MPI: on each rank; default 1)",
      "N" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "the sweep's directory (default sweeps/NAME)", "DIR" },
    { "retry-failed", 0, 0, G_OPTION_ARG_NONE, &retry_failed,
      "run failed runs again (from their last checkpoint when they have one)", NULL },
    { "list", 0, 0, G_OPTION_ARG_NONE, &list, "validate, list the variants and runs with their state, start nothing",
      NULL },
    { "heartbeat", 0, 0, G_OPTION_ARG_DOUBLE, &heartbeat, "MPI: seconds between a rank's signs of life (default 10)",
      "S" },
    { "rank-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &rank_timeout,
      "MPI: a rank silent this long is given up and the job ends once the others are done (default 120)", "S" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("SWEEP[.ini]");
  g_option_context_set_summary (
    ctx, "Run every variant of a sweep file with every seed, each run in DIR/VARIANT-seedN.\n"
         "Started again on the same DIR it skips finished runs and continues interrupted ones;\n"
         "a DIR that holds another sweep, or runs of softrl run, is refused.\n"
         "Under mpirun, rank 0 hands runs out and every other rank trains.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("sweep: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  if (argc != 2 || jobs < 1 || jobs > 4096 || !(heartbeat > 0) || !(rank_timeout > heartbeat))
    {
      srl_cli_error ("sweep: give one sweep file, -j between 1 and 4096, and --rank-timeout above --heartbeat "
                     "(see softrl sweep --help)");
      return SRL_EXIT_USAGE;
    }
  g_autofree char *sweep_file = srl_cli_find_experiment (argv[1], &error);
  if (!sweep_file)
    {
      srl_cli_error ("sweep: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  if (srl_sweep_mpi_launched () && !list)
    {
#ifdef HAVE_MPI
      return srl_sweep_mpi_main (sweep_file, out, (guint) jobs, retry_failed, heartbeat, rank_timeout);
#else
      srl_cli_error ("sweep: started as one of several MPI ranks, but this softrl was built without MPI (see "
                     "softrl --version); install libopenmpi-dev and build again, or run the sweep without mpirun");
      return SRL_EXIT_USAGE;
#endif
    }

  g_autoptr (SrlRegistry) registry = srl_cli_registry (FALSE);
  g_autoptr (SrlSweep) s = srl_sweep_load (registry, sweep_file, &error);
  if (!s)
    {
      srl_cli_error ("%s", error->message);
      return srl_cli_status (error);
    }
  if (list)
    {
      srl_sweep_set_out (s, out);
      if (!srl_sweep_check_out (s, &error))
        {
          srl_cli_error ("%s", error->message);
          return srl_cli_status (error);
        }
      srl_sweep_scan (s, retry_failed);
      print_list (s);
      return SRL_EXIT_OK;
    }
  if (!srl_sweep_open (s, out, TRUE, &error) || !srl_sweep_wait_for_owners (s, 60, &error))
    {
      srl_cli_error ("%s", error->message);
      return srl_cli_status (error);
    }
  srl_sweep_scan (s, retry_failed);
  if (!srl_sweep_write_manifest (s, &error))
    {
      srl_cli_error ("%s", error->message);
      return SRL_EXIT_FAILED;
    }
  g_autofree char *how = g_strdup_printf ("%" G_GINT64_FORMAT " at a time", jobs);
  srl_sweep_announce (s, how);
  s->slots = (guint) jobs;
  srl_cli_catch_stop_signals (FALSE);
  gboolean completed = run_local (s, (guint) jobs);
  return srl_sweep_finish (s, completed);
}

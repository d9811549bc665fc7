/* Sweeps: events (sweep.log and the terminal), the progress line, and the
 * closing lines. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "results.h"
#include "sweep.h"

/* ------------------------------------------------------------------ events and progress */

void
srl_sweep_progress_clear (SrlSweep *s)
{
  srl_console_clear (&s->console);
}

void
srl_sweep_event (SrlSweep *s, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (s->log)
    srl_log_line (s->log, msg);
  if (s->console.tty)
    srl_console_print (&s->console, msg);
  else
    {
      /* Interleaved with other programs' lines: say who and when. */
      g_autofree char *line = g_strdup_printf ("sweep %s: %s", s->name, msg);
      srl_log_line (stderr, line);
    }
}

/* The environment steps and seconds of a run's last progress row; FALSE
 * when it has none. */
static gboolean
run_last_progress (const SrlSweepRun *r, double *steps, double *wall)
{
  g_autofree char *path = g_build_filename (r->dir, SRL_RUN_PROGRESS, NULL);
  g_autoptr (SrlTable) t = srl_table_read (path, NULL);
  int cs = t ? srl_table_column (t, "env_steps") : -1, cw = t ? srl_table_column (t, "wall_s") : -1;
  if (cs < 0 || cw < 0 || !t->n_rows)
    return FALSE;
  *steps = srl_table_get (t, t->n_rows - 1, cs);
  *wall = srl_table_get (t, t->n_rows - 1, cw);
  return isfinite (*steps) && isfinite (*wall) && *steps > 0 && *wall > 0;
}

/* Seconds left: the steps every unfinished run still has to take, at the
 * pace (seconds per step, from progress.csv) the running runs keep, spread
 * over the slots; NAN while no running run has written a row. */
static double
time_left_from_progress (const SrlSweep *s)
{
  double pace_steps = 0, pace_wall = 0, to_go = 0;
  for (guint i = 0; i < s->runs->len; i++)
    {
      const SrlSweepRun *r = s->runs->pdata[i];
      if (r->state == SRL_SWEEP_FINISHED || r->state == SRL_SWEEP_FAILED)
        continue;
      GKeyFile *kf = ((const SrlSweepVariant *) s->variants->pdata[r->variant])->resolved;
      double total = kf ? (double) g_key_file_get_int64 (kf, "experiment", "epochs", NULL)
                            * (double) g_key_file_get_int64 (kf, "experiment", "steps_per_epoch", NULL)
                        : 0;
      double steps = 0, wall = 0;
      if (r->state != SRL_SWEEP_PENDING && run_last_progress (r, &steps, &wall) && r->state == SRL_SWEEP_RUNNING)
        {
          pace_steps += steps;
          pace_wall += wall;
        }
      to_go += MAX (total - steps, 0);
    }
  return pace_steps > 0 && s->slots ? to_go * (pace_wall / pace_steps) / s->slots : NAN;
}

void
srl_sweep_progress (SrlSweep *s)
{
  if (!s->console.tty)
    return;
  double t = srl_now () - s->started;
  guint running = srl_sweep_count (s, SRL_SWEEP_RUNNING);
  guint waiting = srl_sweep_count (s, SRL_SWEEP_PENDING) + srl_sweep_count (s, SRL_SWEEP_INTERRUPTED)
                  + srl_sweep_count (s, SRL_SWEEP_LOST);
  g_autofree char *left = NULL;
  /* From the runs' progress, so that it moves while runs train; read every
   * two seconds, not on each line, and counted down in between. */
  static double rest = NAN, estimated_at = -INFINITY;
  if (srl_now () - estimated_at > 2)
    {
      rest = time_left_from_progress (s);
      estimated_at = srl_now ();
    }
  double shown = isfinite (rest) ? MAX (rest - (srl_now () - estimated_at), 0) : NAN;
  if (!isfinite (shown) && s->n_done_here && s->slots)
    {
      /* Before any row: the mean time of the runs finished so far. */
      double per_run = s->done_here_wall / s->n_done_here;
      shown = (waiting + 0.5 * running) * per_run / s->slots;
    }
  if (isfinite (shown))
    left = g_strdup_printf (", about %dm%02ds left", (int) (shown / 60), (int) fmod (shown, 60));
  g_autofree char *line = g_strdup_printf ("sweep %s: %u/%u done, %u running, %u failed, %u waiting  %dm%02ds%s", s->name,
           srl_sweep_count (s, SRL_SWEEP_FINISHED), s->runs->len, running, srl_sweep_count (s, SRL_SWEEP_FAILED),
           waiting, (int) (t / 60), (int) fmod (t, 60), left ? left : "");
  srl_console_progress (&s->console, line);
}

/* The closing lines and the exit status of a sweep, local or MPI. */
int
srl_sweep_finish (SrlSweep *s, gboolean completed)
{
  guint finished = srl_sweep_count (s, SRL_SWEEP_FINISHED), failed = srl_sweep_count (s, SRL_SWEEP_FAILED);
  guint left = s->runs->len - finished - failed;
  srl_sweep_event (s, "%s: %u finished, %u failed, %u to do", completed ? "done" : "stopped", finished, failed, left);
  if (!completed)
    {
      printf ("interrupted; run the same command again to continue (%s)\n", s->out);
      return SRL_EXIT_INTERRUPTED;
    }
  printf ("results: %s\n  softrl summarize %s\n  softrl plot %s -o %s/curves.png\n", s->out, s->out, s->out, s->out);
  if (failed)
    fprintf (stderr, "softrl: sweep: %u run%s failed; %s/%s lists why (softrl sweep --retry-failed runs them again)\n",
             failed, failed == 1 ? "" : "s", s->out, SRL_SWEEP_MANIFEST);
  return failed ? SRL_EXIT_FAILED : SRL_EXIT_OK;
}

char *
srl_sweep_grid_text (const SrlSweep *s)
{
  guint v = s->variants->len, r = s->runs->len;
  return g_strdup_printf ("%u variant%s × %u seed%s = %u run%s", v, v == 1 ? "" : "s", s->n_seeds,
                          s->n_seeds == 1 ? "" : "s", r, r == 1 ? "" : "s");
}

/* Announce what a (re)started sweep will do. */
void
srl_sweep_announce (SrlSweep *s, const char *how)
{
  guint finished = srl_sweep_count (s, SRL_SWEEP_FINISHED), failed = srl_sweep_count (s, SRL_SWEEP_FAILED);
  g_autofree char *grid = srl_sweep_grid_text (s);
  srl_sweep_event (s, "%s in %s; %u finished before, %u failed before, %u to run %s", grid, s->out, finished, failed,
                   s->runs->len - finished - failed, how);
  if (failed)
    srl_sweep_event (s, "%u run%s failed before and stay%s failed (--retry-failed runs them again)", failed,
                     failed == 1 ? "" : "s", failed == 1 ? "s" : "");
}

/* Sweeps: the sweep, its variants and runs, and their states (see sweep.h).
 * Reading sweep files is in sweep-file.c, the output directory and its
 * manifest in sweep-dir.c, the runs' child processes in sweep-jobs.c, events
 * and the progress line in sweep-progress.c. */
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

const char *
srl_sweep_state_name (SrlSweepState state)
{
  switch (state)
    {
    case SRL_SWEEP_PENDING: return "pending";
    case SRL_SWEEP_RUNNING: return "running";
    case SRL_SWEEP_FINISHED: return "finished";
    case SRL_SWEEP_FAILED: return "failed";
    case SRL_SWEEP_INTERRUPTED: return "interrupted";
    case SRL_SWEEP_LOST: return "lost";
    }
  return "?";
}

guint
srl_sweep_count (const SrlSweep *s, SrlSweepState state)
{
  guint n = 0;
  for (guint i = 0; i < s->runs->len; i++)
    n += ((const SrlSweepRun *) s->runs->pdata[i])->state == state;
  return n;
}

void
srl_sweep_variant_free (gpointer p)
{
  SrlSweepVariant *v = p;
  g_free (v->name);
  g_free (v->label);
  g_free (v->experiment);
  g_strfreev (v->settings);
  if (v->resolved)
    g_key_file_unref (v->resolved);
  g_free (v);
}

void
srl_sweep_run_free (gpointer p)
{
  SrlSweepRun *r = p;
  g_free (r->name);
  g_free (r->dir);
  g_free (r->error);
  g_free (r->where);
  g_free (r);
}

void
srl_sweep_free (SrlSweep *s)
{
  if (!s)
    return;
  if (s->variants)
    g_ptr_array_unref (s->variants);
  if (s->runs)
    g_ptr_array_unref (s->runs);
  if (s->log)
    fclose (s->log);
  if (s->lock_fd >= 0)
    close (s->lock_fd);
  g_free (s->file);
  g_free (s->name);
  g_free (s->out);
  g_free (s->exe);
  g_free (s);
}



gboolean
srl_sweep_mpi_launched (void)
{
  /* Open MPI's mpirun, and PMIx or PMI launchers such as srun. */
  static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE" };
  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      const char *v = g_getenv (vars[i]);
      if (v && g_ascii_strtoll (v, NULL, 10) > 1)
        return TRUE;
    }
  /* srun without an MPI plugin still tells the job's size. */
  const char *tasks = g_getenv ("SLURM_STEP_NUM_TASKS");
  return g_getenv ("PMIX_RANK") && tasks && g_ascii_strtoll (tasks, NULL, 10) > 1;
}

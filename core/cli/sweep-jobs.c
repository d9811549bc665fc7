/* Sweeps: each run as a `softrl run` child process, started, watched and
 * recorded. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli.h"
#include "results.h"
#include "sweep.h"

/* ------------------------------------------------------------------ jobs */

static void
child_setup (gpointer data)
{
  /* Between fork and exec: async-signal-safe calls only. */
  pid_t parent = GPOINTER_TO_INT (data);
  setpgid (0, 0);
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
  if (getppid () != parent)
    kill (getpid (), SIGTERM);
}

static void
remove_in (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_unlink (path);
}

gboolean
srl_sweep_wait_for_owners (SrlSweep *s, double timeout, GError **error)
{
  double until = srl_now () + timeout;
  for (guint i = 0; i < s->runs->len; i++)
    {
      SrlSweepRun *r = s->runs->pdata[i];
      gboolean told = FALSE;
      for (;;)
        {
          g_autofree char *holder = srl_dir_lock_holder (r->dir, SRL_RUN_LOCK);
          if (!holder)
            break;
          if (srl_now () > until)
            {
              g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                           "%s: its run is still going in %s (an earlier sweep's, or a `softrl run`); stop it or "
                           "wait for it, then start the sweep again", r->dir, holder);
              return FALSE;
            }
          if (!told)
            srl_sweep_event (s, "waiting for %s, still going in %s (told to stop when its sweep died)", r->name,
                             holder);
          told = TRUE;
          g_usleep (100000);
        }
    }
  return TRUE;
}

gboolean
srl_sweep_job_start (SrlSweep *s, guint i, SrlSweepJob *job, GError **error)
{
  SrlSweepRun *r = s->runs->pdata[i];
  const SrlSweepVariant *v = s->variants->pdata[r->variant];
  if (g_mkdir_with_parents (r->dir, 0755) != 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot create: %s", r->dir, g_strerror (errno));
      return FALSE;
    }
  gboolean resume = srl_sweep_run_resumable (r);
  if (!resume)
    {
      /* Stopped before its first checkpoint: start again (log.txt and
       * output.txt keep the history). */
      remove_in (r->dir, SRL_RUN_CONFIG);
      remove_in (r->dir, SRL_RUN_PROGRESS);
      remove_in (r->dir, SRL_RUN_POLICY);
      remove_in (r->dir, SRL_RUN_STATUS);
    }
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup (s->exe));
  g_ptr_array_add (argv, g_strdup ("run"));
  if (resume)
    {
      g_ptr_array_add (argv, g_strdup ("--resume"));
      g_ptr_array_add (argv, g_strdup (r->dir));
    }
  else
    {
      g_ptr_array_add (argv, g_strdup (v->experiment));
      for (guint k = 0; v->settings[k]; k++)
        {
          g_ptr_array_add (argv, g_strdup ("--set"));
          g_ptr_array_add (argv, g_strdup (v->settings[k]));
        }
      g_ptr_array_add (argv, g_strdup ("--set"));
      g_ptr_array_add (argv, g_strdup_printf ("experiment.name=%s", v->name));
      g_ptr_array_add (argv, g_strdup_printf ("--seed=%" G_GUINT64_FORMAT, r->seed));
      g_ptr_array_add (argv, g_strdup ("--out"));
      g_ptr_array_add (argv, g_strdup (r->dir));
    }
  g_ptr_array_add (argv, g_strdup ("-q"));
  g_ptr_array_add (argv, NULL);

  g_autofree char *output = g_build_filename (r->dir, SRL_RUN_OUTPUT, NULL);
  int fd = open (output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot open: %s", output, g_strerror (errno));
      return FALSE;
    }
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  g_autofree char *cmdline = g_strjoinv (" ", (char **) argv->pdata);
  g_autofree char *header = g_strdup_printf ("---- %s %s on %s: %s\n", stamp, resume ? "resumed" : "started",
                                             g_get_host_name (), cmdline);
  if (write (fd, header, strlen (header)) < 0)
    {
      /* The header is only a courtesy. */
    }
  g_auto (GStrv) envp = g_get_environ ();
  if (!g_environ_getenv (envp, "OPENBLAS_NUM_THREADS"))
    envp = g_environ_setenv (envp, "OPENBLAS_NUM_THREADS", "1", TRUE);
  GPid pid = 0;
  gboolean ok = g_spawn_async_with_fds (NULL, (char **) argv->pdata, envp,
                                        G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL, child_setup,
                                        GINT_TO_POINTER ((int) getpid ()), &pid, -1, fd, fd, error);
  close (fd);
  if (!ok)
    return FALSE;
  job->pid = pid;
  job->run = i;
  job->started = srl_now ();
  job->resumed = resume;
  r->state = SRL_SWEEP_RUNNING;
  return TRUE;
}

/* The last "softrl: …" line the latest attempt printed, or NULL. */
static char *
last_error_line (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, SRL_RUN_OUTPUT, NULL);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  char *found = NULL;
  for (guint i = 0; lines[i]; i++)
    {
      if (g_str_has_prefix (lines[i], "---- "))
        g_clear_pointer (&found, g_free);
      else if (g_str_has_prefix (lines[i], "softrl: "))
        {
          g_free (found);
          found = g_strdup (lines[i] + strlen ("softrl: "));
        }
    }
  return found;
}

static SrlSweepState
srl_sweep_job_end (SrlSweep *s, const SrlSweepJob *job, int ws, gboolean stopping, char **error)
{
  SrlSweepRun *r = s->runs->pdata[job->run];
  g_autofree char *status = srl_sweep_read_run_status (r->dir);
  *error = NULL;
  if (WIFEXITED (ws))
    {
      int code = WEXITSTATUS (ws);
      if (code == SRL_EXIT_OK && status && strcmp (status, "finished") == 0)
        return SRL_SWEEP_FINISHED;
      if (code == SRL_EXIT_INTERRUPTED)
        return SRL_SWEEP_INTERRUPTED;
      if (status && g_str_has_prefix (status, "failed: "))
        *error = g_strdup (status + strlen ("failed: "));
      else
        {
          *error = last_error_line (r->dir);
          if (!*error)
            *error = code == SRL_EXIT_OK ? g_strdup ("exited without finishing")
                                         : g_strdup_printf ("exited with status %d", code);
          g_autofree char *text = g_strconcat ("failed: ", *error, NULL);
          srl_sweep_write_run_status (s, r, text);
        }
      return SRL_SWEEP_FAILED;
    }
  int sig = WIFSIGNALED (ws) ? WTERMSIG (ws) : 0;
  if (stopping)
    {
      /* Killed by a second Ctrl-C: it continues from its last checkpoint. */
      srl_sweep_write_run_status (s, r, "interrupted");
      return SRL_SWEEP_INTERRUPTED;
    }
  *error = g_strdup_printf ("killed by signal %d (%s)", sig, g_strsignal (sig));
  g_autofree char *text = g_strconcat ("failed: ", *error, NULL);
  srl_sweep_write_run_status (s, r, text);
  return SRL_SWEEP_FAILED;
}

gboolean
srl_sweep_job_poll (SrlSweep *s, const SrlSweepJob *job, gboolean stopping, SrlSweepState *state, char **error)
{
  int ws = 0;
  pid_t p = waitpid (job->pid, &ws, WNOHANG);
  if (p == 0 || (p < 0 && errno == EINTR))
    return FALSE;
  if (p < 0)
    {
      *state = SRL_SWEEP_FAILED;
      *error = g_strdup_printf ("lost its process: %s", g_strerror (errno));
    }
  else
    *state = srl_sweep_job_end (s, job, ws, stopping, error);
  return TRUE;
}

double
srl_sweep_run_last_return (const SrlSweepRun *r)
{
  g_autofree char *path = g_build_filename (r->dir, SRL_RUN_PROGRESS, NULL);
  g_autoptr (SrlTable) t = srl_table_read (path, NULL);
  if (!t || !t->n_rows)
    return NAN;
  int c = srl_table_column (t, "eval_return_mean");
  return c < 0 ? NAN : srl_table_get (t, t->n_rows - 1, c);
}

gboolean
srl_sweep_run_resumable (const SrlSweepRun *r)
{
  g_autofree char *checkpoint = g_build_filename (r->dir, SRL_RUN_CHECKPOINT, NULL);
  g_autofree char *config = g_build_filename (r->dir, SRL_RUN_CONFIG, NULL);
  return g_file_test (checkpoint, G_FILE_TEST_IS_REGULAR) && g_file_test (config, G_FILE_TEST_IS_REGULAR);
}

static void
save_manifest (SrlSweep *s)
{
  g_autoptr (GError) error = NULL;
  if (!srl_sweep_write_manifest (s, &error))
    srl_sweep_event (s, "warning: %s", error->message);
}

void
srl_sweep_record_start (SrlSweep *s, guint i, const char *where, gboolean resumed)
{
  SrlSweepRun *r = s->runs->pdata[i];
  r->state = SRL_SWEEP_RUNNING;
  g_free (r->where);
  r->where = g_strdup (where);
  g_clear_pointer (&r->error, g_free);
  srl_sweep_event (s, "%s %s on %s", resumed ? "resumed" : "started", r->name, where);
  save_manifest (s);
}

void
srl_sweep_record_end (SrlSweep *s, guint i, SrlSweepState state, const char *error, double wall)
{
  SrlSweepRun *r = s->runs->pdata[i];
  r->state = state;
  g_free (r->error);
  r->error = g_strdup (error);
  r->wall = wall;
  g_autofree char *took = g_strdup_printf ("%dm%02ds", (int) (wall / 60), (int) fmod (wall, 60));
  switch (state)
    {
    case SRL_SWEEP_FINISHED:
      s->n_done_here++;
      s->done_here_wall += wall;
      srl_sweep_event (s, "finished %s in %s, final evaluation return %.1f", r->name, took,
                       srl_sweep_run_last_return (r));
      break;
    case SRL_SWEEP_FAILED:
      srl_sweep_event (s, "FAILED %s after %s: %s", r->name, took, error ? error : "unknown error");
      break;
    case SRL_SWEEP_INTERRUPTED:
      srl_sweep_event (s, "interrupted %s after %s; it continues from its checkpoint next time", r->name, took);
      break;
    case SRL_SWEEP_LOST:
      srl_sweep_event (s, "lost %s: %s; it continues from its last checkpoint next time", r->name,
                       error ? error : "its rank stopped answering");
      break;
    case SRL_SWEEP_PENDING:
    case SRL_SWEEP_RUNNING:
      break;
    }
  save_manifest (s);
}

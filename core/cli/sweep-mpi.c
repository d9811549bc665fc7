/* softrl sweep over the ranks of an MPI job: rank 0 hands runs out as ranks
 * become free and keeps the manifest; every other rank trains its runs as
 * `softrl run` child processes, so a run that crashes is recorded as failed
 * and the rank goes on.  Compiled only when configure found Open MPI.
 *
 * The protocol is a handful of small messages on MPI_COMM_WORLD, sent with
 * MPI_Isend and received by polling, so neither side ever blocks in MPI
 * (a send to a stopped process may never complete):
 *
 *   worker → 0   READY (one per free slot), DONE (a run ended), HEARTBEAT,
 *                STOPPING (a signal reached the worker), BYE (leaving)
 *   0 → worker   ASSIGN (a run), STOP (no more work), INTERRUPT (Ctrl-C)
 *
 * Errors return (MPI_ERRORS_RETURN) instead of aborting.  A worker silent
 * for --rank-timeout seconds (heartbeats come every --heartbeat seconds), or
 * that does not take a message for as long, is given up: its runs are recorded as lost and continue from their
 * checkpoints next time, and once the others are done rank 0 ends the job
 * with MPI_Abort, because MPI_Finalize would wait for the silent rank
 * forever.  A worker whose rank 0 does not answer or take messages for as
 * long stops its runs and ends the job the same way.  A rank that dies outright makes mpirun end the
 * job; the runs it had continue from their checkpoints next time. */
#include <mpi.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "sweep.h"

#define TAG 4242
#define POLL_US 20000

enum {
  MSG_READY = 1,
  MSG_DONE,
  MSG_HEARTBEAT,
  MSG_STOPPING,
  MSG_BYE,
  MSG_ASSIGN,
  MSG_STOP,
  MSG_INTERRUPT,
};

typedef struct {
  gint32 type;
  gint32 run;
  gint32 state;   /* SrlSweepState of DONE */
  gint32 resumed;
  double wall;    /* seconds of the attempt */
  char text[1024]; /* READY: the host; DONE: the error */
} Message;

const char *
srl_sweep_mpi_version (void)
{
  return "Open MPI " G_STRINGIFY (OMPI_MAJOR_VERSION) "." G_STRINGIFY (OMPI_MINOR_VERSION) "." G_STRINGIFY (
    OMPI_RELEASE_VERSION);
}

/* Messages on their way: sent with MPI_Isend and tested each turn, so a
 * receiver that stopped (a hung node: a send to it may not complete) never
 * blocks the sender. */
typedef struct {
  MPI_Request request;
  Message message;
  int dest;
  double since;
} Outgoing;

static GPtrArray *outbox;

static gboolean
send_message (int dest, int type, int run, int state, double wall, const char *text)
{
  if (!outbox)
    outbox = g_ptr_array_new ();
  Outgoing *o = g_new0 (Outgoing, 1);
  o->dest = dest;
  o->since = srl_now ();
  o->message.type = type;
  o->message.run = run;
  o->message.state = state;
  o->message.wall = wall;
  if (text)
    g_strlcpy (o->message.text, text, sizeof o->message.text);
  if (MPI_Isend (&o->message, sizeof o->message, MPI_BYTE, dest, TAG, MPI_COMM_WORLD, &o->request) != MPI_SUCCESS)
    {
      g_free (o);
      return FALSE;
    }
  g_ptr_array_add (outbox, o);
  return TRUE;
}

/* Complete what can be; the rank of a receiver that has not taken a message
 * for `timeout` seconds (or whose send failed), else -1.  The message of a
 * stuck send stays allocated: MPI may still read it. */
static int
outbox_progress (double timeout)
{
  double now = srl_now ();
  for (guint i = 0; outbox && i < outbox->len;)
    {
      Outgoing *o = outbox->pdata[i];
      int done = 0;
      if (MPI_Test (&o->request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS || (!done && now - o->since > timeout))
        {
          g_ptr_array_remove_index (outbox, i);
          return o->dest;
        }
      if (done)
        {
          g_ptr_array_remove_index (outbox, i);
          g_free (o);
        }
      else
        i++;
    }
  return -1;
}

/* Wait up to `timeout` seconds for the messages on their way. */
static void
outbox_drain (double timeout)
{
  double t0 = srl_now ();
  while (outbox && outbox->len && srl_now () - t0 < timeout)
    {
      if (outbox_progress (timeout) >= 0)
        return;
      g_usleep (POLL_US);
    }
}

/* A message waiting from `source` (MPI_ANY_SOURCE), without blocking. */
static gboolean
poll_message (int source, Message *m, int *from, gboolean *failed)
{
  int flag = 0;
  MPI_Status st;
  *failed = FALSE;
  if (MPI_Iprobe (source, TAG, MPI_COMM_WORLD, &flag, &st) != MPI_SUCCESS)
    {
      *failed = TRUE;
      return FALSE;
    }
  if (!flag)
    return FALSE;
  if (MPI_Recv (m, sizeof *m, MPI_BYTE, st.MPI_SOURCE, TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE) != MPI_SUCCESS)
    {
      *failed = TRUE;
      return FALSE;
    }
  m->text[sizeof m->text - 1] = '\0';
  *from = st.MPI_SOURCE;
  return TRUE;
}

static void
abort_job (int code)
{
  fflush (stdout);
  fflush (stderr);
  MPI_Abort (MPI_COMM_WORLD, code);
}

/* ------------------------------------------------------------------ rank 0 */

typedef struct {
  char *host;
  double last_heard;
  gboolean stop_sent, done, dead;
  GArray *runs; /* guint: runs it is training */
} Worker;

static char *
worker_where (const Worker *w, int rank)
{
  return w->host ? g_strdup (w->host) : g_strdup_printf ("? (rank %d)", rank);
}

static void
give_up (SrlSweep *s, Worker *w, int rank, const char *why)
{
  w->dead = TRUE;
  g_autofree char *where = worker_where (w, rank);
  srl_sweep_event (s, "%s: %s; given up", where, why);
  for (guint k = 0; k < w->runs->len; k++)
    {
      g_autofree char *reason = g_strdup_printf ("%s %s", where, why);
      srl_sweep_record_end (s, g_array_index (w->runs, guint, k), SRL_SWEEP_LOST, reason, 0);
    }
  g_array_set_size (w->runs, 0);
}

static void
remove_run (Worker *w, guint run)
{
  for (guint k = 0; k < w->runs->len; k++)
    if (g_array_index (w->runs, guint, k) == run)
      {
        g_array_remove_index (w->runs, k);
        return;
      }
}

static int
coordinate (SrlSweep *s, int size, guint jobs, gboolean retry_failed, double rank_timeout)
{
  srl_sweep_scan (s, retry_failed);
  g_autoptr (GError) error = NULL;
  if (!srl_sweep_write_manifest (s, &error))
    srl_sweep_event (s, "warning: %s", error->message);
  g_autofree char *how = g_strdup_printf ("on %d training ranks, %u at a time on each", size - 1, jobs);
  srl_sweep_announce (s, how);
  s->slots = (size - 1) * jobs;

  Worker *workers = g_new0 (Worker, size);
  double now = srl_now ();
  for (int w = 1; w < size; w++)
    {
      workers[w].last_heard = now;
      workers[w].runs = g_array_new (FALSE, FALSE, sizeof (guint));
    }
  guint next = 0;
  int stops_seen = 0;
  gboolean interrupting = FALSE, gave_up = FALSE;
  double last_line = 0;
  for (;;)
    {
      int stops = srl_cli_stop_requests ();
      if (stops > stops_seen)
        {
          stops_seen = stops;
          srl_sweep_event (s, interrupting ? "killing the runs" : "stopping: the runs write a checkpoint and stop");
          interrupting = TRUE;
          for (int w = 1; w < size; w++)
            if (!workers[w].done && !workers[w].dead)
              {
                workers[w].stop_sent = TRUE;
                if (!send_message (w, MSG_INTERRUPT, -1, 0, 0, NULL))
                  give_up (s, &workers[w], w, "cannot be reached");
              }
        }
      Message m;
      int from;
      gboolean failed;
      while (poll_message (MPI_ANY_SOURCE, &m, &from, &failed))
        {
          Worker *w = &workers[from];
          if (from <= 0 || from >= size || w->dead)
            continue;
          w->last_heard = srl_now ();
          switch (m.type)
            {
            case MSG_READY:
              if (!w->host && m.text[0])
                w->host = g_strdup (m.text);
              if (w->stop_sent)
                break;
              while (next < s->runs->len)
                {
                  SrlSweepRun *r = s->runs->pdata[next];
                  if (r->state == SRL_SWEEP_PENDING || r->state == SRL_SWEEP_INTERRUPTED || r->state == SRL_SWEEP_LOST)
                    break;
                  next++;
                }
              if (interrupting || next >= s->runs->len)
                {
                  w->stop_sent = TRUE;
                  if (!send_message (from, MSG_STOP, -1, 0, 0, NULL))
                    give_up (s, w, from, "cannot be reached");
                  break;
                }
              {
                guint i = next++;
                SrlSweepRun *r = s->runs->pdata[i];
                g_autofree char *where = worker_where (w, from);
                srl_sweep_record_start (s, i, where, srl_sweep_run_resumable (r));
                g_array_append_val (w->runs, i);
                if (!send_message (from, MSG_ASSIGN, (int) i, 0, 0, NULL))
                  give_up (s, w, from, "cannot be reached");
              }
              break;
            case MSG_DONE:
              if (m.run >= 0 && (guint) m.run < s->runs->len)
                {
                  remove_run (w, (guint) m.run);
                  srl_sweep_record_end (s, (guint) m.run, (SrlSweepState) m.state, m.text[0] ? m.text : NULL, m.wall);
                }
              break;
            case MSG_STOPPING:
              if (!w->stop_sent)
                {
                  w->stop_sent = TRUE;
                  if (!send_message (from, MSG_STOP, -1, 0, 0, NULL))
                    give_up (s, w, from, "cannot be reached");
                }
              break;
            case MSG_BYE:
              w->done = TRUE;
              break;
            default:
              break;
            }
        }
      if (failed)
        {
          srl_sweep_event (s, "MPI failed while receiving; ending the job");
          gave_up = TRUE;
          break;
        }
      for (int stuck; (stuck = outbox_progress (rank_timeout)) >= 0;)
        if (stuck > 0 && stuck < size && !workers[stuck].dead)
          {
            give_up (s, &workers[stuck], stuck, "does not take messages");
            gave_up = TRUE;
          }
      now = srl_now ();
      gboolean all_done = TRUE;
      for (int w = 1; w < size; w++)
        {
          Worker *wk = &workers[w];
          if (wk->done || wk->dead)
            continue;
          if (now - wk->last_heard > rank_timeout)
            {
              g_autofree char *why = g_strdup_printf ("silent for %.0f s", now - wk->last_heard);
              give_up (s, wk, w, why);
              gave_up = TRUE;
              continue;
            }
          all_done = FALSE;
        }
      if (all_done)
        break;
      if (now - last_line > 0.5)
        {
          srl_sweep_progress (s);
          last_line = now;
        }
      g_usleep (POLL_US);
    }
  srl_sweep_progress_clear (s);
  /* Runs handed to no one because the job was stopped stay to do. */
  int code = srl_sweep_finish (s, !interrupting && !gave_up);
  if (gave_up)
    code = SRL_EXIT_FAILED;
  for (int w = 1; w < size; w++)
    {
      g_free (workers[w].host);
      if (workers[w].runs)
        g_array_unref (workers[w].runs);
    }
  g_free (workers);
  if (!gave_up)
    outbox_drain (rank_timeout);
  if (gave_up)
    {
      srl_sweep_event (s, "ending the job with MPI_Abort: a rank that stopped answering would keep MPI_Finalize "
                          "waiting forever; start the sweep again to continue");
      abort_job (code);
    }
  return code;
}

/* ------------------------------------------------------------------ other ranks */

static int
train (SrlSweep *s, guint jobs, double heartbeat, double rank_timeout)
{
  g_autoptr (GArray) running = g_array_new (FALSE, FALSE, sizeof (SrlSweepJob));
  int rank = 0;
  MPI_Comm_rank (MPI_COMM_WORLD, &rank);
  /* How rank 0 names this rank in events and the manifest. */
  g_autofree char *host = g_strdup_printf ("%s (rank %d, pid %d)", g_get_host_name (), rank, (int) getpid ());
  gboolean stop = FALSE, stopping = FALSE;
  int stops_seen = 0;
  guint asked = 0; /* READY messages not answered yet */
  double last_sent = srl_now (), asked_since = 0;
  for (guint k = 0; k < jobs; k++)
    if (!send_message (0, MSG_READY, -1, 0, 0, host))
      abort_job (SRL_EXIT_FAILED);
  asked = jobs;
  asked_since = srl_now ();
  for (;;)
    {
      int stops = srl_cli_stop_requests ();
      if (stops > stops_seen)
        {
          /* A signal to this rank itself (mpirun, a batch scheduler's
           * time limit): checkpoint the runs and leave. */
          stops_seen = stops;
          for (guint j = 0; j < running->len; j++)
            kill (g_array_index (running, SrlSweepJob, j).pid, SIGINT);
          if (!stopping && !send_message (0, MSG_STOPPING, -1, 0, 0, NULL))
            abort_job (SRL_EXIT_FAILED);
          stopping = TRUE;
        }
      Message m;
      int from;
      gboolean failed;
      while (poll_message (0, &m, &from, &failed))
        {
          switch (m.type)
            {
            case MSG_ASSIGN:
              asked = asked ? asked - 1 : 0;
              asked_since = srl_now ();
              if (m.run < 0 || (guint) m.run >= s->runs->len)
                break;
              if (stopping)
                {
                  send_message (0, MSG_DONE, m.run, SRL_SWEEP_INTERRUPTED, 0, "its rank was stopping");
                  break;
                }
              {
                SrlSweepJob job;
                g_autoptr (GError) error = NULL;
                if (srl_sweep_job_start (s, (guint) m.run, &job, &error))
                  g_array_append_val (running, job);
                else
                  {
                    send_message (0, MSG_DONE, m.run, SRL_SWEEP_FAILED, 0, error->message);
                    send_message (0, MSG_READY, -1, 0, 0, host);
                    asked++;
                  }
              }
              break;
            case MSG_STOP:
              stop = TRUE;
              asked = 0;
              break;
            case MSG_INTERRUPT:
              stop = TRUE;
              asked = 0;
              for (guint j = 0; j < running->len; j++)
                kill (g_array_index (running, SrlSweepJob, j).pid, SIGINT);
              stopping = TRUE;
              break;
            default:
              break;
            }
        }
      if (failed || outbox_progress (rank_timeout) >= 0)
        {
          fprintf (stderr, "softrl: sweep: rank 0 does not take messages; ending the job\n");
          for (guint j = 0; j < running->len; j++)
            kill (g_array_index (running, SrlSweepJob, j).pid, SIGINT);
          abort_job (SRL_EXIT_FAILED);
        }
      for (guint j = running->len; j-- > 0;)
        {
          SrlSweepJob *job = &g_array_index (running, SrlSweepJob, j);
          SrlSweepState state;
          g_autofree char *reason = NULL;
          if (!srl_sweep_job_poll (s, job, stopping, &state, &reason))
            continue;
          if (!send_message (0, MSG_DONE, (int) job->run, state, srl_now () - job->started, reason))
            abort_job (SRL_EXIT_FAILED);
          g_array_remove_index (running, j);
          last_sent = srl_now ();
          if (!stop && !stopping)
            {
              if (!send_message (0, MSG_READY, -1, 0, 0, host))
                abort_job (SRL_EXIT_FAILED);
              if (!asked)
                asked_since = srl_now ();
              asked++;
            }
        }
      if (stop && running->len == 0)
        break;
      double now = srl_now ();
      if (asked && !stop && now - asked_since > rank_timeout)
        {
          fprintf (stderr, "softrl: sweep: rank 0 has not answered for %.0f s; ending the job\n", now - asked_since);
          for (guint j = 0; j < running->len; j++)
            kill (g_array_index (running, SrlSweepJob, j).pid, SIGINT);
          abort_job (SRL_EXIT_FAILED);
        }
      if (now - last_sent > heartbeat)
        {
          if (!send_message (0, MSG_HEARTBEAT, -1, 0, 0, NULL))
            abort_job (SRL_EXIT_FAILED);
          last_sent = now;
        }
      g_usleep (POLL_US);
    }
  if (!send_message (0, MSG_BYE, -1, 0, 0, NULL))
    abort_job (SRL_EXIT_FAILED);
  outbox_drain (rank_timeout);
  return SRL_EXIT_OK;
}

/* ------------------------------------------------------------------ both */

int
srl_sweep_mpi_main (const char *file, const char *out, guint jobs, gboolean retry_failed, double heartbeat,
                    double rank_timeout)
{
  int provided = 0, rank = 0, size = 1;
  if (MPI_Init_thread (NULL, NULL, MPI_THREAD_SINGLE, &provided) != MPI_SUCCESS)
    {
      srl_cli_error ("sweep: MPI_Init failed");
      return SRL_EXIT_FAILED;
    }
  MPI_Comm_set_errhandler (MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank (MPI_COMM_WORLD, &rank);
  MPI_Comm_size (MPI_COMM_WORLD, &size);

  /* Every rank reads and validates the sweep: they must agree on the grid. */
  g_autoptr (GError) error = NULL;
  g_autoptr (SrlRegistry) registry = srl_cli_registry (rank != 0);
  g_autoptr (SrlSweep) s = srl_sweep_load (registry, file, &error);
  int mine[2] = { s ? (int) s->runs->len : -1, s ? -(int) s->runs->len : 1 };
  int all[2] = { 0, 0 };
  if (MPI_Allreduce (mine, all, 2, MPI_INT, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS)
    abort_job (SRL_EXIT_FAILED);
  if (!s)
    {
      g_autofree char *who = rank ? g_strdup_printf ("rank %d: ", rank) : g_strdup ("");
      srl_cli_error ("%s%s", who, error->message);
    }
  int status = SRL_EXIT_OK;
  if (all[0] < 0)
    status = s ? SRL_EXIT_USAGE : srl_cli_status (error);
  else if (all[0] != -all[1])
    {
      if (rank == 0)
        srl_cli_error ("sweep: the ranks read different sweeps from %s (%d to %d runs); every machine must see the "
                       "same files at the same paths", file, all[0], -all[1]);
      status = SRL_EXIT_USAGE;
    }
  else if (size < 2)
    {
      srl_cli_error ("sweep: an MPI sweep needs at least 2 ranks: rank 0 hands out runs, the others train");
      status = SRL_EXIT_USAGE;
    }

  /* Rank 0 takes the directory and tells the others where it is. */
  char dir[4096] = "";
  if (status == SRL_EXIT_OK && rank == 0)
    {
      /* Runs a lost rank started may still be finishing their step. */
      if (srl_sweep_open (s, out, TRUE, &error) && srl_sweep_wait_for_owners (s, 60, &error))
        g_strlcpy (dir, s->out, sizeof dir);
      else
        {
          /* A directory refused (another sweep's, say) is a usage error. */
          srl_cli_error ("%s", error->message);
          status = srl_cli_status (error);
        }
    }
  int agreed = status;
  if (MPI_Allreduce (&status, &agreed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS
      || MPI_Bcast (dir, sizeof dir, MPI_CHAR, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
    abort_job (SRL_EXIT_FAILED);
  if (agreed == SRL_EXIT_OK && !dir[0])
    agreed = SRL_EXIT_FAILED;
  if (agreed != SRL_EXIT_OK)
    {
      MPI_Finalize ();
      return agreed;
    }
  srl_cli_catch_stop_signals (FALSE);
  if (rank == 0)
    status = coordinate (s, size, jobs, retry_failed, rank_timeout);
  else
    {
      srl_sweep_set_out (s, dir);
      status = train (s, jobs, heartbeat, rank_timeout);
    }
  MPI_Finalize ();
  return status;
}

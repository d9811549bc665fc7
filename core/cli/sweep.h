/* softrl — sweeps: a grid of experiment variants times seeds, each run a
 * `softrl run` child process in its own directory (internal to the program).
 *
 * A sweep file is a keyfile with one [sweep] group:
 *
 *   [sweep]
 *   experiment = pendulum-sac.ini        # relative to the sweep file; a list
 *                                        # of experiments is an axis too
 *   seeds = 1;2;3
 *   algorithm.reward_scale = 1;3;10      # GROUP.KEY = one value or a list
 *   threshold = -200                     # optional, for softrl summarize
 *   name = reward-scale                  # optional, default the file name
 *
 * srl_sweep_load() validates everything before anything runs: every value
 * alone, then every combination loaded and its environment and algorithm
 * created, so a sweep never fails halfway on a typo.  The runs of a sweep
 * live in OUT/VARIANT-seedN; OUT/manifest.ini (written atomically) lists the
 * variants and the runs with their state for `softrl summarize` and
 * `softrl plot`; OUT/sweep.log keeps the sweep's events.  The local scheduler
 * (cmd-sweep.c) and the MPI one (sweep-mpi.c) share everything here.
 */
#ifndef SRL_SWEEP_H
#define SRL_SWEEP_H

#include <stdio.h>

#include "results.h"
#include "runner.h"

G_BEGIN_DECLS

#define SRL_SWEEP_LOG "sweep.log"
#define SRL_SWEEP_LOCK ".sweep.lock"

typedef enum {
  SRL_SWEEP_PENDING,     /* not started yet, or to be continued */
  SRL_SWEEP_RUNNING,
  SRL_SWEEP_FINISHED,
  SRL_SWEEP_FAILED,      /* recorded with its error; run again with --retry-failed */
  SRL_SWEEP_INTERRUPTED, /* stopped with a checkpoint; continued by the next start */
  SRL_SWEEP_LOST         /* its MPI rank stopped answering; continued by the next start */
} SrlSweepState;

const char *srl_sweep_state_name (SrlSweepState state);

typedef struct {
  char *name;       /* directory-safe and unique: "reward_scale=10", "pendulum-sac" */
  char *label;      /* for tables and legends: "reward_scale=10, tau=0.01" */
  char *experiment; /* the base experiment, absolute */
  GStrv settings;   /* its "group.key=value" overrides, in file order */
  GKeyFile *resolved; /* the resolved experiment (first seed), to notice edited files */
} SrlSweepVariant;

typedef struct {
  guint variant;    /* index into variants */
  guint64 seed;
  char *name;       /* "VARIANT-seedN": its directory under the sweep's */
  char *dir;        /* absolute */
  SrlSweepState state;
  char *error;      /* why it failed (or was lost), or NULL */
  char *where;      /* the host (and MPI rank) of its last attempt */
  double wall;      /* seconds of its last attempt */
} SrlSweepRun;

typedef struct {
  char *file;          /* the sweep file, absolute */
  char *name;
  char *out;           /* absolute, after srl_sweep_open() */
  GPtrArray *variants; /* SrlSweepVariant* */
  GPtrArray *runs;     /* SrlSweepRun*, variant-major, seeds in file order */
  guint n_seeds;
  gboolean has_threshold;
  double threshold;
  char *exe;           /* the softrl program runs are started with */
  FILE *log;
  int lock_fd;
  SrlConsole console;  /* on a terminal: one progress line */
  double started;
  guint slots;         /* runs at a time over the whole sweep, for the time left */
  guint n_done_here;   /* runs finished by this invocation, and their time */
  double done_here_wall;
} SrlSweep;

/* Free functions of the sweep's variants and runs arrays (sweep.c). */
void srl_sweep_variant_free (gpointer variant);
void srl_sweep_run_free (gpointer run);
/* A run directory's status file: its first line, stripped, or NULL when
 * there is none (transfer full); written atomically, a failure reported as
 * a sweep event (sweep-dir.c). */
char *srl_sweep_read_run_status (const char *dir);
void srl_sweep_write_run_status (SrlSweep *sweep, const SrlSweepRun *run, const char *status);

/* Read and validate FILE (see above).  transfer full. */
SrlSweep *srl_sweep_load (const SrlRegistry *registry, const char *file, GError **error);
void srl_sweep_free (SrlSweep *sweep);

/* Place the sweep in OUT (NULL: sweeps/NAME) without touching the disk. */
void srl_sweep_set_out (SrlSweep *sweep, const char *out);
/* Whether the sweep may work in its directory (placed by srl_sweep_set_out),
 * looking without touching: a directory that does not exist yet, or holds
 * neither a manifest nor runs, or holds this same sweep (see sweep.c).
 * Otherwise SRL_ERROR_CONFIG naming the directory, what it holds and what
 * to do: another sweep, a manifest.ini softrl did not write, runs the new
 * manifest would drop, a run of `softrl run` or a directory of them. */
gboolean srl_sweep_check_out (const SrlSweep *sweep, GError **error);
/* Use OUT (NULL: sweeps/NAME) as the sweep's directory: check it
 * (srl_sweep_check_out), create it, open its log and, when `lock`, take its
 * lock so that two sweeps never work in one directory.  The lock is
 * released by srl_sweep_free (or the process's end). */
gboolean srl_sweep_open (SrlSweep *sweep, const char *out, gboolean lock, GError **error);

/* Set each run's state from its directory: `finished` status → finished,
 * `failed: …` → failed (pending again when `retry_failed`), anything else →
 * pending.  Warns when a run's config.ini differs from what the sweep file
 * now gives. */
void srl_sweep_scan (SrlSweep *sweep, gboolean retry_failed);
/* Runs in `state`. */
guint srl_sweep_count (const SrlSweep *sweep, SrlSweepState state);
/* Write OUT/manifest.ini atomically. */
gboolean srl_sweep_write_manifest (const SrlSweep *sweep, GError **error);

/* One attempt at a run: a `softrl run` child process in its own process
 * group (so a terminal's Ctrl-C reaches the sweep only, which passes it on
 * once), told to stop with SIGTERM if the sweep dies, with
 * OPENBLAS_NUM_THREADS=1 unless set, its output appended to
 * RUNDIR/output.txt.  It continues from the run's checkpoint when there is
 * one and starts afresh otherwise. */
typedef struct {
  GPid pid;
  guint run;
  double started;
  gboolean resumed;
} SrlSweepJob;

gboolean srl_sweep_job_start (SrlSweep *sweep, guint run, SrlSweepJob *job, GError **error);
/* Wait, at most `timeout` seconds in all, until no process owns a run
 * directory of the sweep: the runs of a sweep that was killed stop at their
 * next step, and a restarted sweep must not start beside them.  FALSE with
 * SRL_ERROR_CONFIG naming a run and its process when one outlasts it. */
gboolean srl_sweep_wait_for_owners (SrlSweep *sweep, double timeout, GError **error);
/* Whether the job's process has ended (without waiting); then *state is
 * its outcome and *error (transfer full, or NULL) the reason of a failure,
 * and the run's status file tells the outcome.  `stopping`: the sweep asked
 * it to stop, so being killed means interrupted, not failed. */
gboolean srl_sweep_job_poll (SrlSweep *sweep, const SrlSweepJob *job, gboolean stopping, SrlSweepState *state,
                             char **error);
/* Whether a run has a checkpoint to continue from. */
gboolean srl_sweep_run_resumable (const SrlSweepRun *run);
/* Record that run `i` started on `where` (an event line, the manifest). */
void srl_sweep_record_start (SrlSweep *sweep, guint i, const char *where, gboolean resumed);
/* Record how run `i` ended (an event line, the manifest). */
void srl_sweep_record_end (SrlSweep *sweep, guint i, SrlSweepState state, const char *error, double wall);
/* The last evaluation return of a run (NAN when none), for event lines. */
double srl_sweep_run_last_return (const SrlSweepRun *run);

/* An event line: appended to OUT/sweep.log with the time, printed on stderr
 * (above the progress line on a terminal). */
void srl_sweep_event (SrlSweep *sweep, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* Redraw the progress line (a terminal only): runs done, running, failed. */
void srl_sweep_progress (SrlSweep *sweep);
void srl_sweep_progress_clear (SrlSweep *sweep);

/* "2 variants × 5 seeds = 10 runs" (transfer full). */
char *srl_sweep_grid_text (const SrlSweep *sweep);
/* The opening event line of a (re)started sweep; `how`: "2 at a time". */
void srl_sweep_announce (SrlSweep *sweep, const char *how);
/* The closing lines; the exit status (interrupted, failed or ok). */
int srl_sweep_finish (SrlSweep *sweep, gboolean completed);


/* Whether an MPI launcher (mpirun, srun) started this process as one of
 * several ranks. */
gboolean srl_sweep_mpi_launched (void);

#ifdef HAVE_MPI
/* The whole sweep over MPI ranks (sweep-mpi.c): rank 0 hands out runs,
 * the others train; the exit status. */
int srl_sweep_mpi_main (const char *file, const char *out, guint jobs, gboolean retry_failed, double heartbeat,
                        double rank_timeout);
/* "Open MPI X.Y.Z". */
const char *srl_sweep_mpi_version (void);
#endif

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlSweep, srl_sweep_free)

G_END_DECLS

#endif

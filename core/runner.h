/* softrl — training runs and their checkpoints (internal). */
#ifndef SRL_RUNNER_H
#define SRL_RUNNER_H

#include "agent.h"

G_BEGIN_DECLS

typedef enum {
  SRL_RUN_FINISHED,
  SRL_RUN_INTERRUPTED,
  SRL_RUN_FAILED
} SrlRunResult;

typedef struct {
  const char *out_dir;          /* NULL: runs/NAME-seedN-TIMESTAMP */
  gint64 interrupt_after_steps; /* > 0: behave as if Ctrl-C came after this many total steps (updates for an
                                   offline run; tests) */
  gboolean quiet;               /* no progress line or log lines on stderr */
} SrlRunOptions;

typedef struct _SrlRun SrlRun;

/* Whether `experiment` can run: its settings fit together, and its
 * environment and algorithm (with its sampler) are created once and freed;
 * FALSE with the error the run would have met, before any directory or
 * replay buffer exists. */
gboolean srl_experiment_check (const SrlRegistry *registry, SrlExperiment *experiment, GError **error);

/* Whether the machine has the memory a run of `experiment` needs, by a
 * lower bound made from its declared sizes (networks, their gradients and
 * Adam moments, workspaces, the replay buffer as full as the run fills it)
 * against what this process can get (MemAvailable with free swap, its
 * cgroup's limit, RLIMIT_AS); FALSE with a configuration error saying how
 * much is needed and how much there is (memory.c).  The _for variant takes
 * the environment's spec, when an environment exists already. */
gboolean srl_experiment_check_memory (const SrlExperiment *experiment, GError **error);
gboolean srl_experiment_check_memory_for (const SrlExperiment *experiment, const SrlEnvSpec *spec, GError **error);

/* A new run of `experiment` in a new directory.  Takes `experiment` over,
 * also when it fails; a directory it created for a run refused before
 * training is removed again. */
SrlRun *srl_run_new (const SrlRegistry *registry, SrlExperiment *experiment, const SrlRunOptions *options,
                     GError **error);
/* Continue the run in `run_dir` from its checkpoint. */
SrlRun *srl_run_resume (const SrlRegistry *registry, const char *run_dir, const char *const *overrides,
                        const SrlRunOptions *options, GError **error);
SrlRunResult srl_run_train (SrlRun *run, GError **error);
const char *srl_run_dir (const SrlRun *run);
void srl_run_free (SrlRun *run);

/* Ask every training run of this process to stop at its next step, write a
 * checkpoint and return SRL_RUN_INTERRUPTED.  Async-signal-safe: the
 * program calls it from its SIGINT/SIGTERM handler. */
void srl_run_request_stop (void);

/* ---- owner.c ---- */
/* Become the owner of directory `dir`: hold flock() on its file `lock_name`
 * (created if missing) and write "process PID on HOST" into it.  Returns the
 * file descriptor to close when done (the lock goes with it, or with the
 * process however it ends), or -1 with SRL_ERROR_CONFIG naming the process
 * that owns it; `what` names the kind of owner for that message ("run"). */
int srl_dir_lock (const char *dir, const char *lock_name, const char *what, GError **error);
/* Who owns `dir` ("process PID on HOST", transfer full), or NULL when
 * nobody holds its `lock_name`. */
char *srl_dir_lock_holder (const char *dir, const char *lock_name);
/* Whether the process `dir`'s `lock_name` names is known to have ended: it
 * ran on this machine and no process has its number now.  FALSE when that
 * cannot be known (no such file, another machine).  Takes no lock. */
gboolean srl_dir_owner_ended (const char *dir, const char *lock_name);
/* Remove the temporary files of writes that were interrupted in run
 * directory `dir` (only its owner may: they could be a live writer's);
 * returns how many. */
guint srl_run_remove_temporaries (const char *dir);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlRun, srl_run_free)

G_END_DECLS

#endif

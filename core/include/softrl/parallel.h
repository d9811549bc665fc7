/* softrl — fork-join parallelism for the independent pieces of an update.
 *
 * One process-wide pool of worker threads.  srl_parallel_run() hands it a
 * fixed list of tasks (for example: the Q-functions of SAC, each updated by
 * its own task) and returns when every task has run.  A task may run on any
 * of the threads, at the same time as the others, so tasks must only write
 * their own outputs; they may call cblas_sgemm (OpenBLAS is then held to one
 * thread of its own, see srl_parallel_set_threads()).
 *
 * Determinism: the work of task i is the same whichever thread runs it, and
 * tasks never share an accumulator, so results are bitwise identical with
 * any number of threads, as long as callers split their work into tasks in
 * a way that does not depend on the thread count (never "one task per
 * thread").  With one thread the tasks run in order on the calling thread.
 *
 * Idle workers spin for a few tens of microseconds waiting for the next
 * tasks, then sleep.  The pool never allocates after it is started: running
 * tasks is allocation-free.  A call from inside a task, or from a second
 * thread while the pool is busy, runs its tasks inline on that thread.
 */
#ifndef SOFTRL_PARALLEL_H
#define SOFTRL_PARALLEL_H

#include <glib.h>

G_BEGIN_DECLS

/* Task `index` of a srl_parallel_run() call; `data` is the caller's. */
typedef void (*SrlTaskFunc) (gpointer data, guint index);

/* Run func (data, 0) … func (data, n_tasks − 1), in parallel on up to
 * srl_parallel_get_threads() threads (the caller's among them), and return
 * when all have returned. */
void srl_parallel_run (guint n_tasks, SrlTaskFunc func, gpointer data);

/* Threads that run tasks (1 until set).  Setting it also sets OpenBLAS to
 * one thread of its own: the tasks are the parallelism, and OpenBLAS's
 * threads, which spin between calls, would compete with them for the cores
 * and cost more than they give on matrices this small.  Workers start on
 * the first parallel run.  Not to be called while tasks run. */
void srl_parallel_set_threads (guint n_threads);
guint srl_parallel_get_threads (void);

/* Subnormal floats (magnitudes below 1.2e-38) take x86 cores a microcode
 * assist of ~100 cycles per operation that meets one, and carry nothing a
 * network or an optimiser needs.  srl_flush_subnormals (TRUE) makes the
 * calling thread read them as zero and write zero instead (SSE's
 * denormals-are-zero and flush-to-zero, as TensorFlow's compute threads
 * run); FALSE restores IEEE behaviour.  The softrl program flushes unless
 * SOFTRL_SUBNORMALS=keep.  Tasks of srl_parallel_run() run with their
 * caller's floating-point control, whichever thread runs them, so results
 * stay independent of the thread count.  Returns FALSE where the CPU has no
 * such mode (then nothing changes). */
gboolean srl_flush_subnormals (gboolean flush);

/* The softrl program's thread policy: the threads given by the environment
 * variable SOFTRL_THREADS, else by OPENBLAS_NUM_THREADS (so that
 * OPENBLAS_NUM_THREADS=1 keeps a run on one thread, as for sweeps and the
 * tests), else one per online processor; applies it with
 * srl_parallel_set_threads() and returns it. */
guint srl_parallel_init_from_environment (void);

G_END_DECLS

#endif

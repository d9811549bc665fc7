/* The fork-join pool of softrl/parallel.h.
 *
 * A run publishes its tasks in one of two slots and then a 64-bit ticket
 * (generation << 32 | next task).  Threads claim task i by moving the
 * ticket from (generation, i) to (generation, i + 1) with a compare-and-
 * swap, so a thread that is late and still holds an old generation can
 * never run a task: its swap fails.  The slot of a generation is rewritten
 * two generations later, after the caller of the next one has seen every
 * task of this one done.  Idle workers spin on the ticket for SPIN_US, then
 * sleep on a condition variable that the caller only signals when someone
 * sleeps. */
#include <cblas.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "srl-private.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause ()
#else
#define cpu_relax() ((void) 0)
#endif

/* Declared by OpenBLAS's cblas.h, but not by every cblas.h. */
void openblas_set_num_threads (int num_threads);

/* How long an idle worker (or a caller waiting for the last task) spins
 * before it sleeps (or yields): long enough to bridge the serial stretches
 * inside an update and an environment step between two updates. */
#define SPIN_US 100

typedef struct {
  _Atomic (SrlTaskFunc) func;
  _Atomic (gpointer) data;
  atomic_uint n;
  atomic_uint fp_control; /* the caller's floating-point control word */
} Slot;

static Slot slots[2];
static atomic_uint_fast64_t ticket;
static atomic_uint done;
static atomic_uint sleepers;
static atomic_flag busy = ATOMIC_FLAG_INIT;
static atomic_uint n_threads = 1;
static guint n_workers;
static GMutex lock;
static GCond wake;
static __thread gboolean in_task;

/* The floating-point control bits that change results (x86's MXCSR:
 * flush-to-zero, denormals-are-zero, rounding, exception masks); its
 * sticky exception flags are left out.  Tasks run with their caller's. */
#if defined(__SSE__)
#define FP_CONTROL_BITS 0xffc0u
static guint fp_control_get (void) { return _mm_getcsr () & FP_CONTROL_BITS; }
static void
fp_control_adopt (guint control)
{
  guint csr = _mm_getcsr ();
  if ((csr & FP_CONTROL_BITS) != control)
    _mm_setcsr ((csr & ~FP_CONTROL_BITS) | control);
}
#else
static guint fp_control_get (void) { return 0; }
static void fp_control_adopt (guint control) { (void) control; }
#endif

/* Claim and run tasks of generation `gen` until none is left. */
static void
work (guint32 gen)
{
  const Slot *slot = &slots[gen & 1];
  guint64 t = atomic_load_explicit (&ticket, memory_order_acquire);
  for (;;)
    {
      if ((guint32) (t >> 32) != gen)
        return;
      SrlTaskFunc func = atomic_load_explicit (&slot->func, memory_order_relaxed);
      gpointer data = atomic_load_explicit (&slot->data, memory_order_relaxed);
      guint n = atomic_load_explicit (&slot->n, memory_order_relaxed);
      guint fp_control = atomic_load_explicit (&slot->fp_control, memory_order_relaxed);
      guint32 i = (guint32) t;
      if (i >= n)
        return;
      /* Success means the ticket still held this generation, so the slot
       * read above was this generation's. */
      if (atomic_compare_exchange_weak_explicit (&ticket, &t, t + 1, memory_order_acq_rel, memory_order_acquire))
        {
          fp_control_adopt (fp_control);
          func (data, i);
          atomic_fetch_add_explicit (&done, 1, memory_order_release);
          t = atomic_load_explicit (&ticket, memory_order_acquire);
        }
    }
}

static guint32
next_generation (guint32 seen)
{
  gint64 start = g_get_monotonic_time ();
  for (guint spins = 1;; spins++)
    {
      guint32 gen = (guint32) (atomic_load_explicit (&ticket, memory_order_acquire) >> 32);
      if (gen != seen)
        return gen;
      cpu_relax ();
      if (spins % 64 == 0 && g_get_monotonic_time () - start > SPIN_US)
        break;
    }
  g_mutex_lock (&lock);
  atomic_fetch_add (&sleepers, 1);
  guint32 gen;
  while ((gen = (guint32) (atomic_load (&ticket) >> 32)) == seen)
    g_cond_wait (&wake, &lock);
  atomic_fetch_sub (&sleepers, 1);
  g_mutex_unlock (&lock);
  return gen;
}

static gpointer
worker_main (gpointer p)
{
  guint id = GPOINTER_TO_UINT (p); /* 1, 2, …: the caller is thread 0 */
  in_task = TRUE;
  guint32 seen = (guint32) (atomic_load (&ticket) >> 32);
  for (;;)
    {
      seen = next_generation (seen);
      if (id < atomic_load_explicit (&n_threads, memory_order_relaxed))
        work (seen);
    }
  return NULL;
}

void
srl_parallel_run (guint n_tasks, SrlTaskFunc func, gpointer data)
{
  guint threads = atomic_load_explicit (&n_threads, memory_order_relaxed);
  if (n_tasks <= 1 || threads <= 1 || in_task || atomic_flag_test_and_set_explicit (&busy, memory_order_acquire))
    {
      for (guint i = 0; i < n_tasks; i++)
        func (data, i);
      return;
    }
  /* Start the workers on first use (the only allocation).  A thread the
   * system refuses only means fewer of them: the tasks' results do not
   * depend on how many threads run them. */
  while (n_workers + 1 < threads)
    {
      GThread *worker = g_thread_try_new ("softrl-worker", worker_main, GUINT_TO_POINTER (n_workers + 1), NULL);
      if (!worker)
        {
          threads = n_workers + 1;
          atomic_store (&n_threads, threads);
          break;
        }
      n_workers++;
      g_thread_unref (worker);
    }
  guint32 gen = (guint32) (atomic_load_explicit (&ticket, memory_order_relaxed) >> 32) + 1;
  Slot *slot = &slots[gen & 1];
  atomic_store_explicit (&slot->func, func, memory_order_relaxed);
  atomic_store_explicit (&slot->data, data, memory_order_relaxed);
  atomic_store_explicit (&slot->n, n_tasks, memory_order_relaxed);
  atomic_store_explicit (&slot->fp_control, fp_control_get (), memory_order_relaxed);
  atomic_store_explicit (&done, 0, memory_order_relaxed);
  atomic_store (&ticket, (guint64) gen << 32);
  if (atomic_load (&sleepers))
    {
      g_mutex_lock (&lock);
      g_cond_broadcast (&wake);
      g_mutex_unlock (&lock);
    }
  in_task = TRUE;
  work (gen);
  in_task = FALSE;
  gint64 start = 0;
  for (guint spins = 1; atomic_load_explicit (&done, memory_order_acquire) < n_tasks; spins++)
    {
      cpu_relax ();
      if (spins % 64 == 0)
        {
          gint64 now = g_get_monotonic_time ();
          if (!start)
            start = now;
          else if (now - start > SPIN_US)
            g_thread_yield ();
        }
    }
  atomic_flag_clear_explicit (&busy, memory_order_release);
}

void
srl_parallel_set_threads (guint threads)
{
  atomic_store (&n_threads, MAX (threads, 1));
  openblas_set_num_threads (1);
}

guint
srl_parallel_get_threads (void)
{
  return atomic_load (&n_threads);
}

gboolean
srl_flush_subnormals (gboolean flush)
{
#if defined(__SSE__)
  const guint ftz_daz = 0x8040u; /* flush-to-zero (bit 15), denormals-are-zero (bit 6) */
  guint csr = _mm_getcsr ();
  _mm_setcsr (flush ? csr | ftz_daz : csr & ~ftz_daz);
  return TRUE;
#else
  (void) flush;
  return FALSE;
#endif
}

guint
srl_parallel_init_from_environment (void)
{
  const char *names[] = { "SOFTRL_THREADS", "OPENBLAS_NUM_THREADS" };
  guint threads = 0;
  for (guint i = 0; i < G_N_ELEMENTS (names) && !threads; i++)
    {
      const char *v = g_getenv (names[i]);
      guint64 n;
      if (v && g_ascii_string_to_unsigned (v, 10, 1, 1024, &n, NULL))
        threads = (guint) n;
    }
  if (!threads)
    threads = g_get_num_processors ();
  srl_parallel_set_threads (threads);
  return threads;
}

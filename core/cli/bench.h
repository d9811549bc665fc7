/* softrl bench — what the benchmarks share (internal to the program). */
#ifndef SRL_BENCH_H
#define SRL_BENCH_H

#include "commands.h"

G_BEGIN_DECLS

/* Declared by OpenBLAS's cblas.h, but not by every cblas.h. */
void openblas_set_num_threads (int num_threads);
char *openblas_get_config (void);
char *openblas_get_corename (void);

/* The targets printed beside the measurements (README, "Benchmark"). */
#define TARGET_SAC_ROOFLINE 0.85
#define TARGET_TWO_THREADS 1.3
#define TARGET_SQL_LSP_ROOFLINE 0.70
#define TARGET_ENV_BARE 0.95
#define TARGET_MEMORY_SLACK (64.0 * 1024 * 1024)

typedef struct {
  guint rounds;
  double seconds;
  char **sets;
  gboolean json;
  const char *torch_script; /* --torch-script, or NULL: look for it */
} BenchOptions;

/* One line of `softrl bench all`'s summary. */
typedef struct {
  char *name, *measured, *baseline, *ratio, *target;
  int met; /* −1: no target */
} SummaryRow;

#define ROOF_N 256

typedef struct {
  float *a, *b, *c;
} Roofline;

/* An algorithm with its default parameters (the thesis' sizes) over a
 * replay buffer of random transitions: the update's cost does not depend
 * on the data. */
typedef struct {
  const SrlAlgorithmDescriptor *ad;
  const char *sampler;
  SrlSection *asec, *ssec;
  double *low, *high;
  SrlEnvSpec spec;
  SrlSamplerFactory factory;
  gpointer algo;
  SrlReplay *replay;
  double *stats;
} UpdateBench;

typedef enum {
  LAYOUT_TASKS,   /* softrl's tasks (the default): the pool's threads, OpenBLAS on one */
  LAYOUT_OPENBLAS /* OpenBLAS's own threads inside each sgemm, one task thread */
} Layout;

/* bench-common.c */
void srl_bench_summary_row_clear (gpointer row);
/* Add a row (taking the strings) when `summary` is non-NULL; `target` > 0:
 * the ratio must reach it. */
void srl_bench_summary_add (GArray *summary, double ratio, double target, char *name, char *measured,
                            char *baseline);
double srl_bench_median (double *v, guint n);
void srl_bench_roofline_init (Roofline *roofline);
void srl_bench_roofline_clear (Roofline *roofline);
/* GFLOP/s of a single-thread 256³ sgemm run for about `seconds`. */
double srl_bench_roofline_gflops (Roofline *roofline, double seconds);
/* "OpenBLAS 0.3.21, Haswell kernels" (transfer full). */
char *srl_bench_blas_description (void);
/* `softrl run -q --out OUT INI` as a child process of this very program,
 * timed whole; its resource use (peak memory) in *ru.  FALSE unless it
 * finished with status 0. */
struct rusage;
gboolean srl_bench_run_softrl (const char *ini, const char *out, double *seconds, struct rusage *ru, GError **error);
/* Remove a benchmark's temporary directory and everything in it. */
gboolean srl_bench_remove_tree (const char *path);

/* bench-update.c: an algorithm's update at its default sizes, and the
 * benchmark of it against the roofline. */
UpdateBench *srl_update_bench_new (SrlRegistry *registry, const char *algorithm, const char *sampler_name,
                                   guint obs_dim, guint act_dim, char **sets, int *status);
void srl_update_bench_free (UpdateBench *bench);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UpdateBench, srl_update_bench_free)
double srl_update_bench_rate (UpdateBench *bench, double seconds);
void srl_bench_apply_threads (guint threads, Layout layout);
int srl_bench_update (SrlRegistry *registry, const char *algorithm, const char *sampler, guint obs_dim, guint act_dim,
                      guint threads, Layout layout, const BenchOptions *o, GArray *summary);

/* bench-torch.c, bench-env.c, bench-memory.c */
int srl_bench_torch (SrlRegistry *registry, guint threads, const BenchOptions *o, GArray *summary);
int srl_bench_env (SrlRegistry *registry, const char *name, const BenchOptions *o, GArray *summary);
int srl_bench_memory (SrlRegistry *registry, guint64 capacity, const BenchOptions *o, GArray *summary);
/* bench-pendulum.c */
int srl_bench_pendulum (const BenchOptions *o, GArray *summary);
/* bench-products.c */
int srl_bench_products (const BenchOptions *o);

G_END_DECLS

#endif

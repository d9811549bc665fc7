/* softrl bench: the command, `softrl bench all` and its summary table (the
 * benchmarks are bench-update.c, bench-torch.c, bench-env.c and
 * bench-memory.c; what they share is bench-common.c).  Numbers are
 * medians over interleaved rounds (sgemm, then updates; softrl, then
 * PyTorch; plugin, then bare loop; repeated) so that a noisy shared machine
 * moves both sides alike. */
#include <cblas.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "bench.h"

/* ------------------------------------------------------------------ all */

static void
print_summary (GArray *summary)
{
  g_autofree char *blas = srl_bench_blas_description ();
  printf ("\nsummary (ratio: measured / baseline, both from this run; %s)\n", blas);
  printf ("  %-34s %-18s %-50s %-10s %-10s %s\n", "benchmark", "measured", "baseline", "ratio", "target", "");
  for (guint i = 0; i < summary->len; i++)
    {
      const SummaryRow *r = &g_array_index (summary, SummaryRow, i);
      printf ("  %-34s %-18s %-50s %-10s %-10s %s\n", r->name, r->measured, r->baseline, r->ratio, r->target,
              r->met < 0 ? "" : r->met ? "met" : "MISSED");
    }
}

static int
bench_all (SrlRegistry *registry, guint threads, gboolean skip_memory, guint64 capacity, const BenchOptions *o)
{
  g_autoptr (GArray) summary = g_array_new (FALSE, TRUE, sizeof (SummaryRow));
  g_array_set_clear_func (summary, srl_bench_summary_row_clear);
  struct {
    const char *algorithm;
    gboolean threaded;
  } updates[] = { { "sac", TRUE }, { "sac-auto", TRUE }, { "sql", FALSE }, { "lsp", FALSE } };
  int status = SRL_EXIT_OK;
  for (guint i = 0; i < G_N_ELEMENTS (updates); i++)
    {
      if (!srl_registry_lookup (registry, SRL_KIND_ALGORITHM, updates[i].algorithm))
        continue;
      int s = srl_bench_update (registry, updates[i].algorithm, NULL, 17, 6, 1, LAYOUT_TASKS, o, summary);
      if (s == SRL_EXIT_OK && updates[i].threaded && threads > 1)
        s = srl_bench_update (registry, updates[i].algorithm, NULL, 17, 6, threads, LAYOUT_TASKS, o, summary);
      status = MAX (status, s);
      fflush (stdout);
    }
  /* (MAX evaluates its arguments twice: each benchmark's status first.) */
  int s = srl_bench_torch (registry, 1, o, summary);
  status = MAX (status, s);
  if (threads > 1)
    {
      s = srl_bench_torch (registry, threads, o, summary);
      status = MAX (status, s);
    }
  fflush (stdout);
  g_autoptr (GPtrArray) envs = srl_registry_list (registry, SRL_KIND_ENV);
  BenchOptions env_options = *o;
  env_options.sets = NULL;
  for (guint i = 0; i < envs->len; i++)
    {
      const SrlPluginInfo *info = g_ptr_array_index (envs, i);
      const SrlEnvDescriptor *d = (const void *) info;
      if (!SRL_DESCRIPTOR_HAS (d, SrlEnvDescriptor, bench_baseline) || !d->bench_baseline)
        continue;
      s = srl_bench_env (registry, info->name, &env_options, summary);
      status = MAX (status, s);
      fflush (stdout);
    }
  if (!skip_memory)
    {
      s = srl_bench_memory (registry, capacity, o, summary);
      status = MAX (status, s);
    }
  s = srl_bench_pendulum (o, summary);
  status = MAX (status, s);
  if (!o->json)
    print_summary (summary);
  return status;
}

int
srl_cmd_bench (int argc, char **argv)
{
  gboolean json = FALSE, openblas = FALSE, no_memory = FALSE;
  g_autofree char *algorithm = NULL, *sampler = NULL, *torch_script = NULL;
  gint obs_dim = 17, act_dim = 6, threads = 0, rounds = 5;
  gint64 capacity = 1000000;
  double seconds = 1.0;
  g_auto (GStrv) sets = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print one JSON object per benchmark", NULL },
    { "algorithm", 'a', 0, G_OPTION_ARG_STRING, &algorithm, "update: algorithm (default sac-auto)", "NAME" },
    { "sampler", 0, 0, G_OPTION_ARG_STRING, &sampler, "update: sampler (default: the algorithm's)", "NAME" },
    { "obs", 0, 0, G_OPTION_ARG_INT, &obs_dim, "update: observation size (default 17, HalfCheetah)", "N" },
    { "act", 0, 0, G_OPTION_ARG_INT, &act_dim, "update: action size (default 6, HalfCheetah)", "N" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads,
      "update, torch: threads (default 1); all: the second thread count (default 2)", "N" },
    { "openblas-threads", 0, 0, G_OPTION_ARG_NONE, &openblas,
      "update: run the threads inside OpenBLAS's sgemm instead of softrl's tasks (for comparison)", NULL },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "interleaved rounds (default 5)", "N" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "seconds per side of a round (default 1)", "S" },
    { "capacity", 0, 0, G_OPTION_ARG_INT64, &capacity, "memory: replay transitions (default 1000000)", "N" },
    { "no-memory", 0, 0, G_OPTION_ARG_NONE, &no_memory, "all: skip the memory run", NULL },
    { "torch-script", 0, 0, G_OPTION_ARG_FILENAME, &torch_script,
      "torch: PyTorch's script (default $SOFTRL_TORCH_BENCH, else softrl's bench/torch_sac_update.py)", "PATH" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets,
      "update: algorithm.KEY=V or sampler.KEY=V; env: the environment's KEY=V", "GROUP.KEY=VALUE" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("update | torch | env NAME | memory | pendulum | products | all");
  g_option_context_set_summary (
      ctx, "update: time gradient updates at the thesis' sizes (the algorithm's defaults: for sac and sac-auto\n"
           "two hidden layers of 256, batch 256; sql C.1; lsp Tables C.3/C.4) beside the single-thread sgemm\n"
           "throughput measured in the same run, and the updates/s it would allow for the update's matrix work.\n"
           "torch: sac-auto's update beside PyTorch's (bench/torch_sac_update.py, installed with softrl) at the same sizes.\n"
           "env NAME: time environment NAME's steps (random actions) beside a bare loop over its simulator\n"
           "(for MuJoCo: mj_step on the same model and frame skip).\n"
           "memory: peak resident memory of a HalfCheetah run that fills its replay buffer, against the\n"
           "buffer's bytes.\n"
           "pendulum: RLtools' Pendulum SAC showcase end to end (experiments/pendulum-rltools.ini), timed whole;\n"
           "beside RLtools' own build of it when $SOFTRL_RLTOOLS_BIN names that program.\n"
           "products: one layer's forward product, weight gradient and input gradient as the library computes\n"
           "them (libxsmm, its own kernels or OpenBLAS, by shape) beside OpenBLAS's sgemm, at the thesis' layer\n"
           "shapes.\n"
           "all: every update (one thread, and sac/sac-auto on --threads), torch at 1 and --threads,\n"
           "every environment with a bare loop, memory; then a summary table (`make bench`).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("bench: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  const char *what = argc >= 2 ? argv[1] : "";
  gboolean env = argc == 3 && strcmp (what, "env") == 0;
  gboolean known = env || (argc == 2 && (strcmp (what, "update") == 0 || strcmp (what, "torch") == 0
                                         || strcmp (what, "memory") == 0 || strcmp (what, "pendulum") == 0
                                         || strcmp (what, "products") == 0 || strcmp (what, "all") == 0));
  if (!known)
    {
      srl_cli_error ("bench: usage: softrl bench update [--json] [--algorithm NAME] [--threads N] [--openblas-threads]\n"
                     "       softrl bench torch [--threads N] [--torch-script PATH]\n"
                     "       softrl bench env NAME [--json] [--rounds N] [--seconds S] [--set KEY=VALUE]...\n"
                     "       softrl bench memory [--capacity N]\n"
                     "       softrl bench pendulum [--json] [--rounds N]\n"
                     "       softrl bench products [--json] [--rounds N] [--seconds S]\n"
                     "       softrl bench all [--json] [--threads N] [--no-memory]");
      return SRL_EXIT_USAGE;
    }
  /* The bounds of a network's sizes and of SOFTRL_THREADS; !(s > 0) also
   * catches NaN. */
  const char *bad = obs_dim < 1 || obs_dim > 65536       ? "--obs: expected 1 to 65536"
                    : act_dim < 1 || act_dim > 65536     ? "--act: expected 1 to 65536"
                    : threads < 0 || threads > 1024      ? "--threads: expected 1 to 1024"
                    : rounds < 1 || rounds > 1000        ? "--rounds: expected 1 to 1000"
                    : !(seconds > 0) || seconds > 3600   ? "--seconds: expected more than 0 and at most 3600"
                    : capacity < 1000                    ? "--capacity: expected at least 1000"
                                                         : NULL;
  if (bad)
    {
      srl_cli_error ("bench: %s", bad);
      return SRL_EXIT_USAGE;
    }
  BenchOptions o = { (guint) rounds, seconds, sets, json, torch_script };
  guint program_threads = srl_parallel_get_threads ();
  g_autoptr (SrlRegistry) registry = srl_cli_registry (FALSE);
  int status;
  if (env)
    status = srl_bench_env (registry, argv[2], &o, NULL);
  else if (strcmp (what, "update") == 0)
    status = srl_bench_update (registry, algorithm ? algorithm : "sac-auto", sampler, obs_dim, act_dim,
                           threads ? (guint) threads : 1, openblas ? LAYOUT_OPENBLAS : LAYOUT_TASKS, &o, NULL);
  else if (strcmp (what, "torch") == 0)
    status = srl_bench_torch (registry, threads ? (guint) threads : 1, &o, NULL);
  else if (strcmp (what, "memory") == 0)
    status = srl_bench_memory (registry, (guint64) capacity, &o, NULL);
  else if (strcmp (what, "pendulum") == 0)
    status = srl_bench_pendulum (&o, NULL);
  else if (strcmp (what, "products") == 0)
    status = srl_bench_products (&o);
  else
    status = bench_all (registry, threads ? (guint) threads : 2, no_memory, (guint64) capacity, &o);
  srl_parallel_set_threads (program_threads);
  return status;
}

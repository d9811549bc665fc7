/* softrl bench: gradient updates against the sgemm roofline measured in the
 * same run, PyTorch's SAC update beside softrl's, environment steps against
 * a bare loop over the simulator, and the peak memory of a run with a full
 * replay buffer.  Numbers are medians over interleaved rounds (sgemm, then
 * updates; softrl, then PyTorch; plugin, then bare loop; repeated) so that
 * a noisy shared machine moves both sides alike. */
#include <cblas.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "commands.h"

/* Declared by OpenBLAS's cblas.h, but not by every cblas.h. */
void openblas_set_num_threads (int num_threads);
char *openblas_get_config (void);
char *openblas_get_corename (void);

/* Targets of issue 8, printed beside the measurements. */
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

static void
summary_row_clear (gpointer p)
{
  SummaryRow *r = p;
  g_free (r->name);
  g_free (r->measured);
  g_free (r->baseline);
  g_free (r->ratio);
  g_free (r->target);
}

/* Add a row (taking the strings) when `summary` is non-NULL.  `target` > 0:
 * the ratio must reach it; NULL-free otherwise. */
static void
summary_add (GArray *summary, double ratio, double target, char *name, char *measured, char *baseline)
{
  SummaryRow row = { name, measured, baseline, g_strdup_printf ("%.3f", ratio),
                     target > 0 ? g_strdup_printf ("≥ %.2f", target) : g_strdup (""),
                     target > 0 ? ratio >= target : -1 };
  if (summary)
    g_array_append_val (summary, row);
  else
    summary_row_clear (&row);
}

static double
median (double *v, guint n)
{
  g_autofree double *s = g_memdup2 (v, n * sizeof *v);
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && s[j - 1] > s[j]; j--)
      {
        double t = s[j];
        s[j] = s[j - 1];
        s[j - 1] = t;
      }
  return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/* ------------------------------------------------------------------ roofline */

#define ROOF_N 256

typedef struct {
  float *a, *b, *c;
} Roofline;

static void
roofline_init (Roofline *r)
{
  SrlRng rng;
  srl_rng_init (&rng, 7);
  r->a = g_new (float, ROOF_N * ROOF_N);
  r->b = g_new (float, ROOF_N * ROOF_N);
  r->c = g_new (float, ROOF_N * ROOF_N);
  srl_rng_fill_uniform (&rng, r->a, ROOF_N * ROOF_N, -1, 1);
  srl_rng_fill_uniform (&rng, r->b, ROOF_N * ROOF_N, -1, 1);
}

static void
roofline_clear (Roofline *r)
{
  g_free (r->a);
  g_free (r->b);
  g_free (r->c);
}

/* GFLOP/s of a square single-thread sgemm of size 256, run for about
 * `seconds` (the updates' thread setting is restored afterwards). */
static double
roofline_gflops (Roofline *r, double seconds)
{
  const int n = ROOF_N;
  guint threads = srl_parallel_get_threads ();
  srl_parallel_set_threads (1);
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, r->a, n, r->b, n, 0.0f, r->c, n);
  guint64 reps = 0;
  double start = srl_now (), now;
  do
    {
      for (int i = 0; i < 8; i++)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, r->a, n, r->b, n, 0.0f, r->c, n);
      reps += 8;
      now = srl_now ();
    }
  while (now - start < seconds);
  srl_parallel_set_threads (threads);
  return 2.0 * n * n * n * reps / (now - start) / 1e9;
}

/* ------------------------------------------------------------------ updates */

static SrlSection *
defaults_section (const char *group, const SrlPluginInfo *info, char **sets, GError **error)
{
  g_autoptr (SrlSection) s = srl_section_new ("(bench)", group, info->name, info->params);
  g_autofree char *prefix = g_strconcat (group, ".", NULL);
  for (guint i = 0; sets && sets[i]; i++)
    {
      const char *eq = strchr (sets[i], '=');
      if (!eq || !g_str_has_prefix (sets[i], prefix))
        continue;
      g_autofree char *key = g_strndup (sets[i] + strlen (prefix), eq - sets[i] - strlen (prefix));
      g_autofree char *origin = g_strdup_printf ("--set %s", sets[i]);
      if (!srl_section_set (s, key, eq + 1, origin, error))
        return NULL;
    }
  srl_section_fill_defaults (s);
  return g_steal_pointer (&s);
}

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

static void
update_bench_free (UpdateBench *u)
{
  if (!u)
    return;
  if (u->algo)
    u->ad->destroy (u->algo);
  srl_replay_free (u->replay);
  g_clear_pointer (&u->asec, srl_section_free);
  g_clear_pointer (&u->ssec, srl_section_free);
  g_free (u->low);
  g_free (u->high);
  g_free (u->stats);
  g_free (u);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (UpdateBench, update_bench_free)

/* NULL after printing why, with the exit status in *status. */
static UpdateBench *
update_bench_new (SrlRegistry *registry, const char *algorithm, const char *sampler_name, guint obs_dim,
                  guint act_dim, char **sets, int *status)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (UpdateBench) u = g_new0 (UpdateBench, 1);
  *status = SRL_EXIT_USAGE;
  u->ad = (const void *) srl_registry_lookup (registry, SRL_KIND_ALGORITHM, algorithm);
  if (!u->ad)
    {
      srl_cli_error ("bench: no algorithm \"%s\"", algorithm);
      return NULL;
    }
  u->sampler = sampler_name ? sampler_name : u->ad->default_sampler;
  const SrlSamplerDescriptor *sd
      = u->sampler ? (const void *) srl_registry_lookup (registry, SRL_KIND_SAMPLER, u->sampler) : NULL;
  if (u->sampler && !sd)
    {
      srl_cli_error ("bench: no sampler \"%s\"", u->sampler);
      return NULL;
    }
  if (!srl_algorithm_check_sampler (u->ad, sd, &error))
    {
      srl_cli_error ("bench: %s", error->message);
      return NULL;
    }
  /* Every --set names one of the two groups (defaults_section reads each
   * group's own and would pass the rest over in silence). */
  for (guint i = 0; sets && sets[i]; i++)
    if (!strchr (sets[i], '=')
        || !(g_str_has_prefix (sets[i], "algorithm.") || (sd && g_str_has_prefix (sets[i], "sampler."))))
      {
        if (sd)
          srl_cli_error ("--set %s: bench update takes algorithm.KEY=VALUE or sampler.KEY=VALUE", sets[i]);
        else
          srl_cli_error ("--set %s: bench update takes algorithm.KEY=VALUE (algorithm \"%s\" takes no sampler)",
                         sets[i], algorithm);
        return NULL;
      }
  u->asec = defaults_section ("algorithm", &u->ad->info, sets, &error);
  if (u->asec && sd)
    u->ssec = defaults_section ("sampler", &sd->info, sets, &error);
  if (!u->asec || (sd && !u->ssec))
    {
      srl_cli_error ("%s", error->message);
      return NULL;
    }
  u->low = g_new (double, act_dim);
  u->high = g_new (double, act_dim);
  for (guint i = 0; i < act_dim; i++)
    {
      u->low[i] = -1;
      u->high[i] = 1;
    }
  u->spec = (SrlEnvSpec) { obs_dim, act_dim, u->low, u->high, 1000, NULL };
  u->factory = (SrlSamplerFactory) { sd, u->ssec };
  SrlAlgorithmContext ctx = { u->asec, &u->spec, sd ? &u->factory : NULL, 1, registry };
  u->algo = u->ad->create (&ctx, &error);
  if (!u->algo)
    {
      srl_cli_error ("%s", error->message);
      *status = SRL_EXIT_FAILED;
      return NULL;
    }
  const guint n = 20000;
  u->replay = srl_replay_new (n, obs_dim, act_dim);
  SrlRng rng;
  srl_rng_init (&rng, 7);
  g_autofree float *o = g_new (float, obs_dim), *a = g_new (float, act_dim), *o2 = g_new (float, obs_dim);
  for (guint i = 0; i < n; i++)
    {
      srl_rng_fill_normal (&rng, o, obs_dim);
      srl_rng_fill_uniform (&rng, a, act_dim, -1, 1);
      srl_rng_fill_normal (&rng, o2, obs_dim);
      srl_replay_add (u->replay, o, a, (float) srl_rng_normal (&rng), o2, srl_rng_uniform (&rng) < 0.01, FALSE);
    }
  guint n_stats = 0;
  for (const SrlStatSpec *s = u->ad->stats (u->algo); s->name; s++)
    n_stats++;
  u->stats = g_new0 (double, n_stats + 1);
  for (int i = 0; i < 20; i++) /* warm the caches, the thread pool and OpenBLAS's buffers */
    if (!u->ad->update (u->algo, u->replay, u->stats, &error))
      {
        srl_cli_error ("bench: %s", error->message);
        *status = SRL_EXIT_FAILED;
        return NULL;
      }
  *status = SRL_EXIT_OK;
  return g_steal_pointer (&u);
}

/* Updates per second over about `seconds`. */
static double
update_bench_rate (UpdateBench *u, double seconds)
{
  guint64 n = 0;
  double start = srl_now (), now;
  do
    {
      u->ad->update (u->algo, u->replay, u->stats, NULL);
      n++;
      now = srl_now ();
    }
  while (now - start < seconds);
  return n / (now - start);
}

typedef enum {
  LAYOUT_TASKS,   /* softrl's tasks (the default): the pool's threads, OpenBLAS on one */
  LAYOUT_OPENBLAS /* OpenBLAS's own threads inside each sgemm, one task thread */
} Layout;

static void
apply_threads (guint threads, Layout layout)
{
  srl_parallel_set_threads (layout == LAYOUT_TASKS ? threads : 1);
  if (layout == LAYOUT_OPENBLAS)
    openblas_set_num_threads ((int) threads);
}

typedef struct {
  double updates, updates_one, gflops, gflop, roofline;
} UpdateResult;

/* Rounds of: sgemm, updates on one thread, updates on `threads` threads
 * (when more than one).  The updates' thread setting is left at one. */
static void
measure_update (UpdateBench *u, Roofline *roof, guint threads, Layout layout, const BenchOptions *o,
                UpdateResult *res)
{
  g_autofree double *gflops = g_new (double, o->rounds);
  g_autofree double *one = g_new (double, o->rounds);
  g_autofree double *many = g_new (double, o->rounds);
  if (threads > 1)
    {
      apply_threads (threads, layout);
      update_bench_rate (u, 0.1); /* start the threads */
    }
  for (guint r = 0; r < o->rounds; r++)
    {
      gflops[r] = roofline_gflops (roof, o->seconds / 2);
      apply_threads (1, LAYOUT_TASKS);
      one[r] = update_bench_rate (u, o->seconds);
      if (threads > 1)
        {
          apply_threads (threads, layout);
          many[r] = update_bench_rate (u, o->seconds);
          apply_threads (1, LAYOUT_TASKS);
        }
    }
  guint64 flops = u->ad->update_flops ? u->ad->update_flops (u->algo) : 0;
  res->gflops = median (gflops, o->rounds);
  res->updates_one = median (one, o->rounds);
  res->updates = threads > 1 ? median (many, o->rounds) : res->updates_one;
  res->gflop = flops / 1e9;
  res->roofline = flops ? res->gflops * 1e9 / flops : 0;
}

static const char *
layout_name (Layout layout)
{
  return layout == LAYOUT_TASKS ? "tasks" : "openblas";
}

/* "OpenBLAS 0.3.21, Haswell kernels": the library's version and the kernels
 * it chose for this processor (or $OPENBLAS_CORETYPE's), which set the
 * roofline — the same cores give 105 GFLOP/s with OpenBLAS's AVX2 kernels
 * and 199 with its AVX-512 ones, so a number without them cannot be
 * compared with another machine's. */
static char *
blas_description (void)
{
  g_auto (GStrv) words = g_strsplit (openblas_get_config (), " ", 3);
  return g_strdup_printf ("%s %s, %s kernels", words[0] ? words[0] : "OpenBLAS",
                          words[0] && words[1] ? words[1] : "?", openblas_get_corename ());
}

static void
print_update (const char *algorithm, const UpdateBench *u, guint obs_dim, guint act_dim, guint threads,
              Layout layout, const BenchOptions *o, const UpdateResult *res)
{
  double fraction = res->roofline > 0 ? res->updates / res->roofline : 0;
  g_autofree char *blas = blas_description ();
  if (o->json)
    {
      printf ("{\"benchmark\":\"update\",\"algorithm\":\"%s\",\"sampler\":\"%s\",\"obs_dim\":%u,\"act_dim\":%u,"
              "\"threads\":%u,\"layout\":\"%s\",\"rounds\":%u,\"updates_per_s\":%.2f,\"updates_per_s_1_thread\":%.2f,"
              "\"speedup\":%.4f,\"sgemm_gflops\":%.2f,\"update_gflop\":%.4f,\"roofline_updates_per_s\":%.2f,"
              "\"fraction_of_roofline\":%.4f,\"blas\":\"%s\"}\n",
              algorithm, u->sampler ? u->sampler : "", obs_dim, act_dim, threads, layout_name (layout), o->rounds,
              res->updates, res->updates_one, res->updates / res->updates_one, res->gflops, res->gflop,
              res->roofline, fraction, blas);
      return;
    }
  printf ("%s update (sampler %s), obs %u, action %u, %u thread%s%s (medians of %u interleaved rounds)\n",
          algorithm, u->sampler ? u->sampler : "none", obs_dim, act_dim, threads, threads == 1 ? "" : "s",
          threads == 1 ? "" : layout == LAYOUT_TASKS ? " as tasks" : " inside OpenBLAS", o->rounds);
  printf ("  updates per second          %.1f\n", res->updates);
  if (threads > 1)
    printf ("  one thread, same rounds     %.1f (speedup %.2f×)\n", res->updates_one,
            res->updates / res->updates_one);
  printf ("  sgemm 256³, one thread      %.1f GFLOP/s (%s)\n", res->gflops, blas);
  if (res->roofline > 0)
    {
      printf ("  matrix work per update      %.4f GFLOP\n", res->gflop);
      printf ("  roofline (sgemm-bound)      %.1f updates/s\n", res->roofline);
      printf ("  fraction of roofline        %.1f%%\n", 100 * fraction);
    }
}

static int
bench_update (SrlRegistry *registry, const char *algorithm, const char *sampler, guint obs_dim, guint act_dim,
              guint threads, Layout layout, const BenchOptions *o, GArray *summary)
{
  int status;
  g_autoptr (UpdateBench) u = update_bench_new (registry, algorithm, sampler, obs_dim, act_dim, o->sets, &status);
  if (!u)
    return status;
  Roofline roof;
  roofline_init (&roof);
  UpdateResult res;
  measure_update (u, &roof, threads, layout, o, &res);
  roofline_clear (&roof);
  print_update (algorithm, u, obs_dim, act_dim, threads, layout, o, &res);
  gboolean sac = g_str_has_prefix (algorithm, "sac");
  double target = sac ? TARGET_SAC_ROOFLINE : TARGET_SQL_LSP_ROOFLINE;
  if (res.roofline > 0)
    summary_add (summary, res.updates / res.roofline, threads == 1 ? target : 0,
                 g_strdup_printf ("%s update, %u thread%s", algorithm, threads, threads == 1 ? "" : "s"),
                 g_strdup_printf ("%.1f updates/s", res.updates),
                 g_strdup_printf ("roofline %.1f/s (%.4f GFLOP at %.1f GFLOP/s)", res.roofline, res.gflop, res.gflops));
  if (threads > 1)
    summary_add (summary, res.updates / res.updates_one, sac ? TARGET_TWO_THREADS : 0,
                 g_strdup_printf ("%s update, %u threads / 1", algorithm, threads),
                 g_strdup_printf ("%.1f updates/s", res.updates),
                 g_strdup_printf ("1 thread %.1f/s", res.updates_one));
  return SRL_EXIT_OK;
}

/* ------------------------------------------------------------------ PyTorch */

/* The peer benchmark script: --torch-script, else $SOFTRL_TORCH_BENCH, else
 * the repository's bench/torch_sac_update.py (installed in $(pkgdatadir),
 * found like every data file).  NULL when the default does not exist, NULL
 * and *error when the one asked for does not. */
static char *
find_torch_script (const BenchOptions *o, GError **error)
{
  /* A script asked for by name must exist; only the default may be absent. */
  const char *env = g_getenv ("SOFTRL_TORCH_BENCH");
  const char *asked = o->torch_script ? o->torch_script : env && *env ? env : NULL;
  if (asked)
    {
      if (g_file_test (asked, G_FILE_TEST_IS_REGULAR))
        return g_strdup (asked);
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s %s: no such file", o->torch_script ? "--torch-script"
                   : "$SOFTRL_TORCH_BENCH", asked);
      return NULL;
    }
  return srl_find_data_file ("bench/torch_sac_update.py", NULL);
}

/* A Python that imports torch: $SOFTRL_PYTHON, else the first python3 on
 * PATH, else the system's /usr/bin/python3 (Debian's python3-torch is
 * installed for it, while PATH may lead to another Python).  NULL when
 * none does. */
static char *
find_torch_python (void)
{
  const char *candidates[] = { g_getenv ("SOFTRL_PYTHON"), "python3", "/usr/bin/python3" };
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      if (!candidates[i] || !*candidates[i])
        continue;
      const char *argv[] = { candidates[i], "-c", "import torch", NULL };
      gint wait_status;
      if (g_spawn_sync (NULL, (char **) argv, NULL,
                        G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                        NULL, NULL, &wait_status, NULL)
          && g_spawn_check_wait_status (wait_status, NULL))
        return g_strdup (candidates[i]);
    }
  return NULL;
}

/* PyTorch's updates per second over `seconds` at SAC's sizes, or a negative
 * value after filling *why. */
static double
torch_rate (const char *python, const char *script, guint threads, double seconds, char **why)
{
  g_autofree char *secs = g_strdup_printf ("%d", MAX (1, (int) (seconds + 0.5)));
  g_autofree char *thr = g_strdup_printf ("%u", threads);
  const char *argv[] = { python, script, "17", "6", "256", "256", thr, secs, NULL };
  g_autofree char *out = NULL, *err = NULL;
  gint wait_status;
  g_autoptr (GError) error = NULL;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &wait_status, &error))
    {
      *why = g_strdup (error->message);
      return -1;
    }
  const char *line = out ? strstr (out, "updates_per_sec=") : NULL;
  if (!g_spawn_check_wait_status (wait_status, NULL) || !line)
    {
      g_autofree char *last = g_strstrip (g_strdup (err && *err ? err : "no output"));
      char *nl = strrchr (last, '\n');
      *why = g_strdup (nl ? nl + 1 : last);
      return -1;
    }
  return g_ascii_strtod (line + strlen ("updates_per_sec="), NULL);
}

/* softrl's sac-auto update beside PyTorch's at the same sizes and thread
 * count, in alternating rounds. */
static int
bench_torch (SrlRegistry *registry, guint threads, const BenchOptions *o, GArray *summary)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *script = find_torch_script (o, &error);
  if (error)
    {
      srl_cli_error ("bench: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  if (!script)
    {
      if (o->json)
        printf ("{\"benchmark\":\"torch\",\"threads\":%u,\"skipped\":\"torch_sac_update.py not found\"}\n", threads);
      else
        printf ("PyTorch comparison, %u thread%s: skipped (no torch_sac_update.py: give --torch-script PATH or set "
                "SOFTRL_TORCH_BENCH)\n", threads, threads == 1 ? "" : "s");
      return SRL_EXIT_OK;
    }
  g_autofree char *python = find_torch_python ();
  if (!python)
    {
      if (o->json)
        printf ("{\"benchmark\":\"torch\",\"threads\":%u,\"skipped\":\"no python3 with torch\"}\n", threads);
      else
        printf ("PyTorch comparison, %u thread%s: skipped (no python3 imports torch; Debian: apt-get install "
                "python3-torch, or point SOFTRL_PYTHON at a Python that has it)\n",
                threads, threads == 1 ? "" : "s");
      return SRL_EXIT_OK;
    }
  int status;
  g_autoptr (UpdateBench) u = update_bench_new (registry, "sac-auto", NULL, 17, 6, NULL, &status);
  if (!u)
    return status;
  g_autofree double *ours = g_new (double, o->rounds);
  g_autofree double *theirs = g_new (double, o->rounds);
  g_autofree double *ratio = g_new (double, o->rounds);
  /* The script runs at least a second and includes its own warm-up. */
  double secs = MAX (o->seconds, 2.0);
  for (guint r = 0; r < o->rounds; r++)
    {
      apply_threads (threads, LAYOUT_TASKS);
      ours[r] = update_bench_rate (u, secs);
      apply_threads (1, LAYOUT_TASKS);
      g_autofree char *why = NULL;
      theirs[r] = torch_rate (python, script, threads, secs, &why);
      if (theirs[r] < 0)
        {
          g_autofree char *escaped = g_strescape (why, NULL);
          if (o->json)
            printf ("{\"benchmark\":\"torch\",\"threads\":%u,\"skipped\":\"%s\"}\n", threads, escaped);
          else
            printf ("PyTorch comparison, %u thread%s: skipped (%s %s: %s)\n", threads, threads == 1 ? "" : "s",
                    python, script, why);
          return SRL_EXIT_OK;
        }
      ratio[r] = ours[r] / theirs[r];
    }
  double a = median (ours, o->rounds), b = median (theirs, o->rounds), f = median (ratio, o->rounds);
  if (o->json)
    printf ("{\"benchmark\":\"torch\",\"threads\":%u,\"rounds\":%u,\"softrl_updates_per_s\":%.2f,"
            "\"torch_updates_per_s\":%.2f,\"softrl_over_torch\":%.4f}\n",
            threads, o->rounds, a, b, f);
  else
    {
      printf ("sac-auto update beside PyTorch, obs 17, action 6, 2 × 256, batch 256, %u thread%s "
              "(medians of %u alternating rounds)\n",
              threads, threads == 1 ? "" : "s", o->rounds);
      printf ("  softrl updates per second   %.1f\n", a);
      printf ("  PyTorch updates per second  %.1f (%s %s)\n", b, python, script);
      printf ("  softrl / PyTorch            %.2f× (median of the rounds' ratios)\n", f);
    }
  summary_add (summary, f, 0, g_strdup_printf ("sac-auto vs PyTorch, %u thread%s", threads, threads == 1 ? "" : "s"),
               g_strdup_printf ("%.1f updates/s", a), g_strdup_printf ("PyTorch %.1f/s", b));
  return SRL_EXIT_OK;
}

/* ------------------------------------------------------------------ environments */

/* The environment loop of `softrl bench env`: random actions in [-1, 1],
 * resets when an episode ends or reaches its time limit, as `softrl env`. */
typedef struct {
  SrlEnv *env;
  const SrlEnvSpec *spec;
  SrlRng rng;
  double *obs;
  float *action;
  guint t, limit;
  guint64 invalid, episodes, steps, episode_steps; /* episode_steps: steps of the finished episodes */
} EnvLoop;

/* Run the environment for `span` seconds; adds the steps and the time. */
static void
env_loop_run (EnvLoop *l, double span, guint64 *steps, double *seconds)
{
  guint64 n = 0;
  double start = srl_now (), now;
  do
    {
      srl_rng_fill_uniform (&l->rng, l->action, l->spec->act_dim, -1.0f, 1.0f);
      double reward;
      SrlStepStatus status = srl_env_step_normalized (l->env, &l->rng, l->action, l->obs, &reward);
      l->invalid += status == SRL_STEP_INVALID;
      l->steps++;
      if (status != SRL_STEP_CONTINUE || ++l->t >= l->limit)
        {
          srl_env_reset (l->env, &l->rng, l->obs);
          l->t = 0;
          l->episodes++;
          l->episode_steps = l->steps;
        }
      n++;
      now = srl_now ();
    }
  while (now - start < span);
  *steps += n;
  *seconds += now - start;
}

/* Run the plugin's bare simulator loop for `span` seconds, in stretches of
 * the environment's mean episode length so far (the bare loop starts over
 * as often as the environment resets); adds the steps and the time. */
static void
bare_loop_run (EnvLoop *l, double span, guint64 *steps, double *seconds)
{
  guint64 stretch = l->episodes ? MAX (l->episode_steps / l->episodes, 1) : l->limit, n = 0;
  double start = srl_now (), now;
  do
    {
      n += srl_env_bench_baseline (l->env, &l->rng, stretch);
      now = srl_now ();
    }
  while (now - start < span);
  *steps += n;
  *seconds += now - start;
}

/* Environment steps per second beside the plugin's bare loop over its
 * simulator (SrlEnvDescriptor's bench_baseline: for MuJoCo the same model
 * and frame skip, nothing else).  Each round gives both loops `seconds` in
 * alternating slices of a tenth of a second, so that both see the same
 * share of a busy machine; the comparison is the median of the rounds'
 * ratios. */
static int
bench_env (SrlRegistry *registry, const char *name, const BenchOptions *o, GArray *summary)
{
  g_autoptr (SrlSection) section = NULL;
  int status = SRL_EXIT_OK;
  g_autoptr (SrlEnv) env = srl_cli_env_new (registry, "bench", name, o->sets, &section, &status);
  if (!env)
    return status;
  const SrlEnvSpec *spec = srl_env_spec (env);
  g_autofree double *obs = g_new0 (double, spec->obs_dim);
  g_autofree float *action = g_new0 (float, spec->act_dim);
  EnvLoop l = { env, spec, { { 0 } }, obs, action, 0, spec->max_episode_steps ? spec->max_episode_steps : 1000 };
  srl_rng_init (&l.rng, 1);
  srl_env_reset (env, &l.rng, obs);
  gboolean bare = srl_env_has_bench_baseline (env);
  const guint rounds = o->rounds;
  const double seconds = o->seconds;
  g_autofree double *plugin_rate = g_new (double, rounds);
  g_autofree double *bare_rate = g_new (double, rounds);
  g_autofree double *ratio = g_new (double, rounds);
  guint64 warm_steps = 0;
  double warm_seconds = 0;
  env_loop_run (&l, MIN (seconds, 0.2), &warm_steps, &warm_seconds);
  if (bare)
    bare_loop_run (&l, MIN (seconds, 0.2), &warm_steps, &warm_seconds);
  const double slice = MIN (seconds, 0.1);
  for (guint r = 0; r < rounds; r++)
    {
      guint64 plugin_steps = 0, bare_steps = 0;
      double plugin_seconds = 0, bare_seconds = 0;
      while (plugin_seconds < seconds)
        {
          env_loop_run (&l, slice, &plugin_steps, &plugin_seconds);
          if (bare)
            bare_loop_run (&l, slice, &bare_steps, &bare_seconds);
        }
      plugin_rate[r] = plugin_steps / plugin_seconds;
      bare_rate[r] = bare ? bare_steps / bare_seconds : 0;
      ratio[r] = bare ? plugin_rate[r] / bare_rate[r] : 0;
    }
  double p = median (plugin_rate, rounds), b = bare ? median (bare_rate, rounds) : 0, f = median (ratio, rounds);
  if (o->json)
    {
      printf ("{\"benchmark\":\"env\",\"env\":\"%s\",\"obs_dim\":%u,\"act_dim\":%u,\"rounds\":%u,"
              "\"steps_per_s\":%.1f",
              name, spec->obs_dim, spec->act_dim, rounds, p);
      if (bare)
        printf (",\"bare_steps_per_s\":%.1f,\"fraction_of_bare\":%.4f", b, f);
      printf (",\"invalid_steps\":%" G_GUINT64_FORMAT "}\n", l.invalid);
    }
  else
    {
      printf ("%s, obs %u, action %u (medians of %u interleaved rounds of %g s)\n", name, spec->obs_dim, spec->act_dim,
              rounds, seconds);
      printf ("  environment steps per second   %.0f (random actions, resets included)\n", p);
      if (l.episodes)
        printf ("  mean episode length            %.1f steps\n", l.episode_steps / (double) l.episodes);
      if (bare)
        {
          printf ("  bare simulator loop per second %.0f (same model and frame skip)\n", b);
          printf ("  plugin / bare                  %.1f%% (median of the rounds' ratios)\n", 100 * f);
        }
      else
        printf ("  (the plugin has no bare simulator loop to compare with)\n");
      if (l.invalid)
        printf ("  invalid steps                  %" G_GUINT64_FORMAT "\n", l.invalid);
    }
  if (bare)
    summary_add (summary, f, TARGET_ENV_BARE, g_strdup_printf ("%s steps", name),
                 g_strdup_printf ("%.0f steps/s", p), g_strdup_printf ("bare mj_step loop %.0f/s", b));
  return SRL_EXIT_OK;
}

/* ------------------------------------------------------------------ memory */

/* A HalfCheetah-sized run whose replay buffer fills: random actions until
 * it holds `capacity` transitions, then `updates` SAC updates (one per
 * step, the ring overwriting its oldest), one evaluation episode and the
 * final checkpoint, which saves the whole buffer. */
static char *
memory_experiment (guint64 capacity, guint64 updates)
{
  return g_strdup_printf ("# softrl bench memory: a run that fills a replay buffer of %" G_GUINT64_FORMAT
                          " HalfCheetah transitions\n"
                          "[experiment]\nepochs = 1\nsteps_per_epoch = %" G_GUINT64_FORMAT "\neval_episodes = 1\n"
                          "initial_random_steps = %" G_GUINT64_FORMAT "\nmin_replay_size = %" G_GUINT64_FORMAT "\n"
                          "gradient_steps = 1\nreplay_capacity = %" G_GUINT64_FORMAT "\ncheckpoint_interval = 0\n\n"
                          "[env]\nplugin = halfcheetah\n\n[algorithm]\nplugin = sac-auto\n\n[sampler]\nplugin = gaussian\n",
                          capacity, capacity + updates, capacity, capacity, capacity);
}

static gboolean
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  if (dir)
    for (const char *name; (name = g_dir_read_name (dir));)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_remove (child);
      }
  return g_rmdir (path) == 0;
}

/* Peak resident memory of `softrl run` (this program, as a child process,
 * measured by the kernel: wait4's ru_maxrss) on memory_experiment(),
 * against the replay buffer's own bytes. */
static int
bench_memory (SrlRegistry *registry, guint64 capacity, const BenchOptions *o, GArray *summary)
{
  if (!srl_registry_lookup (registry, SRL_KIND_ENV, "halfcheetah"))
    {
      printf ("memory: skipped (no halfcheetah environment in this build)\n");
      return SRL_EXIT_OK;
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("softrl-bench-memory-XXXXXX", &error);
  if (!tmp)
    {
      srl_cli_error ("bench: %s", error->message);
      return SRL_EXIT_FAILED;
    }
  const guint64 updates = 1000;
  g_autofree char *ini = g_build_filename (tmp, "memory.ini", NULL);
  g_autofree char *text = memory_experiment (capacity, updates);
  g_autofree char *out = g_build_filename (tmp, "run", NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  if (!g_file_set_contents (ini, text, -1, &error))
    {
      srl_cli_error ("bench: %s", error->message);
      remove_tree (tmp);
      return SRL_EXIT_FAILED;
    }
  const char *argv[] = { self ? self : "softrl", "run", "-q", "--out", out, ini, NULL };
  GPid pid;
  if (!g_spawn_async (NULL, (char **) argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | (self ? 0 : G_SPAWN_SEARCH_PATH), NULL,
                      NULL, &pid, &error))
    {
      srl_cli_error ("bench: %s", error->message);
      remove_tree (tmp);
      return SRL_EXIT_FAILED;
    }
  int wstatus;
  struct rusage ru;
  double start = srl_now ();
  pid_t got;
  while ((got = wait4 (pid, &wstatus, 0, &ru)) < 0 && errno == EINTR)
    ;
  double seconds = srl_now () - start;
  g_spawn_close_pid (pid);
  remove_tree (tmp);
  if (got != pid || !WIFEXITED (wstatus) || WEXITSTATUS (wstatus) != 0)
    {
      srl_cli_error ("bench: the memory run failed (softrl run %s)", ini);
      return SRL_EXIT_FAILED;
    }
  g_autoptr (SrlReplay) probe = srl_replay_new (1, 17, 6);
  double replay = (double) srl_replay_bytes (probe) * capacity;
  double peak = ru.ru_maxrss * 1024.0;
  const double mib = 1024.0 * 1024.0;
  if (o->json)
    printf ("{\"benchmark\":\"memory\",\"env\":\"halfcheetah\",\"transitions\":%" G_GUINT64_FORMAT
            ",\"replay_bytes\":%.0f,\"peak_rss_bytes\":%.0f,\"overhead_bytes\":%.0f,\"seconds\":%.1f}\n",
            capacity, replay, peak, peak - replay, seconds);
  else
    {
      printf ("peak memory of a HalfCheetah sac-auto run filling a replay buffer of %" G_GUINT64_FORMAT
              " transitions (softrl run, then %" G_GUINT64_FORMAT " updates, an evaluation and the checkpoint; %.0f s)\n",
              capacity, updates, seconds);
      printf ("  replay buffer                %.1f MiB\n", replay / mib);
      printf ("  peak resident memory         %.1f MiB\n", peak / mib);
      printf ("  beyond the buffer            %.1f MiB\n", (peak - replay) / mib);
    }
  if (summary)
    {
      SummaryRow row = { g_strdup_printf ("memory, %" G_GUINT64_FORMAT " transitions", capacity),
                         g_strdup_printf ("peak RSS %.1f MiB", peak / mib),
                         g_strdup_printf ("replay buffer %.1f MiB", replay / mib),
                         g_strdup_printf ("+%.1f MiB", (peak - replay) / mib), g_strdup ("≤ +64 MiB"),
                         peak - replay <= TARGET_MEMORY_SLACK };
      g_array_append_val (summary, row);
    }
  return SRL_EXIT_OK;
}

/* ------------------------------------------------------------------ all */

static void
print_summary (GArray *summary)
{
  g_autofree char *blas = blas_description ();
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
  g_array_set_clear_func (summary, summary_row_clear);
  struct {
    const char *algorithm;
    gboolean threaded;
  } updates[] = { { "sac", TRUE }, { "sac-auto", TRUE }, { "sql", FALSE }, { "lsp", FALSE } };
  int status = SRL_EXIT_OK;
  for (guint i = 0; i < G_N_ELEMENTS (updates); i++)
    {
      if (!srl_registry_lookup (registry, SRL_KIND_ALGORITHM, updates[i].algorithm))
        continue;
      int s = bench_update (registry, updates[i].algorithm, NULL, 17, 6, 1, LAYOUT_TASKS, o, summary);
      if (s == SRL_EXIT_OK && updates[i].threaded && threads > 1)
        s = bench_update (registry, updates[i].algorithm, NULL, 17, 6, threads, LAYOUT_TASKS, o, summary);
      status = MAX (status, s);
      fflush (stdout);
    }
  /* (MAX evaluates its arguments twice: each benchmark's status first.) */
  int s = bench_torch (registry, 1, o, summary);
  status = MAX (status, s);
  if (threads > 1)
    {
      s = bench_torch (registry, threads, o, summary);
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
      s = bench_env (registry, info->name, &env_options, summary);
      status = MAX (status, s);
      fflush (stdout);
    }
  if (!skip_memory)
    {
      s = bench_memory (registry, capacity, o, summary);
      status = MAX (status, s);
    }
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
  g_autoptr (GOptionContext) ctx = g_option_context_new ("update | torch | env NAME | memory | all");
  g_option_context_set_summary (
      ctx, "update: time gradient updates at the thesis' sizes (the algorithm's defaults: for sac and sac-auto\n"
           "two hidden layers of 256, batch 256; sql C.1; lsp Tables C.3/C.4) beside the single-thread sgemm\n"
           "throughput measured in the same run, and the updates/s it would allow for the update's matrix work.\n"
           "torch: sac-auto's update beside PyTorch's (bench/torch_sac_update.py, installed with softrl) at the same sizes.\n"
           "env NAME: time environment NAME's steps (random actions) beside a bare loop over its simulator\n"
           "(for MuJoCo: mj_step on the same model and frame skip).\n"
           "memory: peak resident memory of a HalfCheetah run that fills its replay buffer, against the\n"
           "buffer's bytes.\n"
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
                                         || strcmp (what, "memory") == 0 || strcmp (what, "all") == 0));
  if (!known)
    {
      srl_cli_error ("bench: usage: softrl bench update [--json] [--algorithm NAME] [--threads N] [--openblas-threads]\n"
                     "       softrl bench torch [--threads N] [--torch-script PATH]\n"
                     "       softrl bench env NAME [--json] [--rounds N] [--seconds S] [--set KEY=VALUE]...\n"
                     "       softrl bench memory [--capacity N]\n"
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
    status = bench_env (registry, argv[2], &o, NULL);
  else if (strcmp (what, "update") == 0)
    status = bench_update (registry, algorithm ? algorithm : "sac-auto", sampler, obs_dim, act_dim,
                           threads ? (guint) threads : 1, openblas ? LAYOUT_OPENBLAS : LAYOUT_TASKS, &o, NULL);
  else if (strcmp (what, "torch") == 0)
    status = bench_torch (registry, threads ? (guint) threads : 1, &o, NULL);
  else if (strcmp (what, "memory") == 0)
    status = bench_memory (registry, (guint64) capacity, &o, NULL);
  else
    status = bench_all (registry, threads ? (guint) threads : 2, no_memory, (guint64) capacity, &o);
  srl_parallel_set_threads (program_threads);
  return status;
}

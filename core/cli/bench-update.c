/* softrl bench update: gradient updates at the thesis' sizes, interleaved
 * with a single-thread sgemm whose rate sets the roofline. */
#include <cblas.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "bench.h"

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

void
srl_update_bench_free (UpdateBench *u)
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

/* NULL after printing why, with the exit status in *status. */
UpdateBench *
srl_update_bench_new (SrlRegistry *registry, const char *algorithm, const char *sampler_name, guint obs_dim,
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
double
srl_update_bench_rate (UpdateBench *u, double seconds)
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

void
srl_bench_apply_threads (guint threads, Layout layout)
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
      srl_bench_apply_threads (threads, layout);
      srl_update_bench_rate (u, 0.1); /* start the threads */
    }
  for (guint r = 0; r < o->rounds; r++)
    {
      gflops[r] = srl_bench_roofline_gflops (roof, o->seconds / 2);
      srl_bench_apply_threads (1, LAYOUT_TASKS);
      one[r] = srl_update_bench_rate (u, o->seconds);
      if (threads > 1)
        {
          srl_bench_apply_threads (threads, layout);
          many[r] = srl_update_bench_rate (u, o->seconds);
          srl_bench_apply_threads (1, LAYOUT_TASKS);
        }
    }
  guint64 flops = u->ad->update_flops ? u->ad->update_flops (u->algo) : 0;
  res->gflops = srl_bench_median (gflops, o->rounds);
  res->updates_one = srl_bench_median (one, o->rounds);
  res->updates = threads > 1 ? srl_bench_median (many, o->rounds) : res->updates_one;
  res->gflop = flops / 1e9;
  res->roofline = flops ? res->gflops * 1e9 / flops : 0;
}

static const char *
layout_name (Layout layout)
{
  return layout == LAYOUT_TASKS ? "tasks" : "openblas";
}

static void
print_update (const char *algorithm, const UpdateBench *u, guint obs_dim, guint act_dim, guint threads,
              Layout layout, const BenchOptions *o, const UpdateResult *res)
{
  double fraction = res->roofline > 0 ? res->updates / res->roofline : 0;
  g_autofree char *blas = srl_bench_blas_description ();
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

int
srl_bench_update (SrlRegistry *registry, const char *algorithm, const char *sampler, guint obs_dim, guint act_dim,
              guint threads, Layout layout, const BenchOptions *o, GArray *summary)
{
  int status;
  g_autoptr (UpdateBench) u = srl_update_bench_new (registry, algorithm, sampler, obs_dim, act_dim, o->sets, &status);
  if (!u)
    return status;
  Roofline roof;
  srl_bench_roofline_init (&roof);
  UpdateResult res;
  measure_update (u, &roof, threads, layout, o, &res);
  srl_bench_roofline_clear (&roof);
  print_update (algorithm, u, obs_dim, act_dim, threads, layout, o, &res);
  gboolean sac = g_str_has_prefix (algorithm, "sac");
  double target = sac ? TARGET_SAC_ROOFLINE : TARGET_SQL_LSP_ROOFLINE;
  if (res.roofline > 0)
    srl_bench_summary_add (summary, res.updates / res.roofline, threads == 1 ? target : 0,
                 g_strdup_printf ("%s update, %u thread%s", algorithm, threads, threads == 1 ? "" : "s"),
                 g_strdup_printf ("%.1f updates/s", res.updates),
                 g_strdup_printf ("roofline %.1f/s (%.4f GFLOP at %.1f GFLOP/s)", res.roofline, res.gflop, res.gflops));
  if (threads > 1)
    srl_bench_summary_add (summary, res.updates / res.updates_one, sac ? TARGET_TWO_THREADS : 0,
                 g_strdup_printf ("%s update, %u threads / 1", algorithm, threads),
                 g_strdup_printf ("%.1f updates/s", res.updates),
                 g_strdup_printf ("1 thread %.1f/s", res.updates_one));
  return SRL_EXIT_OK;
}

/* softrl bench: gradient updates against the sgemm roofline measured in the
 * same run, and environment steps against a bare loop over the simulator.
 * Numbers are medians over interleaved rounds (sgemm, then updates; plugin,
 * then bare loop; repeated) so that a noisy shared machine moves both
 * alike. */
#include <cblas.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

/* Declared by OpenBLAS's cblas.h, but not by every cblas.h. */
void openblas_set_num_threads (int num_threads);

static double
median (double *v, guint n)
{
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && v[j - 1] > v[j]; j--)
      {
        double t = v[j];
        v[j] = v[j - 1];
        v[j - 1] = t;
      }
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* GFLOP/s of a square sgemm of size n, run for about `seconds`. */
static double
sgemm_gflops (guint n, double seconds, float *a, float *b, float *c)
{
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
  guint64 reps = 0;
  double start = srl_now (), now;
  do
    {
      for (int i = 0; i < 8; i++)
        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
      reps += 8;
      now = srl_now ();
    }
  while (now - start < seconds);
  return 2.0 * n * n * n * reps / (now - start) / 1e9;
}

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

static int
bench_update (SrlRegistry *registry, const char *algorithm, const char *sampler_name, guint obs_dim, guint act_dim,
              int threads, guint rounds, double seconds, char **sets, gboolean json)
{
  g_autoptr (GError) error = NULL;
  const SrlAlgorithmDescriptor *ad = (const void *) srl_registry_lookup (registry, SRL_KIND_ALGORITHM, algorithm);
  if (!ad)
    {
      srl_cli_error ("bench: no algorithm \"%s\"", algorithm);
      return SRL_EXIT_USAGE;
    }
  const char *sname = sampler_name ? sampler_name : ad->default_sampler;
  const SrlSamplerDescriptor *sd = sname ? (const void *) srl_registry_lookup (registry, SRL_KIND_SAMPLER, sname) : NULL;
  if (sname && !sd)
    {
      srl_cli_error ("bench: no sampler \"%s\"", sname);
      return SRL_EXIT_USAGE;
    }
  g_autoptr (SrlSection) asec = defaults_section ("algorithm", &ad->info, sets, &error);
  g_autoptr (SrlSection) ssec = sd && asec ? defaults_section ("sampler", &sd->info, sets, &error) : NULL;
  if (!asec || (sd && !ssec))
    {
      srl_cli_error ("%s", error->message);
      return SRL_EXIT_USAGE;
    }
  g_autofree double *low = g_new (double, act_dim);
  g_autofree double *high = g_new (double, act_dim);
  for (guint i = 0; i < act_dim; i++)
    {
      low[i] = -1;
      high[i] = 1;
    }
  SrlEnvSpec spec = { obs_dim, act_dim, low, high, 1000, NULL };
  SrlSamplerFactory factory = { sd, ssec };
  SrlAlgorithmContext ctx = { asec, &spec, sd ? &factory : NULL, 1, registry };
  gpointer algo = ad->create (&ctx, &error);
  if (!algo)
    {
      srl_cli_error ("%s", error->message);
      return SRL_EXIT_FAILED;
    }
  /* A replay buffer of random transitions: the update's cost does not depend on the data. */
  g_autoptr (SrlReplay) replay = srl_replay_new (20000, obs_dim, act_dim);
  SrlRng rng;
  srl_rng_init (&rng, 7);
  g_autofree float *o = g_new (float, obs_dim), *a = g_new (float, act_dim), *o2 = g_new (float, obs_dim);
  for (guint i = 0; i < 20000; i++)
    {
      srl_rng_fill_normal (&rng, o, obs_dim);
      srl_rng_fill_uniform (&rng, a, act_dim, -1, 1);
      srl_rng_fill_normal (&rng, o2, obs_dim);
      srl_replay_add (replay, o, a, (float) srl_rng_normal (&rng), o2, srl_rng_uniform (&rng) < 0.01, FALSE);
    }
  const SrlStatSpec *stat_specs = ad->stats (algo);
  guint n_stats = 0;
  while (stat_specs[n_stats].name)
    n_stats++;
  g_autofree double *stats = g_new0 (double, n_stats + 1);

  srl_parallel_set_threads (threads);
  const guint N = 256;
  g_autofree float *ma = g_new (float, N * N), *mb = g_new (float, N * N), *mc = g_new (float, N * N);
  srl_rng_fill_uniform (&rng, ma, N * N, -1, 1);
  srl_rng_fill_uniform (&rng, mb, N * N, -1, 1);

  for (int i = 0; i < 20; i++) /* warm caches and the allocator-free paths */
    if (!ad->update (algo, replay, stats, &error))
      {
        srl_cli_error ("bench: %s", error->message);
        ad->destroy (algo);
        return SRL_EXIT_FAILED;
      }
  g_autofree double *gflops = g_new (double, rounds);
  g_autofree double *ups = g_new (double, rounds);
  for (guint r = 0; r < rounds; r++)
    {
      gflops[r] = sgemm_gflops (N, seconds / 2, ma, mb, mc);
      guint64 n = 0;
      double start = srl_now (), now;
      do
        {
          ad->update (algo, replay, stats, NULL);
          n++;
          now = srl_now ();
        }
      while (now - start < seconds);
      ups[r] = n / (now - start);
    }
  guint64 flops = ad->update_flops ? ad->update_flops (algo) : 0;
  double g = median (gflops, rounds), u = median (ups, rounds);
  double roofline = flops ? g * 1e9 / flops : 0;
  ad->destroy (algo);
  if (json)
    printf ("{\"benchmark\":\"update\",\"algorithm\":\"%s\",\"sampler\":\"%s\",\"obs_dim\":%u,\"act_dim\":%u,"
            "\"threads\":%d,\"rounds\":%u,\"updates_per_s\":%.2f,\"sgemm_gflops\":%.2f,\"update_gflop\":%.4f,"
            "\"roofline_updates_per_s\":%.2f,\"fraction_of_roofline\":%.4f}\n",
            algorithm, sname ? sname : "", obs_dim, act_dim, threads, rounds, u, g, flops / 1e9, roofline,
            roofline > 0 ? u / roofline : 0);
  else
    {
      printf ("%s update, obs %u, action %u, %d thread%s (medians of %u interleaved rounds)\n", algorithm, obs_dim,
              act_dim, threads, threads == 1 ? "" : "s", rounds);
      printf ("  updates per second        %.1f\n", u);
      printf ("  sgemm 256³, one thread    %.1f GFLOP/s\n", g);
      if (flops)
        {
          printf ("  matrix work per update    %.4f GFLOP\n", flops / 1e9);
          printf ("  roofline (sgemm-bound)    %.1f updates/s\n", roofline);
          printf ("  fraction of roofline      %.1f%%\n", 100 * u / roofline);
        }
    }
  return SRL_EXIT_OK;
}

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
bench_env (SrlRegistry *registry, const char *name, guint rounds, double seconds, char **sets, gboolean json)
{
  g_autoptr (SrlSection) section = NULL;
  int status = SRL_EXIT_OK;
  g_autoptr (SrlEnv) env = srl_cli_env_new (registry, "bench", name, sets, &section, &status);
  if (!env)
    return status;
  const SrlEnvSpec *spec = srl_env_spec (env);
  g_autofree double *obs = g_new0 (double, spec->obs_dim);
  g_autofree float *action = g_new0 (float, spec->act_dim);
  EnvLoop l = { env, spec, { { 0 } }, obs, action, 0, spec->max_episode_steps ? spec->max_episode_steps : 1000 };
  srl_rng_init (&l.rng, 1);
  srl_env_reset (env, &l.rng, obs);
  gboolean bare = srl_env_has_bench_baseline (env);
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
  if (json)
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
  return SRL_EXIT_OK;
}

int
srl_cmd_bench (int argc, char **argv)
{
  gboolean json = FALSE;
  g_autofree char *algorithm = NULL, *sampler = NULL;
  gint obs_dim = 17, act_dim = 6, threads = 1, rounds = 5;
  double seconds = 1.0;
  g_auto (GStrv) sets = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "print one JSON object", NULL },
    { "algorithm", 'a', 0, G_OPTION_ARG_STRING, &algorithm, "algorithm (default sac-auto)", "NAME" },
    { "sampler", 0, 0, G_OPTION_ARG_STRING, &sampler, "sampler (default: the algorithm's)", "NAME" },
    { "obs", 0, 0, G_OPTION_ARG_INT, &obs_dim, "observation size (default 17, HalfCheetah)", "N" },
    { "act", 0, 0, G_OPTION_ARG_INT, &act_dim, "action size (default 6, HalfCheetah)", "N" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "OpenBLAS threads for the updates (default 1)", "N" },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "interleaved rounds (default 5)", "N" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "seconds of updates per round (default 1)", "S" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets,
      "update: algorithm.KEY=V or sampler.KEY=V; env: the environment's KEY=V", "GROUP.KEY=VALUE" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("update | env NAME");
  g_option_context_set_summary (ctx, "update: time gradient updates at HalfCheetah's sizes (defaults of the\n"
                                     "algorithm: for SAC two hidden layers of 256, batch 256) beside the\n"
                                     "single-thread sgemm throughput measured in the same run, and the updates/s\n"
                                     "it would allow.\n"
                                     "env NAME: time environment NAME's steps (random actions) beside a bare loop\n"
                                     "over its simulator (for MuJoCo: mj_step on the same model and frame skip).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("bench: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  gboolean env = argc == 3 && strcmp (argv[1], "env") == 0;
  if (!(env || (argc == 2 && strcmp (argv[1], "update") == 0)) || obs_dim < 1 || act_dim < 1 || threads < 1
      || rounds < 1 || seconds <= 0)
    {
      srl_cli_error ("bench: usage: softrl bench update [--json] [--algorithm NAME] [--threads N]\n"
                     "       softrl bench env NAME [--json] [--rounds N] [--seconds S] [--set KEY=VALUE]...");
      return SRL_EXIT_USAGE;
    }
  g_autoptr (SrlRegistry) registry = srl_cli_registry (FALSE);
  if (env)
    return bench_env (registry, argv[2], rounds, seconds, sets, json);
  return bench_update (registry, algorithm ? algorithm : "sac-auto", sampler, obs_dim, act_dim, threads, rounds,
                       seconds, sets, json);
}

/* softrl bench env: environment steps with random actions beside the
 * plugin's bare loop over its simulator, in alternating slices. */
#include <cblas.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "bench.h"

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
int
srl_bench_env (SrlRegistry *registry, const char *name, const BenchOptions *o, GArray *summary)
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
  double p = srl_bench_median (plugin_rate, rounds), b = bare ? srl_bench_median (bare_rate, rounds) : 0, f = srl_bench_median (ratio, rounds);
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
    srl_bench_summary_add (summary, f, TARGET_ENV_BARE, g_strdup_printf ("%s steps", name),
                 g_strdup_printf ("%.0f steps/s", p), g_strdup_printf ("bare mj_step loop %.0f/s", b));
  return SRL_EXIT_OK;
}

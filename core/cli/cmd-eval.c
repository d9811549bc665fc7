/* softrl eval: evaluate the saved policy of a run directory. */
#include <math.h>
#include <stdio.h>

#include "commands.h"

int
srl_cmd_eval (int argc, char **argv)
{
  gint64 episodes = 10, seed = 0;
  gboolean deterministic = FALSE, stochastic = FALSE;
  g_autofree char *out = NULL, *actions_for = NULL, *actions_out = NULL;
  g_auto (GStrv) sets = NULL;
  GOptionEntry entries[] = {
    { "episodes", 'n', 0, G_OPTION_ARG_INT64, &episodes, "episodes to run (default 10)", "N" },
    { "deterministic", 0, 0, G_OPTION_ARG_NONE, &deterministic, "act with noise 0 (the default)", NULL },
    { "stochastic", 0, 0, G_OPTION_ARG_NONE, &stochastic, "sample actions from the policy", NULL },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "seed of the episodes (default 0)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "write one CSV row per episode", "FILE.csv" },
    { "actions-for", 0, 0, G_OPTION_ARG_FILENAME, &actions_for,
      "print the deterministic action for each observation of FILE (CSV rows; - reads stdin), run no episode",
      "FILE" },
    { "actions", 0, 0, G_OPTION_ARG_FILENAME, &actions_out, "write each step's observation and action as CSV", "FILE.csv" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "override a parameter, e.g. env.max_episode_steps=500", "GROUP.KEY=VALUE" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("RUNDIR");
  g_option_context_set_summary (ctx, "Run the policy saved in RUNDIR/policy.safetensors and report its returns.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("eval: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  if (argc != 2 || episodes < 1 || (deterministic && stochastic))
    {
      srl_cli_error ("eval: give one run directory, --episodes ≥ 1, and at most one of --deterministic/--stochastic");
      return SRL_EXIT_USAGE;
    }
  /* Before any episode: a bad --out found after a long evaluation wastes
   * it, and one naming the run's own file destroys the run. */
  if ((out && !srl_cli_check_output (out, argv[1], &error))
      || (actions_out && !srl_cli_check_output (actions_out, argv[1], &error)))
    {
      srl_cli_error ("eval: %s", error->message);
      return srl_cli_status (error);
    }
  g_autoptr (SrlRegistry) registry = NULL;
  int status;
  g_autoptr (SrlLoadedPolicy) policy = srl_cli_load_policy (argv[1], sets, &registry, &status);
  if (!policy)
    return status;
  if (actions_for)
    return srl_cli_print_actions (policy, actions_for);
  const SrlEnvSpec *spec = srl_env_spec (policy->env);
  /* The rows are kept in memory and written at the end in one atomic write,
   * so a failed or interrupted evaluation leaves no partial file. */
  g_autoptr (GString) csv = NULL;
  if (out)
    {
      csv = g_string_new ("episode,return,length,terminated");
      for (const char *const *n = spec->info_names; n && *n; n++)
        g_string_append_printf (csv, ",%s", *n);
      g_string_append_c (csv, '\n');
    }
  g_autoptr (GString) actions = actions_out ? g_string_new (NULL) : NULL;
  g_autofree double *previous = g_new0 (double, policy->agent->obs_dim);
  SrlEvalActions recorder = { policy->agent, actions, previous, 0, 0 };
  if (actions)
    srl_eval_actions_header (actions, policy->agent);
  SrlRng rng;
  srl_rng_init (&rng, (guint64) seed);
  SrlActMode mode = stochastic ? SRL_ACT_EVAL_STOCHASTIC : SRL_ACT_DETERMINISTIC;
  SrlReturns returns = { 0 };
  /* Per info value, Welford's running mean and sum of squared deviations:
   * the episodes' mean ± sample std is what tables report (Table 6.1's
   * distance from the cylinder to its goal). */
  const guint n_info = policy->agent->n_info;
  g_autofree double *info_mean = g_new0 (double, n_info);
  g_autofree double *info_m2 = g_new0 (double, n_info);
  g_autofree double *info_min = g_new0 (double, n_info);
  g_autofree double *info_max = g_new0 (double, n_info);
  for (gint64 e = 0; e < episodes; e++)
    {
      SrlEpisode ep;
      recorder.episode = e;
      recorder.step = 0;
      srl_agent_episode_observed (policy->agent, policy->env, &rng, mode, policy->max_path_length, &ep,
                                  actions ? srl_eval_actions_observe : NULL, &recorder);
      srl_returns_add (&returns, &ep);
      for (guint i = 0; i < n_info; i++)
        {
          double v = policy->agent->info[i], delta = v - info_mean[i];
          info_mean[i] += delta / (double) (e + 1);
          info_m2[i] += delta * (v - info_mean[i]);
          info_min[i] = e ? MIN (info_min[i], v) : v;
          info_max[i] = e ? MAX (info_max[i], v) : v;
        }
      if (csv)
        {
          g_string_append_printf (csv, "%" G_GINT64_FORMAT ",%.9g,%" G_GUINT64_FORMAT ",%d", e, ep.ret, ep.length,
                                  ep.terminated);
          for (guint i = 0; i < policy->agent->n_info; i++)
            g_string_append_printf (csv, ",%.9g", policy->agent->info[i]);
          g_string_append_c (csv, '\n');
        }
    }
  if ((csv && !srl_write_file_atomic (out, csv->str, csv->len, &error))
      || (actions && !srl_write_file_atomic (actions_out, actions->str, actions->len, &error)))
    {
      srl_cli_error ("%s", error->message);
      return SRL_EXIT_FAILED;
    }
  printf ("%s: %" G_GINT64_FORMAT " %s episodes: return mean %.3f, min %.3f, max %.3f; length mean %.1f\n", argv[1],
          episodes, stochastic ? "stochastic" : "deterministic", srl_returns_mean (&returns), returns.min, returns.max,
          srl_returns_mean_length (&returns));
  for (guint i = 0; i < n_info && spec->info_names && spec->info_names[i]; i++)
    printf ("  %s: mean %.4g ± %.4g (sample std), min %.4g, max %.4g\n", spec->info_names[i], info_mean[i],
            episodes > 1 ? sqrt (info_m2[i] / (double) (episodes - 1)) : NAN, info_min[i], info_max[i]);
  return SRL_EXIT_OK;
}

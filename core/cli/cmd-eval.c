/* softrl eval: evaluate the saved policy of a run directory. */
#include <stdio.h>

#include "commands.h"

int
srl_cmd_eval (int argc, char **argv)
{
  gint64 episodes = 10, seed = 0;
  gboolean deterministic = FALSE, stochastic = FALSE;
  g_autofree char *out = NULL;
  g_auto (GStrv) sets = NULL;
  GOptionEntry entries[] = {
    { "episodes", 'n', 0, G_OPTION_ARG_INT64, &episodes, "episodes to run (default 10)", "N" },
    { "deterministic", 0, 0, G_OPTION_ARG_NONE, &deterministic, "act with noise 0 (the default)", NULL },
    { "stochastic", 0, 0, G_OPTION_ARG_NONE, &stochastic, "sample actions from the policy", NULL },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "seed of the episodes (default 0)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "write one CSV row per episode", "FILE.csv" },
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
  if (out && !srl_cli_check_output (out, argv[1], &error))
    {
      srl_cli_error ("eval: %s", error->message);
      return srl_cli_status (error);
    }
  g_autoptr (SrlRegistry) registry = srl_cli_registry (FALSE);
  g_autoptr (SrlLoadedPolicy) policy = srl_loaded_policy_new (registry, argv[1], (const char *const *) sets, &error);
  if (!policy)
    {
      srl_cli_error ("%s", error->message);
      return srl_cli_status (error);
    }
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
  SrlRng rng;
  srl_rng_init (&rng, (guint64) seed);
  SrlActMode mode = stochastic ? SRL_ACT_STOCHASTIC : SRL_ACT_DETERMINISTIC;
  SrlReturns returns = { 0 };
  for (gint64 e = 0; e < episodes; e++)
    {
      SrlEpisode ep;
      if (!srl_agent_episode (policy->agent, policy->env, &rng, mode, policy->max_path_length, &ep, &error))
        {
          srl_cli_error ("eval: %s", error->message);
          return SRL_EXIT_FAILED;
        }
      srl_returns_add (&returns, &ep);
      if (csv)
        {
          g_string_append_printf (csv, "%" G_GINT64_FORMAT ",%.9g,%" G_GUINT64_FORMAT ",%d", e, ep.ret, ep.length,
                                  ep.terminated);
          for (guint i = 0; i < policy->agent->n_info; i++)
            g_string_append_printf (csv, ",%.9g", policy->agent->info[i]);
          g_string_append_c (csv, '\n');
        }
    }
  if (csv && !srl_write_file_atomic (out, csv->str, csv->len, &error))
    {
      srl_cli_error ("%s", error->message);
      return SRL_EXIT_FAILED;
    }
  printf ("%s: %" G_GINT64_FORMAT " %s episodes: return mean %.3f, min %.3f, max %.3f; length mean %.1f\n", argv[1],
          episodes, stochastic ? "stochastic" : "deterministic", srl_returns_mean (&returns), returns.min, returns.max,
          srl_returns_mean_length (&returns));
  return SRL_EXIT_OK;
}

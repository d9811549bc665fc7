/* softrl env: step an environment with uniform random actions. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

int
srl_cmd_env (int argc, char **argv)
{
  gint64 steps = 10000, seed = 0;
  g_auto (GStrv) sets = NULL;
  GOptionEntry entries[] = {
    { "steps", 'n', 0, G_OPTION_ARG_INT64, &steps, "steps to take (default 10000)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "seed (default 0)", "N" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "set an environment parameter (repeatable)", "KEY=VALUE" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("NAME");
  g_option_context_set_summary (ctx, "Step environment NAME with uniform random actions and report its sizes,\n"
                                     "mean reward and speed: the quick check an environment author runs.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("env: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  if (argc != 2 || steps < 1)
    {
      srl_cli_error ("env: give one environment name and --steps ≥ 1");
      return SRL_EXIT_USAGE;
    }
  g_autoptr (SrlRegistry) registry = srl_cli_registry (FALSE);
  g_autoptr (SrlSection) section = NULL;
  int exit_status = SRL_EXIT_OK;
  g_autoptr (SrlEnv) env = srl_cli_env_new (registry, "env", argv[1], sets, &section, &exit_status);
  if (!env)
    return exit_status;
  const SrlEnvSpec *spec = srl_env_spec (env);
  g_autofree double *obs = g_new0 (double, spec->obs_dim);
  g_autofree float *action = g_new0 (float, spec->act_dim);
  SrlRng rng;
  srl_rng_init (&rng, (guint64) seed);
  guint limit = spec->max_episode_steps ? spec->max_episode_steps : 1000;
  double reward_sum = 0, episode_return = 0, returns = 0;
  gint64 episodes = 0, terminations = 0, invalid = 0, t = 0;
  srl_env_reset (env, &rng, obs);
  double start = srl_now ();
  for (gint64 i = 0; i < steps; i++)
    {
      srl_rng_fill_uniform (&rng, action, spec->act_dim, -1.0f, 1.0f);
      double reward = 0;
      SrlStepStatus status = srl_env_step_normalized (env, &rng, action, obs, &reward);
      t++;
      if (status != SRL_STEP_INVALID)
        {
          reward_sum += reward;
          episode_return += reward;
        }
      else
        invalid++;
      terminations += status == SRL_STEP_TERMINATED;
      if (status != SRL_STEP_CONTINUE || t >= limit)
        {
          returns += episode_return;
          episodes++;
          episode_return = 0;
          t = 0;
          srl_env_reset (env, &rng, obs);
        }
    }
  double seconds = srl_now () - start;
  printf ("environment      %s (%s)\n", argv[1], srl_registry_file (registry, &srl_env_descriptor (env)->info));
  printf ("observation size %u\n", spec->obs_dim);
  printf ("action size      %u\n", spec->act_dim);
  printf ("time limit       %u\n", limit);
  printf ("steps            %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT " episodes ended, %" G_GINT64_FORMAT
          " by termination, %" G_GINT64_FORMAT " invalid steps)\n", steps, episodes, terminations, invalid);
  printf ("mean reward      %.6g per step\n", reward_sum / steps);
  if (episodes)
    printf ("mean return      %.6g per finished episode\n", returns / episodes);
  printf ("steps per second %.0f (resets included)\n", steps / seconds);
  return SRL_EXIT_OK;
}

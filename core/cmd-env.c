/* softrl env: step an environment with uniform random actions. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const SrlEnvDescriptor *
lookup_env (const SrlRegistry *registry, const char *command, const char *name)
{
  const SrlEnvDescriptor *d = (const void *) srl_registry_lookup (registry, SRL_KIND_ENV, name);
  if (d)
    return d;
  const char *near = srl_registry_closest (registry, SRL_KIND_ENV, name);
  if (near)
    srl_cli_error ("%s: unknown environment \"%s\" (did you mean \"%s\"?)", command, name, near);
  else
    srl_cli_error ("%s: unknown environment \"%s\"; `softrl plugins` lists them", command, name);
  return NULL;
}

static SrlSection *
env_section (const SrlEnvDescriptor *d, char **sets, GError **error)
{
  g_autoptr (SrlSection) section = srl_section_new ("command line", "env", d->info.name, d->info.params);
  for (guint i = 0; sets && sets[i]; i++)
    {
      const char *eq = strchr (sets[i], '=');
      g_autofree char *origin = g_strdup_printf ("--set %s", sets[i]);
      if (!eq)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "--set %s: expected KEY=VALUE", sets[i]);
          return NULL;
        }
      g_autofree char *key = g_strstrip (g_strndup (sets[i], eq - sets[i]));
      if (g_str_has_prefix (key, "env."))
        memmove (key, key + 4, strlen (key) - 3);
      if (!srl_section_set (section, key, eq + 1, origin, error))
        return NULL;
    }
  srl_section_fill_defaults (section);
  return g_steal_pointer (&section);
}

SrlEnv *
srl_cli_env_new (const SrlRegistry *registry, const char *command, const char *name, char **sets,
                 SrlSection **section, int *status)
{
  g_autoptr (GError) error = NULL;
  const SrlEnvDescriptor *d = lookup_env (registry, command, name);
  *status = SRL_EXIT_USAGE;
  if (!d)
    return NULL;
  if (!(*section = env_section (d, sets, &error)))
    {
      srl_cli_error ("%s", error->message);
      return NULL;
    }
  SrlEnv *env = srl_env_new (d, *section, &error);
  if (!env)
    {
      srl_cli_error ("%s", error->message);
      *status = srl_cli_status (error);
      g_clear_pointer (section, srl_section_free);
    }
  return env;
}

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

/* softrl run: train an experiment or continue an interrupted run. */
#include <stdio.h>

#include "commands.h"

int
srl_cmd_run (int argc, char **argv)
{
  g_auto (GStrv) sets = NULL;
  g_autofree char *out = NULL, *resume = NULL;
  gint64 seed = G_MININT64, interrupt_after = 0; /* G_MININT64: no --seed (a negative one is refused below) */
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "override a parameter (repeatable)", "GROUP.KEY=VALUE" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "the run's seed (same as --set experiment.seed=N)", "N" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "run directory (default runs/NAME-seedN-TIME)", "DIR" },
    { "resume", 0, 0, G_OPTION_ARG_FILENAME, &resume, "continue the run in DIR from its checkpoint", "DIR" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no progress on stderr (the run's log.txt still has it)", NULL },
    { "interrupt-after-steps", 0, 0, G_OPTION_ARG_INT64, &interrupt_after,
      "act as if Ctrl-C came after N environment steps (N updates of an offline run): test a plugin's resume", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("EXPERIMENT[.ini] | --resume RUNDIR");
  g_option_context_set_summary (ctx, "Train an experiment.  The run directory receives config.ini (every parameter\n"
                                     "resolved), progress.csv, log.txt, checkpoint.safetensors and policy.safetensors.\n"
                                     "Ctrl-C writes a checkpoint and stops; --resume continues exactly.\n"
                                     "EXPERIMENT is a file, or the name of a shipped one (softrl experiments).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("run: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  if ((resume && argc != 1) || (!resume && argc != 2))
    {
      srl_cli_error ("run: give one experiment file, or --resume RUNDIR (see softrl run --help)");
      return SRL_EXIT_USAGE;
    }
  gboolean seed_given = seed != G_MININT64;
  if (resume && (out || seed_given))
    {
      srl_cli_error ("run: --resume continues in its own directory with its own seed; drop --out and --seed");
      return SRL_EXIT_USAGE;
    }
  g_autoptr (GPtrArray) overrides = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; sets && sets[i]; i++)
    g_ptr_array_add (overrides, g_strdup (sets[i]));
  if (seed_given) /* checked with experiment.seed's range */
    g_ptr_array_add (overrides, g_strdup_printf ("experiment.seed=%" G_GINT64_FORMAT, seed));
  g_ptr_array_add (overrides, NULL);

  g_autoptr (SrlRegistry) registry = srl_cli_registry (FALSE);
  SrlRunOptions options = { .out_dir = out, .interrupt_after_steps = interrupt_after, .quiet = quiet };
  g_autoptr (SrlRun) run = NULL;
  if (resume)
    run = srl_run_resume (registry, resume, (const char *const *) overrides->pdata, &options, &error);
  else
    {
      g_autofree char *path = srl_cli_find_experiment (argv[1], &error);
      SrlExperiment *x = path ? srl_experiment_load (registry, path, (const char *const *) overrides->pdata, &error)
                              : NULL;
      if (x)
        run = srl_run_new (registry, x, &options, &error);
    }
  if (!run)
    {
      srl_cli_error ("%s", error->message);
      return srl_cli_status (error);
    }
  return srl_cli_train (run, NULL);
}

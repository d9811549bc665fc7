/* softrl — the command-line program. */
#include <errno.h>
#include <locale.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static const struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} commands[] = {
  { "run", srl_cmd_run, "train an experiment, or continue one with --resume" },
  { "eval", srl_cmd_eval, "evaluate the saved policy of a run directory" },
  { "render", srl_cmd_render, "film the saved policy of a run directory (.mp4, .gif, .png)" },
  { "env", srl_cmd_env, "step an environment with random actions: sizes, reward, speed" },
  { "experiments", srl_cmd_experiments, "list the shipped experiments, which run and sweep find by name" },
  { "export", srl_cmd_export, "write a run's deterministic policy as a self-contained C header" },
  { "plugins", srl_cmd_plugins, "list plugins, or show one plugin's parameters" },
  { "bench", srl_cmd_bench, "benchmark gradient updates (against sgemm) or an environment (against its simulator)" },
  { "compose", srl_cmd_compose, "compose sql runs' soft Q-functions into a new policy, offline" },
  { "figure", srl_cmd_figure, "draw thesis Figure 3.2 for a run on a 2-D environment" },
  { "sweep", srl_cmd_sweep, "run a sweep file's variants × seeds, here or over MPI ranks" },
  { "summarize", srl_cmd_summarize, "tabulate a sweep per variant: final return, AUC, steps, time" },
  { "plot", srl_cmd_plot, "learning curves of sweeps or runs: mean over seeds with a band" },
  { "board", srl_cmd_board, "a local web page of runs and sweeps: curves updated live, summaries, videos" },
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: softrl COMMAND [OPTION…]\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-11s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\n`softrl COMMAND --help` describes a command.  softrl %s (plugin ABI %d.%d)\n", PACKAGE_VERSION,
           SRL_ABI_MAJOR, SRL_ABI_MINOR);
}

int
main (int argc, char **argv)
{
  /* The user's locale for messages and the characters of --help (GOption
   * writes "…" in UTF-8 only when the locale says the terminal takes it);
   * numbers stay in the C locale, so every file written reads back anywhere. */
  setlocale (LC_ALL, "");
  setlocale (LC_NUMERIC, "C");
  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? SRL_EXIT_USAGE : SRL_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("softrl %s\nplugin ABI %d.%d\nstate format %d\n", PACKAGE_VERSION, SRL_ABI_MAJOR, SRL_ABI_MINOR,
              SRL_STATE_FORMAT_VERSION);
      printf ("%s\n", srl_cli_mpi_description ());
      return SRL_EXIT_OK;
    }
  /* Threads: SOFTRL_THREADS, else OPENBLAS_NUM_THREADS, else one per
   * processor, as tasks of softrl/parallel.h with OpenBLAS on one thread
   * (README, "Threads"). */
  srl_parallel_init_from_environment ();
  /* Subnormals read and written as zero, unless asked to keep them
   * (softrl/parallel.h, srl_flush_subnormals()). */
  if (g_strcmp0 (g_getenv ("SOFTRL_SUBNORMALS"), "keep") != 0)
    srl_flush_subnormals (TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      {
        /* GOption's usage line names the program by g_get_prgname(). */
        g_autofree char *prgname = g_strdup_printf ("softrl %s", commands[i].name);
        g_set_prgname (prgname);
        return commands[i].run (argc - 1, argv + 1);
      }
  const char *names[G_N_ELEMENTS (commands)];
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    names[i] = commands[i].name;
  const char *near = srl_closest_name (argv[1], names, G_N_ELEMENTS (commands));
  if (near)
    srl_cli_error ("unknown command \"%s\" (did you mean \"%s\"?)", argv[1], near);
  else
    srl_cli_error ("unknown command \"%s\"", argv[1]);
  usage (stderr);
  return SRL_EXIT_USAGE;
}

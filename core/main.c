/* softrl — the command-line program. */
#include <errno.h>
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
  { "plugins", srl_cmd_plugins, "list plugins, or show one plugin's parameters" },
  { "bench", srl_cmd_bench, "benchmark gradient updates (against sgemm) or an environment (against its simulator)" },
  { "compose", srl_cmd_compose, "compose sql runs' soft Q-functions into a new policy, offline" },
  { "figure", srl_cmd_figure, "draw thesis Figure 3.2 for a run on a 2-D environment" },
  { "sweep", srl_cmd_sweep, "run a sweep file's variants × seeds, here or over MPI ranks" },
  { "summarize", srl_cmd_summarize, "tabulate a sweep per variant: final return, AUC, steps, time" },
  { "plot", srl_cmd_plot, "learning curves of sweeps or runs: mean over seeds with a band" },
};

void
srl_cli_error (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  fprintf (stderr, "softrl: %s\n", msg);
}

int
srl_cli_status (const GError *error)
{
  return g_error_matches (error, SRL_ERROR, SRL_ERROR_CONFIG) ? SRL_EXIT_USAGE : SRL_EXIT_FAILED;
}

/* The run file that the resolved path `real` names when it lies in the run
 * directory resolved as `run_real`, or NULL (also when either is NULL: a
 * path that does not resolve names no run file). */
static const char *
run_file_named (const char *real, const char *run_real)
{
  static const char *const run_files[] = { SRL_RUN_FILES };
  if (!real || !run_real)
    return NULL;
  g_autofree char *dir = g_path_get_dirname (real);
  g_autofree char *base = g_path_get_basename (real);
  if (strcmp (dir, run_real) != 0)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (run_files); i++)
    if (strcmp (base, run_files[i]) == 0)
      return run_files[i];
  return NULL;
}

gboolean
srl_cli_check_output (const char *path, const char *run_dir, GError **error)
{
  if (!*path)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "--out is empty: expected a file name");
      return FALSE;
    }
  /* A trailing slash asks for a directory even when the name does not
   * exist yet. */
  if (g_str_has_suffix (path, G_DIR_SEPARATOR_S) || g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: is a directory; expected a file name", path);
      return FALSE;
    }
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      if (g_file_test (dir, G_FILE_TEST_EXISTS))
        g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: %s is not a directory", path, dir);
      else
        g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: directory %s does not exist", path, dir);
      return FALSE;
    }
  /* Real paths, so that no spelling ("./", "..", a symlinked directory)
   * gets past the comparison.  Both the name the rename replaces and, when
   * it is a symlink, the file it points to count: either way the user meant
   * the run's file. */
  g_autofree char *run_real = realpath (run_dir, NULL);
  g_autofree char *dir_real = realpath (dir, NULL);
  g_autofree char *entry = dir_real ? g_build_filename (dir_real, base, NULL) : NULL;
  g_autofree char *target = realpath (path, NULL);
  const char *name = run_file_named (entry, run_real);
  if (!name)
    name = run_file_named (target, run_real);
  if (name)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: that is the run's own %s (in %s); choose another file",
                   path, name, run_dir);
      return FALSE;
    }
  /* The output is written to a temporary file beside it and renamed into
   * place, so creating one is the test; access() would not do, as it
   * answers yes to root even where nothing can be created. */
  g_autofree char *probe = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  int fd = g_mkstemp (probe);
  if (fd < 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: cannot write in %s: %s", path, dir, g_strerror (errno));
      return FALSE;
    }
  close (fd);
  g_unlink (probe);
  return TRUE;
}

SrlRegistry *
srl_cli_registry (gboolean quiet_refusals)
{
  SrlRegistry *r = srl_registry_new ();
  srl_registry_load_default (r);
  guint n;
  const char *const *refused = srl_registry_refusals (r, &n);
  if (!quiet_refusals)
    for (guint i = 0; i < n; i++)
      fprintf (stderr, "softrl: warning: %s\n", refused[i]);
  return r;
}

static void
usage (FILE *out)
{
  fprintf (out, "Usage: softrl COMMAND [OPTION…]\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-9s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\n`softrl COMMAND --help` describes a command.  softrl %s (plugin ABI %d.%d)\n", PACKAGE_VERSION,
           SRL_ABI_MAJOR, SRL_ABI_MINOR);
}

int
main (int argc, char **argv)
{
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
      return commands[i].run (argc - 1, argv + 1);
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

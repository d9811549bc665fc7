/* The helpers every command of the program shares: messages and exit
 * statuses, the registry, output files, environments from the command line,
 * training with Ctrl-C, and the stop signals. */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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

SrlLoadedPolicy *
srl_cli_load_policy (const char *run_dir, char **sets, SrlRegistry **registry, int *status)
{
  g_autoptr (GError) error = NULL;
  *registry = srl_cli_registry (FALSE);
  SrlLoadedPolicy *policy = srl_loaded_policy_new (*registry, run_dir, (const char *const *) sets, &error);
  if (!policy)
    {
      srl_cli_error ("%s", error->message);
      *status = srl_cli_status (error);
    }
  return policy;
}

int
srl_cli_train (SrlRun *run, const char *note)
{
  g_autoptr (GError) error = NULL;
  srl_cli_catch_stop_signals (TRUE);
  SrlRunResult result = srl_run_train (run, &error);
  switch (result)
    {
    case SRL_RUN_FINISHED:
      printf ("results: %s%s\n", srl_run_dir (run), note ? note : "");
      return SRL_EXIT_OK;
    case SRL_RUN_INTERRUPTED:
      printf ("interrupted; continue with: softrl run --resume %s\n", srl_run_dir (run));
      return SRL_EXIT_INTERRUPTED;
    case SRL_RUN_FAILED:
    default:
      srl_cli_error ("%s", error->message);
      return SRL_EXIT_FAILED;
    }
}

/* ------------------------------------------------------------------ stop signals */

static volatile sig_atomic_t stop_requests = 0;

static void
on_stop_signal (int sig)
{
  (void) sig;
  stop_requests++;
  srl_run_request_stop ();
}

void
srl_cli_catch_stop_signals (gboolean second_kills)
{
  struct sigaction sa;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset (&sa.sa_mask);
  /* A run: a second Ctrl-C kills at once; its files are written atomically,
   * so even that cannot leave a half-written checkpoint behind.  A sweep
   * counts the requests itself (the second kills its runs). */
  sa.sa_flags = second_kills ? SA_RESETHAND : 0;
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
}

int
srl_cli_stop_requests (void)
{
  return stop_requests;
}

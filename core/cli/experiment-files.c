/* softrl — experiment files named on the command line: a path, or the name
 * of a shipped experiment.
 *
 * A name without a slash is looked for in the current directory first (as
 * given, then with ".ini"), then in experiments/ of each data directory
 * (srl_data_search_path(): SOFTRL_DATA_PATH, the source tree when the
 * program runs uninstalled, $(pkgdatadir)), so that `softrl run
 * pendulum-sac` works from anywhere once softrl is installed.
 */
#include <string.h>

#include "cli.h"

#define EXPERIMENTS_DIR "experiments"

/* "NAME" and "NAME.ini", or only NAME when it already ends in ".ini". */
static guint
candidate_names (const char *name, char *names[2])
{
  names[0] = g_strdup (name);
  if (g_str_has_suffix (name, ".ini"))
    return 1;
  names[1] = g_strconcat (name, ".ini", NULL);
  return 2;
}

char *
srl_cli_find_experiment (const char *name, GError **error)
{
  if (strchr (name, G_DIR_SEPARATOR) || !*name)
    return g_strdup (name);
  char *names[2] = { NULL, NULL };
  guint n = candidate_names (name, names);
  char *found = NULL;
  for (guint i = 0; i < n && !found; i++)
    if (g_file_test (names[i], G_FILE_TEST_EXISTS))
      found = g_strdup (names[i]);
  g_auto (GStrv) dirs = srl_data_search_path ();
  for (guint d = 0; dirs[d] && !found; d++)
    for (guint i = 0; i < n && !found; i++)
      {
        char *path = g_build_filename (dirs[d], EXPERIMENTS_DIR, names[i], NULL);
        if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
          found = path;
        else
          g_free (path);
      }
  if (!found)
    g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                 "%s: no such experiment file here, nor a shipped experiment of that name (softrl experiments lists "
                 "them)", name);
  g_free (names[0]);
  g_free (names[1]);
  return found;
}

/* The text of the first comment line of an experiment file ("" when it has
 * none), without the comment mark (transfer full). */
static char *
first_comment (const char *path)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i];
      while (*line == ' ' || *line == '\t')
        line++;
      if (*line != '#' && *line != ';')
        continue;
      line++;
      char *summary = g_strstrip (g_strdup (line));
      /* A file read from anywhere: keep the listing one printable line. */
      if (!g_utf8_validate (summary, -1, NULL))
        {
          g_free (summary);
          return g_strdup ("");
        }
      for (char *c = summary; *c; c++)
        if ((unsigned char) *c < 0x20)
          *c = ' ';
      return summary;
    }
  return g_strdup ("");
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
srl_cli_list_experiments (void)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) srl_cli_experiment_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto (GStrv) dirs = srl_data_search_path ();
  for (guint d = 0; dirs[d]; d++)
    {
      g_autofree char *dir_path = g_build_filename (dirs[d], EXPERIMENTS_DIR, NULL);
      g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
      if (!dir)
        continue;
      g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
      for (const char *f; (f = g_dir_read_name (dir));)
        if (g_str_has_suffix (f, ".ini"))
          g_ptr_array_add (files, g_strdup (f));
      g_ptr_array_sort (files, compare_names);
      for (guint i = 0; i < files->len; i++)
        {
          const char *file = files->pdata[i];
          char *name = g_strndup (file, strlen (file) - strlen (".ini"));
          /* An earlier directory shadows a later one, as in the lookup. */
          if (!g_hash_table_add (seen, name))
            continue;
          SrlCliExperiment *x = g_new0 (SrlCliExperiment, 1);
          x->name = g_strdup (name);
          x->path = g_build_filename (dir_path, file, NULL);
          x->summary = first_comment (x->path);
          g_ptr_array_add (out, x);
        }
    }
  return out;
}

void
srl_cli_experiment_free (SrlCliExperiment *x)
{
  if (!x)
    return;
  g_free (x->name);
  g_free (x->path);
  g_free (x->summary);
  g_free (x);
}

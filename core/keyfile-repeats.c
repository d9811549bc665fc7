/* Repeated groups and keys in an experiment file.  GKeyFile merges a group
 * given twice and keeps the last of a key given twice, so a setting edited
 * in one place could be silently overridden by a forgotten copy further
 * down: softrl refuses both, naming the two lines. */
#include <string.h>

#include "srl-private.h"

static gboolean
repeated (const char *path, guint line, guint first, const char *what, GError **error)
{
  g_autofree char *shown = srl_printable_excerpt (what, 80);
  g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
               "%s:%u: %s is given again (first on line %u); give each group and key once", path, line, shown, first);
  return FALSE;
}

gboolean
srl_keyfile_check_repeats (const char *path, const char *text, GError **error)
{
  g_autoptr (GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *group = g_strdup ("");
  for (guint i = 0; lines[i]; i++)
    {
      guint line = i + 1;
      char *l = g_strstrip (lines[i]);
      if (!*l || *l == '#')
        continue;
      if (*l == '[')
        {
          char *end = strchr (l, ']');
          g_free (group);
          group = g_strndup (l + 1, end ? (gsize) (end - l - 1) : strlen (l + 1));
          guint first = GPOINTER_TO_UINT (g_hash_table_lookup (groups, group));
          if (first)
            {
              g_autofree char *what = g_strdup_printf ("group [%s]", group);
              return repeated (path, line, first, what, error);
            }
          g_hash_table_insert (groups, g_strdup (group), GUINT_TO_POINTER (line));
          continue;
        }
      char *eq = strchr (l, '=');
      if (!eq)
        continue; /* GKeyFile has refused the file already */
      *eq = '\0';
      g_autofree char *id = g_strdup_printf ("%s\n%s", group, g_strstrip (l));
      guint first = GPOINTER_TO_UINT (g_hash_table_lookup (keys, id));
      if (first)
        {
          g_autofree char *what = g_strdup_printf ("[%s] %s", group, l);
          return repeated (path, line, first, what, error);
        }
      g_hash_table_insert (keys, g_steal_pointer (&id), GUINT_TO_POINTER (line));
    }
  return TRUE;
}

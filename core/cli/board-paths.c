/* Paths the board may serve: files under the directories it was started
 * on, and nothing else (see board.h). */
#include <stdlib.h>
#include <string.h>

#include "board.h"

/* Whether `real` is `root` or lies under it (both resolved). */
static gboolean
is_under (const char *real, const char *root)
{
  gsize n = strlen (root);
  if (strcmp (root, "/") == 0)
    return TRUE;
  return strncmp (real, root, n) == 0 && (real[n] == '\0' || real[n] == '/');
}

char *
srl_board_resolve (const char *root_real, const char *relative, guint *status)
{
  g_return_val_if_fail (root_real && relative && status, NULL);
  /* The request names a path relative to the root: an absolute one, an
   * escaped separator or NUL, a backslash and any "." or ".." component
   * are refused before the file system is asked, so that nothing outside
   * is ever even tested for existence. */
  if (relative[0] == '/' || strchr (relative, '\\'))
    {
      *status = 403;
      return NULL;
    }
  g_auto (GStrv) parts = g_strsplit (relative, "/", -1);
  for (guint i = 0; parts[i]; i++)
    if (strcmp (parts[i], "..") == 0 || strcmp (parts[i], ".") == 0)
      {
        *status = 403;
        return NULL;
      }
  g_autofree char *joined = g_build_filename (root_real, relative, NULL);
  /* Symlinks are followed, then the real path must still be inside: a run
   * directory linked from elsewhere under the root is fine, a link to /etc
   * is not. */
  char *real = realpath (joined, NULL);
  if (!real)
    {
      *status = 404;
      return NULL;
    }
  if (!is_under (real, root_real))
    {
      free (real);
      *status = 403;
      return NULL;
    }
  char *result = g_strdup (real);
  free (real);
  *status = 200;
  return result;
}

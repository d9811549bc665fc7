/* softrl — an installed tree that is not where it was configured to be:
 * staged by `make install DESTDIR=…` or moved to another prefix as a whole.
 *
 * The plugin and data directories are compiled in ($(pkglibdir),
 * $(pkgdatadir)).  When the running program is the softrl program but not
 * in the configured $(bindir), and its directory ends like $(bindir) does
 * below $(prefix) ("…/bin"), the tree it belongs to is taken to be the one
 * around it: $(pkglibdir) is looked for at the same place below that
 * tree's prefix.  Other programs linking libsoftrl (a test, a Python
 * process) keep the configured directories.
 */
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "srl-private.h"

/* `path` below `prefix` ("/usr/local/lib/softrl" below "/usr/local" is
 * "lib/softrl"), or NULL when it is not below it. */
static const char *
below (const char *path, const char *prefix)
{
  gsize n = strlen (prefix);
  while (n > 0 && prefix[n - 1] == '/')
    n--;
  if (strncmp (path, prefix, n) != 0 || path[n] != '/')
    return NULL;
  return path + n + 1;
}

char *
srl_installed_dir (const char *configured)
{
  char exe[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0)
    return g_strdup (configured);
  exe[n] = '\0';
  g_autofree char *exe_dir = g_path_get_dirname (exe);
  g_autofree char *exe_name = g_path_get_basename (exe);
  g_autofree char *bindir = g_canonicalize_filename (SRL_BINDIR, NULL);
  const char *bin_below = below (bindir, SRL_PREFIX), *dir_below = below (configured, SRL_PREFIX);
  if (strcmp (exe_name, "softrl") != 0 || strcmp (exe_dir, bindir) == 0 || !bin_below || !dir_below)
    return g_strdup (configured);
  /* exe_dir = NEW_PREFIX/bin_below */
  gsize len = strlen (exe_dir), tail = strlen (bin_below);
  if (len <= tail + 1 || strcmp (exe_dir + len - tail, bin_below) != 0 || exe_dir[len - tail - 1] != '/')
    return g_strdup (configured);
  g_autofree char *prefix = g_strndup (exe_dir, len - tail - 1);
  char *moved = g_build_filename (prefix, dir_below, NULL);
  if (g_file_test (moved, G_FILE_TEST_IS_DIR))
    return moved;
  g_free (moved);
  return g_strdup (configured);
}

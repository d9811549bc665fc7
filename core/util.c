#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <glib/gstdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "srl-private.h"

G_DEFINE_QUARK (srl-error-quark, srl_error)

guint
srl_edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);
  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diag = row[0];
      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint up = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;
          guint best = MIN (row[j] + 1, row[j - 1] + 1);
          row[j] = MIN (best, diag + cost);
          diag = up;
        }
    }
  return row[lb];
}

const char *
srl_closest_name (const char *name, const char *const *candidates, guint n)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  for (guint i = 0; i < n; i++)
    {
      guint d = srl_edit_distance (name, candidates[i]);
      if (d < best_distance)
        {
          best_distance = d;
          best = candidates[i];
        }
    }
  /* A typo, not a different word: at most a third of the longer name. */
  guint longest = best ? MAX (strlen (name), strlen (best)) : 0;
  if (best && best_distance <= MAX (2u, longest / 3))
    return best;
  return NULL;
}

gboolean
srl_write_file_atomic (const char *path, const char *contents, gssize length, GError **error)
{
  /* A temporary file, renamed over the old one.  DURABLE: synced before
   * the rename even when no file was there yet (plain g_file_set_contents
   * syncs only when it replaces one), so that a new run's first config.ini
   * cannot come back empty after a power loss. */
  g_autoptr (GError) local = NULL;
  if (!g_file_set_contents_full (path, contents, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0666, &local))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot write: %s", path, local->message);
      return FALSE;
    }
  return srl_sync_rename (path, error);
}

gboolean
srl_sync_rename (const char *path, GError **error)
{
  /* A rename lives in the directory: until the directory is on disk, a
   * power loss can bring back the old file, or none. */
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot open its directory to flush it: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  /* Some file systems cannot flush a directory (EINVAL); they make no
   * promise to keep. */
  gboolean ok = fsync (fd) == 0 || errno == EINVAL;
  if (!ok)
    g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot flush its directory: %s", path, g_strerror (errno));
  close (fd);
  return ok;
}

double
srl_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

void
srl_log_line (FILE *log, const char *message)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  fprintf (log, "%s %s\n", stamp, message);
  fflush (log);
}

char *
srl_printable_excerpt (const char *text, guint max_chars)
{
  /* A parser's message may quote a line of a binary file: valid UTF-8,
   * control characters shown as '?', and cut short. */
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_new (NULL);
  guint n = 0;
  for (const char *p = valid; *p && n < max_chars; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iscntrl (c) || c == 0xFFFD)
        g_string_append_c (out, '?');
      else
        g_string_append_unichar (out, c);
    }
  if (g_utf8_strlen (valid, -1) > max_chars)
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

guint
srl_csv_count_fields (const char *line)
{
  guint n = 1;
  for (const char *c = line; *c; c++)
    n += *c == ',';
  return n;
}

void
srl_csv_append_number (GString *row, double value)
{
  if (isnan (value))
    g_string_append (row, ",nan");
  else
    g_string_append_printf (row, ",%.9g", value);
}

void
srl_console_init (SrlConsole *c, gboolean quiet)
{
  c->tty = isatty (STDERR_FILENO);
  c->quiet = quiet;
  c->shown = FALSE;
}

void
srl_console_clear (SrlConsole *c)
{
  if (c->shown)
    {
      fputs ("\r\033[K", stderr);
      c->shown = FALSE;
    }
}

void
srl_console_progress (SrlConsole *c, const char *text)
{
  if (!c->tty || c->quiet)
    return;
  fprintf (stderr, "\r\033[K%s", text);
  fflush (stderr);
  c->shown = TRUE;
}

void
srl_console_print (SrlConsole *c, const char *line)
{
  if (c->quiet)
    return;
  srl_console_clear (c);
  fprintf (stderr, "%s\n", line);
}

gboolean
srl_text_is_printable (const char *text)
{
  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

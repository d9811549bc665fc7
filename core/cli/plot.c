/* Figures through PLplot: file handling and driver checks (see plot.h). */
#include <errno.h>
#include <math.h>
#include <glib/gstdio.h>
#include <plplot.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plot.h"
#include "srl-private.h"

static char *final_path, *temp_path;

static const char *
device_for (const char *path)
{
  if (g_str_has_suffix (path, ".png"))
    return "pngcairo";
  if (g_str_has_suffix (path, ".svg"))
    return "svgcairo";
  if (g_str_has_suffix (path, ".pdf"))
    return "pdfcairo";
  return NULL;
}

static gboolean
have_device (const char *name)
{
  /* plgDevs fills caller-owned arrays of at most n entries and sets n. */
  const char *menu[256], *devices[256];
  const char **m = menu, **d = devices;
  int n = G_N_ELEMENTS (devices);
  plgDevs (&m, &d, &n);
  for (int i = 0; i < n; i++)
    if (d[i] && strcmp (d[i], name) == 0)
      return TRUE;
  return FALSE;
}

gboolean
srl_plot_begin (const char *path, int width, int height, GError **error)
{
  g_return_val_if_fail (final_path == NULL, FALSE);
  const char *device = device_for (path);
  if (!device)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: unknown figure format; use .png, .svg or .pdf", path);
      return FALSE;
    }
  if (!have_device (device))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FAILED,
                   "PLplot has no %s driver (Debian: apt-get install plplot-driver-cairo)", device);
      return FALSE;
    }
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  char *tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  int fd = g_mkstemp (tmp);
  if (fd < 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot write in %s: %s", path, dir, g_strerror (errno));
      g_free (tmp);
      return FALSE;
    }
  /* mkstemp makes the file private; a figure is as readable as any file. */
  mode_t mask = umask (0);
  umask (mask);
  if (fchmod (fd, 0666 & ~mask) != 0)
    {
      /* Only other users lose; the figure is still written. */
    }
  close (fd);
  temp_path = tmp;
  final_path = g_strdup (path);
  plsdev (device);
  plsfnam (temp_path);
  g_autofree char *geometry = g_strdup_printf ("%dx%d", width, height);
  plsetopt ("geometry", geometry);
  /* White background, black foreground. */
  plscolbg (255, 255, 255);
  plscol0 (1, 0, 0, 0);
  plinit ();
  return TRUE;
}

gboolean
srl_plot_end (GError **error)
{
  g_return_val_if_fail (final_path != NULL, FALSE);
  plend ();
  gboolean ok = TRUE;
  /* mkstemp made the file private; a figure gets the usual 0666 & ~umask. */
  mode_t mask = umask (0);
  umask (mask);
  g_chmod (temp_path, 0666 & ~mask);
  if (g_rename (temp_path, final_path) != 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot move the figure into place: %s", final_path,
                   g_strerror (errno));
      g_unlink (temp_path);
      ok = FALSE;
    }
  g_clear_pointer (&temp_path, g_free);
  g_clear_pointer (&final_path, g_free);
  return ok;
}

void
srl_plot_palette (guint index, int *r, int *g, int *b)
{
  /* Okabe & Ito's colour-blind-safe palette. */
  static const int colours[][3] = {
    { 0, 114, 178 }, { 213, 94, 0 }, { 0, 158, 115 }, { 204, 121, 167 },
    { 230, 159, 0 }, { 86, 180, 233 }, { 240, 228, 66 }, { 0, 0, 0 },
  };
  const int *c = colours[index % G_N_ELEMENTS (colours)];
  *r = c[0];
  *g = c[1];
  *b = c[2];
}

static void
short_label (PLINT axis, PLFLT value, char *label, PLINT length, PLPointer data)
{
  double a = fabs (value);
  /* A tick at zero computed as a tiny residue still reads 0. */
  if (a < 1e-9)
    g_snprintf (label, length, "0");
  else if (a >= 1e6)
    g_snprintf (label, length, "%gM", value / 1e6);
  else if (a >= 1e4)
    g_snprintf (label, length, "%gk", value / 1e3);
  else
    g_snprintf (label, length, "%g", value);
}

void
srl_plot_short_labels (void)
{
  plslabelfunc (short_label, NULL);
}

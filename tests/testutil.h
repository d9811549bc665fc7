/* Helpers shared by softrl's tests (GLib test framework, TAP through automake). */
#ifndef SRL_TESTUTIL_H
#define SRL_TESTUTIL_H

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "srl-private.h"

/* The softrl program of the build tree (tests/local.mk exports SOFTRL_BIN). */
static inline const char *
srl_test_bin (void)
{
  const char *bin = g_getenv ("SOFTRL_BIN");
  return bin ? bin : SRL_ABS_TOP_BUILDDIR "/core/softrl";
}

/* Run `softrl ARGS…` (NULL-terminated) in `cwd` (NULL: here); return the exit
 * status and the captured output (free with g_free). */
static inline int
srl_test_run (const char *cwd, char **out, char **err, const char *first, ...)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) srl_test_bin ());
  va_list ap;
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  int status = -1;
  GError *error = NULL;
  char *o = NULL, *e = NULL;
  if (!g_spawn_sync (cwd, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &o, &e, &status, &error))
    g_error ("cannot run %s: %s", srl_test_bin (), error->message);
  g_ptr_array_unref (argv);
  if (out)
    *out = o;
  else
    g_free (o);
  if (err)
    *err = e;
  else
    g_free (e);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* A fresh temporary directory (free the path with g_free; remove it with
 * srl_test_rmtree). */
static inline char *
srl_test_tmpdir (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("softrl-test-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

static inline void
srl_test_rmtree (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  if (d)
    {
      const char *name;
      while ((name = g_dir_read_name (d)))
        {
          char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            srl_test_rmtree (child);
          else
            g_unlink (child);
          g_free (child);
        }
      g_dir_close (d);
    }
  g_rmdir (path);
}

static inline char *
srl_test_write (const char *dir, const char *name, const char *contents)
{
  char *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* An experiment file of the source tree. */
static inline char *
srl_test_experiment (const char *name)
{
  return g_build_filename (SRL_ABS_TOP_SRCDIR, "experiments", name, NULL);
}

/* Column `column` of a CSV file as doubles (NAN for "nan"); the number of
 * rows goes to *n.  Fails the test when the column is missing. */
static inline double *
srl_test_csv_column (const char *path, const char *column, guint *n)
{
  char *text = NULL;
  GError *error = NULL;
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  char **lines = g_strsplit (text, "\n", -1);
  char **header = g_strsplit (lines[0], ",", -1);
  int col = -1;
  for (int i = 0; header[i]; i++)
    if (strcmp (header[i], column) == 0)
      col = i;
  if (col < 0)
    g_error ("%s has no column %s", path, column);
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));
  for (int r = 1; lines[r] && *lines[r]; r++)
    {
      char **cells = g_strsplit (lines[r], ",", -1);
      double v = g_ascii_strtod (cells[col], NULL);
      if (strcmp (cells[col], "nan") == 0)
        v = NAN;
      g_array_append_val (values, v);
      g_strfreev (cells);
    }
  g_strfreev (header);
  g_strfreev (lines);
  g_free (text);
  *n = values->len;
  return (double *) g_array_free (values, FALSE);
}

/* progress.csv of a run directory without its wall-clock columns
 * (updates_per_s, wall_s): what must repeat exactly when a run is resumed.
 * Free with g_free. */
static inline char *
srl_test_progress_without_wall_clock (const char *run)
{
  g_autofree char *path = g_build_filename (run, "progress.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_auto (GStrv) header = g_strsplit (lines[0], ",", -1);
  GString *out = g_string_new (NULL);
  for (guint r = 0; lines[r] && *lines[r]; r++)
    {
      g_auto (GStrv) cells = g_strsplit (lines[r], ",", -1);
      for (guint c = 0; cells[c]; c++)
        if (strcmp (header[c], "updates_per_s") != 0 && strcmp (header[c], "wall_s") != 0)
          g_string_append_printf (out, "%s,", cells[c]);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

/* The best eval_return_mean of the run in `run_dir` among the epochs with
 * env_steps ≤ max_steps, each logged as a test message; the first such
 * epoch's env_steps at which it reached `threshold` goes to *first_step
 * (0 when it never did). */
static inline double
srl_test_best_eval_return (const char *run_dir, double max_steps, double threshold, double *first_step)
{
  char *csv = g_build_filename (run_dir, "progress.csv", NULL);
  guint n, n2;
  double *steps = srl_test_csv_column (csv, "env_steps", &n);
  double *ret = srl_test_csv_column (csv, "eval_return_mean", &n2);
  double best = -INFINITY;
  *first_step = 0;
  for (guint i = 0; i < n && steps[i] <= max_steps; i++)
    {
      g_test_message ("steps %.0f: eval return %.1f", steps[i], ret[i]);
      if (ret[i] >= threshold && *first_step == 0)
        *first_step = steps[i];
      best = MAX (best, ret[i]);
    }
  g_test_message ("best eval return within %.0f steps: %.1f; first >= %.0f at %.0f steps", max_steps, best,
                  threshold, *first_step);
  g_free (steps);
  g_free (ret);
  g_free (csv);
  return best;
}

#endif

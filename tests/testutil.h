/* Helpers shared by softrl's tests (GLib test framework, TAP through automake). */
#ifndef SRL_TESTUTIL_H
#define SRL_TESTUTIL_H

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
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

static inline int
srl_test_compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The names in directory `path`, sorted and joined by spaces (free with
 * g_free): compare two listings to see that a command left nothing behind. */
static inline char *
srl_test_listing (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  g_assert_nonnull (d);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)))
    g_ptr_array_add (names, g_strdup (name));
  g_dir_close (d);
  g_ptr_array_sort (names, srl_test_compare_names);
  g_ptr_array_add (names, NULL);
  char *listing = g_strjoinv (" ", (char **) names->pdata);
  g_ptr_array_unref (names);
  return listing;
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

/* ---- saved state files made by hand ---- */

/* A softrl state file of `header` (JSON; its length is written in front)
 * and `data`.  With `reseal` the checksum is recomputed as the writer does
 * (its own 64 digits zeroed), so only the checks behind the checksum can
 * refuse the file.  Free with g_bytes_unref. */
static inline GBytes *
srl_test_state_file (const char *header, gsize header_len, const guint8 *data, gsize data_size, gboolean reseal)
{
  GByteArray *out = g_byte_array_sized_new (8 + header_len + data_size);
  guint8 len[8];
  for (int i = 0; i < 8; i++)
    len[i] = (guint8) ((guint64) header_len >> (8 * i));
  g_byte_array_append (out, len, 8);
  g_byte_array_append (out, (const guint8 *) header, header_len);
  g_byte_array_append (out, data, data_size);
  if (reseal)
    {
      char *tag = g_strstr_len ((char *) out->data + 8, header_len, "sha256:");
      g_assert_nonnull (tag);
      char *digits = tag + strlen ("sha256:");
      memset (digits, '0', 64);
      GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
      g_checksum_update (sum, out->data, out->len);
      memcpy (digits, g_checksum_get_string (sum), 64);
      g_checksum_free (sum);
    }
  return g_byte_array_free_to_bytes (out);
}

/* Rewrite element `index` of tensor `tensor` (`size` bytes from `value`) in
 * the softrl state file at `path`, checksum recomputed. */
static inline void
srl_test_state_poke (const char *path, const char *tensor, gsize index, const void *value, gsize size)
{
  char *contents = NULL;
  gsize n = 0;
  g_assert_true (g_file_get_contents (path, &contents, &n, NULL));
  guint64 header_len = 0;
  for (int i = 0; i < 8; i++)
    header_len |= (guint64) (guint8) contents[i] << (8 * i);
  char *header = g_strndup (contents + 8, header_len);
  char *key = g_strdup_printf ("\"%s\":{", tensor);
  const char *entry = strstr (header, key);
  g_assert_nonnull (entry);
  const char *offsets = strstr (entry, "\"data_offsets\":[");
  g_assert_nonnull (offsets);
  guint64 begin = g_ascii_strtoull (offsets + strlen ("\"data_offsets\":["), NULL, 10);
  guint8 *data = (guint8 *) contents + 8 + header_len;
  memcpy (data + begin + index * size, value, size);
  GBytes *file = srl_test_state_file (header, header_len, data, n - 8 - header_len, TRUE);
  gsize file_size;
  const void *bytes = g_bytes_get_data (file, &file_size);
  g_assert_true (g_file_set_contents (path, bytes, file_size, NULL));
  g_bytes_unref (file);
  g_free (key);
  g_free (header);
  g_free (contents);
}

/* The saved state file at `path` with what differs between two runs that
 * computed the same thing blanked: its run id and so its checksum.  Compare
 * two with g_bytes_equal; free with g_bytes_unref. */
static inline GBytes *
srl_test_state_without_identity (const char *path)
{
  char *contents = NULL;
  gsize n = 0;
  g_assert_true (g_file_get_contents (path, &contents, &n, NULL));
  const char *fields[] = { "\"run_id\":\"", "\"checksum\":\"" };
  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    {
      char *at = g_strstr_len (contents + 8, n - 8, fields[f]); /* past the length, which holds NULs */
      g_assert_nonnull (at);
      for (char *p = at + strlen (fields[f]); *p != '"'; p++)
        *p = '-';
    }
  return g_bytes_new_take (contents, n);
}

/* ---- sampler gradients against central differences ---- */

typedef struct {
  SrlSampler *s;
  guint n;
  const float *obs, *noise, *c, *d;
  float *act, *logp;
  gboolean density;
} SrlTestSamplerCase;

/* L = Σ c ⊙ a + Σ d ⊙ log π. */
static inline double
srl_test_sampler_loss (SrlTestSamplerCase *k)
{
  srl_sampler_sample (k->s, k->n, k->obs, k->noise, k->act, k->density ? k->logp : NULL);
  const SrlSamplerShape *shape = srl_sampler_shape (k->s);
  double loss = 0;
  for (guint i = 0; i < k->n * shape->act_dim; i++)
    loss += (double) k->c[i] * k->act[i];
  if (k->density)
    for (guint i = 0; i < k->n; i++)
      loss += (double) k->d[i] * k->logp[i];
  return loss;
}

/* The derivative by central differences, or NAN where the loss is not
 * smooth within the step (a ReLU or clamp kink): there the one-sided slopes
 * disagree, or the estimates at two step sizes do, and no single derivative
 * exists to compare with.  Steps stay small (kinks are dense in a ReLU
 * network) but above float32's noise. */
static inline double
srl_test_central_difference (float *p, float h, SrlTestSamplerCase *k)
{
  float saved = *p;
  double f[5];
  const float steps[5] = { h, -h, h / 2, -h / 2, 0 };
  for (int i = 0; i < 5; i++)
    {
      *p = saved + steps[i];
      f[i] = srl_test_sampler_loss (k);
    }
  *p = saved;
  double d1 = (f[0] - f[1]) / (2.0 * h), d2 = (f[2] - f[3]) / h;
  double right = (f[2] - f[4]) / (h / 2), left = (f[4] - f[3]) / (h / 2);
  if (fabs (d1 - d2) > 0.02 * MAX (fabs (d1), fabs (d2)) + 1e-3
      || fabs (right - left) > 0.05 * (fabs (right) + fabs (left)) + 3e-3)
    return NAN;
  return d2;
}

/* Check srl_sampler_backward() of `s` at n rows of (obs, noise): dL/dφ on a
 * fixed random subset of 300 weights and every dL/dobs, against central
 * differences of L = Σ c ⊙ a + Σ d ⊙ log π with random c and d (d only for
 * samplers with a density).  Fails the test on a mismatch, or when most
 * weights sit at kinks. */
static inline void
srl_test_sampler_gradients (SrlSampler *s, guint n, float *obs, const float *noise, SrlRng *rng, const char *name)
{
  const SrlSamplerShape *shape = srl_sampler_shape (s);
  const guint O = shape->obs_dim, A = shape->act_dim;
  gboolean density = (srl_sampler_flags (s) & SRL_SAMPLER_DENSITY) != 0;
  g_autofree float *c = g_new (float, n * A), *dd = g_new (float, n), *d_obs = g_new (float, n * O);
  g_autofree float *act = g_new (float, n * A), *logp = g_new (float, n);
  srl_rng_fill_normal (rng, c, n * A);
  srl_rng_fill_normal (rng, dd, n);
  SrlTestSamplerCase k = { s, n, obs, noise, c, dd, act, logp, density };
  SrlWeights *w = srl_sampler_weights (s);
  srl_weights_zero_grad (w);
  srl_test_sampler_loss (&k);
  srl_sampler_backward (s, n, c, density ? dd : NULL, d_obs);
  g_autofree float *grad = g_memdup2 (srl_weights_grad (w), srl_weights_size (w) * sizeof (float));
  double scale = 0;
  for (gsize i = 0; i < srl_weights_size (w); i++)
    scale = MAX (scale, fabs (grad[i]));
  /* Every weight would take long for wide default networks: a fixed
   * random subset of 300 is as discriminating. */
  guint checked = 0, tried = 0;
  for (guint t = 0; t < 300; t++)
    {
      gsize i = srl_rng_below (rng, srl_weights_size (w));
      double num = srl_test_central_difference (srl_weights_data (w) + i, 2e-3f, &k);
      tried++;
      if (isnan (num))
        continue;
      checked++;
      double tol = 3e-2 * MAX (0.05 * scale, fabs (num)) + 1e-3;
      if (fabs (grad[i] - num) > tol)
        g_error ("%s: dL/dw[%zu] analytic %g, finite difference %g", name, i, grad[i], num);
    }
  g_test_message ("%s (%u actions): %u of %u weights compared (the rest sit at kinks)", name, A, checked, tried);
  g_assert_cmpuint (checked, >, tried / 2);
  for (guint i = 0; i < n * O; i++)
    {
      double num = srl_test_central_difference (obs + i, 2e-3f, &k);
      if (!isnan (num) && fabs (d_obs[i] - num) > 3e-2 * MAX (0.05, fabs (num)) + 1e-3)
        g_error ("%s: dL/dobs[%u] analytic %g, finite difference %g", name, i, d_obs[i], num);
    }
}

#endif

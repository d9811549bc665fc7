/* Reading results: progress tables, run directories and sweep manifests
 * (see results.h). */
#include <math.h>
#include <string.h>

#include "results.h"
#include "runner.h"
#include "srl-private.h"

/* ------------------------------------------------------------------ sweep manifests */

GKeyFile *
srl_sweep_manifest_load (const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "%s: cannot read the sweep manifest: %s", path,
                   local->message);
      return NULL;
    }
  static const char *const keys[] = { "file", "name" };
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!g_key_file_has_key (kf, "sweep", keys[i], NULL))
      {
        g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT,
                     "%s: [sweep] %s: missing; a sweep's manifest names its sweep file and name there", path, keys[i]);
        return NULL;
      }
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      if (!g_str_has_prefix (groups[i], "run "))
        continue;
      g_autofree char *variant = g_key_file_get_string (kf, groups[i], "variant", NULL);
      g_autofree char *vgroup = variant ? g_strconcat ("variant ", variant, NULL) : NULL;
      if (!vgroup || !g_key_file_has_group (kf, vgroup) || !g_key_file_has_key (kf, groups[i], "dir", NULL)
          || !g_key_file_has_key (kf, groups[i], "seed", NULL))
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT,
                       "%s: [%s]: needs variant (one of the [variant …] groups), dir and seed", path, groups[i]);
          return NULL;
        }
    }
  return g_steal_pointer (&kf);
}

/* ------------------------------------------------------------------ tables */

void
srl_table_free (SrlTable *t)
{
  if (!t)
    return;
  g_strfreev (t->columns);
  g_free (t->values);
  g_free (t);
}

static gboolean
parse_cell (const char *text, double *out)
{
  g_autofree char *s = g_strstrip (g_strdup (text));
  if (!*s || g_ascii_strcasecmp (s, "nan") == 0 || g_ascii_strcasecmp (s, "-nan") == 0)
    {
      *out = NAN;
      return TRUE;
    }
  char *end = NULL;
  *out = g_ascii_strtod (s, &end);
  return end && *end == '\0';
}

SrlTable *
srl_table_read (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot read: %s", path, local->message);
      return NULL;
    }
  return srl_table_parse (text, path, error);
}

SrlTable *
srl_table_parse (const char *text, const char *path, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  if (!lines[0] || !*g_strstrip (lines[0]))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "%s: empty; expected a header line", path);
      return NULL;
    }
  g_autoptr (SrlTable) t = g_new0 (SrlTable, 1);
  t->columns = g_strsplit (lines[0], ",", -1);
  t->n_columns = g_strv_length (t->columns);
  for (guint c = 0; c < t->n_columns; c++)
    g_strstrip (t->columns[c]);
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint r = 1; lines[r]; r++)
    {
      g_strstrip (lines[r]);
      if (!*lines[r])
        continue;
      g_auto (GStrv) cells = g_strsplit (lines[r], ",", -1);
      if (g_strv_length (cells) != t->n_columns)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "%s: line %u: %u cells where the header has %u", path,
                       r + 1, g_strv_length (cells), t->n_columns);
          g_array_unref (values);
          return NULL;
        }
      for (guint c = 0; c < t->n_columns; c++)
        {
          double v;
          if (!parse_cell (cells[c], &v))
            {
              g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "%s: line %u, column %s: \"%s\" is not a number",
                           path, r + 1, t->columns[c], cells[c]);
              g_array_unref (values);
              return NULL;
            }
          g_array_append_val (values, v);
        }
      t->n_rows++;
    }
  t->values = (double *) g_array_free (values, FALSE);
  return g_steal_pointer (&t);
}

int
srl_table_column (const SrlTable *t, const char *name)
{
  for (guint c = 0; c < t->n_columns; c++)
    if (strcmp (t->columns[c], name) == 0)
      return (int) c;
  return -1;
}

double
srl_table_get (const SrlTable *t, guint row, guint column)
{
  g_return_val_if_fail (row < t->n_rows && column < t->n_columns, NAN);
  return t->values[(gsize) row * t->n_columns + column];
}

double *
srl_table_column_values (const SrlTable *t, const char *name, const char *file, GError **error)
{
  int c = srl_table_column (t, name);
  if (c < 0)
    {
      g_autofree char *all = g_strjoinv (", ", t->columns);
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: no column \"%s\" (it has %s)", file, name, all);
      return NULL;
    }
  double *v = g_new (double, MAX (t->n_rows, 1));
  for (guint r = 0; r < t->n_rows; r++)
    v[r] = srl_table_get (t, r, c);
  return v;
}

/* ------------------------------------------------------------------ runs */

static void
result_run_free (gpointer p)
{
  SrlResultRun *r = p;
  g_free (r->dir);
  g_free (r->name);
  g_free (r->status);
  srl_table_free (r->progress);
  g_free (r);
}

static void
result_variant_free (gpointer p)
{
  SrlResultVariant *v = p;
  g_free (v->name);
  g_free (v->label);
  g_ptr_array_unref (v->runs);
  g_strfreev (v->settings);
  g_free (v);
}

void
srl_results_free (SrlResults *results)
{
  if (!results)
    return;
  g_ptr_array_unref (results->variants);
  g_free (results->title);
  g_free (results);
}

const char *
srl_results_run_file (const char *dir)
{
  static const char *const names[] = { SRL_RUN_CONFIG, SRL_RUN_CHECKPOINT, SRL_RUN_PROGRESS };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return names[i];
    }
  return NULL;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
srl_results_run_dirs (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *runs = g_ptr_array_new_with_free_func (g_free);
  const char *entry;
  while (d && (entry = g_dir_read_name (d)))
    {
      char *child = g_build_filename (dir, entry, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && srl_results_run_file (child))
        g_ptr_array_add (runs, child);
      else
        g_free (child);
    }
  g_ptr_array_sort (runs, compare_names);
  return runs;
}

char *
srl_results_run_status (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, SRL_RUN_STATUS, NULL);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  char *nl = strchr (text, '\n');
  if (nl)
    *nl = '\0';
  g_strstrip (text);
  /* A run killed outright (SIGKILL, a lost node) had no moment to say so. */
  if (strcmp (text, "running") == 0 && srl_dir_owner_ended (dir, SRL_RUN_LOCK))
    return g_strdup ("interrupted: its process ended without writing its status (killed?); "
                     "softrl run --resume continues it");
  return g_steal_pointer (&text);
}

/* A run directory's status, progress and, unless known, name and seed. */
static SrlResultRun *
read_run (const char *dir, GError **error)
{
  SrlResultRun *r = g_new0 (SrlResultRun, 1);
  r->dir = g_strdup (dir);
  r->name = g_path_get_basename (dir);
  r->status = srl_results_run_status (dir);
  g_autofree char *progress = g_build_filename (dir, SRL_RUN_PROGRESS, NULL);
  if (g_file_test (progress, G_FILE_TEST_EXISTS))
    {
      r->progress = srl_table_read (progress, error);
      if (!r->progress)
        {
          result_run_free (r);
          return NULL;
        }
    }
  return r;
}

/* The variant labelled `label` (with `settings`, for runs outside a sweep),
 * added when new. */
static SrlResultVariant *
find_or_add_variant (SrlResults *results, const char *name, const char *label, const char *const *settings)
{
  for (guint i = 0; i < results->variants->len; i++)
    {
      SrlResultVariant *v = results->variants->pdata[i];
      gboolean same_settings = !settings || (v->settings && g_strv_equal (settings, (const char *const *) v->settings));
      if (strcmp (v->label, label) == 0 && same_settings)
        return v;
    }
  SrlResultVariant *v = g_new0 (SrlResultVariant, 1);
  v->name = g_strdup (name);
  v->label = g_strdup (label);
  v->runs = g_ptr_array_new_with_free_func (result_run_free);
  v->settings = g_strdupv ((char **) settings);
  g_ptr_array_add (results->variants, v);
  return v;
}

/* Every "group.key=value" of a resolved experiment but its seed and run id, sorted. */
static GStrv
experiment_settings (GKeyFile *kf)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new ();
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
  for (guint g = 0; groups[g]; g++)
    {
      g_auto (GStrv) keys = g_key_file_get_keys (kf, groups[g], NULL, NULL);
      for (guint k = 0; keys && keys[k]; k++)
        {
          if (strcmp (groups[g], "experiment") == 0
              && (strcmp (keys[k], "seed") == 0 || strcmp (keys[k], "run_id") == 0))
            continue;
          g_autofree char *value = g_key_file_get_value (kf, groups[g], keys[k], NULL);
          g_ptr_array_add (lines, g_strdup_printf ("%s.%s=%s", groups[g], keys[k], value ? value : ""));
        }
    }
  g_ptr_array_sort (lines, compare_names);
  g_ptr_array_add (lines, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&lines), FALSE);
}

/* A run directory outside a sweep: its variant is its experiment's name and
 * settings (a run of the same experiment with a setting changed is another
 * variant, not another seed). */
static gboolean
add_plain_run (SrlResults *results, const char *dir, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *config = g_build_filename (dir, SRL_RUN_CONFIG, NULL);
  g_autofree char *name = NULL;
  g_auto (GStrv) settings = NULL;
  guint64 seed = 0;
  if (g_key_file_load_from_file (kf, config, G_KEY_FILE_NONE, NULL))
    {
      name = g_key_file_get_string (kf, "experiment", "name", NULL);
      g_autofree char *seed_text = g_key_file_get_string (kf, "experiment", "seed", NULL);
      if (seed_text)
        seed = g_ascii_strtoull (seed_text, NULL, 10);
      settings = experiment_settings (kf);
    }
  else
    settings = g_new0 (char *, 1);
  if (!name || !*name)
    {
      g_free (name);
      name = g_path_get_basename (dir);
    }
  SrlResultRun *run = read_run (dir, error);
  if (!run)
    return FALSE;
  run->seed = seed;
  g_ptr_array_add (find_or_add_variant (results, name, name, (const char *const *) settings)->runs, run);
  return TRUE;
}

/* Where one experiment name has several variants (settings), label each
 * with its settings that the first of them does not share. */
static void
label_plain_variants (SrlResults *results)
{
  for (guint i = 0; i < results->variants->len; i++)
    {
      SrlResultVariant *first = results->variants->pdata[i];
      if (!first->settings || strcmp (first->label, first->name) != 0)
        continue;
      for (guint j = i + 1; j < results->variants->len; j++)
        {
          SrlResultVariant *v = results->variants->pdata[j];
          if (!v->settings || strcmp (v->name, first->name) != 0 || strcmp (v->label, first->name) != 0)
            continue;
          g_autoptr (GString) label = g_string_new (v->name);
          guint shown = 0;
          for (guint k = 0; v->settings[k]; k++)
            if (!g_strv_contains ((const char *const *) first->settings, v->settings[k]))
              g_string_append_printf (label, "%s%s", shown++ ? ", " : " (", v->settings[k]);
          g_string_append (label, shown ? ")" : " (other settings)");
          g_free (v->label);
          v->label = g_string_free (g_steal_pointer (&label), FALSE);
        }
    }
}

/* A sweep directory: variants and runs from its manifest. */
static gboolean
add_sweep (SrlResults *results, const char *dir, const char *manifest, gboolean prefix, GError **error)
{
  g_autoptr (GKeyFile) kf = srl_sweep_manifest_load (manifest, error);
  if (!kf)
    return FALSE;
  g_autofree char *sweep_name = g_key_file_get_string (kf, "sweep", "name", NULL);
  if (!results->title && results->variants->len == 0)
    results->title = g_strdup (sweep_name);
  else
    g_clear_pointer (&results->title, g_free);
  if (g_key_file_has_key (kf, "sweep", "threshold", NULL))
    {
      results->has_threshold = TRUE;
      results->threshold = g_key_file_get_double (kf, "sweep", "threshold", NULL);
    }
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      if (!g_str_has_prefix (groups[i], "run "))
        continue;
      /* srl_sweep_manifest_load made sure these are there. */
      g_autofree char *variant = g_key_file_get_string (kf, groups[i], "variant", NULL);
      g_autofree char *rel = g_key_file_get_string (kf, groups[i], "dir", NULL);
      g_autofree char *seed = g_key_file_get_string (kf, groups[i], "seed", NULL);
      g_autofree char *vgroup = g_strconcat ("variant ", variant, NULL);
      g_autofree char *label = g_key_file_get_string (kf, vgroup, "label", NULL);
      g_autofree char *shown = prefix ? g_strdup_printf ("%s: %s", sweep_name, label ? label : variant)
                                      : g_strdup (label ? label : variant);
      SrlResultVariant *v = find_or_add_variant (results, variant, shown, NULL);
      /* A run not started yet counts, with no status and no progress. */
      g_autofree char *run_dir = g_build_filename (dir, rel, NULL);
      SrlResultRun *run = read_run (run_dir, error);
      if (!run)
        return FALSE;
      run->seed = g_ascii_strtoull (seed, NULL, 10);
      g_ptr_array_add (v->runs, run);
    }
  return TRUE;
}

SrlResults *
srl_results_load (const char *const *paths, GError **error)
{
  g_autoptr (SrlResults) results = g_new0 (SrlResults, 1);
  results->variants = g_ptr_array_new_with_free_func (result_variant_free);
  guint n_sweeps = 0;
  for (guint i = 0; paths[i]; i++)
    {
      g_autofree char *manifest = g_build_filename (paths[i], SRL_SWEEP_MANIFEST, NULL);
      if (g_file_test (manifest, G_FILE_TEST_IS_REGULAR))
        n_sweeps++;
    }
  for (guint i = 0; paths[i]; i++)
    {
      const char *path = paths[i];
      g_autofree char *manifest = g_build_filename (path, SRL_SWEEP_MANIFEST, NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: not a directory", path);
          return NULL;
        }
      if (g_file_test (manifest, G_FILE_TEST_IS_REGULAR))
        {
          if (!add_sweep (results, path, manifest, n_sweeps > 1, error))
            return NULL;
          continue;
        }
      g_clear_pointer (&results->title, g_free);
      if (srl_results_run_file (path))
        {
          if (!add_plain_run (results, path, error))
            return NULL;
          continue;
        }
      g_autoptr (GPtrArray) children = srl_results_run_dirs (path);
      if (!children->len)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                       "%s: not a sweep directory (no %s), a run directory (no %s) or a directory of runs", path,
                       SRL_SWEEP_MANIFEST, SRL_RUN_CONFIG);
          return NULL;
        }
      for (guint c = 0; c < children->len; c++)
        if (!add_plain_run (results, children->pdata[c], error))
          return NULL;
    }
  label_plain_variants (results);
  return g_steal_pointer (&results);
}

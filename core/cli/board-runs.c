/* What the board shows of runs and sweeps, read from their files on each
 * request (see board.h).  Nothing is kept between requests, so runs may
 * appear, disappear or be written while the board runs, and memory stays
 * that of one page of the list or one run's curve. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "board.h"
#include "results.h"
#include "srl-private.h"
#include "sweep.h"

/* Directories of directories are searched this deep for runs and sweeps
 * (DIR/runs/NAME, DIR/sweeps/NAME), no deeper: a board over a home
 * directory must not walk the whole disk. */
#define SCAN_DEPTH 3

/* The last lines of a progress file read for the list: enough for a few
 * rows of any width softrl writes. */
#define TAIL_BYTES 16384

static void
entry_free (gpointer p)
{
  SrlBoardEntry *e = p;
  g_free (e->relative);
  g_free (e->sweep);
  g_free (e->variant);
  g_free (e);
}

static SrlBoardEntry *
entry_new (guint root, const char *relative, gboolean is_sweep)
{
  SrlBoardEntry *e = g_new0 (SrlBoardEntry, 1);
  e->root = root;
  e->relative = g_strdup (relative);
  e->is_sweep = is_sweep;
  return e;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* A sweep's runs, as its manifest lists them; a run directory name that
 * is not a plain name (a manifest edited by hand) is left out. */
static void
add_sweep (GPtrArray *entries, guint root, const char *relative, const char *manifest)
{
  g_autoptr (GKeyFile) kf = srl_sweep_manifest_load (manifest, NULL);
  g_ptr_array_add (entries, entry_new (root, relative, TRUE));
  if (!kf)
    return;
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      if (!g_str_has_prefix (groups[i], "run "))
        continue;
      g_autofree char *dir = g_key_file_get_string (kf, groups[i], "dir", NULL);
      g_autofree char *variant = g_key_file_get_string (kf, groups[i], "variant", NULL);
      if (!dir || !*dir || strchr (dir, '/') || strcmp (dir, "..") == 0 || strcmp (dir, ".") == 0)
        continue;
      g_autofree char *vgroup = g_strconcat ("variant ", variant, NULL);
      g_autofree char *label = g_key_file_get_string (kf, vgroup, "label", NULL);
      SrlBoardEntry *e = entry_new (root, NULL, FALSE);
      e->relative = *relative ? g_build_filename (relative, dir, NULL) : g_strdup (dir);
      e->sweep = g_strdup (relative);
      e->variant = g_strdup (label ? label : variant);
      g_ptr_array_add (entries, e);
    }
}

static void
scan (GPtrArray *entries, guint root, const char *root_real, const char *relative, guint depth)
{
  g_autofree char *dir = g_build_filename (root_real, relative, NULL);
  g_autofree char *manifest = g_build_filename (dir, SRL_SWEEP_MANIFEST, NULL);
  if (g_file_test (manifest, G_FILE_TEST_IS_REGULAR))
    {
      add_sweep (entries, root, relative, manifest);
      return;
    }
  if (srl_results_run_file (dir))
    {
      g_ptr_array_add (entries, entry_new (root, relative, FALSE));
      return;
    }
  if (depth >= SCAN_DEPTH)
    return;
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) children = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);
      /* Symlinked directories are not walked: one pointing outside is
       * not the board's to show, one pointing inside is listed already. */
      /* A name that is not UTF-8 could not be asked for again by the page. */
      if (name[0] != '.' && g_utf8_validate (name, -1, NULL) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK)
          && g_file_test (child, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (children, g_strdup (name));
    }
  g_ptr_array_sort (children, compare_names);
  for (guint i = 0; i < children->len; i++)
    {
      g_autofree char *child = *relative ? g_build_filename (relative, children->pdata[i], NULL)
                                         : g_strdup (children->pdata[i]);
      scan (entries, root, root_real, child, depth + 1);
    }
}

GPtrArray *
srl_board_scan (const char *const *roots)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func (entry_free);
  for (guint i = 0; roots[i]; i++)
    scan (entries, i, roots[i], "", 0);
  return entries;
}

/* ------------------------------------------------------------------ describing */

static void
add_number (JsonBuilder *b, const char *name, double value)
{
  json_builder_set_member_name (b, name);
  if (isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (!value)
    json_builder_add_null_value (b);
  else if (g_utf8_validate (value, -1, NULL))
    json_builder_add_string_value (b, value);
  else
    {
      /* A file's bytes that are not UTF-8 would make the whole answer
       * unreadable to the page. */
      g_autofree char *valid = g_utf8_make_valid (value, -1);
      json_builder_add_string_value (b, valid);
    }
}

/* The same for a string of the caller's that it no longer needs. */
static void
add_string_take (JsonBuilder *b, const char *name, char *value)
{
  add_string (b, name, value);
  g_free (value);
}

static char *
entry_id (const SrlBoardEntry *e)
{
  return g_strdup_printf ("%u/%s", e->root, e->relative);
}

/* The header and the last complete lines of a progress file, as a table
 * (NULL when the file has no row yet or cannot be parsed; *error_text then
 * says why, for the latter). */
static SrlTable *
progress_tail (const char *path, char **error_text)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat st;
  char head[4096];
  ssize_t n_head = fstat (fd, &st) == 0 ? pread (fd, head, sizeof head - 1, 0) : -1;
  if (n_head <= 0)
    {
      close (fd);
      return NULL;
    }
  head[n_head] = '\0';
  char *header_end = strchr (head, '\n');
  if (!header_end)
    {
      close (fd);
      return NULL;
    }
  gsize header_length = header_end - head + 1;
  off_t start = MAX ((off_t) header_length, st.st_size - TAIL_BYTES);
  gsize want = st.st_size > start ? (gsize) (st.st_size - start) : 0;
  g_autofree char *tail = g_malloc (want + 1);
  ssize_t got = want ? pread (fd, tail, want, start) : 0;
  close (fd);
  tail[MAX (got, 0)] = '\0';
  /* Whole lines only: the first may be cut by the offset, the last may be
   * still being written. */
  char *lines = tail;
  if (start > (off_t) header_length)
    {
      char *nl = strchr (tail, '\n');
      lines = nl ? nl + 1 : tail + strlen (tail);
    }
  char *last_nl = strrchr (lines, '\n');
  if (last_nl)
    last_nl[1] = '\0';
  else
    *lines = '\0';
  g_autofree char *text = g_strdup_printf ("%.*s%s", (int) header_length, head, lines);
  g_autoptr (GError) error = NULL;
  SrlTable *t = srl_table_parse (text, path, &error);
  if (!t)
    *error_text = g_strdup (error->message);
  return t;
}

/* The last finite value of a column of `t`, NAN when none. */
static double
last_value (const SrlTable *t, const char *column)
{
  int c = t ? srl_table_column (t, column) : -1;
  for (guint r = t && c >= 0 ? t->n_rows : 0; r > 0; r--)
    {
      double v = srl_table_get (t, r - 1, c);
      if (isfinite (v))
        return v;
    }
  return NAN;
}

/* Videos `softrl render` made, and any other a user put there. */
static void
add_videos (JsonBuilder *b, const char *dir, const char *id)
{
  json_builder_set_member_name (b, "videos");
  json_builder_begin_array (b);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    if ((g_str_has_suffix (name, ".mp4") || g_str_has_suffix (name, ".gif") || g_str_has_suffix (name, ".webm"))
        && g_utf8_validate (name, -1, NULL))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s", id, (char *) names->pdata[i]);
      json_builder_add_string_value (b, path);
    }
  json_builder_end_array (b);
}

/* Runs whose resolved experiments differ only in the seed share a group:
 * its key is a digest of config.ini without [experiment] seed. */
static char *
group_key (GKeyFile *config)
{
  g_key_file_remove_key (config, "experiment", "seed", NULL);
  gsize length;
  g_autofree char *text = g_key_file_to_data (config, &length, NULL);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA1, (const guchar *) text, length);
}

/* The status of the run in `dir`, as the list shows it (see
 * srl_board_status_word). */
static char *
run_status (const char *dir, gboolean have_config)
{
  char *status = srl_results_run_status (dir);
  if (*status)
    return status;
  g_free (status);
  /* Nothing written yet: a run a sweep has not started. */
  return g_strdup (have_config ? "unknown" : "pending");
}

char *
srl_board_status_word (const char *const *roots, const SrlBoardEntry *e)
{
  g_autofree char *dir = g_build_filename (roots[e->root], e->relative, NULL);
  g_autofree char *config = g_build_filename (dir, SRL_RUN_CONFIG, NULL);
  char *status = run_status (dir, g_file_test (config, G_FILE_TEST_EXISTS));
  char *colon = strchr (status, ':');
  if (colon)
    *colon = '\0';
  return status;
}

static void
describe_run (JsonBuilder *b, const char *dir, const SrlBoardEntry *e, const char *id)
{
  g_autoptr (GKeyFile) config = g_key_file_new ();
  g_autofree char *config_path = g_build_filename (dir, SRL_RUN_CONFIG, NULL);
  gboolean have_config = g_key_file_load_from_file (config, config_path, G_KEY_FILE_NONE, NULL);
  g_autofree char *experiment = have_config ? g_key_file_get_string (config, "experiment", "name", NULL) : NULL;
  g_autofree char *seed = have_config ? g_key_file_get_string (config, "experiment", "seed", NULL) : NULL;
  g_autofree char *env = have_config ? g_key_file_get_string (config, "env", "plugin", NULL) : NULL;
  g_autofree char *algorithm = have_config ? g_key_file_get_string (config, "algorithm", "plugin", NULL) : NULL;
  g_autofree char *status = run_status (dir, have_config);
  g_autofree char *progress_path = g_build_filename (dir, SRL_RUN_PROGRESS, NULL);
  g_autofree char *progress_error = NULL;
  g_autoptr (SrlTable) tail = progress_tail (progress_path, &progress_error);
  struct stat st;
  gboolean have_progress = stat (progress_path, &st) == 0;

  json_builder_begin_object (b);
  add_string (b, "id", id);
  add_string (b, "kind", "run");
  add_string_take (b, "name", e->sweep ? g_path_get_basename (e->relative) : g_strdup (*e->relative ? e->relative : "."));
  add_string_take (b, "sweep", e->sweep ? g_strdup_printf ("%u/%s", e->root, e->sweep) : NULL);
  g_autofree char *key = NULL;
  if (e->sweep)
    key = g_strdup_printf ("%u/%s\n%s", e->root, e->sweep, e->variant);
  else if (have_config)
    key = group_key (config);
  else
    key = g_strdup (id);
  add_string (b, "group", key);
  /* A sweep's variant label, else the experiment's name: what a legend shows. */
  add_string (b, "label", e->sweep ? e->variant : experiment ? experiment : e->relative);
  add_string (b, "status", status);
  add_string (b, "experiment", experiment);
  add_string (b, "algorithm", algorithm);
  add_string (b, "env", env);
  add_string (b, "seed", seed);
  add_number (b, "steps", last_value (tail, "env_steps"));
  add_number (b, "epoch", last_value (tail, "epoch"));
  add_number (b, "last_eval", last_value (tail, "eval_return_mean"));
  add_number (b, "wall_s", last_value (tail, "wall_s"));
  add_string (b, "progress_error", progress_error);
  /* Changes whenever progress.csv does, so the page refetches a curve only
   * then. */
  g_autofree char *version = have_progress ? g_strdup_printf ("%lld.%ld:%lld", (long long) st.st_mtim.tv_sec,
                                                                 st.st_mtim.tv_nsec, (long long) st.st_size)
                                           : NULL;
  add_string (b, "version", version);
  add_string_take (b, "config", have_config ? g_strdup_printf ("%s/%s", id, SRL_RUN_CONFIG) : NULL);
  add_videos (b, dir, id);
  json_builder_end_object (b);
}

static void
describe_sweep (JsonBuilder *b, const char *dir, const char *id)
{
  g_autofree char *manifest = g_build_filename (dir, SRL_SWEEP_MANIFEST, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GKeyFile) kf = srl_sweep_manifest_load (manifest, &error);
  g_autofree char *name = kf ? g_key_file_get_string (kf, "sweep", "name", NULL) : NULL;
  g_autofree char *summary = g_build_filename (dir, "summary.md", NULL);
  json_builder_begin_object (b);
  add_string (b, "id", id);
  add_string (b, "kind", "sweep");
  add_string (b, "name", name ? name : id);
  add_string (b, "error", error ? error->message : NULL);
  json_builder_set_member_name (b, "runs");
  json_builder_add_int_value (b, kf ? g_key_file_get_integer (kf, "sweep", "runs", NULL) : 0);
  if (kf && g_key_file_has_key (kf, "sweep", "threshold", NULL))
    add_number (b, "threshold", g_key_file_get_double (kf, "sweep", "threshold", NULL));
  add_string_take (b, "summary", g_file_test (summary, G_FILE_TEST_IS_REGULAR) ? g_strdup_printf ("%s/summary.md", id)
                                                                            : NULL);
  json_builder_end_object (b);
}

void
srl_board_describe (JsonBuilder *b, const char *const *roots, const SrlBoardEntry *e)
{
  g_autofree char *id = entry_id (e);
  g_autofree char *dir = g_build_filename (roots[e->root], e->relative, NULL);
  if (e->is_sweep)
    describe_sweep (b, dir, id);
  else
    describe_run (b, dir, e, id);
}

/* ------------------------------------------------------------------ curves */

JsonNode *
srl_board_progress (const char *run_real, guint from, GError **error)
{
  g_autofree char *path = g_build_filename (run_real, SRL_RUN_PROGRESS, NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot read: %s", path, local->message);
      return NULL;
    }
  /* A line without its newline is still being written: left for the next
   * request. */
  char *last_nl = strrchr (text, '\n');
  if (last_nl)
    last_nl[1] = '\0';
  else
    *text = '\0';
  g_autoptr (SrlTable) t = *text ? srl_table_parse (text, path, error) : NULL;
  if (*text && !t)
    return NULL;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "columns");
  json_builder_begin_array (b);
  for (guint c = 0; t && c < t->n_columns; c++)
    json_builder_add_string_value (b, t->columns[c]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, t ? t->n_rows : 0);
  json_builder_set_member_name (b, "from");
  json_builder_add_int_value (b, from);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (guint r = from; t && r < t->n_rows; r++)
    {
      json_builder_begin_array (b);
      for (guint c = 0; c < t->n_columns; c++)
        {
          double v = srl_table_get (t, r, c);
          if (isfinite (v))
            json_builder_add_double_value (b, v);
          else
            json_builder_add_null_value (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

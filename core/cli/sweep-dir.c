/* Sweeps: the output directory, its lock, the runs' states found in it and
 * the manifest written there. */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "results.h"
#include "sweep.h"

/* ------------------------------------------------------------------ the directory */

void
srl_sweep_set_out (SrlSweep *s, const char *out)
{
  g_autofree char *given = out ? g_strdup (out) : g_build_filename ("sweeps", s->name, NULL);
  g_free (s->out);
  s->out = g_canonicalize_filename (given, NULL);
  for (guint i = 0; i < s->runs->len; i++)
    {
      SrlSweepRun *r = s->runs->pdata[i];
      g_free (r->dir);
      r->dir = g_build_filename (s->out, r->name, NULL);
    }
}

/* Whether two paths name one file: the same text, or the same file reached
 * another way (a symbolic link on the way, say). */
static gboolean
same_file (const char *a, const char *b)
{
  GStatBuf sa, sb;
  if (strcmp (a, b) == 0)
    return TRUE;
  return g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The sweep's directory holds the manifest at `path`. */
static gboolean
check_manifest (const SrlSweep *s, const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GKeyFile) kf = srl_sweep_manifest_load (path, &local);
  if (!kf)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                   "%s; it is not a manifest softrl sweep wrote, and the sweep leaves it as it is: give the sweep "
                   "another --out", local->message);
      return FALSE;
    }
  /* The same sweep, to be continued, is the same sweep file under the same
   * name, as the manifest's [sweep] records them: the file may have been
   * edited since (new seeds and values are how a sweep grows; changed
   * settings are reported run by run), but another file or another name is
   * another sweep, whose manifest would replace this one's and drop its
   * runs.  The file tells apart two files named alike in different folders
   * (both default to sweeps/NAME); the name is what the results are titled
   * with. */
  g_autofree char *file = g_key_file_get_string (kf, "sweep", "file", NULL);
  g_autofree char *name = g_key_file_get_string (kf, "sweep", "name", NULL);
  if (!file || !name || !same_file (file, s->file) || strcmp (name, s->name) != 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                   "%s holds sweep %s (%s); sweep %s (%s) would replace its %s and drop its runs from softrl "
                   "summarize and plot: give it another --out, or continue %s there with `softrl sweep %s --out %s`",
                   s->out, name ? name : "?", file ? file : "?", s->name, s->file, SRL_SWEEP_MANIFEST,
                   name ? name : "it", file ? file : "FILE", s->out);
      return FALSE;
    }
  /* The same sweep, but runs it recorded whose directories are there are no
   * longer in the file (a seed or value removed, or every variant renamed
   * because a key got a second value): the new manifest would drop them. */
  g_autoptr (GHashTable) current = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < s->runs->len; i++)
    g_hash_table_add (current, ((SrlSweepRun *) s->runs->pdata[i])->name);
  g_autofree char *first = NULL;
  guint dropped = 0;
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      if (!g_str_has_prefix (groups[i], "run "))
        continue;
      g_autofree char *rel = g_key_file_get_string (kf, groups[i], "dir", NULL);
      g_autofree char *dir = g_build_filename (s->out, rel, NULL);
      if (g_hash_table_contains (current, rel) || !g_file_test (dir, G_FILE_TEST_IS_DIR))
        continue;
      if (dropped++ == 0)
        first = g_steal_pointer (&rel);
    }
  if (dropped)
    {
      g_autofree char *more = dropped > 1 ? g_strdup_printf (" and %u more", dropped - 1) : g_strdup ("");
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                   "%s: runs its %s lists but %s no longer gives are still there (%s%s); continuing would drop "
                   "them from the manifest: put their seeds or values back in the file, move their directories out "
                   "of %s, or give the sweep another --out",
                   s->out, SRL_SWEEP_MANIFEST, s->file, first, more, s->out);
      return FALSE;
    }
  return TRUE;
}

gboolean
srl_sweep_check_out (const SrlSweep *s, GError **error)
{
  g_autofree char *manifest = g_build_filename (s->out, SRL_SWEEP_MANIFEST, NULL);
  if (g_file_test (manifest, G_FILE_TEST_EXISTS))
    return check_manifest (s, manifest, error);
  const char *run_file = srl_results_run_file (s->out);
  if (run_file)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                   "%s is a run's directory (it holds %s), not a sweep's; the sweep would make its runs inside "
                   "it: give the sweep another --out", s->out, run_file);
      return FALSE;
    }
  /* Runs without a manifest (softrl run's runs/, say): a manifest there
   * would hide them from softrl summarize and plot, which then read only the
   * runs it lists, and one named like a run of the sweep would be taken for
   * it. */
  g_autoptr (GPtrArray) runs = srl_results_run_dirs (s->out);
  if (runs->len)
    {
      g_autofree char *first = g_path_get_basename (runs->pdata[0]);
      g_autofree char *more = runs->len > 1 ? g_strdup_printf (" and %u more", runs->len - 1) : g_strdup ("");
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                   "%s holds runs (%s%s) and no %s, so it is not a sweep's directory; a sweep's manifest there "
                   "would hide those runs from softrl summarize and plot: give the sweep another --out", s->out, first,
                   more, SRL_SWEEP_MANIFEST);
      return FALSE;
    }
  return TRUE;
}

gboolean
srl_sweep_open (SrlSweep *s, const char *out, gboolean lock, GError **error)
{
  srl_sweep_set_out (s, out);
  /* Before anything is created, so that a refused directory stays as it
   * was. */
  if (!srl_sweep_check_out (s, error))
    return FALSE;
  if (g_mkdir_with_parents (s->out, 0755) != 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot create the sweep directory: %s", s->out,
                   g_strerror (errno));
      return FALSE;
    }
  if (lock)
    {
      /* A refusal before anything started: exit 2 like any other. */
      s->lock_fd = srl_dir_lock (s->out, SRL_SWEEP_LOCK, "sweep", error);
      if (s->lock_fd < 0)
        return FALSE;
    }
  g_autofree char *log_path = g_build_filename (s->out, SRL_SWEEP_LOG, NULL);
  s->log = g_fopen (log_path, "a");
  if (!s->log)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot open: %s", log_path, g_strerror (errno));
      return FALSE;
    }
  srl_console_init (&s->console, FALSE);
  s->started = srl_now ();
  return TRUE;
}

char *
srl_sweep_read_run_status (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, SRL_RUN_STATUS, NULL);
  char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  char *nl = strchr (text, '\n');
  if (nl)
    *nl = '\0';
  return g_strstrip (text);
}

void
srl_sweep_write_run_status (SrlSweep *s, const SrlSweepRun *r, const char *status)
{
  g_autofree char *path = g_build_filename (r->dir, SRL_RUN_STATUS, NULL);
  g_autofree char *text = g_strconcat (status, "\n", NULL);
  g_autoptr (GError) error = NULL;
  if (!srl_write_file_atomic (path, text, -1, &error))
    srl_sweep_event (s, "warning: %s", error->message);
}

/* The first setting where a run's config.ini differs from the variant's, as
 * "group.key is A there, B here", or NULL. */
static char *
config_difference (const SrlSweepVariant *v, const char *dir)
{
  g_autofree char *path = g_build_filename (dir, SRL_RUN_CONFIG, NULL);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL))
    return NULL;
  g_auto (GStrv) groups = g_key_file_get_groups (v->resolved, NULL);
  for (guint g = 0; groups[g]; g++)
    {
      g_auto (GStrv) keys = g_key_file_get_keys (v->resolved, groups[g], NULL, NULL);
      for (guint k = 0; keys && keys[k]; k++)
        {
          if (strcmp (groups[g], "experiment") == 0
              && (strcmp (keys[k], "seed") == 0 || strcmp (keys[k], "run_id") == 0))
            continue;
          g_autofree char *want = g_key_file_get_value (v->resolved, groups[g], keys[k], NULL);
          g_autofree char *have = g_key_file_get_value (kf, groups[g], keys[k], NULL);
          if (!have || strcmp (have, want) != 0)
            return g_strdup_printf ("%s.%s is %s there, %s here", groups[g], keys[k], have ? have : "missing", want);
        }
    }
  return NULL;
}

void
srl_sweep_scan (SrlSweep *s, gboolean retry_failed)
{
  for (guint i = 0; i < s->runs->len; i++)
    {
      SrlSweepRun *r = s->runs->pdata[i];
      g_autofree char *status = srl_sweep_read_run_status (r->dir);
      g_clear_pointer (&r->error, g_free);
      if (status && strcmp (status, "finished") == 0)
        r->state = SRL_SWEEP_FINISHED;
      else if (status && g_str_has_prefix (status, "failed") && !retry_failed)
        {
          r->state = SRL_SWEEP_FAILED;
          const char *reason = status + strlen ("failed");
          r->error = *reason == ':' ? g_strstrip (g_strdup (reason + 1)) : g_strdup ("unknown");
        }
      else
        r->state = SRL_SWEEP_PENDING;
      g_autofree char *diff = config_difference (s->variants->pdata[r->variant], r->dir);
      if (diff)
        srl_sweep_event (s, "warning: %s: its config.ini differs from what the sweep file gives (%s); the run keeps "
                            "its own settings (remove its directory to start it anew)", r->name, diff);
    }
}

gboolean
srl_sweep_write_manifest (const SrlSweep *s, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_key_file_set_string (kf, "sweep", "file", s->file);
  g_key_file_set_string (kf, "sweep", "name", s->name);
  GString *seed_text = g_string_new (NULL);
  for (guint k = 0; k < s->n_seeds; k++)
    g_string_append_printf (seed_text, "%" G_GUINT64_FORMAT ";", ((SrlSweepRun *) s->runs->pdata[k])->seed);
  g_key_file_set_value (kf, "sweep", "seeds", seed_text->str);
  g_string_free (seed_text, TRUE);
  if (s->has_threshold)
    g_key_file_set_double (kf, "sweep", "threshold", s->threshold);
  g_key_file_set_integer (kf, "sweep", "variants", s->variants->len);
  g_key_file_set_integer (kf, "sweep", "runs", s->runs->len);
  g_key_file_set_comment (kf, "sweep", NULL,
                          " Written by softrl sweep; read by softrl summarize and softrl plot.\n"
                          " A run's own directory (status, progress.csv) is the truth; this lists the grid.", NULL);
  for (guint i = 0; i < s->variants->len; i++)
    {
      const SrlSweepVariant *v = s->variants->pdata[i];
      g_autofree char *group = g_strconcat ("variant ", v->name, NULL);
      g_key_file_set_string (kf, group, "label", v->label);
      g_key_file_set_string (kf, group, "experiment", v->experiment);
      g_key_file_set_string_list (kf, group, "settings", (const char *const *) v->settings,
                                  g_strv_length (v->settings));
    }
  for (guint i = 0; i < s->runs->len; i++)
    {
      const SrlSweepRun *r = s->runs->pdata[i];
      g_autofree char *group = g_strconcat ("run ", r->name, NULL);
      g_key_file_set_string (kf, group, "variant", ((SrlSweepVariant *) s->variants->pdata[r->variant])->name);
      g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, r->seed);
      g_key_file_set_value (kf, group, "seed", seed);
      g_key_file_set_string (kf, group, "dir", r->name);
      g_key_file_set_string (kf, group, "state", srl_sweep_state_name (r->state));
      if (r->error)
        g_key_file_set_string (kf, group, "error", r->error);
      if (r->where)
        g_key_file_set_string (kf, group, "where", r->where);
      if (r->wall > 0)
        g_key_file_set_double (kf, group, "wall_s", r->wall);
    }
  gsize length;
  g_autofree char *text = g_key_file_to_data (kf, &length, NULL);
  g_autofree char *path = g_build_filename (s->out, SRL_SWEEP_MANIFEST, NULL);
  return srl_write_file_atomic (path, text, length, error);
}

/* Sweeps: reading and validating sweep files, the runs' directories and
 * child processes, the manifest, events and progress (see sweep.h). */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "commands.h"
#include "results.h"
#include "sweep.h"

/* More combinations than this is a mistake, not a sweep. */
#define MAX_VARIANTS 100000

static const char *const sweep_keys[] = { "experiment", "seeds", "threshold", "name" };

const char *
srl_sweep_state_name (SrlSweepState state)
{
  switch (state)
    {
    case SRL_SWEEP_PENDING: return "pending";
    case SRL_SWEEP_RUNNING: return "running";
    case SRL_SWEEP_FINISHED: return "finished";
    case SRL_SWEEP_FAILED: return "failed";
    case SRL_SWEEP_INTERRUPTED: return "interrupted";
    case SRL_SWEEP_LOST: return "lost";
    }
  return "?";
}

static void
variant_free (gpointer p)
{
  SrlSweepVariant *v = p;
  g_free (v->name);
  g_free (v->label);
  g_free (v->experiment);
  g_strfreev (v->settings);
  if (v->resolved)
    g_key_file_unref (v->resolved);
  g_free (v);
}

static void
run_free (gpointer p)
{
  SrlSweepRun *r = p;
  g_free (r->name);
  g_free (r->dir);
  g_free (r->error);
  g_free (r->where);
  g_free (r);
}

void
srl_sweep_free (SrlSweep *s)
{
  if (!s)
    return;
  if (s->variants)
    g_ptr_array_unref (s->variants);
  if (s->runs)
    g_ptr_array_unref (s->runs);
  if (s->log)
    fclose (s->log);
  if (s->lock_fd >= 0)
    close (s->lock_fd);
  g_free (s->file);
  g_free (s->name);
  g_free (s->out);
  g_free (s->exe);
  g_free (s);
}

/* ------------------------------------------------------------------ reading */

/* One axis of the grid: the experiment files, or a GROUP.KEY's values. */
typedef struct {
  char *key;
  GStrv values;
  char *short_key; /* the key without its group, for names */
} Axis;

static void
axis_clear (gpointer p)
{
  Axis *a = p;
  g_free (a->key);
  g_strfreev (a->values);
  g_free (a->short_key);
}

/* A [sweep] list: items stripped, none empty, no duplicates. */
static GStrv
read_list (GKeyFile *kf, const char *file, const char *key, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_auto (GStrv) items = g_key_file_get_string_list (kf, "sweep", key, NULL, &local);
  if (!items)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [sweep] %s: %s", file, key, local->message);
      return NULL;
    }
  guint n = g_strv_length (items);
  for (guint i = 0; i < n; i++)
    {
      g_strstrip (items[i]);
      if (!*items[i])
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [sweep] %s: value %u is empty", file, key, i + 1);
          return NULL;
        }
      for (guint j = 0; j < i; j++)
        if (strcmp (items[i], items[j]) == 0)
          {
            g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [sweep] %s: \"%s\" is listed twice", file, key,
                         items[i]);
            return NULL;
          }
    }
  if (n == 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [sweep] %s: no values", file, key);
      return NULL;
    }
  return g_steal_pointer (&items);
}

/* Rewrite an error of srl_experiment_load or of creating a combination
 * (`variant`, or NULL for one value alone) so that it names the sweep file,
 * its group and the key whose override it is about, when it is about one of
 * `settings` ("group.key=value"). */
static void
set_sweep_error (GError **error, const GError *inner, const char *file, const char *const *settings,
                 const char *variant)
{
  g_autofree char *in_variant = variant ? g_strdup_printf (" (variant %s)", variant) : g_strdup ("");
  for (guint i = 0; settings[i]; i++)
    {
      g_autofree char *origin = g_strdup_printf ("--set %s: ", settings[i]);
      if (!g_str_has_prefix (inner->message, origin))
        continue;
      const char *msg = inner->message + strlen (origin);
      const char *dot = strchr (settings[i], '.'), *eq = strchr (settings[i], '=');
      g_autofree char *key = g_strndup (settings[i], eq - settings[i]);
      g_autofree char *where = g_strdup_printf ("[%.*s] %.*s: ", (int) (dot - settings[i]), settings[i],
                                                (int) (eq - dot - 1), dot + 1);
      if (g_str_has_prefix (msg, where))
        msg += strlen (where);
      g_set_error (error, SRL_ERROR, inner->code, "%s: [sweep] %s = %s%s: %s", file, key, eq + 1, in_variant, msg);
      return;
    }
  g_set_error (error, SRL_ERROR, inner->code, "%s: [sweep]%s: %s", file, in_variant, inner->message);
}

static char *
experiment_base_name (const char *path)
{
  char *base = g_path_get_basename (path);
  if (g_str_has_suffix (base, ".ini"))
    base[strlen (base) - 4] = '\0';
  return base;
}

/* Characters kept in directory names; the rest become '_'. */
static char *
dir_safe (const char *text)
{
  char *s = g_strdup (text);
  for (char *p = s; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("._+=,-", *p))
      *p = '_';
  if (s[0] == '.' || s[0] == '-')
    s[0] = '_';
  return s;
}

/* Load one combination and create its environment and algorithm, which
 * check relations between parameters; on success, the resolved keyfile. */
static GKeyFile *
check_combination (const SrlRegistry *registry, const char *experiment, const char *const *overrides,
                   GError **error)
{
  g_autoptr (SrlExperiment) x = srl_experiment_load (registry, experiment, overrides, error);
  if (!x)
    return NULL;
  SrlEnv *env = srl_env_new (srl_experiment_env (x), srl_experiment_section (x, "env"), error);
  if (!env)
    return NULL;
  SrlAgent *agent = srl_agent_new (registry, x, srl_env_spec (env),
                                   srl_section_get_int (srl_experiment_section (x, "experiment"), "seed"), error);
  srl_env_free (env);
  if (!agent)
    return NULL;
  srl_agent_free (agent);
  g_autofree char *text = srl_experiment_format (x);
  GKeyFile *kf = g_key_file_new ();
  g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL);
  return kf;
}

static char *
self_exe (void)
{
  char *exe = g_file_read_link ("/proc/self/exe", NULL);
  if (exe)
    return exe;
  exe = g_find_program_in_path ("softrl");
  return exe ? exe : g_strdup ("softrl");
}

/* The [sweep] keys: the experiment axis first, then the GROUP.KEY axes in
 * file order; the seeds; name and threshold into `s`. */
static gboolean
read_sweep_keys (GKeyFile *kf, const char *path, SrlSweep *s, GArray *axes, GArray *seeds, GError **error)
{
  g_autofree char *sweep_dir = g_path_get_dirname (s->file);
  g_auto (GStrv) seed_texts = NULL;
  g_auto (GStrv) keys = g_key_file_get_keys (kf, "sweep", NULL, NULL);
  for (guint k = 0; keys && keys[k]; k++)
    {
      const char *key = keys[k];
      if (strcmp (key, "experiment") == 0)
        {
          GStrv files = read_list (kf, path, key, error);
          if (!files)
            return FALSE;
          for (guint i = 0; files[i]; i++)
            {
              char *abs = g_canonicalize_filename (files[i], sweep_dir);
              g_free (files[i]);
              files[i] = abs;
            }
          Axis a = { g_strdup (key), files, NULL };
          g_array_prepend_val (axes, a);
          for (guint i = 0; files[i]; i++)
            if (!g_file_test (files[i], G_FILE_TEST_IS_REGULAR))
              {
                g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [sweep] experiment: %s: no such file", path,
                             files[i]);
                return FALSE;
              }
        }
      else if (strcmp (key, "seeds") == 0)
        {
          if (!(seed_texts = read_list (kf, path, key, error)))
            return FALSE;
        }
      else if (strcmp (key, "threshold") == 0)
        {
          g_autofree char *text = g_strstrip (g_key_file_get_string (kf, "sweep", key, NULL));
          char *end = NULL;
          s->threshold = g_ascii_strtod (text, &end);
          if (!*text || !end || *end || !isfinite (s->threshold))
            {
              g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [sweep] threshold: expected a number, got \"%s\"",
                           path, text);
              return FALSE;
            }
          s->has_threshold = TRUE;
        }
      else if (strcmp (key, "name") == 0)
        {
          g_autofree char *name = g_strstrip (g_key_file_get_string (kf, "sweep", key, NULL));
          if (!*name)
            {
              g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [sweep] name: empty", path);
              return FALSE;
            }
          s->name = dir_safe (name);
        }
      else if (!strchr (key, '.'))
        {
          const char *near = srl_closest_name (key, sweep_keys, G_N_ELEMENTS (sweep_keys));
          g_autofree char *hint = near ? g_strdup_printf (" (did you mean \"%s\"?)", near) : g_strdup ("");
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                       "%s: [sweep] %s: unknown key%s; [sweep] has experiment, seeds, threshold, name and "
                       "GROUP.KEY lists", path, key, hint);
          return FALSE;
        }
      else if (strcmp (key, "experiment.seed") == 0 || strcmp (key, "experiment.name") == 0)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [sweep] %s: set by the sweep itself; %s", path, key,
                       strcmp (key, "experiment.seed") == 0 ? "list the seeds in seeds = 1;2;3"
                                                            : "each run is named after its variant and seed");
          return FALSE;
        }
      else
        {
          GStrv values = read_list (kf, path, key, error);
          if (!values)
            return FALSE;
          Axis a = { g_strdup (key), values, g_strdup (strchr (key, '.') + 1) };
          g_array_append_val (axes, a);
        }
    }
  if (axes->len == 0 || strcmp (g_array_index (axes, Axis, 0).key, "experiment") != 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                   "%s: [sweep] experiment: missing; name the base experiment, e.g. experiment = pendulum-sac.ini "
                   "(relative to the sweep file)", path);
      return FALSE;
    }
  if (!seed_texts)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [sweep] seeds: missing; list the seeds, e.g. seeds = 1;2;3",
                   path);
      return FALSE;
    }
  for (guint i = 0; seed_texts[i]; i++)
    {
      guint64 v;
      if (!g_ascii_string_to_unsigned (seed_texts[i], 10, 0, G_MAXINT64, &v, NULL))
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [sweep] seeds: \"%s\" is not a seed (an integer ≥ 0)",
                       path, seed_texts[i]);
          return FALSE;
        }
      g_array_append_val (seeds, v);
    }
  return TRUE;
}

/* Every experiment alone, then every value alone with each experiment, so
 * that an error names the one key and value at fault. */
static gboolean
check_values (const SrlRegistry *registry, const char *path, GArray *axes, GError **error)
{
  g_autoptr (GError) local = NULL;
  const Axis *files = &g_array_index (axes, Axis, 0);
  for (guint f = 0; files->values[f]; f++)
    {
      g_autoptr (SrlExperiment) x = srl_experiment_load (registry, files->values[f], NULL, &local);
      if (!x)
        {
          g_set_error (error, SRL_ERROR, local->code, "%s: [sweep] experiment: %s", path, local->message);
          return FALSE;
        }
      for (guint a = 1; a < axes->len; a++)
        {
          const Axis *axis = &g_array_index (axes, Axis, a);
          for (guint i = 0; axis->values[i]; i++)
            {
              g_autofree char *o = g_strdup_printf ("%s=%s", axis->key, axis->values[i]);
              const char *overrides[] = { o, NULL };
              g_autoptr (SrlExperiment) y = srl_experiment_load (registry, files->values[f], overrides, &local);
              if (!y)
                {
                  set_sweep_error (error, local, path, overrides, NULL);
                  return FALSE;
                }
            }
        }
    }
  return TRUE;
}

/* The variant at `index` (one value per axis): its settings and a label
 * naming the values of the axes that vary. */
static SrlSweepVariant *
make_variant (GArray *axes, const guint *index)
{
  SrlSweepVariant *v = g_new0 (SrlSweepVariant, 1);
  v->experiment = g_strdup (g_array_index (axes, Axis, 0).values[index[0]]);
  g_autoptr (GPtrArray) settings = g_ptr_array_new ();
  GString *label = g_string_new (NULL);
  for (guint a = 0; a < axes->len; a++)
    {
      const Axis *axis = &g_array_index (axes, Axis, a);
      const char *value = axis->values[index[a]];
      if (a > 0)
        g_ptr_array_add (settings, g_strdup_printf ("%s=%s", axis->key, value));
      if (g_strv_length (axis->values) < 2)
        continue;
      if (label->len)
        g_string_append (label, ",");
      if (a == 0)
        {
          g_autofree char *base = experiment_base_name (value);
          g_string_append (label, base);
          continue;
        }
      /* The short key unless another swept key has the same one. */
      gboolean clash = FALSE;
      for (guint b = 1; b < axes->len; b++)
        if (b != a && g_strv_length (g_array_index (axes, Axis, b).values) > 1
            && strcmp (g_array_index (axes, Axis, b).short_key, axis->short_key) == 0)
          clash = TRUE;
      /* GROUP.plugin names the plugin of a group: "sampler=realnvp". */
      if (strcmp (axis->short_key, "plugin") == 0)
        g_string_append_printf (label, "%.*s=%s", (int) (strlen (axis->key) - strlen (".plugin")), axis->key, value);
      else
        g_string_append_printf (label, "%s=%s", clash ? axis->key : axis->short_key, value);
    }
  if (!label->len)
    {
      g_autofree char *base = experiment_base_name (v->experiment);
      g_string_append (label, base);
    }
  g_ptr_array_add (settings, NULL);
  v->settings = (GStrv) g_ptr_array_steal (settings, NULL);
  v->label = g_string_free (label, FALSE);
  v->name = dir_safe (v->label);
  return v;
}

SrlSweep *
srl_sweep_load (const SrlRegistry *registry, const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      if (local->domain == G_FILE_ERROR)
        g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: cannot read the sweep: %s", path, local->message);
      else
        {
          g_autofree char *why = srl_printable_excerpt (local->message, 160);
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: not a valid keyfile: %s", path, why);
        }
      return NULL;
    }
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i]; i++)
    if (strcmp (groups[i], "sweep") != 0)
      {
        g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                     "%s: [%s]: unknown group; a sweep file has one [sweep] group (the experiment's groups belong "
                     "in the experiment file it names)", path, groups[i]);
        return NULL;
      }
  if (!g_key_file_has_group (kf, "sweep"))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                   "%s: no [sweep] group; a sweep file names its experiment and seeds in [sweep]", path);
      return NULL;
    }

  g_autoptr (SrlSweep) s = g_new0 (SrlSweep, 1);
  s->lock_fd = -1;
  s->file = g_canonicalize_filename (path, NULL);
  s->exe = self_exe ();
  s->variants = g_ptr_array_new_with_free_func (variant_free);
  s->runs = g_ptr_array_new_with_free_func (run_free);
  g_autoptr (GArray) axes = g_array_new (FALSE, TRUE, sizeof (Axis));
  g_array_set_clear_func (axes, axis_clear);
  g_autoptr (GArray) seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  if (!read_sweep_keys (kf, path, s, axes, seeds, error) || !check_values (registry, path, axes, error))
    return NULL;
  s->n_seeds = seeds->len;
  if (!s->name)
    {
      g_autofree char *base = experiment_base_name (s->file);
      s->name = dir_safe (base);
    }

  /* The grid, experiment axis first, the last key varying fastest. */
  guint64 n_variants = 1;
  for (guint a = 0; a < axes->len; a++)
    n_variants *= g_strv_length (g_array_index (axes, Axis, a).values);
  if (n_variants > MAX_VARIANTS)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [sweep]: %" G_GUINT64_FORMAT " combinations; at most %d",
                   path, n_variants, MAX_VARIANTS);
      return NULL;
    }
  g_autofree guint *index = g_new0 (guint, axes->len);
  for (guint64 n = 0; n < n_variants; n++)
    {
      guint64 rest = n;
      for (guint a = axes->len; a-- > 0;)
        {
          guint len = g_strv_length (g_array_index (axes, Axis, a).values);
          index[a] = rest % len;
          rest /= len;
        }
      SrlSweepVariant *v = make_variant (axes, index);
      for (guint i = 0; i < s->variants->len; i++)
        if (strcmp (((SrlSweepVariant *) s->variants->pdata[i])->name, v->name) == 0)
          {
            /* Two labels that differ only in characters a directory
             * name cannot hold. */
            char *unique = g_strdup_printf ("%s~%" G_GUINT64_FORMAT, v->name, n + 1);
            g_free (v->name);
            v->name = unique;
          }
      g_ptr_array_add (s->variants, v);

      /* The combination as it will run (with the first seed). */
      g_autoptr (GPtrArray) overrides = g_ptr_array_new_with_free_func (g_free);
      for (guint k = 0; v->settings[k]; k++)
        g_ptr_array_add (overrides, g_strdup (v->settings[k]));
      g_ptr_array_add (overrides, g_strdup_printf ("experiment.name=%s", v->name));
      g_ptr_array_add (overrides, g_strdup_printf ("experiment.seed=%" G_GUINT64_FORMAT,
                                                   g_array_index (seeds, guint64, 0)));
      g_ptr_array_add (overrides, NULL);
      v->resolved = check_combination (registry, v->experiment, (const char *const *) overrides->pdata, &local);
      if (!v->resolved)
        {
          set_sweep_error (error, local, path, (const char *const *) v->settings, v->label);
          return NULL;
        }
      for (guint k = 0; k < seeds->len; k++)
        {
          SrlSweepRun *r = g_new0 (SrlSweepRun, 1);
          r->variant = s->variants->len - 1;
          r->seed = g_array_index (seeds, guint64, k);
          r->name = g_strdup_printf ("%s-seed%" G_GUINT64_FORMAT, v->name, r->seed);
          g_ptr_array_add (s->runs, r);
        }
    }
  return g_steal_pointer (&s);
}

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
      g_autofree char *path = g_build_filename (s->out, SRL_SWEEP_LOCK, NULL);
      s->lock_fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (s->lock_fd < 0)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot open: %s", path, g_strerror (errno));
          return FALSE;
        }
      if (flock (s->lock_fd, LOCK_EX | LOCK_NB) != 0)
        {
          g_autofree char *holder = NULL;
          g_file_get_contents (path, &holder, NULL, NULL);
          g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: another softrl sweep works in this directory (%s)", s->out,
                       holder && *holder ? g_strstrip (holder) : "see " SRL_SWEEP_LOCK);
          return FALSE;
        }
      g_autofree char *me = g_strdup_printf ("process %d on %s\n", (int) getpid (), g_get_host_name ());
      if (ftruncate (s->lock_fd, 0) != 0 || write (s->lock_fd, me, strlen (me)) < 0)
        {
          /* Only the message of a second sweep suffers. */
        }
    }
  g_autofree char *log_path = g_build_filename (s->out, SRL_SWEEP_LOG, NULL);
  s->log = g_fopen (log_path, "a");
  if (!s->log)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot open: %s", log_path, g_strerror (errno));
      return FALSE;
    }
  s->tty = isatty (STDERR_FILENO);
  s->started = srl_now ();
  return TRUE;
}

static char *
read_status (const char *dir)
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

static void
write_status (SrlSweep *s, const SrlSweepRun *r, const char *status)
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
          if (strcmp (groups[g], "experiment") == 0 && strcmp (keys[k], "seed") == 0)
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
      g_autofree char *status = read_status (r->dir);
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

guint
srl_sweep_count (const SrlSweep *s, SrlSweepState state)
{
  guint n = 0;
  for (guint i = 0; i < s->runs->len; i++)
    n += ((const SrlSweepRun *) s->runs->pdata[i])->state == state;
  return n;
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

/* ------------------------------------------------------------------ jobs */

static void
child_setup (gpointer data)
{
  /* Between fork and exec: async-signal-safe calls only. */
  pid_t parent = GPOINTER_TO_INT (data);
  setpgid (0, 0);
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
  if (getppid () != parent)
    kill (getpid (), SIGTERM);
}

static void
remove_in (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_unlink (path);
}

gboolean
srl_sweep_job_start (SrlSweep *s, guint i, SrlSweepJob *job, GError **error)
{
  SrlSweepRun *r = s->runs->pdata[i];
  const SrlSweepVariant *v = s->variants->pdata[r->variant];
  if (g_mkdir_with_parents (r->dir, 0755) != 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot create: %s", r->dir, g_strerror (errno));
      return FALSE;
    }
  gboolean resume = srl_sweep_run_resumable (r);
  if (!resume)
    {
      /* Stopped before its first checkpoint: start again (log.txt and
       * output.txt keep the history). */
      remove_in (r->dir, SRL_RUN_CONFIG);
      remove_in (r->dir, SRL_RUN_PROGRESS);
      remove_in (r->dir, SRL_RUN_POLICY);
      remove_in (r->dir, SRL_RUN_STATUS);
    }
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup (s->exe));
  g_ptr_array_add (argv, g_strdup ("run"));
  if (resume)
    {
      g_ptr_array_add (argv, g_strdup ("--resume"));
      g_ptr_array_add (argv, g_strdup (r->dir));
    }
  else
    {
      g_ptr_array_add (argv, g_strdup (v->experiment));
      for (guint k = 0; v->settings[k]; k++)
        {
          g_ptr_array_add (argv, g_strdup ("--set"));
          g_ptr_array_add (argv, g_strdup (v->settings[k]));
        }
      g_ptr_array_add (argv, g_strdup ("--set"));
      g_ptr_array_add (argv, g_strdup_printf ("experiment.name=%s", v->name));
      g_ptr_array_add (argv, g_strdup_printf ("--seed=%" G_GUINT64_FORMAT, r->seed));
      g_ptr_array_add (argv, g_strdup ("--out"));
      g_ptr_array_add (argv, g_strdup (r->dir));
    }
  g_ptr_array_add (argv, g_strdup ("-q"));
  g_ptr_array_add (argv, NULL);

  g_autofree char *output = g_build_filename (r->dir, SRL_RUN_OUTPUT, NULL);
  int fd = open (output, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot open: %s", output, g_strerror (errno));
      return FALSE;
    }
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S");
  g_autofree char *cmdline = g_strjoinv (" ", (char **) argv->pdata);
  g_autofree char *header = g_strdup_printf ("---- %s %s on %s: %s\n", stamp, resume ? "resumed" : "started",
                                             g_get_host_name (), cmdline);
  if (write (fd, header, strlen (header)) < 0)
    {
      /* The header is only a courtesy. */
    }
  g_auto (GStrv) envp = g_get_environ ();
  if (!g_environ_getenv (envp, "OPENBLAS_NUM_THREADS"))
    envp = g_environ_setenv (envp, "OPENBLAS_NUM_THREADS", "1", TRUE);
  GPid pid = 0;
  gboolean ok = g_spawn_async_with_fds (NULL, (char **) argv->pdata, envp,
                                        G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL, child_setup,
                                        GINT_TO_POINTER ((int) getpid ()), &pid, -1, fd, fd, error);
  close (fd);
  if (!ok)
    return FALSE;
  job->pid = pid;
  job->run = i;
  job->started = srl_now ();
  job->resumed = resume;
  r->state = SRL_SWEEP_RUNNING;
  return TRUE;
}

/* The last "softrl: …" line the latest attempt printed, or NULL. */
static char *
last_error_line (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, SRL_RUN_OUTPUT, NULL);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  char *found = NULL;
  for (guint i = 0; lines[i]; i++)
    {
      if (g_str_has_prefix (lines[i], "---- "))
        g_clear_pointer (&found, g_free);
      else if (g_str_has_prefix (lines[i], "softrl: "))
        {
          g_free (found);
          found = g_strdup (lines[i] + strlen ("softrl: "));
        }
    }
  return found;
}

static SrlSweepState
srl_sweep_job_end (SrlSweep *s, const SrlSweepJob *job, int ws, gboolean stopping, char **error)
{
  SrlSweepRun *r = s->runs->pdata[job->run];
  g_autofree char *status = read_status (r->dir);
  *error = NULL;
  if (WIFEXITED (ws))
    {
      int code = WEXITSTATUS (ws);
      if (code == SRL_EXIT_OK && status && strcmp (status, "finished") == 0)
        return SRL_SWEEP_FINISHED;
      if (code == SRL_EXIT_INTERRUPTED)
        return SRL_SWEEP_INTERRUPTED;
      if (status && g_str_has_prefix (status, "failed: "))
        *error = g_strdup (status + strlen ("failed: "));
      else
        {
          *error = last_error_line (r->dir);
          if (!*error)
            *error = code == SRL_EXIT_OK ? g_strdup ("exited without finishing")
                                         : g_strdup_printf ("exited with status %d", code);
          g_autofree char *text = g_strconcat ("failed: ", *error, NULL);
          write_status (s, r, text);
        }
      return SRL_SWEEP_FAILED;
    }
  int sig = WIFSIGNALED (ws) ? WTERMSIG (ws) : 0;
  if (stopping)
    {
      /* Killed by a second Ctrl-C: it continues from its last checkpoint. */
      write_status (s, r, "interrupted");
      return SRL_SWEEP_INTERRUPTED;
    }
  *error = g_strdup_printf ("killed by signal %d (%s)", sig, g_strsignal (sig));
  g_autofree char *text = g_strconcat ("failed: ", *error, NULL);
  write_status (s, r, text);
  return SRL_SWEEP_FAILED;
}

gboolean
srl_sweep_job_poll (SrlSweep *s, const SrlSweepJob *job, gboolean stopping, SrlSweepState *state, char **error)
{
  int ws = 0;
  pid_t p = waitpid (job->pid, &ws, WNOHANG);
  if (p == 0 || (p < 0 && errno == EINTR))
    return FALSE;
  if (p < 0)
    {
      *state = SRL_SWEEP_FAILED;
      *error = g_strdup_printf ("lost its process: %s", g_strerror (errno));
    }
  else
    *state = srl_sweep_job_end (s, job, ws, stopping, error);
  return TRUE;
}

double
srl_sweep_run_last_return (const SrlSweepRun *r)
{
  g_autofree char *path = g_build_filename (r->dir, SRL_RUN_PROGRESS, NULL);
  g_autoptr (SrlTable) t = srl_table_read (path, NULL);
  if (!t || !t->n_rows)
    return NAN;
  int c = srl_table_column (t, "eval_return_mean");
  return c < 0 ? NAN : srl_table_get (t, t->n_rows - 1, c);
}

gboolean
srl_sweep_run_resumable (const SrlSweepRun *r)
{
  g_autofree char *checkpoint = g_build_filename (r->dir, SRL_RUN_CHECKPOINT, NULL);
  g_autofree char *config = g_build_filename (r->dir, SRL_RUN_CONFIG, NULL);
  return g_file_test (checkpoint, G_FILE_TEST_IS_REGULAR) && g_file_test (config, G_FILE_TEST_IS_REGULAR);
}

static void
save_manifest (SrlSweep *s)
{
  g_autoptr (GError) error = NULL;
  if (!srl_sweep_write_manifest (s, &error))
    srl_sweep_event (s, "warning: %s", error->message);
}

void
srl_sweep_record_start (SrlSweep *s, guint i, const char *where, gboolean resumed)
{
  SrlSweepRun *r = s->runs->pdata[i];
  r->state = SRL_SWEEP_RUNNING;
  g_free (r->where);
  r->where = g_strdup (where);
  g_clear_pointer (&r->error, g_free);
  srl_sweep_event (s, "%s %s on %s", resumed ? "resumed" : "started", r->name, where);
  save_manifest (s);
}

void
srl_sweep_record_end (SrlSweep *s, guint i, SrlSweepState state, const char *error, double wall)
{
  SrlSweepRun *r = s->runs->pdata[i];
  r->state = state;
  g_free (r->error);
  r->error = g_strdup (error);
  r->wall = wall;
  g_autofree char *took = g_strdup_printf ("%dm%02ds", (int) (wall / 60), (int) fmod (wall, 60));
  switch (state)
    {
    case SRL_SWEEP_FINISHED:
      s->n_done_here++;
      s->done_here_wall += wall;
      srl_sweep_event (s, "finished %s in %s, final evaluation return %.1f", r->name, took,
                       srl_sweep_run_last_return (r));
      break;
    case SRL_SWEEP_FAILED:
      srl_sweep_event (s, "FAILED %s after %s: %s", r->name, took, error ? error : "unknown error");
      break;
    case SRL_SWEEP_INTERRUPTED:
      srl_sweep_event (s, "interrupted %s after %s; it continues from its checkpoint next time", r->name, took);
      break;
    case SRL_SWEEP_LOST:
      srl_sweep_event (s, "lost %s: %s; it continues from its last checkpoint next time", r->name,
                       error ? error : "its rank stopped answering");
      break;
    case SRL_SWEEP_PENDING:
    case SRL_SWEEP_RUNNING:
      break;
    }
  save_manifest (s);
}

/* ------------------------------------------------------------------ events and progress */

void
srl_sweep_progress_clear (SrlSweep *s)
{
  if (s->tty && s->progress_shown)
    {
      fputs ("\r\033[K", stderr);
      s->progress_shown = FALSE;
    }
}

void
srl_sweep_event (SrlSweep *s, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (s->log)
    srl_log_line (s->log, msg);
  srl_sweep_progress_clear (s);
  if (s->tty)
    fprintf (stderr, "%s\n", msg);
  else
    {
      /* Interleaved with other programs' lines: say who and when. */
      g_autofree char *line = g_strdup_printf ("sweep %s: %s", s->name, msg);
      srl_log_line (stderr, line);
    }
}

void
srl_sweep_progress (SrlSweep *s)
{
  if (!s->tty)
    return;
  double t = srl_now () - s->started;
  guint running = srl_sweep_count (s, SRL_SWEEP_RUNNING);
  guint waiting = srl_sweep_count (s, SRL_SWEEP_PENDING) + srl_sweep_count (s, SRL_SWEEP_INTERRUPTED)
                  + srl_sweep_count (s, SRL_SWEEP_LOST);
  g_autofree char *left = NULL;
  if (s->n_done_here && s->slots)
    {
      /* Rough: the mean time of the runs finished so far. */
      double per_run = s->done_here_wall / s->n_done_here;
      double rest = (waiting + 0.5 * running) * per_run / s->slots;
      left = g_strdup_printf (", about %dm%02ds left", (int) (rest / 60), (int) fmod (rest, 60));
    }
  fprintf (stderr, "\r\033[Ksweep %s: %u/%u done, %u running, %u failed, %u waiting  %dm%02ds%s", s->name,
           srl_sweep_count (s, SRL_SWEEP_FINISHED), s->runs->len, running, srl_sweep_count (s, SRL_SWEEP_FAILED),
           waiting, (int) (t / 60), (int) fmod (t, 60), left ? left : "");
  fflush (stderr);
  s->progress_shown = TRUE;
}

/* The closing lines and the exit status of a sweep, local or MPI. */
int
srl_sweep_finish (SrlSweep *s, gboolean completed)
{
  guint finished = srl_sweep_count (s, SRL_SWEEP_FINISHED), failed = srl_sweep_count (s, SRL_SWEEP_FAILED);
  guint left = s->runs->len - finished - failed;
  srl_sweep_event (s, "%s: %u finished, %u failed, %u to do", completed ? "done" : "stopped", finished, failed, left);
  if (!completed)
    {
      printf ("interrupted; run the same command again to continue (%s)\n", s->out);
      return SRL_EXIT_INTERRUPTED;
    }
  printf ("results: %s\n  softrl summarize %s\n  softrl plot %s -o %s/curves.png\n", s->out, s->out, s->out, s->out);
  if (failed)
    srl_cli_error ("sweep: %u run%s failed; %s/%s lists why (softrl sweep --retry-failed runs them again)", failed,
                   failed == 1 ? "" : "s", s->out, SRL_SWEEP_MANIFEST);
  return failed ? SRL_EXIT_FAILED : SRL_EXIT_OK;
}

char *
srl_sweep_grid_text (const SrlSweep *s)
{
  guint v = s->variants->len, r = s->runs->len;
  return g_strdup_printf ("%u variant%s × %u seed%s = %u run%s", v, v == 1 ? "" : "s", s->n_seeds,
                          s->n_seeds == 1 ? "" : "s", r, r == 1 ? "" : "s");
}

/* Announce what a (re)started sweep will do. */
void
srl_sweep_announce (SrlSweep *s, const char *how)
{
  guint finished = srl_sweep_count (s, SRL_SWEEP_FINISHED), failed = srl_sweep_count (s, SRL_SWEEP_FAILED);
  g_autofree char *grid = srl_sweep_grid_text (s);
  srl_sweep_event (s, "%s in %s; %u finished before, %u failed before, %u to run %s", grid, s->out, finished, failed,
                   s->runs->len - finished - failed, how);
  if (failed)
    srl_sweep_event (s, "%u run%s failed before and stay%s failed (--retry-failed runs them again)", failed,
                     failed == 1 ? "" : "s", failed == 1 ? "s" : "");
}

/* ------------------------------------------------------------------ signals */

static volatile sig_atomic_t stop_requests = 0;

static void
on_stop_signal (int sig)
{
  (void) sig;
  stop_requests++;
}

void
srl_sweep_install_signal_handlers (void)
{
  struct sigaction sa;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, NULL);
  sigaction (SIGTERM, &sa, NULL);
}

int
srl_sweep_stop_requests (void)
{
  return stop_requests;
}

gboolean
srl_sweep_mpi_launched (void)
{
  /* Open MPI's mpirun, and PMIx or PMI launchers such as srun. */
  static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE" };
  for (guint i = 0; i < G_N_ELEMENTS (vars); i++)
    {
      const char *v = g_getenv (vars[i]);
      if (v && g_ascii_strtoll (v, NULL, 10) > 1)
        return TRUE;
    }
  /* srun without an MPI plugin still tells the job's size. */
  const char *tasks = g_getenv ("SLURM_STEP_NUM_TASKS");
  return g_getenv ("PMIX_RANK") && tasks && g_ascii_strtoll (tasks, NULL, 10) > 1;
}

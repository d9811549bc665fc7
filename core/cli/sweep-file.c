/* Sweeps: reading and validating a sweep file into its variants and runs. */
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

/* More combinations than this is a mistake, not a sweep. */
#define MAX_VARIANTS 100000

static const char *const sweep_keys[] = { "experiment", "seeds", "threshold", "name" };

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
  if (!srl_experiment_check (registry, x, error))
    return NULL;
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
          g_autofree char *base = srl_experiment_default_name (value);
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
      g_autofree char *base = srl_experiment_default_name (v->experiment);
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
  s->variants = g_ptr_array_new_with_free_func (srl_sweep_variant_free);
  s->runs = g_ptr_array_new_with_free_func (srl_sweep_run_free);
  g_autoptr (GArray) axes = g_array_new (FALSE, TRUE, sizeof (Axis));
  g_array_set_clear_func (axes, axis_clear);
  g_autoptr (GArray) seeds = g_array_new (FALSE, FALSE, sizeof (guint64));
  if (!read_sweep_keys (kf, path, s, axes, seeds, error) || !check_values (registry, path, axes, error))
    return NULL;
  s->n_seeds = seeds->len;
  if (!s->name)
    {
      g_autofree char *base = srl_experiment_default_name (s->file);
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

/* Experiments: parse a keyfile, resolve its plugins, validate every key
 * against the declared parameters and fill in the defaults. */
#include <string.h>

#include "experiment.h"

const SrlParamSpec srl_experiment_params[] = {
  SRL_PARAM_STRING ("name", "", "run name (default: the file name without .ini)"),
  SRL_PARAM_INT ("seed", "1", 0, 9.2e18, "seed of every random stream of the run"),
  SRL_PARAM_INT ("epochs", "100", 1, 1e9, "training epochs"),
  SRL_PARAM_INT ("steps_per_epoch", "1000", 1, 1e12, "environment steps per epoch"),
  SRL_PARAM_INT ("eval_episodes", "5", 0, 1e6, "evaluation episodes after each epoch (0: none)"),
  SRL_PARAM_BOOL ("eval_deterministic", "true", "evaluate the deterministic policy (noise 0) rather than sampling"),
  SRL_PARAM_INT ("initial_random_steps", "1000", 0, 1e12, "first environment steps taken with the algorithm's random actions"),
  SRL_PARAM_INT ("min_replay_size", "1000", 1, 1e12, "transitions in the replay buffer before updates start"),
  SRL_PARAM_INT ("gradient_steps", "1", 0, 1e6, "gradient updates per environment step"),
  SRL_PARAM_INT ("max_path_length", "0", 0, 1e9, "time limit of an episode (0: the environment's own)"),
  SRL_PARAM_INT ("replay_capacity", "1000000", 1, 1e10, "transitions the replay buffer keeps"),
  SRL_PARAM_INT ("checkpoint_interval", "10", 0, 1e9, "epochs between checkpoints (0: only at the end and on Ctrl-C)"),
  SRL_PARAM_PATH_LIST ("replay_from", "", "run directories whose replay buffers fill this run's before it starts"),
  SRL_PARAM_INT ("offline_updates", "0", 0, 1e12,
                 "> 0: an offline run of this many updates per epoch on the replay buffer, without environment steps"),
  SRL_PARAM_STRING ("run_id", "",
                    "set by softrl when a run starts (a value given is replaced) and saved in its checkpoints, which "
                    "another run's config.ini then refuses"),
  SRL_PARAM_END
};

static const char *const known_groups[] = { "experiment", "env", "algorithm", "sampler" };

gboolean
srl_experiment_check_owner (const SrlStateReader *rd, const SrlExperiment *x, GError **error)
{
  const char *path = srl_state_reader_path (rd);
  const char *theirs = srl_state_reader_meta (rd, "run_id");
  const char *ours = srl_section_get_string (x->runner, "run_id");
  /* Files of softrl before run ids carry none, and their config.ini none
   * either: those still resume.  One side without it is a mix-up. */
  if ((theirs || *ours) && g_strcmp0 (theirs, ours) != 0)
    {
      /* A file of another run is a wrong file, not a setting to change:
       * SRL_ERROR_FORMAT, which resume does not blame on config.ini. */
      g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT,
                   "%s belongs to run %s, but %s is run %s: a checkpoint or policy resumes only the run that wrote it",
                   path, theirs && *theirs ? theirs : "(without an id)", x->file, *ours ? ours : "(without an id)");
      return FALSE;
    }
  const char *seed = srl_state_reader_meta (rd, "seed");
  gint64 want = srl_section_get_int (x->runner, "seed");
  g_autofree char *want_text = g_strdup_printf ("%" G_GINT64_FORMAT, want);
  if (seed && strcmp (seed, want_text) != 0)
    {
      srl_section_error (x->runner, "seed", error,
                         "%s was written by this run with seed %s; its random states are in the checkpoint, so a "
                         "resumed run keeps that seed", path, seed);
      return FALSE;
    }
  return TRUE;
}

char *
srl_experiment_default_name (const char *path)
{
  char *base = g_path_get_basename (path);
  if (g_str_has_suffix (base, ".ini"))
    base[strlen (base) - 4] = '\0';
  return base;
}

void
srl_experiment_free (SrlExperiment *x)
{
  if (!x)
    return;
  srl_section_free (x->runner);
  srl_section_free (x->env);
  srl_section_free (x->algorithm);
  srl_section_free (x->sampler);
  g_free (x->file);
  g_free (x);
}

typedef struct {
  char *group, *key, *value, *origin;
} Override;

static void
override_clear (gpointer p)
{
  Override *o = p;
  g_free (o->group);
  g_free (o->key);
  g_free (o->value);
  g_free (o->origin);
}

static gboolean
parse_overrides (const char *const *overrides, GArray *out, GError **error)
{
  for (guint i = 0; overrides && overrides[i]; i++)
    {
      const char *s = overrides[i];
      const char *eq = strchr (s, '=');
      const char *dot = strchr (s, '.');
      if (!eq || !dot || dot > eq || dot == s || dot + 1 == eq)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                       "--set %s: expected GROUP.KEY=VALUE, for example --set algorithm.discount=0.98", s);
          return FALSE;
        }
      Override o;
      o.group = g_strstrip (g_strndup (s, dot - s));
      o.key = g_strstrip (g_strndup (dot + 1, eq - dot - 1));
      o.value = g_strdup (eq + 1);
      g_autofree char *shown = g_strescape (s, NULL); /* a newline in it would garble the message */
      o.origin = g_strdup_printf ("--set %s", shown);
      g_array_append_val (out, o);
    }
  return TRUE;
}

static gboolean
check_group_name (const char *file, const char *group, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_groups); i++)
    if (strcmp (group, known_groups[i]) == 0)
      return TRUE;
  const char *near = srl_closest_name (group, known_groups, G_N_ELEMENTS (known_groups));
  if (near)
    g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [%s]: unknown group (did you mean [%s]?)", file, group, near);
  else
    g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                 "%s: [%s]: unknown group; an experiment has [experiment], [env], [algorithm] and [sampler]", file,
                 group);
  return FALSE;
}

static char *
list_names (const SrlRegistry *registry, SrlKind kind)
{
  g_autoptr (GPtrArray) all = srl_registry_list (registry, kind);
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < all->len; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", ((const SrlPluginInfo *) all->pdata[i])->name);
  if (!all->len)
    g_string_append (s, "none found; check SOFTRL_PLUGIN_PATH");
  return g_string_free (s, FALSE);
}

/* Resolve `plugin = NAME` of a group, with the override if any. */
static const SrlPluginInfo *
resolve_plugin (const SrlRegistry *registry, SrlKind kind, const char *origin, const char *group,
                const char *name, GError **error)
{
  if (!name || !*name)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [%s] plugin: missing; name the %s with plugin = NAME",
                   origin, group, srl_kind_name (kind));
      return NULL;
    }
  const SrlPluginInfo *info = srl_registry_lookup (registry, kind, name);
  if (info)
    return info;
  const char *near = srl_registry_closest (registry, kind, name);
  g_autofree char *all = list_names (registry, kind);
  if (near)
    g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [%s] plugin: unknown %s \"%s\" (did you mean \"%s\"?)",
                 origin, group, srl_kind_name (kind), name, near);
  else
    g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [%s] plugin: unknown %s \"%s\"; available: %s", origin,
                 group, srl_kind_name (kind), name, all);
  return NULL;
}

static const Override *
find_override (GArray *overrides, const char *group, const char *key)
{
  const Override *found = NULL;
  for (guint i = 0; i < overrides->len; i++)
    {
      const Override *o = &g_array_index (overrides, Override, i);
      if (strcmp (o->group, group) == 0 && strcmp (o->key, key) == 0)
        found = o; /* the last --set wins */
    }
  return found;
}

/* Build and validate one group from the file and the overrides. */
static SrlSection *
build_section (GKeyFile *kf, const char *file, const char *group, const char *plugin, const SrlParamSpec *specs,
               GArray *overrides, GError **error)
{
  g_autoptr (SrlSection) s = srl_section_new (file, group, plugin, specs);
  if (g_key_file_has_group (kf, group))
    {
      g_auto (GStrv) keys = g_key_file_get_keys (kf, group, NULL, NULL);
      for (guint i = 0; keys && keys[i]; i++)
        {
          if (strcmp (keys[i], "plugin") == 0)
            continue;
          g_autofree char *value = g_key_file_get_value (kf, group, keys[i], NULL);
          if (!srl_section_set (s, keys[i], value ? value : "", file, error))
            return NULL;
        }
    }
  for (guint i = 0; i < overrides->len; i++)
    {
      const Override *o = &g_array_index (overrides, Override, i);
      if (strcmp (o->group, group) == 0 && strcmp (o->key, "plugin") != 0
          && !srl_section_set (s, o->key, o->value, o->origin, error))
        return NULL;
    }
  srl_section_fill_defaults (s);
  return g_steal_pointer (&s);
}

static char *
sampler_flag_names (guint flags)
{
  GString *s = g_string_new (NULL);
  if (flags & SRL_SAMPLER_REPARAMETERIZED)
    g_string_append (s, "reparameterized gradients, ");
  if (flags & SRL_SAMPLER_DENSITY)
    g_string_append (s, "a tractable density (log π), ");
  if (flags & SRL_SAMPLER_INVERTIBLE)
    g_string_append (s, "an inverse map, ");
  if (s->len >= 2)
    g_string_truncate (s, s->len - 2);
  return g_string_free (s, FALSE);
}

gboolean
srl_algorithm_check_sampler (const SrlAlgorithmDescriptor *ad, const SrlSamplerDescriptor *sd, GError **error)
{
  if (!ad->default_sampler)
    {
      if (sd)
        g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "algorithm \"%s\" takes no sampler", ad->info.name);
      return sd == NULL;
    }
  guint missing = sd ? ad->required_sampler_flags & ~sd->flags : 0;
  if (missing)
    {
      g_autofree char *what = sampler_flag_names (missing);
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                   "algorithm \"%s\" needs a sampler with %s, which sampler \"%s\" does not have", ad->info.name,
                   what, sd->info.name);
      return FALSE;
    }
  return TRUE;
}

SrlExperiment *
srl_experiment_load (const SrlRegistry *registry, const char *path, const char *const *overrides_text,
                     GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, &local)
      || !g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, &local))
    {
      /* A file that cannot be read is a bad command line: nothing started. */
      if (local->domain == G_FILE_ERROR)
        g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: cannot read the experiment: %s", path, local->message);
      else
        {
          g_autofree char *why = srl_printable_excerpt (local->message, 160);
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: not a valid keyfile: %s", path, why);
        }
      return NULL;
    }
  if (!srl_keyfile_check_repeats (path, text, error))
    return NULL;
  g_autoptr (GArray) overrides = g_array_new (FALSE, TRUE, sizeof (Override));
  g_array_set_clear_func (overrides, override_clear);
  if (!parse_overrides (overrides_text, overrides, error))
    return NULL;

  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i]; i++)
    if (!check_group_name (path, groups[i], error))
      return NULL;
  for (guint i = 0; i < overrides->len; i++)
    {
      const Override *o = &g_array_index (overrides, Override, i);
      if (!check_group_name (o->origin, o->group, error))
        return NULL;
    }

  g_autoptr (SrlExperiment) x = g_new0 (SrlExperiment, 1);
  x->file = g_strdup (path);

  /* Plugin names: the file's, unless overridden. */
  const char *plugin_groups[3] = { "env", "algorithm", "sampler" };
  const SrlKind kinds[3] = { SRL_KIND_ENV, SRL_KIND_ALGORITHM, SRL_KIND_SAMPLER };
  char *names[3] = { NULL, NULL, NULL };
  const char *origins[3] = { path, path, path };
  for (guint g = 0; g < 3; g++)
    {
      names[g] = g_key_file_get_string (kf, plugin_groups[g], "plugin", NULL);
      if (names[g])
        g_strstrip (names[g]);
      const Override *o = find_override (overrides, plugin_groups[g], "plugin");
      if (o)
        {
          g_free (names[g]);
          names[g] = g_strstrip (g_strdup (o->value));
          origins[g] = o->origin;
        }
    }
  const SrlPluginInfo *infos[3] = { NULL, NULL, NULL };
  gboolean ok = TRUE;
  for (guint g = 0; ok && g < 2; g++)
    {
      if (!names[g] && !g_key_file_has_group (kf, plugin_groups[g]))
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: no [%s] group; name the %s with [%s] plugin = NAME",
                       path, plugin_groups[g], srl_kind_name (kinds[g]), plugin_groups[g]);
          ok = FALSE;
        }
      else
        ok = (infos[g] = resolve_plugin (registry, kinds[g], origins[g], plugin_groups[g], names[g], error)) != NULL;
    }
  if (ok)
    {
      const SrlAlgorithmDescriptor *ad = (const void *) infos[1];
      gboolean has_sampler_group = g_key_file_has_group (kf, "sampler") || names[2];
      if (!ad->default_sampler && has_sampler_group)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [sampler]: algorithm \"%s\" takes no sampler", path,
                       ad->info.name);
          ok = FALSE;
        }
      else if (ad->default_sampler)
        {
          if (!names[2])
            {
              names[2] = g_strdup (ad->default_sampler);
              origins[2] = path;
            }
          ok = (infos[2] = resolve_plugin (registry, SRL_KIND_SAMPLER, origins[2], "sampler", names[2], error)) != NULL;
          if (ok && !srl_algorithm_check_sampler (ad, (const void *) infos[2], error))
            {
              g_prefix_error (error, "%s: [sampler] plugin: ", origins[2]);
              ok = FALSE;
            }
        }
    }
  if (ok)
    {
      ok = (x->runner = build_section (kf, path, "experiment", NULL, srl_experiment_params, overrides, error))
           && (x->env = build_section (kf, path, "env", names[0], infos[0]->params, overrides, error))
           && (x->algorithm = build_section (kf, path, "algorithm", names[1], infos[1]->params, overrides, error))
           && (!infos[2] || (x->sampler = build_section (kf, path, "sampler", names[2], infos[2]->params, overrides, error)));
    }
  for (guint g = 0; g < 3; g++)
    g_free (names[g]);
  if (!ok)
    return NULL;
  x->env_descriptor = (const void *) infos[0];
  x->algorithm_descriptor = (const void *) infos[1];
  x->sampler_descriptor = (const void *) infos[2];
  x->sampler_factory.descriptor = x->sampler_descriptor;
  x->sampler_factory.params = x->sampler;
  return g_steal_pointer (&x);
}

char *
srl_experiment_format (const SrlExperiment *x)
{
  GString *out = g_string_new (NULL);
  g_string_append_printf (out, "# Resolved by softrl %s from %s.\n"
                               "# Every parameter is written out, defaults included; `softrl run` accepts this file.\n\n",
                          PACKAGE_VERSION, x->file);
  srl_section_format (x->runner, out);
  srl_section_format (x->env, out);
  srl_section_format (x->algorithm, out);
  if (x->sampler)
    srl_section_format (x->sampler, out);
  return g_string_free (out, FALSE);
}

/* A run whose plugin is not found here names the file the run loaded it
 * from (its policy's metadata), appended to `error`: most often a plugin of
 * SOFTRL_PLUGIN_PATH on the machine that trained it. */
static void
hint_plugin_files (const SrlRegistry *registry, const char *run_dir, GError *error)
{
  g_autofree char *policy = g_build_filename (run_dir, SRL_RUN_POLICY, NULL);
  if (!error || !g_file_test (policy, G_FILE_TEST_IS_REGULAR))
    return;
  g_autoptr (SrlStateReader) reader = srl_state_reader_open (policy, NULL);
  if (!reader)
    return;
  static const struct {
    const char *name_key, *file_key;
    SrlKind kind;
  } plugins[] = {
    { "environment", "environment_file", SRL_KIND_ENV },
    { "algorithm", "algorithm_file", SRL_KIND_ALGORITHM },
    { "sampler", "sampler_file", SRL_KIND_SAMPLER },
  };
  GString *hint = g_string_new (error->message);
  for (guint i = 0; i < G_N_ELEMENTS (plugins); i++)
    {
      const char *name = srl_state_reader_meta (reader, plugins[i].name_key);
      const char *file = srl_state_reader_meta (reader, plugins[i].file_key);
      if (name && file && !srl_registry_lookup (registry, plugins[i].kind, name))
        {
          g_autofree char *dir = g_path_get_dirname (file);
          g_string_append_printf (hint, "; the run loaded %s \"%s\" from %s (add %s to SOFTRL_PLUGIN_PATH)",
                                  plugins[i].name_key, name, file, dir);
        }
    }
  g_free (error->message);
  error->message = g_string_free (hint, FALSE);
}

SrlExperiment *
srl_experiment_load_run (const SrlRegistry *registry, const char *run_dir, const char *const *overrides,
                         GError **error)
{
  g_autofree char *config = g_build_filename (run_dir, SRL_RUN_CONFIG, NULL);
  if (!g_file_test (config, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: not a run directory (no %s)", run_dir, SRL_RUN_CONFIG);
      return NULL;
    }
  SrlExperiment *x = srl_experiment_load (registry, config, overrides, error);
  if (!x)
    hint_plugin_files (registry, run_dir, *error);
  return x;
}

const char *
srl_experiment_file (const SrlExperiment *x)
{
  return x->file;
}

const SrlSection *
srl_experiment_section (const SrlExperiment *x, const char *group)
{
  if (strcmp (group, "experiment") == 0)
    return x->runner;
  if (strcmp (group, "env") == 0)
    return x->env;
  if (strcmp (group, "algorithm") == 0)
    return x->algorithm;
  if (strcmp (group, "sampler") == 0)
    return x->sampler;
  g_return_val_if_reached (NULL);
}

const SrlEnvDescriptor *
srl_experiment_env (const SrlExperiment *x)
{
  return x->env_descriptor;
}

const SrlAlgorithmDescriptor *
srl_experiment_algorithm (const SrlExperiment *x)
{
  return x->algorithm_descriptor;
}

const SrlSamplerFactory *
srl_experiment_sampler (const SrlExperiment *x)
{
  return x->sampler_descriptor ? &x->sampler_factory : NULL;
}

char **
srl_data_search_path (void)
{
  GPtrArray *dirs = g_ptr_array_new ();
  const char *user = g_getenv ("SOFTRL_DATA_PATH");
  if (user)
    {
      g_auto (GStrv) parts = g_strsplit (user, G_SEARCHPATH_SEPARATOR_S, -1);
      for (guint i = 0; parts[i]; i++)
        if (*parts[i])
          g_ptr_array_add (dirs, g_strdup (parts[i]));
    }
  if (srl_running_uninstalled ())
    g_ptr_array_add (dirs, g_strdup (SRL_ABS_TOP_SRCDIR));
  g_ptr_array_add (dirs, srl_installed_dir (SRL_PKGDATADIR));
  g_ptr_array_add (dirs, NULL);
  return (char **) g_ptr_array_free (dirs, FALSE);
}

char *
srl_find_data_file (const char *name, GError **error)
{
  g_auto (GStrv) dirs = srl_data_search_path ();
  GString *searched = g_string_new (NULL);
  for (guint i = 0; dirs[i]; i++)
    {
      char *path = g_build_filename (dirs[i], name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_string_free (searched, TRUE);
          return path;
        }
      g_string_append_printf (searched, "%s%s", i ? ", " : "", path);
      g_free (path);
    }
  g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "data file %s not found (looked for %s)", name, searched->str);
  g_string_free (searched, TRUE);
  return NULL;
}

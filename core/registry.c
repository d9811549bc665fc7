/* The plugin registry: loads shared objects, checks their descriptors and
 * keeps them by kind and name. */
#include <dlfcn.h>
#include <errno.h>
#include <sys/stat.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srl-private.h"

typedef struct {
  const SrlPluginInfo *info;
  char *file;
} Entry;

struct _SrlRegistry {
  GHashTable *by_key;      /* "kind:name" → Entry* */
  GPtrArray *modules;      /* dlopen handles, closed at free */
  GPtrArray *refusals;     /* char*, NULL-terminated view rebuilt on demand */
  /* While a file's entry point runs: */
  const char *loading_file;
  GPtrArray *staged;       /* Entry* */
  GString *stage_errors;
  guint accepted;          /* descriptors accepted from the file, no-ops included */
};

static void
entry_free (gpointer p)
{
  Entry *e = p;
  g_free (e->file);
  g_free (e);
}

SrlRegistry *
srl_registry_new (void)
{
  SrlRegistry *r = g_new0 (SrlRegistry, 1);
  r->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, entry_free);
  r->modules = g_ptr_array_new ();
  r->refusals = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (r->refusals, NULL);
  return r;
}

void
srl_registry_free (SrlRegistry *r)
{
  if (!r)
    return;
  g_hash_table_unref (r->by_key);
  /* Modules stay mapped until here: descriptors point into them. */
  for (guint i = 0; i < r->modules->len; i++)
    dlclose (r->modules->pdata[i]);
  g_ptr_array_unref (r->modules);
  g_ptr_array_unref (r->refusals);
  g_free (r);
}

const char *
srl_kind_name (SrlKind kind)
{
  switch (kind)
    {
    case SRL_KIND_ALGORITHM: return "algorithm";
    case SRL_KIND_SAMPLER: return "sampler";
    case SRL_KIND_ENV: return "environment";
    }
  return "unknown kind";
}

static char *
make_key (SrlKind kind, const char *name)
{
  return g_strdup_printf ("%d:%s", (int) kind, name);
}

static gboolean
same_str (const char *a, const char *b)
{
  return (a == NULL && b == NULL) || (a && b && strcmp (a, b) == 0);
}

static gboolean
same_params (const SrlParamSpec *a, const SrlParamSpec *b)
{
  if (!a || !b)
    return a == b || ((!a || !a->name) && (!b || !b->name));
  for (;; a++, b++)
    {
      if (!a->name || !b->name)
        return !a->name && !b->name;
      if (!same_str (a->name, b->name) || a->type != b->type || !same_str (a->default_value, b->default_value)
          || !same_str (a->choices, b->choices) || !same_str (a->doc, b->doc)
          || !(a->min == b->min || (isnan (a->min) && isnan (b->min)))
          || !(a->max == b->max || (isnan (a->max) && isnan (b->max))))
        return FALSE;
    }
}

/* Two descriptors are identical when everything a user can observe of them
 * is: kind, name, doc, ABI, parameters and their kind-specific flags. */
static gboolean
same_descriptor (const SrlPluginInfo *a, const SrlPluginInfo *b)
{
  if (a == b)
    return TRUE;
  if (a->kind != b->kind || a->abi_major != b->abi_major || a->abi_minor != b->abi_minor || a->size != b->size
      || !same_str (a->name, b->name) || !same_str (a->doc, b->doc) || !same_params (a->params, b->params))
    return FALSE;
  if (a->kind == SRL_KIND_SAMPLER)
    return ((const SrlSamplerDescriptor *) a)->flags == ((const SrlSamplerDescriptor *) b)->flags;
  if (a->kind == SRL_KIND_ALGORITHM)
    {
      const SrlAlgorithmDescriptor *x = (const void *) a, *y = (const void *) b;
      return x->required_sampler_flags == y->required_sampler_flags
             && same_str (x->default_sampler, y->default_sampler);
    }
  return TRUE;
}

static gboolean
check_descriptor (const SrlPluginInfo *d, GError **error)
{
  if (d->abi_major != SRL_ABI_MAJOR)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN,
                   "built for softrl ABI %u.%u, but this softrl has ABI %d.%d (major versions differ; rebuild the plugin)",
                   d->abi_major, d->abi_minor, SRL_ABI_MAJOR, SRL_ABI_MINOR);
      return FALSE;
    }
  if (d->abi_minor > SRL_ABI_MINOR)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN,
                   "built for softrl ABI %u.%u, newer than this softrl's ABI %d.%d (upgrade softrl)",
                   d->abi_major, d->abi_minor, SRL_ABI_MAJOR, SRL_ABI_MINOR);
      return FALSE;
    }
  gsize need = 0;
  switch (d->kind)
    {
    /* ABI 1.0's algorithm descriptor ended before q_values (1.1). */
    case SRL_KIND_ALGORITHM: need = G_STRUCT_OFFSET (SrlAlgorithmDescriptor, q_values); break;
    case SRL_KIND_SAMPLER: need = sizeof (SrlSamplerDescriptor); break;
    /* and its environment descriptor before bench_baseline (1.1). */
    case SRL_KIND_ENV: need = SRL_ENV_DESCRIPTOR_SIZE_1_0; break;
    default:
      g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "descriptor of unknown kind %u", d->kind);
      return FALSE;
    }
  /* Every field of ABI 1.0 is required; later minors append optional ones. */
  if (d->size < need)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "%s descriptor is %u bytes, expected at least %zu",
                   srl_kind_name (d->kind), d->size, need);
      return FALSE;
    }
  if (!d->name || !*d->name)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "%s descriptor without a name", srl_kind_name (d->kind));
      return FALSE;
    }
  for (const char *p = d->name; *p; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-' || *p == '_'))
      {
        g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN,
                     "%s name \"%s\": use lower-case letters, digits, '-' and '_'", srl_kind_name (d->kind), d->name);
        return FALSE;
      }
  if (!d->doc)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "%s \"%s\" has no doc line", srl_kind_name (d->kind), d->name);
      return FALSE;
    }
  gboolean missing = FALSE;
  if (d->kind == SRL_KIND_ALGORITHM)
    {
      const SrlAlgorithmDescriptor *a = (const void *) d;
      missing = !a->create || !a->destroy || !a->stats || !a->act || !a->update || !a->save || !a->load;
    }
  else if (d->kind == SRL_KIND_SAMPLER)
    {
      const SrlSamplerDescriptor *s = (const void *) d;
      missing = !s->create || !s->destroy || !s->weights || !s->init || !s->noise_dim || !s->sample
                || ((s->flags & SRL_SAMPLER_REPARAMETERIZED) && !s->backward)
                || ((s->flags & SRL_SAMPLER_DENSITY) && !s->log_prob)
                || ((s->flags & SRL_SAMPLER_INVERTIBLE) && !s->inverse);
    }
  else
    {
      const SrlEnvDescriptor *e = (const void *) d;
      missing = !e->create || !e->destroy || !e->spec || !e->reset || !e->step || !e->save || !e->load;
    }
  if (missing)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "%s \"%s\" leaves a required function NULL",
                   srl_kind_name (d->kind), d->name);
      return FALSE;
    }
  for (const SrlParamSpec *p = d->params; p && p->name; p++)
    {
      g_autoptr (GError) local = NULL;
      if (strcmp (p->name, "plugin") == 0)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "%s \"%s\" declares a parameter named \"plugin\", which is reserved",
                       srl_kind_name (d->kind), d->name);
          return FALSE;
        }
      for (const SrlParamSpec *q = d->params; q != p; q++)
        if (strcmp (q->name, p->name) == 0)
          {
            g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "%s \"%s\" declares parameter %s twice",
                         srl_kind_name (d->kind), d->name, p->name);
            return FALSE;
          }
      if (!srl_param_spec_check (p, &local))
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "%s \"%s\": default of %s is invalid: %s",
                       srl_kind_name (d->kind), d->name, p->name, local->message);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
srl_registry_add (SrlRegistry *r, const SrlPluginInfo *d, GError **error)
{
  g_return_val_if_fail (r != NULL, FALSE);
  g_autoptr (GError) local = NULL;
  if (!d)
    g_set_error (&local, SRL_ERROR, SRL_ERROR_PLUGIN, "registered a NULL descriptor");
  else if (check_descriptor (d, &local))
    {
      g_autofree char *key = make_key (d->kind, d->name);
      const Entry *old = g_hash_table_lookup (r->by_key, key);
      for (guint i = 0; !old && r->staged && i < r->staged->len; i++)
        {
          const Entry *s = r->staged->pdata[i];
          if (s->info->kind == d->kind && strcmp (s->info->name, d->name) == 0)
            old = s;
        }
      if (old && !same_descriptor (old->info, d))
        g_set_error (&local, SRL_ERROR, SRL_ERROR_PLUGIN,
                     "%s \"%s\" is already registered differently by %s", srl_kind_name (d->kind), d->name,
                     old->file);
      else if (old)
        r->accepted++; /* identical: nothing to do */
      else
        {
          r->accepted++;
          Entry *e = g_new0 (Entry, 1);
          e->info = d;
          e->file = g_strdup (r->loading_file ? r->loading_file : "(built in)");
          if (r->staged)
            g_ptr_array_add (r->staged, e);
          else
            g_hash_table_insert (r->by_key, g_steal_pointer (&key), e);
        }
    }
  if (local)
    {
      if (r->stage_errors)
        g_string_append_printf (r->stage_errors, "%s%s", r->stage_errors->len ? "; " : "", local->message);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return TRUE;
}

static void
refuse (SrlRegistry *r, const GError *error)
{
  g_ptr_array_remove_index (r->refusals, r->refusals->len - 1);
  g_ptr_array_add (r->refusals, g_strdup (error->message));
  g_ptr_array_add (r->refusals, NULL);
}

/* Why the file at `path` is not opened (transfer full), or NULL for a
 * regular file.  Only regular files are opened: dlopen() of a FIFO blocks
 * until something writes to it, and a device may do anything. */
static char *
not_a_regular_file (const char *path)
{
  struct stat st;
  if (stat (path, &st) != 0)
    return g_strdup_printf ("cannot read it: %s", g_strerror (errno));
  if (S_ISREG (st.st_mode))
    return NULL;
  const char *what = S_ISFIFO (st.st_mode) ? "a FIFO"
                     : S_ISDIR (st.st_mode) ? "a directory"
                     : S_ISSOCK (st.st_mode) ? "a socket"
                     : S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode) ? "a device" : "something else";
  return g_strdup_printf ("it is %s, not a regular file", what);
}

gboolean
srl_registry_load_file (SrlRegistry *r, const char *path, GError **error)
{
  g_autofree char *refused_unopened = not_a_regular_file (path);
  if (refused_unopened)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "%s: refused without opening it: %s", path, refused_unopened);
      return FALSE;
    }
  dlerror ();
  void *handle = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    {
      const char *why = dlerror ();
      g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "%s: not a softrl plugin: cannot load it as a shared object (%s)",
                   path, why ? why : "unknown reason");
      return FALSE;
    }
  /* The ABI first, so that no code of a file built for another ABI runs. */
  const guint32 *abi = dlsym (handle, SRL_PLUGIN_ABI_SYMBOL);
  if (abi && (abi[0] != SRL_ABI_MAJOR || abi[1] > SRL_ABI_MINOR))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN,
                   "%s: refused before running it: built for softrl ABI %u.%u, but this softrl has ABI %d.%d (%s)", path,
                   abi[0], abi[1], SRL_ABI_MAJOR, SRL_ABI_MINOR,
                   abi[0] != SRL_ABI_MAJOR ? "major versions differ; rebuild the plugin" : "newer minor; upgrade softrl");
      dlclose (handle);
      return FALSE;
    }
  dlerror ();
  SrlPluginInitFunc init = (SrlPluginInitFunc) dlsym (handle, SRL_PLUGIN_ENTRY_POINT);
  if (!init)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN,
                   "%s: not a softrl plugin: it has no entry point %s() (define it with SRL_PLUGIN_DEFINE)", path,
                   SRL_PLUGIN_ENTRY_POINT);
      dlclose (handle);
      return FALSE;
    }
  r->loading_file = path;
  r->staged = g_ptr_array_new ();
  r->stage_errors = g_string_new (NULL);
  r->accepted = 0;
  g_autoptr (GError) local = NULL;
  gboolean ok = init (r, &local);
  if (ok && r->stage_errors->len)
    {
      ok = FALSE;
      g_set_error (&local, SRL_ERROR, SRL_ERROR_PLUGIN, "%s", r->stage_errors->str);
    }
  else if (!ok && !local)
    g_set_error (&local, SRL_ERROR, SRL_ERROR_PLUGIN, "its entry point failed without saying why");
  else if (ok && r->accepted == 0)
    {
      ok = FALSE;
      g_set_error (&local, SRL_ERROR, SRL_ERROR_PLUGIN, "its entry point registered nothing");
    }
  if (ok)
    {
      for (guint i = 0; i < r->staged->len; i++)
        {
          Entry *e = r->staged->pdata[i];
          g_hash_table_insert (r->by_key, make_key (e->info->kind, e->info->name), e);
        }
      g_ptr_array_add (r->modules, handle);
    }
  else
    {
      g_ptr_array_set_free_func (r->staged, entry_free);
      g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "%s: refused: %s", path, local->message);
    }
  g_ptr_array_unref (r->staged);
  g_string_free (r->stage_errors, TRUE);
  r->staged = NULL;
  r->stage_errors = NULL;
  r->loading_file = NULL;
  if (!ok)
    dlclose (handle);
  return ok;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

void
srl_registry_load_dir (SrlRegistry *r, const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  if (!d)
    return;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)))
    if (g_str_has_suffix (name, ".so"))
      g_ptr_array_add (names, g_strdup (name));
  g_dir_close (d);
  /* Sorted, so the load order (and which of two conflicting files wins)
   * does not depend on the file system. */
  g_ptr_array_sort (names, compare_strings);
  /* Every file is loaded, whatever its name: a file named like one found
   * earlier (a user's pendulum.so beside the built-in one) registers its
   * plugins like any other, so that a plugin is never hidden by a file name
   * nor silently ignored.  Its names decide: the same descriptor again is
   * nothing new, a different one under a taken name is refused and listed
   * with the file that has it. */
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      g_autoptr (GError) error = NULL;
      if (!srl_registry_load_file (r, path, &error))
        refuse (r, error);
    }
}

/* The libtool output directories (".libs") under `dir`, sorted. */
static void
find_build_dirs (const char *dir, GPtrArray *out)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  if (!d)
    return;
  g_autoptr (GPtrArray) subdirs = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        g_ptr_array_add (subdirs, g_strdup (name));
    }
  g_dir_close (d);
  g_ptr_array_sort (subdirs, compare_strings);
  for (guint i = 0; i < subdirs->len; i++)
    {
      const char *sub = subdirs->pdata[i];
      char *path = g_build_filename (dir, sub, NULL);
      if (strcmp (sub, ".libs") == 0)
        g_ptr_array_add (out, path);
      else
        {
          find_build_dirs (path, out);
          g_free (path);
        }
    }
}

gboolean
srl_running_uninstalled (void)
{
  char exe[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0)
    return FALSE;
  exe[n] = '\0';
  g_autofree char *builddir = g_canonicalize_filename (SRL_ABS_TOP_BUILDDIR, NULL);
  g_autofree char *prefix = g_strconcat (builddir, "/", NULL);
  return g_str_has_prefix (exe, prefix);
}

char **
srl_registry_search_path (void)
{
  GPtrArray *dirs = g_ptr_array_new ();
  if (srl_running_uninstalled ())
    {
      find_build_dirs (SRL_ABS_TOP_BUILDDIR "/plugins", dirs);
      find_build_dirs (SRL_ABS_TOP_BUILDDIR "/envs", dirs);
    }
  const char *user = g_getenv ("SOFTRL_PLUGIN_PATH");
  if (user)
    {
      g_auto (GStrv) parts = g_strsplit (user, G_SEARCHPATH_SEPARATOR_S, -1);
      for (guint i = 0; parts[i]; i++)
        if (*parts[i])
          g_ptr_array_add (dirs, g_strdup (parts[i]));
    }
  g_autofree char *installed = srl_installed_dir (SRL_PLUGINDIR);
  const char *system = g_getenv ("SOFTRL_PLUGIN_SYSTEM_PATH");
  if (!system)
    system = installed;
  g_auto (GStrv) parts = g_strsplit (system, G_SEARCHPATH_SEPARATOR_S, -1);
  for (guint i = 0; parts[i]; i++)
    if (*parts[i])
      g_ptr_array_add (dirs, g_strdup (parts[i]));
  g_ptr_array_add (dirs, NULL);
  return (char **) g_ptr_array_free (dirs, FALSE);
}

void
srl_registry_load_default (SrlRegistry *r)
{
  g_auto (GStrv) dirs = srl_registry_search_path ();
  for (guint i = 0; dirs[i]; i++)
    srl_registry_load_dir (r, dirs[i]);
}

const char *const *
srl_registry_refusals (const SrlRegistry *r, guint *n)
{
  if (n)
    *n = r->refusals->len - 1;
  return (const char *const *) r->refusals->pdata;
}

const SrlPluginInfo *
srl_registry_lookup (const SrlRegistry *r, SrlKind kind, const char *name)
{
  g_autofree char *key = make_key (kind, name);
  const Entry *e = g_hash_table_lookup (r->by_key, key);
  return e ? e->info : NULL;
}

const char *
srl_registry_file_of_name (const SrlRegistry *r, SrlKind kind, const char *name)
{
  g_autofree char *key = make_key (kind, name);
  const Entry *e = g_hash_table_lookup (r->by_key, key);
  return e ? e->file : NULL;
}

const char *
srl_registry_file (const SrlRegistry *r, const SrlPluginInfo *d)
{
  return srl_registry_file_of_name (r, d->kind, d->name);
}

static gint
compare_info (gconstpointer a, gconstpointer b)
{
  const SrlPluginInfo *x = *(const SrlPluginInfo **) a, *y = *(const SrlPluginInfo **) b;
  if (x->kind != y->kind)
    return (int) x->kind - (int) y->kind;
  return strcmp (x->name, y->name);
}

GPtrArray *
srl_registry_list (const SrlRegistry *r, SrlKind kind)
{
  GPtrArray *out = g_ptr_array_new ();
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init (&it, r->by_key);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      const Entry *e = value;
      if (kind == 0 || e->info->kind == (guint32) kind)
        g_ptr_array_add (out, (gpointer) e->info);
    }
  g_ptr_array_sort (out, compare_info);
  return out;
}

const char *
srl_registry_closest (const SrlRegistry *r, SrlKind kind, const char *name)
{
  g_autoptr (GPtrArray) all = srl_registry_list (r, kind);
  g_autofree const char **names = g_new0 (const char *, all->len + 1);
  for (guint i = 0; i < all->len; i++)
    names[i] = ((const SrlPluginInfo *) all->pdata[i])->name;
  return srl_closest_name (name, names, all->len);
}

gboolean
srl_algorithm_q_values (const SrlAlgorithmDescriptor *d, gpointer algorithm, guint n, const float *obs,
                        const float *act, float *q)
{
  g_return_val_if_fail (d != NULL && algorithm != NULL, FALSE);
  if (!SRL_DESCRIPTOR_HAS (d, SrlAlgorithmDescriptor, q_values) || !d->q_values)
    return FALSE;
  return d->q_values (algorithm, n, obs, act, q);
}

SrlActMode
srl_algorithm_act_mode (const SrlAlgorithmDescriptor *d, SrlActMode mode)
{
  if (mode == SRL_ACT_EVAL_STOCHASTIC && !SRL_DESCRIPTOR_HAS (d, SrlAlgorithmDescriptor, episode_end))
    return SRL_ACT_STOCHASTIC;
  return mode;
}

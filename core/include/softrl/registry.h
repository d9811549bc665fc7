/* softrl — the plugin registry: loading shared objects and finding plugins by name.
 *
 * Search order (srl_registry_load_default): the build tree when the program
 * runs uninstalled, then each directory of SOFTRL_PLUGIN_PATH (colon
 * separated), then the installed plugin directory ($(pkglibdir)), which
 * SOFTRL_PLUGIN_SYSTEM_PATH replaces when set (empty: none; the test suite
 * uses this).  A file whose name was already loaded from an earlier
 * directory is skipped, so a directory can override an installed plugin.
 *
 * A refused file (not a shared object, no entry point, another ABI, a name
 * conflict, an entry point that failed) registers nothing; its reason is kept
 * and srl_registry_refusals() lists it.  Shared objects stay loaded until the
 * registry is freed.  Not thread-safe.
 */
#ifndef SOFTRL_REGISTRY_H
#define SOFTRL_REGISTRY_H

#include <glib.h>
#include <softrl/plugin.h>

G_BEGIN_DECLS

/* An empty registry (transfer full).  srl_registry_free unloads the
 * plugins: every descriptor it handed out becomes invalid. */
SrlRegistry *srl_registry_new (void);
void srl_registry_free (SrlRegistry *registry);

/* Load one plugin file.  On failure nothing of it is registered; the error
 * (SRL_ERROR_PLUGIN) names the file and the reason. */
gboolean srl_registry_load_file (SrlRegistry *registry, const char *path, GError **error);
/* Load every "*.so" in `dir` (not recursive); refusals are recorded. */
void srl_registry_load_dir (SrlRegistry *registry, const char *dir);
/* Load the default search path described above; refusals are recorded. */
void srl_registry_load_default (SrlRegistry *registry);
/* The directories srl_registry_load_default() would scan, in order
 * (transfer full: g_strfreev). */
char **srl_registry_search_path (void);

/* Messages of the files refused so far, "FILE: reason" (owned by the registry). */
const char *const *srl_registry_refusals (const SrlRegistry *registry, guint *n);

/* The descriptor registered as `name` of `kind`, or NULL.  Cast it to the
 * kind's descriptor type; valid until the registry is freed. */
const SrlPluginInfo *srl_registry_lookup (const SrlRegistry *registry, SrlKind kind, const char *name);
/* The file that registered it (owned by the registry). */
const char *srl_registry_file (const SrlRegistry *registry, const SrlPluginInfo *descriptor);
/* All descriptors of `kind` (kind 0: all), sorted by kind and name
 * (container owned by the caller: g_ptr_array_unref; the descriptors are
 * the registry's). */
GPtrArray *srl_registry_list (const SrlRegistry *registry, SrlKind kind);
/* The registered name of `kind` closest to `name` (edit distance), or NULL
 * when nothing is close.  Owned by the registry. */
const char *srl_registry_closest (const SrlRegistry *registry, SrlKind kind, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlRegistry, srl_registry_free)

G_END_DECLS

#endif

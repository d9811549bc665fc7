/* softrl — plugins: descriptors, the ABI rule and the entry point.
 *
 * A plugin is a shared object that exports one function,
 *
 *     gboolean srl_plugin_init (SrlRegistry *registry, GError **error);
 *
 * (write it with SRL_PLUGIN_DEFINE).  It registers one or more descriptors
 * with srl_registry_add() and returns TRUE, or sets `error` and returns FALSE
 * to refuse loading (for example when a resource it needs is missing); then
 * nothing from that file is registered.
 *
 * A descriptor is a static struct whose first member is an SrlPluginInfo:
 * SrlAlgorithmDescriptor (algorithm.h), SrlSamplerDescriptor (sampler.h) or
 * SrlEnvDescriptor (env.h).  Initialise the header with SRL_PLUGIN_INFO().
 *
 * ABI rule: the core refuses a descriptor whose major ABI differs from its
 * own, or whose minor ABI is newer than its own.  Within one major version
 * fields are only ever appended to descriptors; `size` tells the core how
 * much of the struct the plugin knows, and the core reads nothing past it
 * (SRL_DESCRIPTOR_HAS).  Minor 1 appended SrlAlgorithmDescriptor.q_values and
 * SrlEnvDescriptor.bench_baseline; minor 2 appended
 * SrlAlgorithmDescriptor.episode_end, the run's settings at the end of
 * SrlAlgorithmContext and SRL_ACT_EVAL_STOCHASTIC, and exports the ABI as
 * srl_plugin_abi (SRL_PLUGIN_DEFINE), read before the entry point runs;
 * and appended SrlEnvDescriptor.render_setup and render.
 * So a plugin built against softrl 1.m loads into any core 1.n with n ≥ m;
 * appending a field bumps SRL_ABI_MINOR, and any other change to a public
 * struct, a callback's signature or its meaning bumps SRL_ABI_MAJOR (and
 * every plugin must be rebuilt).  The refusal names the file and both
 * versions, e.g. "x.so: refused: built for softrl ABI 2.0, but this softrl
 * has ABI 1.0 (major versions differ; rebuild the plugin)".
 *
 * Descriptors, and everything they point to, must stay valid while the
 * shared object is loaded: the core keeps plugins loaded until the registry
 * is freed (in the `softrl` program: until exit).  Make them static const.
 *
 * Threading: the core loads plugins and calls into them from one thread.
 */
#ifndef SOFTRL_PLUGIN_H
#define SOFTRL_PLUGIN_H

#include <glib.h>
#include <softrl/param.h>

G_BEGIN_DECLS

/* The ABI these headers describe; SRL_PLUGIN_INFO() stamps it into every
 * descriptor (the rule above says which cores accept it). */
#define SRL_ABI_MAJOR 1
#define SRL_ABI_MINOR 2

/* The three kinds of plugin, each with its own descriptor struct. */
typedef enum {
  SRL_KIND_ALGORITHM = 1,
  SRL_KIND_SAMPLER = 2,
  SRL_KIND_ENV = 3
} SrlKind;

/* "algorithm", "sampler", "environment" (static strings); "unknown kind"
 * for other values. */
const char *srl_kind_name (SrlKind kind);

/* The header every descriptor starts with.  Fill it with SRL_PLUGIN_INFO();
 * everything it points to is borrowed by the core for as long as the plugin
 * stays loaded. */
typedef struct {
  guint32 abi_major;          /* SRL_ABI_MAJOR the plugin was built with */
  guint32 abi_minor;          /* SRL_ABI_MINOR the plugin was built with */
  guint32 size;               /* sizeof the whole descriptor struct as built */
  guint32 kind;               /* SrlKind */
  const char *name;           /* registry key: lower-case letters, digits, '-' and '_' */
  const char *doc;            /* one line, required */
  const SrlParamSpec *params; /* terminated by SRL_PARAM_END; may be NULL */
  gpointer reserved[4];       /* zero (SRL_PLUGIN_INFO leaves them so) */
} SrlPluginInfo;

/* The SrlPluginInfo initialiser for a descriptor of type `descriptor_type`
 * (SrlAlgorithmDescriptor, SrlSamplerDescriptor or SrlEnvDescriptor): it
 * records the ABI the plugin is compiled against and the struct's size. */
#define SRL_PLUGIN_INFO(kind_, descriptor_type, name_, doc_, params_)                     \
  { .abi_major = SRL_ABI_MAJOR, .abi_minor = SRL_ABI_MINOR,                              \
    .size = sizeof (descriptor_type), .kind = (kind_), .name = (name_), .doc = (doc_),   \
    .params = (params_) }

/* TRUE when `descriptor` (a pointer to an algorithm, sampler or environment
 * descriptor of C type `type`) was built with `field`: a plugin built for an
 * older minor ABI has a shorter descriptor, and the core reads nothing past
 * its size.  Fields appended by ABI 1.1 and later are read only after this
 * test. */
#define SRL_DESCRIPTOR_HAS(descriptor, type, field)                                       \
  ((descriptor)->info.size >= G_STRUCT_OFFSET (type, field) + sizeof (((type *) 0)->field))

typedef struct _SrlRegistry SrlRegistry;

/* Register `descriptor` (pointing at the SrlPluginInfo at the start of an
 * algorithm, sampler or environment descriptor).  Refuses a bad ABI version,
 * a malformed descriptor, or a name already registered by a different
 * descriptor.  Registering an identical descriptor again is a no-op.
 * The descriptor is borrowed, not copied: it must outlive the registry
 * (static storage in a plugin does).  Errors: SRL_ERROR_PLUGIN.  Called from
 * an entry point, a refusal also refuses the whole file when the entry
 * point returns.  Allocates only the registry's own bookkeeping. */
gboolean srl_registry_add (SrlRegistry *registry, const SrlPluginInfo *descriptor, GError **error);

/* The entry point's type and exported name.  It runs once per file, when the
 * registry loads it; `registry` is only valid during the call. */
typedef gboolean (*SrlPluginInitFunc) (SrlRegistry *registry, GError **error);
#define SRL_PLUGIN_ENTRY_POINT "srl_plugin_init"

/* The ABI a file was built for, { SRL_ABI_MAJOR, SRL_ABI_MINOR }, exported
 * under this name beside the entry point.  The registry reads it before it
 * runs any of the file's code, and refuses the file by the rule above
 * without calling its entry point (ABI 1.2; files built before have no such
 * constant, and their descriptors are checked as they register). */
#define SRL_PLUGIN_ABI_SYMBOL "srl_plugin_abi"

/* Defines the exported ABI constant and entry point; follow it with the
 * entry point's body:
 *     SRL_PLUGIN_DEFINE (registry, error) { return srl_registry_add (registry, &d.info, error); }
 * Build plugins with -fvisibility=hidden where you can: only these two
 * symbols need to be exported. */
#define SRL_PLUGIN_DEFINE(registry, error)                                               \
  G_MODULE_EXPORT extern const guint32 srl_plugin_abi[2];                                 \
  G_MODULE_EXPORT const guint32 srl_plugin_abi[2] = { SRL_ABI_MAJOR, SRL_ABI_MINOR };     \
  G_MODULE_EXPORT gboolean srl_plugin_init (SrlRegistry *registry, GError **error);       \
  G_MODULE_EXPORT gboolean srl_plugin_init (SrlRegistry *registry, GError **error)

#ifndef G_MODULE_EXPORT
#define G_MODULE_EXPORT __attribute__ ((visibility ("default")))
#endif

G_END_DECLS

#endif

/* A plugin whose exported ABI constant names another major version and
 * whose entry point must therefore never run: it aborts if called. */
#include <stdlib.h>

#include <softrl/softrl.h>

G_MODULE_EXPORT extern const guint32 srl_plugin_abi[2];
G_MODULE_EXPORT const guint32 srl_plugin_abi[2] = { SRL_ABI_MAJOR + 1, 0 };

G_MODULE_EXPORT gboolean srl_plugin_init (SrlRegistry *registry, GError **error);

G_MODULE_EXPORT gboolean
srl_plugin_init (SrlRegistry *registry, GError **error)
{
  (void) registry;
  (void) error;
  abort ();
}

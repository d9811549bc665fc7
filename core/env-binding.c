/* Environments made by name for bindings from other languages (Python's
 * ctypes): the plugin looked up in a registry, its parameters given as
 * "KEY=VALUE" strings and validated as an experiment file's [env] group
 * would be, and the parameter section kept alive beside the instance that
 * borrows it. */
#include <string.h>

#include "srl-private.h"

struct _SrlEnvBinding {
  SrlSection *params;
  SrlEnv *env;
};

SrlEnvBinding *
srl_env_binding_new (const SrlRegistry *registry, const char *name, const char *const *settings, GError **error)
{
  g_return_val_if_fail (registry && name, NULL);
  const SrlEnvDescriptor *d = (const void *) srl_registry_lookup (registry, SRL_KIND_ENV, name);
  if (!d)
    {
      const char *near = srl_registry_closest (registry, SRL_KIND_ENV, name);
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "unknown environment \"%s\"%s%s%s", name,
                   near ? " (did you mean \"" : "; `softrl plugins` lists them", near ? near : "", near ? "\"?)" : "");
      return NULL;
    }
  g_autoptr (SrlSection) params = srl_section_new ("parameters", "env", d->info.name, d->info.params);
  for (guint i = 0; settings && settings[i]; i++)
    {
      const char *eq = strchr (settings[i], '=');
      if (!eq)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "environment parameter \"%s\": expected KEY=VALUE",
                       settings[i]);
          return NULL;
        }
      g_autofree char *key = g_strndup (settings[i], eq - settings[i]);
      g_autofree char *origin = g_strdup_printf ("parameter %s", settings[i]);
      if (!srl_section_set (params, key, eq + 1, origin, error))
        return NULL;
    }
  srl_section_fill_defaults (params);
  SrlEnv *env = srl_env_new (d, params, error);
  if (!env)
    return NULL;
  SrlEnvBinding *b = g_new0 (SrlEnvBinding, 1);
  b->params = g_steal_pointer (&params);
  b->env = env;
  return b;
}

SrlEnv *
srl_env_binding_env (SrlEnvBinding *binding)
{
  return binding->env;
}

void
srl_env_binding_free (SrlEnvBinding *binding)
{
  if (!binding)
    return;
  srl_env_free (binding->env);
  srl_section_free (binding->params);
  g_free (binding);
}

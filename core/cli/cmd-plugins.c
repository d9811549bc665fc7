/* softrl plugins: what is installed and what each plugin takes. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

static void
print_range (const SrlParamSpec *p)
{
  gboolean numeric = p->type == SRL_PARAM_INT || p->type == SRL_PARAM_DOUBLE || p->type == SRL_PARAM_INT_LIST
                     || p->type == SRL_PARAM_DOUBLE_LIST;
  if (numeric && (isfinite (p->min) || isfinite (p->max)))
    {
      g_autofree char *lo = isfinite (p->min) ? g_strdup_printf ("%g", p->min) : g_strdup ("-inf");
      g_autofree char *hi = isfinite (p->max) ? g_strdup_printf ("%g", p->max) : g_strdup ("inf");
      printf ("      range:   [%s, %s]%s%s\n", lo, hi, p->choices ? " or " : "", p->choices ? p->choices : "");
    }
  else if (p->choices)
    printf ("      choices: %s\n", p->choices);
}

static void
show (const SrlRegistry *registry, const SrlPluginInfo *info)
{
  printf ("%s %s\n  %s\n  file: %s\n  ABI %u.%u\n", srl_kind_name (info->kind), info->name, info->doc,
          srl_registry_file (registry, info), info->abi_major, info->abi_minor);
  if (info->kind == SRL_KIND_SAMPLER)
    {
      guint f = ((const SrlSamplerDescriptor *) info)->flags;
      printf ("  reparameterized: %s; density: %s; invertible: %s\n", f & SRL_SAMPLER_REPARAMETERIZED ? "yes" : "no",
              f & SRL_SAMPLER_DENSITY ? "yes" : "no (no tractable log π)", f & SRL_SAMPLER_INVERTIBLE ? "yes" : "no");
    }
  if (info->kind == SRL_KIND_ALGORITHM)
    {
      const SrlAlgorithmDescriptor *a = (const void *) info;
      printf ("  default sampler: %s\n", a->default_sampler ? a->default_sampler : "(takes none)");
    }
  printf ("  parameters:\n");
  if (!info->params || !info->params->name)
    printf ("    (none)\n");
  for (const SrlParamSpec *p = info->params; p && p->name; p++)
    {
      printf ("    %s (%s) = %s\n      %s\n", p->name, srl_param_type_name (p->type),
              p->default_value && *p->default_value ? p->default_value : "\"\"", p->doc ? p->doc : "");
      print_range (p);
    }
}

int
srl_cmd_plugins (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("[NAME]");
  g_option_context_set_summary (ctx, "Without NAME, list every plugin: kind, name, summary, file.\n"
                                     "With NAME, print its parameters with types, defaults, ranges and docs.\n"
                                     "Exits 1 when some plugin file was refused.");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc > 2)
    {
      srl_cli_error ("plugins: %s", error ? error->message : "give at most one name");
      return SRL_EXIT_USAGE;
    }
  g_autoptr (SrlRegistry) registry = srl_cli_registry (TRUE);
  guint n_refused;
  const char *const *refused = srl_registry_refusals (registry, &n_refused);
  if (argc == 2)
    {
      gboolean found = FALSE;
      for (SrlKind k = SRL_KIND_ALGORITHM; k <= SRL_KIND_ENV; k++)
        {
          const SrlPluginInfo *info = srl_registry_lookup (registry, k, argv[1]);
          if (info)
            {
              if (found)
                printf ("\n");
              show (registry, info);
              found = TRUE;
            }
        }
      /* A file of that name that was refused says more than any near name. */
      g_autofree char *file_name = g_strconcat (argv[1], ".so", NULL);
      for (guint i = 0; !found && i < n_refused; i++)
        {
          const char *colon = strstr (refused[i], ": ");
          g_autofree char *path = colon ? g_strndup (refused[i], colon - refused[i]) : NULL;
          g_autofree char *base = path ? g_path_get_basename (path) : NULL;
          if (base && strcmp (base, file_name) == 0)
            {
              srl_cli_error ("plugins: no plugin named \"%s\": its file was refused: %s", argv[1], refused[i]);
              return SRL_EXIT_FAILED;
            }
        }
      if (!found)
        {
          const char *near = NULL;
          for (SrlKind k = SRL_KIND_ALGORITHM; k <= SRL_KIND_ENV && !near; k++)
            near = srl_registry_closest (registry, k, argv[1]);
          if (near)
            srl_cli_error ("plugins: no plugin named \"%s\" (did you mean \"%s\"?)", argv[1], near);
          else
            srl_cli_error ("plugins: no plugin named \"%s\"", argv[1]);
          return SRL_EXIT_USAGE;
        }
      return SRL_EXIT_OK;
    }
  g_autoptr (GPtrArray) all = srl_registry_list (registry, 0);
  for (guint i = 0; i < all->len; i++)
    {
      const SrlPluginInfo *info = all->pdata[i];
      printf ("%-11s %-16s %s\n%-28s %s\n", srl_kind_name (info->kind), info->name, info->doc, "",
              srl_registry_file (registry, info));
    }
  if (!all->len)
    printf ("no plugins found in:\n");
  if (!all->len)
    {
      g_auto (GStrv) dirs = srl_registry_search_path ();
      for (guint i = 0; dirs[i]; i++)
        printf ("  %s\n", dirs[i]);
    }
  for (guint i = 0; i < n_refused; i++)
    printf ("refused     %s\n", refused[i]);
  return n_refused ? SRL_EXIT_FAILED : SRL_EXIT_OK;
}

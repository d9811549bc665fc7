/* softrl experiments: the shipped experiment files, one line each. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

int
srl_cmd_experiments (int argc, char **argv)
{
  gboolean names_only = FALSE, paths = FALSE;
  GOptionEntry entries[] = {
    { "names", 0, 0, G_OPTION_ARG_NONE, &names_only, "only the names, one a line (for scripts and completion)", NULL },
    { "paths", 0, 0, G_OPTION_ARG_NONE, &paths, "the file of each experiment instead of its summary", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);
  g_option_context_set_summary (ctx, "List the shipped experiments: NAME and the first comment line of its file.\n"
                                     "`softrl run NAME` and `softrl sweep NAME` find them by name (a file of that\n"
                                     "name in the current directory comes first).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("experiments: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  if (argc != 1 || (names_only && paths))
    {
      srl_cli_error ("experiments: takes no arguments, and at most one of --names/--paths");
      return SRL_EXIT_USAGE;
    }
  g_autoptr (GPtrArray) list = srl_cli_list_experiments ();
  if (list->len == 0)
    {
      g_auto (GStrv) dirs = srl_data_search_path ();
      g_autofree char *where = g_strjoinv (", ", dirs);
      srl_cli_error ("experiments: no experiments/*.ini in %s (is softrl installed?)", where);
      return SRL_EXIT_FAILED;
    }
  int width = 0;
  for (guint i = 0; i < list->len; i++)
    width = MAX (width, (int) strlen (((SrlCliExperiment *) list->pdata[i])->name));
  for (guint i = 0; i < list->len; i++)
    {
      const SrlCliExperiment *x = list->pdata[i];
      if (names_only)
        printf ("%s\n", x->name);
      else
        printf ("%-*s  %s\n", width, x->name, paths ? x->path : x->summary);
    }
  return SRL_EXIT_OK;
}

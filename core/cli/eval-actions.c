/* softrl eval --actions-for: the deterministic actions of a saved policy for
 * given observations, one CSV row each, so that anything that acts for
 * softrl (an exported header, another implementation) can be compared with
 * it observation by observation. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* One row of `obs_dim` comma-separated numbers into `obs`; FALSE with a
 * configuration error naming `file`, `line_no` and the field. */
static gboolean
parse_row (const char *file, guint line_no, const char *line, guint obs_dim, double *obs, GError **error)
{
  g_auto (GStrv) fields = g_strsplit (line, ",", -1);
  guint n = g_strv_length (fields);
  if (n != obs_dim)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s:%u: %u values; the environment's observations have %u",
                   file, line_no, n, obs_dim);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      char *text = g_strstrip (fields[i]), *end = NULL;
      errno = 0;
      double v = g_ascii_strtod (text, &end);
      if (!*text || *end || errno == ERANGE || !isfinite (v))
        {
          g_autofree char *shown = srl_printable_excerpt (text, 40);
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s:%u: field %u: \"%s\" is not a finite number", file,
                       line_no, i + 1, shown);
          return FALSE;
        }
      obs[i] = v;
    }
  return TRUE;
}

int
srl_cli_print_actions (const SrlLoadedPolicy *policy, const char *file)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean from_stdin = strcmp (file, "-") == 0;
  if (from_stdin)
    {
      GString *in = g_string_new (NULL);
      char buf[4096];
      size_t got;
      while ((got = fread (buf, 1, sizeof buf, stdin)) > 0)
        g_string_append_len (in, buf, (gssize) got);
      text = g_string_free (in, FALSE);
    }
  else if (!g_file_get_contents (file, &text, NULL, &error))
    {
      srl_cli_error ("eval: --actions-for: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  const char *name = from_stdin ? "(stdin)" : file;
  SrlAgent *a = policy->agent;
  const SrlEnvSpec *spec = srl_env_spec (policy->env);
  g_autofree double *obs = g_new0 (double, a->obs_dim);
  g_autofree double *env_action = g_new0 (double, a->act_dim);
  g_autoptr (GString) out = g_string_new (NULL);
  SrlRng rng; /* deterministic acting draws nothing; act() still takes one */
  srl_rng_init (&rng, 0);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint l = 0; lines[l]; l++)
    {
      char *line = g_strstrip (lines[l]);
      if (!*line || *line == '#')
        continue;
      if (!parse_row (name, l + 1, line, a->obs_dim, obs, &error))
        {
          srl_cli_error ("eval: --actions-for: %s", error->message);
          return SRL_EXIT_USAGE;
        }
      for (guint i = 0; i < a->obs_dim; i++)
        a->obs_f[i] = (float) obs[i];
      memset (a->episode_memory, 0, a->memory_size * sizeof (float));
      a->descriptor->act (a->algorithm, &rng, SRL_ACT_DETERMINISTIC, a->obs_f, 0, a->episode_memory,
                          a->agent_action, a->env_action);
      srl_env_map_action (spec, a->env_action, env_action);
      for (guint j = 0; j < a->act_dim; j++)
        g_string_append_printf (out, "%s%.9g", j ? "," : "", env_action[j]);
      g_string_append_c (out, '\n');
    }
  fwrite (out->str, 1, out->len, stdout);
  return SRL_EXIT_OK;
}

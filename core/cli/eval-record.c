/* softrl eval --actions: every step's observation and action as CSV, so
 * another implementation of the policy (the Python package, an exported
 * header) can be checked against softrl's own actions on real episodes. */
#include <string.h>

#include "cli.h"

void
srl_eval_actions_header (GString *csv, const SrlAgent *agent)
{
  g_string_append (csv, "episode,step");
  for (guint i = 0; i < agent->obs_dim; i++)
    g_string_append_printf (csv, ",obs%u", i);
  for (guint j = 0; j < agent->act_dim; j++)
    g_string_append_printf (csv, ",action%u", j);
  g_string_append_c (csv, '\n');
}

/* Called with the first observation and after every step: the row of a
 * step pairs the observation acted on with the action (in [-1, 1], before
 * the environment's scaling) the agent took. */
void
srl_eval_actions_observe (const double *obs, guint obs_dim, gpointer data)
{
  SrlEvalActions *rec = data;
  if (rec->step > 0)
    {
      g_string_append_printf (rec->csv, "%" G_GINT64_FORMAT ",%u", rec->episode, rec->step - 1);
      for (guint i = 0; i < obs_dim; i++)
        g_string_append_printf (rec->csv, ",%.17g", rec->previous[i]);
      for (guint j = 0; j < rec->agent->act_dim; j++)
        g_string_append_printf (rec->csv, ",%.9g", rec->agent->env_action[j]);
      g_string_append_c (rec->csv, '\n');
    }
  memcpy (rec->previous, obs, obs_dim * sizeof (double));
  rec->step++;
}

/* softrl summarize: one line per variant of a sweep — the final evaluation
 * return over seeds, the area under the learning curve, the steps to reach
 * a threshold and the wall time — as DIR/summary.csv and DIR/summary.md. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "results.h"

typedef struct {
  double final; /* the last evaluation, or the mean over the last --final-steps */
  double auc;   /* area under the curve over x, divided by the x it spans */
  double steps; /* the first x where y reaches the threshold (NAN: never) */
  double wall;  /* wall_s of the last row */
} RunMetrics;

typedef struct {
  guint n;
  double mean, std, min, max, sum;
} Stats;

/* Mean, sample standard deviation (n − 1), min, max and sum of the finite
 * values; NAN where undefined (the deviation of one value). */
static Stats
stats_of (const double *v, guint n)
{
  Stats s = { 0, NAN, NAN, NAN, NAN, 0 };
  for (guint i = 0; i < n; i++)
    if (isfinite (v[i]))
      {
        s.min = s.n ? MIN (s.min, v[i]) : v[i];
        s.max = s.n ? MAX (s.max, v[i]) : v[i];
        s.sum += v[i];
        s.n++;
      }
  if (!s.n)
    {
      s.sum = NAN;
      return s;
    }
  s.mean = s.sum / s.n;
  if (s.n > 1)
    {
      double ss = 0;
      for (guint i = 0; i < n; i++)
        if (isfinite (v[i]))
          ss += (v[i] - s.mean) * (v[i] - s.mean);
      s.std = sqrt (ss / (s.n - 1));
    }
  return s;
}

static gboolean
run_metrics (const SrlResultRun *run, const char *xcol, const char *ycol, double final_steps, gboolean has_threshold,
             double threshold, RunMetrics *m, GError **error)
{
  m->final = m->auc = m->steps = m->wall = NAN;
  g_autofree char *file = g_build_filename (run->dir, "progress.csv", NULL);
  const SrlTable *t = run->progress;
  g_autofree double *x = srl_table_column_values (t, xcol, file, error);
  g_autofree double *y = x ? srl_table_column_values (t, ycol, file, error) : NULL;
  if (!y)
    return FALSE;
  int wall_col = srl_table_column (t, "wall_s");
  for (guint r = 0; wall_col >= 0 && r < t->n_rows; r++)
    if (isfinite (srl_table_get (t, r, wall_col)))
      m->wall = srl_table_get (t, r, wall_col);
  /* The rows where both are numbers (no evaluation: NAN). */
  guint n = 0;
  for (guint r = 0; r < t->n_rows; r++)
    if (isfinite (x[r]) && isfinite (y[r]))
      {
        x[n] = x[r];
        y[n] = y[r];
        n++;
      }
  if (!n)
    return TRUE;
  if (final_steps > 0)
    {
      double sum = 0;
      guint k = 0;
      for (guint i = 0; i < n; i++)
        if (x[i] > x[n - 1] - final_steps)
          {
            sum += y[i];
            k++;
          }
      m->final = sum / k;
    }
  else
    m->final = y[n - 1];
  if (n > 1 && x[n - 1] > x[0])
    {
      double area = 0;
      for (guint i = 1; i < n; i++)
        area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
      m->auc = area / (x[n - 1] - x[0]);
    }
  else
    m->auc = y[n - 1];
  for (guint i = 0; has_threshold && i < n; i++)
    if (y[i] >= threshold)
      {
        m->steps = x[i];
        break;
      }
  return TRUE;
}

/* Numbers for people: no exponents for returns and steps. */
static char *
human (double v)
{
  if (!isfinite (v))
    return g_strdup ("–");
  double a = fabs (v);
  if (a >= 1000)
    return g_strdup_printf ("%.0f", v);
  if (a >= 1)
    return g_strdup_printf ("%.1f", v);
  return g_strdup_printf ("%.3g", v);
}

static char *
csv_text (const char *text)
{
  if (!strpbrk (text, ",\"\n"))
    return g_strdup (text);
  GString *s = g_string_new ("\"");
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (s, '"');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

static char *
md_text (const char *text)
{
  GString *s = g_string_new (NULL);
  for (const char *p = text; *p; p++)
    {
      if (*p == '|')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}

static char *
duration (double s)
{
  if (!isfinite (s))
    return g_strdup ("–");
  if (s >= 3600)
    return g_strdup_printf ("%dh%02dm", (int) (s / 3600), (int) fmod (s / 60, 60));
  return g_strdup_printf ("%dm%02ds", (int) (s / 60), (int) fmod (s, 60));
}

int
srl_cmd_summarize (int argc, char **argv)
{
  double threshold = NAN, final_steps = 0;
  g_autofree char *threshold_text = NULL; /* a string, so that "given" does not hang on a value such as NaN */
  g_autofree char *xcol = NULL, *ycol = NULL;
  GOptionEntry entries[] = {
    { "threshold", 't', 0, G_OPTION_ARG_STRING, &threshold_text,
      "report the steps until the curve first reaches X (default: the sweep file's threshold)", "X" },
    { "y", 0, 0, G_OPTION_ARG_STRING, &ycol, "the progress.csv column summarised (default eval_return_mean)", "COLUMN" },
    { "x", 0, 0, G_OPTION_ARG_STRING, &xcol, "the column the curve runs along (default env_steps)", "COLUMN" },
    { "final-steps", 0, 0, G_OPTION_ARG_DOUBLE, &final_steps,
      "the final return is the mean over the evaluations of the last N steps (default: the last evaluation)", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("DIR");
  g_option_context_set_summary (
    ctx, "Summarise the runs of a sweep directory (or a directory of runs) per variant: the final evaluation\n"
         "return's mean, standard deviation, min and max over seeds, the area under the learning curve, the\n"
         "environment steps to reach a threshold and the wall time.  Writes DIR/summary.csv and DIR/summary.md\n"
         "and prints the table.  Only finished runs count; the table says how many there are.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("summarize: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  gboolean threshold_given = threshold_text != NULL;
  if (threshold_given)
    {
      char *end;
      threshold = g_ascii_strtod (threshold_text, &end);
      if (end == threshold_text || *end || !isfinite (threshold))
        {
          srl_cli_error ("summarize: --threshold %s: expected a finite number", threshold_text);
          return SRL_EXIT_USAGE;
        }
    }
  if (argc != 2 || final_steps < 0)
    {
      srl_cli_error ("summarize: give one sweep directory (see softrl summarize --help)");
      return SRL_EXIT_USAGE;
    }
  const char *dir = argv[1];
  const char *x = xcol ? xcol : "env_steps", *y = ycol ? ycol : "eval_return_mean";
  const char *paths[] = { dir, NULL };
  g_autoptr (SrlResults) results = srl_results_load (paths, &error);
  if (!results)
    {
      srl_cli_error ("%s", error->message);
      return srl_cli_status (error);
    }
  gboolean has_threshold = threshold_given || results->has_threshold;
  if (!threshold_given)
    threshold = results->threshold;

  GString *csv = g_string_new ("variant,label,runs,finished,failed,final_mean,final_std,final_min,final_max,"
                               "auc_mean,auc_std,threshold,reached,steps_to_threshold_mean,wall_s_mean,wall_s_total\n");
  GString *md = g_string_new (NULL);
  g_autofree char *thr_text = g_strdup_printf ("%g", threshold);
  g_string_append_printf (md, "# %s\n\n", results->title ? results->title : dir);
  g_autofree char *final_text = final_steps > 0 ? g_strdup_printf ("mean over the evaluations of the last %.0f `%s`",
                                                                     final_steps, x)
                                                 : g_strdup ("last evaluation");
  g_string_append_printf (md,
                          "Over the finished seeds of each variant: the final `%s` (%s), the area under its curve "
                          "over `%s` divided by the `%s` it spans (AUC: the mean over training)%s, and the mean "
                          "wall time of a run.\n\n",
                          y, final_text, x, x,
                          has_threshold ? ", the first point where the curve reaches the threshold" : "");
  g_string_append (md, "| variant | seeds | final (mean ± std) | min | max | AUC (mean ± std) |");
  if (has_threshold)
    g_string_append_printf (md, " %s to reach %s |", x, thr_text);
  g_string_append (md, " wall time |\n|---|---|---|---|---|---|");
  if (has_threshold)
    g_string_append (md, "---|");
  g_string_append (md, "---|\n");

  for (guint i = 0; i < results->variants->len; i++)
    {
      const SrlResultVariant *v = results->variants->pdata[i];
      guint n = v->runs->len, finished = 0, failed = 0, empty = 0;
      g_autofree double *finals = g_new (double, MAX (n, 1));
      g_autofree double *aucs = g_new (double, MAX (n, 1));
      g_autofree double *steps = g_new (double, MAX (n, 1));
      g_autofree double *walls = g_new (double, MAX (n, 1));
      for (guint k = 0; k < n; k++)
        {
          const SrlResultRun *run = v->runs->pdata[k];
          RunMetrics m = { NAN, NAN, NAN, NAN };
          if (g_str_has_prefix (run->status, "failed"))
            failed++;
          if (strcmp (run->status, "finished") == 0 && run->progress)
            {
              if (!run_metrics (run, x, y, final_steps, has_threshold, threshold, &m, &error))
                {
                  srl_cli_error ("%s", error->message);
                  g_string_free (csv, TRUE);
                  g_string_free (md, TRUE);
                  return SRL_EXIT_USAGE;
                }
              /* A finished run without one evaluated row has no result to
               * count among the seeds (it is shown apart). */
              if (isfinite (m.final))
                finished++;
              else
                empty++;
            }
          finals[k] = m.final;
          aucs[k] = m.auc;
          steps[k] = m.steps;
          walls[k] = m.wall;
        }
      Stats f = stats_of (finals, n), a = stats_of (aucs, n), st = stats_of (steps, n), w = stats_of (walls, n);

      g_autofree char *name = csv_text (v->name), *label = csv_text (v->label);
      g_string_append_printf (csv, "%s,%s,%u,%u,%u", name, label, n, finished, failed);
      srl_csv_append_number (csv, f.mean);
      srl_csv_append_number (csv, f.std);
      srl_csv_append_number (csv, f.min);
      srl_csv_append_number (csv, f.max);
      srl_csv_append_number (csv, a.mean);
      srl_csv_append_number (csv, a.std);
      srl_csv_append_number (csv, has_threshold ? threshold : NAN);
      if (has_threshold)
        g_string_append_printf (csv, ",%u", st.n);
      else
        g_string_append (csv, ",nan");
      srl_csv_append_number (csv, st.mean);
      srl_csv_append_number (csv, w.mean);
      srl_csv_append_number (csv, w.n ? w.sum : NAN);
      g_string_append_c (csv, '\n');

      g_autofree char *shown = md_text (v->label);
      g_autofree char *fm = human (f.mean), *fs = human (f.std), *fmin = human (f.min), *fmax = human (f.max);
      g_autofree char *am = human (a.mean), *as = human (a.std), *wm = duration (w.mean);
      g_autofree char *sm = g_strdup_printf ("%.0f", st.mean);
      g_autofree char *failures = failed && empty ? g_strdup_printf (" (%u failed, %u without evaluations)", failed, empty)
                                  : failed      ? g_strdup_printf (" (%u failed)", failed)
                                  : empty       ? g_strdup_printf (" (%u without evaluations)", empty)
                                                : g_strdup ("");
      g_string_append_printf (md, "| %s | %u/%u%s | %s ± %s | %s | %s | %s ± %s |", shown, finished, n, failures, fm,
                              fs, fmin, fmax, am, as);
      if (has_threshold)
        {
          if (st.n)
            g_string_append_printf (md, " %s (%u/%u) |", sm, st.n, finished);
          else
            g_string_append_printf (md, " not reached (0/%u) |", finished);
        }
      g_string_append_printf (md, " %s |\n", wm);
    }
  g_autofree char *csv_path = g_build_filename (dir, "summary.csv", NULL);
  g_autofree char *md_path = g_build_filename (dir, "summary.md", NULL);
  gboolean ok = srl_write_file_atomic (csv_path, csv->str, csv->len, &error)
                && srl_write_file_atomic (md_path, md->str, md->len, &error);
  if (ok)
    printf ("%s\nwritten: %s, %s\n", md->str, csv_path, md_path);
  g_string_free (csv, TRUE);
  g_string_free (md, TRUE);
  if (!ok)
    {
      srl_cli_error ("%s", error->message);
      return SRL_EXIT_FAILED;
    }
  return SRL_EXIT_OK;
}

/* softrl plot: learning curves, one line per variant, the mean over seeds
 * with a band (min–max by default, as the thesis' Figures 4.1 and 5.1),
 * through PLplot (plot.h). */
#include <math.h>
#include <plplot.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "plot.h"
#include "results.h"

typedef struct {
  const char *label;
  guint n;
  double *x, *mean, *lo, *hi;
} Curve;

static void
curve_clear (gpointer p)
{
  Curve *c = p;
  g_free (c->x);
  g_free (c->mean);
  g_free (c->lo);
  g_free (c->hi);
}

typedef enum { BAND_MINMAX, BAND_STD, BAND_NONE } Band;

/* Aggregate a variant's runs row by row over the rows every run has; points
 * where a run has no number (no evaluation) are left out. */
static gboolean
make_curve (const SrlResultVariant *v, const char *xcol, const char *ycol, Band band, Curve *c, GError **error)
{
  memset (c, 0, sizeof *c);
  c->label = v->label;
  g_autoptr (GPtrArray) xs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) ys = g_ptr_array_new_with_free_func (g_free);
  guint rows = G_MAXUINT, most = 0;
  const char *shortest = NULL;
  for (guint k = 0; k < v->runs->len; k++)
    {
      const SrlResultRun *run = v->runs->pdata[k];
      if (!run->progress || !run->progress->n_rows)
        continue;
      g_autofree char *file = g_build_filename (run->dir, "progress.csv", NULL);
      double *x = srl_table_column_values (run->progress, xcol, file, error);
      if (!x)
        return FALSE;
      g_ptr_array_add (xs, x);
      double *y = srl_table_column_values (run->progress, ycol, file, error);
      if (!y)
        return FALSE;
      g_ptr_array_add (ys, y);
      if (run->progress->n_rows < rows)
        {
          rows = run->progress->n_rows;
          shortest = run->name;
        }
      most = MAX (most, run->progress->n_rows);
    }
  if (!xs->len)
    {
      fprintf (stderr, "softrl: plot: %s: no run has progress yet; left out\n", v->label);
      return TRUE;
    }
  if (rows < most)
    fprintf (stderr, "softrl: plot: %s: drawn to row %u, where its shortest run (%s) ends\n", v->label, rows,
             shortest);
  guint runs = xs->len;
  c->x = g_new (double, rows);
  c->mean = g_new (double, rows);
  c->lo = g_new (double, rows);
  c->hi = g_new (double, rows);
  for (guint r = 0; r < rows; r++)
    {
      double sx = 0, sy = 0, ss = 0, lo = INFINITY, hi = -INFINITY;
      gboolean ok = TRUE;
      for (guint k = 0; k < runs; k++)
        {
          double x = ((double *) xs->pdata[k])[r], y = ((double *) ys->pdata[k])[r];
          ok = ok && isfinite (x) && isfinite (y);
          sx += x;
          sy += y;
          lo = MIN (lo, y);
          hi = MAX (hi, y);
        }
      if (!ok)
        continue;
      double mean = sy / runs;
      for (guint k = 0; k < runs; k++)
        {
          double d = ((double *) ys->pdata[k])[r] - mean;
          ss += d * d;
        }
      double sd = runs > 1 ? sqrt (ss / (runs - 1)) : 0;
      c->x[c->n] = sx / runs;
      c->mean[c->n] = mean;
      c->lo[c->n] = band == BAND_STD ? mean - sd : band == BAND_MINMAX ? lo : mean;
      c->hi[c->n] = band == BAND_STD ? mean + sd : band == BAND_MINMAX ? hi : mean;
      c->n++;
    }
  if (!c->n)
    fprintf (stderr, "softrl: plot: %s: no row where all %u runs have a number in %s and %s; left out\n", v->label,
             runs, xcol, ycol);
  return TRUE;
}

static const char *
axis_name (const char *column)
{
  static const char *const names[][2] = {
    { "env_steps", "environment steps" },
    { "eval_return_mean", "average return (evaluation)" },
    { "train_return_mean", "average return (training)" },
    { "wall_s", "wall time (s)" },
    { "alpha", "temperature α" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (column, names[i][0]) == 0)
      return names[i][1];
  return column;
}

/* The inside corner where a legend box of `n` lines of at most `chars`
 * characters covers the fewest points of the curves and bands (as
 * PL_POSITION_* flags): bottom right first, where learning curves rarely
 * go. */
static PLINT
legend_corner (GArray *curves, double x0, double x1, double y0, double y1, guint chars)
{
  static const PLINT corners[] = {
    PL_POSITION_BOTTOM | PL_POSITION_RIGHT, PL_POSITION_TOP | PL_POSITION_RIGHT,
    PL_POSITION_TOP | PL_POSITION_LEFT, PL_POSITION_BOTTOM | PL_POSITION_LEFT,
  };
  /* The box as fractions of the plot, roughly (the font's size). */
  double w = MIN (0.7, 0.12 + 0.0105 * chars), h = MIN (0.9, 0.04 + 0.07 * curves->len);
  guint best = 0, fewest = G_MAXUINT;
  for (guint k = 0; k < G_N_ELEMENTS (corners); k++)
    {
      gboolean right = corners[k] & PL_POSITION_RIGHT, top = corners[k] & PL_POSITION_TOP;
      guint covered = 0;
      for (guint i = 0; i < curves->len; i++)
        {
          const Curve *c = &g_array_index (curves, Curve, i);
          for (guint r = 0; r < c->n; r++)
            {
              double u = (c->x[r] - x0) / (x1 - x0);
              if (right ? u < 1 - w : u > w)
                continue;
              const double ys[3] = { c->mean[r], c->lo[r], c->hi[r] };
              for (guint j = 0; j < 3; j++)
                {
                  double v = (ys[j] - y0) / (y1 - y0);
                  covered += top ? v > 1 - h : v < h;
                }
            }
        }
      if (covered < fewest)
        {
          fewest = covered;
          best = k;
        }
    }
  return corners[best] | PL_POSITION_INSIDE;
}

static void
draw (GArray *curves, const char *xcol, const char *ycol, const char *title, Band band)
{
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  guint n = curves->len;
  for (guint i = 0; i < n; i++)
    {
      const Curve *c = &g_array_index (curves, Curve, i);
      for (guint r = 0; r < c->n; r++)
        {
          x0 = MIN (x0, c->x[r]);
          x1 = MAX (x1, c->x[r]);
          y0 = MIN (y0, c->lo[r]);
          y1 = MAX (y1, c->hi[r]);
        }
    }
  if (x1 <= x0)
    {
      x0 -= 1;
      x1 += 1;
    }
  double pad = y1 > y0 ? 0.05 * (y1 - y0) : 1;
  y0 -= pad;
  y1 += pad;
  /* Training starts at step 0 (or second 0), not at the first evaluation. */
  x0 = MIN (x0, 0);

  /* Colour 1 is the foreground; each curve gets a line colour and a
   * translucent band colour of its own; the last is the grid's. */
  PLINT grid = 2 + 2 * (PLINT) n;
  plscmap0n (grid + 1);
  plscol0 (grid, 222, 222, 222);
  pladv (0);
  plvpor (0.11, 0.94, 0.11, 0.92);
  plwind (x0, x1, y0, y1);
  plschr (0, 1.1);
  plwidth (1);
  /* Plain numbers (−1500, 15000) rather than a shared ×10ⁿ, steps in
   * millions as 1M, 2.5M: short enough that the last stays in the image. */
  plsxax (10, 0);
  plsyax (10, 0);
  srl_plot_short_labels ();
  plcol0 (grid);
  plbox ("g", 0, 0, "g", 0, 0);

  g_autofree PLINT *opts = g_new (PLINT, n), *line_colors = g_new (PLINT, n), *box_colors = g_new (PLINT, n);
  g_autofree PLINT *styles = g_new (PLINT, n), *patterns = g_new (PLINT, n), *text_colors = g_new (PLINT, n);
  g_autofree PLFLT *widths = g_new (PLFLT, n), *box_scales = g_new (PLFLT, n), *box_widths = g_new (PLFLT, n);
  g_autofree const char **texts = g_new0 (const char *, n);
  /* Every band first, then every line: no band covers another curve. */
  for (guint i = 0; i < n; i++)
    {
      const Curve *c = &g_array_index (curves, Curve, i);
      int r, g, b;
      srl_plot_palette (i, &r, &g, &b);
      PLINT line = 2 + 2 * (PLINT) i, shade = line + 1;
      plscol0a (line, r, g, b, 1.0);
      plscol0a (shade, r, g, b, 0.22);
      if (band != BAND_NONE && c->n > 1)
        {
          g_autofree PLFLT *px = g_new (PLFLT, 2 * c->n), *py = g_new (PLFLT, 2 * c->n);
          for (guint k = 0; k < c->n; k++)
            {
              px[k] = c->x[k];
              py[k] = c->hi[k];
              px[2 * c->n - 1 - k] = c->x[k];
              py[2 * c->n - 1 - k] = c->lo[k];
            }
          plcol0 (shade);
          plfill (2 * (PLINT) c->n, px, py);
        }
    }
  for (guint i = 0; i < n; i++)
    {
      const Curve *c = &g_array_index (curves, Curve, i);
      PLINT line = 2 + 2 * (PLINT) i, shade = line + 1;
      plcol0 (line);
      plwidth (2.5);
      if (c->n > 1)
        plline ((PLINT) c->n, c->x, c->mean);
      else
        {
          /* One evaluation: a point with the band as an error bar. */
          plpoin ((PLINT) c->n, c->x, c->mean, 4);
          if (band != BAND_NONE)
            plerry ((PLINT) c->n, c->x, c->lo, c->hi);
        }
      opts[i] = PL_LEGEND_LINE | (band != BAND_NONE ? PL_LEGEND_COLOR_BOX : 0);
      line_colors[i] = line;
      box_colors[i] = shade;
      text_colors[i] = 1;
      styles[i] = 1;
      patterns[i] = 0;
      widths[i] = 2.5;
      box_scales[i] = 0.9;
      box_widths[i] = 1;
      texts[i] = c->label;
    }
  plwidth (1);
  plcol0 (1);
  plbox ("bcnsto", 0, 0, "bcnstvo", 0, 0);
  pllab (axis_name (xcol), axis_name (ycol), title ? title : "");
  PLFLT lw, lh;
  guint chars = 0;
  for (guint i = 0; i < n; i++)
    chars = MAX (chars, (guint) g_utf8_strlen (texts[i], -1));
  plscol0a (0, 255, 255, 255, 0.85);
  pllegend (&lw, &lh, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, legend_corner (curves, x0, x1, y0, y1, chars),
            0.02, 0.03, 0.08, 0, 1, 1, 0, 0, (PLINT) n, opts, 1.0, 0.9, 2.0, 0.0, text_colors,
            (const char *const *) texts, box_colors, patterns, box_scales, box_widths, line_colors, styles, widths,
            NULL, NULL, NULL, NULL);
}

int
srl_cmd_plot (int argc, char **argv)
{
  g_autofree char *out = NULL, *xcol = NULL, *ycol = NULL, *title = NULL, *band_name = NULL;
  gint64 width = 1000, height = 650;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "the figure: .png, .svg or .pdf", "FILE" },
    { "x", 0, 0, G_OPTION_ARG_STRING, &xcol, "progress.csv column along x (default env_steps)", "COLUMN" },
    { "y", 0, 0, G_OPTION_ARG_STRING, &ycol, "progress.csv column along y (default eval_return_mean)", "COLUMN" },
    { "band", 0, 0, G_OPTION_ARG_STRING, &band_name,
      "shaded band over seeds: minmax (default, as Figures 4.1 and 5.1), std (one standard deviation, as Figure "
      "7.3) or none", "KIND" },
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, "title (default: the sweep's name)", "TEXT" },
    { "width", 0, 0, G_OPTION_ARG_INT64, &width, "width in pixels (default 1000)", "N" },
    { "height", 0, 0, G_OPTION_ARG_INT64, &height, "height in pixels (default 650)", "N" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("RUNDIR|DIR… -o FILE.png|svg|pdf");
  g_option_context_set_summary (
    ctx, "Learning curves: one line per variant, the mean over its seeds, and a band over the seeds.\n"
         "Each argument is a sweep directory, a run directory (runs of one experiment form one variant)\n"
         "or a directory of runs.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("plot: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  Band band = BAND_MINMAX;
  if (band_name && strcmp (band_name, "std") == 0)
    band = BAND_STD;
  else if (band_name && strcmp (band_name, "none") == 0)
    band = BAND_NONE;
  else if (band_name && strcmp (band_name, "minmax") != 0)
    {
      srl_cli_error ("plot: --band %s: expected minmax, std or none", band_name);
      return SRL_EXIT_USAGE;
    }
  if (argc < 2 || !out || width < 200 || height < 150 || width > 20000 || height > 20000)
    {
      srl_cli_error ("plot: give at least one directory and -o FILE.png|svg|pdf, and a size of at least 200×150 "
                     "(see softrl plot --help)");
      return SRL_EXIT_USAGE;
    }
  const char *x = xcol ? xcol : "env_steps", *y = ycol ? ycol : "eval_return_mean";
  g_autoptr (SrlResults) results = srl_results_load ((const char *const *) argv + 1, &error);
  if (!results)
    {
      srl_cli_error ("%s", error->message);
      return srl_cli_status (error);
    }
  g_autoptr (GArray) curves = g_array_new (FALSE, TRUE, sizeof (Curve));
  g_array_set_clear_func (curves, curve_clear);
  for (guint i = 0; i < results->variants->len; i++)
    {
      Curve c;
      if (!make_curve (results->variants->pdata[i], x, y, band, &c, &error))
        {
          srl_cli_error ("plot: %s", error->message);
          curve_clear (&c);
          return SRL_EXIT_USAGE;
        }
      if (c.n)
        g_array_append_val (curves, c);
      else
        curve_clear (&c);
    }
  if (!curves->len)
    {
      srl_cli_error ("plot: nothing to draw: no run has a row with both %s and %s", x, y);
      return SRL_EXIT_FAILED;
    }
  if (!srl_plot_begin (out, (int) width, (int) height, &error))
    {
      srl_cli_error ("plot: %s", error->message);
      return srl_cli_status (error);
    }
  draw (curves, x, y, title ? title : results->title, band);
  if (!srl_plot_end (&error))
    {
      srl_cli_error ("plot: %s", error->message);
      return SRL_EXIT_FAILED;
    }
  printf ("figure: %s (%u curves)\n", out, curves->len);
  return SRL_EXIT_OK;
}

/* softrl figure: thesis Figure 3.2 for a run on a 2-D environment.
 *
 * Left: rollouts of the stochastic policy over the reward landscape.
 * Right: at chosen states, the soft Q-function's level curves over the
 * action square (red high, blue low) with actions sampled from the policy.
 *
 * The landscape is the reward of staying put (action 0) at each point of a
 * grid.  To put the environment at a point without knowing its internals,
 * the command goes through the state every environment saves for resuming:
 * it saves the state, replaces the 2-element tensor holding the position
 * (named "pos" by multigoal and point; --position-tensor otherwise) and
 * loads it back.  Q comes from the algorithm's optional q_values hook;
 * without one the right panels show the sampled actions alone. */
#include <glib/gstdio.h>
#include <math.h>
#include <plplot.h>
#include <string.h>

#include "commands.h"
#include "plot.h"

#define LANDSCAPE_GRID 81
#define Q_GRID 51
#define REWARD_LEVELS 20
#define Q_LEVELS 15

/* ------------------------------------------------------------------ the environment's saved state */

typedef struct {
  char *name;
  SrlDtype dtype;
  guint n_dims;
  gsize shape[4];
  gsize n;
  gpointer data;
} Tensor;

static void
tensor_free (gpointer p)
{
  Tensor *t = p;
  g_free (t->name);
  g_free (t->data);
  g_free (t);
}

static gsize
dtype_size (SrlDtype d)
{
  return d == SRL_DTYPE_F32 ? 4 : d == SRL_DTYPE_U8 ? 1 : 8;
}

/* Every tensor the environment saves, copied out. */
static GPtrArray *
read_env_state (SrlEnv *env, const char *path, GError **error)
{
  {
    g_autoptr (SrlStateWriter) w = srl_state_writer_new ();
    srl_env_save (env, w);
    if (!srl_state_writer_write (w, path, error))
      return NULL;
  }
  g_autoptr (SrlStateReader) r = srl_state_reader_open (path, error);
  if (!r)
    return NULL;
  g_autoptr (GPtrArray) tensors = g_ptr_array_new_with_free_func (tensor_free);
  guint n_names;
  const char *const *names = srl_state_reader_names (r, &n_names);
  for (guint i = 0; i < n_names; i++)
    {
      Tensor *t = g_new0 (Tensor, 1);
      g_ptr_array_add (tensors, t);
      t->name = g_strdup (names[i]);
      const gsize *shape = srl_state_reader_shape (r, names[i], &t->n_dims);
      t->n = 1;
      for (guint d = 0; d < t->n_dims && d < 4; d++)
        t->n *= (t->shape[d] = shape[d]);
      /* The reader checks dtypes rather than reporting them: try each. */
      const SrlDtype dtypes[] = { SRL_DTYPE_F64, SRL_DTYPE_F32, SRL_DTYPE_I64, SRL_DTYPE_U64, SRL_DTYPE_U8 };
      gboolean found = FALSE;
      for (guint k = 0; k < G_N_ELEMENTS (dtypes) && !found; k++)
        {
          g_free (t->data);
          t->data = g_malloc0 (MAX (t->n, 1) * dtype_size (dtypes[k]));
          t->dtype = dtypes[k];
          found = srl_state_reader_get (r, names[i], dtypes[k], t->data, t->n, NULL);
        }
      if (!found)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT, "%s: tensor %s has an unknown type", path, names[i]);
          return NULL;
        }
    }
  return g_steal_pointer (&tensors);
}

/* Load `tensors` into the environment through the file at `path`. */
static gboolean
write_env_state (SrlEnv *env, GPtrArray *tensors, const char *path, GError **error)
{
  {
    g_autoptr (SrlStateWriter) w = srl_state_writer_new ();
    for (guint i = 0; i < tensors->len; i++)
      {
        Tensor *t = tensors->pdata[i];
        srl_state_writer_put (w, t->name, t->dtype, t->data, t->n_dims, t->shape);
      }
    if (!srl_state_writer_write (w, path, error))
      return FALSE;
  }
  g_autoptr (SrlStateReader) r = srl_state_reader_open (path, error);
  return r && srl_env_load (env, r, error);
}

/* Rewards of staying put at each point of a grid (NAN where the
 * environment refuses), row-major [x][y]. */
static double *
reward_landscape (SrlEnv *env, const char *tensor_name, const double *xs, const double *ys, guint n, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("softrl-figure-XXXXXX", error);
  if (!dir)
    return NULL;
  g_autofree char *path = g_build_filename (dir, "state.safetensors", NULL);
  double *out = NULL;
  g_autoptr (GPtrArray) tensors = read_env_state (env, path, error);
  Tensor *pos = NULL;
  for (guint i = 0; tensors && i < tensors->len; i++)
    if (strcmp (((Tensor *) tensors->pdata[i])->name, tensor_name) == 0)
      pos = tensors->pdata[i];
  if (tensors && (!pos || pos->n != 2 || (pos->dtype != SRL_DTYPE_F64 && pos->dtype != SRL_DTYPE_F32)))
    g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                 "environment %s saves no 2-element float tensor \"%s\" holding its position; "
                 "name it with --position-tensor",
                 srl_env_descriptor (env)->info.name, tensor_name);
  else if (tensors)
    {
      out = g_new (double, (gsize) n * n);
      const float zero[2] = { 0, 0 };
      double obs[2];
      SrlRng rng;
      srl_rng_init (&rng, 0);
      for (guint i = 0; i < n && out; i++)
        for (guint j = 0; j < n; j++)
          {
            if (pos->dtype == SRL_DTYPE_F64)
              {
                ((double *) pos->data)[0] = xs[i];
                ((double *) pos->data)[1] = ys[j];
              }
            else
              {
                ((float *) pos->data)[0] = (float) xs[i];
                ((float *) pos->data)[1] = (float) ys[j];
              }
            if (!write_env_state (env, tensors, path, error))
              {
                g_clear_pointer (&out, g_free);
                break;
              }
            double reward = NAN;
            if (srl_env_step_normalized (env, &rng, zero, obs, &reward) == SRL_STEP_INVALID)
              reward = NAN;
            out[(gsize) i * n + j] = reward;
          }
    }
  g_unlink (path);
  g_rmdir (dir);
  return out;
}

/* ------------------------------------------------------------------ drawing */

static void
observe_path (const double *obs, guint obs_dim, gpointer data)
{
  g_array_append_vals (data, obs, 2);
}

/* Level curves of z (row-major [x][y] on the grid xs × ys), each level
 * coloured from blue (low) to red (high) when `coloured`, else grey; the
 * range of z in *z_lo, *z_hi (NaN when z has no finite value). */
static void
contours (const double *z, const double *xs, const double *ys, guint n, guint n_levels, gboolean coloured,
          double *z_lo, double *z_hi)
{
  double lo = INFINITY, hi = -INFINITY;
  *z_lo = *z_hi = NAN;
  for (gsize i = 0; i < (gsize) n * n; i++)
    if (isfinite (z[i]))
      {
        lo = MIN (lo, z[i]);
        hi = MAX (hi, z[i]);
      }
  if (!(hi > lo))
    return;
  *z_lo = lo;
  *z_hi = hi;
  g_autofree PLFLT **rows = g_new (PLFLT *, n);
  g_autofree PLFLT *cells = g_new (PLFLT, (gsize) n * n);
  for (guint i = 0; i < n; i++)
    {
      rows[i] = cells + (gsize) i * n;
      for (guint j = 0; j < n; j++)
        rows[i][j] = isfinite (z[(gsize) i * n + j]) ? z[(gsize) i * n + j] : lo;
    }
  PLcGrid grid = { (PLFLT *) xs, (PLFLT *) ys, NULL, (PLINT) n, (PLINT) n, 0 };
  for (guint k = 0; k < n_levels; k++)
    {
      PLFLT level = lo + (hi - lo) * (k + 0.5) / n_levels;
      if (coloured)
        plcol1 ((double) k / MAX (n_levels - 1, 1));
      else
        plcol0 (15);
      plcont ((PLFLT_MATRIX) rows, (PLINT) n, (PLINT) n, 1, (PLINT) n, 1, (PLINT) n, &level, 1, pltr1, &grid);
    }
}

/* A colour bar beside the current viewport for the values lo..hi that
 * contours() coloured, labelled `label`. */
static void
colour_bar (double lo, double hi, const char *label)
{
  PLFLT width, height;
  const PLINT label_opts[] = { PL_COLORBAR_LABEL_TOP };
  const char *const labels[] = { label };
  const char *const axis_opts[] = { "bcvtm" };
  const PLFLT ticks[] = { 0 };
  const PLINT sub_ticks[] = { 0 }, n_values[] = { 2 };
  PLFLT range[2] = { lo, hi };
  const PLFLT *values[] = { range };
  plcolorbar (&width, &height, PL_COLORBAR_GRADIENT, PL_POSITION_RIGHT | PL_POSITION_OUTSIDE | PL_POSITION_VIEWPORT,
              0.04, 0, 0.07, 1, 0, 1, 1, 0, 0, 0, 0, 1, label_opts, labels, 1, axis_opts, ticks, sub_ticks, n_values,
              (PLFLT_MATRIX) values);
}

/* A square viewport of `side` pixels with its lower left corner at pixel (x, y). */
static void
square_viewport (double x, double y, double side, double width, double height)
{
  plvpor (x / width, (x + side) / width, y / height, (y + side) / height);
}

static gboolean
parse_states (const char *text, GArray *states, GError **error)
{
  g_auto (GStrv) items = g_strsplit (text, ";", -1);
  for (guint i = 0; items[i]; i++)
    {
      g_auto (GStrv) xy = g_strsplit (items[i], ",", -1);
      char *end1 = NULL, *end2 = NULL;
      double v[2] = { 0, 0 };
      if (g_strv_length (xy) == 2)
        {
          v[0] = g_ascii_strtod (g_strstrip (xy[0]), &end1);
          v[1] = g_ascii_strtod (g_strstrip (xy[1]), &end2);
        }
      /* (1e300 squared overflows in the landscape's extent: finite and
       * below 1e6, far beyond any 2-D task's world) */
      if (!end1 || !end2 || *end1 || *end2 || end1 == xy[0] || end2 == xy[1] || !(fabs (v[0]) < 1e6)
          || !(fabs (v[1]) < 1e6))
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG,
                       "--states %s: expected x,y;x,y;… (finite numbers of magnitude below 10⁶)", text);
          return FALSE;
        }
      g_array_append_vals (states, v, 2);
    }
  return TRUE;
}

int
srl_cmd_figure (int argc, char **argv)
{
  g_autofree char *out = NULL, *states_text = NULL, *extent_text = NULL, *tensor = NULL;
  gint rollouts = 20, samples = 100;
  gint64 seed = 0;
  g_auto (GStrv) sets = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "the figure: .png, .svg or .pdf (required)", "FILE" },
    { "states", 0, 0, G_OPTION_ARG_STRING, &states_text,
      "states of the Q panels (default -2,0;0,0;2.5,2.5, thesis Figure 3.2)", "X,Y;X,Y;…" },
    { "rollouts", 0, 0, G_OPTION_ARG_INT, &rollouts, "stochastic rollouts drawn (default 20)", "N" },
    { "samples", 0, 0, G_OPTION_ARG_INT, &samples, "sampled actions per Q panel (default 100)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "seed of the rollouts and samples (default 0)", "N" },
    { "extent", 0, 0, G_OPTION_ARG_STRING, &extent_text,
      "area of the left panel (default: around the rollouts)", "XMIN,XMAX,YMIN,YMAX" },
    { "position-tensor", 0, 0, G_OPTION_ARG_STRING, &tensor,
      "the environment's saved tensor holding its 2-D position (default pos)", "NAME" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "override a parameter of the run", "GROUP.KEY=VALUE" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("RUNDIR -o FILE");
  g_option_context_set_summary (ctx, "Draw thesis Figure 3.2 for a run on a 2-D environment (observations and\n"
                                     "actions of size 2): rollouts of the policy over the reward landscape, and the\n"
                                     "soft Q-function over the action square at chosen states with sampled actions.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("figure: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  if (argc != 2 || !out || rollouts < 0 || samples < 0)
    {
      srl_cli_error ("figure: give one run directory and -o FILE (.png, .svg or .pdf)");
      return SRL_EXIT_USAGE;
    }
  /* Before the rollouts and the landscape, which take seconds. */
  if (!srl_cli_check_output (out, argv[1], &error))
    {
      srl_cli_error ("figure: %s", error->message);
      return srl_cli_status (error);
    }
  g_autoptr (GArray) states = g_array_new (FALSE, FALSE, sizeof (double));
  double extent[4];
  gboolean have_extent = extent_text != NULL;
  if (!parse_states (states_text ? states_text : "-2,0;0,0;2.5,2.5", states, &error))
    {
      srl_cli_error ("figure: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  if (have_extent)
    {
      g_auto (GStrv) parts = g_strsplit (extent_text, ",", -1);
      gboolean ok = g_strv_length (parts) == 4;
      for (guint i = 0; ok && i < 4; i++)
        {
          char *end;
          extent[i] = g_ascii_strtod (parts[i], &end);
          ok = end != parts[i] && !*end && fabs (extent[i]) < 1e6; /* (NaN fails the bound) */
        }
      if (!ok || extent[0] >= extent[1] || extent[2] >= extent[3])
        {
          srl_cli_error ("figure: --extent %s: expected XMIN,XMAX,YMIN,YMAX (finite, of magnitude below 10⁶) with "
                         "XMIN < XMAX, YMIN < YMAX", extent_text);
          return SRL_EXIT_USAGE;
        }
    }
  g_autoptr (SrlRegistry) registry = NULL;
  int status;
  g_autoptr (SrlLoadedPolicy) policy = srl_cli_load_policy (argv[1], sets, &registry, &status);
  if (!policy)
    return status;
  const SrlEnvSpec *spec = srl_env_spec (policy->env);
  if (spec->obs_dim != 2 || spec->act_dim != 2)
    {
      srl_cli_error ("figure: %s: environment %s has observations of size %u and actions of size %u; the figure "
                     "needs 2 and 2",
                     argv[1], srl_env_descriptor (policy->env)->info.name, spec->obs_dim, spec->act_dim);
      return SRL_EXIT_USAGE;
    }
  SrlAgent *agent = policy->agent;
  SrlRng rng;
  srl_rng_init (&rng, (guint64) seed);

  /* Rollouts of the stochastic policy. */
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  double box[4] = { INFINITY, -INFINITY, INFINITY, -INFINITY };
  for (gint e = 0; e < rollouts; e++)
    {
      GArray *xy = g_array_new (FALSE, FALSE, sizeof (double));
      SrlEpisode ep;
      srl_agent_episode_observed (agent, policy->env, &rng, SRL_ACT_STOCHASTIC, policy->max_path_length, &ep,
                                  observe_path, xy);
      g_ptr_array_add (paths, xy);
      for (guint k = 0; k < xy->len; k += 2)
        {
          box[0] = MIN (box[0], g_array_index (xy, double, k));
          box[1] = MAX (box[1], g_array_index (xy, double, k));
          box[2] = MIN (box[2], g_array_index (xy, double, k + 1));
          box[3] = MAX (box[3], g_array_index (xy, double, k + 1));
        }
    }
  guint n_states = states->len / 2;
  const double *sxy = (const double *) states->data;
  for (guint k = 0; k < n_states; k++)
    {
      box[0] = MIN (box[0], sxy[2 * k]);
      box[1] = MAX (box[1], sxy[2 * k]);
      box[2] = MIN (box[2], sxy[2 * k + 1]);
      box[3] = MAX (box[3], sxy[2 * k + 1]);
    }
  if (!have_extent)
    {
      /* A square around everything drawn, with a margin. */
      double cx = 0.5 * (box[0] + box[1]), cy = 0.5 * (box[2] + box[3]);
      double half = 0.6 * MAX (MAX (box[1] - box[0], box[3] - box[2]), 1.0);
      extent[0] = cx - half;
      extent[1] = cx + half;
      extent[2] = cy - half;
      extent[3] = cy + half;
    }

  /* The reward landscape. */
  double xs[LANDSCAPE_GRID], ys[LANDSCAPE_GRID];
  for (guint i = 0; i < LANDSCAPE_GRID; i++)
    {
      xs[i] = extent[0] + (extent[1] - extent[0]) * i / (LANDSCAPE_GRID - 1);
      ys[i] = extent[2] + (extent[3] - extent[2]) * i / (LANDSCAPE_GRID - 1);
    }
  g_autofree double *landscape = reward_landscape (policy->env, tensor ? tensor : "pos", xs, ys, LANDSCAPE_GRID,
                                                   &error);
  if (!landscape)
    {
      srl_cli_error ("figure: %s", error->message);
      return srl_cli_status (error);
    }

  /* Q over the action square at each state, and sampled actions. */
  const guint QN = Q_GRID * Q_GRID;
  double as[Q_GRID];
  for (guint i = 0; i < Q_GRID; i++)
    as[i] = -1.0 + 2.0 * i / (Q_GRID - 1);
  g_autofree float *q_obs = g_new (float, 2 * QN), *q_act = g_new (float, 2 * QN), *q = g_new (float, QN);
  g_autofree double *qd = g_new (double, (gsize) n_states * QN);
  g_autofree double *sampled = g_new0 (double, (gsize) n_states * MAX (samples, 1) * 2);
  gboolean have_q = TRUE;
  for (guint k = 0; k < n_states; k++)
    {
      float obs[2] = { (float) sxy[2 * k], (float) sxy[2 * k + 1] };
      for (guint i = 0; i < Q_GRID; i++)
        for (guint j = 0; j < Q_GRID; j++)
          {
            gsize r = (gsize) i * Q_GRID + j;
            q_obs[2 * r] = obs[0];
            q_obs[2 * r + 1] = obs[1];
            q_act[2 * r] = (float) as[i];
            q_act[2 * r + 1] = (float) as[j];
          }
      have_q = have_q && srl_algorithm_q_values (agent->descriptor, agent->algorithm, QN, q_obs, q_act, q);
      for (guint r = 0; have_q && r < QN; r++)
        qd[(gsize) k * QN + r] = q[r];
      for (gint m = 0; m < samples; m++)
        {
          memset (agent->memory, 0, agent->memory_size * sizeof (float));
          SrlActMode mode = srl_algorithm_act_mode (agent->descriptor, SRL_ACT_EVAL_STOCHASTIC);
          agent->descriptor->act (agent->algorithm, &rng, mode, obs, 0, agent->memory, agent->agent_action,
                                  agent->env_action);
          sampled[((gsize) k * samples + m) * 2] = agent->agent_action[0];
          sampled[((gsize) k * samples + m) * 2 + 1] = agent->agent_action[1];
        }
    }
  if (!have_q)
    g_printerr ("softrl: figure: algorithm %s does not expose its Q-function; the right panels show sampled "
                "actions only\n", agent->descriptor->info.name);

  /* Draw: a square landscape panel on the left, the Q panels stacked on the right. */
  /* Room on the left for the y label, on the right for the colour bars. */
  const double W = 1200, H = 900, left = 100, bottom = 80, side = 700;
  const double gap = 62, q_side = MIN (220.0, (side - gap * (n_states - 1)) / MAX (n_states, 1));
  if (!srl_plot_begin (out, (int) W, (int) H, &error))
    {
      srl_cli_error ("figure: %s", error->message);
      return srl_cli_status (error);
    }
  PLFLT pos[2] = { 0, 1 }, red[2] = { 0, 1 }, green[2] = { 0, 0 }, blue[2] = { 1, 0 };
  plscmap1l (TRUE, 2, pos, red, green, blue, NULL);
  plscol0 (15, 150, 150, 150);
  plscol0 (2, 0, 90, 200);
  plscol0 (3, 200, 0, 0);
  pladv (0);
  plschr (0, 0.9);

  square_viewport (left, bottom, side, W, H);
  plwind (extent[0], extent[1], extent[2], extent[3]);
  plcol0 (1);
  plwidth (1);
  plbox ("bcnst", 0, 0, "bcnstv", 0, 0);
  g_autofree char *title = g_strdup_printf ("%s: %u rollouts over the reward landscape",
                                            srl_env_descriptor (policy->env)->info.name, paths->len);
  pllab ("x", "y", title);
  double lo, hi;
  contours (landscape, xs, ys, LANDSCAPE_GRID, REWARD_LEVELS, FALSE, &lo, &hi);
  plcol0 (2);
  plwidth (1.5);
  for (guint p = 0; p < paths->len; p++)
    {
      GArray *xy = paths->pdata[p];
      guint n = xy->len / 2;
      g_autofree PLFLT *px = g_new (PLFLT, n), *py = g_new (PLFLT, n);
      for (guint k = 0; k < n; k++)
        {
          px[k] = g_array_index (xy, double, 2 * k);
          py[k] = g_array_index (xy, double, 2 * k + 1);
        }
      plline ((PLINT) n, px, py);
    }
  plcol0 (3);
  plwidth (2);
  for (guint k = 0; k < n_states; k++)
    {
      PLFLT x = sxy[2 * k], y = sxy[2 * k + 1];
      plpoin (1, &x, &y, 5);
    }

  double top = bottom + side;
  for (guint k = 0; k < n_states; k++)
    {
      double y0 = top - (k + 1) * q_side - k * gap;
      square_viewport (left + side + 105, y0, q_side, W, H);
      plwind (-1, 1, -1, 1);
      plcol0 (1);
      plwidth (1);
      gboolean last = k == n_states - 1;
      plbox (last ? "bcnst" : "bcst", 1.0, 4, "bcnstv", 1.0, 4);
      g_autofree char *label = g_strdup_printf ("%s at s = (%g, %g)", have_q ? "Q" : "actions", sxy[2 * k],
                                                sxy[2 * k + 1]);
      pllab (last ? "action x" : "", "action y", label);
      if (have_q)
        {
          contours (qd + (gsize) k * QN, as, as, Q_GRID, Q_LEVELS, TRUE, &lo, &hi);
          if (isfinite (lo))
            colour_bar (lo, hi, "Q");
        }
      g_autofree PLFLT *px = g_new (PLFLT, MAX (samples, 1)), *py = g_new (PLFLT, MAX (samples, 1));
      for (gint m = 0; m < samples; m++)
        {
          px[m] = sampled[((gsize) k * samples + m) * 2];
          py[m] = sampled[((gsize) k * samples + m) * 2 + 1];
        }
      plcol0 (2);
      plpoin (samples, px, py, 3);
    }
  if (!srl_plot_end (&error))
    {
      srl_cli_error ("figure: %s", error->message);
      return SRL_EXIT_FAILED;
    }
  printf ("%s: %u rollouts, %u states\n", out, paths->len, n_states);
  return SRL_EXIT_OK;
}

/* softrl eval's summary of per-episode info values: for each info column
 * of the environment (here multigoal's goal, final_x and final_y) it prints
 * the mean ± sample standard deviation, min and max over the episodes, and
 * these equal what the rows of its --out CSV give (Table 6.1 reports the
 * pusher's final_distance this way).  With one episode the deviation is
 * nan. */
#include "testutil.h"

static char *dir;

/* The line "  NAME: mean M ± S (sample std), min A, max B" of `out`. */
static void
parse_info_line (const char *out, const char *name, double v[4])
{
  g_autofree char *prefix = g_strdup_printf ("  %s: mean ", name);
  const char *line = strstr (out, prefix);
  if (!line)
    g_error ("eval printed no line for %s:\n%s", name, out);
  line += strlen (prefix);
  char *end;
  v[0] = g_ascii_strtod (line, &end);
  g_assert_true (g_str_has_prefix (end, " ± "));
  v[1] = g_ascii_strtod (end + strlen (" ± "), &end);
  g_assert_true (g_str_has_prefix (end, " (sample std), min "));
  v[2] = g_ascii_strtod (end + strlen (" (sample std), min "), &end);
  g_assert_true (g_str_has_prefix (end, ", max "));
  v[3] = g_ascii_strtod (end + strlen (", max "), &end);
}

static void
assert_close4 (double printed, double exact, const char *what)
{
  /* printed with %.4g */
  if (!(fabs (printed - exact) <= 6e-4 * fmax (fabs (exact), 1e-3)))
    g_error ("%s: eval printed %.6g, the CSV gives %.6g", what, printed, exact);
}

static void
test_info_summary (void)
{
  g_autofree char *experiment = srl_test_write (
    dir, "multigoal.ini",
    "[experiment]\nepochs = 1\nsteps_per_epoch = 200\neval_episodes = 1\ninitial_random_steps = 100\n"
    "min_replay_size = 100\nmax_path_length = 30\nseed = 3\n"
    "[env]\nplugin = multigoal\n"
    "[algorithm]\nplugin = sac\nbatch_size = 16\nhidden_sizes = 16;16\n"
    "[sampler]\nplugin = gaussian\nhidden_sizes = 16;16\n");
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", experiment, "-q", "--out", run, NULL), ==, 0);

  g_autofree char *csv = g_build_filename (dir, "eval.csv", NULL);
  g_autofree char *out = NULL;
  g_assert_cmpint (
    srl_test_run (NULL, &out, NULL, "eval", run, "--episodes", "9", "--stochastic", "--out", csv, NULL), ==, 0);
  const char *const names[] = { "goal", "final_x", "final_y" };
  for (guint c = 0; c < G_N_ELEMENTS (names); c++)
    {
      guint n;
      g_autofree double *v = srl_test_csv_column (csv, names[c], &n);
      g_assert_cmpuint (n, ==, 9);
      double mean = 0, ss = 0, lo = INFINITY, hi = -INFINITY;
      for (guint i = 0; i < n; i++)
        {
          mean += v[i] / n;
          lo = MIN (lo, v[i]);
          hi = MAX (hi, v[i]);
        }
      for (guint i = 0; i < n; i++)
        ss += (v[i] - mean) * (v[i] - mean);
      double printed[4];
      parse_info_line (out, names[c], printed);
      g_test_message ("%s: mean %g ± %g, min %g, max %g", names[c], mean, sqrt (ss / (n - 1)), lo, hi);
      assert_close4 (printed[0], mean, names[c]);
      assert_close4 (printed[1], sqrt (ss / (n - 1)), names[c]);
      assert_close4 (printed[2], lo, names[c]);
      assert_close4 (printed[3], hi, names[c]);
    }
  /* final_x varies between stochastic episodes: a deviation of 0 would
   * mean the summary saw one episode only. */
  double fx[4];
  parse_info_line (out, "final_x", fx);
  g_assert_cmpfloat (fx[1], >, 0);

  g_autofree char *one = NULL;
  g_assert_cmpint (srl_test_run (NULL, &one, NULL, "eval", run, "--episodes", "1", NULL), ==, 0);
  parse_info_line (one, "final_x", fx);
  g_assert_true (isnan (fx[1]));
  g_assert_cmpfloat (fx[2], ==, fx[3]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = srl_test_tmpdir ();
  g_test_add_func ("/eval/info-summary", test_info_summary);
  int status = g_test_run ();
  srl_test_rmtree (dir);
  g_free (dir);
  return status;
}

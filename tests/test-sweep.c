/* Sweeps: validation, local runs with -j 2, restarting (nothing re-run,
 * interrupted runs resumed exactly), failures recorded, directories holding
 * another sweep or plain runs refused untouched, summaries checked
 * against hand-made progress files, figures, the shipped ablation files and,
 * when softrl was built with MPI, sweeps over 3 MPI ranks, including one
 * rank that stops answering.  Budget: about 40 s on 2 cores. */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "testutil.h"

/* Runs of a few hundred steps with small networks: seconds in all. */
static const char *tiny =
  "[experiment]\nepochs = 2\nsteps_per_epoch = 200\neval_episodes = 1\ninitial_random_steps = 100\n"
  "min_replay_size = 100\ncheckpoint_interval = 1\nmax_path_length = 50\n"
  "[env]\nplugin = pendulum\n"
  "[algorithm]\nplugin = sac\nbatch_size = 32\nhidden_sizes = 32;32\n"
  "[sampler]\nplugin = gaussian\nhidden_sizes = 32;32\n";

/* Runs of a few seconds, to be interrupted. */
static const char *longer =
  "[experiment]\nepochs = 40\nsteps_per_epoch = 300\neval_episodes = 1\ninitial_random_steps = 100\n"
  "min_replay_size = 100\ncheckpoint_interval = 1\nmax_path_length = 50\n"
  "[env]\nplugin = pendulum\n"
  "[algorithm]\nplugin = sac-auto\nbatch_size = 32\nhidden_sizes = 32;32\n"
  "[sampler]\nplugin = gaussian\nhidden_sizes = 32;32\n";

static char *dir;

static char *
read_text (const char *first, ...)
{
  va_list ap;
  va_start (ap, first);
  GPtrArray *parts = g_ptr_array_new ();
  for (const char *p = first; p; p = va_arg (ap, const char *))
    g_ptr_array_add (parts, (gpointer) p);
  va_end (ap);
  g_ptr_array_add (parts, NULL);
  char *path = g_build_filenamev ((char **) parts->pdata);
  g_ptr_array_unref (parts);
  char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    text = NULL;
  g_free (path);
  return text ? g_strstrip (text) : NULL;
}

static void
assert_status (const char *sweep_dir, const char *run, const char *expected)
{
  g_autofree char *status = read_text (sweep_dir, run, "status", NULL);
  g_assert_nonnull (status);
  if (!g_str_has_prefix (status, expected))
    g_error ("%s/%s: status \"%s\", expected \"%s\"", sweep_dir, run, status, expected);
}

static gint64
mtime_of (const char *path)
{
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (gint64) st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

/* ------------------------------------------------------------------ validation */

static void
expect_refused (const char *body, const char *message)
{
  g_autofree char *file = srl_test_write (dir, "bad.ini", body);
  g_autofree char *out = g_build_filename (dir, "bad-out", NULL);
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "sweep", file, "--out", out, NULL);
  if (status != 2 || !strstr (err, message) || !strstr (err, "bad.ini"))
    g_error ("sweep of\n%s\nexited with %d and said\n%s\nexpected 2 and \"%s\"", body, status, err, message);
  /* Nothing was started. */
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

static void
test_validation (void)
{
  g_autofree char *base = srl_test_write (dir, "tiny.ini", tiny);
  expect_refused ("[sweep]\nexperiment = tiny.ini\nseeds = 1\nalgorithm.tau = 0.1;2\n",
                  "[sweep] algorithm.tau = 2: 2 is out of range");
  expect_refused ("[sweep]\nexperiment = tiny.ini\nseeds = 1\nalgorithm.discont = 0.9\n",
                  "[sweep] algorithm.discont = 0.9: unknown key of sac (did you mean \"discount\"?)");
  expect_refused ("[sweep]\nexperiment = tiny.ini\nseeds = 1\nalgoritm.tau = 0.1\n", "unknown group");
  expect_refused ("[sweep]\nexperiment = missing.ini\nseeds = 1\n", "[sweep] experiment:");
  expect_refused ("[sweep]\nexperiment = tiny.ini\nseeds = 1;x\n", "[sweep] seeds: \"x\" is not a seed");
  expect_refused ("[sweep]\nexperiment = tiny.ini\nseeds = 1;1\n", "[sweep] seeds: \"1\" is listed twice");
  expect_refused ("[sweep]\nexperiment = tiny.ini\nseds = 1\n", "[sweep] seds: unknown key (did you mean \"seeds\"?)");
  expect_refused ("[sweep]\nexperiment = tiny.ini\n", "[sweep] seeds: missing");
  expect_refused ("[sweep]\nseeds = 1\n", "[sweep] experiment: missing");
  expect_refused ("[sweep]\nexperiment = tiny.ini\nseeds = 1\nexperiment.seed = 4\n", "[sweep] experiment.seed:");
  expect_refused ("[sweep]\nexperiment = tiny.ini\nseeds = 1\nthreshold = high\n", "[sweep] threshold:");
  expect_refused ("[sweep]\nexperiment = tiny.ini\nseeds = 1\nsampler.plugin = gaussian;nope\n",
                  "[sweep] sampler.plugin = nope: unknown sampler");
  expect_refused ("[sweep]\nexperiment = tiny.ini\nseeds = 1\n[algorithm]\ntau = 1\n", "[algorithm]: unknown group");
  /* A plugin axis whose other plugin does not take a key of the base. */
  expect_refused ("[sweep]\nexperiment = tiny.ini\nseeds = 1\nalgorithm.plugin = sac;sac-auto\nalgorithm.alpha = 0.5\n",
                  "[sweep] algorithm.alpha = 0.5 (variant algorithm=sac-auto): unknown key of sac-auto");
}

/* ------------------------------------------------------------------ local sweeps */

/* `softrl sweep FILE --out OUT [OPTION]` exits with `status` and says
 * `message` on stderr, and names OUT when it refuses (status 2). */
static void
expect_sweep (const char *file, const char *out, const char *option, int status, const char *message)
{
  g_autofree char *err = NULL;
  int got = srl_test_run (NULL, NULL, &err, "sweep", file, "--out", out, option, NULL);
  if (got != status || !strstr (err, message) || (status == 2 && !strstr (err, out)))
    g_error ("softrl sweep %s --out %s %s exited with %d and said\n%s\nexpected %d and \"%s\"", file, out,
             option ? option : "", got, err, status, message);
}

static char *local_out;

static void
test_local (void)
{
  g_autofree char *base = srl_test_write (dir, "tiny.ini", tiny);
  g_autofree char *file = srl_test_write (
    dir, "two.ini", "[sweep]\nexperiment = tiny.ini\nseeds = 1;2\nalgorithm.reward_scale = 1;10\nthreshold = -400\n");
  local_out = g_build_filename (dir, "two", NULL);
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "sweep", file, "-j", "2", "--out", local_out, NULL);
  if (status != 0)
    g_error ("sweep failed (%d): %s", status, err);
  const char *runs[] = { "reward_scale=1-seed1", "reward_scale=1-seed2", "reward_scale=10-seed1", "reward_scale=10-seed2" };
  gint64 mtimes[4];
  for (guint i = 0; i < 4; i++)
    {
      assert_status (local_out, runs[i], "finished");
      g_autofree char *progress = g_build_filename (local_out, runs[i], "progress.csv", NULL);
      guint n;
      g_autofree double *epochs = srl_test_csv_column (progress, "epoch", &n);
      g_assert_cmpuint (n, ==, 2);
      mtimes[i] = mtime_of (progress);
      /* Each run carries its variant's setting and seed. */
      g_autofree char *config = read_text (local_out, runs[i], "config.ini", NULL);
      g_assert_nonnull (strstr (config, i < 2 ? "reward_scale = 1\n" : "reward_scale = 10\n"));
      g_assert_nonnull (strstr (config, i % 2 ? "seed = 2\n" : "seed = 1\n"));
    }
  g_autofree char *manifest = read_text (local_out, "manifest.ini", NULL);
  g_assert_nonnull (strstr (manifest, "[variant reward_scale=10]"));
  g_assert_nonnull (strstr (manifest, "[run reward_scale=10-seed2]"));
  g_assert_null (strstr (manifest, "state=running"));

  /* Started again: nothing runs again. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "sweep", file, "-j", "2", "--out", local_out, NULL), ==, 0);
  g_assert_nonnull (strstr (err, "4 finished before, 0 failed before, 0 to run"));
  g_assert_null (strstr (err, "started"));
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *progress = g_build_filename (local_out, runs[i], "progress.csv", NULL);
      g_assert_cmpint (mtime_of (progress), ==, mtimes[i]);
    }

  /* summarize on the sweep directory: one row per variant, both seeds. */
  g_autofree char *out = NULL;
  g_assert_cmpint (srl_test_run (NULL, &out, NULL, "summarize", local_out, NULL), ==, 0);
  g_autofree char *csv = read_text (local_out, "summary.csv", NULL);
  g_assert_nonnull (strstr (csv, "\nreward_scale=1,reward_scale=1,2,2,0,"));
  g_assert_nonnull (strstr (csv, "\nreward_scale=10,reward_scale=10,2,2,0,"));
  g_autofree char *md = read_text (local_out, "summary.md", NULL);
  g_assert_nonnull (strstr (md, "| reward_scale=10 | 2/2 |"));
  g_assert_nonnull (strstr (md, "env_steps to reach -400")); /* the sweep file's threshold */
}

static void
test_failure_recorded (void)
{
  /* Rewards scaled by 1e300 overflow the first update: those runs fail,
   * the others finish. */
  g_autofree char *base = srl_test_write (dir, "tiny.ini", tiny);
  g_autofree char *file = srl_test_write (dir, "fail.ini",
                                          "[sweep]\nexperiment = tiny.ini\nseeds = 1;2\nalgorithm.reward_scale = 1e300;1\n");
  g_autofree char *out = g_build_filename (dir, "fail", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "sweep", file, "-j", "2", "--out", out, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "FAILED reward_scale=1e300-seed1"));
  assert_status (out, "reward_scale=1e300-seed1", "failed: ");
  assert_status (out, "reward_scale=1e300-seed2", "failed: ");
  assert_status (out, "reward_scale=1-seed1", "finished");
  assert_status (out, "reward_scale=1-seed2", "finished");
  g_autofree char *manifest = read_text (out, "manifest.ini", NULL);
  g_assert_nonnull (strstr (manifest, "state=failed\nerror=update 1: Q loss inf"));
  /* Started again, failed runs stay failed unless asked. */
  expect_sweep (file, out, NULL, 1, "2 finished before, 2 failed before, 0 to run");
  expect_sweep (file, out, "--retry-failed", 1, "2 to run");
}

static void
test_interrupt_and_resume (void)
{
  g_autofree char *base = srl_test_write (dir, "longer.ini", longer);
  g_autofree char *file = srl_test_write (dir, "stop.ini", "[sweep]\nexperiment = longer.ini\nseeds = 1;2;3\n");
  g_autofree char *out = g_build_filename (dir, "stop", NULL);
  const char *argv[] = { srl_test_bin (), "sweep", file, "-j", "2", "--out", out, NULL };
  GPid pid;
  GError *error = NULL;
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  /* Ctrl-C once the first run has a checkpoint: mid-run. */
  g_autofree char *checkpoint = g_build_filename (out, "longer-seed1", "checkpoint.safetensors", NULL);
  for (int i = 0; i < 6000 && !g_file_test (checkpoint, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  kill (pid, SIGINT);
  int ws;
  waitpid (pid, &ws, 0);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (ws));
  g_assert_cmpint (WEXITSTATUS (ws), ==, 130);
  assert_status (out, "longer-seed1", "interrupted");
  assert_status (out, "longer-seed2", "interrupted");
  /* The third was never started. */
  g_autofree char *third = g_build_filename (out, "longer-seed3", NULL);
  g_assert_false (g_file_test (third, G_FILE_TEST_EXISTS));
  g_autofree char *manifest = read_text (out, "manifest.ini", NULL);
  g_assert_nonnull (strstr (manifest, "state=interrupted"));

  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "sweep", file, "-j", "2", "--out", out, NULL), ==, 0);
  g_assert_nonnull (strstr (err, "resumed longer-seed1"));
  g_assert_nonnull (strstr (err, "started longer-seed3"));
  for (guint k = 1; k <= 3; k++)
    {
      g_autofree char *run = g_strdup_printf ("longer-seed%u", k);
      assert_status (out, run, "finished");
    }
  g_autofree char *log = read_text (out, "longer-seed1", "log.txt", NULL);
  g_assert_nonnull (strstr (log, "resumed at epoch"));

  /* The interrupted and resumed run matches one never interrupted. */
  g_autofree char *reference = g_build_filename (dir, "stop-reference", NULL);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", base, "--seed", "1", "--out", reference, "-q", NULL), ==, 0);
  g_autofree char *run1 = g_build_filename (out, "longer-seed1", NULL);
  g_autofree char *a = srl_test_progress_without_wall_clock (reference);
  g_autofree char *b = srl_test_progress_without_wall_clock (run1);
  g_assert_cmpstr (a, ==, b);
}

/* ------------------------------------------------------------------ the sweep's directory */

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Everything under `path`, one line a file (its name below `path`, size and
 * modification time) or folder, in name order; "" when `path` does not
 * exist. */
static char *
snapshot (const char *path)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) todo = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (todo, g_strdup (""));
  while (todo->len)
    {
      g_autofree char *rel = g_ptr_array_steal_index (todo, todo->len - 1);
      g_autofree char *abs = g_build_filename (path, rel, NULL);
      g_autoptr (GDir) d = g_dir_open (abs, 0, NULL);
      const char *name;
      while (d && (name = g_dir_read_name (d)))
        {
          char *child = *rel ? g_build_filename (rel, name, NULL) : g_strdup (name);
          g_autofree char *child_abs = g_build_filename (path, child, NULL);
          if (g_file_test (child_abs, G_FILE_TEST_IS_DIR))
            {
              g_ptr_array_add (lines, g_strconcat (child, "/", NULL));
              g_ptr_array_add (todo, child);
              continue;
            }
          GStatBuf st;
          g_assert_cmpint (g_stat (child_abs, &st), ==, 0);
          g_ptr_array_add (lines, g_strdup_printf ("%s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, child,
                                                   (gint64) st.st_size, mtime_of (child_abs)));
          g_free (child);
        }
    }
  g_ptr_array_sort (lines, compare_strings);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

/* `softrl sweep FILE --out OUT` (with --list when `list`) is refused with
 * exit status 2 and a message naming OUT and saying `message`, and OUT stays
 * as it was, to the file. */
static void
expect_out_refused (const char *file, const char *out, gboolean list, const char *message)
{
  g_autofree char *before = snapshot (out);
  expect_sweep (file, out, list ? "--list" : NULL, 2, message);
  g_autofree char *after = snapshot (out);
  g_assert_cmpstr (after, ==, before);
}

static void
test_another_sweep_refused (void)
{
  g_autofree char *base = srl_test_write (dir, "tiny.ini", tiny);
  g_autofree char *first = srl_test_write (dir, "first.ini", "[sweep]\nexperiment = tiny.ini\nseeds = 1;2\n");
  g_autofree char *out = g_build_filename (dir, "first", NULL);
  expect_sweep (first, out, NULL, 0, "done: 2 finished");

  /* Another sweep file, another name: its manifest would replace the first
   * sweep's, whose runs would drop out of summarize and plot. */
  g_autofree char *second = srl_test_write (
    dir, "second.ini", "[sweep]\nexperiment = tiny.ini\nseeds = 1\nalgorithm.reward_scale = 1;10\n");
  expect_out_refused (second, out, FALSE, "holds sweep first (");
  expect_out_refused (second, out, FALSE, "another --out");
  expect_out_refused (second, out, TRUE, "holds sweep first (");
  /* Another file of the same name (two first.ini in different folders,
   * whose default directories are both sweeps/first). */
  g_autofree char *elsewhere = g_build_filename (dir, "elsewhere", NULL);
  g_assert_cmpint (g_mkdir_with_parents (elsewhere, 0755), ==, 0);
  g_free (srl_test_write (elsewhere, "tiny.ini", tiny));
  g_autofree char *namesake = srl_test_write (elsewhere, "first.ini", "[sweep]\nexperiment = tiny.ini\nseeds = 3\n");
  expect_out_refused (namesake, out, FALSE, namesake);

  /* The same sweep continues, as before. */
  expect_sweep (first, out, NULL, 0, "2 finished before, 0 failed before, 0 to run");

  /* The same file without a seed whose run is there: that run would drop
   * out of the manifest.  Once its directory is gone, the sweep goes on. */
  g_free (srl_test_write (dir, "first.ini", "[sweep]\nexperiment = tiny.ini\nseeds = 2\n"));
  expect_out_refused (first, out, FALSE, "tiny-seed1");
  g_autofree char *seed1 = g_build_filename (out, "tiny-seed1", NULL);
  srl_test_rmtree (seed1);
  expect_sweep (first, out, NULL, 0, "1 finished before, 0 failed before, 0 to run");
  g_autofree char *manifest = read_text (out, "manifest.ini", NULL);
  g_assert_null (strstr (manifest, "[run tiny-seed1]"));
  g_assert_nonnull (strstr (manifest, "[run tiny-seed2]"));
}

static void
test_foreign_manifest_refused (void)
{
  g_autofree char *base = srl_test_write (dir, "tiny.ini", tiny);
  g_autofree char *file = srl_test_write (dir, "notes.ini", "[sweep]\nexperiment = tiny.ini\nseeds = 1\n");
  g_autofree char *out = g_build_filename (dir, "notes", NULL);
  g_assert_cmpint (g_mkdir_with_parents (out, 0755), ==, 0);
  g_free (srl_test_write (out, "manifest.ini", "my notes on the runs\n"));
  expect_out_refused (file, out, FALSE, "not a manifest softrl sweep wrote");
  /* A keyfile, but not one a sweep wrote: no [sweep] file. */
  g_free (srl_test_write (out, "manifest.ini", "[sweep]\nname = notes\n"));
  expect_out_refused (file, out, FALSE, "[sweep] file: missing");
}

static void
test_run_dir_refused (void)
{
  g_autofree char *base = srl_test_write (dir, "tiny.ini", tiny);
  g_autofree char *file = srl_test_write (dir, "over-runs.ini", "[sweep]\nexperiment = tiny.ini\nseeds = 1\n");
  g_autofree char *runs = g_build_filename (dir, "runs", NULL);
  g_autofree char *run = g_build_filename (runs, "tiny-seed1", NULL);
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "run", base, "--out", run, "-q", NULL);
  if (status != 0)
    g_error ("softrl run failed (%d): %s", status, err);
  /* A run's directory: the sweep's runs would go inside it. */
  expect_out_refused (file, run, FALSE, "config.ini");
  expect_out_refused (file, run, TRUE, "config.ini");
  /* A directory of runs: the sweep's manifest would hide them from
   * summarize and plot, and its tiny-seed1 is not this sweep's. */
  expect_out_refused (file, runs, FALSE, "tiny-seed1");
}

/* ------------------------------------------------------------------ summaries */

static void
hand_made_run (const char *root, const char *name, const char *experiment, int seed, const char *status,
               const char *progress)
{
  g_autofree char *run = g_build_filename (root, name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (run, 0755), ==, 0);
  g_autofree char *config = g_strdup_printf ("[experiment]\nname = %s\nseed = %d\n", experiment, seed);
  g_free (srl_test_write (run, "config.ini", config));
  g_free (srl_test_write (run, "status", status));
  g_free (srl_test_write (run, "progress.csv", progress));
}

static double
csv_cell (const char *csv, const char *row_start, const char *column)
{
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_auto (GStrv) header = g_strsplit (lines[0], ",", -1);
  for (guint r = 1; lines[r]; r++)
    if (g_str_has_prefix (lines[r], row_start))
      {
        g_auto (GStrv) cells = g_strsplit (lines[r], ",", -1);
        for (guint c = 0; header[c]; c++)
          if (strcmp (header[c], column) == 0)
            return g_ascii_strtod (cells[c], NULL);
        g_error ("summary.csv has no column %s", column);
      }
  g_error ("summary.csv has no row %s", row_start);
  return 0;
}

static void
test_summarize_numbers (void)
{
  /* A: two finished seeds, final 20 and 40, areas (500 + 1500)/200 = 10 and
   * (1000 + 3500)/200 = 22.5, 15 first reached at 300 and 200 steps.
   * B: one finished seed whose only evaluation is 5, one failed, one
   * running. */
  g_autofree char *root = g_build_filename (dir, "hand", NULL);
  hand_made_run (root, "a1", "A", 1, "finished\n",
                 "epoch,env_steps,eval_return_mean,wall_s\n1,100,0,1\n2,200,10,2\n3,300,20,3\n");
  hand_made_run (root, "a2", "A", 2, "finished\n",
                 "epoch,env_steps,eval_return_mean,wall_s\n1,100,-10,1\n2,200,30,3\n3,300,40,5\n");
  hand_made_run (root, "b1", "B", 1, "finished\n",
                 "epoch,env_steps,eval_return_mean,wall_s\n1,100,nan,1\n2,200,5,2\n3,300,nan,4\n");
  hand_made_run (root, "b2", "B", 2, "failed: boom\n", "epoch,env_steps,eval_return_mean,wall_s\n1,100,99,1\n");
  hand_made_run (root, "b3", "B", 3, "running\n", "epoch,env_steps,eval_return_mean,wall_s\n1,100,99,1\n");
  g_autofree char *out = NULL, *err = NULL;
  int status = srl_test_run (NULL, &out, &err, "summarize", root, "--threshold", "15", NULL);
  if (status != 0)
    g_error ("summarize failed: %s", err);
  g_autofree char *csv = read_text (root, "summary.csv", NULL);
  g_assert_nonnull (csv);
  g_assert_true (g_str_has_prefix (csv, "variant,label,runs,finished,failed,final_mean,final_std,final_min,final_max,"
                                        "auc_mean,auc_std,threshold,reached,steps_to_threshold_mean,wall_s_mean,"
                                        "wall_s_total\n"));
  g_assert_cmpfloat (csv_cell (csv, "A,", "runs"), ==, 2);
  g_assert_cmpfloat (csv_cell (csv, "A,", "finished"), ==, 2);
  g_assert_cmpfloat_with_epsilon (csv_cell (csv, "A,", "final_mean"), 30, 1e-9);
  g_assert_cmpfloat_with_epsilon (csv_cell (csv, "A,", "final_std"), sqrt (200), 1e-6);
  g_assert_cmpfloat_with_epsilon (csv_cell (csv, "A,", "final_min"), 20, 1e-9);
  g_assert_cmpfloat_with_epsilon (csv_cell (csv, "A,", "final_max"), 40, 1e-9);
  g_assert_cmpfloat_with_epsilon (csv_cell (csv, "A,", "auc_mean"), 16.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (csv_cell (csv, "A,", "auc_std"), sqrt (2 * 6.25 * 6.25), 1e-6);
  g_assert_cmpfloat (csv_cell (csv, "A,", "threshold"), ==, 15);
  g_assert_cmpfloat (csv_cell (csv, "A,", "reached"), ==, 2);
  g_assert_cmpfloat_with_epsilon (csv_cell (csv, "A,", "steps_to_threshold_mean"), 250, 1e-9);
  g_assert_cmpfloat_with_epsilon (csv_cell (csv, "A,", "wall_s_mean"), 4, 1e-9);
  g_assert_cmpfloat_with_epsilon (csv_cell (csv, "A,", "wall_s_total"), 8, 1e-9);
  g_assert_cmpfloat (csv_cell (csv, "B,", "runs"), ==, 3);
  g_assert_cmpfloat (csv_cell (csv, "B,", "finished"), ==, 1);
  g_assert_cmpfloat (csv_cell (csv, "B,", "failed"), ==, 1);
  g_assert_cmpfloat_with_epsilon (csv_cell (csv, "B,", "final_mean"), 5, 1e-9);
  g_assert_true (isnan (csv_cell (csv, "B,", "final_std")));
  g_assert_cmpfloat_with_epsilon (csv_cell (csv, "B,", "auc_mean"), 5, 1e-9);
  g_assert_cmpfloat (csv_cell (csv, "B,", "reached"), ==, 0);
  g_assert_true (isnan (csv_cell (csv, "B,", "steps_to_threshold_mean")));
  g_assert_cmpfloat_with_epsilon (csv_cell (csv, "B,", "wall_s_mean"), 4, 1e-9);

  g_autofree char *md = read_text (root, "summary.md", NULL);
  g_assert_nonnull (md);
  g_assert_nonnull (strstr (md, "| A | 2/2 | 30.0 ± 14.1 | 20.0 | 40.0 |"));
  g_assert_nonnull (strstr (md, "| 250 (2/2) |"));
  g_assert_nonnull (strstr (md, "| B | 1/3 (1 failed) | 5.0 ± – | 5.0 | 5.0 |"));
  g_assert_nonnull (strstr (md, "| not reached (0/1) |"));
  g_assert_nonnull (strstr (out, "| A | 2/2 |")); /* and the table on stdout */

  /* The final return as the mean over the last 150 steps: rows 200 and 300. */
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "summarize", root, "--final-steps", "150", NULL), ==, 0);
  g_free (csv);
  csv = read_text (root, "summary.csv", NULL);
  g_assert_cmpfloat_with_epsilon (csv_cell (csv, "A,", "final_mean"), (15 + 35) / 2.0, 1e-9);

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "summarize", root, "--y", "nope", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "no column \"nope\""));
  const char *thresholds[] = { "nan", "inf", "many" };
  for (guint i = 0; i < G_N_ELEMENTS (thresholds); i++)
    {
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (srl_test_run (NULL, NULL, &err, "summarize", root, "--threshold", thresholds[i], NULL), ==, 2);
      g_autofree char *says = g_strdup_printf ("--threshold %s: expected a finite number", thresholds[i]);
      g_assert_nonnull (strstr (err, says));
    }
}

/* Runs outside a sweep: a setting changed makes another variant (labelled
 * with it), not another seed; a finished run without evaluations is no
 * seed's result. */
static void
test_summarize_plain_runs (void)
{
  g_autofree char *root = g_build_filename (dir, "plain", NULL);
  const char *progress = "epoch,env_steps,eval_return_mean,wall_s\n1,100,10,1\n";
  hand_made_run (root, "c1", "C", 1, "finished\n", progress);
  hand_made_run (root, "c2", "C", 2, "finished\n", progress);
  hand_made_run (root, "c3", "C", 1, "finished\n", "epoch,env_steps,eval_return_mean,wall_s\n1,100,50,1\n");
  g_autofree char *c3 = g_build_filename (root, "c3", NULL);
  g_free (srl_test_write (c3, "config.ini", "[experiment]\nname = C\nseed = 1\n[env]\nmax_torque = 5\n"));
  hand_made_run (root, "d1", "D", 1, "finished\n", "epoch,env_steps,eval_return_mean,wall_s\n");
  hand_made_run (root, "d2", "D", 2, "finished\n", progress);
  g_autofree char *out = NULL, *err = NULL;
  int status = srl_test_run (NULL, &out, &err, "summarize", root, NULL);
  if (status != 0)
    g_error ("summarize failed: %s", err);
  g_assert_nonnull (strstr (out, "| C | 2/2 | 10.0 ± 0 |"));
  g_assert_nonnull (strstr (out, "| C (env.max_torque=5) | 1/1 | 50.0 ± – |"));
  g_assert_nonnull (strstr (out, "| D | 1/2 (1 without evaluations) | 10.0 ± – |"));
  /* plot draws the variants with numbers and says which it leaves out. */
  hand_made_run (root, "e1", "E", 1, "finished\n", "epoch,env_steps,eval_return_mean,wall_s\n1,100,nan,1\n");
  g_autofree char *png = g_build_filename (root, "curves.png", NULL);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "plot", root, "-o", png, NULL), ==, 0);
  g_assert_nonnull (strstr (err, "E: no row where all 1 runs have a number in env_steps and eval_return_mean; left out"));
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
}

/* ------------------------------------------------------------------ figures */

static void
test_plot (void)
{
  g_assert_nonnull (local_out);
  g_autofree char *png = g_build_filename (dir, "curves.png", NULL);
  g_autofree char *out = NULL, *err = NULL;
  int status = srl_test_run (NULL, &out, &err, "plot", local_out, "-o", png, NULL);
  if (status != 0)
    g_error ("plot failed: %s", err);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (png, &bytes, &len, NULL));
  g_assert_cmpuint (len, >, 10000);
  g_assert_cmpmem (bytes, 8, "\x89PNG\r\n\x1a\n", 8);
  /* IHDR: 1000 × 650 pixels. */
  g_assert_cmpmem (bytes + 12, 4, "IHDR", 4);
  g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (bytes + 16)), ==, 1000);
  g_assert_cmpuint (GUINT32_FROM_BE (*(guint32 *) (bytes + 20)), ==, 650);
  g_assert_nonnull (strstr (out, "(2 curves)"));

  /* SVG from run directories given one by one (one variant, two seeds). */
  g_autofree char *svg = g_build_filename (dir, "curves.svg", NULL);
  g_autofree char *r1 = g_build_filename (local_out, "reward_scale=1-seed1", NULL);
  g_autofree char *r2 = g_build_filename (local_out, "reward_scale=1-seed2", NULL);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (srl_test_run (NULL, &out, NULL, "plot", r1, r2, "-o", svg, "--y", "alpha", "--band", "std", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, "(1 curves)"));
  g_autofree char *text = read_text (svg, NULL);
  g_assert_nonnull (strstr (text, "<svg"));

  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "plot", local_out, "-o", svg, "--y", "nope", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "no column \"nope\""));
  g_clear_pointer (&err, g_free);
  g_autofree char *gif = g_build_filename (dir, "curves.gif", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "plot", local_out, "-o", gif, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "unknown figure format"));
}

/* ------------------------------------------------------------------ shipped sweeps */

static void
test_shipped_sweeps (void)
{
  static const struct {
    const char *file;
    const char *runs;
  } sweeps[] = {
    { "ablation-reward-scale.ini", "5 variants × 5 seeds = 25 runs" },
    { "ablation-tau.ini", "5 variants × 5 seeds = 25 runs" },
    { "ablation-temperature.ini", "2 variants × 5 seeds = 10 runs" },
    { "ablation-target-entropy.ini", "6 variants × 5 seeds = 30 runs" },
    { "ablation-eval-mode.ini", "2 variants × 5 seeds = 10 runs" },
    { "ablation-sql-alpha.ini", "3 variants × 5 seeds = 15 runs" },
    { "ablation-sampler.ini", "2 variants × 5 seeds = 10 runs" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (sweeps); i++)
    {
      g_autofree char *file = srl_test_experiment (sweeps[i].file);
      g_autofree char *out = g_build_filename (dir, "listed", NULL);
      g_autofree char *stdout_text = NULL, *err = NULL;
      int status = srl_test_run (NULL, &stdout_text, &err, "sweep", file, "--list", "--out", out, NULL);
      if (status != 0 || !strstr (stdout_text, sweeps[i].runs))
        g_error ("%s: --list exited with %d:\n%s%s", sweeps[i].file, status, stdout_text, err);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
}

/* ------------------------------------------------------------------ MPI */

#if defined(HAVE_MPI) && defined(SRL_MPIRUN)
/* mpirun -np 3 softrl ARGS…, as root too, 3 ranks on however many cores. */
static GPid
spawn_mpirun (const char *const *args, gboolean wait, int *wait_status, char **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *head[] = { SRL_MPIRUN, "-np", "3", "--oversubscribe", srl_test_bin () };
  for (guint i = 0; i < G_N_ELEMENTS (head); i++)
    g_ptr_array_add (argv, (gpointer) head[i]);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_auto (GStrv) envp = g_get_environ ();
  envp = g_environ_setenv (envp, "OMPI_ALLOW_RUN_AS_ROOT", "1", TRUE);
  envp = g_environ_setenv (envp, "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", TRUE);
  GError *error = NULL;
  GPid pid = 0;
  if (wait)
    {
      g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                                   err, wait_status, &error));
      g_assert_no_error (error);
      return 0;
    }
  g_assert_true (g_spawn_async (NULL, (char **) argv->pdata, envp,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  return pid;
}

static gboolean
mpirun_works (void)
{
  const char *argv[] = { SRL_MPIRUN, "-np", "1", "true", NULL };
  g_auto (GStrv) envp = g_get_environ ();
  envp = g_environ_setenv (envp, "OMPI_ALLOW_RUN_AS_ROOT", "1", TRUE);
  envp = g_environ_setenv (envp, "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", TRUE);
  int status = -1;
  return g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                       NULL, NULL, &status, NULL)
         && WIFEXITED (status) && WEXITSTATUS (status) == 0;
}
#endif

static void
test_mpi (void)
{
#if defined(HAVE_MPI) && defined(SRL_MPIRUN)
  if (!mpirun_works ())
    {
      g_test_skip ("built with MPI, but `" SRL_MPIRUN " -np 1 true` fails here");
      return;
    }
  g_autofree char *base = srl_test_write (dir, "tiny.ini", tiny);
  g_autofree char *file = srl_test_write (dir, "mpi.ini", "[sweep]\nexperiment = tiny.ini\nseeds = 1;2;3\n");
  g_autofree char *out = g_build_filename (dir, "mpi", NULL);
  const char *args[] = { "sweep", file, "--out", out, NULL };
  int ws = -1;
  g_autofree char *err = NULL;
  spawn_mpirun (args, TRUE, &ws, &err);
  if (!WIFEXITED (ws) || WEXITSTATUS (ws) != 0)
    g_error ("mpirun sweep failed (%d): %s", ws, err);
  for (guint k = 1; k <= 3; k++)
    {
      g_autofree char *run = g_strdup_printf ("tiny-seed%u", k);
      assert_status (out, run, "finished");
    }
  /* Rank 0 hands out; ranks 1 and 2 train. */
  g_autofree char *manifest = read_text (out, "manifest.ini", NULL);
  g_assert_nonnull (strstr (manifest, "(rank 1, pid "));
  g_assert_nonnull (strstr (manifest, "(rank 2, pid "));
  g_assert_null (strstr (manifest, "(rank 0"));
  g_assert_nonnull (strstr (err, "on 2 training ranks"));
  /* Again: nothing to do. */
  g_clear_pointer (&err, g_free);
  spawn_mpirun (args, TRUE, &ws, &err);
  g_assert_true (WIFEXITED (ws) && WEXITSTATUS (ws) == 0);
  g_assert_nonnull (strstr (err, "3 finished before, 0 failed before, 0 to run"));
  /* Another sweep is refused there as without MPI, and all ranks say 2. */
  g_autofree char *other = srl_test_write (dir, "mpi-other.ini", "[sweep]\nexperiment = tiny.ini\nseeds = 4\n");
  g_autofree char *before = read_text (out, "manifest.ini", NULL);
  const char *other_args[] = { "sweep", other, "--out", out, NULL };
  g_clear_pointer (&err, g_free);
  spawn_mpirun (other_args, TRUE, &ws, &err);
  if (!WIFEXITED (ws) || WEXITSTATUS (ws) != 2 || !strstr (err, "holds sweep mpi ("))
    g_error ("mpirun sweep of another sweep into %s: status %d, said\n%s", out, ws, err);
  g_autofree char *after = read_text (out, "manifest.ini", NULL);
  g_assert_cmpstr (after, ==, before);
#else
  g_test_skip ("softrl was built without MPI (configure found no Open MPI): no MPI sweep to test");
#endif
}

static void
test_mpi_silent_rank (void)
{
#if defined(HAVE_MPI) && defined(SRL_MPIRUN)
  if (!mpirun_works ())
    {
      g_test_skip ("built with MPI, but `" SRL_MPIRUN " -np 1 true` fails here");
      return;
    }
  /* Rank 1 is stopped (SIGSTOP: a hung node) while it trains: rank 0
   * gives it up after the timeout and ends the job instead of waiting
   * forever; the next start completes the sweep. */
  g_autofree char *base = srl_test_write (dir, "longer.ini", longer);
  g_autofree char *file = srl_test_write (dir, "silent.ini", "[sweep]\nexperiment = longer.ini\nseeds = 1;2;3\n");
  g_autofree char *out = g_build_filename (dir, "silent", NULL);
  const char *args[] = { "sweep", file, "--out", out, "--heartbeat", "0.2", "--rank-timeout", "2", NULL };
  GPid mpirun = spawn_mpirun (args, FALSE, NULL, NULL);
  int worker = 0;
  for (int i = 0; i < 3000 && !worker; i++)
    {
      g_autofree char *manifest = read_text (out, "manifest.ini", NULL);
      const char *at = manifest ? strstr (manifest, "(rank 1, pid ") : NULL;
      if (at)
        worker = atoi (at + strlen ("(rank 1, pid "));
      else
        g_usleep (10000);
    }
  g_assert_cmpint (worker, >, 0);
  kill (worker, SIGSTOP);
  int ws = 0;
  double t0 = g_get_monotonic_time () / 1e6;
  while (waitpid (mpirun, &ws, WNOHANG) == 0)
    {
      if (g_get_monotonic_time () / 1e6 - t0 > 90)
        {
          /* What the job's processes were doing, for the next person. */
          g_autofree char *ps = NULL;
          g_spawn_command_line_sync ("ps -e -o pid,ppid,stat,wchan:20,etime,args", &ps, NULL, NULL, NULL);
          g_autofree char *said = read_text (out, "sweep.log", NULL);
          kill (mpirun, SIGKILL);
          kill (worker, SIGKILL);
          waitpid (mpirun, &ws, 0);
          g_error ("the MPI sweep hung after a rank stopped answering (rank 1 was pid %d); sweep.log:\n%s\nprocesses:\n%s",
                   worker, said ? said : "(none)", ps ? ps : "(ps failed)");
        }
      g_usleep (50000);
    }
  g_spawn_close_pid (mpirun);
  kill (worker, SIGKILL); /* in case it outlived the job */
  g_assert_false (WIFEXITED (ws) && WEXITSTATUS (ws) == 0);
  g_autofree char *manifest = read_text (out, "manifest.ini", NULL);
  g_assert_nonnull (strstr (manifest, "state=lost"));
  g_autofree char *log = read_text (out, "sweep.log", NULL);
  g_assert_nonnull (strstr (log, "given up"));
  g_assert_nonnull (strstr (log, "MPI_Abort"));

  const char *again[] = { "sweep", file, "--out", out, NULL };
  g_autofree char *err = NULL;
  spawn_mpirun (again, TRUE, &ws, &err);
  if (!WIFEXITED (ws) || WEXITSTATUS (ws) != 0)
    g_error ("the sweep did not complete after a lost rank (%d): %s", ws, err);
  for (guint k = 1; k <= 3; k++)
    {
      g_autofree char *run = g_strdup_printf ("longer-seed%u", k);
      assert_status (out, run, "finished");
    }
#else
  g_test_skip ("softrl was built without MPI (configure found no Open MPI): no MPI sweep to test");
#endif
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = srl_test_tmpdir ();
  g_test_add_func ("/sweep/validation", test_validation);
  g_test_add_func ("/sweep/local", test_local);
  g_test_add_func ("/sweep/failure-recorded", test_failure_recorded);
  g_test_add_func ("/sweep/interrupt-and-resume", test_interrupt_and_resume);
  g_test_add_func ("/sweep/another-sweep-refused", test_another_sweep_refused);
  g_test_add_func ("/sweep/foreign-manifest-refused", test_foreign_manifest_refused);
  g_test_add_func ("/sweep/run-dir-refused", test_run_dir_refused);
  g_test_add_func ("/sweep/summarize-numbers", test_summarize_numbers);
  g_test_add_func ("/sweep/summarize-plain-runs", test_summarize_plain_runs);
  g_test_add_func ("/sweep/plot", test_plot);
  g_test_add_func ("/sweep/shipped-sweeps", test_shipped_sweeps);
  g_test_add_func ("/sweep/mpi", test_mpi);
  g_test_add_func ("/sweep/mpi-silent-rank", test_mpi_silent_rank);
  int status = g_test_run ();
  srl_test_rmtree (dir);
  g_free (dir);
  return status;
}

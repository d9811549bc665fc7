/* Checkpoints: an interrupted and resumed run writes the same progress as an
 * uninterrupted one (wall-clock columns aside); a damaged checkpoint is
 * refused; the saved policy evaluates, and its --out never overwrites the
 * run's own files nor leaves a partial file behind; two threads give the
 * same run as one. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static const char *experiment =
  "[experiment]\nepochs = 30\nsteps_per_epoch = 300\neval_episodes = 2\ninitial_random_steps = 100\n"
  "min_replay_size = 100\ncheckpoint_interval = 1\nseed = 3\n"
  "[env]\nplugin = pendulum\n"
  "[algorithm]\nplugin = sac-auto\nbatch_size = 64\nhidden_sizes = 64;64\n"
  "[sampler]\nplugin = gaussian\nhidden_sizes = 64;64\n";

static char *dir, *file, *reference;

static char *
read_status (const char *run)
{
  g_autofree char *path = g_build_filename (run, "status", NULL);
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return g_strstrip (text);
}

static void
setup_reference (void)
{
  dir = srl_test_tmpdir ();
  file = srl_test_write (dir, "resume.ini", experiment);
  reference = g_build_filename (dir, "reference", NULL);
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "run", file, "--out", reference, "-q", NULL);
  if (status != 0)
    g_error ("reference run failed: %s", err);
  g_autofree char *s = read_status (reference);
  g_assert_cmpstr (s, ==, "finished");
}

static void
assert_same_progress (const char *run)
{
  g_autofree char *a = srl_test_progress_without_wall_clock (reference);
  g_autofree char *b = srl_test_progress_without_wall_clock (run);
  g_assert_cmpstr (a, ==, b);
  /* Every epoch, each row complete. */
  guint n;
  g_autofree char *csv = g_build_filename (run, "progress.csv", NULL);
  g_autofree double *epochs = srl_test_csv_column (csv, "epoch", &n);
  g_assert_cmpuint (n, ==, 30);
}

static void
test_interrupt_and_resume (void)
{
  g_autofree char *run = g_build_filename (dir, "interrupted", NULL);
  g_autofree char *out = NULL;
  /* Mid-epoch, twice, then to the end. */
  g_assert_cmpint (srl_test_run (NULL, &out, NULL, "run", file, "--out", run, "-q", "--interrupt-after-steps", "430", NULL),
                   ==, 130);
  g_assert_nonnull (strstr (out, "--resume"));
  g_autofree char *s1 = read_status (run);
  g_assert_cmpstr (s1, ==, "interrupted");
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", "--resume", run, "-q", "--interrupt-after-steps", "4321", NULL),
                   ==, 130);
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "run", "--resume", run, "-q", NULL);
  if (status != 0)
    g_error ("resume failed: %s", err);
  g_autofree char *s2 = read_status (run);
  g_assert_cmpstr (s2, ==, "finished");
  assert_same_progress (run);
}

/* Start `softrl run` on the experiment in the background; once `wait_for`
 * exists in the run directory, wait `delay_us` more and send `signal`.
 * Returns the wait status. */
static int
run_and_signal (const char *run, const char *wait_for, gulong delay_us, int signal)
{
  const char *argv[] = { srl_test_bin (), "run", file, "--out", run, "-q", NULL };
  GPid pid;
  GError *error = NULL;
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (run, wait_for, NULL);
  for (int i = 0; i < 6000 && !g_file_test (path, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  g_usleep (delay_us);
  kill (pid, signal);
  int wstatus;
  waitpid (pid, &wstatus, 0);
  g_spawn_close_pid (pid);
  return wstatus;
}

static void
test_kill_and_resume (void)
{
  /* SIGKILL at an arbitrary moment: the run goes back to its last
   * checkpoint, drops progress rows written after it, and still ends with
   * the reference's numbers. */
  g_autofree char *run = g_build_filename (dir, "killed", NULL);
  /* The run lasts seconds: 0.2 s after its first checkpoint is mid-run. */
  run_and_signal (run, "checkpoint.safetensors", 200000, SIGKILL);
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "run", "--resume", run, "-q", NULL);
  if (status != 0)
    g_error ("resume after SIGKILL failed: %s", err);
  assert_same_progress (run);
}

static void
test_sigint (void)
{
  g_autofree char *run = g_build_filename (dir, "sigint", NULL);
  int wstatus = run_and_signal (run, "progress.csv", 0, SIGINT);
  g_assert_true (WIFEXITED (wstatus));
  /* The run lasts seconds, so Ctrl-C lands mid-run: checkpoint and 130. */
  g_assert_cmpint (WEXITSTATUS (wstatus), ==, 130);
  g_autofree char *s = read_status (run);
  g_assert_cmpstr (s, ==, "interrupted");
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", "--resume", run, "-q", NULL), ==, 0);
  assert_same_progress (run);
}

static void
test_damaged_checkpoint_refused (void)
{
  g_autofree char *run = g_build_filename (dir, "damaged", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", file, "--out", run, "-q", "--interrupt-after-steps", "600", NULL),
                   ==, 130);
  g_autofree char *ckpt = g_build_filename (run, "checkpoint.safetensors", NULL);
  g_autofree char *csv = g_build_filename (run, "progress.csv", NULL);
  g_autofree char *bytes = NULL, *progress_before = NULL, *progress_after = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (ckpt, &bytes, &len, NULL));
  g_assert_true (g_file_get_contents (csv, &progress_before, NULL, NULL));
  bytes[len / 2] ^= 0x01;
  g_assert_true (g_file_set_contents (ckpt, bytes, len, NULL));
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", "--resume", run, "-q", NULL), ==, 1);
  g_assert_nonnull (strstr (err, ckpt));
  g_assert_nonnull (strstr (err, "checksum mismatch"));
  /* Nothing was lost or rewritten. */
  g_assert_true (g_file_get_contents (csv, &progress_after, NULL, NULL));
  g_assert_cmpstr (progress_before, ==, progress_after);
  /* Truncated: refused too. */
  g_assert_true (g_file_set_contents (ckpt, bytes, len / 3, NULL));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", "--resume", run, "-q", NULL), ==, 1);
  g_assert_nonnull (strstr (err, ckpt));
}

/* A progress.csv that lost a row or holds a mangled one is refused (the
 * row would otherwise vanish from the curve); put back, the run resumes. */
static void
test_damaged_progress_refused (void)
{
  g_autofree char *run = g_build_filename (dir, "damaged-progress", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", file, "--out", run, "-q", "--interrupt-after-steps", "700", NULL),
                   ==, 130);
  g_autofree char *csv = g_build_filename (run, "progress.csv", NULL);
  g_autofree char *intact = NULL;
  g_assert_true (g_file_get_contents (csv, &intact, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (intact, "\n", -1);
  guint rows = g_strv_length (lines) - 2; /* the header, and the empty piece after the last newline */
  g_assert_cmpuint (rows, >=, 2);
  /* The last row lost. */
  g_autofree char *short_by_one = g_strdup (intact);
  *strrchr (short_by_one, '\n') = '\0';
  *(strrchr (short_by_one, '\n') + 1) = '\0';
  g_assert_true (g_file_set_contents (csv, short_by_one, -1, NULL));
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", "--resume", run, "-q", NULL), ==, 1);
  g_autofree char *says = g_strdup_printf ("holds %u of the checkpoint's %u rows", rows - 1, rows);
  g_assert_nonnull (strstr (err, csv));
  g_assert_nonnull (strstr (err, says));
  /* A row mangled. */
  g_free (lines[1]);
  lines[1] = g_strdup ("junk");
  g_autofree char *mangled = g_strjoinv ("\n", lines);
  g_assert_true (g_file_set_contents (csv, mangled, -1, NULL));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", "--resume", run, "-q", NULL), ==, 1);
  g_auto (GStrv) header = g_strsplit (lines[0], ",", -1);
  g_autofree char *fields = g_strdup_printf ("line 2: 1 fields, the header has %u", g_strv_length (header));
  g_assert_nonnull (strstr (err, fields));
  g_autofree char *after = NULL;
  g_assert_true (g_file_get_contents (csv, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, mangled); /* refused, not rewritten */
  g_assert_true (g_file_set_contents (csv, intact, -1, NULL));
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", "--resume", run, "-q", NULL), ==, 0);
  assert_same_progress (run);
  /* A finished run keeps its seed and cannot be cut shorter than it went;
   * its config.ini stays as it was. */
  g_autofree char *config = g_build_filename (run, "config.ini", NULL);
  g_autofree char *config_before = NULL, *config_after = NULL;
  g_assert_true (g_file_get_contents (config, &config_before, NULL, NULL));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", "--resume", run, "--set", "experiment.seed=9", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "a resumed run keeps its seed"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", "--resume", run, "--set", "experiment.epochs=2", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "[experiment] epochs: the run has done 30 epochs already"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", "--resume", run, "--set", "algorithm.hidden_sizes=32;32",
                                 "--set", "experiment.epochs=31", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "the network needs shape"));
  g_assert_nonnull (strstr (err, "(after --set algorithm.hidden_sizes=32;32: a resumed run keeps the settings"));
  g_assert_true (g_file_get_contents (config, &config_after, NULL, NULL));
  g_assert_cmpstr (config_before, ==, config_after);
}

/* Run `experiment_file` into `run` on `threads` threads (SOFTRL_THREADS). */
static void
run_on_threads (const char *experiment_file, const char *run, const char *threads)
{
  g_setenv ("SOFTRL_THREADS", threads, TRUE);
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "run", experiment_file, "--out", run, "-q", NULL);
  g_unsetenv ("SOFTRL_THREADS");
  if (status != 0)
    g_error ("run on %s threads failed: %s", threads, err);
}

/* The two runs' policies are the same bit for bit (each run has its own
 * id, in the metadata). */
static void
assert_same_policy (const char *run_a, const char *run_b)
{
  g_autofree char *p1 = g_build_filename (run_a, "policy.safetensors", NULL);
  g_autofree char *p2 = g_build_filename (run_b, "policy.safetensors", NULL);
  g_autoptr (GBytes) a = srl_test_state_without_identity (p1);
  g_autoptr (GBytes) b = srl_test_state_without_identity (p2);
  g_assert_true (g_bytes_equal (a, b));
}

static void
test_thread_count (void)
{
  /* Two threads (the Q-functions as parallel tasks) give the same run as one,
   * progress and policy bit for bit. */
  g_autofree char *run = g_build_filename (dir, "two-threads", NULL);
  run_on_threads (file, run, "2");
  assert_same_progress (run);
  assert_same_policy (reference, run);
}

static void
test_thread_count_wide_layers (void)
{
  /* The same with layers wide enough for libxsmm's kernels (nn-xsmm.c),
   * which then compute their products on both threads at once; on any
   * processor, not only on those where softrl would choose them. */
  g_setenv ("SOFTRL_XSMM", "on", FALSE);
  g_autofree char *wide = srl_test_write (dir, "wide.ini",
                                          "[experiment]\nepochs = 3\nsteps_per_epoch = 200\neval_episodes = 1\n"
                                          "initial_random_steps = 100\nmin_replay_size = 100\nseed = 4\n"
                                          "[env]\nplugin = pendulum\n"
                                          "[algorithm]\nplugin = sac-auto\nbatch_size = 64\nhidden_sizes = 128;128\n"
                                          "[sampler]\nplugin = gaussian\nhidden_sizes = 128;128\n");
  g_autofree char *one = g_build_filename (dir, "wide-one-thread", NULL);
  g_autofree char *two = g_build_filename (dir, "wide-two-threads", NULL);
  run_on_threads (wide, one, "1");
  run_on_threads (wide, two, "2");
  g_autofree char *a = srl_test_progress_without_wall_clock (one);
  g_autofree char *b = srl_test_progress_without_wall_clock (two);
  g_assert_cmpstr (a, ==, b);
  assert_same_policy (one, two);
}

static void
test_eval (void)
{
  g_autofree char *csv = g_build_filename (dir, "episodes.csv", NULL);
  g_autofree char *out1 = NULL, *out2 = NULL;
  g_assert_cmpint (srl_test_run (NULL, &out1, NULL, "eval", reference, "--episodes", "3", "--out", csv, NULL), ==, 0);
  g_assert_cmpint (srl_test_run (NULL, &out2, NULL, "eval", reference, "--episodes", "3", NULL), ==, 0);
  g_assert_cmpstr (out1, ==, out2); /* same seed, same episodes */
  g_assert_nonnull (strstr (out1, "deterministic episodes: return mean"));
  guint n;
  g_autofree double *returns = srl_test_csv_column (csv, "return", &n);
  g_assert_cmpuint (n, ==, 3);
  g_autofree double *lengths = srl_test_csv_column (csv, "length", &n);
  g_assert_cmpfloat (lengths[0], ==, 200);
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "eval", dir, NULL), !=, 0);
  g_assert_nonnull (strstr (err, "not a run directory"));
}

/* `softrl eval reference --out OUT` in `cwd` (NULL: here), one episode;
 * returns the exit status and stderr. */
static int
eval_to (const char *cwd, const char *out, char **err)
{
  return srl_test_run (cwd, NULL, err, "eval", reference, "--episodes", "1", "--out", out, NULL);
}

/* eval refuses `out` as one of the run's own files. */
static void
assert_run_file_refused (const char *out)
{
  g_autofree char *err = NULL;
  g_assert_cmpint (eval_to (NULL, out, &err), ==, 2);
  g_assert_nonnull (strstr (err, out));
  g_assert_nonnull (strstr (err, "the run's own"));
}

static void
test_eval_refuses_run_files (void)
{
  /* The run's own files, however the path is spelled (plain, through
   * "..", "." and a symlinked directory, or a symlink to the file), are
   * refused before any episode: status 2, and the run is as it was. */
  g_autofree char *before = srl_test_listing (reference);
  g_autofree char *policy = g_build_filename (reference, "policy.safetensors", NULL);
  g_autofree char *saved = NULL;
  gsize saved_len;
  g_assert_true (g_file_get_contents (policy, &saved, &saved_len, NULL));
  g_autofree char *alias = g_build_filename (dir, "alias", NULL);
  g_assert_cmpint (symlink (reference, alias), ==, 0);
  g_autofree char *base = g_path_get_basename (reference);
  /* A composed run's compose.ini and a sweep run's output.txt too, though
   * this run has neither. */
  const char *names[] = { "config.ini", "checkpoint.safetensors", "policy.safetensors", "progress.csv", "log.txt",
                          "status", "compose.ini", "output.txt" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *plain = g_build_filename (reference, names[i], NULL);
      g_autofree char *dotted = g_build_filename (reference, "..", base, ".", names[i], NULL);
      g_autofree char *linked = g_build_filename (alias, names[i], NULL);
      assert_run_file_refused (plain);
      assert_run_file_refused (dotted);
      assert_run_file_refused (linked);
    }
  g_autofree char *link = g_build_filename (dir, "progress-link.csv", NULL);
  g_autofree char *progress = g_build_filename (reference, "progress.csv", NULL);
  g_assert_cmpint (symlink (progress, link), ==, 0);
  assert_run_file_refused (link);
  g_autofree char *after = srl_test_listing (reference);
  g_assert_cmpstr (before, ==, after);
  g_autofree char *now = NULL;
  gsize now_len;
  g_assert_true (g_file_get_contents (policy, &now, &now_len, NULL));
  g_assert_cmpmem (saved, saved_len, now, now_len);
  g_unlink (link);
  g_unlink (alias);
  /* A new file in the run directory is no loss: allowed. */
  g_autofree char *new_file = g_build_filename (reference, "eval-new.csv", NULL);
  g_assert_cmpint (eval_to (NULL, new_file, NULL), ==, 0);
  g_assert_true (g_file_test (new_file, G_FILE_TEST_IS_REGULAR));
  g_unlink (new_file);
}

static void
test_eval_refuses_unwritable_output (void)
{
  /* Paths that cannot be written are refused before any episode, and
   * leave nothing behind (no OUT.partial, no "./.partial"). */
  g_autofree char *scratch = g_build_filename (dir, "scratch", NULL);
  g_autofree char *subdir = g_build_filename (scratch, "a-directory", NULL);
  g_autofree char *missing = g_build_filename (scratch, "missing", "episodes.csv", NULL);
  g_assert_cmpint (g_mkdir_with_parents (subdir, 0755), ==, 0);
  g_autofree char *err = NULL;
  g_assert_cmpint (eval_to (scratch, "", &err), ==, 2);
  g_assert_nonnull (strstr (err, "--out is empty"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (eval_to (scratch, subdir, &err), ==, 2);
  g_assert_nonnull (strstr (err, "is a directory"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (eval_to (scratch, "a-directory/", &err), ==, 2);
  g_assert_nonnull (strstr (err, "is a directory"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (eval_to (scratch, missing, &err), ==, 2);
  g_assert_nonnull (strstr (err, missing));
  g_assert_nonnull (strstr (err, "does not exist"));
  /* sysfs takes no new file, not even root's (who may write anywhere else). */
  if (g_file_test ("/sys/kernel", G_FILE_TEST_IS_DIR))
    {
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (eval_to (scratch, "/sys/kernel/episodes.csv", &err), ==, 2);
      g_assert_nonnull (strstr (err, "cannot write in /sys/kernel"));
    }
  g_autofree char *left = srl_test_listing (scratch);
  g_assert_cmpstr (left, ==, "a-directory");
  g_autofree char *inside = srl_test_listing (subdir);
  g_assert_cmpstr (inside, ==, "");
  srl_test_rmtree (scratch);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  setup_reference ();
  g_test_add_func ("/resume/interrupt", test_interrupt_and_resume);
  g_test_add_func ("/resume/sigkill", test_kill_and_resume);
  g_test_add_func ("/resume/sigint", test_sigint);
  g_test_add_func ("/resume/damaged-checkpoint", test_damaged_checkpoint_refused);
  g_test_add_func ("/resume/damaged-progress", test_damaged_progress_refused);
  g_test_add_func ("/resume/eval", test_eval);
  g_test_add_func ("/resume/eval-refuses-run-files", test_eval_refuses_run_files);
  g_test_add_func ("/resume/eval-refuses-unwritable-output", test_eval_refuses_unwritable_output);
  g_test_add_func ("/resume/thread-count", test_thread_count);
  g_test_add_func ("/resume/thread-count-wide-layers", test_thread_count_wide_layers);
  int status = g_test_run ();
  srl_test_rmtree (dir);
  return status;
}

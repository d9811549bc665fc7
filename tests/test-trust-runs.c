/* What softrl promises a user who kills, doubles up and overreaches: a run
 * killed anywhere (before its first checkpoint too) resumes to the numbers
 * of an uninterrupted one with no temporary file left behind; a run
 * directory (and a sweep's) has one owner; memory a run cannot have is
 * refused before anything is created; plugin files that are not regular
 * files, or that are named like another, never hang or hide anything; and
 * refusals exit 2 naming what to change. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* Seconds of training, checkpointed every epoch. */
static const char *experiment =
  "[experiment]\nepochs = 12\nsteps_per_epoch = 200\neval_episodes = 1\ninitial_random_steps = 100\n"
  "min_replay_size = 100\ncheckpoint_interval = 1\nmax_path_length = 100\nseed = 5\n"
  "[env]\nplugin = pendulum\n"
  "[algorithm]\nplugin = sac-auto\nbatch_size = 32\nhidden_sizes = 32;32\n"
  "[sampler]\nplugin = gaussian\nhidden_sizes = 32;32\n";

static char *dir, *file, *reference;

static void
setup_reference (void)
{
  dir = srl_test_tmpdir ();
  file = srl_test_write (dir, "trust.ini", experiment);
  reference = g_build_filename (dir, "reference", NULL);
  g_autofree char *err = NULL;
  if (srl_test_run (NULL, NULL, &err, "run", file, "--out", reference, "-q", NULL) != 0)
    g_error ("reference run failed: %s", err);
}

/* `softrl ARGS…` started in the background (stdout and stderr to
 * /dev/null unless `err_file`); its PID. */
static GPid
start (const char *err_file, const char *const *args)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) srl_test_bin ());
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  int fd = open (err_file ? err_file : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  GPid pid;
  GError *error = NULL;
  g_assert_true (g_spawn_async_with_fds (NULL, (char **) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                         &pid, -1, fd, fd, &error));
  g_assert_no_error (error);
  close (fd);
  g_ptr_array_unref (argv);
  return pid;
}

/* Exit status of `pid` (128 + signal when killed). */
static int
finish (GPid pid)
{
  int ws;
  g_assert_cmpint (waitpid (pid, &ws, 0), ==, pid);
  g_spawn_close_pid (pid);
  return WIFEXITED (ws) ? WEXITSTATUS (ws) : 128 + WTERMSIG (ws);
}

/* Wait (at most `seconds`) for `pid` to end: its status, or -1 after
 * killing it because it hung. */
static int
finish_within (GPid pid, double seconds)
{
  for (double waited = 0; waited < seconds; waited += 0.02)
    {
      int ws;
      pid_t p = waitpid (pid, &ws, WNOHANG);
      if (p == pid)
        {
          g_spawn_close_pid (pid);
          return WIFEXITED (ws) ? WEXITSTATUS (ws) : 128 + WTERMSIG (ws);
        }
      g_usleep (20000);
    }
  kill (pid, SIGKILL);
  finish (pid);
  return -1;
}

static char *
read_file (const char *dir_path, const char *name)
{
  g_autofree char *path = g_build_filename (dir_path, name, NULL);
  char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

static void
assert_same_progress_as (const char *expected, const char *run)
{
  g_autofree char *a = srl_test_progress_without_wall_clock (expected);
  g_autofree char *b = srl_test_progress_without_wall_clock (run);
  g_assert_cmpstr (a, ==, b);
}

static void
assert_same_progress (const char *run)
{
  assert_same_progress_as (reference, run);
}

/* No temporary file of an interrupted write: only a run's own names. */
static void
assert_no_temporaries (const char *run)
{
  static const char *const allowed[] = { SRL_RUN_FILES };
  GDir *d = g_dir_open (run, 0, NULL);
  g_assert_nonnull (d);
  const char *name;
  while ((name = g_dir_read_name (d)))
    {
      gboolean known = FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (allowed); i++)
        known = known || strcmp (name, allowed[i]) == 0;
      if (!known)
        g_error ("%s: left behind in %s", name, run);
    }
  g_dir_close (d);
}

/* ------------------------------------------------------------------ crashes */

/* Lines of `run`'s progress.csv (0 when it has none yet). */
static guint
progress_lines (const char *run)
{
  g_autofree char *text = read_file (run, SRL_RUN_PROGRESS);
  guint n = 0;
  for (const char *c = text; c && *c; c++)
    n += *c == '\n';
  return n;
}

static void
test_kill_at_random_points (void)
{
  /* SIGKILL 20 times, each restart by --resume, then to the end: the
   * reference's numbers, and no temporary file. The first kills land
   * before the first checkpoint; the others wait until the attempt has
   * finished an epoch beyond where it started, then kill after a random
   * part of an epoch's time (drawn with a fixed seed), so that they land
   * anywhere in an epoch, checkpoint writes included, and all 20 land
   * before the end on a machine of any speed. */
  g_autofree char *run = g_build_filename (dir, "killed", NULL);
  g_autofree char *longer = g_build_filename (dir, "uninterrupted", NULL);
  const guint n_epochs = 60, n_kills = 20;
  g_autofree char *epochs = g_strdup_printf ("experiment.epochs=%u", n_epochs);
  gint64 t0 = g_get_monotonic_time ();
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", file, "--out", longer, "-q", "--set", epochs, NULL), ==, 0);
  gulong epoch_us = (gulong) ((g_get_monotonic_time () - t0) / n_epochs);
  g_autoptr (GRand) rand = g_rand_new_with_seed (20);
  guint mid_run = 0;
  for (guint k = 0; k < n_kills; k++)
    {
      g_autofree char *config = g_build_filename (run, SRL_RUN_CONFIG, NULL);
      gboolean fresh = !g_file_test (config, G_FILE_TEST_EXISTS);
      const char *new_run[] = { "run", file, "--out", run, "-q", "--set", epochs, NULL };
      const char *resume[] = { "run", "--resume", run, "-q", NULL };
      guint lines_before = progress_lines (run);
      GPid pid = start (NULL, fresh ? new_run : resume);
      if (k >= 2)
        for (int i = 0; i < 3000 && progress_lines (run) <= lines_before; i++)
          g_usleep (2000);
      g_usleep (g_rand_int_range (rand, 1000, (gint32) MAX (epoch_us, 2000)));
      kill (pid, SIGKILL);
      int status = finish (pid);
      if (status == 128 + SIGKILL)
        mid_run++;
      else if (status != 0)
        g_error ("attempt %u exited with %d", k, status);
    }
  g_test_message ("%u of %u attempts killed mid-run; the killed run has %u progress lines of %u", mid_run, n_kills,
                  progress_lines (run), n_epochs + 1);
  g_assert_cmpuint (mid_run, ==, n_kills);
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "run", "--resume", run, "-q", NULL);
  if (status != 0)
    g_error ("the last resume failed (%d): %s", status, err);
  assert_same_progress_as (longer, run);
  assert_no_temporaries (run);
}

static void
test_resume_without_checkpoint (void)
{
  /* Killed before its first checkpoint: --resume starts it over from its
   * config.ini. */
  g_autofree char *run = g_build_filename (dir, "no-checkpoint", NULL);
  const char *args[] = { "run", file, "--out", run, "-q", "--set", "experiment.checkpoint_interval=0", NULL };
  GPid pid = start (NULL, args);
  g_autofree char *progress = g_build_filename (run, SRL_RUN_PROGRESS, NULL);
  for (int i = 0; i < 3000 && !g_file_test (progress, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  kill (pid, SIGKILL);
  g_assert_cmpint (finish (pid), ==, 128 + SIGKILL);
  g_autofree char *checkpoint = g_build_filename (run, SRL_RUN_CHECKPOINT, NULL);
  g_assert_false (g_file_test (checkpoint, G_FILE_TEST_EXISTS));
  /* Starting it again with the same --out points to --resume. */
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", file, "--out", run, "-q", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--resume"));
  g_clear_pointer (&err, g_free);
  int status = srl_test_run (NULL, NULL, &err, "run", "--resume", run, "-q", NULL);
  if (status != 0)
    g_error ("resume without a checkpoint failed (%d): %s", status, err);
  assert_same_progress (run);
  g_autofree char *log = read_file (run, SRL_RUN_LOG);
  g_assert_nonnull (strstr (log, "starting over from its config.ini"));
}

static void
test_temporaries_removed (void)
{
  /* Temporary files of writes a kill interrupted go on the next start;
   * other files stay. */
  g_autofree char *run = g_build_filename (dir, "temporaries", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", file, "--out", run, "-q", "--interrupt-after-steps", "300",
                                 NULL), ==, 130);
  g_free (srl_test_write (run, ".checkpoint.safetensors.Ab12Cd", "half a checkpoint"));
  g_free (srl_test_write (run, ".policy.safetensors.zz99ZZ", "half a policy"));
  g_free (srl_test_write (run, "progress.csv.x1Y2z3", "half a table"));
  g_free (srl_test_write (run, "notes.txt", "mine"));
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", "--resume", run, "-q", NULL), ==, 0);
  g_autofree char *listing = srl_test_listing (run);
  g_assert_cmpstr (listing, ==, ".lock checkpoint.safetensors config.ini log.txt notes.txt policy.safetensors "
                                "progress.csv status");
  g_autofree char *log = read_file (run, SRL_RUN_LOG);
  g_assert_nonnull (strstr (log, "removed 3 temporary files"));
  assert_same_progress (run);
}

/* ------------------------------------------------------------------ owners */

/* Start `args`, wait until it owns `run` (its lock file names it) and stop
 * it there (SIGSTOP): a stopped process keeps its lock, so the test's
 * second processes meet the owner however fast the first would have
 * finished on a loaded machine.  SIGCONT lets it go on. */
static GPid
start_owner (const char *run, const char *const *args)
{
  GPid pid = start (NULL, args);
  g_autofree char *expected = g_strdup_printf ("process %d ", (int) pid);
  for (int i = 0; i < 3000; i++)
    {
      g_autofree char *holder = read_file (run, SRL_RUN_LOCK);
      if (holder && g_str_has_prefix (holder, expected))
        {
          kill (pid, SIGSTOP);
          return pid;
        }
      g_usleep (10000);
    }
  kill (pid, SIGKILL);
  finish (pid);
  g_error ("%s never took %s/%s", srl_test_bin (), run, SRL_RUN_LOCK);
}

static void
test_one_owner_per_run (void)
{
  g_autofree char *run = g_build_filename (dir, "owned", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", file, "--out", run, "-q", "--interrupt-after-steps", "300",
                                 NULL), ==, 130);
  const char *resume[] = { "run", "--resume", run, "-q", NULL };
  GPid first = start_owner (run, resume);
  /* A second --resume, and a new run into the same directory: refused,
   * naming the owner. */
  g_autofree char *err = NULL, *out_err = NULL;
  g_autofree char *owner = g_strdup_printf ("process %d", (int) first);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", "--resume", run, "-q", NULL), ==, 2);
  g_assert_nonnull (strstr (err, owner));
  g_assert_cmpint (srl_test_run (NULL, NULL, &out_err, "run", file, "--out", run, "-q", NULL), ==, 2);
  g_assert_nonnull (strstr (out_err, owner));
  kill (first, SIGCONT);
  g_assert_cmpint (finish (first), ==, 0);
  assert_same_progress (run);
}

static void
test_one_of_two_fresh_runs (void)
{
  /* Two new runs with one --out at the same moment: one trains, the other
   * is refused. */
  for (int attempt = 0; attempt < 3; attempt++)
    {
      g_autofree char *name = g_strdup_printf ("twins-%d", attempt);
      g_autofree char *run = g_build_filename (dir, name, NULL);
      const char *args[] = { "run", file, "--out", run, "-q", "--set", "experiment.epochs=1", NULL };
      GPid a = start (NULL, args), b = start (NULL, args);
      int sa = finish (a), sb = finish (b);
      g_assert_true ((sa == 0 && sb == 2) || (sa == 2 && sb == 0));
    }
}

static void
test_sweep_owners (void)
{
  g_autofree char *sweep_file = srl_test_write (dir, "owners.sweep", "[sweep]\nexperiment = trust.ini\nseeds = 5\n");
  g_autofree char *out = g_build_filename (dir, "owners", NULL);
  g_autofree char *run = g_build_filename (out, "trust-seed5", NULL);
  g_assert_cmpint (g_mkdir_with_parents (run, 0755), ==, 0);
  /* A run of the sweep's still owned by someone (a run of a killed sweep,
   * finishing its step): the restarted sweep waits for it. */
  g_autofree char *lock = g_build_filename (run, SRL_RUN_LOCK, NULL);
  const char *holder[] = { "flock", lock, "sleep", "1", NULL };
  GPid held;
  GError *error = NULL;
  g_assert_true (g_spawn_async (NULL, (char **) holder, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, NULL,
                                NULL, &held, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 500 && !g_file_test (lock, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  g_usleep (100000);
  g_autofree char *sweep_err = g_build_filename (dir, "owners.err", NULL);
  const char *sweep[] = { "sweep", sweep_file, "--out", out, NULL };
  GPid first = start (sweep_err, sweep);
  /* Meanwhile a second sweep of the directory is refused, exit 2. */
  g_usleep (300000);
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "sweep", sweep_file, "--out", out, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "another softrl sweep works in this directory"));
  g_assert_cmpint (finish (held), ==, 0);
  g_assert_cmpint (finish_within (first, 120), ==, 0);
  g_autofree char *said = read_file (dir, "owners.err");
  g_assert_nonnull (strstr (said, "waiting for trust-seed5"));
  g_autofree char *status = read_file (run, SRL_RUN_STATUS);
  g_assert_cmpstr (status, ==, "finished\n");
}

/* ------------------------------------------------------------------ memory */

static void
test_memory_refused_before_anything (void)
{
  /* Sizes inside their ranges that no machine here has: refused with how
   * much is needed and how much there is, exit 2, no directory. */
  g_autofree char *run = g_build_filename (dir, "huge", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", file, "--out", run, "-q", "--set",
                                 "algorithm.hidden_sizes=65536;65536;65536;65536;65536;65536;65536;65536", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "needs at least"));
  g_assert_nonnull (strstr (err, "hidden_sizes"));
  g_assert_false (g_file_test (run, G_FILE_TEST_EXISTS));
}

static void
limit_address_space (gpointer data)
{
  (void) data;
  struct rlimit limit = { .rlim_cur = 4ull << 30, .rlim_max = 4ull << 30 };
  setrlimit (RLIMIT_AS, &limit);
}

static void
test_memory_address_space_limit (void)
{
  /* A replay buffer the address-space limit (ulimit -v) cannot hold. */
  g_autofree char *run = g_build_filename (dir, "limited", NULL);
  const char *argv[] = { srl_test_bin (), "run", file, "--out", run, "-q", "--set",
                         "experiment.replay_capacity=2000000000", NULL };
  g_autofree char *err = NULL;
  int ws;
  GError *error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, limit_address_space, NULL,
                               NULL, &err, &ws, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (ws));
  g_assert_cmpint (WEXITSTATUS (ws), ==, 2);
  g_assert_nonnull (strstr (err, "address-space limit"));
  g_assert_false (g_file_test (run, G_FILE_TEST_EXISTS));
}

static void
test_replay_from_copies_what_is_stored (void)
{
  /* A source run whose buffer was declared with 3e9 slots but holds 5
   * transitions: only those 5 are read. */
  g_autofree char *source = g_build_filename (dir, "big-source", NULL);
  g_assert_cmpint (g_mkdir_with_parents (source, 0755), ==, 0);
  g_autoptr (SrlStateWriter) w = srl_state_writer_new ();
  float obs[15] = { 0 }, act[5] = { 0 }, rew[5] = { 0 };
  guint8 flags[5] = { 0 };
  gsize shape_obs[2] = { 5, 3 }, shape_act[2] = { 5, 1 };
  srl_state_writer_put_i64_value (w, "replay.capacity", 3000000000);
  srl_state_writer_put_i64_value (w, "replay.size", 5);
  srl_state_writer_put_i64_value (w, "replay.head", 5);
  srl_state_writer_put (w, "replay.obs", SRL_DTYPE_F32, obs, 2, shape_obs);
  srl_state_writer_put (w, "replay.next_obs", SRL_DTYPE_F32, obs, 2, shape_obs);
  srl_state_writer_put (w, "replay.act", SRL_DTYPE_F32, act, 2, shape_act);
  srl_state_writer_put_f32 (w, "replay.rew", rew, 5);
  srl_state_writer_put_u8 (w, "replay.terminal", flags, 5);
  srl_state_writer_put_u8 (w, "replay.truncated", flags, 5);
  g_autofree char *checkpoint = g_build_filename (source, SRL_RUN_CHECKPOINT, NULL);
  GError *error = NULL;
  g_assert_true (srl_state_writer_write (w, checkpoint, &error));
  g_assert_no_error (error);
  g_autofree char *run = g_build_filename (dir, "from-big", NULL);
  g_autofree char *from = g_strdup_printf ("experiment.replay_from=%s", source);
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "run", file, "--out", run, "-q", "--set", from, "--set",
                             "experiment.epochs=1", NULL);
  if (status != 0)
    g_error ("replay_from a large source failed (%d): %s", status, err);
  g_autofree char *log = read_file (run, SRL_RUN_LOG);
  g_assert_nonnull (strstr (log, "replay buffer: 5 transitions from"));
}

/* ------------------------------------------------------------------ plugins */

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *bytes = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (from, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (to, bytes, len, NULL));
}

static int
plugins_listing (const char *path, char **out)
{
  g_autofree char *out_file = g_build_filename (dir, "plugins.out", NULL);
  g_setenv ("SOFTRL_PLUGIN_PATH", path, TRUE);
  const char *args[] = { "plugins", NULL };
  GPid pid = start (out_file, args);
  g_unsetenv ("SOFTRL_PLUGIN_PATH");
  int status = finish_within (pid, 20);
  *out = read_file (dir, "plugins.out");
  return status;
}

static void
test_fifo_plugin (void)
{
  /* A FIFO named like a plugin: listed as refused, nothing hangs. */
  g_autofree char *plugins = g_build_filename (dir, "fifo-plugins", NULL);
  g_assert_cmpint (g_mkdir_with_parents (plugins, 0755), ==, 0);
  g_autofree char *fifo = g_build_filename (plugins, "evil.so", NULL);
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  g_autofree char *out = NULL;
  int status = plugins_listing (plugins, &out);
  g_assert_cmpint (status, ==, 1); /* a refusal */
  g_assert_nonnull (strstr (out, "evil.so: refused without opening it: it is a FIFO, not a regular file"));
  g_assert_nonnull (strstr (out, "environment pendulum"));
}

static void
test_plugin_named_like_a_builtin (void)
{
  /* pendulum.so files that are not the built-in: the first (another
   * plugin) is loaded beside the built-in, the second (the same name
   * registered differently) is refused, naming the first. */
  g_autofree char *a = g_build_filename (dir, "plugins-a", NULL), *b = g_build_filename (dir, "plugins-b", NULL);
  g_assert_cmpint (g_mkdir_with_parents (a, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (b, 0755), ==, 0);
  g_autofree char *toy = g_build_filename (g_getenv ("SOFTRL_TEST_PLUGINS"), "toy-a.so", NULL);
  g_autofree char *conflict = g_build_filename (g_getenv ("SOFTRL_TEST_PLUGINS"), "toy-conflict.so", NULL);
  g_autofree char *in_a = g_build_filename (a, "pendulum.so", NULL), *in_b = g_build_filename (b, "pendulum.so", NULL);
  copy_file (toy, in_a);
  copy_file (conflict, in_b);
  g_autofree char *path = g_strdup_printf ("%s:%s", a, b);
  g_autofree char *out = NULL;
  g_assert_cmpint (plugins_listing (path, &out), ==, 1);
  g_assert_nonnull (strstr (out, "environment toy "));
  g_assert_nonnull (strstr (out, in_a));
  g_assert_nonnull (strstr (out, "environment pendulum"));
  g_autofree char *refused = g_strdup_printf ("refused     %s: refused: environment \"toy\" is already registered "
                                              "differently by %s", in_b, in_a);
  g_assert_nonnull (strstr (out, refused));
}

/* ------------------------------------------------------------------ exit statuses */

static void
test_exit_statuses (void)
{
  g_autofree char *nope = g_build_filename (dir, "nope", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "eval", nope, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "not a run directory"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", "--resume", nope, NULL), ==, 2);
  g_clear_pointer (&err, g_free);

  /* config.ini edited so that it no longer fits the checkpoint. */
  g_autofree char *run = g_build_filename (dir, "edited", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", file, "--out", run, "-q", "--interrupt-after-steps", "300",
                                 NULL), ==, 130);
  g_autofree char *config = read_file (run, SRL_RUN_CONFIG);
  g_autofree char *config_path = g_build_filename (run, SRL_RUN_CONFIG, NULL);
  GRegex *hidden = g_regex_new ("^hidden_sizes = 32;32$", G_REGEX_MULTILINE, 0, NULL);
  g_autofree char *edited = g_regex_replace_literal (hidden, config, -1, 0, "hidden_sizes = 16;16", 0, NULL);
  g_regex_unref (hidden);
  g_assert_true (g_file_set_contents (config_path, edited, -1, NULL));
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", "--resume", run, "-q", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "config.ini still hold the settings"));
  g_clear_pointer (&err, g_free);

  /* A plugin's own check of a value given with --set blames the --set. */
  g_autofree char *refused = g_build_filename (dir, "refused", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", file, "--out", refused, "-q", "--set",
                                 "sampler.log_std_min=5", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--set sampler.log_std_min=5: [sampler] log_std_min: must be below"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  setup_reference ();
  g_test_add_func ("/trust-runs/kill-at-random-points", test_kill_at_random_points);
  g_test_add_func ("/trust-runs/resume-without-checkpoint", test_resume_without_checkpoint);
  g_test_add_func ("/trust-runs/temporaries-removed", test_temporaries_removed);
  g_test_add_func ("/trust-runs/one-owner-per-run", test_one_owner_per_run);
  g_test_add_func ("/trust-runs/one-of-two-fresh-runs", test_one_of_two_fresh_runs);
  g_test_add_func ("/trust-runs/sweep-owners", test_sweep_owners);
  g_test_add_func ("/trust-runs/memory-refused", test_memory_refused_before_anything);
  g_test_add_func ("/trust-runs/memory-address-space", test_memory_address_space_limit);
  g_test_add_func ("/trust-runs/replay-from-copies-what-is-stored", test_replay_from_copies_what_is_stored);
  g_test_add_func ("/trust-runs/fifo-plugin", test_fifo_plugin);
  g_test_add_func ("/trust-runs/plugin-named-like-a-builtin", test_plugin_named_like_a_builtin);
  g_test_add_func ("/trust-runs/exit-statuses", test_exit_statuses);
  int status = g_test_run ();
  if (status == 0)
    srl_test_rmtree (dir);
  return status;
}

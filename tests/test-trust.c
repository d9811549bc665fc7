/* What softrl trusts in the files it reads and writes, one test per fault
 * found by trying it as a hostile user would: impossible checkpoint
 * contents, non-finite policies, strings that would break config.ini or
 * JSON, a seed or a checkpoint swapped under a run, environments producing
 * non-finite numbers, repeated keys in an experiment, and where a broken
 * header is broken. */
#include "testutil.h"

static const char *const tiny =
  "[experiment]\nepochs = 2\nsteps_per_epoch = 30\neval_episodes = 1\nmax_path_length = 10\n"
  "initial_random_steps = 10\nmin_replay_size = 10\nreplay_capacity = 100\ncheckpoint_interval = 1\nseed = 3\n"
  "[env]\nplugin = pendulum\n"
  "[algorithm]\nplugin = sac-auto\nbatch_size = 8\nhidden_sizes = 8;8\n"
  "[sampler]\nplugin = gaussian\nhidden_sizes = 8;8\n";

static char *dir, *experiment;

/* A run of the tiny experiment interrupted in its second epoch, with one
 * --set when `seed_setting` is not NULL (free with g_free). */
static char *
interrupted_run (const char *name, const char *seed_setting)
{
  char *run = g_build_filename (dir, name, NULL);
  g_autofree char *err = NULL;
  int status = seed_setting
                 ? srl_test_run (NULL, NULL, &err, "run", experiment, "--out", run, "-q", "--interrupt-after-steps",
                                 "45", "--set", seed_setting, NULL)
                 : srl_test_run (NULL, NULL, &err, "run", experiment, "--out", run, "-q", "--interrupt-after-steps",
                                 "45", NULL);
  if (status != 130)
    g_error ("%s: the interrupted run ended with %d: %s", name, status, err);
  return run;
}

static char *
file_in (const char *run, const char *name)
{
  char *path = g_build_filename (run, name, NULL);
  char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    text = g_strdup ("");
  g_free (path);
  return text;
}

/* `softrl run --resume RUN` refuses with `status`, its message holding every
 * string of `needles`, and leaves the run's files as they were. */
static void
assert_resume_refused (const char *run, int status, const char *const *needles, const char *set)
{
  static const char *const names[] = { "config.ini", "progress.csv", "checkpoint.safetensors",
                                       "policy.safetensors", "status", "log.txt" };
  char *before[G_N_ELEMENTS (names)];
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    before[i] = file_in (run, names[i]);
  g_autofree char *err = NULL;
  int got = set ? srl_test_run (NULL, NULL, &err, "run", "--resume", run, "-q", "--set", set, NULL)
                : srl_test_run (NULL, NULL, &err, "run", "--resume", run, "-q", NULL);
  g_test_message ("%s", err);
  g_assert_cmpint (got, ==, status);
  for (guint i = 0; needles[i]; i++)
    if (!strstr (err, needles[i]))
      g_error ("\"%s\" missing from: %s", needles[i], err);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *after = file_in (run, names[i]);
      g_assert_cmpstr (before[i], ==, after);
      g_free (before[i]);
    }
}

/* The checkpoint of an interrupted run with runner.n_recent = −4 and its
 * checksum recomputed: indexing the recent returns with it wrote outside
 * the array (a segfault). */
static void
test_negative_counter (void)
{
  g_autofree char *run = interrupted_run ("negative-counter", NULL);
  g_autofree char *ckpt = g_build_filename (run, "checkpoint.safetensors", NULL);
  gint64 minus_four = -4;
  srl_test_state_poke (ckpt, "runner.n_recent", 0, &minus_four, sizeof minus_four);
  const char *const needles[] = { "checkpoint.safetensors", "runner.n_recent", "-4", "one recent return per episode",
                                  NULL };
  assert_resume_refused (run, 1, needles, NULL);
}

/* Counters that no run produces, each alone (progress rows −4…0 were
 * written for a negative epoch), and NaN in the state. */
static void
test_impossible_state (void)
{
  const struct {
    const char *tensor;
    gint64 value;
  } counters[] = {
    { "runner.epoch", -1 }, { "runner.step_in_epoch", -1 }, { "runner.episode_step", -1 },
    { "runner.total_updates", -1 }, { "runner.progress_rows", 7 }, { "runner.need_reset", 2 },
    { "replay.size", 101 }, { "replay.head", 100 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (counters); i++)
    {
      g_autofree char *name = g_strdup_printf ("counter-%u", i);
      g_autofree char *run = interrupted_run (name, NULL);
      g_autofree char *ckpt = g_build_filename (run, "checkpoint.safetensors", NULL);
      srl_test_state_poke (ckpt, counters[i].tensor, 0, &counters[i].value, sizeof (gint64));
      const char *const needles[] = { "checkpoint.safetensors", counters[i].tensor, NULL };
      assert_resume_refused (run, 1, needles, NULL);
    }
  const char *const nan_tensors[] = { "runner.obs", "replay.obs", "replay.rew" };
  for (guint i = 0; i < G_N_ELEMENTS (nan_tensors); i++)
    {
      g_autofree char *name = g_strdup_printf ("nan-%u", i);
      g_autofree char *run = interrupted_run (name, NULL);
      g_autofree char *ckpt = g_build_filename (run, "checkpoint.safetensors", NULL);
      if (strcmp (nan_tensors[i], "runner.obs") == 0)
        {
          double nan = NAN;
          srl_test_state_poke (ckpt, nan_tensors[i], 1, &nan, sizeof nan);
        }
      else
        {
          float nan = NAN;
          srl_test_state_poke (ckpt, nan_tensors[i], 1, &nan, sizeof nan);
        }
      const char *const needles[] = { "checkpoint.safetensors", nan_tensors[i], "nan", NULL };
      assert_resume_refused (run, 1, needles, NULL);
    }
}

/* A policy with a NaN weight is refused by eval, naming file and tensor. */
static void
test_non_finite_policy (void)
{
  g_autofree char *run = interrupted_run ("nan-policy", NULL);
  g_autofree char *policy = g_build_filename (run, "policy.safetensors", NULL);
  float inf = INFINITY;
  srl_test_state_poke (policy, "policy.mlp.l0.bias", 2, &inf, sizeof inf);
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "eval", run, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "policy.safetensors"));
  g_assert_nonnull (strstr (err, "policy.mlp.l0.bias"));
  g_assert_nonnull (strstr (err, "inf"));
}

/* The reader's message refusing a state file of `header` and `data`. */
static char *
reader_refusal (const char *header, const guint8 *data, gsize data_size, gboolean reseal)
{
  g_autoptr (GBytes) file = srl_test_state_file (header, strlen (header), data, data_size, reseal);
  g_autofree char *path = g_build_filename (dir, "made.safetensors", NULL);
  gsize n;
  const void *bytes = g_bytes_get_data (file, &n);
  g_assert_true (g_file_set_contents (path, bytes, n, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (SrlStateReader) r = srl_state_reader_open (path, &error);
  g_assert_null (r);
  g_test_message ("%s", error->message);
  return g_strdup (error->message);
}

/* Shapes and byte ranges read from a header, in-process: a [2^31, 2^31]
 * F32 tensor has 2^64 bytes, which wrapped to the 0 of an empty range;
 * overlapping ranges; a name holding NUL; a repeated metadata key.  And a
 * parse error names where it is (it always said byte 0). */
static void
test_reader_refuses_layouts (void)
{
  const char *meta = "{\"__metadata__\":{\"format\":\"softrl-state\",\"format_version\":\"1\",\"checksum\":\"sha256:"
                     "0000000000000000000000000000000000000000000000000000000000000000\"}";
  const struct {
    const char *tensors, *expect;
  } cases[] = {
    { ",\"a\":{\"dtype\":\"F32\",\"shape\":[2147483648,2147483648],\"data_offsets\":[0,0]}}", "more bytes" },
    { ",\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
      "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", "overlap" },
    { ",\"a\\u0000b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "NUL" },
    { ",\"a\":{\"dtype\":\"F32\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,4]}}", "repeated key" },
    { ",\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} {}", "after the header" },
  };
  guint8 data[16] = { 0 };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *header = g_strconcat (meta, cases[i].tensors, NULL);
      g_autofree char *message = reader_refusal (header, data, sizeof data, TRUE);
      if (!strstr (message, cases[i].expect))
        g_error ("case %u: \"%s\" missing from: %s", i, cases[i].expect, message);
    }
  /* A missing ':' after the metadata's first key, at byte 26. */
  g_autofree char *message = reader_refusal ("{\"__metadata__\":{\"format\" \"softrl-state\"}}", data, 0, FALSE);
  g_assert_nonnull (strstr (message, "expected ':' at header byte 26"));
}

/* Strings that reach files: a name with a newline wrote a config.ini that
 * softrl then refused; a name that is not UTF-8 made the safetensors
 * headers invalid JSON.  Both are refused before anything is created. */
static void
test_strings_refused (void)
{
  g_autofree char *run = g_build_filename (dir, "newline", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", experiment, "--out", run, "-q", "--set",
                                 "experiment.name=a\n[x]\ny=1", NULL),
                   ==, 2);
  g_assert_nonnull (strstr (err, "[experiment] name"));
  g_assert_false (g_file_test (run, G_FILE_TEST_EXISTS));

  g_autofree char *bad = g_strdup ("[experiment]\nname = a\xff\xfe" "b\nepochs = 1\n[env]\nplugin = pendulum\n"
                                   "[algorithm]\nplugin = sac\n");
  g_autofree char *file = srl_test_write (dir, "not-utf8.ini", bad);
  g_autofree char *run2 = g_build_filename (dir, "not-utf8", NULL);
  g_autofree char *err2 = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err2, "run", file, "--out", run2, "-q", NULL), ==, 2);
  g_assert_nonnull (strstr (err2, "[experiment] name"));
  g_assert_false (g_file_test (run2, G_FILE_TEST_EXISTS));
}

/* The seed of a resumed run: `experiment .seed` (spaces) slipped past the
 * check; an edit in config.ini was accepted; a checkpoint of another run
 * with the same sizes was resumed and progress.csv mixed the two. */
static void
test_run_identity (void)
{
  g_autofree char *run = interrupted_run ("identity", NULL);
  const char *const set_needles[] = { "seed", NULL };
  assert_resume_refused (run, 2, set_needles, "experiment .seed=7");

  g_autofree char *config = g_build_filename (run, "config.ini", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (config, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "run_id = "));
  g_autofree char *edited = g_strdup (text);
  char *seed = strstr (edited, "\nseed = 3\n");
  g_assert_nonnull (seed);
  seed[8] = '8';
  g_assert_true (g_file_set_contents (config, edited, -1, NULL));
  const char *const edit_needles[] = { "seed", "checkpoint.safetensors", NULL };
  assert_resume_refused (run, 2, edit_needles, NULL);
  g_assert_true (g_file_set_contents (config, text, -1, NULL));

  g_autofree char *other = interrupted_run ("identity-other", "experiment.seed=4");
  g_autofree char *theirs = g_build_filename (other, "checkpoint.safetensors", NULL);
  g_autofree char *ours = g_build_filename (run, "checkpoint.safetensors", NULL);
  g_autofree char *contents = NULL;
  gsize n;
  g_assert_true (g_file_get_contents (theirs, &contents, &n, NULL));
  g_assert_true (g_file_set_contents (ours, contents, n, NULL));
  const char *const swap_needles[] = { "checkpoint.safetensors", "belongs to run", NULL };
  assert_resume_refused (run, 1, swap_needles, NULL);

  /* The run as it was still resumes. */
  g_autofree char *own = interrupted_run ("identity-own", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", "--resume", own, "-q", NULL), ==, 0);
}

/* An environment producing numbers training cannot hold: the run fails
 * naming the environment and the step (returns of -inf, or NaN rows, were
 * written and the run said finished). */
static void
test_environment_non_finite (void)
{
  const struct {
    const char *env, *set1, *set2, *expect;
  } cases[] = {
    { "pendulum", "env.max_speed=1e308", "env.gravity=1e300", "environment pendulum, step 1" },
    { "halfcheetah", "env.forward_reward_weight=1e308", "env.plugin=halfcheetah",
      "environment halfcheetah, step 1: reward" },
    { "halfcheetah", "env.reset_noise_scale=1e300", "env.plugin=halfcheetah",
      "environment halfcheetah, reset before step 1" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("env-%u", i);
      g_autofree char *run = g_build_filename (dir, name, NULL);
      g_autofree char *err = NULL;
      g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", experiment, "--out", run, "-q", "--set", cases[i].set2,
                                     "--set", cases[i].set1, NULL),
                       ==, 1);
      g_test_message ("%s", err);
      g_assert_nonnull (strstr (err, cases[i].expect));
      g_autofree char *status = file_in (run, "status");
      g_assert_true (g_str_has_prefix (status, "failed: environment"));
      g_autofree char *progress = file_in (run, "progress.csv");
      g_assert_null (strstr (progress, "inf"));
      g_assert_null (strstr (progress, "nan"));
    }
  /* A simulator breaking in every episode: each step was dropped and
   * returns of 0 written as a finished run's. */
  {
    g_autofree char *run = g_build_filename (dir, "always-invalid", NULL);
    g_autofree char *err = NULL;
    g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", experiment, "--out", run, "-q", "--set",
                                   "env.plugin=halfcheetah", "--set", "env.reset_noise_scale=1e10", "--set",
                                   "experiment.steps_per_epoch=150", NULL),
                     ==, 1);
    g_test_message ("%s", err);
    g_assert_nonnull (strstr (err, "environment halfcheetah, step 100: the last 100 episodes all ended in an invalid"));
    g_autofree char *status = file_in (run, "status");
    g_assert_true (g_str_has_prefix (status, "failed: environment"));
  }
  /* Finite but huge data: the first update overflows before any learning
   * rate acted, and the message says so rather than blaming them. */
  g_autofree char *run = g_build_filename (dir, "huge-data", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", experiment, "--out", run, "-q", "--set",
                                 "env.max_speed=1e19", "--set", "env.gravity=1e30", NULL),
                   ==, 1);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, "before any learning rate acted"));
  g_assert_null (strstr (err, "lower the learning rates"));
}

/* A group or key given twice in an experiment file: GKeyFile kept the last
 * silently. */
static void
test_repeated_keys (void)
{
  g_autofree char *group_twice = g_strconcat (tiny, "[experiment]\nepochs = 3\n", NULL);
  g_autofree char *file = srl_test_write (dir, "group-twice.ini", group_twice);
  g_autofree char *err = NULL;
  g_autofree char *run = g_build_filename (dir, "group-twice", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", file, "--out", run, "-q", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "group-twice.ini:20: group [experiment] is given again (first on line 1)"));

  g_autofree char *key_twice = g_strconcat ("[experiment]\nseed = 1\n   seed = 2\n", strchr (tiny, '\n') + 1, NULL);
  g_autofree char *file2 = srl_test_write (dir, "key-twice.ini", key_twice);
  g_autofree char *err2 = NULL;
  g_autofree char *run2 = g_build_filename (dir, "key-twice", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err2, "run", file2, "--out", run2, "-q", NULL), ==, 2);
  g_assert_nonnull (strstr (err2, "key-twice.ini:3: [experiment] seed is given again (first on line 2)"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = srl_test_tmpdir ();
  experiment = srl_test_write (dir, "tiny.ini", tiny);
  g_test_add_func ("/trust/negative-counter", test_negative_counter);
  g_test_add_func ("/trust/impossible-state", test_impossible_state);
  g_test_add_func ("/trust/non-finite-policy", test_non_finite_policy);
  g_test_add_func ("/trust/reader-refuses-layouts", test_reader_refuses_layouts);
  g_test_add_func ("/trust/strings", test_strings_refused);
  g_test_add_func ("/trust/run-identity", test_run_identity);
  g_test_add_func ("/trust/environment-non-finite", test_environment_non_finite);
  g_test_add_func ("/trust/repeated-keys", test_repeated_keys);
  int status = g_test_run ();
  srl_test_rmtree (dir);
  return status;
}

/* Experiment files: every kind of bad input is refused before training, with
 * the file, group and key, what was expected, and a non-zero exit. */
#include "testutil.h"

static const char *good =
  "[experiment]\nepochs = 1\nsteps_per_epoch = 10\neval_episodes = 1\n"
  "[env]\nplugin = pendulum\n"
  "[algorithm]\nplugin = sac\nbatch_size = 4\nhidden_sizes = 8;8\n"
  "[sampler]\nplugin = gaussian\nhidden_sizes = 8\n";

typedef struct {
  const char *name;
  const char *find, *replace; /* edit of `good`; find NULL: whole file `replace` */
  const char *set;            /* extra --set, or NULL */
  const char *expect[4];      /* fragments of the message */
} Case;

static const Case cases[] = {
  { "unknown-key", "batch_size = 4", "discont = 0.9", NULL,
    { "[algorithm] discont", "unknown key", "did you mean \"discount\"" } },
  { "wrong-type", "batch_size = 4", "batch_size = many", NULL,
    { "[algorithm] batch_size", "expected an integer", "\"many\"" } },
  { "out-of-range", "batch_size = 4", "discount = 1.5", NULL,
    { "[algorithm] discount", "out of range", "between 0 and 1" } },
  { "bad-list", "hidden_sizes = 8;8", "hidden_sizes = 8;x", NULL,
    { "[algorithm] hidden_sizes", "item 2", "\"x\"" } },
  { "bad-bool", "eval_episodes = 1", "eval_deterministic = maybe", NULL,
    { "[experiment] eval_deterministic", "true or false" } },
  { "bad-choice", "hidden_sizes = 8\n", "init = xavier\n", NULL,
    { "[sampler] init", "one of glorot,he" } },
  { "unknown-env", "plugin = pendulum", "plugin = pendulm", NULL,
    { "[env] plugin", "unknown environment \"pendulm\"", "did you mean \"pendulum\"" } },
  { "unknown-algorithm", "plugin = sac\n", "plugin = dreamer\n", NULL,
    { "[algorithm] plugin", "unknown algorithm \"dreamer\"", "available: ", "sac, sac-auto" } },
  { "unknown-sampler", "plugin = gaussian", "plugin = gausian", NULL,
    { "[sampler] plugin", "did you mean \"gaussian\"" } },
  { "unknown-group", "[experiment]", "[expriment]", NULL,
    { "[expriment]", "unknown group", "did you mean [experiment]" } },
  { "missing-env", "[env]\nplugin = pendulum\n", "", NULL,
    { "no [env] group" } },
  { "malformed", NULL, "this is not a keyfile\n", NULL,
    { "not a valid keyfile" } },
  { "unknown-runner-key", "epochs = 1", "epoch = 1", NULL,
    { "[experiment] epoch", "did you mean \"epochs\"" } },
  { "bad-set", NULL, NULL, "algorithm.tau=2",
    { "--set algorithm.tau=2", "[algorithm] tau", "out of range" } },
  { "bad-set-form", NULL, NULL, "tau=2",
    { "--set tau=2", "GROUP.KEY=VALUE" } },
  /* Refused by the algorithm's create(), after the directory was made: it
   * must be removed again. */
  { "create-refuses", NULL,
    "[experiment]\nepochs = 1\n[env]\nplugin = pendulum\n[algorithm]\nplugin = sql\nalpha = 0\nanneal_epochs = 3\n",
    NULL, { "[algorithm] anneal_epochs", "needs alpha > 0" } },
  { "set-unknown-key", NULL, NULL, "env.gravty=9.8",
    { "--set env.gravty=9.8", "[env] gravty", "did you mean \"gravity\"" } },
  { "name-is-a-path", NULL, NULL, "experiment.name=../../escape",
    { "[experiment] name", "\"../../escape\": a name, not a path" } },
  { "replay-below-min", NULL, NULL, "experiment.replay_capacity=10",
    { "[experiment] min_replay_size", "1000 is more than replay_capacity 10", "no update would ever run" } },
  /* Within the key's range, beyond the machine (316 GiB): an error, not an
   * abort. */
  { "replay-too-large", NULL, NULL, "experiment.replay_capacity=10000000000",
    { "[experiment] replay_capacity", "10000000000 transitions", "cannot be allocated" } },
};

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *text = NULL;
  if (!c->find && !c->replace)
    text = g_strdup (good);
  else if (!c->find)
    text = g_strdup (c->replace);
  else
    {
      const char *at = strstr (good, c->find);
      g_assert_nonnull (at);
      text = g_strdup_printf ("%.*s%s%s", (int) (at - good), good, c->replace, at + strlen (c->find));
    }
  g_autofree char *file = srl_test_write (dir, "bad.ini", text);
  g_autofree char *out_dir = g_build_filename (dir, "run", NULL);
  g_autofree char *err = NULL;
  int status = c->set ? srl_test_run (NULL, NULL, &err, "run", file, "--out", out_dir, "--set", c->set, NULL)
                      : srl_test_run (NULL, NULL, &err, "run", file, "--out", out_dir, NULL);
  g_assert_cmpint (status, ==, 2);
  if (!c->set || strstr (c->set, "="))
    {
      if (!c->set && !strstr (err, file))
        g_error ("the message does not name the file %s: %s", file, err);
    }
  for (guint i = 0; i < G_N_ELEMENTS (c->expect) && c->expect[i]; i++)
    if (!strstr (err, c->expect[i]))
      g_error ("expected \"%s\" in: %s", c->expect[i], err);
  /* Refused before training: no run directory. */
  g_assert_false (g_file_test (out_dir, G_FILE_TEST_EXISTS));
  srl_test_rmtree (dir);
}

static void
test_missing_file (void)
{
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", "/nonexistent/x.ini", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "/nonexistent/x.ini"));
}

/* A binary file given as the experiment: refused with a message that quotes
 * a printable excerpt, not the file's bytes. */
static void
test_binary_file (void)
{
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "binary.ini", NULL);
  char bytes[4096];
  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (char) ((i * 37 + 11) % 256 ? (i * 37 + 11) % 256 : 1);
  g_assert_true (g_file_set_contents (path, bytes, sizeof bytes, NULL));
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", path, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "not a valid keyfile"));
  g_assert_true (g_utf8_validate (err, -1, NULL));
  for (const char *p = err; *p; p++)
    g_assert_true (*p == '\n' || (guchar) *p >= 0x20);
  g_assert_cmpuint (g_utf8_strlen (err, -1), <, 400);
  srl_test_rmtree (dir);
}

static void
test_resolved_config_has_every_default (void)
{
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *file = srl_test_write (dir, "good.ini", good);
  g_autofree char *out_dir = g_build_filename (dir, "run", NULL);
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "run", file, "--out", out_dir, "-q", "--set", "algorithm.tau=0.01", NULL);
  if (status != 0)
    g_error ("run failed: %s", err);
  g_autofree char *config_path = g_build_filename (out_dir, "config.ini", NULL);
  g_autofree char *config = NULL;
  g_assert_true (g_file_get_contents (config_path, &config, NULL, NULL));
  g_assert_nonnull (strstr (config, "log_std_max = 2\n"));  /* a sampler default */
  g_assert_nonnull (strstr (config, "tau = 0.01\n"));        /* the override */
  g_assert_nonnull (strstr (config, "replay_capacity = 1000000\n"));
  g_assert_nonnull (strstr (config, "name = good\n"));
  /* The resolved file is itself an experiment: running it again works. */
  g_autofree char *again = g_build_filename (dir, "again", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", config_path, "--out", again, "-q", NULL), ==, 0);
  /* A run directory is never overwritten. */
  g_autofree char *err2 = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err2, "run", file, "--out", out_dir, NULL), ==, 2);
  g_assert_nonnull (strstr (err2, "already holds a run"));
  /* Nor a directory holding a run's results without its checkpoint. */
  g_autofree char *results = g_build_filename (dir, "results", NULL);
  g_assert_cmpint (g_mkdir (results, 0755), ==, 0);
  g_autofree char *progress = srl_test_write (results, "progress.csv", "mine\n");
  g_autofree char *err3 = NULL, *kept = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err3, "run", file, "--out", results, NULL), ==, 2);
  g_assert_nonnull (strstr (err3, "holds a run's files but no checkpoint to continue from (progress.csv)"));
  g_assert_true (g_file_get_contents (progress, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, "mine\n");
  srl_test_rmtree (dir);
}

/* --seed goes through experiment.seed's range: a negative one is refused,
 * not passed over. */
static void
test_seed_option (void)
{
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *file = srl_test_write (dir, "good.ini", good);
  g_autofree char *out_dir = g_build_filename (dir, "run", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", file, "--out", out_dir, "--seed", "-1", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "[experiment] seed: -1 is out of range"));
  g_assert_false (g_file_test (out_dir, G_FILE_TEST_EXISTS));
  srl_test_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/config/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], run_case);
    }
  g_test_add_func ("/config/missing-file", test_missing_file);
  g_test_add_func ("/config/seed-option", test_seed_option);
  g_test_add_func ("/config/binary-file", test_binary_file);
  g_test_add_func ("/config/resolved", test_resolved_config_has_every_default);
  return g_test_run ();
}

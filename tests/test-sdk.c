/* The plugin SDK from an installed prefix, the way a third party uses it.
 *
 * This build tree is installed into a staging directory (`make install
 * DESTDIR=…`); then, with nothing of the build or source tree on any path:
 *   - the out-of-tree examples (plugins/examples/) and the ddpg/td3 baseline
 *     are compiled with exactly the documented command,
 *         cc -shared -fPIC X.c -o X.so $(pkg-config --cflags --libs softrl)
 *     against the staged softrl.pc, so none of them may need a header that
 *     is not installed;
 *   - the installed `softrl` finds them through SOFTRL_PLUGIN_PATH beside the
 *     installed plugins, runs the examples' keyfile and evaluates the run,
 *     per-episode info columns included;
 *   - the installed conformance program, found through softrl.pc, walks
 *     them.
 * A staged prefix is not the configured one, so the test points the
 * installed programs at it: SOFTRL_PLUGIN_SYSTEM_PATH (the plugin directory
 * compiled in is the configured one), LD_LIBRARY_PATH (libsoftrl), and a copy
 * of softrl.pc whose absolute paths carry the staging directory (as a
 * sysroot would, but for this one file: glib-2.0's must stay as they are). */
#include <math.h>
#include <sys/wait.h>

#include "testutil.h"

static char *tmp, *destdir, *examples;
static char **env;

static char *
staged (const char *path)
{
  return g_strconcat (destdir, path, NULL);
}

/* Run argv (NULL-terminated) with the test environment in `cwd`; fail the
 * test with its output unless it exits 0.  Returns stdout. */
static char *
run_ok (const char *cwd, const char *const *argv)
{
  char *out = NULL, *err = NULL;
  int status = -1;
  GError *error = NULL;
  if (!g_spawn_sync (cwd, (char **) argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *cmd = g_strjoinv (" ", (char **) argv);
      g_error ("%s failed:\n%s%s", cmd, out, err);
    }
  g_free (err);
  return out;
}

/* A copy of the staged `name` (softrl.pc, softrl-mujoco.pc) with DESTDIR
 * before every absolute path, in tmp/pkgconfig. */
static void
stage_pkg_config (const char *name)
{
  g_autofree char *installed = g_build_filename (SRL_TEST_LIBDIR, "pkgconfig", name, NULL);
  g_autofree char *pc = staged (installed);
  g_autofree char *text = NULL;
  GError *error = NULL;
  g_file_get_contents (pc, &text, NULL, &error);
  g_assert_no_error (error);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GString *out = g_string_new (NULL);
  for (guint i = 0; lines[i]; i++)
    {
      char *eq = strchr (lines[i], '=');
      gboolean variable = eq && !strchr (lines[i], ':') && eq[1] == '/';
      if (variable)
        g_string_append_printf (out, "%.*s%s%s\n", (int) (eq - lines[i] + 1), lines[i], destdir, eq + 1);
      else
        g_string_append_printf (out, "%s\n", lines[i]);
    }
  g_autofree char *dir = g_build_filename (tmp, "pkgconfig", NULL);
  g_mkdir (dir, 0755);
  g_free (srl_test_write (dir, name, out->str));
  g_string_free (out, TRUE);
}

static void
stage_pkg_configs (void)
{
  stage_pkg_config ("softrl.pc");
  stage_pkg_config ("softrl-mujoco.pc");
  g_autofree char *dir = g_build_filename (tmp, "pkgconfig", NULL);
  const char *old = g_getenv ("PKG_CONFIG_PATH");
  g_autofree char *path = old && *old ? g_strconcat (dir, ":", old, NULL) : g_strdup (dir);
  env = g_environ_setenv (env, "PKG_CONFIG_PATH", path, TRUE);
}

static void
setup (void)
{
  tmp = srl_test_tmpdir ();
  destdir = g_build_filename (tmp, "stage", NULL);
  examples = g_build_filename (tmp, "examples", NULL);
  g_mkdir (examples, 0755);
  env = g_get_environ ();
  /* A make of our own, not a job of the one running the tests. */
  env = g_environ_unsetenv (env, "MAKEFLAGS");
  env = g_environ_unsetenv (env, "MFLAGS");
  env = g_environ_unsetenv (env, "MAKELEVEL");
  g_autofree char *destdir_arg = g_strconcat ("DESTDIR=", destdir, NULL);
  const char *install[] = { SRL_TEST_MAKE, "-s", "-C", SRL_ABS_TOP_BUILDDIR, "install", destdir_arg, NULL };
  g_free (run_ok (NULL, install));
  stage_pkg_configs ();
  g_autofree char *libdir = staged (SRL_TEST_LIBDIR);
  const char *old = g_getenv ("LD_LIBRARY_PATH");
  g_autofree char *ld = old && *old ? g_strconcat (libdir, ":", old, NULL) : g_strdup (libdir);
  env = g_environ_setenv (env, "LD_LIBRARY_PATH", ld, TRUE);
  g_autofree char *plugins = staged (SRL_TEST_PKGLIBDIR);
  env = g_environ_setenv (env, "SOFTRL_PLUGIN_SYSTEM_PATH", plugins, TRUE);
  env = g_environ_setenv (env, "SOFTRL_PLUGIN_PATH", examples, TRUE);
}

/* The documented build line, run by the shell as a user would type it;
 * `package` is softrl, or softrl-mujoco for an environment drawn with
 * MuJoCo's renderer. */
static void
compile_with (const char *source, const char *output, const char *package)
{
  g_autofree char *src = g_build_filename (SRL_ABS_TOP_SRCDIR, source, NULL);
  g_autofree char *qsrc = g_shell_quote (src);
  g_autofree char *cmd = g_strdup_printf ("%s -shared -fPIC %s -o %s $(%s --cflags --libs %s)", SRL_TEST_CC, qsrc,
                                          output, SRL_TEST_PKG_CONFIG, package);
  const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
  g_free (run_ok (examples, argv));
}

static void
compile (const char *source, const char *output)
{
  compile_with (source, output, "softrl");
}

static void
test_build (void)
{
  /* The compiler sees the staged headers and nothing of this tree. */
  const char *argv[] = { SRL_TEST_PKG_CONFIG, "--cflags", "softrl", NULL };
  g_autofree char *cflags = run_ok (NULL, argv);
  g_autofree char *includes = staged (SRL_TEST_INCLUDEDIR);
  g_assert_nonnull (strstr (cflags, includes));
  g_assert_null (strstr (cflags, SRL_ABS_TOP_SRCDIR));
  compile ("plugins/examples/point-reach.c", "point-reach.so");
  compile ("plugins/examples/grid-q.c", "grid-q.so");
  compile ("plugins/examples/cem.c", "cem.so");
  compile ("plugins/algorithms/ddpg.c", "ddpg.so");
  compile_with ("plugins/examples/mujoco-pendulum.c", "mujoco-pendulum.so", "softrl-mujoco");
}

/* An environment built out of tree on MuJoCo renders through the installed
 * libsoftrl-mujoco: trained a little, then filmed by the installed softrl. */
static void
test_render (void)
{
  g_autofree char *bin = staged (SRL_TEST_BINDIR "/softrl");
  g_autofree char *ini = srl_test_write (tmp, "mujoco-pendulum.ini",
                                         "[experiment]\nepochs = 1\nsteps_per_epoch = 60\ninitial_random_steps = 30\n"
                                         "min_replay_size = 30\nreplay_capacity = 1000\neval_episodes = 1\n"
                                         "[env]\nplugin = mujoco-pendulum\n[algorithm]\nplugin = sac\nbatch_size = 16\n");
  g_autofree char *run = g_build_filename (tmp, "mujoco-run", NULL);
  const char *train[] = { bin, "run", ini, "--out", run, "-q", NULL };
  g_free (run_ok (NULL, train));
  g_autofree char *png = g_build_filename (tmp, "mujoco-pendulum.png", NULL);
  const char *render[] = { bin, "render", run, "-o", png, "--width", "160", "--height", "120", "--frame", "5", NULL };
  g_autofree char *out = run_ok (NULL, render);
  g_assert_nonnull (strstr (out, "1 frame, 160×120"));
  g_autofree char *bytes = NULL;
  gsize length = 0;
  g_assert_true (g_file_get_contents (png, &bytes, &length, NULL));
  g_assert_true (length > 1000 && memcmp (bytes, "\x89PNG", 4) == 0);
}

/* cem learns from whole episodes through episode_end(): its elite return is
 * set once a generation has had its episodes, and the state it keeps
 * between episodes resumes exactly. */
static void
test_episode_end (void)
{
  g_autofree char *bin = staged (SRL_TEST_BINDIR "/softrl");
  g_autofree char *ini = g_build_filename (tmp, "cem.ini", NULL);
  g_assert_true (g_file_set_contents (ini,
                                      "[experiment]\nepochs = 3\nsteps_per_epoch = 500\neval_episodes = 2\n"
                                      "initial_random_steps = 0\nmin_replay_size = 1\n"
                                      "[env]\nplugin = point-reach\n[algorithm]\nplugin = cem\npopulation = 4\n",
                                      -1, NULL));
  g_autofree char *whole = g_build_filename (tmp, "cem-whole", NULL);
  g_autofree char *parts = g_build_filename (tmp, "cem-parts", NULL);
  const char *train[] = { bin, "run", ini, "--out", whole, "-q", NULL };
  g_free (run_ok (NULL, train));
  const char *first[] = { bin, "run", ini, "--out", parts, "-q", "--interrupt-after-steps", "700", NULL };
  char *out = NULL;
  int status = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) first, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status,
                               NULL));
  g_free (out);
  g_assert_cmpint (WEXITSTATUS (status), ==, 130);
  const char *resume[] = { bin, "run", "--resume", parts, "-q", NULL };
  g_free (run_ok (NULL, resume));
  g_autofree char *csv_whole = g_build_filename (whole, "progress.csv", NULL);
  g_autofree char *csv_parts = g_build_filename (parts, "progress.csv", NULL);
  guint n, m;
  g_autofree double *elite = srl_test_csv_column (csv_whole, "elite_return", &n);
  g_autofree double *elite_parts = srl_test_csv_column (csv_parts, "elite_return", &m);
  g_autofree double *eval = srl_test_csv_column (csv_whole, "eval_return_mean", &n);
  g_autofree double *eval_parts = srl_test_csv_column (csv_parts, "eval_return_mean", &m);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (m, ==, 3);
  g_assert_cmpfloat (elite[2], !=, 0);

  /* Evaluated where its plugin is not on the path, the run names the file
   * it loaded the plugin from. */
  g_auto (GStrv) bare = g_environ_unsetenv (g_strdupv (env), "SOFTRL_PLUGIN_PATH");
  const char *evaluate[] = { bin, "eval", whole, NULL };
  char *eval_err = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) evaluate, bare, 0, NULL, NULL, NULL, &eval_err, &status, NULL));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_autofree char *cem_so = g_build_filename (examples, "cem.so", NULL);
  g_autofree char *hint = g_strdup_printf ("the run loaded algorithm \"cem\" from %s (add %s to SOFTRL_PLUGIN_PATH)",
                                           cem_so, examples);
  g_assert_nonnull (strstr (eval_err, hint));
  g_free (eval_err);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpfloat (elite[i], ==, elite_parts[i]);
      g_assert_cmpfloat (eval[i], ==, eval_parts[i]);
    }
}

static void
test_run (void)
{
  g_autofree char *bin = staged (SRL_TEST_BINDIR "/softrl");
  /* Listed with their files: examples from SOFTRL_PLUGIN_PATH, the rest
   * (and ddpg.so, shadowed by the one built here) from the staged prefix. */
  const char *list[] = { bin, "plugins", NULL };
  g_autofree char *listing = run_ok (NULL, list);
  g_autofree char *ex_env = g_build_filename (examples, "point-reach.so", NULL);
  g_autofree char *ex_alg = g_build_filename (examples, "grid-q.so", NULL);
  g_autofree char *ex_ddpg = g_build_filename (examples, "ddpg.so", NULL);
  g_autofree char *sac = staged (SRL_TEST_PKGLIBDIR "/sac.so");
  g_assert_nonnull (strstr (listing, ex_env));
  g_assert_nonnull (strstr (listing, ex_alg));
  g_assert_nonnull (strstr (listing, ex_ddpg));
  g_assert_nonnull (strstr (listing, sac));
  g_assert_null (strstr (listing, SRL_ABS_TOP_BUILDDIR));

  /* The examples' keyfile, shortened. */
  g_autofree char *ini = g_build_filename (SRL_ABS_TOP_SRCDIR, "plugins/examples/point-reach.ini", NULL);
  g_autofree char *run = g_build_filename (tmp, "run", NULL);
  const char *train[] = { bin, "run", ini, "--out", run, "-q", "--seed", "1",
                          "--set", "experiment.epochs=2", "--set", "experiment.steps_per_epoch=400",
                          "--set", "experiment.initial_random_steps=200", "--set", "experiment.min_replay_size=200",
                          "--set", "experiment.eval_episodes=2", NULL };
  g_free (run_ok (NULL, train));
  g_autofree char *csv = g_build_filename (run, "progress.csv", NULL);
  guint n;
  g_autofree double *epochs = srl_test_csv_column (csv, "epoch", &n);
  g_assert_cmpuint (n, ==, 2);
  g_autofree double *q_loss = srl_test_csv_column (csv, "q_loss", &n);
  g_assert_true (isfinite (q_loss[1]));
  g_autofree double *q_mean = srl_test_csv_column (csv, "q_mean", &n); /* grid-q's own column */
  g_assert_true (isfinite (q_mean[1]));

  g_autofree char *episodes = g_build_filename (tmp, "episodes.csv", NULL);
  const char *eval[] = { bin, "eval", run, "--episodes", "3", "--out", episodes, NULL };
  g_free (run_ok (NULL, eval));
  g_autofree double *reached = srl_test_csv_column (episodes, "reached", &n);
  g_assert_cmpuint (n, ==, 3);
  g_autofree double *distance = srl_test_csv_column (episodes, "final_distance", &n);
  for (guint i = 0; i < n; i++)
    g_assert_true (distance[i] >= 0 && (reached[i] == 0 || reached[i] == 1));
}

static void
test_conformance (void)
{
  /* Found the documented way, through softrl.pc. */
  const char *query[] = { SRL_TEST_PKG_CONFIG, "--variable=conformance", "softrl", NULL };
  g_autofree char *conformance = g_strstrip (run_ok (NULL, query));
  g_autofree char *expected = staged (SRL_TEST_PKGLIBEXECDIR "/conformance");
  g_assert_cmpstr (conformance, ==, expected);
  const char *argv[] = { conformance, "-p", "/conformance/env/point-reach", "-p", "/conformance/algorithm/grid-q",
                         "-p", "/conformance/algorithm/cem", "-p", "/conformance/algorithm/td3", NULL };
  g_autofree char *out = run_ok (NULL, argv);
  /* Each case ran and passed: its TAP line is "ok N PATH" (a -p that
   * matched nothing would pass silently). */
  for (guint i = 1; argv[i]; i += 2)
    {
      g_autofree char *line = g_strconcat (" ", argv[i + 1], "\n", NULL);
      const char *at = strstr (out, line);
      g_assert_nonnull (at);
      while (at > out && at[-1] != '\n')
        at--;
      g_assert_true (g_str_has_prefix (at, "ok "));
    }

  /* An environment alone: no sampler is loaded when only the examples'
   * directory is searched, and the walk still runs. */
  g_auto (GStrv) alone = g_environ_setenv (g_strdupv (env), "SOFTRL_PLUGIN_SYSTEM_PATH", "", TRUE);
  const char *walk[] = { conformance, "-p", "/conformance/env/point-reach", NULL };
  char *walk_out = NULL, *walk_err = NULL;
  int status = -1;
  g_assert_true (g_spawn_sync (NULL, (char **) walk, alone, 0, NULL, NULL, &walk_out, &walk_err, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (walk_out, "ok 1 /conformance/env/point-reach"));
  g_free (walk_out);
  g_free (walk_err);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  setup ();
  g_test_add_func ("/sdk/build", test_build);
  g_test_add_func ("/sdk/run", test_run);
  g_test_add_func ("/sdk/episode-end", test_episode_end);
  g_test_add_func ("/sdk/render", test_render);
  g_test_add_func ("/sdk/conformance", test_conformance);
  int status = g_test_run ();
  srl_test_rmtree (tmp);
  g_strfreev (env);
  return status;
}

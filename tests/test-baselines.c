/* The deterministic baselines ddpg and td3 (plugins/algorithms/ddpg.c).
 *
 * Learning: td3 on Pendulum-v1 (experiments/pendulum-td3.ini, seed 1) must
 * reach a mean deterministic evaluation return of at least −250 over 5
 * episodes within 15,000 environment steps.  A random policy scores about
 * −1200, one that only stopped spinning about −900; a sign error in the
 * actor's gradient, critics that do not bootstrap or targets that never move
 * stay far below.  The paper's 400–300 networks take minutes on one core, so
 * the test trains 64–64 networks; every other value is the paper's.
 *
 * Resume: ddpg explores with an Ornstein–Uhlenbeck process kept in act()'s
 * per-episode memory; a run interrupted mid-episode and resumed must write
 * the same progress as an uninterrupted one, which fails unless the core
 * saves that memory and the plugin saves everything update() uses.
 *
 * Experiments: the other shipped experiment files of these plugins load and
 * train (briefly, with small networks). */
#include <math.h>

#include "testutil.h"

static void
test_td3_pendulum (void)
{
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *ini = srl_test_experiment ("pendulum-td3.ini");
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "run", ini, "--out", run, "--seed", "1", "-q", "--set",
                             "algorithm.hidden_sizes=64;64", "--set", "experiment.eval_episodes=5", "--set",
                             "experiment.eval_deterministic=true", NULL);
  if (status != 0)
    g_error ("run failed: %s", err);
  double first_step;
  g_assert_cmpfloat (srl_test_best_eval_return (run, 15000, -250, &first_step), >=, -250);
  srl_test_rmtree (dir);
}

static const char *ddpg_experiment =
  "[experiment]\nepochs = 3\nsteps_per_epoch = 300\neval_episodes = 1\ninitial_random_steps = 100\n"
  "min_replay_size = 100\ncheckpoint_interval = 1\nseed = 4\n"
  "[env]\nplugin = pendulum\n"
  "[algorithm]\nplugin = ddpg\nbatch_size = 32\nhidden_sizes = 32;32\n";

static void
test_ddpg_resume (void)
{
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *file = srl_test_write (dir, "ddpg.ini", ddpg_experiment);
  g_autofree char *reference = g_build_filename (dir, "reference", NULL);
  g_autofree char *resumed = g_build_filename (dir, "resumed", NULL);
  g_autofree char *err = NULL;
  if (srl_test_run (NULL, NULL, &err, "run", file, "--out", reference, "-q", NULL) != 0)
    g_error ("reference run failed: %s", err);
  /* Step 430 is 30 steps into an episode: the OU state is far from 0. */
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", file, "--out", resumed, "-q", "--interrupt-after-steps", "430",
                                 NULL),
                   ==, 130);
  g_clear_pointer (&err, g_free);
  if (srl_test_run (NULL, NULL, &err, "run", "--resume", resumed, "-q", NULL) != 0)
    g_error ("resume failed: %s", err);
  g_autofree char *a = g_build_filename (reference, "progress.csv", NULL);
  g_autofree char *b = g_build_filename (resumed, "progress.csv", NULL);
  const char *columns[] = { "train_return_mean", "eval_return_mean", "q_loss", "policy_loss", "q_mean", "saturation",
                            "updates" };
  for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
    {
      guint na, nb;
      g_autofree double *x = srl_test_csv_column (a, columns[c], &na);
      g_autofree double *y = srl_test_csv_column (b, columns[c], &nb);
      g_assert_cmpuint (na, ==, 3);
      g_assert_cmpuint (nb, ==, na);
      for (guint i = 0; i < na; i++)
        if (memcmp (&x[i], &y[i], sizeof (double)) != 0)
          g_error ("%s, epoch %u: %.9g uninterrupted, %.9g resumed", columns[c], i + 1, x[i], y[i]);
    }
  srl_test_rmtree (dir);
}

static void
test_experiments (void)
{
  const char *files[] = { "pendulum-ddpg.ini", "pendulum-sac-deterministic.ini" };
  g_autofree char *dir = srl_test_tmpdir ();
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *ini = srl_test_experiment (files[i]);
      g_autofree char *run = g_build_filename (dir, files[i], NULL);
      g_autofree char *err = NULL;
      int status = srl_test_run (NULL, NULL, &err, "run", ini, "--out", run, "-q", "--set", "experiment.epochs=1",
                                 "--set", "experiment.steps_per_epoch=300", "--set", "experiment.initial_random_steps=100",
                                 "--set", "experiment.min_replay_size=100", "--set", "experiment.eval_episodes=1",
                                 "--set", "algorithm.hidden_sizes=16;16", NULL);
      if (status != 0)
        g_error ("%s failed: %s", files[i], err);
    }
  srl_test_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/baselines/td3-pendulum", test_td3_pendulum);
  g_test_add_func ("/baselines/ddpg-resume", test_ddpg_resume);
  g_test_add_func ("/baselines/experiments", test_experiments);
  return g_test_run ();
}

/* Learning: seeded runs that a broken implementation cannot pass.
 *
 * sac-auto on Pendulum-v1 (seed 1) must reach a mean deterministic
 * evaluation return of at least −250 over 5 episodes within 15,000
 * environment steps, with the tanh-Gaussian policy
 * (experiments/pendulum-sac-auto.ini) and with the real NVP latent space
 * policy (experiments/pendulum-sac-lsp.ini, SAC-LSP).  A random policy scores
 * about −1200; a policy that only learned to stop spinning, about −900. */
#include <math.h>

#include "testutil.h"

static void
test_pendulum (gconstpointer experiment)
{
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autofree char *ini = srl_test_experiment (experiment);
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "run", ini, "--out", run, "--seed", "1", "-q",
                             "--set", "experiment.eval_episodes=5", "--set", "experiment.eval_deterministic=true", NULL);
  if (status != 0)
    g_error ("run failed: %s", err);
  double first_step;
  g_assert_cmpfloat (srl_test_best_eval_return (run, 15000, -250, &first_step), >=, -250);
  srl_test_rmtree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/learning/sac-auto-pendulum", "pendulum-sac-auto.ini", test_pendulum);
  g_test_add_data_func ("/learning/sac-auto-realnvp-pendulum", "pendulum-sac-lsp.ini", test_pendulum);
  return g_test_run ();
}

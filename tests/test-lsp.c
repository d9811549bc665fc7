/* Latent space policy hierarchies (algorithm lsp, thesis chapter 7):
 *   composition  a three-level policy saved as run directories acts exactly
 *                as its layers' samplers composed by hand, f₀(f₁(f₂(ξ; s); s); s),
 *                and `softrl eval` runs it;
 *   refused      missing, unreadable, non-invertible, misplaced and
 *                dimension-mismatched layers are refused before training with
 *                the file, group and key; a stacked policy whose lower layer
 *                changed since is refused by `softrl eval`;
 *   options      held actions and the per-episode latent of C.4;
 *   evaluation   evaluating between epochs leaves training untouched when an
 *                epoch ends mid-episode (the agent's observation and memory
 *                are restored);
 *   resume       a layer interrupted mid-episode and mid-hold resumes exactly.
 * The runs are tiny (300 steps, 16-unit networks): they test plumbing, not
 * learning. */
#include <math.h>

#include "runner.h"
#include "testutil.h"

static char *tmp;
static char *run0, *run1, *run2;

static const char *const tiny[] = {
  "experiment.epochs=1", "experiment.steps_per_epoch=300", "experiment.initial_random_steps=100",
  "experiment.min_replay_size=100", "experiment.eval_episodes=1", "env.max_episode_steps=100",
  "algorithm.batch_size=16", "algorithm.hidden_sizes=16;16", "sampler.hidden_sizes=16;16", NULL
};

/* The arguments of `softrl run EXPERIMENT` (of experiments/, or an absolute
 * path) -q --out TMP/NAME with the tiny settings; add more, then spawn(). */
static GPtrArray *
run_argv (const char *experiment, const char *name)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup (srl_test_bin ()));
  g_ptr_array_add (argv, g_strdup ("run"));
  g_ptr_array_add (argv, g_path_is_absolute (experiment) ? g_strdup (experiment) : srl_test_experiment (experiment));
  g_ptr_array_add (argv, g_strdup ("-q"));
  g_ptr_array_add (argv, g_strdup ("--out"));
  g_ptr_array_add (argv, g_build_filename (tmp, name, NULL));
  for (guint i = 0; tiny[i]; i++)
    {
      g_ptr_array_add (argv, g_strdup ("--set"));
      g_ptr_array_add (argv, g_strdup (tiny[i]));
    }
  return argv;
}

static void
add_set (GPtrArray *argv, const char *set)
{
  g_ptr_array_add (argv, g_strdup ("--set"));
  g_ptr_array_add (argv, g_strdup (set));
}

/* Run and free `argv`; the exit status, and stderr into *err (free it). */
static int
spawn (GPtrArray *argv, char **err)
{
  g_ptr_array_add (argv, NULL);
  int status = -1;
  GError *error = NULL;
  char *e = NULL;
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &e, &status,
                     &error))
    g_error ("cannot run softrl: %s", error->message);
  g_ptr_array_unref (argv);
  if (err)
    *err = e;
  else
    g_free (e);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* `softrl run` of run_argv() with the extra --set values (NULL-terminated). */
static int
run (const char *experiment, const char *name, char **err, ...)
{
  GPtrArray *argv = run_argv (experiment, name);
  va_list ap;
  va_start (ap, err);
  for (const char *s = va_arg (ap, const char *); s; s = va_arg (ap, const char *))
    add_set (argv, s);
  va_end (ap);
  return spawn (argv, err);
}

static char *
must_run (const char *experiment, const char *name, const char *layers)
{
  g_autofree char *err = NULL;
  g_autofree char *set = layers ? g_strdup_printf ("algorithm.layers=%s", layers) : NULL;
  if (run (experiment, name, &err, set, NULL) != 0)
    g_error ("softrl run %s failed: %s", experiment, err);
  return g_build_filename (tmp, name, NULL);
}

/* ------------------------------------------------------------------ composition */

typedef struct {
  SrlExperiment *x;
  SrlSampler *s;
} HandLayer;

/* A run's sampler built and loaded by hand, from its config.ini and its
 * policy.safetensors. */
static HandLayer
hand_layer (SrlRegistry *registry, const char *dir, gboolean env_actions)
{
  GError *error = NULL;
  HandLayer l;
  l.x = srl_experiment_load_run (registry, dir, NULL, &error);
  g_assert_no_error (error);
  SrlSamplerShape shape = { 4, 2, 1, env_actions };
  SrlRng rng;
  srl_rng_init (&rng, 1234);
  l.s = srl_sampler_new (srl_experiment_sampler (l.x), &shape, &rng, &error);
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (dir, SRL_RUN_POLICY, NULL);
  g_autoptr (SrlStateReader) r = srl_state_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (srl_weights_load (srl_sampler_weights (l.s), r, "policy.", &error));
  return l;
}

static void
test_composition (void)
{
  g_autoptr (SrlRegistry) registry = srl_registry_new ();
  srl_registry_load_default (registry);
  GError *error = NULL;
  g_autoptr (SrlLoadedPolicy) policy = srl_loaded_policy_new (registry, run2, NULL, &error);
  g_assert_no_error (error);
  HandLayer f[3] = { hand_layer (registry, run0, TRUE), hand_layer (registry, run1, FALSE),
                     hand_layer (registry, run2, FALSE) };
  SrlAgent *agent = policy->agent;
  g_assert_cmpuint (agent->act_dim, ==, 2);
  SrlRng rng;
  srl_rng_init (&rng, 77);
  double worst = 0;
  for (int t = 0; t < 40; t++)
    {
      SrlActMode mode = t % 2 ? SRL_ACT_STOCHASTIC : SRL_ACT_DETERMINISTIC;
      float obs[4], xi[2] = { 0, 0 }, h2[2], h1[2], a[2];
      srl_rng_fill_uniform (&rng, obs, 4, -1, 1);
      /* The top layer's latent: lsp-point-maze.ini draws it once per
       * episode, as the first draw of the episode's stream. */
      SrlRng copy = rng;
      if (mode == SRL_ACT_STOCHASTIC)
        srl_rng_fill_normal (&copy, xi, 2);
      memset (agent->memory, 0, agent->memory_size * sizeof (float));
      agent->descriptor->act (agent->algorithm, &rng, mode, obs, 0, agent->memory, agent->agent_action,
                              agent->env_action);
      srl_sampler_sample (f[2].s, 1, obs, xi, h2, NULL);
      srl_sampler_sample (f[1].s, 1, obs, h2, h1, NULL);
      srl_sampler_sample (f[0].s, 1, obs, h1, a, NULL);
      for (int j = 0; j < 2; j++)
        {
          worst = MAX (worst, fabs (agent->agent_action[j] - h2[j]));
          worst = MAX (worst, fabs (agent->env_action[j] - a[j]));
          g_assert_cmpfloat (fabsf (a[j]), <, 1.0f);
        }
    }
  g_test_message ("largest difference between the stacked policy and its layers composed by hand: %g", worst);
  g_assert_cmpfloat (worst, <=, 1e-6);
  for (int i = 0; i < 3; i++)
    {
      srl_sampler_free (f[i].s);
      srl_experiment_free (f[i].x);
    }
  /* A stacked policy is a run directory softrl eval accepts. */
  g_autofree char *out = NULL, *err = NULL;
  int status = srl_test_run (NULL, &out, &err, "eval", run2, "--episodes", "2", "--stochastic", NULL);
  if (status != 0)
    g_error ("softrl eval %s: %s", run2, err);
}

/* ------------------------------------------------------------------ refusals */

static void
expect_refused (const char *layers, const char *const *phrases)
{
  g_autofree char *err = NULL;
  g_autofree char *set = g_strdup_printf ("algorithm.layers=%s", layers);
  int status = run ("lsp-point-maze.ini", "refused", &err, set, NULL);
  g_test_message ("layers = %s: %s", layers, err);
  g_assert_cmpint (status, ==, 2);
  /* The value came from --set: the message blames it, not the file. */
  g_autofree char *blamed = g_strdup_printf ("--set %s: [algorithm] layers: ", set);
  g_assert_nonnull (strstr (err, blamed));
  for (guint i = 0; phrases[i]; i++)
    if (!strstr (err, phrases[i]))
      g_error ("layers = %s: the error does not say \"%s\": %s", layers, phrases[i], err);
  /* Refused before training: no checkpoint. */
  g_autofree char *dir = g_build_filename (tmp, "refused", NULL);
  g_autofree char *checkpoint = g_build_filename (dir, SRL_RUN_CHECKPOINT, NULL);
  g_assert_false (g_file_test (checkpoint, G_FILE_TEST_EXISTS));
  srl_test_rmtree (dir);
}

static void
copy_file (const char *from_dir, const char *to_dir, const char *name)
{
  g_autofree char *from = g_build_filename (from_dir, name, NULL);
  g_autofree char *to = g_build_filename (to_dir, name, NULL);
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (from, &data, &len, NULL));
  g_assert_true (g_file_set_contents (to, data, len, NULL));
}

static void
test_refused (void)
{
  g_autofree char *missing = g_build_filename (tmp, "no-such-run", NULL);
  expect_refused (missing, (const char *const[]) { "layer 0", "not a run directory", NULL });

  /* Other dimensions: a pendulum layer under a point-maze layer. */
  g_autofree char *pendulum = must_run ("pendulum-sac-lsp.ini", "pendulum", NULL);
  expect_refused (pendulum, (const char *const[]) { "layer 0", "pendulum with 3 observations and 1 actions",
                                                    "4 observations and 2 actions", "do not chain", NULL });

  /* No inverse map. */
  g_autofree char *ini = srl_test_write (tmp, "gaussian.ini",
                                         "[env]\nplugin = point-maze\n[algorithm]\nplugin = sac\n"
                                         "[sampler]\nplugin = gaussian\n");
  g_autofree char *gaussian = must_run (ini, "gaussian", NULL);
  expect_refused (gaussian, (const char *const[]) { "layer 0", "\"gaussian\", which has no inverse map", NULL });

  /* Layers in the wrong places. */
  expect_refused (run1, (const char *const[]) { "layer 0", "trained over 1 layer", NULL });
  g_autofree char *swapped = g_strdup_printf ("%s;%s", run1, run0);
  expect_refused (swapped, (const char *const[]) { "layer 0", "trained over 1 layer", NULL });
  g_autofree char *wrong_base = g_strdup_printf ("%s;%s", pendulum, run1);
  expect_refused (wrong_base, (const char *const[]) { "layer 0", "do not chain", NULL });

  /* An unreadable policy file. */
  g_autofree char *broken = g_build_filename (tmp, "broken", NULL);
  g_mkdir (broken, 0755);
  copy_file (run0, broken, SRL_RUN_CONFIG);
  g_autofree char *policy = g_build_filename (broken, SRL_RUN_POLICY, NULL);
  g_assert_true (g_file_set_contents (policy, "not a safetensors file", -1, NULL));
  expect_refused (broken, (const char *const[]) { "layer 0", "policy.safetensors", NULL });

  /* A stacked policy whose layer below changed since it was trained. */
  g_autofree char *base = g_build_filename (tmp, "base-copy", NULL);
  g_mkdir (base, 0755);
  copy_file (run0, base, SRL_RUN_CONFIG);
  copy_file (run0, base, SRL_RUN_POLICY);
  g_autofree char *upper = must_run ("lsp-point-maze.ini", "upper", base);
  g_autofree char *out = NULL, *err2 = NULL;
  g_assert_cmpint (srl_test_run (NULL, &out, &err2, "eval", upper, "--episodes", "1", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err2, g_free);
  /* Another seed's policy: the same layout, other weights. */
  g_autofree char *seeded_err = NULL;
  g_assert_cmpint (run ("lsp-point-motion.ini", "seed9", &seeded_err, "experiment.seed=9", NULL), ==, 0);
  g_autofree char *seed9 = g_build_filename (tmp, "seed9", NULL);
  g_autofree char *other_base = g_strdup_printf ("%s;%s", seed9, run1);
  expect_refused (other_base, (const char *const[]) { "layer 1", "was trained over", "as its layer 0, not over", NULL });
  copy_file (seed9, base, SRL_RUN_POLICY);
  int status = srl_test_run (NULL, &out, &err2, "eval", upper, "--episodes", "1", NULL);
  g_test_message ("eval over a changed layer: %s", err2);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err2, "not the ones it was trained over"));
}

/* ------------------------------------------------------------------ options */

/* An lsp instance without layers, acting on a point-maze-like spec. */
static gpointer
make_lsp (SrlRegistry *registry, const char *const *sets, const SrlAlgorithmDescriptor **d, SrlSection **ap,
          SrlSection **sp)
{
  *d = (const void *) srl_registry_lookup (registry, SRL_KIND_ALGORITHM, "lsp");
  const SrlSamplerDescriptor *sd = (const void *) srl_registry_lookup (registry, SRL_KIND_SAMPLER, "realnvp");
  *ap = srl_section_new ("(test)", "algorithm", "lsp", (*d)->info.params);
  g_assert_true (srl_section_set (*ap, "batch_size", "16", "test", NULL));
  g_assert_true (srl_section_set (*ap, "hidden_sizes", "16;16", "test", NULL));
  for (guint i = 0; sets[i]; i += 2)
    g_assert_true (srl_section_set (*ap, sets[i], sets[i + 1], "test", NULL));
  srl_section_fill_defaults (*ap);
  *sp = srl_section_new ("(test)", "sampler", "realnvp", sd->info.params);
  srl_section_fill_defaults (*sp);
  static double low[2] = { -1, -1 }, high[2] = { 1, 1 };
  static SrlEnvSpec spec = { 4, 2, low, high, 100, NULL };
  static SrlSamplerFactory factory;
  factory = (SrlSamplerFactory) { sd, *sp };
  SrlAlgorithmContext ctx = { *ap, &spec, &factory, 5, registry };
  GError *error = NULL;
  gpointer a = (*d)->create (&ctx, &error);
  g_assert_no_error (error);
  return a;
}

static void
test_options (void)
{
  g_autoptr (SrlRegistry) registry = srl_registry_new ();
  srl_registry_load_default (registry);
  const SrlAlgorithmDescriptor *d;
  SrlSection *ap, *sp;
  float memory[6], obs[4], act[8][2], env_act[2];
  SrlRng rng;
  srl_rng_init (&rng, 3);

  /* hold_steps = 3: an action lasts three steps, whatever the observation. */
  gpointer a = make_lsp (registry, (const char *const[]) { "hold_steps", "3", NULL }, &d, &ap, &sp);
  g_assert_cmpuint (d->memory_size (a), ==, 6);
  memset (memory, 0, sizeof memory);
  for (guint t = 0; t < 7; t++)
    {
      srl_rng_fill_uniform (&rng, obs, 4, -1, 1);
      d->act (a, &rng, SRL_ACT_STOCHASTIC, obs, t, memory, act[t], env_act);
      g_assert_cmpmem (act[t], sizeof act[t], env_act, sizeof env_act);
    }
  for (guint t = 0; t < 7; t++)
    if (t % 3)
      g_assert_cmpmem (act[t], sizeof act[t], act[t - 1], sizeof act[t]);
    else if (t > 0)
      g_assert_cmpint (memcmp (act[t], act[t - 1], sizeof act[t]), !=, 0);
  d->destroy (a);
  srl_section_free (ap);
  srl_section_free (sp);

  /* latent_per_episode: the same latent all episode (the same action for
   * the same observation), a new one after the memory is cleared. */
  for (int keep = 0; keep < 2; keep++)
    {
      a = make_lsp (registry, (const char *const[]) { "latent_per_episode", keep ? "true" : "false", NULL }, &d, &ap,
                    &sp);
      const float fixed_obs[4] = { 0.2f, -0.3f, 0.1f, 0.5f };
      memset (memory, 0, sizeof memory);
      for (guint t = 0; t < 3; t++)
        d->act (a, &rng, SRL_ACT_STOCHASTIC, fixed_obs, t, memory, act[t], env_act);
      memset (memory, 0, sizeof memory);
      d->act (a, &rng, SRL_ACT_STOCHASTIC, fixed_obs, 0, memory, act[3], env_act);
      gboolean same01 = memcmp (act[0], act[1], sizeof act[0]) == 0, same12 = memcmp (act[1], act[2], sizeof act[0]) == 0;
      g_assert_cmpint (same01 && same12, ==, keep);
      g_assert_cmpint (memcmp (act[0], act[3], sizeof act[0]), !=, 0);
      d->destroy (a);
      srl_section_free (ap);
      srl_section_free (sp);
    }

  /* Random actions of a layer with the normal prior, kept per episode: one
   * prior draw for the whole episode. */
  a = make_lsp (registry, (const char *const[]) { "latent_per_episode", "true", "action_prior", "normal", NULL }, &d,
                &ap, &sp);
  memset (memory, 0, sizeof memory);
  for (guint t = 0; t < 4; t++)
    {
      srl_rng_fill_uniform (&rng, obs, 4, -1, 1);
      d->act (a, &rng, SRL_ACT_RANDOM, obs, t, memory, act[t], env_act);
    }
  for (guint t = 1; t < 4; t++)
    g_assert_cmpmem (act[t], sizeof act[t], act[0], sizeof act[0]);
  d->destroy (a);
  srl_section_free (ap);
  srl_section_free (sp);
}

/* ------------------------------------------------------------------ evaluation */

static void
test_eval_keeps_training (void)
{
  const char *columns[] = { "train_return_mean", "q_loss", "policy_loss", "entropy", "episodes" };
  g_autofree char *layers = g_strdup_printf ("algorithm.layers=%s", run0);
  g_autofree double *v[2][G_N_ELEMENTS (columns)];
  for (int e = 0; e < 2; e++)
    {
      /* 150-step epochs end in the middle of 100-step episodes. */
      g_autofree char *name = g_strdup_printf ("eval%d", e);
      g_autofree char *err = NULL;
      int status = run ("lsp-point-maze.ini", name, &err, layers, "experiment.epochs=3", "experiment.steps_per_epoch=150",
                        e ? "experiment.eval_episodes=2" : "experiment.eval_episodes=0", NULL);
      if (status != 0)
        g_error ("%s", err);
      g_autofree char *csv = g_build_filename (tmp, name, SRL_RUN_PROGRESS, NULL);
      for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
        {
          guint n;
          v[e][c] = srl_test_csv_column (csv, columns[c], &n);
          g_assert_cmpuint (n, ==, 3);
        }
    }
  for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
    for (int i = 0; i < 3; i++)
      if (!(v[0][c][i] == v[1][c][i] || (isnan (v[0][c][i]) && isnan (v[1][c][i]))))
        g_error ("epoch %d: %s is %.9g without evaluation and %.9g with it", i + 1, columns[c], v[0][c][i], v[1][c][i]);
}

/* ------------------------------------------------------------------ resume */

/* A layer over a saved layer, interrupted in the middle of an episode and of
 * a held action, resumes exactly: its checkpoint, the per-episode memory and
 * the layers reloaded from their run directories carry everything. */
static void
test_resume (void)
{
  g_autofree char *layers = g_strdup_printf ("algorithm.layers=%s", run0);
  const char *sets[] = { layers, "experiment.epochs=3", "experiment.steps_per_epoch=150",
                         "experiment.checkpoint_interval=1", "algorithm.hold_steps=4", NULL };
  GPtrArray *whole = run_argv ("lsp-point-maze.ini", "whole"), *cut = run_argv ("lsp-point-maze.ini", "cut");
  for (guint i = 0; sets[i]; i++)
    {
      add_set (whole, sets[i]);
      add_set (cut, sets[i]);
    }
  g_ptr_array_add (cut, g_strdup ("--interrupt-after-steps"));
  g_ptr_array_add (cut, g_strdup ("217"));
  g_autofree char *err = NULL;
  g_assert_cmpint (spawn (whole, NULL), ==, 0);
  g_assert_cmpint (spawn (cut, NULL), ==, 130);
  g_autofree char *whole_dir = g_build_filename (tmp, "whole", NULL);
  g_autofree char *cut_dir = g_build_filename (tmp, "cut", NULL);
  if (srl_test_run (NULL, NULL, &err, "run", "--resume", cut_dir, "-q", NULL) != 0)
    g_error ("resume: %s", err);
  g_autofree char *a = srl_test_progress_without_wall_clock (whole_dir);
  g_autofree char *b = srl_test_progress_without_wall_clock (cut_dir);
  g_assert_cmpstr (a, ==, b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp = srl_test_tmpdir ();
  /* Three layers: motion at the bottom, then two sparse-reward layers. */
  run0 = must_run ("lsp-point-motion.ini", "layer0", NULL);
  run1 = must_run ("lsp-point-maze.ini", "layer1", run0);
  g_autofree char *both = g_strdup_printf ("%s;%s", run0, run1);
  run2 = must_run ("lsp-point-maze.ini", "layer2", both);
  g_test_add_func ("/lsp/composition", test_composition);
  g_test_add_func ("/lsp/refused", test_refused);
  g_test_add_func ("/lsp/options", test_options);
  g_test_add_func ("/lsp/eval-keeps-training", test_eval_keeps_training);
  g_test_add_func ("/lsp/resume", test_resume);
  int status = g_test_run ();
  srl_test_rmtree (tmp);
  g_free (tmp);
  g_free (run0);
  g_free (run1);
  g_free (run2);
  return status;
}

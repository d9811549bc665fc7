/* Soft Q-learning (sql, svgd, point, compose, fine-tuning): the numerical
 * pieces against closed forms, SVGD against a known multimodal target, and
 * the saved-run features through the command line.
 *
 *   soft value    — the uniform-sample estimator of Equation 3.8 against the
 *                   closed form for a quadratic Q, and its stability;
 *   bandwidth     — appendix C.1's median rule on hand-made particle sets and
 *                   against a sorted median;
 *   svgd-mixture  — Stein variational gradient descent moves a particle set
 *                   onto a 2-D mixture of Gaussians with each mode's share
 *                   within 10 points of its weight; the amortized version
 *                   trains the svgd sampler network onto the same target;
 *   refusals      — sac refuses the density-free svgd sampler; init_from and
 *                   compose refuse runs whose spaces differ;
 *   init-from     — a fine-tuning run starts from exactly the saved weights;
 *   compose       — a composed run takes no environment steps and evaluates;
 *   figure output — softrl figure refuses an -o that would overwrite the
 *                   run or cannot be written, before drawing anything;
 *   learning      — sql learns to reach x = −1 on point from a seed;
 *   resume        — interrupted sql runs (online with OU noise and the
 *                   fine-tuning schedules, and an offline composition)
 *                   continue exactly. */
#include <math.h>

#include "testutil.h"
#include "../plugins/algorithms/sql/sql-math.h"

#define LEARN_EPOCHS "6"

/* ------------------------------------------------------------------ soft value */

/* ∫_{−1}^{1} exp(−k (x − m)²) dx */
static double
gauss_segment (double k, double m)
{
  double s = sqrt (k);
  return sqrt (G_PI / k) / 2 * (erf (s * (1 - m)) + erf (s * (1 + m)));
}

static void
test_soft_value (void)
{
  /* Q(a) = −c ‖a − μ‖² on [−1, 1]²:
   *   V = α log ∫ exp(Q/α) da = α Σ_d log ∫ exp(−(c/α)(a_d − μ_d)²) da_d. */
  const double c = 2.0, mu[2] = { 0.3, -0.2 };
  const double alphas[] = { 0.5, 2.0 };
  const guint n = 200000;
  g_autofree float *q = g_new (float, n);
  SrlRng rng;
  srl_rng_init (&rng, 11);
  for (guint t = 0; t < G_N_ELEMENTS (alphas); t++)
    {
      double alpha = alphas[t];
      for (guint i = 0; i < n; i++)
        {
          double a0 = srl_rng_uniform_range (&rng, -1, 1), a1 = srl_rng_uniform_range (&rng, -1, 1);
          q[i] = (float) (-c * ((a0 - mu[0]) * (a0 - mu[0]) + (a1 - mu[1]) * (a1 - mu[1])));
        }
      double closed = alpha * (log (gauss_segment (c / alpha, mu[0])) + log (gauss_segment (c / alpha, mu[1])));
      double est = sql_soft_value (q, n, (float) alpha, 2);
      g_test_message ("α = %g: estimate %.5f, closed form %.5f", alpha, est, closed);
      /* Monte Carlo error of 200,000 samples: well below 0.005 here. */
      g_assert_cmpfloat (fabs (est - closed), <, 0.005);
      /* Without the uniform density's normaliser (2² = 4) the estimate
       * would be off by α log 4; the tolerance excludes that. */
      g_assert_cmpfloat (alpha * log (4.0), >, 0.5);
    }
  /* Stable for huge Q/α: exp(1e4/0.01) overflows any float. */
  float big[4] = { 10000, 9999, 9990, 9000 };
  float v = sql_soft_value (big, 4, 0.01f, 1);
  g_assert_true (isfinite (v));
  /* Dominated by the largest term: 10000 + 0.01 (log(1/4 · (1 + e^-100 …)) + log 2). */
  g_assert_cmpfloat (fabs (v - (10000 + 0.01 * (log (0.25) + G_LN2))), <, 2e-3);
  /* Shifting Q shifts V. */
  float small[4] = { 0, -1, -10, -1000 };
  g_assert_cmpfloat (fabs (sql_soft_value (small, 4, 0.01f, 1) - (v - 10000)), <, 2e-3);
}

/* ------------------------------------------------------------------ bandwidth */

static int
cmp_float (gconstpointer a, gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;
  return x < y ? -1 : x > y;
}

static void
test_bandwidth (void)
{
  /* M = 2 kernel-defining particles (0,0), (1,0); K = 2 updated ones (0,1),
   * (3,0).  Squared distances 1, 9, 2, 4: median (2 + 4)/2 = 3, and
   * h = 3 / (2 log 3). */
  float x[] = { 0, 0, 1, 0 }, y[] = { 0, 1, 3, 0 }, d[4];
  sql_pairwise_sq_dist (x, 2, y, 2, 2, d);
  g_assert_cmpfloat (d[0], ==, 1);
  g_assert_cmpfloat (d[1], ==, 9);
  g_assert_cmpfloat (d[2], ==, 2);
  g_assert_cmpfloat (d[3], ==, 4);
  g_assert_cmpfloat_with_epsilon (sql_kernel_bandwidth (d, 2, 2), 3 / (2 * log (3.0)), 1e-6);
  /* An odd count: M = 3, K = 1, squared distances 1, 4, 16: median 4,
   * h = 4 / (2 log 4). */
  float x3[] = { 1, 2, 4 }, y1[] = { 0 }, d3[3];
  sql_pairwise_sq_dist (x3, 3, y1, 1, 1, d3);
  g_assert_cmpfloat_with_epsilon (sql_kernel_bandwidth (d3, 3, 1), 4 / (2 * log (4.0)), 1e-6);
  /* Coincident particles: the floor keeps κ finite. */
  float same[6] = { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f }, ds[9];
  sql_pairwise_sq_dist (same, 3, same, 3, 2, ds);
  g_assert_cmpfloat (sql_kernel_bandwidth (ds, 3, 3), ==, SQL_MIN_BANDWIDTH);
  /* Random sets against a sorted median, even and odd counts, with ties,
   * small and as large as the multi-goal task's 100 × 100. */
  SrlRng rng;
  srl_rng_init (&rng, 3);
  g_autofree float *dist = g_new (float, 101 * 101);
  g_autofree float *sorted = g_new (float, 101 * 101);
  for (guint trial = 0; trial < 300; trial++)
    {
      guint top = trial < 200 ? 12 : 101;
      guint m = 1 + (guint) srl_rng_below (&rng, top), k = 1 + (guint) srl_rng_below (&rng, top);
      for (guint i = 0; i < m * k; i++)
        dist[i] = trial % 3 == 0 ? (float) srl_rng_below (&rng, 4) : (float) srl_rng_uniform (&rng);
      memcpy (sorted, dist, m * k * sizeof (float));
      qsort (sorted, m * k, sizeof (float), cmp_float);
      guint n = m * k;
      float median = n % 2 ? sorted[n / 2] : 0.5f * (sorted[n / 2 - 1] + sorted[n / 2]);
      float want = MAX (median / (2 * logf (m + 1.0f)), SQL_MIN_BANDWIDTH);
      g_assert_cmpfloat_with_epsilon (sql_kernel_bandwidth (dist, m, k), want, 1e-6 * MAX (want, 1));
    }
}

/* ------------------------------------------------------------------ SVGD on a mixture */

/* The target: a mixture of three isotropic 2-D Gaussians, 4σ or more
 * apart.  With the median-rule bandwidth SVGD's particles do not cross
 * between modes that are far apart relative to it (each mode keeps the
 * particles its basin caught at the start), so the modes are apart enough
 * to be distinct and close enough for the kernel to move mass between
 * them: particles spread evenly over the modes (a third each) fail. */
static const double mode_xy[3][2] = { { -0.5, -0.4 }, { 0.5, -0.4 }, { 0.0, 0.5 } };
static const double mode_w[3] = { 0.2, 0.3, 0.5 };
static const double mode_sd = 0.25;

/* ∇ log p at a (2-D). */
static void
mixture_score (const float *a, float *score)
{
  double resp[3], total = 0;
  for (int c = 0; c < 3; c++)
    {
      double dx = a[0] - mode_xy[c][0], dy = a[1] - mode_xy[c][1];
      resp[c] = mode_w[c] * exp (-(dx * dx + dy * dy) / (2 * mode_sd * mode_sd));
      total += resp[c];
    }
  double g[2] = { 0, 0 };
  for (int c = 0; c < 3; c++)
    for (int j = 0; j < 2; j++)
      g[j] += resp[c] / MAX (total, 1e-300) * -(a[j] - mode_xy[c][j]) / (mode_sd * mode_sd);
  score[0] = (float) g[0];
  score[1] = (float) g[1];
}

/* Each mode's share of the particles (nearest mode), against its weight. */
static void
assert_shares (const float *a, guint n, const char *what)
{
  double share[3] = { 0, 0, 0 };
  for (guint i = 0; i < n; i++)
    {
      int best = 0;
      double best_d = INFINITY;
      for (int c = 0; c < 3; c++)
        {
          double dx = a[2 * i] - mode_xy[c][0], dy = a[2 * i + 1] - mode_xy[c][1];
          if (dx * dx + dy * dy < best_d)
            {
              best_d = dx * dx + dy * dy;
              best = c;
            }
        }
      share[best] += 1.0 / n;
    }
  g_test_message ("%s: mode shares %.3f %.3f %.3f (weights 0.2 0.3 0.5)", what, share[0], share[1], share[2]);
  for (int c = 0; c < 3; c++)
    g_assert_cmpfloat (fabs (share[c] - mode_w[c]), <=, 0.10);
}

static void
test_svgd_particles (void)
{
  /* Plain SVGD: every particle both defines the kernel and moves. */
  const guint n = 300;
  g_autofree float *a = g_new (float, 2 * n), *score = g_new (float, 2 * n), *delta = g_new (float, 2 * n);
  g_autofree float *dist = g_new (float, n * n), *kappa = g_new (float, n * n);
  SrlRng rng;
  srl_rng_init (&rng, 1);
  for (guint i = 0; i < 2 * n; i++)
    a[i] = (float) (0.5 * srl_rng_normal (&rng));
  for (guint it = 0; it < 1500; it++)
    {
      for (guint i = 0; i < n; i++)
        mixture_score (a + 2 * i, score + 2 * i);
      sql_pairwise_sq_dist (a, n, a, n, 2, dist);
      float h = sql_kernel_bandwidth (dist, n, n);
      sql_stein_direction (a, score, n, a, n, 2, dist, h, 1.0f, kappa, delta);
      for (guint i = 0; i < 2 * n; i++)
        a[i] += 2e-3f * delta[i];
    }
  assert_shares (a, n, "particle SVGD");
}

static void
test_svgd_amortized (void)
{
  /* Amortized SVGD as sql runs it: the svgd sampler network (one constant
   * observation, no squashing) is trained so that its samples follow the
   * mixture — M fixed particles define the kernel, K updated particles
   * carry the Stein direction back through srl_sampler_backward. */
  g_autoptr (SrlRegistry) registry = srl_registry_new ();
  srl_registry_load_default (registry);
  const SrlSamplerDescriptor *d = (const void *) srl_registry_lookup (registry, SRL_KIND_SAMPLER, "svgd");
  g_assert_nonnull (d);
  g_autoptr (SrlSection) params = srl_section_new ("(test)", "sampler", "svgd", d->info.params);
  srl_section_set (params, "hidden_sizes", "64;64", "test", NULL);
  srl_section_fill_defaults (params);
  const guint M = 64, K = 64, N = 1000;
  SrlSamplerShape shape = { 1, 2, MAX (K, N), FALSE };
  SrlSamplerFactory factory = { d, params };
  SrlRng rng;
  srl_rng_init (&rng, 2);
  GError *error = NULL;
  g_autoptr (SrlSampler) s = srl_sampler_new (&factory, &shape, &rng, &error);
  g_assert_no_error (error);
  g_autoptr (SrlAdam) adam = srl_adam_new (srl_sampler_weights (s), 1e-3, 0.9, 0.999, 1e-8);
  g_autofree float *obs = g_new0 (float, MAX (K, N)), *noise = g_new (float, 2 * MAX (K, N));
  g_autofree float *fixed = g_new (float, 2 * M), *updated = g_new (float, 2 * K), *score = g_new (float, 2 * M);
  g_autofree float *dist = g_new (float, M * K), *kappa = g_new (float, M * K);
  g_autofree float *delta = g_new (float, 2 * K), *samples = g_new (float, 2 * N);
  for (guint it = 0; it < 3000; it++)
    {
      srl_rng_fill_normal (&rng, noise, 2 * M);
      srl_sampler_sample (s, M, obs, noise, fixed, NULL);
      srl_rng_fill_normal (&rng, noise, 2 * K);
      srl_sampler_sample (s, K, obs, noise, updated, NULL);
      for (guint j = 0; j < M; j++)
        mixture_score (fixed + 2 * j, score + 2 * j);
      sql_pairwise_sq_dist (fixed, M, updated, K, 2, dist);
      float h = sql_kernel_bandwidth (dist, M, K);
      sql_stein_direction (fixed, score, M, updated, K, 2, dist, h, 1.0f, kappa, delta);
      for (guint i = 0; i < 2 * K; i++)
        delta[i] *= -1.0f / K;
      srl_weights_zero_grad (srl_sampler_weights (s));
      srl_sampler_backward (s, K, delta, NULL, NULL);
      srl_adam_step (adam);
    }
  srl_rng_fill_normal (&rng, noise, 2 * N);
  srl_sampler_sample (s, N, obs, noise, samples, NULL);
  assert_shares (samples, N, "amortized SVGD (svgd sampler)");
}

/* ------------------------------------------------------------------ saved runs through the CLI */

static char *dir;

/* A small sql experiment on point: tiny networks and particle sets, so a
 * run of a few thousand steps takes a second or two. */
static char *
tiny_experiment (const char *name, const char *env, const char *extra_algorithm, const char *extra_experiment)
{
  g_autofree char *text = g_strdup_printf (
    "[experiment]\nepochs = 4\nsteps_per_epoch = 250\neval_episodes = 2\ninitial_random_steps = 100\n"
    "min_replay_size = 200\ncheckpoint_interval = 1\nseed = 5\n%s\n"
    "[env]\n%s\n"
    "[algorithm]\nplugin = sql\nbatch_size = 16\nhidden_sizes = 32;32\nvalue_particles = 8\n"
    "kernel_particles = 6\nupdated_particles = 4\ntarget_update_interval = 50\n%s\n"
    "[sampler]\nplugin = svgd\nhidden_sizes = 32;32\n",
    extra_experiment ? extra_experiment : "", env, extra_algorithm ? extra_algorithm : "");
  g_autofree char *file = g_strconcat (name, ".ini", NULL);
  return srl_test_write (dir, file, text);
}

static char *
train (const char *name, const char *env, const char *extra_algorithm)
{
  g_autofree char *ini = tiny_experiment (name, env, extra_algorithm, NULL);
  char *run = g_build_filename (dir, name, NULL);
  g_autofree char *err = NULL;
  if (srl_test_run (NULL, NULL, &err, "run", ini, "--out", run, "-q", NULL) != 0)
    g_error ("training %s failed: %s", name, err);
  return run;
}

static char *run_x, *run_y, *run_pendulum;

static void
test_sac_refuses_svgd (void)
{
  g_autofree char *ini = srl_test_write (dir, "sac-svgd.ini",
                                         "[env]\nplugin = point\n[algorithm]\nplugin = sac\n[sampler]\nplugin = svgd\n");
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", ini, "-q", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "[sampler] plugin: algorithm \"sac\" needs a sampler with a tractable density"));
  g_assert_nonnull (strstr (err, "sampler \"svgd\" does not have"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", ini, "-q", "--set", "algorithm.plugin=sac-auto", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "\"sac-auto\" needs a sampler with a tractable density"));
}

/* Every tensor of `a` under prefix `pa` equals the tensor of `b` under `pb`,
 * byte for byte; returns how many were compared. */
static guint
assert_same_tensors (const char *a, const char *pa, const char *b, const char *pb)
{
  GError *error = NULL;
  g_autoptr (SrlStateReader) ra = srl_state_reader_open (a, &error);
  g_assert_no_error (error);
  g_autoptr (SrlStateReader) rb = srl_state_reader_open (b, &error);
  g_assert_no_error (error);
  guint n, compared = 0;
  const char *const *names = srl_state_reader_names (ra, &n);
  for (guint i = 0; i < n; i++)
    {
      if (!g_str_has_prefix (names[i], pa))
        continue;
      g_autofree char *other = g_strconcat (pb, names[i] + strlen (pa), NULL);
      guint nd;
      const gsize *shape = srl_state_reader_shape (ra, names[i], &nd);
      gsize count = 1;
      for (guint k = 0; k < nd; k++)
        count *= shape[k];
      g_autofree float *x = g_new (float, count), *y = g_new (float, count);
      g_assert_true (srl_state_reader_get_f32 (ra, names[i], x, count, &error));
      if (!srl_state_reader_get_f32 (rb, other, y, count, &error))
        g_error ("%s: %s", b, error->message);
      g_assert_cmpmem (x, count * sizeof (float), y, count * sizeof (float));
      compared++;
    }
  return compared;
}

static void
test_init_from (void)
{
  /* Interrupted after its first step, before any update, a fine-tuning
   * run's checkpoint holds exactly the weights it started from. */
  g_autofree char *extra = g_strdup_printf ("init_from = %s\nanneal_epochs = 2\nfixed_noise_samples = 4", run_x);
  g_autofree char *ini = tiny_experiment ("finetune", "plugin = point\ntarget_x = -1\ntarget_y = -1", extra, NULL);
  g_autofree char *run = g_build_filename (dir, "finetune", NULL);
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "run", ini, "--out", run, "-q", "--interrupt-after-steps", "1", NULL);
  if (status != 130)
    g_error ("fine-tuning run: status %d: %s", status, err);
  g_autofree char *saved = g_build_filename (run_x, "policy.safetensors", NULL);
  g_autofree char *ckpt = g_build_filename (run, "checkpoint.safetensors", NULL);
  /* Sampler: 3 layers × (weight, bias); Q-function the same; its target too. */
  g_assert_cmpuint (assert_same_tensors (saved, "policy.", ckpt, "algorithm.policy."), ==, 6);
  g_assert_cmpuint (assert_same_tensors (saved, "q.", ckpt, "algorithm.q."), ==, 6);
  g_assert_cmpuint (assert_same_tensors (saved, "q.", ckpt, "algorithm.q_target."), ==, 6);

  /* Networks that do not fit: another environment, other layer sizes. */
  g_autofree char *bad_env = tiny_experiment ("bad-env", "plugin = pendulum", extra, NULL);
  g_autofree char *bad_env_run = g_build_filename (dir, "bad-env", NULL);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", bad_env, "-q", "--out", bad_env_run, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "[algorithm] init_from:"));
  g_assert_nonnull (strstr (err, "observation or action spaces differ"));
  g_assert_nonnull (strstr (err, "observations of size 3, actions of size 1"));
  g_clear_pointer (&err, g_free);
  g_autofree char *bad_net = g_build_filename (dir, "bad-net", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", ini, "-q", "--out", bad_net, "--set",
                                 "algorithm.hidden_sizes=16;16", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "[algorithm] init_from: the networks of"));
  g_assert_nonnull (strstr (err, "do not fit"));
  g_clear_pointer (&err, g_free);
  g_autofree char *bad_sampler = g_build_filename (dir, "bad-sampler", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", ini, "-q", "--out", bad_sampler, "--set",
                                 "sampler.plugin=gaussian", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "used sampler svgd, this experiment gaussian"));
}

static void
test_compose_refused (void)
{
  g_autofree char *out = g_build_filename (dir, "composed-bad", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "compose", run_x, run_pendulum, "--out", out, "-q", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "[algorithm] compose_from:"));
  g_assert_nonnull (strstr (err, "observation or action spaces differ"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "compose", run_x, "--out", out, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "two or more run directories"));
  /* What compose sets itself is not for --set. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "compose", run_x, run_y, "--out", out, "--set",
                                 "experiment.offline_updates=0", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "compose sets experiment.offline_updates itself, from --updates"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  /* A run of an algorithm without soft Q-functions, first or not. */
  g_autofree char *sac_run = g_build_filename (dir, "a-sac-run", NULL);
  g_assert_cmpint (g_mkdir (sac_run, 0755), ==, 0);
  g_free (srl_test_write (sac_run, "config.ini", "[env]\nplugin = point\n[algorithm]\nplugin = sac\n"));
  for (guint first = 0; first < 2; first++)
    {
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (srl_test_run (NULL, NULL, &err, "compose", first ? sac_run : run_x, first ? run_x : sac_run,
                                     "--out", out, NULL), ==, 2);
      g_assert_nonnull (strstr (err, "a-sac-run was trained by sac, which has no soft Q-functions to compose"));
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
  /* An offline run needs saved transitions. */
  g_autofree char *ini = tiny_experiment ("offline-empty", "plugin = point", NULL, "offline_updates = 10");
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", ini, "--out", out, "-q", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "[experiment] offline_updates: an offline run trains on saved transitions"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

static void
test_compose (void)
{
  g_autofree char *out = g_build_filename (dir, "composed", NULL);
  g_autofree char *err = NULL, *stdout_text = NULL;
  int status = srl_test_run (NULL, &stdout_text, &err, "compose", run_x, run_y, "--out", out, "-q", "--epochs", "2",
                             "--updates", "100", "--set", "env.target_y=-1", NULL);
  if (status != 0)
    g_error ("compose failed: %s", err);
  g_assert_nonnull (strstr (stdout_text, "0 environment steps"));
  g_autofree char *csv = g_build_filename (out, "progress.csv", NULL);
  guint n;
  g_autofree double *steps = srl_test_csv_column (csv, "env_steps", &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpfloat (steps[0], ==, 0);
  g_assert_cmpfloat (steps[1], ==, 0);
  g_autofree double *updates = srl_test_csv_column (csv, "updates", &n);
  g_assert_cmpfloat (updates[1], ==, 200);
  g_autofree double *q_loss = srl_test_csv_column (csv, "q_loss", &n);
  g_assert_true (isnan (q_loss[0])); /* the Q-functions are frozen */
  g_autofree char *log_path = g_build_filename (out, "log.txt", NULL);
  g_autofree char *log = NULL;
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "no environment steps"));
  g_autofree char *eval = g_build_filename (dir, "composed-eval.csv", NULL);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "eval", out, "--episodes", "3", "--out", eval, NULL), ==, 0);
  g_autofree double *fx = srl_test_csv_column (eval, "final_x", &n);
  g_assert_cmpuint (n, ==, 3);
  g_autofree char *png = g_build_filename (dir, "composed.png", NULL);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "figure", out, "-o", png, "--rollouts", "3", "--states",
                                 "0,0;-1,-1", NULL), ==, 0);
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
}

static void
test_figure_refuses_output (void)
{
  /* Like eval's --out: the run's own files, a directory and a missing
   * directory are refused before any rollout (status 2), and nothing is
   * left behind. */
  g_autofree char *scratch = g_build_filename (dir, "figure-scratch", NULL);
  g_autofree char *subdir = g_build_filename (scratch, "a-directory.png", NULL);
  g_autofree char *missing = g_build_filename (scratch, "missing", "figure.png", NULL);
  g_autofree char *own = g_build_filename (run_x, "policy.safetensors", NULL);
  g_assert_cmpint (g_mkdir_with_parents (subdir, 0755), ==, 0);
  g_autofree char *before = srl_test_listing (run_x);
  const char *outs[] = { own, subdir, missing };
  const char *why[] = { "the run's own", "is a directory", "does not exist" };
  for (guint i = 0; i < G_N_ELEMENTS (outs); i++)
    {
      g_autofree char *err = NULL;
      g_assert_cmpint (srl_test_run (NULL, NULL, &err, "figure", run_x, "-o", outs[i], "--rollouts", "1", "--samples",
                                     "1", NULL), ==, 2);
      g_assert_nonnull (strstr (err, outs[i]));
      g_assert_nonnull (strstr (err, why[i]));
    }
  g_autofree char *after = srl_test_listing (run_x);
  g_assert_cmpstr (before, ==, after);
  g_autofree char *left = srl_test_listing (scratch);
  g_assert_cmpstr (left, ==, "a-directory.png");
  /* Geometry that is not a finite number is refused, not drawn. */
  g_autofree char *png = g_build_filename (scratch, "figure.png", NULL);
  const char *geometry[][2] = { { "--states", "nan,0" }, { "--states", "1e300,1e300" }, { "--extent", "nan,1,0,1" },
                                { "--extent", "-inf,1,0,1" } };
  for (guint i = 0; i < G_N_ELEMENTS (geometry); i++)
    {
      g_autofree char *err = NULL;
      g_assert_cmpint (srl_test_run (NULL, NULL, &err, "figure", run_x, "-o", png, geometry[i][0], geometry[i][1], NULL),
                       ==, 2);
      g_assert_nonnull (strstr (err, geometry[i][1]));
      g_assert_nonnull (strstr (err, "finite"));
      g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
    }
  srl_test_rmtree (scratch);
}

/* ------------------------------------------------------------------ learning */

static void
test_learning_point (void)
{
  /* sql must learn "reach x = −1" on point within LEARN_STEPS steps: the
   * mean final |x + 1| of the deterministic evaluation must fall below
   * 0.15.  Starts are uniform in [−1, 1], so a policy that does not move
   * scores about 1, one that drifts at random about the same; networks and
   * particle sets are smaller than C.1's to keep the test short. */
  g_autofree char *ini = srl_test_write (
    dir, "learn.ini",
    "[experiment]\nepochs = " LEARN_EPOCHS "\nsteps_per_epoch = 1000\neval_episodes = 10\ninitial_random_steps = 0\n"
    "min_replay_size = 1000\nseed = 1\n"
    "[env]\nplugin = point\ntarget_x = -1\n"
    "[algorithm]\nplugin = sql\nalpha = 0.1\nhidden_sizes = 64;64\nkernel_particles = 16\nupdated_particles = 16\n"
    "value_particles = 32\n"
    "[sampler]\nplugin = svgd\nhidden_sizes = 64;64\n");
  g_autofree char *run = g_build_filename (dir, "learn", NULL);
  g_autofree char *err = NULL;
  if (srl_test_run (NULL, NULL, &err, "run", ini, "--out", run, "-q", NULL) != 0)
    g_error ("learning run failed: %s", err);
  g_autofree char *eval = g_build_filename (dir, "learn-eval.csv", NULL);
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "eval", run, "--episodes", "20", "--out", eval, NULL), ==, 0);
  guint n;
  g_autofree double *dist = srl_test_csv_column (eval, "final_distance", &n);
  double mean = 0;
  for (guint i = 0; i < n; i++)
    mean += dist[i] / n;
  g_test_message ("mean final |x + 1| after %s000 steps: %.3f", LEARN_EPOCHS, mean);
  g_assert_cmpfloat (mean, <, 0.15);
}

/* ------------------------------------------------------------------ resume */

/* `ini` run through, and run with two interruptions (after `first` and
 * `second` steps, or updates offline), write the same progress. */
static void
assert_resumes_exactly (const char *ini, const char *name, const char *first, const char *second)
{
  g_autofree char *whole = g_strconcat (dir, "/", name, "-whole", NULL);
  g_autofree char *parts = g_strconcat (dir, "/", name, "-parts", NULL);
  g_autofree char *err = NULL;
  if (srl_test_run (NULL, NULL, &err, "run", ini, "--out", whole, "-q", NULL) != 0)
    g_error ("%s: %s", name, err);
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", ini, "--out", parts, "-q", "--interrupt-after-steps", first,
                                 NULL), ==, 130);
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", "--resume", parts, "-q", "--interrupt-after-steps", second,
                                 NULL), ==, 130);
  g_clear_pointer (&err, g_free);
  if (srl_test_run (NULL, NULL, &err, "run", "--resume", parts, "-q", NULL) != 0)
    g_error ("%s resume: %s", name, err);
  g_autofree char *a = srl_test_progress_without_wall_clock (whole);
  g_autofree char *b = srl_test_progress_without_wall_clock (parts);
  g_assert_cmpstr (a, ==, b);
}

static void
test_resume_online (void)
{
  /* OU noise in the per-episode memory, the fine-tuning schedules of α
   * and of the fixed noise set, hard target copies. */
  g_autofree char *extra = g_strdup_printf ("init_from = %s\nanneal_epochs = 3\nfixed_noise_samples = 5\n"
                                            "ou_noise = true",
                                            run_x);
  g_autofree char *ini = tiny_experiment ("resume-online", "plugin = point\ntarget_x = -1\ntarget_y = -1", extra, NULL);
  assert_resumes_exactly (ini, "resume-online", "333", "777");
}

static void
test_resume_offline (void)
{
  /* The offline composition the compose test wrote, run again from its
   * own experiment file. */
  g_autofree char *ini = g_build_filename (dir, "composed", "compose.ini", NULL);
  g_assert_true (g_file_test (ini, G_FILE_TEST_IS_REGULAR));
  assert_resumes_exactly (ini, "resume-offline", "37", "150");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sql/soft-value", test_soft_value);
  g_test_add_func ("/sql/bandwidth", test_bandwidth);
  g_test_add_func ("/sql/svgd-particles", test_svgd_particles);
  g_test_add_func ("/sql/svgd-amortized", test_svgd_amortized);
  g_test_add_func ("/sql/sac-refuses-svgd", test_sac_refuses_svgd);
  g_test_add_func ("/sql/init-from", test_init_from);
  g_test_add_func ("/sql/compose-refused", test_compose_refused);
  g_test_add_func ("/sql/compose", test_compose);
  g_test_add_func ("/sql/figure-refuses-output", test_figure_refuses_output);
  g_test_add_func ("/sql/learning-point", test_learning_point);
  g_test_add_func ("/sql/resume-online", test_resume_online);
  g_test_add_func ("/sql/resume-offline", test_resume_offline);
  dir = srl_test_tmpdir ();
  run_x = train ("point-x", "plugin = point\ntarget_x = -1", NULL);
  run_y = train ("point-y", "plugin = point\ntarget_y = -1", NULL);
  run_pendulum = train ("pendulum", "plugin = pendulum", NULL);
  int status = g_test_run ();
  srl_test_rmtree (dir);
  g_free (run_x);
  g_free (run_y);
  g_free (run_pendulum);
  g_free (dir);
  return status;
}

/* Conformance: every registered plugin goes through its whole lifecycle, so a
 * new plugin is tested the day it is added.
 *   environments: create, reset, step, save and load (the continuation is
 *                 identical), episode info, destroy;
 *   samplers:     for 1, 2 and 3 actions: create, sample, deterministic
 *                 mode, density against log_prob, gradients against finite
 *                 differences, inverse, save and load, destroy;
 *   algorithms:   with every sampler they accept: create, act in each mode,
 *                 update, save and load (the next update is identical), policy
 *                 save and load (the same actions and, when offered, the same
 *                 Q-values), destroy. */
#include <math.h>

#include "testutil.h"

static SrlRegistry *registry;

static SrlSection *
defaults (const SrlPluginInfo *info, const char *group)
{
  SrlSection *s = srl_section_new ("(conformance)", group, info->name, info->params);
  srl_section_fill_defaults (s);
  return s;
}

static char *
tmp_state_path (const char *dir, const char *name)
{
  return g_build_filename (dir, name, NULL);
}

/* ------------------------------------------------------------------ environments */

static void
test_env (gconstpointer data)
{
  const SrlEnvDescriptor *d = data;
  g_autoptr (SrlSection) params = defaults (&d->info, "env");
  GError *error = NULL;
  g_autoptr (SrlEnv) a = srl_env_new (d, params, &error);
  g_assert_no_error (error);
  g_autoptr (SrlEnv) b = srl_env_new (d, params, &error);
  g_assert_no_error (error);
  const SrlEnvSpec *spec = srl_env_spec (a);
  g_assert_cmpuint (spec->obs_dim, >, 0);
  g_assert_cmpuint (spec->act_dim, >, 0);
  for (guint i = 0; i < spec->act_dim; i++)
    g_assert_cmpfloat (spec->act_low[i], <, spec->act_high[i]);
  guint O = spec->obs_dim, A = spec->act_dim, n_info = srl_env_n_info (a);
  g_autofree double *obs_a = g_new0 (double, O), *obs_b = g_new0 (double, O);
  g_autofree double *info = g_new0 (double, MAX (n_info, 1));
  g_autofree float *action = g_new0 (float, A);
  SrlRng rng;
  srl_rng_init (&rng, 42);
  srl_env_reset (a, &rng, obs_a);
  for (int t = 0; t < 60; t++)
    {
      srl_rng_fill_uniform (&rng, action, A, -1, 1);
      double r;
      SrlStepStatus st = srl_env_step_normalized (a, &rng, action, obs_a, &r);
      g_assert_cmpint (st, !=, SRL_STEP_INVALID);
      g_assert_true (isfinite (r));
      for (guint i = 0; i < O; i++)
        g_assert_true (isfinite (obs_a[i]));
      if (st == SRL_STEP_TERMINATED)
        srl_env_reset (a, &rng, obs_a);
    }
  /* An environment that renders draws something (not one flat colour) at
   * the size asked for, and refuses a camera it does not have. */
  if (srl_env_can_render (a))
    {
      SrlFrame frame = { 48, 32, 48 * sizeof (guint32), g_new0 (guint32, 48 * 32) };
      g_assert_false (srl_env_render_setup (b, 48, 32, "no-such-camera", &error));
      g_assert_error (error, SRL_ERROR, SRL_ERROR_CONFIG);
      g_clear_error (&error);
      g_assert_true (srl_env_render_setup (a, 48, 32, NULL, &error));
      g_assert_no_error (error);
      srl_env_render (a, &frame);
      guint differing = 0;
      for (guint i = 1; i < 48 * 32; i++)
        differing += (frame.pixels[i] & 0xffffff) != (frame.pixels[0] & 0xffffff);
      g_assert_cmpuint (differing, >, 48 * 32 / 20);
      g_free (frame.pixels);
    }
  /* Save mid-episode, load into another instance: both continue alike. */
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *path = tmp_state_path (dir, "env.safetensors");
  {
    g_autoptr (SrlStateWriter) w = srl_state_writer_new ();
    srl_state_writer_set_prefix (w, "env.");
    srl_env_save (a, w);
    g_assert_true (srl_state_writer_write (w, path, &error));
    g_assert_no_error (error);
  }
  g_autoptr (SrlStateReader) r = srl_state_reader_open (path, &error);
  g_assert_no_error (error);
  srl_state_reader_set_prefix (r, "env.");
  SrlRng other;
  srl_rng_init (&other, 7);
  srl_env_reset (b, &other, obs_b);
  g_assert_true (srl_env_load (b, r, &error));
  g_assert_no_error (error);
  SrlRng ra = rng, rb = rng;
  for (int t = 0; t < 40; t++)
    {
      srl_rng_fill_uniform (&rng, action, A, -1, 1);
      double reward_a, reward_b;
      SrlStepStatus sa = srl_env_step_normalized (a, &ra, action, obs_a, &reward_a);
      SrlStepStatus sb = srl_env_step_normalized (b, &rb, action, obs_b, &reward_b);
      g_assert_cmpint (sa, ==, sb);
      g_assert_cmpfloat (reward_a, ==, reward_b);
      g_assert_cmpmem (obs_a, O * sizeof (double), obs_b, O * sizeof (double));
      if (sa == SRL_STEP_TERMINATED)
        break;
    }
  srl_env_episode_info (a, info);
  srl_test_rmtree (dir);
}

/* ------------------------------------------------------------------ samplers */

static void
check_sampler (const SrlSamplerDescriptor *d, guint A, gboolean env_actions)
{
  /* Narrow hidden layers (where the sampler has them) keep the check quick. */
  g_autoptr (SrlSection) params = srl_section_new ("(conformance)", "sampler", d->info.name, d->info.params);
  for (const SrlParamSpec *ps = d->info.params; ps && ps->name; ps++)
    if (strcmp (ps->name, "hidden_sizes") == 0)
      srl_section_set (params, "hidden_sizes", "16;16", "test", NULL);
  srl_section_fill_defaults (params);
  const guint n = 6, O = 3;
  SrlSamplerShape shape = { O, A, n, env_actions };
  SrlSamplerFactory factory = { d, params };
  SrlRng rng;
  srl_rng_init (&rng, 5);
  GError *error = NULL;
  g_autoptr (SrlSampler) s = srl_sampler_new (&factory, &shape, &rng, &error);
  g_assert_no_error (error);
  guint noise_dim = srl_sampler_noise_dim (s);
  gboolean density = (d->flags & SRL_SAMPLER_DENSITY) != 0;
  float obs[n * O], noise[n * 8], zeros[n * 8], act[n * A], act2[n * A], logp[n], logp2[n];
  g_assert_cmpuint (noise_dim, <=, 8);
  srl_rng_fill_normal (&rng, obs, n * O);
  srl_rng_fill_normal (&rng, noise, n * noise_dim);
  memset (zeros, 0, sizeof zeros);

  srl_sampler_sample (s, n, obs, noise, act, density ? logp : NULL);
  for (guint i = 0; i < n * A; i++)
    {
      g_assert_true (isfinite (act[i]));
      if (env_actions)
        g_assert_cmpfloat (fabsf (act[i]), <=, 1.0f);
    }
  /* Deterministic mode: noise 0 gives the same action every time. */
  srl_sampler_sample (s, n, obs, zeros, act, NULL);
  srl_sampler_sample (s, n, obs, zeros, act2, NULL);
  g_assert_cmpmem (act, sizeof act, act2, sizeof act2);

  if (density)
    {
      /* log π returned by sample() is the density of the action it gave. */
      srl_sampler_sample (s, n, obs, noise, act, logp);
      g_assert_true (srl_sampler_log_prob (s, n, obs, act, logp2));
      for (guint i = 0; i < n; i++)
        if (fabs (logp[i] - logp2[i]) > 1e-2 * (1 + fabs (logp[i])))
          g_error ("%s: sample() says log π = %g, log_prob() %g", d->info.name, logp[i], logp2[i]);
    }
  if (d->flags & SRL_SAMPLER_INVERTIBLE)
    {
      float back[n * 8];
      srl_sampler_sample (s, n, obs, noise, act, NULL);
      g_assert_true (srl_sampler_inverse (s, n, obs, act, back));
      for (guint i = 0; i < n * noise_dim; i++)
        g_assert_cmpfloat_with_epsilon (back[i], noise[i], 1e-3);
    }

  /* Reparameterized gradients against central differences. */
  if (d->flags & SRL_SAMPLER_REPARAMETERIZED)
    srl_test_sampler_gradients (s, n, obs, noise, &rng, d->info.name);

  /* Weights survive a save and load. */
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *path = tmp_state_path (dir, "sampler.safetensors");
  {
    g_autoptr (SrlStateWriter) sw = srl_state_writer_new ();
    srl_weights_save (srl_sampler_weights (s), sw, "policy.");
    g_assert_true (srl_state_writer_write (sw, path, &error));
  }
  SrlRng other;
  srl_rng_init (&other, 99);
  g_autoptr (SrlSampler) t = srl_sampler_new (&factory, &shape, &other, &error);
  g_autoptr (SrlStateReader) r = srl_state_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (srl_weights_load (srl_sampler_weights (t), r, "policy.", &error));
  srl_sampler_sample (s, n, obs, noise, act, NULL);
  srl_sampler_sample (t, n, obs, noise, act2, NULL);
  g_assert_cmpmem (act, sizeof act, act2, sizeof act2);
  srl_test_rmtree (dir);
}

/* Odd action sizes too: flows cut the vector in unequal halves. */
static void
test_sampler (gconstpointer data)
{
  for (guint A = 1; A <= 3; A++)
    {
      check_sampler (data, A, TRUE);
      check_sampler (data, A, FALSE);
    }
}

/* ------------------------------------------------------------------ algorithms */

typedef struct {
  const SrlAlgorithmDescriptor *algorithm;
  const SrlSamplerDescriptor *sampler;
} Pair;

static gpointer
make_algorithm (const Pair *p, const SrlSection *aparams, const SrlSection *sparams, const SrlEnvSpec *spec)
{
  SrlSamplerFactory factory = { p->sampler, sparams };
  SrlAlgorithmContext ctx = { aparams, spec, p->sampler ? &factory : NULL, 3, registry };
  GError *error = NULL;
  gpointer a = p->algorithm->create (&ctx, &error);
  g_assert_no_error (error);
  g_assert_nonnull (a);
  return a;
}

static void
save_to (const SrlAlgorithmDescriptor *d, gpointer a, SrlSaveScope scope, const char *path)
{
  g_autoptr (SrlStateWriter) w = srl_state_writer_new ();
  srl_state_writer_set_prefix (w, "algorithm.");
  d->save (a, w, scope);
  GError *error = NULL;
  g_assert_true (srl_state_writer_write (w, path, &error));
  g_assert_no_error (error);
}

static void
load_from (const SrlAlgorithmDescriptor *d, gpointer a, SrlSaveScope scope, const char *path)
{
  GError *error = NULL;
  g_autoptr (SrlStateReader) r = srl_state_reader_open (path, &error);
  g_assert_no_error (error);
  srl_state_reader_set_prefix (r, "algorithm.");
  g_assert_true (d->load (a, r, scope, &error));
  g_assert_no_error (error);
}

static void
test_algorithm (gconstpointer data)
{
  const Pair *p = data;
  const SrlAlgorithmDescriptor *d = p->algorithm;
  g_autoptr (SrlSection) aparams = srl_section_new ("(conformance)", "algorithm", d->info.name, d->info.params);
  /* Small networks and batches keep the walk quick; the keys are the usual ones. */
  for (const SrlParamSpec *s = d->info.params; s && s->name; s++)
    {
      if (strcmp (s->name, "batch_size") == 0)
        srl_section_set (aparams, "batch_size", "16", "test", NULL);
      if (strcmp (s->name, "hidden_sizes") == 0)
        srl_section_set (aparams, "hidden_sizes", "16;16", "test", NULL);
    }
  srl_section_fill_defaults (aparams);
  g_autoptr (SrlSection) sparams = NULL;
  if (p->sampler)
    {
      sparams = srl_section_new ("(conformance)", "sampler", p->sampler->info.name, p->sampler->info.params);
      for (const SrlParamSpec *s = p->sampler->info.params; s && s->name; s++)
        if (strcmp (s->name, "hidden_sizes") == 0)
          srl_section_set (sparams, "hidden_sizes", "16;16", "test", NULL);
      srl_section_fill_defaults (sparams);
    }
  const guint O = 3, A = 2;
  double low[2] = { -1, -1 }, high[2] = { 1, 1 };
  SrlEnvSpec spec = { O, A, low, high, 50, NULL };
  gpointer a = make_algorithm (p, aparams, sparams, &spec);
  guint memory_size = d->memory_size ? d->memory_size (a) : 0;
  g_autofree float *memory = g_new0 (float, MAX (memory_size, 1));
  float obs[3] = { 0.1f, -0.2f, 0.3f }, agent[2], env_act[2], agent2[2], env2[2];
  SrlRng rng;
  srl_rng_init (&rng, 8);
  for (SrlActMode mode = SRL_ACT_RANDOM; mode <= SRL_ACT_EVAL_STOCHASTIC; mode++)
    for (guint step = 0; step < 3; step++)
      {
        d->act (a, &rng, mode, obs, step, memory, agent, env_act);
        for (guint i = 0; i < A; i++)
          {
            g_assert_true (isfinite (agent[i]));
            g_assert_cmpfloat (fabsf (env_act[i]), <=, 1.0f);
          }
      }
  g_autoptr (SrlReplay) replay = srl_replay_new (500, O, A);
  for (int i = 0; i < 300; i++)
    {
      float o[3], act[2], o2[3];
      srl_rng_fill_normal (&rng, o, O);
      srl_rng_fill_uniform (&rng, act, A, -1, 1);
      srl_rng_fill_normal (&rng, o2, O);
      srl_replay_add (replay, o, act, (float) srl_rng_normal (&rng), o2, i % 50 == 49, FALSE);
    }
  const SrlStatSpec *stats = d->stats (a);
  guint n_stats = 0;
  while (stats[n_stats].name)
    n_stats++;
  g_autofree double *sa = g_new0 (double, n_stats + 1), *sb = g_new0 (double, n_stats + 1);
  GError *error = NULL;
  for (int i = 0; i < 5; i++)
    {
      g_assert_true (d->update (a, replay, sa, &error));
      g_assert_no_error (error);
      for (guint k = 0; k < n_stats; k++)
        g_assert_true (isfinite (sa[k]));
    }
  if (d->end_epoch)
    d->end_epoch (a, 0);

  /* Full state: a copy continues exactly as the original. */
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *full = tmp_state_path (dir, "full.safetensors");
  g_autofree char *policy = tmp_state_path (dir, "policy.safetensors");
  save_to (d, a, SRL_SAVE_FULL, full);
  save_to (d, a, SRL_SAVE_POLICY, policy);
  gpointer b = make_algorithm (p, aparams, sparams, &spec);
  load_from (d, b, SRL_SAVE_FULL, full);
  g_assert_true (d->update (a, replay, sa, &error));
  g_assert_true (d->update (b, replay, sb, &error));
  g_assert_cmpmem (sa, n_stats * sizeof (double), sb, n_stats * sizeof (double));
  SrlRng r1, r2;
  srl_rng_init (&r1, 1);
  r2 = r1;
  memset (memory, 0, MAX (memory_size, 1) * sizeof (float));
  d->act (a, &r1, SRL_ACT_STOCHASTIC, obs, 0, memory, agent, env_act);
  memset (memory, 0, MAX (memory_size, 1) * sizeof (float));
  d->act (b, &r2, SRL_ACT_STOCHASTIC, obs, 0, memory, agent2, env2);
  g_assert_cmpmem (agent, sizeof agent, agent2, sizeof agent2);

  /* Policy state: enough to act like the original. */
  gpointer c = make_algorithm (p, aparams, sparams, &spec);
  save_to (d, b, SRL_SAVE_POLICY, policy);
  load_from (d, c, SRL_SAVE_POLICY, policy);
  memset (memory, 0, MAX (memory_size, 1) * sizeof (float));
  d->act (b, &r1, SRL_ACT_DETERMINISTIC, obs, 0, memory, agent, env_act);
  memset (memory, 0, MAX (memory_size, 1) * sizeof (float));
  d->act (c, &r2, SRL_ACT_DETERMINISTIC, obs, 0, memory, agent2, env2);
  g_assert_cmpmem (agent, sizeof agent, agent2, sizeof agent2);
  /* The optional soft Q-function: finite, any number of rows, and part of
   * the policy state (figures read it from policy files). */
  {
    const guint n = 300;
    g_autofree float *qo = g_new (float, n * O), *qa = g_new (float, n * A);
    g_autofree float *qb = g_new (float, n), *qc = g_new (float, n);
    srl_rng_fill_normal (&rng, qo, n * O);
    srl_rng_fill_uniform (&rng, qa, n * A, -1, 1);
    gboolean has_b = srl_algorithm_q_values (d, b, n, qo, qa, qb);
    gboolean has_c = srl_algorithm_q_values (d, c, n, qo, qa, qc);
    g_assert_cmpint (has_b, ==, has_c);
    if (has_b)
      {
        for (guint i = 0; i < n; i++)
          g_assert_true (isfinite (qb[i]));
        g_assert_cmpmem (qb, n * sizeof (float), qc, n * sizeof (float));
      }
  }
  d->destroy (a);
  d->destroy (b);
  d->destroy (c);
  srl_test_rmtree (dir);
}

static void
test_algorithm_without_sampler (gconstpointer data)
{
  const SrlAlgorithmDescriptor *ad = data;
  g_test_fail_printf ("%s needs a sampler (default %s) and no loaded sampler suits it; add the samplers' "
                      "directory to SOFTRL_PLUGIN_PATH",
                      ad->info.name, ad->default_sampler);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  registry = srl_registry_new ();
  srl_registry_load_default (registry);
  g_autoptr (GPtrArray) envs = srl_registry_list (registry, SRL_KIND_ENV);
  g_autoptr (GPtrArray) samplers = srl_registry_list (registry, SRL_KIND_SAMPLER);
  g_autoptr (GPtrArray) algorithms = srl_registry_list (registry, SRL_KIND_ALGORITHM);
  /* Any kind may be missing: a plugin author walks an environment with no
   * sampler or algorithm loaded.  Nothing at all is a wrong search path. */
  if (envs->len + samplers->len + algorithms->len == 0)
    {
      g_printerr ("conformance: no plugins found (SOFTRL_PLUGIN_PATH=%s)\n", g_getenv ("SOFTRL_PLUGIN_PATH"));
      return 1;
    }
  for (guint i = 0; i < envs->len; i++)
    {
      const SrlPluginInfo *info = envs->pdata[i];
      g_autofree char *path = g_strdup_printf ("/conformance/env/%s", info->name);
      g_test_add_data_func (path, info, test_env);
    }
  for (guint i = 0; i < samplers->len; i++)
    {
      const SrlPluginInfo *info = samplers->pdata[i];
      g_autofree char *path = g_strdup_printf ("/conformance/sampler/%s", info->name);
      g_test_add_data_func (path, info, test_sampler);
    }
  GPtrArray *pairs = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < algorithms->len; i++)
    {
      const SrlAlgorithmDescriptor *ad = algorithms->pdata[i];
      if (!ad->default_sampler)
        {
          Pair *p = g_new0 (Pair, 1);
          p->algorithm = ad;
          g_ptr_array_add (pairs, p);
          g_autofree char *path = g_strdup_printf ("/conformance/algorithm/%s", ad->info.name);
          g_test_add_data_func (path, p, test_algorithm);
          continue;
        }
      gboolean walked = FALSE;
      for (guint j = 0; j < samplers->len; j++)
        {
          const SrlSamplerDescriptor *sd = samplers->pdata[j];
          if ((ad->required_sampler_flags & sd->flags) != ad->required_sampler_flags)
            continue;
          Pair *p = g_new0 (Pair, 1);
          p->algorithm = ad;
          p->sampler = sd;
          g_ptr_array_add (pairs, p);
          g_autofree char *path = g_strdup_printf ("/conformance/algorithm/%s+%s", ad->info.name, sd->info.name);
          g_test_add_data_func (path, p, test_algorithm);
          walked = TRUE;
        }
      if (!walked)
        {
          /* Said as a failing test of its own, not an abort of the walk. */
          g_autofree char *path = g_strdup_printf ("/conformance/algorithm/%s", ad->info.name);
          g_test_add_data_func (path, ad, test_algorithm_without_sampler);
        }
    }
  int status = g_test_run ();
  g_ptr_array_unref (pairs);
  srl_registry_free (registry);
  return status;
}

/* The MuJoCo environments (envs/mujoco/).
 *
 *   sizes        observation and action sizes and bounds are Gymnasium's v4
 *                ones (and the thesis tasks' documented ones)
 *   random       10,000 uniformly random steps per environment: no invalid
 *                step (no MuJoCo warning), finite observations and rewards;
 *                a twin made with the same seed follows the same trajectory
 *   reward       on states set by hand (load() of a partial state: qpos and
 *                qvel only) the reward, the observation and the termination
 *                equal Gymnasium's formulas evaluated here on a MuJoCo model
 *                and data of our own, stepped as Gymnasium steps
 *   tasks        the thesis tasks' special rewards: the finish line, the
 *                cross maze's goal, the pusher's free coordinate
 *   errors       a missing model, an invalid one (MuJoCo's message quoted),
 *                one of another robot
 *   invalid      an unstable state ends the step as invalid with MuJoCo's
 *                warning as the reason, and MuJoCo writes no log file
 *   baseline     the bare loop of `softrl bench env` leaves the environment
 *                alone
 *   resume       an interrupted and resumed hopper run repeats the
 *                uninterrupted one's progress exactly
 *   experiments  every shipped experiment on a MuJoCo environment loads (those
 *                whose algorithm is not built on this tree are listed as
 *                skipped)
 *   cli          `softrl env` runs every environment, `softrl bench env`
 *                compares with the bare loop, a missing model is named
 * Budget: about a minute on two cores, mostly the random walks. */
#include <math.h>
#include <mujoco/mujoco.h>

#include "testutil.h"

static SrlRegistry *registry;
static GPtrArray *sections; /* sections outlive their environments */

static SrlEnv *
make_env (const char *name, const char *const *sets, GError **error)
{
  const SrlEnvDescriptor *d = (const void *) srl_registry_lookup (registry, SRL_KIND_ENV, name);
  g_assert_nonnull (d);
  SrlSection *s = srl_section_new ("(test)", "env", name, d->info.params);
  g_ptr_array_add (sections, s);
  for (guint i = 0; sets && sets[i]; i++)
    {
      g_auto (GStrv) kv = g_strsplit (sets[i], "=", 2);
      GError *e = NULL;
      if (!srl_section_set (s, kv[0], kv[1], "test", &e))
        g_error ("%s: %s", sets[i], e->message);
    }
  srl_section_fill_defaults (s);
  return srl_env_new (d, s, error);
}

static SrlEnv *
env_ok (const char *name, const char *const *sets)
{
  GError *error = NULL;
  SrlEnv *env = make_env (name, sets, &error);
  g_assert_no_error (error);
  return env;
}

/* ------------------------------------------------------------------ sizes */

typedef struct {
  const char *name;
  const char *sets[3];
  guint obs, act, limit;
  double bound;
} SizeCase;

static const SizeCase size_cases[] = {
  { "halfcheetah", { NULL }, 17, 6, 1000, 1 },
  { "hopper", { NULL }, 11, 3, 1000, 1 },
  { "walker2d", { NULL }, 17, 6, 1000, 1 },
  { "ant", { NULL }, 27, 8, 1000, 1 },
  { "ant", { "exclude_current_positions=false", NULL }, 29, 8, 1000, 1 },
  { "ant", { "use_contact_forces=true", NULL }, 111, 8, 1000, 1 },
  { "humanoid", { NULL }, 376, 17, 1000, 0.4 },
  { "humanoid", { "exclude_current_positions=false", NULL }, 378, 17, 1000, 0.4 },
  { "swimmer", { NULL }, 8, 2, 1000, 1 },
  { "ant-maze", { NULL }, 29, 8, 500, 1 },
  { "ant-maze", { "layout=u-maze", NULL }, 29, 8, 500, 1 },
  { "ant-hallway", { "width=narrow", NULL }, 29, 8, 500, 1 },
  { "ant-cross-maze", { NULL }, 29, 8, 1000, 1 },
  { "ant-cross-maze", { "random_goal=true", NULL }, 31, 8, 1000, 1 },
  { "pusher", { NULL }, 12, 3, 300, 3 },
};

static void
test_sizes (void)
{
  for (guint c = 0; c < G_N_ELEMENTS (size_cases); c++)
    {
      const SizeCase *k = &size_cases[c];
      g_autoptr (SrlEnv) env = env_ok (k->name, k->sets);
      const SrlEnvSpec *spec = srl_env_spec (env);
      g_test_message ("%s %s: obs %u, action %u", k->name, k->sets[0] ? k->sets[0] : "", spec->obs_dim, spec->act_dim);
      g_assert_cmpuint (spec->obs_dim, ==, k->obs);
      g_assert_cmpuint (spec->act_dim, ==, k->act);
      g_assert_cmpuint (spec->max_episode_steps, ==, k->limit);
      for (guint i = 0; i < spec->act_dim; i++)
        {
          g_assert_cmpfloat (spec->act_low[i], ==, -k->bound);
          g_assert_cmpfloat (spec->act_high[i], ==, k->bound);
        }
      g_assert_true (srl_env_has_bench_baseline (env));
    }
}

/* ------------------------------------------------------------------ random walks */

static void
test_random (gconstpointer data)
{
  const char *name = data;
  g_autoptr (SrlEnv) env = env_ok (name, NULL);
  g_autoptr (SrlEnv) twin = env_ok (name, NULL);
  const SrlEnvSpec *spec = srl_env_spec (env);
  guint O = spec->obs_dim, A = spec->act_dim;
  g_autofree double *obs = g_new (double, O), *obs2 = g_new (double, O);
  g_autofree float *action = g_new (float, A);
  SrlRng rng, actions, rng2;
  srl_rng_init (&rng, 11);
  rng2 = rng;
  srl_rng_init (&actions, 12);
  srl_env_reset (env, &rng, obs);
  srl_env_reset (twin, &rng2, obs2);
  guint t = 0, episodes = 0, terminated = 0;
  double sum = 0;
  for (guint step = 0; step < 10000; step++)
    {
      srl_rng_fill_uniform (&actions, action, A, -1, 1);
      double reward, reward2;
      SrlStepStatus status = srl_env_step_normalized (env, &rng, action, obs, &reward);
      if (status == SRL_STEP_INVALID)
        g_error ("%s: step %u invalid: %s", name, step, srl_env_invalid_reason (env));
      g_assert_true (isfinite (reward));
      for (guint i = 0; i < O; i++)
        g_assert_true (isfinite (obs[i]));
      sum += reward;
      /* The same seed, the same trajectory (bit for bit), for a while. */
      if (step < 1000)
        {
          SrlStepStatus status2 = srl_env_step_normalized (twin, &rng2, action, obs2, &reward2);
          g_assert_cmpint (status, ==, status2);
          g_assert_cmpfloat (reward, ==, reward2);
          g_assert_cmpmem (obs, O * sizeof (double), obs2, O * sizeof (double));
        }
      terminated += status == SRL_STEP_TERMINATED;
      if (status != SRL_STEP_CONTINUE || ++t >= spec->max_episode_steps)
        {
          srl_env_reset (env, &rng, obs);
          if (step < 1000)
            srl_env_reset (twin, &rng2, obs2);
          t = 0;
          episodes++;
        }
    }
  g_test_message ("%s: 10000 random steps, %u episodes ended (%u terminal), mean reward %.4f", name, episodes,
                  terminated, sum / 10000);
}

/* ------------------------------------------------------------------ references */

/* A model and data of our own for the same file, stepped as Gymnasium's
 * MujocoEnv steps: ctrl = action, frame_skip × mj_step, then
 * mj_rnePostConstraint. */
typedef struct {
  mjModel *m;
  mjData *d;
  int frame_skip;
  double dt;
} Ref;

static void
ref_open (Ref *ref, const char *model, int frame_skip)
{
  GError *error = NULL;
  g_autofree char *path = srl_find_data_file (model, &error);
  g_assert_no_error (error);
  char message[512];
  ref->m = mj_loadXML (path, NULL, message, sizeof message);
  g_assert_nonnull (ref->m);
  ref->d = mj_makeData (ref->m);
  ref->frame_skip = frame_skip;
  ref->dt = ref->m->opt.timestep * frame_skip;
}

static void
ref_close (Ref *ref)
{
  mj_deleteData (ref->d);
  mj_deleteModel (ref->m);
}

/* Gymnasium's set_state. */
static void
ref_set (Ref *ref, const double *qpos, const double *qvel)
{
  mj_resetData (ref->m, ref->d);
  memcpy (ref->d->qpos, qpos, ref->m->nq * sizeof (double));
  memcpy (ref->d->qvel, qvel, ref->m->nv * sizeof (double));
  mj_forward (ref->m, ref->d);
}

static void
ref_step (Ref *ref, const double *ctrl)
{
  memcpy (ref->d->ctrl, ctrl, ref->m->nu * sizeof (double));
  for (int k = 0; k < ref->frame_skip; k++)
    mj_step (ref->m, ref->d);
  mj_rnePostConstraint (ref->m, ref->d);
}

static double
sum_squares (const double *a, int n)
{
  double s = 0;
  for (int i = 0; i < n; i++)
    s += a[i] * a[i];
  return s;
}

/* Put an environment into a state by hand: a partial state file with
 * qpos and qvel only (documented in envs/mujoco/mujoco-env.h). */
static void
env_set_state (SrlEnv *env, const double *qpos, int nq, const double *qvel, int nv)
{
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "state.safetensors", NULL);
  GError *error = NULL;
  {
    g_autoptr (SrlStateWriter) w = srl_state_writer_new ();
    srl_state_writer_put_f64 (w, "qpos", qpos, nq);
    srl_state_writer_put_f64 (w, "qvel", qvel, nv);
    g_assert_true (srl_state_writer_write (w, path, &error));
  }
  g_autoptr (SrlStateReader) r = srl_state_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (srl_env_load (env, r, &error));
  g_assert_no_error (error);
  srl_test_rmtree (dir);
}

/* What a case expects after one step from the hand-set state. */
typedef struct {
  double reward;
  SrlStepStatus status;
  double obs[400];
  guint obs_dim;
} Expected;

static void
push (Expected *e, const double *v, int n, double clip)
{
  for (int i = 0; i < n; i++)
    e->obs[e->obs_dim++] = clip > 0 ? CLAMP (v[i], -clip, clip) : v[i];
}

typedef void (*ExpectFunc) (Ref *ref, const double *ctrl, Expected *e);

static void
expect_halfcheetah (Ref *ref, const double *a, Expected *e)
{
  double x0 = ref->d->qpos[0];
  ref_step (ref, a);
  e->reward = 1.0 * (ref->d->qpos[0] - x0) / ref->dt - 0.1 * sum_squares (a, 6);
  e->status = SRL_STEP_CONTINUE;
  push (e, ref->d->qpos + 1, 8, 0);
  push (e, ref->d->qvel, 9, 0);
}

static void
expect_hopper (Ref *ref, const double *a, Expected *e)
{
  double x0 = ref->d->qpos[0];
  ref_step (ref, a);
  const double *q = ref->d->qpos, *v = ref->d->qvel;
  gboolean healthy = 0.7 < q[1] && -0.2 < q[2] && q[2] < 0.2;
  for (int i = 2; i < 6; i++)
    healthy = healthy && -100 < q[i] && q[i] < 100;
  for (int i = 0; i < 6; i++)
    healthy = healthy && -100 < v[i] && v[i] < 100;
  e->reward = (q[0] - x0) / ref->dt + 1.0 - 1e-3 * sum_squares (a, 3);
  e->status = healthy ? SRL_STEP_CONTINUE : SRL_STEP_TERMINATED;
  push (e, q + 1, 5, 0);
  push (e, v, 6, 10);
}

static void
expect_walker2d (Ref *ref, const double *a, Expected *e)
{
  double x0 = ref->d->qpos[0];
  ref_step (ref, a);
  const double *q = ref->d->qpos;
  gboolean healthy = 0.8 < q[1] && q[1] < 2.0 && -1.0 < q[2] && q[2] < 1.0;
  e->reward = (q[0] - x0) / ref->dt + 1.0 - 1e-3 * sum_squares (a, 6);
  e->status = healthy ? SRL_STEP_CONTINUE : SRL_STEP_TERMINATED;
  push (e, q + 1, 8, 0);
  push (e, ref->d->qvel, 9, 10);
}

/* Ant-v4: the torso body's position (get_body_com) before and after. */
static void
ant_common (Ref *ref, const double *a, Expected *e, gboolean any, gboolean contact, gboolean xy)
{
  int torso = mj_name2id (ref->m, mjOBJ_BODY, "torso");
  double x0 = ref->d->xpos[3 * torso], y0 = ref->d->xpos[3 * torso + 1];
  ref_step (ref, a);
  double vx = (ref->d->xpos[3 * torso] - x0) / ref->dt, vy = (ref->d->xpos[3 * torso + 1] - y0) / ref->dt;
  const double *q = ref->d->qpos;
  gboolean healthy = 0.2 <= q[2] && q[2] <= 1.0;
  e->reward = (any ? sqrt (vx * vx + vy * vy) : vx) + 1.0 - 0.5 * sum_squares (a, 8);
  if (contact)
    {
      double c = 0;
      for (int i = 0; i < 84; i++)
        c += CLAMP (ref->d->cfrc_ext[i], -1, 1) * CLAMP (ref->d->cfrc_ext[i], -1, 1);
      e->reward -= 5e-4 * c;
    }
  e->status = healthy ? SRL_STEP_CONTINUE : SRL_STEP_TERMINATED;
  push (e, q + (xy ? 0 : 2), xy ? 15 : 13, 0);
  push (e, ref->d->qvel, 14, 0);
  if (contact)
    push (e, ref->d->cfrc_ext, 84, 1);
}

static void expect_ant (Ref *r, const double *a, Expected *e) { ant_common (r, a, e, FALSE, FALSE, FALSE); }
static void expect_ant_any (Ref *r, const double *a, Expected *e) { ant_common (r, a, e, TRUE, FALSE, TRUE); }
static void expect_ant_contact (Ref *r, const double *a, Expected *e) { ant_common (r, a, e, FALSE, TRUE, FALSE); }

static void
mass_center (const Ref *ref, double xy[2])
{
  double mass = 0;
  xy[0] = xy[1] = 0;
  for (int b = 0; b < ref->m->nbody; b++)
    {
      mass += ref->m->body_mass[b];
      xy[0] += ref->m->body_mass[b] * ref->d->xipos[3 * b];
      xy[1] += ref->m->body_mass[b] * ref->d->xipos[3 * b + 1];
    }
  xy[0] /= mass;
  xy[1] /= mass;
}

static void
expect_humanoid (Ref *ref, const double *a, Expected *e)
{
  double before[2], after[2];
  mass_center (ref, before);
  ref_step (ref, a);
  mass_center (ref, after);
  const double *q = ref->d->qpos;
  gboolean healthy = 1.0 < q[2] && q[2] < 2.0;
  e->reward = 1.25 * (after[0] - before[0]) / ref->dt + 5.0 - 0.1 * sum_squares (ref->d->ctrl, 17);
  e->status = healthy ? SRL_STEP_CONTINUE : SRL_STEP_TERMINATED;
  push (e, q + 2, 22, 0);
  push (e, ref->d->qvel, 23, 0);
  push (e, ref->d->cinert, 140, 0);
  push (e, ref->d->cvel, 84, 0);
  push (e, ref->d->qfrc_actuator, 23, 0);
  push (e, ref->d->cfrc_ext, 84, 0);
}

static void
swimmer_common (Ref *ref, const double *a, Expected *e, gboolean either, double line)
{
  double x0 = ref->d->qpos[0];
  ref_step (ref, a);
  double v = (ref->d->qpos[0] - x0) / ref->dt;
  e->reward = (either ? fabs (v) : v) - 1e-4 * sum_squares (a, 2) + (ref->d->qpos[0] > line ? 1.0 : 0.0);
  e->status = SRL_STEP_CONTINUE;
  push (e, ref->d->qpos + 2, 3, 0);
  push (e, ref->d->qvel, 5, 0);
}

static void expect_swimmer (Ref *r, const double *a, Expected *e) { swimmer_common (r, a, e, FALSE, INFINITY); }
static void expect_swimmer_finish (Ref *r, const double *a, Expected *e) { swimmer_common (r, a, e, TRUE, 4.0); }

/* The reference pusher: the reward on the state before the step. */
static void
pusher_common (Ref *ref, const double *a, Expected *e, gboolean use_x, gboolean use_y, double gx, double gy)
{
  int hand = mj_name2id (ref->m, mjOBJ_BODY, "distal_4"), puck = mj_name2id (ref->m, mjOBJ_BODY, "object");
  const double *p = ref->d->subtree_com + 3 * puck;
  double d2 = (use_x ? (p[0] - gx) * (p[0] - gx) : 0) + (use_y ? (p[1] - gy) * (p[1] - gy) : 0);
  e->reward = -0.1 * sum_squares (a, 3) - sqrt (d2);
  e->status = SRL_STEP_CONTINUE;
  ref_step (ref, a);
  mj_forward (ref->m, ref->d); /* the reference's forward after stepping */
  push (e, ref->d->qpos, 3, 0);
  push (e, ref->d->qvel, 3, 0);
  push (e, ref->d->subtree_com + 3 * hand, 3, 0);
  push (e, ref->d->subtree_com + 3 * puck, 3, 0);
}

static void expect_pusher_bottom (Ref *r, const double *a, Expected *e) { pusher_common (r, a, e, FALSE, TRUE, 0, -1); }
static void expect_pusher_both (Ref *r, const double *a, Expected *e) { pusher_common (r, a, e, TRUE, TRUE, -1, -1); }

/* ant-maze: the reference's Gaussian goal reward with its robot terms. */
static void
expect_ant_maze (Ref *ref, const double *a, Expected *e)
{
  ref_step (ref, a);
  const double *q = ref->d->qpos;
  double d2 = (q[0] - 8) * (q[0] - 8) + q[1] * q[1];
  double b = log (10.0 / 1.0) / 64.0; /* start reward 1 at |goal| = 8, 10 at the goal */
  double up = q[3] * q[3] - q[4] * q[4] - q[5] * q[5] + q[6] * q[6];
  e->reward = 10.0 * exp (-b * d2) + 0.05 - 5e-4 * sum_squares (a, 8);
  e->status = (q[2] <= 1.0 && up > 0) ? SRL_STEP_CONTINUE : SRL_STEP_TERMINATED;
  push (e, q, 15, 0);
  push (e, ref->d->qvel, 14, 0);
}

typedef struct {
  const char *name;
  const char *case_name;
  const char *sets[4];
  const char *model;
  int frame_skip;
  ExpectFunc expect;
  /* hand-set state: qpos0 plus these offsets on the first coordinates */
  double offset[4];
} RewardCase;

static const RewardCase reward_cases[] = {
  { "halfcheetah", "halfcheetah", { NULL }, "envs/mujoco/models/halfcheetah.xml", 5, expect_halfcheetah, { 0.3, 0.05, 0.1 } },
  { "hopper", "hopper", { NULL }, "envs/mujoco/models/hopper.xml", 4, expect_hopper, { 0.2, 0, 0.02 } },
  { "hopper", "hopper-fallen", { NULL }, "envs/mujoco/models/hopper.xml", 4, expect_hopper, { 0, -0.7, 0.3 } },
  { "walker2d", "walker2d", { NULL }, "envs/mujoco/models/walker2d.xml", 4, expect_walker2d, { -0.4, 0, 0.1 } },
  { "walker2d", "walker2d-tilted", { NULL }, "envs/mujoco/models/walker2d.xml", 4, expect_walker2d, { 0, 0, 1.2 } },
  { "ant", "ant", { NULL }, "envs/mujoco/models/ant.xml", 5, expect_ant, { 1, -2, 0 } },
  { "ant", "ant-high", { NULL }, "envs/mujoco/models/ant.xml", 5, expect_ant, { 0, 0, 0.6 } },
  { "ant", "ant-any", { "motion=any", "exclude_current_positions=false", NULL }, "envs/mujoco/models/ant.xml", 5,
    expect_ant_any, { 0.5, 0.5, 0 } },
  /* torso resting on the floor (radius 0.25): contact forces to clip and pay for */
  { "ant", "ant-contact", { "use_contact_forces=true", NULL }, "envs/mujoco/models/ant.xml", 5, expect_ant_contact,
    { 0, 0, -0.52 } },
  { "humanoid", "humanoid", { NULL }, "envs/mujoco/models/humanoid.xml", 5, expect_humanoid, { 0.2, 0.1, 0 } },
  { "humanoid", "humanoid-low", { NULL }, "envs/mujoco/models/humanoid.xml", 5, expect_humanoid, { 0, 0, -0.5 } },
  { "swimmer", "swimmer", { NULL }, "envs/mujoco/models/swimmer.xml", 4, expect_swimmer, { 0.5, -0.2, 0.3 } },
  { "swimmer", "swimmer-finish", { "motion=either", "finish_line=4", NULL }, "envs/mujoco/models/swimmer.xml", 4,
    expect_swimmer_finish, { 4.05, 0, 3.1 } },
  { "pusher", "pusher-bottom", { "goal_x=any", "goal_y=-1", NULL }, "envs/mujoco/models/pusher.xml", 5,
    expect_pusher_bottom, { 0.2, -0.3, 0.1, 0.6 } },
  { "pusher", "pusher-bottom-left", { "goal_x=-1", "goal_y=-1", NULL }, "envs/mujoco/models/pusher.xml", 5,
    expect_pusher_both, { -0.2, 0.4, 0.3, -0.5 } },
  { "ant-maze", "ant-maze", { NULL }, "envs/mujoco/models/ant-maze.xml", 5, expect_ant_maze, { 6, -2, 0 } },
};

static void
test_reward (gconstpointer data)
{
  const RewardCase *k = data;
  g_autoptr (SrlEnv) env = env_ok (k->name, k->sets);
  const SrlEnvSpec *spec = srl_env_spec (env);
  Ref ref;
  ref_open (&ref, k->model, k->frame_skip);
  const mjModel *m = ref.m;
  SrlRng rng;
  srl_rng_init (&rng, 5);
  for (int trial = 0; trial < 3; trial++)
    {
      double qpos[64], qvel[64], ctrl[32];
      float action[32];
      for (int i = 0; i < m->nq; i++)
        qpos[i] = m->qpos0[i] + (i < 4 ? k->offset[i] : 0) + 0.02 * srl_rng_normal (&rng);
      for (int i = 0; i < m->nv; i++)
        qvel[i] = 0.5 * srl_rng_normal (&rng);
      srl_rng_fill_uniform (&rng, action, m->nu, -1, 1);
      for (int i = 0; i < m->nu; i++)
        {
          /* the core's mapping of [-1, 1] onto the bounds */
          double a = action[i];
          ctrl[i] = spec->act_low[i] + 0.5 * (a + 1.0) * (spec->act_high[i] - spec->act_low[i]);
        }
      env_set_state (env, qpos, m->nq, qvel, m->nv);
      ref_set (&ref, qpos, qvel);
      Expected e = { 0 };
      k->expect (&ref, ctrl, &e);
      g_assert_cmpuint (e.obs_dim, ==, spec->obs_dim);
      g_autofree double *obs = g_new (double, spec->obs_dim);
      double reward;
      SrlStepStatus status = srl_env_step_normalized (env, &rng, action, obs, &reward);
      g_test_message ("%s, trial %d: reward %.9g (expected %.9g), status %d (expected %d), contacts %d", k->case_name,
                      trial, reward, e.reward, status, e.status, ref.d->ncon);
      g_assert_cmpint (status, ==, e.status);
      g_assert_cmpfloat_with_epsilon (reward, e.reward, 1e-9 * (1 + fabs (e.reward)));
      for (guint i = 0; i < spec->obs_dim; i++)
        if (fabs (obs[i] - e.obs[i]) > 1e-9 * (1 + fabs (e.obs[i])))
          g_error ("%s: observation[%u] is %.12g, expected %.12g", k->case_name, i, obs[i], e.obs[i]);
    }
  ref_close (&ref);
}

/* ------------------------------------------------------------------ the tasks' special rewards */

static double
step_from (SrlEnv *env, const double *qpos, int nq, const double *qvel, int nv, SrlStepStatus *status)
{
  env_set_state (env, qpos, nq, qvel, nv);
  const SrlEnvSpec *spec = srl_env_spec (env);
  g_autofree double *obs = g_new (double, spec->obs_dim);
  g_autofree float *action = g_new0 (float, spec->act_dim);
  SrlRng rng;
  srl_rng_init (&rng, 1);
  double reward;
  *status = srl_env_step_normalized (env, &rng, action, obs, &reward);
  return reward;
}

static void
test_cross_maze_goal (void)
{
  static const char *const goals[][2] = { { "goal=6;-6", NULL }, { "goal=6;6", NULL }, { "goal=12;0", NULL } };
  static const double at[][2] = { { 6, -6 }, { 6, 6 }, { 12, 0 } };
  for (int g = 0; g < 3; g++)
    {
      g_autoptr (SrlEnv) env = env_ok ("ant-cross-maze", goals[g]);
      double qpos[15] = { 0, 0, 0.55, 1, 0, 0, 0 }, qvel[14] = { 0 };
      SrlStepStatus status;
      /* Away from the goal: nothing at all (no velocity, control or survival term). */
      double r = step_from (env, qpos, 15, qvel, 14, &status);
      g_assert_cmpfloat (r, ==, 0);
      g_assert_cmpint (status, ==, SRL_STEP_CONTINUE);
      double info[3];
      srl_env_episode_info (env, info);
      g_assert_cmpfloat (info[0], ==, 0);
      /* Within the radius (2): 1000 and the episode ends. */
      qpos[0] = at[g][0] - 1.5;
      qpos[1] = at[g][1];
      r = step_from (env, qpos, 15, qvel, 14, &status);
      g_assert_cmpfloat (r, ==, 1000);
      g_assert_cmpint (status, ==, SRL_STEP_TERMINATED);
      srl_env_episode_info (env, info);
      g_assert_cmpfloat (info[0], ==, 1);
      g_assert_cmpfloat (info[1], <, 2);
    }
}

static void
test_swimmer_finish_info (void)
{
  static const char *const sets[] = { "motion=either", "finish_line=4", "finish_bonus=7", NULL };
  g_autoptr (SrlEnv) env = env_ok ("swimmer", sets);
  double qpos[5] = { 3.99, 0, 0, 0, 0 }, qvel[5] = { 2, 0, 0, 0, 0 };
  SrlStepStatus status;
  double r = step_from (env, qpos, 5, qvel, 5, &status);
  /* Crossed during the step: speed (about 2) plus the bonus. */
  g_assert_cmpfloat (r, >, 7);
  double info[3];
  srl_env_episode_info (env, info);
  g_assert_cmpfloat (info[0], >, 0);
  g_assert_cmpfloat (info[1], >=, info[0]);
  g_assert_cmpfloat (info[2], ==, 1);
  /* Backwards is rewarded the same as forwards (speed in either direction). */
  double back[5] = { 0, 0, 0, 0, 0 }, forward_v[5] = { 1, 0, 0, 0, 0 }, backward_v[5] = { -1, 0, 0, 0, 0 };
  double rf = step_from (env, back, 5, forward_v, 5, &status);
  double rb = step_from (env, back, 5, backward_v, 5, &status);
  g_assert_cmpfloat_with_epsilon (rf, rb, 1e-12);
  g_assert_cmpfloat (rf, >, 0.5);
}

static void
test_pusher_free_coordinate (void)
{
  /* With y free, moving the puck along y alone changes nothing. */
  static const char *const sets[] = { "goal_x=-1", "goal_y=any", NULL };
  g_autoptr (SrlEnv) env = env_ok ("pusher", sets);
  double qpos[5] = { 0, 0, 0, 0.5, -0.5 }, qvel[5] = { 0 };
  SrlStepStatus status;
  double r1 = step_from (env, qpos, 5, qvel, 5, &status);
  qpos[4] = 0.7;
  double r2 = step_from (env, qpos, 5, qvel, 5, &status);
  g_assert_cmpfloat_with_epsilon (r1, -1.5, 1e-12); /* |0.5 − (−1)|, zero action */
  g_assert_cmpfloat_with_epsilon (r2, -1.5, 1e-12);
  /* Both coordinates free is refused. */
  static const char *const none[] = { "goal_x=any", "goal_y=any", NULL };
  GError *error = NULL;
  g_assert_null (make_env ("pusher", none, &error));
  g_assert_error (error, SRL_ERROR, SRL_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "no goal"));
  g_clear_error (&error);
}

/* ------------------------------------------------------------------ errors */

static void
test_errors (void)
{
  g_autofree char *dir = srl_test_tmpdir ();
  GError *error = NULL;
  /* Missing file. */
  g_autofree char *missing = g_build_filename (dir, "nowhere.xml", NULL);
  g_autofree char *set_missing = g_strdup_printf ("model=%s", missing);
  const char *sets1[] = { set_missing, NULL };
  g_assert_null (make_env ("hopper", sets1, &error));
  /* A model the experiment names is its setting: a config error naming
   * [env] model (exit status 2). */
  g_assert_error (error, SRL_ERROR, SRL_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "[env] model: "));
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);
  /* Not XML. */
  g_autofree char *broken = srl_test_write (dir, "broken.xml", "<mujoco><worldbody><body></mujoco>\n");
  g_autofree char *set_broken = g_strdup_printf ("model=%s", broken);
  const char *sets2[] = { set_broken, NULL };
  g_assert_null (make_env ("hopper", sets2, &error));
  g_assert_error (error, SRL_ERROR, SRL_ERROR_CONFIG);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, broken));
  g_assert_nonnull (strstr (error->message, "XML"));
  g_clear_error (&error);
  /* Valid XML that MuJoCo refuses: its reason is quoted. */
  g_autofree char *bad = srl_test_write (dir, "bad.xml", "<mujoco><worldbody><geom type=\"sphere\" size=\"1\" "
                                                          "colour=\"red\"/></worldbody></mujoco>\n");
  g_autofree char *set_bad = g_strdup_printf ("model=%s", bad);
  const char *sets3[] = { set_bad, NULL };
  g_assert_null (make_env ("hopper", sets3, &error));
  g_assert_error (error, SRL_ERROR, SRL_ERROR_CONFIG);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, bad));
  g_assert_nonnull (strstr (error->message, "colour"));
  g_clear_error (&error);
  /* Another robot's model. */
  g_autofree char *walker = srl_find_data_file ("envs/mujoco/models/walker2d.xml", &error);
  g_assert_no_error (error);
  g_autofree char *set_walker = g_strdup_printf ("model=%s", walker);
  const char *sets4[] = { set_walker, NULL };
  g_assert_null (make_env ("hopper", sets4, &error));
  g_assert_error (error, SRL_ERROR, SRL_ERROR_CONFIG);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "nq 9"));
  g_clear_error (&error);
  srl_test_rmtree (dir);
}

/* ------------------------------------------------------------------ invalid steps */

static void
test_invalid (void)
{
  g_autoptr (SrlEnv) env = env_ok ("hopper", NULL);
  double qpos[6] = { 0, 1.25, 0, 0, 0, 0 }, qvel[6] = { 0, 0, 1e20, 0, 0, 0 };
  env_set_state (env, qpos, 6, qvel, 6);
  double obs[11], reward;
  float action[3] = { 0 };
  SrlRng rng;
  srl_rng_init (&rng, 1);
  SrlStepStatus status = srl_env_step_normalized (env, &rng, action, obs, &reward);
  g_assert_cmpint (status, ==, SRL_STEP_INVALID);
  const char *why = srl_env_invalid_reason (env);
  g_test_message ("%s", why);
  g_assert_nonnull (strstr (why, "MuJoCo"));
  g_assert_nonnull (strstr (why, "QVEL"));
  /* MuJoCo's own printing and log file were replaced. */
  g_assert_false (g_file_test ("MUJOCO_LOG.TXT", G_FILE_TEST_EXISTS));
  /* A new episode is fine again. */
  srl_env_reset (env, &rng, obs);
  g_assert_cmpint (srl_env_step_normalized (env, &rng, action, obs, &reward), !=, SRL_STEP_INVALID);
}

/* ------------------------------------------------------------------ the bare loop */

static void
test_baseline (void)
{
  g_autoptr (SrlEnv) a = env_ok ("ant", NULL);
  g_autoptr (SrlEnv) b = env_ok ("ant", NULL);
  double oa[27], ob[27], ra, rb;
  float action[8];
  SrlRng r1, r2, actions, other;
  srl_rng_init (&r1, 3);
  r2 = r1;
  srl_rng_init (&actions, 4);
  srl_rng_init (&other, 5);
  srl_env_reset (a, &r1, oa);
  srl_env_reset (b, &r2, ob);
  for (int t = 0; t < 40; t++)
    {
      if (t == 10)
        g_assert_cmpuint (srl_env_bench_baseline (a, &other, 25), ==, 25);
      srl_rng_fill_uniform (&actions, action, 8, -1, 1);
      SrlStepStatus sa = srl_env_step_normalized (a, &r1, action, oa, &ra);
      SrlStepStatus sb = srl_env_step_normalized (b, &r2, action, ob, &rb);
      g_assert_cmpint (sa, ==, sb);
      g_assert_cmpfloat (ra, ==, rb);
      g_assert_cmpmem (oa, sizeof oa, ob, sizeof ob);
      if (sa != SRL_STEP_CONTINUE)
        break;
    }
}

/* ------------------------------------------------------------------ resume through the runner */

static void
test_resume (void)
{
  static const char *experiment =
    "[experiment]\nepochs = 3\nsteps_per_epoch = 300\neval_episodes = 1\ninitial_random_steps = 100\n"
    "min_replay_size = 100\ncheckpoint_interval = 1\nseed = 4\n"
    "[env]\nplugin = hopper\n"
    "[algorithm]\nplugin = sac-auto\nbatch_size = 16\nhidden_sizes = 16;16\n"
    "[sampler]\nplugin = gaussian\nhidden_sizes = 16;16\n";
  g_autofree char *dir = srl_test_tmpdir ();
  g_autofree char *file = srl_test_write (dir, "hopper.ini", experiment);
  g_autofree char *reference = g_build_filename (dir, "reference", NULL);
  g_autofree char *run = g_build_filename (dir, "interrupted", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", file, "--out", reference, "-q", NULL), ==, 0);
  /* Interrupted twice mid-episode, then to the end. */
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", file, "--out", run, "-q", "--interrupt-after-steps", "333", NULL),
                   ==, 130);
  g_assert_cmpint (srl_test_run (NULL, NULL, NULL, "run", "--resume", run, "-q", "--interrupt-after-steps", "517", NULL),
                   ==, 130);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "run", "--resume", run, "-q", NULL), ==, 0);
  g_autofree char *a = srl_test_progress_without_wall_clock (reference);
  g_autofree char *b = srl_test_progress_without_wall_clock (run);
  g_assert_cmpstr (a, ==, b);
  srl_test_rmtree (dir);
}

/* ------------------------------------------------------------------ the command line */

static void
test_cli (void)
{
  static const char *const names[] = { "halfcheetah", "hopper", "walker2d", "ant", "humanoid", "swimmer",
                                       "ant-maze", "ant-hallway", "ant-cross-maze", "pusher" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      int status = srl_test_run (NULL, &out, &err, "env", names[i], "--steps", "30", NULL);
      if (status != 0)
        g_error ("softrl env %s: %s", names[i], err);
      g_assert_nonnull (strstr (out, "0 invalid steps"));
    }
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, &out, &err, "bench", "env", "hopper", "--rounds", "1", "--seconds", "0.05",
                                 "--json", NULL),
                   ==, 0);
  g_assert_nonnull (strstr (out, "\"fraction_of_bare\":"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, &out, &err, "env", "hopper", "--set", "model=/nonexistent/hopper.xml", NULL),
                   ==, 2);
  g_assert_nonnull (strstr (err, "[env] model: MuJoCo model /nonexistent/hopper.xml: no such file"));
  /* A directory named as the model, and a file MuJoCo cannot read. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, &out, &err, "env", "hopper", "--set", "model=/tmp", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "[env] model: MuJoCo model /tmp: not a regular file"));
  g_autofree char *scratch = srl_test_tmpdir ();
  g_autofree char *junk = srl_test_write (scratch, "junk.xml", "<mujoco><worldbody><body>");
  g_autofree char *set_junk = g_strconcat ("model=", junk, NULL);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (srl_test_run (NULL, &out, &err, "env", "hopper", "--set", set_junk, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "[env] model: MuJoCo could not load the model"));
  srl_test_rmtree (scratch);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  registry = srl_registry_new ();
  srl_registry_load_default (registry);
  sections = g_ptr_array_new_with_free_func ((GDestroyNotify) srl_section_free);
  g_test_add_func ("/mujoco/sizes", test_sizes);
  static const char *const names[] = { "halfcheetah", "hopper", "walker2d", "ant", "humanoid", "swimmer",
                                       "ant-maze", "ant-hallway", "ant-cross-maze", "pusher" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_strdup_printf ("/mujoco/random/%s", names[i]);
      g_test_add_data_func (path, names[i], test_random);
    }
  for (guint i = 0; i < G_N_ELEMENTS (reward_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/mujoco/reward/%s", reward_cases[i].case_name);
      g_test_add_data_func (path, &reward_cases[i], test_reward);
    }
  g_test_add_func ("/mujoco/task/cross-maze-goal", test_cross_maze_goal);
  g_test_add_func ("/mujoco/task/swimmer-finish", test_swimmer_finish_info);
  g_test_add_func ("/mujoco/task/pusher-free-coordinate", test_pusher_free_coordinate);
  g_test_add_func ("/mujoco/errors", test_errors);
  g_test_add_func ("/mujoco/invalid", test_invalid);
  g_test_add_func ("/mujoco/baseline", test_baseline);
  g_test_add_func ("/mujoco/resume", test_resume);
  g_test_add_func ("/mujoco/cli", test_cli);
  int status = g_test_run ();
  g_ptr_array_unref (sections);
  srl_registry_free (registry);
  return status;
}

/* The shipped robot models (envs/mujoco/models/) compile to Gymnasium's v4
 * ones: each is loaded with MuJoCo and its options and sizes are compared
 * with values written here, so that an edit that drifts from Gymnasium (a
 * solver, an integrator, a timestep, a body or joint added or lost) fails
 * `make check` instead of silently changing every return.
 *
 * Source of the expected values: Gymnasium's MuJoCo assets as used by the v4
 * environments (gymnasium/envs/mujoco/assets/half_cheetah.xml, hopper.xml,
 * walker2d.xml, ant.xml, humanoid.xml, swimmer.xml; the same files as
 * openai/gym's gym/envs/mujoco/assets/), whose <option> elements read:
 *   half_cheetah  timestep 0.01, Euler (the default), gravity 0 0 -9.81
 *   hopper        timestep 0.002, RK4
 *   walker2d      timestep 0.002, RK4
 *   ant           timestep 0.01, RK4
 *   humanoid      timestep 0.003, RK4, PGS, 50 iterations (openai/gym's
 *                 file; one later revision of Gymnasium's, c6782891, reads
 *                 solver="Newton": PGS is kept, as the model's comment says)
 *   swimmer       timestep 0.01, RK4, density 4000, viscosity 0.1
 * and MuJoCo's defaults elsewhere (Newton, 100 iterations, pyramidal cone).
 * The sizes count the same bodies, joints, geoms (with the floor) and
 * actuators as those files.  The total mass and the sums of gears, control
 * bounds, armature and damping are what the shipped files compile to here;
 * they catch an edited inertia, gear or joint default.  The environments'
 * frame skips (5, 4, 4, 5, 5, 4) are checked by test-mujoco's reward cases,
 * which step a reference model that many frames per environment step. */
#include <math.h>
#include <mujoco/mujoco.h>

#include "testutil.h"

typedef struct {
  const char *file;
  double timestep;
  int integrator, solver, iterations;
  double density, viscosity;
  int nq, nv, nu, nbody, njnt, ngeom, ntendon;
  double total_mass, gear_sum, ctrl_high_sum, armature_sum, damping_sum;
} ModelCase;

static const ModelCase model_cases[] = {
  { "halfcheetah.xml", 0.01, mjINT_EULER, mjSOL_NEWTON, 100, 0, 0, 9, 9, 6, 8, 9, 9, 0, 14.0, 480, 6, 0.6, 22.5 },
  { "hopper.xml", 0.002, mjINT_RK4, mjSOL_NEWTON, 100, 0, 0, 6, 6, 3, 5, 6, 5, 0, 15.820013405927003, 600, 3, 3, 3 },
  { "walker2d.xml", 0.002, mjINT_RK4, mjSOL_NEWTON, 100, 0, 0, 9, 9, 6, 8, 9, 8, 0, 23.677136632555076, 600, 6, 0.06,
    0.6 },
  { "ant.xml", 0.01, mjINT_RK4, mjSOL_NEWTON, 100, 0, 0, 15, 14, 8, 14, 9, 14, 0, 0.91088008270739151, 1200, 8, 8, 8 },
  { "humanoid.xml", 0.003, mjINT_RK4, mjSOL_PGS, 50, 0, 0, 24, 23, 17, 14, 18, 18, 2, 42.116030492129887, 1850, 6.8,
    0.1594, 53 },
  { "swimmer.xml", 0.01, mjINT_RK4, mjSOL_NEWTON, 100, 4000, 0.1, 5, 5, 2, 4, 5, 4, 0, 106.81415022205297, 300, 2, 0.5,
    0 },
};

static void
assert_close (double got, double expected, const char *what, const char *file)
{
  if (fabs (got - expected) > 1e-9 * fmax (1.0, fabs (expected)))
    g_error ("%s: %s is %.17g, Gymnasium v4's is %.17g", file, what, got, expected);
}

static void
assert_same (int got, int expected, const char *what, const char *file)
{
  if (got != expected)
    g_error ("%s: %s is %d, Gymnasium v4's is %d", file, what, got, expected);
}

static void
test_model (gconstpointer data)
{
  const ModelCase *c = data;
  GError *error = NULL;
  g_autofree char *name = g_strconcat ("envs/mujoco/models/", c->file, NULL);
  g_autofree char *path = srl_find_data_file (name, &error);
  g_assert_no_error (error);
  char message[1000] = "";
  mjModel *m = mj_loadXML (path, NULL, message, sizeof message);
  if (!m)
    g_error ("%s: %s", path, message);

  assert_close (m->opt.timestep, c->timestep, "opt.timestep", c->file);
  assert_same (m->opt.integrator, c->integrator, "opt.integrator", c->file);
  assert_same (m->opt.solver, c->solver, "opt.solver (0 PGS, 1 CG, 2 Newton)", c->file);
  assert_same (m->opt.iterations, c->iterations, "opt.iterations", c->file);
  assert_same (m->opt.cone, mjCONE_PYRAMIDAL, "opt.cone", c->file);
  assert_same (m->opt.disableflags, 0, "opt.disableflags", c->file);
  assert_same (m->opt.enableflags, 0, "opt.enableflags", c->file);
  assert_close (m->opt.gravity[0], 0, "opt.gravity[0]", c->file);
  assert_close (m->opt.gravity[1], 0, "opt.gravity[1]", c->file);
  assert_close (m->opt.gravity[2], -9.81, "opt.gravity[2]", c->file);
  assert_close (m->opt.density, c->density, "opt.density", c->file);
  assert_close (m->opt.viscosity, c->viscosity, "opt.viscosity", c->file);

  assert_same (m->nq, c->nq, "nq", c->file);
  assert_same (m->nv, c->nv, "nv", c->file);
  assert_same (m->nu, c->nu, "nu", c->file);
  assert_same (m->nbody, c->nbody, "nbody", c->file);
  assert_same (m->njnt, c->njnt, "njnt", c->file);
  assert_same (m->ngeom, c->ngeom, "ngeom", c->file);
  assert_same (m->ntendon, c->ntendon, "ntendon", c->file);

  double gear = 0, ctrl_high = 0, armature = 0, damping = 0;
  for (int k = 0; k < m->nu; k++)
    {
      gear += m->actuator_gear[6 * k];
      ctrl_high += m->actuator_ctrlrange[2 * k + 1];
    }
  for (int k = 0; k < m->nv; k++)
    {
      armature += m->dof_armature[k];
      damping += m->dof_damping[k];
    }
  assert_close (mj_getTotalmass (m), c->total_mass, "total mass", c->file);
  assert_close (gear, c->gear_sum, "sum of actuator gears", c->file);
  assert_close (ctrl_high, c->ctrl_high_sum, "sum of control upper bounds", c->file);
  assert_close (armature, c->armature_sum, "sum of dof armature", c->file);
  assert_close (damping, c->damping_sum, "sum of dof damping", c->file);
  mj_deleteModel (m);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (model_cases); i++)
    {
      g_autofree char *test_path = g_strdup_printf ("/mujoco-models/%s", model_cases[i].file);
      g_test_add_data_func (test_path, &model_cases[i], test_model);
    }
  return g_test_run ();
}

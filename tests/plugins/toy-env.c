/* A minimal environment plugin for the registry tests: a 1-D point that
 * integrates its action.  Built twice (toy-a.so, toy-b.so) to test that an
 * identical descriptor registered again is a no-op; TOY_DOC changes the
 * descriptor for the conflicting-duplicate test; TOY_ABI_MAJOR/MINOR fake
 * another ABI; TOY_FAIL makes the entry point refuse. */
#include <softrl/softrl.h>

#ifndef TOY_DOC
#define TOY_DOC "a 1-D point that integrates its action (test plugin)"
#endif

static const SrlParamSpec toy_params[] = {
  SRL_PARAM_DOUBLE ("gain", "1", 0, 10, "action multiplier"),
  SRL_PARAM_END
};

typedef struct {
  double x, gain, low, high;
  SrlEnvSpec spec;
} Toy;

static gpointer
toy_create (const SrlSection *params, GError **error)
{
  Toy *t = g_new0 (Toy, 1);
  t->gain = srl_section_get_double (params, "gain");
  t->low = -1;
  t->high = 1;
  t->spec.obs_dim = 1;
  t->spec.act_dim = 1;
  t->spec.act_low = &t->low;
  t->spec.act_high = &t->high;
  t->spec.max_episode_steps = 10;
  return t;
}

static void toy_destroy (gpointer p) { g_free (p); }
static const SrlEnvSpec *toy_spec (gpointer p) { return &((Toy *) p)->spec; }

static void
toy_reset (gpointer p, SrlRng *rng, double *obs)
{
  Toy *t = p;
  obs[0] = t->x = srl_rng_uniform (rng);
}

static SrlStepStatus
toy_step (gpointer p, SrlRng *rng, const double *a, double *obs, double *reward)
{
  Toy *t = p;
  t->x += t->gain * a[0];
  obs[0] = t->x;
  *reward = -t->x * t->x;
  return SRL_STEP_CONTINUE;
}

static void
toy_save (gpointer p, SrlStateWriter *w)
{
  srl_state_writer_put_f64 (w, "x", &((Toy *) p)->x, 1);
}

static gboolean
toy_load (gpointer p, const SrlStateReader *r, GError **error)
{
  return srl_state_reader_get_f64 (r, "x", &((Toy *) p)->x, 1, error);
}

static SrlEnvDescriptor toy_descriptor = {
  .info = SRL_PLUGIN_INFO (SRL_KIND_ENV, SrlEnvDescriptor, "toy", TOY_DOC, toy_params),
  .create = toy_create,
  .destroy = toy_destroy,
  .spec = toy_spec,
  .reset = toy_reset,
  .step = toy_step,
  .save = toy_save,
  .load = toy_load,
};

SRL_PLUGIN_DEFINE (registry, error)
{
#ifdef TOY_FAIL
  g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "the toy resource is missing");
  return FALSE;
#endif
#ifdef TOY_ABI_MAJOR
  toy_descriptor.info.abi_major = TOY_ABI_MAJOR;
#endif
#ifdef TOY_ABI_MINOR
  toy_descriptor.info.abi_minor = TOY_ABI_MINOR;
#endif
  return srl_registry_add (registry, &toy_descriptor.info, error);
}

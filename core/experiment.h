/* softrl — experiments: a keyfile resolved against the registry (internal). */
#ifndef SRL_EXPERIMENT_H
#define SRL_EXPERIMENT_H

#include "srl-private.h"

G_BEGIN_DECLS

typedef struct {
  char *file;                 /* where it was read from */
  SrlSection *runner;         /* [experiment] */
  SrlSection *env;            /* [env] */
  SrlSection *algorithm;      /* [algorithm] */
  SrlSection *sampler;        /* [sampler], NULL when the algorithm takes none */
  const SrlEnvDescriptor *env_descriptor;
  const SrlAlgorithmDescriptor *algorithm_descriptor;
  const SrlSamplerDescriptor *sampler_descriptor;
  SrlSamplerFactory sampler_factory;
} SrlExperiment;

/* The runner's own parameters ([experiment]). */
extern const SrlParamSpec srl_experiment_params[];

/* Load `path`, apply `overrides` ("group.key=value", NULL-terminated, may be
 * NULL), resolve the plugins and fill every default.  Errors name the file
 * (or the override), the group and the key. */
SrlExperiment *srl_experiment_load (const SrlRegistry *registry, const char *path,
                                    const char *const *overrides, GError **error);
void srl_experiment_free (SrlExperiment *experiment);
/* The fully resolved keyfile text (transfer full). */
char *srl_experiment_format (const SrlExperiment *experiment);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlExperiment, srl_experiment_free)

G_END_DECLS

#endif

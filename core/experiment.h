/* softrl — experiments: the struct behind softrl/experiment.h (internal). */
#ifndef SRL_EXPERIMENT_H
#define SRL_EXPERIMENT_H

#include "srl-private.h"

G_BEGIN_DECLS

struct _SrlExperiment {
  char *file;                 /* where it was read from */
  SrlSection *runner;         /* [experiment] */
  SrlSection *env;            /* [env] */
  SrlSection *algorithm;      /* [algorithm] */
  SrlSection *sampler;        /* [sampler], NULL when the algorithm takes none */
  const SrlEnvDescriptor *env_descriptor;
  const SrlAlgorithmDescriptor *algorithm_descriptor;
  const SrlSamplerDescriptor *sampler_descriptor;
  SrlSamplerFactory sampler_factory;
};

/* The runner's own parameters ([experiment]). */
extern const SrlParamSpec srl_experiment_params[];

/* Whether `sampler` (NULL: none) suits `algorithm`: one when it takes one,
 * with the properties it requires; otherwise FALSE with a config error
 * naming both. */
gboolean srl_algorithm_check_sampler (const SrlAlgorithmDescriptor *algorithm, const SrlSamplerDescriptor *sampler,
                                      GError **error);

/* Whether the checkpoint or policy read by `reader` was written by the run
 * that `experiment` (its config.ini) describes: the same run id and seed,
 * else an error naming both. */
gboolean srl_experiment_check_owner (const SrlStateReader *reader, const SrlExperiment *experiment, GError **error);
/* The name of an experiment read from `path` when it sets none: the file's
 * name without ".ini" (transfer full). */
char *srl_experiment_default_name (const char *path);

G_END_DECLS

#endif

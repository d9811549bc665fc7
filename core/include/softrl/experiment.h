/* softrl — experiments and run directories, for tools and plugins that build
 * on saved runs (fine-tuning, composition, hierarchies, sweeps).
 *
 * An SrlExperiment is a keyfile resolved against a registry: its plugins
 * found, every key validated, every default filled.  A run directory holds
 * the resolved experiment and the files below; a plugin that reuses a saved
 * run opens them with the state reader (softrl/state.h).
 * Not thread-safe; an experiment borrows the registry's descriptors, so free
 * it before the registry.
 */
#ifndef SOFTRL_EXPERIMENT_H
#define SOFTRL_EXPERIMENT_H

#include <glib.h>
#include <softrl/algorithm.h>
#include <softrl/env.h>
#include <softrl/param.h>
#include <softrl/registry.h>
#include <softrl/sampler.h>

G_BEGIN_DECLS

/* Files of a run directory. */
#define SRL_RUN_CONFIG "config.ini"                 /* the resolved experiment */
#define SRL_RUN_CHECKPOINT "checkpoint.safetensors" /* everything to resume */
#define SRL_RUN_POLICY "policy.safetensors"         /* what acting needs */
#define SRL_RUN_PROGRESS "progress.csv"
#define SRL_RUN_STATUS "status"
#define SRL_RUN_LOG "log.txt"                       /* what the run said, with times */
#define SRL_RUN_COMPOSITION "compose.ini"           /* the experiment `softrl compose` wrote and ran */
#define SRL_RUN_OUTPUT "output.txt"                 /* a sweep run's stdout and stderr, every attempt's */
#define SRL_RUN_LOCK ".lock"                        /* held by the process that owns the run */
/* Every name above, to initialise an array: commands that write beside a
 * run refuse these names, so a new file of a run directory goes here. */
#define SRL_RUN_FILES                                                                                      \
  SRL_RUN_CONFIG, SRL_RUN_CHECKPOINT, SRL_RUN_POLICY, SRL_RUN_PROGRESS, SRL_RUN_STATUS, SRL_RUN_LOG,        \
    SRL_RUN_COMPOSITION, SRL_RUN_OUTPUT, SRL_RUN_LOCK
/* Prefixes of the tensors inside a checkpoint; a policy file holds the
 * algorithm's SRL_SAVE_POLICY tensors without prefix. */
#define SRL_CHECKPOINT_ALGORITHM "algorithm."
#define SRL_CHECKPOINT_REPLAY "replay."
#define SRL_CHECKPOINT_ENV "env."
#define SRL_CHECKPOINT_RUNNER "runner."

typedef struct _SrlExperiment SrlExperiment;

/* Load `path`, apply `overrides` ("group.key=value", NULL-terminated, may be
 * NULL), resolve the plugins and fill every default.  Errors name the file
 * (or the override), the group and the key.  transfer full. */
SrlExperiment *srl_experiment_load (const SrlRegistry *registry, const char *path,
                                    const char *const *overrides, GError **error);
/* The experiment of a run directory (RUN_DIR/config.ini); the error says
 * when the directory is not a run.  transfer full. */
SrlExperiment *srl_experiment_load_run (const SrlRegistry *registry, const char *run_dir,
                                        const char *const *overrides, GError **error);
/* Frees the experiment and its sections. */
void srl_experiment_free (SrlExperiment *experiment);
/* The file it was read from (owned by the experiment). */
const char *srl_experiment_file (const SrlExperiment *experiment);
/* A group: "experiment", "env", "algorithm" or "sampler" (NULL when the
 * algorithm takes no sampler).  Owned by the experiment. */
const SrlSection *srl_experiment_section (const SrlExperiment *experiment, const char *group);
/* The plugins it names (the registry's). */
const SrlEnvDescriptor *srl_experiment_env (const SrlExperiment *experiment);
const SrlAlgorithmDescriptor *srl_experiment_algorithm (const SrlExperiment *experiment);
/* The sampler plugin and its parameters, or NULL.  Owned by the experiment. */
const SrlSamplerFactory *srl_experiment_sampler (const SrlExperiment *experiment);
/* The fully resolved keyfile text (transfer full). */
char *srl_experiment_format (const SrlExperiment *experiment);

/* A data file shipped with softrl (an environment's model, say), named by
 * its path in the source tree ("envs/mujoco/models/ant.xml").  Searched in
 * SOFTRL_DATA_PATH (colon separated), then the source tree when the program
 * runs uninstalled, then $(pkgdatadir).  transfer full; NULL with an error
 * naming the places searched. */
char *srl_find_data_file (const char *name, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlExperiment, srl_experiment_free)

G_END_DECLS

#endif

/* The soft actor-critic shared by the algorithms "sac", "sac-auto" (sac.c)
 * and "lsp" (lsp.c): networks, the update, saving and loading.  Internal to
 * the plugins of this folder (a convenience library linked into each). */
#ifndef SRL_SAC_CORE_H
#define SRL_SAC_CORE_H

#include <softrl/softrl.h>

G_BEGIN_DECLS

#define SAC_MAX_Q 8

/* Parameters of every SAC variant.  TABLE names the table of appendix C
 * the defaults come from, REWARD_TABLE the one that tunes the reward scale. */
#define SAC_COMMON_PARAMS(TABLE, BATCH, TAU, HIDDEN, HIDDEN_DOC, REWARD_TABLE)                                                       \
  SRL_PARAM_INT ("batch_size", BATCH, 1, 1e6, "transitions per minibatch (" TABLE ": " BATCH ")"),                     \
  SRL_PARAM_DOUBLE ("discount", "0.99", 0, 1, "discount γ (" TABLE ": 0.99)"),                                           \
  SRL_PARAM_DOUBLE ("tau", TAU, 0, 1, "target smoothing coefficient τ; 1 is a hard copy (" TABLE ": " TAU ")"),          \
  SRL_PARAM_INT ("target_update_interval", "1", 1, 1e9, "updates between target updates (Table C.1: 1; 1000 with τ = 1)"), \
  SRL_PARAM_DOUBLE ("q_lr", "3e-4", 0, 1, "Adam learning rate of the Q-functions (" TABLE ": 3·10⁻⁴)"),                  \
  SRL_PARAM_DOUBLE ("policy_lr", "3e-4", 0, 1, "Adam learning rate of the policy (" TABLE ": 3·10⁻⁴)"),                  \
  SRL_PARAM_INT_LIST ("hidden_sizes", HIDDEN, 1, 65536, "hidden ReLU units of each Q-function (" TABLE ": " HIDDEN_DOC \
                      "); the policy's are [sampler] hidden_sizes"),                                                        \
  SRL_PARAM_INT ("n_q", "2", 1, SAC_MAX_Q, "Q-functions whose minimum is used (chapter 4: 2)"),                     \
  SRL_PARAM_DOUBLE ("reward_scale", "1", 0, SRL_UNBOUNDED, "multiplier of rewards (" REWARD_TABLE ")"),        \
  SRL_PARAM_DOUBLE ("grad_clip", "0", 0, SRL_UNBOUNDED, "clip each network's gradient to this global norm (0: off)"),   \
  SRL_PARAM_CHOICE ("init", "glorot", "glorot|he", "weight initialisation of the Q-functions")

/* The temperature's own parameters when it is learned (chapter 5). */
#define SAC_AUTO_ALPHA_PARAMS                                                                                     \
  SRL_PARAM_DOUBLE ("initial_alpha", "1", 1e-12, SRL_UNBOUNDED, "temperature α before learning"),                 \
  SRL_PARAM_DOUBLE ("alpha_lr", "3e-4", 0, 1, "Adam learning rate of log α"),                                      \
  SRL_PARAM_DOUBLE_OR ("target_entropy", "auto", -SRL_UNBOUNDED, SRL_UNBOUNDED, "auto",                            \
                       "target entropy H̄; auto is −|A| (chapter 5)")

/* The action prior p(a) of the objective (7.4): uniform (the plain maximum
 * entropy objective) or a standard normal (the upper layers of a hierarchy,
 * C.4), whose log-density then enters the soft value and the policy loss:
 *   y = c·r + γ(1 − d)(min Q̄(s', a') − α(log π(a'|s') − log p(a')))
 *   J_π = α(log π(ã|s) − log p(ã)) − min Q(s, ã)                           */
typedef enum {
  SAC_PRIOR_UNIFORM,
  SAC_PRIOR_NORMAL
} SacPrior;

typedef struct {
  gboolean learn_alpha; /* sac-auto: learn log α (Equation 5.8) */
  gboolean env_actions; /* the policy outputs environment actions */
  SacPrior prior;
} SacOptions;

typedef struct {
  gboolean learn_alpha;
  SacPrior prior;
  guint obs_dim, act_dim, batch_size, n_q, in_dim;
  float discount, tau, reward_scale, grad_clip, target_entropy;
  gint64 target_update_interval;
  SrlRng rng;
  guint64 updates;

  SrlSampler *policy;
  SrlAdam *policy_adam;
  SrlWeights *q_weights[SAC_MAX_Q], *target_weights[SAC_MAX_Q];
  SrlMlp *q[SAC_MAX_Q], *target[SAC_MAX_Q];
  SrlAdam *q_adam[SAC_MAX_Q];
  SrlWeights *log_alpha; /* one value, so Adam and saving treat it like any weight */
  SrlAdam *alpha_adam;
  float fixed_alpha;

  /* workspaces, sized once */
  SrlBatch *batch;
  float *noise, *noise_new, *next_act, *next_logp, *new_act, *logp;
  float *sa_next, *sa, *sa_new;  /* Q-function inputs [s', a'], [s, a], [s, ã] */
  float *y, *q_min, *d_act, *d_logp;
  const float *q_target[SAC_MAX_Q], *q_new[SAC_MAX_Q]; /* Q̄_k(s', a'), Q_k(s, ã): network outputs */
  float *q_data[SAC_MAX_Q];              /* Q_k(s, a) before its step */
  float *dq[SAC_MAX_Q], *d_new[SAC_MAX_Q]; /* dL/dQ_k, and dL/dã through Q_k [B, A] */
  guint *argmin;
  gboolean q_used[SAC_MAX_Q];  /* Q_k is the minimum somewhere in the batch */
  gboolean polyak_due;  /* this update moves the target Q-functions */
  float *act_noise;     /* one row of noise for acting */
} Sac;

/* Build from the [algorithm] group and the sampler of `ctx` (transfer full). */
Sac *sac_new (const SrlAlgorithmContext *ctx, const SacOptions *options, GError **error);
float sac_alpha (const Sac *sac);
/* The policy's action for one observation and noise vector (zeros: the
 * deterministic action). */
void sac_policy_action (Sac *sac, const float *obs, const float *noise, float *action);

/* Descriptor functions of a Sac (SrlAlgorithmDescriptor's destroy, stats,
 * update, save, load, update_flops). */
void sac_free (gpointer sac);
const SrlStatSpec *sac_stats (gpointer sac);
gboolean sac_update (gpointer sac, SrlReplay *replay, double *stats, GError **error);
void sac_save (gpointer sac, SrlStateWriter *writer, SrlSaveScope scope);
gboolean sac_load (gpointer sac, const SrlStateReader *reader, SrlSaveScope scope, GError **error);
guint64 sac_update_flops (gpointer sac);

G_END_DECLS

#endif

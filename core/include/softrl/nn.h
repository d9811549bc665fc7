/* softrl — the network core: float32 parameters, dense MLPs on cblas_sgemm, Adam.
 *
 * Parameters live in an SrlWeights: one flat float array (and a gradient
 * array of the same size) cut into named entries.  Optimisers, target copies,
 * gradient clipping, saving and the finite-difference tests all work on the
 * flat arrays, whatever network the entries belong to.
 *
 * An SrlMlp is the structure of a dense network laid out in an SrlWeights,
 * plus the workspace for `max_rows` rows, allocated once.  Forward and
 * backward never allocate.  Matrices are row-major: a batch is [rows, width];
 * a layer computes y = x·W + b with W stored [in, out].
 *
 * Ownership: an SrlMlp and an SrlAdam borrow the SrlWeights they work on
 * (free them first, the weights last); every object here is freed by its
 * own *_free, which accepts NULL.  Allocation happens in the constructors
 * and srl_weights_allocate() only: nothing else here allocates, so an
 * algorithm that builds its networks in create() stays allocation-free in
 * act() and update().
 *
 * None of these objects is thread-safe; cblas_sgemm may use OpenBLAS threads
 * internally.  srl_mlp_backward() and the Adam steps run their independent
 * products and pieces as tasks of softrl/parallel.h (on one thread unless
 * the program asked for more), with results that do not depend on the
 * number of threads.
 */
#ifndef SOFTRL_NN_H
#define SOFTRL_NN_H

#include <glib.h>
#include <softrl/rng.h>
#include <softrl/state.h>

G_BEGIN_DECLS

/* ---- parameters ---- */
typedef struct _SrlWeights SrlWeights;

/* An empty, unallocated set (transfer full: free with srl_weights_free). */
SrlWeights *srl_weights_new (void);
/* Frees the data, the gradient and the entries. */
void srl_weights_free (SrlWeights *weights);
/* Declare an entry named `name` (copied): a matrix of rows×cols floats, or
 * with rows = 0 a vector of `cols` floats.  Only before
 * srl_weights_allocate(); returns its offset in the flat array.  Names must
 * be unique within the set (a repeated one is a programming error). */
gsize srl_weights_declare (SrlWeights *weights, const char *name, gsize rows, gsize cols);
/* Allocate data and gradient (both zero); the layout is frozen afterwards. */
void srl_weights_allocate (SrlWeights *weights);
/* A new allocated set with the same layout and a copy of the data
 * (target networks).  transfer full. */
SrlWeights *srl_weights_new_copy (const SrlWeights *weights);
/* Floats in the set, and its flat data and gradient arrays (owned by the
 * set, NULL before srl_weights_allocate(), valid until it is freed).
 * Plugins may read and write them directly (custom initialisation, weight
 * decay added to the gradient). */
gsize srl_weights_size (const SrlWeights *weights);
float *srl_weights_data (SrlWeights *weights);
float *srl_weights_grad (SrlWeights *weights);
const float *srl_weights_data_const (const SrlWeights *weights);
/* Entry access for tests, tools and custom initialisation: entry i's name
 * (owned by the set) and, through the out-arguments (each may be NULL), its
 * offset and shape (rows = 0 for a vector).  Entries keep declaration order;
 * an SrlMlp declares "PREFIXlL.weight" [in, out] then "PREFIXlL.bias" per layer. */
guint srl_weights_n_entries (const SrlWeights *weights);
const char *srl_weights_entry (const SrlWeights *weights, guint i, gsize *offset, gsize *rows, gsize *cols);

/* Floating-point operations (2 per multiply-add) of one row through every
 * matrix entry of the set once (one forward pass of each network declared
 * in it); with `first` non-NULL, those of the first matrix entry alone (the
 * layer reading the input of the set's first network).  For roofline
 * estimates (SrlAlgorithmDescriptor's update_flops). */
guint64 srl_weights_flops_per_row (const SrlWeights *weights, guint64 *first);

void srl_weights_zero_grad (SrlWeights *weights);
/* dst ← src (same layout required). */
void srl_weights_copy_data (SrlWeights *dst, const SrlWeights *src);
/* target ← (1 − tau)·target + tau·src; tau = 1 is a hard copy. */
void srl_weights_polyak (SrlWeights *target, const SrlWeights *src, float tau);
/* Scale the gradient so its global L2 norm is at most max_norm (> 0).
 * Returns the norm before clipping. */
float srl_weights_clip_grad_norm (SrlWeights *weights, float max_norm);
/* Save each entry as PREFIX + entry name, shaped [rows, cols] or [cols].
 * The writer borrows the data: leave the weights unchanged until it writes. */
void srl_weights_save (const SrlWeights *weights, SrlStateWriter *writer, const char *prefix);
/* Load every entry, refusing missing tensors or other shapes with the file,
 * tensor, expected and found shapes in the message (SRL_ERROR_MISMATCH).
 * On failure the entries before the faulty one are already loaded. */
gboolean srl_weights_load (SrlWeights *weights, const SrlStateReader *reader, const char *prefix, GError **error);

/* ---- dense networks ---- */
/* Which libraries compute the networks' matrix products, for benchmarks and
 * logs: "libxsmm 1.17.0 for layers at least 96 wide (input gradients from
 * 64), OpenBLAS otherwise", or
 * "OpenBLAS" (built without libxsmm, or SOFTRL_XSMM=off). */
const char *srl_nn_products_description (void);

/* Activation of a layer's outputs. */
typedef enum {
  SRL_NL_LINEAR,
  SRL_NL_RELU,
  SRL_NL_TANH
} SrlNonlinearity;

/* Weight initialisation of srl_mlp_init(). */
typedef enum {
  SRL_INIT_GLOROT_UNIFORM, /* U(±sqrt(6/(in+out))), biases 0: the TensorFlow references' default */
  SRL_INIT_HE_UNIFORM      /* U(±sqrt(6/in)), biases 0 */
} SrlInit;

typedef struct _SrlMlp SrlMlp;

/* Declare an MLP n_in → hidden[0] → … → n_out in `weights` (not yet
 * allocated) under `prefix` ("q1." gives "q1.l0.weight", "q1.l0.bias", …).
 * Hidden layers use `hidden_nl`, the output layer `out_nl`; n_hidden may be
 * 0 (one affine layer n_in → n_out, `hidden` may then be NULL).  The workspace
 * holds `max_rows` rows.  transfer full.  `weights` is borrowed and must
 * outlive the MLP; `prefix` and `hidden` are only read during the call.
 * Several MLPs may share one SrlWeights (each under its own prefix). */
SrlMlp *srl_mlp_new (SrlWeights *weights, const char *prefix, guint n_in, const guint *hidden,
                     guint n_hidden, guint n_out, SrlNonlinearity hidden_nl,
                     SrlNonlinearity out_nl, guint max_rows);
/* The same layout evaluated on another weights set of the same layout
 * (for example a target copy), with its own workspace.  transfer full;
 * `weights` is borrowed and must outlive it. */
SrlMlp *srl_mlp_new_sibling (const SrlMlp *layout, SrlWeights *weights, guint max_rows);
/* The same layout on `weights` (a target copy, say), sharing layout's
 * workspace rather than allocating one: for networks evaluated one after
 * the other whose outputs are read before the other runs (a target
 * network's values before the network's own forward pass), it halves the
 * memory an update sweeps through.  A forward or backward pass of either
 * overwrites the other's cache.  transfer full; `layout` must outlive it
 * and `weights` (borrowed) too. */
SrlMlp *srl_mlp_new_alias (SrlMlp *layout, SrlWeights *weights);
/* Frees the structure and workspace, not the weights (an alias's
 * workspace belongs to its layout). */
void srl_mlp_free (SrlMlp *mlp);
guint srl_mlp_n_in (const SrlMlp *mlp);
guint srl_mlp_n_out (const SrlMlp *mlp);
guint srl_mlp_max_rows (const SrlMlp *mlp);
/* Floating-point operations (2 per multiply-add) of the matrix products of
 * one forward pass of one row (for roofline estimates). */
guint64 srl_mlp_flops_per_row (const SrlMlp *mlp);
/* Initialise this network's entries (weights must be allocated): weights
 * by `init`, drawn from `rng`; biases 0. */
void srl_mlp_init (SrlMlp *mlp, SrlRng *rng, SrlInit init);
/* Forward `n` ≤ max_rows rows of x [n, n_in].  Returns the output [n, n_out]
 * inside the workspace, valid until the next forward.  Keeps a pointer to x:
 * x must stay unchanged until srl_mlp_backward(). */
const float *srl_mlp_forward (SrlMlp *mlp, guint n, const float *x);
/* Back-propagate dy [n, n_out] through the last forward.  When
 * `param_grads`, adds dL/dW and dL/db into the weights' gradient; when `dx`
 * is non-NULL, writes dL/dx [n, n_in] there.  dy is not modified. */
void srl_mlp_backward (SrlMlp *mlp, guint n, const float *dy, float *dx, gboolean param_grads);
/* srl_mlp_backward() that writes only columns [first, first + n_cols) of
 * dL/dx, into dx [n, n_cols] (for example the action part of a Q-function's
 * input [s, a]): the first layer's input gradient then costs n_cols/n_in of
 * the whole one.  n_cols = 0 (dx unused) computes no input gradient. */
void srl_mlp_backward_input_cols (SrlMlp *mlp, guint n, const float *dy, float *dx, guint first, guint n_cols,
                                  gboolean param_grads);

/* ---- Adam (Kingma & Ba 2015) ---- */
typedef struct _SrlAdam SrlAdam;

/* Adam over all of `weights` (borrowed; must outlive the optimiser; must be
 * allocated), with zero moments.  transfer full; srl_adam_free frees the
 * moments, not the weights.  Softrl's algorithms use β1 0.9, β2 0.999,
 * ε 10⁻⁸, Kingma & Ba's defaults. */
SrlAdam *srl_adam_new (SrlWeights *weights, double learning_rate, double beta1, double beta2, double epsilon);
void srl_adam_free (SrlAdam *adam);
void srl_adam_set_learning_rate (SrlAdam *adam, double learning_rate);
/* One step from the weights' current gradient (which it leaves as is:
 * zero it before the next backward pass). */
void srl_adam_step (SrlAdam *adam);
/* srl_adam_step(), then the gradient set to zero (ready for the next
 * backward pass, which adds into it) and, when `target` is non-NULL (same
 * layout as the optimised weights), srl_weights_polyak (target, weights,
 * tau): one pass over memory instead of three, with the same results. */
void srl_adam_step_and_clear (SrlAdam *adam, SrlWeights *target, float tau);
guint64 srl_adam_steps (const SrlAdam *adam);
/* Moments and step count under PREFIX + "m", "v", "t" (the writer borrows
 * the moments until it writes); load refuses missing tensors or other sizes
 * with SRL_ERROR_MISMATCH. */
void srl_adam_save (const SrlAdam *adam, SrlStateWriter *writer, const char *prefix);
gboolean srl_adam_load (SrlAdam *adam, const SrlStateReader *reader, const char *prefix, GError **error);

/* The Q-functions of an actor-critic, the k-th saved as "qK." (weights),
 * "qK_target." (target weights) and "qK_adam." (Adam state): what a
 * checkpoint needs of n of them; load refuses as srl_weights_load and
 * srl_adam_load do. */
void srl_q_functions_save (SrlWeights *const *weights, SrlWeights *const *targets, SrlAdam *const *adams, guint n,
                           SrlStateWriter *writer);
gboolean srl_q_functions_load (SrlWeights *const *weights, SrlWeights *const *targets, SrlAdam *const *adams, guint n,
                               const SrlStateReader *reader, GError **error);

/* Row i of `out` = row i of `a` (a_dim values) followed by row i of `b`
 * (b_dim values), for n rows: a Q-function's input from observations and
 * actions. */
void srl_concat_rows (float *out, const float *a, guint a_dim, const float *b, guint b_dim, guint n);

/* Elementwise maths over arrays, vectorised (through glibc's libmvec where
 * configure found it): for samplers' per-element passes, which would
 * otherwise cost more than their networks' matrix products.  Allocation-
 * free, thread-safe on disjoint arrays; input and output may be the same
 * array.  Results are reproducible on one machine, not bitwise equal to
 * libm's scalar functions. */
/* y ← exp(x) for n floats. */
void srl_exp_floats (const float *x, float *y, gsize n);
/* act ← tanh(u) and, when log_jacobian is non-NULL, log_jacobian ← log(1 −
 * tanh² u) = log d act / d u (the tanh squash's density correction),
 * computed without cancellation at any |u|, for n floats. */
void srl_tanh_squash (const float *u, float *act, float *log_jacobian, gsize n);
/* log N(x; 0, I), the standard normal log-density of an n-vector. */
float srl_log_normal (const float *x, guint n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlWeights, srl_weights_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlMlp, srl_mlp_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlAdam, srl_adam_free)

G_END_DECLS

#endif

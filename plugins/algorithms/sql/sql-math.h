/* Soft Q-learning's numerical pieces (thesis chapter 3, appendix C.1),
 * compiled into the sql plugin and into tests/test-sql so the tests check
 * the very code the algorithm runs.  Internal: not installed, no srl_ prefix.
 *
 * Particles are rows of `d` floats.  None of these functions allocates; the
 * caller passes workspaces.
 */
#ifndef SQL_MATH_H
#define SQL_MATH_H

#include <glib.h>

G_BEGIN_DECLS

/* Smallest kernel bandwidth: keeps κ finite when every particle coincides
 * (the reference code's h_min). */
#define SQL_MIN_BANDWIDTH 1e-3f

/* Soft value from `n` action samples drawn uniformly on [-1, 1]^act_dim
 * (Equation 3.8 with q_a' uniform, density 2^-act_dim):
 *     V = α log( (1/n) Σ_i exp(Q_i / α) · 2^act_dim )
 * computed as a log-mean-exp around the largest Q, so no exp overflows. */
float sql_soft_value (const float *q, guint n, float alpha, guint act_dim);  /* α = 0: max_i q[i] */

/* dist_sq[j·k + l] = ‖x_j − y_l‖² for the m particles x and the k particles y. */
void sql_pairwise_sq_dist (const float *x, guint m, const float *y, guint k, guint d, float *dist_sq);

/* The median-heuristic bandwidth of appendix C.1, h = med / (2 log(m + 1)),
 * where med is the median of the m·k squared distances between the m
 * kernel-defining particles and the k updated ones (the mean of the two
 * middle values when m·k is even), and m the number of kernel-defining
 * particles; at least SQL_MIN_BANDWIDTH.  The distances must be ≥ 0 (they
 * are sums of squares). */
float sql_kernel_bandwidth (const float *dist_sq, guint m, guint k);

/* The empirical Stein variational direction (Equation 3.11 and C.1's
 * estimator) for the k updated particles y, from the m kernel-defining
 * particles x and the scores at them:
 *     Δ(y_l) = (1/m) Σ_j [ κ(x_j, y_l) score_j + repulsion · ∇_{x_j} κ(x_j, y_l) ],
 *     κ(x, y) = exp(−‖x − y‖² / h),  ∇_x κ(x, y) = −2 (x − y) / h · κ(x, y).
 * With score = ∇ log p and repulsion 1 this is plain SVGD toward p; soft
 * Q-learning passes score = ∇Q and repulsion = α, Equation 3.11's form,
 * which stays defined as α → 0 (no repulsion: particles climb Q).
 * `dist_sq` as from sql_pairwise_sq_dist(x, m, y, k); `kappa` receives κ (m·k
 * floats); `delta` the k directions (k·d floats). */
void sql_stein_direction (const float *x, const float *score, guint m, const float *y, guint k, guint d,
                          const float *dist_sq, float h, float repulsion, float *kappa, float *delta);

G_END_DECLS

#endif

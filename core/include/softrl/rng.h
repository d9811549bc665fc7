/* softrl — the random number generator used everywhere in softrl.
 *
 * xoshiro256** seeded through splitmix64.  Its whole state is four 64-bit
 * words that checkpoints save, which is what makes a resumed run draw the
 * same numbers as an uninterrupted one (GRand's state cannot be saved).
 * An SrlRng is a plain value: embed it, copy it, no allocation (nothing
 * here allocates; there is nothing to free).  It is not thread-safe; give
 * each thread its own stream (srl_rng_init_stream).  To save one, put its
 * four words: srl_state_writer_put_u64 (w, "rng", rng.s, 4).
 */
#ifndef SOFTRL_RNG_H
#define SOFTRL_RNG_H

#include <glib.h>

G_BEGIN_DECLS

/* The whole generator state (public so it can be saved and restored). */
typedef struct {
  guint64 s[4];
} SrlRng;

/* Seed from a 64-bit value. */
void srl_rng_init (SrlRng *rng, guint64 seed);
/* Seed an independent stream `stream` of `seed` (e.g. one per purpose). */
void srl_rng_init_stream (SrlRng *rng, guint64 seed, guint64 stream);

/* The next 64 random bits. */
guint64 srl_rng_next (SrlRng *rng);
/* Uniform in [0, 1). */
double srl_rng_uniform (SrlRng *rng);
/* Uniform in [low, high). */
double srl_rng_uniform_range (SrlRng *rng, double low, double high);
/* Uniform integer in [0, n), n > 0, without modulo bias. */
guint64 srl_rng_below (SrlRng *rng, guint64 n);
/* Standard normal (Box–Muller; keeps no spare value, so the state stays four words). */
double srl_rng_normal (SrlRng *rng);
/* Fill `n` floats with standard normals / uniforms in [low, high). */
void srl_rng_fill_normal (SrlRng *rng, float *out, gsize n);
void srl_rng_fill_uniform (SrlRng *rng, float *out, gsize n, float low, float high);

G_END_DECLS

#endif

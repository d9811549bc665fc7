/* softrl — saved state: checkpoints and policies in the safetensors format.
 *
 * Every file softrl saves (checkpoints, policies, composed Q-functions) is a
 * safetensors file (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range, then the raw little-endian data.  Any safetensors
 * reader can load softrl weights.  softrl adds three metadata strings:
 *   "format"          "softrl-state"
 *   "format_version"  the SRL_STATE_FORMAT_VERSION that wrote it
 *   "checksum"        "sha256:" + hex digest of the whole file computed with
 *                     this digest's hex digits replaced by '0'
 * Files are written to a temporary name, flushed to disk and renamed, so a
 * crash never leaves a half-written file under the real name.  A reader
 * refuses a file whose checksum, version or layout is wrong, naming the file.
 *
 * Weight matrices are stored as [in, out] row-major (y = x·W + b).
 *
 * Plugins meet these objects in their save and load callbacks: the core
 * creates the writer or reader, sets a prefix for the plugin ("algorithm.",
 * "env."), and writes or frees it afterwards; a plugin only puts and gets.
 * Neither object is thread-safe.
 */
#ifndef SOFTRL_STATE_H
#define SOFTRL_STATE_H

#include <glib.h>
#include <softrl/rng.h>

G_BEGIN_DECLS

/* The version written into every file; readers refuse any other. */
#define SRL_STATE_FORMAT_VERSION 1

/* Element types, stored little-endian as safetensors' F32, F64, I64, U64, U8. */
typedef enum {
  SRL_DTYPE_F32,
  SRL_DTYPE_F64,
  SRL_DTYPE_I64,
  SRL_DTYPE_U64,
  SRL_DTYPE_U8
} SrlDtype;

/* ---- writing ----
 * Tensors are recorded by reference: the data pointers are borrowed and must
 * stay valid and unchanged until srl_state_writer_write() returns.  The
 * *_value helpers copy their scalar.  Names are prefixed with the current
 * prefix (srl_state_writer_set_prefix).  Adding a name twice is a programming
 * error.  Not thread-safe. */
typedef struct _SrlStateWriter SrlStateWriter;

/* An empty writer (transfer full: srl_state_writer_free, which frees what
 * the writer copied, never the borrowed data). */
SrlStateWriter *srl_state_writer_new (void);
void srl_state_writer_free (SrlStateWriter *writer);
/* Prefix prepended to the names put from now on (copied; NULL is ""). */
void srl_state_writer_set_prefix (SrlStateWriter *writer, const char *prefix);
/* A tensor of `n_dims` ≤ 4 dimensions `shape` (copied) whose elements are
 * read from `data` (borrowed, see above) when the file is written.  The
 * shorthands below put one-dimensional tensors of `n` elements. */
void srl_state_writer_put (SrlStateWriter *writer, const char *name, SrlDtype dtype,
                           const void *data, guint n_dims, const gsize *shape);
void srl_state_writer_put_f32 (SrlStateWriter *writer, const char *name, const float *data, gsize n);
void srl_state_writer_put_f64 (SrlStateWriter *writer, const char *name, const double *data, gsize n);
void srl_state_writer_put_u64 (SrlStateWriter *writer, const char *name, const guint64 *data, gsize n);
void srl_state_writer_put_u8 (SrlStateWriter *writer, const char *name, const guint8 *data, gsize n);
void srl_state_writer_put_i64_value (SrlStateWriter *writer, const char *name, gint64 value);
void srl_state_writer_put_f64_value (SrlStateWriter *writer, const char *name, double value);
/* String metadata (copied).  Keys "format", "format_version", "checksum" are reserved. */
void srl_state_writer_put_meta (SrlStateWriter *writer, const char *key, const char *value);
/* Write atomically to `path` (temporary file in the same directory, fsync,
 * rename, fsync of the directory).  SRL_ERROR_IO naming the path on
 * failure; a file already at `path` is then left as it was.  The caller
 * still frees the writer. */
gboolean srl_state_writer_write (SrlStateWriter *writer, const char *path, GError **error);

/* ---- reading ----
 * The file is mapped read-only and verified completely on open.  Getters
 * check the dtype and the element count against what the caller expects and
 * name the file and tensor in their error.  Lookups use the current prefix. */
typedef struct _SrlStateReader SrlStateReader;

/* Open and verify `path` (transfer full: srl_state_reader_free).  Errors:
 * SRL_ERROR_IO when it cannot be read, SRL_ERROR_FORMAT when it is not a
 * softrl state file, is truncated, fails its checksum or has another
 * format_version, or whose header breaks a rule: keys repeated, names not
 * UTF-8 or holding NUL, shapes or byte ranges that overflow, overlap or lie
 * outside the file; the message names the file and the offset in the
 * header. */
SrlStateReader *srl_state_reader_open (const char *path, GError **error);
void srl_state_reader_free (SrlStateReader *reader);
/* Prefix prepended to the names looked up from now on (copied; NULL is ""). */
void srl_state_reader_set_prefix (SrlStateReader *reader, const char *prefix);
/* The path it was opened from (owned by the reader). */
const char *srl_state_reader_path (const SrlStateReader *reader);
gboolean srl_state_reader_has (const SrlStateReader *reader, const char *name);
/* Shape of a tensor (owned by the reader), or NULL when absent. */
const gsize *srl_state_reader_shape (const SrlStateReader *reader, const char *name, guint *n_dims);
/* Copy a tensor of exactly `n` elements of `dtype` into `dest` (the
 * caller's).  SRL_ERROR_MISMATCH naming file and tensor when it is absent,
 * of another dtype or of another element count; SRL_ERROR_FORMAT when an F32
 * or F64 element is a NaN or an infinity (no run saves one); `dest` is then
 * untouched.  The typed shorthands below do the same; *_value read one
 * element. */
gboolean srl_state_reader_get (const SrlStateReader *reader, const char *name, SrlDtype dtype,
                               void *dest, gsize n, GError **error);
gboolean srl_state_reader_get_f32 (const SrlStateReader *reader, const char *name, float *dest, gsize n, GError **error);
gboolean srl_state_reader_get_f64 (const SrlStateReader *reader, const char *name, double *dest, gsize n, GError **error);
gboolean srl_state_reader_get_u64 (const SrlStateReader *reader, const char *name, guint64 *dest, gsize n, GError **error);
gboolean srl_state_reader_get_u8 (const SrlStateReader *reader, const char *name, guint8 *dest, gsize n, GError **error);
gboolean srl_state_reader_get_i64_value (const SrlStateReader *reader, const char *name, gint64 *value, GError **error);
gboolean srl_state_reader_get_f64_value (const SrlStateReader *reader, const char *name, double *value, GError **error);
/* A saved counter: one I64 element that must lie in [min, max], the values a
 * run can produce (SRL_ERROR_FORMAT naming file, tensor and range otherwise).
 * Read every count from a file with it: a negative or absurd count is how a
 * damaged or hand-made file turns into an out-of-bounds index. */
#define SRL_STATE_MAX_COUNT (G_GINT64_CONSTANT (1) << 53) /* more than any run counts; exact as a double */
gboolean srl_state_reader_get_count (const SrlStateReader *reader, const char *name, gint64 min, gint64 max,
                                     gint64 *value, GError **error);
/* A random generator's four words (saved with srl_state_writer_put_u64 (w,
 * name, rng.s, 4)).  An all-zero state, which xoshiro never reaches and
 * which would draw only zeros from then on, is SRL_ERROR_FORMAT. */
gboolean srl_state_reader_get_rng (const SrlStateReader *reader, const char *name, SrlRng *rng, GError **error);
/* Metadata string (owned by the reader) or NULL. */
const char *srl_state_reader_meta (const SrlStateReader *reader, const char *key);
/* Names of all tensors, in file order (owned by the reader). */
const char *const *srl_state_reader_names (const SrlStateReader *reader, guint *n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlStateWriter, srl_state_writer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlStateReader, srl_state_reader_free)

G_END_DECLS

#endif

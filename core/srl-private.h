/* softrl — declarations shared inside the core library and program only
 * (not installed). */
#ifndef SRL_PRIVATE_H
#define SRL_PRIVATE_H

#include <config.h>
#include <stdio.h>
#include <softrl/softrl.h>
#include <math.h>

/* Elementwise passes (activations, Adam, squashes, the normal transform)
 * are compiled for AVX-512, AVX2 and baseline x86-64 and picked when the
 * library loads (GCC's function multi-versioning, an ifunc): the default
 * build stays portable (no -march) and still uses the machine's full
 * vector width.  None of these instruction sets is given FMA and the passes
 * never reassociate, so the arithmetic passes round exactly as the scalar
 * loops do, whatever the vector width. */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__GLIBC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define SRL_VECTOR_CLONES __attribute__ ((target_clones ("avx512f", "avx2", "default")))
#define SRL_VECTOR_CLONES_ENABLED 1
#endif
#endif
#ifndef SRL_VECTOR_CLONES
#define SRL_VECTOR_CLONES
#endif

/* glibc's vector variants of libm's functions (libmvec), declared so that
 * loops calling them vectorise: a squash pass then costs about what a copy
 * costs instead of tens of nanoseconds per element.  They are not bitwise
 * libm's scalar functions (within a few ulp), and a clone always calls the
 * same variant, so a machine reproduces its own runs exactly. */
#if defined(HAVE_LIBMVEC) && defined(SRL_VECTOR_CLONES_ENABLED)
#define SRL_VECTOR_MATH __attribute__ ((__simd__ ("notinbranch")))
SRL_VECTOR_MATH extern float expf (float);
SRL_VECTOR_MATH extern float expm1f (float);
SRL_VECTOR_MATH extern float log1pf (float);
SRL_VECTOR_MATH extern float tanhf (float);
SRL_VECTOR_MATH extern double log (double);
SRL_VECTOR_MATH extern double sin (double);
SRL_VECTOR_MATH extern double cos (double);
#endif

G_BEGIN_DECLS

/* ---- util.c ---- */
guint srl_edit_distance (const char *a, const char *b);
/* The candidate closest to `name`, or NULL when none is close enough to be a
 * plausible typo. */
const char *srl_closest_name (const char *name, const char *const *candidates, guint n);
/* Write `contents` to `path` atomically (temporary file, fsync, rename,
 * fsync of the directory). */
gboolean srl_write_file_atomic (const char *path, const char *contents, gssize length, GError **error);
/* Flush the directory of `path` after renaming a file to `path`, so that
 * the rename survives a power loss. */
gboolean srl_sync_rename (const char *path, GError **error);
double srl_now (void);  /* monotonic seconds */
/* Append "YYYY-MM-DD HH:MM:SS MESSAGE" to a log file and flush it. */
void srl_log_line (FILE *log, const char *message);

/* The terminal's last line as a progress line that is rewritten in place,
 * with messages printed above it; nothing at all when `quiet`, and no
 * progress line when stderr is not a terminal.  Shared by runs and sweeps. */
typedef struct {
  gboolean tty, quiet, shown;
} SrlConsole;
void srl_console_init (SrlConsole *console, gboolean quiet);
/* Erase the progress line, if one is shown. */
void srl_console_clear (SrlConsole *console);
/* Replace the progress line with `text` (on a terminal only). */
void srl_console_progress (SrlConsole *console, const char *text);
/* Print `line` on stderr above the progress line. */
void srl_console_print (SrlConsole *console, const char *line);
/* Append ",VALUE" to a CSV row: "nan", or the value to 9 digits. */
void srl_csv_append_number (GString *row, double value);
/* srl_replay_new() that reports a buffer too large to allocate instead of
 * aborting. */
SrlReplay *srl_replay_try_new (gsize capacity, guint obs_dim, guint act_dim, GError **error);
/* Append the transitions a replay buffer saved under `prefix` holds, oldest
 * first, reading only those (not the saved buffer's capacity); FALSE when
 * they do not fit (a configuration error) or cannot be read. */
gboolean srl_replay_append_saved (SrlReplay *replay, const SrlStateReader *reader, const char *prefix,
                                  gsize *appended, GError **error);

/* `text` fit to quote in a message (transfer full): valid UTF-8, control
 * characters as '?', at most `max_chars` characters and an ellipsis. */
char *srl_printable_excerpt (const char *text, guint max_chars);

/* Fields of one line of softrl's CSV files (numbers only, never quoted). */
guint srl_csv_count_fields (const char *line);

/* Whether `text` is valid UTF-8 without control characters (newlines, tabs,
 * escapes, NUL being the end): text that can go into config.ini and JSON. */
gboolean srl_text_is_printable (const char *text);

/* keyfile-repeats.c: refuse a group or a key (within its group) that the
 * keyfile `text` read from `path` gives twice, naming both lines. */
gboolean srl_keyfile_check_repeats (const char *path, const char *text, GError **error);

/* ---- param.c: building sections ---- */
/* A section for `group` declared by `specs`, read from `file`.  `plugin` is
 * the name given by `plugin =` (NULL for the runner's own group). */
SrlSection *srl_section_new (const char *file, const char *group, const char *plugin,
                             const SrlParamSpec *specs);
void srl_section_free (SrlSection *section);
/* Validate and store one value; `origin` names where it came from for
 * messages (a file path, or "--set group.key=value"). */
gboolean srl_section_set (SrlSection *section, const char *key, const char *text,
                          const char *origin, GError **error);
/* Fill every key not set with its default. */
void srl_section_fill_defaults (SrlSection *section);
/* The resolved value as keyfile text (owned by the section). */
const char *srl_section_get_text (const SrlSection *section, const char *key);
const SrlParamSpec *srl_section_specs (const SrlSection *section);
/* Append "[group]\nplugin = …\n# doc\nkey = value\n…" to `out`. */
void srl_section_format (const SrlSection *section, GString *out);
/* Check a default value against its own spec (used for descriptor sanity). */
gboolean srl_param_spec_check (const SrlParamSpec *spec, GError **error);

/* ---- registry.c ---- */
const char *srl_registry_file_of_name (const SrlRegistry *registry, SrlKind kind, const char *name);

/* ---- env.c ---- */
/* `action` in [-1, 1]^act_dim clipped and mapped onto the bounds of `spec`,
 * as srl_env_step_normalized() gives it to the environment. */
void srl_env_map_action (const SrlEnvSpec *spec, const float *action, double *env_action);

/* ---- relocate.c ---- */
/* `configured` (an installation directory compiled in, e.g. SRL_PLUGINDIR)
 * at the same place in the tree the running softrl program was installed
 * in, when that tree is not at the configured prefix (staged with DESTDIR,
 * or moved) and has the directory; else `configured` (transfer full). */
char *srl_installed_dir (const char *configured);

/* ---- experiment.c ---- */
/* The directories srl_find_data_file() searches, in its order
 * (NULL-terminated, transfer full: g_strfreev). */
char **srl_data_search_path (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlSection, srl_section_free)

/* ---- env.c ---- */
/* An observation (and a reward, when not NULL) that training can use:
 * finite and within float32's range, since both are stored and fed to the
 * networks as floats.  Otherwise an error naming the environment, when
 * (`when_format`, e.g. "step %d", formatted only then: this runs at every
 * step) and the value. */
gboolean srl_env_check_output (const SrlEnv *env, const double *obs, const double *reward, GError **error,
                               const char *when_format, ...) G_GNUC_PRINTF (5, 6);

/* Bytes in a cache line, for alignment and prefetching (x86 and most ARM). */
#define SRL_CACHE_LINE 64

/* nn-narrow.c: y ← nl (x w + b) for a layer with at most
 * SRL_NARROW_INPUTS inputs (x [n, n_in], w [n_in, n_out], y [n, n_out], all
 * row-major), when the CPU allows (nl ReLU or linear), prefetching the
 * `prefetch_bytes` at `prefetch` (NULL: none) on the way.  FALSE: nothing
 * was done, use cblas_sgemm. */
#define SRL_NARROW_INPUTS 32
gboolean srl_narrow_forward (const float *x, guint n, guint n_in, const float *w, const float *b, guint n_out,
                             float *y, SrlNonlinearity nl, const void *prefetch, gsize prefetch_bytes);
/* dw [n_in, n_out] += x^T dz (x [n, n_in], dz [n, n_out]) for a layer with at
 * most SRL_NARROW_INPUTS inputs; FALSE as above. */
gboolean srl_narrow_weight_grad (const float *x, guint n, guint n_in, const float *dz, guint n_out, float *dw);

/* nn-xsmm.c: y ← x w (beta 0) and dw += x^T dz (shapes as above) through
 * libxsmm for layers at least SRL_XSMM_MIN_WIDTH wide on both sides and
 * SRL_XSMM_MIN_ROWS rows, where the processor's kernels are faster than
 * OpenBLAS's; FALSE: nothing was done, use cblas_sgemm. */
#define SRL_XSMM_MIN_WIDTH 96
#define SRL_XSMM_MIN_ROWS 32
/* Without AVX-512, libxsmm takes no layer wider than this, and no weight
 * gradient (nn-xsmm.c says why). */
#define SRL_XSMM_AVX2_MAX_WIDTH 128
gboolean srl_xsmm_forward (const float *x, guint n, guint n_in, const float *w, guint n_out, float *y);
gboolean srl_xsmm_weight_grad (const float *x, guint n, guint n_in, const float *dz, guint n_out, float *dw);
/* dx [n, cols] ← dz [n, n_out] w^T, w the `cols` rows [cols, n_out] of a
 * layer's weights that the wanted inputs multiply: libxsmm transposes them
 * into `wt` (cols × n_out floats) and multiplies without a transposed
 * operand, for at least SRL_XSMM_MIN_ROWS rows and both cols and n_out at
 * least SRL_XSMM_INPUT_GRAD_MIN_WIDTH; FALSE: nothing was done. */
#define SRL_XSMM_INPUT_GRAD_MIN_WIDTH 64
gboolean srl_xsmm_input_grad (const float *dz, guint n, guint n_out, const float *w, guint cols, float *wt, float *dx);

/* Whether the running program is the build tree's: plugins and shipped
 * files are then looked up there first (registry.c). */
gboolean srl_running_uninstalled (void);

G_END_DECLS

#endif

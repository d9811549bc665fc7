/* softrl — reading results: progress tables and the runs of sweeps, grouped
 * by variant, for `softrl summarize` and `softrl plot` (internal to the
 * program). */
#ifndef SRL_RESULTS_H
#define SRL_RESULTS_H

#include <glib.h>

G_BEGIN_DECLS

/* A CSV file of numbers with a header line, as progress.csv: "nan" and empty
 * cells read as NAN. */
typedef struct {
  GStrv columns;
  guint n_columns, n_rows;
  double *values; /* n_rows × n_columns, row-major */
} SrlTable;

/* transfer full; NULL with an error naming the file and the line. */
SrlTable *srl_table_read (const char *path, GError **error);
/* The same from the text of such a file; `path` names it in errors. */
SrlTable *srl_table_parse (const char *text, const char *path, GError **error);
void srl_table_free (SrlTable *table);
/* The index of a column, or -1. */
int srl_table_column (const SrlTable *table, const char *name);
double srl_table_get (const SrlTable *table, guint row, guint column);

/* Column `name` of a run's progress as a new array of its n_rows values
 * (transfer full); NULL with an error naming the run and the columns it has
 * when the column is missing. */
double *srl_table_column_values (const SrlTable *table, const char *name, const char *file, GError **error);

typedef struct {
  char *dir;          /* the run directory */
  char *name;         /* its base name */
  guint64 seed;
  char *status;       /* the status file's first line, "" when missing */
  SrlTable *progress; /* NULL until the run wrote its first epoch */
} SrlResultRun;

typedef struct {
  char *name;         /* the sweep's variant name, or the runs' experiment name */
  char *label;        /* for tables and legends */
  GPtrArray *runs;    /* SrlResultRun*, in the sweep's order */
  GStrv settings;     /* runs outside a sweep: their config.ini's "group.key=value" lines but the seed, sorted */
} SrlResultVariant;

typedef struct {
  GPtrArray *variants; /* SrlResultVariant*, in the order first seen */
  char *title;         /* the sweep's name when all variants come from one sweep, else NULL */
  gboolean has_threshold; /* the sweep file's `threshold`, when one sweep gave it */
  double threshold;
} SrlResults;

/* A sweep directory's manifest (written by sweep-dir.c), read here: results
 * are its readers, and the sweep writes what they read. */
#define SRL_SWEEP_MANIFEST "manifest.ini"
/* Read a manifest.ini as the sweep writes it: [sweep] with the sweep's file
 * and name, and every [run …] group with its variant (one of the
 * [variant …] groups), dir and seed.  NULL with SRL_ERROR_FORMAT naming the
 * file and what is missing otherwise.  transfer full. */
GKeyFile *srl_sweep_manifest_load (const char *path, GError **error);

/* The file that makes `dir` a run directory (config.ini,
 * checkpoint.safetensors or progress.csv, as a static string), or NULL. */
const char *srl_results_run_file (const char *dir);
/* The first line of run directory `dir`'s status file ("" when there is
 * none), or an "interrupted: …" line when it says running but the run's
 * process is known to have ended (srl_dir_owner_ended).  transfer full. */
char *srl_results_run_status (const char *dir);
/* The run directories directly under `dir`, as paths in name order
 * (transfer full; empty when there are none or `dir` cannot be read). */
GPtrArray *srl_results_run_dirs (const char *dir);

/* The runs under each path, grouped by variant: a sweep directory (its
 * manifest.ini lists variants and runs), a run directory (its config.ini
 * names the experiment; runs of one experiment with the same settings but
 * the seed form one variant, labelled with the settings that set it apart
 * when the experiment has several), or a directory of run directories.  When paths name several sweeps, labels
 * are prefixed with the sweep's name.  transfer full. */
SrlResults *srl_results_load (const char *const *paths, GError **error);
void srl_results_free (SrlResults *results);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlTable, srl_table_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlResults, srl_results_free)

G_END_DECLS

#endif

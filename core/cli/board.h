/* softrl — `softrl board`, a local web dashboard over run and sweep
 * directories (internal to the program).
 *
 * cmd-board.c serves the page (core/cli/board/, compiled in as a GResource) and
 * a small read-only JSON API over the directories named on the command
 * line; board-paths.c decides which files it may open; board-runs.c reads
 * what the page shows of a run or a sweep. */
#ifndef SRL_BOARD_H
#define SRL_BOARD_H

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The real path of `relative` (a '/'-separated path, already
 * percent-decoded, "" for the root itself) under the resolved directory
 * `root_real`, or NULL with an HTTP status in *status: 403 for an absolute
 * path, a "." or ".." component, or a path whose real path (symlinks
 * followed) lies outside the root; 404 when it does not exist.  transfer
 * full. */
char *srl_board_resolve (const char *root_real, const char *relative, guint *status);

/* One thing the board lists: a run directory or a sweep directory. */
typedef struct {
  guint root;        /* index of the directory named on the command line */
  char *relative;    /* its path under that directory ("" for the directory itself) */
  char *sweep;       /* for a run of a sweep: the sweep's relative path, else NULL */
  char *variant;     /* for a run of a sweep: its variant's label */
  gboolean is_sweep;
} SrlBoardEntry;

/* The runs and sweeps under `roots` (resolved directories), sweeps first
 * with their runs after each, from directory names and manifests only
 * (nothing is read from the runs).  transfer full, SrlBoardEntry*. */
GPtrArray *srl_board_scan (const char *const *roots);

/* What the page lists of `entry`, read now from its files (config.ini,
 * status, the last lines of progress.csv, the sweep's manifest.ini and
 * summary.md), added to `builder` as one JSON object. */
void srl_board_describe (JsonBuilder *builder, const char *const *roots, const SrlBoardEntry *entry);

/* A run's state in one word, as the list shows it: its status file's
 * first word ("failed: why" is "failed"), "unknown" for a run without one
 * and "pending" for one a sweep has not started.  transfer full. */
char *srl_board_status_word (const char *const *roots, const SrlBoardEntry *entry);

/* The rows of a run's progress.csv from row `from` on, as a JSON object
 * {columns, rows, total} (NaN as null).  A last line still being written
 * (no newline yet) is left out.  NULL with an error naming the file. */
JsonNode *srl_board_progress (const char *run_real, guint from, GError **error);

G_END_DECLS

#endif

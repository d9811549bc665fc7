/* softrl — declarations shared inside the core library and program only
 * (not installed). */
#ifndef SRL_PRIVATE_H
#define SRL_PRIVATE_H

#include <config.h>
#include <stdio.h>
#include <softrl/softrl.h>

G_BEGIN_DECLS

/* ---- util.c ---- */
guint srl_edit_distance (const char *a, const char *b);
/* The candidate closest to `name`, or NULL when none is close enough to be a
 * plausible typo. */
const char *srl_closest_name (const char *name, const char *const *candidates, guint n);
/* Write `contents` to `path` atomically (temporary file, fsync, rename). */
gboolean srl_write_file_atomic (const char *path, const char *contents, gssize length, GError **error);
double srl_now (void);  /* monotonic seconds */
/* Append "YYYY-MM-DD HH:MM:SS MESSAGE" to a log file and flush it. */
void srl_log_line (FILE *log, const char *message);
/* Append ",VALUE" to a CSV row: "nan", or the value to 9 digits. */
void srl_csv_append_number (GString *row, double value);

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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlSection, srl_section_free)

G_END_DECLS

#endif

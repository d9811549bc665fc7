/* softrl — declared parameters and the validated keyfile groups that hold them.
 *
 * A plugin never parses its keyfile group itself.  It ships a static table of
 * SrlParamSpec; the core checks the experiment's group against the table
 * (unknown keys, types, ranges, choices), fills in every default and hands the
 * plugin a read-only SrlSection.  The accessors below therefore cannot fail on
 * a declared key: asking for an undeclared key or the wrong type is a
 * programming error (g_critical and a zero value).
 *
 * Nothing here allocates on the caller's behalf: every pointer returned is
 * owned by the section.  Sections are read-only once built, so reading one
 * from several threads is safe; building one is the core's business.
 */
#ifndef SOFTRL_PARAM_H
#define SOFTRL_PARAM_H

#include <glib.h>
#include <math.h>

G_BEGIN_DECLS

typedef enum {
  SRL_PARAM_INT = 1,     /* 64-bit integer within [min, max] */
  SRL_PARAM_DOUBLE,      /* finite number within [min, max] */
  SRL_PARAM_BOOL,        /* true or false */
  SRL_PARAM_STRING,      /* free text */
  SRL_PARAM_CHOICE,      /* one of the words in `choices` ("a|b|c") */
  SRL_PARAM_INT_LIST,    /* "1;2;3", each within [min, max] */
  SRL_PARAM_DOUBLE_LIST, /* "0.1;0.2", each within [min, max] */
  SRL_PARAM_STRING_LIST, /* "a;b" */
  SRL_PARAM_PATH,        /* a file or directory; relative paths are made absolute
                            against the working directory when the experiment loads */
  SRL_PARAM_PATH_LIST    /* "dir1;dir2", each made absolute */
} SrlParamType;

/* One declared parameter.  `default_value` is written exactly as a keyfile
 * would hold it ("3e-4", "256;256", "true", "" for an empty string or list).
 * For numbers, `choices` may list words accepted instead of a number (for
 * example "auto"); test for them with srl_section_is_word().  `min`/`max`
 * bound numbers and each list item (SRL_UNBOUNDED for none); `doc` is the
 * line `softrl plugins NAME` and the resolved config.ini show: say what the
 * parameter does and where its default comes from.  All strings are
 * borrowed for as long as the plugin is loaded (string literals are).
 * The registry refuses a table whose defaults do not satisfy their own
 * spec, a duplicate name, or a parameter named "plugin" (reserved). */
typedef struct {
  const char *name;
  SrlParamType type;
  const char *default_value;
  double min;
  double max;
  const char *choices;
  const char *doc;
} SrlParamSpec;

#define SRL_UNBOUNDED INFINITY

/* Table builders: each plugin's table is a static array ending in SRL_PARAM_END. */
#define SRL_PARAM_INT(n, def, lo, hi, d)        { n, SRL_PARAM_INT, def, lo, hi, NULL, d }
#define SRL_PARAM_DOUBLE(n, def, lo, hi, d)     { n, SRL_PARAM_DOUBLE, def, lo, hi, NULL, d }
#define SRL_PARAM_DOUBLE_OR(n, def, lo, hi, words, d) { n, SRL_PARAM_DOUBLE, def, lo, hi, words, d }
#define SRL_PARAM_BOOL(n, def, d)               { n, SRL_PARAM_BOOL, def, 0, 0, NULL, d }
#define SRL_PARAM_STRING(n, def, d)             { n, SRL_PARAM_STRING, def, 0, 0, NULL, d }
#define SRL_PARAM_CHOICE(n, def, choices, d)    { n, SRL_PARAM_CHOICE, def, 0, 0, choices, d }
#define SRL_PARAM_INT_LIST(n, def, lo, hi, d)   { n, SRL_PARAM_INT_LIST, def, lo, hi, NULL, d }
#define SRL_PARAM_DOUBLE_LIST(n, def, lo, hi, d) { n, SRL_PARAM_DOUBLE_LIST, def, lo, hi, NULL, d }
#define SRL_PARAM_STRING_LIST(n, def, d)        { n, SRL_PARAM_STRING_LIST, def, 0, 0, NULL, d }
#define SRL_PARAM_PATH(n, def, d)               { n, SRL_PARAM_PATH, def, 0, 0, NULL, d }
#define SRL_PARAM_PATH_LIST(n, def, d)          { n, SRL_PARAM_PATH_LIST, def, 0, 0, NULL, d }
#define SRL_PARAM_END                           { NULL, 0, NULL, 0, 0, NULL, NULL }

/* "int", "number", "list of numbers", ... for messages and `softrl plugins NAME`
 * (static strings). */
const char *srl_param_type_name (SrlParamType type);

/* A validated keyfile group.  Owned by the experiment (or whoever built it);
 * valid as long as its owner.  Strings and lists it returns are owned by it. */
typedef struct _SrlSection SrlSection;

/* The value of a declared key of exactly that type (INT, DOUBLE, BOOL). */
gint64 srl_section_get_int (const SrlSection *section, const char *key);
double srl_section_get_double (const SrlSection *section, const char *key);
gboolean srl_section_get_bool (const SrlSection *section, const char *key);
/* STRING, CHOICE and PATH values (PATH already absolute; "" when unset). */
const char *srl_section_get_string (const SrlSection *section, const char *key);
/* TRUE when a number parameter holds one of its accepted words instead. */
gboolean srl_section_is_word (const SrlSection *section, const char *key, const char *word);
/* A list's items (*n of them, n may be NULL; the array is owned by the
 * section). */
const gint64 *srl_section_get_int_list (const SrlSection *section, const char *key, guint *n);
const double *srl_section_get_double_list (const SrlSection *section, const char *key, guint *n);
/* An INT_LIST of sizes (hidden layer widths, say) copied into `sizes`
 * (caller's array of `max`), its length into *n; refused with
 * SRL_ERROR_CONFIG naming file, group and key when it has more than `max`
 * items. */
gboolean srl_section_get_sizes (const SrlSection *section, const char *key, guint *sizes, guint max,
                                guint *n, GError **error);
/* STRING_LIST and PATH_LIST; NULL-terminated. */
const char *const *srl_section_get_string_list (const SrlSection *section, const char *key, guint *n);

/* Where the group came from, for messages: file path and group name
 * (owned by the section). */
const char *srl_section_file (const SrlSection *section);
const char *srl_section_group (const SrlSection *section);
/* The plugin name given by `plugin =`, or NULL for groups without one
 * (owned by the section). */
const char *srl_section_plugin (const SrlSection *section);

/* Set `error` (SRL_ERROR_CONFIG) to "FILE: [group] key: MESSAGE": the form
 * every configuration error takes, so plugins checking relations between
 * their parameters speak like the core.  `key` may be NULL. Returns FALSE. */
gboolean srl_section_error (const SrlSection *section, const char *key, GError **error,
                            const char *format, ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS

#endif

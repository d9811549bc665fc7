/* Declared parameters: validation of keyfile values against SrlParamSpec
 * tables and the read-only SrlSection handed to plugins. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "srl-private.h"

typedef struct {
  gboolean set;
  char *text;           /* resolved keyfile text */
  gint64 i;
  double d;
  gboolean b;
  char *word;           /* numbers given as an accepted word ("auto") */
  GArray *ints;         /* gint64 */
  GArray *doubles;      /* double */
  GStrv strings;        /* lists and single strings (strings[0]) */
  char *origin;         /* where the value came from: a file, "--set …" or "default" */
} Value;

struct _SrlSection {
  char *file;
  char *group;
  char *plugin;
  const SrlParamSpec *specs;
  guint n_specs;
  Value *values;
};

const char *
srl_param_type_name (SrlParamType type)
{
  switch (type)
    {
    case SRL_PARAM_INT: return "integer";
    case SRL_PARAM_DOUBLE: return "number";
    case SRL_PARAM_BOOL: return "boolean";
    case SRL_PARAM_STRING: return "string";
    case SRL_PARAM_CHOICE: return "choice";
    case SRL_PARAM_INT_LIST: return "list of integers";
    case SRL_PARAM_DOUBLE_LIST: return "list of numbers";
    case SRL_PARAM_STRING_LIST: return "list of strings";
    case SRL_PARAM_PATH: return "path";
    case SRL_PARAM_PATH_LIST: return "list of paths";
    }
  return "?";
}

static void
value_clear (Value *v)
{
  g_clear_pointer (&v->text, g_free);
  g_clear_pointer (&v->word, g_free);
  g_clear_pointer (&v->ints, g_array_unref);
  g_clear_pointer (&v->doubles, g_array_unref);
  g_clear_pointer (&v->strings, g_strfreev);
  g_clear_pointer (&v->origin, g_free);
  v->set = FALSE;
}

SrlSection *
srl_section_new (const char *file, const char *group, const char *plugin, const SrlParamSpec *specs)
{
  SrlSection *s = g_new0 (SrlSection, 1);
  s->file = g_strdup (file);
  s->group = g_strdup (group);
  s->plugin = g_strdup (plugin);
  s->specs = specs;
  while (specs && specs[s->n_specs].name)
    s->n_specs++;
  s->values = g_new0 (Value, MAX (s->n_specs, 1));
  return s;
}

void
srl_section_free (SrlSection *s)
{
  if (!s)
    return;
  for (guint i = 0; i < s->n_specs; i++)
    value_clear (&s->values[i]);
  g_free (s->values);
  g_free (s->file);
  g_free (s->group);
  g_free (s->plugin);
  g_free (s);
}

static int
find_spec (const SrlSection *s, const char *key)
{
  for (guint i = 0; i < s->n_specs; i++)
    if (strcmp (s->specs[i].name, key) == 0)
      return (int) i;
  return -1;
}

static char *
describe_range (const SrlParamSpec *spec)
{
  gboolean lo = isfinite (spec->min), hi = isfinite (spec->max);
  if (lo && hi)
    return g_strdup_printf (" between %g and %g", spec->min, spec->max);
  if (lo)
    return g_strdup_printf (" of at least %g", spec->min);
  if (hi)
    return g_strdup_printf (" of at most %g", spec->max);
  return g_strdup ("");
}

static char *
describe_expected (const SrlParamSpec *spec)
{
  g_autofree char *range = describe_range (spec);
  switch (spec->type)
    {
    case SRL_PARAM_INT:
      return g_strdup_printf ("an integer%s", range);
    case SRL_PARAM_DOUBLE:
      if (spec->choices)
        {
          g_autofree char *words = g_strdelimit (g_strdup (spec->choices), "|", '/');
          return g_strdup_printf ("a number%s or %s", range, words);
        }
      return g_strdup_printf ("a number%s", range);
    case SRL_PARAM_BOOL:
      return g_strdup ("true or false");
    case SRL_PARAM_CHOICE:
      {
        g_autofree char *words = g_strdelimit (g_strdup (spec->choices), "|", ',');
        return g_strdup_printf ("one of %s", words);
      }
    case SRL_PARAM_INT_LIST:
      return g_strdup_printf ("a ';'-separated list of integers%s", range);
    case SRL_PARAM_DOUBLE_LIST:
      return g_strdup_printf ("a ';'-separated list of numbers%s", range);
    case SRL_PARAM_STRING_LIST:
    case SRL_PARAM_PATH_LIST:
      return g_strdup ("a ';'-separated list");
    case SRL_PARAM_STRING:
    case SRL_PARAM_PATH:
      return g_strdup ("a string");
    }
  return g_strdup ("?");
}

static gboolean
parse_int (const char *text, gint64 *out)
{
  g_autofree char *t = g_strstrip (g_strdup (text));
  return g_ascii_string_to_signed (t, 10, G_MININT64, G_MAXINT64, out, NULL);
}

static gboolean
parse_double (const char *text, double *out)
{
  g_autofree char *t = g_strstrip (g_strdup (text));
  if (!*t)
    return FALSE;
  char *end = NULL;
  errno = 0;
  double d = g_ascii_strtod (t, &end);
  if (errno || !end || *end || !isfinite (d))
    return FALSE;
  *out = d;
  return TRUE;
}

static gboolean
in_range (const SrlParamSpec *spec, double x)
{
  return x >= spec->min && x <= spec->max;
}

static gboolean
has_word (const char *choices, const char *word)
{
  if (!choices)
    return FALSE;
  g_auto (GStrv) words = g_strsplit (choices, "|", -1);
  return g_strv_contains ((const char *const *) words, word);
}

/* Split "a;b;c" the way GKeyFile lists are written; a trailing ';' is allowed. */
static GStrv
split_list (const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text, ";", -1);
  GPtrArray *out = g_ptr_array_new ();
  for (guint i = 0; parts[i]; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] == '\0' && parts[i + 1] == NULL)
        break;
      g_ptr_array_add (out, g_strdup (parts[i]));
    }
  g_ptr_array_add (out, NULL);
  return (GStrv) g_ptr_array_free (out, FALSE);
}

static gboolean
fail (const SrlSection *s, const char *origin, const char *key, GError **error, const char *fmt, ...) G_GNUC_PRINTF (5, 6);

static gboolean
fail (const SrlSection *s, const char *origin, const char *key, GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [%s] %s: %s", origin, s->group, key, msg);
  return FALSE;
}

static char *
absolute_path (const char *path)
{
  if (!*path || g_path_is_absolute (path))
    return g_strdup (path);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *joined = g_build_filename (cwd, path, NULL);
  return g_canonicalize_filename (joined, NULL);
}

static gboolean
parse_value (const SrlSection *s, const SrlParamSpec *spec, const char *text, const char *origin,
             Value *v, GError **error)
{
  g_autofree char *expected = describe_expected (spec);
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  const char *key = spec->name;
  /* Every value is written back into config.ini, and some into saved
   * files' metadata: a newline there would start a group of its own, bytes
   * that are not UTF-8 would make the JSON invalid. */
  if (!srl_text_is_printable (stripped))
    {
      g_autofree char *shown = g_strescape (stripped, NULL);
      return fail (s, origin, key, error, "\"%s\" holds a control character or bytes that are not UTF-8; a value is "
                   "printable UTF-8 text", shown);
    }

  switch (spec->type)
    {
    case SRL_PARAM_INT:
      if (!parse_int (stripped, &v->i))
        return fail (s, origin, key, error, "expected %s, got \"%s\"", expected, text);
      if (!in_range (spec, (double) v->i))
        return fail (s, origin, key, error, "%s is out of range: expected %s", stripped, expected);
      v->text = g_strdup (stripped);
      break;
    case SRL_PARAM_DOUBLE:
      if (has_word (spec->choices, stripped))
        {
          v->word = g_strdup (stripped);
          v->d = NAN;
        }
      else if (!parse_double (stripped, &v->d))
        return fail (s, origin, key, error, "expected %s, got \"%s\"", expected, text);
      else if (!in_range (spec, v->d))
        return fail (s, origin, key, error, "%s is out of range: expected %s", stripped, expected);
      v->text = g_strdup (stripped);
      break;
    case SRL_PARAM_BOOL:
      if (g_ascii_strcasecmp (stripped, "true") == 0 || strcmp (stripped, "1") == 0)
        v->b = TRUE;
      else if (g_ascii_strcasecmp (stripped, "false") == 0 || strcmp (stripped, "0") == 0)
        v->b = FALSE;
      else
        return fail (s, origin, key, error, "expected %s, got \"%s\"", expected, text);
      v->text = g_strdup (v->b ? "true" : "false");
      break;
    case SRL_PARAM_CHOICE:
      if (!has_word (spec->choices, stripped))
        {
          g_auto (GStrv) words = g_strsplit (spec->choices, "|", -1);
          const char *near = srl_closest_name (stripped, (const char *const *) words, g_strv_length (words));
          if (near)
            return fail (s, origin, key, error, "expected %s, got \"%s\" (did you mean \"%s\"?)", expected, text, near);
          return fail (s, origin, key, error, "expected %s, got \"%s\"", expected, text);
        }
      G_GNUC_FALLTHROUGH; /* stored like a string */
    case SRL_PARAM_STRING:
      v->strings = g_new0 (char *, 2);
      v->strings[0] = g_strdup (stripped);
      v->text = g_strdup (stripped);
      break;
    case SRL_PARAM_PATH:
      v->strings = g_new0 (char *, 2);
      v->strings[0] = absolute_path (stripped);
      v->text = g_strdup (v->strings[0]);
      break;
    case SRL_PARAM_INT_LIST:
    case SRL_PARAM_DOUBLE_LIST:
      {
        g_auto (GStrv) items = split_list (stripped);
        gboolean ints = spec->type == SRL_PARAM_INT_LIST;
        v->ints = g_array_new (FALSE, FALSE, sizeof (gint64));
        v->doubles = g_array_new (FALSE, FALSE, sizeof (double));
        for (guint i = 0; items[i]; i++)
          {
            gint64 iv = 0;
            double dv = 0;
            if (ints ? !parse_int (items[i], &iv) : !parse_double (items[i], &dv))
              return fail (s, origin, key, error, "expected %s, got \"%s\" (item %u: \"%s\")",
                           expected, text, i + 1, items[i]);
            if (ints)
              dv = (double) iv;
            if (!in_range (spec, dv))
              return fail (s, origin, key, error, "item %u (%s) is out of range: expected %s",
                           i + 1, items[i], expected);
            g_array_append_val (v->ints, iv);
            g_array_append_val (v->doubles, dv);
          }
        v->text = g_strjoinv (";", items);
        break;
      }
    case SRL_PARAM_STRING_LIST:
    case SRL_PARAM_PATH_LIST:
      {
        g_auto (GStrv) items = split_list (stripped);
        if (spec->type == SRL_PARAM_PATH_LIST)
          for (guint i = 0; items[i]; i++)
            {
              char *abs = absolute_path (items[i]);
              g_free (items[i]);
              items[i] = abs;
            }
        v->text = g_strjoinv (";", items);
        v->strings = g_steal_pointer (&items);
        break;
      }
    default:
      g_return_val_if_reached (FALSE);
    }
  v->set = TRUE;
  return TRUE;
}

gboolean
srl_section_set (SrlSection *s, const char *key, const char *text, const char *origin, GError **error)
{
  int i = find_spec (s, key);
  if (i < 0)
    {
      g_autofree const char **names = g_new0 (const char *, s->n_specs + 1);
      for (guint k = 0; k < s->n_specs; k++)
        names[k] = s->specs[k].name;
      const char *near = srl_closest_name (key, names, s->n_specs);
      g_autofree char *who = s->plugin ? g_strdup_printf (" of %s", s->plugin) : g_strdup ("");
      if (near)
        return fail (s, origin, key, error, "unknown key%s (did you mean \"%s\"?)", who, near);
      if (s->plugin)
        return fail (s, origin, key, error, "unknown key%s; `softrl plugins %s` lists its parameters",
                     who, s->plugin);
      return fail (s, origin, key, error, "unknown key");
    }
  Value v = { 0 };
  if (!parse_value (s, &s->specs[i], text, origin, &v, error))
    {
      value_clear (&v);
      return FALSE;
    }
  value_clear (&s->values[i]);
  s->values[i] = v;
  s->values[i].origin = g_strdup (origin);
  return TRUE;
}

void
srl_section_fill_defaults (SrlSection *s)
{
  for (guint i = 0; i < s->n_specs; i++)
    if (!s->values[i].set)
      {
        g_autoptr (GError) error = NULL;
        /* Defaults are checked when the plugin registers; failing here is a bug. */
        if (!parse_value (s, &s->specs[i], s->specs[i].default_value ? s->specs[i].default_value : "",
                          "default", &s->values[i], &error))
          g_critical ("%s", error->message);
      }
}

gboolean
srl_param_spec_check (const SrlParamSpec *spec, GError **error)
{
  SrlSection *s = srl_section_new ("(descriptor)", "defaults", NULL, NULL);
  Value v = { 0 };
  gboolean ok = spec->name && spec->type >= SRL_PARAM_INT && spec->type <= SRL_PARAM_PATH_LIST;
  if (!ok)
    g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "parameter %s has an unknown type",
                 spec->name ? spec->name : "(null)");
  else if (spec->type == SRL_PARAM_CHOICE && !spec->choices)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_PLUGIN, "choice parameter %s lists no choices", spec->name);
      ok = FALSE;
    }
  else
    ok = parse_value (s, spec, spec->default_value ? spec->default_value : "", "default", &v, error);
  value_clear (&v);
  srl_section_free (s);
  return ok;
}

static const Value *
lookup (const SrlSection *s, const char *key, SrlParamType t1, SrlParamType t2)
{
  g_return_val_if_fail (s != NULL, NULL);
  int i = find_spec (s, key);
  if (i < 0)
    {
      g_critical ("[%s] has no declared parameter \"%s\"", s->group, key);
      return NULL;
    }
  if (s->specs[i].type != t1 && s->specs[i].type != t2)
    {
      g_critical ("[%s] %s is a %s, read as a %s", s->group, key,
                  srl_param_type_name (s->specs[i].type), srl_param_type_name (t1));
      return NULL;
    }
  if (!s->values[i].set)
    {
      g_critical ("[%s] %s read before defaults were filled", s->group, key);
      return NULL;
    }
  return &s->values[i];
}

gint64
srl_section_get_int (const SrlSection *s, const char *key)
{
  const Value *v = lookup (s, key, SRL_PARAM_INT, SRL_PARAM_INT);
  return v ? v->i : 0;
}

double
srl_section_get_double (const SrlSection *s, const char *key)
{
  const Value *v = lookup (s, key, SRL_PARAM_DOUBLE, SRL_PARAM_DOUBLE);
  return v ? v->d : 0.0;
}

gboolean
srl_section_get_bool (const SrlSection *s, const char *key)
{
  const Value *v = lookup (s, key, SRL_PARAM_BOOL, SRL_PARAM_BOOL);
  return v ? v->b : FALSE;
}

const char *
srl_section_get_string (const SrlSection *s, const char *key)
{
  int i = find_spec (s, key);
  SrlParamType t = i >= 0 ? s->specs[i].type : SRL_PARAM_STRING;
  if (t == SRL_PARAM_CHOICE || t == SRL_PARAM_PATH)
    {
      const Value *v = lookup (s, key, t, t);
      return v ? v->strings[0] : "";
    }
  const Value *v = lookup (s, key, SRL_PARAM_STRING, SRL_PARAM_STRING);
  return v ? v->strings[0] : "";
}

gboolean
srl_section_is_word (const SrlSection *s, const char *key, const char *word)
{
  const Value *v = lookup (s, key, SRL_PARAM_DOUBLE, SRL_PARAM_DOUBLE);
  return v && v->word && strcmp (v->word, word) == 0;
}

const gint64 *
srl_section_get_int_list (const SrlSection *s, const char *key, guint *n)
{
  const Value *v = lookup (s, key, SRL_PARAM_INT_LIST, SRL_PARAM_INT_LIST);
  if (n)
    *n = v ? v->ints->len : 0;
  return v ? (const gint64 *) v->ints->data : NULL;
}

gboolean
srl_section_get_sizes (const SrlSection *s, const char *key, guint *sizes, guint max, guint *n, GError **error)
{
  guint count;
  const gint64 *values = srl_section_get_int_list (s, key, &count);
  if (count > max)
    return srl_section_error (s, key, error, "at most %u items", max);
  for (guint i = 0; i < count; i++)
    sizes[i] = (guint) values[i];
  *n = count;
  return TRUE;
}

const double *
srl_section_get_double_list (const SrlSection *s, const char *key, guint *n)
{
  const Value *v = lookup (s, key, SRL_PARAM_DOUBLE_LIST, SRL_PARAM_INT_LIST);
  if (n)
    *n = v ? v->doubles->len : 0;
  return v ? (const double *) v->doubles->data : NULL;
}

const char *const *
srl_section_get_string_list (const SrlSection *s, const char *key, guint *n)
{
  const Value *v = lookup (s, key, SRL_PARAM_STRING_LIST, SRL_PARAM_PATH_LIST);
  if (n)
    *n = v ? g_strv_length (v->strings) : 0;
  return v ? (const char *const *) v->strings : NULL;
}

const char *
srl_section_file (const SrlSection *s)
{
  return s->file;
}

const char *
srl_section_group (const SrlSection *s)
{
  return s->group;
}

const char *
srl_section_plugin (const SrlSection *s)
{
  return s->plugin;
}

const SrlParamSpec *
srl_section_specs (const SrlSection *s)
{
  return s->specs;
}

const char *
srl_section_get_text (const SrlSection *s, const char *key)
{
  int i = find_spec (s, key);
  return i >= 0 && s->values[i].set ? s->values[i].text : NULL;
}

gboolean
srl_section_error (const SrlSection *s, const char *key, GError **error, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  /* A value given with --set is blamed on the --set, not on the file. */
  int i = key ? find_spec (s, key) : -1;
  const char *origin = i >= 0 && s->values[i].origin && g_str_has_prefix (s->values[i].origin, "--set ")
                           ? s->values[i].origin
                           : s->file;
  if (key)
    g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [%s] %s: %s", origin, s->group, key, msg);
  else
    g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: [%s] %s", s->file, s->group, msg);
  return FALSE;
}

void
srl_section_format (const SrlSection *s, GString *out)
{
  g_string_append_printf (out, "[%s]\n", s->group);
  if (s->plugin)
    g_string_append_printf (out, "plugin = %s\n", s->plugin);
  for (guint i = 0; i < s->n_specs; i++)
    {
      const SrlParamSpec *spec = &s->specs[i];
      g_string_append_printf (out, "# %s (%s)\n", spec->doc ? spec->doc : "", srl_param_type_name (spec->type));
      g_string_append_printf (out, "%s = %s\n", spec->name, s->values[i].set ? s->values[i].text : "");
    }
  g_string_append_c (out, '\n');
}

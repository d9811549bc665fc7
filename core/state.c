/* Saved state in the safetensors format, with softrl's version and checksum
 * metadata (see softrl/state.h for the format). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "srl-private.h"

#define CHECKSUM_PREFIX "sha256:"
#define CHECKSUM_HEX 64
/* Headers larger than this are refused rather than parsed (safetensors' own limit). */
#define MAX_HEADER (100u * 1024 * 1024)

static const struct {
  const char *name;
  gsize size;
} dtypes[] = {
  [SRL_DTYPE_F32] = { "F32", 4 },
  [SRL_DTYPE_F64] = { "F64", 8 },
  [SRL_DTYPE_I64] = { "I64", 8 },
  [SRL_DTYPE_U64] = { "U64", 8 },
  [SRL_DTYPE_U8] = { "U8", 1 },
};

typedef struct {
  char *name;
  SrlDtype dtype;
  guint n_dims;
  gsize shape[4];
  gsize n_elements;
  const void *data;  /* borrowed, or `owned` */
  gpointer owned;
  gsize begin, end;  /* byte range in the data section */
} Tensor;

static void
tensor_clear (gpointer p)
{
  Tensor *t = p;
  g_free (t->name);
  g_free (t->owned);
}

/* ------------------------------------------------------------------ writer */

struct _SrlStateWriter {
  GArray *tensors;      /* Tensor */
  GHashTable *names;    /* full name → TRUE */
  GPtrArray *meta;      /* key, value, key, value … */
  char *prefix;
};

SrlStateWriter *
srl_state_writer_new (void)
{
  SrlStateWriter *w = g_new0 (SrlStateWriter, 1);
  w->tensors = g_array_new (FALSE, TRUE, sizeof (Tensor));
  g_array_set_clear_func (w->tensors, tensor_clear);
  w->names = g_hash_table_new (g_str_hash, g_str_equal);
  w->meta = g_ptr_array_new_with_free_func (g_free);
  w->prefix = g_strdup ("");
  return w;
}

void
srl_state_writer_free (SrlStateWriter *w)
{
  if (!w)
    return;
  g_hash_table_unref (w->names);
  g_array_unref (w->tensors);
  g_ptr_array_unref (w->meta);
  g_free (w->prefix);
  g_free (w);
}

void
srl_state_writer_set_prefix (SrlStateWriter *w, const char *prefix)
{
  g_free (w->prefix);
  w->prefix = g_strdup (prefix ? prefix : "");
}

void
srl_state_writer_put (SrlStateWriter *w, const char *name, SrlDtype dtype, const void *data,
                      guint n_dims, const gsize *shape)
{
  g_return_if_fail (w && name && n_dims <= 4);
  Tensor t = { 0 };
  t.name = g_strconcat (w->prefix, name, NULL);
  if (g_hash_table_contains (w->names, t.name) || strchr (t.name, '"') || strchr (t.name, '\\'))
    {
      g_critical ("state tensor \"%s\" added twice or badly named", t.name);
      g_free (t.name);
      return;
    }
  t.dtype = dtype;
  t.n_dims = n_dims;
  t.n_elements = 1;
  for (guint i = 0; i < n_dims; i++)
    {
      t.shape[i] = shape[i];
      t.n_elements *= shape[i];
    }
  t.data = data;
  g_array_append_val (w->tensors, t);
  g_hash_table_add (w->names, g_array_index (w->tensors, Tensor, w->tensors->len - 1).name);
}

#define PUT_1D(suffix, ctype, dt)                                                        \
  void srl_state_writer_put_##suffix (SrlStateWriter *w, const char *name,             \
                                      const ctype *data, gsize n)                       \
  {                                                                                      \
    srl_state_writer_put (w, name, dt, data, 1, &n);                                     \
  }
PUT_1D (f32, float, SRL_DTYPE_F32)
PUT_1D (f64, double, SRL_DTYPE_F64)
PUT_1D (u64, guint64, SRL_DTYPE_U64)
PUT_1D (u8, guint8, SRL_DTYPE_U8)

static void
put_owned_value (SrlStateWriter *w, const char *name, SrlDtype dtype, const void *value)
{
  gpointer copy = g_memdup2 (value, 8);
  gsize one = 1;
  srl_state_writer_put (w, name, dtype, copy, 1, &one);
  Tensor *t = &g_array_index (w->tensors, Tensor, w->tensors->len - 1);
  if (t->data == copy)
    t->owned = copy;
  else
    g_free (copy);
}

void
srl_state_writer_put_i64_value (SrlStateWriter *w, const char *name, gint64 value)
{
  put_owned_value (w, name, SRL_DTYPE_I64, &value);
}

void
srl_state_writer_put_f64_value (SrlStateWriter *w, const char *name, double value)
{
  put_owned_value (w, name, SRL_DTYPE_F64, &value);
}

void
srl_state_writer_put_meta (SrlStateWriter *w, const char *key, const char *value)
{
  g_return_if_fail (strcmp (key, "format") && strcmp (key, "format_version") && strcmp (key, "checksum"));
  g_ptr_array_add (w->meta, g_strdup (key));
  g_ptr_array_add (w->meta, g_strdup (value));
}

static void
json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static gboolean
write_all (int fd, const void *data, gsize n, GChecksum *sum, const char *path, GError **error)
{
  const guint8 *p = data;
  if (sum)
    g_checksum_update (sum, data, n);
  while (n > 0)
    {
      ssize_t k = write (fd, p, MIN (n, (gsize) 1 << 30));
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: write failed: %s", path, g_strerror (errno));
          return FALSE;
        }
      p += k;
      n -= k;
    }
  return TRUE;
}

gboolean
srl_state_writer_write (SrlStateWriter *w, const char *path, GError **error)
{
  /* Header: metadata first, so the checksum sits at a fixed place we can
   * patch after streaming the data. */
  GString *h = g_string_new ("{\"__metadata__\":{\"format\":\"softrl-state\",\"format_version\":\"");
  g_string_append_printf (h, "%d\",\"checksum\":\"" CHECKSUM_PREFIX, SRL_STATE_FORMAT_VERSION);
  gsize checksum_at = h->len;
  for (int i = 0; i < CHECKSUM_HEX; i++)
    g_string_append_c (h, '0');
  g_string_append_c (h, '"');
  for (guint i = 0; i + 1 < w->meta->len; i += 2)
    {
      g_string_append_c (h, ',');
      json_string (h, w->meta->pdata[i]);
      g_string_append_c (h, ':');
      json_string (h, w->meta->pdata[i + 1]);
    }
  g_string_append_c (h, '}');
  gsize offset = 0;
  for (guint i = 0; i < w->tensors->len; i++)
    {
      Tensor *t = &g_array_index (w->tensors, Tensor, i);
      t->begin = offset;
      t->end = offset + t->n_elements * dtypes[t->dtype].size;
      offset = t->end;
      g_string_append_c (h, ',');
      json_string (h, t->name);
      g_string_append_printf (h, ":{\"dtype\":\"%s\",\"shape\":[", dtypes[t->dtype].name);
      for (guint d = 0; d < t->n_dims; d++)
        g_string_append_printf (h, d ? ",%" G_GSIZE_FORMAT : "%" G_GSIZE_FORMAT, t->shape[d]);
      g_string_append_printf (h, "],\"data_offsets\":[%" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT "]}",
                              t->begin, t->end);
    }
  g_string_append_c (h, '}');
  /* Pad with spaces so the data starts 8-byte aligned, as safetensors suggests. */
  while ((h->len + 8) % 8)
    g_string_append_c (h, ' ');

  guint8 len_bytes[8];
  guint64 hlen = h->len;
  for (int i = 0; i < 8; i++)
    len_bytes[i] = (guint8) (hlen >> (8 * i));

  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot create a temporary file in %s: %s",
                   path, dir, g_strerror (errno));
      g_string_free (h, TRUE);
      return FALSE;
    }
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  gboolean ok = write_all (fd, len_bytes, 8, sum, path, error)
                && write_all (fd, h->str, h->len, sum, path, error);
  for (guint i = 0; ok && i < w->tensors->len; i++)
    {
      Tensor *t = &g_array_index (w->tensors, Tensor, i);
      ok = write_all (fd, t->data, t->end - t->begin, sum, path, error);
    }
  if (ok)
    {
      const char *hex = g_checksum_get_string (sum);
      if (pwrite (fd, hex, CHECKSUM_HEX, 8 + checksum_at) != CHECKSUM_HEX)
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: write failed: %s", path, g_strerror (errno));
          ok = FALSE;
        }
    }
  if (ok && fsync (fd) != 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: fsync failed: %s", path, g_strerror (errno));
      ok = FALSE;
    }
  close (fd);
  g_checksum_free (sum);
  g_string_free (h, TRUE);
  if (ok && g_rename (tmp, path) != 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "%s: cannot rename %s into place: %s", path, tmp,
                   g_strerror (errno));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp);
  return ok && srl_sync_rename (path, error);
}

/* ------------------------------------------------------------------ JSON
 * Just enough JSON for safetensors headers: an object of objects holding
 * strings, integer arrays and (in metadata) strings. */

typedef struct {
  const char *start, *p, *end;
  GString *err;
} Json;

/* Set the error, saying where in the header it was found. */
static gboolean json_fail (Json *j, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
json_fail (Json *j, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_string_vprintf (j->err, fmt, ap);
  va_end (ap);
  g_string_append_printf (j->err, " at header byte %ld", (long) (j->p - j->start));
  return FALSE;
}

static void
json_ws (Json *j)
{
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
    j->p++;
}

static gboolean
json_expect (Json *j, char c)
{
  json_ws (j);
  if (j->p < j->end && *j->p == c)
    {
      j->p++;
      return TRUE;
    }
  return json_fail (j, "expected '%c'", c);
}

static char *
json_parse_string (Json *j)
{
  json_ws (j);
  if (j->p >= j->end || *j->p != '"')
    {
      json_fail (j, "expected a string");
      return NULL;
    }
  j->p++;
  GString *s = g_string_new (NULL);
  while (j->p < j->end && *j->p != '"')
    {
      char c = *j->p++;
      if ((unsigned char) c < 0x20)
        break;
      if (c == '\\')
        {
          if (j->p >= j->end)
            break;
          char e = *j->p++;
          switch (e)
            {
            case '"': case '\\': case '/': g_string_append_c (s, e); break;
            case 'b': g_string_append_c (s, '\b'); break;
            case 'f': g_string_append_c (s, '\f'); break;
            case 'n': g_string_append_c (s, '\n'); break;
            case 'r': g_string_append_c (s, '\r'); break;
            case 't': g_string_append_c (s, '\t'); break;
            case 'u':
              {
                if (j->end - j->p < 4)
                  goto bad;
                char hex[5] = { j->p[0], j->p[1], j->p[2], j->p[3], 0 };
                guint64 cp;
                /* Names and metadata never hold NUL or half of a
                 * surrogate pair (the writer escapes only control
                 * characters). */
                if (!g_ascii_string_to_unsigned (hex, 16, 1, 0xffff, &cp, NULL) || (cp >= 0xd800 && cp <= 0xdfff))
                  goto bad;
                j->p += 4;
                g_string_append_unichar (s, (gunichar) cp);
                break;
              }
            default:
              goto bad;
            }
        }
      else
        g_string_append_c (s, c);
    }
  if (j->p < j->end && *j->p == '"' && g_utf8_validate_len (s->str, s->len, NULL))
    {
      j->p++;
      return g_string_free (s, FALSE);
    }
bad:
  json_fail (j, "malformed string (not valid UTF-8, or holding NUL)");
  g_string_free (s, TRUE);
  return NULL;
}

static gboolean
json_parse_uint (Json *j, guint64 *out)
{
  json_ws (j);
  const char *start = j->p;
  while (j->p < j->end && g_ascii_isdigit (*j->p))
    j->p++;
  g_autofree char *num = g_strndup (start, j->p - start);
  if (!*num || !g_ascii_string_to_unsigned (num, 10, 0, G_MAXUINT64, out, NULL))
    return json_fail (j, "expected a non-negative integer");
  return TRUE;
}

static gboolean
json_parse_uint_array (Json *j, gsize *out, guint max, guint *n)
{
  if (!json_expect (j, '['))
    return FALSE;
  *n = 0;
  json_ws (j);
  if (j->p < j->end && *j->p == ']')
    {
      j->p++;
      return TRUE;
    }
  for (;;)
    {
      guint64 v;
      if (*n >= max)
        return json_fail (j, "array longer than %u", max);
      if (!json_parse_uint (j, &v))
        return FALSE;
      out[(*n)++] = v;
      json_ws (j);
      if (j->p < j->end && *j->p == ',')
        {
          j->p++;
          continue;
        }
      return json_expect (j, ']');
    }
}

/* ------------------------------------------------------------------ reader */

struct _SrlStateReader {
  char *path;
  GMappedFile *map;
  const guint8 *data;  /* start of the data section */
  gsize data_size;
  GArray *tensors;     /* Tensor */
  GHashTable *index;   /* full name → Tensor index + 1 */
  GHashTable *meta;    /* key → value */
  GPtrArray *names;
  char *prefix;
};

void
srl_state_reader_free (SrlStateReader *r)
{
  if (!r)
    return;
  g_free (r->path);
  if (r->map)
    g_mapped_file_unref (r->map);
  if (r->tensors)
    g_array_unref (r->tensors);
  if (r->index)
    g_hash_table_unref (r->index);
  if (r->meta)
    g_hash_table_unref (r->meta);
  if (r->names)
    g_ptr_array_unref (r->names);
  g_free (r->prefix);
  g_free (r);
}

/* One tensor's entry: {"dtype": …, "shape": […], "data_offsets": [b, e]},
 * each key once, the byte count computed without wrapping around. */
static gboolean
parse_tensor (Json *j, Tensor *t)
{
  if (!json_expect (j, '{'))
    return FALSE;
  gboolean have_dtype = FALSE, have_shape = FALSE, have_offsets = FALSE;
  for (;;)
    {
      g_autofree char *key = json_parse_string (j);
      if (!key || !json_expect (j, ':'))
        return FALSE;
      if (strcmp (key, "dtype") == 0 && !have_dtype)
        {
          g_autofree char *dt = json_parse_string (j);
          if (!dt)
            return FALSE;
          for (guint k = 0; k < G_N_ELEMENTS (dtypes); k++)
            if (strcmp (dt, dtypes[k].name) == 0)
              {
                t->dtype = k;
                have_dtype = TRUE;
              }
          if (!have_dtype)
            return json_fail (j, "tensor \"%s\" has unsupported dtype %s", t->name, dt);
        }
      else if (strcmp (key, "shape") == 0 && !have_shape)
        {
          if (!json_parse_uint_array (j, t->shape, 4, &t->n_dims))
            return FALSE;
          have_shape = TRUE;
        }
      else if (strcmp (key, "data_offsets") == 0 && !have_offsets)
        {
          gsize off[2];
          guint n;
          if (!json_parse_uint_array (j, off, 2, &n))
            return FALSE;
          if (n != 2)
            return json_fail (j, "tensor \"%s\": data_offsets needs two numbers", t->name);
          t->begin = off[0];
          t->end = off[1];
          have_offsets = TRUE;
        }
      else
        return json_fail (j, "unexpected or repeated key \"%s\" in tensor \"%s\"", key, t->name);
      json_ws (j);
      if (j->p < j->end && *j->p == ',')
        {
          j->p++;
          continue;
        }
      if (!json_expect (j, '}'))
        return FALSE;
      break;
    }
  if (!have_dtype || !have_shape || !have_offsets)
    return json_fail (j, "tensor \"%s\" lacks dtype, shape or data_offsets", t->name);
  /* Elements and then bytes, each product checked: [2^31, 2^31] of F32 is
   * 2^64 bytes, which would wrap to 0 and match an empty range. */
  t->n_elements = 1;
  for (guint d = 0; d < t->n_dims; d++)
    {
      if (t->shape[d] && t->n_elements > G_MAXSIZE / t->shape[d])
        return json_fail (j, "tensor \"%s\": its shape has more elements than memory can hold", t->name);
      t->n_elements *= t->shape[d];
    }
  if (t->n_elements > G_MAXSIZE / dtypes[t->dtype].size)
    return json_fail (j, "tensor \"%s\": its shape needs more bytes than memory can hold", t->name);
  return TRUE;
}

static gboolean
parse_meta (Json *j, GHashTable *meta)
{
  if (!json_expect (j, '{'))
    return FALSE;
  json_ws (j);
  if (j->p < j->end && *j->p == '}')
    {
      j->p++;
      return TRUE;
    }
  for (;;)
    {
      char *key = json_parse_string (j);
      if (!key)
        return FALSE;
      /* A second "checksum" or "format" could make the file say two things. */
      if (g_hash_table_contains (meta, key))
        {
          json_fail (j, "metadata key \"%s\" appears twice", key);
          g_free (key);
          return FALSE;
        }
      char *value = json_expect (j, ':') ? json_parse_string (j) : NULL;
      if (!value)
        {
          g_free (key);
          return FALSE;
        }
      g_hash_table_insert (meta, key, value);
      json_ws (j);
      if (j->p < j->end && *j->p == ',')
        {
          j->p++;
          continue;
        }
      return json_expect (j, '}');
    }
}

static int
compare_begin (gconstpointer a, gconstpointer b)
{
  const Tensor *x = *(const Tensor *const *) a, *y = *(const Tensor *const *) b;
  return x->begin < y->begin ? -1 : x->begin > y->begin;
}

/* No two tensors share a byte: writing one through a loaded copy could not
 * change another, and a file cannot make one datum count twice. */
static gboolean
check_no_overlap (GArray *tensors, GString *err)
{
  g_autoptr (GPtrArray) sorted = g_ptr_array_sized_new (tensors->len);
  for (guint i = 0; i < tensors->len; i++)
    if (g_array_index (tensors, Tensor, i).end > g_array_index (tensors, Tensor, i).begin)
      g_ptr_array_add (sorted, &g_array_index (tensors, Tensor, i));
  g_ptr_array_sort (sorted, compare_begin);
  for (guint i = 1; i < sorted->len; i++)
    {
      const Tensor *a = sorted->pdata[i - 1], *b = sorted->pdata[i];
      if (b->begin < a->end)
        {
          g_string_printf (err, "tensors \"%s\" [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ") and \"%s\" [%"
                           G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT ") overlap", a->name, a->begin, a->end, b->name,
                           b->begin, b->end);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
reader_fail (SrlStateReader *r, GError **error, SrlError code, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static gboolean
reader_fail (SrlStateReader *r, GError **error, SrlError code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, SRL_ERROR, code, "%s: %s", r->path, msg);
  return FALSE;
}

SrlStateReader *
srl_state_reader_open (const char *path, GError **error)
{
  g_autoptr (SrlStateReader) r = g_new0 (SrlStateReader, 1);
  r->path = g_strdup (path);
  r->prefix = g_strdup ("");
  g_autoptr (GError) local = NULL;
  r->map = g_mapped_file_new (path, FALSE, &local);
  if (!r->map)
    {
      reader_fail (r, error, SRL_ERROR_IO, "cannot read: %s", local->message);
      return NULL;
    }
  const guint8 *bytes = (const guint8 *) g_mapped_file_get_contents (r->map);
  gsize size = g_mapped_file_get_length (r->map);
  if (size < 8)
    {
      reader_fail (r, error, SRL_ERROR_FORMAT, "not a softrl state file (only %" G_GSIZE_FORMAT " bytes)", size);
      return NULL;
    }
  guint64 hlen = 0;
  for (int i = 0; i < 8; i++)
    hlen |= (guint64) bytes[i] << (8 * i);
  if (hlen < 2 || hlen > MAX_HEADER || hlen > size - 8)
    {
      reader_fail (r, error, SRL_ERROR_FORMAT,
                   "not a softrl state file or truncated (header of %" G_GUINT64_FORMAT " bytes in a file of %"
                   G_GSIZE_FORMAT ")", hlen, size);
      return NULL;
    }
  r->data = bytes + 8 + hlen;
  r->data_size = size - 8 - hlen;
  r->tensors = g_array_new (FALSE, TRUE, sizeof (Tensor));
  g_array_set_clear_func (r->tensors, tensor_clear);
  r->index = g_hash_table_new (g_str_hash, g_str_equal);
  r->meta = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  r->names = g_ptr_array_new ();

  g_autoptr (GString) err = g_string_new (NULL);
  Json j = { (const char *) bytes + 8, (const char *) bytes + 8, (const char *) bytes + 8 + hlen, err };
  gboolean ok = json_expect (&j, '{');
  gboolean first = TRUE, have_meta = FALSE;
  while (ok)
    {
      json_ws (&j);
      if (j.p < j.end && *j.p == '}')
        {
          j.p++;
          break;
        }
      if (!first && !json_expect (&j, ','))
        {
          ok = FALSE;
          break;
        }
      first = FALSE;
      char *name = json_parse_string (&j);
      if (!name || !json_expect (&j, ':'))
        {
          g_free (name);
          ok = FALSE;
          break;
        }
      if (strcmp (name, "__metadata__") == 0)
        {
          g_free (name);
          if (have_meta)
            {
              ok = json_fail (&j, "__metadata__ appears twice");
              break;
            }
          have_meta = TRUE;
          ok = parse_meta (&j, r->meta);
          continue;
        }
      Tensor t = { 0 };
      t.name = name;
      if (g_hash_table_contains (r->index, name))
        {
          json_fail (&j, "tensor \"%s\" appears twice", name);
          g_free (name);
          ok = FALSE;
          break;
        }
      if (!parse_tensor (&j, &t))
        {
          g_free (t.name);
          ok = FALSE;
          break;
        }
      if (t.end < t.begin || t.end > r->data_size || t.end - t.begin != t.n_elements * dtypes[t.dtype].size)
        {
          json_fail (&j, "tensor \"%s\" has byte range [%" G_GSIZE_FORMAT ", %" G_GSIZE_FORMAT
                     ") that does not fit its shape or the file's %" G_GSIZE_FORMAT " data bytes", t.name, t.begin,
                     t.end, r->data_size);
          g_free (t.name);
          ok = FALSE;
          break;
        }
      t.data = r->data + t.begin;
      g_array_append_val (r->tensors, t);
      g_hash_table_insert (r->index, g_array_index (r->tensors, Tensor, r->tensors->len - 1).name,
                           GUINT_TO_POINTER (r->tensors->len));
    }
  /* After the header's object only the padding may follow. */
  json_ws (&j);
  if (ok && j.p != j.end)
    ok = json_fail (&j, "unexpected text after the header");
  if (ok)
    ok = check_no_overlap (r->tensors, err);
  if (!ok)
    {
      reader_fail (r, error, SRL_ERROR_FORMAT, "not a valid softrl state file: %s", err->str);
      return NULL;
    }
  for (guint i = 0; i < r->tensors->len; i++)
    g_ptr_array_add (r->names, g_array_index (r->tensors, Tensor, i).name);
  g_ptr_array_add (r->names, NULL);

  const char *format = g_hash_table_lookup (r->meta, "format");
  const char *version = g_hash_table_lookup (r->meta, "format_version");
  const char *checksum = g_hash_table_lookup (r->meta, "checksum");
  if (!format || strcmp (format, "softrl-state") != 0 || !version || !checksum)
    {
      reader_fail (r, error, SRL_ERROR_FORMAT,
                   "a safetensors file without softrl's format, version and checksum metadata");
      return NULL;
    }
  gint64 v = 0;
  if (!g_ascii_string_to_signed (version, 10, 1, G_MAXINT32, &v, NULL) || v != SRL_STATE_FORMAT_VERSION)
    {
      reader_fail (r, error, SRL_ERROR_FORMAT,
                   "written in state format version %s; this softrl reads version %d", version,
                   SRL_STATE_FORMAT_VERSION);
      return NULL;
    }
  if (strlen (checksum) != strlen (CHECKSUM_PREFIX) + CHECKSUM_HEX || !g_str_has_prefix (checksum, CHECKSUM_PREFIX))
    {
      reader_fail (r, error, SRL_ERROR_FORMAT, "malformed checksum \"%s\"", checksum);
      return NULL;
    }
  /* Recompute with the digest's digits zeroed in a copy of the header. */
  const char *hex = checksum + strlen (CHECKSUM_PREFIX);
  g_autofree char *header = g_memdup2 (bytes + 8, hlen);
  char *at = g_strstr_len (header, hlen, hex);
  if (!at)
    {
      reader_fail (r, error, SRL_ERROR_FORMAT, "checksum not found in the header");
      return NULL;
    }
  memset (at, '0', CHECKSUM_HEX);
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, bytes, 8);
  g_checksum_update (sum, (const guchar *) header, hlen);
  g_checksum_update (sum, r->data, r->data_size);
  gboolean match = g_ascii_strcasecmp (g_checksum_get_string (sum), hex) == 0;
  g_checksum_free (sum);
  if (!match)
    {
      reader_fail (r, error, SRL_ERROR_FORMAT, "checksum mismatch: the file is corrupt or was altered");
      return NULL;
    }
  return g_steal_pointer (&r);
}

void
srl_state_reader_set_prefix (SrlStateReader *r, const char *prefix)
{
  g_free (r->prefix);
  r->prefix = g_strdup (prefix ? prefix : "");
}

const char *
srl_state_reader_path (const SrlStateReader *r)
{
  return r->path;
}

static const Tensor *
find_tensor (const SrlStateReader *r, const char *name)
{
  g_autofree char *full = g_strconcat (r->prefix, name, NULL);
  guint i = GPOINTER_TO_UINT (g_hash_table_lookup (r->index, full));
  return i ? &g_array_index (r->tensors, Tensor, i - 1) : NULL;
}

gboolean
srl_state_reader_has (const SrlStateReader *r, const char *name)
{
  return find_tensor (r, name) != NULL;
}

const gsize *
srl_state_reader_shape (const SrlStateReader *r, const char *name, guint *n_dims)
{
  const Tensor *t = find_tensor (r, name);
  if (n_dims)
    *n_dims = t ? t->n_dims : 0;
  return t ? t->shape : NULL;
}

gboolean
srl_state_reader_get (const SrlStateReader *r, const char *name, SrlDtype dtype, void *dest, gsize n,
                      GError **error)
{
  const Tensor *t = find_tensor (r, name);
  if (!t)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_MISMATCH, "%s: has no tensor \"%s%s\"", r->path, r->prefix, name);
      return FALSE;
    }
  if (t->dtype != dtype)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_MISMATCH, "%s: tensor \"%s\" is %s, expected %s", r->path,
                   t->name, dtypes[t->dtype].name, dtypes[dtype].name);
      return FALSE;
    }
  if (t->n_elements != n)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_MISMATCH,
                   "%s: tensor \"%s\" has %" G_GSIZE_FORMAT " elements, expected %" G_GSIZE_FORMAT, r->path,
                   t->name, t->n_elements, n);
      return FALSE;
    }
  /* No run saves a NaN or an infinity (one would have stopped it), so a
   * file holding one was damaged or made by hand.  Checked before copying:
   * `dest` stays untouched. */
  for (gsize i = 0; i < n && (dtype == SRL_DTYPE_F32 || dtype == SRL_DTYPE_F64); i++)
    {
      double v;
      if (dtype == SRL_DTYPE_F32)
        {
          float f;
          memcpy (&f, (const guint8 *) t->data + i * sizeof f, sizeof f);
          v = f;
        }
      else
        memcpy (&v, (const guint8 *) t->data + i * sizeof v, sizeof v);
      if (!isfinite (v))
        {
          g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT,
                       "%s: tensor \"%s\" element %" G_GSIZE_FORMAT " is %g: saved state holds finite numbers only",
                       r->path, t->name, i, v);
          return FALSE;
        }
    }
  if (n)
    memcpy (dest, t->data, n * dtypes[dtype].size);
  return TRUE;
}

gboolean
srl_state_reader_get_f32 (const SrlStateReader *r, const char *name, float *dest, gsize n, GError **error)
{
  return srl_state_reader_get (r, name, SRL_DTYPE_F32, dest, n, error);
}

gboolean
srl_state_reader_get_f64 (const SrlStateReader *r, const char *name, double *dest, gsize n, GError **error)
{
  return srl_state_reader_get (r, name, SRL_DTYPE_F64, dest, n, error);
}

gboolean
srl_state_reader_get_u64 (const SrlStateReader *r, const char *name, guint64 *dest, gsize n, GError **error)
{
  return srl_state_reader_get (r, name, SRL_DTYPE_U64, dest, n, error);
}

gboolean
srl_state_reader_get_u8 (const SrlStateReader *r, const char *name, guint8 *dest, gsize n, GError **error)
{
  return srl_state_reader_get (r, name, SRL_DTYPE_U8, dest, n, error);
}

gboolean
srl_state_reader_get_i64_value (const SrlStateReader *r, const char *name, gint64 *value, GError **error)
{
  return srl_state_reader_get (r, name, SRL_DTYPE_I64, value, 1, error);
}

gboolean
srl_state_reader_get_f64_value (const SrlStateReader *r, const char *name, double *value, GError **error)
{
  return srl_state_reader_get (r, name, SRL_DTYPE_F64, value, 1, error);
}

gboolean
srl_state_reader_get_count (const SrlStateReader *r, const char *name, gint64 min, gint64 max, gint64 *value,
                            GError **error)
{
  gint64 v;
  if (!srl_state_reader_get (r, name, SRL_DTYPE_I64, &v, 1, error))
    return FALSE;
  if (v < min || v > max)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT,
                   "%s: tensor \"%s%s\" is %" G_GINT64_FORMAT "; a run saves a value from %" G_GINT64_FORMAT
                   " to %" G_GINT64_FORMAT " here", r->path, r->prefix, name, v, min, max);
      return FALSE;
    }
  *value = v;
  return TRUE;
}

gboolean
srl_state_reader_get_rng (const SrlStateReader *r, const char *name, SrlRng *rng, GError **error)
{
  guint64 s[4];
  if (!srl_state_reader_get_u64 (r, name, s, 4, error))
    return FALSE;
  if ((s[0] | s[1] | s[2] | s[3]) == 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FORMAT,
                   "%s: tensor \"%s%s\" is an all-zero random state, which no generator reaches", r->path, r->prefix,
                   name);
      return FALSE;
    }
  memcpy (rng->s, s, sizeof s);
  return TRUE;
}

const char *
srl_state_reader_meta (const SrlStateReader *r, const char *key)
{
  return g_hash_table_lookup (r->meta, key);
}

const char *const *
srl_state_reader_names (const SrlStateReader *r, guint *n)
{
  if (n)
    *n = r->tensors->len;
  return (const char *const *) r->names->pdata;
}

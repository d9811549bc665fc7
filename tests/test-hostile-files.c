/* Hostile files: the checkpoint and the policy of a real run of every
 * algorithm, mutated deterministically (bit flips, truncations, header edits,
 * every scalar set to −1, 0, huge and NaN, weights made NaN), each fed to
 * `softrl run --resume` or `softrl eval` in a child limited in time and
 * memory.  No mutation may crash or abort the program; a file that no run
 * can have written must be refused with exit 1, naming the file, and leave
 * the run directory as it was.
 *
 * To stay within seconds in `make check`, each algorithm runs every fourth
 * case (a different fourth for each, so the shared reader and runner see
 * all of them); SOFTRL_FUZZ_EVERY=1 runs them all (about a thousand), a
 * larger N fewer.  SOFTRL_FUZZ_WRAPPER runs each child under a tool; in the
 * build tree through libtool:
 *   SOFTRL_FUZZ_WRAPPER="$PWD/libtool --mode=execute valgrind -q --error-exitcode=99"
 */
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define CHECKSUM_TAG "sha256:"
#define CHECKSUM_HEX 64

/* Tiny runs, interrupted in their second epoch so every counter is mid-way. */
static const char *const base_experiment =
  "[experiment]\nepochs = 2\nsteps_per_epoch = 30\neval_episodes = 1\nmax_path_length = 10\n"
  "initial_random_steps = 10\nmin_replay_size = 10\nreplay_capacity = 100\ncheckpoint_interval = 1\nseed = 3\n"
  "[env]\nplugin = pendulum\n";

static const struct {
  const char *name;
  const char *sections;
} algorithms[] = {
  { "sac", "[algorithm]\nplugin = sac\nbatch_size = 8\nhidden_sizes = 8;8\n"
           "[sampler]\nplugin = gaussian\nhidden_sizes = 8;8\n" },
  { "sac-auto", "[algorithm]\nplugin = sac-auto\nbatch_size = 8\nhidden_sizes = 8;8\n"
                "[sampler]\nplugin = gaussian\nhidden_sizes = 8;8\n" },
  { "sql", "[algorithm]\nplugin = sql\nbatch_size = 8\nhidden_sizes = 8;8\nvalue_particles = 4\n"
           "kernel_particles = 4\nupdated_particles = 4\n[sampler]\nplugin = svgd\nhidden_sizes = 8;8\n" },
  { "lsp", "[algorithm]\nplugin = lsp\nbatch_size = 8\nhidden_sizes = 8;8\n"
           "[sampler]\nplugin = realnvp\nhidden_sizes = 8;8\n" },
  { "ddpg", "[algorithm]\nplugin = ddpg\nbatch_size = 8\nhidden_sizes = 8;8\n" },
  { "td3", "[algorithm]\nplugin = td3\nbatch_size = 8\nhidden_sizes = 8;8\n" },
};

typedef enum {
  EXPECT_ACCEPTED, /* the file as written: resumes or evaluates */
  EXPECT_NO_CRASH, /* the mutation may be a value a run can produce */
  EXPECT_REFUSED,  /* no run writes this file */
} Expect;

/* Fault classes of the closing table. */
typedef enum {
  CLASS_UNCHANGED,
  CLASS_BIT_FLIP,
  CLASS_BIT_FLIP_RESEALED,
  CLASS_TRUNCATION,
  CLASS_HEADER,
  CLASS_SCALAR,
  CLASS_NON_FINITE,
  N_CLASSES
} FaultClass;

static const char *const class_names[] = {
  "unchanged (must be accepted)", "bit flip (checksum kept)", "bit flip (checksum recomputed)", "truncation",
  "header edit (resealed)",
  "scalar -1/0/huge/NaN", "NaN or inf in a tensor",
};

typedef struct {
  char *dir;           /* temporary directory of the whole test */
  char *template_run;  /* the algorithm's interrupted run */
  char *work;          /* the copy each case runs in */
  const char *algorithm;
  guint cases[N_CLASSES], crashes[N_CLASSES], accepted[N_CLASSES];
  GString *failures;
  guint every, counter;
  char **wrapper;
} Fuzz;

static Fuzz fuzz;

/* ---- the file's layout ---- */

typedef struct {
  const guint8 *bytes;
  gsize size;
  gsize header_len;     /* JSON bytes after the 8-byte length */
  const char *header;   /* into bytes */
  const guint8 *data;   /* the data section */
  gsize data_size;
} Layout;

static Layout
layout_of (GBytes *file)
{
  Layout l = { 0 };
  l.bytes = g_bytes_get_data (file, &l.size);
  g_assert_cmpuint (l.size, >=, 8);
  guint64 n = 0;
  for (int i = 0; i < 8; i++)
    n |= (guint64) l.bytes[i] << (8 * i);
  l.header_len = n;
  l.header = (const char *) l.bytes + 8;
  l.data = l.bytes + 8 + n;
  l.data_size = l.size - 8 - n;
  return l;
}

static GBytes *
reseal_bytes (const guint8 *bytes, gsize size)
{
  GBytes *raw = g_bytes_new (bytes, size);
  Layout l = layout_of (raw);
  GBytes *out = srl_test_state_file (l.header, l.header_len, l.data, l.data_size, TRUE);
  g_bytes_unref (raw);
  return out;
}

/* A tensor as the header describes it. */
typedef struct {
  char *name;
  char dtype[4];
  gsize n_elements;
  gsize begin, end;
  gsize entry_at, entry_end; /* its {…} in the header */
} Entry;

static void
entry_clear (gpointer p)
{
  g_free (((Entry *) p)->name);
}

/* The tensors of a softrl-written header ("name":{"dtype":…,"shape":[…],
 * "data_offsets":[b,e]}, names without quotes). */
static GArray *
entries_of (const Layout *l)
{
  GArray *entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (entries, entry_clear);
  g_autofree char *h = g_strndup (l->header, l->header_len);
  const char *key = "{\"dtype\":\"";
  for (const char *p = strstr (h, key); p; p = strstr (p + 1, key))
    {
      Entry e = { 0 };
      const char *name_end = p - 2;
      const char *name_start = name_end - 1;
      while (*name_start != '"')
        name_start--;
      e.name = g_strndup (name_start + 1, name_end - name_start - 1);
      memcpy (e.dtype, p + strlen (key), 3);
      e.dtype[e.dtype[2] == '"' ? 2 : 3] = '\0';
      e.entry_at = p - h;
      e.entry_end = strchr (p, '}') - h + 1;
      const char *shape = strstr (p, "\"shape\":[") + strlen ("\"shape\":[");
      e.n_elements = 1;
      for (const char *s = shape; *s != ']';)
        {
          char *end;
          e.n_elements *= g_ascii_strtoull (s, &end, 10);
          s = *end == ',' ? end + 1 : end;
        }
      const char *offsets = strstr (p, "\"data_offsets\":[") + strlen ("\"data_offsets\":[");
      char *end;
      e.begin = g_ascii_strtoull (offsets, &end, 10);
      e.end = g_ascii_strtoull (end + 1, NULL, 10);
      g_array_append_val (entries, e);
    }
  return entries;
}

/* ---- running one case ---- */

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  gsize n;
  if (!g_file_get_contents (from, &contents, &n, NULL))
    return;
  g_assert_true (g_file_set_contents (to, contents, n, NULL));
}

/* Names and contents of the files in `dir`, to see that a refusal left it
 * as it was: all but the owner's lock file, which any process that looks
 * at a run takes (and names itself in) before it reads a byte of it. */
static char *
snapshot (const char *dir)
{
  g_autofree char *listing = srl_test_listing (dir);
  GString *s = g_string_new (NULL);
  g_auto (GStrv) names = g_strsplit (listing, " ", -1);
  for (guint i = 0; names[i]; i++)
    {
      if (strcmp (names[i], SRL_RUN_LOCK) == 0)
        continue;
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *contents = NULL;
      gsize n = 0;
      g_file_get_contents (path, &contents, &n, NULL);
      g_autofree char *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, n);
      g_string_append_printf (s, "\n%s %s", names[i], sum);
    }
  return g_string_free (s, FALSE);
}

/* In the child before exec: bounded memory, processor time and wall time
 * (a pending alarm survives exec), so a hang or a runaway allocation shows
 * as a signal. */
static void
limit_child (gpointer data)
{
  gboolean under_tool = GPOINTER_TO_INT (data);
  struct rlimit cpu = { 60, 60 };
  setrlimit (RLIMIT_CPU, &cpu);
  if (!under_tool)
    {
      struct rlimit as = { (rlim_t) 2 << 30, (rlim_t) 2 << 30 };
      setrlimit (RLIMIT_AS, &as);
    }
  alarm (under_tool ? 600 : 60);
}

static void
try_case (FaultClass class, const char *label, const char *file, GBytes *contents, Expect expect)
{
  if (expect != EXPECT_ACCEPTED && fuzz.counter++ % fuzz.every != 0)
    return;
  fuzz.cases[class]++;
  srl_test_rmtree (fuzz.work);
  g_assert_cmpint (g_mkdir (fuzz.work, 0755), ==, 0);
  static const char *const run_files[] = { "config.ini", "progress.csv", "checkpoint.safetensors",
                                           "policy.safetensors", "log.txt", "status" };
  for (guint i = 0; i < G_N_ELEMENTS (run_files); i++)
    {
      g_autofree char *from = g_build_filename (fuzz.template_run, run_files[i], NULL);
      g_autofree char *to = g_build_filename (fuzz.work, run_files[i], NULL);
      copy_file (from, to);
    }
  g_autofree char *target = g_build_filename (fuzz.work, file, NULL);
  gsize size;
  const void *bytes = g_bytes_get_data (contents, &size);
  g_assert_true (g_file_set_contents (target, bytes, size, NULL));
  g_autofree char *before = snapshot (fuzz.work);

  gboolean checkpoint = strcmp (file, "checkpoint.safetensors") == 0;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  for (guint i = 0; fuzz.wrapper && fuzz.wrapper[i]; i++)
    g_ptr_array_add (argv, fuzz.wrapper[i]);
  g_ptr_array_add (argv, (gpointer) srl_test_bin ());
  if (checkpoint)
    {
      const char *args[] = { "run", "--resume", fuzz.work, "-q" };
      for (guint i = 0; i < G_N_ELEMENTS (args); i++)
        g_ptr_array_add (argv, (gpointer) args[i]);
    }
  else
    {
      const char *args[] = { "eval", fuzz.work, "--episodes", "1" };
      for (guint i = 0; i < G_N_ELEMENTS (args); i++)
        g_ptr_array_add (argv, (gpointer) args[i]);
    }
  g_ptr_array_add (argv, NULL);
  int wait_status = 0;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_SEARCH_PATH, limit_child,
                     GINT_TO_POINTER (fuzz.wrapper != NULL), NULL, &err, &wait_status, &error))
    g_error ("cannot run %s: %s", srl_test_bin (), error->message);

  const char *command = checkpoint ? "run --resume" : "eval";
  g_autofree char *tail = g_strdup (err && strlen (err) > 300 ? err + strlen (err) - 300 : err ? err : "");
  if (WIFSIGNALED (wait_status) || (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) > 2
                                    && WEXITSTATUS (wait_status) != 130))
    {
      fuzz.crashes[class]++;
      g_string_append_printf (fuzz.failures, "%s %s %s: %s %s: %s\n", fuzz.algorithm, file, label, command,
                              WIFSIGNALED (wait_status) ? "killed by signal" : "exit",
                              WIFSIGNALED (wait_status) ? g_strsignal (WTERMSIG (wait_status)) : tail);
      return;
    }
  int status = WEXITSTATUS (wait_status);
  if (expect == EXPECT_ACCEPTED && status != 0)
    {
      fuzz.accepted[class]++;
      g_string_append_printf (fuzz.failures, "%s %s %s: %s refused (exit %d): %s\n", fuzz.algorithm, file, label,
                              command, status, tail);
    }
  if (expect != EXPECT_REFUSED)
    return;
  g_autofree char *after = snapshot (fuzz.work);
  const char *why = status == 0 || status == 130 ? "accepted"
                    : status != 1                ? "refused with an exit status other than 1"
                    : !strstr (err, file)        ? "refused without naming the file"
                    : strcmp (before, after)     ? "refused but the run directory changed"
                                                 : NULL;
  if (why)
    {
      fuzz.accepted[class]++;
      g_string_append_printf (fuzz.failures, "%s %s %s: %s %s (exit %d): %s\n", fuzz.algorithm, file, label, command,
                              why, status, tail);
    }
}

/* ---- the mutations ---- */

static void
bit_flips (const char *file, GBytes *original)
{
  Layout l = layout_of (original);
  const char *tag = g_strstr_len (l.header, l.header_len, CHECKSUM_TAG);
  gsize digits_at = 8 + (tag - l.header) + strlen (CHECKSUM_TAG);
  for (guint k = 0; k < 10; k++)
    {
      /* Spread over the file; the checksum's own digits are left alone
       * (flipping the case bit of a hex letter keeps its meaning). */
      gsize at = (gsize) ((k + 0.5) * l.size / 10);
      if (at >= digits_at && at < digits_at + CHECKSUM_HEX)
        at = digits_at + CHECKSUM_HEX;
      g_autofree guint8 *copy = g_memdup2 (l.bytes, l.size);
      copy[at] ^= (guint8) (1u << (k % 8));
      g_autoptr (GBytes) flipped = g_bytes_new (copy, l.size);
      g_autofree char *label = g_strdup_printf ("bit %u of byte %zu flipped", k % 8, at);
      try_case (CLASS_BIT_FLIP, label, file, flipped, EXPECT_REFUSED);
      if (at >= 8)
        {
          g_autoptr (GBytes) resealed = reseal_bytes (copy, l.size);
          g_autofree char *label2 = g_strdup_printf ("%s, checksum recomputed", label);
          /* Possibly a header that no longer parses, possibly a weight that
           * a run could hold: only a crash is wrong. */
          try_case (CLASS_BIT_FLIP_RESEALED, label2, file, resealed, EXPECT_NO_CRASH);
        }
    }
}

static void
truncations (const char *file, GBytes *original)
{
  Layout l = layout_of (original);
  const gsize lengths[] = { 0, 5, 8, 8 + l.header_len / 2, 8 + l.header_len, l.size / 2 + l.header_len / 2,
                            l.size - 1 };
  for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autoptr (GBytes) cut = g_bytes_new (l.bytes, MIN (lengths[i], l.size - 1));
      g_autofree char *label = g_strdup_printf ("truncated to %zu bytes", MIN (lengths[i], l.size - 1));
      try_case (CLASS_TRUNCATION, label, file, cut, EXPECT_REFUSED);
    }
}

/* The header with [at, at + n) replaced by `text`, resealed. */
static GBytes *
header_edit (const Layout *l, gsize at, gsize n, const char *text, gsize text_len)
{
  GString *h = g_string_new_len (l->header, l->header_len);
  g_string_erase (h, at, n);
  g_string_insert_len (h, at, text, text_len);
  GBytes *out = srl_test_state_file (h->str, h->len, l->data, l->data_size, TRUE);
  g_string_free (h, TRUE);
  return out;
}

static void
header_edits (const char *file, GBytes *original)
{
  Layout l = layout_of (original);
  g_autoptr (GArray) entries = entries_of (&l);
  g_assert_cmpuint (entries->len, >=, 2);
  /* The first tensor with elements, and the one after it in the data. */
  const Entry *a = NULL, *b = NULL;
  for (guint i = 0; i + 1 < entries->len && !b; i++)
    {
      const Entry *x = &g_array_index (entries, Entry, i), *y = &g_array_index (entries, Entry, i + 1);
      if (x->end > x->begin && y->end > y->begin)
        a = x, b = y;
    }
  g_assert_nonnull (b);
  struct {
    const char *label;
    const Entry *target;
    char *entry; /* replacement of the whole {…} */
  } edits[] = {
    { "shape [2^31, 2^31] of F32 in 0 bytes", a,
      g_strdup ("{\"dtype\":\"F32\",\"shape\":[2147483648,2147483648],\"data_offsets\":[0,0]}") },
    { "shape [2^62, 4] of U8 in 0 bytes", a,
      g_strdup ("{\"dtype\":\"U8\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,0]}") },
    { "a range overlapping the next tensor's", b,
      g_strdup_printf ("{\"dtype\":\"%s\",\"shape\":[%zu],\"data_offsets\":[%zu,%zu]}", b->dtype, b->n_elements,
                       a->begin, a->begin + (b->end - b->begin)) },
    { "a range past the end of the file", a,
      g_strdup_printf ("{\"dtype\":\"%s\",\"shape\":[%zu],\"data_offsets\":[%zu,%zu]}", a->dtype, a->n_elements,
                       l.data_size, l.data_size + (a->end - a->begin)) },
    { "a range with end before begin", a,
      g_strdup_printf ("{\"dtype\":\"%s\",\"shape\":[%zu],\"data_offsets\":[%zu,%zu]}", a->dtype, a->n_elements,
                       a->end, a->begin) },
    { "dtype given twice", a,
      g_strdup_printf ("{\"dtype\":\"%s\",\"dtype\":\"U8\",\"shape\":[%zu],\"data_offsets\":[%zu,%zu]}", a->dtype,
                       a->n_elements, a->begin, a->end) },
    { "an unknown dtype", a,
      g_strdup_printf ("{\"dtype\":\"F16\",\"shape\":[%zu],\"data_offsets\":[%zu,%zu]}", a->n_elements, a->begin,
                       a->end) },
    { "five dimensions", a,
      g_strdup_printf ("{\"dtype\":\"%s\",\"shape\":[1,1,1,1,%zu],\"data_offsets\":[%zu,%zu]}", a->dtype,
                       a->n_elements, a->begin, a->end) },
    { "a negative offset", a,
      g_strdup_printf ("{\"dtype\":\"%s\",\"shape\":[%zu],\"data_offsets\":[-4,%zu]}", a->dtype, a->n_elements,
                       a->end) },
  };
  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autoptr (GBytes) edited = header_edit (&l, edits[i].target->entry_at,
                                               edits[i].target->entry_end - edits[i].target->entry_at,
                                               edits[i].entry, strlen (edits[i].entry));
      g_autofree char *label = g_strdup_printf ("tensor %s: %s", edits[i].target->name, edits[i].label);
      try_case (CLASS_HEADER, label, file, edited, EXPECT_REFUSED);
      g_free (edits[i].entry);
    }
  /* Names: a NUL, a byte that is not UTF-8, a lone surrogate, a duplicate. */
  gsize name_at = a->entry_at - 2 - strlen (a->name);
  const struct {
    const char *label, *name;
    gsize len;
  } names[] = {
    { "a name holding \\u0000", "x\\u0000y", 8 },
    { "a name that is not UTF-8", "x\xff\xfey", 4 },
    { "a name holding a lone surrogate", "x\\ud800y", 8 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (GBytes) edited = header_edit (&l, name_at, strlen (a->name), names[i].name, names[i].len);
      try_case (CLASS_HEADER, names[i].label, file, edited, EXPECT_REFUSED);
    }
  {
    g_autoptr (GBytes) edited = header_edit (&l, name_at, strlen (a->name), b->name, strlen (b->name));
    try_case (CLASS_HEADER, "a tensor name given twice", file, edited, EXPECT_REFUSED);
  }
  /* Metadata: a second format key; text after the header's object. */
  {
    const char *meta = "{\"__metadata__\":{";
    g_assert_true (strncmp (l.header, meta, strlen (meta)) == 0);
    const char *extra = "\"format\":\"softrl-state\",";
    g_autoptr (GBytes) edited = header_edit (&l, strlen (meta), 0, extra, strlen (extra));
    try_case (CLASS_HEADER, "a metadata key given twice", file, edited, EXPECT_REFUSED);
    gsize close = l.header_len;
    while (l.header[close - 1] == ' ')
      close--;
    g_autoptr (GBytes) trailing = header_edit (&l, close, 0, "{}", 2);
    try_case (CLASS_HEADER, "text after the header", file, trailing, EXPECT_REFUSED);
  }
}

static void
put_value (guint8 *data, const Entry *e, gsize index, double f, gint64 i)
{
  guint8 *at = data + e->begin;
  if (strcmp (e->dtype, "F32") == 0)
    {
      float v = (float) f;
      memcpy (at + index * 4, &v, 4);
    }
  else if (strcmp (e->dtype, "F64") == 0)
    memcpy (at + index * 8, &f, 8);
  else if (strcmp (e->dtype, "I64") == 0 || strcmp (e->dtype, "U64") == 0)
    memcpy (at + index * 8, &i, 8);
  else
    at[index] = (guint8) i;
}

static GBytes *
with_value (const Layout *l, const Entry *e, gsize index, double f, gint64 i)
{
  g_autofree guint8 *data = g_memdup2 (l->data, l->data_size);
  put_value (data, e, index, f, i);
  return srl_test_state_file (l->header, l->header_len, data, l->data_size, TRUE);
}

/* `select`: only tensors whose name starts with one of these (NULL: all). */
static void
values (const char *file, GBytes *original, const char *const *select, guint tensor_stride)
{
  Layout l = layout_of (original);
  g_autoptr (GArray) entries = entries_of (&l);
  guint n_tensors = 0;
  for (guint k = 0; k < entries->len; k++)
    {
      const Entry *e = &g_array_index (entries, Entry, k);
      gboolean chosen = !select;
      for (guint s = 0; select && select[s]; s++)
        chosen |= g_str_has_prefix (e->name, select[s]);
      if (!chosen || e->n_elements == 0)
        continue;
      gboolean is_float = e->dtype[0] == 'F';
      if (e->n_elements == 1 && (is_float || strcmp (e->dtype, "I64") == 0))
        {
          /* Every I64 a run saves is a count or a flag: −1 and 2^63 − 1 are
           * impossible, as is a NaN anywhere. */
          const struct {
            const char *label;
            double f;
            gint64 i;
            Expect int_expect, float_expect;
          } cases[] = {
            { "-1", -1, -1, EXPECT_REFUSED, EXPECT_NO_CRASH },
            { "0", 0, 0, EXPECT_NO_CRASH, EXPECT_NO_CRASH },
            { "huge", 1e300, G_MAXINT64, EXPECT_REFUSED, EXPECT_NO_CRASH },
            { "NaN", NAN, G_MININT64, EXPECT_REFUSED, EXPECT_REFUSED },
          };
          for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
            {
              g_autoptr (GBytes) mutated = with_value (&l, e, 0, cases[c].f, cases[c].i);
              g_autofree char *label = g_strdup_printf ("%s set to %s", e->name, cases[c].label);
              try_case (CLASS_SCALAR, label, file, mutated, is_float ? cases[c].float_expect : cases[c].int_expect);
            }
          continue;
        }
      if (n_tensors++ % tensor_stride != 0)
        continue;
      if (is_float)
        {
          g_autoptr (GBytes) nan = with_value (&l, e, 0, NAN, 0);
          g_autofree char *label = g_strdup_printf ("%s[0] set to NaN", e->name);
          try_case (CLASS_NON_FINITE, label, file, nan, EXPECT_REFUSED);
          g_autoptr (GBytes) inf = with_value (&l, e, e->n_elements - 1, -INFINITY, 0);
          g_autofree char *label2 = g_strdup_printf ("%s[last] set to -inf", e->name);
          try_case (CLASS_NON_FINITE, label2, file, inf, EXPECT_REFUSED);
        }
      else if (strcmp (e->dtype, "U64") == 0 && e->n_elements == 4)
        {
          g_autofree guint8 *data = g_memdup2 (l.data, l.data_size);
          memset (data + e->begin, 0, 32);
          g_autoptr (GBytes) zero = srl_test_state_file (l.header, l.header_len, data, l.data_size, TRUE);
          g_autofree char *label = g_strdup_printf ("%s all zero", e->name);
          try_case (CLASS_SCALAR, label, file, zero, EXPECT_REFUSED);
        }
      else if (strcmp (e->dtype, "U8") == 0)
        {
          g_autoptr (GBytes) two = with_value (&l, e, 0, 0, 2);
          g_autofree char *label = g_strdup_printf ("%s[0] set to 2", e->name);
          try_case (CLASS_SCALAR, label, file, two, EXPECT_REFUSED);
        }
    }
}

/* ---- the test ---- */

static GBytes *
read_run_file (const char *run, const char *name)
{
  g_autofree char *path = g_build_filename (run, name, NULL);
  g_autofree char *contents = NULL;
  gsize n;
  g_assert_true (g_file_get_contents (path, &contents, &n, NULL));
  return g_bytes_new_take (g_steal_pointer (&contents), n);
}

static void
test_every_algorithm (void)
{
  fuzz.dir = srl_test_tmpdir ();
  fuzz.work = g_build_filename (fuzz.dir, "case", NULL);
  fuzz.failures = g_string_new (NULL);
  const char *every = g_getenv ("SOFTRL_FUZZ_EVERY");
  fuzz.every = every ? MAX ((guint) g_ascii_strtoull (every, NULL, 10), 1) : 4;
  const char *wrapper = g_getenv ("SOFTRL_FUZZ_WRAPPER");
  fuzz.wrapper = wrapper && *wrapper ? g_strsplit (wrapper, " ", -1) : NULL;
  double started = g_get_monotonic_time () / 1e6;
  for (guint a = 0; a < G_N_ELEMENTS (algorithms); a++)
    {
      fuzz.algorithm = algorithms[a].name;
      fuzz.counter = a;
      g_autofree char *ini_name = g_strdup_printf ("%s.ini", algorithms[a].name);
      g_autofree char *text = g_strconcat (base_experiment, algorithms[a].sections, NULL);
      g_autofree char *ini = srl_test_write (fuzz.dir, ini_name, text);
      g_free (fuzz.template_run);
      fuzz.template_run = g_build_filename (fuzz.dir, algorithms[a].name, NULL);
      g_autofree char *err = NULL;
      int status = srl_test_run (NULL, NULL, &err, "run", ini, "--out", fuzz.template_run, "-q",
                                 "--interrupt-after-steps", "45", NULL);
      if (status != 130)
        g_error ("%s: the run to mutate ended with %d: %s", algorithms[a].name, status, err);

      g_autoptr (GBytes) checkpoint = read_run_file (fuzz.template_run, "checkpoint.safetensors");
      g_autoptr (GBytes) policy = read_run_file (fuzz.template_run, "policy.safetensors");
      /* The files as written resume and evaluate. */
      try_case (CLASS_UNCHANGED, "unchanged", "checkpoint.safetensors", checkpoint, EXPECT_ACCEPTED);
      try_case (CLASS_UNCHANGED, "unchanged", "policy.safetensors", policy, EXPECT_ACCEPTED);
      for (guint f = 0; f < 2; f++)
        {
          const char *file = f ? "policy.safetensors" : "checkpoint.safetensors";
          GBytes *original = f ? policy : checkpoint;
          bit_flips (file, original);
          truncations (file, original);
          header_edits (file, original);
        }
      /* The runner's and the replay buffer's fields are the same code for
       * every algorithm: all of them once, the algorithm's own for each. */
      const char *const runner[] = { "runner.", "replay.", "env.", NULL };
      const char *const own[] = { "algorithm.", NULL };
      if (a == 0)
        values ("checkpoint.safetensors", checkpoint, runner, 1);
      values ("checkpoint.safetensors", checkpoint, own, 4);
      values ("policy.safetensors", policy, NULL, 1);
    }
  GString *table = g_string_new ("fault class                       cases  crashes  wrongly accepted or refused\n");
  guint total = 0;
  for (guint c = 0; c < N_CLASSES; c++)
    {
      g_string_append_printf (table, "%-32s %6u %8u %8u\n", class_names[c], fuzz.cases[c], fuzz.crashes[c],
                              fuzz.accepted[c]);
      total += fuzz.cases[c];
    }
  g_test_message ("%u cases in %.1f s\n%s", total, g_get_monotonic_time () / 1e6 - started, table->str);
  g_string_free (table, TRUE);
  if (fuzz.failures->len)
    g_error ("hostile files not handled:\n%s", fuzz.failures->str);
  srl_test_rmtree (fuzz.dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hostile-files/every-algorithm", test_every_algorithm);
  return g_test_run ();
}

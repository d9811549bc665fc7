/* softrl board: a local web dashboard over run and sweep directories,
 * served with libsoup (see board.h).
 *
 * The page's HTML, script and style are compiled into the program as a
 * GResource (core/cli/board/) rather than installed under $(pkgdatadir): the
 * program then serves the page that matches its own API whether it runs
 * from the build tree, from a staged install or from an installed prefix,
 * with no search path to get wrong and no files to go missing.  The curves
 * are drawn by the page's own small SVG code, so no script library is
 * needed at all, from the internet or from a package.
 *
 * Read-only: every handler answers GET and HEAD only and opens files for
 * reading, and only those board-paths.c allows. */
#include <glib-unix.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "commands.h"

/* The resource bundle glib-compile-resources made of core/cli/board/. */
GResource *srl_board_get_resource (void);

#define DEFAULT_PORT 6060
/* Entries per page of the list: the page asks for more as needed, so a
 * directory of thousands of runs is never read whole at once. */
#define LIST_LIMIT_MAX 500

typedef struct {
  GStrv roots;        /* resolved directories, as named */
  GStrv names;        /* as given on the command line, for the page */
} Board;

static void
answer_text (SoupServerMessage *msg, guint status, const char *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY, text, strlen (text));
}

static void
answer_json (SoupServerMessage *msg, guint status, JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, node);
  gsize length;
  char *text = json_generator_to_data (gen, &length);
  soup_server_message_set_status (msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
}

static void
answer_error (SoupServerMessage *msg, guint status, const char *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  g_autoptr (JsonNode) node = json_builder_get_root (b);
  answer_json (msg, status, node);
}

/* Only reading: anything but GET and HEAD is refused. */
static gboolean
method_allowed (SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);
  if (method == SOUP_METHOD_GET || method == SOUP_METHOD_HEAD)
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET, HEAD");
  answer_text (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "read-only: GET and HEAD only\n");
  return FALSE;
}

/* "ROOT/RELATIVE" (percent-decoded already) resolved under that root, or
 * NULL with an HTTP status. */
static char *
resolve_id (const Board *board, const char *id, guint *status)
{
  const char *slash = strchr (id, '/');
  g_autofree char *index_text = slash ? g_strndup (id, slash - id) : g_strdup (id);
  guint64 index;
  if (!g_ascii_string_to_unsigned (index_text, 10, 0, g_strv_length (board->roots) - 1, &index, NULL))
    {
      *status = SOUP_STATUS_NOT_FOUND;
      return NULL;
    }
  return srl_board_resolve (board->roots[index], slash ? slash + 1 : "", status);
}

/* The page itself: index.html at /, the rest under /assets/. */
static void
serve_asset (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  if (!method_allowed (msg))
    return;
  const char *name = strcmp (path, "/") == 0 ? "index.html" : path + strlen ("/assets/");
  if (strcmp (path, "/") != 0 && !g_str_has_prefix (path, "/assets/"))
    {
      answer_text (msg, SOUP_STATUS_NOT_FOUND, "not found\n");
      return;
    }
  g_autofree char *resource = g_strconcat ("/org/softrl/board/", name, NULL);
  g_autoptr (GBytes) bytes = g_resource_lookup_data (srl_board_get_resource (), resource, 0, NULL);
  if (!bytes || strstr (name, ".."))
    {
      answer_text (msg, SOUP_STATUS_NOT_FOUND, "not found\n");
      return;
    }
  const char *type = g_str_has_suffix (name, ".js")    ? "text/javascript; charset=utf-8"
                     : g_str_has_suffix (name, ".css") ? "text/css; charset=utf-8"
                                                       : "text/html; charset=utf-8";
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Type", type);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
}

static guint
query_uint (GHashTable *query, const char *name, guint fallback, guint max)
{
  const char *text = query ? g_hash_table_lookup (query, name) : NULL;
  guint64 v;
  if (!text || !g_ascii_string_to_unsigned (text, 10, 0, max, &v, NULL))
    return fallback;
  return (guint) v;
}

/* /api/list?offset=N&limit=M: the runs and sweeps, one page of them read
 * now; the sweeps (few) always, all of them. */
static void
serve_list (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  const Board *board = data;
  if (!method_allowed (msg))
    return;
  g_autoptr (GPtrArray) entries = srl_board_scan ((const char *const *) board->roots);
  guint offset = query_uint (query, "offset", 0, G_MAXUINT);
  guint limit = query_uint (query, "limit", 100, LIST_LIMIT_MAX);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "roots");
  json_builder_begin_array (b);
  for (guint i = 0; board->names[i]; i++)
    json_builder_add_string_value (b, board->names[i]);
  json_builder_end_array (b);
  guint n_runs = 0;
  json_builder_set_member_name (b, "sweeps");
  json_builder_begin_array (b);
  for (guint i = 0; i < entries->len; i++)
    {
      const SrlBoardEntry *e = entries->pdata[i];
      if (e->is_sweep)
        srl_board_describe (b, (const char *const *) board->roots, e);
      else
        n_runs++;
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "total");
  json_builder_add_int_value (b, n_runs);
  /* How many runs are in each state, over all of them: their status files
   * only, a line each. */
  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
  g_autoptr (GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  for (guint i = 0; i < entries->len; i++)
    {
      const SrlBoardEntry *e = entries->pdata[i];
      if (e->is_sweep)
        continue;
      char *word = srl_board_status_word ((const char *const *) board->roots, e);
      gpointer n;
      if (g_hash_table_lookup_extended (counts, word, NULL, &n))
        {
          g_hash_table_insert (counts, word, GUINT_TO_POINTER (GPOINTER_TO_UINT (n) + 1));
          continue;
        }
      g_hash_table_insert (counts, word, GUINT_TO_POINTER (1));
      g_ptr_array_add (order, word);
    }
  for (guint i = 0; i < order->len; i++)
    {
      json_builder_set_member_name (b, order->pdata[i]);
      json_builder_add_int_value (b, GPOINTER_TO_UINT (g_hash_table_lookup (counts, order->pdata[i])));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "offset");
  json_builder_add_int_value (b, offset);
  json_builder_set_member_name (b, "runs");
  json_builder_begin_array (b);
  for (guint i = 0, k = 0; i < entries->len && k < (guint64) offset + limit; i++)
    {
      const SrlBoardEntry *e = entries->pdata[i];
      if (e->is_sweep)
        continue;
      if (k++ >= offset)
        srl_board_describe (b, (const char *const *) board->roots, e);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) node = json_builder_get_root (b);
  answer_json (msg, SOUP_STATUS_OK, node);
}

/* /api/progress?run=ID&from=N: a run's progress rows from N on. */
static void
serve_progress (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  const Board *board = data;
  if (!method_allowed (msg))
    return;
  const char *id = query ? g_hash_table_lookup (query, "run") : NULL;
  guint status = SOUP_STATUS_NOT_FOUND;
  g_autofree char *dir = id ? resolve_id (board, id, &status) : NULL;
  if (!dir)
    {
      answer_error (msg, status, status == SOUP_STATUS_FORBIDDEN ? "outside the board's directories" : "no such run");
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = srl_board_progress (dir, query_uint (query, "from", 0, G_MAXUINT), &error);
  if (!node)
    {
      /* Gone since the list was made, or not written yet. */
      answer_error (msg, g_error_matches (error, SRL_ERROR, SRL_ERROR_IO) ? SOUP_STATUS_NOT_FOUND
                                                                           : SOUP_STATUS_UNPROCESSABLE_ENTITY,
                    error->message);
      return;
    }
  answer_json (msg, SOUP_STATUS_OK, node);
}

/* /files/ROOT/PATH: a file under one of the directories, as it is. */
static void
serve_file (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  const Board *board = data;
  if (!method_allowed (msg))
    return;
  /* An escaped '/' or NUL makes the decoding fail: refused with the rest. */
  g_autofree char *decoded = g_uri_unescape_string (path + strlen ("/files/"), "/");
  guint status = SOUP_STATUS_FORBIDDEN;
  g_autofree char *real = decoded ? resolve_id (board, decoded, &status) : NULL;
  if (!real)
    {
      answer_text (msg, status, status == SOUP_STATUS_FORBIDDEN ? "forbidden\n" : "not found\n");
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (GMappedFile) file = g_file_test (real, G_FILE_TEST_IS_REGULAR) ? g_mapped_file_new (real, FALSE, &error)
                                                                             : NULL;
  if (!file)
    {
      answer_text (msg, SOUP_STATUS_NOT_FOUND, "not found\n");
      return;
    }
  g_autoptr (GBytes) bytes = g_mapped_file_get_bytes (file);
  const char *type = g_str_has_suffix (real, ".mp4")    ? "video/mp4"
                     : g_str_has_suffix (real, ".webm") ? "video/webm"
                     : g_str_has_suffix (real, ".gif")  ? "image/gif"
                     : g_str_has_suffix (real, ".png")  ? "image/png"
                     : g_str_has_suffix (real, ".svg")  ? "image/svg+xml"
                                                        : "text/plain; charset=utf-8";
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (headers, "Content-Type", type);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  /* A file of the user's is shown, never run as a page of this origin. */
  soup_message_headers_replace (headers, "Content-Security-Policy", "sandbox");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
}

static gboolean
quit_on_signal (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

int
srl_cmd_board (int argc, char **argv)
{
  gint64 port = DEFAULT_PORT;
  g_autofree char *bind = NULL;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT64, &port, "TCP port (default 6060; 0 picks a free one and prints it)", "N" },
    { "bind", 0, 0, G_OPTION_ARG_STRING, &bind,
      "address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 shows the runs to the network)", "ADDRESS" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("DIR…");
  g_option_context_set_summary (
    ctx, "A web page of the runs and sweeps under each DIR: their state, learning curves (updated while\n"
         "they run), a sweep's summary, a run's config.ini and videos.  Read-only; serves nothing from\n"
         "outside the DIRs.  Stop it with Ctrl-C.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("board: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  if (argc < 2)
    {
      srl_cli_error ("board: give at least one run or sweep directory (see softrl board --help)");
      return SRL_EXIT_USAGE;
    }
  if (port < 0 || port > 65535)
    {
      srl_cli_error ("board: --port %" G_GINT64_FORMAT ": expected 0 to 65535", port);
      return SRL_EXIT_USAGE;
    }
  g_autoptr (GInetAddress) address = g_inet_address_new_from_string (bind ? bind : "127.0.0.1");
  if (!address)
    {
      srl_cli_error ("board: --bind %s: not an IP address (e.g. 127.0.0.1, ::1, 0.0.0.0)", bind);
      return SRL_EXIT_USAGE;
    }
  Board board = { .roots = g_new0 (char *, argc), .names = g_new0 (char *, argc) };
  for (int i = 1; i < argc; i++)
    {
      char *real = realpath (argv[i], NULL);
      if (!real || !g_file_test (real, G_FILE_TEST_IS_DIR))
        {
          srl_cli_error ("board: %s: not a directory", argv[i]);
          free (real);
          g_strfreev (board.roots);
          g_strfreev (board.names);
          return SRL_EXIT_USAGE;
        }
      board.roots[i - 1] = g_strdup (real);
      board.names[i - 1] = g_strdup (argv[i]);
      free (real);
    }

  g_autoptr (SoupServer) server = soup_server_new ("server-header", "softrl-board ", NULL);
  /* "/" is also where every path without a handler of its own goes. */
  soup_server_add_handler (server, "/", serve_asset, &board, NULL);
  soup_server_add_handler (server, "/assets", serve_asset, &board, NULL);
  soup_server_add_handler (server, "/api/list", serve_list, &board, NULL);
  soup_server_add_handler (server, "/api/progress", serve_progress, &board, NULL);
  soup_server_add_handler (server, "/files", serve_file, &board, NULL);
  g_autoptr (GSocketAddress) socket_address = g_inet_socket_address_new (address, (guint16) port);
  if (!soup_server_listen (server, socket_address, 0, &error))
    {
      srl_cli_error ("board: cannot listen on %s port %" G_GINT64_FORMAT ": %s", bind ? bind : "127.0.0.1", port,
                     error->message);
      g_strfreev (board.roots);
      g_strfreev (board.names);
      return SRL_EXIT_FAILED;
    }
  GSList *uris = soup_server_get_uris (server);
  g_autofree char *url = uris ? g_uri_to_string (uris->data) : g_strdup ("?");
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  printf ("board: %s\n", url);
  if (!g_inet_address_get_is_loopback (address))
    printf ("note: listening on %s: anyone who can reach this machine can read these runs\n", bind);
  fflush (stdout);

  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint sigint = g_unix_signal_add (SIGINT, quit_on_signal, loop);
  guint sigterm = g_unix_signal_add (SIGTERM, quit_on_signal, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  soup_server_disconnect (server);
  g_strfreev (board.roots);
  g_strfreev (board.names);
  return SRL_EXIT_OK;
}

/* softrl board, as a person uses it: the program serves a fixture directory
 * (a finished sweep and a running run, in the formats softrl writes) on an
 * ephemeral port; Debian's Chromium, headless, loads the page and is asked
 * through the DevTools protocol what it shows; plain HTTP requests check
 * what the server refuses. */
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define CHROMIUM "/usr/bin/chromium"
/* Long enough for a loaded machine; the tests end as soon as they see what
 * they wait for. */
#define WAIT_US (30 * G_USEC_PER_SEC)

static const char *progress_header = "epoch,env_steps,episodes,train_return_mean,eval_return_mean,eval_return_min,"
                                     "eval_return_max,eval_length_mean,alpha,entropy,q_loss,policy_loss,q_mean,updates,"
                                     "updates_per_s,wall_s\n";

static char *fixture, *board_url;
static guint board_port;
static GSubprocess *board, *browser;
static SoupWebsocketConnection *devtools;

/* A progress row as softrl writes it, with return `r` at epoch `e`. */
static char *
progress_row (int e, double r)
{
  return g_strdup_printf ("%d,%d,%d,%.6f,%.6f,%.6f,%.6f,200,1,0.5,%.4f,%.4f,%.4f,%d,1000,%.3f\n", e, 1000 * e, 5 * e,
                          r - 30, r, r - 40, r + 40, 10.0 / e, -r / 100, r / 10, 900 * e, 0.5 * e);
}

static void
make_run (const char *dir, const char *experiment, const char *algorithm_settings, int seed, const char *status,
          guint rows, double slope)
{
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_autofree char *config = g_strdup_printf ("[experiment]\nname = %s\nseed = %d\nepochs = 10\n\n[env]\nplugin = pendulum\n\n"
                                             "[algorithm]\nplugin = sac\n%s\n[sampler]\nplugin = gaussian\n",
                                             experiment, seed, algorithm_settings);
  g_free (srl_test_write (dir, "config.ini", config));
  g_free (srl_test_write (dir, "status", status));
  g_autoptr (GString) csv = g_string_new (progress_header);
  for (guint e = 1; e <= rows; e++)
    {
      g_autofree char *row = progress_row (e, -1200 + slope * e + 13 * seed);
      g_string_append (csv, row);
    }
  g_free (srl_test_write (dir, "progress.csv", csv->str));
}

/* A sweep of two variants × two seeds, finished and summarized, a run
 * still running whose last line is half written, and a run whose process
 * was killed. */
static void
make_fixture (void)
{
  fixture = srl_test_tmpdir ();
  g_autofree char *sweep = g_build_filename (fixture, "scale", NULL);
  g_autoptr (GString) manifest = g_string_new (
    "# Written by softrl sweep; read by softrl summarize and softrl plot.\n[sweep]\nfile=/nowhere/scale.ini\n"
    "name=scale\nseeds=1;2;\nvariants=2\nruns=4\n\n"
    "[variant reward_scale=1]\nlabel=reward_scale=1\nexperiment=/nowhere/p.ini\nsettings=algorithm.reward_scale=1;\n\n"
    "[variant reward_scale=5]\nlabel=reward_scale=5\nexperiment=/nowhere/p.ini\nsettings=algorithm.reward_scale=5;\n");
  for (int v = 0; v < 2; v++)
    for (int seed = 1; seed <= 2; seed++)
      {
        int scale = v ? 5 : 1;
        g_autofree char *name = g_strdup_printf ("reward_scale=%d-seed%d", scale, seed);
        g_autofree char *dir = g_build_filename (sweep, name, NULL);
        g_autofree char *settings = g_strdup_printf ("reward_scale = %d\n", scale);
        make_run (dir, "scale", settings, seed, "finished\n", 10, v ? 100 : 60);
        g_string_append_printf (manifest, "\n[run %s]\nvariant=reward_scale=%d\nseed=%d\ndir=%s\nstate=finished\nwall_s=5\n",
                                name, scale, seed, name);
      }
  g_free (srl_test_write (sweep, "manifest.ini", manifest->str));
  g_free (srl_test_write (sweep, "summary.md",
                          "# scale\n\n| variant | seeds | final (mean ± std) |\n|---|---|---|\n"
                          "| reward_scale=1 | 2/2 | -587.0 ± 9.2 |\n| reward_scale=5 | 2/2 | -187.0 ± 9.2 |\n"));
  g_autofree char *live = g_build_filename (fixture, "live", NULL);
  make_run (live, "pendulum-live", "", 7, "running\n", 3, 80);
  /* Its owner's lock file names a live process (this one)... */
  g_autofree char *owner = g_strdup_printf ("process %d on %s\n", (int) getpid (), g_get_host_name ());
  g_free (srl_test_write (live, ".lock", owner));
  /* ...and a run killed outright names one that has ended: its status file
   * still says running, the board says interrupted. */
  g_autofree char *killed = g_build_filename (fixture, "killed", NULL);
  make_run (killed, "pendulum-killed", "", 8, "running\n", 2, 40);
  pid_t child = fork ();
  if (child == 0)
    _exit (0);
  g_assert_cmpint (waitpid (child, NULL, 0), ==, child);
  g_autofree char *ended = g_strdup_printf ("process %d on %s\n", (int) child, g_get_host_name ());
  g_free (srl_test_write (killed, ".lock", ended));
  /* A row being written: the board must not show it yet. */
  g_autofree char *csv = g_build_filename (live, "progress.csv", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_autofree char *partial = g_strconcat (text, "4,4000,20,-9", NULL);
  g_assert_true (g_file_set_contents (csv, partial, -1, NULL));
  /* A one-frame GIF standing for a video of `softrl render`. */
  static const guchar gif[] = { 'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
                                0x21, 0xf9, 4, 0, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b };
  g_autofree char *gif_path = g_build_filename (live, "episode.gif", NULL);
  g_assert_true (g_file_set_contents (gif_path, (const char *) gif, sizeof gif, NULL));
  /* Ways out of the directory that must stay shut. */
  g_autofree char *out_dir = g_build_filename (fixture, "outside", NULL);
  g_autofree char *out_file = g_build_filename (live, "passwd", NULL);
  g_assert_cmpint (symlink ("/etc", out_dir), ==, 0);
  g_assert_cmpint (symlink ("/etc/passwd", out_file), ==, 0);
}

static void
die_with_parent (gpointer data)
{
  /* Between fork and exec: a test that fails midway leaves no server or
   * browser behind. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
spawn (GSubprocessFlags flags, const char *const *argv)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_autoptr (GError) error = NULL;
  GSubprocess *p = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  return p;
}

static void
start_board (void)
{
  g_autoptr (GError) error = NULL;
  const char *const argv[] = { srl_test_bin (), "board", fixture, "--port", "0", NULL };
  board = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, argv);
  g_autoptr (GDataInputStream) out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (board));
  g_autofree char *line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  /* "board: http://127.0.0.1:PORT/" */
  g_assert_true (g_str_has_prefix (line, "board: http://127.0.0.1:"));
  board_url = g_strdup (line + strlen ("board: "));
  board_port = (guint) g_ascii_strtoull (board_url + strlen ("http://127.0.0.1:"), NULL, 10);
  g_assert_cmpuint (board_port, >, 0);
}

/* A request sent as it is written (no client library tidies the path),
 * answered with the status; the body in *body. */
static guint
http_request (guint port, const char *method, const char *path, char **body)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  g_autofree char *request = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                              "Content-Length: 0\r\n\r\n", method, path);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), request, strlen (request), NULL,
                             NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GString) response = g_string_new (NULL);
  char buffer[8192];
  gssize n;
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)), buffer, sizeof buffer, NULL,
                                   &error)) > 0)
    g_string_append_len (response, buffer, n);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (response->str, "HTTP/1.1 "));
  guint status = (guint) g_ascii_strtoull (response->str + strlen ("HTTP/1.1 "), NULL, 10);
  const char *start = strstr (response->str, "\r\n\r\n");
  if (body)
    *body = g_strdup (start ? start + 4 : "");
  return status;
}

static void
test_refusals (void)
{
  /* What it serves. */
  g_autofree char *page = NULL, *config = NULL, *progress = NULL, *list = NULL;
  g_assert_cmpuint (http_request (board_port, "GET", "/", &page), ==, 200);
  g_assert_nonnull (strstr (page, "softrl board"));
  g_assert_cmpuint (http_request (board_port, "GET", "/files/0/live/config.ini", &config), ==, 200);
  g_assert_nonnull (strstr (config, "pendulum-live"));
  g_assert_cmpuint (http_request (board_port, "GET", "/files/0/live/episode.gif", NULL), ==, 200);
  g_assert_cmpuint (http_request (board_port, "GET", "/api/list", &list), ==, 200);
  g_assert_nonnull (strstr (list, "\"0/live\""));
  g_assert_nonnull (strstr (list, "\"0/scale/reward_scale=5-seed2\""));
  /* The half-written fourth row is left out. */
  g_assert_cmpuint (http_request (board_port, "GET", "/api/progress?run=0/live", &progress), ==, 200);
  g_autoptr (JsonNode) node = json_from_string (progress, NULL);
  g_assert_nonnull (node);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "total"), ==, 3);

  /* What it refuses: nothing outside the directory, however spelled. */
  static const char *const outside[] = {
    "/files/0/../../../../etc/passwd",
    "/files/0/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/files/0/live/..%2f..%2f..%2f..%2fetc/passwd",
    "/files/0//etc/passwd",
    "/files/0/%2fetc/passwd",
    "/files/0/outside/passwd",
    "/files/0/live/passwd",
    "/files/1/passwd",
    "/files/-1/passwd",
    "/files/0/live/%00config.ini",
    "/api/progress?run=0/../../../..",
    "/api/progress?run=0/outside",
    "/etc/passwd",
    "/assets/../../../etc/passwd",
  };
  for (guint i = 0; i < G_N_ELEMENTS (outside); i++)
    {
      g_autofree char *body = NULL;
      guint status = http_request (board_port, "GET", outside[i], &body);
      g_test_message ("GET %s: %u", outside[i], status);
      /* libsoup itself answers 400 to an escaped separator, before the
       * board sees the request. */
      if (status != 403 && status != 404 && status != 400)
        g_error ("GET %s: status %u, expected 403 or 404 (or 400)", outside[i], status);
      g_assert_null (strstr (body, "root:"));
    }
  /* The symlinks out and the absolute path are recognised as such. */
  g_assert_cmpuint (http_request (board_port, "GET", "/files/0/live/passwd", NULL), ==, 403);
  g_assert_cmpuint (http_request (board_port, "GET", "/files/0/outside/passwd", NULL), ==, 403);
  g_assert_cmpuint (http_request (board_port, "GET", "/files/0//etc/passwd", NULL), ==, 403);
  g_assert_cmpuint (http_request (board_port, "GET", "/files/0/no-such-file", NULL), ==, 404);
  /* Read-only. */
  g_assert_cmpuint (http_request (board_port, "POST", "/files/0/live/config.ini", NULL), ==, 405);
  g_assert_cmpuint (http_request (board_port, "PUT", "/files/0/live/new.txt", NULL), ==, 405);
  g_autofree char *never = g_build_filename (fixture, "live", "new.txt", NULL);
  g_assert_false (g_file_test (never, G_FILE_TEST_EXISTS));
}

/* ------------------------------------------------------------------ browser */

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  GError **error = data;
  devtools = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, error);
}

static void
start_browser (void)
{
  if (!g_file_test (CHROMIUM, G_FILE_TEST_IS_EXECUTABLE))
    g_error ("%s is missing: the page is tested in Debian's chromium (apt-get install chromium)", CHROMIUM);
  g_autofree char *profile = g_build_filename (fixture, ".chromium-profile", NULL);
  g_autofree char *profile_arg = g_strconcat ("--user-data-dir=", profile, NULL);
  g_autoptr (GError) error = NULL;
  const char *const argv[] = {
    CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,900",
    /* A container's /dev/shm is often too small for it. */
    "--disable-dev-shm-usage",
    "--remote-debugging-port=0", profile_arg, board_url, NULL
  };
  browser = spawn (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE, argv);
  /* "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…" */
  g_autoptr (GDataInputStream) err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (browser));
  guint port = 0;
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (err, NULL, NULL, &error);
      g_assert_no_error (error);
      if (!line)
        g_error ("chromium ended without opening its DevTools port");
      const char *at = strstr (line, "DevTools listening on ws://127.0.0.1:");
      if (at)
        {
          port = (guint) g_ascii_strtoull (at + strlen ("DevTools listening on ws://127.0.0.1:"), NULL, 10);
          break;
        }
    }
  /* The page's own target, from the list of targets. */
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *list_url = g_strdup_printf ("http://127.0.0.1:%u/json/list", port);
  g_autofree char *targets = NULL;
  g_autofree char *ws = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_US;
  while (!ws && g_get_monotonic_time () < deadline)
    {
      g_clear_pointer (&targets, g_free);
      /* Chromium keeps this connection open: a client that reads by the
       * length it is given. */
      g_autoptr (SoupMessage) list_msg = soup_message_new ("GET", list_url);
      g_autoptr (GBytes) list_body = soup_session_send_and_read (session, list_msg, NULL, &error);
      g_assert_no_error (error);
      targets = g_strndup (g_bytes_get_data (list_body, NULL), g_bytes_get_size (list_body));
      g_autoptr (JsonNode) node = json_from_string (targets, NULL);
      JsonArray *list = node ? json_node_get_array (node) : NULL;
      for (guint i = 0; list && i < json_array_get_length (list); i++)
        {
          JsonObject *t = json_array_get_object_element (list, i);
          if (g_strcmp0 (json_object_get_string_member_with_default (t, "type", ""), "page") == 0
              && g_str_has_prefix (json_object_get_string_member_with_default (t, "url", ""), board_url))
            ws = g_strdup (json_object_get_string_member (t, "webSocketDebuggerUrl"));
        }
      if (!ws)
        g_usleep (100000);
    }
  if (!ws)
    g_error ("chromium has no page at %s: %s", board_url, targets);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", ws);
  GError *connect_error = NULL;
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL, on_connected,
                                        &connect_error);
  while (!devtools && !connect_error)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (connect_error);
}

typedef struct {
  gint64 id;
  char *value;
  gboolean done;
} Reply;

static void
on_message (SoupWebsocketConnection *conn, gint type, GBytes *message, gpointer data)
{
  Reply *reply = data;
  gsize n;
  const char *text = g_bytes_get_data (message, &n);
  g_autofree char *copy = g_strndup (text, n);
  g_autoptr (JsonNode) node = json_from_string (copy, NULL);
  JsonObject *o = node ? json_node_get_object (node) : NULL;
  if (!o || !json_object_has_member (o, "id") || json_object_get_int_member (o, "id") != reply->id)
    return;
  JsonObject *result = json_object_get_object_member (o, "result");
  JsonObject *value = result ? json_object_get_object_member (result, "result") : NULL;
  reply->value = g_strdup (value ? json_object_get_string_member_with_default (value, "value", "") : "");
  reply->done = TRUE;
}

/* The string the page's expression evaluates to. */
static char *
page_eval (const char *expression)
{
  static gint64 next_id = 1;
  Reply reply = { .id = next_id++ };
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, reply.id);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, "Runtime.evaluate");
  json_builder_set_member_name (b, "params");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "expression");
  json_builder_add_string_value (b, expression);
  json_builder_set_member_name (b, "returnByValue");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_end_object (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = json_to_string (root, FALSE);
  gulong handler = g_signal_connect (devtools, "message", G_CALLBACK (on_message), &reply);
  soup_websocket_connection_send_text (devtools, text);
  gint64 deadline = g_get_monotonic_time () + WAIT_US;
  while (!reply.done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_signal_handler_disconnect (devtools, handler);
  if (!reply.done)
    g_error ("chromium did not answer Runtime.evaluate");
  return reply.value;
}

static int
page_int (const char *expression)
{
  g_autofree char *value = page_eval (expression);
  return (int) g_ascii_strtoll (value, NULL, 10);
}

/* Waits until the page has polled `polls` times. */
static void
wait_for_polls (int polls)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;
  while (page_int ("String(document.body.dataset.polls || 0)") < polls)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the page did not update %d times", polls);
      g_usleep (100000);
    }
}

#define LIVE_POINTS "String((document.querySelector('#chart .curve[data-label=\"pendulum-live\"]') || {dataset: {points: -1}}).dataset.points)"

static void
test_page (void)
{
  start_browser ();
  wait_for_polls (1);
  /* Every run listed, in its sweep, with its status. */
  g_assert_cmpint (page_int ("String(document.querySelectorAll('#runs tr.run').length)"), ==, 6);
  g_assert_cmpint (page_int ("String(document.querySelectorAll('#runs tr.run[data-status=finished]').length)"), ==, 4);
  g_assert_cmpint (page_int ("String(document.querySelectorAll('#runs tr.run[data-status=running]').length)"), ==, 1);
  g_assert_cmpint (page_int ("String(document.querySelectorAll('#runs tr.run[data-status=interrupted][data-run=\"0/killed\"]').length)"), ==, 1);
  g_assert_cmpint (page_int ("String(document.querySelectorAll('#runs tr.sweep[data-sweep=\"0/scale\"]').length)"), ==,
                   1);
  /* Curves drawn: the two variants as mean and band over two seeds, the
   * running run, from its three whole rows, and the killed one. */
  g_assert_cmpint (page_int ("String(document.querySelectorAll('#chart path.curve').length)"), ==, 4);
  g_assert_cmpint (page_int ("String(document.querySelectorAll('#chart path.band').length)"), ==, 2);
  g_assert_cmpint (page_int ("String(document.querySelector('#chart .curve[data-label=\"reward_scale=5\"]').dataset.points)"),
                   ==, 10);
  g_assert_cmpint (page_int (LIVE_POINTS), ==, 3);
  /* The lines really are lines across the plot: a path of 10 points. */
  g_assert_cmpint (page_int ("String(document.querySelector('#chart .curve[data-label=\"reward_scale=1\"]').getAttribute('d').split('L').length)"),
                   ==, 10);
  /* The sweep's summary and the run's config.ini and video, on a click. */
  page_eval ("document.querySelector('#runs tr.sweep .name').click(); ''");
  gint64 deadline = g_get_monotonic_time () + WAIT_US;
  while (page_int ("String(document.querySelectorAll('#details table.md tr').length)") != 3)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the sweep's summary table did not appear");
      g_usleep (100000);
    }
  page_eval ("document.querySelector('#runs tr.run[data-run=\"0/live\"] .name').click(); ''");
  while (page_int ("String(document.querySelectorAll('#details pre.config, #details .videos img').length)") != 2)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the run's config.ini and video did not appear");
      g_usleep (100000);
    }
  g_autofree char *config = page_eval ("document.querySelector('#details pre.config').textContent");
  g_assert_nonnull (strstr (config, "name = pendulum-live"));
}

static void
test_live (void)
{
  int polls = page_int ("String(document.body.dataset.polls)");
  g_assert_cmpint (page_int (LIVE_POINTS), ==, 3);
  /* The run writes the rest of its fourth row, then a fifth. */
  g_autofree char *csv = g_build_filename (fixture, "live", "progress.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (csv);
  g_autoptr (GFileOutputStream) out = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_autofree char *row4 = progress_row (4, -1200 + 80 * 4 + 13 * 7);
  g_autofree char *row5 = progress_row (5, -1200 + 80 * 5 + 13 * 7);
  /* The fixture's half row is "4,4000,20,-9": complete it. */
  const char *rest = row4 + strlen ("4,4000,20,-9");
  g_output_stream_write_all (G_OUTPUT_STREAM (out), rest, strlen (rest), NULL, NULL, &error);
  g_output_stream_write_all (G_OUTPUT_STREAM (out), row5, strlen (row5), NULL, NULL, &error);
  g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error);
  g_assert_no_error (error);
  /* Seen after the page's own updates, without a reload. */
  gint64 deadline = g_get_monotonic_time () + WAIT_US;
  while (page_int (LIVE_POINTS) != 5)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the running run's curve did not grow to 5 points");
      g_usleep (100000);
    }
  g_assert_cmpint (page_int ("String(document.body.dataset.polls)"), >, polls);
  /* The list shows the new step count. */
  g_autofree char *steps = page_eval ("document.querySelector('#runs tr.run[data-run=\"0/live\"] td:nth-child(7)').textContent");
  g_assert_cmpstr (steps, ==, "5000");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  make_fixture ();
  start_board ();
  g_test_add_func ("/board/refusals", test_refusals);
  g_test_add_func ("/board/page", test_page);
  g_test_add_func ("/board/live", test_live);
  int status = g_test_run ();
  /* The browser first: its DevTools connection then ends without the
   * closing handshake's wait. */
  if (browser)
    {
      g_subprocess_send_signal (browser, SIGTERM);
      g_subprocess_wait (browser, NULL, NULL);
      g_object_unref (browser);
    }
  g_clear_object (&devtools);
  g_subprocess_send_signal (board, SIGTERM);
  g_subprocess_wait (board, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (board));
  g_assert_cmpint (g_subprocess_get_exit_status (board), ==, 0);
  g_object_unref (board);
  srl_test_rmtree (fixture);
  g_free (fixture);
  g_free (board_url);
  return status;
}

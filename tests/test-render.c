/* softrl render: videos and pictures of freshly trained runs, checked the
 * way a person would look at them, through FFmpeg's own tools: ffprobe
 * counts the frames and reads the size and codec, ffmpeg decodes every
 * frame to raw RGB, and the frames must not be blank and must move.  Also
 * the refusals: an environment that cannot render, bad options, a bad
 * output, all before any work.  Headless: MuJoCo renders on EGL's
 * surfaceless platform (Mesa's software rasterizer). */
#include <signal.h>
#include <sys/wait.h>

#include "testutil.h"

#define WIDTH 160
#define HEIGHT 120
/* Episodes of 12 steps: 13 frames (the first observation and each step). */
#define STEPS 12
#define FRAMES 13

static char *tmp;
static char *cheetah_run, *pendulum_run, *toy_run;

/* Run a program (NULL-terminated argv); its exit status, output in *out. */
static int
spawn (char **out, char **err, const char *const *argv)
{
  int status = -1;
  GError *error = NULL;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, err, &status, &error))
    g_error ("cannot run %s: %s", argv[0], error->message);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* A run of `experiment` with a handful of updates, in tmp/NAME. */
static char *
train (const char *experiment, const char *name, const char *env_set)
{
  char *dir = g_build_filename (tmp, name, NULL);
  g_autofree char *err = NULL;
  int status = srl_test_run (NULL, NULL, &err, "run", experiment, "-q", "--out", dir, "--set", "experiment.epochs=1",
                             "--set", "experiment.steps_per_epoch=60", "--set", "experiment.initial_random_steps=30",
                             "--set", "experiment.min_replay_size=30", "--set", "algorithm.batch_size=16", "--set",
                             "experiment.replay_capacity=1000", "--set", "experiment.eval_episodes=1", "--set",
                             env_set, NULL);
  if (status != 0)
    g_error ("training %s failed (%d): %s", experiment, status, err);
  return dir;
}

/* ffprobe's "codec,width,height,frames" of the video stream. */
static char *
probe (const char *path)
{
  const char *argv[] = { "ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                         "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", path, NULL };
  char *out = NULL;
  g_autofree char *err = NULL;
  g_assert_cmpint (spawn (&out, &err, argv), ==, 0);
  return g_strstrip (out);
}

/* Every frame of `path` decoded to RGB24 (3 × WIDTH × HEIGHT bytes each);
 * the number of frames in *n. */
static guint8 *
decode (const char *path, gsize *n)
{
  g_autofree char *raw = g_strconcat (path, ".rgb", NULL);
  const char *argv[] = { "ffmpeg", "-v", "error", "-y", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", raw, NULL };
  g_autofree char *err = NULL;
  if (spawn (NULL, &err, argv) != 0)
    g_error ("ffmpeg cannot decode %s: %s", path, err);
  char *bytes = NULL;
  gsize length = 0;
  g_assert_true (g_file_get_contents (raw, &bytes, &length, NULL));
  g_unlink (raw);
  gsize frame = 3 * WIDTH * HEIGHT;
  g_assert_cmpuint (length % frame, ==, 0);
  *n = length / frame;
  return (guint8 *) bytes;
}

/* Variance of the values below the caption band (the top fifth). */
static double
scene_variance (const guint8 *rgb)
{
  gsize start = 3 * WIDTH * (HEIGHT / 5), end = 3 * WIDTH * HEIGHT;
  double sum = 0, sum2 = 0;
  for (gsize i = start; i < end; i++)
    {
      sum += rgb[i];
      sum2 += (double) rgb[i] * rgb[i];
    }
  double n = end - start, mean = sum / n;
  return sum2 / n - mean * mean;
}

/* Mean absolute difference of two frames below the caption band. */
static double
scene_change (const guint8 *a, const guint8 *b)
{
  gsize start = 3 * WIDTH * (HEIGHT / 5), end = 3 * WIDTH * HEIGHT;
  double sum = 0;
  for (gsize i = start; i < end; i++)
    sum += ABS ((int) a[i] - (int) b[i]);
  return sum / (end - start);
}

/* Not blank, and each frame moves on from the one before. */
static void
assert_frames_alive (const guint8 *frames, gsize n)
{
  gsize size = 3 * WIDTH * HEIGHT;
  double least_variance = G_MAXDOUBLE, least_change = G_MAXDOUBLE;
  for (gsize f = 0; f < n; f++)
    {
      least_variance = MIN (least_variance, scene_variance (frames + f * size));
      if (f > 0)
        least_change = MIN (least_change, scene_change (frames + (f - 1) * size, frames + f * size));
    }
  g_test_message ("least variance %.1f, least mean change between frames %.3f", least_variance, least_change);
  g_assert_cmpfloat (least_variance, >, 50);
  g_assert_cmpfloat (least_change, >, 0.3);
}

static char *
render (const char *run, const char *name, int *status, char **err, const char *extra)
{
  char *path = g_build_filename (tmp, name, NULL);
  *status = srl_test_run (NULL, NULL, err, "render", run, "-o", path, "--width", G_STRINGIFY (WIDTH), "--height",
                          G_STRINGIFY (HEIGHT), "--set", "experiment.max_path_length=" G_STRINGIFY (STEPS),
                          extra ? extra : "--seed=0", NULL);
  return path;
}

static void
check_video (const char *run, const char *name, const char *codecs)
{
  int status;
  g_autofree char *err = NULL;
  g_autofree char *path = render (run, name, &status, &err, NULL);
  if (status != 0)
    g_error ("render %s: %d: %s", name, status, err);
  g_autofree char *info = probe (path);
  g_auto (GStrv) fields = g_strsplit (info, ",", -1);
  g_assert_cmpuint (g_strv_length (fields), ==, 4);
  g_assert_nonnull (strstr (codecs, fields[0]));
  g_assert_cmpstr (fields[1], ==, G_STRINGIFY (WIDTH));
  g_assert_cmpstr (fields[2], ==, G_STRINGIFY (HEIGHT));
  g_assert_cmpstr (fields[3], ==, G_STRINGIFY (FRAMES));
  gsize n = 0;
  g_autofree guint8 *frames = decode (path, &n);
  g_assert_cmpuint (n, ==, FRAMES);
  assert_frames_alive (frames, n);
}

/* The picture is the video's frame K: not blank, different from frame 0,
 * the same on a second rendering with the same seed. */
static void
check_picture (const char *run, const char *name)
{
  int status;
  g_autofree char *err = NULL;
  g_autofree char *first = render (run, "first.png", &status, &err, "--frame=0");
  g_assert_cmpint (status, ==, 0);
  g_autofree char *path = render (run, name, &status, &err, "--frame=8");
  g_assert_cmpint (status, ==, 0);
  g_autofree char *again = render (run, "again.png", &status, &err, "--frame=8");
  g_assert_cmpint (status, ==, 0);
  g_autofree char *info = probe (path);
  g_assert_true (g_str_has_prefix (info, "png," G_STRINGIFY (WIDTH) "," G_STRINGIFY (HEIGHT)));
  gsize n = 0, n0 = 0;
  g_autofree guint8 *frame = decode (path, &n);
  g_autofree guint8 *frame0 = decode (first, &n0);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpfloat (scene_variance (frame), >, 50);
  g_assert_cmpfloat (scene_change (frame0, frame), >, 0.3);
  g_autofree char *a = NULL, *b = NULL;
  gsize la, lb;
  g_assert_true (g_file_get_contents (path, &a, &la, NULL));
  g_assert_true (g_file_get_contents (again, &b, &lb, NULL));
  g_assert_true (la == lb && memcmp (a, b, la) == 0);
}

static void
test_halfcheetah (void)
{
  check_video (cheetah_run, "cheetah.mp4", "h264 mpeg4");
  check_video (cheetah_run, "cheetah.gif", "gif");
  check_picture (cheetah_run, "cheetah.png");
}

static void
test_pendulum (void)
{
  check_video (pendulum_run, "pendulum.mp4", "h264 mpeg4");
  check_video (pendulum_run, "pendulum.gif", "gif");
  check_picture (pendulum_run, "pendulum.png");
}

/* Refused with exit 2 before anything is written. */
static void
assert_refused (const char *run, const char *name, const char *extra, const char *expect)
{
  int status;
  g_autofree char *err = NULL;
  g_autofree char *path = render (run, name, &status, &err, extra);
  g_assert_cmpint (status, ==, 2);
  if (!strstr (err, expect))
    g_error ("expected \"%s\" in: %s", expect, err);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_refusals (void)
{
  assert_refused (toy_run, "toy.mp4", NULL, "environment toy cannot render");
  assert_refused (cheetah_run, "cheetah.avi", NULL, "ends in .mp4, .gif or .png");
  assert_refused (cheetah_run, "odd.mp4", "--width=161", "even width");
  assert_refused (cheetah_run, "tiny.mp4", "--width=4", "--width and --height");
  assert_refused (cheetah_run, "slow.mp4", "--fps=0", "--fps");
  assert_refused (cheetah_run, "frame.mp4", "--frame=3", "--frame: only for a .png");
  assert_refused (cheetah_run, "late.png", "--frame=100", "had only 13 frames");
  assert_refused (cheetah_run, "camera.png", "--camera=overhead", "no camera \"overhead\"");
  assert_refused (pendulum_run, "camera.png", "--camera=side", "no camera \"side\"");
  assert_refused (cheetah_run, "no-such-dir/x.mp4", NULL, "does not exist");
  /* The run's own files are never an output. */
  g_autofree char *policy = g_build_filename (cheetah_run, "policy.safetensors", NULL);
  g_autofree char *err = NULL;
  g_assert_cmpint (srl_test_run (NULL, NULL, &err, "render", cheetah_run, "-o", policy, NULL), ==, 2);
  g_assert_nonnull (strstr (err, "ends in"));
}

/* Ctrl-C while filming: exit 130, and neither the video nor its hidden
 * temporary file is left behind. */
static void
test_interrupt (void)
{
  g_autofree char *out = g_build_filename (tmp, "interrupted.mp4", NULL);
  const char *argv[] = { srl_test_bin (), "render", pendulum_run, "-o", out, "--episodes", "1000", NULL };
  GPid pid;
  GError *error = NULL;
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  g_usleep (G_USEC_PER_SEC);
  kill (pid, SIGINT);
  int status;
  while (waitpid (pid, &status, 0) < 0)
    ;
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 130);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  g_autofree char *listing = srl_test_listing (tmp);
  g_assert_null (strstr (listing, "interrupted"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp = srl_test_tmpdir ();
  g_autofree char *cheetah = srl_test_experiment ("halfcheetah-sac-auto.ini");
  g_autofree char *pendulum = srl_test_experiment ("pendulum-sac.ini");
  cheetah_run = train (cheetah, "cheetah", "env.max_episode_steps=100");
  pendulum_run = train (pendulum, "pendulum", "env.max_episode_steps=100");
  /* A run of the registry tests' toy environment, which has no render
   * entries: found through SOFTRL_PLUGIN_PATH. */
  g_autofree char *toy_ini = srl_test_write (tmp, "toy.ini", "[experiment]\nmax_path_length = 10\n[env]\nplugin = toy\n"
                                             "[algorithm]\nplugin = sac\n");
  g_setenv ("SOFTRL_PLUGIN_PATH", g_getenv ("SOFTRL_TEST_PLUGINS"), TRUE);
  toy_run = train (toy_ini, "toy", "env.gain=1");
  g_test_add_func ("/render/halfcheetah", test_halfcheetah);
  g_test_add_func ("/render/pendulum", test_pendulum);
  g_test_add_func ("/render/refusals", test_refusals);
  g_test_add_func ("/render/interrupt", test_interrupt);
  int status = g_test_run ();
  srl_test_rmtree (tmp);
  return status;
}

/* softrl render: episodes of a run's saved policy as a video or a picture.
 *
 * The policy is loaded as `softrl eval` loads it; the environment draws each
 * state through its descriptor's render entries (ABI 1.2), the frame gets a
 * caption with the episode, step and return so far, and goes to the video
 * encoder (video.h) or, for .png, the one frame asked for is saved. */
#include <stdio.h>
#include <sys/resource.h>

#include "canvas.h"
#include "commands.h"
#include "video.h"

/* Frames a second of the default video, and the sizes accepted. */
#define DEFAULT_FPS 30
#define MIN_SIDE 16
#define MAX_SIDE 4096

typedef struct {
  SrlEnv *env;
  SrlCanvas *canvas;
  SrlVideo *video;          /* NULL when writing one PNG */
  const char *env_name;
  gint64 episodes, episode; /* the episode being drawn, from 0 */
  SrlEpisode ep;            /* filled by srl_agent_episode_observed as it goes */
  gint64 frame;             /* frames seen so far, over all episodes */
  gint64 drawn;             /* frames drawn (a picture's stop at the one wanted) */
  gint64 wanted;            /* PNG: the frame to keep */
  gboolean kept;
  gint64 render_us, encode_us;
  GError *error;            /* the first failure; later frames are skipped */
} Recorder;

static void
record_frame (const double *obs, guint obs_dim, gpointer data)
{
  Recorder *r = data;
  gint64 index = r->frame++;
  /* A picture is the video's frame: the frames before it are drawn too,
   * for what environments accumulate (the 2-D ones draw the path). */
  /* Ctrl-C: no more frames; the episode runs out undrawn and the video's
   * temporary file is removed (nothing half-written is left behind). */
  if (!r->error && srl_cli_stop_requests ())
    g_set_error (&r->error, SRL_ERROR, SRL_ERROR_IO, "interrupted; nothing was written");
  if (r->error || (!r->video && index > r->wanted))
    return;
  SrlFrame *frame = srl_canvas_frame (r->canvas);
  gint64 t0 = g_get_monotonic_time ();
  srl_env_render (r->env, frame);
  gint64 t1 = g_get_monotonic_time ();
  char caption[160];
  g_snprintf (caption, sizeof caption, "%s   episode %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "   step %" G_GUINT64_FORMAT
              "   return %.1f", r->env_name, r->episode + 1, r->episodes, r->ep.length, r->ep.ret);
  srl_canvas_caption (r->canvas, caption);
  if (r->video)
    srl_video_add (r->video, frame, &r->error);
  else if (index == r->wanted)
    r->kept = TRUE;
  r->drawn++;
  r->render_us += t1 - t0;
  r->encode_us += g_get_monotonic_time () - t1;
}

/* User and system time of the whole process, all threads. */
static double
cpu_seconds (void)
{
  struct rusage usage;
  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* The options that need no run: FALSE after printing what is wrong. */
static gboolean
check_options (int argc, const char *out, gint64 episodes, gboolean deterministic, gboolean stochastic, gint64 width,
               gint64 height, gint64 fps, gint64 frame, gboolean png)
{
  const char *problem = NULL;
  if (argc != 2)
    problem = "give one run directory";
  else if (!out)
    problem = "give the output file with -o FILE.mp4, FILE.gif or FILE.png";
  else if (!png && !srl_video_path_supported (out))
    problem = "-o: the output file ends in .mp4, .gif or .png";
  else if (episodes < 1 || episodes > 1000)
    problem = "--episodes: between 1 and 1000";
  else if (deterministic && stochastic)
    problem = "give at most one of --deterministic/--stochastic";
  else if (width < MIN_SIDE || width > MAX_SIDE || height < MIN_SIDE || height > MAX_SIDE)
    problem = "--width and --height: between 16 and 4096 pixels";
  else if (fps < 1 || fps > 240)
    problem = "--fps: between 1 and 240";
  else if (frame != -1 && !png)
    problem = "--frame: only for a .png output (a video has every frame)";
  else if (frame < -1)
    problem = "--frame: a frame number, 0 for the first";
  if (problem)
    srl_cli_error ("render: %s", problem);
  return problem == NULL;
}

int
srl_cmd_render (int argc, char **argv)
{
  gint64 episodes = 1, seed = 0, width = 640, height = 480, fps = DEFAULT_FPS, frame = -1;
  gboolean deterministic = FALSE, stochastic = FALSE;
  g_autofree char *out = NULL, *camera = NULL;
  g_auto (GStrv) sets = NULL;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "the video (.mp4, .gif) or picture (.png) to write", "FILE" },
    { "episodes", 'n', 0, G_OPTION_ARG_INT64, &episodes, "episodes to film, one after the other (default 1)", "N" },
    { "deterministic", 0, 0, G_OPTION_ARG_NONE, &deterministic, "act with noise 0 (the default)", NULL },
    { "stochastic", 0, 0, G_OPTION_ARG_NONE, &stochastic, "sample actions from the policy", NULL },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "seed of the episodes (default 0)", "N" },
    { "width", 0, 0, G_OPTION_ARG_INT64, &width, "frame width in pixels (default 640)", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT64, &height, "frame height in pixels (default 480)", "H" },
    { "camera", 0, 0, G_OPTION_ARG_STRING, &camera, "a camera the environment names (default: one following the agent)",
      "NAME" },
    { "fps", 0, 0, G_OPTION_ARG_INT64, &fps, "frames a second of the video (default 30)", "F" },
    { "frame", 0, 0, G_OPTION_ARG_INT64, &frame, "for .png: the frame to save, counted from 0 over all episodes "
      "(default 0, the first)", "K" },
    { "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "override a parameter, e.g. env.max_episode_steps=200",
      "GROUP.KEY=VALUE" },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("RUNDIR");
  g_option_context_set_summary (ctx, "Film the policy saved in RUNDIR: episodes as a video with their step and "
                                "return in a caption, or one frame as a picture.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      srl_cli_error ("render: %s", error->message);
      return SRL_EXIT_USAGE;
    }
  gboolean png = out && g_str_has_suffix (out, ".png");
  if (!check_options (argc, out, episodes, deterministic, stochastic, width, height, fps, frame, png))
    return SRL_EXIT_USAGE;
  if (!srl_cli_check_output (out, argv[1], &error))
    {
      srl_cli_error ("render: %s", error->message);
      return srl_cli_status (error);
    }
  g_autoptr (SrlRegistry) registry = NULL;
  int status;
  g_autoptr (SrlLoadedPolicy) policy = srl_cli_load_policy (argv[1], sets, &registry, &status);
  if (!policy)
    return status;
  const char *env_name = srl_env_descriptor (policy->env)->info.name;
  if (!srl_env_can_render (policy->env))
    {
      srl_cli_error ("render: environment %s cannot render (its plugin has no render entry)", env_name);
      return SRL_EXIT_USAGE;
    }
  gint64 t_setup = g_get_monotonic_time ();
  if (!srl_env_render_setup (policy->env, (guint) width, (guint) height, camera, &error))
    {
      srl_cli_error ("render: %s: %s", env_name, error->message);
      return srl_cli_status (error);
    }
  g_autoptr (SrlCanvas) canvas = srl_canvas_new ((guint) width, (guint) height);
  g_autoptr (SrlVideo) video = NULL;
  if (!png && !(video = srl_video_new (out, (guint) width, (guint) height, (guint) fps, &error)))
    {
      srl_cli_error ("render: %s", error->message);
      return srl_cli_status (error);
    }
  Recorder recorder = { .env = policy->env, .canvas = canvas, .video = video, .env_name = env_name,
                        .episodes = episodes, .wanted = MAX (frame, 0) };
  SrlRng rng;
  srl_rng_init (&rng, (guint64) seed);
  SrlActMode mode = stochastic ? SRL_ACT_EVAL_STOCHASTIC : SRL_ACT_DETERMINISTIC;
  SrlReturns returns = { 0 };
  srl_cli_catch_stop_signals (TRUE);
  gint64 t_start = g_get_monotonic_time ();
  double cpu_start = cpu_seconds ();
  for (recorder.episode = 0; recorder.episode < episodes && !recorder.error; recorder.episode++)
    {
      /* A picture needs no more episodes once its frame is taken. */
      if (png && recorder.kept)
        break;
      g_autoptr (GError) episode_error = NULL;
      if (!srl_agent_episode_observed (policy->agent, policy->env, &rng, mode, policy->max_path_length, &recorder.ep,
                                       record_frame, &recorder, &episode_error)
          && !recorder.error)
        recorder.error = g_steal_pointer (&episode_error);
      srl_returns_add (&returns, &recorder.ep);
    }
  gint64 t_end = g_get_monotonic_time ();
  double cpu_s = cpu_seconds () - cpu_start;
  if (!recorder.error && png && !recorder.kept)
    g_set_error (&recorder.error, SRL_ERROR, SRL_ERROR_CONFIG,
                 "--frame %" G_GINT64_FORMAT ": the %" G_GINT64_FORMAT " episode(s) had only %" G_GINT64_FORMAT
                 " frames (numbered from 0)", frame, episodes, recorder.frame);
  if (!recorder.error && png)
    srl_canvas_write_png (canvas, out, &recorder.error);
  if (!recorder.error && video)
    {
      gint64 t0 = g_get_monotonic_time ();
      srl_video_finish (video, &recorder.error);
      recorder.encode_us += g_get_monotonic_time () - t0;
    }
  if (recorder.error)
    {
      srl_cli_error ("render: %s", recorder.error->message);
      status = srl_cli_stop_requests () ? SRL_EXIT_INTERRUPTED : srl_cli_status (recorder.error);
      g_error_free (recorder.error);
      return status;
    }
  gint64 drawn = video ? recorder.frame : 1;
  g_autofree char *encoding = video ? g_strdup_printf (", %s at %" G_GINT64_FORMAT " fps", srl_video_codec (video), fps)
                                    : g_strdup ("");
  printf ("%s: %" G_GINT64_FORMAT " %s, %" G_GINT64_FORMAT "×%" G_GINT64_FORMAT "%s; %" G_GUINT64_FORMAT
          " %s episode(s), return mean %.3f\n", out, drawn, drawn == 1 ? "frame" : "frames", width, height, encoding,
          returns.n, stochastic ? "stochastic" : "deterministic", srl_returns_mean (&returns));
  /* Wall-clock rates depend on what else the machine runs; the CPU time
   * (all threads: the rasterizer's and the encoder's) does much less. */
  double total_s = (t_end - t_start) / 1e6;
  printf ("time: setup %.2f s; %" G_GINT64_FORMAT " frames drawn in %.2f s with the episodes (%.1f frames/s): "
          "environment drawing %.1f frames/s, caption and encoding %.1f frames/s; CPU %.1f ms a frame\n",
          (t_start - t_setup) / 1e6, recorder.drawn, total_s, recorder.drawn / MAX (total_s, 1e-9),
          recorder.drawn / MAX (recorder.render_us / 1e6, 1e-9), recorder.drawn / MAX (recorder.encode_us / 1e6, 1e-9),
          1e3 * cpu_s / MAX (recorder.drawn, 1));
  return SRL_EXIT_OK;
}

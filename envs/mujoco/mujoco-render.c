/* softrl — MuJoCo's renderer on a headless EGL context (libsoftrl-mujoco).
 * See softrl/mujoco-render.h. */
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <string.h>

#include <softrl/mujoco-render.h>

struct _SrlMjRenderer {
  EGLDisplay display;
  EGLContext context;
  guint width, height;
  mjvScene scene;
  mjvCamera camera;
  mjvOption option;
  mjrContext mjr;
  unsigned char *rgb; /* width × height × 3, bottom row first, as mjr_readPixels writes */
};

/* Mesa's surfaceless platform: an EGL display without any window system,
 * whatever EGL_PLATFORM says. */
static EGLDisplay
surfaceless_display (GError **error)
{
  const char *extensions = eglQueryString (EGL_NO_DISPLAY, EGL_EXTENSIONS);
  PFNEGLGETPLATFORMDISPLAYEXTPROC get_platform_display
    = (PFNEGLGETPLATFORMDISPLAYEXTPROC) eglGetProcAddress ("eglGetPlatformDisplayEXT");
  if (!extensions || !strstr (extensions, "EGL_MESA_platform_surfaceless") || !get_platform_display)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FAILED,
                   "cannot render: EGL has no surfaceless platform (Debian: apt-get install libegl-mesa0 "
                   "libgl1-mesa-dri)");
      return EGL_NO_DISPLAY;
    }
  EGLDisplay display = get_platform_display (EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
  if (display == EGL_NO_DISPLAY || !eglInitialize (display, NULL, NULL))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FAILED, "cannot render: EGL surfaceless display fails (error 0x%x)",
                   eglGetError ());
      return EGL_NO_DISPLAY;
    }
  return display;
}

/* A desktop OpenGL context (MuJoCo 2.2's renderer uses the compatibility
 * profile) current on this thread, drawing into framebuffers only. */
static gboolean
make_context (SrlMjRenderer *r, GError **error)
{
  r->display = surfaceless_display (error);
  if (r->display == EGL_NO_DISPLAY)
    return FALSE;
  /* The default surface type is a window, which the surfaceless platform
   * has none of; mjr draws into its own framebuffer anyway. */
  const EGLint attributes[] = { EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_NONE };
  EGLConfig config;
  EGLint n = 0;
  if (!eglBindAPI (EGL_OPENGL_API) || !eglChooseConfig (r->display, attributes, &config, 1, &n) || n < 1)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FAILED, "cannot render: EGL offers no desktop OpenGL (error 0x%x)",
                   eglGetError ());
      return FALSE;
    }
  r->context = eglCreateContext (r->display, config, EGL_NO_CONTEXT, NULL);
  if (r->context == EGL_NO_CONTEXT || !eglMakeCurrent (r->display, EGL_NO_SURFACE, EGL_NO_SURFACE, r->context))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FAILED, "cannot render: no OpenGL context without a surface (error 0x%x)",
                   eglGetError ());
      return FALSE;
    }
  return TRUE;
}

/* The cameras of the model, for the error that names them. */
static char *
camera_names (const mjModel *m)
{
  GString *names = g_string_new ("");
  for (int i = 0; i < m->ncam; i++)
    {
      const char *name = mj_id2name (m, mjOBJ_CAMERA, i);
      if (name)
        g_string_append_printf (names, "%s%s", names->len ? ", " : "", name);
    }
  if (!names->len)
    g_string_append (names, "none");
  return g_string_free (names, FALSE);
}

/* Whether body `b` lies in the subtree of `root`. */
static gboolean
in_subtree (const mjModel *m, int b, int root)
{
  while (b > 0 && b != root)
    b = m->body_parentid[b];
  return b == root;
}

/* The radius of the robot rooted at body `root` in its initial pose: the
 * farthest reach of its geoms from its centre of mass.  The model's own
 * extent (stat.extent) measures the whole scene, which for a maze is
 * mostly walls. */
static double
robot_radius (const mjModel *m, int root)
{
  mjData *d = mj_makeData (m);
  mj_forward (m, d);
  double radius = 0;
  for (int g = 0; g < m->ngeom; g++)
    if (in_subtree (m, m->geom_bodyid[g], root))
      {
        double dx[3];
        mju_sub3 (dx, d->geom_xpos + 3 * g, d->subtree_com + 3 * root);
        radius = MAX (radius, mju_norm3 (dx) + m->geom_rbound[g]);
      }
  mj_deleteData (d);
  return radius > 0 ? radius : m->stat.extent;
}

/* Whether body `b` moves freely (a free joint, or slides: the planar
 * robots), as a robot that walks off does; an arm on a fixed base does not. */
static gboolean
body_moves (const mjModel *m, int b)
{
  for (int j = m->body_jntadr[b]; j >= 0 && j < m->body_jntadr[b] + m->body_jntnum[b]; j++)
    if (m->jnt_type[j] == mjJNT_FREE || m->jnt_type[j] == mjJNT_SLIDE)
      return TRUE;
  return FALSE;
}

static gboolean
choose_camera (SrlMjRenderer *r, const mjModel *m, const char *camera, GError **error)
{
  mjv_defaultCamera (&r->camera);
  if (!camera && m->nbody > 1 && body_moves (m, 1))
    {
      /* Follow the robot from the side (the planar robots run along x),
       * a little above, at a distance where it fills about half the
       * picture's height (MuJoCo's vertical field of view is 45°). */
      double radius = robot_radius (m, 1);
      r->camera.type = mjCAMERA_TRACKING;
      r->camera.trackbodyid = 1;
      r->camera.distance = 4 * radius;
      r->camera.azimuth = 90;
      r->camera.elevation = -15;
      return TRUE;
    }
  if (!camera)
    {
      /* A fixed scene (an arm on a table): all of it, from the front and
       * above. */
      r->camera.type = mjCAMERA_FREE;
      mju_copy3 (r->camera.lookat, m->stat.center);
      r->camera.distance = 1.6 * m->stat.extent;
      r->camera.azimuth = 90;
      r->camera.elevation = -35;
      return TRUE;
    }
  int id = mj_name2id (m, mjOBJ_CAMERA, camera);
  if (id < 0)
    {
      g_autofree char *names = camera_names (m);
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "no camera \"%s\" in the model (its cameras: %s)", camera,
                   names);
      return FALSE;
    }
  r->camera.type = mjCAMERA_FIXED;
  r->camera.fixedcamid = id;
  return TRUE;
}

SrlMjRenderer *
srl_mj_renderer_new (mjModel *m, guint width, guint height, const char *camera, GError **error)
{
  g_autoptr (SrlMjRenderer) r = g_new0 (SrlMjRenderer, 1);
  r->display = EGL_NO_DISPLAY;
  r->context = EGL_NO_CONTEXT;
  r->width = width;
  r->height = height;
  mjv_defaultScene (&r->scene);
  mjr_defaultContext (&r->mjr);
  mjv_defaultOption (&r->option);
  if (!choose_camera (r, m, camera, error) || !make_context (r, error))
    return NULL;
  int max_size = 0;
  /* The renderbuffer limit, known only with a context. */
  typedef void (*GetIntegerv) (unsigned int, int *);
  GetIntegerv get_integerv = (GetIntegerv) eglGetProcAddress ("glGetIntegerv");
  if (get_integerv)
    get_integerv (0x84E8 /* GL_MAX_RENDERBUFFER_SIZE */, &max_size);
  if (max_size > 0 && (width > (guint) max_size || height > (guint) max_size))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "frames of %u×%u exceed OpenGL's limit of %d pixels a side",
                   width, height, max_size);
      return NULL;
    }
  /* What the software rasterizer pays for, in CPU time per 640×480
   * HalfCheetah frame (all of llvmpipe's threads): 4× multisampling more
   * than doubles everything; shadows 27 ms against 11.5 ms without; the
   * floor's reflection, which shows where the robot touches the ground,
   * 4.5 ms of those 11.5.  So: no multisampling, no shadows, reflection. */
  m->vis.global.offwidth = (int) width;
  m->vis.global.offheight = (int) height;
  m->vis.quality.offsamples = 0;
  mjv_makeScene (m, &r->scene, 2000);
  r->scene.flags[mjRND_SHADOW] = 0;
  mjr_makeContext (m, &r->mjr, mjFONTSCALE_100);
  mjr_setBuffer (mjFB_OFFSCREEN, &r->mjr);
  if (r->mjr.currentBuffer != mjFB_OFFSCREEN || r->mjr.offWidth != (int) width || r->mjr.offHeight != (int) height)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FAILED, "cannot render: MuJoCo made no %u×%u offscreen buffer", width,
                   height);
      return NULL;
    }
  r->rgb = g_malloc ((gsize) width * height * 3);
  return g_steal_pointer (&r);
}

void
srl_mj_renderer_draw (SrlMjRenderer *r, const mjModel *m, mjData *d, SrlFrame *frame)
{
  g_return_if_fail (frame->width == r->width && frame->height == r->height);
  if (eglGetCurrentContext () != r->context)
    eglMakeCurrent (r->display, EGL_NO_SURFACE, EGL_NO_SURFACE, r->context);
  mjrRect viewport = { 0, 0, (int) r->width, (int) r->height };
  mjv_updateScene (m, d, &r->option, NULL, &r->camera, mjCAT_ALL, &r->scene);
  mjr_render (viewport, &r->scene, &r->mjr);
  mjr_readPixels (r->rgb, NULL, viewport, &r->mjr);
  for (guint y = 0; y < r->height; y++)
    {
      const unsigned char *src = r->rgb + (gsize) (r->height - 1 - y) * r->width * 3;
      guint32 *dst = (guint32 *) ((char *) frame->pixels + y * frame->stride);
      for (guint x = 0; x < r->width; x++, src += 3)
        dst[x] = (guint32) src[0] << 16 | (guint32) src[1] << 8 | src[2];
    }
}

void
srl_mj_renderer_free (SrlMjRenderer *r)
{
  if (!r)
    return;
  if (r->context != EGL_NO_CONTEXT)
    {
      eglMakeCurrent (r->display, EGL_NO_SURFACE, EGL_NO_SURFACE, r->context);
      mjr_freeContext (&r->mjr);
      mjv_freeScene (&r->scene);
      eglMakeCurrent (r->display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
      eglDestroyContext (r->display, r->context);
    }
  /* The display stays initialised: EGL counts no references, and another
   * renderer of the process may be using it. */
  g_free (r->rgb);
  g_free (r);
}

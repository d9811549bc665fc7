/* softrl — drawing a MuJoCo model's state into an SrlFrame with MuJoCo's own
 * renderer (mjv_* scene, mjr_* OpenGL) on a headless OpenGL context: the
 * render entries of environments that simulate with MuJoCo, softrl's own and
 * those built out of tree.  Not part of libsoftrl (nor of softrl.h): the
 * library libsoftrl-mujoco, `pkg-config --cflags --libs softrl-mujoco`.
 *
 * The context is EGL on Mesa's surfaceless platform: no display, no X
 * server, no GPU (Mesa's llvmpipe rasterizes on the CPU when there is no
 * GPU).  mjr draws into its offscreen framebuffer, sized from the model's
 * visual/global offwidth and offheight, which srl_mj_renderer_new() sets.
 *
 * Everything is allocated by srl_mj_renderer_new(); drawing a frame
 * allocates nothing.  A renderer belongs to one model and one thread (its
 * context is made current on the thread that draws).
 */
#ifndef SOFTRL_MUJOCO_RENDER_H
#define SOFTRL_MUJOCO_RENDER_H

#include <mujoco/mujoco.h>
#include <softrl/softrl.h>

G_BEGIN_DECLS

typedef struct _SrlMjRenderer SrlMjRenderer;

/* A renderer of width × height frames of `m` (borrowed: it must outlive
 * the renderer; its offscreen size is set here).  `camera` NULL is a camera
 * that follows body 1 (the robot's root) from the side, at a distance
 * scaled to the robot's size, when that body moves freely, or one showing
 * the whole model when it does not (an arm on a fixed base); otherwise the
 * name of a camera in the model.  Errors: SRL_ERROR_CONFIG for an unknown camera (naming the ones
 * there are) or a size beyond the context's limits, SRL_ERROR_FAILED when
 * no OpenGL context can be made.  MuJoCo's own errors (mju_error) are the
 * caller's to catch. */
SrlMjRenderer *srl_mj_renderer_new (mjModel *m, guint width, guint height, const char *camera, GError **error);
/* Draw the state in `d` (after mj_forward or mj_step: positions are read,
 * not computed) into `frame`, of the size the renderer was made for. */
void srl_mj_renderer_draw (SrlMjRenderer *renderer, const mjModel *m, mjData *d, SrlFrame *frame);
void srl_mj_renderer_free (SrlMjRenderer *renderer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlMjRenderer, srl_mj_renderer_free)

G_END_DECLS

#endif

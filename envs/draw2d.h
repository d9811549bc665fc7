/* softrl — drawing the 2-D environments (pendulum, point, multigoal,
 * point-maze) with cairo for their render entries (internal to envs/, built
 * into each from the convenience library envs/libsrl-draw2d.la).
 *
 * An SrlDraw2d lives in the environment's struct (zero-initialised by
 * g_new0).  srl_draw2d_setup() allocates the picture and the trail once;
 * a frame is begin → the environment's drawing in world coordinates →
 * finish, which copies the picture into the core's frame.  Nothing is
 * allocated per frame.  These environments have one view: a camera name is
 * refused. */
#ifndef SRL_DRAW2D_H
#define SRL_DRAW2D_H

#include <cairo.h>
#include <softrl/softrl.h>

G_BEGIN_DECLS

typedef struct {
  cairo_surface_t *surface;
  cairo_t *cr;
  double pixel;          /* one pixel in world units, for line widths */
  double *trail;         /* x, y pairs of the positions drawn since the reset */
  guint trail_length, trail_capacity;
} SrlDraw2d;

/* Show the box [x0, x1] × [y0, y1] (y up) as large as fits, centred, on
 * width × height pixels below a caption band of a tenth of the height, with room for `trail_capacity` trail points.  An
 * SRL_ERROR_CONFIG error when `camera` is given. */
gboolean srl_draw2d_setup (SrlDraw2d *draw, guint width, guint height, const char *camera, double x0, double x1,
                           double y0, double y1, guint trail_capacity, GError **error);
/* Clear to the background; the context draws in world coordinates. */
cairo_t *srl_draw2d_begin (SrlDraw2d *draw);
/* Add (x, y) to the trail (while there is room) and draw the trail. */
void srl_draw2d_trail (SrlDraw2d *draw, double x, double y);
/* The square [−half, half]² outlined: the arena of the point environments. */
void srl_draw2d_arena (SrlDraw2d *draw, double half);
/* A new episode: an empty trail (safe before setup). */
void srl_draw2d_forget_trail (SrlDraw2d *draw);
/* A filled disc with a dark outline, at (x, y) of radius r. */
void srl_draw2d_disc (SrlDraw2d *draw, double x, double y, double r, double red, double green, double blue);
/* Copy the picture into `frame` (of the size set up). */
void srl_draw2d_finish (SrlDraw2d *draw, SrlFrame *frame);
/* Free what setup made (safe when it never ran). */
void srl_draw2d_clear (SrlDraw2d *draw);

G_END_DECLS

#endif

/* softrl — cairo drawing for the 2-D environments.  See draw2d.h. */
#include <string.h>

#include "draw2d.h"

gboolean
srl_draw2d_setup (SrlDraw2d *d, guint width, guint height, const char *camera, double x0, double x1, double y0,
                  double y1, guint trail_capacity, GError **error)
{
  if (camera)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "no camera \"%s\": this 2-D environment has one view", camera);
      return FALSE;
    }
  srl_draw2d_clear (d);
  d->surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) width, (int) height);
  d->cr = cairo_create (d->surface);
  if (cairo_status (d->cr) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FAILED, "cannot draw %u×%u frames: %s", width, height,
                   cairo_status_to_string (cairo_status (d->cr)));
      srl_draw2d_clear (d);
      return FALSE;
    }
  /* World to pixels: uniform scale, y pointing up, the box centred below
   * a band at the top where `softrl render` writes its caption. */
  double band = 0.1 * height;
  double scale = MIN (width / (x1 - x0), (height - band) / (y1 - y0));
  cairo_translate (d->cr, width / 2.0, band + (height - band) / 2.0);
  cairo_scale (d->cr, scale, -scale);
  cairo_translate (d->cr, -(x0 + x1) / 2, -(y0 + y1) / 2);
  d->pixel = 1 / scale;
  cairo_set_line_join (d->cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (d->cr, CAIRO_LINE_CAP_ROUND);
  d->trail = g_new (double, 2 * (gsize) MAX (trail_capacity, 1));
  d->trail_capacity = MAX (trail_capacity, 1);
  d->trail_length = 0;
  return TRUE;
}

cairo_t *
srl_draw2d_begin (SrlDraw2d *d)
{
  cairo_save (d->cr);
  cairo_identity_matrix (d->cr);
  cairo_set_source_rgb (d->cr, 0.97, 0.97, 0.95);
  cairo_paint (d->cr);
  cairo_restore (d->cr);
  cairo_set_line_width (d->cr, 2 * d->pixel);
  return d->cr;
}

void
srl_draw2d_trail (SrlDraw2d *d, double x, double y)
{
  if (d->trail_length < d->trail_capacity)
    {
      d->trail[2 * d->trail_length] = x;
      d->trail[2 * d->trail_length + 1] = y;
      d->trail_length++;
    }
  if (d->trail_length < 2)
    return;
  cairo_move_to (d->cr, d->trail[0], d->trail[1]);
  for (guint i = 1; i < d->trail_length; i++)
    cairo_line_to (d->cr, d->trail[2 * i], d->trail[2 * i + 1]);
  cairo_set_source_rgba (d->cr, 0.12, 0.47, 0.71, 0.6);
  cairo_set_line_width (d->cr, 3 * d->pixel);
  cairo_stroke (d->cr);
}

void
srl_draw2d_arena (SrlDraw2d *d, double half)
{
  cairo_rectangle (d->cr, -half, -half, 2 * half, 2 * half);
  cairo_set_source_rgb (d->cr, 0.3, 0.3, 0.3);
  cairo_set_line_width (d->cr, 2 * d->pixel);
  cairo_stroke (d->cr);
}

void
srl_draw2d_forget_trail (SrlDraw2d *d)
{
  d->trail_length = 0;
}

void
srl_draw2d_disc (SrlDraw2d *d, double x, double y, double r, double red, double green, double blue)
{
  cairo_new_sub_path (d->cr);
  cairo_arc (d->cr, x, y, r, 0, 2 * G_PI);
  cairo_set_source_rgb (d->cr, red, green, blue);
  cairo_fill_preserve (d->cr);
  cairo_set_source_rgb (d->cr, 0.15, 0.15, 0.15);
  cairo_set_line_width (d->cr, 1.5 * d->pixel);
  cairo_stroke (d->cr);
}

void
srl_draw2d_finish (SrlDraw2d *d, SrlFrame *frame)
{
  cairo_surface_flush (d->surface);
  const unsigned char *src = cairo_image_surface_get_data (d->surface);
  int src_stride = cairo_image_surface_get_stride (d->surface);
  guint height = MIN (frame->height, (guint) cairo_image_surface_get_height (d->surface));
  gsize row = 4 * (gsize) MIN (frame->width, (guint) cairo_image_surface_get_width (d->surface));
  for (guint y = 0; y < height; y++)
    memcpy ((char *) frame->pixels + y * frame->stride, src + (gsize) y * src_stride, row);
}

void
srl_draw2d_clear (SrlDraw2d *d)
{
  if (d->cr)
    cairo_destroy (d->cr);
  if (d->surface)
    cairo_surface_destroy (d->surface);
  g_free (d->trail);
  memset (d, 0, sizeof *d);
}

/* softrl — frames, captions and PNGs with cairo.  See canvas.h. */
#include <cairo.h>

#include "canvas.h"
#include "srl-private.h"

struct _SrlCanvas {
  SrlFrame frame;
  cairo_surface_t *surface;
  cairo_t *cr;
  double font_size;
};

SrlCanvas *
srl_canvas_new (guint width, guint height)
{
  SrlCanvas *c = g_new0 (SrlCanvas, 1);
  c->frame.width = width;
  c->frame.height = height;
  c->frame.stride = (gsize) cairo_format_stride_for_width (CAIRO_FORMAT_RGB24, (int) width);
  c->frame.pixels = g_malloc0 (c->frame.stride * height);
  c->surface = cairo_image_surface_create_for_data ((unsigned char *) c->frame.pixels, CAIRO_FORMAT_RGB24,
                                                    (int) width, (int) height, (int) c->frame.stride);
  c->cr = cairo_create (c->surface);
  /* Readable on a phone-sized video, small on a large one. */
  c->font_size = CLAMP (height / 24.0, 9.0, 28.0);
  cairo_select_font_face (c->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size (c->cr, c->font_size);
  return c;
}

SrlFrame *
srl_canvas_frame (SrlCanvas *c)
{
  return &c->frame;
}

void
srl_canvas_caption (SrlCanvas *c, const char *text)
{
  /* The environment wrote the pixels behind cairo's back. */
  cairo_surface_mark_dirty (c->surface);
  double pad = c->font_size * 0.4;
  cairo_text_extents_t extents;
  cairo_text_extents (c->cr, text, &extents);
  cairo_set_source_rgba (c->cr, 0, 0, 0, 0.55);
  cairo_rectangle (c->cr, 0, 0, MIN (extents.x_advance + 2 * pad, c->frame.width), c->font_size + 2 * pad);
  cairo_fill (c->cr);
  cairo_set_source_rgb (c->cr, 1, 1, 1);
  cairo_move_to (c->cr, pad, pad + c->font_size * 0.8);
  cairo_show_text (c->cr, text);
  cairo_surface_flush (c->surface);
}

static cairo_status_t
append_png (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

gboolean
srl_canvas_write_png (SrlCanvas *c, const char *path, GError **error)
{
  cairo_surface_mark_dirty (c->surface);
  g_autoptr (GByteArray) png = g_byte_array_new ();
  cairo_status_t status = cairo_surface_write_to_png_stream (c->surface, append_png, png);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "cannot write %s: %s", path, cairo_status_to_string (status));
      return FALSE;
    }
  return srl_write_file_atomic (path, (const char *) png->data, png->len, error);
}

void
srl_canvas_free (SrlCanvas *c)
{
  if (!c)
    return;
  cairo_destroy (c->cr);
  cairo_surface_destroy (c->surface);
  g_free (c->frame.pixels);
  g_free (c);
}

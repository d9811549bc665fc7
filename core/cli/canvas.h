/* softrl — the picture `softrl render` hands to environments, captions and
 * saves as PNG (internal to the softrl program).
 *
 * A canvas owns one SrlFrame's pixels and a cairo context drawing on them,
 * both made once; captioning a frame allocates nothing of ours. */
#ifndef SRL_CANVAS_H
#define SRL_CANVAS_H

#include <softrl/softrl.h>

G_BEGIN_DECLS

typedef struct _SrlCanvas SrlCanvas;

/* A black width × height canvas (transfer full). */
SrlCanvas *srl_canvas_new (guint width, guint height);
/* Its frame (owned by the canvas): give it to an environment's render(). */
SrlFrame *srl_canvas_frame (SrlCanvas *canvas);
/* Write `text` in a band along the top of the picture, after the
 * environment has drawn it. */
void srl_canvas_caption (SrlCanvas *canvas, const char *text);
/* Save the picture as a PNG at `path`, atomically (SRL_ERROR_IO). */
gboolean srl_canvas_write_png (SrlCanvas *canvas, const char *path, GError **error);
void srl_canvas_free (SrlCanvas *canvas);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlCanvas, srl_canvas_free)

G_END_DECLS

#endif

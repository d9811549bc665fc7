/* softrl — figures through PLplot (internal to the softrl program).
 *
 * One figure at a time: srl_plot_begin() opens a PLplot stream on a file
 * whose extension picks the format (.png, .svg, .pdf, through PLplot's cairo
 * drivers), the caller draws with PLplot's own API, srl_plot_end() finishes
 * and moves the file into place atomically.  PLplot exits the process on
 * fatal errors, so everything that can fail (the driver, the directory) is
 * checked here first and reported as a GError instead.
 */
#ifndef SRL_PLOT_H
#define SRL_PLOT_H

#include <glib.h>

G_BEGIN_DECLS

gboolean srl_plot_begin (const char *path, int width, int height, GError **error);
gboolean srl_plot_end (GError **error);
/* A colour of a qualitative palette (index wraps), as 0–255 RGB, for the
 * lines of one figure. */
void srl_plot_palette (guint index, int *r, int *g, int *b);
/* Axis labels of the current stream as a paper prints them, for boxes
 * drawn with plbox's "o" option: 250k, 1M, 2.5M rather than 2500000
 * (numbers below 10,000 plainly). */
void srl_plot_short_labels (void);

G_END_DECLS

#endif

/* softrl — error domain shared by the core and its plugins.
 *
 * Every fallible function takes a `GError **error` as its last argument and
 * returns FALSE or NULL when it sets it.  Plugins report bad input through
 * these codes; they never call exit().  Programming errors (a NULL where the
 * API forbids one) are caught with g_return_val_if_fail, not reported here.
 * A GError set by softrl is the caller's to free (g_error_free, or let it
 * propagate); its message names the file, group and key, or the file and
 * tensor, it concerns.
 */
#ifndef SOFTRL_ERROR_H
#define SOFTRL_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

#define SRL_ERROR (srl_error_quark ())

typedef enum {
  SRL_ERROR_CONFIG,   /* an experiment file or option is wrong */
  SRL_ERROR_PLUGIN,   /* a plugin file was refused */
  SRL_ERROR_IO,       /* a file could not be read or written */
  SRL_ERROR_FORMAT,   /* a file is corrupt, truncated or of another version */
  SRL_ERROR_MISMATCH, /* saved data does not fit the shapes asked for */
  SRL_ERROR_NUMERIC,  /* training produced a NaN or an infinity */
  SRL_ERROR_FAILED    /* anything else */
} SrlError;

/* The SRL_ERROR domain. */
GQuark srl_error_quark (void);

G_END_DECLS

#endif

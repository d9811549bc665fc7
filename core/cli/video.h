/* softrl — writing frames to a video file with FFmpeg's libraries (internal
 * to the softrl program).
 *
 * The container follows the file's extension: .mp4 is H.264 (libx264) when
 * this libavcodec has it, else MPEG-4 part 2; .gif is GIF.  Frames are
 * SrlFrame pictures, converted with libswscale.  The file appears only when
 * srl_video_finish() succeeds: until then the encoder writes a hidden
 * temporary file beside it, removed by srl_video_free() after a failure.
 * Buffers are sized once in srl_video_new(); adding a frame allocates
 * nothing of ours. */
#ifndef SRL_VIDEO_H
#define SRL_VIDEO_H

#include <softrl/softrl.h>

G_BEGIN_DECLS

typedef struct _SrlVideo SrlVideo;

/* Whether `path` ends in a video extension srl_video_new() takes. */
gboolean srl_video_path_supported (const char *path);
/* A video of width × height frames at `fps` frames a second (transfer
 * full).  SRL_ERROR_CONFIG for a path or size the format cannot take
 * (H.264 and MPEG-4 need even sizes), SRL_ERROR_IO when the temporary file
 * cannot be made, SRL_ERROR_FAILED when the library refuses. */
SrlVideo *srl_video_new (const char *path, guint width, guint height, guint fps, GError **error);
/* The encoder's name, e.g. "libx264". */
const char *srl_video_codec (const SrlVideo *video);
gboolean srl_video_add (SrlVideo *video, const SrlFrame *frame, GError **error);
/* Flush the encoder, write the trailer and move the file into place. */
gboolean srl_video_finish (SrlVideo *video, GError **error);
void srl_video_free (SrlVideo *video);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SrlVideo, srl_video_free)

G_END_DECLS

#endif

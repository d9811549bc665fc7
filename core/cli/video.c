/* softrl — video files through libavformat/libavcodec.  See video.h. */
#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "video.h"

struct _SrlVideo {
  char *path, *tmp_path;
  AVFormatContext *format;
  AVCodecContext *codec;
  AVStream *stream;
  struct SwsContext *convert;
  AVFrame *picture;
  AVPacket *packet;
  gint64 next_pts;
  gboolean finished;
};

typedef struct {
  const char *extension, *muxer;
  enum AVPixelFormat pixels;
} Container;

static const Container containers[] = {
  { ".mp4", "mp4", AV_PIX_FMT_YUV420P },
  /* 3-3-2 bit colour, which libswscale dithers to; GIF's own palettes would
   * need a palette pass over all frames first. */
  { ".gif", "gif", AV_PIX_FMT_RGB8 },
};

static const Container *
container_of (const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (containers); i++)
    if (g_str_has_suffix (path, containers[i].extension))
      return &containers[i];
  return NULL;
}

gboolean
srl_video_path_supported (const char *path)
{
  return container_of (path) != NULL;
}

static gboolean
av_failed (int status, const char *what, const char *path, GError **error)
{
  if (status >= 0)
    return FALSE;
  char text[AV_ERROR_MAX_STRING_SIZE] = "";
  av_strerror (status, text, sizeof text);
  g_set_error (error, SRL_ERROR, SRL_ERROR_FAILED, "%s: %s: %s", path, what, text);
  return TRUE;
}

/* H.264 where this libavcodec can encode it, else MPEG-4 part 2. */
static const AVCodec *
mp4_encoder (void)
{
  const AVCodec *codec = avcodec_find_encoder_by_name ("libx264");
  return codec ? codec : avcodec_find_encoder (AV_CODEC_ID_MPEG4);
}

SrlVideo *
srl_video_new (const char *path, guint width, guint height, guint fps, GError **error)
{
  const Container *container = container_of (path);
  if (!container)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: a video file ends in .mp4 or .gif", path);
      return NULL;
    }
  if (container->pixels == AV_PIX_FMT_YUV420P && (width % 2 || height % 2))
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_CONFIG, "%s: MP4 frames need an even width and height, not %u×%u", path,
                   width, height);
      return NULL;
    }
  /* The encoders' statistics and banners are not the user's business;
   * errors come back as statuses. */
  av_log_set_level (AV_LOG_ERROR);
  g_autoptr (SrlVideo) v = g_new0 (SrlVideo, 1);
  v->path = g_strdup (path);
  g_autofree char *dir = g_path_get_dirname (path), *base = g_path_get_basename (path);
  g_autofree char *tmp_name = g_strdup_printf (".%s.%u.partial", base, (guint) getpid ());
  v->tmp_path = g_build_filename (dir, tmp_name, NULL);
  const AVCodec *encoder = container->pixels == AV_PIX_FMT_YUV420P ? mp4_encoder () : avcodec_find_encoder (AV_CODEC_ID_GIF);
  if (!encoder)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FAILED, "%s: this libavcodec has no encoder for %s", path,
                   container->extension);
      return NULL;
    }
  if (av_failed (avformat_alloc_output_context2 (&v->format, NULL, container->muxer, v->tmp_path), "no muxer", path,
                 error))
    return NULL;
  v->stream = avformat_new_stream (v->format, NULL);
  v->codec = avcodec_alloc_context3 (encoder);
  v->picture = av_frame_alloc ();
  v->packet = av_packet_alloc ();
  if (!v->stream || !v->codec || !v->picture || !v->packet)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FAILED, "%s: out of memory for the encoder", path);
      return NULL;
    }
  AVCodecContext *c = v->codec;
  c->width = (int) width;
  c->height = (int) height;
  c->time_base = (AVRational) { 1, (int) fps };
  c->framerate = (AVRational) { (int) fps, 1 };
  c->pix_fmt = container->pixels;
  c->gop_size = (int) fps;
  if (encoder->id == AV_CODEC_ID_H264)
    {
      /* veryfast: a few times the speed of the default preset at a
       * slightly larger file, so the encoder keeps up with the renderer. */
      av_opt_set (c->priv_data, "preset", "veryfast", 0);
      av_opt_set (c->priv_data, "crf", "20", 0);
    }
  else if (encoder->id == AV_CODEC_ID_MPEG4)
    {
      c->flags |= AV_CODEC_FLAG_QSCALE;
      c->global_quality = FF_QP2LAMBDA * 3;
    }
  if (v->format->oformat->flags & AVFMT_GLOBALHEADER)
    c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (av_failed (avcodec_open2 (c, encoder, NULL), "cannot open the encoder", path, error)
      || av_failed (avcodec_parameters_from_context (v->stream->codecpar, c), "encoder parameters", path, error))
    return NULL;
  v->stream->time_base = c->time_base;
  v->picture->format = c->pix_fmt;
  v->picture->width = c->width;
  v->picture->height = c->height;
  if (av_failed (av_frame_get_buffer (v->picture, 0), "frame buffer", path, error))
    return NULL;
  /* GIF's 3-3-2 bit colour is dithered with a fixed (Bayer) pattern: error
   * diffusion would change every pixel of every frame and defeat the GIF
   * encoder's skipping of unchanged pixels (files several times larger). */
  v->convert = sws_alloc_context ();
  if (v->convert)
    {
      av_opt_set_int (v->convert, "srcw", c->width, 0);
      av_opt_set_int (v->convert, "srch", c->height, 0);
      av_opt_set_int (v->convert, "src_format", AV_PIX_FMT_0RGB32, 0);
      av_opt_set_int (v->convert, "dstw", c->width, 0);
      av_opt_set_int (v->convert, "dsth", c->height, 0);
      av_opt_set_int (v->convert, "dst_format", c->pix_fmt, 0);
      av_opt_set_int (v->convert, "sws_flags", SWS_BICUBIC, 0);
      av_opt_set (v->convert, "sws_dither", "bayer", 0);
      if (sws_init_context (v->convert, NULL, NULL) < 0)
        g_clear_pointer (&v->convert, sws_freeContext);
    }
  if (!v->convert)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_FAILED, "%s: libswscale cannot convert to %s", path,
                   av_get_pix_fmt_name (c->pix_fmt));
      return NULL;
    }
  int status = avio_open (&v->format->pb, v->tmp_path, AVIO_FLAG_WRITE);
  if (status < 0)
    {
      char text[AV_ERROR_MAX_STRING_SIZE] = "";
      av_strerror (status, text, sizeof text);
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "cannot write %s: %s", v->tmp_path, text);
      return NULL;
    }
  if (av_failed (avformat_write_header (v->format, NULL), "cannot write the header", path, error))
    return NULL;
  return g_steal_pointer (&v);
}

const char *
srl_video_codec (const SrlVideo *v)
{
  return v->codec->codec->name;
}

/* Hand `picture` (NULL: flush) to the encoder and write the packets it
 * gives back. */
static gboolean
encode (SrlVideo *v, AVFrame *picture, GError **error)
{
  if (av_failed (avcodec_send_frame (v->codec, picture), "encoding", v->path, error))
    return FALSE;
  for (;;)
    {
      int status = avcodec_receive_packet (v->codec, v->packet);
      if (status == AVERROR (EAGAIN) || status == AVERROR_EOF)
        return TRUE;
      if (av_failed (status, "encoding", v->path, error))
        return FALSE;
      /* Each frame lasts one tick; without a duration the MP4 muxer's edit
       * list ends where the last frame starts, and players drop it. */
      if (v->packet->duration == 0)
        v->packet->duration = 1;
      av_packet_rescale_ts (v->packet, v->codec->time_base, v->stream->time_base);
      v->packet->stream_index = v->stream->index;
      status = av_interleaved_write_frame (v->format, v->packet);
      if (status < 0)
        {
          char text[AV_ERROR_MAX_STRING_SIZE] = "";
          av_strerror (status, text, sizeof text);
          g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "cannot write %s: %s", v->tmp_path, text);
          return FALSE;
        }
    }
}

gboolean
srl_video_add (SrlVideo *v, const SrlFrame *frame, GError **error)
{
  g_return_val_if_fail ((int) frame->width == v->codec->width && (int) frame->height == v->codec->height, FALSE);
  /* The encoder may still hold the previous picture (as a reference). */
  if (av_failed (av_frame_make_writable (v->picture), "frame buffer", v->path, error))
    return FALSE;
  const uint8_t *source[1] = { (const uint8_t *) frame->pixels };
  const int source_stride[1] = { (int) frame->stride };
  sws_scale (v->convert, source, source_stride, 0, (int) frame->height, v->picture->data, v->picture->linesize);
  v->picture->pts = v->next_pts++;
  return encode (v, v->picture, error);
}

gboolean
srl_video_finish (SrlVideo *v, GError **error)
{
  if (!encode (v, NULL, error)
      || av_failed (av_write_trailer (v->format), "cannot write the trailer", v->path, error))
    return FALSE;
  int status = avio_closep (&v->format->pb);
  if (status < 0 || g_rename (v->tmp_path, v->path) != 0)
    {
      g_set_error (error, SRL_ERROR, SRL_ERROR_IO, "cannot write %s: %s", v->path,
                   status < 0 ? "closing failed" : g_strerror (errno));
      return FALSE;
    }
  v->finished = TRUE;
  return TRUE;
}

void
srl_video_free (SrlVideo *v)
{
  if (!v)
    return;
  if (v->format)
    {
      if (v->format->pb)
        avio_closep (&v->format->pb);
      avformat_free_context (v->format);
    }
  if (!v->finished && v->tmp_path)
    g_unlink (v->tmp_path);
  avcodec_free_context (&v->codec);
  sws_freeContext (v->convert);
  av_frame_free (&v->picture);
  av_packet_free (&v->packet);
  g_free (v->path);
  g_free (v->tmp_path);
  g_free (v);
}

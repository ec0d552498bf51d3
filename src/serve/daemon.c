// SPDX-License-Identifier: GPL-2.0-or-later
/* The camera daemon (see daemon.h). */
#include "serve/daemon.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "backend/virtual.h"
#include "camera/camera.h"
#include "core/clock.h"
#include "core/log.h"
#include "encode/encoder.h"
#include "encode/stream_ring.h"
#include "net/rtp_h264.h"
#include "net/rtsp.h"
#include "pipeline/control.h"
#include "pipeline/pipeline.h"
#include "scale/scale.h"
#include "sensor/sensor.h"
#include "serve/http.h"

#define NCHAN 2
#define RING_BUFFERS 8

struct h264_chan {
	struct lumen_daemon *d;
	int index;
	bool enabled;
	int width, height;
	struct lumen_scaler *scaler;		/* NULL when at sensor size */
	struct lumen_frame scaled;
	struct lumen_encoder *enc;
	struct lumen_stream_ring ring;
	bool ring_ok;
	uint64_t next_seq;			/* next AU to push to RTSP */
	uint64_t push_errors;
	int sink;
	/* Live encoder settings, a message from the HTTP thread to the sink
	 * thread that owns enc (encoder.h: one thread drives an encoder):
	 * posted under mailbox_lock, taken by
	 * h264_consume() before the next encode. */
	pthread_mutex_t mailbox_lock;
	struct lumen_encoder_config mailbox;
	atomic_bool mailbox_full;
	atomic_int fps;				/* the sink's rate, live */
};

struct jpeg_chan {
	struct lumen_daemon *d;
	bool enabled;
	int width, height;
	struct lumen_scaler *scaler;
	struct lumen_frame scaled;
	struct lumen_encoder *enc;
	struct lumen_stream_ring ring;
	bool ring_ok;
	/*
	 * A frame for custom snapshots, copied only when one is asked: an
	 * HTTP thread (custom_jpeg(), one at a time under custom_lock) sets
	 * want under latest_lock and waits on copied; the sink thread, seeing
	 * want (an atomic, read once per frame without the lock), copies its
	 * next frame into latest under latest_lock, clears want and signals.
	 * While want is clear only the HTTP thread holding custom_lock reads
	 * latest, so it scales and encodes with no lock the sink needs.
	 */
	pthread_mutex_t custom_lock;		/* one custom snapshot at a time */
	pthread_mutex_t latest_lock;		/* guards want/have_latest hand-over */
	pthread_cond_t copied;
	atomic_bool want;
	struct lumen_frame latest;		/* sensor-size NV12 */
	bool have_latest;			/* latest holds a frame */
	uint64_t copies;			/* frames copied (latest_lock) */
	bool sync_ok;				/* the locks and cond exist */
	atomic_int fps;				/* mjpeg.fps, live */
	/* when an /mjpeg stream last asked for a part: lumen_now_ns() in ms,
	 * 32 bits (lock-free on every target; wraps after 49 days), | 1 so
	 * that 0 means never. HTTP threads write, the sink thread reads. */
	atomic_uint mjpeg_asked_ms;
	int sink;
};

struct lumen_daemon {
	struct lumen_config cfg;
	pthread_mutex_t cfg_lock;
	char cfg_path[512];
	/* board, source, tuning and 3A; src and ctl are the camera's */
	struct lumen_camera *cam;
	struct lumen_source *src;
	struct lumen_control *ctl;
	const char *name, *sensor;		/* for the status: board or device */
	int board_fps;				/* the board file's fps; 0 = none */
	struct lumen_pipeline *pl;
	struct h264_chan ch[NCHAN];
	struct jpeg_chan jpeg;
	struct lumen_rtsp_server *rtsp;
	struct lumen_http *http;
	struct timespec started;
};

static double uptime_s(const struct lumen_daemon *d)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - d->started.tv_sec) +
		(t.tv_nsec - d->started.tv_nsec) / 1e9;
}

/* ---- H.264 channels ------------------------------------------------------ */

/*
 * The RTP timestamp of an AU: its capture time on the 90 kHz clock. The
 * encoder's pts counts the frames it was offered at the configured rate,
 * which runs slow whenever the pipeline delivers fewer frames than that
 * (frames lost before the encoder, a slow ISP): clients then play at the
 * wrong speed and `ffmpeg -t 10` waits for 10 s of pts, not of video.
 * The capture time is what a camera's RTP clock should follow. Falls back
 * to the encoder's pts when the capture time is unknown. The RTSP server
 * puts it on the channel's frame grid and keeps it strictly increasing
 * (lumen_rtsp_push()), whatever the sensor's jitter and the drops.
 */
static uint64_t rtp_clock(const struct lumen_stream_buf *au)
{
	uint64_t ns = (uint64_t)au->capture_ns;

	if (au->capture_ns <= 0)
		return (uint64_t)au->pts;
	return ns / 100000 * 9 + ns % 100000 * 9 / 100000;
}

static int h264_consume(void *opaque, const struct lumen_frame *f,
			const struct lumen_frame_info *info)
{
	struct h264_chan *c = opaque;
	const struct lumen_frame *in = f;
	struct lumen_stream_buf *au;
	int err;

	(void)info;
	if (atomic_load_explicit(&c->mailbox_full, memory_order_acquire)) {
		struct lumen_encoder_config ec;
		char msg[256];

		pthread_mutex_lock(&c->mailbox_lock);
		ec = c->mailbox;
		atomic_store_explicit(&c->mailbox_full, false, memory_order_relaxed);
		pthread_mutex_unlock(&c->mailbox_lock);
		if (lumen_encoder_configure(c->enc, &ec, msg, sizeof(msg)))
			lumen_warn("serve: video%d: %s", c->index, msg);
	}
	if (c->scaler) {
		err = lumen_scaler_run(c->scaler, f, &c->scaled);
		if (err)
			return err;
		in = &c->scaled;
	}
	err = lumen_encoder_encode(c->enc, in, &c->ring);
	if (err < 0)
		return err;
	/* hand every published AU to the RTSP server (it copies) */
	while (lumen_stream_acquire(&c->ring, &c->next_seq, 0, &au) == 0) {
		if (c->d->rtsp && lumen_rtsp_push(c->d->rtsp, c->index, au->data,
						  au->len, rtp_clock(au),
						  au->keyframe,
						  au->capture_ns) < 0)
			c->push_errors++;
		lumen_stream_release(&c->ring, au);
	}
	return 0;
}

/* The channel's rate (sink thread; videoN.fps changes it live). */
static double h264_max_fps(void *opaque)
{
	struct h264_chan *c = opaque;

	return atomic_load_explicit(&c->fps, memory_order_relaxed);
}

static const struct lumen_sink_ops h264_sink_ops = {
	.consume = h264_consume,
	.max_fps = h264_max_fps,
};

static void request_keyframe(void *opaque, int channel)
{
	struct lumen_daemon *d = opaque;

	if (channel >= 0 && channel < NCHAN && d->ch[channel].enc)
		lumen_encoder_request_keyframe(d->ch[channel].enc);
}

/* A channel's rate: videoN.fps, or with 0 the board's sensor rate (the
 * board file's fps; 30 when it leaves the sensor mode's default). */
static int chan_fps(const struct lumen_daemon *d, const struct lumen_cfg_video *v)
{
	if (v->fps > 0)
		return v->fps;
	return d->board_fps > 0 ? d->board_fps : 30;
}

static void encoder_config(const struct lumen_daemon *d,
			   const struct lumen_cfg_video *v, int w, int h,
			   struct lumen_encoder_config *ec)
{
	lumen_encoder_config_default(ec);
	ec->width = w;
	ec->height = h;
	ec->fmt = LUMEN_PIX_NV12;
	ec->fps_num = chan_fps(d, v);
	ec->fps_den = 1;
	ec->bitrate_kbps = v->bitrate_kbps;
	ec->gop = v->gop;
	ec->profile = v->profile == LUMEN_CFG_PROFILE_BASELINE ? LUMEN_H264_BASELINE :
		v->profile == LUMEN_CFG_PROFILE_HIGH ? LUMEN_H264_HIGH : LUMEN_H264_MAIN;
	ec->rc = v->rc == LUMEN_CFG_RC_VBR ? LUMEN_RC_VBR : LUMEN_RC_CBR;
}

/* A scaler from the sensor size to @w x @h NV12, or none when equal. */
static int make_scaler(int sw, int sh, int w, int h, struct lumen_scaler **s,
		       struct lumen_frame *out, char *err, size_t errlen)
{
	struct lumen_scaler_config sc = {
		.src_fmt = LUMEN_PIX_NV12, .dst_fmt = LUMEN_PIX_NV12,
		.src_width = sw, .src_height = sh, .dst_width = w,
		.dst_height = h, .filter = LUMEN_SCALE_AREA,
	};
	int ret;

	*s = NULL;
	if (w == sw && h == sh)
		return 0;
	ret = lumen_scaler_create(s, &sc, err, errlen);
	if (ret)
		return ret;
	ret = lumen_frame_alloc(out, LUMEN_PIX_NV12, w, h);
	if (ret) {
		lumen_scaler_destroy(*s);
		*s = NULL;
	}
	return ret;
}

static int h264_setup(struct lumen_daemon *d, int i,
		      const struct lumen_cfg_video *v, char *err, size_t errlen)
{
	struct h264_chan *c = &d->ch[i];
	struct lumen_encoder_config ec;
	char msg[256];
	int ret;

	c->d = d;
	c->index = i;
	c->enabled = v->enabled;
	c->next_seq = 1;
	c->sink = -1;
	if (!c->enabled)
		return 0;
	c->width = v->width ? v->width : d->src->width & ~1;
	c->height = v->height ? v->height : d->src->height & ~1;
	ret = make_scaler(d->src->width, d->src->height, c->width, c->height,
			  &c->scaler, &c->scaled, msg, sizeof(msg));
	if (ret) {
		snprintf(err, errlen, "video%d: scaler: %s", i, msg);
		return ret;
	}
	encoder_config(d, v, c->width, c->height, &ec);
	ret = lumen_encoder_create(&c->enc, &lumen_encoder_x264, &ec, msg,
				   sizeof(msg));
	if (ret) {
		snprintf(err, errlen, "video%d: encoder: %s", i, msg);
		return ret;
	}
	ret = lumen_stream_ring_init(&c->ring, RING_BUFFERS,
				     lumen_encoder_au_capacity(&lumen_encoder_x264,
							       &ec));
	if (ret) {
		snprintf(err, errlen, "video%d: stream ring: %s", i,
			 strerror(-ret));
		return ret;
	}
	c->ring_ok = true;
	atomic_store(&c->fps, chan_fps(d, v));
	c->sink = lumen_pipeline_add_sink(d->pl, i ? "video1" : "video0",
					  &h264_sink_ops, c, 1, 0);
	return c->sink < 0 ? c->sink : 0;
}

static void h264_teardown(struct h264_chan *c)
{
	lumen_encoder_destroy(c->enc);
	c->enc = NULL;
	if (c->ring_ok)
		lumen_stream_ring_destroy(&c->ring);
	c->ring_ok = false;
	if (c->scaler) {
		lumen_scaler_destroy(c->scaler);
		lumen_frame_free(&c->scaled);
	}
	c->scaler = NULL;
}

/*
 * RTP packets a channel's ring keeps: 3 s at the bitrate configured at
 * start (a keyframe is at most the 1 s VBV buffer), 256..2048 slots of an
 * MTU each. A client more than 3/4 of the ring behind is skipped ahead
 * (docs/rtsp.md). At the defaults: 1097 slots (1.5 MB) for /ch0, 274
 * (0.4 MB) for /ch1, where a fixed 2048 held 2.9 MB each once the ring had
 * wrapped.
 */
static unsigned ring_packets_for(int bitrate_kbps)
{
	unsigned long n = (unsigned long)bitrate_kbps * 1000ul / 8ul * 3ul /
			  LUMEN_RTP_MAX_PAYLOAD;

	return n < 256 ? 256 : n > 2048 ? 2048 : (unsigned)n;
}

/* ---- JPEG channel -------------------------------------------------------- */

static int jpeg_consume(void *opaque, const struct lumen_frame *f,
			const struct lumen_frame_info *info)
{
	struct jpeg_chan *j = opaque;
	const struct lumen_frame *in = f;
	int err;

	(void)info;
	if (atomic_load_explicit(&j->want, memory_order_acquire)) {
		/* again under the lock: the asker may have given up */
		pthread_mutex_lock(&j->latest_lock);
		if (atomic_load_explicit(&j->want, memory_order_relaxed)) {
			lumen_frame_copy(&j->latest, f);
			j->have_latest = true;
			j->copies++;
			atomic_store_explicit(&j->want, false, memory_order_relaxed);
			pthread_cond_broadcast(&j->copied);
		}
		pthread_mutex_unlock(&j->latest_lock);
	}
	if (j->scaler) {
		err = lumen_scaler_run(j->scaler, f, &j->scaled);
		if (err)
			return err;
		in = &j->scaled;
	}
	err = lumen_encoder_encode(j->enc, in, &j->ring);
	return err < 0 ? err : 0;
}

/*
 * The JPEG output's rate, asked by its sink thread before each frame: a
 * JPEG a second keeps /image.jpg at most a second old; mjpeg.fps while an
 * /mjpeg stream has asked for a part in the last JPEG_VIEWER_MS; every
 * frame while a custom snapshot waits for its copy.
 */
#define JPEG_IDLE_FPS 1.0
#define JPEG_VIEWER_MS 2000u
static double jpeg_max_fps(void *opaque)
{
	struct jpeg_chan *j = opaque;
	unsigned asked = atomic_load_explicit(&j->mjpeg_asked_ms,
					      memory_order_relaxed);
	unsigned now = (unsigned)(lumen_now_ns() / 1000000);

	if (atomic_load_explicit(&j->want, memory_order_relaxed))
		return 0;
	if (asked && now - asked < JPEG_VIEWER_MS)
		return atomic_load_explicit(&j->fps, memory_order_relaxed);
	return JPEG_IDLE_FPS;
}

static const struct lumen_sink_ops jpeg_sink_ops = {
	.consume = jpeg_consume,
	.max_fps = jpeg_max_fps,
};

static int jpeg_setup(struct lumen_daemon *d, char *err, size_t errlen)
{
	struct jpeg_chan *j = &d->jpeg;
	struct lumen_encoder_config ec;
	char msg[256];
	int ret;

	j->d = d;
	j->sink = -1;
	j->enabled = d->cfg.jpeg.enabled;
	if (!j->enabled)
		return 0;
	j->width = d->cfg.jpeg.width ? d->cfg.jpeg.width : d->src->width & ~1;
	j->height = d->cfg.jpeg.height ? d->cfg.jpeg.height : d->src->height & ~1;
	if (pthread_mutex_init(&j->latest_lock, NULL))
		return -EAGAIN;
	if (pthread_mutex_init(&j->custom_lock, NULL))
		goto destroy_latest_lock;
	if (pthread_cond_init(&j->copied, NULL))
		goto destroy_custom_lock;
	j->sync_ok = true;
	ret = lumen_frame_alloc(&j->latest, LUMEN_PIX_NV12, d->src->width & ~1,
				d->src->height & ~1);
	if (ret)
		return ret;
	ret = make_scaler(d->src->width, d->src->height, j->width, j->height,
			  &j->scaler, &j->scaled, msg, sizeof(msg));
	if (ret) {
		snprintf(err, errlen, "jpeg: scaler: %s", msg);
		return ret;
	}
	lumen_encoder_config_default(&ec);
	ec.width = j->width;
	ec.height = j->height;
	ec.fmt = LUMEN_PIX_NV12;
	ec.fps_num = d->cfg.mjpeg.fps;
	ec.fps_den = 1;
	ec.quality = d->cfg.jpeg.quality;
	ret = lumen_encoder_create(&j->enc, &lumen_encoder_jpeg, &ec, msg,
				   sizeof(msg));
	if (ret) {
		snprintf(err, errlen, "jpeg: encoder: %s", msg);
		return ret;
	}
	ret = lumen_stream_ring_init(&j->ring, 4,
				     lumen_encoder_au_capacity(&lumen_encoder_jpeg,
							       &ec));
	if (ret)
		return ret;
	j->ring_ok = true;
	atomic_store(&j->fps, d->cfg.mjpeg.fps);
	j->sink = lumen_pipeline_add_sink(d->pl, "jpeg", &jpeg_sink_ops, j, 1,
					  0);
	return j->sink < 0 ? j->sink : 0;

destroy_custom_lock:
	pthread_mutex_destroy(&j->custom_lock);
destroy_latest_lock:
	pthread_mutex_destroy(&j->latest_lock);
	return -EAGAIN;
}

static void jpeg_teardown(struct jpeg_chan *j)
{
	lumen_encoder_destroy(j->enc);
	j->enc = NULL;
	if (j->ring_ok)
		lumen_stream_ring_destroy(&j->ring);
	j->ring_ok = false;
	if (j->scaler) {
		lumen_scaler_destroy(j->scaler);
		lumen_frame_free(&j->scaled);
	}
	j->scaler = NULL;
	if (j->latest.data[0])
		lumen_frame_free(&j->latest);
	if (j->sync_ok) {
		pthread_cond_destroy(&j->copied);
		pthread_mutex_destroy(&j->custom_lock);
		pthread_mutex_destroy(&j->latest_lock);
	}
	j->sync_ok = false;
}

/* The newest JPEG of the ring, copied into @out. */
static int copy_newest_jpeg(struct jpeg_chan *j, uint64_t *seq, int timeout_ms,
			    struct lumen_buf *out)
{
	struct lumen_stream_buf *au;
	uint64_t next = lumen_stream_join_sequence(&j->ring);
	int err;

	if (seq && *seq + 1 > next)
		next = *seq + 1;
	err = lumen_stream_acquire(&j->ring, &next, timeout_ms, &au);
	if (err)
		return err == -EAGAIN ? -ETIMEDOUT : err;
	err = lumen_buf_append(out, au->data, au->len);
	if (seq)
		*seq = au->sequence;
	lumen_stream_release(&j->ring, au);
	return err;
}

/* jpeg.quality as configured now: the HTTP threads read d->cfg only under
 * cfg_lock, since /api/v1/set writes it from another HTTP thread. */
static int jpeg_quality(struct lumen_daemon *d)
{
	int q;

	pthread_mutex_lock(&d->cfg_lock);
	q = d->cfg.jpeg.quality;
	pthread_mutex_unlock(&d->cfg_lock);
	return q;
}

/*
 * HTTP thread, custom_lock held: has the sink copy its next frame into
 * j->latest (waits up to 2 s: the sink takes mjpeg.fps frames a second
 * when the ISP keeps up). Returns 0 when latest
 * holds a frame: the new one, or an older one when the sink took none in
 * time (a stalled JPEG output); -EAGAIN when there never was one.
 */
static int snapshot_latest(struct jpeg_chan *j)
{
	struct timespec until;
	int err = 0;

	/* as long as a plain snapshot waits for its JPEG (http_snapshot) */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&j->latest_lock);
	atomic_store_explicit(&j->want, true, memory_order_release);
	while (atomic_load_explicit(&j->want, memory_order_relaxed) && !err)
		err = pthread_cond_timedwait(&j->copied, &j->latest_lock, &until);
	atomic_store_explicit(&j->want, false, memory_order_relaxed);
	err = j->have_latest ? 0 : -EAGAIN;
	pthread_mutex_unlock(&j->latest_lock);
	return err;
}

/* A JPEG of another size or quality: scaled and encoded on this thread
 * from a copy of the next frame the JPEG sink takes (allocates and copies
 * per request, not per frame; the sink thread never waits on it). */
static int custom_jpeg(struct jpeg_chan *j, const struct lumen_http_jpeg_req *req,
		       struct lumen_buf *out)
{
	struct lumen_daemon *d = j->d;
	struct lumen_encoder_config ec;
	struct lumen_stream_ring ring;
	struct lumen_stream_buf *au;
	struct lumen_encoder *enc = NULL;
	struct lumen_scaler *sc = NULL;
	struct lumen_frame scaled = { 0 };
	uint64_t next = 1;
	char msg[256];
	int w = req->width ? req->width : j->width;
	int h = req->height ? req->height : j->height;
	int err;

	if (w < 16 || h < 16 || w > d->src->width || h > d->src->height)
		return -EINVAL;
	w &= ~1;
	h &= ~1;
	lumen_encoder_config_default(&ec);
	ec.width = w;
	ec.height = h;
	ec.fmt = LUMEN_PIX_NV12;
	ec.quality = req->quality ? req->quality : jpeg_quality(d);
	err = lumen_encoder_create(&enc, &lumen_encoder_jpeg, &ec, msg, sizeof(msg));
	if (err)
		return -EINVAL;
	err = lumen_stream_ring_init(&ring, 1,
				     lumen_encoder_au_capacity(&lumen_encoder_jpeg, &ec));
	if (err)
		goto destroy_enc;
	err = make_scaler(j->latest.width, j->latest.height, w, h, &sc, &scaled,
			  msg, sizeof(msg));
	if (err)
		goto destroy_ring;
	pthread_mutex_lock(&j->custom_lock);
	err = snapshot_latest(j);
	if (!err && sc)
		err = lumen_scaler_run(sc, &j->latest, &scaled);
	if (!err)
		err = lumen_encoder_encode(enc, sc ? &scaled : &j->latest, &ring);
	pthread_mutex_unlock(&j->custom_lock);
	if (err >= 0 && lumen_stream_acquire(&ring, &next, 0, &au) == 0) {
		err = lumen_buf_append(out, au->data, au->len);
		lumen_stream_release(&ring, au);
	} else if (err >= 0) {
		err = -EIO;
	}
	if (sc) {
		lumen_scaler_destroy(sc);
		lumen_frame_free(&scaled);
	}
destroy_ring:
	lumen_stream_ring_destroy(&ring);
destroy_enc:
	lumen_encoder_destroy(enc);
	return err;
}

/* ---- HTTP callbacks -------------------------------------------------------- */


static int http_snapshot(void *ctx, const struct lumen_http_jpeg_req *req,
			 struct lumen_buf *out)
{
	struct lumen_daemon *d = ctx;
	struct jpeg_chan *j = &d->jpeg;

	if (!j->enabled)
		return -EAGAIN;
	if ((req->width && req->width != j->width) ||
	    (req->height && req->height != j->height) ||
	    (req->quality && req->quality != jpeg_quality(d)))
		return custom_jpeg(j, req, out);
	return copy_newest_jpeg(j, NULL, 2000, out) == 0 ? 0 : -EAGAIN;
}

static int http_next_jpeg(void *ctx, uint64_t *seq, int timeout_ms,
			  struct lumen_buf *out)
{
	struct lumen_daemon *d = ctx;

	if (!d->jpeg.enabled)
		return -ENODEV;
	/* an /mjpeg viewer: the sink goes up to mjpeg.fps (jpeg_max_fps) */
	atomic_store_explicit(&d->jpeg.mjpeg_asked_ms,
			      (unsigned)(lumen_now_ns() / 1000000) | 1u,
			      memory_order_relaxed);
	return copy_newest_jpeg(&d->jpeg, seq, timeout_ms, out);
}

#define MAX_STAGES 24

static int collect(struct lumen_daemon *d, struct lumen_stage_status *st)
{
	int n = lumen_pipeline_status(d->pl, st, MAX_STAGES - 2);
	struct lumen_rtsp_stats rs;

	/* the encoders and the streamer as stages of their own */
	for (int i = 0; i < NCHAN && n < MAX_STAGES - 1; i++) {
		struct lumen_encoder_counters ec;
		struct lumen_stage_status *s;

		if (!d->ch[i].enc)
			continue;
		lumen_encoder_read_counters(d->ch[i].enc, &ec);
		s = &st[n++];
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "encoder%d", i);
		s->frames_in = ec.frames_in;
		s->frames_out = ec.frames_out;
		s->drops = ec.dropped + ec.too_large;
		s->errors = ec.errors;
		s->ns_last = ec.ns_last;
		s->ns_total = ec.ns_total;
		lumen_status_extra(s, "bytes", (int64_t)ec.bytes_out);
		lumen_status_extra(s, "keyframes", (int64_t)ec.keyframes);
	}
	if (d->rtsp && n < MAX_STAGES) {
		struct lumen_stage_status *s = &st[n++];
		uint64_t aus = 0, sent = 0, drops = 0;
		unsigned clients = 0;

		lumen_rtsp_stats(d->rtsp, &rs);
		for (unsigned i = 0; i < rs.nchannels; i++) {
			aus += rs.ch[i].aus;
			sent += rs.ch[i].packets_sent;
			drops += rs.ch[i].drops;
			clients += rs.ch[i].clients;
		}
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "streamer");
		s->frames_in = aus;
		s->frames_out = aus;
		s->drops = drops;
		s->errors = rs.auth_failures;
		lumen_status_extra(s, "clients", clients);
		lumen_status_extra(s, "packets_sent", (int64_t)sent);
		lumen_status_extra(s, "dropped_clients", (int64_t)rs.dropped_clients);
		lumen_status_extra(s, "connections", (int64_t)rs.connections);
	}
	return n;
}

static int http_status(void *ctx, struct lumen_buf *out)
{
	struct lumen_daemon *d = ctx;
	struct lumen_stage_status st[MAX_STAGES];
	struct lumen_control_state cs;
	struct lumen_rtsp_stats rs;
	int n = collect(d, st);

	lumen_buf_printf(out, "{\"uptime_s\":%.1f,\"board\":", uptime_s(d));
	lumen_buf_json_string(out, d->name);
	lumen_buf_printf(out, ",\"sensor\":");
	lumen_buf_json_string(out, d->sensor);
	lumen_buf_printf(out, ",\"stages\":[");
	for (int i = 0; i < n; i++) {
		const struct lumen_stage_status *s = &st[i];

		lumen_buf_printf(out, "%s{\"name\":", i ? "," : "");
		lumen_buf_json_string(out, s->name);
		lumen_buf_printf(out, ",\"frames_in\":%llu,\"frames_out\":%llu,"
				 "\"drops\":%llu,\"errors\":%llu,\"fps\":%.2f,"
				 "\"ms\":%.2f",
				 (unsigned long long)s->frames_in,
				 (unsigned long long)s->frames_out,
				 (unsigned long long)s->drops,
				 (unsigned long long)s->errors, s->fps,
				 s->ns_last / 1e6);
		lumen_buf_printf(out, ",\"counters\":{");
		for (int k = 0; k < s->nextra; k++) {
			lumen_buf_printf(out, "%s", k ? "," : "");
			lumen_buf_json_string(out, s->extra[k].key);
			lumen_buf_printf(out, ":%lld", (long long)s->extra[k].value);
		}
		lumen_buf_printf(out, "},\"note\":");
		lumen_buf_json_string(out, s->note);
		lumen_buf_printf(out, "}");
	}
	lumen_buf_printf(out, "],\"streams\":[");
	/* one snapshot for every channel: consistent, and one lock round */
	if (d->rtsp)
		lumen_rtsp_stats(d->rtsp, &rs);
	for (int i = 0; i < NCHAN; i++) {
		struct lumen_rtsp_channel_stats cst = { 0 };

		if (d->rtsp)
			cst = rs.ch[i];
		lumen_buf_printf(out, "%s{\"name\":\"ch%d\",\"enabled\":%s,"
				 "\"width\":%d,\"height\":%d,\"clients\":%u,"
				 "\"aus\":%llu,\"latency_ms\":%.1f,"
				 "\"latency_max_ms\":%.1f}",
				 i ? "," : "", i, d->ch[i].enabled ? "true" : "false",
				 d->ch[i].width, d->ch[i].height, cst.clients,
				 (unsigned long long)cst.aus,
				 cst.latency_ns_last / 1e6, cst.latency_ns_max / 1e6);
	}
	lumen_buf_printf(out, "]");
	if (d->ctl) {
		lumen_control_get(d->ctl, &cs);
		lumen_buf_printf(out, ",\"aaa\":{\"ae\":{\"enabled\":%s,"
				 "\"converged\":%s,\"exposure_ms\":%.3f,"
				 "\"gain\":%.3f,\"mean\":%.4f,\"error\":%.4f},"
				 "\"awb\":{\"enabled\":%s,\"converged\":%s,"
				 "\"r_gain\":%.4f,\"b_gain\":%.4f}}",
				 cs.ae_on ? "true" : "false",
				 cs.ae.converged ? "true" : "false",
				 cs.ae.exposure_s * 1e3, cs.ae.gain, cs.ae.mean,
				 cs.ae.error, cs.awb_on ? "true" : "false",
				 cs.awb.converged ? "true" : "false",
				 cs.awb.r_gain, cs.awb.b_gain);
	}
	lumen_buf_printf(out, "}");
	return out->failed ? -ENOMEM : 0;
}

/* HTTP thread: the stage table as `lumen run` prints it, for the doctor. */
static int http_status_text(void *ctx, struct lumen_buf *out)
{
	struct lumen_daemon *d = ctx;
	struct lumen_stage_status st[MAX_STAGES];
	int n = collect(d, st), len;

	lumen_buf_printf(out, "lumen serve: board %s, sensor %s, up %.1f s\n",
			 d->name, d->sensor, uptime_s(d));
	len = lumen_status_format(st, n, NULL, 0);
	if (len < 0 || lumen_buf_reserve(out, (size_t)len + 1))
		return -ENOMEM;
	lumen_status_format(st, n, (char *)out->data + out->len, (size_t)len + 1);
	out->len += (size_t)len;
	return out->failed ? -ENOMEM : 0;
}

static int http_metrics(void *ctx, struct lumen_metrics *w)
{
	struct lumen_daemon *d = ctx;
	struct lumen_stage_status st[MAX_STAGES];
	struct lumen_control_state cs;
	char labels[96];
	int n = collect(d, st);

#define EACH_STAGE(call) \
	for (int i = 0; i < n; i++) { \
		snprintf(labels, sizeof(labels), "stage=\"%.23s\"", st[i].name); \
		call; \
	}
	lumen_metrics_gauge(w, "lumen_uptime_seconds", "Seconds since start",
			    NULL, uptime_s(d));
	EACH_STAGE(lumen_metrics_counter(w, "lumen_stage_frames_in_total",
		   "Frames a stage received", labels, st[i].frames_in))
	EACH_STAGE(lumen_metrics_counter(w, "lumen_stage_frames_out_total",
		   "Frames a stage delivered", labels, st[i].frames_out))
	EACH_STAGE(lumen_metrics_counter(w, "lumen_stage_drops_total",
		   "Frames a stage dropped", labels, st[i].drops))
	EACH_STAGE(lumen_metrics_counter(w, "lumen_stage_errors_total",
		   "Errors of a stage", labels, st[i].errors))
	EACH_STAGE(lumen_metrics_gauge(w, "lumen_stage_fps",
		   "Frames per second a stage delivers", labels, st[i].fps))
	EACH_STAGE(lumen_metrics_gauge(w, "lumen_stage_last_ms",
		   "Processing time of the last frame", labels,
		   st[i].ns_last / 1e6))
#undef EACH_STAGE
	if (d->jpeg.sync_ok) {
		uint64_t copies;

		pthread_mutex_lock(&d->jpeg.latest_lock);
		copies = d->jpeg.copies;
		pthread_mutex_unlock(&d->jpeg.latest_lock);
		lumen_metrics_counter(w, "lumen_jpeg_frame_copies_total",
				      "Frames the JPEG output copied for custom snapshots",
				      NULL, copies);
	}
	if (d->ctl) {
		lumen_control_get(d->ctl, &cs);
		lumen_metrics_gauge(w, "lumen_ae_exposure_seconds",
				    "Exposure AE asks for", NULL, cs.ae.exposure_s);
		lumen_metrics_gauge(w, "lumen_ae_gain", "Gain AE asks for", NULL,
				    cs.ae.gain);
		lumen_metrics_gauge(w, "lumen_ae_converged", "1 when AE settled",
				    NULL, cs.ae.converged);
		lumen_metrics_gauge(w, "lumen_awb_gain", "White balance gains",
				    "channel=\"r\"", cs.awb.r_gain);
		lumen_metrics_gauge(w, "lumen_awb_gain", "White balance gains",
				    "channel=\"b\"", cs.awb.b_gain);
	}
	if (d->rtsp) {
		struct lumen_rtsp_stats rs;

		lumen_rtsp_stats(d->rtsp, &rs);
		for (unsigned i = 0; i < rs.nchannels; i++) {
			snprintf(labels, sizeof(labels), "channel=\"%u\"", i);
			lumen_metrics_gauge(w, "lumen_rtsp_clients",
					    "RTSP clients playing", labels,
					    rs.ch[i].clients);
		}
		for (unsigned i = 0; i < rs.nchannels; i++) {
			snprintf(labels, sizeof(labels), "channel=\"%u\"", i);
			lumen_metrics_counter(w, "lumen_rtsp_bytes_sent_total",
					      "RTP bytes sent", labels,
					      rs.ch[i].bytes_sent);
		}
		for (unsigned i = 0; i < rs.nchannels; i++) {
			snprintf(labels, sizeof(labels), "channel=\"%u\"", i);
			lumen_metrics_gauge(w, "lumen_rtsp_latency_seconds",
					    "Capture to first RTP packet, last frame",
					    labels, rs.ch[i].latency_ns_last / 1e9);
		}
		for (unsigned i = 0; i < rs.nchannels; i++) {
			snprintf(labels, sizeof(labels), "channel=\"%u\"", i);
			lumen_metrics_gauge(w, "lumen_rtsp_latency_max_seconds",
					    "Capture to first RTP packet, worst frame",
					    labels, rs.ch[i].latency_ns_max / 1e9);
		}
		for (unsigned i = 0; i < rs.nchannels; i++) {
			snprintf(labels, sizeof(labels), "channel=\"%u\"", i);
			lumen_metrics_counter(w, "lumen_rtsp_aus_total",
					      "Access units (frames) queued for sending",
					      labels, rs.ch[i].aus);
		}
		for (unsigned i = 0; i < rs.nchannels; i++) {
			snprintf(labels, sizeof(labels), "channel=\"%u\"", i);
			lumen_metrics_counter(w, "lumen_rtsp_client_drops_total",
					      "RTP packets clients skipped (slow readers)",
					      labels, rs.ch[i].drops);
		}
	}
	return 0;
}

/* isp.demosaic (enum lumen_cfg_demosaic) as the ISP's method. */
static enum lumen_demosaic_method demosaic_method(int cfg_demosaic)
{
	switch (cfg_demosaic) {
	case LUMEN_CFG_DEMOSAIC_QUALITY:
		return LUMEN_DEMOSAIC_QUALITY;
	case LUMEN_CFG_DEMOSAIC_RI:
		return LUMEN_DEMOSAIC_RI;
	default:
		return LUMEN_DEMOSAIC_FAST;
	}
}

static void control_config_from(const struct lumen_config *cfg,
				struct lumen_control_config *cc)
{
	static const enum lumen_awb_method awb[] = {
		[LUMEN_CFG_AWB_AUTO] = LUMEN_AWB_COMBINED,
		[LUMEN_CFG_AWB_GREY_WORLD] = LUMEN_AWB_GREY_WORLD,
		[LUMEN_CFG_AWB_WHITE_PATCH] = LUMEN_AWB_WHITE_PATCH,
		[LUMEN_CFG_AWB_GREY_EDGE] = LUMEN_AWB_GREY_EDGE,
		[LUMEN_CFG_AWB_GREY_PIXEL] = LUMEN_AWB_GREY_PIXEL,
	};

	memset(cc, 0, sizeof(*cc));
	cc->ae = cfg->isp.ae.enabled;
	cc->awb = true;
	cc->ae_cfg.target = cfg->isp.ae.target / 100.0f;
	cc->ae_cfg.flicker_hz = cfg->isp.ae.antiflicker == LUMEN_CFG_ANTIFLICKER_50 ? 50 :
		cfg->isp.ae.antiflicker == LUMEN_CFG_ANTIFLICKER_60 ? 60 : 0;
	cc->awb_cfg.method = awb[cfg->isp.awb];
	/* every estimator reads only the ISP's statistics (about 1 ms for
	 * the combined one at 2560x1440): one estimate per frame */
}

static void http_config_changed(void *ctx, const struct lumen_config *cfg,
				const char *const *keys, size_t n, int restart)
{
	struct lumen_daemon *d = ctx;
	struct lumen_control_config cc;
	struct lumen_isp_params p;

	d->cfg = *cfg;
	for (size_t i = 0; i < n; i++)
		lumen_info("serve: config %s changed%s", keys[i],
			   restart ? " (applies after a restart)" : "");
	/* credentials apply at once to RTSP too (HTTP reads cfg->auth on
	 * every request); the RTSP server copies them under its own lock */
	if (d->rtsp)
		lumen_rtsp_set_creds(d->rtsp, &cfg->auth);
	for (int i = 0; i < NCHAN; i++) {
		const struct lumen_cfg_video *v = i ? &cfg->video1 : &cfg->video0;
		struct lumen_encoder_config ec;

		if (!d->ch[i].enc)
			continue;
		/* posted to the channel's sink thread, the encoder's owner; a
		 * newer post replaces one not yet taken */
		encoder_config(d, v, d->ch[i].width, d->ch[i].height, &ec);
		atomic_store_explicit(&d->ch[i].fps, ec.fps_num,
				      memory_order_relaxed);
		pthread_mutex_lock(&d->ch[i].mailbox_lock);
		d->ch[i].mailbox = ec;
		atomic_store_explicit(&d->ch[i].mailbox_full, true, memory_order_release);
		pthread_mutex_unlock(&d->ch[i].mailbox_lock);
	}
	atomic_store_explicit(&d->jpeg.fps, cfg->mjpeg.fps, memory_order_relaxed);
	control_config_from(cfg, &cc);
	if (d->ctl)
		lumen_control_reconfigure(d->ctl, &cc);
	lumen_pipeline_get_isp_params(d->pl, &p);
	p.demosaic = demosaic_method(cfg->isp.demosaic);
	lumen_pipeline_set_isp_params(d->pl, &p);
}

static const struct lumen_http_ops http_ops = {
	.snapshot = http_snapshot,
	.next_jpeg = http_next_jpeg,
	.status = http_status,
	.status_text = http_status_text,
	.metrics = http_metrics,
	.config_changed = http_config_changed,
};

/* ---- start / stop ---------------------------------------------------------- */

int lumen_daemon_start(const struct lumen_config *cfg, const char *cfg_path,
		       const struct lumen_camera_config *camera,
		       struct lumen_daemon **out, char *err, size_t errlen)
{
	struct lumen_camera_config camc = { .light = 1.0 };
	struct lumen_pipeline_config pc = { 0 };
	struct lumen_control_config cc;
	struct lumen_rtsp_config rc = { 0 };
	struct lumen_http_params hp = { 0 };
	struct lumen_daemon *d;
	static char report[65536];	/* one start at a time (main thread) */
	char msg[512];
	int ret;

#ifdef PR_SET_THP_DISABLE
	/* x264 asks for transparent huge pages on its large buffers
	 * (madvise), and a huge page is resident whole: its partly written
	 * bitstream buffers cost 2 MB each. A camera's memory is counted in
	 * pages; 4.5 MB less RSS on the default camera, no speed lost
	 * (docs/serve-testing.md). Failure changes nothing else. */
	(void)prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
#endif
	d = calloc(1, sizeof(*d));
	if (!d)
		return LUMEN_EXIT_RUNTIME;
	clock_gettime(CLOCK_MONOTONIC, &d->started);
	d->cfg = *cfg;
	pthread_mutex_init(&d->cfg_lock, NULL);
	for (int i = 0; i < NCHAN; i++)
		pthread_mutex_init(&d->ch[i].mailbox_lock, NULL);
	if (cfg_path)
		snprintf(d->cfg_path, sizeof(d->cfg_path), "%s", cfg_path);

	/* the camera: board.name (none: a V4L2 device without tuning),
	 * board.backend v4l2 or the board file's backend */
	if (camera)
		camc = *camera;
	camc.board = cfg->board.name[0] ? d->cfg.board.name : NULL;
	camc.backend = cfg->board.backend == LUMEN_CFG_BACKEND_V4L2 ?
		LUMEN_CAMERA_V4L2 : LUMEN_CAMERA_AS_BOARD;
	camc.faults = cfg->board.faults;
	ret = lumen_camera_open(&camc, &d->cam, msg, sizeof(msg));
	if (ret) {
		snprintf(err, errlen, "%s%s",
			 camc.backend == LUMEN_CAMERA_V4L2 ? "v4l2: " : "", msg);
		ret = ret == -EINVAL ? LUMEN_EXIT_USAGE : LUMEN_EXIT_RUNTIME;
		goto fail;
	}
	d->src = d->cam->src;
	d->name = lumen_camera_name(d->cam);
	d->sensor = lumen_camera_sensor(d->cam);
	d->board_fps = d->cam->has_board ? d->cam->board.fps : 0;
	control_config_from(cfg, &cc);
	/* live video: when the ISP falls behind, develop the newest frame
	 * and count the older ones as dropped, not a growing delay */
	lumen_camera_pipeline_config(d->cam, true, &cc, &pc);
	d->ctl = d->cam->ctl;
	/*
	 * NV12 output frames (5.5 MB each at 2560x1440): one the ISP develops
	 * and the one before in the sinks' hands: the encoders and the JPEG
	 * output (a frame a second) take well under a frame period with it
	 * (bench/bench_serve.sh prints their CPU per frame). When a late sink
	 * still holds it, the ISP drops the newest frame (counted as the isp
	 * stage's drops) rather than hold more memory.
	 */
	pc.out_buffers = 2;
	pc.isp_threads = cfg->isp.threads;
	pc.isp.demosaic = demosaic_method(cfg->isp.demosaic);
	ret = lumen_pipeline_create(&pc, &d->pl);
	if (ret) {
		snprintf(err, errlen, "pipeline: %s", strerror(-ret));
		ret = LUMEN_EXIT_RUNTIME;
		goto fail;
	}
	if (h264_setup(d, 0, &cfg->video0, err, errlen) ||
	    h264_setup(d, 1, &cfg->video1, err, errlen) ||
	    jpeg_setup(d, err, errlen)) {
		ret = LUMEN_EXIT_USAGE;
		goto fail;
	}

	if (cfg->rtsp.enabled) {
		rc.port = (uint16_t)cfg->rtsp.port;
		rc.nchannels = NCHAN;
		for (int i = 0; i < NCHAN; i++) {
			const struct lumen_cfg_video *v = i ? &cfg->video1 : &cfg->video0;

			rc.ch[i].width = (unsigned)d->ch[i].width;
			rc.ch[i].height = (unsigned)d->ch[i].height;
			rc.ch[i].fps_num = (unsigned)chan_fps(d, v);
			rc.ch[i].fps_den = 1;
			rc.ch[i].bitrate_kbps = (unsigned)v->bitrate_kbps;
			rc.ch[i].ring_packets = ring_packets_for(v->bitrate_kbps);
		}
		if (cfg->rtsp.bind[0])
			rc.bind_addr = d->cfg.rtsp.bind;
		/* one set of credentials for both servers (auth:, HA1s only) */
		rc.creds = cfg->auth;
		rc.request_keyframe = request_keyframe;
		rc.opaque = d;
		d->rtsp = lumen_rtsp_create(&rc, msg, sizeof(msg));
		if (!d->rtsp) {
			snprintf(err, errlen, "rtsp: %s", msg);
			ret = LUMEN_EXIT_NET;
			goto fail;
		}
	}

	ret = lumen_pipeline_start(d->pl);
	if (ret) {
		snprintf(err, errlen, "%s: start failed at stage '%s': %s",
			 d->name, d->src->failed_stage, d->src->error);
		/* the graph and the path (V4L2), or the bus scan */
		if (lumen_camera_start_report(d->cam, report, sizeof(report)))
			fputs(report, stderr);
		ret = LUMEN_EXIT_RUNTIME;
		goto fail;
	}
	/* the virtual board's stalled-consumer fault: the JPEG output stops
	 * taking frames, so only its own queue may drop */
	if ((cfg->board.faults & (1u << LUMEN_FAULT_STALLED_CONSUMER)) &&
	    d->jpeg.enabled && d->jpeg.sink >= 0)
		lumen_pipeline_stall_sink(d->pl, d->jpeg.sink, true);
	if (d->rtsp && lumen_rtsp_start(d->rtsp)) {
		snprintf(err, errlen, "rtsp: cannot start its thread");
		ret = LUMEN_EXIT_RUNTIME;
		goto fail;
	}
	if (cfg->http.enabled) {
		hp.bind = cfg->http.bind[0] ? d->cfg.http.bind : NULL;
		hp.port = cfg->http.port;
		hp.cfg = &d->cfg;
		hp.cfg_lock = &d->cfg_lock;
		hp.cfg_path = d->cfg_path[0] ? d->cfg_path : NULL;
		hp.ops = &http_ops;
		hp.ctx = d;
		if (lumen_http_start(&hp, &d->http, msg, sizeof(msg))) {
			snprintf(err, errlen, "%s", msg);
			ret = LUMEN_EXIT_NET;
			goto fail;
		}
	}
	*out = d;
	return 0;

fail:
	lumen_daemon_stop(d);
	return ret;
}

void lumen_daemon_print_urls(struct lumen_daemon *d, const char *host)
{
	if (d->rtsp) {
		for (int i = 0; i < NCHAN; i++)
			if (d->ch[i].enabled)
				printf("rtsp://%s:%u/ch%d  (%dx%d H.264)\n", host,
				       lumen_rtsp_port(d->rtsp), i, d->ch[i].width,
				       d->ch[i].height);
	}
	if (d->http) {
		int port = lumen_http_port(d->http);
		const char *sc;

		/* HTTP threads may be writing d->cfg (/api/v1/set) already */
		pthread_mutex_lock(&d->cfg_lock);
		sc = d->cfg.tls.cert[0] ? "https" : "http";
		pthread_mutex_unlock(&d->cfg_lock);

		printf("%s://%s:%d/  (web page)\n", sc, host, port);
		printf("%s://%s:%d/image.jpg  %s://%s:%d/mjpeg  "
		       "%s://%s:%d/api/v1/status  %s://%s:%d/metrics\n",
		       sc, host, port, sc, host, port, sc, host, port, sc, host, port);
	}
	fflush(stdout);
}

void lumen_daemon_stop(struct lumen_daemon *d)
{
	if (!d)
		return;
	/* outputs first, so nobody waits on a stopped pipeline */
	lumen_http_stop(d->http);
	d->http = NULL;
	for (int i = 0; i < NCHAN; i++)
		if (d->ch[i].ring_ok)
			lumen_stream_ring_close(&d->ch[i].ring);
	if (d->jpeg.ring_ok)
		lumen_stream_ring_close(&d->jpeg.ring);
	if (d->pl)
		lumen_pipeline_destroy(d->pl);
	lumen_rtsp_destroy(d->rtsp);
	for (int i = 0; i < NCHAN; i++)
		h264_teardown(&d->ch[i]);
	jpeg_teardown(&d->jpeg);
	lumen_camera_close(d->cam);
	for (int i = 0; i < NCHAN; i++)
		pthread_mutex_destroy(&d->ch[i].mailbox_lock);
	pthread_mutex_destroy(&d->cfg_lock);
	free(d);
}

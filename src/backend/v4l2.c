// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The V4L2 source (see v4l2.h). Threads: create/start/stop/destroy on the
 * control thread, dequeue/release/set_exposure_gain on the ISP thread,
 * status() on any thread: the counters are under v->lock; the device fds
 * are only used by the thread that owns the phase.
 */
#include "backend/v4l2.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/media-bus-format.h>
#include <linux/media.h>
#include <linux/v4l2-subdev.h>
#include <linux/videodev2.h>

#include "backend/media.h"
#include "backend/media_plan.h"

#define MAX_BUFFERS 16

struct v4l2_ctrl_info {
	bool present;
	int fd;			/* the node that has it */
	int32_t min, max, def;
};

struct vsrc {
	struct lumen_source src;
	struct lumen_v4l2_config cfg;
	struct lumen_media media;
	struct lumen_media_path path;
	char report[2048];	/* the last validation's text */

	int vfd;		/* capture node */
	uint32_t type;		/* its buffer type: single- or multi-planar */
	int sfd;		/* sensor subdev, or -1 */
	int nbufs;
	struct {
		void *mem;
		size_t len;
		bool queued;
	} bufs[MAX_BUFFERS];
	struct lumen_frame frames[MAX_BUFFERS];
	int dmafd[MAX_BUFFERS];		/* VIDIOC_EXPBUF, -1 where refused */
	uint32_t stride;
	bool streaming;
	int64_t last_frame_ns, stream_on_ns;

	struct v4l2_ctrl_info exposure, gain, pixel_rate, vblank, hblank;

	int nfmts;
	struct lumen_source_format fmts[32];	/* enum_formats' list */

	pthread_mutex_t lock;	/* counters below */
	uint64_t dequeued, drops, errors, timeouts;
	uint32_t last_seq;
	bool have_seq;
	int32_t cur_exposure, cur_gain;
	bool validated;
	char note[160];
};

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

static int fail(struct vsrc *v, const char *stage, int err, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));

static int fail(struct vsrc *v, const char *stage, int err, const char *fmt,
		...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->src.error, sizeof(v->src.error), fmt, ap);
	va_end(ap);
	snprintf(v->src.failed_stage, sizeof(v->src.failed_stage), "%s", stage);
	return err;
}

static const char *capture_name(const struct vsrc *v)
{
	return v->media.entities[v->path.capture].name;
}

static const char *capture_node(const struct vsrc *v)
{
	return v->media.entities[v->path.capture].devnode;
}

/* ---- controls ----------------------------------------------------------- */

static bool query_ctrl(int fd, uint32_t id, struct v4l2_ctrl_info *c)
{
	struct v4l2_queryctrl q;

	if (fd < 0)
		return false;
	memset(&q, 0, sizeof(q));
	q.id = id;
	if (xioctl(fd, VIDIOC_QUERYCTRL, &q) || (q.flags & V4L2_CTRL_FLAG_DISABLED))
		return false;
	c->present = true;
	c->fd = fd;
	c->min = q.minimum;
	c->max = q.maximum;
	c->def = q.default_value;
	return true;
}

static void find_ctrl(struct vsrc *v, uint32_t id, struct v4l2_ctrl_info *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!query_ctrl(v->sfd, id, c))
		query_ctrl(v->vfd, id, c);
}

static int set_ctrl(int fd, uint32_t id, int64_t value)
{
	struct v4l2_ext_control ec;
	struct v4l2_ext_controls ecs;

	memset(&ec, 0, sizeof(ec));
	memset(&ecs, 0, sizeof(ecs));
	ec.id = id;
	ec.value64 = value;
	ec.value = (int32_t)value;
	ecs.which = V4L2_CTRL_WHICH_CUR_VAL;
	ecs.count = 1;
	ecs.controls = &ec;
	return xioctl(fd, VIDIOC_S_EXT_CTRLS, &ecs);
}

static int64_t get_ctrl(int fd, uint32_t id, int64_t fallback)
{
	struct v4l2_control c = { .id = id };

	return fd >= 0 && !xioctl(fd, VIDIOC_G_CTRL, &c) ? c.value : fallback;
}

/* A control by its name (as VIDIOC_QUERYCTRL reports it) on @fd. */
static int ctrl_by_name(int fd, const char *name, uint32_t *id)
{
	struct v4l2_queryctrl q;

	if (fd < 0)
		return -ENOENT;
	memset(&q, 0, sizeof(q));
	q.id = V4L2_CTRL_FLAG_NEXT_CTRL;
	while (!xioctl(fd, VIDIOC_QUERYCTRL, &q)) {
		if (!strcasecmp((const char *)q.name, name)) {
			*id = q.id;
			return 0;
		}
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return -ENOENT;
}

static int apply_named_ctrls(struct vsrc *v)
{
	for (int i = 0; i < v->cfg.nctrls; i++) {
		const char *name = v->cfg.ctrls[i].name;
		int fds[2] = { v->sfd, v->vfd }, ret = -ENOENT;
		const char *where = "";
		uint32_t id;

		for (int k = 0; k < 2 && ret == -ENOENT; k++) {
			if (ctrl_by_name(fds[k], name, &id))
				continue;
			where = k == 0 ? v->media.entities[v->path.sensor].name : capture_name(v);
			ret = set_ctrl(fds[k], id, v->cfg.ctrls[i].value);
		}
		if (ret == -ENOENT)
			return fail(v, "media", -ENOENT, "%s: control '%s': neither the sensor nor '%s' (%s) has it (VIDIOC_QUERYCTRL)",
				    v->media.path, name, capture_name(v), capture_node(v));
		if (ret)
			return fail(v, "media", ret, "%s: entity '%s': VIDIOC_S_EXT_CTRLS '%s' = %lld: %s",
				    v->media.path, where, name,
				    (long long)v->cfg.ctrls[i].value, strerror(-ret));
	}
	return 0;
}

int lumen_v4l2_config_add_ctrl(struct lumen_v4l2_config *cfg, const char *spec)
{
	const char *eq = strrchr(spec, '=');
	char *end;
	long long val;

	if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof(cfg->ctrls[0].name) ||
	    cfg->nctrls >= LUMEN_V4L2_MAX_CTRLS)
		return -EINVAL;
	val = strtoll(eq + 1, &end, 0);
	if (end == eq + 1 || *end)
		return -EINVAL;
	snprintf(cfg->ctrls[cfg->nctrls].name, sizeof(cfg->ctrls[0].name), "%.*s",
		 (int)(eq - spec), spec);
	cfg->ctrls[cfg->nctrls].value = val;
	cfg->nctrls++;
	return 0;
}

/* ---- streaming ---------------------------------------------------------- */

static void unmap_buffers(struct vsrc *v)
{
	struct v4l2_requestbuffers rb;

	for (int i = 0; i < v->nbufs; i++) {
		if (v->bufs[i].mem)
			munmap(v->bufs[i].mem, v->bufs[i].len);
		if (v->dmafd[i] >= 0)
			close(v->dmafd[i]);
		v->dmafd[i] = -1;
	}
	memset(v->bufs, 0, sizeof(v->bufs));
	v->nbufs = 0;
	memset(&rb, 0, sizeof(rb));
	rb.type = v->type;
	rb.memory = V4L2_MEMORY_MMAP;
	(void)xioctl(v->vfd, VIDIOC_REQBUFS, &rb);	/* count 0: free them */
}

/* A v4l2_buffer for @index of our type; multi-planar ones point at
 * @planes (one plane: lumen refuses formats with more). */
static void buf_init(const struct vsrc *v, struct v4l2_buffer *b,
		     struct v4l2_plane *planes, uint32_t index)
{
	memset(b, 0, sizeof(*b));
	b->type = v->type;
	b->memory = V4L2_MEMORY_MMAP;
	b->index = index;
	if (v->type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE) {
		memset(planes, 0, sizeof(*planes) * VIDEO_MAX_PLANES);
		b->m.planes = planes;
		b->length = VIDEO_MAX_PLANES;
	}
}

static bool mplane(const struct vsrc *v)
{
	return v->type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
}

static enum lumen_bayer bayer_of(uint32_t code)
{
	switch (code) {
	case MEDIA_BUS_FMT_SBGGR8_1X8: case MEDIA_BUS_FMT_SBGGR10_1X10:
	case MEDIA_BUS_FMT_SBGGR12_1X12: case MEDIA_BUS_FMT_SBGGR16_1X16:
		return LUMEN_BAYER_BGGR;
	case MEDIA_BUS_FMT_SGBRG8_1X8: case MEDIA_BUS_FMT_SGBRG10_1X10:
	case MEDIA_BUS_FMT_SGBRG12_1X12: case MEDIA_BUS_FMT_SGBRG16_1X16:
		return LUMEN_BAYER_GBRG;
	case MEDIA_BUS_FMT_SGRBG8_1X8: case MEDIA_BUS_FMT_SGRBG10_1X10:
	case MEDIA_BUS_FMT_SGRBG12_1X12: case MEDIA_BUS_FMT_SGRBG16_1X16:
		return LUMEN_BAYER_GRBG;
	default:
		return LUMEN_BAYER_RGGB;
	}
}

static int bits_of(uint32_t code)
{
	switch (code) {
	case MEDIA_BUS_FMT_SBGGR10_1X10: case MEDIA_BUS_FMT_SGBRG10_1X10:
	case MEDIA_BUS_FMT_SGRBG10_1X10: case MEDIA_BUS_FMT_SRGGB10_1X10:
		return 10;
	case MEDIA_BUS_FMT_SBGGR12_1X12: case MEDIA_BUS_FMT_SGBRG12_1X12:
	case MEDIA_BUS_FMT_SGRBG12_1X12: case MEDIA_BUS_FMT_SRGGB12_1X12:
		return 12;
	case MEDIA_BUS_FMT_SBGGR16_1X16: case MEDIA_BUS_FMT_SGBRG16_1X16:
	case MEDIA_BUS_FMT_SGRBG16_1X16: case MEDIA_BUS_FMT_SRGGB16_1X16:
		return 16;
	default:
		return 8;
	}
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void vs_stop(struct lumen_source *src)
{
	struct vsrc *v = src->priv;
	int type = (int)v->type;

	if (v->streaming) {
		(void)xioctl(v->vfd, VIDIOC_STREAMOFF, &type);
		v->streaming = false;
	}
	if (v->nbufs)
		unmap_buffers(v);
}

static int vs_start(struct lumen_source *src)
{
	struct vsrc *v = src->priv;
	struct v4l2_requestbuffers rb;
	struct v4l2_format vf;
	int type = (int)v->type, ret, bits;
	uint32_t w, h;
	char err[256];

	v->src.error[0] = 0;
	v->src.failed_stage[0] = 0;

	/* the whole pipeline as the kernel will check it, before STREAMON */
	ret = lumen_media_validate(&v->media, v->path.capture, v->report,
				   sizeof(v->report));
	pthread_mutex_lock(&v->lock);
	v->validated = ret == 0;
	snprintf(v->note, sizeof(v->note), "%s", ret ? "format mismatch before STREAMON" : "");
	pthread_mutex_unlock(&v->lock);
	if (ret) {
		/* the whole report is in dump(); the error holds its start */
		return fail(v, "media", ret, "%s: the pipeline of '%s' (%s) has mismatching formats, not streaming:\n%s",
			    v->media.path, capture_name(v), capture_node(v), v->report);
	}
	ret = apply_named_ctrls(v);
	if (ret)
		return ret;

	memset(&vf, 0, sizeof(vf));
	vf.type = v->type;
	ret = xioctl(v->vfd, VIDIOC_G_FMT, &vf);
	if (ret)
		return fail(v, "dma", ret, "%s: entity '%s' (%s): VIDIOC_G_FMT: %s",
			    v->media.path, capture_name(v), capture_node(v), strerror(-ret));
	if (mplane(v)) {
		if (vf.fmt.pix_mp.num_planes != 1)
			return fail(v, "dma", -EINVAL, "%s: entity '%s' (%s): %u planes: lumen takes raw Bayer in one",
				    v->media.path, capture_name(v), capture_node(v),
				    vf.fmt.pix_mp.num_planes);
		w = vf.fmt.pix_mp.width;
		h = vf.fmt.pix_mp.height;
		v->stride = vf.fmt.pix_mp.plane_fmt[0].bytesperline;
	} else {
		w = vf.fmt.pix.width;
		h = vf.fmt.pix.height;
		v->stride = vf.fmt.pix.bytesperline;
	}
	if (w != (uint32_t)v->src.width || h != (uint32_t)v->src.height)
		return fail(v, "dma", -EINVAL, "%s: entity '%s' (%s): format changed to %ux%u since lumen set %dx%d",
			    v->media.path, capture_name(v), capture_node(v),
			    w, h, v->src.width, v->src.height);

	memset(&rb, 0, sizeof(rb));
	rb.count = (uint32_t)(v->cfg.buffers > 0 ? v->cfg.buffers : 4);
	if (rb.count > MAX_BUFFERS)
		rb.count = MAX_BUFFERS;
	rb.type = v->type;
	rb.memory = V4L2_MEMORY_MMAP;
	ret = xioctl(v->vfd, VIDIOC_REQBUFS, &rb);
	if (ret)
		return fail(v, "dma", ret, "%s: entity '%s' (%s): VIDIOC_REQBUFS %u mmap buffers: %s",
			    v->media.path, capture_name(v), capture_node(v), rb.count,
			    strerror(-ret));
	if (rb.count < 2) {
		ret = fail(v, "dma", -ENOMEM, "%s: entity '%s' (%s): VIDIOC_REQBUFS gave %u buffers, need 2",
			   v->media.path, capture_name(v), capture_node(v), rb.count);
		goto free_buffers;
	}
	v->nbufs = (int)rb.count;
	bits = bits_of(v->path.code);
	for (int i = 0; i < v->nbufs; i++) {
		struct v4l2_buffer b;
		struct v4l2_plane planes[VIDEO_MAX_PLANES];
		struct lumen_frame *f = &v->frames[i];
		uint32_t length, offset;

		buf_init(v, &b, planes, (uint32_t)i);
		ret = xioctl(v->vfd, VIDIOC_QUERYBUF, &b);
		if (ret) {
			ret = fail(v, "dma", ret, "%s: entity '%s' (%s): VIDIOC_QUERYBUF %d: %s",
				   v->media.path, capture_name(v), capture_node(v), i,
				   strerror(-ret));
			goto free_buffers;
		}
		length = mplane(v) ? planes[0].length : b.length;
		offset = mplane(v) ? planes[0].m.mem_offset : b.m.offset;
		v->bufs[i].len = length;
		v->bufs[i].mem = mmap(NULL, length, PROT_READ | PROT_WRITE,
				      MAP_SHARED, v->vfd, offset);
		if (v->bufs[i].mem == MAP_FAILED) {
			v->bufs[i].mem = NULL;
			ret = fail(v, "dma", -errno, "%s: entity '%s' (%s): mmap buffer %d: %s",
				   v->media.path, capture_name(v), capture_node(v), i,
				   strerror(errno));
			goto free_buffers;
		}
		{
			/* a dmabuf for consumers that take one (encoders,
			 * displays); a driver that cannot export still streams */
			struct v4l2_exportbuffer eb;

			memset(&eb, 0, sizeof(eb));
			eb.type = v->type;
			eb.index = (uint32_t)i;
			eb.flags = O_CLOEXEC | O_RDONLY;
			v->dmafd[i] = xioctl(v->vfd, VIDIOC_EXPBUF, &eb) ? -1 : eb.fd;
		}
		memset(f, 0, sizeof(*f));
		f->fmt = bits > 8 ? LUMEN_PIX_BAYER16 : LUMEN_PIX_BAYER8;
		f->width = v->src.width;
		f->height = v->src.height;
		f->data[0] = v->bufs[i].mem;
		f->stride[0] = v->stride;
		f->bayer = bayer_of(v->path.code);
		f->bits = bits;
		f->white = (uint16_t)((1u << bits) - 1);
		for (int k = 0; k < 4; k++)
			f->black[k] = v->cfg.black_level;
		f->owner = v;
		f->index = i;
		if ((size_t)v->stride * (size_t)v->src.height > length) {
			ret = fail(v, "dma", -EINVAL, "%s: entity '%s' (%s): buffer %d has %u bytes, %u x %d rows need more",
				   v->media.path, capture_name(v), capture_node(v), i,
				   length, v->stride, v->src.height);
			goto free_buffers;
		}
		buf_init(v, &b, planes, (uint32_t)i);
		if (mplane(v))
			b.length = 1;
		ret = xioctl(v->vfd, VIDIOC_QBUF, &b);
		if (ret) {
			ret = fail(v, "dma", ret, "%s: entity '%s' (%s): VIDIOC_QBUF %d: %s",
				   v->media.path, capture_name(v), capture_node(v), i,
				   strerror(-ret));
			goto free_buffers;
		}
		v->bufs[i].queued = true;
	}
	pthread_mutex_lock(&v->lock);
	v->dequeued = v->drops = v->errors = v->timeouts = 0;
	v->have_seq = false;
	pthread_mutex_unlock(&v->lock);
	ret = xioctl(v->vfd, VIDIOC_STREAMON, &type);
	if (ret) {
		/* lumen's own check passed: say so, the driver checks more */
		lumen_media_validate(&v->media, v->path.capture, v->report,
				     sizeof(v->report));
		snprintf(err, sizeof(err), "%s", ret == -EPIPE ?
			 " (lumen's check of every enabled link passed: the driver's link_validate checks more; see dmesg)" : "");
		ret = fail(v, "dma", ret, "%s: entity '%s' (%s): VIDIOC_STREAMON: %s%s",
			   v->media.path, capture_name(v), capture_node(v),
			   strerror(-ret), err);
		goto free_buffers;
	}
	v->streaming = true;
	v->stream_on_ns = v->last_frame_ns = now_ns();
	return 0;

free_buffers:
	unmap_buffers(v);
	return ret;
}

static int vs_dequeue(struct lumen_source *src, struct lumen_frame **out,
		      struct lumen_capture_info *info, int timeout_ms)
{
	struct vsrc *v = src->priv;
	struct pollfd pfd = { .fd = v->vfd, .events = POLLIN };
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b;
	struct lumen_frame *f;
	uint32_t bytesused, data_offset = 0;
	int r, ret;

	if (!v->streaming)
		return -ENODEV;
	r = poll(&pfd, 1, timeout_ms);
	if (r < 0)
		return errno == EINTR ? -ETIMEDOUT : -errno;
	if (r == 0) {
		if (timeout_ms > 0) {
			int64_t idle = (now_ns() - v->last_frame_ns) / 1000000;

			pthread_mutex_lock(&v->lock);
			v->timeouts++;
			snprintf(v->note, sizeof(v->note), "'%s' (%s) delivered no frame for %lld ms (%s)",
				 capture_name(v), capture_node(v), (long long)idle,
				 v->dequeued ? "since the last one" : "since STREAMON");
			pthread_mutex_unlock(&v->lock);
		}
		return -ETIMEDOUT;
	}
	buf_init(v, &b, planes, 0);
	ret = xioctl(v->vfd, VIDIOC_DQBUF, &b);
	if (ret == -EAGAIN)
		return -ETIMEDOUT;
	if (ret) {
		pthread_mutex_lock(&v->lock);
		v->errors++;
		snprintf(v->note, sizeof(v->note), "'%s' (%s): VIDIOC_DQBUF: %s",
			 capture_name(v), capture_node(v), strerror(-ret));
		pthread_mutex_unlock(&v->lock);
		return ret;
	}
	if (b.index >= (uint32_t)v->nbufs)
		return -EIO;
	bytesused = mplane(v) ? planes[0].bytesused : b.bytesused;
	if (mplane(v) && planes[0].data_offset < planes[0].bytesused)
		data_offset = planes[0].data_offset;
	v->bufs[b.index].queued = false;
	pthread_mutex_lock(&v->lock);
	if (v->have_seq && b.sequence > v->last_seq + 1)
		v->drops += b.sequence - v->last_seq - 1;
	v->last_seq = b.sequence;
	v->have_seq = true;
	if (b.flags & V4L2_BUF_FLAG_ERROR)
		v->errors++;
	else
		v->dequeued++;
	pthread_mutex_unlock(&v->lock);
	v->last_frame_ns = now_ns();
	if (b.flags & V4L2_BUF_FLAG_ERROR) {
		/* the driver says the data is bad: give it straight back */
		uint32_t idx = b.index;

		buf_init(v, &b, planes, idx);
		if (mplane(v))
			b.length = 1;
		(void)xioctl(v->vfd, VIDIOC_QBUF, &b);
		v->bufs[b.index].queued = true;
		return -EIO;
	}
	f = &v->frames[b.index];
	f->data[0] = (uint8_t *)v->bufs[b.index].mem + data_offset;
	f->sequence = b.sequence;
	f->timestamp_ns = (int64_t)b.timestamp.tv_sec * 1000000000LL +
		(int64_t)b.timestamp.tv_usec * 1000;
	memset(info, 0, sizeof(*info));
	info->external = true;
	info->dmabuf_fd = v->dmafd[b.index];
	info->offset = data_offset;
	info->bytesused = bytesused - data_offset;
	if (v->exposure.present)
		info->exposure_lines = (uint32_t)v->cur_exposure;
	if (v->gain.present && v->gain.def > 0)
		info->gain_q8 = (uint32_t)((int64_t)v->cur_gain * 256 / v->gain.def);
	*out = f;
	return 0;
}

static void vs_release(struct lumen_source *src, struct lumen_frame *f)
{
	struct vsrc *v = src->priv;
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b;
	int ret;

	if (!v->streaming || f->owner != v || f->index < 0 || f->index >= v->nbufs ||
	    v->bufs[f->index].queued)
		return;
	buf_init(v, &b, planes, (uint32_t)f->index);
	if (mplane(v))
		b.length = 1;
	ret = xioctl(v->vfd, VIDIOC_QBUF, &b);
	if (ret) {
		pthread_mutex_lock(&v->lock);
		v->errors++;
		snprintf(v->note, sizeof(v->note), "'%s' (%s): VIDIOC_QBUF %d: %s",
			 capture_name(v), capture_node(v), f->index, strerror(-ret));
		pthread_mutex_unlock(&v->lock);
		return;
	}
	v->bufs[f->index].queued = true;
}

/*
 * Gain model: the analogue-gain control's units are the driver's (often a
 * register code). lumen takes its default as 1x and scales linearly, which
 * holds for sensors whose code is linear in gain; a sensor with a table
 * needs its own mapping (not done yet: docs/v4l2.md).
 */
static int vs_set_exposure_gain(struct lumen_source *src, uint32_t lines,
				uint32_t gain_q8)
{
	struct vsrc *v = src->priv;
	int64_t e = lines, g = (int64_t)gain_q8 * v->gain.def / 256;
	int ret;

	if (e < v->exposure.min)
		e = v->exposure.min;
	if (e > v->exposure.max)
		e = v->exposure.max;
	if (g < v->gain.min)
		g = v->gain.min;
	if (g > v->gain.max)
		g = v->gain.max;
	ret = set_ctrl(v->exposure.fd, V4L2_CID_EXPOSURE, e);
	if (!ret)
		ret = set_ctrl(v->gain.fd, V4L2_CID_ANALOGUE_GAIN, g);
	pthread_mutex_lock(&v->lock);
	if (ret) {
		v->errors++;
		snprintf(v->note, sizeof(v->note), "sensor '%s': VIDIOC_S_EXT_CTRLS exposure/gain: %s",
			 v->media.entities[v->path.sensor].name, strerror(-ret));
	} else {
		v->cur_exposure = (int32_t)e;
		v->cur_gain = (int32_t)g;
	}
	pthread_mutex_unlock(&v->lock);
	return ret;
}

static int vs_get_limits(struct lumen_source *src,
			 struct lumen_exposure_limits *l)
{
	struct vsrc *v = src->priv;
	int64_t rate = get_ctrl(v->pixel_rate.fd, V4L2_CID_PIXEL_RATE, 0);
	int64_t hb = get_ctrl(v->hblank.fd, V4L2_CID_HBLANK, 0);
	int64_t vb = get_ctrl(v->vblank.fd, V4L2_CID_VBLANK, 0);
	double line_s = 0;

	if (!v->exposure.present || !v->gain.present || v->gain.def <= 0)
		return -EOPNOTSUPP;
	/* line time from the pixel rate and the line length, as the
	 * sensor drivers of mainline report them */
	if (rate > 0)
		line_s = (double)(v->src.width + hb) / (double)rate;
	if (line_s <= 0)
		line_s = 1.0 / (30.0 * (v->src.height + vb));	/* 30 fps assumed */
	l->exposure_min = (uint32_t)(v->exposure.min > 0 ? v->exposure.min : 1);
	l->exposure_max = (uint32_t)v->exposure.max;
	l->gain_min_q8 = (uint32_t)((int64_t)v->gain.min * 256 / v->gain.def);
	l->gain_max_q8 = (uint32_t)((int64_t)v->gain.max * 256 / v->gain.def);
	if (l->gain_min_q8 < 1)
		l->gain_min_q8 = 1;
	l->line_time_s = line_s;
	l->frame_time_s = line_s * (v->src.height + vb);
	/* most mainline sensors: exposure takes effect 2 frames later,
	 * gain 1 (libcamera's defaults for a sensor it does not know) */
	l->exposure_delay = 2;
	l->gain_delay = 1;
	return 0;
}

static int vs_status(struct lumen_source *src, struct lumen_stage_status *st,
		     int max)
{
	struct vsrc *v = src->priv;
	struct lumen_stage_status *s;
	int n = 0, enabled = 0;

	for (int l = 0; l < v->media.nlinks; l++)
		enabled += !!(v->media.links[l].flags & MEDIA_LNK_FL_ENABLED);
	pthread_mutex_lock(&v->lock);
	if ((s = lumen_status_next(st, &n, max, "media"))) {
		lumen_status_extra(s, "entities", v->media.nentities);
		lumen_status_extra(s, "links_enabled", enabled);
		lumen_status_extra(s, "path_hops", v->path.nhops);
		lumen_status_extra(s, "validated", v->validated);
		lumen_status_extra(s, "width", v->src.width);
		lumen_status_extra(s, "height", v->src.height);
		if (v->exposure.present)
			lumen_status_extra(s, "exposure_lines", v->cur_exposure);
		if (v->gain.present)
			lumen_status_extra(s, "gain_code", v->cur_gain);
		snprintf(s->note, sizeof(s->note), "%s %s -> %s",
			 v->media.path,
			 v->path.sensor >= 0 ? v->media.entities[v->path.sensor].name : "(no sensor)",
			 capture_name(v));
	}
	if ((s = lumen_status_next(st, &n, max, "dma"))) {
		s->frames_in = v->dequeued + v->drops + v->errors;
		s->frames_out = v->dequeued;
		s->drops = v->drops;
		s->errors = v->errors;
		lumen_status_extra(s, "buffers", v->nbufs);
		lumen_status_extra(s, "multiplanar", mplane(v));
		lumen_status_extra(s, "streaming", v->streaming);
		lumen_status_extra(s, "timeouts", (int64_t)v->timeouts);
		if (v->have_seq)
			lumen_status_extra(s, "sequence", v->last_seq);
		snprintf(s->note, sizeof(s->note), "%s", v->note[0] ? v->note : capture_node(v));
	}
	pthread_mutex_unlock(&v->lock);
	return n;
}

static int vs_dump(struct lumen_source *src, char *buf, size_t size)
{
	struct vsrc *v = src->priv;
	int n = lumen_media_print(&v->media, buf, size);
	size_t len = n > 0 ? (size_t)n : 0;

	n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
		     "lumen's path:\n%s%s", v->path.why, v->report);
	return (int)len + (n > 0 ? n : 0);
}

static void vs_destroy(struct lumen_source *src)
{
	struct vsrc *v = src->priv;

	vs_stop(src);
	if (v->sfd >= 0)
		close(v->sfd);
	if (v->vfd >= 0)
		close(v->vfd);
	lumen_media_close(&v->media);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

/* ---- formats and controls ---------------------------------------------- */

static void fill_format(uint32_t code, uint32_t w, uint32_t h,
			struct lumen_source_format *f)
{
	memset(f, 0, sizeof(*f));
	f->width = (int)w;
	f->height = (int)h;
	f->code = code;
	f->bits = bits_of(code);
	f->fmt = f->bits > 8 ? LUMEN_PIX_BAYER16 : LUMEN_PIX_BAYER8;
	f->bayer = bayer_of(code);
}

/* The list enum_formats walks: each Bayer code both ends take, with each
 * discrete size or the largest of a range (the sensor's
 * VIDIOC_SUBDEV_ENUM_FRAME_SIZE, or the node's VIDIOC_ENUM_FRAMESIZES). */
static void list_formats(struct vsrc *v)
{
	v->nfmts = 0;
	for (uint32_t i = 0; v->nfmts < 32; i++) {
		struct v4l2_fmtdesc d;
		uint32_t code;

		memset(&d, 0, sizeof(d));
		d.index = i;
		d.type = v->type;
		if (xioctl(v->vfd, VIDIOC_ENUM_FMT, &d))
			break;
		code = lumen_media_fourcc_code(d.pixelformat);
		if (!lumen_media_code_is_bayer(code))
			continue;
		if (v->sfd >= 0) {
			int sp = -1;
			const struct lumen_media_entity *e = &v->media.entities[v->path.sensor];

			for (int k = 0; k < e->npads && sp < 0; k++)
				if (v->media.pads[e->pads[k]].flags & MEDIA_PAD_FL_SOURCE)
					sp = k;
			for (uint32_t k = 0; v->nfmts < 32; k++) {
				struct v4l2_subdev_frame_size_enum fs;

				memset(&fs, 0, sizeof(fs));
				fs.index = k;
				fs.pad = (uint32_t)sp;
				fs.code = code;
				fs.which = V4L2_SUBDEV_FORMAT_ACTIVE;
				if (xioctl(v->sfd, VIDIOC_SUBDEV_ENUM_FRAME_SIZE, &fs))
					break;	/* EINVAL: the sensor does not send it */
				fill_format(code, fs.max_width, fs.max_height,
					    &v->fmts[v->nfmts++]);
			}
		} else {
			for (uint32_t k = 0; v->nfmts < 32; k++) {
				struct v4l2_frmsizeenum fs;

				memset(&fs, 0, sizeof(fs));
				fs.index = k;
				fs.pixel_format = d.pixelformat;
				if (xioctl(v->vfd, VIDIOC_ENUM_FRAMESIZES, &fs))
					break;
				if (fs.type == V4L2_FRMSIZE_TYPE_DISCRETE)
					fill_format(code, fs.discrete.width, fs.discrete.height,
						    &v->fmts[v->nfmts++]);
				else
					fill_format(code, fs.stepwise.max_width,
						    fs.stepwise.max_height, &v->fmts[v->nfmts++]);
				if (fs.type != V4L2_FRMSIZE_TYPE_DISCRETE)
					break;
			}
		}
	}
}

static int vs_enum_formats(struct lumen_source *src, int index,
			   struct lumen_source_format *out)
{
	struct vsrc *v = src->priv;

	if (index < 0 || index >= v->nfmts)
		return -EINVAL;
	*out = v->fmts[index];
	return 0;
}

static int vs_try_format(struct lumen_source *src, struct lumen_source_format *f)
{
	struct vsrc *v = src->priv;
	int ret;

	if (!lumen_media_code_is_bayer(f->code)) {
		snprintf(src->error, sizeof(src->error), "%s: %s is not a raw Bayer code",
			 v->media.path, lumen_media_code_name(f->code));
		return -EINVAL;
	}
	if (v->sfd >= 0) {
		/* the sensor's TRY state: nothing active changes */
		struct v4l2_subdev_format sf;
		const struct lumen_media_entity *e = &v->media.entities[v->path.sensor];

		memset(&sf, 0, sizeof(sf));
		sf.which = V4L2_SUBDEV_FORMAT_TRY;
		for (int k = 0; k < e->npads; k++)
			if (v->media.pads[e->pads[k]].flags & MEDIA_PAD_FL_SOURCE) {
				sf.pad = (uint32_t)k;
				break;
			}
		sf.format.width = (uint32_t)f->width;
		sf.format.height = (uint32_t)f->height;
		sf.format.code = f->code;
		sf.format.field = V4L2_FIELD_NONE;
		ret = xioctl(v->sfd, VIDIOC_SUBDEV_S_FMT, &sf);
		if (ret) {
			snprintf(src->error, sizeof(src->error),
				 "%s: entity '%s' pad %u (%s): VIDIOC_SUBDEV_S_FMT (TRY) %s/%dx%d: %s",
				 v->media.path, e->name, sf.pad, e->devnode,
				 lumen_media_code_name(f->code), f->width, f->height,
				 strerror(-ret));
			return ret;
		}
		fill_format(sf.format.code, sf.format.width, sf.format.height, f);
	} else {
		struct v4l2_format vf;

		memset(&vf, 0, sizeof(vf));
		vf.type = v->type;
		if (mplane(v)) {
			vf.fmt.pix_mp.width = (uint32_t)f->width;
			vf.fmt.pix_mp.height = (uint32_t)f->height;
			vf.fmt.pix_mp.pixelformat = lumen_media_code_fourcc(f->code);
			vf.fmt.pix_mp.field = V4L2_FIELD_NONE;
			vf.fmt.pix_mp.num_planes = 1;
		} else {
			vf.fmt.pix.width = (uint32_t)f->width;
			vf.fmt.pix.height = (uint32_t)f->height;
			vf.fmt.pix.pixelformat = lumen_media_code_fourcc(f->code);
			vf.fmt.pix.field = V4L2_FIELD_NONE;
		}
		ret = xioctl(v->vfd, VIDIOC_TRY_FMT, &vf);
		if (ret) {
			snprintf(src->error, sizeof(src->error),
				 "%s: entity '%s' (%s): VIDIOC_TRY_FMT %s/%dx%d: %s",
				 v->media.path, capture_name(v), capture_node(v),
				 lumen_media_code_name(f->code), f->width, f->height,
				 strerror(-ret));
			return ret;
		}
		if (mplane(v))
			fill_format(lumen_media_fourcc_code(vf.fmt.pix_mp.pixelformat),
				    vf.fmt.pix_mp.width, vf.fmt.pix_mp.height, f);
		else
			fill_format(lumen_media_fourcc_code(vf.fmt.pix.pixelformat),
				    vf.fmt.pix.width, vf.fmt.pix.height, f);
	}
	return 0;
}

static int vs_set_format(struct lumen_source *src,
			 const struct lumen_source_format *f)
{
	struct vsrc *v = src->priv;
	struct lumen_media_path p;
	struct lumen_media_fmt got;
	int ret;

	if (v->streaming)
		return -EBUSY;
	ret = lumen_media_choose(&v->media, (uint32_t)f->width, (uint32_t)f->height,
				 f->code, &p, v->src.error, sizeof(v->src.error));
	if (!ret)
		ret = lumen_media_configure(&v->media, &p, v->src.error,
					    sizeof(v->src.error));
	if (!ret)
		ret = lumen_media_get_fmt(&v->media, p.capture, 0, &got,
					  v->src.error, sizeof(v->src.error));
	if (ret) {
		snprintf(v->src.failed_stage, sizeof(v->src.failed_stage), "media");
		return ret;
	}
	if (p.capture != v->path.capture) {
		snprintf(v->src.error, sizeof(v->src.error), "%s: that format is delivered by '%s', not '%s': create the source again",
			 v->media.path, v->media.entities[p.capture].name, capture_name(v));
		return -EINVAL;
	}
	v->path = p;
	v->path.code = got.code;
	v->path.fourcc = got.fourcc;
	v->src.width = (int)got.width;
	v->src.height = (int)got.height;
	v->src.fmt = bits_of(got.code) > 8 ? LUMEN_PIX_BAYER16 : LUMEN_PIX_BAYER8;
	return 0;
}

static int named_ctrl(struct vsrc *v, const char *name, int *fd, uint32_t *id)
{
	int fds[2] = { v->sfd, v->vfd };

	for (int k = 0; k < 2; k++)
		if (!ctrl_by_name(fds[k], name, id)) {
			*fd = fds[k];
			return 0;
		}
	return -ENOENT;
}

static int vs_set_control(struct lumen_source *src, const char *name,
			  int64_t value)
{
	struct vsrc *v = src->priv;
	uint32_t id;
	int fd, ret = named_ctrl(v, name, &fd, &id);

	return ret ? ret : set_ctrl(fd, id, value);
}

static int vs_get_control(struct lumen_source *src, const char *name,
			  int64_t *value)
{
	struct vsrc *v = src->priv;
	struct v4l2_ext_control ec;
	struct v4l2_ext_controls ecs;
	uint32_t id;
	int fd, ret = named_ctrl(v, name, &fd, &id);

	if (ret)
		return ret;
	memset(&ec, 0, sizeof(ec));
	memset(&ecs, 0, sizeof(ecs));
	ec.id = id;
	ecs.which = V4L2_CTRL_WHICH_CUR_VAL;
	ecs.count = 1;
	ecs.controls = &ec;
	ret = xioctl(fd, VIDIOC_G_EXT_CTRLS, &ecs);
	if (!ret)
		*value = ec.value;
	return ret;
}

/* Two tables: a sensor without exposure and gain controls leaves
 * set_exposure_gain NULL, so 3A knows it cannot run AE. */
static const struct lumen_source_ops v4l2_ops_ae = {
	.name = "v4l2",
	.start = vs_start,
	.stop = vs_stop,
	.dequeue = vs_dequeue,
	.release = vs_release,
	.set_exposure_gain = vs_set_exposure_gain,
	.get_limits = vs_get_limits,
	.status = vs_status,
	.dump = vs_dump,
	.destroy = vs_destroy,
	.enum_formats = vs_enum_formats,
	.try_format = vs_try_format,
	.set_format = vs_set_format,
	.set_control = vs_set_control,
	.get_control = vs_get_control,
};

static const struct lumen_source_ops v4l2_ops = {
	.name = "v4l2",
	.start = vs_start,
	.stop = vs_stop,
	.dequeue = vs_dequeue,
	.release = vs_release,
	.status = vs_status,
	.dump = vs_dump,
	.destroy = vs_destroy,
	.enum_formats = vs_enum_formats,
	.try_format = vs_try_format,
	.set_format = vs_set_format,
	.set_control = vs_set_control,
	.get_control = vs_get_control,
};

int lumen_v4l2_find_media(char *out, size_t size)
{
	static struct lumen_media m;	/* 30 KB: not on the stack */
	struct lumen_media_path p;
	char err[256], path[32];
	int any = -1;

	for (int i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/media%d", i);
		if (access(path, F_OK))
			continue;
		if (lumen_media_open(path, &m, err, sizeof(err)))
			continue;
		if (!lumen_media_choose(&m, 0, 0, 0, &p, err, sizeof(err))) {
			if (p.sensor >= 0) {
				lumen_media_close(&m);
				snprintf(out, size, "%s", path);
				return 0;
			}
			if (any < 0)
				any = i;
		}
		lumen_media_close(&m);
	}
	if (any < 0)
		return -ENOENT;
	snprintf(out, size, "/dev/media%d", any);
	return 0;
}

int lumen_v4l2_source_create(const struct lumen_v4l2_config *cfg,
			     struct lumen_source **out, char *err,
			     size_t errlen)
{
	struct lumen_media_fmt f;
	struct vsrc *v;
	char path[64];
	int ret;

	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	v->cfg = *cfg;
	v->vfd = v->sfd = -1;
	for (int i = 0; i < MAX_BUFFERS; i++)
		v->dmafd[i] = -1;
	if (cfg->media) {
		snprintf(path, sizeof(path), "%s", cfg->media);
	} else if (lumen_v4l2_find_media(path, sizeof(path))) {
		snprintf(err, errlen, "no /dev/media* has a capture node that delivers raw Bayer "
			 "(is the camera's driver loaded? `lumen media` shows each graph)");
		ret = -ENOENT;
		goto free_v;
	}
	v->cfg.media = NULL;	/* not kept: the caller's string */
	ret = lumen_media_open(path, &v->media, err, errlen);
	if (ret)
		goto free_v;
	if (cfg->plan && !cfg->no_configure) {
		/* a board's plan: on paper first, then as media-ctl would */
		char report[2048];

		ret = lumen_media_plan_check(cfg->plan, report, sizeof(report));
		if (ret) {
			snprintf(err, errlen, "%s: the board's media plan, before any "
				 "ioctl: %s", path, report);
			goto close_media;
		}
		ret = lumen_media_apply_plan(&v->media, cfg->plan, err, errlen);
		if (ret)
			goto close_media;
	}
	ret = lumen_media_choose(&v->media, cfg->width, cfg->height, cfg->code,
				 &v->path, err, errlen);
	if (ret)
		goto close_media;
	if (!cfg->no_configure && !cfg->plan) {
		ret = lumen_media_configure(&v->media, &v->path, err, errlen);
		if (ret)
			goto close_media;
	}
	/* what the capture node really delivers now */
	ret = lumen_media_get_fmt(&v->media, v->path.capture, 0, &f, err, errlen);
	if (ret)
		goto close_media;
	if (!lumen_media_code_is_bayer(f.code)) {
		char cc[8];

		snprintf(err, errlen, "%s: entity '%s' (%s) delivers %s, not raw Bayer%s",
			 path, capture_name(v), capture_node(v),
			 lumen_media_fourcc_str(f.fourcc, cc),
			 cfg->no_configure ? " (taken as it is: configure it, or drop --no-configure)" : "");
		ret = -EINVAL;
		goto close_media;
	}
	v->path.code = f.code;
	v->path.fourcc = f.fourcc;
	v->vfd = open(capture_node(v), O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (v->vfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: entity '%s': open %s: %s", path,
			 capture_name(v), capture_node(v), strerror(-ret));
		goto close_media;
	}
	v->type = lumen_media_capture_type(v->vfd);
	if (!v->type) {
		ret = -ENOTTY;
		snprintf(err, errlen, "%s: entity '%s' (%s): VIDIOC_QUERYCAP: not a video capture node",
			 path, capture_name(v), capture_node(v));
		goto close_vfd;
	}
	if (v->path.sensor >= 0 && v->media.entities[v->path.sensor].devnode[0])
		v->sfd = open(v->media.entities[v->path.sensor].devnode,
			      O_RDWR | O_CLOEXEC);
	list_formats(v);
	find_ctrl(v, V4L2_CID_EXPOSURE, &v->exposure);
	find_ctrl(v, V4L2_CID_ANALOGUE_GAIN, &v->gain);
	find_ctrl(v, V4L2_CID_PIXEL_RATE, &v->pixel_rate);
	find_ctrl(v, V4L2_CID_HBLANK, &v->hblank);
	find_ctrl(v, V4L2_CID_VBLANK, &v->vblank);
	v->cur_exposure = (int32_t)get_ctrl(v->exposure.fd, V4L2_CID_EXPOSURE, 0);
	v->cur_gain = (int32_t)get_ctrl(v->gain.fd, V4L2_CID_ANALOGUE_GAIN, 0);
	if (pthread_mutex_init(&v->lock, NULL)) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto close_sfd;
	}
	v->src.ops = v->exposure.present && v->gain.present && v->gain.def > 0 ?
		&v4l2_ops_ae : &v4l2_ops;
	v->src.width = (int)f.width;
	v->src.height = (int)f.height;
	v->src.fmt = bits_of(f.code) > 8 ? LUMEN_PIX_BAYER16 : LUMEN_PIX_BAYER8;
	v->src.priv = v;
	*out = &v->src;
	return 0;

close_sfd:
	if (v->sfd >= 0)
		close(v->sfd);
close_vfd:
	close(v->vfd);
close_media:
	lumen_media_close(&v->media);
free_v:
	free(v);
	return ret;
}

const char *lumen_v4l2_source_sensor(struct lumen_source *src)
{
	struct vsrc *v = src->priv;

	return v->path.sensor >= 0 ? v->media.entities[v->path.sensor].name :
		"(no sensor)";
}

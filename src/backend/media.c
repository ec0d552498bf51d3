// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The media-controller graph (see media.h). Facts about the kernel's own
 * checks come from the uapi headers and the v4l2-subdev / vimc sources of
 * Linux 6.1: at STREAMON every enabled data link of the connected pipeline
 * is validated on its sink side; a subdev-to-subdev link must agree in
 * width, height and bus code, and in field unless the sink takes NONE;
 * drivers such as vimc also compare the colorspace when neither side says
 * DEFAULT.
 */
#include "backend/media.h"
#include "backend/media_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/media.h>
#include <linux/media-bus-format.h>
#include <linux/v4l2-subdev.h>
#include <linux/videodev2.h>

#include "core/textbuf.h"

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/* ---- codes and pixel formats ------------------------------------------ */

struct code_map {
	uint32_t code;
	const char *name;
	uint32_t fourcc;	/* 0: no plain capture format */
	bool bayer;
};

#define C(c, f, b) { MEDIA_BUS_FMT_##c, #c, f, b }
static const struct code_map codes[] = {
	C(SBGGR8_1X8, V4L2_PIX_FMT_SBGGR8, true),
	C(SGBRG8_1X8, V4L2_PIX_FMT_SGBRG8, true),
	C(SGRBG8_1X8, V4L2_PIX_FMT_SGRBG8, true),
	C(SRGGB8_1X8, V4L2_PIX_FMT_SRGGB8, true),
	C(SBGGR10_1X10, V4L2_PIX_FMT_SBGGR10, true),
	C(SGBRG10_1X10, V4L2_PIX_FMT_SGBRG10, true),
	C(SGRBG10_1X10, V4L2_PIX_FMT_SGRBG10, true),
	C(SRGGB10_1X10, V4L2_PIX_FMT_SRGGB10, true),
	C(SBGGR12_1X12, V4L2_PIX_FMT_SBGGR12, true),
	C(SGBRG12_1X12, V4L2_PIX_FMT_SGBRG12, true),
	C(SGRBG12_1X12, V4L2_PIX_FMT_SGRBG12, true),
	C(SRGGB12_1X12, V4L2_PIX_FMT_SRGGB12, true),
	C(SBGGR16_1X16, V4L2_PIX_FMT_SBGGR16, true),
	C(SGBRG16_1X16, V4L2_PIX_FMT_SGBRG16, true),
	C(SGRBG16_1X16, V4L2_PIX_FMT_SGRBG16, true),
	C(SRGGB16_1X16, V4L2_PIX_FMT_SRGGB16, true),
	C(RGB888_1X24, V4L2_PIX_FMT_RGB24, false),
	C(BGR888_1X24, V4L2_PIX_FMT_BGR24, false),
	C(ARGB8888_1X32, V4L2_PIX_FMT_ARGB32, false),
	C(RGB565_1X16, V4L2_PIX_FMT_RGB565, false),
	C(YUYV8_2X8, V4L2_PIX_FMT_YUYV, false),
	C(UYVY8_2X8, V4L2_PIX_FMT_UYVY, false),
	C(YUYV8_1X16, V4L2_PIX_FMT_YUYV, false),
	C(UYVY8_1X16, V4L2_PIX_FMT_UYVY, false),
	C(YUV8_1X24, 0, false),
	C(RGB888_3X8, 0, false),
};
#undef C

static const struct code_map *code_find(uint32_t code)
{
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].code == code)
			return &codes[i];
	return NULL;
}

const char *lumen_media_code_name(uint32_t code)
{
	const struct code_map *c = code_find(code);

	return c ? c->name : "unknown";
}

uint32_t lumen_media_code_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!strcasecmp(codes[i].name, s))
			return codes[i].code;
	return 0;
}

uint32_t lumen_media_code_fourcc(uint32_t code)
{
	const struct code_map *c = code_find(code);

	return c ? c->fourcc : 0;
}

uint32_t lumen_media_fourcc_code(uint32_t fourcc)
{
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].fourcc == fourcc)
			return codes[i].code;
	return 0;
}

bool lumen_media_code_is_bayer(uint32_t code)
{
	const struct code_map *c = code_find(code);

	return c && c->bayer;
}

const char *lumen_media_fourcc_str(uint32_t f, char buf[8])
{
	for (int i = 0; i < 4; i++) {
		char ch = (char)((f >> (8 * i)) & 0xff);

		buf[i] = ch >= 0x20 && ch < 0x7f ? ch : '?';
	}
	buf[4] = 0;
	return buf;
}

const char *lumen_media_function_name(uint32_t f)
{
	switch (f) {
	case MEDIA_ENT_F_CAM_SENSOR: return "camera sensor";
	case MEDIA_ENT_F_IO_V4L: return "V4L2 I/O";
	case MEDIA_ENT_F_LENS: return "lens";
	case MEDIA_ENT_F_PROC_VIDEO_PIXEL_FORMATTER: return "pixel formatter";
	case MEDIA_ENT_F_PROC_VIDEO_SCALER: return "scaler";
	case MEDIA_ENT_F_PROC_VIDEO_ISP: return "ISP";
	case MEDIA_ENT_F_VID_IF_BRIDGE: return "video interface bridge";
	case MEDIA_ENT_F_VID_MUX: return "video mux";
	case MEDIA_ENT_F_PROC_VIDEO_STATISTICS: return "statistics";
	case MEDIA_ENT_F_PROC_VIDEO_DECODER: return "decoder";
	default: return "unknown";
	}
}

static const char *field_name(uint32_t f)
{
	static const char *const names[] = {
		"any", "none", "top", "bottom", "interlaced", "seq-tb",
		"seq-bt", "alternate", "interlaced-tb", "interlaced-bt",
	};

	return f < sizeof(names) / sizeof(names[0]) ? names[f] : "?";
}

static void fmt_str(const struct lumen_media_fmt *f, char *buf, size_t size)
{
	char cc[8];

	if (f->fourcc)
		snprintf(buf, size, "%s (%s)/%ux%u field:%s colorspace:%u",
			 lumen_media_fourcc_str(f->fourcc, cc),
			 lumen_media_code_name(f->code), f->width, f->height,
			 field_name(f->field), f->colorspace);
	else
		snprintf(buf, size, "%s/%ux%u field:%s colorspace:%u",
			 lumen_media_code_name(f->code), f->width, f->height,
			 field_name(f->field), f->colorspace);
}

/* ---- reading the graph ------------------------------------------------ */

/* /dev path of a character device, from sysfs's uevent DEVNAME */
static void devnode_path(uint32_t major, uint32_t minor, char *out, size_t n)
{
	char p[96], line[128];
	FILE *f;

	snprintf(p, sizeof(p), "/sys/dev/char/%u:%u/uevent", major, minor);
	out[0] = 0;
	f = fopen(p, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(out, n, "/dev/%.50s", line + 8);
		}
	fclose(f);
}

static int pad_by_id(const struct lumen_media *m, uint32_t id)
{
	for (int i = 0; i < m->npads; i++)
		if (m->pads[i].id == id)
			return i;
	return -1;
}

static int entity_by_id(const struct lumen_media *m, uint32_t id)
{
	for (int i = 0; i < m->nentities; i++)
		if (m->entities[i].id == id)
			return i;
	return -1;
}

int lumen_media_open(const char *path, struct lumen_media *m, char *err,
		     size_t errlen)
{
	struct media_device_info di;
	struct media_v2_topology t;
	struct media_v2_entity *ents = NULL;
	struct media_v2_interface *intfs = NULL;
	struct media_v2_pad *pads = NULL;
	struct media_v2_link *links = NULL;
	int ret;

	memset(m, 0, sizeof(*m));
	snprintf(m->path, sizeof(m->path), "%s", path);
	m->fd = open(path, O_RDWR | O_CLOEXEC);
	if (m->fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: open: %s", path, strerror(-ret));
		return ret;
	}
	memset(&di, 0, sizeof(di));
	ret = xioctl(m->fd, MEDIA_IOC_DEVICE_INFO, &di);
	if (ret) {
		snprintf(err, errlen, "%s: MEDIA_IOC_DEVICE_INFO: %s (not a media controller device?)",
			 path, strerror(-ret));
		goto close_fd;
	}
	snprintf(m->driver, sizeof(m->driver), "%.31s", di.driver);
	snprintf(m->model, sizeof(m->model), "%.31s", di.model);
	snprintf(m->bus_info, sizeof(m->bus_info), "%.31s", di.bus_info);
	m->media_version = di.media_version;

	/* first the counts, then the arrays; a graph that changes between
	 * the two calls (hotplug) is read again */
	for (int tries = 0; tries < 4; tries++) {
		uint64_t version;

		memset(&t, 0, sizeof(t));
		ret = xioctl(m->fd, MEDIA_IOC_G_TOPOLOGY, &t);
		if (ret) {
			snprintf(err, errlen, "%s: MEDIA_IOC_G_TOPOLOGY: %s", path,
				 strerror(-ret));
			goto close_fd;
		}
		if (t.num_entities > LUMEN_MEDIA_MAX_ENTITIES ||
		    t.num_pads > LUMEN_MEDIA_MAX_PADS ||
		    t.num_links > LUMEN_MEDIA_MAX_LINKS + 64 + LUMEN_MEDIA_MAX_ENTITIES) {
			snprintf(err, errlen, "%s: MEDIA_IOC_G_TOPOLOGY: graph too large "
				 "(%u entities, %u pads, %u links; lumen reads at most %d, %d, %d)",
				 path, t.num_entities, t.num_pads, t.num_links,
				 LUMEN_MEDIA_MAX_ENTITIES, LUMEN_MEDIA_MAX_PADS,
				 LUMEN_MEDIA_MAX_LINKS);
			ret = -E2BIG;
			goto close_fd;
		}
		version = t.topology_version;
		free(ents);
		free(intfs);
		free(pads);
		free(links);
		ents = calloc(t.num_entities + 1, sizeof(*ents));
		intfs = calloc(t.num_interfaces + 1, sizeof(*intfs));
		pads = calloc(t.num_pads + 1, sizeof(*pads));
		links = calloc(t.num_links + 1, sizeof(*links));
		if (!ents || !intfs || !pads || !links) {
			snprintf(err, errlen, "%s: out of memory", path);
			ret = -ENOMEM;
			goto free_arrays;
		}
		t.ptr_entities = (uintptr_t)ents;
		t.ptr_interfaces = (uintptr_t)intfs;
		t.ptr_pads = (uintptr_t)pads;
		t.ptr_links = (uintptr_t)links;
		ret = xioctl(m->fd, MEDIA_IOC_G_TOPOLOGY, &t);
		if (ret == -ENOSPC)
			continue;	/* grew between the calls */
		if (ret) {
			snprintf(err, errlen, "%s: MEDIA_IOC_G_TOPOLOGY: %s", path,
				 strerror(-ret));
			goto free_arrays;
		}
		if (t.topology_version == version)
			break;
	}
	if (ret) {	/* it kept growing between the calls */
		snprintf(err, errlen, "%s: MEDIA_IOC_G_TOPOLOGY: %s (the graph changed while it was read)",
			 path, strerror(-ret));
		goto free_arrays;
	}

	for (uint32_t i = 0; i < t.num_entities; i++) {
		struct lumen_media_entity *e = &m->entities[m->nentities++];

		e->id = ents[i].id;
		snprintf(e->name, sizeof(e->name), "%.63s", ents[i].name);
		e->function = ents[i].function;
	}
	for (uint32_t i = 0; i < t.num_pads; i++) {
		struct lumen_media_pad *p = &m->pads[m->npads];
		int ei = entity_by_id(m, pads[i].entity_id);

		if (ei < 0)
			continue;
		p->id = pads[i].id;
		p->entity_id = pads[i].entity_id;
		p->entity = ei;
		p->flags = pads[i].flags;
		/* the pad index is reported since media API 4.19; before
		 * that, pads come in index order */
		p->index = MEDIA_V2_PAD_HAS_INDEX(m->media_version) ?
			(int)pads[i].index : m->entities[ei].npads;
		if (p->index < 16 && m->entities[ei].npads < 16) {
			m->entities[ei].pads[p->index] = m->npads;
			if (p->index + 1 > m->entities[ei].npads)
				m->entities[ei].npads = p->index + 1;
		}
		m->npads++;
	}
	for (uint32_t i = 0; i < t.num_links; i++) {
		uint32_t type = links[i].flags & MEDIA_LNK_FL_LINK_TYPE;

		if (type == MEDIA_LNK_FL_INTERFACE_LINK) {
			/* interface -> entity: the entity's device node */
			int ei = entity_by_id(m, links[i].sink_id);

			for (uint32_t k = 0; ei >= 0 && k < t.num_interfaces; k++) {
				struct lumen_media_entity *e = &m->entities[ei];

				if (intfs[k].id != links[i].source_id)
					continue;
				if (intfs[k].intf_type == MEDIA_INTF_T_V4L_VIDEO)
					e->node = LUMEN_NODE_VIDEO;
				else if (intfs[k].intf_type == MEDIA_INTF_T_V4L_SUBDEV)
					e->node = LUMEN_NODE_SUBDEV;
				else
					continue;
				devnode_path(intfs[k].devnode.major,
					     intfs[k].devnode.minor, e->devnode,
					     sizeof(e->devnode));
			}
		} else if (type == MEDIA_LNK_FL_DATA_LINK &&
			   m->nlinks < LUMEN_MEDIA_MAX_LINKS) {
			struct lumen_media_link *l = &m->links[m->nlinks];

			l->source = pad_by_id(m, links[i].source_id);
			l->sink = pad_by_id(m, links[i].sink_id);
			if (l->source < 0 || l->sink < 0)
				continue;
			l->id = links[i].id;
			l->flags = links[i].flags;
			m->nlinks++;
		}
	}
	ret = 0;
free_arrays:
	free(ents);
	free(intfs);
	free(pads);
	free(links);
	if (!ret)
		return 0;
close_fd:
	close(m->fd);
	m->fd = -1;
	return ret;
}

void lumen_media_close(struct lumen_media *m)
{
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

int lumen_media_find(const struct lumen_media *m, const char *name)
{
	for (int i = 0; i < m->nentities; i++)
		if (!strcmp(m->entities[i].name, name))
			return i;
	return -1;
}

/* ---- formats ----------------------------------------------------------- */

uint32_t lumen_media_capture_type(int fd)
{
	struct v4l2_capability cap;
	uint32_t caps;

	memset(&cap, 0, sizeof(cap));
	if (xioctl(fd, VIDIOC_QUERYCAP, &cap))
		return 0;
	caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps :
		cap.capabilities;
	if (caps & V4L2_CAP_VIDEO_CAPTURE)
		return V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (caps & V4L2_CAP_VIDEO_CAPTURE_MPLANE)
		return V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	return 0;
}

static int open_node(const struct lumen_media *m, int entity, char *err,
		     size_t errlen)
{
	const struct lumen_media_entity *e = &m->entities[entity];
	int fd;

	if (!e->devnode[0]) {
		snprintf(err, errlen, "%s: entity '%s' has no device node "
			 "(subdev nodes need CONFIG_VIDEO_V4L2_SUBDEV_API and a driver that exposes them)",
			 m->path, e->name);
		return -ENODEV;
	}
	fd = open(e->devnode, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int ret = -errno;

		snprintf(err, errlen, "%s: entity '%s': open %s: %s", m->path,
			 e->name, e->devnode, strerror(-ret));
		return ret;
	}
	return fd;
}

int lumen_media_get_fmt(struct lumen_media *m, int entity, int pad,
			struct lumen_media_fmt *f, char *err, size_t errlen)
{
	const struct lumen_media_entity *e = &m->entities[entity];
	int fd = open_node(m, entity, err, errlen), ret;

	if (fd < 0)
		return fd;
	memset(f, 0, sizeof(*f));
	if (e->node == LUMEN_NODE_SUBDEV) {
		struct v4l2_subdev_format sf;

		memset(&sf, 0, sizeof(sf));
		sf.which = V4L2_SUBDEV_FORMAT_ACTIVE;
		sf.pad = (uint32_t)pad;
		ret = xioctl(fd, VIDIOC_SUBDEV_G_FMT, &sf);
		if (ret)
			snprintf(err, errlen, "%s: entity '%s' pad %d (%s): VIDIOC_SUBDEV_G_FMT: %s",
				 m->path, e->name, pad, e->devnode, strerror(-ret));
		f->width = sf.format.width;
		f->height = sf.format.height;
		f->code = sf.format.code;
		f->field = sf.format.field;
		f->colorspace = sf.format.colorspace;
	} else {
		struct v4l2_format vf;

		memset(&vf, 0, sizeof(vf));
		vf.type = lumen_media_capture_type(fd);
		ret = vf.type ? xioctl(fd, VIDIOC_G_FMT, &vf) : -ENOTTY;
		if (ret)
			snprintf(err, errlen, "%s: entity '%s' (%s): VIDIOC_G_FMT: %s",
				 m->path, e->name, e->devnode, vf.type ? strerror(-ret) :
				 "not a video capture node (VIDIOC_QUERYCAP)");
		if (vf.type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE) {
			f->width = vf.fmt.pix_mp.width;
			f->height = vf.fmt.pix_mp.height;
			f->fourcc = vf.fmt.pix_mp.pixelformat;
			f->field = vf.fmt.pix_mp.field;
			f->colorspace = vf.fmt.pix_mp.colorspace;
		} else {
			f->width = vf.fmt.pix.width;
			f->height = vf.fmt.pix.height;
			f->fourcc = vf.fmt.pix.pixelformat;
			f->field = vf.fmt.pix.field;
			f->colorspace = vf.fmt.pix.colorspace;
		}
		f->code = lumen_media_fourcc_code(f->fourcc);
	}
	close(fd);
	return ret;
}

static int set_subdev_fmt(struct lumen_media *m, int fd, int entity, int pad,
			  const struct lumen_media_fmt *want,
			  struct lumen_media_fmt *got, char *err, size_t errlen)
{
	const struct lumen_media_entity *e = &m->entities[entity];
	struct v4l2_subdev_format sf;
	int ret;

	memset(&sf, 0, sizeof(sf));
	sf.which = V4L2_SUBDEV_FORMAT_ACTIVE;
	sf.pad = (uint32_t)pad;
	sf.format.width = want->width;
	sf.format.height = want->height;
	sf.format.code = want->code;
	sf.format.field = want->field;
	sf.format.colorspace = want->colorspace;
	ret = xioctl(fd, VIDIOC_SUBDEV_S_FMT, &sf);
	if (ret) {
		char w[96];

		fmt_str(want, w, sizeof(w));
		snprintf(err, errlen, "%s: entity '%s' pad %d (%s): VIDIOC_SUBDEV_S_FMT %s: %s",
			 m->path, e->name, pad, e->devnode, w, strerror(-ret));
		return ret;
	}
	if (got) {
		memset(got, 0, sizeof(*got));
		got->width = sf.format.width;
		got->height = sf.format.height;
		got->code = sf.format.code;
		got->field = sf.format.field;
		got->colorspace = sf.format.colorspace;
	}
	return 0;
}

int lumen_media_set_fmt(struct lumen_media *m, int entity, int pad,
			const struct lumen_media_fmt *f, char *err,
			size_t errlen)
{
	int fd, ret;

	if (m->entities[entity].node != LUMEN_NODE_SUBDEV) {
		snprintf(err, errlen, "%s: entity '%s' is not a subdev: its pad formats are not set directly",
			 m->path, m->entities[entity].name);
		return -EINVAL;
	}
	fd = open_node(m, entity, err, errlen);
	if (fd < 0)
		return fd;
	ret = set_subdev_fmt(m, fd, entity, pad, f, NULL, err, errlen);
	close(fd);
	return ret;
}

/* The capture node's pixel formats, for choosing a path. */
static int video_formats(struct lumen_media *m, int entity, uint32_t *out,
			 int max)
{
	char err[256];
	int fd = open_node(m, entity, err, sizeof(err)), n = 0;

	uint32_t type;

	if (fd < 0)
		return 0;
	type = lumen_media_capture_type(fd);
	for (uint32_t i = 0; type && n < max; i++) {
		struct v4l2_fmtdesc d;

		memset(&d, 0, sizeof(d));
		d.index = i;
		d.type = type;
		if (xioctl(fd, VIDIOC_ENUM_FMT, &d))
			break;
		out[n++] = d.pixelformat;
	}
	close(fd);
	return n;
}

static int subdev_codes(struct lumen_media *m, int entity, int pad,
			uint32_t *out, int max)
{
	char err[256];
	int fd = open_node(m, entity, err, sizeof(err)), n = 0;

	if (fd < 0)
		return 0;
	for (uint32_t i = 0; n < max; i++) {
		struct v4l2_subdev_mbus_code_enum c;

		memset(&c, 0, sizeof(c));
		c.pad = (uint32_t)pad;
		c.index = i;
		c.which = V4L2_SUBDEV_FORMAT_ACTIVE;
		if (xioctl(fd, VIDIOC_SUBDEV_ENUM_MBUS_CODE, &c))
			break;
		out[n++] = c.code;
	}
	close(fd);
	return n;
}

/* ---- the path ----------------------------------------------------------- */

static bool is_source(const struct lumen_media *m, int pad)
{
	return m->pads[pad].flags & MEDIA_PAD_FL_SOURCE;
}

static int source_pad_of(const struct lumen_media *m, int entity)
{
	const struct lumen_media_entity *e = &m->entities[entity];

	for (int i = 0; i < e->npads; i++)
		if (is_source(m, e->pads[i]))
			return i;
	return -1;
}

/* Breadth-first from the sensor's source pads over data links that are
 * enabled or may be enabled (not immutable-disabled), data entering an
 * entity at a sink pad and leaving at any of its source pads. Fills
 * @prev_link per entity (-1 unreached, -2 start). */
static void reach(const struct lumen_media *m, int start, int *prev_link)
{
	int queue[LUMEN_MEDIA_MAX_ENTITIES], head = 0, tail = 0;

	for (int i = 0; i < m->nentities; i++)
		prev_link[i] = -1;
	prev_link[start] = -2;
	queue[tail++] = start;
	while (head < tail) {
		int e = queue[head++];

		for (int l = 0; l < m->nlinks; l++) {
			const struct lumen_media_link *lk = &m->links[l];
			int to = m->pads[lk->sink].entity;

			if (m->pads[lk->source].entity != e || prev_link[to] != -1)
				continue;
			if ((lk->flags & MEDIA_LNK_FL_IMMUTABLE) &&
			    !(lk->flags & MEDIA_LNK_FL_ENABLED))
				continue;
			prev_link[to] = l;
			queue[tail++] = to;
		}
	}
}

int lumen_media_choose(struct lumen_media *m, uint32_t want_w,
		       uint32_t want_h, uint32_t want_code,
		       struct lumen_media_path *p, char *err, size_t errlen)
{
	int prev[LUMEN_MEDIA_MAX_ENTITIES];
	size_t wl = 0;
	int best = -1, best_len = 1 << 20;
	uint32_t best_code = 0, best_fourcc = 0;
	char cc[8];

	memset(p, 0, sizeof(*p));
	p->sensor = -1;
	p->capture = -1;
	for (int i = 0; i < m->nentities; i++)
		if (m->entities[i].function == MEDIA_ENT_F_CAM_SENSOR &&
		    m->entities[i].node == LUMEN_NODE_SUBDEV &&
		    source_pad_of(m, i) >= 0) {
			p->sensor = i;
			break;
		}
	if (p->sensor >= 0) {
		lumen_text_put(p->why, sizeof(p->why), &wl, "sensor: '%s' (the first camera-sensor entity with a source pad)\n",
		    m->entities[p->sensor].name);
		reach(m, p->sensor, prev);
	} else {
		lumen_text_put(p->why, sizeof(p->why), &wl, "sensor: none in the graph: a capture node that offers raw Bayer is the source itself\n");
	}

	for (int i = 0; i < m->nentities; i++) {
		const struct lumen_media_entity *e = &m->entities[i];
		uint32_t fmts[256], scodes[64];
		int nf, ns = 0, len = 0;
		uint32_t code = 0, fourcc = 0;

		if (e->function != MEDIA_ENT_F_IO_V4L || e->node != LUMEN_NODE_VIDEO)
			continue;
		if (p->sensor >= 0 && prev[i] == -1) {
			lumen_text_put(p->why, sizeof(p->why), &wl, "  '%s' (%s): not reachable from the sensor\n",
			    e->name, e->devnode);
			continue;
		}
		nf = video_formats(m, i, fmts, 256);
		if (p->sensor >= 0) {
			int sp = source_pad_of(m, p->sensor);

			ns = subdev_codes(m, p->sensor, sp, scodes, 64);
			for (int k = i; prev[k] >= 0; k = m->pads[m->links[prev[k]].source].entity)
				len++;
		}
		/* the first Bayer format the capture node offers that the
		 * sensor can send as it is (or @want_code) */
		for (int f = 0; f < nf && !code; f++) {
			uint32_t c = lumen_media_fourcc_code(fmts[f]);

			if (!lumen_media_code_is_bayer(c) || (want_code && c != want_code))
				continue;
			if (p->sensor >= 0) {
				bool ok = false;

				for (int s = 0; s < ns; s++)
					ok |= scodes[s] == c;
				if (!ok)
					continue;
			}
			code = c;
			fourcc = fmts[f];
		}
		if (!code) {
			lumen_text_put(p->why, sizeof(p->why), &wl, "  '%s' (%s): no raw Bayer format%s\n",
			    e->name, e->devnode,
			    p->sensor >= 0 ? " that the sensor also sends" : "");
			continue;
		}
		if (p->sensor >= 0)
			lumen_text_put(p->why, sizeof(p->why), &wl, "  '%s' (%s): offers %s, %d link%s from the sensor\n",
			    e->name, e->devnode, lumen_media_fourcc_str(fourcc, cc), len,
			    len == 1 ? "" : "s");
		else
			lumen_text_put(p->why, sizeof(p->why), &wl, "  '%s' (%s): offers %s\n",
			    e->name, e->devnode, lumen_media_fourcc_str(fourcc, cc));
		if (len < best_len) {
			best = i;
			best_len = len;
			best_code = code;
			best_fourcc = fourcc;
		}
	}
	if (best < 0) {
		snprintf(err, errlen, "%s: no capture node delivers raw Bayer%s",
			 m->path, p->sensor >= 0 ? " from the sensor" : "");
		return -ENOENT;
	}
	p->capture = best;
	p->code = best_code;
	p->fourcc = best_fourcc;
	lumen_text_put(p->why, sizeof(p->why), &wl, "capture: '%s' (the shortest path to raw Bayer: no ISP between, lumen develops it)\n",
	    m->entities[best].name);

	/* hops from the capture node back to the sensor, then reversed */
	if (p->sensor >= 0) {
		struct lumen_media_hop rev[LUMEN_MEDIA_MAX_PATH];
		int n = 0, e = best, out_pad = -1;

		while (n < LUMEN_MEDIA_MAX_PATH) {
			int l = prev[e];

			rev[n].entity = e;
			rev[n].source_pad = out_pad;
			rev[n].link = l >= 0 ? l : -1;
			rev[n].sink_pad = l >= 0 ? m->pads[m->links[l].sink].index : -1;
			n++;
			if (l < 0)
				break;
			out_pad = m->pads[m->links[l].source].index;
			e = m->pads[m->links[l].source].entity;
		}
		for (int i = 0; i < n; i++)
			p->hops[i] = rev[n - 1 - i];
		p->nhops = n;
	} else {
		p->hops[0] = (struct lumen_media_hop){ best, -1, -1, -1 };
		p->nhops = 1;
	}

	/* the size: asked for, or what the sensor (or node) has now */
	{
		struct lumen_media_fmt cur;
		char e2[256];
		int ent = p->sensor >= 0 ? p->sensor : best;
		int pad = p->sensor >= 0 ? source_pad_of(m, p->sensor) : 0;

		if (lumen_media_get_fmt(m, ent, pad, &cur, e2, sizeof(e2))) {
			snprintf(err, errlen, "%s", e2);
			return -EIO;
		}
		p->width = want_w ? want_w : cur.width;
		p->height = want_h ? want_h : cur.height;
	}
	lumen_text_put(p->why, sizeof(p->why), &wl, "format: %s %ux%u at the %s, %s at the capture node\n",
	    lumen_media_code_name(p->code), p->width, p->height,
	    p->sensor >= 0 ? "sensor" : "source",
	    lumen_media_fourcc_str(p->fourcc, cc));
	return 0;
}

/* ---- configuring ------------------------------------------------------- */

static int setup_link(struct lumen_media *m, int l, bool enable, char *err,
		      size_t errlen)
{
	struct lumen_media_link *lk = &m->links[l];
	const struct lumen_media_pad *s = &m->pads[lk->source], *k = &m->pads[lk->sink];
	struct media_link_desc d;
	int ret;

	memset(&d, 0, sizeof(d));
	d.source.entity = m->entities[s->entity].id;
	d.source.index = (uint16_t)s->index;
	d.source.flags = MEDIA_PAD_FL_SOURCE;
	d.sink.entity = m->entities[k->entity].id;
	d.sink.index = (uint16_t)k->index;
	d.sink.flags = MEDIA_PAD_FL_SINK;
	d.flags = enable ? MEDIA_LNK_FL_ENABLED : 0;
	ret = xioctl(m->fd, MEDIA_IOC_SETUP_LINK, &d);
	if (ret) {
		snprintf(err, errlen, "%s: link '%s':%d -> '%s':%d: MEDIA_IOC_SETUP_LINK %s: %s%s",
			 m->path, m->entities[s->entity].name, s->index,
			 m->entities[k->entity].name, k->index,
			 enable ? "enable" : "disable", strerror(-ret),
			 ret == -EBUSY ? " (the pipeline is streaming: stop it first)" : "");
		return ret;
	}
	lk->flags = (lk->flags & ~(uint32_t)MEDIA_LNK_FL_ENABLED) |
		(enable ? MEDIA_LNK_FL_ENABLED : 0);
	return 0;
}

static int set_video_fmt(struct lumen_media *m, int entity,
			 const struct lumen_media_fmt *src, char *err,
			 size_t errlen)
{
	const struct lumen_media_entity *e = &m->entities[entity];
	struct v4l2_format vf;
	uint32_t fourcc = lumen_media_code_fourcc(src->code);
	char cc[8];
	int fd, ret;

	if (!fourcc) {
		snprintf(err, errlen, "%s: entity '%s' (%s): no pixel format for bus code %s (0x%04x) that its source sends",
			 m->path, e->name, e->devnode,
			 lumen_media_code_name(src->code), src->code);
		return -EINVAL;
	}
	fd = open_node(m, entity, err, errlen);
	if (fd < 0)
		return fd;
	memset(&vf, 0, sizeof(vf));
	vf.type = lumen_media_capture_type(fd);
	if (vf.type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE) {
		vf.fmt.pix_mp.width = src->width;
		vf.fmt.pix_mp.height = src->height;
		vf.fmt.pix_mp.pixelformat = fourcc;
		vf.fmt.pix_mp.field = src->field;
		vf.fmt.pix_mp.colorspace = src->colorspace;
		vf.fmt.pix_mp.num_planes = 1;
	} else {
		vf.fmt.pix.width = src->width;
		vf.fmt.pix.height = src->height;
		vf.fmt.pix.pixelformat = fourcc;
		vf.fmt.pix.field = src->field;
		vf.fmt.pix.colorspace = src->colorspace;
	}
	ret = vf.type ? xioctl(fd, VIDIOC_S_FMT, &vf) : -ENOTTY;
	close(fd);
	if (ret) {
		snprintf(err, errlen, "%s: entity '%s' (%s): VIDIOC_S_FMT %s/%ux%u: %s",
			 m->path, e->name, e->devnode,
			 lumen_media_fourcc_str(fourcc, cc), src->width,
			 src->height, strerror(-ret));
		return ret;
	}
	return 0;
}

/* Sets the sink pad's format to what its link's source sends, resets its
 * crop to the whole frame where it has one, and asks each source pad of
 * the entity for the same size (the driver decides the code and may keep
 * another size, e.g. a scaler's). */
static int propagate_into(struct lumen_media *m, int link, char *err,
			  size_t errlen)
{
	const struct lumen_media_link *lk = &m->links[link];
	const struct lumen_media_pad *sp = &m->pads[lk->source], *kp = &m->pads[lk->sink];
	const struct lumen_media_entity *to = &m->entities[kp->entity];
	struct lumen_media_fmt src, got;
	int fd, ret;

	ret = lumen_media_get_fmt(m, sp->entity, sp->index, &src, err, errlen);
	if (ret)
		return ret;
	if (to->node == LUMEN_NODE_VIDEO)
		return set_video_fmt(m, kp->entity, &src, err, errlen);
	if (to->node != LUMEN_NODE_SUBDEV)
		return 0;	/* no node: the driver configures it itself */
	fd = open_node(m, kp->entity, err, errlen);
	if (fd < 0)
		return fd;
	ret = set_subdev_fmt(m, fd, kp->entity, kp->index, &src, &got, err, errlen);
	if (!ret) {
		struct v4l2_subdev_selection sel;

		memset(&sel, 0, sizeof(sel));
		sel.which = V4L2_SUBDEV_FORMAT_ACTIVE;
		sel.pad = (uint32_t)kp->index;
		sel.target = V4L2_SEL_TGT_CROP;
		sel.r.width = got.width;
		sel.r.height = got.height;
		/* ENOTTY / EINVAL: this pad has no crop */
		(void)xioctl(fd, VIDIOC_SUBDEV_S_SELECTION, &sel);
	}
	for (int i = 0; !ret && i < to->npads; i++) {
		struct lumen_media_fmt cur;

		if (!is_source(m, to->pads[i]))
			continue;
		ret = lumen_media_get_fmt(m, kp->entity, i, &cur, err, errlen);
		if (ret)
			break;
		cur.width = got.width;
		cur.height = got.height;
		if (lumen_media_code_is_bayer(got.code) == lumen_media_code_is_bayer(cur.code))
			cur.code = got.code;
		ret = set_subdev_fmt(m, fd, kp->entity, i, &cur, NULL, err, errlen);
	}
	close(fd);
	return ret;
}

/* The entities of the pipeline that contains @entity: connected through
 * enabled data links, in either direction (as the kernel walks it). */
static int pipeline_of(const struct lumen_media *m, int entity, bool *in)
{
	int queue[LUMEN_MEDIA_MAX_ENTITIES], head = 0, tail = 0;

	memset(in, 0, sizeof(bool) * LUMEN_MEDIA_MAX_ENTITIES);
	in[entity] = true;
	queue[tail++] = entity;
	while (head < tail) {
		int e = queue[head++];

		for (int l = 0; l < m->nlinks; l++) {
			const struct lumen_media_link *lk = &m->links[l];
			int a = m->pads[lk->source].entity, b = m->pads[lk->sink].entity;
			int o = a == e ? b : b == e ? a : -1;

			if (o < 0 || !(lk->flags & MEDIA_LNK_FL_ENABLED) || in[o])
				continue;
			in[o] = true;
			queue[tail++] = o;
		}
	}
	return tail;
}

int lumen_media_configure(struct lumen_media *m, struct lumen_media_path *p,
			  char *err, size_t errlen)
{
	bool in[LUMEN_MEDIA_MAX_ENTITIES], done[LUMEN_MEDIA_MAX_ENTITIES];
	int queue[LUMEN_MEDIA_MAX_ENTITIES], head = 0, tail = 0;
	struct lumen_media_fmt want = { 0 }, got;
	int ret;

	/* links: the path's on; others into its sink pads off */
	for (int h = 0; h < p->nhops; h++) {
		int l = p->hops[h].link;

		if (l < 0)
			continue;
		for (int o = 0; o < m->nlinks; o++)
			if (o != l && m->links[o].sink == m->links[l].sink &&
			    (m->links[o].flags & MEDIA_LNK_FL_ENABLED) &&
			    !(m->links[o].flags & MEDIA_LNK_FL_IMMUTABLE)) {
				ret = setup_link(m, o, false, err, errlen);
				if (ret)
					return ret;
			}
		if (!(m->links[l].flags & MEDIA_LNK_FL_ENABLED)) {
			ret = setup_link(m, l, true, err, errlen);
			if (ret)
				return ret;
		}
	}

	if (p->sensor < 0) {
		/* the capture node alone */
		want.code = p->code;
		want.width = p->width;
		want.height = p->height;
		want.field = V4L2_FIELD_NONE;
		return set_video_fmt(m, p->capture, &want, err, errlen);
	}

	/* the sensor's source pad, then every enabled link of the pipeline
	 * downstream of it, breadth-first */
	{
		int fd = open_node(m, p->sensor, err, errlen);
		int sp = source_pad_of(m, p->sensor);

		if (fd < 0)
			return fd;
		/* the colorspace the sensor states stays */
		ret = lumen_media_get_fmt(m, p->sensor, sp, &want, err, errlen);
		if (ret) {
			close(fd);
			return ret;
		}
		want.code = p->code;
		want.width = p->width;
		want.height = p->height;
		want.field = V4L2_FIELD_NONE;
		ret = set_subdev_fmt(m, fd, p->sensor, sp, &want, &got, err, errlen);
		close(fd);
		if (ret)
			return ret;
		if (got.code != p->code) {
			snprintf(err, errlen, "%s: entity '%s' pad %d: VIDIOC_SUBDEV_S_FMT: asked for %s, the driver set %s",
				 m->path, m->entities[p->sensor].name, sp,
				 lumen_media_code_name(p->code),
				 lumen_media_code_name(got.code));
			return -EINVAL;
		}
		p->width = got.width;
		p->height = got.height;
	}
	pipeline_of(m, p->capture, in);
	memset(done, 0, sizeof(done));
	done[p->sensor] = true;
	queue[tail++] = p->sensor;
	while (head < tail) {
		int e = queue[head++];

		for (int l = 0; l < m->nlinks; l++) {
			const struct lumen_media_link *lk = &m->links[l];
			int to = m->pads[lk->sink].entity;

			if (m->pads[lk->source].entity != e || !in[to] ||
			    !(lk->flags & MEDIA_LNK_FL_ENABLED))
				continue;
			ret = propagate_into(m, l, err, errlen);
			if (ret)
				return ret;
			if (!done[to]) {
				done[to] = true;
				queue[tail++] = to;
			}
		}
	}
	return 0;
}

/* ---- validating -------------------------------------------------------- */

int lumen_media_validate(struct lumen_media *m, int capture, char *report,
			 size_t size)
{
	bool in[LUMEN_MEDIA_MAX_ENTITIES];
	size_t len = 0;
	int bad = 0, checked = 0;

	if (size)
		report[0] = 0;
	pipeline_of(m, capture, in);
	for (int l = 0; l < m->nlinks; l++) {
		const struct lumen_media_link *lk = &m->links[l];
		const struct lumen_media_pad *sp = &m->pads[lk->source], *kp = &m->pads[lk->sink];
		const struct lumen_media_entity *se = &m->entities[sp->entity];
		const struct lumen_media_entity *ke = &m->entities[kp->entity];
		struct lumen_media_fmt a, b;
		char e[256], fa[128], fb[128], why[256];
		size_t wl = 0;

		if (!(lk->flags & MEDIA_LNK_FL_ENABLED) || !in[sp->entity] ||
		    se->node == LUMEN_NODE_NONE || ke->node == LUMEN_NODE_NONE)
			continue;
		checked++;
		if (lumen_media_get_fmt(m, sp->entity, sp->index, &a, e, sizeof(e)) ||
		    lumen_media_get_fmt(m, kp->entity, kp->index, &b, e, sizeof(e))) {
			lumen_text_put(report, size, &len, "link '%s':%d -> '%s':%d: cannot read a format: %s\n",
			    se->name, sp->index, ke->name, kp->index, e);
			bad++;
			continue;
		}
		why[0] = 0;
		if (a.width != b.width)
			lumen_text_put(why, sizeof(why), &wl, "%swidth %u != %u", wl ? ", " : "", a.width, b.width);
		if (a.height != b.height)
			lumen_text_put(why, sizeof(why), &wl, "%sheight %u != %u", wl ? ", " : "", a.height, b.height);
		if (a.code != b.code) {
			if (ke->node == LUMEN_NODE_VIDEO) {
				char c1[8], c2[8];

				lumen_text_put(why, sizeof(why), &wl, "%spixel format: the source sends %s (wants %s), the node takes %s",
				    wl ? ", " : "", lumen_media_code_name(a.code),
				    lumen_media_code_fourcc(a.code) ?
				    lumen_media_fourcc_str(lumen_media_code_fourcc(a.code), c1) : "none",
				    lumen_media_fourcc_str(b.fourcc, c2));
			} else {
				lumen_text_put(why, sizeof(why), &wl, "%sbus code %s != %s", wl ? ", " : "",
				    lumen_media_code_name(a.code), lumen_media_code_name(b.code));
			}
		}
		if (a.field != b.field && b.field != V4L2_FIELD_NONE)
			lumen_text_put(why, sizeof(why), &wl, "%sfield %s != %s", wl ? ", " : "",
			    field_name(a.field), field_name(b.field));
		if (a.colorspace && b.colorspace && a.colorspace != b.colorspace)
			lumen_text_put(why, sizeof(why), &wl, "%scolorspace %u != %u", wl ? ", " : "",
			    a.colorspace, b.colorspace);
		if (!wl)
			continue;
		bad++;
		fmt_str(&a, fa, sizeof(fa));
		fmt_str(&b, fb, sizeof(fb));
		lumen_text_put(report, size, &len, "link '%s':%d -> '%s':%d%s: %s\n  source '%s':%d  %s\n  sink   '%s':%d  %s\n",
		    se->name, sp->index, ke->name, kp->index,
		    (lk->flags & MEDIA_LNK_FL_IMMUTABLE) ? " (immutable)" : "", why,
		    se->name, sp->index, fa, ke->name, kp->index, fb);
	}
	if (bad)
		lumen_text_put(report, size, &len, "%d of %d enabled links in the pipeline of '%s' do not match: STREAMON would fail with EPIPE\n",
		    bad, checked, m->entities[capture].name);
	return bad ? -EPIPE : 0;
}

/* ---- a plan from a board file ------------------------------------------ */

/* The pad @pp names, as entity and pad indexes: 0 or -ENOENT (named). */
static int plan_pad(const struct lumen_media *m, const struct lumen_plan_pad *pp,
		    int *entity, char *err, size_t errlen)
{
	*entity = lumen_media_find(m, pp->entity);
	if (*entity < 0) {
		snprintf(err, errlen, "%s: the board's entity '%s' is not in this graph (model '%s')",
			 m->path, pp->entity, m->model);
		return -ENOENT;
	}
	if (pp->pad >= m->entities[*entity].npads) {
		snprintf(err, errlen, "%s: entity '%s' has pads 0..%d, not %d", m->path,
			 pp->entity, m->entities[*entity].npads - 1, pp->pad);
		return -ENOENT;
	}
	return 0;
}

int lumen_media_apply_plan(struct lumen_media *m, const struct lumen_media_plan *plan,
			   char *err, size_t errlen)
{
	int ret, se, ke, fd;

	for (int i = 0; i < plan->nlinks; i++) {
		const struct lumen_plan_link *pl = &plan->links[i];
		int l;

		if ((ret = plan_pad(m, &pl->source, &se, err, errlen)) ||
		    (ret = plan_pad(m, &pl->sink, &ke, err, errlen)))
			return ret;
		for (l = 0; l < m->nlinks; l++)
			if (m->pads[m->links[l].source].entity == se &&
			    m->pads[m->links[l].source].index == pl->source.pad &&
			    m->pads[m->links[l].sink].entity == ke &&
			    m->pads[m->links[l].sink].index == pl->sink.pad)
				break;
		if (l == m->nlinks) {
			snprintf(err, errlen, "%s: no link '%s':%d -> '%s':%d in this graph",
				 m->path, pl->source.entity, pl->source.pad,
				 pl->sink.entity, pl->sink.pad);
			return -ENOENT;
		}
		if (!!(m->links[l].flags & MEDIA_LNK_FL_ENABLED) == pl->enable)
			continue;
		ret = setup_link(m, l, pl->enable, err, errlen);
		if (ret)
			return ret;
	}
	for (int i = 0; i < plan->nformats; i++) {
		const struct lumen_plan_format *pf = &plan->formats[i];
		struct lumen_media_fmt want = { .width = pf->width, .height = pf->height,
						.code = pf->code };

		ret = plan_pad(m, &pf->at, &se, err, errlen);
		if (ret)
			return ret;
		fd = open_node(m, se, err, errlen);
		if (fd < 0)
			return fd;
		ret = set_subdev_fmt(m, fd, se, pf->at.pad, &want, NULL, err, errlen);
		if (!ret && pf->has_crop) {
			struct v4l2_subdev_selection sel;

			memset(&sel, 0, sizeof(sel));
			sel.which = V4L2_SUBDEV_FORMAT_ACTIVE;
			sel.pad = (uint32_t)pf->at.pad;
			sel.target = V4L2_SEL_TGT_CROP;
			sel.r.left = (int32_t)pf->crop_x;
			sel.r.top = (int32_t)pf->crop_y;
			sel.r.width = pf->crop_w;
			sel.r.height = pf->crop_h;
			ret = xioctl(fd, VIDIOC_SUBDEV_S_SELECTION, &sel);
			if (ret)
				snprintf(err, errlen, "%s: entity '%s' pad %d (%s): VIDIOC_SUBDEV_S_SELECTION crop (%u,%u)/%ux%u: %s",
					 m->path, pf->at.entity, pf->at.pad,
					 m->entities[se].devnode, pf->crop_x, pf->crop_y,
					 pf->crop_w, pf->crop_h, strerror(-ret));
		}
		close(fd);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- printing ---------------------------------------------------------- */

int lumen_media_print(struct lumen_media *m, char *buf, size_t size)
{
	size_t len = 0;

	lumen_text_put(buf, size, &len, "Media controller API version %u.%u.%u\n\n",
	    m->media_version >> 16, (m->media_version >> 8) & 0xff,
	    m->media_version & 0xff);
	lumen_text_put(buf, size, &len, "Media device information\n------------------------\n"
	    "driver          %s\nmodel           %s\nbus info        %s\n\n"
	    "Device topology\n", m->driver, m->model, m->bus_info);
	for (int i = 0; i < m->nentities; i++) {
		const struct lumen_media_entity *e = &m->entities[i];

		lumen_text_put(buf, size, &len, "- entity %u: %s (%d pad%s) [%s]\n", e->id,
		    e->name, e->npads, e->npads == 1 ? "" : "s",
		    lumen_media_function_name(e->function));
		if (e->devnode[0])
			lumen_text_put(buf, size, &len, "            type %s\n            device node name %s\n",
			    e->node == LUMEN_NODE_SUBDEV ? "V4L2 subdev" : "Node devnode",
			    e->devnode);
		for (int k = 0; k < e->npads; k++) {
			int pi = e->pads[k];
			const struct lumen_media_pad *pd = &m->pads[pi];
			struct lumen_media_fmt f;
			char err[256], fs[128];

			lumen_text_put(buf, size, &len, "\tpad%d: %s\n", pd->index,
			    is_source(m, pi) ? "Source" : "Sink");
			if (e->node != LUMEN_NODE_NONE &&
			    !lumen_media_get_fmt(m, i, pd->index, &f, err, sizeof(err))) {
				fmt_str(&f, fs, sizeof(fs));
				lumen_text_put(buf, size, &len, "\t\t[fmt:%s]\n", fs);
			}
			for (int l = 0; l < m->nlinks; l++) {
				const struct lumen_media_link *lk = &m->links[l];
				bool out = lk->source == pi;
				int other;

				if (!out && lk->sink != pi)
					continue;
				other = out ? lk->sink : lk->source;
				lumen_text_put(buf, size, &len, "\t\t%s \"%s\":%d [%s%s]\n",
				    out ? "->" : "<-",
				    m->entities[m->pads[other].entity].name,
				    m->pads[other].index,
				    (lk->flags & MEDIA_LNK_FL_ENABLED) ? "ENABLED" : "",
				    (lk->flags & MEDIA_LNK_FL_IMMUTABLE) ? ",IMMUTABLE" : "");
			}
		}
		lumen_text_put(buf, size, &len, "\n");
	}
	return (int)len;
}

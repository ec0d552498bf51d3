/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A Linux media-controller graph as data (entities, pads, links, device
 * nodes), read with MEDIA_IOC_DEVICE_INFO and MEDIA_IOC_G_TOPOLOGY, and
 * what lumen does with it: choose the path from the camera sensor to the
 * capture node that delivers raw Bayer, enable its links, set and
 * propagate formats along every enabled link of the pipeline, and check
 * every such link before STREAMON the way the kernel will, so that a
 * mismatch is told link by link instead of as a bare EPIPE.
 *
 * Contract: single-threaded (the caller's); nothing here keeps a file
 * open except struct lumen_media's media fd, closed by lumen_media_close().
 * Every function returns 0 or a negative errno and, on error, writes a
 * message into @err naming the device, the entity and pad, the ioctl and
 * the reason.
 */
#ifndef LUMEN_BACKEND_MEDIA_H
#define LUMEN_BACKEND_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LUMEN_MEDIA_MAX_ENTITIES 64
#define LUMEN_MEDIA_MAX_PADS 256
#define LUMEN_MEDIA_MAX_LINKS 256
#define LUMEN_MEDIA_MAX_PATH 16

enum lumen_media_node { LUMEN_NODE_NONE, LUMEN_NODE_SUBDEV, LUMEN_NODE_VIDEO };

struct lumen_media_pad {
	uint32_t id, entity_id;
	int entity;		/* index into entities[] */
	int index;		/* the pad's number in its entity */
	uint32_t flags;		/* MEDIA_PAD_FL_SINK / _SOURCE */
};

struct lumen_media_entity {
	uint32_t id;
	char name[64];
	uint32_t function;	/* MEDIA_ENT_F_* */
	enum lumen_media_node node;
	char devnode[64];	/* /dev/video0, /dev/v4l-subdev3 or "" */
	int npads;
	int pads[16];		/* indexes into pads[], by pad index */
};

struct lumen_media_link {
	uint32_t id;
	int source, sink;	/* indexes into pads[] */
	uint32_t flags;		/* MEDIA_LNK_FL_ENABLED / _IMMUTABLE */
};

/* One hop of a path: data enters @entity at @sink_pad (-1 for the
 * sensor) and leaves at @source_pad (-1 for the capture node), over
 * links[@link] (-1 for the sensor). */
struct lumen_media_hop {
	int entity, sink_pad, source_pad, link;
};

struct lumen_media {
	int fd;
	char path[64];
	char driver[32], model[32], bus_info[32];
	uint32_t media_version;
	int nentities, npads, nlinks;
	struct lumen_media_entity entities[LUMEN_MEDIA_MAX_ENTITIES];
	struct lumen_media_pad pads[LUMEN_MEDIA_MAX_PADS];
	struct lumen_media_link links[LUMEN_MEDIA_MAX_LINKS];
};

/* A format on a pad, in media-bus terms (video nodes' pixel formats are
 * mapped to their bus code for comparison). */
struct lumen_media_fmt {
	uint32_t width, height, code, field, colorspace;
	uint32_t fourcc;	/* video nodes only */
};

/* The path lumen would use, and why (one line per candidate considered). */
struct lumen_media_path {
	int nhops;
	struct lumen_media_hop hops[LUMEN_MEDIA_MAX_PATH];
	int sensor;		/* entity index, -1 when the graph has none */
	int capture;		/* entity index of the video node */
	uint32_t code;		/* Bayer bus code chosen for the sensor pad */
	uint32_t fourcc;	/* and the capture node's pixel format */
	uint32_t width, height;
	char why[1024];
};

/* Opens @path (e.g. /dev/media0) and reads the whole graph. */
int lumen_media_open(const char *path, struct lumen_media *m, char *err,
		     size_t errlen);
void lumen_media_close(struct lumen_media *m);

/* The entity called @name, or -1. */
int lumen_media_find(const struct lumen_media *m, const char *name);

/* Chooses the path (see above). @want_w/@want_h 0 = the sensor's current
 * size; @want_code 0 = the first Bayer code both ends support. */
int lumen_media_choose(struct lumen_media *m, uint32_t want_w,
		       uint32_t want_h, uint32_t want_code,
		       struct lumen_media_path *p, char *err, size_t errlen);

/* Enables the path's links (disabling other links into its sink pads),
 * sets the sensor format and propagates it along every enabled link of the
 * pipeline, crop reset to the full frame on every sink pad that has one,
 * and sets the capture node's format. */
int lumen_media_configure(struct lumen_media *m, struct lumen_media_path *p,
			  char *err, size_t errlen);

/*
 * Checks every enabled data link of the pipeline that contains the
 * capture node as the kernel will at STREAMON (width, height, bus code,
 * field, colorspace). Writes one paragraph per mismatching link into
 * @report ("'Sensor A':0 -> 'Debayer A':0: width 640 != 320" and both
 * formats) and returns -EPIPE when there is any, 0 when all match.
 */
int lumen_media_validate(struct lumen_media *m, int capture, char *report,
			 size_t size);

struct lumen_media_plan;
/*
 * Applies a board file's plan (backend/media_plan.h) to the graph as
 * media-ctl -l and -V would: each link enabled or disabled
 * (MEDIA_IOC_SETUP_LINK, unless it already is), then each pad's format
 * (VIDIOC_SUBDEV_S_FMT) and crop (VIDIOC_SUBDEV_S_SELECTION) in order.
 * An entity, pad or link the graph lacks is named (-ENOENT). The caller
 * checks the plan on paper first (lumen_media_plan_check()) and the
 * graph after (lumen_media_validate()).
 */
int lumen_media_apply_plan(struct lumen_media *m, const struct lumen_media_plan *plan,
			   char *err, size_t errlen);

/* `media-ctl -p`-style text of the graph with current formats. */
int lumen_media_print(struct lumen_media *m, char *buf, size_t size);

/* Reads the active format of a pad (subdev) or of a video node (@pad
 * ignored). */
int lumen_media_get_fmt(struct lumen_media *m, int entity, int pad,
			struct lumen_media_fmt *f, char *err, size_t errlen);
/* Sets the active format of a subdev pad as given (for tests and manual
 * set-up, like media-ctl -V); the driver may adjust it. */
int lumen_media_set_fmt(struct lumen_media *m, int entity, int pad,
			const struct lumen_media_fmt *f, char *err,
			size_t errlen);

/* The buffer type a capture node is driven with: single-planar
 * (V4L2_BUF_TYPE_VIDEO_CAPTURE) when it has it, else multi-planar
 * (_MPLANE, e.g. rkisp1's mainpath); 0 when it captures neither
 * (VIDIOC_QUERYCAP's device caps). */
uint32_t lumen_media_capture_type(int fd);

/* Names: "SRGGB10_1X10", "RGB888_1X24"; 0 from parse when unknown. */
const char *lumen_media_code_name(uint32_t code);
uint32_t lumen_media_code_parse(const char *s);
/* The V4L2 pixel format of a bus code for a plain capture node, and its
 * lumen frame layout; 0 / LUMEN_PIX_NONE when there is none. */
uint32_t lumen_media_code_fourcc(uint32_t code);
uint32_t lumen_media_fourcc_code(uint32_t fourcc);
bool lumen_media_code_is_bayer(uint32_t code);
/* "SRGGB8" etc. into @buf[8]. */
const char *lumen_media_fourcc_str(uint32_t fourcc, char buf[8]);
const char *lumen_media_function_name(uint32_t function);

#endif

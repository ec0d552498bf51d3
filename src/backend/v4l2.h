/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The V4L2 / media-controller capture backend: a struct lumen_source over
 * a kernel camera driver (docs/v4l2.md). Creating it reads the media
 * graph, chooses the sensor -> raw Bayer capture path, enables its links
 * and sets and propagates the formats (unless told to take the graph as
 * it is); start() checks every enabled link of the pipeline before
 * STREAMON and refuses with a link-by-link report instead of EPIPE, then
 * streams with mmap buffers. Frames point into the driver's buffers and
 * go back to it on release(). Exposure and gain go to the sensor's
 * V4L2_CID_EXPOSURE / V4L2_CID_ANALOGUE_GAIN controls where it has them;
 * a sensor without them has no set_exposure_gain (3A runs AWB only).
 *
 * Stages it reports: "media" (the graph: links, validation; carries no
 * frames) and "dma" (the capture node: buffers dequeued, sequence gaps
 * as drops, error-flagged buffers, the timeout that names the node).
 */
#ifndef LUMEN_BACKEND_V4L2_H
#define LUMEN_BACKEND_V4L2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/source.h"

struct lumen_media_plan;

#define LUMEN_V4L2_MAX_CTRLS 8

struct lumen_v4l2_config {
	const char *media;	/* /dev/mediaN; NULL = the first with a path */
	uint32_t width, height;	/* 0 = the sensor's current size */
	uint32_t code;		/* MEDIA_BUS_FMT_*; 0 = first Bayer both ends take */
	bool no_configure;	/* take links and formats as they are */
	/* a board file's media plan (backend/media_plan.h), NULL = none:
	 * checked on paper, then applied instead of lumen's own path
	 * set-up (the caller keeps it for the source's lifetime) */
	const struct lumen_media_plan *plan;
	int buffers;		/* mmap buffers; 0 = 4 */
	uint16_t black_level;	/* in sample units of the delivered bits */
	/* controls set by name before streaming (sensor first, then the
	 * capture node), e.g. "Test Pattern" = 0 */
	int nctrls;
	struct {
		char name[32];
		int64_t value;
	} ctrls[LUMEN_V4L2_MAX_CTRLS];
};

/*
 * Creates the source. On error returns a negative errno and writes into
 * @err what failed: the device, entity, pad and ioctl, and why.
 */
int lumen_v4l2_source_create(const struct lumen_v4l2_config *cfg,
			     struct lumen_source **out, char *err,
			     size_t errlen);

/* The sensor entity's name (e.g. "imx258 1-001a"), or "(no sensor)" for
 * a graph without one (vivid); valid while the source lives. */
const char *lumen_v4l2_source_sensor(struct lumen_source *src);

/* Parses "NAME=VALUE" into the config's control list: 0 or -EINVAL. */
int lumen_v4l2_config_add_ctrl(struct lumen_v4l2_config *cfg,
			       const char *spec);

/* The first /dev/mediaN that has a sensor-to-Bayer path (then any with a
 * Bayer capture node) into @out; -ENOENT when none. */
int lumen_v4l2_find_media(char *out, size_t size);

#endif

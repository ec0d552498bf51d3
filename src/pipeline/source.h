/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A capture backend as the pipeline sees it: something that delivers raw
 * frames (virtual board, V4L2 device, file replay) and, when it has a
 * sensor, takes exposure and gain from 3A.
 *
 * Contract: start/stop/destroy are called from the pipeline's control
 * thread; dequeue/release/set_exposure_gain from the ISP thread only.
 * NULL ops mean "not supported" (a source without a sensor has no
 * set_exposure_gain). Returns are 0 or a negative errno.
 */
#ifndef LUMEN_PIPELINE_SOURCE_H
#define LUMEN_PIPELINE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "pipeline/status.h"

/* What the sensor did for one frame, as far as the source knows it. */
struct lumen_capture_info {
	uint32_t exposure_lines;	/* 0 = unknown */
	uint32_t gain_q8;		/* 256 = 1x; 0 = unknown */
	double line_time_s;
	/* The frame's memory belongs to the device (a V4L2 buffer), not to
	 * a lumen pool: valid until release(). @dmabuf_fd is the buffer
	 * exported as a dmabuf (owned by the source; -1 when the driver
	 * cannot export), @offset where the frame starts in it,
	 * @bytesused what the driver filled. All zero for pool frames. */
	bool external;
	int dmabuf_fd;
	uint32_t offset, bytesused;
};

/* A raw format a source can deliver. */
struct lumen_source_format {
	int width, height;
	enum lumen_pixfmt fmt;		/* BAYER8 / BAYER16 / ... */
	enum lumen_bayer bayer;
	int bits;			/* significant bits per sample */
	uint32_t code;			/* the device's own code (MEDIA_BUS_FMT_*), or 0 */
};

/* Limits 3A must respect, in the sensor's current mode. */
struct lumen_exposure_limits {
	uint32_t exposure_min, exposure_max;	/* lines */
	uint32_t gain_min_q8, gain_max_q8;
	double line_time_s, frame_time_s;
	int exposure_delay, gain_delay;		/* frames */
};

struct lumen_source;

struct lumen_source_ops {
	const char *name;
	/* Powers, probes, configures and starts streaming. On failure the
	 * source is stopped again and status() tells where it failed. */
	int (*start)(struct lumen_source *src);
	void (*stop)(struct lumen_source *src);
	/* Next raw frame, waiting up to @timeout_ms: 0, -ETIMEDOUT, -errno. */
	int (*dequeue)(struct lumen_source *src, struct lumen_frame **out,
		       struct lumen_capture_info *info, int timeout_ms);
	void (*release)(struct lumen_source *src, struct lumen_frame *f);
	int (*set_exposure_gain)(struct lumen_source *src, uint32_t lines,
				 uint32_t gain_q8);
	int (*get_limits)(struct lumen_source *src,
			  struct lumen_exposure_limits *out);
	/* Fills up to @max stage records in pipeline order; returns count. */
	int (*status)(struct lumen_source *src, struct lumen_stage_status *st,
		      int max);
	/* Text dumps in the vendors' formats (csi_info, vif_info, ...). */
	int (*dump)(struct lumen_source *src, char *buf, size_t size);
	void (*destroy)(struct lumen_source *src);

	/*
	 * Formats, from the control thread while the source is stopped.
	 * enum_formats: the @index-th format (each code with its largest
	 * size, or each discrete size), -EINVAL past the end.
	 * try_format: adjusts @f to what the device would take, changes
	 * nothing. set_format: configures it (-EBUSY while streaming) and
	 * updates width/height/fmt; a pipeline built for the old size must
	 * be created again.
	 */
	int (*enum_formats)(struct lumen_source *src, int index,
			    struct lumen_source_format *out);
	int (*try_format)(struct lumen_source *src, struct lumen_source_format *f);
	int (*set_format)(struct lumen_source *src,
			  const struct lumen_source_format *f);
	/* Device controls by name (V4L2's names for the v4l2 source), any
	 * thread but not concurrently with itself: 0, -ENOENT (no such
	 * control), -errno. */
	int (*set_control)(struct lumen_source *src, const char *name,
			   int64_t value);
	int (*get_control)(struct lumen_source *src, const char *name,
			   int64_t *value);
};

struct lumen_source {
	const struct lumen_source_ops *ops;
	int width, height;		/* raw frames it delivers */
	enum lumen_pixfmt fmt;
	char error[256];		/* why start() (or the last format op)
					 * failed, for the user */
	char failed_stage[24];		/* the stage start() failed at, or "" */
	void *priv;
};

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live 3A of the pipeline: the AE and AWB controllers (src/algo) wired to
 * a source's sensor and to the ISP's white balance, and the per-sensor
 * starting ISP parameters from its tuning file.
 *
 * lumen_control_frame() is the pipeline's 3A hook: it runs on the ISP
 * thread once per frame. lumen_control_get()/format() may be called from
 * any thread (snapshot under a lock).
 */
#ifndef LUMEN_PIPELINE_CONTROL_H
#define LUMEN_PIPELINE_CONTROL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "algo/ae_control.h"
#include "algo/awb_control.h"
#include "io/tuning.h"
#include "isp/isp.h"
#include "pipeline/pipeline.h"

struct lumen_control_config {
	bool ae, awb;			/* both on by default */
	struct lumen_ae_config ae_cfg;
	struct lumen_awb_config awb_cfg;
};

struct lumen_control_state {
	bool ae_on, awb_on;
	bool ae_ready;			/* the source gave its limits */
	struct lumen_ae_status ae;
	struct lumen_awb_status awb;
	uint64_t sensor_writes, sensor_write_errors;
};

struct lumen_control;

/* @cfg NULL = AE and AWB on with their defaults. 0 or -errno. */
int lumen_control_create_cfg(struct lumen_source *src,
			     const struct lumen_control_config *cfg,
			     struct lumen_control **out);
int lumen_control_create(struct lumen_source *src, struct lumen_control **out);
void lumen_control_destroy(struct lumen_control *ctl);

/* The pipeline hook (opaque = the control). */
void lumen_control_frame(void *opaque, struct lumen_pipeline *pl,
			 const struct lumen_isp_stats *stats,
			 const struct lumen_capture_info *cap,
			 struct lumen_isp_params *params,
			 struct lumen_frame_info *info);

/* Live change from any thread; applied at the start of the next frame (AE
 * and AWB restart from the current exposure and gains). */
void lumen_control_reconfigure(struct lumen_control *ctl,
			       const struct lumen_control_config *cfg);

void lumen_control_get(struct lumen_control *ctl, struct lumen_control_state *out);
/* Human summary (a few lines), like snprintf. */
int lumen_control_format(struct lumen_control *ctl, char *buf, size_t size);

/*
 * What the ISP parameters filled by lumen_control_isp_defaults() point
 * into (the lens-shading grid, the defect map): the caller keeps it, unchanged, for as long
 * as a pipeline uses those parameters.
 */
struct lumen_control_tuning {
	struct lumen_tuning file;
	struct lumen_lsc_map lsc;
	struct lumen_dpc_map dpc_map;
	char path[PATH_MAX];		/* the file read; "" when none */
};

/*
 * Starting ISP parameters for @sensor: defaults, fast demosaic, statistics
 * on, and from the sensor's tuning file (data/tuning/<sensor>.yaml, looked
 * up in $LUMEN_TUNING_DIR, the source tree, then the install prefix) its
 * colour matrix, lens-shading grid, defect map and noise profile (which
 * lumen_control_frame() scales by each frame's analogue gain). Called once before the pipeline is
 * created, from the thread that creates it. Returns 0; -ENOENT when no
 * tuning file was found (the defaults stay, @err empty); -EINVAL when the
 * file is bad (the defaults stay; @err says "file:line: what"), which
 * callers treat as a configuration error.
 */
int lumen_control_isp_defaults(const char *sensor, struct lumen_isp_params *p,
			       struct lumen_control_tuning *keep, char *err,
			       size_t errsz);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The camera: one home for what `lumen run` and `lumen serve` both
 * assemble before any output exists — the board file, the tuning of its
 * sensor, the source (a factory over the backends: the virtual board, a
 * V4L2 device), its format, 3A, and the pipeline configuration that
 * joins them. The callers add their own sinks (files; encoders and
 * servers) to the pipeline it configures.
 *
 *   lumen_camera_open()            board -> backend -> source -> format
 *   lumen_camera_pipeline_config() -> a pipeline config: source, ISP
 *                                     parameters with the tuning, 3A
 *   lumen_camera_start_report()    after a failed start: what to look at
 *   lumen_camera_close()
 *
 * Threading: everything here runs on the caller's control thread; the
 * source and the control then belong to the pipeline (source.h).
 */
#ifndef LUMEN_CAMERA_CAMERA_H
#define LUMEN_CAMERA_CAMERA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/v4l2.h"
#include "backend/virtual.h"
#include "board/board.h"
#include "pipeline/control.h"
#include "pipeline/pipeline.h"

enum lumen_camera_backend {
	LUMEN_CAMERA_AS_BOARD = 0,	/* the board file's backend: (default virtual) */
	LUMEN_CAMERA_VIRTUAL,
	LUMEN_CAMERA_V4L2,
};

struct lumen_camera_config {
	/* a board name or path; NULL = none (V4L2 only: no tuning, an
	 * identity colour matrix and grey-world AWB) */
	const char *board;
	enum lumen_camera_backend backend;	/* overrides the board's */
	/* V4L2: the device, code, controls, no_configure, black level (its
	 * width/height are ignored: see width/height below) */
	struct lumen_v4l2_config v4l2;
	/* V4L2: a size other than the sensor's current one, taken through
	 * the source's try_format/set_format (0 = keep) */
	uint32_t width, height;
	/* the virtual board: faults (1 << enum lumen_fault) and the scene
	 * (LUMEN_SCENE_CHART by default; @scene_image for an IMAGE scene;
	 * @light 0 = 1.0) */
	uint32_t faults;
	enum lumen_scene_kind scene;
	const char *scene_image;
	double light;
};

struct lumen_camera {
	bool has_board;
	struct lumen_board board;		/* valid when has_board */
	enum lumen_camera_backend backend;	/* VIRTUAL or V4L2, resolved */
	struct lumen_source *src;
	/* the ISP parameters with the board's tuning; lsc and the defect
	 * map point into @tuning, which lives as long as the camera */
	struct lumen_isp_params isp;
	struct lumen_control_tuning tuning;
	bool has_tuning;			/* tuning.path was loaded */
	struct lumen_control *ctl;		/* 3A, once asked for */
	/* the format change --size made, for the user ("" = none) */
	char format_note[160];
};

/*
 * Loads the board (if any), its sensor's tuning, and creates the source
 * the backend names; for V4L2 with a size, sets it through try_format
 * and set_format. Returns 0, or a negative errno with @err saying what
 * failed: -EINVAL for what the user asked wrongly (bad board file,
 * unknown backend combination, a fault on V4L2), others for what the
 * device or board refused (V4L2: device, entity, pad, ioctl and why).
 */
int lumen_camera_open(const struct lumen_camera_config *cfg,
		      struct lumen_camera **out, char *err, size_t errlen);

/*
 * Fills the camera's part of @pc: the source, the ISP parameters, NV12
 * output and drop_stale (a live source: develop the newest frame). With
 * @cc (NULL = 3A's defaults) and @use_3a, creates the camera's control
 * (3A) and hooks it in; a source without a sensor still gets AWB.
 * Leaves the rest of @pc (buffers, threads, taps) to the caller.
 */
void lumen_camera_pipeline_config(struct lumen_camera *cam, bool use_3a,
				  const struct lumen_control_config *cc,
				  struct lumen_pipeline_config *pc);

/*
 * After lumen_pipeline_start() failed: what a bring-up engineer looks at
 * next, into @buf like snprintf — a V4L2 source's graph with the chosen
 * path and why; the virtual board's i2cdetect when it failed at the bus
 * or sensor. Returns the length needed (0: nothing to add).
 */
int lumen_camera_start_report(struct lumen_camera *cam, char *buf, size_t size);

/* The board's name, or the backend's when there is no board file. */
const char *lumen_camera_name(const struct lumen_camera *cam);
/* The board's sensor driver, or without a board the V4L2 sensor entity's
 * name ("(no sensor)" when the graph has none). */
const char *lumen_camera_sensor(const struct lumen_camera *cam);

/* Destroys the control and the source (the pipeline must be gone). */
void lumen_camera_close(struct lumen_camera *cam);

#endif

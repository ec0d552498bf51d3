/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pipeline runtime: source -> ISP thread -> sinks.
 *
 *   source (own hardware/emulation threads; raw frames from its DMA pool)
 *     -> ISP thread: dequeue raw, ISP to NV12 (or RGB24) into a frame of the
 *        output pool, statistics -> 3A -> sensor exposure/gain and ISP WB,
 *        release raw, hand the output frame to every sink's queue
 *     -> one thread per sink: pop, consume (encode, write, serve), unref.
 *
 * Output frames are shared by all sinks without copies: each carries a
 * reference count (one per queue it was pushed to); the last unref returns
 * it to the output pool. A full sink queue refuses the frame: that sink
 * drops it (counted on the sink) and nobody else waits.
 *
 * Accounting invariant, asserted in debug builds after every hand-over:
 * free + queued + in flight == pool size for the output pool, where a frame
 * is "queued" while any sink queue holds it and "in flight" while the ISP
 * thread or a sink works on it.
 *
 * Threads: create/add_sink/start/stop/destroy from one control thread;
 * status() from any thread. start() after stop() restarts cleanly.
 */
#ifndef LUMEN_PIPELINE_PIPELINE_H
#define LUMEN_PIPELINE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "isp/isp.h"
#include "pipeline/source.h"
#include "pipeline/status.h"

#define LUMEN_PIPELINE_MAX_SINKS 8

/* Per-frame facts handed to sinks with the picture. */
struct lumen_frame_info {
	uint64_t sequence;		/* counts frames the ISP produced */
	int64_t capture_ns;		/* CLOCK_MONOTONIC at sensor frame start */
	int64_t isp_done_ns;
	struct lumen_capture_info capture;
	float wb[3];
	double ae_error;		/* measured/target - 1; 0 when off */
};

struct lumen_sink_ops {
	/*
	 * Called on the sink's own thread for every frame it receives; @f is
	 * valid until it returns. A negative return is counted as an error
	 * and the sink goes on with the next frame.
	 */
	int (*consume)(void *opaque, const struct lumen_frame *f,
		       const struct lumen_frame_info *info);
	/*
	 * Optional: the rate the sink wants now, asked on the sink's thread
	 * before each frame (frames closer than 0.95 / rate to the last one
	 * taken are skipped, not consumed). NULL: the max_fps given to
	 * lumen_pipeline_add_sink(). 0 or less: every frame.
	 */
	double (*max_fps)(void *opaque);
};

/* Hook for 3A (set by the caller; NULL = fixed exposure and WB). Runs on
 * the ISP thread after the statistics stage of each frame: may change
 * @params (wb, exposure) for the rest of this frame and call the source's
 * set_exposure_gain for later ones. @stats is all it sees of the frame:
 * 3A works from statistics only, as on a hardware ISP. */
struct lumen_pipeline;
typedef void (*lumen_pipeline_3a_fn)(void *opaque, struct lumen_pipeline *pl,
				     const struct lumen_isp_stats *stats,
				     const struct lumen_capture_info *cap,
				     struct lumen_isp_params *params,
				     struct lumen_frame_info *info);

struct lumen_pipeline_config {
	struct lumen_source *source;	/* borrowed; outlives the pipeline */
	enum lumen_pixfmt out_fmt;	/* NV12 (default when NONE) or RGB24 */
	/* output pool size; 0 = 3 + (queue depth + 1) per sink. When every
	 * frame is held the ISP drops (the isp stage's drops). */
	int out_buffers;
	struct lumen_isp_params isp;
	lumen_pipeline_3a_fn control;
	void *control_opaque;
	int dequeue_timeout_ms;		/* 0 = 1000 */
	/* Live sources: when the ISP falls behind and the source has several
	 * frames ready, process the newest and give the older ones back
	 * (counted as "stale_drops" on the isp stage), so outputs and 3A see
	 * what the sensor sees now instead of frames that waited in the DMA
	 * queue. Leave false for sources where every frame matters (replay). */
	bool drop_stale;
	/* Threads that develop a frame (lumen_isp_set_threads(): slices of
	 * rows, the same bits as one thread); 0 = one per online CPU core,
	 * at most LUMEN_ISP_MAX_THREADS. */
	int isp_threads;
	/* Sees every raw frame on the ISP thread before the ISP (e.g. to save
	 * DNGs); it must not keep @raw. NULL = none. */
	void (*raw_tap)(void *opaque, const struct lumen_frame *raw,
			const struct lumen_capture_info *cap);
	void *raw_tap_opaque;
};

struct lumen_pipeline;

int lumen_pipeline_create(const struct lumen_pipeline_config *cfg,
			  struct lumen_pipeline **out);
void lumen_pipeline_destroy(struct lumen_pipeline *pl);

/*
 * Adds a consumer with a queue of @depth frames. @max_fps > 0 thins the
 * stream for that sink (per-channel frame rate; skipped frames are not
 * drops). Only before the first start(). Returns the sink index or -errno.
 */
int lumen_pipeline_add_sink(struct lumen_pipeline *pl, const char *name,
			    const struct lumen_sink_ops *ops, void *opaque,
			    int depth, double max_fps);
/* Test and fault hook: a stalled sink stops taking frames from its queue
 * until released (or until stop). */
void lumen_pipeline_stall_sink(struct lumen_pipeline *pl, int sink,
			       bool stalled);

/* Starts the source and the threads: 0 or the source's error (its text in
 * source->error). */
int lumen_pipeline_start(struct lumen_pipeline *pl);
/* Stops everything and takes every frame back; idempotent. */
void lumen_pipeline_stop(struct lumen_pipeline *pl);
bool lumen_pipeline_running(struct lumen_pipeline *pl);

/* Live ISP parameter changes (applied from the next frame). */
void lumen_pipeline_set_isp_params(struct lumen_pipeline *pl,
				   const struct lumen_isp_params *p);
void lumen_pipeline_get_isp_params(struct lumen_pipeline *pl,
				   struct lumen_isp_params *p);

struct lumen_source *lumen_pipeline_source(struct lumen_pipeline *pl);

/*
 * Stage records in pipeline order: the source's, then "isp", then one per
 * sink. Returns how many were written (at most @max).
 */
int lumen_pipeline_status(struct lumen_pipeline *pl,
			  struct lumen_stage_status *st, int max);

/* Checks the output-pool accounting now (also used by tests in release
 * builds): 0, or -EFAULT when free + queued + in flight != pool size. */
int lumen_pipeline_check_accounting(struct lumen_pipeline *pl);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generic reference SoC of the virtual board: the capture front end of
 * a camera SoC, modelled on SigmaStar (SSC377), Ingenic (T31) and Rockchip
 * (RK3399) parts. Three blocks, one file each:
 *
 *   sensor pads (D-PHY) -> csi_rx.c: one CSI-2 receiver per pad, configured
 *                          by software (lanes, VC, DT, expected size)
 *                       -> vif.c:    per channel: input pad, crop window,
 *                                    input mask
 *                       -> dma.c:    per channel: fixed buffer pool and a
 *                                    frame-done queue the consumer waits on
 *
 * The models differ only in how their status reads (pad count, lanes per
 * pad, names and layout of the text dumps); the behaviour is one.
 *
 * Data path: bursts of CSI-2 bytes arrive on a pad (lumen_soc_pad_burst or
 * the lumen_csi2_burst_fn adapter). A pad whose receiver is not configured
 * only counts PHY activity. A configured receiver assembles frames; each
 * complete frame goes to every VIF channel whose input is that pad; an
 * unmasked channel crops it and its DMA copies the window into a free pool
 * buffer and queues it (frame done). No buffer free: the frame is dropped
 * and counted. Nothing on the data path allocates.
 *
 * Threading: one producer thread feeds bursts; a control thread configures;
 * any number of consumer threads dequeue/release. Every entry point takes
 * the SoC lock (the DMA queue has its own lock and condition variable, so a
 * consumer waiting never blocks the producer). Counters are read as
 * consistent snapshots.
 *
 * Errors: negative errno. Configuration errors also write a one-line
 * message into (err, errlen) when given, naming the block, channel/pad and
 * the value at fault, and the vendor-style line a real driver would print
 * goes to the SoC's log ring (lumen_soc_log_dump, what `dmesg` would show).
 */
#ifndef LUMEN_SOC_REFSOC_H
#define LUMEN_SOC_REFSOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "link/csi2.h"

#define LUMEN_SOC_MAX_PADS	4
#define LUMEN_SOC_MAX_CH	LUMEN_SOC_MAX_PADS	/* VIF/DMA channels */

/* Whose status files the dumps imitate. */
enum lumen_soc_flavour {
	LUMEN_SOC_SIGMASTAR,	/* csi_info, vif_info, mi_modules */
	LUMEN_SOC_INGENIC,	/* /proc/jz/isp/isp-w0x */
	LUMEN_SOC_ROCKCHIP,	/* rkisp1 debugfs counters */
};

struct lumen_soc_model {
	const char *name;		/* "ssc377", "t31", "rk3399" */
	enum lumen_soc_flavour flavour;
	int npads;			/* sensor pads (MIPI ports) */
	int pad_lanes[LUMEN_SOC_MAX_PADS];	/* data lanes wired per D-PHY */
	int irq_base;			/* first IRQ number in /proc/interrupts */
};

/* The model of that name, or NULL. */
const struct lumen_soc_model *lumen_soc_model_find(const char *name);
/* Every model, NULL-terminated. */
extern const struct lumen_soc_model *const lumen_soc_models[];

struct lumen_soc;

/*
 * Creates an SoC with every pad idle, no receiver configured, every VIF
 * channel unconfigured and masked, no DMA pool. 0 or -EINVAL / -ENOMEM.
 */
int lumen_soc_create(const struct lumen_soc_model *model,
		     struct lumen_soc **out);
/* Frees everything; frames the consumer still holds become invalid. */
void lumen_soc_destroy(struct lumen_soc *soc);
const struct lumen_soc_model *lumen_soc_get_model(const struct lumen_soc *soc);

/* ---- sensor pads and receivers (csi_rx.c) ------------------------------- */

struct lumen_soc_rx_config {
	int lanes;			/* lanes the receiver listens to (1..pad's) */
	uint8_t vc, dt;			/* expected VC and data type (RAW8/10/12) */
	int width, height;		/* expected frame size */
	enum lumen_bayer bayer;		/* CFA order of the sensor, for the frames */
};

/*
 * Configures (or reconfigures, counters reset) the receiver of @pad.
 * Allocates its staging frame. 0, or -EINVAL (pad, lanes beyond the pad's
 * D-PHY, DT, size) / -ENOMEM with a message.
 */
int lumen_soc_rx_configure(struct lumen_soc *soc, int pad,
			   const struct lumen_soc_rx_config *cfg, char *err,
			   size_t errlen);
/* Puts @pad's receiver back to unconfigured (PHY counters are kept). */
void lumen_soc_rx_unconfigure(struct lumen_soc *soc, int pad);
bool lumen_soc_rx_configured(const struct lumen_soc *soc, int pad);

/*
 * One HS burst on @pad: @lane[i] holds @len bytes for i < @nlanes (NULL: that
 * lane stayed in LP). Lanes beyond the pad's D-PHY are not wired and are
 * ignored. Called by the producer thread. Bad @pad: ignored.
 */
void lumen_soc_pad_burst(struct lumen_soc *soc, int pad,
			 const uint8_t *const lane[], int nlanes, size_t len);
/* Every burst of a link, on @pad (buffer mode). */
void lumen_soc_pad_link(struct lumen_soc *soc, int pad,
			const struct lumen_csi2_link *link);
/*
 * Callback mode: pass lumen_soc_burst_cb with lumen_soc_pad_sink(soc, pad)
 * as opaque to lumen_csi2_tx_frame_cb(). The sink lives as long as @soc.
 */
void *lumen_soc_pad_sink(struct lumen_soc *soc, int pad);
int lumen_soc_burst_cb(void *sink, const uint8_t *const lane[], int nlanes,
		       size_t len);

/* What the D-PHY of a pad sees, receiver or not. */
struct lumen_soc_phy_counters {
	uint64_t hs_bursts;		/* HS transmissions on any wired lane */
	uint64_t lane_hs[LUMEN_CSI2_MAX_LANES];	/* per lane: bursts with SoT */
	uint64_t bytes;			/* bytes per lane, summed over lanes */
	uint64_t unclaimed;		/* bursts while no receiver was configured */
};

struct lumen_soc_rx_counters {
	bool configured;
	int lanes;
	struct lumen_soc_phy_counters phy;
	struct lumen_csi2_rx_counters rx;	/* zero when unconfigured */
	uint64_t frames_to_vif;			/* complete frames handed on */
};

/* Snapshot of @pad. -EINVAL for a bad pad. */
int lumen_soc_rx_counters(struct lumen_soc *soc, int pad,
			  struct lumen_soc_rx_counters *out);

/* ---- VIF (vif.c) -------------------------------------------------------- */

struct lumen_soc_vif_config {
	int pad;			/* input: the sensor pad / receiver */
	int in_width, in_height;	/* input size programmed into the VIF;
					 * 0 = take the receiver's */
	int crop_x, crop_y;		/* window in the input */
	int crop_w, crop_h;		/* 0 = to the right/bottom edge */
};

/*
 * Sets channel @ch's input and crop window; the channel stays masked (a
 * reconfigure masks it again). The window is checked against the input
 * size (here when the receiver is configured, again on unmask): outside
 * -> -EINVAL with a message naming the channel, window and size. -EBUSY
 * when the DMA pool of @ch exists with a different frame size.
 */
int lumen_soc_vif_configure(struct lumen_soc *soc, int ch,
			    const struct lumen_soc_vif_config *cfg, char *err,
			    size_t errlen);
/*
 * Opens the input mask. -EIO (and a log line, as vendor code does) while
 * the receiver of the channel's pad is not configured; -EINVAL when the
 * channel is unconfigured or its window no longer fits the receiver.
 */
int lumen_soc_vif_unmask(struct lumen_soc *soc, int ch, char *err,
			 size_t errlen);
void lumen_soc_vif_mask(struct lumen_soc *soc, int ch);

struct lumen_soc_vif_counters {
	bool configured, masked;
	int pad;
	int in_w, in_h;				/* programmed input size */
	int crop_x, crop_y, crop_w, crop_h;	/* window, cropped size */
	uint64_t frames_in;			/* frames the receiver handed on */
	uint64_t frames_out;			/* cropped and sent to DMA */
	uint64_t masked_drops;			/* arrived while masked */
	uint64_t size_mismatches;		/* input size != programmed */
	uint64_t unmask_failures;		/* vif_unmask() refused */
};

int lumen_soc_vif_counters(struct lumen_soc *soc, int ch,
			   struct lumen_soc_vif_counters *out);

/* ---- DMA (dma.c) -------------------------------------------------------- */

/*
 * Allocates channel @ch's pool: @nbuffers BAYER16 frames of the VIF's
 * cropped size (configure the VIF first). Replaces an older pool; -EBUSY
 * while the consumer still holds frames of it. 0, -EINVAL (VIF not
 * configured or window unknown: receiver unconfigured and no in_width set,
 * or nbuffers out of 1..64) / -ENOMEM, with a message.
 */
int lumen_soc_dma_configure(struct lumen_soc *soc, int ch, int nbuffers,
			    char *err, size_t errlen);

/*
 * Consumer: waits up to @timeout_ms (0 = poll, < 0 = forever) for the next
 * frame done on @ch and takes it (in flight until released). 0,
 * -ETIMEDOUT, or -ENODEV when @ch has no pool. The frame's sequence is the
 * receiver's frame count, timestamp_ns CLOCK_MONOTONIC at frame done.
 */
int lumen_soc_dma_dequeue(struct lumen_soc *soc, int ch, int timeout_ms,
			  struct lumen_frame **out);
/* Gives a dequeued frame back. -EINVAL when it is not in flight on @ch. */
int lumen_soc_dma_release(struct lumen_soc *soc, int ch,
			  struct lumen_frame *f);

struct lumen_soc_dma_counters {
	bool configured;
	int count;			/* pool size */
	int width, height;
	uint64_t delivered;		/* frames written and queued */
	uint64_t no_buffer;		/* frames dropped: no free buffer */
	uint64_t dequeued, released;
	int free, queued, in_flight;	/* free + queued + in_flight == count */
};

int lumen_soc_dma_counters(struct lumen_soc *soc, int ch,
			   struct lumen_soc_dma_counters *out);

/* ---- status text -------------------------------------------------------- */

/*
 * The status files of the SoC's flavour, each preceded by the line
 * "# cat PATH" naming the file it imitates, into @buf (NUL-terminated when
 * @size > 0). They return the length needed, like snprintf.
 *   csi:  SigmaStar csi_info per pad / Ingenic isp-w01 / rkisp1 mipi
 *   vif:  SigmaStar vif_info per channel / Ingenic isp-w00 + isp-w02 (VIC)
 *         / rkisp1 debugfs counters
 *   dma:  buffer pool state per channel (mi_sys-like / generic)
 *   interrupts: /proc/interrupts lines: CSI frame start per pad, VIF frame
 *         done and DMA done per channel
 *   all:  all of the above, then the log ring
 */
int lumen_soc_dump_csi(struct lumen_soc *soc, char *buf, size_t size);
int lumen_soc_dump_vif(struct lumen_soc *soc, char *buf, size_t size);
int lumen_soc_dump_dma(struct lumen_soc *soc, char *buf, size_t size);
int lumen_soc_dump_interrupts(struct lumen_soc *soc, char *buf, size_t size);
int lumen_soc_dump_all(struct lumen_soc *soc, char *buf, size_t size);
/* The vendor-style log lines the blocks printed (oldest first). */
int lumen_soc_log_dump(struct lumen_soc *soc, char *buf, size_t size);

#endif

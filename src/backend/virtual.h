/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The virtual board as a capture source: an emulated sensor on a virtual
 * I2C bus, driven by lumen's real sensor driver, sending real CSI-2 bursts
 * into the reference SoC's receiver, VIF and DMA, from which the pipeline
 * dequeues raw frames.
 *
 * Two views of the board are kept apart on purpose:
 *   - what software believes: the board file (bus, address, pad, lanes,
 *     MCLK, pre-probe writes), used to configure driver and SoC;
 *   - how the hardware is: where the sensor really is wired, at which
 *     address it answers, whether MCLK runs. They agree unless a fault is
 *     injected, and the symptoms of a disagreement come only from the
 *     models (NACKs, PHY activity on another pad, ECC/CRC errors, empty
 *     counters), never from a label.
 *
 * One "hardware" thread per source renders and transmits frames at the
 * sensor's frame period; start/stop from the control thread, dequeue,
 * release and set_exposure_gain from the pipeline's ISP thread.
 */
#ifndef LUMEN_BACKEND_VIRTUAL_H
#define LUMEN_BACKEND_VIRTUAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/source.h"
#include "sensor/sensor.h"
#include "virt/scene.h"

/* Faults of the virtual board (bit = 1 << value). */
enum lumen_fault {
	LUMEN_FAULT_LANES,		/* receiver set for other lanes than the sensor drives */
	LUMEN_FAULT_PAD,		/* sensor wired to another pad than configured */
	LUMEN_FAULT_MCLK,		/* MCLK never enabled: sensor silent on I2C */
	LUMEN_FAULT_NO_STREAM,		/* driver never sets the stream bit */
	LUMEN_FAULT_I2C_ADDR,		/* sensor strapped at another address */
	LUMEN_FAULT_LINK_NOISE,		/* bit errors on the CSI-2 lanes */
	LUMEN_FAULT_RECEIVER_UNCONFIGURED, /* software skips the receiver setup */
	LUMEN_FAULT_FEW_BUFFERS,	/* one DMA buffer */
	LUMEN_FAULT_STALLED_CONSUMER,	/* an output stops taking frames */
	LUMEN_FAULT_COUNT
};

/* "lanes", "pad", ... as on the command line; NULL for a bad value. */
const char *lumen_fault_name(enum lumen_fault f);
/* -EINVAL for an unknown name. */
int lumen_fault_parse(const char *name, enum lumen_fault *out);

struct lumen_virtual_config {
	const char *soc;		/* SoC model name, e.g. "ssc377" */
	const char *sensor;		/* driver name, e.g. "sc4336p" */
	int i2c_bus;
	uint16_t i2c_addr;
	int pad, lanes;
	uint64_t mclk_hz;
	const struct lumen_regval *pre_probe;	/* board's writes before the ID */
	size_t npre_probe;
	int crop_x, crop_y, crop_w, crop_h;	/* 0 size = whole frame */
	int buffers;			/* DMA pool; 0 = 4 */
	const char *mode;		/* sensor mode name; NULL = the first */
	double fps;			/* 0 = the mode's own rate */
	struct lumen_scene_config scene;	/* size is set from the mode */
	uint32_t faults;		/* 1 << enum lumen_fault */
	uint32_t seed;			/* noise seeds; 0 = 1 */
	/* Measurement mode, not hardware behaviour: the sensor starts a frame
	 * only when the DMA queue is empty and a buffer is free, so emulated
	 * time runs at the consumer's pace (never faster than the frame
	 * rate). A slow host then drops nothing and 3A sees every frame the
	 * sensor makes, one behind the ISP as on real hardware. */
	bool lockstep;
};

struct lumen_board;
/* Fills @vc from a board file (faults, scene and seed zeroed: chart). */
void lumen_virtual_config_from_board(const struct lumen_board *b,
				     struct lumen_virtual_config *vc);

/*
 * Builds the board (no power, no I/O yet). Returns 0 or -errno with a
 * message in @err naming what is wrong (unknown sensor, SoC or mode).
 */
int lumen_virtual_source_create(const struct lumen_virtual_config *cfg,
				struct lumen_source **out, char *err,
				size_t errlen);

/*
 * What `i2cdetect -y -r BUS` would print on this board right now, with the
 * sensor's power and MCLK as the hardware really drives them (the board is
 * powered for the scan and powered down after, unless it is streaming).
 * Writes the table into @buf like snprintf; returns the length needed.
 */
int lumen_virtual_source_i2cdetect(struct lumen_source *src, char *buf,
				   size_t size);

/* The board's parts, for `lumen sensor` and tests (valid while it lives). */
struct lumen_i2c_bus *lumen_virtual_source_bus(struct lumen_source *src);
struct lumen_sensor *lumen_virtual_source_sensor(struct lumen_source *src);
struct lumen_scene *lumen_virtual_source_scene(struct lumen_source *src);

/*
 * Rails up and MCLK as the board really runs it, without probing, or all
 * off again: what a bring-up tool does before scanning the bus (i2cdetect)
 * after a failed start (start() powers down on failure). Control thread,
 * only while the source is stopped: 0, or -EBUSY while it runs.
 */
int lumen_virtual_source_power(struct lumen_source *src, bool on);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Emulated sensors: chips on a virtual I2C bus that answer their real
 * register maps, and produce frames that follow those registers.
 *
 * What the registers control, as on the real chip: the chip ID; soft reset
 * (all registers to power-on values); the stream bit (no frames until it is
 * set); HTS x VTS / pixel clock = frame period; exposure, clamped to VTS
 * minus the sensor's margin; gain codes mapped through the chip's gain
 * table; mirror/flip, which changes the CFA phase; the test pattern; group
 * hold. Exposure and gain writes take effect after the chip's real frame
 * delays (counted in frames produced).
 *
 * Power: without power or MCLK the chip does not answer on I2C (NACK) and
 * produces nothing.
 *
 * Threading: the I2C ops and next_frame() may run on different threads;
 * the emulator has its own lock.
 */
#ifndef LUMEN_VIRT_EMU_SENSOR_H
#define LUMEN_VIRT_EMU_SENSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/frame.h"
#include "i2c/i2c.h"
#include "virt/scene.h"

struct lumen_emu_sensor;

/* The I2C device ops of every emulator (opaque = the emulator). */
extern const struct lumen_i2c_device_ops lumen_emu_sensor_i2c_ops;

/* @model: "sc4336p", "sc2336", "imx258". The scene is borrowed. */
int lumen_emu_sensor_create(const char *model, struct lumen_scene *scene,
			    struct lumen_emu_sensor **out);
void lumen_emu_sensor_destroy(struct lumen_emu_sensor *emu);

/* Power rail and MCLK as the board drives them. */
void lumen_emu_sensor_set_power(struct lumen_emu_sensor *emu, bool powered,
				uint64_t mclk_hz);

/* The physical model of this chip (for tuning tests). */
const struct lumen_sensor_model *
lumen_emu_sensor_model(const struct lumen_emu_sensor *emu);

/* What the chip sends, as its registers say now. */
struct lumen_emu_output {
	bool streaming;
	int width, height;
	int lanes, bits;
	uint8_t dt;
	enum lumen_bayer bayer;		/* after mirror/flip */
	double frame_period_s;		/* HTS x VTS / pclk */
	uint32_t exposure_lines;	/* in effect for the next frame */
	double analog_gain, digital_gain;
};
void lumen_emu_sensor_output(struct lumen_emu_sensor *emu,
			     struct lumen_emu_output *out);

/*
 * Produces the next frame into @out (BAYER16 of the output size, allocated
 * by the caller): advances the frame counter, applies exposure/gain writes
 * whose delay has passed, renders. -EAGAIN when not streaming or not
 * powered.
 */
int lumen_emu_sensor_next_frame(struct lumen_emu_sensor *emu,
				struct lumen_frame *out);

/*
 * The same in two steps, for a caller that sends the frame band by band
 * as a real sensor reads it out (the virtual board: no sensor-size frame
 * is held). lumen_emu_sensor_begin_frame() starts the next frame as
 * lumen_emu_sensor_next_frame() does (counter, delays, registers sampled
 * at frame start) and fills @fr; lumen_emu_sensor_frame_rows() then renders
 * rows [@first_row, @first_row + band->height) of it into @band (BAYER16,
 * fr->width wide). Same thread rules and errors as next_frame; the rows
 * of one frame give the bits next_frame would.
 */
struct lumen_emu_frame {
	struct lumen_render_params render;
	int width, height;
	uint64_t sequence;
	int64_t timestamp_ns;		/* the chip's own clock at frame start */
};
int lumen_emu_sensor_begin_frame(struct lumen_emu_sensor *emu,
				 struct lumen_emu_frame *fr);
int lumen_emu_sensor_frame_rows(struct lumen_emu_sensor *emu,
				const struct lumen_emu_frame *fr, int first_row,
				struct lumen_frame *band);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to src/virt: what one emulated chip file (emu_smartsens.c,
 * emu_imx258.c) gives the common emulator (emu_sensor.c, emu_frame.c).
 *
 * A chip is a 64 KiB register file with 16-bit addresses and 8-bit data
 * (auto-incrementing, as these sensors are), its power-on values, and a
 * decode() that reads what the registers say now. Everything with timing
 * (frame delays, group hold, reset, streaming) is common code.
 */
#ifndef LUMEN_VIRT_EMU_CHIP_H
#define LUMEN_VIRT_EMU_CHIP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "sensor/sensor.h"
#include "virt/emu_sensor.h"
#include "virt/scene.h"

/* What the registers say at one instant (decode() output). */
struct lumen_emu_regs_view {
	bool streaming;
	int width, height, lanes, bits;
	uint8_t dt;
	bool hflip, vflip;
	uint32_t hts, vts;
	uint64_t pclk_hz;		/* at the chip's nominal MCLK */
	uint32_t exposure_lines;	/* as written, before the VTS clamp */
	double analog_gain, digital_gain;
	int test_pattern;		/* lumen_render_params code */
};

struct lumen_emu_chip {
	const char *name;
	uint16_t i2c_addr;
	uint64_t mclk_hz;		/* nominal; pclk scales with the real one */
	enum lumen_bayer bayer;		/* CFA order without mirror/flip */
	uint32_t exposure_min, exposure_margin;
	int exposure_delay, gain_delay;	/* frames; at most 6 */
	const struct lumen_regval *power_on;
	size_t npower_on;
	uint16_t read_only[4];		/* chip ID registers; 0 ends */
	uint16_t stream_reg;		/* bit 0 = streaming */
	uint16_t reset_reg;		/* bit 0 = soft reset */
	uint16_t hold_reg;		/* group hold, 0 = none */
	uint8_t hold_start, hold_end;
	void (*decode)(const uint8_t *regs, struct lumen_emu_regs_view *v);
	const struct lumen_sensor_model *model;
};

extern const struct lumen_emu_chip lumen_emu_sc4336p;
extern const struct lumen_emu_chip lumen_emu_sc2336;
extern const struct lumen_emu_chip lumen_emu_imx258;

#define LUMEN_EMU_HIST 8		/* frames of exposure/gain history */
#define LUMEN_EMU_HOLD_MAX 64		/* writes a group hold can latch */

/* Exposure and gain as sampled at the start of one frame. */
struct lumen_emu_sample {
	uint32_t exposure_lines;
	double analog_gain, digital_gain;
};

struct lumen_emu_sensor {
	const struct lumen_emu_chip *chip;
	struct lumen_scene *scene;	/* borrowed, may be NULL (I2C only) */
	pthread_mutex_t lock;		/* everything below */
	bool powered;
	uint64_t mclk_hz;
	uint16_t ptr;			/* register pointer of the I2C protocol */
	bool held;
	int npending;
	struct { uint16_t reg; uint8_t val; } pending[LUMEN_EMU_HOLD_MAX];
	uint64_t frame;			/* frames produced */
	uint64_t stream_start;		/* frame index when streaming began */
	int64_t time_ns;		/* emulated time of the next frame start */
	struct lumen_emu_sample hist[LUMEN_EMU_HIST];
	uint8_t regs[65536];
};

/* Common helpers for emu_frame.c (caller holds emu->lock). */
bool lumen_emu_running(const struct lumen_emu_sensor *emu);
void lumen_emu_decode(const struct lumen_emu_sensor *emu,
		      struct lumen_emu_regs_view *v);
/* Exposure/gain in effect for frame @index (delays and clamp applied). */
void lumen_emu_effective(const struct lumen_emu_sensor *emu, uint64_t index,
			 const struct lumen_emu_regs_view *now,
			 struct lumen_emu_sample *out);
uint64_t lumen_emu_pclk(const struct lumen_emu_sensor *emu,
			const struct lumen_emu_regs_view *v);

static inline uint16_t lumen_emu_r16(const uint8_t *regs, uint16_t reg)
{
	return (uint16_t)(regs[reg] << 8 | regs[(uint16_t)(reg + 1)]);
}

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Image sensor drivers. A driver is mostly const tables (chip ID, pre-probe
 * writes, modes with their init sequences, gain tables) plus an ops table
 * for what the tables cannot say. The same driver runs over i2c-dev on a
 * board and over the virtual bus against an emulated sensor.
 *
 * Ops: NULL means the sensor does not support it (callers get -EOPNOTSUPP
 * from the lumen_sensor_* wrappers). All ops return 0 or a negative errno;
 * an I2C failure leaves its text in sensor->bus->last_error. A sensor
 * handle is driven by one thread (the pipeline's control thread).
 *
 * Units: exposure in lines (rows of the current mode, 1 line = HTS / pclk
 * seconds); gain as a Q8 factor (256 = 1x), total of analogue x digital.
 */
#ifndef LUMEN_SENSOR_SENSOR_H
#define LUMEN_SENSOR_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "i2c/i2c.h"

/* One register write; reg == LUMEN_REG_DELAY means "sleep val ms". */
struct lumen_regval {
	uint16_t reg;
	uint16_t val;
};
#define LUMEN_REG_DELAY 0xFFFF

struct lumen_sensor_mode {
	const char *name;		/* "2560x1440@30" */
	int width, height;		/* active output size */
	uint32_t hts, vts;		/* line length in pixel clocks, frame length in lines */
	uint64_t pclk_hz;		/* pixel clock that HTS counts */
	uint64_t link_freq_hz;		/* MIPI D-PHY clock (bit rate / 2) */
	int lanes;
	int bits;			/* 8, 10 or 12 */
	uint8_t csi_dt;			/* 0x2A, 0x2B, 0x2C */
	enum lumen_bayer bayer;		/* CFA order without mirror/flip */
	const struct lumen_regval *init;	/* mode init table */
	size_t ninit;
};

struct lumen_sensor;

struct lumen_sensor_ops {
	/* Pre-probe writes, chip-ID check. -ENODEV when the ID is wrong
	 * (message names the register and both values). */
	int (*probe)(struct lumen_sensor *s);
	int (*init)(struct lumen_sensor *s, const struct lumen_sensor_mode *m);
	int (*stream)(struct lumen_sensor *s, bool on);
	/* Clamp to the mode's limits; *applied gets what was programmed. */
	int (*set_exposure)(struct lumen_sensor *s, uint32_t lines,
			    uint32_t *applied);
	int (*set_gain)(struct lumen_sensor *s, uint32_t gain_q8,
			uint32_t *applied_q8);
	int (*set_vts)(struct lumen_sensor *s, uint32_t vts);
	int (*set_flip)(struct lumen_sensor *s, bool hflip, bool vflip);
	int (*set_test_pattern)(struct lumen_sensor *s, int pattern); /* 0 = off */
};

/* The const descriptor each driver file exports. */
struct lumen_sensor_info {
	const char *name;		/* "sc4336p" */
	const char *vendor;		/* "SmartSens" */
	uint16_t i2c_addr;		/* default 7-bit address */
	int reg_bytes, val_bytes;	/* register address / data widths */
	uint16_t chip_id_reg[2];	/* registers holding the ID, MSB first;
					 * [1] == 0 when one 16-bit register */
	uint16_t chip_id;
	const struct lumen_regval *pre_probe;	/* writes before the ID read */
	size_t npre_probe;
	uint64_t mclk_hz;
	const struct lumen_sensor_mode *modes;
	size_t nmodes;
	uint32_t exposure_min;		/* lines */
	uint32_t exposure_margin;	/* exposure <= VTS - margin */
	uint32_t gain_min_q8, gain_max_q8;
	int exposure_delay, gain_delay;	/* frames until a write takes effect */
	uint16_t black_level;		/* in sample units of the modes' bits */
	const char *test_patterns[4];	/* names of patterns 1..; NULL ends */
	const struct lumen_sensor_ops *ops;
	const void *priv;		/* driver-private const tables (gain steps) */
};

struct lumen_sensor {
	const struct lumen_sensor_info *info;
	struct lumen_i2c_bus *bus;
	uint16_t addr;
	const struct lumen_sensor_mode *mode;	/* after init */
	uint32_t vts;				/* current VTS */
	uint32_t exposure;			/* lines, as programmed */
	uint32_t gain_q8;			/* as programmed */
	bool hflip, vflip, streaming;
};

/* Every driver lumen knows, NULL-terminated. */
extern const struct lumen_sensor_info *const lumen_sensor_table[];

const struct lumen_sensor_info *lumen_sensor_find(const char *name);
/* Whether a driver of that name exists; the shape of a board file's
 * sensor check (struct lumen_board_opts.sensor_known; @opaque unused). */
bool lumen_sensor_known(const char *name, void *opaque);
/* The driver whose chip ID this is (for doctor/probe), or NULL. */
const struct lumen_sensor_info *lumen_sensor_find_by_id(uint16_t chip_id);

/* Reads the chip ID where @info says it is, at @addr (no pre-probe
 * writes); for probing a bus before any driver is bound. */
int lumen_sensor_read_chip_id(struct lumen_i2c_bus *bus, uint16_t addr,
			      const struct lumen_sensor_info *info,
			      uint16_t *id);

/* Binds a driver to a bus and address (no I/O). */
void lumen_sensor_bind(struct lumen_sensor *s,
		       const struct lumen_sensor_info *info,
		       struct lumen_i2c_bus *bus, uint16_t addr);

/* Wrappers: -EOPNOTSUPP when the op is NULL; keep the struct fields current. */
int lumen_sensor_probe(struct lumen_sensor *s);
int lumen_sensor_init(struct lumen_sensor *s, const struct lumen_sensor_mode *m);
int lumen_sensor_stream(struct lumen_sensor *s, bool on);
int lumen_sensor_set_exposure(struct lumen_sensor *s, uint32_t lines);
int lumen_sensor_set_gain(struct lumen_sensor *s, uint32_t gain_q8);
int lumen_sensor_set_vts(struct lumen_sensor *s, uint32_t vts);
int lumen_sensor_set_flip(struct lumen_sensor *s, bool hflip, bool vflip);
int lumen_sensor_set_test_pattern(struct lumen_sensor *s, int pattern);

/* Seconds per line and frame period of the current mode and VTS. */
double lumen_sensor_line_time(const struct lumen_sensor *s);
double lumen_sensor_frame_time(const struct lumen_sensor *s);

/* Writes a table (handling LUMEN_REG_DELAY). */
int lumen_sensor_write_table(struct lumen_sensor *s,
			     const struct lumen_regval *t, size_t n);
int lumen_sensor_read(struct lumen_sensor *s, uint16_t reg, uint32_t *val);
int lumen_sensor_write(struct lumen_sensor *s, uint16_t reg, uint32_t val);

#endif

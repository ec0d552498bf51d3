/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to src/sensor: what driver files share. Not for callers of
 * sensor.h.
 */
#ifndef LUMEN_SENSOR_DRIVER_H
#define LUMEN_SENSOR_DRIVER_H

#include "sensor/sensor.h"

/* A 16-bit register value as two 8-bit writes, MSB first (auto-increment
 * chips with 8-bit data, the Sony/SMIA layout). */
#define LUMEN_R16(reg, v) \
	{ (reg), (uint16_t)(((v) >> 8) & 0xff) }, { (uint16_t)((reg) + 1), (uint16_t)((v) & 0xff) }

#define LUMEN_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Probe every driver can use: the pre-probe writes of @s->info, then the
 * chip-ID read and compare. -ENODEV on a wrong ID with
 * "i2c-N addr 0xAA reg 0xRRRR: chip id 0xXXXX, expected 0xYYYY (name)" in
 * the bus's last_error; I2C errors as lumen_i2c_read_reg() leaves them.
 */
int lumen_sensor_generic_probe(struct lumen_sensor *s);

/* SmartSens common register layout (smartsens.c), shared by sc4336p.c and
 * sc2336.c. Coarse analogue gain steps are 2^i, i < nagain, with the
 * 0x3e09 code of each; coarse digital gain 0x3e06 has ndgain 2^i steps
 * (codes 0x00, 0x01, 0x03, 0x07); fine gain 0x3e07 is 0x80..0xfe / 128. */
struct lumen_smartsens_priv {
	const uint8_t *again_codes;
	int nagain;
	int ndgain;
	uint32_t vts_max;
	uint32_t vblank_min;	/* lines between the last active row and VTS */
};
extern const struct lumen_sensor_ops lumen_smartsens_ops;

/* Gain decomposition of the SmartSens layout, for the driver and tests:
 * returns the applied gain in Q8 and the three register values. */
uint32_t lumen_smartsens_gain_codes(const struct lumen_smartsens_priv *p,
				    uint32_t gain_q8, uint8_t *again,
				    uint8_t *dgain, uint8_t *fine);

#endif

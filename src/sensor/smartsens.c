// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The register layout SmartSens shares across its recent parts (SC4336P,
 * SC2336, SC4336, SC3336...), as the public drivers use it:
 *
 *   0x0100 [0]    stream on          0x0103 [0]  soft reset
 *   0x320c/d      HTS                0x320e/f    VTS ([14:0])
 *   0x3e00[3:0] 0x3e01 0x3e02[7:4]   exposure in lines << 4 (20 bits)
 *   0x3e09        coarse analogue gain: 0x00 1x, 0x08 2x, 0x09 4x, 0x0b 8x,
 *                 0x0f 16x, 0x1f 32x
 *   0x3e06        coarse digital gain: 0x00 1x, 0x01 2x, 0x03 4x, 0x07 8x
 *   0x3e07        fine (digital) gain, 0x80 = 1x .. 0xfe, step 1/128
 *   0x3812        group hold: 0x00 starts, 0x30 releases (writes latch)
 *   0x3221        mirror [2:1] = 0b11, flip [6:5] = 0b11
 *   0x4501 [3]    test pattern (colour bars)
 *
 * Sources: Rockchip's Linux sc4336.c (register names, gain steps, group
 * hold values, mirror/flip and test-pattern bits), Ingenic's T31 sc2336.c
 * and T-series sc4336p.c (the analogue gain tables: codes (0x3e09<<8 |
 * 0x3e07) with log2 gains in Q16, e.g. 0x0880 = 65536 = 2x, 0x0980 = 4x,
 * 0x0b80 = 8x, so fine gain = 0x3e07 / 128 exactly; exposure written as
 * lines << 4; max exposure VTS - 4), Espressif's sc2336.c (mirror/flip
 * bits, 0x4501 bit 3, BGGR).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "sensor/driver.h"

#define REG_STREAM	0x0100
#define REG_VTS_H	0x320e
#define REG_VTS_L	0x320f
#define REG_EXP_H	0x3e00
#define REG_EXP_M	0x3e01
#define REG_EXP_L	0x3e02
#define REG_DGAIN	0x3e06
#define REG_FINE	0x3e07
#define REG_AGAIN	0x3e09
#define REG_HOLD	0x3812
#define HOLD_START	0x00
#define HOLD_END	0x30
#define REG_FLIP	0x3221
#define FLIP_MIRROR	0x06
#define FLIP_FLIP	0x60
#define REG_TEST	0x4501
#define TEST_BARS	0x08

static const uint8_t dgain_codes[] = { 0x00, 0x01, 0x03, 0x07 };

static const struct lumen_smartsens_priv *priv(const struct lumen_sensor *s)
{
	return s->info->priv;
}

uint32_t lumen_smartsens_gain_codes(const struct lumen_smartsens_priv *p,
				    uint32_t gain_q8, uint8_t *again,
				    uint8_t *dgain, uint8_t *fine)
{
	double g = gain_q8 / 256.0, r;
	int ai = 0, di = 0, f;

	if (g < 1)
		g = 1;
	while (ai + 1 < p->nagain && g >= (double)(2 << ai))
		ai++;
	r = g / (double)(1 << ai);
	while (di + 1 < p->ndgain && di + 1 < 4 && r >= 2) {
		di++;
		r /= 2;
	}
	f = (int)lround(r * 128);
	if (f < 0x80)
		f = 0x80;
	if (f > 0xfe)
		f = 0xfe;
	*again = p->again_codes[ai];
	*dgain = dgain_codes[di];
	*fine = (uint8_t)f;
	return (uint32_t)((1u << ai) * (1u << di) * (uint32_t)f * 2u);	/* x256/128 */
}

static int write_held(struct lumen_sensor *s, const uint16_t *regs,
		      const uint8_t *vals, int n)
{
	int ret = lumen_sensor_write(s, REG_HOLD, HOLD_START);

	for (int i = 0; !ret && i < n; i++)
		ret = lumen_sensor_write(s, regs[i], vals[i]);
	/* release even after a failed write, so the chip does not stay held */
	if (ret) {
		lumen_sensor_write(s, REG_HOLD, HOLD_END);
		return ret;
	}
	return lumen_sensor_write(s, REG_HOLD, HOLD_END);
}

static int ss_init(struct lumen_sensor *s, const struct lumen_sensor_mode *m)
{
	return lumen_sensor_write_table(s, m->init, m->ninit);
}

static int ss_stream(struct lumen_sensor *s, bool on)
{
	return lumen_sensor_write(s, REG_STREAM, on ? 1 : 0);
}

static int ss_set_exposure(struct lumen_sensor *s, uint32_t lines,
			   uint32_t *applied)
{
	const struct lumen_sensor_info *info = s->info;
	uint32_t max = s->vts > info->exposure_margin ?
		       s->vts - info->exposure_margin : info->exposure_min;
	static const uint16_t regs[3] = { REG_EXP_H, REG_EXP_M, REG_EXP_L };
	uint8_t vals[3];
	uint32_t v;
	int ret;

	if (lines < info->exposure_min)
		lines = info->exposure_min;
	if (lines > max)
		lines = max;
	v = lines << 4;
	vals[0] = (uint8_t)((v >> 16) & 0x0f);
	vals[1] = (uint8_t)(v >> 8);
	vals[2] = (uint8_t)(v & 0xf0);
	ret = write_held(s, regs, vals, 3);
	if (!ret)
		*applied = lines;
	return ret;
}

static int ss_set_gain(struct lumen_sensor *s, uint32_t gain_q8,
		       uint32_t *applied_q8)
{
	static const uint16_t regs[3] = { REG_DGAIN, REG_FINE, REG_AGAIN };
	uint8_t vals[3];
	uint32_t got;
	int ret;

	if (gain_q8 > s->info->gain_max_q8)
		gain_q8 = s->info->gain_max_q8;
	got = lumen_smartsens_gain_codes(priv(s), gain_q8, &vals[2], &vals[0],
					 &vals[1]);
	ret = write_held(s, regs, vals, 3);
	if (!ret)
		*applied_q8 = got;
	return ret;
}

static int ss_set_vts(struct lumen_sensor *s, uint32_t vts)
{
	const struct lumen_smartsens_priv *p = priv(s);
	int ret;

	if (vts < (uint32_t)s->mode->height + p->vblank_min || vts > p->vts_max) {
		lumen_i2c_set_error(s->bus,
			 "%s: VTS %u out of range %u..%u", s->info->name, vts,
			 s->mode->height + p->vblank_min, p->vts_max);
		return -ERANGE;
	}
	ret = lumen_sensor_write(s, REG_VTS_H, (vts >> 8) & 0x7f);
	if (!ret)
		ret = lumen_sensor_write(s, REG_VTS_L, vts & 0xff);
	return ret;
}

static int update_bits(struct lumen_sensor *s, uint16_t reg, uint32_t mask,
		       uint32_t bits)
{
	uint32_t v;
	int ret = lumen_sensor_read(s, reg, &v);

	if (ret)
		return ret;
	return lumen_sensor_write(s, reg, (v & ~mask) | (bits & mask));
}

static int ss_set_flip(struct lumen_sensor *s, bool hflip, bool vflip)
{
	return update_bits(s, REG_FLIP, FLIP_MIRROR | FLIP_FLIP,
			   (hflip ? FLIP_MIRROR : 0) | (vflip ? FLIP_FLIP : 0));
}

static int ss_set_test_pattern(struct lumen_sensor *s, int pattern)
{
	if (pattern > 1)
		return -EINVAL;
	return update_bits(s, REG_TEST, TEST_BARS, pattern ? TEST_BARS : 0);
}

const struct lumen_sensor_ops lumen_smartsens_ops = {
	.probe = lumen_sensor_generic_probe,
	.init = ss_init,
	.stream = ss_stream,
	.set_exposure = ss_set_exposure,
	.set_gain = ss_set_gain,
	.set_vts = ss_set_vts,
	.set_flip = ss_set_flip,
	.set_test_pattern = ss_set_test_pattern,
};

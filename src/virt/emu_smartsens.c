// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Emulated SmartSens SC4336P and SC2336: their register maps as the
 * drivers in src/sensor/ (and the vendors' own drivers) use them. The
 * layout is shared (see src/sensor/smartsens.c for sources):
 *
 *   0x3107/0x3108 chip ID (read-only)   0x0100 stream   0x0103 soft reset
 *   0x3208/9 width  0x320a/b height     0x320c/d HTS    0x320e/f VTS
 *   0x3e00..0x3e02 exposure lines << 4  0x3812 group hold (0x00 / 0x30)
 *   0x3e09 coarse analogue gain: 2^(bits set) (0x00 1x, 0x08 2x, 0x09 4x,
 *          0x0b 8x, 0x0f 16x, 0x1f 32x), capped at the chip's maximum
 *   0x3e06 coarse digital gain: 2^(bits set of [2:0]); 0x3e07 fine / 128
 *   0x3221 mirror [2:1], flip [6:5]     0x4501 bit 3 colour bars
 *
 * What is modelled rather than real: the pixel clock is the mode's fixed
 * value scaled by MCLK (the PLL registers are stored, not interpreted),
 * and the output is always 2-lane RAW10.
 *
 * Sensor models: the colour response is the inverse of CCMs that
 * `lumen calibrate` measured on real sensors' ColorChecker frames
 * (the files in data/tuning/), times the inverse of their white-balance gains:
 * cam_from_xyz = diag(1/wb) . inverse(ccm) . xyz_to_srgb(D65), so that a
 * D65 white gives G = 1. Which sensor's CCM stands for which chip is a
 * choice, not a measurement of these chips. Full well and read noise are
 * typical of 2-3 um CMOS pixels (assumed, not from datasheets); black
 * level 64 at 10 bits is what SmartSens parts output by default (0x40).
 * electrons_per_unit = 100 x full well: a 100 % white at light 1.0
 * saturates in 10 ms at 1x gain.
 */
#include "virt/emu_chip.h"

static int popcount8(unsigned v)
{
	int n = 0;

	for (v &= 0xff; v; v &= v - 1)
		n++;
	return n;
}

static void decode_common(const uint8_t *r, struct lumen_emu_regs_view *v,
			  int again_max_log2)
{
	int a = popcount8(r[0x3e09]), fine = r[0x3e07];

	v->streaming = r[0x0100] & 1;
	v->width = lumen_emu_r16(r, 0x3208);
	v->height = lumen_emu_r16(r, 0x320a);
	v->hts = lumen_emu_r16(r, 0x320c);
	v->vts = lumen_emu_r16(r, 0x320e) & 0x7fff;
	v->lanes = 2;
	v->bits = 10;
	v->dt = 0x2B;
	v->exposure_lines = ((uint32_t)(r[0x3e00] & 0x0f) << 16 |
			     (uint32_t)r[0x3e01] << 8 | r[0x3e02]) >> 4;
	if (a > again_max_log2)
		a = again_max_log2;
	if (fine < 0x80)
		fine = 0x80;
	v->analog_gain = (double)(1 << a);
	v->digital_gain = (double)(1 << popcount8(r[0x3e06] & 0x07)) * fine / 128.0;
	v->hflip = (r[0x3221] & 0x06) == 0x06;
	v->vflip = (r[0x3221] & 0x60) == 0x60;
	v->test_pattern = (r[0x4501] & 0x08) ? 1 : 0;
}

static void decode_sc4336p(const uint8_t *r, struct lumen_emu_regs_view *v)
{
	decode_common(r, v, 3);		/* 0x0b: 8x */
	v->pclk_hz = 126000000;
}

static void decode_sc2336(const uint8_t *r, struct lumen_emu_regs_view *v)
{
	decode_common(r, v, 5);		/* 0x1f: 32x */
	v->pclk_hz = 81000000;
}

static const struct lumen_regval sc4336p_power_on[] = {
	{ 0x3107, 0x9c }, { 0x3108, 0x42 },
	{ 0x3208, 0x0a }, { 0x3209, 0x00 }, { 0x320a, 0x05 }, { 0x320b, 0xa0 },
	{ 0x320c, 0x0a }, { 0x320d, 0xf0 }, { 0x320e, 0x05 }, { 0x320f, 0xdc },
	{ 0x3e01, 0x5d }, { 0x3e02, 0x40 }, { 0x3e07, 0x80 }, { 0x3812, 0x30 },
};

static const struct lumen_regval sc2336_power_on[] = {
	{ 0x3107, 0xcb }, { 0x3108, 0x3a },
	{ 0x3208, 0x07 }, { 0x3209, 0x80 }, { 0x320a, 0x04 }, { 0x320b, 0x38 },
	{ 0x320c, 0x08 }, { 0x320d, 0xca }, { 0x320e, 0x05 }, { 0x320f, 0xa0 },
	{ 0x3e01, 0x4a }, { 0x3e02, 0xb0 }, { 0x3e07, 0x80 }, { 0x3812, 0x30 },
};

static const struct lumen_sensor_model sc4336p_model = {
	/* CCM of data/tuning/infinite-isp-colorchecker.yaml, wb 1.561/1.165 */
	.cam_from_xyz = { { 1.094397, -0.297654, -0.093652 },
			  { -0.140821, 0.951481, 0.167486 },
			  { 0.015235, 0.266493, 0.530330 } },
	.electrons_per_unit = 700000,
	.full_well_e = 7000,
	.read_noise_e = 2.5,
	.bits = 10,
	.black = 64,
	.corner_illumination = 0.55,	/* a typical M12 board lens */
};

static const struct lumen_sensor_model sc2336_model = {
	/* CCM of data/tuning/infinite-isp-refmodel-outdoor1.yaml, wb 2.155/1.641 */
	.cam_from_xyz = { { 0.797733, -0.238770, -0.050854 },
			  { -0.156157, 0.925007, 0.205189 },
			  { -0.021388, 0.148229, 0.442240 } },
	.electrons_per_unit = 900000,
	.full_well_e = 9000,
	.read_noise_e = 2.2,
	.bits = 10,
	.black = 64,
	.corner_illumination = 0.60,	/* a typical M12 board lens */
};

const struct lumen_emu_chip lumen_emu_sc4336p = {
	.name = "sc4336p",
	.i2c_addr = 0x30,
	.mclk_hz = 27000000,
	.bayer = LUMEN_BAYER_BGGR,
	.exposure_min = 2, .exposure_margin = 4,
	.exposure_delay = 2, .gain_delay = 2,
	.power_on = sc4336p_power_on,
	.npower_on = sizeof(sc4336p_power_on) / sizeof(sc4336p_power_on[0]),
	.read_only = { 0x3107, 0x3108 },
	.stream_reg = 0x0100, .reset_reg = 0x0103,
	.hold_reg = 0x3812, .hold_start = 0x00, .hold_end = 0x30,
	.decode = decode_sc4336p,
	.model = &sc4336p_model,
};

const struct lumen_emu_chip lumen_emu_sc2336 = {
	.name = "sc2336",
	.i2c_addr = 0x30,
	.mclk_hz = 24000000,
	.bayer = LUMEN_BAYER_BGGR,
	.exposure_min = 2, .exposure_margin = 4,
	.exposure_delay = 2, .gain_delay = 2,
	.power_on = sc2336_power_on,
	.npower_on = sizeof(sc2336_power_on) / sizeof(sc2336_power_on[0]),
	.read_only = { 0x3107, 0x3108 },
	.stream_reg = 0x0100, .reset_reg = 0x0103,
	.hold_reg = 0x3812, .hold_start = 0x00, .hold_end = 0x30,
	.decode = decode_sc2336,
	.model = &sc2336_model,
};

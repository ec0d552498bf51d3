// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sony IMX258: 13 MP, MIPI RAW10 on 4 lanes (SMIA++-style register map).
 *
 * Facts from Linux drivers/media/i2c/imx258.c (mainline):
 *  - chip ID 0x0016 (16-bit) = 0x0258; mode select 0x0100; software reset
 *    0x0103 and 12 ms from power-on to standby; exposure 0x0202 (16-bit),
 *    min 4 lines, at most VTS - 10; analogue gain 0x0204, codes 0..480;
 *    digital gains 0x020e/0x0210/0x0212/0x0214 (Gr, R, B, Gb), 0x0100 = 1x,
 *    max 0x0fff; mirror/flip 0x0101 (bit 0 h, bit 1 v); test pattern 0x0600
 *    (1 solid, 2 colour bars, 3 bars fading to grey, 4 PN9); frame length
 *    0x0340, line length 0x0342 = 5352; lane mode 0x0114 (3 = 4 lanes).
 *  - PLL tables for a 24 MHz MCLK: 1272 Mbps per lane for 4208x3120,
 *    642 Mbps for the binned modes; pixel rate = link bit rate x lanes / 10
 *    (so 508.8 MHz and 256.8 MHz on 4 lanes); VTS 0x0c50 / 0x0638 / 0x034c.
 *  - Bayer order RGGB without flips (the driver's format table: RGGB,
 *    GRBG with h-flip, GBRG with v-flip, BGGR with both).
 * The analogue gain law gain = 512 / (512 - code) is the SMIA global
 * analogue gain model the Linux driver's 0..480 range implies (480 = 16x).
 * Frame delays: libcamera lists no sensor delays for the imx258 and then
 * uses its defaults, exposure 2 and gain 1, the usual SMIA++ timing.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "sensor/driver.h"

#define REG_MODE_SELECT	0x0100
#define REG_FLIP	0x0101
#define REG_EXPOSURE	0x0202
#define REG_AGAIN	0x0204
#define REG_DGAIN_GR	0x020e
#define REG_FRM_LENGTH	0x0340
#define REG_TEST	0x0600
#define AGAIN_MAX	480
#define DGAIN_MAX	0x0fff
#define VTS_MAX		65525

/* Reset and the 24 MHz PLL at 1272 Mbps/lane, 4 lanes (full resolution). */
static const struct lumen_regval pll_1272_4l[] = {
	{ 0x0103, 0x01 }, { LUMEN_REG_DELAY, 12 },
	LUMEN_R16(0x0136, 0x1800),	/* EXCK_FREQ: 24 MHz */
	{ 0x0301, 5 }, { 0x0303, 2 }, { 0x0305, 4 }, LUMEN_R16(0x0306, 212),
	{ 0x0309, 10 }, { 0x030b, 1 }, { 0x030d, 2 }, LUMEN_R16(0x030e, 216),
	{ 0x0310, 0 },
	{ 0x0114, 3 },			/* CSI lane mode: 4 lanes */
	LUMEN_R16(0x0820, 1272 * 4), LUMEN_R16(0x0822, 0),
};

/* Reset and the 24 MHz PLL at 642 Mbps/lane, 4 lanes (binned modes). */
static const struct lumen_regval pll_642_4l[] = {
	{ 0x0103, 0x01 }, { LUMEN_REG_DELAY, 12 },
	LUMEN_R16(0x0136, 0x1800),
	{ 0x0301, 5 }, { 0x0303, 2 }, { 0x0305, 4 }, LUMEN_R16(0x0306, 107),
	{ 0x0309, 10 }, { 0x030b, 1 }, { 0x030d, 2 }, LUMEN_R16(0x030e, 216),
	{ 0x0310, 0 },
	{ 0x0114, 3 },
	LUMEN_R16(0x0820, 642 * 4), LUMEN_R16(0x0822, 0),
};

/* Common to every mode (the driver's mode_common_regs, its non-PDAF
 * variant registers, and continuous clock 0x4040 = 0). */
static const struct lumen_regval common[] = {
	{ 0x3051, 0x00 }, { 0x6b11, 0xcf }, { 0x7ff0, 0x08 }, { 0x7ff1, 0x0f },
	{ 0x7ff2, 0x08 }, { 0x7ff3, 0x1b }, { 0x7ff4, 0x23 }, { 0x7ff5, 0x60 },
	{ 0x7ff6, 0x00 }, { 0x7ff7, 0x01 }, { 0x7ff8, 0x00 }, { 0x7ff9, 0x78 },
	{ 0x7ffa, 0x00 }, { 0x7ffb, 0x00 }, { 0x7ffc, 0x00 }, { 0x7ffd, 0x00 },
	{ 0x7ffe, 0x00 }, { 0x7fff, 0x03 }, { 0x7f76, 0x03 }, { 0x7f77, 0xfe },
	{ 0x7fa8, 0x03 }, { 0x7fa9, 0xfe }, { 0x7b24, 0x81 }, { 0x6564, 0x07 },
	{ 0x6b0d, 0x41 }, { 0x653d, 0x04 }, { 0x6b05, 0x8c }, { 0x6b06, 0xf9 },
	{ 0x6b08, 0x65 }, { 0x6b09, 0xfc }, { 0x6b0a, 0xcf }, { 0x6b0b, 0xd2 },
	{ 0x6700, 0x0e }, { 0x6707, 0x0e }, { 0x9104, 0x00 }, { 0x4648, 0x7f },
	{ 0x7420, 0x00 }, { 0x7421, 0x1c }, { 0x7422, 0x00 }, { 0x7423, 0xd7 },
	{ 0x5f04, 0x00 }, { 0x5f05, 0xed },
	LUMEN_R16(0x0112, 0x0a0a),	/* CSI data format RAW10 */
	LUMEN_R16(0x0342, 5352),	/* line length */
	LUMEN_R16(0x0344, 0), LUMEN_R16(0x0346, 0),
	LUMEN_R16(0x0348, 4207), LUMEN_R16(0x034a, 3119),
	{ 0x0381, 1 }, { 0x0383, 1 }, { 0x0385, 1 }, { 0x0387, 1 },
	LUMEN_R16(0x0408, 0), LUMEN_R16(0x040a, 0), LUMEN_R16(0x040c, 4208),
	{ 0x3038, 0 }, LUMEN_R16(0x303a, 16), { 0x300d, 0 }, { 0x0350, 0 },
	LUMEN_R16(0x0204, 0),
	LUMEN_R16(0x020e, 256), LUMEN_R16(0x0210, 256),
	LUMEN_R16(0x0212, 256), LUMEN_R16(0x0214, 256),
	{ 0x7bcd, 0 },
	{ 0x94dc, 0x20 }, { 0x94dd, 0x20 }, { 0x94de, 0x20 }, { 0x95dc, 0x20 },
	{ 0x95dd, 0x20 }, { 0x95de, 0x20 }, { 0x7fb0, 0x00 }, { 0x9010, 0x3e },
	{ 0x9419, 0x50 }, { 0x941b, 0x50 }, { 0x9519, 0x50 }, { 0x951b, 0x50 },
	{ 0x3030, 0 }, { 0x3032, 0 }, { 0x0220, 0 },
	{ 0x3052, 0x00 }, { 0x4e21, 0x14 }, { 0x7b25, 0x00 },
	{ 0x4040, 0 },
};

static const struct lumen_regval mode_4208x3120[] = {
	{ 0x0900, 0 }, { 0x0901, 0x11 }, { 0x0401, 0 }, LUMEN_R16(0x0404, 16),
	LUMEN_R16(0x040e, 3120), LUMEN_R16(0x034c, 4208), LUMEN_R16(0x034e, 3120),
	LUMEN_R16(0x0340, 0x0c50),
};

static const struct lumen_regval mode_2104x1560[] = {
	{ 0x0900, 1 }, { 0x0901, 0x12 }, { 0x0401, 1 }, LUMEN_R16(0x0404, 32),
	LUMEN_R16(0x040e, 1560), LUMEN_R16(0x034c, 2104), LUMEN_R16(0x034e, 1560),
	LUMEN_R16(0x0340, 0x0638),
};

static const struct lumen_regval mode_1048x780[] = {
	{ 0x0900, 1 }, { 0x0901, 0x14 }, { 0x0401, 1 }, LUMEN_R16(0x0404, 64),
	LUMEN_R16(0x040e, 780), LUMEN_R16(0x034c, 1048), LUMEN_R16(0x034e, 780),
	LUMEN_R16(0x0340, 0x034c),
};

/* 5352 x VTS / pixel rate: 30.2, 30.1 and 56.9 frames per second. */
static const struct lumen_sensor_mode modes[] = {
	{
		.name = "4208x3120@30", .width = 4208, .height = 3120,
		.hts = 5352, .vts = 0x0c50, .pclk_hz = 508800000,
		.link_freq_hz = 636000000, .lanes = 4, .bits = 10, .csi_dt = 0x2B,
		.bayer = LUMEN_BAYER_RGGB,
		.init = mode_4208x3120, .ninit = LUMEN_ARRAY_SIZE(mode_4208x3120),
	},
	{
		.name = "2104x1560@30", .width = 2104, .height = 1560,
		.hts = 5352, .vts = 0x0638, .pclk_hz = 256800000,
		.link_freq_hz = 321000000, .lanes = 4, .bits = 10, .csi_dt = 0x2B,
		.bayer = LUMEN_BAYER_RGGB,
		.init = mode_2104x1560, .ninit = LUMEN_ARRAY_SIZE(mode_2104x1560),
	},
	{
		.name = "1048x780@56", .width = 1048, .height = 780,
		.hts = 5352, .vts = 0x034c, .pclk_hz = 256800000,
		.link_freq_hz = 321000000, .lanes = 4, .bits = 10, .csi_dt = 0x2B,
		.bayer = LUMEN_BAYER_RGGB,
		.init = mode_1048x780, .ninit = LUMEN_ARRAY_SIZE(mode_1048x780),
	},
};

static int write16(struct lumen_sensor *s, uint16_t reg, uint32_t v)
{
	return lumen_i2c_write_reg(s->bus, s->addr, reg, 2, 2, v);
}

static int imx_init(struct lumen_sensor *s, const struct lumen_sensor_mode *m)
{
	const struct lumen_regval *pll = m->width == 4208 ? pll_1272_4l : pll_642_4l;
	size_t npll = m->width == 4208 ? LUMEN_ARRAY_SIZE(pll_1272_4l) :
		      LUMEN_ARRAY_SIZE(pll_642_4l);
	int ret;

	ret = lumen_sensor_write_table(s, pll, npll);
	if (!ret)
		ret = lumen_sensor_write_table(s, common, LUMEN_ARRAY_SIZE(common));
	if (!ret)
		ret = lumen_sensor_write_table(s, m->init, m->ninit);
	return ret;
}

static int imx_stream(struct lumen_sensor *s, bool on)
{
	return lumen_sensor_write(s, REG_MODE_SELECT, on ? 1 : 0);
}

static int imx_set_exposure(struct lumen_sensor *s, uint32_t lines,
			    uint32_t *applied)
{
	const struct lumen_sensor_info *info = s->info;
	uint32_t max = s->vts > info->exposure_margin + info->exposure_min ?
		       s->vts - info->exposure_margin : info->exposure_min;
	int ret;

	if (lines < info->exposure_min)
		lines = info->exposure_min;
	if (lines > max)
		lines = max;
	ret = write16(s, REG_EXPOSURE, lines);
	if (!ret)
		*applied = lines;
	return ret;
}

/* Analogue first (code = 512 - 512 / gain), the rest in the four digital
 * gains, so that noise stays lowest for a given total. */
static int imx_set_gain(struct lumen_sensor *s, uint32_t gain_q8,
			uint32_t *applied_q8)
{
	double g = gain_q8 / 256.0, again, rest;
	long code, dg;
	int ret;

	if (g < 1)
		g = 1;
	code = lround(512.0 - 512.0 / g);
	if (code < 0)
		code = 0;
	if (code > AGAIN_MAX)
		code = AGAIN_MAX;
	again = 512.0 / (512.0 - (double)code);
	rest = g / again;
	dg = lround(rest * 256);
	if (dg < 256)
		dg = 256;
	if (dg > DGAIN_MAX)
		dg = DGAIN_MAX;
	ret = write16(s, REG_AGAIN, (uint32_t)code);
	for (int i = 0; !ret && i < 4; i++)
		ret = write16(s, (uint16_t)(REG_DGAIN_GR + 2 * i), (uint32_t)dg);
	if (!ret)
		*applied_q8 = (uint32_t)lround(again * (double)dg);
	return ret;
}

static int imx_set_vts(struct lumen_sensor *s, uint32_t vts)
{
	if (vts < s->mode->vts || vts > VTS_MAX) {
		lumen_i2c_set_error(s->bus,
			 "imx258: VTS %u out of range %u..%u", vts, s->mode->vts,
			 VTS_MAX);
		return -ERANGE;
	}
	return write16(s, REG_FRM_LENGTH, vts);
}

static int imx_set_flip(struct lumen_sensor *s, bool hflip, bool vflip)
{
	return lumen_sensor_write(s, REG_FLIP, (hflip ? 1u : 0u) | (vflip ? 2u : 0u));
}

static int imx_set_test_pattern(struct lumen_sensor *s, int pattern)
{
	if (pattern > 4)
		return -EINVAL;
	return write16(s, REG_TEST, (uint32_t)pattern);
}

static const struct lumen_sensor_ops imx258_ops = {
	.probe = lumen_sensor_generic_probe,
	.init = imx_init,
	.stream = imx_stream,
	.set_exposure = imx_set_exposure,
	.set_gain = imx_set_gain,
	.set_vts = imx_set_vts,
	.set_flip = imx_set_flip,
	.set_test_pattern = imx_set_test_pattern,
};

const struct lumen_sensor_info lumen_sensor_imx258 = {
	.name = "imx258",
	.vendor = "Sony",
	.i2c_addr = 0x1a,
	.reg_bytes = 2, .val_bytes = 1,
	.chip_id_reg = { 0x0016, 0 },
	.chip_id = 0x0258,
	.mclk_hz = 24000000,
	.modes = modes, .nmodes = LUMEN_ARRAY_SIZE(modes),
	.exposure_min = 4,
	.exposure_margin = 10,
	.gain_min_q8 = 256,
	.gain_max_q8 = 16 * DGAIN_MAX,
	.exposure_delay = 2, .gain_delay = 1,
	.black_level = 64,
	.test_patterns = { "solid-colour", "colour-bars", "fade-to-grey", "pn9" },
	.ops = &imx258_ops,
};

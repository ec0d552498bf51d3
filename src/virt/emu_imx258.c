// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Emulated Sony IMX258, answering the SMIA++-style map the Linux driver
 * (and src/sensor/imx258.c) uses:
 *
 *   0x0016/7 chip ID 0x0258 (read-only)  0x0100 mode select  0x0103 reset
 *   0x0101 mirror (bit 0) / flip (bit 1) 0x0112 CSI data format (bits)
 *   0x0114 lanes - 1                     0x0202 exposure (lines, 16-bit)
 *   0x0204 analogue gain code, gain = 512 / (512 - code), code <= 480
 *   0x020e/0x0210/0x0212/0x0214 digital gains, 0x0100 = 1x (mean used)
 *   0x0340 frame length (VTS)  0x0342 line length (HTS)
 *   0x034c/0x034e output width/height    0x0600 test pattern
 *   0x0820 requested link bit rate, Mbps over all lanes
 *
 * Modelled: the pixel rate is the requested link bit rate / bits per
 * pixel (the relation the Linux driver states for this sensor's FIFO),
 * not derived from the PLL registers, which are stored but not
 * interpreted. Test patterns 2 (colour bars) and 3 (fade to grey, drawn
 * as the renderer's gradient) are drawn; 1 and 4 are drawn as colour bars.
 * Power-on values are those of the full-resolution mode, so that a chip
 * told only to stream produces frames.
 *
 * Model: the CCM of data/tuning/infinite-isp-refmodel-indoor1.yaml with
 * daylight-like white-balance gains (1.9, 1, 1.5) (a choice, not a
 * measurement of the IMX258); 1.12 um pixels (libcamera's unit cell size)
 * hold less charge than the SmartSens parts: full well 4500 e-, read
 * noise 2.8 e- (assumed). Black level 64 at 10 bits.
 */
#include "virt/emu_chip.h"

static void decode_imx258(const uint8_t *r, struct lumen_emu_regs_view *v)
{
	unsigned code = lumen_emu_r16(r, 0x0204), dsum = 0;
	unsigned tp = lumen_emu_r16(r, 0x0600);

	v->streaming = r[0x0100] & 1;
	v->hflip = r[0x0101] & 1;
	v->vflip = (r[0x0101] >> 1) & 1;
	v->bits = r[0x0112] ? r[0x0112] : 10;
	v->dt = v->bits == 8 ? 0x2A : v->bits == 12 ? 0x2C : 0x2B;
	v->lanes = (r[0x0114] & 3) + 1;
	v->width = lumen_emu_r16(r, 0x034c);
	v->height = lumen_emu_r16(r, 0x034e);
	v->vts = lumen_emu_r16(r, 0x0340);
	v->hts = lumen_emu_r16(r, 0x0342);
	v->pclk_hz = (uint64_t)lumen_emu_r16(r, 0x0820) * 1000000u / (unsigned)v->bits;
	v->exposure_lines = lumen_emu_r16(r, 0x0202);
	if (code > 480)
		code = 480;
	v->analog_gain = 512.0 / (512.0 - code);
	for (int i = 0; i < 4; i++)
		dsum += lumen_emu_r16(r, (uint16_t)(0x020e + 2 * i)) & 0x0fff;
	v->digital_gain = dsum / 4.0 / 256.0;
	v->test_pattern = tp == 0 ? 0 : tp == 3 ? 2 : 1;
}

static const struct lumen_regval imx258_power_on[] = {
	{ 0x0016, 0x02 }, { 0x0017, 0x58 },
	{ 0x0112, 0x0a }, { 0x0113, 0x0a }, { 0x0114, 0x03 },
	{ 0x0202, 0x06 }, { 0x0203, 0x40 },	/* 0x640, the driver's default */
	{ 0x020e, 0x01 }, { 0x0210, 0x01 }, { 0x0212, 0x01 }, { 0x0214, 0x01 },
	{ 0x0340, 0x0c }, { 0x0341, 0x50 }, { 0x0342, 0x14 }, { 0x0343, 0xe8 },
	{ 0x034c, 0x10 }, { 0x034d, 0x70 }, { 0x034e, 0x0c }, { 0x034f, 0x30 },
	{ 0x0820, 0x13 }, { 0x0821, 0xe0 },	/* 5088 Mbps = 1272 x 4 */
};

static const struct lumen_sensor_model imx258_model = {
	.cam_from_xyz = { { 0.953925, -0.247139, -0.122354 },
			  { 0.023068, 0.974690, 0.003108 },
			  { -0.055716, 0.284733, 0.399410 } },
	.electrons_per_unit = 450000,
	.full_well_e = 4500,
	.read_noise_e = 2.8,
	.bits = 10,
	.black = 64,
	.corner_illumination = 0.40,	/* a phone module's short, wide lens shades strongly */
};

const struct lumen_emu_chip lumen_emu_imx258 = {
	.name = "imx258",
	.i2c_addr = 0x1a,
	.mclk_hz = 24000000,
	.bayer = LUMEN_BAYER_RGGB,
	.exposure_min = 4, .exposure_margin = 10,
	.exposure_delay = 2, .gain_delay = 1,
	.power_on = imx258_power_on,
	.npower_on = sizeof(imx258_power_on) / sizeof(imx258_power_on[0]),
	.read_only = { 0x0016, 0x0017 },
	.stream_reg = 0x0100, .reset_reg = 0x0103,
	.decode = decode_imx258,
	.model = &imx258_model,
};

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen sample: a raw frame lumen makes itself, so that `lumen develop` has
 * something to work on without any data: the 24 published ColorChecker
 * colours on a grey card, seen through a modelled 12-bit BGGR sensor (its
 * colour response is the inverse of a real calibration, see sensor_ccm),
 * under a warm light, with vignetting, shot and read noise, black level and
 * quantisation; saved as a DNG carrying the sensor's ColorMatrix and the
 * as-shot neutral, as a camera would.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib/colorchecker.h"
#include "calib/colour.h"
#include "core/frame.h"
#include "core/mat3.h"
#include "io/dng.h"
#include "tools/commands.h"

/* White-balanced camera RGB -> linear sRGB of the sensor behind the
 * Infinite-ISP ColorChecker frame, as `lumen calibrate` measured it
 * (data/tuning/infinite-isp-colorchecker.yaml). */
static const double sensor_ccm[3][3] = {
	{ 1.84501922, -0.651249886, -0.193769261 },
	{ -0.400101036, 1.95845747, -0.558356464 },
	{ -0.0596173182, -0.874659538, 1.93427682 },
};
/* camera response to the light: what a neutral surface gives (G = 1) */
static const double light_response[3] = { 1 / 1.9, 1.0, 1 / 1.4 };

/* Standard normal from two uniform draws (Box-Muller). */
static double gauss(unsigned *s)
{
	double u1, u2;

	*s ^= *s << 13; *s ^= *s >> 17; *s ^= *s << 5;
	u1 = (*s + 1.0) / 4294967297.0;
	*s ^= *s << 13; *s ^= *s >> 17; *s ^= *s << 5;
	u2 = (*s + 1.0) / 4294967297.0;
	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

int lumen_cmd_sample(int argc, char **argv)
{
	const int w = 1280, h = 864, black = 256, white = 4095;
	const char *out = NULL;
	double cam_from_srgb[3][3], patch_cam[LUMEN_CC_PATCHES][3], grey_cam[3];
	struct lumen_frame f;
	struct lumen_dng_write_meta meta;
	unsigned seed = 12345;
	char err[512];
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else {
			fprintf(stderr, "usage: lumen sample -o FILE.dng\n");
			return 2;
		}
	}
	if (!out) {
		fprintf(stderr, "usage: lumen sample -o FILE.dng\n");
		return 2;
	}
	lumen_mat3_invert(sensor_ccm, cam_from_srgb);	/* a real, regular CCM */

	/* camera RGB of each patch and of the grey card (18%) */
	for (int p = 0; p <= LUMEN_CC_PATCHES; p++) {
		double srgb[3], *dst = p < LUMEN_CC_PATCHES ? patch_cam[p] : grey_cam;

		if (p < LUMEN_CC_PATCHES)
			lumen_lab_to_linsrgb(lumen_cc_ref[p].lab, srgb);
		else
			srgb[0] = srgb[1] = srgb[2] = 0.18;
		for (int c = 0; c < 3; c++) {
			double v = 0;

			for (int k = 0; k < 3; k++)
				v += cam_from_srgb[c][k] * srgb[k];
			dst[c] = (v > 0 ? v : 0) * light_response[c];
		}
	}

	ret = lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, w, h);
	if (ret) {
		fprintf(stderr, "lumen sample: out of memory\n");
		return 1;
	}
	f.bayer = LUMEN_BAYER_BGGR;
	f.bits = 12;
	f.white = white;
	for (int c = 0; c < 4; c++)
		f.black[c] = black;

	for (int y = 0; y < h; y++) {
		uint16_t *row = (uint16_t *)(void *)(f.data[0] + (size_t)y * f.stride[0]);

		for (int x = 0; x < w; x++) {
			/* chart: 6x4 patches of 140 px at a 160 px pitch */
			int px = (x - 160) / 160, py = (y - 112) / 160;
			int inx = (x - 160) % 160, iny = (y - 112) % 160;
			const double *cam = grey_cam;
			double r2, v, electrons;
			int c = lumen_bayer_at(f.bayer, x, y);

			if (x >= 160 && y >= 112 && px < 6 && py < 4 && inx < 140 && iny < 140)
				cam = patch_cam[py * 6 + px];
			/* cos^4-like falloff to 70% in the corners */
			r2 = ((x - w / 2.0) * (x - w / 2.0) + (y - h / 2.0) * (y - h / 2.0)) /
			     (w * w / 4.0 + h * h / 4.0);
			v = cam[c] * (1 - 0.3 * r2) * 0.8;	/* exposure: white ~ 80% */
			/* 10000 e- full well, read noise 3 DN */
			electrons = v * 10000;
			electrons += sqrt(electrons > 0 ? electrons : 0) * gauss(&seed);
			v = electrons / 10000 * (white - black) + black + 3 * gauss(&seed);
			row[x] = (uint16_t)(v < 0 ? 0 : v > white ? white : lrint(v));
		}
	}

	memset(&meta, 0, sizeof(meta));
	meta.make = "lumen";
	meta.model = "sample sensor";
	meta.software = "lumen sample";
	/* ColorMatrix: XYZ -> white-balanced camera RGB; the light's colour
	 * is carried separately by AsShotNeutral */
	{
		double xyz_to_srgb[3][3];

		lumen_mat3_invert(lumen_srgb_to_xyz_d65, xyz_to_srgb);
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 3; j++) {
				double v = 0;

				for (int k = 0; k < 3; k++)
					v += cam_from_srgb[i][k] * xyz_to_srgb[k][j];
				meta.color_matrix[i][j] = (float)v;
			}
	}
	meta.has_color_matrix = true;
	meta.calibration_illuminant = 21;	/* D65 */
	meta.has_as_shot_neutral = true;
	for (int c = 0; c < 3; c++)
		meta.as_shot_neutral[c] = (float)light_response[c];

	ret = lumen_dng_write(out, &f, &meta, err, sizeof(err));
	lumen_frame_free(&f);
	if (ret) {
		fprintf(stderr, "lumen sample: %s\n", err);
		return 1;
	}
	printf("sample.output: %s (%dx%d BGGR 12-bit, black %d, ColorChecker)\n",
	       out, w, h, black);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The demosaic stage: working raw to linear RGB with the chosen method,
 * in linear light or, with lumen_isp_params.demosaic_perceptual, on the
 * sRGB-encoded samples (docs/demosaic.md, "Where the demosaic works").
 */
#include <math.h>
#include <pthread.h>

#include "calib/colour.h"
#include "isp/demosaic.h"
#include "isp/stages.h"

/* working value -> sRGB-encoded working value, and back; written once */
static uint16_t perceptual_encode[LUMEN_WORK_MAX + 1];
static uint16_t perceptual_decode[LUMEN_WORK_MAX + 1];
static pthread_once_t perceptual_once = PTHREAD_ONCE_INIT;

static void perceptual_tables(void)
{
	for (int v = 0; v <= LUMEN_WORK_MAX; v++) {
		const double x = v / (double)LUMEN_WORK_MAX;

		perceptual_encode[v] = (uint16_t)lrint(lumen_linear_to_srgb(x) * LUMEN_WORK_MAX);
		perceptual_decode[v] = (uint16_t)lrint(lumen_srgb_to_linear(x) * LUMEN_WORK_MAX);
	}
}

/* every sample of @f's planes through @lut (samples are 0..LUMEN_WORK_MAX) */
static void map_planes(struct lumen_frame *f, int planes, const uint16_t *lut)
{
	for (int c = 0; c < planes; c++)
		for (int y = 0; y < f->height; y++) {
			uint16_t *row = (uint16_t *)(void *)(f->data[c] +
							     (size_t)y * f->stride[c]);

			for (int x = 0; x < f->width; x++)
				row[x] = lut[row[x] > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : row[x]];
		}
}

static int demosaic_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	int err = lumen_isp_reserve_scratch(isp, p->demosaic);

	if (err)
		return err;
	if (p->demosaic_perceptual) {
		/* in place: no stage after this one reads the working raw */
		pthread_once(&perceptual_once, perceptual_tables);
		map_planes(&isp->raw, 1, perceptual_encode);
	}
	err = lumen_demosaic(p->demosaic, &isp->raw, &isp->rgb, isp->scratch,
			     isp->scratch_size);
	if (!err && p->demosaic_perceptual)
		map_planes(&isp->rgb, 3, perceptual_decode);
	return err;
}

const struct lumen_isp_stage lumen_isp_demosaic = {
	.name = "demosaic",
	.run = demosaic_run,
};

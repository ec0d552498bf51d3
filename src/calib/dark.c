// SPDX-License-Identifier: GPL-2.0-or-later
#include "calib/dark.h"

#include <errno.h>
#include <stdlib.h>

#define DARK_BINS 65536

/* The sample value below which @frac of the histogram lies. */
static unsigned quantile(const uint32_t *hist, uint64_t total, double frac)
{
	uint64_t acc = 0;

	for (unsigned i = 0; i < DARK_BINS; i++) {
		acc += hist[i];
		if ((double)acc >= frac * (double)total)
			return i;
	}
	return DARK_BINS - 1;
}

int lumen_dark_defects(const struct lumen_frame *work, uint32_t *pos, int max,
		       int *count, double *sigma, unsigned *level)
{
	uint32_t *hist;
	uint64_t total = (uint64_t)work->width * (uint64_t)work->height, above;
	unsigned med, mad, lev;
	double sd;
	int n = 0;

	*count = 0;
	if (work->fmt != LUMEN_PIX_BAYER16 || max < 1 || !total)
		return -EINVAL;
	hist = calloc(DARK_BINS, sizeof(*hist));
	if (!hist)
		return -ENOMEM;
	for (int y = 0; y < work->height; y++) {
		const uint16_t *r = (const uint16_t *)(const void *)
			(work->data[0] + (size_t)y * work->stride[0]);

		for (int x = 0; x < work->width; x++)
			hist[r[x]]++;
	}
	med = quantile(hist, total, 0.5);
	/* the MAD from the histogram of |v - med| */
	{
		uint64_t acc = 0;

		mad = 0;
		for (unsigned d = 0; d < DARK_BINS; d++) {
			if (med + d < DARK_BINS)
				acc += hist[med + d];
			if (d && d <= med)
				acc += hist[med - d];
			if (2 * acc >= total) {
				mad = d;
				break;
			}
		}
	}
	sd = 1.4826 * (mad ? mad : 0.5);
	lev = med + (unsigned)(8.0 * sd + 0.5);
	if (lev < med + LUMEN_DARK_MIN_EXCESS)
		lev = med + LUMEN_DARK_MIN_EXCESS;
	/* raise the level until the map fits */
	if (lev > DARK_BINS - 1)
		lev = DARK_BINS - 1;
	above = 0;
	for (unsigned i = lev + 1; i < DARK_BINS; i++)
		above += hist[i];
	while (above > (uint64_t)max && lev < DARK_BINS - 1)
		above -= hist[++lev];
	free(hist);
	for (int y = 0; y < work->height; y++) {
		const uint16_t *r = (const uint16_t *)(const void *)
			(work->data[0] + (size_t)y * work->stride[0]);

		for (int x = 0; x < work->width && n < max; x++)
			if (r[x] > lev)
				pos[n++] = (uint32_t)y << 16 | (uint32_t)x;
	}
	*count = n;
	if (sigma)
		*sigma = sd;
	if (level)
		*level = lev;
	return 0;
}

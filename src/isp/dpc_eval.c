// SPDX-License-Identifier: GPL-2.0-or-later
#include "isp/dpc_eval.h"

#include <stdlib.h>

#include "isp/isp.h"

static unsigned xorshift(unsigned *s)
{
	unsigned x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static inline uint16_t *px(struct lumen_frame *f, int x, int y)
{
	return (uint16_t *)(void *)(f->data[0] + (size_t)y * f->stride[0]) + x;
}

/* a defective value for @truth, hot or cold by @r, the error at least
 * LUMEN_DPC_EVAL_MIN_ERR */
static uint16_t bad_value(unsigned truth, unsigned *seed)
{
	const unsigned span = LUMEN_WORK_MAX - LUMEN_DPC_EVAL_MIN_ERR;
	unsigned d = LUMEN_DPC_EVAL_MIN_ERR + xorshift(seed) % (span + 1);
	bool hot = xorshift(seed) & 1;

	if (hot && truth + LUMEN_DPC_EVAL_MIN_ERR > LUMEN_WORK_MAX)
		hot = false;
	if (!hot && truth < LUMEN_DPC_EVAL_MIN_ERR)
		hot = true;
	if (hot)
		return (uint16_t)(truth + d > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : truth + d);
	return (uint16_t)(truth > d ? truth - d : 0);
}

int lumen_dpc_inject(struct lumen_frame *work, double density,
		     double pair_share, unsigned seed,
		     struct lumen_dpc_defect *out, int max)
{
	static const int off[4][2] = { { 2, 0 }, { 0, 2 }, { 2, 2 }, { -2, 2 } };
	const int w = work->width, h = work->height;
	const int rx = (int)work->bayer & 1, ry = ((int)work->bayer >> 1) & 1;
	long want = (long)(density * w * h + 0.5), tries = 0;
	uint8_t *busy;
	int n = 0;

	if (!seed)
		seed = 1;
	busy = calloc((size_t)w * h, 1);
	if (!busy)
		return 0;
	while (n < want && n < max && tries++ < 50 * want) {
		int x = (int)(xorshift(&seed) % (unsigned)w);
		int y = (int)(xorshift(&seed) % (unsigned)h);
		bool pair = (xorshift(&seed) % 1000) < pair_share * 1000;
		int x2 = x, y2 = y, k = 0;
		bool free_site = true;

		if (pair) {
			const bool green = ((x ^ y ^ rx ^ ry) & 1) != 0;
			unsigned r = xorshift(&seed);

			if (green && (r & 4)) {
				x2 = x + 1;
				y2 = y + (r & 8 ? 1 : -1);
			} else {
				x2 = x + off[r & 3][0];
				y2 = y + off[r & 3][1];
			}
			if (x2 < 0 || x2 >= w || y2 < 0 || y2 >= h || n + 2 > max)
				continue;
		}
		for (int j = -2; j <= 2 && free_site; j++)
			for (int i = -2; i <= 2; i++) {
				int a = x + i, b = y + j, a2 = x2 + i, b2 = y2 + j;

				if ((a >= 0 && a < w && b >= 0 && b < h &&
				     busy[(size_t)b * w + a]) ||
				    (a2 >= 0 && a2 < w && b2 >= 0 && b2 < h &&
				     busy[(size_t)b2 * w + a2])) {
					free_site = false;
					break;
				}
			}
		if (!free_site)
			continue;
		for (k = 0; k < (pair ? 2 : 1); k++) {
			const int cx = k ? x2 : x, cy = k ? y2 : y;
			uint16_t *p = px(work, cx, cy);

			out[n].x = cx;
			out[n].y = cy;
			out[n].truth = *p;
			out[n].value = bad_value(*p, &seed);
			*p = out[n].value;
			busy[(size_t)cy * w + cx] = 1;
			n++;
		}
	}
	free(busy);
	return n;
}

int lumen_dpc_corrected(const struct lumen_frame *work,
			const struct lumen_dpc_defect *d, int n,
			double *residual)
{
	double sum = 0.0;
	int ok = 0;

	for (int i = 0; i < n; i++) {
		const unsigned v = *px((struct lumen_frame *)work, d[i].x, d[i].y);
		const int err = abs((int)v - (int)d[i].truth);
		const int inj = abs((int)d[i].value - (int)d[i].truth);

		ok += v != d[i].value && 2 * err <= inj;
		sum += err;

	}
	if (residual)
		*residual = n ? sum / n : 0.0;
	return ok;
}

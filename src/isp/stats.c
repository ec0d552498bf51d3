// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 3A statistics on the working raw before white balance: per-zone R/G/B
 * sums over 2x2 cells, clipped-cell counts and a luma histogram. AE and AWB
 * read these and never touch pixels.
 */
#include <string.h>

#include "isp/stages.h"

#define CLIP_LEVEL (LUMEN_WORK_MAX - LUMEN_WORK_MAX / 64)

void lumen_stats_collect(const struct lumen_frame *work,
			 struct lumen_isp_stats *st)
{
	const int cw = work->width / 2, ch = work->height / 2;
	int zx = st->zones_x, zy = st->zones_y;
	/* which channel sits at each cell position */
	int chan[4];

	if (zx <= 0 || zy <= 0 || zx * zy > LUMEN_STATS_MAX_ZONES)
		zx = zy = 16;
	if (zx > cw)
		zx = cw > 0 ? cw : 1;
	if (zy > ch)
		zy = ch > 0 ? ch : 1;
	memset(st, 0, sizeof(*st));
	st->zones_x = zx;
	st->zones_y = zy;
	for (int i = 0; i < 4; i++)
		chan[i] = lumen_bayer_at(work->bayer, i & 1, i >> 1);

	for (int cy = 0; cy < ch; cy++) {
		const uint16_t *r0 = (const uint16_t *)(const void *)
			(work->data[0] + (size_t)(2 * cy) * work->stride[0]);
		const uint16_t *r1 = (const uint16_t *)(const void *)
			((const uint8_t *)r0 + work->stride[0]);
		const int zrow = (int)((long long)cy * zy / ch) * zx;

		for (int cx = 0; cx < cw; cx++) {
			const int z = zrow + (int)((long long)cx * zx / cw);
			unsigned v[4] = { r0[2 * cx], r0[2 * cx + 1],
					  r1[2 * cx], r1[2 * cx + 1] };
			unsigned rgb[3] = { 0, 0, 0 }, clipped = 0, luma;

			for (int i = 0; i < 4; i++) {
				rgb[chan[i]] += v[i];
				clipped |= v[i] >= CLIP_LEVEL;
			}
			for (int c = 0; c < 3; c++) {
				st->sum[c][z] += rgb[c];
				st->count[c][z] += c == 1 ? 2 : 1;
			}
			st->clipped[z] += clipped;
			luma = (rgb[0] + rgb[1] + rgb[2]) / 4;
			st->hist[luma * LUMEN_STATS_HIST_BINS / (LUMEN_WORK_MAX + 1)]++;
		}
	}
	st->cells = (uint32_t)(cw * ch);
}

static int stats_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	if (!p->stats)
		return 0;
	if (!isp->stats.zones_x)
		isp->stats.zones_x = isp->stats.zones_y = 16;
	lumen_stats_collect(&isp->raw, &isp->stats);
	return 0;
}

const struct lumen_isp_stage lumen_isp_stats_stage = {
	.name = "stats",
	.run = stats_run,
};

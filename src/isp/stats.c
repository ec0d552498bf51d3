// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 3A statistics on the working raw before white balance: per-zone R/G/B
 * sums over 2x2 cells, clipped-cell counts and a luma histogram. AE and AWB
 * read these and never touch pixels.
 */
#include <string.h>

#include "isp/isp_dsp.h"
#include "isp/stages.h"

LUMEN_STATS_SPAN_FN(lumen_stats_span_c)
{
	uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, clip = 0;

	for (int i = 0; i < cells; i++) {
		const uint32_t a = r0[2 * i], b = r0[2 * i + 1];
		const uint32_t c = r1[2 * i], d = r1[2 * i + 1];
		const uint32_t ab = a > b ? a : b, cd = c > d ? c : d;
		/* luma (R + 2G + B) / 4 in 256 bins over 0..WORK_MAX is the
		 * sum of the cell's four samples over 256 */
		const uint32_t bin = (a + b + c + d) >> 8;

		s0 += a;
		s1 += b;
		s2 += c;
		s3 += d;
		clip += (ab > cd ? ab : cd) >= LUMEN_STATS_CLIP;
		/* four histograms, so that equal neighbours do not wait on
		 * each other's increment */
		hist[i & 3][bin < LUMEN_STATS_HIST_BINS ? bin :
			    LUMEN_STATS_HIST_BINS - 1]++;
	}
	sum[0] += s0;
	sum[1] += s1;
	sum[2] += s2;
	sum[3] += s3;
	*clipped += clip;
}

void lumen_stats_collect(const struct lumen_frame *work,
			 struct lumen_isp_stats *st)
{
	const int cw = work->width / 2, ch = work->height / 2;
	int zx = st->zones_x, zy = st->zones_y;
	uint32_t hist[4][LUMEN_STATS_HIST_BINS];
	/* first cell column of each zone column, and the end */
	int xb[LUMEN_STATS_MAX_ZONES + 1];
	struct lumen_isp_dsp dsp;
	/* which channel sits at each cell position */
	int chan[4];

	if (zx <= 0 || zy <= 0 || zx * zy > LUMEN_STATS_MAX_ZONES)
		zx = zy = 16;
	if (zx > cw)
		zx = cw > 0 ? cw : 1;
	if (zy > ch)
		zy = ch > 0 ? ch : 1;
	memset(st, 0, sizeof(*st));
	memset(hist, 0, sizeof(hist));
	st->zones_x = zx;
	st->zones_y = zy;
	for (int i = 0; i < 4; i++)
		chan[i] = lumen_bayer_at(work->bayer, i & 1, i >> 1);
	/* cell cx is in zone column cx * zx / cw: the zone starts at the
	 * first cx reaching it */
	for (int z = 0; z <= zx; z++)
		xb[z] = (int)(((long long)z * cw + zx - 1) / zx);
	lumen_isp_dsp_init(&dsp);

	for (int cy = 0; cy < ch; cy++) {
		const uint16_t *r0 = (const uint16_t *)(const void *)
			(work->data[0] + (size_t)(2 * cy) * work->stride[0]);
		const uint16_t *r1 = (const uint16_t *)(const void *)
			((const uint8_t *)r0 + work->stride[0]);
		const int zrow = (int)((long long)cy * zy / ch) * zx;

		for (int z = 0; z < zx; z++) {
			uint32_t pos[4] = { 0, 0, 0, 0 };

			dsp.stats_span(r0 + 2 * xb[z], r1 + 2 * xb[z],
				       xb[z + 1] - xb[z], pos,
				       &st->clipped[zrow + z], hist);
			for (int i = 0; i < 4; i++)
				st->sum[chan[i]][zrow + z] += pos[i];
		}
	}
	/* every cell has one R, two G and one B sample */
	for (int zr = 0; zr < zy; zr++) {
		/* rows of zone row zr, as for columns */
		const int rows = (int)((((long long)(zr + 1) * ch + zy - 1) / zy) -
				       (((long long)zr * ch + zy - 1) / zy));

		for (int z = 0; z < zx; z++)
			for (int c = 0; c < 3; c++)
				st->count[c][zr * zx + z] = (uint32_t)rows *
					(uint32_t)(xb[z + 1] - xb[z]) * (c == 1 ? 2 : 1);
	}
	for (int b = 0; b < LUMEN_STATS_HIST_BINS; b++)
		st->hist[b] = hist[0][b] + hist[1][b] + hist[2][b] + hist[3][b];
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

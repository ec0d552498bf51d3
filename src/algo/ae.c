// SPDX-License-Identifier: GPL-2.0-or-later
#include "algo/ae.h"

#include <math.h>
#include <string.h>

void lumen_ae_normalise(const struct lumen_isp_stats *st, const float wb[3],
			float target, struct lumen_ae_result *out)
{
	const int nz = st->zones_x * st->zones_y;
	double pre = 0, post = 0, logsum = 0, cells = 0, clipped = 0, zone_cells = 0;
	uint32_t acc = 0, want;
	float scale, p99 = 1.0f, gain;
	int bin;

	memset(out, 0, sizeof(*out));
	out->gain = 1.0f;
	if (!st->cells || nz <= 0)
		return;

	/* luma before and after white balance, from the zone sums */
	for (int z = 0; z < nz; z++) {
		double m[3];

		if (!st->count[1][z])
			continue;
		for (int c = 0; c < 3; c++)
			m[c] = st->count[c][z] ? (double)st->sum[c][z] / st->count[c][z] : 0;
		pre += (m[0] + 2 * m[1] + m[2]) / 4;
		post += (wb[0] * m[0] + 2 * wb[1] * m[1] + wb[2] * m[2]) / 4;
		clipped += st->clipped[z];
		zone_cells += st->count[1][z] / 2;	/* two G samples a cell */
	}
	scale = pre > 0 ? (float)(post / pre) : 1.0f;

	/* log-average and 99th percentile from the histogram */
	want = (uint32_t)(st->cells * 0.99);
	bin = LUMEN_STATS_HIST_BINS - 1;
	for (int b = 0; b < LUMEN_STATS_HIST_BINS; b++) {
		float l = ((float)b + 0.5f) / LUMEN_STATS_HIST_BINS;

		logsum += st->hist[b] * log(l + 1e-3);
		cells += st->hist[b];
		acc += st->hist[b];
		if (acc >= want && bin == LUMEN_STATS_HIST_BINS - 1 && b < bin)
			bin = b;
	}
	p99 = ((float)bin + 1.0f) / LUMEN_STATS_HIST_BINS;
	out->mean_before = (float)exp(logsum / cells) * scale;
	out->p99_before = p99 * scale;
	/* the zones count every cell, the histogram (st->cells) a sample */
	out->clipped_fraction = zone_cells > 0 ? (float)(clipped / zone_cells) : 0.0f;

	gain = target / (out->mean_before > 1e-4f ? out->mean_before : 1e-4f);
	/* the 99th percentile may reach white, not pass it */
	if (gain * out->p99_before > 1.0f)
		gain = 1.0f / out->p99_before;
	if (gain < 0.125f)
		gain = 0.125f;
	if (gain > 16.0f)
		gain = 16.0f;
	out->gain = gain;
}

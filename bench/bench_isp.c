// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Whole-ISP throughput at a sensor size: a noisy 10-bit BGGR frame, packed
 * as MIPI RAW10 like the live path receives it, through every stage to NV12
 * with DPC, a radial lens-shading map, white balance, the fast demosaic,
 * CCM, tone and CSC on. Prints the minimum over FRAMES runs (the machine is
 * shared: the minimum is the figure least disturbed by other load) of the
 * whole frame and of each stage, from the ISP's own counters.
 * usage: bench_isp [WIDTH HEIGHT FRAMES]   (default 2560 1440 30)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/pack.h"
#include "isp/isp.h"

#define GRID_W 17
#define GRID_H 13

int main(int argc, char **argv)
{
	int w = argc > 2 ? atoi(argv[1]) : 2560, h = argc > 2 ? atoi(argv[2]) : 1440;
	int n = argc > 3 ? atoi(argv[3]) : 30;
	static float gain[4][GRID_W * GRID_H];
	struct lumen_lsc_map map = { GRID_W, GRID_H,
				     { gain[0], gain[1], gain[2], gain[3] } };
	uint64_t best = UINT64_MAX, stage_best[LUMEN_ISP_MAX_STAGES];
	struct lumen_frame raw16, raw, out;
	struct lumen_isp_params p;
	struct lumen_isp *isp;
	uint16_t *row16;
	unsigned s = 1;

	if (w < 2 || h < 2 || n < 1 ||
	    lumen_frame_alloc(&raw16, LUMEN_PIX_BAYER16, w, h) ||
	    lumen_frame_alloc(&raw, LUMEN_PIX_BAYER10P, w, h) ||
	    lumen_frame_alloc(&out, LUMEN_PIX_NV12, w, h) ||
	    lumen_isp_create(&isp, w, h)) {
		fprintf(stderr, "bench_isp: cannot allocate %dx%d\n", w, h);
		return 1;
	}
	raw.bayer = LUMEN_BAYER_BGGR;
	raw.bits = 10;
	raw.white = 1023;
	for (int i = 0; i < 4; i++)
		raw.black[i] = 64;
	for (int y = 0; y < h; y++) {
		row16 = (uint16_t *)(void *)(raw16.data[0] + y * raw16.stride[0]);
		for (int x = 0; x < w; x++) {
			s = s * 1103515245u + 12345u;
			row16[x] = (uint16_t)(64 + (x * 7 + y * 3) % 700 + (s >> 28));
		}
		lumen_pack_raw10(row16, raw.data[0] + (size_t)y * raw.stride[0],
				 (size_t)w);
	}
	/* a lens falling to half at the corners, a little different per cell */
	for (int c = 0; c < 4; c++)
		for (int j = 0; j < GRID_H; j++)
			for (int i = 0; i < GRID_W; i++) {
				float dx = (float)i / (GRID_W - 1) - 0.5f;
				float dy = (float)j / (GRID_H - 1) - 0.5f;

				gain[c][j * GRID_W + i] = 1.0f + (2.0f + 0.1f * (float)c) *
							  (dx * dx + dy * dy);
			}
	lumen_isp_params_default(&p);
	p.dpc = true;
	p.lsc = &map;
	p.stats = true;
	p.wb[0] = 1.8f;
	p.wb[2] = 1.5f;
	p.ccm[0][0] = 1.6f; p.ccm[0][1] = -0.4f; p.ccm[0][2] = -0.2f;
	p.ccm[1][0] = -0.3f; p.ccm[1][1] = 1.5f; p.ccm[1][2] = -0.2f;
	p.ccm[2][0] = -0.1f; p.ccm[2][1] = -0.5f; p.ccm[2][2] = 1.6f;
	p.contrast = 0.3f;
	if (lumen_isp_process(isp, &raw, &p, &out)) {	/* warm up */
		fprintf(stderr, "bench_isp: the ISP failed\n");
		return 1;
	}
	for (int i = 0; i < LUMEN_ISP_MAX_STAGES; i++)
		stage_best[i] = UINT64_MAX;
	for (int k = 0; k < n; k++) {
		uint64_t t0 = lumen_now_ns(), dt;

		lumen_isp_process(isp, &raw, &p, &out);
		dt = lumen_now_ns() - t0;
		best = dt < best ? dt : best;
		for (int i = 0; i < lumen_isp_stage_count; i++)
			if (isp->ctr[i].ns_last < stage_best[i])
				stage_best[i] = isp->ctr[i].ns_last;
	}
	printf("isp %dx%d raw10 -> nv12: %.2f ms/frame, minimum of %d "
	       "(%.1f fps, %.1f Mpix/s)\n", w, h, best / 1e6, n, 1e9 / best,
	       w * (double)h / (best / 1e3));
	for (int i = 0; i < lumen_isp_stage_count; i++)
		printf("  %-9s %7.2f ms\n", lumen_isp_stages[i]->name,
		       stage_best[i] / 1e6);
	lumen_isp_destroy(isp);
	lumen_frame_free(&raw16);
	lumen_frame_free(&raw);
	lumen_frame_free(&out);
	return 0;
}

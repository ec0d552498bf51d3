// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Whole-ISP throughput at a sensor size: a noisy 10-bit BGGR frame through
 * every stage to NV12 (the live pipeline's path), printing ms per frame and
 * each stage's share from the ISP's own counters.
 * usage: bench_isp [WIDTH HEIGHT FRAMES]   (default 2560 1440 20)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "isp/isp.h"

int main(int argc, char **argv)
{
	int w = argc > 2 ? atoi(argv[1]) : 2560, h = argc > 2 ? atoi(argv[2]) : 1440;
	int n = argc > 3 ? atoi(argv[3]) : 20;
	struct lumen_frame raw, out;
	struct lumen_isp_params p;
	struct lumen_isp *isp;
	struct timespec t0, t1;
	unsigned s = 1;
	double ms;

	if (lumen_frame_alloc(&raw, LUMEN_PIX_BAYER16, w, h) ||
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
		uint16_t *row = (uint16_t *)(void *)(raw.data[0] + y * raw.stride[0]);

		for (int x = 0; x < w; x++) {
			s = s * 1103515245u + 12345u;
			row[x] = (uint16_t)(64 + (x * 7 + y * 3) % 700 + (s >> 28));
		}
	}
	lumen_isp_params_default(&p);
	p.dpc = true;
	p.stats = true;
	p.wb[0] = 1.8f;
	p.wb[2] = 1.5f;
	lumen_isp_process(isp, &raw, &p, &out);	/* warm up */
	for (int i = 0; i < lumen_isp_stage_count; i++)
		isp->ctr[i].ns_total = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++)
		lumen_isp_process(isp, &raw, &p, &out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6) / n;
	printf("isp %dx%d -> nv12: %.2f ms/frame (%.1f fps, %.1f Mpix/s)\n",
	       w, h, ms, 1e3 / ms, w * (double)h / ms / 1e3);
	for (int i = 0; i < lumen_isp_stage_count; i++)
		printf("  %-9s %7.2f ms\n", lumen_isp_stages[i]->name,
		       isp->ctr[i].ns_total / 1e6 / n);
	lumen_isp_destroy(isp);
	lumen_frame_free(&raw);
	lumen_frame_free(&out);
	return 0;
}

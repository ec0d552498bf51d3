// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Speed of lumen_demosaic_fast() at each CPU level this machine has.
 *
 *   bench_demosaic_fast [width height [runs]]     (default 2560 1440 20)
 *
 * Prints one "name: value unit" line per measurement: the best of @runs
 * whole frames (thread CPU time), in megapixels per second, and each SIMD
 * level's ratio to C.
 * Honours LUMEN_CPU_MASK as the upper bound of the levels tried; levels
 * the build has no kernel for (-Dsimd=disabled) are not printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/cpu.h"
#include "core/frame.h"
#include "isp/demosaic.h"
#include "isp/demosaic_dsp.h"
#include "isp/isp.h"

/*
 * CPU time of this thread: on a shared, loaded machine a 20 ms frame is
 * nearly always preempted while a 2 ms one is not, so wall time would
 * favour the fast kernels. On an idle machine both clocks agree.
 */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Best time of @runs frames, in seconds; negative on error. */
static double best_time(const struct lumen_frame *raw, struct lumen_frame *rgb,
			int runs)
{
	double best = 1e30;

	if (lumen_demosaic_fast(raw, rgb))	/* warm caches and pages */
		return -1;
	for (int i = 0; i < runs; i++) {
		double t = now_s();

		lumen_demosaic_fast(raw, rgb);
		t = now_s() - t;
		if (t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; unsigned mask; } levels[] = {
		{ "avx2", LUMEN_CPU_AVX2 },
		{ "avx512vnni", LUMEN_CPU_AVX2 | LUMEN_CPU_AVX512 | LUMEN_CPU_AVX512VNNI },
		{ "neon", LUMEN_CPU_NEON },
	};
	int w = argc > 2 ? atoi(argv[1]) : 2560;
	int h = argc > 2 ? atoi(argv[2]) : 1440;
	int runs = argc > 3 ? atoi(argv[3]) : 20;
	unsigned all = lumen_cpu_flags(), seed = 12345;
	struct lumen_frame raw, rgb;
	double mpix = (double)w * h * 1e-6, t_c;

	if (runs < 1 || lumen_frame_alloc(&raw, LUMEN_PIX_BAYER16, w, h) ||
	    lumen_frame_alloc(&rgb, LUMEN_PIX_RGB16P, w, h)) {
		fprintf(stderr, "usage: %s [width height [runs]] (sizes >= 2)\n",
			argv[0]);
		return 1;
	}
	raw.bayer = LUMEN_BAYER_GRBG;
	raw.bits = LUMEN_WORK_BITS;
	for (int y = 0; y < h; y++) {
		uint16_t *row = (uint16_t *)(void *)(raw.data[0] +
						     (size_t)y * raw.stride[0]);

		for (int x = 0; x < w; x++) {
			seed = seed * 1103515245u + 12345u;
			row[x] = (uint16_t)((seed >> 8) % (LUMEN_WORK_MAX + 1));
		}
	}

	printf("demosaic.fast.frame: %.3f Mpix (%dx%d)\n", mpix, w, h);
	lumen_cpu_set_mask(0);
	t_c = best_time(&raw, &rgb, runs);
	if (t_c <= 0)
		return 1;
	printf("demosaic.fast.c.speed: %.1f Mpix/s\n", mpix / t_c);
	for (unsigned l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		struct lumen_demosaic_dsp dsp;
		double t;

		if ((all & levels[l].mask) != levels[l].mask)
			continue;
		lumen_cpu_set_mask(levels[l].mask);
		lumen_demosaic_dsp_init(&dsp);
		if (dsp.row == lumen_demosaic_row_c)
			continue;	/* CPU has it, this build has no kernel */
		t = best_time(&raw, &rgb, runs);
		if (t <= 0)
			return 1;
		printf("demosaic.fast.%s.speed: %.1f Mpix/s\n", levels[l].name,
		       mpix / t);
		printf("demosaic.fast.%s.ratio: %.2f x\n", levels[l].name, t_c / t);
	}
	lumen_frame_free(&raw);
	lumen_frame_free(&rgb);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 3A cost per frame at a sensor size: the built-in chart scene rendered by
 * the virtual sensor's model, the ISP run up to its statistics, then the
 * stats stage alone, every AWB method and AE timed on that frame. Figures
 * are thread CPU time, the minimum over the runs (robust on a loaded
 * machine).
 * usage: bench_3a [WIDTH HEIGHT RUNS]   (default 2560 1440 10)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "algo/ae.h"
#include "algo/awb.h"
#include "isp/isp.h"
#include "isp/stages.h"
#include "virt/scene.h"

static const struct lumen_sensor_model model = {
	.cam_from_xyz = { { 0.60, 0.50, 0.05 }, { 0.10, 0.90, 0.10 },
			  { 0.00, 0.20, 0.80 } },
	.electrons_per_unit = 100000, .full_well_e = 10000, .read_noise_e = 3,
	.bits = 12, .black = 240,
};

static double cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "grey_world", "white_patch",
					     "grey_edge", "auto", "grey_pixel" };
	int w = argc > 2 ? atoi(argv[1]) : 2560, h = argc > 2 ? atoi(argv[2]) : 1440;
	int runs = argc > 3 ? atoi(argv[3]) : 10;
	struct lumen_scene_config sc_cfg = { .kind = LUMEN_SCENE_CHART,
					     .width = w, .height = h, .light = 1 };
	struct lumen_render_params rp = { .exposure_s = 0.02, .analog_gain = 1,
					  .digital_gain = 1, .bayer = LUMEN_BAYER_GRBG };
	static const float unit[3] = { 1, 1, 1 };
	struct lumen_isp_params p;
	struct lumen_scene *sc;
	struct lumen_isp *isp;
	struct lumen_frame raw, out;
	struct lumen_awb_result r;
	struct lumen_ae_result ae;
	char err[256];
	double best, t;

	if (lumen_scene_create(&sc_cfg, &sc, err, sizeof(err)) ||
	    lumen_frame_alloc(&raw, LUMEN_PIX_BAYER16, w, h) ||
	    lumen_frame_alloc(&out, LUMEN_PIX_NV12, w, h) ||
	    lumen_isp_create(&isp, w, h)) {
		fprintf(stderr, "bench_3a: cannot set up %dx%d\n", w, h);
		return 1;
	}
	if (lumen_scene_render(sc, &model, &rp, &raw)) {
		fprintf(stderr, "bench_3a: render failed\n");
		return 1;
	}
	lumen_isp_params_default(&p);
	p.stats = true;
	isp->stats.zones_x = isp->stats.zones_y = 32;
	if (lumen_isp_process_stages(isp, &raw, &p, &out, 0,
				     lumen_isp_stage_index("wb"))) {
		fprintf(stderr, "bench_3a: isp failed\n");
		return 1;
	}

	best = 1e9;
	for (int i = 0; i < runs; i++) {
		t = cpu_ms();
		lumen_stats_collect(&isp->raw, &isp->stats);
		t = cpu_ms() - t;
		best = t < best ? t : best;
	}
	printf("3a.stats_collect.ms: %.3f ms\n", best);
	for (int m = 0; m < 5; m++) {
		best = 1e9;
		for (int i = 0; i < runs; i++) {
			t = cpu_ms();
			lumen_awb_estimate(&isp->stats,
					   (enum lumen_awb_method)m, &r);
			t = cpu_ms() - t;
			best = t < best ? t : best;
		}
		printf("3a.awb.%s.ms: %.3f ms (R %.3f B %.3f)\n", names[m], best,
		       r.gain[0] / r.gain[1], r.gain[2] / r.gain[1]);
	}
	best = 1e9;
	for (int i = 0; i < runs; i++) {
		t = cpu_ms();
		lumen_ae_normalise(&isp->stats, unit, 0.18f, &ae);
		t = cpu_ms() - t;
		best = t < best ? t : best;
	}
	printf("3a.ae.ms: %.3f ms\n", best);
	lumen_isp_destroy(isp);
	lumen_frame_free(&raw);
	lumen_frame_free(&out);
	lumen_scene_destroy(sc);
	return 0;
}

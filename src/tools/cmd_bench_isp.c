// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen bench isp [--threads N] [--frames N] [FILE]: the whole ISP on a
 * 2560x1440 frame, RAW10 in (as the link delivers it) and NV12 plus
 * statistics out, with DPC, a lens-shading map, white balance, the fast
 * demosaic, CCM, tone and CSC on; FILE (a DNG) replaces the synthetic
 * frame, in its own size and 16-bit container. Beside it, in the same run:
 * OpenCV's 16-bit bilinear Bayer to BGR on the same mosaic, one thread,
 * and the single-core memory-copy bound (one memcpy of as many bytes as
 * the ISP reads and writes: the raw frame and the NV12 frame).
 *
 * Figures are minima over the runs: the machine may be shared, and the
 * minimum is the run least disturbed. ms_per_frame is wall time (what a
 * frame takes), cpu_ms_per_frame the CPU time of every thread (what it
 * costs; with one thread, the same less the time others had the core). One line "name: value unit" each;
 * "skip: ..." for a peer that is missing. Exit status: 0, 1 on a failure,
 * 2 usage.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/pack.h"
#include "io/develop_input.h"
#include "isp/isp.h"
#include "tools/commands.h"

#define W 2560
#define H 1440
#define GRID_W 17
#define GRID_H 13

static void usage(FILE *out)
{
	fprintf(out, "usage: lumen bench isp [--threads N] [--frames N] [--no-denoise]\n"
		"                       [--sharpen AMOUNT] [FILE.dng]\n");
}

/* The synthetic frame: a noisy 10-bit BGGR ramp, packed as RAW10, with
 * its 16-bit twin for OpenCV. */
static int synthetic(struct lumen_frame *raw10, struct lumen_frame *raw16)
{
	unsigned s = 1;

	if (lumen_frame_alloc(raw16, LUMEN_PIX_BAYER16, W, H) ||
	    lumen_frame_alloc(raw10, LUMEN_PIX_BAYER10P, W, H))
		return -ENOMEM;
	raw10->bayer = raw16->bayer = LUMEN_BAYER_BGGR;
	raw10->bits = raw16->bits = 10;
	raw10->white = raw16->white = 1023;
	for (int i = 0; i < 4; i++)
		raw10->black[i] = raw16->black[i] = 64;
	for (int y = 0; y < H; y++) {
		uint16_t *row = (uint16_t *)(void *)(raw16->data[0] +
						     (size_t)y * raw16->stride[0]);

		for (int x = 0; x < W; x++) {
			s = s * 1103515245u + 12345u;
			row[x] = (uint16_t)(64 + (x * 7 + y * 3) % 700 + (s >> 28));
		}
		lumen_pack_raw10(row, raw10->data[0] + (size_t)y * raw10->stride[0],
				 (size_t)W);
	}
	return 0;
}

/* A lens falling to half at the corners, a little different per cell. */
static void lens(float gain[4][GRID_W * GRID_H])
{
	for (int c = 0; c < 4; c++)
		for (int j = 0; j < GRID_H; j++)
			for (int i = 0; i < GRID_W; i++) {
				float dx = (float)i / (GRID_W - 1) - 0.5f;
				float dy = (float)j / (GRID_H - 1) - 0.5f;

				gain[c][j * GRID_W + i] = 1.0f + (2.0f + 0.1f * (float)c) *
							  (dx * dx + dy * dy);
			}
}

/* CPU time of the process (every ISP worker), ns. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Bytes of one frame's planes as allocated (the rows the ISP touches). */
static size_t frame_bytes(const struct lumen_frame *f)
{
	size_t n = 0;

	for (int p = 0; p < 3 && f->data[p]; p++)
		n += f->stride[p] * (size_t)(p && f->fmt == LUMEN_PIX_NV12 ?
					     f->height / 2 : f->height);
	return n;
}

/* Minimum ms of one memcpy of @n bytes over @runs runs. */
static double memcpy_ms(size_t n, int runs)
{
	char *a = malloc(n), *b = malloc(n);
	uint64_t best = UINT64_MAX;

	if (!a || !b) {
		free(a);
		free(b);
		return -1.0;
	}
	memset(a, 1, n);
	memset(b, 2, n);
	for (int k = 0; k < runs; k++) {
		uint64_t t0 = (uint64_t)lumen_now_ns(), dt;

		memcpy(b, a, n);
		dt = (uint64_t)lumen_now_ns() - t0;
		best = dt < best ? dt : best;
		a[k % n] ^= b[(k * 7) % n];	/* keep the copies alive */
	}
	free(a);
	free(b);
	return best / 1e6;
}

/*
 * OpenCV cv2.cvtColor(COLOR_BayerRG2BGR) (bilinear) on the 16-bit mosaic
 * in @file, one thread, minimum ms of one call; 0 when python3 with cv2
 * is not there.
 */
static double opencv_ms(const char *file, int w, int h, int runs)
{
	char cmd[8192];
	double v = 0.0;
	FILE *p;

	if (access("/usr/bin/python3", X_OK))
		return 0.0;
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c '\n"
		 "import time, numpy as np, cv2\n"
		 "cv2.setNumThreads(1)\n"
		 "a = np.fromfile(\"%s\", dtype=\"<u2\", count=%d*%d).reshape(%d, %d)\n"
		 "cv2.cvtColor(a, cv2.COLOR_BayerRG2BGR)\n"
		 "best = 1e9\n"
		 "for i in range(%d):\n"
		 "    t0 = time.perf_counter(); cv2.cvtColor(a, cv2.COLOR_BayerRG2BGR)\n"
		 "    best = min(best, time.perf_counter() - t0)\n"
		 "print(best * 1e3)\n"
		 "' 2>/dev/null", file, w, h, h, w, runs);
	p = popen(cmd, "r");
	if (!p)
		return 0.0;
	if (fscanf(p, "%lf", &v) != 1)
		v = 0.0;
	if (pclose(p) != 0)
		v = 0.0;
	return v;
}

int lumen_cmd_bench_isp(int argc, char **argv)
{
	static float gain[4][GRID_W * GRID_H];
	struct lumen_lsc_map map = { GRID_W, GRID_H,
				     { gain[0], gain[1], gain[2], gain[3] } };
	struct lumen_frame raw10 = { 0 }, raw16 = { 0 }, out = { 0 };
	struct lumen_develop_input input = { 0 };
	const struct lumen_frame *in;
	uint64_t best = UINT64_MAX, cpu_best = UINT64_MAX;
	uint64_t stage_best[LUMEN_ISP_MAX_STAGES];
	const char *file = NULL;
	char tmp[] = "/tmp/lumen-bench-isp-XXXXXX";
	int threads = 1, frames = 50, status = 1, ret, fd;
	bool denoise = true;
	float sharpen = 0.0f;
	struct lumen_isp_params p;
	struct lumen_isp *isp = NULL;
	double ms, cv, bound;
	FILE *fp;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--frames") && i + 1 < argc)
			frames = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-denoise"))
			denoise = false;
		else if (!strcmp(argv[i], "--sharpen") && i + 1 < argc)
			sharpen = (float)atof(argv[++i]);
		else if (argv[i][0] != '-' && !file)
			file = argv[i];
		else {
			usage(stderr);
			return 2;
		}
	}
	if (threads < 1 || threads > LUMEN_ISP_MAX_THREADS || frames < 1) {
		usage(stderr);
		return 2;
	}
	if (file) {
		struct lumen_raw_format fmt = { 0 };
		char err[512];

		ret = lumen_develop_input_load(file, &fmt, &input, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "lumen bench isp: %s\n(a plain dump becomes a DNG "
				"with: lumen develop IN --size WxH --bits N --bayer ORDER "
				"-o FILE.dng)\n", err);
			return 1;
		}
		in = &input.frame;
		raw16 = input.frame;
		if ((in->width | in->height) & 1) {
			fprintf(stderr, "lumen bench isp: %s: %dx%d is odd; NV12 needs "
				"even sizes\n", file, in->width, in->height);
			goto free_input;
		}
	} else {
		if (synthetic(&raw10, &raw16)) {
			fprintf(stderr, "lumen bench isp: out of memory\n");
			goto free_frames;
		}
		in = &raw10;
	}
	ret = lumen_isp_create(&isp, in->width, in->height);
	if (!ret)
		ret = lumen_isp_set_threads(isp, threads);
	if (ret || lumen_frame_alloc(&out, LUMEN_PIX_NV12, in->width, in->height)) {
		fprintf(stderr, "lumen bench isp: cannot set up the ISP: %s\n",
			strerror(ret ? -ret : ENOMEM));
		goto free_isp;
	}
	lens(gain);
	lumen_isp_params_default(&p);
	p.dpc = true;
	/* the DPC's noise model, as a sensor's tuning gives it live: the
	 * synthetic frame's noise is uniform over 16 DN of 959, i.e. a
	 * variance of (16 x 16383 / 959)^2 / 12 working units (a DNG
	 * without NoiseProfile is measured from the frame instead) */
	if (file && input.has_noise)
		memcpy(p.dpc_noise, input.noise, sizeof(p.dpc_noise));
	else if (!file)
		p.dpc_noise[1] = (float)((16.0 * LUMEN_WORK_MAX / 959.0) *
					 (16.0 * LUMEN_WORK_MAX / 959.0) / 12.0);
	p.lsc = &map;
	/* live defaults with a tuned sensor (pipeline/control.c): the fast
	 * denoise from the same model; sharpening only when asked (the
	 * tuning's sharpen:, off by default) */
	p.denoise = denoise ? LUMEN_DENOISE_FAST : LUMEN_DENOISE_OFF;
	p.sharpen = sharpen;
	p.stats = true;
	p.wb[0] = 1.8f;
	p.wb[2] = 1.5f;
	p.ccm[0][0] = 1.6f; p.ccm[0][1] = -0.4f; p.ccm[0][2] = -0.2f;
	p.ccm[1][0] = -0.3f; p.ccm[1][1] = 1.5f; p.ccm[1][2] = -0.2f;
	p.ccm[2][0] = -0.1f; p.ccm[2][1] = -0.5f; p.ccm[2][2] = 1.6f;
	p.contrast = 0.3f;
	ret = lumen_isp_process(isp, in, &p, &out);	/* warm up */
	if (ret) {
		fprintf(stderr, "lumen bench isp: the ISP failed: %s\n", strerror(-ret));
		goto free_isp;
	}
	for (int i = 0; i < LUMEN_ISP_MAX_STAGES; i++)
		stage_best[i] = UINT64_MAX;
	for (int k = 0; k < frames; k++) {
		uint64_t t0 = (uint64_t)lumen_now_ns(), c0 = cpu_ns(), dt, dc;

		lumen_isp_process(isp, in, &p, &out);
		dt = (uint64_t)lumen_now_ns() - t0;
		dc = cpu_ns() - c0;
		best = dt < best ? dt : best;
		cpu_best = dc < cpu_best ? dc : cpu_best;
		for (int i = 0; i < lumen_isp_stage_count; i++)
			if (isp->ctr[i].ns_last < stage_best[i])
				stage_best[i] = isp->ctr[i].ns_last;
	}
	ms = best / 1e6;
	printf("isp.input: %dx%d %s%s\n", in->width, in->height,
	       lumen_pixfmt_name(in->fmt), file ? " (from the file)" : " (synthetic)");
	printf("isp.threads: %d\n", threads);
	printf("isp.fast.ms_per_frame: %.2f ms\n", ms);
	printf("isp.fast.cpu_ms_per_frame: %.2f ms\n", cpu_best / 1e6);
	for (int i = 0; i < lumen_isp_stage_count; i++)
		printf("isp.fast.%s.ms: %.2f ms\n", lumen_isp_stages[i]->name,
		       stage_best[i] / 1e6);
	fflush(stdout);

	bound = memcpy_ms(frame_bytes(in) + frame_bytes(&out), frames);
	if (bound > 0)
		printf("isp.memcpy_bound.ms: %.2f ms\n", bound);

	fd = mkstemp(tmp);
	fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!fp) {
		printf("skip: opencv (cannot write %s)\n", tmp);
	} else {
		for (int y = 0; y < raw16.height; y++)
			fwrite(raw16.data[0] + (size_t)y * raw16.stride[0], 2,
			       (size_t)raw16.width, fp);
		fclose(fp);
		cv = opencv_ms(tmp, raw16.width, raw16.height, frames);
		unlink(tmp);
		if (cv > 0) {
			printf("isp.opencv.bayer16_bilinear.ms: %.2f ms\n", cv);
			printf("isp.fast.vs_opencv: %.2f ratio\n", ms / cv);
		} else {
			printf("skip: opencv (/usr/bin/python3 with cv2 not available)\n");
		}
	}
	status = 0;
free_isp:
	lumen_frame_free(&out);
	lumen_isp_destroy(isp);
free_frames:
	if (!file) {
		lumen_frame_free(&raw10);
		lumen_frame_free(&raw16);
	}
free_input:
	if (file)
		lumen_develop_input_free(&input);
	return status;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scene rendering speed: 2560x1440 frames (the SC4336P mode) of the
 * built-in chart and of an image scene (a synthetic PNG written to /tmp),
 * with shot and read noise, on the calling thread. Times are CPU time of
 * the thread, so other load on the machine does not count.
 *
 *   scene_*_render   a full render: the mirror changes every frame, so the
 *                    mean plane is rebuilt each time (what any change of
 *                    exposure, gain, light or pan step costs)
 *   scene_*_noise    the steady state: same settings, next frame index,
 *                    only the per-frame noise on the cached mean (the image
 *                    scene pans, so it has no steady state: not printed)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/frame.h"
#include "io/image_write.h"
#include "virt/scene.h"

#define W 2560
#define H 1440
#define FRAMES 10

static const struct lumen_sensor_model model = {
	.cam_from_xyz = { { 0.60, 0.50, 0.05 }, { 0.10, 0.90, 0.10 },
			  { 0.00, 0.20, 0.80 } },
	.electrons_per_unit = 100000, .full_well_e = 10000, .read_noise_e = 3,
	.bits = 10, .black = 64,
};

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run(const char *name, const struct lumen_scene_config *cfg,
	       struct lumen_frame *f)
{
	struct lumen_render_params p = {
		.exposure_s = 0.02, .analog_gain = 2, .digital_gain = 1,
		.bayer = LUMEN_BAYER_BGGR,
	};
	struct lumen_scene *sc;
	char err[256];
	double t0, t;

	t0 = cpu_now();
	if (lumen_scene_create(cfg, &sc, err, sizeof(err))) {
		fprintf(stderr, "bench_scene: %s\n", err);
		return 1;
	}
	printf("scene_%s_create: %.1f ms\n", name, (cpu_now() - t0) * 1e3);
	t0 = cpu_now();
	for (int i = 0; i < FRAMES; i++) {
		p.frame_index = (uint64_t)i;
		p.hflip = i & 1;	/* both read directions */
		lumen_scene_render(sc, &model, &p, f);
	}
	t = (cpu_now() - t0) / FRAMES;
	printf("scene_%s_render: %.2f ms/frame\n", name, t * 1e3);
	printf("scene_%s_rate: %.1f Mpix/s\n", name, W * (double)H / t / 1e6);
	if (cfg->pan_px_per_frame == 0) {
		double best = 1e9;

		for (int i = 0; i < FRAMES; i++) {
			p.frame_index = (uint64_t)(FRAMES + i);
			t0 = cpu_now();
			lumen_scene_render(sc, &model, &p, f);
			t = cpu_now() - t0;
			best = t < best ? t : best;
		}
		printf("scene_%s_noise: %.2f ms/frame (best of %d)\n", name,
		       best * 1e3, FRAMES);
	}
	lumen_scene_destroy(sc);
	return 0;
}

int main(void)
{
	struct lumen_scene_config cfg = {
		.kind = LUMEN_SCENE_CHART, .width = W, .height = H, .light = 1,
	};
	char path[] = "/tmp/bench_scene_XXXXXX.png", err[256];
	struct lumen_frame f, img;
	int fd, ret = 1;

	if (lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, W, H))
		return 1;
	if (run("chart", &cfg, &f))
		goto out_free_frame;

	fd = mkstemps(path, 4);
	if (fd < 0 || lumen_frame_alloc(&img, LUMEN_PIX_RGB24, 1920, 1080))
		goto out_free_frame;
	close(fd);
	for (int y = 0; y < 1080; y++)
		for (int x = 0; x < 1920 * 3; x++)
			img.data[0][(size_t)y * img.stride[0] + x] = (uint8_t)(x ^ y);
	if (lumen_image_write(path, &img, 0, err, sizeof(err))) {
		fprintf(stderr, "bench_scene: %s\n", err);
		goto out_free_img;
	}
	cfg.kind = LUMEN_SCENE_IMAGE;
	cfg.image_path = path;
	cfg.pan_px_per_frame = 4;
	ret = run("image", &cfg, &f);
	unlink(path);
out_free_img:
	lumen_frame_free(&img);
out_free_frame:
	lumen_frame_free(&f);
	return ret;
}

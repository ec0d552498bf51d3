// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Speed of the encoders and the scaler, each beside a peer run in the same
 * process on the same input:
 *  - H.264 at 2560x1440 and 640x360: lumen's x264 encoder (through the
 *    interface and a stream ring) vs libx264 called directly with the
 *    same settings;
 *  - JPEG at 2560x1440: lumen's TurboJPEG encoder from NV12 vs
 *    tjCompress2 from RGB24 (what an RGB pipeline would pay);
 *  - scaler 2560x1440 -> 640x360 NV12 (area): C, AVX2/NEON, and
 *    libswscale (SWS_AREA, NV12 -> NV12) when built with it.
 *
 *   bench_encode [--quick]
 *
 * Prints "name: value unit" lines; times are thread CPU time (x264 runs
 * with one thread, in the caller's), best of several for JPEG and scaler,
 * mean over all frames for H.264 (best of two alternating rounds). About
 * 10 s on one core of a loaded VM.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <turbojpeg.h>
#include <x264.h>

#include "core/cpu.h"
#include "core/frame.h"
#include "encode/encoder.h"
#include "encode/stream_ring.h"
#include "scale/scale.h"

#ifdef LUMEN_HAVE_SWSCALE
#include <libswscale/swscale.h>
#endif

#define MARGIN 64	/* the canvas is larger: frames are moving windows */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* An NV12 canvas with edges, texture and mild noise. */
static void canvas_make(struct lumen_frame *c, int w, int h)
{
	unsigned seed = 12345;

	if (lumen_frame_alloc(c, LUMEN_PIX_NV12, w + MARGIN, h + MARGIN)) {
		fprintf(stderr, "bench_encode: out of memory\n");
		exit(1);
	}
	for (int y = 0; y < c->height; y++)
		for (int x = 0; x < c->width; x++) {
			int v = (x * 3 + y) % 256;

			if (((x / 40) + (y / 40)) & 1)
				v = 255 - v / 2;
			seed = seed * 1103515245u + 12345u;
			c->data[0][(size_t)y * c->stride[0] + (size_t)x] =
				(uint8_t)(v ^ (int)((seed >> 24) & 7));
		}
	for (int y = 0; y < c->height / 2; y++)
		for (int x = 0; x < c->width; x++)
			c->data[1][(size_t)y * c->stride[1] + (size_t)x] =
				(uint8_t)(x & 1 ? 128 + (y % 64) : 128 + (x / 2) % 50);
}

/* Frame t: a w x h window of the canvas moving along a diagonal. */
static void window_at(const struct lumen_frame *c, int w, int h, int t,
		      struct lumen_frame *f)
{
	int ox = (t * 2) % MARGIN, oy = (t * 2) % MARGIN;

	lumen_frame_crop(c, ox, oy, w, h, f);
	f->sequence = (uint64_t)t;
	f->timestamp_ns = (int64_t)t * 33333333;
}

static void cfg_for(struct lumen_encoder_config *cfg, int w, int h, int kbps)
{
	lumen_encoder_config_default(cfg);
	cfg->width = w;
	cfg->height = h;
	cfg->bitrate_kbps = kbps;
	cfg->gop = 30;
	cfg->threads = 1;
}

/* Mean CPU seconds per frame through lumen; negative on error. */
static double h264_lumen(const struct lumen_frame *canvas,
			 const struct lumen_encoder_config *cfg, int frames,
			 double *kbytes)
{
	struct lumen_encoder *enc;
	struct lumen_stream_ring ring;
	struct lumen_encoder_counters ctr;
	char err[256];
	double t;

	if (lumen_encoder_create(&enc, &lumen_encoder_x264, cfg, err, sizeof(err))) {
		fprintf(stderr, "bench_encode: %s\n", err);
		return -1;
	}
	if (lumen_stream_ring_init(&ring, 4,
			lumen_encoder_au_capacity(&lumen_encoder_x264, cfg))) {
		lumen_encoder_destroy(enc);
		return -1;
	}
	t = now_s();
	for (int i = 0; i < frames; i++) {
		struct lumen_frame f;

		window_at(canvas, cfg->width, cfg->height, i, &f);
		if (lumen_encoder_encode(enc, &f, &ring) < 0)
			fprintf(stderr, "bench_encode: frame %d not encoded\n", i);
	}
	t = (now_s() - t) / frames;
	lumen_encoder_read_counters(enc, &ctr);
	*kbytes = (double)ctr.bytes_out / 1000.0;
	lumen_stream_ring_destroy(&ring);
	lumen_encoder_destroy(enc);
	return t;
}

/* The same settings as src/encode/h264_x264.c, straight into libx264. */
static double h264_direct(const struct lumen_frame *canvas,
			  const struct lumen_encoder_config *cfg, int frames,
			  double *kbytes)
{
	x264_param_t p;
	x264_picture_t pic, out;
	x264_nal_t *nal;
	x264_t *h;
	int nnal;
	double t, bytes = 0;

	x264_param_default_preset(&p, "ultrafast", "zerolatency");
	p.i_log_level = X264_LOG_ERROR;
	p.i_width = cfg->width;
	p.i_height = cfg->height;
	p.i_csp = X264_CSP_NV12;
	p.i_fps_num = 30;
	p.i_fps_den = 1;
	p.i_timebase_num = 1;
	p.i_timebase_den = 30;
	p.b_vfr_input = 0;
	p.i_threads = 1;
	p.b_sliced_threads = 0;
	p.i_bframe = 0;
	p.b_repeat_headers = 1;
	p.b_annexb = 1;
	p.i_keyint_max = p.i_keyint_min = cfg->gop;
	p.i_scenecut_threshold = 0;
	p.rc.i_rc_method = X264_RC_ABR;
	p.rc.i_bitrate = p.rc.i_vbv_max_bitrate = p.rc.i_vbv_buffer_size =
		cfg->bitrate_kbps;
	x264_param_apply_profile(&p, "main");
	h = x264_encoder_open(&p);
	if (!h)
		return -1;
	x264_picture_init(&pic);
	pic.img.i_csp = X264_CSP_NV12;
	pic.img.i_plane = 2;
	t = now_s();
	for (int i = 0; i < frames; i++) {
		struct lumen_frame f;
		int n;

		window_at(canvas, cfg->width, cfg->height, i, &f);
		for (int k = 0; k < 2; k++) {
			pic.img.plane[k] = f.data[k];
			pic.img.i_stride[k] = (int)f.stride[k];
		}
		pic.i_pts = i;
		n = x264_encoder_encode(h, &nal, &nnal, &pic, &out);
		if (n > 0)
			bytes += n;
	}
	t = (now_s() - t) / frames;
	x264_encoder_close(h);
	*kbytes = bytes / 1000.0;
	return t;
}

static void bench_h264(const struct lumen_frame *canvas, int w, int h,
		       int kbps, int frames)
{
	struct lumen_encoder_config cfg;
	double kb_l = 0, kb_d = 0, tl, td;

	cfg_for(&cfg, w, h, kbps);
	/* two alternating rounds, best of each: neither side pays the cold
	 * caches and first page faults alone */
	tl = h264_lumen(canvas, &cfg, frames, &kb_l);
	td = h264_direct(canvas, &cfg, frames, &kb_d);
	for (int round = 0; round < 1 && tl > 0 && td > 0; round++) {
		double a = h264_lumen(canvas, &cfg, frames, &kb_l);
		double b = h264_direct(canvas, &cfg, frames, &kb_d);

		tl = a > 0 && a < tl ? a : tl;
		td = b > 0 && b < td ? b : td;
	}
	if (tl < 0 || td < 0) {
		printf("h264_%dx%d: failed\n", w, h);
		return;
	}
	printf("h264_%dx%d_lumen: %.2f ms/frame (%.1f fps, %.0f kB)\n", w, h,
	       tl * 1e3, 1.0 / tl, kb_l);
	printf("h264_%dx%d_x264_direct: %.2f ms/frame (%.1f fps, %.0f kB)\n", w,
	       h, td * 1e3, 1.0 / td, kb_d);
	printf("h264_%dx%d_lumen_vs_direct: %.3f x time\n", w, h, tl / td);
}

static void bench_jpeg(const struct lumen_frame *canvas, int w, int h, int runs)
{
	struct lumen_encoder_config cfg;
	struct lumen_encoder *enc;
	struct lumen_stream_ring ring;
	struct lumen_stream_buf *b;
	struct lumen_frame f;
	tjhandle tj = tjInitCompress();
	unsigned char *rgb = malloc((size_t)w * (size_t)h * 3), *jpg = NULL;
	unsigned long jsize = 0;
	double best_l = 1e30, best_t = 1e30;
	uint64_t next = 1;
	char err[256];

	cfg_for(&cfg, w, h, 0);
	cfg.quality = 85;
	if (!rgb || !tj ||
	    lumen_encoder_create(&enc, &lumen_encoder_jpeg, &cfg, err, sizeof(err)) ||
	    lumen_stream_ring_init(&ring, 2,
			lumen_encoder_au_capacity(&lumen_encoder_jpeg, &cfg))) {
		printf("jpeg: setup failed\n");
		exit(1);
	}
	window_at(canvas, w, h, 0, &f);
	for (int y = 0; y < h; y++)	/* the same picture in RGB (JFIF) */
		for (int x = 0; x < w; x++) {
			const uint8_t *uv = f.data[1] + (size_t)(y / 2) * f.stride[1] +
					    (size_t)(x & ~1);
			double Y = f.data[0][(size_t)y * f.stride[0] + (size_t)x];
			double cb = uv[0] - 128.0, cr = uv[1] - 128.0;
			double c[3] = { Y + 1.402 * cr, Y - 0.344136 * cb - 0.714136 * cr,
					Y + 1.772 * cb };
			unsigned char *px = rgb + ((size_t)y * (size_t)w + (size_t)x) * 3;

			for (int k = 0; k < 3; k++)
				px[k] = (unsigned char)(c[k] < 0 ? 0 : c[k] > 255 ? 255 : c[k] + 0.5);
		}
	for (int i = 0; i < runs; i++) {
		double t = now_s();

		if (lumen_encoder_encode(enc, &f, &ring) == 0) {
			t = now_s() - t;
			best_l = t < best_l ? t : best_l;
			if (!lumen_stream_acquire(&ring, &next, 0, &b))
				lumen_stream_release(&ring, b);
		}
		t = now_s();
		if (tjCompress2(tj, rgb, w, 0, h, TJPF_RGB, &jpg, &jsize,
				TJSAMP_420, 85, 0) == 0) {
			t = now_s() - t;
			best_t = t < best_t ? t : best_t;
		}
	}
	printf("jpeg_%dx%d_lumen_nv12: %.2f ms\n", w, h, best_l * 1e3);
	printf("jpeg_%dx%d_tjCompress2_rgb: %.2f ms\n", w, h, best_t * 1e3);
	printf("jpeg_%dx%d_lumen_vs_rgb: %.3f x time\n", w, h, best_l / best_t);
	tjFree(jpg);
	tjDestroy(tj);
	free(rgb);
	lumen_stream_ring_destroy(&ring);
	lumen_encoder_destroy(enc);
}

static double scale_best(struct lumen_scaler *s, const struct lumen_frame *src,
			 struct lumen_frame *dst, int runs)
{
	double best = 1e30;

	lumen_scaler_run(s, src, dst);
	for (int i = 0; i < runs; i++) {
		double t = now_s();

		lumen_scaler_run(s, src, dst);
		t = now_s() - t;
		best = t < best ? t : best;
	}
	return best;
}

static void bench_scale(const struct lumen_frame *canvas, int sw, int sh,
			int dw, int dh, enum lumen_scale_filter filt, int runs)
{
	static const struct { const char *name; unsigned mask; } levels[] = {
		{ "c", 0 }, { "avx2", LUMEN_CPU_AVX2 }, { "neon", LUMEN_CPU_NEON },
	};
	struct lumen_scaler_config cfg = {
		.src_fmt = LUMEN_PIX_NV12, .dst_fmt = LUMEN_PIX_NV12,
		.src_width = sw, .src_height = sh, .dst_width = dw, .dst_height = dh,
		.filter = filt,
	};
	struct lumen_scaler *s;
	struct lumen_frame src, dst;
	unsigned all = lumen_cpu_flags();
	double mpix = (double)sw * sh * 1e-6, c_time = 0;
	char err[256];

	if (lumen_scaler_create(&s, &cfg, err, sizeof(err)) ||
	    lumen_frame_alloc(&dst, LUMEN_PIX_NV12, dw, dh)) {
		printf("scale: %s\n", err);
		exit(1);
	}
	window_at(canvas, sw, sh, 0, &src);
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		struct lumen_scale_dsp d, c;
		double t;

		if (levels[l].mask && !(all & levels[l].mask))
			continue;
		lumen_cpu_set_mask(0);
		lumen_scale_dsp_init(&c);
		lumen_cpu_set_mask(levels[l].mask);
		lumen_scale_dsp_init(&d);
		if (levels[l].mask && d.v == c.v && d.h == c.h)
			continue;	/* no kernel built for this level */
		t = scale_best(s, &src, &dst, runs);
		if (!levels[l].mask)
			c_time = t;
		printf("scale_%dx%d_to_%dx%d_%s_%s: %.0f Mpix/s (%.2f ms)\n", sw,
		       sh, dw, dh, lumen_scale_filter_name(filt), levels[l].name,
		       mpix / t, t * 1e3);
		if (levels[l].mask)
			printf("scale_%s_%s_vs_c: %.2f x\n",
			       lumen_scale_filter_name(filt), levels[l].name, c_time / t);
	}
	lumen_cpu_set_mask(all);
#ifdef LUMEN_HAVE_SWSCALE
	if (filt == LUMEN_SCALE_AREA) {
		struct SwsContext *sws = sws_getContext(sw, sh, AV_PIX_FMT_NV12,
			dw, dh, AV_PIX_FMT_NV12, SWS_AREA, NULL, NULL, NULL);
		const uint8_t *sp[4] = { src.data[0], src.data[1], NULL, NULL };
		int ss[4] = { (int)src.stride[0], (int)src.stride[1], 0, 0 };
		uint8_t *dp[4] = { dst.data[0], dst.data[1], NULL, NULL };
		int ds[4] = { (int)dst.stride[0], (int)dst.stride[1], 0, 0 };
		double best = 1e30;

		if (sws) {
			sws_scale(sws, sp, ss, 0, sh, dp, ds);
			for (int i = 0; i < runs; i++) {
				double t = now_s();

				sws_scale(sws, sp, ss, 0, sh, dp, ds);
				t = now_s() - t;
				best = t < best ? t : best;
			}
			printf("scale_%dx%d_to_%dx%d_swscale_area: %.0f Mpix/s (%.2f ms)\n",
			       sw, sh, dw, dh, mpix / best, best * 1e3);
			sws_freeContext(sws);
		}
	}
#else
	if (filt == LUMEN_SCALE_AREA)
		printf("scale_swscale: skipped (built without libswscale)\n");
#endif
	lumen_frame_free(&dst);
	lumen_scaler_destroy(s);
}

int main(int argc, char **argv)
{
	int quick = argc > 1 && !strcmp(argv[1], "--quick");
	struct lumen_frame canvas;

	canvas_make(&canvas, 2560, 1440);
	bench_scale(&canvas, 2560, 1440, 640, 360, LUMEN_SCALE_AREA, quick ? 3 : 10);
	bench_scale(&canvas, 2560, 1440, 640, 360, LUMEN_SCALE_BILINEAR, quick ? 3 : 10);
	bench_scale(&canvas, 1920, 1080, 640, 360, LUMEN_SCALE_AREA, quick ? 3 : 10);
	bench_jpeg(&canvas, 2560, 1440, quick ? 2 : 6);
	bench_h264(&canvas, 640, 360, 1000, quick ? 20 : 90);
	bench_h264(&canvas, 2560, 1440, 4000, quick ? 6 : 30);
	lumen_frame_free(&canvas);
	return 0;
}

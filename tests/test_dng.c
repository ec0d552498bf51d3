// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DNG reader/writer and lossless JPEG decoder tests. Files with features
 * the writer does not produce (crop tags, lossless JPEG tiles, other
 * compressions) are built here with libtiff and the test-only encoder.
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <tiffio.h>

#include "core/frame.h"
#include "core/pack.h"
#include "io/develop_input.h"
#include "io/dng.h"
#include "io/ljpeg.h"
#include "dng_build.h"
#include "ljpeg_enc.h"
#include "testutil.h"

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	return p;
}

static uint8_t *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A smooth-ish pattern with some noise, below 2^bits. */
static uint16_t sample(int x, int y, int bits, unsigned *seed)
{
	unsigned max = (1u << bits) - 1;
	unsigned v = (unsigned)(x * 37 + y * 23) % (max / 2 + 1) + lumen_test_rand(seed) % (max / 4 + 1);

	return (uint16_t)(v > max ? max : v);
}

/* ---- lossless JPEG on its own ---- */

static void ljpeg_all_predictors_components_restarts(void **state)
{
	unsigned seed = 12345;

	(void)state;
	for (int nc = 1; nc <= 4; nc++) {
		for (int pred = 1; pred <= 7; pred++) {
			for (int rs = 0; rs < 3; rs++) {
				int w = 13, h = 9, bits = pred == 3 ? 16 : 12, pt = pred == 5 ? 2 : 0;
				/* none, every row, every third row */
				int restart = rs == 0 ? 0 : rs == 1 ? w : 3 * w;
				size_t n = (size_t)w * h * nc, len;
				uint16_t *in = malloc(n * sizeof(*in));
				struct lumen_ljpeg j;
				char err[160];
				uint8_t *enc;

				for (size_t i = 0; i < n; i++)
					in[i] = (uint16_t)(sample((int)i % (w * nc), (int)i / (w * nc), bits, &seed)
							   >> pt << pt);
				if (bits == 16)	/* the extreme differences too */
					in[5] = 65535, in[6] = 0, in[7] = 32768;
				enc = test_ljpeg_encode(in, w, h, nc, bits, pred, restart, pt, &len);
				assert_non_null(enc);
				assert_int_equal(lumen_ljpeg_decode(enc, len, n, &j, err, sizeof(err)), 0);
				assert_int_equal(j.width, w);
				assert_int_equal(j.height, h);
				assert_int_equal(j.ncomp, nc);
				assert_int_equal(j.predictor, pred);
				assert_memory_equal(j.samples, in, n * sizeof(*in));
				free(j.samples);

				/* every truncation fails cleanly, never reads past */
				for (size_t cut = 0; cut < len; cut += 1 + len / 64) {
					uint8_t *part = malloc(cut ? cut : 1);

					memcpy(part, enc, cut);
					int ret = lumen_ljpeg_decode(part, cut, n, &j, err, sizeof(err));

					if (ret == 0)
						free(j.samples);
					else
						assert_true(err[0] != 0);
					free(part);
				}
				/* too many samples for the caller */
				assert_int_equal(lumen_ljpeg_decode(enc, len, n - 1, &j, err, sizeof(err)), -E2BIG);
				free(enc);
				free(in);
			}
		}
	}
}

static void ljpeg_refuses_other_processes(void **state)
{
	uint16_t in[16] = { 1, 2, 3, 4 };
	struct lumen_ljpeg j;
	char err[160];
	size_t len;
	uint8_t *enc = test_ljpeg_encode(in, 4, 4, 1, 8, 1, 0, 0, &len);

	(void)state;
	for (size_t i = 0; i + 1 < len; i++)
		if (enc[i] == 0xff && enc[i + 1] == 0xc3)
			enc[i + 1] = 0xc0;	/* baseline DCT */
	assert_int_equal(lumen_ljpeg_decode(enc, len, 16, &j, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "SOF0"));
	free(enc);
}

/* ---- DNG files built with libtiff ---- */

struct spec {
	int w, h, bps;
	uint8_t cfa[4];
	uint16_t cfa_dim[2];
	uint16_t compression;
	int tile_w, tile_h;	/* 0: strips */
	int rows_per_strip;
	int nc, predictor, restart;	/* lossless JPEG */
	bool active;
	uint32_t active_area[4];
	bool crop;
	float crop_origin[2], crop_size[2];
	uint16_t black_dim[2];
	int nblack;
	float black[16];
	int ndelta_h;
	float delta_h[64];
	int nlin;
	const uint16_t *lin;
	uint32_t white;
	bool no_dng_version;
};

static void spec_default(struct spec *s, int w, int h, int bps)
{
	memset(s, 0, sizeof(*s));
	s->w = w;
	s->h = h;
	s->bps = bps;
	s->cfa[0] = 0; s->cfa[1] = 1; s->cfa[2] = 1; s->cfa[3] = 2;	/* RGGB */
	s->cfa_dim[0] = s->cfa_dim[1] = 2;
	s->compression = COMPRESSION_NONE;
	s->rows_per_strip = h;
	s->nc = 1;
	s->predictor = 1;
}

/* Packs @n samples MSB-first at @bps bits (16: file byte order). */
static size_t pack_row(const uint16_t *src, int n, int bps, bool be, uint8_t *dst)
{
	size_t k = 0;
	uint32_t acc = 0;
	int have = 0;

	if (bps == 16) {
		for (int i = 0; i < n; i++) {
			dst[k++] = (uint8_t)(be ? src[i] >> 8 : src[i]);
			dst[k++] = (uint8_t)(be ? src[i] : src[i] >> 8);
		}
		return k;
	}
	for (int i = 0; i < n; i++) {
		acc = acc << bps | src[i];
		have += bps;
		while (have >= 8) {
			dst[k++] = (uint8_t)(acc >> (have - 8));
			have -= 8;
		}
	}
	if (have)
		dst[k++] = (uint8_t)(acc << (8 - have));
	return k;
}

/* Block (tile or strip) @bw x @bh at (@bx, @by) of @img, edge-replicated. */
static void gather(const struct spec *s, const uint16_t *img, int bx, int by, int bw, int bh,
		   uint16_t *dst)
{
	for (int y = 0; y < bh; y++)
		for (int x = 0; x < bw; x++) {
			int sx = bx + x < s->w ? bx + x : s->w - 1;
			int sy = by + y < s->h ? by + y : s->h - 1;

			dst[y * bw + x] = img[sy * s->w + sx];
		}
}

static void write_block(TIFF *t, const struct spec *s, const uint16_t *img, uint32_t idx,
			int bx, int by, int bw, int bh)
{
	uint16_t *blk = malloc((size_t)bw * bh * sizeof(*blk));
	uint8_t *data;
	size_t len = 0;

	gather(s, img, bx, by, bw, bh, blk);
	if (s->compression == 7) {
		data = test_ljpeg_encode(blk, bw / s->nc, bh, s->nc, s->bps, s->predictor,
					 s->restart, 0, &len);
	} else {
		data = malloc((size_t)bw * bh * 2 + 16);
		for (int y = 0; y < bh; y++)
			len += pack_row(blk + y * bw, bw, s->bps, TIFFIsBigEndian(t), data + len);
	}
	assert_non_null(data);
	if (s->tile_w)
		assert_true(TIFFWriteRawTile(t, idx, data, (tmsize_t)len) > 0);
	else
		assert_true(TIFFWriteRawStrip(t, idx, data, (tmsize_t)len) > 0);
	free(data);
	free(blk);
}

static void build_dng(const char *path, const struct spec *s, const uint16_t *img)
{
	static const uint8_t ver[4] = { 1, 4, 0, 0 };
	static const float cm[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
	TIFF *t = TIFFOpen(path, "w");

	assert_non_null(t);
	TIFFSetField(t, TIFFTAG_SUBFILETYPE, 0);
	TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)s->w);
	TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)s->h);
	TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, s->bps);
	TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
	TIFFSetField(t, TIFFTAG_COMPRESSION, s->compression);
	TIFFSetField(t, TIFFTAG_PHOTOMETRIC, 32803);
	TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(t, TIFFTAG_MAKE, "Test");
	TIFFSetField(t, TIFFTAG_MODEL, "Built");
	if (!s->no_dng_version)
		TIFFSetField(t, TIFFTAG_DNGVERSION, ver);
	TIFFSetField(t, TIFFTAG_CFAREPEATPATTERNDIM, s->cfa_dim);
	TIFFSetField(t, TIFFTAG_CFAPATTERN, 4, s->cfa);
	TIFFSetField(t, TIFFTAG_COLORMATRIX1, 9, cm);
	if (s->active)
		TIFFSetField(t, TIFFTAG_ACTIVEAREA, s->active_area);
	if (s->crop) {
		TIFFSetField(t, TIFFTAG_DEFAULTCROPORIGIN, s->crop_origin);
		TIFFSetField(t, TIFFTAG_DEFAULTCROPSIZE, s->crop_size);
	}
	if (s->nblack) {
		TIFFSetField(t, TIFFTAG_BLACKLEVELREPEATDIM, s->black_dim);
		TIFFSetField(t, TIFFTAG_BLACKLEVEL, s->nblack, s->black);
	}
	if (s->ndelta_h)
		TIFFSetField(t, TIFFTAG_BLACKLEVELDELTAH, s->ndelta_h, s->delta_h);
	if (s->nlin)
		TIFFSetField(t, TIFFTAG_LINEARIZATIONTABLE, s->nlin, s->lin);
	if (s->white)
		TIFFSetField(t, TIFFTAG_WHITELEVEL, 1, &s->white);

	if (s->tile_w) {
		TIFFSetField(t, TIFFTAG_TILEWIDTH, (uint32_t)s->tile_w);
		TIFFSetField(t, TIFFTAG_TILELENGTH, (uint32_t)s->tile_h);
		int across = (s->w + s->tile_w - 1) / s->tile_w;
		int down = (s->h + s->tile_h - 1) / s->tile_h;

		for (int i = 0; i < across * down; i++)
			write_block(t, s, img, (uint32_t)i, i % across * s->tile_w,
				    i / across * s->tile_h, s->tile_w, s->tile_h);
	} else {
		TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, (uint32_t)s->rows_per_strip);
		for (int i = 0; i * s->rows_per_strip < s->h; i++) {
			int rows = s->h - i * s->rows_per_strip;

			if (rows > s->rows_per_strip)
				rows = s->rows_per_strip;
			write_block(t, s, img, (uint32_t)i, 0, i * s->rows_per_strip, s->w, rows);
		}
	}
	assert_true(TIFFWriteDirectory(t));
	TIFFClose(t);
}

static uint16_t *make_image(int w, int h, int bits, unsigned seed)
{
	uint16_t *img = malloc((size_t)w * h * sizeof(*img));

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			img[y * w + x] = sample(x, y, bits, &seed);
	return img;
}

static void expect_window(const struct lumen_raw_image *r, const uint16_t *img, int w,
			  int x0, int y0)
{
	for (int y = 0; y < r->frame.height; y++)
		for (int x = 0; x < r->frame.width; x++)
			if (lumen_frame_raw_at(&r->frame, x, y) != img[(y0 + y) * w + x0 + x])
				fail_msg("pixel (%d,%d): %u, want %u", x, y,
					 lumen_frame_raw_at(&r->frame, x, y), img[(y0 + y) * w + x0 + x]);
}

/* ---- round trips through lumen_dng_write ---- */

static void write_read_round_trip(void **state)
{
	static const enum lumen_pixfmt fmts[] = { LUMEN_PIX_BAYER8, LUMEN_PIX_BAYER10P,
						  LUMEN_PIX_BAYER12P, LUMEN_PIX_BAYER16 };
	static const int fmt_bits[] = { 8, 10, 12, 16 };
	unsigned seed = 99;

	(void)state;
	for (int o = 0; o < 4; o++) {
		for (int k = 0; k < 4; k++) {
			struct lumen_frame f, f16;
			struct lumen_raw_image r;
			struct lumen_dng_write_meta meta = {
				.make = "Lumen", .model = "RoundTrip", .has_color_matrix = true,
				.color_matrix = { { 0.9f, -0.2f, -0.1f }, { -0.3f, 1.2f, 0.1f }, { 0, 0.1f, 0.6f } },
				.calibration_illuminant = 17, .has_as_shot_neutral = true,
				.as_shot_neutral = { 0.45f, 1.0f, 0.7f },
				.has_noise_profile = true,
				.noise_profile = { 1.5e-3, 2.5e-6 },
			};
			char err[256];
			int bits = fmt_bits[k];
			uint16_t *ref = make_image(16, 10, bits, seed++);

			assert_int_equal(lumen_frame_alloc(&f16, LUMEN_PIX_BAYER16, 16, 10), 0);
			for (int y = 0; y < 10; y++)
				memcpy(f16.data[0] + y * f16.stride[0], ref + y * 16, 32);
			if (fmts[k] == LUMEN_PIX_BAYER16) {
				f = f16;
			} else {
				assert_int_equal(lumen_frame_alloc(&f, fmts[k], 16, 10), 0);
				for (int y = 0; y < 10; y++) {
					uint8_t *d = f.data[0] + y * f.stride[0];

					if (fmts[k] == LUMEN_PIX_BAYER8)
						for (int x = 0; x < 16; x++)
							d[x] = (uint8_t)ref[y * 16 + x];
					else if (fmts[k] == LUMEN_PIX_BAYER10P)
						lumen_pack_raw10(ref + y * 16, d, 16);
					else
						lumen_pack_raw12(ref + y * 16, d, 16);
				}
			}
			f.bayer = (enum lumen_bayer)o;
			f.bits = bits;
			f.white = (uint16_t)((1u << bits) - 1);
			for (int i = 0; i < 4; i++)
				f.black[i] = (uint16_t)((1u << (bits - 4)) + i * 3 + o);

			assert_int_equal(lumen_dng_write(tmp_path("rt.dng"), &f, &meta, err, sizeof(err)), 0);
			assert_int_equal(lumen_dng_read(tmp_path("rt.dng"), &r, err, sizeof(err)), 0);
			assert_int_equal(r.frame.fmt, LUMEN_PIX_BAYER16);
			assert_int_equal(r.frame.width, 16);
			assert_int_equal(r.frame.height, 10);
			assert_int_equal(r.frame.bayer, o);
			assert_int_equal(r.frame.white, f.white);
			assert_int_equal(r.frame.bits, bits);
			for (int i = 0; i < 4; i++)
				assert_int_equal(r.frame.black[i], f.black[i]);
			expect_window(&r, ref, 16, 0, 0);
			assert_string_equal(r.make, "Lumen");
			assert_string_equal(r.model, "RoundTrip");
			assert_string_equal(r.unique_camera_model, "Lumen RoundTrip");
			assert_int_equal(r.n_color_matrices, 1);
			assert_int_equal(r.calibration_illuminant[0], 17);
			assert_true(r.color_matrix[0][0][1] > -0.2001f && r.color_matrix[0][0][1] < -0.1999f);
			assert_true(r.color_matrix[0][2][2] > 0.5999f && r.color_matrix[0][2][2] < 0.6001f);
			assert_true(r.has_as_shot_neutral);
			assert_true(r.as_shot_neutral[0] > 0.4499f && r.as_shot_neutral[0] < 0.4501f);
			assert_true(r.has_noise_profile);
			assert_true(r.noise_profile[0] == 1.5e-3 && r.noise_profile[1] == 2.5e-6);
			assert_int_equal(r.n_forward_matrices, 0);
			lumen_raw_image_free(&r);
			if (fmts[k] != LUMEN_PIX_BAYER16)
				lumen_frame_free(&f);
			lumen_frame_free(&f16);
			free(ref);
		}
	}
}

static void write_failure_leaves_nothing(void **state)
{
	struct lumen_frame f;
	char err[256];
	DIR *d;
	struct dirent *e;

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_RGB24, 8, 8), 0);
	assert_int_equal(lumen_dng_write(tmp_path("bad.dng"), &f, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad.dng"));
	lumen_frame_free(&f);
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, 8, 8), 0);
	memset(f.data[0], 0, f.stride[0] * 8);
	f.black[2] = 2000;
	f.white = 1000;
	assert_int_equal(lumen_dng_write(tmp_path("bad.dng"), &f, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "black level"));
	f.black[2] = 0;
	assert_true(lumen_dng_write("/nonexistent-dir/x.dng", &f, NULL, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "/nonexistent-dir/x.dng"));
	lumen_frame_free(&f);
	assert_int_equal(access(tmp_path("bad.dng"), F_OK), -1);
	d = opendir(tmpdir);
	assert_non_null(d);
	while ((e = readdir(d)))
		assert_null(strstr(e->d_name, ".bad.dng."));
	closedir(d);
}

/* ---- tags the writer does not produce ---- */

static void crop_tags_and_phase(void **state)
{
	struct spec s;
	struct lumen_raw_image r;
	char err[256];
	uint16_t *img = make_image(20, 16, 12, 5);

	(void)state;
	spec_default(&s, 20, 16, 12);
	s.active = true;	/* top, left, bottom, right */
	s.active_area[0] = 2; s.active_area[1] = 1; s.active_area[2] = 16; s.active_area[3] = 19;
	s.crop = true;		/* x, y / w, h inside the active area */
	s.crop_origin[0] = 3; s.crop_origin[1] = 1;
	s.crop_size[0] = 12; s.crop_size[1] = 10;
	s.black_dim[0] = s.black_dim[1] = 2;
	s.nblack = 4;
	s.black[0] = 10; s.black[1] = 11; s.black[2] = 12; s.black[3] = 13;
	s.white = 4000;
	s.rows_per_strip = 5;
	build_dng(tmp_path("crop.dng"), &s, img);
	assert_int_equal(lumen_dng_read(tmp_path("crop.dng"), &r, err, sizeof(err)), 0);
	assert_int_equal(r.frame.width, 12);
	assert_int_equal(r.frame.height, 10);
	assert_int_equal(r.crop_x, 4);
	assert_int_equal(r.crop_y, 3);
	/* CFA and black patterns start at the active area; crop (3, 1) */
	assert_int_equal(r.frame.bayer, LUMEN_BAYER_BGGR);
	assert_int_equal(r.frame.black[0], 13);
	assert_int_equal(r.frame.black[1], 12);
	assert_int_equal(r.frame.black[2], 11);
	assert_int_equal(r.frame.black[3], 10);
	assert_int_equal(r.frame.white, 4000);
	expect_window(&r, img, 20, 4, 3);
	lumen_raw_image_free(&r);

	/* crop size larger than the area is clamped, odd sizes kept */
	s.crop_origin[0] = 0; s.crop_origin[1] = 0;
	s.crop_size[0] = 100; s.crop_size[1] = 7;
	build_dng(tmp_path("crop2.dng"), &s, img);
	assert_int_equal(lumen_dng_read(tmp_path("crop2.dng"), &r, err, sizeof(err)), 0);
	assert_int_equal(r.frame.width, 18);
	assert_int_equal(r.frame.height, 7);
	assert_int_equal(r.frame.bayer, LUMEN_BAYER_RGGB);
	expect_window(&r, img, 20, 1, 2);
	lumen_raw_image_free(&r);
	free(img);
}

static void linearization_and_black_deltas(void **state)
{
	struct spec s;
	struct lumen_raw_image r;
	char err[256];
	uint16_t lin[256];
	uint16_t *img = make_image(8, 6, 8, 9);

	(void)state;
	for (int i = 0; i < 256; i++)
		lin[i] = (uint16_t)(i * i / 16);	/* up to 4064 */
	spec_default(&s, 8, 6, 8);
	s.nlin = 256;
	s.lin = lin;
	s.white = 4064;
	s.black_dim[0] = s.black_dim[1] = 1;
	s.nblack = 1;
	s.black[0] = 4;
	s.ndelta_h = 8;
	for (int i = 0; i < 8; i++)
		s.delta_h[i] = (float)i;
	build_dng(tmp_path("lin.dng"), &s, img);
	assert_int_equal(lumen_dng_read(tmp_path("lin.dng"), &r, err, sizeof(err)), 0);
	assert_int_equal(r.frame.bits, 12);
	assert_int_equal(r.frame.white, 4064);
	/* per-column deltas are baked in; the cell black is the minimum */
	assert_int_equal(r.frame.black[0], 4);
	assert_int_equal(r.frame.black[1], 5);
	for (int y = 0; y < 6; y++)
		for (int x = 0; x < 8; x++) {
			int want = lin[img[y * 8 + x]] - (x - (x & 1));

			assert_int_equal(lumen_frame_raw_at(&r.frame, x, y), want < 0 ? 0 : want);
		}
	lumen_raw_image_free(&r);
	free(img);
}

static void packed_depths_uncompressed(void **state)
{
	(void)state;
	for (int bps = 8; bps <= 16; bps++) {
		struct spec s;
		struct lumen_raw_image r;
		char err[256];
		uint16_t *img = make_image(13, 7, bps, (unsigned)bps);

		spec_default(&s, 13, 7, bps);	/* odd width: rows end mid-byte */
		s.rows_per_strip = 3;
		build_dng(tmp_path("packed.dng"), &s, img);
		assert_int_equal(lumen_dng_read(tmp_path("packed.dng"), &r, err, sizeof(err)), 0);
		assert_int_equal(r.frame.bits, bps);
		expect_window(&r, img, 13, 0, 0);
		lumen_raw_image_free(&r);

		/* and tiled */
		s.tile_w = 16;
		s.tile_h = 16;
		build_dng(tmp_path("packed_t.dng"), &s, img);
		assert_int_equal(lumen_dng_read(tmp_path("packed_t.dng"), &r, err, sizeof(err)), 0);
		expect_window(&r, img, 13, 0, 0);
		lumen_raw_image_free(&r);
		free(img);
	}
}

static void lossless_jpeg_dng(void **state)
{
	static const struct {
		int tile_w, tile_h, rows_per_strip, nc, predictor, restart;
	} cases[] = {
		{ 16, 16, 0, 1, 1, 0 },		/* tiles, 1 component, predictor 1 */
		{ 16, 16, 0, 2, 6, 8 },		/* 2 components half width, restarts */
		{ 32, 16, 0, 2, 1, 16 },
		{ 0, 0, 7, 1, 7, 3 * 40 },	/* strips, last one short */
		{ 0, 0, 10, 2, 4, 20 },
		{ 16, 16, 0, 4, 5, 4 },
	};

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct spec s;
		struct lumen_raw_image r;
		char err[256];
		uint16_t *img = make_image(40, 30, 14, (unsigned)k + 1);
		uint8_t *buf;
		size_t len;

		spec_default(&s, 40, 30, 14);
		s.compression = 7;
		s.tile_w = cases[k].tile_w;
		s.tile_h = cases[k].tile_h;
		s.rows_per_strip = cases[k].rows_per_strip ? cases[k].rows_per_strip : 30;
		s.nc = cases[k].nc;
		s.predictor = cases[k].predictor;
		s.restart = cases[k].restart;
		s.cfa[0] = 1; s.cfa[1] = 2; s.cfa[2] = 0; s.cfa[3] = 1;	/* GBRG */
		build_dng(tmp_path("lj.dng"), &s, img);
		assert_int_equal(lumen_dng_read(tmp_path("lj.dng"), &r, err, sizeof(err)), 0);
		assert_int_equal(r.frame.width, 40);
		assert_int_equal(r.frame.height, 30);
		assert_int_equal(r.frame.bayer, LUMEN_BAYER_GBRG);
		assert_int_equal(r.frame.bits, 14);
		expect_window(&r, img, 40, 0, 0);
		lumen_raw_image_free(&r);

		/* random damage: errors with a message, never a crash */
		buf = load(tmp_path("lj.dng"), &len);
		unsigned seed = 77 + (unsigned)k;

		for (int it = 0; it < 300; it++) {
			uint8_t *bad = malloc(len);

			memcpy(bad, buf, len);
			for (int f = 0; f < 1 + it % 4; f++)
				bad[lumen_test_rand(&seed) % len] = (uint8_t)lumen_test_rand(&seed);
			if (lumen_dng_read_mem(bad, len, "damaged", &r, err, sizeof(err)) == 0)
				lumen_raw_image_free(&r);
			else
				assert_non_null(strstr(err, "damaged: "));
			free(bad);
		}
		free(buf);
		free(img);
	}
}

/* ---- hostile files ---- */

/* Finds IFD0 entry @tag of a little-endian file; returns its offset. */
static size_t find_entry(uint8_t *b, size_t len, uint16_t tag)
{
	uint32_t ifd;
	unsigned n;

	assert_true(len > 8 && b[0] == 'I' && b[1] == 'I');
	ifd = (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
	assert_true(ifd + 2 < len);
	n = b[ifd] | b[ifd + 1] << 8;
	for (unsigned i = 0; i < n; i++) {
		size_t e = ifd + 2 + 12 * i;

		if ((b[e] | b[e + 1] << 8) == tag)
			return e;
	}
	fail_msg("tag %u not found", tag);
	return 0;
}

static void patch_value(uint8_t *b, size_t len, uint16_t tag, uint32_t v)
{
	size_t e = find_entry(b, len, tag);
	unsigned type = b[e + 2] | b[e + 3] << 8;

	if (type == TIFF_SHORT) {
		assert_true(v <= 0xffff);
		b[e + 8] = (uint8_t)v;
		b[e + 9] = (uint8_t)(v >> 8);
	} else {
		for (int i = 0; i < 4; i++)
			b[e + 8 + i] = (uint8_t)(v >> (8 * i));
	}
}

static void expect_refused(const uint8_t *b, size_t len, int want, const char *needle)
{
	struct lumen_raw_image r;
	char err[256] = "";
	int ret = lumen_dng_read_mem(b, len, "hostile.dng", &r, err, sizeof(err));

	if (ret == 0)
		fail_msg("accepted, wanted %d (%s)", want, needle);
	if (want)
		assert_int_equal(ret, want);
	assert_non_null(strstr(err, "hostile.dng: "));
	if (needle && !strstr(err, needle))
		fail_msg("message '%s' lacks '%s'", err, needle);
	assert_null(r.buffer);
}

static void hostile_files_refused(void **state)
{
	struct lumen_frame f;
	struct lumen_raw_image r;
	struct spec s;
	char err[256];
	uint8_t *good, *b;
	size_t len, blen;
	unsigned seed = 4242;
	uint16_t *img = make_image(16, 10, 12, 1);

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, 16, 10), 0);
	for (int y = 0; y < 10; y++)
		memcpy(f.data[0] + y * f.stride[0], img + y * 16, 32);
	f.bits = 12;
	f.white = 4095;
	assert_int_equal(lumen_dng_write(tmp_path("h.dng"), &f, NULL, err, sizeof(err)), 0);
	lumen_frame_free(&f);
	good = load(tmp_path("h.dng"), &len);
	assert_int_equal(lumen_dng_read_mem(good, len, "ok", &r, err, sizeof(err)), 0);
	lumen_raw_image_free(&r);

	/* every truncation */
	for (size_t cut = 0; cut < len; cut++) {
		b = malloc(cut ? cut : 1);
		memcpy(b, good, cut);
		if (lumen_dng_read_mem(b, cut, "hostile.dng", &r, err, sizeof(err)) == 0)
			lumen_raw_image_free(&r);	/* trailing bytes may be unused */
		else
			assert_non_null(strstr(err, "hostile.dng: "));
		free(b);
	}
	expect_refused(good, len / 2, -EINVAL, NULL);
	expect_refused(good, 4, -EINVAL, "too short");

	b = malloc(len);
	memcpy(b, good, len);
	patch_value(b, len, TIFFTAG_STRIPOFFSETS, 0xfffff000u);
	expect_refused(b, len, -EINVAL, "outside");
	memcpy(b, good, len);
	patch_value(b, len, TIFFTAG_STRIPOFFSETS, (uint32_t)len - 10);
	expect_refused(b, len, -EINVAL, NULL);
	memcpy(b, good, len);
	patch_value(b, len, TIFFTAG_IMAGEWIDTH, 40000);
	expect_refused(b, len, -EINVAL, NULL);
	memcpy(b, good, len);
	patch_value(b, len, TIFFTAG_IMAGEWIDTH, 30000);
	patch_value(b, len, TIFFTAG_IMAGELENGTH, 30000);
	expect_refused(b, len, -EINVAL, NULL);
	memcpy(b, good, len);
	patch_value(b, len, TIFFTAG_BITSPERSAMPLE, 32);
	expect_refused(b, len, -ENOTSUP, "BitsPerSample");
	memcpy(b, good, len);
	patch_value(b, len, TIFFTAG_COMPRESSION, 34892);
	expect_refused(b, len, -ENOTSUP, "34892");
	memcpy(b, good, len);
	patch_value(b, len, TIFFTAG_PHOTOMETRIC, 34892);
	expect_refused(b, len, -ENOTSUP, "LinearRaw");
	memcpy(b, good, len);
	patch_value(b, len, TIFFTAG_CFAPATTERN, 0x02010000);	/* R R G B */
	expect_refused(b, len, -ENOTSUP, "Bayer");
	memcpy(b, good, len);
	patch_value(b, len, TIFFTAG_CFAREPEATPATTERNDIM, 0);
	expect_refused(b, len, 0, NULL);

	/* random damage */
	for (int it = 0; it < 3000; it++) {
		memcpy(b, good, len);
		for (int k = 0; k < 1 + it % 8; k++)
			b[lumen_test_rand(&seed) % len] = (uint8_t)lumen_test_rand(&seed);
		blen = it % 5 == 0 ? lumen_test_rand(&seed) % len : len;
		if (lumen_dng_read_mem(b, blen, "hostile.dng", &r, err, sizeof(err)) == 0)
			lumen_raw_image_free(&r);
		else
			assert_non_null(strstr(err, "hostile.dng: "));
	}
	free(b);
	free(good);

	/* compressions and layouts built with libtiff */
	spec_default(&s, 16, 10, 12);
	s.compression = COMPRESSION_ADOBE_DEFLATE;
	build_dng(tmp_path("deflate.dng"), &s, img);
	assert_int_equal(lumen_dng_read(tmp_path("deflate.dng"), &r, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "compression 8"));
	spec_default(&s, 16, 10, 12);
	s.cfa_dim[0] = 4;
	build_dng(tmp_path("cfa4.dng"), &s, img);
	assert_int_equal(lumen_dng_read(tmp_path("cfa4.dng"), &r, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "2x2"));
	spec_default(&s, 16, 10, 12);
	s.no_dng_version = true;
	build_dng(tmp_path("tiff.dng"), &s, img);
	assert_int_equal(lumen_dng_read(tmp_path("tiff.dng"), &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "DNGVersion"));
	spec_default(&s, 16, 10, 12);
	s.active = true;
	s.active_area[0] = 0; s.active_area[1] = 0; s.active_area[2] = 11; s.active_area[3] = 16;
	build_dng(tmp_path("aa.dng"), &s, img);
	assert_int_equal(lumen_dng_read(tmp_path("aa.dng"), &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ActiveArea"));
	spec_default(&s, 16, 10, 12);
	s.white = 100;
	s.nblack = 1;
	s.black_dim[0] = s.black_dim[1] = 1;
	s.black[0] = 200;
	build_dng(tmp_path("bw.dng"), &s, img);
	assert_int_equal(lumen_dng_read(tmp_path("bw.dng"), &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "WhiteLevel"));
	spec_default(&s, 16, 10, 8);
	s.tile_w = s.tile_h = 512;	/* far larger than the image */
	build_dng(tmp_path("bigtile.dng"), &s, img);
	assert_int_equal(lumen_dng_read(tmp_path("bigtile.dng"), &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "tile size"));
	assert_int_equal(lumen_dng_read(tmp_path("missing.dng"), &r, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "missing.dng"));
	free(img);
}

/* ---- hostile files built byte by byte: limits, shared data, tags ---- */

#define HB_DATA 16384	/* where hb_file() puts the samples */

/*
 * A w x h 16-bit uncompressed DNG, one strip per row at HB_DATA (or all at
 * HB_DATA when @shared), samples x + y, padded to @file_size.
 */
static uint8_t *hb_file(uint32_t w, uint32_t h, bool shared, const struct dng_entry *extra,
			int nextra, bool big, size_t file_size, size_t *len)
{
	uint64_t *off = calloc(h, sizeof(*off)), *cnt = calloc(h, sizeof(*cnt));
	struct dng_build b = { .width = w, .height = h, .rows_per_strip = 1, .nstrips = h,
			       .strip_off = off, .strip_len = cnt, .extra = extra,
			       .nextra = nextra, .bigtiff = big };
	size_t min = HB_DATA + (size_t)w * 2 * (shared ? 1 : h);
	uint8_t *buf;

	assert_non_null(off);
	assert_non_null(cnt);
	for (uint32_t y = 0; y < h; y++) {
		off[y] = HB_DATA + (shared ? 0 : (uint64_t)y * w * 2);
		cnt[y] = (uint64_t)w * 2;
	}
	buf = dng_build(&b, file_size > min ? file_size : min, len);
	assert_non_null(buf);
	for (uint32_t y = 0; y < (shared ? 1 : h); y++)
		for (uint32_t x = 0; x < w; x++) {
			buf[HB_DATA + ((size_t)y * w + x) * 2] = (uint8_t)(x + y);
			buf[HB_DATA + ((size_t)y * w + x) * 2 + 1] = (uint8_t)((x + y) >> 8);
		}
	free(off);
	free(cnt);
	return buf;
}

/* Reads @b within @lim; returns the errno and keeps the message in @err. */
static int hb_read(const uint8_t *b, size_t len, const struct lumen_input_limits *lim,
		   struct lumen_raw_image *r, char *err, size_t errlen)
{
	int ret = lumen_dng_read_mem_limits(b, len, "hostile.dng", lim, r, err, errlen);

	if (ret < 0) {
		assert_null(r->buffer);
		assert_non_null(strstr(err, "hostile.dng: "));
	}
	return ret;
}

static bool has_warning(const struct lumen_raw_image *r, const char *a, const char *b)
{
	for (int i = 0; i < r->n_warnings && i < LUMEN_RAW_MAX_WARNINGS; i++)
		if (strstr(r->warnings[i], a) && (!b || strstr(r->warnings[i], b)))
			return true;
	return false;
}

/* The tester's 8192x8192 file whose strips all point at one row, scaled
 * down: refused before the image is allocated, whatever the limits. */
static void shared_strips_refused(void **state)
{
	struct lumen_input_limits big = { .max_pixels = 1ull << 40, .max_memory = 1ull << 40 };
	struct lumen_raw_image r;
	char err[300];
	size_t len;
	uint8_t *b;

	(void)state;
	b = hb_file(1024, 1024, true, NULL, 0, false, 256 << 10, &len);
	assert_int_equal(hb_read(b, len, &big, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "distinct bytes"));
	free(b);
	/* the same image with its own rows is fine */
	b = hb_file(1024, 1024, false, NULL, 0, false, 0, &len);
	assert_int_equal(hb_read(b, len, &big, &r, err, sizeof(err)), 0);
	assert_int_equal(r.frame.width, 1024);
	assert_int_equal(lumen_frame_raw_at(&r.frame, 1000, 20), 1020);
	assert_int_equal(r.n_warnings, 0);
	lumen_raw_image_free(&r);
	free(b);
}

static void pixel_and_memory_limits(void **state)
{
	struct lumen_input_limits lim = { .max_pixels = 64 * 64 - 1, .max_memory = 1ull << 30,
					  .raise_pixels = "--max-pixels N",
					  .raise_memory = "--max-memory MB" };
	struct lumen_raw_image r;
	char err[300];
	size_t len;
	uint8_t *b = hb_file(64, 64, false, NULL, 0, false, 0, &len);

	(void)state;
	assert_int_equal(hb_read(b, len, &lim, &r, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "4096 pixels, above the limit of 4095"));
	assert_non_null(strstr(err, "--max-pixels N"));
	lim.max_pixels = 64 * 64;
	assert_int_equal(hb_read(b, len, &lim, &r, err, sizeof(err)), 0);
	assert_true(r.mem_peak >= 64 * 64 * 2 && r.mem_peak <= lim.max_memory);
	lim.max_memory = r.mem_peak;
	lumen_raw_image_free(&r);
	assert_int_equal(hb_read(b, len, &lim, &r, err, sizeof(err)), 0);
	lumen_raw_image_free(&r);
	lim.max_memory--;
	assert_int_equal(hb_read(b, len, &lim, &r, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "memory limit"));
	assert_non_null(strstr(err, "--max-memory MB"));
	/* the live default refuses what the desktop one takes */
	assert_true(lumen_input_limits_live.max_pixels < lumen_input_limits_desktop.max_pixels);
	assert_true(lumen_input_limits_live.max_memory <= 64ull << 20);
	free(b);
}

/* Lossless JPEG: a strip cannot decode to more than its declared size, and
 * strips cannot share one stream to make a large image from little data. */
static void ljpeg_blocks_bounded(void **state)
{
	struct lumen_input_limits big = { .max_pixels = 1ull << 40, .max_memory = 1ull << 40 };
	struct dng_build bd = { .width = 16, .height = 8, .compression = 7, .nstrips = 1 };
	struct lumen_raw_image r;
	uint16_t img[64 * 64];
	uint64_t off[64], cnt[64];
	char err[300];
	size_t jlen, len;
	uint8_t *j, *b;

	(void)state;
	for (int i = 0; i < 64 * 64; i++)
		img[i] = (uint16_t)(i * 7 & 0xfff);
	/* a 16x16 stream in a 16x8 strip: twice its declared size */
	j = test_ljpeg_encode(img, 16, 16, 1, 12, 1, 0, 0, &jlen);
	assert_non_null(j);
	off[0] = HB_DATA;
	cnt[0] = jlen;
	bd.strip_off = off;
	bd.strip_len = cnt;
	b = dng_build(&bd, HB_DATA + jlen, &len);
	memcpy(b + HB_DATA, j, jlen);
	assert_int_equal(hb_read(b, len, &big, &r, err, sizeof(err)), -E2BIG);
	free(b);
	free(j);
	/* 64 strips of 64x1 all pointing at one stream */
	j = test_ljpeg_encode(img, 64, 1, 1, 12, 1, 0, 0, &jlen);
	assert_non_null(j);
	for (int i = 0; i < 64; i++) {
		off[i] = HB_DATA;
		cnt[i] = jlen;
	}
	bd.width = 64;
	bd.height = 64;
	bd.rows_per_strip = 1;
	bd.nstrips = 64;
	b = dng_build(&bd, HB_DATA + 4096, &len);
	memcpy(b + HB_DATA, j, jlen);
	assert_int_equal(hb_read(b, len, &big, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "distinct bytes"));
	free(b);
	free(j);
}

static void unusable_tags_named(void **state)
{
	static const int32_t cm[18] = { 8000, 10000, -2000, 10000, -1000, 10000, -3000, 10000,
					11000, 10000, 1000, 10000, 0, 1, 1000, 10000, 5000, 10000 };
	static const int32_t sing[18] = { 1, 1, 2, 1, 3, 1, 2, 1, 4, 1, 6, 1, 0, 1, 0, 1, 1, 1 };
	static const int32_t cal[18] = { 2, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1 };
	static const int32_t ab[6] = { 1, 1, 3, 1, 1, 1 };
	static const int32_t neutral2[4] = { 1, 2, 1, 1 };
	static const uint8_t ops[8] = { 0, 0, 0, 0 };
	static const uint16_t black1 = 10;
	struct lumen_raw_image r;
	char err[300];
	size_t len;
	uint8_t *b;
	struct dng_entry e[4];

	(void)state;
	/* ColorMatrix1 outside the file: ignored, with a warning */
	e[0] = (struct dng_entry){ 50721, TIFF_SRATIONAL, 9, NULL, 0x7fff0000 };
	b = hb_file(16, 16, false, e, 1, false, 0, &len);
	assert_int_equal(hb_read(b, len, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_color_matrices, 0);
	assert_true(has_warning(&r, "ColorMatrix1 (0xc621): ", "outside the"));
	lumen_raw_image_free(&r);
	free(b);
	/* the same in a BigTIFF, which is read */
	b = hb_file(16, 16, false, e, 1, true, 0, &len);
	assert_int_equal(hb_read(b, len, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(lumen_frame_raw_at(&r.frame, 5, 7), 12);
	assert_true(has_warning(&r, "ColorMatrix1 (0xc621): ", "outside the"));
	lumen_raw_image_free(&r);
	free(b);
	/* a LinearizationTable of 2^30 entries refuses the file */
	e[0] = (struct dng_entry){ 50712, TIFF_SHORT, 1u << 30, NULL, HB_DATA };
	b = hb_file(16, 16, false, e, 1, false, 0, &len);
	assert_int_equal(hb_read(b, len, NULL, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "LinearizationTable (0xc618): 1073741824 values"));
	free(b);
	/* BlackLevel outside the file refuses too */
	e[0] = (struct dng_entry){ 50714, TIFF_SHORT, 4, NULL, 0x40000000 };
	b = hb_file(16, 16, false, e, 1, false, 0, &len);
	assert_int_equal(hb_read(b, len, NULL, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "BlackLevel (0xc61a): "));
	free(b);
	/* wrong type, wrong count, singular: warnings; a good BlackLevel stays */
	e[0] = (struct dng_entry){ 50721, TIFF_ASCII, 9, "abcdefgh", 0 };
	e[1] = (struct dng_entry){ 50722, TIFF_SRATIONAL, 9, sing, 0 };
	e[2] = (struct dng_entry){ 50728, TIFF_RATIONAL, 2, neutral2, 0 };
	e[3] = (struct dng_entry){ 50714, TIFF_SHORT, 1, &black1, 0 };
	b = hb_file(16, 16, false, e, 4, false, 0, &len);
	assert_int_equal(hb_read(b, len, NULL, &r, err, sizeof(err)), 0);
	assert_true(has_warning(&r, "ColorMatrix1 (0xc621): ", "type ASCII"));
	assert_true(has_warning(&r, "ColorMatrix2 (0xc622): ", "singular"));
	assert_true(has_warning(&r, "AsShotNeutral (0xc628): ", "2 values"));
	assert_int_equal(r.n_warnings, 3);
	assert_int_equal(r.n_color_matrices, 0);
	assert_false(r.has_as_shot_neutral);
	assert_int_equal(r.frame.black[0], 10);
	lumen_raw_image_free(&r);
	free(b);
	/* CameraCalibration and AnalogBalance are applied; an opcode list is named */
	e[0] = (struct dng_entry){ 50721, TIFF_SRATIONAL, 9, cm, 0 };
	e[1] = (struct dng_entry){ 50723, TIFF_SRATIONAL, 9, cal, 0 };
	e[2] = (struct dng_entry){ 50727, TIFF_RATIONAL, 3, ab, 0 };
	e[3] = (struct dng_entry){ 51009, TIFF_UNDEFINED, 4, ops, 0 };
	b = hb_file(16, 16, false, e, 4, false, 0, &len);
	assert_int_equal(hb_read(b, len, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.n_color_matrices, 1);
	assert_float_equal(r.color_matrix[0][0][0], 2 * 0.8f, 1e-5);	/* CC row 0 x2 */
	assert_float_equal(r.color_matrix[0][1][1], 3 * 1.1f, 1e-5);	/* AB 3 on G */
	assert_float_equal(r.color_matrix[0][2][2], 0.5f, 1e-5);
	assert_true(has_warning(&r, "OpcodeList2 (0xc741): ", "not applied"));
	assert_int_equal(r.n_warnings, 1);
	lumen_raw_image_free(&r);
	free(b);
}

/* lumen develop's loader: BigTIFF is a DNG, warnings reach it, limits apply */
static void develop_input_bigtiff_and_limits(void **state)
{
	struct lumen_input_limits lim = { .max_pixels = 1000, .max_memory = 1ull << 30,
					  .raise_pixels = "--max-pixels N" };
	struct lumen_develop_input in;
	struct lumen_raw_format fmt;
	struct dng_entry e = { 50721, TIFF_SRATIONAL, 9, NULL, 0x7fff0000 };
	char err[300];
	size_t len;
	uint8_t *b = hb_file(32, 32, false, &e, 1, true, 0, &len);
	FILE *f = fopen(tmp_path("big.dng"), "wb");

	(void)state;
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	free(b);
	lumen_raw_format_init(&fmt);
	assert_int_equal(lumen_develop_input_load(tmp_path("big.dng"), &fmt, &in, err,
						  sizeof(err)), 0);
	assert_true(in.is_dng);
	assert_int_equal(in.frame.width, 32);
	assert_int_equal(in.n_warnings, 1);
	assert_non_null(strstr(in.warnings[0], "ColorMatrix1 (0xc621): "));
	lumen_develop_input_free(&in);
	assert_int_equal(lumen_develop_input_load_limits(tmp_path("big.dng"), &fmt, &lim, &in,
							 err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "--max-pixels N"));
	/* a plain dump is held to the same limits */
	f = fopen(tmp_path("plain.raw"), "wb");
	assert_non_null(f);
	for (int i = 0; i < 64 * 64; i++)
		fputc(i & 0xff, f);
	fclose(f);
	fmt.width = 64;
	fmt.height = 64;
	fmt.bits = 8;
	assert_int_equal(lumen_develop_input_load_limits(tmp_path("plain.raw"), &fmt, &lim, &in,
							 err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "4096 pixels"));
	lim.max_pixels = 4096;
	assert_int_equal(lumen_develop_input_load_limits(tmp_path("plain.raw"), &fmt, &lim, &in,
							 err, sizeof(err)), 0);
	lumen_develop_input_free(&in);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lumen-test-dng-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ljpeg_all_predictors_components_restarts),
		cmocka_unit_test(ljpeg_refuses_other_processes),
		cmocka_unit_test(write_read_round_trip),
		cmocka_unit_test(write_failure_leaves_nothing),
		cmocka_unit_test(crop_tags_and_phase),
		cmocka_unit_test(linearization_and_black_deltas),
		cmocka_unit_test(packed_depths_uncompressed),
		cmocka_unit_test(lossless_jpeg_dng),
		cmocka_unit_test(hostile_files_refused),
		cmocka_unit_test(shared_strips_refused),
		cmocka_unit_test(pixel_and_memory_limits),
		cmocka_unit_test(ljpeg_blocks_bounded),
		cmocka_unit_test(unusable_tags_named),
		cmocka_unit_test(develop_input_bigtiff_and_limits),
	};

	TIFFSetWarningHandler(NULL);
	TIFFSetErrorHandler(NULL);
	return cmocka_run_group_tests(tests, setup, teardown);
}

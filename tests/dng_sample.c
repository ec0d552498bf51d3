// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: writes a 64x48 12-bit GRBG DNG and the same samples as a
 * 16-bit big-endian PGM, so that a shell test can compare `dcraw -4 -D -c`
 * with what was written. Plain mode uses lumen_dng_write(); "ljpeg" mode
 * writes 32x32 lossless JPEG tiles (2 components, predictor 6) with libtiff
 * and the test encoder, and also checks lumen_dng_read() gets them back.
 * Usage: dng_sample out.dng expected.pgm [ljpeg]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#include "io/dng.h"
#include "ljpeg_enc.h"

static int write_ljpeg(const char *path, const struct lumen_frame *f)
{
	static const uint8_t ver[4] = { 1, 4, 0, 0 }, cfa[4] = { 1, 0, 2, 1 };
	static const uint16_t dim[2] = { 2, 2 };
	static const float cm[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
	uint16_t blk[32 * 32];
	struct lumen_raw_image r;
	char err[256];
	TIFF *t = TIFFOpen(path, "w");

	if (!t)
		return -1;
	TIFFSetField(t, TIFFTAG_SUBFILETYPE, 0);
	TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)f->width);
	TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)f->height);
	TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 12);
	TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
	TIFFSetField(t, TIFFTAG_COMPRESSION, 7);
	TIFFSetField(t, TIFFTAG_PHOTOMETRIC, 32803);
	TIFFSetField(t, TIFFTAG_MAKE, "Lumen");
	TIFFSetField(t, TIFFTAG_MODEL, "Sample");
	TIFFSetField(t, TIFFTAG_DNGVERSION, ver);
	TIFFSetField(t, TIFFTAG_CFAREPEATPATTERNDIM, dim);
	TIFFSetField(t, TIFFTAG_CFAPATTERN, 4, cfa);
	TIFFSetField(t, TIFFTAG_COLORMATRIX1, 9, cm);
	TIFFSetField(t, TIFFTAG_TILEWIDTH, 32);
	TIFFSetField(t, TIFFTAG_TILELENGTH, 32);
	for (int i = 0; i < 4; i++) {
		size_t len;
		uint8_t *j;

		for (int y = 0; y < 32; y++) {
			int sy = i / 2 * 32 + y < f->height ? i / 2 * 32 + y : f->height - 1;

			for (int x = 0; x < 32; x++)
				blk[y * 32 + x] = (uint16_t)lumen_frame_raw_at(f, i % 2 * 32 + x, sy);
		}
		j = test_ljpeg_encode(blk, 16, 32, 2, 12, 6, 0, 0, &len);
		if (!j || TIFFWriteRawTile(t, (uint32_t)i, j, (tmsize_t)len) < 0)
			return -1;
		free(j);
	}
	if (!TIFFWriteDirectory(t))
		return -1;
	TIFFClose(t);

	if (lumen_dng_read(path, &r, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	for (int y = 0; y < f->height; y++)
		for (int x = 0; x < f->width; x++)
			if (lumen_frame_raw_at(&r.frame, x, y) != lumen_frame_raw_at(f, x, y)) {
				fprintf(stderr, "lumen_dng_read differs at (%d,%d)\n", x, y);
				return -1;
			}
	lumen_raw_image_free(&r);
	return 0;
}

int main(int argc, char **argv)
{
	struct lumen_frame f;
	struct lumen_dng_write_meta meta = {
		.make = "Lumen", .model = "Sample", .has_as_shot_neutral = true,
		.as_shot_neutral = { 0.5f, 1.0f, 0.6f },
	};
	char err[256];
	FILE *pgm;

	if (argc != 3 && !(argc == 4 && !strcmp(argv[3], "ljpeg"))) {
		fprintf(stderr, "usage: %s out.dng expected.pgm [ljpeg]\n", argv[0]);
		return 2;
	}
	if (lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, 64, 48) < 0)
		return 1;
	f.bayer = LUMEN_BAYER_GRBG;
	f.bits = 12;
	f.white = 4095;
	for (int i = 0; i < 4; i++)
		f.black[i] = (uint16_t)(256 + i);
	for (int y = 0; y < f.height; y++)
		for (int x = 0; x < f.width; x++)
			((uint16_t *)(void *)(f.data[0] + y * f.stride[0]))[x] =
				(uint16_t)(256 + (x * 61 + y * 37 + (x ^ y) * 5) % 3800);
	if (argc == 4) {
		if (write_ljpeg(argv[1], &f) < 0)
			return 1;
	} else if (lumen_dng_write(argv[1], &f, &meta, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	pgm = fopen(argv[2], "wb");
	if (!pgm)
		return 1;
	fprintf(pgm, "P5\n%d %d\n65535\n", f.width, f.height);
	for (int y = 0; y < f.height; y++)
		for (int x = 0; x < f.width; x++) {
			unsigned v = lumen_frame_raw_at(&f, x, y);

			fputc((int)(v >> 8), pgm);
			fputc((int)(v & 255), pgm);
		}
	fclose(pgm);
	lumen_frame_free(&f);
	return 0;
}

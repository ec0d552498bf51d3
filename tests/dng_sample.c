// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test helper: writes a 64x48 12-bit GRBG DNG with lumen_dng_write() and
 * the same samples as a 16-bit big-endian PGM, so that a shell test can
 * compare `dcraw -4 -D -c` with what was written.
 * Usage: dng_sample out.dng expected.pgm
 */
#include <stdio.h>
#include <stdlib.h>

#include "io/dng.h"

int main(int argc, char **argv)
{
	struct lumen_frame f;
	struct lumen_dng_write_meta meta = {
		.make = "Lumen", .model = "Sample", .has_as_shot_neutral = true,
		.as_shot_neutral = { 0.5f, 1.0f, 0.6f },
	};
	char err[256];
	FILE *pgm;

	if (argc != 3) {
		fprintf(stderr, "usage: %s out.dng expected.pgm\n", argv[0]);
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
	if (lumen_dng_write(argv[1], &f, &meta, err, sizeof(err)) < 0) {
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

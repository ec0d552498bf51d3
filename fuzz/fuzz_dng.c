// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the DNG reader (and, for inputs that start with a
 * JPEG SOI marker, the lossless JPEG decoder on its own). Every result is
 * checked: success must give a sane frame whose pixels can all be read,
 * warnings of the form "TagName (0xNNNN): why" and a peak within the
 * memory limit; failure must come with a message. The limits are lowered
 * so that the refusals are reached and each input stays cheap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/dng.h"
#include "io/ljpeg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lumen_raw_image img;
	char err[256];

	if (size >= 2 && data[0] == 0xff && data[1] == 0xd8) {
		struct lumen_ljpeg j;

		if (lumen_ljpeg_decode(data, size, 1u << 20, &j, err, sizeof(err)) == 0) {
			for (size_t i = 0; i < (size_t)j.width * j.height * j.ncomp; i++)
				sink += j.samples[i];
			free(j.samples);
		} else if (!err[0]) {
			abort();
		}
		return 0;
	}

	static const struct lumen_input_limits lim = {
		.max_pixels = 4u << 20, .max_memory = 32u << 20,
	};

	if (lumen_dng_read_mem_limits(data, size, "fuzz.dng", &lim, &img, err, sizeof(err)) != 0) {
		if (!err[0] || img.buffer)
			abort();
		return 0;
	}
	if (img.mem_peak > lim.max_memory || img.n_warnings < 0 ||
	    (uint64_t)img.raw_width * (uint64_t)img.raw_height > lim.max_pixels)
		abort();
	for (int i = 0; i < img.n_warnings && i < LUMEN_RAW_MAX_WARNINGS; i++) {
		unsigned tag;

		if (!memchr(img.warnings[i], 0, sizeof(img.warnings[i])) ||
		    !strstr(img.warnings[i], " (0x") ||
		    sscanf(strstr(img.warnings[i], " (0x"), " (0x%x): ", &tag) != 1)
			abort();
	}
	const struct lumen_frame *f = &img.frame;

	if (f->fmt != LUMEN_PIX_BAYER16 || f->width < 1 || f->height < 1 ||
	    f->width > LUMEN_MAX_DIM || f->height > LUMEN_MAX_DIM ||
	    f->bits < 8 || f->bits > 16 || (unsigned)f->bayer > 3)
		abort();
	for (int i = 0; i < 4; i++)
		if (f->black[i] >= f->white)
			abort();
	for (int y = 0; y < f->height; y++)
		for (int x = 0; x < f->width; x++)
			sink += lumen_frame_raw_at(f, x, y);
	lumen_raw_image_free(&img);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lossless JPEG (ITU T.81 process 14, SOF3) decoder, as used by DNG
 * Compression 7: Huffman-coded differences, predictors 1-7, point
 * transform, restart intervals, 1-4 interleaved components with 1x1
 * sampling in one scan.
 *
 * Contract: never reads outside [data, data + size); the output is bounded
 * by @max_samples and by the entropy data (every sample costs at least one
 * bit), so hostile streams cannot make it allocate much.
 */
#ifndef LUMEN_IO_LJPEG_H
#define LUMEN_IO_LJPEG_H

#include <stddef.h>
#include <stdint.h>

struct lumen_ljpeg {
	int width, height;	/* SOF X and Y, in samples of one component */
	int ncomp;		/* 1..4 */
	int bits;		/* sample precision P, 2..16 */
	int predictor;		/* 1..7 */
	/* height rows of width * ncomp interleaved samples; free() it */
	uint16_t *samples;
};

/*
 * Decodes one complete stream (SOI ... EOI) of @size bytes. On success
 * @out->samples is allocated and 0 is returned. On error returns -EINVAL
 * (corrupt or truncated stream), -ENOTSUP (a JPEG process or layout that
 * is not lossless 1x1), -E2BIG (more than @max_samples samples) or -ENOMEM,
 * writes a one-line reason to @err and leaves @out->samples NULL.
 */
int lumen_ljpeg_decode(const uint8_t *data, size_t size, size_t max_samples,
		       struct lumen_ljpeg *out, char *err, size_t errlen);

#endif

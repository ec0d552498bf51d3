/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only lossless JPEG (SOF3) encoder, the mirror of src/io/ljpeg.c,
 * used to build DNG files and fuzz seeds. Not for production: fixed
 * Huffman tables, no optimisation.
 */
#ifndef LUMEN_TESTS_LJPEG_ENC_H
#define LUMEN_TESTS_LJPEG_ENC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Encodes @h rows of @w * @nc interleaved samples of @bits precision with
 * @predictor (1..7), restart markers every @restart MCUs (0: none) and
 * point transform @pt. Returns a malloc'ed stream and its size in *len,
 * or NULL.
 */
uint8_t *test_ljpeg_encode(const uint16_t *samples, int w, int h, int nc,
			   int bits, int predictor, int restart, int pt,
			   size_t *len);

#endif

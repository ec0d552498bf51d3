/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test-only builder of little-endian DNG files in memory, byte by byte, for
 * shapes libtiff refuses to write: tags whose data lies outside the file,
 * absurd counts, wrong types, strips that share data, BigTIFF. Used by
 * tests/test_dng.c and fuzz/gen_dng_seeds.c. IFD0 is the raw image: an
 * RGGB CFA with one sample per pixel, DNG 1.4.
 */
#ifndef LUMEN_TESTS_DNG_BUILD_H
#define LUMEN_TESTS_DNG_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One extra IFD entry. @data holds @count values in the host layout of
 * @type (uint8_t for BYTE/ASCII/UNDEFINED, uint16_t SHORT, uint32_t LONG,
 * int32_t pairs for (S)RATIONAL, double DOUBLE, uint64_t LONG8); it is
 * written little-endian. With @data NULL the entry says @count values at
 * file offset @off, whatever lies there.
 */
struct dng_entry {
	uint16_t tag, type;
	uint64_t count;
	const void *data;
	uint64_t off;
};

struct dng_build {
	uint32_t width, height;
	uint16_t bps, compression;	/* 0: 16, 1 */
	uint32_t rows_per_strip;	/* 0: height */
	uint32_t nstrips;		/* StripOffsets/StripByteCounts */
	const uint64_t *strip_off, *strip_len;
	const struct dng_entry *extra;
	int nextra;
	bool bigtiff;
};

/*
 * Header, IFD0 and the entries' data from offset 0, then zeros up to
 * @file_size (or further, if the structure needs more). Returns a malloc'ed
 * buffer and its size in *len; the caller writes the samples where its
 * strips point. Returns NULL if @b is malformed (e.g. too many entries).
 */
uint8_t *dng_build(const struct dng_build *b, size_t file_size, size_t *len);

#endif

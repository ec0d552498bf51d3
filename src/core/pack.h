/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MIPI CSI-2 raw packing (RAW10: four samples in five bytes, the fifth
 * holding the two low bits of each; RAW12: two samples in three bytes, the
 * third holding the low nibbles), and conversion of whole raw frames to the
 * 16-bit container the ISP reads.
 */
#ifndef LUMEN_CORE_PACK_H
#define LUMEN_CORE_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"

/*
 * One row of @n samples, any n >= 0. The unpackers write exactly n samples
 * to @dst and read lumen_raw10_bytes(n) / lumen_raw12_bytes(n) bytes of
 * @src; the packers read exactly n samples and write exactly that many
 * bytes. A row whose width is not a whole number of groups (CSI-2 itself
 * needs whole groups: 4 samples RAW10, 2 RAW12) ends in a padded group, as
 * libcamera lays out such strides: the missing samples' high bytes and low
 * bits are padding, written as zero and ignored on reading.
 */
void lumen_unpack_raw10(const uint8_t *src, uint16_t *dst, size_t n);
void lumen_pack_raw10(const uint16_t *src, uint8_t *dst, size_t n);
void lumen_unpack_raw12(const uint8_t *src, uint16_t *dst, size_t n);
void lumen_pack_raw12(const uint16_t *src, uint8_t *dst, size_t n);

/* Bytes of a packed row of @n samples: whole groups, the last one padded. */
static inline size_t lumen_raw10_bytes(size_t n)
{
	return (n + 3) / 4 * 5;
}

static inline size_t lumen_raw12_bytes(size_t n)
{
	return (n + 1) / 2 * 3;
}

/*
 * Converts any Bayer frame into @dst, a BAYER16 frame of the same size that
 * the caller owns; order, bits, black and white are carried over.
 * Returns 0, or -EINVAL for a non-Bayer source or a size mismatch.
 */
int lumen_raw_to_16(const struct lumen_frame *src, struct lumen_frame *dst);

#endif

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

/* @n samples; n must be a multiple of 4 (RAW10) or 2 (RAW12). */
void lumen_unpack_raw10(const uint8_t *src, uint16_t *dst, size_t n);
void lumen_pack_raw10(const uint16_t *src, uint8_t *dst, size_t n);
void lumen_unpack_raw12(const uint8_t *src, uint16_t *dst, size_t n);
void lumen_pack_raw12(const uint16_t *src, uint8_t *dst, size_t n);

/*
 * Converts any Bayer frame into @dst, a BAYER16 frame of the same size that
 * the caller owns; order, bits, black and white are carried over.
 * Returns 0, or -EINVAL for a non-Bayer source or a size mismatch.
 */
int lumen_raw_to_16(const struct lumen_frame *src, struct lumen_frame *dst);

#endif

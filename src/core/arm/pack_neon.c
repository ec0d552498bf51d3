// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RAW10 packing in NEON (pack_dsp.h): 8 samples (two 5-byte groups) per
 * step with vtbl2 byte gathers, which armhf and arm64 both have. The loop
 * stops 8 samples early so its 16-byte loads and stores stay inside the
 * row (the next step or the C tail rewrites the extra bytes); the C kernel
 * finishes the row from a group boundary.
 */
#include <arm_neon.h>

#include "core/pack_dsp.h"

LUMEN_RAW10_UNPACK_FN(lumen_unpack_raw10_neon)
{
	static const uint8_t idx_a[8] = { 4, 0, 4, 1, 4, 2, 4, 3 };
	static const uint8_t idx_b[8] = { 9, 5, 9, 6, 9, 7, 9, 8 };
	static const uint16_t mul_v[8] = { 64, 16, 4, 1, 64, 16, 4, 1 };
	const uint8x8_t ia = vld1_u8(idx_a), ib = vld1_u8(idx_b);
	const uint16x8_t mul = vld1q_u16(mul_v);
	const uint16x8_t hi_mask = vdupq_n_u16(0x3FC), lo_mask = vdupq_n_u16(3);
	size_t i = 0;

	for (; i + 16 <= n; i += 8, src += 10) {
		uint8x16_t b = vld1q_u8(src);
		uint8x8x2_t tb = { { vget_low_u8(b), vget_high_u8(b) } };
		uint16x8_t w = vcombine_u16(vreinterpret_u16_u8(vtbl2_u8(tb, ia)),
					    vreinterpret_u16_u8(vtbl2_u8(tb, ib)));
		uint16x8_t hi = vandq_u16(vshrq_n_u16(w, 6), hi_mask);
		uint16x8_t lo = vandq_u16(vshrq_n_u16(vmulq_u16(w, mul), 6), lo_mask);

		vst1q_u16(dst + i, vorrq_u16(hi, lo));
	}
	lumen_unpack_raw10_c(src, dst + i, n - i);
}

LUMEN_RAW10_PACK_FN(lumen_pack_raw10_neon)
{
	static const uint8_t idx_a[8] = { 0, 1, 2, 3, 8, 4, 5, 6 };
	static const uint8_t idx_b[8] = { 7, 12, 12, 12, 12, 12, 12, 12 };
	static const uint16_t mul_v[8] = { 1, 4, 16, 64, 1, 4, 16, 64 };
	const uint8x8_t ia = vld1_u8(idx_a), ib = vld1_u8(idx_b);
	const uint16x8_t mul = vld1q_u16(mul_v), three = vdupq_n_u16(3);
	size_t i = 0;

	for (; i + 16 <= n; i += 8, dst += 10) {
		uint16x8_t p = vld1q_u16(src + i);
		uint8x8_t hi = vmovn_u16(vshrq_n_u16(p, 2));
		uint16x8_t lo = vmulq_u16(vandq_u16(p, three), mul);
		uint64x2_t g = vpaddlq_u32(vpaddlq_u16(lo));
		uint8x8x2_t tb = { { hi, vreinterpret_u8_u32(vmovn_u64(g)) } };

		vst1_u8(dst, vtbl2_u8(tb, ia));
		vst1_u8(dst + 8, vtbl2_u8(tb, ib));
	}
	lumen_pack_raw10_c(src + i, dst, n - i);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON fast-denoise row (ARMv7 NEON and AArch64, isp_dsp.h); exact with
 * lumen_denoise_row_c.
 *
 * 8 samples per step in 16-bit lanes, as in the AVX2 kernel. The
 * threshold's segment tables are byte tables in registers (low and high
 * bytes apart), looked up with vtbl2 (ARMv7) / vqtbl1q (AArch64) by each
 * lane's segment; the step times the offset, shifted, is the high half of
 * the 32-bit product. Both ranges are looked up and the lane's range
 * picks one. vqrdmulhq_s16 by 3641 is (s * 3641 + 16384) >> 15 (it
 * saturates only for -32768 * -32768, which s * 3641 cannot be). The last
 * n % 8 samples: the last 8 again (rows under 8: the C kernel).
 */
#include <arm_neon.h>

#include "isp/isp_dsp.h"

/* A 16-entry table of 16-bit values as its low and high bytes. */
struct table16 {
	uint8x16_t lo, hi;
};

static inline struct table16 bytes16(const uint16_t t[16])
{
	const uint16x8_t a = vld1q_u16(t), b = vld1q_u16(t + 8);
	struct table16 r;

	r.lo = vcombine_u8(vmovn_u16(a), vmovn_u16(b));
	r.hi = vcombine_u8(vshrn_n_u16(a, 8), vshrn_n_u16(b, 8));
	return r;
}

/* Bytes of @t at the byte indices @idx (each 0..15). */
static inline uint8x8_t look8(uint8x16_t t, uint8x8_t idx)
{
#if defined(__aarch64__)
	return vqtbl1_u8(t, idx);
#else
	const uint8x8x2_t tt = { { vget_low_u8(t), vget_high_u8(t) } };

	return vtbl2_u8(tt, idx);
#endif
}

/* Entries @idx (8 lanes, each 0..15) of @t, as 16-bit lanes. */
static inline uint16x8_t look(const struct table16 *t, uint8x8_t idx)
{
	return vorrq_u16(vmovl_u8(look8(t->lo, idx)),
			 vshlq_n_u16(vmovl_u8(look8(t->hi, idx)), 8));
}

/* (a * b) >> 16 per 16-bit lane, unsigned. */
static inline uint16x8_t mulhi(uint16x8_t a, uint16x8_t b)
{
	const uint32x4_t l = vmull_u16(vget_low_u16(a), vget_low_u16(b));
	const uint32x4_t h = vmull_u16(vget_high_u16(a), vget_high_u16(b));

	return vcombine_u16(vshrn_n_u32(l, 16), vshrn_n_u32(h, 16));
}

static inline int16x8_t keep(int16x8_t s, const uint16_t *p, int16x8_t v, int16x8_t t)
{
	const int16x8_t d = vsubq_s16(vreinterpretq_s16_u16(vld1q_u16(p)), v);
	const uint16x8_t out = vcgtq_s16(vabsq_s16(d), t);

	return vaddq_s16(s, vbicq_s16(d, vreinterpretq_s16_u16(out)));
}

struct tables {
	struct table16 lb, ls, hb, hs;
};

/* Samples i .. i + 7. */
static inline void block8(uint16_t *dst, const uint16_t *up, const uint16_t *row,
			  const uint16_t *dn, int i, const struct tables *tb)
{
	const uint16x8_t u = vld1q_u16(row + i);
	const int16x8_t v = vreinterpretq_s16_u16(u);
	/* v < 1024: v >> 6 is 0..15; v >> 10 always is (vtbl gives 0 for
	 * an index past the table, which only lanes of the other range get) */
	const uint8x8_t il = vmovn_u16(vminq_u16(vshrq_n_u16(u, 6), vdupq_n_u16(16)));
	const uint8x8_t ih = vmovn_u16(vshrq_n_u16(u, 10));
	const uint16x8_t tl = vaddq_u16(look(&tb->lb, il),
		mulhi(look(&tb->ls, il), vshlq_n_u16(vandq_u16(u, vdupq_n_u16(63)), 10)));
	const uint16x8_t th = vaddq_u16(look(&tb->hb, ih),
		mulhi(look(&tb->hs, ih), vshlq_n_u16(vandq_u16(u, vdupq_n_u16(1023)), 6)));
	const int16x8_t t = vreinterpretq_s16_u16(vbslq_u16(vcltq_u16(u, vdupq_n_u16(1024)),
							    tl, th));
	int16x8_t s = vdupq_n_s16(0);

	s = keep(s, up + i - 2, v, t);
	s = keep(s, up + i, v, t);
	s = keep(s, up + i + 2, v, t);
	s = keep(s, row + i - 2, v, t);
	s = keep(s, row + i + 2, v, t);
	s = keep(s, dn + i - 2, v, t);
	s = keep(s, dn + i, v, t);
	s = keep(s, dn + i + 2, v, t);
	s = vaddq_s16(v, vqrdmulhq_s16(s, vdupq_n_s16(3641)));
	s = vminq_s16(vmaxq_s16(s, vdupq_n_s16(0)), vdupq_n_s16(LUMEN_WORK_MAX));
	vst1q_u16(dst + i, vreinterpretq_u16_s16(s));
}

LUMEN_DENOISE_ROW_FN(lumen_denoise_row_neon)
{
	struct tables tb;
	int i = 0;

	if (n < 8) {
		lumen_denoise_row_c(dst, up, row, dn, n, c);
		return;
	}
	tb.lb = bytes16(c->lo_base);
	tb.ls = bytes16(c->lo_step);
	tb.hb = bytes16(c->hi_base);
	tb.hs = bytes16(c->hi_step);
	for (; i + 8 <= n; i += 8)
		block8(dst, up, row, dn, i, &tb);
	/* the rest: the last 8 again (dst overlaps no input row) */
	if (i < n)
		block8(dst, up, row, dn, n - 8, &tb);
}

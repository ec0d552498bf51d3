// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON lens-shading row (ARMv7 NEON and AArch64); exact with
 * lumen_lsc_row_c (isp_dsp.h).
 *
 * 8 samples per step as two groups of 4 float lanes. The two gains of each
 * lane are loaded lane by lane (ARMv7 has no float table lookup), the rest
 * is vector arithmetic with separate multiplies and adds in the C order.
 * ARMv7 NEON rounds to nearest like the C code and flushes subnormals, but
 * the gains are 0 or at least 2^-60 and the weights 0 or at least 2^-24,
 * so no operand or product is subnormal. vcvtq_u32_f32 truncates like the
 * C cast. The last width % 8 samples go through C (the row may be in
 * place).
 *
 * Most groups of 8 lie within one grid cell (a cell is frame width /
 * (grid width - 1) samples wide, 160 at 2560 with 17 nodes): their gains
 * are the cell's two pairs, made once per cell and kept in registers
 * instead of sixteen lane loads per 8 samples; the same values, so the
 * same results.
 */
#include <arm_neon.h>

#include "isp/isp_dsp.h"

/* 4 samples from their gains a (left node) and b (right node) */
static inline uint16x4_t lsc4_ab(const uint16_t *src, float32x4_t a,
				 float32x4_t b, const float *w0, const float *w1)
{
	float32x4_t gain, v;

	gain = vaddq_f32(vmulq_f32(a, vld1q_f32(w0)), vmulq_f32(b, vld1q_f32(w1)));
	v = vcvtq_f32_u32(vmovl_u16(vld1_u16(src)));
	v = vaddq_f32(vmulq_f32(v, gain), vdupq_n_f32(0.5f));
	v = vmaxq_f32(vminq_f32(v, vdupq_n_f32((float)LUMEN_WORK_MAX)),
		      vdupq_n_f32(0));
	return vmovn_u32(vcvtq_u32_f32(v));
}

static inline uint16x4_t lsc4(const uint16_t *src, const float *g0,
			      const float *g1, const int32_t *gx,
			      const float *w0, const float *w1)
{
	float32x4_t a = vdupq_n_f32(0), b = vdupq_n_f32(0);

	a = vld1q_lane_f32(g0 + gx[0], a, 0);
	b = vld1q_lane_f32(g0 + gx[0] + 1, b, 0);
	a = vld1q_lane_f32(g1 + gx[1], a, 1);
	b = vld1q_lane_f32(g1 + gx[1] + 1, b, 1);
	a = vld1q_lane_f32(g0 + gx[2], a, 2);
	b = vld1q_lane_f32(g0 + gx[2] + 1, b, 2);
	a = vld1q_lane_f32(g1 + gx[3], a, 3);
	b = vld1q_lane_f32(g1 + gx[3] + 1, b, 3);
	return lsc4_ab(src, a, b, w0, w1);
}

/* The gains of node g for 4 samples from an even column: rg[0] in even
 * lanes, rg[1] in odd ones. */
static inline float32x4_t node_gains(const float *const rg[2], int g)
{
	float32x2_t p = vdup_n_f32(rg[0][g]);

	p = vld1_lane_f32(rg[1] + g, p, 1);
	return vcombine_f32(p, p);
}

/* Whether gx[0..7] all equal gx[0]. */
static inline int one_cell(const int32_t *gx)
{
	const int32x4_t g = vdupq_n_s32(gx[0]);
	const uint32x4_t e = vandq_u32(vceqq_s32(vld1q_s32(gx), g),
				       vceqq_s32(vld1q_s32(gx + 4), g));
	const uint32x2_t m = vand_u32(vget_low_u32(e), vget_high_u32(e));

	return (vget_lane_u32(m, 0) & vget_lane_u32(m, 1)) == 0xffffffffu;
}

LUMEN_LSC_ROW_FN(lumen_lsc_row_neon)
{
	const int32_t *gx = cols->gx;
	const float *w0 = cols->w0, *w1 = cols->w1;
	float32x4_t ca = vdupq_n_f32(0), cb = vdupq_n_f32(0);
	int x = 0, cell = -1;

	for (; x + 8 <= width; x += 8) {
		uint16x4_t lo, hi;

		if (one_cell(gx + x)) {
			if (gx[x] != cell) {
				cell = gx[x];
				ca = node_gains(rg, cell);
				cb = node_gains(rg, cell + 1);
			}
			lo = lsc4_ab(src + x, ca, cb, w0 + x, w1 + x);
			hi = lsc4_ab(src + x + 4, ca, cb, w0 + x + 4, w1 + x + 4);
		} else {
			lo = lsc4(src + x, rg[0], rg[1], gx + x, w0 + x, w1 + x);
			hi = lsc4(src + x + 4, rg[0], rg[1], gx + x + 4, w0 + x + 4,
				  w1 + x + 4);
		}
		vst1q_u16(dst + x, vcombine_u16(lo, hi));
	}
	if (x < width) {
		const struct lumen_lsc_cols c = { gx + x, w0 + x, w1 + x };

		lumen_lsc_row_c(dst + x, src + x, width - x, rg, &c);
	}
}

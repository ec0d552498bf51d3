/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sharpen row kernel (isp_dsp.h, lumen_sharpen_row_fn) written once,
 * for sharpen.c (the C reference) and arm/sharpen_neon.c, which compiles
 * the same code with NEON and vectorisation on: integer arithmetic only,
 * so both give the same bits by construction (tests/test_denoise.c checks
 * it anyway). Branch-free loops over 16-bit arrays. The AVX2 kernel is
 * written with intrinsics (x86/sharpen_avx2.c).
 */
#ifndef LUMEN_ISP_SHARPEN_ROW_H
#define LUMEN_ISP_SHARPEN_ROW_H

#include "isp/isp_dsp.h"

static inline void lumen_sharpen_luma_body(const uint16_t *const nx[3], uint16_t *nl,
					   int w)
{
	const uint16_t *restrict r = nx[0], *restrict g = nx[1], *restrict b = nx[2];
	uint16_t *restrict o = nl;

	for (int x = 0; x < w; x++)
		o[x] = (uint16_t)((r[x] + 2 * g[x] + b[x] + 2) >> 2);
	nl[-1] = nl[w > 1 ? 1 : 0];
	nl[w] = nl[w > 1 ? w - 2 : 0];
}

/* The sharpened luma at column x, from the column sums and extremes
 * (readable at x - 1 .. x + 1) and the old luma @v. */
static inline int lumen_sharpen_yn(const uint16_t *vs, const uint16_t *vlo,
				   const uint16_t *vhi, int v, int x, int a)
{
	const int blur = (vs[x - 1] + 2 * vs[x] + vs[x + 1] + 8) >> 4;
	int lo = vlo[x - 1] < vlo[x] ? vlo[x - 1] : vlo[x];
	int hi = vhi[x - 1] > vhi[x] ? vhi[x - 1] : vhi[x];
	const int yn = v + (((v - blur) * a + 128) >> 8);

	lo = lo < vlo[x + 1] ? lo : vlo[x + 1];
	hi = hi > vhi[x + 1] ? hi : vhi[x + 1];
	return yn < lo ? lo : yn > hi ? hi : yn;
}

static inline void lumen_sharpen_row_body(uint16_t *const pl[3], const uint16_t *up,
					  const uint16_t *mid, const uint16_t *dn,
					  uint16_t *tmp, int w, int a)
{
	const uint16_t *restrict u = up, *restrict m = mid, *restrict d = dn;
	uint16_t *restrict vs = tmp + 1, *restrict vlo = vs + w + 2;
	uint16_t *restrict vhi = vlo + w + 2;
	int16_t *restrict dy = (int16_t *)(void *)(vhi + w + 2);

	/* column sums and extremes over the three rows, -1 .. w */
	for (int x = -1; x <= w; x++) {
		const int p = u[x], q = m[x], r = d[x];
		const int lo = p < q ? p : q, hi = p > q ? p : q;

		vs[x] = (uint16_t)(p + 2 * q + r);
		vlo[x] = (uint16_t)(lo < r ? lo : r);
		vhi[x] = (uint16_t)(hi > r ? hi : r);
	}
	/* across: blur, range, the clipped new luma less the old */
	for (int x = 0; x < w; x++)
		dy[x] = (int16_t)(lumen_sharpen_yn(vs, vlo, vhi, m[x], x, a) - m[x]);
	for (int c = 0; c < 3; c++) {
		uint16_t *restrict p = pl[c];

		for (int x = 0; x < w; x++) {
			const int v = p[x] + dy[x];

			p[x] = (uint16_t)(v < 0 ? 0 : v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v);
		}
	}
}

#endif

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX-512 (F + BW) pre-screen of the defective-pixel correction; exact with
 * lumen_dpc_screen_c (isp_dsp.h states the test).
 *
 * The arithmetic of the AVX2 screen (x86/dpc_avx2.c) on 32 pixels per
 * step: saturating 16-bit sums (a sum that reaches 65535 is below no
 * sample, as the exact sum is not), and what AVX-512BW adds: "a < b" is one
 * unsigned mask compare, and each neighbour's verdict a masked add to a
 * per-lane count. The median-of-three chunk test skips most steps first.
 * The last n % 32 pixels: the last 32 again; rows under 32: the AVX2
 * screen.
 */
#include <immintrin.h>

#include "isp/isp_dsp.h"

#define LD(p) _mm512_loadu_si512((const void *)(p))

/* The candidates among pixels x .. x + 31, as a mask. */
static inline __attribute__((always_inline)) __mmask32
screen32(const uint16_t *up, const uint16_t *row, const uint16_t *dn, int x,
	 __m512i thr)
{
	const __m512i one = _mm512_set1_epi16(1), six = _mm512_set1_epi16(6);
	const __m512i v0 = LD(row + x);
	const __m512i v0t = _mm512_adds_epu16(v0, thr);
	const __m512i a = LD(row + x - 2), b = LD(row + x + 2), c = LD(up + x);
	const __m512i med = _mm512_max_epu16(_mm512_min_epu16(a, b),
		_mm512_min_epu16(_mm512_max_epu16(a, b), c));
	/* two of any three neighbours beyond the margin, so their median:
	 * med + med/16 + thr < v0 or v0 + thr < med - med/16 */
	const __m512i near = _mm512_adds_epu16(_mm512_adds_epu16(med,
		_mm512_srli_epi16(med, 4)), thr);
	const __m512i far = _mm512_sub_epi16(med, _mm512_srli_epi16(med, 4));

	if (!(_mm512_cmplt_epu16_mask(near, v0) | _mm512_cmplt_epu16_mask(v0t, far)))
		return 0;

	const __m512i nb[8] = {
		a, b, c, LD(dn + x),
		LD(up + x - 2), LD(dn + x + 2), LD(up + x + 2), LD(dn + x - 2),
	};
	__m512i below = _mm512_setzero_si512(), above = _mm512_setzero_si512();

	for (int k = 0; k < 8; k++) {
		const __m512i q = _mm512_srli_epi16(nb[k], 4);
		const __m512i lo = _mm512_adds_epu16(_mm512_adds_epu16(nb[k], q), thr);
		const __m512i hi = _mm512_adds_epu16(v0t, q);

		below = _mm512_mask_add_epi16(below, _mm512_cmplt_epu16_mask(lo, v0),
					      below, one);
		above = _mm512_mask_add_epi16(above, _mm512_cmplt_epu16_mask(hi, nb[k]),
					      above, one);
	}
	return _mm512_cmpgt_epu16_mask(below, six) | _mm512_cmpgt_epu16_mask(above, six);
}

LUMEN_DPC_SCREEN_FN(lumen_dpc_screen_avx512)
{
	const __m512i thr = _mm512_set1_epi16((short)(threshold > 65535 ? 65535 :
						       threshold));
	__mmask32 hit;
	int x = 0;

	if (n < 32)
		return lumen_dpc_screen_avx2(up, row, dn, n, threshold);
	for (; x + 32 <= n; x += 32) {
		hit = screen32(up, row, dn, x, thr);
		if (hit)
			return x + __builtin_ctz((unsigned)hit);
	}
	if (x == n)
		return n;
	/* the last 32 again: the pixels before x in it are no candidates,
	 * as the steps before found, so its first candidate is past x */
	x = n - 32;
	hit = screen32(up, row, dn, x, thr);
	return hit ? x + __builtin_ctz((unsigned)hit) : n;
}

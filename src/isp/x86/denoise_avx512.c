// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX-512 (F + BW) fast-denoise row (isp_dsp.h); exact with
 * lumen_denoise_row_c. The arithmetic of the AVX2 kernel
 * (x86/denoise_avx2.c) on 32 samples per step, with what AVX-512BW adds:
 * the two segment tables are one 32-entry register each (vpermw: the low
 * range's segments at 0..15, the high range's at 16..31), so a lane's
 * segment and step are one lookup each; the neighbour test is a mask
 * compare and the sum a masked add. The last n % 32 samples: the last 32
 * again (rows under 32: the AVX2 kernel).
 */
#include <immintrin.h>

#include "isp/isp_dsp.h"

/* A 32-entry table of @lo (entries 0..15) then @hi (16..31). */
static inline __m512i table32(const uint16_t lo[16], const uint16_t hi[16])
{
	return _mm512_inserti64x4(
		_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(const void *)lo)),
		_mm256_loadu_si256((const __m256i *)(const void *)hi), 1);
}

/* Samples i .. i + 31. */
static inline __attribute__((always_inline)) void
block32(uint16_t *dst, const uint16_t *up, const uint16_t *row, const uint16_t *dn,
	int i, __m512i base_tab, __m512i step_tab)
{
	const __m512i v = _mm512_loadu_si512((const void *)(row + i));
	const __mmask32 low = _mm512_cmplt_epu16_mask(v, _mm512_set1_epi16(1024));
	/* segment: v >> 6 below 1024, else 16 + (v >> 10) */
	const __m512i idx = _mm512_mask_blend_epi16(low,
		_mm512_add_epi16(_mm512_srli_epi16(v, 10), _mm512_set1_epi16(16)),
		_mm512_srli_epi16(v, 6));
	/* the offset in the segment, moved to the top of 16 bits */
	const __m512i off = _mm512_mask_blend_epi16(low,
		_mm512_slli_epi16(_mm512_and_si512(v, _mm512_set1_epi16(1023)), 6),
		_mm512_slli_epi16(_mm512_and_si512(v, _mm512_set1_epi16(63)), 10));
	const __m512i t = _mm512_add_epi16(_mm512_permutexvar_epi16(idx, base_tab),
		_mm512_mulhi_epu16(_mm512_permutexvar_epi16(idx, step_tab), off));
	const uint16_t *const nb[8] = { up + i - 2, up + i, up + i + 2, row + i - 2,
					row + i + 2, dn + i - 2, dn + i, dn + i + 2 };
	__m512i s = _mm512_setzero_si512();

	for (int k = 0; k < 8; k++) {
		const __m512i d = _mm512_sub_epi16(_mm512_loadu_si512((const void *)nb[k]), v);

		/* |d| <= 16383 and t >= 0: a signed compare holds */
		s = _mm512_mask_add_epi16(s, _mm512_cmple_epi16_mask(_mm512_abs_epi16(d), t),
					  s, d);
	}
	s = _mm512_add_epi16(v, _mm512_mulhrs_epi16(s, _mm512_set1_epi16(3641)));
	s = _mm512_min_epi16(_mm512_max_epi16(s, _mm512_setzero_si512()),
			     _mm512_set1_epi16(LUMEN_WORK_MAX));
	_mm512_storeu_si512((void *)(dst + i), s);
}

LUMEN_DENOISE_ROW_FN(lumen_denoise_row_avx512)
{
	__m512i base_tab, step_tab;
	int i = 0;

	if (n < 32) {
		lumen_denoise_row_avx2(dst, up, row, dn, n, c);
		return;
	}
	base_tab = table32(c->lo_base, c->hi_base);
	step_tab = table32(c->lo_step, c->hi_step);
	for (; i + 32 <= n; i += 32)
		block32(dst, up, row, dn, i, base_tab, step_tab);
	/* the rest: the last 32 again (dst overlaps no input row) */
	if (i < n)
		block32(dst, up, row, dn, n - 32, base_tab, step_tab);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 fast-denoise row (isp_dsp.h); exact with lumen_denoise_row_c.
 *
 * 16 samples per step in 16-bit lanes: the differences to the eight
 * neighbours fit (samples are at most LUMEN_WORK_MAX), and so does their
 * sum (thresholds at most 4000). The threshold's segment tables live in
 * registers as byte tables (low and high bytes apart, the same in both
 * 128-bit lanes) looked up with vpshufb: a lane's index byte is its
 * segment, the byte above it 0x80, which reads as zero. The step times the
 * offset, shifted, is vpmulhuw of the step and the offset moved to the top
 * of 16 bits. The low and high tables are both looked up and the lane's
 * range picks one. vpmulhrsw by 3641 is the C (s * 3641 + 16384) >> 15.
 * The last n % 16 samples: the last 16 again (rows under 16: the C kernel).
 */
#include <immintrin.h>

#include "isp/isp_dsp.h"

/* The low and high bytes of a 16-entry table, each in both lanes. */
static inline void bytes16(const uint16_t t[16], __m256i *lo, __m256i *hi)
{
	const __m128i a = _mm_loadu_si128((const __m128i *)(const void *)t);
	const __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(t + 8));
	const __m128i m = _mm_set1_epi16(0xff);

	*lo = _mm256_broadcastsi128_si256(_mm_packus_epi16(_mm_and_si128(a, m),
							   _mm_and_si128(b, m)));
	*hi = _mm256_broadcastsi128_si256(_mm_packus_epi16(_mm_srli_epi16(a, 8),
							   _mm_srli_epi16(b, 8)));
}

/* Entries @idx (16-bit lanes, each 0..15 with 0x80 in its high byte). */
static inline __attribute__((always_inline)) __m256i
look16(__m256i lo, __m256i hi, __m256i idx)
{
	return _mm256_or_si256(_mm256_shuffle_epi8(lo, idx),
			       _mm256_slli_epi16(_mm256_shuffle_epi8(hi, idx), 8));
}

static inline __attribute__((always_inline)) __m256i
keep(__m256i s, const uint16_t *p, __m256i v, __m256i t)
{
	const __m256i d = _mm256_sub_epi16(_mm256_loadu_si256((const __m256i *)(const void *)p), v);
	const __m256i out = _mm256_cmpgt_epi16(_mm256_abs_epi16(d), t);

	return _mm256_add_epi16(s, _mm256_andnot_si256(out, d));
}

/* The segment tables of a row, in registers. */
struct tables {
	__m256i lb_lo, lb_hi, ls_lo, ls_hi, hb_lo, hb_hi, hs_lo, hs_hi;
};

/* Samples i .. i + 15. */
static inline __attribute__((always_inline)) void
block16(uint16_t *dst, const uint16_t *up, const uint16_t *row,
	const uint16_t *dn, int i, const struct tables *tb)
{
	const __m256i top = _mm256_set1_epi16((short)0x8000);
	const __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(row + i));
	/* v < 1024: v >> 6 is 0..15; v >> 10 always is */
	const __m256i il = _mm256_or_si256(_mm256_srli_epi16(v, 6), top);
	const __m256i ih = _mm256_or_si256(_mm256_srli_epi16(v, 10), top);
	const __m256i tl = _mm256_add_epi16(look16(tb->lb_lo, tb->lb_hi, il),
		_mm256_mulhi_epu16(look16(tb->ls_lo, tb->ls_hi, il),
			_mm256_slli_epi16(_mm256_and_si256(v, _mm256_set1_epi16(63)), 10)));
	const __m256i th = _mm256_add_epi16(look16(tb->hb_lo, tb->hb_hi, ih),
		_mm256_mulhi_epu16(look16(tb->hs_lo, tb->hs_hi, ih),
			_mm256_slli_epi16(_mm256_and_si256(v, _mm256_set1_epi16(1023)), 6)));
	/* samples are at most LUMEN_WORK_MAX: a signed compare holds */
	const __m256i t = _mm256_blendv_epi8(th, tl,
		_mm256_cmpgt_epi16(_mm256_set1_epi16(1024), v));
	__m256i s = _mm256_setzero_si256();

	s = keep(s, up + i - 2, v, t);
	s = keep(s, up + i, v, t);
	s = keep(s, up + i + 2, v, t);
	s = keep(s, row + i - 2, v, t);
	s = keep(s, row + i + 2, v, t);
	s = keep(s, dn + i - 2, v, t);
	s = keep(s, dn + i, v, t);
	s = keep(s, dn + i + 2, v, t);
	s = _mm256_add_epi16(v, _mm256_mulhrs_epi16(s, _mm256_set1_epi16(3641)));
	s = _mm256_min_epi16(_mm256_max_epi16(s, _mm256_setzero_si256()),
			     _mm256_set1_epi16(LUMEN_WORK_MAX));
	_mm256_storeu_si256((__m256i *)(void *)(dst + i), s);
}

LUMEN_DENOISE_ROW_FN(lumen_denoise_row_avx2)
{
	struct tables tb;
	int i = 0;

	if (n < 16) {
		lumen_denoise_row_c(dst, up, row, dn, n, c);
		return;
	}
	bytes16(c->lo_base, &tb.lb_lo, &tb.lb_hi);
	bytes16(c->lo_step, &tb.ls_lo, &tb.ls_hi);
	bytes16(c->hi_base, &tb.hb_lo, &tb.hb_hi);
	bytes16(c->hi_step, &tb.hs_lo, &tb.hs_hi);
	for (; i + 16 <= n; i += 16)
		block16(dst, up, row, dn, i, &tb);
	/* the rest: the last 16 again (dst overlaps no input row, so the
	 * samples done twice come out the same) */
	if (i < n)
		block16(dst, up, row, dn, n - 16, &tb);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 black level / gain row (blc and wb); exact with lumen_scale_row_c
 * (isp_dsp.h).
 *
 * 16 samples per step in unsigned 16-bit lanes whose constants alternate
 * between the two CFA phases. The Q16 scale s is split into 16-bit halves
 * sh and sl, and
 *   (v s + 0x8000) >> 16 = v sh + hi16(v sl) + (lo16(v sl) >> 15),
 * exactly, because v sh has no low bits and the rounding constant only
 * carries when bit 15 of v sl is set. With v clamped to vmax the true
 * result is at most 2 * LUMEN_WORK_MAX, so the 16-bit sums cannot wrap.
 * The row may be in place, so the last width % 16 samples go through C
 * rather than an overlapping step.
 */
#include <immintrin.h>

#include "core/pack.h"
#include "isp/isp_dsp.h"

static inline __m256i alt(uint32_t even, uint32_t odd)
{
	return _mm256_set1_epi32((int)((even & 0xffff) | (odd & 0xffff) << 16));
}

/* The map of isp_dsp.h on 16 samples; see above for why it is exact. */
static inline __attribute__((always_inline)) __m256i
scale16(__m256i v, __m256i black, __m256i vmax, __m256i sh, __m256i sl,
	__m256i maxv)
{
	__m256i r;

	v = _mm256_min_epu16(_mm256_subs_epu16(v, black), vmax);
	r = _mm256_add_epi16(_mm256_mullo_epi16(v, sh), _mm256_mulhi_epu16(v, sl));
	r = _mm256_add_epi16(r, _mm256_srli_epi16(_mm256_mullo_epi16(v, sl), 15));
	return _mm256_min_epu16(r, maxv);
}

LUMEN_SCALE_ROW_FN(lumen_scale_row_avx2)
{
	const __m256i black = alt(p->black[0], p->black[1]);
	const __m256i vmax = alt(p->vmax[0], p->vmax[1]);
	const __m256i sh = alt(p->scale[0] >> 16, p->scale[1] >> 16);
	const __m256i sl = alt(p->scale[0], p->scale[1]);
	const __m256i maxv = _mm256_set1_epi16(LUMEN_WORK_MAX);
	int x = 0;

	for (; x + 16 <= width; x += 16) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(src + x));

		_mm256_storeu_si256((__m256i *)(void *)(dst + x),
				    scale16(v, black, vmax, sh, sl, maxv));
	}
	if (x < width)
		lumen_scale_row_c(dst + x, src + x, width - x, p);
}

/*
 * RAW10 in: 16 samples are four 5-byte groups. Two 16-byte loads (bytes
 * 0..15 and 10..25 of the 20) put groups 0-1 and 2-3 in the two 128-bit
 * lanes at the same offsets, so one in-lane byte shuffle serves both: the
 * high eight bits of sample j of a group to the high byte of a word (then
 * shifted down by 6), its group's fifth byte to the low byte, multiplied
 * by 2^(6 - 2j) so that its two bits land in bits 6..7 of the word. Each
 * step reads 6 bytes past its 20, so steps stop 26 bytes before the end of
 * the row's bytes, and the rest (at least the last 4 samples) goes
 * through C.
 */
LUMEN_BLC10_ROW_FN(lumen_blc10_row_avx2)
{
	const __m256i black = alt(p->black[0], p->black[1]);
	const __m256i vmax = alt(p->vmax[0], p->vmax[1]);
	const __m256i sh = alt(p->scale[0] >> 16, p->scale[1] >> 16);
	const __m256i sl = alt(p->scale[0], p->scale[1]);
	const __m256i maxv = _mm256_set1_epi16(LUMEN_WORK_MAX);
	/* per lane: samples 0..3 of group 0 (bytes 0..3, low bits in 4) and
	 * of group 1 (bytes 5..8, low bits in 9); -1 clears a byte */
	const __m256i hi_sel = _mm256_broadcastsi128_si256(_mm_setr_epi8(
		-1, 0, -1, 1, -1, 2, -1, 3, -1, 5, -1, 6, -1, 7, -1, 8));
	const __m256i lo_sel = _mm256_broadcastsi128_si256(_mm_setr_epi8(
		4, -1, 4, -1, 4, -1, 4, -1, 9, -1, 9, -1, 9, -1, 9, -1));
	const __m256i lo_mul = _mm256_broadcastsi128_si256(_mm_setr_epi16(
		64, 16, 4, 1, 64, 16, 4, 1));
	const __m256i two = _mm256_set1_epi16(3 << 6);
	const size_t bytes = lumen_raw10_bytes((size_t)width);
	int x = 0;

	for (; (size_t)x / 4 * 5 + 26 <= bytes && x + 16 <= width; x += 16) {
		const uint8_t *s = src + (size_t)x / 4 * 5;
		__m256i b = _mm256_inserti128_si256(
			_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)s)),
			_mm_loadu_si128((const __m128i *)(const void *)(s + 10)), 1);
		__m256i hi = _mm256_srli_epi16(_mm256_shuffle_epi8(b, hi_sel), 6);
		__m256i lo = _mm256_mullo_epi16(_mm256_shuffle_epi8(b, lo_sel), lo_mul);
		__m256i v = _mm256_or_si256(hi, _mm256_srli_epi16(_mm256_and_si256(lo, two), 6));

		_mm256_storeu_si256((__m256i *)(void *)(dst + x),
				    scale16(v, black, vmax, sh, sl, maxv));
	}
	if (x < width)
		lumen_blc10_row_c(dst + x, src + (size_t)x / 4 * 5, width - x, p);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 sharpen row; exact with lumen_sharpen_row_c (isp_dsp.h).
 *
 * 16 samples per step in 16-bit lanes. The sums that need more than 16
 * bits are taken apart exactly: the luma (r + 2 g + b + 2) >> 2 is
 * pavgw(floor((r + b) / 2), g), the blur (a + 2 b + c + 8) >> 4 is
 * pavgw(floor((floor((a + c) / 2) + b) / 2) >> 1, 0) (a floor halving
 * never changes a later floor), and (diff * amount + 128) >> 8 goes
 * through vpmaddwd with the pair (amount, 128) and back with a saturating
 * pack: the sharpened luma is clipped to the neighbourhood inside 0 ..
 * LUMEN_WORK_MAX anyway, so saturating the step cannot change it. The
 * step is added to each plane as unsigned saturating add and subtract of
 * its two signs, then clipped to LUMEN_WORK_MAX: right for any plane
 * value. The compiler's vectorisation of the shared C body left the
 * column pass scalar (21 ms per 2560x1440 frame at amount 0.5).
 * Remainders of each pass in scalar code.
 */
#include <immintrin.h>

#include "isp/sharpen_row.h"

#define LD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define ST(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), v)

/* floor((a + b) / 2) of any 16-bit lanes */
static inline __m256i avg_floor(__m256i a, __m256i b)
{
	return _mm256_add_epi16(_mm256_and_si256(a, b),
				_mm256_srli_epi16(_mm256_xor_si256(a, b), 1));
}

static inline int clip_work(int v)
{
	return v < 0 ? 0 : v > LUMEN_WORK_MAX ? LUMEN_WORK_MAX : v;
}

LUMEN_SHARPEN_ROW_FN(lumen_sharpen_row_avx2)
{
	uint16_t *vs = tmp + 1, *vlo = vs + w + 2, *vhi = vlo + w + 2;
	const __m256i zero = _mm256_setzero_si256(), one = _mm256_set1_epi16(1);
	const __m256i maxv = _mm256_set1_epi16(LUMEN_WORK_MAX);
	const __m256i ka = _mm256_set1_epi32((int)((uint32_t)a | 128u << 16));
	/* the plane pointers in registers: the stores could alias pl[] */
	uint16_t *const pn[3] = { pl[0], pl[1], pl[2] };
	int x;

	if (nx) {
		for (x = 0; x + 16 <= w; x += 16)
			ST(nl + x, _mm256_avg_epu16(avg_floor(LD(nx[0] + x), LD(nx[2] + x)),
						    LD(nx[1] + x)));
		for (; x < w; x++)
			nl[x] = (uint16_t)((nx[0][x] + 2 * nx[1][x] + nx[2][x] + 2) >> 2);
		nl[-1] = nl[w > 1 ? 1 : 0];
		nl[w] = nl[w > 1 ? w - 2 : 0];
	}
	/* column sums and extremes, -1 .. w */
	for (x = -1; x + 16 <= w + 1; x += 16) {
		const __m256i p = LD(u + x), q = LD(m + x), r = LD(d + x);

		ST(vs + x, _mm256_add_epi16(_mm256_add_epi16(p, r), _mm256_add_epi16(q, q)));
		ST(vlo + x, _mm256_min_epu16(_mm256_min_epu16(p, q), r));
		ST(vhi + x, _mm256_max_epu16(_mm256_max_epu16(p, q), r));
	}
	for (; x <= w; x++) {
		const int p = u[x], q = m[x], r = d[x];
		const int lo = p < q ? p : q, hi = p > q ? p : q;

		vs[x] = (uint16_t)(p + 2 * q + r);
		vlo[x] = (uint16_t)(lo < r ? lo : r);
		vhi[x] = (uint16_t)(hi > r ? hi : r);
	}
	/* across, and the step into the planes */
	for (x = 0; x + 16 <= w; x += 16) {
		const __m256i v = LD(m + x);
		const __m256i h2 = avg_floor(avg_floor(LD(vs + x - 1), LD(vs + x + 1)),
					     LD(vs + x));
		const __m256i blur = _mm256_avg_epu16(_mm256_srli_epi16(h2, 1), zero);
		const __m256i diff = _mm256_sub_epi16(v, blur);
		const __m256i t = _mm256_packs_epi32(
			_mm256_srai_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(diff, one), ka), 8),
			_mm256_srai_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(diff, one), ka), 8));
		const __m256i lo = _mm256_min_epu16(_mm256_min_epu16(LD(vlo + x - 1), LD(vlo + x)),
						    LD(vlo + x + 1));
		const __m256i hi = _mm256_max_epu16(_mm256_max_epu16(LD(vhi + x - 1), LD(vhi + x)),
						    LD(vhi + x + 1));
		const __m256i yn = _mm256_min_epi16(_mm256_max_epi16(_mm256_adds_epi16(v, t), lo), hi);
		const __m256i dy = _mm256_sub_epi16(yn, v);
		const __m256i pos = _mm256_max_epi16(dy, zero);
		const __m256i neg = _mm256_max_epi16(_mm256_sub_epi16(zero, dy), zero);

		for (int c = 0; c < 3; c++)
			ST(pn[c] + x, _mm256_min_epu16(_mm256_subs_epu16(
				_mm256_adds_epu16(LD(pn[c] + x), pos), neg), maxv));
	}
	for (; x < w; x++) {
		const int dy = lumen_sharpen_yn(vs, vlo, vhi, m[x], x, a) - m[x];

		for (int c = 0; c < 3; c++)
			pn[c][x] = (uint16_t)clip_work(pn[c][x] + dy);
	}
}

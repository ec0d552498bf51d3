// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 pre-screen of the defective-pixel correction; exact with
 * lumen_dpc_screen_c (isp_dsp.h states the test).
 *
 * 16 pixels per step in unsigned 16-bit lanes. The sums of the test are
 * formed with saturating adds: once a sum reaches 65535 it can no longer be
 * below any sample, which is what the exact sum says too, so saturation
 * never changes an answer. "a < b" is "b -sat a != 0". Each neighbour adds
 * -1 or 0 to two counters per lane; a lane is a candidate when at most one
 * neighbour failed a test (counter > -2). A cheaper necessary test on the
 * median of three neighbours (as in the C screen) skips most steps first.
 * The last width % 16 pixels go through the C screen.
 */
#include <immintrin.h>

#include "isp/isp_dsp.h"

#define LD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))

LUMEN_DPC_SCREEN_FN(lumen_dpc_screen_avx2)
{
	const __m256i thr = _mm256_set1_epi16((short)(threshold > 65535 ? 65535 :
						       threshold));
	const __m256i zero = _mm256_setzero_si256();
	const __m256i limit = _mm256_set1_epi16(-2);
	int x = 0;

	for (; x + 16 <= n; x += 16) {
		const __m256i v0 = LD(row + x);
		const __m256i v0t = _mm256_adds_epu16(v0, thr);
		const __m256i a = LD(row + x - 2), b = LD(row + x + 2), c = LD(up + x);
		const __m256i nb[8] = {
			a, b, c, LD(dn + x),
			LD(up + x - 2), LD(dn + x + 2), LD(up + x + 2), LD(dn + x - 2),
		};
		const __m256i med = _mm256_max_epu16(_mm256_min_epu16(a, b),
			_mm256_min_epu16(_mm256_max_epu16(a, b), c));
		__m256i near, far;

		/* the C screen's chunk test: two of any three neighbours must
		 * be beyond the margin, so their median: med + med/16 + thr <
		 * v0 or v0 + thr < med - med/16 */
		near = _mm256_adds_epu16(_mm256_adds_epu16(med,
			_mm256_srli_epi16(med, 4)), thr);
		far = _mm256_sub_epi16(med, _mm256_srli_epi16(med, 4));
		if (_mm256_testz_si256(_mm256_or_si256(_mm256_subs_epu16(v0, near),
						       _mm256_subs_epu16(far, v0t)),
				       _mm256_set1_epi16(-1)))
			continue;

		/* count of neighbours NOT below / NOT above, as -count */
		__m256i not_below = zero, not_above = zero;
		unsigned mask;

		for (int k = 0; k < 8; k++) {
			__m256i q = _mm256_srli_epi16(nb[k], 4);
			__m256i lo = _mm256_adds_epu16(_mm256_adds_epu16(nb[k], q), thr);
			__m256i hi = _mm256_adds_epu16(v0t, q);

			/* below: lo < v0; above: hi < nb */
			not_below = _mm256_add_epi16(not_below, _mm256_cmpeq_epi16(
				_mm256_subs_epu16(v0, lo), zero));
			not_above = _mm256_add_epi16(not_above, _mm256_cmpeq_epi16(
				_mm256_subs_epu16(nb[k], hi), zero));
		}
		mask = (unsigned)_mm256_movemask_epi8(_mm256_or_si256(
			_mm256_cmpgt_epi16(not_below, limit),
			_mm256_cmpgt_epi16(not_above, limit)));
		if (mask)
			return x + __builtin_ctz(mask) / 2;
	}
	return x + lumen_dpc_screen_c(up + x, row + x, dn + x, n - x, threshold);
}

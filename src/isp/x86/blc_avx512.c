// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX-512 (F + BW) black level straight from RAW10; exact with
 * lumen_blc10_row_c (isp_dsp.h).
 *
 * 32 samples per step are eight 5-byte groups, 40 bytes, read as 64
 * while the row has them and then with a masked load (nothing past the
 * 40; masked loads are much slower on Zen 4: 0.94 against 0.28 ms a
 * 2560x1440 frame when every step used one), so steps run to the last
 * whole 32 and only width % 32 samples go through C. vpermd gives 128-bit
 * lane k the dwords holding bytes 10k .. 10k + 9 (groups 2k and 2k + 1),
 * at offset 0 in lanes 0 and 2 and 2 in lanes 1 and 3; one in-lane byte
 * shuffle per part then puts each sample's high eight bits in the high
 * byte of its word (shifted down by 6: bits 2..9) and its group's fifth
 * byte in the low byte, shifted right per word by 2j (vpsrlvw) so that
 * sample j's two low bits are bits 0..1. The black level and scale are
 * the AVX-512 scale row's (x86/scale_avx512.h).
 */
#include <immintrin.h>

#include "core/pack.h"
#include "isp/isp_dsp.h"
#include "isp/x86/scale_avx512.h"

/* in-lane byte selections for lanes at offset 0 and at offset 2 */
#define SEL_HI(o) -1, 0 + (o), -1, 1 + (o), -1, 2 + (o), -1, 3 + (o), \
		  -1, 5 + (o), -1, 6 + (o), -1, 7 + (o), -1, 8 + (o)
#define SEL_LO(o) 4 + (o), -1, 4 + (o), -1, 4 + (o), -1, 4 + (o), -1, \
		  9 + (o), -1, 9 + (o), -1, 9 + (o), -1, 9 + (o), -1

LUMEN_BLC10_ROW_FN(lumen_blc10_row_avx512)
{
	struct scale512 k;
	const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 2, 3, 4, 5,
						5, 6, 7, 8, 7, 8, 9, 10);
	const __m512i hi_sel = _mm512_broadcast_i64x4(_mm256_setr_epi8(
		SEL_HI(0), SEL_HI(2)));
	const __m512i lo_sel = _mm512_broadcast_i64x4(_mm256_setr_epi8(
		SEL_LO(0), SEL_LO(2)));
	/* sample j of a group: right by 2 j (word j of each 64 bits) */
	const __m512i lo_shift = _mm512_set1_epi64(0x0006000400020000ll);
	const __m512i three = _mm512_set1_epi16(3);
	const size_t bytes = lumen_raw10_bytes((size_t)width);
	int x = 0;

	scale512_init(&k, p);
	for (; x + 32 <= width; x += 32) {
		const uint8_t *s = src + (size_t)x / 4 * 5;
		/* whole 64 bytes while the row has them, then masked */
		const __m512i b = _mm512_permutexvar_epi32(lanes,
			(size_t)x / 4 * 5 + 64 <= bytes ? _mm512_loadu_si512((const void *)s) :
			_mm512_maskz_loadu_epi8((__mmask64)0xffffffffffull, s));
		const __m512i v = _mm512_or_si512(
			_mm512_srli_epi16(_mm512_shuffle_epi8(b, hi_sel), 6),
			_mm512_and_si512(_mm512_srlv_epi16(_mm512_shuffle_epi8(b, lo_sel),
							   lo_shift), three));

		_mm512_storeu_si512((void *)(dst + x), scale512(v, &k));
	}
	if (x < width)
		lumen_blc10_row_c(dst + x, src + (size_t)x / 4 * 5, width - x, p);
}

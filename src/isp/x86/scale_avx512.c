// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX-512 (F + BW) black level / gain row (blc of 16-bit input, and wb);
 * exact with lumen_scale_row_c (isp_dsp.h). The arithmetic of the AVX2 row
 * (x86/scale_avx2.c, which says why it is exact) on 32 samples per step.
 * The row may be in place, so the last width % 32 samples go through the
 * AVX2 row rather than an overlapping step.
 */
#include "isp/x86/scale_avx512.h"

LUMEN_SCALE_ROW_FN(lumen_scale_row_avx512)
{
	struct scale512 k;
	int x = 0;

	scale512_init(&k, p);
	for (; x + 32 <= width; x += 32)
		_mm512_storeu_si512((void *)(dst + x),
				    scale512(_mm512_loadu_si512((const void *)(src + x)), &k));
	if (x < width)
		lumen_scale_row_avx2(dst + x, src + x, width - x, p);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 sharpen row: the C kernel's code (isp/sharpen_row.h) compiled with
 * AVX2 and, on GCC, loop vectorisation (clang vectorises at -O2 anyway);
 * integer only, so exact with lumen_sharpen_row_c.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize")
#endif

#include "isp/sharpen_row.h"

LUMEN_SHARPEN_ROW_FN(lumen_sharpen_row_avx2)
{
	if (nx)
		lumen_sharpen_luma_body(nx, nl, w);
	lumen_sharpen_row_body(pl, u, m, d, tmp, w, a);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON sharpen row: the C kernel's code (isp/sharpen_row.h) compiled with
 * NEON and, on GCC, loop vectorisation; integer only, so exact with
 * lumen_sharpen_row_c.
 */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize")
#endif

#include "isp/sharpen_row.h"

LUMEN_SHARPEN_ROW_FN(lumen_sharpen_row_neon)
{
	if (nx)
		lumen_sharpen_luma_body(nx, nl, w);
	lumen_sharpen_row_body(pl, u, m, d, tmp, w, a);
}

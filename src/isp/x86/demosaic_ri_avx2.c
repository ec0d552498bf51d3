// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX2 build of the residual-interpolation demosaic's tile kernel: the
 * body in demosaic_ri_tile.h, compiled with -mavx2 (eight floats a vector).
 * -std=c11 keeps a * b + c unfused, so it gives the C kernel's bits.
 */
#define RI_TILE_FN lumen_demosaic_ri_tile_avx2
#include "isp/demosaic_ri_tile.h"

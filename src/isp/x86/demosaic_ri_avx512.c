// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * AVX-512 (F + BW) build of the residual-interpolation demosaic's tile
 * kernel: the body in demosaic_ri_tile.h, compiled with -mavx512f
 * -mavx512bw (sixteen floats a vector). -std=c11 keeps a * b + c unfused,
 * so it gives the C kernel's bits (tests/test_demosaic_ri.c).
 */
#define RI_TILE_FN lumen_demosaic_ri_tile_avx512
#include "isp/demosaic_ri_tile.h"

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEON build of the residual-interpolation demosaic's tile kernel: the
 * body in demosaic_ri_tile.h, compiled with the NEON flags (four floats a
 * vector; on armhf the vectoriser needs -funsafe-math-optimizations for
 * float, so there this is scalar VFP code unless the compiler proves it
 * safe). -std=c11 keeps a * b + c unfused, so it gives the C kernel's bits.
 */
#define RI_TILE_FN lumen_demosaic_ri_tile_neon
#include "isp/demosaic_ri_tile.h"

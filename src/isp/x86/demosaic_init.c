// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * x86 dispatch ladder of the demosaic kernels. Built without ISA flags, so
 * it runs on any x86 CPU; it only installs kernels the CPU has.
 */
#include "core/cpu.h"
#include "isp/demosaic_dsp.h"

void lumen_demosaic_dsp_init_x86(struct lumen_demosaic_dsp *dsp)
{
	unsigned flags = lumen_cpu_flags();

	if (!(flags & LUMEN_CPU_AVX2))
		return;
	dsp->row = lumen_demosaic_row_avx2;
	dsp->ri_tile = lumen_demosaic_ri_tile_avx2;
	if (!(flags & LUMEN_CPU_AVX512))
		return;
	dsp->ri_tile = lumen_demosaic_ri_tile_avx512;
	if ((flags & (LUMEN_CPU_AVX512 | LUMEN_CPU_AVX512VNNI)) !=
	    (LUMEN_CPU_AVX512 | LUMEN_CPU_AVX512VNNI))
		return;
	dsp->row = lumen_demosaic_row_avx512;
	dsp->tone_row = lumen_demosaic_tone_row_avx512;
}

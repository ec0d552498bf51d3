// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ARM dispatch ladder of the demosaic kernels. Built without ISA flags; on
 * 32-bit ARM NEON is optional and checked at run time.
 */
#include "core/cpu.h"
#include "isp/demosaic_dsp.h"

void lumen_demosaic_dsp_init_arm(struct lumen_demosaic_dsp *dsp)
{
	unsigned flags = lumen_cpu_flags();

	if (!(flags & LUMEN_CPU_NEON))
		return;
	dsp->row = lumen_demosaic_row_neon;
	dsp->ri_tile = lumen_demosaic_ri_tile_neon;
}

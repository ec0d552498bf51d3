// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ARM dispatch ladder of the scaler kernels. Built without ISA flags; on
 * 32-bit ARM NEON is optional and checked at run time.
 */
#include "core/cpu.h"
#include "scale/scale.h"

void lumen_scale_dsp_init_arm(struct lumen_scale_dsp *dsp)
{
	unsigned flags = lumen_cpu_flags();

	if (!(flags & LUMEN_CPU_NEON))
		return;
	dsp->v = lumen_scale_v_neon;
	dsp->h = lumen_scale_h_neon;
}

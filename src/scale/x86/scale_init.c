// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * x86 dispatch ladder of the scaler kernels. Built without ISA flags, so
 * it runs on any x86 CPU; it only installs kernels the CPU has.
 */
#include "core/cpu.h"
#include "scale/scale.h"

void lumen_scale_dsp_init_x86(struct lumen_scale_dsp *dsp)
{
	unsigned flags = lumen_cpu_flags();

	if (!(flags & LUMEN_CPU_AVX2))
		return;
	dsp->v = lumen_scale_v_avx2;
	dsp->h = lumen_scale_h_avx2;
}

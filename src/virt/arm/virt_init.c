// SPDX-License-Identifier: GPL-2.0-or-later
/* ARM dispatch ladder of the virtual sensor's kernels; no ISA flags. */
#include "core/cpu.h"
#include "virt/noise_dsp.h"

void lumen_noise_dsp_init_arm(struct lumen_noise_dsp *dsp)
{
	if (!(lumen_cpu_flags() & LUMEN_CPU_NEON))
		return;
	dsp->row = lumen_noise_row_neon;
}

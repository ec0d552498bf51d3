// SPDX-License-Identifier: GPL-2.0-or-later
/* x86 dispatch ladder of the CSI-2 kernels (csi2_dsp.h); no ISA flags. */
#include "core/cpu.h"
#include "link/csi2_dsp.h"

void lumen_csi2_dsp_init_x86(struct lumen_csi2_dsp *dsp)
{
	if (!(lumen_cpu_flags() & LUMEN_CPU_AVX2))
		return;
	__builtin_cpu_init();
	if (__builtin_cpu_supports("pclmul"))
		dsp->crc16 = lumen_csi2_crc16_update_clmul;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* x86 dispatch ladder of the CSI-2 kernels (csi2_dsp.h); no ISA flags. */
#include "core/cpu.h"
#include "link/csi2_dsp.h"

void lumen_csi2_dsp_init_x86(struct lumen_csi2_dsp *dsp)
{
	if (!(lumen_cpu_flags() & LUMEN_CPU_AVX2))
		return;
	dsp->split2 = lumen_lane_split2_avx2;
	dsp->split4 = lumen_lane_split4_avx2;
	dsp->merge2 = lumen_lane_merge2_avx2;
	dsp->merge4 = lumen_lane_merge4_avx2;
	__builtin_cpu_init();
	if (__builtin_cpu_supports("pclmul"))
		dsp->crc16 = lumen_csi2_crc16_update_clmul;
}

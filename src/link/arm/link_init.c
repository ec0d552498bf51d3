// SPDX-License-Identifier: GPL-2.0-or-later
/* ARM dispatch ladder of the CSI-2 kernels (csi2_dsp.h); no ISA flags. */
#include "core/cpu.h"
#include "link/csi2_dsp.h"

#if defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_PMULL
#define HWCAP_PMULL (1 << 4)	/* arch/arm64/include/uapi/asm/hwcap.h */
#endif
#endif

void lumen_csi2_dsp_init_arm(struct lumen_csi2_dsp *dsp)
{
	if (!(lumen_cpu_flags() & LUMEN_CPU_NEON))
		return;
	dsp->split2 = lumen_lane_split2_neon;
	dsp->split4 = lumen_lane_split4_neon;
	dsp->merge2 = lumen_lane_merge2_neon;
	dsp->merge4 = lumen_lane_merge4_neon;
#if defined(__aarch64__)
	if (getauxval(AT_HWCAP) & HWCAP_PMULL)
		dsp->crc16 = lumen_csi2_crc16_update_pmull;
#endif
}

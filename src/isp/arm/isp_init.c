// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ARM dispatch ladder of the ISP stage kernels (isp_dsp.h). Built without
 * ISA flags; on 32-bit ARM NEON is optional and checked at run time.
 */
#include "core/cpu.h"
#include "isp/isp_dsp.h"

void lumen_isp_dsp_init_arm(struct lumen_isp_dsp *dsp)
{
	unsigned flags = lumen_cpu_flags();

	if (!(flags & LUMEN_CPU_NEON))
		return;
	(void)dsp;
}

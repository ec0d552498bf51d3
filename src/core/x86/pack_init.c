// SPDX-License-Identifier: GPL-2.0-or-later
/* x86 dispatch ladder of the RAW10 kernels (pack_dsp.h); no ISA flags. */
#include "core/cpu.h"
#include "core/pack_dsp.h"

void lumen_pack_dsp_init_x86(struct lumen_pack_dsp *dsp)
{
	if (!(lumen_cpu_flags() & LUMEN_CPU_AVX2))
		return;
	dsp->unpack10 = lumen_unpack_raw10_avx2;
	dsp->pack10 = lumen_pack_raw10_avx2;
}

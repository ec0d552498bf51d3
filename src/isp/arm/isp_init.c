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
	dsp->scale_row = lumen_scale_row_neon;
	dsp->blc10_row = lumen_blc10_row_neon;
	dsp->dpc_screen = lumen_dpc_screen_neon;
	dsp->stats_span = lumen_stats_span_neon;
	dsp->stats_grid_rows = lumen_stats_grid_rows_neon;
	dsp->stats_grid_rows2 = lumen_stats_grid_rows2_neon;
	dsp->ccm_row = lumen_ccm_row_neon;
	dsp->tone_row = lumen_tone_row_neon;
	dsp->csc420 = lumen_csc420_neon;
	dsp->lsc_row = lumen_lsc_row_neon;
	dsp->denoise_row = lumen_denoise_row_neon;
	dsp->sharpen_row = lumen_sharpen_row_neon;
}

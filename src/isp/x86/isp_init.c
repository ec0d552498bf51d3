// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * x86 dispatch ladder of the ISP stage kernels (isp_dsp.h). Built without
 * ISA flags, so it runs on any x86 CPU; it only installs kernels the CPU
 * has.
 */
#include "core/cpu.h"
#include "isp/isp_dsp.h"

void lumen_isp_dsp_init_x86(struct lumen_isp_dsp *dsp)
{
	unsigned flags = lumen_cpu_flags();

	if (!(flags & LUMEN_CPU_AVX2))
		return;
	dsp->scale_row = lumen_scale_row_avx2;
	dsp->blc10_row = lumen_blc10_row_avx2;
	dsp->dpc_screen = lumen_dpc_screen_avx2;
	dsp->ccm_row = lumen_ccm_row_avx2;
	dsp->csc420 = lumen_csc420_avx2;
	dsp->lsc_row = lumen_lsc_row_avx2;
	dsp->stats_span = lumen_stats_span_avx2;
	dsp->stats_grid_rows = lumen_stats_grid_rows_avx2;
	dsp->stats_grid_rows2 = lumen_stats_grid_rows2_avx2;
	dsp->denoise_row = lumen_denoise_row_avx2;
	dsp->sharpen_row = lumen_sharpen_row_avx2;
	if (!(flags & LUMEN_CPU_AVX512))
		return;
	dsp->tone_row = lumen_tone_row_avx512;
	dsp->ccm_tone_row = lumen_ccm_tone_row_avx512;
	dsp->csc420 = lumen_csc420_avx512;
	dsp->denoise_row = lumen_denoise_row_avx512;
	dsp->dpc_screen = lumen_dpc_screen_avx512;
	dsp->scale_row = lumen_scale_row_avx512;
	dsp->lsc_row = lumen_lsc_row_avx512;
	dsp->blc10_row = lumen_blc10_row_avx512;
	dsp->stats_span = lumen_stats_span_avx512;
	dsp->stats_grid_rows = lumen_stats_grid_rows_avx512;
	dsp->stats_grid_rows2 = lumen_stats_grid_rows2_avx512;
}

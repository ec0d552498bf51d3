// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel table of the ISP stages (isp_dsp.h): the C references from the
 * stage files, then the arch ladder.
 */
#include "isp/isp_dsp.h"

void lumen_isp_dsp_init(struct lumen_isp_dsp *dsp)
{
	dsp->scale_row = lumen_scale_row_c;
	dsp->blc10_row = lumen_blc10_row_c;
	dsp->dpc_screen = lumen_dpc_screen_c;
	dsp->stats_span = lumen_stats_span_c;
	dsp->stats_grid_rows = lumen_stats_grid_rows_c;
	dsp->stats_grid_rows2 = lumen_stats_grid_rows2_c;
	dsp->ccm_row = lumen_ccm_row_c;
	dsp->tone_row = lumen_tone_row_c;
	dsp->ccm_tone_row = NULL;
	dsp->lsc_row = lumen_lsc_row_c;
	dsp->csc420 = lumen_csc420_c;
	dsp->csc422 = lumen_csc422_c;
	dsp->denoise_row = lumen_denoise_row_c;
	dsp->sharpen_row = lumen_sharpen_row_c;
#if defined(LUMEN_HAVE_AVX2)
	lumen_isp_dsp_init_x86(dsp);
#elif defined(LUMEN_HAVE_NEON)
	lumen_isp_dsp_init_arm(dsp);
#endif
}

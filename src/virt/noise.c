// SPDX-License-Identifier: GPL-2.0-or-later
/* The noise kernel's C reference and dispatch (noise_dsp.h). */
#include "virt/noise_dsp.h"

LUMEN_NOISE_ROW_FN(lumen_noise_row_c)
{
	for (int i = 0; i < n; i++)
		dst[i] = lumen_noise_sample(mean[i], ctr + (uint32_t)i, key, t);
}

void lumen_noise_dsp_init(struct lumen_noise_dsp *dsp)
{
	dsp->row = lumen_noise_row_c;
#if defined(LUMEN_HAVE_AVX2)
	lumen_noise_dsp_init_x86(dsp);
#elif defined(LUMEN_HAVE_NEON)
	lumen_noise_dsp_init_arm(dsp);
#endif
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * White balance and colour-correction matrix from ColorChecker samples.
 *
 * Model (the one the ISP applies, see isp/isp.h):
 *   linear sRGB = exposure * ccm * (wb .* camera RGB)
 * with camera RGB black-subtracted and normalised to the sensor range, wb
 * normalised to wb[1] = 1 and every ccm row summing to 1 (a neutral stays
 * neutral). The fit minimises the mean CIEDE2000 difference, in CIELAB D50,
 * between the corrected patches and the reference values.
 */
#ifndef LUMEN_CALIB_CCM_FIT_H
#define LUMEN_CALIB_CCM_FIT_H

#include <stdbool.h>

#include "calib/colorchecker.h"

/* Neutral patches with a green below this fraction of range are too dark
 * to balance on. */
#define LUMEN_CCM_WB_MIN 0.01

struct lumen_ccm_result {
	double wb[3];			/* R, G, B gains, wb[1] = 1 */
	double ccm[3][3];		/* white-balanced camera -> linear sRGB */
	double exposure;		/* scale fitted with the ccm */
	double exposure_before;		/* scale fitted with the identity */
	bool used[LUMEN_CC_PATCHES];	/* patch took part (valid sample) */
	int wb_patches;			/* neutrals that set the balance */
	int n_used;
	/* per patch CIEDE2000 (0 for unused patches), and over used ones */
	double de_before[LUMEN_CC_PATCHES];	/* wb + exposure, no ccm */
	double de_after[LUMEN_CC_PATCHES];	/* wb + exposure + ccm */
	double de_before_mean, de_before_max;
	double de_after_mean, de_after_max;
};

/*
 * Fits @res from @s (as from lumen_cc_sample_oriented()): gains from the
 * unclipped, not too dark greys (patches 19..22 when possible, the white
 * patch only when no grey is usable), an exposure scale from the neutral
 * row, then the ccm by constrained linear least squares, refined by
 * Nelder-Mead on the mean CIEDE2000 over all valid patches.
 * Returns 0, -EINVAL (NULL) or -EDOM (no usable neutral patch, fewer than
 * 9 valid patches, or a degenerate fit); @res is filled only on 0.
 */
int lumen_ccm_fit(const struct lumen_cc_sample s[LUMEN_CC_PATCHES],
		  struct lumen_ccm_result *res);

/* CIEDE2000 of every patch for given parameters; unused patches get 0.
 * Returns the mean over the patches flagged in @used. */
double lumen_ccm_delta_e(const struct lumen_cc_sample s[LUMEN_CC_PATCHES],
			 const bool used[LUMEN_CC_PATCHES],
			 const double wb[3], const double ccm[3][3],
			 double exposure, double de[LUMEN_CC_PATCHES]);

#endif

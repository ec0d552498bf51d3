/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * X-Rite ColorChecker Classic (24 patches): reference values, patch sampling
 * straight from a raw Bayer frame, and automatic chart detection.
 *
 * Patches are numbered 0..23 row-major with the chart upright (the text
 * "colorchecker" on top): 0 = dark skin ... 5 = bluish green, 18 = white ...
 * 23 = black.
 *
 * Corners. A chart position is four points (x, y), in full-resolution pixel
 * coordinates where pixel (i, j) covers [i, i+1) x [j, j+1), on the outer
 * corners of the 6x4 patch grid (the outer edges of the outer patches, not
 * the chart's frame), in this order:
 *   c[0] the corner of patch 0  (dark skin)      "TL"
 *   c[1] the corner of patch 5  (bluish green)   "TR"
 *   c[2] the corner of patch 23 (black)          "BR"
 *   c[3] the corner of patch 18 (white)          "BL"
 * The chart may appear in the image at any angle or mirrored; the order
 * above, not the image axes, defines which patch is which.
 */
#ifndef LUMEN_CALIB_COLORCHECKER_H
#define LUMEN_CALIB_COLORCHECKER_H

#include <stdbool.h>

#include "core/frame.h"

#define LUMEN_CC_PATCHES 24
#define LUMEN_CC_COLS 6
#define LUMEN_CC_ROWS 4
#define LUMEN_CC_FIRST_NEUTRAL 18	/* white; 19..22 greys, 23 black */

/* Patch side over patch pitch (the black gaps take the rest). */
#define LUMEN_CC_PATCH_FRAC 0.85

struct lumen_cc_ref {
	const char *name;
	double lab[3];		/* CIELAB, D50, 2 degree observer */
};

extern const struct lumen_cc_ref lumen_cc_ref[LUMEN_CC_PATCHES];

/* One measured patch, in camera RGB before white balance. */
struct lumen_cc_sample {
	/* mean black-subtracted value over the unclipped 2x2 cells, as a
	 * fraction of (white - black): 0 = black, 1 = sensor white */
	double rgb[3];
	double sd[3];		/* standard deviation of the cells, same units */
	int cells;		/* unclipped cells averaged */
	int clipped;		/* cells rejected because a sample clipped */
	bool valid;		/* enough cells and (almost) none clipped */
};

/* Fraction of (white - black) at or above which a sample counts clipped. */
#define LUMEN_CC_CLIP_FRAC 0.97

/*
 * Samples the 24 patches of the chart at @corners (x0,y0, ..., x3,y3 in the
 * order above) from a BAYER8 or BAYER16 frame: for each patch the 2x2 CFA
 * cells whose centre lies in the inner half (by side) of the patch, mapped
 * through the perspective transform of the corners. No demosaic.
 * Returns 0, -EINVAL (bad frame, corners not a convex quadrilateral) or
 * -ERANGE (a sampling window leaves the frame); @out is filled only on 0.
 */
int lumen_cc_sample(const struct lumen_frame *f, const double corners[8],
		    struct lumen_cc_sample out[LUMEN_CC_PATCHES]);

/*
 * As lumen_cc_sample(), but first decides which of the four orders of
 * @corners (as given, rotated 180 degrees, mirrored left-right, mirrored
 * top-bottom) puts the neutral row where it belongs: a row of six patches
 * of one hue, getting darker from white to black. @corners is rewritten in
 * the order found. Returns as lumen_cc_sample(), or -ENOENT when no order
 * looks like a chart.
 */
int lumen_cc_sample_oriented(const struct lumen_frame *f, double corners[8],
			     struct lumen_cc_sample out[LUMEN_CC_PATCHES]);

/*
 * Finds a ColorChecker in @f without help: on a half-resolution image made
 * of the 2x2 CFA cells it segments flat regions, keeps the square ones, and
 * looks for a set of similar squares on a 6x4 lattice (either way up). On
 * success writes the outer grid corners to @corners (not yet oriented: pass
 * them to lumen_cc_sample_oriented()) and returns 0; returns -ENOENT when no
 * chart is found, -EINVAL for a bad frame, -ENOMEM.
 */
int lumen_cc_detect(const struct lumen_frame *f, double corners[8]);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lens-shading calibration: the gain grid of struct lumen_lsc_map
 * (src/isp/lsc.c) measured from a raw shot of a uniformly lit, featureless
 * surface (a flat field: diffuser over the lens, light box, overcast sky).
 */
#ifndef LUMEN_CALIB_LSC_FIT_H
#define LUMEN_CALIB_LSC_FIT_H

#include "core/frame.h"

#define LUMEN_LSC_FIT_MAX_GAIN 8.0f	/* gains are clamped to 1/8 .. 8 */

/* Grid the fit uses for a frame: 17 nodes across, rows in proportion. */
void lumen_lsc_fit_grid(int width, int height, int *grid_w, int *grid_h);

/*
 * Measures @flat (BAYER16, any order; black and white from the frame) on
 * a @grid_w x @grid_h grid laid out as lsc.c reads it (node i at x = i *
 * (width - 1) / (grid_w - 1)). Each node's level, per CFA cell, is a
 * least-squares plane through that cell's samples within half a grid step
 * (which smooths noise and texture, and stays unbiased at the frame edges
 * where the window is one-sided); the gain is the level at the frame centre
 * over the node's level, so the centre keeps its level and colour, clamped
 * to LUMEN_LSC_FIT_MAX_GAIN either way. @gain[c] receives grid_w * grid_h
 * values, rows top down.
 * Returns 0; -EINVAL for a bad frame or grid; -ERANGE when a window is
 * mostly clipped or nearly black (not a usable flat field), with the node
 * in *@bad_x, *@bad_y (may be NULL).
 */
int lumen_lsc_fit(const struct lumen_frame *flat, int grid_w, int grid_h,
		  float *const gain[4], int *bad_x, int *bad_y);

#endif

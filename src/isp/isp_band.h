/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Row-range entry points of the ISP stages, for the ISP itself (isp.c runs
 * them over bands of rows): each does its stage's work on rows [y0, y1) of
 * the working frames of @isp with the kernels of @dsp, on the caller's
 * thread, without allocating. Not for other callers.
 */
#ifndef LUMEN_ISP_ISP_BAND_H
#define LUMEN_ISP_ISP_BAND_H

#include "isp/isp.h"
#include "isp/isp_dsp.h"

/* Lens shading of working rows [y0, y1) in place; builds the context's
 * column tables when the frame or grid width changed. 0 or -EINVAL. */
int lumen_isp_lsc_rows(struct lumen_isp *isp, const struct lumen_isp_dsp *dsp,
		       const struct lumen_lsc_map *map, int y0, int y1);

#endif

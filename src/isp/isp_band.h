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

/* blc (blc.c): the two row phases of @in's black and white levels, or
 * -EINVAL; rows [y0, y1) of @in into @work; then the working levels. */
int lumen_blc_phases(const struct lumen_frame *in, struct lumen_scale_phase ph[2]);
void lumen_blc_rows(const struct lumen_isp_dsp *dsp,
		    const struct lumen_scale_phase ph[2],
		    const struct lumen_frame *in, struct lumen_frame *work,
		    int y0, int y1);
void lumen_blc_finish(const struct lumen_frame *in, struct lumen_frame *work);

/* The dynamic detector's margin (working units) and the static map. */
struct lumen_dpc_setup {
	unsigned threshold;
	const struct lumen_dpc_map *map;
};

/* dpc (dpc.c): the per-frame setup from @p (@work, when the noise must be
 * estimated from the frame: the working raw, or NULL for the floor), and
 * rows [y0, y1) in raster order (row y reads rows y - 2 .. y + 2, so the
 * rows below must be black-level corrected already). Pixels corrected. */
void lumen_dpc_setup(struct lumen_dpc_setup *s, const struct lumen_isp_params *p,
		     const struct lumen_frame *work);
long lumen_dpc_rows(const struct lumen_isp_dsp *dsp, struct lumen_frame *work,
		    const struct lumen_dpc_setup *s, int y0, int y1);

/* wb (wb.c): the row phases of @gain, rows [y0, y1) in place, and whether
 * the stage has nothing to do. */
void lumen_wb_phases(enum lumen_bayer bayer, const float gain[3],
		     struct lumen_scale_phase ph[2]);
void lumen_wb_rows(const struct lumen_isp_dsp *dsp,
		   const struct lumen_scale_phase ph[2], struct lumen_frame *work,
		   int y0, int y1);
bool lumen_wb_is_unity(const struct lumen_isp_params *p);

/* 0 when lumen_lsc_apply() accepts @map on @work, else -EINVAL. */
int lumen_lsc_check(const struct lumen_frame *work,
		    const struct lumen_lsc_map *map);

/* Lens shading of working rows [y0, y1) in place; builds the context's
 * column tables when the frame or grid width changed. 0 or -EINVAL. */
int lumen_isp_lsc_rows(struct lumen_isp *isp, const struct lumen_isp_dsp *dsp,
		       const struct lumen_lsc_map *map, int y0, int y1);

/*
 * The ccm, tone and csc pass (lumen_isp_finish()) on frame rows [y0, y1)
 * (even for 4:2:x outputs), reading row y of a linear RGB16P band at
 * band[p] + (y - y0) * band_stride[p] bytes. @out was checked by the
 * caller (lumen_isp_process_stages()).
 */
void lumen_isp_finish_rows(const struct lumen_isp_dsp *dsp,
			   const uint16_t *const band[3],
			   const size_t band_stride[3], int width,
			   const int32_t q[3][3],
			   const uint8_t lut[LUMEN_WORK_MAX + 1],
			   const struct lumen_csc_coeffs *c,
			   struct lumen_frame *out, int y0, int y1);

#endif

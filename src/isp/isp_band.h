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

/*
 * fast denoise (denoise.c) of rows [y0, y1) in place, in raster order:
 * row y reads rows y - 2 .. y + 2 as they were before any was written,
 * so rows y0 .. y1 + 1 must be final from the stages before. @keep holds
 * three rows (width samples each), row y at (y % 3) x width, kept from one
 * call to the next over bands. For slices on several threads:
 * lumen_denoise_slice_begin(), before any worker writes, copies rows
 * y0 - 2, y0 - 1 into the slice's @keep and rows y1, y1 + 1 into its
 * @below (two rows), which lumen_denoise_fast_rows() then reads instead
 * of the frame's (NULL: the frame's, one thread).
 */
void lumen_denoise_slice_begin(const struct lumen_frame *work, uint16_t *keep,
			       uint16_t *below, int y0, int y1);
void lumen_denoise_fast_rows(const struct lumen_isp_dsp *dsp, struct lumen_frame *work,
			     const struct lumen_denoise_coef *c, uint16_t *keep,
			     const uint16_t *below, int y0, int y1);

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
 * stats (stats.c) in parts, so that it can trail lsc over bands:
 * lumen_stats_begin() clears @st and sets its zone and grid sizes for
 * @work, lumen_stats_rows() adds cell rows [cy0, cy1) (working rows
 * 2 cy0 .. 2 cy1 - 1; the block grid's row that ends there also reads the
 * two working rows below, 2 cy1 and 2 cy1 + 1, so those must be final
 * too), in order, lumen_stats_end() the counts and the histogram. Together,
 * over every cell row, exactly lumen_stats_collect(). The pass lives on the
 * caller's stack (about 8 kB).
 *
 * Slices: lumen_stats_part_begin() starts a part of the pass @main (its
 * own zone sums, clipped counts and histogram, zeroed) that another thread
 * fills with lumen_stats_rows() over other cell rows than @main's; grid
 * rows go straight into the statistics (each block row is one thread's).
 * lumen_stats_part_merge() then adds the part into @main, before
 * lumen_stats_end(). The sums are integers: any split gives the same bits.
 */
struct lumen_stats_grid {
	int b, gw, gh;		/* block side in cells, grid size in blocks */
};

struct lumen_stats_pass {
	const struct lumen_frame *work;
	struct lumen_isp_stats *st;
	uint32_t hist[4][LUMEN_STATS_HIST_BINS];
	int xb[LUMEN_STATS_MAX_ZONES + 1];	/* first cell of each zone column */
	int chan[4];				/* channel at each cell position */
	struct lumen_stats_grid grid;
	bool has_grid;
	uint64_t (*sum)[LUMEN_STATS_MAX_ZONES];	/* zone sums: st's, or a part's */
	uint32_t *clipped;
};

struct lumen_stats_part {
	struct lumen_stats_pass sp;
	uint64_t sum[3][LUMEN_STATS_MAX_ZONES];
	uint32_t clipped[LUMEN_STATS_MAX_ZONES];
};

void lumen_stats_begin(struct lumen_stats_pass *sp, const struct lumen_frame *work,
		       struct lumen_isp_stats *st);
void lumen_stats_rows(struct lumen_stats_pass *sp, const struct lumen_isp_dsp *dsp,
		      int cy0, int cy1);
void lumen_stats_end(struct lumen_stats_pass *sp);
/* Rows [0, result) of the working frame that lumen_stats_rows() reads no
 * more once cell rows [0, @cy) are done, so that a later stage may change
 * them: the zone pass reads a cell row once, but the block grid reads all
 * the rows of a block row when its last cell row is done. */
int lumen_stats_rows_read(const struct lumen_stats_pass *sp, int cy);
void lumen_stats_part_begin(struct lumen_stats_part *pt,
			    const struct lumen_stats_pass *main);
void lumen_stats_part_merge(struct lumen_stats_pass *main,
			    const struct lumen_stats_part *pt);

/*
 * sharpen (sharpen.c) over the bands of one slice of rows [s0, ...): the
 * 8.8 amount as the kernels take it (0 = off); then, per slice,
 * lumen_sharpen_slice_begin() with @rows (LUMEN_ISP_STAGE_ROWS x (w + 2)
 * samples, the slice's own) and lumen_sharpen_slice_rows() for its bands
 * in order: rows [y0, y1) of a band whose row 0 is frame row @ys0 (row y
 * at band[p] + (y - ys0) * stride bytes), which must hold the
 * demosaicked rows y0 .. min(y1, h - 1), and row s0 - 1 too for the
 * slice's first band. Rows y0 .. y1 - 1 are sharpened in place; together,
 * exactly lumen_sharpen_apply() on the frame.
 */
struct lumen_sharpen_slice {
	uint16_t *yl[3], *tmp;
	int w, h, s0, a;
};

int lumen_sharpen_strength(float amount);
void lumen_sharpen_slice_begin(struct lumen_sharpen_slice *sl, uint16_t *rows,
			       int w, int h, int s0, float amount);
void lumen_sharpen_slice_rows(const struct lumen_isp_dsp *dsp,
			      struct lumen_sharpen_slice *sl,
			      uint16_t *const band[3], size_t stride, int ys0,
			      int y0, int y1);

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
			   const struct lumen_tone *tone,
			   const struct lumen_csc_coeffs *c,
			   struct lumen_frame *out, int y0, int y1);

/*
 * The csc step alone on whole rows of 8-bit planar R'G'B' (px[0..2] = R, G,
 * B of row y; px[3..5] of row y + 1 for 4:2:0, unread otherwise) into
 * @out's row y (and y + 1), through the dispatched kernels; for the
 * fused band of isp.c, whose rows come out of lumen_demosaic_tone_rows().
 */
void lumen_isp_csc_rows(const struct lumen_isp_dsp *dsp, struct lumen_frame *out,
			const uint8_t *const px[6], int y, int width,
			const struct lumen_csc_coeffs *c);

#endif

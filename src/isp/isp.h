/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ISP: raw Bayer in, display-referred RGB or YUV out.
 *
 *   input raw -> blc -> dpc -> lsc -> stats -> denoise -> wb -> demosaic
 *             -> sharpen -> ccm -> tone -> csc
 *
 * Working domain. blc turns any raw input (8..16 bits, packed or not, with
 * a black level per CFA cell) into a BAYER16 working frame whose samples are
 * linear in 0..LUMEN_WORK_MAX (black = 0, sensor white = LUMEN_WORK_MAX).
 * Everything up to tone stays in that range, clipping at LUMEN_WORK_MAX, so
 * that every kernel can use 16-bit lanes with two bits of headroom. tone
 * maps it to 8 bits through a table.
 *
 * One file per stage, each exporting one const struct lumen_isp_stage.
 * Stages run in the order of lumen_isp_stages[] on the caller's thread; a
 * stage whose params say "off" returns at once. Nothing is allocated per
 * frame: lumen_isp_create() sizes every working buffer for the largest frame.
 *
 * Bands. lumen_isp_process_stages() runs the stages of two runs of the
 * list fused over bands of LUMEN_ISP_BAND rows, so that a band's rows are
 * still in cache when the next stage reads them, whenever a call covers
 * such a run whole: blc, dpc and lsc (the front: each lags the one before
 * by the two rows its 5x5 neighbourhood needs, so every stage sees exactly
 * the rows it would see frame by frame), and wb, demosaic (fast method),
 * sharpen, ccm, tone and csc (the back: the demosaic writes each band, and
 * the row below it, into a small buffer that sharpening changes in place
 * and the csc pass reads at once, so the RGB16P frame is never written). The result is bit for bit that of the stages one after the
 * other (tests/test_isp_simd.c); each stage's counter still gets its own
 * time, summed over the bands. After a fused back run, rgb holds nothing.
 *
 * Slices. With lumen_isp_set_threads(N > 1), the row-wise stages of those
 * runs split the frame into N slices of rows, one per worker: blc, then
 * dpc (sequential, raster order, on the caller's thread), then lsc; wb,
 * then the demosaic and csc pass over bands in each slice. Each worker
 * writes only its own rows, the steps meet at barriers where a stage reads
 * rows another worker wrote, and the result is the same bits as one thread.
 *
 * Fused pass. ccm and tone only prepare their tables (ccm_q, tone); the
 * csc stage then takes the demosaicked RGB16P frame through matrix, table
 * and colour conversion in one pass straight into the output (see
 * lumen_isp_finish() in isp/isp_dsp.h). So the csc counter covers the work
 * of all three, and after the ccm stage the rgb frame still holds the
 * demosaic's output. Pixel kernels are dispatched per CPU (isp/isp_dsp.h).
 */
#ifndef LUMEN_ISP_ISP_H
#define LUMEN_ISP_ISP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/frame.h"

#define LUMEN_WORK_BITS 14
#define LUMEN_WORK_MAX ((1 << LUMEN_WORK_BITS) - 1)

enum lumen_demosaic_method {
	LUMEN_DEMOSAIC_FAST = 0,	/* gradient-corrected bilinear class */
	LUMEN_DEMOSAIC_QUALITY = 1,	/* residual interpolation + self-fit */
	LUMEN_DEMOSAIC_RI = 2,		/* residual interpolation, one pass */
};

enum lumen_yuv_matrix { LUMEN_YUV_BT601 = 0, LUMEN_YUV_BT709 = 1 };

/* noise reduction on the working raw (isp/denoise.c) */
enum lumen_denoise_method {
	LUMEN_DENOISE_OFF = 0,
	LUMEN_DENOISE_FAST = 1,		/* sigma filter, live frames */
	LUMEN_DENOISE_QUALITY = 2,	/* non-local means on cells, files */
};

/*
 * Lens-shading gains on a coarse grid over the whole frame, one table per
 * CFA cell (row-major 2x2 like lumen_frame.black), interpolated bilinearly
 * between grid points. Gains are >= 1 in the corners of a typical lens.
 */
struct lumen_lsc_map {
	int grid_w, grid_h;		/* >= 2 each */
	const float *gain[4];		/* grid_w * grid_h values each */
};

/*
 * What the stats stage measures, for 3A: per-zone sums over a grid of
 * zones, a luma histogram, and a finer grid of block sums and logs. This is
 * all 3A sees of a frame (as on hardware ISPs, which return statistics, not
 * pixels); docs/isp.md lists who reads what.
 */
#define LUMEN_STATS_MAX_ZONES (32 * 32)
#define LUMEN_STATS_HIST_BINS 256
#define LUMEN_STATS_GRID_MAX_W 160
#define LUMEN_STATS_GRID_MAX_H 120
#define LUMEN_STATS_GRID_MAX (LUMEN_STATS_GRID_MAX_W * LUMEN_STATS_GRID_MAX_H)
struct lumen_isp_stats {
	int zones_x, zones_y;		/* set by the caller before the frame */
	/* in working units, on the black-subtracted, shading-corrected raw,
	 * before white balance; one entry per zone, row-major */
	uint64_t sum[3][LUMEN_STATS_MAX_ZONES];
	uint32_t count[3][LUMEN_STATS_MAX_ZONES];
	/* zone pixels with any channel at or above the clip level */
	uint32_t clipped[LUMEN_STATS_MAX_ZONES];
	/* luma (0.25 R + 0.5 G + 0.25 B of a 2x2 cell), 256 bins over
	 * 0..LUMEN_WORK_MAX, before white balance, of the cells whose cell
	 * column and row are even (a quarter of them; docs/isp.md) */
	uint32_t hist[LUMEN_STATS_HIST_BINS];
	uint32_t cells;			/* 2x2 cells counted in hist */
	/*
	 * The block grid, for the AWB estimators that look at local contrast
	 * (grey edge, grey pixels, the cool-edge step; awb.c), filled by the
	 * stats stage in the same pass: the frame cut into square blocks of
	 * grid_block x grid_block 2x2 cells, the smallest side that keeps the
	 * grid within LUMEN_STATS_GRID_MAX_W x _H (cells right of and below
	 * the last whole block are not in it). Per block, row-major:
	 * grid_sum: R, G, B sums (G over both G samples, so 2x the cells);
	 * grid_edge: the sums, over the same samples, of each sample's
	 * absolute differences to its same-channel neighbours right and below
	 * (x + 2, y + 2; none past the frame's last two columns or rows):
	 * local contrast at the finest scale, so grid_edge / grid_sum is a
	 * channel's mean relative gradient in the block; grid_clipped: nonzero
	 * when any sample of the block is at or above LUMEN_STATS_CLIP.
	 */
	int grid_w, grid_h, grid_block;	/* grid_w = 0: no grid (tiny frame) */
	uint32_t grid_sum[3][LUMEN_STATS_GRID_MAX];
	uint32_t grid_edge[3][LUMEN_STATS_GRID_MAX];
	uint8_t grid_clipped[LUMEN_STATS_GRID_MAX];
};

/*
 * Static defective-pixel map: positions (y << 16 | x) sorted ascending,
 * without duplicates; the DPC replaces these whatever they read. Owned by
 * the caller, read-only for the ISP while it runs.
 */
struct lumen_dpc_map {
	int count;
	const uint32_t *pos;
};

struct lumen_isp_params {
	bool dpc;			/* defective-pixel correction */
	/* the dynamic detector's margin in working units: 0 = from
	 * dpc_noise (docs/isp.md, "Defective pixels") */
	uint16_t dpc_threshold;
	/* noise model of the working raw at unit analogue gain: variance =
	 * [0] * level + [1] in working units (the tuning's noise profile, or
	 * the DNG NoiseProfile scaled); both 0 = estimated from the frame.
	 * The DPC's thresholds and the denoiser's strength both follow it. */
	float dpc_noise[2];
	/* the frame's analogue gain: the model's [0] is multiplied by it,
	 * [1] by its square; 0 = 1 */
	float dpc_gain;
	const struct lumen_dpc_map *dpc_map;	/* NULL = none */
	enum lumen_denoise_method denoise;
	float denoise_strength;		/* 1 = as the noise model says */
	/* luma sharpening (isp/sharpen.c): 0 = off, 1 = detail doubled */
	float sharpen;
	const struct lumen_lsc_map *lsc;	/* NULL = no shading correction */
	float wb[3];			/* R, G, B gains on camera RGB */
	enum lumen_demosaic_method demosaic;
	/*
	 * Demosaic the sRGB-encoded samples, not the linear ones: the
	 * white-balanced raw goes through the sRGB curve, the demosaic runs,
	 * its RGB goes back to linear (docs/demosaic.md, "Where the demosaic
	 * works"). Errors then spread as the viewer sees them, not crowded
	 * into the shadows. Costs two table passes; the fused live back run
	 * does not take it (the stages then run one by one).
	 */
	bool demosaic_perceptual;
	float ccm[3][3];		/* white-balanced camera RGB -> linear sRGB */
	float exposure;			/* linear gain applied with the CCM */
	float contrast;			/* 0 = pure sRGB curve; 0..1 S-curve */
	enum lumen_yuv_matrix yuv_matrix;
	bool yuv_full_range;
	bool stats;			/* fill lumen_isp.stats */
};

/* Identity CCM, unit gains, fast demosaic, sRGB curve, BT.601 limited. */
void lumen_isp_params_default(struct lumen_isp_params *p);

struct lumen_isp_stage_counters {
	uint64_t frames;
	uint64_t errors;
	uint64_t ns_total;		/* CLOCK_MONOTONIC time spent */
	uint64_t ns_last;
};

struct lumen_isp;

struct lumen_isp_stage {
	const char *name;
	/*
	 * Runs the stage on the ISP's working buffers for one frame; called
	 * from the thread that called lumen_isp_process(). Returns 0 or a
	 * negative errno, which stops the frame and is counted as an error.
	 */
	int (*run)(struct lumen_isp *isp, const struct lumen_isp_params *p);
};

#define LUMEN_ISP_MAX_STAGES 12
#define LUMEN_ISP_BAND 16		/* rows per band, even */
#define LUMEN_ISP_MAX_THREADS 8
#define LUMEN_ISP_STAGE_ROWS 7

struct lumen_stats_part;

/*
 * The tone curve of one contrast (isp/tone.c): LUMEN_TONE_PIECES quadratics
 * in the float f = v + 128, one per half octave of f (the piece is the low
 * four bits of f's bits >> 22: the exponent's low three and the first
 * mantissa bit), and the table of their rounded values at every working
 * value v, which the C kernel reads and the SIMD ones compute (isp_dsp.h).
 * Sixteen pieces are one vpermps table of each coefficient.
 */
#define LUMEN_TONE_PIECES 16
#define LUMEN_TONE_COEFS 3
struct lumen_tone {
	/* k[j][piece]: coefficient of f^j */
	float k[LUMEN_TONE_COEFS][LUMEN_TONE_PIECES];
	uint8_t lut[LUMEN_WORK_MAX + 1];
};

struct lumen_isp {
	int max_width, max_height;
	const struct lumen_frame *input;	/* valid during process() */
	struct lumen_frame raw;		/* BAYER16 working, LUMEN_WORK_BITS */
	struct lumen_frame rgb;		/* RGB16P linear working (demosaic out) */
	struct lumen_frame *output;	/* RGB24, NV12, I420 or YUYV */
	void *scratch;			/* demosaic scratch */
	size_t scratch_size;
	struct lumen_isp_stats stats;
	/* colour matrix times exposure, Q12, set by the ccm stage */
	int32_t ccm_q[3][3];
	/* tone curve, rebuilt by the tone stage when contrast changes */
	struct lumen_tone tone;
	float tone_contrast;
	bool tone_valid;
	/* lens-shading column tables (isp/lsc.c), max_width entries each,
	 * valid for a frame lsc_width wide and a grid lsc_grid_w wide */
	int16_t *lsc_gx, *lsc_t;
	int lsc_width, lsc_grid_w;
	/* rows the denoise and sharpen stages keep aside,
	 * LUMEN_ISP_STAGE_ROWS x (max_width + 2) samples */
	uint16_t *stage_rows;
	/* one band of demosaicked RGB16P rows per worker for the fused back
	 * run: LUMEN_ISP_BAND + 2 rows of band_stride bytes per plane (the
	 * rows above and below, which sharpening reads), and the worker's
	 * sharpen rows, LUMEN_ISP_STAGE_ROWS x (max_width + 2) samples */
	uint16_t *band[LUMEN_ISP_MAX_THREADS][3];
	uint16_t *band_sharpen[LUMEN_ISP_MAX_THREADS];
	size_t band_stride;
	/* per worker: the fast denoise's rows of its slice when it runs in
	 * slices, 5 x max_width samples (isp_band.h) */
	uint16_t *dn_rows[LUMEN_ISP_MAX_THREADS];
	/* workers 1.. : their part of the stats stage's sums (isp_band.h) */
	struct lumen_stats_part *stats_part[LUMEN_ISP_MAX_THREADS];
	int threads;			/* workers, the caller's thread included */
	struct lumen_isp_pool *pool;	/* the other workers; NULL for one */
	struct lumen_isp_stage_counters ctr[LUMEN_ISP_MAX_STAGES];
};

extern const struct lumen_isp_stage *const lumen_isp_stages[];
extern const int lumen_isp_stage_count;

/*
 * Allocates working buffers for frames up to @max_width x @max_height.
 * Returns 0 or -EINVAL / -ENOMEM; on error *out is untouched.
 */
int lumen_isp_create(struct lumen_isp **out, int max_width, int max_height);
void lumen_isp_destroy(struct lumen_isp *isp);

/*
 * Develops one raw frame (BAYER8/16/10P/12P with its order, bits, black and
 * white set) into @out (RGB24, NV12, I420 or YUYV, same size, caller-owned).
 * Odd sizes are refused for 4:2:x outputs. Returns 0 or a negative errno.
 */
int lumen_isp_process(struct lumen_isp *isp, const struct lumen_frame *in,
		      const struct lumen_isp_params *p, struct lumen_frame *out);

/*
 * Runs only stages [@first, @end) of lumen_isp_stages[], with the same
 * checks as lumen_isp_process() (which is the whole range). The working
 * frames keep their contents between calls, so a caller can run up to a
 * stage, read isp->stats (set isp->stats.zones_x/y before for another
 * grid), choose parameters, and run the rest on the same @in and @out.
 * Returns as lumen_isp_process(), or -EINVAL for a bad range.
 */
int lumen_isp_process_stages(struct lumen_isp *isp, const struct lumen_frame *in,
			     const struct lumen_isp_params *p,
			     struct lumen_frame *out, int first, int end);

/*
 * Makes sure the demosaic scratch is large enough for @method. create()
 * reserves only the fast method's; the demosaic stage calls this, so the
 * first frame asking for the quality method allocates once (and may fail
 * with -ENOMEM); call it before streaming to keep allocation out of the
 * frame path.
 */
int lumen_isp_reserve_scratch(struct lumen_isp *isp,
			      enum lumen_demosaic_method method);

/*
 * Hands the ISP a demosaic scratch of @size bytes (64-byte aligned, from
 * aligned_alloc) that another thread allocated, when it is larger than the
 * one it has. Returns the buffer the caller must free (the old one, or
 * @mem when it was not larger). Call from the thread that runs the ISP,
 * between frames: the allocation stays off that thread.
 */
void *lumen_isp_adopt_scratch(struct lumen_isp *isp, void *mem, size_t size);

/*
 * Sets how many threads develop a frame: the caller's and @threads - 1
 * workers that the ISP starts here and keeps (1..LUMEN_ISP_MAX_THREADS;
 * 1 stops them). Allocates the workers' band buffers; call it while no
 * frame is being processed (not from the frame path). Returns 0, -EINVAL,
 * -ENOMEM or -EAGAIN (threads); on error the ISP keeps one thread.
 */
int lumen_isp_set_threads(struct lumen_isp *isp, int threads);

/* Index of the stage named @name in lumen_isp_stages[], or -ENOENT. */
int lumen_isp_stage_index(const char *name);

#endif

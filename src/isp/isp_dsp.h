/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Row kernels of the ISP stages other than demosaic (that one has
 * demosaic_dsp.h), picked at run time like the demosaic's: the C reference
 * of each lives in its stage's file, SIMD versions in isp/x86/ and isp/arm/,
 * and lumen_isp_dsp_init() installs the C ones and then the fastest the CPU
 * allows (lumen_cpu_flags(), so LUMEN_CPU_MASK=0 gives the C path).
 *
 * Every SIMD kernel must give exactly what its C reference gives, bit for
 * bit, for every input the signature admits (any uint16 sample, any width
 * >= 1 unless stated), not only for working values: tests/test_isp_simd.c
 * checks this. Kernels never allocate, read and write only the columns
 * stated, and run on the caller's thread.
 */
#ifndef LUMEN_ISP_ISP_DSP_H
#define LUMEN_ISP_ISP_DSP_H

#include <stdbool.h>
#include <stdint.h>

#include "isp/isp.h"

/*
 * blc and wb: one affine map per CFA column phase. Sample x of a row uses
 * phase k = x & 1:
 *
 *   v   = src[x] > black[k] ? src[x] - black[k] : 0
 *   v   = min(v, vmax[k])
 *   dst = min((v * scale[k] + 0x8000) >> 16, LUMEN_WORK_MAX)
 *
 * scale is Q16 and at most LUMEN_WORK_MAX << 16; vmax is the smallest v whose
 * result reaches LUMEN_WORK_MAX (lumen_scale_phase_set() computes it), so
 * the clamp never changes a result and every product fits 32 bits.
 * @dst may equal @src (in place), other overlaps are not allowed.
 */
struct lumen_scale_phase {
	uint16_t black[2];
	uint16_t vmax[2];
	uint32_t scale[2];
};

/* Fills phase @k of @p for a black level and Q16 scale (clamped to the
 * limit above). */
void lumen_scale_phase_set(struct lumen_scale_phase *p, int k, unsigned black,
			   uint32_t scale);

#define LUMEN_SCALE_ROW_FN(name) \
	void name(uint16_t *dst, const uint16_t *src, int width, \
		  const struct lumen_scale_phase *p)
typedef LUMEN_SCALE_ROW_FN(lumen_scale_row_fn);

/*
 * blc straight from MIPI RAW10 (@src holds lumen_raw10_bytes(width) bytes,
 * lumen_unpack_raw10() layout): exactly lumen_unpack_raw10() into @dst and
 * then the scale row above in place. Reads nothing past those bytes.
 */
#define LUMEN_BLC10_ROW_FN(name) \
	void name(uint16_t *dst, const uint8_t *src, int width, \
		  const struct lumen_scale_phase *p)
typedef LUMEN_BLC10_ROW_FN(lumen_blc10_row_fn);

/*
 * dpc pre-screen. The pixel at column i (0 <= i < n) of @row is a candidate
 * when at least seven of its eight same-colour neighbours nb (up[i-2], up[i],
 * up[i+2], row[i-2], row[i+2], dn[i-2], dn[i], dn[i+2]) satisfy
 * nb + threshold + nb / 16 < row[i], or at least seven satisfy
 * row[i] + threshold + nb / 16 < nb (unsigned, exact, threshold <= 65535).
 * Returns the first candidate's i, or n when there is none. Reads columns
 * -2 .. n+1 of the three rows; n >= 0.
 */
#define LUMEN_DPC_SCREEN_FN(name) \
	int name(const uint16_t *up, const uint16_t *row, const uint16_t *dn, \
		 int n, unsigned threshold)
typedef LUMEN_DPC_SCREEN_FN(lumen_dpc_screen_fn);

/*
 * stats over @cells 2x2 cells whose top-left samples are r0[0], r0[2], ...
 * (rows r0 and r1): adds the samples of each position to sum[0] (r0 even
 * columns), sum[1] (r0 odd), sum[2] (r1 even), sum[3] (r1 odd); counts in
 * *clipped the cells with any sample >= LUMEN_STATS_CLIP; and, when @hist
 * is not NULL, for every other cell, i = @first, @first + 2, ... (@first
 * 0 or 1), adds one to hist[j][min(s >> 8, 255)] for one j in 0..3 of the
 * kernel's choosing, s being the sum of the cell's four samples (so
 * callers add the four histograms). Sums must not overflow:
 * cells * 65535 < 2^32.
 */
#define LUMEN_STATS_CLIP (LUMEN_WORK_MAX - LUMEN_WORK_MAX / 64)
#define LUMEN_STATS_SPAN_FN(name) \
	void name(const uint16_t *r0, const uint16_t *r1, int cells, \
		  uint32_t sum[4], uint32_t *clipped, \
		  uint32_t (*hist)[LUMEN_STATS_HIST_BINS], int first)
typedef LUMEN_STATS_SPAN_FN(lumen_stats_span_fn);

/*
 * The block grid's vertical pass (stats.c), over @n samples of one row:
 * acc[i] += row[i]; edge[i] += |row[i] - right[i]| + |row[i] - below[i]|;
 * mx[i] = max(mx[i], row[i]). Samples are at most LUMEN_WORK_MAX (the
 * working frame's range: an edge term then fits 16 bits, which the SIMD
 * kernels use); @right and @below may overlap @row (all three are only
 * read), the outputs overlap nothing.
 */
#define LUMEN_STATS_GRID_ROWS_FN(name) \
	void name(const uint16_t *restrict row, const uint16_t *restrict right, \
		  const uint16_t *restrict below, int n, uint32_t *restrict acc, \
		  uint32_t *restrict edge, uint16_t *restrict mx)
typedef LUMEN_STATS_GRID_ROWS_FN(lumen_stats_grid_rows_fn);

/*
 * The same for two rows of one colour phase at once, @a (row y) and @c
 * (row y + 2), @d the row below @c (y + 4, or @c itself past the frame):
 * acc[i] += a[i] + c[i]; edge[i] += |a[i] - a[i + 2]| + |a[i] - c[i]| +
 * |c[i] - c[i + 2]| + |c[i] - d[i]|; mx[i] = max(mx[i], a[i], c[i]), i.e.
 * exactly lumen_stats_grid_rows(a, a + 2, c) then (c, c + 2, d), with the
 * 32-bit sums touched once (the sums of two rows fit 16 bits). a[n + 1] and
 * c[n + 1] must be readable.
 */
#define LUMEN_STATS_GRID_ROWS2_FN(name) \
	void name(const uint16_t *restrict a, const uint16_t *restrict c, \
		  const uint16_t *restrict d, int n, uint32_t *restrict acc, \
		  uint32_t *restrict edge, uint16_t *restrict mx)
typedef LUMEN_STATS_GRID_ROWS2_FN(lumen_stats_grid_rows2_fn);

/*
 * Colour matrix on planar rows: with c_j = min(src_j[x], LUMEN_WORK_MAX),
 *   dst_i[x] = clip((q[i][0] c_0 + q[i][1] c_1 + q[i][2] c_2 + 2048) >> 12,
 *                   0, LUMEN_WORK_MAX)
 * in exact integer arithmetic (floor shift), q in Q12 with |q| <= 2^21.
 * dst_i may equal src_i (in place); no other overlap.
 */
#define LUMEN_CCM_ROW_FN(name) \
	void name(uint16_t *const dst[3], const uint16_t *const src[3], \
		  int width, const int32_t q[3][3])
typedef LUMEN_CCM_ROW_FN(lumen_ccm_row_fn);

/* Whether every entry of the Q12 matrix fits int16 (|q| <= 32767), which
 * the SIMD kernels' coefficient pairs (vpmaddwd, vpdpwssd) need; the
 * others take the C path. */
static inline bool lumen_ccm_q_fits_int16(const int32_t q[3][3])
{
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			if (q[i][j] > 32767 || q[i][j] < -32767)
				return false;
	return true;
}

/*
 * Tone on planar rows: dst_i[x] = t->lut[min(src_i[x], LUMEN_WORK_MAX)],
 * i.e. lumen_tone_eval(): with f = (float)(min(v, LUMEN_WORK_MAX) + 128)
 * and j the low four bits of f's bits >> 22 (struct lumen_tone),
 *
 *   y   = fmaf(fmaf(k[2][j], f, k[1][j]), f, k[0][j])
 *   dst = clip(lrintf(y), 0, 255)      (round to nearest, ties to even)
 *
 * in IEEE single precision (fused multiply-adds, as written), for any
 * uint16 sample. The C kernel reads the table, the SIMD ones compute the
 * quadratics.
 */
#define LUMEN_TONE_ROW_FN(name) \
	void name(uint8_t *const dst[3], const uint16_t *const src[3], \
		  int width, const struct lumen_tone *t)
typedef LUMEN_TONE_ROW_FN(lumen_tone_row_fn);

/*
 * The colour matrix row and then the tone row (the fused pass's first two
 * steps) in one: exactly lumen_ccm_row_c() into 16-bit rows, then
 * lumen_tone_row_c() into @dst, for any input and matrix those admit. The
 * matrixed values never leave registers. Optional: NULL in the table
 * when the CPU has none (the pass then calls the two kernels).
 */
#define LUMEN_CCM_TONE_ROW_FN(name) \
	void name(uint8_t *const dst[3], const uint16_t *const src[3], \
		  int width, const int32_t q[3][3], const struct lumen_tone *t)
typedef LUMEN_CCM_TONE_ROW_FN(lumen_ccm_tone_row_fn);

/*
 * Lens shading on one row of a working frame, in 16-bit fixed point, from
 * tables made once per frame size and grid (struct lumen_lsc_cols,
 * lumen_lsc_cols_make()) and the row's gains (struct lumen_lsc_gains,
 * lumen_lsc_row_gains()). With k = x & 1, i = gx[x], j = 2 i + k:
 *
 *   g      = a[j] + ((d[j] * t[x] + 16384) >> 15)        (Q12 gain)
 *   dst[x] = min((src[x] * g + 2048) >> 12, LUMEN_WORK_MAX)
 *
 * in exact integer arithmetic (the shift of a negative product is
 * arithmetic). a[j] is node i's Q12 gain for phase k, 0..LUMEN_LSC_GAIN_MAX,
 * and d[j] = a[j + 2] - a[j], so g runs from a[j] at t = 0 towards node
 * i + 1's gain and stays in 0..LUMEN_LSC_GAIN_MAX. gx[x] is in
 * 0..grid_w - 1 of the map @rg was made from, t[x] (Q15) in 0..32767. Any
 * uint16 sample is admitted. @dst may equal @src.
 *
 * Against the float bilinear gain it replaced, g is off by at most 1.5
 * Q12 units (2^-12 each: the node gains' rounding, t's and the
 * interpolation's), so a result by at most 1.5 src / 4096 + 1 working units
 * (7 at the top of the working range, 4 the most seen:
 * tests/test_isp_simd.c checks the bound); gains reach 32767 / 4096, just
 * below 8, which is where calibration clamps them (lsc_fit.h).
 */
#define LUMEN_LSC_MAX_GRID 64
#define LUMEN_LSC_RG_LEN (LUMEN_LSC_MAX_GRID + 1)	/* one node past the grid */
#define LUMEN_LSC_GAIN_BITS 12
#define LUMEN_LSC_GAIN_MAX 32767
struct lumen_lsc_cols {
	const int16_t *gx;	/* grid node left of x */
	const int16_t *t;	/* Q15 position between it and the next */
};

/* A row's node gains, both phases interleaved (phase k of node i at
 * 2 i + k, so one 32-bit load is a node's pair), and their differences. */
struct lumen_lsc_gains {
	int16_t a[2 * LUMEN_LSC_RG_LEN];
	int16_t d[2 * LUMEN_LSC_RG_LEN];
};

#define LUMEN_LSC_ROW_FN(name) \
	void name(uint16_t *dst, const uint16_t *src, int width, \
		  const struct lumen_lsc_gains *rg, const struct lumen_lsc_cols *cols)
typedef LUMEN_LSC_ROW_FN(lumen_lsc_row_fn);

/*
 * Column tables of lens shading for frames @width wide and a grid
 * @grid_w nodes wide (2..LUMEN_LSC_MAX_GRID), columns [@x0, @x1) into
 * gx[0 ..] and t[0 ..]: node i sits at x = i (width - 1) / (grid_w - 1),
 * t is the rounded rest (the last column sits on the last node, t = 0).
 * Called once per frame size, not per frame.
 */
void lumen_lsc_cols_make(int16_t *gx, int16_t *t, int width, int grid_w,
			 int x0, int x1);

/*
 * The gains of row @y of a frame @height high, interpolated between grid
 * rows (in float) and rounded to Q12, clamped to 0..LUMEN_LSC_GAIN_MAX (NaN
 * to 0), into nodes 0..grid_w of @rg (node grid_w repeats the last, so a
 * kernel may read the node after any grid column) so that the row kernels
 * are defined for any map. The map must be valid (lumen_lsc_apply()
 * checks).
 */
void lumen_lsc_row_gains(const struct lumen_lsc_map *map, int y, int height,
			 struct lumen_lsc_gains *rg);

/* R'G'B' -> Y'CbCr coefficients, Q14 (see csc.c for how they are made). */
struct lumen_csc_coeffs {
	int16_t y[3], cb[3], cr[3];
	int16_t y_off;
};

/*
 * 4:2:0 from two rows of 8-bit planar R'G'B' (src[0..2] = R, G, B of the
 * top row, src[3..5] of the bottom one), @width even:
 *   Y  = clip(((y . p + 8192) >> 14) + y_off)             per pixel
 *   Cb = clip(((sum over the 2x2 of cb . p + 32768) >> 16) + 128)
 * (Cr alike). Writes y0[0..width-1], y1[0..width-1], and either, when @v
 * is NULL, u[0..width-1] as Cb, Cr pairs (NV12), or u[0..width/2-1] and
 * v[0..width/2-1] (I420).
 */
#define LUMEN_CSC420_FN(name) \
	void name(uint8_t *y0, uint8_t *y1, uint8_t *u, uint8_t *v, \
		  const uint8_t *const src[6], int width, \
		  const struct lumen_csc_coeffs *c)
typedef LUMEN_CSC420_FN(lumen_csc420_fn);

/*
 * 4:2:2 YUYV from one row (src[0..2] = R, G, B), @width even: Y as above,
 * Cb = clip(((sum over the 2x1 pair of cb . p + 16384) >> 15) + 128).
 * Writes d[0 .. 2 * width - 1].
 */
#define LUMEN_CSC422_FN(name) \
	void name(uint8_t *d, const uint8_t *const src[3], int width, \
		  const struct lumen_csc_coeffs *c)
typedef LUMEN_CSC422_FN(lumen_csc422_fn);

/*
 * The fast denoise (denoise.c): for 0 <= i < n, with v = row[i] and its
 * threshold t(v) from two tables of 16 segments (lumen_denoise_coef_make()
 * fills them with k sigma at the segment ends, each at most 4000):
 *
 *   v <  1024: t = lo_base[v >> 6]  + ((lo_step[v >> 6]  * (v & 63))   >> 6)
 *   v >= 1024: t = hi_base[v >> 10] + ((hi_step[v >> 10] * (v & 1023)) >> 10)
 *
 *   s      = sum over nb in up[i-2], up[i], up[i+2], row[i-2], row[i+2],
 *            dn[i-2], dn[i], dn[i+2] of (|nb - v| <= t ? nb - v : 0)
 *   dst[i] = clip(v + ((s * 3641 + 16384) >> 15), 0, LUMEN_WORK_MAX)
 *
 * (3641 / 32768 is 1/9; the shift is arithmetic). All integer: a kernel
 * looks the segments up in registers (16 entries) instead of taking a
 * square root per sample, and every ISA gives the same bits. Samples are
 * at most LUMEN_WORK_MAX (a precondition: differences then fit 16 bits),
 * thresholds at most 4000 (sums of eight fit too), steps >= 0. Reads
 * columns -2 .. n+1 of the three rows; @dst overlaps none of them.
 */
struct lumen_denoise_coef {
	uint16_t lo_base[16], lo_step[16];	/* v < 1024: segments of 64 */
	uint16_t hi_base[16], hi_step[16];	/* segments of 1024 */
};

#define LUMEN_DENOISE_ROW_FN(name) \
	void name(uint16_t *restrict dst, const uint16_t *up, const uint16_t *row, \
		  const uint16_t *dn, int n, const struct lumen_denoise_coef *c)
typedef LUMEN_DENOISE_ROW_FN(lumen_denoise_row_fn);

/*
 * Sharpen one row (sharpen.c). First, when @nx is not NULL, the luma of
 * the R, G, B rows @nx, (r + 2 g + b + 2) >> 2, into nl[0 .. w-1], with
 * nl[-1] = nl[1] and nl[w] = nl[w-2] (nl[0] for w = 1); @nl may be @d.
 * Then, from luma rows @u, @m, @d (above, at, below; each readable at
 * -1 .. w, every value at most LUMEN_WORK_MAX), with
 * vs = u + 2 m + d, lo / hi = the min / max of u, m, d per column,
 *
 *   blur = (vs[x-1] + 2 vs[x] + vs[x+1] + 8) >> 4
 *   yn   = clip(m[x] + (((m[x] - blur) * a + 128) >> 8),
 *               min of lo[x-1..x+1], max of hi[x-1..x+1])
 *
 * adds yn - m[x] to pl[0..2][x], clipped to 0..LUMEN_WORK_MAX. @a is
 * 1..LUMEN_SHARPEN_A_MAX (amount x 256); @tmp holds 4 (w + 2) samples.
 */
#define LUMEN_SHARPEN_A_MAX 2048
#define LUMEN_SHARPEN_ROW_FN(name) \
	void name(uint16_t *const pl[3], const uint16_t *u, const uint16_t *m, \
		  const uint16_t *d, uint16_t *tmp, int w, int a, \
		  const uint16_t *const nx[3], uint16_t *nl)
typedef LUMEN_SHARPEN_ROW_FN(lumen_sharpen_row_fn);

struct lumen_isp_dsp {
	lumen_scale_row_fn *scale_row;
	lumen_blc10_row_fn *blc10_row;
	lumen_dpc_screen_fn *dpc_screen;
	lumen_stats_span_fn *stats_span;
	lumen_stats_grid_rows_fn *stats_grid_rows;
	lumen_stats_grid_rows2_fn *stats_grid_rows2;
	lumen_ccm_row_fn *ccm_row;
	lumen_tone_row_fn *tone_row;
	lumen_ccm_tone_row_fn *ccm_tone_row;	/* may be NULL */
	lumen_lsc_row_fn *lsc_row;
	lumen_csc420_fn *csc420;
	lumen_csc422_fn *csc422;
	lumen_denoise_row_fn *denoise_row;
	lumen_sharpen_row_fn *sharpen_row;
};

/*
 * Installs the C kernels, then the fastest ones lumen_cpu_flags() allows.
 * Cheap (no allocation, no locking): stages call it once per frame, so a
 * changed CPU mask takes effect on the next frame.
 */
void lumen_isp_dsp_init(struct lumen_isp_dsp *dsp);

/* per-arch ladders, in isp/<arch>/isp_init.c */
void lumen_isp_dsp_init_x86(struct lumen_isp_dsp *dsp);
void lumen_isp_dsp_init_arm(struct lumen_isp_dsp *dsp);

LUMEN_DENOISE_ROW_FN(lumen_denoise_row_c);	/* denoise.c */
LUMEN_DENOISE_ROW_FN(lumen_denoise_row_avx2);
LUMEN_DENOISE_ROW_FN(lumen_denoise_row_avx512);	/* x86/denoise_avx512.c */
LUMEN_DENOISE_ROW_FN(lumen_denoise_row_neon);
LUMEN_SHARPEN_ROW_FN(lumen_sharpen_row_c);	/* sharpen.c */
LUMEN_SHARPEN_ROW_FN(lumen_sharpen_row_avx2);
LUMEN_SHARPEN_ROW_FN(lumen_sharpen_row_neon);
LUMEN_SCALE_ROW_FN(lumen_scale_row_c);		/* blc.c */
LUMEN_SCALE_ROW_FN(lumen_scale_row_avx512);
LUMEN_SCALE_ROW_FN(lumen_scale_row_avx2);
LUMEN_SCALE_ROW_FN(lumen_scale_row_neon);
LUMEN_BLC10_ROW_FN(lumen_blc10_row_c);		/* blc.c */
LUMEN_BLC10_ROW_FN(lumen_blc10_row_avx2);
LUMEN_BLC10_ROW_FN(lumen_blc10_row_avx512);	/* x86/blc_avx512.c */
LUMEN_BLC10_ROW_FN(lumen_blc10_row_neon);
LUMEN_DPC_SCREEN_FN(lumen_dpc_screen_c);	/* dpc.c */
LUMEN_DPC_SCREEN_FN(lumen_dpc_screen_avx2);
LUMEN_DPC_SCREEN_FN(lumen_dpc_screen_avx512);
LUMEN_DPC_SCREEN_FN(lumen_dpc_screen_neon);
LUMEN_STATS_SPAN_FN(lumen_stats_span_c);	/* stats.c */
LUMEN_STATS_SPAN_FN(lumen_stats_span_avx2);
LUMEN_STATS_SPAN_FN(lumen_stats_span_avx512);	/* x86/stats_avx512.c */
LUMEN_STATS_SPAN_FN(lumen_stats_span_neon);
LUMEN_STATS_GRID_ROWS_FN(lumen_stats_grid_rows_c);	/* stats.c */
LUMEN_STATS_GRID_ROWS_FN(lumen_stats_grid_rows_avx2);
LUMEN_STATS_GRID_ROWS_FN(lumen_stats_grid_rows_avx512);
LUMEN_STATS_GRID_ROWS_FN(lumen_stats_grid_rows_neon);
LUMEN_STATS_GRID_ROWS2_FN(lumen_stats_grid_rows2_c);	/* stats.c */
LUMEN_STATS_GRID_ROWS2_FN(lumen_stats_grid_rows2_avx2);
LUMEN_STATS_GRID_ROWS2_FN(lumen_stats_grid_rows2_avx512);
LUMEN_STATS_GRID_ROWS2_FN(lumen_stats_grid_rows2_neon);
LUMEN_CCM_ROW_FN(lumen_ccm_row_c);		/* ccm.c */
LUMEN_CCM_ROW_FN(lumen_ccm_row_avx2);
LUMEN_CCM_ROW_FN(lumen_ccm_row_neon);
LUMEN_TONE_ROW_FN(lumen_tone_row_c);		/* tone.c */
LUMEN_TONE_ROW_FN(lumen_tone_row_avx512);
LUMEN_CCM_TONE_ROW_FN(lumen_ccm_tone_row_avx512);	/* x86/tone_avx512.c */
LUMEN_TONE_ROW_FN(lumen_tone_row_neon);
LUMEN_LSC_ROW_FN(lumen_lsc_row_c);		/* lsc.c */
LUMEN_LSC_ROW_FN(lumen_lsc_row_avx2);
LUMEN_LSC_ROW_FN(lumen_lsc_row_avx512);	/* x86/lsc_avx512.c */
LUMEN_LSC_ROW_FN(lumen_lsc_row_neon);
LUMEN_CSC420_FN(lumen_csc420_c);		/* csc.c */
LUMEN_CSC420_FN(lumen_csc420_avx2);
LUMEN_CSC420_FN(lumen_csc420_neon);
LUMEN_CSC420_FN(lumen_csc420_avx512);
LUMEN_CSC422_FN(lumen_csc422_c);

/* Q12 matrix of the ccm stage from a float matrix and gain (ccm.c). */
void lumen_ccm_quantise(const float m[3][3], float gain, int32_t q[3][3]);

/* Coefficients of the csc stage (csc.c). */
void lumen_csc_coeffs_make(enum lumen_yuv_matrix m, bool full,
			   struct lumen_csc_coeffs *c);

/*
 * The ccm, tone and csc stages as one pass (csc.c): planar linear @rgb
 * (RGB16P) through the Q12 matrix @q, the tone curve @t, and into @out
 * (RGB24, NV12, I420 or YUYV, same size; even sizes for 4:2:x). Gives
 * exactly lumen_ccm_apply(), lumen_tone_apply() and lumen_csc_apply() in
 * turn, without the two full-frame intermediates; @rgb is not modified.
 * Returns 0 or -EINVAL.
 */
int lumen_isp_finish(const struct lumen_frame *rgb, const int32_t q[3][3],
		     const struct lumen_tone *t,
		     enum lumen_yuv_matrix matrix, bool full_range,
		     struct lumen_frame *out);

#endif

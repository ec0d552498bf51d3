/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Row kernels of the fast (Malvar-He-Cutler) demosaic, picked at run time.
 *
 * One kernel develops one output row. The five published 5x5 kernels
 * (scaled by 16 so that every coefficient is an integer) reduce to seven
 * neighbourhood terms around the centre sample c of row 2:
 *
 *   V1 = N1 + S1     (rows 1 and 3, same column)
 *   V2 = N2 + S2     (rows 0 and 4, same column)
 *   H1 = W1 + E1     (row 2, columns -1 and +1)
 *   H2 = W2 + E2     (row 2, columns -2 and +2)
 *   Dn = NW + NE     (row 1, columns -1 and +1)
 *   Ds = SW + SE     (row 3, columns -1 and +1)
 *
 *            c   V1  H1  V2  H2  Dn  Ds
 *   G at R/B 8   4   4  -2  -2   0   0   (G at a red or blue sample)
 *   Kh      10   0   8   1  -2  -2  -2   (at G, the colour left/right)
 *   Kv      10   8   0  -2   1  -2  -2   (at G, the colour above/below)
 *   Kd      12   0   0  -3  -3   4   4   (R at B, B at R)
 *
 * and an output is clip((K + 8) >> 4, 0, LUMEN_WORK_MAX) with K the exact
 * integer sum (floor division, so negative K gives 0). Samples of the CFA
 * colour itself are copied. Every kernel must give exactly this, bit for bit.
 *
 * Inputs must be in 0..LUMEN_WORK_MAX: then every pair sum above fits a
 * signed 16-bit lane. Larger inputs give unspecified values, still clipped
 * to 0..LUMEN_WORK_MAX and never outside the documented memory.
 */
#ifndef LUMEN_ISP_DEMOSAIC_DSP_H
#define LUMEN_ISP_DEMOSAIC_DSP_H

#include <stdint.h>

#include "core/frame.h"
#include "isp/demosaic_ri.h"

/*
 * src[0..4] point at column 0 of the output row's rows -2..+2 (already
 * mirrored at the top and bottom by the caller); the kernel reads columns
 * -2 .. width+1 of each and writes columns 0 .. width-1 of r, g, b only.
 * @order is the CFA order seen from the first output sample (that is, the
 * frame order shifted to this row and column). width >= 1.
 * Outputs must not alias the inputs.
 */
#define LUMEN_DEMOSAIC_ROW_FN(name) \
	void name(uint16_t *dst_r, uint16_t *dst_g, uint16_t *dst_b, \
		  const uint16_t *const src[5], int width, enum lumen_bayer order)

typedef LUMEN_DEMOSAIC_ROW_FN(lumen_demosaic_row_fn);

/*
 * The row kernel, the colour matrix and the tone curve in one: exactly
 * lumen_demosaic_row_c() into 16-bit rows and then lumen_ccm_row_c() and
 * lumen_tone_row_c() (isp_dsp.h) into the 8-bit R, G, B rows dst[0..2],
 * for inputs in 0..LUMEN_WORK_MAX and a Q12 matrix @q whose entries are
 * all within -32767..32767 (callers check; others take the separate
 * kernels). Reads and writes as the row kernel; the demosaicked values
 * never leave registers. Optional: NULL when the CPU has none.
 */
struct lumen_tone;
#define LUMEN_DEMOSAIC_TONE_ROW_FN(name) \
	void name(uint8_t *const dst[3], const uint16_t *const src[5], int width, \
		  enum lumen_bayer order, const int32_t q[3][3], \
		  const struct lumen_tone *t)

typedef LUMEN_DEMOSAIC_TONE_ROW_FN(lumen_demosaic_tone_row_fn);

struct lumen_demosaic_dsp {
	lumen_demosaic_row_fn *row;
	lumen_demosaic_ri_tile_fn *ri_tile;	/* demosaic_ri.h */
	lumen_demosaic_tone_row_fn *tone_row;	/* may be NULL */
};

/*
 * Installs the C kernels, then the fastest ones lumen_cpu_flags() allows.
 * Cheap (no allocation, no locking): callers may run it once per frame.
 */
void lumen_demosaic_dsp_init(struct lumen_demosaic_dsp *dsp);

/* per-arch ladders, in isp/<arch>/demosaic_init.c */
void lumen_demosaic_dsp_init_x86(struct lumen_demosaic_dsp *dsp);
void lumen_demosaic_dsp_init_arm(struct lumen_demosaic_dsp *dsp);

LUMEN_DEMOSAIC_ROW_FN(lumen_demosaic_row_c);
LUMEN_DEMOSAIC_ROW_FN(lumen_demosaic_row_avx2);
LUMEN_DEMOSAIC_ROW_FN(lumen_demosaic_row_avx512);	/* F + BW + VNNI */
LUMEN_DEMOSAIC_TONE_ROW_FN(lumen_demosaic_tone_row_avx512);	/* F + BW + VNNI */
LUMEN_DEMOSAIC_ROW_FN(lumen_demosaic_row_neon);

/* Coefficient table above, for SIMD kernels: [kernel][term], term order
 * c, V1, H1, V2, H2, Dn, Ds. */
enum {
	LUMEN_DM_PASS = 0, LUMEN_DM_KG, LUMEN_DM_KH, LUMEN_DM_KV, LUMEN_DM_KD,
	LUMEN_DM_NKERNELS
};
#define LUMEN_DM_NTERMS 7
extern const int16_t lumen_demosaic_coef[LUMEN_DM_NKERNELS][LUMEN_DM_NTERMS];

/*
 * Which kernel produces channel ch (LUMEN_CH_R/G/B) at the sample of parity
 * par (0 = first output sample's column parity, 1 = the other) in a row
 * whose first sample sees @order.
 */
static inline int lumen_demosaic_kernel_for(enum lumen_bayer order, int ch,
					    int par)
{
	/* parity of the red/blue column, relative to the first sample */
	int ng = ((int)order & 1) ^ (((int)order >> 1) & 1);
	int blue_row = ((int)order >> 1) & 1;
	int green = (par != ng);

	if (ch == LUMEN_CH_G)
		return green ? LUMEN_DM_PASS : LUMEN_DM_KG;
	if ((ch == LUMEN_CH_B) == blue_row)	/* the colour of this row */
		return green ? LUMEN_DM_KH : LUMEN_DM_PASS;
	return green ? LUMEN_DM_KV : LUMEN_DM_KD;
}

#endif

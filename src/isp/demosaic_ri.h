/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The residual-interpolation demosaic's tile (demosaic_ri.c): float planes
 * of w x h samples, the frame's region plus LUMEN_RI_MARGIN pixels of
 * mirrored context on each side, and the kernel that develops it
 * (demosaic_ri_tile.h, one build per instruction set).
 */
#ifndef LUMEN_ISP_DEMOSAIC_RI_H
#define LUMEN_ISP_DEMOSAIC_RI_H

/* context on each side: at least the sum of the kernel's stencil radii
 * (21: with 20 the kodim19 crop of tests/test_demosaic_ri.c differs
 * between tile sizes); even, so a tile has the frame's CFA phase */
#define LUMEN_RI_MARGIN 22

enum lumen_ri_plane {
	LUMEN_RI_MOS,		/* the mosaic, 0..1 */
	LUMEN_RI_MG, LUMEN_RI_MR, LUMEN_RI_MB,	/* 0/1 site masks */
	LUMEN_RI_RED, LUMEN_RI_GREEN, LUMEN_RI_BLUE,	/* the result */
	/* scratch of the kernel */
	LUMEN_RI_DH, LUMEN_RI_DV, LUMEN_RI_GUIDE, LUMEN_RI_TENT,
	LUMEN_RI_T0, LUMEN_RI_T1,
	LUMEN_RI_Q0, LUMEN_RI_Q1, LUMEN_RI_Q2, LUMEN_RI_Q3,
	LUMEN_RI_S0, LUMEN_RI_S1, LUMEN_RI_S2, LUMEN_RI_S3, LUMEN_RI_S4,
	LUMEN_RI_TMP,
	LUMEN_RI_PLANES
};

struct lumen_ri_tile {
	int w, h;		/* plane size, margins included */
	float *p[LUMEN_RI_PLANES];	/* w * h floats each */
};

/*
 * Develops a loaded tile: from MOS and the masks, RED, GREEN and BLUE,
 * exact where at least LUMEN_RI_MARGIN pixels from every edge (any value,
 * even inf or NaN, nearer the edges). Every build gives the same bits.
 */
typedef void lumen_demosaic_ri_tile_fn(struct lumen_ri_tile *t);

lumen_demosaic_ri_tile_fn lumen_demosaic_ri_tile_c;
lumen_demosaic_ri_tile_fn lumen_demosaic_ri_tile_avx2;
lumen_demosaic_ri_tile_fn lumen_demosaic_ri_tile_avx512;	/* F + BW */
lumen_demosaic_ri_tile_fn lumen_demosaic_ri_tile_neon;

#endif

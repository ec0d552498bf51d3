/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Measuring the defective-pixel correction: defects injected into a clean
 * working mosaic, and what the DPC left of them. Used by `lumen bench dpc`
 * and tests/test_dpc.c; not by the ISP.
 */
#ifndef LUMEN_ISP_DPC_EVAL_H
#define LUMEN_ISP_DPC_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/frame.h"

/* Smallest injected error, working units (1/4 of the range). */
#define LUMEN_DPC_EVAL_MIN_ERR 4096

struct lumen_dpc_defect {
	int x, y;
	uint16_t truth, value;
};

/*
 * Injects defects into the BAYER16 working frame @work at @density (share
 * of pixels, e.g. 0.002): isolated pixels and, for @pair_share of the
 * sites, pairs in the same colour plane (the other at a same-colour
 * neighbour position: +-2 along a row, column or diagonal; +-1 diagonally
 * for green), each hot or cold at random, at least
 * LUMEN_DPC_EVAL_MIN_ERR from the true value. No two sites are within
 * two pixels of each other (pairs and isolated pixels, not clusters).
 * Writes up to @max defects to @out; returns how many. @seed: xorshift
 * state, nonzero.
 */
int lumen_dpc_inject(struct lumen_frame *work, double density,
		     double pair_share, unsigned seed,
		     struct lumen_dpc_defect *out, int max);

/*
 * A defect counts as corrected when the DPC replaced it and left at most
 * half of its error: |out - truth| <= |value - truth| / 2. Returns how many of @n were;
 * *residual (may be NULL) gets the mean |out - truth| over them all.
 */
int lumen_dpc_corrected(const struct lumen_frame *work,
			const struct lumen_dpc_defect *d, int n,
			double *residual);

/*
 * The DPC's replacement for pixel (x, y) of the BAYER16 working frame
 * @work (x, y inside it) taken as defective without a test (oracle
 * detection), with the margin @threshold (struct lumen_dpc_setup): for
 * measuring the estimate apart from the detection. With @stop_short, what
 * the DPC writes (the estimate, stopped short and clipped to the
 * neighbours' range); without, the estimate clipped. Reads the 5x5 window,
 * mirrored at the edges.
 */
int lumen_dpc_estimate(const struct lumen_frame *work, int x, int y,
		       unsigned threshold, bool stop_short);

#endif

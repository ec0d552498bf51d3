/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small dense linear systems (up to a few hundred unknowns), as least-squares
 * fits by normal equations give them: the colour checker's homography, the
 * quality demosaic's step 7 filters. Row-major doubles, solved in place, no
 * allocation, no global state: any thread.
 */
#ifndef LUMEN_CORE_LINSOLVE_H
#define LUMEN_CORE_LINSOLVE_H

/*
 * Solves a x = b for an n x n symmetric positive definite @a by Cholesky
 * (a = L L^T). Only the lower triangle of @a is read (row i, columns
 * 0..i), so an upper triangle left unfilled is fine; it is overwritten with
 * L. @b (n values) is replaced by x.
 *
 * Returns 0, -EINVAL when n < 1, or -EDOM when @a is not positive definite
 * to working precision (a pivot not above 1e-12 of its diagonal entry, or
 * not a number): singular or indefinite systems, and NaN input. On error
 * @a and @b hold partial results.
 */
int lumen_solve_spd(int n, double *a, double *b);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 3x3 matrices of colour science and geometry (row-major, double). */
#ifndef LUMEN_CORE_MAT3_H
#define LUMEN_CORE_MAT3_H

#include <errno.h>
#include <math.h>

/*
 * @out = inverse of @m by cofactors. Returns 0, or -EDOM when @m is
 * singular (|det| < 1e-12 or not finite); @out is then untouched.
 * @out may not alias @m.
 */
static inline int lumen_mat3_invert(const double m[3][3], double out[3][3])
{
	double c[3][3], det;

	c[0][0] = m[1][1] * m[2][2] - m[1][2] * m[2][1];
	c[0][1] = m[0][2] * m[2][1] - m[0][1] * m[2][2];
	c[0][2] = m[0][1] * m[1][2] - m[0][2] * m[1][1];
	c[1][0] = m[1][2] * m[2][0] - m[1][0] * m[2][2];
	c[1][1] = m[0][0] * m[2][2] - m[0][2] * m[2][0];
	c[1][2] = m[0][2] * m[1][0] - m[0][0] * m[1][2];
	c[2][0] = m[1][0] * m[2][1] - m[1][1] * m[2][0];
	c[2][1] = m[0][1] * m[2][0] - m[0][0] * m[2][1];
	c[2][2] = m[0][0] * m[1][1] - m[0][1] * m[1][0];
	det = m[0][0] * c[0][0] + m[0][1] * c[1][0] + m[0][2] * c[2][0];
	if (!isfinite(det) || fabs(det) < 1e-12)
		return -EDOM;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			out[i][j] = c[i][j] / det;
	return 0;
}

#endif

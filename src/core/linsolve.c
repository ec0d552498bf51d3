// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/linsolve.h"

#include <errno.h>
#include <math.h>

/* Column by column: L's column j from a's, then forward and back
 * substitution through L and L^T. */
int lumen_solve_spd(int n, double *a, double *b)
{
	if (n < 1)
		return -EINVAL;
	for (int j = 0; j < n; j++) {
		double d = a[j * n + j];
		const double floor = 1e-12 * d;

		for (int k = 0; k < j; k++)
			d -= a[j * n + k] * a[j * n + k];
		if (!(d > floor) || !(d > 0.0))
			return -EDOM;
		d = sqrt(d);
		a[j * n + j] = d;
		for (int i = j + 1; i < n; i++) {
			double s = a[i * n + j];

			for (int k = 0; k < j; k++)
				s -= a[i * n + k] * a[j * n + k];
			a[i * n + j] = s / d;
		}
	}
	for (int i = 0; i < n; i++) {
		double s = b[i];

		for (int k = 0; k < i; k++)
			s -= a[i * n + k] * b[k];
		b[i] = s / a[i * n + i];
	}
	for (int i = n - 1; i >= 0; i--) {
		double s = b[i];

		for (int k = i + 1; k < n; k++)
			s -= a[k * n + i] * b[k];
		b[i] = s / a[i * n + i];
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen_solve_spd(): a small system with an exact answer (and garbage in
 * the upper triangle it must not read), a 75-unknown system as large as the
 * quality demosaic's step 7 solves, checked by its residual, and the
 * refusals: singular, indefinite, NaN, empty.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/linsolve.h"
#include "testutil.h"

/* [[4,2,0],[2,5,3],[0,3,10]] x = (2,3,17) has x = (1,-1,2); the upper
 * triangle holds values that would change it if it were read. */
static void small_exact(void **state)
{
	double a[9] = {
		4, 99, -7,
		2, 5, 1e9,
		0, 3, 10,
	};
	double b[3] = { 2, 3, 17 };

	(void)state;
	assert_int_equal(lumen_solve_spd(3, a, b), 0);
	assert_true(fabs(b[0] - 1.0) < 1e-14);
	assert_true(fabs(b[1] + 1.0) < 1e-14);
	assert_true(fabs(b[2] - 2.0) < 1e-14);
	/* L's diagonal: sqrt(4), sqrt(5 - 1), sqrt(10 - 9/4) */
	assert_true(fabs(a[0] - 2.0) < 1e-15);
	assert_true(fabs(a[4] - 2.0) < 1e-15);
	assert_true(fabs(a[8] - sqrt(7.75)) < 1e-14);
}

/* A = M M^T + I with random M, 75 x 75: A x = b must hold to 1e-10. */
static void large_residual(void **state)
{
	enum { N = 75 };
	static double m[N * N], a[N * N], a0[N * N];
	double b[N], b0[N], worst = 0.0;
	unsigned seed = 12345;

	(void)state;
	for (int i = 0; i < N * N; i++)
		m[i] = (double)(lumen_test_rand(&seed) % 2001u) / 1000.0 - 1.0;
	for (int i = 0; i < N; i++) {
		for (int j = 0; j < N; j++) {
			double s = i == j;

			for (int k = 0; k < N; k++)
				s += m[i * N + k] * m[j * N + k];
			a[i * N + j] = s;
		}
		b[i] = (double)(lumen_test_rand(&seed) % 2001u) / 100.0 - 10.0;
	}
	memcpy(a0, a, sizeof(a));
	memcpy(b0, b, sizeof(b));
	assert_int_equal(lumen_solve_spd(N, a, b), 0);
	for (int i = 0; i < N; i++) {
		double r = -b0[i];

		for (int j = 0; j < N; j++)
			r += a0[i * N + j] * b[j];
		worst = fmax(worst, fabs(r));
	}
	print_message("75 x 75: worst residual %.3g\n", worst);
	assert_true(worst < 1e-10);
}

static void refusals(void **state)
{
	/* rank 1: the second pivot is 4 - 2 * 2 = 0 */
	double sing[4] = { 1, 2, 2, 4 };
	/* rank 2 of 3 (row 3 = row 1 + row 2): the last pivot is rounding
	 * noise, not a real one */
	double sing3[9] = {
		2, 1, 3,
		1, 3, 4,
		3, 4, 7,
	};
	double indef[4] = { 1, 3, 3, 1 };	/* eigenvalues 4 and -2 */
	double neg[1] = { -1 };
	double nan_a[4] = { 1, 0, 0, NAN };
	double b[3] = { 1, 1, 1 };

	(void)state;
	assert_int_equal(lumen_solve_spd(2, sing, b), -EDOM);
	assert_int_equal(lumen_solve_spd(3, sing3, b), -EDOM);
	assert_int_equal(lumen_solve_spd(2, indef, b), -EDOM);
	assert_int_equal(lumen_solve_spd(1, neg, b), -EDOM);
	assert_int_equal(lumen_solve_spd(2, nan_a, b), -EDOM);
	assert_int_equal(lumen_solve_spd(0, neg, b), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_exact),
		cmocka_unit_test(large_residual),
		cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

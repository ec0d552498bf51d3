// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CCM fitting. Nelder-Mead as in J. A. Nelder and R. Mead, "A simplex
 * method for function minimization", Computer Journal 7 (1965), with the
 * usual coefficients (reflection 1, expansion 2, contraction 1/2,
 * shrink 1/2).
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "calib/ccm_fit.h"
#include "calib/colour.h"

double lumen_ccm_delta_e(const struct lumen_cc_sample s[LUMEN_CC_PATCHES],
			 const bool used[LUMEN_CC_PATCHES],
			 const double wb[3], const double ccm[3][3],
			 double exposure, double de[LUMEN_CC_PATCHES])
{
	double sum = 0;
	int n = 0;

	for (int p = 0; p < LUMEN_CC_PATCHES; p++) {
		double c[3], rgb[3], lab[3];

		de[p] = 0;
		if (!used[p])
			continue;
		for (int k = 0; k < 3; k++)
			c[k] = wb[k] * s[p].rgb[k];
		for (int i = 0; i < 3; i++)
			rgb[i] = exposure * (ccm[i][0] * c[0] + ccm[i][1] * c[1] +
					     ccm[i][2] * c[2]);
		lumen_linsrgb_to_lab(rgb, lab);
		de[p] = lumen_ciede2000(lab, lumen_cc_ref[p].lab);
		sum += de[p];
		n++;
	}
	return n ? sum / n : 0;
}

/* The 7 free parameters: two off-diagonal entries per row (the diagonal
 * follows from the row sum) and log(exposure). */
#define NPAR 7

static void params_to_ccm(const double x[NPAR], double m[3][3], double *expo)
{
	int k = 0;

	for (int i = 0; i < 3; i++) {
		double off = 0;

		for (int j = 0; j < 3; j++) {
			if (j == i)
				continue;
			m[i][j] = x[k++];
			off += m[i][j];
		}
		m[i][i] = 1 - off;
	}
	*expo = exp(x[6]);
}

static void ccm_to_params(const double m[3][3], double exposure,
			  double x[NPAR])
{
	int k = 0;

	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			if (j != i)
				x[k++] = m[i][j];
	x[6] = log(exposure);
}

struct fit_ctx {
	const struct lumen_cc_sample *s;
	const bool *used;
	const double *wb;
};

static double objective(const struct fit_ctx *ctx, const double x[NPAR])
{
	double m[3][3], e, de[LUMEN_CC_PATCHES];

	params_to_ccm(x, m, &e);
	return lumen_ccm_delta_e(ctx->s, ctx->used, ctx->wb, m, e, de);
}

static double nelder_mead(const struct fit_ctx *ctx, double x[NPAR],
			  double step, int iters)
{
	double p[NPAR + 1][NPAR], f[NPAR + 1];

	for (int i = 0; i <= NPAR; i++) {
		memcpy(p[i], x, sizeof(p[i]));
		if (i)
			p[i][i - 1] += step;
		f[i] = objective(ctx, p[i]);
	}
	for (int it = 0; it < iters; it++) {
		int lo = 0, hi = 0, nh = 0;
		double c[NPAR] = { 0 }, r[NPAR], fr;

		for (int i = 1; i <= NPAR; i++) {
			if (f[i] < f[lo])
				lo = i;
			if (f[i] > f[hi])
				hi = i;
		}
		nh = lo;
		for (int i = 0; i <= NPAR; i++)
			if (i != hi && f[i] > f[nh])
				nh = i;
		if (f[hi] - f[lo] < 1e-9)
			break;
		for (int i = 0; i <= NPAR; i++)
			if (i != hi)
				for (int k = 0; k < NPAR; k++)
					c[k] += p[i][k] / NPAR;
		for (int k = 0; k < NPAR; k++)
			r[k] = c[k] + (c[k] - p[hi][k]);
		fr = objective(ctx, r);
		if (fr < f[lo]) {
			double e[NPAR], fe;

			for (int k = 0; k < NPAR; k++)
				e[k] = c[k] + 2 * (c[k] - p[hi][k]);
			fe = objective(ctx, e);
			if (fe < fr) {
				memcpy(p[hi], e, sizeof(e));
				f[hi] = fe;
			} else {
				memcpy(p[hi], r, sizeof(r));
				f[hi] = fr;
			}
		} else if (fr < f[nh]) {
			memcpy(p[hi], r, sizeof(r));
			f[hi] = fr;
		} else {
			double k2[NPAR], fk;
			bool outside = fr < f[hi];

			for (int k = 0; k < NPAR; k++)
				k2[k] = outside ? c[k] + 0.5 * (r[k] - c[k])
						: c[k] + 0.5 * (p[hi][k] - c[k]);
			fk = objective(ctx, k2);
			if (fk < (outside ? fr : f[hi])) {
				memcpy(p[hi], k2, sizeof(k2));
				f[hi] = fk;
			} else {
				for (int i = 0; i <= NPAR; i++) {
					if (i == lo)
						continue;
					for (int k = 0; k < NPAR; k++)
						p[i][k] = p[lo][k] +
							  0.5 * (p[i][k] - p[lo][k]);
					f[i] = objective(ctx, p[i]);
				}
			}
		}
	}
	int lo = 0;

	for (int i = 1; i <= NPAR; i++)
		if (f[i] < f[lo])
			lo = i;
	memcpy(x, p[lo], sizeof(p[lo]));
	return f[lo];
}

/*
 * Least squares for one ccm row under sum(row) = 1:
 *   t ~ c0 + m1 (c1 - c0) + m2 (c2 - c0)  (for row 0; the others permute)
 */
static int fit_row(const double c[][3], const double *t, int n, int row,
		   double out[3])
{
	int o1 = (row + 1) % 3, o2 = (row + 2) % 3;
	double a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0, det;

	for (int k = 0; k < n; k++) {
		double d1 = c[k][o1] - c[k][row], d2 = c[k][o2] - c[k][row];
		double r = t[k] - c[k][row];

		a11 += d1 * d1;
		a12 += d1 * d2;
		a22 += d2 * d2;
		b1 += d1 * r;
		b2 += d2 * r;
	}
	det = a11 * a22 - a12 * a12;
	if (fabs(det) < 1e-18)
		return -EDOM;
	out[o1] = (a22 * b1 - a12 * b2) / det;
	out[o2] = (a11 * b2 - a12 * b1) / det;
	out[row] = 1 - out[o1] - out[o2];
	return 0;
}

int lumen_ccm_fit(const struct lumen_cc_sample s[LUMEN_CC_PATCHES],
		  struct lumen_ccm_result *res)
{
	static const double ident[3][3] = { { 1, 0, 0 }, { 0, 1, 0 },
					    { 0, 0, 1 } };
	struct lumen_ccm_result r;
	double sum[3] = { 0 }, target[LUMEN_CC_PATCHES][3];
	double c[LUMEN_CC_PATCHES][3], t[LUMEN_CC_PATCHES];
	double num = 0, den = 0, x[NPAR], best;
	int n = 0, idx[LUMEN_CC_PATCHES];
	struct fit_ctx ctx;

	if (!s || !res)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	for (int p = 0; p < LUMEN_CC_PATCHES; p++) {
		r.used[p] = s[p].valid && s[p].rgb[0] > 0 && s[p].rgb[1] > 0 &&
			    s[p].rgb[2] > 0 && isfinite(s[p].rgb[0] + s[p].rgb[1] +
							 s[p].rgb[2]);
		r.n_used += r.used[p];
	}
	if (r.n_used < 9)
		return -EDOM;

	/* white balance: sum of the usable greys 19..22, else the white */
	for (int pass = 0; pass < 2 && !r.wb_patches; pass++) {
		int p0 = pass ? LUMEN_CC_FIRST_NEUTRAL : LUMEN_CC_FIRST_NEUTRAL + 1;
		int p1 = pass ? LUMEN_CC_FIRST_NEUTRAL : LUMEN_CC_FIRST_NEUTRAL + 4;

		for (int p = p0; p <= p1; p++) {
			if (!r.used[p] || s[p].rgb[1] < LUMEN_CCM_WB_MIN)
				continue;
			for (int k = 0; k < 3; k++)
				sum[k] += s[p].rgb[k];
			r.wb_patches++;
		}
	}
	if (!r.wb_patches || sum[0] <= 0 || sum[2] <= 0)
		return -EDOM;
	r.wb[0] = sum[1] / sum[0];
	r.wb[1] = 1;
	r.wb[2] = sum[1] / sum[2];

	/* references in linear sRGB; exposure from the neutral row's Y */
	for (int p = 0; p < LUMEN_CC_PATCHES; p++) {
		lumen_lab_to_linsrgb(lumen_cc_ref[p].lab, target[p]);
		for (int k = 0; k < 3; k++)
			c[p][k] = r.wb[k] * s[p].rgb[k];
		if (r.used[p] && p >= LUMEN_CC_FIRST_NEUTRAL) {
			double y = (target[p][0] + target[p][1] + target[p][2]) / 3;

			num += c[p][1] * y;
			den += c[p][1] * c[p][1];
		}
	}
	if (den <= 0)
		return -EDOM;
	r.exposure_before = num / den;

	/* linear start: rows summing to one, on exposure-scaled camera RGB */
	double cs[LUMEN_CC_PATCHES][3];

	for (int p = 0; p < LUMEN_CC_PATCHES; p++) {
		if (!r.used[p])
			continue;
		idx[n] = p;
		for (int k = 0; k < 3; k++)
			cs[n][k] = r.exposure_before * c[p][k];
		n++;
	}
	for (int i = 0; i < 3; i++) {
		for (int k = 0; k < n; k++)
			t[k] = target[idx[k]][i];
		if (fit_row(cs, t, n, i, r.ccm[i]))
			return -EDOM;
	}

	/* the "before" figure gets its own best exposure too */
	ctx.s = s;
	ctx.used = r.used;
	ctx.wb = r.wb;
	{
		double e = r.exposure_before, de[LUMEN_CC_PATCHES];
		double lo = log(e), bestv = INFINITY, beste = e;

		/* 1-D scan then golden-free refinement: cheap and robust */
		for (double step = 0.2; step > 1e-4; step /= 4) {
			double centre = lo;

			for (int k = -4; k <= 4; k++) {
				double le = centre + k * step;
				double v = lumen_ccm_delta_e(s, r.used, r.wb, ident,
							     exp(le), de);

				if (v < bestv) {
					bestv = v;
					beste = exp(le);
					lo = le;
				}
			}
		}
		r.exposure_before = beste;
	}

	ccm_to_params(r.ccm, r.exposure_before, x);
	best = INFINITY;
	for (int round = 0; round < 6; round++) {
		double v = nelder_mead(&ctx, x, round ? 0.02 : 0.1, 3000);

		if (best - v < 1e-6) {
			best = fmin(best, v);
			break;
		}
		best = v;
	}
	params_to_ccm(x, r.ccm, &r.exposure);
	if (!isfinite(r.exposure) || r.exposure <= 0)
		return -EDOM;

	r.de_before_mean = lumen_ccm_delta_e(s, r.used, r.wb, ident,
					     r.exposure_before, r.de_before);
	r.de_after_mean = lumen_ccm_delta_e(s, r.used, r.wb, r.ccm, r.exposure,
					    r.de_after);
	for (int p = 0; p < LUMEN_CC_PATCHES; p++) {
		r.de_before_max = fmax(r.de_before_max, r.de_before[p]);
		r.de_after_max = fmax(r.de_after_max, r.de_after[p]);
	}
	*res = r;
	return 0;
}

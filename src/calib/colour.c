// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Colorimetry. Constants are published facts:
 *  - sRGB curve and primaries: IEC 61966-2-1:1999; the RGB <-> XYZ matrix is
 *    the one derived from the primaries and the D65 white with the white
 *    points below (as tabulated by B. Lindbloom, brucelindbloom.com).
 *  - White points D50 (0.96422, 1, 0.82521) and D65 (0.95047, 1, 1.08883).
 *  - Bradford cone matrix: Lam (1985), as given in ICC.1:2010 Annex E.
 *  - CIELAB: CIE 15:2004, with the exact 216/24389 and 24389/27 constants.
 *  - CIEDE2000: Sharma, Wu and Dalal (2005), equations (1)-(23).
 */
#include <math.h>

#include "calib/colour.h"
#include "core/mat3.h"

const double lumen_white_d50[3] = { 0.96422, 1.0, 0.82521 };
const double lumen_white_d65[3] = { 0.95047, 1.0, 1.08883 };

const double lumen_srgb_to_xyz_d65[3][3] = {
	{ 0.4124564, 0.3575761, 0.1804375 },
	{ 0.2126729, 0.7151522, 0.0721750 },
	{ 0.0193339, 0.1191920, 0.9503041 },
};

static const double bradford[3][3] = {
	{ 0.8951, 0.2664, -0.1614 },
	{ -0.7502, 1.7135, 0.0367 },
	{ 0.0389, -0.0685, 1.0296 },
};

static void mat3_mul_vec(const double m[3][3], const double v[3], double o[3])
{
	double t[3];

	for (int i = 0; i < 3; i++)
		t[i] = m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2];
	o[0] = t[0];
	o[1] = t[1];
	o[2] = t[2];
}

static void mat3_mul(const double a[3][3], const double b[3][3], double o[3][3])
{
	double t[3][3];

	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			t[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] +
				  a[i][2] * b[2][j];
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			o[i][j] = t[i][j];
}

/* The matrices inverted here are fixed colour-space matrices, never
 * singular. */
static void mat3_inv(const double m[3][3], double o[3][3])
{
	lumen_mat3_invert(m, o);
}

/* Derived matrices, computed once; all callers see the same values. */
static struct {
	int ready;
	double xyz_to_srgb[3][3];
	double d65_to_d50[3][3];
	double d50_to_d65[3][3];
} derived;

static void adapt_matrix(const double from[3], const double to[3],
			 double o[3][3])
{
	double cf[3], ct[3], inv[3][3], d[3][3] = { { 0 } };

	mat3_mul_vec(bradford, from, cf);
	mat3_mul_vec(bradford, to, ct);
	for (int i = 0; i < 3; i++)
		d[i][i] = ct[i] / cf[i];
	mat3_inv(bradford, inv);
	mat3_mul(d, bradford, o);
	mat3_mul(inv, o, o);
}

static void init_derived(void)
{
	/* Idempotent: a racing second initialiser writes identical values. */
	if (derived.ready)
		return;
	mat3_inv(lumen_srgb_to_xyz_d65, derived.xyz_to_srgb);
	adapt_matrix(lumen_white_d65, lumen_white_d50, derived.d65_to_d50);
	adapt_matrix(lumen_white_d50, lumen_white_d65, derived.d50_to_d65);
	derived.ready = 1;
}

double lumen_srgb_to_linear(double v)
{
	double a = fabs(v), r;

	r = a <= 0.04045 ? a / 12.92 : pow((a + 0.055) / 1.055, 2.4);
	return v < 0 ? -r : r;
}

double lumen_linear_to_srgb(double v)
{
	double a = fabs(v), r;

	r = a <= 0.0031308 ? a * 12.92 : 1.055 * pow(a, 1.0 / 2.4) - 0.055;
	return v < 0 ? -r : r;
}

void lumen_linsrgb_to_xyz(const double rgb[3], double xyz[3])
{
	mat3_mul_vec(lumen_srgb_to_xyz_d65, rgb, xyz);
}

void lumen_xyz_to_linsrgb(const double xyz[3], double rgb[3])
{
	init_derived();
	mat3_mul_vec(derived.xyz_to_srgb, xyz, rgb);
}

void lumen_xyz_d65_to_d50(const double in[3], double out[3])
{
	init_derived();
	mat3_mul_vec(derived.d65_to_d50, in, out);
}

void lumen_xyz_d50_to_d65(const double in[3], double out[3])
{
	init_derived();
	mat3_mul_vec(derived.d50_to_d65, in, out);
}

#define LAB_EPS (216.0 / 24389.0)
#define LAB_KAPPA (24389.0 / 27.0)

static double lab_f(double t)
{
	return t > LAB_EPS ? cbrt(t) : (LAB_KAPPA * t + 16.0) / 116.0;
}

static double lab_finv(double f)
{
	double f3 = f * f * f;

	return f3 > LAB_EPS ? f3 : (116.0 * f - 16.0) / LAB_KAPPA;
}

void lumen_xyz_to_lab(const double xyz[3], const double white[3],
		      double lab[3])
{
	double fx = lab_f(xyz[0] / white[0]);
	double fy = lab_f(xyz[1] / white[1]);
	double fz = lab_f(xyz[2] / white[2]);

	lab[0] = 116.0 * fy - 16.0;
	lab[1] = 500.0 * (fx - fy);
	lab[2] = 200.0 * (fy - fz);
}

void lumen_lab_to_xyz(const double lab[3], const double white[3],
		      double xyz[3])
{
	double fy = (lab[0] + 16.0) / 116.0;
	double fx = fy + lab[1] / 500.0;
	double fz = fy - lab[2] / 200.0;

	xyz[0] = white[0] * lab_finv(fx);
	xyz[1] = lab[0] > LAB_KAPPA * LAB_EPS ? fy * fy * fy
					     : lab[0] / LAB_KAPPA;
	xyz[1] *= white[1];
	xyz[2] = white[2] * lab_finv(fz);
}

void lumen_linsrgb_to_lab(const double rgb[3], double lab[3])
{
	double xyz[3];

	lumen_linsrgb_to_xyz(rgb, xyz);
	lumen_xyz_d65_to_d50(xyz, xyz);
	lumen_xyz_to_lab(xyz, lumen_white_d50, lab);
}

void lumen_lab_to_linsrgb(const double lab[3], double rgb[3])
{
	double xyz[3];

	lumen_lab_to_xyz(lab, lumen_white_d50, xyz);
	lumen_xyz_d50_to_d65(xyz, xyz);
	lumen_xyz_to_linsrgb(xyz, rgb);
}

static double deg(double rad)
{
	return rad * (180.0 / M_PI);
}

static double rad(double d)
{
	return d * (M_PI / 180.0);
}

/* Hue angle in degrees, 0..360; 0 for a = b = 0 (Sharma eq. 4). */
static double hue_deg(double b, double a)
{
	double h;

	if (a == 0 && b == 0)
		return 0;
	h = deg(atan2(b, a));
	return h < 0 ? h + 360.0 : h;
}

double lumen_ciede2000(const double lab1[3], const double lab2[3])
{
	double L1 = lab1[0], a1 = lab1[1], b1 = lab1[2];
	double L2 = lab2[0], a2 = lab2[1], b2 = lab2[2];
	double C1 = hypot(a1, b1), C2 = hypot(a2, b2);
	double Cm = (C1 + C2) / 2, Cm7 = pow(Cm, 7);
	double G = 0.5 * (1 - sqrt(Cm7 / (Cm7 + pow(25.0, 7))));
	double a1p = (1 + G) * a1, a2p = (1 + G) * a2;
	double C1p = hypot(a1p, b1), C2p = hypot(a2p, b2);
	double h1p = hue_deg(b1, a1p), h2p = hue_deg(b2, a2p);
	double dLp = L2 - L1, dCp = C2p - C1p, dhp, dHp;
	double Lpm, Cpm, hpm, T, dtheta, Cpm7, RC, SL, SC, SH, RT, l50;

	/* eq. 10 */
	if (C1p * C2p == 0)
		dhp = 0;
	else if (fabs(h2p - h1p) <= 180)
		dhp = h2p - h1p;
	else if (h2p - h1p > 180)
		dhp = h2p - h1p - 360;
	else
		dhp = h2p - h1p + 360;
	dHp = 2 * sqrt(C1p * C2p) * sin(rad(dhp / 2));

	Lpm = (L1 + L2) / 2;
	Cpm = (C1p + C2p) / 2;
	/* eq. 14 */
	if (C1p * C2p == 0)
		hpm = h1p + h2p;
	else if (fabs(h1p - h2p) <= 180)
		hpm = (h1p + h2p) / 2;
	else if (h1p + h2p < 360)
		hpm = (h1p + h2p + 360) / 2;
	else
		hpm = (h1p + h2p - 360) / 2;

	T = 1 - 0.17 * cos(rad(hpm - 30)) + 0.24 * cos(rad(2 * hpm)) +
	    0.32 * cos(rad(3 * hpm + 6)) - 0.20 * cos(rad(4 * hpm - 63));
	dtheta = 30 * exp(-((hpm - 275) / 25) * ((hpm - 275) / 25));
	Cpm7 = pow(Cpm, 7);
	RC = 2 * sqrt(Cpm7 / (Cpm7 + pow(25.0, 7)));
	l50 = (Lpm - 50) * (Lpm - 50);
	SL = 1 + 0.015 * l50 / sqrt(20 + l50);
	SC = 1 + 0.045 * Cpm;
	SH = 1 + 0.015 * Cpm * T;
	RT = -sin(rad(2 * dtheta)) * RC;

	return sqrt((dLp / SL) * (dLp / SL) + (dCp / SC) * (dCp / SC) +
		    (dHp / SH) * (dHp / SH) + RT * (dCp / SC) * (dHp / SH));
}

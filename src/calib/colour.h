/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Colorimetry for calibration: sRGB transfer curve, linear sRGB <-> CIE XYZ,
 * chromatic adaptation and CIELAB, and the CIEDE2000 colour difference.
 *
 * Conventions (used everywhere in src/calib):
 *  - "linear sRGB" is IEC 61966-2-1 RGB with the D65 white, before the
 *    transfer curve; 1.0 is diffuse white (Y = 1).
 *  - XYZ is scaled so that Y = 1 for the white.
 *  - CIELAB is always relative to the D50 white (ICC PCS, and what X-Rite
 *    publishes for the ColorChecker). Linear sRGB reaches it through
 *    XYZ(D65) -> Bradford -> XYZ(D50) -> L*a*b*(D50).
 * All functions are pure, never fail and accept any finite input
 * (out-of-gamut and negative values included).
 */
#ifndef LUMEN_CALIB_COLOUR_H
#define LUMEN_CALIB_COLOUR_H

/* CIE white points (2 degree observer, Y = 1), as used by ICC / Lindbloom. */
extern const double lumen_white_d50[3];
extern const double lumen_white_d65[3];

/* Linear sRGB -> XYZ, both with the D65 white (IEC 61966-2-1). */
extern const double lumen_srgb_to_xyz_d65[3][3];

/* sRGB transfer curve (IEC 61966-2-1), on one component; odd-symmetric. */
double lumen_srgb_to_linear(double v);
double lumen_linear_to_srgb(double v);

/* Linear sRGB (D65) <-> XYZ (D65). */
void lumen_linsrgb_to_xyz(const double rgb[3], double xyz[3]);
void lumen_xyz_to_linsrgb(const double xyz[3], double rgb[3]);

/* Bradford chromatic adaptation between the D65 and D50 whites. */
void lumen_xyz_d65_to_d50(const double in[3], double out[3]);
void lumen_xyz_d50_to_d65(const double in[3], double out[3]);

/* CIE 1976 L*a*b* relative to @white (XYZ, Y = 1). */
void lumen_xyz_to_lab(const double xyz[3], const double white[3],
		      double lab[3]);
void lumen_lab_to_xyz(const double lab[3], const double white[3],
		      double xyz[3]);

/* Linear sRGB (D65) <-> L*a*b* (D50) through Bradford adaptation. */
void lumen_linsrgb_to_lab(const double rgb[3], double lab[3]);
void lumen_lab_to_linsrgb(const double lab[3], double rgb[3]);

/*
 * CIEDE2000 colour difference with kL = kC = kH = 1, following
 * G. Sharma, W. Wu, E. N. Dalal, "The CIEDE2000 color-difference formula:
 * implementation notes, supplementary test data, and mathematical
 * observations", Color Res. Appl. 30(1), 2005.
 */
double lumen_ciede2000(const double lab1[3], const double lab2[3]);

#endif

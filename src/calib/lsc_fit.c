// SPDX-License-Identifier: GPL-2.0-or-later
#include "calib/lsc_fit.h"

#include <errno.h>
#include <math.h>

void lumen_lsc_fit_grid(int width, int height, int *grid_w, int *grid_h)
{
	int gh = width > 0 ? (int)lround(16.0 * height / width) + 1 : 2;

	*grid_w = 17;
	*grid_h = gh < 3 ? 3 : gh > 64 ? 64 : gh;
}

/*
 * Level of CFA cell @c (0..3, row-major 2x2) at (@px, @py), from a plane
 * fitted to the cell's black-subtracted samples within +-@rx, +-@ry.
 * Returns a negative value when fewer than half the samples are usable.
 */
static double level_at(const struct lumen_frame *f, int c, double px,
		       double py, double rx, double ry)
{
	const int cx = c & 1, cy = c >> 1;
	const unsigned clip = f->white - (f->white - f->black[c]) / 64;
	int x0 = (int)floor(px - rx), x1 = (int)ceil(px + rx);
	int y0 = (int)floor(py - ry), y1 = (int)ceil(py + ry);
	double s1 = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
	double sv = 0, svx = 0, svy = 0, det, a;
	long all = 0;

	x0 = x0 < 0 ? 0 : x0;
	y0 = y0 < 0 ? 0 : y0;
	x1 = x1 > f->width - 1 ? f->width - 1 : x1;
	y1 = y1 > f->height - 1 ? f->height - 1 : y1;
	for (int y = y0 + ((y0 & 1) != cy); y <= y1; y += 2) {
		const uint16_t *row = (const uint16_t *)(const void *)
			(f->data[0] + (size_t)y * f->stride[0]);
		double dy = (y - py) / ry;

		for (int x = x0 + ((x0 & 1) != cx); x <= x1; x += 2) {
			double dx = (x - px) / rx, v;

			all++;
			if (row[x] >= clip)
				continue;
			v = (double)row[x] - f->black[c];
			s1 += 1;
			sx += dx;
			sy += dy;
			sxx += dx * dx;
			syy += dy * dy;
			sxy += dx * dy;
			sv += v;
			svx += v * dx;
			svy += v * dy;
		}
	}
	if (!all || s1 < all / 2.0 || s1 < 3)
		return -1;
	/* normal equations of v = a + b dx + d dy, solved for a (Cramer) */
	det = s1 * (sxx * syy - sxy * sxy) - sx * (sx * syy - sxy * sy) +
	      sy * (sx * sxy - sxx * sy);
	if (fabs(det) < 1e-9)
		return sv / s1;
	a = sv * (sxx * syy - sxy * sxy) - sx * (svx * syy - sxy * svy) +
	    sy * (svx * sxy - sxx * svy);
	return a / det;
}

int lumen_lsc_fit(const struct lumen_frame *flat, int grid_w, int grid_h,
		  float *const gain[4], int *bad_x, int *bad_y)
{
	const double w = flat->width, h = flat->height;
	const double step_x = (w - 1) / (grid_w - 1), step_y = (h - 1) / (grid_h - 1);
	double centre[4];

	if (flat->fmt != LUMEN_PIX_BAYER16 || flat->width < 8 ||
	    flat->height < 8 || grid_w < 2 || grid_h < 2 || grid_w > 64 ||
	    grid_h > 64 || grid_w > flat->width / 4 ||
	    grid_h > flat->height / 4)
		return -EINVAL;
	for (int c = 0; c < 4; c++) {
		if (flat->white <= flat->black[c] || !gain[c])
			return -EINVAL;
		centre[c] = level_at(flat, c, (w - 1) / 2, (h - 1) / 2,
				     step_x / 2, step_y / 2);
		/* a flat field at the centre above 2% of the range */
		if (centre[c] < 0.02 * (flat->white - flat->black[c])) {
			if (bad_x)
				*bad_x = -1;
			if (bad_y)
				*bad_y = -1;
			return -ERANGE;
		}
	}
	for (int j = 0; j < grid_h; j++)
		for (int i = 0; i < grid_w; i++)
			for (int c = 0; c < 4; c++) {
				double v = level_at(flat, c, i * step_x, j * step_y,
						    step_x / 2 + 1, step_y / 2 + 1);
				double g;

				if (v <= centre[c] / LUMEN_LSC_FIT_MAX_GAIN / 2) {
					if (bad_x)
						*bad_x = i;
					if (bad_y)
						*bad_y = j;
					return -ERANGE;
				}
				g = centre[c] / v;
				g = g > LUMEN_LSC_FIT_MAX_GAIN ? LUMEN_LSC_FIT_MAX_GAIN :
				    g < 1 / LUMEN_LSC_FIT_MAX_GAIN ? 1 / LUMEN_LSC_FIT_MAX_GAIN : g;
				gain[c][j * grid_w + i] = (float)g;
			}
	return 0;
}

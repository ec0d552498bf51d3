// SPDX-License-Identifier: GPL-2.0-or-later
#include "io/develop_input.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "calib/colour.h"
#include "core/mat3.h"
#include "core/errmsg.h"
#include "io/sidecar.h"

int lumen_ccm_from_xyz_to_cam(const float xyz_to_cam[3][3], float ccm[3][3])
{
	double cam_rgb[3][3], inv[3][3];

	for (int i = 0; i < 3; i++) {
		double sum = 0;

		for (int j = 0; j < 3; j++) {
			cam_rgb[i][j] = 0;
			for (int k = 0; k < 3; k++)
				cam_rgb[i][j] += xyz_to_cam[i][k] * lumen_srgb_to_xyz_d65[k][j];
			sum += cam_rgb[i][j];
		}
		if (!(fabs(sum) > 1e-9))
			return -EDOM;
		for (int j = 0; j < 3; j++)
			cam_rgb[i][j] /= sum;
	}
	if (lumen_mat3_invert(cam_rgb, inv))
		return -EDOM;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			ccm[i][j] = (float)inv[i][j];
	return 0;
}

/* TIFF (42) or BigTIFF (43), either byte order: libtiff reads both. */
static bool looks_like_tiff(const char *path)
{
	unsigned char magic[4];
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (!fp)
		return false;
	n = fread(magic, 1, 4, fp);
	fclose(fp);
	return n == 4 &&
	       ((magic[0] == 'I' && magic[1] == 'I' && (magic[2] == 42 || magic[2] == 43) && !magic[3]) ||
		(magic[0] == 'M' && magic[1] == 'M' && !magic[2] && (magic[3] == 42 || magic[3] == 43)));
}

static int load_plain(const char *path, struct lumen_raw_format *fmt,
		      const struct lumen_input_limits *lim,
		      struct lumen_develop_input *in, char *err, size_t errlen)
{
	char note[256] = "", note2[256] = "";
	uint64_t pixels;
	int ret;

	if (fmt->width <= 0 || fmt->height <= 0)
		return lumen_fail(-EINVAL, err, errlen, "%s: plain raw needs its size: "
			    "--size WxH (and --bits, --bayer) or --sidecar FILE", path);
	ret = lumen_raw_format_fit_file(fmt, path, note, sizeof(note), err, errlen);
	if (ret < 0)
		return ret;
	/* the file is read whole, then widened to 16 bits: about 4 bytes a pixel */
	pixels = (uint64_t)fmt->width * (uint64_t)fmt->height;
	if (pixels > lim->max_pixels)
		return lumen_fail(-EFBIG, err, errlen, "%s: %dx%d raw image is %llu pixels, above "
				  "the limit of %llu (raise it with %s)", path, fmt->width,
				  fmt->height, (unsigned long long)pixels,
				  (unsigned long long)lim->max_pixels,
				  lim->raise_pixels ? lim->raise_pixels : "lumen_input_limits.max_pixels");
	if (pixels * 4 > lim->max_memory)
		return lumen_fail(-EFBIG, err, errlen, "%s: a %dx%d raw image needs %llu MiB to "
				  "read, above the memory limit of %llu MiB (raise it with %s)",
				  path, fmt->width, fmt->height,
				  (unsigned long long)((pixels * 4 + (1 << 20) - 1) >> 20),
				  (unsigned long long)(lim->max_memory >> 20),
				  lim->raise_memory ? lim->raise_memory : "lumen_input_limits.max_memory");
	ret = lumen_raw_read16(path, fmt, LUMEN_RAW_ALLOW_OVERRANGE, &in->frame,
			       err, errlen);
	if (ret < 0)
		return ret;
	lumen_raw_fit_levels(&in->frame, path, note2, sizeof(note2));
	snprintf(in->note, sizeof(in->note), "%s%s%s", note,
		 note[0] && note2[0] ? "; " : "", note2);
	in->levels_from_file = fmt->has_black;
	return 0;
}

int lumen_develop_input_load(const char *path, struct lumen_raw_format *fmt,
			     struct lumen_develop_input *in, char *err,
			     size_t errlen)
{
	return lumen_develop_input_load_limits(path, fmt, NULL, in, err, errlen);
}

int lumen_develop_input_load_limits(const char *path, struct lumen_raw_format *fmt,
				    const struct lumen_input_limits *limits,
				    struct lumen_develop_input *in, char *err,
				    size_t errlen)
{
	struct lumen_develop_input tmp;
	int ret;

	if (!limits)
		limits = &lumen_input_limits_desktop;
	memset(&tmp, 0, sizeof(tmp));
	if (looks_like_tiff(path))
		ret = lumen_develop_input_load_dng_limits(path, limits, &tmp, err, errlen);
	else
		ret = load_plain(path, fmt, limits, &tmp, err, errlen);
	if (ret < 0) {
		lumen_develop_input_free(&tmp);
		return ret;
	}
	*in = tmp;
	return 0;
}

void lumen_develop_input_free(struct lumen_develop_input *in)
{
	lumen_frame_free(&in->frame);
}

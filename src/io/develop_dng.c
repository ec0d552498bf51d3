// SPDX-License-Identifier: GPL-2.0-or-later
/* DNG input and output for lumen develop: colour data in, colour data out. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "io/develop_input.h"
#include "io/dng.h"
#include "io/raw_image.h"
#include "isp/isp.h"

/* EXIF LightSource codes of the standard illuminants DNG uses */
enum { LIGHT_D65 = 21, LIGHT_D50 = 23 };

/* Adds "TagName (0xNNNN): why" to @in's warnings. */
static void add_warning(struct lumen_develop_input *in, const char *fmt, ...)
{
	va_list ap;

	if (in->n_warnings < LUMEN_RAW_MAX_WARNINGS) {
		va_start(ap, fmt);
		vsnprintf(in->warnings[in->n_warnings], sizeof(in->warnings[0]), fmt, ap);
		va_end(ap);
	}
	in->n_warnings++;
}

int lumen_develop_input_load_dng(const char *path, struct lumen_develop_input *in,
				 char *err, size_t errlen)
{
	return lumen_develop_input_load_dng_limits(path, NULL, in, err, errlen);
}

int lumen_develop_input_load_dng_limits(const char *path,
					const struct lumen_input_limits *limits,
					struct lumen_develop_input *in, char *err,
					size_t errlen)
{
	struct lumen_raw_image img;
	uint64_t copy;
	int ret, pick = 0;

	if (!limits)
		limits = &lumen_input_limits_desktop;
	ret = lumen_dng_read_limits(path, limits, &img, err, errlen);
	if (ret < 0)
		return ret;
	/* the reader's buffer and the copy are held together for a moment */
	copy = 2ull * (uint64_t)img.frame.width * (uint64_t)img.frame.height;
	if (img.mem_peak + copy > limits->max_memory) {
		snprintf(err, errlen, "%s: a %dx%d raw image needs %llu MiB to load, above the "
			 "memory limit of %llu MiB (raise it with %s)", path, img.raw_width,
			 img.raw_height,
			 (unsigned long long)((img.mem_peak + copy + (1 << 20) - 1) >> 20),
			 (unsigned long long)(limits->max_memory >> 20),
			 limits->raise_memory ? limits->raise_memory : "lumen_input_limits.max_memory");
		lumen_raw_image_free(&img);
		return -EFBIG;
	}
	memcpy(in->warnings, img.warnings, sizeof(in->warnings));
	in->n_warnings = img.n_warnings;
	/* copy the window out so the input owns one tight frame */
	ret = lumen_frame_alloc(&in->frame, LUMEN_PIX_BAYER16, img.frame.width,
				img.frame.height);
	if (ret < 0) {
		lumen_raw_image_free(&img);
		snprintf(err, errlen, "%s: out of memory", path);
		return ret;
	}
	for (int y = 0; y < img.frame.height; y++)
		memcpy(in->frame.data[0] + (size_t)y * in->frame.stride[0],
		       img.frame.data[0] + (size_t)y * img.frame.stride[0],
		       2 * (size_t)img.frame.width);
	in->frame.bayer = img.frame.bayer;
	in->frame.bits = img.frame.bits;
	memcpy(in->frame.black, img.frame.black, sizeof(in->frame.black));
	in->frame.white = img.frame.white;
	in->is_dng = true;
	in->levels_from_file = true;
	if (img.has_as_shot_neutral) {
		in->has_neutral = true;
		memcpy(in->neutral, img.as_shot_neutral, sizeof(in->neutral));
	}
	if (img.has_noise_profile) {
		/* x = level / LUMEN_WORK_MAX */
		in->has_noise = true;
		in->noise[0] = (float)(img.noise_profile[0] * LUMEN_WORK_MAX);
		in->noise[1] = (float)(img.noise_profile[1] * LUMEN_WORK_MAX *
				       LUMEN_WORK_MAX);
	}
	/* prefer the matrix calibrated under daylight */
	for (int i = 0; i < img.n_color_matrices; i++)
		if (img.calibration_illuminant[i] == LIGHT_D65 ||
		    img.calibration_illuminant[i] == LIGHT_D50)
			pick = i;
	if (img.n_color_matrices > 0) {
		memcpy(in->xyz_to_cam, img.color_matrix[pick], sizeof(in->xyz_to_cam));
		in->has_xyz_to_cam = true;
		in->has_ccm = !lumen_ccm_from_xyz_to_cam(in->xyz_to_cam, in->ccm);
		if (!in->has_ccm)
			add_warning(in, "ColorMatrix%d (0x%04x): no camera -> sRGB matrix can be "
				    "made from it (a row maps white to zero, or it is singular)",
				    img.color_matrix_tag[pick] - 50720, img.color_matrix_tag[pick]);
	}
	snprintf(in->note, sizeof(in->note), "%s: DNG %s %s, %dx%d crop at %d,%d of %dx%d",
		 path, img.make, img.model, img.frame.width, img.frame.height,
		 img.crop_x, img.crop_y, img.raw_width, img.raw_height);
	lumen_raw_image_free(&img);
	return 0;
}

int lumen_develop_input_save_dng(const char *path,
				 const struct lumen_develop_input *in,
				 char *err, size_t errlen)
{
	struct lumen_dng_write_meta meta;

	memset(&meta, 0, sizeof(meta));
	meta.software = "lumen develop";
	if (in->has_xyz_to_cam) {
		meta.has_color_matrix = true;
		memcpy(meta.color_matrix, in->xyz_to_cam, sizeof(meta.color_matrix));
		meta.calibration_illuminant = LIGHT_D65;
	}
	if (in->has_neutral) {
		meta.has_as_shot_neutral = true;
		memcpy(meta.as_shot_neutral, in->neutral, sizeof(meta.as_shot_neutral));
	}
	return lumen_dng_write(path, &in->frame, &meta, err, errlen);
}

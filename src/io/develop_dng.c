// SPDX-License-Identifier: GPL-2.0-or-later
/* DNG input and output for lumen develop: colour data in, colour data out. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "io/develop_input.h"
#include "io/dng.h"
#include "io/raw_image.h"

/* EXIF LightSource codes of the standard illuminants DNG uses */
enum { LIGHT_D65 = 21, LIGHT_D50 = 23 };

int lumen_develop_input_load_dng(const char *path, struct lumen_develop_input *in,
				 char *err, size_t errlen)
{
	struct lumen_raw_image img;
	int ret, pick = 0;

	ret = lumen_dng_read(path, &img, err, errlen);
	if (ret < 0)
		return ret;
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
	/* prefer the matrix calibrated under daylight */
	for (int i = 0; i < img.n_color_matrices; i++)
		if (img.calibration_illuminant[i] == LIGHT_D65 ||
		    img.calibration_illuminant[i] == LIGHT_D50)
			pick = i;
	if (img.n_color_matrices > 0) {
		memcpy(in->xyz_to_cam, img.color_matrix[pick], sizeof(in->xyz_to_cam));
		in->has_xyz_to_cam = true;
		in->has_ccm = !lumen_ccm_from_xyz_to_cam(in->xyz_to_cam, in->ccm);
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

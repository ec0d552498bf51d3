/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A decoded raw photograph: the Bayer frame plus the colour metadata that
 * `lumen develop` needs. Filled by lumen_dng_read(); owned by the caller.
 */
#ifndef LUMEN_IO_RAW_IMAGE_H
#define LUMEN_IO_RAW_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/frame.h"

#define LUMEN_RAW_MAX_WARNINGS 8
#define LUMEN_RAW_WARNING_LEN 160

struct lumen_raw_image {
	/*
	 * BAYER16, cropped to DefaultCrop inside ActiveArea, linearised
	 * (LinearizationTable applied, BlackLevelDelta and any black pattern
	 * that is not 2x2-periodic subtracted); black[4]/white in sample units.
	 * The frame is a window into @buffer: stride may exceed 2 * width.
	 */
	struct lumen_frame frame;
	void *buffer;			/* owns the pixels */

	bool has_as_shot_neutral;
	float as_shot_neutral[3];	/* camera RGB of a neutral, G ~ 1 */
	/* DNG NoiseProfile, the mean of its planes' pairs: variance =
	 * S * x + O, x the signal normalised to 0..1 of black..white */
	bool has_noise_profile;
	double noise_profile[2];	/* S, O */
	int n_color_matrices;		/* 0..2 */
	float color_matrix[2][3][3];	/* XYZ -> camera, row-major, with
					 * AnalogBalance x CameraCalibration
					 * applied as DNG says */
	int calibration_illuminant[2];	/* EXIF LightSource codes, 0 unknown */
	int color_matrix_tag[2];	/* where each came from: 50721/50722 */
	int n_forward_matrices;		/* 0..2 */
	float forward_matrix[2][3][3];	/* white-balanced camera -> XYZ D50 */
	char make[64], model[64];
	char unique_camera_model[64];

	/* where the frame sits in the stored raw IFD, for diagnostics */
	int raw_width, raw_height;	/* the stored raw image */
	int crop_x, crop_y;		/* origin of the frame in it */
	int dng_version[4];

	/*
	 * Tags that were present but could not be used, and were ignored:
	 * "TagName (0xNNNN): why", one line each, no file name. n_warnings
	 * counts them all; only the first LUMEN_RAW_MAX_WARNINGS are kept.
	 */
	int n_warnings;
	char warnings[LUMEN_RAW_MAX_WARNINGS][LUMEN_RAW_WARNING_LEN];
	size_t mem_peak;		/* bytes the reader held at its peak */
};

/* Frees the pixels and zeroes @img; NULL and zeroed images are fine. */
void lumen_raw_image_free(struct lumen_raw_image *img);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `lumen develop` (and later `lumen run --input`) starts from: one raw
 * frame in a 16-bit container with its levels and, where the file carries
 * them, its colour data. Loads a DNG (recognised by its TIFF signature) or
 * a plain dump described by a struct lumen_raw_format.
 */
#ifndef LUMEN_IO_DEVELOP_INPUT_H
#define LUMEN_IO_DEVELOP_INPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/frame.h"
#include "io/dng.h"
#include "io/raw_image.h"
#include "io/raw_read.h"

struct lumen_develop_input {
	struct lumen_frame frame;	/* BAYER16, owned */
	bool is_dng;
	bool levels_from_file;		/* black/white came from the file or
					 * its sidecar, not defaults */
	bool has_neutral;
	float neutral[3];		/* as-shot neutral, camera RGB */
	bool has_ccm;
	float ccm[3][3];		/* white-balanced camera -> linear sRGB */
	bool has_noise;
	float noise[2];			/* DNG NoiseProfile in working units:
					 * variance = [0] * level + [1] */
	bool has_xyz_to_cam;
	float xyz_to_cam[3][3];		/* DNG ColorMatrix (D65 preferred) */
	char note[512];			/* what was inferred, for the user */
	/*
	 * Tags the file has but that could not be used (see
	 * lumen_raw_image.warnings), plus colour data that failed here:
	 * "TagName (0xNNNN): why". Callers print each as
	 * "FILE: warning: LINE"; n_warnings may exceed the lines kept.
	 */
	int n_warnings;
	char warnings[LUMEN_RAW_MAX_WARNINGS][LUMEN_RAW_WARNING_LEN];
};

/*
 * Loads @path: a DNG when it starts with a TIFF or BigTIFF header, else a
 * plain dump. For plain dumps @fmt says the layout (its size may be
 * corrected from the file size, and levels widened when the data exceeds
 * them: both are explained in ->note). Returns 0, or a negative errno with
 * a one-line message naming the file in @err (-EFBIG beyond @limits); on
 * error nothing is held. Uses lumen_input_limits_desktop: these are the
 * desktop tools' loaders (develop, calibrate).
 */
int lumen_develop_input_load(const char *path, struct lumen_raw_format *fmt,
			     struct lumen_develop_input *in, char *err,
			     size_t errlen);

/* The same within @limits (NULL: lumen_input_limits_desktop); the memory
 * limit covers the reader's peak plus the frame handed out. */
int lumen_develop_input_load_limits(const char *path, struct lumen_raw_format *fmt,
				    const struct lumen_input_limits *limits,
				    struct lumen_develop_input *in, char *err,
				    size_t errlen);

/* Saves the frame as a DNG that dcraw/LibRaw read, with levels and colour
 * data. Returns 0 or a negative errno with a message; no partial file. */
int lumen_develop_input_save_dng(const char *path,
				 const struct lumen_develop_input *in,
				 char *err, size_t errlen);

void lumen_develop_input_free(struct lumen_develop_input *in);

/* The DNG half of lumen_develop_input_load() (io/develop_dng.c). */
int lumen_develop_input_load_dng(const char *path,
				 struct lumen_develop_input *in, char *err,
				 size_t errlen);
int lumen_develop_input_load_dng_limits(const char *path,
					const struct lumen_input_limits *limits,
					struct lumen_develop_input *in, char *err,
					size_t errlen);

/*
 * The camera -> sRGB matrix for white-balanced data from a DNG-style
 * XYZ -> camera matrix: rows of (XYZ->cam x sRGB->XYZ) normalised to sum
 * to one (so white stays white after white balance), then inverted.
 * Returns 0, or -EDOM for a singular matrix.
 */
int lumen_ccm_from_xyz_to_cam(const float xyz_to_cam[3][3], float ccm[3][3]);

#endif

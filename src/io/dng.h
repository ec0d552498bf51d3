/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DNG reader and writer (Adobe DNG 1.4 subset: one Bayer CFA raw image).
 * See docs/dng.md for what is supported and what is refused.
 *
 * All functions return 0 or a negative errno and, on error, write a
 * one-line human message naming the file and the problem to @err (which
 * may be NULL). On error outputs are left zeroed / untouched.
 */
#ifndef LUMEN_IO_DNG_H
#define LUMEN_IO_DNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "io/raw_image.h"

/*
 * What one input file may cost. A hostile header can claim any size, so
 * every reader checks the claim against these before it allocates, and
 * refuses with -EFBIG and a message naming the limit and @raise_pixels /
 * @raise_memory (how the user raises it, e.g. "--max-pixels N").
 */
struct lumen_input_limits {
	uint64_t max_pixels;	/* stored raw image, width x height */
	uint64_t max_memory;	/* bytes the reader holds at its peak: the
				 * decoded frame, decoder scratch, tables
				 * (not the mapped file itself) */
	const char *raise_pixels;	/* NULL: "lumen_input_limits.max_pixels" */
	const char *raise_memory;	/* NULL: "lumen_input_limits.max_memory" */
};

/*
 * Defaults. LIVE fits a 64-128 MB camera (a 16 Mpix sensor is 32 MiB of
 * BAYER16); DESKTOP is for `lumen develop` and `lumen calibrate` on a PC
 * (64 Mpix covers 8192x8192, medium format needs --max-pixels).
 */
#define LUMEN_INPUT_LIVE_MAX_PIXELS (16ull << 20)
#define LUMEN_INPUT_LIVE_MAX_MEMORY (48ull << 20)
#define LUMEN_INPUT_DESKTOP_MAX_PIXELS (64ull << 20)
#define LUMEN_INPUT_DESKTOP_MAX_MEMORY (1024ull << 20)

extern const struct lumen_input_limits lumen_input_limits_live;
extern const struct lumen_input_limits lumen_input_limits_desktop;

/*
 * Reads the raw image of a DNG file (classic TIFF or BigTIFF container)
 * within lumen_input_limits_live. -ENOENT/-EACCES/... for the file
 * itself, -EINVAL for corrupt or absurd contents (including a tag that
 * defines the samples, e.g. LinearizationTable or BlackLevel, that is
 * present but unusable), -ENOTSUP for valid DNG features not handled
 * (lossy JPEG, LinearRaw, non-Bayer CFAs, ...), -EFBIG beyond a limit,
 * -ENOMEM. A colour or geometry tag that is present but unusable is
 * ignored with a warning in out->warnings. Free the result with
 * lumen_raw_image_free().
 */
int lumen_dng_read(const char *path, struct lumen_raw_image *out,
		   char *err, size_t errlen);

/* The same from @size bytes at @data; @name is used in messages only. */
int lumen_dng_read_mem(const void *data, size_t size, const char *name,
		       struct lumen_raw_image *out, char *err, size_t errlen);

/* The same within @limits (NULL: lumen_input_limits_live). */
int lumen_dng_read_limits(const char *path, const struct lumen_input_limits *limits,
			  struct lumen_raw_image *out, char *err, size_t errlen);
int lumen_dng_read_mem_limits(const void *data, size_t size, const char *name,
			      const struct lumen_input_limits *limits,
			      struct lumen_raw_image *out, char *err, size_t errlen);

/* Metadata for lumen_dng_write(); any pointer may be NULL. */
struct lumen_dng_write_meta {
	const char *make;		/* default "lumen" */
	const char *model;		/* default "virtual" */
	const char *unique_camera_model;	/* default "<make> <model>" */
	const char *software;		/* default "lumen" */
	bool has_color_matrix;		/* else an sRGB-primaries matrix, D65 */
	float color_matrix[3][3];	/* XYZ -> camera, row-major */
	int calibration_illuminant;	/* EXIF LightSource, e.g. 21 = D65 */
	bool has_as_shot_neutral;
	float as_shot_neutral[3];
	/* NoiseProfile (51041), one pair for all planes: variance of the
	 * signal normalised to 0..1 = [0] * signal + [1] */
	bool has_noise_profile;
	double noise_profile[2];
};

/*
 * Writes @raw (BAYER8/16/10P/12P) as an uncompressed 16-bit CFA DNG 1.4
 * whose IFD0 is the raw image. The file is written to a temporary name in
 * the same directory and renamed, so on failure no partial @path exists.
 * @meta may be NULL.
 */
int lumen_dng_write(const char *path, const struct lumen_frame *raw,
		    const struct lumen_dng_write_meta *meta,
		    char *err, size_t errlen);

#endif

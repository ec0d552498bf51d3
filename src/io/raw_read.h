/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Plain raw dumps: headerless (or with a header of known length) Bayer
 * samples whose format comes from options or a sidecar (see io/sidecar.h).
 *
 * Every function here returns 0 or a negative errno; on failure it writes a
 * one-line message naming the file and what is wrong into @err (when @err is
 * not NULL and @errlen > 0) and leaves its outputs untouched.
 */
#ifndef LUMEN_IO_RAW_READ_H
#define LUMEN_IO_RAW_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"

struct lumen_raw_format {
	int width, height;
	int bits;		/* significant bits; 0 = the container's own */
	/*
	 * BAYER8, BAYER16 (LE unless big_endian), BAYER10P or BAYER12P;
	 * LUMEN_PIX_NONE means "unpacked": BAYER8 when bits <= 8, else
	 * BAYER16 (resolved by lumen_raw_format_check()).
	 */
	enum lumen_pixfmt container;
	enum lumen_bayer bayer;
	bool has_black;
	uint16_t black[4];	/* per CFA cell, row-major 2x2, sample units */
	bool has_white;
	uint16_t white;
	size_t stride;		/* bytes per row in the file; 0 = tight */
	size_t offset;		/* header bytes to skip */
	bool big_endian;	/* BAYER16 only */
};

/* An empty format: everything unset, RGGB, little-endian. */
void lumen_raw_format_init(struct lumen_raw_format *f);

/*
 * Validates @f and resolves its defaults in place: container NONE becomes
 * BAYER8/BAYER16 from bits, bits 0 becomes the container's width, black
 * defaults to 0 and white to (1 << bits) - 1. Refuses missing or odd sizes
 * (a Bayer mosaic needs even ones), sizes above LUMEN_MAX_DIM, bits that do
 * not fit the container, widths that are not a whole packing group, a stride
 * smaller than a row, black >= white and white above the bit depth.
 * @name prefixes the message. Returns 0 or -EINVAL; @f is untouched on error.
 */
int lumen_raw_format_check(struct lumen_raw_format *f, const char *name,
			   char *err, size_t errlen);

/* Bytes of one file row of @f (tight), or 0 when the width does not fit. */
size_t lumen_raw_format_row_bytes(const struct lumen_raw_format *f);

/* Exact file size @f describes (offset + stride * height), or -EINVAL. */
long long lumen_raw_format_file_size(const struct lumen_raw_format *f);

/* Accept samples above (1 << bits) - 1 instead of failing with -ERANGE. */
#define LUMEN_RAW_ALLOW_OVERRANGE 1u

/*
 * Reads the raw file @path described by @fmt into @out, which this
 * allocates with lumen_frame_alloc() in fmt->container (after
 * lumen_raw_format_check()); free it with lumen_frame_free(). bayer, bits,
 * black and white are set from @fmt. The file is read with one fread and
 * must be exactly offset + stride * height bytes long.
 *
 * Errors: -ENOENT/-EACCES/... from open, -EINVAL for a bad format or a file
 * of the wrong size or type, -ERANGE for a sample above the bit depth in a
 * BAYER8/BAYER16 container (unless LUMEN_RAW_ALLOW_OVERRANGE), -EIO for a
 * short read, -ENOMEM. On error @out is untouched and nothing is allocated.
 */
int lumen_raw_read(const char *path, const struct lumen_raw_format *fmt,
		   struct lumen_frame *out, char *err, size_t errlen);
int lumen_raw_read_flags(const char *path, const struct lumen_raw_format *fmt,
			 unsigned flags, struct lumen_frame *out, char *err,
			 size_t errlen);

/*
 * As lumen_raw_read(), then converts to BAYER16 (unpacking RAW10/RAW12,
 * widening 8-bit samples without scaling), which the ISP reads.
 */
int lumen_raw_read16(const char *path, const struct lumen_raw_format *fmt,
		     unsigned flags, struct lumen_frame *out, char *err,
		     size_t errlen);

/* Largest sample of a BAYER8/BAYER16/BAYER10P/BAYER12P frame. */
unsigned lumen_raw_max_sample(const struct lumen_frame *f);

/*
 * "Believe the data": when samples of @f exceed its white level (e.g. a
 * config claiming range 1023 for 12-bit data reaching 4092), widens bits to
 * the smallest depth holding the largest sample and sets white to
 * (1 << bits) - 1, and writes a warning naming @name into @note. Returns 1
 * when it changed @f, 0 when the levels were consistent (@note then empty).
 */
int lumen_raw_fit_levels(struct lumen_frame *f, const char *name, char *note,
			 size_t notelen);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a raw dump's format comes from: command-line options, lumen's own
 * sidecar file, or the configuration files of other ISPs (recognised by
 * content). All of them go through one setter, lumen_raw_format_set(), so
 * a key means the same thing everywhere. See docs/raw-formats.md.
 *
 * Every function returns 0 (or a count) or a negative errno; on failure it
 * writes a one-line message naming the file (and line, and key) into @err
 * and leaves its outputs untouched.
 */
#ifndef LUMEN_IO_SIDECAR_H
#define LUMEN_IO_SIDECAR_H

#include <stddef.h>

#include "core/yaml_doc.h"
#include "io/raw_read.h"

/*
 * Sets one field of @f from text. Keys: width, height, size (WxH), bits,
 * container (none|8|16|raw10|raw12, or bayer8|bayer16|bayer10p|bayer12p),
 * packing (none|raw10|raw12), bayer (rggb|grbg|gbrg|bggr), black (one
 * value, or four per CFA cell row-major, separated by commas or blanks),
 * white, offset, stride, endian (little|big). Numbers are decimal or 0x hex.
 * Returns 0, -ENOENT for an unknown key, -EINVAL for a bad value; the
 * message names the key and value but no file (callers prefix it).
 */
int lumen_raw_format_set(struct lumen_raw_format *f, const char *key,
			 const char *value, char *err, size_t errlen);

/* The recognised sidecar/config dialects. */
enum lumen_sidecar_dialect {
	LUMEN_SIDECAR_LUMEN,		/* lumen's own key: value (YAML) */
	LUMEN_SIDECAR_INFINITE_ISP,	/* Infinite-ISP YAML (sensor_info) */
	LUMEN_SIDECAR_FAST_OPENISP,	/* fast-openISP YAML (hardware, blc) */
	LUMEN_SIDECAR_OPENISP_CSV,	/* openISP config.csv */
};

const char *lumen_sidecar_dialect_name(enum lumen_sidecar_dialect d);

/* Largest sidecar/config accepted (Infinite-ISP configs are ~160 KiB): the
 * YAML reader's limit, for CSV too. YAML sidecars go through that reader
 * (src/core/yaml_doc.h) and its other limits: no anchors or aliases,
 * nesting, node count, scalar length. */
#define LUMEN_SIDECAR_MAX_BYTES LUMEN_YAML_FILE_MAX

/*
 * Parses the sidecar text @buf of @len bytes (need not be NUL-terminated)
 * named @name in messages, recognising its dialect by content, and sets
 * the fields of @f it describes; fields it does not mention keep their
 * value, so options may be applied before or after. @dialect may be NULL.
 * Lumen's own format rejects unknown keys, duplicates and bad values with
 * "name:line: key 'k': ..."; the foreign dialects (messages name the key as
 * 'section.key') read only the keys that
 * describe the raw data and require the image size. Returns 0 or -EINVAL
 * (-E2BIG above LUMEN_SIDECAR_MAX_BYTES); @f untouched on error.
 */
int lumen_sidecar_parse(const char *name, const char *buf, size_t len,
			struct lumen_raw_format *f,
			enum lumen_sidecar_dialect *dialect, char *err,
			size_t errlen);

/* Reads @path and calls lumen_sidecar_parse(); -errno when unreadable. */
int lumen_sidecar_load(const char *path, struct lumen_raw_format *f,
		       enum lumen_sidecar_dialect *dialect, char *err,
		       size_t errlen);

/*
 * For configs that describe another version of the data than the file at
 * hand (Infinite-ISP's 8-bit test vectors ship with the 10-bit config):
 * when a tight, header-less @f does not match @file_size but another
 * container does (8-bit, 16-bit, RAW10, RAW12), switches to it. When the
 * new container holds fewer bits, bits become the container's and the
 * black/white levels are scaled by 2^-shift, rounding to nearest with ties
 * downwards (50 at 10 bits -> 12.5 -> 12 at 8 bits: such files are made by
 * truncating, x >> 2, which lowers the mean by 3/8 DN, and the darkest code
 * in those files is 12); a white at the full scale stays at full scale.
 * Writes what it did into @note. Returns 1 when @f changed, 0 when it
 * already fitted or nothing else fits (the reader then reports the size).
 */
int lumen_raw_format_fit_size(struct lumen_raw_format *f, long long file_size,
			      const char *name, char *note, size_t notelen);
/* Same for the size of the file @path; -errno when it cannot be stat'ed. */
int lumen_raw_format_fit_file(struct lumen_raw_format *f, const char *path,
			      char *note, size_t notelen, char *err,
			      size_t errlen);

/*
 * The lenient path for data that came with someone else's config: adapts
 * @fmt to the file's size (lumen_raw_format_fit_file()), reads @path
 * accepting samples above the stated depth (LUMEN_RAW_ALLOW_OVERRANGE),
 * then widens bits/white to the data (lumen_raw_fit_levels()). What it
 * changed is written to @note ("" when nothing). Errors as lumen_raw_read().
 */
int lumen_raw_load(const char *path, const struct lumen_raw_format *fmt,
		   struct lumen_frame *out, char *note, size_t notelen,
		   char *err, size_t errlen);

/*
 * Command-line options for `lumen develop` and friends: consumes from
 * argv[0..*argc) the options --size WxH, --width, --height, --bits,
 * --bayer, --packing, --container, --black, --white, --offset, --stride,
 * --endian (as "--opt value" or "--opt=value") and --sidecar FILE (loaded
 * in place, so later options override it), applied in order; removes them
 * from argv (keeping the other arguments in order) and updates *argc.
 * Stops at "--". Returns the number of options consumed or a negative
 * errno; on error argv and @f are untouched.
 */
int lumen_raw_format_from_options(struct lumen_raw_format *f, int *argc,
				  char **argv, char *err, size_t errlen);

#endif

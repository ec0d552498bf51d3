/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tuning files: per-sensor colour parameters, written by `lumen calibrate`
 * and read by `lumen develop`. YAML, one mapping at the top:
 *
 *   sensor: "name"                  # free text, < 64 bytes
 *   black: [4, 4, 4, 4]             # per CFA cell, row-major 2x2; or one N
 *   white: 4095
 *   wb: [1.56, 1.0, 1.17]           # R, G, B gains on camera RGB
 *   ccm:                            # white-balanced camera -> linear sRGB
 *     - [1.84, -0.65, -0.19]
 *     - [-0.40, 1.96, -0.56]
 *     - [-0.06, -0.87, 1.93]
 *   exposure: 0.66                  # linear gain fitted with the ccm
 *   delta_e: { mean: 3.05, max: 6.01 }   # CIEDE2000 of the fit
 *   source: "free text"             # < 256 bytes
 *   lsc:                            # lens shading (`lumen calibrate --flat`)
 *     grid: [17, 13]                # nodes across, down (2..64 each)
 *     gain:                         # per CFA cell, row-major 2x2; each
 *       - [1.93, 1.71, ...]         # grid_w * grid_h gains, rows top down
 *       - [...]                     # (struct lumen_lsc_map, src/isp/lsc.c)
 *       - [...]
 *       - [...]
 *   noise: [0.52, 110.0]            # noise profile at unit analogue gain:
 *                                   # variance = [0] * level + [1], working
 *                                   # units (0..16383); live, [0] is scaled
 *                                   # by the gain and [1] by its square
 *   sharpen: 0.5                    # luma sharpening amount (0..8; 0 =
 *                                   # off; lumen_isp_params.sharpen)
 *   dpc_map:                        # defective pixels (`lumen calibrate
 *     - [812, 33]                   # --dark`): x, y, sorted by row, then
 *     - [1290, 33]                  # column (at most LUMEN_TUNING_DPC_MAX)
 *
 * Every key is optional; an unknown key, a repeated key or a value of the
 * wrong shape is an error naming the file, line and key. The file goes
 * through the YAML reader and its limits (src/core/yaml_doc.h: 1 MiB, no
 * anchors or aliases, ...).
 */
#ifndef LUMEN_IO_TUNING_H
#define LUMEN_IO_TUNING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isp/isp.h"

/* Most defective pixels a tuning file's map holds. */
#define LUMEN_TUNING_DPC_MAX 4096

/* Most lens-shading grid nodes a tuning file holds (e.g. 33 x 31). */
#define LUMEN_TUNING_LSC_MAX 1024

struct lumen_tuning {
	char sensor[64];
	bool has_black;
	uint16_t black[4];
	uint16_t white;			/* 0 = not given */
	bool has_wb;
	float wb[3];
	bool has_ccm;
	float ccm[3][3];
	float exposure;			/* 0 = not given */
	float delta_e_mean, delta_e_max;	/* 0 = not given */
	char source[256];
	int lsc_w, lsc_h;		/* 0 = no lens-shading grid */
	float lsc_gain[4][LUMEN_TUNING_LSC_MAX];	/* [cell][y * lsc_w + x] */
	bool has_noise;
	float noise[2];			/* variance = [0] * level + [1] */
	bool has_sharpen;
	float sharpen;			/* lumen_isp_params.sharpen */
	int dpc_count;			/* 0 = no defect map */
	uint32_t dpc_pos[LUMEN_TUNING_DPC_MAX];	/* y << 16 | x, ascending */
};

/* Everything absent. */
void lumen_tuning_init(struct lumen_tuning *t);

/* Points @map at @t's lens-shading grid (valid while @t is unchanged);
 * false, @map untouched, when @t has none. */
bool lumen_tuning_lsc_map(const struct lumen_tuning *t, struct lumen_lsc_map *map);

/* Points @map at @t's defect map (valid while @t is unchanged); false,
 * @map untouched, when @t has none. */
bool lumen_tuning_dpc_map(const struct lumen_tuning *t, struct lumen_dpc_map *map);

/*
 * Reads @path into @t. Returns 0, or a negative errno with a one-line
 * message "path:line: ..." in @err (may be NULL): -ENOENT/-EACCES/... from
 * opening, -EINVAL for a syntax error or a bad key/value. @t is only
 * written on success.
 */
int lumen_tuning_load(const char *path, struct lumen_tuning *t, char *err,
		      size_t errlen);

/* The same for @len bytes of tuning text at @text, named @name. */
int lumen_tuning_parse(const char *name, const char *text, size_t len,
		       struct lumen_tuning *t, char *err, size_t errlen);

/*
 * Writes @t to @path atomically (a temporary file in the same directory,
 * renamed over @path). Absent fields are left out. Returns 0 or a negative
 * errno with a message in @err; on error @path is unchanged.
 */
int lumen_tuning_save(const char *path, const struct lumen_tuning *t,
		      char *err, size_t errlen);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Defective pixels and read noise from a dark frame (`lumen calibrate
 * --dark`): the static map the DPC always corrects (struct lumen_dpc_map).
 */
#ifndef LUMEN_CALIB_DARK_H
#define LUMEN_CALIB_DARK_H

#include <stdint.h>

#include "core/frame.h"

/*
 * Finds the defective pixels of @work, a dark frame already black-level
 * corrected into the working range (lumen_blc_apply()): every sample more
 * than max(8 sigma, LUMEN_DARK_MIN_EXCESS) above the frame's median, sigma
 * from the median absolute deviation. When more than @max pass, the level
 * is raised until @max do. Writes them to @pos as y << 16 | x, ascending;
 * *count gets how many, *sigma (may be NULL) the read noise in working
 * units, *level the level used. Returns 0, -EINVAL (not BAYER16, @max < 1),
 * -ENOMEM.
 */
#define LUMEN_DARK_MIN_EXCESS 64
int lumen_dark_defects(const struct lumen_frame *work, uint32_t *pos, int max,
		       int *count, double *sigma, unsigned *level);

#endif

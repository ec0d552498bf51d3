// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Demosaic entry point: picks the method (demosaic_fast.c,
 * demosaic_quality.c,
 * demosaic_ri.c).
 */
#include <errno.h>

#include "isp/demosaic.h"

size_t lumen_demosaic_scratch_size(enum lumen_demosaic_method method,
				   int width, int height)
{
	switch (method) {
	case LUMEN_DEMOSAIC_FAST:
		return 0;
	case LUMEN_DEMOSAIC_QUALITY:
		return lumen_demosaic_quality_scratch_size(width, height);
	case LUMEN_DEMOSAIC_RI:
		return lumen_demosaic_ri_scratch_size(width, height);
	}
	return 0;
}

int lumen_demosaic(enum lumen_demosaic_method method,
		   const struct lumen_frame *raw, struct lumen_frame *rgb,
		   void *scratch, size_t scratch_size)
{
	switch (method) {
	case LUMEN_DEMOSAIC_FAST:
		return lumen_demosaic_fast(raw, rgb);
	case LUMEN_DEMOSAIC_QUALITY:
		return lumen_demosaic_quality(raw, rgb, scratch, scratch_size);
	case LUMEN_DEMOSAIC_RI:
		return lumen_demosaic_ri(raw, rgb, scratch, scratch_size);
	}
	return -EINVAL;
}

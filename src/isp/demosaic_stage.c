// SPDX-License-Identifier: GPL-2.0-or-later
/* The demosaic stage: working raw to linear RGB with the chosen method. */
#include "isp/demosaic.h"
#include "isp/stages.h"

static int demosaic_run(struct lumen_isp *isp, const struct lumen_isp_params *p)
{
	int err = lumen_isp_reserve_scratch(isp, p->demosaic);

	if (err)
		return err;
	return lumen_demosaic(p->demosaic, &isp->raw, &isp->rgb, isp->scratch,
			      isp->scratch_size);
}

const struct lumen_isp_stage lumen_isp_demosaic = {
	.name = "demosaic",
	.run = demosaic_run,
};

// SPDX-License-Identifier: GPL-2.0-or-later
/* The ISP: owns the working buffers and runs the stages in order. */
#include "isp/isp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "isp/demosaic.h"
#include "isp/stages.h"

const struct lumen_isp_stage *const lumen_isp_stages[] = {
	&lumen_isp_blc, &lumen_isp_dpc, &lumen_isp_lsc, &lumen_isp_stats_stage,
	&lumen_isp_wb, &lumen_isp_demosaic, &lumen_isp_ccm, &lumen_isp_tone,
	&lumen_isp_csc,
};
const int lumen_isp_stage_count =
	(int)(sizeof(lumen_isp_stages) / sizeof(lumen_isp_stages[0]));

void lumen_isp_params_default(struct lumen_isp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->dpc = true;
	p->wb[0] = p->wb[1] = p->wb[2] = 1.0f;
	p->demosaic = LUMEN_DEMOSAIC_FAST;
	for (int i = 0; i < 3; i++)
		p->ccm[i][i] = 1.0f;
	p->exposure = 1.0f;
	p->contrast = 0.0f;
	p->yuv_matrix = LUMEN_YUV_BT601;
	p->yuv_full_range = false;
	p->stats = true;
}

int lumen_isp_create(struct lumen_isp **out, int max_width, int max_height)
{
	struct lumen_isp *isp;
	int err;

	if (max_width < 2 || max_height < 2 || max_width > LUMEN_MAX_DIM ||
	    max_height > LUMEN_MAX_DIM)
		return -EINVAL;
	isp = calloc(1, sizeof(*isp));
	if (!isp)
		return -ENOMEM;
	isp->max_width = max_width;
	isp->max_height = max_height;

	err = lumen_frame_alloc(&isp->raw, LUMEN_PIX_BAYER16, max_width, max_height);
	if (err)
		goto free_isp;
	err = lumen_frame_alloc(&isp->rgb, LUMEN_PIX_RGB16P, max_width, max_height);
	if (err)
		goto free_raw;
	/* the quality demosaic's scratch (tens of MB at 2560 wide) is only
	 * taken when a frame first asks for it: lumen_isp_reserve_scratch() */
	isp->scratch_size = lumen_demosaic_scratch_size(LUMEN_DEMOSAIC_FAST,
							max_width, max_height);
	if (isp->scratch_size) {
		isp->scratch = aligned_alloc(64, (isp->scratch_size + 63) & ~(size_t)63);
		if (!isp->scratch) {
			err = -ENOMEM;
			goto free_rgb;
		}
	}
	isp->lsc_gx = malloc((size_t)max_width * sizeof(*isp->lsc_gx));
	isp->lsc_w0 = malloc((size_t)max_width * sizeof(*isp->lsc_w0));
	isp->lsc_w1 = malloc((size_t)max_width * sizeof(*isp->lsc_w1));
	if (!isp->lsc_gx || !isp->lsc_w0 || !isp->lsc_w1) {
		err = -ENOMEM;
		goto free_lsc;
	}
	*out = isp;
	return 0;

free_lsc:
	free(isp->lsc_w1);
	free(isp->lsc_w0);
	free(isp->lsc_gx);
	free(isp->scratch);
free_rgb:
	lumen_frame_free(&isp->rgb);
free_raw:
	lumen_frame_free(&isp->raw);
free_isp:
	free(isp);
	return err;
}

int lumen_isp_reserve_scratch(struct lumen_isp *isp,
			      enum lumen_demosaic_method method)
{
	size_t need = lumen_demosaic_scratch_size(method, isp->max_width,
						  isp->max_height);
	void *mem;

	if (need <= isp->scratch_size)
		return 0;
	mem = aligned_alloc(64, (need + 63) & ~(size_t)63);
	if (!mem)
		return -ENOMEM;
	free(isp->scratch);
	isp->scratch = mem;
	isp->scratch_size = need;
	return 0;
}

void lumen_isp_destroy(struct lumen_isp *isp)
{
	if (!isp)
		return;
	free(isp->lsc_w1);
	free(isp->lsc_w0);
	free(isp->lsc_gx);
	free(isp->scratch);
	lumen_frame_free(&isp->rgb);
	lumen_frame_free(&isp->raw);
	free(isp);
}

/* Shrinks a working frame to the input's size without moving its memory. */
static void fit(struct lumen_frame *f, int width, int height)
{
	f->width = width;
	f->height = height;
}

int lumen_isp_stage_index(const char *name)
{
	for (int i = 0; i < lumen_isp_stage_count; i++)
		if (!strcmp(lumen_isp_stages[i]->name, name))
			return i;
	return -ENOENT;
}

int lumen_isp_process(struct lumen_isp *isp, const struct lumen_frame *in,
		      const struct lumen_isp_params *p, struct lumen_frame *out)
{
	return lumen_isp_process_stages(isp, in, p, out, 0, lumen_isp_stage_count);
}

int lumen_isp_process_stages(struct lumen_isp *isp, const struct lumen_frame *in,
			     const struct lumen_isp_params *p,
			     struct lumen_frame *out, int first, int end)
{
	int err = 0;

	if (first < 0 || end > lumen_isp_stage_count || first > end)
		return -EINVAL;
	if (!lumen_pixfmt_is_bayer(in->fmt) || in->width > isp->max_width ||
	    in->height > isp->max_height || in->width < 2 || in->height < 2 ||
	    out->width != in->width || out->height != in->height)
		return -EINVAL;
	switch (out->fmt) {
	case LUMEN_PIX_RGB24:
		break;
	case LUMEN_PIX_NV12:
	case LUMEN_PIX_I420:
		if ((in->width | in->height) & 1)
			return -EINVAL;
		break;
	case LUMEN_PIX_YUYV:
		if (in->width & 1)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	fit(&isp->raw, in->width, in->height);
	fit(&isp->rgb, in->width, in->height);
	isp->input = in;
	isp->output = out;

	for (int i = first; i < end; i++) {
		uint64_t t0 = lumen_now_ns(), dt;

		err = lumen_isp_stages[i]->run(isp, p);
		dt = lumen_now_ns() - t0;
		isp->ctr[i].ns_last = dt;
		isp->ctr[i].ns_total += dt;
		if (err) {
			isp->ctr[i].errors++;
			break;
		}
		isp->ctr[i].frames++;
	}
	isp->input = NULL;
	isp->output = NULL;
	return err;
}

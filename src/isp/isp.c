// SPDX-License-Identifier: GPL-2.0-or-later
/* The ISP: owns the working buffers and runs the stages in order. */
#include "isp/isp.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/thread.h"
#include "isp/demosaic.h"
#include "isp/demosaic_dsp.h"
#include "isp/isp_band.h"
#include "isp/isp_dsp.h"
#include "isp/stages.h"

const struct lumen_isp_stage *const lumen_isp_stages[] = {
	&lumen_isp_blc, &lumen_isp_dpc, &lumen_isp_lsc, &lumen_isp_stats_stage,
	&lumen_isp_denoise, &lumen_isp_wb, &lumen_isp_demosaic, &lumen_isp_sharpen,
	&lumen_isp_ccm, &lumen_isp_tone, &lumen_isp_csc,
};
const int lumen_isp_stage_count =
	(int)(sizeof(lumen_isp_stages) / sizeof(lumen_isp_stages[0]));

void lumen_isp_params_default(struct lumen_isp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->dpc = true;
	p->wb[0] = p->wb[1] = p->wb[2] = 1.0f;
	p->demosaic = LUMEN_DEMOSAIC_FAST;
	p->denoise = LUMEN_DENOISE_OFF;
	p->denoise_strength = 1.0f;
	p->sharpen = 0.0f;
	for (int i = 0; i < 3; i++)
		p->ccm[i][i] = 1.0f;
	p->exposure = 1.0f;
	p->contrast = 0.0f;
	p->yuv_matrix = LUMEN_YUV_BT601;
	p->yuv_full_range = false;
	p->stats = true;
}

/* The band buffers of worker @k (and its part of the statistics, for a
 * worker other than the caller's); 0 or -ENOMEM with none held. */
static int band_alloc(struct lumen_isp *isp, int k)
{
	if (k) {
		isp->stats_part[k] = malloc(sizeof(*isp->stats_part[k]));
		if (!isp->stats_part[k])
			return -ENOMEM;
	}
	isp->dn_rows[k] = malloc(5 * (size_t)isp->max_width * sizeof(*isp->dn_rows[k]));
	if (!isp->dn_rows[k])
		goto free_part;
	isp->band_sharpen[k] = malloc(LUMEN_ISP_STAGE_ROWS *
				      ((size_t)isp->max_width + 2) *
				      sizeof(*isp->band_sharpen[k]));
	if (!isp->band_sharpen[k])
		goto free_dn_rows;
	for (int c = 0; c < 3; c++) {
		isp->band[k][c] = aligned_alloc(64, isp->band_stride *
						    (LUMEN_ISP_BAND + 2));
		if (!isp->band[k][c]) {
			while (c--) {
				free(isp->band[k][c]);
				isp->band[k][c] = NULL;
			}
			goto free_band_sharpen;
		}
	}
	return 0;

free_band_sharpen:
	free(isp->band_sharpen[k]);
	isp->band_sharpen[k] = NULL;
free_dn_rows:
	free(isp->dn_rows[k]);
	isp->dn_rows[k] = NULL;
free_part:
	free(isp->stats_part[k]);
	isp->stats_part[k] = NULL;
	return -ENOMEM;
}

static void band_free(struct lumen_isp *isp, int k)
{
	for (int c = 0; c < 3; c++) {
		free(isp->band[k][c]);
		isp->band[k][c] = NULL;
	}
	free(isp->dn_rows[k]);
	isp->dn_rows[k] = NULL;
	free(isp->band_sharpen[k]);
	isp->band_sharpen[k] = NULL;
	free(isp->stats_part[k]);
	isp->stats_part[k] = NULL;
}

/*
 * The workers other than the caller. A job is a function run once per
 * worker k in 0..n-1 (k = 0 on the caller's thread); lumen_isp_pool_run()
 * returns when every worker has finished it, which is the barrier between
 * steps. Jobs only write rows of their own slice.
 */
typedef void isp_job_fn(struct lumen_isp *isp, int k, int n, void *arg);

struct lumen_isp_pool {
	struct lumen_isp *isp;
	int n;				/* workers, caller included */
	pthread_t th[LUMEN_ISP_MAX_THREADS];
	pthread_mutex_t lock;
	pthread_cond_t go, done;
	unsigned gen;			/* bumped for each job */
	int pending;			/* workers still in the job */
	bool quit;
	isp_job_fn *job;
	void *arg;
};

struct pool_worker {
	struct lumen_isp_pool *pool;
	int k;
};

static void *pool_main(void *arg)
{
	struct lumen_isp_pool *pool = ((struct pool_worker *)arg)->pool;
	const int k = ((struct pool_worker *)arg)->k;
	unsigned seen = 0;
	char name[8];

	free(arg);
	snprintf(name, sizeof(name), "%d", k);
	lumen_thread_name("isp-w", name);
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		while (!pool->quit && pool->gen == seen)
			pthread_cond_wait(&pool->go, &pool->lock);
		if (pool->quit)
			break;
		seen = pool->gen;
		pthread_mutex_unlock(&pool->lock);
		pool->job(pool->isp, k, pool->n, pool->arg);
		pthread_mutex_lock(&pool->lock);
		if (--pool->pending == 0)
			pthread_cond_signal(&pool->done);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

/* Runs @job on every worker (k = 0 here) and waits for all of them. */
static void pool_run(struct lumen_isp *isp, isp_job_fn *job, void *arg)
{
	struct lumen_isp_pool *pool = isp->pool;

	if (!pool) {
		job(isp, 0, 1, arg);
		return;
	}
	pthread_mutex_lock(&pool->lock);
	pool->job = job;
	pool->arg = arg;
	pool->pending = pool->n - 1;
	pool->gen++;
	pthread_cond_broadcast(&pool->go);
	pthread_mutex_unlock(&pool->lock);
	job(isp, 0, pool->n, arg);
	pthread_mutex_lock(&pool->lock);
	while (pool->pending)
		pthread_cond_wait(&pool->done, &pool->lock);
	pthread_mutex_unlock(&pool->lock);
}

/* Stops and joins the first @started helpers of @pool and frees it. */
static void pool_stop(struct lumen_isp_pool *pool, int started)
{
	pthread_mutex_lock(&pool->lock);
	pool->quit = true;
	pthread_cond_broadcast(&pool->go);
	pthread_mutex_unlock(&pool->lock);
	for (int i = 1; i <= started; i++)
		pthread_join(pool->th[i], NULL);
	pthread_cond_destroy(&pool->done);
	pthread_cond_destroy(&pool->go);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}

int lumen_isp_set_threads(struct lumen_isp *isp, int threads)
{
	struct lumen_isp_pool *pool;
	int err = 0, k;

	if (threads < 1 || threads > LUMEN_ISP_MAX_THREADS)
		return -EINVAL;
	if (isp->pool) {
		pool_stop(isp->pool, isp->pool->n - 1);
		isp->pool = NULL;
	}
	for (k = 1; k < LUMEN_ISP_MAX_THREADS; k++)
		band_free(isp, k);
	isp->threads = 1;
	if (threads == 1)
		return 0;

	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	pool->isp = isp;
	pool->n = threads;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->go, NULL);
	pthread_cond_init(&pool->done, NULL);
	for (k = 1; k < threads; k++) {
		struct pool_worker *w;

		err = band_alloc(isp, k);
		if (err)
			goto stop_pool;
		w = malloc(sizeof(*w));
		if (!w) {
			err = -ENOMEM;
			goto stop_pool;
		}
		w->pool = pool;
		w->k = k;
		if (pthread_create(&pool->th[k], NULL, pool_main, w)) {
			free(w);
			err = -EAGAIN;
			goto stop_pool;
		}
	}
	isp->pool = pool;
	isp->threads = threads;
	return 0;

stop_pool:
	pool_stop(pool, k - 1);
	for (int i = 1; i < LUMEN_ISP_MAX_THREADS; i++)
		band_free(isp, i);
	return err;
}

int lumen_isp_create(struct lumen_isp **out, int max_width, int max_height)
{
	struct lumen_isp *isp;
	int err;

	if (max_width < 2 || max_height < 2 || max_width > LUMEN_MAX_DIM ||
	    max_height > LUMEN_MAX_DIM)
		return -EINVAL;
	isp = calloc(1, sizeof(*isp));	/* NULL band and table pointers */
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
	isp->stage_rows = malloc(LUMEN_ISP_STAGE_ROWS * ((size_t)max_width + 2) *
				 sizeof(*isp->stage_rows));
	isp->lsc_gx = malloc((size_t)max_width * sizeof(*isp->lsc_gx));
	isp->lsc_t = malloc((size_t)max_width * sizeof(*isp->lsc_t));
	if (!isp->lsc_gx || !isp->lsc_t || !isp->stage_rows) {
		err = -ENOMEM;
		goto free_lsc;
	}
	isp->band_stride = ((size_t)max_width * 2 + 63) & ~(size_t)63;
	isp->threads = 1;
	err = band_alloc(isp, 0);
	if (err)
		goto free_lsc;
	*out = isp;
	return 0;

free_lsc:
	free(isp->stage_rows);
	free(isp->lsc_t);
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

void *lumen_isp_adopt_scratch(struct lumen_isp *isp, void *mem, size_t size)
{
	void *old = isp->scratch;

	if (!mem || size <= isp->scratch_size)
		return mem;
	isp->scratch = mem;
	isp->scratch_size = size;
	return old;
}

void lumen_isp_destroy(struct lumen_isp *isp)
{
	if (!isp)
		return;
	lumen_isp_set_threads(isp, 1);
	band_free(isp, 0);
	free(isp->stage_rows);
	free(isp->lsc_t);
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

/* Index of @stage in lumen_isp_stages[] (they are all there). */
static int stage_at(const struct lumen_isp_stage *stage)
{
	for (int i = 0; i < lumen_isp_stage_count; i++)
		if (lumen_isp_stages[i] == stage)
			return i;
	return -1;
}

/* Adds the time since *t to ns[@i] and restarts *t. */
static inline void lap(uint64_t ns[], int i, uint64_t *t)
{
	uint64_t now = lumen_now_ns();

	ns[i] += now - *t;
	*t = now;
}

static inline int min_i(int a, int b)
{
	return a < b ? a : b;
}

static inline int max_i(int a, int b)
{
	return a > b ? a : b;
}

/* Rows [*y0, *y1) of worker k of n: even-aligned slices of the frame. */
static void slice(int h, int k, int n, int *y0, int *y1)
{
	*y0 = (int)((long long)(h / 2) * k / n) * 2;
	*y1 = k == n - 1 ? h : (int)((long long)(h / 2) * (k + 1) / n) * 2;
}

/* What the slice jobs below share; read-only but for worker 0's times. */
struct slice_job {
	const struct lumen_isp_params *p;
	const struct lumen_isp_dsp *dsp;
	const struct lumen_demosaic_dsp *ddsp;
	const struct lumen_scale_phase *ph;	/* blc or wb */
	const struct lumen_csc_coeffs *c;
	struct lumen_stats_pass *sp;		/* stats: worker 0's pass */
	const struct lumen_denoise_coef *dn;	/* the fast denoise's */
	bool sharpen;				/* in the band loop */
	bool fused;				/* lumen_demosaic_tone_rows() */
	uint64_t ns_dm, ns_sh, ns_csc;		/* worker 0's demosaic, sharpen, csc */
};

static void blc_job(struct lumen_isp *isp, int k, int n, void *arg)
{
	const struct slice_job *j = arg;
	int y0, y1;

	slice(isp->raw.height, k, n, &y0, &y1);
	lumen_blc_rows(j->dsp, j->ph, isp->input, &isp->raw, y0, y1);
}

static void lsc_job(struct lumen_isp *isp, int k, int n, void *arg)
{
	const struct slice_job *j = arg;
	int y0, y1;

	slice(isp->raw.height, k, n, &y0, &y1);
	/* the column tables were made before: nothing is written but rows */
	lumen_isp_lsc_rows(isp, j->dsp, j->p->lsc, y0, y1);
}

/* Statistics of one slice's cell rows: worker 0 into the pass itself, the
 * others into their parts (begun by the caller before the workers run),
 * merged by the caller afterwards. */
static void stats_job(struct lumen_isp *isp, int k, int n, void *arg)
{
	const struct slice_job *j = arg;
	struct lumen_stats_pass *sp = k ? &isp->stats_part[k]->sp : j->sp;
	int y0, y1;

	slice(isp->raw.height, k, n, &y0, &y1);
	lumen_stats_rows(sp, j->dsp, y0 / 2, y1 / 2);
}

/* The fast denoise of one slice; lumen_denoise_slice_begin() was run for
 * every slice before. */
static void denoise_job(struct lumen_isp *isp, int k, int n, void *arg)
{
	const struct slice_job *j = arg;
	int y0, y1;

	slice(isp->raw.height, k, n, &y0, &y1);
	lumen_denoise_fast_rows(j->dsp, &isp->raw, j->dn, isp->dn_rows[k],
				isp->dn_rows[k] + 3 * (size_t)isp->raw.width, y0, y1);
}

static void wb_job(struct lumen_isp *isp, int k, int n, void *arg)
{
	const struct slice_job *j = arg;
	int y0, y1;

	slice(isp->raw.height, k, n, &y0, &y1);
	lumen_wb_rows(j->dsp, j->ph, &isp->raw, y0, y1);
}

/*
 * Demosaic, sharpen (when @sl is not NULL) and the ccm/tone/csc pass of
 * frame rows [y0, y1) of the slice that starts at row @s0, through worker
 * @k's band; the times go to ns[idx[0..2]] (demosaic, sharpen, csc). With
 * sharpening the band also holds the row below (and, for the slice's first
 * band, the row above), which sharpening reads.
 */
static void develop_band(struct lumen_isp *isp, const struct slice_job *j, int k,
			 struct lumen_sharpen_slice *sl, int s0, int y0, int y1,
			 uint64_t ns[], const int idx[3], uint64_t *t)
{
	const int h = isp->raw.height;
	const size_t bs[3] = { isp->band_stride, isp->band_stride, isp->band_stride };
	const int ys0 = sl && y0 == s0 && y0 > 0 ? y0 - 1 : y0;
	const int ys1 = sl ? min_i(h, y1 + 1) : y1;
	const uint16_t *cband[3];

	if (j->fused && !sl) {
		/* demosaic, ccm and tone in one kernel into 8-bit rows in
		 * the band buffer (six rows fit its first plane), then csc:
		 * the demosaic's counter takes ccm and tone too */
		const int w = isp->raw.width;
		const int rows = isp->output->fmt == LUMEN_PIX_NV12 ||
				 isp->output->fmt == LUMEN_PIX_I420 ? 2 : 1;
		uint8_t *const s8 = (uint8_t *)isp->band[k][0];
		uint8_t *const d8[3] = { s8, s8 + w, s8 + 2 * (size_t)w };
		const uint8_t *const px[6] = { d8[0], d8[1], d8[2], d8[0] + 3 * (size_t)w,
					       d8[1] + 3 * (size_t)w, d8[2] + 3 * (size_t)w };

		for (int y = y0; y < y1; y += rows) {
			lumen_demosaic_tone_rows(j->ddsp, &isp->raw, isp->ccm_q, &isp->tone,
						 d8, 3 * (size_t)w, y, y + rows);
			lap(ns, idx[0], t);
			lumen_isp_csc_rows(j->dsp, isp->output, px, y, w, j->c);
			lap(ns, idx[2], t);
		}
		return;
	}
	lumen_demosaic_fast_rows(j->ddsp, &isp->raw, isp->band[k], bs, ys0, ys1);
	lap(ns, idx[0], t);
	if (sl) {
		lumen_sharpen_slice_rows(j->dsp, sl, isp->band[k], isp->band_stride,
					 ys0, y0, y1);
		lap(ns, idx[1], t);
	}
	for (int c = 0; c < 3; c++)
		cband[c] = (const uint16_t *)(const void *)
			   ((const uint8_t *)isp->band[k][c] +
			    (size_t)(y0 - ys0) * isp->band_stride);
	lumen_isp_finish_rows(j->dsp, cband, bs, isp->raw.width, isp->ccm_q,
			      &isp->tone, j->c, isp->output, y0, y1);
	lap(ns, idx[2], t);
}

/* Demosaic, sharpen and csc of one slice over bands, in worker k's band. */
static void develop_job(struct lumen_isp *isp, int k, int n, void *arg)
{
	struct slice_job *j = arg;
	static const int idx[3] = { 0, 1, 2 };
	struct lumen_sharpen_slice sl;
	uint64_t ns[3] = { 0, 0, 0 }, t = lumen_now_ns();
	int s0, s1;

	slice(isp->raw.height, k, n, &s0, &s1);
	if (j->sharpen)
		lumen_sharpen_slice_begin(&sl, isp->band_sharpen[k], isp->raw.width,
					  isp->raw.height, s0, j->p->sharpen);
	for (int y0 = s0; y0 < s1; y0 += LUMEN_ISP_BAND)
		develop_band(isp, j, k, j->sharpen ? &sl : NULL, s0, y0,
			     min_i(s1, y0 + LUMEN_ISP_BAND), ns, idx, &t);
	if (k == 0) {
		j->ns_dm = ns[0];
		j->ns_sh = ns[1];
		j->ns_csc = ns[2];
	}
}

/*
 * The front run (blc, dpc, lsc, and stats when @with_stats, and the fast
 * denoise with @dn when not NULL); ns[] gets each stage's time. The caller
 * checked @p->lsc. On one thread, over bands, each stage trailing the one
 * before: dpc of row y reads blc rows up to y + 2, lsc of row y may only
 * change it once dpc of row y + 2 (which reads it) is done, stats of cell
 * rows up to cy reads final rows up to 2 cy + 3 (lumen_stats_rows()), and
 * denoise of row y reads rows up to y + 2 and changes row y, which stats
 * must have read for good (the block grid reads a block row's rows when
 * its last cell row is done: lumen_stats_rows_read()); so the rows each
 * reads are still in cache. On more,
 * blc and lsc in slices around dpc on this thread, then stats, then
 * denoise in slices.
 */
static int run_front(struct lumen_isp *isp, const struct lumen_isp_params *p,
		     const struct lumen_isp_dsp *dsp, int i_blc, bool with_stats,
		     const struct lumen_denoise_coef *dn, uint64_t ns[])
{
	const struct lumen_frame *in = isp->input;
	struct lumen_frame *raw = &isp->raw;
	const int h = raw->height;
	struct lumen_dpc_setup dpc;
	struct lumen_scale_phase ph[2];
	struct slice_job job = { .p = p, .dsp = dsp, .ph = ph, .dn = dn };
	const bool stats = with_stats && p->stats;
	struct lumen_stats_pass sp;
	int yb = 0, yd = 0, yl = 0, cs = 0, yn = 0, err;
	uint64_t t = lumen_now_ns();

	if (lumen_blc_phases(in, ph))
		return -EINVAL;
	/* the working frame's CFA order, which dpc reads, before any band */
	lumen_blc_finish(in, raw);
	/* the frame's own noise estimate needs the frame: its blc first */
	if (p->dpc && !p->dpc_threshold && p->dpc_noise[0] <= 0.0f &&
	    p->dpc_noise[1] <= 0.0f) {
		lumen_blc_rows(dsp, ph, in, raw, 0, h);
		lap(ns, i_blc, &t);
		lumen_dpc_setup(&dpc, p, raw);
		lap(ns, i_blc + 1, &t);
		yb = h;
	} else {
		lumen_dpc_setup(&dpc, p, NULL);
	}
	if (stats) {
		if (!isp->stats.zones_x)
			isp->stats.zones_x = isp->stats.zones_y = 16;
		/* stats reads the working frame's bayer order from the start */
		raw->bayer = in->bayer;
		lumen_stats_begin(&sp, raw, &isp->stats);
	}
	if (isp->threads > 1) {
		if (yb < h)
			pool_run(isp, blc_job, &job);
		lap(ns, i_blc, &t);
		if (p->dpc)
			lumen_dpc_rows(dsp, raw, &dpc, 0, h);
		lap(ns, i_blc + 1, &t);
		if (p->lsc) {
			/* the context's tables, before the workers read them */
			err = lumen_isp_lsc_rows(isp, dsp, p->lsc, 0, 0);
			if (err)
				return err;	/* checked before: cannot happen */
			pool_run(isp, lsc_job, &job);
		}
		lap(ns, i_blc + 2, &t);
		lumen_blc_finish(in, raw);
		if (stats) {
			/* slices of cell rows; a block row's grid reads rows of
			 * the next slice, final since the lsc barrier */
			job.sp = &sp;
			/* the parts start from the pass here, before worker 0
			 * writes into it (their copy reads all of it) */
			for (int k = 1; k < isp->threads; k++)
				lumen_stats_part_begin(isp->stats_part[k], &sp);
			pool_run(isp, stats_job, &job);
			for (int k = 1; k < isp->threads; k++)
				lumen_stats_part_merge(&sp, isp->stats_part[k]);
			lumen_stats_end(&sp);
		}
		lap(ns, i_blc + 3, &t);
		if (dn) {
			/* each slice's rows past its ends as they are now,
			 * before any worker writes */
			for (int k = 0; k < isp->threads; k++) {
				int y0, y1;

				slice(h, k, isp->threads, &y0, &y1);
				lumen_denoise_slice_begin(raw, isp->dn_rows[k],
							  isp->dn_rows[k] + 3 * (size_t)raw->width,
							  y0, y1);
			}
			pool_run(isp, denoise_job, &job);
			lap(ns, i_blc + 4, &t);
		}
		return 0;
	}
	for (int y = LUMEN_ISP_BAND; yl < h; y += LUMEN_ISP_BAND) {
		const int nb = min_i(h, y + 4);
		const int nd = nb == h ? h : nb - 2;
		const int nl = nd == h ? h : nd - 2;

		if (yb < nb)
			lumen_blc_rows(dsp, ph, in, raw, yb, nb);
		lap(ns, i_blc, &t);
		if (p->dpc)
			lumen_dpc_rows(dsp, raw, &dpc, yd, nd);
		lap(ns, i_blc + 1, &t);
		if (p->lsc) {
			err = lumen_isp_lsc_rows(isp, dsp, p->lsc, yl, nl);
			if (err)
				return err;	/* checked before: cannot happen */
		}
		lap(ns, i_blc + 2, &t);
		if (stats) {
			/* cell rows whose rows, and the two below, are final */
			const int nc = nl == h ? h / 2 : (nl - 2) / 2;

			lumen_stats_rows(&sp, dsp, cs, nc);
			cs = nc;
			lap(ns, i_blc + 3, &t);
		}
		if (dn) {
			/* rows stats has read for good, whose two below
			 * are final */
			const int nn = nl == h ? h : stats ?
				lumen_stats_rows_read(&sp, cs) : nl - 2;

			lumen_denoise_fast_rows(dsp, raw, dn, isp->stage_rows, NULL, yn, nn);
			yn = nn;
			lap(ns, i_blc + 4, &t);
		}
		yb = max_i(yb, nb);
		yd = nd;
		yl = nl;
	}
	lumen_blc_finish(in, raw);
	if (stats) {
		lumen_stats_end(&sp);
		lap(ns, i_blc + 3, &t);
	}
	return 0;
}

/*
 * The back run (wb, demosaic, sharpen, ccm, tone, csc), the fast demosaic
 * writing each band into a band buffer, sharpening it there when it is on,
 * and the csc pass reading it from there. On one thread wb stays three
 * rows ahead of the demosaic, which reads rows y - 2 .. y + 2 of a band
 * that ends one row below the rows it develops; on more, wb runs in slices
 * first (a slice's demosaic reads rows of its neighbours'), then the rest
 * in slices.
 */
static int run_back(struct lumen_isp *isp, const struct lumen_isp_params *p,
		    const struct lumen_isp_dsp *dsp, int i_wb, uint64_t ns[])
{
	struct lumen_frame *raw = &isp->raw;
	const int h = raw->height, i_dm = i_wb + 1, i_sh = i_wb + 2, i_csc = i_wb + 5;
	const int idx[3] = { i_dm, i_sh, i_csc };
	const bool wb = !lumen_wb_is_unity(p);
	struct lumen_demosaic_dsp ddsp;
	struct lumen_scale_phase ph[2];
	struct lumen_csc_coeffs c;
	struct lumen_sharpen_slice sl;
	struct slice_job job = { .p = p, .dsp = dsp, .ddsp = &ddsp, .ph = ph, .c = &c,
				 .sharpen = lumen_sharpen_strength(p->sharpen) > 0 };
	uint64_t t = lumen_now_ns();
	int yw = 0, err;

	/* ccm and tone: their tables, as the stages make them */
	for (int i = i_wb + 3; i < i_csc; i++) {
		err = lumen_isp_stages[i]->run(isp, p);
		lap(ns, i, &t);
		if (err)
			return err;
	}
	if (wb)
		lumen_wb_phases(raw->bayer, p->wb, ph);
	lumen_demosaic_dsp_init(&ddsp);
	job.fused = ddsp.tone_row && lumen_ccm_q_fits_int16(isp->ccm_q);
	lumen_csc_coeffs_make(p->yuv_matrix, p->yuv_full_range, &c);
	lap(ns, i_csc, &t);
	if (isp->threads > 1) {
		uint64_t wall, sum;

		if (wb)
			pool_run(isp, wb_job, &job);
		lap(ns, i_wb, &t);
		pool_run(isp, develop_job, &job);
		/* the wall time, shared as worker 0 spent its own */
		wall = lumen_now_ns() - t;
		sum = job.ns_dm + job.ns_sh + job.ns_csc;
		if (sum) {
			ns[i_dm] += wall * job.ns_dm / sum;
			ns[i_sh] += wall * job.ns_sh / sum;
			ns[i_csc] += wall - wall * job.ns_dm / sum - wall * job.ns_sh / sum;
		}
		return 0;
	}
	if (job.sharpen)
		lumen_sharpen_slice_begin(&sl, isp->band_sharpen[0], raw->width, h, 0,
					  p->sharpen);
	for (int y0 = 0; y0 < h; y0 += LUMEN_ISP_BAND) {
		const int y1 = min_i(h, y0 + LUMEN_ISP_BAND), nw = min_i(h, y1 + 3);

		if (wb)
			lumen_wb_rows(dsp, ph, raw, yw, nw);
		yw = nw;
		lap(ns, i_wb, &t);
		develop_band(isp, &job, 0, job.sharpen ? &sl : NULL, 0, y0, y1, ns,
			     idx, &t);
	}
	return 0;
}

/* Whether the denoise stage can join the front run for @p: off (nothing
 * to do: *@c NULL), or fast with a noise model from the params (*@c its
 * constants, in @coef); else it needs the whole frame first. */
static bool denoise_fused(const struct lumen_isp_params *p,
			  struct lumen_denoise_coef *coef,
			  const struct lumen_denoise_coef **c)
{
	float model[2];

	*c = NULL;
	if (p->denoise == LUMEN_DENOISE_OFF || !(p->denoise_strength > 0.0f))
		return true;
	if (p->denoise != LUMEN_DENOISE_FAST)
		return false;
	lumen_denoise_model(p, NULL, model);
	if (!(model[0] > 0.0f) && !(model[1] > 0.0f))
		return false;
	lumen_denoise_coef_make(coef, model, p->denoise_strength);
	*c = coef;
	return true;
}

/* Counts a fused run of stages [i0, i1) that took ns[]; a failure (@err)
 * is charged to the last stage that took any time. */
static void count_run(struct lumen_isp *isp, int i0, int i1, const uint64_t ns[],
		      int err)
{
	int last = i0;

	for (int i = i0; i < i1; i++) {
		isp->ctr[i].ns_last = ns[i];
		isp->ctr[i].ns_total += ns[i];
		if (ns[i])
			last = i;
	}
	for (int i = i0; i < i1; i++) {
		if (!err)
			isp->ctr[i].frames++;
		else if (i == last)
			isp->ctr[i].errors++;
	}
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

	const int i_blc = stage_at(&lumen_isp_blc), i_wb = stage_at(&lumen_isp_wb);
	struct lumen_isp_dsp dsp;

	lumen_isp_dsp_init(&dsp);
	for (int i = first; i < end; i++) {
		uint64_t t0 = lumen_now_ns(), dt;
		uint64_t ns[LUMEN_ISP_MAX_STAGES] = { 0 };

		/* whole runs of the band lists go fused (see isp.h) */
		if (i == i_blc && end >= i + 3 && (!p->lsc ||
		    !lumen_lsc_check(&isp->raw, p->lsc))) {
			/* stats joins the run when the call covers it, and
			 * the fast denoise when its noise model comes from
			 * the params (else it needs the whole frame first) */
			struct lumen_denoise_coef coef;
			const struct lumen_denoise_coef *dn = NULL;
			const bool with_dn = end >= i + 5 && denoise_fused(p, &coef, &dn);
			const int nrun = with_dn ? 5 : end >= i + 4 ? 4 : 3;

			err = run_front(isp, p, &dsp, i, nrun >= 4, dn, ns);
			count_run(isp, i, i + nrun, ns, err);
			if (err)
				break;
			i += nrun - 1;
			continue;
		}
		if (i == i_wb && end == i + 6 && p->demosaic == LUMEN_DEMOSAIC_FAST &&
		    !p->demosaic_perceptual) {
			err = run_back(isp, p, &dsp, i, ns);
			count_run(isp, i, i + 6, ns, err);
			if (err)
				break;
			i += 5;
			continue;
		}
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

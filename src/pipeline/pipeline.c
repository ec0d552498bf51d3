// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pipeline runtime (see pipeline.h for the threads and the invariant).
 * Locking: pl->lock guards the output frames' reference counts, the ISP
 * parameters and every counter; it is never held while a stage works on a
 * frame or while a thread waits on a queue.
 */
#include "pipeline/pipeline.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/pool.h"
#include "core/thread.h"
#include "isp/demosaic.h"
#include "pipeline/fqueue.h"

struct rate {
	int64_t last_ns;
	double interval_ns;	/* exponential average */
};

struct sink {
	struct lumen_pipeline *pl;
	char name[24];
	const struct lumen_sink_ops *ops;
	void *opaque;
	struct lumen_fqueue queue;
	double max_fps;
	int64_t last_taken_ns;
	pthread_t thread;
	bool thread_started;
	bool stalled;
	pthread_cond_t unstall;
	/* counters (pl->lock) */
	uint64_t frames_in, frames_out, drops, skipped, errors;
	uint64_t ns_last, ns_total;
	struct rate rate;
};

struct lumen_pipeline {
	struct lumen_pipeline_config cfg;
	struct lumen_source *src;
	struct lumen_pool out_pool;
	int *refs;			/* per output frame; pl->lock */
	struct lumen_frame_info *infos;	/* per output frame; written by the
					 * ISP thread before the hand-over */
	int isp_holding;		/* output frames the ISP thread holds */
	pthread_mutex_t lock;
	struct lumen_isp *isp;
	struct lumen_isp_params params;	/* pl->lock */
	/* a demosaic scratch set_isp_params() allocated for the ISP thread to
	 * adopt (pl->lock), and the largest the ISP has or will adopt */
	void *scratch_pending;
	size_t scratch_pending_size, scratch_size;
	struct sink sinks[LUMEN_PIPELINE_MAX_SINKS];
	int nsinks;
	pthread_t isp_thread;
	atomic_bool running;
	bool started;
	/* ISP stage counters (pl->lock) */
	uint64_t isp_in, isp_out, isp_errors, src_timeouts, src_errors;
	uint64_t stale_drops;
	uint64_t isp_drops;	/* developed nothing: every output frame held */
	uint64_t isp_ns_last, isp_ns_total, sequence;
	struct rate isp_rate;
	char isp_note[160];
};

static void rate_tick(struct rate *r, int64_t t)
{
	if (r->last_ns) {
		double d = (double)(t - r->last_ns);

		r->interval_ns = r->interval_ns > 0 ?
			0.875 * r->interval_ns + 0.125 * d : d;
	}
	r->last_ns = t;
}

static double rate_fps(const struct rate *r, int64_t t)
{
	/* a stage that stopped delivering reads 0, not its old rate */
	if (r->interval_ns <= 0 || t - r->last_ns > 2 * (int64_t)r->interval_ns +
	    1000000000LL)
		return 0;
	return 1e9 / r->interval_ns;
}

static int accounting_locked(struct lumen_pipeline *pl)
{
	struct lumen_pool_counters pc;
	int held = 0;

	if (!pl->refs)
		return 0;
	for (int i = 0; i < pl->out_pool.count; i++)
		held += pl->refs[i] > 0;
	lumen_pool_read_counters(&pl->out_pool, &pc);
	return pc.free_now + held + pl->isp_holding == pl->out_pool.count ?
		0 : -EFAULT;
}

static void check_accounting_locked(struct lumen_pipeline *pl)
{
#ifndef NDEBUG
	assert(accounting_locked(pl) == 0);
#else
	(void)pl;
#endif
}

int lumen_pipeline_check_accounting(struct lumen_pipeline *pl)
{
	int err;

	pthread_mutex_lock(&pl->lock);
	err = accounting_locked(pl);
	pthread_mutex_unlock(&pl->lock);
	return err;
}

/* Drops one reference; the last one returns the frame to the pool. */
static void unref(struct lumen_pipeline *pl, struct lumen_frame *f)
{
	pthread_mutex_lock(&pl->lock);
	assert(pl->refs[f->index] > 0);
	if (--pl->refs[f->index] == 0)
		lumen_pool_put(&pl->out_pool, f);
	check_accounting_locked(pl);
	pthread_mutex_unlock(&pl->lock);
}

static void *sink_main(void *arg)
{
	struct sink *s = arg;
	struct lumen_pipeline *pl = s->pl;
	struct lumen_frame *f;
	struct lumen_frame_info *info;

	lumen_thread_name("sink-", s->name);
	while (atomic_load(&pl->running)) {
		pthread_mutex_lock(&pl->lock);
		while (s->stalled && atomic_load(&pl->running))
			pthread_cond_wait(&s->unstall, &pl->lock);
		pthread_mutex_unlock(&pl->lock);
		if (lumen_fqueue_pop(&s->queue, &f, 200) < 0)
			continue;
		info = &pl->infos[f->index];
		int64_t t0 = lumen_now_ns();
		bool skip = false;
		double max_fps = s->ops->max_fps ? s->ops->max_fps(s->opaque) :
			s->max_fps;

		if (max_fps > 0 && s->last_taken_ns &&
		    (double)(info->capture_ns - s->last_taken_ns) <
		    0.95e9 / max_fps)
			skip = true;
		int err = skip ? 0 : s->ops->consume(s->opaque, f, info);
		int64_t t1 = lumen_now_ns();

		pthread_mutex_lock(&pl->lock);
		if (skip) {
			s->skipped++;
		} else {
			s->last_taken_ns = info->capture_ns;
			s->ns_last = (uint64_t)(t1 - t0);
			s->ns_total += s->ns_last;
			if (err < 0) {
				s->errors++;
			} else {
				s->frames_out++;
				rate_tick(&s->rate, t1);
			}
		}
		pthread_mutex_unlock(&pl->lock);
		unref(pl, f);
	}
	return NULL;
}

/* Hands @out to every sink queue: one reference per accepting queue. */
static void fan_out(struct lumen_pipeline *pl, struct lumen_frame *out)
{
	pthread_mutex_lock(&pl->lock);
	pl->isp_holding--;
	pl->refs[out->index] = 1;	/* ours, until every push is done */
	pthread_mutex_unlock(&pl->lock);

	for (int i = 0; i < pl->nsinks; i++) {
		struct sink *s = &pl->sinks[i];

		pthread_mutex_lock(&pl->lock);
		pl->refs[out->index]++;
		s->frames_in++;
		pthread_mutex_unlock(&pl->lock);
		if (lumen_fqueue_push(&s->queue, out) < 0) {
			pthread_mutex_lock(&pl->lock);
			pl->refs[out->index]--;
			s->drops++;
			pthread_mutex_unlock(&pl->lock);
		}
	}
	unref(pl, out);
}

static void *isp_main(void *arg)
{
	struct lumen_pipeline *pl = arg;
	struct lumen_source *src = pl->src;
	int stats_end = lumen_isp_stage_index("stats") + 1;
	int timeout = pl->cfg.dequeue_timeout_ms > 0 ?
		pl->cfg.dequeue_timeout_ms : 1000;

	lumen_thread_name("isp", NULL);
	while (atomic_load(&pl->running)) {
		struct lumen_capture_info cap = { 0 };
		struct lumen_isp_params params;
		struct lumen_frame *raw, *out;
		struct lumen_frame_info *info;
		void *scratch;
		size_t scratch_size;
		int64_t t0;
		int err;

		err = src->ops->dequeue(src, &raw, &cap, timeout);
		if (err < 0) {
			pthread_mutex_lock(&pl->lock);
			if (err == -ETIMEDOUT)
				pl->src_timeouts++;
			else
				pl->src_errors++;
			pthread_mutex_unlock(&pl->lock);
			if (err != -ETIMEDOUT) {
				/* a broken source: do not spin on it */
				struct timespec ts = { 0, 50000000L };

				nanosleep(&ts, NULL);
			}
			continue;
		}
		if (!atomic_load(&pl->running)) {
			/* stop() came while we waited: do not develop it */
			src->ops->release(src, raw);
			break;
		}
		/* bounded: a source that always has a frame cannot trap us */
		for (int k = 0; pl->cfg.drop_stale && k < 64; k++) {
			struct lumen_capture_info ncap = { 0 };
			struct lumen_frame *newer;

			if (src->ops->dequeue(src, &newer, &ncap, 0) < 0)
				break;
			src->ops->release(src, raw);
			raw = newer;
			cap = ncap;
			pthread_mutex_lock(&pl->lock);
			pl->stale_drops++;
			pthread_mutex_unlock(&pl->lock);
		}
		if (pl->cfg.raw_tap)
			pl->cfg.raw_tap(pl->cfg.raw_tap_opaque, raw, &cap);
		t0 = lumen_now_ns();
		pthread_mutex_lock(&pl->lock);
		pl->isp_in++;
		params = pl->params;
		scratch = pl->scratch_pending;
		scratch_size = pl->scratch_pending_size;
		pl->scratch_pending = NULL;
		out = lumen_pool_get(&pl->out_pool);
		if (out)
			pl->isp_holding++;
		check_accounting_locked(pl);
		pthread_mutex_unlock(&pl->lock);
		/* a larger scratch for the new demosaic method, allocated on
		 * the thread that asked for it; the old one is small */
		free(lumen_isp_adopt_scratch(pl->isp, scratch, scratch_size));
		if (!out) {
			/* every output frame is held by sinks: drop here (back
			 * pressure, as a full queue drops, not an ISP error) */
			src->ops->release(src, raw);
			pthread_mutex_lock(&pl->lock);
			pl->isp_drops++;
			snprintf(pl->isp_note, sizeof(pl->isp_note),
				 "no free output frame (all held by sinks)");
			pthread_mutex_unlock(&pl->lock);
			continue;
		}
		info = &pl->infos[out->index];
		memset(info, 0, sizeof(*info));
		info->capture_ns = raw->timestamp_ns;
		info->capture = cap;

		err = lumen_isp_process_stages(pl->isp, raw, &params, out, 0,
					       stats_end);
		if (!err && pl->cfg.control)
			pl->cfg.control(pl->cfg.control_opaque, pl,
					&pl->isp->stats, &cap,
					&params, info);
		if (!err)
			err = lumen_isp_process_stages(pl->isp, raw, &params,
						       out, stats_end,
						       lumen_isp_stage_count);
		src->ops->release(src, raw);
		memcpy(info->wb, params.wb, sizeof(info->wb));

		int64_t t1 = lumen_now_ns();

		pthread_mutex_lock(&pl->lock);
		if (err < 0) {
			pl->isp_errors++;
			snprintf(pl->isp_note, sizeof(pl->isp_note),
				 "ISP failed: %s", strerror(-err));
			pl->isp_holding--;
			lumen_pool_put(&pl->out_pool, out);
			check_accounting_locked(pl);
			pthread_mutex_unlock(&pl->lock);
			continue;
		}
		/* 3A may have moved WB/exposure: keep them for the next frame */
		memcpy(pl->params.wb, params.wb, sizeof(params.wb));
		pl->params.exposure = params.exposure;
		info->sequence = ++pl->sequence;
		info->isp_done_ns = t1;
		out->sequence = info->sequence;
		out->timestamp_ns = info->capture_ns;
		pl->isp_out++;
		pl->isp_ns_last = (uint64_t)(t1 - t0);
		pl->isp_ns_total += pl->isp_ns_last;
		rate_tick(&pl->isp_rate, t1);
		pthread_mutex_unlock(&pl->lock);
		fan_out(pl, out);
	}
	return NULL;
}

int lumen_pipeline_create(const struct lumen_pipeline_config *cfg,
			  struct lumen_pipeline **out)
{
	struct lumen_pipeline *pl;
	int err = -ENOMEM, threads;

	if (!cfg->source || cfg->source->width <= 0 || cfg->source->height <= 0)
		return -EINVAL;
	if (cfg->out_fmt != LUMEN_PIX_NONE && cfg->out_fmt != LUMEN_PIX_NV12 &&
	    cfg->out_fmt != LUMEN_PIX_RGB24 && cfg->out_fmt != LUMEN_PIX_I420)
		return -EINVAL;
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return -ENOMEM;
	pl->cfg = *cfg;
	if (pl->cfg.out_fmt == LUMEN_PIX_NONE)
		pl->cfg.out_fmt = LUMEN_PIX_NV12;
	pl->src = cfg->source;
	pl->params = cfg->isp;
	if (pthread_mutex_init(&pl->lock, NULL))
		goto free_pl;
	err = lumen_isp_create(&pl->isp, pl->src->width, pl->src->height);
	if (err)
		goto destroy_lock;
	/* the configured method's scratch now, before any frame */
	err = lumen_isp_reserve_scratch(pl->isp, cfg->isp.demosaic);
	if (err)
		goto destroy_isp;
	pl->scratch_size = pl->isp->scratch_size;
	threads = cfg->isp_threads;
	if (threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		threads = n < 1 ? 1 : n > LUMEN_ISP_MAX_THREADS ?
			LUMEN_ISP_MAX_THREADS : (int)n;
	}
	err = lumen_isp_set_threads(pl->isp, threads);
	if (err)
		goto destroy_isp;
	*out = pl;
	return 0;

destroy_isp:
	lumen_isp_destroy(pl->isp);
destroy_lock:
	pthread_mutex_destroy(&pl->lock);
free_pl:
	free(pl);
	return err;
}

int lumen_pipeline_add_sink(struct lumen_pipeline *pl, const char *name,
			    const struct lumen_sink_ops *ops, void *opaque,
			    int depth, double max_fps)
{
	struct sink *s;
	int err;

	if (pl->started || pl->nsinks == LUMEN_PIPELINE_MAX_SINKS ||
	    !ops || !ops->consume)
		return -EINVAL;
	s = &pl->sinks[pl->nsinks];
	memset(s, 0, sizeof(*s));
	err = lumen_fqueue_init(&s->queue, depth > 0 ? depth : 2);
	if (err)
		return err;
	if (pthread_cond_init(&s->unstall, NULL)) {
		lumen_fqueue_destroy(&s->queue);
		return -EAGAIN;
	}
	s->pl = pl;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->ops = ops;
	s->opaque = opaque;
	s->max_fps = max_fps;
	return pl->nsinks++;
}

void lumen_pipeline_stall_sink(struct lumen_pipeline *pl, int sink,
			       bool stalled)
{
	if (sink < 0 || sink >= pl->nsinks)
		return;
	pthread_mutex_lock(&pl->lock);
	pl->sinks[sink].stalled = stalled;
	pthread_cond_broadcast(&pl->sinks[sink].unstall);
	pthread_mutex_unlock(&pl->lock);
}

/* Output pool: enough for the ISP, one in each sink's hands and its queue. */
static int alloc_outputs(struct lumen_pipeline *pl)
{
	int n = pl->cfg.out_buffers;
	int err;

	if (n <= 0) {
		n = 3;
		for (int i = 0; i < pl->nsinks; i++)
			n += pl->sinks[i].queue.cap + 1;
	}
	err = lumen_pool_init(&pl->out_pool, n, pl->cfg.out_fmt,
			      pl->src->width, pl->src->height);
	if (err)
		return err;
	pl->refs = calloc((size_t)n, sizeof(*pl->refs));
	pl->infos = calloc((size_t)n, sizeof(*pl->infos));
	if (!pl->refs || !pl->infos) {
		free(pl->refs);
		free(pl->infos);
		pl->refs = NULL;
		pl->infos = NULL;
		lumen_pool_destroy(&pl->out_pool);
		return -ENOMEM;
	}
	return 0;
}

int lumen_pipeline_start(struct lumen_pipeline *pl)
{
	int err, i;

	if (atomic_load(&pl->running))
		return -EBUSY;
	if (!pl->refs) {
		err = alloc_outputs(pl);
		if (err)
			return err;
	}
	pl->started = true;
	err = pl->src->ops->start(pl->src);
	if (err)
		return err;
	atomic_store(&pl->running, true);
	for (i = 0; i < pl->nsinks; i++) {
		lumen_fqueue_reopen(&pl->sinks[i].queue);
		pl->sinks[i].last_taken_ns = 0;
		if (pthread_create(&pl->sinks[i].thread, NULL, sink_main,
				   &pl->sinks[i])) {
			err = -EAGAIN;
			goto stop_threads;
		}
		pl->sinks[i].thread_started = true;
	}
	if (pthread_create(&pl->isp_thread, NULL, isp_main, pl)) {
		err = -EAGAIN;
		goto stop_threads;
	}
	return 0;

stop_threads:
	atomic_store(&pl->running, false);
	for (int j = 0; j < pl->nsinks; j++) {
		if (!pl->sinks[j].thread_started)
			continue;
		lumen_fqueue_close(&pl->sinks[j].queue);
		pthread_join(pl->sinks[j].thread, NULL);
		pl->sinks[j].thread_started = false;
	}
	pl->src->ops->stop(pl->src);
	return err;
}

void lumen_pipeline_stop(struct lumen_pipeline *pl)
{
	struct lumen_frame *f;

	if (!atomic_exchange(&pl->running, false))
		return;
	pthread_join(pl->isp_thread, NULL);
	pl->src->ops->stop(pl->src);
	for (int i = 0; i < pl->nsinks; i++) {
		struct sink *s = &pl->sinks[i];

		pthread_mutex_lock(&pl->lock);
		pthread_cond_broadcast(&s->unstall);
		pthread_mutex_unlock(&pl->lock);
		lumen_fqueue_close(&s->queue);
		if (s->thread_started)
			pthread_join(s->thread, NULL);
		s->thread_started = false;
		/* frames the sink never took go back unconsumed */
		while (lumen_fqueue_try_pop(&s->queue, &f) == 0)
			unref(pl, f);
	}
}

bool lumen_pipeline_running(struct lumen_pipeline *pl)
{
	return atomic_load(&pl->running);
}

void lumen_pipeline_destroy(struct lumen_pipeline *pl)
{
	if (!pl)
		return;
	lumen_pipeline_stop(pl);
	for (int i = 0; i < pl->nsinks; i++) {
		lumen_fqueue_destroy(&pl->sinks[i].queue);
		pthread_cond_destroy(&pl->sinks[i].unstall);
	}
	if (pl->refs)
		lumen_pool_destroy(&pl->out_pool);
	free(pl->refs);
	free(pl->infos);
	lumen_isp_destroy(pl->isp);
	free(pl->scratch_pending);
	pthread_mutex_destroy(&pl->lock);
	free(pl);
}

void lumen_pipeline_set_isp_params(struct lumen_pipeline *pl,
				   const struct lumen_isp_params *p)
{
	size_t need = lumen_demosaic_scratch_size(p->demosaic, pl->src->width,
						  pl->src->height);
	void *mem = NULL, *old = NULL;
	size_t have;

	pthread_mutex_lock(&pl->lock);
	have = pl->scratch_size;
	pthread_mutex_unlock(&pl->lock);
	if (need > have) {
		/* here, not on the ISP thread: allocate and fault the pages in
		 * (tens of MB for the quality demosaic at 2560 wide). On
		 * failure the ISP allocates on its first such frame. */
		mem = aligned_alloc(64, (need + 63) & ~(size_t)63);
		if (mem)
			memset(mem, 0, need);
	}
	pthread_mutex_lock(&pl->lock);
	pl->params = *p;
	if (mem && need > pl->scratch_size) {
		old = pl->scratch_pending;
		pl->scratch_pending = mem;
		pl->scratch_pending_size = need;
		pl->scratch_size = need;
		mem = NULL;
	}
	pthread_mutex_unlock(&pl->lock);
	free(old);
	free(mem);
}

void lumen_pipeline_get_isp_params(struct lumen_pipeline *pl,
				   struct lumen_isp_params *p)
{
	pthread_mutex_lock(&pl->lock);
	*p = pl->params;
	pthread_mutex_unlock(&pl->lock);
}

struct lumen_source *lumen_pipeline_source(struct lumen_pipeline *pl)
{
	return pl->src;
}

int lumen_pipeline_status(struct lumen_pipeline *pl,
			  struct lumen_stage_status *st, int max)
{
	int64_t t = lumen_now_ns();
	int n = 0;

	if (pl->src->ops->status)
		n = pl->src->ops->status(pl->src, st, max);
	if (n < 0)
		n = 0;
	pthread_mutex_lock(&pl->lock);
	if (n < max) {
		struct lumen_stage_status *s = &st[n++];

		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "isp");
		s->frames_in = pl->isp_in;
		s->frames_out = pl->isp_out;
		s->errors = pl->isp_errors;
		s->drops = pl->isp_drops;
		s->ns_last = pl->isp_ns_last;
		s->ns_total = pl->isp_ns_total;
		s->fps = rate_fps(&pl->isp_rate, t);
		lumen_status_extra(s, "source_timeouts", (int64_t)pl->src_timeouts);
		lumen_status_extra(s, "source_errors", (int64_t)pl->src_errors);
		if (pl->cfg.drop_stale)
			lumen_status_extra(s, "stale_drops", (int64_t)pl->stale_drops);
		if (pl->refs) {
			struct lumen_pool_counters pc;

			lumen_pool_read_counters(&pl->out_pool, &pc);
			lumen_status_extra(s, "out_free", pc.free_now);
		}
		lumen_status_extra(s, "out_buffers", pl->out_pool.count);
		snprintf(s->note, sizeof(s->note), "%s", pl->isp_note);
	}
	for (int i = 0; i < pl->nsinks && n < max; i++) {
		struct sink *k = &pl->sinks[i];
		struct lumen_stage_status *s = &st[n++];

		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", k->name);
		s->frames_in = k->frames_in;
		s->frames_out = k->frames_out;
		s->drops = k->drops;
		s->errors = k->errors;
		s->ns_last = k->ns_last;
		s->ns_total = k->ns_total;
		s->fps = rate_fps(&k->rate, t);
		lumen_status_extra(s, "skipped", (int64_t)k->skipped);
		lumen_status_extra(s, "queued", lumen_fqueue_depth(&k->queue));
		if (k->stalled)
			snprintf(s->note, sizeof(s->note), "stalled");
	}
	pthread_mutex_unlock(&pl->lock);
	return n;
}

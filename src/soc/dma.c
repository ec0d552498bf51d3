// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DMA of the reference SoC: per channel a fixed pool of buffers of the
 * VIF's cropped size and a FIFO of frames done. The producer writes a frame
 * into a free buffer and queues it; the consumer dequeues (waiting on a
 * condition variable with a timeout), holds the frame in flight, and
 * releases it. No free buffer: the new frame is dropped and counted, as a
 * real DMA with no buffer address programmed does; the producer never
 * waits for the consumer.
 *
 * Buffers hold what the VIF window of the receiver's staging frame holds:
 * packed MIPI RAW10/RAW12 (or RAW8 bytes) when the window starts and ends
 * on whole pixel groups, as a real DMA writes the CSI-2 payload to memory;
 * else 16 bits a pixel (the DMA unpacks, through one row of scratch
 * allocated at configure time).
 *
 * A frame the VIF takes whole can also be written straight into a buffer
 * as its lines arrive (the receiver holds the buffer from FS to FE:
 * soc_dma_take_direct()), as real receivers write to memory; the pool's
 * counters are the same as for a staged frame copied at FE.
 *
 * Invariant, asserted after every change in debug builds:
 *   free + queued + in_flight + held by a receiver == count, each >= 0.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/pack.h"
#include "soc/soc_priv.h"

/* Pixels in one group of a packed format (1 for unpacked formats). */
static int group_px(enum lumen_pixfmt fmt)
{
	return fmt == LUMEN_PIX_BAYER10P ? 4 : fmt == LUMEN_PIX_BAYER12P ? 2 : 1;
}

/* Bytes of @n pixels of @fmt (n a multiple of group_px). */
static size_t row_bytes(enum lumen_pixfmt fmt, size_t n)
{
	switch (fmt) {
	case LUMEN_PIX_BAYER8:
		return n;
	case LUMEN_PIX_BAYER10P:
		return n / 4 * 5;
	case LUMEN_PIX_BAYER12P:
		return n / 2 * 3;
	default:
		return 2 * n;
	}
}

static void check_invariant(const struct soc_dma *d)
{
#ifndef NDEBUG
	int q = 0, f = 0, r = 0;

	if (!d->configured)
		return;
	for (int i = 0; i < d->pool.count; i++) {
		q += d->state[i] == SOC_BUF_QUEUED;
		f += d->state[i] == SOC_BUF_FLIGHT;
		r += d->state[i] == SOC_BUF_RX;
	}
	assert(d->nqueued >= 0 && d->nflight >= 0 && d->nrx >= 0 &&
	       d->pool.nfree >= 0);
	assert(q == d->nqueued && f == d->nflight && r == d->nrx);
	assert(d->pool.nfree + d->nqueued + d->nflight + d->nrx == d->pool.count);
#else
	(void)d;
#endif
}

int soc_dma_init(struct lumen_soc *soc)
{
	pthread_condattr_t attr;
	int i, ret = -EAGAIN;

	if (pthread_condattr_init(&attr))
		return -ENOMEM;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	for (i = 0; i < LUMEN_SOC_MAX_CH; i++) {
		if (pthread_mutex_init(&soc->dma[i].lock, NULL))
			goto undo;
		if (pthread_cond_init(&soc->dma[i].done, &attr)) {
			pthread_mutex_destroy(&soc->dma[i].lock);
			goto undo;
		}
	}
	pthread_condattr_destroy(&attr);
	return 0;
undo:
	while (i-- > 0) {
		pthread_cond_destroy(&soc->dma[i].done);
		pthread_mutex_destroy(&soc->dma[i].lock);
	}
	pthread_condattr_destroy(&attr);
	return ret;
}

static void pool_free(struct soc_dma *d)
{
	if (!d->configured)
		return;
	lumen_pool_destroy(&d->pool);
	free(d->ring);
	free(d->state);
	free(d->scratch);
	d->ring = NULL;
	d->state = NULL;
	d->scratch = NULL;
	d->scratch_len = 0;
	d->configured = false;
	d->head = d->nqueued = d->nflight = d->nrx = 0;
}

void soc_dma_fini(struct lumen_soc *soc)
{
	for (int i = 0; i < LUMEN_SOC_MAX_CH; i++) {
		pool_free(&soc->dma[i]);
		pthread_cond_destroy(&soc->dma[i].done);
		pthread_mutex_destroy(&soc->dma[i].lock);
	}
}

static bool ch_ok(const struct lumen_soc *soc, int ch)
{
	return ch >= 0 && ch < soc->model->npads;
}

bool soc_dma_size(struct lumen_soc *soc, int ch, int *w, int *h)
{
	struct soc_dma *d = &soc->dma[ch];
	bool ok;

	pthread_mutex_lock(&d->lock);
	ok = d->configured;
	if (ok) {
		*w = d->pool.frames[0].width;
		*h = d->pool.frames[0].height;
	}
	pthread_mutex_unlock(&d->lock);
	return ok;
}

int lumen_soc_dma_configure(struct lumen_soc *soc, int ch, int nbuffers,
			    char *err, size_t errlen)
{
	struct soc_dma *d;
	enum lumen_pixfmt fmt;
	int x, y, w, h, ret;

	if (!soc || !ch_ok(soc, ch))
		return lumen_fail(-EINVAL, err, errlen, "DMA ch%d: no such channel",
				ch);
	if (nbuffers < 1 || nbuffers > 64)
		return lumen_fail(-EINVAL, err, errlen,
				"DMA ch%d: %d buffers, expected 1..64", ch,
				nbuffers);
	pthread_mutex_lock(&soc->lock);
	if (!soc_vif_window(soc, ch, &x, &y, &w, &h)) {
		ret = lumen_fail(-EINVAL, err, errlen,
			       "DMA ch%d: VIF ch%d has no window yet (configure "
			       "the VIF, and its receiver or input size, first)",
			       ch, ch);
		goto unlock;
	}
	d = &soc->dma[ch];
	pthread_mutex_lock(&d->lock);
	if (d->nflight) {
		ret = lumen_fail(-EBUSY, err, errlen,
			       "DMA ch%d: the consumer still holds %d frame(s)",
			       ch, d->nflight);
		goto unlock_dma;
	}
	if (d->nrx) {
		ret = lumen_fail(-EBUSY, err, errlen,
			       "DMA ch%d: a receiver is writing a frame into it "
			       "(unconfigure the receiver first)", ch);
		goto unlock_dma;
	}
	pool_free(d);
	fmt = soc_vif_input_fmt(soc, ch);
	if (x % group_px(fmt) || w % group_px(fmt))
		fmt = LUMEN_PIX_BAYER16;	/* the DMA unpacks */
	ret = lumen_pool_init(&d->pool, nbuffers, fmt, w, h);
	if (ret) {
		lumen_fail(ret, err, errlen, "DMA ch%d: cannot allocate %d buffers "
			 "of %dx%d", ch, nbuffers, w, h);
		goto unlock_dma;
	}
	d->ring = calloc((size_t)nbuffers, sizeof(*d->ring));
	d->state = calloc((size_t)nbuffers, sizeof(*d->state));
	/* one row to unpack into, should the receiver's format change to a
	 * packed one under a 16-bit pool (the widest group is 4 pixels) */
	d->scratch_len = (size_t)w + 4;
	d->scratch = malloc(d->scratch_len * sizeof(*d->scratch));
	if (!d->ring || !d->state || !d->scratch) {
		free(d->ring);
		free(d->state);
		free(d->scratch);
		d->ring = NULL;
		d->state = NULL;
		d->scratch = NULL;
		lumen_pool_destroy(&d->pool);
		ret = lumen_fail(-ENOMEM, err, errlen, "DMA ch%d: out of memory", ch);
		goto unlock_dma;
	}
	d->configured = true;
	d->head = d->nqueued = d->nflight = d->nrx = 0;
	d->delivered = d->no_buffer = d->dequeued = d->released = 0;
	check_invariant(d);
unlock_dma:
	pthread_mutex_unlock(&d->lock);
unlock:
	pthread_mutex_unlock(&soc->lock);
	return ret;
}

/* Row @y of the window into @f (soc_dma_write: formats already checked). */
static void copy_row(struct soc_dma *d, struct lumen_frame *f,
		     const struct lumen_frame *src, int x, int y, int row)
{
	const uint8_t *in = src->data[0] + (size_t)(y + row) * src->stride[0];
	uint8_t *out = f->data[0] + (size_t)row * f->stride[0];
	size_t w = (size_t)f->width;
	int g = group_px(src->fmt);
	int x0 = x - x % g;		/* the group the window starts in */
	size_t n = (size_t)(x - x0) + w;

	if (f->fmt == src->fmt) {
		memcpy(out, in + row_bytes(src->fmt, (size_t)x),
		       row_bytes(f->fmt, w));
		return;
	}
	in += row_bytes(src->fmt, (size_t)x0);
	switch (src->fmt) {
	case LUMEN_PIX_BAYER10P:
		lumen_unpack_raw10(in, d->scratch, n);
		break;
	case LUMEN_PIX_BAYER12P:
		lumen_unpack_raw12(in, d->scratch, n);
		break;
	default:		/* BAYER8 */
		for (size_t i = 0; i < n; i++)
			d->scratch[i] = in[i];
		break;
	}
	memcpy(out, d->scratch + (x - x0), 2 * w);
}

/* Queues the written buffer @f, its metadata from @src's window at (@x,
 * @y): a delivered frame. d->lock held. */
static void queue_frame(struct soc_dma *d, struct lumen_frame *f,
			const struct lumen_frame *src, int x, int y)
{
	f->bits = src->bits;
	f->white = src->white;
	lumen_frame_raw_phase(src, x, y, f);
	f->sequence = src->sequence;
	f->timestamp_ns = lumen_now_ns();
	d->state[f->index] = SOC_BUF_QUEUED;
	d->ring[(d->head + d->nqueued) % d->pool.count] = f->index;
	d->nqueued++;
	d->delivered++;
	check_invariant(d);
	pthread_cond_broadcast(&d->done);
}

struct lumen_frame *soc_dma_take_direct(struct lumen_soc *soc, int ch,
					enum lumen_pixfmt fmt, int w, int h,
					bool *none_free)
{
	struct soc_dma *d = &soc->dma[ch];
	struct lumen_frame *f = NULL;

	*none_free = false;
	pthread_mutex_lock(&d->lock);
	if (d->configured && d->pool.frames[0].fmt == fmt &&
	    d->pool.frames[0].width == w && d->pool.frames[0].height == h) {
		f = lumen_pool_get(&d->pool);
		if (f) {
			d->state[f->index] = SOC_BUF_RX;
			d->nrx++;
			check_invariant(d);
		} else {
			*none_free = true;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return f;
}

void soc_dma_queue_direct(struct lumen_soc *soc, int ch, struct lumen_frame *f,
			  const struct lumen_frame *meta)
{
	struct soc_dma *d = &soc->dma[ch];
	uint64_t seq = f->sequence;
	struct lumen_frame m = *meta;

	pthread_mutex_lock(&d->lock);
	d->nrx--;
	m.sequence = seq;	/* the receiver numbered the frame it wrote */
	m.bits = f->bits;
	queue_frame(d, f, &m, 0, 0);
	pthread_mutex_unlock(&d->lock);
}

void soc_dma_return_direct(struct lumen_soc *soc, int ch, struct lumen_frame *f)
{
	struct soc_dma *d = &soc->dma[ch];

	pthread_mutex_lock(&d->lock);
	lumen_pool_put(&d->pool, f);
	d->state[f->index] = SOC_BUF_FREE;
	d->nrx--;
	check_invariant(d);
	pthread_mutex_unlock(&d->lock);
}

void soc_dma_no_buffer(struct lumen_soc *soc, int ch)
{
	struct soc_dma *d = &soc->dma[ch];

	pthread_mutex_lock(&d->lock);
	d->no_buffer++;
	pthread_mutex_unlock(&d->lock);
}

int soc_dma_write(struct lumen_soc *soc, int ch, const struct lumen_frame *src,
		  int x, int y, int w, int h)
{
	struct soc_dma *d = &soc->dma[ch];
	struct lumen_frame *f;
	enum lumen_pixfmt pf;
	int ret = 0;

	pthread_mutex_lock(&d->lock);
	if (!d->configured) {
		d->no_buffer++;
		ret = -ENOBUFS;
		goto unlock;
	}
	pf = d->pool.frames[0].fmt;
	if (w != d->pool.frames[0].width || h != d->pool.frames[0].height ||
	    (pf != LUMEN_PIX_BAYER16 &&
	     (src->fmt != pf || x % group_px(pf))) ||
	    (pf == LUMEN_PIX_BAYER16 && src->fmt != pf &&
	     (size_t)w + (size_t)group_px(src->fmt) > d->scratch_len)) {
		ret = -EINVAL;
		goto unlock;
	}
	f = lumen_pool_get(&d->pool);
	if (!f) {
		d->no_buffer++;
		ret = -ENOBUFS;
		goto unlock;
	}
	for (int row = 0; row < h; row++)
		copy_row(d, f, src, x, y, row);
	queue_frame(d, f, src, x, y);
unlock:
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int lumen_soc_dma_dequeue(struct lumen_soc *soc, int ch, int timeout_ms,
			  struct lumen_frame **out)
{
	struct soc_dma *d;
	struct timespec until;
	int ret = 0, idx;

	if (!soc || !out || !ch_ok(soc, ch))
		return -EINVAL;
	d = &soc->dma[ch];
	if (timeout_ms > 0)
		until = lumen_deadline_ms(timeout_ms);
	pthread_mutex_lock(&d->lock);
	while (d->configured && !d->nqueued) {
		if (timeout_ms == 0)
			break;
		if (timeout_ms < 0)
			pthread_cond_wait(&d->done, &d->lock);
		else if (pthread_cond_timedwait(&d->done, &d->lock, &until) ==
			 ETIMEDOUT)
			break;
	}
	if (!d->configured) {
		ret = -ENODEV;
		goto unlock;
	}
	if (!d->nqueued) {
		ret = -ETIMEDOUT;
		goto unlock;
	}
	idx = d->ring[d->head];
	d->head = (d->head + 1) % d->pool.count;
	d->nqueued--;
	d->state[idx] = SOC_BUF_FLIGHT;
	d->nflight++;
	d->dequeued++;
	*out = &d->pool.frames[idx];
	check_invariant(d);
unlock:
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int lumen_soc_dma_release(struct lumen_soc *soc, int ch, struct lumen_frame *f)
{
	struct soc_dma *d;
	int ret = -EINVAL;

	if (!soc || !f || !ch_ok(soc, ch))
		return -EINVAL;
	d = &soc->dma[ch];
	pthread_mutex_lock(&d->lock);
	if (!d->configured || f < d->pool.frames ||
	    f >= d->pool.frames + d->pool.count ||
	    d->state[f->index] != SOC_BUF_FLIGHT)
		goto unlock;
	ret = lumen_pool_put(&d->pool, f);
	if (ret)
		goto unlock;
	d->state[f->index] = SOC_BUF_FREE;
	d->nflight--;
	d->released++;
	check_invariant(d);
unlock:
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int lumen_soc_dma_counters(struct lumen_soc *soc, int ch,
			   struct lumen_soc_dma_counters *out)
{
	struct soc_dma *d;

	if (!soc || !out || !ch_ok(soc, ch))
		return -EINVAL;
	d = &soc->dma[ch];
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&d->lock);
	out->configured = d->configured;
	if (d->configured) {
		out->count = d->pool.count;
		out->width = d->pool.frames[0].width;
		out->height = d->pool.frames[0].height;
		out->free = d->pool.nfree;
	}
	out->delivered = d->delivered;
	out->no_buffer = d->no_buffer;
	out->dequeued = d->dequeued;
	out->released = d->released;
	out->queued = d->nqueued;
	out->in_flight = d->nflight;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

void soc_dma_dump(struct lumen_soc *soc, struct soc_text *t)
{
	static const char *const path[] = {
		[LUMEN_SOC_SIGMASTAR] = "/proc/mi_modules/mi_vif/mi_vif0 (dma)",
		[LUMEN_SOC_INGENIC] = "/proc/jz/isp/isp-fs",
		[LUMEN_SOC_ROCKCHIP] = "/sys/kernel/debug/rkisp1/mi",
	};

	soc_printf(t, "# cat %s\n", path[soc->model->flavour]);
	for (int ch = 0; ch < soc->model->npads; ch++) {
		struct lumen_soc_dma_counters c;

		lumen_soc_dma_counters(soc, ch, &c);
		if (!c.configured && !c.no_buffer)
			continue;
		soc_printf(t,
			"DMA ch%d: %dx%d buffers %d free %d queued %d in_flight %d\n"
			"  frame_done %" PRIu64 " no_buffer_drop %" PRIu64
			" dequeued %" PRIu64 " released %" PRIu64 "\n",
			ch, c.width, c.height, c.count, c.free, c.queued,
			c.in_flight, c.delivered, c.no_buffer, c.dequeued,
			c.released);
	}
}

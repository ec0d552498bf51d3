// SPDX-License-Identifier: GPL-2.0-or-later
#include "encode/stream_ring.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

/* Recounts the states and checks them against the counters (debug). */
static void check_invariant(struct lumen_stream_ring *r)
{
#ifndef NDEBUG
	int n[3] = { 0, 0, 0 };

	for (int i = 0; i < r->count; i++) {
		const struct lumen_stream_buf *b = &r->bufs[i];

		n[b->state]++;
		assert(b->refs >= 0);
		assert((b->state == LUMEN_STREAM_HELD) == (b->writing || b->refs > 0));
		assert(!(b->writing && b->refs));
	}
	assert(n[0] == r->ctr.free_now && n[1] == r->ctr.filled_now &&
	       n[2] == r->ctr.held_now);
	assert(n[0] + n[1] + n[2] == r->count);
#else
	(void)r;
#endif
}

static void set_state(struct lumen_stream_ring *r, struct lumen_stream_buf *b,
		      enum lumen_stream_state s)
{
	int *now[3] = { &r->ctr.free_now, &r->ctr.filled_now, &r->ctr.held_now };

	(*now[b->state])--;
	(*now[s])++;
	b->state = s;
}

int lumen_stream_ring_init(struct lumen_stream_ring *ring, int count,
			   size_t capacity)
{
	size_t slot = (capacity + 63) & ~(size_t)63;
	int err = -ENOMEM;

	memset(ring, 0, sizeof(*ring));
	if (count < 1 || count > 256 || capacity == 0 ||
	    capacity > ((size_t)1 << 30))
		return -EINVAL;
	ring->bufs = calloc((size_t)count, sizeof(*ring->bufs));
	if (!ring->bufs)
		goto fail;
	ring->memory = aligned_alloc(64, slot * (size_t)count);
	if (!ring->memory)
		goto free_bufs;
	if (pthread_mutex_init(&ring->lock, NULL)) {
		err = -EAGAIN;
		goto free_memory;
	}
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		if (pthread_cond_init(&ring->cond, &ca)) {
			pthread_condattr_destroy(&ca);
			err = -EAGAIN;
			goto destroy_mutex;
		}
		pthread_condattr_destroy(&ca);
	}
	for (int i = 0; i < count; i++) {
		ring->bufs[i].data = ring->memory + slot * (size_t)i;
		ring->bufs[i].capacity = capacity;
		ring->bufs[i].index = i;
	}
	ring->count = count;
	ring->next_sequence = 1;
	ring->ctr.free_now = count;
	return 0;

destroy_mutex:
	pthread_mutex_destroy(&ring->lock);
free_memory:
	free(ring->memory);
free_bufs:
	free(ring->bufs);
fail:
	memset(ring, 0, sizeof(*ring));
	return err;
}

void lumen_stream_ring_destroy(struct lumen_stream_ring *ring)
{
	if (!ring->bufs)
		return;
	pthread_cond_destroy(&ring->cond);
	pthread_mutex_destroy(&ring->lock);
	free(ring->memory);
	free(ring->bufs);
	memset(ring, 0, sizeof(*ring));
}

void lumen_stream_ring_close(struct lumen_stream_ring *ring)
{
	pthread_mutex_lock(&ring->lock);
	ring->closed = true;
	pthread_cond_broadcast(&ring->cond);
	pthread_mutex_unlock(&ring->lock);
}

static bool is_ours(const struct lumen_stream_ring *ring,
		    const struct lumen_stream_buf *buf)
{
	return buf && buf >= ring->bufs && buf < ring->bufs + ring->count;
}

struct lumen_stream_buf *lumen_stream_dequeue(struct lumen_stream_ring *ring)
{
	struct lumen_stream_buf *b = NULL;

	pthread_mutex_lock(&ring->lock);
	for (int i = 0; i < ring->count && !b; i++)
		if (ring->bufs[i].state == LUMEN_STREAM_FREE)
			b = &ring->bufs[i];
	if (!b) {	/* the oldest AU nobody holds */
		for (int i = 0; i < ring->count; i++) {
			struct lumen_stream_buf *c = &ring->bufs[i];

			if (c->state == LUMEN_STREAM_FILLED &&
			    (!b || c->sequence < b->sequence))
				b = c;
		}
		if (b)
			ring->ctr.overwritten++;
	}
	if (b) {
		set_state(ring, b, LUMEN_STREAM_HELD);
		b->writing = true;
		b->len = 0;
		b->pts = b->capture_ns = 0;
		b->frame_sequence = b->sequence = 0;
		b->keyframe = false;
	} else {
		ring->ctr.dropped++;
	}
	check_invariant(ring);
	pthread_mutex_unlock(&ring->lock);
	return b;
}

static int give_back(struct lumen_stream_ring *ring,
		     struct lumen_stream_buf *buf, int reason)
{
	if (!buf->writing)
		return -EINVAL;
	buf->writing = false;
	buf->len = 0;
	set_state(ring, buf, LUMEN_STREAM_FREE);
	if (reason == -EMSGSIZE)
		ring->ctr.too_large++;
	else
		ring->ctr.cancelled++;
	return 0;
}

int lumen_stream_cancel(struct lumen_stream_ring *ring,
			struct lumen_stream_buf *buf, int reason)
{
	int err;

	if (!is_ours(ring, buf))
		return -EINVAL;
	pthread_mutex_lock(&ring->lock);
	err = give_back(ring, buf, reason);
	check_invariant(ring);
	pthread_mutex_unlock(&ring->lock);
	return err;
}

int lumen_stream_queue(struct lumen_stream_ring *ring,
		       struct lumen_stream_buf *buf)
{
	int err = 0;

	if (!is_ours(ring, buf))
		return -EINVAL;
	pthread_mutex_lock(&ring->lock);
	if (!buf->writing) {
		err = -EINVAL;
	} else if (buf->len > buf->capacity) {
		give_back(ring, buf, -EMSGSIZE);
		err = -EMSGSIZE;
	} else {
		buf->writing = false;
		buf->sequence = ring->next_sequence++;
		set_state(ring, buf, LUMEN_STREAM_FILLED);
		ring->ctr.queued++;
		ring->ctr.bytes += buf->len;
		ring->ctr.keyframes += buf->keyframe;
		pthread_cond_broadcast(&ring->cond);
	}
	check_invariant(ring);
	pthread_mutex_unlock(&ring->lock);
	return err;
}

/* Published AU with the smallest sequence >= seq, or NULL. */
static struct lumen_stream_buf *find_next(struct lumen_stream_ring *ring,
					  uint64_t seq)
{
	struct lumen_stream_buf *best = NULL;

	for (int i = 0; i < ring->count; i++) {
		struct lumen_stream_buf *b = &ring->bufs[i];

		if (b->state == LUMEN_STREAM_FREE || b->writing ||
		    b->sequence < seq)
			continue;
		if (!best || b->sequence < best->sequence)
			best = b;
	}
	return best;
}

int lumen_stream_acquire(struct lumen_stream_ring *ring, uint64_t *next_seq,
			 int timeout_ms, struct lumen_stream_buf **out)
{
	struct lumen_stream_buf *b;
	struct timespec until;
	int err = 0;

	*out = NULL;
	if (timeout_ms > 0)
		until = lumen_deadline_ms(timeout_ms);
	pthread_mutex_lock(&ring->lock);
	while (!(b = find_next(ring, *next_seq))) {
		if (ring->closed) {
			err = -EPIPE;
			break;
		}
		if (timeout_ms == 0) {
			err = -EAGAIN;
			break;
		}
		if (timeout_ms < 0) {
			pthread_cond_wait(&ring->cond, &ring->lock);
		} else if (pthread_cond_timedwait(&ring->cond, &ring->lock,
						  &until) == ETIMEDOUT) {
			b = find_next(ring, *next_seq);
			if (!b) {
				ring->ctr.timeouts++;
				err = -ETIMEDOUT;
			}
			break;
		}
	}
	if (b) {
		if (b->refs++ == 0)
			set_state(ring, b, LUMEN_STREAM_HELD);
		ring->ctr.acquired++;
		*next_seq = b->sequence + 1;
		*out = b;
	}
	check_invariant(ring);
	pthread_mutex_unlock(&ring->lock);
	return err;
}

int lumen_stream_release(struct lumen_stream_ring *ring,
			 struct lumen_stream_buf *buf)
{
	int err = 0;

	if (!is_ours(ring, buf))
		return -EINVAL;
	pthread_mutex_lock(&ring->lock);
	if (buf->refs <= 0) {
		err = -EINVAL;
	} else {
		if (--buf->refs == 0)
			set_state(ring, buf, LUMEN_STREAM_FILLED);
		ring->ctr.released++;
	}
	check_invariant(ring);
	pthread_mutex_unlock(&ring->lock);
	return err;
}

uint64_t lumen_stream_join_sequence(struct lumen_stream_ring *ring)
{
	uint64_t seq = 0;

	pthread_mutex_lock(&ring->lock);
	for (int i = 0; i < ring->count; i++) {
		const struct lumen_stream_buf *b = &ring->bufs[i];

		if (b->state != LUMEN_STREAM_FREE && !b->writing &&
		    b->keyframe && b->sequence > seq)
			seq = b->sequence;
	}
	if (!seq)
		seq = ring->next_sequence;
	pthread_mutex_unlock(&ring->lock);
	return seq;
}

void lumen_stream_read_counters(struct lumen_stream_ring *ring,
				struct lumen_stream_counters *out)
{
	pthread_mutex_lock(&ring->lock);
	*out = ring->ctr;
	pthread_mutex_unlock(&ring->lock);
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include "pipeline/fqueue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"

int lumen_fqueue_init(struct lumen_fqueue *q, int cap)
{
	pthread_condattr_t attr;
	int err = -ENOMEM;

	memset(q, 0, sizeof(*q));
	if (cap < 1 || cap > 4096)
		return -EINVAL;
	q->slot = calloc((size_t)cap, sizeof(*q->slot));
	if (!q->slot)
		return -ENOMEM;
	if (pthread_mutex_init(&q->lock, NULL))
		goto free_slots;
	if (pthread_condattr_init(&attr))
		goto destroy_lock;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&q->nonempty, &attr)) {
		pthread_condattr_destroy(&attr);
		goto destroy_lock;
	}
	pthread_condattr_destroy(&attr);
	q->cap = cap;
	return 0;

destroy_lock:
	pthread_mutex_destroy(&q->lock);
	err = -EAGAIN;
free_slots:
	free(q->slot);
	memset(q, 0, sizeof(*q));
	return err;
}

void lumen_fqueue_destroy(struct lumen_fqueue *q)
{
	if (!q->slot)
		return;
	pthread_cond_destroy(&q->nonempty);
	pthread_mutex_destroy(&q->lock);
	free(q->slot);
	memset(q, 0, sizeof(*q));
}

int lumen_fqueue_push(struct lumen_fqueue *q, struct lumen_frame *f)
{
	int err = 0;

	pthread_mutex_lock(&q->lock);
	if (q->closed) {
		err = -EPIPE;
	} else if (q->len == q->cap) {
		q->ctr.refused++;
		err = -ENOSPC;
	} else {
		q->slot[(q->head + q->len) % q->cap] = f;
		q->len++;
		q->ctr.pushed++;
		q->ctr.depth = q->len;
		if (q->len > q->ctr.max_depth)
			q->ctr.max_depth = q->len;
		pthread_cond_signal(&q->nonempty);
	}
	pthread_mutex_unlock(&q->lock);
	return err;
}

static struct lumen_frame *take_locked(struct lumen_fqueue *q)
{
	struct lumen_frame *f = q->slot[q->head];

	q->head = (q->head + 1) % q->cap;
	q->len--;
	q->ctr.popped++;
	q->ctr.depth = q->len;
	return f;
}

int lumen_fqueue_pop(struct lumen_fqueue *q, struct lumen_frame **out,
		     int timeout_ms)
{
	struct timespec until;
	int err = 0;

	if (timeout_ms > 0)
		until = lumen_deadline_ms(timeout_ms);
	pthread_mutex_lock(&q->lock);
	while (q->len == 0 && !q->closed && err == 0) {
		if (timeout_ms == 0)
			err = ETIMEDOUT;
		else if (timeout_ms < 0)
			err = pthread_cond_wait(&q->nonempty, &q->lock);
		else
			err = pthread_cond_timedwait(&q->nonempty, &q->lock,
						     &until);
	}
	if (q->len > 0) {
		*out = take_locked(q);
		err = 0;
	} else {
		err = q->closed ? -EPIPE : -ETIMEDOUT;
	}
	pthread_mutex_unlock(&q->lock);
	return err;
}

int lumen_fqueue_try_pop(struct lumen_fqueue *q, struct lumen_frame **out)
{
	int err = -EAGAIN;

	pthread_mutex_lock(&q->lock);
	if (q->len > 0) {
		*out = take_locked(q);
		err = 0;
	}
	pthread_mutex_unlock(&q->lock);
	return err;
}

void lumen_fqueue_close(struct lumen_fqueue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->nonempty);
	pthread_mutex_unlock(&q->lock);
}

void lumen_fqueue_reopen(struct lumen_fqueue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = false;
	pthread_mutex_unlock(&q->lock);
}

int lumen_fqueue_depth(struct lumen_fqueue *q)
{
	int n;

	pthread_mutex_lock(&q->lock);
	n = q->len;
	pthread_mutex_unlock(&q->lock);
	return n;
}

void lumen_fqueue_read_counters(struct lumen_fqueue *q,
				struct lumen_fqueue_counters *out)
{
	pthread_mutex_lock(&q->lock);
	*out = q->ctr;
	pthread_mutex_unlock(&q->lock);
}

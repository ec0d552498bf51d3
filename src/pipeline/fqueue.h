/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bounded queue of frame pointers between two threads of the pipeline.
 * push() never blocks: a full queue refuses the frame (-ENOSPC) and the
 * producer returns it to wherever it came from, so a slow consumer loses
 * frames at its own queue and never stalls the producer. pop() waits up
 * to a timeout. close() wakes every waiter; after it pop() drains what is
 * left and then returns -EPIPE.
 *
 * Threading: any number of producers and consumers (one mutex).
 */
#ifndef LUMEN_PIPELINE_FQUEUE_H
#define LUMEN_PIPELINE_FQUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/frame.h"

struct lumen_fqueue_counters {
	uint64_t pushed, popped;
	uint64_t refused;	/* push() on a full queue */
	int depth, max_depth;
};

struct lumen_fqueue {
	pthread_mutex_t lock;
	pthread_cond_t nonempty;
	struct lumen_frame **slot;
	int cap, head, len;
	bool closed;
	struct lumen_fqueue_counters ctr;
};

/* 0, -EINVAL (cap < 1), -ENOMEM. */
int lumen_fqueue_init(struct lumen_fqueue *q, int cap);
/* The queue must be empty (every frame taken back by its owner). */
void lumen_fqueue_destroy(struct lumen_fqueue *q);

/* 0, or -ENOSPC (full) / -EPIPE (closed): the caller keeps @f. */
int lumen_fqueue_push(struct lumen_fqueue *q, struct lumen_frame *f);
/* 0 with *@out, -ETIMEDOUT, or -EPIPE when closed and empty.
 * @timeout_ms < 0 waits for ever. */
int lumen_fqueue_pop(struct lumen_fqueue *q, struct lumen_frame **out,
		     int timeout_ms);
/* Takes one frame without waiting, even after close: 0 or -EAGAIN. */
int lumen_fqueue_try_pop(struct lumen_fqueue *q, struct lumen_frame **out);
void lumen_fqueue_close(struct lumen_fqueue *q);
/* Reopens a closed, empty queue for a restart. */
void lumen_fqueue_reopen(struct lumen_fqueue *q);
int lumen_fqueue_depth(struct lumen_fqueue *q);
void lumen_fqueue_read_counters(struct lumen_fqueue *q,
				struct lumen_fqueue_counters *out);

#endif

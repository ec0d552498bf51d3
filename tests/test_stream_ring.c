// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stream ring: publish/acquire/release order, several consumers on one AU,
 * explicit requeue, reclaim of unread AUs, drop when every buffer is held
 * (the producer never waits), too-large AUs, double release, join at the
 * newest keyframe, waiting with a timeout, wake-up on close and from
 * another thread; the state counts add up to N after every step.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "encode/stream_ring.h"

#define N 4

static void assert_counts(struct lumen_stream_ring *r, int f, int fi, int h)
{
	struct lumen_stream_counters c;

	lumen_stream_read_counters(r, &c);
	assert_int_equal(c.free_now, f);
	assert_int_equal(c.filled_now, fi);
	assert_int_equal(c.held_now, h);
	assert_int_equal(c.free_now + c.filled_now + c.held_now, N);
}

/* Publishes one AU whose first byte is @tag. */
static struct lumen_stream_buf *produce(struct lumen_stream_ring *r,
					uint8_t tag, bool key)
{
	struct lumen_stream_buf *b = lumen_stream_dequeue(r);

	if (!b)
		return NULL;
	assert_int_equal(b->len, 0);
	b->data[0] = tag;
	b->len = 1;
	b->keyframe = key;
	b->frame_sequence = tag;
	assert_int_equal(lumen_stream_queue(r, b), 0);
	return b;
}

static void test_order_and_requeue(void **state)
{
	struct lumen_stream_ring r;
	struct lumen_stream_buf *b, *b2;
	uint64_t next = 0, next2 = 0;

	(void)state;
	assert_int_equal(lumen_stream_ring_init(&r, N, 100), 0);
	assert_counts(&r, N, 0, 0);
	assert_int_equal(lumen_stream_acquire(&r, &next, 0, &b), -EAGAIN);
	assert_null(b);
	produce(&r, 1, true);
	produce(&r, 2, false);
	assert_counts(&r, N - 2, 2, 0);

	assert_int_equal(lumen_stream_acquire(&r, &next, 0, &b), 0);
	assert_int_equal(b->data[0], 1);
	assert_int_equal(b->sequence, 1);
	assert_int_equal(next, 2);
	/* a second consumer holds the same AU: refs 2 */
	assert_int_equal(lumen_stream_acquire(&r, &next2, 0, &b2), 0);
	assert_ptr_equal(b, b2);
	assert_int_equal(b->refs, 2);
	assert_counts(&r, N - 2, 1, 1);
	assert_int_equal(lumen_stream_release(&r, b), 0);
	assert_counts(&r, N - 2, 1, 1);
	assert_int_equal(lumen_stream_release(&r, b2), 0);
	assert_counts(&r, N - 2, 2, 0);
	assert_int_equal(lumen_stream_release(&r, b2), -EINVAL);	/* double */

	assert_int_equal(lumen_stream_acquire(&r, &next, 0, &b), 0);
	assert_int_equal(b->data[0], 2);
	assert_int_equal(lumen_stream_release(&r, b), 0);
	assert_int_equal(lumen_stream_acquire(&r, &next, 0, &b), -EAGAIN);
	lumen_stream_ring_destroy(&r);
}

static void test_slow_consumer_never_blocks(void **state)
{
	struct lumen_stream_ring r;
	struct lumen_stream_buf *held[N], *b;
	struct lumen_stream_counters c;
	uint64_t next = 0;

	(void)state;
	assert_int_equal(lumen_stream_ring_init(&r, N, 100), 0);
	/* unread AUs are reclaimed oldest first: 6 published into 4 slots */
	for (int i = 1; i <= 6; i++)
		assert_non_null(produce(&r, (uint8_t)i, i == 1));
	lumen_stream_read_counters(&r, &c);
	assert_int_equal(c.overwritten, 2);
	assert_counts(&r, 0, N, 0);
	/* the consumer asked from 1 and gets 3: it sees the gap */
	assert_int_equal(lumen_stream_acquire(&r, &next, 0, &b), 0);
	assert_int_equal(b->sequence, 3);
	assert_int_equal(b->data[0], 3);
	held[0] = b;
	for (int i = 1; i < N; i++)
		assert_int_equal(lumen_stream_acquire(&r, &next, 0, &held[i]), 0);
	assert_counts(&r, 0, 0, N);
	/* every buffer held: the producer gets NULL at once, counted */
	assert_null(lumen_stream_dequeue(&r));
	assert_null(lumen_stream_dequeue(&r));
	lumen_stream_read_counters(&r, &c);
	assert_int_equal(c.dropped, 2);
	assert_int_equal(c.queued, 6);
	/* requeue one: the producer can go on, in that very buffer */
	assert_int_equal(lumen_stream_release(&r, held[1]), 0);
	b = produce(&r, 7, false);
	assert_ptr_equal(b, held[1]);
	assert_int_equal(b->sequence, 7);
	for (int i = 0; i < N; i++)
		if (i != 1)
			assert_int_equal(lumen_stream_release(&r, held[i]), 0);
	assert_counts(&r, 0, N, 0);
	lumen_stream_ring_destroy(&r);
}

static void test_too_large_and_cancel(void **state)
{
	struct lumen_stream_ring r;
	struct lumen_stream_buf *b;
	struct lumen_stream_counters c;
	uint64_t next = 0;

	(void)state;
	assert_int_equal(lumen_stream_ring_init(&r, N, 100), 0);
	b = lumen_stream_dequeue(&r);
	assert_int_equal(b->capacity, 100);
	b->len = 101;
	assert_int_equal(lumen_stream_queue(&r, b), -EMSGSIZE);
	assert_counts(&r, N, 0, 0);
	b = lumen_stream_dequeue(&r);
	assert_int_equal(lumen_stream_cancel(&r, b, -EMSGSIZE), 0);
	b = lumen_stream_dequeue(&r);
	assert_int_equal(lumen_stream_cancel(&r, b, -EIO), 0);
	assert_int_equal(lumen_stream_cancel(&r, b, -EIO), -EINVAL);
	assert_int_equal(lumen_stream_queue(&r, b), -EINVAL);	/* not dequeued */
	lumen_stream_read_counters(&r, &c);
	assert_int_equal(c.too_large, 2);
	assert_int_equal(c.cancelled, 1);
	assert_int_equal(c.queued, 0);
	assert_int_equal(lumen_stream_acquire(&r, &next, 0, &b), -EAGAIN);
	/* not a buffer of this ring */
	{
		struct lumen_stream_buf other = { 0 };

		assert_int_equal(lumen_stream_release(&r, &other), -EINVAL);
		assert_int_equal(lumen_stream_queue(&r, &other), -EINVAL);
	}
	lumen_stream_ring_destroy(&r);
	assert_int_equal(lumen_stream_ring_init(&r, 0, 100), -EINVAL);
	assert_int_equal(lumen_stream_ring_init(&r, 4, 0), -EINVAL);
}

static void test_join_at_keyframe(void **state)
{
	struct lumen_stream_ring r;
	struct lumen_stream_buf *b;
	uint64_t next;

	(void)state;
	assert_int_equal(lumen_stream_ring_init(&r, N, 16), 0);
	assert_int_equal(lumen_stream_join_sequence(&r), 1);
	produce(&r, 1, true);
	produce(&r, 2, false);
	produce(&r, 3, true);
	produce(&r, 4, false);
	next = lumen_stream_join_sequence(&r);
	assert_int_equal(next, 3);
	assert_int_equal(lumen_stream_acquire(&r, &next, 0, &b), 0);
	assert_true(b->keyframe);
	assert_int_equal(b->data[0], 3);
	assert_int_equal(lumen_stream_release(&r, b), 0);
	lumen_stream_ring_destroy(&r);
}

struct waiter {
	struct lumen_stream_ring *r;
	uint64_t from;
	int result;
	uint8_t tag;
};

static void *wait_one(void *arg)
{
	struct waiter *w = arg;
	struct lumen_stream_buf *b;
	uint64_t next = w->from;

	w->result = lumen_stream_acquire(w->r, &next, 5000, &b);
	if (!w->result) {
		w->tag = b->data[0];
		lumen_stream_release(w->r, b);
	}
	return NULL;
}

static void test_wait(void **state)
{
	struct lumen_stream_ring r;
	struct lumen_stream_buf *b;
	struct lumen_stream_counters c;
	struct waiter w = { 0 };
	struct timespec t0, t1, nap = { 0, 50 * 1000000L };
	pthread_t th;
	uint64_t next = 1;
	double ms;

	(void)state;
	assert_int_equal(lumen_stream_ring_init(&r, N, 16), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(lumen_stream_acquire(&r, &next, 30, &b), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) * 1e-6;
	assert_true(ms >= 25);
	lumen_stream_read_counters(&r, &c);
	assert_int_equal(c.timeouts, 1);

	/* a consumer waiting in another thread is woken by the publish */
	w.r = &r;
	w.from = 1;
	assert_int_equal(pthread_create(&th, NULL, wait_one, &w), 0);
	nanosleep(&nap, NULL);
	produce(&r, 9, true);
	pthread_join(th, NULL);
	assert_int_equal(w.result, 0);
	assert_int_equal(w.tag, 9);

	/* and by close, with -EPIPE, also for later waits */
	w.from = 100;
	assert_int_equal(pthread_create(&th, NULL, wait_one, &w), 0);
	nanosleep(&nap, NULL);
	lumen_stream_ring_close(&r);
	pthread_join(th, NULL);
	assert_int_equal(w.result, -EPIPE);
	next = 100;
	assert_int_equal(lumen_stream_acquire(&r, &next, -1, &b), -EPIPE);
	next = 1;	/* what is published can still be read */
	assert_int_equal(lumen_stream_acquire(&r, &next, -1, &b), 0);
	assert_int_equal(lumen_stream_release(&r, b), 0);
	assert_counts(&r, N - 1, 1, 0);
	lumen_stream_ring_destroy(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_requeue),
		cmocka_unit_test(test_slow_consumer_never_blocks),
		cmocka_unit_test(test_too_large_and_cancel),
		cmocka_unit_test(test_join_at_keyframe),
		cmocka_unit_test(test_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

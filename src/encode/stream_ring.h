/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stream ring: a fixed set of N encoded-frame (access unit) buffers between
 * one encoder and any number of consumers (RTSP clients, recorder, MJPEG),
 * with explicit requeue as hardware encoders work.
 *
 * Producer (the encoder thread):
 *   buf = lumen_stream_dequeue(ring)   a free buffer, or NULL: never waits
 *   ... write up to buf->capacity bytes, set len/pts/keyframe/... ...
 *   lumen_stream_queue(ring, buf)      publish it (gets the next sequence)
 *   lumen_stream_cancel(ring, buf, e)  or give it back unpublished
 * Consumers (any thread):
 *   lumen_stream_acquire(ring, &next, timeout_ms, &buf)  next AU, held
 *   ... read buf->data[0..len) ...
 *   lumen_stream_release(ring, buf)    explicit requeue, when done
 *
 * States: FREE; FILLED (published, no holder); HELD (being written by the
 * producer, or published and acquired by >= 1 consumer, counted by refs).
 * free + filled + held == N after every call (asserted in debug builds).
 *
 * Slow consumers never block the encoder. dequeue takes, in order: a FREE
 * buffer; else the oldest FILLED one (an AU no consumer holds right now:
 * consumers that had not read it yet see a gap in sequence numbers, counted
 * as overwritten); else nothing: every buffer is held, the producer must
 * drop the frame before encoding it (counted as dropped), so the encoded
 * stream itself stays valid. A consumer that sees a gap (buf->sequence !=
 * the next it asked for) must wait for the next keyframe before decoding.
 * An AU larger than the capacity is cancelled with -EMSGSIZE and counted
 * as too_large: an error, not a crash.
 */
#ifndef LUMEN_ENCODE_STREAM_RING_H
#define LUMEN_ENCODE_STREAM_RING_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lumen_stream_state {
	LUMEN_STREAM_FREE = 0,
	LUMEN_STREAM_FILLED,
	LUMEN_STREAM_HELD,
};

struct lumen_stream_buf {
	/* set by the producer between dequeue and queue */
	uint8_t *data;
	size_t len;
	size_t capacity;	/* bytes at data; fixed at ring init */
	int64_t pts;		/* presentation time, 1/90000 s */
	int64_t capture_ns;	/* CLOCK_MONOTONIC of the source frame */
	uint64_t frame_sequence;	/* sequence of the source frame */
	bool keyframe;		/* IDR (with SPS/PPS) or a JPEG */

	/* owned by the ring: read-only for everyone else */
	uint64_t sequence;	/* AU number, gapless per ring from 1 */
	int index;
	int refs;		/* consumers holding it */
	bool writing;		/* HELD by the producer */
	enum lumen_stream_state state;
};

struct lumen_stream_counters {
	uint64_t queued;	/* AUs published */
	uint64_t bytes;		/* payload bytes published */
	uint64_t keyframes;
	uint64_t dropped;	/* dequeue found every buffer held */
	uint64_t overwritten;	/* unread AUs reclaimed for a new one */
	uint64_t too_large;	/* cancelled with -EMSGSIZE */
	uint64_t cancelled;	/* every other cancel (encoder error, no output) */
	uint64_t acquired, released;
	uint64_t timeouts;	/* acquire waited and nothing came */
	int free_now, filled_now, held_now;
};

struct lumen_stream_ring {
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* signalled on queue and on close */
	struct lumen_stream_buf *bufs;
	uint8_t *memory;
	int count;
	uint64_t next_sequence;
	bool closed;
	struct lumen_stream_counters ctr;
};

/*
 * Allocates @count (1..256) buffers of @capacity bytes (> 0) each, once.
 * Returns 0 or -EINVAL / -ENOMEM / -EAGAIN; on error the ring is zeroed
 * and needs no destroy.
 */
int lumen_stream_ring_init(struct lumen_stream_ring *ring, int count,
			   size_t capacity);
/* Frees everything; no thread may use the ring any more. */
void lumen_stream_ring_destroy(struct lumen_stream_ring *ring);

/* Wakes every waiting consumer with -EPIPE, now and for later acquires
 * that would wait; producer calls are unaffected. For shutdown. */
void lumen_stream_ring_close(struct lumen_stream_ring *ring);

/* Producer: a writable buffer (len 0, metadata cleared) or NULL. */
struct lumen_stream_buf *lumen_stream_dequeue(struct lumen_stream_ring *ring);
/* Producer: publishes @buf and wakes consumers. -EINVAL if @buf is not this
 * ring's buffer being written, or len > capacity (then it is cancelled). */
int lumen_stream_queue(struct lumen_stream_ring *ring,
		       struct lumen_stream_buf *buf);
/* Producer: gives back a buffer unpublished; @reason -EMSGSIZE counts as
 * too_large, anything else as cancelled. */
int lumen_stream_cancel(struct lumen_stream_ring *ring,
			struct lumen_stream_buf *buf, int reason);

/*
 * Consumer: the published AU with the smallest sequence >= *next_seq,
 * held (refs + 1) until lumen_stream_release(). Waits up to @timeout_ms
 * (0: no wait, < 0: forever) for one to be published. On success *next_seq
 * becomes its sequence + 1. Returns 0, -ETIMEDOUT (or -EAGAIN for 0), or
 * -EPIPE once the ring is closed.
 */
int lumen_stream_acquire(struct lumen_stream_ring *ring, uint64_t *next_seq,
			 int timeout_ms, struct lumen_stream_buf **out);
/* Consumer: explicit requeue of an acquired buffer. -EINVAL if it is not
 * held by a consumer (a double release is a bug and is refused). */
int lumen_stream_release(struct lumen_stream_ring *ring,
			 struct lumen_stream_buf *buf);

/* Where a new consumer starts: the sequence of the newest published
 * keyframe still in the ring, else the next one to be published. */
uint64_t lumen_stream_join_sequence(struct lumen_stream_ring *ring);

void lumen_stream_read_counters(struct lumen_stream_ring *ring,
				struct lumen_stream_counters *out);

#endif

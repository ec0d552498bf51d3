// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/pool.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void check_invariant(const struct lumen_pool *pool)
{
#ifndef NDEBUG
	int outstanding = 0;

	for (int i = 0; i < pool->count; i++)
		outstanding += pool->frames[i].owner == NULL;
	assert(pool->nfree >= 0 && pool->nfree <= pool->count);
	assert(pool->nfree + outstanding == pool->count);
#else
	(void)pool;
#endif
}

int lumen_pool_init(struct lumen_pool *pool, int count, enum lumen_pixfmt fmt,
		    int width, int height)
{
	struct lumen_frame proto;
	long long size;
	size_t slot;
	int err = -ENOMEM;

	memset(pool, 0, sizeof(*pool));
	if (count <= 0 || count > 1024)
		return -EINVAL;
	size = lumen_frame_layout(&proto, fmt, width, height, 64);
	if (size < 0)
		return (int)size;
	slot = ((size_t)size + 63) & ~(size_t)63;

	pool->frames = calloc((size_t)count, sizeof(*pool->frames));
	if (!pool->frames)
		goto fail;
	pool->free_stack = calloc((size_t)count, sizeof(int));
	if (!pool->free_stack)
		goto free_frames;
	pool->memory = aligned_alloc(64, slot * (size_t)count);
	if (!pool->memory)
		goto free_stack;
	if (pthread_mutex_init(&pool->lock, NULL)) {
		err = -EAGAIN;
		goto free_memory;
	}
	for (int i = 0; i < count; i++) {
		pool->frames[i] = proto;
		lumen_frame_attach(&pool->frames[i],
				   (uint8_t *)pool->memory + slot * (size_t)i);
		pool->frames[i].owner = pool;	/* owner set == free */
		pool->frames[i].index = i;
		pool->free_stack[i] = count - 1 - i;
	}
	pool->count = pool->nfree = count;
	pool->ctr.free_now = pool->ctr.low_water = count;
	return 0;

free_memory:
	free(pool->memory);
free_stack:
	free(pool->free_stack);
free_frames:
	free(pool->frames);
fail:
	memset(pool, 0, sizeof(*pool));
	return err;
}

void lumen_pool_destroy(struct lumen_pool *pool)
{
	if (!pool->frames)
		return;
	pthread_mutex_destroy(&pool->lock);
	free(pool->memory);
	free(pool->free_stack);
	free(pool->frames);
	memset(pool, 0, sizeof(*pool));
}

struct lumen_frame *lumen_pool_get(struct lumen_pool *pool)
{
	struct lumen_frame *f = NULL;

	pthread_mutex_lock(&pool->lock);
	if (pool->nfree > 0) {
		f = &pool->frames[pool->free_stack[--pool->nfree]];
		f->owner = NULL;	/* taken: the holder owns it now */
		f->sequence = 0;
		f->timestamp_ns = 0;
		pool->ctr.gets++;
		if (pool->nfree < pool->ctr.low_water)
			pool->ctr.low_water = pool->nfree;
	} else {
		pool->ctr.exhausted++;
	}
	pool->ctr.free_now = pool->nfree;
	check_invariant(pool);
	pthread_mutex_unlock(&pool->lock);
	return f;
}

int lumen_pool_put(struct lumen_pool *pool, struct lumen_frame *frame)
{
	int err = 0;

	if (!frame || frame < pool->frames || frame >= pool->frames + pool->count)
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	if (frame->owner) {
		err = -EINVAL;
		goto unlock;
	}
	frame->owner = pool;
	pool->free_stack[pool->nfree++] = frame->index;
	pool->ctr.puts++;
	pool->ctr.free_now = pool->nfree;
	check_invariant(pool);
unlock:
	pthread_mutex_unlock(&pool->lock);
	return err;
}

void lumen_pool_read_counters(struct lumen_pool *pool,
			      struct lumen_pool_counters *out)
{
	pthread_mutex_lock(&pool->lock);
	*out = pool->ctr;
	pthread_mutex_unlock(&pool->lock);
}

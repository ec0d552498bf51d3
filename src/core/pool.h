/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fixed frame pools: every buffer a pipeline touches is allocated once, at
 * start, by lumen_pool_init(); nothing is allocated per frame.
 *
 * Threading: get/put may be called from any thread (one mutex). The
 * invariant free + outstanding == count holds after every call and is
 * asserted in debug builds.
 */
#ifndef LUMEN_CORE_POOL_H
#define LUMEN_CORE_POOL_H

#include <pthread.h>
#include <stdint.h>

#include "core/frame.h"

struct lumen_pool_counters {
	uint64_t gets;		/* successful lumen_pool_get() */
	uint64_t puts;
	uint64_t exhausted;	/* lumen_pool_get() found no free frame */
	int free_now;
	int low_water;		/* fewest free frames ever seen */
};

struct lumen_pool {
	pthread_mutex_t lock;
	struct lumen_frame *frames;
	int *free_stack;
	int count, nfree;
	void *memory;
	struct lumen_pool_counters ctr;
};

/*
 * Allocates @count frames of one format and size. Returns 0 or -EINVAL /
 * -ENOMEM; on error the pool is left zeroed and needs no destroy.
 */
int lumen_pool_init(struct lumen_pool *pool, int count, enum lumen_pixfmt fmt,
		    int width, int height);
void lumen_pool_destroy(struct lumen_pool *pool);

/* A free frame, or NULL (counted as exhausted) when all are out. */
struct lumen_frame *lumen_pool_get(struct lumen_pool *pool);

/* Returns a frame taken from this pool; -EINVAL if it is not one, or is
 * already free (a double put is a bug in the caller and is refused). */
int lumen_pool_put(struct lumen_pool *pool, struct lumen_frame *frame);

void lumen_pool_read_counters(struct lumen_pool *pool,
			      struct lumen_pool_counters *out);

#endif

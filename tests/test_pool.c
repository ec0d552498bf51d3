// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/pool.h"

static void pool_hands_out_each_frame_once(void **state)
{
	struct lumen_pool pool;
	struct lumen_frame *f[4];
	struct lumen_pool_counters c;

	(void)state;
	assert_int_equal(lumen_pool_init(&pool, 4, LUMEN_PIX_NV12, 64, 32), 0);
	for (int i = 0; i < 4; i++) {
		f[i] = lumen_pool_get(&pool);
		assert_non_null(f[i]);
		assert_non_null(f[i]->data[1]);
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(f[i]->data[0], f[j]->data[0]);
	}
	assert_null(lumen_pool_get(&pool));
	assert_int_equal(lumen_pool_put(&pool, f[2]), 0);
	assert_int_equal(lumen_pool_put(&pool, f[2]), -EINVAL);	/* double put */
	assert_ptr_equal(lumen_pool_get(&pool), f[2]);
	for (int i = 0; i < 4; i++)
		assert_int_equal(lumen_pool_put(&pool, f[i]), 0);
	lumen_pool_read_counters(&pool, &c);
	assert_int_equal(c.gets, 5);
	assert_int_equal(c.puts, 5);
	assert_int_equal(c.exhausted, 1);
	assert_int_equal(c.low_water, 0);
	assert_int_equal(c.free_now, 4);
	lumen_pool_destroy(&pool);
}

static void pool_refuses_foreign_frames_and_bad_sizes(void **state)
{
	struct lumen_pool pool;
	struct lumen_frame other;

	(void)state;
	assert_int_equal(lumen_pool_init(&pool, 0, LUMEN_PIX_NV12, 64, 32), -EINVAL);
	assert_int_equal(lumen_pool_init(&pool, 2, LUMEN_PIX_NV12, 63, 32), -EINVAL);
	assert_int_equal(lumen_pool_init(&pool, 2, LUMEN_PIX_RGB24, 8, 8), 0);
	assert_int_equal(lumen_pool_put(&pool, &other), -EINVAL);
	lumen_pool_destroy(&pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pool_hands_out_each_frame_once),
		cmocka_unit_test(pool_refuses_foreign_frames_and_bad_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

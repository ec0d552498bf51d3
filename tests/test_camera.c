// SPDX-License-Identifier: GPL-2.0-or-later
/* The camera layer (src/camera/): the backend comes from the board file
 * unless overridden, the tuning from the board's sensor, and what the user
 * asked wrongly is -EINVAL with a message that says what. No device: the
 * V4L2 cases are the ones refused before any is opened. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "camera/camera.h"

static void virtual_board(void **state)
{
	struct lumen_camera_config cc = { .board = "imou-bullet3" };
	struct lumen_pipeline_config pc = { 0 };
	struct lumen_camera *cam = NULL;
	char err[512] = "";

	(void)state;
	unsetenv("LUMEN_BOARD_DIR");
	assert_int_equal(lumen_camera_open(&cc, &cam, err, sizeof(err)), 0);
	assert_int_equal(cam->backend, LUMEN_CAMERA_VIRTUAL);
	assert_true(cam->has_board);
	assert_string_equal(lumen_camera_name(cam), "imou-bullet3");
	assert_true(cam->has_tuning);		/* sc4336p's tuning file */
	assert_non_null(cam->src);
	assert_string_equal(cam->src->ops->name, "virtual");
	lumen_camera_pipeline_config(cam, true, NULL, &pc);
	assert_ptr_equal(pc.source, cam->src);
	assert_int_equal(pc.out_fmt, LUMEN_PIX_NV12);
	assert_true(pc.drop_stale);
	assert_non_null(cam->ctl);		/* 3A hooked in */
	assert_ptr_equal(pc.control_opaque, cam->ctl);
	assert_true(pc.isp.stats);		/* the tuning's parameters */
	lumen_camera_close(cam);
}

static void refused(void **state)
{
	struct lumen_camera *cam = NULL;
	char err[512];
	struct {
		struct lumen_camera_config cc;
		int ret;
		const char *want;
	} cases[] = {
		{ { .board = "no-such-board" }, -EINVAL, "no no-such-board.yaml" },
		{ { .backend = LUMEN_CAMERA_VIRTUAL }, -EINVAL, "needs a board file" },
		{ { .backend = LUMEN_CAMERA_V4L2, .faults = 1 }, -EINVAL,
		  "faults are for the virtual board" },
		{ { .board = "imou-bullet3", .backend = LUMEN_CAMERA_V4L2, .faults = 2 },
		  -EINVAL, "faults are for the virtual board" },
	};

	(void)state;
	unsetenv("LUMEN_BOARD_DIR");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = 0;
		assert_int_equal(lumen_camera_open(&cases[i].cc, &cam, err, sizeof(err)),
				 cases[i].ret);
		if (!strstr(err, cases[i].want))
			fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(virtual_board),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

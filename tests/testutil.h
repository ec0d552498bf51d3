/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the unit tests. Tests that need ../shared/data call
 * lumen_test_data() and skip (exit 77, the automake/meson convention) with a
 * message when it is absent; LUMEN_DATA overrides where it is looked for.
 */
#ifndef LUMEN_TESTS_TESTUTIL_H
#define LUMEN_TESTS_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define LUMEN_TEST_SKIP 77

static inline const char *lumen_test_data_dir(void)
{
	const char *d = getenv("LUMEN_DATA");

	if (!d || !*d)
		d = getenv("LUMEN_DATA_DEFAULT");
	return d && *d ? d : "../shared/data";
}

/* Full path of @rel under the data dir, or NULL (and a skip message) when
 * the file is absent. The string is static: copy it before the next call. */
static inline const char *lumen_test_data(const char *rel)
{
	static char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", lumen_test_data_dir(), rel);
	if (stat(path, &st) != 0) {
		fprintf(stderr, "SKIP: test data %s not found (set LUMEN_DATA to "
			"the shared data folder)\n", path);
		return NULL;
	}
	return path;
}

/* Deterministic generator for hostile inputs (xorshift32). */
static inline unsigned lumen_test_rand(unsigned *state)
{
	unsigned x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

#endif

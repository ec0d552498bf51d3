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

/*
 * Whether the test runs under emulation (qemu-user: tests/meson.build sets
 * LUMEN_TEST_EMULATED in cross builds), where float-heavy kernels run 50 to
 * 200 times slower. Such tests may then run a covering subset of a cross
 * product (every size, every CFA order, every input kind, but not every
 * combination); the native and sanitizer runs keep the whole product, and
 * the assertions are the same.
 */
static inline int lumen_test_emulated(void)
{
	const char *e = getenv("LUMEN_TEST_EMULATED");

	return e && *e && *e != '0';
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

/*
 * Runs a cmocka group, or the part of it that the environment selects:
 * LUMEN_TEST_ONLY=GLOB[,GLOB...] runs the tests whose names match one of the
 * globs (fnmatch), LUMEN_TEST_SKIP=GLOB[,GLOB...] leaves the matching ones
 * out. tests/meson.build runs the cases of one long executable as several
 * meson tests side by side this way, the last part skipping what the others
 * run, so that no case drops out of a split. A glob of LUMEN_TEST_ONLY that
 * matches no test is an error (exit 1): a renamed case cannot silently stop
 * running. Use in main() in place of cmocka_run_group_tests().
 */
#ifdef CMOCKA_H_
#include <fnmatch.h>
#include <string.h>

#define lumen_test_run_group(tests, setup, teardown)                          \
	lumen_test_run_selected(#tests, tests, sizeof(tests) / sizeof((tests)[0]), \
				setup, teardown)

/* Copies the glob of the comma-separated @list at @p to @glob; returns
 * where the next one starts. */
static inline const char *lumen_test_glob(const char *p, char glob[128])
{
	size_t len = strcspn(p, ",");

	snprintf(glob, 128, "%.*s", (int)len, p);
	return p + len + (p[len] == ',');
}

/* Whether @name matches one glob of the comma-separated @list. */
static inline int lumen_test_listed(const char *list, const char *name)
{
	char glob[128];

	for (const char *p = list; *p;) {
		p = lumen_test_glob(p, glob);
		if (fnmatch(glob, name, 0) == 0)
			return 1;
	}
	return 0;
}

static inline int lumen_test_run_selected(const char *group,
					  const struct CMUnitTest *tests, size_t n,
					  CMFixtureFunction setup,
					  CMFixtureFunction teardown)
{
	const char *only = getenv("LUMEN_TEST_ONLY");
	const char *skip = getenv("LUMEN_TEST_SKIP");
	struct CMUnitTest *run;
	char glob[128];
	size_t m = 0;
	int ret;

	for (const char *p = only ? only : ""; *p;) {
		size_t hits = 0;

		p = lumen_test_glob(p, glob);
		for (size_t i = 0; i < n; i++)
			hits += fnmatch(glob, tests[i].name, 0) == 0;
		if (!hits) {
			fprintf(stderr, "LUMEN_TEST_ONLY: '%s' matches no test of %s\n",
				glob, group);
			return 1;
		}
	}
	run = calloc(n ? n : 1, sizeof(*run));
	if (!run)
		return 1;
	for (size_t i = 0; i < n; i++)
		if ((!only || !*only || lumen_test_listed(only, tests[i].name)) &&
		    (!skip || !lumen_test_listed(skip, tests[i].name)))
			run[m++] = tests[i];
	ret = _cmocka_run_group_tests(group, run, m, setup, teardown);
	free(run);
	return ret;
}
#endif

#endif

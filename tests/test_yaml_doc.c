// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The YAML reader (src/core/yaml_doc.h): its limits refuse hostile input
 * quickly, repeated keys are caught with the right line, and every typed
 * getter names the file, line and key of a bad value.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/yaml_doc.h"

static char err[512];

/* Loads @text, expects failure @ret with @want in the message. */
static void expect_refused(const char *text, size_t len, int ret, const char *want)
{
	struct lumen_yaml y;

	err[0] = 0;
	assert_int_equal(lumen_yaml_load_buffer(&y, "t.yaml", text, len, err,
						sizeof(err)), ret);
	if (!strstr(err, want))
		fail_msg("message '%s' lacks '%s'", err, want);
	assert_null(lumen_yaml_root(&y));
	lumen_yaml_free(&y);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* A billion laughs: ten levels of ten aliases of the level below. Before
 * the reader, tuning, config and kb took it (libyaml shares the nodes, and
 * a walker that follows them goes 10^9 deep). */
static void alias_bomb_refused(void **state)
{
	char text[4096];
	int n;

	(void)state;
	n = snprintf(text, sizeof(text), "a0: &a0 [lol, lol, lol, lol, lol]\n");
	for (int i = 1; i < 10; i++) {
		n += snprintf(text + n, sizeof(text) - (size_t)n, "a%d: &a%d [", i, i);
		for (int j = 0; j < 10; j++)
			n += snprintf(text + n, sizeof(text) - (size_t)n, "%s*a%d",
				      j ? ", " : "", i - 1);
		n += snprintf(text + n, sizeof(text) - (size_t)n, "]\n");
	}
	expect_refused(text, (size_t)n, -EINVAL,
		       "t.yaml:2: key 'a1[0]': alias *a0 names a list or mapping");
	/* an alias of a mapping, too */
	expect_refused("v: &v {fps: 25}\nw: *v\n", 21, -EINVAL,
		       "t.yaml:2: key 'w': alias *v names a list or mapping");
	/* an alias with no anchor before it */
	expect_refused("a: *nope\n", 9, -EINVAL, "t.yaml:1: key 'a': alias *nope: no such anchor");
}

/* Anchors are bounded: libyaml's loader would look each up linearly (an
 * 860 KiB file of 40000 anchors took 8-12 s in config, tuning and kb). */
static void anchor_flood_refused(void **state)
{
	char *text = malloc(1 << 20);
	size_t n = 0;
	double t0;

	(void)state;
	assert_non_null(text);
	n += (size_t)sprintf(text, "x:\n");
	for (int i = 0; i < 40000; i++)
		n += (size_t)sprintf(text + n, "- &a%d 1\n", i);
	t0 = now();
	expect_refused(text, n, -EINVAL, "t.yaml:66: key 'x[64]': more than 64 anchors");
	assert_true(now() - t0 < 1.0);
	free(text);
}

/* Aliases of single values are fine (fast-openISP configs use them) and
 * link the anchored node. */
static void scalar_alias_allowed(void **state)
{
	static const char text[] = "a:\n  gain: &g 1860\nb:\n  gain: *g\n";
	struct lumen_yaml y;
	long long v = 0;

	(void)state;
	assert_int_equal(lumen_yaml_load_buffer(&y, "t.yaml", text, sizeof(text) - 1,
						err, sizeof(err)), 0);
	assert_int_equal(lumen_yaml_int(&y, lumen_yaml_get(&y, lumen_yaml_get(&y,
			 lumen_yaml_root(&y), "b"), "gain"), "b.gain", 0, 9999, &v), 0);
	assert_int_equal(v, 1860);
	lumen_yaml_free(&y);
}

/* 100 KiB of '[' took libyaml 28-50 s before (kb, tuning, config had no
 * guard); the reader stops at the 33rd level. Block nesting counts too. */
static void depth_bomb_refused(void **state)
{
	char *text = malloc(102400);
	size_t n = 0;
	double t0;

	(void)state;
	assert_non_null(text);
	memset(text, '[', 102400);
	t0 = now();
	expect_refused(text, 102400, -EINVAL, "t.yaml:1: nested deeper than 32 levels");
	assert_true(now() - t0 < 1.0);
	for (int i = 0; i < 40; i++)
		n += (size_t)sprintf(text + n, "%*sk%d:\n", 2 * i, "", i);
	expect_refused(text, n, -EINVAL, "t.yaml:33: nested deeper than 32 levels");
	/* 32 levels are fine */
	{
		struct lumen_yaml y;

		n = 0;
		for (int i = 0; i < 31; i++)
			n += (size_t)sprintf(text + n, "%*sk%d:\n", 2 * i, "", i);
		n += (size_t)sprintf(text + n, "%*s[1]\n", 62, "");
		assert_int_equal(lumen_yaml_load_buffer(&y, "t.yaml", text, n, err,
							sizeof(err)), 0);
		lumen_yaml_free(&y);
	}
	free(text);
}

static void oversize_refused(void **state)
{
	size_t len = LUMEN_YAML_FILE_MAX + 1;
	char *text = malloc(len);
	char path[] = "/tmp/lumen_yaml_XXXXXX";
	struct lumen_yaml y;
	FILE *fp;
	int fd;

	(void)state;
	assert_non_null(text);
	memset(text, '#', len);
	expect_refused(text, len, -EFBIG, "t.yaml: larger than 1024 KiB");
	/* a file: refused before it is read, so 1 byte over costs no more */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "wb");
	assert_int_equal(fwrite(text, 1, len, fp), len);
	fclose(fp);
	assert_int_equal(lumen_yaml_load_file(&y, path, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "larger than 1024 KiB"));
	unlink(path);
	assert_int_equal(lumen_yaml_load_file(&y, path, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "No such file"));
	/* too many nodes: 70000 items in 140 KiB */
	text[0] = '[';
	for (int i = 0; i < 70000; i++)
		memcpy(text + 1 + 2 * i, "1,", 2);
	expect_refused(text, 140001, -EINVAL, "t.yaml:1: more than 65536 YAML nodes");
	/* one long value */
	memcpy(text, "k: ", 3);
	memset(text + 3, 'a', LUMEN_YAML_SCALAR_MAX + 1);
	expect_refused(text, LUMEN_YAML_SCALAR_MAX + 4, -EINVAL,
		       "t.yaml:1: key 'k': value longer than 4096 bytes");
	free(text);
	expect_refused("a: 1\nb: \0\n", 10, -EINVAL, "t.yaml:2: NUL byte");
	expect_refused("a: \"x\\0y\"\n", 10, -EINVAL, "t.yaml:1: key 'a': NUL character");
	expect_refused("a: [1\n", 6, -EINVAL, "t.yaml:2: YAML error");
	/* libyaml's mark is past the last line when there is no final newline */
	expect_refused("# c\n{wi", 7, -EINVAL, "t.yaml:2: YAML error");
	expect_refused("[1, 2]: x\n", 10, -EINVAL, "keys must be plain names");
}

/* Repeated keys are refused wherever they are, at the line of the second,
 * with the dotted path; also in mappings big enough to be sorted. */
static void duplicate_keys(void **state)
{
	char *text = malloc(65536);
	int n = 0;

	(void)state;
	assert_non_null(text);
	expect_refused("a: 1\nb: 2\na: 3\n", 15, -EINVAL, "t.yaml:3: key 'a': repeated key");
	expect_refused("s:\n  - x: 1\n  - x: 1\n    y: 2\n    x: 3\n", 38, -EINVAL,
		       "t.yaml:5: key 's[1].x': repeated key");
	n = sprintf(text, "big:\n");
	for (int i = 0; i < 1000; i++)
		n += sprintf(text + n, "  k%d: %d\n", i % 700 == 699 ? 5 : i, i);
	/* keys k0..k698, then k5 again at line 701, then k700.. */
	expect_refused(text, (size_t)n, -EINVAL, "t.yaml:701: key 'big.k5': repeated key");
	free(text);
}

/* Lines and the typed getters, each of its errors. */
static void getters(void **state)
{
	static const char text[] =
		"# comment\n"
		"n: 42\n"			/* 2 */
		"h: 0x1F\n"
		"neg: -7\n"
		"f: 2.5\n"			/* 5 */
		"b: Yes\n"
		"s: hello\n"
		"w: grey-edge\n"
		"l: [1, 2, 3]\n"
		"m:\n"				/* 10 */
		"  inner: x\n"
		"bad: twelve\n"
		"oct: 010\n"
		"huge: 99999999999999999999\n";
	static const char *const words[] = { "auto", "grey-world", "grey-edge", NULL };
	static const char *const known[] = { "inner", NULL };
	struct lumen_yaml y;
	yaml_node_t *r;
	long long v;
	double d;
	bool b;
	char s[8];
	int w;

	(void)state;
	assert_int_equal(lumen_yaml_load_buffer(&y, "g.yaml", text, sizeof(text) - 1,
						err, sizeof(err)), 0);
	r = lumen_yaml_root(&y);
	assert_int_equal(lumen_yaml_line(r), 2);
	assert_int_equal(lumen_yaml_line(lumen_yaml_get(&y, r, "inner")), 1);	/* absent */
	assert_int_equal(lumen_yaml_line(lumen_yaml_get(&y, r, "m")), 11);
	assert_int_equal(lumen_yaml_line(lumen_yaml_get(&y, r, "bad")), 12);

	assert_int_equal(lumen_yaml_int(&y, lumen_yaml_get(&y, r, "n"), "n", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(lumen_yaml_int(&y, lumen_yaml_get(&y, r, "h"), "h", 0, 100, &v), 0);
	assert_int_equal(v, 31);
	assert_int_equal(lumen_yaml_int(&y, lumen_yaml_get(&y, r, "neg"), "neg", -10, 0, &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(lumen_yaml_int(&y, lumen_yaml_get(&y, r, "n"), "n", 0, 41, &v), -EINVAL);
	assert_string_equal(err, "g.yaml:2: key 'n': 42 is out of range 0..41");
	assert_int_equal(lumen_yaml_int(&y, lumen_yaml_get(&y, r, "bad"), "bad", 0, 9, &v), -EINVAL);
	assert_string_equal(err, "g.yaml:12: key 'bad': expected an integer, got 'twelve'");
	assert_int_equal(lumen_yaml_int(&y, lumen_yaml_get(&y, r, "oct"), "oct", 0, 99, &v), -EINVAL);
	assert_string_equal(err, "g.yaml:13: key 'oct': expected an integer, got '010'");
	assert_int_equal(lumen_yaml_int(&y, lumen_yaml_get(&y, r, "huge"), "huge", 0, 9, &v), -EINVAL);
	assert_non_null(strstr(err, "g.yaml:14: key 'huge': '99999999999999999999' is out of range"));
	assert_int_equal(lumen_yaml_int(&y, lumen_yaml_get(&y, r, "l"), "l", 0, 9, &v), -EINVAL);
	assert_string_equal(err, "g.yaml:9: key 'l': expected an integer");
	assert_int_equal(v, -7);	/* untouched by the failures */

	assert_int_equal(lumen_yaml_double(&y, lumen_yaml_get(&y, r, "f"), "f", 0, 3, &d), 0);
	assert_true(d == 2.5);
	assert_int_equal(lumen_yaml_double(&y, lumen_yaml_get(&y, r, "f"), "f", 0, 1, &d), -EINVAL);
	assert_string_equal(err, "g.yaml:5: key 'f': 2.5 is out of range 0..1");
	assert_int_equal(lumen_yaml_double(&y, lumen_yaml_get(&y, r, "s"), "s", 0, 1, &d), -EINVAL);
	assert_string_equal(err, "g.yaml:7: key 's': expected a number, got 'hello'");

	assert_int_equal(lumen_yaml_bool(&y, lumen_yaml_get(&y, r, "b"), "b", &b), 0);
	assert_true(b);
	assert_int_equal(lumen_yaml_bool(&y, lumen_yaml_get(&y, r, "n"), "n", &b), -EINVAL);
	assert_string_equal(err, "g.yaml:2: key 'n': expected true or false");

	assert_int_equal(lumen_yaml_string(&y, lumen_yaml_get(&y, r, "s"), "s", s, sizeof(s)), 0);
	assert_string_equal(s, "hello");
	assert_int_equal(lumen_yaml_string(&y, lumen_yaml_get(&y, r, "s"), "s", s, 5), -EINVAL);
	assert_string_equal(err, "g.yaml:7: key 's': longer than 4 bytes");
	assert_int_equal(lumen_yaml_string(&y, lumen_yaml_get(&y, r, "m"), "m", s, 5), -EINVAL);
	assert_string_equal(err, "g.yaml:11: key 'm': expected a string");

	assert_int_equal(lumen_yaml_word(&y, lumen_yaml_get(&y, r, "w"), "w", words, &w), 0);
	assert_int_equal(w, 2);
	assert_int_equal(lumen_yaml_word(&y, lumen_yaml_get(&y, r, "s"), "s", words, &w), -EINVAL);
	assert_string_equal(err, "g.yaml:7: key 's': 'hello' is not one of auto, "
			    "grey-world, grey-edge");

	assert_int_equal(lumen_yaml_seq_len(lumen_yaml_get(&y, r, "l")), 3);
	assert_int_equal(lumen_yaml_seq_len(lumen_yaml_get(&y, r, "n")), -1);
	assert_int_equal(lumen_yaml_int(&y, lumen_yaml_item(&y, lumen_yaml_get(&y, r, "l"), 2),
					"l", 0, 9, &v), 0);
	assert_int_equal(v, 3);

	assert_int_equal(lumen_yaml_check_keys(&y, lumen_yaml_get(&y, r, "m"), "m", known), 0);
	assert_int_equal(lumen_yaml_check_keys(&y, r, NULL, known), -EINVAL);
	assert_string_equal(err, "g.yaml:2: key 'n': unknown key");
	assert_int_equal(lumen_yaml_check_keys(&y, lumen_yaml_get(&y, r, "l"), "l", known), -EINVAL);
	assert_string_equal(err, "g.yaml:9: key 'l': expected a mapping (key: value lines)");
	y.entry = "notes[3] (id 'x')";
	lumen_yaml_fail(&y, lumen_yaml_get(&y, r, "w"), "w", "why %d", 7);
	assert_string_equal(err, "g.yaml:8: notes[3] (id 'x'): key 'w': why 7");
	lumen_yaml_free(&y);
	lumen_yaml_free(&y);	/* twice is safe */
}

/* Empty documents have no root; only the first document is read; a
 * byte-order mark is skipped. */
static void documents(void **state)
{
	struct lumen_yaml y;

	(void)state;
	assert_int_equal(lumen_yaml_load_buffer(&y, "e", "# only\n", 7, err, sizeof(err)), 0);
	assert_null(lumen_yaml_root(&y));
	lumen_yaml_free(&y);
	assert_int_equal(lumen_yaml_load_buffer(&y, "e", "", 0, err, sizeof(err)), 0);
	assert_null(lumen_yaml_root(&y));
	lumen_yaml_free(&y);
	assert_int_equal(lumen_yaml_load_buffer(&y, "d", "\xef\xbb\xbf" "a: 1\n---\n[\n", 14,
						err, sizeof(err)), 0);
	assert_string_equal(lumen_yaml_text(lumen_yaml_get(&y, lumen_yaml_root(&y), "a")), "1");
	lumen_yaml_free(&y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alias_bomb_refused),
		cmocka_unit_test(anchor_flood_refused),
		cmocka_unit_test(scalar_alias_allowed),
		cmocka_unit_test(depth_bomb_refused),
		cmocka_unit_test(oversize_refused),
		cmocka_unit_test(duplicate_keys),
		cmocka_unit_test(getters),
		cmocka_unit_test(documents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* Board files: the shipped ones load; bad ones name file, line and key. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend/media.h"
#include "backend/media_plan.h"
#include "board/board.h"
#include "core/yaml_doc.h"

static char tmpdir[256];

static const char *write_file(const char *name, const char *text, size_t len)
{
	static char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	fclose(fp);
	return path;
}

static void test_shipped(void **state)
{
	struct lumen_board b;
	char err[512] = "";

	(void)state;
	unsetenv("LUMEN_BOARD_DIR");
	assert_int_equal(lumen_board_load("imou-bullet3", &b, err, sizeof(err)), 0);
	assert_string_equal(b.name, "imou-bullet3");
	assert_string_equal(b.soc, "ssc377");
	assert_string_equal(b.sensor, "sc4336p");
	assert_int_equal(b.backend, LUMEN_BACKEND_VIRTUAL);
	assert_int_equal(b.i2c_bus, 1);
	assert_int_equal(b.i2c_addr, 0x30);
	assert_int_equal(b.pad, 2);
	assert_int_equal(b.lanes, 2);
	assert_int_equal(b.mclk_hz, 27000000);
	assert_true(b.reset_gpio.present && b.reset_gpio.active_low);
	assert_int_equal(b.npre_probe, 2);
	assert_int_equal(b.pre_probe[0].reg, 0x440d);
	assert_int_equal(b.pre_probe[0].val, 0x10);
	assert_int_equal(b.pre_probe[1].reg, 0x4400);
	assert_int_equal(b.pre_probe[1].val, 0x11);
	assert_non_null(strstr(b.path, "data/boards/imou-bullet3.yaml"));

	assert_int_equal(lumen_board_load("t31-sc2336", &b, err, sizeof(err)), 0);
	assert_string_equal(b.soc, "t31");
	assert_string_equal(b.sensor, "sc2336");
	assert_int_equal(b.i2c_bus, 0);
	assert_int_equal(b.i2c_addr, 0x30);
	assert_int_equal(b.pad, 0);
	assert_int_equal(b.lanes, 2);
	assert_int_equal(b.mclk_hz, 24000000);
	assert_int_equal(b.reset_gpio.pin, 18);
	assert_false(b.pwdn_gpio.present);
	assert_int_equal(b.fps, 25);

	assert_int_equal(lumen_board_load("pinephone-pro-rear", &b, err, sizeof(err)), 0);
	assert_string_equal(b.soc, "rk3399");
	assert_string_equal(b.sensor, "imx258");
	assert_int_equal(b.i2c_bus, 1);
	assert_int_equal(b.i2c_addr, 0x1a);
	assert_int_equal(b.lanes, 4);
	assert_int_equal(b.mclk_hz, 24000000);
	assert_int_equal(b.reset_gpio.pin, 32);
	assert_true(b.reset_gpio.active_low);
	assert_int_equal(b.buffers, 4);

	/* by path too */
	assert_int_equal(lumen_board_load(LUMEN_SOURCE_ROOT "/data/boards/t31-sc2336.yaml",
					  &b, err, sizeof(err)), 0);
	assert_string_equal(b.name, "t31-sc2336");
}

static void test_search(void **state)
{
	static const char good[] =
		"name: mine\nsoc: t31\nsensor: sc2336\ni2c: {bus: 0, addr: 0x30}\n"
		"lanes: 2\nmclk_hz: 24000000\n";
	struct lumen_board b;
	char err[512] = "";

	(void)state;
	write_file("mine.yaml", good, sizeof(good) - 1);
	setenv("LUMEN_BOARD_DIR", tmpdir, 1);
	assert_int_equal(lumen_board_load("mine", &b, err, sizeof(err)), 0);
	assert_string_equal(b.name, "mine");
	assert_int_equal(b.buffers, 4);	/* default */
	assert_int_equal(b.backend, LUMEN_BACKEND_VIRTUAL);
	/* the shipped ones are still found behind it */
	assert_int_equal(lumen_board_load("imou-bullet3", &b, err, sizeof(err)), 0);
	assert_int_equal(lumen_board_load("no-such-board", &b, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "board 'no-such-board': no no-such-board.yaml in "));
	assert_non_null(strstr(err, tmpdir));
	assert_int_equal(lumen_board_load("../etc", &b, err, sizeof(err)), -ENOENT);
	assert_int_equal(lumen_board_load("Bad Name", &b, err, sizeof(err)), -EINVAL);
	unsetenv("LUMEN_BOARD_DIR");
}

struct bad_case {
	const char *text;
	const char *want;	/* after "PATH:" */
};

/* Base lines 1..6; each case edits one thing. */
#define HEAD "name: x\nsoc: ssc377\nsensor: sc4336p\n"
#define I2C "i2c: { bus: 1, addr: 0x30 }\n"
#define TAIL "lanes: 2\nmclk_hz: 27000000\n"

static const struct bad_case bad_cases[] = {
	{ HEAD I2C TAIL "lens: 5\n", "7: key 'lens': unknown key" },
	{ HEAD I2C "lanes: two\nmclk_hz: 27000000\n",
	  "5: key 'lanes': expected an integer, got 'two'" },
	{ HEAD I2C "lanes: 3\nmclk_hz: 27000000\n", "5: key 'lanes': 3 lanes: expected 1, 2 or 4" },
	{ HEAD I2C "lanes: 8\nmclk_hz: 27000000\n", "5: key 'lanes': 8 is out of range 1..4" },
	{ HEAD "i2c: { bus: 1, addr: 0x80 }\n" TAIL,
	  "4: key 'i2c.addr': 0x80 is not a 7-bit address" },
	{ HEAD "i2c: { bus: 1 }\n" TAIL, "4: key 'i2c': missing 'addr'" },
	{ HEAD "i2c: 0x30\n" TAIL, "4: key 'i2c': expected a mapping" },
	{ "name: x\nsoc: ssc377\n" I2C TAIL, "1: key 'sensor': missing (required)" },
	{ HEAD I2C TAIL "sensor: imx258\n", "7: key 'sensor': repeated key" },
	{ "name: x\nsoc: hi3516\nsensor: sc4336p\n" I2C TAIL,
	  "2: key 'soc': unknown SoC 'hi3516'" },
	{ HEAD I2C TAIL "reset_gpio: { pin: 4 }\n",
	  "7: key 'reset_gpio': missing 'active_low'" },
	{ HEAD I2C TAIL "reset_gpio: { pin: 4, active_low: maybe }\n",
	  "7: key 'reset_gpio.active_low': expected true or false" },
	{ HEAD I2C TAIL "pwdn_gpio: { pin: -1, active_low: true }\n",
	  "7: key 'pwdn_gpio.pin': -1 is out of range 0..4095" },
	{ HEAD I2C TAIL "pre_probe:\n  - { reg: 0x440d }\n",
	  "8: key 'pre_probe': missing 'val'" },
	{ HEAD I2C TAIL "pre_probe:\n  - { reg: 0x440d, val: 0x10000 }\n",
	  "8: key 'pre_probe.val': 65536 is out of range 0..65535" },
	{ HEAD I2C TAIL "pre_probe: { reg: 1, val: 2 }\n",
	  "7: key 'pre_probe': expected a list" },
	{ HEAD I2C TAIL "backend: v4l3\n", "7: key 'backend': 'v4l3' is not virtual or v4l2" },
	{ HEAD I2C TAIL "pad: 2\nlanes: 4\n", "8: key 'lanes': repeated key" },
	{ HEAD I2C "pad: 2\nlanes: 4\nmclk_hz: 27000000\n",
	  "6: key 'lanes': 4 lanes, but pad 2 of ssc377 has 2" },
	{ "name: x\nsoc: t31\nsensor: sc2336\n" I2C "pad: 1\n" TAIL,
	  "5: key 'pad': t31 has sensor pads 0..0" },
	{ HEAD I2C "lanes: 2\nmclk_hz: 27\n", "6: key 'mclk_hz': 27 is out of range" },
	{ HEAD I2C TAIL "buffers: 0\n", "7: key 'buffers': 0 is out of range 1..64" },
	{ HEAD I2C TAIL "crop: { x: 0, y: 0, width: 100 }\n", "7: key 'crop': missing 'height'" },
	{ "name: X Y\n", "1: key 'name': 'X Y' is not a lower-case name" },
	{ HEAD I2C TAIL "fps: [30\n", "8: " },	/* YAML syntax error */
	{ "- a\n- b\n", "1: expected a mapping of keys" },
};

static void test_bad_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct lumen_board b;
		char err[512] = "", want[600];
		const char *path = write_file("bad.yaml", bad_cases[i].text,
					      strlen(bad_cases[i].text));

		memset(&b, 0x5a, sizeof(b));
		snprintf(want, sizeof(want), "%s:%s", path, bad_cases[i].want);
		assert_int_equal(lumen_board_load(path, &b, err, sizeof(err)), -EINVAL);
		if (!strstr(err, want))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, err, want);
		/* the output is untouched on error */
		assert_int_equal(((unsigned char *)&b)[0], 0x5a);
	}
}

static bool only_sc(const char *name, void *opaque)
{
	(void)opaque;
	return !strncmp(name, "sc", 2);
}

static void test_sensor_check(void **state)
{
	static const char text[] = HEAD I2C TAIL;
	static const char other[] =
		"name: x\nsoc: ssc377\nsensor: ov5640\n" I2C TAIL;
	struct lumen_board_opts opts = { only_sc, NULL };
	struct lumen_board b;
	char err[512] = "", want[600];
	const char *path;

	(void)state;
	path = write_file("ok.yaml", text, sizeof(text) - 1);
	assert_int_equal(lumen_board_load_ex(path, &opts, &b, err, sizeof(err)), 0);
	path = write_file("ov.yaml", other, sizeof(other) - 1);
	assert_int_equal(lumen_board_load(path, &b, err, sizeof(err)), 0);
	assert_int_equal(lumen_board_load_ex(path, &opts, &b, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: key 'sensor': unknown sensor 'ov5640'", path);
	assert_string_equal(err, want);
}

static void test_hostile(void **state)
{
	struct lumen_board b;
	char err[512] = "";
	size_t bigsize = LUMEN_YAML_FILE_MAX + 1;
	char *big = malloc(bigsize);
	const char *path;

	(void)state;
	path = write_file("empty.yaml", "", 0);
	assert_int_equal(lumen_board_load(path, &b, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "empty file"));
	path = write_file("nul.yaml", "name: x\0y\n", 10);
	assert_int_equal(lumen_board_load(path, &b, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":1: NUL byte"));
	memset(big, '[', 1000);
	path = write_file("deep.yaml", big, 1000);
	assert_int_equal(lumen_board_load(path, &b, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "nested deeper"));
	memset(big, '#', bigsize);	/* one byte over the reader's limit */
	path = write_file("big.yaml", big, bigsize);
	assert_int_equal(lumen_board_load(path, &b, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "larger than 1024 KiB"));
	snprintf(big, 1000, "%s/missing.yaml", tmpdir);
	assert_int_equal(lumen_board_load(big, &b, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "missing.yaml: No such file"));
	/* 17 pre-probe writes is one too many */
	{
		int n = snprintf(big, 100000, HEAD I2C TAIL "pre_probe:\n");

		for (int i = 0; i < 17; i++)
			n += snprintf(big + n, (size_t)(100000 - n),
				      "  - { reg: %d, val: 1 }\n", i + 1);
		path = write_file("many.yaml", big, (size_t)n);
		assert_int_equal(lumen_board_load(path, &b, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, ":24: key 'pre_probe': more than 16 writes"));
	}
	free(big);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/lumen-board-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	static const char *const names[] = {
		"mine.yaml", "bad.yaml", "ok.yaml", "ov.yaml", "empty.yaml",
		"nul.yaml", "deep.yaml", "big.yaml", "many.yaml",
	};
	char path[512];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	return rmdir(tmpdir);
}

/* The PinePhone Pro's rkisp1 graph as board data (media: key): it parses,
 * the shipped plan (the binned 2104x1560 mode) passes the check on paper,
 * and the sensor's full 4208x3118 mode is the seed's EPIPE, named link by
 * link with the field and the ISP's 4032x3024 limit (rkisp1-common.h). */
static void test_media_plan(void **state)
{
	struct lumen_board b;
	struct lumen_media_plan p;
	char err[512] = "", report[4096];

	(void)state;
	unsetenv("LUMEN_BOARD_DIR");
	assert_int_equal(lumen_board_load("pinephone-pro-rear", &b, err, sizeof(err)), 0);
	assert_true(b.has_media);
	assert_int_equal(b.media.nlinks, 6);
	assert_int_equal(b.media.nformats, 8);
	assert_int_equal(b.media.nlimits, 3);
	assert_string_equal(b.media.links[0].source.entity, "imx258 1-001a");
	assert_string_equal(b.media.links[1].sink.entity, "rkisp1_isp");
	assert_int_equal(b.media.links[4].source.pad, 2);
	assert_true(b.media.formats[2].has_crop);
	assert_int_equal(b.media.limits[0].max_w, 4032);
	assert_int_equal(lumen_media_plan_check(&b.media, report, sizeof(report)), 0);
	assert_string_equal(report, "");

	/* the full mode on the sensor and the CSI receiver, the ISP left to
	 * take it from upstream: the ISP clamps, the csi -> isp link breaks */
	p = b.media;
	p.nformats = 1;
	p.formats[0].width = 4208;
	p.formats[0].height = 3118;
	assert_int_equal(lumen_media_plan_check(&p, report, sizeof(report)), -EPIPE);
	assert_non_null(strstr(report, "link 'rkisp1_csi':1 -> 'rkisp1_isp':0: "
			       "width 4208 != 4032, height 3118 != 3024\n"));
	assert_non_null(strstr(report, "  source 'rkisp1_csi':1  SRGGB10_1X10/4208x3118\n"));
	assert_non_null(strstr(report, "  sink   'rkisp1_isp':0  SRGGB10_1X10/4032x3024\n"));
	assert_non_null(strstr(report, "'rkisp1_isp':0 takes at most 4032x3024: 4208x3118 was asked"));
	assert_non_null(strstr(report, "1 of 6 enabled links do not match: STREAMON would fail with EPIPE"));
	/* only that link: the sensor -> csi link matches at 4208x3118 */
	assert_null(strstr(report, "'imx258 1-001a':0 ->"));

	/* a bus code that differs is named as such */
	p = b.media;
	p.formats[1].code = lumen_media_code_parse("SBGGR10_1X10");
	assert_int_equal(lumen_media_plan_check(&p, report, sizeof(report)), -EPIPE);
	assert_non_null(strstr(report, "link 'imx258 1-001a':0 -> 'rkisp1_csi':0: "
			       "bus code SRGGB10_1X10 != SBGGR10_1X10"));

	/* a format on a pad no enabled link has */
	p = b.media;
	snprintf(p.formats[0].at.entity, sizeof(p.formats[0].at.entity), "imx219 4-0010");
	assert_int_equal(lumen_media_plan_check(&p, report, sizeof(report)), -EINVAL);
	assert_non_null(strstr(report, "format on 'imx219 4-0010':0: no enabled link has that pad"));
}

/* media-ctl strings that are wrong say what is wrong, with the file,
 * line and key of the board file. */
static void test_media_plan_bad(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "links: [ \"imx258:0 -> 'b':0\" ]", "expected a quoted entity name" },
		{ "links: [ \"'a':0 => 'b':0\" ]", "expected '->' after the source pad" },
		{ "links: [ \"'a':x -> 'b':0\" ]", "the pad of 'a' is not a number" },
		{ "links: [ \"'a:0 -> 'b':0\" ]", "expected ':PAD' after 'a:0 -> '" },
		{ "links: [ \"'a':0 -> 'b':0 [2]\" ]", "link flags are [0] or [1]" },
		{ "links: [ \"'a':0 -> 'b':0\" ]\n  formats: [ \"'a':0 [fmt:SRGGB10/64x64]\" ]",
		  "unknown media bus code 'SRGGB10'" },
		{ "links: [ \"'a':0 -> 'b':0\" ]\n  formats: [ \"'a':0 [fmt:SRGGB10_1X10/64x]\" ]",
		  "the size after SRGGB10_1X10 is not WxH" },
		{ "links: [ \"'a':0 -> 'b':0\" ]\n  formats: [ \"'a':0 [fmt:SRGGB10_1X10/64x64 crop:0,0/8x8]\" ]",
		  "crop is crop:(X,Y)/WxH" },
		{ "links: [ \"'a':0 -> 'b':0\" ]\n  formats: [ \"'a':0 [size:64x64]\" ]",
		  "unknown 'size:64x64]'" },
		{ "links: [ \"'a':0 -> 'b':0\" ]\n  limits: [ \"'b':0 4032x3024\" ]",
		  "expected 'max:WxH' after the pad" },
		{ "formats: [ \"'a':0 [fmt:SRGGB10_1X10/64x64]\" ]", "missing 'links'" },
		{ "links: \"'a':0 -> 'b':0\"", "expected a list of strings" },
	};
	const char *head = "name: x\nsoc: rk3399\nsensor: imx258\ni2c: { bus: 1, addr: 0x1a }\n"
		"lanes: 4\nmclk_hz: 24000000\nmedia:\n  ";

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lumen_board b;
		char text[512], err[512] = "";

		snprintf(text, sizeof(text), "%s%s\n", head, cases[i].text);
		assert_int_equal(lumen_board_parse("x.yaml", text, strlen(text), NULL, &b,
						   err, sizeof(err)), -EINVAL);
		if (!strstr(err, cases[i].want) || !strstr(err, "x.yaml:"))
			fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_sensor_check),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_media_plan),
		cmocka_unit_test(test_media_plan_bad),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <png.h>
#include <turbojpeg.h>
#include <cmocka.h>

#include "core/frame.h"
#include "core/pack.h"
#include "io/raw_read.h"
#include "io/sidecar.h"
#include "io/image_write.h"
#include "testutil.h"

static char tmpdir[256];

/* Path of @name in this run's scratch directory (static, copy before reuse). */
static const char *tmp_path(const char *name)
{
	static char path[2][512];
	static int which;

	which ^= 1;
	snprintf(path[which], sizeof(path[which]), "%s/%s", tmpdir, name);
	return path[which];
}

static const char *write_file(const char *name, const void *data, size_t len)
{
	const char *p = tmp_path(name);
	FILE *fp = fopen(p, "wb");

	assert_non_null(fp);
	if (len)
		assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	return p;
}

static bool contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", hay, needle);
		return false;
	}
	return true;
}

/* A ramp that differs in every sample and covers @bits. */
static uint16_t ramp(int x, int y, int bits)
{
	return (uint16_t)((x * 7 + y * 131 + 3) & ((1 << bits) - 1));
}

static struct lumen_raw_format fmt_of(int w, int h, int bits,
				      enum lumen_pixfmt c)
{
	struct lumen_raw_format f;

	lumen_raw_format_init(&f);
	f.width = w;
	f.height = h;
	f.bits = bits;
	f.container = c;
	f.bayer = LUMEN_BAYER_BGGR;
	return f;
}

static void read_8bit(void **state)
{
	enum { W = 6, H = 4 };
	uint8_t buf[W * H];
	struct lumen_raw_format f = fmt_of(W, H, 8, LUMEN_PIX_BAYER8);
	struct lumen_frame fr;
	char err[256] = "";

	(void)state;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			buf[y * W + x] = (uint8_t)ramp(x, y, 8);
	assert_int_equal(lumen_raw_read(write_file("a8.raw", buf, sizeof(buf)), &f,
					&fr, err, sizeof(err)), 0);
	assert_int_equal(fr.fmt, LUMEN_PIX_BAYER8);
	assert_int_equal(fr.bayer, LUMEN_BAYER_BGGR);
	assert_int_equal(fr.bits, 8);
	assert_int_equal(fr.white, 255);
	assert_int_equal(fr.black[0] | fr.black[1] | fr.black[2] | fr.black[3], 0);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			assert_int_equal(lumen_frame_raw_at(&fr, x, y), ramp(x, y, 8));
	lumen_frame_free(&fr);
}

static void read_16bit_le_be(void **state)
{
	enum { W = 8, H = 6 };
	uint8_t le[W * H * 2], be[W * H * 2];
	struct lumen_raw_format f = fmt_of(W, H, 12, LUMEN_PIX_BAYER16);
	struct lumen_frame fr;
	char err[256] = "";

	(void)state;
	for (int i = 0; i < W * H; i++) {
		uint16_t v = ramp(i % W, i / W, 12);

		le[2 * i] = be[2 * i + 1] = (uint8_t)v;
		le[2 * i + 1] = be[2 * i] = (uint8_t)(v >> 8);
	}
	f.has_black = true;
	f.black[0] = 64; f.black[1] = 65; f.black[2] = 66; f.black[3] = 67;
	assert_int_equal(lumen_raw_read(write_file("le.raw", le, sizeof(le)), &f,
					&fr, err, sizeof(err)), 0);
	assert_int_equal(fr.fmt, LUMEN_PIX_BAYER16);
	assert_int_equal(fr.bits, 12);
	assert_int_equal(fr.white, 4095);
	assert_int_equal(fr.black[2], 66);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			assert_int_equal(lumen_frame_raw_at(&fr, x, y), ramp(x, y, 12));
	lumen_frame_free(&fr);

	f.big_endian = true;
	assert_int_equal(lumen_raw_read(write_file("be.raw", be, sizeof(be)), &f,
					&fr, err, sizeof(err)), 0);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			assert_int_equal(lumen_frame_raw_at(&fr, x, y), ramp(x, y, 12));
	lumen_frame_free(&fr);

	/* LE data read as BE: samples far above 12 bits are caught */
	memset(&fr, 0x5a, sizeof(fr));
	assert_int_equal(lumen_raw_read(tmp_path("le.raw"), &f, &fr, err,
					sizeof(err)), -ERANGE);
	assert_true(contains(err, "le.raw"));
	assert_true(contains(err, "12-bit maximum 4095"));
	assert_int_equal(fr.width, 0x5a5a5a5a);	/* untouched */
}

static void read_packed(void **state)
{
	enum { W = 8, H = 4 };
	uint16_t src[W * H];
	uint8_t p10[W * H / 4 * 5], p12[W * H / 2 * 3];
	struct lumen_raw_format f;
	struct lumen_frame fr, w16;
	char err[256] = "";

	(void)state;
	for (int i = 0; i < W * H; i++)
		src[i] = ramp(i % W, i / W, 10);
	lumen_pack_raw10(src, p10, W * H);
	f = fmt_of(W, H, 0, LUMEN_PIX_BAYER10P);
	assert_int_equal(lumen_raw_read(write_file("p10.raw", p10, sizeof(p10)), &f,
					&fr, err, sizeof(err)), 0);
	assert_int_equal(fr.fmt, LUMEN_PIX_BAYER10P);
	assert_int_equal(fr.bits, 10);
	assert_int_equal(fr.white, 1023);
	{
		unsigned m = 0;

		for (int i = 0; i < W * H; i++)
			m = src[i] > m ? src[i] : m;
		assert_int_equal(lumen_raw_max_sample(&fr), m);
	}
	lumen_frame_free(&fr);
	assert_int_equal(lumen_raw_read16(tmp_path("p10.raw"), &f, 0, &w16, err,
					  sizeof(err)), 0);
	assert_int_equal(w16.fmt, LUMEN_PIX_BAYER16);
	for (int i = 0; i < W * H; i++)
		assert_int_equal(lumen_frame_raw_at(&w16, i % W, i / W), src[i]);
	lumen_frame_free(&w16);

	for (int i = 0; i < W * H; i++)
		src[i] = ramp(i % W, i / W, 12);
	lumen_pack_raw12(src, p12, W * H);
	f = fmt_of(W, H, 12, LUMEN_PIX_BAYER12P);
	assert_int_equal(lumen_raw_read16(write_file("p12.raw", p12, sizeof(p12)),
					  &f, 0, &w16, err, sizeof(err)), 0);
	assert_int_equal(w16.bits, 12);
	for (int i = 0; i < W * H; i++)
		assert_int_equal(lumen_frame_raw_at(&w16, i % W, i / W), src[i]);
	lumen_frame_free(&w16);

	/* RAW10 needs the width in groups of four */
	f = fmt_of(6, H, 10, LUMEN_PIX_BAYER10P);
	assert_int_equal(lumen_raw_read(tmp_path("p10.raw"), &f, &fr, err,
					sizeof(err)), -EINVAL);
	assert_true(contains(err, "multiple of 4"));
}

static void read_offset_and_stride(void **state)
{
	enum { W = 4, H = 4, OFF = 16, STRIDE = 12 };
	uint8_t buf[OFF + STRIDE * H];
	struct lumen_raw_format f = fmt_of(W, H, 10, LUMEN_PIX_BAYER16);
	struct lumen_frame fr;
	char err[256] = "";

	(void)state;
	memset(buf, 0xee, sizeof(buf));	/* header and padding: garbage */
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			uint16_t v = ramp(x, y, 10);

			buf[OFF + y * STRIDE + 2 * x] = (uint8_t)v;
			buf[OFF + y * STRIDE + 2 * x + 1] = (uint8_t)(v >> 8);
		}
	f.offset = OFF;
	f.stride = STRIDE;
	assert_int_equal(lumen_raw_read(write_file("os.raw", buf, sizeof(buf)), &f,
					&fr, err, sizeof(err)), 0);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			assert_int_equal(lumen_frame_raw_at(&fr, x, y), ramp(x, y, 10));
	lumen_frame_free(&fr);

	f.stride = 6;	/* less than a row */
	assert_int_equal(lumen_raw_read(tmp_path("os.raw"), &f, &fr, err,
					sizeof(err)), -EINVAL);
	assert_true(contains(err, "stride 6"));
}

static void read_refuses_bad_files(void **state)
{
	static uint8_t buf[1920 * 2 * 4];
	struct lumen_raw_format f = fmt_of(1920, 4, 10, LUMEN_PIX_BAYER16);
	struct lumen_frame fr;
	char err[256] = "";
	const char *p;

	(void)state;
	memset(&fr, 0, sizeof(fr));
	p = write_file("short.RAW", buf, sizeof(buf) - 1);
	assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "short.RAW: 15359 bytes, expected 15360 for 1920x4 16-bit"));
	assert_null(fr.data[0]);

	p = write_file("long.RAW", buf, sizeof(buf));
	f.height = 2;
	assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "15360 bytes, expected 7680"));

	/* a file of 8-bit size gets a hint */
	f.height = 8;
	assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "fits 8-bit"));

	p = write_file("empty.raw", NULL, 0);
	assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "empty.raw: 0 bytes"));
	assert_true(contains(err, "empty"));

	assert_int_equal(lumen_raw_read(tmp_path("missing.raw"), &f, &fr, err,
					sizeof(err)), -ENOENT);
	assert_true(contains(err, "missing.raw: cannot open"));

	assert_int_equal(lumen_raw_read(tmpdir, &f, &fr, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "not a regular file"));

	f.width = 1919;
	assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "1919x8 is odd"));
	f.width = 0;
	assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), -EINVAL);
	f.width = LUMEN_MAX_DIM + 2;
	assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "exceeds the limit"));
	f.width = 1920;
	f.bits = 17;
	assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), -EINVAL);
	f.bits = 12;
	f.container = LUMEN_PIX_BAYER8;
	assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "do not fit"));
	f.container = LUMEN_PIX_BAYER16;
	f.has_white = true;
	f.white = 5000;
	assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "white level 5000"));
	f.white = 100;
	f.has_black = true;
	f.black[3] = 100;
	assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "black level 100"));
	assert_null(fr.data[0]);
	/* no message buffer is fine too */
	assert_int_equal(lumen_raw_read(p, &f, &fr, NULL, 0), -EINVAL);
}

static void fit_levels_believes_data(void **state)
{
	enum { W = 4, H = 2 };
	uint16_t v[W * H] = { 4, 8, 4092, 12, 16, 20, 24, 28 };
	struct lumen_raw_format f = fmt_of(W, H, 12, LUMEN_PIX_BAYER16);
	struct lumen_frame fr;
	char err[256] = "", note[256];

	(void)state;
	f.has_white = true;
	f.white = 1023;	/* as Infinite-ISP's config claims */
	assert_int_equal(lumen_raw_read(write_file("cc.raw", v, sizeof(v)), &f, &fr,
					err, sizeof(err)), 0);
	assert_int_equal(lumen_raw_fit_levels(&fr, "cc.raw", note, sizeof(note)), 1);
	assert_int_equal(fr.bits, 12);
	assert_int_equal(fr.white, 4095);
	assert_true(contains(note, "4092"));
	assert_int_equal(lumen_raw_fit_levels(&fr, "cc.raw", note, sizeof(note)), 0);
	assert_string_equal(note, "");
	lumen_frame_free(&fr);

	/* bits too small: strict read fails, lenient read + fit widens bits */
	f.has_white = false;
	f.bits = 10;
	assert_int_equal(lumen_raw_read(tmp_path("cc.raw"), &f, &fr, err,
					sizeof(err)), -ERANGE);
	assert_true(contains(err, "first at (2,0), largest 4092"));
	assert_int_equal(lumen_raw_read_flags(tmp_path("cc.raw"), &f,
					      LUMEN_RAW_ALLOW_OVERRANGE, &fr, err,
					      sizeof(err)), 0);
	assert_int_equal(lumen_raw_fit_levels(&fr, "cc.raw", note, sizeof(note)), 1);
	assert_int_equal(fr.bits, 12);
	assert_int_equal(fr.white, 4095);
	lumen_frame_free(&fr);
}

static void real_openisp_raw(void **state)
{
	const char *p = lumen_test_data("raw/openisp/test.RAW");
	struct lumen_raw_format f = fmt_of(1920, 1080, 10, LUMEN_PIX_BAYER16);
	struct lumen_frame fr;
	char err[256] = "";

	(void)state;
	if (!p)
		skip();
	f.bayer = LUMEN_BAYER_RGGB;
	assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), 0);
	assert_int_equal(lumen_raw_max_sample(&fr), 1020);
	lumen_frame_free(&fr);
	f.height = 1078;
	assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "test.RAW: 4147200 bytes, expected 4139520 for 1920x1078 16-bit"));
}

static int parse_str(const char *name, const char *text,
		     struct lumen_raw_format *f, enum lumen_sidecar_dialect *d,
		     char *err, size_t errlen)
{
	lumen_raw_format_init(f);
	return lumen_sidecar_parse(name, text, strlen(text), f, d, err, errlen);
}

static void sidecar_lumen_dialect(void **state)
{
	struct lumen_raw_format f;
	enum lumen_sidecar_dialect d = LUMEN_SIDECAR_OPENISP_CSV;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse_str("a.yaml",
		"# lumen raw sidecar\n"
		"format: lumen-raw\n"
		"width: 1920\n"
		"height: 1080\n"
		"bits: 10\n"
		"packing: raw10\n"
		"bayer: GRBG\n"
		"black: 64, 65, 66, 67\n"
		"white: 1000\n"
		"offset: 0x10\n"
		"stride: 2400\n"
		"endian: little\n", &f, &d, err, sizeof(err)), 0);
	assert_int_equal(d, LUMEN_SIDECAR_LUMEN);
	assert_int_equal(f.width, 1920);
	assert_int_equal(f.height, 1080);
	assert_int_equal(f.bits, 10);
	assert_int_equal(f.container, LUMEN_PIX_BAYER10P);
	assert_int_equal(f.bayer, LUMEN_BAYER_GRBG);
	assert_true(f.has_black);
	assert_int_equal(f.black[0], 64);
	assert_int_equal(f.black[3], 67);
	assert_int_equal(f.white, 1000);
	assert_int_equal(f.offset, 16);
	assert_int_equal(f.stride, 2400);

	assert_int_equal(parse_str("b.yaml", "size: 640x480\nblack: [16, 16, 17, 17]\n"
				   "container: 16\nendian: big\n", &f, &d, err, sizeof(err)), 0);
	assert_int_equal(f.width, 640);
	assert_int_equal(f.height, 480);
	assert_int_equal(f.black[2], 17);
	assert_int_equal(f.container, LUMEN_PIX_BAYER16);
	assert_true(f.big_endian);
	assert_int_equal(parse_str("c.yaml", "black: 42\n", &f, &d, err, sizeof(err)), 0);
	assert_int_equal(f.black[3], 42);

	/* errors name file, line and key; the output is untouched */
	f.width = 77;
	assert_int_equal(lumen_sidecar_parse("bad.yaml", "width: 1920\nheight: 1080\nblak: 64\n",
					     34, &f, &d, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "bad.yaml:3: key 'blak': unknown key"));
	assert_int_equal(f.width, 77);
	assert_int_equal(parse_str("bad.yaml", "width: 1920\nbits: 20\n", &f, &d, err,
				   sizeof(err)), -EINVAL);
	assert_true(contains(err, "bad.yaml:2: key 'bits': bad value '20'"));
	assert_int_equal(parse_str("bad.yaml", "width: -4\n", &f, &d, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "bad.yaml:1: key 'width'"));
	assert_int_equal(parse_str("bad.yaml", "width: 1920x\n", &f, &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse_str("bad.yaml", "bayer: rgbg\n", &f, &d, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "rggb, grbg"));
	assert_int_equal(parse_str("bad.yaml", "black: 1,2,3\n", &f, &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse_str("bad.yaml", "black: [1,2,3,4,5]\n", &f, &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse_str("bad.yaml", "white: 70000\n", &f, &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse_str("bad.yaml", "packing: 16\n", &f, &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse_str("bad.yaml", "endian: middle\n", &f, &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse_str("bad.yaml", "width: 10\nwidth: 12\n", &f, &d, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "bad.yaml:2: key 'width': repeated key"));
	assert_int_equal(parse_str("bad.yaml", "width: [1, 2]\n", &f, &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse_str("bad.yaml", "width: 10\n  - x: [\n", &f, &d, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "YAML error"));
	assert_int_equal(parse_str("bad.yaml", "", &f, &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse_str("bad.yaml", "just words\n", &f, &d, err, sizeof(err)), -EINVAL);
	assert_int_equal(lumen_sidecar_parse("nul.yaml", "width: 1\0", 9, &f, &d, err,
					     sizeof(err)), -EINVAL);

	/* inputs that make libyaml quadratic are refused (core/yaml_doc.h) */
	{
		char *big = malloc(LUMEN_SIDECAR_MAX_BYTES + 1);
		size_t n = 0;

		assert_non_null(big);
		memset(big, '[', 100000);
		assert_int_equal(lumen_sidecar_parse("deep.yaml", big, 100000, &f, &d, err,
						     sizeof(err)), -EINVAL);
		assert_true(contains(err, "deep.yaml:1: nested deeper than 32 levels"));
		for (int i = 0; i < 300; i++)
			n += (size_t)sprintf(big + n, "k%d: &a%d 1\n", i, i);
		assert_int_equal(lumen_sidecar_parse("anchors.yaml", big, n, &f, &d, err,
						     sizeof(err)), -EINVAL);
		assert_true(contains(err, "anchors.yaml:65: key 'k64': more than 64 anchors"));
		memset(big, ' ', LUMEN_SIDECAR_MAX_BYTES + 1);
		assert_int_equal(lumen_sidecar_parse("huge.yaml", big, LUMEN_SIDECAR_MAX_BYTES + 1,
						     &f, &d, err, sizeof(err)), -E2BIG);
		free(big);
	}
}

static void sidecar_foreign_dialects(void **state)
{
	struct lumen_raw_format f;
	enum lumen_sidecar_dialect d;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse_str("cfg.yml",
		"sensor_info:\n  bayer_pattern: \"grbg\"\n  range: 1023\n  bit_depth: 10\n"
		"  width: 2592\n  height: 1536\n"
		"on_screen_display:\n  width: 128\n  height: 64\n"
		"black_level_correction:\n  is_enable: true\n  r_offset: 50\n"
		"  gr_offset: 51\n  gb_offset: 52\n  b_offset: 53\n  r_sat: 1000\n"
		"  gr_sat: 1023\n  gb_sat: 1023\n  b_sat: 1023\n", &f, &d, err, sizeof(err)), 0);
	assert_int_equal(d, LUMEN_SIDECAR_INFINITE_ISP);
	assert_int_equal(f.width, 2592);
	assert_int_equal(f.height, 1536);
	assert_int_equal(f.bits, 10);
	assert_int_equal(f.bayer, LUMEN_BAYER_GRBG);
	/* GRBG cells: Gr R / B Gb */
	assert_int_equal(f.black[0], 51);
	assert_int_equal(f.black[1], 50);
	assert_int_equal(f.black[2], 53);
	assert_int_equal(f.black[3], 52);
	assert_int_equal(f.white, 1000);

	assert_int_equal(parse_str("old.yml",
		"sensor_info:\n  bayer_pattern: bggr\n  range: 1023\n  bitdep: 12\n"
		"  width: 1920\n  height: 1080\nblack_level_correction:\n  isEnable: False\n"
		"  r_offset: 9\n", &f, &d, err, sizeof(err)), 0);
	assert_int_equal(f.bits, 12);
	assert_int_equal(f.white, 1023);
	assert_false(f.has_black);
	assert_int_equal(f.container, LUMEN_PIX_BAYER16);

	assert_int_equal(parse_str("bad.yml", "sensor_info:\n  height: 1080\n", &f, &d, err,
				   sizeof(err)), -EINVAL);
	assert_true(contains(err, "key 'sensor_info.width': missing"));
	assert_int_equal(parse_str("bad.yml", "sensor_info:\n  width: 1920\n  height: x\n",
				   &f, &d, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "bad.yml:3: key 'sensor_info.height'"));

	assert_int_equal(parse_str("fo.yaml",
		"module_enable_status:\n  blc: True\nhardware:\n  raw_width: 1920\n"
		"  raw_height: 1080\n  raw_bit_depth: 10\n  bayer_pattern: bggr\n"
		"blc:\n  bl_r: 1\n  bl_gr: 2\n  bl_gb: 3\n  bl_b: 4\n  alpha: 0\n",
		&f, &d, err, sizeof(err)), 0);
	assert_int_equal(d, LUMEN_SIDECAR_FAST_OPENISP);
	assert_int_equal(f.bayer, LUMEN_BAYER_BGGR);
	assert_int_equal(f.bits, 10);
	/* BGGR cells: B Gb / Gr R */
	assert_int_equal(f.black[0], 4);
	assert_int_equal(f.black[1], 3);
	assert_int_equal(f.black[2], 2);
	assert_int_equal(f.black[3], 1);

	assert_int_equal(parse_str("c.csv",
		"\xef\xbb\xbfVariables,Values,Description\r\nraw_w,640,Raw image width\r\n"
		"raw_h,\"480\",Raw image height\r\nbayer_pattern,gbrg,Bayer, pattern\r\n"
		"bl_r,10,x\r\nbl_gr,20,x\r\nbl_gb,30,x\r\nbl_b,40,x\r\nblc_clip,4095,x\r\n",
		&f, &d, err, sizeof(err)), 0);
	assert_int_equal(d, LUMEN_SIDECAR_OPENISP_CSV);
	assert_int_equal(f.width, 640);
	assert_int_equal(f.height, 480);
	assert_int_equal(f.bayer, LUMEN_BAYER_GBRG);
	assert_int_equal(f.bits, 12);
	assert_int_equal(f.white, 4095);
	/* GBRG cells: Gb B / R Gr */
	assert_int_equal(f.black[0], 30);
	assert_int_equal(f.black[1], 40);
	assert_int_equal(f.black[2], 10);
	assert_int_equal(f.black[3], 20);
	assert_int_equal(parse_str("c.csv", "Variables,Values\nraw_w,640\nraw_h,48O\n",
				   &f, &d, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "c.csv:3: raw_h"));
	assert_int_equal(parse_str("c.csv", "Variables,Values\nraw_w,640\n", &f, &d, err,
				   sizeof(err)), -EINVAL);
	assert_true(contains(err, "raw_h missing"));
}

static void sidecar_real_configs(void **state)
{
	struct lumen_raw_format f;
	enum lumen_sidecar_dialect d;
	struct lumen_frame fr;
	char err[256] = "", note[256] = "", path[4096];
	const char *p;
	bool any = false;

	(void)state;
	if ((p = lumen_test_data("raw/openisp/config.csv"))) {
		any = true;
		lumen_raw_format_init(&f);
		assert_int_equal(lumen_sidecar_load(p, &f, &d, err, sizeof(err)), 0);
		assert_int_equal(d, LUMEN_SIDECAR_OPENISP_CSV);
		assert_int_equal(f.width, 1920);
		assert_int_equal(f.height, 1080);
		assert_int_equal(f.bayer, LUMEN_BAYER_RGGB);
		assert_int_equal(f.bits, 10);
		assert_int_equal(f.black[0], 0);
		if ((p = lumen_test_data("raw/openisp/test.RAW"))) {
			assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), 0);
			assert_int_equal(fr.white, 1023);
			lumen_frame_free(&fr);
		}
	}
	if ((p = lumen_test_data("raw/openisp/fast-openISP_test.yaml"))) {
		any = true;
		lumen_raw_format_init(&f);
		assert_int_equal(lumen_sidecar_load(p, &f, &d, err, sizeof(err)), 0);
		assert_int_equal(d, LUMEN_SIDECAR_FAST_OPENISP);
		assert_int_equal(f.width, 1920);
		assert_int_equal(f.height, 1080);
		assert_int_equal(f.bits, 10);
		assert_int_equal(f.bayer, LUMEN_BAYER_RGGB);
	}
	if ((p = lumen_test_data("raw/infinite_isp/configs_a2a828c.yml"))) {
		any = true;
		lumen_raw_format_init(&f);
		assert_int_equal(lumen_sidecar_load(p, &f, &d, err, sizeof(err)), 0);
		assert_int_equal(d, LUMEN_SIDECAR_INFINITE_ISP);
		assert_int_equal(f.width, 1920);
		assert_int_equal(f.bits, 12);
		assert_int_equal(f.white, 1023);
		assert_int_equal(f.bayer, LUMEN_BAYER_BGGR);
		p = lumen_test_data("raw/infinite_isp/ColorCheckerRAW_1920x1080_12bit_BGGR.raw");
		if (p) {
			assert_int_equal(lumen_raw_read(p, &f, &fr, err, sizeof(err)), 0);
			assert_int_equal(lumen_raw_fit_levels(&fr, p, note, sizeof(note)), 1);
			assert_int_equal(fr.bits, 12);
			assert_int_equal(fr.white, 4095);
			assert_true(contains(note, "samples reach 4092"));
			lumen_frame_free(&fr);
		}
	}
	if ((p = lumen_test_data("raw/infinite_isp_refmodel_8bit/configs_2ea8cc1.yml"))) {
		any = true;
		lumen_raw_format_init(&f);
		assert_int_equal(lumen_sidecar_load(p, &f, &d, err, sizeof(err)), 0);
		assert_int_equal(d, LUMEN_SIDECAR_INFINITE_ISP);
		assert_int_equal(f.width, 2592);
		assert_int_equal(f.height, 1536);
		assert_int_equal(f.bits, 10);
		assert_int_equal(f.bayer, LUMEN_BAYER_GRBG);
		assert_int_equal(f.black[0], 50);
		assert_int_equal(f.white, 1023);
		p = lumen_test_data("raw/infinite_isp_refmodel_8bit/Indoor1_2592x1536_8bit_GRBG.raw");
		if (p) {
			snprintf(path, sizeof(path), "%s", p);
			assert_int_equal(lumen_raw_read(path, &f, &fr, err, sizeof(err)), -EINVAL);
			assert_true(contains(err, "fits 8-bit"));
			assert_int_equal(lumen_raw_format_fit_file(&f, path, note, sizeof(note),
								   err, sizeof(err)), 1);
			assert_int_equal(f.container, LUMEN_PIX_BAYER8);
			assert_int_equal(f.bits, 8);
			assert_int_equal(f.black[0], 12);
			assert_int_equal(f.white, 255);
			assert_true(contains(note, "not the configured 10-bit"));
			assert_int_equal(lumen_raw_read(path, &f, &fr, err, sizeof(err)), 0);
			assert_int_equal(lumen_raw_fit_levels(&fr, path, note, sizeof(note)), 0);
			lumen_frame_free(&fr);
		}
	}
	/* the one-call lenient path */
	if ((p = lumen_test_data("raw/infinite_isp/configs_a2a828c.yml"))) {
		lumen_raw_format_init(&f);
		assert_int_equal(lumen_sidecar_load(p, &f, &d, err, sizeof(err)), 0);
		f.bits = 10;	/* even a depth too small for the data */
		p = lumen_test_data("raw/infinite_isp/ColorCheckerRAW_1920x1080_12bit_BGGR.raw");
		if (p) {
			assert_int_equal(lumen_raw_load(p, &f, &fr, note, sizeof(note), err,
							sizeof(err)), 0);
			assert_int_equal(fr.bits, 12);
			assert_int_equal(fr.white, 4095);
			assert_true(contains(note, "believing the data"));
			lumen_frame_free(&fr);
		}
	}
	if ((p = lumen_test_data("raw/infinite_isp_refmodel_8bit/configs_2ea8cc1.yml"))) {
		lumen_raw_format_init(&f);
		assert_int_equal(lumen_sidecar_load(p, &f, &d, err, sizeof(err)), 0);
		p = lumen_test_data("raw/infinite_isp_refmodel_8bit/Outdoor1_2592x1536_8bit_GRBG.raw");
		if (p) {
			assert_int_equal(lumen_raw_load(p, &f, &fr, note, sizeof(note), err,
							sizeof(err)), 0);
			assert_int_equal(fr.fmt, LUMEN_PIX_BAYER8);
			assert_int_equal(fr.black[1], 12);
			assert_int_equal(fr.white, 255);
			assert_true(contains(note, "levels scaled to 8 bits"));
			lumen_frame_free(&fr);
		}
		lumen_raw_format_init(&f);
		assert_int_equal(lumen_raw_load(tmp_path("nothere.raw"), &f, &fr, note,
						sizeof(note), err, sizeof(err)), -ENOENT);
	}
	if (!any)
		skip();
}

static void fit_size_scales_levels(void **state)
{
	struct lumen_raw_format f;
	char note[256];

	(void)state;
	lumen_raw_format_init(&f);
	f.width = 8;
	f.height = 2;
	f.bits = 10;
	f.container = LUMEN_PIX_BAYER16;
	f.has_black = true;
	f.black[0] = 50; f.black[1] = 51; f.black[2] = 52; f.black[3] = 49;
	assert_int_equal(lumen_raw_format_fit_size(&f, 32, "x", note, sizeof(note)), 0);
	assert_string_equal(note, "");
	assert_int_equal(lumen_raw_format_fit_size(&f, 33, "x", note, sizeof(note)), 0);
	assert_int_equal(lumen_raw_format_fit_size(&f, 20, "x", note, sizeof(note)), 1);
	assert_int_equal(f.container, LUMEN_PIX_BAYER10P);
	assert_int_equal(f.bits, 10);
	assert_int_equal(f.black[0], 50);
	assert_int_equal(lumen_raw_format_fit_size(&f, 16, "x", note, sizeof(note)), 1);
	assert_int_equal(f.container, LUMEN_PIX_BAYER8);
	assert_int_equal(f.bits, 8);
	/* 12.5 -> 12, 12.75 -> 13, 13 -> 13, 12.25 -> 12 */
	assert_int_equal(f.black[0], 12);
	assert_int_equal(f.black[1], 13);
	assert_int_equal(f.black[2], 13);
	assert_int_equal(f.black[3], 12);
	assert_true(contains(note, "black 12,13,13,12"));
}

static void options_parse_and_consume(void **state)
{
	struct lumen_raw_format f;
	char a0[] = "in.raw", a1[] = "--size", a2[] = "1920x1080", a3[] = "--bits=12",
	     a4[] = "--bayer", a5[] = "bggr", a6[] = "-o", a7[] = "out.png",
	     a8[] = "--packing", a9[] = "raw12", a10[] = "--black", a11[] = "64,64,65,65",
	     a12[] = "--white", a13[] = "4000", a14[] = "--quality", a15[] = "90";
	char *argv[] = { a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13,
			 a14, a15, NULL };
	int argc = 16;
	char err[256] = "";

	(void)state;
	lumen_raw_format_init(&f);
	assert_int_equal(lumen_raw_format_from_options(&f, &argc, argv, err, sizeof(err)), 6);
	assert_int_equal(argc, 5);
	assert_string_equal(argv[0], "in.raw");
	assert_string_equal(argv[1], "-o");
	assert_string_equal(argv[2], "out.png");
	assert_string_equal(argv[3], "--quality");
	assert_string_equal(argv[4], "90");
	assert_null(argv[5]);
	assert_int_equal(f.width, 1920);
	assert_int_equal(f.height, 1080);
	assert_int_equal(f.bits, 12);
	assert_int_equal(f.bayer, LUMEN_BAYER_BGGR);
	assert_int_equal(f.container, LUMEN_PIX_BAYER12P);
	assert_int_equal(f.black[2], 65);
	assert_int_equal(f.white, 4000);
	assert_int_equal(lumen_raw_format_check(&f, "in.raw", err, sizeof(err)), 0);

	{
		char b0[] = "--bits", b1[] = "twelve", b2[] = "x";
		char *bv[] = { b0, b1, b2, NULL };
		int bc = 3;

		assert_int_equal(lumen_raw_format_from_options(&f, &bc, bv, err, sizeof(err)),
				 -EINVAL);
		assert_true(contains(err, "--bits"));
		assert_true(contains(err, "twelve"));
		assert_int_equal(bc, 3);
		assert_ptr_equal(bv[0], b0);
		assert_int_equal(f.bits, 12);
	}
	{
		char b0[] = "--black";
		char *bv[] = { b0, NULL };
		int bc = 1;

		assert_int_equal(lumen_raw_format_from_options(&f, &bc, bv, err, sizeof(err)),
				 -EINVAL);
		assert_true(contains(err, "needs a value"));
	}
	{
		const char *side = write_file("opt.yaml", "width: 64\nheight: 32\nbits: 10\n", 30);
		char b0[] = "--sidecar", b2[] = "--bits", b3[] = "12", b4[] = "--", b5[] = "--bits";
		char b1[512];
		char *bv[] = { b0, b1, b2, b3, b4, b5, NULL };
		int bc = 6;

		snprintf(b1, sizeof(b1), "%s", side);
		lumen_raw_format_init(&f);
		assert_int_equal(lumen_raw_format_from_options(&f, &bc, bv, err, sizeof(err)), 2);
		assert_int_equal(f.width, 64);
		assert_int_equal(f.bits, 12);	/* later option wins */
		assert_int_equal(bc, 2);
		assert_string_equal(bv[0], "--");
		assert_string_equal(bv[1], "--bits");
	}
}

static bool exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

static long long file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

static void *slurp(const char *p, size_t *len)
{
	FILE *fp = fopen(p, "rb");
	long long n = file_size(p);
	void *buf;

	assert_non_null(fp);
	assert_true(n >= 0);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void fill_rgb(struct lumen_frame *f)
{
	for (int y = 0; y < f->height; y++) {
		uint8_t *r = f->data[0] + (size_t)y * f->stride[0];

		for (int x = 0; x < f->width; x++) {
			if (f->fmt == LUMEN_PIX_RGB48) {
				uint16_t *r16 = (uint16_t *)(void *)r;

				r16[3 * x] = (uint16_t)(x * 1000 + 7);
				r16[3 * x + 1] = (uint16_t)(y * 2000 + 300);
				r16[3 * x + 2] = (uint16_t)(65535 - x * y);
			} else if (f->fmt == LUMEN_PIX_RGB24) {
				/* smooth, so JPEG stays close */
				r[3 * x] = (uint8_t)(x * 255 / (f->width - 1));
				r[3 * x + 1] = (uint8_t)(y * 255 / (f->height - 1));
				r[3 * x + 2] = (uint8_t)(128 + (x - y) / 4);
			} else {
				r[x] = (uint8_t)(x * 3 + y);
			}
		}
	}
}

/* Reads a PNG back with libpng's classic API: rows exactly as stored. */
static void check_png(const char *path, const struct lumen_frame *f, int depth,
		      int channels)
{
	FILE *fp = fopen(path, "rb");
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png_create_info_struct(png);
	png_bytepp rows;

	assert_non_null(fp);
	assert_non_null(info);
	if (setjmp(png_jmpbuf(png)))
		fail_msg("libpng could not read %s", path);
	png_init_io(png, fp);
	png_read_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
	assert_int_equal(png_get_image_width(png, info), f->width);
	assert_int_equal(png_get_image_height(png, info), f->height);
	assert_int_equal(png_get_bit_depth(png, info), depth);
	assert_int_equal(png_get_channels(png, info), channels);
	rows = png_get_rows(png, info);
	for (int y = 0; y < f->height; y++) {
		const uint8_t *s = f->data[0] + (size_t)y * f->stride[0];

		for (int i = 0; i < f->width * channels; i++) {
			unsigned want = depth == 16 ? ((const uint16_t *)(const void *)s)[i] : s[i];
			unsigned got = depth == 16 ? (unsigned)rows[y][2 * i] << 8 | rows[y][2 * i + 1]
					       : rows[y][i];

			assert_int_equal(got, want);
		}
	}
	png_destroy_read_struct(&png, &info, NULL);
	fclose(fp);
}

static void write_png_round_trip(void **state)
{
	struct lumen_frame f;
	char err[256] = "";
	const char *p;

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_RGB24, 33, 17), 0);
	fill_rgb(&f);
	p = tmp_path("rgb.png");
	assert_int_equal(lumen_image_write(p, &f, 0, err, sizeof(err)), 0);
	assert_false(exists(tmp_path("rgb.png.tmp")));
	check_png(p, &f, 8, 3);
	lumen_frame_free(&f);

	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_RGB48, 9, 5), 0);
	fill_rgb(&f);
	p = tmp_path("rgb48.PNG");
	assert_int_equal(lumen_image_write(p, &f, 0, err, sizeof(err)), 0);
	check_png(p, &f, 16, 3);
	lumen_frame_free(&f);

	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_GRAY8, 10, 4), 0);
	fill_rgb(&f);
	p = tmp_path("gray.png");
	assert_int_equal(lumen_image_write(p, &f, 0, err, sizeof(err)), 0);
	check_png(p, &f, 8, 1);
	lumen_frame_free(&f);

	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, 8, 4), 0);
	f.bits = 12;
	for (int y = 0; y < 4; y++)
		for (int x = 0; x < 8; x++)
			((uint16_t *)(void *)(f.data[0] + y * f.stride[0]))[x] = ramp(x, y, 12);
	p = tmp_path("bayer.png");
	assert_int_equal(lumen_image_write(p, &f, 0, err, sizeof(err)), 0);
	check_png(p, &f, 16, 1);
	lumen_frame_free(&f);
}

/* Parses a binary PNM header; returns the data offset. */
static size_t pnm_header(const uint8_t *b, char *magic, int *w, int *h,
			 unsigned *maxval)
{
	int n = 0;

	assert_int_equal(sscanf((const char *)b, "P%c %d %d %u%n", magic, w, h, maxval, &n), 4);
	return (size_t)n + 1;	/* one whitespace byte after maxval */
}

static void write_pnm_round_trip(void **state)
{
	struct lumen_frame f;
	char err[256] = "", magic;
	int w, h;
	unsigned maxval;
	size_t len, off;
	uint8_t *b;
	const char *p;

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_RGB24, 7, 3), 0);
	fill_rgb(&f);
	p = tmp_path("a.ppm");
	assert_int_equal(lumen_image_write(p, &f, 0, err, sizeof(err)), 0);
	b = slurp(p, &len);
	off = pnm_header(b, &magic, &w, &h, &maxval);
	assert_int_equal(magic, '6');
	assert_int_equal(w, 7);
	assert_int_equal(h, 3);
	assert_int_equal(maxval, 255);
	assert_int_equal(len, off + 7 * 3 * 3);
	for (int y = 0; y < 3; y++)
		assert_memory_equal(b + off + y * 21, f.data[0] + y * f.stride[0], 21);
	free(b);
	lumen_frame_free(&f);

	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_RGB48, 5, 2), 0);
	fill_rgb(&f);
	p = tmp_path("b.ppm");
	assert_int_equal(lumen_image_write(p, &f, 0, err, sizeof(err)), 0);
	b = slurp(p, &len);
	off = pnm_header(b, &magic, &w, &h, &maxval);
	assert_int_equal(maxval, 65535);
	assert_int_equal(len, off + 5 * 2 * 6);
	for (int y = 0; y < 2; y++)
		for (int i = 0; i < 15; i++) {
			const uint8_t *q = b + off + (size_t)(y * 15 + i) * 2;

			assert_int_equal((unsigned)q[0] << 8 | q[1],
					 ((uint16_t *)(void *)(f.data[0] + y * f.stride[0]))[i]);
		}
	free(b);
	lumen_frame_free(&f);

	/* a RAW10 frame as a 16-bit PGM, maxval from the bit depth */
	{
		uint16_t src[16];
		uint8_t packed[20];
		struct lumen_raw_format rf = fmt_of(8, 2, 10, LUMEN_PIX_BAYER10P);

		for (int i = 0; i < 16; i++)
			src[i] = ramp(i % 8, i / 8, 10);
		lumen_pack_raw10(src, packed, 16);
		assert_int_equal(lumen_raw_read(write_file("pgm.raw", packed, 20), &rf, &f,
						err, sizeof(err)), 0);
		p = tmp_path("c.pgm");
		assert_int_equal(lumen_image_write(p, &f, 0, err, sizeof(err)), 0);
		b = slurp(p, &len);
		off = pnm_header(b, &magic, &w, &h, &maxval);
		assert_int_equal(magic, '5');
		assert_int_equal(maxval, 1023);
		assert_int_equal(len, off + 32);
		for (int i = 0; i < 16; i++)
			assert_int_equal((unsigned)b[off + 2 * i] << 8 | b[off + 2 * i + 1], src[i]);
		free(b);
		lumen_frame_free(&f);
	}
}

static void write_jpeg_round_trip(void **state)
{
	enum { W = 64, H = 48 };
	struct lumen_frame f;
	char err[256] = "";
	tjhandle tj = tjInitDecompress();
	uint8_t *jpeg, *out = malloc(W * H * 3);
	size_t len;
	int w, h, sub, cs;
	const char *p;
	long sum = 0;
	int worst = 0;

	(void)state;
	assert_non_null(tj);
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_RGB24, W, H), 0);
	fill_rgb(&f);
	p = tmp_path("a.jpg");
	assert_int_equal(lumen_image_write(p, &f, 95, err, sizeof(err)), 0);
	jpeg = slurp(p, &len);
	assert_int_equal(tjDecompressHeader3(tj, jpeg, len, &w, &h, &sub, &cs), 0);
	assert_int_equal(w, W);
	assert_int_equal(h, H);
	assert_int_equal(tjDecompress2(tj, jpeg, len, out, W, W * 3, H, TJPF_RGB, 0), 0);
	for (int y = 0; y < H; y++)
		for (int i = 0; i < W * 3; i++) {
			int d = abs((int)out[y * W * 3 + i] - f.data[0][y * f.stride[0] + (size_t)i]);

			sum += d;
			worst = d > worst ? d : worst;
		}
	assert_true(sum < 2L * W * H * 3);	/* mean error below 2 */
	assert_true(worst < 24);
	free(jpeg);
	lumen_frame_free(&f);

	/* NV12 and I420 straight from the planes: decode back to planes */
	for (int k = 0; k < 2; k++) {
		enum lumen_pixfmt fmt = k ? LUMEN_PIX_I420 : LUMEN_PIX_NV12;
		uint8_t *dp[3] = { out, out + W * H, out + W * H + W * H / 4 };
		int ds[3] = { W, W / 2, W / 2 };

		assert_int_equal(lumen_frame_alloc(&f, fmt, W, H), 0);
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++)
				f.data[0][y * f.stride[0] + (size_t)x] = (uint8_t)(16 + x * 2 + y);
		for (int y = 0; y < H / 2; y++)
			for (int x = 0; x < W / 2; x++) {
				uint8_t cb = (uint8_t)(90 + x), cr = (uint8_t)(200 - y);

				if (k) {
					f.data[1][y * f.stride[1] + (size_t)x] = cb;
					f.data[2][y * f.stride[2] + (size_t)x] = cr;
				} else {
					f.data[1][y * f.stride[1] + 2 * (size_t)x] = cb;
					f.data[1][y * f.stride[1] + 2 * (size_t)x + 1] = cr;
				}
			}
		p = tmp_path(k ? "i420.jpeg" : "nv12.jpg");
		assert_int_equal(lumen_image_write(p, &f, 95, err, sizeof(err)), 0);
		jpeg = slurp(p, &len);
		assert_int_equal(tjDecompressHeader3(tj, jpeg, len, &w, &h, &sub, &cs), 0);
		assert_int_equal(sub, TJSAMP_420);
		assert_int_equal(tjDecompressToYUVPlanes(tj, jpeg, len, dp, W, ds, H, 0), 0);
		worst = 0;
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				int d = abs(dp[0][y * W + x] - f.data[0][y * f.stride[0] + (size_t)x]);

				worst = d > worst ? d : worst;
			}
		for (int y = 0; y < H / 2; y++)
			for (int x = 0; x < W / 2; x++) {
				worst = abs(dp[1][y * W / 2 + x] - (90 + x)) > worst ?
					abs(dp[1][y * W / 2 + x] - (90 + x)) : worst;
				worst = abs(dp[2][y * W / 2 + x] - (200 - y)) > worst ?
					abs(dp[2][y * W / 2 + x] - (200 - y)) : worst;
			}
		assert_true(worst <= 4);
		free(jpeg);
		lumen_frame_free(&f);
	}
	free(out);
	tjDestroy(tj);
}

static void write_yuv_planes(void **state)
{
	struct lumen_frame f;
	char err[256] = "";
	uint8_t *b;
	size_t len;
	const char *p;

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_NV12, 18, 6), 0);	/* stride 32 */
	for (int y = 0; y < 6; y++)
		memset(f.data[0] + y * f.stride[0], 10 + y, 18);
	for (int y = 0; y < 3; y++)
		memset(f.data[1] + y * f.stride[1], 100 + y, 18);
	p = tmp_path("a.yuv");
	assert_int_equal(lumen_image_write(p, &f, 0, err, sizeof(err)), 0);
	assert_int_equal(file_size(p), 18 * 6 * 3 / 2);
	b = slurp(p, &len);
	assert_int_equal(b[18 * 5], 15);
	assert_int_equal(b[18 * 6 + 18 * 2], 102);
	free(b);
	lumen_frame_free(&f);

	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_I420, 20, 10), 0);
	p = tmp_path("b.yuv");
	assert_int_equal(lumen_image_write(p, &f, 0, err, sizeof(err)), 0);
	assert_int_equal(file_size(p), 20 * 10 * 3 / 2);
	lumen_frame_free(&f);
}

static void write_failures_leave_nothing(void **state)
{
	struct lumen_frame f;
	char err[256] = "", path[512];
	struct rlimit old, lim;
	const char *p;

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_NV12, 64, 64), 0);
	memset(f.data[0], 128, f.stride[0] * 64 + f.stride[1] * 32);

	p = tmp_path("x.bmp");
	assert_int_equal(lumen_image_write(p, &f, 0, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "unknown extension '.bmp'"));
	assert_false(exists(p));
	assert_int_equal(lumen_image_write(tmp_path("noext"), &f, 0, err, sizeof(err)), -EINVAL);
	p = tmp_path("x.ppm");
	assert_int_equal(lumen_image_write(p, &f, 0, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "cannot write a nv12 frame as ppm"));
	assert_false(exists(p));

	/* a directory that does not exist, and one that is a file */
	p = tmp_path("nodir/x.png");
	snprintf(path, sizeof(path), "%s", p);
	f.fmt = LUMEN_PIX_GRAY8;
	assert_int_equal(lumen_image_write(path, &f, 0, err, sizeof(err)), -ENOENT);
	assert_true(contains(err, "nodir/x.png: cannot create"));
	write_file("afile", "x", 1);
	p = tmp_path("afile/x.png");
	assert_int_equal(lumen_image_write(p, &f, 0, err, sizeof(err)), -ENOTDIR);

	/* the disk fills up mid-way: the old file survives, no .tmp is left */
	f.fmt = LUMEN_PIX_NV12;
	p = write_file("full.yuv", "old", 3);
	snprintf(path, sizeof(path), "%s", p);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 1000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(lumen_image_write(path, &f, 0, err, sizeof(err)), -EFBIG);
	f.fmt = LUMEN_PIX_GRAY8;
	{
		unsigned seed = 12345;

		for (size_t i = 0; i < f.stride[0] * 64; i++)	/* incompressible */
			f.data[0][i] = (uint8_t)lumen_test_rand(&seed);
	}
	snprintf(path + strlen(path) - 3, 8, "png");
	assert_int_equal(lumen_image_write(path, &f, 0, err, sizeof(err)), -EIO);
	assert_true(contains(err, "PNG encoder"));
	assert_false(exists(path));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(file_size(tmp_path("full.yuv")), 3);
	assert_false(exists(tmp_path("full.yuv.tmp")));
	assert_false(exists(tmp_path("full.png.tmp")));

	/* odd NV12 and a bad stride are refused */
	f.fmt = LUMEN_PIX_NV12;
	f.width = 63;
	assert_int_equal(lumen_image_write(tmp_path("odd.yuv"), &f, 0, err, sizeof(err)), -EINVAL);
	f.width = 64;
	f.stride[1] = 8;
	assert_int_equal(lumen_image_write(tmp_path("odd.yuv"), &f, 0, err, sizeof(err)), -EINVAL);
	assert_true(contains(err, "stride"));
	assert_false(exists(tmp_path("odd.yuv")));
	lumen_frame_free(&f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/lumen-rawio-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_8bit),
		cmocka_unit_test(read_16bit_le_be),
		cmocka_unit_test(read_packed),
		cmocka_unit_test(read_offset_and_stride),
		cmocka_unit_test(read_refuses_bad_files),
		cmocka_unit_test(fit_levels_believes_data),
		cmocka_unit_test(real_openisp_raw),
		cmocka_unit_test(sidecar_lumen_dialect),
		cmocka_unit_test(sidecar_foreign_dialects),
		cmocka_unit_test(sidecar_real_configs),
		cmocka_unit_test(fit_size_scales_levels),
		cmocka_unit_test(options_parse_and_consume),
		cmocka_unit_test(write_png_round_trip),
		cmocka_unit_test(write_pnm_round_trip),
		cmocka_unit_test(write_jpeg_round_trip),
		cmocka_unit_test(write_yuv_planes),
		cmocka_unit_test(write_failures_leave_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

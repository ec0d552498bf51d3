// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/frame.h"
#include "core/pack.h"
#include "io/raw_read.h"
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
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/frame.h"
#include "core/pack.h"
#include "testutil.h"

static void bayer_colors_follow_order(void **state)
{
	(void)state;
	/* the top-left 2x2 cell spells the order's name */
	for (int o = 0; o < 4; o++) {
		const char *name = lumen_bayer_name((enum lumen_bayer)o);
		const char letters[] = "RGB";

		for (int i = 0; i < 4; i++)
			assert_int_equal(letters[lumen_bayer_at((enum lumen_bayer)o, i & 1, i >> 1)],
					 name[i]);
	}
}

static void crop_shifts_phase_and_black(void **state)
{
	struct lumen_frame f, v;

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, 8, 6), 0);
	f.bayer = LUMEN_BAYER_RGGB;
	f.black[0] = 10; f.black[1] = 11; f.black[2] = 12; f.black[3] = 13;
	for (int y = 0; y < 6; y++)
		for (int x = 0; x < 8; x++)
			((uint16_t *)(void *)(f.data[0] + y * f.stride[0]))[x] = (uint16_t)(y * 100 + x);

	assert_int_equal(lumen_frame_crop(&f, 1, 1, 4, 4, &v), 0);
	assert_int_equal(v.bayer, LUMEN_BAYER_BGGR);
	assert_int_equal(v.black[0], 13);	/* old (1,1) is the new origin */
	assert_int_equal(v.black[3], 10);
	assert_int_equal(lumen_frame_raw_at(&v, 0, 0), 101);
	assert_int_equal(lumen_frame_raw_at(&v, 3, 2), 304);
	/* colour at a pixel is the same seen through the window */
	for (int y = 0; y < 4; y++)
		for (int x = 0; x < 4; x++)
			assert_int_equal(lumen_bayer_at(v.bayer, x, y),
					 lumen_bayer_at(f.bayer, x + 1, y + 1));

	assert_int_equal(lumen_frame_crop(&f, 5, 0, 4, 4, &v), -EINVAL);
	assert_int_equal(lumen_frame_crop(&f, 0, 0, 0, 4, &v), -EINVAL);
	lumen_frame_free(&f);
}

static void layouts_refuse_impossible_sizes(void **state)
{
	struct lumen_frame f;

	(void)state;
	assert_int_equal(lumen_frame_layout(&f, LUMEN_PIX_NV12, 641, 480, 0), -EINVAL);
	assert_int_equal(lumen_frame_layout(&f, LUMEN_PIX_BAYER10P, 6, 4, 0), -EINVAL);
	assert_int_equal(lumen_frame_layout(&f, LUMEN_PIX_RGB24, 0, 4, 0), -EINVAL);
	assert_int_equal(lumen_frame_layout(&f, LUMEN_PIX_RGB24, 40000, 4, 0), -EINVAL);
	assert_int_equal(lumen_frame_layout(&f, LUMEN_PIX_NV12, 640, 480, 0), 640 * 480 * 3 / 2);
	assert_int_equal(lumen_frame_layout(&f, LUMEN_PIX_BAYER10P, 8, 2, 0), 20);
	assert_int_equal(lumen_frame_layout(&f, LUMEN_PIX_I420, 6, 2, 64), 64 * 2 + 64 + 64);
}

static void raw10_raw12_round_trip(void **state)
{
	uint16_t in[64], out[64];
	uint8_t packed[96];
	unsigned seed = 7;

	(void)state;
	/* CSI-2 spec example layout: bytes 0..3 are the high bits */
	in[0] = 0x3ff; in[1] = 0x001; in[2] = 0x200; in[3] = 0x0aa;
	lumen_pack_raw10(in, packed, 4);
	assert_int_equal(packed[0], 0xff);
	assert_int_equal(packed[1], 0x00);
	assert_int_equal(packed[2], 0x80);
	assert_int_equal(packed[3], 0x2a);
	assert_int_equal(packed[4], 0x3 | 0x1 << 2 | 0x0 << 4 | 0x2 << 6);

	for (int i = 0; i < 64; i++)
		in[i] = lumen_test_rand(&seed) & 0x3ff;
	lumen_pack_raw10(in, packed, 64);
	lumen_unpack_raw10(packed, out, 64);
	assert_memory_equal(in, out, sizeof(in));

	for (int i = 0; i < 64; i++)
		in[i] = lumen_test_rand(&seed) & 0xfff;
	lumen_pack_raw12(in, packed, 64);
	assert_int_equal(packed[0], in[0] >> 4);
	assert_int_equal(packed[2], (in[0] & 15) | (in[1] & 15) << 4);
	lumen_unpack_raw12(packed, out, 64);
	assert_memory_equal(in, out, sizeof(in));
}

/* A copy between frames of other strides (the destination a window of a
 * wider frame) has every plane's rows and the metadata, touches no byte
 * beyond the rows, keeps the destination's pool slot; another size or
 * format is refused. */
static void copy_keeps_layout_and_metadata(void **state)
{
	static const enum lumen_pixfmt fmts[] = {
		LUMEN_PIX_NV12, LUMEN_PIX_RGB16P, LUMEN_PIX_BAYER10P, LUMEN_PIX_I420,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct lumen_frame src, wide, dst;
		int rows[3] = { 6, fmts[i] == LUMEN_PIX_RGB16P ? 6 : 3,
				fmts[i] == LUMEN_PIX_NV12 ? 0 :
				fmts[i] == LUMEN_PIX_RGB16P ? 6 : 3 };

		assert_int_equal(lumen_frame_alloc(&src, fmts[i], 8, 6), 0);
		assert_int_equal(lumen_frame_alloc(&wide, fmts[i], 16, 6), 0);
		for (int p = 0; p < 3; p++)
			if (wide.data[p])
				memset(wide.data[p], 0xEE, wide.stride[p] * (size_t)rows[p]);
		for (int p = 0; p < 3; p++)
			for (size_t b = 0; src.data[p] && b < src.stride[p] * (size_t)rows[p]; b++)
				src.data[p][b] = (uint8_t)(b * 7 + p * 31 + 1);
		src.bayer = LUMEN_BAYER_GBRG;
		src.bits = 10;
		src.black[2] = 64;
		src.white = 1000;
		src.sequence = 42;
		src.timestamp_ns = 1234;
		dst = wide;
		dst.width = 8;		/* a window: the wide strides */
		dst.index = 5;
		assert_int_equal(lumen_frame_copy(&dst, &src), 0);
		assert_ptr_equal(dst.data[0], wide.data[0]);
		assert_int_equal(dst.stride[0], wide.stride[0]);
		assert_int_equal(dst.index, 5);
		assert_int_equal(dst.bayer, LUMEN_BAYER_GBRG);
		assert_int_equal(dst.black[2], 64);
		assert_int_equal(dst.white, 1000);
		assert_int_equal(dst.sequence, 42);
		assert_int_equal(dst.timestamp_ns, 1234);
		for (int p = 0; p < 3; p++) {
			size_t row = p && fmts[i] == LUMEN_PIX_I420 ? 4 :
				     fmts[i] == LUMEN_PIX_RGB16P ? 16 :
				     fmts[i] == LUMEN_PIX_BAYER10P ? 10 : 8;

			if (!src.data[p])
				continue;
			for (int y = 0; y < rows[p]; y++) {
				assert_memory_equal(dst.data[p] + (size_t)y * dst.stride[p],
						    src.data[p] + (size_t)y * src.stride[p], row);
				/* the rest of the wide row is untouched */
				assert_int_equal(dst.data[p][(size_t)y * dst.stride[p] + row],
						 0xEE);
			}
		}
		dst.height = 4;
		assert_int_equal(lumen_frame_copy(&dst, &src), -EINVAL);
		dst.height = 6;
		dst.fmt = fmts[i] == LUMEN_PIX_NV12 ? LUMEN_PIX_I420 : LUMEN_PIX_NV12;
		assert_int_equal(lumen_frame_copy(&dst, &src), -EINVAL);
		lumen_frame_free(&wide);
		lumen_frame_free(&src);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bayer_colors_follow_order),
		cmocka_unit_test(crop_shifts_phase_and_black),
		cmocka_unit_test(layouts_refuse_impossible_sizes),
		cmocka_unit_test(raw10_raw12_round_trip),
		cmocka_unit_test(copy_keeps_layout_and_metadata),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

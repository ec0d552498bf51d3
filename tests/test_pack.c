// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * MIPI RAW10/RAW12 packers and unpackers against a bit-by-bit reference, for
 * every width 1..67 (every tail length, several whole groups): each row must
 * be exactly `width` samples / lumen_raw1x_bytes(width) bytes. Rows are
 * written into buffers with guard words after them, and also into (and read
 * from) heap blocks of exactly the row's size, so an overrun either changes
 * a guard or is reported by AddressSanitizer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/pack.h"
#include "testutil.h"

#define MAX_W 67
#define ROWS 3
#define GUARD 8
#define MAX_BYTES ((MAX_W + 1) / 2 * 3)	/* RAW12 needs more than RAW10 */
#define GUARD16 0xbeef
#define GUARD8 0xa5

/* Where bit @b (0 = LSB) of sample @i lives in a packed row: byte, bit. */
static void bit_place(int bits, size_t i, int b, size_t *byte, int *bit)
{
	if (bits == 10) {
		size_t g = i / 4, k = i % 4;

		if (b >= 2) {
			*byte = g * 5 + k;
			*bit = b - 2;
		} else {
			*byte = g * 5 + 4;
			*bit = (int)(2 * k) + b;
		}
	} else {
		size_t g = i / 2, k = i % 2;

		if (b >= 4) {
			*byte = g * 3 + k;
			*bit = b - 4;
		} else {
			*byte = g * 3 + 2;
			*bit = (int)(4 * k) + b;
		}
	}
}

static void ref_unpack(int bits, const uint8_t *src, uint16_t *dst, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v = 0;

		for (int b = 0; b < bits; b++) {
			size_t byte;
			int bit;

			bit_place(bits, i, b, &byte, &bit);
			v |= (unsigned)(src[byte] >> bit & 1) << b;
		}
		dst[i] = (uint16_t)v;
	}
}

/* Padding bits (and bytes) of a partial last group stay zero. */
static void ref_pack(int bits, const uint16_t *src, uint8_t *dst, size_t n,
		     size_t nbytes)
{
	memset(dst, 0, nbytes);
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < bits; b++) {
			size_t byte;
			int bit;

			bit_place(bits, i, b, &byte, &bit);
			dst[byte] |= (uint8_t)((src[i] >> b & 1) << bit);
		}
}

static size_t packed_bytes(int bits, size_t n)
{
	return bits == 10 ? lumen_raw10_bytes(n) : lumen_raw12_bytes(n);
}

static void unpack(int bits, const uint8_t *src, uint16_t *dst, size_t n)
{
	if (bits == 10)
		lumen_unpack_raw10(src, dst, n);
	else
		lumen_unpack_raw12(src, dst, n);
}

static void pack(int bits, const uint16_t *src, uint8_t *dst, size_t n)
{
	if (bits == 10)
		lumen_pack_raw10(src, dst, n);
	else
		lumen_pack_raw12(src, dst, n);
}

static void group_sizes(void **state)
{
	(void)state;
	assert_int_equal(lumen_raw10_bytes(0), 0);
	assert_int_equal(lumen_raw10_bytes(1), 5);
	assert_int_equal(lumen_raw10_bytes(4), 5);
	assert_int_equal(lumen_raw10_bytes(5), 10);
	assert_int_equal(lumen_raw10_bytes(3280), 4100);
	assert_int_equal(lumen_raw12_bytes(0), 0);
	assert_int_equal(lumen_raw12_bytes(1), 3);
	assert_int_equal(lumen_raw12_bytes(2), 3);
	assert_int_equal(lumen_raw12_bytes(3), 6);
}

static void unpack_writes_exactly_width(void **state)
{
	static uint8_t packed[ROWS][MAX_BYTES + GUARD];
	static uint16_t out[ROWS][MAX_W + GUARD], ref[MAX_W];
	unsigned seed = 11;

	(void)state;
	for (int bits = 10; bits <= 12; bits += 2)
		for (size_t w = 1; w <= MAX_W; w++) {
			size_t nb = packed_bytes(bits, w);

			for (int y = 0; y < ROWS; y++) {
				for (size_t i = 0; i < sizeof(packed[y]); i++)
					packed[y][i] = (uint8_t)lumen_test_rand(&seed);
				for (size_t i = 0; i < MAX_W + GUARD; i++)
					out[y][i] = GUARD16;
			}
			/* rows back to back, as in a frame with stride = width + GUARD */
			for (int y = 0; y < ROWS; y++)
				unpack(bits, packed[y], out[y], w);
			for (int y = 0; y < ROWS; y++) {
				ref_unpack(bits, packed[y], ref, w);
				if (memcmp(out[y], ref, w * sizeof(*ref)))
					fail_msg("RAW%d width %zu row %d: samples differ from the reference",
						 bits, w, y);
				for (size_t i = w; i < w + GUARD; i++)
					if (out[y][i] != GUARD16)
						fail_msg("RAW%d width %zu row %d: sample %zu past the row written",
							 bits, w, y, i - w);
			}

			/* exact-size heap blocks both ways: ASan sees any overrun */
			uint8_t *src = malloc(nb);
			uint16_t *dst = malloc(w * sizeof(*dst));

			assert_non_null(src);
			assert_non_null(dst);
			memcpy(src, packed[0], nb);
			unpack(bits, src, dst, w);
			ref_unpack(bits, src, ref, w);
			assert_memory_equal(dst, ref, w * sizeof(*ref));
			free(dst);
			free(src);
		}
}

static void pack_writes_exactly_row_bytes(void **state)
{
	static uint16_t in[MAX_W];
	static uint8_t out[ROWS][MAX_BYTES + GUARD];
	static uint8_t ref[MAX_BYTES];
	static uint16_t back[MAX_W];
	unsigned seed = 23;

	(void)state;
	for (int bits = 10; bits <= 12; bits += 2)
		for (size_t w = 1; w <= MAX_W; w++) {
			size_t nb = packed_bytes(bits, w);

			for (int y = 0; y < ROWS; y++) {
				memset(out[y], GUARD8, sizeof(out[y]));
				for (size_t i = 0; i < w; i++)
					in[i] = (uint16_t)(lumen_test_rand(&seed) & ((1u << bits) - 1));
				pack(bits, in, out[y], w);
				ref_pack(bits, in, ref, w, nb);
				if (memcmp(out[y], ref, nb))
					fail_msg("RAW%d width %zu row %d: bytes differ from the reference (padding not zero?)",
						 bits, w, y);
				for (size_t i = nb; i < nb + GUARD; i++)
					if (out[y][i] != GUARD8)
						fail_msg("RAW%d width %zu row %d: byte %zu past the row written",
							 bits, w, y, i - nb);
				unpack(bits, out[y], back, w);
				assert_memory_equal(back, in, w * sizeof(*in));
			}

			uint16_t *src = malloc(w * sizeof(*src));
			uint8_t *dst = malloc(nb);

			assert_non_null(src);
			assert_non_null(dst);
			memcpy(src, in, w * sizeof(*src));
			pack(bits, src, dst, w);
			ref_pack(bits, src, ref, w, nb);
			assert_memory_equal(dst, ref, nb);
			free(dst);
			free(src);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(group_sizes),
		cmocka_unit_test(unpack_writes_exactly_width),
		cmocka_unit_test(pack_writes_exactly_row_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

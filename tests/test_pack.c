// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * MIPI RAW10/RAW12 packers and unpackers against a bit-by-bit reference, for
 * every width 1..67 (every tail length, several whole groups): each row must
 * be exactly `width` samples / lumen_raw1x_bytes(width) bytes. Rows are
 * written into buffers with guard words after them, and also into (and read
 * from) heap blocks of exactly the row's size, so an overrun either changes
 * a guard or is reported by AddressSanitizer.
 *
 * The RAW10 kernels of every SIMD level the machine has are also compared
 * with the C reference, byte for byte, on hostile rows (all zero, all ones
 * including samples above 1023, alternating extremes, random full 16-bit
 * and random bytes) at odd widths around the vector steps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cpu.h"
#include "core/pack.h"
#include "core/pack_dsp.h"
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

static unsigned cpu_all;	/* flags at start, after LUMEN_CPU_MASK */

/* CPU masks to try; each SIMD kernel is tested once (none: C only). */
static const unsigned cpu_levels[] = { LUMEN_CPU_AVX2, LUMEN_CPU_NEON };
#define N_LEVELS (sizeof(cpu_levels) / sizeof(cpu_levels[0]))

#define SIMD_MAX_W 1031

static uint16_t hostile_sample(int pat, size_t i, unsigned *seed)
{
	switch (pat) {
	case 0: return 0;
	case 1: return 0xFFFF;
	case 2: return 0x3FF;
	case 3: return i & 1 ? 0x3FF : 0;
	case 4: return i & 1 ? 0xFFFF : 0x0001;
	default: return (uint16_t)lumen_test_rand(seed);
	}
}

static void raw10_simd_matches_c(void **state)
{
	static const size_t widths[] = { 1, 2, 3, 4, 5, 15, 16, 17, 23, 24, 25,
					 31, 32, 33, 39, 40, 41, 47, 63, 64, 65,
					 100, 257, 1021, 1024, SIMD_MAX_W };
	static uint16_t in[SIMD_MAX_W], out_c[SIMD_MAX_W + GUARD],
		out_s[SIMD_MAX_W + GUARD];
	static uint8_t bytes[(SIMD_MAX_W + 3) / 4 * 5 + GUARD],
		pk_c[sizeof(bytes)], pk_s[sizeof(bytes)];
	unsigned seed = 77;
	int tested = 0;

	(void)state;
	for (size_t l = 0; l < N_LEVELS; l++) {
		struct lumen_pack_dsp dsp;

		if ((cpu_levels[l] & cpu_all) != cpu_levels[l])
			continue;
		lumen_cpu_set_mask(cpu_levels[l]);
		lumen_pack_dsp_init(&dsp);
		lumen_cpu_set_mask(cpu_all);
		if (dsp.pack10 == lumen_pack_raw10_c)
			continue;	/* this build has no kernel for the level */
		tested++;
		for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++)
			for (int pat = 0; pat < 6; pat++) {
				size_t w = widths[wi], nb = lumen_raw10_bytes(w);

				for (size_t i = 0; i < w; i++)
					in[i] = hostile_sample(pat, i, &seed);
				memset(pk_c, GUARD8, sizeof(pk_c));
				memset(pk_s, GUARD8, sizeof(pk_s));
				lumen_pack_raw10_c(in, pk_c, w);
				dsp.pack10(in, pk_s, w);
				if (memcmp(pk_c, pk_s, nb + GUARD))
					fail_msg("level %#x pack width %zu pattern %d: bytes differ",
						 cpu_levels[l], w, pat);

				for (size_t i = 0; i < nb; i++)
					bytes[i] = pat == 5 ? (uint8_t)lumen_test_rand(&seed) :
						pat == 1 ? 0xFF : pk_c[i];
				for (size_t i = 0; i < w + GUARD; i++)
					out_c[i] = out_s[i] = GUARD16;
				lumen_unpack_raw10_c(bytes, out_c, w);
				dsp.unpack10(bytes, out_s, w);
				if (memcmp(out_c, out_s, (w + GUARD) * sizeof(*out_c)))
					fail_msg("level %#x unpack width %zu pattern %d: samples differ",
						 cpu_levels[l], w, pat);
			}
	}
	printf("pack: RAW10 kernels of %d SIMD level(s) match C\n", tested);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(group_sizes),
		cmocka_unit_test(unpack_writes_exactly_width),
		cmocka_unit_test(pack_writes_exactly_row_bytes),
		cmocka_unit_test(raw10_simd_matches_c),
	};
	cpu_all = lumen_cpu_flags();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

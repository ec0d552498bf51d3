// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CSI-2 packet layer: ECC and CRC against published vectors, then the whole
 * tx -> lanes -> rx path, clean and with every fault the virtual board can
 * inject.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/frame.h"
#include "core/pack.h"
#include "core/cpu.h"
#include "link/csi2.h"
#include "link/csi2_dsp.h"
#include "testutil.h"

/* ---- ECC ------------------------------------------------------------------ */

static void ecc_known_vectors(void **state)
{
	/*
	 * Header ECC examples of the MIPI DSI v1.1 spec, which uses the same
	 * (30,24) Hamming code and header layout as CSI-2 v1.x, as transcribed
	 * and re-verified in public spec notes ("ECC 测试向量: DI=0x37/WC=0x01F0
	 * ->0x3F; DI=0x29/WC=0x0001->0x06; EoTp header->0x01; 0x0D/0x0001->0x1E;
	 * 0x1D/0x0001->0x0D"). The EoTp packet 08 0F 0F 01 is a fixed constant
	 * of that spec.
	 */
	static const struct { uint8_t di; uint16_t wc; uint8_t ecc; } v[] = {
		{ 0x37, 0x01F0, 0x3F },
		{ 0x29, 0x0001, 0x06 },
		{ 0x08, 0x0F0F, 0x01 },
		{ 0x0D, 0x0001, 0x1E },
		{ 0x1D, 0x0001, 0x0D },
		{ 0x00, 0x0000, 0x00 },	/* FS, VC0, no frame number */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct lumen_csi2_header h = { (uint8_t)(v[i].di >> 6),
					       (uint8_t)(v[i].di & 0x3F), v[i].wc };
		uint8_t hdr[4], out[4];
		int bit;

		assert_int_equal(lumen_csi2_ecc((uint32_t)v[i].di |
						(uint32_t)v[i].wc << 8), v[i].ecc);
		assert_int_equal(lumen_csi2_header_build(&h, hdr), 0);
		assert_int_equal(hdr[0], v[i].di);
		assert_int_equal(hdr[1], v[i].wc & 0xFF);	/* WC LS byte first */
		assert_int_equal(hdr[2], v[i].wc >> 8);
		assert_int_equal(hdr[3], v[i].ecc);
		assert_int_equal(lumen_csi2_ecc_check(hdr, out, &bit), LUMEN_CSI2_ECC_OK);
		assert_int_equal(bit, -1);
	}
}

/*
 * The parity equations written bit by bit, as the open FPGA receivers have
 * them (gatecat/CSI2Rx mipi-csi-rx/csi_rx_hdr_ecc.vhd, hellgate202/csi2_rx
 * src/csi2_hamming_dec.sv): an independent form to compare against.
 */
static uint8_t ecc_literal(uint32_t d)
{
#define D(i) ((d >> (i)) & 1u)
	unsigned p0 = D(0) ^ D(1) ^ D(2) ^ D(4) ^ D(5) ^ D(7) ^ D(10) ^ D(11) ^ D(13) ^ D(16) ^ D(20) ^ D(21) ^ D(22) ^ D(23);
	unsigned p1 = D(0) ^ D(1) ^ D(3) ^ D(4) ^ D(6) ^ D(8) ^ D(10) ^ D(12) ^ D(14) ^ D(17) ^ D(20) ^ D(21) ^ D(22) ^ D(23);
	unsigned p2 = D(0) ^ D(2) ^ D(3) ^ D(5) ^ D(6) ^ D(9) ^ D(11) ^ D(12) ^ D(15) ^ D(18) ^ D(20) ^ D(21) ^ D(22);
	unsigned p3 = D(1) ^ D(2) ^ D(3) ^ D(7) ^ D(8) ^ D(9) ^ D(13) ^ D(14) ^ D(15) ^ D(19) ^ D(20) ^ D(21) ^ D(23);
	unsigned p4 = D(4) ^ D(5) ^ D(6) ^ D(7) ^ D(8) ^ D(9) ^ D(16) ^ D(17) ^ D(18) ^ D(19) ^ D(20) ^ D(22) ^ D(23);
	unsigned p5 = D(10) ^ D(11) ^ D(12) ^ D(13) ^ D(14) ^ D(15) ^ D(16) ^ D(17) ^ D(18) ^ D(19) ^ D(21) ^ D(22) ^ D(23);
#undef D
	return (uint8_t)(p0 | p1 << 1 | p2 << 2 | p3 << 3 | p4 << 4 | p5 << 5);
}

static void ecc_matches_literal_equations(void **state)
{
	unsigned seed = 11;

	(void)state;
	for (uint32_t i = 0; i < 24; i++)
		assert_int_equal(lumen_csi2_ecc(1u << i), ecc_literal(1u << i));
	for (int i = 0; i < 20000; i++) {
		uint32_t d = lumen_test_rand(&seed) & 0xFFFFFF;

		assert_int_equal(lumen_csi2_ecc(d), ecc_literal(d));
	}
}

static void random_header(unsigned *seed, uint8_t hdr[4])
{
	struct lumen_csi2_header h;
	uint32_t r = lumen_test_rand(seed);

	h.vc = r & 3;
	h.dt = (r >> 2) & 0x3F;
	h.wc = (uint16_t)(r >> 8);
	lumen_csi2_header_build(&h, hdr);
}

static void ecc_every_single_bit_corrected(void **state)
{
	unsigned seed = 5;

	(void)state;
	for (int n = 0; n < 200; n++) {
		uint8_t hdr[4], bad[4], out[4];

		random_header(&seed, hdr);
		for (int b = 0; b < 30; b++) {	/* 24 header bits + ECC[5:0] */
			int bit;

			memcpy(bad, hdr, 4);
			bad[b >> 3] ^= (uint8_t)(1u << (b & 7));
			assert_int_equal(lumen_csi2_ecc_check(bad, out, &bit),
					 LUMEN_CSI2_ECC_CORRECTED);
			assert_int_equal(bit, b);
			assert_memory_equal(out, hdr, 4);
		}
		/* ECC[7:6] are reserved in v1.x (VCX in v2.0) and ignored */
		for (int b = 30; b < 32; b++) {
			memcpy(bad, hdr, 4);
			bad[3] ^= (uint8_t)(1u << (b & 7));
			assert_int_equal(lumen_csi2_ecc_check(bad, out, NULL),
					 LUMEN_CSI2_ECC_OK);
		}
	}
}

static void ecc_every_double_bit_detected(void **state)
{
	unsigned seed = 9;

	(void)state;
	for (int n = 0; n < 40; n++) {
		uint8_t hdr[4], bad[4], out[4];
		struct lumen_csi2_header h;

		random_header(&seed, hdr);
		for (int a = 0; a < 30; a++)
			for (int b = a + 1; b < 30; b++) {
				int bit;

				memcpy(bad, hdr, 4);
				bad[a >> 3] ^= (uint8_t)(1u << (a & 7));
				bad[b >> 3] ^= (uint8_t)(1u << (b & 7));
				assert_int_equal(lumen_csi2_ecc_check(bad, out, &bit),
						 LUMEN_CSI2_ECC_UNCORRECTABLE);
				assert_int_equal(bit, -1);
				assert_int_equal(lumen_csi2_header_parse(bad, &h, NULL),
						 LUMEN_CSI2_ECC_UNCORRECTABLE);
			}
	}
}

/* ---- CRC ------------------------------------------------------------------ */

/*
 * The two checksum examples of the CSI-2 specification, quoted in public
 * FPGA CSI-2 testbenches: "Input Data Bytes: FF 00 00 02 B9 DC ... FF 00 00 01
 * / Checksum LS byte and MS byte: F0 00" (a Verilog csi_top testbench) and
 * "the 2nd example for checksum generation from the CSI-2 Spec ...
 * Checksum LS byte and MS byte: 69 E5" (CSI_2_CRC_test_tb). The same
 * E569 vector is in an open slink CRC module ("should match
 * CRC-16/MCRF44X"). The catalogue check value of CRC-16/MCRF4XX for
 * "123456789" is 0x6F91 (docs.rs/crc16 MCRF4XX, reveng CRC catalogue).
 * 00 -> 0x0F87 and 01 -> 0x1E0E are the one-byte vectors of the DSI spec
 * notes cited above (same CRC).
 */
static const uint8_t crc_vec1[24] = {
	0xFF, 0x00, 0x00, 0x02, 0xB9, 0xDC, 0xF3, 0x72, 0xBB, 0xD4, 0xB8, 0x5A,
	0xC8, 0x75, 0xC2, 0x7C, 0x81, 0xF8, 0x05, 0xDF, 0xFF, 0x00, 0x00, 0x01,
};
static const uint8_t crc_vec2[24] = {
	0xFF, 0x00, 0x00, 0x00, 0x1E, 0xF0, 0x1E, 0xC7, 0x4F, 0x82, 0x78, 0xC5,
	0x82, 0xE0, 0x8C, 0x70, 0xD2, 0x3C, 0x78, 0xE9, 0xFF, 0x00, 0x00, 0x01,
};

static void crc_known_vectors(void **state)
{
	static const uint8_t zero = 0x00, one = 0x01;

	(void)state;
	assert_int_equal(lumen_csi2_crc16(crc_vec1, 24), 0x00F0);
	assert_int_equal(lumen_csi2_crc16(crc_vec2, 24), 0xE569);
	assert_int_equal(lumen_csi2_crc16((const uint8_t *)"123456789", 9), 0x6F91);
	assert_int_equal(lumen_csi2_crc16(&zero, 1), 0x0F87);
	assert_int_equal(lumen_csi2_crc16(&one, 1), 0x1E0E);
	assert_int_equal(lumen_csi2_crc16(NULL, 0), 0xFFFF);

	assert_int_equal(lumen_csi2_crc16_bitwise(crc_vec1, 24), 0x00F0);
	assert_int_equal(lumen_csi2_crc16_bitwise(crc_vec2, 24), 0xE569);
	assert_int_equal(lumen_csi2_crc16_bitwise((const uint8_t *)"123456789", 9), 0x6F91);
}

static void crc_table_matches_bitwise(void **state)
{
	static uint8_t buf[4096];
	unsigned seed = 3;

	(void)state;
	for (int n = 0; n < 300; n++) {
		size_t len = n < 40 ? (size_t)n : lumen_test_rand(&seed) % sizeof(buf);
		size_t cut = len ? lumen_test_rand(&seed) % len : 0;
		uint16_t whole;

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)lumen_test_rand(&seed);
		whole = lumen_csi2_crc16(buf, len);
		assert_int_equal(whole, lumen_csi2_crc16_bitwise(buf, len));
		/* the running form continues across any split */
		assert_int_equal(lumen_csi2_crc16_update(lumen_csi2_crc16(buf, cut),
							 buf + cut, len - cut), whole);
	}
}

/*
 * The CRC kernel of every SIMD level against the C tables, checkasm style:
 * every length 0..700 (each fold path and tail), every alignment 0..15,
 * any running value, on zero, all-ones, alternating and random bytes, and
 * a full RAW10 line of 2560 pixels.
 */
static void crc_simd_matches_c(void **state)
{
	static const unsigned levels[] = { LUMEN_CPU_AVX2, LUMEN_CPU_NEON };
	static uint8_t buf[3200 + 16];
	unsigned all = lumen_cpu_flags(), seed = 9;
	int tested = 0;

	(void)state;
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		struct lumen_csi2_dsp dsp;

		if ((levels[l] & all) != levels[l])
			continue;
		lumen_cpu_set_mask(levels[l]);
		lumen_csi2_dsp_init(&dsp);
		lumen_cpu_set_mask(all);
		if (dsp.crc16 == lumen_csi2_crc16_update_c)
			continue;
		tested++;
		for (int pat = 0; pat < 4; pat++) {
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = pat == 0 ? 0 : pat == 1 ? 0xFF :
					pat == 2 ? (i & 1 ? 0xAA : 0x55) :
					(uint8_t)lumen_test_rand(&seed);
			for (size_t len = 0; len <= 700; len++) {
				size_t off = len % 16;
				uint16_t start = len % 3 == 0 ? LUMEN_CSI2_CRC_SEED :
					len % 3 == 1 ? 0 : (uint16_t)lumen_test_rand(&seed);
				uint16_t want = lumen_csi2_crc16_update_c(start, buf + off, len);

				if (dsp.crc16(start, buf + off, len) != want)
					fail_msg("level %#x pattern %d length %zu offset %zu: "
						 "crc differs", levels[l], pat, len, off);
			}
			if (dsp.crc16(LUMEN_CSI2_CRC_SEED, buf + 3, 3200) !=
			    lumen_csi2_crc16_update_c(LUMEN_CSI2_CRC_SEED, buf + 3, 3200))
				fail_msg("level %#x pattern %d: a 3200-byte line differs",
					 levels[l], pat);
		}
	}
	printf("csi2: CRC kernels of %d SIMD level(s) match C\n", tested);
}

/* The lane split/merge kernels of every SIMD level against C: every count
 * 0..100 and a long line, random bytes, guards after every output. */
static void lanes_simd_matches_c(void **state)
{
	enum { MAXC = 1700, G = 16 };
	static const unsigned levels[] = { LUMEN_CPU_AVX2, LUMEN_CPU_NEON };
	static uint8_t src[4 * MAXC], lc[4][MAXC + G], ls[4][MAXC + G];
	static uint8_t mc[4 * MAXC + G], ms[4 * MAXC + G];
	unsigned all = lumen_cpu_flags(), seed = 21;
	int tested = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)lumen_test_rand(&seed);
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		struct lumen_csi2_dsp c, d;

		if ((levels[l] & all) != levels[l])
			continue;
		lumen_cpu_set_mask(0);
		lumen_csi2_dsp_init(&c);
		lumen_cpu_set_mask(levels[l]);
		lumen_csi2_dsp_init(&d);
		lumen_cpu_set_mask(all);
		if (d.split2 == c.split2)
			continue;
		tested++;
		for (size_t count = 0; count <= MAXC; count += count < 100 ? 1 : 800) {
			for (int n = 2; n <= 4; n += 2) {
				uint8_t *const pc[4] = { lc[0], lc[1], lc[2], lc[3] };
				uint8_t *const ps[4] = { ls[0], ls[1], ls[2], ls[3] };
				const uint8_t *const qc[4] = { lc[0], lc[1], lc[2], lc[3] };

				memset(lc, 0xA5, sizeof(lc));
				memset(ls, 0xA5, sizeof(ls));
				(n == 2 ? c.split2 : c.split4)(src, count, pc);
				(n == 2 ? d.split2 : d.split4)(src, count, ps);
				if (memcmp(lc, ls, sizeof(lc)))
					fail_msg("level %#x split%d count %zu differs",
						 levels[l], n, count);
				memset(mc, 0x5A, sizeof(mc));
				memset(ms, 0x5A, sizeof(ms));
				(n == 2 ? c.merge2 : c.merge4)(qc, count, mc);
				(n == 2 ? d.merge2 : d.merge4)(qc, count, ms);
				if (memcmp(mc, ms, sizeof(mc)) || memcmp(mc, src, n * count))
					fail_msg("level %#x merge%d count %zu differs",
						 levels[l], n, count);
			}
		}
	}
	printf("csi2: lane kernels of %d SIMD level(s) match C\n", tested);
}

/* ---- packets and lanes ------------------------------------------------------ */

static void long_packet_layout(void **state)
{
	uint8_t pkt[4 + 24 + 2];

	(void)state;
	/* the spec's first checksum example sent as a RAW8 line on VC1 */
	assert_int_equal(lumen_csi2_long_packet(1, LUMEN_CSI2_DT_RAW8, crc_vec1, 24, pkt),
			 (long)sizeof(pkt));
	assert_int_equal(pkt[0], 1 << 6 | 0x2A);
	assert_int_equal(pkt[1], 24);
	assert_int_equal(pkt[2], 0);
	assert_int_equal(pkt[3], lumen_csi2_ecc(0x00186Au));
	assert_memory_equal(pkt + 4, crc_vec1, 24);
	assert_int_equal(pkt[28], 0xF0);	/* CRC LS byte first */
	assert_int_equal(pkt[29], 0x00);

	assert_int_equal(lumen_csi2_long_packet(0, LUMEN_CSI2_DT_FS, crc_vec1, 24, pkt), -EINVAL);
	assert_int_equal(lumen_csi2_short_packet(0, LUMEN_CSI2_DT_RAW8, 0, pkt), -EINVAL);
	assert_int_equal(lumen_csi2_short_packet(2, LUMEN_CSI2_DT_FE, 0x1234, pkt), 0);
	assert_int_equal(pkt[0], 0x81);
	assert_int_equal(pkt[1], 0x34);
	assert_int_equal(pkt[2], 0x12);
}

static void lanes_distribute_round_robin(void **state)
{
	uint8_t pkt[11], l0[16], l1[16], l2[16], l3[16];
	uint8_t *lanes[4] = { l0, l1, l2, l3 };

	(void)state;
	for (int i = 0; i < 11; i++)
		pkt[i] = (uint8_t)(0x10 + i);
	pkt[10] = 0x80;		/* last bit 1: trail of 0x00 */

	assert_int_equal(lumen_csi2_distribute(pkt, 11, 2, lanes), 1 + 6);
	assert_int_equal(l0[0], LUMEN_CSI2_SYNC);
	assert_int_equal(l1[0], LUMEN_CSI2_SYNC);
	for (int k = 0; k < 11; k++)
		assert_int_equal(lanes[k % 2][1 + k / 2], pkt[k]);
	/* lane 1 ended after 0x19 (bit 7 = 0): trails with ones */
	assert_int_equal(l1[6], 0xFF);

	assert_int_equal(lumen_csi2_distribute(pkt, 11, 4, lanes), 1 + 3);
	for (int k = 0; k < 11; k++)
		assert_int_equal(lanes[k % 4][1 + k / 4], pkt[k]);
	assert_int_equal(l3[3], 0xFF);		/* lane 3 last sent 0x17 */

	assert_int_equal(lumen_csi2_distribute(pkt, 11, 1, lanes), 12);
	assert_memory_equal(l0 + 1, pkt, 7);
}

/* ---- tx -> rx --------------------------------------------------------------- */

#define POOL_SLOTS 2

struct sink {
	struct lumen_frame slot[POOL_SLOTS];
	bool busy[POOL_SLOTS];
	const struct lumen_frame *expect;	/* BAYER16 truth */
	int ok, returned, mismatches;
};

static struct lumen_frame *sink_get(void *opaque)
{
	struct sink *s = opaque;

	for (int i = 0; i < POOL_SLOTS; i++)
		if (!s->busy[i]) {
			s->busy[i] = true;
			return &s->slot[i];
		}
	return NULL;
}

static void sink_put(void *opaque, struct lumen_frame *f, bool ok)
{
	struct sink *s = opaque;
	int i = (int)(f - s->slot);

	assert_true(i >= 0 && i < POOL_SLOTS && s->busy[i]);
	s->busy[i] = false;
	if (!ok) {
		s->returned++;
		return;
	}
	s->ok++;
	for (int y = 0; y < f->height; y++)
		for (int x = 0; x < f->width; x++)
			if (lumen_frame_raw_at(f, x, y) !=
			    lumen_frame_raw_at(s->expect, x, y)) {
				s->mismatches++;
				return;
			}
}

static void sink_init(struct sink *s, int w, int h,
		      const struct lumen_frame *expect)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < POOL_SLOTS; i++)
		assert_int_equal(lumen_frame_alloc(&s->slot[i], LUMEN_PIX_BAYER16, w, h), 0);
	s->expect = expect;
}

static void sink_fini(struct sink *s)
{
	for (int i = 0; i < POOL_SLOTS; i++)
		lumen_frame_free(&s->slot[i]);
}

/* A random source frame in @fmt plus its BAYER16 truth. */
static void make_source(struct lumen_frame *src, struct lumen_frame *truth,
			enum lumen_pixfmt fmt, int bits, int w, int h,
			unsigned seed)
{
	assert_int_equal(lumen_frame_alloc(src, fmt, w, h), 0);
	assert_int_equal(lumen_frame_alloc(truth, LUMEN_PIX_BAYER16, w, h), 0);
	for (int y = 0; y < h; y++) {
		uint8_t *row = src->data[0] + (size_t)y * src->stride[0];

		if (fmt == LUMEN_PIX_BAYER16) {
			uint16_t *r16 = (uint16_t *)(void *)row;

			for (int x = 0; x < w; x++)
				r16[x] = (uint16_t)(lumen_test_rand(&seed) & ((1u << bits) - 1));
		} else {
			for (size_t x = 0; x < src->stride[0]; x++)
				row[x] = (uint8_t)lumen_test_rand(&seed);
		}
	}
	src->bits = bits;
	assert_int_equal(lumen_raw_to_16(src, truth), 0);
}

struct trip {
	enum lumen_pixfmt fmt;
	unsigned dt;
	int bits, w, h;
	int tx_lanes, rx_lanes;
	int rx_w, rx_h;			/* 0: same as the frame */
	bool line_sync, callback;
	struct lumen_csi2_tx_faults faults;
	int frames;
};

static void run_trip(const struct trip *t, struct lumen_csi2_rx_counters *cnt,
		     struct sink *s, char *dump, size_t dump_size)
{
	struct lumen_frame src, truth;
	struct lumen_csi2_tx_config tc = {
		.nlanes = t->tx_lanes, .vc = 1, .dt = (uint8_t)t->dt,
		.max_width = t->w, .line_sync = t->line_sync, .faults = t->faults,
	};
	struct lumen_csi2_rx_config rc = {
		.nlanes = t->rx_lanes, .vc = 1, .dt = (uint8_t)t->dt,
		.width = t->rx_w ? t->rx_w : t->w, .height = t->rx_h ? t->rx_h : t->h,
	};
	struct lumen_csi2_tx *tx;
	struct lumen_csi2_rx *rx;
	struct lumen_csi2_link link = { .nlanes = t->tx_lanes };

	make_source(&src, &truth, t->fmt, t->bits, t->w, t->h,
		    (unsigned)(t->w * 131 + t->h * 7 + t->tx_lanes));
	sink_init(s, rc.width, rc.height, &truth);
	rc.pool = (struct lumen_csi2_rx_pool){ sink_get, sink_put, s };

	assert_int_equal(lumen_csi2_tx_create(&tc, &tx), 0);
	assert_int_equal(lumen_csi2_rx_create(&rc, &rx), 0);
	if (!t->callback) {
		link.lane_cap = lumen_csi2_tx_lane_bytes(tx, t->w, t->h);
		link.burst_cap = lumen_csi2_tx_bursts(tx, t->h);
		for (int l = 0; l < t->tx_lanes; l++)
			assert_non_null(link.lane[l] = malloc(link.lane_cap));
		assert_non_null(link.burst_end = malloc(link.burst_cap * sizeof(uint32_t)));
	}
	for (int i = 0; i < t->frames; i++) {
		if (t->callback) {
			assert_int_equal(lumen_csi2_tx_frame_cb(tx, &src,
					 lumen_csi2_rx_burst_cb, rx), 0);
		} else {
			lumen_csi2_link_clear(&link);
			assert_int_equal(lumen_csi2_tx_frame(tx, &src, &link), 0);
			assert_int_equal(link.nbursts, link.burst_cap);
			lumen_csi2_rx_link(rx, &link);
		}
	}
	lumen_csi2_rx_counters(rx, cnt);
	if (dump)
		lumen_csi2_rx_dump(rx, dump, dump_size);

	lumen_csi2_rx_destroy(rx);
	lumen_csi2_tx_destroy(tx);
	for (int l = 0; l < t->tx_lanes; l++)
		free(link.lane[l]);
	free(link.burst_end);
	/* every frame got from the pool came back */
	for (int i = 0; i < POOL_SLOTS; i++)
		assert_false(s->busy[i]);
	lumen_frame_free(&src);
	lumen_frame_free(&truth);
}

static void assert_clean(const struct lumen_csi2_rx_counters *c, int frames)
{
	assert_int_equal(c->frame_start, frames);
	assert_int_equal(c->frame_end, frames);
	assert_int_equal(c->frames_ok, frames);
	assert_int_equal(c->frames_dropped, 0);
	assert_int_equal(c->sot_errors, 0);
	assert_int_equal(c->ecc_corrected, 0);
	assert_int_equal(c->ecc_uncorrectable, 0);
	assert_int_equal(c->crc_errors, 0);
	assert_int_equal(c->truncated_packets, 0);
	assert_int_equal(c->short_lines + c->long_lines, 0);
	assert_int_equal(c->missing_lines + c->extra_lines, 0);
	assert_int_equal(c->fe_without_fs + c->fs_without_fe, 0);
	assert_int_equal(c->frame_number_errors, 0);
	assert_int_equal(c->unknown_dt + c->other_vc + c->no_buffer, 0);
	assert_int_equal(c->cur_w, c->ideal_w);
	assert_int_equal(c->cur_h, c->ideal_h);
}

static void round_trip_all_formats_and_lanes(void **state)
{
	static const struct { enum lumen_pixfmt fmt; unsigned dt; int bits, w, h; } f[] = {
		{ LUMEN_PIX_BAYER8,   LUMEN_CSI2_DT_RAW8,  8, 37, 7 },
		{ LUMEN_PIX_BAYER16,  LUMEN_CSI2_DT_RAW8,  8, 33, 5 },
		{ LUMEN_PIX_BAYER16,  LUMEN_CSI2_DT_RAW10, 10, 36, 9 },
		{ LUMEN_PIX_BAYER10P, LUMEN_CSI2_DT_RAW10, 10, 44, 3 },
		{ LUMEN_PIX_BAYER16,  LUMEN_CSI2_DT_RAW12, 12, 38, 7 },
		{ LUMEN_PIX_BAYER12P, LUMEN_CSI2_DT_RAW12, 12, 22, 5 },
		{ LUMEN_PIX_BAYER16,  LUMEN_CSI2_DT_RAW10, 10, 4, 1 },
	};
	static const int lanes[] = { 1, 2, 4, 3 };

	(void)state;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		for (size_t l = 0; l < sizeof(lanes) / sizeof(lanes[0]); l++)
			for (int mode = 0; mode < 4; mode++) {
				struct trip t = {
					.fmt = f[i].fmt, .dt = f[i].dt, .bits = f[i].bits,
					.w = f[i].w, .h = f[i].h,
					.tx_lanes = lanes[l], .rx_lanes = lanes[l],
					.callback = mode & 1, .line_sync = mode & 2,
					.frames = 3,
				};
				struct lumen_csi2_rx_counters c;
				struct sink s;

				run_trip(&t, &c, &s, NULL, 0);
				assert_clean(&c, 3);
				assert_int_equal(c.lines, 3 * f[i].h);
				assert_int_equal(c.line_start, t.line_sync ? 3 * f[i].h : 0);
				assert_int_equal(c.line_end, c.line_start);
				assert_int_equal(c.last_frame_number, 3);
				assert_int_equal(s.ok, 3);
				assert_int_equal(s.mismatches, 0);
				sink_fini(&s);
			}
}

static void noise_never_delivers_bad_payload(void **state)
{
	static const double hp[] = { 0.002, 0.01, 0.05 };
	static const double pp[] = { 2e-5, 1e-4, 1e-2 };

	(void)state;
	for (int k = 0; k < 3; k++)
		for (int lanes = 1; lanes <= 4; lanes *= 2) {
			struct trip t = {
				.fmt = LUMEN_PIX_BAYER16, .dt = LUMEN_CSI2_DT_RAW10,
				.bits = 10, .w = 64, .h = 24,
				.tx_lanes = lanes, .rx_lanes = lanes,
				.line_sync = k == 1, .callback = lanes == 2,
				.faults = { .seed = 1234u + (unsigned)k,
					    .header_bit_prob = hp[k],
					    .payload_bit_prob = pp[k] },
				.frames = 60,
			};
			struct lumen_csi2_rx_counters c;
			struct sink s;

			run_trip(&t, &c, &s, NULL, 0);
			/* the link was noisy and the receiver saw it */
			assert_true(c.ecc_corrected > 0);
			assert_true(c.crc_errors > 0);
			assert_true(c.frames_dropped > 0);
			/* but what it delivered is exactly what was sent */
			assert_int_equal(s.mismatches, 0);
			assert_int_equal(s.ok, (int)c.frames_ok);
			assert_true(c.frames_ok <= 60);
			if (k == 0)
				assert_true(c.frames_ok > 0);
			sink_fini(&s);
		}
}

static void lane_count_mismatch_shows_symptoms(void **state)
{
	static const struct { int tx, rx; } m[] = {
		{ 2, 1 }, { 2, 4 }, { 4, 2 }, { 4, 1 }, { 1, 2 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct trip t = {
			.fmt = LUMEN_PIX_BAYER16, .dt = LUMEN_CSI2_DT_RAW10,
			.bits = 10, .w = 128, .h = 16,
			.tx_lanes = m[i].tx, .rx_lanes = m[i].rx,
			.frames = 4,
		};
		struct lumen_csi2_rx_counters c;
		struct sink s;
		char dump[2048];

		run_trip(&t, &c, &s, dump, sizeof(dump));
		assert_int_equal(c.frames_ok, 0);
		assert_int_equal(s.ok, 0);
		assert_int_equal(c.cur_w, 0);
		assert_int_equal(c.cur_h, 0);
		if (m[i].rx > m[i].tx) {
			/* lanes that never leave LP: no SoT, nothing decoded */
			assert_int_equal(c.sot_errors, c.bursts);
			assert_int_equal(c.packets, 0);
		} else {
			/* scrambled headers: ECC errors, no valid frame start */
			assert_true(c.ecc_corrected + c.ecc_uncorrectable > 0);
			assert_int_equal(c.frame_start, 0);
		}
		print_message("tx %d lanes, rx %d lanes:\n%s", m[i].tx, m[i].rx, dump);
		sink_fini(&s);
	}
}

static void dead_lane_is_sot_error(void **state)
{
	struct trip t = {
		.fmt = LUMEN_PIX_BAYER8, .dt = LUMEN_CSI2_DT_RAW8, .bits = 8,
		.w = 40, .h = 4, .tx_lanes = 2, .rx_lanes = 2,
		.faults = { .dead_lane_mask = 2 }, .frames = 2,
	};
	struct lumen_csi2_rx_counters c;
	struct sink s;

	(void)state;
	for (int cb = 0; cb < 2; cb++) {
		t.callback = cb;
		run_trip(&t, &c, &s, NULL, 0);
		assert_int_equal(c.sot_errors, c.bursts);
		assert_int_equal(c.frame_start, 0);
		assert_int_equal(c.frames_ok, 0);
		sink_fini(&s);
	}
}

static void truncated_line_drops_frame(void **state)
{
	(void)state;
	for (int eot = 0; eot < 2; eot++)
		for (int lanes = 1; lanes <= 4; lanes *= 2) {
			struct trip t = {
				.fmt = LUMEN_PIX_BAYER16, .dt = LUMEN_CSI2_DT_RAW12,
				.bits = 12, .w = 50, .h = 6,
				.tx_lanes = lanes, .rx_lanes = lanes,
				.faults = { .truncate_line = 3, .truncate_bytes = 9,
					    .truncate_at_eot = eot },
				.frames = 2,
			};
			struct lumen_csi2_rx_counters c;
			struct sink s;

			run_trip(&t, &c, &s, NULL, 0);
			assert_int_equal(c.short_lines, 2);
			assert_int_equal(c.frames_dropped, 2);
			assert_int_equal(c.frames_ok, 0);
			assert_int_equal(c.truncated_packets, eot ? 2 : 0);
			assert_int_equal(c.crc_errors, 0);
			assert_int_equal(c.ecc_corrected + c.ecc_uncorrectable, 0);
			assert_int_equal(c.cur_h, 6);
			assert_int_equal(c.cur_w, 50);	/* measured on the last line */
			assert_int_equal(s.returned, 2);
			sink_fini(&s);
		}
}

static void size_mismatches_are_counted(void **state)
{
	struct lumen_csi2_rx_counters c;
	struct sink s;
	struct trip t = {
		.fmt = LUMEN_PIX_BAYER16, .dt = LUMEN_CSI2_DT_RAW10, .bits = 10,
		.w = 48, .h = 8, .tx_lanes = 2, .rx_lanes = 2, .frames = 2,
	};

	(void)state;
	/* receiver expects narrower lines: every line is long */
	t.rx_w = 40;
	t.rx_h = 8;
	run_trip(&t, &c, &s, NULL, 0);
	assert_int_equal(c.long_lines, 16);
	assert_int_equal(c.frames_dropped, 2);
	assert_int_equal(c.cur_w, 48);
	sink_fini(&s);

	/* wider: short lines */
	t.rx_w = 52;
	run_trip(&t, &c, &s, NULL, 0);
	assert_int_equal(c.short_lines, 16);
	assert_int_equal(c.frames_ok, 0);
	sink_fini(&s);

	/* taller: missing lines; shorter: extra lines */
	t.rx_w = 48;
	t.rx_h = 10;
	run_trip(&t, &c, &s, NULL, 0);
	assert_int_equal(c.missing_lines, 4);
	assert_int_equal(c.frames_dropped, 2);
	assert_int_equal(c.cur_h, 8);
	sink_fini(&s);
	t.rx_h = 5;
	run_trip(&t, &c, &s, NULL, 0);
	assert_int_equal(c.extra_lines, 6);
	assert_int_equal(c.frames_ok, 0);
	sink_fini(&s);
}

/* Hand-built bursts: FE without FS, FS without FE, other VC/DT. */
static void send_packet(struct lumen_csi2_rx *rx, const uint8_t *pkt, size_t len)
{
	uint8_t lane0[80];
	uint8_t *lanes[1] = { lane0 };
	size_t bl = lumen_csi2_distribute(pkt, len, 1, lanes);

	lumen_csi2_rx_burst(rx, (const uint8_t *const *)lanes, 1, bl);
}

static void framing_errors(void **state)
{
	struct sink s;
	struct lumen_frame truth;
	struct lumen_csi2_rx *rx;
	struct lumen_csi2_rx_counters c;
	struct lumen_csi2_rx_config rc = {
		.nlanes = 1, .vc = 0, .dt = LUMEN_CSI2_DT_RAW8, .width = 8, .height = 1,
	};
	uint8_t pkt[32], line[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	char dump[2048];

	(void)state;
	assert_int_equal(lumen_frame_alloc(&truth, LUMEN_PIX_BAYER16, 8, 1), 0);
	for (int x = 0; x < 8; x++)
		((uint16_t *)(void *)truth.data[0])[x] = line[x];
	sink_init(&s, 8, 1, &truth);
	rc.pool = (struct lumen_csi2_rx_pool){ sink_get, sink_put, &s };
	assert_int_equal(lumen_csi2_rx_create(&rc, &rx), 0);

	lumen_csi2_short_packet(0, LUMEN_CSI2_DT_FE, 7, pkt);
	send_packet(rx, pkt, 4);			/* FE without FS */
	lumen_csi2_long_packet(0, LUMEN_CSI2_DT_RAW8, line, 8, pkt);
	send_packet(rx, pkt, 14);			/* line outside a frame */
	lumen_csi2_short_packet(0, LUMEN_CSI2_DT_FS, 8, pkt);
	send_packet(rx, pkt, 4);
	send_packet(rx, pkt, 4);			/* FS again: first one dropped */
	lumen_csi2_long_packet(2, LUMEN_CSI2_DT_RAW8, line, 8, pkt);
	send_packet(rx, pkt, 14);			/* other VC */
	lumen_csi2_long_packet(0, LUMEN_CSI2_DT_RAW10, line, 5, pkt);
	send_packet(rx, pkt, 11);			/* other DT */
	lumen_csi2_long_packet(0, LUMEN_CSI2_DT_RAW8, line, 8, pkt);
	send_packet(rx, pkt, 14);
	lumen_csi2_short_packet(0, LUMEN_CSI2_DT_FE, 9, pkt);
	send_packet(rx, pkt, 4);			/* wrong frame number */
	lumen_csi2_short_packet(0, LUMEN_CSI2_DT_FS, 10, pkt);
	send_packet(rx, pkt, 4);
	lumen_csi2_long_packet(0, LUMEN_CSI2_DT_RAW8, line, 8, pkt);
	send_packet(rx, pkt, 14);
	lumen_csi2_short_packet(0, LUMEN_CSI2_DT_FE, 10, pkt);
	send_packet(rx, pkt, 4);			/* a good one */

	lumen_csi2_rx_counters(rx, &c);
	assert_int_equal(c.fe_without_fs, 1);
	assert_int_equal(c.lines_outside_frame, 1);
	assert_int_equal(c.fs_without_fe, 1);
	assert_int_equal(c.other_vc, 1);
	assert_int_equal(c.unknown_dt, 1);
	assert_int_equal(c.frame_number_errors, 1);
	assert_int_equal(c.frame_start, 3);
	assert_int_equal(c.frame_end, 3);
	assert_int_equal(c.frames_ok, 1);
	assert_int_equal(c.frames_dropped, 2);
	assert_int_equal(s.ok, 1);
	assert_int_equal(s.mismatches, 0);

	assert_true(lumen_csi2_rx_dump(rx, dump, sizeof(dump)) < (int)sizeof(dump));
	assert_non_null(strstr(dump, "== MIPI0 info ==\n"));
	assert_non_null(strstr(dump, "IDEAL_RECV_SIZE = 8, 1\n"));
	assert_non_null(strstr(dump, "CUR_RECV_SIZE = 8, 1\n"));
	assert_non_null(strstr(dump, "CRC_ERR = 0\n"));
	/* the dump truncates like snprintf */
	assert_true(lumen_csi2_rx_dump(rx, dump, 10) > 10);
	assert_int_equal(strlen(dump), 9);

	lumen_csi2_rx_destroy(rx);
	sink_fini(&s);
	lumen_frame_free(&truth);
}

/* Hostile bursts: random bytes, random lengths, lanes missing. */
static void garbage_bursts_are_survived(void **state)
{
	static uint8_t lanes_mem[LUMEN_CSI2_MAX_LANES][600];
	unsigned seed = 77;

	(void)state;
	for (int n = 1; n <= LUMEN_CSI2_MAX_LANES; n++) {
		struct lumen_frame truth;
		struct sink s;
		struct lumen_csi2_rx *rx;
		struct lumen_csi2_rx_counters c;
		struct lumen_csi2_rx_config rc = {
			.nlanes = n, .vc = 0, .dt = LUMEN_CSI2_DT_RAW8,
			.width = 4, .height = 2,
		};

		assert_int_equal(lumen_frame_alloc(&truth, LUMEN_PIX_BAYER16, 4, 2), 0);
		sink_init(&s, 4, 2, &truth);
		rc.pool = (struct lumen_csi2_rx_pool){ sink_get, sink_put, &s };
		assert_int_equal(lumen_csi2_rx_create(&rc, &rx), 0);
		for (int i = 0; i < 20000; i++) {
			const uint8_t *lanes[LUMEN_CSI2_MAX_LANES];
			size_t len = lumen_test_rand(&seed) % 600;
			int present = (int)(lumen_test_rand(&seed) % (LUMEN_CSI2_MAX_LANES + 1));

			for (int l = 0; l < LUMEN_CSI2_MAX_LANES; l++) {
				for (size_t k = 0; k < len; k++)
					lanes_mem[l][k] = (uint8_t)lumen_test_rand(&seed);
				/* mostly well-formed SoT so the parser is reached */
				if (len && lumen_test_rand(&seed) % 8)
					lanes_mem[l][0] = LUMEN_CSI2_SYNC;
				/* and sometimes a plausible short header */
				if (len > 4 && n == 1 && lumen_test_rand(&seed) % 4 == 0)
					lumen_csi2_short_packet(0, lumen_test_rand(&seed) & 3,
								(uint16_t)lumen_test_rand(&seed),
								lanes_mem[l] + 1);
				lanes[l] = lanes_mem[l];
			}
			lumen_csi2_rx_burst(rx, lanes, present, len);
		}
		lumen_csi2_rx_counters(rx, &c);
		assert_int_equal(c.bursts, 20000);
		assert_true(c.sot_errors > 0);
		assert_true(c.packets > 0);
		assert_int_equal(s.mismatches, 0);
		lumen_csi2_rx_destroy(rx);
		for (int i = 0; i < POOL_SLOTS; i++)
			assert_false(s.busy[i]);
		sink_fini(&s);
		lumen_frame_free(&truth);
	}
}

/* Everything the lanes carried, in order, with a burst count. */
struct wire_log {
	uint8_t *bytes;
	size_t len, cap;
	int bursts;
};

static int log_burst(void *opaque, const uint8_t *const lane[], int nlanes,
		     size_t len)
{
	struct wire_log *w = opaque;

	w->bursts++;
	for (int l = 0; l < nlanes; l++) {
		if (!lane[l])
			continue;
		assert_true(w->len + len <= w->cap);
		memcpy(w->bytes + w->len, lane[l], len);
		w->len += len;
	}
	return 0;
}

/* A frame sent in bands of rows (the virtual sensor's way) puts on the
 * wire the bursts of the same frame sent whole: same frame numbers, line
 * numbers, CRCs, the same noise draws and the same cut line. */
static void bands_send_the_whole_frame(void **state)
{
	const int w = 64, h = 23;
	struct lumen_csi2_tx_config tc = {
		.nlanes = 2, .dt = LUMEN_CSI2_DT_RAW10, .max_width = w,
		.line_sync = true,
		.faults = { .seed = 9, .payload_bit_prob = 1e-3, .truncate_line = 13,
			    .truncate_bytes = 5, .dead_lane_mask = 0 },
	};
	struct lumen_csi2_tx *whole_tx, *band_tx;
	struct wire_log a = { 0 }, b = { 0 };
	struct lumen_frame f, view;

	(void)state;
	assert_int_equal(lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, w, h), 0);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			((uint16_t *)(void *)(f.data[0] + (size_t)y * f.stride[0]))[x] =
				(uint16_t)((x * 37 + y * 101) & 0x3FF);
	a.cap = b.cap = 1 << 16;
	assert_non_null(a.bytes = malloc(a.cap));
	assert_non_null(b.bytes = malloc(b.cap));
	assert_int_equal(lumen_csi2_tx_create(&tc, &whole_tx), 0);
	assert_int_equal(lumen_csi2_tx_create(&tc, &band_tx), 0);
	assert_int_equal(lumen_csi2_tx_rows(band_tx, &f), -EINVAL);	/* no FS yet */
	assert_int_equal(lumen_csi2_tx_frame_end(band_tx), -EINVAL);
	for (int frame = 0; frame < 2; frame++) {
		assert_int_equal(lumen_csi2_tx_frame_cb(whole_tx, &f, log_burst, &a), 0);
		assert_int_equal(lumen_csi2_tx_frame_start(band_tx, log_burst, &b), 0);
		for (int y = 0; y < h; y += 5) {
			assert_int_equal(lumen_frame_crop(&f, 0, y, w,
							  h - y < 5 ? h - y : 5, &view), 0);
			assert_int_equal(lumen_csi2_tx_rows(band_tx, &view), 0);
		}
		assert_int_equal(lumen_csi2_tx_frame_end(band_tx), 0);
	}
	assert_int_equal(a.bursts, b.bursts);
	assert_int_equal(a.bursts, 2 * (2 + 3 * h));	/* FS, LS line LE, FE */
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.bytes, b.bytes, a.len);
	assert_int_equal(lumen_csi2_tx_next_frame_number(band_tx), 3);
	lumen_csi2_tx_destroy(band_tx);
	lumen_csi2_tx_destroy(whole_tx);
	free(a.bytes);
	free(b.bytes);
	lumen_frame_free(&f);
}

static void rejects_bad_config(void **state)
{
	struct lumen_csi2_tx *tx;
	struct lumen_csi2_rx *rx;
	struct lumen_csi2_tx_config tc = { .nlanes = 5, .dt = LUMEN_CSI2_DT_RAW10, .max_width = 64 };
	struct lumen_csi2_rx_config rc = { .nlanes = 2, .dt = 0x30, .width = 64, .height = 4 };

	(void)state;
	assert_int_equal(lumen_csi2_tx_create(&tc, &tx), -EINVAL);
	tc.nlanes = 2;
	tc.max_width = 60000;	/* 75000 bytes: beyond a 16-bit WC */
	assert_int_equal(lumen_csi2_tx_create(&tc, &tx), -EINVAL);
	assert_int_equal(lumen_csi2_rx_create(&rc, &rx), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ecc_known_vectors),
		cmocka_unit_test(ecc_matches_literal_equations),
		cmocka_unit_test(ecc_every_single_bit_corrected),
		cmocka_unit_test(ecc_every_double_bit_detected),
		cmocka_unit_test(crc_known_vectors),
		cmocka_unit_test(crc_table_matches_bitwise),
		cmocka_unit_test(crc_simd_matches_c),
		cmocka_unit_test(lanes_simd_matches_c),
		cmocka_unit_test(long_packet_layout),
		cmocka_unit_test(lanes_distribute_round_robin),
		cmocka_unit_test(round_trip_all_formats_and_lanes),
		cmocka_unit_test(noise_never_delivers_bad_payload),
		cmocka_unit_test(lane_count_mismatch_shows_symptoms),
		cmocka_unit_test(dead_lane_is_sot_error),
		cmocka_unit_test(truncated_line_drops_frame),
		cmocka_unit_test(size_mismatches_are_counted),
		cmocka_unit_test(framing_errors),
		cmocka_unit_test(garbage_bursts_are_survived),
		cmocka_unit_test(bands_send_the_whole_frame),
		cmocka_unit_test(rejects_bad_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

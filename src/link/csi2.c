// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CSI-2 packet primitives: header ECC, payload CRC, packet encoding and the
 * lane distribution. The transmitter and receiver live in csi2_tx.c and
 * csi2_rx.c.
 */
#include "link/csi2.h"
#include "link/csi2_dsp.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

int lumen_csi2_dt_bpp(unsigned dt)
{
	switch (dt) {
	case LUMEN_CSI2_DT_RAW8:
		return 8;
	case LUMEN_CSI2_DT_RAW10:
		return 10;
	case LUMEN_CSI2_DT_RAW12:
		return 12;
	default:
		return 0;
	}
}

const char *lumen_csi2_dt_name(unsigned dt)
{
	switch (dt) {
	case LUMEN_CSI2_DT_FS: return "FS";
	case LUMEN_CSI2_DT_FE: return "FE";
	case LUMEN_CSI2_DT_LS: return "LS";
	case LUMEN_CSI2_DT_LE: return "LE";
	case LUMEN_CSI2_DT_RAW8: return "RAW8";
	case LUMEN_CSI2_DT_RAW10: return "RAW10";
	case LUMEN_CSI2_DT_RAW12: return "RAW12";
	default: return "?";
	}
}

/*
 * ECC parity equations of CSI-2 v1.x: parity bit Pj is the XOR of the header
 * bits Di whose i is set in ecc_mask[j]. Written out from the spec's
 * equations (the same ones the open FPGA receivers implement, e.g.
 * gatecat/CSI2Rx mipi-csi-rx/csi_rx_hdr_ecc.vhd).
 */
#define B(i) (1u << (i))
static const uint32_t ecc_mask[6] = {
	/* P0 */ B(0) | B(1) | B(2) | B(4) | B(5) | B(7) | B(10) | B(11) | B(13) |
		 B(16) | B(20) | B(21) | B(22) | B(23),
	/* P1 */ B(0) | B(1) | B(3) | B(4) | B(6) | B(8) | B(10) | B(12) | B(14) |
		 B(17) | B(20) | B(21) | B(22) | B(23),
	/* P2 */ B(0) | B(2) | B(3) | B(5) | B(6) | B(9) | B(11) | B(12) | B(15) |
		 B(18) | B(20) | B(21) | B(22),
	/* P3 */ B(1) | B(2) | B(3) | B(7) | B(8) | B(9) | B(13) | B(14) | B(15) |
		 B(19) | B(20) | B(21) | B(23),
	/* P4 */ B(4) | B(5) | B(6) | B(7) | B(8) | B(9) | B(16) | B(17) | B(18) |
		 B(19) | B(20) | B(22) | B(23),
	/* P5 */ B(10) | B(11) | B(12) | B(13) | B(14) | B(15) | B(16) | B(17) |
		 B(18) | B(19) | B(21) | B(22) | B(23),
};
#undef B

static unsigned parity32(uint32_t v)
{
	v ^= v >> 16;
	v ^= v >> 8;
	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return v & 1;
}

uint8_t lumen_csi2_ecc(uint32_t hdr24)
{
	unsigned ecc = 0;

	hdr24 &= 0xFFFFFFu;
	for (int j = 0; j < 6; j++)
		ecc |= parity32(hdr24 & ecc_mask[j]) << j;
	return (uint8_t)ecc;
}

/* Syndrome of a single error in data bit @i: the parity bits that cover it. */
static unsigned ecc_column(int i)
{
	unsigned col = 0;

	for (int j = 0; j < 6; j++)
		col |= ((ecc_mask[j] >> i) & 1u) << j;
	return col;
}

enum lumen_csi2_ecc_status lumen_csi2_ecc_check(const uint8_t in[4],
						uint8_t out[4], int *bit)
{
	uint32_t hdr = (uint32_t)in[0] | (uint32_t)in[1] << 8 |
		       (uint32_t)in[2] << 16;
	unsigned syn = (lumen_csi2_ecc(hdr) ^ in[3]) & 0x3Fu;
	int where = -1;

	if (out != in)
		memcpy(out, in, 4);
	if (bit)
		*bit = -1;
	if (!syn)
		return LUMEN_CSI2_ECC_OK;

	if (!(syn & (syn - 1))) {
		/* one bit set: the error is in the parity bit itself */
		for (where = 0; !(syn >> where & 1); where++)
			;
		out[3] ^= (uint8_t)syn;
		where += 24;
	} else {
		/* every column has odd weight (3 or 5) and all differ, so a
		 * syndrome equal to a column is exactly one data bit, and two
		 * errors (even weight) never look like one */
		for (int i = 0; i < 24; i++)
			if (ecc_column(i) == syn) {
				where = i;
				break;
			}
		if (where < 0)
			return LUMEN_CSI2_ECC_UNCORRECTABLE;
		out[where >> 3] ^= (uint8_t)(1u << (where & 7));
	}
	if (bit)
		*bit = where;
	return LUMEN_CSI2_ECC_CORRECTED;
}

/*
 * CRC-16, polynomial x^16+x^12+x^5+1 processed LSB first, i.e. the reflected
 * form 0x8408 shifting right. Slicing-by-16 tables (8 KiB), built once:
 * crc_table[t][b] is the CRC contribution of byte b followed by t zero bytes.
 */
#define CRC_POLY_REFLECTED 0x8408u
#define CRC_SLICES 16

static uint16_t crc_table[CRC_SLICES][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init_tables(void)
{
	for (unsigned i = 0; i < 256; i++) {
		unsigned c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ CRC_POLY_REFLECTED : c >> 1;
		crc_table[0][i] = (uint16_t)c;
	}
	for (unsigned i = 0; i < 256; i++)
		for (int t = 1; t < CRC_SLICES; t++) {
			unsigned c = crc_table[t - 1][i];

			crc_table[t][i] = (uint16_t)((c >> 8) ^ crc_table[0][c & 0xFF]);
		}
}

LUMEN_CRC16_FN(lumen_csi2_crc16_update_c)
{
	unsigned c = crc;

	pthread_once(&crc_once, crc_init_tables);
	while (n >= 16) {
		c ^= (unsigned)p[0] | (unsigned)p[1] << 8;
		c = crc_table[15][c & 0xFF] ^ crc_table[14][c >> 8] ^
		    crc_table[13][p[2]] ^ crc_table[12][p[3]] ^
		    crc_table[11][p[4]] ^ crc_table[10][p[5]] ^
		    crc_table[9][p[6]] ^ crc_table[8][p[7]] ^
		    crc_table[7][p[8]] ^ crc_table[6][p[9]] ^
		    crc_table[5][p[10]] ^ crc_table[4][p[11]] ^
		    crc_table[3][p[12]] ^ crc_table[2][p[13]] ^
		    crc_table[1][p[14]] ^ crc_table[0][p[15]];
		p += 16;
		n -= 16;
	}
	while (n--)
		c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xFF];
	return (uint16_t)c;
}

uint64_t lumen_csi2_crc_fold_const(unsigned n)
{
	uint32_t r = 1;		/* x^0, normal bit order: degree d at bit d */
	uint64_t k = 0;

	for (unsigned i = 0; i < n; i++) {
		r <<= 1;
		if (r & 0x10000u)
			r ^= 0x11021u;	/* x^16 + x^12 + x^5 + 1 */
	}
	for (int d = 0; d < 16; d++)
		if (r >> d & 1)
			k |= 1ull << (63 - d);
	return k;
}

LUMEN_LANE_SPLIT_FN(lumen_lane_split2_c)
{
	uint8_t *restrict a = lane[0], *restrict b = lane[1];

	for (size_t j = 0; j < count; j++) {
		a[j] = src[2 * j];
		b[j] = src[2 * j + 1];
	}
}

LUMEN_LANE_SPLIT_FN(lumen_lane_split4_c)
{
	uint8_t *restrict a = lane[0], *restrict b = lane[1];
	uint8_t *restrict c = lane[2], *restrict d = lane[3];

	for (size_t j = 0; j < count; j++) {
		a[j] = src[4 * j];
		b[j] = src[4 * j + 1];
		c[j] = src[4 * j + 2];
		d[j] = src[4 * j + 3];
	}
}

LUMEN_LANE_MERGE_FN(lumen_lane_merge2_c)
{
	const uint8_t *restrict a = lane[0], *restrict b = lane[1];

	for (size_t j = 0; j < count; j++) {
		dst[2 * j] = a[j];
		dst[2 * j + 1] = b[j];
	}
}

LUMEN_LANE_MERGE_FN(lumen_lane_merge4_c)
{
	for (size_t j = 0; j < count; j++)
		for (int l = 0; l < 4; l++)
			dst[4 * j + (size_t)l] = lane[l][j];
}

void lumen_csi2_dsp_init(struct lumen_csi2_dsp *dsp)
{
	dsp->crc16 = lumen_csi2_crc16_update_c;
	dsp->split2 = lumen_lane_split2_c;
	dsp->split4 = lumen_lane_split4_c;
	dsp->merge2 = lumen_lane_merge2_c;
	dsp->merge4 = lumen_lane_merge4_c;
#if defined(LUMEN_HAVE_AVX2)
	lumen_csi2_dsp_init_x86(dsp);
#elif defined(LUMEN_HAVE_NEON)
	lumen_csi2_dsp_init_arm(dsp);
#endif
}

static struct lumen_csi2_dsp csi2_dsp;
static pthread_once_t dsp_once = PTHREAD_ONCE_INIT;

static void dsp_init_once(void)
{
	lumen_csi2_dsp_init(&csi2_dsp);
}

const struct lumen_csi2_dsp *lumen_csi2_dsp(void)
{
	pthread_once(&dsp_once, dsp_init_once);
	return &csi2_dsp;
}

uint16_t lumen_csi2_crc16_update(uint16_t crc, const uint8_t *p, size_t n)
{
	return lumen_csi2_dsp()->crc16(crc, p, n);
}

uint16_t lumen_csi2_crc16(const uint8_t *p, size_t n)
{
	return lumen_csi2_crc16_update(LUMEN_CSI2_CRC_SEED, p, n);
}

uint16_t lumen_csi2_crc16_bitwise(const uint8_t *p, size_t n)
{
	unsigned c = LUMEN_CSI2_CRC_SEED;

	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 8; b++) {
			unsigned in = (p[i] >> b) & 1u;	/* LSB first */
			unsigned fb = (c ^ in) & 1u;

			c >>= 1;
			if (fb)
				c ^= CRC_POLY_REFLECTED;
		}
	return (uint16_t)c;
}

int lumen_csi2_header_build(const struct lumen_csi2_header *h, uint8_t out[4])
{
	if (h->vc > 3 || h->dt > 0x3F)
		return -EINVAL;
	out[0] = (uint8_t)(h->vc << 6 | h->dt);
	out[1] = (uint8_t)(h->wc & 0xFF);
	out[2] = (uint8_t)(h->wc >> 8);
	out[3] = lumen_csi2_ecc((uint32_t)out[0] | (uint32_t)out[1] << 8 |
				(uint32_t)out[2] << 16);
	return 0;
}

enum lumen_csi2_ecc_status lumen_csi2_header_parse(const uint8_t in[4],
						   struct lumen_csi2_header *h,
						   int *bit)
{
	uint8_t fixed[4];
	enum lumen_csi2_ecc_status st = lumen_csi2_ecc_check(in, fixed, bit);

	if (st == LUMEN_CSI2_ECC_UNCORRECTABLE)
		return st;
	h->vc = fixed[0] >> 6;
	h->dt = fixed[0] & 0x3F;
	h->wc = (uint16_t)(fixed[1] | fixed[2] << 8);
	return st;
}

int lumen_csi2_short_packet(unsigned vc, unsigned dt, uint16_t data,
			    uint8_t out[4])
{
	struct lumen_csi2_header h = { (uint8_t)vc, (uint8_t)dt, data };

	if (!lumen_csi2_dt_is_short(dt) || vc > 3)
		return -EINVAL;
	return lumen_csi2_header_build(&h, out);
}

long lumen_csi2_long_packet(unsigned vc, unsigned dt, const uint8_t *payload,
			    uint16_t wc, uint8_t *out)
{
	struct lumen_csi2_header h = { (uint8_t)vc, (uint8_t)dt, wc };
	uint16_t crc;

	if (lumen_csi2_dt_is_short(dt) || vc > 3 || dt > 0x3F || (wc && !payload))
		return -EINVAL;
	lumen_csi2_header_build(&h, out);
	if (wc && out + LUMEN_CSI2_HDR_LEN != payload)
		memmove(out + LUMEN_CSI2_HDR_LEN, payload, wc);
	crc = lumen_csi2_crc16(out + LUMEN_CSI2_HDR_LEN, wc);
	out[LUMEN_CSI2_HDR_LEN + wc] = (uint8_t)(crc & 0xFF);
	out[LUMEN_CSI2_HDR_LEN + wc + 1] = (uint8_t)(crc >> 8);
	return (long)lumen_csi2_packet_len(dt, wc);
}

size_t lumen_csi2_distribute(const uint8_t *pkt, size_t len, int nlanes,
			     uint8_t *const lane[])
{
	size_t per = (len + (size_t)nlanes - 1) / (size_t)nlanes;

	for (int l = 0; l < nlanes; l++)
		lane[l][0] = LUMEN_CSI2_SYNC;

	switch (nlanes) {
	case 1:
		memcpy(lane[0] + 1, pkt, len);
		break;
	case 2: {
		uint8_t *const l2[2] = { lane[0] + 1, lane[1] + 1 };

		lumen_csi2_dsp()->split2(pkt, len / 2, l2);
		if (len & 1)
			lane[0][1 + len / 2] = pkt[len - 1];
		break;
	}
	case 4: {
		uint8_t *const l4[4] = { lane[0] + 1, lane[1] + 1, lane[2] + 1,
					 lane[3] + 1 };
		size_t j = len / 4;

		lumen_csi2_dsp()->split4(pkt, j, l4);
		for (size_t k = 4 * j; k < len; k++)
			lane[k & 3][1 + j] = pkt[k];
		break;
	}
	default:
		for (size_t k = 0; k < len; k++)
			lane[k % (size_t)nlanes][1 + k / (size_t)nlanes] = pkt[k];
		break;
	}

	/* HS-trail: a lane that finished early holds the complement of the
	 * last bit it sent (bytes go LSB first, so bit 7) until the others end */
	for (int l = 0; l < nlanes; l++) {
		size_t used = len / (size_t)nlanes + ((size_t)l < len % (size_t)nlanes);

		if (used < per) {
			uint8_t last = used ? lane[l][used] : LUMEN_CSI2_SYNC;

			memset(lane[l] + 1 + used, (last & 0x80) ? 0x00 : 0xFF,
			       per - used);
		}
	}
	return 1 + per;
}

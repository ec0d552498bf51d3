// SPDX-License-Identifier: GPL-2.0-or-later
/* RFC 6184 packetisation, RTP header and RTCP SR; see rtp_h264.h. */
#include <errno.h>
#include <string.h>

#include "net/rtp_h264.h"

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Offset of the next 00 00 01 at or after @from, or @len. */
static size_t next_start(const uint8_t *p, size_t len, size_t from)
{
	for (size_t i = from; i + 2 < len; i++) {
		if (p[i + 2] > 1) {
			i += 2;
			continue;
		}
		if (!p[i] && !p[i + 1] && p[i + 2] == 1)
			return i;
	}
	return len;
}

int lumen_h264_split_annexb(const uint8_t *annexb, size_t len,
			    struct lumen_nal *nals, int max)
{
	size_t pos = next_start(annexb, len, 0);
	int n = 0;

	/* only zero bytes may precede the first start code */
	for (size_t i = 0; i < pos; i++)
		if (annexb[i])
			return -EBADMSG;
	if (pos == len)
		return -EBADMSG;
	while (pos < len) {
		size_t begin = pos + 3, end = next_start(annexb, len, begin);
		size_t stop = end;

		while (stop > begin && !annexb[stop - 1])
			stop--;	/* trailing_zero_8bits / 4-byte start code */
		if (stop > begin) {
			if (n == max)
				return -E2BIG;
			nals[n].data = annexb + begin;
			nals[n].len = stop - begin;
			n++;
		}
		pos = end;
	}
	return n;
}

size_t lumen_h264_packet_count(size_t len, size_t mtu)
{
	if (len <= mtu)
		return 1;
	/* the NAL header byte is carried in the FU indicator/header */
	return (len - 1 + (mtu - 2) - 1) / (mtu - 2);
}

size_t lumen_h264_packet(const struct lumen_nal *nal, size_t mtu, size_t i,
			 uint8_t *out)
{
	size_t frag = mtu - 2, n = lumen_h264_packet_count(nal->len, mtu);
	size_t off, len;
	uint8_t h = nal->data[0];

	if (n == 1) {
		memcpy(out, nal->data, nal->len);
		return nal->len;
	}
	off = 1 + i * frag;
	len = nal->len - off < frag ? nal->len - off : frag;
	out[0] = (uint8_t)((h & 0xE0) | LUMEN_H264_NAL_FU_A);	/* F, NRI */
	out[1] = (uint8_t)((h & 0x1F) | (i == 0 ? 0x80 : 0) | (i == n - 1 ? 0x40 : 0));
	memcpy(out + 2, nal->data + off, len);
	return len + 2;
}

void lumen_rtp_header(uint8_t out[LUMEN_RTP_HDR_LEN], bool marker, unsigned pt,
		      uint16_t seq, uint32_t ts, uint32_t ssrc)
{
	out[0] = 0x80;
	out[1] = (uint8_t)((marker ? 0x80 : 0) | (pt & 0x7F));
	put16(out + 2, seq);
	put32(out + 4, ts);
	put32(out + 8, ssrc);
}

uint32_t lumen_rtp_frame_ts(uint64_t pts_90k, unsigned fps_num, unsigned fps_den,
			    uint64_t *slot)
{
	/* a slot is 90000 * den / num ticks; pts_90k stays far below 2^64 /
	 * num for centuries of CLOCK_MONOTONIC */
	uint64_t num = fps_num && fps_den ? fps_num : 1;
	uint64_t per = fps_num && fps_den ? 90000ull * fps_den : 1;
	uint64_t s = (pts_90k * num + per / 2) / per;

	if (*slot != UINT64_MAX && s <= *slot)
		s = *slot + 1;
	*slot = s;
	return (uint32_t)(s * per / num);
}

uint64_t lumen_ntp_from_realtime(int64_t realtime_ns)
{
	/* 70 years incl. 17 leap days between 1900 and 1970 */
	uint64_t sec = (uint64_t)(realtime_ns / 1000000000) + 2208988800u;
	uint64_t ns = (uint64_t)(realtime_ns % 1000000000);

	return sec << 32 | ((ns << 32) / 1000000000u);
}

size_t lumen_rtcp_sr(uint8_t *out, size_t size, uint32_t ssrc, uint64_t ntp,
		     uint32_t rtp_ts, uint32_t packets, uint32_t octets,
		     const char *cname)
{
	size_t cl = strlen(cname), sdes, total;

	if (cl > 255)
		cl = 255;
	/* SDES chunk: SSRC, CNAME item (type, len, text), END, pad to 4 */
	sdes = 4 + 4 + ((2 + cl + 1 + 3) & ~(size_t)3);
	total = 28 + sdes;
	if (size < total)
		return 0;
	out[0] = 0x80;			/* V=2, RC=0 */
	out[1] = 200;			/* SR */
	put16(out + 2, 6);		/* length in 32-bit words - 1 */
	put32(out + 4, ssrc);
	put32(out + 8, (uint32_t)(ntp >> 32));
	put32(out + 12, (uint32_t)ntp);
	put32(out + 16, rtp_ts);
	put32(out + 20, packets);
	put32(out + 24, octets);
	memset(out + 28, 0, sdes);
	out[28] = 0x81;			/* V=2, SC=1 */
	out[29] = 202;			/* SDES */
	put16(out + 30, (uint32_t)(sdes / 4 - 1));
	put32(out + 32, ssrc);
	out[36] = 1;			/* CNAME */
	out[37] = (uint8_t)cl;
	memcpy(out + 38, cname, cl);
	return total;
}

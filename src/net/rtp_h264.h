/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * H.264 over RTP (RFC 6184, packetization-mode=1 as sent: single NAL unit
 * packets and FU-A; no STAP-A), the RTP fixed header (RFC 3550 5.1) and the
 * RTCP sender report (RFC 3550 6.4.1) with an SDES CNAME.
 *
 * Contract: pure functions over caller buffers; no allocation; any thread.
 * Multi-byte fields are written big-endian byte by byte (no host-order
 * assumption, no unaligned access).
 */
#ifndef LUMEN_NET_RTP_H264_H
#define LUMEN_NET_RTP_H264_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LUMEN_RTP_HDR_LEN	12
#define LUMEN_RTP_MAX_PAYLOAD	1400	/* default payload bytes per packet */
#define LUMEN_RTP_PT_H264	96

/* H.264 NAL unit types used here (ITU-T H.264 table 7-1) */
enum {
	LUMEN_H264_NAL_SLICE = 1,
	LUMEN_H264_NAL_IDR = 5,
	LUMEN_H264_NAL_SEI = 6,
	LUMEN_H264_NAL_SPS = 7,
	LUMEN_H264_NAL_PPS = 8,
	LUMEN_H264_NAL_AUD = 9,
	LUMEN_H264_NAL_FU_A = 28,	/* RFC 6184 5.8 */
};

struct lumen_nal {
	const uint8_t *data;	/* first byte is the NAL header */
	size_t len;
};

/*
 * Splits an Annex-B byte stream (3- or 4-byte start codes) into NAL units,
 * at most @max. Trailing zero bytes of a NAL (before the next start code)
 * are not part of it. Returns the count, or -EBADMSG when @annexb does not
 * begin with a start code, -E2BIG when there are more than @max.
 */
int lumen_h264_split_annexb(const uint8_t *annexb, size_t len,
			    struct lumen_nal *nals, int max);

/* Number of RTP packets a NAL of @len bytes takes with @mtu payload bytes. */
size_t lumen_h264_packet_count(size_t len, size_t mtu);

/*
 * Payload of packet @i (0 <= i < lumen_h264_packet_count()) of one NAL:
 * the NAL itself when it fits @mtu, else FU-A fragment @i (2-byte
 * indicator/header, then up to @mtu - 2 NAL payload bytes; S bit on the
 * first, E bit on the last). Writes at most @mtu bytes to @out and returns
 * the length.
 */
size_t lumen_h264_packet(const struct lumen_nal *nal, size_t mtu, size_t i,
			 uint8_t *out);

/* Writes the 12-byte RTP header (V=2, no padding/extension/CSRC). */
void lumen_rtp_header(uint8_t out[LUMEN_RTP_HDR_LEN], bool marker, unsigned pt,
		      uint16_t seq, uint32_t ts, uint32_t ssrc);

/*
 * The RTP timestamp of the next access unit of a stream of @fps_num /
 * @fps_den frames per second, from its capture time @pts_90k on the 90 kHz
 * clock. *@slot is the frame slot (pts_90k / frame period) the previous AU
 * took; UINT64_MAX before the first. The AU takes the slot nearest to
 * @pts_90k, or the one after *@slot when that is not later (two captures
 * that round to one slot, a capture time that went back), and *@slot is
 * updated. So the timestamps increase strictly, sit on the frame grid the
 * SDP's a=framerate announces (a client that counts in frame periods, as
 * ffmpeg does, never sees two frames in one), and stay within half a
 * period of capture unless the source delivers faster than @fps_num /
 * @fps_den. @fps_num or @fps_den 0: the slot is one 90 kHz tick.
 */
uint32_t lumen_rtp_frame_ts(uint64_t pts_90k, unsigned fps_num, unsigned fps_den,
			    uint64_t *slot);

/* NTP timestamp (RFC 3550 4: seconds since 1900 . fraction) of a
 * CLOCK_REALTIME value in ns. */
uint64_t lumen_ntp_from_realtime(int64_t realtime_ns);

/*
 * A compound RTCP packet: SR (no report blocks) + SDES with @cname.
 * Returns its length (at most 28 + 8 + strlen(cname) rounded up to 4,
 * @cname at most 255 bytes), or 0 when @size is too small.
 */
size_t lumen_rtcp_sr(uint8_t *out, size_t size, uint32_t ssrc, uint64_t ntp,
		     uint32_t rtp_ts, uint32_t packets, uint32_t octets,
		     const char *cname);

#endif

// SPDX-License-Identifier: GPL-2.0-or-later
/* SDP for H.264 and base64; see sdp.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "net/sdp.h"

int lumen_base64(const uint8_t *in, size_t len, char *out, size_t size)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t need = (len + 2) / 3 * 4, o = 0;

	if (size < need + 1)
		return -ENOSPC;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t n = len - i;

		if (n > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (n > 2)
			v |= in[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = n > 1 ? tab[v >> 6 & 63] : '=';
		out[o++] = n > 2 ? tab[v & 63] : '=';
	}
	out[o] = '\0';
	return (int)o;
}

int lumen_h264_profile_level_id(const uint8_t *sps, size_t len, char out[7])
{
	if (!sps || len < 4 || (sps[0] & 0x1F) != 7)
		return -EINVAL;
	snprintf(out, 7, "%02x%02x%02x", sps[1], sps[2], sps[3]);
	return 0;
}

struct sdp_buf {
	char *p;
	size_t size, len;
	int err;
};

static void __attribute__((format(printf, 2, 3))) put(struct sdp_buf *b,
						       const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->size - b->len)
		b->err = -ENOSPC;
	else
		b->len += (size_t)n;
}

int lumen_sdp_build(const struct lumen_sdp_stream *st, char *out, size_t size)
{
	struct sdp_buf b = { out, size, 0, 0 };
	char plid[7], sps64[512], pps64[256];

	if (!size)
		return -ENOSPC;
	put(&b, "v=0\r\n");
	put(&b, "o=- %llu %llu IN IP4 %s\r\n", (unsigned long long)st->session_id,
	    (unsigned long long)st->version, st->origin_addr);
	put(&b, "s=lumen\r\n");
	put(&b, "c=IN IP4 0.0.0.0\r\n");
	put(&b, "t=0 0\r\n");
	put(&b, "a=tool:lumen\r\n");
	put(&b, "a=range:npt=0-\r\n");
	put(&b, "a=control:*\r\n");
	put(&b, "m=video 0 RTP/AVP 96\r\n");
	if (st->bitrate_kbps)
		put(&b, "b=AS:%u\r\n", st->bitrate_kbps);
	put(&b, "a=rtpmap:96 H264/90000\r\n");
	put(&b, "a=fmtp:96 packetization-mode=1");
	if (!lumen_h264_profile_level_id(st->sps, st->sps_len, plid))
		put(&b, ";profile-level-id=%s", plid);
	if (st->sps && st->pps &&
	    lumen_base64(st->sps, st->sps_len, sps64, sizeof(sps64)) >= 0 &&
	    lumen_base64(st->pps, st->pps_len, pps64, sizeof(pps64)) >= 0)
		put(&b, ";sprop-parameter-sets=%s,%s", sps64, pps64);
	put(&b, "\r\n");
	if (st->width && st->height)
		put(&b, "a=framesize:96 %u-%u\r\n", st->width, st->height);
	if (st->fps_num && st->fps_den) {
		if (st->fps_num % st->fps_den == 0)
			put(&b, "a=framerate:%u\r\n", st->fps_num / st->fps_den);
		else
			put(&b, "a=framerate:%.3f\r\n", (double)st->fps_num / st->fps_den);
	}
	put(&b, "a=recvonly\r\n");
	put(&b, "a=control:%s\r\n", st->control);
	return b.err ? b.err : (int)b.len;
}

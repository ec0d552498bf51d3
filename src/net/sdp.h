/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SDP (RFC 4566) for one H.264 video stream (RFC 6184 8.2.1 fmtp), and
 * the base64 (RFC 4648) it needs for sprop-parameter-sets.
 * Pure functions over caller buffers; any thread.
 */
#ifndef LUMEN_NET_SDP_H
#define LUMEN_NET_SDP_H

#include <stddef.h>
#include <stdint.h>

/* Writes base64 of @len bytes and a NUL. Returns the length written, or
 * -ENOSPC when @size < 4 * ceil(len / 3) + 1. */
int lumen_base64(const uint8_t *in, size_t len, char *out, size_t size);

/* "42c01f": profile_idc, constraint flags, level_idc of an SPS NAL (bytes
 * 1..3 after the NAL header). Returns 0, or -EINVAL when @sps is shorter
 * than 4 bytes or no SPS. */
int lumen_h264_profile_level_id(const uint8_t *sps, size_t len, char out[7]);

struct lumen_sdp_stream {
	const char *origin_addr;	/* o= address, e.g. the server's IPv4 */
	uint64_t session_id, version;
	unsigned width, height;
	unsigned fps_num, fps_den;	/* a=framerate */
	unsigned bitrate_kbps;		/* b=AS; 0 leaves it out */
	const uint8_t *sps, *pps;	/* NULL before the first keyframe */
	size_t sps_len, pps_len;
	const char *control;		/* the track's a=control, "trackID=0" */
};

/* Writes the session description. Returns its length or -ENOSPC. */
int lumen_sdp_build(const struct lumen_sdp_stream *st, char *out, size_t size);

#endif

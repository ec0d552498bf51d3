// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RTSP server pieces: MD5 and Digest against the RFC vectors, request
 * framing (good, garbage, bad CSeq, oversized), Transport, paths, base64,
 * profile-level-id, SDP, RFC 6184 FU-A split and reassembly, RTCP SR; then
 * an in-process server driven over a TCP socket (status codes, auth, and
 * the interleaved RTP of pushed access units: markers, sequence numbers,
 * timestamps, SPS/PPS before the IDR, payloads reassembled bit-exact).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "net/rtp_h264.h"
#include "net/rtsp.h"
#include "net/rtsp_parse.h"
#include "net/sdp.h"
#include "testutil.h"

static struct lumen_rtsp_request req;	/* large: keep off the stack */

/* ---- request framing ------------------------------------------------------ */

static int parse(const char *s, size_t *used)
{
	struct lumen_rtsp_frame fr;
	char err[200];

	return lumen_rtsp_parse(s, strlen(s), &req, &fr, used, err, sizeof(err));
}

static void parse_good(void **state)
{
	static const char two[] =
		"OPTIONS rtsp://127.0.0.1:8554/ch0 RTSP/1.0\r\nCSeq: 1\r\n"
		"User-Agent: test\r\n\r\n"
		"SET_PARAMETER rtsp://h/ch0 RTSP/1.0\r\nCSeq:   2  \r\n"
		"Content-Length: 5\r\nSession: ABC;timeout=60\r\n\r\nhello";
	size_t used, off;

	(void)state;
	assert_int_equal(parse(two, &used), LUMEN_RTSP_REQUEST);
	assert_int_equal(req.method, LUMEN_RTSP_OPTIONS);
	assert_string_equal(req.uri, "rtsp://127.0.0.1:8554/ch0");
	assert_int_equal(req.cseq, 1);
	assert_string_equal(lumen_rtsp_header(&req, "user-agent"), "test");
	assert_null(lumen_rtsp_header(&req, "Session"));
	off = used;
	assert_int_equal(parse(two + off, &used), LUMEN_RTSP_REQUEST);
	assert_int_equal(req.method, LUMEN_RTSP_SET_PARAMETER);
	assert_int_equal(req.cseq, 2);
	assert_int_equal(req.body_len, 5);
	assert_memory_equal(req.body, "hello", 5);
	assert_int_equal(off + used, strlen(two));

	/* every prefix of a request is "need more", never an error */
	for (size_t n = 0; n < off; n++) {
		struct lumen_rtsp_frame fr;

		assert_int_equal(lumen_rtsp_parse(two, n, &req, &fr, &used, NULL, 0),
				 LUMEN_RTSP_NEED_MORE);
	}
	/* a body not yet complete */
	assert_int_equal(parse("SET_PARAMETER * RTSP/1.0\r\nCSeq: 3\r\n"
			       "Content-Length: 10\r\n\r\nabc", &used),
			 LUMEN_RTSP_NEED_MORE);
	/* LF-only line ends, blank lines before a request, folded header */
	assert_int_equal(parse("\r\n\nPLAY /ch1 RTSP/1.0\nCSeq: 9\nX: a\n b\n\n", &used),
			 LUMEN_RTSP_REQUEST);
	assert_int_equal(req.method, LUMEN_RTSP_PLAY);
	assert_int_equal(req.cseq, 9);
	assert_string_equal(lumen_rtsp_header(&req, "X"), "a  b");
	/* unknown and unsupported methods parse; the server answers 501/405 */
	assert_int_equal(parse("FOO * RTSP/1.0\r\nCSeq: 1\r\n\r\n", &used),
			 LUMEN_RTSP_REQUEST);
	assert_int_equal(req.method, LUMEN_RTSP_UNKNOWN);
	assert_int_equal(parse("RECORD * RTSP/1.0\r\nCSeq: 1\r\n\r\n", &used),
			 LUMEN_RTSP_REQUEST);
	assert_int_equal(req.method, LUMEN_RTSP_RECORD);
}

static void parse_interleaved(void **state)
{
	static const char f[] = "$\x01\x00\x03" "abcOPTIONS";
	struct lumen_rtsp_frame fr;
	size_t used;

	(void)state;
	assert_int_equal(lumen_rtsp_parse(f, 6, &req, &fr, &used, NULL, 0),
			 LUMEN_RTSP_NEED_MORE);
	assert_int_equal(lumen_rtsp_parse(f, sizeof(f) - 1, &req, &fr, &used, NULL, 0),
			 LUMEN_RTSP_INTERLEAVED);
	assert_int_equal(fr.channel, 1);
	assert_int_equal(fr.len, 3);
	assert_memory_equal(fr.payload, "abc", 3);
	assert_int_equal(used, 7);
}

static void parse_garbage(void **state)
{
	static const char bin[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
	struct lumen_rtsp_frame fr;
	char err[200];
	size_t used;
	unsigned rng = 12345;

	(void)state;
	/* a TLS hello: refused at once, no need to wait for a blank line */
	assert_int_equal(lumen_rtsp_parse(bin, sizeof(bin) - 1, &req, &fr, &used,
					  err, sizeof(err)), -EBADMSG);
	assert_int_equal(req.status, 400);
	assert_true(req.fatal);
	assert_int_equal(used, sizeof(bin) - 1);
	assert_non_null(strstr(err, "method"));

	assert_int_equal(parse("hello\r\n\r\n", &used), -EBADMSG);
	assert_int_equal(req.status, 400);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &used), -EBADMSG);
	assert_int_equal(req.status, 400);
	assert_int_equal(parse("OPTIONS * RTSP/2.0\r\nCSeq: 4\r\n\r\n", &used), -EBADMSG);
	assert_int_equal(req.status, 505);
	assert_int_equal(req.cseq, 4);
	assert_false(req.fatal);
	assert_int_equal(parse("OPTIONS * RTSP/1.0\r\nCSeq: 4\r\nno colon here\r\n\r\n",
			       &used), -EBADMSG);
	assert_int_equal(req.status, 400);
	assert_int_equal(parse("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nContent-Length: -1\r\n\r\n",
			       &used), -EBADMSG);
	assert_int_equal(req.status, 400);

	/* random bytes never crash and never report a request without CSeq */
	for (int round = 0; round < 2000; round++) {
		char buf[256];
		size_t n = lumen_test_rand(&rng) % sizeof(buf);
		int ret;

		for (size_t i = 0; i < n; i++) {
			unsigned r = lumen_test_rand(&rng);

			if (r % 5 == 0)
				buf[i] = "\r\n :"[r % 4];
			else if (r % 3 == 0)
				buf[i] = "OPTIONS * RTSP/1.0\r\nCSeq: 1"[r % 27];
			else
				buf[i] = (char)(r >> 8);
		}
		ret = lumen_rtsp_parse(buf, n, &req, &fr, &used, err, sizeof(err));
		assert_true(used <= n);
		if (ret == LUMEN_RTSP_REQUEST)
			assert_true(req.cseq >= 0);
		if (ret < 0)
			assert_true(req.status >= 400);
	}
}

/* What gst-rtsp-server also refuses, and NUL bytes anywhere. */
static void parse_strict(void **state)
{
	static const char nul_line[] = "OPTIONS *\0 RTSP/1.0\r\nCSeq: 1\r\n\r\n";
	static const char nul_hdr[] = "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX: a\0b\r\n\r\n";
	static const char nul_partial[] = "OPTIONS rtsp://h/\0";
	static const char nul_body[] = "SET_PARAMETER * RTSP/1.0\r\nCSeq: 1\r\n"
		"Content-Length: 3\r\n\r\na\0b";
	static char uri[LUMEN_RTSP_MAX_URI + 64];
	struct lumen_rtsp_frame fr;
	char err[200], line[LUMEN_RTSP_MAX_URI + 128];
	size_t used;

	(void)state;
	assert_int_equal(lumen_rtsp_parse(nul_line, sizeof(nul_line) - 1, &req, &fr, &used,
					  err, sizeof(err)), -EBADMSG);
	assert_int_equal(req.status, 400);
	assert_true(req.fatal);
	assert_int_equal(lumen_rtsp_parse(nul_hdr, sizeof(nul_hdr) - 1, &req, &fr, &used,
					  err, sizeof(err)), -EBADMSG);
	assert_int_equal(req.status, 400);
	/* refused before the line is even complete */
	assert_int_equal(lumen_rtsp_parse(nul_partial, sizeof(nul_partial) - 1, &req, &fr,
					  &used, err, sizeof(err)), -EBADMSG);
	assert_int_equal(req.status, 400);
	assert_int_equal(lumen_rtsp_parse(nul_body, sizeof(nul_body) - 1, &req, &fr, &used,
					  err, sizeof(err)), -EBADMSG);
	assert_int_equal(req.status, 400);
	assert_int_equal(used, sizeof(nul_body) - 1);	/* framed: goes on */

	/* two Content-Lengths: which one frames the body? the stream is lost */
	assert_int_equal(parse("SET_PARAMETER * RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 0\r\n"
			       "Content-Length: 5\r\n\r\nhello", &used), -EBADMSG);
	assert_int_equal(req.status, 400);
	assert_true(req.fatal);
	/* versions: RTSP/x.y with nothing after it, else 400; not 1.0: 505 */
	assert_int_equal(parse("OPTIONS * RTSP/1.1\r\nCSeq: 1\r\n\r\n", &used), -EBADMSG);
	assert_int_equal(req.status, 505);
	assert_int_equal(parse("OPTIONS * RTSP/1.0x\r\nCSeq: 1\r\n\r\n", &used), -EBADMSG);
	assert_int_equal(req.status, 400);
	assert_int_equal(parse("OPTIONS * RTSP/1\r\nCSeq: 1\r\n\r\n", &used), -EBADMSG);
	assert_int_equal(req.status, 400);
	assert_int_equal(parse("OPTIONS * RTSP/.0\r\nCSeq: 1\r\n\r\n", &used), -EBADMSG);
	assert_int_equal(req.status, 400);
	/* folded header lines are joined, as gst-rtsp-server does */
	assert_int_equal(parse("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX-Long: a\r\n b\r\n\r\n",
			       &used), LUMEN_RTSP_REQUEST);
	assert_string_equal(lumen_rtsp_header(&req, "X-Long"), "a   b");
	/* a URI over the limit in a line under it: 414, the stream goes on */
	memset(uri, 'a', sizeof(uri) - 1);
	snprintf(line, sizeof(line), "DESCRIBE /%.*s RTSP/1.0\r\nCSeq: 3\r\n\r\n",
		 LUMEN_RTSP_MAX_URI, uri);
	assert_int_equal(parse(line, &used), -EBADMSG);
	assert_int_equal(req.status, 414);
	assert_false(req.fatal);
	assert_int_equal(req.cseq, 3);

}

static void parse_bad_cseq(void **state)
{
	static const char *const bad[] = {
		"DESCRIBE rtsp://h/ch0 RTSP/1.0\r\nAccept: application/sdp\r\n\r\n",
		"DESCRIBE rtsp://h/ch0 RTSP/1.0\r\nCSeq: abc\r\n\r\n",
		"DESCRIBE rtsp://h/ch0 RTSP/1.0\r\nCSeq: 12x\r\n\r\n",
		"DESCRIBE rtsp://h/ch0 RTSP/1.0\r\nCSeq: -1\r\n\r\n",
		"DESCRIBE rtsp://h/ch0 RTSP/1.0\r\nCSeq: 12345678901234\r\n\r\n",
		"DESCRIBE rtsp://h/ch0 RTSP/1.0\r\nCSeq:\r\n\r\n",
	};
	size_t used;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i], &used), -EBADMSG);
		assert_int_equal(req.status, 400);
		assert_false(req.fatal);	/* framed: the connection goes on */
		assert_int_equal(req.cseq, -1);
		assert_int_equal(used, strlen(bad[i]));
	}
}

static void parse_oversized(void **state)
{
	static char big[LUMEN_RTSP_MAX_HEADER + 512];
	size_t used, n;

	(void)state;
	n = (size_t)snprintf(big, sizeof(big), "DESCRIBE rtsp://h/ch0 RTSP/1.0\r\nCSeq: 1\r\n");
	while (n + 40 < sizeof(big))
		n += (size_t)snprintf(big + n, sizeof(big) - n, "X-Pad: %030d\r\n", 0);
	assert_int_equal(parse(big, &used), -EMSGSIZE);
	assert_int_equal(req.status, 413);
	assert_true(req.fatal);

	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "DESCRIBE /", 10);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse(big, &used), -EMSGSIZE);
	assert_int_equal(req.status, 414);

	assert_int_equal(parse("SET_PARAMETER * RTSP/1.0\r\nCSeq: 1\r\n"
			       "Content-Length: 999999\r\n\r\n", &used), -EMSGSIZE);
	assert_int_equal(req.status, 413);

	n = (size_t)snprintf(big, sizeof(big), "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n");
	for (int i = 0; i < LUMEN_RTSP_MAX_HEADERS + 1; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "H%d: x\r\n", i);
	snprintf(big + n, sizeof(big) - n, "\r\n");
	assert_int_equal(parse(big, &used), -EMSGSIZE);
	assert_int_equal(req.status, 400);
}

/* ---- Transport, paths, session ids ---------------------------------------- */

static void transport(void **state)
{
	static const char *const bad[] = {
		"RTP/AVP;multicast;client_port=5000-5001",
		"RTP/SAVP;unicast;client_port=5000-5001",
		"RTP/AVP;unicast",
		"RTP/AVP;unicast;client_port=abc",
		"RTP/AVP;unicast;client_port=70000-70001",
		"RTP/AVP;unicast;client_port=0-1",
		/* an RTP port is even and its RTCP port the next one */
		"RTP/AVP;unicast;client_port=1-1",
		"RTP/AVP;unicast;client_port=5001-5002",
		"RTP/AVP;unicast;client_port=5000-5000",
		"RTP/AVP;unicast;client_port=5000-6001",
		"RTP/AVP;unicast;client_port=5001",
		"RTP/AVP;unicast;client_port=65535",
		"RTP/AVP;unicast;client_port=65534-65536",
		"RTP/AVP;unicast;client_port=-",
		"RTP/AVP;unicast;client_port=5000-",
		"RTP/AVP;unicast;client_port= 5000-5001x",
		"RTP/AVP/TCP;interleaved=300-301",
		"RTP/AVP;unicast;client_port=5000-5001;mode=record",
		"",
		";;;",
		"garbage",
	};
	struct lumen_rtsp_transport t;
	char err[160];

	(void)state;
	assert_int_equal(lumen_rtsp_parse_transport("RTP/AVP;unicast;client_port=5000-5001",
						    &t, err, sizeof(err)), 0);
	assert_false(t.tcp);
	assert_int_equal(t.client_port[0], 5000);
	assert_int_equal(t.client_port[1], 5001);
	assert_int_equal(lumen_rtsp_parse_transport("RTP/AVP/UDP;unicast;client_port=6000",
						    &t, err, sizeof(err)), 0);
	assert_int_equal(t.client_port[1], 6001);
	assert_int_equal(lumen_rtsp_parse_transport("RTP/AVP/TCP;unicast", &t, err,
						    sizeof(err)), 0);
	assert_true(t.tcp);
	assert_int_equal(t.interleaved[0], 0);
	assert_int_equal(t.interleaved[1], 1);
	assert_int_equal(lumen_rtsp_parse_transport("RTP/AVP/TCP;unicast;interleaved=2-3;mode=\"PLAY\"",
						    &t, err, sizeof(err)), 0);
	assert_int_equal(t.interleaved[0], 2);
	assert_int_equal(t.interleaved[1], 3);
	/* alternatives: the first one lumen serves wins */
	assert_int_equal(lumen_rtsp_parse_transport(
		"RTP/AVP;multicast,RTP/AVP/TCP;unicast;interleaved=4-5", &t, err,
		sizeof(err)), 0);
	assert_true(t.tcp);
	assert_int_equal(t.interleaved[0], 4);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(lumen_rtsp_parse_transport(bad[i], &t, err, sizeof(err)),
				 -EPROTONOSUPPORT);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(lumen_rtsp_parse_transport(NULL, &t, err, sizeof(err)),
			 -EPROTONOSUPPORT);
}

static void paths(void **state)
{
	static const struct { const char *uri; int ch; bool track; } v[] = {
		{ "rtsp://192.168.1.10:554/ch0", 0, false },
		{ "rtsp://h/ch1/", 1, false },
		{ "rtsp://h/stream=0", 0, false },
		{ "rtsp://h/stream=1/trackID=0", 1, true },
		{ "rtsp://h/stream0", 0, false },
		{ "rtsp://h/stream1?x=1", 1, false },
		{ "rtsp://h/ch0/trackID=0", 0, true },
		{ "rtsp://h/ch0/track1", 0, true },
		{ "/ch1", 1, false },
		{ "rtsp://h/ch2", -ENOENT, false },
		{ "rtsp://h/ch", -ENOENT, false },
		{ "rtsp://h/", -ENOENT, false },
		{ "rtsp://h", -ENOENT, false },
		{ "rtsp://h/ch0/foo", -ENOENT, false },
		{ "rtsp://h/ch0/trackID=0/x", -ENOENT, false },
		{ "rtsp://h/../ch0", -ENOENT, false },
		{ "rtsp://h/chx", -ENOENT, false },
		{ "*", -ENOENT, false },
	};
	char id[32];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		bool track;

		assert_int_equal(lumen_rtsp_uri_channel(v[i].uri, 2, &track), v[i].ch);
		if (v[i].ch >= 0)
			assert_int_equal(track, v[i].track);
	}
	assert_int_equal(lumen_rtsp_session_id("12AB34;timeout=60", id, sizeof(id)), 0);
	assert_string_equal(id, "12AB34");
	assert_int_equal(lumen_rtsp_session_id(";timeout=60", id, sizeof(id)), -EINVAL);
	assert_int_equal(lumen_rtsp_session_id("0123456789012345678901234567890123",
					       id, sizeof(id)), -EINVAL);
}

/* ---- SDP pieces ----------------------------------------------------------- */

static void base64_rfc4648(void **state)
{
	static const char *const v[][2] = {	/* RFC 4648 section 10 */
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	char out[16];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(lumen_base64((const uint8_t *)v[i][0], strlen(v[i][0]),
					      out, sizeof(out)), (int)strlen(v[i][1]));
		assert_string_equal(out, v[i][1]);
	}
	assert_int_equal(lumen_base64((const uint8_t *)"foobar", 6, out, 8), -ENOSPC);
}

/* An SPS (Baseline 3.1 with constraint_set0/1) and PPS as x264 writes them */
static const uint8_t test_sps[] = { 0x67, 0x42, 0xc0, 0x1f, 0xda, 0x02, 0x80, 0xbf,
				    0xe5, 0x84, 0x00, 0x00, 0x03, 0x00, 0x04 };
static const uint8_t test_pps[] = { 0x68, 0xce, 0x0f, 0x2c, 0x80 };

static void sdp_build(void **state)
{
	struct lumen_sdp_stream st = {
		.origin_addr = "10.0.0.2", .session_id = 1, .version = 2,
		.width = 640, .height = 360, .fps_num = 25, .fps_den = 1,
		.sps = test_sps, .sps_len = sizeof(test_sps),
		.pps = test_pps, .pps_len = sizeof(test_pps), .control = "trackID=0",
	};
	char plid[7], sdp[1024], b64[64];
	static const char *const lines[] = {
		"v=0\r\n", "o=- 1 2 IN IP4 10.0.0.2\r\n", "c=IN IP4 0.0.0.0\r\n",
		"t=0 0\r\n", "a=control:*\r\n", "m=video 0 RTP/AVP 96\r\n",
		"a=rtpmap:96 H264/90000\r\n", "a=framerate:25\r\n",
		"a=control:trackID=0\r\n",
		("a=fmtp:96 packetization-mode=1;profile-level-id=42c01f;"
		 "sprop-parameter-sets="),
	};

	(void)state;
	assert_int_equal(lumen_h264_profile_level_id(test_sps, sizeof(test_sps), plid), 0);
	assert_string_equal(plid, "42c01f");
	assert_int_equal(lumen_h264_profile_level_id(test_pps, sizeof(test_pps), plid),
			 -EINVAL);
	assert_int_equal(lumen_h264_profile_level_id(test_sps, 3, plid), -EINVAL);
	assert_true(lumen_sdp_build(&st, sdp, sizeof(sdp)) > 0);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_non_null(strstr(sdp, lines[i]));
	assert_int_equal(strncmp(sdp, "v=0\r\n", 5), 0);
	lumen_base64(test_sps, sizeof(test_sps), b64, sizeof(b64));
	assert_non_null(strstr(sdp, b64));
	assert_int_equal(lumen_sdp_build(&st, sdp, 100), -ENOSPC);
	/* before the first keyframe: no sprop, no profile-level-id */
	st.sps = st.pps = NULL;
	assert_true(lumen_sdp_build(&st, sdp, sizeof(sdp)) > 0);
	assert_null(strstr(sdp, "sprop"));
}

/* ---- RTP / RFC 6184 ------------------------------------------------------- */

static void annexb_split(void **state)
{
	static const uint8_t s[] = {
		0, 0, 0, 1, 0x67, 1, 2, 0, 0,	/* SPS + trailing zeros */
		0, 0, 1, 0x68, 3,		/* 3-byte start code */
		0, 0, 0, 1, 0x65, 0, 0, 3, 1,	/* IDR with emulation prevention */
	};
	struct lumen_nal n[4];

	(void)state;
	assert_int_equal(lumen_h264_split_annexb(s, sizeof(s), n, 4), 3);
	assert_int_equal(n[0].len, 3);
	assert_int_equal(n[0].data[0], 0x67);
	assert_int_equal(n[1].len, 2);
	assert_int_equal(n[2].len, 5);
	assert_int_equal(n[2].data[4], 1);
	assert_int_equal(lumen_h264_split_annexb(s, sizeof(s), n, 2), -E2BIG);
	assert_int_equal(lumen_h264_split_annexb(s + 4, sizeof(s) - 4, n, 4), -EBADMSG);
	assert_int_equal(lumen_h264_split_annexb(s, 2, n, 4), -EBADMSG);
}

/* Reassembles RFC 6184 payloads (single NAL / FU-A) into one NAL. */
static size_t depacketise(uint8_t *out, size_t len, const uint8_t *p, size_t n,
			  bool *complete)
{
	*complete = false;
	if ((p[0] & 0x1F) != LUMEN_H264_NAL_FU_A) {
		memcpy(out, p, n);
		*complete = true;
		return n;
	}
	if (p[1] & 0x80) {	/* S: rebuild the NAL header */
		out[0] = (uint8_t)((p[0] & 0xE0) | (p[1] & 0x1F));
		len = 1;
	}
	memcpy(out + len, p + 2, n - 2);
	*complete = p[1] & 0x40;
	return len + n - 2;
}

static void fua_split(void **state)
{
	static uint8_t nal[5000], pkt[1400], back[6000];
	struct lumen_nal n = { nal, sizeof(nal) };
	size_t count, len = 0;
	unsigned rng = 7;
	bool complete = false;

	(void)state;
	nal[0] = 0x65;	/* NRI 3, IDR */
	for (size_t i = 1; i < sizeof(nal); i++)
		nal[i] = (uint8_t)lumen_test_rand(&rng);
	count = lumen_h264_packet_count(sizeof(nal), 1400);
	assert_int_equal(count, (4999 + 1397) / 1398);	/* 4 */
	for (size_t i = 0; i < count; i++) {
		size_t m = lumen_h264_packet(&n, 1400, i, pkt);

		assert_true(m <= 1400);
		assert_int_equal(pkt[0], 0x60 | 28);		/* F=0, NRI=3, FU-A */
		assert_int_equal(pkt[1] & 0x1F, 5);
		assert_int_equal(!!(pkt[1] & 0x80), i == 0);	/* S */
		assert_int_equal(!!(pkt[1] & 0x40), i == count - 1);	/* E */
		assert_int_equal(pkt[1] & 0x20, 0);		/* R */
		if (i < count - 1)
			assert_int_equal(m, 1400);
		assert_false(complete);
		len = depacketise(back, len, pkt, m, &complete);
	}
	assert_true(complete);
	assert_int_equal(len, sizeof(nal));
	assert_memory_equal(back, nal, sizeof(nal));

	/* exactly the MTU: one single NAL unit packet; one byte more: FU-A */
	n.len = 1400;
	assert_int_equal(lumen_h264_packet_count(n.len, 1400), 1);
	assert_int_equal(lumen_h264_packet(&n, 1400, 0, pkt), 1400);
	assert_memory_equal(pkt, nal, 1400);
	assert_int_equal(lumen_h264_packet_count(1401, 1400), 2);
}

static void rtp_rtcp_headers(void **state)
{
	uint8_t h[12], sr[64];
	uint64_t ntp;
	size_t n;

	(void)state;
	lumen_rtp_header(h, true, 96, 0xBEEF, 0x01020304, 0xA0B0C0D0);
	assert_int_equal(h[0], 0x80);
	assert_int_equal(h[1], 0x80 | 96);
	assert_int_equal(h[2], 0xBE);
	assert_int_equal(h[3], 0xEF);
	assert_int_equal(h[4], 1);
	assert_int_equal(h[7], 4);
	assert_int_equal(h[8], 0xA0);
	assert_int_equal(h[11], 0xD0);

	ntp = lumen_ntp_from_realtime(1500000000);	/* 1.5 s after 1970 */
	assert_int_equal(ntp >> 32, 2208988801u);
	assert_int_equal((uint32_t)ntp, 0x80000000u);
	n = lumen_rtcp_sr(sr, sizeof(sr), 0x11223344, ntp, 90000, 10, 1000, "lumen");
	assert_int_equal(n, 28 + 16);
	assert_int_equal(sr[1], 200);
	assert_int_equal(sr[3], 6);
	assert_int_equal(sr[23], 10);			/* packet count */
	assert_int_equal(sr[29], 202);			/* SDES */
	assert_int_equal(sr[31], 16 / 4 - 1);
	assert_int_equal(sr[36], 1);			/* CNAME */
	assert_int_equal(sr[37], 5);
	assert_memory_equal(sr + 38, "lumen", 5);
	assert_int_equal(lumen_rtcp_sr(sr, 40, 1, ntp, 0, 0, 0, "lumen"), 0);
}

/* ---- in-process server ---------------------------------------------------- */

struct client {
	int fd;
	char buf[65536];
	size_t len;
};

/* Connects to the server; @rcvbuf > 0 sets a small receive buffer. */
static void client_connect_buf(struct client *c, uint16_t port, int rcvbuf)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	if (rcvbuf)
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	assert_int_equal(connect(c->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	c->len = 0;
}

static void client_connect(struct client *c, uint16_t port)
{
	client_connect_buf(c, port, 0);
}

/* Reads more bytes (2 s timeout). Returns false on EOF or timeout. */
static bool client_fill(struct client *c)
{
	struct pollfd p = { c->fd, POLLIN, 0 };
	ssize_t n;

	if (poll(&p, 1, 2000) != 1)
		return false;
	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
	if (n <= 0)
		return false;
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	return true;
}

static void client_drop(struct client *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	c->buf[c->len] = '\0';
}

/* Sends @msg and returns the status of the response; its head (and body)
 * is copied into @head. Interleaved frames before it are skipped. */
static int rtsp_ask(struct client *c, const char *msg, char *head, size_t size)
{
	size_t n = strlen(msg);

	assert_int_equal(send(c->fd, msg, n, MSG_NOSIGNAL), (ssize_t)n);
	for (;;) {
		char *end;

		while (c->len >= 4 && c->buf[0] == '$') {
			size_t fl = 4 + ((size_t)(uint8_t)c->buf[2] << 8 | (uint8_t)c->buf[3]);

			if (c->len < fl)
				break;
			client_drop(c, fl);
		}
		end = c->len && c->buf[0] != '$' ? strstr(c->buf, "\r\n\r\n") : NULL;
		if (end) {
			size_t hl = (size_t)(end - c->buf) + 4, bl = 0;
			const char *cl = strstr(c->buf, "Content-Length: ");
			int status = 0;

			if (cl && cl < end)
				bl = (size_t)atoi(cl + 16);
			while (c->len < hl + bl)
				if (!client_fill(c))
					return -1;
			snprintf(head, size, "%.*s", (int)(hl + bl), c->buf);
			sscanf(head, "RTSP/1.0 %d", &status);
			client_drop(c, hl + bl);
			return status;
		}
		if (!client_fill(c))
			return -1;
	}
}

static struct lumen_rtsp_server *server_new(void)
{
	struct lumen_rtsp_config cfg = {
		.bind_addr = "127.0.0.1", .nchannels = 2, .stall_timeout_ms = 300,
		.tcp_sndbuf = 32768,
	};
	struct lumen_rtsp_server *s;
	char err[200];

	cfg.ch[0] = (struct lumen_rtsp_channel_config){ 640, 360, 25, 1, 0, 256 };
	cfg.ch[1] = cfg.ch[0];
	s = lumen_rtsp_create(&cfg, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(lumen_rtsp_start(s), 0);
	return s;
}

static void server_status_codes(void **state)
{
	struct lumen_rtsp_server *s = server_new();
	static struct client c;
	char head[4096], msg[512];
	struct lumen_rtsp_stats st;

	(void)state;
	client_connect(&c, lumen_rtsp_port(s));
	assert_int_equal(rtsp_ask(&c, "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n",
				  head, sizeof(head)), 200);
	assert_non_null(strstr(head, "CSeq: 1\r\n"));
	assert_non_null(strstr(head, "Public: OPTIONS, DESCRIBE, SETUP, PLAY"));
	assert_int_equal(rtsp_ask(&c, "DESCRIBE rtsp://127.0.0.1/ch9 RTSP/1.0\r\nCSeq: 2\r\n\r\n",
				  head, sizeof(head)), 404);
	assert_int_equal(rtsp_ask(&c, "DESCRIBE rtsp://127.0.0.1/stream=1 RTSP/1.0\r\nCSeq: 3\r\n\r\n",
				  head, sizeof(head)), 200);
	assert_non_null(strstr(head, "Content-Type: application/sdp"));
	assert_non_null(strstr(head, "Content-Base: rtsp://127.0.0.1/stream=1/\r\n"));
	assert_non_null(strstr(head, "m=video 0 RTP/AVP 96"));
	assert_int_equal(rtsp_ask(&c, "DESCRIBE rtsp://h/ch0 RTSP/1.0\r\n\r\n",
				  head, sizeof(head)), 400);
	assert_null(strstr(head, "CSeq"));
	assert_int_equal(rtsp_ask(&c, "PLAY rtsp://h/ch0 RTSP/1.0\r\nCSeq: 4\r\n\r\n",
				  head, sizeof(head)), 455);
	assert_int_equal(rtsp_ask(&c, "PLAY rtsp://h/ch0 RTSP/1.0\r\nCSeq: 5\r\nSession: 1234\r\n\r\n",
				  head, sizeof(head)), 454);
	assert_int_equal(rtsp_ask(&c, "SETUP rtsp://h/ch0/trackID=0 RTSP/1.0\r\nCSeq: 6\r\n"
				  "Transport: RTP/AVP;multicast\r\n\r\n", head, sizeof(head)), 461);
	assert_int_equal(rtsp_ask(&c, "RECORD rtsp://h/ch0 RTSP/1.0\r\nCSeq: 7\r\n\r\n",
				  head, sizeof(head)), 405);
	assert_non_null(strstr(head, "Allow: "));
	assert_int_equal(rtsp_ask(&c, "BREW rtsp://h/ch0 RTSP/1.0\r\nCSeq: 8\r\n\r\n",
				  head, sizeof(head)), 501);
	assert_int_equal(rtsp_ask(&c, "GET_PARAMETER rtsp://h/ch0 RTSP/1.0\r\nCSeq: 9\r\n\r\n",
				  head, sizeof(head)), 200);
	/* UDP SETUP: ports echoed, a session with a timeout */
	assert_int_equal(rtsp_ask(&c, "SETUP rtsp://h/ch1/trackID=0 RTSP/1.0\r\nCSeq: 10\r\n"
				  "Transport: RTP/AVP;unicast;client_port=40000-40001\r\n\r\n",
				  head, sizeof(head)), 200);
	assert_non_null(strstr(head, "client_port=40000-40001;server_port="));
	assert_non_null(strstr(head, ";timeout=60\r\n"));
	{
		char id[32];

		assert_int_equal(sscanf(strstr(head, "Session: "), "Session: %31[^;]", id), 1);
		snprintf(msg, sizeof(msg), "TEARDOWN rtsp://h/ch1 RTSP/1.0\r\nCSeq: 11\r\n"
			 "Session: %s\r\n\r\n", id);
		assert_int_equal(rtsp_ask(&c, msg, head, sizeof(head)), 200);
		/* gone now */
		assert_int_equal(rtsp_ask(&c, msg, head, sizeof(head)), 454);
	}
	/* garbage closes this connection; a new one is served */
	assert_int_equal(rtsp_ask(&c, "\x16\x03\x01 hello\r\n", head, sizeof(head)), 400);
	assert_false(client_fill(&c));
	close(c.fd);
	client_connect(&c, lumen_rtsp_port(s));
	assert_int_equal(rtsp_ask(&c, "OPTIONS * RTSP/1.0\r\nCSeq: 12\r\n\r\n",
				  head, sizeof(head)), 200);
	close(c.fd);

	lumen_rtsp_stats(s, &st);
	assert_int_equal(st.connections, 2);
	assert_int_equal(st.responses[1], 2);	/* 400 */
	assert_int_equal(st.responses[3], 1);	/* 404 */
	assert_int_equal(lumen_rtsp_status_codes[8], 454);
	assert_int_equal(st.responses[8], 2);
	lumen_rtsp_destroy(s);
}

/* Builds an Annex-B AU: [SPS PPS] + one slice NAL of @slice_len bytes. */
static size_t make_au(uint8_t *out, bool key, size_t slice_len, unsigned *rng)
{
	size_t n = 0;

	if (key) {
		memcpy(out + n, "\0\0\0\1", 4);
		memcpy(out + n + 4, test_sps, sizeof(test_sps));
		n += 4 + sizeof(test_sps);
		memcpy(out + n, "\0\0\0\1", 4);
		memcpy(out + n + 4, test_pps, sizeof(test_pps));
		n += 4 + sizeof(test_pps);
	}
	memcpy(out + n, "\0\0\1", 3);
	n += 3;
	out[n] = key ? 0x65 : 0x41;
	for (size_t i = 1; i < slice_len; i++)
		out[n + i] = (uint8_t)(lumen_test_rand(rng) | 1);	/* no start codes */
	return n + slice_len;
}

/* Reads the next interleaved frame of @channel; returns its length. */
static size_t next_frame(struct client *c, uint8_t *out, unsigned *channel)
{
	for (;;) {
		if (c->len >= 4) {
			size_t fl;

			assert_int_equal(c->buf[0], '$');
			fl = (size_t)(uint8_t)c->buf[2] << 8 | (uint8_t)c->buf[3];
			if (c->len >= 4 + fl) {
				*channel = (uint8_t)c->buf[1];
				memcpy(out, c->buf + 4, fl);
				client_drop(c, 4 + fl);
				return fl;
			}
		}
		assert_true(client_fill(c));
	}
}

static void server_tcp_interleaved(void **state)
{
	struct lumen_rtsp_server *s = server_new();
	static struct client c;
	static uint8_t au[3][8000], pkt[2048], nal[8000];
	size_t aulen[3], nlen = 0;
	char head[4096], msg[512], id[32];
	unsigned rng = 99, ch, rtptime, seq0;
	uint16_t expect_seq;
	uint32_t ts0 = 0;
	struct lumen_rtsp_stats st;

	(void)state;
	aulen[0] = make_au(au[0], true, 3000, &rng);
	aulen[1] = make_au(au[1], false, 500, &rng);
	aulen[2] = make_au(au[2], false, 7000, &rng);
	/* a keyframe before anyone joins: a new client starts there */
	assert_int_equal(lumen_rtsp_push(s, 0, au[0], aulen[0], 900000, true, 0), 0);
	assert_int_equal(lumen_rtsp_push(s, 0, (const uint8_t *)"xx", 2, 0, false, 0),
			 -EBADMSG);
	assert_int_equal(lumen_rtsp_push(s, 5, au[0], aulen[0], 0, true, 0), -EINVAL);

	client_connect(&c, lumen_rtsp_port(s));
	assert_int_equal(rtsp_ask(&c, "DESCRIBE rtsp://127.0.0.1/ch0 RTSP/1.0\r\nCSeq: 1\r\n\r\n",
				  head, sizeof(head)), 200);
	assert_non_null(strstr(head, "profile-level-id=42c01f;sprop-parameter-sets=Z0LA"));
	assert_int_equal(rtsp_ask(&c, "SETUP rtsp://127.0.0.1/ch0/trackID=0 RTSP/1.0\r\n"
				  "CSeq: 2\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n",
				  head, sizeof(head)), 200);
	assert_non_null(strstr(head, "Transport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc="));
	assert_int_equal(sscanf(strstr(head, "Session: "), "Session: %31[^;]", id), 1);
	snprintf(msg, sizeof(msg), "PLAY rtsp://127.0.0.1/ch0/ RTSP/1.0\r\nCSeq: 3\r\n"
		 "Session: %s\r\nRange: npt=0.000-\r\n\r\n", id);
	assert_int_equal(rtsp_ask(&c, msg, head, sizeof(head)), 200);
	assert_non_null(strstr(head, "RTP-Info: url=rtsp://127.0.0.1/ch0/trackID=0;seq="));
	assert_int_equal(sscanf(strstr(head, "seq="), "seq=%u;rtptime=%u", &seq0, &rtptime), 2);
	assert_int_equal(lumen_rtsp_push(s, 0, au[1], aulen[1], 903600, false, 0), 0);
	assert_int_equal(lumen_rtsp_push(s, 0, au[2], aulen[2], 907200, false, 0), 0);

	expect_seq = (uint16_t)seq0;
	for (int a = 0; a < 3; a++) {
		struct lumen_nal nals[4];
		int nn = lumen_h264_split_annexb(au[a], aulen[a], nals, 4), k = 0;
		bool marker = false;

		while (!marker) {
			size_t n = next_frame(&c, pkt, &ch);
			uint32_t ts;
			bool complete;

			if (ch == 1)
				continue;	/* RTCP */
			assert_int_equal(ch, 0);
			assert_true(n > 12 && n <= 12 + 1400);
			assert_int_equal(pkt[0], 0x80);
			assert_int_equal(pkt[1] & 0x7F, 96);
			assert_int_equal(pkt[2] << 8 | pkt[3], expect_seq);
			expect_seq++;
			ts = (uint32_t)pkt[4] << 24 | (uint32_t)pkt[5] << 16 |
			     (uint32_t)pkt[6] << 8 | pkt[7];
			if (a == 0 && !ts0) {
				ts0 = ts;
				assert_int_equal(ts0, rtptime);
			}
			assert_int_equal(ts - ts0, (uint32_t)a * 3600);
			marker = pkt[1] & 0x80;
			nlen = depacketise(nal, nlen, pkt + 12, n - 12, &complete);
			if (complete) {
				assert_true(k < nn);
				assert_int_equal(nlen, nals[k].len);
				assert_memory_equal(nal, nals[k].data, nlen);
				/* the marker is on the last packet of the AU only */
				assert_int_equal(marker, k == nn - 1);
				k++;
				nlen = 0;
			} else {
				assert_false(marker);
			}
		}
		assert_int_equal(k, nn);
	}
	lumen_rtsp_stats(s, &st);
	assert_int_equal(st.ch[0].aus, 3);
	assert_int_equal(st.ch[0].keyframes, 1);
	assert_int_equal(st.ch[0].clients, 1);
	assert_int_equal(st.ch[0].push_errors, 1);
	assert_int_equal(st.nclients, 1);
	assert_true(st.client[0].tcp);
	assert_int_equal(st.client[0].packets, st.ch[0].packets);
	close(c.fd);
	lumen_rtsp_destroy(s);
}

static void tcp_play(struct client *c);

/* The frame grid: collisions, jitter and captures going back. */
static void rtp_frame_ts(void **state)
{
	uint64_t slot = UINT64_MAX;

	(void)state;
	/* 25 fps: 3600 ticks a slot, nearest slot */
	assert_int_equal(lumen_rtp_frame_ts(900000, 25, 1, &slot), 900000);
	assert_int_equal(slot, 250);
	assert_int_equal(lumen_rtp_frame_ts(900000 + 3500, 25, 1, &slot), 903600);
	/* rounds to the slot just taken: the next one */
	assert_int_equal(lumen_rtp_frame_ts(900000 + 5300, 25, 1, &slot), 907200);
	/* the same capture time again, and one that went back */
	assert_int_equal(lumen_rtp_frame_ts(900000 + 5300, 25, 1, &slot), 910800);
	assert_int_equal(lumen_rtp_frame_ts(800000, 25, 1, &slot), 914400);
	/* a drop: the grid follows capture again */
	assert_int_equal(lumen_rtp_frame_ts(900000 + 10 * 3600 + 100, 25, 1, &slot),
			 900000 + 10 * 3600);
	/* 30000/1001: 3003 ticks */
	slot = UINT64_MAX;
	assert_int_equal(lumen_rtp_frame_ts(3003 * 7 + 1400, 30000, 1001, &slot),
			 3003 * 7);
	assert_int_equal(lumen_rtp_frame_ts(3003 * 7 + 1600, 30000, 1001, &slot),
			 3003 * 8);
	/* no rate: one tick */
	slot = UINT64_MAX;
	assert_int_equal(lumen_rtp_frame_ts(5, 0, 0, &slot), 5);
	assert_int_equal(lumen_rtp_frame_ts(5, 0, 0, &slot), 6);
	assert_int_equal(lumen_rtp_frame_ts(2, 0, 0, &slot), 7);
}

/*
 * The push path as the daemon drives it: capture times that collide in
 * one frame period, repeat or go back (a slow consumer's drops, scheduling
 * jitter) still reach the client as strictly increasing timestamps on the
 * 25 fps grid of the SDP, each within a period of its capture.
 */
static void server_ts_strict(void **state)
{
	/* capture times, and the timestamps (less the first) that must go
	 * out: the nearest free 25 fps slot after the previous AU's */
	static const uint64_t pts[] = {
		0, 3600, 6900, 7000, 14400, 14000, 16100, 23500, 25200, 25200,
		25000, 36000, 39500, 54000 + 1700,
	};
	static const uint32_t want[] = {
		0, 3600, 7200, 10800, 14400, 18000, 21600, 25200, 28800, 32400,
		36000, 39600, 43200, 54000,
	};
	struct lumen_rtsp_server *s = server_new();
	static struct client c;
	static uint8_t au[2000], pkt[2048];
	unsigned rng = 3, ch;
	uint32_t prev = 0, ts0 = 0;
	size_t aulen, n;

	(void)state;
	aulen = make_au(au, true, 1500, &rng);
	assert_int_equal(lumen_rtsp_push(s, 0, au, aulen, pts[0], true, 0), 0);
	client_connect(&c, lumen_rtsp_port(s));
	tcp_play(&c);
	for (size_t a = 0; a < sizeof(pts) / sizeof(pts[0]); a++) {
		bool marker = false;
		uint32_t ts = 0;

		if (a) {
			aulen = make_au(au, false, 600, &rng);
			assert_int_equal(lumen_rtsp_push(s, 0, au, aulen, pts[a],
							 false, 0), 0);
		}
		while (!marker) {
			n = next_frame(&c, pkt, &ch);
			if (ch == 1)
				continue;	/* RTCP */
			assert_true(n > 12);
			ts = (uint32_t)pkt[4] << 24 | (uint32_t)pkt[5] << 16 |
			     (uint32_t)pkt[6] << 8 | pkt[7];
			marker = pkt[1] & 0x80;
		}
		if (!a)
			ts0 = ts;
		else
			assert_true((int32_t)(ts - prev) > 0);
		assert_int_equal(ts - ts0, want[a]);
		prev = ts;
	}
	close(c.fd);
	lumen_rtsp_destroy(s);
}

/* Sets up @c on /ch0 over TCP interleaved and plays it. */
static void tcp_play(struct client *c)
{
	char head[4096], msg[512], id[32];

	assert_int_equal(rtsp_ask(c, "SETUP rtsp://127.0.0.1/ch0/trackID=0 RTSP/1.0\r\n"
				  "CSeq: 1\r\nTransport: RTP/AVP/TCP;interleaved=0-1\r\n\r\n",
				  head, sizeof(head)), 200);
	assert_int_equal(sscanf(strstr(head, "Session: "), "Session: %31[^;]", id), 1);
	snprintf(msg, sizeof(msg), "PLAY rtsp://127.0.0.1/ch0 RTSP/1.0\r\nCSeq: 2\r\n"
		 "Session: %s\r\n\r\n", id);
	assert_int_equal(rtsp_ask(c, msg, head, sizeof(head)), 200);
}

/*
 * A client that never reads: its queue overflows (drops counted), it is
 * closed after the stall timeout, and a reading client on the same channel
 * gets every access unit in order meanwhile.
 */
static void server_slow_client(void **state)
{
	struct lumen_rtsp_server *s = server_new();
	static struct client good, stuck;
	static uint8_t au[2][40000], pkt[2048];
	size_t aulen[2];
	unsigned rng = 5, ch, markers = 0;
	int rcvbuf = 4096, aus = 150;
	struct lumen_rtsp_stats st;
	struct timespec pause = { 0, 10 * 1000000 };

	(void)state;
	aulen[0] = make_au(au[0], true, 39000, &rng);
	aulen[1] = make_au(au[1], false, 39000, &rng);
	assert_int_equal(lumen_rtsp_push(s, 0, au[0], aulen[0], 0, true, 0), 0);
	client_connect(&good, lumen_rtsp_port(s));
	tcp_play(&good);
	client_connect_buf(&stuck, lumen_rtsp_port(s), rcvbuf);
	tcp_play(&stuck);

	for (int a = 1; a <= aus; a++) {
		int k = a % 25 == 0 ? 0 : 1;

		assert_int_equal(lumen_rtsp_push(s, 0, au[k], aulen[k], (uint64_t)a * 3600,
						 k == 0, 0), 0);
		nanosleep(&pause, NULL);
		/* the reading client keeps up: it sees this AU's marker */
		for (;;) {
			size_t n = next_frame(&good, pkt, &ch);

			if (ch == 0 && (pkt[1] & 0x80)) {
				markers++;
				break;
			}
			assert_true(n >= 12);
		}
	}
	assert_int_equal(markers, aus);
	lumen_rtsp_stats(s, &st);
	assert_int_equal(st.dropped_clients, 1);
	assert_int_equal(st.ch[0].dropped_clients, 1);
	assert_true(st.ch[0].drops > 0);
	assert_int_equal(st.ch[0].clients, 1);
	close(good.fd);
	close(stuck.fd);
	lumen_rtsp_destroy(s);
}

static int udp_bind(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int udp_bind_port(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Two sockets on an even port and the next one (the client_port pair). */
static void udp_bind_pair(int *rtp, int *rtcp, uint16_t *port)
{
	for (int i = 0; i < 100; i++) {
		int a = udp_bind(port);

		if (*port & 1) {
			close(a);
			a = udp_bind_port(--*port);
			if (a < 0)
				continue;
		}
		*rtcp = udp_bind_port((uint16_t)(*port + 1));
		if (*rtcp >= 0) {
			*rtp = a;
			return;
		}
		close(a);
	}
	fail_msg("no free even/odd UDP port pair");
}

static ssize_t udp_recv(int fd, uint8_t *buf, size_t size, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return recv(fd, buf, size, 0);
}

/* UDP: RTP to the client_port, sender reports to the RTCP port, and the
 * session expires when nothing is heard from the client. */
static void server_udp(void **state)
{
	struct lumen_rtsp_config cfg = {
		.bind_addr = "127.0.0.1", .nchannels = 1, .session_timeout_s = 1,
		.rtcp_interval_ms = 100,
	};
	struct lumen_rtsp_server *s;
	static struct client c;
	static uint8_t au[4000], pkt[2048];
	char head[4096], msg[512], id[32], err[200];
	uint16_t rtp_port, rtcp_port;
	int rtp = -1, rtcp = -1, got_rtp = 0, got_sr = 0;
	unsigned rng = 3;
	size_t aulen;
	struct lumen_rtsp_stats st;

	(void)state;
	udp_bind_pair(&rtp, &rtcp, &rtp_port);
	rtcp_port = (uint16_t)(rtp_port + 1);
	cfg.ch[0] = (struct lumen_rtsp_channel_config){ 640, 360, 25, 1, 0, 256 };
	s = lumen_rtsp_create(&cfg, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(lumen_rtsp_start(s), 0);
	aulen = make_au(au, true, 3000, &rng);
	assert_int_equal(lumen_rtsp_push(s, 0, au, aulen, 0, true, 0), 0);

	client_connect(&c, lumen_rtsp_port(s));
	snprintf(msg, sizeof(msg), "SETUP rtsp://127.0.0.1/ch0/trackID=0 RTSP/1.0\r\n"
		 "CSeq: 1\r\nTransport: RTP/AVP;unicast;client_port=%u-%u\r\n\r\n",
		 rtp_port, rtcp_port);
	assert_int_equal(rtsp_ask(&c, msg, head, sizeof(head)), 200);
	assert_non_null(strstr(head, ";timeout=1\r\n"));
	assert_int_equal(sscanf(strstr(head, "Session: "), "Session: %31[^;]", id), 1);
	snprintf(msg, sizeof(msg), "PLAY rtsp://127.0.0.1/ch0 RTSP/1.0\r\nCSeq: 2\r\n"
		 "Session: %s\r\n\r\n", id);
	assert_int_equal(rtsp_ask(&c, msg, head, sizeof(head)), 200);
	/* the connection stays: a UDP session ends with it */

	for (int i = 0; i < 20 && (got_rtp < 4 || !got_sr); i++) {
		ssize_t n;

		while ((n = udp_recv(rtp, pkt, sizeof(pkt), 0)) > 0) {
			assert_true(n > 12);
			assert_int_equal(pkt[0], 0x80);
			got_rtp++;
		}
		if ((n = udp_recv(rtcp, pkt, sizeof(pkt), 50)) > 0) {
			assert_int_equal(pkt[1], 200);	/* SR */
			assert_int_equal(n, 28 + 16);
			got_sr++;
		}
		aulen = make_au(au, false, 1000, &rng);
		assert_int_equal(lumen_rtsp_push(s, 0, au, aulen, (uint64_t)(i + 1) * 3600,
						 false, 0), 0);
	}
	assert_true(got_rtp >= 4);	/* SPS, PPS, IDR (3 packets), slices */
	assert_true(got_sr >= 1);
	lumen_rtsp_stats(s, &st);
	assert_int_equal(st.sessions_now, 1);
	assert_int_equal(st.timeouts, 0);
	/* nothing from the client for more than the timeout: gone */
	sleep(2);
	lumen_rtsp_stats(s, &st);
	assert_int_equal(st.sessions_now, 0);
	assert_int_equal(st.timeouts, 1);
	close(c.fd);
	close(rtp);
	close(rtcp);
	lumen_rtsp_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_good),
		cmocka_unit_test(parse_interleaved),
		cmocka_unit_test(parse_garbage),
		cmocka_unit_test(parse_strict),
		cmocka_unit_test(parse_bad_cseq),
		cmocka_unit_test(parse_oversized),
		cmocka_unit_test(transport),
		cmocka_unit_test(paths),
		cmocka_unit_test(base64_rfc4648),
		cmocka_unit_test(sdp_build),
		cmocka_unit_test(annexb_split),
		cmocka_unit_test(fua_split),
		cmocka_unit_test(rtp_rtcp_headers),
		cmocka_unit_test(server_status_codes),
		cmocka_unit_test(server_tcp_interleaved),
		cmocka_unit_test(rtp_frame_ts),
		cmocka_unit_test(server_ts_strict),
		cmocka_unit_test(server_slow_client),
		cmocka_unit_test(server_udp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the RTSP request parser (src/net/rtsp_parse.c): the
 * input is a TCP byte stream, parsed message by message as the server does,
 * and every header value goes through the Transport, path and Session
 * parsers; Authorization values go through the Digest check (net/digest.c)
 * against fixed credentials. Invariants beyond "no
 * crash, no sanitizer report": the parser never consumes more than it was
 * given, makes progress or asks for more, reports a request only with a
 * CSeq, and an error always carries an error status and a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <strings.h>

#include "net/digest.h"
#include "net/rtsp_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lumen_rtsp_request req;

/* A fixed secret and connection, so that a run is reproducible. */
static const struct lumen_digest_server server = { .secret = { 1, 2, 3 }, .nonce_ttl_s = 60 };
static struct lumen_digest_conn conn = { .id = 42 };
static struct lumen_digest_creds creds;

static void authorization(const char *v)
{
	int r;

	if (!creds.user[0] && lumen_digest_make_creds("admin", "pw", &creds))
		abort();
	r = lumen_digest_check(&server, &conn, &creds, req.method_name, req.uri, v, 1000);
	/* 0 needs the secret; the rest are the documented refusals */
	if (r != -EINVAL && r != -EACCES && r != -ESTALE)
		abort();
}

static void headers(void)
{
	struct lumen_rtsp_transport t;
	char err[200], id[32];
	bool track;
	int ch;

	ch = lumen_rtsp_uri_channel(req.uri, 2, &track);
	if (ch >= 2)
		abort();
	for (int i = 0; i < req.nheaders; i++) {
		const char *v = req.hdr[i].value;

		err[0] = '\0';
		if (lumen_rtsp_parse_transport(v, &t, err, sizeof(err))) {
			if (!err[0])
				abort();
		} else if (!t.tcp && (!t.client_port[0] || !t.client_port[1])) {
			abort();
		}
		if (!lumen_rtsp_session_id(v, id, sizeof(id)) && !id[0])
			abort();
		if (!strcasecmp(req.hdr[i].name, "Authorization"))
			authorization(v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t left = size;

	while (left) {
		struct lumen_rtsp_frame fr;
		char err[200];
		size_t used = 0;
		int ret;

		err[0] = '\0';
		ret = lumen_rtsp_parse(p, left, &req, &fr, &used, err, sizeof(err));
		if (used > left)
			abort();
		if (ret == LUMEN_RTSP_REQUEST) {
			if (req.cseq < 0 || !used)
				abort();
			headers();
		} else if (ret == LUMEN_RTSP_INTERLEAVED) {
			if (fr.len + 4 > used)	/* blank lines before it are dropped too */
				abort();
		} else if (ret < 0) {
			if (req.status < 400 || !err[0] || !used)
				abort();
			if (req.fatal)
				break;
		} else if (!used) {
			break;	/* needs more */
		}
		p += used;
		left -= used;
	}
	return 0;
}

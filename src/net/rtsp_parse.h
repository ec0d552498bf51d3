/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RTSP/1.0 (RFC 2326) request parsing: framing of requests and interleaved
 * binary frames on one TCP byte stream, the request line and headers, the
 * Transport header, the stream paths lumen serves and Session ids.
 * (Digest Authorization is net/digest.h's.)
 *
 * Contract: pure functions over caller buffers. Nothing allocates; every
 * string a request refers to lives in the request's own buffer. Bad input
 * never crashes: it returns an error with the RTSP status to answer and a
 * one-line message naming what was wrong. Any thread may call these.
 */
#ifndef LUMEN_NET_RTSP_PARSE_H
#define LUMEN_NET_RTSP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LUMEN_RTSP_MAX_HEADER	8192	/* request line + headers, bytes */
#define LUMEN_RTSP_MAX_BODY	4096	/* Content-Length accepted */
#define LUMEN_RTSP_MAX_HEADERS	32
#define LUMEN_RTSP_MAX_LINE	2048	/* request line */
#define LUMEN_RTSP_MAX_URI	1024	/* request-target (414 above) */

enum lumen_rtsp_method {
	LUMEN_RTSP_OPTIONS,
	LUMEN_RTSP_DESCRIBE,
	LUMEN_RTSP_SETUP,
	LUMEN_RTSP_PLAY,
	LUMEN_RTSP_PAUSE,
	LUMEN_RTSP_TEARDOWN,
	LUMEN_RTSP_GET_PARAMETER,
	LUMEN_RTSP_SET_PARAMETER,
	/* RFC 2326 methods lumen does not serve (405 with Allow) */
	LUMEN_RTSP_ANNOUNCE,
	LUMEN_RTSP_RECORD,
	LUMEN_RTSP_REDIRECT,
	LUMEN_RTSP_UNKNOWN,	/* a token that is no RTSP method (501) */
};

struct lumen_rtsp_header {
	const char *name;
	const char *value;	/* leading and trailing blanks removed */
};

struct lumen_rtsp_request {
	enum lumen_rtsp_method method;
	const char *method_name;
	const char *uri;
	long cseq;		/* -1 when absent or not a number */
	int nheaders;
	struct lumen_rtsp_header hdr[LUMEN_RTSP_MAX_HEADERS];
	const char *body;	/* Content-Length bytes (not NUL-terminated) */
	size_t body_len;
	/* on a parse error: the status to answer (400, 413, 414, 505) and
	 * whether the byte stream is lost (the connection must be closed) */
	int status;
	bool fatal;
	char buf[LUMEN_RTSP_MAX_HEADER + 1];
};

enum lumen_rtsp_parse_result {
	LUMEN_RTSP_NEED_MORE = 0,	/* no complete message yet */
	LUMEN_RTSP_REQUEST = 1,		/* *req is filled */
	LUMEN_RTSP_INTERLEAVED = 2,	/* '$' frame: *channel, *payload, *plen */
};

struct lumen_rtsp_frame {
	unsigned channel;
	const uint8_t *payload;
	size_t len;
};

/*
 * Parses the next message at the start of @in (@len bytes received so far).
 * Returns a lumen_rtsp_parse_result; *@consumed is the size of the message
 * (request with body, or '$' frame) the caller drops after handling it.
 * On malformed input returns -EBADMSG (or -EMSGSIZE when a limit is
 * exceeded) with req->status, req->fatal, req->cseq (when it was readable)
 * and *@consumed set (the whole message when it was framed, else all of
 * @len), and a message in @err. Without a fatal flag, parsing can go on
 * after *@consumed bytes. The caller drops *@consumed bytes after every
 * call, also with NEED_MORE (blank lines between messages). req->body and
 * frame->payload point into @in.
 */
int lumen_rtsp_parse(const char *in, size_t len, struct lumen_rtsp_request *req,
		     struct lumen_rtsp_frame *frame, size_t *consumed,
		     char *err, size_t errlen);

/* Value of header @name (case-insensitive), or NULL. */
const char *lumen_rtsp_header(const struct lumen_rtsp_request *req,
			      const char *name);

const char *lumen_rtsp_method_name(enum lumen_rtsp_method m);
/* The reason phrase of an RTSP status code ("Unknown" for others). */
const char *lumen_rtsp_reason(int status);

/* ---- Transport ---------------------------------------------------------- */

struct lumen_rtsp_transport {
	bool tcp;			/* RTP/AVP/TCP interleaved */
	uint16_t client_port[2];	/* UDP: RTP, RTCP */
	uint8_t interleaved[2];		/* TCP: channels for RTP, RTCP */
	bool has_interleaved;
};

/*
 * Picks the first transport spec of the comma-separated list @value that
 * lumen serves: RTP/AVP[/UDP] unicast with client_port, or RTP/AVP/TCP
 * (interleaved defaults to 0-1). Returns 0, or -EPROTONOSUPPORT (answer
 * 461) with a message naming the spec that was refused and why.
 */
int lumen_rtsp_parse_transport(const char *value, struct lumen_rtsp_transport *t,
			       char *err, size_t errlen);

/* ---- paths ------------------------------------------------------------- */

/*
 * The channel a request URI names: "rtsp://host[:port]/P[/trackID=N]" or
 * "/P..." with P one of chN, stream=N, streamN (N < @nchannels), an
 * optional trailing '/', query ignored. *@track is set when a track suffix
 * (trackID=N, track=N, trackN) followed. Returns the channel or -ENOENT.
 */
int lumen_rtsp_uri_channel(const char *uri, unsigned nchannels, bool *track);

/* Copies the Session header's id (before any ';') into @id. Returns 0,
 * or -EINVAL when it is empty or longer than @idlen - 1. */
int lumen_rtsp_session_id(const char *value, char *id, size_t idlen);

#endif

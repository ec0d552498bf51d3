// SPDX-License-Identifier: GPL-2.0-or-later
/* RTSP request framing and header parsing; see rtsp_parse.h. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/rtsp_parse.h"

static const char *const method_names[] = {
	[LUMEN_RTSP_OPTIONS] = "OPTIONS",
	[LUMEN_RTSP_DESCRIBE] = "DESCRIBE",
	[LUMEN_RTSP_SETUP] = "SETUP",
	[LUMEN_RTSP_PLAY] = "PLAY",
	[LUMEN_RTSP_PAUSE] = "PAUSE",
	[LUMEN_RTSP_TEARDOWN] = "TEARDOWN",
	[LUMEN_RTSP_GET_PARAMETER] = "GET_PARAMETER",
	[LUMEN_RTSP_SET_PARAMETER] = "SET_PARAMETER",
	[LUMEN_RTSP_ANNOUNCE] = "ANNOUNCE",
	[LUMEN_RTSP_RECORD] = "RECORD",
	[LUMEN_RTSP_REDIRECT] = "REDIRECT",
	[LUMEN_RTSP_UNKNOWN] = "UNKNOWN",
};

static const struct { int status; const char *reason; } reasons[] = {
	{ 200, "OK" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 413, "Request Entity Too Large" },
	{ 414, "Request-URI Too Large" },
	{ 451, "Parameter Not Understood" },
	{ 454, "Session Not Found" },
	{ 455, "Method Not Valid in This State" },
	{ 459, "Aggregate Operation Not Allowed" },
	{ 461, "Unsupported Transport" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
	{ 505, "RTSP Version Not Supported" },
};

const char *lumen_rtsp_method_name(enum lumen_rtsp_method m)
{
	return (unsigned)m <= LUMEN_RTSP_UNKNOWN ? method_names[m] : "UNKNOWN";
}

const char *lumen_rtsp_reason(int status)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

static int __attribute__((format(printf, 7, 8)))
fail(struct lumen_rtsp_request *req, int ret, int status, bool fatal,
     char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	req->status = status;
	req->fatal = fatal;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* RFC 2326 token characters (RFC 2616 2.2 minus separators) */
static bool is_tchar(unsigned char c)
{
	return c > 32 && c < 127 && !strchr("()<>@,;:\\\"/[]?={}", c);
}

/* Offset just past the blank line that ends the header block, or 0. */
static size_t header_end(const char *in, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (in[i] != '\n')
			continue;
		if (in[i + 1] == '\n')
			return i + 2;
		if (in[i + 1] == '\r' && i + 2 < len && in[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Strict decimal: digits only, at most @maxdigits. Returns -1 otherwise. */
static long parse_dec(const char *s, int maxdigits)
{
	long v = 0;
	int n = 0;

	if (!*s)
		return -1;
	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n >= maxdigits)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

static enum lumen_rtsp_method method_lookup(const char *name)
{
	for (int m = 0; m < LUMEN_RTSP_UNKNOWN; m++)
		if (!strcmp(name, method_names[m]))
			return (enum lumen_rtsp_method)m;
	return LUMEN_RTSP_UNKNOWN;
}

/* "RTSP/" 1*DIGIT "." 1*DIGIT and nothing after it: what gst-rtsp-server
 * accepts as a version (a well-formed one other than 1.0 is then 505). */
static bool version_form(const char *v)
{
	size_t a, b;

	if (strncmp(v, "RTSP/", 5))
		return false;
	v += 5;
	a = strspn(v, "0123456789");
	if (!a || a > 3 || v[a] != '.')
		return false;
	v += a + 1;
	b = strspn(v, "0123456789");
	return b && b <= 3 && !v[b];
}

/* Parses the request line in place; returns 0 or the status to answer. */
static int request_line(struct lumen_rtsp_request *req, char *line, char *err,
			size_t errlen)
{
	char *sp1, *sp2, *ver, *p;

	sp1 = strchr(line, ' ');
	if (!sp1 || sp1 == line) {
		snprintf(err, errlen, "request line '%.40s': no method", line);
		return 400;
	}
	*sp1 = '\0';
	for (p = line; *p; p++)
		if (!is_tchar((unsigned char)*p)) {
			snprintf(err, errlen, "request line: method is not a token");
			return 400;
		}
	req->method_name = line;
	req->method = method_lookup(line);
	req->uri = sp1 + 1;
	sp2 = strchr(sp1 + 1, ' ');
	if (!sp2 || sp2 == sp1 + 1) {
		snprintf(err, errlen, "request line '%.20s ...': no URI and version",
			 line);
		return 400;
	}
	*sp2 = '\0';
	for (p = sp1 + 1; *p; p++)
		if ((unsigned char)*p <= 32 || (unsigned char)*p >= 127) {
			snprintf(err, errlen, "%s: URI has a control or non-ASCII byte",
				 line);
			return 400;
		}
	if ((size_t)(sp2 - (sp1 + 1)) > LUMEN_RTSP_MAX_URI) {
		snprintf(err, errlen, "%s: URI of %zu bytes (limit %d)", line,
			 (size_t)(sp2 - (sp1 + 1)), LUMEN_RTSP_MAX_URI);
		return 414;
	}
	ver = trim(sp2 + 1);
	if (!version_form(ver)) {
		snprintf(err, errlen, "%s %.60s: version '%.16s' is not RTSP/x.y",
			 line, req->uri, ver);
		return 400;
	}
	if (strcmp(ver, "RTSP/1.0")) {
		snprintf(err, errlen, "%s %.60s: %.16s not supported (RTSP/1.0 only)",
			 line, req->uri, ver);
		return 505;
	}
	return 0;
}

static int header_count(const struct lumen_rtsp_request *req, const char *name)
{
	int n = 0;

	for (int i = 0; i < req->nheaders; i++)
		n += !strcasecmp(req->hdr[i].name, name);
	return n;
}

static int parse_message(const char *in, size_t len, struct lumen_rtsp_request *req,
			 struct lumen_rtsp_frame *frame, size_t *consumed,
			 char *err, size_t errlen)
{
	size_t hlen, scan, lineend;
	const char *cl, *cs;
	char *p, *line, *next;
	int st;

	req->status = 0;
	req->fatal = false;
	req->cseq = -1;
	req->nheaders = 0;
	req->body = NULL;
	req->body_len = 0;
	req->method = LUMEN_RTSP_UNKNOWN;
	req->method_name = "";
	req->uri = "";
	*consumed = 0;
	if (err && errlen)
		err[0] = '\0';
	if (!len)
		return LUMEN_RTSP_NEED_MORE;

	if (in[0] == '$') {	/* RFC 2326 10.12 interleaved binary data */
		size_t n;

		if (len < 4)
			return LUMEN_RTSP_NEED_MORE;
		n = (size_t)(uint8_t)in[2] << 8 | (uint8_t)in[3];
		if (len < 4 + n)
			return LUMEN_RTSP_NEED_MORE;
		frame->channel = (uint8_t)in[1];
		frame->payload = (const uint8_t *)in + 4;
		frame->len = n;
		*consumed = 4 + n;
		return LUMEN_RTSP_INTERLEAVED;
	}
	/* The request line is checked as soon as it is complete, so that
	 * garbage is answered without waiting for a blank line. */
	scan = len < LUMEN_RTSP_MAX_LINE ? len : LUMEN_RTSP_MAX_LINE;
	p = memchr(in, '\n', scan);
	if (!p) {
		if (len >= LUMEN_RTSP_MAX_LINE) {
			*consumed = len;
			return fail(req, -EMSGSIZE, 414, true, err, errlen,
				    "request line longer than %d bytes",
				    LUMEN_RTSP_MAX_LINE);
		}
		for (size_t i = 0; i < len; i++)
			if (!is_tchar((unsigned char)in[i])) {
				if (in[i] == ' ')
					break;
				*consumed = len;
				return fail(req, -EBADMSG, 400, true, err, errlen,
					    "request does not start with a method "
					    "(byte 0x%02x at %zu)", (uint8_t)in[i], i);
			}
		if (memchr(in, '\0', len)) {
			*consumed = len;
			return fail(req, -EBADMSG, 400, true, err, errlen,
				    "request line has a NUL byte");
		}
		return LUMEN_RTSP_NEED_MORE;
	}
	lineend = (size_t)(p - in);

	scan = len < LUMEN_RTSP_MAX_HEADER ? len : LUMEN_RTSP_MAX_HEADER;
	hlen = header_end(in, scan);
	if (!hlen) {
		/* validate the line early: copy it alone */
		memcpy(req->buf, in, lineend);
		req->buf[lineend] = '\0';
		st = request_line(req, trim(req->buf), err, errlen);
		if (st == 400 || memchr(in, '\0', len)) {
			*consumed = len;
			if (st != 400)
				return fail(req, -EBADMSG, 400, true, err, errlen,
					    "request has a NUL byte");
			return fail(req, -EBADMSG, 400, true, NULL, 0, "x");
		}
		if (len >= LUMEN_RTSP_MAX_HEADER) {
			*consumed = len;
			return fail(req, -EMSGSIZE, 413, true, err, errlen,
				    "%s %.60s: header block longer than %d bytes",
				    req->method_name, req->uri, LUMEN_RTSP_MAX_HEADER);
		}
		return LUMEN_RTSP_NEED_MORE;
	}

	if (memchr(in, '\0', hlen)) {
		*consumed = len;
		return fail(req, -EBADMSG, 400, true, err, errlen,
			    "request header has a NUL byte at %zu",
			    (size_t)((const char *)memchr(in, '\0', hlen) - in));
	}
	memcpy(req->buf, in, hlen);
	req->buf[hlen] = '\0';
	/* unfold continuation lines (obsolete folding) */
	for (size_t i = 0; i + 1 < hlen; i++)
		if (req->buf[i] == '\n' && (req->buf[i + 1] == ' ' || req->buf[i + 1] == '\t')) {
			req->buf[i] = ' ';
			if (i && req->buf[i - 1] == '\r')
				req->buf[i - 1] = ' ';
		}
	line = req->buf;
	next = strchr(line, '\n');
	*next++ = '\0';
	st = request_line(req, trim(line), err, errlen);
	if (st == 400) {
		*consumed = len;
		return fail(req, -EBADMSG, 400, true, NULL, 0, "x");
	}
	for (line = next; *line; line = next) {
		char *colon, *name;

		next = strchr(line, '\n');
		if (!next)
			break;
		*next++ = '\0';
		name = trim(line);
		if (!*name)
			break;	/* the blank line */
		colon = strchr(name, ':');
		if (!colon || colon == name) {
			*consumed = hlen;
			return fail(req, -EBADMSG, 400, false, err, errlen,
				    "%s %.60s: header line '%.40s' has no name:value",
				    req->method_name, req->uri, name);
		}
		*colon = '\0';
		for (p = name; *p; p++)
			if (!is_tchar((unsigned char)*p)) {
				*consumed = hlen;
				return fail(req, -EBADMSG, 400, false, err, errlen,
					    "%s %.60s: header name '%.40s' is not a token",
					    req->method_name, req->uri, name);
			}
		if (req->nheaders == LUMEN_RTSP_MAX_HEADERS) {
			*consumed = hlen;
			return fail(req, -EMSGSIZE, 400, false, err, errlen,
				    "%s %.60s: more than %d header lines",
				    req->method_name, req->uri, LUMEN_RTSP_MAX_HEADERS);
		}
		req->hdr[req->nheaders].name = name;
		req->hdr[req->nheaders].value = trim(colon + 1);
		req->nheaders++;
	}

	cs = lumen_rtsp_header(req, "CSeq");
	if (cs)
		req->cseq = parse_dec(cs, 9);

	cl = lumen_rtsp_header(req, "Content-Length");
	if (cl && header_count(req, "Content-Length") > 1) {
		/* which one frames the body? a request smuggling trick: the
		 * stream is lost */
		*consumed = len;
		return fail(req, -EBADMSG, 400, true, err, errlen,
			    "%s %.60s: more than one Content-Length",
			    req->method_name, req->uri);
	}
	if (cl) {
		long n = parse_dec(cl, 9);

		if (n < 0) {
			*consumed = len;
			return fail(req, -EBADMSG, 400, true, err, errlen,
				    "%s %.60s: Content-Length '%.20s' is not a number",
				    req->method_name, req->uri, cl);
		}
		if (n > LUMEN_RTSP_MAX_BODY) {
			*consumed = len;
			return fail(req, -EMSGSIZE, 413, true, err, errlen,
				    "%s %.60s: body of %ld bytes (limit %d)",
				    req->method_name, req->uri, n, LUMEN_RTSP_MAX_BODY);
		}
		if (len < hlen + (size_t)n)
			return LUMEN_RTSP_NEED_MORE;
		req->body = in + hlen;
		req->body_len = (size_t)n;
	}
	*consumed = hlen + req->body_len;
	if (req->body_len && memchr(req->body, '\0', req->body_len))
		return fail(req, -EBADMSG, 400, false, err, errlen,
			    "%s %.60s: body has a NUL byte", req->method_name, req->uri);

	if (st)
		return fail(req, -EBADMSG, st, false, NULL, 0, "x");
	if (!cs)
		return fail(req, -EBADMSG, 400, false, err, errlen,
			    "%s %.60s: no CSeq header", req->method_name, req->uri);
	if (req->cseq < 0)
		return fail(req, -EBADMSG, 400, false, err, errlen,
			    "%s %.60s: CSeq '%.20s' is not a decimal number",
			    req->method_name, req->uri, cs);
	return LUMEN_RTSP_REQUEST;
}

int lumen_rtsp_parse(const char *in, size_t len, struct lumen_rtsp_request *req,
		     struct lumen_rtsp_frame *frame, size_t *consumed,
		     char *err, size_t errlen)
{
	size_t skip = 0;
	int ret;

	/* blank lines between messages are allowed (RFC 2616 4.1) */
	while (skip < len && (in[skip] == '\r' || in[skip] == '\n'))
		skip++;
	ret = parse_message(in + skip, len - skip, req, frame, consumed, err, errlen);
	*consumed += skip;
	return ret;
}

const char *lumen_rtsp_header(const struct lumen_rtsp_request *req,
			      const char *name)
{
	for (int i = 0; i < req->nheaders; i++)
		if (!strcasecmp(req->hdr[i].name, name))
			return req->hdr[i].value;
	return NULL;
}

/* ---- Transport ------------------------------------------------------------ */

/* "a" or "a-b" with 0 <= a, b <= @max; b defaults to a + 1. */
static int parse_pair(const char *s, long max, long out[2])
{
	char tmp[32], *dash;

	if (strlen(s) >= sizeof(tmp))
		return -EINVAL;
	strcpy(tmp, s);
	dash = strchr(tmp, '-');
	if (dash)
		*dash = '\0';
	out[0] = parse_dec(tmp, 5);
	out[1] = dash ? parse_dec(dash + 1, 5) : out[0] + 1;
	if (out[0] < 0 || out[1] < 0 || out[0] > max || out[1] > max)
		return -EINVAL;
	return 0;
}

/* One spec ("RTP/AVP;unicast;client_port=..."), modified in place. */
static int transport_spec(char *spec, struct lumen_rtsp_transport *t,
			  char *why, size_t whylen)
{
	char *save = NULL, *tok, *proto;
	bool have_ports = false;

	memset(t, 0, sizeof(*t));
	proto = strtok_r(spec, ";", &save);
	proto = trim(proto ? proto : spec);
	if (!strcasecmp(proto, "RTP/AVP") || !strcasecmp(proto, "RTP/AVP/UDP")) {
		t->tcp = false;
	} else if (!strcasecmp(proto, "RTP/AVP/TCP")) {
		t->tcp = true;
	} else {
		snprintf(why, whylen, "profile '%.24s' (RTP/AVP, RTP/AVP/UDP or "
			 "RTP/AVP/TCP only)", proto);
		return -EPROTONOSUPPORT;
	}
	while ((tok = strtok_r(NULL, ";", &save))) {
		char *eq, *key = trim(tok), *val = NULL;
		long pr[2];

		eq = strchr(key, '=');
		if (eq) {
			*eq = '\0';
			val = trim(eq + 1);
			key = trim(key);
		}
		if (!strcasecmp(key, "multicast")) {
			snprintf(why, whylen, "multicast (unicast only)");
			return -EPROTONOSUPPORT;
		} else if (!strcasecmp(key, "client_port") && val) {
			/* an RTP port and the RTCP port above it (RFC 3550
			 * 11): even, then odd, neither 0 */
			if (parse_pair(val, 65535, pr) || pr[0] == 0 || (pr[0] & 1) ||
			    pr[1] != pr[0] + 1) {
				snprintf(why, whylen, "client_port '%.24s' (an even "
					 "port n and n+1)", val);
				return -EPROTONOSUPPORT;
			}
			t->client_port[0] = (uint16_t)pr[0];
			t->client_port[1] = (uint16_t)pr[1];
			have_ports = true;
		} else if (!strcasecmp(key, "interleaved") && val) {
			if (parse_pair(val, 255, pr)) {
				snprintf(why, whylen, "interleaved '%.24s'", val);
				return -EPROTONOSUPPORT;
			}
			t->interleaved[0] = (uint8_t)pr[0];
			t->interleaved[1] = (uint8_t)pr[1];
			t->has_interleaved = true;
		} else if (!strcasecmp(key, "mode") && val) {
			if (strcasecmp(val, "play") && strcasecmp(val, "\"play\"")) {
				snprintf(why, whylen, "mode=%.16s (play only)", val);
				return -EPROTONOSUPPORT;
			}
		}
		/* unicast, ssrc, ttl, destination...: nothing to do */
	}
	if (t->tcp && !t->has_interleaved) {
		t->interleaved[0] = 0;
		t->interleaved[1] = 1;
	}
	if (!t->tcp && !have_ports) {
		snprintf(why, whylen, "UDP without client_port");
		return -EPROTONOSUPPORT;
	}
	return 0;
}

int lumen_rtsp_parse_transport(const char *value, struct lumen_rtsp_transport *t,
			       char *err, size_t errlen)
{
	char copy[1024], why[96] = "", *save = NULL, *spec;
	int ret = -EPROTONOSUPPORT;

	if (!value || !*value) {
		snprintf(err, errlen, "Transport: missing");
		return -EPROTONOSUPPORT;
	}
	if (strlen(value) >= sizeof(copy)) {
		snprintf(err, errlen, "Transport: longer than %zu bytes", sizeof(copy) - 1);
		return -EPROTONOSUPPORT;
	}
	strcpy(copy, value);
	for (spec = strtok_r(copy, ",", &save); spec; spec = strtok_r(NULL, ",", &save)) {
		char one[1024];

		strcpy(one, spec);
		ret = transport_spec(one, t, why, sizeof(why));
		if (!ret)
			return 0;
	}
	snprintf(err, errlen, "Transport '%.60s': %s", value, why[0] ? why : "empty");
	return ret;
}

/* ---- paths ---------------------------------------------------------------- */

/* Parses "chN", "stream=N", "streamN" into N, or -1. */
static int stream_name(const char *s, size_t n)
{
	static const char *const prefixes[] = { "ch", "stream=", "stream" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = strlen(prefixes[i]);
		long v = 0;

		if (n <= pl || n > pl + 2 || strncasecmp(s, prefixes[i], pl))
			continue;
		for (size_t k = pl; k < n; k++) {
			if (s[k] < '0' || s[k] > '9')
				return -1;
			v = v * 10 + (s[k] - '0');
		}
		return (int)v;
	}
	return -1;
}

static bool track_name(const char *s, size_t n)
{
	static const char *const prefixes[] = { "trackID=", "track=", "track" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = strlen(prefixes[i]);

		if (n > pl && n <= pl + 2 && !strncasecmp(s, prefixes[i], pl)) {
			for (size_t k = pl; k < n; k++)
				if (s[k] < '0' || s[k] > '9')
					return false;
			return true;
		}
	}
	return false;
}

int lumen_rtsp_uri_channel(const char *uri, unsigned nchannels, bool *track)
{
	const char *p = uri, *end, *seg2;
	size_t n1;
	int ch;

	*track = false;
	if (!strncasecmp(p, "rtsp://", 7) || !strncasecmp(p, "rtsps://", 8)) {
		p = strchr(p + 7, '/');
		if (!p)
			return -ENOENT;
	}
	if (*p != '/')
		return -ENOENT;
	p++;
	end = p + strcspn(p, "?#");
	while (end > p && end[-1] == '/')
		end--;
	seg2 = memchr(p, '/', (size_t)(end - p));
	n1 = seg2 ? (size_t)(seg2 - p) : (size_t)(end - p);
	ch = stream_name(p, n1);
	if (ch < 0 || (unsigned)ch >= nchannels)
		return -ENOENT;
	if (seg2) {
		seg2++;
		if (!track_name(seg2, (size_t)(end - seg2)))
			return -ENOENT;
		*track = true;
	}
	return ch;
}

int lumen_rtsp_session_id(const char *value, char *id, size_t idlen)
{
	size_t n;

	while (*value == ' ')
		value++;
	n = strcspn(value, "; \t");
	if (!n || n >= idlen)
		return -EINVAL;
	memcpy(id, value, n);
	id[n] = '\0';
	return 0;
}

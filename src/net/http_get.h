/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal HTTP/1.0 GET client for `lumen doctor --url`: plain http://
 * only (a camera's status API on the local network), one request per
 * connection, the whole body into memory up to a limit.
 */
#ifndef LUMEN_NET_HTTP_GET_H
#define LUMEN_NET_HTTP_GET_H

#include <stddef.h>

struct lumen_url {
	char host[256];
	char port[8];
	char path[1024];	/* starts with '/', query included */
};

/*
 * Splits "http://host[:port][/path]" (the scheme may be left out; port
 * defaults to 80, path to "/"). IPv6 literals in brackets are accepted.
 * 0, or -EINVAL with the reason in @err.
 */
int lumen_url_parse(const char *url, struct lumen_url *out, char *err,
		    size_t errlen);

/*
 * GETs @u, waiting at most @timeout_ms for the whole exchange. On 0, *@body
 * (malloc'd, NUL-terminated, the caller frees it) holds at most @max bytes
 * of a 200 response. Otherwise a negative errno and a message naming the
 * host and what went wrong: -ECONNREFUSED etc. from the socket, -ETIMEDOUT,
 * -EPROTO for a reply that is not HTTP, -EFBIG over @max, -ENOENT for a
 * status other than 200 (the status line is quoted).
 */
int lumen_http_get(const struct lumen_url *u, int timeout_ms, size_t max,
		   char **body, size_t *len, char *err, size_t errlen);

/*
 * Splits a raw HTTP response (status line, headers, body) in @resp:
 * *@status gets the status code, *@body_off where the body starts.
 * 0 or -EPROTO. Exposed for tests and fuzzing.
 */
int lumen_http_response_split(const char *resp, size_t len, int *status,
			      size_t *body_off);

#endif

// SPDX-License-Identifier: GPL-2.0-or-later
#include "net/http_get.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>

#include "core/clock.h"
#include "core/errmsg.h"

int lumen_url_parse(const char *url, struct lumen_url *out, char *err,
		    size_t errlen)
{
	const char *p = url, *host, *host_end, *port = NULL, *path;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!strncmp(p, "http://", 7))
		p += 7;
	else if (strstr(p, "://"))
		return lumen_fail(-EINVAL, err, errlen,
				  "url '%s': only http:// is supported", url);
	path = p + strcspn(p, "/?#");
	if (*p == '[') {	/* [v6]:port */
		host = p + 1;
		host_end = memchr(host, ']', (size_t)(path - host));
		if (!host_end)
			return lumen_fail(-EINVAL, err, errlen,
					  "url '%s': no ']' after the IPv6 address", url);
		if (host_end[1] == ':')
			port = host_end + 2;
		else if (host_end + 1 != path)
			return lumen_fail(-EINVAL, err, errlen,
					  "url '%s': junk after ']'", url);
	} else {
		host = p;
		host_end = memchr(p, ':', (size_t)(path - p));
		if (host_end)
			port = host_end + 1;
		else
			host_end = path;
	}
	n = (size_t)(host_end - host);
	if (!n || n >= sizeof(out->host))
		return lumen_fail(-EINVAL, err, errlen, "url '%s': %s host", url,
				  n ? "too long a" : "no");
	memcpy(out->host, host, n);
	if (port) {
		n = (size_t)(path - port);
		if (!n || n >= sizeof(out->port) || strspn(port, "0123456789") < n ||
		    atoi(port) < 1 || atoi(port) > 65535)
			return lumen_fail(-EINVAL, err, errlen,
					  "url '%s': bad port '%.*s'", url, (int)n, port);
		memcpy(out->port, port, n);
	} else {
		strcpy(out->port, "80");
	}
	if (*path == '#' || !*path) {
		strcpy(out->path, "/");
	} else {
		n = strcspn(path, "#");
		if (n + 2 > sizeof(out->path))
			return lumen_fail(-EINVAL, err, errlen, "url '%s': path too long",
					  url);
		if (*path == '?')
			out->path[0] = '/';
		memcpy(out->path + (*path == '?'), path, n);
	}
	for (const char *c = out->path; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == 0x7f)
			return lumen_fail(-EINVAL, err, errlen,
					  "url '%s': space or control byte in the path", url);
	return 0;
}

int lumen_http_response_split(const char *resp, size_t len, int *status,
			      size_t *body_off)
{
	const char *end = resp + len, *p;
	int code = 0, digits = 0;

	if (len < 12 || strncmp(resp, "HTTP/1.", 7) || resp[8] != ' ')
		return -EPROTO;
	for (p = resp + 9; p < end && *p >= '0' && *p <= '9' && digits < 4; p++) {
		code = code * 10 + (*p - '0');
		digits++;
	}
	if (digits != 3 || code < 100 || p == end ||
	    (*p != ' ' && *p != '\r' && *p != '\n'))
		return -EPROTO;
	/* the body starts after the first empty line */
	for (; p < end; p++) {
		if (*p != '\n')
			continue;
		if (p + 1 < end && p[1] == '\n') {
			*body_off = (size_t)(p + 2 - resp);
			break;
		}
		if (p + 2 < end && p[1] == '\r' && p[2] == '\n') {
			*body_off = (size_t)(p + 3 - resp);
			break;
		}
	}
	if (p >= end)
		return -EPROTO;
	*status = code;
	return 0;
}

/* Connects to the first address of @u that answers before @deadline_ns. */
static int connect_to(const struct lumen_url *u, int64_t deadline_ns,
		      char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1, ret, last = ECONNREFUSED;

	ret = getaddrinfo(u->host, u->port, &hints, &res);
	if (ret)
		return lumen_fail(-EHOSTUNREACH, err, errlen, "%s: %s", u->host,
				  gai_strerror(ret));
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd pfd;
		int left, soerr = 0;
		socklen_t sl = sizeof(soerr);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			last = errno;
			continue;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno != EINPROGRESS) {
			last = errno;
			goto close_fd;
		}
		left = (int)((deadline_ns - lumen_now_ns()) / 1000000);
		pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
		if (left <= 0 || poll(&pfd, 1, left) != 1) {
			last = ETIMEDOUT;
			goto close_fd;
		}
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (!soerr)
			break;
		last = soerr;
close_fd:
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return lumen_fail(-last, err, errlen, "%s port %s: connect: %s",
				  u->host, u->port, strerror(last));
	return fd;
}

/* Waits for @events on @fd until @deadline_ns: 0 or -ETIMEDOUT. */
static int wait_fd(int fd, short events, int64_t deadline_ns)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int left = (int)((deadline_ns - lumen_now_ns()) / 1000000);

	if (left <= 0)
		return -ETIMEDOUT;
	return poll(&pfd, 1, left) == 1 ? 0 : -ETIMEDOUT;
}

int lumen_http_get(const struct lumen_url *u, int timeout_ms, size_t max,
		   char **body, size_t *len, char *err, size_t errlen)
{
	int64_t deadline = lumen_now_ns() + (int64_t)timeout_ms * 1000000;
	size_t cap = 4096, got = 0, sent = 0, off, head_max = 16384;
	char req[1400], *buf;
	int fd, status, ret, n;

	*body = NULL;
	*len = 0;
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.0\r\nHost: %s:%s\r\nUser-Agent: lumen-doctor\r\n"
		     "Accept: */*\r\nConnection: close\r\n\r\n",
		     u->path, u->host, u->port);
	if (n < 0 || (size_t)n >= sizeof(req))
		return lumen_fail(-EINVAL, err, errlen, "%s: request too long", u->host);
	fd = connect_to(u, deadline, err, errlen);
	if (fd < 0)
		return fd;
	buf = malloc(cap + 1);
	if (!buf) {
		ret = lumen_fail(-ENOMEM, err, errlen, "out of memory");
		goto close_fd;
	}
	while (sent < (size_t)n) {
		ssize_t w;

		if (wait_fd(fd, POLLOUT, deadline)) {
			ret = lumen_fail(-ETIMEDOUT, err, errlen, "%s port %s: send timed out",
					 u->host, u->port);
			goto free_buf;
		}
		w = send(fd, req + sent, (size_t)n - sent, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			ret = lumen_fail(-errno, err, errlen, "%s port %s: send: %s",
					 u->host, u->port, strerror(errno));
			goto free_buf;
		}
		if (w > 0)
			sent += (size_t)w;
	}
	for (;;) {
		ssize_t r;

		if (got == cap) {
			char *nb;

			if (cap >= max + head_max) {
				ret = lumen_fail(-EFBIG, err, errlen,
						 "%s port %s%s: reply larger than %zu bytes",
						 u->host, u->port, u->path, max);
				goto free_buf;
			}
			cap = cap * 2 > max + head_max ? max + head_max : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				ret = lumen_fail(-ENOMEM, err, errlen, "out of memory");
				goto free_buf;
			}
			buf = nb;
		}
		if (wait_fd(fd, POLLIN, deadline)) {
			ret = lumen_fail(-ETIMEDOUT, err, errlen,
					 "%s port %s%s: no complete reply in %d ms",
					 u->host, u->port, u->path, timeout_ms);
			goto free_buf;
		}
		r = recv(fd, buf + got, cap - got, 0);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			ret = lumen_fail(-errno, err, errlen, "%s port %s: recv: %s",
					 u->host, u->port, strerror(errno));
			goto free_buf;
		}
		got += (size_t)r;
	}
	buf[got] = 0;
	if (lumen_http_response_split(buf, got, &status, &off)) {
		ret = lumen_fail(-EPROTO, err, errlen,
				 "%s port %s%s: the reply is not HTTP ('%.20s')",
				 u->host, u->port, u->path, buf);
		goto free_buf;
	}
	if (status != 200) {
		ret = lumen_fail(-ENOENT, err, errlen, "%s port %s%s: '%.*s'", u->host,
				 u->port, u->path, (int)strcspn(buf, "\r\n"), buf);
		goto free_buf;
	}
	if (got - off > max) {
		ret = lumen_fail(-EFBIG, err, errlen,
				 "%s port %s%s: reply larger than %zu bytes", u->host,
				 u->port, u->path, max);
		goto free_buf;
	}
	memmove(buf, buf + off, got - off + 1);
	*body = buf;
	*len = got - off;
	close(fd);
	return 0;

free_buf:
	free(buf);
close_fd:
	close(fd);
	return ret;
}

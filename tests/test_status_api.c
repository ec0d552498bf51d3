// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What `lumen doctor --url` relies on: the stage table printed by
 * lumen_status_format reads back the same (lumen_status_parse), the
 * difference of two snapshots keeps states and subtracts counters, URLs
 * split as documented, and the HTTP GET client gets a body from a real
 * socket, refuses oversized or non-HTTP replies and reports non-200s.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "net/http_get.h"
#include "pipeline/status.h"

static void fill(struct lumen_stage_status *st)
{
	memset(st, 0, 3 * sizeof(*st));
	snprintf(st[0].name, sizeof(st[0].name), "sensor");
	st[0].frames_out = 53;
	lumen_status_extra(&st[0], "stream_reg", 1);
	lumen_status_extra(&st[0], "gain_q8", -256);
	snprintf(st[0].note, sizeof(st[0].note), "sc4336p (not initialised)");
	snprintf(st[1].name, sizeof(st[1].name), "link");
	st[1].frames_in = 53;
	st[1].frames_out = 53;
	lumen_status_extra(&st[1], "pad2_hs_bursts", 1000);
	lumen_status_extra(&st[1], "pad", 2);
	snprintf(st[2].name, sizeof(st[2].name), "jpeg");
	st[2].frames_in = 40;
	st[2].frames_out = 30;
	st[2].drops = 10;
	st[2].errors = 1;
	st[2].fps = 29.5;
	st[2].ns_last = 1500000;
	snprintf(st[2].note, sizeof(st[2].note), "stalled");
}

static void status_round_trip(void **state)
{
	struct lumen_stage_status st[3], back[4];
	char buf[2048], prefixed[2100];
	int len, n;

	(void)state;
	fill(st);
	len = lumen_status_format(st, 3, buf, sizeof(buf));
	assert_true(len > 0 && (size_t)len < sizeof(buf));
	/* a summary line before the table and text after it are not stages */
	snprintf(prefixed, sizeof(prefixed), "lumen serve: board x\n%sae: on\n", buf);
	n = lumen_status_parse(prefixed, strlen(prefixed), back, 4);
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(back[i].name, st[i].name);
		assert_int_equal(back[i].frames_in, st[i].frames_in);
		assert_int_equal(back[i].frames_out, st[i].frames_out);
		assert_int_equal(back[i].drops, st[i].drops);
		assert_int_equal(back[i].errors, st[i].errors);
		assert_int_equal(back[i].nextra, st[i].nextra);
		for (int k = 0; k < st[i].nextra; k++) {
			assert_string_equal(back[i].extra[k].key, st[i].extra[k].key);
			assert_int_equal(back[i].extra[k].value, st[i].extra[k].value);
		}
		assert_string_equal(back[i].note, st[i].note);
	}
	/* ms/frame of a stage with frames is ns_total / out */
	assert_int_equal(back[2].ns_last, 0);
	/* at most @max stages; no header at all is an error */
	assert_int_equal(lumen_status_parse(buf, (size_t)len, back, 2), 2);
	assert_int_equal(lumen_status_parse("stage x\n", 8, back, 4), -EINVAL);
	assert_int_equal(lumen_status_parse(buf, 0, back, 4), -EINVAL);
}

static void status_delta_counters_and_states(void **state)
{
	struct lumen_stage_status a[3], b[3], d[3];

	(void)state;
	fill(a);
	fill(b);
	b[1].frames_out = 60;			/* grew by 7 */
	b[1].extra[0].value = 1500;		/* pad2_hs_bursts: counter */
	b[1].extra[1].value = 3;		/* pad: state */
	b[2].frames_out = 5;			/* went down: a restart */
	lumen_status_delta(a, 3, b, 3, d);
	assert_int_equal(d[1].frames_out, 7);
	assert_int_equal(d[1].frames_in, 0);
	assert_int_equal(d[1].extra[0].value, 500);
	assert_int_equal(d[1].extra[1].value, 3);
	assert_int_equal(d[2].frames_out, 5);
	assert_int_equal(d[0].extra[0].value, 1);	/* stream_reg: state */
	assert_string_equal(d[2].note, "stalled");
	/* a stage only in the later snapshot keeps its totals */
	lumen_status_delta(a, 1, b, 3, d);
	assert_int_equal(d[2].frames_out, 5);
	assert_true(lumen_status_key_is_counter("pad0_hs_bursts"));
	assert_true(lumen_status_key_is_counter("frame_start"));
	assert_false(lumen_status_key_is_counter("configured"));
	assert_false(lumen_status_key_is_counter("_hs_bursts"));
}

static void url_split(void **state)
{
	struct lumen_url u;
	char err[256];

	(void)state;
	assert_int_equal(lumen_url_parse("http://cam.local:8080/api/v1/status?format=text",
					 &u, err, sizeof(err)), 0);
	assert_string_equal(u.host, "cam.local");
	assert_string_equal(u.port, "8080");
	assert_string_equal(u.path, "/api/v1/status?format=text");
	assert_int_equal(lumen_url_parse("192.168.1.10", &u, err, sizeof(err)), 0);
	assert_string_equal(u.port, "80");
	assert_string_equal(u.path, "/");
	assert_int_equal(lumen_url_parse("http://[::1]:81?x=1#frag", &u, err, sizeof(err)), 0);
	assert_string_equal(u.host, "::1");
	assert_string_equal(u.port, "81");
	assert_string_equal(u.path, "/?x=1");
	assert_int_equal(lumen_url_parse("https://x", &u, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "only http://"));
	assert_int_equal(lumen_url_parse("http://:80/", &u, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no host"));
	assert_int_equal(lumen_url_parse("h:99999", &u, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad port '99999'"));
	assert_int_equal(lumen_url_parse("h:8x/", &u, err, sizeof(err)), -EINVAL);
	assert_int_equal(lumen_url_parse("http://[::1/", &u, err, sizeof(err)), -EINVAL);
	assert_int_equal(lumen_url_parse("h/a b", &u, err, sizeof(err)), -EINVAL);
}

static void response_split(void **state)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody";
	static const char lf[] = "HTTP/1.0 404 Not Found\n\nx";
	int status;
	size_t off;

	(void)state;
	assert_int_equal(lumen_http_response_split(ok, strlen(ok), &status, &off), 0);
	assert_int_equal(status, 200);
	assert_string_equal(ok + off, "body");
	assert_int_equal(lumen_http_response_split(lf, strlen(lf), &status, &off), 0);
	assert_int_equal(status, 404);
	assert_string_equal(lf + off, "x");
	/* no end of headers, not HTTP, a four-digit status */
	assert_int_equal(lumen_http_response_split(ok, 20, &status, &off), -EPROTO);
	assert_int_equal(lumen_http_response_split("SSH-2.0-OpenSSH\r\n\r\n", 19,
						   &status, &off), -EPROTO);
	assert_int_equal(lumen_http_response_split("HTTP/1.1 2000 OK\r\n\r\n", 20,
						   &status, &off), -EPROTO);
}

/* A one-shot server: reads the request, writes @reply, closes. */
struct one_shot {
	int listen_fd;
	const char *reply;
	size_t reply_len;
	char request[512];
};

static void *serve_once(void *arg)
{
	struct one_shot *o = arg;
	int fd = accept(o->listen_fd, NULL, NULL);
	size_t got = 0;

	if (fd < 0)
		return NULL;
	while (got < sizeof(o->request) - 1 && !strstr(o->request, "\r\n\r\n")) {
		ssize_t r = recv(fd, o->request + got, sizeof(o->request) - 1 - got, 0);

		if (r <= 0)
			break;
		got += (size_t)r;
		o->request[got] = 0;
	}
	for (size_t sent = 0; sent < o->reply_len;) {
		ssize_t w = send(fd, o->reply + sent, o->reply_len - sent, MSG_NOSIGNAL);

		if (w <= 0)
			break;
		sent += (size_t)w;
	}
	close(fd);
	return NULL;
}

static int get_from(const char *reply, size_t reply_len, size_t max, char **body,
		    size_t *len, char *err, size_t errlen, char *request)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	struct one_shot o = { .reply = reply, .reply_len = reply_len };
	struct lumen_url u;
	pthread_t t;
	int ret;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	o.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(o.listen_fd >= 0);
	assert_int_equal(bind(o.listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(o.listen_fd, 1), 0);
	assert_int_equal(getsockname(o.listen_fd, (struct sockaddr *)&a, &al), 0);
	memset(&u, 0, sizeof(u));
	snprintf(u.host, sizeof(u.host), "127.0.0.1");
	snprintf(u.port, sizeof(u.port), "%u", ntohs(a.sin_port));
	snprintf(u.path, sizeof(u.path), "/api/v1/status?format=text");
	assert_int_equal(pthread_create(&t, NULL, serve_once, &o), 0);
	ret = lumen_http_get(&u, 5000, max, body, len, err, errlen);
	pthread_join(t, NULL);
	close(o.listen_fd);
	if (request)
		memcpy(request, o.request, sizeof(o.request));
	return ret;
}

static void http_get_over_a_socket(void **state)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nstage in\n";
	static const char nf[] = "HTTP/1.1 404 Not Found\r\n\r\nnope";
	static const char junk[] = "\x16\x03\x01 binary";
	char *body, err[256], request[512];
	size_t len;
	char *big;

	(void)state;
	assert_int_equal(get_from(ok, strlen(ok), 1024, &body, &len, err, sizeof(err),
				  request), 0);
	assert_int_equal(len, 9);
	assert_string_equal(body, "stage in\n");
	free(body);
	assert_true(!strncmp(request, "GET /api/v1/status?format=text HTTP/1.0\r\n", 41));
	assert_non_null(strstr(request, "\r\nHost: 127.0.0.1:"));

	assert_int_equal(get_from(nf, strlen(nf), 1024, &body, &len, err, sizeof(err),
				  NULL), -ENOENT);
	assert_null(body);
	assert_non_null(strstr(err, "'HTTP/1.1 404 Not Found'"));

	assert_int_equal(get_from(junk, sizeof(junk) - 1, 1024, &body, &len, err,
				  sizeof(err), NULL), -EPROTO);
	assert_non_null(strstr(err, "not HTTP"));

	/* a reply over the limit: refused, not truncated */
	big = malloc(200000);
	assert_non_null(big);
	memcpy(big, "HTTP/1.0 200 OK\r\n\r\n", 19);
	memset(big + 19, 'x', 200000 - 19);
	assert_int_equal(get_from(big, 200000, 100000, &body, &len, err, sizeof(err),
				  NULL), -EFBIG);
	assert_non_null(strstr(err, "larger than 100000 bytes"));
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(status_round_trip),
		cmocka_unit_test(status_delta_counters_and_states),
		cmocka_unit_test(url_split),
		cmocka_unit_test(response_split),
		cmocka_unit_test(http_get_over_a_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

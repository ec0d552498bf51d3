// SPDX-License-Identifier: GPL-2.0-or-later
/* HTTP server of `lumen serve` on libmicrohttpd, thread per connection. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>

#include "core/log.h"
#include "serve/http.h"

/* The web page, generated at build time from web/index.html (web/embed.c). */
extern const unsigned char lumen_web_index[];
extern const size_t lumen_web_index_len;

#define REALM "lumen"
#define BOUNDARY "lumenframe"
#define MJPEG_WAIT_MS 200	/* bounds how long a stop waits for a stream */
#define MAX_SET_KEYS 32
#define MAX_BODY (64 * 1024)	/* request bodies are read and dropped */

struct lumen_http {
	struct MHD_Daemon *d;
	struct lumen_http_params p;
	atomic_int stopping;
	int port;
	unsigned char nonce_seed[32];
	pthread_mutex_t ctr_lock;	/* guards ctr */
	struct lumen_http_counters ctr;
};

/* ---- buffers ---- */

int lumen_buf_reserve(struct lumen_buf *b, size_t need)
{
	size_t cap;
	unsigned char *n;

	if (b->failed)
		return -ENOMEM;
	if (need <= b->cap - b->len)
		return 0;
	if (need > SIZE_MAX / 2 - b->len)
		goto fail;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < need)
		cap *= 2;
	n = realloc(b->data, cap);
	if (!n)
		goto fail;
	b->data = n;
	b->cap = cap;
	return 0;
fail:
	b->failed = 1;
	return -ENOMEM;
}

int lumen_buf_append(struct lumen_buf *b, const void *data, size_t len)
{
	int ret = lumen_buf_reserve(b, len);

	if (ret)
		return ret;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return 0;
}

int lumen_buf_printf(struct lumen_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || lumen_buf_reserve(b, (size_t)n + 1))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int lumen_buf_json_string(struct lumen_buf *b, const char *s)
{
	int ret = lumen_buf_append(b, "\"", 1);

	for (; *s && !ret; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			ret = lumen_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			ret = lumen_buf_printf(b, "\\u%04x", c);
		else
			ret = lumen_buf_append(b, s, 1);
	}
	return ret ? ret : lumen_buf_append(b, "\"", 1);
}

void lumen_buf_free(struct lumen_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* ---- Prometheus writer ---- */

#define METRIC_NAME_MAX 96
#define METRIC_FAMILIES 128

struct lumen_metrics {
	struct lumen_buf *b;
	char last[METRIC_NAME_MAX];
	char seen[METRIC_FAMILIES][METRIC_NAME_MAX];
	int nseen;
	int failed;
};

static bool metric_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= METRIC_NAME_MAX || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == ':'))
			return false;
	return true;
}

/* Opens family @name unless it is the current one; marks the writer failed
 * when @name came earlier (families must be contiguous). */
static int metric_family(struct lumen_metrics *w, const char *name, const char *type,
			 const char *help)
{
	if (w->failed)
		return -EINVAL;
	if (!metric_name_ok(name))
		goto bad;
	if (!strcmp(w->last, name))
		return 0;
	for (int i = 0; i < w->nseen; i++)
		if (!strcmp(w->seen[i], name))
			goto bad;
	if (w->nseen == METRIC_FAMILIES)
		goto bad;
	snprintf(w->seen[w->nseen++], METRIC_NAME_MAX, "%s", name);
	snprintf(w->last, sizeof(w->last), "%s", name);
	lumen_buf_printf(w->b, "# HELP %s ", name);
	for (const char *h = help ? help : ""; *h; h++) {	/* escape \ and newline */
		if (*h == '\\' || *h == '\n')
			lumen_buf_printf(w->b, "\\%c", *h == '\n' ? 'n' : '\\');
		else
			lumen_buf_append(w->b, h, 1);
	}
	return lumen_buf_printf(w->b, "\n# TYPE %s %s\n", name, type);
bad:
	lumen_warn("http: metrics: family '%s' rejected (bad name, or not contiguous)",
		   name);
	w->failed = 1;
	return -EINVAL;
}

static int metric_labels(struct lumen_metrics *w, const char *name, const char *labels)
{
	if (labels && *labels)
		return lumen_buf_printf(w->b, "%s{%s} ", name, labels);
	return lumen_buf_printf(w->b, "%s ", name);
}

int lumen_metrics_counter(struct lumen_metrics *w, const char *name, const char *help,
			  const char *labels, uint64_t value)
{
	size_t n = strlen(name);

	if (n < 7 || strcmp(name + n - 6, "_total")) {
		lumen_warn("http: metrics: counter '%s' must end in _total", name);
		w->failed = 1;
		return -EINVAL;
	}
	if (metric_family(w, name, "counter", help) || metric_labels(w, name, labels))
		return -EINVAL;
	return lumen_buf_printf(w->b, "%llu\n", (unsigned long long)value);
}

int lumen_metrics_gauge(struct lumen_metrics *w, const char *name, const char *help,
			const char *labels, double value)
{
	if (metric_family(w, name, "gauge", help) || metric_labels(w, name, labels))
		return -EINVAL;
	if (isnan(value))
		return lumen_buf_printf(w->b, "NaN\n");
	if (isinf(value))
		return lumen_buf_printf(w->b, "%cInf\n", value > 0 ? '+' : '-');
	return lumen_buf_printf(w->b, "%.17g\n", value);
}

/* ---- responses ---- */

static void count(struct lumen_http *h, unsigned status)
{
	pthread_mutex_lock(&h->ctr_lock);
	h->ctr.requests++;
	if (status >= 400 && status < 500)
		h->ctr.errors_4xx++;
	else if (status >= 500)
		h->ctr.errors_5xx++;
	if (status == MHD_HTTP_UNAUTHORIZED)
		h->ctr.auth_failures++;
	pthread_mutex_unlock(&h->ctr_lock);
}

/* Queues @r (consumed) with @status; MHD_NO when @r is NULL. */
static enum MHD_Result reply(struct lumen_http *h, struct MHD_Connection *c,
			     unsigned status, struct MHD_Response *r, const char *type)
{
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	if (type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	count(h, status);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* A response from @b's memory, which it takes over (@b is emptied). */
static enum MHD_Result send_buf(struct lumen_http *h, struct MHD_Connection *c,
				unsigned status, struct lumen_buf *b, const char *type)
{
	struct MHD_Response *r;

	if (b->failed) {
		lumen_buf_free(b);
		return MHD_NO;
	}
	r = MHD_create_response_from_buffer(b->len, b->data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		lumen_buf_free(b);
		return MHD_NO;
	}
	memset(b, 0, sizeof(*b));
	return reply(h, c, status, r, type);
}

__attribute__((format(printf, 4, 5)))
static enum MHD_Result send_text(struct lumen_http *h, struct MHD_Connection *c,
				 unsigned status, const char *fmt, ...)
{
	struct lumen_buf b = { 0 };
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || lumen_buf_reserve(&b, (size_t)n + 1))
		return MHD_NO;
	va_start(ap, fmt);
	vsnprintf((char *)b.data, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b.len = (size_t)n;
	return send_buf(h, c, status, &b, "text/plain; charset=utf-8");
}

static enum MHD_Result send_json_error(struct lumen_http *h, struct MHD_Connection *c,
				       unsigned status, const char *msg)
{
	struct lumen_buf b = { 0 };

	lumen_buf_printf(&b, "{\"ok\":false,\"error\":");
	lumen_buf_json_string(&b, msg);
	lumen_buf_printf(&b, "}\n");
	return send_buf(h, c, status, &b, "application/json");
}

/* Integer query argument @name in [lo, hi]; absent = 0. -EINVAL if bad. */
static int query_int(struct MHD_Connection *c, const char *name, int lo, int hi, int *out)
{
	const char *s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
	char *end;
	long v;

	*out = 0;
	if (!s)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* ---- authentication ---- */

/* Compares in time independent of where the strings differ. */
static bool same_secret(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned char diff = na != nb;

	for (size_t i = 0; i < na; i++)
		diff |= (unsigned char)(a[i] ^ b[i % (nb ? nb : 1)]);
	return !diff;
}

/*
 * True when no credentials are configured or the request carries right
 * ones (Basic, or Digest MD5). Otherwise queues the 401 (offering both
 * schemes) and returns false with *@ret set.
 */
static bool authorised(struct lumen_http *h, struct MHD_Connection *c,
		       enum MHD_Result *ret)
{
	char user[LUMEN_CFG_STR], pass[LUMEN_CFG_STR];
	char *u, *pw = NULL;
	struct MHD_Response *r;
	bool ok = false;
	int stale = MHD_NO;

	pthread_mutex_lock(h->p.cfg_lock);
	memcpy(user, h->p.cfg->http.user, sizeof(user));
	memcpy(pass, h->p.cfg->http.password, sizeof(pass));
	pthread_mutex_unlock(h->p.cfg_lock);
	if (!user[0] && !pass[0])
		return true;
	u = MHD_basic_auth_get_username_password(c, &pw);
	if (u) {
		ok = same_secret(u, user) && pw && same_secret(pw, pass);
		MHD_free(u);
		if (pw)
			MHD_free(pw);
	} else if ((u = MHD_digest_auth_get_username(c))) {
		int v = MHD_digest_auth_check2(c, REALM, user, pass, 300, MHD_DIGEST_ALG_MD5);

		ok = v == MHD_YES;
		stale = v == MHD_INVALID_NONCE ? MHD_YES : MHD_NO;
		MHD_free(u);
	}
	if (ok)
		return true;
	r = MHD_create_response_from_buffer(strlen("401 Unauthorized\n"),
					    (void *)"401 Unauthorized\n",
					    MHD_RESPMEM_PERSISTENT);
	if (!r) {
		*ret = MHD_NO;
		return false;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				"Basic realm=\"" REALM "\", charset=\"UTF-8\"");
	count(h, MHD_HTTP_UNAUTHORIZED);
	*ret = MHD_queue_auth_fail_response2(c, REALM, "lumen-opaque", r, stale,
					     MHD_DIGEST_ALG_MD5);
	MHD_destroy_response(r);
	return false;
}

/* ---- endpoints ---- */

static enum MHD_Result do_snapshot(struct lumen_http *h, struct MHD_Connection *c)
{
	struct lumen_http_jpeg_req req;
	struct lumen_buf b = { 0 };
	int ret;

	if (query_int(c, "width", 16, 8192, &req.width) ||
	    query_int(c, "height", 16, 8192, &req.height) ||
	    query_int(c, "quality", 1, 100, &req.quality))
		return send_text(h, c, MHD_HTTP_BAD_REQUEST,
				 "bad width (16..8192), height (16..8192) or quality (1..100)\n");
	if (!h->p.ops->snapshot)
		return send_text(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "no snapshots\n");
	ret = h->p.ops->snapshot(h->p.ctx, &req, &b);
	if (ret || b.failed) {
		lumen_buf_free(&b);
		if (ret == -EINVAL)
			return send_text(h, c, MHD_HTTP_BAD_REQUEST, "size not possible\n");
		if (ret == -EAGAIN)
			return send_text(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "no frame yet\n");
		return send_text(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "snapshot: %s\n",
				 strerror(ret ? -ret : ENOMEM));
	}
	return send_buf(h, c, MHD_HTTP_OK, &b, "image/jpeg");
}

struct mjpeg {
	struct lumen_http *h;
	struct lumen_buf frame;
	uint64_t seq;
	char head[128];
	size_t headlen, off;		/* off: into head | frame | "\r\n" */
	struct timespec last;		/* when the current part was fetched */
};

static long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Next part into @m: paced to mjpeg.fps, ends when the server stops. */
static int mjpeg_fetch(struct mjpeg *m)
{
	struct lumen_http *h = m->h;
	int fps, ret;
	long wait;

	pthread_mutex_lock(h->p.cfg_lock);
	fps = h->p.cfg->mjpeg.fps > 0 ? h->p.cfg->mjpeg.fps : 1;
	pthread_mutex_unlock(h->p.cfg_lock);
	if (m->last.tv_sec || m->last.tv_nsec) {
		while ((wait = 1000 / fps - ms_since(&m->last)) > 0) {
			struct timespec ts = { 0, (wait > 100 ? 100 : wait) * 1000000L };

			if (atomic_load(&h->stopping))
				return -ESHUTDOWN;
			nanosleep(&ts, NULL);
		}
	}
	do {
		if (atomic_load(&h->stopping))
			return -ESHUTDOWN;
		m->frame.len = 0;
		ret = h->p.ops->next_jpeg(h->p.ctx, &m->seq, MJPEG_WAIT_MS, &m->frame);
	} while (ret == -ETIMEDOUT);
	if (ret || m->frame.failed)
		return ret ? ret : -ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &m->last);
	m->headlen = (size_t)snprintf(m->head, sizeof(m->head),
				      "--" BOUNDARY "\r\nContent-Type: image/jpeg\r\n"
				      "Content-Length: %zu\r\n\r\n", m->frame.len);
	m->off = 0;
	pthread_mutex_lock(&h->ctr_lock);
	h->ctr.mjpeg_parts++;
	pthread_mutex_unlock(&h->ctr_lock);
	return 0;
}

/* libmicrohttpd's content reader for /mjpeg (connection thread). */
static ssize_t mjpeg_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	static const char crlf[] = "\r\n";
	struct mjpeg *m = cls;
	size_t total = m->headlen + m->frame.len + 2, n = 0;

	(void)pos;
	if (!m->headlen || m->off >= total) {	/* first part, or the last one sent */
		if (mjpeg_fetch(m))
			return MHD_CONTENT_READER_END_OF_STREAM;
		total = m->headlen + m->frame.len + 2;
	}
	while (n < max && m->off < total) {
		const char *src;
		size_t avail;

		if (m->off < m->headlen) {
			src = m->head + m->off;
			avail = m->headlen - m->off;
		} else if (m->off < m->headlen + m->frame.len) {
			src = (const char *)m->frame.data + (m->off - m->headlen);
			avail = m->headlen + m->frame.len - m->off;
		} else {
			src = crlf + (m->off - m->headlen - m->frame.len);
			avail = total - m->off;
		}
		if (avail > max - n)
			avail = max - n;
		memcpy(buf + n, src, avail);
		n += avail;
		m->off += avail;
	}
	return (ssize_t)n;
}

static void mjpeg_free(void *cls)
{
	struct mjpeg *m = cls;

	pthread_mutex_lock(&m->h->ctr_lock);
	m->h->ctr.mjpeg_clients--;
	pthread_mutex_unlock(&m->h->ctr_lock);
	lumen_buf_free(&m->frame);
	free(m);
}

static enum MHD_Result do_mjpeg(struct lumen_http *h, struct MHD_Connection *c)
{
	struct MHD_Response *r;
	struct mjpeg *m;

	if (!h->p.ops->next_jpeg)
		return send_text(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "no MJPEG\n");
	m = calloc(1, sizeof(*m));
	if (!m)
		return MHD_NO;
	m->h = h;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, mjpeg_read, m,
					      mjpeg_free);
	if (!r) {
		free(m);
		return MHD_NO;
	}
	pthread_mutex_lock(&h->ctr_lock);
	h->ctr.mjpeg_clients++;
	pthread_mutex_unlock(&h->ctr_lock);
	return reply(h, c, MHD_HTTP_OK, r, "multipart/x-mixed-replace;boundary=" BOUNDARY);
}

static enum MHD_Result do_status(struct lumen_http *h, struct MHD_Connection *c)
{
	struct lumen_buf b = { 0 };
	int ret;

	const char *format = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
							 "format");
	bool text = format && !strcmp(format, "text");

	if (format && !text && strcmp(format, "json"))
		return send_text(h, c, MHD_HTTP_BAD_REQUEST,
				 "format: '%s' is not json or text\n", format);
	if (!(text ? h->p.ops->status_text : h->p.ops->status))
		return send_text(h, c, MHD_HTTP_SERVICE_UNAVAILABLE, "no status\n");
	ret = text ? h->p.ops->status_text(h->p.ctx, &b) :
		     h->p.ops->status(h->p.ctx, &b);
	if (ret || b.failed) {
		lumen_buf_free(&b);
		return send_text(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "status: %s\n",
				 strerror(ret ? -ret : ENOMEM));
	}
	if (text)
		return send_buf(h, c, MHD_HTTP_OK, &b, "text/plain; charset=utf-8");
	lumen_buf_append(&b, "\n", 1);
	return send_buf(h, c, MHD_HTTP_OK, &b, "application/json");
}

static enum MHD_Result do_config(struct lumen_http *h, struct MHD_Connection *c)
{
	struct lumen_buf b = { 0 };
	size_t n;

	pthread_mutex_lock(h->p.cfg_lock);
	n = lumen_config_to_json(h->p.cfg, NULL, 0);
	if (!lumen_buf_reserve(&b, n + 2)) {
		lumen_config_to_json(h->p.cfg, (char *)b.data, n + 1);
		b.data[n] = '\n';
		b.len = n + 1;
	}
	pthread_mutex_unlock(h->p.cfg_lock);
	return send_buf(h, c, MHD_HTTP_OK, &b, "application/json");
}

struct set_args {
	const char *keys[MAX_SET_KEYS], *values[MAX_SET_KEYS];
	size_t n;
	bool bad;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct set_args *a = cls;

	(void)kind;
	if (!value || a->n == MAX_SET_KEYS) {
		a->bad = true;
		return MHD_NO;
	}
	a->keys[a->n] = key;
	a->values[a->n++] = value;
	return MHD_YES;
}

static enum MHD_Result do_set(struct lumen_http *h, struct MHD_Connection *c)
{
	struct set_args a = { .n = 0 };
	struct lumen_config old;
	struct lumen_buf b = { 0 };
	char err[256];
	int ret;

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
	if (a.bad || !a.n)
		return send_json_error(h, c, MHD_HTTP_BAD_REQUEST,
				       a.bad ? "expected key=value pairs (at most 32)"
					     : "no key=value given");
	pthread_mutex_lock(h->p.cfg_lock);
	old = *h->p.cfg;
	ret = lumen_config_set_many(h->p.cfg, a.keys, a.values, a.n, err, sizeof(err));
	if (ret >= 0 && h->p.cfg_path &&
	    lumen_config_save(h->p.cfg_path, h->p.cfg, err, sizeof(err))) {
		*h->p.cfg = old;	/* what runs is what the file says */
		pthread_mutex_unlock(h->p.cfg_lock);
		lumen_err("http: /api/v1/set: %s", err);
		return send_json_error(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR, err);
	}
	if (ret >= 0 && h->p.ops->config_changed)
		h->p.ops->config_changed(h->p.ctx, h->p.cfg, a.keys, a.n,
					 ret == LUMEN_CONFIG_NEEDS_RESTART);
	pthread_mutex_unlock(h->p.cfg_lock);
	if (ret < 0)
		return send_json_error(h, c, MHD_HTTP_BAD_REQUEST, err);
	lumen_info("http: set %s%s (%s)", a.keys[0], a.n > 1 ? " and more" : "",
		   ret == LUMEN_CONFIG_NEEDS_RESTART ? "needs restart" : "live");
	lumen_buf_printf(&b, "{\"ok\":true,\"restart\":%s,\"keys\":[",
			 ret == LUMEN_CONFIG_NEEDS_RESTART ? "true" : "false");
	for (size_t i = 0; i < a.n; i++) {
		if (i)
			lumen_buf_append(&b, ",", 1);
		lumen_buf_json_string(&b, a.keys[i]);
	}
	lumen_buf_printf(&b, "]}\n");
	return send_buf(h, c, MHD_HTTP_OK, &b, "application/json");
}

static enum MHD_Result do_metrics(struct lumen_http *h, struct MHD_Connection *c)
{
	struct lumen_buf b = { 0 };
	struct lumen_metrics *w = calloc(1, sizeof(*w));
	struct lumen_http_counters ctr;
	int ret = 0;

	if (!w)
		return MHD_NO;
	w->b = &b;
	if (h->p.ops->metrics)
		ret = h->p.ops->metrics(h->p.ctx, w);
	lumen_http_read_counters(h, &ctr);
	lumen_metrics_counter(w, "lumen_http_requests_total", "HTTP requests answered",
			      NULL, ctr.requests);
	lumen_metrics_counter(w, "lumen_http_errors_total", "HTTP error responses",
			      "class=\"4xx\"", ctr.errors_4xx);
	lumen_metrics_counter(w, "lumen_http_errors_total", NULL, "class=\"5xx\"",
			      ctr.errors_5xx);
	lumen_metrics_counter(w, "lumen_http_mjpeg_parts_total", "MJPEG parts sent",
			      NULL, ctr.mjpeg_parts);
	lumen_metrics_gauge(w, "lumen_http_mjpeg_clients", "MJPEG streams open", NULL,
			    ctr.mjpeg_clients);
	if (ret || w->failed || b.failed) {
		free(w);
		lumen_buf_free(&b);
		return send_text(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "metrics: %s\n",
				 ret ? strerror(-ret) : "malformed metric families");
	}
	free(w);
	return send_buf(h, c, MHD_HTTP_OK, &b, "text/plain; version=0.0.4; charset=utf-8");
}

/* The access handler (connection thread). A request body is read and
 * dropped: /api/v1/set takes its keys from the query string only. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version,
			      const char *upload_data, size_t *upload_data_size, void **state)
{
	struct lumen_http *h = cls;
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET) ||
		   !strcmp(method, MHD_HTTP_METHOD_HEAD);
	bool post = !strcmp(method, MHD_HTTP_METHOD_POST);
	enum MHD_Result ret;

	(void)version;
	(void)upload_data;
	/* First call: only the headers are in. A declared body over MAX_BODY
	 * gets 413 before any of it is read; *state then counts the body bytes
	 * seen + 1 (no allocation to free), and a body that grows past
	 * MAX_BODY anyway (chunked) makes us hang up. */
	if (!*state) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);

		*state = (void *)(uintptr_t)1;
		if (cl && strtoull(cl, NULL, 10) > MAX_BODY)
			return send_text(h, c, MHD_HTTP_CONTENT_TOO_LARGE,
					 "request body over %d bytes\n", MAX_BODY);
		return MHD_YES;
	}
	if (*upload_data_size) {
		uintptr_t seen = (uintptr_t)*state + *upload_data_size;

		if (seen > MAX_BODY || seen < (uintptr_t)*state)
			return MHD_NO;
		*state = (void *)seen;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (atomic_load(&h->stopping))
		return MHD_NO;
	if (!strcmp(url, "/api/v1/set")) {
		if (!get && !post)
			goto not_allowed;
		if (!authorised(h, c, &ret))
			return ret;
		return do_set(h, c);
	}
	if (!get)
		goto not_allowed;
	if (!strcmp(url, "/") || !strcmp(url, "/index.html")) {
		struct MHD_Response *r = MHD_create_response_from_buffer(
			lumen_web_index_len, (void *)lumen_web_index, MHD_RESPMEM_PERSISTENT);

		return reply(h, c, MHD_HTTP_OK, r, "text/html; charset=utf-8");
	}
	if (!strcmp(url, "/image.jpg") || !strcmp(url, "/mjpeg")) {
		bool on;

		pthread_mutex_lock(h->p.cfg_lock);
		on = h->p.cfg->jpeg.enabled;
		pthread_mutex_unlock(h->p.cfg_lock);
		if (!on)
			return send_text(h, c, MHD_HTTP_SERVICE_UNAVAILABLE,
					 "JPEG is off (jpeg.enabled)\n");
		return url[1] == 'i' ? do_snapshot(h, c) : do_mjpeg(h, c);
	}
	if (!strcmp(url, "/api/v1/status"))
		return do_status(h, c);
	if (!strcmp(url, "/api/v1/config"))
		return do_config(h, c);
	if (!strcmp(url, "/metrics"))
		return do_metrics(h, c);
	return send_text(h, c, MHD_HTTP_NOT_FOUND, "404 Not Found\n");
not_allowed:
	return send_text(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, "405 Method Not Allowed\n");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	lumen_dbg("http: %s", msg);
}

static void random_bytes(unsigned char *out, size_t n)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd >= 0 ? read(fd, out, n) : -1;
	struct timespec ts;

	if (fd >= 0)
		close(fd);
	if (got == (ssize_t)n)
		return;
	/* no /dev/urandom (early boot, chroot): nonces stay unique, not secret */
	clock_gettime(CLOCK_REALTIME, &ts);
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)((unsigned long)ts.tv_nsec >> (i % 4 * 8)) ^
			 (unsigned char)(ts.tv_sec >> (i % 8)) ^ (unsigned char)(i * 131);
}

int lumen_http_start(const struct lumen_http_params *p, struct lumen_http **out,
		     char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const union MHD_DaemonInfo *info;
	struct lumen_http *h;
	int ret;

	if (!p || !p->cfg || !p->cfg_lock || !p->ops || !out || p->port < 0 ||
	    p->port > 65535)
		return -EINVAL;
	if (p->bind && inet_pton(AF_INET, p->bind, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "http: bad listen address '%s'", p->bind);
		return -EINVAL;
	}
	sa.sin_port = htons((uint16_t)p->port);
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->p = *p;
	atomic_init(&h->stopping, 0);
	ret = pthread_mutex_init(&h->ctr_lock, NULL);
	if (ret) {
		free(h);
		return -ret;
	}
	random_bytes(h->nonce_seed, sizeof(h->nonce_seed));
	errno = 0;
	h->d = MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			MHD_USE_POLL | MHD_USE_ERROR_LOG,
		0, NULL, NULL, handle, h,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)LUMEN_HTTP_MAX_CLIENTS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32 * 1024,
		MHD_OPTION_DIGEST_AUTH_RANDOM, sizeof(h->nonce_seed), h->nonce_seed,
		MHD_OPTION_NONCE_NC_SIZE, (unsigned int)128,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_END);
	if (!h->d) {
		ret = errno ? -errno : -EADDRINUSE;
		snprintf(err, errlen, "http: cannot listen on %s:%d: %s",
			 p->bind ? p->bind : "0.0.0.0", p->port, strerror(-ret));
		goto out_lock;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : p->port;
	*out = h;
	return 0;
out_lock:
	pthread_mutex_destroy(&h->ctr_lock);
	free(h);
	return ret;
}

int lumen_http_port(const struct lumen_http *h)
{
	return h ? h->port : -1;
}

void lumen_http_stop(struct lumen_http *h)
{
	if (!h)
		return;
	atomic_store(&h->stopping, 1);
	MHD_stop_daemon(h->d);
	pthread_mutex_destroy(&h->ctr_lock);
	free(h);
}

void lumen_http_read_counters(const struct lumen_http *h, struct lumen_http_counters *c)
{
	pthread_mutex_lock((pthread_mutex_t *)&h->ctr_lock);
	*c = h->ctr;
	pthread_mutex_unlock((pthread_mutex_t *)&h->ctr_lock);
}

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

#include <strings.h>

#include "core/log.h"
#include "core/thread.h"
#include "net/digest.h"
#include "serve/http.h"

/* The web page, generated at build time from web/index.html (web/embed.c). */
extern const unsigned char lumen_web_index[];
extern const size_t lumen_web_index_len;

#define BOUNDARY "lumenframe"
#define MJPEG_WAIT_MS 200	/* bounds how long a stop waits for a stream */
#define MAX_SET_KEYS 32
#define MAX_BODY (16 * 1024)	/* request bodies are read and dropped */
#define MAX_TARGET 4096		/* longer request-targets get 414 */
/* Sized for a 64 MB camera: each connection is a thread with a small stack
 * and at most MEMORY_LIMIT of buffers, so HARD_LIMIT of them stay under
 * 15 MB even when all are busy. */
#define HARD_LIMIT LUMEN_HTTP_MAX_CLIENTS
#define EVICT_AT (HARD_LIMIT - 8)	/* from here a new connection evicts an idle one */
#define PER_IP_LIMIT 12
#define STACK_SIZE (256 * 1024)
#define MEMORY_LIMIT (32 * 1024)
#define HEADER_TIMEOUT_S 10	/* accept (or last reply) to full request head */
#define IO_TIMEOUT_S 15		/* no progress at all on a busy connection */

struct slot;

struct lumen_http {
	struct MHD_Daemon *d;
	struct lumen_http_params p;
	atomic_int stopping;
	int port;
	bool tls;
	struct lumen_digest_server ds;	/* read-only after start */
	pthread_mutex_t ctr_lock;	/* guards ctr */
	struct lumen_http_counters ctr;
	pthread_mutex_t conn_lock;	/* guards slots, wd_stop; taken before ctr_lock */
	pthread_cond_t wd_cond;
	pthread_t wd;
	bool wd_stop;
	struct slot *slots;		/* HARD_LIMIT of them */
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

/* ---- connections ---- */

/*
 * Every connection MHD accepts gets a slot (MHD_OPTION_NOTIFY_CONNECTION,
 * listening thread) until it closes (connection thread). A slot is WAITING
 * from its accept, and again from the end of each request, until the
 * headers of the next request are in; the watchdog shuts down a socket
 * WAITING longer than HEADER_TIMEOUT_S, so a header sent a byte at a time
 * and an idle keep-alive connection both end after that long, however
 * often bytes arrive. When a new connection makes EVICT_AT, the WAITING
 * connection waiting longest is shut down to make room, so idle sockets
 * cannot fill the server. The socket stays open until MHD's cleanup, which
 * runs after the CLOSED notification has freed the slot: shutdown() under
 * conn_lock never hits a reused descriptor.
 */
enum slot_state { SLOT_FREE, SLOT_WAITING, SLOT_BUSY };

struct slot {
	enum slot_state state;
	int fd;
	uint64_t since_ms;		/* WAITING since */
	bool authed;			/* sent right credentials once */
	unsigned char peer[16];		/* the client's address (v4 or v6 bytes) */
	struct lumen_digest_conn dc;	/* connection thread only */
};

/* Per request, made by the URI log callback (before MHD touches the
 * request-target) and freed when the request completes. */
struct req {
	char *target;		/* the request-target as sent; NULL = too long */
	size_t target_len;	/* strlen at log time */
	const char *target_at;	/* where it was in MHD's buffer */
	bool nul;		/* %00 in it */
	bool started;		/* headers checked */
	size_t body;		/* bytes of body seen */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Moves @sl to @st; a slot already FREE (its connection closed) stays
 * FREE, so that a late request_completed cannot make the watchdog act on
 * a descriptor that is no longer this connection's. */
static void slot_set(struct lumen_http *h, struct slot *sl, enum slot_state st)
{
	if (!sl)
		return;
	pthread_mutex_lock(&h->conn_lock);
	if (sl->state != SLOT_FREE || st == SLOT_FREE) {
		sl->state = st;
		sl->since_ms = now_ms();
	}
	pthread_mutex_unlock(&h->conn_lock);
}

/* The client address of @c as 16 bytes (IPv4 in the first 4). */
static void peer_of(struct MHD_Connection *c, unsigned char out[16])
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	memset(out, 0, 16);
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		memcpy(out, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr, 4);
	else if (ci->client_addr->sa_family == AF_INET6)
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr,
		       16);
}

/*
 * The connection to give up for a new one: among those WAITING (between
 * requests or still sending a head), one of the address that holds the
 * most of them, unauthenticated before authenticated, the longest waiting
 * first. So a flood from a few addresses evicts its own sockets before a
 * lone client's. NULL when none is WAITING. Called with conn_lock held.
 */
static struct slot *victim(struct lumen_http *h)
{
	struct slot *best = NULL;
	int best_n = 0;

	for (int i = 0; i < HARD_LIMIT; i++) {
		struct slot *s = &h->slots[i];
		int n = 0;

		if (s->state != SLOT_WAITING)
			continue;
		for (int j = 0; j < HARD_LIMIT; j++)
			n += h->slots[j].state == SLOT_WAITING &&
			     !memcmp(h->slots[j].peer, s->peer, 16);
		if (!best || n > best_n ||
		    (n == best_n && ((!s->authed && best->authed) ||
				     (s->authed == best->authed &&
				      s->since_ms < best->since_ms)))) {
			best = s;
			best_n = n;
		}
	}
	return best;
}

/* MHD_OPTION_NOTIFY_CONNECTION: STARTED on the listening thread (after
 * MHD's own total and per-address limits let the connection in), CLOSED on
 * the connection's thread before MHD closes its socket. */
static void notify_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			      enum MHD_ConnectionNotificationCode code)
{
	struct lumen_http *h = cls;
	struct slot *sl = *socket_context, *old;
	const union MHD_ConnectionInfo *ci;
	int used = 0;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (sl)
			slot_set(h, sl, SLOT_FREE);
		*socket_context = NULL;
		return;
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	pthread_mutex_lock(&h->conn_lock);
	for (int i = 0; i < HARD_LIMIT; i++) {
		if (h->slots[i].state != SLOT_FREE)
			used++;
		else if (!sl)
			sl = &h->slots[i];
	}
	if (used >= EVICT_AT && (old = victim(h))) {
		shutdown(old->fd, SHUT_RDWR);
		old->state = SLOT_BUSY;	/* once */
		pthread_mutex_lock(&h->ctr_lock);
		h->ctr.evicted++;
		pthread_mutex_unlock(&h->ctr_lock);
	}
	if (sl) {
		sl->state = SLOT_WAITING;
		sl->fd = ci ? ci->connect_fd : -1;
		sl->since_ms = now_ms();
		sl->authed = false;
		peer_of(c, sl->peer);
	}
	pthread_mutex_unlock(&h->conn_lock);
	if (sl && lumen_digest_conn_init(&sl->dc))
		memset(&sl->dc, 0, sizeof(sl->dc));
	*socket_context = sl;
}

/* Shuts down connections WAITING for a request header too long; wakes
 * four times a second (wd_cond runs on CLOCK_MONOTONIC). */
static void *watchdog(void *arg)
{
	struct lumen_http *h = arg;

	lumen_thread_name("http-watchdog", NULL);
	pthread_mutex_lock(&h->conn_lock);
	while (!h->wd_stop) {
		struct timespec ts;
		uint64_t now = now_ms();

		for (int i = 0; i < HARD_LIMIT; i++) {
			struct slot *s = &h->slots[i];

			if (s->state == SLOT_WAITING && s->fd >= 0 &&
			    now - s->since_ms > HEADER_TIMEOUT_S * 1000) {
				shutdown(s->fd, SHUT_RDWR);
				s->state = SLOT_BUSY;	/* once */
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 250 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&h->wd_cond, &h->conn_lock, &ts);
	}
	pthread_mutex_unlock(&h->conn_lock);
	return NULL;
}

/* MHD_OPTION_URI_LOG_CALLBACK: sees the request-target before MHD splits
 * off the query and unescapes it; its return value becomes the request's
 * state (*state of handle()). */
static void *uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct req *r = calloc(1, sizeof(*r));
	size_t n = strlen(uri);

	(void)cls;
	(void)c;
	if (!r)
		return NULL;
	r->target_len = n;
	r->target_at = uri;
	if (n <= MAX_TARGET) {
		r->target = strdup(uri);
		r->nul = strstr(uri, "%00") != NULL;
	}
	return r;
}

static void request_completed(void *cls, struct MHD_Connection *c, void **state,
			      enum MHD_RequestTerminationCode toe)
{
	struct lumen_http *h = cls;
	struct req *r = *state;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	(void)toe;
	if (r) {
		free(r->target);
		free(r);
		*state = NULL;
	}
	slot_set(h, ci ? ci->socket_context : NULL, SLOT_WAITING);
}

/* ---- strictness (RFC 7230 as nginx applies it, where MHD does not) ---- */

/* True when bytes in [from, to) are all NUL (MHD's line and field ends). */
static bool only_nuls(const char *from, const char *to, bool blanks)
{
	for (; from < to; from++)
		if (*from && !(blanks && (*from == ' ' || *from == '\t')))
			return false;
	return true;
}

struct walk {
	const char *pos, *end;
	bool bad;
};

static enum MHD_Result walk_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct walk *w = cls;

	(void)kind;
	if (!value || key < w->pos || key >= w->end || value < key || value > w->end)
		return MHD_YES;	/* not in the raw block: nothing to compare */
	if (!only_nuls(w->pos, key, false) ||
	    !only_nuls(key + strlen(key), value, true))
		w->bad = true;
	w->pos = value + strlen(value);
	return w->bad ? MHD_NO : MHD_YES;
}

/*
 * Whether the request head held a NUL byte. MHD ends every line and field
 * of the head in place with NULs and hands out C strings, so a NUL sent
 * inside a field hides what follows it. The head is one block starting at
 * @method (MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE bytes); walking the
 * fields in order, the bytes between the end of one string and the start
 * of the next must all be terminators. The request-target is checked by
 * its length at log time (before MHD split it): it must end right before
 * the version.
 */
static bool head_has_nul(struct MHD_Connection *c, const struct req *r, const char *method,
			 const char *version)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	struct walk w;

	if (!ci)
		return false;
	w.end = method + ci->header_size;
	if (r->target_at < method || r->target_at >= w.end || version < r->target_at ||
	    version >= w.end)
		return false;
	if (!only_nuls(method + strlen(method), r->target_at, true) ||
	    version != r->target_at + r->target_len + 1)
		return true;
	w.pos = version + strlen(version);
	w.bad = false;
	MHD_get_connection_values(c, MHD_HEADER_KIND, walk_header, &w);
	return w.bad || !only_nuls(w.pos, w.end, false);
}

struct name_count {
	const char *name;
	int n;
};

static enum MHD_Result count_one(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct name_count *nc = cls;

	(void)kind;
	(void)value;
	nc->n += !strcasecmp(key, nc->name);
	return MHD_YES;
}

/* How many times header @name came (MHD's lookup only finds the first). */
static int header_count(struct MHD_Connection *c, const char *name)
{
	struct name_count nc = { name, 0 };

	MHD_get_connection_values(c, MHD_HEADER_KIND, count_one, &nc);
	return nc.n;
}

/* ---- authentication ---- */

static int b64_val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* Base64 @in into @out (NUL-terminated); -EINVAL when malformed, holding a
 * NUL, or longer than @outlen - 1. */
static int b64_decode(const char *in, char *out, size_t outlen)
{
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0, pad = 0;

	for (; *in; in++) {
		int v = b64_val((unsigned char)*in);

		if (*in == '=') {
			pad++;
			continue;
		}
		if (v < 0 || pad)
			return -EINVAL;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= outlen)
				return -EINVAL;
			out[n] = (char)((acc >> bits) & 0xff);
			if (!out[n++])
				return -EINVAL;
		}
	}
	out[n] = 0;
	return pad > 2 ? -EINVAL : 0;
}

/*
 * Whether the nonce of the Digest header @auth was minted for this
 * connection. Browsers reuse a nonce on their other connections, where
 * net/digest.h refuses it (nonces are bound to one connection); answering
 * those with stale=true makes the browser retry at once with the fresh
 * nonce instead of asking its user again. A nonce that is ours and still
 * refused means wrong credentials: no stale then, so no retry loop.
 */
static bool nonce_is_ours(const struct lumen_http *h, const struct slot *sl, const char *auth)
{
	char nonce[128], when[17], chal[320], *end;
	const char *p, *q;
	size_t n;
	uint64_t t;

	for (p = strstr(auth, "nonce="); p; p = strstr(p + 1, "nonce="))
		if (p[-1] == ' ' || p[-1] == ',' || p[-1] == '\t')
			break;	/* not cnonce= */
	if (!p)
		return false;
	p += 6;
	p += *p == '"';
	n = strcspn(p, "\", \t");
	if (n < 16 || n >= sizeof(nonce))
		return false;
	memcpy(nonce, p, n);
	nonce[n] = 0;
	memcpy(when, nonce, 16);
	when[16] = 0;
	t = strtoull(when, &end, 16);
	if (*end || lumen_digest_challenge(&h->ds, &sl->dc, LUMEN_DIGEST_MD5, false, t, chal,
					   sizeof(chal)) < 0)
		return false;
	q = strstr(chal, "nonce=\"");
	return q && !strncmp(q + 7, nonce, n) && q[7 + n] == '"';
}

/*
 * Whether @c's request is allowed to see @what: true when no credentials
 * are configured (then nothing that changes state gets this far, see
 * do_set), when @open_ok, or when the request carries right ones (Digest
 * SHA-256 or MD5 through net/digest.h, or Basic). Otherwise queues the 401
 * (challenges for SHA-256, MD5, Basic) and returns false with *@ret set.
 */
static bool authorised(struct lumen_http *h, struct MHD_Connection *c, struct req *rq,
		       const char *method, bool open_ok, enum MHD_Result *ret)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct slot *sl = ci ? ci->socket_context : NULL;
	struct lumen_digest_creds creds;
	const char *auth;
	struct MHD_Response *r;
	bool stale = false;
	char chal[320];
	uint64_t now = lumen_digest_now();

	pthread_mutex_lock(h->p.cfg_lock);
	creds = h->p.cfg->auth;
	pthread_mutex_unlock(h->p.cfg_lock);
	if (!creds.user[0] || open_ok)
		return true;
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (auth && !strncasecmp(auth, "Basic ", 6)) {
		char pair[2 * LUMEN_DIGEST_USER_MAX + 256], *colon;

		if (!b64_decode(auth + 6, pair, sizeof(pair)) &&
		    (colon = strchr(pair, ':'))) {
			*colon = 0;
			if (lumen_digest_check_basic(&creds, pair, colon + 1))
				goto ok;
		}
	} else if (auth && sl && rq->target) {
		int rc = lumen_digest_check(&h->ds, &sl->dc, &creds, method, rq->target,
					    auth, now);

		if (!rc)
			goto ok;
		stale = rc == -ESTALE || (rc == -EACCES && !nonce_is_ours(h, sl, auth));
	}
	r = MHD_create_response_from_buffer(strlen("401 Unauthorized\n"),
					    (void *)"401 Unauthorized\n", MHD_RESPMEM_PERSISTENT);
	if (!r) {
		*ret = MHD_NO;
		return false;
	}
	/* a fresh connection id for every challenge: a nonce minted in the
	 * same second would otherwise repeat one the client already counted
	 * nc up on, and its nc=1 under the new challenge would be refused */
	if (sl && lumen_digest_conn_init(&sl->dc))
		sl = NULL;	/* no randomness: Basic only */
	if (sl) {
		static const enum lumen_digest_alg algs[] = { LUMEN_DIGEST_SHA256,
							     LUMEN_DIGEST_MD5 };

		for (size_t i = 0; i < 2; i++)
			if (lumen_digest_challenge(&h->ds, &sl->dc, algs[i], stale, now, chal,
						   sizeof(chal)) > 0)
				MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
							chal);
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				"Basic realm=\"" LUMEN_DIGEST_REALM "\", charset=\"UTF-8\"");
	*ret = reply(h, c, MHD_HTTP_UNAUTHORIZED, r, "text/plain; charset=utf-8");
	return false;
ok:
	if (sl) {
		pthread_mutex_lock(&h->conn_lock);
		sl->authed = true;
		pthread_mutex_unlock(&h->conn_lock);
	}
	return true;
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
	const char *shown[MAX_SET_KEYS];	/* the keys as the client named them */
	size_t nshown;
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

/*
 * Whether a state-changing request may come from a page of this server and
 * not from another site: an Origin (or, without it, a Referer) that is
 * present must name this server's Host, and the request must carry a header
 * that a cross-site form cannot send (X-Lumen-Request: 1, or a JSON
 * Content-Type, both of which make a browser ask first). NULL when it may,
 * else why not.
 */
static const char *cross_site(struct lumen_http *h, struct MHD_Connection *c)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *referer = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_REFERER);
	const char *mark = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Lumen-Request");
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *scheme = h->tls ? "https://" : "http://";
	size_t sl = strlen(scheme), hl = host ? strlen(host) : 0;

	if (origin) {
		if (!host || strncasecmp(origin, scheme, sl) || strlen(origin) != sl + hl ||
		    strcasecmp(origin + sl, host))
			return "cross-origin request refused (Origin is not this server)";
	} else if (referer) {
		if (!host || strncasecmp(referer, scheme, sl) ||
		    strncasecmp(referer + sl, host, hl) ||
		    !strchr("/?#", referer[sl + hl]) || !referer[sl + hl])
			return "cross-origin request refused (Referer is not this server)";
	}
	if (!(mark && !strcmp(mark, "1")) &&
	    !(type && !strncasecmp(type, "application/json", 16)))
		return "state changes need the header X-Lumen-Request: 1 (or a JSON "
		       "Content-Type)";
	return NULL;
}

/*
 * auth.password=... (with auth.user=..., or the current user) is hashed
 * here and replaced by auth.user, auth.ha1_md5 and auth.ha1_sha256: the
 * password itself is never stored. auth.user alone would leave HA1s of
 * another name, so it is refused. @a's arrays then point into @creds.
 * Called with the config lock held. NULL, or why the request is bad.
 */
static const char *hash_password(struct set_args *a, const struct lumen_config *cfg,
				 struct lumen_digest_creds *creds)
{
	const char *user = NULL, *password = NULL;
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++) {
		if (!strcmp(a->keys[i], "auth.user"))
			user = a->values[i];
		else if (!strcmp(a->keys[i], "auth.password"))
			password = a->values[i];
	}
	if (!password)
		return user ? "auth.user needs auth.password (its HA1s depend on both)" : NULL;
	if (lumen_digest_make_creds(user ? user : cfg->auth.user, password, creds))
		return "auth.user must be 1..63 bytes without ':', '\"', '\\\\' or control "
		       "bytes, and auth.password not empty";
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->keys[i], "auth.user") && strcmp(a->keys[i], "auth.password")) {
			a->keys[n] = a->keys[i];
			a->values[n++] = a->values[i];
		}
	if (n + 3 > MAX_SET_KEYS)
		return "too many keys";
	a->keys[n] = "auth.user";
	a->values[n++] = creds->user;
	a->keys[n] = "auth.ha1_md5";
	a->values[n++] = creds->ha1_md5;
	a->keys[n] = "auth.ha1_sha256";
	a->values[n++] = creds->ha1_sha256;
	a->n = n;
	return NULL;
}

/* POST|PUT /api/v1/set (the caller checked method and credentials). */
static enum MHD_Result do_set(struct lumen_http *h, struct MHD_Connection *c)
{
	struct set_args a = { .n = 0 };
	struct lumen_config old;
	struct lumen_digest_creds creds;
	struct lumen_buf b = { 0 };
	const char *why;
	char err[256];
	int ret;

	pthread_mutex_lock(h->p.cfg_lock);
	ret = h->p.cfg->auth.user[0];
	pthread_mutex_unlock(h->p.cfg_lock);
	if (!ret)
		return send_json_error(h, c, MHD_HTTP_FORBIDDEN,
				       "no credentials are configured, so nothing can be "
				       "changed: run lumen passwd USER on the camera");
	why = cross_site(h, c);
	if (why)
		return send_json_error(h, c, MHD_HTTP_FORBIDDEN, why);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
	if (a.bad || !a.n)
		return send_json_error(h, c, MHD_HTTP_BAD_REQUEST,
				       a.bad ? "expected key=value pairs (at most 32)"
					     : "no key=value given");
	for (size_t i = 0; i < a.n; i++)	/* auth.password may be shown below */
		a.shown[i] = a.keys[i];
	a.nshown = a.n;
	pthread_mutex_lock(h->p.cfg_lock);
	why = hash_password(&a, h->p.cfg, &creds);
	if (why) {
		pthread_mutex_unlock(h->p.cfg_lock);
		return send_json_error(h, c, MHD_HTTP_BAD_REQUEST, why);
	}
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
	lumen_info("http: set %s%s (%s)", a.shown[0], a.nshown > 1 ? " and more" : "",
		   ret == LUMEN_CONFIG_NEEDS_RESTART ? "needs restart" : "live");
	lumen_buf_printf(&b, "{\"ok\":true,\"restart\":%s,\"keys\":[",
			 ret == LUMEN_CONFIG_NEEDS_RESTART ? "true" : "false");
	for (size_t i = 0; i < a.nshown; i++) {
		if (i)
			lumen_buf_append(&b, ",", 1);
		lumen_buf_json_string(&b, a.shown[i]);
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
	lumen_metrics_counter(w, "lumen_http_evicted_total",
			      "idle HTTP connections closed to make room for new ones", NULL,
			      ctr.evicted);
	if (ret || w->failed || b.failed) {
		free(w);
		lumen_buf_free(&b);
		return send_text(h, c, MHD_HTTP_INTERNAL_SERVER_ERROR, "metrics: %s\n",
				 ret ? strerror(-ret) : "malformed metric families");
	}
	free(w);
	return send_buf(h, c, MHD_HTTP_OK, &b, "text/plain; version=0.0.4; charset=utf-8");
}

/* A reply that ends the connection after it is sent (errors in the request
 * head, after which nothing read from this connection can be trusted). */
static enum MHD_Result send_close(struct lumen_http *h, struct MHD_Connection *c,
				  unsigned status, const char *msg)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(msg), (void *)msg,
								 MHD_RESPMEM_PERSISTENT);

	if (r)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	return reply(h, c, status, r, "text/plain; charset=utf-8");
}

static enum MHD_Result send_405(struct lumen_http *h, struct MHD_Connection *c,
				const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		strlen("405 Method Not Allowed\n"), (void *)"405 Method Not Allowed\n",
		MHD_RESPMEM_PERSISTENT);

	if (r)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	return reply(h, c, MHD_HTTP_METHOD_NOT_ALLOWED, r, "text/plain; charset=utf-8");
}

/*
 * The checks on a complete request head that MHD 0.9.75 does not make
 * (with MHD_OPTION_STRICT_FOR_CLIENT it already refuses HTTP/1.1 without
 * Host and spaces in the target). Queues the error and returns its result,
 * or returns -1 when the request may go on.
 */
static int check_head(struct lumen_http *h, struct MHD_Connection *c, const struct req *rq,
		      const char *method, const char *version)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_TRANSFER_ENCODING);

	if (!rq->target)
		return send_close(h, c, MHD_HTTP_URI_TOO_LONG, "414 URI Too Long\n");
	if (rq->nul || head_has_nul(c, rq, method, version))
		return send_close(h, c, MHD_HTTP_BAD_REQUEST, "400 Bad Request: NUL byte\n");
	/* origin-form, asterisk-form, or absolute-form (RFC 7230 5.3.2: a
	 * server must accept it; its path then matches nothing here: 404) */
	if (rq->target[0] != '/' && strcmp(rq->target, "*") &&
	    strncasecmp(rq->target, "http://", 7) && strncasecmp(rq->target, "https://", 8))
		return send_close(h, c, MHD_HTTP_BAD_REQUEST,
				  "400 Bad Request: request-target\n");
	if (header_count(c, MHD_HTTP_HEADER_HOST) > 1 ||
	    header_count(c, MHD_HTTP_HEADER_CONTENT_LENGTH) > 1 ||
	    header_count(c, MHD_HTTP_HEADER_TRANSFER_ENCODING) > 1)
		return send_close(h, c, MHD_HTTP_BAD_REQUEST,
				  "400 Bad Request: repeated header\n");
	/* RFC 7230 3.3.3: both framing headers is how requests get smuggled */
	if (cl && te)
		return send_close(h, c, MHD_HTTP_BAD_REQUEST,
				  "400 Bad Request: Content-Length with Transfer-Encoding\n");
	if (te && strcasecmp(te, "chunked"))
		return send_close(h, c, MHD_HTTP_NOT_IMPLEMENTED,
				  "501 Transfer-Encoding not implemented\n");
	if (cl) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(cl, &end, 10);
		if (*cl < '0' || *cl > '9' || *end || errno)
			return send_close(h, c, MHD_HTTP_BAD_REQUEST,
					  "400 Bad Request: Content-Length\n");
		if (n > MAX_BODY)
			return send_close(h, c, MHD_HTTP_CONTENT_TOO_LARGE,
					  "413 request body too large\n");
	}
	return -1;
}

/*
 * The access handler (connection thread). First call: the head is in;
 * it is checked and the connection stops counting as WAITING. A request
 * body is read and dropped (at most MAX_BODY): /api/v1/set takes its keys
 * from the query string. Last call: routing.
 *
 * Who may do what: with no credentials configured, anything that only
 * reads is open and /api/v1/set answers 403; with credentials, every path
 * asks for them (401) except /metrics when auth.metrics_public is true.
 * /api/v1/set only takes POST or PUT, and refuses cross-site requests.
 */
static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version,
			      const char *upload_data, size_t *upload_data_size, void **state)
{
	struct lumen_http *h = cls;
	struct req *rq = *state;
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET) ||
		   !strcmp(method, MHD_HTTP_METHOD_HEAD);
	bool change = !strcmp(method, MHD_HTTP_METHOD_POST) ||
		      !strcmp(method, MHD_HTTP_METHOD_PUT);
	bool open_ok;
	enum MHD_Result ret;

	(void)upload_data;
	if (!rq)
		return MHD_NO;	/* no memory for it */
	if (!rq->started) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		int r;

		rq->started = true;
		slot_set(h, ci ? ci->socket_context : NULL, SLOT_BUSY);
		r = check_head(h, c, rq, method, version);
		return r < 0 ? MHD_YES : (enum MHD_Result)r;
	}
	if (*upload_data_size) {
		rq->body += *upload_data_size;
		if (rq->body > MAX_BODY)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (atomic_load(&h->stopping))
		return MHD_NO;
	if (!strcmp(url, "/api/v1/set")) {
		if (!change)
			return send_405(h, c, "POST, PUT");
		if (!authorised(h, c, rq, method, false, &ret))
			return ret;
		return do_set(h, c);
	}
	if (!get)
		return send_405(h, c, "GET, HEAD");
	pthread_mutex_lock(h->p.cfg_lock);
	open_ok = !strcmp(url, "/metrics") && h->p.cfg->metrics_public;
	pthread_mutex_unlock(h->p.cfg_lock);
	if (!authorised(h, c, rq, method, open_ok, &ret))
		return ret;
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

/* The whole of the PEM file @path (at most 64 KiB) into *@out (NUL
 * terminated, caller frees). 0 or -errno with "http: key: path: why". */
static int read_pem(const char *key, const char *path, char **out, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n;

	*out = NULL;
	if (!fp) {
		int e = errno;

		snprintf(err, errlen, "http: %s: %s: %s", key, path, strerror(e));
		return -e;
	}
	buf = malloc(64 * 1024 + 1);
	n = buf ? fread(buf, 1, 64 * 1024 + 1, fp) : 0;
	fclose(fp);
	if (!buf)
		return -ENOMEM;
	if (n > 64 * 1024 || !n || !memmem(buf, n, "-----BEGIN ", 11) ||
	    memchr(buf, 0, n)) {
		snprintf(err, errlen, "http: %s: %s: %s", key, path,
			 n > 64 * 1024 ? "over 64 KiB" : "not a PEM file");
		free(buf);
		return -EINVAL;
	}
	buf[n] = 0;
	*out = buf;
	return 0;
}

int lumen_http_start(const struct lumen_http_params *p, struct lumen_http **out,
		     char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct MHD_OptionItem tls[3] = { { MHD_OPTION_END, 0, NULL } };
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ERROR_LOG;
	char *cert = NULL, *key = NULL;
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
	if (p->cfg->tls.cert[0]) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, errlen, "http: http.tls_cert: this libmicrohttpd has "
				 "no TLS");
			return -ENOTSUP;
		}
		ret = read_pem("http.tls_cert", p->cfg->tls.cert, &cert, err, errlen);
		if (!ret)
			ret = read_pem("http.tls_key", p->cfg->tls.key, &key, err, errlen);
		if (ret)
			goto out_pem;
		tls[0] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, cert };
		tls[1] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, key };
		tls[2] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
		flags |= MHD_USE_TLS;
	}
	ret = -ENOMEM;
	h = calloc(1, sizeof(*h));
	if (!h)
		goto out_pem;
	h->slots = calloc(HARD_LIMIT, sizeof(*h->slots));
	if (!h->slots)
		goto out_free;
	h->p = *p;
	h->tls = cert != NULL;
	atomic_init(&h->stopping, 0);
	ret = lumen_digest_server_init(&h->ds, 0);
	if (ret) {
		snprintf(err, errlen, "http: no randomness for nonces: %s", strerror(-ret));
		goto out_free;
	}
	ret = -pthread_mutex_init(&h->ctr_lock, NULL);
	if (ret)
		goto out_free;
	ret = -pthread_mutex_init(&h->conn_lock, NULL);
	if (ret)
		goto out_ctr;
	/* the watchdog's deadlines are CLOCK_MONOTONIC: so must its wait be
	 * (with the default clock the deadline is long past and it spins) */
	{
		pthread_condattr_t ca;

		ret = -pthread_condattr_init(&ca);
		if (ret)
			goto out_conn;
		ret = -pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		if (!ret)
			ret = -pthread_cond_init(&h->wd_cond, &ca);
		pthread_condattr_destroy(&ca);
		if (ret)
			goto out_conn;
	}
	errno = 0;
	h->d = MHD_start_daemon(
		flags, 0, NULL, NULL, handle, h,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HARD_LIMIT,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)PER_IP_LIMIT,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IO_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)MEMORY_LIMIT,
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)STACK_SIZE,
		MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
		MHD_OPTION_URI_LOG_CALLBACK, uri_log, h,
		MHD_OPTION_NOTIFY_COMPLETED, request_completed, h,
		MHD_OPTION_NOTIFY_CONNECTION, notify_connection, h,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_ARRAY, tls,
		MHD_OPTION_END);
	if (!h->d) {
		ret = errno ? -errno : -EADDRINUSE;
		if (cert)
			snprintf(err, errlen, "http: cannot serve HTTPS on %s:%d (is %s/%s "
				 "a matching certificate and key?): %s",
				 p->bind ? p->bind : "0.0.0.0", p->port, p->cfg->tls.cert,
				 p->cfg->tls.key, strerror(-ret));
		else
			snprintf(err, errlen, "http: cannot listen on %s:%d: %s",
				 p->bind ? p->bind : "0.0.0.0", p->port, strerror(-ret));
		goto out_cond;
	}
	ret = -pthread_create(&h->wd, NULL, watchdog, h);
	if (ret) {
		snprintf(err, errlen, "http: cannot start its watchdog: %s", strerror(-ret));
		MHD_stop_daemon(h->d);
		goto out_cond;
	}
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : p->port;
	free(cert);	/* MHD keeps its own copies once started */
	free(key);
	*out = h;
	return 0;
out_cond:
	pthread_cond_destroy(&h->wd_cond);
out_conn:
	pthread_mutex_destroy(&h->conn_lock);
out_ctr:
	pthread_mutex_destroy(&h->ctr_lock);
out_free:
	free(h->slots);
	free(h);
out_pem:
	free(cert);
	free(key);
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
	pthread_mutex_lock(&h->conn_lock);
	h->wd_stop = true;
	pthread_cond_signal(&h->wd_cond);
	pthread_mutex_unlock(&h->conn_lock);
	pthread_join(h->wd, NULL);
	pthread_cond_destroy(&h->wd_cond);
	pthread_mutex_destroy(&h->conn_lock);
	pthread_mutex_destroy(&h->ctr_lock);
	free(h->slots);
	free(h);
}

void lumen_http_read_counters(const struct lumen_http *h, struct lumen_http_counters *c)
{
	pthread_mutex_lock((pthread_mutex_t *)&h->ctr_lock);
	*c = h->ctr;
	pthread_mutex_unlock((pthread_mutex_t *)&h->ctr_lock);
}

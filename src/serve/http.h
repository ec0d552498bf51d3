/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HTTP side of `lumen serve` (libmicrohttpd): the web page, snapshots,
 * MJPEG, the status and config API and Prometheus metrics. It knows nothing
 * of the pipeline: everything it serves comes from the callbacks of
 * struct lumen_http_ops, which the daemon points at its pipeline.
 *
 *   GET  /, /index.html       the web page (src/serve/web/index.html, built in)
 *   GET  /image.jpg           ?width=&height=&quality=   -> ops.snapshot
 *   GET  /mjpeg               multipart/x-mixed-replace  -> ops.next_jpeg
 *                             (both 503 while jpeg.enabled is false)
 *   GET  /api/v1/status       JSON                       -> ops.status
 *   GET  /api/v1/status?format=text  the stage table of `lumen run`,
 *                             which `lumen doctor --url` reads -> ops.status_text
 *   GET  /api/v1/config       JSON of the config (HA1s shown as "set")
 *   POST|PUT /api/v1/set?k=v[&k=v...]  changes keys, all or none
 *                             (auth.password=... is hashed into the HA1s)
 *   GET  /metrics             Prometheus text 0.0.4      -> ops.metrics
 *
 * Access (cfg->auth, read on every request): with no credentials
 * configured everything that reads is open and /api/v1/set is 403; with
 * them, every path answers 401 without the right ones (Digest SHA-256 or
 * MD5 through net/digest.h, or Basic), except /metrics when
 * cfg->metrics_public. /api/v1/set also refuses (403) a request whose
 * Origin or Referer is another site or that lacks X-Lumen-Request: 1 (or
 * a JSON Content-Type); GET on it is 405.
 *
 * Anything else is 404, a method other than GET/HEAD (POST/PUT for set) is
 * 405, a bad query is 400, a declared body over 16 KiB is 413 (bodies are
 * read and dropped). Malformed heads (a NUL byte, raw or %00; HTTP/1.1
 * without Host; repeated Host, Content-Length or Transfer-Encoding;
 * Content-Length with Transfer-Encoding) are 400, a request-target over
 * 4 KiB 414, each closing the connection; libmicrohttpd answers the rest
 * (400, 431) and keeps serving. A request head must be complete within
 * 10 s of the accept or of the previous reply, else the connection is shut
 * down; from LUMEN_HTTP_MAX_CLIENTS - 8 connections on, a new one evicts
 * the longest-waiting idle connection of the address holding most.
 *
 * Threads: libmicrohttpd runs one listening thread and one thread per
 * connection (at most LUMEN_HTTP_MAX_CLIENTS, 12 per address, 256 KiB
 * stacks), the server one watchdog thread; every callback below is
 * called on a connection thread, possibly on several at once, and must be
 * thread-safe. next_jpeg may block (with its timeout); nothing else should.
 * lumen_http_stop() makes waiting MJPEG streams end within one
 * next_jpeg timeout and joins every thread.
 */
#ifndef LUMEN_SERVE_HTTP_H
#define LUMEN_SERVE_HTTP_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "serve/config.h"

#define LUMEN_HTTP_MAX_CLIENTS 48

/* A growable byte buffer owned by the HTTP server; callbacks fill it with
 * lumen_buf_*; its memory stays allocated between frames of one stream. */
struct lumen_buf {
	unsigned char *data;
	size_t len, cap;
	int failed;		/* an append ran out of memory */
};

/* Makes room for @need more bytes; 0 or -ENOMEM (and failed set). */
int lumen_buf_reserve(struct lumen_buf *b, size_t need);
int lumen_buf_append(struct lumen_buf *b, const void *data, size_t len);
int lumen_buf_printf(struct lumen_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* @s as a JSON string literal, quotes included. */
int lumen_buf_json_string(struct lumen_buf *b, const char *s);
void lumen_buf_free(struct lumen_buf *b);

/*
 * Prometheus text exposition (format 0.0.4). Samples of one metric family
 * must be written together: the first sample of a name writes its # HELP
 * and # TYPE lines; coming back to a name seen earlier, a counter name not
 * ending in _total, or a bad name marks the writer failed and /metrics
 * answers 500. @labels is the text between the braces, already escaped,
 * e.g. "stage=\"isp\",channel=\"0\"", or NULL/"" for none.
 */
struct lumen_metrics;
int lumen_metrics_counter(struct lumen_metrics *w, const char *name, const char *help,
			  const char *labels, uint64_t value);
int lumen_metrics_gauge(struct lumen_metrics *w, const char *name, const char *help,
			const char *labels, double value);

struct lumen_http_jpeg_req {
	int width, height;	/* 0 = the channel's size */
	int quality;		/* 0 = jpeg.quality of the config */
};

/* Callbacks; ctx is lumen_http_params.ctx. A NULL op makes its endpoint
 * answer 503 (Service Unavailable). */
struct lumen_http_ops {
	/* One JPEG of the latest frame into @out (len = 0 on entry).
	 * 0, or -EINVAL (size/quality not possible: 400), -EAGAIN (no frame
	 * yet: 503), other negative errno (500). */
	int (*snapshot)(void *ctx, const struct lumen_http_jpeg_req *req,
			struct lumen_buf *out);
	/* Blocks until a frame newer than *@seq is encoded or @timeout_ms
	 * passes; puts its JPEG into @out and its sequence number into *@seq.
	 * 0, -ETIMEDOUT (called again unless the server stops), or another
	 * negative errno (the stream ends). */
	int (*next_jpeg)(void *ctx, uint64_t *seq, int timeout_ms, struct lumen_buf *out);
	/* The status JSON object into @out (see docs/serve.md for the shape the
	 * web page reads). 0 or negative errno (500). */
	int (*status)(void *ctx, struct lumen_buf *out);
	/* The same counters as the plain-text stage table that `lumen run`
	 * prints (lumen_status_format). 0 or negative errno (500). */
	int (*status_text)(void *ctx, struct lumen_buf *out);
	/* Metric samples through lumen_metrics_*. 0 or negative errno (500). */
	int (*metrics)(void *ctx, struct lumen_metrics *w);
	/*
	 * After /api/v1/set changed @cfg (and it was persisted): @keys/@n the
	 * keys set, @restart true when one of them needs a restart. Called
	 * with the config lock held: read @cfg here, do not block.
	 */
	void (*config_changed)(void *ctx, const struct lumen_config *cfg,
			       const char *const *keys, size_t n, int restart);
};

struct lumen_http_params {
	const char *bind;		/* address, NULL = any (IPv4) */
	int port;			/* 0 = any free port (see lumen_http_port) */
	struct lumen_config *cfg;	/* read and changed under cfg_lock */
	pthread_mutex_t *cfg_lock;	/* shared with whoever else reads cfg */
	const char *cfg_path;		/* persisted here after a set; NULL = not */
	const struct lumen_http_ops *ops;
	void *ctx;
};

struct lumen_http;

/*
 * Starts listening, over HTTPS when cfg->tls.cert is set (read here, with
 * cfg->tls.key). Returns 0 and the server in *@out, or a negative errno
 * with a message in @err (e.g. "http: cannot listen on 0.0.0.0:80:
 * Permission denied", "http: http.tls_key: PATH: No such file or
 * directory"). The params' pointers must outlive the server.
 */
int lumen_http_start(const struct lumen_http_params *p, struct lumen_http **out,
		     char *err, size_t errlen);

/* The port really bound (the one the OS chose for port 0), or -1. */
int lumen_http_port(const struct lumen_http *h);

/* Ends streams, closes every connection, joins the threads, frees @h.
 * Called once, from the thread that started it; NULL is ignored. */
void lumen_http_stop(struct lumen_http *h);

/* Request counters, for the daemon's own /metrics. */
struct lumen_http_counters {
	uint64_t requests, errors_4xx, errors_5xx, mjpeg_parts, auth_failures;
	uint64_t evicted;	/* idle connections shut down to make room */
	int mjpeg_clients;
};
void lumen_http_read_counters(const struct lumen_http *h, struct lumen_http_counters *c);

#endif

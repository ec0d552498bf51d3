// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * RTSP server: sockets, sessions, the per-channel packet ring and the send
 * loop. The design (who owns what, which thread) is in rtsp.h and
 * docs/rtsp.md.
 *
 * Locks: s->lock is held by the server thread while it works (never across
 * poll) and by lumen_rtsp_stats(); ch->lock guards a channel's ring and its
 * push counters and is held only for copies. Order: s->lock, then ch->lock.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/thread.h"
#include "net/rtp_h264.h"
#include "net/rtsp.h"
#include "net/rtsp_parse.h"
#include "net/sdp.h"

const int lumen_rtsp_status_codes[LUMEN_RTSP_NSTATUS] = {
	200, 400, 401, 404, 405, 413, 414, 451, 454, 455, 459, 461, 500, 501,
	503, 505,
};

#define MAX_NALS	64
#define NKEYS		16	/* recent keyframe starts remembered per channel */
#define IN_SIZE		16384
#define OUT_SIZE	32768
#define OUT_RESERVE	8192	/* room kept for responses between packets */
#define PUMP_BUDGET	64	/* packets per session per pass */
#define PASS_LIMIT	8192	/* packets per wake before polling again */
#define SESSIONS_PER_CONN 2	/* sessions one connection may hold */
#define SPS_MAX		256
#define PPS_MAX		128

enum {
	SLOT_MARKER = 1,	/* last packet of an access unit */
	SLOT_AU_START = 2,
	SLOT_KEY = 4,		/* first packet of a keyframe AU (SPS first) */
};

struct slot {
	uint64_t idx;		/* absolute packet number; ring position idx % n */
	uint32_t ts;
	uint16_t len;
	uint8_t flags;
	int64_t capture_ns;
};

struct channel {
	pthread_mutex_t lock;
	struct lumen_rtsp_channel_config cfg;
	struct slot *slots;
	uint8_t *data;		/* nslots * mtu payload bytes */
	unsigned nslots;
	uint64_t head;		/* next packet number */
	uint64_t keys[NKEYS];	/* packet numbers of recent keyframe starts */
	unsigned nkeys;		/* total ever; keys[(nkeys - 1) % NKEYS] newest */
	uint64_t last_au_start;
	uint8_t sps[SPS_MAX], pps[PPS_MAX];
	size_t sps_len, pps_len;
	uint64_t sdp_version;
	uint32_t last_ts;	/* RTP timestamp of the newest AU */
	uint64_t last_slot;	/* its frame slot (lumen_rtp_frame_ts) */
	int64_t last_push_ns;	/* CLOCK_MONOTONIC of the last push */
	/* push counters (ch->lock) */
	uint64_t aus, keyframes, packets, bytes, push_errors;
	/* server thread counters (s->lock) */
	uint64_t packets_sent, bytes_sent, drops, dropped_clients;
	uint64_t latency_idx;	/* newest AU whose first send was timed */
	int64_t latency_last, latency_max;
	int64_t key_requested_ns;
};

struct conn {
	int fd;			/* -1: free */
	struct sockaddr_in peer, local;
	char peer_str[48];
	char in[IN_SIZE];
	size_t in_len;
	size_t skip;		/* bytes of an oversized '$' frame to discard */
	uint8_t out[OUT_SIZE];
	size_t out_off, out_len;
	int64_t last_progress_ns, last_request_ns;
	int64_t req_start_ns;	/* first byte of the incomplete request; 0: none */
	bool close_after_flush;
	struct lumen_digest_conn dg;	/* its nonces and nc */
};

struct session {
	bool used;
	char id[17];
	char peer[48];
	int conn;		/* the connection that set it up, the only one
				 * that may control it; it ends with it */
	int channel;
	bool tcp, playing, wait_key;
	bool played;		/* has been PLAYed (else setup_timeout_ms) */
	int64_t setup_ns;
	bool caught_up;		/* has emptied its queue since joining */
	uint8_t ich[2];		/* interleaved channels */
	struct sockaddr_in rtp_addr, rtcp_addr;
	uint64_t cursor;	/* next packet number to send */
	uint16_t seq;
	uint32_t ssrc, ts_off;
	uint64_t packets, bytes, drops, rtcp_sent;
	uint32_t octets;	/* payload octets, for the SR */
	int64_t last_activity_ns, next_rtcp_ns;
};

struct lumen_rtsp_server {
	struct lumen_rtsp_config cfg;
	char bind_addr[64];
	struct lumen_digest_server dg;	/* read-only after create */
	pthread_mutex_t creds_lock;	/* guards creds (set_creds: any thread) */
	struct lumen_digest_creds creds;
	int listen_fd, rtp_fd, rtcp_fd, wake_fd;
	uint16_t port, rtp_port;
	pthread_t thread;
	bool started;
	atomic_int stop;
	pthread_mutex_t lock;
	struct channel ch[LUMEN_RTSP_MAX_CHANNELS];
	unsigned nconns;
	struct conn *conns;
	unsigned nsessions;
	struct session *sessions;	/* SESSIONS_PER_CONN * nconns of them */
	bool udp_blocked;
	uint32_t rng;
	struct lumen_rtsp_request req;	/* the one being handled */
	/* counters (s->lock) */
	uint64_t connections, requests, auth_failures, timeouts, dropped_clients;
	uint64_t evicted, refused;
	uint64_t responses[LUMEN_RTSP_NSTATUS];
};

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t mono_ns(void)
{
	return now_ns(CLOCK_MONOTONIC);
}

static uint32_t rnd32(struct lumen_rtsp_server *s)
{
	uint32_t x = s->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return s->rng = x;
}

static void random_bytes(void *p, size_t n)
{
	uint8_t *b = p;

	while (n) {
		ssize_t r = getrandom(b, n, 0);

		if (r <= 0) {	/* no entropy source: weak fallback */
			uint64_t t = (uint64_t)now_ns(CLOCK_REALTIME) ^ (uint64_t)getpid() << 32;

			for (size_t i = 0; i < n; i++) {
				t = t * 6364136223846793005ull + 1442695040888963407ull;
				b[i] = (uint8_t)(t >> 56);
			}
			return;
		}
		b += r;
		n -= (size_t)r;
	}
}

static void count_status(struct lumen_rtsp_server *s, int status)
{
	for (int i = 0; i < LUMEN_RTSP_NSTATUS; i++)
		if (lumen_rtsp_status_codes[i] == status) {
			s->responses[i]++;
			return;
		}
}

/* ---- push (producer thread) ---------------------------------------------- */

static bool key_valid(const struct channel *c, uint64_t idx)
{
	return idx < c->head && c->head - idx <= c->nslots;
}

/* Writes the packets of one NAL into the ring; ch->lock held. */
static void ring_put_nal(struct channel *c, const struct lumen_nal *nal,
			 unsigned mtu, uint32_t ts, int64_t capture_ns,
			 uint8_t first_flags, bool last_nal)
{
	size_t n = lumen_h264_packet_count(nal->len, mtu);

	for (size_t i = 0; i < n; i++) {
		unsigned pos = (unsigned)(c->head % c->nslots);
		struct slot *sl = &c->slots[pos];

		sl->idx = c->head;
		sl->ts = ts;
		sl->capture_ns = capture_ns;
		sl->len = (uint16_t)lumen_h264_packet(nal, mtu, i,
						      c->data + (size_t)pos * mtu);
		sl->flags = i == 0 ? first_flags : 0;
		if (last_nal && i == n - 1)
			sl->flags |= SLOT_MARKER;
		c->bytes += sl->len;
		c->packets++;
		c->head++;
	}
}

int lumen_rtsp_push(struct lumen_rtsp_server *s, int channel,
		    const uint8_t *annexb, size_t len, uint64_t pts_90k,
		    bool keyframe, int64_t capture_ns)
{
	struct lumen_nal nals[MAX_NALS + 2], *out[MAX_NALS + 2];
	struct lumen_nal sps = { 0 }, pps = { 0 };
	bool has_sps = false, has_pps = false;
	unsigned mtu = s->cfg.mtu;
	size_t need = 0;
	uint64_t one = 1;
	uint32_t ts;
	int n, nout = 0;
	struct channel *c;

	if (!s || channel < 0 || (unsigned)channel >= s->cfg.nchannels || !annexb)
		return -EINVAL;
	c = &s->ch[channel];
	n = lumen_h264_split_annexb(annexb, len, nals, MAX_NALS);
	pthread_mutex_lock(&c->lock);
	if (n <= 0) {
		c->push_errors++;
		pthread_mutex_unlock(&c->lock);
		return n ? n : -EBADMSG;
	}
	for (int i = 0; i < n; i++) {
		unsigned t = nals[i].data[0] & 0x1F;

		if (t == LUMEN_H264_NAL_IDR)
			keyframe = true;
		if (t == LUMEN_H264_NAL_SPS && nals[i].len <= SPS_MAX) {
			has_sps = true;
			if (nals[i].len != c->sps_len || memcmp(c->sps, nals[i].data, nals[i].len)) {
				memcpy(c->sps, nals[i].data, nals[i].len);
				c->sps_len = nals[i].len;
				c->sdp_version++;
			}
		}
		if (t == LUMEN_H264_NAL_PPS && nals[i].len <= PPS_MAX) {
			has_pps = true;
			if (nals[i].len != c->pps_len || memcmp(c->pps, nals[i].data, nals[i].len)) {
				memcpy(c->pps, nals[i].data, nals[i].len);
				c->pps_len = nals[i].len;
				c->sdp_version++;
			}
		}
	}
	/* a keyframe always starts with its parameter sets, so that a client
	 * starting there can decode */
	if (keyframe && !has_sps && c->sps_len) {
		sps.data = c->sps;
		sps.len = c->sps_len;
		out[nout++] = &sps;
	}
	if (keyframe && !has_pps && c->pps_len) {
		pps.data = c->pps;
		pps.len = c->pps_len;
		out[nout++] = &pps;
	}
	for (int i = 0; i < n; i++)
		if ((nals[i].data[0] & 0x1F) != LUMEN_H264_NAL_AUD)
			out[nout++] = &nals[i];
	for (int i = 0; i < nout; i++)
		need += lumen_h264_packet_count(out[i]->len, mtu);
	if (!nout || need > c->nslots / 2) {
		c->push_errors++;
		pthread_mutex_unlock(&c->lock);
		return nout ? -E2BIG : -EBADMSG;
	}
	c->last_au_start = c->head;
	if (keyframe) {
		c->keys[c->nkeys++ % NKEYS] = c->head;
		c->keyframes++;
	}
	/* strictly increasing, on the a=framerate grid: captures that round
	 * to one frame period or go back (drops, jitter) must not give two
	 * AUs one timestamp */
	ts = lumen_rtp_frame_ts(pts_90k, c->cfg.fps_num, c->cfg.fps_den,
				&c->last_slot);
	for (int i = 0; i < nout; i++)
		ring_put_nal(c, out[i], mtu, ts, capture_ns,
			     i ? 0 : (uint8_t)(SLOT_AU_START | (keyframe ? SLOT_KEY : 0)),
			     i == nout - 1);
	c->aus++;
	c->last_ts = ts;
	c->last_push_ns = mono_ns();
	pthread_mutex_unlock(&c->lock);
	if (write(s->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return 0;	/* the server thread polls on a timer as well */
	return 0;
}

/* ---- connections ---------------------------------------------------------- */

static void session_free(struct lumen_rtsp_server *s, struct session *ss)
{
	(void)s;
	memset(ss, 0, sizeof(*ss));
	ss->conn = -1;
}

static void conn_close(struct lumen_rtsp_server *s, int ci)
{
	struct conn *c = &s->conns[ci];

	for (unsigned i = 0; i < s->nsessions; i++) {
		struct session *ss = &s->sessions[i];

		if (ss->used && ss->conn == ci)
			session_free(s, ss);
	}
	close(c->fd);
	c->fd = -1;
	c->in_len = c->out_len = c->out_off = c->skip = 0;
	c->req_start_ns = 0;
	c->close_after_flush = false;
}

/* Sends pending output. Returns 0, or -EPIPE when the peer is gone. */
static int conn_flush(struct conn *c, int64_t now)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			return -EPIPE;
		}
		c->out_off += (size_t)n;
		c->last_progress_ns = now;
	}
	c->out_off = c->out_len = 0;
	c->last_progress_ns = now;
	return 0;
}

/* Room for @n more bytes at the end of the output buffer (compacting). */
static bool conn_room(struct conn *c, size_t n, size_t reserve)
{
	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + n + reserve > OUT_SIZE && c->out_off) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	return c->out_len + n + reserve <= OUT_SIZE;
}

/* ---- responses ------------------------------------------------------------ */

struct resp {
	char buf[4096];
	size_t len;
	bool overflow;
};

static void __attribute__((format(printf, 2, 3))) rput(struct resp *r,
							const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(r->buf) - r->len)
		r->overflow = true;
	else
		r->len += (size_t)n;
}

static void resp_start(struct resp *r, int status, long cseq)
{
	char date[64];
	time_t t = time(NULL);
	struct tm tm;

	r->len = 0;
	r->overflow = false;
	rput(r, "RTSP/1.0 %d %s\r\n", status, lumen_rtsp_reason(status));
	if (cseq >= 0)
		rput(r, "CSeq: %ld\r\n", cseq);
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	rput(r, "Date: %s\r\nServer: lumen/0.1\r\n", date);
}

/* Ends the headers (with an optional body) and queues the response. */
static void resp_send(struct lumen_rtsp_server *s, int ci, struct resp *r,
		      int status, const char *ctype, const char *body, size_t blen)
{
	struct conn *c = &s->conns[ci];

	if (body && blen)
		rput(r, "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n%.*s", ctype,
		     blen, (int)blen, body);
	else
		rput(r, "\r\n");
	count_status(s, status);
	if (r->overflow) {	/* a bug in a builder, never user input */
		lumen_err("rtsp: %s: response %d did not fit", c->peer_str, status);
		c->close_after_flush = true;
		return;
	}
	if (!conn_room(c, r->len, 0)) {
		/* the client did not read its responses: give up on it */
		c->close_after_flush = true;
		return;
	}
	memcpy(c->out + c->out_len, r->buf, r->len);
	c->out_len += r->len;
}

static void reply(struct lumen_rtsp_server *s, int ci, int status, long cseq,
		  const char *extra)
{
	struct resp r;

	resp_start(&r, status, cseq);
	if (extra)
		rput(&r, "%s", extra);
	resp_send(s, ci, &r, status, NULL, NULL, 0);
}

/* ---- sessions ------------------------------------------------------------- */

static struct session *session_find(struct lumen_rtsp_server *s, const char *id)
{
	for (unsigned i = 0; i < s->nsessions; i++)
		if (s->sessions[i].used && !strcmp(s->sessions[i].id, id))
			return &s->sessions[i];
	return NULL;
}

/* The newest keyframe start at or after @from still in the ring, or
 * UINT64_MAX. ch->lock held. */
static uint64_t newest_key(const struct channel *c, uint64_t from)
{
	unsigned n = c->nkeys < NKEYS ? c->nkeys : NKEYS;

	for (unsigned k = 0; k < n; k++) {
		uint64_t idx = c->keys[(c->nkeys - 1 - k) % NKEYS];

		if (key_valid(c, idx) && idx >= from)
			return idx;
		break;	/* older ones cannot be newer */
	}
	return UINT64_MAX;
}

static void ask_keyframe(struct lumen_rtsp_server *s, int channel, int64_t now)
{
	struct channel *c = &s->ch[channel];

	if (!s->cfg.request_keyframe || now - c->key_requested_ns < 200000000)
		return;
	c->key_requested_ns = now;
	s->cfg.request_keyframe(s->cfg.opaque, channel);
}

/* Sets where a session starts (PLAY, or after falling behind). Returns the
 * 90 kHz timestamp (channel clock) of its first packet, as best known. */
static uint32_t session_join(struct lumen_rtsp_server *s, struct session *ss,
			     int64_t now)
{
	struct channel *c = &s->ch[ss->channel];
	uint64_t key;
	uint32_t ts;

	pthread_mutex_lock(&c->lock);
	key = newest_key(c, 0);
	ts = c->last_ts;
	if (key != UINT64_MAX && (!s->cfg.request_keyframe || key == c->last_au_start)) {
		ss->cursor = key;
		ss->wait_key = false;
		ts = c->slots[key % c->nslots].ts;
	} else {
		ss->cursor = c->head;
		ss->wait_key = true;
	}
	pthread_mutex_unlock(&c->lock);
	if (ss->wait_key)
		ask_keyframe(s, ss->channel, now);
	return ts;
}

/* ---- sending -------------------------------------------------------------- */

/*
 * Sends up to @budget packets of @ss. Returns how many were sent (or
 * skipped); stops early when the client is caught up or its socket is full.
 */
static int session_pump(struct lumen_rtsp_server *s, struct session *ss,
			int budget, int64_t now)
{
	struct channel *c = &s->ch[ss->channel];
	struct conn *cn = ss->tcp ? &s->conns[ss->conn] : NULL;
	uint64_t max_lag = s->cfg.max_lag_packets;
	unsigned mtu = s->cfg.mtu;
	int done = 0;

	while (done < budget) {
		uint8_t buf[4 + LUMEN_RTP_HDR_LEN + 2048];
		struct slot sl;

		/* queue accounting first, so that a client whose socket is
		 * full still has its overflow counted and skipped */
		pthread_mutex_lock(&c->lock);
		if (ss->wait_key) {
			uint64_t key = newest_key(c, ss->cursor);

			if (key == UINT64_MAX) {
				pthread_mutex_unlock(&c->lock);
				break;
			}
			ss->cursor = key;
			ss->wait_key = false;
		}
		if (ss->cursor >= c->head) {
			ss->caught_up = true;
			pthread_mutex_unlock(&c->lock);
			break;
		}
		if (c->head - ss->cursor > max_lag) {
			/* the client's queue overflowed: skip to a keyframe */
			uint64_t key = newest_key(c, ss->cursor + 1), to;

			to = key != UINT64_MAX ? key : c->head;
			ss->drops += to - ss->cursor;
			c->drops += to - ss->cursor;
			ss->cursor = to;
			ss->wait_key = key == UINT64_MAX;
			ss->caught_up = false;
			pthread_mutex_unlock(&c->lock);
			if (ss->wait_key)
				ask_keyframe(s, ss->channel, now);
			continue;
		}
		pthread_mutex_unlock(&c->lock);

		if (cn && !conn_room(cn, 4 + LUMEN_RTP_HDR_LEN + mtu, OUT_RESERVE)) {
			if (conn_flush(cn, now) < 0) {
				cn->close_after_flush = true;
				break;
			}
			if (!conn_room(cn, 4 + LUMEN_RTP_HDR_LEN + mtu, OUT_RESERVE))
				break;	/* socket full: wait for POLLOUT */
		}
		if (!cn && s->udp_blocked)
			break;

		pthread_mutex_lock(&c->lock);
		if (c->head - ss->cursor > max_lag) {	/* pushed meanwhile */
			pthread_mutex_unlock(&c->lock);
			continue;
		}
		sl = c->slots[ss->cursor % c->nslots];
		memcpy(buf + 4 + LUMEN_RTP_HDR_LEN,
		       c->data + (size_t)(ss->cursor % c->nslots) * mtu, sl.len);
		pthread_mutex_unlock(&c->lock);

		lumen_rtp_header(buf + 4, sl.flags & SLOT_MARKER, LUMEN_RTP_PT_H264,
				 ss->seq, sl.ts + ss->ts_off, ss->ssrc);
		if (cn) {
			size_t n = LUMEN_RTP_HDR_LEN + sl.len;

			buf[0] = '$';
			buf[1] = ss->ich[0];
			buf[2] = (uint8_t)(n >> 8);
			buf[3] = (uint8_t)n;
			memcpy(cn->out + cn->out_len, buf, 4 + n);
			cn->out_len += 4 + n;
		} else {
			struct iovec iov = { buf + 4, LUMEN_RTP_HDR_LEN + sl.len };
			struct msghdr mh = {
				.msg_name = &ss->rtp_addr,
				.msg_namelen = sizeof(ss->rtp_addr),
				.msg_iov = &iov, .msg_iovlen = 1,
			};

			if (sendmsg(s->rtp_fd, &mh, MSG_DONTWAIT) < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
					s->udp_blocked = true;
					break;
				}
				/* ICMP errors and the like: the packet is lost */
				ss->drops++;
				c->drops++;
				ss->cursor++;
				ss->seq++;
				done++;
				continue;
			}
		}
		/* glass-to-RTP: the first send of an AU by a session that was
		 * waiting for it (one catching up would time its own lag) */
		if (ss->caught_up && (sl.flags & SLOT_AU_START) && sl.capture_ns &&
		    sl.idx >= c->latency_idx) {
			c->latency_idx = sl.idx + 1;
			c->latency_last = mono_ns() - sl.capture_ns;
			if (c->latency_last > c->latency_max)
				c->latency_max = c->latency_last;
		}
		ss->cursor++;
		ss->seq++;
		ss->packets++;
		ss->bytes += LUMEN_RTP_HDR_LEN + sl.len;
		ss->octets += sl.len;
		c->packets_sent++;
		c->bytes_sent += LUMEN_RTP_HDR_LEN + sl.len;
		done++;
	}
	if (cn && cn->out_len > cn->out_off && conn_flush(cn, now) < 0)
		cn->close_after_flush = true;
	return done;
}

/* Sends an RTCP sender report for a playing session. */
static void session_rtcp(struct lumen_rtsp_server *s, struct session *ss,
			 int64_t now)
{
	struct channel *c = &s->ch[ss->channel];
	uint8_t pkt[4 + 128];
	uint32_t rtp_ts;
	size_t n;

	pthread_mutex_lock(&c->lock);
	rtp_ts = c->last_ts + (uint32_t)((now - c->last_push_ns) * 9 / 100000);
	pthread_mutex_unlock(&c->lock);
	n = lumen_rtcp_sr(pkt + 4, sizeof(pkt) - 4, ss->ssrc,
			  lumen_ntp_from_realtime(now_ns(CLOCK_REALTIME)),
			  rtp_ts + ss->ts_off, (uint32_t)ss->packets, ss->octets,
			  "lumen");
	if (!n)
		return;
	if (ss->tcp) {
		struct conn *cn = &s->conns[ss->conn];

		if (!conn_room(cn, n + 4, 0))
			return;
		pkt[0] = '$';
		pkt[1] = ss->ich[1];
		pkt[2] = (uint8_t)(n >> 8);
		pkt[3] = (uint8_t)n;
		memcpy(cn->out + cn->out_len, pkt, n + 4);
		cn->out_len += n + 4;
	} else if (sendto(s->rtcp_fd, pkt + 4, n, MSG_DONTWAIT,
			  (const struct sockaddr *)&ss->rtcp_addr,
			  sizeof(ss->rtcp_addr)) < 0) {
		return;
	}
	ss->rtcp_sent++;
}

/* ---- requests ------------------------------------------------------------- */

/*
 * Checks the request's Authorization against the current credentials.
 * Returns 0 (no credentials configured, OPTIONS, or right), or what
 * lumen_digest_check() returns (-ESTALE, -EACCES, -EINVAL); -EACCES too
 * when the header is missing.
 */
static int auth_check(struct lumen_rtsp_server *s, int ci,
		      const struct lumen_rtsp_request *req)
{
	struct lumen_digest_creds creds;
	const char *h;

	if (req->method == LUMEN_RTSP_OPTIONS)
		return 0;
	pthread_mutex_lock(&s->creds_lock);
	creds = s->creds;
	pthread_mutex_unlock(&s->creds_lock);
	if (!creds.user[0])
		return 0;
	h = lumen_rtsp_header(req, "Authorization");
	if (!h)
		return -EACCES;
	return lumen_digest_check(&s->dg, &s->conns[ci].dg, &creds, req->method_name,
				  req->uri, h, lumen_digest_now());
}

/* 401 with a SHA-256 and then an MD5 challenge for fresh nonces of @ci. */
static void reply_401(struct lumen_rtsp_server *s, int ci, long cseq, bool stale)
{
	static const enum lumen_digest_alg algs[] = { LUMEN_DIGEST_SHA256, LUMEN_DIGEST_MD5 };
	uint64_t now = lumen_digest_now();
	char extra[640], ch[256];
	size_t n = 0;

	for (int i = 0; i < 2; i++) {
		if (lumen_digest_challenge(&s->dg, &s->conns[ci].dg, algs[i], stale, now,
					   ch, sizeof(ch)) < 0) {
			reply(s, ci, 500, cseq, NULL);
			return;
		}
		n += (size_t)snprintf(extra + n, sizeof(extra) - n,
				      "WWW-Authenticate: %s\r\n", ch);
	}
	reply(s, ci, 401, cseq, extra);
}

/* Looks the request's Session up among the sessions of connection @ci:
 * 0 (found, *out set), -ENOENT (no header), -ESRCH (unknown id, or a
 * session of another connection: to it, that id does not exist). */
static int req_session(struct lumen_rtsp_server *s, int ci,
		       const struct lumen_rtsp_request *req, struct session **out)
{
	const char *h = lumen_rtsp_header(req, "Session");
	char id[32];

	*out = NULL;
	if (!h)
		return -ENOENT;
	if (lumen_rtsp_session_id(h, id, sizeof(id)))
		return -ESRCH;
	*out = session_find(s, id);
	if (*out && (*out)->conn != ci)
		*out = NULL;
	return *out ? 0 : -ESRCH;
}

static void do_describe(struct lumen_rtsp_server *s, int ci,
			const struct lumen_rtsp_request *req, int ch)
{
	struct channel *c = &s->ch[ch];
	struct lumen_sdp_stream st = { 0 };
	uint8_t sps[SPS_MAX], pps[PPS_MAX];
	char addr[INET_ADDRSTRLEN], sdp[2048];
	size_t ulen = strlen(req->uri);
	struct resp r;
	int n;

	inet_ntop(AF_INET, &s->conns[ci].local.sin_addr, addr, sizeof(addr));
	pthread_mutex_lock(&c->lock);
	st.sps_len = c->sps_len;
	st.pps_len = c->pps_len;
	memcpy(sps, c->sps, c->sps_len);
	memcpy(pps, c->pps, c->pps_len);
	st.version = c->sdp_version + 1;
	pthread_mutex_unlock(&c->lock);
	st.origin_addr = addr;
	st.session_id = (uint64_t)now_ns(CLOCK_REALTIME) / 1000000000u;
	st.width = c->cfg.width;
	st.height = c->cfg.height;
	st.fps_num = c->cfg.fps_num;
	st.fps_den = c->cfg.fps_den;
	st.bitrate_kbps = c->cfg.bitrate_kbps;
	st.sps = st.sps_len ? sps : NULL;
	st.pps = st.pps_len ? pps : NULL;
	st.control = "trackID=0";
	n = lumen_sdp_build(&st, sdp, sizeof(sdp));
	if (n < 0) {
		reply(s, ci, 500, req->cseq, NULL);
		return;
	}
	resp_start(&r, 200, req->cseq);
	rput(&r, "Content-Base: %s%s\r\n", req->uri,
	     ulen && req->uri[ulen - 1] == '/' ? "" : "/");
	resp_send(s, ci, &r, 200, "application/sdp", sdp, (size_t)n);
}

static void do_setup(struct lumen_rtsp_server *s, int ci,
		     const struct lumen_rtsp_request *req, int ch, int64_t now)
{
	struct lumen_rtsp_transport t;
	struct conn *cn = &s->conns[ci];
	struct session *ss = NULL;
	char err[160];
	struct resp r;
	int ret;

	if (lumen_rtsp_parse_transport(lumen_rtsp_header(req, "Transport"), &t,
				       err, sizeof(err))) {
		lumen_info("rtsp: %s: SETUP %s: %s", cn->peer_str, req->uri, err);
		reply(s, ci, 461, req->cseq, NULL);
		return;
	}
	ret = req_session(s, ci, req, &ss);
	if (ret == -ESRCH) {
		reply(s, ci, 454, req->cseq, NULL);
		return;
	}
	if (ss) {
		if (ss->channel != ch) {	/* one track per session */
			reply(s, ci, 459, req->cseq, NULL);
			return;
		}
		if (ss->playing) {
			reply(s, ci, 455, req->cseq, NULL);
			return;
		}
	} else {
		unsigned mine = 0;

		for (unsigned i = 0; i < s->nsessions; i++)
			mine += s->sessions[i].used && s->sessions[i].conn == ci;
		for (unsigned i = 0; i < s->nsessions && !ss; i++)
			if (!s->sessions[i].used)
				ss = &s->sessions[i];
		if (!ss || mine >= SESSIONS_PER_CONN) {
			ss = NULL;
			reply(s, ci, 503, req->cseq, NULL);
			return;
		}
		memset(ss, 0, sizeof(*ss));
		ss->used = true;
		{
			uint8_t b[8];

			random_bytes(b, sizeof(b));
			for (int i = 0; i < 8; i++)
				snprintf(ss->id + 2 * i, 3, "%02X", b[i]);
		}
		ss->channel = ch;
		ss->setup_ns = now;
		ss->ssrc = rnd32(s);
		ss->seq = (uint16_t)rnd32(s);
		ss->ts_off = rnd32(s);
	}
	ss->conn = ci;
	memcpy(ss->peer, cn->peer_str, sizeof(ss->peer));
	ss->tcp = t.tcp;
	ss->last_activity_ns = now;
	if (t.tcp) {
		ss->ich[0] = t.interleaved[0];
		ss->ich[1] = t.interleaved[1];
	} else {
		ss->rtp_addr = cn->peer;
		ss->rtp_addr.sin_port = htons(t.client_port[0]);
		ss->rtcp_addr = cn->peer;
		ss->rtcp_addr.sin_port = htons(t.client_port[1]);
	}
	resp_start(&r, 200, req->cseq);
	if (t.tcp)
		rput(&r, "Transport: RTP/AVP/TCP;unicast;interleaved=%u-%u;ssrc=%08X\r\n",
		     t.interleaved[0], t.interleaved[1], (unsigned)ss->ssrc);
	else
		rput(&r, "Transport: RTP/AVP;unicast;client_port=%u-%u;"
		     "server_port=%u-%u;ssrc=%08X\r\n", t.client_port[0],
		     t.client_port[1], s->rtp_port, s->rtp_port + 1, (unsigned)ss->ssrc);
	rput(&r, "Session: %s;timeout=%u\r\n", ss->id, s->cfg.session_timeout_s);
	resp_send(s, ci, &r, 200, NULL, NULL, 0);
}

static void do_play(struct lumen_rtsp_server *s, int ci,
		    const struct lumen_rtsp_request *req, struct session *ss,
		    int64_t now)
{
	char url[600];
	size_t n = strlen(req->uri);
	uint32_t ts;
	bool track;
	struct resp r;

	ts = session_join(s, ss, now);
	ss->caught_up = false;
	ss->playing = true;
	ss->played = true;
	ss->next_rtcp_ns = now;	/* the first SR right after the first packets */
	/* the track's control URL: the aggregate URL + "/trackID=0" */
	while (n && req->uri[n - 1] == '/')
		n--;
	lumen_rtsp_uri_channel(req->uri, s->cfg.nchannels, &track);
	snprintf(url, sizeof(url), "%.*s%s", (int)(n > 512 ? 512 : n), req->uri,
		 track ? "" : "/trackID=0");
	resp_start(&r, 200, req->cseq);
	rput(&r, "Range: npt=0.000-\r\n");
	rput(&r, "Session: %s;timeout=%u\r\n", ss->id, s->cfg.session_timeout_s);
	rput(&r, "RTP-Info: url=%s;seq=%u;rtptime=%u\r\n", url, ss->seq,
	     (unsigned)(ts + ss->ts_off));
	resp_send(s, ci, &r, 200, NULL, NULL, 0);
}

static void handle_request(struct lumen_rtsp_server *s, int ci,
			   const struct lumen_rtsp_request *req, int64_t now)
{
	static const char allow[] = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, "
		"TEARDOWN, GET_PARAMETER, SET_PARAMETER";
	struct conn *cn = &s->conns[ci];
	struct session *ss = NULL;
	char extra[192];
	bool track;
	int ch, sret, aret;

	s->requests++;
	cn->last_request_ns = now;
	lumen_dbg("rtsp: %s: %s %s CSeq %ld", cn->peer_str, req->method_name,
		  req->uri, req->cseq);
	if (req->method == LUMEN_RTSP_UNKNOWN) {
		reply(s, ci, 501, req->cseq, NULL);
		return;
	}
	if (req->method >= LUMEN_RTSP_ANNOUNCE) {
		snprintf(extra, sizeof(extra), "Allow: %s\r\n", allow);
		reply(s, ci, 405, req->cseq, extra);
		return;
	}
	aret = auth_check(s, ci, req);
	if (aret) {
		if (aret != -ESTALE)
			s->auth_failures++;
		reply_401(s, ci, req->cseq, aret == -ESTALE);
		return;
	}
	sret = req_session(s, ci, req, &ss);
	if (ss)
		ss->last_activity_ns = now;

	switch (req->method) {
	case LUMEN_RTSP_OPTIONS:
		snprintf(extra, sizeof(extra), "Public: %s\r\n", allow);
		reply(s, ci, 200, req->cseq, extra);
		return;
	case LUMEN_RTSP_DESCRIBE:
		ch = lumen_rtsp_uri_channel(req->uri, s->cfg.nchannels, &track);
		if (ch < 0) {
			reply(s, ci, 404, req->cseq, NULL);
			return;
		}
		do_describe(s, ci, req, ch);
		return;
	case LUMEN_RTSP_SETUP:
		ch = lumen_rtsp_uri_channel(req->uri, s->cfg.nchannels, &track);
		if (ch < 0) {
			reply(s, ci, 404, req->cseq, NULL);
			return;
		}
		do_setup(s, ci, req, ch, now);
		return;
	default:
		break;
	}
	/* PLAY, PAUSE, TEARDOWN, GET/SET_PARAMETER: state of a session */
	if (sret == -ESRCH) {
		reply(s, ci, 454, req->cseq, NULL);
		return;
	}
	if (!ss && req->method != LUMEN_RTSP_GET_PARAMETER &&
	    req->method != LUMEN_RTSP_SET_PARAMETER) {
		reply(s, ci, 455, req->cseq, NULL);	/* not valid in Init */
		return;
	}
	snprintf(extra, sizeof(extra), "Session: %s\r\n", ss ? ss->id : "");
	switch (req->method) {
	case LUMEN_RTSP_PLAY:
		if (ss->playing)	/* already playing: nothing changes */
			reply(s, ci, 200, req->cseq, extra);
		else
			do_play(s, ci, req, ss, now);
		return;
	case LUMEN_RTSP_PAUSE:
		ss->playing = false;
		reply(s, ci, 200, req->cseq, extra);
		return;
	case LUMEN_RTSP_TEARDOWN:
		reply(s, ci, 200, req->cseq, extra);
		session_free(s, ss);
		return;
	case LUMEN_RTSP_SET_PARAMETER:
	case LUMEN_RTSP_GET_PARAMETER:
		/* an empty one is a keep-alive; there are no settable parameters */
		if (req->method == LUMEN_RTSP_SET_PARAMETER && req->body_len)
			reply(s, ci, 451, req->cseq, ss ? extra : NULL);
		else
			reply(s, ci, 200, req->cseq, ss ? extra : NULL);
		return;
	default:
		reply(s, ci, 500, req->cseq, NULL);
	}
}

/* Handles what arrived on @ci; false when the connection must close now. */
static bool conn_input(struct lumen_rtsp_server *s, int ci, int64_t now)
{
	struct conn *cn = &s->conns[ci];
	struct lumen_rtsp_request *req = &s->req;
	struct lumen_rtsp_frame fr;
	char err[200];

	for (;;) {
		ssize_t n = recv(cn->fd, cn->in + cn->in_len, IN_SIZE - cn->in_len,
				 MSG_DONTWAIT);

		if (n == 0) {
			/* the peer finished sending: answer what it asked */
			conn_flush(cn, now);
			return false;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			return false;
		}
		cn->in_len += (size_t)n;
		if (cn->skip) {
			size_t k = cn->skip < cn->in_len ? cn->skip : cn->in_len;

			memmove(cn->in, cn->in + k, cn->in_len - k);
			cn->in_len -= k;
			cn->skip -= k;
		}
		while (cn->in_len && !cn->close_after_flush) {
			size_t used = 0;
			int ret = lumen_rtsp_parse(cn->in, cn->in_len, req, &fr, &used,
						   err, sizeof(err));

			if (ret == LUMEN_RTSP_REQUEST) {
				handle_request(s, ci, req, now);
			} else if (ret == LUMEN_RTSP_INTERLEAVED) {
				/* RTCP receiver reports over TCP: a sign of life */
				(void)fr;
			} else if (ret < 0) {
				s->requests++;
				lumen_info("rtsp: %s: %s", cn->peer_str, err);
				reply(s, ci, req->status, req->cseq, NULL);
				if (req->fatal)
					cn->close_after_flush = true;
			} else if (cn->in_len == IN_SIZE && cn->in[0] == '$') {
				/* a frame larger than the buffer: discard it */
				size_t flen = 4 + ((size_t)(uint8_t)cn->in[2] << 8 |
						   (uint8_t)cn->in[3]);

				cn->skip = flen - cn->in_len;
				used = cn->in_len;
			}
			memmove(cn->in, cn->in + used, cn->in_len - used);
			cn->in_len -= used;
			if (ret == LUMEN_RTSP_NEED_MORE && !used)
				break;
		}
		if (cn->close_after_flush) {
			cn->in_len = 0;
			break;
		}
	}
	/* the header timeout runs from the first byte of a request that is
	 * not complete yet, not from the last byte (a drip feed) */
	if (!cn->in_len && !cn->skip)
		cn->req_start_ns = 0;
	else if (!cn->req_start_ns)
		cn->req_start_ns = now;
	if (conn_flush(cn, now) < 0)
		return false;
	return !(cn->close_after_flush && cn->out_off == cn->out_len);
}

static bool conn_playing(const struct lumen_rtsp_server *s, int ci)
{
	for (unsigned i = 0; i < s->nsessions; i++)
		if (s->sessions[i].used && s->sessions[i].conn == ci &&
		    s->sessions[i].playing)
			return true;
	return false;
}

/*
 * The connection to close so that one from @addr can be accepted, or -1
 * (refuse it). Only connections without a playing session are candidates:
 * of @addr's own when it holds max_per_ip already; else, when the table is
 * full, of the address holding the most connections; of those, the one
 * whose last request is oldest. -2: a slot is free, nobody needs to go.
 */
static int pick_victim(struct lumen_rtsp_server *s, struct in_addr addr)
{
	unsigned from_addr = 0, used = 0, most = 0;
	int victim = -1;

	for (unsigned ci = 0; ci < s->nconns; ci++) {
		if (s->conns[ci].fd < 0)
			continue;
		used++;
		from_addr += s->conns[ci].peer.sin_addr.s_addr == addr.s_addr;
	}
	if (from_addr < s->cfg.max_per_ip && used < s->nconns)
		return -2;
	for (unsigned ci = 0; ci < s->nconns; ci++) {
		const struct conn *c = &s->conns[ci];
		unsigned n = 0;

		if (c->fd < 0 || conn_playing(s, (int)ci))
			continue;
		if (from_addr >= s->cfg.max_per_ip) {
			if (c->peer.sin_addr.s_addr != addr.s_addr)
				continue;
		} else {
			for (unsigned k = 0; k < s->nconns; k++)
				n += s->conns[k].fd >= 0 &&
				     s->conns[k].peer.sin_addr.s_addr == c->peer.sin_addr.s_addr;
			if (n < most)
				continue;
		}
		if (victim < 0 || n > most ||
		    c->last_request_ns < s->conns[victim].last_request_ns) {
			victim = (int)ci;
			most = n;
		}
	}
	return victim;
}

static void accept_conns(struct lumen_rtsp_server *s, int64_t now)
{
	for (;;) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		int fd = accept4(s->listen_fd, (struct sockaddr *)&peer, &plen,
				 SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
		struct conn *cn = NULL;
		char a[INET_ADDRSTRLEN];
		socklen_t llen;
		int ci, victim;

		if (fd < 0)
			return;
		victim = pick_victim(s, peer.sin_addr);
		if (victim >= 0) {
			lumen_dbg("rtsp: %s: closing (idle, a new client needs its slot)",
				   s->conns[victim].peer_str);
			s->evicted++;
			conn_close(s, victim);
		}
		for (ci = 0; victim != -1 && ci < (int)s->nconns; ci++)
			if (s->conns[ci].fd < 0) {
				cn = &s->conns[ci];
				break;
			}
		if (!cn || lumen_digest_conn_init(&cn->dg)) {
			static const char busy[] = "RTSP/1.0 503 Service Unavailable\r\n\r\n";

			count_status(s, 503);
			s->refused++;
			if (send(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
				lumen_dbg("rtsp: refusing a connection: %s", strerror(errno));
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (s->cfg.tcp_sndbuf) {
			int sb = (int)s->cfg.tcp_sndbuf;

			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sb, sizeof(sb));
		}
		cn->fd = fd;
		cn->peer = peer;
		llen = sizeof(cn->local);
		if (getsockname(fd, (struct sockaddr *)&cn->local, &llen))
			memset(&cn->local, 0, sizeof(cn->local));
		inet_ntop(AF_INET, &peer.sin_addr, a, sizeof(a));
		snprintf(cn->peer_str, sizeof(cn->peer_str), "%s:%u", a, ntohs(peer.sin_port));
		cn->in_len = cn->out_len = cn->out_off = cn->skip = 0;
		cn->close_after_flush = false;
		cn->last_progress_ns = cn->last_request_ns = now;
		cn->req_start_ns = 0;
		s->connections++;
	}
}

/* RTCP (receiver reports) from UDP clients keep their sessions alive. */
static void udp_input(struct lumen_rtsp_server *s, int fd, bool rtcp, int64_t now)
{
	uint8_t buf[1500];

	for (;;) {
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &flen);

		if (n < 0)
			return;
		for (unsigned i = 0; i < s->nsessions && rtcp; i++) {
			struct session *ss = &s->sessions[i];

			if (ss->used && !ss->tcp &&
			    ss->rtcp_addr.sin_addr.s_addr == from.sin_addr.s_addr &&
			    ss->rtcp_addr.sin_port == from.sin_port)
				ss->last_activity_ns = now;
		}
	}
}

static void drop_client(struct lumen_rtsp_server *s, int ci, const char *why)
{
	lumen_warn("rtsp: %s: closing: %s", s->conns[ci].peer_str, why);
	s->dropped_clients++;
	for (unsigned i = 0; i < s->nsessions; i++)
		if (s->sessions[i].used && s->sessions[i].conn == ci)
			s->ch[s->sessions[i].channel].dropped_clients++;
	conn_close(s, ci);
}

/* Timeouts, stalls and RTCP; runs every loop turn. */
static void timers(struct lumen_rtsp_server *s, int64_t now)
{
	int64_t timeout = (int64_t)s->cfg.session_timeout_s * 1000000000;
	int64_t stall = (int64_t)s->cfg.stall_timeout_ms * 1000000;
	int64_t setup = (int64_t)s->cfg.setup_timeout_ms * 1000000;
	int64_t header = (int64_t)s->cfg.header_timeout_ms * 1000000;

	for (unsigned i = 0; i < s->nsessions; i++) {
		struct session *ss = &s->sessions[i];

		if (!ss->used)
			continue;
		if (!ss->tcp && now - ss->last_activity_ns > timeout) {
			lumen_info("rtsp: session %s timed out", ss->id);
			s->timeouts++;
			session_free(s, ss);
			continue;
		}
		if (!ss->played && now - ss->setup_ns > setup) {
			lumen_info("rtsp: session %s: no PLAY %u ms after SETUP",
				   ss->id, s->cfg.setup_timeout_ms);
			s->timeouts++;
			session_free(s, ss);
			continue;
		}
		if (ss->playing && ss->packets && now >= ss->next_rtcp_ns) {
			session_rtcp(s, ss, now);
			ss->next_rtcp_ns = now + (int64_t)s->cfg.rtcp_interval_ms * 1000000;
		}
	}
	for (unsigned ci = 0; ci < s->nconns; ci++) {
		struct conn *cn = &s->conns[ci];
		bool has_session = false;

		if (cn->fd < 0)
			continue;
		for (unsigned i = 0; i < s->nsessions; i++)
			if (s->sessions[i].used && s->sessions[i].conn == (int)ci)
				has_session = true;
		if (cn->out_len > cn->out_off && now - cn->last_progress_ns > stall) {
			drop_client(s, (int)ci, "not reading (send buffer full)");
		} else if (cn->req_start_ns && now - cn->req_start_ns > header) {
			lumen_dbg("rtsp: %s: closing: request incomplete %u ms after "
				   "its first byte", cn->peer_str, s->cfg.header_timeout_ms);
			s->timeouts++;
			conn_close(s, (int)ci);
		} else if (!has_session && now - cn->last_request_ns > timeout) {
			conn_close(s, (int)ci);
		}
	}
}

/* Sends every playing session's queue, round robin. Returns true when some
 * session still has packets it could send (poll without waiting). */
static bool pump_all(struct lumen_rtsp_server *s, int64_t now)
{
	int total = 0, sent;

	do {
		sent = 0;
		for (unsigned i = 0; i < s->nsessions; i++) {
			struct session *ss = &s->sessions[i];

			if (!ss->used || !ss->playing || (ss->tcp && ss->conn < 0))
				continue;
			if (ss->tcp && s->conns[ss->conn].close_after_flush)
				continue;
			sent += session_pump(s, ss, PUMP_BUDGET, now);
		}
		total += sent;
	} while (sent && total < PASS_LIMIT);
	return sent > 0;
}

static void *server_thread(void *arg)
{
	struct lumen_rtsp_server *s = arg;
	struct pollfd *pfd;
	int *owner;
	bool more = false;

	lumen_thread_name("rtsp", NULL);
	pfd = calloc(s->nconns + 4, sizeof(*pfd));
	owner = calloc(s->nconns + 4, sizeof(*owner));
	if (!pfd || !owner) {
		lumen_err("rtsp: out of memory for the poll set");
		free(pfd);
		free(owner);
		return NULL;
	}
	while (!atomic_load(&s->stop)) {
		int np = 0, ret;
		int64_t now;

		pthread_mutex_lock(&s->lock);
		pfd[np++] = (struct pollfd){ s->wake_fd, POLLIN, 0 };
		pfd[np++] = (struct pollfd){ s->listen_fd, POLLIN, 0 };
		pfd[np++] = (struct pollfd){ s->rtp_fd, (short)(POLLIN |
					     (s->udp_blocked ? POLLOUT : 0)), 0 };
		pfd[np++] = (struct pollfd){ s->rtcp_fd, POLLIN, 0 };
		for (unsigned ci = 0; ci < s->nconns; ci++) {
			struct conn *cn = &s->conns[ci];

			if (cn->fd < 0)
				continue;
			owner[np] = (int)ci;
			pfd[np++] = (struct pollfd){ cn->fd, (short)(POLLIN |
				(cn->out_len > cn->out_off ? POLLOUT : 0)), 0 };
		}
		pthread_mutex_unlock(&s->lock);

		ret = poll(pfd, (nfds_t)np, more ? 0 : 100);
		if (ret < 0 && errno != EINTR) {
			lumen_err("rtsp: poll: %s", strerror(errno));
			break;
		}
		now = mono_ns();
		pthread_mutex_lock(&s->lock);
		if (pfd[0].revents & POLLIN) {
			uint64_t v;

			if (read(s->wake_fd, &v, sizeof(v)) < 0)
				v = 0;
		}
		if (pfd[1].revents & POLLIN)
			accept_conns(s, now);
		if (pfd[2].revents & POLLOUT)
			s->udp_blocked = false;
		if (pfd[2].revents & POLLIN)
			udp_input(s, s->rtp_fd, false, now);
		if (pfd[3].revents & POLLIN)
			udp_input(s, s->rtcp_fd, true, now);
		for (int i = 4; i < np; i++) {
			struct conn *cn = &s->conns[owner[i]];

			if (cn->fd != pfd[i].fd)
				continue;	/* closed and reused this turn */
			if (pfd[i].revents & POLLOUT && conn_flush(cn, now) < 0) {
				conn_close(s, owner[i]);
				continue;
			}
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR) &&
			    !conn_input(s, owner[i], now))
				conn_close(s, owner[i]);
		}
		more = pump_all(s, now);
		timers(s, now);
		for (unsigned ci = 0; ci < s->nconns; ci++) {
			struct conn *cn = &s->conns[ci];

			if (cn->fd >= 0 && cn->close_after_flush &&
			    (cn->out_off == cn->out_len || conn_flush(cn, now) < 0 ||
			     cn->out_off == cn->out_len))
				conn_close(s, (int)ci);
		}
		pthread_mutex_unlock(&s->lock);
	}
	free(pfd);
	free(owner);
	return NULL;
}

/* ---- lifetime ------------------------------------------------------------- */

static int bind_udp(struct lumen_rtsp_server *s, struct in_addr addr, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = addr };
	int fds[2] = { -1, -1 }, sndbuf = 1 << 20;

	for (int i = 0; i < 2; i++) {
		fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fds[i] < 0)
			goto close_fds;
		a.sin_port = htons((uint16_t)(port + i));
		if (bind(fds[i], (struct sockaddr *)&a, sizeof(a)))
			goto close_fds;
	}
	setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	s->rtp_fd = fds[0];
	s->rtcp_fd = fds[1];
	s->rtp_port = port;
	return 0;

close_fds:
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return -errno;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

struct lumen_rtsp_server *lumen_rtsp_create(const struct lumen_rtsp_config *cfg,
					    char *err, size_t errlen)
{
	struct lumen_rtsp_server *s;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int one = 1, ret;

	if (!cfg->nchannels || cfg->nchannels > LUMEN_RTSP_MAX_CHANNELS) {
		snprintf(err, errlen, "rtsp: %u channels (1..%d)", cfg->nchannels,
			 LUMEN_RTSP_MAX_CHANNELS);
		return NULL;
	}
	if ((cfg->mtu && (cfg->mtu < 200 || cfg->mtu > 2048)) ||
	    (cfg->max_clients > LUMEN_RTSP_MAX_CLIENTS) ||
	    (cfg->rtp_port & 1) || cfg->rtp_port == 65534) {
		snprintf(err, errlen, "rtsp: mtu %u (200..2048), max_clients %u "
			 "(<= %d) or rtp_port %u (even) out of range", cfg->mtu,
			 cfg->max_clients, LUMEN_RTSP_MAX_CLIENTS, cfg->rtp_port);
		return NULL;
	}
	if (!lumen_digest_creds_valid(&cfg->creds)) {
		snprintf(err, errlen, "rtsp: malformed credentials (user or HA1)");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		goto fail_nomem;
	s->cfg = *cfg;
	s->listen_fd = s->rtp_fd = s->rtcp_fd = s->wake_fd = -1;
	if (!s->cfg.mtu)
		s->cfg.mtu = LUMEN_RTP_MAX_PAYLOAD;
	if (!s->cfg.max_clients)
		s->cfg.max_clients = 32;
	if (!s->cfg.max_per_ip)	/* one address never holds more than half */
		s->cfg.max_per_ip = (s->cfg.max_clients + 1) / 2;
	if (!s->cfg.header_timeout_ms)
		s->cfg.header_timeout_ms = 5000;
	if (!s->cfg.setup_timeout_ms)
		s->cfg.setup_timeout_ms = 10000;
	if (!s->cfg.session_timeout_s)
		s->cfg.session_timeout_s = 60;
	if (!s->cfg.stall_timeout_ms)
		s->cfg.stall_timeout_ms = 5000;
	if (!s->cfg.rtcp_interval_ms)
		s->cfg.rtcp_interval_ms = 5000;
	copy_str(s->bind_addr, sizeof(s->bind_addr), cfg->bind_addr ? cfg->bind_addr : "0.0.0.0");
	s->creds = cfg->creds;
	memset(&s->cfg.creds, 0, sizeof(s->cfg.creds));	/* s->creds is the one */
	s->cfg.bind_addr = NULL;
	random_bytes(&s->rng, sizeof(s->rng));
	s->rng |= 1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->creds_lock, NULL);
	ret = lumen_digest_server_init(&s->dg, cfg->nonce_ttl_s);
	if (ret) {
		snprintf(err, errlen, "rtsp: no randomness for Digest nonces: %s",
			 strerror(-ret));
		goto fail;
	}

	s->nconns = s->cfg.max_clients;
	s->nsessions = SESSIONS_PER_CONN * s->nconns;
	s->conns = calloc(s->nconns, sizeof(*s->conns));
	s->sessions = calloc(s->nsessions, sizeof(*s->sessions));
	if (!s->conns || !s->sessions)
		goto fail_nomem;
	for (unsigned i = 0; i < s->nconns; i++)
		s->conns[i].fd = -1;
	for (unsigned i = 0; i < s->nsessions; i++)
		s->sessions[i].conn = -1;
	for (unsigned i = 0; i < cfg->nchannels; i++) {
		struct channel *c = &s->ch[i];

		c->cfg = cfg->ch[i];
		c->last_slot = UINT64_MAX;
		c->nslots = c->cfg.ring_packets ? c->cfg.ring_packets : 2048;
		if (c->nslots < 64)
			c->nslots = 64;
		pthread_mutex_init(&c->lock, NULL);
		c->slots = calloc(c->nslots, sizeof(*c->slots));
		c->data = malloc((size_t)c->nslots * s->cfg.mtu);
		if (!c->slots || !c->data)
			goto fail_nomem;
		if (!s->cfg.max_lag_packets || s->cfg.max_lag_packets > c->nslots * 3 / 4)
			s->cfg.max_lag_packets = c->nslots * 3 / 4;
	}

	if (inet_pton(AF_INET, s->bind_addr, &a.sin_addr) != 1) {
		snprintf(err, errlen, "rtsp: bind address '%s' is not an IPv4 address",
			 s->bind_addr);
		goto fail;
	}
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->wake_fd < 0 || s->listen_fd < 0) {
		snprintf(err, errlen, "rtsp: socket: %s", strerror(errno));
		goto fail;
	}
	setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_port = htons(cfg->port);
	if (bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(s->listen_fd, 32) ||
	    getsockname(s->listen_fd, (struct sockaddr *)&a, &alen)) {
		snprintf(err, errlen, "rtsp: listen on %s:%u: %s", s->bind_addr,
			 cfg->port, strerror(errno));
		goto fail;
	}
	s->port = ntohs(a.sin_port);
	if (cfg->rtp_port) {
		ret = bind_udp(s, a.sin_addr, cfg->rtp_port);
	} else {
		ret = -EADDRINUSE;
		for (int i = 0; i < 64 && ret; i++)
			ret = bind_udp(s, a.sin_addr,
				       (uint16_t)(20000 + 2 * (rnd32(s) % 20000)));
	}
	if (ret) {
		snprintf(err, errlen, "rtsp: UDP ports for RTP/RTCP (%u): %s",
			 cfg->rtp_port, strerror(-ret));
		goto fail;
	}
	return s;

fail_nomem:
	snprintf(err, errlen, "rtsp: out of memory");
fail:
	lumen_rtsp_destroy(s);
	return NULL;
}

int lumen_rtsp_start(struct lumen_rtsp_server *s)
{
	int ret = pthread_create(&s->thread, NULL, server_thread, s);

	if (ret)
		return -ret;
	s->started = true;
	return 0;
}

uint16_t lumen_rtsp_port(const struct lumen_rtsp_server *s)
{
	return s->port;
}

void lumen_rtsp_destroy(struct lumen_rtsp_server *s)
{
	uint64_t one = 1;

	if (!s)
		return;
	if (s->started) {
		atomic_store(&s->stop, 1);
		if (write(s->wake_fd, &one, sizeof(one)) < 0)
			lumen_dbg("rtsp: wake: %s", strerror(errno));
		pthread_join(s->thread, NULL);
	}
	for (unsigned i = 0; s->conns && i < s->nconns; i++)
		if (s->conns[i].fd >= 0)
			close(s->conns[i].fd);
	for (int fd, i = 0; i < 4; i++) {
		fd = i == 0 ? s->listen_fd : i == 1 ? s->rtp_fd : i == 2 ? s->rtcp_fd : s->wake_fd;
		if (fd >= 0)
			close(fd);
	}
	for (unsigned i = 0; i < LUMEN_RTSP_MAX_CHANNELS; i++) {
		free(s->ch[i].slots);
		free(s->ch[i].data);
	}
	free(s->conns);
	free(s->sessions);
	free(s);
}

int lumen_rtsp_set_creds(struct lumen_rtsp_server *s, const struct lumen_digest_creds *c)
{
	if (!s || !c || !lumen_digest_creds_valid(c))
		return -EINVAL;
	pthread_mutex_lock(&s->creds_lock);
	s->creds = *c;
	pthread_mutex_unlock(&s->creds_lock);
	return 0;
}

void lumen_rtsp_stats(struct lumen_rtsp_server *s, struct lumen_rtsp_stats *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&s->lock);
	out->connections = s->connections;
	out->requests = s->requests;
	out->auth_failures = s->auth_failures;
	out->timeouts = s->timeouts;
	out->dropped_clients = s->dropped_clients;
	out->evicted = s->evicted;
	out->refused = s->refused;
	memcpy(out->responses, s->responses, sizeof(out->responses));
	out->nchannels = s->cfg.nchannels;
	for (unsigned i = 0; i < s->nconns; i++)
		if (s->conns[i].fd >= 0)
			out->connections_now++;
	for (unsigned i = 0; i < s->cfg.nchannels; i++) {
		struct channel *c = &s->ch[i];
		struct lumen_rtsp_channel_stats *o = &out->ch[i];

		pthread_mutex_lock(&c->lock);
		o->aus = c->aus;
		o->keyframes = c->keyframes;
		o->packets = c->packets;
		o->bytes = c->bytes;
		o->push_errors = c->push_errors;
		pthread_mutex_unlock(&c->lock);
		o->packets_sent = c->packets_sent;
		o->bytes_sent = c->bytes_sent;
		o->drops = c->drops;
		o->dropped_clients = c->dropped_clients;
		o->latency_ns_last = c->latency_last;
		o->latency_ns_max = c->latency_max;
	}
	for (unsigned i = 0; i < s->nsessions; i++) {
		struct session *ss = &s->sessions[i];
		struct lumen_rtsp_client_stats *o;

		if (!ss->used)
			continue;
		out->sessions_now++;
		if (ss->playing)
			out->ch[ss->channel].clients++;
		if (out->nclients == LUMEN_RTSP_MAX_CLIENTS)
			continue;
		o = &out->client[out->nclients++];
		copy_str(o->session, sizeof(o->session), ss->id);
		copy_str(o->peer, sizeof(o->peer), ss->peer);
		o->channel = ss->channel;
		o->tcp = ss->tcp;
		o->playing = ss->playing;
		o->packets = ss->packets;
		o->bytes = ss->bytes;
		o->drops = ss->drops;
		o->rtcp_sent = ss->rtcp_sent;
	}
	pthread_mutex_unlock(&s->lock);
}

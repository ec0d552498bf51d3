/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RTSP server of `lumen serve` (RFC 2326 + RTP/H.264 per RFC 6184).
 *
 * Data path. lumen_rtsp_push() (the encoder's thread, one per channel)
 * packetises an access unit into the channel's ring of RTP payload slots
 * (fixed, allocated by create) under the channel's mutex, held only for
 * memcpy, and wakes the server thread through an eventfd. It never waits
 * on a client. Every client (session) has its own cursor into that ring;
 * the packets between its cursor and the ring head are its queue, bounded
 * by max_lag_packets. The server thread sends each client's queue with
 * non-blocking sendmsg (UDP) or send (TCP interleaved), writing the RTP
 * header (per-client SSRC, sequence, timestamp offset) at send time. A
 * client whose queue overflows (or whose slots were overwritten) skips to
 * the next keyframe; the skipped packets are counted as its drops. A TCP
 * client whose socket accepts no byte for stall_timeout_ms while it has
 * data pending is closed (a dropped client). Other clients and the push
 * path are never held up by one.
 *
 * Hostile clients. A session is controlled only from the connection that
 * set it up (454 elsewhere) and ends with it. Connections are capped per
 * source address (max_per_ip); when the table or an address's share is
 * full, the connection without a playing session that made its last
 * request longest ago (of the address with most connections) is closed
 * for the new one. A request must be complete header_timeout_ms after its
 * first byte; a session that is not PLAYed setup_timeout_ms after SETUP
 * is freed.
 *
 * Threads: create/start/stop/destroy from one control thread; push from
 * one producer thread per channel (any thread, concurrent channels fine);
 * stats and set_creds from any thread. The server thread owns every
 * socket.
 */
#ifndef LUMEN_NET_RTSP_H
#define LUMEN_NET_RTSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/digest.h"

#define LUMEN_RTSP_MAX_CHANNELS	4
#define LUMEN_RTSP_MAX_CLIENTS	64

struct lumen_rtsp_server;

struct lumen_rtsp_channel_config {
	unsigned width, height;		/* for the SDP a=framesize */
	unsigned fps_num, fps_den;	/* a=framerate */
	unsigned bitrate_kbps;		/* b=AS, 0 = none */
	unsigned ring_packets;		/* payload slots; 0 = 2048 */
};

struct lumen_rtsp_config {
	const char *bind_addr;		/* IPv4 literal; NULL = 0.0.0.0 */
	uint16_t port;			/* RTSP TCP port; 0 = any free one */
	uint16_t rtp_port;		/* even UDP port (RTCP +1); 0 = pick */
	unsigned nchannels;		/* paths /ch0 .. /ch<n-1> */
	struct lumen_rtsp_channel_config ch[LUMEN_RTSP_MAX_CHANNELS];
	/*
	 * Who may watch (net/digest.h): with creds.user set, every method but
	 * OPTIONS needs Digest (SHA-256 or MD5, realm LUMEN_DIGEST_REALM);
	 * creds.user empty = no authentication. lumen_rtsp_set_creds()
	 * changes them while running.
	 */
	struct lumen_digest_creds creds;
	int nonce_ttl_s;		/* Digest nonce lifetime; 0 = 300 */
	unsigned max_clients;		/* connections; 0 = 32 */
	unsigned max_per_ip;		/* from one address; 0 = half of max_clients */
	unsigned header_timeout_ms;	/* a request's first byte to its end; 0 = 5000 */
	unsigned setup_timeout_ms;	/* SETUP to the first PLAY; 0 = 10000 */
	unsigned session_timeout_s;	/* 0 = 60 */
	unsigned stall_timeout_ms;	/* TCP client not reading; 0 = 5000 */
	unsigned max_lag_packets;	/* a client's queue; 0 = 3/4 of ring */
	unsigned mtu;			/* RTP payload bytes; 0 = 1400 */
	unsigned rtcp_interval_ms;	/* sender reports; 0 = 5000 */
	unsigned tcp_sndbuf;		/* SO_SNDBUF of client sockets; 0 = kernel */
	/*
	 * Asks the encoder of @channel for an IDR (a client joined or lost
	 * sync). Called on the server thread; must not block or call back into
	 * the server. NULL: new clients start at the newest keyframe still in
	 * the ring (a burst of up to one GOP) or wait for the next one.
	 */
	void (*request_keyframe)(void *opaque, int channel);
	void *opaque;
};

/* Responses counted per status (index: lumen_rtsp_status_codes[]). */
#define LUMEN_RTSP_NSTATUS 16
extern const int lumen_rtsp_status_codes[LUMEN_RTSP_NSTATUS];

struct lumen_rtsp_client_stats {
	char session[20];
	char peer[48];			/* "a.b.c.d:port" */
	int channel;
	bool tcp, playing;
	uint64_t packets, bytes, drops;	/* drops: packets skipped */
	uint64_t rtcp_sent;
};

struct lumen_rtsp_channel_stats {
	uint64_t aus, keyframes, packets, bytes;	/* pushed */
	uint64_t push_errors;		/* bad Annex-B, too many NALs */
	uint64_t packets_sent, bytes_sent, drops, dropped_clients;
	unsigned clients;		/* playing now */
	int64_t latency_ns_last, latency_ns_max; /* capture -> first RTP send */
};

struct lumen_rtsp_stats {
	uint64_t connections, requests, auth_failures;
	uint64_t timeouts;		/* sessions and requests that timed out */
	uint64_t evicted;		/* idle connections closed for a new one */
	uint64_t refused;		/* connections answered 503 */
	uint64_t dropped_clients;	/* closed for not reading */
	uint64_t responses[LUMEN_RTSP_NSTATUS];
	unsigned connections_now, sessions_now;
	unsigned nchannels;
	struct lumen_rtsp_channel_stats ch[LUMEN_RTSP_MAX_CHANNELS];
	unsigned nclients;
	struct lumen_rtsp_client_stats client[LUMEN_RTSP_MAX_CLIENTS];
};

/*
 * Binds the RTSP and RTP/RTCP sockets and allocates every buffer. Returns
 * the server or NULL with a message in @err (bad config, port in use...).
 */
struct lumen_rtsp_server *lumen_rtsp_create(const struct lumen_rtsp_config *cfg,
					    char *err, size_t errlen);
/* Starts the server thread. Returns 0 or a negative errno. */
int lumen_rtsp_start(struct lumen_rtsp_server *s);
/* The bound RTSP port (useful with port 0). */
uint16_t lumen_rtsp_port(const struct lumen_rtsp_server *s);
/* Stops the thread, closes every socket and frees the server. NULL ok. */
void lumen_rtsp_destroy(struct lumen_rtsp_server *s);

/*
 * Queues one H.264 access unit (Annex-B, all NALs of one picture) of
 * @channel. @pts_90k: presentation (capture) time in 90 kHz units; the
 * RTP timestamp is it put on the channel's frame grid (fps_num/fps_den)
 * and made strictly later than the previous AU's (lumen_rtp_frame_ts()),
 * so clients see increasing timestamps even when captures collide or
 * go back;
 * @keyframe: an IDR AU (SPS/PPS are taken from it and re-sent before it
 * when it lacks them); @capture_ns: CLOCK_MONOTONIC time the frame was
 * captured, for the latency figure (0 = unknown). Copies the data; never
 * blocks on a client. Returns 0, -EINVAL (channel), -EBADMSG (no Annex-B)
 * or -E2BIG (AU larger than the ring or more than 64 NALs).
 */
int lumen_rtsp_push(struct lumen_rtsp_server *s, int channel,
		    const uint8_t *annexb, size_t len, uint64_t pts_90k,
		    bool keyframe, int64_t capture_ns);

/*
 * Replaces the credentials (user[0] == 0: no authentication from now on).
 * Any thread; takes effect for the next request of every connection, also
 * of those already open; sessions that are playing go on. Returns 0, or
 * -EINVAL when @c is not lumen_digest_creds_valid() (nothing changes).
 */
int lumen_rtsp_set_creds(struct lumen_rtsp_server *s, const struct lumen_digest_creds *c);

/* A consistent copy of the counters. */
void lumen_rtsp_stats(struct lumen_rtsp_server *s, struct lumen_rtsp_stats *out);

#endif

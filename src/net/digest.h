/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP Digest access authentication (RFC 7616, with the RFC 2617 forms
 * clients still send), shared by the RTSP server (net/rtsp.c) and the HTTP
 * server (serve/http.c). Hashes come from nettle.
 *
 * Credentials are never held in plain text: a user and the HA1 of each
 * algorithm, H(user ":" realm ":" password), as lowercase hex. `lumen
 * passwd` writes them; the realm is fixed (LUMEN_DIGEST_REALM) so that one
 * HA1 serves both servers.
 *
 * Nonces are stateless and bound to one connection: hex of the issue time
 * (seconds, monotonic) followed by a truncated HMAC-SHA256 over the time
 * and the connection's random id, keyed with the server's random secret.
 * A nonce older than the server's lifetime is answered with stale=true; a
 * nonce minted for another connection, or by another server instance, is
 * refused. When the client sends qop=auth, nc must grow on every request
 * made with the same nonce (the connection remembers the highest it saw).
 *
 * Threads: a struct lumen_digest_server is read-only after
 * lumen_digest_server_init() and may be shared by any threads. A struct
 * lumen_digest_conn belongs to the one thread serving that connection.
 */
#ifndef LUMEN_NET_DIGEST_H
#define LUMEN_NET_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LUMEN_DIGEST_REALM "lumen"
#define LUMEN_DIGEST_USER_MAX 64	/* bytes, with the NUL */
#define LUMEN_DIGEST_MD5_HEX 33		/* 32 hex digits and a NUL */
#define LUMEN_DIGEST_SHA256_HEX 65	/* 64 hex digits and a NUL */
#define LUMEN_DIGEST_NONCE_TTL_S 300	/* default nonce lifetime */

enum lumen_digest_alg { LUMEN_DIGEST_MD5, LUMEN_DIGEST_SHA256 };

/* Who may log in. user[0] == 0 means no credentials are configured. */
struct lumen_digest_creds {
	char user[LUMEN_DIGEST_USER_MAX];
	char ha1_md5[LUMEN_DIGEST_MD5_HEX];
	char ha1_sha256[LUMEN_DIGEST_SHA256_HEX];
};

struct lumen_digest_server {
	uint8_t secret[32];
	int nonce_ttl_s;
};

struct lumen_digest_conn {
	uint64_t id;		/* random, drawn by lumen_digest_conn_init() */
	uint64_t nonce_time;	/* issue time of the nonce nc_seen is for */
	uint32_t nc_seen;	/* highest nc accepted with that nonce */
};

/* Fills @s->secret from the system's random source. Returns 0 or a negative
 * errno when no randomness is available. @ttl_s <= 0 selects the default. */
int lumen_digest_server_init(struct lumen_digest_server *s, int ttl_s);

/* Gives a new connection its random id. Returns 0 or a negative errno. */
int lumen_digest_conn_init(struct lumen_digest_conn *c);

/* Fills @out from @user and @password for both algorithms (realm
 * LUMEN_DIGEST_REALM). Returns 0, or -EINVAL when @user is empty, too
 * long or holds ':', '"', '\\' or a control byte, or @password is empty. */
int lumen_digest_make_creds(const char *user, const char *password,
			    struct lumen_digest_creds *out);

/* True when @c holds a well-formed user and both HA1s (lowercase hex of
 * the right length), or holds nothing at all. */
bool lumen_digest_creds_valid(const struct lumen_digest_creds *c);

/* Checks a Basic "user:password" pair against @creds in constant time. */
bool lumen_digest_check_basic(const struct lumen_digest_creds *creds, const char *user,
			      const char *password);

/*
 * Writes the value of one WWW-Authenticate header, e.g.
 * `Digest realm="lumen", qop="auth", algorithm=SHA-256, nonce="…",
 * opaque="…"[, stale=true]`, for a new nonce bound to @c, issued at
 * @now_s (seconds of CLOCK_MONOTONIC). Servers send one header for
 * SHA-256 and then one for MD5 (clients take the first they support).
 * Returns the length written, or -ENOSPC when @outlen is too small
 * (256 bytes always suffices).
 */
int lumen_digest_challenge(const struct lumen_digest_server *s,
			   const struct lumen_digest_conn *c, enum lumen_digest_alg alg,
			   bool stale, uint64_t now_s, char *out, size_t outlen);

/*
 * Checks an Authorization header value (`Digest username="…", …`) for a
 * request of @method on @request_uri (the request-target exactly as it
 * appeared on the request line). Returns:
 *   0        the credentials are right; @c->nc_seen is advanced;
 *   -ESTALE  right response, but the nonce has expired (answer 401 with a
 *            challenge whose stale=true);
 *   -EACCES  wrong user or response, foreign nonce, replayed nc, or a uri
 *            that does not match @request_uri;
 *   -EINVAL  not a Digest header, or malformed (missing or over-long
 *            field, unknown algorithm or qop).
 * Comparisons of secrets take time independent of where they differ.
 */
int lumen_digest_check(const struct lumen_digest_server *s, struct lumen_digest_conn *c,
		       const struct lumen_digest_creds *creds, const char *method,
		       const char *request_uri, const char *authorization, uint64_t now_s);

/*
 * The pieces of RFC 7616 3.4.1, for clients (the tests) and known-answer
 * tests: HA1 = H(user:realm:password); the response is
 * H(HA1:nonce:nc:cnonce:qop:H(method:uri)) when @qop is non-empty, else
 * H(HA1:nonce:H(method:uri)). Lowercase hex into @out (33 bytes for MD5,
 * 65 for SHA-256). Return 0 or -ENOSPC.
 */
int lumen_digest_ha1(enum lumen_digest_alg alg, const char *user, const char *realm,
		     const char *password, char *out, size_t outlen);
int lumen_digest_response(enum lumen_digest_alg alg, const char *ha1, const char *nonce,
			  const char *nc, const char *cnonce, const char *qop,
			  const char *method, const char *uri, char *out, size_t outlen);

/* Seconds of CLOCK_MONOTONIC, the clock of @now_s above. */
uint64_t lumen_digest_now(void);

#endif

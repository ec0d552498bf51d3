// SPDX-License-Identifier: GPL-2.0-or-later
/* HTTP Digest access authentication (RFC 7616 / RFC 2617): see digest.h. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "net/digest.h"

#define NONCE_TIME_HEX 16	/* issue time, 64 bits */
#define NONCE_MAC_BYTES 16	/* HMAC-SHA256 truncated to 128 bits */
#define NONCE_LEN (NONCE_TIME_HEX + 2 * NONCE_MAC_BYTES)
#define AUTH_HEADER_MAX 4096	/* longer Authorization values are refused */

/* ---- randomness, hashing ------------------------------------------------- */

static int random_fill(void *p, size_t n)
{
	unsigned char *b = p;

	while (n) {
		ssize_t got = getrandom(b, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += got;
		n -= (size_t)got;
	}
	return 0;
}

uint64_t lumen_digest_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

int lumen_digest_server_init(struct lumen_digest_server *s, int ttl_s)
{
	s->nonce_ttl_s = ttl_s > 0 ? ttl_s : LUMEN_DIGEST_NONCE_TTL_S;
	return random_fill(s->secret, sizeof(s->secret));
}

int lumen_digest_conn_init(struct lumen_digest_conn *c)
{
	memset(c, 0, sizeof(*c));
	return random_fill(&c->id, sizeof(c->id));
}

static void to_hex(const uint8_t *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = 0;
}

/* One hash over the pieces, joined by ':', as lowercase hex. */
struct hasher {
	enum lumen_digest_alg alg;
	struct md5_ctx md5;
	struct sha256_ctx sha256;
	int pieces;
};

static void hash_start(struct hasher *h, enum lumen_digest_alg alg)
{
	h->alg = alg;
	h->pieces = 0;
	if (alg == LUMEN_DIGEST_MD5)
		md5_init(&h->md5);
	else
		sha256_init(&h->sha256);
}

static void hash_piece(struct hasher *h, const char *s)
{
	size_t n = strlen(s);

	if (h->alg == LUMEN_DIGEST_MD5) {
		if (h->pieces)
			md5_update(&h->md5, 1, (const uint8_t *)":");
		md5_update(&h->md5, n, (const uint8_t *)s);
	} else {
		if (h->pieces)
			sha256_update(&h->sha256, 1, (const uint8_t *)":");
		sha256_update(&h->sha256, n, (const uint8_t *)s);
	}
	h->pieces++;
}

static size_t hex_len(enum lumen_digest_alg alg)
{
	return alg == LUMEN_DIGEST_MD5 ? 2 * MD5_DIGEST_SIZE : 2 * SHA256_DIGEST_SIZE;
}

static int hash_end(struct hasher *h, char *out, size_t outlen)
{
	uint8_t d[SHA256_DIGEST_SIZE];

	if (outlen < hex_len(h->alg) + 1)
		return -ENOSPC;
	if (h->alg == LUMEN_DIGEST_MD5) {
		md5_digest(&h->md5, MD5_DIGEST_SIZE, d);
		to_hex(d, MD5_DIGEST_SIZE, out);
	} else {
		sha256_digest(&h->sha256, SHA256_DIGEST_SIZE, d);
		to_hex(d, SHA256_DIGEST_SIZE, out);
	}
	return 0;
}

int lumen_digest_ha1(enum lumen_digest_alg alg, const char *user, const char *realm,
		     const char *password, char *out, size_t outlen)
{
	struct hasher h;

	hash_start(&h, alg);
	hash_piece(&h, user);
	hash_piece(&h, realm);
	hash_piece(&h, password);
	return hash_end(&h, out, outlen);
}

int lumen_digest_response(enum lumen_digest_alg alg, const char *ha1, const char *nonce,
			  const char *nc, const char *cnonce, const char *qop,
			  const char *method, const char *uri, char *out, size_t outlen)
{
	char ha2[LUMEN_DIGEST_SHA256_HEX];
	struct hasher h;

	hash_start(&h, alg);
	hash_piece(&h, method);
	hash_piece(&h, uri);
	hash_end(&h, ha2, sizeof(ha2));
	hash_start(&h, alg);
	hash_piece(&h, ha1);
	hash_piece(&h, nonce);
	if (qop && qop[0]) {
		hash_piece(&h, nc);
		hash_piece(&h, cnonce);
		hash_piece(&h, qop);
	}
	hash_piece(&h, ha2);
	return hash_end(&h, out, outlen);
}

/* Equal strings, in time that depends on the lengths only. */
static bool same_secret(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	return na == nb && memeql_sec(a, b, na);
}

/* ---- credentials ---------------------------------------------------------- */

static bool user_ok(const char *user)
{
	size_t n = strlen(user);

	if (!n || n >= LUMEN_DIGEST_USER_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)user; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == ':' || *p == '"' || *p == '\\')
			return false;
	return true;
}

static bool lower_hex(const char *s, size_t want)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == want;
}

int lumen_digest_make_creds(const char *user, const char *password,
			    struct lumen_digest_creds *out)
{
	memset(out, 0, sizeof(*out));
	if (!user_ok(user) || !password[0])
		return -EINVAL;
	memcpy(out->user, user, strlen(user) + 1);
	lumen_digest_ha1(LUMEN_DIGEST_MD5, user, LUMEN_DIGEST_REALM, password,
			 out->ha1_md5, sizeof(out->ha1_md5));
	lumen_digest_ha1(LUMEN_DIGEST_SHA256, user, LUMEN_DIGEST_REALM, password,
			 out->ha1_sha256, sizeof(out->ha1_sha256));
	return 0;
}

bool lumen_digest_creds_valid(const struct lumen_digest_creds *c)
{
	if (!memchr(c->user, 0, sizeof(c->user)) || !memchr(c->ha1_md5, 0, sizeof(c->ha1_md5)) ||
	    !memchr(c->ha1_sha256, 0, sizeof(c->ha1_sha256)))
		return false;
	if (!c->user[0])
		return !c->ha1_md5[0] && !c->ha1_sha256[0];
	return user_ok(c->user) && lower_hex(c->ha1_md5, 2 * MD5_DIGEST_SIZE) &&
	       lower_hex(c->ha1_sha256, 2 * SHA256_DIGEST_SIZE);
}

bool lumen_digest_check_basic(const struct lumen_digest_creds *creds, const char *user,
			      const char *password)
{
	char ha1[LUMEN_DIGEST_SHA256_HEX];
	bool user_same, ha1_same;

	if (!creds->user[0])
		return false;
	lumen_digest_ha1(LUMEN_DIGEST_SHA256, user, LUMEN_DIGEST_REALM, password, ha1,
			 sizeof(ha1));
	/* both compared, whichever differs */
	user_same = same_secret(user, creds->user);
	ha1_same = same_secret(ha1, creds->ha1_sha256);
	return user_same & ha1_same;
}

/* ---- nonces --------------------------------------------------------------- */

static void nonce_mac(const struct lumen_digest_server *s, uint64_t issued, uint64_t conn_id,
		      uint8_t mac[NONCE_MAC_BYTES])
{
	struct hmac_sha256_ctx ctx;
	uint8_t msg[16];

	for (int i = 0; i < 8; i++) {
		msg[i] = (uint8_t)(issued >> (56 - 8 * i));
		msg[8 + i] = (uint8_t)(conn_id >> (56 - 8 * i));
	}
	hmac_sha256_set_key(&ctx, sizeof(s->secret), s->secret);
	hmac_sha256_update(&ctx, sizeof(msg), msg);
	hmac_sha256_digest(&ctx, NONCE_MAC_BYTES, mac);
}

static void make_nonce(const struct lumen_digest_server *s, const struct lumen_digest_conn *c,
		       uint64_t issued, char out[NONCE_LEN + 1])
{
	uint8_t mac[NONCE_MAC_BYTES];

	snprintf(out, NONCE_TIME_HEX + 1, "%016llx", (unsigned long long)issued);
	nonce_mac(s, issued, c->id, mac);
	to_hex(mac, sizeof(mac), out + NONCE_TIME_HEX);
}

int lumen_digest_challenge(const struct lumen_digest_server *s,
			   const struct lumen_digest_conn *c, enum lumen_digest_alg alg,
			   bool stale, uint64_t now_s, char *out, size_t outlen)
{
	char nonce[NONCE_LEN + 1];
	int n;

	make_nonce(s, c, now_s, nonce);
	n = snprintf(out, outlen,
		     "Digest realm=\"" LUMEN_DIGEST_REALM "\", qop=\"auth\", algorithm=%s, "
		     "nonce=\"%s\"%s",
		     alg == LUMEN_DIGEST_MD5 ? "MD5" : "SHA-256", nonce,
		     stale ? ", stale=true" : "");
	if (n < 0 || (size_t)n >= outlen)
		return -ENOSPC;
	return n;
}

/* ---- the Authorization header --------------------------------------------- */

struct auth_fields {
	char username[LUMEN_DIGEST_USER_MAX];
	char realm[64];
	char nonce[NONCE_LEN + 1];
	char uri[2048];
	char response[LUMEN_DIGEST_SHA256_HEX];
	char algorithm[16];
	char qop[16];
	char nc[9];
	char cnonce[256];
	char userhash[8];
	unsigned seen;		/* bit per slot below */
};

enum { F_USERNAME, F_REALM, F_NONCE, F_URI, F_RESPONSE, F_ALGORITHM, F_QOP, F_NC,
       F_CNONCE, F_USERHASH };
#define REQUIRED ((1u << F_USERNAME) | (1u << F_REALM) | (1u << F_NONCE) | \
		  (1u << F_URI) | (1u << F_RESPONSE))

static bool is_token_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* The slot of the field named @key (its capacity in *@cap, its bit in
 * *@bit), or NULL for a field we do not use (opaque, extensions). */
static char *field_slot(struct auth_fields *f, const char *key, size_t keylen, size_t *cap,
			int *bit)
{
	const struct {
		const char *name;
		size_t off, size;
		int bit;
	} slots[] = {
#define SLOT(name, b) { #name, offsetof(struct auth_fields, name), \
			sizeof(((struct auth_fields *)0)->name), b }
		SLOT(username, F_USERNAME), SLOT(realm, F_REALM), SLOT(nonce, F_NONCE),
		SLOT(uri, F_URI), SLOT(response, F_RESPONSE), SLOT(algorithm, F_ALGORITHM),
		SLOT(qop, F_QOP), SLOT(nc, F_NC), SLOT(cnonce, F_CNONCE),
		SLOT(userhash, F_USERHASH),
#undef SLOT
	};

	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (strlen(slots[i].name) == keylen &&
		    !strncasecmp(key, slots[i].name, keylen)) {
			*cap = slots[i].size;
			*bit = slots[i].bit;
			return (char *)f + slots[i].off;
		}
	return NULL;
}

/*
 * Parses `Digest k=v, k="v", ...` (RFC 7616 3.4: auth-params; a value is a
 * token or a quoted-string with backslash escapes). A value longer than its
 * slot, a repeated field, `username*` (the RFC 8187 form), a control byte
 * or any stray byte is -EINVAL.
 */
static int parse_auth(const char *h, struct auth_fields *f)
{
	const char *p = h;

	memset(f, 0, sizeof(*f));
	if (strlen(h) > AUTH_HEADER_MAX)
		return -EINVAL;
	if (strncasecmp(p, "Digest", 6) || (p[6] != ' ' && p[6] != '\t'))
		return -EINVAL;
	p += 6;
	for (;;) {
		const char *key;
		size_t keylen, cap = 0, len = 0;
		bool quoted;
		char *slot;
		int bit = -1;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			return 0;
		key = p;
		while (is_token_char(*p))
			p++;
		keylen = (size_t)(p - key);
		while (*p == ' ' || *p == '\t')
			p++;
		if (!keylen || *p != '=')
			return -EINVAL;
		if (keylen == 9 && !strncasecmp(key, "username*", 9))
			return -EINVAL;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		slot = field_slot(f, key, keylen, &cap, &bit);
		if (slot) {
			if (f->seen & (1u << bit))
				return -EINVAL;
			f->seen |= 1u << bit;
		}
		quoted = *p == '"';
		if (quoted)
			p++;
		for (;;) {
			char ch = *p;

			if (quoted) {
				if (!ch)
					return -EINVAL;
				if (ch == '"') {
					p++;
					break;
				}
				if (ch == '\\') {
					ch = *++p;
					if (!ch)
						return -EINVAL;
				}
				if (((unsigned char)ch < 0x20 && ch != '\t') || ch == 0x7f)
					return -EINVAL;
			} else if (!is_token_char(ch)) {
				break;
			}
			if (slot) {
				if (len + 1 >= cap)
					return -EINVAL;
				slot[len] = ch;
			}
			len++;
			p++;
		}
		if (slot)
			slot[len] = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p && *p != ',')
			return -EINVAL;
	}
}

int lumen_digest_check(const struct lumen_digest_server *s, struct lumen_digest_conn *c,
		       const struct lumen_digest_creds *creds, const char *method,
		       const char *request_uri, const char *authorization, uint64_t now_s)
{
	char want[LUMEN_DIGEST_SHA256_HEX], nonce_want[NONCE_LEN + 1];
	struct auth_fields f;
	enum lumen_digest_alg alg;
	unsigned long long issued;
	unsigned long nc = 0;
	const char *ha1;
	bool user_same, uri_same, nonce_same, response_same;
	char *end;

	if (parse_auth(authorization, &f))
		return -EINVAL;
	if ((f.seen & REQUIRED) != REQUIRED)
		return -EINVAL;
	if (!f.algorithm[0] || !strcasecmp(f.algorithm, "MD5"))
		alg = LUMEN_DIGEST_MD5;
	else if (!strcasecmp(f.algorithm, "SHA-256"))
		alg = LUMEN_DIGEST_SHA256;
	else
		return -EINVAL;	/* -sess variants and others: not offered */
	if (f.userhash[0] && strcasecmp(f.userhash, "false"))
		return -EINVAL;
	if (f.qop[0]) {
		if (strcasecmp(f.qop, "auth") || !f.cnonce[0] || strlen(f.nc) != 8)
			return -EINVAL;
		nc = strtoul(f.nc, &end, 16);
		if (*end || !nc)
			return -EINVAL;
	}
	if (strlen(f.nonce) != NONCE_LEN)
		return -EACCES;
	memcpy(nonce_want, f.nonce, NONCE_TIME_HEX);
	nonce_want[NONCE_TIME_HEX] = 0;
	issued = strtoull(nonce_want, &end, 16);
	if (*end || !creds->user[0] || strcmp(f.realm, LUMEN_DIGEST_REALM))
		return -EACCES;
	ha1 = alg == LUMEN_DIGEST_MD5 ? creds->ha1_md5 : creds->ha1_sha256;
	make_nonce(s, c, issued, nonce_want);
	lumen_digest_response(alg, ha1, f.nonce, f.nc, f.cnonce, f.qop, method, f.uri, want,
			      sizeof(want));
	/* every comparison runs, whatever fails first */
	user_same = same_secret(f.username, creds->user);
	nonce_same = same_secret(f.nonce, nonce_want);
	response_same = strlen(f.response) == hex_len(alg) &&
			same_secret(f.response, want);
	uri_same = !strcmp(f.uri, request_uri);
	if (!(user_same & nonce_same & response_same & uri_same) || issued > now_s)
		return -EACCES;
	if (now_s - issued > (uint64_t)s->nonce_ttl_s)
		return -ESTALE;
	if (issued < c->nonce_time)
		return -ESTALE;	/* an older nonce than this connection's newest */
	if (f.qop[0]) {
		if (issued == c->nonce_time && nc <= c->nc_seen)
			return -EACCES;	/* replayed */
		c->nc_seen = (uint32_t)nc;
	} else {
		c->nc_seen = 0;
	}
	c->nonce_time = issued;
	return 0;
}

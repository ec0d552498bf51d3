// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Digest authentication (net/digest.h): the RFC 2617 and RFC 7616 example
 * responses, credentials validation, and the server checks a replaying or
 * forging client runs into: a nonce taken to another connection, a uri that
 * differs from the request's, a reused nc, an expired nonce (stale), a
 * wrong password, a malformed or over-long header.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "net/digest.h"
#include "testutil.h"

static void rfc2617_example(void **state)
{
	char ha1[LUMEN_DIGEST_MD5_HEX], resp[LUMEN_DIGEST_MD5_HEX];

	(void)state;
	/* RFC 2617 3.5 */
	assert_int_equal(lumen_digest_ha1(LUMEN_DIGEST_MD5, "Mufasa", "testrealm@host.com",
					  "Circle Of Life", ha1, sizeof(ha1)), 0);
	assert_int_equal(lumen_digest_response(LUMEN_DIGEST_MD5, ha1,
					       "dcd98b7102dd2f0e8b11d0f600bfb0c093",
					       "00000001", "0a4f113b", "auth", "GET",
					       "/dir/index.html", resp, sizeof(resp)), 0);
	assert_string_equal(resp, "6629fae49393a05397450978507c4ef1");
}

static void rfc7616_example(void **state)
{
	static const char nonce[] = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
	static const char cnonce[] = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
	char ha1[LUMEN_DIGEST_SHA256_HEX], resp[LUMEN_DIGEST_SHA256_HEX];

	(void)state;
	/* RFC 7616 3.9.1, both algorithms */
	lumen_digest_ha1(LUMEN_DIGEST_MD5, "Mufasa", "http-auth@example.org", "Circle of Life",
			 ha1, sizeof(ha1));
	lumen_digest_response(LUMEN_DIGEST_MD5, ha1, nonce, "00000001", cnonce, "auth", "GET",
			      "/dir/index.html", resp, sizeof(resp));
	assert_string_equal(resp, "8ca523f5e9506fed4657c9700eebdbec");
	lumen_digest_ha1(LUMEN_DIGEST_SHA256, "Mufasa", "http-auth@example.org",
			 "Circle of Life", ha1, sizeof(ha1));
	lumen_digest_response(LUMEN_DIGEST_SHA256, ha1, nonce, "00000001", cnonce, "auth",
			      "GET", "/dir/index.html", resp, sizeof(resp));
	assert_string_equal(resp,
			    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
	assert_int_equal(lumen_digest_ha1(LUMEN_DIGEST_SHA256, "a", "b", "c", ha1, 64),
			 -ENOSPC);
}

static void creds(void **state)
{
	struct lumen_digest_creds c;

	(void)state;
	assert_int_equal(lumen_digest_make_creds("admin", "s3cret", &c), 0);
	assert_true(lumen_digest_creds_valid(&c));
	assert_int_equal(strlen(c.ha1_md5), 32);
	assert_int_equal(strlen(c.ha1_sha256), 64);
	assert_true(lumen_digest_check_basic(&c, "admin", "s3cret"));
	assert_false(lumen_digest_check_basic(&c, "admin", "s3creT"));
	assert_false(lumen_digest_check_basic(&c, "admi", "s3cret"));
	assert_false(lumen_digest_check_basic(&c, "admin", ""));

	assert_int_equal(lumen_digest_make_creds("", "x", &c), -EINVAL);
	assert_int_equal(lumen_digest_make_creds("a:b", "x", &c), -EINVAL);
	assert_int_equal(lumen_digest_make_creds("a\"b", "x", &c), -EINVAL);
	assert_int_equal(lumen_digest_make_creds("a\nb", "x", &c), -EINVAL);
	assert_int_equal(lumen_digest_make_creds("admin", "", &c), -EINVAL);
	assert_int_equal(lumen_digest_make_creds(
		"0123456789012345678901234567890123456789012345678901234567890123", "x", &c),
		-EINVAL);

	/* nothing at all is valid (no authentication); half is not */
	memset(&c, 0, sizeof(c));
	assert_true(lumen_digest_creds_valid(&c));
	assert_false(lumen_digest_check_basic(&c, "", ""));
	strcpy(c.user, "admin");
	assert_false(lumen_digest_creds_valid(&c));
	lumen_digest_make_creds("admin", "pw", &c);
	c.ha1_md5[3] = 'A';	/* upper-case hex is not what we write */
	assert_false(lumen_digest_creds_valid(&c));
	lumen_digest_make_creds("admin", "pw", &c);
	c.user[0] = 0;
	assert_false(lumen_digest_creds_valid(&c));
}

/* ---- a client, as ffmpeg or a browser answers a challenge ---- */

struct challenge {
	char nonce[128], algorithm[16];
	bool stale;
};

static void read_challenge(const char *h, struct challenge *ch)
{
	const char *n = strstr(h, "nonce=\""), *a = strstr(h, "algorithm=");
	size_t len;

	assert_non_null(n);
	assert_non_null(a);
	assert_true(!strncmp(h, "Digest realm=\"lumen\"", 20));
	assert_non_null(strstr(h, "qop=\"auth\""));
	n += 7;
	len = strcspn(n, "\"");
	assert_true(len < sizeof(ch->nonce));
	memcpy(ch->nonce, n, len);
	ch->nonce[len] = 0;
	a += 10;
	len = strcspn(a, ", ");
	memcpy(ch->algorithm, a, len);
	ch->algorithm[len] = 0;
	ch->stale = strstr(h, "stale=true") != NULL;
}

static void answer(const struct challenge *ch, const char *user, const char *pass,
		   const char *method, const char *uri, unsigned nc, char *out, size_t outlen)
{
	enum lumen_digest_alg alg = strcmp(ch->algorithm, "MD5") ? LUMEN_DIGEST_SHA256 :
								    LUMEN_DIGEST_MD5;
	char ha1[LUMEN_DIGEST_SHA256_HEX], resp[LUMEN_DIGEST_SHA256_HEX], ncs[9];

	snprintf(ncs, sizeof(ncs), "%08x", nc);
	lumen_digest_ha1(alg, user, "lumen", pass, ha1, sizeof(ha1));
	lumen_digest_response(alg, ha1, ch->nonce, ncs, "0a4f113b", "auth", method, uri, resp,
			      sizeof(resp));
	snprintf(out, outlen,
		 "Digest username=\"%s\", realm=\"lumen\", nonce=\"%s\", uri=\"%s\", "
		 "algorithm=%s, response=\"%s\", qop=auth, nc=%s, cnonce=\"0a4f113b\"",
		 user, ch->nonce, uri, ch->algorithm, resp, ncs);
}

struct fixture {
	struct lumen_digest_server srv;
	struct lumen_digest_conn a, b;
	struct lumen_digest_creds creds;
	struct challenge ch;
	char hdr[1024];
};

static struct fixture fx;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(lumen_digest_server_init(&fx.srv, 60), 0);
	assert_int_equal(lumen_digest_conn_init(&fx.a), 0);
	assert_int_equal(lumen_digest_conn_init(&fx.b), 0);
	assert_true(fx.a.id != fx.b.id);
	assert_int_equal(lumen_digest_make_creds("admin", "pw", &fx.creds), 0);
	return 0;
}

static void challenge_for(struct lumen_digest_conn *c, enum lumen_digest_alg alg,
			  uint64_t now)
{
	char h[256];

	assert_true(lumen_digest_challenge(&fx.srv, c, alg, false, now, h, sizeof(h)) > 0);
	read_challenge(h, &fx.ch);
}

static void both_algorithms_one_round_trip(void **state)
{
	(void)state;
	challenge_for(&fx.a, LUMEN_DIGEST_SHA256, 1000);
	assert_string_equal(fx.ch.algorithm, "SHA-256");
	answer(&fx.ch, "admin", "pw", "DESCRIBE", "rtsp://cam/ch0", 1, fx.hdr, sizeof(fx.hdr));
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.a, &fx.creds, "DESCRIBE",
					    "rtsp://cam/ch0", fx.hdr, 1001), 0);

	challenge_for(&fx.a, LUMEN_DIGEST_MD5, 1002);
	assert_string_equal(fx.ch.algorithm, "MD5");
	answer(&fx.ch, "admin", "pw", "GET", "/api/v1/status", 1, fx.hdr, sizeof(fx.hdr));
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.a, &fx.creds, "GET", "/api/v1/status",
					    fx.hdr, 1002), 0);
	/* the next request on the same nonce counts up */
	answer(&fx.ch, "admin", "pw", "GET", "/image.jpg", 2, fx.hdr, sizeof(fx.hdr));
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.a, &fx.creds, "GET", "/image.jpg",
					    fx.hdr, 1003), 0);
}

static void replays_refused(void **state)
{
	(void)state;
	challenge_for(&fx.a, LUMEN_DIGEST_SHA256, 2000);
	answer(&fx.ch, "admin", "pw", "DESCRIBE", "rtsp://cam/ch0", 1, fx.hdr, sizeof(fx.hdr));
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.a, &fx.creds, "DESCRIBE",
					    "rtsp://cam/ch0", fx.hdr, 2000), 0);
	/* the same header again: nc did not grow */
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.a, &fx.creds, "DESCRIBE",
					    "rtsp://cam/ch0", fx.hdr, 2000), -EACCES);
	/* on another connection */
	answer(&fx.ch, "admin", "pw", "DESCRIBE", "rtsp://cam/ch0", 5, fx.hdr, sizeof(fx.hdr));
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.b, &fx.creds, "DESCRIBE",
					    "rtsp://cam/ch0", fx.hdr, 2000), -EACCES);
	/* for another path than the one it was computed for */
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.a, &fx.creds, "DESCRIBE",
					    "rtsp://cam/ch1", fx.hdr, 2000), -EACCES);
	/* by another server (another secret) */
	{
		struct lumen_digest_server other;

		assert_int_equal(lumen_digest_server_init(&other, 60), 0);
		assert_int_equal(lumen_digest_check(&other, &fx.a, &fx.creds, "DESCRIBE",
						    "rtsp://cam/ch0", fx.hdr, 2000), -EACCES);
	}
	/* the right one still works */
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.a, &fx.creds, "DESCRIBE",
					    "rtsp://cam/ch0", fx.hdr, 2000), 0);
}

static void wrong_password_and_user(void **state)
{
	(void)state;
	challenge_for(&fx.b, LUMEN_DIGEST_MD5, 3000);
	answer(&fx.ch, "admin", "pW", "PLAY", "rtsp://cam/ch0/", 1, fx.hdr, sizeof(fx.hdr));
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.b, &fx.creds, "PLAY",
					    "rtsp://cam/ch0/", fx.hdr, 3000), -EACCES);
	answer(&fx.ch, "root", "pw", "PLAY", "rtsp://cam/ch0/", 2, fx.hdr, sizeof(fx.hdr));
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.b, &fx.creds, "PLAY",
					    "rtsp://cam/ch0/", fx.hdr, 3000), -EACCES);
	/* right answer, wrong method */
	answer(&fx.ch, "admin", "pw", "PLAY", "rtsp://cam/ch0/", 3, fx.hdr, sizeof(fx.hdr));
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.b, &fx.creds, "TEARDOWN",
					    "rtsp://cam/ch0/", fx.hdr, 3000), -EACCES);
	/* no credentials configured: nothing matches */
	{
		struct lumen_digest_creds none;

		memset(&none, 0, sizeof(none));
		assert_int_equal(lumen_digest_check(&fx.srv, &fx.b, &none, "PLAY",
						    "rtsp://cam/ch0/", fx.hdr, 3000), -EACCES);
	}
}

static void nonce_expires_stale(void **state)
{
	struct lumen_digest_conn c;
	char h[256];

	(void)state;
	assert_int_equal(lumen_digest_conn_init(&c), 0);
	challenge_for(&c, LUMEN_DIGEST_SHA256, 4000);
	answer(&fx.ch, "admin", "pw", "GET", "/", 1, fx.hdr, sizeof(fx.hdr));
	assert_int_equal(lumen_digest_check(&fx.srv, &c, &fx.creds, "GET", "/", fx.hdr, 4060), 0);
	answer(&fx.ch, "admin", "pw", "GET", "/", 2, fx.hdr, sizeof(fx.hdr));
	assert_int_equal(lumen_digest_check(&fx.srv, &c, &fx.creds, "GET", "/", fx.hdr, 4061),
			 -ESTALE);
	/* a nonce from the future was never issued */
	assert_int_equal(lumen_digest_check(&fx.srv, &c, &fx.creds, "GET", "/", fx.hdr, 3999),
			 -EACCES);
	assert_true(lumen_digest_challenge(&fx.srv, &c, LUMEN_DIGEST_SHA256, true, 4061, h,
					   sizeof(h)) > 0);
	read_challenge(h, &fx.ch);
	assert_true(fx.ch.stale);
	answer(&fx.ch, "admin", "pw", "GET", "/", 1, fx.hdr, sizeof(fx.hdr));
	assert_int_equal(lumen_digest_check(&fx.srv, &c, &fx.creds, "GET", "/", fx.hdr, 4062), 0);
}

static void malformed_headers(void **state)
{
	static const char *const bad[] = {
		"",
		"Basic YWRtaW46cHc=",
		"Digest",
		"Digestusername=\"admin\"",
		"Digest username=\"admin\", realm=\"lumen\"",	/* fields missing */
		"Digest username=\"admin\", realm=\"lumen\", nonce=\"x\", uri=\"/\", "
		"response=\"0\", username=\"root\"",		/* repeated */
		"Digest username*=UTF-8''admin, realm=\"lumen\", nonce=\"x\", uri=\"/\", "
		"response=\"0\"",
		"Digest username=\"admin, realm=\"lumen\"",	/* open quote */
		"Digest username=\"ad\x01min\", realm=\"lumen\", nonce=\"x\", uri=\"/\", "
		"response=\"0\"",
		"Digest username=\"admin\", realm=\"lumen\", nonce=\"x\", uri=\"/\", "
		"response=\"0\", algorithm=MD5-sess",
		"Digest username=\"admin\", realm=\"lumen\", nonce=\"x\", uri=\"/\", "
		"response=\"0\", qop=auth-int, nc=00000001, cnonce=\"c\"",
		"Digest username=\"admin\", realm=\"lumen\", nonce=\"x\", uri=\"/\", "
		"response=\"0\", qop=auth, nc=1, cnonce=\"c\"",	/* nc not 8 hex */
		"Digest username=\"admin\", realm=\"lumen\", nonce=\"x\", uri=\"/\", "
		"response=\"0\", qop=auth, nc=0000000g, cnonce=\"c\"",
		"Digest username=\"admin\", realm=\"lumen\", nonce=\"x\", uri=\"/\", "
		"response=\"0\", qop=auth, nc=00000001",	/* no cnonce */
		"Digest username=\"admin\" junk, realm=\"lumen\"",
	};
	static char big[8192];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = lumen_digest_check(&fx.srv, &fx.a, &fx.creds, "GET", "/", bad[i], 1);

		if (r != -EINVAL)
			fail_msg("header %zu \"%s\": %d, not -EINVAL", i, bad[i], r);
	}
	/* over-long field and header */
	memcpy(big, "Digest username=\"", 17);
	memset(big + 17, 'a', sizeof(big) - 19);
	big[sizeof(big) - 2] = '"';
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.a, &fx.creds, "GET", "/", big, 1),
			 -EINVAL);
	/* a well-formed header with a nonce we never made */
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.a, &fx.creds, "GET", "/",
					    "Digest username=\"admin\", realm=\"lumen\", "
					    "nonce=\"x\", uri=\"/\", response=\"0\"", 1),
			 -EACCES);
}

/* RFC 2069 form (no qop), as older RTSP clients send: accepted while the
 * nonce lives, on its own connection only. Escapes in quoted strings. */
static void without_qop_and_escapes(void **state)
{
	char ha1[LUMEN_DIGEST_MD5_HEX], resp[LUMEN_DIGEST_MD5_HEX];

	(void)state;
	challenge_for(&fx.a, LUMEN_DIGEST_MD5, 5000);
	lumen_digest_ha1(LUMEN_DIGEST_MD5, "admin", "lumen", "pw", ha1, sizeof(ha1));
	lumen_digest_response(LUMEN_DIGEST_MD5, ha1, fx.ch.nonce, "", "", "", "OPTIONS",
			      "rtsp://cam/", resp, sizeof(resp));
	snprintf(fx.hdr, sizeof(fx.hdr),
		 "Digest username=\"adm\\in\",realm=\"lumen\",nonce=\"%s\",uri=\"rtsp://cam/\","
		 "response=\"%s\",opaque=\"whatever\", ext=tok",
		 fx.ch.nonce, resp);
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.a, &fx.creds, "OPTIONS", "rtsp://cam/",
					    fx.hdr, 5001), 0);
	assert_int_equal(lumen_digest_check(&fx.srv, &fx.b, &fx.creds, "OPTIONS", "rtsp://cam/",
					    fx.hdr, 5001), -EACCES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc2617_example),
		cmocka_unit_test(rfc7616_example),
		cmocka_unit_test(creds),
		cmocka_unit_test(both_algorithms_one_round_trip),
		cmocka_unit_test(replays_refused),
		cmocka_unit_test(wrong_password_and_user),
		cmocka_unit_test(nonce_expires_stale),
		cmocka_unit_test(malformed_headers),
		cmocka_unit_test(without_qop_and_escapes),
	};

	return lumen_test_run_group(tests, setup, NULL);
}

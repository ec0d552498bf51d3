// SPDX-License-Identifier: GPL-2.0-or-later
/* serve/config: defaults, parsing with file:line errors, set, persist. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "serve/config.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/lumen-test-config-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	chmod(dir, 0700);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes @text to DIR/@name and returns the path (static). */
static const char *write_file(const char *name, const char *text)
{
	static char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static char *read_all(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = calloc(1, 65536);

	assert_non_null(fp);
	assert_non_null(buf);
	fread(buf, 1, 65535, fp);
	fclose(fp);
	return buf;
}

static void defaults_are_the_documented_ones(void **state)
{
	struct lumen_config c;
	char err[256];

	(void)state;
	lumen_config_defaults(&c);
	assert_string_equal(c.board.name, "imou-bullet3");
	assert_int_equal(c.board.backend, LUMEN_CFG_BACKEND_VIRTUAL);
	assert_true(c.rtsp.enabled);
	assert_int_equal(c.rtsp.port, 8554);
	assert_int_equal(c.http.port, 8080);
	assert_string_equal(c.auth.user, "");	/* nobody: viewing only */
	assert_string_equal(c.http.bind, "");	/* all addresses */
	assert_false(c.metrics_public);
	assert_string_equal(c.tls.cert, "");
	assert_int_equal(c.video0.width, 0);
	assert_int_equal(c.video1.width, 640);
	assert_int_equal(c.video1.height, 360);
	assert_int_equal(c.video0.codec, LUMEN_CFG_CODEC_H264);
	/* every default is inside its own schema */
	assert_int_equal(lumen_config_validate(&c, err, sizeof(err)), 0);
	/* no board file: only a V4L2 device runs without one */
	{
		struct lumen_config nb = c;

		nb.board.name[0] = '\0';
		assert_int_equal(lumen_config_validate(&nb, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "key 'board.name': must not be empty"));
		nb.board.backend = LUMEN_CFG_BACKEND_V4L2;
		assert_int_equal(lumen_config_validate(&nb, err, sizeof(err)), 0);
	}
	for (size_t i = 0; i < lumen_config_nkeys; i++) {
		const struct lumen_config_key *k = &lumen_config_keys[i];
		char v[80];
		struct lumen_config d = c;

		if (k->flags & LUMEN_CFG_GONE) {	/* removed keys: set fails, saying why */
			assert_int_equal(lumen_config_get(&c, k->path, v, sizeof(v)), -ENOENT);
			assert_int_equal(lumen_config_set(&d, k->path, "x", err, sizeof(err)),
					 -EINVAL);
			assert_non_null(strstr(err, "run lumen passwd"));
			continue;
		}
		assert_int_equal(lumen_config_get(&c, k->path, v, sizeof(v)), 0);
		assert_true(lumen_config_set(&d, k->path, v, err, sizeof(err)) >= 0);
		assert_memory_equal(&d, &c, sizeof(c));
	}
}

static const char full[] =
	"# a camera on a pole\n"
	"system:\n"
	"  log_level: debug\n"
	"board:\n"
	"  name: imou-bullet3\n"
	"  backend: virtual\n"
	"auth:\n"
	"  user: admin\n"
	"  ha1_md5: f0ab1d14e13af12f9ac89903590c26bc\n"
	"  ha1_sha256: \"47caca0958e5e11c84bbd0ebddc5206d78f2e3409420f6df1c0892a74051f429\"\n"
	"  metrics_public: true\n"
	"rtsp:\n"
	"  enabled: true\n"
	"  port: 554\n"
	"  bind: 192.168.1.10\n"
	"http:\n"
	"  enabled: yes\n"
	"  port: 80\n"
	"  tls_cert: /etc/lumen/cert.pem\n"
	"  tls_key: /etc/lumen/key.pem\n"
	"video0:\n"
	"  enabled: true\n"
	"  codec: h264\n"
	"  width: 2560\n"
	"  height: 1440\n"
	"  fps: 30\n"
	"  bitrate_kbps: 6000\n"
	"  gop: 60\n"
	"  profile: high\n"
	"  rc: vbr\n"
	"video1:\n"
	"  width: 704\n"
	"  height: 396\n"
	"jpeg:\n"
	"  quality: 90\n"
	"mjpeg:\n"
	"  fps: 10\n"
	"isp:\n"
	"  demosaic: quality\n"
	"  awb: grey-edge\n"
	"  ae:\n"
	"    enabled: false\n"
	"    target: 20\n"
	"    antiflicker: 50\n";

static void full_file_parses(void **state)
{
	struct lumen_config c, d;
	char err[256] = "";
	const char *path = write_file("full.yaml", full);

	(void)state;
	assert_int_equal(lumen_config_load(path, &c, err, sizeof(err)), 0);
	assert_int_equal(c.system.log_level, LUMEN_CFG_LOG_DEBUG);
	assert_int_equal(c.rtsp.port, 554);
	assert_string_equal(c.auth.user, "admin");
	assert_string_equal(c.auth.ha1_md5, "f0ab1d14e13af12f9ac89903590c26bc");
	assert_string_equal(c.auth.ha1_sha256, "47caca0958e5e11c84bbd0ebddc5206d78f2e3409420f6df1c0892a74051f429");
	assert_true(c.metrics_public);
	assert_string_equal(c.rtsp.bind, "192.168.1.10");
	assert_string_equal(c.tls.key, "/etc/lumen/key.pem");
	assert_int_equal(c.http.port, 80);
	assert_int_equal(c.video0.width, 2560);
	assert_int_equal(c.video0.bitrate_kbps, 6000);
	assert_int_equal(c.video0.profile, LUMEN_CFG_PROFILE_HIGH);
	assert_int_equal(c.video0.rc, LUMEN_CFG_RC_VBR);
	assert_int_equal(c.video1.width, 704);
	assert_int_equal(c.video1.bitrate_kbps, 1024);	/* default kept */
	assert_int_equal(c.jpeg.quality, 90);
	assert_int_equal(c.mjpeg.fps, 10);
	assert_int_equal(c.isp.demosaic, LUMEN_CFG_DEMOSAIC_QUALITY);
	assert_int_equal(c.isp.awb, LUMEN_CFG_AWB_GREY_EDGE);
	assert_false(c.isp.ae.enabled);
	assert_int_equal(c.isp.ae.target, 20);
	assert_int_equal(c.isp.ae.antiflicker, LUMEN_CFG_ANTIFLICKER_50);

	/* the same text from memory, and its errors under the given name */
	memset(&d, 0, sizeof(d));
	assert_int_equal(lumen_config_parse(full, strlen(full), "mem", &d, err, sizeof(err)), 0);
	assert_memory_equal(&c, &d, sizeof(c));
	assert_int_equal(lumen_config_parse("rtsp:\n  port: 0\n", 16, "mem", &d, err,
					    sizeof(err)), -EINVAL);
	assert_string_equal(err, "mem:2: key 'rtsp.port': 0 is out of range 1..65535");

	/* an empty file is all defaults; a missing one is -ENOENT */
	path = write_file("empty.yaml", "# nothing\n");
	assert_int_equal(lumen_config_load(path, &c, err, sizeof(err)), 0);
	assert_int_equal(c.rtsp.port, 8554);
	assert_int_equal(lumen_config_load("/nonexistent/lumen.yaml", &c, err,
					   sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/lumen.yaml"));
}

/* Loads @text and expects failure with every string of @want in the message,
 * and the config left as it was. */
static void expect_error(const char *text, const char *want1, const char *want2)
{
	struct lumen_config c, before;
	char err[256] = "";
	const char *path = write_file("bad.yaml", text);
	char where[160];

	lumen_config_defaults(&c);
	c.rtsp.port = 1234;	/* a marker the failed load must not touch */
	before = c;
	assert_int_equal(lumen_config_load(path, &c, err, sizeof(err)), -EINVAL);
	assert_memory_equal(&c, &before, sizeof(c));
	snprintf(where, sizeof(where), "%s:", path);
	if (!strstr(err, want1) || (want2 && !strstr(err, want2)) || !strstr(err, where))
		fail_msg("message '%s' lacks '%s' / '%s' / '%s'", err, want1,
			 want2 ? want2 : "", where);
}

static void bad_files_name_file_line_and_key(void **state)
{
	(void)state;
	expect_error("video0:\n  fps: 25\n  bitrate_kbps: 2000\n  bitratee: 1\n",
		     ":4: key 'video0.bitratee': unknown key", NULL);
	expect_error("videoo:\n  fps: 25\n", ":1: key 'videoo': unknown key", NULL);
	expect_error("isp:\n  ae:\n    antiflicker: 55\n",
		     ":3: key 'isp.ae.antiflicker'", "not one of off, 50, 60");
	expect_error("video1:\n  fps: 500\n", ":2: key 'video1.fps'",
		     "500 is out of range 0..120");
	expect_error("rtsp:\n  port: eighty\n", ":2: key 'rtsp.port'", "not an integer");
	expect_error("rtsp:\n  port: 80.5\n", ":2: key 'rtsp.port'", "not an integer");
	expect_error("http:\n  enabled: maybe\n", ":2: key 'http.enabled'",
		     "not true or false");
	expect_error("video0: 5\n", ":1: key 'video0'", "expected a mapping");
	expect_error("video0:\n  fps: [1, 2]\n", ":2: key 'video0.fps'",
		     "expected a single value");
	expect_error("rtsp:\n  port: 1\n  port: 2\n", ":3: key 'rtsp.port'", "repeated key");
	expect_error("auth:\n  user: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		     ":2: key 'auth.user'", "longer than 63");
	/* the plain-text scheme is gone, and says what to do instead */
	expect_error("http:\n  port: 80\n  password: hunter2\n", ":3: key 'http.password'",
		     "plain-text passwords are not stored; run lumen passwd");
	expect_error("rtsp:\n  password: hunter2\n", ":2: key 'rtsp.password'",
		     "run lumen passwd");
	expect_error("auth:\n  password: hunter2\n", ":2: key 'auth.password'",
		     "plain-text passwords are not stored");
	expect_error("http:\n  user: admin\n", ":2: key 'http.user'",
		     "replaced by auth.user; run lumen passwd");
	expect_error("video0:\n  fps: 25\n bad indent: 1\n", ":", NULL);	/* YAML syntax */
	expect_error("- a\n- b\n", ":1: expected a mapping", NULL);
	/* cross-key rules */
	expect_error("http:\n  port: 8554\n", "key 'http.port'", "also rtsp.port");
	expect_error("video1:\n  width: 641\n", "key 'video1.width'", "even");
	expect_error("video0:\n  width: 1920\n", "key 'video0.width'", "both");
	expect_error("auth:\n  user: admin\n", "key 'auth.ha1_md5'", "needs both HA1s");
	expect_error("auth:\n  user: admin\n  ha1_md5: f0ab1d14e13af12f9ac89903590c26bc\n", "key 'auth.ha1_sha256'",
		     "run lumen passwd");
	expect_error("auth:\n  ha1_md5: f0ab1d14e13af12f9ac89903590c26bc\n  ha1_sha256: 47caca0958e5e11c84bbd0ebddc5206d78f2e3409420f6df1c0892a74051f429\n", "key 'auth.user'",
		     "HA1s without a user");
	expect_error("auth:\n  user: admin\n  ha1_md5: F0AB1D14E13AF12F9AC89903590C26BC\n  ha1_sha256: 47caca0958e5e11c84bbd0ebddc5206d78f2e3409420f6df1c0892a74051f429\n",
		     "key 'auth.ha1_md5'", "32 lowercase hex");
	expect_error("auth:\n  user: admin\n  ha1_md5: f0ab1d14e13af12f9ac89903590c26bc\n  ha1_sha256: f0ab1d14e13af12f9ac89903590c26bc\n",
		     "key 'auth.ha1_sha256'", "64 lowercase hex");
	expect_error("http:\n  bind: 10.0.0.300\n", "key 'http.bind'", "not an IPv4");
	expect_error("rtsp:\n  bind: localhost\n", "key 'rtsp.bind'", "not an IPv4");
	expect_error("http:\n  tls_cert: /c.pem\n", "key 'http.tls_key'", "go together");
}

/* Hostile files: before the YAML reader, config.c had no limit, so an
 * alias of a section was taken, brackets nested 40 deep reached the key
 * walker and a file of any size was read (100 MB: 16 s, 2.6 GB). */
static void hostile_files_are_refused(void **state)
{
	size_t len = (1u << 20) + 1;
	char *big = malloc(len);
	struct lumen_config c;
	char err[256] = "";
	int n;

	(void)state;
	assert_non_null(big);
	expect_error("video0: &v\n  fps: 10\nvideo1: *v\n", ":3: key 'video1'",
		     "alias *v names a list or mapping");
	n = sprintf(big, "video0:\n  fps: ");
	for (int i = 0; i < 40; i++)
		big[n++] = '[';
	for (int i = 0; i < 40; i++)
		big[n++] = ']';
	big[n++] = '\n';
	big[n] = 0;
	expect_error(big, ":2: nested deeper than 32 levels", NULL);
	memset(big, '#', len);
	assert_int_equal(lumen_config_parse(big, len, "big", &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "big: larger than 1024 KiB");
	free(big);
}

static void set_reports_live_or_restart(void **state)
{
	struct lumen_config c, before;
	char err[256], v[80];
	const char *keys[] = { "video1.width", "video1.height" };
	const char *vals[] = { "0", "0" };

	(void)state;
	lumen_config_defaults(&c);
	assert_int_equal(lumen_config_set(&c, "video0.bitrate_kbps", "2048", err, sizeof(err)),
			 LUMEN_CONFIG_APPLIED_LIVE);
	assert_int_equal(c.video0.bitrate_kbps, 2048);
	assert_int_equal(lumen_config_set(&c, "rtsp.port", "554", err, sizeof(err)),
			 LUMEN_CONFIG_NEEDS_RESTART);
	assert_int_equal(c.rtsp.port, 554);
	assert_int_equal(lumen_config_set(&c, "isp.ae.antiflicker", "60", err, sizeof(err)),
			 LUMEN_CONFIG_APPLIED_LIVE);
	assert_int_equal(lumen_config_get(&c, "isp.ae.antiflicker", v, sizeof(v)), 0);
	assert_string_equal(v, "60");

	before = c;
	assert_int_equal(lumen_config_set(&c, "video0.bitratee", "1", err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, "key 'video0.bitratee': unknown key");
	assert_int_equal(lumen_config_set(&c, "video0.bitrate_kbps", "-5", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "key 'video0.bitrate_kbps': -5 is out of range"));
	assert_int_equal(lumen_config_set(&c, "video0.profile", "extreme", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(lumen_config_set(&c, "video0.bitrate_kbps", "", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(lumen_config_set(&c, "auth.user", "a\nb", err, sizeof(err)), -EINVAL);
	assert_int_equal(lumen_config_set(&c, "auth.password", "x", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "key 'auth.password': plain-text passwords"));
	/* a user without HA1s is refused, with them accepted */
	assert_int_equal(lumen_config_set(&c, "auth.user", "admin", err, sizeof(err)), -EINVAL);
	/* a single key that breaks a cross-key rule is refused ... */
	assert_int_equal(lumen_config_set(&c, "video1.width", "0", err, sizeof(err)), -EINVAL);
	assert_memory_equal(&c, &before, sizeof(c));
	/* ... the pair together is accepted, and both are restart keys */
	assert_int_equal(lumen_config_set_many(&c, keys, vals, 2, err, sizeof(err)),
			 LUMEN_CONFIG_NEEDS_RESTART);
	assert_int_equal(c.video1.width, 0);
	assert_int_equal(c.video1.height, 0);
}

static void json_masks_secrets_and_nests(void **state)
{
	struct lumen_config c;
	char err[256], buf[4096];
	size_t n;
	const char *keys[] = { "auth.user", "auth.ha1_md5", "auth.ha1_sha256" };
	const char *vals[] = { "admin", "f0ab1d14e13af12f9ac89903590c26bc",
			       "47caca0958e5e11c84bbd0ebddc5206d78f2e3409420f6df1c0892a74051f429" };

	(void)state;
	lumen_config_defaults(&c);
	assert_int_equal(lumen_config_set_many(&c, keys, vals, 3, err, sizeof(err)),
			 LUMEN_CONFIG_APPLIED_LIVE);
	n = lumen_config_to_json(&c, buf, sizeof(buf));
	assert_true(n < sizeof(buf));
	assert_int_equal(strlen(buf), n);
	assert_null(strstr(buf, vals[1]));
	assert_null(strstr(buf, vals[2]));
	assert_null(strstr(buf, "password"));	/* removed keys are not shown */
	assert_non_null(strstr(buf, "\"auth\":{\"user\":\"admin\",\"ha1_md5\":\"set\","
				    "\"ha1_sha256\":\"set\",\"metrics_public\":false}"));
	assert_non_null(strstr(buf, "\"http\":{\"enabled\":true,\"port\":8080,\"bind\":\"\","
				    "\"tls_cert\":\"\",\"tls_key\":\"\"}"));
	assert_non_null(strstr(buf, "\"isp\":{\"demosaic\":\"fast\",\"threads\":0,\"awb\":\"auto\","
				    "\"ae\":{\"enabled\":true,\"target\":18,\"antiflicker\":\"off\"}}}"));
	assert_int_equal(buf[0], '{');
	/* snprintf semantics: a short buffer is cut, the length is the same */
	assert_int_equal(lumen_config_to_json(&c, buf, 10), n);
	assert_int_equal(strlen(buf), 9);
}

static void persist_round_trip(void **state)
{
	struct lumen_config c, d;
	char err[256], path[128], tmp[140];
	char *text;

	(void)state;
	lumen_config_defaults(&c);
	assert_int_equal(lumen_config_load(write_file("rt.yaml", full), &c, err,
					   sizeof(err)), 0);
	assert_int_equal(lumen_config_set(&c, "board.name", "ad\"m\\in", err, sizeof(err)),
			 LUMEN_CONFIG_NEEDS_RESTART);
	snprintf(path, sizeof(path), "%s/rt.yaml", dir);
	assert_int_equal(lumen_config_save(path, &c, err, sizeof(err)), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(access(tmp, F_OK), -1);	/* no temporary left */
	memset(&d, 0x5a, sizeof(d));
	lumen_config_defaults(&d);
	assert_int_equal(lumen_config_load(path, &d, err, sizeof(err)), 0);
	assert_memory_equal(&c, &d, sizeof(c));
	/* each section once, in schema order */
	text = read_all(path);
	assert_non_null(strstr(text, "isp:\n  demosaic: \"quality\"\n  threads: 0\n  awb: \"grey-edge\"\n"
				     "  ae:\n    enabled: false\n"));
	assert_non_null(strstr(text, "video1:\n  enabled: true\n"));
	assert_null(strstr(text, "password"));	/* removed keys are not written */
	assert_null(strstr(strstr(text, "video1:") + 1, "video1:"));
	free(text);
}

static void failed_save_leaves_old_file(void **state)
{
	struct lumen_config c, d;
	char err[256], sub[128], path[160];
	char *before, *after;

	(void)state;
	if (geteuid() == 0) {
		/* root writes into read-only directories: use a path whose
		 * temporary cannot be created instead (a directory in the way) */
		snprintf(sub, sizeof(sub), "%s/ro", dir);
		mkdir(sub, 0755);
		snprintf(path, sizeof(path), "%s/lumen.yaml", sub);
		lumen_config_defaults(&c);
		assert_int_equal(lumen_config_save(path, &c, err, sizeof(err)), 0);
		snprintf(sub, sizeof(sub), "%s/ro/lumen.yaml.tmp", dir);
		assert_int_equal(mkdir(sub, 0755), 0);
	} else {
		snprintf(sub, sizeof(sub), "%s/ro", dir);
		mkdir(sub, 0755);
		snprintf(path, sizeof(path), "%s/lumen.yaml", sub);
		lumen_config_defaults(&c);
		assert_int_equal(lumen_config_save(path, &c, err, sizeof(err)), 0);
		assert_int_equal(chmod(sub, 0555), 0);
	}
	before = read_all(path);
	d = c;
	assert_int_equal(lumen_config_set(&d, "video0.bitrate_kbps", "777", err, sizeof(err)), 0);
	assert_true(lumen_config_save(path, &d, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, path));
	after = read_all(path);
	assert_string_equal(before, after);
	assert_int_equal(lumen_config_load(path, &d, err, sizeof(err)), 0);
	assert_int_equal(d.video0.bitrate_kbps, c.video0.bitrate_kbps);
	free(before);
	free(after);
	snprintf(sub, sizeof(sub), "%s/ro", dir);
	chmod(sub, 0755);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_the_documented_ones),
		cmocka_unit_test(full_file_parses),
		cmocka_unit_test(bad_files_name_file_line_and_key),
		cmocka_unit_test(hostile_files_are_refused),
		cmocka_unit_test(set_reports_live_or_restart),
		cmocka_unit_test(json_masks_secrets_and_nests),
		cmocka_unit_test(persist_round_trip),
		cmocka_unit_test(failed_save_leaves_old_file),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}

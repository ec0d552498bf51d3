// SPDX-License-Identifier: GPL-2.0-or-later
/* `lumen serve` configuration: one schema table, the YAML reader
 * (core/yaml_doc.h) in, stdio out. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "core/errmsg.h"
#include "core/yaml_doc.h"
#include "serve/config.h"

static const char *const w_log[] = { "error", "warn", "info", "debug", NULL };
static const char *const w_backend[] = { "virtual", "v4l2", NULL };
static const char *const w_codec[] = { "h264", NULL };
static const char *const w_profile[] = { "baseline", "main", "high", NULL };
static const char *const w_rc[] = { "cbr", "vbr", NULL };
static const char *const w_demosaic[] = { "fast", "quality", "ri", NULL };
static const char *const w_awb[] = { "auto", "grey-world", "white-patch", "grey-edge",
				     "grey-pixel", NULL };
static const char *const w_flicker[] = { "off", "50", "60", NULL };

#define FIELD(f) offsetof(struct lumen_config, f), sizeof(((struct lumen_config *)0)->f)
#define K_BOOL(p, f, fl, h) { p, LUMEN_CFG_BOOL, 0, 1, NULL, FIELD(f), fl, h }
#define K_INT(p, f, lo, hi, fl, h) { p, LUMEN_CFG_INT, lo, hi, NULL, FIELD(f), fl, h }
#define K_ENUM(p, f, w, fl, h) { p, LUMEN_CFG_ENUM, 0, 0, w, FIELD(f), fl, h }
#define K_STR(p, f, fl, h) { p, LUMEN_CFG_STRING, 0, 0, NULL, FIELD(f), fl, h }
#define LIVE LUMEN_CFG_LIVE
#define SECRET LUMEN_CFG_SECRET

#define K_VIDEO(ch)								\
	K_BOOL(#ch ".enabled", ch.enabled, 0, "encode this channel"),		\
	K_ENUM(#ch ".codec", ch.codec, w_codec, 0, "video codec"),		\
	K_INT(#ch ".width", ch.width, 0, 8192, 0, "width, 0 = sensor width"),	\
	K_INT(#ch ".height", ch.height, 0, 8192, 0, "height, 0 = sensor height"), \
	K_INT(#ch ".fps", ch.fps, 0, 120, LIVE,				\
	      "frames per second, 0 = the sensor's rate"),			\
	K_INT(#ch ".bitrate_kbps", ch.bitrate_kbps, 16, 100000, LIVE,		\
	      "target bitrate in kbit/s"),					\
	K_INT(#ch ".gop", ch.gop, 1, 1000, 0, "frames from one IDR to the next"), \
	K_ENUM(#ch ".profile", ch.profile, w_profile, 0, "H.264 profile"),	\
	K_ENUM(#ch ".rc", ch.rc, w_rc, 0, "rate control")

#define K_GONE(p, h) { p, LUMEN_CFG_STRING, 0, 0, NULL, 0, 0, LUMEN_CFG_GONE, h }
#define NO_PLAIN "plain-text passwords are not stored; run lumen passwd"
#define K_SERVER(s, what)							\
	K_BOOL(#s ".enabled", s.enabled, 0, "run the " what " server"),		\
	K_INT(#s ".port", s.port, 1, 65535, 0, "TCP port"),			\
	K_STR(#s ".bind", s.bind, 0, "IPv4 address to listen on, empty = all"), \
	K_GONE(#s ".user", "replaced by auth.user; run lumen passwd"),		\
	K_GONE(#s ".password", NO_PLAIN)

/* In file order: persisting walks it and opens a section when the prefix
 * changes, so the keys of one section stay together. */
const struct lumen_config_key lumen_config_keys[] = {
	K_ENUM("system.log_level", system.log_level, w_log, LIVE, "log level"),
	K_STR("board.name", board.name, 0, "board file name"),
	K_ENUM("board.backend", board.backend, w_backend, 0, "capture backend"),
	K_STR("auth.user", auth.user, LIVE, "user of both servers; empty = nobody "
	      "(viewing is open, changes refused)"),
	K_STR("auth.ha1_md5", auth.ha1_md5, LIVE | SECRET,
	      "MD5(user:lumen:password) in hex, written by lumen passwd"),
	K_STR("auth.ha1_sha256", auth.ha1_sha256, LIVE | SECRET,
	      "SHA-256(user:lumen:password) in hex, written by lumen passwd"),
	K_GONE("auth.password", NO_PLAIN),
	K_BOOL("auth.metrics_public", metrics_public, LIVE,
	       "serve /metrics without credentials"),
	K_SERVER(rtsp, "RTSP"),
	K_SERVER(http, "HTTP"),
	K_STR("http.tls_cert", tls.cert, 0, "PEM certificate: serve HTTPS (with tls_key)"),
	K_STR("http.tls_key", tls.key, 0, "PEM private key of tls_cert"),
	K_VIDEO(video0),
	K_VIDEO(video1),
	K_BOOL("jpeg.enabled", jpeg.enabled, LIVE, "serve /image.jpg and /mjpeg"),
	K_INT("jpeg.quality", jpeg.quality, 1, 100, LIVE, "JPEG quality"),
	K_INT("jpeg.width", jpeg.width, 0, 8192, LIVE, "width, 0 = main channel's"),
	K_INT("jpeg.height", jpeg.height, 0, 8192, LIVE, "height, 0 = main channel's"),
	K_INT("mjpeg.fps", mjpeg.fps, 1, 30, LIVE, "frames per second of /mjpeg"),
	K_ENUM("isp.demosaic", isp.demosaic, w_demosaic, LIVE, "demosaic kernel"),
	K_INT("isp.threads", isp.threads, 0, 8, 0,
	      "ISP slice threads, 0 = one per CPU core (at most 8)"),
	K_ENUM("isp.awb", isp.awb, w_awb, LIVE, "auto white balance method"),
	K_BOOL("isp.ae.enabled", isp.ae.enabled, LIVE, "auto exposure"),
	K_INT("isp.ae.target", isp.ae.target, 1, 100, LIVE,
	      "log-average luma target, % of full scale"),
	K_ENUM("isp.ae.antiflicker", isp.ae.antiflicker, w_flicker, LIVE,
	       "exposure steps for mains flicker (Hz)"),
};
const size_t lumen_config_nkeys = sizeof(lumen_config_keys) / sizeof(lumen_config_keys[0]);

void lumen_config_defaults(struct lumen_config *cfg)
{
	static const struct lumen_cfg_video v0 = {
		.enabled = true, .codec = LUMEN_CFG_CODEC_H264, .fps = 0,
		.bitrate_kbps = 4096, .gop = 50, .profile = LUMEN_CFG_PROFILE_MAIN,
		.rc = LUMEN_CFG_RC_CBR,
	};

	memset(cfg, 0, sizeof(*cfg));
	cfg->system.log_level = LUMEN_CFG_LOG_INFO;
	snprintf(cfg->board.name, sizeof(cfg->board.name), "imou-bullet3");
	cfg->board.backend = LUMEN_CFG_BACKEND_VIRTUAL;
	cfg->rtsp.enabled = cfg->http.enabled = true;
	cfg->rtsp.port = 8554;
	cfg->http.port = 8080;
	cfg->video0 = v0;
	cfg->video1 = v0;
	cfg->video1.width = 640;
	cfg->video1.height = 360;
	cfg->video1.bitrate_kbps = 1024;
	cfg->jpeg.enabled = true;
	cfg->jpeg.quality = 80;
	cfg->mjpeg.fps = 5;
	cfg->isp.demosaic = LUMEN_CFG_DEMOSAIC_FAST;
	cfg->isp.awb = LUMEN_CFG_AWB_AUTO;
	cfg->isp.ae.enabled = true;
	cfg->isp.ae.target = 18;
	cfg->isp.ae.antiflicker = LUMEN_CFG_ANTIFLICKER_OFF;
}

/* Every failure here is bad input: -EINVAL with the message. */
#define fail(err, errlen, ...) lumen_fail(-EINVAL, err, errlen, __VA_ARGS__)

const struct lumen_config_key *lumen_config_find(const char *path)
{
	for (size_t i = 0; i < lumen_config_nkeys; i++)
		if (!strcmp(lumen_config_keys[i].path, path))
			return &lumen_config_keys[i];
	return NULL;
}

/* Whether @prefix names a section: some key starts with "prefix.". */
static bool is_section(const char *prefix)
{
	size_t n = strlen(prefix);

	for (size_t i = 0; i < lumen_config_nkeys; i++)
		if (!strncmp(lumen_config_keys[i].path, prefix, n) &&
		    lumen_config_keys[i].path[n] == '.')
			return true;
	return false;
}

static const char *const true_words[] = { "true", "yes", "on", "1", NULL };
static const char *const false_words[] = { "false", "no", "off", "0", NULL };

static int word_index(const char *const *words, const char *s)
{
	for (int i = 0; words[i]; i++)
		if (!strcasecmp(words[i], s))
			return i;
	return -1;
}

/* Parses @value into the field of @k in @cfg; "why" (without the key) in
 * @why on error, @cfg unchanged then. */
static int set_value(struct lumen_config *cfg, const struct lumen_config_key *k,
		     const char *value, char *why, size_t whylen)
{
	char *field = (char *)cfg + k->offset;
	long v;
	char *end;
	int idx;

	if (k->flags & LUMEN_CFG_GONE)
		return fail(why, whylen, "%s", k->help);
	switch (k->type) {
	case LUMEN_CFG_BOOL:
		if (word_index(true_words, value) >= 0)
			*(bool *)field = true;
		else if (word_index(false_words, value) >= 0)
			*(bool *)field = false;
		else
			return fail(why, whylen, "'%.64s' is not true or false", value);
		return 0;
	case LUMEN_CFG_INT:
		errno = 0;
		v = strtol(value, &end, 10);
		if (!*value || *end || errno)
			return fail(why, whylen, "'%.64s' is not an integer", value);
		if (v < k->min || v > k->max)
			return fail(why, whylen, "%ld is out of range %d..%d", v,
				    k->min, k->max);
		*(int *)field = (int)v;
		return 0;
	case LUMEN_CFG_ENUM:
		idx = word_index(k->words, value);
		if (idx < 0) {
			char list[160] = "";
			size_t n = 0;

			for (int i = 0; k->words[i] && n < sizeof(list); i++)
				n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
						      i ? ", " : "", k->words[i]);
			return fail(why, whylen, "'%.64s' is not one of %s", value, list);
		}
		*(int *)field = idx;
		return 0;
	case LUMEN_CFG_STRING:
		if (strlen(value) >= k->size)
			return fail(why, whylen, "longer than %zu bytes", k->size - 1);
		for (const unsigned char *p = (const unsigned char *)value; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				return fail(why, whylen, "control character in string");
		memcpy(field, value, strlen(value) + 1);
		return 0;
	}
	return -EINVAL;
}

static int check_size(const char *sec, int w, int h, char *err, size_t errlen)
{
	if ((w == 0) != (h == 0))
		return fail(err, errlen, "key '%s.width': width and height must both "
			    "be 0 (sensor size) or both be set", sec);
	if (w % 2 || h % 2)
		return fail(err, errlen, "key '%s.%s': must be even (4:2:0 chroma)",
			    sec, w % 2 ? "width" : "height");
	return 0;
}

static int check_bind(const char *sec, const char *addr, char *err, size_t errlen)
{
	struct in_addr a;

	if (addr[0] && inet_pton(AF_INET, addr, &a) != 1)
		return fail(err, errlen, "key '%s.bind': '%s' is not an IPv4 address",
			    sec, addr);
	return 0;
}

static bool is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* auth.user and both HA1s, or none of them; names the key at fault. */
static int check_auth(const struct lumen_digest_creds *a, char *err, size_t errlen)
{
	bool user = a->user[0], md5 = a->ha1_md5[0], sha = a->ha1_sha256[0];

	if (!user && !md5 && !sha)
		return 0;
	if (!user)
		return fail(err, errlen, "key 'auth.user': HA1s without a user; run "
			    "lumen passwd");
	if (!md5 || !sha)
		return fail(err, errlen, "key 'auth.%s': auth.user needs both HA1s; run "
			    "lumen passwd", md5 ? "ha1_sha256" : "ha1_md5");
	if (!is_hex(a->ha1_md5, 32))
		return fail(err, errlen, "key 'auth.ha1_md5': not 32 lowercase hex digits");
	if (!is_hex(a->ha1_sha256, 64))
		return fail(err, errlen, "key 'auth.ha1_sha256': not 64 lowercase hex "
			    "digits");
	for (const unsigned char *p = (const unsigned char *)a->user; *p; p++)
		if (*p == ':' || *p == '"' || *p == '\\')
			return fail(err, errlen, "key 'auth.user': must not hold ':', "
				    "'\"' or '\\'");
	return 0;
}

int lumen_config_validate(const struct lumen_config *cfg, char *err, size_t errlen)
{
	int ret;

	if ((ret = check_size("video0", cfg->video0.width, cfg->video0.height, err, errlen)) ||
	    (ret = check_size("video1", cfg->video1.width, cfg->video1.height, err, errlen)) ||
	    (ret = check_size("jpeg", cfg->jpeg.width, cfg->jpeg.height, err, errlen)))
		return ret;
	if (cfg->rtsp.enabled && cfg->http.enabled && cfg->rtsp.port &&
	    cfg->rtsp.port == cfg->http.port)	/* 0: each takes a free port */
		return fail(err, errlen, "key 'http.port': %d is also rtsp.port",
			    cfg->http.port);
	/* a V4L2 device runs without a board file (no tuning) */
	if (!cfg->board.name[0] && cfg->board.backend != LUMEN_CFG_BACKEND_V4L2)
		return fail(err, errlen, "key 'board.name': must not be empty "
			    "(only board.backend v4l2 runs without a board file)");
	if ((ret = check_bind("rtsp", cfg->rtsp.bind, err, errlen)) ||
	    (ret = check_bind("http", cfg->http.bind, err, errlen)) ||
	    (ret = check_auth(&cfg->auth, err, errlen)))
		return ret;
	if (!cfg->tls.cert[0] != !cfg->tls.key[0])
		return fail(err, errlen, "key 'http.%s': tls_cert and tls_key go together",
			    cfg->tls.cert[0] ? "tls_key" : "tls_cert");
	return 0;
}

int lumen_config_set_many(struct lumen_config *cfg, const char *const *keys,
			  const char *const *values, size_t n, char *err, size_t errlen)
{
	struct lumen_config tmp = *cfg;
	int result = LUMEN_CONFIG_APPLIED_LIVE;
	char why[200];

	for (size_t i = 0; i < n; i++) {
		const struct lumen_config_key *k = lumen_config_find(keys[i]);

		if (!k) {
			fail(err, errlen, "key '%.64s': unknown key", keys[i]);
			return -ENOENT;
		}
		if (set_value(&tmp, k, values[i], why, sizeof(why)))
			return fail(err, errlen, "key '%s': %s", k->path, why);
		if (!(k->flags & LUMEN_CFG_LIVE))
			result = LUMEN_CONFIG_NEEDS_RESTART;
	}
	if (lumen_config_validate(&tmp, err, errlen))
		return -EINVAL;
	*cfg = tmp;
	return result;
}

int lumen_config_set(struct lumen_config *cfg, const char *key, const char *value,
		     char *err, size_t errlen)
{
	return lumen_config_set_many(cfg, &key, &value, 1, err, errlen);
}

int lumen_config_get(const struct lumen_config *cfg, const char *key, char *out,
		     size_t outlen)
{
	const struct lumen_config_key *k = lumen_config_find(key);
	const char *field;

	if (!k || (k->flags & LUMEN_CFG_GONE))
		return -ENOENT;
	field = (const char *)cfg + k->offset;
	switch (k->type) {
	case LUMEN_CFG_BOOL:
		snprintf(out, outlen, "%s", *(const bool *)field ? "true" : "false");
		break;
	case LUMEN_CFG_INT:
		snprintf(out, outlen, "%d", *(const int *)field);
		break;
	case LUMEN_CFG_ENUM:
		snprintf(out, outlen, "%s", k->words[*(const int *)field]);
		break;
	case LUMEN_CFG_STRING:
		snprintf(out, outlen, "%s", field);
		break;
	}
	return 0;
}

/* ---- loading ---- */

/* Sets the keys of mapping @map (section @prefix, "" at the top) into @cfg;
 * sections recurse, so the depth is that of the key table. */
static int load_mapping(struct lumen_yaml *y, struct lumen_config *cfg,
			yaml_node_t *map, const char *prefix)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = lumen_yaml_node(y, p->key);
		yaml_node_t *vn = lumen_yaml_node(y, p->value);
		const struct lumen_config_key *k;
		const char *value;
		char path[128], why[200];
		int ret;

		/* keys are scalars and unique: the reader checked */
		if (snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "." : "",
			     lumen_yaml_text(kn)) >= (int)sizeof(path))
			return lumen_yaml_fail(y, kn, prefix[0] ? prefix : NULL,
					       "key too long");
		if (is_section(path)) {
			if (vn->type != YAML_MAPPING_NODE)
				return lumen_yaml_fail(y, vn, path,
						       "expected a mapping of keys");
			ret = load_mapping(y, cfg, vn, path);
			if (ret)
				return ret;
			continue;
		}
		k = lumen_config_find(path);
		if (!k)
			return lumen_yaml_fail(y, kn, path, "unknown key");
		value = lumen_yaml_text(vn);
		if (!value)
			return lumen_yaml_fail(y, vn, path, "expected a single value");
		/* the same parser as `set`, so a file and the API agree */
		if (set_value(cfg, k, value, why, sizeof(why)))
			return lumen_yaml_fail(y, vn, path, "%s", why);
	}
	return 0;
}

/* The document in @y over the defaults into @cfg, only on success. */
static int load(struct lumen_yaml *y, struct lumen_config *cfg)
{
	yaml_node_t *root = lumen_yaml_root(y);
	struct lumen_config tmp;
	char why[200];
	int ret = 0;

	lumen_config_defaults(&tmp);
	if (root && root->type == YAML_MAPPING_NODE)
		ret = load_mapping(y, &tmp, root, "");
	else if (root && !(root->type == YAML_SCALAR_NODE && !root->data.scalar.length))
		ret = lumen_yaml_fail(y, root, NULL, "expected a mapping of sections");
	if (!ret && lumen_config_validate(&tmp, why, sizeof(why)))
		ret = fail(y->err, y->errlen, "%s: %s", y->name, why);
	if (!ret)
		*cfg = tmp;
	return ret;
}

int lumen_config_parse(const char *text, size_t len, const char *name,
		       struct lumen_config *cfg, char *err, size_t errlen)
{
	struct lumen_yaml y;
	int ret;

	if (!text || !name || !cfg)
		return -EINVAL;
	ret = lumen_yaml_load_buffer(&y, name, text, len, err, errlen);
	if (ret)
		return ret == -EFBIG ? -EINVAL : ret;
	ret = load(&y, cfg);
	lumen_yaml_free(&y);
	return ret;
}

int lumen_config_load(const char *path, struct lumen_config *cfg, char *err,
		      size_t errlen)
{
	struct lumen_yaml y;
	int ret;

	if (!path || !cfg)
		return -EINVAL;
	ret = lumen_yaml_load_file(&y, path, err, errlen);
	if (ret)
		return ret == -EFBIG ? -EINVAL : ret;
	ret = load(&y, cfg);
	lumen_yaml_free(&y);
	return ret;
}

/* ---- writing ---- */

/* Dotted path component @i of @path into @out; false when there is none. */
static bool component(const char *path, int i, char *out, size_t outlen)
{
	const char *s = path, *e;

	for (; i > 0; i--) {
		s = strchr(s, '.');
		if (!s)
			return false;
		s++;
	}
	e = strchr(s, '.');
	snprintf(out, outlen, "%.*s", (int)(e ? e - s : (long)strlen(s)), s);
	return true;
}

static int depth_of(const char *path)
{
	int d = 0;

	for (; *path; path++)
		d += *path == '.';
	return d;
}

/* Length of the common section prefix of @a and @b, in components. */
static int common_sections(const char *a, const char *b)
{
	char ca[64], cb[64];
	int d = 0, max = depth_of(a) < depth_of(b) ? depth_of(a) : depth_of(b);

	while (d < max && component(a, d, ca, sizeof(ca)) &&
	       component(b, d, cb, sizeof(cb)) && !strcmp(ca, cb))
		d++;
	return d;
}

static void yaml_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void write_yaml(FILE *fp, const struct lumen_config *cfg)
{
	const char *prev = "";

	fprintf(fp, "# lumen serve configuration (keys: docs/serve.md)\n");
	for (size_t i = 0; i < lumen_config_nkeys; i++) {
		const struct lumen_config_key *k = &lumen_config_keys[i];
		const char *field = (const char *)cfg + k->offset;
		int d = depth_of(k->path), same = common_sections(prev, k->path);
		char name[64];

		if (k->flags & LUMEN_CFG_GONE)
			continue;
		for (int j = same; j < d; j++) {
			component(k->path, j, name, sizeof(name));
			fprintf(fp, "%*s%s:\n", 2 * j, "", name);
		}
		component(k->path, d, name, sizeof(name));
		fprintf(fp, "%*s%s: ", 2 * d, "", name);
		switch (k->type) {
		case LUMEN_CFG_BOOL:
			fprintf(fp, "%s", *(const bool *)field ? "true" : "false");
			break;
		case LUMEN_CFG_INT:
			fprintf(fp, "%d", *(const int *)field);
			break;
		case LUMEN_CFG_ENUM:
			yaml_string(fp, k->words[*(const int *)field]);
			break;
		case LUMEN_CFG_STRING:
			yaml_string(fp, field);
			break;
		}
		fputc('\n', fp);
		prev = k->path;
	}
}

/* fsync of the directory holding @path, so that the rename is durable. */
static void sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path) + (slash == path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int lumen_config_save(const char *path, const struct lumen_config *cfg, char *err,
		      size_t errlen)
{
	char tmp[PATH_MAX];
	FILE *fp;
	int fd, ret;

	if (!path || !cfg)
		return -EINVAL;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fail(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		fail(err, errlen, "%s: %s", tmp, strerror(errno));
		return ret;
	}
	fp = fdopen(fd, "w");
	if (!fp) {
		ret = -errno;
		close(fd);
		goto out_unlink;
	}
	write_yaml(fp, cfg);
	if (fflush(fp) || ferror(fp) || fsync(fd)) {
		ret = errno ? -errno : -EIO;
		fclose(fp);
		goto out_unlink;
	}
	if (fclose(fp)) {
		ret = -errno;
		goto out_unlink;
	}
	if (rename(tmp, path)) {
		ret = -errno;
		goto out_unlink;
	}
	sync_dir(path);
	return 0;
out_unlink:
	unlink(tmp);
	fail(err, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}

/* ---- JSON ---- */

struct out {
	char *buf;
	size_t cap, len;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->cap ? o->buf + o->len : NULL,
		      o->len < o->cap ? o->cap - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void json_string(struct out *o, const char *s)
{
	put(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (c < 0x20)
			put(o, "\\u%04x", c);
		else
			put(o, "%c", c);
	}
	put(o, "\"");
}

size_t lumen_config_to_json(const struct lumen_config *cfg, char *buf, size_t buflen)
{
	struct out o = { buf, buflen, 0 };
	const char *prev = "";
	int open = 0;

	if (buflen)
		buf[0] = 0;
	put(&o, "{");
	for (size_t i = 0; i < lumen_config_nkeys; i++) {
		const struct lumen_config_key *k = &lumen_config_keys[i];
		const char *field = (const char *)cfg + k->offset;
		int d = depth_of(k->path), same = common_sections(prev, k->path);
		char name[64];

		if (k->flags & LUMEN_CFG_GONE)
			continue;
		for (; open > same; open--)
			put(&o, "}");
		if (prev[0])
			put(&o, ",");
		for (int j = same; j < d; j++, open++) {
			component(k->path, j, name, sizeof(name));
			put(&o, "\"%s\":{", name);
		}
		component(k->path, d, name, sizeof(name));
		put(&o, "\"%s\":", name);
		switch (k->type) {
		case LUMEN_CFG_BOOL:
			put(&o, "%s", *(const bool *)field ? "true" : "false");
			break;
		case LUMEN_CFG_INT:
			put(&o, "%d", *(const int *)field);
			break;
		case LUMEN_CFG_ENUM:
			json_string(&o, k->words[*(const int *)field]);
			break;
		case LUMEN_CFG_STRING:
			json_string(&o, (k->flags & LUMEN_CFG_SECRET) && *field ? "set" : field);
			break;
		}
		prev = k->path;
	}
	for (; open > 0; open--)
		put(&o, "}");
	put(&o, "}");
	return o.len;
}

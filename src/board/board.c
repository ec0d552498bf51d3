// SPDX-License-Identifier: GPL-2.0-or-later
/* Board files: search, libyaml document API, validation with file:line:key. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "board/board.h"
#include "board/board_paths.h"
#include "core/errmsg.h"
#include "soc/refsoc.h"

#define BOARD_FILE_MAX	(64 * 1024)
#define FLOW_DEPTH_MAX	16
#define ANCHORS_MAX	64

const char *lumen_board_backend_name(enum lumen_board_backend backend)
{
	return backend == LUMEN_BACKEND_V4L2 ? "v4l2" : "virtual";
}

/* Every failure here is bad input: -EINVAL with the message. */
#define fail(err, errlen, ...) lumen_fail(-EINVAL, err, errlen, __VA_ARGS__)

struct loader {
	const char *path;
	yaml_document_t *doc;
	const struct lumen_board_opts *opts;
	char *err;
	size_t errlen;
};

static unsigned long line_of(const yaml_node_t *n)
{
	return (unsigned long)n->start_mark.line + 1;
}

__attribute__((format(printf, 4, 5)))
static int bad(struct loader *l, const yaml_node_t *n, const char *key,
	       const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return fail(l->err, l->errlen, "%s:%lu: key '%s': %s", l->path,
		    line_of(n), key, what);
}

/* An integer scalar in [lo, hi], decimal or 0x hex. */
static int get_int(struct loader *l, const yaml_node_t *n, const char *key,
		   long lo, long hi, long *out)
{
	const char *s;
	char *end;
	long v;

	if (n->type != YAML_SCALAR_NODE || !n->data.scalar.length)
		return bad(l, n, key, "expected an integer");
	s = (const char *)n->data.scalar.value;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s || s[0] == '+' ||
	    (s[0] == '0' && s[1] && s[1] != 'x' && s[1] != 'X'))
		return bad(l, n, key, "expected an integer, got '%.40s'", s);
	if (v < lo || v > hi)
		return bad(l, n, key, "%ld is out of range %ld..%ld", v, lo,
			   hi);
	*out = v;
	return 0;
}

static int get_bool(struct loader *l, const yaml_node_t *n, const char *key,
		    bool *out)
{
	if (n->type == YAML_SCALAR_NODE) {
		const char *s = (const char *)n->data.scalar.value;

		if (!strcmp(s, "true") || !strcmp(s, "yes")) {
			*out = true;
			return 0;
		}
		if (!strcmp(s, "false") || !strcmp(s, "no")) {
			*out = false;
			return 0;
		}
	}
	return bad(l, n, key, "expected true or false");
}

/* A name: [a-z0-9._-]+, shorter than @size. */
static int get_name(struct loader *l, const yaml_node_t *n, const char *key,
		    char *out, size_t size)
{
	size_t len;

	if (n->type != YAML_SCALAR_NODE || !n->data.scalar.length)
		return bad(l, n, key, "expected a name");
	len = n->data.scalar.length;
	if (len >= size)
		return bad(l, n, key, "name longer than %zu characters", size - 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = n->data.scalar.value[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return bad(l, n, key, "'%.40s' is not a lower-case name "
				   "([a-z0-9._-])", n->data.scalar.value);
	}
	memcpy(out, n->data.scalar.value, len);
	out[len] = 0;
	return 0;
}

/* Walks a mapping's pairs against @keys; calls @fn per value. */
typedef int (*field_fn)(struct loader *l, int idx, const char *key,
			yaml_node_t *v, void *ctx);

static int each_key(struct loader *l, yaml_node_t *map, const char *where,
		    const char *const *keys, int nkeys, bool *seen,
		    field_fn fn, void *ctx)
{
	if (map->type != YAML_MAPPING_NODE)
		return bad(l, map, where, "expected a mapping ({ key: value })");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(l->doc, p->value);
		const char *key;
		int idx, ret;

		if (!k || !v || k->type != YAML_SCALAR_NODE)
			return bad(l, map, where, "keys must be plain names");
		key = (const char *)k->data.scalar.value;
		for (idx = 0; idx < nkeys; idx++)
			if (!strcmp(key, keys[idx]))
				break;
		if (idx == nkeys)
			return bad(l, k, key, "unknown key%s%s", *where ? " in " : "",
				   where);
		if (seen[idx])
			return bad(l, k, key, "repeated key");
		seen[idx] = true;
		ret = fn(l, idx, key, v, ctx);
		if (ret)
			return ret;
	}
	return 0;
}

static int missing(struct loader *l, const yaml_node_t *map, const char *where,
		   const char *const *keys, const bool *seen, unsigned required)
{
	for (int i = 0; required >> i; i++)
		if ((required >> i & 1) && !seen[i]) {
			if (*where)
				return fail(l->err, l->errlen,
					    "%s:%lu: key '%s': missing '%s'",
					    l->path, line_of(map), where, keys[i]);
			return fail(l->err, l->errlen,
				    "%s:%lu: key '%s': missing (required)",
				    l->path, line_of(map), keys[i]);
		}
	return 0;
}

/* ---- sub-mappings -------------------------------------------------------- */

static const char *const i2c_keys[] = { "bus", "addr" };

static int i2c_field(struct loader *l, int idx, const char *key, yaml_node_t *v,
		     void *ctx)
{
	struct lumen_board *b = ctx;
	long x = 0;	/* get_int() sets it when it returns 0 */
	int ret;

	if (idx == 0) {
		ret = get_int(l, v, "i2c.bus", 0, 255, &x);
		if (ret)
			return ret;
		b->i2c_bus = (int)x;
		return 0;
	}
	(void)key;
	ret = get_int(l, v, "i2c.addr", 0, 0x3ff, &x);
	if (ret)
		return ret;
	if (x > 0x7f)
		return bad(l, v, "i2c.addr", "%#lx is not a 7-bit address "
			   "(<= 0x7f; an 8-bit write address is twice the "
			   "7-bit one)", x);
	if (x < 0x08 || x > 0x77)
		return bad(l, v, "i2c.addr", "%#lx is a reserved I2C address", x);
	b->i2c_addr = (uint16_t)x;
	return 0;
}

static const char *const gpio_keys[] = { "pin", "active_low" };

struct gpio_ctx {
	struct lumen_board_gpio *g;
	const char *name;
};

static int gpio_field(struct loader *l, int idx, const char *key,
		      yaml_node_t *v, void *ctx)
{
	struct gpio_ctx *c = ctx;
	char full[48];
	long x;
	int ret;

	snprintf(full, sizeof(full), "%s.%s", c->name, key);
	if (idx == 0) {
		ret = get_int(l, v, full, 0, 4095, &x);
		c->g->pin = (int)x;
		return ret;
	}
	return get_bool(l, v, full, &c->g->active_low);
}

static int load_gpio(struct loader *l, yaml_node_t *v, const char *name,
		     struct lumen_board_gpio *g)
{
	struct gpio_ctx c = { g, name };
	bool seen[2] = { false, false };
	int ret;

	ret = each_key(l, v, name, gpio_keys, 2, seen, gpio_field, &c);
	if (!ret)
		ret = missing(l, v, name, gpio_keys, seen, 1);
	if (!ret && !seen[1])
		return bad(l, v, name, "missing 'active_low' (the polarity must "
			   "be stated)");
	g->present = !ret;
	return ret;
}

static const char *const reg_keys[] = { "reg", "val" };

static int reg_field(struct loader *l, int idx, const char *key, yaml_node_t *v,
		     void *ctx)
{
	struct lumen_regval *r = ctx;
	long x;
	int ret;

	(void)key;
	ret = get_int(l, v, idx ? "pre_probe.val" : "pre_probe.reg", 0,
		      idx ? 0xffff : 0xfffe, &x);
	if (idx)
		r->val = (uint16_t)x;
	else
		r->reg = (uint16_t)x;
	return ret;
}

static int load_pre_probe(struct loader *l, yaml_node_t *v, struct lumen_board *b)
{
	if (v->type != YAML_SEQUENCE_NODE)
		return bad(l, v, "pre_probe", "expected a list of { reg: R, val: V }");
	for (yaml_node_item_t *it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		yaml_node_t *n = yaml_document_get_node(l->doc, *it);
		bool seen[2] = { false, false };
		int ret;

		if (b->npre_probe == LUMEN_BOARD_MAX_PRE_PROBE)
			return bad(l, n, "pre_probe", "more than %d writes",
				   LUMEN_BOARD_MAX_PRE_PROBE);
		ret = each_key(l, n, "pre_probe", reg_keys, 2, seen, reg_field,
			       &b->pre_probe[b->npre_probe]);
		if (!ret)
			ret = missing(l, n, "pre_probe", reg_keys, seen, 3);
		if (ret)
			return ret;
		b->npre_probe++;
	}
	return 0;
}

static const char *const crop_keys[] = { "x", "y", "width", "height" };

static int crop_field(struct loader *l, int idx, const char *key,
		      yaml_node_t *v, void *ctx)
{
	struct lumen_board *b = ctx;
	int *dst[] = { &b->crop_x, &b->crop_y, &b->crop_w, &b->crop_h };
	char full[32];
	long x;
	int ret;

	snprintf(full, sizeof(full), "crop.%s", key);
	ret = get_int(l, v, full, idx < 2 ? 0 : 1, 32767, &x);
	*dst[idx] = (int)x;
	return ret;
}

/* ---- the top level -------------------------------------------------------- */

enum {
	K_NAME, K_SOC, K_BACKEND, K_SENSOR, K_I2C, K_PAD, K_LANES, K_MCLK,
	K_RESET, K_PWDN, K_PRE_PROBE, K_CROP, K_BUFFERS, K_FPS, NKEYS
};

static const char *const top_keys[NKEYS] = {
	"name", "soc", "backend", "sensor", "i2c", "pad", "lanes", "mclk_hz",
	"reset_gpio", "pwdn_gpio", "pre_probe", "crop", "buffers", "fps",
};

#define REQUIRED (1u << K_NAME | 1u << K_SOC | 1u << K_SENSOR | 1u << K_I2C | \
		  1u << K_LANES | 1u << K_MCLK)

struct top_ctx {
	struct lumen_board *b;
	yaml_node_t *node[NKEYS];	/* for cross-checks after the walk */
};

static int top_field(struct loader *l, int idx, const char *key,
		     yaml_node_t *v, void *ctx)
{
	struct top_ctx *c = ctx;
	struct lumen_board *b = c->b;
	char tmp[16];
	bool seen[4] = { false };
	long x;
	int ret;

	c->node[idx] = v;
	switch (idx) {
	case K_NAME:
		return get_name(l, v, key, b->name, sizeof(b->name));
	case K_SOC:
		ret = get_name(l, v, key, b->soc, sizeof(b->soc));
		if (!ret && !lumen_soc_model_find(b->soc))
			return bad(l, v, key, "unknown SoC '%s' (known: ssc377, "
				   "t31, rk3399)", b->soc);
		return ret;
	case K_BACKEND:
		ret = get_name(l, v, key, tmp, sizeof(tmp));
		if (ret)
			return ret;
		if (!strcmp(tmp, "virtual"))
			b->backend = LUMEN_BACKEND_VIRTUAL;
		else if (!strcmp(tmp, "v4l2"))
			b->backend = LUMEN_BACKEND_V4L2;
		else
			return bad(l, v, key, "'%s' is not virtual or v4l2", tmp);
		return 0;
	case K_SENSOR:
		ret = get_name(l, v, key, b->sensor, sizeof(b->sensor));
		if (!ret && l->opts && l->opts->sensor_known &&
		    !l->opts->sensor_known(b->sensor, l->opts->opaque))
			return bad(l, v, key, "unknown sensor '%s'", b->sensor);
		return ret;
	case K_I2C:
		ret = each_key(l, v, key, i2c_keys, 2, seen, i2c_field, b);
		return ret ? ret : missing(l, v, key, i2c_keys, seen, 3);
	case K_PAD:
		ret = get_int(l, v, key, 0, LUMEN_SOC_MAX_PADS - 1, &x);
		b->pad = (int)x;
		return ret;
	case K_LANES:
		ret = get_int(l, v, key, 1, 4, &x);
		if (!ret && x == 3)
			return bad(l, v, key, "3 lanes: expected 1, 2 or 4");
		b->lanes = (int)x;
		return ret;
	case K_MCLK:
		ret = get_int(l, v, key, 1000000, 100000000, &x);
		b->mclk_hz = (uint32_t)x;
		return ret;
	case K_RESET:
		return load_gpio(l, v, key, &b->reset_gpio);
	case K_PWDN:
		return load_gpio(l, v, key, &b->pwdn_gpio);
	case K_PRE_PROBE:
		return load_pre_probe(l, v, b);
	case K_CROP:
		ret = each_key(l, v, key, crop_keys, 4, seen, crop_field, b);
		if (!ret)
			ret = missing(l, v, key, crop_keys, seen, 0xf);
		b->has_crop = !ret;
		return ret;
	case K_BUFFERS:
		ret = get_int(l, v, key, 1, 64, &x);
		b->buffers = (int)x;
		return ret;
	case K_FPS:
		ret = get_int(l, v, key, 1, 240, &x);
		b->fps = (int)x;
		return ret;
	}
	return -EINVAL;
}

/*
 * libyaml is slow on deep flow nesting and many anchors; a board file needs
 * neither, so refuse them before parsing (counts include quoted text).
 */
static int check_limits(const char *path, const char *s, size_t len,
			char *err, size_t errlen)
{
	int depth = 0, line = 1, anchors = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == 0)
			return fail(err, errlen, "%s:%d: NUL byte: not a text file",
				    path, line);
		if (s[i] == '\n')
			line++;
		else if (s[i] == '[' || s[i] == '{')
			depth++;
		else if ((s[i] == ']' || s[i] == '}') && depth > 0)
			depth--;
		else if (s[i] == '&' || s[i] == '*')
			anchors++;
		if (depth > FLOW_DEPTH_MAX)
			return fail(err, errlen, "%s:%d: brackets nested deeper "
				    "than %d levels", path, line, FLOW_DEPTH_MAX);
		if (anchors > ANCHORS_MAX)
			return fail(err, errlen, "%s:%d: more than %d YAML "
				    "anchors/aliases", path, line, ANCHORS_MAX);
	}
	return 0;
}

static int read_text(const char *path, char **out, size_t *len, char *err,
		     size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n;
	int ret;

	if (!fp) {
		ret = -errno;
		fail(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	buf = malloc(BOARD_FILE_MAX + 2);	/* one more than read, for the NUL */
	if (!buf) {
		fclose(fp);
		return -ENOMEM;
	}
	n = fread(buf, 1, BOARD_FILE_MAX + 1, fp);
	ret = ferror(fp) ? -EIO : 0;
	fclose(fp);
	if (!ret && n > BOARD_FILE_MAX)
		ret = fail(err, errlen, "%s: larger than %d KiB: not a board file",
			   path, BOARD_FILE_MAX / 1024);
	else if (ret)
		fail(err, errlen, "%s: read error", path);
	if (ret) {
		free(buf);
		return ret;
	}
	buf[n] = 0;
	*out = buf;
	*len = n;
	return 0;
}

int lumen_board_parse_file(const char *path, const struct lumen_board_opts *opts,
			   struct lumen_board *b, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct lumen_board tmp;
	struct loader l = { path, &doc, opts, err, errlen };
	struct top_ctx c = { &tmp, { NULL } };
	bool seen[NKEYS] = { false };
	const struct lumen_soc_model *m;
	yaml_node_t *root;
	char *text = NULL;
	size_t len = 0;
	int ret;

	if (!path || !b)
		return -EINVAL;
	ret = read_text(path, &text, &len, err, errlen);
	if (ret)
		return ret;
	ret = check_limits(path, text, len, err, errlen);
	if (ret)
		goto free_text;
	if (!yaml_parser_initialize(&parser)) {
		ret = -ENOMEM;
		goto free_text;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		ret = fail(err, errlen, "%s:%lu: %s", path,
			   (unsigned long)parser.problem_mark.line + 1,
			   parser.problem ? parser.problem : "YAML syntax error");
		goto delete_parser;
	}
	memset(&tmp, 0, sizeof(tmp));
	tmp.buffers = 4;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		ret = fail(err, errlen, "%s: empty file", path);
		goto delete_doc;
	}
	if (root->type != YAML_MAPPING_NODE) {
		ret = fail(err, errlen, "%s:%lu: expected a mapping of keys",
			   path, line_of(root));
		goto delete_doc;
	}
	ret = each_key(&l, root, "", top_keys, NKEYS, seen, top_field, &c);
	if (!ret)
		ret = missing(&l, root, "", top_keys, seen, REQUIRED);
	if (ret)
		goto delete_doc;

	/* cross-checks against the SoC model */
	m = lumen_soc_model_find(tmp.soc);
	if (tmp.pad >= m->npads) {
		ret = bad(&l, c.node[K_PAD] ? c.node[K_PAD] : root, "pad",
			  "%s has sensor pads 0..%d", m->name, m->npads - 1);
		goto delete_doc;
	}
	if (tmp.lanes > m->pad_lanes[tmp.pad]) {
		ret = bad(&l, c.node[K_LANES], "lanes",
			  "%d lanes, but pad %d of %s has %d", tmp.lanes,
			  tmp.pad, m->name, m->pad_lanes[tmp.pad]);
		goto delete_doc;
	}
	snprintf(tmp.path, sizeof(tmp.path), "%s", path);
	*b = tmp;
delete_doc:
	yaml_document_delete(&doc);
delete_parser:
	yaml_parser_delete(&parser);
free_text:
	free(text);
	return ret;
}

static bool is_path(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, '/') || (n > 5 && !strcmp(s + n - 5, ".yaml"));
}

int lumen_board_load_ex(const char *name_or_path,
			const struct lumen_board_opts *opts,
			struct lumen_board *b, char *err, size_t errlen)
{
	const char *dirs[4];
	char path[1024], tried[1024] = "";
	int nd = 0;

	if (!name_or_path || !*name_or_path || !b)
		return fail(err, errlen, "board: no name given");
	if (is_path(name_or_path))
		return lumen_board_parse_file(name_or_path, opts, b, err, errlen);
	for (const char *p = name_or_path; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return fail(err, errlen, "board '%.64s': not a board name "
				    "([a-z0-9._-]) nor a path", name_or_path);
	if (getenv("LUMEN_BOARD_DIR") && *getenv("LUMEN_BOARD_DIR"))
		dirs[nd++] = getenv("LUMEN_BOARD_DIR");
	dirs[nd++] = LUMEN_BOARD_DIR_DEFAULT;
	dirs[nd++] = LUMEN_BOARD_DIR_INSTALLED;
	dirs[nd++] = "/usr/share/lumen/boards";
	for (int i = 0; i < nd; i++) {
		FILE *fp;

		snprintf(path, sizeof(path), "%s/%s.yaml", dirs[i], name_or_path);
		fp = fopen(path, "rb");
		if (fp) {
			fclose(fp);
			return lumen_board_parse_file(path, opts, b, err, errlen);
		}
		if (strlen(tried) + strlen(dirs[i]) + 3 < sizeof(tried)) {
			if (*tried)
				strcat(tried, ", ");
			strcat(tried, dirs[i]);
		}
	}
	fail(err, errlen, "board '%s': no %s.yaml in %s", name_or_path,
	     name_or_path, tried);
	return -ENOENT;
}

int lumen_board_load(const char *name_or_path, struct lumen_board *b,
		     char *err, size_t errlen)
{
	return lumen_board_load_ex(name_or_path, NULL, b, err, errlen);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* Board files: search, the YAML reader (core/yaml_doc.h), validation with
 * file:line:key. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "board/board_paths.h"
#include "core/errmsg.h"
#include "core/yaml_doc.h"
#include "soc/refsoc.h"

const char *lumen_board_backend_name(enum lumen_board_backend backend)
{
	return backend == LUMEN_BACKEND_V4L2 ? "v4l2" : "virtual";
}

/* Every failure here is bad input: -EINVAL with the message. */
#define fail(err, errlen, ...) lumen_fail(-EINVAL, err, errlen, __VA_ARGS__)

struct loader {
	struct lumen_yaml y;
	const struct lumen_board_opts *opts;
};

#define bad(l, n, key, ...) lumen_yaml_fail(&(l)->y, n, key, __VA_ARGS__)

/* An integer scalar in [lo, hi], decimal or 0x hex; *@out is 0 on error
 * (callers store it into the board being built, dropped on error). */
static int get_int(struct loader *l, const yaml_node_t *n, const char *key,
		   long lo, long hi, long *out)
{
	long long v = 0;
	int ret = lumen_yaml_int(&l->y, n, key, lo, hi, &v);

	*out = (long)v;
	return ret;
}

static int get_bool(struct loader *l, const yaml_node_t *n, const char *key,
		    bool *out)
{
	return lumen_yaml_bool(&l->y, n, key, out);
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
		yaml_node_t *k = lumen_yaml_node(&l->y, p->key);
		yaml_node_t *v = lumen_yaml_node(&l->y, p->value);
		const char *key = lumen_yaml_text(k);	/* keys are scalars */
		int idx, ret;

		for (idx = 0; idx < nkeys; idx++)
			if (!strcmp(key, keys[idx]))
				break;
		if (idx == nkeys)
			return bad(l, k, key, "unknown key%s%s", *where ? " in " : "",
				   where);
		seen[idx] = true;	/* the reader refused repeated keys */
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
				return bad(l, map, where, "missing '%s'", keys[i]);
			return bad(l, map, keys[i], "missing (required)");
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
		yaml_node_t *n = lumen_yaml_node(&l->y, *it);
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

/* media: { links: [...], formats: [...], limits: [...] }, each a list of
 * media-ctl style strings (backend/media_plan.h) */
static const char *const media_keys[] = { "links", "formats", "limits" };

static int media_field(struct loader *l, int idx, const char *key,
		       yaml_node_t *v, void *ctx)
{
	static const int max[] = { LUMEN_PLAN_MAX_LINKS, LUMEN_PLAN_MAX_FORMATS,
				   LUMEN_PLAN_MAX_LIMITS };
	struct lumen_media_plan *plan = ctx;
	int *count[] = { &plan->nlinks, &plan->nformats, &plan->nlimits };
	char full[32], msg[256];

	snprintf(full, sizeof(full), "media.%s", key);
	if (v->type != YAML_SEQUENCE_NODE)
		return bad(l, v, full, "expected a list of strings");
	for (yaml_node_item_t *it = v->data.sequence.items.start;
	     it < v->data.sequence.items.top; it++) {
		yaml_node_t *n = lumen_yaml_node(&l->y, *it);
		const char *text;
		int ret;

		if (n->type != YAML_SCALAR_NODE)
			return bad(l, n, full, "expected a string");
		if (*count[idx] == max[idx])
			return bad(l, n, full, "more than %d entries", max[idx]);
		text = lumen_yaml_text(n);
		ret = idx == 0 ? lumen_plan_parse_link(text, &plan->links[plan->nlinks], msg, sizeof(msg)) :
			idx == 1 ? lumen_plan_parse_format(text, &plan->formats[plan->nformats], msg, sizeof(msg)) :
			lumen_plan_parse_limit(text, &plan->limits[plan->nlimits], msg, sizeof(msg));
		if (ret)
			return bad(l, n, full, "%s", msg);
		(*count[idx])++;
	}
	return 0;
}

/* ---- the top level -------------------------------------------------------- */

enum {
	K_NAME, K_SOC, K_BACKEND, K_SENSOR, K_I2C, K_PAD, K_LANES, K_MCLK,
	K_RESET, K_PWDN, K_PRE_PROBE, K_CROP, K_BUFFERS, K_FPS, K_MEDIA, NKEYS
};

static const char *const top_keys[NKEYS] = {
	"name", "soc", "backend", "sensor", "i2c", "pad", "lanes", "mclk_hz",
	"reset_gpio", "pwdn_gpio", "pre_probe", "crop", "buffers", "fps",
	"media",
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
	case K_MEDIA:
		ret = each_key(l, v, key, media_keys, 3, seen, media_field, &b->media);
		if (!ret)
			ret = missing(l, v, key, media_keys, seen, 1);
		b->has_media = !ret;
		return ret;
	}
	return -EINVAL;
}

/* Checks the document in @l into @b; @b is written only on success. */
static int load(struct loader *l, const char *path, struct lumen_board *b)
{
	struct lumen_board tmp;
	struct top_ctx c = { &tmp, { NULL } };
	bool seen[NKEYS] = { false };
	const struct lumen_soc_model *m;
	yaml_node_t *root = lumen_yaml_root(&l->y);
	int ret;

	memset(&tmp, 0, sizeof(tmp));
	tmp.buffers = 4;
	if (!root)
		return fail(l->y.err, l->y.errlen, "%s: empty file", path);
	if (root->type != YAML_MAPPING_NODE)
		return bad(l, root, NULL, "expected a mapping of keys");
	ret = each_key(l, root, "", top_keys, NKEYS, seen, top_field, &c);
	if (!ret)
		ret = missing(l, root, "", top_keys, seen, REQUIRED);
	if (ret)
		return ret;

	/* cross-checks against the SoC model */
	m = lumen_soc_model_find(tmp.soc);
	if (tmp.pad >= m->npads)
		return bad(l, c.node[K_PAD] ? c.node[K_PAD] : root, "pad",
			   "%s has sensor pads 0..%d", m->name, m->npads - 1);
	if (tmp.lanes > m->pad_lanes[tmp.pad])
		return bad(l, c.node[K_LANES], "lanes",
			   "%d lanes, but pad %d of %s has %d", tmp.lanes,
			   tmp.pad, m->name, m->pad_lanes[tmp.pad]);
	snprintf(tmp.path, sizeof(tmp.path), "%s", path);
	*b = tmp;
	return 0;
}

int lumen_board_parse_file(const char *path, const struct lumen_board_opts *opts,
			   struct lumen_board *b, char *err, size_t errlen)
{
	struct loader l = { .opts = opts };
	int ret;

	if (!path || !b)
		return -EINVAL;
	ret = lumen_yaml_load_file(&l.y, path, err, errlen);
	if (ret)
		return ret == -EFBIG ? -EINVAL : ret;
	ret = load(&l, path, b);
	lumen_yaml_free(&l.y);
	return ret;
}

int lumen_board_parse(const char *name, const char *text, size_t len,
		      const struct lumen_board_opts *opts, struct lumen_board *b,
		      char *err, size_t errlen)
{
	struct loader l = { .opts = opts };
	int ret;

	if (!name || !text || !b)
		return -EINVAL;
	ret = lumen_yaml_load_buffer(&l.y, name, text, len, err, errlen);
	if (ret)
		return ret == -EFBIG ? -EINVAL : ret;
	ret = load(&l, name, b);
	lumen_yaml_free(&l.y);
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

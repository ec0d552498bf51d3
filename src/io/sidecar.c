// SPDX-License-Identifier: GPL-2.0-or-later
#include "io/sidecar.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/errmsg.h"
#include "core/yaml_doc.h"

/* Longest scalar worth looking at; anything longer is a bad value. */
#define VALUE_MAX 128

/* ------------------------------------------------------------------ */
/* values                                                              */

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * Parses an unsigned decimal or 0x-hex integer at *s (after blanks), at
 * most @max; advances *s past it. Returns false on no digits or overflow.
 */
static bool scan_uint(const char **s, unsigned long max, unsigned long *out)
{
	const char *p = skip_space(*s);
	unsigned long v = 0;
	int base = 10, digits = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
		base = 16;
		p += 2;
	}
	for (;; p++, digits++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		if (v > max / (unsigned long)base)
			return false;
		v *= (unsigned long)base;
		if ((unsigned long)d > max - v)
			return false;
		v += (unsigned long)d;
	}
	if (!digits)
		return false;
	*s = p;
	*out = v;
	return true;
}

static bool parse_uint(const char *s, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	unsigned long v;

	if (!scan_uint(&s, max, &v) || *skip_space(s) || v < min)
		return false;
	*out = v;
	return true;
}

/* Up to four levels separated by commas and/or blanks, optionally in []. */
static int parse_black(const char *s, uint16_t out[4])
{
	unsigned long v[4];
	int n = 0;
	bool bracket;

	s = skip_space(s);
	bracket = *s == '[';
	if (bracket)
		s++;
	for (;;) {
		s = skip_space(s);
		if (n == 4 || !scan_uint(&s, 65535, &v[n]))
			return -EINVAL;
		n++;
		s = skip_space(s);
		if (*s == ',')
			s++;
		s = skip_space(s);
		if (!*s || (bracket && *s == ']'))
			break;
	}
	if (bracket && *s++ != ']')
		return -EINVAL;
	if (*skip_space(s) || (n != 1 && n != 4))
		return -EINVAL;
	for (int i = 0; i < 4; i++)
		out[i] = (uint16_t)v[n == 1 ? 0 : i];
	return 0;
}

static int parse_container(const char *v, bool packing_only,
			   enum lumen_pixfmt *out)
{
	static const struct {
		const char *name;
		enum lumen_pixfmt fmt;
		bool packing;
	} names[] = {
		{ "none", LUMEN_PIX_NONE, true },
		{ "unpacked", LUMEN_PIX_NONE, true },
		{ "raw10", LUMEN_PIX_BAYER10P, true },
		{ "mipi10", LUMEN_PIX_BAYER10P, true },
		{ "raw12", LUMEN_PIX_BAYER12P, true },
		{ "mipi12", LUMEN_PIX_BAYER12P, true },
		{ "8", LUMEN_PIX_BAYER8, false },
		{ "bayer8", LUMEN_PIX_BAYER8, false },
		{ "16", LUMEN_PIX_BAYER16, false },
		{ "bayer16", LUMEN_PIX_BAYER16, false },
		{ "bayer10p", LUMEN_PIX_BAYER10P, false },
		{ "bayer12p", LUMEN_PIX_BAYER12P, false },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((!packing_only || names[i].packing) &&
		    !strcasecmp(v, names[i].name)) {
			*out = names[i].fmt;
			return 0;
		}
	}
	return -EINVAL;
}

int lumen_raw_format_set(struct lumen_raw_format *f, const char *key,
			 const char *value, char *err, size_t errlen)
{
	unsigned long v;
	const char *p;

	if (!key || !value)
		return lumen_fail(-EINVAL, err, errlen, "missing key or value");
	if (!strcmp(key, "width") || !strcmp(key, "height")) {
		if (!parse_uint(value, 1, LUMEN_MAX_DIM, &v))
			goto bad;
		*(key[0] == 'w' ? &f->width : &f->height) = (int)v;
		return 0;
	}
	if (!strcmp(key, "size")) {
		unsigned long w, h;

		p = value;
		if (!scan_uint(&p, LUMEN_MAX_DIM, &w) || (*p != 'x' && *p != 'X'))
			goto bad;
		p++;
		if (!parse_uint(p, 1, LUMEN_MAX_DIM, &h) || !w)
			goto bad;
		f->width = (int)w;
		f->height = (int)h;
		return 0;
	}
	if (!strcmp(key, "bits")) {
		if (!parse_uint(value, 1, 16, &v))
			goto bad;
		f->bits = (int)v;
		return 0;
	}
	if (!strcmp(key, "container") || !strcmp(key, "packing")) {
		if (parse_container(value, key[0] == 'p', &f->container))
			goto bad;
		return 0;
	}
	if (!strcmp(key, "bayer")) {
		if (lumen_bayer_parse(value, &f->bayer))
			goto bad;
		return 0;
	}
	if (!strcmp(key, "black")) {
		if (parse_black(value, f->black))
			goto bad;
		f->has_black = true;
		return 0;
	}
	if (!strcmp(key, "white")) {
		if (!parse_uint(value, 1, 65535, &v))
			goto bad;
		f->white = (uint16_t)v;
		f->has_white = true;
		return 0;
	}
	if (!strcmp(key, "offset")) {
		if (!parse_uint(value, 0, 1ul << 30, &v))
			goto bad;
		f->offset = v;
		return 0;
	}
	if (!strcmp(key, "stride")) {
		if (!parse_uint(value, 0, 16ul * LUMEN_MAX_DIM, &v))
			goto bad;
		f->stride = v;
		return 0;
	}
	if (!strcmp(key, "endian")) {
		if (!strcasecmp(value, "little") || !strcasecmp(value, "le"))
			f->big_endian = false;
		else if (!strcasecmp(value, "big") || !strcasecmp(value, "be"))
			f->big_endian = true;
		else
			goto bad;
		return 0;
	}
	return lumen_fail(-ENOENT, err, errlen, "key '%.64s': unknown key", key);

bad:
	{
		static const struct { const char *key, *want; } wants[] = {
			{ "width", "an integer 1..32768" },
			{ "height", "an integer 1..32768" },
			{ "size", "WIDTHxHEIGHT, e.g. 1920x1080" },
			{ "bits", "an integer 1..16" },
			{ "container", "none, 8, 16, raw10 or raw12" },
			{ "packing", "none, raw10 or raw12" },
			{ "bayer", "rggb, grbg, gbrg or bggr" },
			{ "black", "one level or four (per 2x2 cell), 0..65535" },
			{ "white", "an integer 1..65535" },
			{ "offset", "a byte count 0..1073741824" },
			{ "stride", "a byte count 0..524288" },
			{ "endian", "little or big" },
		};
		const char *want = "?";

		for (size_t i = 0; i < sizeof(wants) / sizeof(wants[0]); i++)
			if (!strcmp(wants[i].key, key))
				want = wants[i].want;
		return lumen_fail(-EINVAL, err, errlen,
				     "key '%s': bad value '%.64s' (expected %s)", key,
				     value, want);
	}
}

/* Sets black from per-colour levels, placing them on the CFA cells. */
static void set_black_rgb(struct lumen_raw_format *f, const unsigned long lv[4])
{
	/* lv: r, gr (green on the red row), gb, b */
	int ry = ((int)f->bayer >> 1) & 1;

	for (int cy = 0; cy < 2; cy++) {
		for (int cx = 0; cx < 2; cx++) {
			enum lumen_channel ch = lumen_bayer_at(f->bayer, cx, cy);
			unsigned long v = ch == LUMEN_CH_R ? lv[0] :
					  ch == LUMEN_CH_B ? lv[3] :
					  cy == ry ? lv[1] : lv[2];

			f->black[cy * 2 + cx] = (uint16_t)v;
		}
	}
	f->has_black = true;
}

/* ------------------------------------------------------------------ */
/* YAML dialects                                                       */

/*
 * Applies @sname.@key of the config as lumen key @lkey. Absent keys are
 * fine unless @required. Messages: "name:line: key 'section.key': ...".
 */
static int apply(struct lumen_yaml *y, struct lumen_raw_format *f,
		 yaml_node_t *section, const char *sname, const char *key,
		 const char *lkey, bool required, bool *found)
{
	yaml_node_t *n = lumen_yaml_get(y, section, key);
	char v[VALUE_MAX], msg[192], full[96];
	int ret;

	snprintf(full, sizeof(full), "%s.%s", sname, key);
	if (found)
		*found = n != NULL;
	if (!n)
		return required ? lumen_yaml_fail(y, section, full, "missing") : 0;
	ret = lumen_yaml_string(y, n, full, v, sizeof(v));
	if (ret)
		return ret;
	ret = lumen_raw_format_set(f, lkey, v, msg, sizeof(msg));
	if (ret)
		return lumen_yaml_fail(y, n, full, "%s", msg);
	return 0;
}

/* Reads an unsigned level @sname.@key into *out; absent keeps *out. */
static int level(struct lumen_yaml *y, yaml_node_t *section, const char *sname,
		 const char *key, unsigned long *out, bool *found)
{
	yaml_node_t *n = lumen_yaml_get(y, section, key);
	char full[96];
	long long v;
	int ret;

	if (!n)
		return 0;
	snprintf(full, sizeof(full), "%s.%s", sname, key);
	ret = lumen_yaml_int(y, n, full, 0, 65535, &v);
	if (ret)
		return ret;
	*out = (unsigned long)v;
	if (found)
		*found = true;
	return 0;
}

/* A boolean switch; absent means @dflt. */
static int enabled(struct lumen_yaml *y, yaml_node_t *section, const char *sname,
		   const char *key, bool dflt, bool *out)
{
	yaml_node_t *n = lumen_yaml_get(y, section, key);
	char full[96];

	*out = dflt;
	if (!n)
		return 0;
	snprintf(full, sizeof(full), "%s.%s", sname, key);
	return lumen_yaml_bool(y, n, full, out);
}

static int parse_infinite_isp(struct lumen_yaml *y, yaml_node_t *root,
			      struct lumen_raw_format *f)
{
	static const char *const offs[] = { "r_offset", "gr_offset", "gb_offset", "b_offset" };
	static const char *const sats[] = { "r_sat", "gr_sat", "gb_sat", "b_sat" };
	yaml_node_t *si = lumen_yaml_get(y, root, "sensor_info");
	yaml_node_t *blc = lumen_yaml_get(y, root, "black_level_correction");
	bool found, on;
	int ret;

	if (!si || si->type != YAML_MAPPING_NODE)
		return lumen_yaml_fail(y, si, "sensor_info", "expected a mapping");
	/* the reference ISPs read numpy uint16 files */
	f->container = LUMEN_PIX_BAYER16;
	if ((ret = apply(y, f, si, "sensor_info", "width", "width", true, NULL)) ||
	    (ret = apply(y, f, si, "sensor_info", "height", "height", true, NULL)) ||
	    (ret = apply(y, f, si, "sensor_info", "bayer_pattern", "bayer", false, NULL)) ||
	    (ret = apply(y, f, si, "sensor_info", "bit_depth", "bits", false, &found)))
		return ret;
	if (!found && (ret = apply(y, f, si, "sensor_info", "bitdep", "bits", false, NULL)))
		return ret;
	/* range is the largest code; may be below the real one (see fit_levels) */
	if ((ret = apply(y, f, si, "sensor_info", "range", "white", false, NULL)))
		return ret;

	if (!blc || blc->type != YAML_MAPPING_NODE)
		return 0;
	ret = enabled(y, blc, "black_level_correction", "is_enable", false, &on);
	if (!ret && !lumen_yaml_get(y, blc, "is_enable"))
		ret = enabled(y, blc, "black_level_correction", "isEnable", true, &on);
	if (ret || !on)
		return ret;	/* a disabled BLC says nothing about black */
	{
		unsigned long lv[4] = { 0, 0, 0, 0 }, sat = 65535;
		bool any = false, any_sat = false;

		for (int i = 0; i < 4; i++) {
			unsigned long s = 65535;

			if ((ret = level(y, blc, "black_level_correction", offs[i], &lv[i], &any)) ||
			    (ret = level(y, blc, "black_level_correction", sats[i], &s, &any_sat)))
				return ret;
			sat = s < sat ? s : sat;
		}
		if (any)
			set_black_rgb(f, lv);
		if (any_sat && sat) {
			f->white = (uint16_t)sat;
			f->has_white = true;
		}
	}
	return 0;
}

static int parse_fast_openisp(struct lumen_yaml *y, yaml_node_t *root,
			      struct lumen_raw_format *f)
{
	static const char *const bls[] = { "bl_r", "bl_gr", "bl_gb", "bl_b" };
	yaml_node_t *hw = lumen_yaml_get(y, root, "hardware");
	yaml_node_t *blc = lumen_yaml_get(y, root, "blc");
	bool on = true, any = false;
	unsigned long lv[4] = { 0, 0, 0, 0 };
	int ret;

	if (!hw || hw->type != YAML_MAPPING_NODE)
		return lumen_yaml_fail(y, hw, "hardware", "expected a mapping");
	f->container = LUMEN_PIX_BAYER16;
	if ((ret = apply(y, f, hw, "hardware", "raw_width", "width", true, NULL)) ||
	    (ret = apply(y, f, hw, "hardware", "raw_height", "height", true, NULL)) ||
	    (ret = apply(y, f, hw, "hardware", "raw_bit_depth", "bits", false, NULL)) ||
	    (ret = apply(y, f, hw, "hardware", "bayer_pattern", "bayer", false, NULL)))
		return ret;
	if (!blc || blc->type != YAML_MAPPING_NODE)
		return 0;
	ret = enabled(y, lumen_yaml_get(y, root, "module_enable_status"),
		      "module_enable_status", "blc", true, &on);
	if (ret || !on)
		return ret;
	for (int i = 0; i < 4; i++)
		if ((ret = level(y, blc, "blc", bls[i], &lv[i], &any)))
			return ret;
	if (any)
		set_black_rgb(f, lv);
	return 0;
}

static const char *const lumen_keys[] = {
	"width", "height", "size", "bits", "container", "packing", "bayer",
	"black", "white", "offset", "stride", "endian", "format",
};

static int parse_lumen(struct lumen_yaml *y, yaml_node_t *root,
		       struct lumen_raw_format *f)
{
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = lumen_yaml_node(y, p->key);
		yaml_node_t *vn = lumen_yaml_node(y, p->value);
		const char *k = lumen_yaml_text(kn);	/* unique: the reader checked */
		char v[VALUE_MAX], msg[192];
		size_t ki;
		int ret;

		for (ki = 0; ki < sizeof(lumen_keys) / sizeof(lumen_keys[0]); ki++)
			if (!strcmp(k, lumen_keys[ki]))
				break;
		if (ki == sizeof(lumen_keys) / sizeof(lumen_keys[0]))
			return lumen_yaml_fail(y, kn, k, "unknown key");

		if (vn->type == YAML_SEQUENCE_NODE && !strcmp(k, "black")) {
			/* black: [64, 64, 64, 64] */
			size_t n = 0;

			v[0] = '\0';
			for (int i = 0; i < lumen_yaml_seq_len(vn); i++) {
				const char *e = lumen_yaml_text(lumen_yaml_item(y, vn, i));

				if (!e || strlen(e) > 15 || n + strlen(e) + 2 > sizeof(v)) {
					n = sizeof(v);
					break;
				}
				n += (size_t)snprintf(v + n, sizeof(v) - n, "%s%s",
						      n ? "," : "", e);
			}
			if (n >= sizeof(v))
				return lumen_yaml_fail(y, vn, "black",
						       "bad list (expected one level or four)");
		} else if (!lumen_yaml_text(vn)) {
			return lumen_yaml_fail(y, vn, k, "expected a single value");
		} else if ((ret = lumen_yaml_string(y, vn, k, v, sizeof(v)))) {
			return ret;
		}
		if (!strcmp(k, "format")) {
			if (strcmp(v, "lumen-raw"))
				return lumen_yaml_fail(y, vn, "format",
						       "bad value '%.64s' (expected lumen-raw)", v);
			continue;
		}
		ret = lumen_raw_format_set(f, k, v, msg, sizeof(msg));
		if (ret)
			return lumen_yaml_fail(y, vn, NULL, "%s", msg);
	}
	return 0;
}

static int parse_yaml(const char *name, const char *buf, size_t len,
		      struct lumen_raw_format *f,
		      enum lumen_sidecar_dialect *dialect, char *err,
		      size_t errlen)
{
	struct lumen_yaml y;
	yaml_node_t *root;
	int ret;

	ret = lumen_yaml_load_buffer(&y, name, buf, len, err, errlen);
	if (ret)
		return ret;
	root = lumen_yaml_root(&y);
	if (!root) {
		ret = lumen_fail(-EINVAL, err, errlen, "%s: empty sidecar", name);
	} else if (root->type != YAML_MAPPING_NODE) {
		ret = lumen_yaml_fail(&y, root, NULL, "expected 'key: value' lines");
	} else if (lumen_yaml_get(&y, root, "sensor_info")) {
		*dialect = LUMEN_SIDECAR_INFINITE_ISP;
		ret = parse_infinite_isp(&y, root, f);
	} else if (lumen_yaml_get(&y, root, "hardware")) {
		*dialect = LUMEN_SIDECAR_FAST_OPENISP;
		ret = parse_fast_openisp(&y, root, f);
	} else {
		*dialect = LUMEN_SIDECAR_LUMEN;
		ret = parse_lumen(&y, root, f);
	}
	lumen_yaml_free(&y);
	return ret;
}
/* ------------------------------------------------------------------ */
/* openISP CSV                                                         */

/* Next field of a CSV line: trims blanks and one level of quotes. */
static char *csv_field(char **s)
{
	char *p = *s, *start, *end;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '"') {
		start = ++p;
		while (*p && *p != '"')
			p++;
		end = p;
		if (*p == '"')
			p++;
		while (*p && *p != ',')
			p++;
	} else {
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
	}
	if (*p == ',')
		p++;
	*end = '\0';
	*s = p;
	return start;
}

static int parse_csv(const char *name, char *text, struct lumen_raw_format *f,
		     char *err, size_t errlen)
{
	static const char *const bls[] = { "bl_r", "bl_gr", "bl_gb", "bl_b" };
	static const struct { const char *csv, *key; } map[] = {
		{ "raw_w", "width" }, { "raw_h", "height" },
		{ "bayer_pattern", "bayer" },
	};
	unsigned long lv[4] = { 0, 0, 0, 0 };
	bool any_bl = false, has_w = false, has_h = false;
	int line = 0;
	char *next = text;

	f->container = LUMEN_PIX_BAYER16;
	while (next && *next) {
		char *s = next, *nl = strchr(s, '\n'), *k, *v, msg[192];

		line++;
		if (nl)
			*nl = '\0';
		next = nl ? nl + 1 : NULL;
		if (nl && nl > s && nl[-1] == '\r')
			nl[-1] = '\0';
		k = csv_field(&s);
		v = csv_field(&s);
		if (!*k || *k == '#')
			continue;
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
			if (strcmp(k, map[i].csv))
				continue;
			if (lumen_raw_format_set(f, map[i].key, v, msg, sizeof(msg)))
				return lumen_fail(-EINVAL, err, errlen, "%s:%d: %s: %s",
						     name, line, k, msg);
			has_w |= i == 0;
			has_h |= i == 1;
		}
		for (int i = 0; i < 4; i++) {
			if (strcmp(k, bls[i]))
				continue;
			if (!parse_uint(v, 0, 65535, &lv[i]))
				return lumen_fail(-EINVAL, err, errlen,
						     "%s:%d: %s: bad value '%.64s' (expected an integer level 0..65535)",
						     name, line, k, v);
			any_bl = true;
		}
		if (!strcmp(k, "blc_clip")) {
			/* openISP has no bit depth; its clip is the largest code */
			unsigned long c;

			if (!parse_uint(v, 1, 65535, &c))
				return lumen_fail(-EINVAL, err, errlen,
						     "%s:%d: %s: bad value '%.64s' (expected an integer 1..65535)",
						     name, line, k, v);
			f->white = (uint16_t)c;
			f->has_white = true;
			if (!(c & (c + 1))) {
				int b = 0;

				while (c >> b)
					b++;
				f->bits = b;
			}
		}
	}
	if (!has_w || !has_h)
		return lumen_fail(-EINVAL, err, errlen, "%s: raw_%s missing", name,
				     has_w ? "h" : "w");
	if (any_bl)
		set_black_rgb(f, lv);
	return 0;
}

/* CSV when the first meaningful line has a comma before any colon. */
static bool looks_like_csv(const char *s)
{
	while (*s == '\n' || *s == '\r' || *s == ' ' || *s == '\t')
		s++;
	for (; *s && *s != '\n'; s++) {
		if (*s == ':' || *s == '#' || *s == '{' || *s == '[')
			return false;
		if (*s == ',')
			return true;
	}
	return false;
}

const char *lumen_sidecar_dialect_name(enum lumen_sidecar_dialect d)
{
	switch (d) {
	case LUMEN_SIDECAR_LUMEN:
		return "lumen";
	case LUMEN_SIDECAR_INFINITE_ISP:
		return "Infinite-ISP";
	case LUMEN_SIDECAR_FAST_OPENISP:
		return "fast-openISP";
	case LUMEN_SIDECAR_OPENISP_CSV:
		return "openISP CSV";
	}
	return "?";
}

int lumen_sidecar_parse(const char *name, const char *buf, size_t len,
			struct lumen_raw_format *f,
			enum lumen_sidecar_dialect *dialect, char *err,
			size_t errlen)
{
	struct lumen_raw_format tmp = *f;
	enum lumen_sidecar_dialect d = LUMEN_SIDECAR_LUMEN;
	char *text;
	int ret;

	if (!name)
		name = "sidecar";
	if (len > LUMEN_SIDECAR_MAX_BYTES)
		return lumen_fail(-E2BIG, err, errlen,
				     "%s: %zu bytes, more than the %u a sidecar may have",
				     name, len, LUMEN_SIDECAR_MAX_BYTES);
	/* a private NUL-terminated copy without the UTF-8 byte-order mark */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) {
		buf += 3;
		len -= 3;
	}
	if (memchr(buf, 0, len))
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: contains NUL bytes; not a text sidecar", name);
	text = malloc(len + 1);
	if (!text)
		return lumen_fail(-ENOMEM, err, errlen, "%s: out of memory", name);
	memcpy(text, buf, len);
	text[len] = '\0';

	if (looks_like_csv(text)) {
		d = LUMEN_SIDECAR_OPENISP_CSV;
		ret = parse_csv(name, text, &tmp, err, errlen);
	} else {
		ret = parse_yaml(name, text, len, &tmp, &d, err, errlen);
	}
	free(text);
	if (ret)
		return ret;
	*f = tmp;
	if (dialect)
		*dialect = d;
	return 0;
}

int lumen_sidecar_load(const char *path, struct lumen_raw_format *f,
		       enum lumen_sidecar_dialect *dialect, char *err,
		       size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;
	char *buf;
	size_t got;
	int ret;

	if (!fp) {
		ret = -errno;
		return lumen_fail(ret, err, errlen, "%s: cannot open: %s", path,
				     strerror(-ret));
	}
	if (fstat(fileno(fp), &st) || !S_ISREG(st.st_mode)) {
		fclose(fp);
		return lumen_fail(-EINVAL, err, errlen, "%s: not a regular file",
				     path);
	}
	if (st.st_size > (off_t)LUMEN_SIDECAR_MAX_BYTES) {
		fclose(fp);
		return lumen_fail(-E2BIG, err, errlen,
				     "%s: %lld bytes, more than the %u a sidecar may have",
				     path, (long long)st.st_size, LUMEN_SIDECAR_MAX_BYTES);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(fp);
		return lumen_fail(-ENOMEM, err, errlen, "%s: out of memory", path);
	}
	got = fread(buf, 1, (size_t)st.st_size, fp);
	if (ferror(fp)) {
		ret = lumen_fail(-EIO, err, errlen, "%s: read error", path);
	} else {
		ret = lumen_sidecar_parse(path, buf, got, f, dialect, err, errlen);
	}
	free(buf);
	fclose(fp);
	return ret;
}

/* ------------------------------------------------------------------ */
/* the file at hand vs. the config                                     */

static unsigned scale_level(unsigned v, int from_bits, int to_bits)
{
	unsigned max_to = (1u << to_bits) - 1;

	if (v == (1u << from_bits) - 1)
		return max_to;	/* full scale stays full scale */
	if (to_bits < from_bits) {
		int s = from_bits - to_bits;

		/* nearest, ties downwards */
		v = (v + (1u << (s - 1)) - 1) >> s;
	} else {
		v <<= to_bits - from_bits;
	}
	return v > max_to ? max_to : v;
}

int lumen_raw_format_fit_size(struct lumen_raw_format *f, long long file_size,
			      const char *name, char *note, size_t notelen)
{
	static const enum lumen_pixfmt cs[] = {
		LUMEN_PIX_BAYER8, LUMEN_PIX_BAYER16, LUMEN_PIX_BAYER10P,
		LUMEN_PIX_BAYER12P,
	};
	static const int cbits[] = { 8, 16, 10, 12 };
	struct lumen_raw_format r = *f;
	long long want;
	int from_bits, to_bits;
	size_t i;

	if (note && notelen)
		note[0] = '\0';
	if (!name)
		name = "raw";
	if (r.offset || r.stride || r.width <= 0 || r.height <= 0 ||
	    r.width > LUMEN_MAX_DIM || r.height > LUMEN_MAX_DIM ||
	    r.bits < 0 || r.bits > 16)
		return 0;
	want = lumen_raw_format_file_size(&r);
	if (want == file_size)
		return 0;
	for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		r.container = cs[i];
		if (lumen_raw_format_file_size(&r) == file_size)
			break;
	}
	if (i == sizeof(cs) / sizeof(cs[0]))
		return 0;

	from_bits = f->bits ? f->bits :
		    f->container == LUMEN_PIX_BAYER10P ? 10 :
		    f->container == LUMEN_PIX_BAYER12P ? 12 :
		    f->container == LUMEN_PIX_BAYER16 ? 16 : 8;
	to_bits = from_bits;
	if (cbits[i] < from_bits || cs[i] == LUMEN_PIX_BAYER10P ||
	    cs[i] == LUMEN_PIX_BAYER12P)
		to_bits = cbits[i];
	r.bits = to_bits;
	if (to_bits != from_bits) {
		if (r.has_white)
			r.white = (uint16_t)scale_level(r.white, from_bits, to_bits);
		if (r.has_black)
			for (int c = 0; c < 4; c++)
				r.black[c] = (uint16_t)scale_level(r.black[c], from_bits,
								   to_bits);
	}
	if (note && notelen) {
		int n = snprintf(note, notelen,
				 "%s: %lld bytes is %dx%d %s samples, not the configured %d-bit",
				 name, file_size, r.width, r.height,
				 lumen_pixfmt_name(cs[i]), from_bits);

		if (to_bits != from_bits && n > 0 && (size_t)n < notelen)
			snprintf(note + n, notelen - (size_t)n,
				 "; levels scaled to %d bits: black %u,%u,%u,%u, white %u",
				 to_bits, r.black[0], r.black[1], r.black[2], r.black[3],
				 r.has_white ? r.white : (1u << to_bits) - 1);
	}
	*f = r;
	return 1;
}

int lumen_raw_format_fit_file(struct lumen_raw_format *f, const char *path,
			      char *note, size_t notelen, char *err,
			      size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		int ret = -errno;

		return lumen_fail(ret, err, errlen, "%s: %s", path, strerror(-ret));
	}
	return lumen_raw_format_fit_size(f, (long long)st.st_size, path, note,
					 notelen);
}

int lumen_raw_load(const char *path, const struct lumen_raw_format *fmt,
		   struct lumen_frame *out, char *note, size_t notelen,
		   char *err, size_t errlen)
{
	struct lumen_raw_format f = *fmt;
	struct lumen_frame fr;
	char n1[256] = "", n2[256] = "";
	int ret;

	ret = lumen_raw_format_fit_file(&f, path, n1, sizeof(n1), err, errlen);
	if (ret < 0)
		return ret;
	ret = lumen_raw_read_flags(path, &f, LUMEN_RAW_ALLOW_OVERRANGE, &fr, err,
				   errlen);
	if (ret)
		return ret;
	lumen_raw_fit_levels(&fr, path, n2, sizeof(n2));
	if (note && notelen)
		snprintf(note, notelen, "%s%s%s", n1, n1[0] && n2[0] ? "; " : "", n2);
	*out = fr;
	return 0;
}

/* ------------------------------------------------------------------ */
/* command line                                                        */

static const char *const option_keys[] = {
	"size", "width", "height", "bits", "bayer", "packing", "container",
	"black", "white", "offset", "stride", "endian", "sidecar",
};

int lumen_raw_format_from_options(struct lumen_raw_format *f, int *argc,
				  char **argv, char *err, size_t errlen)
{
	struct lumen_raw_format tmp = *f;
	char **keep;
	int n = *argc, kept = 0, used = 0, ret = 0;

	if (n < 0)
		return lumen_fail(-EINVAL, err, errlen, "bad argument count");
	keep = malloc(((size_t)n + 1) * sizeof(*keep));
	if (!keep)
		return lumen_fail(-ENOMEM, err, errlen, "out of memory");
	for (int i = 0; i < n; i++) {
		const char *a = argv[i], *val = NULL, *key;
		char name[32], msg[192];
		size_t klen, k;

		if (!strcmp(a, "--")) {
			while (i < n)
				keep[kept++] = argv[i++];
			break;
		}
		if (strncmp(a, "--", 2)) {
			keep[kept++] = argv[i];
			continue;
		}
		key = a + 2;
		klen = strcspn(key, "=");
		for (k = 0; k < sizeof(option_keys) / sizeof(option_keys[0]); k++)
			if (strlen(option_keys[k]) == klen &&
			    !strncmp(key, option_keys[k], klen))
				break;
		if (k == sizeof(option_keys) / sizeof(option_keys[0])) {
			keep[kept++] = argv[i];
			continue;
		}
		snprintf(name, sizeof(name), "%s", option_keys[k]);
		if (key[klen] == '=') {
			val = key + klen + 1;
		} else if (i + 1 < n) {
			val = argv[++i];
		} else {
			ret = lumen_fail(-EINVAL, err, errlen,
					    "option --%s needs a value", name);
			break;
		}
		used++;
		if (!strcmp(name, "sidecar")) {
			ret = lumen_sidecar_load(val, &tmp, NULL, err, errlen);
			if (ret)
				break;
			continue;
		}
		ret = lumen_raw_format_set(&tmp, name, val, msg, sizeof(msg));
		if (ret) {
			/* "key 'bits': bad value ..." -> "option --bits: bad value ..." */
			const char *m = strstr(msg, "': ");

			ret = lumen_fail(-EINVAL, err, errlen, "option --%s: %s",
					    name, m ? m + 3 : msg);
			break;
		}
	}
	if (!ret) {
		memcpy(argv, keep, (size_t)kept * sizeof(*keep));
		if (kept < n)
			argv[kept] = NULL;
		*argc = kept;
		*f = tmp;
		ret = used;
	}
	free(keep);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* Tuning files: libyaml document API in, plain stdio out. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "io/tuning.h"

void lumen_tuning_init(struct lumen_tuning *t)
{
	memset(t, 0, sizeof(*t));
}

__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

struct loader {
	const char *path;
	yaml_document_t *doc;
	char *err;
	size_t errlen;
};

static int bad(struct loader *l, const yaml_node_t *n, const char *key,
	       const char *what)
{
	set_err(l->err, l->errlen, "%s:%lu: key '%s': %s", l->path,
		(unsigned long)n->start_mark.line + 1, key, what);
	return -EINVAL;
}

static int get_double(struct loader *l, const yaml_node_t *n, const char *key,
		      double *out)
{
	const char *s = (const char *)n->data.scalar.value;
	char *end;
	double v;

	if (n->type != YAML_SCALAR_NODE || !n->data.scalar.length)
		return bad(l, n, key, "expected a number");
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(v))
		return bad(l, n, key, "expected a number");
	*out = v;
	return 0;
}

static int get_float(struct loader *l, const yaml_node_t *n, const char *key,
		     float *out, double lo, double hi)
{
	double v;
	int ret = get_double(l, n, key, &v);

	if (ret)
		return ret;
	if (v < lo || v > hi)
		return bad(l, n, key, "value out of range");
	*out = (float)v;
	return 0;
}

static int get_u16(struct loader *l, const yaml_node_t *n, const char *key,
		   uint16_t *out)
{
	double v;
	int ret = get_double(l, n, key, &v);

	if (ret)
		return ret;
	if (v < 0 || v > 65535 || v != floor(v))
		return bad(l, n, key, "expected an integer 0..65535");
	*out = (uint16_t)v;
	return 0;
}

static int get_string(struct loader *l, const yaml_node_t *n, const char *key,
		      char *out, size_t size)
{
	if (n->type != YAML_SCALAR_NODE)
		return bad(l, n, key, "expected a string");
	if (n->data.scalar.length >= size ||
	    memchr(n->data.scalar.value, 0, n->data.scalar.length))
		return bad(l, n, key, "string too long");
	memcpy(out, n->data.scalar.value, n->data.scalar.length);
	out[n->data.scalar.length] = 0;
	return 0;
}

/* The @want items of a sequence node, or an error. */
static int get_seq(struct loader *l, const yaml_node_t *n, const char *key,
		   int want, yaml_node_t **items)
{
	yaml_node_item_t *it;
	int k = 0;

	if (n->type != YAML_SEQUENCE_NODE)
		return bad(l, n, key, "expected a list");
	for (it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		if (k == want)
			break;
		items[k++] = yaml_document_get_node(l->doc, *it);
	}
	if (k != want || it != n->data.sequence.items.top) {
		char what[48];

		snprintf(what, sizeof(what), "expected a list of %d", want);
		return bad(l, n, key, what);
	}
	return 0;
}

/*
 * The values of sub-mapping @n of key @where into @out[i] for @names[i]
 * (NULL when absent); an unknown or repeated key is an error.
 */
static int sub_mapping(struct loader *l, const yaml_node_t *n, const char *where,
		       const char *expected, const char *const names[], int count,
		       yaml_node_t *out[])
{
	char what[64];

	for (int i = 0; i < count; i++)
		out[i] = NULL;
	if (n->type != YAML_MAPPING_NODE) {
		snprintf(what, sizeof(what), "expected a mapping with %s", expected);
		return bad(l, n, where, what);
	}
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
		const char *key = k->type == YAML_SCALAR_NODE
					  ? (const char *)k->data.scalar.value
					  : "?";
		int idx = 0;

		while (idx < count && strcmp(key, names[idx]))
			idx++;
		if (idx == count) {
			snprintf(what, sizeof(what), "unknown key in %s", where);
			return bad(l, k, key, what);
		}
		if (out[idx])
			return bad(l, k, key, "repeated key");
		out[idx] = yaml_document_get_node(l->doc, p->value);
	}
	return 0;
}

static int load_delta_e(struct loader *l, const yaml_node_t *n,
			struct lumen_tuning *t)
{
	static const char *const names[2] = { "mean", "max" };
	float *dst[2] = { &t->delta_e_mean, &t->delta_e_max };
	yaml_node_t *v[2];
	int ret = sub_mapping(l, n, "delta_e", "mean, max", names, 2, v);

	for (int i = 0; !ret && i < 2; i++)
		if (v[i])
			ret = get_float(l, v[i], names[i], dst[i], 0, 1000);
	return ret;
}

/* lsc: { grid: [W, H], gain: [[W*H], [W*H], [W*H], [W*H]] }, grid first */
static int load_lsc(struct loader *l, const yaml_node_t *n,
		    struct lumen_tuning *t)
{
	static const char *const names[2] = { "grid", "gain" };
	yaml_node_t *v[2], *grid, *gain, *items[4], *wh[2];
	int ret, dim[2];

	ret = sub_mapping(l, n, "lsc", "grid, gain", names, 2, v);
	if (ret)
		return ret;
	grid = v[0];
	gain = v[1];
	if (!grid || !gain)
		return bad(l, n, "lsc", "needs both grid and gain");
	ret = get_seq(l, grid, "grid", 2, wh);
	for (int i = 0; !ret && i < 2; i++) {
		double d;

		ret = get_double(l, wh[i], "grid", &d);
		if (!ret && (d != (int)d || d < 2 || d > 64))
			ret = bad(l, wh[i], "grid", "expected whole numbers 2..64");
		dim[i] = (int)d;
	}
	if (ret)
		return ret;
	if (dim[0] * dim[1] > LUMEN_TUNING_LSC_MAX)
		return bad(l, grid, "grid", "too many nodes (at most 1024)");
	ret = get_seq(l, gain, "gain", 4, items);
	for (int c = 0; !ret && c < 4; c++) {
		yaml_node_t *g[LUMEN_TUNING_LSC_MAX];

		ret = get_seq(l, items[c], "gain", dim[0] * dim[1], g);
		for (int i = 0; !ret && i < dim[0] * dim[1]; i++)
			ret = get_float(l, g[i], "gain", &t->lsc_gain[c][i],
					0.1, 16);
	}
	if (!ret) {
		t->lsc_w = dim[0];
		t->lsc_h = dim[1];
	}
	return ret;
}

bool lumen_tuning_lsc_map(const struct lumen_tuning *t, struct lumen_lsc_map *map)
{
	if (!t->lsc_w)
		return false;
	map->grid_w = t->lsc_w;
	map->grid_h = t->lsc_h;
	for (int c = 0; c < 4; c++)
		map->gain[c] = t->lsc_gain[c];
	return true;
}

static const char *const keys[] = {
	"sensor", "black", "white", "wb", "ccm", "exposure", "delta_e",
	"source", "lsc",
};
#define NKEYS (int)(sizeof(keys) / sizeof(keys[0]))

static int load_key(struct loader *l, int idx, yaml_node_t *v,
		    struct lumen_tuning *t)
{
	yaml_node_t *items[4], *row[3];
	const char *key = keys[idx];
	int ret = 0;

	switch (idx) {
	case 0:
		return get_string(l, v, key, t->sensor, sizeof(t->sensor));
	case 1:
		if (v->type == YAML_SCALAR_NODE) {
			ret = get_u16(l, v, key, &t->black[0]);
			t->black[1] = t->black[2] = t->black[3] = t->black[0];
		} else {
			ret = get_seq(l, v, key, 4, items);
			for (int i = 0; !ret && i < 4; i++)
				ret = get_u16(l, items[i], key, &t->black[i]);
		}
		t->has_black = !ret;
		return ret;
	case 2:
		ret = get_u16(l, v, key, &t->white);
		if (!ret && !t->white)
			return bad(l, v, key, "must be > 0");
		return ret;
	case 3:
		ret = get_seq(l, v, key, 3, items);
		for (int i = 0; !ret && i < 3; i++)
			ret = get_float(l, items[i], key, &t->wb[i], 1e-3, 1e3);
		t->has_wb = !ret;
		return ret;
	case 4:
		ret = get_seq(l, v, key, 3, items);
		for (int i = 0; !ret && i < 3; i++) {
			ret = get_seq(l, items[i], key, 3, row);
			for (int j = 0; !ret && j < 3; j++)
				ret = get_float(l, row[j], key, &t->ccm[i][j],
						-100, 100);
		}
		t->has_ccm = !ret;
		return ret;
	case 5:
		return get_float(l, v, key, &t->exposure, 1e-6, 1e6);
	case 6:
		return load_delta_e(l, v, t);
	case 7:
		return get_string(l, v, key, t->source, sizeof(t->source));
	case 8:
		return load_lsc(l, v, t);
	}
	return -EINVAL;
}

int lumen_tuning_load(const char *path, struct lumen_tuning *t, char *err,
		      size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct lumen_tuning tmp;
	struct loader l = { path, &doc, err, errlen };
	bool seen[NKEYS] = { false };
	yaml_node_t *root;
	FILE *fp;
	int ret = 0;

	if (!path || !t)
		return -EINVAL;
	fp = fopen(path, "rb");
	if (!fp) {
		ret = -errno;
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (!yaml_parser_initialize(&parser)) {
		fclose(fp);
		set_err(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc)) {
		set_err(err, errlen, "%s:%lu: %s", path,
			(unsigned long)parser.problem_mark.line + 1,
			parser.problem ? parser.problem : "YAML syntax error");
		yaml_parser_delete(&parser);
		fclose(fp);
		return -EINVAL;
	}
	lumen_tuning_init(&tmp);
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		set_err(err, errlen, "%s: empty file", path);
		ret = -EINVAL;
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		set_err(err, errlen, "%s:%lu: expected a mapping of keys",
			path, (unsigned long)root->start_mark.line + 1);
		ret = -EINVAL;
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top && !ret; p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		const char *key;
		int idx;

		if (k->type != YAML_SCALAR_NODE) {
			ret = bad(&l, k, "?", "keys must be plain names");
			break;
		}
		key = (const char *)k->data.scalar.value;
		for (idx = 0; idx < NKEYS; idx++)
			if (!strcmp(key, keys[idx]))
				break;
		if (idx == NKEYS) {
			ret = bad(&l, k, key, "unknown key");
			break;
		}
		if (seen[idx]) {
			ret = bad(&l, k, key, "repeated key");
			break;
		}
		seen[idx] = true;
		ret = load_key(&l, idx, v, &tmp);
	}
	if (!ret && tmp.has_black && tmp.white) {
		for (int i = 0; i < 4; i++)
			if (tmp.black[i] >= tmp.white) {
				set_err(err, errlen,
					"%s: key 'black': must be below white",
					path);
				ret = -EINVAL;
			}
	}
	if (!ret)
		*t = tmp;
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(fp);
	return ret;
}

/* YAML double-quoted scalar. */
static void put_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

int lumen_tuning_save(const char *path, const struct lumen_tuning *t,
		      char *err, size_t errlen)
{
	char *tmp;
	FILE *fp;
	int fd, ret = 0;

	if (!path || !t)
		return -EINVAL;
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		set_err(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return ret;
	}
	fchmod(fd, 0644);
	fp = fdopen(fd, "w");
	if (!fp) {
		ret = -errno;
		close(fd);
		goto fail;
	}
	fprintf(fp, "# lumen tuning file (see src/io/tuning.h)\n");
	if (t->sensor[0]) {
		fprintf(fp, "sensor: ");
		put_string(fp, t->sensor);
		fputc('\n', fp);
	}
	if (t->has_black)
		fprintf(fp, "black: [%u, %u, %u, %u]\n", t->black[0],
			t->black[1], t->black[2], t->black[3]);
	if (t->white)
		fprintf(fp, "white: %u\n", t->white);
	if (t->has_wb)
		fprintf(fp, "wb: [%.9g, %.9g, %.9g]\n", t->wb[0], t->wb[1],
			t->wb[2]);
	if (t->has_ccm) {
		fprintf(fp, "ccm:\n");
		for (int i = 0; i < 3; i++)
			fprintf(fp, "  - [%.9g, %.9g, %.9g]\n", t->ccm[i][0],
				t->ccm[i][1], t->ccm[i][2]);
	}
	if (t->exposure > 0)
		fprintf(fp, "exposure: %.9g\n", t->exposure);
	if (t->delta_e_mean > 0 || t->delta_e_max > 0)
		fprintf(fp, "delta_e:\n  mean: %.9g\n  max: %.9g\n",
			t->delta_e_mean, t->delta_e_max);
	if (t->source[0]) {
		fprintf(fp, "source: ");
		put_string(fp, t->source);
		fputc('\n', fp);
	}
	if (t->lsc_w && t->lsc_h) {
		fprintf(fp, "lsc:\n  grid: [%d, %d]\n  gain:\n", t->lsc_w,
			t->lsc_h);
		for (int c = 0; c < 4; c++) {
			fprintf(fp, "    - [");
			for (int i = 0; i < t->lsc_w * t->lsc_h; i++)
				fprintf(fp, "%s%.5g", i ? (i % t->lsc_w ? ", " : ",\n       ") : "",
					t->lsc_gain[c][i]);
			fprintf(fp, "]\n");
		}
	}
	if (fflush(fp) || fsync(fileno(fp)) || ferror(fp)) {
		ret = -errno ? -errno : -EIO;
		fclose(fp);
		goto fail;
	}
	if (fclose(fp)) {
		ret = -errno;
		goto fail;
	}
	if (rename(tmp, path)) {
		ret = -errno;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	set_err(err, errlen, "%s: %s", path, strerror(-ret));
	unlink(tmp);
	free(tmp);
	return ret;
}

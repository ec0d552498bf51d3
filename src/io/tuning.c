// SPDX-License-Identifier: GPL-2.0-or-later
/* Tuning files: the YAML reader (core/yaml_doc.h) in, plain stdio out. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/errmsg.h"
#include "core/yaml_doc.h"
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

#define bad(y, n, key, ...) lumen_yaml_fail(y, n, key, __VA_ARGS__)

static int get_float(struct lumen_yaml *y, const yaml_node_t *n, const char *key,
		     float *out, double lo, double hi)
{
	double v;
	int ret = lumen_yaml_double(y, n, key, lo, hi, &v);

	if (!ret)
		*out = (float)v;
	return ret;
}

static int get_u16(struct lumen_yaml *y, const yaml_node_t *n, const char *key,
		   uint16_t *out)
{
	long long v;
	int ret = lumen_yaml_int(y, n, key, 0, 65535, &v);

	if (!ret)
		*out = (uint16_t)v;
	return ret;
}

/* The @want items of a sequence node, or an error. */
static int get_seq(struct lumen_yaml *y, const yaml_node_t *n, const char *key,
		   int want, yaml_node_t **items)
{
	int len = lumen_yaml_seq_len(n);

	if (len < 0)
		return bad(y, n, key, "expected a list");
	if (len != want)
		return bad(y, n, key, "expected a list of %d", want);
	for (int k = 0; k < want; k++)
		items[k] = lumen_yaml_item(y, n, k);
	return 0;
}

/*
 * The values of sub-mapping @n of key @where into @out[i] for @names[i]
 * (NULL when absent); an unknown key is an error.
 */
static int sub_mapping(struct lumen_yaml *y, const yaml_node_t *n,
		       const char *where, const char *expected,
		       const char *const names[], int count, yaml_node_t *out[])
{
	for (int i = 0; i < count; i++)
		out[i] = NULL;
	if (n->type != YAML_MAPPING_NODE)
		return bad(y, n, where, "expected a mapping with %s", expected);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	     p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = lumen_yaml_node(y, p->key);
		const char *key = lumen_yaml_text(k);
		int idx = 0;

		while (idx < count && strcmp(key, names[idx]))
			idx++;
		if (idx == count)
			return bad(y, k, key, "unknown key in %s", where);
		out[idx] = lumen_yaml_node(y, p->value);
	}
	return 0;
}

static int load_delta_e(struct lumen_yaml *l, const yaml_node_t *n,
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
static int load_lsc(struct lumen_yaml *l, const yaml_node_t *n,
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
	ret = get_seq(l, grid, "lsc.grid", 2, wh);
	for (int i = 0; !ret && i < 2; i++) {
		long long d = 0;

		ret = lumen_yaml_int(l, wh[i], "lsc.grid", 2, 64, &d);
		dim[i] = (int)d;
	}
	if (ret)
		return ret;
	if (dim[0] * dim[1] > LUMEN_TUNING_LSC_MAX)
		return bad(l, grid, "lsc.grid", "too many nodes (at most %d)",
			   LUMEN_TUNING_LSC_MAX);
	ret = get_seq(l, gain, "lsc.gain", 4, items);
	for (int c = 0; !ret && c < 4; c++) {
		yaml_node_t *g[LUMEN_TUNING_LSC_MAX];

		ret = get_seq(l, items[c], "lsc.gain", dim[0] * dim[1], g);
		for (int i = 0; !ret && i < dim[0] * dim[1]; i++)
			ret = get_float(l, g[i], "lsc.gain", &t->lsc_gain[c][i],
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

bool lumen_tuning_dpc_map(const struct lumen_tuning *t, struct lumen_dpc_map *map)
{
	if (!t->dpc_count)
		return false;
	map->count = t->dpc_count;
	map->pos = t->dpc_pos;
	return true;
}

static int cmp_u32(const void *a, const void *b)
{
	const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* dpc_map: [[x, y], ...]; kept sorted, duplicates dropped */
static int load_dpc_map(struct lumen_yaml *l, const yaml_node_t *n,
			struct lumen_tuning *t)
{
	const int len = lumen_yaml_seq_len(n);
	int count = 0;

	if (len < 0)
		return bad(l, n, "dpc_map", "expected a list of [x, y]");
	if (len > LUMEN_TUNING_DPC_MAX)
		return bad(l, n, "dpc_map", "too many pixels (at most %d)",
			   LUMEN_TUNING_DPC_MAX);
	for (int i = 0; i < len; i++) {
		yaml_node_t *xy[2];
		long long v[2];
		int ret = get_seq(l, lumen_yaml_item(l, n, i), "dpc_map", 2, xy);

		for (int k = 0; !ret && k < 2; k++)
			ret = lumen_yaml_int(l, xy[k], "dpc_map", 0, 65535, &v[k]);
		if (ret)
			return ret;
		t->dpc_pos[count++] = (uint32_t)v[1] << 16 | (uint32_t)v[0];
	}
	qsort(t->dpc_pos, (size_t)count, sizeof(t->dpc_pos[0]), cmp_u32);
	t->dpc_count = 0;
	for (int i = 0; i < count; i++)
		if (!i || t->dpc_pos[i] != t->dpc_pos[i - 1])
			t->dpc_pos[t->dpc_count++] = t->dpc_pos[i];
	return 0;
}

static const char *const keys[] = {
	"sensor", "black", "white", "wb", "ccm", "exposure", "delta_e",
	"source", "lsc", "noise", "dpc_map", "sharpen",
};
#define NKEYS (int)(sizeof(keys) / sizeof(keys[0]))

static int load_key(struct lumen_yaml *l, int idx, yaml_node_t *v,
		    struct lumen_tuning *t)
{
	yaml_node_t *items[4], *row[3];
	const char *key = keys[idx];
	int ret = 0;

	switch (idx) {
	case 0:
		return lumen_yaml_string(l, v, key, t->sensor, sizeof(t->sensor));
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
		return lumen_yaml_string(l, v, key, t->source, sizeof(t->source));
	case 8:
		return load_lsc(l, v, t);
	case 9:
		ret = get_seq(l, v, key, 2, items);
		for (int i = 0; !ret && i < 2; i++)
			ret = get_float(l, items[i], key, &t->noise[i], 0, 1e9);
		t->has_noise = !ret;
		return ret;
	case 10:
		return load_dpc_map(l, v, t);
	case 11:
		ret = get_float(l, v, key, &t->sharpen, 0, 8);
		t->has_sharpen = !ret;
		return ret;
	}
	return -EINVAL;
}

/* Checks the document in @y into @t; @t is written only on success. */
static int load(struct lumen_yaml *y, struct lumen_tuning *t)
{
	struct lumen_tuning *tmp;
	yaml_node_t *root = lumen_yaml_root(y);
	int ret = 0;

	if (!root)
		return lumen_fail(-EINVAL, y->err, y->errlen, "%s: empty file", y->name);
	if (root->type != YAML_MAPPING_NODE)
		return bad(y, root, NULL, "expected a mapping of keys");
	tmp = malloc(sizeof(*tmp));	/* 16 KiB of shading grid, 16 of map */
	if (!tmp)
		return lumen_fail(-ENOMEM, y->err, y->errlen, "%s: out of memory",
				  y->name);
	lumen_tuning_init(tmp);
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top && !ret; p++) {
		yaml_node_t *k = lumen_yaml_node(y, p->key);
		const char *key = lumen_yaml_text(k);
		int idx;

		for (idx = 0; idx < NKEYS; idx++)
			if (!strcmp(key, keys[idx]))
				break;
		if (idx == NKEYS)
			ret = bad(y, k, key, "unknown key");
		else	/* the reader refused repeated keys */
			ret = load_key(y, idx, lumen_yaml_node(y, p->value), tmp);
	}
	if (!ret && tmp->has_black && tmp->white) {
		for (int i = 0; i < 4; i++)
			if (tmp->black[i] >= tmp->white)
				ret = lumen_fail(-EINVAL, y->err, y->errlen,
						 "%s: key 'black': must be below white",
						 y->name);
	}
	if (!ret)
		*t = *tmp;
	free(tmp);
	return ret;
}

int lumen_tuning_load(const char *path, struct lumen_tuning *t, char *err,
		      size_t errlen)
{
	struct lumen_yaml y;
	int ret;

	if (!path || !t)
		return -EINVAL;
	ret = lumen_yaml_load_file(&y, path, err, errlen);
	if (ret)
		return ret == -EFBIG ? -EINVAL : ret;
	ret = load(&y, t);
	lumen_yaml_free(&y);
	return ret;
}

int lumen_tuning_parse(const char *name, const char *text, size_t len,
		       struct lumen_tuning *t, char *err, size_t errlen)
{
	struct lumen_yaml y;
	int ret;

	if (!name || !text || !t)
		return -EINVAL;
	ret = lumen_yaml_load_buffer(&y, name, text, len, err, errlen);
	if (ret)
		return ret == -EFBIG ? -EINVAL : ret;
	ret = load(&y, t);
	lumen_yaml_free(&y);
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
	if (t->has_noise)
		fprintf(fp, "noise: [%.9g, %.9g]\n", t->noise[0], t->noise[1]);
	if (t->has_sharpen)
		fprintf(fp, "sharpen: %.9g\n", t->sharpen);
	if (t->dpc_count) {
		fprintf(fp, "dpc_map:\n");
		for (int i = 0; i < t->dpc_count; i++)
			fprintf(fp, "  - [%u, %u]\n", (unsigned)(t->dpc_pos[i] & 0xffff),
				(unsigned)(t->dpc_pos[i] >> 16));
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

// SPDX-License-Identifier: GPL-2.0-or-later
/* The one YAML reader: a libyaml document built from events under limits. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/errmsg.h"
#include "core/yaml_doc.h"

/* ---- messages ------------------------------------------------------------ */

int lumen_yaml_line(const yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 1;
}

static int vfail_at(struct lumen_yaml *y, int line, const char *key,
		    const char *fmt, va_list ap)
{
	char why[320];

	/* libyaml puts the end of a file without a final newline on a line
	 * after it */
	if (y->lines && line > y->lines)
		line = y->lines;
	vsnprintf(why, sizeof(why), fmt, ap);
	if (key)
		return lumen_fail(-EINVAL, y->err, y->errlen, "%s:%d: %s%skey '%s': %s",
				  y->name, line, y->entry ? y->entry : "",
				  y->entry ? ": " : "", key, why);
	return lumen_fail(-EINVAL, y->err, y->errlen, "%s:%d: %s%s%s", y->name,
			  line, y->entry ? y->entry : "", y->entry ? ": " : "", why);
}

__attribute__((format(printf, 4, 5)))
static int fail_at(struct lumen_yaml *y, int line, const char *key,
		   const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail_at(y, line, key, fmt, ap);
	va_end(ap);
	return ret;
}

int lumen_yaml_fail(struct lumen_yaml *y, const yaml_node_t *n, const char *key,
		    const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail_at(y, lumen_yaml_line(n), key, fmt, ap);
	va_end(ap);
	return ret;
}

/* ---- building the document from events ----------------------------------- */

/* One open sequence or mapping. */
struct frame {
	int id;		/* its node id */
	int key;	/* mappings: the key waiting for its value, 0 = none */
};

struct anchor {
	char *name;
	int id;		/* the node it names */
};

struct builder {
	struct lumen_yaml *y;
	struct frame st[LUMEN_YAML_DEPTH_MAX];
	int depth;
	int nodes;
	struct anchor anchors[LUMEN_YAML_ANCHORS_MAX];
	int nanchors;
};

static yaml_node_t *node_of(struct builder *b, int id)
{
	return yaml_document_get_node(&b->y->doc, id);
}

/* Appends "[i]" or ".name" / "name" to @buf at *@n. */
static void put_label(char *buf, size_t size, size_t *n, const char *name, long idx)
{
	int k;

	if (*n >= size)
		return;
	if (name)
		k = snprintf(buf + *n, size - *n, "%s%s", *n ? "." : "", name);
	else
		k = snprintf(buf + *n, size - *n, "[%ld]", idx);
	if (k > 0)
		*n += (size_t)k;
}

/*
 * The dotted path of the node about to be added under the open frames, or,
 * with @last, of key @last in the innermost (mapping) frame. NULL at the
 * root level, where there is no key to name.
 */
static const char *path_of(struct builder *b, const char *last, char *buf,
			   size_t size)
{
	size_t n = 0;

	buf[0] = 0;
	for (int i = 0; i < b->depth; i++) {
		yaml_node_t *f = node_of(b, b->st[i].id);
		bool top = i == b->depth - 1;

		if (f->type == YAML_SEQUENCE_NODE) {
			long cnt = f->data.sequence.items.top - f->data.sequence.items.start;

			if (!top || !last)
				put_label(buf, size, &n, NULL, top ? cnt : cnt - 1);
			continue;
		}
		if (top && last) {
			put_label(buf, size, &n, last, 0);
		} else if (top) {
			if (b->st[i].key)	/* a value: its key names it */
				put_label(buf, size, &n, lumen_yaml_text(node_of(b, b->st[i].key)), 0);
		} else {
			yaml_node_pair_t *p = f->data.mapping.pairs.top - 1;

			put_label(buf, size, &n, lumen_yaml_text(node_of(b, p->key)), 0);
		}
	}
	if (n >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf[0] ? buf : NULL;
}

struct keyref {
	const char *s;
	int pos;
};

static int keyref_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* The position of the first key of @map that repeats an earlier one; -1
 * when none, -ENOMEM. */
static int first_repeat(struct builder *b, yaml_node_t *map)
{
	yaml_node_pair_t *p = map->data.mapping.pairs.start;
	int k = (int)(map->data.mapping.pairs.top - p), best = -1;
	struct keyref *r;

	if (k <= 16) {
		for (int j = 1; j < k; j++)
			for (int i = 0; i < j; i++)
				if (!strcmp(lumen_yaml_text(node_of(b, p[i].key)),
					    lumen_yaml_text(node_of(b, p[j].key))))
					return j;
		return -1;
	}
	r = malloc((size_t)k * sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (int i = 0; i < k; i++)
		r[i] = (struct keyref){ lumen_yaml_text(node_of(b, p[i].key)), i };
	qsort(r, (size_t)k, sizeof(*r), keyref_cmp);
	for (int i = 1; i < k; i++)
		if (!strcmp(r[i - 1].s, r[i].s) && (best < 0 || r[i].pos < best))
			best = r[i].pos;
	free(r);
	return best;
}

static int link_node(struct builder *b, bool scalar, int id);

/* Adds the node of a scalar or collection-start event and links it to its
 * parent; pushes collections. */
static int add_node(struct builder *b, yaml_event_t *ev)
{
	struct lumen_yaml *y = b->y;
	struct frame *top = b->depth ? &b->st[b->depth - 1] : NULL;
	bool in_map = top && node_of(b, top->id)->type == YAML_MAPPING_NODE;
	const yaml_char_t *anchor;
	int line = (int)ev->start_mark.line + 1, id;
	char path[160];
	yaml_node_t *n;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		break;
	default:
		anchor = ev->data.mapping_start.anchor;
		break;
	}
	if (anchor && b->nanchors == LUMEN_YAML_ANCHORS_MAX)
		return fail_at(y, line, path_of(b, NULL, path, sizeof(path)),
			       "more than %d anchors (&name)", LUMEN_YAML_ANCHORS_MAX);
	if (++b->nodes > LUMEN_YAML_NODES_MAX)
		return fail_at(y, line, NULL, "more than %d YAML nodes",
			       LUMEN_YAML_NODES_MAX);
	if (ev->type == YAML_SCALAR_EVENT) {
		if (ev->data.scalar.length > LUMEN_YAML_SCALAR_MAX)
			return fail_at(y, line, path_of(b, NULL, path, sizeof(path)),
				       "value longer than %d bytes",
				       LUMEN_YAML_SCALAR_MAX);
		if (memchr(ev->data.scalar.value, 0, ev->data.scalar.length))
			return fail_at(y, line, path_of(b, NULL, path, sizeof(path)),
				       "NUL character in a value");
		id = yaml_document_add_scalar(&y->doc, NULL, ev->data.scalar.value,
					      (int)ev->data.scalar.length,
					      ev->data.scalar.style);
	} else {
		if (in_map && !top->key)
			return fail_at(y, line, path_of(b, NULL, path, sizeof(path)),
				       "keys must be plain names, not lists or mappings");
		if (b->depth == LUMEN_YAML_DEPTH_MAX)
			return fail_at(y, line, NULL, "nested deeper than %d levels",
				       LUMEN_YAML_DEPTH_MAX);
		if (ev->type == YAML_SEQUENCE_START_EVENT)
			id = yaml_document_add_sequence(&y->doc, NULL,
							ev->data.sequence_start.style);
		else
			id = yaml_document_add_mapping(&y->doc, NULL,
						       ev->data.mapping_start.style);
	}
	if (!id)
		return -ENOMEM;
	n = node_of(b, id);
	n->start_mark = ev->start_mark;
	n->end_mark = ev->end_mark;
	if (anchor) {
		/* a redefined anchor names the newer node (YAML 1.2) */
		b->anchors[b->nanchors].name = strdup((const char *)anchor);
		if (!b->anchors[b->nanchors].name)
			return -ENOMEM;
		b->anchors[b->nanchors++].id = id;
	}
	return link_node(b, ev->type == YAML_SCALAR_EVENT, id);
}

/* Makes node @id the next item, key or value of the innermost collection;
 * pushes it when it is one (@scalar false). */
static int link_node(struct builder *b, bool scalar, int id)
{
	struct lumen_yaml *y = b->y;
	struct frame *top = b->depth ? &b->st[b->depth - 1] : NULL;
	bool in_map = top && node_of(b, top->id)->type == YAML_MAPPING_NODE;

	if (top && !in_map) {
		if (!yaml_document_append_sequence_item(&y->doc, top->id, id))
			return -ENOMEM;
	} else if (top && !top->key) {
		top->key = id;
	} else if (top) {
		if (!yaml_document_append_mapping_pair(&y->doc, top->id, top->key, id))
			return -ENOMEM;
		top->key = 0;
	}
	if (!scalar)
		b->st[b->depth++] = (struct frame){ id, 0 };
	return 0;
}

/*
 * An alias (*name) stands for the scalar its anchor named: the same node is
 * linked again, so it costs no memory. Aliases of lists and mappings are
 * refused: they are what turns a few lines into a "billion laughs".
 */
static int add_alias(struct builder *b, yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	int line = (int)ev->start_mark.line + 1, i;
	char path[160];

	if (++b->nodes > LUMEN_YAML_NODES_MAX)
		return fail_at(b->y, line, NULL, "more than %d YAML nodes",
			       LUMEN_YAML_NODES_MAX);
	for (i = b->nanchors - 1; i >= 0; i--)
		if (!strcmp(b->anchors[i].name, name))
			break;
	if (i < 0)
		return fail_at(b->y, line, path_of(b, NULL, path, sizeof(path)),
			       "alias *%.40s: no such anchor before it", name);
	if (node_of(b, b->anchors[i].id)->type != YAML_SCALAR_NODE)
		return fail_at(b->y, line, path_of(b, NULL, path, sizeof(path)),
			       "alias *%.40s names a list or mapping; only single "
			       "values may be aliased", name);
	return link_node(b, true, b->anchors[i].id);
}

/* Closes the innermost collection; a mapping's keys must be unique. */
static int end_node(struct builder *b, yaml_event_t *ev)
{
	yaml_node_t *n = node_of(b, b->st[b->depth - 1].id);
	char path[160];

	n->end_mark = ev->end_mark;
	if (n->type == YAML_MAPPING_NODE) {
		int j = first_repeat(b, n);

		if (j == -ENOMEM)
			return j;
		if (j >= 0) {
			yaml_node_t *k = node_of(b, n->data.mapping.pairs.start[j].key);

			return fail_at(b->y, lumen_yaml_line(k),
				       path_of(b, lumen_yaml_text(k), path, sizeof(path)),
				       "repeated key");
		}
	}
	b->depth--;
	return 0;
}

static int syntax_error(struct lumen_yaml *y, yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return lumen_fail(-ENOMEM, y->err, y->errlen, "%s: out of memory", y->name);
	return fail_at(y, (int)p->problem_mark.line + 1, NULL, "YAML error: %s%s%s",
		       p->problem ? p->problem : "malformed",
		       p->context ? " " : "", p->context ? p->context : "");
}

/* Events of the first document of @p into y->doc. */
static int build(struct lumen_yaml *y, yaml_parser_t *p)
{
	struct builder b = { .y = y };
	bool done = false;
	int ret = 0;

	while (!done && !ret) {
		yaml_event_t ev;

		if (!yaml_parser_parse(p, &ev)) {
			ret = syntax_error(y, p);
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			done = true;
			break;
		case YAML_ALIAS_EVENT:
			ret = add_alias(&b, &ev);
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			ret = add_node(&b, &ev);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			ret = end_node(&b, &ev);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	for (int i = 0; i < b.nanchors; i++)
		free(b.anchors[i].name);
	if (ret == -ENOMEM && p->error != YAML_MEMORY_ERROR)	/* ours, no message yet */
		lumen_fail(ret, y->err, y->errlen, "%s: out of memory", y->name);
	return ret;
}

int lumen_yaml_load_buffer(struct lumen_yaml *y, const char *name,
			   const char *buf, size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	const char *nul;
	int ret;

	memset(y, 0, sizeof(*y));
	y->name = name ? name : "yaml";
	y->err = err;
	y->errlen = errlen;
	if (len > LUMEN_YAML_FILE_MAX)
		return lumen_fail(-EFBIG, err, errlen, "%s: larger than %u KiB",
				  y->name, LUMEN_YAML_FILE_MAX >> 10);
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) {
		buf += 3;
		len -= 3;
	}
	y->lines = 1;
	for (const char *s = buf, *end = buf + len; (s = memchr(s, '\n', (size_t)(end - s)));
	     s++)
		y->lines++;
	nul = memchr(buf, 0, len);
	if (nul) {
		int line = 1;

		for (const char *s = buf; s < nul; s++)
			line += *s == '\n';
		return fail_at(y, line, NULL, "NUL byte: not a text file");
	}
	if (!yaml_parser_initialize(&parser))
		return lumen_fail(-ENOMEM, err, errlen, "%s: out of memory", y->name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_document_initialize(&y->doc, NULL, NULL, NULL, 1, 1)) {
		ret = lumen_fail(-ENOMEM, err, errlen, "%s: out of memory", y->name);
		goto delete_parser;
	}
	y->loaded = true;
	ret = build(y, &parser);
	if (ret)
		lumen_yaml_free(y);
delete_parser:
	yaml_parser_delete(&parser);
	return ret;
}

int lumen_yaml_load_file(struct lumen_yaml *y, const char *path, char *err,
			 size_t errlen)
{
	struct stat st;
	char *buf;
	size_t got;
	FILE *fp;
	int ret;

	memset(y, 0, sizeof(*y));
	fp = fopen(path, "rb");
	if (!fp) {
		ret = -errno;
		return lumen_fail(ret, err, errlen, "%s: %s", path, strerror(-ret));
	}
	if (fstat(fileno(fp), &st) || !S_ISREG(st.st_mode)) {
		fclose(fp);
		return lumen_fail(-EFBIG, err, errlen, "%s: not a regular file", path);
	}
	if (st.st_size > (off_t)LUMEN_YAML_FILE_MAX) {
		fclose(fp);
		return lumen_fail(-EFBIG, err, errlen, "%s: larger than %u KiB", path,
				  LUMEN_YAML_FILE_MAX >> 10);
	}
	/* one byte more than allowed, so that a file that grew is seen */
	buf = malloc(LUMEN_YAML_FILE_MAX + 1);
	if (!buf) {
		fclose(fp);
		return lumen_fail(-ENOMEM, err, errlen, "%s: out of memory", path);
	}
	got = fread(buf, 1, LUMEN_YAML_FILE_MAX + 1, fp);
	if (ferror(fp))
		ret = lumen_fail(-EIO, err, errlen, "%s: read error", path);
	else
		ret = lumen_yaml_load_buffer(y, path, buf, got, err, errlen);
	free(buf);
	fclose(fp);
	return ret;
}

void lumen_yaml_free(struct lumen_yaml *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = false;
}

yaml_node_t *lumen_yaml_root(struct lumen_yaml *y)
{
	return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

/* ---- walking ------------------------------------------------------------- */

yaml_node_t *lumen_yaml_node(struct lumen_yaml *y, int id)
{
	return yaml_document_get_node(&y->doc, id);
}

const char *lumen_yaml_text(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
						: NULL;
}

yaml_node_t *lumen_yaml_get(struct lumen_yaml *y, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		const char *k = lumen_yaml_text(lumen_yaml_node(y, p->key));

		if (k && !strcmp(k, key))
			return lumen_yaml_node(y, p->value);
	}
	return NULL;
}

int lumen_yaml_check_keys(struct lumen_yaml *y, yaml_node_t *map,
			  const char *where, const char *const *known)
{
	char full[160];

	if (!map || map->type != YAML_MAPPING_NODE)
		return lumen_yaml_fail(y, map, where && *where ? where : NULL,
				       "expected a mapping (key: value lines)");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = lumen_yaml_node(y, p->key);
		const char *k = lumen_yaml_text(kn);
		int i;

		for (i = 0; known[i] && strcmp(k, known[i]); i++)
			;
		if (known[i])
			continue;
		snprintf(full, sizeof(full), "%s%s%s", where ? where : "",
			 where && *where ? "." : "", k);
		return lumen_yaml_fail(y, kn, full, "unknown key");
	}
	return 0;
}

int lumen_yaml_seq_len(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return -1;
	return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *lumen_yaml_item(struct lumen_yaml *y, const yaml_node_t *n, int i)
{
	return lumen_yaml_node(y, n->data.sequence.items.start[i]);
}

/* ---- typed getters ------------------------------------------------------- */

int lumen_yaml_int(struct lumen_yaml *y, const yaml_node_t *n, const char *key,
		   long long lo, long long hi, long long *out)
{
	const char *s = lumen_yaml_text(n), *d;
	unsigned long long v = 0, lim;
	bool neg, hex;

	if (!s || !*s)
		return lumen_yaml_fail(y, n, key, "expected an integer");
	neg = *s == '-';
	d = s + neg;
	hex = d[0] == '0' && (d[1] == 'x' || d[1] == 'X');
	d += hex ? 2 : 0;
	/* "010" would be octal to some readers and decimal to others */
	if (!*d || (!hex && d[0] == '0' && d[1]))
		goto not_int;
	lim = neg ? (unsigned long long)INT64_MAX + 1 : (unsigned long long)INT64_MAX;
	for (; *d; d++) {
		unsigned c = (unsigned char)*d, dig;

		if (c >= '0' && c <= '9')
			dig = c - '0';
		else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			dig = (c | 0x20) - 'a' + 10;
		else
			goto not_int;
		if (v > (lim - dig) / (hex ? 16 : 10))
			return lumen_yaml_fail(y, n, key, "'%.40s' is out of range %lld..%lld",
					       s, lo, hi);
		v = v * (hex ? 16 : 10) + dig;
	}
	{
		long long x = neg ? (v == (unsigned long long)INT64_MAX + 1 ? INT64_MIN
									       : -(long long)v)
				  : (long long)v;

		if (x < lo || x > hi)
			return lumen_yaml_fail(y, n, key, "%lld is out of range %lld..%lld",
					       x, lo, hi);
		*out = x;
	}
	return 0;
not_int:
	return lumen_yaml_fail(y, n, key, "expected an integer, got '%.40s'", s);
}

int lumen_yaml_double(struct lumen_yaml *y, const yaml_node_t *n, const char *key,
		      double lo, double hi, double *out)
{
	const char *s = lumen_yaml_text(n);
	char *end;
	double v;

	if (!s || !*s)
		return lumen_yaml_fail(y, n, key, "expected a number");
	errno = 0;
	v = strtod(s, &end);
	if (*end || end == s || !isfinite(v) || (errno == ERANGE && v != 0))
		return lumen_yaml_fail(y, n, key, "expected a number, got '%.40s'", s);
	if (v < lo || v > hi)
		return lumen_yaml_fail(y, n, key, "%g is out of range %g..%g", v, lo, hi);
	*out = v;
	return 0;
}

int lumen_yaml_bool(struct lumen_yaml *y, const yaml_node_t *n, const char *key,
		    bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	const char *s = lumen_yaml_text(n);

	for (int i = 0; s && i < 4; i++) {
		if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
			*out = !strcasecmp(s, yes[i]);
			return 0;
		}
	}
	return lumen_yaml_fail(y, n, key, "expected true or false");
}

int lumen_yaml_string(struct lumen_yaml *y, const yaml_node_t *n, const char *key,
		      char *out, size_t size)
{
	const char *s = lumen_yaml_text(n);

	if (!s)
		return lumen_yaml_fail(y, n, key, "expected a string");
	if (n->data.scalar.length >= size)
		return lumen_yaml_fail(y, n, key, "longer than %zu bytes", size - 1);
	memcpy(out, s, n->data.scalar.length + 1);
	return 0;
}

int lumen_yaml_word(struct lumen_yaml *y, const yaml_node_t *n, const char *key,
		    const char *const *words, int *out)
{
	const char *s = lumen_yaml_text(n);
	char list[200];
	size_t len = 0;

	for (int i = 0; s && words[i]; i++) {
		if (!strcasecmp(s, words[i])) {
			*out = i;
			return 0;
		}
	}
	list[0] = 0;
	for (int i = 0; words[i] && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i ? ", " : "", words[i]);
	if (!s)
		return lumen_yaml_fail(y, n, key, "expected one of %s", list);
	return lumen_yaml_fail(y, n, key, "'%.40s' is not one of %s", s, list);
}

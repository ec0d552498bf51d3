// SPDX-License-Identifier: GPL-2.0-or-later
/* A media-graph configuration as data, checked on paper (media_plan.h). */
#include "backend/media_plan.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/media.h"
#include "core/errmsg.h"
#include "core/textbuf.h"

#define fail(err, errlen, ...) lumen_fail(-EINVAL, err, errlen, __VA_ARGS__)

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* An unsigned decimal at *@p, advancing it: 0 or -EINVAL. */
static int parse_uint(const char **p, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	v = strtoul(*p, &end, 10);
	if (v > 65535)
		return -EINVAL;
	*out = (uint32_t)v;
	*p = end;
	return 0;
}

/* WxH at *@p, advancing it. */
static int parse_size(const char **p, uint32_t *w, uint32_t *h)
{
	if (parse_uint(p, w) || **p != 'x')
		return -EINVAL;
	(*p)++;
	if (parse_uint(p, h) || !*w || !*h)
		return -EINVAL;
	return 0;
}

/* 'ENTITY':PAD or "ENTITY":PAD at *@p, advancing it. */
static int parse_pad(const char **p, struct lumen_plan_pad *out,
		     const char *s, char *err, size_t errlen)
{
	const char *q = skip_space(*p), *end;
	uint32_t pad;
	size_t n;

	if (*q != '\'' && *q != '"')
		return fail(err, errlen, "'%s': expected a quoted entity name "
			    "('NAME':PAD) at '%.20s'", s, q);
	end = strchr(q + 1, *q);
	if (!end)
		return fail(err, errlen, "'%s': the entity name's quote is not closed", s);
	n = (size_t)(end - q - 1);
	if (!n || n >= sizeof(out->entity))
		return fail(err, errlen, "'%s': an entity name of 1..%zu characters",
			    s, sizeof(out->entity) - 1);
	memcpy(out->entity, q + 1, n);
	out->entity[n] = 0;
	q = end + 1;
	if (*q != ':')
		return fail(err, errlen, "'%s': expected ':PAD' after '%s'", s,
			    out->entity);
	q++;
	if (parse_uint(&q, &pad) || pad > 63)
		return fail(err, errlen, "'%s': the pad of '%s' is not a number 0..63",
			    s, out->entity);
	out->pad = (int)pad;
	*p = q;
	return 0;
}

/* A pad, then @word (after optional blanks), at *@p: advances past both;
 * -EINVAL naming @expect when the word is not there. */
static int pad_then(const char **p, struct lumen_plan_pad *pad, const char *word,
		    const char *expect, const char *s, char *err, size_t errlen)
{
	int ret = parse_pad(p, pad, s, err, errlen);

	if (ret)
		return ret;
	*p = skip_space(*p);
	if (strncmp(*p, word, strlen(word)))
		return fail(err, errlen, "'%s': expected %s", s, expect);
	*p += strlen(word);
	return 0;
}

int lumen_plan_parse_link(const char *s, struct lumen_plan_link *out,
			  char *err, size_t errlen)
{
	const char *p = s;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = pad_then(&p, &out->source, "->", "'->' after the source pad", s,
		       err, errlen);
	if (ret)
		return ret;
	ret = parse_pad(&p, &out->sink, s, err, errlen);
	if (ret)
		return ret;
	out->enable = true;
	p = skip_space(p);
	if (*p == '[') {
		if ((p[1] != '0' && p[1] != '1') || p[2] != ']')
			return fail(err, errlen, "'%s': link flags are [0] or [1]", s);
		out->enable = p[1] == '1';
		p = skip_space(p + 3);
	}
	if (*p)
		return fail(err, errlen, "'%s': unexpected '%.20s' at the end", s, p);
	return 0;
}

int lumen_plan_parse_format(const char *s, struct lumen_plan_format *out,
			    char *err, size_t errlen)
{
	const char *p = s;
	bool have_fmt = false;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = pad_then(&p, &out->at, "[", "'[fmt:CODE/WxH ...]'", s, err, errlen);
	if (ret)
		return ret;
	p = skip_space(p);
	while (*p && *p != ']') {
		if (!strncmp(p, "fmt:", 4)) {
			char code[40];
			size_t n = 0;

			p += 4;
			while (p[n] && p[n] != '/' && n < sizeof(code) - 1)
				n++;
			memcpy(code, p, n);
			code[n] = 0;
			out->code = lumen_media_code_parse(code);
			if (!out->code)
				return fail(err, errlen, "'%s': unknown media bus code '%s'",
					    s, code);
			p += n;
			if (*p != '/')
				return fail(err, errlen, "'%s': expected /WxH after %s", s, code);
			p++;
			if (parse_size(&p, &out->width, &out->height))
				return fail(err, errlen, "'%s': the size after %s is not WxH",
					    s, code);
			have_fmt = true;
		} else if (!strncmp(p, "crop:", 5)) {
			p = skip_space(p + 5);
			if (*p++ != '(' || parse_uint(&p, &out->crop_x) || *p++ != ',' ||
			    parse_uint(&p, &out->crop_y) || *p++ != ')' || *p++ != '/' ||
			    parse_size(&p, &out->crop_w, &out->crop_h))
				return fail(err, errlen, "'%s': crop is crop:(X,Y)/WxH", s);
			out->has_crop = true;
		} else {
			return fail(err, errlen, "'%s': unknown '%.20s' (fmt: and crop: are known)",
				    s, p);
		}
		p = skip_space(p);
	}
	if (*p != ']' || *skip_space(p + 1))
		return fail(err, errlen, "'%s': expected ']' at the end", s);
	if (!have_fmt)
		return fail(err, errlen, "'%s': no fmt:CODE/WxH", s);
	return 0;
}

int lumen_plan_parse_limit(const char *s, struct lumen_plan_limit *out,
			   char *err, size_t errlen)
{
	const char *p = s;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = pad_then(&p, &out->at, "max:", "'max:WxH' after the pad", s, err,
		       errlen);
	if (ret)
		return ret;
	if (parse_size(&p, &out->max_w, &out->max_h) || *skip_space(p))
		return fail(err, errlen, "'%s': the size after max: is not WxH", s);
	return 0;
}

/* ---- the check on paper ------------------------------------------------- */

#define MAX_PADS (2 * LUMEN_PLAN_MAX_LINKS)

struct pad_state {
	const struct lumen_plan_pad *id;
	bool is_sink, set;
	uint32_t code, width, height;
	uint32_t out_w, out_h;			/* the crop, else the format */
	const struct lumen_plan_limit *limit;
	bool clamped;
	uint32_t asked_w, asked_h;		/* before the clamp */
};

static bool same_pad(const struct lumen_plan_pad *a, const struct lumen_plan_pad *b)
{
	return a->pad == b->pad && !strcmp(a->entity, b->entity);
}

static struct pad_state *find(struct pad_state *ps, int n,
			      const struct lumen_plan_pad *id)
{
	for (int i = 0; i < n; i++)
		if (same_pad(ps[i].id, id))
			return &ps[i];
	return NULL;
}

static int add_pad(struct pad_state *ps, int *n, const struct lumen_plan_pad *id,
		   bool sink)
{
	struct pad_state *s = find(ps, *n, id);

	if (!s) {
		s = &ps[(*n)++];
		memset(s, 0, sizeof(*s));
		s->id = id;
	}
	s->is_sink |= sink;
	return 0;
}

/* Sets a pad's format as the driver would: clamped to its limit. */
static void set_fmt(struct pad_state *s, uint32_t code, uint32_t w, uint32_t h)
{
	s->set = true;
	s->code = code;
	s->asked_w = w;
	s->asked_h = h;
	s->clamped = false;
	if (s->limit && (w > s->limit->max_w || h > s->limit->max_h)) {
		s->clamped = true;
		w = w < s->limit->max_w ? w : s->limit->max_w;
		h = h < s->limit->max_h ? h : s->limit->max_h;
	}
	s->width = s->out_w = w;
	s->height = s->out_h = h;
}

int lumen_media_plan_check(const struct lumen_media_plan *plan, char *report,
			   size_t size)
{
	struct pad_state ps[MAX_PADS];
	int n = 0, bad = 0, checked = 0;
	size_t len = 0;
	bool changed;

	if (size)
		report[0] = 0;
	for (int i = 0; i < plan->nlinks; i++) {
		if (!plan->links[i].enable)
			continue;
		add_pad(ps, &n, &plan->links[i].source, false);
		add_pad(ps, &n, &plan->links[i].sink, true);
	}
	for (int i = 0; i < plan->nlimits; i++) {
		struct pad_state *s = find(ps, n, &plan->limits[i].at);

		if (!s) {
			lumen_text_put(report, size, &len, "limit on '%s':%d: no enabled link has that pad\n",
				       plan->limits[i].at.entity, plan->limits[i].at.pad);
			return -EINVAL;
		}
		s->limit = &plan->limits[i];
	}
	/* the formats in order, as media-ctl -V sets them */
	for (int i = 0; i < plan->nformats; i++) {
		const struct lumen_plan_format *f = &plan->formats[i];
		struct pad_state *s = find(ps, n, &f->at);

		if (!s) {
			lumen_text_put(report, size, &len, "format on '%s':%d: no enabled link has that pad\n",
				       f->at.entity, f->at.pad);
			return -EINVAL;
		}
		set_fmt(s, f->code, f->width, f->height);
		if (f->has_crop) {
			s->out_w = f->crop_w < s->width ? f->crop_w : s->width;
			s->out_h = f->crop_h < s->height ? f->crop_h : s->height;
		}
	}
	/* unset pads take their upstream format: across a link, and from an
	 * entity's sink pad (its crop) to its source pads */
	do {
		changed = false;
		for (int i = 0; i < plan->nlinks; i++) {
			const struct lumen_plan_link *lk = &plan->links[i];
			struct pad_state *a, *b;

			if (!lk->enable)
				continue;
			a = find(ps, n, &lk->source);
			b = find(ps, n, &lk->sink);
			if (a->set && !b->set) {
				set_fmt(b, a->code, a->width, a->height);
				changed = true;
			}
		}
		for (int i = 0; i < n; i++) {
			if (ps[i].set || ps[i].is_sink)
				continue;
			for (int j = 0; j < n; j++)
				if (ps[j].set && ps[j].is_sink &&
				    !strcmp(ps[j].id->entity, ps[i].id->entity)) {
					set_fmt(&ps[i], ps[j].code, ps[j].out_w, ps[j].out_h);
					changed = true;
					break;
				}
		}
	} while (changed);

	for (int i = 0; i < plan->nlinks; i++) {
		const struct lumen_plan_link *lk = &plan->links[i];
		const struct pad_state *a, *b;
		char why[256];
		size_t wl = 0;

		if (!lk->enable)
			continue;
		checked++;
		a = find(ps, n, &lk->source);
		b = find(ps, n, &lk->sink);
		why[0] = 0;
		if (!a->set || !b->set) {
			lumen_text_put(report, size, &len, "link '%s':%d -> '%s':%d: '%s':%d has no format (none set and none upstream)\n",
				       lk->source.entity, lk->source.pad, lk->sink.entity,
				       lk->sink.pad, a->set ? b->id->entity : a->id->entity,
				       a->set ? b->id->pad : a->id->pad);
			bad++;
			continue;
		}
		if (a->width != b->width)
			lumen_text_put(why, sizeof(why), &wl, "%swidth %u != %u", wl ? ", " : "",
				       a->width, b->width);
		if (a->height != b->height)
			lumen_text_put(why, sizeof(why), &wl, "%sheight %u != %u", wl ? ", " : "",
				       a->height, b->height);
		if (a->code != b->code)
			lumen_text_put(why, sizeof(why), &wl, "%sbus code %s != %s", wl ? ", " : "",
				       lumen_media_code_name(a->code),
				       lumen_media_code_name(b->code));
		if (!wl)
			continue;
		bad++;
		lumen_text_put(report, size, &len,
			       "link '%s':%d -> '%s':%d: %s\n"
			       "  source '%s':%d  %s/%ux%u\n"
			       "  sink   '%s':%d  %s/%ux%u\n",
			       lk->source.entity, lk->source.pad, lk->sink.entity, lk->sink.pad, why,
			       lk->source.entity, lk->source.pad, lumen_media_code_name(a->code),
			       a->width, a->height,
			       lk->sink.entity, lk->sink.pad, lumen_media_code_name(b->code),
			       b->width, b->height);
		if (b->clamped)
			lumen_text_put(report, size, &len,
				       "  '%s':%d takes at most %ux%u: %ux%u was asked and the driver clamps it, "
				       "so the source must send a size within that (another sensor mode)\n",
				       lk->sink.entity, lk->sink.pad, b->limit->max_w, b->limit->max_h,
				       b->asked_w, b->asked_h);
	}
	if (bad)
		lumen_text_put(report, size, &len,
			       "%d of %d enabled links do not match: STREAMON would fail with EPIPE\n",
			       bad, checked);
	return bad ? -EPIPE : 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The knowledge base: YAML data (data/doctor/kb.yaml, see docs/doctor.md)
 * loaded with the YAML reader (core/yaml_doc.h, its limits) and checked
 * entry by entry; every error names
 * file:line, the entry and the key. Also the small predicate language
 * ("csi.frames_seen == 0", "not sensor.streaming", "srcfg.pad !=
 * ref.srcfg.pad") and the evaluation of line patterns (POSIX extended
 * regular expressions, with a literal prefilter so that megabytes of log
 * do not go through regexec).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "doctor/doctor_config.h"
#include "doctor/internal.h"
#include "core/errmsg.h"
#include "core/yaml_doc.h"

#define KB_ENTRIES_MAX 1024

struct loader {
	struct lumen_yaml y;	/* y.entry points at entry[] inside a list */
	char entry[96];		/* "signals[2] (id 'x')" for messages */
	char id[48];		/* id of the entry being read */
};

/* Prefilter of a pattern: a literal every match must contain. Kept
 * beside the KB, indexed like kb->patterns. */
struct kb_prefilter {
	char lit[48];
	bool icase;
};

#define fail(l, n, key, ...) lumen_yaml_fail(&(l)->y, n, key, __VA_ARGS__)

/* Keys not in @known are typos: refuse them. */
static int check_keys(struct loader *l, yaml_node_t *map,
		      const char *const *known)
{
	return lumen_yaml_check_keys(&l->y, map, NULL, known);
}

/* Optional or @required text value of @key in @map; "" when absent. */
static int get_str(struct loader *l, yaml_node_t *map, const char *key,
		   bool required, char *out, size_t size)
{
	yaml_node_t *n = lumen_yaml_get(&l->y, map, key);

	out[0] = '\0';
	if (!n)
		return required ? fail(l, map, key, "missing") : 0;
	return lumen_yaml_string(&l->y, n, key, out, size);
}

/* Optional integer value of @key in @map; @dflt when absent. */
static int get_int(struct loader *l, yaml_node_t *map, const char *key,
		   long long min, long long max, long long dflt, long long *out)
{
	yaml_node_t *n = lumen_yaml_get(&l->y, map, key);

	*out = dflt;
	return n ? lumen_yaml_int(&l->y, n, key, min, max, out) : 0;
}

/* Optional boolean value of @key in @map; false when absent. */
static int get_bool(struct loader *l, yaml_node_t *map, const char *key,
		    bool *out)
{
	yaml_node_t *n = lumen_yaml_get(&l->y, map, key);

	*out = false;
	return n ? lumen_yaml_bool(&l->y, n, key, out) : 0;
}

/* ------------------------------------------------------------------ */
/* predicates                                                          */

/* A whole integer, as the evidence parsers read them, in [min, max]. */
static int parse_int_text(const char *s, long long min, long long max,
			  long long *out)
{
	const char *p = s;
	int64_t v;

	if (!ev_scan_int(&p, &v) || *ev_skip_space(p) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool valid_fact_name(const char *s)
{
	if (!*s || strlen(s) >= EV_FACT_NAME)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '_' && *s != '.')
			return false;
	return true;
}

static int parse_pred(const char *src, struct kb_pred *p, char *why, size_t wlen)
{
	static const struct { const char *s; enum kb_op op; } ops[] = {
		{ "==", KB_EQ }, { "!=", KB_NE }, { ">=", KB_GE }, { "<=", KB_LE },
		{ ">", KB_GT }, { "<", KB_LT },
	};
	char tok[3][EV_FACT_TEXT];
	int ntok = 0;
	const char *s = src;
	bool negate = false;

	memset(p, 0, sizeof(*p));
	snprintf(p->src, sizeof(p->src), "%.*s", (int)sizeof(p->src) - 1, src);
	/* "not fact OP value" */
	s = ev_skip_space(s);
	if (!strncmp(s, "not ", 4) && strpbrk(s, "=<>")) {
		negate = true;
		s += 4;
	}
	while (*(s = ev_skip_space(s))) {
		size_t n = 0;

		if (ntok == 3) {
			snprintf(why, wlen, "too many words (fact OP value)");
			return -EINVAL;
		}
		if (*s == '"' || *s == '\'') {
			char q = *s++;

			while (*s && *s != q && n + 1 < sizeof(tok[0]))
				tok[ntok][n++] = *s++;
			if (*s != q) {
				snprintf(why, wlen, "unterminated quote");
				return -EINVAL;
			}
			s++;
		} else {
			while (*s && *s != ' ' && *s != '\t' && n + 1 < sizeof(tok[0]))
				tok[ntok][n++] = *s++;
		}
		tok[ntok++][n] = '\0';
	}
	if (ntok == 1) {
		p->op = KB_TRUE;
		snprintf(p->fact, sizeof(p->fact), "%.*s", EV_FACT_NAME - 1, tok[0]);
	} else if (ntok == 2) {
		if (!strcmp(tok[0], "not"))
			p->op = KB_FALSY;
		else if (!strcmp(tok[0], "has"))
			p->op = KB_HAS;
		else if (!strcmp(tok[0], "no"))
			p->op = KB_NO;
		else {
			snprintf(why, wlen, "'%.40s' is not one of not/has/no", tok[0]);
			return -EINVAL;
		}
		snprintf(p->fact, sizeof(p->fact), "%.*s", EV_FACT_NAME - 1, tok[1]);
	} else if (ntok == 3) {
		size_t i;
		long long v;

		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (!strcmp(tok[1], ops[i].s))
				break;
		if (i == sizeof(ops) / sizeof(ops[0])) {
			snprintf(why, wlen, "unknown operator '%.40s'", tok[1]);
			return -EINVAL;
		}
		p->op = ops[i].op;
		snprintf(p->fact, sizeof(p->fact), "%.*s", EV_FACT_NAME - 1, tok[0]);
		if (!parse_int_text(tok[2], INT64_MIN, INT64_MAX, &v)) {
			p->rhs_num = v;
			p->rhs_is_num = true;
		} else if (strchr(tok[2], '.') && valid_fact_name(tok[2]) &&
			   !strchr(src, '"') && !strchr(src, '\'')) {
			snprintf(p->rhs_fact, sizeof(p->rhs_fact), "%.*s", EV_FACT_NAME - 1, tok[2]);
		} else {
			snprintf(p->rhs_text, sizeof(p->rhs_text), "%s", tok[2]);
		}
	} else {
		snprintf(why, wlen, "empty condition");
		return -EINVAL;
	}
	if (negate && ntok != 3) {
		snprintf(why, wlen, "'not' before a comparison needs fact OP value");
		return -EINVAL;
	}
	p->negate = negate;
	if (!valid_fact_name(p->fact) ||
	    strlen(ntok == 2 ? tok[1] : tok[0]) >= EV_FACT_NAME) {
		snprintf(why, wlen, "'%.40s' is not a fact name (a-z 0-9 _ ., < 64)",
			 ntok == 2 ? tok[1] : tok[0]);
		return -EINVAL;
	}
	return 0;
}

/* "a == 1 or b > 0": appends the predicates, OR-linked, to @c. */
static int parse_group(const char *text, struct kb_cond *c, char *why,
		       size_t wlen)
{
	char buf[512];
	char *s = buf;

	snprintf(buf, sizeof(buf), "%s", text);
	for (;;) {
		char *o = strstr(s, " or ");

		if (o)
			*o = '\0';
		if (c->n == KB_PREDS) {
			snprintf(why, wlen, "more than %d conditions", KB_PREDS);
			return -EINVAL;
		}
		if (parse_pred(s, &c->p[c->n], why, wlen))
			return -EINVAL;
		c->p[c->n].or_next = o != NULL;
		c->n++;
		if (!o)
			return 0;
		s = o + 4;
	}
}

/* A condition: one string or a list of strings, all of which must hold. */
static int get_cond(struct loader *l, yaml_node_t *map, const char *key,
		    bool required, struct kb_cond *c)
{
	yaml_node_t *n = map && map->type == YAML_MAPPING_NODE ?
			 lumen_yaml_get(&l->y, map, key) : map;
	char why[128];

	memset(c, 0, sizeof(*c));
	if (!n) {
		if (required)
			return fail(l, map, key, "missing");
		return 0;
	}
	if (n->type == YAML_SCALAR_NODE) {
		if (parse_group((const char *)n->data.scalar.value, c, why, sizeof(why)))
			return fail(l, n, key, "'%s': %s", n->data.scalar.value, why);
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n, key, "expected a condition or a list of them");
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = lumen_yaml_node(&l->y, *it);

		if (!e || e->type != YAML_SCALAR_NODE)
			return fail(l, e, key, "expected condition text");
		if (parse_group((const char *)e->data.scalar.value, c, why, sizeof(why)))
			return fail(l, e, key, "'%s': %s", e->data.scalar.value, why);
	}
	return 0;
}

static void add_quotes(const struct lumen_doctor_evidence *ev,
		       const struct ev_fact *f, struct lumen_doctor_quote *q,
		       int *nq, int maxq)
{
	if (!f || !q)
		return;
	for (int i = 0; i < f->nquotes && *nq < maxq; i++) {
		const struct lumen_doctor_quote *src = &ev->quotes[f->quote[i]];
		bool dup = false;

		for (int j = 0; j < *nq; j++)
			dup |= !strcmp(q[j].where, src->where);
		if (!dup)
			q[(*nq)++] = *src;
	}
}

static bool pred_eval_plain(const struct kb_pred *p,
		      const struct lumen_doctor_evidence *ev,
		      struct lumen_doctor_quote *q, int *nq, int maxq)
{
	const struct ev_fact *f = ev_fact_find(ev, p->fact), *r = NULL;
	bool ok;
	int cmp;

	switch (p->op) {
	case KB_HAS:
		ok = f != NULL;
		break;
	case KB_NO:
		return f == NULL;
	case KB_TRUE:
		ok = f && (f->has_num ? f->num != 0 : f->text[0] != '\0');
		break;
	case KB_FALSY:
		ok = !f || (f->has_num ? f->num == 0 : f->text[0] == '\0');
		break;
	default:
		if (!f)
			return false;
		if (p->rhs_fact[0]) {
			r = ev_fact_find(ev, p->rhs_fact);
			if (!r)
				return false;
			if (f->has_num && r->has_num)
				cmp = f->num < r->num ? -1 : f->num > r->num;
			else
				cmp = strcasecmp(f->text, r->text);
		} else if (p->rhs_is_num) {
			if (!f->has_num)
				return false;
			cmp = f->num < p->rhs_num ? -1 : f->num > p->rhs_num;
		} else {
			cmp = strcasecmp(f->text, p->rhs_text);
		}
		ok = (p->op == KB_EQ && cmp == 0) || (p->op == KB_NE && cmp != 0) ||
		     (p->op == KB_GT && cmp > 0) || (p->op == KB_GE && cmp >= 0) ||
		     (p->op == KB_LT && cmp < 0) || (p->op == KB_LE && cmp <= 0);
		break;
	}
	if (ok) {
		add_quotes(ev, f, q, nq, maxq);
		add_quotes(ev, r, q, nq, maxq);
	}
	return ok;
}

static bool pred_eval(const struct kb_pred *p,
		      const struct lumen_doctor_evidence *ev,
		      struct lumen_doctor_quote *q, int *nq, int maxq)
{
	if (p->negate)
		return !pred_eval_plain(p, ev, NULL, nq, maxq);
	return pred_eval_plain(p, ev, q, nq, maxq);
}

bool kb_cond_eval(const struct kb_cond *c,
		  const struct lumen_doctor_evidence *ev,
		  struct lumen_doctor_quote *q, int *nq, int maxq)
{
	int start = nq ? *nq : 0, dummy = 0;

	if (!nq)
		nq = &dummy;
	for (int i = 0; i < c->n; ) {
		bool group = false;

		/* every member of an "or" group is tried, for its quotes */
		do {
			group |= pred_eval(&c->p[i], ev, q, nq, maxq);
		} while (c->p[i++].or_next && i < c->n);
		if (!group) {
			*nq = start;	/* quotes only when the whole holds */
			return false;
		}
	}
	return true;
}

void kb_expand(const char *tmpl, const struct lumen_doctor_evidence *ev,
	       char *out, size_t size)
{
	size_t o = 0;

	if (!size)
		return;
	for (const char *s = tmpl; *s && o + 1 < size; s++) {
		const char *e, *bar;
		char name[EV_FACT_NAME];
		const struct ev_fact *f;
		const char *val;
		size_t n;

		if (*s != '{' || !(e = strchr(s, '}'))) {
			out[o++] = *s;
			continue;
		}
		bar = memchr(s, '|', (size_t)(e - s));
		n = (size_t)((bar ? bar : e) - s - 1);
		if (n >= sizeof(name)) {
			out[o++] = *s;
			continue;
		}
		memcpy(name, s + 1, n);
		name[n] = '\0';
		f = ev_fact_find(ev, name);
		if (f && f->text[0]) {
			val = f->text;
			n = strlen(val);
		} else if (bar) {
			val = bar + 1;
			n = (size_t)(e - bar - 1);
		} else {
			val = "?";
			n = 1;
		}
		if (n > size - 1 - o)
			n = size - 1 - o;
		memcpy(out + o, val, n);
		o += n;
		s = e;
	}
	out[o] = '\0';
}

/* ------------------------------------------------------------------ */
/* line patterns                                                       */

/*
 * The longest literal run every match contains, or "" when the regex has
 * an alternation (then every line goes to regexec).
 */
static void regex_literal(const char *re, char *out, size_t size)
{
	char cur[64], best[64] = "";
	size_t n = 0;
	int paren = 0;

	for (const char *p = re; ; p++) {
		bool lit = *p && (isalnum((unsigned char)*p) || strchr(" _-:=@/,'\"<>!%#;", *p));
		const char *q = p;

		if (*p == '\\' && p[1] && !isalnum((unsigned char)p[1])) {
			q = p + 1;	/* escaped punctuation is literal */
			lit = true;
		}
		if (*p == '|') {
			out[0] = '\0';
			return;
		}
		if (*p == '(')
			paren++;
		if (*p == ')' && paren)
			paren--;
		/* a quantified atom is optional or repeated, a group may be
		 * optional: neither is a literal every match holds */
		if (lit && (q[1] == '?' || q[1] == '*' || q[1] == '{' || paren))
			lit = false;
		if (lit && n + 1 < sizeof(cur)) {
			cur[n++] = *q;
			p = q;
			continue;
		}
		cur[n] = '\0';
		if (n > strlen(best))
			memcpy(best, cur, n + 1);
		n = 0;
		if (*p == '[') {	/* skip a bracket expression */
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p && *p != ']')
				p++;
			if (!*p)
				break;
		} else if (*p == '{') {	/* skip an interval */
			while (*p && *p != '}')
				p++;
		} else if (*p == '\\' && p[1]) {
			p++;
		}
		if (!*p)
			break;
	}
	snprintf(out, size, "%.*s", (int)size - 1, strlen(best) >= 3 ? best : "");
}

static struct kb_prefilter *prefilters(const struct lumen_doctor_kb *kb)
{
	/* stored after the sensors array; see kb_parse */
	return (struct kb_prefilter *)(kb->sensors + kb->nsensors);
}

void kb_match_line(const struct lumen_doctor_kb *kb,
		   struct lumen_doctor_evidence *ev)
{
	const struct kb_prefilter *pf = prefilters(kb);
	const char *line = ev->body ? ev->body : ev->line;

	for (int i = 0; i < kb->npatterns; i++) {
		const struct kb_pattern *p = &kb->patterns[i];
		regmatch_t m[10];
		char val[EV_FACT_TEXT];
		size_t o = 0;

		if (pf[i].lit[0] && !(pf[i].icase ? strcasestr(line, pf[i].lit)
						  : strstr(line, pf[i].lit)))
			continue;
		if (regexec(&p->re, line, 10, m, 0))
			continue;
		if (p->kind == KB_PAT_COUNT) {
			ev_add_num(ev, p->fact, 1, true);
			continue;
		}
		/* expand \1..\9 in value */
		for (const char *s = p->value; *s && o + 1 < sizeof(val); s++) {
			if (*s == '\\' && s[1] >= '0' && s[1] <= '9') {
				int g = s[1] - '0';

				if (m[g].rm_so >= 0) {
					size_t n = (size_t)(m[g].rm_eo - m[g].rm_so);

					if (n > sizeof(val) - 1 - o)
						n = sizeof(val) - 1 - o;
					memcpy(val + o, line + m[g].rm_so, n);
					o += n;
				}
				s++;
			} else {
				val[o++] = *s;
			}
		}
		val[o] = '\0';
		if (p->kind == KB_PAT_SET) {
			ev_set_text(ev, p->fact, val, true);
		} else {
			const char *q = val;
			int64_t v;

			if (ev_scan_int(&q, &v))
				ev_add_num(ev, p->fact, v, true);
		}
	}
}

/* ------------------------------------------------------------------ */
/* entries                                                             */

static int get_stage(struct loader *l, yaml_node_t *map, int *stage)
{
	char s[32];
	int ret = get_str(l, map, "stage", true, s, sizeof(s));

	if (ret)
		return ret;
	*stage = lumen_doctor_stage_parse(s);
	if (*stage < 0)
		return fail(l, lumen_yaml_get(&l->y, map, "stage"), "stage",
			    "'%s' is not one of power, i2c, sensor, link, receiver, "
			    "vif, isp, dma, encoder, streamer", s);
	return 0;
}

static int read_source(struct loader *l, yaml_node_t *e, char *out, size_t size)
{
	int ret = get_str(l, e, "source", true, out, size);

	if (!ret && !out[0])
		return fail(l, e, "source", "empty (every entry cites its source)");
	return ret;
}

static int load_pattern(struct loader *l, yaml_node_t *e, struct kb_pattern *p,
			struct kb_prefilter *pf)
{
	static const char *const keys[] = { "id", "match", "fact", "value", "add",
					    "icase", "source", NULL };
	char re[512], add[64], src[240];
	bool icase;
	int ret;

	if ((ret = check_keys(l, e, keys)) ||
	    (ret = get_str(l, e, "match", true, re, sizeof(re))) ||
	    (ret = get_str(l, e, "fact", true, p->fact, sizeof(p->fact))) ||
	    (ret = get_str(l, e, "value", false, p->value, sizeof(p->value))) ||
	    (ret = get_str(l, e, "add", false, add, sizeof(add))) ||
	    (ret = get_bool(l, e, "icase", &icase)) ||
	    (ret = read_source(l, e, src, sizeof(src))))
		return ret;
	if (!valid_fact_name(p->fact))
		return fail(l, lumen_yaml_get(&l->y, e, "fact"), "fact",
			    "'%s' is not a fact name (a-z 0-9 _ .)", p->fact);
	if (p->value[0] && add[0])
		return fail(l, e, "add", "give value or add, not both");
	p->kind = p->value[0] ? KB_PAT_SET : add[0] ? KB_PAT_NUM : KB_PAT_COUNT;
	if (add[0])
		snprintf(p->value, sizeof(p->value), "%s", add);
	ret = regcomp(&p->re, re, REG_EXTENDED | (icase ? REG_ICASE : 0));
	if (ret) {
		char msg[128];

		regerror(ret, &p->re, msg, sizeof(msg));
		return fail(l, lumen_yaml_get(&l->y, e, "match"), "match", "'%s': %s", re, msg);
	}
	p->re_ok = true;
	regex_literal(re, pf->lit, sizeof(pf->lit));
	pf->icase = icase;
	return 0;
}

static int load_signal(struct loader *l, yaml_node_t *e, struct kb_signal *s)
{
	static const char *const keys[] = { "id", "stage", "verdict", "when",
					    "upstream_ok", "explain", "source", NULL };
	char v[16], src[240];
	int ret;

	if ((ret = check_keys(l, e, keys)) || (ret = get_stage(l, e, &s->stage)) ||
	    (ret = get_str(l, e, "verdict", true, v, sizeof(v))) ||
	    (ret = get_cond(l, e, "when", true, &s->when)) ||
	    (ret = get_bool(l, e, "upstream_ok", &s->upstream_ok)) ||
	    (ret = get_str(l, e, "explain", true, s->explain, sizeof(s->explain))) ||
	    (ret = read_source(l, e, src, sizeof(src))))
		return ret;
	if (!strcmp(v, "ok"))
		s->verdict = LUMEN_VERDICT_OK;
	else if (!strcmp(v, "broken"))
		s->verdict = LUMEN_VERDICT_BROKEN;
	else
		return fail(l, lumen_yaml_get(&l->y, e, "verdict"), "verdict",
			    "'%s' is not ok or broken", v);
	return 0;
}

static int load_cause(struct loader *l, yaml_node_t *e, struct kb_cause *c)
{
	static const char *const keys[] = { "id", "stage", "prior", "requires",
					    "supports", "rules_out", "summary",
					    "fix", "next", "source", NULL };
	yaml_node_t *n;
	long long prior;
	int ret;

	if ((ret = check_keys(l, e, keys)) || (ret = get_stage(l, e, &c->stage)) ||
	    (ret = get_int(l, e, "prior", 0, 1000, 10, &prior)) ||
	    (ret = get_cond(l, e, "requires", true, &c->requires)) ||
	    (ret = get_str(l, e, "summary", true, c->summary, sizeof(c->summary))) ||
	    (ret = get_str(l, e, "fix", true, c->fix, sizeof(c->fix))) ||
	    (ret = get_str(l, e, "next", false, c->next, sizeof(c->next))) ||
	    (ret = read_source(l, e, c->source, sizeof(c->source))))
		return ret;
	c->prior = (int)prior;
	n = lumen_yaml_get(&l->y, e, "supports");
	if (n) {
		if (n->type != YAML_SEQUENCE_NODE)
			return fail(l, n, "supports", "expected a list of {when, weight}");
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			static const char *const skeys[] = { "when", "weight", NULL };
			yaml_node_t *s = lumen_yaml_node(&l->y, *it);
			struct kb_support *sp;
			long long w;

			if (c->nsupports == 8)
				return fail(l, s, "supports", "more than 8 entries");
			sp = &c->supports[c->nsupports++];
			if (!s || s->type != YAML_MAPPING_NODE)
				return fail(l, s, "supports", "expected {when, weight}");
			if ((ret = check_keys(l, s, skeys)) ||
			    (ret = get_cond(l, s, "when", true, &sp->when)) ||
			    (ret = get_int(l, s, "weight", -1000, 1000, 10, &w)))
				return ret;
			sp->weight = (int)w;
		}
	}
	n = lumen_yaml_get(&l->y, e, "rules_out");
	if (n) {
		if (n->type != YAML_SEQUENCE_NODE)
			return fail(l, n, "rules_out", "expected a list of conditions");
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			if (c->nrules_out == 6)
				return fail(l, lumen_yaml_node(&l->y, *it), "rules_out",
					    "more than 6 entries");
			ret = get_cond(l, lumen_yaml_node(&l->y, *it), "rules_out", true,
				       &c->rules_out[c->nrules_out++]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int load_note(struct loader *l, yaml_node_t *e, struct kb_note *t)
{
	static const char *const keys[] = { "id", "when", "text", "source", NULL };
	char src[240];
	int ret;

	if ((ret = check_keys(l, e, keys)) ||
	    (ret = get_cond(l, e, "when", true, &t->when)) ||
	    (ret = get_str(l, e, "text", true, t->text, sizeof(t->text))) ||
	    (ret = read_source(l, e, src, sizeof(src))))
		return ret;
	return 0;
}

static int load_sensor(struct loader *l, yaml_node_t *e, struct kb_sensor *s)
{
	static const char *const keys[] = { "id", "name", "vendor", "chip_id",
					    "id_regs", "addr", "stream_reg",
					    "lanes", "source", NULL };
	yaml_node_t *n;
	long long v;
	char src[240];
	int ret;

	if ((ret = check_keys(l, e, keys)) ||
	    (ret = get_str(l, e, "name", true, s->name, sizeof(s->name))) ||
	    (ret = get_str(l, e, "vendor", false, s->vendor, sizeof(s->vendor))) ||
	    (ret = get_int(l, e, "chip_id", 0, 0xffff, -1, &v)))
		return ret;
	if (v < 0)
		return fail(l, e, "chip_id", "missing");
	s->id = (uint16_t)v;
	if ((ret = get_int(l, e, "stream_reg", 0, 0xffff, 0x0100, &v)))
		return ret;
	s->stream_reg = (uint16_t)v;
	if ((ret = get_int(l, e, "lanes", 0, 8, 0, &v)))
		return ret;
	s->lanes = (int)v;
	if ((ret = read_source(l, e, src, sizeof(src))))
		return ret;
	n = lumen_yaml_get(&l->y, e, "id_regs");
	if (lumen_yaml_seq_len(n) < 1 || lumen_yaml_seq_len(n) > 2)
		return fail(l, n ? n : e, "id_regs",
			    "expected [reg] (16-bit ID) or [msb_reg, lsb_reg]");
	for (int i = 0; i < lumen_yaml_seq_len(n); i++) {
		if ((ret = lumen_yaml_int(&l->y, lumen_yaml_item(&l->y, n, i),
					  "id_regs", 0, 0xffff, &v)))
			return ret;
		s->id_regs[i] = (uint16_t)v;
	}
	n = lumen_yaml_get(&l->y, e, "addr");
	if (!n)
		return fail(l, e, "addr", "missing");
	if (n->type == YAML_SCALAR_NODE) {
		if ((ret = lumen_yaml_int(&l->y, n, "addr", 1, 0x7f, &v)))
			return ret;
		s->addrs[s->naddrs++] = (uint16_t)v;
	} else if (n->type == YAML_SEQUENCE_NODE) {
		for (int i = 0; i < lumen_yaml_seq_len(n); i++) {
			yaml_node_t *a = lumen_yaml_item(&l->y, n, i);

			if (s->naddrs == 4)
				return fail(l, a, "addr", "more than 4 addresses");
			if ((ret = lumen_yaml_int(&l->y, a, "addr", 1, 0x7f, &v)))
				return ret;
			s->addrs[s->naddrs++] = (uint16_t)v;
		}
	} else {
		return fail(l, n, "addr", "expected an address or a list");
	}
	return 0;
}

/* Counts the entries of a top-level list; -1 when absent. */
static int list_len(struct loader *l, yaml_node_t *root, const char *key,
		    yaml_node_t **out)
{
	yaml_node_t *n = lumen_yaml_get(&l->y, root, key);

	*out = n;
	if (!n)
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n, key, "expected a list of entries");
	return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static int load_list(struct loader *l, yaml_node_t *list, const char *name,
		     void *array, size_t elem, void *extra, size_t extra_elem,
		     int (*fn)(struct loader *, yaml_node_t *, void *, void *))
{
	bool has_ids = strcmp(name, "sensors") != 0;
	int i = 0;

	if (!list)
		return 0;
	for (yaml_node_item_t *it = list->data.sequence.items.start;
	     it < list->data.sequence.items.top; it++, i++) {
		yaml_node_t *e = lumen_yaml_node(&l->y, *it);
		char *entry = (char *)array + (size_t)i * elem;
		int ret;

		snprintf(l->entry, sizeof(l->entry), "%s[%d]", name, i);
		l->y.entry = l->entry;
		l->id[0] = '\0';
		if (!e || e->type != YAML_MAPPING_NODE)
			return fail(l, e, NULL, "expected an entry (key: value lines)");
		ret = get_str(l, e, "id", has_ids, l->id, sizeof(l->id));
		if (ret)
			return ret;
		if (l->id[0])
			snprintf(l->entry, sizeof(l->entry), "%s[%d] (id '%s')",
				 name, i, l->id);
		if (has_ids) {
			/* ids are unique within a list; entries start with id[48] */
			for (int j = 0; j < i; j++)
				if (!strcmp((char *)array + (size_t)j * elem, l->id))
					return fail(l, e, "id", "duplicate id");
			memcpy(entry, l->id, sizeof(l->id));
		}
		ret = fn(l, e, entry, extra ? (char *)extra + (size_t)i * extra_elem : NULL);
		if (ret)
			return ret;
	}
	l->y.entry = NULL;
	return 0;
}

static int pattern_fn(struct loader *l, yaml_node_t *e, void *o, void *x)
{
	return load_pattern(l, e, o, x);
}

static int signal_fn(struct loader *l, yaml_node_t *e, void *o, void *x)
{
	(void)x;
	return load_signal(l, e, o);
}

static int cause_fn(struct loader *l, yaml_node_t *e, void *o, void *x)
{
	(void)x;
	return load_cause(l, e, o);
}

static int note_fn(struct loader *l, yaml_node_t *e, void *o, void *x)
{
	(void)x;
	return load_note(l, e, o);
}

static int sensor_fn(struct loader *l, yaml_node_t *e, void *o, void *x)
{
	struct kb_sensor *s = o;

	(void)x;
	memset(s, 0, sizeof(*s));
	return load_sensor(l, e, s);
}

void lumen_doctor_kb_free(struct lumen_doctor_kb *kb)
{
	if (!kb)
		return;
	for (int i = 0; i < kb->npatterns; i++)
		if (kb->patterns[i].re_ok)
			regfree(&kb->patterns[i].re);
	free(kb->patterns);
	free(kb->signals);
	free(kb->causes);
	free(kb->notes);
	free(kb->sensors);
	free(kb);
}

/* The knowledge base of the document in @l into *@out (NULL on error). */
static int load(struct loader *l, struct lumen_doctor_kb **out)
{
	static const char *const keys[] = { "version", "sensors", "patterns",
					    "signals", "causes", "notes", NULL };
	yaml_node_t *root, *lp, *ls, *lc, *ln, *lsn, *ver;
	struct lumen_doctor_kb *kb = NULL;
	const char *name = l->y.name;
	char *err = l->y.err;
	size_t errlen = l->y.errlen;
	int ret, np, ns, nc, nn, nsn;

	*out = NULL;
	root = lumen_yaml_root(&l->y);
	if (!root || root->type != YAML_MAPPING_NODE)
		return fail(l, root, NULL, "expected version, sensors, patterns, "
			    "signals, causes, notes");
	ret = check_keys(l, root, keys);
	if (ret)
		return ret;
	ver = lumen_yaml_get(&l->y, root, "version");
	if (!lumen_yaml_text(ver) || strcmp(lumen_yaml_text(ver), "1"))
		return fail(l, ver ? ver : root, "version", "expected 1");
	np = list_len(l, root, "patterns", &lp);
	ns = list_len(l, root, "signals", &ls);
	nc = list_len(l, root, "causes", &lc);
	nn = list_len(l, root, "notes", &ln);
	nsn = list_len(l, root, "sensors", &lsn);
	if (np < 0 || ns < 0 || nc < 0 || nn < 0 || nsn < 0)
		return -EINVAL;
	if (np > KB_ENTRIES_MAX || ns > KB_ENTRIES_MAX || nc > KB_ENTRIES_MAX ||
	    nn > KB_ENTRIES_MAX || nsn > KB_ENTRIES_MAX)
		return fail(l, root, NULL, "more than %d entries in a list",
			    KB_ENTRIES_MAX);
	kb = calloc(1, sizeof(*kb));
	if (kb) {
		kb->patterns = calloc((size_t)np + 1, sizeof(*kb->patterns));
		kb->signals = calloc((size_t)ns + 1, sizeof(*kb->signals));
		kb->causes = calloc((size_t)nc + 1, sizeof(*kb->causes));
		kb->notes = calloc((size_t)nn + 1, sizeof(*kb->notes));
		/* the prefilters live after the sensors (one allocation) */
		kb->sensors = calloc(1, (size_t)(nsn + 1) * sizeof(*kb->sensors) +
					(size_t)(np + 1) * sizeof(struct kb_prefilter));
	}
	if (!kb || !kb->patterns || !kb->signals || !kb->causes || !kb->notes ||
	    !kb->sensors) {
		ret = lumen_fail(-ENOMEM, err, errlen, "%s: out of memory", name);
		goto free_kb;
	}
	kb->nsensors = nsn;	/* prefilters() needs it before the patterns load */
	ret = load_list(l, lsn, "sensors", kb->sensors, sizeof(*kb->sensors),
			NULL, 0, sensor_fn);
	if (ret)
		goto free_kb;
	ret = load_list(l, lp, "patterns", kb->patterns, sizeof(*kb->patterns),
			prefilters(kb), sizeof(struct kb_prefilter), pattern_fn);
	kb->npatterns = np;
	if (ret)
		goto free_kb;
	if ((ret = load_list(l, ls, "signals", kb->signals, sizeof(*kb->signals),
			     NULL, 0, signal_fn)) ||
	    (ret = load_list(l, lc, "causes", kb->causes, sizeof(*kb->causes),
			     NULL, 0, cause_fn)) ||
	    (ret = load_list(l, ln, "notes", kb->notes, sizeof(*kb->notes),
			     NULL, 0, note_fn)))
		goto free_kb;
	kb->nsignals = ns;
	kb->ncauses = nc;
	kb->nnotes = nn;
	*out = kb;
	return 0;

free_kb:
	lumen_doctor_kb_free(kb);
	return ret;
}

int lumen_doctor_kb_parse(const char *name, const char *text, size_t len,
			  struct lumen_doctor_kb **out, char *err, size_t errlen)
{
	struct loader l;
	int ret;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	ret = lumen_yaml_load_buffer(&l.y, name, text, len, err, errlen);
	if (ret)
		return ret;
	ret = load(&l, out);
	lumen_yaml_free(&l.y);
	return ret;
}

int lumen_doctor_kb_load(const char *path, struct lumen_doctor_kb **out,
			 char *err, size_t errlen)
{
	struct loader l;
	int ret;

	*out = NULL;
	memset(&l, 0, sizeof(l));
	ret = lumen_yaml_load_file(&l.y, path, err, errlen);
	if (ret)
		return ret;
	ret = load(&l, out);
	lumen_yaml_free(&l.y);
	return ret;
}

void lumen_doctor_kb_counts(const struct lumen_doctor_kb *kb, int *patterns,
			    int *signals, int *causes, int *sensors)
{
	*patterns = kb->npatterns;
	*signals = kb->nsignals;
	*causes = kb->ncauses;
	*sensors = kb->nsensors;
}

const char *lumen_doctor_kb_default_path(void)
{
	const char *env = getenv("LUMEN_DOCTOR_KB");

	if (env && *env)
		return env;
	if (!access(LUMEN_DOCTOR_KB_INSTALLED, R_OK))
		return LUMEN_DOCTOR_KB_INSTALLED;
	if (!access(LUMEN_DOCTOR_KB_SOURCE, R_OK))
		return LUMEN_DOCTOR_KB_SOURCE;
	return LUMEN_DOCTOR_KB_INSTALLED;
}

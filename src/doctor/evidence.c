// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Evidence input: files, directories or text in memory become lines; a
 * line that is a shell prompt or a heading opens a section; every line
 * goes to every evidence family (each recognises its own output by
 * content) and through the knowledge base's line patterns. Facts are kept
 * in a fixed-size store, so memory does not grow with the input.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor/internal.h"
#include "core/errmsg.h"

static const struct ev_family *const ev_families[] = {
	&ev_family_log, &ev_family_sigmastar, &ev_family_ingenic,
	&ev_family_hisilicon, &ev_family_interrupts, &ev_family_media,
	&ev_family_v4l2, &ev_family_rkisp1, &ev_family_i2c, &ev_family_dt,
	&ev_family_lumen, &ev_family_kernel, &ev_family_sdk, &ev_family_app,
	&ev_family_prior,	/* last: its finish reads the others' findings */
};
#define NFAMILIES (sizeof(ev_families) / sizeof(ev_families[0]))
_Static_assert(NFAMILIES <= sizeof(((struct lumen_doctor_evidence *)0)->state) /
			     sizeof(void *), "one state slot per family");

#define DIR_DEPTH_MAX 4
#define DIR_FILES_MAX 4096
#define READ_CHUNK 65536

/* ------------------------------------------------------------------ */
/* text helpers                                                        */

const char *ev_skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

bool ev_starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

bool ev_contains(const char *s, const char *needle)
{
	size_t n = strlen(needle);
	int first;

	if (!n)
		return true;
	/* every line meets every word list: compare the first byte inline and
	 * call strncasecmp only where it matches */
	first = tolower((unsigned char)needle[0]);
	for (; *s; s++)
		if (tolower((unsigned char)*s) == first && !strncasecmp(s, needle, n))
			return true;
	return false;
}

void ev_lower(char *dst, size_t size, const char *s)
{
	size_t i = 0;

	for (; s[i] && i + 1 < size; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[i] = '\0';
}

bool ev_scan_int(const char **s, int64_t *v)
{
	const char *p = ev_skip_space(*s);
	bool neg = false, hex = false;
	uint64_t x = 0;
	int digits = 0;

	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
		hex = true;
		p += 2;
	}
	for (;; p++) {
		int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (hex && isxdigit((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		if (x > (UINT64_MAX >> 5))	/* saturate huge counters */
			x = UINT64_MAX >> 5;
		else
			x = x * (hex ? 16 : 10) + (unsigned)d;
		digits++;
	}
	if (!digits)
		return false;
	*v = neg ? -(int64_t)x : (int64_t)x;
	*s = p;
	return true;
}

int64_t ev_sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

void ev_slug(char *dst, size_t size, const char *src, size_t n)
{
	size_t o = 0;
	bool sep = false;

	if (!size)
		return;
	for (size_t i = 0; i < n && src[i] && o + 1 < size; i++) {
		unsigned char c = (unsigned char)src[i];

		if (isalnum(c)) {
			if (sep && o)
				dst[o++] = '_';
			sep = false;
			if (o + 1 < size)
				dst[o++] = (char)tolower(c);
		} else {
			sep = true;
		}
	}
	dst[o] = '\0';
}

void ev_namef(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* facts                                                               */

int ev_quote_line(struct lumen_doctor_evidence *ev)
{
	struct lumen_doctor_quote *q;
	const char *s, *e;
	size_t n;

	if (ev->cur_quote >= 0 || !ev->line)
		return ev->cur_quote;
	if (ev->nquotes >= EV_QUOTES_MAX)
		return -1;
	q = &ev->quotes[ev->nquotes];
	snprintf(q->where, sizeof(q->where), "%s:%u", ev->file ? ev->file : "-",
		 ev->lineno);
	s = ev_skip_space(ev->line);
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	n = (size_t)(e - s);
	if (n >= sizeof(q->text))
		n = sizeof(q->text) - 1;
	memcpy(q->text, s, n);
	q->text[n] = '\0';
	/* keep quotes printable: a pasted line may hold control bytes */
	for (char *c = q->text; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	ev->cur_quote = ev->nquotes++;
	return ev->cur_quote;
}

struct ev_fact *ev_fact_find(const struct lumen_doctor_evidence *ev,
			     const char *name)
{
	for (int i = 0; i < ev->nfacts; i++)
		if (!strcmp(ev->facts[i].name, name))
			return (struct ev_fact *)&ev->facts[i];
	return NULL;
}

struct ev_fact *ev_fact_raw(struct lumen_doctor_evidence *ev, const char *name)
{
	struct ev_fact *f = ev_fact_find(ev, name);

	if (f)
		return f;
	if (ev->nfacts >= EV_FACTS_MAX) {
		ev->facts_full = true;
		return NULL;
	}
	f = &ev->facts[ev->nfacts++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
}

static void attach_quote(struct ev_fact *f, int q)
{
	if (q < 0)
		return;
	for (int i = 0; i < f->nquotes; i++)
		if (f->quote[i] == q)
			return;
	if (f->nquotes < EV_FACT_QUOTES)
		f->quote[f->nquotes++] = q;
}

void ev_fact_add_quote(struct ev_fact *f, int q)
{
	if (f)
		attach_quote(f, q);
}

void ev_fact_quote_from(struct lumen_doctor_evidence *ev, struct ev_fact *dst,
			const struct ev_fact *src)
{
	(void)ev;
	if (!dst || !src)
		return;
	for (int i = 0; i < src->nquotes; i++)
		attach_quote(dst, src->quote[i]);
}

void ev_set_sum_of(struct lumen_doctor_evidence *ev, const char *dst,
		   bool (*take)(const struct ev_fact *f, const void *ctx),
		   const void *ctx, int max_quoted)
{
	const struct ev_fact *srcs[EV_SUM_QUOTED_MAX];
	struct ev_fact *d;
	int64_t sum = 0;
	bool found = false;
	int ns = 0;

	if (max_quoted > EV_SUM_QUOTED_MAX)
		max_quoted = EV_SUM_QUOTED_MAX;
	for (int i = 0; i < ev->nfacts; i++) {
		const struct ev_fact *f = &ev->facts[i];

		if (!f->has_num || !take(f, ctx))
			continue;
		sum = ev_sat_add(sum, f->num);
		found = true;
		if (ns < max_quoted)
			srcs[ns++] = f;
	}
	if (!found)
		return;
	ev_set_num(ev, dst, sum, false);
	d = ev_fact_find(ev, dst);
	for (int i = 0; i < ns; i++)
		ev_fact_quote_from(ev, d, srcs[i]);
}

static struct ev_fact *fact_get(struct lumen_doctor_evidence *ev,
				const char *name, bool quote)
{
	char full[EV_FACT_NAME];
	struct ev_fact *f;

	if (ev->reference && strncmp(name, "ref.", 4)) {
		snprintf(full, sizeof(full), "ref.%s", name);
		name = full;
	}
	f = ev_fact_raw(ev, name);
	if (f) {
		f->count++;
		if (quote)
			attach_quote(f, ev_quote_line(ev));
	}
	return f;
}

void ev_set_num(struct lumen_doctor_evidence *ev, const char *name, int64_t v,
		bool quote)
{
	struct ev_fact *f = fact_get(ev, name, quote);

	if (!f)
		return;
	f->num = v;
	f->has_num = true;
	snprintf(f->text, sizeof(f->text), "%lld", (long long)v);
}

void ev_set_text(struct lumen_doctor_evidence *ev, const char *name,
		 const char *text, bool quote)
{
	struct ev_fact *f = fact_get(ev, name, quote);
	const char *p = text;
	int64_t v;

	if (!f)
		return;
	snprintf(f->text, sizeof(f->text), "%s", text);
	/* a text that is one whole number also has that number */
	f->has_num = ev_scan_int(&p, &v) && !*ev_skip_space(p);
	f->num = f->has_num ? v : 0;
}

void ev_add_num(struct lumen_doctor_evidence *ev, const char *name,
		int64_t delta, bool quote)
{
	struct ev_fact *f = fact_get(ev, name, quote);

	if (!f)
		return;
	f->num = ev_sat_add(f->has_num ? f->num : 0, delta);
	f->has_num = true;
	snprintf(f->text, sizeof(f->text), "%lld", (long long)f->num);
}

void ev_max_num(struct lumen_doctor_evidence *ev, const char *name, int64_t v,
		bool quote)
{
	struct ev_fact *f = fact_get(ev, name, quote);

	if (!f)
		return;
	if (!f->has_num || v > f->num) {
		f->num = v;
		f->has_num = true;
		snprintf(f->text, sizeof(f->text), "%lld", (long long)v);
	}
}

bool lumen_doctor_fact_num(const struct lumen_doctor_evidence *ev,
			   const char *name, int64_t *val)
{
	const struct ev_fact *f = ev_fact_find(ev, name);

	if (!f || !f->has_num)
		return false;
	*val = f->num;
	return true;
}

const char *lumen_doctor_fact_text(const struct lumen_doctor_evidence *ev,
				   const char *name)
{
	const struct ev_fact *f = ev_fact_find(ev, name);

	return f ? f->text : NULL;
}

void lumen_doctor_evidence_dump(const struct lumen_doctor_evidence *ev,
				FILE *out)
{
	for (int i = 0; i < ev->nfacts; i++) {
		const struct ev_fact *f = &ev->facts[i];

		fprintf(out, "%-36s = %-16s x%u", f->name, f->text, f->count);
		if (f->has_num)
			fprintf(out, " (%lld)", (long long)f->num);
		if (f->nquotes)
			fprintf(out, "   [%s] %s", ev->quotes[f->quote[0]].where,
				ev->quotes[f->quote[0]].text);
		fputc('\n', out);
	}
}

size_t lumen_doctor_evidence_bytes(const struct lumen_doctor_evidence *ev)
{
	return ev->bytes;
}

size_t lumen_doctor_evidence_lines(const struct lumen_doctor_evidence *ev)
{
	return ev->lines;
}

const char *lumen_doctor_evidence_notes(const struct lumen_doctor_evidence *ev)
{
	return ev->notes;
}

static void note(struct lumen_doctor_evidence *ev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct lumen_doctor_evidence *ev, const char *fmt, ...)
{
	size_t len = strlen(ev->notes);
	va_list ap;

	if (len + 2 >= sizeof(ev->notes))
		return;
	if (len)
		ev->notes[len++] = '\n';
	va_start(ap, fmt);
	vsnprintf(ev->notes + len, sizeof(ev->notes) - len, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* sections                                                            */

/*
 * A shell prompt followed by a command: "# cmd", "$ cmd", "~ # cmd",
 * "/ # cmd", "root@host:~# cmd", "pi@host:~ $ cmd", "[root@host:~]# cmd".
 * Returns the command, or NULL.
 */
static const char *prompt_command(const char *line)
{
	const char *s = ev_skip_space(line), *t, *e;
	bool userish;

	if ((*s == '#' || *s == '$') && s[1] == ' ') {
		t = ev_skip_space(s + 2);
		return *t ? t : NULL;
	}
	e = s;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	if (e == s || e - s > 96)
		return NULL;
	userish = memchr(s, '@', (size_t)(e - s)) ||
		  (e - s == 1 && (*s == '~' || *s == '/')) || *s == '[';
	if (!userish)
		return NULL;
	if (e[-1] == '#' || e[-1] == '$') {
		t = ev_skip_space(e);
		return *t ? t : NULL;
	}
	t = ev_skip_space(e);
	if ((*t == '#' || *t == '$') && t[1] == ' ') {
		t = ev_skip_space(t + 2);
		return *t ? t : NULL;
	}
	return NULL;
}

/* Headings people put between pasted outputs. Returns the title or NULL. */
static const char *heading_title(const char *line, char *buf, size_t size)
{
	const char *s = line, *e;
	size_t n;

	if (s[0] == '#' && s[1] == '#') {
		while (*s == '#')
			s++;
		if (*s != ' ')
			return NULL;
		snprintf(buf, size, "%s", ev_skip_space(s));
		return buf;
	}
	if (ev_starts(s, "==> ") || ev_starts(s, "** ") || ev_starts(s, "===[ ")) {
		s += ev_starts(s, "===[ ") ? 5 : (s[0] == '=' ? 4 : 3);
		e = s + strlen(s);
		while (e > s && strchr(" =<*]\r", e[-1]))
			e--;
		n = (size_t)(e - s) < size - 1 ? (size_t)(e - s) : size - 1;
		memcpy(buf, s, n);
		buf[n] = '\0';
		return buf;
	}
	return NULL;
}

static bool word_in(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = s; *p; p++) {
		if (strncasecmp(p, w, n))
			continue;
		if ((p == s || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[n]))
			return true;
	}
	return false;
}

/* Does a section title say it shows a reference (known good) setup? */
static bool reference_title(const char *t)
{
	static const char *const words[] = {
		"stock", "original", "factory", "oem", "reference",
		"known-good", "known good", "vendor firmware", "vendor's",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (word_in(t, words[i]))
			return true;
	return false;
}

static void section_begin(struct lumen_doctor_evidence *ev, const char *title)
{
	snprintf(ev->section, sizeof(ev->section), "%s", title ? title : "");
	ev->reference = title && reference_title(title);
	ev->sections++;
	for (size_t i = 0; i < NFAMILIES; i++)
		if (ev_families[i]->begin)
			ev_families[i]->begin(ev, ev->state[i]);
}

const char *ev_conf_name(int conf)
{
	return conf >= EV_CONF_HIGH ? "high" : conf == EV_CONF_MEDIUM ? "medium" :
	       conf == EV_CONF_LOW ? "low" : "guess";
}

void ev_find(struct lumen_doctor_evidence *ev, int stage, int conf,
	     const char *why)
{
	if (stage < 0 || stage >= LUMEN_STAGE_COUNT || ev->reference || ev->line_marker)
		return;
	ev_find_quoted(ev, stage, conf, why, ev_quote_line(ev));
}

int ev_strongest_finding(const struct lumen_doctor_evidence *ev)
{
	int best = -1;

	for (int s = 0; s < LUMEN_STAGE_COUNT; s++) {
		char name[EV_FACT_NAME];
		const struct ev_fact *f;

		snprintf(name, sizeof(name), "find.%s", lumen_doctor_stage_name(s));
		f = ev_fact_find(ev, name);
		if (f && f->has_num && f->num > best)
			best = (int)f->num;
	}
	return best;
}

void ev_find_quoted(struct lumen_doctor_evidence *ev, int stage, int conf,
		    const char *why, int quote)
{
	char name[EV_FACT_NAME];
	struct ev_fact *f;

	if (stage < 0 || stage >= LUMEN_STAGE_COUNT || ev->reference)
		return;
	ev->line_found = true;
	snprintf(name, sizeof(name), "find.%s", lumen_doctor_stage_name(stage));
	f = ev_fact_raw(ev, name);
	if (!f)
		return;
	f->count++;
	if (!f->has_num || conf > f->num) {	/* the strongest finding speaks */
		f->num = conf;
		f->has_num = true;
		f->nquotes = 0;
		snprintf(f->text, sizeof(f->text), "%s", why);
	} else if (conf < f->num) {
		return;
	}
	attach_quote(f, quote);
}

/* ------------------------------------------------------------------ */
/* lines                                                               */

static bool is_month(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	for (int i = 0; i < 12; i++)
		if (!strncmp(s, months + 3 * i, 3))
			return true;
	return false;
}

static bool is_weekday(const char *s)
{
	static const char days[] = "MonTueWedThuFriSatSun";

	for (int i = 0; i < 7; i++)
		if (!strncmp(s, days + 3 * i, 3))
			return true;
	return false;
}

/* Length of an ISO 8601 date-time at @s ("2023-12-11T17:39:01.123+00:00",
 * "2023-12-11 17:39:01,123", "2023/12/11 17:39:01"), 0 when none. */
static size_t iso_stamp(const char *s)
{
	const char *p = s;

	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)*p++))
			return 0;
	if (*p != '-' && *p != '/')
		return 0;
	p++;
	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
	    (p[2] != '-' && p[2] != '/') || !isdigit((unsigned char)p[3]) ||
	    !isdigit((unsigned char)p[4]))
		return 0;
	p += 5;
	if (*p != 'T' && *p != ' ')
		return (size_t)(p - s);
	if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) || p[3] != ':')
		return (size_t)(p - s);
	p++;
	while (isdigit((unsigned char)*p) || *p == ':' || *p == '.' || *p == ',')
		p++;
	if (*p == 'Z')
		p++;
	else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]))
		for (p++; isdigit((unsigned char)*p) || *p == ':'; p++)
			;
	return (size_t)(p - s);
}

/* "[ 12.3]", "[Dec11 17:39]", "[  +0.000081]", "[Mon Dec 11 17:39:01 2023]"
 * (dmesg -T), "[    T1]" (caller id), "[0:00:01.2345]" (libcamera),
 * "[15-20-20.385]" (a console logger): the length up to the ']', else 0. */
static size_t bracket_stamp(const char *s)
{
	const char *p;

	if (*s != '[')
		return 0;
	p = strchr(s, ']');
	if (!p || p - s >= 32)
		return 0;
	if (!(isdigit((unsigned char)s[1]) || s[1] == ' ' || s[1] == '+' ||
	      is_month(s + 1) || is_weekday(s + 1) ||
	      ((s[1] == 'T' || s[1] == 'C') && isdigit((unsigned char)s[2]))))
		return 0;
	for (const char *q = s + 1; q < p; q++) {	/* a stamp holds no words */
		if (!isalpha((unsigned char)*q))
			continue;
		if (is_month(q) || is_weekday(q))
			q += 2;
		else if (!((*q == 'T' || *q == 'C') && isdigit((unsigned char)q[1])))
			return 0;
	}
	return (size_t)(p - s + 1);
}

/* After a syslog-style "Mon DD hh:mm:ss" (journald, busybox syslog,
 * logread, with or without a year): skips host/facility/tag up to the
 * first word ending in ':'. */
static const char *syslog_header(const char *s)
{
	const char *p;

	if (is_weekday(s) && s[3] == ' ' && is_month(s + 4))
		s += 4;	/* logread: "Mon Dec 11 17:39:01 2023 kern.err kernel:" */
	if (!(is_month(s) && s[3] == ' ' && strlen(s) > 16 && s[9] == ':' &&
	      s[12] == ':'))
		return s;
	p = s + 15;
	for (int tok = 0; tok < 4 && *p; tok++) {	/* year, host, facility, tag */
		const char *e;

		p = ev_skip_space(p);
		e = p;
		while (*e && *e != ' ')
			e++;
		if (e > p && e[-1] == ':')
			return ev_skip_space(e);
		p = e;
	}
	return ev_skip_space(s + 15);
}

/* "hh:mm:ss" between @s and @end? */
static bool has_time(const char *s, const char *end)
{
	for (const char *p = s; p + 8 <= end; p++)
		if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && p[2] == ':' &&
		    isdigit((unsigned char)p[3]) && isdigit((unsigned char)p[4]) && p[5] == ':' &&
		    isdigit((unsigned char)p[6]) && isdigit((unsigned char)p[7]))
			return true;
	return false;
}

/*
 * The message of a log line: after an ISO stamp, a syslog header
 * (journald "Dec 11 17:39:01 host kernel: ", logread "Mon Dec 11 ... 2023
 * kern.err kernel: ", busybox "user.info majestic[871]: "), a printk level
 * "<3>", "kernel: ", and up to three bracketed stamps (dmesg, dmesg -T,
 * caller id, a console logger's own stamp before the kernel's).
 */
static const char *line_body(const char *line)
{
	const char *s = ev_skip_space(line), *start = s;
	size_t n;

	n = iso_stamp(s);
	if (n > 10) {	/* then maybe "host kernel: " or "tag[pid]: " */
		const char *t1 = ev_skip_space(s + n), *e1, *t2, *e2;

		s = t1;
		e1 = t1 + strcspn(t1, " ");
		t2 = ev_skip_space(e1);
		e2 = t2 + strcspn(t2, " ");
		if (e1 > t1 && e1[-1] == ':' && (ev_starts(t1, "kernel:") ||
						 (e1 - t1 > 3 && e1[-2] == ']')))
			s = ev_skip_space(e1);
		else if (*e1 && e2 > t2 && e2[-1] == ':' && e2 - t2 < 48 &&
			 (ev_starts(t2, "kernel:") || (e2 - t2 > 3 && e2[-2] == ']')))
			s = ev_skip_space(e2);
	}
	s = syslog_header(s);
	if (s[0] == '<' && isdigit((unsigned char)s[1]) && s[2] == '>')
		s += 3;
	if (ev_starts(s, "kernel: "))
		s += 8;
	for (int i = 0; i < 3 && (n = bracket_stamp(s)); i++)
		s = ev_skip_space(s + n);
	if (ev_starts(s, "kernel: "))
		s += 8;
	if (s == start) {	/* any other stamp before "host kern.err kernel: " */
		const char *k = strstr(s, " kernel: ");

		/* a stamp is digits, or a month of any locale, then a time */
		if (k && k - s < 80 && (isdigit((unsigned char)*s) || has_time(s, k)))
			s = ev_skip_space(k + 9);
		for (int i = 0; s != start && i < 3 && (n = bracket_stamp(s)); i++)
			s = ev_skip_space(s + n);
	}
	return s == start ? line : s;	/* nothing stripped: keep the indent */
}

/* Does @p start an HTML tag people's pastes carry (<br>, <code>, ...)?
 * Returns its length or 0. Only known tag names: "<-" or "<none>" stay. */
static size_t html_tag(const char *p)
{
	static const char *const tags[] = {
		"br", "p", "code", "pre", "b", "i", "tt", "span", "div", "details",
		"summary", "blockquote", "kbd", "samp", "em", "strong", "font",
	};
	const char *q = p + 1, *e;

	if (*q == '/')
		q++;
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		size_t n = strlen(tags[i]);

		if (strncasecmp(q, tags[i], n) || isalnum((unsigned char)q[n]))
			continue;
		e = strchr(q + n, '>');
		if (!e || e - p > 80)
			return 0;
		return (size_t)(e - p + 1);
	}
	return 0;
}

/*
 * Makes a pasted line mean what it meant where it was printed: markdown
 * fences become empty lines, quote markers ("> ", "> > ") and list bullets
 * before a stamp go, HTML entities are decoded and the tags forums leave
 * (<br>, <code>) dropped, backticks dropped, and a reader's annotation
 * after the output ("  # -> the error", "  <-- here") cut. In place: the
 * result is never longer than the input.
 */
static void normalise_line(char *line)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&gt;", '>' }, { "&lt;", '<' }, { "&amp;", '&' }, { "&quot;", '"' },
		{ "&#39;", '\'' }, { "&#x27;", '\'' }, { "&apos;", '\'' },
		{ "&nbsp;", ' ' }, { "&#34;", '"' }, { "&#62;", '>' }, { "&#60;", '<' },
	};
	char *r = line, *w = line, *s;

	while (*r) {	/* entities and tags, backticks */
		size_t n;
		bool done = false;

		if (*r == '&') {
			for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
				n = strlen(ents[i].ent);
				if (!strncmp(r, ents[i].ent, n)) {
					*w++ = ents[i].c;
					r += n;
					done = true;
					break;
				}
			}
		} else if (*r == '<' && (n = html_tag(r))) {
			r += n;
			done = true;
		} else if (*r == '`') {
			r++;
			done = true;
		}
		if (!done)
			*w++ = *r++;
	}
	*w = '\0';
	s = (char *)ev_skip_space(line);
	if (ev_starts(s, "```") || ev_starts(s, "~~~")) {
		line[0] = '\0';
		return;
	}
	/* quote markers: "> ", ">> ", "> > " (">" alone too) */
	if (*s == '>' && (s[1] == ' ' || s[1] == '>' || s[1] == '\0' || s[1] == '\t')) {
		while (*s == '>' || *s == ' ' || *s == '\t')
			s++;
		memmove(line, s, strlen(s) + 1);
		s = line;
	}
	/* a list bullet before a stamped line: "- [  1.2] ...", "* [  1.2]" */
	if ((s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ' &&
	    (s[2] == '[' || isdigit((unsigned char)s[2])))
		memmove(s, s + 2, strlen(s + 2) + 1);
	/* annotations: "  # -> ...", "  # <- ...", "  <-- ...", "  <== ..." */
	for (char *p = line; *p; p++) {
		if (p > line && (p[-1] == ' ' || p[-1] == '\t') &&
		    (ev_starts(p, "# ->") || ev_starts(p, "# <-") || ev_starts(p, "#->") ||
		     ev_starts(p, "<--") || ev_starts(p, "<==") || ev_starts(p, "# =>") ||
		     ev_starts(p, "<<<"))) {
			while (p > line && (p[-1] == ' ' || p[-1] == '\t'))
				p--;
			*p = '\0';
			break;
		}
	}
}

static void process_line(struct lumen_doctor_evidence *ev, char *line)
{
	char title[EV_SECTION_TEXT];
	const char *t;
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		line[--n] = '\0';
	normalise_line(line);
	ev->lines++;
	ev->lineno++;
	ev->line = line;
	ev->cur_quote = -1;
	ev->line_found = false;
	ev->body = line_body(line);
	t = prompt_command(line);
	if (!t)
		t = heading_title(line, title, sizeof(title));
	ev->line_marker = t != NULL;
	ev->line_fails = !ev->line_marker && ev_says_failure(ev->body);
	if (t)
		section_begin(ev, t);
	for (size_t i = 0; i < NFAMILIES; i++)
		if (ev_families[i]->line)
			ev_families[i]->line(ev, ev->state[i]);
	if (ev->kb)
		kb_match_line(ev->kb, ev);
	ev->line = ev->body = NULL;
	ev->finished = false;
}

/* Feeds @len bytes; @carry holds a partial line across calls. */
struct line_buf {
	char buf[EV_LINE_MAX];
	size_t len;
	bool cut;
};

static void feed(struct lumen_doctor_evidence *ev, struct line_buf *lb,
		 const char *data, size_t len, bool last)
{
	for (size_t i = 0; i < len; i++) {
		char c = data[i];

		if (c == '\n' || c == '\0') {
			lb->buf[lb->len] = '\0';
			process_line(ev, lb->buf);
			lb->len = 0;
			continue;
		}
		if (lb->len + 1 < sizeof(lb->buf))
			lb->buf[lb->len++] = c;
		else
			lb->cut = true;
	}
	if (last && lb->len) {
		lb->buf[lb->len] = '\0';
		process_line(ev, lb->buf);
		lb->len = 0;
	}
}

static void start_input(struct lumen_doctor_evidence *ev, const char *name)
{
	ev->file = name;
	ev->lineno = 0;
	section_begin(ev, NULL);
}

void lumen_doctor_evidence_add_text(struct lumen_doctor_evidence *ev,
				    const char *name, const char *text,
				    size_t len)
{
	struct line_buf *lb = malloc(sizeof(*lb));	/* big for small stacks */
	size_t room = LUMEN_DOCTOR_MAX_BYTES - ev->bytes;

	if (!lb) {
		note(ev, "%s: out of memory, not read", name);
		return;
	}
	lb->len = 0;
	lb->cut = false;
	if (len > room) {
		note(ev, "%s: only the first %zu of %zu bytes were read", name,
		     room, len);
		ev->truncated = true;
		len = room;
	}
	start_input(ev, name);
	ev->bytes += len;
	feed(ev, lb, text, len, true);
	if (lb->cut)
		note(ev, "%s: lines longer than %d bytes were cut", name,
		     EV_LINE_MAX - 1);
	ev->file = NULL;
	free(lb);
}

/* Text or not, from the first block: NULs and control bytes. */
static bool looks_binary(const unsigned char *b, size_t n)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i++) {
		if (b[i] == 0)
			return true;
		if (b[i] < 0x20 && !strchr("\t\n\r\f\v\x1b\b", b[i]))
			bad++;
	}
	return n && bad * 20 > n;
}

/* The name is only used while the file is read (quotes copy it). */
static const char *keep_name(const char *path)
{
	char *copy = strdup(path);

	return copy ? copy : "(file)";
}

static int add_file(struct lumen_doctor_evidence *ev, const char *path,
		    const char *shown, char *err, size_t errlen)
{
	unsigned char *chunk;
	struct line_buf *lb;
	ssize_t got;
	size_t total = 0;
	int fd, ret = 0;
	bool first = true;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return lumen_fail(-errno, err, errlen, "%s: %s", path,
				     strerror(errno));
	chunk = malloc(READ_CHUNK);
	lb = malloc(sizeof(*lb));
	if (!chunk || !lb) {
		ret = lumen_fail(-ENOMEM, err, errlen, "%s: out of memory", path);
		goto free_buffers;
	}
	lb->len = 0;
	lb->cut = false;
	for (;;) {
		size_t want = READ_CHUNK, room = LUMEN_DOCTOR_MAX_BYTES - ev->bytes;

		if (!room) {
			/* one more byte tells whether anything was left */
			if (read(fd, chunk, 1) > 0) {
				note(ev, "%s: evidence limit of %u MiB reached; the rest "
				     "was not read", shown, LUMEN_DOCTOR_MAX_BYTES >> 20);
				ev->truncated = true;
			}
			break;
		}
		if (want > room)
			want = room;
		got = read(fd, chunk, want);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			ret = lumen_fail(-errno, err, errlen, "%s: %s", path,
					    strerror(errno));
			break;
		}
		if (got == 0)
			break;
		if (first) {
			first = false;
			if (looks_binary(chunk, (size_t)got < 4096 ? (size_t)got : 4096)) {
				note(ev, "%s: binary data, skipped", shown);
				goto free_buffers;
			}
			start_input(ev, keep_name(shown));
		}
		total += (size_t)got;
		ev->bytes += (size_t)got;
		feed(ev, lb, (const char *)chunk, (size_t)got, false);
	}
	if (!first) {
		feed(ev, lb, "", 0, true);
		if (lb->cut)
			note(ev, "%s: lines longer than %d bytes were cut", shown,
			     EV_LINE_MAX - 1);
		if (strcmp(ev->file, "(file)"))
			free((char *)ev->file);
		ev->file = NULL;
	} else if (!ret && total == 0) {
		note(ev, "%s: empty", shown);
	}
free_buffers:
	free(lb);
	free(chunk);
	close(fd);
	return ret;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_dir(struct lumen_doctor_evidence *ev, const char *path,
		   int depth, int *nfiles, char *err, size_t errlen)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	d = opendir(path);
	if (!d)
		return lumen_fail(-errno, err, errlen, "%s: %s", path,
				     strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			char **nn = realloc(names, ncap * sizeof(*nn));

			if (!nn) {
				ret = lumen_fail(-ENOMEM, err, errlen,
						    "%s: out of memory", path);
				goto free_names;
			}
			names = nn;
			cap = ncap;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			ret = lumen_fail(-ENOMEM, err, errlen, "%s: out of memory",
					    path);
			goto free_names;
		}
		n++;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n && !ret; i++) {
		char full[4096];
		struct stat st;

		if ((size_t)snprintf(full, sizeof(full), "%s/%s", path,
				     names[i]) >= sizeof(full) ||
		    stat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < DIR_DEPTH_MAX)
				ret = add_dir(ev, full, depth + 1, nfiles, err, errlen);
			else
				note(ev, "%s: deeper than %d levels, skipped", full,
				     DIR_DEPTH_MAX);
		} else if (S_ISREG(st.st_mode)) {
			if (++*nfiles > DIR_FILES_MAX) {
				note(ev, "%s: more than %d files, the rest skipped",
				     path, DIR_FILES_MAX);
				break;
			}
			ret = add_file(ev, full, full, err, errlen);
		}
	}
free_names:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

int lumen_doctor_evidence_add_path(struct lumen_doctor_evidence *ev,
				   const char *path, char *err, size_t errlen)
{
	struct stat st;
	int nfiles = 0;

	if (stat(path, &st) != 0)
		return lumen_fail(-errno, err, errlen, "%s: %s", path,
				     strerror(errno));
	if (S_ISDIR(st.st_mode))
		return add_dir(ev, path, 0, &nfiles, err, errlen);
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: not a file or directory", path);
	return add_file(ev, path, path, err, errlen);
}

/* ------------------------------------------------------------------ */
/* life cycle                                                          */

int lumen_doctor_evidence_new(const struct lumen_doctor_kb *kb,
			      struct lumen_doctor_evidence **out)
{
	struct lumen_doctor_evidence *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return -ENOMEM;
	ev->kb = kb;
	ev->cur_quote = -1;
	for (size_t i = 0; i < NFAMILIES; i++) {
		ev->state[i] = calloc(1, ev_families[i]->state_size ?
					 ev_families[i]->state_size : 1);
		if (!ev->state[i]) {
			lumen_doctor_evidence_free(ev);
			return -ENOMEM;
		}
	}
	*out = ev;
	return 0;
}

void lumen_doctor_evidence_finish(struct lumen_doctor_evidence *ev)
{
	if (ev->finished)
		return;
	ev->reference = false;
	ev->line = ev->body = NULL;
	ev->cur_quote = -1;
	for (size_t i = 0; i < NFAMILIES; i++)
		if (ev_families[i]->finish)
			ev_families[i]->finish(ev, ev->state[i]);
	if (ev->facts_full)
		note(ev, "more than %d distinct facts; later ones were dropped",
		     EV_FACTS_MAX);
	ev->finished = true;
}

void lumen_doctor_evidence_free(struct lumen_doctor_evidence *ev)
{
	if (!ev)
		return;
	for (size_t i = 0; i < NFAMILIES; i++)
		free(ev->state[i]);
	free(ev);
}

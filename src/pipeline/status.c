// SPDX-License-Identifier: GPL-2.0-or-later
#include "pipeline/status.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/textbuf.h"

struct lumen_stage_status *lumen_status_next(struct lumen_stage_status *st,
					     int *n, int max, const char *name)
{
	struct lumen_stage_status *s;

	if (*n >= max)
		return NULL;
	s = &st[(*n)++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	return s;
}

void lumen_status_extra(struct lumen_stage_status *s, const char *key,
			int64_t value)
{
	if (s->nextra >= LUMEN_STATUS_MAX_EXTRA)
		return;
	snprintf(s->extra[s->nextra].key, sizeof(s->extra[0].key), "%s", key);
	s->extra[s->nextra].value = value;
	s->nextra++;
}

int64_t lumen_status_get(const struct lumen_stage_status *s, const char *key,
			 int64_t fallback)
{
	for (int i = 0; i < s->nextra; i++)
		if (!strcmp(s->extra[i].key, key))
			return s->extra[i].value;
	return fallback;
}

bool lumen_status_carries_frames(const struct lumen_stage_status *s)
{
	/* media: the V4L2 graph (links, formats), not a frame counter */
	return strcmp(s->name, "power") && strcmp(s->name, "i2c") &&
	       strcmp(s->name, "media");
}

const struct lumen_stage_status *
lumen_status_first_silent(const struct lumen_stage_status *st, int n)
{
	for (int i = 0; i < n; i++)
		if (lumen_status_carries_frames(&st[i]) && st[i].frames_out == 0)
			return &st[i];
	return NULL;
}


int lumen_status_format(const struct lumen_stage_status *st, int n, char *buf,
			size_t size)
{
	size_t len = 0;

	if (size)
		buf[0] = 0;
	lumen_text_put(buf, size, &len, "%-10s %9s %9s %7s %7s %6s %8s\n", "stage", "in",
	    "out", "drops", "errors", "fps", "ms/frame");
	for (int i = 0; i < n; i++) {
		const struct lumen_stage_status *s = &st[i];

		lumen_text_put(buf, size, &len, "%-10s %9llu %9llu %7llu %7llu %6.1f %8.2f\n",
		    s->name, (unsigned long long)s->frames_in,
		    (unsigned long long)s->frames_out,
		    (unsigned long long)s->drops,
		    (unsigned long long)s->errors, s->fps,
		    s->frames_out ? s->ns_total / 1e6 / (double)s->frames_out :
		    s->ns_last / 1e6);
		if (s->nextra) {
			lumen_text_put(buf, size, &len, "%10s", "");
			for (int k = 0; k < s->nextra; k++)
				lumen_text_put(buf, size, &len, " %s=%lld", s->extra[k].key,
				    (long long)s->extra[k].value);
			lumen_text_put(buf, size, &len, "\n");
		}
		if (s->note[0])
			lumen_text_put(buf, size, &len, "%10s  %s\n", "", s->note);
	}
	return (int)len;
}

/* Every extra that only grows; anything else is a state and is kept. */
static const char *const counter_keys[] = {
	"bytes", "connections", "crc_errors", "dropped_clients",
	"ecc_corrected", "ecc_uncorrectable", "frame_end", "frame_start",
	"keyframes", "nacks", "packets_sent", "retries", "size_mismatches",
	"skipped", "sot_errors", "source_errors", "source_timeouts",
	"stale_drops", "transfers", "unclaimed_bursts", "unmask_failures",
};

bool lumen_status_key_is_counter(const char *key)
{
	size_t n = strlen(key);

	if (n > 10 && !strcmp(key + n - 10, "_hs_bursts"))
		return true;
	for (size_t i = 0; i < sizeof(counter_keys) / sizeof(counter_keys[0]); i++)
		if (!strcmp(key, counter_keys[i]))
			return true;
	return false;
}

/* One line of @text starting at @p: copied into @line (truncated), *next
 * set past its newline. */
static bool next_line(const char **p, const char *end, char *line, size_t size)
{
	const char *nl;
	size_t n;

	if (*p >= end)
		return false;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	n = (size_t)((nl ? nl : end) - *p);
	if (n >= size)
		n = size - 1;
	memcpy(line, *p, n);
	line[n] = 0;
	if (n && line[n - 1] == '\r')
		line[n - 1] = 0;
	*p = nl ? nl + 1 : end;
	return true;
}

/* "  key=123 key2=-4": every token key=integer. */
static bool parse_extras(const char *l, struct lumen_stage_status *s)
{
	struct lumen_stage_status tmp = *s;
	char key[64];
	int used;
	long long v;

	while (*l == ' ' || *l == '\t')
		l++;
	if (!*l)
		return false;
	while (*l) {
		if (sscanf(l, "%63[^= \t]=%lld%n", key, &v, &used) != 2)
			return false;
		l += used;
		if (*l && *l != ' ' && *l != '\t')
			return false;
		while (*l == ' ' || *l == '\t')
			l++;
		lumen_status_extra(&tmp, key, v);
	}
	*s = tmp;
	return true;
}

int lumen_status_parse(const char *text, size_t len,
		       struct lumen_stage_status *st, int max)
{
	const char *p = text, *end = text + len;
	char line[512];
	bool header = false;
	int n = 0;

	while (next_line(&p, end, line, sizeof(line))) {
		struct lumen_stage_status *s;
		unsigned long long in, out, drops, errors;
		double fps, ms;
		char name[sizeof(st->name)];
		int used = 0;

		if (!header) {
			header = !strncmp(line, "stage ", 6) && strstr(line, " in ") &&
				 strstr(line, " out ") && strstr(line, "errors");
			continue;
		}
		if (line[0] != ' ' && line[0] != '\t') {
			if (sscanf(line, "%23s %llu %llu %llu %llu %lf %lf%n", name,
				   &in, &out, &drops, &errors, &fps, &ms, &used) != 7 ||
			    line[used])
				break;
			/* a time per frame is never negative, NaN or longer than
			 * an hour: such a row is not one lumen printed, and
			 * converting it to nanoseconds would overflow */
			if (!(ms >= 0 && ms <= 3.6e6))
				break;
			if (n == max)
				break;
			s = &st[n++];
			memset(s, 0, sizeof(*s));
			snprintf(s->name, sizeof(s->name), "%s", name);
			s->frames_in = in;
			s->frames_out = out;
			s->drops = drops;
			s->errors = errors;
			s->fps = fps;
			s->ns_last = (uint64_t)(ms * 1e6 + 0.5);
			s->ns_total = s->ns_last * out;
			continue;
		}
		if (!n)
			break;
		s = &st[n - 1];
		if (!parse_extras(line, s)) {
			const char *t = line;

			while (*t == ' ' || *t == '\t')
				t++;
			if (!*t)
				break;
			size_t tl = strlen(t);

			if (tl >= sizeof(s->note))
				tl = sizeof(s->note) - 1;
			memcpy(s->note, t, tl);
			s->note[tl] = 0;
		}
	}
	return header ? n : -EINVAL;
}

static uint64_t grew(uint64_t before, uint64_t after)
{
	return after >= before ? after - before : after;
}

void lumen_status_delta(const struct lumen_stage_status *before, int nbefore,
			const struct lumen_stage_status *after, int nafter,
			struct lumen_stage_status *out)
{
	for (int i = 0; i < nafter; i++) {
		const struct lumen_stage_status *a = &after[i], *b = NULL;
		struct lumen_stage_status *o = &out[i];

		for (int j = 0; j < nbefore && !b; j++)
			if (!strcmp(before[j].name, a->name))
				b = &before[j];
		*o = *a;
		if (!b)
			continue;
		o->frames_in = grew(b->frames_in, a->frames_in);
		o->frames_out = grew(b->frames_out, a->frames_out);
		o->drops = grew(b->drops, a->drops);
		o->errors = grew(b->errors, a->errors);
		o->ns_total = o->ns_last * o->frames_out;
		for (int k = 0; k < o->nextra; k++) {
			int64_t was = lumen_status_get(b, o->extra[k].key, 0);

			/* counters are never negative: a negative "before"
			 * (not a table lumen printed) is taken as zero, and
			 * value - was cannot overflow then */
			if (lumen_status_key_is_counter(o->extra[k].key) && was >= 0 &&
			    o->extra[k].value >= was)
				o->extra[k].value -= was;
		}
	}
}

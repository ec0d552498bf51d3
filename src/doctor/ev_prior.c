// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The prior: which stage reports worded like this one were labelled with.
 * When no line names a stage (the findings are guesses at most), the
 * diagnosis asks the words of the whole text: a naive Bayes over the
 * table scripts/gen_doctor_prior.py learned from the labelled cold cases
 * (data/doctor/prior.tsv, compiled in; docs/doctor.md, "Prior").
 *
 * A word is a run of [a-z0-9_] of 3 to 24 bytes with at least two letters,
 * ASCII lower-cased; lines starting with "##" (headings, case headers) are
 * skipped; each word counts once whatever the input size (a bitmap over the
 * table: memory is fixed). Facts, set in finish only when the strongest
 * finding is a guess: prior.STAGE (the score, ln x 100 summed over the
 * words plus the stage's base rate) for every stage, prior.best (the
 * stage's name, num = the margin over the next one) and a guess finding
 * find.BEST quoting the lines of the guess it refines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/internal.h"

#define PRIOR_WORD_MIN 3
#define PRIOR_WORD_MAX 24

struct prior_state {
	uint8_t seen[EV_PRIOR_MAX / 8];
};

static int cmp_word(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ev_prior_entry *)elem)->word);
}

static bool is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static void note_word(struct prior_state *ps, const char *w, size_t n)
{
	char buf[PRIOR_WORD_MAX + 1];
	int letters = 0;
	const struct ev_prior_entry *e;

	if (n < PRIOR_WORD_MIN || n > PRIOR_WORD_MAX)
		return;
	for (size_t i = 0; i < n; i++) {
		char c = w[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		letters += c >= 'a' && c <= 'z';
		buf[i] = c;
	}
	buf[n] = '\0';
	if (letters < 2)
		return;
	e = bsearch(buf, ev_prior_table, ev_prior_table_len, sizeof(*e), cmp_word);
	if (e) {
		size_t i = (size_t)(e - ev_prior_table);

		ps->seen[i / 8] |= (uint8_t)(1u << (i % 8));
	}
}

static void prior_line(struct lumen_doctor_evidence *ev, void *st)
{
	const char *s = ev->line;

	if (s[0] == '#' && s[1] == '#')
		return;
	while (*s) {
		const char *w;

		while (*s && !is_word_byte((unsigned char)*s))
			s++;
		w = s;
		while (is_word_byte((unsigned char)*s))
			s++;
		if (s > w)
			note_word(st, w, (size_t)(s - w));
	}
}

/* The first stage (pipeline order) whose finding is a guess, -1 if none. */
static int first_guess(const struct lumen_doctor_evidence *ev)
{
	for (int s = 0; s < LUMEN_STAGE_COUNT; s++) {
		char name[EV_FACT_NAME];
		const struct ev_fact *f;

		ev_namef(name, sizeof(name), "find.%s", lumen_doctor_stage_name(s));
		f = ev_fact_find(ev, name);
		if (f && f->has_num && f->num == EV_CONF_GUESS)
			return s;
	}
	return -1;
}

static void prior_finish(struct lumen_doctor_evidence *ev, void *st)
{
	const struct prior_state *ps = st;
	int64_t score[LUMEN_STAGE_COUNT];
	int guess, best = 0, second = -1;
	char name[EV_FACT_NAME], why[EV_FACT_TEXT];
	const struct ev_fact *gf;

	if (ev_strongest_finding(ev) != EV_CONF_GUESS)
		return;	/* a line names a stage, or nothing failed */
	guess = first_guess(ev);
	for (int s = 0; s < LUMEN_STAGE_COUNT; s++)
		score[s] = ev_prior_base[s];
	for (size_t i = 0; i < ev_prior_table_len; i++)
		if (ps->seen[i / 8] & (1u << (i % 8)))
			for (int s = 0; s < LUMEN_STAGE_COUNT; s++)
				score[s] += ev_prior_table[i].w[s];
	for (int s = 0; s < LUMEN_STAGE_COUNT; s++) {
		ev_namef(name, sizeof(name), "prior.%s", lumen_doctor_stage_name(s));
		ev_set_num(ev, name, score[s], false);
		if (score[s] > score[best])
			best = s;
	}
	for (int s = 0; s < LUMEN_STAGE_COUNT; s++)
		if (s != best && (second < 0 || score[s] > score[second]))
			second = s;
	ev_set_text(ev, "prior.best", lumen_doctor_stage_name(best), false);
	ev_fact_raw(ev, "prior.best")->num = score[best] - score[second];
	ev_fact_raw(ev, "prior.best")->has_num = true;
	/* the guess, placed where reports worded like this one were */
	ev_namef(name, sizeof(name), "find.%s", lumen_doctor_stage_name(guess));
	gf = ev_fact_find(ev, name);
	snprintf(why, sizeof(why), "%.60s; reports worded like this were of the %s stage",
		 gf->text, lumen_doctor_stage_name(best));
	ev_find_quoted(ev, best, EV_CONF_GUESS, why, gf->nquotes ? gf->quote[0] : -1);
}

const struct ev_family ev_family_prior = {
	.name = "prior",
	.state_size = sizeof(struct prior_state),
	.line = prior_line,
	.finish = prior_finish,
};

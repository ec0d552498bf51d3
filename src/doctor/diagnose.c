// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * From facts to verdicts. Signals of the knowledge base set a stage ok or
 * broken (broken wins: a failure seen once is not undone by a success seen
 * elsewhere); an ok signal marked upstream_ok (frames passed this stage)
 * makes the earlier stages that nothing spoke about ok too, since frames
 * cannot pass a stage that is broken before it. Nothing else is inferred:
 * a stage no signal speaks about stays unknown.
 *
 * The first broken stage is the first in pipeline order with a broken
 * verdict (every stage before it is then ok or unknown). Causes whose
 * `requires` hold are scored (prior + weights of the supports that hold);
 * a cause is ruled out when one of its rules_out holds, when its own stage
 * is ok, or when its stage lies after the first broken stage (a fault
 * there cannot stop frames earlier).
 *
 * Findings (find.STAGE facts of ev_kernel.c, ev_sdk.c, ev_app.c: a line
 * that shows a stage failing, with a confidence) decide only when the
 * signals name no broken stage: the stage with the most confident finding
 * wins, the earliest in pipeline order among equals, skipping stages the
 * signals found ok. The runner-up is reported as alt_stage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor/internal.h"

static const char *const stage_names[LUMEN_STAGE_COUNT] = {
	"power", "i2c", "sensor", "link", "receiver", "vif", "isp", "dma",
	"encoder", "streamer",
};

const char *lumen_doctor_stage_name(enum lumen_doctor_stage s)
{
	return (unsigned)s < LUMEN_STAGE_COUNT ? stage_names[s] : "?";
}

int lumen_doctor_stage_parse(const char *name)
{
	for (int i = 0; i < LUMEN_STAGE_COUNT; i++)
		if (!strcmp(name, stage_names[i]))
			return i;
	return -1;
}

const char *lumen_doctor_verdict_name(enum lumen_doctor_verdict v)
{
	return v == LUMEN_VERDICT_OK ? "ok" : v == LUMEN_VERDICT_BROKEN ? "broken"
								      : "unknown";
}

static void merge_quotes(struct lumen_doctor_quote *dst, int *nd,
			 const struct lumen_doctor_quote *src, int ns)
{
	for (int i = 0; i < ns && *nd < LUMEN_DOCTOR_QUOTES; i++) {
		bool dup = false;

		for (int j = 0; j < *nd; j++)
			dup |= !strcmp(dst[j].where, src[i].where);
		if (!dup)
			dst[(*nd)++] = src[i];
	}
}

static void apply_signals(const struct lumen_doctor_kb *kb,
			  const struct lumen_doctor_evidence *ev,
			  struct lumen_doctor_report *r)
{
	int upstream = -1;	/* latest stage frames are known to have passed */
	char upstream_why[200] = "";

	for (int i = 0; i < kb->nsignals; i++) {
		const struct kb_signal *s = &kb->signals[i];
		struct lumen_doctor_stage_result *st = &r->stages[s->stage];
		struct lumen_doctor_quote q[LUMEN_DOCTOR_QUOTES];
		int nq = 0;

		if (!kb_cond_eval(&s->when, ev, q, &nq, LUMEN_DOCTOR_QUOTES))
			continue;
		if (s->verdict == LUMEN_VERDICT_BROKEN &&
		    st->verdict != LUMEN_VERDICT_BROKEN) {
			/* broken replaces ok, and its evidence replaces ok's */
			st->verdict = LUMEN_VERDICT_BROKEN;
			st->nquotes = 0;
			kb_expand(s->explain, ev, st->why, sizeof(st->why));
		} else if (s->verdict == LUMEN_VERDICT_OK &&
			   st->verdict == LUMEN_VERDICT_UNKNOWN) {
			st->verdict = LUMEN_VERDICT_OK;
			kb_expand(s->explain, ev, st->why, sizeof(st->why));
		}
		if (st->verdict == s->verdict)
			merge_quotes(st->quotes, &st->nquotes, q, nq);
		if (s->verdict == LUMEN_VERDICT_OK && s->upstream_ok &&
		    s->stage > upstream) {
			upstream = s->stage;
			snprintf(upstream_why, sizeof(upstream_why),
				 "implied: frames passed the %s stage",
				 stage_names[s->stage]);
		}
	}
	for (int i = 0; i < upstream; i++)
		if (r->stages[i].verdict == LUMEN_VERDICT_UNKNOWN) {
			r->stages[i].verdict = LUMEN_VERDICT_OK;
			snprintf(r->stages[i].why, sizeof(r->stages[i].why), "%s",
				 upstream_why);
		}
}

static int cmp_causes(const void *a, const void *b)
{
	const struct lumen_doctor_cause *x = a, *y = b;

	if (x->score != y->score)
		return y->score - x->score;
	if (x->stage != y->stage)
		return (int)x->stage - (int)y->stage;
	return strcmp(x->id, y->id);
}

static void fill_cause(const struct kb_cause *c,
		       const struct lumen_doctor_evidence *ev,
		       struct lumen_doctor_cause *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", c->id);
	out->stage = (enum lumen_doctor_stage)c->stage;
	kb_expand(c->summary, ev, out->summary, sizeof(out->summary));
	kb_expand(c->fix, ev, out->fix, sizeof(out->fix));
	kb_expand(c->next, ev, out->next, sizeof(out->next));
	snprintf(out->source, sizeof(out->source), "%s", c->source);
}

static void rank_causes(const struct lumen_doctor_kb *kb,
			const struct lumen_doctor_evidence *ev,
			struct lumen_doctor_report *r)
{
	struct lumen_doctor_cause *cand;
	int ncand = 0;

	if (r->first_broken < 0 || !kb->ncauses)
		return;
	cand = calloc((size_t)kb->ncauses, sizeof(*cand));
	if (!cand)
		return;
	for (int i = 0; i < kb->ncauses; i++) {
		const struct kb_cause *c = &kb->causes[i];
		struct lumen_doctor_cause tmp;
		struct lumen_doctor_quote q[LUMEN_DOCTOR_QUOTES];
		int nq = 0;
		bool out = false;

		if (!kb_cond_eval(&c->requires, ev, q, &nq, LUMEN_DOCTOR_QUOTES))
			continue;
		fill_cause(c, ev, &tmp);
		for (int k = 0; k < c->nrules_out && !out; k++) {
			int n2 = 0;

			if (kb_cond_eval(&c->rules_out[k], ev, tmp.quotes, &n2,
					 LUMEN_DOCTOR_QUOTES)) {
				tmp.nquotes = n2;
				snprintf(tmp.next, sizeof(tmp.next), "ruled out by: %s",
					 c->rules_out[k].p[0].src);
				out = true;
			}
		}
		if (!out && r->stages[c->stage].verdict == LUMEN_VERDICT_OK) {
			const struct lumen_doctor_stage_result *s = &r->stages[c->stage];

			merge_quotes(tmp.quotes, &tmp.nquotes, s->quotes, s->nquotes);
			snprintf(tmp.next, sizeof(tmp.next), "ruled out: the %s stage is ok (%s)",
				 stage_names[c->stage], s->why);
			out = true;
		}
		if (!out && c->stage > r->first_broken) {
			snprintf(tmp.next, sizeof(tmp.next),
				 "ruled out: frames already stop at the %s stage, before %s",
				 stage_names[r->first_broken], stage_names[c->stage]);
			out = true;
		}
		if (out) {
			if (r->nruled_out < LUMEN_DOCTOR_CAUSES)
				r->ruled_out[r->nruled_out++] = tmp;
			continue;
		}
		tmp.score = c->prior;
		{
			/* quotes: the supports that hold, strongest first, then
			 * what the requirement quoted */
			struct lumen_doctor_quote sq[8][LUMEN_DOCTOR_QUOTES];
			int ns[8], order[8], nh = 0;

			for (int k = 0; k < c->nsupports; k++) {
				ns[k] = 0;
				if (!kb_cond_eval(&c->supports[k].when, ev, sq[k], &ns[k],
						  LUMEN_DOCTOR_QUOTES))
					continue;
				tmp.score += c->supports[k].weight;
				if (c->supports[k].weight > 0)
					order[nh++] = k;
			}
			for (int a = 1; a < nh; a++)	/* insertion sort by weight */
				for (int b = a; b > 0 && c->supports[order[b]].weight >
							c->supports[order[b - 1]].weight; b--) {
					int t = order[b];

					order[b] = order[b - 1];
					order[b - 1] = t;
				}
			for (int a = 0; a < nh; a++)
				merge_quotes(tmp.quotes, &tmp.nquotes, sq[order[a]], ns[order[a]]);
			merge_quotes(tmp.quotes, &tmp.nquotes, q, nq);
		}
		cand[ncand++] = tmp;
	}
	qsort(cand, (size_t)ncand, sizeof(*cand), cmp_causes);
	for (int i = 0; i < ncand && r->ncauses < LUMEN_DOCTOR_CAUSES; i++)
		r->causes[r->ncauses++] = cand[i];
	free(cand);
}

/* The prior's score of stage @s (ev_prior.c), INT64_MIN without one. */
static int64_t prior_score(const struct lumen_doctor_evidence *ev, int s)
{
	char name[EV_FACT_NAME];
	const struct ev_fact *f;

	snprintf(name, sizeof(name), "prior.%s", stage_names[s]);
	f = ev_fact_find(ev, name);
	return f && f->has_num ? f->num : INT64_MIN;
}

/* Guesses (no line names their stage): the stage reports worded like this
 * one were labelled with first, then pipeline order (a stable sort). */
static void order_by_prior(const struct lumen_doctor_evidence *ev, int *order, int n)
{
	for (int i = 1; i < n; i++) {
		int s = order[i], j = i;
		int64_t p = prior_score(ev, s);

		while (j > 0 && prior_score(ev, order[j - 1]) < p) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = s;
	}
}

/* Candidate stages from the findings, best first (the most confident, the
 * earliest in pipeline order among equals, guesses by the prior); returns
 * how many. */
static int rank_findings(const struct lumen_doctor_evidence *ev,
			 const struct lumen_doctor_report *r, int *order, int *conf)
{
	int n = 0;

	for (int c = EV_CONF_HIGH; c >= EV_CONF_GUESS; c--) {
		int first = n;

		for (int s = 0; s < LUMEN_STAGE_COUNT; s++) {
			char name[EV_FACT_NAME];
			const struct ev_fact *f;

			snprintf(name, sizeof(name), "find.%s", stage_names[s]);
			f = ev_fact_find(ev, name);
			if (!f || !f->has_num || f->num != c ||
			    r->stages[s].verdict == LUMEN_VERDICT_OK)
				continue;
			order[n] = s;
			conf[n++] = c;
		}
		if (c == EV_CONF_GUESS)
			order_by_prior(ev, order + first, n - first);
	}
	return n;
}

static void apply_findings(const struct lumen_doctor_evidence *ev,
			   struct lumen_doctor_report *r)
{
	int order[LUMEN_STAGE_COUNT], conf[LUMEN_STAGE_COUNT];
	int n = rank_findings(ev, r, order, conf);

	if (r->first_broken >= 0) {	/* the signals decided */
		snprintf(r->confidence, sizeof(r->confidence), "high");
		snprintf(r->basis, sizeof(r->basis), "signals");
		for (int i = 0; i < n; i++)
			if (order[i] != r->first_broken) {
				r->alt_stage = order[i];
				break;
			}
		return;
	}
	if (!n)
		return;
	{
		char name[EV_FACT_NAME];
		const struct ev_fact *f;
		struct lumen_doctor_stage_result *st = &r->stages[order[0]];

		snprintf(name, sizeof(name), "find.%s", stage_names[order[0]]);
		f = ev_fact_find(ev, name);
		st->verdict = LUMEN_VERDICT_BROKEN;
		snprintf(st->why, sizeof(st->why), "%s (%s confidence)", f->text,
			 ev_conf_name(conf[0]));
		st->nquotes = 0;
		for (int q = 0; q < f->nquotes && st->nquotes < LUMEN_DOCTOR_QUOTES; q++)
			st->quotes[st->nquotes++] = ev->quotes[f->quote[q]];
		r->first_broken = order[0];
		snprintf(r->confidence, sizeof(r->confidence), "%s", ev_conf_name(conf[0]));
		snprintf(r->basis, sizeof(r->basis), "%s",
			 conf[0] == EV_CONF_GUESS && prior_score(ev, order[0]) != INT64_MIN ?
			 "prior" : "finding");
		if (n > 1)
			r->alt_stage = order[1];
	}
}

void lumen_doctor_diagnose(const struct lumen_doctor_kb *kb,
			   struct lumen_doctor_evidence *ev,
			   struct lumen_doctor_report *r)
{
	memset(r, 0, sizeof(*r));
	r->first_broken = -1;
	r->alt_stage = -1;
	lumen_doctor_evidence_finish(ev);
	r->bytes = ev->bytes;
	r->lines = ev->lines;
	snprintf(r->input_notes, sizeof(r->input_notes), "%s", ev->notes);
	if (!kb)
		return;
	apply_signals(kb, ev, r);
	for (int i = 0; i < LUMEN_STAGE_COUNT; i++)
		if (r->stages[i].verdict == LUMEN_VERDICT_BROKEN) {
			r->first_broken = i;
			break;
		}
	apply_findings(ev, r);
	rank_causes(kb, ev, r);
	for (int i = 0; i < kb->nnotes && r->nnotes < 8; i++)
		if (kb_cond_eval(&kb->notes[i].when, ev, NULL, NULL, 0))
			kb_expand(kb->notes[i].text, ev, r->notes[r->nnotes++],
				  sizeof(r->notes[0]));
}

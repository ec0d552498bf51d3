// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/interrupts: a header of CPU columns, then "N: count... chip hwirq
 * [edge] name". Facts: irq.<name> = total over CPUs. Derived in finish
 * (only when a table was seen, so that zero means zero): irq.csi (names
 * with csi or mipi), irq.vif (vif, vi_cap, vicap, cif), irq.isp, irq.venc
 * (venc, jpe, h264, h265, vpu, avpu), irq.seen.
 */
#include <ctype.h>
#include <string.h>

#include "doctor/internal.h"

struct irq_state {
	bool in_table;
	int ncpu;
	bool any;
};

static void irq_begin(struct lumen_doctor_evidence *ev, void *st)
{
	struct irq_state *s = st;

	(void)ev;
	s->in_table = false;
}

static void irq_line(struct lumen_doctor_evidence *ev, void *st)
{
	struct irq_state *s = st;
	const char *p = ev_skip_space(ev->line), *q;
	char name[48], fact[EV_FACT_NAME];
	int64_t sum = 0, v;
	int n = 0;

	if (ev_starts(p, "CPU0")) {
		s->in_table = true;
		s->ncpu = 0;
		for (q = p; (q = strstr(q, "CPU")); q += 3)
			s->ncpu++;
		return;
	}
	if (!s->in_table)
		return;
	q = strchr(p, ':');
	if (!q || q - p > 12 || q == p) {
		s->in_table = false;
		return;
	}
	p = q + 1;
	for (; n < s->ncpu; n++) {
		const char *r = ev_skip_space(p);

		if (!isdigit((unsigned char)*r) || !ev_scan_int(&r, &v))
			break;
		sum = ev_sat_add(sum, v);
		p = r;
	}
	if (!n)		/* ERR:, MIS: lines have one number */
		return;
	/* the name is the last word */
	q = p + strlen(p);
	while (q > p && isspace((unsigned char)q[-1]))
		q--;
	{
		const char *w = q;

		while (w > p && !isspace((unsigned char)w[-1]))
			w--;
		ev_slug(name, sizeof(name), w, (size_t)(q - w));
	}
	if (!name[0])
		return;
	s->any = true;
	ev_namef(fact, sizeof(fact), "irq.%s", name);
	ev_set_num(ev, fact, sum, true);
}

/* An interrupt line whose name holds one of the NULL-ended @ctx words;
 * not irq.seen nor the derived facts themselves. */
static bool irq_named(const struct ev_fact *f, const void *ctx)
{
	const char *const *words = ctx;
	bool take = false;

	if (strncmp(f->name, "irq.", 4) || !strcmp(f->name, "irq.seen") ||
	    !strcmp(f->name, "irq.csi") || !strcmp(f->name, "irq.vif") ||
	    !strcmp(f->name, "irq.isp") || !strcmp(f->name, "irq.venc"))
		return false;
	for (int w = 0; words[w]; w++)
		take |= strstr(f->name + 4, words[w]) != NULL;
	return take;
}

static void derive(struct lumen_doctor_evidence *ev, const char *dst,
		   const char *const *words)
{
	ev_set_sum_of(ev, dst, irq_named, words, 4);
}

static void irq_finish(struct lumen_doctor_evidence *ev, void *st)
{
	struct irq_state *s = st;

	if (!s->any)
		return;
	ev_set_num(ev, "irq.seen", 1, false);
	derive(ev, "irq.csi", (const char *const[]){ "csi", "mipi", NULL });
	derive(ev, "irq.vif", (const char *const[]){ "vif", "vi_cap", "vicap",
						     "cif", NULL });
	derive(ev, "irq.isp", (const char *const[]){ "isp", NULL });
	derive(ev, "irq.venc", (const char *const[]){ "venc", "jpe", "h264",
						      "h265", "vpu", NULL });
}

const struct ev_family ev_family_interrupts = {
	.name = "interrupts",
	.state_size = sizeof(struct irq_state),
	.begin = irq_begin,
	.line = irq_line,
	.finish = irq_finish,
};

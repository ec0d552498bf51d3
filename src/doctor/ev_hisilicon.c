// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HiSilicon/Goke /proc/umap/{vi,mipi_rx,isp,venc,vb} (and the CVITEK
 * /proc/mipi-rx of the same lineage): a module banner ("[VI] Version:",
 * "Module: [MIPI_RX]") or the command that printed it names the module;
 * "-----NAME-----" opens a table; a row of column names is followed by
 * rows of values with as many fields.
 *
 * Facts: hisi.<module>.<column> = sum over rows of a numeric column.
 * Derived in finish: mipi.errors (every *err* column of mipi_rx, CVITEK
 * EccErr/CrcErr/HdrErr/WcErr included), mipi.fifo_full, vi.int_cnt
 * (IntCnt), vi.vb_fail, vi.lost_int, vi.errors (TmgErr, ccErrN),
 * hisi.seen.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/internal.h"

#define COLS_MAX 24

struct hisi {
	char module[24];
	char cols[COLS_MAX][24];
	int ncols;
	bool header;		/* the next row of words is a header */
	bool any;
};

static void module_from(struct hisi *h, const char *s, size_t n)
{
	ev_slug(h->module, sizeof(h->module), s, n);
	if (!strcmp(h->module, "viu"))
		snprintf(h->module, sizeof(h->module), "vi");
	if (!strcmp(h->module, "mipi") || !strcmp(h->module, "mipi_rx_info"))
		snprintf(h->module, sizeof(h->module), "mipi_rx");
}

static void hisi_begin(struct lumen_doctor_evidence *ev, void *st)
{
	struct hisi *h = st;
	const char *p = strstr(ev->section, "/proc/umap/");

	h->ncols = 0;
	h->header = false;
	h->module[0] = '\0';
	if (p) {
		p += 11;
		module_from(h, p, strcspn(p, " \t|;>"));
	} else if ((p = strstr(ev->section, "/proc/mipi-rx")) ||
		   (p = strstr(ev->section, "/proc/cvitek/mipi-rx"))) {
		module_from(h, "mipi_rx", 7);
	}
}

static int split(const char *s, char tok[][24], int max)
{
	int n = 0;

	while (*(s = ev_skip_space(s)) && n < max) {
		size_t m = strcspn(s, " \t");

		if (m >= 24)
			m = 23;
		memcpy(tok[n], s, m);
		tok[n][m] = '\0';
		n++;
		s += strcspn(s, " \t");
	}
	return n;
}

static bool numeric(const char *t)
{
	const char *p = t;
	int64_t v;

	return ev_scan_int(&p, &v) && !*p;
}

static void hisi_line(struct lumen_doctor_evidence *ev, void *st)
{
	struct hisi *h = st;
	const char *b = ev_skip_space(ev->body), *p, *e;
	char tok[COLS_MAX][24];
	int n, nums = 0;

	/* module banners */
	if (*b == '[' && (e = strchr(b, ']')) && strstr(e, "Version")) {
		module_from(h, b + 1, (size_t)(e - b - 1));
		h->ncols = 0;
		return;
	}
	if ((p = strstr(b, "Module: [")) && (e = strchr(p + 9, ']'))) {
		module_from(h, p + 9, (size_t)(e - p - 9));
		h->ncols = 0;
		return;
	}
	if (!h->module[0])
		return;
	/* table title: "-----VI PHYCHN STATUS 1------" */
	if (ev_starts(b, "-----")) {
		h->header = true;
		h->ncols = 0;
		return;
	}
	n = split(b, tok, COLS_MAX);
	if (!n) {
		return;
	}
	for (int i = 0; i < n; i++)
		nums += numeric(tok[i]);
	if (nums * 2 < n && (h->header || !h->ncols || n != h->ncols)) {
		/* a header row */
		for (int i = 0; i < n; i++)
			ev_slug(h->cols[i], sizeof(h->cols[i]), tok[i], strlen(tok[i]));
		h->ncols = n;
		h->header = false;
		return;
	}
	if (n != h->ncols || !numeric(tok[0]))
		return;
	h->any = true;
	for (int i = 1; i < n; i++) {
		char name[EV_FACT_NAME];
		const char *q = tok[i];
		int64_t v;

		if (!numeric(tok[i]) || !h->cols[i][0])
			continue;
		ev_scan_int(&q, &v);
		ev_namef(name, sizeof(name), "hisi.%s.%s", h->module, h->cols[i]);
		ev_add_num(ev, name, v, true);
	}
}

struct column_pick {
	const char *prefix;		/* "hisi.mipi_rx." */
	const char *const *cols;	/* exact column names, NULL-ended */
	bool any_err;			/* also every column containing "err" */
};

static bool column_picked(const struct ev_fact *f, const void *ctx)
{
	const struct column_pick *c = ctx;
	size_t pl = strlen(c->prefix);
	const char *col = f->name + pl;
	bool take;

	if (strncmp(f->name, c->prefix, pl))
		return false;
	take = c->any_err && strstr(col, "err");
	for (int i = 0; c->cols && c->cols[i]; i++)
		take |= !strcmp(col, c->cols[i]);
	return take;
}

static void sum_into(struct lumen_doctor_evidence *ev, const char *dst,
		     const char *prefix, const char *const *cols, bool any_err)
{
	const struct column_pick c = { prefix, cols, any_err };

	ev_set_sum_of(ev, dst, column_picked, &c, 8);
}

static void hisi_finish(struct lumen_doctor_evidence *ev, void *st)
{
	struct hisi *h = st;

	if (!h->any)
		return;
	ev_set_num(ev, "hisi.seen", 1, false);
	sum_into(ev, "mipi.errors", "hisi.mipi_rx.", NULL, true);
	sum_into(ev, "mipi.fifo_full", "hisi.mipi_rx.",
		 (const char *const[]){ "fifofull", "fifo_full", NULL }, false);
	sum_into(ev, "vi.int_cnt", "hisi.vi.",
		 (const char *const[]){ "intcnt", NULL }, false);
	sum_into(ev, "vi.vb_fail", "hisi.vi.",
		 (const char *const[]){ "vbfail", NULL }, false);
	sum_into(ev, "vi.lost_int", "hisi.vi.",
		 (const char *const[]){ "losint", NULL }, false);
	sum_into(ev, "vi.errors", "hisi.vi.",
		 (const char *const[]){ "tmgerr", "ccerrn", NULL }, false);
}

const struct ev_family ev_family_hisilicon = {
	.name = "hisilicon",
	.state_size = sizeof(struct hisi),
	.begin = hisi_begin,
	.line = hisi_line,
	.finish = hisi_finish,
};

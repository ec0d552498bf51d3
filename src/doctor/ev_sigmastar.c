// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SigmaStar: the CSI receiver dump (csi_info: "== MIPI0 info ==" then
 * "KEY = a, b" lines), the VIF dump (vif_info: "INTF_MODE = 4",
 * "SRC: MIPI0", "CROP_START_X: 0 - 2559"), and the sensor-pad setup of the
 * loader scripts: "srcfg PAD BUS LANES MCLK PDN RST" and "chmap=MASK"
 * (a bitmask of sensor pads: 1 = pad 0, 4 = pad 2). lumen's own receiver
 * (src/link/csi2_rx.c, lumen_csi2_rx_dump) prints the csi_info format, so
 * the live mode is read by the same code.
 *
 * Facts per receiver N: csi.N.<key> (first value), csi.N.<key>_w/_h for
 * the two-value sizes. Derived in finish over all receivers:
 *   csi.receivers, csi.frames_seen (receivers with any frame start, good
 *   frame or non-zero received size), csi.frame_start, csi.frames_ok,
 *   csi.ecc_errors, csi.ecc_corrected, csi.crc_errors, csi.sot_errors,
 *   csi.short_lines, csi.long_lines, csi.frames_dropped, csi.no_buffer,
 *   csi.lanes (largest LANE_NUM) and csi.configured (receivers with lanes
 *   or an ideal size), csi.lanes_reported, csi.unconfigured (lanes are
 *   reported and no receiver has any).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/internal.h"

#define RX_MAX 8

enum block { NONE, CSI, VIF };

struct rx {
	bool seen;
	int64_t fs, frames_ok, ecc, ecc_fix, crc, sot, shortl, longl, drop,
		nobuf, lanes, ideal_w, ideal_h, cur_w, cur_h;
	bool has_fs, has_ok, has_lanes, has_ideal, has_cur;
	int quote;	/* the header line */
};

struct sstar {
	enum block block;
	int rx;		/* current receiver */
	struct rx rxs[RX_MAX];
	bool any;
};

static void ss_begin(struct lumen_doctor_evidence *ev, void *st)
{
	struct sstar *s = st;

	(void)ev;
	s->block = NONE;
}

static void store_csi(struct lumen_doctor_evidence *ev, struct sstar *s,
		      const char *key, const int64_t *v, int nv)
{
	struct rx *r = &s->rxs[s->rx];
	char name[EV_FACT_NAME];

	if (!nv)
		return;
	ev_namef(name, sizeof(name), "csi.%d.%s", s->rx, key);
	ev_set_num(ev, name, v[0], true);
	if (nv >= 2) {
		ev_namef(name, sizeof(name), "csi.%d.%s_h", s->rx, key);
		ev_set_num(ev, name, v[1], true);
	}
	if (ev->reference)	/* a reference dump does not describe this board */
		return;
	r->seen = true;
	if (!strcmp(key, "fs_cnt") || !strcmp(key, "frame_start")) {
		r->fs = v[0];
		r->has_fs = true;
	} else if (!strcmp(key, "frame_ok")) {
		r->frames_ok = v[0];
		r->has_ok = true;
	} else if (!strcmp(key, "ecc_err")) {
		r->ecc = v[0];
	} else if (!strcmp(key, "ecc_corrected")) {
		r->ecc_fix = v[0];
	} else if (!strcmp(key, "crc_err")) {
		r->crc = v[0];
	} else if (!strcmp(key, "sot_sync_err")) {
		r->sot = v[0];
	} else if (!strcmp(key, "short_line")) {
		r->shortl = v[0];
	} else if (!strcmp(key, "long_line")) {
		r->longl = v[0];
	} else if (!strcmp(key, "frame_drop")) {
		r->drop = v[0];
	} else if (!strcmp(key, "no_buffer")) {
		r->nobuf = v[0];
	} else if (!strcmp(key, "lane_num")) {
		r->lanes = v[0];
		r->has_lanes = true;
	} else if (!strcmp(key, "ideal_recv_size") && nv >= 2) {
		r->ideal_w = v[0];
		r->ideal_h = v[1];
		r->has_ideal = true;
	} else if (!strcmp(key, "cur_recv_size") && nv >= 2) {
		r->cur_w = v[0];
		r->cur_h = v[1];
		r->has_cur = true;
	}
}

static void store_vif(struct lumen_doctor_evidence *ev, const char *key,
		      const int64_t *v, int nv, const char *text)
{
	char name[EV_FACT_NAME];

	if (!strcmp(key, "src") && text) {
		const char *m = strstr(text, "MIPI");

		ev_set_text(ev, "vif.src", text, true);
		if (m && isdigit((unsigned char)m[4]))
			ev_set_num(ev, "vif.src_mipi", m[4] - '0', true);
		return;
	}
	if (!nv)
		return;
	if (!strcmp(key, "crop_start_x") && nv >= 2) {
		ev_set_num(ev, "vif.crop_w", ev_sat_add(ev_sat_add(v[1], -v[0]), 1),
			   true);
		return;
	}
	if (!strcmp(key, "crop_start_y") && nv >= 2) {
		ev_set_num(ev, "vif.crop_h", ev_sat_add(ev_sat_add(v[1], -v[0]), 1),
			   true);
		return;
	}
	ev_namef(name, sizeof(name), "vif.%s", key);
	ev_set_num(ev, name, v[0], true);
	/* frame counters of whatever name: FRAME_CNT, FRAME_DONE, FRAME_NUM */
	if (strstr(key, "frame") && (strstr(key, "cnt") || strstr(key, "done") ||
				     strstr(key, "num") || strstr(key, "count")))
		ev_add_num(ev, "vif.frames", v[0], true);
	if (strstr(key, "drop") || strstr(key, "err"))
		ev_add_num(ev, "vif.errors", v[0], true);
}

/*
 * "KEY = 1, 2 KEY2 = 3" and "KEY: 0 - 2559" pairs. Keys are upper-case
 * words; values integers (separated by ',' or '-') or one word ("MIPI0").
 */
static int scan_pairs(struct lumen_doctor_evidence *ev, struct sstar *s,
		      const char *p)
{
	int pairs = 0;

	while (*p) {
		char key[40], text[40];
		int64_t v[4];
		int nv = 0;
		size_t n = 0;
		const char *q;

		while (*p && !isupper((unsigned char)*p))
			p++;
		q = p;
		while (isupper((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '_')
			q++;
		n = (size_t)(q - p);
		q = ev_skip_space(q);
		/* csi_info says "KEY = v"; vif_info also "KEY: v" */
		if (!n || (*q != '=' && (*q != ':' || s->block != VIF))) {
			p += n ? n : (*p ? 1 : 0);
			continue;
		}
		ev_slug(key, sizeof(key), p, n);
		p = ev_skip_space(q + 1);
		text[0] = '\0';
		while (nv < 4) {
			const char *r = p;
			int64_t x;

			if (!ev_scan_int(&r, &x))
				break;
			/* "0 - 2559": the dash is a separator, not a sign */
			v[nv] = x < 0 && nv ? -x : x;
			nv++;
			p = ev_skip_space(r);
			if (*p == ',' || (*p == '-' && nv))
				p = ev_skip_space(p + 1);
		}
		if (!nv && isalnum((unsigned char)*p)) {
			size_t m = 0;

			while (isalnum((unsigned char)p[m]) && m + 1 < sizeof(text))
				m++;
			memcpy(text, p, m);
			text[m] = '\0';
			p += m;
		}
		if (!nv && !text[0])
			continue;
		pairs++;
		if (s->block == CSI)
			store_csi(ev, s, key, v, nv);
		else if (s->block == VIF)
			store_vif(ev, key, v, nv, text[0] ? text : NULL);
	}
	return pairs;
}

/* "srcfg 2 1 2 0 1 1" */
static void scan_srcfg(struct lumen_doctor_evidence *ev, const char *p)
{
	static const char *const names[] = { "srcfg.pad", "srcfg.bus",
		"srcfg.lanes", "srcfg.mclk", "srcfg.pdn", "srcfg.rst" };
	int64_t v[6];
	char text[64];

	p += 5;
	for (int i = 0; i < 6; i++) {
		p = ev_skip_space(p);
		if (!isdigit((unsigned char)*p) || !ev_scan_int(&p, &v[i]))
			return;
	}
	snprintf(text, sizeof(text), "%lld %lld %lld %lld %lld %lld",
		 (long long)v[0], (long long)v[1], (long long)v[2],
		 (long long)v[3], (long long)v[4], (long long)v[5]);
	ev_set_text(ev, "srcfg", text, true);
	for (int i = 0; i < 6; i++)
		ev_set_num(ev, names[i], v[i], true);
}

static void ss_line(struct lumen_doctor_evidence *ev, void *st)
{
	struct sstar *s = st;
	const char *b = ev->body, *p;

	if ((p = strstr(b, "== MIPI")) && isdigit((unsigned char)p[7])) {
		s->block = CSI;
		s->rx = (p[7] - '0') % RX_MAX;
		s->any = true;
		if (!ev->reference)
			s->rxs[s->rx].quote = ev_quote_line(ev);
		p = strstr(p + 8, "==");
		if (p)
			scan_pairs(ev, s, p + 2);
		return;
	}
	if (strstr(b, "INTF_MODE") || (strstr(b, "VIF") && strstr(b, "==")) ||
	    strstr(b, "vif_info")) {
		s->block = VIF;
		if (strstr(b, "vif_info"))
			return;
	}
	/* loader lines; "## ..." headings are commentary, not commands */
	if (ev_starts(b, "##"))
		return;
	if ((p = strstr(b, "srcfg")) && (p == b || !isalnum((unsigned char)p[-1])) &&
	    p[5] == ' ')
		scan_srcfg(ev, p);
	if ((p = strstr(b, "chmap=")) || (p = strstr(b, "CHMAP:"))) {
		int64_t v;

		p += 6;
		if (ev_scan_int(&p, &v) && v > 0 && v < 256) {
			int pad = 0;

			while (!(v >> pad & 1))
				pad++;
			ev_set_num(ev, "chmap", v, true);
			ev_set_num(ev, "chmap.pad", pad, true);
		}
	}
	/* a block ends at the first line that is not KEY = value */
	if (s->block != NONE && !scan_pairs(ev, s, b))
		s->block = NONE;
}

static const struct {
	const char *fact;
	const char *src[2];
} derived[] = {
	{ "csi.frames_seen", { "cur_recv_size", "fs_cnt" } },
	{ "csi.configured", { "lane_num", "ideal_recv_size" } },
	{ "csi.frame_start", { "fs_cnt", NULL } },
	{ "csi.frames_ok", { "frame_ok", NULL } },
	{ "csi.ecc_errors", { "ecc_err", NULL } },
	{ "csi.ecc_corrected", { "ecc_corrected", NULL } },
	{ "csi.crc_errors", { "crc_err", NULL } },
	{ "csi.no_buffer", { "no_buffer", NULL } },
	{ "csi.lanes", { "lane_num", NULL } },
	{ "csi.unconfigured", { "lane_num", "ideal_recv_size" } },
};

static void ss_finish(struct lumen_doctor_evidence *ev, void *st)
{
	struct sstar *s = st;
	int64_t n = 0, seen = 0, fs = 0, ok = 0, ecc = 0, fix = 0, crc = 0,
		sot = 0, sl = 0, ll = 0, drop = 0, nobuf = 0, lanes = 0, conf = 0;
	bool has_fs = false, has_ok = false, has_lanes = false;
	struct ev_fact *f;

	if (!s->any)
		return;
	for (int i = 0; i < RX_MAX; i++) {
		const struct rx *r = &s->rxs[i];

		if (!r->seen)
			continue;
		n++;
		seen += (r->has_fs && r->fs > 0) || (r->has_ok && r->frames_ok > 0) ||
			(r->has_cur && (r->cur_w || r->cur_h));
		fs = ev_sat_add(fs, r->fs);
		ok = ev_sat_add(ok, r->frames_ok);
		has_fs |= r->has_fs;
		has_ok |= r->has_ok;
		ecc = ev_sat_add(ecc, r->ecc);
		fix = ev_sat_add(fix, r->ecc_fix);
		crc = ev_sat_add(crc, r->crc);
		sot = ev_sat_add(sot, r->sot);
		sl = ev_sat_add(sl, r->shortl);
		ll = ev_sat_add(ll, r->longl);
		drop = ev_sat_add(drop, r->drop);
		nobuf = ev_sat_add(nobuf, r->nobuf);
		has_lanes |= r->has_lanes;
		if (r->lanes > lanes)
			lanes = r->lanes;
		conf += r->lanes > 0 || (r->has_ideal && (r->ideal_w || r->ideal_h));
	}
	if (!n)
		return;
	ev_set_num(ev, "csi.receivers", n, false);
	ev_set_num(ev, "csi.frames_seen", seen, false);
	ev_set_num(ev, "csi.configured", conf, false);
	if (has_fs)
		ev_set_num(ev, "csi.frame_start", fs, false);
	if (has_ok)
		ev_set_num(ev, "csi.frames_ok", ok, false);
	ev_set_num(ev, "csi.ecc_errors", ecc, false);
	ev_set_num(ev, "csi.ecc_corrected", fix, false);
	ev_set_num(ev, "csi.crc_errors", crc, false);
	ev_set_num(ev, "csi.sot_errors", sot, false);
	ev_set_num(ev, "csi.short_lines", sl, false);
	ev_set_num(ev, "csi.long_lines", ll, false);
	ev_set_num(ev, "csi.frames_dropped", drop, false);
	ev_set_num(ev, "csi.no_buffer", nobuf, false);
	if (has_lanes) {
		ev_set_num(ev, "csi.lanes", lanes, false);
		ev_set_num(ev, "csi.lanes_reported", 1, false);
		/* the receivers say how they are set up, and none is */
		ev_set_num(ev, "csi.unconfigured", conf == 0, false);
	}
	/* quote the dump lines each derived fact sums */
	for (size_t d = 0; d < sizeof(derived) / sizeof(derived[0]); d++) {
		f = ev_fact_find(ev, derived[d].fact);
		for (int i = 0; f && i < RX_MAX; i++) {
			char key[EV_FACT_NAME];

			if (!s->rxs[i].seen)
				continue;
			for (int k = 0; k < 2 && derived[d].src[k]; k++) {
				ev_namef(key, sizeof(key), "csi.%d.%s", i,
					 derived[d].src[k]);
				ev_fact_quote_from(ev, f, ev_fact_find(ev, key));
			}
		}
	}
}

const struct ev_family ev_family_sigmastar = {
	.name = "sigmastar",
	.state_size = sizeof(struct sstar),
	.begin = ss_begin,
	.line = ss_line,
	.finish = ss_finish,
};

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * media-ctl -p: entities ("- entity 1: imx258 1-001a (1 pad, 1 link)"),
 * their type ("type V4L2 subdev subtype Sensor"), pads with their formats
 * ("[fmt:SRGGB10_1X10/4208x3120 ...]") and links ("-> \"rkisp1_csi\":0
 * [ENABLED]").
 *
 * Derived in finish: media.entities, media.topology_empty (the device has
 * no entity at all: the sensor never probed), media.sensor_name (first
 * word of the sensor entity), media.sensor_addr/bus (from "N-00AA"),
 * media.sensor_linked (its source link is enabled), media.fmt_mismatch
 * (enabled links whose two pads disagree on media bus code or size: what
 * link validation refuses with EPIPE), media.fmt_mismatch_text.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/internal.h"

#define ENT_MAX 32
#define PAD_MAX 8
#define LINK_MAX 64

struct pad {
	char code[32];
	int w, h;
	int quote;
};

struct entity {
	char name[48];
	bool sensor;
	struct pad pads[PAD_MAX];
	int quote;
};

struct link {
	int src_ent, src_pad;
	char dst[48];
	int dst_pad;
	bool enabled;
	int quote;
};

struct media {
	/* the media device being read: its driver, and whether a sensor
	 * entity was listed under it */
	bool dev_open;
	char driver[32];
	int driver_quote;
	bool dev_sensor;
	int receivers_without_sensor;
	int no_sensor_quote;
	bool in_graph;		/* after "Device topology" */
	bool topology_seen;
	int topology_quote;
	int nent;
	struct entity ents[ENT_MAX];
	int cur_ent, cur_pad;
	bool cur_pad_source;
	int nlinks;
	struct link links[LINK_MAX];
};

static void media_begin(struct lumen_doctor_evidence *ev, void *st)
{
	struct media *m = st;

	(void)ev;
	m->in_graph = false;
	m->cur_ent = -1;
}

static int find_ent(const struct media *m, const char *name)
{
	for (int i = 0; i < m->nent; i++)
		if (!strcmp(m->ents[i].name, name))
			return i;
	return -1;
}

/* "[fmt:SRGGB10_1X10/4208x3120 field:none ...]" */
static void parse_fmt(struct lumen_doctor_evidence *ev, struct pad *p,
		      const char *s)
{
	const char *slash = strchr(s, '/');
	size_t n;
	int64_t w, h;

	if (!slash)
		return;
	n = (size_t)(slash - s);
	if (n >= sizeof(p->code))
		n = sizeof(p->code) - 1;
	memcpy(p->code, s, n);
	p->code[n] = '\0';
	s = slash + 1;
	if (!ev_scan_int(&s, &w) || *s != 'x')
		return;
	s++;
	if (!ev_scan_int(&s, &h))
		return;
	p->w = (int)w;
	p->h = (int)h;
	p->quote = ev_quote_line(ev);
}

/* Drivers whose media device is a capture path that needs a sensor (not
 * the codec/ISP memory-to-memory devices listed beside it). */
static bool capture_driver(const char *d)
{
	return d[0] && !strstr(d, "codec") && !strstr(d, "-isp") &&
	       !strstr(d, "_isp") && !strstr(d, "hevc") && !strstr(d, "vpu") &&
	       !strstr(d, "pisp-be") && !strstr(d, "decoder") && !strstr(d, "encoder");
}

static void device_end(struct media *m)
{
	if (m->dev_open && capture_driver(m->driver) && !m->dev_sensor) {
		if (!m->receivers_without_sensor)
			m->no_sensor_quote = m->driver_quote;
		m->receivers_without_sensor++;
	}
	m->dev_open = false;
}

static void media_line(struct lumen_doctor_evidence *ev, void *st)
{
	struct media *m = st;
	const char *l = ev_skip_space(ev->line), *p, *q;

	if (ev_starts(l, "Media controller API version") ||
	    ev_starts(l, "Media device information")) {
		if (ev_starts(l, "Media controller") || !m->dev_open) {
			device_end(m);
			m->dev_open = true;
			m->driver[0] = '\0';
			m->dev_sensor = false;
		}
		m->in_graph = false;
		return;
	}
	if (m->dev_open && !m->in_graph && ev_starts(l, "driver ")) {
		snprintf(m->driver, sizeof(m->driver), "%s", ev_skip_space(l + 7));
		m->driver_quote = ev_quote_line(ev);
		return;
	}
	if (ev_starts(l, "Device topology")) {
		m->in_graph = true;
		m->topology_seen = true;
		m->topology_quote = ev_quote_line(ev);
		return;
	}
	if (!m->in_graph)
		return;
	if (ev_starts(l, "- entity ") && (p = strchr(l + 9, ':'))) {
		struct entity *e;

		if (m->nent == ENT_MAX) {
			m->cur_ent = -1;
			return;
		}
		p = ev_skip_space(p + 1);
		q = strstr(p, " (");
		e = &m->ents[m->nent];
		memset(e, 0, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "%.*s",
			 (int)(q ? q - p : (long)strlen(p)), p);
		e->quote = ev_quote_line(ev);
		m->cur_ent = m->nent++;
		m->cur_pad = -1;
		return;
	}
	if (m->cur_ent < 0)
		return;
	if (ev_starts(l, "type ") && strstr(l, "subtype Sensor")) {
		m->ents[m->cur_ent].sensor = true;
		m->dev_sensor = true;
		return;
	}
	if (ev_starts(l, "pad") && isdigit((unsigned char)l[3])) {
		int64_t v;

		p = l + 3;
		ev_scan_int(&p, &v);
		m->cur_pad = v >= 0 && v < PAD_MAX ? (int)v : -1;
		m->cur_pad_source = strstr(l, "Source") != NULL;
		return;
	}
	if (m->cur_pad >= 0 && (p = strstr(l, "[fmt:"))) {
		parse_fmt(ev, &m->ents[m->cur_ent].pads[m->cur_pad], p + 5);
		return;
	}
	if (m->cur_pad >= 0 && m->cur_pad_source && ev_starts(l, "-> \"") &&
	    m->nlinks < LINK_MAX) {
		struct link *k = &m->links[m->nlinks];
		int64_t v;

		p = l + 4;
		q = strchr(p, '"');
		if (!q)
			return;
		snprintf(k->dst, sizeof(k->dst), "%.*s", (int)(q - p), p);
		p = q + 1;
		if (*p == ':') {
			p++;
			if (ev_scan_int(&p, &v))
				k->dst_pad = (int)v;
		}
		k->src_ent = m->cur_ent;
		k->src_pad = m->cur_pad;
		k->enabled = strstr(p, "ENABLED") != NULL;
		k->quote = ev_quote_line(ev);
		m->nlinks++;
	}
}

static void media_finish(struct lumen_doctor_evidence *ev, void *st)
{
	struct media *m = st;
	int mismatches = 0;
	struct ev_fact *f;

	device_end(m);
	if (!m->topology_seen)
		return;
	ev_set_num(ev, "media.receiver_without_sensor",
		   m->receivers_without_sensor, false);
	ev_fact_add_quote(ev_fact_find(ev, "media.receiver_without_sensor"),
			  m->receivers_without_sensor ? m->no_sensor_quote : -1);
	ev_set_num(ev, "media.entities", m->nent, false);
	ev_set_num(ev, "media.topology_empty", m->nent == 0, false);
	if (!m->nent)
		ev_fact_add_quote(ev_fact_find(ev, "media.topology_empty"),
				  m->topology_quote);
	for (int i = 0; i < m->nent; i++) {
		const struct entity *e = &m->ents[i];
		char word[32];
		const char *sp, *dash;

		if (!e->sensor)
			continue;
		sp = strchr(e->name, ' ');
		snprintf(word, sizeof(word), "%.*s",
			 (int)(sp ? sp - e->name : (long)strlen(e->name)), e->name);
		ev_set_text(ev, "media.sensor_name", word, false);
		ev_fact_add_quote(ev_fact_find(ev, "media.sensor_name"), e->quote);
		/* "imx258 1-001a": bus 1, address 0x1a */
		if (sp && (dash = strchr(sp, '-'))) {
			ev_set_num(ev, "media.sensor_bus", strtol(sp + 1, NULL, 10), false);
			ev_set_num(ev, "media.sensor_addr", strtol(dash + 1, NULL, 16), false);
		}
		ev_set_num(ev, "media.sensor_linked", 0, false);
		for (int k = 0; k < m->nlinks; k++)
			if (m->links[k].src_ent == i && m->links[k].enabled) {
				ev_set_num(ev, "media.sensor_linked", 1, false);
				ev_fact_add_quote(ev_fact_find(ev, "media.sensor_linked"),
						  m->links[k].quote);
			}
		break;
	}
	for (int k = 0; k < m->nlinks; k++) {
		const struct link *l = &m->links[k];
		const struct pad *a = &m->ents[l->src_ent].pads[l->src_pad], *b;
		int d = find_ent(m, l->dst);
		char text[EV_FACT_TEXT];

		if (!l->enabled || d < 0 || l->dst_pad < 0 || l->dst_pad >= PAD_MAX)
			continue;
		b = &m->ents[d].pads[l->dst_pad];
		if (!a->code[0] || !b->code[0] || !strcmp(a->code, "unknown") ||
		    !strcmp(b->code, "unknown"))
			continue;
		if (!strcmp(a->code, b->code) && a->w == b->w && a->h == b->h)
			continue;
		mismatches++;
		snprintf(text, sizeof(text), "'%.30s':%d %s/%dx%d -> '%.30s':%d %s/%dx%d",
			 m->ents[l->src_ent].name, l->src_pad, a->code, a->w, a->h,
			 l->dst, l->dst_pad, b->code, b->w, b->h);
		ev_set_text(ev, "media.fmt_mismatch_text", text, false);
		f = ev_fact_find(ev, "media.fmt_mismatch_text");
		ev_fact_add_quote(f, a->quote);
		ev_fact_add_quote(f, l->quote);
		ev_fact_add_quote(f, b->quote);
	}
	ev_set_num(ev, "media.fmt_mismatch", mismatches, false);
	ev_fact_quote_from(ev, ev_fact_find(ev, "media.fmt_mismatch"),
			   ev_fact_find(ev, "media.fmt_mismatch_text"));
}

const struct ev_family ev_family_media = {
	.name = "media",
	.state_size = sizeof(struct media),
	.begin = media_begin,
	.line = media_line,
	.finish = media_finish,
};

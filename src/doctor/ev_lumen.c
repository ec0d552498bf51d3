// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen's own per-stage status (the table `lumen run` prints at the end,
 * src/pipeline): a header "stage in out drops errors fps ms/frame", one
 * row per stage, and indented detail lines under a row ("key=value ...",
 * or a word such as the sensor name, "stalled", an error text).
 *
 * Facts: lumen.<stage>.in/out/drops/errors, and the details mapped onto
 * the facts the SoC dumps give, so that one knowledge base reads both:
 *   i2c: i2c.nack, i2c.nack_addr, i2c.addr; sensor: sensor.streaming,
 *   sensor.uninitialised (its stream_reg then means nothing),
 *   sensor.lanes, sensor.driver;
 *   link: link.active_pad (the pad with the most HS bursts);
 *   receiver: receiver.pad, csi.lanes, csi.unconfigured, csi.frame_start,
 *   csi.frames_seen, csi.frames_ok, csi.ecc_*, csi.crc_errors,
 *   csi.sot_errors; vif: vif.unmask_failures, vif.frames; dma:
 *   dma.buffers; isp: isp.source_timeouts; any sink whose note is
 *   "stalled": streamer.stalled, streamer.stalled_sink/_drops.
 * lumen serve's extra rows: encoderN summed into encoder.frames_in/
 * frames_out/drops/errors; streamer: streamer.listening, streamer.aus.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/internal.h"

struct lumen_state {
	bool in_table;
	char stage[16];
	int64_t bursts_max;
};

static void lu_begin(struct lumen_doctor_evidence *ev, void *st)
{
	struct lumen_state *s = st;

	(void)ev;
	s->in_table = false;
}

static bool is_header(const char *l)
{
	return ev_starts(l, "stage ") && strstr(l, " in ") && strstr(l, " out ") &&
	       strstr(l, "drops") && strstr(l, "errors");
}

/* "receiver 64 64 0 0 0.0 0.00" */
static bool stage_row(struct lumen_doctor_evidence *ev, struct lumen_state *s,
		      const char *l)
{
	static const char *const cols[] = { "in", "out", "drops", "errors" };
	char name[16], fact[EV_FACT_NAME];
	const char *p = l;
	int64_t v[4];
	size_t n = 0;

	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	if (!n || n >= sizeof(name) || p[n] != ' ')
		return false;
	memcpy(name, p, n);
	name[n] = '\0';
	p += n;
	for (int i = 0; i < 4; i++) {
		p = ev_skip_space(p);
		if (!isdigit((unsigned char)*p) || !ev_scan_int(&p, &v[i]))
			return false;
	}
	snprintf(s->stage, sizeof(s->stage), "%s", name);
	s->bursts_max = 0;
	for (int i = 0; i < 4; i++) {
		ev_namef(fact, sizeof(fact), "lumen.%s.%s", name, cols[i]);
		ev_set_num(ev, fact, v[i], true);
	}
	if (!strcmp(name, "receiver")) {
		ev_set_num(ev, "csi.frames_ok", v[1], true);
	} else if (!strcmp(name, "vif")) {
		ev_set_num(ev, "vif.frames", v[1], true);
	} else if (ev_starts(name, "encoder")) {
		/* lumen serve: one row per encoder (encoder0, encoder1); the
		 * stage is as good as all of them together */
		static const char *const efacts[] = { "encoder.frames_in",
			"encoder.frames_out", "encoder.drops", "encoder.errors" };

		for (int i = 0; i < 4; i++) {
			int64_t sum = 0;

			lumen_doctor_fact_num(ev, efacts[i], &sum);
			ev_set_num(ev, efacts[i], ev_sat_add(sum, v[i]), true);
		}
		ev_set_num(ev, "encoder.count", 1, false);
	} else if (!strcmp(name, "streamer")) {
		/* the row exists only while lumen serve's RTSP server runs */
		ev_set_num(ev, "streamer.listening", 1, true);
		ev_set_num(ev, "streamer.aus", v[1], true);
	}
	return true;
}

static void detail(struct lumen_doctor_evidence *ev, struct lumen_state *s,
		   const char *key, int64_t v, bool has_num)
{
	const char *st = s->stage;
	char fact[EV_FACT_NAME];

	if (!has_num)
		return;
	ev_namef(fact, sizeof(fact), "lumen.%s.%s", st, key);
	ev_set_num(ev, fact, v, true);
	if (!strcmp(st, "i2c")) {
		if (!strcmp(key, "addr")) {
			char text[8];

			snprintf(text, sizeof(text), "0x%02x", (unsigned)(v & 0x7f));
			ev_set_text(ev, "i2c.addr", text, true);
		} else if (!strcmp(key, "nacks") && v > 0) {
			const char *a = lumen_doctor_fact_text(ev, "i2c.addr");

			ev_set_num(ev, "i2c.nack", v, true);
			if (a)
				ev_set_text(ev, "i2c.nack_addr", a, true);
		}
	} else if (!strcmp(st, "sensor")) {
		if (!strcmp(key, "stream_reg"))
			ev_set_num(ev, "sensor.streaming", v & 1, true);
		else if (!strcmp(key, "lanes"))
			ev_set_num(ev, "sensor.lanes", v, true);
	} else if (!strcmp(st, "link")) {
		if (ev_starts(key, "pad") && strstr(key, "_hs_bursts") && v > s->bursts_max) {
			s->bursts_max = v;
			ev_set_num(ev, "link.active_pad", atoi(key + 3), true);
		}
	} else if (!strcmp(st, "receiver")) {
		static const struct { const char *key, *fact; } map[] = {
			{ "pad", "receiver.pad" }, { "lanes", "csi.lanes" },
			{ "frame_start", "csi.frame_start" },
			{ "ecc_corrected", "csi.ecc_corrected" },
			{ "ecc_uncorrectable", "csi.ecc_errors" },
			{ "crc_errors", "csi.crc_errors" }, { "sot_errors", "csi.sot_errors" },
		};

		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (!strcmp(key, map[i].key))
				ev_set_num(ev, map[i].fact, v, true);
		if (!strcmp(key, "configured")) {
			ev_set_num(ev, "csi.receivers", 1, false);
			ev_set_num(ev, "csi.configured", v != 0, true);
			ev_set_num(ev, "csi.unconfigured", v == 0, true);
			ev_set_num(ev, "csi.lanes_reported", 1, false);
		} else if (!strcmp(key, "frame_start") || !strcmp(key, "cur_w")) {
			int64_t fs = 0, w = 0;

			lumen_doctor_fact_num(ev, "csi.frame_start", &fs);
			lumen_doctor_fact_num(ev, "lumen.receiver.cur_w", &w);
			ev_set_num(ev, "csi.frames_seen", fs > 0 || w > 0, true);
		}
	} else if (!strcmp(st, "vif")) {
		if (!strcmp(key, "unmask_failures"))
			ev_set_num(ev, "vif.unmask_failures", v, true);
	} else if (!strcmp(st, "dma")) {
		if (!strcmp(key, "buffers"))
			ev_set_num(ev, "dma.buffers", v, true);
	} else if (!strcmp(st, "isp")) {
		if (!strcmp(key, "source_timeouts"))
			ev_set_num(ev, "isp.source_timeouts", v, true);
	}
}

static void lu_line(struct lumen_doctor_evidence *ev, void *st)
{
	struct lumen_state *s = st;
	const char *raw = ev->line, *l = ev_skip_space(raw);

	if (is_header(l)) {
		s->in_table = true;
		s->stage[0] = '\0';
		ev_set_num(ev, "lumen.status_seen", 1, false);
		return;
	}
	if (!s->in_table)
		return;
	if (raw[0] != ' ' && raw[0] != '\t') {
		if (!stage_row(ev, s, l))
			s->in_table = false;
		return;
	}
	if (!s->stage[0])
		return;
	/* detail: key=value pairs, or words */
	if (!strchr(l, '=')) {
		if (!strcmp(l, "stalled")) {
			/* any output sink (stream, jpeg, video0...) that stopped
			 * taking frames; its drops are the frames it lost */
			char fact[EV_FACT_NAME];
			int64_t drops = 0;

			ev_namef(fact, sizeof(fact), "lumen.%s.drops", s->stage);
			lumen_doctor_fact_num(ev, fact, &drops);
			ev_set_num(ev, "streamer.stalled", 1, true);
			ev_set_num(ev, "streamer.stalled_drops", drops, true);
			ev_set_text(ev, "streamer.stalled_sink", s->stage, true);
		}
		else if (!strcmp(s->stage, "sensor") && isalpha((unsigned char)*l)) {
			char name[32];

			snprintf(name, sizeof(name), "%.*s", (int)strcspn(l, " ("), l);
			ev_set_text(ev, "sensor.driver", name, true);
			/* its registers were never written: stream_reg says nothing */
			if (strstr(l, "not initialised"))
				ev_set_num(ev, "sensor.uninitialised", 1, true);
		}
		return;
	}
	while (*l) {
		char key[40];
		const char *eq = strchr(l, '='), *p;
		int64_t v;
		bool has;

		if (!eq || eq - l >= (long)sizeof(key))
			break;
		memcpy(key, l, (size_t)(eq - l));
		key[eq - l] = '\0';
		p = eq + 1;
		has = ev_scan_int(&p, &v);
		detail(ev, s, key, v, has);
		l = ev_skip_space(p + strcspn(p, " \t"));
	}
}

const struct ev_family ev_family_lumen = {
	.name = "lumen",
	.state_size = sizeof(struct lumen_state),
	.begin = lu_begin,
	.line = lu_line,
};

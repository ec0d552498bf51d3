// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Device-tree fragments (dts source, "dtc -I fs" output) and Raspberry Pi
 * config.txt camera lines. Inside a node whose compatible names a sensor
 * ("sony,imx258"): dt.sensor (the part after the comma), dt.sensor_addr
 * (reg), dt.sensor_disabled (status = "disabled"). Anywhere: dt.data_lanes
 * (count of data-lanes entries), dt.clock_lanes, dt.link_freq. config.txt:
 * dt.overlay ("dtoverlay=imx219": only an overlay that names a sensor,
 * known to lumen or of a usual sensor family; others such as
 * "vc4-kms-v3d" go to dt.overlay_other), dt.camera_auto_detect,
 * dt.config_seen (some config.txt overlay line was read: the absence of
 * a camera overlay then means something).
 */
#include <ctype.h>
#include <string.h>

#include "doctor/internal.h"

struct dt_state {
	int depth;
	int sensor_depth;	/* depth of the node whose compatible is a sensor; 0 = none */
};

static void dt_begin(struct lumen_doctor_evidence *ev, void *st)
{
	struct dt_state *s = st;

	(void)ev;
	s->depth = 0;
	s->sensor_depth = 0;
}

static int count_cells(const char *p)
{
	int n = 0;
	int64_t v;

	p = strchr(p, '<');
	if (!p)
		return 0;
	p++;
	while (*(p = ev_skip_space(p)) && *p != '>') {
		if (!ev_scan_int(&p, &v))
			break;
		n++;
	}
	return n;
}

/* Does overlay @name configure a camera sensor? Sensor families name
 * their overlays after the part ("imx219", "ov5647", "os04a10",
 * "arducam-pivariety"); the digit count keeps "sc16is752" (a UART) out. */
static bool camera_overlay(const struct lumen_doctor_evidence *ev, const char *name)
{
	static const struct { const char *prefix; int digits; } families[] = {
		{ "imx", 3 }, { "ov", 4 }, { "ar", 4 }, { "gc", 4 }, { "sc", 4 },
		{ "os", 2 }, { "irs", 4 }, { "arducam", 0 },
	};
	struct ev_sensor_id id;

	if (ev_sensor_by_name(ev->kb, name, &id))
		return true;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		const char *p = name + strlen(families[i].prefix);
		int d = 0;

		if (!ev_starts(name, families[i].prefix))
			continue;
		while (isdigit((unsigned char)p[d]))
			d++;
		if (d >= families[i].digits)
			return true;
	}
	return false;
}

static void dt_line(struct lumen_doctor_evidence *ev, void *st)
{
	struct dt_state *s = st;
	const char *l = ev_skip_space(ev->line), *p;
	size_t n = strlen(l);

	if (ev_starts(l, "dtoverlay=")) {
		char name[32];

		snprintf(name, sizeof(name), "%.*s", (int)strcspn(l + 10, ",\r "), l + 10);
		ev_set_text(ev, camera_overlay(ev, name) ? "dt.overlay" : "dt.overlay_other",
			     name, true);
		ev_set_num(ev, "dt.config_seen", 1, false);
		return;
	}
	if (ev_starts(l, "camera_auto_detect=")) {
		ev_set_num(ev, "dt.camera_auto_detect", l[19] == '1', true);
		ev_set_num(ev, "dt.config_seen", 1, false);
		return;
	}
	if (n && l[n - 1] == '{') {
		s->depth++;
		return;
	}
	if (ev_starts(l, "};")) {
		if (s->depth == s->sensor_depth)
			s->sensor_depth = 0;
		if (s->depth)
			s->depth--;
		return;
	}
	if (!s->depth)
		return;
	if (ev_starts(l, "compatible") && (p = strchr(l, '"'))) {
		char name[32];
		const char *c = strchr(p + 1, ',');
		struct ev_sensor_id id;

		if (!c)
			return;
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(c + 1, "\""), c + 1);
		if (ev_sensor_by_name(ev->kb, name, &id) || strstr(p, "sony,") ||
		    strstr(p, "ovti,") || strstr(p, "smartsens,") || strstr(p, "galaxycore,")) {
			ev_set_text(ev, "dt.sensor", name, true);
			s->sensor_depth = s->depth;
		}
		return;
	}
	if (s->sensor_depth && s->depth == s->sensor_depth && ev_starts(l, "reg ")) {
		int64_t v;

		p = strchr(l, '<');
		if (p && (p++, ev_scan_int(&p, &v)))
			ev_set_num(ev, "dt.sensor_addr", v, true);
		return;
	}
	if (s->sensor_depth && s->depth == s->sensor_depth && ev_starts(l, "status") &&
	    strstr(l, "\"disabled\"")) {
		ev_set_num(ev, "dt.sensor_disabled", 1, true);
		return;
	}
	if (ev_starts(l, "data-lanes")) {
		ev_set_num(ev, "dt.data_lanes", count_cells(l), true);
		return;
	}
	if (ev_starts(l, "clock-lanes")) {
		ev_set_num(ev, "dt.clock_lanes", count_cells(l), true);
		return;
	}
	if (ev_starts(l, "link-frequencies") && (p = strchr(l, '<'))) {
		int64_t v;

		p++;
		if (ev_scan_int(&p, &v))
			ev_set_num(ev, "dt.link_freq", v, true);
	}
}

const struct ev_family ev_family_dt = {
	.name = "dt",
	.state_size = sizeof(struct dt_state),
	.begin = dt_begin,
	.line = dt_line,
};

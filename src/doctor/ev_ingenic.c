// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ingenic /proc/jz/isp/ files (isp-w00, isp-w01, isp-w02, isp-m0, isp-fs...):
 * under a prompt or heading that names /proc/jz/isp, "key : value" and
 * "key = value" lines become jz.<file>.<key>. Their layout changes from
 * SDK to SDK, so this reads them generically and derives only what the
 * key names say: jz.frames (keys with frame and cnt/count/num/done),
 * jz.errors (keys with err/drop/lost/overflow), jz.seen.
 * The tx-isp kernel messages ("sensor_read", "VIDIOC_REGISTER_SENSOR",
 * "chip found @") are line patterns of the knowledge base.
 */
#include <ctype.h>
#include <string.h>

#include "doctor/internal.h"

struct jz_state {
	bool active;
	char file[16];
};

static void jz_begin(struct lumen_doctor_evidence *ev, void *st)
{
	struct jz_state *s = st;
	const char *p = strstr(ev->section, "/proc/jz/isp");

	s->active = p != NULL;
	s->file[0] = '\0';
	if (p && p[12] == '/')
		ev_slug(s->file, sizeof(s->file), p + 13, strcspn(p + 13, " \t|;>"));
}

static void jz_line(struct lumen_doctor_evidence *ev, void *st)
{
	struct jz_state *s = st;
	const char *l = ev_skip_space(ev->line), *sep, *v;
	char key[40], name[EV_FACT_NAME];
	int64_t num;

	if (!s->active)
		return;
	sep = strpbrk(l, ":=");
	if (!sep || sep == l || sep - l > 40)
		return;
	ev_slug(key, sizeof(key), l, (size_t)(sep - l));
	v = ev_skip_space(sep + 1);
	if (!key[0] || !*v)
		return;
	ev_namef(name, sizeof(name), "jz.%s%s%s", s->file, s->file[0] ? "." : "", key);
	ev_set_text(ev, name, v, true);
	ev_set_num(ev, "jz.seen", 1, false);
	if (!ev_scan_int(&v, &num))
		return;
	if (strstr(key, "frame") && (strstr(key, "cnt") || strstr(key, "count") ||
				     strstr(key, "num") || strstr(key, "done")))
		ev_add_num(ev, "jz.frames", num, true);
	if (strstr(key, "err") || strstr(key, "drop") || strstr(key, "lost") ||
	    strstr(key, "overflow"))
		ev_add_num(ev, "jz.errors", num, true);
}

const struct ev_family ev_family_ingenic = {
	.name = "ingenic",
	.state_size = sizeof(struct jz_state),
	.begin = jz_begin,
	.line = jz_line,
};

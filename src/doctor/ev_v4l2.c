// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * v4l2-ctl --all ("Driver name      : unicam", "Width/Height      :
 * 640/480", "Pixel Format      : 'pRAA' ...") and v4l2-ctl --stream-*
 * output (the "<<<<" progress, "VIDIOC_... returned -1 (Broken pipe)").
 * Facts: v4l2.driver, v4l2.width, v4l2.height, v4l2.pixfmt,
 * v4l2.frames (one '<' per captured buffer), v4l2.ioctl_errors,
 * v4l2.streamon_failed (with v4l2.streamon_error, the errno text).
 */
#include <ctype.h>
#include <string.h>

#include "doctor/internal.h"

static const char *value_after_colon(const char *l)
{
	const char *p = strchr(l, ':');

	return p ? ev_skip_space(p + 1) : NULL;
}

static void v4l2_line(struct lumen_doctor_evidence *ev, void *st)
{
	const char *l = ev_skip_space(ev->line), *v, *p;
	int64_t w, h;
	int lt = 0;

	(void)st;
	if (ev_starts(l, "Driver name") && (v = value_after_colon(l))) {
		ev_set_text(ev, "v4l2.driver", v, true);
	} else if (ev_starts(l, "Width/Height") && (v = value_after_colon(l))) {
		p = v;
		if (ev_scan_int(&p, &w) && *p == '/' && (p++, ev_scan_int(&p, &h))) {
			ev_set_num(ev, "v4l2.width", w, true);
			ev_set_num(ev, "v4l2.height", h, true);
		}
	} else if (ev_starts(l, "Pixel Format") && (v = value_after_colon(l))) {
		char fcc[8] = "";

		if (*v == '\'' && strlen(v) >= 6 && v[5] == '\'') {
			memcpy(fcc, v + 1, 4);
			fcc[4] = '\0';
			ev_set_text(ev, "v4l2.pixfmt", fcc, true);
		}
	}
	for (p = l; *p == '<'; p++)
		lt++;
	if (lt && (!*p || *p == ' ' || isdigit((unsigned char)*p)))
		ev_add_num(ev, "v4l2.frames", lt, lt == (int)strlen(l));
	if (ev_starts(l, "VIDIOC_") && (p = strstr(l, "returned -1"))) {
		const char *o = strchr(p, '(');

		ev_add_num(ev, "v4l2.ioctl_errors", 1, true);
		if (ev_starts(l, "VIDIOC_STREAMON")) {
			ev_set_num(ev, "v4l2.streamon_failed", 1, true);
			if (o) {
				char err[48];
				size_t n = strcspn(o + 1, ")");

				snprintf(err, sizeof(err), "%.*s", (int)(n < 47 ? n : 47), o + 1);
				ev_set_text(ev, "v4l2.streamon_error", err, true);
			}
		}
	}
}

const struct ev_family ev_family_v4l2 = {
	.name = "v4l2",
	.line = v4l2_line,
};

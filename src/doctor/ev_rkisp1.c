// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rkisp1 debugfs counters (drivers/media/platform/rockchip/rkisp1/
 * rkisp1-debug.c): data_loss, outform_size_err, img_stabilization_size_
 * error, inform_size_err, irq_delay, mipi_error, stop_timeout/N,
 * frame_drop/N, as "grep . /sys/kernel/debug/rkisp1/..." prints them
 * ("/sys/kernel/debug/ff910000.isp/mipi_error:0") or as "name: value"
 * lines under a heading that names rkisp1.
 * Facts: rkisp1.<counter> (stop_timeout and frame_drop summed over
 * paths), rkisp1.seen.
 */
#include <string.h>

#include "doctor/internal.h"

static const char *const counters[] = {
	"data_loss", "outform_size_err", "img_stabilization_size_error",
	"inform_size_err", "irq_delay", "mipi_error", "stop_timeout",
	"frame_drop", NULL,
};

static void rk_line(struct lumen_doctor_evidence *ev, void *st)
{
	const char *l = ev_skip_space(ev->line);
	bool context = strstr(l, "/sys/kernel/debug/") || ev_contains(ev->section, "rkisp1") ||
		       ev_contains(ev->section, "debug/") ;

	(void)st;
	if (!context)
		return;
	for (int i = 0; counters[i]; i++) {
		const char *p = strstr(l, counters[i]), *q;
		char name[EV_FACT_NAME];
		int64_t v;

		if (!p || (p != l && p[-1] != '/' && p[-1] != ' '))
			continue;
		q = p + strlen(counters[i]);
		/* "frame_drop/0:", "frame_drop[1]:" */
		while (*q && *q != ':' && *q != '=' && *q != ' ' && q - p < 48)
			q++;
		q = ev_skip_space(q);
		if (*q == ':' || *q == '=')
			q++;
		if (!ev_scan_int(&q, &v))
			continue;
		ev_namef(name, sizeof(name), "rkisp1.%s", counters[i]);
		ev_add_num(ev, name, v, true);
		ev_set_num(ev, "rkisp1.seen", 1, false);
		return;
	}
}

const struct ev_family ev_family_rkisp1 = {
	.name = "rkisp1",
	.line = rk_line,
};

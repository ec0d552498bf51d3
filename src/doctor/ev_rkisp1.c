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
 *
 * Also the MIPI_MIS value the Rockchip drivers print on a receive error
 * ("rkisp1: MIPI mis err: 0x00100003", "MIPI mis error: 0x00010000",
 * cif_isp10 "mipi_mis icr err: 0x2"), decoded with the bit layout of
 * rkisp1-regs.h (MIPI_IMSC/RIS/MIS): bits 0-3 sync FIFO overflow per
 * lane, 4-7 SoT, 8-11 SoT sync, 12-15 EoT sync, 16-19 control error per
 * lane, 20 protocol, 21 ECC1, 22 ECC2, 23 checksum. Facts, counting the
 * lines that show each class: rkisp1.mis_lines, rkisp1.mis_fifo_overflow,
 * rkisp1.mis_fifo_lanes (most lanes overflowing at once), rkisp1.mis_sot,
 * rkisp1.mis_ctrl, rkisp1.mis_protocol, rkisp1.mis_ecc, rkisp1.mis_crc;
 * log.mipi_fifo_overflow mirrors mis_fifo_overflow for the knowledge base.
 */
#include <string.h>

#include "doctor/internal.h"

static const char *const counters[] = {
	"data_loss", "outform_size_err", "img_stabilization_size_error",
	"inform_size_err", "irq_delay", "mipi_error", "stop_timeout",
	"frame_drop", NULL,
};

/* "...mis...err...: 0xHEX" in the line; false when absent. */
static bool mis_value(const char *l, int64_t *v)
{
	const char *p = strstr(l, "mis");

	if (!p || !(p = strstr(p, "err")) || !(p = strchr(p, ':')))
		return false;
	p = ev_skip_space(p + 1);
	return ev_scan_int(&p, v) && *v >= 0;
}

static int popcount4(uint64_t v)
{
	return (int)(v & 1) + (int)((v >> 1) & 1) + (int)((v >> 2) & 1) + (int)((v >> 3) & 1);
}

static void mis_decode(struct lumen_doctor_evidence *ev, uint64_t m)
{
	ev_add_num(ev, "rkisp1.mis_lines", 1, true);
	if (m & 0xf) {
		ev_add_num(ev, "rkisp1.mis_fifo_overflow", 1, true);
		ev_add_num(ev, "log.mipi_fifo_overflow", 1, true);
		ev_max_num(ev, "rkisp1.mis_fifo_lanes", popcount4(m & 0xf), false);
	}
	if (m & 0xfff0)
		ev_add_num(ev, "rkisp1.mis_sot", 1, true);
	if (m & 0xf0000)
		ev_add_num(ev, "rkisp1.mis_ctrl", 1, true);
	if (m & (1u << 20))
		ev_add_num(ev, "rkisp1.mis_protocol", 1, true);
	if (m & (3u << 21))
		ev_add_num(ev, "rkisp1.mis_ecc", 1, true);
	if (m & (1u << 23))
		ev_add_num(ev, "rkisp1.mis_crc", 1, true);
}

static void rk_line(struct lumen_doctor_evidence *ev, void *st)
{
	const char *l = ev_skip_space(ev->line);
	bool context = strstr(l, "/sys/kernel/debug/") || ev_contains(ev->section, "rkisp1") ||
		       ev_contains(ev->section, "debug/") ;
	int64_t mis;

	(void)st;
	if ((strstr(l, "MIPI mis err") || strstr(l, "mipi_mis")) && mis_value(l, &mis)) {
		mis_decode(ev, (uint64_t)mis);
		return;
	}
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

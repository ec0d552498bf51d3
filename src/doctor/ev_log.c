// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Log lines of every flavour: kernel (dmesg, or "kernel:" in syslog),
 * syslog/logread, and the streamers' own logs (Majestic, prudynt, divinus,
 * Ingenic libimp "IMP-..."/SigmaStar "[MI ...]" SDK lines; an unstamped
 * driver line "imx708 10-001a: ..." (dmesg -t) counts as kernel). Their meaning
 * is the knowledge base's line patterns; this family only records which
 * logs are present (so that "the logs are silent about X" can be told from
 * "there were no logs"), the sensor module a loader inserted, and the
 * streamer's sockets from netstat/ss: streamer.listening (RTSP 554/8554,
 * HTTP 80/8080 in LISTEN), streamer.clients (ESTABLISHED on those ports),
 * streamer.sockets_seen.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/internal.h"

static bool kernel_stamp(const char *s)
{
	return *s == '[' && (isdigit((unsigned char)s[1]) || s[1] == ' ' ||
			     s[1] == '+') && strchr(s, ']');
}

/* A driver message about an I2C device without a stamp (dmesg -t):
 * "imx708 10-001a: ...". */
static bool i2c_dev_line(const char *b)
{
	const char *p = b;

	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	if (p == b || *p++ != ' ' || !isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	return p[0] == '-' && p[1] == '0' && p[2] == '0' &&
	       isxdigit((unsigned char)p[3]) && isxdigit((unsigned char)p[4]) && p[5] == ':';
}

/* "sensor_sc4336p_mipi.ko" -> "sc4336p"; false when none. */
static bool sensor_module(const char *s, char *name, size_t size)
{
	const char *p = strstr(s, "sensor_");
	size_t n = 0;

	if (!p)
		return false;
	p += 7;
	while (isalnum((unsigned char)p[n]))
		n++;
	if (n < 3 || n >= size)
		return false;
	for (size_t i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)p[i]);
	name[n] = '\0';
	return true;
}

/* The local port of a netstat/ss line: the first "addr:port" word. */
static long local_port(const char *l)
{
	const char *p = l;

	for (int w = 0; w < 6 && *p; w++) {
		const char *e, *c;

		p = ev_skip_space(p);
		e = p + strcspn(p, " \t");
		c = e;
		while (c > p && isdigit((unsigned char)c[-1]))
			c--;
		if (c > p && c < e && c[-1] == ':' && (c - p) > 1)
			return strtol(c, NULL, 10);
		p = e;
	}
	return -1;
}

static void sockets(struct lumen_doctor_evidence *ev, const char *l)
{
	bool listen = strstr(l, "LISTEN") != NULL;
	bool estab = strstr(l, "ESTABLISHED") || strstr(l, "ESTAB ");
	long port;

	if (!(ev_starts(l, "tcp") || ev_starts(l, "LISTEN") || ev_starts(l, "ESTAB")) ||
	    (!listen && !estab))
		return;
	ev_set_num(ev, "streamer.sockets_seen", 1, false);
	port = local_port(l + (ev_starts(l, "tcp") ? 3 : 0));
	if (port != 554 && port != 8554 && port != 80 && port != 8080)
		return;
	if (listen)
		ev_add_num(ev, "streamer.listening", 1, true);
	else
		ev_add_num(ev, "streamer.clients", 1, true);
}

static void log_line(struct lumen_doctor_evidence *ev, void *st)
{
	const char *l = ev->line, *b = ev->body;
	char name[32];

	(void)st;
	if (kernel_stamp(ev_skip_space(l)) || strstr(l, " kernel: ") || i2c_dev_line(b))
		ev_add_num(ev, "log.kernel", 1, false);
	if (strstr(l, "majestic") || strstr(b, "[    sdk]") || strstr(b, "[     sdk]"))
		ev_add_num(ev, "log.majestic", 1, false);
	if (strstr(l, "prudynt"))
		ev_add_num(ev, "log.prudynt", 1, false);
	if (strstr(l, "divinus"))
		ev_add_num(ev, "log.divinus", 1, false);
	if (ev_starts(b, "IMP-") || strstr(b, "[MI ") || strstr(b, "MI_"))
		ev_add_num(ev, "log.sdk", 1, false);
	sockets(ev, ev_skip_space(l));
	/* the sensor driver a loader inserts / lsmod lists */
	if ((strstr(l, "insmod") || strstr(l, "modprobe") ||
	     ev_starts(ev_skip_space(l), "sensor_")) &&
	    sensor_module(l, name, sizeof(name)))
		ev_set_text(ev, "sensor.module", name, true);
}

static void log_finish(struct lumen_doctor_evidence *ev, void *st)
{
	int64_t k = 0, a = 0, v;

	(void)st;
	if (lumen_doctor_fact_num(ev, "log.kernel", &v))
		k = v;
	for (const char *const *n = (const char *const[]){ "log.majestic",
		"log.prudynt", "log.divinus", "log.sdk", NULL }; *n; n++)
		if (lumen_doctor_fact_num(ev, *n, &v))
			a += v;
	if (k || a)	/* finish runs outside any section: no prefix, no quote */
		ev_set_num(ev, "log.lines", k + a, false);
	if (ev_fact_find(ev, "streamer.sockets_seen") &&
	    !ev_fact_find(ev, "streamer.clients"))
		ev_set_num(ev, "streamer.clients", 0, false);
}

const struct ev_family ev_family_log = {
	.name = "log",
	.line = log_line,
	.finish = log_finish,
};

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * I2C evidence: i2cdetect tables ("30: 30 -- UU ..."), i2ctransfer and
 * i2cget commands with the output that follows them ("0x9c 0x42", or
 * "Error: Read failed"), and register lines of the form
 * "[addr 0x30] reg 0x0100 = 0x01" (lumen sensor read, the live mode).
 *
 * Facts while reading: i2c.detect.<0xAA> = answered | bound (UU),
 * i2c.detect.count, i2c.read.<0xAA>.<0xRRRR> = value, i2c.nack (failed
 * transfers), i2c.nack_addr, i2c.busy (address owned by a driver).
 * Derived in finish, with the sensor tables (sensor_ids.c):
 *   sensor.chip_id ("0x9c42"), sensor.addr, sensor.found (the name its ID
 *   belongs to) or sensor.chip_id_unknown, sensor.id_invalid (0x0000 or
 *   0xffff: the bus answered nothing useful), sensor.streaming (bit 0 of
 *   the stream register), sensor.lanes (of its usual mode), sensor.expected (from sensor.module/sdk/dt/media
 *   names), sensor.id_match / sensor.id_mismatch, i2c.detect.sensor_addr
 *   (a known sensor address that answered), i2c.detect.empty.
 *
 * OpenIPC's ipctool identifies the sensor by probing its ID registers:
 * "ipctool -s" prints "os04d10_i2c", the full report has a "sensors:"
 * list with "model: JXQ03P". Either sets sensor.found and
 * sensor.detected (lower-cased model) and sensor.found_by = "ipctool";
 * the comparison with what the software loads is the same as for an ID
 * read over i2ctransfer.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor/internal.h"

#define READS_MAX 64

struct reg_read {
	uint16_t addr, reg;
	uint16_t val;
	int cmd_quote;	/* the command line, or -1 */
	int quote;	/* the line with the value */
};

struct i2c_state {
	/* i2cdetect table */
	bool in_table;
	int table_bus;
	bool scanned;
	int answered, bound;
	/* last command waiting for its output */
	bool pending;
	int bus;
	uint16_t addr, reg;
	int nread;
	int reg_bytes;
	int cmd_quote;
	/* what was read */
	struct reg_read reads[READS_MAX];
	int nreads;
	bool any_table;
	/* ipctool's "sensors:" list */
	bool in_ipctool_sensors;
};

static void i2c_begin(struct lumen_doctor_evidence *ev, void *st)
{
	struct i2c_state *s = st;

	(void)ev;
	s->in_table = false;
	s->pending = false;
	s->in_ipctool_sensors = false;
}

/* A sensor named by ipctool; @n bytes of @name, lower-cased. */
static void ipctool_sensor(struct lumen_doctor_evidence *ev, const char *name, size_t n)
{
	char low[32];

	if (n < 3 || n >= sizeof(low))
		return;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[n] = '\0';
	ev_set_text(ev, "sensor.found", low, true);
	ev_set_text(ev, "sensor.detected", low, true);
	ev_set_text(ev, "sensor.found_by", "ipctool", false);
}

/* "ipctool -s" output ("os04d10_i2c") and the "sensors:" list of the
 * full report; true when the line was one of them. */
static bool ipctool_line(struct lumen_doctor_evidence *ev, struct i2c_state *s,
			 const char *l)
{
	const char *p = ev_skip_space(l);
	size_t n = 0;

	if (ev_contains(ev->section, "ipctool")) {
		while (isalnum((unsigned char)p[n]))
			n++;
		if (n && (!strcmp(p + n, "_i2c") || !strcmp(p + n, "_spi"))) {
			ipctool_sensor(ev, p, n);
			return true;
		}
	}
	if (!strcmp(l, "sensors:")) {
		s->in_ipctool_sensors = true;
		return true;
	}
	if (!s->in_ipctool_sensors)
		return false;
	if (l[0] && l[0] != ' ' && l[0] != '-') {	/* the next top-level key */
		s->in_ipctool_sensors = false;
		return false;
	}
	if (ev_starts(p, "- "))
		p = ev_skip_space(p + 2);
	if (ev_starts(p, "model:")) {
		p = ev_skip_space(p + 6);
		while (isalnum((unsigned char)p[n]) || p[n] == '_')
			n++;
		ipctool_sensor(ev, p, n);
	}
	return true;
}

static void record_read(struct lumen_doctor_evidence *ev, struct i2c_state *s,
			uint16_t addr, uint16_t reg, uint16_t val)
{
	char name[EV_FACT_NAME];

	int cmd = s->pending ? s->cmd_quote : -1;

	ev_namef(name, sizeof(name), "i2c.read.0x%02x.0x%04x", addr, reg);
	ev_set_num(ev, name, val, true);
	ev_fact_add_quote(ev_fact_find(ev, name), cmd);
	if (ev->reference)
		return;
	for (int i = 0; i < s->nreads; i++)
		if (s->reads[i].addr == addr && s->reads[i].reg == reg) {
			s->reads[i].val = val;
			s->reads[i].cmd_quote = cmd;
			s->reads[i].quote = ev_quote_line(ev);
			return;
		}
	if (s->nreads < READS_MAX)
		s->reads[s->nreads++] = (struct reg_read){ addr, reg, val, cmd,
							   ev_quote_line(ev) };
}

/* "i2cdetect -y 1", "i2ctransfer -f -y 1 w2@0x30 0x31 0x07 r2",
 * "i2cget -f -y 1 0x30 0x0a" */
static bool parse_command(struct i2c_state *s, const char *c)
{
	const char *p;
	int64_t v, bytes[4];
	int nb = 0;

	c = ev_skip_space(c);
	if ((p = strstr(c, "i2cdetect")) && (p == c || p[-1] == ' ' || p[-1] == '/')) {
		s->table_bus = -1;
		p += 9;
		while (*(p = ev_skip_space(p))) {
			if (*p == '-') {
				while (*p && *p != ' ')
					p++;
			} else if (ev_scan_int(&p, &v)) {
				s->table_bus = (int)v;
				break;
			} else {
				break;
			}
		}
		return false;
	}
	if ((p = strstr(c, "i2ctransfer"))) {
		p += 11;
		s->bus = -1;
		s->nread = 0;
		s->reg_bytes = 0;
		while (*(p = ev_skip_space(p))) {
			if (*p == '-') {
				while (*p && *p != ' ')
					p++;
				continue;
			}
			if (*p == 'w' && isdigit((unsigned char)p[1])) {
				const char *at = strchr(p, '@');

				if (!at || !(p = at + 1, ev_scan_int(&p, &v)))
					return false;
				s->addr = (uint16_t)v;
				nb = 0;
				while (*(p = ev_skip_space(p)) && *p != 'r' && nb < 4 &&
				       ev_scan_int(&p, &bytes[nb]))
					nb++;
				continue;
			}
			if (*p == 'r' && isdigit((unsigned char)p[1])) {
				p++;
				if (!ev_scan_int(&p, &v))
					return false;
				s->nread = (int)v;
				while (*p && *p != ' ')
					p++;
				continue;
			}
			if (s->bus < 0 && ev_scan_int(&p, &v)) {
				s->bus = (int)v;
				continue;
			}
			while (*p && *p != ' ')
				p++;
		}
		if (!s->nread || !nb || nb > 2)
			return false;
		/* each written value is one byte on the bus: a larger one is
		 * not a command i2ctransfer would have run */
		for (int i = 0; i < nb; i++)
			if (bytes[i] < 0 || bytes[i] > 0xff)
				return false;
		s->reg = nb == 2 ? (uint16_t)(bytes[0] << 8 | bytes[1]) : (uint16_t)bytes[0];
		s->reg_bytes = nb;
		return s->pending = true;
	}
	if ((p = strstr(c, "i2cget"))) {
		int64_t args[3];
		int na = 0;

		p += 6;
		while (*(p = ev_skip_space(p)) && na < 3) {
			if (*p == '-') {
				while (*p && *p != ' ')
					p++;
			} else if (ev_scan_int(&p, &args[na])) {
				na++;
			} else {
				break;
			}
		}
		if (na < 3)
			return false;
		s->bus = (int)args[0];
		s->addr = (uint16_t)args[1];
		s->reg = (uint16_t)args[2];
		s->nread = 1;
		s->reg_bytes = 1;
		return s->pending = true;
	}
	return false;
}

static void command_output(struct lumen_doctor_evidence *ev,
			   struct i2c_state *s, const char *b)
{
	char name[EV_FACT_NAME];
	int64_t v;
	int n = 0;

	if (ev_starts(b, "Error:")) {
		s->pending = false;
		ev_namef(name, sizeof(name), "0x%02x", s->addr);
		if (strstr(b, "busy")) {
			ev_add_num(ev, "i2c.busy", 1, true);
			return;
		}
		ev_add_num(ev, "i2c.nack", 1, true);
		ev_fact_add_quote(ev_fact_find(ev, ev->reference ? "ref.i2c.nack" : "i2c.nack"),
				  s->cmd_quote);
		ev_set_text(ev, "i2c.nack_addr", name, true);
		ev_add_num(ev, "i2c.tool_errors", 1, true);
		return;
	}
	while (n < s->nread && n < 8) {
		const char *p = ev_skip_space(b);

		if (!(p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) || !ev_scan_int(&p, &v))
			break;
		record_read(ev, s, s->addr, (uint16_t)(s->reg + n), (uint16_t)(v & 0xff));
		n++;
		b = p;
	}
	if (n) {
		s->pending = false;
		ev_namef(name, sizeof(name), "0x%02x", s->addr);
		ev_set_text(ev, "i2c.answered_addr", name, true);
	}
}

/* "30: 30 -- -- UU ..." of an i2cdetect table */
static void table_row(struct lumen_doctor_evidence *ev, struct i2c_state *s,
		      const char *l)
{
	int64_t row;
	const char *p = ev_skip_space(l);
	char name[EV_FACT_NAME];

	if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) ||
	    p[2] != ':') {
		s->in_table = false;
		return;
	}
	row = strtol(p, NULL, 16);
	p += 3;
	/* cells are 3 characters wide: " xx"; the first row starts blank */
	for (int col = 0; col < 16 && *p; col++, p += 3) {
		char cell[3] = { p[1], p[1] ? p[2] : 0, 0 };
		int addr = (int)row + col;

		if (!cell[0])
			break;
		if (!strcmp(cell, "UU")) {
			ev_namef(name, sizeof(name), "i2c.detect.0x%02x", addr);
			ev_set_text(ev, name, "bound", true);
			s->bound++;
		} else if (isxdigit((unsigned char)cell[0]) && isxdigit((unsigned char)cell[1])) {
			ev_namef(name, sizeof(name), "i2c.detect.0x%02x", addr);
			ev_set_text(ev, name, "answered", true);
			s->answered++;
		}
		if (!p[1] || !p[2])
			break;
	}
}

static void i2c_line(struct lumen_doctor_evidence *ev, void *st)
{
	struct i2c_state *s = st;
	const char *l = ev->line, *b = ev->body, *p;
	int64_t v, r;

	if (s->in_table) {
		table_row(ev, s, l);
		if (s->in_table)
			return;
	}
	if (ipctool_line(ev, s, l))
		return;
	/* the i2cdetect header row */
	p = ev_skip_space(l);
	if (ev_starts(p, "0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f")) {
		s->in_table = true;
		s->scanned = true;
		s->any_table = true;
		ev_set_num(ev, "i2c.detect.scanned", 1, true);
		return;
	}
	if (strstr(l, "i2ctransfer") || strstr(l, "i2cget") || strstr(l, "i2cdetect")) {
		if (parse_command(s, strstr(l, "i2c")))
			s->cmd_quote = ev_quote_line(ev);
		return;
	}
	if (s->pending) {
		command_output(ev, s, ev_skip_space(b));
		return;
	}
	/* "[addr 0x30] reg 0x0100 = 0x01" */
	if ((p = strstr(b, "reg 0x")) || (p = strstr(b, "register 0x"))) {
		const char *a = strstr(b, "addr 0x");
		uint16_t addr = 0;

		if (a) {
			a += 5;
			if (ev_scan_int(&a, &v))
				addr = (uint16_t)v;
		}
		p = strchr(p, ' ');
		if (p && ev_scan_int(&p, &r)) {
			p = ev_skip_space(p);
			if (*p == '=' || *p == ':') {
				p++;
				if (ev_scan_int(&p, &v) && addr)
					record_read(ev, s, addr, (uint16_t)r,
						    (uint16_t)v);
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* derived facts                                                       */

static const struct reg_read *find_read(const struct i2c_state *s,
					uint16_t addr, uint16_t reg)
{
	for (int i = 0; i < s->nreads; i++)
		if (s->reads[i].addr == addr && s->reads[i].reg == reg)
			return &s->reads[i];
	return NULL;
}

static void quote_read(struct lumen_doctor_evidence *ev, const char *fact,
		       const struct reg_read *r)
{
	struct ev_fact *f = ev_fact_find(ev, fact);

	if (!r)
		return;
	ev_fact_add_quote(f, r->cmd_quote);
	ev_fact_add_quote(f, r->quote);
}

/* The chip ID: the first pair of reads at one address that are some known
 * sensor's ID registers. */
static void derive_chip_id(struct lumen_doctor_evidence *ev,
			   struct i2c_state *s)
{
	for (int i = 0; i < s->nreads; i++) {
		const struct reg_read *hi = &s->reads[i], *lo = NULL;
		struct ev_sensor_id regs, found;
		char text[EV_FACT_TEXT];
		uint16_t id;
		int part;

		if (!ev_sensor_id_reg(ev->kb, hi->reg, &regs, &part) || part != 0)
			continue;
		if (regs.id_regs[1]) {
			lo = find_read(s, hi->addr, regs.id_regs[1]);
			if (!lo)
				continue;
			id = (uint16_t)((hi->val & 0xff) << 8 | (lo->val & 0xff));
		} else {
			/* a 16-bit register read as two bytes */
			lo = find_read(s, hi->addr, (uint16_t)(hi->reg + 1));
			id = lo ? (uint16_t)((hi->val & 0xff) << 8 | (lo->val & 0xff))
				: hi->val;
		}
		snprintf(text, sizeof(text), "0x%04x", id);
		ev_set_text(ev, "sensor.chip_id", text, false);
		quote_read(ev, "sensor.chip_id", hi);
		quote_read(ev, "sensor.chip_id", lo);
		snprintf(text, sizeof(text), "0x%02x", hi->addr);
		ev_set_text(ev, "sensor.addr", text, false);
		if (id == 0 || id == 0xffff) {
			ev_set_num(ev, "sensor.id_invalid", 1, false);
			quote_read(ev, "sensor.id_invalid", hi);
			return;
		}
		if (ev_sensor_by_id(ev->kb, id, &found)) {
			ev_set_text(ev, "sensor.found", found.name, false);
			quote_read(ev, "sensor.found", hi);
			quote_read(ev, "sensor.found", lo);
			if (found.lanes)
				ev_set_num(ev, "sensor.lanes", found.lanes, false);
			/* streaming: bit 0 of the stream register */
			lo = find_read(s, hi->addr, found.stream_reg);
			if (lo) {
				ev_set_num(ev, "sensor.streaming", lo->val & 1, false);
				quote_read(ev, "sensor.streaming", lo);
			}
		} else {
			ev_set_num(ev, "sensor.chip_id_unknown", 1, false);
			quote_read(ev, "sensor.chip_id_unknown", hi);
		}
		return;
	}
}

/* What the software expects: the loaded module, the SDK's sensor name, a
 * device-tree compatible, the media graph's sensor entity, the name a
 * kernel driver printed. The first one present wins. */
static void derive_expected(struct lumen_doctor_evidence *ev)
{
	static const char *const from[] = { "sensor.module", "sdk.sensor",
		"dt.sensor", "media.sensor_name", "sensor.driver", NULL };
	const char *found = lumen_doctor_fact_text(ev, "sensor.found");
	struct ev_sensor_id exp;

	for (int i = 0; from[i]; i++) {
		const struct ev_fact *f = ev_fact_find(ev, from[i]);
		struct ev_fact *e;

		if (!f || !f->text[0])
			continue;
		e = ev_fact_raw(ev, "sensor.expected");
		if (!e)
			return;
		snprintf(e->text, sizeof(e->text), "%s", f->text);
		e->has_num = false;
		e->count++;
		ev_fact_quote_from(ev, e, f);
		if (!found)
			return;
		/* same chip when the names match, or the expected name's
		 * table entry has the ID that was read */
		if (!strcasecmp(found, f->text) ||
		    (ev_sensor_by_name(ev->kb, f->text, &exp) &&
		     !strcasecmp(exp.name, found))) {
			ev_set_num(ev, "sensor.id_match", 1, false);
		} else {
			struct ev_fact *m;

			ev_set_num(ev, "sensor.id_mismatch", 1, false);
			m = ev_fact_find(ev, "sensor.id_mismatch");
			ev_fact_quote_from(ev, m, f);
			ev_fact_quote_from(ev, m, ev_fact_find(ev, "sensor.chip_id"));
		}
		return;
	}
}

static void i2c_finish(struct lumen_doctor_evidence *ev, void *st)
{
	struct i2c_state *s = st;
	char name[EV_FACT_NAME];

	derive_chip_id(ev, s);
	derive_expected(ev);
	if (s->any_table) {
		ev_set_num(ev, "i2c.detect.count", s->answered + s->bound, false);
		ev_set_num(ev, "i2c.detect.empty", s->answered + s->bound == 0, false);
		for (int a = 0x03; a < 0x78; a++) {
			const struct ev_fact *f;

			ev_namef(name, sizeof(name), "i2c.detect.0x%02x", a);
			f = ev_fact_find(ev, name);
			if (f && ev_sensor_addr_known(ev->kb, (uint16_t)a)) {
				char text[8];
				struct ev_fact *d;

				snprintf(text, sizeof(text), "0x%02x", a);
				ev_set_text(ev, "i2c.detect.sensor_addr", text, false);
				d = ev_fact_find(ev, "i2c.detect.sensor_addr");
				ev_fact_quote_from(ev, d, f);
				break;
			}
		}
	}
}

const struct ev_family ev_family_i2c = {
	.name = "i2c",
	.state_size = sizeof(struct i2c_state),
	.begin = i2c_begin,
	.line = i2c_line,
	.finish = i2c_finish,
};

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sensor identities for the doctor: a chip ID read from a board becomes a
 * sensor name. lumen's own sensor drivers (src/sensor, lumen_sensor_table)
 * are asked first; the knowledge base's `sensors:` list adds chips lumen
 * has no driver for (so that "found an SC2335 where an SC2336 was
 * expected" can be said). This file is the only place that touches the
 * sensor tables: LUMEN_HAVE_SENSOR_TABLE (doctor_config.h) says whether
 * they are built in.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "doctor/doctor_config.h"
#include "doctor/internal.h"
#if LUMEN_HAVE_SENSOR_TABLE
#include "sensor/sensor.h"
#endif

/* Stream-control register when the table does not say (SmartSens, Sony,
 * OmniVision MIPI sensors all use 0x0100 bit 0). */
#define DEFAULT_STREAM_REG 0x0100

static void from_kb(const struct kb_sensor *k, struct ev_sensor_id *out)
{
	out->name = k->name;
	out->vendor = k->vendor;
	out->id = k->id;
	out->id_regs[0] = k->id_regs[0];
	out->id_regs[1] = k->id_regs[1];
	out->addr = k->naddrs ? k->addrs[0] : 0;
	out->stream_reg = k->stream_reg ? k->stream_reg : DEFAULT_STREAM_REG;
	out->lanes = k->lanes;
}

#if LUMEN_HAVE_SENSOR_TABLE
static void from_table(const struct lumen_sensor_info *s,
		       struct ev_sensor_id *out)
{
	out->name = s->name;
	out->vendor = s->vendor;
	out->id = s->chip_id;
	out->id_regs[0] = s->chip_id_reg[0];
	out->id_regs[1] = s->chip_id_reg[1];
	out->addr = s->i2c_addr;
	out->stream_reg = DEFAULT_STREAM_REG;
	out->lanes = s->nmodes ? s->modes[0].lanes : 0;
}
#endif

bool ev_sensor_by_id(const struct lumen_doctor_kb *kb, uint16_t id,
		     struct ev_sensor_id *out)
{
#if LUMEN_HAVE_SENSOR_TABLE
	const struct lumen_sensor_info *s = lumen_sensor_find_by_id(id);

	if (s) {
		from_table(s, out);
		return true;
	}
#endif
	for (int i = 0; kb && i < kb->nsensors; i++)
		if (kb->sensors[i].id == id) {
			from_kb(&kb->sensors[i], out);
			return true;
		}
	return false;
}

/* "sc4336p" names "SC4336P", "sc4336p_mipi", "sensor_sc4336p_mipi.ko"'s
 * core; not "sc4336" (another chip). */
static bool name_matches(const char *sensor, const char *text)
{
	size_t n = strlen(sensor);

	return !strncasecmp(sensor, text, n) && !isalnum((unsigned char)text[n]);
}

bool ev_sensor_by_name(const struct lumen_doctor_kb *kb, const char *name,
		       struct ev_sensor_id *out)
{
#if LUMEN_HAVE_SENSOR_TABLE
	for (const struct lumen_sensor_info *const *s = lumen_sensor_table; *s; s++)
		if (name_matches((*s)->name, name)) {
			from_table(*s, out);
			return true;
		}
#endif
	for (int i = 0; kb && i < kb->nsensors; i++)
		if (name_matches(kb->sensors[i].name, name)) {
			from_kb(&kb->sensors[i], out);
			return true;
		}
	return false;
}

bool ev_sensor_addr_known(const struct lumen_doctor_kb *kb, uint16_t addr)
{
#if LUMEN_HAVE_SENSOR_TABLE
	for (const struct lumen_sensor_info *const *s = lumen_sensor_table; *s; s++)
		if ((*s)->i2c_addr == addr)
			return true;
#endif
	for (int i = 0; kb && i < kb->nsensors; i++)
		for (int j = 0; j < kb->sensors[i].naddrs; j++)
			if (kb->sensors[i].addrs[j] == addr)
				return true;
	return false;
}

bool ev_sensor_id_reg(const struct lumen_doctor_kb *kb, uint16_t reg,
		      struct ev_sensor_id *out, int *part)
{
#if LUMEN_HAVE_SENSOR_TABLE
	for (const struct lumen_sensor_info *const *s = lumen_sensor_table; *s; s++)
		for (int j = 0; j < 2; j++)
			if ((*s)->chip_id_reg[j] == reg && (j == 0 || reg)) {
				from_table(*s, out);
				*part = j;
				return true;
			}
#endif
	for (int i = 0; kb && i < kb->nsensors; i++)
		for (int j = 0; j < 2; j++)
			if (kb->sensors[i].id_regs[j] == reg && (j == 0 || reg)) {
				from_kb(&kb->sensors[i], out);
				*part = j;
				return true;
			}
	return false;
}

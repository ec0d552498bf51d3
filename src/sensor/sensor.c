// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sensor driver core: the table of drivers, the checked wrappers around
 * their ops, table writes with delays, and the generic chip-ID probe.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sensor/driver.h"
#include "sensor/sensor.h"

extern const struct lumen_sensor_info lumen_sensor_sc4336p;
extern const struct lumen_sensor_info lumen_sensor_sc2336;
extern const struct lumen_sensor_info lumen_sensor_imx258;

const struct lumen_sensor_info *const lumen_sensor_table[] = {
	&lumen_sensor_sc4336p,
	&lumen_sensor_sc2336,
	&lumen_sensor_imx258,
	NULL,
};

const struct lumen_sensor_info *lumen_sensor_find(const char *name)
{
	if (!name)
		return NULL;
	for (int i = 0; lumen_sensor_table[i]; i++)
		if (!strcmp(lumen_sensor_table[i]->name, name))
			return lumen_sensor_table[i];
	return NULL;
}

bool lumen_sensor_known(const char *name, void *opaque)
{
	(void)opaque;
	return lumen_sensor_find(name) != NULL;
}

const struct lumen_sensor_info *lumen_sensor_find_by_id(uint16_t chip_id)
{
	for (int i = 0; lumen_sensor_table[i]; i++)
		if (lumen_sensor_table[i]->chip_id == chip_id)
			return lumen_sensor_table[i];
	return NULL;
}

void lumen_sensor_bind(struct lumen_sensor *s,
		       const struct lumen_sensor_info *info,
		       struct lumen_i2c_bus *bus, uint16_t addr)
{
	memset(s, 0, sizeof(*s));
	s->info = info;
	s->bus = bus;
	s->addr = addr;
}

int lumen_sensor_read(struct lumen_sensor *s, uint16_t reg, uint32_t *val)
{
	return lumen_i2c_read_reg(s->bus, s->addr, reg, s->info->reg_bytes,
				  s->info->val_bytes, val);
}

int lumen_sensor_write(struct lumen_sensor *s, uint16_t reg, uint32_t val)
{
	return lumen_i2c_write_reg(s->bus, s->addr, reg, s->info->reg_bytes,
				   s->info->val_bytes, val);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int lumen_sensor_write_table(struct lumen_sensor *s,
			     const struct lumen_regval *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ret;

		if (t[i].reg == LUMEN_REG_DELAY) {
			sleep_ms(t[i].val);
			continue;
		}
		ret = lumen_sensor_write(s, t[i].reg, t[i].val);
		if (ret)
			return ret;
	}
	return 0;
}

int lumen_sensor_read_chip_id(struct lumen_i2c_bus *bus, uint16_t addr,
			      const struct lumen_sensor_info *info,
			      uint16_t *id)
{
	uint32_t hi, lo;
	int ret;

	if (!info->chip_id_reg[1]) {
		ret = lumen_i2c_read_reg(bus, addr, info->chip_id_reg[0],
					 info->reg_bytes, 2, &hi);
		if (ret)
			return ret;
		*id = (uint16_t)hi;
		return 0;
	}
	ret = lumen_i2c_read_reg(bus, addr, info->chip_id_reg[0],
				 info->reg_bytes, 1, &hi);
	if (ret)
		return ret;
	ret = lumen_i2c_read_reg(bus, addr, info->chip_id_reg[1],
				 info->reg_bytes, 1, &lo);
	if (ret)
		return ret;
	*id = (uint16_t)(hi << 8 | lo);
	return 0;
}

int lumen_sensor_generic_probe(struct lumen_sensor *s)
{
	const struct lumen_sensor_info *info = s->info;
	uint16_t id;
	int ret;

	ret = lumen_sensor_write_table(s, info->pre_probe, info->npre_probe);
	if (ret)
		return ret;
	ret = lumen_sensor_read_chip_id(s->bus, s->addr, info, &id);
	if (ret)
		return ret;
	if (id != info->chip_id) {
		lumen_i2c_set_error(s->bus,
			 "i2c-%d addr 0x%02x reg 0x%0*x: chip id 0x%04x, expected "
			 "0x%04x (%s)", s->bus->number, s->addr,
			 info->reg_bytes * 2, info->chip_id_reg[0], id,
			 info->chip_id, info->name);
		return -ENODEV;
	}
	return 0;
}

/* ---- checked wrappers ---------------------------------------------------- */

/* The op, or -EOPNOTSUPP when the driver leaves it NULL. */
#define HAS(s, op) ((s) && (s)->info && (s)->info->ops && (s)->info->ops->op)
#define CALL(s, op, args) (HAS(s, op) ? (s)->info->ops->op args : -EOPNOTSUPP)

int lumen_sensor_probe(struct lumen_sensor *s)
{
	return CALL(s, probe, (s));
}

int lumen_sensor_init(struct lumen_sensor *s, const struct lumen_sensor_mode *m)
{
	int ret;

	if (!s || !s->info)
		return -EINVAL;
	if (!m)
		m = &s->info->modes[0];
	ret = CALL(s, init, (s, m));
	if (ret)
		return ret;
	/* exposure/gain 0: "as the init table left them" until set */
	s->mode = m;
	s->vts = m->vts;
	s->exposure = 0;
	s->gain_q8 = 0;
	s->hflip = s->vflip = false;
	s->streaming = false;
	return 0;
}

int lumen_sensor_stream(struct lumen_sensor *s, bool on)
{
	int ret;

	if (s && !s->mode && on)
		return -EINVAL;
	ret = CALL(s, stream, (s, on));
	if (!ret)
		s->streaming = on;
	return ret;
}

int lumen_sensor_set_exposure(struct lumen_sensor *s, uint32_t lines)
{
	uint32_t applied = 0;
	int ret;

	if (s && !s->mode)
		return -EINVAL;
	ret = CALL(s, set_exposure, (s, lines, &applied));
	if (!ret)
		s->exposure = applied;
	return ret;
}

int lumen_sensor_set_gain(struct lumen_sensor *s, uint32_t gain_q8)
{
	uint32_t applied = 0;
	int ret;

	if (s && !s->mode)
		return -EINVAL;
	ret = CALL(s, set_gain, (s, gain_q8, &applied));
	if (!ret)
		s->gain_q8 = applied;
	return ret;
}

/* A shorter frame also shortens the longest exposure: re-clamp it, as the
 * chip itself would. */
int lumen_sensor_set_vts(struct lumen_sensor *s, uint32_t vts)
{
	int ret;

	if (s && !s->mode)
		return -EINVAL;
	ret = CALL(s, set_vts, (s, vts));
	if (ret)
		return ret;
	s->vts = vts;
	if (s->exposure && s->exposure + s->info->exposure_margin > vts)
		ret = lumen_sensor_set_exposure(s, s->exposure);
	return ret;
}

int lumen_sensor_set_flip(struct lumen_sensor *s, bool hflip, bool vflip)
{
	int ret = CALL(s, set_flip, (s, hflip, vflip));

	if (!ret) {
		s->hflip = hflip;
		s->vflip = vflip;
	}
	return ret;
}

int lumen_sensor_set_test_pattern(struct lumen_sensor *s, int pattern)
{
	if (pattern < 0)
		return -EINVAL;
	return CALL(s, set_test_pattern, (s, pattern));
}

double lumen_sensor_line_time(const struct lumen_sensor *s)
{
	if (!s || !s->mode || !s->mode->pclk_hz)
		return 0;
	return (double)s->mode->hts / (double)s->mode->pclk_hz;
}

double lumen_sensor_frame_time(const struct lumen_sensor *s)
{
	return lumen_sensor_line_time(s) * (s && s->vts ? s->vts : 0);
}

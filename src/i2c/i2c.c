// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bus-independent half of the I2C layer: retries, counters, the
 * last_error text, and the camera-sensor register protocol on top of
 * lumen_i2c_transfer(). Backends (i2c_dev.c, i2c_virtual.c) only move
 * messages.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "i2c/i2c.h"

/* Errors worth another attempt: arbitration lost, bus busy, clock
 * stretching timeout. A NACK (-ENXIO) is an answer, not a glitch. */
static bool transient(int err)
{
	return err == -EAGAIN || err == -EREMOTEIO || err == -ETIMEDOUT;
}

static bool is_nack(int err)
{
	return err == -ENXIO || err == -EREMOTEIO;
}

static void __attribute__((format(printf, 2, 0)))
set_error_locked(struct lumen_i2c_bus *bus, const char *fmt, va_list ap)
{
	vsnprintf(bus->last_error, sizeof(bus->last_error), fmt, ap);
}

void lumen_i2c_set_error(struct lumen_i2c_bus *bus, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pthread_mutex_lock(&bus->shown_lock);
	set_error_locked(bus, fmt, ap);
	pthread_mutex_unlock(&bus->shown_lock);
	va_end(ap);
}

void lumen_i2c_bus_init(struct lumen_i2c_bus *bus,
			const struct lumen_i2c_bus_ops *ops, int number,
			const char *backend, void *priv)
{
	bus->ops = ops;
	bus->number = number;
	bus->backend = backend;
	bus->retries = 2;
	bus->priv = priv;
	pthread_mutex_init(&bus->shown_lock, NULL);
}

void lumen_i2c_shown(struct lumen_i2c_bus *bus, struct lumen_i2c_counters *ctr,
		     char *err, size_t errlen)
{
	pthread_mutex_lock(&bus->shown_lock);
	if (ctr)
		*ctr = bus->ctr;
	if (err && errlen)
		snprintf(err, errlen, "%s", bus->last_error);
	pthread_mutex_unlock(&bus->shown_lock);
}

int lumen_i2c_transfer(struct lumen_i2c_bus *bus, struct lumen_i2c_msg *msgs,
		       int n)
{
	int ret = -EINVAL;

	if (!bus || !bus->ops || !bus->ops->transfer || !msgs || n <= 0)
		return -EINVAL;
	int retried = 0;

	for (int attempt = 0; attempt <= bus->retries; attempt++) {
		if (attempt)
			retried++;
		ret = bus->ops->transfer(bus, msgs, n);
		if (ret >= 0 || !transient(ret))
			break;
	}
	pthread_mutex_lock(&bus->shown_lock);
	bus->ctr.transfers++;
	bus->ctr.messages += (uint64_t)n;
	bus->ctr.retries += (uint64_t)retried;
	if (ret < 0) {
		bus->ctr.errors++;
		if (is_nack(ret))
			bus->ctr.nacks++;
		snprintf(bus->last_error, sizeof(bus->last_error),
			 "i2c-%d addr 0x%02x: transfer failed: %s",
			 bus->number, msgs[0].addr, strerror(-ret));
	}
	pthread_mutex_unlock(&bus->shown_lock);
	return ret < 0 ? ret : 0;
}

static int check_widths(int reg_bytes, int val_bytes)
{
	if (reg_bytes != 1 && reg_bytes != 2)
		return -EINVAL;
	if (val_bytes != 1 && val_bytes != 2 && val_bytes != 4)
		return -EINVAL;
	return 0;
}

static void reg_error(struct lumen_i2c_bus *bus, uint16_t addr, uint16_t reg,
		      int reg_bytes, const char *what, int err)
{
	lumen_i2c_set_error(bus, "i2c-%d addr 0x%02x reg 0x%0*x: %s failed: %s",
		  bus->number, addr, reg_bytes * 2, reg, what, strerror(-err));
}

int lumen_i2c_read_reg(struct lumen_i2c_bus *bus, uint16_t addr, uint16_t reg,
		       int reg_bytes, int val_bytes, uint32_t *val)
{
	uint8_t a[2], d[4];
	struct lumen_i2c_msg m[2];
	uint32_t v = 0;
	int ret;

	if (!bus || !val)
		return -EINVAL;
	ret = check_widths(reg_bytes, val_bytes);
	if (ret) {
		reg_error(bus, addr, reg, 2, "read (bad register/value width)", ret);
		return ret;
	}
	if (reg_bytes == 2) {
		a[0] = (uint8_t)(reg >> 8);
		a[1] = (uint8_t)reg;
	} else {
		a[0] = (uint8_t)reg;
	}
	m[0] = (struct lumen_i2c_msg){ addr, 0, (uint16_t)reg_bytes, a };
	m[1] = (struct lumen_i2c_msg){ addr, LUMEN_I2C_M_RD, (uint16_t)val_bytes, d };
	ret = lumen_i2c_transfer(bus, m, 2);
	if (ret) {
		reg_error(bus, addr, reg, reg_bytes, "read", ret);
		return ret;
	}
	for (int i = 0; i < val_bytes; i++)
		v = v << 8 | d[i];
	*val = v;
	return 0;
}

int lumen_i2c_write_reg(struct lumen_i2c_bus *bus, uint16_t addr,
			uint16_t reg, int reg_bytes, int val_bytes,
			uint32_t val)
{
	uint8_t b[6];
	struct lumen_i2c_msg m;
	int ret, k = 0;

	if (!bus)
		return -EINVAL;
	ret = check_widths(reg_bytes, val_bytes);
	if (ret) {
		reg_error(bus, addr, reg, 2, "write (bad register/value width)", ret);
		return ret;
	}
	if (reg_bytes == 2)
		b[k++] = (uint8_t)(reg >> 8);
	b[k++] = (uint8_t)reg;
	for (int i = val_bytes - 1; i >= 0; i--)
		b[k++] = (uint8_t)(val >> (8 * i));
	m = (struct lumen_i2c_msg){ addr, 0, (uint16_t)k, b };
	ret = lumen_i2c_transfer(bus, &m, 1);
	if (ret)
		reg_error(bus, addr, reg, reg_bytes, "write", ret);
	return ret;
}

void lumen_i2c_close(struct lumen_i2c_bus *bus)
{
	if (!bus)
		return;
	pthread_mutex_destroy(&bus->shown_lock);
	if (bus->ops && bus->ops->close)
		bus->ops->close(bus);
}

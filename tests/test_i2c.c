// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * I2C layer: the virtual backend (NACK on an empty address with the error
 * text, counters, 16-bit register protocol, retries) and the i2c-dev
 * backend's open error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "i2c/i2c.h"

/* A register-addressed test chip: 16-bit addresses, auto-increment, and a
 * number of transient failures (-EAGAIN) to give before answering. */
struct chip {
	uint8_t regs[65536];
	uint16_t ptr;
	int flaky;
};

static int chip_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct chip *c = opaque;

	if (c->flaky > 0) {
		c->flaky--;
		return -EAGAIN;
	}
	if (len < 2)
		return -EIO;
	c->ptr = (uint16_t)(buf[0] << 8 | buf[1]);
	for (size_t i = 2; i < len; i++)
		c->regs[c->ptr++] = buf[i];
	return 0;
}

static int chip_read(void *opaque, uint8_t *buf, size_t len)
{
	struct chip *c = opaque;

	for (size_t i = 0; i < len; i++)
		buf[i] = c->regs[c->ptr++];
	return 0;
}

static const struct lumen_i2c_device_ops chip_ops = { chip_write, chip_read };

static void nack_on_empty_address(void **state)
{
	struct lumen_i2c_bus *bus;
	uint32_t v = 0xdead;

	(void)state;
	assert_int_equal(lumen_i2c_virtual_create(3, &bus), 0);
	assert_string_equal(bus->backend, "virtual");
	assert_int_equal(lumen_i2c_read_reg(bus, 0x30, 0x3107, 2, 1, &v), -ENXIO);
	assert_int_equal(v, 0xdead);		/* untouched on error */
	assert_string_equal(bus->last_error,
			    "i2c-3 addr 0x30 reg 0x3107: read failed: No such device or address");
	assert_int_equal(lumen_i2c_write_reg(bus, 0x1a, 0x0100, 2, 1, 1), -ENXIO);
	assert_non_null(strstr(bus->last_error, "i2c-3 addr 0x1a reg 0x0100: write failed"));
	/* a NACK is an answer: no retries, counted as error and NACK */
	assert_int_equal(bus->ctr.transfers, 2);
	assert_int_equal(bus->ctr.messages, 3);
	assert_int_equal(bus->ctr.errors, 2);
	assert_int_equal(bus->ctr.nacks, 2);
	assert_int_equal(bus->ctr.retries, 0);
	lumen_i2c_close(bus);
}

static void register_protocol(void **state)
{
	static struct chip c;
	struct lumen_i2c_bus *bus;
	uint32_t v;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(lumen_i2c_virtual_create(0, &bus), 0);
	assert_int_equal(lumen_i2c_virtual_attach(bus, 0x30, &chip_ops, &c), 0);
	assert_int_equal(lumen_i2c_virtual_attach(bus, 0x30, &chip_ops, &c), -EBUSY);
	assert_int_equal(lumen_i2c_virtual_attach(bus, 0x80, &chip_ops, &c), -EINVAL);

	/* 16-bit register, 8-bit and 16-bit values, MSB first on the wire */
	assert_int_equal(lumen_i2c_write_reg(bus, 0x30, 0x320e, 2, 2, 0x05dc), 0);
	assert_int_equal(c.regs[0x320e], 0x05);
	assert_int_equal(c.regs[0x320f], 0xdc);
	assert_int_equal(lumen_i2c_read_reg(bus, 0x30, 0x320e, 2, 2, &v), 0);
	assert_int_equal(v, 0x05dc);
	assert_int_equal(lumen_i2c_read_reg(bus, 0x30, 0x320f, 2, 1, &v), 0);
	assert_int_equal(v, 0xdc);
	c.regs[0x10] = 0x12; c.regs[0x11] = 0x34; c.regs[0x12] = 0x56; c.regs[0x13] = 0x78;
	assert_int_equal(lumen_i2c_read_reg(bus, 0x30, 0x0010, 2, 4, &v), 0);
	assert_int_equal(v, 0x12345678);
	/* bad widths are refused before any transfer */
	assert_int_equal(lumen_i2c_read_reg(bus, 0x30, 0x0010, 3, 1, &v), -EINVAL);
	assert_int_equal(lumen_i2c_write_reg(bus, 0x30, 0x0010, 2, 3, 0), -EINVAL);
	assert_int_equal(bus->ctr.errors, 0);
	assert_int_equal(bus->ctr.transfers, 4);

	lumen_i2c_virtual_detach(bus, 0x30);
	assert_int_equal(lumen_i2c_read_reg(bus, 0x30, 0x320e, 2, 1, &v), -ENXIO);
	lumen_i2c_close(bus);
}

static void retries_counted(void **state)
{
	static struct chip c;
	struct lumen_i2c_bus *bus;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(lumen_i2c_virtual_create(1, &bus), 0);
	assert_int_equal(lumen_i2c_virtual_attach(bus, 0x30, &chip_ops, &c), 0);
	bus->retries = 2;

	c.flaky = 2;		/* two glitches, then the write goes through */
	assert_int_equal(lumen_i2c_write_reg(bus, 0x30, 0x0100, 2, 1, 1), 0);
	assert_int_equal(c.regs[0x0100], 1);
	assert_int_equal(bus->ctr.retries, 2);
	assert_int_equal(bus->ctr.errors, 0);

	c.flaky = 3;		/* more glitches than retries: the error stays */
	assert_int_equal(lumen_i2c_write_reg(bus, 0x30, 0x0100, 2, 1, 0), -EAGAIN);
	assert_int_equal(c.regs[0x0100], 1);
	assert_int_equal(bus->ctr.retries, 4);
	assert_int_equal(bus->ctr.errors, 1);
	assert_int_equal(bus->ctr.nacks, 0);
	assert_non_null(strstr(bus->last_error, "i2c-1 addr 0x30 reg 0x0100: write failed"));
	lumen_i2c_close(bus);
}

static void dev_open_missing(void **state)
{
	struct lumen_i2c_bus *bus = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(lumen_i2c_open_dev_msg(250, &bus, err, sizeof(err)), -ENOENT);
	assert_null(bus);
	assert_non_null(strstr(err, "/dev/i2c-250: cannot open: No such file or directory"));
	assert_int_equal(lumen_i2c_open_dev(250, &bus), -ENOENT);
	assert_int_equal(lumen_i2c_open_dev_msg(-1, &bus, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nack_on_empty_address),
		cmocka_unit_test(register_protocol),
		cmocka_unit_test(retries_counted),
		cmocka_unit_test(dev_open_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

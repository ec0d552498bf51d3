// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * i2c-dev backend: /dev/i2c-N of a real board. One combined transfer is one
 * ioctl(I2C_RDWR), so a register read is write(reg) + repeated start +
 * read(N) exactly as the sensor's datasheet draws it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/i2c.h>
#include <linux/i2c-dev.h>

#include "i2c/i2c.h"

#define DEV_MAX_MSGS 8	/* a register access needs 2; the kernel allows 42 */

struct dev_priv {
	int fd;
};

static int dev_transfer(struct lumen_i2c_bus *bus, struct lumen_i2c_msg *msgs,
			int n)
{
	struct dev_priv *p = bus->priv;
	struct i2c_msg km[DEV_MAX_MSGS];
	struct i2c_rdwr_ioctl_data data;

	if (n > DEV_MAX_MSGS)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		km[i].addr = msgs[i].addr;
		km[i].flags = (msgs[i].flags & LUMEN_I2C_M_RD) ? I2C_M_RD : 0;
		km[i].len = msgs[i].len;
		km[i].buf = msgs[i].buf;
	}
	data.msgs = km;
	data.nmsgs = (unsigned)n;
	if (ioctl(p->fd, I2C_RDWR, &data) < 0)
		return -errno;
	return 0;
}

static void dev_close(struct lumen_i2c_bus *bus)
{
	struct dev_priv *p = bus->priv;

	close(p->fd);
	free(bus);
}

static const struct lumen_i2c_bus_ops dev_ops = {
	.transfer = dev_transfer,
	.close = dev_close,
};

int lumen_i2c_open_dev_msg(int number, struct lumen_i2c_bus **out, char *err,
			   size_t errlen)
{
	struct lumen_i2c_bus *bus;
	struct dev_priv *p;
	char path[32];
	unsigned long funcs = 0;
	int fd, ret;

	if (number < 0 || !out) {
		if (err && errlen)
			snprintf(err, errlen, "i2c-%d: bad bus number", number);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/dev/i2c-%d", number);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open: %s%s", path,
				 strerror(-ret), ret == -ENOENT ?
				 " (no such bus, or the i2c-dev module is not loaded)" : "");
		return ret;
	}
	if (ioctl(fd, I2C_FUNCS, &funcs) == 0 && !(funcs & I2C_FUNC_I2C)) {
		if (err && errlen)
			snprintf(err, errlen, "%s: adapter cannot do combined "
				 "transfers (I2C_FUNC_I2C missing)", path);
		ret = -EOPNOTSUPP;
		goto close_fd;
	}
	bus = calloc(1, sizeof(*bus) + sizeof(*p));
	if (!bus) {
		ret = -ENOMEM;
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		goto close_fd;
	}
	p = (struct dev_priv *)(void *)(bus + 1);
	p->fd = fd;
	lumen_i2c_bus_init(bus, &dev_ops, number, "i2c-dev", p);
	*out = bus;
	return 0;

close_fd:
	close(fd);
	return ret;
}

int lumen_i2c_open_dev(int number, struct lumen_i2c_bus **out)
{
	return lumen_i2c_open_dev_msg(number, out, NULL, 0);
}

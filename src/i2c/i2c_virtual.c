// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Virtual backend: a bus with emulated devices at 7-bit addresses. Each
 * message goes to the device at its address; an address nobody answers on
 * is a NACK in the address phase (-ENXIO), as i2c-dev reports it.
 */
#include <errno.h>
#include <stdlib.h>

#include "i2c/i2c.h"

struct virt_dev {
	const struct lumen_i2c_device_ops *ops;
	void *opaque;
};

struct virt_priv {
	struct virt_dev dev[128];
};

static int virt_transfer(struct lumen_i2c_bus *bus, struct lumen_i2c_msg *msgs,
			 int n)
{
	struct virt_priv *p = bus->priv;

	for (int i = 0; i < n; i++) {
		const struct virt_dev *d;
		int ret;

		if (msgs[i].addr > 0x7f)
			return -EINVAL;
		d = &p->dev[msgs[i].addr];
		if (!d->ops)
			return -ENXIO;
		if (msgs[i].flags & LUMEN_I2C_M_RD)
			ret = d->ops->read ? d->ops->read(d->opaque, msgs[i].buf,
							  msgs[i].len) : -EIO;
		else
			ret = d->ops->write ? d->ops->write(d->opaque, msgs[i].buf,
							    msgs[i].len) : -EIO;
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void virt_close(struct lumen_i2c_bus *bus)
{
	free(bus);
}

static const struct lumen_i2c_bus_ops virt_ops = {
	.transfer = virt_transfer,
	.close = virt_close,
};

int lumen_i2c_virtual_create(int number, struct lumen_i2c_bus **out)
{
	struct lumen_i2c_bus *bus;

	if (!out || number < 0)
		return -EINVAL;
	bus = calloc(1, sizeof(*bus) + sizeof(struct virt_priv));
	if (!bus)
		return -ENOMEM;
	lumen_i2c_bus_init(bus, &virt_ops, number, "virtual", bus + 1);
	*out = bus;
	return 0;
}

int lumen_i2c_virtual_attach(struct lumen_i2c_bus *bus, uint16_t addr,
			     const struct lumen_i2c_device_ops *ops,
			     void *opaque)
{
	struct virt_priv *p;

	if (!bus || bus->ops != &virt_ops || addr > 0x7f || !ops)
		return -EINVAL;
	p = bus->priv;
	if (p->dev[addr].ops)
		return -EBUSY;
	p->dev[addr].ops = ops;
	p->dev[addr].opaque = opaque;
	return 0;
}

void lumen_i2c_virtual_detach(struct lumen_i2c_bus *bus, uint16_t addr)
{
	struct virt_priv *p;

	if (!bus || bus->ops != &virt_ops || addr > 0x7f)
		return;
	p = bus->priv;
	p->dev[addr].ops = NULL;
	p->dev[addr].opaque = NULL;
}

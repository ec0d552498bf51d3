// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen collect: the bundle for `lumen doctor` (src/collect), with the
 * test-only `--virtual MODEL`, which reads the chip ID of an emulated
 * sensor on a virtual bus instead of /dev/i2c-N.
 */
#include <errno.h>

#include "collect/collect.h"
#include "sensor/sensor.h"
#include "tools/commands.h"
#include "virt/emu_sensor.h"

static int virt_open(const char *model, struct lumen_i2c_bus **bus, void **ctx)
{
	const struct lumen_sensor_info *info = lumen_sensor_find(model);
	struct lumen_emu_sensor *emu = NULL;
	int ret;

	if (!info || lumen_emu_sensor_create(model, NULL, &emu))
		return -ENOENT;
	ret = lumen_i2c_virtual_create(0, bus);
	if (!ret)
		ret = lumen_i2c_virtual_attach(*bus, info->i2c_addr,
					       &lumen_emu_sensor_i2c_ops, emu);
	if (ret) {
		lumen_i2c_close(*bus);
		lumen_emu_sensor_destroy(emu);
		return ret;
	}
	lumen_emu_sensor_set_power(emu, true, info->mclk_hz);
	*ctx = emu;
	return 0;
}

static void virt_close(struct lumen_i2c_bus *bus, void *ctx)
{
	lumen_i2c_close(bus);
	lumen_emu_sensor_destroy(ctx);
}

int lumen_cmd_collect(int argc, char **argv)
{
	static const struct lumen_collect_virtual virt = {
		.open = virt_open,
		.close = virt_close,
		.models = "sc4336p, sc2336, imx258",
	};

	return lumen_collect_main(argc, argv, "lumen collect", &virt);
}

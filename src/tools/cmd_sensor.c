// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen sensor: talk to an image sensor over I2C, on a real board
 * (/dev/i2c-N) or on a virtual bus with an emulated chip (--virtual MODEL),
 * through the same drivers lumen runs.
 *
 *   probe           read every known driver's chip-ID registers and name
 *                   what answers
 *   read REG        one register (--val-bytes 1, 2 or 4)
 *   write REG VAL   one register
 *   dump [REG [N]]  N registers from REG; without REG, the registers the
 *                   identified driver's first mode programs, as the chip
 *                   holds them now
 *
 * Exit status: 0, 1 on an I2C or identification failure (the message names
 * bus, address and register), 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i2c/i2c.h"
#include "sensor/sensor.h"
#include "tools/commands.h"
#include "virt/emu_sensor.h"

struct opts {
	const char *action;
	int bus;
	long addr;			/* -1: each driver's default */
	const char *virt;		/* emulated model */
	const char *sensor;		/* driver for widths and address */
	int val_bytes;
	const char *args[2];
	int nargs;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lumen sensor probe|read|write|dump [--bus N] [--addr 0x30]\n"
		"                    [--virtual MODEL] [--sensor NAME] [--val-bytes 1|2|4]\n"
		"                    [REG [VAL|COUNT]]\n"
		"  --virtual MODEL  a virtual bus N with the emulated chip powered, at its\n"
		"                   default address (models:");
	for (int i = 0; lumen_sensor_table[i]; i++)
		fprintf(f, " %s", lumen_sensor_table[i]->name);
	fprintf(f, ")\n");
}

static int parse_num(const char *s, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	long v;

	memset(o, 0, sizeof(*o));
	o->addr = -1;
	o->val_bytes = 1;
	if (argc < 2)
		return -EINVAL;
	o->action = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--bus") && i + 1 < argc) {
			if (parse_num(argv[++i], 1 << 20, &v))
				return -EINVAL;
			o->bus = (int)v;
		} else if (!strcmp(a, "--addr") && i + 1 < argc) {
			if (parse_num(argv[++i], 0x7f, &o->addr))
				return -EINVAL;
		} else if (!strcmp(a, "--virtual") && i + 1 < argc) {
			o->virt = argv[++i];
		} else if (!strcmp(a, "--sensor") && i + 1 < argc) {
			o->sensor = argv[++i];
		} else if (!strcmp(a, "--val-bytes") && i + 1 < argc) {
			if (parse_num(argv[++i], 4, &v) || v == 0 || v == 3)
				return -EINVAL;
			o->val_bytes = (int)v;
		} else if (a[0] == '-' && a[1]) {
			return -EINVAL;
		} else if (o->nargs < 2) {
			o->args[o->nargs++] = a;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Reads @info's chip ID at @addr; when the ID does not match and the driver
 * has pre-probe writes, does them and reads again (some chips show their
 * ID only after them). 1 = match, 0 = something else answered (*id), or
 * the I2C error.
 */
static int try_driver(struct lumen_i2c_bus *bus, uint16_t addr,
		      const struct lumen_sensor_info *info, uint16_t *id)
{
	struct lumen_sensor s;
	int ret = lumen_sensor_read_chip_id(bus, addr, info, id);

	if (!ret && *id != info->chip_id && info->npre_probe) {
		lumen_sensor_bind(&s, info, bus, addr);
		ret = lumen_sensor_write_table(&s, info->pre_probe, info->npre_probe);
		if (!ret)
			ret = lumen_sensor_read_chip_id(bus, addr, info, id);
	}
	if (ret)
		return ret;
	return *id == info->chip_id;
}

static uint16_t addr_for(const struct opts *o, const struct lumen_sensor_info *info)
{
	return o->addr >= 0 ? (uint16_t)o->addr : info->i2c_addr;
}

/* probe: every driver at its address (or --addr); prints each chip found. */
static int do_probe(struct lumen_i2c_bus *bus, const struct opts *o)
{
	char why[512] = "";
	int nfound = 0;

	for (int i = 0; lumen_sensor_table[i]; i++) {
		const struct lumen_sensor_info *info = lumen_sensor_table[i];
		uint16_t a = addr_for(o, info), id = 0;
		int ret = try_driver(bus, a, info, &id);

		if (ret == 1) {
			printf("%s (%s) chip id 0x%04x at i2c-%d 0x%02x\n", info->name,
			       info->vendor, id, bus->number, a);
			nfound++;
		} else if (ret == 0) {
			snprintf(why, sizeof(why), "i2c-%d addr 0x%02x reg 0x%04x: "
				 "chip id 0x%04x matches no known sensor",
				 bus->number, a, info->chip_id_reg[0], id);
		} else if (!why[0] || ret != -ENXIO) {
			snprintf(why, sizeof(why), "%s", bus->last_error);
		}
	}
	if (nfound)
		return 0;
	fprintf(stderr, "lumen sensor: no sensor found: %s\n", why);
	return 1;
}

/* The driver whose widths and address read/write/dump use. */
static int pick_driver(struct lumen_i2c_bus *bus, const struct opts *o,
		       const struct lumen_sensor_info **out)
{
	const char *name = o->sensor ? o->sensor : o->virt;

	if (name) {
		*out = lumen_sensor_find(name);
		if (!*out) {
			fprintf(stderr, "lumen sensor: unknown sensor '%s'\n", name);
			return 2;
		}
		return 0;
	}
	for (int i = 0; lumen_sensor_table[i]; i++) {
		uint16_t id;

		if (try_driver(bus, addr_for(o, lumen_sensor_table[i]),
			       lumen_sensor_table[i], &id) == 1) {
			*out = lumen_sensor_table[i];
			return 0;
		}
	}
	if (o->addr >= 0) {
		/* an unknown chip: the common 16-bit address, 8-bit data */
		*out = NULL;
		return 0;
	}
	fprintf(stderr, "lumen sensor: no known sensor answers (give --addr or "
		"--sensor): %s\n", bus->last_error);
	return 1;
}

static int do_access(struct lumen_i2c_bus *bus, const struct opts *o)
{
	const struct lumen_sensor_info *info = NULL;
	int reg_bytes, ret;
	uint16_t a;
	long reg = -1, val = 0;

	ret = pick_driver(bus, o, &info);
	if (ret)
		return ret;
	a = info ? addr_for(o, info) : (uint16_t)o->addr;
	reg_bytes = info ? info->reg_bytes : 2;
	if (o->nargs >= 1 && parse_num(o->args[0], reg_bytes == 2 ? 0xffff : 0xff, &reg)) {
		fprintf(stderr, "lumen sensor: bad register '%s'\n", o->args[0]);
		return 2;
	}

	if (!strcmp(o->action, "read") || !strcmp(o->action, "write")) {
		bool wr = o->action[0] == 'w';
		uint32_t v;

		if (o->nargs != (wr ? 2 : 1)) {
			usage(stderr);
			return 2;
		}
		if (wr && parse_num(o->args[1], o->val_bytes == 4 ? 0x7fffffffL :
				    (1L << (8 * o->val_bytes)) - 1, &val)) {
			fprintf(stderr, "lumen sensor: bad value '%s'\n", o->args[1]);
			return 2;
		}
		if (wr)
			ret = lumen_i2c_write_reg(bus, a, (uint16_t)reg, reg_bytes,
						  o->val_bytes, (uint32_t)val);
		else
			ret = lumen_i2c_read_reg(bus, a, (uint16_t)reg, reg_bytes,
						 o->val_bytes, &v);
		if (ret) {
			fprintf(stderr, "lumen sensor: %s\n", bus->last_error);
			return 1;
		}
		if (!wr)
			printf("0x%0*lx = 0x%0*x\n", reg_bytes * 2, reg,
			       o->val_bytes * 2, v);
		return 0;
	}

	/* dump */
	if (reg < 0) {
		const struct lumen_sensor_mode *m;

		if (!info) {
			fprintf(stderr, "lumen sensor: dump without REG needs a known sensor\n");
			return 2;
		}
		m = &info->modes[0];
		printf("# %s: registers of mode %s as the chip holds them\n",
		       info->name, m->name);
		for (size_t i = 0; i < m->ninit; i++) {
			uint32_t v;

			if (m->init[i].reg == LUMEN_REG_DELAY)
				continue;
			ret = lumen_i2c_read_reg(bus, a, m->init[i].reg, reg_bytes, 1, &v);
			if (ret) {
				fprintf(stderr, "lumen sensor: %s\n", bus->last_error);
				return 1;
			}
			printf("0x%04x = 0x%02x%s\n", m->init[i].reg, v,
			       v != m->init[i].val ? "  (table: differs)" : "");
		}
		return 0;
	}
	if (o->nargs == 2 && (parse_num(o->args[1], 4096, &val) || !val)) {
		fprintf(stderr, "lumen sensor: bad count '%s'\n", o->args[1]);
		return 2;
	}
	if (o->nargs < 2)
		val = 16;
	for (long i = 0; i < val; i++) {
		uint32_t v;

		if (reg + i > 0xffff)
			break;
		ret = lumen_i2c_read_reg(bus, a, (uint16_t)(reg + i), reg_bytes, 1, &v);
		if (ret) {
			fprintf(stderr, "lumen sensor: %s\n", bus->last_error);
			return 1;
		}
		if (i % 16 == 0)
			printf("%s0x%04lx:", i ? "\n" : "", reg + i);
		printf(" %02x", v);
	}
	printf("\n");
	return 0;
}

int lumen_cmd_sensor(int argc, char **argv)
{
	struct opts o;
	struct lumen_i2c_bus *bus = NULL;
	struct lumen_emu_sensor *emu = NULL;
	const struct lumen_sensor_info *vinfo = NULL;
	char err[256];
	int ret;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (parse(argc, argv, &o) || (strcmp(o.action, "probe") && strcmp(o.action, "read") &&
				      strcmp(o.action, "write") && strcmp(o.action, "dump")) ||
	    (!strcmp(o.action, "probe") && o.nargs)) {
		usage(stderr);
		return 2;
	}
	if (o.virt) {
		vinfo = lumen_sensor_find(o.virt);
		if (!vinfo || lumen_emu_sensor_create(o.virt, NULL, &emu)) {
			fprintf(stderr, "lumen sensor: unknown emulated model '%s'\n", o.virt);
			usage(stderr);
			return 2;
		}
		ret = lumen_i2c_virtual_create(o.bus, &bus);
		if (!ret)
			ret = lumen_i2c_virtual_attach(bus, vinfo->i2c_addr,
						       &lumen_emu_sensor_i2c_ops, emu);
		if (ret) {
			fprintf(stderr, "lumen sensor: virtual bus: %s\n", strerror(-ret));
			ret = 1;
			goto out;
		}
		lumen_emu_sensor_set_power(emu, true, vinfo->mclk_hz);
	} else {
		ret = lumen_i2c_open_dev_msg(o.bus, &bus, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "lumen sensor: %s\n", err);
			return 1;
		}
	}
	ret = !strcmp(o.action, "probe") ? do_probe(bus, &o) : do_access(bus, &o);
out:
	lumen_i2c_close(bus);
	lumen_emu_sensor_destroy(emu);
	return ret;
}

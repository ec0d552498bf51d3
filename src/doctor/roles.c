// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which part of a camera pipeline a kernel driver is: the table generated
 * by scripts/gen_doctor_roles.py from the kernel's and vendors' driver
 * sources into data/doctor/roles.tsv, compiled in (roles_table.c, made
 * from the TSV at build time), then the device's own name as the device
 * tree spells it ("fe801000.csi", "ac6a000.csiphy", "3f804000.i2c").
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor/internal.h"

static const char *const role_names[EV_ROLE_COUNT] = {
	"none", "sensor", "receiver", "isp", "capture", "i2c", "power",
	"encoder", "memory",
};

const char *ev_role_name(enum ev_role r)
{
	return (unsigned)r < EV_ROLE_COUNT ? role_names[r] : "?";
}

int ev_role_parse(const char *name)
{
	for (int i = 0; i < EV_ROLE_COUNT; i++)
		if (!strcmp(name, role_names[i]))
			return i;
	return -1;
}

static int cmp_entry(const void *k, const void *e)
{
	return strcmp(k, ((const struct ev_role_entry *)e)->name);
}

/* Lower case, '_' as '-': the module and the driver spellings meet. */
static void canon(char *dst, size_t size, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < size; i++)
		dst[i] = s[i] == '_' ? '-' : (char)tolower((unsigned char)s[i]);
	dst[i] = '\0';
}

enum ev_role ev_role_of_driver(const char *s, size_t n)
{
	char key[64];
	const struct ev_role_entry *e;

	if (!n || n >= sizeof(key))
		return EV_ROLE_NONE;
	canon(key, sizeof(key), s, n);
	e = bsearch(key, ev_role_table, ev_role_table_len, sizeof(ev_role_table[0]),
		    cmp_entry);
	return e ? (enum ev_role)e->role : EV_ROLE_NONE;
}

/* Device-tree node names (the part after the unit address) by role. */
static const struct {
	const char *suffix;
	enum ev_role role;
} dev_suffixes[] = {
	{ "csi", EV_ROLE_RECEIVER }, { "csi2", EV_ROLE_RECEIVER },
	{ "csiphy", EV_ROLE_RECEIVER }, { "mipi-csi", EV_ROLE_RECEIVER },
	{ "mipi", EV_ROLE_RECEIVER }, { "csid", EV_ROLE_RECEIVER },
	{ "dphy", EV_ROLE_RECEIVER }, { "phy", EV_ROLE_RECEIVER },
	{ "unicam", EV_ROLE_RECEIVER }, { "isp", EV_ROLE_ISP },
	{ "vfe", EV_ROLE_CAPTURE }, { "vi", EV_ROLE_CAPTURE },
	{ "vin", EV_ROLE_CAPTURE }, { "cif", EV_ROLE_CAPTURE },
	{ "rkcif", EV_ROLE_CAPTURE }, { "camss", EV_ROLE_RECEIVER },
	{ "i2c", EV_ROLE_I2C }, { "cci", EV_ROLE_I2C },
	{ "vpu", EV_ROLE_ENCODER }, { "venc", EV_ROLE_ENCODER },
	{ "video-codec", EV_ROLE_ENCODER }, { "codec", EV_ROLE_ENCODER },
	{ "jpeg", EV_ROLE_ENCODER }, { "clock-controller", EV_ROLE_POWER },
	{ "gpio", EV_ROLE_POWER }, { "pinctrl", EV_ROLE_POWER },
};

enum ev_role ev_role_of_device(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);
	char key[48];

	if (!dot)
		return EV_ROLE_NONE;
	canon(key, sizeof(key), dot + 1, n - (size_t)(dot + 1 - s));
	/* "csi1", "i2c3", "isp0": the trailing instance number goes */
	for (size_t k = strlen(key); k > 1 && isdigit((unsigned char)key[k - 1]); k--)
		key[k - 1] = '\0';
	for (size_t i = 0; i < sizeof(dev_suffixes) / sizeof(dev_suffixes[0]); i++)
		if (!strcmp(key, dev_suffixes[i].suffix))
			return dev_suffixes[i].role;
	return EV_ROLE_NONE;
}

/* Words inside driver names the table does not know (vendor kernels):
 * "rkcif-mipi-lvds", "tegra-camrtc-capture-vi", "mxc-mipi-csi2". Checked
 * in this order, so a name with both a receiver and a capture word is a
 * receiver. */
static const struct {
	const char *word;
	enum ev_role role;
} name_words[] = {
	{ "csi", EV_ROLE_RECEIVER }, { "csi2", EV_ROLE_RECEIVER },
	{ "mipi", EV_ROLE_RECEIVER }, { "csiphy", EV_ROLE_RECEIVER },
	{ "dphy", EV_ROLE_RECEIVER }, { "csid", EV_ROLE_RECEIVER },
	{ "csis", EV_ROLE_RECEIVER }, { "unicam", EV_ROLE_RECEIVER },
	{ "cfe", EV_ROLE_RECEIVER }, { "lvds", EV_ROLE_RECEIVER },
	{ "isp", EV_ROLE_ISP }, { "isp1", EV_ROLE_ISP }, { "vfe", EV_ROLE_ISP },
	{ "rkisp", EV_ROLE_ISP }, { "rkaiq", EV_ROLE_ISP }, { "aiq", EV_ROLE_ISP },
	{ "mpp", EV_ROLE_ENCODER },
	{ "pisp", EV_ROLE_ISP }, { "vpss", EV_ROLE_ISP },
	{ "venc", EV_ROLE_ENCODER }, { "codec", EV_ROLE_ENCODER },
	{ "vpu", EV_ROLE_ENCODER }, { "jpeg", EV_ROLE_ENCODER },
	{ "h264", EV_ROLE_ENCODER }, { "enc", EV_ROLE_ENCODER },
	{ "i2c", EV_ROLE_I2C }, { "cci", EV_ROLE_I2C }, { "sccb", EV_ROLE_I2C },
	{ "cma", EV_ROLE_MEMORY }, { "ion", EV_ROLE_MEMORY }, { "mmz", EV_ROLE_MEMORY },
	{ "vi", EV_ROLE_CAPTURE }, { "vin", EV_ROLE_CAPTURE }, { "cif", EV_ROLE_CAPTURE },
	{ "rkcif", EV_ROLE_CAPTURE }, { "capture", EV_ROLE_CAPTURE },
	{ "vicap", EV_ROLE_CAPTURE }, { "camera", EV_ROLE_CAPTURE },
	{ "cam", EV_ROLE_CAPTURE }, { "video", EV_ROLE_CAPTURE },
	{ "sensor", EV_ROLE_SENSOR },
	{ "clk", EV_ROLE_POWER }, { "regulator", EV_ROLE_POWER },
	{ "pmic", EV_ROLE_POWER }, { "gpio", EV_ROLE_POWER },
};

/* Sensor and bridge chips are named by their maker's prefix and a part
 * number ("imx708", "ov5647", "sc2336", "gc2053", "tc358743"); a driver
 * so named that the table lacks (a vendor tree's) is taken as one. */
static const char *const chip_prefixes[] = {
	"imx", "ov", "os", "sc", "gc", "ar", "mt9", "jx", "hm", "hi", "s5k", "bf",
	"sp", "mis", "ps", "tc", "adv", "max", "ds90ub", "lt", "irs", "ox", "gs",
};

static bool chip_name(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(chip_prefixes) / sizeof(chip_prefixes[0]); i++) {
		size_t len = strlen(chip_prefixes[i]), d = 0;

		if (n <= len || strncasecmp(s, chip_prefixes[i], len))
			continue;
		while (len + d < n && isdigit((unsigned char)s[len + d]))
			d++;
		if (d >= 3)
			return true;
	}
	return false;
}

enum ev_role ev_role_of_words(const char *s, size_t n)
{
	if (chip_name(s, n))
		return EV_ROLE_SENSOR;
	for (size_t w = 0; w < sizeof(name_words) / sizeof(name_words[0]); w++) {
		size_t len = strlen(name_words[w].word);

		for (size_t i = 0; i + len <= n; i++) {
			if (strncasecmp(s + i, name_words[w].word, len))
				continue;
			if ((i == 0 || !isalpha((unsigned char)s[i - 1])) &&
			    (i + len == n || !isalpha((unsigned char)s[i + len])))
				return name_words[w].role;
		}
	}
	return EV_ROLE_NONE;
}

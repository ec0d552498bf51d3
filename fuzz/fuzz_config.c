// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the `lumen serve` configuration parser. A failure
 * must carry a message naming the input; a success must be a configuration
 * that passes its own checks and whose every key reads back into a value
 * that lumen_config_set accepts unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lumen_config c, d;
	char err[256] = "", v[LUMEN_CFG_PATH + 8];
	static char json[16384];

	if (lumen_config_parse((const char *)data, size, "fuzz.yaml", &c, err,
			       sizeof(err))) {
		if (strncmp(err, "fuzz.yaml", 9))
			abort();
		return 0;
	}
	if (lumen_config_validate(&c, err, sizeof(err)))
		abort();
	d = c;
	for (size_t i = 0; i < lumen_config_nkeys; i++) {
		if (lumen_config_keys[i].flags & LUMEN_CFG_GONE)
			continue;	/* removed keys: never read back */
		if (lumen_config_get(&c, lumen_config_keys[i].path, v, sizeof(v)) ||
		    lumen_config_set(&d, lumen_config_keys[i].path, v, err, sizeof(err)) < 0)
			abort();
	}
	if (memcmp(&c, &d, sizeof(c)))
		abort();
	if (lumen_config_to_json(&c, json, sizeof(json)) >= sizeof(json))
		abort();
	return 0;
}

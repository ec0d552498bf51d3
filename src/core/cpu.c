// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/cpu.h"

#include <stdlib.h>

static unsigned allowed_mask = ~0u;
static int mask_from_env_done;

void lumen_cpu_set_mask(unsigned allowed)
{
	allowed_mask = allowed;
	mask_from_env_done = 1;
}

unsigned lumen_cpu_flags(void)
{
	if (!mask_from_env_done) {
		const char *env = getenv("LUMEN_CPU_MASK");

		if (env && *env)
			allowed_mask = (unsigned)strtoul(env, NULL, 16);
		mask_from_env_done = 1;
	}
	return lumen_cpu_detect_arch() & allowed_mask;
}

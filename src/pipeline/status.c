// SPDX-License-Identifier: GPL-2.0-or-later
#include "pipeline/status.h"

#include <stdio.h>
#include <string.h>

void lumen_status_extra(struct lumen_stage_status *s, const char *key,
			int64_t value)
{
	if (s->nextra >= LUMEN_STATUS_MAX_EXTRA)
		return;
	snprintf(s->extra[s->nextra].key, sizeof(s->extra[0].key), "%s", key);
	s->extra[s->nextra].value = value;
	s->nextra++;
}

int64_t lumen_status_get(const struct lumen_stage_status *s, const char *key,
			 int64_t fallback)
{
	for (int i = 0; i < s->nextra; i++)
		if (!strcmp(s->extra[i].key, key))
			return s->extra[i].value;
	return fallback;
}

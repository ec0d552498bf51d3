// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What `lumen doctor --url` reads from the network: the HTTP reply framing
 * (lumen_http_response_split), the stage table in the body
 * (lumen_status_parse) and the difference of two snapshots; plus the URL
 * splitter on the input as a NUL-terminated string. None may crash, read
 * out of bounds or return more stages than asked for.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_get.h"
#include "pipeline/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lumen_stage_status a[8], b[8], d[8];
	char *text = malloc(size + 1), err[128];
	struct lumen_url u;
	size_t off = 0;
	int status, na, nb;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	lumen_url_parse(text, &u, err, sizeof(err));
	if (lumen_http_response_split(text, size, &status, &off) == 0 &&
	    (off > size || status < 100 || status > 999))
		abort();
	na = lumen_status_parse(text + off, size - off, a, 8);
	nb = lumen_status_parse(text, size, b, 4);
	if (na > 8 || nb > 4)
		abort();
	if (na > 0 && nb > 0)
		lumen_status_delta(a, na, b, nb, d);
	free(text);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the sidecar/config parser (src/io/sidecar.c): all
 * four dialects are recognised by content, so one entry point covers them.
 * Invariants checked beyond "no crash, no sanitizer report": a failure
 * always leaves a message, and a parsed format survives the validation and
 * size arithmetic the reader applies to it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/raw_read.h"
#include "io/sidecar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lumen_raw_format f, g;
	enum lumen_sidecar_dialect d;
	char err[256], note[256];
	int ret;

	lumen_raw_format_init(&f);
	err[0] = '\0';
	ret = lumen_sidecar_parse("fuzz.yaml", (const char *)data, size, &f, &d,
				  err, sizeof(err));
	if (ret) {
		if (!err[0] || ret > 0)
			abort();
		return 0;
	}
	if (!lumen_sidecar_dialect_name(d))
		abort();
	g = f;
	err[0] = '\0';
	if (lumen_raw_format_check(&g, "fuzz.raw", err, sizeof(err)) == 0) {
		if (lumen_raw_format_file_size(&g) <= 0 || g.bits < 1 || g.bits > 16 ||
		    g.white > (1u << g.bits) - 1 || (g.width | g.height) & 1)
			abort();
	} else if (!err[0]) {
		abort();
	}
	/* the size guess must never produce a format the checker would crash on */
	if (lumen_raw_format_fit_size(&f, (long long)size * 997, "fuzz.raw", note,
				      sizeof(note)) == 1) {
		g = f;
		(void)lumen_raw_format_check(&g, "fuzz.raw", err, sizeof(err));
	}
	return 0;
}

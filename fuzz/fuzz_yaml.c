// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the one YAML reader (src/core/yaml_doc.c) and the
 * five loaders on it: each input goes to board, tuning, serve config,
 * doctor knowledge base and sidecar, all from the buffer. Invariants beyond
 * "no crash, no sanitizer report, no leak":
 *   - a failure is a negative errno with a message that starts with the
 *     input's name, and a "name:LINE:" in it names a line the input has;
 *   - a success leaves what each loader promises (a board with its name and
 *     path, a lens-shading grid within bounds, a config that validates).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "doctor/doctor.h"
#include "io/raw_read.h"
#include "io/sidecar.h"
#include "io/tuning.h"
#include "serve/config.h"

#define NAME "fuzz.yaml"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless @ret/@err describe a failure of input @data as promised. */
static void check_failure(int ret, const char *err, const uint8_t *data, size_t size)
{
	size_t lines = 1;
	char *end;
	long line;

	if (ret >= 0 || strncmp(err, NAME, sizeof(NAME) - 1))
		abort();
	if (err[sizeof(NAME) - 1] != ':')
		abort();
	if (err[sizeof(NAME)] < '0' || err[sizeof(NAME)] > '9')
		return;		/* "name: why", no line */
	line = strtol(err + sizeof(NAME), &end, 10);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (*end != ':' || line < 1 || (size_t)line > lines)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lumen_tuning t;
	const char *text = (const char *)data;
	struct lumen_doctor_kb *kb = NULL;
	enum lumen_sidecar_dialect d;
	struct lumen_raw_format f;
	struct lumen_config c;
	struct lumen_board b;
	char err[512];
	int ret;

	err[0] = 0;
	ret = lumen_board_parse(NAME, text, size, NULL, &b, err, sizeof(err));
	if (ret)
		check_failure(ret, err, data, size);
	else if (!b.name[0] || strcmp(b.path, NAME) || b.lanes < 1 || b.lanes > 4)
		abort();

	err[0] = 0;
	ret = lumen_tuning_parse(NAME, text, size, &t, err, sizeof(err));
	if (ret)
		check_failure(ret, err, data, size);
	else if (t.lsc_w * t.lsc_h > LUMEN_TUNING_LSC_MAX || t.lsc_w < 0 || t.lsc_h < 0)
		abort();

	err[0] = 0;
	ret = lumen_config_parse(text, size, NAME, &c, err, sizeof(err));
	if (ret)
		check_failure(ret, err, data, size);
	else if (lumen_config_validate(&c, err, sizeof(err)))
		abort();

	err[0] = 0;
	ret = lumen_doctor_kb_parse(NAME, text, size, &kb, err, sizeof(err));
	if (ret) {
		check_failure(ret, err, data, size);
		if (kb)
			abort();
	}
	lumen_doctor_kb_free(kb);

	err[0] = 0;
	lumen_raw_format_init(&f);
	ret = lumen_sidecar_parse(NAME, text, size, &f, &d, err, sizeof(err));
	if (ret)
		check_failure(ret, err, data, size);
	return 0;
}

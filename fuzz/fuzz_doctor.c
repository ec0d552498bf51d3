// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the doctor's evidence parsers (src/doctor/ev_*.c,
 * evidence.c) together with the knowledge base's line patterns and the
 * diagnosis: one input is one pasted evidence text. Beyond "no crash, no
 * sanitizer report" it checks what the report promises: the first broken
 * stage is broken and nothing before it is, counts stay within their
 * arrays, and the JSON holds no raw control byte.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor.h"
#include "doctor/doctor_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lumen_doctor_kb *kb;
static struct lumen_doctor_report report;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lumen_doctor_evidence *ev;
	char err[256], *json = NULL;
	size_t len = 0;
	FILE *f;

	if (!kb && lumen_doctor_kb_load(LUMEN_DOCTOR_KB_SOURCE, &kb, err, sizeof(err))) {
		fprintf(stderr, "fuzz_doctor: %s\n", err);
		abort();
	}
	if (lumen_doctor_evidence_new(kb, &ev))
		return 0;
	lumen_doctor_evidence_add_text(ev, "fuzz", (const char *)data, size);
	lumen_doctor_diagnose(kb, ev, &report);
	if (report.first_broken >= LUMEN_STAGE_COUNT || report.ncauses > LUMEN_DOCTOR_CAUSES ||
	    report.nruled_out > LUMEN_DOCTOR_CAUSES || report.nnotes > 8)
		abort();
	if (report.first_broken >= 0 &&
	    report.stages[report.first_broken].verdict != LUMEN_VERDICT_BROKEN)
		abort();
	for (int i = 0; report.first_broken >= 0 && i < report.first_broken; i++)
		if (report.stages[i].verdict == LUMEN_VERDICT_BROKEN)
			abort();
	f = open_memstream(&json, &len);
	if (f) {
		lumen_doctor_report_json(&report, f);
		fclose(f);
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)json[i] < 0x20 && json[i] != '\n')
				abort();
		free(json);
	}
	lumen_doctor_evidence_free(ev);
	return 0;
}

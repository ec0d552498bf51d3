// SPDX-License-Identifier: GPL-2.0-or-later
/* The doctor's report as text for people and as JSON for tools. */
#include <stdio.h>
#include <string.h>

#include "doctor/internal.h"

static void print_quotes(FILE *out, const char *indent,
			 const struct lumen_doctor_quote *q, int n)
{
	for (int i = 0; i < n; i++)
		fprintf(out, "%s%s  %s\n", indent, q[i].where, q[i].text);
}

void lumen_doctor_report_print(const struct lumen_doctor_report *r, FILE *out)
{
	fprintf(out, "lumen doctor: %zu lines (%zu bytes) of evidence read\n",
		r->lines, r->bytes);
	if (r->input_notes[0])
		fprintf(out, "note: %s\n", r->input_notes);
	fprintf(out, "\n%-9s %-8s %s\n", "stage", "verdict", "why");
	for (int i = 0; i < LUMEN_STAGE_COUNT; i++) {
		const struct lumen_doctor_stage_result *s = &r->stages[i];

		fprintf(out, "%-9s %-8s %s\n", lumen_doctor_stage_name(i),
			lumen_doctor_verdict_name(s->verdict),
			s->verdict == LUMEN_VERDICT_UNKNOWN ? "(no evidence)" : s->why);
		print_quotes(out, "            | ", s->quotes, s->nquotes);
	}
	if (r->first_broken < 0)
		fprintf(out, "\nfirst broken stage: none found%s\n",
			r->stages[0].verdict == LUMEN_VERDICT_UNKNOWN ||
			r->stages[LUMEN_STAGE_COUNT - 1].verdict != LUMEN_VERDICT_OK ?
			" (the evidence does not show every stage)" : "");
	else
		fprintf(out, "\nfirst broken stage: %s (confidence %s%s%s%s)\n",
			lumen_doctor_stage_name(r->first_broken), r->confidence,
			!strcmp(r->basis, "prior") ?
			", from the words: no line names a stage" : "",
			r->alt_stage >= 0 ? "; next candidate " : "",
			r->alt_stage >= 0 ? lumen_doctor_stage_name(r->alt_stage) : "");
	if (r->ncauses)
		fprintf(out, "\nlikely causes, most likely first:\n");
	for (int i = 0; i < r->ncauses; i++) {
		const struct lumen_doctor_cause *c = &r->causes[i];

		fprintf(out, "\n%2d. [%s] %s  (score %d)\n", i + 1,
			lumen_doctor_stage_name(c->stage), c->summary, c->score);
		if (c->nquotes) {
			fprintf(out, "    evidence:\n");
			print_quotes(out, "      ", c->quotes, c->nquotes);
		}
		fprintf(out, "    fix:  %s\n", c->fix);
		if (c->next[0])
			fprintf(out, "    next: %s\n", c->next);
		fprintf(out, "    source: %s\n", c->source);
	}
	if (r->nruled_out) {
		fprintf(out, "\nruled out:\n");
		for (int i = 0; i < r->nruled_out; i++) {
			const struct lumen_doctor_cause *c = &r->ruled_out[i];

			fprintf(out, "  - [%s] %s\n      %s\n",
				lumen_doctor_stage_name(c->stage), c->summary, c->next);
			print_quotes(out, "        ", c->quotes, c->nquotes > 2 ? 2 : c->nquotes);
		}
	}
	if (r->nnotes) {
		fprintf(out, "\nnotes:\n");
		for (int i = 0; i < r->nnotes; i++)
			fprintf(out, "  - %s\n", r->notes[i]);
	}
}

/* Length of the valid UTF-8 sequence at @s, 0 when invalid. */
static int utf8_len(const unsigned char *s)
{
	int n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 :
		s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : 0;

	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A JSON string; bytes that are not UTF-8 (pasted binary) become U+FFFD. */
static void json_str(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			fprintf(out, "\\%c", c);
		} else if (c == '\n') {
			fputs("\\n", out);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
		} else if (c >= 0x80) {
			int n = utf8_len(s);

			if (!n) {
				fputs("\\ufffd", out);
				s++;
				continue;
			}
			fwrite(s, 1, (size_t)n, out);
			s += n;
			continue;
		} else {
			fputc(c, out);
		}
		s++;
	}
	fputc('"', out);
}

static void json_quotes(FILE *out, const struct lumen_doctor_quote *q, int n)
{
	fputc('[', out);
	for (int i = 0; i < n; i++) {
		char line[300];

		snprintf(line, sizeof(line), "%s: %s", q[i].where, q[i].text);
		if (i)
			fputs(", ", out);
		json_str(out, line);
	}
	fputc(']', out);
}

static void json_cause(FILE *out, const struct lumen_doctor_cause *c,
		       bool ruled_out)
{
	fputs("{\"id\": ", out);
	json_str(out, c->id);
	fputs(", \"stage\": ", out);
	json_str(out, lumen_doctor_stage_name(c->stage));
	if (!ruled_out)
		fprintf(out, ", \"score\": %d", c->score);
	fputs(", \"summary\": ", out);
	json_str(out, c->summary);
	fputs(", \"evidence\": ", out);
	json_quotes(out, c->quotes, c->nquotes);
	if (ruled_out) {
		fputs(", \"reason\": ", out);
		json_str(out, c->next);
	} else {
		fputs(", \"fix\": ", out);
		json_str(out, c->fix);
		fputs(", \"next\": ", out);
		json_str(out, c->next);
	}
	fputs(", \"source\": ", out);
	json_str(out, c->source);
	fputc('}', out);
}

void lumen_doctor_report_json(const struct lumen_doctor_report *r, FILE *out)
{
	fputs("{\n  \"first_broken_stage\": ", out);
	if (r->first_broken < 0)
		fputs("null", out);
	else
		json_str(out, lumen_doctor_stage_name(r->first_broken));
	fputs(",\n  \"confidence\": ", out);
	if (r->confidence[0])
		json_str(out, r->confidence);
	else
		fputs("null", out);
	fputs(",\n  \"alt_stage\": ", out);
	if (r->alt_stage < 0)
		fputs("null", out);
	else
		json_str(out, lumen_doctor_stage_name(r->alt_stage));
	fputs(",\n  \"basis\": ", out);
	if (r->basis[0])
		json_str(out, r->basis);
	else
		fputs("null", out);
	fputs(",\n  \"stages\": [", out);
	for (int i = 0; i < LUMEN_STAGE_COUNT; i++) {
		const struct lumen_doctor_stage_result *s = &r->stages[i];

		fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
		json_str(out, lumen_doctor_stage_name(i));
		fputs(", \"verdict\": ", out);
		json_str(out, lumen_doctor_verdict_name(s->verdict));
		fputs(", \"why\": ", out);
		json_str(out, s->verdict == LUMEN_VERDICT_UNKNOWN ? "" : s->why);
		fputs(", \"evidence\": ", out);
		json_quotes(out, s->quotes, s->nquotes);
		fputc('}', out);
	}
	fputs("\n  ],\n  \"causes\": [", out);
	for (int i = 0; i < r->ncauses; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		json_cause(out, &r->causes[i], false);
	}
	fputs(r->ncauses ? "\n  ],\n  \"ruled_out\": [" : "],\n  \"ruled_out\": [", out);
	for (int i = 0; i < r->nruled_out; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		json_cause(out, &r->ruled_out[i], true);
	}
	fputs(r->nruled_out ? "\n  ],\n  \"notes\": [" : "],\n  \"notes\": [", out);
	for (int i = 0; i < r->nnotes; i++) {
		if (i)
			fputs(", ", out);
		json_str(out, r->notes[i]);
	}
	fprintf(out, "],\n  \"input\": {\"bytes\": %zu, \"lines\": %zu, \"notes\": ",
		r->bytes, r->lines);
	json_str(out, r->input_notes);
	fputs("}\n}\n", out);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lumen doctor: from evidence (logs, /proc dumps, tool output pasted in one
 * text file, or a directory of such files) to a verdict per pipeline stage,
 * the first broken stage, and ranked causes with the lines that prove them.
 *
 * Three parts, each usable alone:
 *   - evidence (evidence.c + ev_*.c): reads text, recognises each section
 *     by its content, and keeps a bounded set of named facts
 *     ("csi.frames_seen" = 0, "sensor.chip_id" = 0x9c42, ...) each with the
 *     quoted lines that set it;
 *   - the knowledge base (kb.c, data/doctor/kb.yaml): line patterns ->
 *     facts, signals (facts -> stage ok/broken), causes (facts -> ranked
 *     explanation with fix and source);
 *   - diagnosis and report (diagnose.c, report.c).
 *
 * Contracts: every function that reads user input reports a failure as a
 * negative errno plus a one-line message in the caller's (err, errlen).
 * Memory is bounded whatever the input: at most LUMEN_DOCTOR_MAX_BYTES of
 * evidence text are read (the rest is noted as truncated), facts and quotes
 * have fixed caps. Handles are used by one thread.
 */
#ifndef LUMEN_DOCTOR_DOCTOR_H
#define LUMEN_DOCTOR_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Pipeline order; the report walks it left to right. */
enum lumen_doctor_stage {
	LUMEN_STAGE_POWER,
	LUMEN_STAGE_I2C,
	LUMEN_STAGE_SENSOR,
	LUMEN_STAGE_LINK,	/* PHY, lanes, pad routing, pinmux */
	LUMEN_STAGE_RECEIVER,	/* CSI receiver, link validation */
	LUMEN_STAGE_VIF,
	LUMEN_STAGE_ISP,
	LUMEN_STAGE_DMA,
	LUMEN_STAGE_ENCODER,
	LUMEN_STAGE_STREAMER,
	LUMEN_STAGE_COUNT
};

enum lumen_doctor_verdict {
	LUMEN_VERDICT_UNKNOWN,
	LUMEN_VERDICT_OK,
	LUMEN_VERDICT_BROKEN,
};

const char *lumen_doctor_stage_name(enum lumen_doctor_stage s);
/* -1 when @name is not a stage name. */
int lumen_doctor_stage_parse(const char *name);
const char *lumen_doctor_verdict_name(enum lumen_doctor_verdict v);

/* Evidence text read at most (per evidence set); more is noted, not read. */
#define LUMEN_DOCTOR_MAX_BYTES (16u << 20)

struct lumen_doctor_kb;
struct lumen_doctor_evidence;

/* ---------------------------------------------------------------- KB */

/*
 * Loads and checks a knowledge base file; every error names file:line and
 * the key. Regexes are compiled here (POSIX extended).
 */
int lumen_doctor_kb_load(const char *path, struct lumen_doctor_kb **out,
			 char *err, size_t errlen);
/* The same from memory; @name is used in messages. */
int lumen_doctor_kb_parse(const char *name, const char *text, size_t len,
			  struct lumen_doctor_kb **out, char *err, size_t errlen);
void lumen_doctor_kb_free(struct lumen_doctor_kb *kb);
/* Entries of each kind, for tests and `--kb-stats`. */
void lumen_doctor_kb_counts(const struct lumen_doctor_kb *kb, int *patterns,
			    int *signals, int *causes, int *sensors);
/*
 * The default knowledge base path: $LUMEN_DOCTOR_KB, else the installed
 * file, else the one in the source tree (uninstalled builds). Returns the
 * first that exists, or the installed path when none does.
 */
const char *lumen_doctor_kb_default_path(void);

/* ---------------------------------------------------------- evidence */

/* @kb may be NULL (then only the structured parsers produce facts). */
int lumen_doctor_evidence_new(const struct lumen_doctor_kb *kb,
			      struct lumen_doctor_evidence **out);
void lumen_doctor_evidence_free(struct lumen_doctor_evidence *ev);

/*
 * Adds a file, or every regular file under a directory (sorted by name,
 * depth <= 4). Binary files are skipped with a note, empty ones noted.
 * -ENOENT/-EACCES/... with a message naming the path.
 */
int lumen_doctor_evidence_add_path(struct lumen_doctor_evidence *ev,
				   const char *path, char *err, size_t errlen);
/* Adds text from memory (live mode, tests, fuzzing); NULs end lines. */
void lumen_doctor_evidence_add_text(struct lumen_doctor_evidence *ev,
				    const char *name, const char *text,
				    size_t len);

/*
 * Derives the canonical facts (sums over receivers, sensor identity, ...)
 * from what was read. Call after the last add; adding more text later and
 * finishing again is allowed. lumen_doctor_diagnose() calls it when needed.
 */
void lumen_doctor_evidence_finish(struct lumen_doctor_evidence *ev);

/* Facts, for tests and the live mode. Returns false when absent. */
bool lumen_doctor_fact_num(const struct lumen_doctor_evidence *ev,
			   const char *name, int64_t *val);
const char *lumen_doctor_fact_text(const struct lumen_doctor_evidence *ev,
				   const char *name);
/* Prints every fact with its value and first quote (debugging aid). */
void lumen_doctor_evidence_dump(const struct lumen_doctor_evidence *ev,
				FILE *out);
/* Input that was read: bytes, lines, sections recognised; notes (skipped
 * files, truncation) as one text block, "" when none. */
size_t lumen_doctor_evidence_bytes(const struct lumen_doctor_evidence *ev);
size_t lumen_doctor_evidence_lines(const struct lumen_doctor_evidence *ev);
const char *lumen_doctor_evidence_notes(const struct lumen_doctor_evidence *ev);

/* ------------------------------------------------------------ report */

#define LUMEN_DOCTOR_QUOTES 6
#define LUMEN_DOCTOR_CAUSES 12

struct lumen_doctor_quote {
	char where[80];		/* "dmesg.txt:42" */
	char text[200];
};

struct lumen_doctor_stage_result {
	enum lumen_doctor_verdict verdict;
	char why[200];		/* one line: the signal that decided it */
	int nquotes;
	struct lumen_doctor_quote quotes[LUMEN_DOCTOR_QUOTES];
};

struct lumen_doctor_cause {
	char id[48];
	enum lumen_doctor_stage stage;
	int score;
	char summary[240];
	char fix[400];
	char next[240];		/* next command to run, may be empty */
	char source[240];
	int nquotes;
	struct lumen_doctor_quote quotes[LUMEN_DOCTOR_QUOTES];
};

struct lumen_doctor_report {
	struct lumen_doctor_stage_result stages[LUMEN_STAGE_COUNT];
	int first_broken;	/* enum lumen_doctor_stage, or -1 */
	/* how sure: "high" when the knowledge base's signals decided, else
	 * the confidence of the finding that did ("medium", "low"); "" when
	 * no stage is broken */
	char confidence[8];
	int alt_stage;		/* the next candidate stage, or -1 */
	/* what decided: "signals" (the knowledge base's), "finding" (a line
	 * naming the stage), "prior" (no line names one: the words of the
	 * text, docs/doctor.md "Prior"); "" when no stage is broken */
	char basis[8];
	int ncauses;
	struct lumen_doctor_cause causes[LUMEN_DOCTOR_CAUSES];	/* ranked */
	int nruled_out;
	struct lumen_doctor_cause ruled_out[LUMEN_DOCTOR_CAUSES];
	int nnotes;
	char notes[8][240];	/* remarks that are not faults */
	size_t bytes, lines;
	char input_notes[512];
};

/* The errno a text reports in any spelling ("-5", "-EIO", "error -121",
 * "(Broken pipe)", "Remote I/O error"), positive; 0 when none. */
int lumen_doctor_errno_in(const char *text);

/* Runs the signals and causes of @kb over @ev. Never fails. */
void lumen_doctor_diagnose(const struct lumen_doctor_kb *kb,
			   struct lumen_doctor_evidence *ev,
			   struct lumen_doctor_report *r);

void lumen_doctor_report_print(const struct lumen_doctor_report *r, FILE *out);
/* JSON: first_broken_stage, confidence, alt_stage, basis, stages[{name, verdict, why, evidence[]}],
 * causes[{id, stage, score, summary, evidence[], fix, next, source}],
 * ruled_out[...], notes[], input{bytes, lines, notes}. */
void lumen_doctor_report_json(const struct lumen_doctor_report *r, FILE *out);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internal to src/doctor: the fact store, the evidence families' interface
 * and the knowledge base's structures.
 *
 * Facts: a name ("csi.frames_seen"), a text value, an optional integer
 * value, how many times it was set, and up to EV_FACT_QUOTES lines that set
 * it. Inside a section recognised as reference configuration (its heading
 * or prompt says "stock", "original", "vendor", "factory", "oem", "working")
 * every fact name gets the prefix "ref.", so that "srcfg.pad" (what runs)
 * and "ref.srcfg.pad" (what the stock firmware does) can be compared.
 */
#ifndef LUMEN_DOCTOR_INTERNAL_H
#define LUMEN_DOCTOR_INTERNAL_H

#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "doctor/doctor.h"

#define EV_FACTS_MAX 1024
#define EV_QUOTES_MAX 2048
#define EV_FACT_NAME 64
#define EV_FACT_TEXT 120
#define EV_FACT_QUOTES 4
#define EV_LINE_MAX 4096	/* longer lines are cut (noted once) */
#define EV_SECTION_TEXT 160

struct ev_fact {
	char name[EV_FACT_NAME];
	char text[EV_FACT_TEXT];
	int64_t num;
	bool has_num;
	unsigned count;
	int nquotes;
	int quote[EV_FACT_QUOTES];	/* indices into ev->quotes */
};

struct ev_family;

struct lumen_doctor_evidence {
	const struct lumen_doctor_kb *kb;
	struct ev_fact facts[EV_FACTS_MAX];
	int nfacts;
	bool facts_full;
	struct lumen_doctor_quote quotes[EV_QUOTES_MAX];
	int nquotes;
	/* reading */
	size_t bytes, lines, sections;
	bool truncated;
	char notes[512];
	/* current line */
	const char *file;
	unsigned lineno;
	const char *line;	/* as read (no newline) */
	const char *body;	/* after a dmesg/syslog prefix */
	int cur_quote;		/* quote of this line once made, else -1 */
	/* current section */
	bool reference;
	char section[EV_SECTION_TEXT];	/* the prompt/heading that opened it */
	void *state[16];		/* per family, see ev_families[] */
	bool line_found;		/* a finding was made on this line */
	bool line_marker;		/* the line is a prompt or heading */
	bool line_fails;		/* ev_says_failure(body), once per line */
	bool finished;
};

/*
 * One evidence family: a parser that watches every line and recognises
 * its own output by content. Called on one thread, in input order.
 *   begin: a section starts (file start, prompt, heading): drop any
 *          half-parsed table;
 *   line:  every line (ev->line, ev->body are set);
 *   finish: after all input, derive the canonical facts.
 * NULL entries are skipped.
 */
struct ev_family {
	const char *name;
	size_t state_size;
	void (*begin)(struct lumen_doctor_evidence *ev, void *st);
	void (*line)(struct lumen_doctor_evidence *ev, void *st);
	void (*finish)(struct lumen_doctor_evidence *ev, void *st);
};

extern const struct ev_family ev_family_log;
extern const struct ev_family ev_family_sigmastar;
extern const struct ev_family ev_family_ingenic;
extern const struct ev_family ev_family_hisilicon;
extern const struct ev_family ev_family_interrupts;
extern const struct ev_family ev_family_media;
extern const struct ev_family ev_family_v4l2;
extern const struct ev_family ev_family_rkisp1;
extern const struct ev_family ev_family_i2c;
extern const struct ev_family ev_family_dt;
extern const struct ev_family ev_family_lumen;
extern const struct ev_family ev_family_kernel;
extern const struct ev_family ev_family_sdk;
extern const struct ev_family ev_family_app;
extern const struct ev_family ev_family_prior;

/* --- findings: "this line shows stage S failing" (evidence.c) ---
 *
 * The meaning families (ev_kernel.c, ev_sdk.c, ev_app.c) read what a line
 * says about a failure, whatever its wording, and record it as the fact
 * "find.STAGE": its number is the highest confidence seen (EV_CONF_*),
 * its text the reason of that finding, its quotes the lines. The diagnosis
 * turns them into a verdict when the knowledge base's own signals name no
 * broken stage (docs/doctor.md, "Findings"). */
enum ev_conf { EV_CONF_GUESS = 0, EV_CONF_LOW = 1, EV_CONF_MEDIUM = 2,
	       EV_CONF_HIGH = 3 };	/* GUESS: a failure naming no stage */
void ev_find(struct lumen_doctor_evidence *ev, int stage, int conf,
	     const char *why);
/* The same with a quote made earlier (ev_quote_line), from finish(). */
void ev_find_quoted(struct lumen_doctor_evidence *ev, int stage, int conf,
		    const char *why, int quote);
const char *ev_conf_name(int conf);
/* The highest confidence of any finding so far, -1 without any. */
int ev_strongest_finding(const struct lumen_doctor_evidence *ev);

/* --- roles of kernel drivers (roles.c, table generated from roles.tsv) --- */
enum ev_role {
	EV_ROLE_NONE, EV_ROLE_SENSOR, EV_ROLE_RECEIVER, EV_ROLE_ISP,
	EV_ROLE_CAPTURE, EV_ROLE_I2C, EV_ROLE_POWER, EV_ROLE_ENCODER,
	EV_ROLE_MEMORY, EV_ROLE_COUNT
};
struct ev_role_entry {
	const char *name;	/* lower case, '-' for '_' */
	unsigned char role;	/* enum ev_role */
};
extern const struct ev_role_entry ev_role_table[];	/* sorted by name */
extern const size_t ev_role_table_len;
const char *ev_role_name(enum ev_role r);
/* -1 when @name is not a role name. */
int ev_role_parse(const char *name);
/* By driver or module name ("imx219", "bcm2835_unicam"): NONE if unknown. */
enum ev_role ev_role_of_driver(const char *s, size_t n);
/* By device name ("fe801000.csi", "ac6a000.csiphy"): NONE if unknown. */
enum ev_role ev_role_of_device(const char *s, size_t n);
/* By the words of a name the table lacks ("rkcif-mipi-lvds"). */
enum ev_role ev_role_of_words(const char *s, size_t n);
/* The stage a failure of role @r belongs to when nothing more specific is
 * said (ev_kernel.c's rules); -1 for EV_ROLE_NONE. */
int ev_role_stage(enum ev_role r);

/* --- the prior over words (ev_prior.c, table generated from prior.tsv) --- */
#define EV_PRIOR_MAX 8192	/* rows the table may hold (gen_doctor_prior.py) */
struct ev_prior_entry {
	const char *word;	/* lower case [a-z0-9_], 3..24 bytes */
	short w[LUMEN_STAGE_COUNT];	/* ln(P(word|stage)) x 100, centred */
};
extern const short ev_prior_base[LUMEN_STAGE_COUNT];	/* ln(P(stage)) x 100 */
extern const struct ev_prior_entry ev_prior_table[];	/* sorted by word */
extern const size_t ev_prior_table_len;

/* --- errno in any spelling (errnames.c) --- */
/* The errno a line reports ("-5", "-EIO", "error -121", "(Broken pipe)",
 * "Remote I/O error"), positive; 0 when it names none. */
int ev_errno_in(const char *line);
const char *ev_errno_name(int e);
/* Does a message say something failed (error words, an errno), and not
 * merely count errors that are zero? (ev_kernel.c) */
bool ev_says_failure(const char *msg);
/* Does it say formats do not match (link validation, pad/bus format)?
 * (ev_kernel.c) */
bool ev_says_format(const char *msg);

/* --- facts (evidence.c); @name gets "ref." inside reference sections --- */

/* Quote of the current line (made once per line). -1 when full. */
int ev_quote_line(struct lumen_doctor_evidence *ev);
struct ev_fact *ev_fact_find(const struct lumen_doctor_evidence *ev,
			     const char *name);
/* Sets the value (overwrites); @quote: attach the current line. */
void ev_set_num(struct lumen_doctor_evidence *ev, const char *name,
		int64_t v, bool quote);
void ev_set_text(struct lumen_doctor_evidence *ev, const char *name,
		 const char *text, bool quote);
/* Adds to the value (absent = 0). */
void ev_add_num(struct lumen_doctor_evidence *ev, const char *name,
		int64_t delta, bool quote);
/* Keeps the larger value. */
void ev_max_num(struct lumen_doctor_evidence *ev, const char *name,
		int64_t v, bool quote);
/* As above without the reference prefix (for facts derived in finish). */
struct ev_fact *ev_fact_raw(struct lumen_doctor_evidence *ev,
			    const char *name);
/* Attaches quote @q (from ev_quote_line) to @f; no-op when q < 0. */
void ev_fact_add_quote(struct ev_fact *f, int q);
void ev_fact_quote_from(struct lumen_doctor_evidence *ev, struct ev_fact *dst,
			const struct ev_fact *src);
/*
 * Derives @dst as the sum of every numeric fact that @take accepts (@dst is
 * left unset when none does) and attaches the quoted lines of the first
 * @max_quoted of them (at most EV_SUM_QUOTED_MAX). Called from a family's
 * finish(), after its lines are read.
 */
#define EV_SUM_QUOTED_MAX 8
void ev_set_sum_of(struct lumen_doctor_evidence *ev, const char *dst,
		   bool (*take)(const struct ev_fact *f, const void *ctx),
		   const void *ctx, int max_quoted);
void ev_namef(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* --- small text helpers (evidence.c) --- */
const char *ev_skip_space(const char *s);
/* Integer (decimal, 0x hex) at *s; advances. false when none. Huge
 * numbers saturate, but a hex one can still reach INT64_MAX. */
bool ev_scan_int(const char **s, int64_t *v);
/* a + b clamped to the int64_t range: the numbers in pasted text can be
 * anything, so every sum of them goes through this. */
int64_t ev_sat_add(int64_t a, int64_t b);
/* Lower-cases and turns runs of non-alnum into '_' ("Ecc Err" -> "ecc_err"). */
void ev_slug(char *dst, size_t size, const char *src, size_t n);
bool ev_starts(const char *s, const char *prefix);
/* Case-insensitive substring. */
bool ev_contains(const char *s, const char *needle);
/* @s lower-cased into @dst (cut to @size - 1). */
void ev_lower(char *dst, size_t size, const char *s);

/* --- knowledge base (kb.c) --- */

enum kb_op { KB_TRUE, KB_FALSY, KB_HAS, KB_NO, KB_EQ, KB_NE, KB_GT, KB_GE,
	     KB_LT, KB_LE };

struct kb_pred {
	enum kb_op op;
	char fact[EV_FACT_NAME];
	char rhs_fact[EV_FACT_NAME];	/* "" when the right side is a constant */
	char rhs_text[EV_FACT_TEXT];
	int64_t rhs_num;
	bool rhs_is_num;
	bool or_next;			/* "a or b": OR'd with the next one */
	bool negate;			/* "not a == 1": true also when absent */
	char src[160];			/* as written, for messages */
};

#define KB_PREDS 12

struct kb_cond {	/* all groups hold; a group holds when one of its
			 * predicates (joined by "or") holds */
	int n;
	struct kb_pred p[KB_PREDS];
};

struct kb_pattern {
	char id[48];
	regex_t re;
	bool re_ok;
	char fact[EV_FACT_NAME];
	char value[64];		/* "" = count only; "\1".. = capture */
	enum { KB_PAT_COUNT, KB_PAT_SET, KB_PAT_NUM } kind;
};

struct kb_signal {
	char id[48];
	int stage;
	enum lumen_doctor_verdict verdict;
	bool upstream_ok;	/* frames passed this stage: earlier stages ok */
	struct kb_cond when;
	char explain[200];
};

struct kb_support {
	struct kb_cond when;
	int weight;
};

struct kb_cause {
	char id[48];
	int stage;
	int prior;
	struct kb_cond requires;
	int nsupports;
	struct kb_support supports[8];
	int nrules_out;
	struct kb_cond rules_out[6];
	char summary[240], fix[400], next[240], source[240];
};

struct kb_note {
	char id[48];
	struct kb_cond when;
	char text[240];
};

struct kb_sensor {
	char name[32];
	char vendor[32];
	uint16_t id;
	uint16_t id_regs[2];	/* [1] = 0: one 16-bit register */
	uint16_t addrs[4];
	int naddrs;
	uint16_t stream_reg;
	int lanes;		/* MIPI lanes of its usual mode, 0 = unknown */
};

struct lumen_doctor_kb {
	struct kb_pattern *patterns;
	int npatterns;
	struct kb_signal *signals;
	int nsignals;
	struct kb_cause *causes;
	int ncauses;
	struct kb_note *notes;
	int nnotes;
	struct kb_sensor *sensors;
	int nsensors;
};

/* Applies the KB's line patterns to the current line. */
void kb_match_line(const struct lumen_doctor_kb *kb,
		   struct lumen_doctor_evidence *ev);
/* Evaluates @c; quotes of the facts it used go to @q (may be NULL). */
bool kb_cond_eval(const struct kb_cond *c,
		  const struct lumen_doctor_evidence *ev,
		  struct lumen_doctor_quote *q, int *nq, int maxq);
/* Expands {fact} and {fact|default} in @tmpl. */
void kb_expand(const char *tmpl, const struct lumen_doctor_evidence *ev,
	       char *out, size_t size);

/* --- sensor identities (sensor_ids.c) --- */
struct ev_sensor_id {
	const char *name;
	const char *vendor;
	uint16_t id;
	uint16_t id_regs[2];
	uint16_t addr;		/* default 7-bit address */
	uint16_t stream_reg;
	int lanes;		/* of its first/usual mode, 0 = unknown */
};
/* By chip ID: lumen's sensor tables first, then the KB's list. */
bool ev_sensor_by_id(const struct lumen_doctor_kb *kb, uint16_t id,
		     struct ev_sensor_id *out);
/* By name (case-insensitive; "sc4336p" matches "SC4336P_MIPI"). */
bool ev_sensor_by_name(const struct lumen_doctor_kb *kb, const char *name,
		       struct ev_sensor_id *out);
/* Is @addr a default address of any known sensor? */
bool ev_sensor_addr_known(const struct lumen_doctor_kb *kb, uint16_t addr);
/* Is @reg an ID register of any known sensor (and which part)? */
bool ev_sensor_id_reg(const struct lumen_doctor_kb *kb, uint16_t reg,
		      struct ev_sensor_id *out, int *part);

#endif

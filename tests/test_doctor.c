// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen doctor: every case under tests/doctor/ (each cites its source in
 * its header) must give the expected first broken stage, top cause and
 * stage verdicts; the knowledge base must load and refuse bad entries with
 * file:line and key; hostile input (garbage, binary, empty, larger than
 * the limit) must give a clear note and bounded facts, never a crash.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "doctor/doctor.h"
#include "testutil.h"

#define KB_PATH LUMEN_SOURCE_ROOT "/data/doctor/kb.yaml"
#define CASES LUMEN_SOURCE_ROOT "/tests/doctor/"

static struct lumen_doctor_kb *kb;

static int setup(void **state)
{
	char err[512] = "";

	(void)state;
	if (lumen_doctor_kb_load(KB_PATH, &kb, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	lumen_doctor_kb_free(kb);
	return 0;
}

/* Diagnoses @path; the caller frees *ev and *r. */
static void run_case(const char *path, struct lumen_doctor_evidence **ev,
		     struct lumen_doctor_report **r)
{
	char err[512] = "";

	assert_int_equal(lumen_doctor_evidence_new(kb, ev), 0);
	if (lumen_doctor_evidence_add_path(*ev, path, err, sizeof(err)))
		fail_msg("%s", err);
	*r = malloc(sizeof(**r));
	assert_non_null(*r);
	lumen_doctor_diagnose(kb, *ev, *r);
}

struct stage_expect {
	const char *stage;
	enum lumen_doctor_verdict verdict;
};

struct case_expect {
	const char *file;
	const char *first_broken;	/* NULL: none */
	const char *top_cause;		/* NULL: no cause */
	const char *fix_has;		/* substring of the top cause's fix */
	struct stage_expect stages[4];
	const char *ruled_out;		/* a cause that must be ruled out */
	const char *note_has;		/* substring of some note */
};

#define OK LUMEN_VERDICT_OK
#define BROKEN LUMEN_VERDICT_BROKEN
#define UNKNOWN LUMEN_VERDICT_UNKNOWN

static const struct case_expect cases[] = {
	/* lumen issue 5, "First real case" */
	{ "sigmastar-ssc377-sc4336p-pad.txt", "link", "sigmastar-sensor-pad",
	  "srcfg 2 1 2 0 1 1 and insmod the sensor driver with chmap=4",
	  { { "i2c", OK }, { "sensor", OK }, { "link", BROKEN }, { "dma", UNKNOWN } },
	  "vif-input-not-ready", "srcfg 2 1 2 0 1 1" },
	/* the same evidence split over files named a, b, c */
	{ "sigmastar-ssc377-split", "link", "sigmastar-sensor-pad", "chmap=4",
	  { { "sensor", OK }, { "link", BROKEN } }, NULL, NULL },
	{ "sigmastar-no-frames-csi-zero.txt", "link", "csi-no-frame-generic", NULL,
	  { { "sensor", UNKNOWN }, { "link", BROKEN }, { "power", UNKNOWN } },
	  NULL, NULL },
	{ "sigmastar-lanes-ecc.txt", "link", "lane-count-mismatch", "lane count",
	  { { "sensor", OK }, { "link", BROKEN } }, NULL, NULL },
	{ "ingenic-t21-i2c-nack.txt", "power", "no-power-or-mclk", "MCLK",
	  { { "power", BROKEN }, { "i2c", BROKEN } }, "wrong-i2c-address", NULL },
	{ "wrong-i2c-address.txt", "i2c", "wrong-i2c-address", "0x30",
	  { { "i2c", BROKEN }, { "power", UNKNOWN } }, "no-power-or-mclk", NULL },
	{ "chip-id-mismatch-sc2335.txt", "sensor", "sensor-id-mismatch", "sc2335",
	  { { "i2c", OK }, { "sensor", BROKEN } }, NULL, "sc2335" },
	{ "rkisp1-pinephone-epipe.txt", "receiver", "media-format-mismatch",
	  "media-ctl -V", { { "i2c", OK }, { "receiver", BROKEN }, { "link", UNKNOWN } },
	  "media-epipe-unexplained", NULL },
	{ "ingenic-tx-isp-sensor-not-detected.txt", "sensor", "ingenic-sensor-module",
	  "insmod", { { "sensor", BROKEN }, { "i2c", UNKNOWN } }, NULL, NULL },
	{ "hisilicon-mipi-rx-errors.txt", "link", "lane-count-mismatch", NULL,
	  { { "link", BROKEN } }, NULL, NULL },
	{ "hisilicon-gc2023-dvp-pinmux.txt", "link", "hisi-wrong-bus-pinmux", "MIPI",
	  { { "link", BROKEN }, { "vif", BROKEN } }, NULL, NULL },
	{ "streamer-ok-no-clients.txt", NULL, NULL, NULL,
	  { { "encoder", OK }, { "streamer", OK }, { "sensor", OK } }, NULL,
	  "no client is connected" },
	{ "silent.txt", NULL, NULL, NULL,
	  { { "power", UNKNOWN }, { "link", UNKNOWN }, { "streamer", UNKNOWN } }, NULL,
	  "holds no log" },
	{ "rpi-imx219-chip-id.txt", "i2c", "camera-cable", "cable",
	  { { "i2c", BROKEN } }, NULL, NULL },
	{ "rpi-unicam-no-sensor.txt", "sensor", "sensor-overlay-missing", "dtoverlay",
	  { { "sensor", BROKEN } }, NULL, NULL },
	{ "few-buffers.txt", "dma", "too-few-buffers", "buffers",
	  { { "receiver", OK }, { "dma", BROKEN }, { "sensor", OK } }, NULL, NULL },
	{ "link-noise.txt", "link", "link-signal-integrity", "cable",
	  { { "receiver", OK }, { "link", BROKEN } }, "lane-count-mismatch", NULL },
	{ "receiver-unconfigured.txt", "receiver", "receiver-not-configured", NULL,
	  { { "sensor", OK }, { "link", UNKNOWN }, { "receiver", BROKEN } }, NULL, NULL },
	{ "sensor-not-streaming.txt", "sensor", "sensor-never-streamed", "0x0100",
	  { { "i2c", OK }, { "sensor", BROKEN } }, NULL, NULL },
	/* public reports with a confirmed cause (issue 5, second set) */
	{ "rpi-ov5647-no-cameras-cable.txt", "sensor", "camera-cable", "cable",
	  { { "sensor", BROKEN }, { "power", UNKNOWN }, { "link", UNKNOWN } },
	  "sensor-overlay-missing", NULL },
	{ "ingenic-t31x-os03b10-framesource.txt", "isp", "framesource-config", "2034x1296",
	  { { "isp", BROKEN }, { "sensor", UNKNOWN }, { "link", UNKNOWN } }, NULL, NULL },
	{ "hisilicon-av200-mipi-dev-missing.txt", "receiver", "mipi-rx-driver-missing",
	  "/dev/hi_mipi", { { "receiver", BROKEN }, { "sensor", UNKNOWN }, { "link", UNKNOWN } },
	  "mipi-rx-attr-rejected", NULL },
	{ "rkisp1-mipi-fifo-overflow.txt", "link", "mipi-link-rate-too-high", "link frequency",
	  { { "link", BROKEN }, { "isp", BROKEN }, { "sensor", UNKNOWN } },
	  "rkisp1-input-size", NULL },
	/* a failed probe on an empty port is not a fault when another bound */
	{ "jetson-imx477-empty-port.txt", NULL, NULL, NULL,
	  { { "i2c", OK }, { "sensor", UNKNOWN }, { "link", UNKNOWN } }, NULL,
	  "empty camera port" },
	/* the held-out three (cold results in docs/doctor.md) */
	{ "nxp-imx8qm-ov5640-not-found.txt", "i2c", "camera-cable", "cable",
	  { { "i2c", BROKEN }, { "sensor", UNKNOWN } }, NULL, NULL },
	{ "rpi5-imx708-no-cameras-cable.txt", "sensor", "camera-cable", "22-pin",
	  { { "sensor", BROKEN }, { "i2c", UNKNOWN }, { "power", UNKNOWN } }, NULL, NULL },
	{ "rpi-cm4-imx708-unused-port.txt", NULL, NULL, NULL,
	  { { "i2c", OK }, { "link", UNKNOWN } }, NULL, "empty camera port" },
	/* a further pair, also run cold first (docs/doctor.md) */
	{ "sigmastar-ssc377d-os04d10-wrong-driver.txt", "sensor", "sensor-id-mismatch", "os04d10",
	  { { "i2c", OK }, { "sensor", BROKEN }, { "link", UNKNOWN } }, NULL, "ipctool" },
	{ "hisilicon-hi3518ev200-gc2053-unsupported.txt", "sensor", "loader-unsupported-sensor",
	  "gc2053", { { "i2c", OK }, { "sensor", BROKEN }, { "link", UNKNOWN } },
	  NULL, NULL },
	/* `lumen run` on the virtual board, one per fault (issue 3 item 7) */
	{ "virtual-none.txt", NULL, NULL, NULL,
	  { { "sensor", OK }, { "receiver", OK }, { "encoder", OK } }, NULL, NULL },
	{ "virtual-lanes.txt", "link", "lane-count-mismatch", "lane count",
	  { { "sensor", OK }, { "link", BROKEN } }, NULL, NULL },
	{ "virtual-pad.txt", "link", "sensor-pad-mismatch", "pad 3",
	  { { "sensor", OK }, { "link", BROKEN } }, NULL, NULL },
	{ "virtual-mclk.txt", "i2c", "no-power-or-mclk", NULL,
	  { { "i2c", BROKEN }, { "sensor", UNKNOWN } }, NULL, "i2cdetect" },
	/* without a bus scan, a wrong address looks like a dead sensor: the
	 * doctor must say so rather than pick one */
	{ "virtual-i2c-addr.txt", "i2c", "*", NULL,
	  { { "i2c", BROKEN } }, NULL, "i2cdetect" },
	{ "virtual-no-stream.txt", "sensor", "sensor-never-streamed", NULL,
	  { { "i2c", OK }, { "sensor", BROKEN } }, NULL, NULL },
	{ "virtual-link-noise.txt", "link", "link-signal-integrity", NULL,
	  { { "receiver", OK }, { "link", BROKEN } }, "lane-count-mismatch", NULL },
	{ "virtual-receiver-unconfigured.txt", "receiver", "receiver-not-configured", NULL,
	  { { "sensor", OK }, { "receiver", BROKEN } }, NULL, NULL },
	{ "virtual-few-buffers.txt", "dma", "too-few-buffers", NULL,
	  { { "vif", OK }, { "dma", BROKEN } }, NULL, NULL },
	{ "virtual-stalled-consumer.txt", "streamer", "consumer-stalled", NULL,
	  { { "encoder", OK }, { "streamer", BROKEN } }, NULL, NULL },
	/* the V4L2 backend in the test guest (docs/v4l2.md) */
	{ "v4l2-capture-silent.txt", "dma", "capture-node-silent", "dmesg",
	  { { "dma", BROKEN } }, NULL, NULL },
};

static void check_case(const struct case_expect *c)
{
	struct lumen_doctor_evidence *ev;
	struct lumen_doctor_report *r;
	char path[1024];

	snprintf(path, sizeof(path), "%s%s", CASES, c->file);
	run_case(path, &ev, &r);
	if (!c->first_broken) {
		if (r->first_broken != -1)
			fail_msg("%s: first broken %s, expected none", c->file,
				 lumen_doctor_stage_name(r->first_broken));
	} else if (r->first_broken < 0 ||
		   strcmp(lumen_doctor_stage_name(r->first_broken), c->first_broken)) {
		fail_msg("%s: first broken %s, expected %s", c->file,
			 r->first_broken < 0 ? "none" : lumen_doctor_stage_name(r->first_broken),
			 c->first_broken);
	}
	if (c->top_cause && !strcmp(c->top_cause, "*")) {
		if (!r->ncauses)
			fail_msg("%s: no cause listed", c->file);
	} else if (!c->top_cause) {
		if (r->ncauses)
			fail_msg("%s: cause %s, expected none", c->file, r->causes[0].id);
	} else {
		if (!r->ncauses || strcmp(r->causes[0].id, c->top_cause))
			fail_msg("%s: top cause %s, expected %s", c->file,
				 r->ncauses ? r->causes[0].id : "none", c->top_cause);
		/* a cause always quotes the lines it rests on */
		if (!r->causes[0].nquotes)
			fail_msg("%s: top cause without evidence", c->file);
		if (c->fix_has && !strstr(r->causes[0].fix, c->fix_has) &&
		    !strstr(r->causes[0].summary, c->fix_has))
			fail_msg("%s: fix '%s' lacks '%s'", c->file, r->causes[0].fix,
				 c->fix_has);
	}
	for (int i = 0; i < 4 && c->stages[i].stage; i++) {
		int s = lumen_doctor_stage_parse(c->stages[i].stage);

		assert_true(s >= 0);
		if (r->stages[s].verdict != c->stages[i].verdict)
			fail_msg("%s: stage %s is %s, expected %s", c->file,
				 c->stages[i].stage,
				 lumen_doctor_verdict_name(r->stages[s].verdict),
				 lumen_doctor_verdict_name(c->stages[i].verdict));
		/* a verdict other than unknown always has evidence or a reason */
		if (c->stages[i].verdict != UNKNOWN && !r->stages[s].why[0])
			fail_msg("%s: stage %s has no reason", c->file, c->stages[i].stage);
	}
	if (c->ruled_out) {
		bool found = false;

		for (int i = 0; i < r->nruled_out; i++)
			found |= !strcmp(r->ruled_out[i].id, c->ruled_out);
		for (int i = 0; i < r->ncauses; i++)
			if (!strcmp(r->causes[i].id, c->ruled_out))
				fail_msg("%s: %s should be ruled out", c->file, c->ruled_out);
		if (!found)
			fail_msg("%s: %s not listed as ruled out", c->file, c->ruled_out);
	}
	if (c->note_has) {
		bool found = false;

		for (int i = 0; i < r->nnotes; i++)
			found |= strstr(r->notes[i], c->note_has) != NULL;
		if (!found)
			fail_msg("%s: no note with '%s'", c->file, c->note_has);
	}
	/* the first broken stage is the first broken in pipeline order */
	for (int i = 0; r->first_broken >= 0 && i < r->first_broken; i++)
		assert_int_not_equal(r->stages[i].verdict, BROKEN);
	lumen_doctor_evidence_free(ev);
	free(r);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

/* Every file under tests/doctor/ is a case of the table (no orphan). */
static void test_cases_all_listed(void **state)
{
	DIR *d = opendir(CASES);
	struct dirent *de;
	int n = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		bool listed = false;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "cold"))
			continue;	/* cold/: its own table below */
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			listed |= !strcmp(cases[i].file, de->d_name);
		if (!listed)
			fail_msg("tests/doctor/%s is not in the case table", de->d_name);
		n++;
	}
	closedir(d);
	assert_true(n >= 16);
}

/* The facts the first real case rests on, read by content. */
static void test_first_case_facts(void **state)
{
	struct lumen_doctor_evidence *ev;
	struct lumen_doctor_report *r;
	int64_t v;

	(void)state;
	run_case(CASES "sigmastar-ssc377-sc4336p-pad.txt", &ev, &r);
	assert_string_equal(lumen_doctor_fact_text(ev, "sensor.chip_id"), "0x9c42");
	assert_string_equal(lumen_doctor_fact_text(ev, "sensor.found"), "sc4336p");
	assert_true(lumen_doctor_fact_num(ev, "sensor.streaming", &v) && v == 1);
	assert_true(lumen_doctor_fact_num(ev, "csi.receivers", &v) && v == 3);
	assert_true(lumen_doctor_fact_num(ev, "csi.frames_seen", &v) && v == 0);
	assert_true(lumen_doctor_fact_num(ev, "srcfg.pad", &v) && v == 0);
	assert_true(lumen_doctor_fact_num(ev, "ref.srcfg.pad", &v) && v == 2);
	assert_true(lumen_doctor_fact_num(ev, "chmap", &v) && v == 1);
	assert_true(lumen_doctor_fact_num(ev, "ref.chmap", &v) && v == 4);
	assert_true(lumen_doctor_fact_num(ev, "ref.chmap.pad", &v) && v == 2);
	assert_true(lumen_doctor_fact_num(ev, "irq.csi", &v) && v == 0);
	assert_true(lumen_doctor_fact_num(ev, "vif.crop_w", &v) && v == 2560);
	assert_true(lumen_doctor_fact_num(ev, "vif.crop_h", &v) && v == 1440);
	assert_true(lumen_doctor_fact_num(ev, "sdk.vif_unmask_fail", &v) && v == 1);
	assert_string_equal(lumen_doctor_fact_text(ev, "srcfg"), "0 1 0 0 0 0");
	assert_string_equal(lumen_doctor_fact_text(ev, "ref.srcfg"), "2 1 2 0 1 1");
	lumen_doctor_evidence_free(ev);
	free(r);
}

static char *json_of(const struct lumen_doctor_report *r)
{
	/* static: open_memstream keeps the addresses until fclose, and gcc 12
	 * (aarch64) flags locals passed there as dangling */
	static char *buf;
	static size_t len;
	FILE *f;
	char *out;

	buf = NULL;
	len = 0;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	lumen_doctor_report_json(r, f);
	fclose(f);
	out = buf;
	buf = NULL;
	return out;
}

static void test_json(void **state)
{
	struct lumen_doctor_evidence *ev;
	struct lumen_doctor_report *r;
	char *j;

	(void)state;
	run_case(CASES "sigmastar-ssc377-sc4336p-pad.txt", &ev, &r);
	j = json_of(r);
	assert_non_null(strstr(j, "\"first_broken_stage\": \"link\""));
	assert_non_null(strstr(j, "\"name\": \"sensor\", \"verdict\": \"ok\""));
	assert_non_null(strstr(j, "\"causes\": [\n    {\"id\": \"sigmastar-sensor-pad\""));
	assert_non_null(strstr(j, "\"fix\": "));
	free(j);
	lumen_doctor_evidence_free(ev);
	free(r);

	run_case(CASES "silent.txt", &ev, &r);
	j = json_of(r);
	assert_non_null(strstr(j, "\"first_broken_stage\": null"));
	assert_non_null(strstr(j, "\"verdict\": \"unknown\""));
	assert_null(strstr(j, "\"verdict\": \"ok\""));
	free(j);
	lumen_doctor_evidence_free(ev);
	free(r);
}

/* Quotes of hostile lines stay valid JSON: control bytes escaped, bytes
 * that are not UTF-8 replaced. */
static void test_json_escapes(void **state)
{
	static const char text[] =
		"[    1.0] i2c i2c-0: --I2C TXABRT[0]=I2C_TXABRT_ABRT_7B_ADDR_NOACK \"q\" \\ \x01\x1f \xff\xfe end\n";
	struct lumen_doctor_evidence *ev;
	struct lumen_doctor_report r;
	char *j;

	(void)state;
	assert_int_equal(lumen_doctor_evidence_new(kb, &ev), 0);
	lumen_doctor_evidence_add_text(ev, "paste", text, sizeof(text) - 1);
	lumen_doctor_diagnose(kb, ev, &r);
	j = json_of(&r);
	assert_non_null(strstr(j, "\\\"q\\\" \\\\"));
	assert_non_null(strstr(j, "\\ufffd"));
	for (const unsigned char *p = (const unsigned char *)j; *p; p++)
		if (*p < 0x20 && *p != '\n')
			fail_msg("raw control byte 0x%02x in JSON", *p);
	free(j);
	lumen_doctor_evidence_free(ev);
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	fwrite(data, 1, len, f);
	return fclose(f);
}

/* Garbage, binary, empty and over-limit input: notes, no crash, bounded. */
static void test_hostile_input(void **state)
{
	char dir[] = "/tmp/lumen-doctor-XXXXXX", path[256], err[256];
	struct lumen_doctor_evidence *ev;
	struct lumen_doctor_report *r = malloc(sizeof(*r));
	unsigned seed = 1234;
	char *big;
	size_t big_len = LUMEN_DOCTOR_MAX_BYTES + (1u << 20);

	(void)state;
	assert_non_null(r);
	assert_non_null(mkdtemp(dir));

	/* binary */
	{
		unsigned char bin[8192];

		for (size_t i = 0; i < sizeof(bin); i++)
			bin[i] = (unsigned char)lumen_test_rand(&seed);
		bin[10] = 0;
		snprintf(path, sizeof(path), "%s/blob", dir);
		assert_int_equal(write_file(path, bin, sizeof(bin)), 0);
	}
	/* empty */
	snprintf(path, sizeof(path), "%s/empty", dir);
	assert_int_equal(write_file(path, "", 0), 0);
	assert_int_equal(lumen_doctor_evidence_new(kb, &ev), 0);
	assert_int_equal(lumen_doctor_evidence_add_path(ev, dir, err, sizeof(err)), 0);
	assert_non_null(strstr(lumen_doctor_evidence_notes(ev), "binary data, skipped"));
	assert_non_null(strstr(lumen_doctor_evidence_notes(ev), "empty"));
	assert_int_equal(lumen_doctor_evidence_lines(ev), 0);
	lumen_doctor_evidence_free(ev);

	/* a missing path is an error naming it */
	assert_int_equal(lumen_doctor_evidence_new(kb, &ev), 0);
	assert_true(lumen_doctor_evidence_add_path(ev, "/nonexistent/evidence", err,
						   sizeof(err)) < 0);
	assert_non_null(strstr(err, "/nonexistent/evidence"));
	lumen_doctor_evidence_free(ev);

	/* printable garbage, long lines and many distinct facts: bounded */
	big = malloc(big_len);
	assert_non_null(big);
	for (size_t i = 0; i < big_len; i++) {
		unsigned x = lumen_test_rand(&seed);

		big[i] = (x & 63) == 0 ? '\n' : (char)(' ' + x % 95);
	}
	/* table-shaped lines whose column names are all different */
	for (size_t i = 0, o = 0; i < 3000 && o + 64 < big_len / 2; i++)
		o += (size_t)snprintf(big + o, 64, "\n-----T%zu-----\n C%zu D%zu\n 1 %zu\n",
				      i, i, i, i) - 1;
	memcpy(big, "[VI] Version: x\n", 16);
	assert_int_equal(lumen_doctor_evidence_new(kb, &ev), 0);
	lumen_doctor_evidence_add_text(ev, "garbage", big, big_len);
	assert_non_null(strstr(lumen_doctor_evidence_notes(ev), "only the first"));
	assert_true(lumen_doctor_evidence_bytes(ev) <= LUMEN_DOCTOR_MAX_BYTES);
	lumen_doctor_diagnose(kb, ev, r);
	assert_true(r->ncauses <= LUMEN_DOCTOR_CAUSES);
	lumen_doctor_evidence_free(ev);
	free(big);

	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
	free(r);
}

/* A line longer than the line buffer is cut, noted, and still read. */
static void test_long_line(void **state)
{
	size_t n = 100000;
	char *t = malloc(n + 64);
	struct lumen_doctor_evidence *ev;
	int64_t v;

	(void)state;
	assert_non_null(t);
	memset(t, 'x', n);
	strcpy(t + n, "\nsrcfg 2 1 2 0 1 1\n");
	assert_int_equal(lumen_doctor_evidence_new(kb, &ev), 0);
	lumen_doctor_evidence_add_text(ev, "long", t, strlen(t));
	lumen_doctor_evidence_finish(ev);
	assert_non_null(strstr(lumen_doctor_evidence_notes(ev), "were cut"));
	assert_true(lumen_doctor_fact_num(ev, "srcfg.pad", &v) && v == 2);
	lumen_doctor_evidence_free(ev);
	free(t);
}

static void expect_kb_error(const char *text, const char *needle)
{
	struct lumen_doctor_kb *k = NULL;
	char err[512] = "";

	if (!lumen_doctor_kb_parse("t.yaml", text, strlen(text), &k, err, sizeof(err)))
		fail_msg("accepted: %s", text);
	assert_null(k);
	if (!strstr(err, needle))
		fail_msg("message '%s' lacks '%s'", err, needle);
}

static void test_kb_errors(void **state)
{
	(void)state;
	expect_kb_error("version: 2\n", "t.yaml:1: key 'version': expected 1");
	expect_kb_error("version: 1\nfoo: 1\n", "t.yaml:2: key 'foo': unknown key");
	expect_kb_error("version: 1\nsignals:\n  - id: a\n    stage: lens\n    verdict: ok\n"
			"    when: x\n    explain: e\n    source: s\n",
			"t.yaml:4: signals[0] (id 'a'): key 'stage': 'lens' is not one of");
	expect_kb_error("version: 1\npatterns:\n  - id: p\n    match: 'a(('\n"
			"    fact: f.x\n    source: s\n", "t.yaml:4: patterns[0] (id 'p'): key 'match':");
	expect_kb_error("version: 1\nsignals:\n  - id: a\n    stage: i2c\n    verdict: ok\n"
			"    when: 'x.y ~ 3'\n    explain: e\n    source: s\n",
			"unknown operator '~'");
	expect_kb_error("version: 1\ncauses:\n  - id: c\n    stage: i2c\n    requires: x\n"
			"    summary: s\n    fix: f\n", "causes[0] (id 'c'): key 'source': missing");
	expect_kb_error("version: 1\nnotes:\n  - id: n\n    when: X\n    text: t\n    source: s\n",
			"'X' is not a fact name");
	expect_kb_error("version: 1\nsignals:\n  - id: a\n    stage: i2c\n    verdict: ok\n"
			"    when: x\n    explain: e\n    source: s\n  - id: a\n    stage: i2c\n"
			"    verdict: ok\n    when: x\n    explain: e\n    source: s\n",
			"duplicate id");
	expect_kb_error("version: 1\nsensors:\n  - name: s\n    chip_id: 0x1\n    id_regs: [1, 2, 3]\n"
			"    addr: 0x30\n    source: s\n", "id_regs");
	expect_kb_error("[[[", "YAML error");
	/* hostile files: kb.c had a size limit but no alias or depth limit */
	expect_kb_error("version: 1\nnotes:\n  - id: a\n    when: &w [x.y == 1]\n"
			"    text: t\n    source: s\n  - id: b\n    when: *w\n"
			"    text: t\n    source: s\n",
			"t.yaml:8: key 'notes[1].when': alias *w names a list or mapping");
	{
		char deep[200];
		int n = sprintf(deep, "version: 1\nnotes: ");

		for (int i = 0; i < 40; i++)
			deep[n++] = '[';
		for (int i = 0; i < 40; i++)
			deep[n++] = ']';
		deep[n] = 0;
		expect_kb_error(deep, "t.yaml:2: nested deeper than 32 levels");
	}
}

/* The predicate language: or-groups, negated comparisons, fact-to-fact. */
static void test_kb_predicates(void **state)
{
	static const char k[] =
		"version: 1\n"
		"patterns:\n"
		"  - {id: p1, match: 'alpha ([0-9]+)', fact: a.n, add: '\\1', source: t}\n"
		"  - {id: p2, match: 'beta', fact: b.n, source: t}\n"
		"  - {id: p3, match: 'name=([a-z]+)', fact: c.name, value: '\\1', source: t}\n"
		"signals:\n"
		"  - {id: s1, stage: power, verdict: ok, when: ['a.n == 5 or z.z > 1', 'not q.q == 1'], explain: 'a is {a.n}', source: t}\n"
		"  - {id: s2, stage: i2c, verdict: broken, when: ['b.n >= 2', 'c.name == bob'], explain: 'x', source: t}\n"
		"  - {id: s3, stage: sensor, verdict: broken, when: ['a.n != b.n', 'no d.d'], explain: '{d.d|none}', source: t}\n"
		"  - {id: s4, stage: link, verdict: broken, when: ['not a.n == 5'], explain: 'never', source: t}\n";
	static const char text[] = "alpha 2\nalpha 3\nbeta\nbeta\nname=bob\n";
	struct lumen_doctor_kb *kb2;
	struct lumen_doctor_evidence *ev;
	struct lumen_doctor_report r;
	char err[256] = "";

	(void)state;
	if (lumen_doctor_kb_parse("p.yaml", k, sizeof(k) - 1, &kb2, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(lumen_doctor_evidence_new(kb2, &ev), 0);
	lumen_doctor_evidence_add_text(ev, "t", text, sizeof(text) - 1);
	lumen_doctor_diagnose(kb2, ev, &r);
	assert_int_equal(r.stages[LUMEN_STAGE_POWER].verdict, LUMEN_VERDICT_OK);
	assert_string_equal(r.stages[LUMEN_STAGE_POWER].why, "a is 5");
	assert_int_equal(r.stages[LUMEN_STAGE_POWER].nquotes, 2);
	assert_int_equal(r.stages[LUMEN_STAGE_I2C].verdict, LUMEN_VERDICT_BROKEN);
	assert_int_equal(r.stages[LUMEN_STAGE_SENSOR].verdict, LUMEN_VERDICT_BROKEN);
	assert_string_equal(r.stages[LUMEN_STAGE_SENSOR].why, "none");
	assert_int_equal(r.stages[LUMEN_STAGE_LINK].verdict, LUMEN_VERDICT_UNKNOWN);
	assert_int_equal(r.first_broken, LUMEN_STAGE_I2C);
	lumen_doctor_evidence_free(ev);
	lumen_doctor_kb_free(kb2);
}

/* The facts read from @text (the caller frees the evidence). */
static struct lumen_doctor_evidence *facts_of(const char *text, size_t len)
{
	struct lumen_doctor_evidence *ev;

	assert_int_equal(lumen_doctor_evidence_new(kb, &ev), 0);
	lumen_doctor_evidence_add_text(ev, "t", text, len);
	lumen_doctor_evidence_finish(ev);
	return ev;
}

/* Sections are recognised by content: a prompt titled "stock firmware"
 * makes reference facts; the next prompt ends it. */
static void test_reference_sections(void **state)
{
	static const char text[] =
		"# cat /etc/load.sh   (stock firmware)\n"
		"srcfg 2 1 2 0 1 1\n"
		"# cat /usr/bin/load_sigmastar\n"
		"srcfg 0 1 0 0 0 0\n"
		"## commentary: try srcfg 5 1 2 0 1 1 next\n";
	struct lumen_doctor_evidence *ev;
	int64_t v;

	(void)state;
	ev = facts_of(text, sizeof(text) - 1);
	assert_true(lumen_doctor_fact_num(ev, "ref.srcfg.pad", &v) && v == 2);
	assert_true(lumen_doctor_fact_num(ev, "srcfg.pad", &v) && v == 0);
	lumen_doctor_evidence_free(ev);
}

/* The recognisers added for the second set of public cases extract the
 * facts their knowledge-base entries rest on, whatever the numbers. */
static void test_recogniser_facts(void **state)
{
	static const char text[] =
		"[  231.4] rkisp1: MIPI mis err: 0x00100003\n"
		"[  231.5] rkisp1: MIPI mis error: 0x00e10000\n"
		"[   25.7] cif_isp10_mipi_isr(6867) ERR: mipi_mis icr err: 0x8\n"
		"[   25.8] rkisp1: pre mis err count 60\n"
		"imx708 0-001a: camera module ID 0x0302\n"
		"imx708 10-001a: failed to read chip id 708, with error -5\n"
		"[15-20-20.445][ 4.223873] ov5640_mipi_v3 8-003c: Read reg error: reg=300a\n"
		"[15-20-20.446][ 4.229458] camera ov5640 is not found\n"
		"dtoverlay=vc4-kms-v3d\n"
		"dtoverlay=ov9281,cam0\n"
		"dtoverlay=sc16is752-spi1\n";
	struct lumen_doctor_evidence *ev;
	int64_t v;

	(void)state;
	ev = facts_of(text, sizeof(text) - 1);
	/* MIPI_MIS: FIFO overflow on lanes 0+1 and on lane 3, control error,
	 * protocol, ECC and checksum bits; "pre mis err count" is no value */
	assert_true(lumen_doctor_fact_num(ev, "rkisp1.mis_lines", &v) && v == 3);
	assert_true(lumen_doctor_fact_num(ev, "rkisp1.mis_fifo_overflow", &v) && v == 2);
	assert_true(lumen_doctor_fact_num(ev, "rkisp1.mis_fifo_lanes", &v) && v == 2);
	assert_true(lumen_doctor_fact_num(ev, "rkisp1.mis_protocol", &v) && v == 1);
	assert_true(lumen_doctor_fact_num(ev, "rkisp1.mis_ctrl", &v) && v == 1);
	assert_true(lumen_doctor_fact_num(ev, "rkisp1.mis_ecc", &v) && v == 1);
	assert_true(lumen_doctor_fact_num(ev, "rkisp1.mis_crc", &v) && v == 1);
	assert_true(lumen_doctor_fact_num(ev, "log.mipi_fifo_overflow", &v) && v == 2);
	/* a console logger's stamp before the kernel's is skipped */
	assert_string_equal(lumen_doctor_fact_text(ev, "sensor.driver"), "ov5640");
	assert_true(lumen_doctor_fact_num(ev, "sensor.id_read_failed", &v) && v == 2);
	/* the module that answered and the port that did not (the last
	 * failure read is the NXP one, on 8-003c) */
	assert_string_equal(lumen_doctor_fact_text(ev, "sensor.bound"), "imx708 0-001a");
	assert_string_equal(lumen_doctor_fact_text(ev, "sensor.bound_dev"), "0-001a");
	assert_string_equal(lumen_doctor_fact_text(ev, "sensor.probe_failed_dev"), "8-003c");
	/* only an overlay naming a sensor is a camera overlay */
	assert_string_equal(lumen_doctor_fact_text(ev, "dt.overlay"), "ov9281");
	assert_string_equal(lumen_doctor_fact_text(ev, "dt.overlay_other"), "sc16is752-spi1");
	assert_true(lumen_doctor_fact_num(ev, "dt.config_seen", &v) && v == 1);
	lumen_doctor_evidence_free(ev);
}

/* Knowledge-base line patterns for receiver counters of other vendors:
 * NXP imx-mipi-csis log_status event counts and the Rockchip csi2 host's
 * decoded ERR1/ERR2 lines, with numbers and device names that appear in
 * no case file. */
static void test_receiver_patterns(void **state)
{
	static const char text[] =
		"[  120.2] csis-32e50000.csi: SOT Error events: 7\n"
		"[  120.3] csis-32e50000.csi: Lost Frame Start Error events: 0\n"
		"[  120.4] csis-32e50000.csi: ECC Error events: 2\n"
		"[  120.6] csis-32e50000.csi: Frame Start events: 0\n"
		"[  9.1] mipi0-csi2-hw ERR2:0x100 (ecc,vc: 1) \n"
		"[  9.2] mipi0-csi2-hw ERR1:0x10000000 (ecc2) \n"
		"[  9.3] mipi0-csi2-hw ERR1:0x1000000 (crc,vc: 0) \n"
		"[  9.4] mipi0-csi2-hw ERR2:0x30 (sot,lane:0 1) \n"
		"[  9.5] unicam fe801000.csi: Failed to start media pipeline: -32\n";
	struct lumen_doctor_evidence *ev;
	int64_t v;

	(void)state;
	ev = facts_of(text, sizeof(text) - 1);
	assert_true(lumen_doctor_fact_num(ev, "csi.sot_errors", &v) && v == 7);
	assert_true(lumen_doctor_fact_num(ev, "csi.ecc_errors", &v) && v == 2);
	/* a zero counter is a fact, not an absence */
	assert_true(lumen_doctor_fact_num(ev, "csi.frame_start", &v) && v == 0);
	assert_true(lumen_doctor_fact_num(ev, "csi.frames_seen", &v) && v == 0);
	assert_true(lumen_doctor_fact_num(ev, "log.mipi_errors", &v) && v == 4);
	assert_true(lumen_doctor_fact_num(ev, "log.mipi_ecc_corrected", &v) && v == 1);
	assert_true(lumen_doctor_fact_num(ev, "log.mipi_ecc", &v) && v == 1);
	assert_true(lumen_doctor_fact_num(ev, "log.mipi_crc", &v) && v == 1);
	assert_true(lumen_doctor_fact_num(ev, "log.mipi_sot", &v) && v == 1);
	assert_true(lumen_doctor_fact_num(ev, "log.epipe", &v) && v == 1);
	lumen_doctor_evidence_free(ev);
}

/* ipctool's two ways of naming the sensor it probed. */
static void test_ipctool(void **state)
{
	static const char short_form[] =
		"root@cam:~# ipctool -s\n"
		"imx335_i2c\n";
	static const char report[] =
		"root@cam:~# ipctool\n"
		"chip:\n"
		"  vendor: Ingenic\n"
		"sensors:\n"
		"- vendor: Silicon Optronics\n"
		"  model: JXQ03P\n"
		"  control:\n"
		"    bus: 0\n"
		"firmware:\n"
		"  model: not-a-sensor\n";
	struct lumen_doctor_evidence *ev;

	(void)state;
	ev = facts_of(short_form, sizeof(short_form) - 1);
	assert_string_equal(lumen_doctor_fact_text(ev, "sensor.found"), "imx335");
	assert_string_equal(lumen_doctor_fact_text(ev, "sensor.found_by"), "ipctool");
	lumen_doctor_evidence_free(ev);

	ev = facts_of(report, sizeof(report) - 1);
	/* the list ends at the next top-level key */
	assert_string_equal(lumen_doctor_fact_text(ev, "sensor.found"), "jxq03p");
	assert_string_equal(lumen_doctor_fact_text(ev, "sensor.detected"), "jxq03p");
	lumen_doctor_evidence_free(ev);
}


/* Diagnoses @text (from memory); returns the first broken stage or -1,
 * and the confidence in @conf. */
static int stage_of_text(const char *text, char *conf, size_t size)
{
	struct lumen_doctor_evidence *ev;
	struct lumen_doctor_report *r = malloc(sizeof(*r));
	int st;

	assert_non_null(r);
	assert_int_equal(lumen_doctor_evidence_new(kb, &ev), 0);
	lumen_doctor_evidence_add_text(ev, "paste", text, strlen(text));
	lumen_doctor_diagnose(kb, ev, r);
	st = r->first_broken;
	if (conf)
		snprintf(conf, size, "%s", r->confidence);
	lumen_doctor_evidence_free(ev);
	free(r);
	return st;
}

/*
 * The same failure, worded and pasted differently, gives the same stage:
 * each group is one failure (the issue 15 examples and the families of
 * its list) in spellings of errno, timestamps, quoting and markup that
 * the rules were not written from. None of these texts is in the
 * knowledge base's patterns.
 */
static const struct {
	const char *stage;
	const char *text[7];
} wordings[] = {
	{ "receiver", {
	  "VIDIOC_STREAMON returned -1 (Broken pipe)\n",
	  "> ```\n> $ v4l2-ctl -d /dev/video0 --stream-mmap\n> VIDIOC_STREAMON: failed: Broken pipe\n> ```\n",
	  "ioctl(VIDIOC_STREAMON) failed: -EPIPE\n",
	  "[0:00:01.234] [1234] ERROR V4L2 v4l2_videodevice.cpp:1906 /dev/video0[13:cap]: Failed to start streaming: Broken pipe\n",
	  "Dec 11 17:39:01 pi kernel: unicam fe801000.csi: Failed to start media pipeline: -32\n",
	  NULL } },
	{ "i2c", {
	  "[    6.61] imx219 10-0010: failed to read chip id 219, with error -5\n",
	  "[Mon Dec 11 17:39:01 2023] ov5647 10-0036: write sensor_start_stream failed: Remote I/O error\n",
	  "2023-12-11T17:39:01.123+00:00 cam kernel: [ 6.6] tc358743 10-000f: i2c_rd: reading register 0x0 from 0xf failed\n",
	  "ov5640 1-003c: ov5640_read_reg: error: reg=300a: No such device or address<br>\n",
	  "imx477: probe of 10-001a failed with error -121   # -> this is the camera\n",
	  "&gt; i2c_designware 3f804000.i2c: controller timed out\n",
	  "imx708 10-001a: sensor power on failed: Connection timed out\n" } },
	{ "dma", {
	  "cma: cma_alloc: alloc failed, req-size: 8192 pages, ret: -12\n",
	  "mmal: mmal_vc_port_enable: failed to enable port vc.ril.video_encode:in:0(I420): ENOSPC\n",
	  "VIDIOC_REQBUFS returned -1 (Cannot allocate memory)\n",
	  "Group 1 gets VB of u32PicSize: 3133440 from ddr: (null) fail\n",
	  "HI_MPI_VB_Init failed with 0xa001800c\n",
	  NULL } },
	{ "encoder", {
	  "[SAMPLE_COMM_VENC_Creat]-1234: HI_MPI_VENC_CreateChn [0] faild with 0xa0088003!\n",
	  "MI_VENC_CreateChn failed, err 0xa0022003\n",
	  "[h264_v4l2m2m @ 0x55] Encoder requires width <= 1920, got 3840\n",
	  "[h264_v4l2m2m @ 0x1] Could not find a valid device\n",
	  "x264 [error]: frame size exceeds the maximum of level 4.0\n",
	  NULL } },
	{ "isp", {
	  "rpicam-hello: error while loading shared libraries: libcamera.so.0.2: cannot open shared object file: No such file or directory\n",
	  "ImportError: /usr/lib/libcamera.so: wrong ELF class: ELFCLASS64\n",
	  "[0:01:02.934] [2263] ERROR IPAProxy ipa_proxy.cpp:149 Configuration file tuning.json not found\n",
	  "Mar 3 10:00:00 cam user.err majestic[871]: HI_MPI_ISP_Init failed with 0xa01c8010\n",
	  NULL } },
	{ "vif", {
	  "IMP_FrameSource_EnableChn(0) error: -1\n",
	  "CVI_VI_SetDevAttr failed with 0xc00e8003\n",
	  "HI_MPI_VI_EnableDev failed with 0xa0108007\n",
	  NULL } },
	{ "sensor", {
	  "ERROR: *** no cameras available ***\n",
	  "Cannot open /dev/video0: No such file or directory\n",
	  "[   12.34] sc2336 0-0030: chip id mismatch: read 0xcb3a, expected 0xcb14\n",
	  NULL } },
	{ "link", {
	  "[   3.2] mxc-mipi-csi2.0: mipi_csis_s_stream: fail to enable phy\n",
	  "tegra-camrtc-capture-vi tegra-capture-vi: corr_err: discarding frame 0, flags: 0, err_data 131072\n",
	  NULL } },
	{ "power", {
	  "[    1.5] imx219 10-0010: failed to get xclk: -517\n",
	  "imx219 10-0010: failed to enable regulators: -EPROBE_DEFER\n",
	  NULL } },
	{ "streamer", {
	  "mediamtx: ERR: listen tcp :8554: bind: address already in use\n",
	  NULL } },
	/* the capture input carries no signal (batch6: PiKVM) */
	{ "link", {
	  "The web UI shows \"No Signal\" in large text.\n",
	  "kvmd: capture: no signal on the HDMI input\n",
	  "When the PoE HAT is fitted the HDMI signal is not detected.\n",
	  NULL } },
	/* a kernel module that is not installed: its driver's role */
	{ "sensor", {
	  "modprobe: FATAL: Module imx412 not found in directory /lib/modules/6.18.0\n",
	  "insmod: can't insert 'sensor_sc2335_t31.ko': No such file or directory\n",
	  NULL } },
	{ "receiver", {
	  "modprobe: FATAL: Module bcm2835_unicam not found\n",
	  "-- ERROR [55007.893    stream] -- Can't start capturing: Invalid argument\n",
	  "tc358743_set_csi_color_space: Unsupported format code 0x2006 (the bridge refuses it)\n",
	  NULL } },
	/* the kernel bound the sensor, no program lists a camera (batch5) */
	{ "isp", {
	  "[ 9.36] tegra-camrtc-capture-vi tegra-capture-vi: subdev imx477 9-001a bound\n"
	  "Error generated. gstnvarguscamerasrc.cpp, execute:792 No cameras available\n",
	  "[ 2.1] unicam fe801000.csi: subdev imx708 10-001a bound\n"
	  "ERROR: *** no cameras available ***\n",
	  "The picture comes out in dark green colors.\n",
	  NULL } },
	/* the picture's exposure or sharpness described (batch7) */
	{ "isp", {
	  "When building for the board, the camera returns a dark image.\n",
	  "The preview is very bright even indoors.\n",
	  "Video from the IMX219 is blurry and grainy.\n",
	  "the frames come out much darker than with the vendor app\n",
	  NULL } },
	/* the application's own faults (batch8): a crash located by its
	 * backtrace in a general library, a size no allocation can have, a
	 * media pipeline that does not link, a library built for another
	 * version told in prose */
	{ "streamer", {
	  "Process 812 (streamer) of user 1000 dumped core.\n"
	  "  #0  0x0000ffff8ee4fdd4 memcpy (libc.so.6 + 0x9fdd4)\n"
	  "  #1  0x0000ffff8f2ac398 n/a (libjpeg.so.62 + 0xc398)\n",
	  "Segmentation fault (core dumped)\n"
	  "#0  0x00007f1c2a8b3c41 in png_write_row () from /usr/lib/x86_64-linux-gnu/libpng16.so.16\n",
	  "out.tiff: Failed to allocate memory for tag (-1294967296 elements of 4 bytes each).\n",
	  "cannot allocate 18446744073709551600 bytes for the snapshot buffer\n",
	  NULL } },
	{ "streamer", {
	  "WARNING: erroneous pipeline: could not link v4l2src0 to capsfilter0\n",
	  "streaming stopped, reason not-negotiated (-4)\n",
	  "the viewer fails since it was compiled against libexiv2 0.27 and the system has 0.28\n",
	  NULL } },
	/* ... in a camera component's library: that component's stage */
	{ "isp", {
	  "Segmentation fault (core dumped)\n"
	  "#3  0x0000007f9a1b2c3d in RPiController::Awb::process () from /usr/lib/aarch64-linux-gnu/libcamera/ipa_rpi_vc4.so\n",
	  "app: error while loading shared libraries: libmmal_core.so: cannot open shared object file\n",
	  NULL } },
	/* memory that runs out at a sane size is still memory */
	{ "dma", {
	  "Failed to allocate 8294400 bytes for buffer 3: Cannot allocate memory\n",
	  NULL } },
};

static void test_wordings(void **state)
{
	(void)state;
	for (size_t g = 0; g < sizeof(wordings) / sizeof(wordings[0]); g++)
		for (int i = 0; i < 7 && wordings[g].text[i]; i++) {
			char conf[8];
			int st = stage_of_text(wordings[g].text[i], conf, sizeof(conf));

			if (st < 0 || strcmp(lumen_doctor_stage_name(st), wordings[g].stage))
				fail_msg("'%s': stage %s, expected %s", wordings[g].text[i],
					 st < 0 ? "none" : lumen_doctor_stage_name(st),
					 wordings[g].stage);
			assert_true(conf[0]);
		}
}

/* Lines without a failure give no verdict, however they are pasted. */
static void test_no_failure_no_verdict(void **state)
{
	static const char *const quiet[] = {
		"[    6.58] imx219 10-0010: supply VANA not found, using dummy regulator\n",
		"unicam fe801000.csi: ecc err: 0\n",
		"[0:00:00.1] [12]  INFO Camera camera_manager.cpp:284 libcamera v0.1.0\n",
		"> ```\n> $ dmesg | grep -i error\n> ```\n",
		"## errors seen: none\n",
		"By default the image uses libcamera.\n",	/* "fault" in "default" */
		"Set the log level to debug to see more.\n",	/* "bug" in "debug" */
		"It uses the camera module 3 and the kernel module imx708.\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
		if (stage_of_text(quiet[i], NULL, 0) >= 0)
			fail_msg("'%s' gave a verdict", quiet[i]);
}

/* errno in its spellings (errnames.c). */
static void test_errno_spellings(void **state)
{
	(void)state;
	assert_int_equal(lumen_doctor_errno_in("failed with error -121"), 121);
	assert_int_equal(lumen_doctor_errno_in("returned -1 (Broken pipe)"), 32);
	assert_int_equal(lumen_doctor_errno_in("ret=-EIO"), 5);
	assert_int_equal(lumen_doctor_errno_in("Remote I/O error"), 121);
	assert_int_equal(lumen_doctor_errno_in("No such device or address"), 6);
	assert_int_equal(lumen_doctor_errno_in("read failed: -110"), 110);
	assert_int_equal(lumen_doctor_errno_in("errno=12"), 12);
	assert_int_equal(lumen_doctor_errno_in("VIDIOC_STREAMON returned -1"), 0);
	assert_int_equal(lumen_doctor_errno_in("gain -3 dB"), 0);
	assert_int_equal(lumen_doctor_errno_in("exposure 1-5 lines"), 0);
}

/*
 * The cold batches (docs/doctor.md, "Cold batches"): public cases scored
 * before anything was written for them, kept as regression tests. Each
 * file's header cites its source and the confirmed cause. `right` marks
 * the cases the doctor gets right as of this table: they must stay right;
 * the others (each with the stage it gives) must still name a stage, and
 * each batch's count of right ones must not fall.
 */
#define COLD LUMEN_SOURCE_ROOT "/tests/doctor/cold/"

struct cold_case {
	const char *file;
	const char *stage;	/* confirmed */
	const char *alt;	/* also defensible, or NULL */
	bool right;
};

static const struct cold_case cold_cases[] = {
	{ "batch1-01-openipc-2439.txt", "power", "i2c", false }, /* gives i2c */
	{ "batch1-02-rpicam-apps-534.txt", "sensor", NULL, true },
	{ "batch1-03-mediamtx-1161.txt", "streamer", NULL, true },
	{ "batch1-04-thingino-1318.txt", "sensor", NULL, true },
	{ "batch1-05-nxp-617443.txt", "power", "i2c", false }, /* gives i2c */
	{ "batch1-06-rpi-libcamera-175.txt", "isp", NULL, true },
	{ "batch1-07-crowsnest-143.txt", "isp", NULL, true },
	{ "batch1-08-pine64-arch-256.txt", "receiver", NULL, true },
	{ "batch1-09-thingino-1266.txt", "isp", "sensor", true },
	{ "batch1-10-go2rtc-373.txt", "streamer", NULL, true },
	{ "batch1-11-rpi-linux-5014.txt", "power", NULL, true },
	{ "batch1-12-antmicro-jetson-nano-21.txt", "i2c", "link", false }, /* gives isp */
	{ "batch1-13-divinus-18.txt", "encoder", "streamer", true },
	{ "batch1-14-picamera2-67.txt", "dma", NULL, true },
	{ "batch1-15-milkv-duo-98.txt", "streamer", "dma", true },
	{ "batch1-16-ustreamer-240.txt", "isp", "sensor", false }, /* gives sensor */
	{ "batch1-17-armbian-linux-rockchip-379.txt", "link", "i2c", false }, /* gives i2c */
	{ "batch1-18-thingino-1456.txt", "sensor", NULL, true },
	{ "batch1-19-mediamtx-2581.txt", "isp", NULL, true },
	{ "batch1-20-rpicam-apps-564.txt", "sensor", "isp", false }, /* gives isp */
	{ "batch2-01-openipc-435.txt", "dma", NULL, true },
	{ "batch2-02-rpi-libcamera-145.txt", "isp", NULL, true },
	{ "batch2-03-mediamtx-3715.txt", "isp", "streamer", true },
	{ "batch2-04-nvidia-forum-65604.txt", "vif", "sensor", true },
	{ "batch2-05-mjsxj03hl-24.txt", "sensor", NULL, true },
	{ "batch2-06-motionpie-358.txt", "i2c", "link", false }, /* gives sensor */
	{ "batch2-07-tspi-linux-sdk-19.txt", "isp", NULL, true },
	{ "batch2-08-picam-208.txt", "encoder", NULL, true },
	{ "batch2-09-toradex-device-trees-2.txt", "power", "i2c", false }, /* gives i2c */
	{ "batch2-10-rpicam-apps-508.txt", "encoder", NULL, true },
	{ "batch2-11-meta-qcom-2622.txt", "sensor", "receiver", true },
	{ "batch2-12-motioneye-2941.txt", "receiver", "isp", true },
	{ "batch2-13-yi-hack-mstar-1.txt", "encoder", "streamer", true },
	{ "batch2-14-arducam-arduino-588.txt", "isp", NULL, true },
	{ "batch2-15-openipc-1003.txt", "sensor", NULL, true },
	{ "batch2-16-mediamtx-2084.txt", "isp", NULL, true },
	{ "batch2-17-smart-social-distancing-28.txt", "isp", NULL, true },
	{ "batch2-18-picamera2-753.txt", "encoder", NULL, true },
	{ "batch2-19-dafang-hacks-710.txt", "streamer", NULL, true },
	{ "batch2-20-ustreamer-244.txt", "encoder", NULL, true },
	{ "batch3-01-jetson-inference-1861.txt", "link", NULL, true },
	{ "batch3-02-thingino-1217.txt", "sensor", NULL, true },
	{ "batch3-03-rpicam-apps-660.txt", "sensor", "link", false }, /* gives link */
	{ "batch3-04-camui-25.txt", "dma", NULL, true },
	{ "batch3-05-meta-qcom-2620.txt", "isp", NULL, true },
	{ "batch3-06-openipc-1953.txt", "sensor", "vif", true },
	{ "batch3-07-go2rtc-1041.txt", "encoder", "streamer", false }, /* gives streamer */
	{ "batch3-08-ubuntu-rockchip-864.txt", "isp", NULL, false }, /* gives sensor */
	{ "batch3-09-ti-e2e-1138050.txt", "link", "i2c", false }, /* gives i2c */
	{ "batch3-10-rpi-libcamera-235.txt", "isp", NULL, true },
	{ "batch3-11-yi-hack-allwinner-v2-931.txt", "streamer", "dma", true },
	{ "batch3-12-dafang-hacks-1485.txt", "isp", "sensor", true },
	{ "batch3-13-mediamtx-2647.txt", "isp", "streamer", true },
	{ "batch3-14-picamera2-380.txt", "encoder", NULL, true },
	{ "batch3-15-jetsonhacks-csi-camera-15.txt", "isp", NULL, true },
	{ "batch3-16-ubuntu-rockchip-1220.txt", "sensor", NULL, true },
	{ "batch3-17-bambu-farm-181.txt", "streamer", NULL, true },
	{ "batch3-18-arducam-mipi-camera-13.txt", "encoder", NULL, true },
	{ "batch3-19-camera-streamer-161.txt", "isp", NULL, true },
	{ "batch3-20-rpi-libcamera-103.txt", "isp", "receiver", true },
	{ "batch4-01-openipc-1991.txt", "isp", NULL, true },
	{ "batch4-02-rpi-linux-7523.txt", "receiver", NULL, true },
	{ "batch4-03-jetbot-29.txt", "sensor", NULL, true },
	{ "batch4-04-motioneye-2908.txt", "isp", NULL, true },
	{ "batch4-05-luckfox-pico-161.txt", "isp", NULL, false }, /* gives sensor */
	{ "batch4-06-pine64-arch-540.txt", "receiver", NULL, true },
	{ "batch4-07-nanokvm-118.txt", "sensor", "link", true },
	{ "batch4-08-rpicam-apps-218.txt", "dma", NULL, true },
	{ "batch4-09-dafang-hacks-958.txt", "streamer", NULL, true },
	{ "batch4-10-openipc-221.txt", "dma", NULL, true },
	{ "batch4-11-arducam-mipi-camera-56.txt", "sensor", NULL, true },
	{ "batch4-12-v4l2rtspserver-37.txt", "encoder", "sensor", true },
	{ "batch4-13-rockchip-kernel-125.txt", "dma", "isp", false }, /* gives isp */
	{ "batch4-14-kbingham-libcamera-34.txt", "sensor", NULL, true },
	{ "batch4-15-pp-fedora-sdsetup-68.txt", "receiver", "sensor", true },
	{ "batch4-16-jetson-inference-504.txt", "sensor", NULL, true },
	{ "batch4-17-rpi-cam-web-interface-694.txt", "isp", NULL, true },
	{ "batch4-18-rpi-libcamera-92.txt", "isp", NULL, true },
	{ "batch4-19-motioneye-711.txt", "isp", "streamer", true },
	{ "batch4-20-arducam-raspberrypi-1.txt", "i2c", NULL, true },
	{ "batch5-01-thingino-1327.txt", "sensor", NULL, true },
	{ "batch5-02-rpicam-apps-253.txt", "i2c", "link", false }, /* gives sensor */
	{ "batch5-03-mediamtx-3961.txt", "streamer", "receiver", true },
	{ "batch5-04-go2rtc-1556.txt", "streamer", "encoder", false }, /* gives encoder */
	{ "batch5-05-rpicam-apps-238.txt", "dma", "isp", false }, /* gives isp */
	{ "batch5-06-rpicam-apps-423.txt", "isp", NULL, true },
	{ "batch5-07-motioneye-3167.txt", "receiver", "isp", false }, /* gives sensor */
	{ "batch5-08-picamera2-1090.txt", "isp", "dma", false }, /* gives dma */
	{ "batch5-09-ark-jetson-kernel-14.txt", "isp", NULL, true },
	{ "batch5-10-ubuntu-rockchip-288.txt", "isp", NULL, true },
	{ "batch5-11-meta-qcom-1267.txt", "sensor", NULL, true },
	{ "batch5-12-openipc-2198.txt", "sensor", NULL, true },
	{ "batch5-13-nanokvm-35.txt", "streamer", "encoder", true },
	{ "batch5-14-rpicam-apps-378.txt", "streamer", "encoder", false }, /* gives isp */
	{ "batch5-15-mediamtx-1513.txt", "isp", "streamer", true },
	{ "batch5-16-openipc-140.txt", "sensor", NULL, true },
	{ "batch5-17-nanokvm-497.txt", "link", NULL, true },
	{ "batch5-18-imx294-v4l2-driver-5.txt", "isp", NULL, true },
	{ "batch5-19-thingino-492.txt", "streamer", NULL, true },
	{ "batch5-20-motion-1635.txt", "streamer", NULL, false }, /* gives isp */
	{ "batch6-01-mediamtx-2221.txt", "isp", NULL, true },
	{ "batch6-02-rpicam-apps-828.txt", "i2c", "link", false }, /* gives sensor */
	{ "batch6-03-rpicam-apps-815.txt", "isp", NULL, true },
	{ "batch6-04-jetson-imx708-4.txt", "isp", "sensor", true },
	{ "batch6-05-picam-204.txt", "isp", "streamer", true },
	{ "batch6-06-rpi-linux-3285.txt", "receiver", NULL, true },
	{ "batch6-07-rpicam-apps-436.txt", "sensor", "isp", true },
	{ "batch6-08-motioneye-2787.txt", "streamer", NULL, false }, /* gives isp */
	{ "batch6-09-motioneye-1340.txt", "streamer", NULL, false }, /* gives sensor */
	{ "batch6-10-meta-bsp-imx8mp-1.txt", "i2c", NULL, true },
	{ "batch6-11-ustreamer-248.txt", "receiver", "isp", true },
	{ "batch6-12-pikvm-449.txt", "sensor", NULL, true },
	{ "batch6-13-pikvm-1060.txt", "link", "i2c", true },
	{ "batch6-14-pikvm-677.txt", "power", NULL, false }, /* gives link */
	{ "batch6-15-hyperpixel4-188.txt", "i2c", NULL, false }, /* gives sensor */
	{ "batch6-16-fork-raspiraw-1.txt", "i2c", NULL, true },
	{ "batch6-17-v4l2rtspserver-294.txt", "encoder", "streamer", true },
	{ "batch6-18-rpi-linux-4791.txt", "power", "sensor", false }, /* gives receiver */
	{ "batch6-19-arducam-mipi-camera-90.txt", "sensor", NULL, true },
	{ "batch6-20-pikvm-123.txt", "link", NULL, true },
	{ "batch7-01-rpi-ov5647-clock-noncontinuous.txt", "receiver", "link", false }, /* gives link */
	{ "batch7-02-jetson-vcmipi-imx568-size.txt", "sensor", "vif", false }, /* gives link */
	{ "batch7-03-rockchip-opi5b-rkaiq-3a-multicam.txt", "isp", NULL, true },
	{ "batch7-04-ingenic-sonoffpt2-sc2337p-iq.txt", "isp", "sensor", true },
	{ "batch7-05-goke-majestic-netip-stall.txt", "streamer", NULL, false }, /* gives sensor */
	{ "batch7-06-allwinner-a733-csi-rail-off.txt", "power", NULL, false }, /* gives sensor */
	{ "batch7-07-app-v4l2loopback-odd-width.txt", "dma", "streamer", false }, /* gives sensor */
	{ "batch7-08-rpi-astroarch-dmaheap-perm.txt", "dma", NULL, false }, /* gives sensor */
	{ "batch7-09-jetson-jetbot-argus-stuck.txt", "isp", NULL, true },
	{ "batch7-10-app-mediamtx-libcamera-004-abi.txt", "streamer", "isp", false }, /* gives isp */
	{ "batch7-11-rockchip-nx5-imx219-dark.txt", "sensor", "isp", false }, /* gives isp */
	{ "batch7-12-rpi-ivport-mux-bad-ribbon.txt", "power", "link", false }, /* gives sensor */
	{ "batch7-13-app-motioneyeos-ribbon-split.txt", "link", NULL, false }, /* gives sensor */
	{ "batch7-14-rpi-bcm2835-h264enc-level.txt", "encoder", NULL, true },
	{ "batch7-15-rpi-allsky-cma-buffers.txt", "dma", NULL, true },
	{ "batch8-01-pmos-megapixels-0131-black-image.txt", "streamer", NULL, true },
	{ "batch8-03-pmos-megapixels-libtiff-abi-crash.txt", "streamer", NULL, true },
	{ "batch8-04-pmos-megapixels-freeze-on-capture.txt", "streamer", NULL, false }, /* gives sensor */
	{ "batch8-05-jetson-argus-failed-create-capturesession.txt", "streamer", NULL, false }, /* gives isp */
	{ "batch8-06-jetson-gst-caps-typo-nvvm.txt", "streamer", NULL, true },
	{ "batch8-07-ingenic-t31-jxf37-nrvbs-buffers.txt", "dma", "isp", false }, /* gives sensor */
	{ "batch8-08-ingenic-wyzev2-jxf23-missing-iq-bin.txt", "isp", NULL, true },
	{ "batch8-09-rpi-noir-red-tint-tuning-file.txt", "isp", "streamer", true },
	{ "batch8-10-pmos-megapixels-libtiff470-coredump.txt", "streamer", NULL, true },
	{ "batch8-11-pmos-postprocessd-libraw-abi.txt", "streamer", NULL, true },
	{ "batch8-12-rpi-imx283-mode-switch-frontend-timeout.txt", "sensor", NULL, false }, /* gives link */
	{ "batch8-13-ipu3-ov8865-packet-header-errors-linkfreq.txt", "sensor", "link", false }, /* gives link */
	{ "batch8-14-esp32-ov2640-sccb-write-failed-damaged.txt", "sensor", "i2c", false }, /* gives i2c */
};

static void test_cold_cases(void **state)
{
	int right = 0, want_right = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cold_cases) / sizeof(cold_cases[0]); i++) {
		const struct cold_case *c = &cold_cases[i];
		struct lumen_doctor_evidence *ev;
		struct lumen_doctor_report *r;
		char path[1024];
		const char *got;

		snprintf(path, sizeof(path), "%s%s", COLD, c->file);
		run_case(path, &ev, &r);
		got = r->first_broken < 0 ? "none" : lumen_doctor_stage_name(r->first_broken);
		if (r->first_broken < 0)
			fail_msg("%s: no stage named (expected %s)", c->file, c->stage);
		if (c->right && strcmp(got, c->stage))
			fail_msg("%s: first broken %s, expected %s", c->file, got, c->stage);
		right += !strcmp(got, c->stage);
		want_right += c->right;
		/* a verdict rests on lines */
		if (!r->stages[r->first_broken].nquotes && !r->stages[r->first_broken].why[0])
			fail_msg("%s: verdict without evidence", c->file);
		lumen_doctor_evidence_free(ev);
		free(r);
	}
	assert_true(right >= want_right);
}

/* Every file under tests/doctor/cold/ has a row. */
static void test_cold_all_listed(void **state)
{
	DIR *d = opendir(COLD);
	struct dirent *de;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		bool listed = false;

		if (de->d_name[0] == '.')
			continue;
		for (size_t i = 0; i < sizeof(cold_cases) / sizeof(cold_cases[0]); i++)
			listed |= !strcmp(cold_cases[i].file, de->d_name);
		if (!listed)
			fail_msg("tests/doctor/cold/%s is not in the cold table", de->d_name);
	}
	closedir(d);
}

static void test_kb_counts(void **state)
{
	int p, s, c, n;

	(void)state;
	lumen_doctor_kb_counts(kb, &p, &s, &c, &n);
	assert_true(p >= 30 && s >= 30 && c >= 20 && n >= 8);
	assert_int_equal(lumen_doctor_stage_parse("link"), LUMEN_STAGE_LINK);
	assert_int_equal(lumen_doctor_stage_parse("lens"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_cases_all_listed),
		cmocka_unit_test(test_first_case_facts),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_kb_errors),
		cmocka_unit_test(test_kb_predicates),
		cmocka_unit_test(test_reference_sections),
		cmocka_unit_test(test_recogniser_facts),
		cmocka_unit_test(test_receiver_patterns),
		cmocka_unit_test(test_ipctool),
		cmocka_unit_test(test_kb_counts),
		cmocka_unit_test(test_wordings),
		cmocka_unit_test(test_no_failure_no_verdict),
		cmocka_unit_test(test_errno_spellings),
		cmocka_unit_test(test_cold_cases),
		cmocka_unit_test(test_cold_all_listed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen doctor EVIDENCE... [--json] [--kb FILE] [--facts]
 *
 * Reads the evidence (files, directories, or "-" for stdin), runs the
 * knowledge base over it and prints the stage table, the first broken
 * stage and the ranked causes (or JSON). Exit: 0 report printed, 1 the
 * evidence, the knowledge base, the board or the URL could not be read,
 * 2 usage. Live modes: --board runs a board for a few frames; --url reads
 * a running `lumen serve` twice and diagnoses what changed in between.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doctor/doctor.h"
#include "net/http_get.h"
#include "pipeline/status.h"
#include "tools/commands.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lumen doctor EVIDENCE... [--json] [--kb FILE] [--facts]\n"
		"       lumen doctor --board NAME|FILE [--fault NAME]...   (live: runs the board)\n"
		"       lumen doctor --url http://HOST:PORT [--interval S] (live: a running lumen serve)\n"
		"\n"
		"EVIDENCE is a text file of pasted output (dmesg, logread, /proc dumps,\n"
		"media-ctl -p, i2cdetect, ...), a directory of such files, or - for stdin.\n"
		"Sections are recognised by their content, not by file names.\n"
		"  --json    machine-readable report\n"
		"  --kb FILE knowledge base (default: %s)\n"
		"  --facts   also print the facts read from the evidence\n",
		lumen_doctor_kb_default_path());
}

static int add_stdin(struct lumen_doctor_evidence *ev)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		size_t got;

		if (len == cap) {
			char *nb;

			if (cap >= LUMEN_DOCTOR_MAX_BYTES + 1)
				break;	/* add_text notes the truncation */
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		got = fread(buf + len, 1, cap - len, stdin);
		if (!got)
			break;
		len += got;
	}
	lumen_doctor_evidence_add_text(ev, "stdin", buf, len);
	free(buf);
	return 0;
}

/*
 * Live mode: runs the pipeline on @board for a few frames (`lumen run` in a
 * child, so a crash of the board cannot take the doctor down) and reads
 * everything it printed — stage counters, errors, a bus scan — as evidence.
 */
static int live_run(struct lumen_doctor_evidence *ev, const char *board,
		    const char *const *faults, int nfaults)
{
	char dir[] = "/tmp/lumen-doctor-XXXXXX", cmd[2048], *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *p;
	int n;

	if (!mkdtemp(dir))
		return -errno;
	n = snprintf(cmd, sizeof(cmd),
		     "exec /proc/%d/exe run --board '%s' --frames 3 --timeout 3 -o %s",
		     (int)getpid(), board, dir);
	for (int i = 0; i < nfaults && n > 0 && (size_t)n < sizeof(cmd); i++)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " --fault '%s'",
			      faults[i]);
	if (n < 0 || (size_t)n + 8 >= sizeof(cmd) || strchr(board, '\''))
		return -EINVAL;
	strcat(cmd, " 2>&1");
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	for (;;) {
		size_t got;

		if (len + 4096 > cap) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb)
				break;
			buf = nb;
			cap += 65536;
		}
		got = fread(buf + len, 1, cap - len, p);
		if (!got)
			break;
		len += got;
	}
	pclose(p);
	snprintf(cmd, sizeof(cmd), "lumen run --board %s", board);
	lumen_doctor_evidence_add_text(ev, cmd, buf, len);
	free(buf);
	/* the frames it wrote are not evidence */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		lumen_doctor_evidence_add_text(ev, "doctor", "", 0);
	return 0;
}

#define URL_MAX_STAGES 32

/* One GET of the status table; the stages parsed into @st (count into
 * *@n) and the body's first line (the daemon's own summary) into @head. */
static int url_snapshot(const struct lumen_url *u, struct lumen_stage_status *st,
			int *n, char *head, size_t headlen, char *err,
			size_t errlen)
{
	char *body;
	size_t len;
	int ret = lumen_http_get(u, 5000, 1 << 20, &body, &len, err, errlen);

	if (ret)
		return ret;
	*n = lumen_status_parse(body, len, st, URL_MAX_STAGES);
	if (*n < 0) {
		snprintf(err, errlen, "%.200s port %s%.200s: no stage table in the "
			 "reply (is it lumen serve?)", u->host, u->port, u->path);
		free(body);
		return -EPROTO;
	}
	snprintf(head, headlen, "%.*s", (int)strcspn(body, "\r\n"), body);
	free(body);
	return 0;
}

/*
 * Live mode on a running daemon: cumulative counters say what happened
 * since start, not whether frames flow now, so two snapshots @interval_ms
 * apart are read and their difference is the evidence.
 */
static int live_url(struct lumen_doctor_evidence *ev, const char *url,
		    int interval_ms, char *err, size_t errlen)
{
	struct lumen_stage_status *a, *b, *d;
	struct lumen_url u;
	char head[256], name[1200], *text = NULL;
	int na = 0, nb = 0, len, ret;

	ret = lumen_url_parse(url, &u, err, errlen);
	if (ret)
		return ret;
	if (!strcmp(u.path, "/"))
		snprintf(u.path, sizeof(u.path), "/api/v1/status?format=text");
	a = calloc(3 * URL_MAX_STAGES, sizeof(*a));
	if (!a)
		return -ENOMEM;
	b = a + URL_MAX_STAGES;
	d = b + URL_MAX_STAGES;
	ret = url_snapshot(&u, a, &na, head, sizeof(head), err, errlen);
	if (ret)
		goto free_snapshots;
	usleep((useconds_t)interval_ms * 1000);
	ret = url_snapshot(&u, b, &nb, head, sizeof(head), err, errlen);
	if (ret)
		goto free_snapshots;
	lumen_status_delta(a, na, b, nb, d);
	len = lumen_status_format(d, nb, NULL, 0);
	text = malloc((size_t)len + sizeof(head) + 128);
	if (!text) {
		ret = -ENOMEM;
		goto free_snapshots;
	}
	ret = snprintf(text, sizeof(head) + 128,
		       "%s\nlumen doctor: counters over the last %.1f s\n", head,
		       interval_ms / 1000.0);
	lumen_status_format(d, nb, text + ret, (size_t)len + 1);
	snprintf(name, sizeof(name), "lumen serve at %s", url);
	lumen_doctor_evidence_add_text(ev, name, text, strlen(text));
	ret = 0;
	free(text);
free_snapshots:
	free(a);
	return ret;
}

int lumen_cmd_doctor(int argc, char **argv)
{
	const char *kb_path = NULL, *paths[64];
	struct lumen_doctor_evidence *ev = NULL;
	struct lumen_doctor_report *r = NULL;
	struct lumen_doctor_kb *kb = NULL;
	bool json = false, facts = false;
	int npaths = 0, ret = 1, nfaults = 0;
	const char *board = NULL, *faults[8], *url = NULL;
	int interval_ms = 2000;
	char err[512];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--facts")) {
			facts = true;
		} else if (!strcmp(argv[i], "--kb") && i + 1 < argc) {
			kb_path = argv[++i];
		} else if (!strcmp(argv[i], "--board") && i + 1 < argc) {
			board = argv[++i];
		} else if (!strcmp(argv[i], "--fault") && i + 1 < argc) {
			if (nfaults == 8) {
				fprintf(stderr, "lumen doctor: more than 8 faults\n");
				return 2;
			}
			faults[nfaults++] = argv[++i];
		} else if (!strcmp(argv[i], "--url") && i + 1 < argc) {
			url = argv[++i];
		} else if (!strcmp(argv[i], "--interval") && i + 1 < argc) {
			char *end;
			double s = strtod(argv[++i], &end);

			if (*end || !(s >= 0.1 && s <= 60)) {
				fprintf(stderr, "lumen doctor: --interval '%s': seconds "
					"from 0.1 to 60\n", argv[i]);
				return 2;
			}
			interval_ms = (int)(s * 1000 + 0.5);
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "lumen doctor: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		} else if (npaths < 64) {
			paths[npaths++] = argv[i];
		} else {
			fprintf(stderr, "lumen doctor: more than 64 evidence paths\n");
			return 2;
		}
	}
	if (!npaths && !board && !url) {
		usage(stderr);
		return 2;
	}
	if (!kb_path)
		kb_path = lumen_doctor_kb_default_path();
	if (lumen_doctor_kb_load(kb_path, &kb, err, sizeof(err))) {
		fprintf(stderr, "lumen doctor: %s\n", err);
		return 1;
	}
	r = malloc(sizeof(*r));
	if (!r || lumen_doctor_evidence_new(kb, &ev)) {
		fprintf(stderr, "lumen doctor: out of memory\n");
		goto free_all;
	}
	for (int i = 0; i < npaths; i++) {
		if (!strcmp(paths[i], "-")) {
			if (add_stdin(ev)) {
				fprintf(stderr, "lumen doctor: stdin: out of memory\n");
				goto free_all;
			}
		} else if (lumen_doctor_evidence_add_path(ev, paths[i], err, sizeof(err))) {
			fprintf(stderr, "lumen doctor: %s\n", err);
			goto free_all;
		}
	}
	if (board && live_run(ev, board, faults, nfaults)) {
		fprintf(stderr, "lumen doctor: could not run the board %s\n", board);
		goto free_all;
	}
	if (url && live_url(ev, url, interval_ms, err, sizeof(err))) {
		fprintf(stderr, "lumen doctor: --url: %s\n", err);
		goto free_all;
	}
	if (!lumen_doctor_evidence_lines(ev)) {
		fprintf(stderr, "lumen doctor: no text in the evidence%s%s\n",
			lumen_doctor_evidence_notes(ev)[0] ? ": " : "",
			lumen_doctor_evidence_notes(ev));
		goto free_all;
	}
	lumen_doctor_diagnose(kb, ev, r);
	if (facts)
		lumen_doctor_evidence_dump(ev, json ? stderr : stdout);
	if (json)
		lumen_doctor_report_json(r, stdout);
	else
		lumen_doctor_report_print(r, stdout);
	ret = 0;
free_all:
	lumen_doctor_evidence_free(ev);
	lumen_doctor_kb_free(kb);
	free(r);
	return ret;
}

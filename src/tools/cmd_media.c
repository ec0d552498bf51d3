// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen media: a media-controller graph as `media-ctl -p` prints it, the
 * path lumen would capture from and why; --configure applies that path
 * (links and formats), --validate checks every enabled link of its
 * pipeline as STREAMON will, --set-fmt sets one subdev pad's format (as
 * media-ctl -V does) before either. --board NAME takes the links and
 * formats from a board file's media: key instead (backend/media_plan.h):
 * they are checked on paper first (no device needed: a mismatch, e.g. a
 * pad the driver clamps, is told link by link and nothing is applied);
 * with --configure they are applied and the graph validated.
 *
 *   lumen media [-d /dev/mediaN] [--configure] [--validate]
 *               [--size WxH] [--code CODE] [--set-fmt 'ENTITY:PAD=CODE/WxH']...
 *   lumen media --board NAME [-d /dev/mediaN --configure]
 *
 * Without -d every /dev/media* is shown. Exit status: 0; 1 when a device
 * cannot be read or configured, or validation finds a mismatch (each
 * message names the device, entity, pad and ioctl); 2 usage.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/media.h>

#include "backend/media.h"
#include "backend/media_plan.h"
#include "board/board.h"
#include "sensor/sensor.h"
#include "tools/commands.h"

#define MAX_SETS 8

struct media_opts {
	bool configure, validate;
	uint32_t width, height, code;
	int nsets;
	const char *sets[MAX_SETS];
	const struct lumen_board *board;	/* its media plan, or NULL */
};

static int usage(void)
{
	fprintf(stderr,
		"usage: lumen media [-d /dev/mediaN] [--configure] [--validate]\n"
		"                   [--size WxH] [--code CODE] [--set-fmt 'ENTITY:PAD=CODE/WxH']...\n"
		"       lumen media --board NAME [-d /dev/mediaN --configure]  (the board's media: plan)\n"
		"  CODE: a media bus code name, e.g. SRGGB10_1X10\n");
	return 2;
}

/* 'ENTITY:PAD=CODE/WxH' -> entity index, pad, format */
static int apply_set(struct lumen_media *m, const char *spec, char *err,
		     size_t errlen)
{
	const char *eq = strrchr(spec, '='), *colon;
	char name[64], code[40];
	struct lumen_media_fmt f = { 0 };
	unsigned w, h;
	int ent, pad;

	if (!eq)
		goto bad;
	colon = eq;
	while (colon > spec && *colon != ':')
		colon--;
	if (*colon != ':' || colon == spec || colon - spec >= (long)sizeof(name))
		goto bad;
	snprintf(name, sizeof(name), "%.*s", (int)(colon - spec), spec);
	pad = atoi(colon + 1);
	if (sscanf(eq + 1, "%39[^/]/%ux%u", code, &w, &h) != 3)
		goto bad;
	ent = lumen_media_find(m, name);
	if (ent < 0) {
		snprintf(err, errlen, "%s: --set-fmt '%s': no entity '%s'", m->path, spec, name);
		return -ENOENT;
	}
	if (pad < 0 || pad >= m->entities[ent].npads) {
		snprintf(err, errlen, "%s: --set-fmt '%s': entity '%s' has pads 0..%d",
			 m->path, spec, name, m->entities[ent].npads - 1);
		return -EINVAL;
	}
	f.code = lumen_media_code_parse(code);
	if (!f.code) {
		snprintf(err, errlen, "%s: --set-fmt '%s': unknown bus code '%s'", m->path, spec, code);
		return -EINVAL;
	}
	f.width = w;
	f.height = h;
	f.field = 1;	/* V4L2_FIELD_NONE */
	return lumen_media_set_fmt(m, ent, pad, &f, err, errlen);
bad:
	snprintf(err, errlen, "--set-fmt '%s': want 'ENTITY:PAD=CODE/WxH'", spec);
	return -EINVAL;
}

static void print_path(const struct lumen_media *m,
		       const struct lumen_media_path *p)
{
	printf("lumen's path:\n%s", p->why);
	for (int h = 0; h < p->nhops; h++) {
		const struct lumen_media_hop *hp = &p->hops[h];
		const struct lumen_media_entity *e = &m->entities[hp->entity];

		if (hp->link >= 0) {
			const struct lumen_media_link *l = &m->links[hp->link];

			printf("  -> '%s':%d [%s%s]\n", e->name, hp->sink_pad,
			       (l->flags & MEDIA_LNK_FL_ENABLED) ? "ENABLED" : "to enable",
			       (l->flags & MEDIA_LNK_FL_IMMUTABLE) ? ",IMMUTABLE" : "");
		}
		if (hp->source_pad >= 0)
			printf("  '%s':%d%s%s\n", e->name, hp->source_pad,
			       e->devnode[0] ? " " : "", e->devnode);
		else if (hp->link < 0)
			printf("  '%s' %s\n", e->name, e->devnode);
		else
			printf("     %s\n", e->devnode);
	}
}

/* The board's plan on paper: 0 when it would stream, 1 (report printed)
 * when not. */
static int plan_check(const struct lumen_board *b)
{
	char report[4096];
	int ret = lumen_media_plan_check(&b->media, report, sizeof(report));

	if (ret) {
		printf("board %s: media plan: FAILED before any device is touched\n%s", b->name, report);
		fprintf(stderr, "lumen media: board %s: %s\n", b->name,
			ret == -EPIPE ? "its media plan would fail STREAMON with EPIPE (links above)" :
			"its media plan names a pad no enabled link has");
		return 1;
	}
	printf("board %s: media plan: %d links, %d formats: every enabled link matches on paper\n",
	       b->name, b->media.nlinks, b->media.nformats);
	return 0;
}

/* --board with --configure: the plan applied to @m, then the pipeline of
 * the plan's last sink (its capture node) validated as STREAMON will. */
static int plan_device(struct lumen_media *m, const struct lumen_board *b)
{
	static char report[4096];
	const struct lumen_plan_link *last = &b->media.links[b->media.nlinks - 1];
	char err[512];
	int ret, capture;

	ret = lumen_media_apply_plan(m, &b->media, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "lumen media: board %s: %s\n", b->name, err);
		goto close;
	}
	capture = lumen_media_find(m, last->sink.entity);
	ret = lumen_media_validate(m, capture, report, sizeof(report));
	if (ret)
		printf("validation: FAILED\n%s", report);
	else
		printf("validation: every enabled link of the pipeline of '%s' matches (board %s applied)\n",
		       last->sink.entity, b->name);
close:
	lumen_media_close(m);
	return ret;
}

static int one_device(const char *path, const struct media_opts *o)
{
	/* 30 KB each: not on the stack */
	static struct lumen_media m;
	static char text[65536];
	static char report[4096];
	struct lumen_media_path p;
	char err[512];
	int ret;

	ret = lumen_media_open(path, &m, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "lumen media: %s\n", err);
		return 1;
	}
	for (int i = 0; i < o->nsets; i++) {
		ret = apply_set(&m, o->sets[i], err, sizeof(err));
		if (ret) {
			fprintf(stderr, "lumen media: %s\n", err);
			goto close;
		}
	}
	if (o->board && o->configure)
		return plan_device(&m, o->board) ? 1 : 0;
	ret = lumen_media_choose(&m, o->width, o->height, o->code, &p, err, sizeof(err));
	if (ret && (o->configure || o->validate)) {
		lumen_media_print(&m, text, sizeof(text));
		fputs(text, stdout);
		fputs(p.why, stdout);
		fprintf(stderr, "lumen media: %s\n", err);
		goto close;
	}
	if (!ret && o->configure) {
		ret = lumen_media_configure(&m, &p, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "lumen media: %s\n", err);
			goto close;
		}
	}
	lumen_media_print(&m, text, sizeof(text));
	fputs(text, stdout);
	if (ret) {
		printf("lumen's path: none: %s\n%s", err, p.why);
		ret = 0;	/* showing a graph without a path is not a failure */
		goto close;
	}
	print_path(&m, &p);
	if (o->configure || o->validate) {
		ret = lumen_media_validate(&m, p.capture, report, sizeof(report));
		if (ret) {
			printf("validation: FAILED\n%s", report);
			fprintf(stderr, "lumen media: %s: the pipeline of '%s' would fail STREAMON with EPIPE (links above)\n",
				path, m.entities[p.capture].name);
		} else {
			printf("validation: every enabled link of the pipeline of '%s' matches%s\n",
			       m.entities[p.capture].name,
			       o->configure ? " (configured)" : "");
		}
	}
close:
	lumen_media_close(&m);
	return ret ? 1 : 0;
}

int lumen_cmd_media(int argc, char **argv)
{
	struct media_opts o = { 0 };
	struct lumen_board_opts bopts = { .sensor_known = lumen_sensor_known };
	static struct lumen_board board;
	const char *dev = NULL, *board_name = NULL;
	char err[512];
	int status = 0, found = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--configure")) {
			o.configure = true;
		} else if (!strcmp(a, "--validate")) {
			o.validate = true;
		} else if (!v) {
			return usage();
		} else if (!strcmp(a, "-d")) {
			dev = argv[++i];
		} else if (!strcmp(a, "--board")) {
			board_name = argv[++i];
		} else if (!strcmp(a, "--size")) {
			if (sscanf(argv[++i], "%ux%u", &o.width, &o.height) != 2 ||
			    !o.width || !o.height) {
				fprintf(stderr, "lumen media: --size %s: want WxH\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--code")) {
			o.code = lumen_media_code_parse(argv[++i]);
			if (!o.code) {
				fprintf(stderr, "lumen media: --code %s: unknown bus code\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--set-fmt")) {
			if (o.nsets >= MAX_SETS) {
				fprintf(stderr, "lumen media: at most %d --set-fmt\n", MAX_SETS);
				return 2;
			}
			o.sets[o.nsets++] = argv[++i];
		} else {
			fprintf(stderr, "lumen media: unknown option '%s'\n", a);
			return usage();
		}
	}
	if (board_name) {
		if (lumen_board_load_ex(board_name, &bopts, &board, err, sizeof(err))) {
			fprintf(stderr, "lumen media: %s\n", err);
			return 2;
		}
		if (!board.has_media || !board.media.nlinks) {
			fprintf(stderr, "lumen media: board %s has no media: links\n", board.name);
			return 2;
		}
		if (o.configure && !dev) {
			fprintf(stderr, "lumen media: --board with --configure needs -d /dev/mediaN\n");
			return 2;
		}
		o.board = &board;
		/* on paper first; a device only to apply it */
		if (plan_check(&board))
			return 1;
		if (!o.configure)
			return 0;
	}
	if (dev)
		return one_device(dev, &o);
	for (int i = 0; i < 64; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/dev/media%d", i);
		if (access(path, F_OK))
			continue;
		if (found++)
			printf("\n");
		printf("=== %s\n", path);
		status |= one_device(path, &o);
	}
	if (!found) {
		fprintf(stderr, "lumen media: no /dev/media* (no media-controller driver loaded)\n");
		return 1;
	}
	return status;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen run: the headless pipeline on a board, frames to files.
 *
 *   lumen run --board NAME|FILE [--frames N] [--fault NAME]... -o DIR
 *             [--format jpg|nv12|dng] [--scene chart|flat|IMAGE] [--light X]
 *             [--timeout SECONDS] [--no-3a]
 *   lumen run --backend v4l2 [-d /dev/mediaN] [--size WxH] [--code CODE]
 *             [--ctrl 'NAME=VALUE']... [--no-configure] [--black N] [--list-formats]
 *             [--board NAME|FILE (tuning)] -o DIR [--frames N] ...
 *
 * It prints every stage's counters at the end. Exit status: 0 when the
 * requested frames were written; 1 when frames stopped (the message names
 * the first stage that delivered nothing, or the stage where start-up
 * failed); 2 for usage errors and bad board files.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "backend/media.h"
#include "camera/camera.h"
#include "core/clock.h"
#include "io/dng.h"
#include "io/image_write.h"
#include "pipeline/pipeline.h"
#include "tools/commands.h"

enum out_format { OUT_JPG, OUT_NV12, OUT_DNG };

struct file_sink {
	const char *dir;
	enum out_format fmt;
	int want;
	pthread_mutex_t lock;
	pthread_cond_t done;
	int written, errors;
	int64_t last_progress_ns;
	char error[300];
};

static void note_written(struct file_sink *fs, int err, const char *msg)
{
	pthread_mutex_lock(&fs->lock);
	if (err) {
		fs->errors++;
		snprintf(fs->error, sizeof(fs->error), "%s", msg);
	} else {
		fs->written++;
	}
	fs->last_progress_ns = lumen_now_ns();
	pthread_cond_broadcast(&fs->done);
	pthread_mutex_unlock(&fs->lock);
}

static int file_consume(void *opaque, const struct lumen_frame *f,
			const struct lumen_frame_info *info)
{
	struct file_sink *fs = opaque;
	char path[PATH_MAX], msg[300] = "";
	int err, n;

	pthread_mutex_lock(&fs->lock);
	n = fs->written;
	pthread_mutex_unlock(&fs->lock);
	if (n >= fs->want || fs->fmt == OUT_DNG)
		return 0;
	snprintf(path, sizeof(path), "%s/frame-%04llu.%s", fs->dir,
		 (unsigned long long)info->sequence,
		 fs->fmt == OUT_JPG ? "jpg" : "yuv");
	err = lumen_image_write(path, f, 90, msg, sizeof(msg));
	note_written(fs, err, msg);
	return err;
}

static const struct lumen_sink_ops file_sink_ops = { .consume = file_consume };

/* DNGs are written from the raw tap, on the ISP thread. */
static void dng_tap(void *opaque, const struct lumen_frame *raw,
		    const struct lumen_capture_info *cap)
{
	struct file_sink *fs = opaque;
	char path[PATH_MAX], msg[300] = "";
	int err, n;

	(void)cap;
	pthread_mutex_lock(&fs->lock);
	n = fs->written;
	pthread_mutex_unlock(&fs->lock);
	if (n >= fs->want)
		return;
	/* numbered as written: the source's sequence has gaps wherever
	 * frames were dropped before the ISP */
	snprintf(path, sizeof(path), "%s/frame-%04d.dng", fs->dir, n + 1);
	err = lumen_dng_write(path, raw, NULL, msg, sizeof(msg));
	note_written(fs, err, msg);
}

/* The stalled-consumer fault's victim: a second output that stops after a
 * few frames, as an RTSP client on a dead link would. */
static int idle_consume(void *opaque, const struct lumen_frame *f,
			const struct lumen_frame_info *info)
{
	(void)opaque;
	(void)f;
	(void)info;
	return 0;
}

static const struct lumen_sink_ops idle_sink_ops = { .consume = idle_consume };

/* --list-formats: the source's enum_formats, each code with its largest
 * size. */
static void list_formats(struct lumen_source *src)
{
	struct lumen_source_format f;

	for (int i = 0; !src->ops->enum_formats(src, i, &f); i++)
		printf("format %d: %s %dx%d (%s, %d bits)\n", i,
		       lumen_media_code_name(f.code), f.width, f.height,
		       lumen_bayer_name(f.bayer), f.bits);
}

static int usage(void)
{
	fprintf(stderr,
		"usage: lumen run --board NAME|FILE -o DIR [--frames N] [--fault NAME]...\n"
		"                 [--format jpg|nv12|dng] [--scene chart|flat|IMAGE] [--light X]\n"
		"                 [--timeout SECONDS] [--no-3a]\n"
		"       lumen run --backend v4l2 [-d /dev/mediaN] [--size WxH] [--code CODE]\n"
		"                 [--ctrl 'NAME=VALUE']... [--no-configure] [--black N] [--list-formats]\n"
		"                 -o DIR ...\n"
		"faults:");
	for (int i = 0; i < LUMEN_FAULT_COUNT; i++)
		fprintf(stderr, " %s", lumen_fault_name((enum lumen_fault)i));
	fprintf(stderr, "\n");
	return 2;
}

int lumen_cmd_run(int argc, char **argv)
{
	const char *dir = NULL;
	struct lumen_camera_config cc = { .light = 1.0 };
	struct lumen_pipeline_config pc = { 0 };
	struct lumen_stage_status st[24];
	struct lumen_pipeline *pl = NULL;
	struct lumen_camera *cam;
	struct file_sink fs = { .fmt = OUT_JPG, .want = 10 };
	double timeout_s = 10;
	bool use_3a = true, list = false;
	char err[512], table[8192];
	/* the graph of a V4L2 device can be long */
	static char report[65536];
	int ret = 1, n, stall_sink = -1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--no-3a")) {
			use_3a = false;
			continue;
		}
		if (!strcmp(a, "--list-formats")) {
			list = true;
			continue;
		}
		if (!strcmp(a, "--no-configure")) {
			cc.v4l2.no_configure = true;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--board")) {
			cc.board = v;
		} else if (!strcmp(a, "-o")) {
			dir = v;
		} else if (!strcmp(a, "--frames")) {
			fs.want = atoi(v);
			if (fs.want < 1) {
				fprintf(stderr, "lumen run: --frames %s: need a count >= 1\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--fault")) {
			enum lumen_fault f;

			if (lumen_fault_parse(v, &f)) {
				fprintf(stderr, "lumen run: unknown fault '%s'\n", v);
				return usage();
			}
			cc.faults |= 1u << f;
		} else if (!strcmp(a, "--format")) {
			if (!strcmp(v, "jpg"))
				fs.fmt = OUT_JPG;
			else if (!strcmp(v, "nv12"))
				fs.fmt = OUT_NV12;
			else if (!strcmp(v, "dng"))
				fs.fmt = OUT_DNG;
			else {
				fprintf(stderr, "lumen run: --format %s: jpg, nv12 or dng\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--scene")) {
			if (!strcmp(v, "flat")) {
				cc.scene = LUMEN_SCENE_FLAT;
			} else if (strcmp(v, "chart")) {
				cc.scene = LUMEN_SCENE_IMAGE;
				cc.scene_image = v;
			}
		} else if (!strcmp(a, "--light")) {
			cc.light = atof(v);
		} else if (!strcmp(a, "--timeout")) {
			timeout_s = atof(v);
		} else if (!strcmp(a, "--backend")) {
			if (!strcmp(v, "v4l2")) {
				cc.backend = LUMEN_CAMERA_V4L2;
			} else if (!strcmp(v, "virtual")) {
				cc.backend = LUMEN_CAMERA_VIRTUAL;
			} else {
				fprintf(stderr, "lumen run: --backend %s: virtual or v4l2\n", v);
				return 2;
			}
		} else if (!strcmp(a, "-d")) {
			cc.v4l2.media = v;
		} else if (!strcmp(a, "--size")) {
			if (sscanf(v, "%ux%u", &cc.width, &cc.height) != 2 ||
			    !cc.width || !cc.height || cc.width > LUMEN_MAX_DIM ||
			    cc.height > LUMEN_MAX_DIM) {
				fprintf(stderr, "lumen run: --size %s: want WxH\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--code")) {
			cc.v4l2.code = lumen_media_code_parse(v);
			if (!cc.v4l2.code) {
				fprintf(stderr, "lumen run: --code %s: unknown media bus code\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--ctrl")) {
			if (lumen_v4l2_config_add_ctrl(&cc.v4l2, v)) {
				fprintf(stderr, "lumen run: --ctrl '%s': want 'NAME=VALUE' (at most %d)\n",
					v, LUMEN_V4L2_MAX_CTRLS);
				return 2;
			}
		} else if (!strcmp(a, "--black")) {
			cc.v4l2.black_level = (uint16_t)atoi(v);
		} else {
			fprintf(stderr, "lumen run: unknown option '%s'\n", a);
			return usage();
		}
	}
	if ((!cc.board && cc.backend != LUMEN_CAMERA_V4L2) || !dir)
		return usage();
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "lumen run: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	ret = lumen_camera_open(&cc, &cam, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "lumen run: %s%s\n",
			cc.backend == LUMEN_CAMERA_V4L2 ? "v4l2: " : "", err);
		return ret == -EINVAL ? 2 : 1;
	}
	ret = 1;
	if (cam->has_tuning)
		printf("tuning: %s (ccm%s)\n", cam->tuning.path,
		       cam->isp.lsc ? ", lens shading" : "");
	if (list) {
		if (!cam->src->ops->enum_formats) {
			fprintf(stderr, "lumen run: --list-formats: the %s source has no format list\n",
				cam->src->ops->name);
			goto close_camera;
		}
		list_formats(cam->src);
		ret = 0;
		goto close_camera;
	}
	if (cam->format_note[0])
		printf("%s\n", cam->format_note);

	fs.dir = dir;
	pthread_mutex_init(&fs.lock, NULL);
	pthread_cond_init(&fs.done, NULL);
	lumen_camera_pipeline_config(cam, use_3a, NULL, &pc);
	if (fs.fmt == OUT_DNG) {
		pc.raw_tap = dng_tap;
		pc.raw_tap_opaque = &fs;
	}
	if (lumen_pipeline_create(&pc, &pl)) {
		fprintf(stderr, "lumen run: cannot create the pipeline\n");
		goto close_camera;
	}
	lumen_pipeline_add_sink(pl, "output", &file_sink_ops, &fs, 4, 0);
	if (cc.faults & (1u << LUMEN_FAULT_STALLED_CONSUMER))
		stall_sink = lumen_pipeline_add_sink(pl, "stream", &idle_sink_ops,
						     NULL, 2, 0);

	if (lumen_pipeline_start(pl)) {
		n = lumen_pipeline_status(pl, st, 24);
		lumen_status_format(st, n, table, sizeof(table));
		fputs(table, stdout);
		fprintf(stderr, "lumen run: start failed at stage '%s': %s\n",
			cam->src->failed_stage[0] ? cam->src->failed_stage : "?",
			cam->src->error);
		/* the graph and the path and why; or the bus scan */
		lumen_camera_start_report(cam, report, sizeof(report));
		fputs(report, stdout);
		goto destroy_pipeline;
	}
	if (stall_sink >= 0)
		lumen_pipeline_stall_sink(pl, stall_sink, true);

	/* wait for the frames; give up when nothing arrives for timeout_s */
	pthread_mutex_lock(&fs.lock);
	fs.last_progress_ns = lumen_now_ns();
	while (fs.written < fs.want) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&fs.done, &fs.lock, &ts);
		if (lumen_now_ns() - fs.last_progress_ns > (int64_t)(timeout_s * 1e9))
			break;
	}
	pthread_mutex_unlock(&fs.lock);
	/* counters as they were while running (stop unconfigures blocks) */
	n = lumen_pipeline_status(pl, st, 24);
	lumen_pipeline_stop(pl);

	lumen_status_format(st, n, table, sizeof(table));
	fputs(table, stdout);
	if (cam->ctl) {
		lumen_control_format(cam->ctl, table, sizeof(table));
		fputs(table, stdout);
	}
	if (fs.written >= fs.want) {
		printf("wrote %d frames to %s\n", fs.written, dir);
		ret = 0;
	} else {
		const struct lumen_stage_status *s = lumen_status_first_silent(st, n);

		fprintf(stderr, "lumen run: frames stopped: %d of %d written; "
			"first stage that delivered nothing: %s%s%s\n", fs.written,
			fs.want, s ? s->name : "none (frames slowed down)",
			s && s->note[0] ? ": " : "", s ? s->note : "");
		if (fs.errors)
			fprintf(stderr, "lumen run: last write error: %s\n", fs.error);
	}

destroy_pipeline:
	lumen_pipeline_destroy(pl);
close_camera:
	lumen_camera_close(cam);
	return ret;
}

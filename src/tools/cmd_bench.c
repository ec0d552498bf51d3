// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen bench demosaic: reconstruction quality (CPSNR) on the Kodak and
 * McMaster sets in all four Bayer orders, and speed on a 2560x1440 frame
 * against OpenCV and ffmpeg when they are installed.
 *
 * Every figure is one line "name: value unit" on stdout; progress and
 * skipped peers go to stdout as "skip: ..." lines. Exit status: 0, 1 on an
 * I/O or demosaic error, 2 usage, 77 when the data folder is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io/raw_read.h"
#include "io/rgb_read.h"
#include "isp/demosaic.h"
#include "calib/dark.h"
#include "io/tuning.h"
#include "isp/dpc_eval.h"
#include "isp/isp_band.h"
#include "isp/stages.h"
#include "tools/commands.h"

extern char **environ;

#define SPEED_W 2560
#define SPEED_H 1440
#define BORDER 10

struct method {
	const char *name;
	enum lumen_demosaic_method id;
};

static const struct method methods[] = {
	{ "fast", LUMEN_DEMOSAIC_FAST },
	{ "ri", LUMEN_DEMOSAIC_RI },
	{ "quality", LUMEN_DEMOSAIC_QUALITY },
};
#define N_METHODS ((int)(sizeof(methods) / sizeof(methods[0])))

struct dataset {
	const char *name, *dir;
	int count;
	const char *fmt;	/* file name from a 1-based index */
};

static const struct dataset sets[] = {
	{ "kodak", "kodak", 24, "kodim%02d.png" },
	{ "mcmaster", "mcmaster", 18, "%d.tif" },
};

struct bench {
	void *scratch;
	size_t scratch_size;
};

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of this thread: our methods are single-threaded, and on a
 * shared machine this is steadier than wall time. */
static double cpu_now(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static int run_method(struct bench *b, enum lumen_demosaic_method id,
		      const struct lumen_frame *raw, struct lumen_frame *rgb)
{
	return lumen_demosaic(id, raw, rgb, b->scratch, b->scratch_size);
}

/* Samples @rgb (RGB24) through the CFA @order, scaled to the working range. */
static void mosaic(const struct lumen_frame *rgb, enum lumen_bayer order,
		   struct lumen_frame *raw)
{
	raw->bayer = order;
	raw->bits = LUMEN_WORK_BITS;
	raw->white = LUMEN_WORK_MAX;
	for (int y = 0; y < rgb->height; y++) {
		const uint8_t *s = rgb->data[0] + (size_t)y * rgb->stride[0];
		uint16_t *d = (uint16_t *)(void *)(raw->data[0] +
						   (size_t)y * raw->stride[0]);

		for (int x = 0; x < rgb->width; x++) {
			unsigned v = s[3 * x + lumen_bayer_at(order, x, y)];

			d[x] = (uint16_t)((v * LUMEN_WORK_MAX + 127) / 255);
		}
	}
}

/* CPSNR in dB of @out (RGB16P, working range, rounded to 8 bits) against
 * @ref (RGB24), BORDER pixels excluded on each side. */
static double cpsnr(const struct lumen_frame *ref, const struct lumen_frame *out)
{
	double se = 0.0;
	long long n = 0;

	for (int y = BORDER; y < ref->height - BORDER; y++) {
		const uint8_t *s = ref->data[0] + (size_t)y * ref->stride[0];

		for (int c = 0; c < 3; c++) {
			const uint16_t *o = (const uint16_t *)(const void *)
				(out->data[c] + (size_t)y * out->stride[c]);

			for (int x = BORDER; x < ref->width - BORDER; x++) {
				int v = (int)((o[x] * 255u + LUMEN_WORK_MAX / 2) /
					      LUMEN_WORK_MAX);
				int e = v - s[3 * x + c];

				se += (double)(e * e);
				n++;
			}
		}
	}
	if (!n)
		return 0.0;
	if (se == 0.0)
		return 99.0;
	return 10.0 * log10(255.0 * 255.0 * (double)n / se);
}

/* True when @name is left out of a run restricted to @only (NULL = all). */
static bool excluded(const char *only, const char *name)
{
	return only && strcmp(only, name);
}

/* Only_set / only_method: NULL for all, else the name to keep (development
 * runs of one set or one method). */
static int quality(struct bench *b, const char *data, bool quick,
		   const char *only_set, const char *only_method)
{
	double mean[N_METHODS][2];
	int ret = 0;

	for (int s = 0; s < 2; s++) {
		const struct dataset *ds = &sets[s];
		int count = quick ? 4 : ds->count, orders = quick ? 1 : 4;

		if (excluded(only_set, ds->name))
			continue;

		for (int m = 0; m < N_METHODS; m++)
			mean[m][s] = 0.0;
		for (int k = 1; k <= count; k++) {
			char path[4096], file[64], stem[64];
			struct lumen_frame img, raw, rgb;
			double sum[N_METHODS] = { 0 };

			snprintf(file, sizeof(file), ds->fmt, k);
			snprintf(stem, sizeof(stem), "%s", file);
			*strchr(stem, '.') = '\0';
			snprintf(path, sizeof(path), "%s/%s/%s", data, ds->dir, file);
			ret = lumen_rgb_read(path, &img);
			if (ret) {
				fprintf(stderr, "bench: %s: %s\n", path, strerror(-ret));
				return 1;
			}
			if (lumen_frame_alloc(&raw, LUMEN_PIX_BAYER16, img.width, img.height) ||
			    lumen_frame_alloc(&rgb, LUMEN_PIX_RGB16P, img.width, img.height)) {
				fprintf(stderr, "bench: out of memory\n");
				return 1;
			}
			for (int o = 0; o < orders; o++) {
				mosaic(&img, (enum lumen_bayer)o, &raw);
				for (int m = 0; m < N_METHODS; m++) {
					if (excluded(only_method, methods[m].name))
						continue;
					ret = run_method(b, methods[m].id, &raw, &rgb);
					if (ret) {
						fprintf(stderr, "bench: %s: %s\n",
							methods[m].name, strerror(-ret));
						return 1;
					}
					sum[m] += cpsnr(&img, &rgb);
				}
			}
			for (int m = 0; m < N_METHODS; m++) {
				double v = sum[m] / orders;

				if (excluded(only_method, methods[m].name))
					continue;

				printf("demosaic.%s.%s.%s.cpsnr: %.2f dB\n",
				       methods[m].name, ds->name, stem, v);
				mean[m][s] += v / count;
			}
			fflush(stdout);
			lumen_frame_free(&rgb);
			lumen_frame_free(&raw);
			lumen_frame_free(&img);
		}
	}
	for (int m = 0; m < N_METHODS; m++)
		for (int s = 0; s < 2; s++) {
			if (excluded(only_method, methods[m].name) ||
			    excluded(only_set, sets[s].name))
				continue;
			printf("demosaic.%s.%s.cpsnr: %.2f dB\n", methods[m].name,
			       sets[s].name, mean[m][s]);
		}
	return 0;
}

/* A 2560x1440 RGGB frame: a Kodak image mirrored to size if present, else
 * a synthetic pattern; values in the working range. */
static void speed_frame(struct lumen_frame *raw, const char *data)
{
	char path[4096];
	struct lumen_frame img;
	bool have = false;

	snprintf(path, sizeof(path), "%s/kodak/kodim01.png", data);
	have = lumen_rgb_read(path, &img) == 0;
	raw->bayer = LUMEN_BAYER_RGGB;
	raw->bits = LUMEN_WORK_BITS;
	raw->white = LUMEN_WORK_MAX;
	for (int y = 0; y < raw->height; y++) {
		uint16_t *d = (uint16_t *)(void *)(raw->data[0] +
						   (size_t)y * raw->stride[0]);

		for (int x = 0; x < raw->width; x++) {
			int c = lumen_bayer_at(raw->bayer, x, y);
			unsigned v;

			if (have) {
				/* mirror tiling keeps the texture continuous */
				int sx = x % (2 * img.width), sy = y % (2 * img.height);

				sx = sx < img.width ? sx : 2 * img.width - 1 - sx;
				sy = sy < img.height ? sy : 2 * img.height - 1 - sy;
				v = img.data[0][(size_t)sy * img.stride[0] + 3 * (size_t)sx + c];
			} else {
				v = (unsigned)((x * 7 + y * 3 + c * 50) & 255);
			}
			d[x] = (uint16_t)((v * LUMEN_WORK_MAX + 127) / 255);
		}
	}
	if (have)
		lumen_frame_free(&img);
}

int lumen_bench_run_quiet(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st, ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	ret = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret)
		return -1;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/*
 * OpenCV cv2.cvtColor(COLOR_BayerRG2BGR) on the same frame, single thread
 * (cv2.setNumThreads(1)) like our methods; timed inside python over
 * repeated calls with the thread's CPU time (time.thread_time), as ours.
 * Returns Mpix/s or 0 when unavailable.
 */
static double opencv_speed(const char *file)
{
	char cmd[8192];
	FILE *p;
	double v = 0.0;

	if (access("/usr/bin/python3", X_OK))
		return 0.0;
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c '\n"
		 "import time, numpy as np, cv2\n"
		 "cv2.setNumThreads(1)\n"
		 "a = np.fromfile(\"%s\", dtype=\"<u2\", count=%d*%d).reshape(%d, %d)\n"
		 "cv2.cvtColor(a, cv2.COLOR_BayerRG2BGR)\n"
		 "n = 0; t0 = time.thread_time()\n"
		 "while n < 5 or time.thread_time() - t0 < 1.0:\n"
		 "    cv2.cvtColor(a, cv2.COLOR_BayerRG2BGR); n += 1\n"
		 "print(%d * %d * n / (time.thread_time() - t0) / 1e6)\n"
		 "' 2>/dev/null",
		 file, SPEED_W, SPEED_H, SPEED_H, SPEED_W, SPEED_W, SPEED_H);
	p = popen(cmd, "r");
	if (!p)
		return 0.0;
	if (fscanf(p, "%lf", &v) != 1)
		v = 0.0;
	if (pclose(p) != 0)
		v = 0.0;
	return v;
}

/*
 * ffmpeg bayer_rggb16le -> rgb24 into the null muxer, -threads 1, over a
 * file of @frames frames: wall time of the whole process, start-up and
 * file reading included (nothing subtracted). Returns Mpix/s or 0.
 */
static double ffmpeg_speed(const char *file, int frames)
{
	char size[32];
	char *argv[] = { "ffmpeg", "-nostdin", "-v", "error", "-threads", "1",
			 "-f", "rawvideo", "-pix_fmt", "bayer_rggb16le",
			 "-s", size, "-i", (char *)file, "-threads", "1",
			 "-pix_fmt", "rgb24", "-f", "null", "-", NULL };
	double t0;

	snprintf(size, sizeof(size), "%dx%d", SPEED_W, SPEED_H);
	t0 = now();
	if (lumen_bench_run_quiet(argv) != 0)
		return 0.0;
	return (double)SPEED_W * SPEED_H * frames / (now() - t0) / 1e6;
}

/* Mpix/s of one method on @raw, CPU time of this thread over at least 3
 * runs and 1 s after one warm-up run; -1 if the method fails. */
static double time_method(struct bench *b, enum lumen_demosaic_method id,
			  const struct lumen_frame *raw, struct lumen_frame *rgb)
{
	double t0, t;
	int n = 0;

	if (run_method(b, id, raw, rgb))	/* warm up */
		return -1.0;
	t0 = cpu_now();
	do {
		if (run_method(b, id, raw, rgb))
			return -1.0;
		n++;
		t = cpu_now() - t0;
	} while (n < 3 || t < 1.0);
	return (double)raw->width * raw->height * n / t / 1e6;
}

static int speed(struct bench *b, const char *data, const char *only_method)
{
	const int ff_frames = 20;
	struct lumen_frame raw, rgb;
	double mps[N_METHODS], cv, ff;
	char file[] = "/tmp/lumen-bench-XXXXXX";
	int fd, ret = 0;
	FILE *fp;

	if (lumen_frame_alloc(&raw, LUMEN_PIX_BAYER16, SPEED_W, SPEED_H) ||
	    lumen_frame_alloc(&rgb, LUMEN_PIX_RGB16P, SPEED_W, SPEED_H)) {
		fprintf(stderr, "bench: out of memory\n");
		return 1;
	}
	speed_frame(&raw, data);
	for (int m = 0; m < N_METHODS; m++) {
		mps[m] = 0.0;
		if (excluded(only_method, methods[m].name))
			continue;
		mps[m] = time_method(b, methods[m].id, &raw, &rgb);
		if (mps[m] < 0.0) {
			ret = 1;
			goto out;
		}
		printf("demosaic.%s.speed: %.1f Mpix/s\n", methods[m].name, mps[m]);
		fflush(stdout);
	}
	/* the quality method with the scratch it asks for (strips of 96 rows)
	 * and with enough for one strip holding the whole frame */
	if (!excluded(only_method, "quality")) {
		struct bench whole = {
			.scratch_size = lumen_demosaic_quality_scratch_size_for_rows(SPEED_W,
										     SPEED_H),
		};
		double q;

		printf("demosaic.quality.scratch: %.1f MB\n", b->scratch_size / 1e6);
		whole.scratch = malloc(whole.scratch_size);
		if (whole.scratch) {
			q = time_method(&whole, LUMEN_DEMOSAIC_QUALITY, &raw, &rgb);
			free(whole.scratch);
			if (q < 0.0) {
				ret = 1;
				goto out;
			}
			printf("demosaic.quality.one_strip.scratch: %.1f MB\n",
			       whole.scratch_size / 1e6);
			printf("demosaic.quality.one_strip.speed: %.1f Mpix/s\n", q);
		}
	}

	fd = mkstemp(file);
	fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (!fp) {
		printf("skip: peers (cannot write %s)\n", file);
		goto out;
	}
	for (int f = 0; f < ff_frames; f++)
		for (int y = 0; y < SPEED_H; y++)
			fwrite(raw.data[0] + (size_t)y * raw.stride[0], 2, SPEED_W, fp);
	fclose(fp);

	cv = opencv_speed(file);
	if (cv > 0.0) {
		printf("demosaic.opencv.speed: %.1f Mpix/s\n", cv);
		for (int m = 0; m < N_METHODS; m++)
			if (mps[m] > 0.0)
				printf("demosaic.%s.vs_opencv: %.3g ratio\n",
				       methods[m].name, mps[m] / cv);
	} else {
		printf("skip: opencv (/usr/bin/python3 with cv2 not available)\n");
	}
	ff = ffmpeg_speed(file, ff_frames);
	if (ff > 0.0) {
		printf("demosaic.ffmpeg.speed: %.1f Mpix/s\n", ff);
		for (int m = 0; m < N_METHODS; m++)
			if (mps[m] > 0.0)
				printf("demosaic.%s.vs_ffmpeg: %.3g ratio\n",
				       methods[m].name, mps[m] / ff);
	} else {
		printf("skip: ffmpeg (not available or failed)\n");
	}
	unlink(file);
out:
	lumen_frame_free(&rgb);
	lumen_frame_free(&raw);
	return ret;
}

/* ------------------------------------------------------------------ */
/* lumen bench dpc */

static void usage(FILE *out);

struct dpc_totals {
	long images, defects, corrected, clean_changed;
	double psnr_off[N_METHODS], psnr_on[N_METHODS], residual;
};

/* Images tuned on: odd Kodak numbers, McMaster 1..9; the rest report. */
static bool dpc_tuning_image(int set, int k)
{
	return set == 0 ? (k & 1) : k <= 9;
}

/* Whether image @k of set @set is in @split ("tune", "report", "all"). */
static bool dpc_in_split(int set, int k, const char *split)
{
	const bool tune = dpc_tuning_image(set, k);

	return !(!strcmp(split, "tune") && !tune) &&
	       !(!strcmp(split, "report") && tune);
}

/* Reads image @k of set @set from @data into @img; 0, or 1 after a
 * message naming the file. */
static int dpc_read_image(const char *data, int set, int k, struct lumen_frame *img)
{
	const struct dataset *ds = &sets[set];
	char path[4096], file[64];
	int ret;

	snprintf(file, sizeof(file), ds->fmt, k);
	snprintf(path, sizeof(path), "%s/%s/%s", data, ds->dir, file);
	ret = lumen_rgb_read(path, img);
	if (ret) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(-ret));
		return 1;
	}
	return 0;
}

static void dpc_print(const char *set, const char *split,
		      const struct dpc_totals *t, int methods_mask)
{
	if (!t->images)
		return;
	printf("dpc.%s.%s.images: %ld\n", set, split, t->images);
	printf("dpc.%s.%s.injected: %ld defects\n", set, split, t->defects);
	printf("dpc.%s.%s.corrected: %.3f %%\n", set, split,
	       t->defects ? 100.0 * t->corrected / t->defects : 0.0);
	printf("dpc.%s.%s.residual: %.1f working units (mean |out - truth|)\n",
	       set, split, t->defects ? t->residual / t->defects : 0.0);
	printf("dpc.%s.%s.clean_changed: %.2f pixels per image\n", set, split,
	       (double)t->clean_changed / t->images);
	for (int m = 0; m < N_METHODS; m++) {
		if (!(methods_mask & (1 << m)))
			continue;
		printf("dpc.%s.%s.%s.cpsnr_off: %.3f dB\n", set, split,
		       methods[m].name, t->psnr_off[m] / t->images);
		printf("dpc.%s.%s.%s.cpsnr_on: %.3f dB\n", set, split,
		       methods[m].name, t->psnr_on[m] / t->images);
		printf("dpc.%s.%s.%s.cpsnr_loss: %.4f dB\n", set, split,
		       methods[m].name,
		       (t->psnr_off[m] - t->psnr_on[m]) / t->images);
	}
}

static int dpc_quality(struct bench *b, const char *data, const char *only_set,
		       const char *split, int methods_mask, double density)
{
	static const double densities[] = { 0.0005, 0.002 };
	struct dpc_totals tot[2][2];	/* set, tuning(0)/report(1) */
	struct lumen_dpc_defect *def = NULL;
	int ret = 0;

	memset(tot, 0, sizeof(tot));
	for (int s = 0; s < 2; s++) {
		const struct dataset *ds = &sets[s];

		if (excluded(only_set, ds->name))
			continue;
		for (int k = 1; k <= ds->count; k++) {
			const bool tune = dpc_tuning_image(s, k);
			struct lumen_frame img, raw, work, rgb;
			struct lumen_isp_params prm;
			struct dpc_totals *t = &tot[s][tune ? 0 : 1];
			long changed = 0;
			int maxdef;

			if (!dpc_in_split(s, k, split))
				continue;
			if (dpc_read_image(data, s, k, &img))
				return 1;
			if (lumen_frame_alloc(&raw, LUMEN_PIX_BAYER16, img.width, img.height) ||
			    lumen_frame_alloc(&work, LUMEN_PIX_BAYER16, img.width, img.height) ||
			    lumen_frame_alloc(&rgb, LUMEN_PIX_RGB16P, img.width, img.height)) {
				fprintf(stderr, "bench: out of memory\n");
				return 1;
			}
			maxdef = (int)(0.01 * img.width * img.height) + 16;
			free(def);
			def = malloc(sizeof(*def) * (size_t)maxdef);
			if (!def) {
				fprintf(stderr, "bench: out of memory\n");
				return 1;
			}
			/* the four CFA orders in turn over the images */
			mosaic(&img, (enum lumen_bayer)((k - 1) & 3), &raw);
			lumen_isp_params_default(&prm);

			/* clean: what the DPC changes, and what it costs */
			lumen_frame_copy(&work, &raw);
			lumen_dpc_apply(&work, &prm);
			for (int y = 0; y < raw.height; y++)
				for (int x = 0; x < raw.width; x++)
					changed += ((const uint16_t *)(const void *)
						    (raw.data[0] + (size_t)y * raw.stride[0]))[x] !=
						   ((const uint16_t *)(const void *)
						    (work.data[0] + (size_t)y * work.stride[0]))[x];
			t->clean_changed += changed;
			for (int m = 0; m < N_METHODS; m++) {
				double off, on;

				if (!(methods_mask & (1 << m)))
					continue;
				ret = run_method(b, methods[m].id, &raw, &rgb);
				off = cpsnr(&img, &rgb);
				on = off;
				if (!ret && changed) {
					ret = run_method(b, methods[m].id, &work, &rgb);
					on = cpsnr(&img, &rgb);
				}
				if (ret) {
					fprintf(stderr, "bench: demosaic: %s\n", strerror(-ret));
					return 1;
				}
				t->psnr_off[m] += off;
				t->psnr_on[m] += on;
				printf("dpc.%s.%d.%s.cpsnr_off_on: %.3f %.3f dB\n",
				       ds->name, k, methods[m].name, off, on);
			}

			/* injected defects at two densities */
			for (int d = 0; d < 2; d++) {
				const double dens = density > 0 ? density : densities[d];
				double res;
				int n, ok;

				lumen_frame_copy(&work, &raw);
				n = lumen_dpc_inject(&work, dens, 0.5,
						     (unsigned)(1000 * s + 10 * k + d + 1),
						     def, maxdef);
				lumen_dpc_apply(&work, &prm);
				ok = lumen_dpc_corrected(&work, def, n, &res);
				t->defects += n;
				t->corrected += ok;
				t->residual += res * n;
				printf("dpc.%s.%d.injected_%g: %d of %d corrected%s\n",
				       ds->name, k, dens, ok, n, tune ? " (tuning)" : "");
				if (density > 0)
					break;
			}
			printf("dpc.%s.%d.clean_changed: %ld\n", ds->name, k, changed);
			t->images++;
			fflush(stdout);
			lumen_frame_free(&rgb);
			lumen_frame_free(&work);
			lumen_frame_free(&raw);
			lumen_frame_free(&img);
		}
	}
	free(def);
	for (int s = 0; s < 2; s++) {
		dpc_print(sets[s].name, "tuning", &tot[s][0], methods_mask);
		dpc_print(sets[s].name, "report", &tot[s][1], methods_mask);
	}
	return 0;
}

/*
 * lumen bench dpc --bounds: what the DPC can reach at all, apart from its
 * tests (docs/isp.md, "Defective pixels", bounds). (a) Oracle detection:
 * every injected defect, in raster order, replaced by the DPC's estimate
 * (lumen_dpc_estimate()), with and without the stop short. (b) A single
 * detection score and what it costs on the clean images at the threshold
 * that corrects a given share of the defects: the estimate's miss over
 * the margin, divided by 1 + how badly the same estimate predicts the
 * pixel's neighbours once the pixel itself is replaced by its estimate
 * (real detail is predicted badly around it too; a defect is one sample):
 * the largest of the four direct neighbours, a quarter of the largest of
 * the four diagonal ones and twice the second largest of the eight
 * same-colour ones (weights chosen on the tuning split). It reads a 9x9
 * window, more than the DPC may (5 rows), so it bounds what a wider test
 * could do too. (c) The DPC and that score together: the pixels the DPC
 * leaves, replaced (stopped short) where the score passes the threshold.
 */

/* a clean pixel the score flags at some threshold */
struct dpc_cand {
	int x, y;
	float score;
	uint16_t est[2];	/* the estimate itself, and stopped short */
	bool dpc;		/* the DPC changes it (in the clean frame) */
};

struct dpc_bounds_image {
	struct lumen_frame img;	/* RGB24 */
	enum lumen_bayer order;
	struct dpc_cand *cand;
	int ncand;
};

static inline uint16_t *bench_px(struct lumen_frame *f, int x, int y)
{
	return (uint16_t *)(void *)(f->data[0] + (size_t)y * f->stride[0]) + x;
}

/* dpc.c's margin t + u / 16 */
static double dpc_bounds_margin(unsigned t, int u)
{
	return (double)t + (u > 0 ? u : 0) / 16;
}

/* The score of (x, y) of @f (restored on return); est[0]: its estimate,
 * est[1] stopped short. */
static float dpc_bounds_score(struct lumen_frame *f, int x, int y, unsigned t,
			      uint16_t est[2])
{
	const int w = f->width, h = f->height;
	const uint16_t v = *bench_px(f, x, y);
	const int e = lumen_dpc_estimate(f, x, y, t, false);
	const double r = abs((int)v - e) / dpc_bounds_margin(t, e);
	double direct = 0.0, diag = 0.0, same[2] = { 0.0, 0.0 };

	est[0] = (uint16_t)e;
	est[1] = (uint16_t)lumen_dpc_estimate(f, x, y, t, true);
	if (r <= 1.0)
		return 0.0f;	/* within the noise: never a defect */
	*bench_px(f, x, y) = (uint16_t)e;
	for (int j = -2; j <= 2; j++)
		for (int i = -2; i <= 2; i++) {
			const int nx = lumen_demosaic_mirror(x + i, w);
			const int ny = lumen_demosaic_mirror(y + j, h);
			const int u = *bench_px(f, nx, ny);
			int ue;
			double q;

			if (!i && !j)
				continue;
			ue = lumen_dpc_estimate(f, nx, ny, t, false);
			q = abs(u - ue) / dpc_bounds_margin(t, ue);
			if (abs(i) + abs(j) == 1)
				direct = q > direct ? q : direct;
			else if (abs(i) == 1 && abs(j) == 1)
				diag = q > diag ? q : diag;
			else if (!((i | j) & 1)) {
				if (q > same[0]) {
					same[1] = same[0];
					same[0] = q;
				} else if (q > same[1]) {
					same[1] = q;
				}
			}
		}
	*bench_px(f, x, y) = v;
	return (float)(r / (1.0 + direct + diag / 4 + 2 * same[1]));
}

static int cmp_defect_raster(const void *a, const void *b)
{
	const struct lumen_dpc_defect *p = a, *q = b;

	return p->y != q->y ? p->y - q->y : p->x - q->x;
}

static int cmp_float_desc(const void *a, const void *b)
{
	const float x = *(const float *)a, y = *(const float *)b;

	return (x < y) - (x > y);
}

static int dpc_bounds(struct bench *b, const char *data, const char *only_set,
		      const char *split)
{
	static const double targets[] = { 0.99, 0.98, 0.95, 0.92, 0.90, 0.88, 0.86, 0.85, 0.80 };
	struct dpc_bounds_image *im = NULL;
	struct lumen_dpc_defect *def = NULL;
	/* scores of the defects the estimate corrects, without and with
	 * the stop short */
	float *dscore[3] = { NULL, NULL, NULL };
	long ntot = 0, nd[3] = { 0, 0, 0 }, ok[3] = { 0, 0, 0 };
	int ni = 0, ret = 1;

	for (int s = 0; s < 2; s++) {
		const struct dataset *ds = &sets[s];

		if (excluded(only_set, ds->name))
			continue;
		for (int k = 1; k <= ds->count; k++) {
			struct dpc_bounds_image *I;
			struct lumen_frame raw, work;
			struct lumen_isp_params prm;
			struct lumen_dpc_setup st;
			int maxdef;
			void *grow;

			if (!dpc_in_split(s, k, split))
				continue;
			grow = realloc(im, sizeof(*im) * (size_t)(ni + 1));
			if (!grow)
				goto out;
			im = grow;
			I = &im[ni];
			memset(I, 0, sizeof(*I));
			if (dpc_read_image(data, s, k, &I->img))
				goto out;
			ni++;
			I->order = (enum lumen_bayer)((k - 1) & 3);
			if (lumen_frame_alloc(&raw, LUMEN_PIX_BAYER16, I->img.width, I->img.height))
				goto out;
			if (lumen_frame_alloc(&work, LUMEN_PIX_BAYER16, I->img.width, I->img.height)) {
				lumen_frame_free(&raw);
				goto out;
			}
			mosaic(&I->img, I->order, &raw);
			lumen_isp_params_default(&prm);
			lumen_dpc_setup(&st, &prm, &raw);

			/* the clean pixels the score may flag */
			lumen_frame_copy(&work, &raw);
			lumen_dpc_apply(&work, &prm);
			for (int y = 0; y < raw.height; y++)
				for (int x = 0; x < raw.width; x++) {
					uint16_t est[2];
					const float sc = dpc_bounds_score(&raw, x, y, st.threshold, est);

					if (sc <= 0.0f)
						continue;
					if (I->ncand % 1024 == 0) {
						grow = realloc(I->cand, sizeof(*I->cand) * (size_t)(I->ncand + 1024));
						if (!grow)
							goto free_frames;
						I->cand = grow;
					}
					I->cand[I->ncand++] = (struct dpc_cand){
						x, y, sc, { est[0], est[1] },
						*bench_px(&work, x, y) != *bench_px(&raw, x, y) };
				}

			/* defects as dpc_quality() injects them, in raster order */
			maxdef = (int)(0.01 * raw.width * raw.height) + 16;
			free(def);
			def = malloc(sizeof(*def) * (size_t)maxdef);
			if (!def)
				goto free_frames;
			for (int v = 0; v < 3; v++) {
				grow = realloc(dscore[v], sizeof(float) * (size_t)(nd[v] + 2 * maxdef));
				if (!grow)
					goto free_frames;
				dscore[v] = grow;
			}
			for (int d = 0; d < 2; d++) {
				for (int stop = 0; stop < 2; stop++) {
					int n;

					lumen_frame_copy(&work, &raw);
					n = lumen_dpc_inject(&work, d ? 0.002 : 0.0005, 0.5,
							     (unsigned)(1000 * s + 10 * k + d + 1),
							     def, maxdef);
					qsort(def, (size_t)n, sizeof(*def), cmp_defect_raster);
					for (int i = 0; i < n; i++) {
						const struct lumen_dpc_defect *q = &def[i];
						uint16_t est[2];
						const float sc = dpc_bounds_score(&work, q->x, q->y,
										  st.threshold, est);

						*bench_px(&work, q->x, q->y) = est[stop];
						if (2 * abs((int)est[stop] - (int)q->truth) <=
						    abs((int)q->value - (int)q->truth))
							dscore[stop][nd[stop]++] = sc;
					}
					ok[stop] += lumen_dpc_corrected(&work, def, n, NULL);
					ntot += stop ? n : 0;
				}
				/* (c): the DPC, then the score on what it left */
				lumen_frame_copy(&work, &raw);
				{
					const int n = lumen_dpc_inject(&work, d ? 0.002 : 0.0005, 0.5,
								       (unsigned)(1000 * s + 10 * k + d + 1),
								       def, maxdef);

					lumen_dpc_apply(&work, &prm);
					ok[2] += lumen_dpc_corrected(&work, def, n, NULL);
					for (int i = 0; i < n; i++) {
						const struct lumen_dpc_defect *q = &def[i];
						uint16_t est[2];
						float sc;

						if (*bench_px(&work, q->x, q->y) != q->value)
							continue;	/* the DPC's, right or wrong */
						sc = dpc_bounds_score(&work, q->x, q->y, st.threshold, est);
						if (2 * abs((int)est[1] - (int)q->truth) <=
						    abs((int)q->value - (int)q->truth))
							dscore[2][nd[2]++] = sc;
					}
				}
			}
			printf("dpc.bounds.%s.%d.clean_candidates: %d\n", ds->name, k, I->ncand);
			fflush(stdout);
			lumen_frame_free(&work);
			lumen_frame_free(&raw);
			continue;
free_frames:
			lumen_frame_free(&work);
			lumen_frame_free(&raw);
			goto out;
		}
	}
	if (!ntot)
		goto done;
	printf("dpc.bounds.images: %d (%s split)\n", ni, split);
	printf("dpc.bounds.injected: %ld defects\n", ntot);
	printf("dpc.bounds.oracle.corrected: %.3f %% (every defect replaced by the estimate)\n",
	       100.0 * ok[0] / ntot);
	printf("dpc.bounds.oracle.stop.corrected: %.3f %% (by the estimate stopped short, as the DPC does)\n",
	       100.0 * ok[1] / ntot);
	printf("dpc.bounds.dpc.corrected: %.3f %% (the DPC); with the score at most %.3f %%\n",
	       100.0 * ok[2] / ntot, 100.0 * (ok[2] + nd[2]) / ntot);
	/* way 0: the score, no stop short; 1: stopped short; 2: the DPC and
	 * the score (stopped short) on the pixels it leaves */
	for (int way = 0; way < 3; way++)
	for (size_t ti = 0; ti < sizeof(targets) / sizeof(targets[0]); ti++) {
		static const char *const name[3] = { "score", "score.stop", "dpc_and_score" };
		const int stop = way ? 1 : 0;
		const long need = (long)ceil(targets[ti] * (double)ntot) - (way == 2 ? ok[2] : 0);
		double loss[2] = { 0.0, 0.0 };
		long changed = 0;
		float thr;

		if (!ti)
			qsort(dscore[way], (size_t)nd[way], sizeof(float), cmp_float_desc);
		if (need < 1) {
			printf("dpc.bounds.%s.%.0f: the DPC alone\n", name[way], 100 * targets[ti]);
			continue;
		}
		if (need > nd[way]) {
			printf("dpc.bounds.%s.%.0f: out of reach (%.3f %% at most)\n", name[way],
			       100 * targets[ti], 100.0 * (nd[way] + (way == 2 ? ok[2] : 0)) / ntot);
			continue;
		}
		thr = dscore[way][need - 1];
		for (int i = 0; i < ni; i++) {
			struct dpc_bounds_image *I = &im[i];
			struct lumen_frame raw, work, rgb;
			long ch = 0;

			for (int c = 0; c < I->ncand; c++)
				ch += I->cand[c].score >= thr && !(way == 2 && I->cand[c].dpc);
			changed += ch;
			if (!ch && way != 2)
				continue;
			if (lumen_frame_alloc(&raw, LUMEN_PIX_BAYER16, I->img.width, I->img.height))
				goto out;
			if (lumen_frame_alloc(&work, LUMEN_PIX_BAYER16, I->img.width, I->img.height) ||
			    lumen_frame_alloc(&rgb, LUMEN_PIX_RGB16P, I->img.width, I->img.height)) {
				lumen_frame_free(&work);
				lumen_frame_free(&raw);
				goto out;
			}
			mosaic(&I->img, I->order, &raw);
			lumen_frame_copy(&work, &raw);
			if (way == 2) {
				struct lumen_isp_params prm;

				lumen_isp_params_default(&prm);
				lumen_dpc_apply(&work, &prm);
			}
			for (int c = 0; c < I->ncand; c++)
				if (I->cand[c].score >= thr && !(way == 2 && I->cand[c].dpc))
					*bench_px(&work, I->cand[c].x, I->cand[c].y) = I->cand[c].est[stop];
			for (int m = 0; m < 2; m++) {
				double off = 0.0;

				if (!run_method(b, methods[m].id, &raw, &rgb))
					off = cpsnr(&I->img, &rgb);
				if (!run_method(b, methods[m].id, &work, &rgb))
					loss[m] += off - cpsnr(&I->img, &rgb);
			}
			lumen_frame_free(&rgb);
			lumen_frame_free(&work);
			lumen_frame_free(&raw);
		}
		printf("dpc.bounds.%s.%.0f: clean %.1f pixels flagged per image%s, "
		       "lost fast %.4f dB, ri %.4f dB (threshold %.3f)\n",
		       name[way], 100 * targets[ti], (double)changed / ni,
		       way == 2 ? " beyond the DPC's" : "", loss[0] / ni, loss[1] / ni, thr);
	}
done:
	ret = 0;
out:
	for (int i = 0; i < ni; i++) {
		free(im[i].cand);
		lumen_frame_free(&im[i].img);
	}
	free(im);
	free(def);
	for (int v = 0; v < 3; v++)
		free(dscore[v]);
	return ret;
}

/* The Infinite-ISP dark frame: hot pixels (> 1024 DN of 4095) left above
 * 32 DN after the dynamic DPC alone, and with the map `lumen calibrate
 * --dark` makes of the same frame. */
static void dpc_dark(const char *data)
{
	static uint32_t pos[LUMEN_TUNING_DPC_MAX];
	char path[4096];
	struct lumen_frame raw, work[2];
	struct lumen_dpc_map map = { 0, pos };
	long before = 0, left[2] = { 0, 0 }, above128[2] = { 0, 0 };
	bool ok = true;
	struct lumen_raw_format fmt;
	char err[256];

	snprintf(path, sizeof(path), "%s/raw/infinite_isp/BlackImage_1920x1080_12bits_BGGR.raw",
		 data);
	if (access(path, R_OK)) {
		printf("skip: dark frame %s absent\n", path);
		return;
	}
	/* 12 bits in 16-bit words, black 4 (the data set's README) */
	lumen_raw_format_init(&fmt);
	fmt.width = 1920;
	fmt.height = 1080;
	fmt.bits = 12;
	fmt.container = LUMEN_PIX_BAYER16;
	fmt.bayer = LUMEN_BAYER_BGGR;
	fmt.has_black = true;
	for (int c = 0; c < 4; c++)
		fmt.black[c] = 4;
	if (lumen_raw_read(path, &fmt, &raw, err, sizeof(err))) {
		printf("dpc.dark: %s\n", err);
		return;
	}
	if (lumen_frame_alloc(&work[0], LUMEN_PIX_BAYER16, 1920, 1080) ||
	    lumen_frame_alloc(&work[1], LUMEN_PIX_BAYER16, 1920, 1080)) {
		lumen_frame_free(&raw);
		return;
	}
	for (int k = 0; ok && k < 2; k++) {
		struct lumen_isp_params prm;

		ok = !lumen_blc_apply(&raw, &work[k]);
		lumen_isp_params_default(&prm);
		if (ok && k == 1) {
			ok = !lumen_dark_defects(&work[k], pos, LUMEN_TUNING_DPC_MAX,
						 &map.count, NULL, NULL);
			prm.dpc_map = &map;
		}
		if (ok)
			lumen_dpc_apply(&work[k], &prm);
	}
	for (int y = 0; ok && y < 1080; y++)
		for (int x = 0; x < 1920; x++) {
			const unsigned a = ((const uint16_t *)(const void *)
				(raw.data[0] + (size_t)y * raw.stride[0]))[x];

			before += a > 1024;
			for (int k = 0; k < 2; k++) {
				const unsigned o = ((const uint16_t *)(const void *)
					(work[k].data[0] + (size_t)y * work[k].stride[0]))[x];

				left[k] += a > 1024 && o > 32 * 4;
				above128[k] += o > 128 * 4;
			}
		}
	if (ok) {
		printf("dpc.dark.hot_pixels: %ld (> 1024 DN)\n", before);
		printf("dpc.dark.dynamic.hot_removed: %ld (to <= 32 DN)\n", before - left[0]);
		printf("dpc.dark.dynamic.above_128dn_after: %ld\n", above128[0]);
		printf("dpc.dark.map.pixels: %d\n", map.count);
		printf("dpc.dark.map.hot_removed: %ld (to <= 32 DN)\n", before - left[1]);
		printf("dpc.dark.map.above_128dn_after: %ld\n", above128[1]);
	}
	lumen_frame_free(&work[1]);
	lumen_frame_free(&work[0]);
	lumen_frame_free(&raw);
}

static int bench_dpc(int argc, char **argv, const char *data)
{
	const char *only_set = NULL, *split = "all";
	int mask = 3;
	double density = 0;
	bool bounds = false;
	struct bench b = { 0 };
	char kodak[4096];
	struct stat st;
	int ret;

	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--data") && i + 1 < argc)
			data = argv[++i];
		else if (!strcmp(argv[i], "--set") && i + 1 < argc)
			only_set = argv[++i];
		else if (!strcmp(argv[i], "--split") && i + 1 < argc)
			split = argv[++i];
		else if (!strcmp(argv[i], "--density") && i + 1 < argc)
			density = atof(argv[++i]);
		else if (!strcmp(argv[i], "--bounds"))
			bounds = true;
		else if (!strcmp(argv[i], "--method") && i + 1 < argc) {
			const char *m = argv[++i];

			/* a method of the table, "both" (fast and ri, the
			 * live and the develop default), "all" or "none" */
			mask = !strcmp(m, "both") ? 1 << 0 | 1 << 1 :
			       !strcmp(m, "all") ? (1 << N_METHODS) - 1 : 0;
			for (int k = 0; k < N_METHODS; k++)
				if (!strcmp(m, methods[k].name))
					mask = 1 << k;
			if (!mask && strcmp(m, "none")) {
				usage(stderr);
				return 2;
			}
		} else {
			usage(stderr);
			return 2;
		}
	}
	snprintf(kodak, sizeof(kodak), "%s/kodak", data);
	if (stat(kodak, &st)) {
		fprintf(stderr, "bench: no test data in %s (use --data DIR "
			"or LUMEN_DATA)\n", data);
		return 77;
	}
	/* scratch for the largest picture (768 x 768) of every method run */
	if (bounds)
		mask = 1 << 0 | 1 << 1;	/* --bounds: fast and ri */
	for (int m = 0; m < N_METHODS; m++) {
		size_t need = lumen_demosaic_scratch_size(methods[m].id, 768, 768);

		if (mask & 1 << m && need > b.scratch_size)
			b.scratch_size = need;
	}
	if (b.scratch_size) {
		b.scratch = malloc(b.scratch_size);
		if (!b.scratch)
			return 1;
	}
	if (bounds) {
		ret = dpc_bounds(&b, data, only_set, split);
		free(b.scratch);
		return ret;
	}
	dpc_dark(data);
	ret = dpc_quality(&b, data, only_set, split, mask, density);
	free(b.scratch);
	return ret;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: lumen bench demosaic [--data DIR] [--quick] "
		"[--no-speed] [--no-quality]\n"
		"       [--set kodak|mcmaster] [--method fast|ri|quality]\n"
		"       lumen bench isp [--threads N] [--frames N] [FILE.dng]\n"
		"       lumen bench dpc [--data DIR] [--set kodak|mcmaster]\n"
		"                       [--split tune|report|all]\n"
		"                       [--method fast|ri|quality|both|all|none]\n"
		"                       [--density D] [--bounds]\n"
		"       lumen bench develop [--data DIR] [--quick] [--set kodak|mcmaster]\n"
		"                           [--clean|--noisy] [--keep DIR] [--verbose]\n"
		"                           [--lumen-opt ARG]...\n");
}

int lumen_cmd_bench(int argc, char **argv)
{
	const char *data = getenv("LUMEN_DATA");
	bool quick = false, do_speed = true, do_quality = true;
	const char *only_set = NULL, *only_method = NULL;
	struct bench b;
	struct stat st;
	int ret = 0;

	if (!data || !*data)
		data = "../shared/data";
	if (argc >= 2 && !strcmp(argv[1], "isp"))
		return lumen_cmd_bench_isp(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "dpc"))
		return bench_dpc(argc, argv, data);
	if (argc >= 2 && !strcmp(argv[1], "develop"))
		return lumen_cmd_bench_develop(argc, argv, data);
	if (argc < 2 || strcmp(argv[1], "demosaic")) {
		usage(stderr);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--data") && i + 1 < argc)
			data = argv[++i];
		else if (!strcmp(argv[i], "--quick"))
			quick = true;
		else if (!strcmp(argv[i], "--no-speed"))
			do_speed = false;
		else if (!strcmp(argv[i], "--no-quality"))
			do_quality = false;
		else if (!strcmp(argv[i], "--set") && i + 1 < argc &&
			 (!strcmp(argv[i + 1], "kodak") ||
			  !strcmp(argv[i + 1], "mcmaster")))
			only_set = argv[++i];
		else if (!strcmp(argv[i], "--method") && i + 1 < argc &&
			 (!strcmp(argv[i + 1], "fast") ||
			  !strcmp(argv[i + 1], "ri") ||
			  !strcmp(argv[i + 1], "quality")))
			only_method = argv[++i];
		else {
			usage(stderr);
			return 2;
		}
	}
	b.scratch_size = lumen_demosaic_quality_scratch_size(SPEED_W, SPEED_H);
	b.scratch = malloc(b.scratch_size);
	if (!b.scratch) {
		fprintf(stderr, "bench: out of memory\n");
		return 1;
	}
	if (do_quality) {
		char kodak[4096];

		snprintf(kodak, sizeof(kodak), "%s/kodak", data);
		if (stat(kodak, &st)) {
			fprintf(stderr, "bench: no test data in %s (use --data DIR "
				"or LUMEN_DATA)\n", data);
			free(b.scratch);
			return 77;
		}
		ret = quality(&b, data, quick, only_set, only_method);
	}
	if (!ret && do_speed)
		ret = speed(&b, data, only_method);
	free(b.scratch);
	return ret;
}

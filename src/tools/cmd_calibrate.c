// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen calibrate: white balance and colour matrix from a raw shot of a
 * ColorChecker Classic, written as a tuning file.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calib/ccm_fit.h"
#include "calib/lsc_fit.h"
#include "calib/dark.h"
#include "isp/stages.h"
#include "calib/colorchecker.h"
#include "io/develop_input.h"
#include "io/raw_read.h"
#include "io/sidecar.h"
#include "io/tuning.h"
#include "tools/commands.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lumen calibrate DNG|RAW [--size WxH] [--bits N] [--bayer ORDER]\n"
		"                       [--black N|N,N,N,N] [--white N]\n"
		"                       [--packing none|raw10|raw12] [--sidecar FILE]\n"
		"                       [--corners x0,y0,x1,y1,x2,y2,x3,y3]\n"
		"                       [--sensor NAME] -o TUNING.yaml\n"
		"       lumen calibrate --flat FLAT [raw format options] -o TUNING.yaml\n"
		"       lumen calibrate --dark DARK [raw format options] -o TUNING.yaml\n"
		"\n"
		"Finds the ColorChecker Classic in RAW (or uses --corners: the\n"
		"outer corners of the patch grid, starting at dark skin, then\n"
		"bluish green, black, white), fits white balance and a colour\n"
		"matrix, prints CIEDE2000 before/after and writes the tuning file.\n"
		"With --flat, measures the lens-shading gain grid from a raw shot of\n"
		"a uniformly lit surface instead and adds it to TUNING.yaml (the\n"
		"file's other keys are kept; it is created if absent).\n"
		"With --dark, finds the defective pixels of a dark frame (lens\n"
		"capped, the exposure and gain of use) and writes them as the\n"
		"defect map (dpc_map) and its read noise as noise[1], likewise.\n");
}

/* Parses up to @max comma-separated numbers; returns how many, or -1. */
static int parse_list(const char *s, double *v, int max)
{
	int n = 0;

	while (*s) {
		char *end;

		if (n == max)
			return -1;
		errno = 0;
		v[n++] = strtod(s, &end);
		if (errno || end == s)
			return -1;
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return n;
}

/* TIFF byte-order mark (a DNG); false for anything unreadable. */
static bool is_tiff(const char *path)
{
	unsigned char b[4];
	FILE *f = fopen(path, "rb");
	bool yes;

	if (!f)
		return false;
	yes = fread(b, 1, 4, f) == 4 &&
	      ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) ||
	       (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42));
	fclose(f);
	return yes;
}

static void print_corners(const char *label, const double c[8])
{
	printf("%s: %.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n", label, c[0],
	       c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
}

/*
 * --flat: the lens-shading grid of @frame (a flat field) into the tuning
 * file @out, keeping what it already holds. Returns the exit status.
 */
static int calibrate_flat(const struct lumen_frame *frame, const char *path,
			  const char *sensor, const char *out)
{
	struct lumen_tuning t;
	float *gain[4];
	char err[512];
	int gw, gh, bx = 0, by = 0, ret;

	lumen_tuning_init(&t);
	ret = lumen_tuning_load(out, &t, err, sizeof(err));
	if (ret && ret != -ENOENT) {
		fprintf(stderr, "calibrate: %s\n", err);
		return 1;
	}
	lumen_lsc_fit_grid(frame->width, frame->height, &gw, &gh);
	for (int c = 0; c < 4; c++)
		gain[c] = t.lsc_gain[c];
	ret = lumen_lsc_fit(frame, gw, gh, gain, &bx, &by);
	if (ret == -ERANGE) {
		if (bx < 0)
			fprintf(stderr, "calibrate: %s: the centre is nearly black "
				"or clipped: not a flat field at a usable exposure\n",
				path);
		else
			fprintf(stderr, "calibrate: %s: grid node %d,%d (of %dx%d) is "
				"clipped or more than %gx darker than the centre: "
				"not a flat field\n", path, bx, by, gw, gh,
				2 * LUMEN_LSC_FIT_MAX_GAIN);
		return 1;
	}
	if (ret) {
		fprintf(stderr, "calibrate: %s: frame too small for a %dx%d grid\n",
			path, gw, gh);
		return 1;
	}
	t.lsc_w = gw;
	t.lsc_h = gh;
	if (sensor)
		snprintf(t.sensor, sizeof(t.sensor), "%s", sensor);
	printf("calibrate.lsc.grid: %dx%d nodes\n", gw, gh);
	for (int c = 0; c < 4; c++)
		printf("calibrate.lsc.cell%d.corners: %.3f %.3f %.3f %.3f gain "
		       "(top-left, top-right, bottom-left, bottom-right)\n", c,
		       gain[c][0], gain[c][gw - 1], gain[c][(gh - 1) * gw],
		       gain[c][gh * gw - 1]);
	ret = lumen_tuning_save(out, &t, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "calibrate: %s\n", err);
		return 1;
	}
	printf("calibrate.tuning: %s\n", out);
	return 0;
}

/*
 * --dark: the defect map and read noise of @frame (a dark frame) into the
 * tuning file @out, keeping what it already holds. Returns the exit status.
 */
static int calibrate_dark(const struct lumen_frame *frame, const char *path,
			  const char *sensor, const char *out)
{
	struct lumen_tuning *t = malloc(sizeof(*t));
	struct lumen_frame work;
	char err[512];
	double sigma = 0.0;
	unsigned level = 0;
	int ret, status = 1;

	if (!t || lumen_frame_alloc(&work, LUMEN_PIX_BAYER16, frame->width,
				    frame->height)) {
		fprintf(stderr, "calibrate: out of memory\n");
		free(t);
		return 1;
	}
	lumen_tuning_init(t);
	ret = lumen_tuning_load(out, t, err, sizeof(err));
	if (ret && ret != -ENOENT) {
		fprintf(stderr, "calibrate: %s\n", err);
		goto done;
	}
	if (lumen_blc_apply(frame, &work)) {
		fprintf(stderr, "calibrate: %s: white level not above black\n", path);
		goto done;
	}
	ret = lumen_dark_defects(&work, t->dpc_pos, LUMEN_TUNING_DPC_MAX,
				 &t->dpc_count, &sigma, &level);
	if (ret) {
		fprintf(stderr, "calibrate: %s: %s\n", path, strerror(-ret));
		goto done;
	}
	if (!t->has_noise)
		t->noise[0] = 0.0f;
	t->noise[1] = (float)(sigma * sigma);
	t->has_noise = true;
	if (sensor)
		snprintf(t->sensor, sizeof(t->sensor), "%s", sensor);
	printf("calibrate.dark.defects: %d pixels\n", t->dpc_count);
	printf("calibrate.dark.level: %u working units\n", level);
	printf("calibrate.dark.read_noise: %.2f working units\n", sigma);
	ret = lumen_tuning_save(out, t, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "calibrate: %s\n", err);
		goto done;
	}
	printf("calibrate.tuning: %s\n", out);
	status = 0;
done:
	lumen_frame_free(&work);
	free(t);
	return status;
}

int lumen_cmd_calibrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "corners", required_argument, NULL, 'c' },
		{ "sensor", required_argument, NULL, 'n' },
		{ "flat", required_argument, NULL, 'f' },
		{ "dark", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct lumen_raw_format fmt;
	struct lumen_frame frame = { 0 };
	struct lumen_cc_sample s[LUMEN_CC_PATCHES];
	struct lumen_ccm_result r;
	struct lumen_tuning t;
	const char *out = NULL, *sensor = NULL, *raw, *flat = NULL, *dark = NULL;
	double corners[8];
	bool have_corners = false;
	char err[512], *base, *tmp;
	int opt, ret;

	/* the raw format options are lumen's shared ones (io/sidecar.h) */
	lumen_raw_format_init(&fmt);
	if (lumen_raw_format_from_options(&fmt, &argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "calibrate: %s\n", err);
		return 2;
	}
	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			if (parse_list(optarg, corners, 8) != 8) {
				fprintf(stderr, "calibrate: bad --corners '%s' "
					"(want 8 numbers x0,y0,...,x3,y3)\n",
					optarg);
				return 2;
			}
			have_corners = true;
			break;
		case 'n':
			sensor = optarg;
			break;
		case 'f':
			flat = optarg;
			break;
		case 'd':
			dark = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (dark && (flat || optind != argc || have_corners)) {
		fprintf(stderr, "calibrate: --dark finds defective pixels only; "
			"calibrate the rest in other runs\n");
		return 2;
	}
	if (dark)
		flat = NULL;
	if (flat && (optind != argc || have_corners)) {
		fprintf(stderr, "calibrate: --flat measures lens shading only; "
			"calibrate the chart in a second run\n");
		return 2;
	}
	if ((!flat && !dark && optind != argc - 1) || !out) {
		fprintf(stderr, "calibrate: need one RAW file and -o TUNING\n");
		usage(stderr);
		return 2;
	}
	raw = dark ? dark : flat ? flat : argv[optind];
	if (fmt.width <= 0 && fmt.height <= 0 && is_tiff(raw)) {
		/* a DNG carries its own layout (size, CFA, levels) */
		struct lumen_develop_input in;

		ret = lumen_develop_input_load_dng(raw, &in, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "calibrate: %s\n", err);
			return 1;
		}
		frame = in.frame;
	} else {
		if (lumen_raw_format_check(&fmt, raw, err, sizeof(err))) {
			fprintf(stderr, "calibrate: %s\n", err);
			return 2;
		}
		ret = lumen_raw_read16(raw, &fmt, 0, &frame, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "calibrate: %s\n", err);
			return 1;
		}
	}

	if (dark) {
		ret = calibrate_dark(&frame, dark, sensor, out);
		lumen_frame_free(&frame);
		return ret;
	}
	if (flat) {
		ret = calibrate_flat(&frame, flat, sensor, out);
		lumen_frame_free(&frame);
		return ret;
	}
	if (!have_corners) {
		ret = lumen_cc_detect(&frame, corners);
		if (ret) {
			fprintf(stderr, "calibrate: %s: no ColorChecker found%s\n",
				raw, ret == -ENOENT ? " (pass --corners)" : "");
			goto fail;
		}
	}
	ret = lumen_cc_sample_oriented(&frame, corners, s);
	if (ret) {
		fprintf(stderr, "calibrate: %s: %s\n", raw,
			ret == -ENOENT ? "no ColorChecker at these corners "
					 "(no neutral row found)"
				       : ret == -ERANGE
						 ? "chart corners reach outside the frame"
						 : "bad chart corners");
		goto fail;
	}
	if (!have_corners)
		fprintf(stderr, "calibrate: chart found; to reuse it pass "
			"--corners as printed below\n");
	print_corners("calibrate.corners", corners);
	ret = lumen_ccm_fit(s, &r);
	if (ret) {
		fprintf(stderr, "calibrate: %s: cannot fit: too few usable "
			"patches (clipped or too dark neutrals?)\n", raw);
		goto fail;
	}

	printf("%-3s %-14s %8s %8s %8s %6s %6s  %s\n", "#", "patch", "R", "G",
	       "B", "before", "after", "");
	for (int p = 0; p < LUMEN_CC_PATCHES; p++) {
		if (r.used[p])
			printf("%-3d %-14s %8.4f %8.4f %8.4f %6.2f %6.2f\n",
			       p + 1, lumen_cc_ref[p].name, s[p].rgb[0],
			       s[p].rgb[1], s[p].rgb[2], r.de_before[p],
			       r.de_after[p]);
		else
			printf("%-3d %-14s %8.4f %8.4f %8.4f %6s %6s  %s\n",
			       p + 1, lumen_cc_ref[p].name, s[p].rgb[0],
			       s[p].rgb[1], s[p].rgb[2], "-", "-",
			       s[p].clipped ? "clipped" : "unusable");
	}
	printf("calibrate.patches.used: %d count\n", r.n_used);
	printf("calibrate.wb: %.4f %.4f %.4f gain\n", r.wb[0], r.wb[1],
	       r.wb[2]);
	for (int i = 0; i < 3; i++)
		printf("calibrate.ccm.row%d: %.4f %.4f %.4f\n", i, r.ccm[i][0],
		       r.ccm[i][1], r.ccm[i][2]);
	printf("calibrate.exposure: %.4f gain\n", r.exposure);
	printf("calibrate.delta_e.mean.before: %.2f dE00\n", r.de_before_mean);
	printf("calibrate.delta_e.max.before: %.2f dE00\n", r.de_before_max);
	printf("calibrate.delta_e.mean.after: %.2f dE00\n", r.de_after_mean);
	printf("calibrate.delta_e.max.after: %.2f dE00\n", r.de_after_max);

	lumen_tuning_init(&t);
	tmp = strdup(raw);
	base = tmp ? basename(tmp) : (char *)"raw";
	snprintf(t.sensor, sizeof(t.sensor), "%s", sensor ? sensor : base);
	t.has_black = true;
	memcpy(t.black, frame.black, sizeof(t.black));
	t.white = frame.white;
	t.has_wb = true;
	t.has_ccm = true;
	for (int i = 0; i < 3; i++) {
		t.wb[i] = (float)r.wb[i];
		for (int j = 0; j < 3; j++)
			t.ccm[i][j] = (float)r.ccm[i][j];
	}
	t.exposure = (float)r.exposure;
	t.delta_e_mean = (float)r.de_after_mean;
	t.delta_e_max = (float)r.de_after_max;
	snprintf(t.source, sizeof(t.source),
		 "lumen calibrate %s --corners %.1f,%.1f,%.1f,%.1f,%.1f,%.1f,"
		 "%.1f,%.1f", base, corners[0], corners[1], corners[2],
		 corners[3], corners[4], corners[5], corners[6], corners[7]);
	free(tmp);
	ret = lumen_tuning_save(out, &t, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "calibrate: %s\n", err);
		goto fail;
	}
	printf("calibrate.tuning: %s\n", out);
	lumen_frame_free(&frame);
	return 0;
fail:
	lumen_frame_free(&frame);
	return 1;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen develop: one raw file (plain dump or DNG) into a picture, through
 * the same ISP that runs on every frame of the live pipeline.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#ifdef __GLIBC__
#include <malloc.h>
#include <sys/mman.h>
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "algo/develop.h"
#include "core/frame.h"
#include "core/log.h"
#include "io/develop_input.h"
#include "io/image_write.h"
#include "io/raw_read.h"
#include "io/sidecar.h"
#include "io/tuning.h"
#include "isp/isp.h"
#include "isp/stages.h"
#include "tools/commands.h"

static void usage(FILE *out)
{
	fprintf(out,
"usage: lumen develop IN -o OUT [options]\n"
"\n"
"IN is a DNG or a plain raw dump; OUT is .jpg .png .ppm .yuv (NV12) or .dng\n"
"(the raw frame as read, black/white levels and colour data kept).\n"
"\n"
"picture:\n"
"  --demosaic fast|ri|best     (default ri; quality = best)\n"
"  --demosaic-on srgb|linear   the samples it interpolates: sRGB-encoded\n"
"                              (default) or linear light\n"
"  --wb auto|grey-world|white-patch|grey-edge|as-shot|tuning|R,G,B\n"
"                              (default: as-shot when the file has it, else auto)\n"
"  --tuning FILE               black level, colour matrix, lens shading\n"
"                              (and wb with --wb tuning)\n"
"  --ccm m00,m01,...,m22       white-balanced camera RGB -> linear sRGB\n"
"  --exposure auto|GAIN        (default auto: log-average to mid-grey)\n"
"  --contrast 0..1             S-curve on top of the sRGB curve (default 0.25)\n"
"  --no-dpc                    keep defective pixels\n"
"  --denoise off|fast|quality  noise reduction from the file's NoiseProfile,\n"
"                              the tuning's noise, or the frame (default quality)\n"
"  --denoise-strength S        its strength, 1 = as the noise model says\n"
"  --sharpen AMOUNT            luma sharpening, 0 = off (default: the tuning's,\n"
"                              else 0)\n"
"  --quality N                 JPEG quality (default 92)\n"
"  --yuv-matrix 601|709 --full-range\n"
"input limits (a hostile header can claim any size; refused beyond these):\n"
"  --max-pixels N|NM           stored raw pixels; NM is N x 2^20\n"
"                              (default %llu = %lluM)\n"
"  --max-memory MB             MiB the loader may hold (default %llu)\n"
"plain raw format (or --sidecar FILE: lumen, Infinite-ISP, fast-openISP or\n"
"openISP config):\n"
"  --size WxH --bits N --bayer rggb|grbg|gbrg|bggr --packing none|raw10|raw12\n"
"  --black N|N,N,N,N --white N --offset BYTES --stride BYTES --endian le|be\n",
		(unsigned long long)LUMEN_INPUT_DESKTOP_MAX_PIXELS,
		(unsigned long long)(LUMEN_INPUT_DESKTOP_MAX_PIXELS >> 20),
		(unsigned long long)(LUMEN_INPUT_DESKTOP_MAX_MEMORY >> 20));
}

static int parse_floats(const char *s, float *v, int n)
{
	for (int i = 0; i < n; i++) {
		char *end;

		errno = 0;
		v[i] = strtof(s, &end);
		if (errno || end == s || !isfinite(v[i]))
			return -EINVAL;
		s = end;
		if (i < n - 1) {
			if (*s != ',')
				return -EINVAL;
			s++;
		}
	}
	return *s ? -EINVAL : 0;
}

static const char *extension(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot && !strchr(dot, '/') ? dot + 1 : "";
}

struct develop_opts {
	const char *in, *out, *tuning_path;
	enum lumen_demosaic_method demosaic;
	bool demosaic_perceptual;
	enum { WB_DEFAULT, WB_AUTO, WB_AS_SHOT, WB_TUNING, WB_GAINS } wb_mode;
	enum lumen_awb_method awb_method;
	float wb[3];
	bool has_ccm;
	float ccm[3][3];
	float exposure;		/* 0 = auto */
	float contrast;
	bool dpc;
	enum lumen_denoise_method denoise;
	float denoise_strength;
	float sharpen;		/* < 0: the tuning's or the default */
	int quality;
	enum lumen_yuv_matrix matrix;
	bool full_range;
	struct lumen_input_limits limits;
};

/* A positive count, with an M (x 2^20) suffix when @mega, at most @max. */
static int parse_count(const char *s, bool mega, unsigned long long max,
		       unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (mega && (*end == 'M' || *end == 'm')) {
		if (v > max >> 20)
			return -ERANGE;
		v <<= 20;
		end++;
	}
	if (*end || v == 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Parses the picture options; the raw-format options were taken out of
 * argv before. Returns 0 or 2 (usage) with a message printed. */
static int parse_opts(int argc, char **argv, struct develop_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->demosaic = LUMEN_DEMOSAIC_RI;
	o->demosaic_perceptual = true;
	o->contrast = 0.25f;
	o->dpc = true;
	o->denoise = LUMEN_DENOISE_QUALITY;
	o->denoise_strength = 1.0f;
	o->sharpen = -1.0f;
	o->quality = 92;
	o->awb_method = LUMEN_AWB_COMBINED;
	o->limits = lumen_input_limits_desktop;
	o->limits.raise_pixels = "--max-pixels N";
	o->limits.raise_memory = "--max-memory MB";

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes_value = true;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--no-dpc")) {
			o->dpc = false;
			takes_value = false;
		} else if (!strcmp(a, "--full-range")) {
			o->full_range = true;
			takes_value = false;
		} else if (a[0] != '-' || !a[1]) {
			if (o->in) {
				fprintf(stderr, "lumen develop: more than one input ('%s' and '%s')\n", o->in, a);
				return 2;
			}
			o->in = a;
			takes_value = false;
		}
		if (!takes_value)
			continue;
		if (!v) {
			fprintf(stderr, "lumen develop: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "-o")) {
			o->out = v;
		} else if (!strcmp(a, "--demosaic")) {
			if (!strcmp(v, "fast"))
				o->demosaic = LUMEN_DEMOSAIC_FAST;
			else if (!strcmp(v, "ri"))
				o->demosaic = LUMEN_DEMOSAIC_RI;
			else if (!strcmp(v, "best") || !strcmp(v, "quality"))
				o->demosaic = LUMEN_DEMOSAIC_QUALITY;
			else
				goto bad_value;
		} else if (!strcmp(a, "--demosaic-on")) {
			if (!strcmp(v, "srgb"))
				o->demosaic_perceptual = true;
			else if (!strcmp(v, "linear"))
				o->demosaic_perceptual = false;
			else
				goto bad_value;
		} else if (!strcmp(a, "--denoise")) {
			if (!strcmp(v, "off"))
				o->denoise = LUMEN_DENOISE_OFF;
			else if (!strcmp(v, "fast"))
				o->denoise = LUMEN_DENOISE_FAST;
			else if (!strcmp(v, "quality"))
				o->denoise = LUMEN_DENOISE_QUALITY;
			else
				goto bad_value;
		} else if (!strcmp(a, "--denoise-strength")) {
			if (parse_floats(v, &o->denoise_strength, 1) ||
			    o->denoise_strength < 0 || o->denoise_strength > 8)
				goto bad_value;
		} else if (!strcmp(a, "--sharpen")) {
			if (parse_floats(v, &o->sharpen, 1) || o->sharpen < 0 ||
			    o->sharpen > 8)
				goto bad_value;
		} else if (!strcmp(a, "--wb")) {
			if (!strcmp(v, "as-shot"))
				o->wb_mode = WB_AS_SHOT;
			else if (!strcmp(v, "tuning"))
				o->wb_mode = WB_TUNING;
			else if (!lumen_awb_parse_method(v, &o->awb_method))
				o->wb_mode = WB_AUTO;
			else if (!parse_floats(v, o->wb, 3) && o->wb[0] > 0 &&
				 o->wb[1] > 0 && o->wb[2] > 0)
				o->wb_mode = WB_GAINS;
			else
				goto bad_value;
		} else if (!strcmp(a, "--tuning")) {
			o->tuning_path = v;
		} else if (!strcmp(a, "--ccm")) {
			if (parse_floats(v, &o->ccm[0][0], 9))
				goto bad_value;
			o->has_ccm = true;
		} else if (!strcmp(a, "--exposure")) {
			if (!strcmp(v, "auto"))
				o->exposure = 0;
			else if (parse_floats(v, &o->exposure, 1) || !(o->exposure > 0) ||
				 o->exposure > 256)
				goto bad_value;
		} else if (!strcmp(a, "--contrast")) {
			if (parse_floats(v, &o->contrast, 1) || o->contrast < 0 ||
			    o->contrast > 1)
				goto bad_value;
		} else if (!strcmp(a, "--quality")) {
			float q;

			if (parse_floats(v, &q, 1) || q < 1 || q > 100)
				goto bad_value;
			o->quality = (int)q;
		} else if (!strcmp(a, "--max-pixels")) {
			unsigned long long n;

			/* LUMEN_MAX_DIM squared is the most any reader accepts */
			if (parse_count(v, true, (unsigned long long)LUMEN_MAX_DIM * LUMEN_MAX_DIM, &n))
				goto bad_value;
			o->limits.max_pixels = n;
		} else if (!strcmp(a, "--max-memory")) {
			unsigned long long mb;

			/* below 2^24 MiB (16 TiB), so the byte count cannot overflow */
			if (parse_count(v, false, (1ull << 24) - 1, &mb))
				goto bad_value;
			o->limits.max_memory = mb << 20;
		} else if (!strcmp(a, "--yuv-matrix")) {
			if (!strcmp(v, "601"))
				o->matrix = LUMEN_YUV_BT601;
			else if (!strcmp(v, "709"))
				o->matrix = LUMEN_YUV_BT709;
			else
				goto bad_value;
		} else {
			fprintf(stderr, "lumen develop: unknown option '%s'\n", a);
			return 2;
		}
		continue;
bad_value:
		fprintf(stderr, "lumen develop: bad value '%s' for %s\n", v, a);
		return 2;
	}
	if (!o->in || !o->out) {
		usage(stderr);
		return 2;
	}
	return 0;
}

static void print_gains(const char *what, const float g[3])
{
	printf("develop.wb.%s: %.4f %.4f %.4f gains\n", what, g[0], g[1], g[2]);
}

/*
 * One file is developed through a sequence of large, short-lived buffers
 * (the file, the raw, the denoise planes, the demosaic scratch, the
 * output). By default glibc maps each through mmap and unmaps it on free,
 * so every stage faults its pages in afresh, one 4 KiB page at a time:
 * about a third of the process's time on a small DNG (a fault costs
 * 10-20 us on the benchmark machine, a virtual one). Instead the buffers
 * stay in the heap (up to glibc's largest mmap threshold, MMAP_MAX: 32 MiB
 * on 64-bit, 16 MiB on 32-bit; larger ones are still mapped), where a
 * freed buffer's pages serve the next, and HEAP_BLOCKS blocks of heap just
 * under that size are reserved up front and marked for transparent huge
 * pages: a first touch then maps 2 MiB at once. Untouched reserve costs
 * address space only; but with MALLOC_PERTURB_ set (meson test sets it)
 * glibc fills every block it hands out and takes back, which would touch
 * the whole reserve, so there is none then. All of it is advice: any step
 * refused leaves the default behaviour.
 */
#define MMAP_MAX ((size_t)4 * 1024 * 1024 * sizeof(long))	/* glibc's */
#define HUGE_PAGE ((uintptr_t)2 << 20)
#define HEAP_BLOCK (MMAP_MAX - HUGE_PAGE)
#define HEAP_BLOCKS 3

static void keep_heap(void)
{
#ifdef __GLIBC__
	void *p[HEAP_BLOCKS];
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	int n = 0;

	if (!mallopt(M_MMAP_THRESHOLD, (int)MMAP_MAX) ||
	    !mallopt(M_TRIM_THRESHOLD, INT_MAX) || getenv("MALLOC_PERTURB_"))
		return;
	/* contiguous at the heap's top; freed, they merge into one chunk */
	for (; n < HEAP_BLOCKS; n++) {
		p[n] = malloc(HEAP_BLOCK);
		if (!p[n])
			break;
		lo = (uintptr_t)p[n] < lo ? (uintptr_t)p[n] : lo;
		hi = (uintptr_t)p[n] + HEAP_BLOCK > hi ? (uintptr_t)p[n] + HEAP_BLOCK : hi;
	}
#ifdef MADV_HUGEPAGE
	lo = (lo + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	hi &= ~(HUGE_PAGE - 1);
	if (n == HEAP_BLOCKS && hi > lo &&
	    hi - lo <= HEAP_BLOCKS * HEAP_BLOCK + HUGE_PAGE)	/* contiguous */
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);	/* advice only */
#endif
	while (n--)
		free(p[n]);
#endif
}

int lumen_cmd_develop(int argc, char **argv)
{
	struct lumen_raw_format fmt;
	struct develop_opts o;
	struct lumen_develop_input input;
	struct lumen_tuning tuning;
	struct lumen_lsc_map lsc;
	struct lumen_dpc_map dpc_map;
	struct lumen_develop_settings settings;
	struct lumen_develop_report report;
	struct lumen_isp *isp = NULL;
	struct lumen_frame out = { 0 };
	enum lumen_pixfmt out_fmt;
	const char *ext;
	char err[512] = "";
	int ret, status = 1;

	keep_heap();
	lumen_raw_format_init(&fmt);
	ret = lumen_raw_format_from_options(&fmt, &argc, argv, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "lumen develop: %s\n", err);
		return 2;
	}
	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;

	ext = extension(o.out);
	if (!strcasecmp(ext, "jpg") || !strcasecmp(ext, "jpeg") ||
	    !strcasecmp(ext, "png") || !strcasecmp(ext, "ppm")) {
		out_fmt = LUMEN_PIX_RGB24;
	} else if (!strcasecmp(ext, "yuv")) {
		out_fmt = LUMEN_PIX_NV12;
	} else if (!strcasecmp(ext, "dng")) {
		out_fmt = LUMEN_PIX_NONE;
	} else {
		fprintf(stderr, "lumen develop: %s: unknown output type '.%s' "
			"(use .jpg .png .ppm .yuv or .dng)\n", o.out, ext);
		return 2;
	}

	lumen_tuning_init(&tuning);
	if (o.tuning_path &&
	    lumen_tuning_load(o.tuning_path, &tuning, err, sizeof(err))) {
		fprintf(stderr, "lumen develop: %s\n", err);
		return 1;
	}

	ret = lumen_develop_input_load_limits(o.in, &fmt, &o.limits, &input, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "lumen develop: %s\n", err);
		return 1;
	}
	for (int i = 0; i < input.n_warnings && i < LUMEN_RAW_MAX_WARNINGS; i++)
		fprintf(stderr, "%s: warning: %s\n", o.in, input.warnings[i]);
	if (input.n_warnings > LUMEN_RAW_MAX_WARNINGS)
		fprintf(stderr, "%s: warning: %d more tags could not be used\n", o.in,
			input.n_warnings - LUMEN_RAW_MAX_WARNINGS);
	if (input.note[0])
		fprintf(stderr, "lumen develop: note: %s\n", input.note);
	if (tuning.has_black && !fmt.has_black && !input.levels_from_file) {
		memcpy(input.frame.black, tuning.black, sizeof(tuning.black));
		if (tuning.white)
			input.frame.white = tuning.white;
	}
	printf("develop.input: %s %dx%d %s %d-bit black %u,%u,%u,%u white %u\n",
	       o.in, input.frame.width, input.frame.height,
	       lumen_bayer_name(input.frame.bayer), input.frame.bits,
	       input.frame.black[0], input.frame.black[1], input.frame.black[2],
	       input.frame.black[3], input.frame.white);

	if (out_fmt == LUMEN_PIX_NONE) {
		ret = lumen_develop_input_save_dng(o.out, &input, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "lumen develop: %s\n", err);
			goto free_input;
		}
		printf("develop.output: %s\n", o.out);
		status = 0;
		goto free_input;
	}

	if ((out_fmt == LUMEN_PIX_NV12) &&
	    ((input.frame.width | input.frame.height) & 1)) {
		fprintf(stderr, "lumen develop: %s: %dx%d is odd; NV12 needs even sizes\n",
			o.in, input.frame.width, input.frame.height);
		goto free_input;
	}
	ret = lumen_isp_create(&isp, input.frame.width, input.frame.height);
	if (ret) {
		fprintf(stderr, "lumen develop: %s: cannot set up the ISP for %dx%d: %s\n",
			o.in, input.frame.width, input.frame.height, strerror(-ret));
		goto free_input;
	}
	ret = lumen_frame_alloc(&out, out_fmt, input.frame.width, input.frame.height);
	if (ret) {
		fprintf(stderr, "lumen develop: out of memory\n");
		goto free_isp;
	}

	lumen_develop_settings_default(&settings);
	settings.dpc = o.dpc;
	settings.demosaic = o.demosaic;
	settings.demosaic_perceptual = o.demosaic_perceptual;
	settings.contrast = o.contrast;
	settings.yuv_matrix = o.matrix;
	settings.yuv_full_range = o.full_range;
	settings.exposure = o.exposure;
	settings.awb_method = o.awb_method;
	settings.denoise = o.denoise;
	settings.denoise_strength = o.denoise_strength;
	if (o.sharpen >= 0)
		settings.sharpen = o.sharpen;
	else if (tuning.has_sharpen)
		settings.sharpen = tuning.sharpen;
	/* the DPC's noise model: the file's own, else the tuning's; else
	 * the DPC estimates it from the frame */
	if (input.has_noise) {
		memcpy(settings.dpc_noise, input.noise, sizeof(settings.dpc_noise));
		printf("develop.dpc.noise: NoiseProfile %.4g %.4g (working units)\n",
		       input.noise[0], input.noise[1]);
	} else if (tuning.has_noise) {
		memcpy(settings.dpc_noise, tuning.noise, sizeof(settings.dpc_noise));
		printf("develop.dpc.noise: tuning %s %.4g %.4g (working units)\n",
		       o.tuning_path, tuning.noise[0], tuning.noise[1]);
	}
	if (lumen_tuning_dpc_map(&tuning, &dpc_map)) {
		/* the tuning's defect map (lumen calibrate --dark) */
		settings.dpc_map = &dpc_map;
		printf("develop.dpc.map: tuning %s, %d pixels\n", o.tuning_path,
		       dpc_map.count);
	}
	if (lumen_tuning_lsc_map(&tuning, &lsc)) {
		/* the tuning's lens-shading grid (lumen calibrate --flat) */
		settings.lsc = &lsc;
		printf("develop.lsc: tuning %s, %dx%d grid\n", o.tuning_path,
		       lsc.grid_w, lsc.grid_h);
	}

	if (o.wb_mode == WB_DEFAULT)
		o.wb_mode = input.has_neutral ? WB_AS_SHOT : WB_AUTO;
	settings.auto_wb = o.wb_mode == WB_AUTO;
	switch (o.wb_mode) {
	case WB_AS_SHOT:
		if (!input.has_neutral) {
			fprintf(stderr, "lumen develop: %s has no as-shot neutral; "
				"use --wb auto or gains\n", o.in);
			goto free_out;
		}
		lumen_awb_gains_from_neutral(input.neutral, settings.wb);
		break;
	case WB_TUNING:
		if (!tuning.has_wb) {
			fprintf(stderr, "lumen develop: --wb tuning: %s has no wb\n",
				o.tuning_path ? o.tuning_path : "(no --tuning file)");
			goto free_out;
		}
		memcpy(settings.wb, tuning.wb, sizeof(settings.wb));
		break;
	case WB_GAINS:
		memcpy(settings.wb, o.wb, sizeof(settings.wb));
		break;
	default:
		break;
	}

	if (o.has_ccm) {
		memcpy(settings.ccm, o.ccm, sizeof(settings.ccm));
		printf("develop.ccm: given\n");
	} else if (tuning.has_ccm) {
		memcpy(settings.ccm, tuning.ccm, sizeof(settings.ccm));
		printf("develop.ccm: tuning %s\n", o.tuning_path);
	} else if (input.has_ccm) {
		memcpy(settings.ccm, input.ccm, sizeof(settings.ccm));
		printf("develop.ccm: from the file's colour matrix\n");
	} else {
		printf("develop.ccm: identity (no tuning, no usable colour matrix in the file)\n");
	}

	ret = lumen_develop_frame(isp, &input.frame, &settings, &out, &report);
	if (ret) {
		fprintf(stderr, "lumen develop: %s: ISP failed: %s\n", o.in,
			ret == -ENOSYS ? "this demosaic method is not built" : strerror(-ret));
		goto free_out;
	}
	if (settings.auto_wb && !report.awb_valid)
		fprintf(stderr, "lumen develop: note: %s: too little usable signal "
			"for auto white balance; gains left at 1\n", o.in);
	print_gains(o.wb_mode == WB_AUTO ? "auto" : o.wb_mode == WB_AS_SHOT ?
		    "as_shot" : o.wb_mode == WB_TUNING ? "tuning" : "given", report.wb);
	if (o.exposure <= 0) {
		printf("develop.exposure.mean_before: %.4f\n", report.ae.mean_before);
		printf("develop.exposure.p99_before: %.4f\n", report.ae.p99_before);
	}
	printf("develop.exposure: %.3f gain\n", report.exposure);
	for (int i = 0; i < lumen_isp_stage_count; i++)
		printf("develop.time.%s: %.2f ms\n", lumen_isp_stages[i]->name,
		       isp->ctr[i].ns_last / 1e6);

	ret = lumen_image_write(o.out, &out, o.quality, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "lumen develop: %s\n", err);
		goto free_out;
	}
	printf("develop.output: %s\n", o.out);
	status = 0;

free_out:
	lumen_frame_free(&out);
free_isp:
	lumen_isp_destroy(isp);
free_input:
	lumen_develop_input_free(&input);
	return status;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen bench develop: `lumen develop` with its defaults against
 * `dcraw -w -q 3` on unprocessed DNGs made from the Kodak and McMaster
 * images, clean and noisy, side by side in one run.
 *
 * Each image becomes a camera raw: the 8-bit sRGB picture through the
 * inverse sRGB curve to linear sRGB, times a strong green camera cast
 * (CAST below: the camera's response to white), 12 bits with black 256,
 * ColorMatrix1 = diag(CAST) x (XYZ -> linear sRGB), AsShotNeutral = CAST,
 * and the CFA order rotating over the images (image k: order k mod 4). The
 * noisy copy is that signal as FULL_WELL electrons at white with Poisson
 * shot noise and READ_NOISE electrons of Gaussian read noise, written with
 * the matching DNG NoiseProfile. Both programs run as processes on the
 * DNG file and write an 8-bit PPM; dcraw also runs with -n T for each
 * threshold of DCRAW_N on the noisy files, and its best per image counts.
 *
 * Scoring: the renderings differ in exposure and tone curve (lumen's
 * auto exposure and S-curve, dcraw's auto brightness and plain gamma), so
 * each output is first mapped through its own least-squares monotone tone
 * curve (one 256-entry table shared by R, G and B, fitted per image: the
 * mean original value at each output code, made non-decreasing by pool-
 * adjacent-violators, weighted by counts) and then scored by PSNR on 8
 * bits over R, G and B against the original, BORDER pixels left out on
 * each side. Same procedure for both programs. Wall time is that of the
 * process, load and write included.
 *
 * Lines "develop.SET.NOISE.METHOD.psnr: X dB" (mean over images),
 * "....time: X s" (sum), "develop.SET.NOISE.psnr_gain: X dB" (lumen -
 * dcraw) and "develop.SET.NOISE.time_ratio: X" (lumen / dcraw). Exit 77
 * when the data or dcraw is missing.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "calib/colour.h"
#include "io/dng.h"
#include "io/rgb_read.h"
#include "tools/commands.h"

#define BORDER 10
#define RAW_BLACK 256
#define RAW_WHITE 4095
#define FULL_WELL 500.0	/* electrons at white: a high gain */
#define READ_NOISE 4.0		/* electrons rms */
#define MAX_ARGS 16

static const float CAST[3] = { 0.42f, 1.0f, 0.55f };
static const int DCRAW_N[] = { 100, 200, 400, 800, 1600, 3200 };
#define N_THRESH ((int)(sizeof(DCRAW_N) / sizeof(DCRAW_N[0])))

/* XYZ (D65) -> linear sRGB */
static const float XYZ_TO_SRGB[3][3] = {
	{ 3.2404542f, -1.5371385f, -0.4985314f },
	{ -0.9692660f, 1.8760108f, 0.0415560f },
	{ 0.0556434f, -0.2040259f, 1.0572252f },
};

/*
 * A set of pictures: @count files named by @fmt (printf of 1..count) in
 * @dir under --data, or, for --photos, the @files listed (names in @dir).
 */
struct set {
	const char *name, *dir, *fmt;
	int count;
	char **files;
};

static const struct set sets[] = {
	{ "kodak", "kodak", "kodim%02d.png", 24 },
	{ "mcmaster", "mcmaster", "%d.tif", 18 },
};

struct opts {
	const char *data, *only_set, *keep, *photos;
	bool quick, clean, noisy, verbose;
	const char *lumen_args[MAX_ARGS];
	int n_lumen_args;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* xorshift64* and Box-Muller: reproducible noise, same on every host */
struct rng {
	uint64_t s;
};

static double uniform(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return ((double)((r->s * 2685821657736338717ull) >> 11) + 0.5) * 0x1p-53;
}

static double gauss(struct rng *r)
{
	return sqrt(-2.0 * log(uniform(r))) * cos(2.0 * M_PI * uniform(r));
}

/* Poisson of mean @m: exact (Knuth) below 30, normal approximation above */
static double poisson(struct rng *r, double m)
{
	if (m < 30.0) {
		double l = exp(-m), p = uniform(r);
		int k = 0;

		while (p > l) {
			p *= uniform(r);
			k++;
		}
		return k;
	}
	return m + sqrt(m) * gauss(r);
}

/* The camera raw of @img (see the top), noisy when @rng is not NULL. */
static void make_raw(const struct lumen_frame *img, enum lumen_bayer order,
		     struct rng *rng, struct lumen_frame *raw)
{
	const double scale = RAW_WHITE - RAW_BLACK;
	float lin[256];

	for (int v = 0; v < 256; v++)
		lin[v] = (float)lumen_srgb_to_linear(v / 255.0);
	raw->bayer = order;
	raw->bits = 12;
	raw->white = RAW_WHITE;
	for (int i = 0; i < 4; i++)
		raw->black[i] = RAW_BLACK;
	for (int y = 0; y < img->height; y++) {
		const uint8_t *s = img->data[0] + (size_t)y * img->stride[0];
		uint16_t *d = (uint16_t *)(void *)(raw->data[0] + (size_t)y * raw->stride[0]);

		for (int x = 0; x < img->width; x++) {
			const int c = lumen_bayer_at(order, x, y);
			double v = lin[s[3 * x + c]] * CAST[c];

			if (rng) {
				double e = poisson(rng, v * FULL_WELL) +
					   READ_NOISE * gauss(rng);

				v = e / FULL_WELL;
			}
			v = RAW_BLACK + v * scale;
			d[x] = (uint16_t)(v < 0 ? 0 : v > RAW_WHITE ? RAW_WHITE : lrint(v));
		}
	}
}

static void dng_meta(struct lumen_dng_write_meta *m, bool noisy)
{
	memset(m, 0, sizeof(*m));
	m->make = "lumen";
	m->model = "bench develop";
	m->software = "lumen bench develop";
	m->has_color_matrix = true;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			m->color_matrix[i][j] = CAST[i] * XYZ_TO_SRGB[i][j];
	m->calibration_illuminant = 21;
	m->has_as_shot_neutral = true;
	memcpy(m->as_shot_neutral, CAST, sizeof(CAST));
	if (noisy) {
		/* variance of the 0..1 signal x: x / FW + (read / FW)^2 */
		m->has_noise_profile = true;
		m->noise_profile[0] = 1.0 / FULL_WELL;
		m->noise_profile[1] = READ_NOISE * READ_NOISE / (FULL_WELL * FULL_WELL);
	}
}

/* Skips blanks and '#' comments of a PNM header. */
static int pnm_int(FILE *f)
{
	int c, v;

	while ((c = fgetc(f)) != EOF) {
		if (c == '#')
			while ((c = fgetc(f)) != EOF && c != '\n')
				;
		else if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
	}
	if (c == EOF || c < '0' || c > '9')
		return -1;
	v = c - '0';
	while ((c = fgetc(f)) != EOF && c >= '0' && c <= '9')
		if ((v = v * 10 + c - '0') > 1 << 20)
			return -1;
	return v;
}

/* An 8-bit binary PPM (P6, maxval 255) of @w x @h into @rgb (RGB24,
 * allocated here). 0, or -EIO with nothing held. */
static int read_ppm(const char *path, int w, int h, struct lumen_frame *rgb)
{
	FILE *f = fopen(path, "rb");
	int ok;

	if (!f)
		return -EIO;
	ok = fgetc(f) == 'P' && fgetc(f) == '6' && pnm_int(f) == w &&
	     pnm_int(f) == h && pnm_int(f) == 255;
	if (!ok || lumen_frame_alloc(rgb, LUMEN_PIX_RGB24, w, h)) {
		fclose(f);
		return -EIO;
	}
	for (int y = 0; y < h && ok; y++)
		ok = fread(rgb->data[0] + (size_t)y * rgb->stride[0], 3, (size_t)w, f) ==
		     (size_t)w;
	fclose(f);
	if (!ok) {
		lumen_frame_free(rgb);
		return -EIO;
	}
	return 0;
}

/*
 * PSNR of @out against @ref (both RGB24) after @out's own least-squares
 * monotone tone curve (see the top), over the interior.
 */
static double fitted_psnr(const struct lumen_frame *ref, const struct lumen_frame *out)
{
	double sum[256] = { 0 }, cnt[256] = { 0 }, val[256], wt[256], map[256];
	int start[256], n = 0;
	double se = 0.0;
	long long samples = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (int y = BORDER; y < ref->height - BORDER; y++) {
			const uint8_t *r = ref->data[0] + (size_t)y * ref->stride[0];
			const uint8_t *o = out->data[0] + (size_t)y * out->stride[0];

			for (int x = 3 * BORDER; x < 3 * (ref->width - BORDER); x++) {
				if (pass == 0) {
					sum[o[x]] += r[x];
					cnt[o[x]] += 1.0;
				} else {
					double e = map[o[x]] - r[x];

					se += e * e;
					samples++;
				}
			}
		}
		if (pass)
			break;
		/* pool adjacent violators over the codes that occur */
		for (int v = 0; v < 256; v++) {
			if (!cnt[v])
				continue;
			val[n] = sum[v] / cnt[v];
			wt[n] = cnt[v];
			start[n] = v;
			n++;
			while (n > 1 && val[n - 2] > val[n - 1]) {
				val[n - 2] = (val[n - 2] * wt[n - 2] + val[n - 1] * wt[n - 1]) /
					     (wt[n - 2] + wt[n - 1]);
				wt[n - 2] += wt[n - 1];
				n--;
			}
		}
		for (int b = 0; b < n; b++)
			for (int v = start[b]; v < (b + 1 < n ? start[b + 1] : 256); v++)
				map[v] = val[b];
	}
	if (!samples)
		return 0.0;
	if (se == 0.0)
		return 99.0;
	return 10.0 * log10(255.0 * 255.0 * (double)samples / se);
}

/* One program's result on one DNG: PSNR and wall time, or -1 PSNR. */
struct result {
	double psnr, time;
};

static struct result run_one(char *const argv[], const char *ppm,
			     const struct lumen_frame *ref)
{
	struct result r = { -1.0, 0.0 };
	struct lumen_frame out;
	double t0 = now();
	int st;

	unlink(ppm);
	st = lumen_bench_run_quiet(argv);
	r.time = now() - t0;
	if (st != 0) {
		fprintf(stderr, "bench: %s %s failed (status %d)\n", argv[0], argv[1], st);
		return r;
	}
	if (read_ppm(ppm, ref->width, ref->height, &out)) {
		fprintf(stderr, "bench: %s: not the %dx%d 8-bit PPM expected\n", ppm,
			ref->width, ref->height);
		return r;
	}
	r.psnr = fitted_psnr(ref, &out);
	lumen_frame_free(&out);
	return r;
}

struct totals {
	double psnr[2], time[2];	/* lumen, dcraw */
	int thresh[N_THRESH];		/* dcraw's best threshold, counted */
	int images;
};

/* Both programs on @dng (made from @img), @noisy or not, into @t. */
static int compare(const struct opts *o, const char *self, const char *dir,
		   const char *dng, const struct lumen_frame *img, bool noisy,
		   const char *tag, struct totals *t)
{
	char lumen_ppm[1100], dcraw_ppm[1300], nbuf[16];
	char *argv[MAX_ARGS + 8];
	struct result lu, dc = { -1.0, 0.0 };
	int n = 0, best = -1;

	snprintf(lumen_ppm, sizeof(lumen_ppm), "%s/lumen.ppm", dir);
	snprintf(dcraw_ppm, sizeof(dcraw_ppm), "%.*s.ppm", (int)(strlen(dng) - 4), dng);
	argv[n++] = (char *)self;
	argv[n++] = "develop";
	argv[n++] = (char *)dng;
	argv[n++] = "-o";
	argv[n++] = lumen_ppm;
	for (int i = 0; i < o->n_lumen_args; i++)
		argv[n++] = (char *)o->lumen_args[i];
	argv[n] = NULL;
	lu = run_one(argv, lumen_ppm, img);
	if (lu.psnr < 0)
		return -1;
	for (int k = -1; k < (noisy ? N_THRESH : 0); k++) {
		struct result r;

		n = 0;
		argv[n++] = "dcraw";
		argv[n++] = "-w";
		argv[n++] = "-q";
		argv[n++] = "3";
		if (k >= 0) {
			snprintf(nbuf, sizeof(nbuf), "%d", DCRAW_N[k]);
			argv[n++] = "-n";
			argv[n++] = nbuf;
		}
		argv[n++] = (char *)dng;
		argv[n] = NULL;
		r = run_one(argv, dcraw_ppm, img);
		if (r.psnr < 0)
			return -1;
		if (o->verbose)
			printf("develop.%s.dcraw_n%d.psnr: %.2f dB\n", tag,
			       k < 0 ? 0 : DCRAW_N[k], r.psnr);
		if (r.psnr > dc.psnr) {
			dc = r;
			best = k;
		}
	}
	unlink(dcraw_ppm);
	if (best >= 0)
		t->thresh[best]++;
	if (o->verbose)
		printf("develop.%s.lumen.psnr: %.2f dB (%.2f s)\n"
		       "develop.%s.dcraw.psnr: %.2f dB (%.2f s)\n", tag, lu.psnr,
		       lu.time, tag, dc.psnr, dc.time);
	fflush(stdout);
	t->psnr[0] += lu.psnr;
	t->psnr[1] += dc.psnr;
	t->time[0] += lu.time;
	t->time[1] += dc.time;
	t->images++;
	return 0;
}

static void report(const char *set, const char *noise, const struct totals *t)
{
	static const char *const who[2] = { "lumen", "dcraw" };

	if (!t->images)
		return;
	for (int m = 0; m < 2; m++) {
		printf("develop.%s.%s.%s.psnr: %.2f dB\n", set, noise, who[m],
		       t->psnr[m] / t->images);
		printf("develop.%s.%s.%s.time: %.2f s\n", set, noise, who[m], t->time[m]);
	}
	printf("develop.%s.%s.psnr_gain: %+.2f dB\n", set, noise,
	       (t->psnr[0] - t->psnr[1]) / t->images);
	printf("develop.%s.%s.time_ratio: %.2f\n", set, noise,
	       t->time[1] > 0 ? t->time[0] / t->time[1] : 0.0);
	if (!strcmp(noise, "noisy")) {
		printf("develop.%s.%s.dcraw.best_n:", set, noise);
		for (int k = 0; k < N_THRESH; k++)
			printf(" %d x%d", DCRAW_N[k], t->thresh[k]);
		printf(" (images per threshold)\n");
	}
	printf("develop.%s.%s.images: %d\n", set, noise, t->images);
}

static int bench_set(const struct opts *o, const char *self, const char *dir,
		     const struct set *s)
{
	struct totals tot[2];
	const int count = o->quick && s->count >= 3 ? 3 : s->count;
	struct rng rng = { 0x9e3779b97f4a7c15ull };

	memset(tot, 0, sizeof(tot));
	for (int k = 1; k <= count; k++) {
		/* --quick: three images spread over the set */
		const int idx = o->quick && s->count >= 3 ? 1 + (k - 1) * (s->count / 3) : k;
		char path[4096], file[64], stem[64], dng[1200], tag[160];
		struct lumen_dng_write_meta meta;
		struct lumen_frame img, raw;
		char err[512];
		int ret;

		if (s->files)
			snprintf(file, sizeof(file), "%s", s->files[idx - 1]);
		else
			snprintf(file, sizeof(file), s->fmt, idx);
		snprintf(stem, sizeof(stem), "%s", file);
		*strrchr(stem, '.') = '\0';
		if (s->files)
			snprintf(path, sizeof(path), "%s/%s", s->dir, file);
		else
			snprintf(path, sizeof(path), "%s/%s/%s", o->data, s->dir, file);
		ret = lumen_rgb_read(path, &img);
		if (ret) {
			fprintf(stderr, "bench: %s: %s\n", path, strerror(-ret));
			return 1;
		}
		if (lumen_frame_alloc(&raw, LUMEN_PIX_BAYER16, img.width, img.height)) {
			lumen_frame_free(&img);
			fprintf(stderr, "bench: out of memory\n");
			return 1;
		}
		for (int noisy = 0; noisy < 2; noisy++) {
			if (!(noisy ? o->noisy : o->clean))
				continue;
			make_raw(&img, (enum lumen_bayer)(idx % 4), noisy ? &rng : NULL, &raw);
			dng_meta(&meta, noisy);
			snprintf(dng, sizeof(dng), "%s/%s_%s_%s.dng", dir, s->name, stem,
				 noisy ? "noisy" : "clean");
			snprintf(tag, sizeof(tag), "%s.%s.%s", s->name,
				 noisy ? "noisy" : "clean", stem);
			ret = lumen_dng_write(dng, &raw, &meta, err, sizeof(err));
			if (!ret)
				ret = compare(o, self, dir, dng, &img, noisy, tag, &tot[noisy]);
			else
				fprintf(stderr, "bench: %s\n", err);
			if (!o->keep)
				unlink(dng);
			if (ret) {
				lumen_frame_free(&raw);
				lumen_frame_free(&img);
				return 1;
			}
		}
		lumen_frame_free(&raw);
		lumen_frame_free(&img);
	}
	report(s->name, "clean", &tot[0]);
	report(s->name, "noisy", &tot[1]);
	fflush(stdout);
	return 0;
}

/* scandir() filter: the names lumen_rgb_read() may read, by extension */
static int is_picture(const struct dirent *d)
{
	static const char *const ext[] = { ".png", ".tif", ".tiff", ".PNG", ".TIF", ".TIFF" };
	const char *dot = strrchr(d->d_name, '.');

	if (!dot || dot == d->d_name || d->d_name[0] == '.')
		return 0;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (!strcmp(dot, ext[i]))
			return 1;
	return 0;
}

/*
 * --photos DIR: every PNG and TIFF in DIR, in name order, as the set
 * "photos" (pictures the pipeline was not tuned on); CFA orders rotate as
 * in the other sets. 77 when DIR holds none.
 */
static int bench_photos(const struct opts *o, const char *self, const char *dir)
{
	struct dirent **list = NULL;
	struct set s = { .name = "photos", .dir = o->photos };
	int n = scandir(o->photos, &list, is_picture, alphasort), ret;

	if (n < 0) {
		fprintf(stderr, "bench: --photos %s: %s\n", o->photos, strerror(errno));
		return 1;
	}
	if (!n) {
		free(list);
		printf("skip: no PNG or TIFF pictures in %s\n", o->photos);
		return 77;
	}
	s.files = calloc((size_t)n, sizeof(*s.files));
	ret = s.files ? 0 : 1;
	for (int i = 0; i < n && !ret; i++) {
		if (strlen(list[i]->d_name) >= 64) {
			fprintf(stderr, "bench: %s/%s: name too long (63 bytes at most)\n",
				o->photos, list[i]->d_name);
			ret = 2;
		}
		s.files[i] = list[i]->d_name;
	}
	s.count = n;
	if (!ret)
		ret = bench_set(o, self, dir, &s);
	else if (ret == 1)
		fprintf(stderr, "bench: out of memory\n");
	free(s.files);
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return ret;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: lumen bench develop [--data DIR] [--quick] [--set kodak|mcmaster]\n"
		"                           [--photos DIR] [--clean|--noisy] [--keep DIR] [--verbose]\n"
		"                           [--lumen-opt ARG]...\n");
}

int lumen_cmd_bench_develop(int argc, char **argv, const char *data)
{
	struct opts o = { .data = data, .clean = true, .noisy = true };
	char self[4096], dir[1024], probe[4300];
	struct stat st;
	ssize_t len;
	int ret = 0;

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--quick")) {
			o.quick = true;
		} else if (!strcmp(a, "--verbose")) {
			o.verbose = true;
		} else if (!strcmp(a, "--clean")) {
			o.noisy = false;
		} else if (!strcmp(a, "--noisy")) {
			o.clean = false;
		} else if (v && !strcmp(a, "--data")) {
			o.data = v;
			i++;
		} else if (v && !strcmp(a, "--photos")) {
			o.photos = v;
			i++;
		} else if (v && !strcmp(a, "--keep")) {
			o.keep = v;
			i++;
		} else if (v && !strcmp(a, "--set") &&
			   (!strcmp(v, "kodak") || !strcmp(v, "mcmaster"))) {
			o.only_set = v;
			i++;
		} else if (v && !strcmp(a, "--lumen-opt") && o.n_lumen_args < MAX_ARGS) {
			o.lumen_args[o.n_lumen_args++] = v;
			i++;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!o.clean && !o.noisy) {
		usage(stderr);
		return 2;
	}
	for (int s = 0; s < 2 && !o.photos; s++) {
		snprintf(probe, sizeof(probe), "%s/%s", o.data, sets[s].dir);
		if (stat(probe, &st)) {
			printf("skip: no %s images in %s (use --data DIR or LUMEN_DATA)\n",
			       sets[s].name, probe);
			return 77;
		}
	}
	{
		char *dargv[] = { "dcraw", NULL };

		/* dcraw without arguments prints its usage and exits 1 */
		if (lumen_bench_run_quiet(dargv) < 0) {
			printf("skip: dcraw is not installed (apt-get install dcraw)\n");
			return 77;
		}
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0) {
		fprintf(stderr, "bench: cannot find the lumen executable: %s\n",
			strerror(errno));
		return 1;
	}
	self[len] = '\0';
	if (o.keep) {
		if (snprintf(dir, sizeof(dir), "%s", o.keep) >= (int)sizeof(dir)) {
			fprintf(stderr, "bench: --keep: folder name too long\n");
			return 2;
		}
		if (mkdir(dir, 0755) && errno != EEXIST) {
			fprintf(stderr, "bench: %s: %s\n", dir, strerror(errno));
			return 1;
		}
	} else {
		const char *tmp = getenv("TMPDIR");

		snprintf(dir, sizeof(dir), "%s/lumen-bench-develop.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			fprintf(stderr, "bench: cannot make a temporary folder: %s\n",
				strerror(errno));
			return 1;
		}
	}
	printf("develop.setup: cast %.2f %.2f %.2f, 12-bit black %d; noisy: %.0f e- "
	       "at white, %.1f e- read noise; dcraw -w -q 3, noisy best of -n",
	       CAST[0], CAST[1], CAST[2], RAW_BLACK, FULL_WELL, READ_NOISE);
	for (int k = 0; k < N_THRESH; k++)
		printf(" %d", DCRAW_N[k]);
	printf(" and none\n");
	if (o.photos)
		ret = bench_photos(&o, self, dir);
	for (int s = 0; s < 2 && !ret && !o.photos; s++)
		if (!o.only_set || !strcmp(o.only_set, sets[s].name))
			ret = bench_set(&o, self, dir, &sets[s]);
	if (!o.keep) {
		snprintf(probe, sizeof(probe), "%s/lumen.ppm", dir);
		unlink(probe);
		rmdir(dir);
	}
	return ret;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Development tool for the quality demosaic (not part of the method, not
 * installed, not run by any test): measures the red/blue step alone by
 * feeding it the TRUE green, next to the whole method, per channel and per
 * CFA site type, on the Kodak and McMaster sets in all four orders.
 *
 *   build/bench/demosaic_oracle DATA_DIR [kodak|mcmaster] [--quick] [-v]
 *
 * It also checks, on the first image in RGGB, that lumen_demosaic_quality()
 * gives the same output with 96-row strips as with one strip for the
 * whole frame (strip_mismatch must be 0).
 *
 * It compiles src/isp/demosaic_quality.c into itself (the public names
 * renamed) and runs its steps on one tile holding the whole image, so it
 * follows whatever green_step() / colour_step() / process_tile() do.
 * Figures as the bench: 8-bit rounded output, 10-pixel border excluded,
 * PSNR averaged over the orders per image, then over the set.
 */
#define lumen_demosaic_quality oracle_demosaic_quality
#define lumen_demosaic_quality_scratch_size oracle_demosaic_quality_scratch_size
#define lumen_demosaic_quality_scratch_size_for_rows \
	oracle_demosaic_quality_scratch_size_for_rows
#include "../src/isp/demosaic_quality.c"

#include <stdio.h>
#include <stdlib.h>

#include "io/rgb_read.h"

#define BORDER 10

struct err {
	double se[3][3];	/* [output channel][CFA colour of the site] */
	long long n[3][3];
};

static double psnr(double se, long long n)
{
	return se > 0.0 ? 10.0 * log10(255.0 * 255.0 * (double)n / se) : 99.0;
}

static float work(unsigned v)
{
	/* as lumen_demosaic_quality() scales, to the last bit */
	return (float)((v * LUMEN_WORK_MAX + 127) / 255) * (1.0f / (float)LUMEN_WORK_MAX);
}

/* Loads @img through the CFA @order into a whole-image tile. */
static void load(struct tile *t, const struct lumen_frame *img,
		 enum lumen_bayer order)
{
	for (int ty = 0; ty < t->h; ty++) {
		int sy = lumen_demosaic_mirror(ty - MARGIN, img->height);
		const uint8_t *s = img->data[0] + (size_t)sy * img->stride[0];

		for (int tx = 0; tx < t->w; tx++) {
			size_t i = (size_t)ty * t->w + tx;
			int sx = lumen_demosaic_mirror(tx - MARGIN, img->width);
			int c = lumen_bayer_at(order, tx, ty);

			t->p[P_MOS][i] = work(s[3 * sx + c]);
			t->p[P_MG][i] = c == LUMEN_CH_G;
			t->p[P_MC][i] = c != LUMEN_CH_G;
			t->p[P_MR][i] = c == LUMEN_CH_R;
			t->p[P_MB][i] = c == LUMEN_CH_B;
		}
	}
}

/* Adds the squared 8-bit errors of the tile's P_R/P_G/P_B to @e. */
static void measure(const struct tile *t, const struct lumen_frame *img,
		    enum lumen_bayer order, struct err *e)
{
	static const enum plane pl[3] = { P_R, P_G, P_B };

	for (int y = BORDER; y < img->height - BORDER; y++) {
		const uint8_t *s = img->data[0] + (size_t)y * img->stride[0];

		for (int x = BORDER; x < img->width - BORDER; x++) {
			size_t i = (size_t)(y + MARGIN) * t->w + x + MARGIN;
			int site = lumen_bayer_at(order, x, y);

			for (int c = 0; c < 3; c++) {
				unsigned w = to_work(t->p[pl[c]][i]);
				int v = (int)((w * 255u + LUMEN_WORK_MAX / 2) / LUMEN_WORK_MAX);
				int d = v - s[3 * x + c];

				e->se[c][site] += (double)(d * d);
				e->n[c][site]++;
			}
		}
	}
}

/*
 * Values where lumen_demosaic_quality() with the scratch it asks for
 * (96-row strips) differs from the same call given scratch for one strip
 * holding the whole frame: must be 0, else a stencil outgrew MARGIN.
 */
static long strip_mismatch(const struct lumen_frame *img, enum lumen_bayer order)
{
	const int w = img->width, h = img->height;
	size_t size = oracle_demosaic_quality_scratch_size(w, h);
	size_t whole = oracle_demosaic_quality_scratch_size_for_rows(w, h);
	struct lumen_frame raw, rgb, ref;
	void *scratch = malloc(whole);
	long bad = 0;

	if (!scratch || lumen_frame_alloc(&raw, LUMEN_PIX_BAYER16, w, h))
		return -1;
	if (lumen_frame_alloc(&rgb, LUMEN_PIX_RGB16P, w, h) ||
	    lumen_frame_alloc(&ref, LUMEN_PIX_RGB16P, w, h))
		return -1;
	raw.bayer = order;
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			((uint16_t *)(void *)(raw.data[0] + (size_t)y * raw.stride[0]))[x] =
				(uint16_t)((img->data[0][(size_t)y * img->stride[0] + 3 * x +
					    lumen_bayer_at(order, x, y)] * LUMEN_WORK_MAX + 127) / 255);
	if (oracle_demosaic_quality(&raw, &rgb, scratch, size) ||
	    oracle_demosaic_quality(&raw, &ref, scratch, whole))
		bad = -1;
	for (int y = 0; bad >= 0 && y < h; y++)
		for (int c = 0; c < 3; c++) {
			const uint16_t *o = (const uint16_t *)(const void *)
				(rgb.data[c] + (size_t)y * rgb.stride[c]);
			const uint16_t *r = (const uint16_t *)(const void *)
				(ref.data[c] + (size_t)y * ref.stride[c]);

			for (int x = 0; x < w; x++)
				bad += o[x] != r[x];
		}
	lumen_frame_free(&ref);
	lumen_frame_free(&rgb);
	lumen_frame_free(&raw);
	free(scratch);
	return bad;
}

/* PSNR of channel @c over all sites, or over one site colour. */
static double ch_psnr(const struct err *e, int c, int site)
{
	double se = 0.0;
	long long n = 0;

	for (int s = 0; s < 3; s++)
		if (site < 0 || s == site) {
			se += e->se[c][s];
			n += e->n[c][s];
		}
	return psnr(se, n);
}

static double cp_psnr(const struct err *e)
{
	double se = 0.0;
	long long n = 0;

	for (int c = 0; c < 3; c++)
		for (int s = 0; s < 3; s++) {
			se += e->se[c][s];
			n += e->n[c][s];
		}
	return psnr(se, n);
}

/* figures per run: oracle R, B, R@G, R@B, B@G, B@R, CPSNR; whole method
 * R, G, B, CPSNR, R@G, R@B, B@G, B@R */
#define NF 15
static const char *const names[NF] = {
	"oracle.R", "oracle.B", "oracle.R@G", "oracle.R@B", "oracle.B@G",
	"oracle.B@R", "oracle.cpsnr", "full.R", "full.G", "full.B", "full.cpsnr",
	"full.R@G", "full.R@B", "full.B@G", "full.B@R",
};

int main(int argc, char **argv)
{
	static const struct {
		const char *name, *fmt;
		int count;
	} sets[2] = { { "kodak", "kodim%02d.png", 24 }, { "mcmaster", "%d.tif", 18 } };
	const char *data = argc > 1 ? argv[1] : "/work/shared/data";
	const char *only = NULL;
	bool quick = false, verbose = false;

	for (int a = 2; a < argc; a++) {
		if (!strcmp(argv[a], "--quick"))
			quick = true;
		else if (!strcmp(argv[a], "-v"))
			verbose = true;
		else
			only = argv[a];
	}
	for (int s = 0; s < 2; s++) {
		int count = quick ? 4 : sets[s].count, orders = quick ? 1 : 4;
		double mean[NF] = { 0 };

		if (only && strcmp(only, sets[s].name))
			continue;
		for (int k = 1; k <= count; k++) {
			char file[64], path[4096];
			struct lumen_frame img;
			struct tile t;
			double f[NF] = { 0 };
			size_t plane;
			float *mem;

			snprintf(file, sizeof(file), sets[s].fmt, k);
			snprintf(path, sizeof(path), "%s/%s/%s", data, sets[s].name, file);
			if (lumen_rgb_read(path, &img)) {
				fprintf(stderr, "oracle: cannot read %s\n", path);
				return 1;
			}
			t.w = img.width + 2 * MARGIN;
			t.h = img.height + 2 * MARGIN;
			plane = (size_t)t.w * t.h;
			/* the planes, the true green, box()'s row */
			mem = calloc(plane * (P_COUNT + 1) + (size_t)t.w, sizeof(float));
			if (!mem)
				return 1;
			for (int p = 0; p < P_COUNT; p++)
				t.p[p] = mem + (size_t)p * plane;
			t.vsum = mem + (size_t)(P_COUNT + 1) * plane;
			for (int o = 0; o < orders; o++) {
				struct err eo = { 0 }, ef = { 0 };
				float *tg = mem + (size_t)P_COUNT * plane;

				/* the true green, in tile coordinates */
				for (int ty = 0; ty < t.h; ty++) {
					int sy = lumen_demosaic_mirror(ty - MARGIN, img.height);

					for (int tx = 0; tx < t.w; tx++) {
						int sx = lumen_demosaic_mirror(tx - MARGIN, img.width);

						tg[(size_t)ty * t.w + tx] = work(
							img.data[0][(size_t)sy * img.stride[0] +
								    3 * sx + 1]);
					}
				}
				load(&t, &img, (enum lumen_bayer)o);
				green_step(&t);
				memcpy(t.p[P_G], tg, plane * sizeof(float));
				colour_step(&t, FINAL_REAL, FINAL_KRI, FINAL_PULL);
				measure(&t, &img, (enum lumen_bayer)o, &eo);
				load(&t, &img, (enum lumen_bayer)o);
				process_tile(&t);
				measure(&t, &img, (enum lumen_bayer)o, &ef);
				if (k == 1 && o == 0)
					printf("%s.%s.strip_mismatch: %ld pixels\n",
					       sets[s].name, file,
					       strip_mismatch(&img, (enum lumen_bayer)o));
				f[0] += ch_psnr(&eo, 0, -1);
				f[1] += ch_psnr(&eo, 2, -1);
				f[2] += ch_psnr(&eo, 0, 1);
				f[3] += ch_psnr(&eo, 0, 2);
				f[4] += ch_psnr(&eo, 2, 1);
				f[5] += ch_psnr(&eo, 2, 0);
				f[6] += cp_psnr(&eo);
				f[7] += ch_psnr(&ef, 0, -1);
				f[8] += ch_psnr(&ef, 1, -1);
				f[9] += ch_psnr(&ef, 2, -1);
				f[10] += cp_psnr(&ef);
				f[11] += ch_psnr(&ef, 0, 1);
				f[12] += ch_psnr(&ef, 0, 2);
				f[13] += ch_psnr(&ef, 2, 1);
				f[14] += ch_psnr(&ef, 2, 0);
			}
			for (int i = 0; i < NF; i++) {
				f[i] /= orders;
				mean[i] += f[i] / count;
			}
			if (verbose) {
				printf("%s %-10s", sets[s].name, file);
				for (int i = 0; i < NF; i++)
					printf(" %s %.2f", names[i], f[i]);
				printf("\n");
				fflush(stdout);
			}
			free(mem);
			lumen_frame_free(&img);
		}
		for (int i = 0; i < NF; i++)
			printf("%s.%s: %.2f dB\n", sets[s].name, names[i], mean[i]);
		fflush(stdout);
	}
	return 0;
}

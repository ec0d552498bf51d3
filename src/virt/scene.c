// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scene model of the emulated sensors (see scene.h and
 * docs/virtual-board.md, "scene model").
 *
 * What is stored: a chart is a label map (one byte per pixel: 0..23 a
 * patch, 24 the grey surround) and its 25 colours as XYZ; an image is
 * linear sRGB, three interleaved uint16 per pixel (0..65535 = 0..1). At
 * 2560x1440 that is 3.7 MB for the chart and 22 MB for an image. The
 * colour matrix (camera <- XYZ <- illuminant adaptation <- scene) is
 * folded once per frame into a 25-entry table (chart) or three
 * coefficients per CFA colour (image), so the per-pixel work is one table
 * read or one 3-term dot product, then noise and quantisation. Changing
 * the illuminant therefore costs nothing and keeps no second copy.
 *
 * Render once, noise per frame: a noisy render first brings the cached
 * mean plane up to date (a full render as above, kept as fixed-point codes,
 * only when the scene, light, illuminant, exposure, gains, flip, window or
 * pan step differ from the last one), then adds noise to it row by row with
 * the kernel of noise_dsp.h: a counter-based 32-bit hash of (pixel, frame),
 * a standard normal as the scaled sum of its four bytes (Irwin-Hall,
 * exact variance, tails cut at 3.45 sigma), scaled by the level's sigma
 * from a table built with the plane. Shot noise is Gaussian with variance
 * = mean electrons; read noise adds its variance; one draw covers both.
 * The noiseless path renders straight to codes, as it always did.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "calib/colorchecker.h"
#include "calib/colour.h"
#include "core/mat3.h"
#include "core/errmsg.h"
#include "io/rgb_read.h"
#include "virt/noise_dsp.h"
#include "virt/scene.h"

#define SURROUND_LABEL LUMEN_CC_PATCHES	/* label of the grey surround */
#define SURROUND_GREY 0.18		/* linear reflectance of the surround */
#define CHART_FILL 0.9			/* chart extent over frame, limiting side */
#define MAX_PAN_WIDTH_RATIO 2		/* a panned image is at most 2 frames wide */
#define FLAT_REFLECTANCE 0.8		/* linear reflectance of the flat scene */
#define CHUNK 256			/* pixels per render chunk (stack buffer) */

struct lumen_scene {
	enum lumen_scene_kind kind;
	int width, height;		/* sensor's full active size */
	int scene_w;			/* stored width (>= width when panning) */
	double pan;			/* px per frame */

	/* chart: the label of every photosite, held as the few distinct
	 * rows there are (a row of patch row r is label_rows[r], the
	 * surround's is the last) and each scene row's index into them:
	 * 14 KB at 2560x1440 where a label per photosite took 3.7 MB */
	uint8_t *label_rows;		/* (LUMEN_CC_ROWS + 1) x scene_w */
	uint8_t *row_kind;		/* height: 0..LUMEN_CC_ROWS */
	uint16_t *rgb;			/* image: scene_w x height x 3, linear sRGB */
	double chart_xyz[LUMEN_CC_PATCHES + 1][3];	/* under D65, Y(white) = 1 */

	pthread_mutex_t lock;		/* guards light and illuminant */
	double light;
	double illum[3];		/* white point, Y = 1 */

	/* The mean plane of the last noisy render and what it was made of;
	 * render_lock serialises renders, which share it. */
	pthread_mutex_t render_lock;
	uint16_t *mean;			/* width x height at most, row stride = out width */
	struct lumen_noise_tab *tab;
	struct mean_key {
		double light, illum[3], exposure_s, again, dgain;
		double cam_from_xyz[3][3], electrons_per_unit, full_well_e,
		       read_noise_e, corner_illumination;
		int bits, black, bayer, hflip, vflip, w, h, off;
	} key;
	bool key_valid;
};

/* ---- chart ------------------------------------------------------------ */

void lumen_scene_chart_truth(double srgb_linear[24][3])
{
	for (int p = 0; p < LUMEN_CC_PATCHES; p++)
		lumen_lab_to_linsrgb(lumen_cc_ref[p].lab, srgb_linear[p]);
}

/*
 * Square patches on a square pitch, the patch side LUMEN_CC_PATCH_FRAC of
 * the pitch (the geometry lumen_cc_sample() assumes), the 6x4 grid centred
 * and filling CHART_FILL of the frame along its limiting side.
 */
void lumen_scene_chart_layout(int w, int h, int rects[24][4])
{
	const double s = LUMEN_CC_PATCH_FRAC;
	double pw = CHART_FILL * w / (LUMEN_CC_COLS - 1 + s);
	double ph = CHART_FILL * h / (LUMEN_CC_ROWS - 1 + s);
	int pitch = (int)(pw < ph ? pw : ph), side, x0, y0;

	if (pitch < 1)
		pitch = 1;
	side = (int)lrint(s * pitch);
	if (side < 1)
		side = 1;
	x0 = (w - ((LUMEN_CC_COLS - 1) * pitch + side)) / 2;
	y0 = (h - ((LUMEN_CC_ROWS - 1) * pitch + side)) / 2;
	for (int p = 0; p < LUMEN_CC_PATCHES; p++) {
		rects[p][0] = x0 + (p % LUMEN_CC_COLS) * pitch;
		rects[p][1] = y0 + (p / LUMEN_CC_COLS) * pitch;
		rects[p][2] = side;
		rects[p][3] = side;
	}
}

/* Room for the label rows and the row map, every row the surround. */
static int labels_alloc(struct lumen_scene *sc)
{
	const size_t w = (size_t)sc->scene_w;

	sc->label_rows = malloc((LUMEN_CC_ROWS + 1) * w);
	sc->row_kind = malloc((size_t)sc->height);
	if (!sc->label_rows || !sc->row_kind)
		return -ENOMEM;	/* freed by lumen_scene_destroy() */
	memset(sc->label_rows, SURROUND_LABEL, (LUMEN_CC_ROWS + 1) * w);
	memset(sc->row_kind, LUMEN_CC_ROWS, (size_t)sc->height);
	return 0;
}

static int chart_prepare(struct lumen_scene *sc)
{
	double srgb[LUMEN_CC_PATCHES][3], grey[3] = { SURROUND_GREY, SURROUND_GREY,
						      SURROUND_GREY };
	int rects[LUMEN_CC_PATCHES][4];
	size_t w = (size_t)sc->scene_w;
	int err = labels_alloc(sc);

	if (err)
		return err;
	lumen_scene_chart_layout(sc->scene_w, sc->height, rects);
	for (int p = 0; p < LUMEN_CC_PATCHES; p++) {
		const int r = p / LUMEN_CC_COLS;

		memset(sc->label_rows + (size_t)r * w + rects[p][0], p,
		       (size_t)rects[p][2]);
		for (int y = rects[p][1]; y < rects[p][1] + rects[p][3]; y++)
			sc->row_kind[y] = (uint8_t)r;
	}

	/* XYZ straight from the published Lab: no sRGB gamut clipping */
	lumen_scene_chart_truth(srgb);
	for (int p = 0; p < LUMEN_CC_PATCHES; p++)
		lumen_linsrgb_to_xyz(srgb[p], sc->chart_xyz[p]);
	lumen_linsrgb_to_xyz(grey, sc->chart_xyz[SURROUND_LABEL]);
	return 0;
}

/* A flat field is a chart of surround only, the surround light grey. */
static int flat_prepare(struct lumen_scene *sc)
{
	double grey[3] = { FLAT_REFLECTANCE, FLAT_REFLECTANCE, FLAT_REFLECTANCE };
	int err = labels_alloc(sc);

	if (err)
		return err;
	lumen_linsrgb_to_xyz(grey, sc->chart_xyz[SURROUND_LABEL]);
	return 0;
}

/* ---- image ------------------------------------------------------------ */

/*
 * Area-resamples source row @src (RGB24, @sw pixels, already linearised
 * through @lin) to @dw pixels of linear RGB floats in @dst.
 */
static void area_row(const uint8_t *src, int sw, int dw, const float lin[256],
		     float *dst)
{
	double step = (double)sw / dw;

	for (int k = 0; k < dw; k++) {
		double a = k * step, b = (k + 1) * step, acc[3] = { 0, 0, 0 };
		int i0 = (int)a, i1 = (int)ceil(b);

		if (i1 > sw)
			i1 = sw;
		for (int i = i0; i < i1; i++) {
			double lo = i > a ? i : a, hi = i + 1 < b ? i + 1 : b;
			double wgt = hi - lo;

			for (int c = 0; c < 3; c++)
				acc[c] += wgt * lin[src[3 * i + c]];
		}
		for (int c = 0; c < 3; c++)
			dst[3 * k + c] = (float)(acc[c] / step);
	}
}

/*
 * Loads @path and stores it, linear and area-scaled to fit inside
 * scene_w x height keeping its aspect, centred on the grey surround.
 */
static int image_prepare(struct lumen_scene *sc, const char *path, char *err,
			 size_t errsz)
{
	struct lumen_frame img;
	float lin[256], *hrow = NULL, *acc = NULL;
	double scale, step;
	int ret, dw, dh, ox, oy;
	size_t sw;

	ret = lumen_rgb_read(path, &img);
	if (ret == -ENOTSUP)
		return lumen_fail(ret, err, errsz, "%s: not a PNG or TIFF image", path);
	if (ret == -EIO)
		return lumen_fail(ret, err, errsz, "%s: corrupt or truncated image", path);
	if (ret == -EFBIG)
		return lumen_fail(ret, err, errsz, "%s: image larger than %d pixels",
				     path, LUMEN_MAX_DIM);
	if (ret)
		return lumen_fail(ret, err, errsz, "%s: %s", path, strerror(-ret));

	/* a panned scene is as wide as the image's aspect asks, within limits */
	if (sc->pan != 0) {
		double aw = (double)img.width * sc->height / img.height;

		if (aw > (double)MAX_PAN_WIDTH_RATIO * sc->width)
			aw = (double)MAX_PAN_WIDTH_RATIO * sc->width;
		sc->scene_w = aw > sc->width ? (int)aw & ~1 : sc->width;
	}
	sw = (size_t)sc->scene_w;
	scale = fmin((double)sc->scene_w / img.width, (double)sc->height / img.height);
	dw = (int)lrint(img.width * scale);
	dh = (int)lrint(img.height * scale);
	if (dw < 1)
		dw = 1;
	if (dh < 1)
		dh = 1;
	if (dw > sc->scene_w)
		dw = sc->scene_w;
	if (dh > sc->height)
		dh = sc->height;
	ox = (sc->scene_w - dw) / 2;
	oy = (sc->height - dh) / 2;

	sc->rgb = malloc(sw * (size_t)sc->height * 3 * sizeof(uint16_t));
	hrow = malloc((size_t)dw * 3 * sizeof(float));
	acc = malloc((size_t)dw * 3 * sizeof(float));
	if (!sc->rgb || !hrow || !acc) {
		ret = lumen_fail(-ENOMEM, err, errsz, "%s: out of memory", path);
		goto out_free_rows;
	}
	for (int i = 0; i < 256; i++)
		lin[i] = (float)lumen_srgb_to_linear(i / 255.0);
	{
		uint16_t g = (uint16_t)lrint(SURROUND_GREY * 65535);

		for (size_t i = 0; i < sw * (size_t)sc->height * 3; i++)
			sc->rgb[i] = g;
	}

	step = (double)img.height / dh;
	for (int j = 0; j < dh; j++) {
		double a = j * step, b = (j + 1) * step;
		int i0 = (int)a, i1 = (int)ceil(b);
		uint16_t *drow = sc->rgb + ((size_t)(oy + j) * sw + (size_t)ox) * 3;

		if (i1 > img.height)
			i1 = img.height;
		memset(acc, 0, (size_t)dw * 3 * sizeof(float));
		for (int i = i0; i < i1; i++) {
			double lo = i > a ? i : a, hi = i + 1 < b ? i + 1 : b;
			float wgt = (float)((hi - lo) / step);

			area_row(img.data[0] + (size_t)i * img.stride[0], img.width,
				 dw, lin, hrow);
			for (int k = 0; k < dw * 3; k++)
				acc[k] += wgt * hrow[k];
		}
		for (int k = 0; k < dw * 3; k++) {
			float v = acc[k] * 65535.0f + 0.5f;

			drow[k] = (uint16_t)(v < 0 ? 0 : v > 65535 ? 65535 : v);
		}
	}
	ret = 0;
out_free_rows:
	free(acc);
	free(hrow);
	lumen_frame_free(&img);
	return ret;
}

/* ---- lifecycle -------------------------------------------------------- */

int lumen_scene_create(const struct lumen_scene_config *cfg,
		       struct lumen_scene **out, char *err, size_t errsz)
{
	struct lumen_scene *sc;
	int ret;

	if (!cfg || !out)
		return lumen_fail(-EINVAL, err, errsz, "scene: no configuration");
	if (cfg->width < 2 || cfg->height < 2 || cfg->width > LUMEN_MAX_DIM ||
	    cfg->height > LUMEN_MAX_DIM)
		return lumen_fail(-EINVAL, err, errsz,
				     "scene: size %dx%d out of range (2..%d)",
				     cfg->width, cfg->height, LUMEN_MAX_DIM);
	if (!isfinite(cfg->pan_px_per_frame) || !isfinite(cfg->light) ||
	    cfg->light < 0)
		return lumen_fail(-EINVAL, err, errsz,
				     "scene: light %g or pan %g not a finite "
				     "non-negative number", cfg->light,
				     cfg->pan_px_per_frame);
	if (cfg->kind == LUMEN_SCENE_IMAGE && (!cfg->image_path || !*cfg->image_path))
		return lumen_fail(-EINVAL, err, errsz, "scene: image scene without a path");
	if (cfg->kind != LUMEN_SCENE_IMAGE && cfg->kind != LUMEN_SCENE_CHART &&
	    cfg->kind != LUMEN_SCENE_FLAT)
		return lumen_fail(-EINVAL, err, errsz, "scene: unknown kind %d",
				     (int)cfg->kind);

	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return lumen_fail(-ENOMEM, err, errsz, "scene: out of memory");
	sc->kind = cfg->kind;
	sc->width = cfg->width;
	sc->height = cfg->height;
	sc->scene_w = cfg->width;
	sc->pan = cfg->pan_px_per_frame;
	sc->light = cfg->light;
	ret = pthread_mutex_init(&sc->lock, NULL);
	if (ret) {
		free(sc);
		return lumen_fail(-ret, err, errsz, "scene: mutex: %s", strerror(ret));
	}
	ret = pthread_mutex_init(&sc->render_lock, NULL);
	if (ret) {
		pthread_mutex_destroy(&sc->lock);
		free(sc);
		return lumen_fail(-ret, err, errsz, "scene: mutex: %s", strerror(ret));
	}
	lumen_scene_set_illuminant(sc, cfg->illuminant_xyz);

	if (sc->kind != LUMEN_SCENE_IMAGE) {
		ret = sc->kind == LUMEN_SCENE_CHART ? chart_prepare(sc) : flat_prepare(sc);
		if (ret)
			lumen_fail(ret, err, errsz, "scene: out of memory for %dx%d %s",
				      sc->width, sc->height,
				      sc->kind == LUMEN_SCENE_CHART ? "chart" : "flat field");
	} else {
		ret = image_prepare(sc, cfg->image_path, err, errsz);
	}
	if (ret)
		goto out_destroy;
	*out = sc;
	return 0;

out_destroy:
	lumen_scene_destroy(sc);
	return ret;
}

void lumen_scene_destroy(struct lumen_scene *scene)
{
	if (!scene)
		return;
	pthread_mutex_destroy(&scene->lock);
	pthread_mutex_destroy(&scene->render_lock);
	free(scene->mean);
	free(scene->tab);
	free(scene->label_rows);
	free(scene->row_kind);
	free(scene->rgb);
	free(scene);
}

void lumen_scene_set_light(struct lumen_scene *scene, double light)
{
	if (!isfinite(light) || light < 0)
		light = 0;
	pthread_mutex_lock(&scene->lock);
	scene->light = light;
	pthread_mutex_unlock(&scene->lock);
}

double lumen_scene_get_light(const struct lumen_scene *scene)
{
	struct lumen_scene *sc = (struct lumen_scene *)scene;	/* lock only */
	double v;

	pthread_mutex_lock(&sc->lock);
	v = sc->light;
	pthread_mutex_unlock(&sc->lock);
	return v;
}

/* The white point is normalised to Y = 1: its level is the light's job.
 * NULL, zero or non-finite mean D65. */
void lumen_scene_set_illuminant(struct lumen_scene *scene, const double xyz[3])
{
	double w[3];

	if (xyz && isfinite(xyz[0]) && isfinite(xyz[1]) && isfinite(xyz[2]) &&
	    xyz[0] > 0 && xyz[1] > 0 && xyz[2] > 0) {
		for (int c = 0; c < 3; c++)
			w[c] = xyz[c] / xyz[1];
	} else {
		memcpy(w, lumen_white_d65, sizeof(w));
	}
	pthread_mutex_lock(&scene->lock);
	memcpy(scene->illum, w, sizeof(w));
	pthread_mutex_unlock(&scene->lock);
}

/* ---- rendering -------------------------------------------------------- */

/* Bradford cone response matrix (Lam 1985, ICC.1:2010 Annex E). */
static const double bradford[3][3] = {
	{ 0.8951, 0.2664, -0.1614 },
	{ -0.7502, 1.7135, 0.0367 },
	{ 0.0389, -0.0685, 1.0296 },
};

static void mat_mul(const double a[3][3], const double b[3][3], double o[3][3])
{
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			o[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] +
				  a[i][2] * b[2][j];
}

/*
 * cam <- XYZ(D65-lit scene): the camera's response to a surface lit by
 * @illum instead of D65, as von Kries scaling in Bradford cone space.
 */
static void camera_matrix(const double cam_from_xyz[3][3], const double illum[3],
			  double m[3][3])
{
	double binv[3][3], d[3][3] = { { 0 } }, t[3][3], adapt[3][3];

	lumen_mat3_invert(bradford, binv);
	for (int i = 0; i < 3; i++) {
		double li = 0, di = 0;

		for (int k = 0; k < 3; k++) {
			li += bradford[i][k] * illum[k];
			di += bradford[i][k] * lumen_white_d65[k];
		}
		d[i][i] = li / di;
	}
	mat_mul(d, bradford, t);
	mat_mul(binv, t, adapt);
	mat_mul(cam_from_xyz, adapt, m);
}

/* splitmix64 (Steele, Lea, Flood 2014): a counter-based generator. */
static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define GOLDEN 0x9e3779b97f4a7c15ull
/* sd of d, the sum of four uniforms on 0..255 less its mean (noise_dsp.h):
 * sqrt(4 (256^2 - 1) / 12) */
#define D_SD 147.80054127099327
#define D_MAX 510

/* Per-frame constants of the electron -> code chain. */
struct conv {
	float read2;		/* read noise variance, e-^2 */
	float full_well;
	float code_per_e;	/* ADC codes per electron incl. both gains */
	float black_round;	/* black + 0.5 */
	float maxcode;
	float mean_scale;	/* 2^F: codes -> units of the mean plane */
};

/* Electrons -> clipped, rounded codes. */
static inline uint16_t to_code(const struct conv *cv, float e)
{
	float v;

	if (e > cv->full_well)
		e = cv->full_well;
	v = e * cv->code_per_e + cv->black_round;
	if (v < 0)
		v = 0;
	if (v > cv->maxcode)
		v = cv->maxcode;
	return (uint16_t)v;
}

/* Mean electrons in @e -> noiseless codes in @dst. */
static void quantise(const struct conv *cv, const float *e, int n, uint16_t *dst)
{
	for (int i = 0; i < n; i++)
		dst[i] = to_code(cv, e[i] > 0 ? e[i] : 0);
}

/* Mean electrons in @e -> the mean plane: (codes + black + 0.5) x 2^F,
 * rounded, clamped to 0..65535; no full-well clip (noise comes first). */
static void to_mean(const struct conv *cv, const float *e, int n, uint16_t *dst)
{
	for (int i = 0; i < n; i++) {
		float m = e[i] > 0 ? e[i] : 0;
		float v = (m * cv->code_per_e + cv->black_round) * cv->mean_scale + 0.5f;

		dst[i] = (uint16_t)(v > 65535.0f ? 65535.0f : v);
	}
}

/* Fraction bits of the mean plane: 2 bits of headroom above the ADC's
 * range up to 14-bit models, none above (see build_noise_tab). */
static int mean_frac(int bits)
{
	return bits <= 14 ? 14 - bits : 0;
}

/*
 * The noise table for the mean plane of these constants: per level of M,
 * sigma = sqrt(m + read^2) x code_per_e codes for the mean m (electrons) at
 * the level's centre, as the Q12 scale of d. Variance is linear in m, so
 * the level's average variance is exact. A level whose lowest value stays
 * above the clip with the largest noise of its scale is certainly clipped:
 * no noise (the same codes). So is the top level, where the plane clamps
 * (for models up to 14 bits that is 4x the ADC's range; above, the last
 * 2^-12 of it).
 */
static void build_noise_tab(const struct lumen_sensor_model *model,
			    const struct conv *cv, struct lumen_noise_tab *t)
{
	double F = cv->mean_scale, cpe = cv->code_per_e;
	double up = ((double)cv->full_well * cpe + cv->black_round) * F;

	t->frac = mean_frac(model->bits);
	t->maxcode = (int32_t)cv->maxcode;
	t->upper = up > INT32_MAX / 2 ? INT32_MAX / 2 : (int32_t)floor(up);
	for (int l = 0; l < LUMEN_NOISE_LEVELS; l++) {
		double lo = (double)(l << LUMEN_NOISE_LEVEL_SHIFT);
		double mid = lo + (1 << LUMEN_NOISE_LEVEL_SHIFT) / 2.0;
		double me = (mid / F - cv->black_round) / cpe;
		double sd = sqrt((me > 0 ? me : 0) + cv->read2) * cpe * F;
		double k = sd / D_SD * 4096.0;
		int32_t kq = k >= LUMEN_NOISE_K_MAX ? LUMEN_NOISE_K_MAX :
			(int32_t)lrint(k);

		/* the kernel gives every value of the level this scale, so
		 * the largest noise it can add is known exactly */
		if (l == LUMEN_NOISE_LEVELS - 1 ||
		    lo - (((int64_t)kq * D_MAX) >> 12) - 2 >= t->upper)
			t->k[l] = 0;
		else
			t->k[l] = kq;
	}
}

static void render_test_pattern(const struct lumen_render_params *p,
				uint16_t black, unsigned maxcode,
				struct lumen_frame *out, int first_row)
{
	/* white, yellow, cyan, green, magenta, red, blue, black: bits R G B */
	static const uint8_t bars[8] = { 7, 6, 3, 2, 5, 4, 1, 0 };
	int w = out->width;

	for (int y = 0; y < out->height; y++) {
		uint16_t *row = (uint16_t *)(void *)(out->data[0] + (size_t)y * out->stride[0]);

		for (int x = 0; x < w; x++) {
			int c = lumen_bayer_at(p->bayer, x, first_row + y);

			if (p->test_pattern == 1) {
				int on = (bars[(int)((int64_t)x * 8 / w)] >> (2 - c)) & 1;

				row[x] = on ? (uint16_t)maxcode : black;
			} else {
				row[x] = (uint16_t)(black + ((int64_t)(maxcode - black) * x +
							     (w - 1) / 2) / (w > 1 ? w - 1 : 1));
			}
		}
	}
}

static bool model_ok(const struct lumen_sensor_model *m)
{
	return m->bits >= 8 && m->bits <= 16 && m->black < (1u << m->bits) - 1 &&
	       isfinite(m->full_well_e) && m->full_well_e > 0 &&
	       isfinite(m->electrons_per_unit) && m->electrons_per_unit >= 0 &&
	       isfinite(m->read_noise_e) && m->read_noise_e >= 0 &&
	       isfinite(m->corner_illumination) && m->corner_illumination >= 0 &&
	       m->corner_illumination <= 1;
}

static bool params_ok(const struct lumen_render_params *p)
{
	return isfinite(p->exposure_s) && p->exposure_s >= 0 &&
	       isfinite(p->analog_gain) && p->analog_gain > 0 &&
	       isfinite(p->digital_gain) && p->digital_gain > 0 &&
	       (unsigned)p->bayer <= LUMEN_BAYER_BGGR &&
	       p->test_pattern >= 0 && p->test_pattern <= 2;
}

int lumen_scene_render(struct lumen_scene *scene,
		       const struct lumen_sensor_model *model,
		       const struct lumen_render_params *p,
		       struct lumen_frame *out)
{
	if (!out)
		return -EINVAL;
	return lumen_scene_render_rows(scene, model, p, out->width, out->height,
				       0, out);
}

int lumen_scene_render_rows(struct lumen_scene *scene,
			    const struct lumen_sensor_model *model,
			    const struct lumen_render_params *p,
			    int width, int height, int first_row,
			    struct lumen_frame *out)
{
	double light, illum[3], m[3][3], k, cx, cy, inv_hd2;
	float shade_k, shade_x0, shade_s;
	float lut[LUMEN_CC_PATCHES + 1][3], coef[3][3], ebuf[CHUNK];
	unsigned maxcode;
	struct conv cv;
	int x0, y0, sw, off;
	uint16_t *mean_plane = NULL;	/* rendering the mean plane */

	if (!scene || !model || !p || !out || out->fmt != LUMEN_PIX_BAYER16 ||
	    !out->data[0] || width < 1 || height < 1 ||
	    width > scene->width || height > scene->height ||
	    out->width != width || out->height < 1 || first_row < 0 ||
	    first_row > height - out->height ||
	    out->stride[0] < (size_t)width * 2 || !model_ok(model) ||
	    !params_ok(p))
		return -EINVAL;

	maxcode = (1u << model->bits) - 1;
	out->bayer = p->bayer;
	out->bits = model->bits;
	out->white = (uint16_t)maxcode;
	for (int c = 0; c < 4; c++)
		out->black[c] = model->black;
	out->sequence = p->frame_index;
	if (p->test_pattern) {
		render_test_pattern(p, model->black, maxcode, out, first_row);
		return 0;
	}

	pthread_mutex_lock(&scene->lock);
	light = scene->light;
	memcpy(illum, scene->illum, sizeof(illum));
	pthread_mutex_unlock(&scene->lock);

	/* electrons per unit of camera response, then the colour tables */
	k = light * p->exposure_s * model->electrons_per_unit;
	camera_matrix(model->cam_from_xyz, illum, m);
	if (scene->kind != LUMEN_SCENE_IMAGE) {
		for (int l = 0; l <= LUMEN_CC_PATCHES; l++)
			for (int c = 0; c < 3; c++) {
				const double *xyz = scene->chart_xyz[l];
				double v = m[c][0] * xyz[0] + m[c][1] * xyz[1] +
					   m[c][2] * xyz[2];

				lut[l][c] = (float)(v > 0 ? v * k : 0);
			}
	} else {
		double ms[3][3];

		mat_mul(m, lumen_srgb_to_xyz_d65, ms);
		for (int c = 0; c < 3; c++)
			for (int j = 0; j < 3; j++)
				coef[c][j] = (float)(ms[c][j] * k / 65535.0);
	}

	cv.read2 = (float)(model->read_noise_e * model->read_noise_e);
	cv.full_well = (float)model->full_well_e;
	cv.code_per_e = (float)((maxcode - model->black) / model->full_well_e *
				p->analog_gain * p->digital_gain);
	cv.black_round = model->black + 0.5f;
	cv.maxcode = (float)maxcode;
	cv.mean_scale = (float)(1 << mean_frac(model->bits));

	/* lens shading: 1 / (1 + k r^2)^2, r^2 = 1 at the active area's
	 * corners; k = 0 for none */
	cx = (scene->width - 1) / 2.0;
	cy = (scene->height - 1) / 2.0;
	inv_hd2 = 1.0 / (cx * cx + cy * cy);
	shade_k = model->corner_illumination > 0 && model->corner_illumination < 1 ?
		(float)(1.0 / sqrt(model->corner_illumination) - 1.0) : 0.0f;

	/* centred window; panning moves the scene by an even step */
	x0 = (scene->width - width) / 2;
	y0 = (scene->height - height) / 2;
	shade_x0 = (float)(x0 - cx);
	shade_s = (float)inv_hd2;
	sw = scene->scene_w;
	off = 0;
	if (scene->pan != 0) {
		double d = floor(scene->pan * (double)p->frame_index / 2) * 2;

		d = fmod(d, sw);
		off = (int)(d < 0 ? d + sw : d);
	}

	/* with noise: the mean plane, rendered only when it is out of date */
	if (!p->noiseless) {
		struct mean_key key;

		memset(&key, 0, sizeof(key));
		key.light = light;
		memcpy(key.illum, illum, sizeof(illum));
		key.exposure_s = p->exposure_s;
		key.again = p->analog_gain;
		key.dgain = p->digital_gain;
		memcpy(key.cam_from_xyz, model->cam_from_xyz, sizeof(key.cam_from_xyz));
		key.electrons_per_unit = model->electrons_per_unit;
		key.full_well_e = model->full_well_e;
		key.read_noise_e = model->read_noise_e;
		key.corner_illumination = model->corner_illumination;
		key.bits = model->bits;
		key.black = model->black;
		key.bayer = (int)p->bayer;
		key.hflip = p->hflip;
		key.vflip = p->vflip;
		key.w = width;
		key.h = height;
		key.off = off;

		pthread_mutex_lock(&scene->render_lock);
		if (!scene->mean) {
			scene->mean = malloc((size_t)scene->width * (size_t)scene->height *
					     sizeof(*scene->mean));
			scene->tab = malloc(sizeof(*scene->tab));
			if (!scene->mean || !scene->tab) {
				free(scene->mean);
				free(scene->tab);
				scene->mean = NULL;
				scene->tab = NULL;
				pthread_mutex_unlock(&scene->render_lock);
				return -ENOMEM;
			}
		}
		mean_plane = scene->mean;
		if (scene->key_valid && !memcmp(&key, &scene->key, sizeof(key)))
			goto add_noise;
		scene->key = key;
		scene->key_valid = true;
		build_noise_tab(model, &cv, scene->tab);
	}

	/* the mean plane is built whole (every band of the frame then adds
	 * noise to it); without noise only the asked rows are rendered */
	for (int y = mean_plane ? 0 : first_row,
	     y_end = mean_plane ? height : first_row + out->height; y < y_end; y++) {
		uint16_t *dst = mean_plane ? mean_plane + (size_t)y * (size_t)width :
			(uint16_t *)(void *)(out->data[0] +
					     (size_t)(y - first_row) * out->stride[0]);
		int sy = y0 + y, dir = p->hflip ? -1 : 1, col;
		int ch[2] = { lumen_bayer_at(p->bayer, 0, y), lumen_bayer_at(p->bayer, 1, y) };

		double dy = y0 + y - cy;
		float shade_y = (float)(dy * dy * inv_hd2);

		if (p->vflip)
			sy = scene->height - 1 - sy;
		col = p->hflip ? scene->width - 1 - x0 : x0;
		col = (col + off) % sw;

		for (int xs = 0; xs < width; xs += CHUNK) {
			int n = width - xs < CHUNK ? width - xs : CHUNK;

			if (scene->kind != LUMEN_SCENE_IMAGE) {
				const uint8_t *lrow = scene->label_rows +
					(size_t)scene->row_kind[sy] * (size_t)sw;

				for (int i = 0; i < n; i++) {
					ebuf[i] = lut[lrow[col]][ch[(xs + i) & 1]];
					col += dir;
					if (col == sw)
						col = 0;
					else if (col < 0)
						col = sw - 1;
				}
			} else {
				const uint16_t *srow = scene->rgb + (size_t)sy * (size_t)sw * 3;

				for (int i = 0; i < n; i++) {
					const float *kc = coef[ch[(xs + i) & 1]];
					const uint16_t *px = srow + (size_t)col * 3;

					ebuf[i] = kc[0] * px[0] + kc[1] * px[1] + kc[2] * px[2];
					col += dir;
					if (col == sw)
						col = 0;
					else if (col < 0)
						col = sw - 1;
				}
			}
			if (shade_k > 0)
				for (int i = 0; i < n; i++) {
					float dx = shade_x0 + (float)(xs + i);
					float t = 1.0f + shade_k * (dx * dx * shade_s + shade_y);

					ebuf[i] /= t * t;
				}
			if (mean_plane)
				to_mean(&cv, ebuf, n, dst + xs);
			else
				quantise(&cv, ebuf, n, dst + xs);
		}
	}
	if (!mean_plane)
		return 0;

add_noise:
	/* per frame: the plane plus noise, a counter per photosite and a key
	 * per frame index */
	{
		struct lumen_noise_dsp dsp;
		uint32_t fkey = (uint32_t)mix64(p->frame_index * GOLDEN ^ 0x5ce7e5eedull);

		lumen_noise_dsp_init(&dsp);
		for (int r = 0; r < out->height; r++) {
			int y = first_row + r;

			dsp.row((uint16_t *)(void *)(out->data[0] + (size_t)r * out->stride[0]),
				mean_plane + (size_t)y * (size_t)width, width,
				(uint32_t)y * (uint32_t)width, fkey, scene->tab);
		}
	}
	pthread_mutex_unlock(&scene->render_lock);
	return 0;
}

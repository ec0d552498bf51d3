/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The physical model behind an emulated sensor: what light reaches each
 * photosite and what the sensor makes of it.
 *
 *   scene radiance (linear sRGB reflectance of a chart, a linearised
 *   sRGB image, optionally panning, or a flat grey)  x illuminant (spectral-free: a white
 *   point, as XYZ of the light)  -> sensor colour response (camera RGB from
 *   XYZ, a 3x3 matrix per sensor model)  x lens shading (relative
 *   illumination falling off towards the corners, per sensor model)
 *   -> Bayer mosaic for the CFA phase
 *   the sensor's mirror/flip gives  -> electrons: x exposure time x
 *   sensitivity x light level  -> shot noise (Poisson, Gaussian approx.)
 *   and read noise  -> analogue gain, digital gain -> black level ->
 *   quantisation and clipping to the ADC's bits.
 *
 * The scene is prepared once (create) at the sensor's size. A noisy render
 * keeps the noiseless mean of every photosite (the "mean plane", allocated
 * on the first noisy render: 2 bytes per photosite of the full size) and
 * rebuilds it only when the light, illuminant, exposure, gains, model, CFA
 * order, flip, window or pan step differ from the last render; otherwise
 * it only adds the frame's noise (virt/noise_dsp.h). Renders of one scene
 * are serialised by a mutex (they share the plane); no allocation after
 * the first. set_light/set_illuminant may be called from any thread while
 * another renders (read once per frame under a lock).
 */
#ifndef LUMEN_VIRT_SCENE_H
#define LUMEN_VIRT_SCENE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"

enum lumen_scene_kind {
	LUMEN_SCENE_CHART,	/* built-in ColorChecker 24 on a mid-grey surround */
	LUMEN_SCENE_IMAGE,	/* an sRGB PNG/TIFF, linearised, scaled to fit */
	LUMEN_SCENE_FLAT,	/* a uniform light-grey surface (a flat field,
				 * as for lens-shading calibration) */
};

struct lumen_scene_config {
	enum lumen_scene_kind kind;
	const char *image_path;		/* LUMEN_SCENE_IMAGE */
	int width, height;		/* the sensor's full active size */
	double pan_px_per_frame;	/* horizontal motion, 0 = still */
	double light;			/* radiance scale; 1.0 = a 100 % white
					 * gives 1.0 "lux-seconds" per second */
	double illuminant_xyz[3];	/* white point of the light; 0 = D65 */
};

/* A sensor's fixed physical properties (one const per emulated model). */
struct lumen_sensor_model {
	double cam_from_xyz[3][3];	/* camera RGB (raw, before WB) from XYZ */
	double electrons_per_unit;	/* e- per unit radiance x second at gain 1 */
	double full_well_e;		/* saturation, in electrons */
	double read_noise_e;		/* read noise, electrons RMS */
	int bits;			/* ADC bits */
	uint16_t black;			/* black level, ADC codes */
	/* Relative illumination at the corners of the full active area, the
	 * lens's shading: the light falls off radially as cos^4 of the field
	 * angle of a pinhole lens, 1 / (1 + k r^2)^2 with r = 1 at the
	 * corners and k chosen to give this value there. 0 or 1 = none. */
	double corner_illumination;
};

struct lumen_render_params {
	double exposure_s;
	double analog_gain, digital_gain;
	enum lumen_bayer bayer;		/* CFA phase of the output (after flip) */
	bool hflip, vflip;		/* mirror the scene */
	int test_pattern;		/* 0 off, 1 colour bars, 2 gradient */
	uint64_t frame_index;		/* drives panning and the noise seed */
	bool noiseless;			/* mean signal only (tests, tuning truth) */
};

struct lumen_scene;

/* 0 or -errno; @err gets "file: reason" for a bad image. */
int lumen_scene_create(const struct lumen_scene_config *cfg,
		       struct lumen_scene **out, char *err, size_t errsz);
void lumen_scene_destroy(struct lumen_scene *scene);

void lumen_scene_set_light(struct lumen_scene *scene, double light);
double lumen_scene_get_light(const struct lumen_scene *scene);
void lumen_scene_set_illuminant(struct lumen_scene *scene, const double xyz[3]);

/*
 * Renders one frame into @out: BAYER16 with @model->bits, of the scene's
 * size or a centred window of it (out->width/height <= scene size). Sets
 * out->bayer, bits, black, white. The same parameters give the same bits
 * on every CPU (the noise kernels are exact). Any thread; renders of one
 * scene run one at a time. Returns 0, -EINVAL (size, format) or -ENOMEM
 * (the mean plane could not be allocated on the first noisy render; the
 * scene is unchanged and a later render tries again).
 */
int lumen_scene_render(struct lumen_scene *scene,
		       const struct lumen_sensor_model *model,
		       const struct lumen_render_params *p,
		       struct lumen_frame *out);

/*
 * Rows [@first_row, @first_row + out->height) of the frame of @width x
 * @height that lumen_scene_render() would give for the same parameters,
 * into @out (BAYER16, out->width == @width): the same bits. The virtual
 * sensor renders a frame band by band as its link sends it, so that no
 * sensor-size frame is held. The bands of one frame must use the same
 * parameters; with noise, the first band after a change rebuilds the
 * scene's mean plane (the whole frame), the others only add noise.
 * Same threads and errors as lumen_scene_render().
 */
int lumen_scene_render_rows(struct lumen_scene *scene,
			    const struct lumen_sensor_model *model,
			    const struct lumen_render_params *p,
			    int width, int height, int first_row,
			    struct lumen_frame *out);

/* Linear sRGB (0..1) of the 24 chart patches as the renderer uses them,
 * and the patch rectangles in a frame of @w x @h (x, y, w, h each), so that
 * tests can measure the pipeline's output against the truth. */
void lumen_scene_chart_truth(double srgb_linear[24][3]);
void lumen_scene_chart_layout(int w, int h, int rects[24][4]);

#endif

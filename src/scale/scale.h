/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scaler: filtered resize of NV12 / I420 / GRAY8 frames by any ratio, for
 * the sub-stream channels (e.g. 2560x1440 -> 640x360) and snapshots.
 *
 * Separable polyphase filtering with 8-bit fixed-point coefficients (Q8,
 * every output's taps sum to exactly 256), planned once at create time:
 * per axis and plane, each output sample has a window start and a row of
 * taps. Per frame nothing is allocated.
 *
 * Order and exact arithmetic (every kernel reproduces it bit for bit):
 *   1. vertical, on 8-bit source rows:  t = (sum_k c_k * src_k + 2) >> 2
 *      (int32 sum, arithmetic shift) -> int16 intermediate in Q6;
 *   2. horizontal, on the intermediate: o = (sum_k c_k * t_k + 8192) >> 14,
 *      clipped to 0..255.
 * Filter windows never read outside the plane: taps that would fall
 * outside are folded onto the edge sample (clamp-to-edge) at plan time.
 * Chroma is filtered at chroma resolution with the same, centre-aligned
 * mapping as luma; NV12 chroma is split into Cb and Cr rows between the
 * passes and interleaved again on output.
 *
 * Threading: one scaler is used by one thread at a time (its row buffers
 * are shared by calls); distinct scalers are independent.
 */
#ifndef LUMEN_SCALE_SCALE_H
#define LUMEN_SCALE_SCALE_H

#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"

enum lumen_scale_filter {
	/* Downscale: exact box average of the area each output covers
	 * (pixel-overlap weights). Upscale: bilinear. The default. */
	LUMEN_SCALE_AREA = 0,
	/* Tent, stretched by the ratio when downscaling (like swscale's
	 * SWS_BILINEAR): a softer low-pass than AREA. */
	LUMEN_SCALE_BILINEAR,
	/* Lanczos, 2 lobes, stretched by the ratio when downscaling: sharper,
	 * with slight ringing (negative taps). */
	LUMEN_SCALE_LANCZOS2,
};

const char *lumen_scale_filter_name(enum lumen_scale_filter f);
/* "area", "bilinear", "lanczos2"; returns 0 or -EINVAL. */
int lumen_scale_filter_parse(const char *s, enum lumen_scale_filter *out);

struct lumen_scaler_config {
	enum lumen_pixfmt src_fmt, dst_fmt;	/* NV12, I420 (either way) or
						 * GRAY8 -> GRAY8 */
	int src_width, src_height;
	int dst_width, dst_height;
	enum lumen_scale_filter filter;
};

/* Read with lumen_scaler_read_counters(); for the status API. */
struct lumen_scaler_counters {
	uint64_t frames;	/* frames scaled */
	uint64_t errors;	/* lumen_scaler_run() refused a frame */
	uint64_t ns_last;	/* CLOCK_MONOTONIC time of the last frame */
	uint64_t ns_total;
};

/*
 * One axis of one plane: output i reads source samples start[i] ..
 * start[i] + taps - 1 with coefficients coef[i * taps + k] (Q8, sum 256).
 * Invariant: start[i] + taps <= max(src_len, taps), and a coefficient of a
 * sample at or past src_len is 0 (only when src_len < taps).
 */
struct lumen_scale_axis {
	int src_len, dst_len, taps;
	int32_t *start;
	int16_t *coef;
};

struct lumen_scale_dsp;

struct lumen_scaler {
	struct lumen_scaler_config cfg;
	/* [0] luma, [1] chroma; h = horizontal, v = vertical */
	struct lumen_scale_axis h[2], v[2];
	/* intermediate rows (int16, Q6), padded to the horizontal taps */
	int16_t *tmp, *tmp_cb, *tmp_cr;
	uint8_t *row_cb, *row_cr;	/* NV12 output before interleaving */
	const uint8_t **rows;		/* vertical window row pointers */
	struct lumen_scaler_counters ctr;
};

/*
 * Plans a scaler. Sizes must be valid for the formats (even for 4:2:0,
 * 1..LUMEN_MAX_DIM); formats as in struct lumen_scaler_config. Returns 0
 * and *out, or -EINVAL (with a message in @err naming the bad field) /
 * -ENOMEM; on error *out is NULL.
 */
int lumen_scaler_create(struct lumen_scaler **out,
			const struct lumen_scaler_config *cfg,
			char *err, size_t errlen);
void lumen_scaler_destroy(struct lumen_scaler *s);

/*
 * Scales @src into @dst (both caller-owned, any strides). Their format and
 * size must be those of the plan, else -EINVAL (counted in errors). Picks
 * the kernels per call (so LUMEN_CPU_MASK / lumen_cpu_set_mask() changes
 * apply to the next frame). Copies sequence and timestamp_ns.
 */
int lumen_scaler_run(struct lumen_scaler *s, const struct lumen_frame *src,
		     struct lumen_frame *dst);

void lumen_scaler_read_counters(const struct lumen_scaler *s,
				struct lumen_scaler_counters *out);

/* ---- kernels (see the arithmetic above) ---- */

/*
 * Vertical pass over @width samples: dst[x] = (sum_k coef[k] * rows[k][x]
 * + 2) >> 2, k < taps. Reads columns 0..width-1 of each row only.
 * Only for coefficients whose results fit int16 (every plan's do: Q8 taps
 * summing to 256 with small negative lobes); others are unspecified.
 */
#define LUMEN_SCALE_V_FN(name) \
	void name(int16_t *dst, const uint8_t *const *rows, \
		  const int16_t *coef, int taps, int width)

/*
 * Horizontal pass: dst[i] = clip((sum_k a->coef[i*taps+k] *
 * src[a->start[i]+k] + 8192) >> 14, 0, 255) for i < a->dst_len.
 * a->taps is 4 or a multiple of 8 (the plan pads with zero taps).
 */
#define LUMEN_SCALE_H_FN(name) \
	void name(uint8_t *dst, const int16_t *src, \
		  const struct lumen_scale_axis *a)

typedef LUMEN_SCALE_V_FN(lumen_scale_v_fn);
typedef LUMEN_SCALE_H_FN(lumen_scale_h_fn);

struct lumen_scale_dsp {
	lumen_scale_v_fn *v;
	lumen_scale_h_fn *h;
};

/* C kernels first, then the fastest that lumen_cpu_flags() allows. */
void lumen_scale_dsp_init(struct lumen_scale_dsp *dsp);
void lumen_scale_dsp_init_x86(struct lumen_scale_dsp *dsp);
void lumen_scale_dsp_init_arm(struct lumen_scale_dsp *dsp);

LUMEN_SCALE_V_FN(lumen_scale_v_c);
LUMEN_SCALE_H_FN(lumen_scale_h_c);
LUMEN_SCALE_V_FN(lumen_scale_v_avx2);
LUMEN_SCALE_H_FN(lumen_scale_h_avx2);
LUMEN_SCALE_V_FN(lumen_scale_v_neon);
LUMEN_SCALE_H_FN(lumen_scale_h_neon);

/*
 * Plans one axis (exposed for the kernel tests). @pad_h: pad taps as the
 * horizontal kernels need (4 or a multiple of 8). Returns 0 or -ENOMEM /
 * -EINVAL; free with lumen_scale_axis_free().
 */
int lumen_scale_axis_plan(struct lumen_scale_axis *a, int src_len,
			  int dst_len, enum lumen_scale_filter f, int pad_h);
void lumen_scale_axis_free(struct lumen_scale_axis *a);

#endif

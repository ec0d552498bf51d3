// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/frame.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const bayer_names[] = { "RGGB", "GRBG", "GBRG", "BGGR" };

const char *lumen_bayer_name(enum lumen_bayer order)
{
	if ((unsigned)order > LUMEN_BAYER_BGGR)
		return "?";
	return bayer_names[order];
}

int lumen_bayer_parse(const char *s, enum lumen_bayer *out)
{
	for (int i = 0; i < 4; i++) {
		if (s && !strcasecmp(s, bayer_names[i])) {
			*out = (enum lumen_bayer)i;
			return 0;
		}
	}
	return -EINVAL;
}

enum lumen_bayer lumen_bayer_flip(enum lumen_bayer order, bool hflip,
				  bool vflip, int width, int height)
{
	/* Mirroring maps column x to w-1-x: the phase changes when w is even. */
	int dx = hflip ? (width - 1) : 0;
	int dy = vflip ? (height - 1) : 0;

	return lumen_bayer_shift(order, dx, dy);
}

static const char *const pixfmt_names[] = {
	[LUMEN_PIX_NONE] = "none",	[LUMEN_PIX_BAYER8] = "bayer8",
	[LUMEN_PIX_BAYER16] = "bayer16", [LUMEN_PIX_BAYER10P] = "bayer10p",
	[LUMEN_PIX_BAYER12P] = "bayer12p", [LUMEN_PIX_GRAY8] = "gray8",
	[LUMEN_PIX_RGB24] = "rgb24",	[LUMEN_PIX_RGB48] = "rgb48",
	[LUMEN_PIX_RGB16P] = "rgb16p",	[LUMEN_PIX_NV12] = "nv12",
	[LUMEN_PIX_I420] = "i420",	[LUMEN_PIX_YUYV] = "yuyv",
};

const char *lumen_pixfmt_name(enum lumen_pixfmt fmt)
{
	if ((unsigned)fmt >= sizeof(pixfmt_names) / sizeof(pixfmt_names[0]))
		return "?";
	return pixfmt_names[fmt];
}

bool lumen_pixfmt_is_bayer(enum lumen_pixfmt fmt)
{
	return fmt == LUMEN_PIX_BAYER8 || fmt == LUMEN_PIX_BAYER16 ||
	       fmt == LUMEN_PIX_BAYER10P || fmt == LUMEN_PIX_BAYER12P;
}

static size_t align_up(size_t v, size_t a)
{
	return a ? (v + a - 1) & ~(a - 1) : v;
}

long long lumen_frame_layout(struct lumen_frame *f, enum lumen_pixfmt fmt,
			     int width, int height, size_t align)
{
	size_t row[LUMEN_MAX_PLANES] = { 0 }, rows[LUMEN_MAX_PLANES] = { 0 };
	size_t w = (size_t)width, h = (size_t)height;
	long long total = 0;

	if (width <= 0 || height <= 0 || width > LUMEN_MAX_DIM ||
	    height > LUMEN_MAX_DIM || (align & (align - 1)))
		return -EINVAL;

	switch (fmt) {
	case LUMEN_PIX_BAYER8:
	case LUMEN_PIX_GRAY8:
		row[0] = w;
		break;
	case LUMEN_PIX_BAYER16:
		row[0] = 2 * w;
		break;
	case LUMEN_PIX_BAYER10P:
		if (w % 4)
			return -EINVAL;
		row[0] = w / 4 * 5;
		break;
	case LUMEN_PIX_BAYER12P:
		if (w % 2)
			return -EINVAL;
		row[0] = w / 2 * 3;
		break;
	case LUMEN_PIX_RGB24:
		row[0] = 3 * w;
		break;
	case LUMEN_PIX_RGB48:
		row[0] = 6 * w;
		break;
	case LUMEN_PIX_RGB16P:
		row[0] = row[1] = row[2] = 2 * w;
		rows[1] = rows[2] = h;
		break;
	case LUMEN_PIX_NV12:
		if ((w | h) & 1)
			return -EINVAL;
		row[0] = w;
		row[1] = w;
		rows[1] = h / 2;
		break;
	case LUMEN_PIX_I420:
		if ((w | h) & 1)
			return -EINVAL;
		row[0] = w;
		row[1] = row[2] = w / 2;
		rows[1] = rows[2] = h / 2;
		break;
	case LUMEN_PIX_YUYV:
		if (w & 1)
			return -EINVAL;
		row[0] = 2 * w;
		break;
	default:
		return -EINVAL;
	}
	rows[0] = h;

	memset(f, 0, sizeof(*f));
	f->fmt = fmt;
	f->width = width;
	f->height = height;
	f->bits = fmt == LUMEN_PIX_BAYER10P ? 10 : fmt == LUMEN_PIX_BAYER12P ? 12
		: fmt == LUMEN_PIX_BAYER16 || fmt == LUMEN_PIX_RGB48 ||
		  fmt == LUMEN_PIX_RGB16P ? 16 : 8;
	f->white = (uint16_t)((1u << f->bits) - 1);
	f->index = -1;
	for (int p = 0; p < LUMEN_MAX_PLANES; p++) {
		f->stride[p] = align_up(row[p], align);
		total += (long long)(f->stride[p] * rows[p]);
	}
	return total;
}

/* Rows of each plane of a @fmt frame @height high (planes the format
 * lacks: whatever, their stride is 0). */
static void plane_rows(enum lumen_pixfmt fmt, int height,
		       int rows[LUMEN_MAX_PLANES])
{
	rows[0] = height;
	rows[1] = rows[2] = 0;
	if (fmt == LUMEN_PIX_NV12 || fmt == LUMEN_PIX_I420)
		rows[1] = rows[2] = height / 2;
	if (fmt == LUMEN_PIX_RGB16P)
		rows[1] = rows[2] = height;
}

void lumen_frame_attach(struct lumen_frame *f, void *mem)
{
	uint8_t *p = mem;
	int rows[LUMEN_MAX_PLANES];

	plane_rows(f->fmt, f->height, rows);
	for (int i = 0; i < LUMEN_MAX_PLANES; i++) {
		f->data[i] = f->stride[i] ? p : NULL;
		p += f->stride[i] * (size_t)rows[i];
	}
}

int lumen_frame_alloc(struct lumen_frame *f, enum lumen_pixfmt fmt,
		      int width, int height)
{
	struct lumen_frame tmp;
	long long size = lumen_frame_layout(&tmp, fmt, width, height, 32);
	void *mem;

	if (size < 0)
		return (int)size;
	mem = aligned_alloc(64, (size_t)((size + 63) & ~63LL));
	if (!mem)
		return -ENOMEM;
	lumen_frame_attach(&tmp, mem);
	*f = tmp;
	return 0;
}

void lumen_frame_free(struct lumen_frame *f)
{
	if (!f)
		return;
	free(f->data[0]);
	memset(f->data, 0, sizeof(f->data));
}

int lumen_frame_copy(struct lumen_frame *dst, const struct lumen_frame *src)
{
	struct lumen_frame tight, keep;
	int rows[LUMEN_MAX_PLANES];

	if (!dst || !src || dst->fmt != src->fmt || dst->width != src->width ||
	    dst->height != src->height ||
	    lumen_frame_layout(&tight, src->fmt, src->width, src->height, 0) < 0)
		return -EINVAL;
	plane_rows(src->fmt, src->height, rows);
	for (int p = 0; p < LUMEN_MAX_PLANES; p++)
		for (int y = 0; tight.stride[p] && y < rows[p]; y++)
			memcpy(dst->data[p] + (size_t)y * dst->stride[p],
			       src->data[p] + (size_t)y * src->stride[p],
			       tight.stride[p]);
	keep = *dst;
	*dst = *src;
	memcpy(dst->data, keep.data, sizeof(dst->data));
	memcpy(dst->stride, keep.stride, sizeof(dst->stride));
	dst->owner = keep.owner;
	dst->index = keep.index;
	return 0;
}

void lumen_frame_raw_phase(const struct lumen_frame *src, int x, int y,
			   struct lumen_frame *window)
{
	uint16_t b[4];

	window->bayer = lumen_bayer_shift(src->bayer, x, y);
	/* the black level per CFA cell moves with the phase */
	for (int cy = 0; cy < 2; cy++)
		for (int cx = 0; cx < 2; cx++)
			b[cy * 2 + cx] = src->black[((cy + y) & 1) * 2 +
						    ((cx + x) & 1)];
	memcpy(window->black, b, sizeof(b));
}

int lumen_frame_crop(const struct lumen_frame *src, int x, int y, int width,
		     int height, struct lumen_frame *view)
{
	struct lumen_frame v;
	size_t bytes_per_px = 0;

	if (x < 0 || y < 0 || width <= 0 || height <= 0 ||
	    x > src->width - width || y > src->height - height)
		return -EINVAL;
	v = *src;
	v.width = width;
	v.height = height;

	switch (src->fmt) {
	case LUMEN_PIX_BAYER8:
	case LUMEN_PIX_GRAY8:
		bytes_per_px = 1;
		break;
	case LUMEN_PIX_BAYER16:
		bytes_per_px = 2;
		break;
	case LUMEN_PIX_BAYER10P:
		if (x % 4 || width % 4)
			return -EINVAL;
		v.data[0] += (size_t)y * src->stride[0] + (size_t)x / 4 * 5;
		goto raw_phase;
	case LUMEN_PIX_BAYER12P:
		if (x % 2 || width % 2)
			return -EINVAL;
		v.data[0] += (size_t)y * src->stride[0] + (size_t)x / 2 * 3;
		goto raw_phase;
	case LUMEN_PIX_RGB24:
		bytes_per_px = 3;
		break;
	case LUMEN_PIX_RGB48:
		bytes_per_px = 6;
		break;
	case LUMEN_PIX_RGB16P:
		for (int p = 0; p < 3; p++)
			v.data[p] += (size_t)y * src->stride[p] + 2 * (size_t)x;
		goto done;
	case LUMEN_PIX_NV12:
		if ((x | y | width | height) & 1)
			return -EINVAL;
		v.data[0] += (size_t)y * src->stride[0] + (size_t)x;
		v.data[1] += (size_t)y / 2 * src->stride[1] + (size_t)x;
		goto done;
	case LUMEN_PIX_I420:
		if ((x | y | width | height) & 1)
			return -EINVAL;
		v.data[0] += (size_t)y * src->stride[0] + (size_t)x;
		for (int p = 1; p < 3; p++)
			v.data[p] += (size_t)y / 2 * src->stride[p] + (size_t)x / 2;
		goto done;
	case LUMEN_PIX_YUYV:
		if ((x | width) & 1)
			return -EINVAL;
		bytes_per_px = 2;
		break;
	default:
		return -EINVAL;
	}
	v.data[0] += (size_t)y * src->stride[0] + (size_t)x * bytes_per_px;
raw_phase:
	if (lumen_pixfmt_is_bayer(src->fmt))
		lumen_frame_raw_phase(src, x, y, &v);
done:
	v.owner = NULL;
	v.index = -1;
	*view = v;
	return 0;
}

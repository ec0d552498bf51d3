/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Frames: the one image type every stage passes to the next.
 *
 * A frame describes memory it does not own (a pool, a file mapping or a
 * caller's buffer owns it). Raw Bayer frames carry their CFA order, the
 * number of significant bits and the black/white levels in those units.
 *
 * Contract: functions here never allocate except lumen_frame_alloc(); they
 * return 0 or a negative errno and leave their outputs untouched on error.
 */
#ifndef LUMEN_CORE_FRAME_H
#define LUMEN_CORE_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Colour of the top-left 2x2 cell, read row by row. */
enum lumen_bayer {
	LUMEN_BAYER_RGGB = 0,
	LUMEN_BAYER_GRBG = 1,
	LUMEN_BAYER_GBRG = 2,
	LUMEN_BAYER_BGGR = 3,
};

enum lumen_channel { LUMEN_CH_R = 0, LUMEN_CH_G = 1, LUMEN_CH_B = 2 };

/*
 * Bit 0 of the order is "red is on an odd column", bit 1 is "red is on an
 * odd row": so shifting the origin by (dx, dy) is an XOR, and the colour of
 * any pixel follows from the red position alone.
 */
static inline enum lumen_channel lumen_bayer_at(enum lumen_bayer order,
						int x, int y)
{
	int rx = (int)order & 1, ry = ((int)order >> 1) & 1;
	int ox = (x & 1) ^ rx, oy = (y & 1) ^ ry;

	if (!ox && !oy)
		return LUMEN_CH_R;
	if (ox && oy)
		return LUMEN_CH_B;
	return LUMEN_CH_G;
}

/* The order seen by a window whose origin is (dx, dy) in this frame. */
static inline enum lumen_bayer lumen_bayer_shift(enum lumen_bayer order,
						 int dx, int dy)
{
	return (enum lumen_bayer)((int)order ^ (dx & 1) ^ ((dy & 1) << 1));
}

/* Mirror (horizontal flip) and flip (vertical) of a frame of width w / h. */
enum lumen_bayer lumen_bayer_flip(enum lumen_bayer order, bool hflip,
				  bool vflip, int width, int height);

const char *lumen_bayer_name(enum lumen_bayer order);
/* Parses "rggb", "RGGB", ... ; returns 0 or -EINVAL. */
int lumen_bayer_parse(const char *s, enum lumen_bayer *out);

enum lumen_pixfmt {
	LUMEN_PIX_NONE = 0,
	LUMEN_PIX_BAYER8,	/* one byte per sample */
	LUMEN_PIX_BAYER16,	/* 'bits' significant bits, LSB-aligned, LE */
	LUMEN_PIX_BAYER10P,	/* MIPI CSI-2 RAW10: 4 samples in 5 bytes */
	LUMEN_PIX_BAYER12P,	/* MIPI CSI-2 RAW12: 2 samples in 3 bytes */
	LUMEN_PIX_GRAY8,
	LUMEN_PIX_RGB24,	/* R,G,B bytes interleaved */
	LUMEN_PIX_RGB48,	/* R,G,B uint16 interleaved, native endian */
	LUMEN_PIX_RGB16P,	/* three uint16 planes R, G, B (ISP working) */
	LUMEN_PIX_NV12,		/* Y plane, interleaved CbCr at half size */
	LUMEN_PIX_I420,		/* Y, Cb, Cr planes; chroma at half size */
	LUMEN_PIX_YUYV,		/* packed 4:2:2 Y0 Cb Y1 Cr */
};

const char *lumen_pixfmt_name(enum lumen_pixfmt fmt);
bool lumen_pixfmt_is_bayer(enum lumen_pixfmt fmt);

#define LUMEN_MAX_PLANES 3
#define LUMEN_MAX_DIM 32768	/* larger than any sensor; bounds every size */

struct lumen_frame {
	enum lumen_pixfmt fmt;
	int width, height;
	uint8_t *data[LUMEN_MAX_PLANES];
	size_t stride[LUMEN_MAX_PLANES];	/* bytes from one row to the next */

	/* raw frames only */
	enum lumen_bayer bayer;
	int bits;			/* significant bits per sample, 8..16 */
	uint16_t black[4];		/* per CFA cell, row-major 2x2, in sample units */
	uint16_t white;			/* saturation level in sample units */

	uint64_t sequence;		/* set by the producer */
	int64_t timestamp_ns;		/* CLOCK_MONOTONIC at frame start */

	void *owner;			/* pool that owns the memory, or NULL */
	int index;			/* slot in that pool */
};

/*
 * Fills fmt/size/strides of @f for a frame of @width x @height with rows
 * aligned to @align bytes (a power of two, or 0 for tight). Pointers are not
 * set. Returns the total byte size, or a negative errno for a format that
 * cannot have that size (odd sizes for 4:2:0, width not a multiple of the
 * packing group, dimensions out of range).
 */
long long lumen_frame_layout(struct lumen_frame *f, enum lumen_pixfmt fmt,
			     int width, int height, size_t align);

/* Points @f's planes into @mem laid out by lumen_frame_layout(). */
void lumen_frame_attach(struct lumen_frame *f, void *mem);

/* Allocates one block for the frame; free with lumen_frame_free(). */
int lumen_frame_alloc(struct lumen_frame *f, enum lumen_pixfmt fmt,
		      int width, int height);
void lumen_frame_free(struct lumen_frame *f);

/* Copies @src's samples and metadata (CFA, bits, black, white, sequence,
 * timestamp) into @dst, which keeps its memory, strides and pool slot.
 * Same format and size, else -EINVAL. Any thread; no allocation. */
int lumen_frame_copy(struct lumen_frame *dst, const struct lumen_frame *src);

/* Sets @window's CFA order and per-cell black levels for a window of the
 * Bayer frame @src whose origin is (@x, @y). */
void lumen_frame_raw_phase(const struct lumen_frame *src, int x, int y,
			   struct lumen_frame *window);

/*
 * Makes @view a window onto @src without copying. A Bayer window keeps the
 * right CFA order for an odd origin; 4:2:0/4:2:2 windows need even
 * origins and sizes; packed raw windows need origins on a packing group.
 * Returns 0 or -EINVAL (window outside the frame, bad alignment).
 */
int lumen_frame_crop(const struct lumen_frame *src, int x, int y, int width,
		     int height, struct lumen_frame *view);

/* Sample of a raw frame (BAYER8/16, MIPI RAW10/RAW12 packed); for tests
 * and slow paths only. */
static inline unsigned lumen_frame_raw_at(const struct lumen_frame *f, int x,
					  int y)
{
	const uint8_t *row = f->data[0] + (size_t)y * f->stride[0];
	const uint8_t *g;

	switch (f->fmt) {
	case LUMEN_PIX_BAYER8:
		return row[x];
	case LUMEN_PIX_BAYER10P:
		g = row + (size_t)x / 4 * 5;	/* 4 high bytes, then the LSBs */
		return (unsigned)g[x % 4] << 2 | (g[4] >> (2 * (x % 4)) & 3);
	case LUMEN_PIX_BAYER12P:
		g = row + (size_t)x / 2 * 3;	/* 2 high bytes, then the nibbles */
		return (unsigned)g[x % 2] << 4 | (g[2] >> (4 * (x % 2)) & 15);
	default:
		return ((const uint16_t *)(const void *)row)[x];
	}
}

#endif

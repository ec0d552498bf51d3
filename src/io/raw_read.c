// SPDX-License-Identifier: GPL-2.0-or-later
#include "io/raw_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/pack.h"
#include "core/errmsg.h"

/* Headers larger than this are not raw dumps; keeps the arithmetic small. */
#define RAW_MAX_OFFSET ((size_t)1 << 30)

void lumen_raw_format_init(struct lumen_raw_format *f)
{
	memset(f, 0, sizeof(*f));
	f->container = LUMEN_PIX_NONE;
	f->bayer = LUMEN_BAYER_RGGB;
}

static int container_bits(enum lumen_pixfmt c)
{
	switch (c) {
	case LUMEN_PIX_BAYER8:
		return 8;
	case LUMEN_PIX_BAYER10P:
		return 10;
	case LUMEN_PIX_BAYER12P:
		return 12;
	case LUMEN_PIX_BAYER16:
		return 16;
	default:
		return 0;
	}
}

static const char *container_desc(enum lumen_pixfmt c)
{
	switch (c) {
	case LUMEN_PIX_BAYER8:
		return "8-bit";
	case LUMEN_PIX_BAYER10P:
		return "RAW10-packed";
	case LUMEN_PIX_BAYER12P:
		return "RAW12-packed";
	case LUMEN_PIX_BAYER16:
		return "16-bit";
	default:
		return "unknown-container";
	}
}

static size_t row_bytes(enum lumen_pixfmt c, int width)
{
	size_t w = (size_t)width;

	if (width <= 0 || width > LUMEN_MAX_DIM)
		return 0;
	switch (c) {
	case LUMEN_PIX_BAYER8:
		return w;
	case LUMEN_PIX_BAYER16:
		return 2 * w;
	case LUMEN_PIX_BAYER10P:
		return w % 4 ? 0 : w / 4 * 5;
	case LUMEN_PIX_BAYER12P:
		return w % 2 ? 0 : w / 2 * 3;
	default:
		return 0;
	}
}

size_t lumen_raw_format_row_bytes(const struct lumen_raw_format *f)
{
	enum lumen_pixfmt c = f->container;

	if (c == LUMEN_PIX_NONE)
		c = f->bits > 8 ? LUMEN_PIX_BAYER16 : LUMEN_PIX_BAYER8;
	return row_bytes(c, f->width);
}

long long lumen_raw_format_file_size(const struct lumen_raw_format *f)
{
	size_t row = lumen_raw_format_row_bytes(f);
	size_t stride = f->stride ? f->stride : row;

	if (!row || f->height <= 0 || f->height > LUMEN_MAX_DIM ||
	    stride < row || stride > 16 * (size_t)LUMEN_MAX_DIM ||
	    f->offset > RAW_MAX_OFFSET)
		return -EINVAL;
	/* stride <= 2^19 and height <= 2^15: no overflow in 64 bits */
	return (long long)f->offset + (long long)stride * f->height;
}

int lumen_raw_format_check(struct lumen_raw_format *f, const char *name,
			   char *err, size_t errlen)
{
	struct lumen_raw_format r = *f;
	int cbits;
	unsigned maxv;
	size_t row;

	if (!name)
		name = "raw";
	if (r.width <= 0 || r.height <= 0)
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: image size not given (width and height are required)",
				     name);
	if (r.width > LUMEN_MAX_DIM || r.height > LUMEN_MAX_DIM)
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: size %dx%d exceeds the limit %dx%d", name,
				     r.width, r.height, LUMEN_MAX_DIM, LUMEN_MAX_DIM);
	if ((r.width | r.height) & 1)
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: size %dx%d is odd; a Bayer mosaic needs even width and height",
				     name, r.width, r.height);
	if (r.bits < 0 || r.bits > 16)
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: bit depth %d out of range 1..16", name, r.bits);
	if (r.container == LUMEN_PIX_NONE)
		r.container = r.bits > 8 ? LUMEN_PIX_BAYER16 : LUMEN_PIX_BAYER8;
	cbits = container_bits(r.container);
	if (!cbits)
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: container %s is not a raw Bayer container", name,
				     lumen_pixfmt_name(r.container));
	if (!r.bits)
		r.bits = cbits;
	if (r.bits > cbits)
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: %d-bit samples do not fit the %s container", name,
				     r.bits, container_desc(r.container));
	if (r.big_endian && r.container != LUMEN_PIX_BAYER16 &&
	    r.container != LUMEN_PIX_BAYER8)
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: big-endian makes no sense for the %s container",
				     name, container_desc(r.container));
	row = row_bytes(r.container, r.width);
	if (!row)
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: width %d is not a multiple of %d as %s needs", name,
				     r.width, r.container == LUMEN_PIX_BAYER10P ? 4 : 2,
				     container_desc(r.container));
	if (r.stride && (r.stride < row || r.stride > 16 * (size_t)LUMEN_MAX_DIM))
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: stride %zu is %s than a row of %zu bytes", name,
				     r.stride, r.stride < row ? "smaller" : "absurdly larger",
				     row);
	if (r.offset > RAW_MAX_OFFSET)
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: header offset %zu exceeds the limit %zu", name,
				     r.offset, RAW_MAX_OFFSET);
	maxv = (1u << r.bits) - 1;
	if (!r.has_white)
		r.white = (uint16_t)maxv;
	if (!r.has_black)
		memset(r.black, 0, sizeof(r.black));
	if (r.white > maxv)
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: white level %u exceeds the %d-bit maximum %u",
				     name, r.white, r.bits, maxv);
	for (int i = 0; i < 4; i++)
		if (r.black[i] >= r.white)
			return lumen_fail(-EINVAL, err, errlen,
					     "%s: black level %u (cell %d) is not below the white level %u",
					     name, r.black[i], i, r.white);
	if ((unsigned)r.bayer > LUMEN_BAYER_BGGR)
		return lumen_fail(-EINVAL, err, errlen, "%s: bad Bayer order %d",
				     name, (int)r.bayer);
	r.has_black = r.has_white = true;
	*f = r;
	return 0;
}

/* Suggests which other container a wrong-sized file would fit, if any. */
static void size_hint(const struct lumen_raw_format *f, long long actual,
		      char *buf, size_t len)
{
	static const enum lumen_pixfmt cs[] = {
		LUMEN_PIX_BAYER8, LUMEN_PIX_BAYER16, LUMEN_PIX_BAYER10P,
		LUMEN_PIX_BAYER12P,
	};

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		size_t row = row_bytes(cs[i], f->width);

		if (cs[i] == f->container || !row)
			continue;
		if ((long long)row * f->height == actual) {
			snprintf(buf, len, " (the size fits %s samples)",
				 container_desc(cs[i]));
			return;
		}
	}
}

static unsigned load16(const uint8_t *p, bool be)
{
	return be ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

int lumen_raw_read_flags(const char *path, const struct lumen_raw_format *fmt,
			 unsigned flags, struct lumen_frame *out, char *err,
			 size_t errlen)
{
	struct lumen_raw_format f = *fmt;
	struct lumen_frame fr;
	struct stat st;
	long long want;
	size_t row, stride, got;
	uint8_t *buf = NULL;
	FILE *fp;
	int ret;

	ret = lumen_raw_format_check(&f, path, err, errlen);
	if (ret)
		return ret;
	row = row_bytes(f.container, f.width);
	stride = f.stride ? f.stride : row;
	want = lumen_raw_format_file_size(&f);
	if (want < 0)
		return lumen_fail(-EINVAL, err, errlen, "%s: impossible layout", path);

	fp = fopen(path, "rb");
	if (!fp) {
		ret = -errno;
		return lumen_fail(ret, err, errlen, "%s: cannot open: %s", path,
				     strerror(-ret));
	}
	if (fstat(fileno(fp), &st) != 0) {
		ret = -errno;
		lumen_fail(ret, err, errlen, "%s: cannot stat: %s", path,
			      strerror(-ret));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = lumen_fail(-EINVAL, err, errlen, "%s: not a regular file",
				    path);
		goto out_close;
	}
	if ((long long)st.st_size != want) {
		char hint[64], layout[96] = "";

		size_hint(&f, (long long)st.st_size, hint, sizeof(hint));
		if (f.offset || f.stride)
			snprintf(layout, sizeof(layout), " (offset %zu + stride %zu x %d rows)",
				 f.offset, stride, f.height);
		ret = lumen_fail(-EINVAL, err, errlen,
				    "%s: %lld bytes, expected %lld for %dx%d %s%s%s%s",
				    path, (long long)st.st_size, want, f.width, f.height,
				    container_desc(f.container),
				    st.st_size == 0 ? " (the file is empty)" : "",
				    layout, hint);
		goto out_close;
	}

	buf = malloc((size_t)want);
	if (!buf) {
		ret = lumen_fail(-ENOMEM, err, errlen,
				    "%s: out of memory for %lld bytes", path, want);
		goto out_close;
	}
	got = fread(buf, 1, (size_t)want, fp);
	if (got != (size_t)want) {
		ret = lumen_fail(-EIO, err, errlen,
				    "%s: read %zu of %lld bytes%s", path, got, want,
				    ferror(fp) ? ": I/O error" : " (file shrank?)");
		goto out_free;
	}

	ret = lumen_frame_alloc(&fr, f.container, f.width, f.height);
	if (ret) {
		lumen_fail(ret, err, errlen, "%s: cannot allocate a %dx%d frame",
			      path, f.width, f.height);
		goto out_free;
	}
	fr.bayer = f.bayer;
	fr.bits = f.bits;
	memcpy(fr.black, f.black, sizeof(fr.black));
	fr.white = f.white;

	{
		const unsigned maxv = (1u << f.bits) - 1;
		unsigned worst = 0;
		int wx = -1, wy = -1;

		for (int y = 0; y < f.height; y++) {
			const uint8_t *s = buf + f.offset + (size_t)y * stride;
			uint8_t *d = fr.data[0] + (size_t)y * fr.stride[0];

			if (f.container == LUMEN_PIX_BAYER16) {
				uint16_t *d16 = (uint16_t *)(void *)d;

				for (int x = 0; x < f.width; x++) {
					unsigned v = load16(s + 2 * x, f.big_endian);

					d16[x] = (uint16_t)v;
					if (v > maxv && v > worst) {
						if (wx < 0) {
							wx = x;
							wy = y;
						}
						worst = v;
					}
				}
				continue;
			}
			memcpy(d, s, row);
			if (f.container == LUMEN_PIX_BAYER8 && maxv < 255) {
				for (int x = 0; x < f.width; x++) {
					if (s[x] > maxv && s[x] > worst) {
						if (wx < 0) {
							wx = x;
							wy = y;
						}
						worst = s[x];
					}
				}
			}
		}
		if (wx >= 0 && !(flags & LUMEN_RAW_ALLOW_OVERRANGE)) {
			ret = lumen_fail(-ERANGE, err, errlen,
					    "%s: samples exceed the %d-bit maximum %u (first at (%d,%d), largest %u); wrong bit depth or endianness?",
					    path, f.bits, maxv, wx, wy, worst);
			lumen_frame_free(&fr);
			goto out_free;
		}
	}
	*out = fr;
	ret = 0;
out_free:
	free(buf);
out_close:
	fclose(fp);
	return ret;
}

int lumen_raw_read(const char *path, const struct lumen_raw_format *fmt,
		   struct lumen_frame *out, char *err, size_t errlen)
{
	return lumen_raw_read_flags(path, fmt, 0, out, err, errlen);
}

int lumen_raw_read16(const char *path, const struct lumen_raw_format *fmt,
		     unsigned flags, struct lumen_frame *out, char *err,
		     size_t errlen)
{
	struct lumen_frame raw, w;
	int ret = lumen_raw_read_flags(path, fmt, flags, &raw, err, errlen);

	if (ret)
		return ret;
	if (raw.fmt == LUMEN_PIX_BAYER16) {
		*out = raw;
		return 0;
	}
	ret = lumen_frame_alloc(&w, LUMEN_PIX_BAYER16, raw.width, raw.height);
	if (ret) {
		lumen_frame_free(&raw);
		return lumen_fail(ret, err, errlen,
				     "%s: cannot allocate a %dx%d 16-bit frame", path,
				     raw.width, raw.height);
	}
	ret = lumen_raw_to_16(&raw, &w);
	lumen_frame_free(&raw);
	if (ret) {
		lumen_frame_free(&w);
		return lumen_fail(ret, err, errlen, "%s: cannot convert to 16 bits",
				     path);
	}
	*out = w;
	return 0;
}

unsigned lumen_raw_max_sample(const struct lumen_frame *f)
{
	unsigned m = 0;
	uint16_t tmp[64];

	for (int y = 0; y < f->height; y++) {
		const uint8_t *s = f->data[0] + (size_t)y * f->stride[0];

		switch (f->fmt) {
		case LUMEN_PIX_BAYER8:
			for (int x = 0; x < f->width; x++)
				m = s[x] > m ? s[x] : m;
			break;
		case LUMEN_PIX_BAYER16:
			for (int x = 0; x < f->width; x++) {
				unsigned v = ((const uint16_t *)(const void *)s)[x];

				m = v > m ? v : m;
			}
			break;
		case LUMEN_PIX_BAYER10P:
		case LUMEN_PIX_BAYER12P:
			/* widths are whole groups; 64 samples is 16 RAW10 / 32 RAW12 groups */
			for (int x = 0; x < f->width; x += 64) {
				int n = f->width - x < 64 ? f->width - x : 64;

				if (f->fmt == LUMEN_PIX_BAYER10P)
					lumen_unpack_raw10(s + (size_t)x / 4 * 5, tmp, (size_t)n);
				else
					lumen_unpack_raw12(s + (size_t)x / 2 * 3, tmp, (size_t)n);
				for (int i = 0; i < n; i++)
					m = tmp[i] > m ? tmp[i] : m;
			}
			break;
		default:
			return 0;
		}
	}
	return m;
}

int lumen_raw_fit_levels(struct lumen_frame *f, const char *name, char *note,
			 size_t notelen)
{
	unsigned m = lumen_raw_max_sample(f);
	int bits = f->bits, old_bits = f->bits;
	unsigned old_white = f->white;

	if (note && notelen)
		note[0] = '\0';
	if (m <= f->white)
		return 0;
	while (bits < 16 && m > (1u << bits) - 1)
		bits++;
	f->bits = bits;
	f->white = (uint16_t)((1u << bits) - 1);
	lumen_fail(0, note, notelen,
		      "%s: samples reach %u, above the configured white level %u (%d-bit); believing the data: %d-bit, white %u",
		      name ? name : "raw", m, old_white, old_bits, bits, f->white);
	return 1;
}

// SPDX-License-Identifier: GPL-2.0-or-later
#include "io/image_write.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <turbojpeg.h>
#include <unistd.h>

#include "core/pack.h"
#include "core/errmsg.h"

enum kind { K_JPEG, K_PNG, K_PPM, K_PGM, K_YUV };

static const struct {
	const char *ext;
	enum kind kind;
	const char *takes;
} exts[] = {
	{ "jpg", K_JPEG, "rgb24, gray8, nv12 or i420" },
	{ "jpeg", K_JPEG, "rgb24, gray8, nv12 or i420" },
	{ "png", K_PNG, "rgb24, gray8, rgb48, bayer8 or bayer16" },
	{ "ppm", K_PPM, "rgb24 or rgb48" },
	{ "pgm", K_PGM, "gray8 or a Bayer frame" },
	{ "yuv", K_YUV, "nv12 or i420" },
};

static bool kind_takes(enum kind k, enum lumen_pixfmt f)
{
	switch (k) {
	case K_JPEG:
		return f == LUMEN_PIX_RGB24 || f == LUMEN_PIX_GRAY8 ||
		       f == LUMEN_PIX_NV12 || f == LUMEN_PIX_I420;
	case K_PNG:
		return f == LUMEN_PIX_RGB24 || f == LUMEN_PIX_GRAY8 ||
		       f == LUMEN_PIX_RGB48 || f == LUMEN_PIX_BAYER8 ||
		       f == LUMEN_PIX_BAYER16;
	case K_PPM:
		return f == LUMEN_PIX_RGB24 || f == LUMEN_PIX_RGB48;
	case K_PGM:
		return f == LUMEN_PIX_GRAY8 || lumen_pixfmt_is_bayer(f);
	case K_YUV:
		return f == LUMEN_PIX_NV12 || f == LUMEN_PIX_I420;
	}
	return false;
}

/* Bytes of one row of plane @p, or 0 for a format/plane we do not write. */
static size_t plane_row(const struct lumen_frame *f, int p)
{
	size_t w = (size_t)f->width;

	switch (f->fmt) {
	case LUMEN_PIX_GRAY8:
	case LUMEN_PIX_BAYER8:
		return p ? 0 : w;
	case LUMEN_PIX_BAYER16:
		return p ? 0 : 2 * w;
	case LUMEN_PIX_BAYER10P:
		return p ? 0 : w / 4 * 5;
	case LUMEN_PIX_BAYER12P:
		return p ? 0 : w / 2 * 3;
	case LUMEN_PIX_RGB24:
		return p ? 0 : 3 * w;
	case LUMEN_PIX_RGB48:
		return p ? 0 : 6 * w;
	case LUMEN_PIX_NV12:
		return p < 2 ? w : 0;
	case LUMEN_PIX_I420:
		return p == 0 ? w : w / 2;
	default:
		return 0;
	}
}

static int plane_rows(const struct lumen_frame *f, int p)
{
	return p && (f->fmt == LUMEN_PIX_NV12 || f->fmt == LUMEN_PIX_I420) ?
	       f->height / 2 : f->height;
}

static bool host_is_le(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 1;
}

/* Writes all of @n bytes or fails with -errno. */
static int put(FILE *fp, const void *buf, size_t n)
{
	if (n && fwrite(buf, 1, n, fp) != n)
		return errno ? -errno : -EIO;
	return 0;
}

/* ------------------------------------------------------------------ */

static int write_yuv(FILE *fp, const struct lumen_frame *f)
{
	int ret;

	for (int p = 0; p < LUMEN_MAX_PLANES; p++) {
		size_t row = plane_row(f, p);

		for (int y = 0; row && y < plane_rows(f, p); y++)
			if ((ret = put(fp, f->data[p] + (size_t)y * f->stride[p], row)))
				return ret;
	}
	return 0;
}

/* 16-bit rows as big-endian, for PPM/PGM. */
static int put16be(FILE *fp, const uint16_t *s, size_t n, uint8_t *tmp,
		   unsigned clamp)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v = s[i] > clamp ? clamp : s[i];

		tmp[2 * i] = (uint8_t)(v >> 8);
		tmp[2 * i + 1] = (uint8_t)v;
	}
	return put(fp, tmp, 2 * n);
}

static int write_pnm(FILE *fp, const struct lumen_frame *f, char *err,
		     size_t errlen, const char *path)
{
	bool rgb = f->fmt == LUMEN_PIX_RGB24 || f->fmt == LUMEN_PIX_RGB48;
	bool wide = f->fmt == LUMEN_PIX_RGB48 || f->fmt == LUMEN_PIX_BAYER16 ||
		    f->fmt == LUMEN_PIX_BAYER10P || f->fmt == LUMEN_PIX_BAYER12P;
	size_t n = (size_t)f->width * (rgb ? 3 : 1);
	unsigned maxval = wide ? 65535 : 255;
	struct lumen_frame w16 = { 0 };
	const struct lumen_frame *src = f;
	uint8_t *tmp = NULL;
	int ret = 0;

	if (f->fmt == LUMEN_PIX_BAYER10P || f->fmt == LUMEN_PIX_BAYER12P) {
		ret = lumen_frame_alloc(&w16, LUMEN_PIX_BAYER16, f->width, f->height);
		if (!ret)
			ret = lumen_raw_to_16(f, &w16);
		if (ret) {
			lumen_frame_free(&w16);
			return lumen_fail(ret, err, errlen,
					     "%s: cannot unpack the %s frame", path,
					     lumen_pixfmt_name(f->fmt));
		}
		src = &w16;
	}
	if (!rgb && wide && f->bits >= 9 && f->bits < 16)
		maxval = (1u << f->bits) - 1;	/* the viewer scales */
	if (wide) {
		tmp = malloc(2 * n);
		if (!tmp) {
			ret = lumen_fail(-ENOMEM, err, errlen, "%s: out of memory",
					    path);
			goto out;
		}
	}
	if (fprintf(fp, "P%c\n%d %d\n%u\n", rgb ? '6' : '5', f->width, f->height,
		    maxval) < 0) {
		ret = -EIO;
		goto out;
	}
	for (int y = 0; y < f->height && !ret; y++) {
		const uint8_t *row = src->data[0] + (size_t)y * src->stride[0];

		if (wide)
			ret = put16be(fp, (const uint16_t *)(const void *)row, n, tmp,
				      maxval);
		else
			ret = put(fp, row, n);
	}
out:
	free(tmp);
	lumen_frame_free(&w16);
	return ret;
}

/* ------------------------------------------------------------------ */

struct png_ctx {
	char msg[160];
};

static void png_fail(png_structp png, png_const_charp msg)
{
	struct png_ctx *c = png_get_error_ptr(png);

	snprintf(c->msg, sizeof(c->msg), "%s", msg);
	png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static int write_png(FILE *fp, const struct lumen_frame *f, char *err,
		     size_t errlen, const char *path)
{
	/* on the heap: automatic objects changed before a longjmp are lost */
	struct png_ctx *ctx = calloc(1, sizeof(*ctx));
	const bool rgb = f->fmt == LUMEN_PIX_RGB24 || f->fmt == LUMEN_PIX_RGB48;
	const int depth = f->fmt == LUMEN_PIX_RGB48 || f->fmt == LUMEN_PIX_BAYER16 ? 16 : 8;
	const int type = rgb ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY;
	png_structp png;
	png_infop info;

	if (!ctx)
		return lumen_fail(-ENOMEM, err, errlen, "%s: out of memory", path);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, ctx, png_fail, png_warn);
	info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_write_struct(&png, NULL);
		free(ctx);
		return lumen_fail(-ENOMEM, err, errlen, "%s: out of memory", path);
	}
	if (setjmp(png_jmpbuf(png))) {
		int ret = lumen_fail(-EIO, err, errlen, "%s: PNG encoder: %s",
					path, ctx->msg[0] ? ctx->msg : "failed");

		png_destroy_write_struct(&png, &info);
		free(ctx);
		return ret;
	}
	png_init_io(png, fp);
	png_set_IHDR(png, info, (png_uint_32)f->width, (png_uint_32)f->height,
		     depth, type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	if (f->fmt == LUMEN_PIX_BAYER16 && f->bits >= 9 && f->bits < 16) {
		png_color_8 sig = { .gray = (png_byte)f->bits };

		png_set_sBIT(png, info, &sig);
	}
	png_write_info(png, info);
	if (depth == 16 && host_is_le())
		png_set_swap(png);
	for (int y = 0; y < f->height; y++)
		png_write_row(png, f->data[0] + (size_t)y * f->stride[0]);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(ctx);
	return 0;
}

/* ------------------------------------------------------------------ */

static int write_jpeg(FILE *fp, const struct lumen_frame *f, int quality,
		      char *err, size_t errlen, const char *path)
{
	tjhandle tj = tjInitCompress();
	unsigned char *jpeg = NULL;
	unsigned long size = 0;
	uint8_t *chroma = NULL;
	int r, ret;

	if (!tj)
		return lumen_fail(-ENOMEM, err, errlen, "%s: cannot start TurboJPEG",
				     path);
	if (quality <= 0)
		quality = 90;
	if (quality > 100)
		quality = 100;

	if (f->fmt == LUMEN_PIX_RGB24 || f->fmt == LUMEN_PIX_GRAY8) {
		bool gray = f->fmt == LUMEN_PIX_GRAY8;

		r = tjCompress2(tj, f->data[0], f->width, (int)f->stride[0], f->height,
				gray ? TJPF_GRAY : TJPF_RGB, &jpeg, &size,
				gray ? TJSAMP_GRAY : TJSAMP_420, quality, 0);
	} else {
		const unsigned char *planes[3];
		int strides[3];

		planes[0] = f->data[0];
		strides[0] = (int)f->stride[0];
		if (f->fmt == LUMEN_PIX_I420) {
			planes[1] = f->data[1];
			planes[2] = f->data[2];
			strides[1] = (int)f->stride[1];
			strides[2] = (int)f->stride[2];
		} else {
			/* NV12: TurboJPEG wants separate Cb and Cr planes */
			size_t cw = (size_t)f->width / 2, ch = (size_t)f->height / 2;

			chroma = malloc(2 * cw * ch);
			if (!chroma) {
				tjDestroy(tj);
				return lumen_fail(-ENOMEM, err, errlen,
						     "%s: out of memory", path);
			}
			for (size_t y = 0; y < ch; y++) {
				const uint8_t *s = f->data[1] + y * f->stride[1];

				for (size_t x = 0; x < cw; x++) {
					chroma[y * cw + x] = s[2 * x];
					chroma[cw * ch + y * cw + x] = s[2 * x + 1];
				}
			}
			planes[1] = chroma;
			planes[2] = chroma + cw * ch;
			strides[1] = strides[2] = (int)cw;
		}
		r = tjCompressFromYUVPlanes(tj, planes, f->width, strides, f->height,
					    TJSAMP_420, &jpeg, &size, quality, 0);
	}
	if (r) {
		ret = lumen_fail(-EIO, err, errlen, "%s: JPEG encoder: %s", path,
				    tjGetErrorStr2(tj));
	} else {
		ret = put(fp, jpeg, size);
	}
	free(chroma);
	tjFree(jpeg);
	tjDestroy(tj);
	return ret;
}

/* ------------------------------------------------------------------ */

static int check_frame(const struct lumen_frame *f, const char *path,
		       char *err, size_t errlen)
{
	if (f->width <= 0 || f->height <= 0 || f->width > LUMEN_MAX_DIM ||
	    f->height > LUMEN_MAX_DIM)
		return lumen_fail(-EINVAL, err, errlen, "%s: bad frame size %dx%d",
				     path, f->width, f->height);
	if ((f->fmt == LUMEN_PIX_NV12 || f->fmt == LUMEN_PIX_I420) &&
	    ((f->width | f->height) & 1))
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: %s frame of odd size %dx%d", path,
				     lumen_pixfmt_name(f->fmt), f->width, f->height);
	for (int p = 0; p < LUMEN_MAX_PLANES; p++) {
		size_t row = plane_row(f, p);

		if (row && (!f->data[p] || f->stride[p] < row))
			return lumen_fail(-EINVAL, err, errlen,
					     "%s: frame plane %d is missing or its stride %zu is below a row of %zu bytes",
					     path, p, f->stride[p], row);
	}
	if (lumen_pixfmt_is_bayer(f->fmt) &&
	    (f->bits < 1 || f->bits > 16))
		return lumen_fail(-EINVAL, err, errlen, "%s: frame has %d bits",
				     path, f->bits);
	return 0;
}

int lumen_image_write(const char *path, const struct lumen_frame *frame,
		      int quality, char *err, size_t errlen)
{
	const char *base, *dot;
	size_t i, plen;
	char *tmp;
	FILE *fp;
	int ret;

	if (!path || !*path || !frame)
		return lumen_fail(-EINVAL, err, errlen, "%s: nothing to write",
				     path ? path : "(null)");
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	for (i = 0; dot && i < sizeof(exts) / sizeof(exts[0]); i++)
		if (!strcasecmp(dot + 1, exts[i].ext))
			break;
	if (!dot || i == sizeof(exts) / sizeof(exts[0]))
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: unknown extension '%s' (use .jpg, .jpeg, .png, .ppm, .pgm or .yuv)",
				     path, dot ? dot : "");
	if (!kind_takes(exts[i].kind, frame->fmt))
		return lumen_fail(-EINVAL, err, errlen,
				     "%s: cannot write a %s frame as %s (it takes %s)",
				     path, lumen_pixfmt_name(frame->fmt), exts[i].ext,
				     exts[i].takes);
	ret = check_frame(frame, path, err, errlen);
	if (ret)
		return ret;

	plen = strlen(path);
	tmp = malloc(plen + 5);
	if (!tmp)
		return lumen_fail(-ENOMEM, err, errlen, "%s: out of memory", path);
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp", 5);
	fp = fopen(tmp, "wb");
	if (!fp) {
		ret = -errno;
		lumen_fail(ret, err, errlen, "%s: cannot create %s: %s", path, tmp,
			      strerror(-ret));
		free(tmp);
		return ret;
	}

	if (err && errlen)
		err[0] = '\0';
	errno = 0;
	switch (exts[i].kind) {
	case K_JPEG:
		ret = write_jpeg(fp, frame, quality, err, errlen, path);
		break;
	case K_PNG:
		ret = write_png(fp, frame, err, errlen, path);
		break;
	case K_PPM:
	case K_PGM:
		ret = write_pnm(fp, frame, err, errlen, path);
		break;
	case K_YUV:
		ret = write_yuv(fp, frame);
		break;
	}
	if (!ret && fflush(fp))
		ret = errno ? -errno : -EIO;
	if (!ret && ferror(fp))
		ret = -EIO;
	if (fclose(fp) && !ret)
		ret = errno ? -errno : -EIO;
	if (ret && err && errlen && !err[0])
		lumen_fail(ret, err, errlen, "%s: write failed: %s", path,
			      strerror(-ret));
	if (!ret && rename(tmp, path)) {
		ret = -errno;
		lumen_fail(ret, err, errlen, "%s: cannot rename %s into place: %s",
			      path, tmp, strerror(-ret));
	}
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

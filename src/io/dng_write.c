// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DNG writer: one uncompressed 16-bit CFA IFD0 (no preview), DNG 1.4 with
 * backward version 1.1. Written through libtiff into a temporary file in
 * the destination directory, then renamed over the destination.
 */
#include "io/dng.h"
#include "core/errmsg.h"
#include "core/pack.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>

#define PHOTOMETRIC_CFA 32803
#define TAG_NOISE_PROFILE 51041

/* DNG 1.3's NoiseProfile, which libtiff does not know: DOUBLE pairs */
static const TIFFFieldInfo noise_profile_info[] = {
	{ TAG_NOISE_PROFILE, -1, -1, TIFF_DOUBLE, FIELD_CUSTOM, 1, 1, "NoiseProfile" },
};

struct wctx {
	const char *path;
	char *err;
	size_t errlen;
	char tiff_err[200];
};

static int wfail(struct wctx *c, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ret = lumen_vfail_in(ret, c->err, c->errlen, c->path, fmt, ap);
	va_end(ap);
	return ret;
}

static int on_error(TIFF *t, void *user, const char *module, const char *fmt, va_list ap)
{
	struct wctx *c = user;

	(void)t; (void)module;
	if (!c->tiff_err[0])
		vsnprintf(c->tiff_err, sizeof(c->tiff_err), fmt, ap);
	return 1;
}

static int on_warning(TIFF *t, void *user, const char *module, const char *fmt, va_list ap)
{
	(void)t; (void)user; (void)module; (void)fmt; (void)ap;
	return 1;
}

/*
 * XYZ (D65) -> linear sRGB: the matrix of a camera whose primaries are
 * sRGB's, used when the caller knows nothing better.
 */
static const float default_matrix[3][3] = {
	{ 3.2404542f, -1.5371385f, -0.4985314f },
	{ -0.9692660f, 1.8760108f, 0.0415560f },
	{ 0.0556434f, -0.2040259f, 1.0572252f },
};

static void row16(const struct lumen_frame *raw, int y, uint16_t *dst)
{
	const uint8_t *s = raw->data[0] + (size_t)y * raw->stride[0];

	switch (raw->fmt) {
	case LUMEN_PIX_BAYER8:
		for (int x = 0; x < raw->width; x++)
			dst[x] = s[x];
		break;
	case LUMEN_PIX_BAYER10P:
		lumen_unpack_raw10(s, dst, (size_t)raw->width);
		break;
	case LUMEN_PIX_BAYER12P:
		lumen_unpack_raw12(s, dst, (size_t)raw->width);
		break;
	default:
		memcpy(dst, s, 2 * (size_t)raw->width);
		break;
	}
}

static int write_tiff(struct wctx *c, TIFF *t, const struct lumen_frame *raw,
		      const struct lumen_dng_write_meta *meta)
{
	static const uint8_t dng_version[4] = { 1, 4, 0, 0 };
	static const uint8_t dng_backward[4] = { 1, 1, 0, 0 };
	static const uint8_t plane_color[3] = { 0, 1, 2 };
	static const uint16_t repeat[2] = { 2, 2 };
	const char *make = meta && meta->make ? meta->make : "lumen";
	const char *model = meta && meta->model ? meta->model : "virtual";
	const char *software = meta && meta->software ? meta->software : "lumen";
	char unique[160];
	uint8_t cfa[4];
	float black[4], cm[9], neutral[3];
	uint32_t white = raw->white;
	uint16_t illum = 21;	/* D65 */
	uint16_t *row;
	int ok = 1;

	if (meta && meta->unique_camera_model)
		snprintf(unique, sizeof(unique), "%s", meta->unique_camera_model);
	else
		snprintf(unique, sizeof(unique), "%s %s", make, model);
	for (int i = 0; i < 4; i++) {
		cfa[i] = (uint8_t)lumen_bayer_at(raw->bayer, i & 1, i >> 1);
		black[i] = raw->black[i];
	}
	for (int i = 0; i < 9; i++)
		cm[i] = meta && meta->has_color_matrix ? meta->color_matrix[i / 3][i % 3]
						       : default_matrix[i / 3][i % 3];
	if (meta && meta->has_color_matrix && meta->calibration_illuminant > 0 &&
	    meta->calibration_illuminant < 256)
		illum = (uint16_t)meta->calibration_illuminant;
	if (white == 0)
		white = raw->bits >= 8 && raw->bits <= 16 ? (1u << raw->bits) - 1 : 65535;
	for (int i = 0; i < 4; i++)
		if (raw->black[i] >= white)
			return wfail(c, -EINVAL, "black level %u is not below white level %u",
				     raw->black[i], white);

	ok &= TIFFSetField(t, TIFFTAG_SUBFILETYPE, 0);
	ok &= TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)raw->width);
	ok &= TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)raw->height);
	ok &= TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 16);
	ok &= TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
	ok &= TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
	ok &= TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_CFA);
	ok &= TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	ok &= TIFFSetField(t, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
	ok &= TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(t, 0));
	ok &= TIFFSetField(t, TIFFTAG_MAKE, make);
	ok &= TIFFSetField(t, TIFFTAG_MODEL, model);
	ok &= TIFFSetField(t, TIFFTAG_SOFTWARE, software);
	ok &= TIFFSetField(t, TIFFTAG_DNGVERSION, dng_version);
	ok &= TIFFSetField(t, TIFFTAG_DNGBACKWARDVERSION, dng_backward);
	ok &= TIFFSetField(t, TIFFTAG_UNIQUECAMERAMODEL, unique);
	ok &= TIFFSetField(t, TIFFTAG_CFAREPEATPATTERNDIM, repeat);
	ok &= TIFFSetField(t, TIFFTAG_CFAPATTERN, 4, cfa);
	ok &= TIFFSetField(t, TIFFTAG_CFAPLANECOLOR, 3, plane_color);
	ok &= TIFFSetField(t, TIFFTAG_CFALAYOUT, 1);
	ok &= TIFFSetField(t, TIFFTAG_BLACKLEVELREPEATDIM, repeat);
	ok &= TIFFSetField(t, TIFFTAG_BLACKLEVEL, 4, black);
	ok &= TIFFSetField(t, TIFFTAG_WHITELEVEL, 1, &white);
	ok &= TIFFSetField(t, TIFFTAG_COLORMATRIX1, 9, cm);
	ok &= TIFFSetField(t, TIFFTAG_CALIBRATIONILLUMINANT1, illum);
	if (meta && meta->has_as_shot_neutral) {
		for (int i = 0; i < 3; i++)
			neutral[i] = meta->as_shot_neutral[i];
		ok &= TIFFSetField(t, TIFFTAG_ASSHOTNEUTRAL, 3, neutral);
	}
	if (meta && meta->has_noise_profile) {
		double np[2] = { meta->noise_profile[0], meta->noise_profile[1] };

		ok &= TIFFMergeFieldInfo(t, noise_profile_info, 1) == 0;
		ok &= TIFFSetField(t, TAG_NOISE_PROFILE, 2, np);
	}
	if (!ok)
		return wfail(c, -EIO, "cannot set DNG tags (%s)", c->tiff_err);

	row = malloc(2 * (size_t)raw->width);
	if (!row)
		return wfail(c, -ENOMEM, "out of memory");
	for (int y = 0; y < raw->height; y++) {
		row16(raw, y, row);
		if (TIFFWriteScanline(t, row, (uint32_t)y, 0) < 0) {
			free(row);
			return wfail(c, -EIO, "write failed at row %d (%s)", y,
				     c->tiff_err[0] ? c->tiff_err : "I/O error");
		}
	}
	free(row);
	if (!TIFFWriteDirectory(t))
		return wfail(c, -EIO, "cannot write the directory (%s)",
			     c->tiff_err[0] ? c->tiff_err : "I/O error");
	return 0;
}

int lumen_dng_write(const char *path, const struct lumen_frame *raw,
		    const struct lumen_dng_write_meta *meta, char *err, size_t errlen)
{
	struct wctx c = { .path = path, .err = err, .errlen = errlen };
	TIFFOpenOptions *opts;
	char *tmp;
	const char *slash;
	size_t dirlen;
	TIFF *t;
	int fd, ret;

	if (err && errlen)
		err[0] = 0;
	if (!path || !*path)
		return wfail(&c, -EINVAL, "empty output path");
	if (!raw || !lumen_pixfmt_is_bayer(raw->fmt) || !raw->data[0])
		return wfail(&c, -EINVAL, "not a Bayer frame (%s)",
			     raw ? lumen_pixfmt_name(raw->fmt) : "null");
	if (raw->width < 2 || raw->height < 2 || raw->width > LUMEN_MAX_DIM ||
	    raw->height > LUMEN_MAX_DIM)
		return wfail(&c, -EINVAL, "frame size %dx%d out of range", raw->width, raw->height);
	if ((unsigned)raw->bayer > LUMEN_BAYER_BGGR)
		return wfail(&c, -EINVAL, "bad Bayer order %d", (int)raw->bayer);

	/* "<dir>/.<name>.XXXXXX" beside the destination */
	slash = strrchr(path, '/');
	dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	tmp = malloc(strlen(path) + 16);
	if (!tmp)
		return wfail(&c, -ENOMEM, "out of memory");
	sprintf(tmp, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		free(tmp);
		return wfail(&c, ret, "cannot create a temporary file: %s", strerror(-ret));
	}
	fchmod(fd, 0644);

	opts = TIFFOpenOptionsAlloc();
	if (opts) {
		TIFFOpenOptionsSetErrorHandlerExtR(opts, on_error, &c);
		TIFFOpenOptionsSetWarningHandlerExtR(opts, on_warning, &c);
	}
	t = opts ? TIFFFdOpenExt(fd, tmp, "w", opts) : NULL;
	TIFFOpenOptionsFree(opts);
	if (!t) {
		ret = wfail(&c, -EIO, "cannot start a TIFF file (%s)", c.tiff_err);
		close(fd);
		goto fail;
	}
	ret = write_tiff(&c, t, raw, meta);
	if (ret == 0 && fsync(TIFFFileno(t)) < 0)
		ret = wfail(&c, -errno, "cannot sync: %s", strerror(errno));
	TIFFClose(t);	/* closes fd; flushes */
	if (ret < 0)
		goto fail;
	if (c.tiff_err[0]) {
		ret = wfail(&c, -EIO, "write failed (%s)", c.tiff_err);
		goto fail;
	}
	if (rename(tmp, path) < 0) {
		ret = -errno;
		wfail(&c, ret, "cannot rename the temporary file: %s", strerror(-ret));
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	unlink(tmp);
	free(tmp);
	return ret;
}

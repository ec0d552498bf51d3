// SPDX-License-Identifier: GPL-2.0-or-later
/* 8-bit RGB loader: PNG via libpng's simplified API, TIFF via libtiff. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <tiffio.h>

#include "io/rgb_read.h"

static int read_png(const char *path, struct lumen_frame *out)
{
	png_image img;
	struct lumen_frame f;
	int ret;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path))
		return -EIO;
	if (img.width > LUMEN_MAX_DIM || img.height > LUMEN_MAX_DIM) {
		png_image_free(&img);
		return -EFBIG;
	}
	img.format = PNG_FORMAT_RGB;
	ret = lumen_frame_alloc(&f, LUMEN_PIX_RGB24, (int)img.width,
				(int)img.height);
	if (ret) {
		png_image_free(&img);
		return ret;
	}
	/* the background is only used for alpha images: composite on black */
	if (!png_image_finish_read(&img, NULL, f.data[0],
				   (png_int_32)f.stride[0], NULL)) {
		png_image_free(&img);
		lumen_frame_free(&f);
		return -EIO;
	}
	*out = f;
	return 0;
}

static int read_tiff(const char *path, struct lumen_frame *out)
{
	TIFF *tif = TIFFOpen(path, "r");
	uint32_t w = 0, h = 0, *rgba = NULL;
	struct lumen_frame f;
	int ret;

	if (!tif)
		return -EIO;
	if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) ||
	    !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h) || !w || !h) {
		ret = -EIO;
		goto close;
	}
	if (w > LUMEN_MAX_DIM || h > LUMEN_MAX_DIM) {
		ret = -EFBIG;
		goto close;
	}
	ret = lumen_frame_alloc(&f, LUMEN_PIX_RGB24, (int)w, (int)h);
	if (ret)
		goto close;
	rgba = malloc((size_t)w * h * sizeof(*rgba));
	if (!rgba) {
		ret = -ENOMEM;
		goto free_frame;
	}
	/* converts any photometric / bit depth / compression to 8-bit RGBA */
	if (!TIFFReadRGBAImageOriented(tif, w, h, rgba, ORIENTATION_TOPLEFT, 0)) {
		ret = -EIO;
		goto free_rgba;
	}
	for (uint32_t y = 0; y < h; y++) {
		const uint32_t *s = rgba + (size_t)y * w;
		uint8_t *d = f.data[0] + (size_t)y * f.stride[0];

		for (uint32_t x = 0; x < w; x++) {
			d[3 * x + 0] = (uint8_t)TIFFGetR(s[x]);
			d[3 * x + 1] = (uint8_t)TIFFGetG(s[x]);
			d[3 * x + 2] = (uint8_t)TIFFGetB(s[x]);
		}
	}
	free(rgba);
	TIFFClose(tif);
	*out = f;
	return 0;

free_rgba:
	free(rgba);
free_frame:
	lumen_frame_free(&f);
close:
	TIFFClose(tif);
	return ret;
}

int lumen_rgb_read(const char *path, struct lumen_frame *out)
{
	static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	uint8_t magic[8];
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (!fp)
		return -errno;
	n = fread(magic, 1, sizeof(magic), fp);
	fclose(fp);
	if (n == sizeof(magic) && !memcmp(magic, png_sig, sizeof(png_sig)))
		return read_png(path, out);
	if (n >= 4 && ((magic[0] == 'I' && magic[1] == 'I' && magic[2] == 42 &&
			magic[3] == 0) ||
		       (magic[0] == 'M' && magic[1] == 'M' && magic[2] == 0 &&
			magic[3] == 42)))
		return read_tiff(path, out);
	return -ENOTSUP;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writes the fuzz seeds for fuzz_dng into a directory: tiny DNGs that
 * together reach every branch of the reader (writer output, big-endian
 * 16-bit, packed 12-bit strips under a thumbnail IFD0 with SubIFDs,
 * lossless JPEG tiles with crop/black/linearisation tags), a bare
 * lossless JPEG stream, and hostile shapes built byte by byte (strips or
 * lossless JPEG streams shared by every strip, tags outside the file or
 * with absurd counts or types, a BigTIFF with every colour tag).
 * Usage: gen_dng_seeds <dir>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#include "io/dng.h"
#include "dng_build.h"
#include "ljpeg_enc.h"

static char path[4096];

static const char *at(const char *dir, const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void dng_tags(TIFF *t, int w, int h, int bps, int compression)
{
	static const uint8_t ver[4] = { 1, 4, 0, 0 };
	static const uint8_t cfa[4] = { 1, 0, 2, 1 };	/* GRBG */
	static const uint16_t dim[2] = { 2, 2 };
	static const float cm[9] = { 1.2f, -0.3f, 0, -0.2f, 1.1f, 0.1f, 0, -0.1f, 0.9f };
	static const float neutral[3] = { 0.5f, 1, 0.7f };

	TIFFSetField(t, TIFFTAG_SUBFILETYPE, 0);
	TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)w);
	TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)h);
	TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, bps);
	TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
	TIFFSetField(t, TIFFTAG_COMPRESSION, compression);
	TIFFSetField(t, TIFFTAG_PHOTOMETRIC, 32803);
	TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(t, TIFFTAG_DNGVERSION, ver);
	TIFFSetField(t, TIFFTAG_CFAREPEATPATTERNDIM, dim);
	TIFFSetField(t, TIFFTAG_CFAPATTERN, 4, cfa);
	TIFFSetField(t, TIFFTAG_COLORMATRIX1, 9, cm);
	TIFFSetField(t, TIFFTAG_ASSHOTNEUTRAL, 3, neutral);
}

static int save(const char *p, uint8_t *buf, size_t len)
{
	FILE *fp = buf ? fopen(p, "wb") : NULL;
	int ok = fp && fwrite(buf, 1, len, fp) == len;

	if (fp && fclose(fp))
		ok = 0;
	free(buf);
	return ok ? 0 : -1;
}

/* A w x h 16-bit DNG, one strip a row from 4096 (all at 4096 if @shared). */
static uint8_t *rows_dng(uint32_t w, uint32_t h, int shared, const struct dng_entry *e,
			 int ne, int big, size_t *len)
{
	uint64_t off[128], cnt[128];
	struct dng_build b = { .width = w, .height = h, .rows_per_strip = 1, .nstrips = h,
			       .strip_off = off, .strip_len = cnt, .extra = e, .nextra = ne,
			       .bigtiff = big != 0 };
	size_t size = 4096 + (size_t)w * 2 * (shared ? 1 : h);
	uint8_t *buf;

	if (h > 128)
		return NULL;
	for (uint32_t y = 0; y < h; y++) {
		off[y] = 4096 + (shared ? 0 : (uint64_t)y * w * 2);
		cnt[y] = (uint64_t)w * 2;
	}
	/* shared: still big enough for one bit a pixel, so the coverage check is what refuses */
	if (shared && size < 4096 + (size_t)w * h / 8 + 64)
		size = 4096 + (size_t)w * h / 8 + 64;
	buf = dng_build(&b, size, len);
	for (size_t i = 4096; buf && i < size; i++)
		buf[i] = (uint8_t)(i * 13);
	return buf;
}

static int hostile_seeds(const char *dir, const uint16_t *img)
{
	static const int32_t cm[18] = { 8000, 10000, -2000, 10000, -1000, 10000, -3000, 10000,
					11000, 10000, 1000, 10000, 0, 1, 1000, 10000, 5000, 10000 };
	static const int32_t sing[18] = { 1, 1, 2, 1, 3, 1, 2, 1, 4, 1, 6, 1, 0, 1, 0, 1, 1, 1 };
	static const int32_t cal[18] = { 2, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1 };
	static const int32_t ab[6] = { 1, 1, 3, 2, 1, 1 }, neutral[6] = { 1, 2, 1, 1, 2, 3 };
	static const uint8_t ops[16] = { 0, 0, 0, 1, 0, 0, 0, 1 };
	static const uint16_t lin[4] = { 0, 100, 1000, 4095 }, ill = 21;
	struct dng_entry e[8];
	uint64_t off[64], cnt[64];
	struct dng_build b = { .width = 64, .height = 64, .compression = 7,
			       .rows_per_strip = 1, .nstrips = 64, .strip_off = off,
			       .strip_len = cnt };
	uint8_t *j, *buf;
	size_t len, jlen;
	int ret = 0;

	/* 8192x8192 whose strips share one row, scaled down */
	ret |= save(at(dir, "shared_strips.dng"), rows_dng(128, 128, 1, NULL, 0, 0, &len), len);
	e[0] = (struct dng_entry){ 50721, TIFF_SRATIONAL, 9, NULL, 0x7fff0000 };
	ret |= save(at(dir, "cm_outside.dng"), rows_dng(16, 16, 0, e, 1, 0, &len), len);
	e[0] = (struct dng_entry){ 50712, TIFF_SHORT, 1u << 30, NULL, 1024 };
	ret |= save(at(dir, "lin_huge.dng"), rows_dng(16, 16, 0, e, 1, 0, &len), len);
	e[0] = (struct dng_entry){ 50721, TIFF_ASCII, 9, "abcdefgh", 0 };
	e[1] = (struct dng_entry){ 50722, TIFF_SRATIONAL, 9, sing, 0 };
	e[2] = (struct dng_entry){ 50728, TIFF_RATIONAL, 2, neutral, 0 };
	ret |= save(at(dir, "tags_bad.dng"), rows_dng(16, 16, 0, e, 3, 0, &len), len);
	e[0] = (struct dng_entry){ 50714, TIFF_SHORT, 4, NULL, 0x40000000 };
	ret |= save(at(dir, "black_outside.dng"), rows_dng(16, 16, 0, e, 1, 0, &len), len);
	/* a BigTIFF with every colour tag, an opcode list and a linearisation */
	e[0] = (struct dng_entry){ 50721, TIFF_SRATIONAL, 9, cm, 0 };
	e[1] = (struct dng_entry){ 50723, TIFF_SRATIONAL, 9, cal, 0 };
	e[2] = (struct dng_entry){ 50727, TIFF_RATIONAL, 3, ab, 0 };
	e[3] = (struct dng_entry){ 50728, TIFF_RATIONAL, 3, neutral, 0 };
	e[4] = (struct dng_entry){ 50778, TIFF_SHORT, 1, &ill, 0 };
	e[5] = (struct dng_entry){ 51009, TIFF_UNDEFINED, 16, ops, 0 };
	e[6] = (struct dng_entry){ 50712, TIFF_SHORT, 4, lin, 0 };
	ret |= save(at(dir, "bigtiff.dng"), rows_dng(16, 16, 0, e, 7, 1, &len), len);
	/* 64 lossless JPEG strips that all point at one 64x1 stream */
	j = test_ljpeg_encode(img, 64, 1, 1, 12, 1, 0, 0, &jlen);
	if (!j)
		return -1;
	for (int i = 0; i < 64; i++) {
		off[i] = 1024;
		cnt[i] = jlen;
	}
	buf = dng_build(&b, 1024 + 600, &len);
	if (buf)
		memcpy(buf + 1024, j, jlen);
	free(j);
	ret |= save(at(dir, "ljpeg_shared.dng"), buf, len);
	return ret;
}

int main(int argc, char **argv)
{
	uint16_t img[16 * 16];
	struct lumen_frame f;
	char err[256];
	uint8_t *j, buf[512];
	size_t len;
	TIFF *t;
	FILE *fp;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <dir>\n", argv[0]);
		return 2;
	}
	for (int i = 0; i < 16 * 16; i++)
		img[i] = (uint16_t)((i * 37 + (i >> 4) * 11) & 0xfff);

	/* 1: the writer's own output */
	if (lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, 8, 6) < 0)
		return 1;
	for (int y = 0; y < 6; y++)
		memcpy(f.data[0] + y * f.stride[0], img + y * 8, 16);
	f.bits = 12;
	f.white = 4095;
	f.black[0] = 64; f.black[1] = 65; f.black[2] = 66; f.black[3] = 67;
	if (lumen_dng_write(at(argv[1], "written.dng"), &f, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	lumen_frame_free(&f);

	/* 2: big-endian 16-bit, two strips */
	t = TIFFOpen(at(argv[1], "be16.dng"), "wb");
	dng_tags(t, 8, 4, 16, COMPRESSION_NONE);
	TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 2);
	for (int s = 0; s < 2; s++) {
		for (int i = 0; i < 16; i++) {
			buf[2 * i] = (uint8_t)(img[s * 16 + i] >> 8);
			buf[2 * i + 1] = (uint8_t)img[s * 16 + i];
		}
		TIFFWriteRawStrip(t, (uint32_t)s, buf, 32);
	}
	TIFFWriteDirectory(t);
	TIFFClose(t);

	/* 3: RGB thumbnail IFD0, 12-bit packed raw in a SubIFD */
	t = TIFFOpen(at(argv[1], "subifd12.dng"), "w");
	{
		static const uint8_t ver[4] = { 1, 4, 0, 0 };
		uint64_t sub = 0;

		TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_REDUCEDIMAGE);
		TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 2);
		TIFFSetField(t, TIFFTAG_IMAGELENGTH, 2);
		TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
		TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
		TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
		TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
		TIFFSetField(t, TIFFTAG_DNGVERSION, ver);
		TIFFSetField(t, TIFFTAG_SUBIFD, 1, &sub);
		memset(buf, 128, 12);
		TIFFWriteEncodedStrip(t, 0, buf, 12);
		TIFFWriteDirectory(t);
	}
	dng_tags(t, 8, 4, 12, COMPRESSION_NONE);
	TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 4);
	for (int i = 0; i < 32; i += 2) {
		buf[i / 2 * 3] = (uint8_t)(img[i] >> 4);
		buf[i / 2 * 3 + 1] = (uint8_t)(img[i] << 4 | img[i + 1] >> 8);
		buf[i / 2 * 3 + 2] = (uint8_t)img[i + 1];
	}
	TIFFWriteRawStrip(t, 0, buf, 48);
	TIFFWriteDirectory(t);
	TIFFClose(t);

	/* 4: lossless JPEG tile, 2 components, restarts, crop/black/lin tags */
	t = TIFFOpen(at(argv[1], "ljpeg_tile.dng"), "w");
	dng_tags(t, 16, 16, 12, 7);
	{
		static const uint32_t area[4] = { 1, 2, 15, 16 };
		static const float origin[2] = { 1, 1 }, size[2] = { 12, 12 };
		static const uint16_t bdim[2] = { 2, 2 }, lin[8] = { 0, 100, 400, 900, 1600, 2500, 3600, 4095 };
		static const float black[4] = { 10, 11, 12, 13 }, dv[14] = { 1, 2, 3 };

		TIFFSetField(t, TIFFTAG_ACTIVEAREA, area);
		TIFFSetField(t, TIFFTAG_DEFAULTCROPORIGIN, origin);
		TIFFSetField(t, TIFFTAG_DEFAULTCROPSIZE, size);
		TIFFSetField(t, TIFFTAG_BLACKLEVELREPEATDIM, bdim);
		TIFFSetField(t, TIFFTAG_BLACKLEVEL, 4, black);
		TIFFSetField(t, TIFFTAG_BLACKLEVELDELTAV, 14, dv);
		TIFFSetField(t, TIFFTAG_LINEARIZATIONTABLE, 8, lin);
	}
	TIFFSetField(t, TIFFTAG_TILEWIDTH, 16);
	TIFFSetField(t, TIFFTAG_TILELENGTH, 16);
	j = test_ljpeg_encode(img, 8, 16, 2, 12, 6, 16, 0, &len);
	TIFFWriteRawTile(t, 0, j, (tmsize_t)len);
	free(j);
	TIFFWriteDirectory(t);
	TIFFClose(t);

	/* 5: a bare lossless JPEG stream, predictor 4, point transform 1 */
	for (int i = 0; i < 64; i++)
		img[i] &= 0xffe;
	j = test_ljpeg_encode(img, 8, 4, 2, 12, 4, 8, 1, &len);
	fp = fopen(at(argv[1], "stream.ljpeg"), "wb");
	if (!fp || fwrite(j, 1, len, fp) != len)
		return 1;
	fclose(fp);
	free(j);
	return hostile_seeds(argv[1], img) ? 1 : 0;
}

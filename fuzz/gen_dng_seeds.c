// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writes the fuzz seeds for fuzz_dng into a directory: tiny DNGs that
 * together reach every branch of the reader (writer output, big-endian
 * 16-bit, packed 12-bit strips under a thumbnail IFD0 with SubIFDs,
 * lossless JPEG tiles with crop/black/linearisation tags) and a bare
 * lossless JPEG stream. Usage: gen_dng_seeds <dir>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#include "io/dng.h"
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
	return 0;
}

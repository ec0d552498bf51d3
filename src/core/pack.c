// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/pack.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "core/pack_dsp.h"

/*
 * The loops run over whole groups; a last partial group (n % 4 or n % 2
 * samples) is handled on its own, so no sample past n is read or written
 * whatever n is, and the padding bytes of a packed row are written as zero.
 */
LUMEN_RAW10_UNPACK_FN(lumen_unpack_raw10_c)
{
	size_t whole = n / 4 * 4;

	for (size_t i = 0; i < whole; i += 4, src += 5, dst += 4) {
		uint8_t lo = src[4];

		dst[0] = (uint16_t)(src[0] << 2 | (lo & 3));
		dst[1] = (uint16_t)(src[1] << 2 | (lo >> 2 & 3));
		dst[2] = (uint16_t)(src[2] << 2 | (lo >> 4 & 3));
		dst[3] = (uint16_t)(src[3] << 2 | (lo >> 6 & 3));
	}
	for (size_t i = 0; i < n - whole; i++)
		dst[i] = (uint16_t)(src[i] << 2 | (src[4] >> (2 * i) & 3));
}

static void pack_group10(const uint16_t *s, uint8_t *dst)
{
	dst[0] = (uint8_t)(s[0] >> 2);
	dst[1] = (uint8_t)(s[1] >> 2);
	dst[2] = (uint8_t)(s[2] >> 2);
	dst[3] = (uint8_t)(s[3] >> 2);
	dst[4] = (uint8_t)((s[0] & 3) | (s[1] & 3) << 2 |
			   (s[2] & 3) << 4 | (s[3] & 3) << 6);
}

LUMEN_RAW10_PACK_FN(lumen_pack_raw10_c)
{
	size_t whole = n / 4 * 4;

	for (size_t i = 0; i < whole; i += 4, src += 4, dst += 5)
		pack_group10(src, dst);
	if (n > whole) {
		uint16_t tail[4] = { 0, 0, 0, 0 };

		memcpy(tail, src, (n - whole) * sizeof(*src));
		pack_group10(tail, dst);
	}
}

void lumen_pack_dsp_init(struct lumen_pack_dsp *dsp)
{
	dsp->unpack10 = lumen_unpack_raw10_c;
	dsp->pack10 = lumen_pack_raw10_c;
#if defined(LUMEN_HAVE_AVX2)
	lumen_pack_dsp_init_x86(dsp);
#elif defined(LUMEN_HAVE_NEON)
	lumen_pack_dsp_init_arm(dsp);
#endif
}

static struct lumen_pack_dsp pack_dsp;
static pthread_once_t pack_once = PTHREAD_ONCE_INIT;

static void pack_dsp_once(void)
{
	lumen_pack_dsp_init(&pack_dsp);
}

void lumen_unpack_raw10(const uint8_t *src, uint16_t *dst, size_t n)
{
	pthread_once(&pack_once, pack_dsp_once);
	pack_dsp.unpack10(src, dst, n);
}

void lumen_pack_raw10(const uint16_t *src, uint8_t *dst, size_t n)
{
	pthread_once(&pack_once, pack_dsp_once);
	pack_dsp.pack10(src, dst, n);
}

void lumen_unpack_raw12(const uint8_t *src, uint16_t *dst, size_t n)
{
	size_t whole = n / 2 * 2;

	for (size_t i = 0; i < whole; i += 2, src += 3, dst += 2) {
		dst[0] = (uint16_t)(src[0] << 4 | (src[2] & 15));
		dst[1] = (uint16_t)(src[1] << 4 | src[2] >> 4);
	}
	if (n > whole)
		dst[0] = (uint16_t)(src[0] << 4 | (src[2] & 15));
}

void lumen_pack_raw12(const uint16_t *src, uint8_t *dst, size_t n)
{
	size_t whole = n / 2 * 2;

	for (size_t i = 0; i < whole; i += 2, src += 2, dst += 3) {
		dst[0] = (uint8_t)(src[0] >> 4);
		dst[1] = (uint8_t)(src[1] >> 4);
		dst[2] = (uint8_t)((src[0] & 15) | (src[1] & 15) << 4);
	}
	if (n > whole) {
		dst[0] = (uint8_t)(src[0] >> 4);
		dst[1] = 0;
		dst[2] = (uint8_t)(src[0] & 15);
	}
}

int lumen_raw_to_16(const struct lumen_frame *src, struct lumen_frame *dst)
{
	if (!lumen_pixfmt_is_bayer(src->fmt) || dst->fmt != LUMEN_PIX_BAYER16 ||
	    dst->width != src->width || dst->height != src->height)
		return -EINVAL;

	for (int y = 0; y < src->height; y++) {
		const uint8_t *s = src->data[0] + (size_t)y * src->stride[0];
		uint16_t *d = (uint16_t *)(void *)(dst->data[0] +
						   (size_t)y * dst->stride[0]);

		switch (src->fmt) {
		case LUMEN_PIX_BAYER8:
			for (int x = 0; x < src->width; x++)
				d[x] = s[x];
			break;
		case LUMEN_PIX_BAYER16:
			if ((const void *)s != (void *)d)
				memmove(d, s, 2 * (size_t)src->width);
			break;
		case LUMEN_PIX_BAYER10P:
			lumen_unpack_raw10(s, d, (size_t)src->width);
			break;
		case LUMEN_PIX_BAYER12P:
			lumen_unpack_raw12(s, d, (size_t)src->width);
			break;
		default:
			return -EINVAL;
		}
	}
	dst->bayer = src->bayer;
	dst->bits = src->bits;
	memcpy(dst->black, src->black, sizeof(dst->black));
	dst->white = src->white;
	dst->sequence = src->sequence;
	dst->timestamp_ns = src->timestamp_ns;
	return 0;
}

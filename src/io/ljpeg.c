// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lossless JPEG decoder. Written from ITU T.81 Annex C (Huffman table
 * specification), Annex F.2.2 (decoding procedure) and Annex H (lossless
 * processes): each sample is a prediction from its decoded neighbours
 * (Ra left, Rb above, Rc above-left) plus a Huffman-coded difference.
 */
#include "io/ljpeg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAST_BITS 9

struct huff {
	bool defined;
	int32_t maxcode[18];	/* largest code of each length, -1 if none */
	int32_t valoff[17];	/* index in vals of the code mincode[l] minus it */
	uint8_t vals[256];
	/* first FAST_BITS bits -> (length << 8 | symbol), 0 if longer */
	uint16_t fast[1 << FAST_BITS];
};

struct comp {
	int id;
	int table;	/* Huffman table used by the scan */
};

struct bitreader {
	const uint8_t *p, *end;
	uint64_t acc;		/* bits MSB-first in the low 'n' bits */
	int n;
	bool at_marker;		/* stopped before a marker: feeds zeros */
	uint64_t real_bits;	/* bits of entropy data supplied so far */
	uint64_t used_bits;	/* bits consumed so far */
};

struct decoder {
	const uint8_t *data;
	size_t size, pos;
	int width, height, ncomp, bits, predictor, pt;
	unsigned restart_interval;
	struct comp comp[4];
	struct huff huff[4];
	bool have_sof;
	char *err;
	size_t errlen;
};

static int fail(struct decoder *d, int ret, const char *fmt, ...)
{
	va_list ap;

	if (d->err && d->errlen) {
		va_start(ap, fmt);
		vsnprintf(d->err, d->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Builds the decoding tables of T.81 C.2/F.2.2.3 from BITS and HUFFVAL. */
static int huff_build(struct huff *h, const uint8_t counts[16],
		      const uint8_t *vals, int nvals)
{
	int32_t code = 0;
	int k = 0;

	memset(h, 0, sizeof(*h));
	memcpy(h->vals, vals, (size_t)nvals);
	for (int l = 1; l <= 16; l++) {
		int n = counts[l - 1];

		h->valoff[l] = k - code;
		if (n) {
			code += n;
			/* codes of length l must fit in l bits (all ones is
			 * reserved, but tolerate full use) */
			if (code > (1 << l))
				return -EINVAL;
			h->maxcode[l] = code - 1;
			for (int i = 0; i < n && l <= FAST_BITS; i++) {
				int c = code - n + i;
				int shift = FAST_BITS - l;

				for (int j = 0; j < (1 << shift); j++)
					h->fast[(c << shift) | j] =
						(uint16_t)(l << 8 | vals[k + i]);
			}
			k += n;
		} else {
			h->maxcode[l] = -1;
		}
		code <<= 1;
	}
	h->maxcode[17] = 0x7fffffff;	/* sentinel */
	h->defined = true;
	return 0;
}

static void br_fill(struct bitreader *b)
{
	while (b->n <= 56) {
		unsigned byte = 0;

		if (!b->at_marker && b->p < b->end) {
			if (b->p[0] != 0xff) {
				byte = *b->p++;
				b->real_bits += 8;
			} else if (b->p + 1 < b->end && b->p[1] == 0x00) {
				byte = 0xff;
				b->p += 2;
				b->real_bits += 8;
			} else {
				b->at_marker = true;
			}
		}
		b->acc = b->acc << 8 | byte;
		b->n += 8;
	}
}

static inline unsigned br_peek16(struct bitreader *b)
{
	if (b->n < 16)
		br_fill(b);
	return (unsigned)(b->acc >> (b->n - 16)) & 0xffff;
}

static inline void br_skip(struct bitreader *b, int k)
{
	b->n -= k;
	b->used_bits += (unsigned)k;
}

static inline unsigned br_get(struct bitreader *b, int k)
{
	unsigned v;

	if (k == 0)
		return 0;
	if (b->n < k)
		br_fill(b);
	v = (unsigned)(b->acc >> (b->n - k)) & ((1u << k) - 1);
	br_skip(b, k);
	return v;
}

/* Returns the decoded symbol, or -1 for a code not in the table. */
static inline int huff_decode(struct bitreader *b, const struct huff *h)
{
	unsigned bits = br_peek16(b);
	unsigned f = h->fast[bits >> (16 - FAST_BITS)];

	if (f) {
		br_skip(b, (int)(f >> 8));
		return (int)(f & 0xff);
	}
	for (int l = FAST_BITS + 1; l <= 16; l++) {
		int32_t code = (int32_t)(bits >> (16 - l));

		if (code <= h->maxcode[l]) {
			int idx = h->valoff[l] + code;

			if (idx < 0 || idx > 255)
				return -1;
			br_skip(b, l);
			return h->vals[idx];
		}
	}
	return -1;
}

/* The difference of T.81 H.1.2.2 (table H.2) for category @s. */
static inline int decode_diff(struct bitreader *b, int s)
{
	unsigned v;

	if (s == 0)
		return 0;
	if (s == 16)
		return 32768;
	v = br_get(b, s);
	if (v < (1u << (s - 1)))
		return (int)v - (1 << s) + 1;
	return (int)v;
}

/* Floor of v / 2 without relying on signed right shift. */
static inline int half_floor(int v)
{
	return v >= 0 ? v >> 1 : -((-v + 1) >> 1);
}

static int parse_sof(struct decoder *d, const uint8_t *s, unsigned len)
{
	if (d->have_sof)
		return fail(d, -EINVAL, "lossless JPEG: more than one frame header");
	if (len < 6)
		return fail(d, -EINVAL, "lossless JPEG: short frame header");
	d->bits = s[0];
	d->height = (int)be16(s + 1);
	d->width = (int)be16(s + 3);
	d->ncomp = s[5];
	if (d->bits < 2 || d->bits > 16)
		return fail(d, -EINVAL, "lossless JPEG: precision %d out of 2..16", d->bits);
	if (d->height == 0)
		return fail(d, -ENOTSUP, "lossless JPEG: height defined by DNL is not supported");
	if (d->width == 0)
		return fail(d, -EINVAL, "lossless JPEG: zero width");
	if (d->ncomp < 1 || d->ncomp > 4)
		return fail(d, -ENOTSUP, "lossless JPEG: %d components (1..4 supported)", d->ncomp);
	if (len < 6 + 3u * (unsigned)d->ncomp)
		return fail(d, -EINVAL, "lossless JPEG: short frame header");
	for (int i = 0; i < d->ncomp; i++) {
		const uint8_t *c = s + 6 + 3 * i;

		d->comp[i].id = c[0];
		if (c[1] != 0x11)
			return fail(d, -ENOTSUP, "lossless JPEG: component %d sampling %dx%d (only 1x1 supported)",
				    i, c[1] >> 4, c[1] & 15);
		for (int j = 0; j < i; j++)
			if (d->comp[j].id == c[0])
				return fail(d, -EINVAL, "lossless JPEG: duplicate component id %d", c[0]);
	}
	d->have_sof = true;
	return 0;
}

static int parse_dht(struct decoder *d, const uint8_t *s, unsigned len)
{
	while (len > 0) {
		uint8_t counts[16];
		unsigned total = 0, tc, th;

		if (len < 17)
			return fail(d, -EINVAL, "lossless JPEG: short Huffman table");
		tc = s[0] >> 4;
		th = s[0] & 15;
		if (tc != 0 || th > 3)
			return fail(d, -EINVAL, "lossless JPEG: bad Huffman table class/id 0x%02x", s[0]);
		memcpy(counts, s + 1, 16);
		for (int i = 0; i < 16; i++)
			total += counts[i];
		if (total == 0 || total > 256 || 17 + total > len)
			return fail(d, -EINVAL, "lossless JPEG: bad Huffman table size");
		if (huff_build(&d->huff[th], counts, s + 17, (int)total) < 0)
			return fail(d, -EINVAL, "lossless JPEG: Huffman table %u has too many codes", th);
		s += 17 + total;
		len -= 17 + total;
	}
	return 0;
}

static int parse_sos(struct decoder *d, const uint8_t *s, unsigned len)
{
	unsigned ns;

	if (!d->have_sof)
		return fail(d, -EINVAL, "lossless JPEG: scan before frame header");
	if (len < 1)
		return fail(d, -EINVAL, "lossless JPEG: short scan header");
	ns = s[0];
	if (len < 4 + 2 * ns)
		return fail(d, -EINVAL, "lossless JPEG: short scan header");
	if ((int)ns != d->ncomp)
		return fail(d, -ENOTSUP, "lossless JPEG: scan with %u of %d components (one interleaved scan supported)",
			    ns, d->ncomp);
	for (unsigned i = 0; i < ns; i++) {
		unsigned cs = s[1 + 2 * i], td = s[2 + 2 * i] >> 4;

		if (cs != (unsigned)d->comp[i].id)
			return fail(d, -ENOTSUP, "lossless JPEG: scan component order differs from frame");
		if (td > 3 || !d->huff[td].defined)
			return fail(d, -EINVAL, "lossless JPEG: component %u uses undefined Huffman table %u", i, td);
		d->comp[i].table = (int)td;
	}
	d->predictor = s[1 + 2 * ns];
	d->pt = s[3 + 2 * ns] & 15;
	if (d->predictor < 1 || d->predictor > 7)
		return fail(d, -EINVAL, "lossless JPEG: predictor %d out of 1..7", d->predictor);
	if ((s[3 + 2 * ns] >> 4) != 0 || d->pt >= d->bits)
		return fail(d, -EINVAL, "lossless JPEG: bad point transform");
	return 0;
}

/* At a restart boundary: drop the padding bits, expect RSTn. */
static int do_restart(struct decoder *d, struct bitreader *b)
{
	if (b->used_bits > b->real_bits)
		return fail(d, -EINVAL, "lossless JPEG: truncated entropy data");
	/* bytes left before the marker are unused data: skip to it */
	while (b->p < b->end && !(b->p[0] == 0xff && b->p + 1 < b->end &&
				  b->p[1] != 0x00 && b->p[1] != 0xff))
		b->p++;
	if (b->p + 1 >= b->end || b->p[1] < 0xd0 || b->p[1] > 0xd7)
		return fail(d, -EINVAL, "lossless JPEG: missing restart marker");
	b->p += 2;
	b->acc = 0;
	b->n = 0;
	b->at_marker = false;
	b->used_bits = b->real_bits = 0;
	return 0;
}

static int decode_scan(struct decoder *d, struct bitreader *b, uint16_t *out)
{
	const int nc = d->ncomp, w = d->width, rowlen = w * nc;
	const int initial = 1 << (d->bits - d->pt - 1);
	unsigned since_restart = 0;
	int first_line_y = 0, first_line_x = 0;	/* start of the "first line" */
	bool reset = true;

	for (int y = 0; y < d->height; y++) {
		uint16_t *row = out + (size_t)y * (size_t)rowlen;
		const uint16_t *up = y ? row - rowlen : NULL;

		for (int x = 0; x < w; x++) {
			if (d->restart_interval && since_restart == d->restart_interval) {
				int ret = do_restart(d, b);

				if (ret < 0)
					return ret;
				since_restart = 0;
				reset = true;
				first_line_y = y;
				first_line_x = x;
			}
			for (int c = 0; c < nc; c++) {
				int s = huff_decode(b, &d->huff[d->comp[c].table]);
				int pred, i = x * nc + c;

				if (s < 0 || s > 16)
					return fail(d, -EINVAL, "lossless JPEG: bad Huffman code at row %d", y);
				if (reset) {
					pred = initial;
				} else if (y == first_line_y && x > first_line_x) {
					pred = row[i - nc];
				} else if (x == 0) {
					pred = up[i];
				} else {
					int ra = row[i - nc], rb = up[i], rc = up[i - nc];

					switch (d->predictor) {
					case 1: pred = ra; break;
					case 2: pred = rb; break;
					case 3: pred = rc; break;
					case 4: pred = ra + rb - rc; break;
					case 5: pred = ra + half_floor(rb - rc); break;
					case 6: pred = rb + half_floor(ra - rc); break;
					default: pred = (ra + rb) >> 1; break;
					}
				}
				row[i] = (uint16_t)((pred + decode_diff(b, s)) & 0xffff);
			}
			reset = false;
			since_restart++;
		}
		/* every sample costs a bit: garbage runs out quickly */
		if (b->used_bits > b->real_bits + 64)
			return fail(d, -EINVAL, "lossless JPEG: truncated entropy data at row %d", y);
	}
	if (b->used_bits > b->real_bits)
		return fail(d, -EINVAL, "lossless JPEG: truncated entropy data");
	return 0;
}

int lumen_ljpeg_decode(const uint8_t *data, size_t size, size_t max_samples,
		       struct lumen_ljpeg *out, char *err, size_t errlen)
{
	struct decoder d = { .data = data, .size = size, .err = err, .errlen = errlen };
	struct bitreader b;
	uint16_t *samples;
	size_t n, pos = 2;
	int ret;

	out->samples = NULL;
	if (!data || size < 4 || data[0] != 0xff || data[1] != 0xd8)
		return fail(&d, -EINVAL, "lossless JPEG: no start-of-image marker");

	for (;;) {
		unsigned marker, len;

		while (pos < size && data[pos] == 0xff && pos + 1 < size && data[pos + 1] == 0xff)
			pos++;	/* fill bytes */
		if (pos + 4 > size || data[pos] != 0xff)
			return fail(&d, -EINVAL, "lossless JPEG: truncated or corrupt header at byte %zu", pos);
		marker = data[pos + 1];
		if (marker == 0xd9)
			return fail(&d, -EINVAL, "lossless JPEG: end of image before any scan");
		len = be16(data + pos + 2);
		if (len < 2 || pos + 2 + len > size)
			return fail(&d, -EINVAL, "lossless JPEG: segment 0x%02x overruns the data", marker);
		const uint8_t *seg = data + pos + 4;
		unsigned seglen = len - 2;

		pos += 2 + len;
		if (marker == 0xc3) {
			ret = parse_sof(&d, seg, seglen);
		} else if (marker == 0xc4) {
			ret = parse_dht(&d, seg, seglen);
		} else if (marker == 0xdd) {
			ret = seglen >= 2 ? 0 : fail(&d, -EINVAL, "lossless JPEG: short restart interval");
			if (!ret)
				d.restart_interval = be16(seg);
		} else if (marker == 0xda) {
			ret = parse_sos(&d, seg, seglen);
			if (ret < 0)
				return ret;
			break;
		} else if ((marker >= 0xc0 && marker <= 0xcf && marker != 0xc8 && marker != 0xcc)) {
			return fail(&d, -ENOTSUP, "lossless JPEG: frame type SOF%u is not lossless (SOF3)", marker - 0xc0);
		} else {
			ret = 0;	/* APPn, COM, DQT, ...: skipped */
		}
		if (ret < 0)
			return ret;
	}

	n = (size_t)d.width * (size_t)d.height * (size_t)d.ncomp;
	if (n > max_samples)
		return fail(&d, -E2BIG, "lossless JPEG: %dx%dx%d samples exceed the expected %zu",
			    d.width, d.height, d.ncomp, max_samples);
	if (n / 8 > size - pos)
		return fail(&d, -EINVAL, "lossless JPEG: %zu bytes of data cannot hold %zu samples",
			    size - pos, n);
	samples = malloc(n * sizeof(*samples));
	if (!samples)
		return fail(&d, -ENOMEM, "lossless JPEG: out of memory");

	memset(&b, 0, sizeof(b));
	b.p = data + pos;
	b.end = data + size;
	ret = decode_scan(&d, &b, samples);
	if (ret < 0) {
		free(samples);
		return ret;
	}
	if (d.pt)
		for (size_t i = 0; i < n; i++)
			samples[i] = (uint16_t)(samples[i] << d.pt);
	out->width = d.width;
	out->height = d.height;
	out->ncomp = d.ncomp;
	out->bits = d.bits;
	out->predictor = d.predictor;
	out->samples = samples;
	return 0;
}

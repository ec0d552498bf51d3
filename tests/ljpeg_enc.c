// SPDX-License-Identifier: GPL-2.0-or-later
#include "ljpeg_enc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct out {
	uint8_t *buf;
	size_t len, cap;
	uint32_t acc;
	int n;
	bool oom;
};

static void put(struct out *o, uint8_t b)
{
	if (o->len == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 4096;
		uint8_t *p = realloc(o->buf, cap);

		if (!p) {
			o->oom = true;
			return;
		}
		o->buf = p;
		o->cap = cap;
	}
	o->buf[o->len++] = b;
}

static void put16(struct out *o, unsigned v)
{
	put(o, (uint8_t)(v >> 8));
	put(o, (uint8_t)v);
}

static void bits(struct out *o, uint32_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		o->acc = o->acc << 1 | ((v >> i) & 1);
		if (++o->n == 8) {
			put(o, (uint8_t)o->acc);
			if ((o->acc & 0xff) == 0xff)
				put(o, 0);	/* byte stuffing */
			o->acc = 0;
			o->n = 0;
		}
	}
}

static void flush_ones(struct out *o)
{
	while (o->n)
		bits(o, 1, 1);
}

/* Two tables: table 0 has lengths 2..11 (exercises codes longer than the
 * decoder's fast lookup), table 1 gives every category 5 bits. */
static const uint8_t counts0[16] = { 0, 1, 2, 2, 2, 2, 2, 2, 2, 1, 1 };
static const uint8_t counts1[16] = { 0, 0, 0, 0, 17 };

struct code {
	uint16_t code[17];
	uint8_t len[17];
};

static void make_codes(const uint8_t counts[16], struct code *c)
{
	int code = 0, sym = 0;

	for (int l = 1; l <= 16; l++) {
		for (int i = 0; i < counts[l - 1]; i++, sym++) {
			c->code[sym] = (uint16_t)code++;
			c->len[sym] = (uint8_t)l;
		}
		code <<= 1;
	}
}

static int half_floor(int v)
{
	return v >= 0 ? v >> 1 : -((-v + 1) >> 1);
}

uint8_t *test_ljpeg_encode(const uint16_t *samples, int w, int h, int nc,
			   int nbits, int predictor, int restart, int pt,
			   size_t *len)
{
	struct out o = { 0 };
	struct code codes[2];
	const int rowlen = w * nc;
	int since = 0, rst = 0, first_y = 0, first_x = 0;
	bool reset = true;
	uint16_t *v = malloc((size_t)rowlen * (size_t)h * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < (size_t)rowlen * (size_t)h; i++)
		v[i] = (uint16_t)(samples[i] >> pt);
	make_codes(counts0, &codes[0]);
	make_codes(counts1, &codes[1]);

	put16(&o, 0xffd8);
	put16(&o, 0xffc4);
	put16(&o, 2 + 2 * (17 + 17));
	for (int t = 0; t < 2; t++) {
		put(&o, (uint8_t)t);
		for (int i = 0; i < 16; i++)
			put(&o, (t ? counts1 : counts0)[i]);
		for (int s = 0; s < 17; s++)
			put(&o, (uint8_t)s);
	}
	put16(&o, 0xffc3);
	put16(&o, 8 + 3 * nc);
	put(&o, (uint8_t)nbits);
	put16(&o, (unsigned)h);
	put16(&o, (unsigned)w);
	put(&o, (uint8_t)nc);
	for (int c = 0; c < nc; c++) {
		put(&o, (uint8_t)(c + 1));
		put(&o, 0x11);
		put(&o, 0);
	}
	if (restart) {
		put16(&o, 0xffdd);
		put16(&o, 4);
		put16(&o, (unsigned)restart);
	}
	put16(&o, 0xffda);
	put16(&o, 6 + 2 * nc);
	put(&o, (uint8_t)nc);
	for (int c = 0; c < nc; c++) {
		put(&o, (uint8_t)(c + 1));
		put(&o, (uint8_t)((c & 1) << 4));
	}
	put(&o, (uint8_t)predictor);
	put(&o, 0);
	put(&o, (uint8_t)pt);

	for (int y = 0; y < h; y++) {
		const uint16_t *row = v + (size_t)y * rowlen, *up = y ? row - rowlen : NULL;

		for (int x = 0; x < w; x++) {
			if (restart && since == restart) {
				flush_ones(&o);
				put(&o, 0xff);
				put(&o, (uint8_t)(0xd0 + (rst++ & 7)));
				since = 0;
				reset = true;
				first_y = y;
				first_x = x;
			}
			for (int c = 0; c < nc; c++) {
				int i = x * nc + c, pred, d, s = 0, mag;
				const struct code *k = &codes[c & 1];

				if (reset)
					pred = 1 << (nbits - pt - 1);
				else if (y == first_y && x > first_x)
					pred = row[i - nc];
				else if (x == 0)
					pred = up[i];
				else {
					int ra = row[i - nc], rb = up[i], rc = up[i - nc];

					switch (predictor) {
					case 1: pred = ra; break;
					case 2: pred = rb; break;
					case 3: pred = rc; break;
					case 4: pred = ra + rb - rc; break;
					case 5: pred = ra + half_floor(rb - rc); break;
					case 6: pred = rb + half_floor(ra - rc); break;
					default: pred = (ra + rb) >> 1; break;
					}
				}
				d = (row[i] - pred) & 0xffff;
				if (d >= 32768)
					d -= 65536;
				mag = d < 0 ? -d : d;
				while (mag >> s)
					s++;
				if (d == -32768) {
					bits(&o, k->code[16], k->len[16]);
					continue;
				}
				bits(&o, k->code[s], k->len[s]);
				if (s)
					bits(&o, (uint32_t)(d < 0 ? d + (1 << s) - 1 : d), s);
			}
			reset = false;
			since++;
		}
	}
	flush_ones(&o);
	put16(&o, 0xffd9);
	free(v);
	if (o.oom) {
		free(o.buf);
		return NULL;
	}
	*len = o.len;
	return o.buf;
}

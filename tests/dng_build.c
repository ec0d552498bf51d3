// SPDX-License-Identifier: GPL-2.0-or-later
/* Test-only in-memory DNG builder; see dng_build.h. */
#include "dng_build.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 48

struct ent {
	uint16_t tag, type;
	uint64_t count;
	const void *data;	/* NULL: @off as given */
	uint64_t off;
};

static unsigned type_size(unsigned type)
{
	static const uint8_t sz[19] = { 0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8 };

	return type < sizeof(sz) ? sz[type] : 1;
}

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* @count values of @type from host layout @src to little-endian @dst. */
static void put_values(uint8_t *dst, unsigned type, uint64_t count, const void *src)
{
	unsigned sz = type_size(type);

	for (uint64_t i = 0; i < count; i++) {
		switch (sz) {
		case 1:
			dst[i] = ((const uint8_t *)src)[i];
			break;
		case 2:
			put(dst + 2 * i, ((const uint16_t *)src)[i], 2);
			break;
		case 4:
			put(dst + 4 * i, ((const uint32_t *)src)[i], 4);
			break;
		default:
			if (type == 5 || type == 10) {	/* two 32-bit halves */
				put(dst + 8 * i, (uint32_t)((const int32_t *)src)[2 * i], 4);
				put(dst + 8 * i + 4, (uint32_t)((const int32_t *)src)[2 * i + 1], 4);
			} else {
				uint64_t v;

				memcpy(&v, (const uint8_t *)src + 8 * i, 8);
				put(dst + 8 * i, v, 8);
			}
			break;
		}
	}
}

static int by_tag(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	return (int)x->tag - (int)y->tag;
}

uint8_t *dng_build(const struct dng_build *b, size_t file_size, size_t *len)
{
	static const uint8_t cfa[4] = { 0, 1, 1, 2 }, ver[4] = { 1, 4, 0, 0 };
	static const uint16_t dim[2] = { 2, 2 };
	const uint16_t sub0 = 0, one = 1, photo = 32803;
	uint32_t w = b->width, h = b->height;
	uint32_t rps = b->rows_per_strip ? b->rows_per_strip : b->height;
	uint16_t bps = b->bps ? b->bps : 16, comp = b->compression ? b->compression : 1;
	struct ent e[MAX_ENTRIES];
	uint32_t *off32 = NULL, *len32 = NULL;
	size_t n = 0, head, esz, inl, ifd_end, need;
	uint8_t *buf, *p;
	uint64_t blob;

	if (b->nextra < 0 || b->nextra > MAX_ENTRIES - 13)
		return NULL;
#define ADD(t, ty, c, d) (e[n++] = (struct ent){ (t), (ty), (c), (d), 0 })
	ADD(254, 3, 1, &sub0);
	ADD(256, 4, 1, &w);
	ADD(257, 4, 1, &h);
	ADD(258, 3, 1, &bps);
	ADD(259, 3, 1, &comp);
	ADD(262, 3, 1, &photo);
	ADD(277, 3, 1, &one);
	ADD(278, 4, 1, &rps);
	ADD(33421, 3, 2, dim);
	ADD(33422, 1, 4, cfa);
	ADD(50706, 1, 4, ver);
	off32 = malloc(b->nstrips * sizeof(*off32) + 1);
	len32 = malloc(b->nstrips * sizeof(*len32) + 1);
	if (!off32 || !len32)
		goto fail;
	for (uint32_t i = 0; i < b->nstrips; i++) {
		off32[i] = (uint32_t)b->strip_off[i];
		len32[i] = (uint32_t)b->strip_len[i];
	}
	ADD(273, 4, b->nstrips, off32);
	ADD(279, 4, b->nstrips, len32);
	for (int i = 0; i < b->nextra; i++)
		e[n++] = (struct ent){ b->extra[i].tag, b->extra[i].type, b->extra[i].count,
				       b->extra[i].data, b->extra[i].off };
#undef ADD
	qsort(e, n, sizeof(e[0]), by_tag);

	head = b->bigtiff ? 16 : 8;
	esz = b->bigtiff ? 20 : 12;
	inl = b->bigtiff ? 8 : 4;
	ifd_end = head + (b->bigtiff ? 8 : 2) + n * esz + (b->bigtiff ? 8 : 4);
	need = ifd_end;
	for (size_t i = 0; i < n; i++) {
		uint64_t bytes = e[i].count * type_size(e[i].type);

		if (e[i].data && bytes > inl)
			need += (size_t)((bytes + 1) & ~1ull);
	}
	if (need < file_size)
		need = file_size;
	buf = calloc(1, need);
	if (!buf)
		goto fail;
	if (b->bigtiff) {
		memcpy(buf, "II+\0", 4);
		put(buf + 4, 8, 2);
		put(buf + 8, head, 8);
		put(buf + head, n, 8);
	} else {
		memcpy(buf, "II*\0", 4);
		put(buf + 4, head, 4);
		put(buf + head, n, 2);
	}
	p = buf + head + (b->bigtiff ? 8 : 2);
	blob = ifd_end;
	for (size_t i = 0; i < n; i++, p += esz) {
		uint64_t bytes = e[i].count * type_size(e[i].type);
		uint8_t *val = p + (b->bigtiff ? 12 : 8);

		put(p, e[i].tag, 2);
		put(p + 2, e[i].type, 2);
		put(p + 4, e[i].count, b->bigtiff ? 8 : 4);
		if (!e[i].data) {
			put(val, e[i].off, (int)inl);
		} else if (bytes <= inl) {
			put_values(val, e[i].type, e[i].count, e[i].data);
		} else {
			put(val, blob, (int)inl);
			put_values(buf + blob, e[i].type, e[i].count, e[i].data);
			blob += (bytes + 1) & ~1ull;
		}
	}
	free(off32);
	free(len32);
	*len = need;
	return buf;
fail:
	free(off32);
	free(len32);
	return NULL;
}

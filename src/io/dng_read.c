// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DNG reader: libtiff walks the TIFF container (IFD0, SubIFDs, tags, strip
 * and tile tables); the sample data is read straight from the mapped file
 * so every offset can be checked against its size.
 *
 * Coordinates follow the DNG SDK: CFAPattern, BlackLevel repeat patterns,
 * BlackLevelDeltaH/V and DefaultCrop are relative to the ActiveArea's
 * top-left corner.
 *
 * Hostile files: libtiff silently drops a tag whose data it cannot read, so
 * the reader also walks the raw directory entries of the tags that shape
 * the picture (tag_rules[]) and says why each unusable one is unusable: a
 * refusal for the tags that define the samples, a warning for colour and
 * geometry. Sizes claimed by the header are checked against the limits and
 * against the distinct bytes the strips/tiles cover before anything large
 * is allocated, so the work is bounded by the file and the limits.
 */
#include "io/dng.h"
#include "core/errmsg.h"
#include "io/ljpeg.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>

#define TAG_FORWARDMATRIX1 50964
#define TAG_FORWARDMATRIX2 50965
#define PHOTOMETRIC_CFA 32803
#define PHOTOMETRIC_LINEARRAW 34892
#define COMPRESSION_LJPEG 7
#define COMPRESSION_LOSSY_DNG 34892
#define MAX_SUBIFDS 32
#define MAX_REPEAT 16		/* BlackLevelRepeatDim bound */
#define TIFF_MAX_ALLOC (256 << 20)

const struct lumen_input_limits lumen_input_limits_live = {
	.max_pixels = LUMEN_INPUT_LIVE_MAX_PIXELS,
	.max_memory = LUMEN_INPUT_LIVE_MAX_MEMORY,
};

const struct lumen_input_limits lumen_input_limits_desktop = {
	.max_pixels = LUMEN_INPUT_DESKTOP_MAX_PIXELS,
	.max_memory = LUMEN_INPUT_DESKTOP_MAX_MEMORY,
};

/* ---- tags that shape the picture ---- */

#define TY(t) (1u << (t))
#define TY_UINT (TY(TIFF_BYTE) | TY(TIFF_SHORT) | TY(TIFF_LONG) | TY(TIFF_LONG8))
#define TY_NUM (TY_UINT | TY(TIFF_RATIONAL) | TY(TIFF_SBYTE) | TY(TIFF_SSHORT) | \
		TY(TIFF_SLONG) | TY(TIFF_SRATIONAL) | TY(TIFF_FLOAT) | TY(TIFF_DOUBLE) | \
		TY(TIFF_SLONG8))
#define TY_OPAQUE (TY(TIFF_BYTE) | TY(TIFF_UNDEFINED))

enum tag_class { IN_IFD0, IN_RAW };	/* which directory the reader reads it from */
enum tag_state { TAG_ABSENT, TAG_PRESENT, TAG_BAD };

/*
 * @critical: the samples cannot be read right without it, so an unusable
 * one refuses the file; otherwise it is ignored with a warning.
 * @unsupported: valid but not applied by lumen; its presence is a warning.
 */
struct tag_rule {
	uint16_t tag;
	uint8_t cls;
	bool critical;
	uint32_t types;		/* TY() mask of accepted TIFF types */
	uint32_t min, max;	/* accepted value counts */
	const char *name;
	const char *unsupported;
};

static const struct tag_rule tag_rules[] = {
	{ 50721, IN_IFD0, false, TY_NUM, 9, 9, "ColorMatrix1", NULL },
	{ 50722, IN_IFD0, false, TY_NUM, 9, 9, "ColorMatrix2", NULL },
	{ 50723, IN_IFD0, false, TY_NUM, 9, 9, "CameraCalibration1", NULL },
	{ 50724, IN_IFD0, false, TY_NUM, 9, 9, "CameraCalibration2", NULL },
	{ 50727, IN_IFD0, false, TY_NUM, 3, 3, "AnalogBalance", NULL },
	{ 50728, IN_IFD0, false, TY_NUM, 3, 3, "AsShotNeutral", NULL },
	{ 50778, IN_IFD0, false, TY_UINT, 1, 1, "CalibrationIlluminant1", NULL },
	{ 50779, IN_IFD0, false, TY_UINT, 1, 1, "CalibrationIlluminant2", NULL },
	{ TAG_FORWARDMATRIX1, IN_IFD0, false, TY_NUM, 9, 9, "ForwardMatrix1", NULL },
	{ TAG_FORWARDMATRIX2, IN_IFD0, false, TY_NUM, 9, 9, "ForwardMatrix2", NULL },
	{ 33421, IN_RAW, true, TY_UINT, 2, 2, "CFARepeatPatternDim", NULL },
	{ 33422, IN_RAW, true, TY_OPAQUE, 1, 256, "CFAPattern", NULL },
	{ 50710, IN_RAW, true, TY_OPAQUE, 1, 4, "CFAPlaneColor", NULL },
	{ 50711, IN_RAW, true, TY_UINT, 1, 1, "CFALayout", NULL },
	{ 50712, IN_RAW, true, TY_UINT, 1, 65536, "LinearizationTable", NULL },
	{ 50713, IN_RAW, true, TY_UINT, 2, 2, "BlackLevelRepeatDim", NULL },
	{ 50714, IN_RAW, true, TY_NUM, 1, MAX_REPEAT * MAX_REPEAT, "BlackLevel", NULL },
	{ 50715, IN_RAW, true, TY_NUM, 1, LUMEN_MAX_DIM, "BlackLevelDeltaH", NULL },
	{ 50716, IN_RAW, true, TY_NUM, 1, LUMEN_MAX_DIM, "BlackLevelDeltaV", NULL },
	{ 50717, IN_RAW, true, TY_NUM, 1, 4, "WhiteLevel", NULL },
	{ 50829, IN_RAW, true, TY_UINT, 4, 4, "ActiveArea", NULL },
	{ 50719, IN_RAW, false, TY_NUM, 2, 2, "DefaultCropOrigin", NULL },
	{ 50720, IN_RAW, false, TY_NUM, 2, 2, "DefaultCropSize", NULL },
	{ 51041, IN_RAW, false, TY_NUM, 2, 8, "NoiseProfile", NULL },
	{ 51008, IN_RAW, false, TY_OPAQUE, 4, UINT32_MAX, "OpcodeList1",
	  "not applied (DNG opcode lists are not supported)" },
	{ 51009, IN_RAW, false, TY_OPAQUE, 4, UINT32_MAX, "OpcodeList2",
	  "not applied (DNG opcode lists, e.g. lens corrections, are not supported)" },
	{ 51022, IN_RAW, false, TY_OPAQUE, 4, UINT32_MAX, "OpcodeList3",
	  "not applied (DNG opcode lists, e.g. lens corrections, are not supported)" },
};

#define N_RULES (sizeof(tag_rules) / sizeof(tag_rules[0]))

struct ctx {
	const uint8_t *data;
	size_t size;
	const char *name;
	char *err;
	size_t errlen;
	char tiff_err[200];	/* first message libtiff reported */
	const struct lumen_input_limits *lim;
	struct lumen_raw_image *out;	/* collects the warnings */
	bool bigtiff, big_endian;
	uint8_t tag_state[N_RULES];	/* enum tag_state, from the entry walk */
};

static int fail(struct ctx *c, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ret = lumen_vfail_in(ret, c->err, c->errlen, c->name, fmt, ap);
	va_end(ap);
	return ret;
}

static const struct tag_rule *rule_of(uint32_t tag, int *idx)
{
	for (size_t i = 0; i < N_RULES; i++) {
		if (tag_rules[i].tag == tag) {
			if (idx)
				*idx = (int)i;
			return &tag_rules[i];
		}
	}
	return NULL;
}

/*
 * Tag @tag (one of tag_rules[]) is present but cannot be used because of
 * @fmt. A critical tag refuses the file: returns -EINVAL with the message
 * "TagName (0xNNNN): why". Any other is marked TAG_BAD (the reader then
 * treats it as absent), gets one warning in c->out, and 0 is returned.
 */
static int unusable(struct ctx *c, uint32_t tag, const char *fmt, ...)
{
	int idx = 0;
	const struct tag_rule *r = rule_of(tag, &idx);
	char why[LUMEN_RAW_WARNING_LEN - 40];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!r)
		return fail(c, -EINVAL, "tag 0x%04x: %s", (unsigned)tag, why);
	if (r->critical)
		return fail(c, -EINVAL, "%s (0x%04x): %s", r->name, (unsigned)tag, why);
	if (c->tag_state[idx] == TAG_BAD)
		return 0;
	c->tag_state[idx] = TAG_BAD;
	if (c->out->n_warnings < LUMEN_RAW_MAX_WARNINGS)
		snprintf(c->out->warnings[c->out->n_warnings], LUMEN_RAW_WARNING_LEN,
			 "%s (0x%04x): %s", r->name, (unsigned)tag, why);
	c->out->n_warnings++;
	return 0;
}

static uint64_t rd(const struct ctx *c, const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[c->big_endian ? n - 1 - i : i] << (8 * i);
	return v;
}

static const char *type_name(unsigned type)
{
	static const char *const names[] = {
		"NOTYPE", "BYTE", "ASCII", "SHORT", "LONG", "RATIONAL", "SBYTE",
		"UNDEFINED", "SSHORT", "SLONG", "SRATIONAL", "FLOAT", "DOUBLE",
		"IFD", "?", "?", "LONG8", "SLONG8", "IFD8",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

/*
 * Walks the entries of the directory libtiff is on and checks each tag of
 * class @cls in tag_rules[] for type, count and where its data lies, since
 * libtiff drops such a tag without telling. Records what it saw in
 * c->tag_state. Returns 0 or the negative errno of a critical tag.
 */
static int check_entries(struct ctx *c, TIFF *t, int cls)
{
	static const uint8_t type_size[19] = { 0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4, 0, 0, 8, 8, 8 };
	uint64_t dir = TIFFCurrentDirOffset(t), n;
	size_t head = c->bigtiff ? 8 : 2, esz = c->bigtiff ? 20 : 12;
	unsigned inline_bytes = c->bigtiff ? 8 : 4;
	int ret;

	if (dir > c->size || c->size - dir < head)
		return 0;	/* libtiff read it, so not reached */
	n = rd(c, c->data + dir, (int)head);
	if (n > (c->size - dir - head) / esz)
		n = (c->size - dir - head) / esz;
	for (uint64_t i = 0; i < n; i++) {
		const uint8_t *e = c->data + dir + head + i * esz;
		unsigned tag = (unsigned)rd(c, e, 2), type = (unsigned)rd(c, e + 2, 2);
		uint64_t count = c->bigtiff ? rd(c, e + 4, 8) : rd(c, e + 4, 4);
		uint64_t off = c->bigtiff ? rd(c, e + 12, 8) : rd(c, e + 8, 4);
		int idx;
		const struct tag_rule *r = rule_of(tag, &idx);
		unsigned tsize = type < sizeof(type_size) ? type_size[type] : 0;

		if (!r || r->cls != cls || c->tag_state[idx] != TAG_ABSENT)
			continue;
		c->tag_state[idx] = TAG_PRESENT;
		if (!tsize || !(r->types & TY(type)))
			ret = unusable(c, tag, "type %s (%u) is not one this tag takes",
				       type_name(type), type);
		else if (count < r->min || count > r->max)
			ret = r->min == r->max
			      ? unusable(c, tag, "%llu values, %u expected",
					 (unsigned long long)count, r->min)
			      : unusable(c, tag, "%llu values, %u..%u expected",
					 (unsigned long long)count, r->min, r->max);
		else if (count * tsize > inline_bytes &&
			 (off > c->size || count * tsize > c->size - off))
			ret = unusable(c, tag, "its %llu bytes at offset %llu lie outside the %zu-byte file",
				       (unsigned long long)(count * tsize),
				       (unsigned long long)off, c->size);
		else if (r->unsupported)
			ret = unusable(c, tag, "%s", r->unsupported);
		else
			ret = 0;
		if (ret < 0)
			return ret;
	}
	return 0;
}

void lumen_raw_image_free(struct lumen_raw_image *img)
{
	if (!img)
		return;
	free(img->buffer);
	memset(img, 0, sizeof(*img));
}

/* ---- libtiff plumbing: a read-only memory client ---- */

struct memfile {
	const uint8_t *data;
	size_t size;
	uint64_t pos;
};

static tmsize_t mem_read(thandle_t h, void *buf, tmsize_t len)
{
	struct memfile *m = h;
	uint64_t n;

	if (len <= 0 || m->pos >= m->size)
		return 0;
	n = m->size - m->pos;
	if ((uint64_t)len < n)
		n = (uint64_t)len;
	memcpy(buf, m->data + m->pos, (size_t)n);
	m->pos += n;
	return (tmsize_t)n;
}

static tmsize_t mem_write(thandle_t h, void *buf, tmsize_t len)
{
	(void)h; (void)buf; (void)len;
	return -1;
}

static toff_t mem_seek(thandle_t h, toff_t off, int whence)
{
	struct memfile *m = h;
	uint64_t base = whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->size : 0;

	if (off > UINT64_MAX / 2 || base + off > UINT64_MAX / 2)
		return (toff_t)-1;
	m->pos = base + off;
	return m->pos;
}

static int mem_close(thandle_t h)
{
	(void)h;
	return 0;
}

static toff_t mem_size(thandle_t h)
{
	return ((struct memfile *)h)->size;
}

static int mem_map(thandle_t h, void **base, toff_t *size)
{
	(void)h; (void)base; (void)size;
	return 0;
}

static void mem_unmap(thandle_t h, void *base, toff_t size)
{
	(void)h; (void)base; (void)size;
}

static int on_tiff_error(TIFF *t, void *user, const char *module,
			 const char *fmt, va_list ap)
{
	struct ctx *c = user;

	(void)t; (void)module;
	if (!c->tiff_err[0])
		vsnprintf(c->tiff_err, sizeof(c->tiff_err), fmt, ap);
	return 1;
}

static int on_tiff_warning(TIFF *t, void *user, const char *module,
			   const char *fmt, va_list ap)
{
	(void)t; (void)user; (void)module; (void)fmt; (void)ap;
	return 1;	/* DNG tags libtiff does not know are expected */
}

/* DNG 1.2 tags libtiff 4.5 does not know, so they read with a fixed type. */
static const TIFFFieldInfo dng_extra_fields[] = {
	{ TAG_FORWARDMATRIX1, -1, -1, TIFF_SRATIONAL, FIELD_CUSTOM, 1, 1, "ForwardMatrix1" },
	{ TAG_FORWARDMATRIX2, -1, -1, TIFF_SRATIONAL, FIELD_CUSTOM, 1, 1, "ForwardMatrix2" },
};

static TIFFExtendProc parent_extender;
static pthread_once_t extender_once = PTHREAD_ONCE_INIT;

static void dng_tag_extender(TIFF *t)
{
	TIFFMergeFieldInfo(t, dng_extra_fields,
			   sizeof(dng_extra_fields) / sizeof(dng_extra_fields[0]));
	if (parent_extender)
		parent_extender(t);
}

static void install_extender(void)
{
	parent_extender = TIFFSetTagExtender(dng_tag_extender);
}

/* One element of a libtiff tag array as a double. */
static double tag_elem(const void *p, uint32_t i, TIFFDataType ty, int sz)
{
	switch (ty) {
	case TIFF_SBYTE: return ((const int8_t *)p)[i];
	case TIFF_SSHORT: return ((const int16_t *)p)[i];
	case TIFF_SLONG: return ((const int32_t *)p)[i];
	case TIFF_SLONG8: return (double)((const int64_t *)p)[i];
	case TIFF_RATIONAL:
	case TIFF_SRATIONAL:
	case TIFF_FLOAT:
	case TIFF_DOUBLE:
		return sz == 8 ? ((const double *)p)[i] : ((const float *)p)[i];
	default:
		break;
	}
	switch (sz) {
	case 1: return ((const uint8_t *)p)[i];
	case 2: return ((const uint16_t *)p)[i];
	case 4: return ((const uint32_t *)p)[i];
	case 8: return (double)((const uint64_t *)p)[i];
	default: return NAN;
	}
}

/*
 * Any numeric tag of the current directory, whatever type libtiff stores it
 * as. Copies up to @max values into @out; returns the tag's count, 0 if
 * absent, -1 for a tag this helper cannot read.
 */
static long get_nums(TIFF *t, uint32_t tag, double *out, long max)
{
	const TIFFField *f = TIFFFindField(t, tag, TIFF_ANY);
	union { uint8_t b[8]; uint16_t s; uint32_t l; float f; double d; uint64_t q; } one;
	const void *p = NULL;
	uint32_t n;
	int sz;

	if (!f)
		return 0;
	sz = TIFFFieldSetGetSize(f);
	if (TIFFFieldPassCount(f)) {
		if (TIFFFieldSetGetCountSize(f) == 4) {
			uint32_t cnt = 0;

			if (!TIFFGetField(t, tag, &cnt, &p))
				return 0;
			n = cnt;
		} else {
			uint16_t cnt = 0;

			if (!TIFFGetField(t, tag, &cnt, &p))
				return 0;
			n = cnt;
		}
	} else if (TIFFFieldReadCount(f) == 1) {
		memset(&one, 0, sizeof(one));
		if (!TIFFGetField(t, tag, &one))
			return 0;
		p = &one;
		n = 1;
	} else if (TIFFFieldReadCount(f) > 1) {
		if (!TIFFGetField(t, tag, &p))
			return 0;
		n = (uint32_t)TIFFFieldReadCount(f);
	} else {
		return -1;
	}
	if (n && !p)
		return -1;
	for (uint32_t i = 0; i < n && (long)i < max; i++)
		out[i] = tag_elem(p, i, TIFFFieldDataType(f), sz);
	return (long)n;
}

/*
 * get_nums() for a tag of tag_rules[]: returns its count, 0 when it is
 * absent or was found unusable (and warned about), or the negative errno
 * of a critical tag libtiff could not read although the entry is there.
 */
static long get_dng(struct ctx *c, TIFF *t, uint32_t tag, double *out, long max)
{
	int idx = 0;
	long n;

	if (!rule_of(tag, &idx) || c->tag_state[idx] == TAG_BAD)
		return 0;
	n = get_nums(t, tag, out, max);
	if (n < 0 || (n == 0 && c->tag_state[idx] == TAG_PRESENT))
		return unusable(c, tag, "present, but its value cannot be read");
	return n;
}

/* A 3x3 matrix tag; *found stays false when it is absent or unusable. */
static int get_matrix(struct ctx *c, TIFF *t, uint32_t tag, float m[3][3], bool *found)
{
	double v[9];
	long n = get_dng(c, t, tag, v, 9);

	*found = false;
	if (n <= 0)
		return (int)n;
	if (n != 9)
		return unusable(c, tag, "%ld values, 9 expected", n);
	for (int i = 0; i < 9; i++) {
		if (!isfinite(v[i]) || fabs(v[i]) > 1e6)
			return unusable(c, tag, "value %d (%g) is absurd", i, v[i]);
		m[i / 3][i % 3] = (float)v[i];
	}
	*found = true;
	return 0;
}

static double det3(const float m[3][3])
{
	return (double)m[0][0] * ((double)m[1][1] * m[2][2] - (double)m[1][2] * m[2][1]) -
	       (double)m[0][1] * ((double)m[1][0] * m[2][2] - (double)m[1][2] * m[2][0]) +
	       (double)m[0][2] * ((double)m[1][0] * m[2][1] - (double)m[1][1] * m[2][0]);
}

/* Whether @m is too close to singular to be inverted. */
static bool singular(const float m[3][3])
{
	double big = 0;

	for (int i = 0; i < 9; i++)
		big = fmax(big, fabs((double)m[i / 3][i % 3]));
	return !(fabs(det3(m)) > 1e-6 * big * big * big);
}

static void mat_mul(const float a[3][3], const float b[3][3], float out[3][3])
{
	float r[3][3];

	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			r[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
	memcpy(out, r, sizeof(r));
}

static void get_string(TIFF *t, uint32_t tag, char *dst, size_t len)
{
	const char *s = NULL;
	size_t i;

	dst[0] = 0;
	if (!TIFFGetField(t, tag, &s) || !s)
		return;
	for (i = 0; i + 1 < len && s[i]; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[i] = 0;
	while (i > 0 && dst[i - 1] == ' ')
		dst[--i] = 0;
}

/* Colour and camera tags, which DNG keeps in IFD0. */
static int read_ifd0_meta(struct ctx *c, TIFF *t, struct lumen_raw_image *out)
{
	static const uint32_t cm_tags[2] = { TIFFTAG_COLORMATRIX1, TIFFTAG_COLORMATRIX2 };
	static const uint32_t ci_tags[2] = { TIFFTAG_CALIBRATIONILLUMINANT1,
					     TIFFTAG_CALIBRATIONILLUMINANT2 };
	static const uint32_t cc_tags[2] = { TIFFTAG_CAMERACALIBRATION1,
					     TIFFTAG_CAMERACALIBRATION2 };
	static const uint32_t fm_tags[2] = { TAG_FORWARDMATRIX1, TAG_FORWARDMATRIX2 };
	float ab[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
	float cal[3][3];
	double v[4];
	bool found, has_ab = false;
	long n;
	int ret;

	get_string(t, TIFFTAG_MAKE, out->make, sizeof(out->make));
	get_string(t, TIFFTAG_MODEL, out->model, sizeof(out->model));
	get_string(t, TIFFTAG_UNIQUECAMERAMODEL, out->unique_camera_model,
		   sizeof(out->unique_camera_model));

	/* XYZ -> camera is AnalogBalance x CameraCalibration x ColorMatrix */
	n = get_dng(c, t, TIFFTAG_ANALOGBALANCE, v, 3);
	if (n < 0)
		return (int)n;
	if (n == 3) {
		has_ab = true;
		for (int i = 0; i < 3 && has_ab; i++) {
			if (!(v[i] > 1e-3 && v[i] < 1e3)) {
				ret = unusable(c, TIFFTAG_ANALOGBALANCE, "value %g is absurd", v[i]);
				if (ret < 0)
					return ret;
				has_ab = false;
			}
			ab[i][i] = (float)v[i];
		}
	} else if (n != 0) {
		ret = unusable(c, TIFFTAG_ANALOGBALANCE, "%ld values, 3 expected", n);
		if (ret < 0)
			return ret;
	}
	for (int i = 0; i < 2; i++) {
		int k = out->n_color_matrices;
		float (*cm)[3] = out->color_matrix[k];

		ret = get_matrix(c, t, cm_tags[i], cm, &found);
		if (ret < 0)
			return ret;
		if (found && singular(cm)) {
			ret = unusable(c, cm_tags[i], "singular matrix, it cannot be inverted");
			if (ret < 0)
				return ret;
			found = false;
		}
		if (found) {
			bool has_cal;

			ret = get_matrix(c, t, cc_tags[i], cal, &has_cal);
			if (ret < 0)
				return ret;
			if (has_cal && singular(cal)) {
				ret = unusable(c, cc_tags[i], "singular matrix, it cannot be inverted");
				if (ret < 0)
					return ret;
				has_cal = false;
			}
			if (has_cal)
				mat_mul(cal, cm, cm);
			if (has_ab)
				mat_mul(ab, cm, cm);
			n = get_dng(c, t, ci_tags[i], v, 1);
			if (n < 0)
				return (int)n;
			out->calibration_illuminant[k] = n == 1 && v[0] >= 0 && v[0] <= 255
							 ? (int)v[0] : 0;
			out->color_matrix_tag[k] = (int)cm_tags[i];
			out->n_color_matrices++;
		}
		k = out->n_forward_matrices;
		ret = get_matrix(c, t, fm_tags[i], out->forward_matrix[k], &found);
		if (ret < 0)
			return ret;
		if (found)
			out->n_forward_matrices++;
	}

	n = get_dng(c, t, TIFFTAG_ASSHOTNEUTRAL, v, 3);
	if (n < 0)
		return (int)n;
	if (n != 0) {
		bool ok = n == 3;

		if (!ok)
			return unusable(c, TIFFTAG_ASSHOTNEUTRAL, "%ld values, 3 expected", n);
		for (int i = 0; i < 3 && ok; i++) {
			if (!isfinite(v[i]) || v[i] <= 0 || v[i] > 1e3) {
				ok = false;
				ret = unusable(c, TIFFTAG_ASSHOTNEUTRAL, "value %g is absurd", v[i]);
				if (ret < 0)
					return ret;
			}
			out->as_shot_neutral[i] = (float)v[i];
		}
		out->has_as_shot_neutral = ok;
	}
	return 0;
}

/* ---- finding the raw IFD ---- */

static bool is_full_res(TIFF *t)
{
	uint32_t sub = 1;

	if (!TIFFGetField(t, TIFFTAG_SUBFILETYPE, &sub))
		sub = 0;
	return sub == 0;
}

static uint16_t photometric(TIFF *t)
{
	uint16_t p = 0xffff;

	if (!TIFFGetField(t, TIFFTAG_PHOTOMETRIC, &p))
		return 0xffff;
	return p;
}

/*
 * Leaves @t on the first full-resolution CFA IFD: IFD0, its SubIFDs, then
 * the rest of the main chain. Returns 0 or a negative errno.
 */
static int find_raw_ifd(struct ctx *c, TIFF *t)
{
	uint64_t subs[MAX_SUBIFDS];
	uint16_t nsubs = 0, found_photo = 0;
	uint64_t *p = NULL;

	if (is_full_res(t)) {
		if (photometric(t) == PHOTOMETRIC_CFA)
			return 0;
		found_photo = photometric(t);
	}
	if (TIFFGetField(t, TIFFTAG_SUBIFD, &nsubs, &p) && p) {
		if (nsubs > MAX_SUBIFDS)
			nsubs = MAX_SUBIFDS;
		memcpy(subs, p, nsubs * sizeof(subs[0]));
	} else {
		nsubs = 0;
	}
	for (int i = 0; i < nsubs; i++) {
		if (!TIFFSetSubDirectory(t, subs[i]))
			continue;
		if (is_full_res(t)) {
			if (photometric(t) == PHOTOMETRIC_CFA)
				return 0;
			found_photo = photometric(t);
		}
	}
	if (TIFFSetDirectory(t, 0)) {
		for (int i = 0; i < MAX_SUBIFDS && TIFFReadDirectory(t); i++) {
			if (is_full_res(t)) {
				if (photometric(t) == PHOTOMETRIC_CFA)
					return 0;
				found_photo = photometric(t);
			}
		}
	}
	if (found_photo == PHOTOMETRIC_LINEARRAW)
		return fail(c, -ENOTSUP, "LinearRaw (demosaiced) DNG is not supported, only CFA raw");
	if (found_photo)
		return fail(c, -ENOTSUP, "raw image has PhotometricInterpretation %u, not CFA (32803)",
			    found_photo);
	return fail(c, -EINVAL, "no full-resolution raw image (NewSubFileType 0) found");
}

/* ---- sample data ---- */

struct layout {
	uint32_t width, height, bps;
	uint16_t compression;
	bool tiled;
	uint32_t tw, th;	/* tile size; strips: width x rows per strip */
	uint32_t across, down, nblocks;
	bool big_endian;
};

struct span {
	uint64_t off, len;
};

/* Unpacks one row of @n samples of @bps bits (TIFF rules: 8-bit bytes,
 * 16-bit in file byte order, others MSB-first bit packing). */
static void unpack_row(const uint8_t *src, uint16_t *dst, uint32_t n,
		       uint32_t bps, bool big_endian)
{
	if (bps == 8) {
		for (uint32_t i = 0; i < n; i++)
			dst[i] = src[i];
	} else if (bps == 16) {
		for (uint32_t i = 0; i < n; i++)
			dst[i] = big_endian ? (uint16_t)(src[2 * i] << 8 | src[2 * i + 1])
					    : (uint16_t)(src[2 * i + 1] << 8 | src[2 * i]);
	} else {
		uint32_t acc = 0;
		unsigned have = 0;

		for (uint32_t i = 0; i < n; i++) {
			while (have < bps) {
				acc = acc << 8 | *src++;
				have += 8;
			}
			have -= bps;
			dst[i] = (uint16_t)((acc >> have) & ((1u << bps) - 1));
		}
	}
}

static int read_block(struct ctx *c, TIFF *t, const struct layout *l,
		      uint32_t idx, struct lumen_frame *img)
{
	const char *kind = l->tiled ? "tile" : "strip";
	uint32_t x0 = (idx % l->across) * l->tw, y0 = (idx / l->across) * l->th;
	uint32_t cols = l->width - x0 < l->tw ? l->width - x0 : l->tw;
	uint32_t rows = l->height - y0 < l->th ? l->height - y0 : l->th;
	int e1 = 0, e2 = 0;
	uint64_t off = TIFFGetStrileOffsetWithErr(t, idx, &e1);
	uint64_t cnt = TIFFGetStrileByteCountWithErr(t, idx, &e2);
	const uint8_t *src;

	if (e1 || e2)
		return fail(c, -EINVAL, "%s %u has no offset/byte count", kind, idx);
	if (off > c->size || cnt > c->size - off)
		return fail(c, -EINVAL, "%s %u: data at %llu+%llu lies outside the %zu-byte file",
			    kind, idx, (unsigned long long)off, (unsigned long long)cnt, c->size);
	src = c->data + off;

	if (l->compression == COMPRESSION_NONE) {
		uint64_t rowbytes = ((uint64_t)l->tw * l->bps + 7) / 8;

		if (rowbytes * rows > cnt)
			return fail(c, -EINVAL, "%s %u: %llu bytes, %llu needed (truncated?)", kind, idx,
				    (unsigned long long)cnt, (unsigned long long)(rowbytes * rows));
		for (uint32_t y = 0; y < rows; y++)
			unpack_row(src + y * rowbytes,
				   (uint16_t *)(void *)(img->data[0] + (y0 + y) * img->stride[0]) + x0,
				   cols, l->bps, l->big_endian);
		return 0;
	}

	/* lossless JPEG: the decoded samples fill the block in raster order */
	struct lumen_ljpeg j;
	char jerr[160];
	size_t need = (size_t)l->tw * rows, have;
	/* a block cannot produce more samples than its declared size */
	int ret = lumen_ljpeg_decode(src, (size_t)cnt, (size_t)l->tw * l->th,
				     &j, jerr, sizeof(jerr));

	if (ret < 0)
		return fail(c, ret, "%s %u: %s", kind, idx, jerr);
	have = (size_t)j.width * (size_t)j.height * (size_t)j.ncomp;
	if (have < need) {
		free(j.samples);
		return fail(c, -EINVAL, "%s %u: lossless JPEG %dx%dx%d is smaller than the %ux%u %s",
			    kind, idx, j.width, j.height, j.ncomp, l->tw, rows, kind);
	}
	for (uint32_t y = 0; y < rows; y++)
		memcpy((uint16_t *)(void *)(img->data[0] + (y0 + y) * img->stride[0]) + x0,
		       j.samples + (size_t)y * l->tw, cols * sizeof(uint16_t));
	free(j.samples);
	return 0;
}

static int get_layout(struct ctx *c, TIFF *t, struct layout *l)
{
	uint32_t w = 0, h = 0;
	uint16_t bps = 0, spp = 1, planar = PLANARCONFIG_CONTIG, fmt = SAMPLEFORMAT_UINT;
	uint64_t nblocks;

	memset(l, 0, sizeof(*l));
	if (!TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h))
		return fail(c, -EINVAL, "raw image has no size");
	if (w == 0 || h == 0 || w > LUMEN_MAX_DIM || h > LUMEN_MAX_DIM)
		return fail(c, -EINVAL, "raw image size %ux%u out of range (1..%d)", w, h, LUMEN_MAX_DIM);
	/* a sample costs at least one bit even compressed */
	if ((uint64_t)w * h > (uint64_t)c->size * 8)
		return fail(c, -EINVAL, "%zu bytes cannot hold a %ux%u raw image (truncated?)",
			    c->size, w, h);
	if ((uint64_t)w * h > c->lim->max_pixels)
		return fail(c, -EFBIG, "%ux%u raw image is %llu pixels, above the limit of %llu "
			    "(raise it with %s)", w, h, (unsigned long long)w * h,
			    (unsigned long long)c->lim->max_pixels,
			    c->lim->raise_pixels ? c->lim->raise_pixels
						 : "lumen_input_limits.max_pixels");
	TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bps);
	TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
	TIFFGetFieldDefaulted(t, TIFFTAG_PLANARCONFIG, &planar);
	TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &fmt);
	TIFFGetFieldDefaulted(t, TIFFTAG_COMPRESSION, &l->compression);
	if (spp != 1)
		return fail(c, -ENOTSUP, "CFA raw image with %u samples per pixel (1 supported)", spp);
	if (fmt != SAMPLEFORMAT_UINT)
		return fail(c, -ENOTSUP, "raw SampleFormat %u (only unsigned integer supported)", fmt);
	if (bps < 8 || bps > 16)
		return fail(c, -ENOTSUP, "BitsPerSample %u (8..16 supported)", bps);
	if (l->compression == COMPRESSION_LOSSY_DNG)
		return fail(c, -ENOTSUP, "lossy JPEG compression (34892) is not supported");
	if (l->compression != COMPRESSION_NONE && l->compression != COMPRESSION_LJPEG)
		return fail(c, -ENOTSUP, "compression %u is not supported (1 and 7 are)", l->compression);
	(void)planar;	/* one sample per pixel: planar config does not matter */

	l->width = w;
	l->height = h;
	l->bps = bps;
	l->big_endian = TIFFIsBigEndian(t);
	l->tiled = TIFFIsTiled(t);
	if (l->tiled) {
		if (!TIFFGetField(t, TIFFTAG_TILEWIDTH, &l->tw) ||
		    !TIFFGetField(t, TIFFTAG_TILELENGTH, &l->th))
			return fail(c, -EINVAL, "tiled image without tile size");
		/* a tile far larger than the image would only cost decode time */
		if (l->tw == 0 || l->th == 0 || l->tw > w + 256 || l->th > h + 256)
			return fail(c, -EINVAL, "tile size %ux%u out of range for a %ux%u image",
				    l->tw, l->th, w, h);
		nblocks = TIFFNumberOfTiles(t);
	} else {
		uint32_t rps = 0;

		TIFFGetFieldDefaulted(t, TIFFTAG_ROWSPERSTRIP, &rps);
		if (rps == 0)
			return fail(c, -EINVAL, "RowsPerStrip is 0");
		l->tw = w;
		l->th = rps < h ? rps : h;
		nblocks = TIFFNumberOfStrips(t);
	}
	l->across = (w + l->tw - 1) / l->tw;
	l->down = (h + l->th - 1) / l->th;
	if (nblocks < (uint64_t)l->across * l->down)
		return fail(c, -EINVAL, "%llu %s for a %ux%u image, %llu needed",
			    (unsigned long long)nblocks, l->tiled ? "tiles" : "strips", w, h,
			    (unsigned long long)l->across * l->down);
	l->nblocks = l->across * l->down;
	return 0;
}

/*
 * Bytes the reader will hold at its peak for layout @l: the stored image,
 * one block of lossless JPEG samples, the block table of check_coverage(),
 * libtiff's strip/tile arrays, the black-delta and linearisation tables.
 */
static uint64_t memory_needed(const struct layout *l, uint64_t frame_bytes, long nlin)
{
	uint64_t m = frame_bytes;

	if (l->compression == COMPRESSION_LJPEG)
		m += (uint64_t)l->tw * l->th * sizeof(uint16_t);
	m += (uint64_t)l->nblocks * (sizeof(struct span) + 2 * sizeof(uint64_t));
	m += 2 * LUMEN_MAX_DIM * sizeof(double) + (uint64_t)nlin * sizeof(double);
	return m;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * The work bound. Every block must lie inside the file, and the blocks
 * together must cover enough distinct bytes for the image: the unpacked
 * bytes of every block for uncompressed data, one bit per pixel for
 * lossless JPEG (its cheapest code). So blocks that share data (a file of
 * 8 MiB whose strips all point at one row, claiming 8192x8192) are refused
 * here, in time linear in the number of blocks, before the image is
 * allocated; what passes costs time proportional to the file.
 */
static int check_coverage(struct ctx *c, TIFF *t, const struct layout *l)
{
	const char *kind = l->tiled ? "tile" : "strip";
	uint64_t need = 0, covered = 0, end = 0;
	struct span *sp = malloc((size_t)l->nblocks * sizeof(*sp));
	int ret = 0;

	if (!sp)
		return fail(c, -ENOMEM, "out of memory for %u %s offsets", l->nblocks, kind);
	for (uint32_t i = 0; i < l->nblocks; i++) {
		uint32_t x0 = (i % l->across) * l->tw, y0 = (i / l->across) * l->th;
		uint32_t cols = l->width - x0 < l->tw ? l->width - x0 : l->tw;
		uint32_t rows = l->height - y0 < l->th ? l->height - y0 : l->th;
		int e1 = 0, e2 = 0;
		uint64_t off = TIFFGetStrileOffsetWithErr(t, i, &e1);
		uint64_t cnt = TIFFGetStrileByteCountWithErr(t, i, &e2);

		if (e1 || e2) {
			ret = fail(c, -EINVAL, "%s %u has no offset/byte count", kind, i);
			goto out_free;
		}
		if (off > c->size || cnt > c->size - off) {
			ret = fail(c, -EINVAL, "%s %u: data at %llu+%llu lies outside the %zu-byte file",
				   kind, i, (unsigned long long)off, (unsigned long long)cnt, c->size);
			goto out_free;
		}
		if (l->compression == COMPRESSION_NONE) {
			uint64_t bytes = ((uint64_t)l->tw * l->bps + 7) / 8 * rows;

			need += bytes;
			if (bytes < cnt)
				cnt = bytes;	/* what is read of it */
		} else {
			need += ((uint64_t)cols * rows + 7) / 8;
		}
		sp[i].off = off;
		sp[i].len = cnt;
	}
	qsort(sp, l->nblocks, sizeof(*sp), cmp_span);
	for (uint32_t i = 0; i < l->nblocks; i++) {
		uint64_t s0 = sp[i].off > end ? sp[i].off : end, s1 = sp[i].off + sp[i].len;

		if (s1 > s0)
			covered += s1 - s0;
		if (s1 > end)
			end = s1;
	}
	if (covered < need)
		ret = fail(c, -EINVAL, "%u %ss cover %llu distinct bytes of the file, a %ux%u %u-bit %s "
			   "image needs %llu (%ss share data?)", l->nblocks, kind,
			   (unsigned long long)covered, l->width, l->height, l->bps,
			   l->compression == COMPRESSION_NONE ? "uncompressed" : "lossless JPEG",
			   (unsigned long long)need, kind);
out_free:
	free(sp);
	return ret;
}

/* Bayer order of the CFA pattern, relative to the ActiveArea origin. */
static int get_bayer(struct ctx *c, TIFF *t, enum lumen_bayer *order)
{
	double v[4], plane[3] = { 0, 1, 2 };
	int color[4], red = -1, nred = 0, ngreen = 0;
	long n;

	n = get_dng(c, t, TIFFTAG_CFAREPEATPATTERNDIM, v, 2);
	if (n < 0)
		return (int)n;
	if (n != 2)
		return fail(c, -EINVAL, "CFA image without CFARepeatPatternDim");
	if (v[0] != 2 || v[1] != 2)
		return fail(c, -ENOTSUP, "CFA repeat pattern %gx%g: only 2x2 Bayer is supported",
			    v[0], v[1]);
	n = get_dng(c, t, TIFFTAG_CFAPLANECOLOR, plane, 3);
	if (n < 0)
		return (int)n;
	if (n != 0 && (n != 3 || plane[0] != 0 || plane[1] != 1 || plane[2] != 2))
		return fail(c, -ENOTSUP, "CFAPlaneColor is not red, green, blue");
	n = get_dng(c, t, TIFFTAG_CFALAYOUT, v, 1);
	if (n < 0)
		return (int)n;
	if (n == 1 && v[0] != 1)
		return fail(c, -ENOTSUP, "CFALayout %g: only rectangular (1) is supported", v[0]);
	n = get_dng(c, t, TIFFTAG_CFAPATTERN, v, 4);
	if (n < 0)
		return (int)n;
	if (n != 4)
		return fail(c, -EINVAL, "CFAPattern missing or not 2x2");
	for (int i = 0; i < 4; i++) {
		color[i] = v[i] >= 0 && v[i] <= 2 ? (int)v[i] : -1;
		if (color[i] == 0) {
			red = i;
			nred++;
		}
		ngreen += color[i] == 1;
	}
	if (nred != 1 || ngreen != 2 || color[3 - red] != 2)
		return fail(c, -ENOTSUP, "CFAPattern %g,%g,%g,%g is not a Bayer pattern",
			    v[0], v[1], v[2], v[3]);
	/* index y*2+x of red: bit 0 odd column, bit 1 odd row, as lumen_bayer */
	*order = (enum lumen_bayer)red;
	return 0;
}

static int bit_length(unsigned v)
{
	int b = 0;

	while (v >> b)
		b++;
	return b;
}

static int read_raw(struct ctx *c, TIFF *t, struct lumen_raw_image *out)
{
	struct layout l;
	struct lumen_frame full;
	enum lumen_bayer cfa = LUMEN_BAYER_RGGB;
	double v[8] = { 0 }, bl[MAX_REPEAT * MAX_REPEAT];
	double *lin = NULL, *dh = NULL, *dv = NULL;
	long nlin = 0, n;
	int ret, rows = 1, cols = 1;
	uint32_t top = 0, left = 0, bottom, right, aw, ah;
	uint32_t cx = 0, cy = 0, cw, ch, white;
	unsigned maxval = 0;
	long long size;

	ret = get_layout(c, t, &l);
	if (ret < 0)
		return ret;
	ret = get_bayer(c, t, &cfa);
	if (ret < 0)
		return ret;

	/* ActiveArea: top, left, bottom, right */
	bottom = l.height;
	right = l.width;
	n = get_dng(c, t, TIFFTAG_ACTIVEAREA, v, 4);
	if (n < 0)
		return (int)n;
	if (n != 0) {
		if (n != 4 || !(v[0] >= 0 && v[1] >= 0 && v[0] < v[2] && v[1] < v[3] &&
				v[2] <= l.height && v[3] <= l.width))
			return fail(c, -EINVAL, "ActiveArea %g,%g,%g,%g lies outside the %ux%u image",
				    v[0], v[1], v[2], v[3], l.width, l.height);
		top = (uint32_t)v[0];
		left = (uint32_t)v[1];
		bottom = (uint32_t)v[2];
		right = (uint32_t)v[3];
	}
	aw = right - left;
	ah = bottom - top;

	/* DefaultCropOrigin (x, y) / DefaultCropSize (w, h), in the active area */
	cw = aw;
	ch = ah;
	n = get_dng(c, t, TIFFTAG_DEFAULTCROPORIGIN, v, 2);
	if (n < 0)
		return (int)n;
	if (n != 0) {
		if (n != 2 || !(v[0] >= 0 && v[1] >= 0 && v[0] < aw && v[1] < ah))
			return fail(c, -EINVAL, "DefaultCropOrigin lies outside the active area");
		cx = (uint32_t)lround(v[0]);
		cy = (uint32_t)lround(v[1]);
		if (cx >= aw || cy >= ah)
			return fail(c, -EINVAL, "DefaultCropOrigin lies outside the active area");
	}
	cw = aw - cx;
	ch = ah - cy;
	n = get_dng(c, t, TIFFTAG_DEFAULTCROPSIZE, v, 2);
	if (n < 0)
		return (int)n;
	if (n != 0) {
		if (n != 2 || !(v[0] >= 0.5 && v[1] >= 0.5 && v[0] <= LUMEN_MAX_DIM &&
				v[1] <= LUMEN_MAX_DIM))
			return fail(c, -EINVAL, "DefaultCropSize is absurd");
		/* clamp to the active area as the DNG SDK does */
		if ((uint32_t)lround(v[0]) < cw)
			cw = (uint32_t)lround(v[0]);
		if ((uint32_t)lround(v[1]) < ch)
			ch = (uint32_t)lround(v[1]);
	}

	/* black and white levels */
	n = get_dng(c, t, TIFFTAG_BLACKLEVELREPEATDIM, v, 2);
	if (n < 0)
		return (int)n;
	if (n != 0) {
		if (n != 2 || v[0] < 1 || v[1] < 1 || v[0] > MAX_REPEAT || v[1] > MAX_REPEAT)
			return fail(c, -EINVAL, "BlackLevelRepeatDim %gx%g is absurd", v[0], n > 1 ? v[1] : 0);
		rows = (int)v[0];
		cols = (int)v[1];
	}
	for (int i = 0; i < rows * cols; i++)
		bl[i] = 0;
	n = get_dng(c, t, TIFFTAG_BLACKLEVEL, bl, MAX_REPEAT * MAX_REPEAT);
	if (n < 0)
		return (int)n;
	if (n == 1 && rows * cols > 1) {
		for (int i = 1; i < rows * cols; i++)
			bl[i] = bl[0];
	} else if (n != 0 && n != rows * cols) {
		return fail(c, -EINVAL, "BlackLevel has %ld values for a %dx%d repeat pattern",
			    n, rows, cols);
	}
	for (int i = 0; i < rows * cols; i++)
		if (!(bl[i] >= 0 && bl[i] <= 65535))
			return fail(c, -EINVAL, "BlackLevel %g is absurd", bl[i]);
	white = (1u << l.bps) - 1;
	n = get_dng(c, t, TIFFTAG_WHITELEVEL, v, 1);
	if (n < 0)
		return (int)n;
	if (n != 0) {
		if (!(v[0] >= 1 && v[0] <= 65535))
			return fail(c, -EINVAL, "WhiteLevel %g out of range 1..65535", v[0]);
		white = (uint32_t)v[0];
	}

	/* NoiseProfile: S, O per plane (or once for all) */
	n = get_dng(c, t, 51041, v, 8);
	if (n < 0)
		return (int)n;
	if (n >= 2 && n % 2 == 0) {
		double sum[2] = { 0.0, 0.0 };
		bool ok = true;

		for (long i = 0; i < n; i++) {
			ok = ok && isfinite(v[i]) && v[i] >= 0 && v[i] < 1;
			sum[i & 1] += v[i];
		}
		if (ok) {
			out->noise_profile[0] = sum[0] / (double)(n / 2);
			out->noise_profile[1] = sum[1] / (double)(n / 2);
			out->has_noise_profile = true;
		} else {
			ret = unusable(c, 51041, "a value outside 0..1");
			if (ret < 0)
				return ret;
		}
	} else if (n != 0) {
		ret = unusable(c, 51041, "%ld values, pairs expected", n);
		if (ret < 0)
			return ret;
	}

	dh = calloc(LUMEN_MAX_DIM, sizeof(*dh));
	dv = calloc(LUMEN_MAX_DIM, sizeof(*dv));
	if (!dh || !dv) {
		ret = fail(c, -ENOMEM, "out of memory");
		goto out_free;
	}
	n = get_dng(c, t, TIFFTAG_BLACKLEVELDELTAH, dh, LUMEN_MAX_DIM);
	if (n < 0) {
		ret = (int)n;
		goto out_free;
	}
	if (n != 0 && n < (long)aw) {
		ret = fail(c, -EINVAL, "BlackLevelDeltaH has %ld values for %u columns", n, aw);
		goto out_free;
	}
	bool deltas = n != 0;

	n = get_dng(c, t, TIFFTAG_BLACKLEVELDELTAV, dv, LUMEN_MAX_DIM);
	if (n < 0) {
		ret = (int)n;
		goto out_free;
	}
	if (n != 0 && n < (long)ah) {
		ret = fail(c, -EINVAL, "BlackLevelDeltaV has %ld values for %u rows", n, ah);
		goto out_free;
	}
	deltas |= n != 0;
	for (uint32_t i = 0; i < LUMEN_MAX_DIM; i++) {
		if (!(fabs(dh[i]) <= 65535 && fabs(dv[i]) <= 65535)) {
			ret = fail(c, -EINVAL, "BlackLevelDelta value is absurd");
			goto out_free;
		}
	}

	n = get_dng(c, t, TIFFTAG_LINEARIZATIONTABLE, NULL, 0);
	if (n < 0) {
		ret = (int)n;
		goto out_free;
	}
	if (n > 65536) {
		ret = fail(c, -EINVAL, "LinearizationTable has %ld entries (max 65536)", n);
		goto out_free;
	}
	if (n > 0) {
		lin = malloc((size_t)n * sizeof(*lin));
		if (!lin) {
			ret = fail(c, -ENOMEM, "out of memory");
			goto out_free;
		}
		nlin = get_nums(t, TIFFTAG_LINEARIZATIONTABLE, lin, n);
		for (long i = 0; i < nlin; i++) {
			if (!(lin[i] >= 0 && lin[i] <= 65535)) {
				ret = fail(c, -EINVAL, "LinearizationTable value %g is absurd", lin[i]);
				goto out_free;
			}
		}
	}

	/* decode all blocks into the full stored image */
	size = lumen_frame_layout(&full, LUMEN_PIX_BAYER16, (int)l.width, (int)l.height, 0);
	if (size < 0) {
		ret = fail(c, -EINVAL, "raw image size %ux%u out of range", l.width, l.height);
		goto out_free;
	}
	out->mem_peak = (size_t)memory_needed(&l, (uint64_t)size, nlin);
	if (out->mem_peak > c->lim->max_memory) {
		ret = fail(c, -EFBIG, "a %ux%u %s raw image needs %zu MiB to read, above the "
			   "memory limit of %llu MiB (raise it with %s)", l.width, l.height,
			   l.compression == COMPRESSION_NONE ? "uncompressed" : "lossless JPEG",
			   (out->mem_peak + (1 << 20) - 1) >> 20,
			   (unsigned long long)(c->lim->max_memory >> 20),
			   c->lim->raise_memory ? c->lim->raise_memory
						: "lumen_input_limits.max_memory");
		goto out_free;
	}
	ret = check_coverage(c, t, &l);
	if (ret < 0)
		goto out_free;
	out->buffer = calloc(1, (size_t)size);
	if (!out->buffer) {
		ret = fail(c, -ENOMEM, "out of memory for a %ux%u image", l.width, l.height);
		goto out_free;
	}
	lumen_frame_attach(&full, out->buffer);
	for (uint32_t i = 0; i < l.across * l.down; i++) {
		ret = read_block(c, t, &l, i, &full);
		if (ret < 0)
			goto out_free;
	}

	/* the visible window, in stored-image coordinates */
	uint32_t x0 = left + cx, y0 = top + cy;
	uint16_t black[4];
	double base[4] = { INFINITY, INFINITY, INFINITY, INFINITY };
	bool bake = deltas || (rows > 2 || cols > 2);

	for (int i = 0; i < rows * cols; i++)
		bake |= bl[i] != floor(bl[i]);
	/* black of window pixel (x, y), relative to the active area pattern */
#define BLACK_AT(x, y) (bl[(((y) + cy) % (uint32_t)rows) * (uint32_t)cols + ((x) + cx) % (uint32_t)cols] \
			+ dh[(x) + cx] + dv[(y) + cy])
	for (uint32_t y = 0; y < ch; y++) {
		uint16_t *row = (uint16_t *)(void *)(full.data[0] + (y0 + y) * full.stride[0]) + x0;

		for (uint32_t x = 0; x < cw; x++) {
			if (nlin)
				row[x] = (uint16_t)lin[row[x] < nlin ? row[x] : nlin - 1];
			if (row[x] > maxval)
				maxval = row[x];
			if (bake || (y < 2 && x < 2)) {
				double b = BLACK_AT(x, y);
				int cell = (int)((y & 1) * 2 + (x & 1));

				if (b < base[cell])
					base[cell] = b;
			}
		}
	}
	for (int i = 0; i < 4; i++) {
		if (!isfinite(base[i]))	/* window narrower than 2 */
			base[i] = base[0];
		base[i] = base[i] < 0 ? 0 : floor(base[i]);
		black[i] = (uint16_t)base[i];
		if (black[i] >= white) {
			ret = fail(c, -EINVAL, "BlackLevel %u is not below WhiteLevel %u", black[i], white);
			goto out_free;
		}
	}
	if (bake) {
		/* subtract what the 2x2 black cannot express; keep black[] */
		for (uint32_t y = 0; y < ch; y++) {
			uint16_t *row = (uint16_t *)(void *)(full.data[0] + (y0 + y) * full.stride[0]) + x0;

			for (uint32_t x = 0; x < cw; x++) {
				double d = BLACK_AT(x, y) - base[(y & 1) * 2 + (x & 1)];
				long val = lround((double)row[x] - d);

				row[x] = (uint16_t)(val < 0 ? 0 : val > 65535 ? 65535 : val);
			}
		}
	}
#undef BLACK_AT

	/* CFAPattern is relative to the active area: shift it to (0, 0) */
	full.bayer = lumen_bayer_shift(cfa, (int)left, (int)top);
	full.white = (uint16_t)white;
	{
		/* significant bits: what the white level and the data need */
		int b = bit_length(white > maxval ? white : maxval);

		full.bits = b < 8 ? 8 : b;
	}
	ret = lumen_frame_crop(&full, (int)x0, (int)y0, (int)cw, (int)ch, &out->frame);
	if (ret < 0) {
		ret = fail(c, -EINVAL, "crop window outside the image");
		goto out_free;
	}
	memcpy(out->frame.black, black, sizeof(black));
	out->raw_width = (int)l.width;
	out->raw_height = (int)l.height;
	out->crop_x = (int)x0;
	out->crop_y = (int)y0;
	ret = 0;
out_free:
	free(lin);
	free(dh);
	free(dv);
	return ret;
}

static int read_dng(struct ctx *c, TIFF *t, struct lumen_raw_image *out)
{
	uint8_t *ver = NULL;
	int ret;

	if (!TIFFGetField(t, TIFFTAG_DNGVERSION, &ver) || !ver)
		return fail(c, -EINVAL, "no DNGVersion tag: a TIFF but not a DNG");
	for (int i = 0; i < 4; i++)
		out->dng_version[i] = ver[i];
	if (ver[0] != 1)
		return fail(c, -ENOTSUP, "DNG version %u.%u is not supported", ver[0], ver[1]);
	ret = check_entries(c, t, IN_IFD0);
	if (ret < 0)
		return ret;
	ret = read_ifd0_meta(c, t, out);
	if (ret < 0)
		return ret;
	ret = find_raw_ifd(c, t);
	if (ret < 0)
		return ret;
	ret = check_entries(c, t, IN_RAW);
	if (ret < 0)
		return ret;
	return read_raw(c, t, out);
}

int lumen_dng_read_mem_limits(const void *data, size_t size, const char *name,
			      const struct lumen_input_limits *limits,
			      struct lumen_raw_image *out, char *err, size_t errlen)
{
	struct ctx c = { .data = data, .size = size, .name = name ? name : "(memory)",
			 .err = err, .errlen = errlen, .out = out,
			 .lim = limits ? limits : &lumen_input_limits_live };
	struct memfile mf = { .data = data, .size = size };
	TIFFOpenOptions *opts;
	TIFF *t;
	int ret;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = 0;
	if (!data || size < 8)
		return fail(&c, -EINVAL, "too short to be a DNG (%zu bytes)", size);
	pthread_once(&extender_once, install_extender);
	opts = TIFFOpenOptionsAlloc();
	if (!opts)
		return fail(&c, -ENOMEM, "out of memory");
	TIFFOpenOptionsSetErrorHandlerExtR(opts, on_tiff_error, &c);
	TIFFOpenOptionsSetWarningHandlerExtR(opts, on_tiff_warning, &c);
	TIFFOpenOptionsSetMaxSingleMemAlloc(opts, c.lim->max_memory < TIFF_MAX_ALLOC
					    ? (tmsize_t)c.lim->max_memory : TIFF_MAX_ALLOC);
	t = TIFFClientOpenExt(c.name, "rm", &mf, mem_read, mem_write, mem_seek,
			      mem_close, mem_size, mem_map, mem_unmap, opts);
	TIFFOpenOptionsFree(opts);
	if (!t) {
		const uint8_t *m = data;
		bool big = (m[0] == 'I' && m[2] == 43) || (m[0] == 'M' && m[3] == 43);

		return fail(&c, -EINVAL, "not a readable %s (%s)", big ? "BigTIFF/DNG" : "TIFF/DNG",
			    c.tiff_err[0] ? c.tiff_err : "bad header");
	}
	c.bigtiff = TIFFIsBigTIFF(t);
	c.big_endian = TIFFIsBigEndian(t);
	ret = read_dng(&c, t, out);
	TIFFClose(t);
	if (ret < 0)
		lumen_raw_image_free(out);
	return ret;
}

int lumen_dng_read_mem(const void *data, size_t size, const char *name,
		       struct lumen_raw_image *out, char *err, size_t errlen)
{
	return lumen_dng_read_mem_limits(data, size, name, NULL, out, err, errlen);
}

int lumen_dng_read(const char *path, struct lumen_raw_image *out, char *err,
		   size_t errlen)
{
	return lumen_dng_read_limits(path, NULL, out, err, errlen);
}

int lumen_dng_read_limits(const char *path, const struct lumen_input_limits *limits,
			  struct lumen_raw_image *out, char *err, size_t errlen)
{
	struct ctx c = { .name = path, .err = err, .errlen = errlen };
	struct stat st;
	void *map;
	int fd, ret;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return fail(&c, ret, "cannot open: %s", strerror(-ret));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(&c, -EINVAL, "not a regular file");
	}
	if (st.st_size < 8) {
		close(fd);
		return fail(&c, -EINVAL, "too short to be a DNG (%lld bytes)", (long long)st.st_size);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		ret = -errno;
		return fail(&c, ret, "cannot map: %s", strerror(-ret));
	}
	ret = lumen_dng_read_mem_limits(map, (size_t)st.st_size, path, limits, out, err, errlen);
	munmap(map, (size_t)st.st_size);
	return ret;
}

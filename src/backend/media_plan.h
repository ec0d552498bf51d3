/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A media-graph configuration as data: the links to enable and the pad
 * formats to set, written as media-ctl writes them, so that a board file
 * (its `media:` key, src/board/board.h) carries what a user would type:
 *
 *   link   "'imx258 1-001a':0 -> 'rkisp1_csi':0 [1]"          (media-ctl -l)
 *   format "'rkisp1_isp':0 [fmt:SRGGB10_1X10/2104x1560 crop:(0,0)/2104x1560]"
 *                                                            (media-ctl -V)
 *   limit  "'rkisp1_isp':0 max:4032x3024"   the largest size a driver lets
 *          a pad take (it clamps anything larger), from the driver's source
 *
 * lumen_media_plan_check() runs the plan on paper, as the kernel would:
 * the formats in order, each sink pad clamped to its limit, unset pads
 * taking their upstream format (as `lumen media --configure` propagates
 * it), then every enabled link compared as link validation does at
 * STREAMON. A mismatch is told link by link with both formats, the field
 * that differs, and the limit that caused it — before any device is
 * touched. Pure data: no ioctls, any thread.
 */
#ifndef LUMEN_BACKEND_MEDIA_PLAN_H
#define LUMEN_BACKEND_MEDIA_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LUMEN_PLAN_MAX_LINKS 16
#define LUMEN_PLAN_MAX_FORMATS 16
#define LUMEN_PLAN_MAX_LIMITS 8
#define LUMEN_PLAN_NAME 48		/* entity names, with the NUL */

struct lumen_plan_pad {
	char entity[LUMEN_PLAN_NAME];
	int pad;
};

struct lumen_plan_link {
	struct lumen_plan_pad source, sink;
	bool enable;
};

struct lumen_plan_format {
	struct lumen_plan_pad at;
	uint32_t code;			/* MEDIA_BUS_FMT_* */
	uint32_t width, height;
	bool has_crop;
	uint32_t crop_x, crop_y, crop_w, crop_h;
};

struct lumen_plan_limit {
	struct lumen_plan_pad at;
	uint32_t max_w, max_h;
};

struct lumen_media_plan {
	int nlinks, nformats, nlimits;
	struct lumen_plan_link links[LUMEN_PLAN_MAX_LINKS];
	struct lumen_plan_format formats[LUMEN_PLAN_MAX_FORMATS];
	struct lumen_plan_limit limits[LUMEN_PLAN_MAX_LIMITS];
};

/*
 * Parse one media-ctl style string into @out. 0, or -EINVAL with @err
 * saying what in @s is wrong (the entity quote, the pad number, the
 * arrow, the bus code by name, the size).
 */
int lumen_plan_parse_link(const char *s, struct lumen_plan_link *out,
			  char *err, size_t errlen);
int lumen_plan_parse_format(const char *s, struct lumen_plan_format *out,
			    char *err, size_t errlen);
int lumen_plan_parse_limit(const char *s, struct lumen_plan_limit *out,
			   char *err, size_t errlen);

/*
 * Checks @plan on paper (see above). Returns 0 when every enabled link
 * matches, -EPIPE when some do not (the report names each link, both
 * pads' formats, the differing fields and the limit that clamped a pad;
 * it ends with "STREAMON would fail with EPIPE"), -EINVAL when a format
 * or limit names a pad no link reaches. The report is written like
 * snprintf into @report.
 */
int lumen_media_plan_check(const struct lumen_media_plan *plan, char *report,
			   size_t size);

#endif

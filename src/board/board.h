/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Board files: how a camera is wired, as data (data/boards/NAME.yaml).
 *
 *   name: imou-bullet3            # required, [a-z0-9._-], < 64 bytes
 *   soc: ssc377                   # required: ssc377 | t31 | rk3399
 *   backend: virtual              # virtual (default) | v4l2
 *   sensor: sc4336p               # required: driver name
 *   i2c: { bus: 1, addr: 0x30 }   # required; addr is 7-bit (<= 0x7f)
 *   pad: 2                        # sensor pad / MIPI port (default 0)
 *   lanes: 2                      # required: 1, 2 or 4
 *   mclk_hz: 27000000             # required, 1 MHz .. 100 MHz
 *   reset_gpio: { pin: 18, active_low: true }   # optional
 *   pwdn_gpio: { pin: 19, active_low: false }   # optional
 *   pre_probe:                    # optional, <= 16 writes before the ID read
 *     - { reg: 0x440d, val: 0x10 }
 *   crop: { x: 0, y: 0, width: 1920, height: 1080 }   # optional
 *   buffers: 4                    # DMA pool size, 1..64 (default 4)
 *   fps: 30                       # optional, 1..240 (0 = sensor default)
 *   media:                        # optional: the media graph's set-up as
 *     links: ["'A':0 -> 'B':0 [1]", ...]     # media-ctl -l strings (required)
 *     formats: ["'A':0 [fmt:SRGGB10_1X10/2104x1560]", ...]  # media-ctl -V
 *     limits: ["'B':0 max:4032x3024"]        # a driver's largest pad size
 *                                 # (backend/media_plan.h; <= 16/16/8)
 *
 * Integers may be decimal or 0x hex. Every error names the file, the line
 * and the key: unknown or repeated key, wrong type, value out of range,
 * missing required key.
 */
#ifndef LUMEN_BOARD_BOARD_H
#define LUMEN_BOARD_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/media_plan.h"	/* the plan's data types */
#include "sensor/sensor.h"	/* struct lumen_regval only: no link dependency */

#define LUMEN_BOARD_MAX_PRE_PROBE 16

enum lumen_board_backend {
	LUMEN_BACKEND_VIRTUAL = 0,
	LUMEN_BACKEND_V4L2,
};

struct lumen_board_gpio {
	bool present;
	int pin;		/* SoC GPIO number (board-specific numbering) */
	bool active_low;	/* asserted (reset / power-down) at level 0 */
};

struct lumen_board {
	char name[64];
	char path[512];			/* file it was loaded from */
	char soc[16];
	enum lumen_board_backend backend;
	char sensor[32];
	int i2c_bus;
	uint16_t i2c_addr;
	int pad;
	int lanes;
	uint32_t mclk_hz;
	struct lumen_board_gpio reset_gpio, pwdn_gpio;
	struct lumen_regval pre_probe[LUMEN_BOARD_MAX_PRE_PROBE];
	size_t npre_probe;
	bool has_crop;
	int crop_x, crop_y, crop_w, crop_h;
	int buffers;
	int fps;			/* 0 = the sensor mode's default */
	bool has_media;			/* media: was given */
	struct lumen_media_plan media;
};

/*
 * Sensor-name check: returns true when a driver of that name exists. The
 * board layer does not link the sensor table; the caller passes e.g.
 * lumen_sensor_known() from sensor/sensor.h.
 */
typedef bool (*lumen_board_sensor_check_fn)(const char *name, void *opaque);

struct lumen_board_opts {
	lumen_board_sensor_check_fn sensor_known;	/* NULL: names not checked */
	void *opaque;
};

/*
 * Loads a board by @name_or_path: a value containing '/' or ending in
 * ".yaml" is a file path; otherwise NAME.yaml is searched in
 * $LUMEN_BOARD_DIR, the source tree's data/boards (built in), and the
 * installed <datadir>/lumen/boards, then /usr/share/lumen/boards.
 * Returns 0, or -ENOENT (no such board; the message lists where it looked)
 * / -EINVAL (bad file) / other errno, with a one-line message
 * "file:line: key 'k': what" in @err. @b is written only on success.
 */
int lumen_board_load(const char *name_or_path, struct lumen_board *b,
		     char *err, size_t errlen);
int lumen_board_load_ex(const char *name_or_path,
			const struct lumen_board_opts *opts,
			struct lumen_board *b, char *err, size_t errlen);

/* Parses one file (no search), through the YAML reader and its limits
 * (src/core/yaml_doc.h); a file over the size limit is -EINVAL too. */
int lumen_board_parse_file(const char *path, const struct lumen_board_opts *opts,
			   struct lumen_board *b, char *err, size_t errlen);

/* The same for @len bytes of board text at @text, named @name in messages
 * and in b->path (the fuzzer's way in). */
int lumen_board_parse(const char *name, const char *text, size_t len,
		      const struct lumen_board_opts *opts, struct lumen_board *b,
		      char *err, size_t errlen);

const char *lumen_board_backend_name(enum lumen_board_backend backend);

#endif

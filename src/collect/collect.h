/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lumen collect: on a camera, gathers what `lumen doctor` reads (kernel and
 * system logs, /proc and sysfs dumps of the SoC's camera blocks, media and
 * V4L2 queries, the sensor's chip ID read over i2c-dev) into one text file
 * of sections, or one ustar archive with a member per section.
 *
 * Nothing here changes device state: files are only read, commands are
 * query commands run with stdin from /dev/null and a timeout, and I2C
 * access is a register-address write plus a read, at sensor addresses that
 * no non-sensor kernel driver owns (docs/collect.md, "I2C safety rule").
 *
 * Every section starts with a marker line the doctor takes as a heading:
 *   ===[ lumen-collect: file /proc/interrupts ]===
 *   ===[ lumen-collect: command dmesg (exit 0) ]===
 * followed by the content as read (NUL and other control bytes shown as
 * '.', so that the doctor never takes the bundle for a binary file), cut at
 * a per-section limit and stopped at a total limit, both noted in the
 * output. A tar member holds the same marker line and content, so an
 * extracted bundle reads the same.
 *
 * Dependencies: libc, src/i2c (i2c-dev) and the sensor tables, so that the
 * separate `lumen-collect` executable links statically (-Dstatic_collect).
 * One thread; the module keeps no global state.
 */
#ifndef LUMEN_COLLECT_COLLECT_H
#define LUMEN_COLLECT_COLLECT_H

#include <stdbool.h>
#include <stddef.h>

#include "i2c/i2c.h"

#define LUMEN_COLLECT_SECTION_MAX ((size_t)1 << 20)	/* bytes per section */
#define LUMEN_COLLECT_TOTAL_MAX ((size_t)12 << 20)	/* under the doctor's 16 MiB */
#define LUMEN_COLLECT_TIMEOUT_MS 10000			/* per command */

struct lumen_collect_opts {
	const char *root;	/* prefix of every file and device path; NULL = "" */
	const char *output;	/* NULL or "-": stdout; "*.tar": ustar archive */
	bool no_commands;	/* run no external command */
	bool no_i2c;		/* no I2C access at all */
	size_t section_max;	/* 0: LUMEN_COLLECT_SECTION_MAX */
	size_t total_max;	/* 0: LUMEN_COLLECT_TOTAL_MAX */
	int timeout_ms;		/* 0: LUMEN_COLLECT_TIMEOUT_MS */
	/*
	 * Tests: probe this bus (borrowed) instead of every /dev/i2c-N. Under
	 * a root other than "/", /dev/i2c-N are never opened.
	 */
	struct lumen_i2c_bus *bus;
};

/*
 * Gathers everything that exists and writes it to o->output. A file output
 * is written to "OUTPUT.tmp" and renamed when complete: on failure no file
 * is left. Returns 0, or a negative errno with a one-line message in @err
 * (the output could not be created or written; what merely does not exist
 * on this device is not an error).
 */
int lumen_collect_run(const struct lumen_collect_opts *o, char *err,
		      size_t errlen);

/*
 * The emulated bus behind `--virtual MODEL` (the lumen binary only; the
 * static `lumen-collect` passes NULL and refuses the option). open() makes
 * a bus with the chip on it, or returns a negative errno for an unknown
 * model; close() undoes it.
 */
struct lumen_collect_virtual {
	int (*open)(const char *model, struct lumen_i2c_bus **bus, void **ctx);
	void (*close)(struct lumen_i2c_bus *bus, void *ctx);
	const char *models;	/* for the usage text */
};

/*
 * The command line shared by `lumen collect` and `lumen-collect`; argv[0]
 * is the command's name (used in messages as @prog). Exit status: 0 done,
 * 1 the output could not be written, 2 usage error.
 */
int lumen_collect_main(int argc, char **argv, const char *prog,
		       const struct lumen_collect_virtual *virt);

#endif

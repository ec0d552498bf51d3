// SPDX-License-Identifier: GPL-2.0-or-later
/* lumen: one binary, one subcommand per job. */
#include <stdio.h>
#include <string.h>

#include "tools/commands.h"

static const struct lumen_command commands[] = {
	{ "calibrate", "colour calibration from a ColorChecker raw shot", lumen_cmd_calibrate },
	{ "develop", "raw file (DNG or plain dump) to a picture", lumen_cmd_develop },
	{ "sample", "write a sample raw frame (DNG) of a modelled sensor", lumen_cmd_sample },
	{ "sensor", "probe/read/write sensor registers over I2C (or --virtual MODEL)", lumen_cmd_sensor },
	{ "serve", "the camera daemon: RTSP and HTTP on a board (virtual by default)", lumen_cmd_serve },
	{ "passwd", "set the user and password of lumen serve (HA1s into its config)", lumen_cmd_passwd },
	{ "run", "headless pipeline on a board, frames to files", lumen_cmd_run },
	{ "bench", "benchmarks: lumen bench demosaic [--data DIR] | isp [--threads N] | dpc [--data DIR] | develop [--data DIR] [--quick]", lumen_cmd_bench },
	{ "doctor", "name the first pipeline stage where frames stop, from evidence", lumen_cmd_doctor },
	{ "media", "show a media-controller graph, the path lumen uses; --configure applies it", lumen_cmd_media },
	{ "collect", "gather logs, /proc dumps and the sensor chip ID for the doctor", lumen_cmd_collect },
	{ 0 },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: lumen COMMAND [OPTIONS]\n\ncommands:\n");
	for (const struct lumen_command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (const struct lumen_command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->main(argc - 1, argv + 1);
	fprintf(stderr, "lumen: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Subcommands of the one `lumen` binary. Each takes argc/argv starting at
 * its own name and returns the process exit status: 0 success, 1 failure of
 * the job (bad input, I/O), 2 usage error, 77 skipped (missing data).
 */
#ifndef LUMEN_TOOLS_COMMANDS_H
#define LUMEN_TOOLS_COMMANDS_H

struct lumen_command {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
};

int lumen_cmd_develop(int argc, char **argv);
int lumen_cmd_calibrate(int argc, char **argv);
int lumen_cmd_bench(int argc, char **argv);
/* `lumen bench isp`, reached through lumen_cmd_bench (cmd_bench_isp.c) */
int lumen_cmd_bench_isp(int argc, char **argv);
/* Runs @argv (PATH searched) with stdout and stderr to /dev/null; its
 * exit status, or -1 when it could not run or did not exit (cmd_bench.c) */
int lumen_bench_run_quiet(char *const argv[]);
/* `lumen bench develop` (cmd_bench_develop.c); @data: the data folder */
int lumen_cmd_bench_develop(int argc, char **argv, const char *data);
int lumen_cmd_sample(int argc, char **argv);
int lumen_cmd_run(int argc, char **argv);
int lumen_cmd_serve(int argc, char **argv);
int lumen_cmd_passwd(int argc, char **argv);
int lumen_cmd_sensor(int argc, char **argv);
int lumen_cmd_doctor(int argc, char **argv);
int lumen_cmd_collect(int argc, char **argv);
int lumen_cmd_media(int argc, char **argv);

#endif

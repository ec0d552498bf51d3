// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen serve: the camera daemon (RTSP + HTTP) on a board; with no config
 * the imou-bullet3 board on the virtual backend, RTSP on 8554, HTTP on 8080.
 *
 *   lumen serve [--config FILE] [--foreground] [--rtsp-port N]
 *               [--http-port N] [--board NAME] [--log FILE]
 *   lumen serve --backend v4l2 [-d /dev/mediaN] [--size WxH] [--code CODE]
 *               [--ctrl 'NAME=VALUE']... [--board NAME (tuning)] ...
 *
 * With --backend v4l2 and no --board, no board file is read (the
 * config's board.name is not used): the device's frames are developed
 * with an identity colour matrix and grey-world AWB, as `lumen run` does.
 *
 * SIGTERM and SIGINT stop it cleanly. Exit status: 0 after a clean stop,
 * 1 the board or pipeline failed, 2 usage or config error, 3 a port could
 * not be bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/media.h"
#include "backend/virtual.h"
#include "camera/camera.h"
#include "core/frame.h"
#include "core/log.h"
#include "serve/config.h"
#include "serve/daemon.h"
#include "tools/commands.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: lumen serve [--config FILE] [--foreground] [--board NAME]\n"
		"                   [--rtsp-port N] [--http-port N] [--log FILE]\n"
		"                   [--fault NAME]...  (virtual board: inject a fault)\n"
		"       lumen serve --backend v4l2 [-d /dev/mediaN] [--size WxH] [--code CODE]\n"
		"                   [--ctrl 'NAME=VALUE']... [--board NAME (tuning)] ...\n");
	return LUMEN_EXIT_USAGE;
}

/* Detaches from the terminal; stderr goes to @log (or /dev/null). */
static int daemonize(const char *log)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (!log)
			dup2(fd, STDERR_FILENO);
		close(fd);
	}
	if (log) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
	}
	return 0;
}

int lumen_cmd_serve(int argc, char **argv)
{
	const char *cfg_path = NULL, *log = NULL, *board = NULL;
	int rtsp_port = -1, http_port = -1, sig, ret;
	bool foreground = false;
	uint32_t faults = 0;
	int backend = -1;		/* enum lumen_cfg_backend; -1 = the config's */
	struct lumen_camera_config camc = { .light = 1.0 };
	struct lumen_config cfg;
	struct lumen_daemon *d;
	char err[512];
	sigset_t set;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--foreground") || !strcmp(argv[i], "-f")) {
			foreground = true;
		} else if (!strcmp(argv[i], "--config") && v) {
			cfg_path = argv[++i];
		} else if (!strcmp(argv[i], "--board") && v) {
			board = argv[++i];
		} else if (!strcmp(argv[i], "--fault") && v) {
			enum lumen_fault f;

			if (lumen_fault_parse(argv[++i], &f)) {
				fprintf(stderr, "lumen serve: --fault: unknown fault '%s'\n",
					argv[i]);
				return usage();
			}
			faults |= 1u << f;
		} else if (!strcmp(argv[i], "--backend") && v) {
			i++;
			if (!strcmp(argv[i], "v4l2")) {
				backend = LUMEN_CFG_BACKEND_V4L2;
			} else if (!strcmp(argv[i], "virtual")) {
				backend = LUMEN_CFG_BACKEND_VIRTUAL;
			} else {
				fprintf(stderr, "lumen serve: --backend %s: virtual or v4l2\n",
					argv[i]);
				return LUMEN_EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "-d") && v) {
			camc.v4l2.media = argv[++i];
		} else if (!strcmp(argv[i], "--size") && v) {
			i++;
			if (sscanf(argv[i], "%ux%u", &camc.width, &camc.height) != 2 ||
			    !camc.width || !camc.height || camc.width > LUMEN_MAX_DIM ||
			    camc.height > LUMEN_MAX_DIM) {
				fprintf(stderr, "lumen serve: --size %s: want WxH\n", argv[i]);
				return LUMEN_EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "--code") && v) {
			camc.v4l2.code = lumen_media_code_parse(argv[++i]);
			if (!camc.v4l2.code) {
				fprintf(stderr, "lumen serve: --code %s: unknown media bus code\n",
					argv[i]);
				return LUMEN_EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "--ctrl") && v) {
			if (lumen_v4l2_config_add_ctrl(&camc.v4l2, argv[++i])) {
				fprintf(stderr, "lumen serve: --ctrl '%s': want 'NAME=VALUE' (at most %d)\n",
					argv[i], LUMEN_V4L2_MAX_CTRLS);
				return LUMEN_EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "--log") && v) {
			log = argv[++i];
		} else if (!strcmp(argv[i], "--rtsp-port") && v) {
			rtsp_port = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--http-port") && v) {
			http_port = atoi(argv[++i]);
		} else {
			fprintf(stderr, "lumen serve: unknown or incomplete option '%s'\n",
				argv[i]);
			return usage();
		}
	}
	lumen_config_defaults(&cfg);
	if (cfg_path) {
		ret = lumen_config_load(cfg_path, &cfg, err, sizeof(err));
		if (ret == -ENOENT) {
			/* a first start: run the defaults and save there on a set */
			lumen_warn("%s; using the defaults", err);
		} else if (ret) {
			fprintf(stderr, "lumen serve: %s\n", err);
			return LUMEN_EXIT_USAGE;
		}
	}
	if (backend >= 0) {
		cfg.board.backend = backend;
		/* a device needs no board file; one named gives its tuning */
		if (backend == LUMEN_CFG_BACKEND_V4L2 && !board)
			cfg.board.name[0] = '\0';
	}
	if (board)
		snprintf(cfg.board.name, sizeof(cfg.board.name), "%s", board);
	cfg.board.faults = faults;
	if (rtsp_port >= 0)
		cfg.rtsp.port = rtsp_port;
	if (http_port >= 0)
		cfg.http.port = http_port;
	if (lumen_config_validate(&cfg, err, sizeof(err))) {
		fprintf(stderr, "lumen serve: %s\n", err);
		return LUMEN_EXIT_USAGE;
	}
	lumen_log_set_level((enum lumen_log_level)cfg.system.log_level);

	if (!foreground && daemonize(log)) {
		fprintf(stderr, "lumen serve: cannot detach: %s\n", strerror(errno));
		return LUMEN_EXIT_RUNTIME;
	}
	/* every thread inherits this mask; only sigwait() below takes them */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	ret = lumen_daemon_start(&cfg, cfg_path, &camc, &d, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "lumen serve: %s\n", err);
		return ret;
	}
	lumen_info("serve: %s running", cfg.board.name[0] ? cfg.board.name :
		   "v4l2 device");
	lumen_daemon_print_urls(d, "127.0.0.1");
	if (sigwait(&set, &sig) == 0)
		lumen_info("serve: %s, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	lumen_daemon_stop(d);
	lumen_info("serve: stopped");
	return LUMEN_EXIT_OK;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The camera daemon behind `lumen serve`: a board's pipeline with its
 * output channels (main and sub H.264, JPEG), the RTSP server and the HTTP
 * server, wired together from one struct lumen_config.
 *
 *   pipeline (NV12 at sensor size)
 *     -> sink "video0": [scale] -> x264 -> stream ring -> RTSP /ch0
 *     -> sink "video1": scale   -> x264 -> stream ring -> RTSP /ch1
 *     -> sink "jpeg":   keep the latest frame; [scale] -> JPEG -> ring
 *                       -> /image.jpg, /mjpeg
 *
 * Each sink runs on its own pipeline thread, so a slow encoder loses frames
 * at its own queue; RTSP and HTTP clients read from the rings and their
 * own queues and never hold up capture.
 *
 * lumen_daemon_start/stop run on the main thread; the HTTP callbacks run on
 * HTTP connection threads and only read counters and rings.
 */
#ifndef LUMEN_SERVE_DAEMON_H
#define LUMEN_SERVE_DAEMON_H

#include <stddef.h>

#include "serve/config.h"

/* Exit codes of `lumen serve` (also what start() failures map to). */
enum lumen_serve_exit {
	LUMEN_EXIT_OK = 0,
	LUMEN_EXIT_RUNTIME = 1,		/* board/pipeline failed */
	LUMEN_EXIT_USAGE = 2,		/* bad option or config */
	LUMEN_EXIT_NET = 3,		/* cannot listen on a port */
};

struct lumen_daemon;

struct lumen_camera_config;

/*
 * Builds and starts everything for @cfg (copied; @cfg_path is where
 * /api/v1/set persists, NULL = nowhere). @camera (NULL = defaults) gives
 * what the config file does not: the V4L2 device, size, code and
 * controls; its board, backend and faults come from @cfg (board.name,
 * board.backend, board.faults). Returns 0, or an enum lumen_serve_exit
 * code with a message in @err.
 */
int lumen_daemon_start(const struct lumen_config *cfg, const char *cfg_path,
		       const struct lumen_camera_config *camera,
		       struct lumen_daemon **out, char *err, size_t errlen);
/* Prints the stream and page URLs. */
void lumen_daemon_print_urls(struct lumen_daemon *d, const char *host);
/* Stops and frees everything (NULL ok). */
void lumen_daemon_stop(struct lumen_daemon *d);

#endif

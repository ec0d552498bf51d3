// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test server for tests/http_clients.sh: the real HTTP server of `lumen
 * serve` with fake but real callbacks: a synthetic 640x360 picture (colour
 * bars, a moving white block, the frame number as its position) encoded by
 * TurboJPEG, 25 frames/s from a producer thread; a status JSON and metrics
 * whose counters grow with the frames.
 *
 *   http_serve_test CONFIG.yaml [--user U --password P]
 *
 * Loads CONFIG.yaml when it exists (else the defaults), persists changes to
 * it, listens on 127.0.0.1 on a free port and prints "port N" on stdout;
 * stops cleanly on SIGTERM/SIGINT and prints "stopped in N ms".
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <turbojpeg.h>

#include "net/digest.h"
#include "serve/http.h"

#define W 640
#define H 360
#define FRAME_MS 40

static const char *const stage_names[] = { "sensor", "link", "receiver", "VIF", "ISP",
					   "scaler", "encoder", "RTSP/HTTP" };
#define NSTAGES (int)(sizeof(stage_names) / sizeof(stage_names[0]))

struct fake {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	int stop;
	uint64_t seq;			/* frames produced */
	unsigned char *jpeg;		/* latest frame's JPEG */
	unsigned long jpeg_len;
	struct timespec start;
	int live_changes, restart_changes;
};

/* The synthetic picture, frame @n, at @w x @h, RGB. */
static void render(unsigned char *rgb, int w, int h, uint64_t n)
{
	static const unsigned char bars[8][3] = {
		{ 255, 255, 255 }, { 255, 255, 0 }, { 0, 255, 255 }, { 0, 255, 0 },
		{ 255, 0, 255 }, { 255, 0, 0 }, { 0, 0, 255 }, { 0, 0, 0 },
	};
	int bx = (int)(n * 8 % (uint64_t)w), bw = w / 10;

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			unsigned char *p = rgb + ((size_t)y * w + x) * 3;
			const unsigned char *c = bars[x * 8 / w];

			if (y > h * 3 / 4)	/* grey ramp below the bars */
				p[0] = p[1] = p[2] = (unsigned char)(x * 255 / w);
			else
				memcpy(p, c, 3);
			if (x >= bx && x < bx + bw && y > h / 3 && y < h / 2)
				p[0] = p[1] = p[2] = 250;
		}
}

static int encode(int w, int h, int quality, uint64_t n, unsigned char **out,
		  unsigned long *len)
{
	unsigned char *rgb = malloc((size_t)w * h * 3);
	tjhandle tj = tjInitCompress();
	int ret = -ENOMEM;

	if (rgb && tj) {
		render(rgb, w, h, n);
		ret = tjCompress2(tj, rgb, w, 0, h, TJPF_RGB, out, len, TJSAMP_420, quality,
				  TJFLAG_FASTDCT) ? -EIO : 0;
	}
	if (tj)
		tjDestroy(tj);
	free(rgb);
	return ret;
}

static void *produce(void *arg)
{
	struct fake *f = arg;
	struct timespec ts = { 0, FRAME_MS * 1000000L };

	for (;;) {
		unsigned char *jpeg = NULL;
		unsigned long len = 0;
		uint64_t n;

		pthread_mutex_lock(&f->lock);
		n = f->seq + 1;
		if (f->stop) {
			pthread_mutex_unlock(&f->lock);
			return NULL;
		}
		pthread_mutex_unlock(&f->lock);
		if (encode(W, H, 80, n, &jpeg, &len) == 0) {
			pthread_mutex_lock(&f->lock);
			tjFree(f->jpeg);
			f->jpeg = jpeg;
			f->jpeg_len = len;
			f->seq = n;
			pthread_cond_broadcast(&f->cond);
			pthread_mutex_unlock(&f->lock);
		}
		nanosleep(&ts, NULL);
	}
}

static int snapshot(void *ctx, const struct lumen_http_jpeg_req *req, struct lumen_buf *out)
{
	struct fake *f = ctx;
	unsigned char *jpeg = NULL;
	unsigned long len = 0;
	uint64_t n;
	int ret;

	if (req->width % 2 || req->height % 2)
		return -EINVAL;
	pthread_mutex_lock(&f->lock);
	n = f->seq;
	pthread_mutex_unlock(&f->lock);
	ret = encode(req->width ? req->width : W, req->height ? req->height : H,
		     req->quality ? req->quality : 80, n, &jpeg, &len);
	if (!ret)
		ret = lumen_buf_append(out, jpeg, len);
	tjFree(jpeg);
	return ret;
}

static int next_jpeg(void *ctx, uint64_t *seq, int timeout_ms, struct lumen_buf *out)
{
	struct fake *f = ctx;
	struct timespec until;
	int ret = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)timeout_ms * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&f->lock);
	while (f->seq <= *seq && !ret)
		ret = pthread_cond_timedwait(&f->cond, &f->lock, &until);
	if (f->seq > *seq && f->jpeg) {
		ret = lumen_buf_append(out, f->jpeg, f->jpeg_len);
		*seq = f->seq;
	} else {
		ret = -ETIMEDOUT;
	}
	pthread_mutex_unlock(&f->lock);
	return ret;
}

static double uptime(struct fake *f)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - f->start.tv_sec) + (now.tv_nsec - f->start.tv_nsec) / 1e9;
}

static int status(void *ctx, struct lumen_buf *out)
{
	struct fake *f = ctx;
	uint64_t n;

	pthread_mutex_lock(&f->lock);
	n = f->seq;
	pthread_mutex_unlock(&f->lock);
	lumen_buf_printf(out, "{\"uptime_s\":%.3f,\"board\":\"test-board\",\"sensor\":\"fake\","
			 "\"stages\":[", uptime(f));
	for (int i = 0; i < NSTAGES; i++) {
		lumen_buf_printf(out, "%s{\"name\":", i ? "," : "");
		lumen_buf_json_string(out, stage_names[i]);
		lumen_buf_printf(out, ",\"frames_in\":%llu,\"frames_out\":%llu,\"drops\":%d,"
				 "\"errors\":0,\"fps\":%.1f}",
				 (unsigned long long)(i ? n : 0), (unsigned long long)n,
				 i == 5 ? 1 : 0, 1000.0 / FRAME_MS);
	}
	lumen_buf_printf(out, "],\"streams\":[{\"name\":\"ch0\",\"width\":%d,\"height\":%d,"
			 "\"clients\":0}],\"aaa\":{\"ae\":{\"converged\":true},"
			 "\"awb\":{\"gains\":[1.9,1,1.4]}},\"config_changes\":{\"live\":%d,"
			 "\"restart\":%d}}", W, H, f->live_changes, f->restart_changes);
	return out->failed ? -ENOMEM : 0;
}

static int metrics(void *ctx, struct lumen_metrics *w)
{
	struct fake *f = ctx;
	char labels[64];
	uint64_t n;

	pthread_mutex_lock(&f->lock);
	n = f->seq;
	pthread_mutex_unlock(&f->lock);
	for (int i = 0; i < NSTAGES; i++) {
		snprintf(labels, sizeof(labels), "stage=\"%s\"", stage_names[i]);
		lumen_metrics_counter(w, "lumen_stage_frames_out_total",
				      "Frames a stage passed on", labels, n);
	}
	for (int i = 0; i < NSTAGES; i++) {
		snprintf(labels, sizeof(labels), "stage=\"%s\"", stage_names[i]);
		lumen_metrics_counter(w, "lumen_stage_drops_total", "Frames a stage dropped",
				      labels, i == 5);
	}
	lumen_metrics_gauge(w, "lumen_channel_fps", "Frames per second of a channel",
			    "channel=\"0\"", 1000.0 / FRAME_MS);
	lumen_metrics_gauge(w, "lumen_uptime_seconds", "Time since start", NULL, uptime(f));
	return 0;
}

static void config_changed(void *ctx, const struct lumen_config *cfg, const char *const *keys,
			   size_t n, int restart)
{
	struct fake *f = ctx;

	(void)cfg;
	(void)keys;
	(void)n;
	pthread_mutex_lock(&f->lock);
	if (restart)
		f->restart_changes++;
	else
		f->live_changes++;
	pthread_mutex_unlock(&f->lock);
}

static const struct lumen_http_ops ops = {
	.snapshot = snapshot,
	.next_jpeg = next_jpeg,
	.status = status,
	.metrics = metrics,
	.config_changed = config_changed,
};

int main(int argc, char **argv)
{
	static struct fake f = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
	struct lumen_config cfg;
	struct lumen_http_params p = { 0 };
	struct lumen_http *h;
	struct timespec t0, t1;
	sigset_t set;
	char err[256];
	int sig, ret;

	if (argc < 2) {
		fprintf(stderr, "usage: http_serve_test CONFIG.yaml [--user U --password P]\n");
		return 2;
	}
	ret = lumen_config_load(argv[1], &cfg, err, sizeof(err));
	if (ret == -ENOENT)
		lumen_config_defaults(&cfg);
	else if (ret) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* --user U --password P: the credentials, as lumen passwd makes them */
	if (argc == 6 && !strcmp(argv[2], "--user") && !strcmp(argv[4], "--password")) {
		if (lumen_digest_make_creds(argv[3], argv[5], &cfg.auth)) {
			fprintf(stderr, "bad --user or --password\n");
			return 2;
		}
	} else if (argc != 2) {
		fprintf(stderr, "usage: http_serve_test CONFIG.yaml [--user U --password P]\n");
		return 2;
	}
	/* signals go to sigwait below, not to the server's threads */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_cond_init(&f.cond, NULL);	/* CLOCK_REALTIME, as next_jpeg */
	clock_gettime(CLOCK_MONOTONIC, &f.start);
	if (pthread_create(&f.thread, NULL, produce, &f))
		return 1;
	p.bind = "127.0.0.1";
	p.port = 0;
	p.cfg = &cfg;
	p.cfg_lock = &cfg_lock;
	p.cfg_path = argv[1];
	p.ops = &ops;
	p.ctx = &f;
	ret = lumen_http_start(&p, &h, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("port %d\n", lumen_http_port(h));
	fflush(stdout);
	sigwait(&set, &sig);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	lumen_http_stop(h);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("stopped in %ld ms\n", (long)((t1.tv_sec - t0.tv_sec) * 1000 +
					     (t1.tv_nsec - t0.tv_nsec) / 1000000));
	pthread_mutex_lock(&f.lock);
	f.stop = 1;
	pthread_mutex_unlock(&f.lock);
	pthread_join(f.thread, NULL);
	tjFree(f.jpeg);
	return 0;
}

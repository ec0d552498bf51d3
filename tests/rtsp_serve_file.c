// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Serves an Annex-B H.264 file on /ch0 through the lumen RTSP server,
 * looping at its frame rate, for the client tests (tests/rtsp_clients.sh).
 *
 *   rtsp_serve_file FILE.h264 [--fps N] [--size WxH] [--port N]
 *                   [--user U --password P] [--stall-ms N] [--seconds N]
 *                   [--max-clients N] [--max-per-ip N] [--header-ms N]
 *                   [--setup-ms N] [--session-s N] [--nonce-ttl-s N]
 *
 * Prints "port N" when listening, then runs until SIGINT/SIGTERM or
 * --seconds, and prints the server counters as "key value" lines on exit.
 * A --password without a --user is refused (exit 2), as lumen serve does.
 * Lines on stdin change the credentials while serving, from this (not the
 * server's) thread: "creds USER PASSWORD" or "nocreds"; each is answered
 * "creds ok" or "creds error" on stdout once lumen_rtsp_set_creds()
 * returned.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/rtp_h264.h"
#include "net/rtsp.h"

#define MAX_AUS 4096

struct au {
	size_t off, len;
	bool key;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static struct lumen_rtsp_server *server;

/* Reads credential commands from stdin (see the top of the file). */
static void *stdin_thread(void *arg)
{
	char line[256], user[128], pass[128];

	(void)arg;
	while (fgets(line, sizeof(line), stdin)) {
		struct lumen_digest_creds c = { 0 };
		int ok = -EINVAL;

		if (sscanf(line, "creds %127s %127s", user, pass) == 2)
			ok = lumen_digest_make_creds(user, pass, &c);
		else if (!strncmp(line, "nocreds", 7))
			ok = 0;
		if (!ok)
			ok = lumen_rtsp_set_creds(server, &c);
		printf("creds %s\n", ok ? "error" : "ok");
		fflush(stdout);
	}
	return NULL;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET))
		goto close_file;
	buf = malloc((size_t)n);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*len = (size_t)n;
close_file:
	fclose(f);
	return buf;
}

/* Splits the stream into access units (H.264 7.4.1.2.3): a new AU starts
 * at an AUD, SPS, PPS or SEI after a picture's slices, or at a slice with
 * first_mb_in_slice == 0 after a picture's slices. */
static int split_aus(const uint8_t *buf, size_t len, struct au *aus, int max)
{
	static struct lumen_nal nals[1 << 16];
	int n = lumen_h264_split_annexb(buf, len, nals, 1 << 16), naus = 0;
	bool have_vcl = false;

	if (n <= 0)
		return -EBADMSG;
	for (int i = 0; i < n; i++) {
		unsigned t = nals[i].data[0] & 0x1F;
		bool vcl = t == 1 || t == 5;
		bool starts = !naus ||
			(have_vcl && (t == 9 || t == 7 || t == 8 || t == 6 ||
				      (vcl && nals[i].len > 1 && (nals[i].data[1] & 0x80))));
		/* the AU owns the bytes from its first NAL's start code */
		size_t begin = (size_t)(nals[i].data - buf) - 3;

		while (begin > 0 && buf[begin - 1] == 0)
			begin--;
		if (starts) {
			if (naus == max)
				return -E2BIG;
			if (naus)
				aus[naus - 1].len = begin - aus[naus - 1].off;
			aus[naus].off = begin;
			aus[naus].key = false;
			naus++;
			have_vcl = false;
		}
		if (vcl)
			have_vcl = true;
		if (t == 5)
			aus[naus - 1].key = true;
	}
	aus[naus - 1].len = len - aus[naus - 1].off;
	return naus;
}

static int64_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void print_stats(struct lumen_rtsp_server *s)
{
	static struct lumen_rtsp_stats st;

	lumen_rtsp_stats(s, &st);
	printf("connections %llu\nrequests %llu\ndropped_clients %llu\n"
	       "timeouts %llu\nauth_failures %llu\nevicted %llu\nrefused %llu\n",
	       (unsigned long long)st.connections, (unsigned long long)st.requests,
	       (unsigned long long)st.dropped_clients,
	       (unsigned long long)st.timeouts,
	       (unsigned long long)st.auth_failures,
	       (unsigned long long)st.evicted, (unsigned long long)st.refused);
	for (int i = 0; i < LUMEN_RTSP_NSTATUS; i++)
		if (st.responses[i])
			printf("status_%d %llu\n", lumen_rtsp_status_codes[i],
			       (unsigned long long)st.responses[i]);
	printf("ch0_aus %llu\nch0_packets %llu\nch0_packets_sent %llu\n"
	       "ch0_drops %llu\nch0_dropped_clients %llu\nch0_latency_max_us %lld\n",
	       (unsigned long long)st.ch[0].aus, (unsigned long long)st.ch[0].packets,
	       (unsigned long long)st.ch[0].packets_sent,
	       (unsigned long long)st.ch[0].drops,
	       (unsigned long long)st.ch[0].dropped_clients,
	       (long long)(st.ch[0].latency_ns_max / 1000));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct lumen_rtsp_config cfg = { .nchannels = 1 };
	struct lumen_rtsp_server *s;
	const char *user = NULL, *password = NULL;
	static struct au aus[MAX_AUS];
	pthread_t reader;
	unsigned fps = 25, w = 640, h = 360, seconds = 0;
	int64_t t0, next;
	uint64_t frame = 0;
	char err[256];
	uint8_t *buf;
	size_t len;
	int naus;

	if (argc < 2) {
		fprintf(stderr, "usage: rtsp_serve_file FILE.h264 [--fps N] [--size WxH] "
			"[--port N] [--user U --password P] [--stall-ms N] [--seconds N]\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--fps"))
			fps = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--size"))
			sscanf(argv[i + 1], "%ux%u", &w, &h);
		else if (!strcmp(argv[i], "--port"))
			cfg.port = (uint16_t)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--user"))
			user = argv[i + 1];
		else if (!strcmp(argv[i], "--password"))
			password = argv[i + 1];
		else if (!strcmp(argv[i], "--max-clients"))
			cfg.max_clients = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--max-per-ip"))
			cfg.max_per_ip = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--header-ms"))
			cfg.header_timeout_ms = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--setup-ms"))
			cfg.setup_timeout_ms = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--session-s"))
			cfg.session_timeout_s = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--nonce-ttl-s"))
			cfg.nonce_ttl_s = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--stall-ms"))
			cfg.stall_timeout_ms = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = (unsigned)atoi(argv[i + 1]);
		else {
			fprintf(stderr, "rtsp_serve_file: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (!fps)
		fps = 25;
	if ((user || password) &&
	    lumen_digest_make_creds(user ? user : "", password ? password : "", &cfg.creds)) {
		fprintf(stderr, "rtsp_serve_file: --user and --password go together\n");
		return 2;
	}
	buf = read_file(argv[1], &len);
	if (!buf) {
		fprintf(stderr, "rtsp_serve_file: %s: cannot read\n", argv[1]);
		return 1;
	}
	naus = split_aus(buf, len, aus, MAX_AUS);
	if (naus <= 0) {
		fprintf(stderr, "rtsp_serve_file: %s: no H.264 access units\n", argv[1]);
		return 1;
	}
	cfg.ch[0] = (struct lumen_rtsp_channel_config){ w, h, fps, 1, 0, 4096 };
	s = lumen_rtsp_create(&cfg, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "rtsp_serve_file: %s\n", err);
		return 1;
	}
	if (lumen_rtsp_start(s)) {
		fprintf(stderr, "rtsp_serve_file: cannot start the server thread\n");
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	server = s;
	printf("port %u\naus %d\n", lumen_rtsp_port(s), naus);
	fflush(stdout);
	if (pthread_create(&reader, NULL, stdin_thread, NULL) == 0)
		pthread_detach(reader);

	t0 = next = mono();
	while (!stop_flag && (!seconds || mono() - t0 < (int64_t)seconds * 1000000000)) {
		const struct au *a = &aus[frame % (uint64_t)naus];
		struct timespec ts;
		int ret;

		ret = lumen_rtsp_push(s, 0, buf + a->off, a->len,
				      frame * 90000 / fps, a->key, mono());
		if (ret)
			fprintf(stderr, "rtsp_serve_file: AU %llu: push: %s\n",
				(unsigned long long)frame, strerror(-ret));
		frame++;
		next += 1000000000 / fps;
		ts.tv_sec = (time_t)(next / 1000000000);
		ts.tv_nsec = (long)(next % 1000000000);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR &&
		       !stop_flag)
			;
	}
	print_stats(s);
	lumen_rtsp_destroy(s);
	free(buf);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The virtual board end to end (issue 3): each shipped board streams clean
 * frames; each injected fault shows the symptoms real hardware shows
 * (counters, errors, what a bus scan finds), never a label; start/stop
 * cycles keep the accounting and leak nothing (ASan in CI); and the whole
 * chain with 3A renders the built-in chart within ΔE00 3 of its reference,
 * with the convergence after a light step and an illuminant change printed.
 *
 * Suite 'heavy': full-size frames through the ISP (seconds per frame under
 * qemu-user).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend/virtual.h"
#include "board/board.h"
#include "calib/colour.h"
#include "i2c/i2c.h"
#include "pipeline/control.h"
#include "pipeline/pipeline.h"
#include "sensor/sensor.h"
#include "virt/scene.h"
#include "testutil.h"

#define MAX_STAGES 24

/* ISP tuning of the pipeline under test (the tests run one at a time) */
static struct lumen_control_tuning tuning;

static const char *const boards[] = {
	"imou-bullet3", "t31-sc2336", "pinephone-pro-rear",
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The board file as `lumen run` loads it; @b must outlive the source.
 * @lockstep: emulated time at the pipeline's pace (see virtual.h). */
static struct lumen_source *make_source_scene(const char *name, uint32_t faults,
					      bool lockstep,
					      enum lumen_scene_kind scene,
					      struct lumen_board *b)
{
	struct lumen_board_opts opts = { .sensor_known = lumen_sensor_known };
	struct lumen_virtual_config vc;
	struct lumen_source *src = NULL;
	char err[512];
	int ret;

	ret = lumen_board_load_ex(name, &opts, b, err, sizeof(err));
	if (ret)
		fail_msg("board %s: %s", name, err);
	lumen_virtual_config_from_board(b, &vc);
	vc.faults = faults;
	vc.lockstep = lockstep;
	vc.scene.kind = scene;
	ret = lumen_virtual_source_create(&vc, &src, err, sizeof(err));
	if (ret)
		fail_msg("board %s: %s", name, err);
	return src;
}

static struct lumen_source *make_source_ex(const char *name, uint32_t faults,
					   bool lockstep, struct lumen_board *b)
{
	return make_source_scene(name, faults, lockstep, LUMEN_SCENE_CHART, b);
}

static struct lumen_source *make_source(const char *name, uint32_t faults,
					struct lumen_board *b)
{
	return make_source_ex(name, faults, false, b);
}

static int read_status(struct lumen_source *src, struct lumen_stage_status *st)
{
	return src->ops->status(src, st, MAX_STAGES);
}

static const struct lumen_stage_status *
stage(const struct lumen_stage_status *st, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(st[i].name, name))
			return &st[i];
	fail_msg("no stage '%s' in the status", name);
	return NULL;
}

static int64_t extra(const struct lumen_stage_status *st, int n,
		     const char *name, const char *key)
{
	const struct lumen_stage_status *s = stage(st, n, name);
	int64_t v = lumen_status_get(s, key, INT64_MIN);

	if (v == INT64_MIN)
		fail_msg("stage '%s' has no counter '%s'", name, key);
	return v;
}

/* Waits until the sensor has sent @frames frames over the link (the
 * hardware thread's own count), or fails after @timeout_ms. */
static void wait_link_frames(struct lumen_source *src, uint64_t frames,
			     int timeout_ms)
{
	struct lumen_stage_status st[MAX_STAGES];
	int64_t end = mono_ns() + (int64_t)timeout_ms * 1000000;

	for (;;) {
		int n = read_status(src, st);

		if (stage(st, n, "link")->frames_out >= frames)
			return;
		if (mono_ns() > end)
			fail_msg("link sent only %llu of %llu frames in %d ms",
				 (unsigned long long)stage(st, n, "link")->frames_out,
				 (unsigned long long)frames, timeout_ms);
		sleep_ms(10);
	}
}

static uint64_t pad_bursts(const struct lumen_stage_status *st, int n, int pad)
{
	char key[32];

	snprintf(key, sizeof(key), "pad%d_hs_bursts", pad);
	return (uint64_t)extra(st, n, "link", key);
}

/* ---- healthy boards ------------------------------------------------------ */

static void healthy_boards_stream_clean_frames(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(boards) / sizeof(boards[0]); i++) {
		struct lumen_stage_status st[MAX_STAGES];
		struct lumen_board b;
		struct lumen_source *src = make_source(boards[i], 0, &b);
		const struct lumen_sensor_mode *m = &lumen_sensor_find(b.sensor)->modes[0];
		int n, got = 0;

		assert_int_equal(src->ops->start(src), 0);
		assert_string_equal(src->failed_stage, "");
		for (int k = 0; k < 20 && got < 3; k++) {
			struct lumen_capture_info ci;
			struct lumen_frame *f;
			int err = src->ops->dequeue(src, &f, &ci, 2000);

			if (err == -ETIMEDOUT)
				continue;
			assert_int_equal(err, 0);
			assert_int_equal(f->width, m->width);
			assert_int_equal(f->height, m->height);
			assert_int_equal(f->bits, m->bits);
			assert_int_equal(f->black[0], lumen_sensor_find(b.sensor)->black_level);
			assert_true(ci.exposure_lines > 0 && ci.gain_q8 >= 256);
			src->ops->release(src, f);
			got++;
		}
		n = read_status(src, st);
		src->ops->stop(src);
		printf("%s: %d frames of %dx%d, receiver ok %llu, ecc %lld/%lld, crc %lld\n",
		       boards[i], got, m->width, m->height,
		       (unsigned long long)stage(st, n, "receiver")->frames_out,
		       (long long)extra(st, n, "receiver", "ecc_corrected"),
		       (long long)extra(st, n, "receiver", "ecc_uncorrectable"),
		       (long long)extra(st, n, "receiver", "crc_errors"));
		assert_int_equal(got, 3);
		assert_true(stage(st, n, "receiver")->frames_out >= 3);
		assert_int_equal(stage(st, n, "receiver")->errors, 0);
		assert_int_equal(extra(st, n, "receiver", "ecc_corrected"), 0);
		assert_int_equal(extra(st, n, "receiver", "ecc_uncorrectable"), 0);
		assert_int_equal(extra(st, n, "receiver", "crc_errors"), 0);
		assert_int_equal(extra(st, n, "receiver", "sot_errors"), 0);
		assert_int_equal(extra(st, n, "receiver", "cur_w"), m->width);
		assert_int_equal(extra(st, n, "receiver", "cur_h"), m->height);
		assert_int_equal(stage(st, n, "i2c")->errors, 0);
		assert_int_equal(extra(st, n, "vif", "unmask_failures"), 0);
		/* the configured pad is the only one with traffic */
		for (int p = 0; p < 4; p++) {
			char key[32];

			snprintf(key, sizeof(key), "pad%d_hs_bursts", p);
			if (p == b.pad)
				assert_true(pad_bursts(st, n, p) > 0);
			else
				assert_int_equal(lumen_status_get(stage(st, n, "link"),
								  key, 0), 0);
		}
		src->ops->destroy(src);
	}
}

/* ---- faults -------------------------------------------------------------- */

static void fault_lanes(void **state)
{
	struct lumen_stage_status st[MAX_STAGES];
	struct lumen_capture_info ci;
	struct lumen_frame *f;
	struct lumen_board b;
	struct lumen_source *src;
	int n;

	(void)state;
	src = make_source("imou-bullet3", 1u << LUMEN_FAULT_LANES, &b);
	assert_int_equal(src->ops->start(src), 0);	/* nothing refuses it */
	wait_link_frames(src, 3, 10000);
	assert_int_equal(src->ops->dequeue(src, &f, &ci, 200), -ETIMEDOUT);
	n = read_status(src, st);
	src->ops->stop(src);
	printf("lanes: receiver lanes %lld (sensor %d): ecc uncorrectable %lld, "
	       "sot %lld, frames ok %llu\n",
	       (long long)extra(st, n, "receiver", "lanes"), b.lanes,
	       (long long)extra(st, n, "receiver", "ecc_uncorrectable"),
	       (long long)extra(st, n, "receiver", "sot_errors"),
	       (unsigned long long)stage(st, n, "receiver")->frames_out);
	/* the bursts arrive where they should, but decode to garbage */
	assert_true(pad_bursts(st, n, b.pad) > 0);
	assert_true(extra(st, n, "receiver", "lanes") != b.lanes);
	assert_true(extra(st, n, "receiver", "ecc_uncorrectable") +
		    extra(st, n, "receiver", "sot_errors") > 0);
	assert_int_equal(stage(st, n, "receiver")->frames_out, 0);
	assert_int_equal(stage(st, n, "dma")->frames_out, 0);
	assert_int_equal(stage(st, n, "i2c")->errors, 0);
	src->ops->destroy(src);
}

static void fault_pad(void **state)
{
	struct lumen_stage_status st[MAX_STAGES];
	struct lumen_board b;
	struct lumen_source *src;
	uint64_t elsewhere = 0;
	int n;

	(void)state;
	src = make_source("imou-bullet3", 1u << LUMEN_FAULT_PAD, &b);
	assert_int_equal(src->ops->start(src), 0);
	wait_link_frames(src, 3, 10000);
	n = read_status(src, st);
	src->ops->stop(src);
	for (int p = 0; p < 4; p++)
		if (p != b.pad)
			elsewhere += pad_bursts(st, n, p);
	printf("pad: bursts on pad %d: %llu, on other pads: %llu, frame_start %lld\n",
	       b.pad, (unsigned long long)pad_bursts(st, n, b.pad),
	       (unsigned long long)elsewhere,
	       (long long)extra(st, n, "receiver", "frame_start"));
	assert_int_equal(pad_bursts(st, n, b.pad), 0);
	assert_true(elsewhere > 0);
	assert_int_equal(extra(st, n, "receiver", "configured"), 1);
	assert_int_equal(extra(st, n, "receiver", "frame_start"), 0);
	assert_int_equal(stage(st, n, "receiver")->errors, 0);
	assert_int_equal(stage(st, n, "dma")->frames_out, 0);
	/* the sensor itself is fine: it streams */
	assert_int_equal(extra(st, n, "sensor", "stream_reg"), 1);
	src->ops->destroy(src);
}

/* Addresses 0x08..0x77 where the chip ID of @info reads back correctly. */
static int scan_bus(struct lumen_i2c_bus *bus,
		    const struct lumen_sensor_info *info, uint16_t *found,
		    int *answered)
{
	int nfound = 0;

	*answered = 0;
	for (uint16_t a = 0x08; a <= 0x77; a++) {
		uint16_t id = 0;

		if (lumen_sensor_read_chip_id(bus, a, info, &id) == 0) {
			(*answered)++;
			if (id == info->chip_id)
				found[nfound++] = a;
		}
	}
	return nfound;
}

/* A silent sensor: NACK at the configured address, stage i2c, the text
 * names bus, address and register. */
static void assert_start_nacks(struct lumen_source *src,
			       const struct lumen_board *b)
{
	struct lumen_stage_status st[MAX_STAGES];
	char want[64];
	int n;

	assert_int_equal(src->ops->start(src), -ENXIO);
	printf("  start: stage '%s': %s\n", src->failed_stage, src->error);
	assert_string_equal(src->failed_stage, "i2c");
	snprintf(want, sizeof(want), "i2c-%d addr 0x%02x reg 0x", b->i2c_bus,
		 b->i2c_addr);
	assert_non_null(strstr(src->error, want));
	n = read_status(src, st);
	assert_true(extra(st, n, "i2c", "nacks") > 0);
	assert_int_equal(extra(st, n, "sensor", "stream_reg"), 0);
	for (int p = 0; p < 4; p++)
		assert_int_equal(pad_bursts(st, n, p), 0);
}

static void fault_mclk(void **state)
{
	struct lumen_board b;
	struct lumen_source *src;
	uint16_t found[8];
	int answered;

	(void)state;
	src = make_source("imou-bullet3", 1u << LUMEN_FAULT_MCLK, &b);
	printf("mclk:\n");
	assert_start_nacks(src, &b);
	/* powered as the board runs it (no clock): nobody answers anywhere */
	assert_int_equal(lumen_virtual_source_power(src, true), 0);
	assert_int_equal(scan_bus(lumen_virtual_source_bus(src),
				  lumen_sensor_find(b.sensor), found, &answered), 0);
	printf("  scan 0x08..0x77: %d devices answer\n", answered);
	assert_int_equal(answered, 0);
	lumen_virtual_source_power(src, false);
	src->ops->destroy(src);
}

static void fault_i2c_addr(void **state)
{
	const struct lumen_sensor_info *info;
	struct lumen_board b;
	struct lumen_source *src;
	uint16_t found[8], id = 0;
	int answered, nfound;

	(void)state;
	src = make_source("imou-bullet3", 1u << LUMEN_FAULT_I2C_ADDR, &b);
	info = lumen_sensor_find(b.sensor);
	printf("i2c-addr:\n");
	assert_start_nacks(src, &b);
	assert_int_equal(lumen_virtual_source_power(src, true), 0);
	nfound = scan_bus(lumen_virtual_source_bus(src), info, found, &answered);
	printf("  scan 0x08..0x77: %d answer, chip ID 0x%04x at", answered,
	       info->chip_id);
	for (int i = 0; i < nfound; i++)
		printf(" 0x%02x", found[i]);
	printf("\n");
	assert_int_equal(answered, 1);
	assert_int_equal(nfound, 1);
	assert_int_not_equal(found[0], b.i2c_addr);
	assert_int_equal(lumen_sensor_read_chip_id(lumen_virtual_source_bus(src),
						   found[0], info, &id), 0);
	assert_int_equal(id, info->chip_id);
	assert_int_equal(lumen_sensor_read_chip_id(lumen_virtual_source_bus(src),
						   b.i2c_addr, info, &id), -ENXIO);
	lumen_virtual_source_power(src, false);
	src->ops->destroy(src);
}

static void fault_no_stream(void **state)
{
	struct lumen_stage_status st[MAX_STAGES];
	struct lumen_capture_info ci;
	struct lumen_frame *f;
	struct lumen_board b;
	struct lumen_source *src;
	uint32_t v = 0xff;
	int n;

	(void)state;
	src = make_source("imou-bullet3", 1u << LUMEN_FAULT_NO_STREAM, &b);
	assert_int_equal(src->ops->start(src), 0);
	assert_int_equal(src->ops->dequeue(src, &f, &ci, 500), -ETIMEDOUT);
	/* the driver would read what the chip really has (source stopped
	 * nothing yet: the bus is ours while no pipeline runs) */
	assert_int_equal(lumen_sensor_read(lumen_virtual_source_sensor(src),
					   0x0100, &v), 0);
	n = read_status(src, st);
	src->ops->stop(src);
	printf("no-stream: stream register 0x0100 = %u, bursts on pad %d: %llu, "
	       "sensor frames %llu\n", v, b.pad,
	       (unsigned long long)pad_bursts(st, n, b.pad),
	       (unsigned long long)stage(st, n, "sensor")->frames_out);
	assert_int_equal(v, 0);
	for (int p = 0; p < 4; p++)
		assert_int_equal(pad_bursts(st, n, p), 0);
	assert_int_equal(stage(st, n, "sensor")->frames_out, 0);
	assert_int_equal(stage(st, n, "i2c")->errors, 0);
	assert_int_equal(extra(st, n, "receiver", "configured"), 1);
	assert_int_equal(extra(st, n, "vif", "unmask_failures"), 0);
	src->ops->destroy(src);
}

static void fault_link_noise(void **state)
{
	struct lumen_stage_status st[MAX_STAGES];
	struct lumen_board b;
	struct lumen_source *src;
	int n, got = 0;

	(void)state;
	src = make_source("imou-bullet3", 1u << LUMEN_FAULT_LINK_NOISE, &b);
	assert_int_equal(src->ops->start(src), 0);
	for (int k = 0; k < 40 && got < 8; k++) {
		struct lumen_capture_info ci;
		struct lumen_frame *f;

		if (src->ops->dequeue(src, &f, &ci, 1000))
			continue;
		src->ops->release(src, f);
		got++;
	}
	n = read_status(src, st);
	src->ops->stop(src);
	printf("link-noise: %d frames delivered; sent %llu, ecc corrected %lld, "
	       "uncorrectable %lld, crc errors %lld, receiver drops %llu\n", got,
	       (unsigned long long)stage(st, n, "link")->frames_out,
	       (long long)extra(st, n, "receiver", "ecc_corrected"),
	       (long long)extra(st, n, "receiver", "ecc_uncorrectable"),
	       (long long)extra(st, n, "receiver", "crc_errors"),
	       (unsigned long long)stage(st, n, "receiver")->drops);
	assert_int_equal(got, 8);
	assert_true(extra(st, n, "receiver", "ecc_corrected") +
		    extra(st, n, "receiver", "crc_errors") > 0);
	/* a frame with a CRC error is dropped, never delivered */
	assert_true(stage(st, n, "receiver")->drops >=
		    (uint64_t)extra(st, n, "receiver", "crc_errors") ||
		    extra(st, n, "receiver", "crc_errors") == 0);
	src->ops->destroy(src);
}

static void fault_receiver_unconfigured(void **state)
{
	struct lumen_stage_status st[MAX_STAGES];
	struct lumen_capture_info ci;
	struct lumen_frame *f;
	struct lumen_board b;
	struct lumen_source *src;
	int n;

	(void)state;
	src = make_source("imou-bullet3", 1u << LUMEN_FAULT_RECEIVER_UNCONFIGURED,
			  &b);
	assert_int_equal(src->ops->start(src), 0);	/* vendor code carries on */
	wait_link_frames(src, 3, 10000);
	assert_int_equal(src->ops->dequeue(src, &f, &ci, 200), -ETIMEDOUT);
	n = read_status(src, st);
	src->ops->stop(src);
	printf("receiver-unconfigured: unclaimed bursts %lld, vif unmask failures "
	       "%lld, masked %lld\n",
	       (long long)extra(st, n, "receiver", "unclaimed_bursts"),
	       (long long)extra(st, n, "vif", "unmask_failures"),
	       (long long)extra(st, n, "vif", "masked"));
	assert_int_equal(extra(st, n, "receiver", "configured"), 0);
	assert_true(extra(st, n, "receiver", "unclaimed_bursts") > 0);
	assert_int_equal(extra(st, n, "vif", "unmask_failures"), 1);
	assert_int_equal(extra(st, n, "vif", "masked"), 1);
	assert_int_equal(stage(st, n, "receiver")->frames_out, 0);
	assert_int_equal(stage(st, n, "dma")->frames_out, 0);
	src->ops->destroy(src);
}

static void fault_few_buffers(void **state)
{
	struct lumen_stage_status st[MAX_STAGES];
	struct lumen_capture_info ci;
	struct lumen_frame *f, *g;
	struct lumen_board b;
	struct lumen_source *src;
	uint64_t sent;
	int n;

	(void)state;
	src = make_source("imou-bullet3", 1u << LUMEN_FAULT_FEW_BUFFERS, &b);
	assert_int_equal(src->ops->start(src), 0);
	assert_int_equal(src->ops->dequeue(src, &f, &ci, 3000), 0);
	/* the consumer works on the only buffer while the sensor goes on */
	n = read_status(src, st);
	sent = stage(st, n, "link")->frames_out;
	wait_link_frames(src, sent + 3, 10000);
	assert_int_equal(src->ops->dequeue(src, &g, &ci, 0), -ETIMEDOUT);
	n = read_status(src, st);
	src->ops->release(src, f);
	assert_int_equal(src->ops->dequeue(src, &g, &ci, 3000), 0);
	src->ops->release(src, g);
	src->ops->stop(src);
	printf("few-buffers: buffers %lld, dma delivered %llu, dropped %llu while "
	       "the consumer held the buffer\n",
	       (long long)extra(st, n, "dma", "buffers"),
	       (unsigned long long)stage(st, n, "dma")->frames_out,
	       (unsigned long long)stage(st, n, "dma")->drops);
	assert_int_equal(extra(st, n, "dma", "buffers"), 1);
	assert_int_equal(extra(st, n, "dma", "in_flight"), 1);
	assert_true(stage(st, n, "dma")->drops >= 2);
	/* upstream is healthy: the loss is the DMA's alone */
	assert_int_equal(stage(st, n, "receiver")->errors, 0);
	assert_true(stage(st, n, "vif")->frames_out >= sent + 2);
	src->ops->destroy(src);
}

/* ---- pipeline helpers ---------------------------------------------------- */

struct counting_sink {
	pthread_mutex_t lock;
	int frames;
};

static int count_consume(void *opaque, const struct lumen_frame *f,
			 const struct lumen_frame_info *info)
{
	struct counting_sink *c = opaque;

	(void)f;
	(void)info;
	pthread_mutex_lock(&c->lock);
	c->frames++;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

static const struct lumen_sink_ops count_ops = { .consume = count_consume };

static int sink_frames(struct counting_sink *c)
{
	int n;

	pthread_mutex_lock(&c->lock);
	n = c->frames;
	pthread_mutex_unlock(&c->lock);
	return n;
}

static void fault_stalled_consumer(void **state)
{
	struct lumen_stage_status st[MAX_STAGES];
	struct lumen_pipeline_config pc = { 0 };
	struct counting_sink normal = { .frames = 0 }, stalled = { .frames = 0 };
	struct lumen_pipeline *pl;
	struct lumen_board b;
	struct lumen_source *src;
	const struct lumen_stage_status *out, *stream;
	int n, k_out, k_stream;
	int64_t end;
	uint64_t drops_before;

	(void)state;
	pthread_mutex_init(&normal.lock, NULL);
	pthread_mutex_init(&stalled.lock, NULL);
	src = make_source("imou-bullet3", 1u << LUMEN_FAULT_STALLED_CONSUMER, &b);
	pc.source = src;
	lumen_control_isp_defaults(b.sensor, &pc.isp, &tuning, NULL, 0);
	assert_int_equal(lumen_pipeline_create(&pc, &pl), 0);
	k_out = lumen_pipeline_add_sink(pl, "output", &count_ops, &normal, 4, 0);
	k_stream = lumen_pipeline_add_sink(pl, "stream", &count_ops, &stalled, 2, 0);
	assert_true(k_out >= 0 && k_stream >= 0);
	/* stalled from the start (lumen run stalls it just after start, so
	 * there it may take a frame or two first) */
	lumen_pipeline_stall_sink(pl, k_stream, true);
	assert_int_equal(lumen_pipeline_start(pl), 0);

	/* the stalled queue (depth 2) fills, then that sink drops */
	end = mono_ns() + 60 * 1000000000LL;
	while (sink_frames(&normal) < 5 && mono_ns() < end) {
		assert_int_equal(lumen_pipeline_check_accounting(pl), 0);
		sleep_ms(50);
	}
	n = lumen_pipeline_status(pl, st, MAX_STAGES);
	drops_before = stage(st, n, "stream")->drops;
	int before = sink_frames(&normal);

	while (sink_frames(&normal) < before + 2 && mono_ns() < end) {
		assert_int_equal(lumen_pipeline_check_accounting(pl), 0);
		sleep_ms(50);
	}
	n = lumen_pipeline_status(pl, st, MAX_STAGES);
	out = stage(st, n, "output");
	stream = stage(st, n, "stream");
	printf("stalled-consumer: output got %llu (dropped %llu), stalled stream "
	       "got %d, dropped %llu -> %llu, queued %lld\n",
	       (unsigned long long)out->frames_out,
	       (unsigned long long)out->drops, sink_frames(&stalled),
	       (unsigned long long)drops_before,
	       (unsigned long long)stream->drops,
	       (long long)lumen_status_get(stream, "queued", -1));
	assert_true(sink_frames(&normal) >= 7);
	assert_int_equal(out->drops, 0);
	assert_int_equal(sink_frames(&stalled), 0);
	assert_true(drops_before >= 1);
	assert_true(stream->drops > drops_before);
	assert_int_equal(lumen_status_get(stream, "queued", -1), 2);
	assert_int_equal(lumen_pipeline_check_accounting(pl), 0);
	lumen_pipeline_stop(pl);
	assert_int_equal(lumen_pipeline_check_accounting(pl), 0);
	lumen_pipeline_destroy(pl);
	src->ops->destroy(src);
	pthread_mutex_destroy(&normal.lock);
	pthread_mutex_destroy(&stalled.lock);
}

/* ---- start/stop cycles --------------------------------------------------- */

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : def;
}

static void source_start_stop_cycles(void **state)
{
	struct lumen_stage_status st[MAX_STAGES];
	struct lumen_board b;
	struct lumen_source *src;
	int cycles = env_int("LUMEN_VB_CYCLES", 1000), n;
	int64_t t0;
	uint64_t frames = 0;

	(void)state;
	src = make_source("imou-bullet3", 0, &b);
	t0 = mono_ns();
	for (int i = 0; i < cycles; i++) {
		assert_int_equal(src->ops->start(src), 0);
		/* every 100th cycle: a frame through, held across the stop */
		if (i % 100 == 99) {
			struct lumen_capture_info ci;
			struct lumen_frame *f;

			assert_int_equal(src->ops->dequeue(src, &f, &ci, 3000), 0);
			src->ops->release(src, f);
			frames++;
		}
		src->ops->stop(src);
	}
	n = read_status(src, st);
	printf("source_cycles: %d start/stop cycles in %.1f s, %llu frames "
	       "dequeued on the way\n", cycles, (double)(mono_ns() - t0) / 1e9,
	       (unsigned long long)frames);
	/* everything back: no buffer held, sensor off, nothing streaming */
	assert_int_equal(extra(st, n, "dma", "in_flight"), 0);
	assert_int_equal(extra(st, n, "power", "powered"), 0);
	assert_int_equal(extra(st, n, "sensor", "stream_reg"), 0);
	assert_int_equal(stage(st, n, "i2c")->errors, 0);
	src->ops->destroy(src);
}

static void pipeline_start_stop_cycles(void **state)
{
	struct lumen_pipeline_config pc = { 0 };
	struct counting_sink c = { .frames = 0 };
	struct lumen_control *ctl;
	struct lumen_pipeline *pl;
	struct lumen_board b;
	struct lumen_source *src;
	int cycles = env_int("LUMEN_VB_PIPELINE_CYCLES", 100), k;
	int64_t t0;

	(void)state;
	pthread_mutex_init(&c.lock, NULL);
	src = make_source("imou-bullet3", 0, &b);
	assert_int_equal(lumen_control_create(src, &ctl), 0);
	pc.source = src;
	pc.control = lumen_control_frame;
	pc.control_opaque = ctl;
	lumen_control_isp_defaults(b.sensor, &pc.isp, &tuning, NULL, 0);
	assert_int_equal(lumen_pipeline_create(&pc, &pl), 0);
	k = lumen_pipeline_add_sink(pl, "output", &count_ops, &c, 2, 0);
	assert_true(k >= 0);
	t0 = mono_ns();
	for (int i = 0; i < cycles; i++) {
		assert_int_equal(lumen_pipeline_start(pl), 0);
		/* every 10th cycle: wait for a frame to reach the sink, so stop
		 * meets frames in every stage */
		if (i % 10 == 9) {
			int want = sink_frames(&c) + 1;
			int64_t end = mono_ns() + 30 * 1000000000LL;

			while (sink_frames(&c) < want && mono_ns() < end)
				sleep_ms(5);
			assert_true(sink_frames(&c) >= want);
		}
		assert_int_equal(lumen_pipeline_check_accounting(pl), 0);
		lumen_pipeline_stop(pl);
		assert_int_equal(lumen_pipeline_check_accounting(pl), 0);
	}
	printf("pipeline_cycles: %d start/stop cycles in %.1f s, %d frames to "
	       "the sink\n", cycles, (double)(mono_ns() - t0) / 1e9,
	       sink_frames(&c));
	lumen_pipeline_destroy(pl);
	lumen_control_destroy(ctl);
	src->ops->destroy(src);
	pthread_mutex_destroy(&c.lock);
}

/* ---- bad input ----------------------------------------------------------- */

static void bad_board_and_unknown_sensor(void **state)
{
	struct lumen_board_opts opts = { .sensor_known = lumen_sensor_known };
	struct lumen_virtual_config vc;
	struct lumen_source *src = NULL;
	struct lumen_board b;
	char path[] = "/tmp/lumen-vb-XXXXXX.yaml", err[512];
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("name: broken\nsoc: ssc377\nsensor: ov9999\ni2c: { bus: 1, addr: 0x30 }\n"
	      "lanes: 2\nmclk_hz: 27000000\n", f);
	fclose(f);
	assert_int_equal(lumen_board_load_ex(path, &opts, &b, err, sizeof(err)),
			 -EINVAL);
	printf("bad board: %s\n", err);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, ":3:"));
	assert_non_null(strstr(err, "sensor"));
	unlink(path);

	/* a config naming a driver lumen does not have */
	memset(&vc, 0, sizeof(vc));
	vc.soc = "ssc377";
	vc.sensor = "ov9999";
	vc.lanes = 2;
	assert_int_equal(lumen_virtual_source_create(&vc, &src, err, sizeof(err)),
			 -ENOENT);
	assert_null(src);
	assert_non_null(strstr(err, "unknown sensor 'ov9999'"));
	vc.sensor = "sc4336p";
	vc.soc = "ssc999";
	assert_int_equal(lumen_virtual_source_create(&vc, &src, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "ssc999"));
}

/* ---- colour and 3A through the whole chain -------------------------------- */

/* 3A hook wrapper: the real control, plus a per-frame record for the test. */
struct rec {
	int64_t capture_ns;
	double ae_error;
	bool ae_conv, awb_conv, awb_valid;
	float r_gain, b_gain;
	uint32_t lines, gain_q8;	/* what the frame was captured with */
	uint32_t req_lines, req_gain_q8;	/* what AE asked for after it */
};

#define MAX_RECS 512

struct probe {
	struct lumen_control *ctl;
	pthread_mutex_t lock;
	struct rec rec[MAX_RECS];
	int n;
};

static void probe_frame(void *opaque, struct lumen_pipeline *pl,
			const struct lumen_isp_stats *stats,
			const struct lumen_capture_info *cap,
			struct lumen_isp_params *params,
			struct lumen_frame_info *info)
{
	struct probe *p = opaque;
	struct lumen_control_state s;

	lumen_control_frame(p->ctl, pl, stats, cap, params, info);
	lumen_control_get(p->ctl, &s);
	pthread_mutex_lock(&p->lock);
	if (p->n < MAX_RECS) {
		struct rec *r = &p->rec[p->n++];

		r->capture_ns = info->capture_ns;
		r->ae_error = s.ae.error;
		r->ae_conv = s.ae.converged;
		r->awb_conv = s.awb.converged;
		r->awb_valid = s.awb.valid;
		r->r_gain = s.awb.r_gain;
		r->b_gain = s.awb.b_gain;
		r->lines = cap->exposure_lines;
		r->gain_q8 = cap->gain_q8;
		r->req_lines = s.ae.request.lines;
		r->req_gain_q8 = s.ae.request.gain_q8;
	}
	pthread_mutex_unlock(&p->lock);
}

static int probe_count(struct probe *p)
{
	int n;

	pthread_mutex_lock(&p->lock);
	n = p->n;
	pthread_mutex_unlock(&p->lock);
	return n;
}

static struct rec probe_get(struct probe *p, int i)
{
	struct rec r;

	pthread_mutex_lock(&p->lock);
	r = p->rec[i];
	pthread_mutex_unlock(&p->lock);
	return r;
}

/* Keeps a copy of one RGB24 frame on request. */
struct grab {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool want, have;
	uint64_t min_sequence;
	uint8_t *rgb;
	int w, h;
};

static int grab_consume(void *opaque, const struct lumen_frame *f,
			const struct lumen_frame_info *info)
{
	struct grab *g = opaque;

	pthread_mutex_lock(&g->lock);
	if (g->want && info->sequence >= g->min_sequence) {
		for (int y = 0; y < f->height; y++)
			memcpy(g->rgb + (size_t)y * f->width * 3,
			       f->data[0] + (size_t)y * f->stride[0],
			       (size_t)f->width * 3);
		g->want = false;
		g->have = true;
		pthread_cond_broadcast(&g->cond);
	}
	pthread_mutex_unlock(&g->lock);
	return 0;
}

static const struct lumen_sink_ops grab_ops = { .consume = grab_consume };

/* Waits for the first record after index @from (captured at or after
 * @since_ns) that satisfies @ok; returns how many records captured at or
 * after @since_ns it took (1 = the first), or -1 after @max of them. */
static int frames_until(struct probe *p, int64_t since_ns, int max,
			bool (*ok)(const struct rec *r), int *first_index,
			int timeout_s)
{
	int64_t end = mono_ns() + (int64_t)timeout_s * 1000000000LL;
	int seen = 0, i = 0;

	*first_index = -1;
	while (mono_ns() < end) {
		int n = probe_count(p);

		for (; i < n; i++) {
			struct rec r = probe_get(p, i);

			if (r.capture_ns < since_ns)
				continue;
			if (*first_index < 0)
				*first_index = i;
			seen++;
			if (ok(&r))
				return seen;
			if (seen >= max)
				return -1;
		}
		sleep_ms(20);
	}
	return -1;
}

static bool both_converged(const struct rec *r)
{
	return r->ae_conv && r->awb_conv && fabs(r->ae_error) <= 0.10;
}

static bool ae_within_10(const struct rec *r)
{
	return fabs(r->ae_error) <= 0.10;
}

/* Frames captured at or after @since_ns until the AWB reports converged
 * again after having left convergence (the change was seen and absorbed);
 * -1 when that takes more than @max frames. */
static int awb_settle(struct probe *p, int64_t since_ns, int max,
		      int timeout_s)
{
	int64_t end = mono_ns() + (int64_t)timeout_s * 1000000000LL;
	int seen = 0, i = 0;
	bool moved = false;

	while (mono_ns() < end && seen < max) {
		struct rec r;

		if (i >= probe_count(p)) {
			sleep_ms(20);
			continue;
		}
		r = probe_get(p, i++);
		if (r.capture_ns < since_ns)
			continue;
		seen++;
		if (!r.awb_conv)
			moved = true;
		else if (moved)
			return seen;
	}
	return -1;
}

/* Mean ΔE00 of the chart in @g against the scene's truth, after one
 * least-squares exposure scale on the six neutrals in linear light. */
static void chart_delta_e(const struct grab *g, double *mean, double *max,
			  double *scale, int *worst)
{
	double truth[24][3], meas[24][3], num = 0, den = 0;
	int rects[24][4];

	lumen_scene_chart_truth(truth);
	lumen_scene_chart_layout(g->w, g->h, rects);
	for (int p = 0; p < 24; p++) {
		int x0 = rects[p][0] + (int)(0.2 * rects[p][2]);
		int y0 = rects[p][1] + (int)(0.2 * rects[p][3]);
		int x1 = rects[p][0] + rects[p][2] - (int)(0.2 * rects[p][2]);
		int y1 = rects[p][1] + rects[p][3] - (int)(0.2 * rects[p][3]);
		double sum[3] = { 0, 0, 0 };
		long cnt = 0;

		for (int y = y0; y < y1; y++)
			for (int x = x0; x < x1; x++) {
				const uint8_t *px = g->rgb + ((size_t)y * g->w + x) * 3;

				for (int c = 0; c < 3; c++)
					sum[c] += lumen_srgb_to_linear(px[c] / 255.0);
				cnt++;
			}
		for (int c = 0; c < 3; c++)
			meas[p][c] = sum[c] / (double)cnt;
	}
	/* patches 19..24 (0-based 18..23) are the neutral row */
	for (int p = 18; p < 24; p++)
		for (int c = 0; c < 3; c++) {
			num += truth[p][c] * meas[p][c];
			den += meas[p][c] * meas[p][c];
		}
	*scale = den > 0 ? num / den : 1;
	*mean = 0;
	*max = 0;
	*worst = 0;
	for (int p = 0; p < 24; p++) {
		double m[3], lm[3], lt[3], de;

		for (int c = 0; c < 3; c++)
			m[c] = meas[p][c] * *scale;
		lumen_linsrgb_to_lab(m, lm);
		lumen_linsrgb_to_lab(truth[p], lt);
		de = lumen_ciede2000(lm, lt);
		*mean += de / 24;
		if (de > *max) {
			*max = de;
			*worst = p + 1;
		}
	}
}

/* Takes one frame into @g after the next @skip frames the control saw. */
static bool grab_after(struct grab *g, struct probe *pr, int skip)
{
	pthread_mutex_lock(&g->lock);
	g->have = false;
	g->min_sequence = (uint64_t)probe_count(pr) + (uint64_t)skip;
	g->want = true;
	while (!g->have) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 60;
		if (pthread_cond_timedwait(&g->cond, &g->lock, &ts))
			break;
	}
	pthread_mutex_unlock(&g->lock);
	return g->have;
}

/* Mean green of a 64x64 block of @g whose top-left corner is at fractions
 * @fx, @fy of the free range. */
static double block_green(const struct grab *g, double fx, double fy)
{
	int x0 = (int)(fx * (g->w - 64)), y0 = (int)(fy * (g->h - 64));
	double sum = 0;

	for (int y = y0; y < y0 + 64; y++)
		for (int x = x0; x < x0 + 64; x++)
			sum += g->rgb[((size_t)y * g->w + x) * 3 + 1];
	return sum / (64 * 64);
}

/* Worst of the four corner blocks relative to the centre block. */
static double corner_ratio(const struct grab *g)
{
	double c = block_green(g, 0.5, 0.5), worst = 1.0;
	static const double at[4][2] = { { 0, 0 }, { 1, 0 }, { 0, 1 }, { 1, 1 } };

	for (int i = 0; i < 4; i++) {
		double r = block_green(g, at[i][0], at[i][1]) / c;

		if (fabs(r - 1) > fabs(worst - 1))
			worst = r;
	}
	return worst;
}

/* A lockstep virtual board streaming RGB24 through the pipeline with the
 * sensor's tuning, 3A recorded by a probe and frames grabbed on request. */
struct rig {
	struct lumen_board b;
	struct lumen_source *src;
	struct lumen_pipeline *pl;
	struct probe pr;
	struct grab g;
};

static void rig_start(struct rig *r, const char *board, enum lumen_scene_kind kind)
{
	struct lumen_pipeline_config pc = { 0 };

	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->pr.lock, NULL);
	pthread_mutex_init(&r->g.lock, NULL);
	pthread_cond_init(&r->g.cond, NULL);
	/* lockstep: the ISP here is far slower than the sensor; counting
	 * frames means counting the frames the sensor made */
	r->src = make_source_scene(board, 0, true, kind, &r->b);
	r->g.w = r->src->width;
	r->g.h = r->src->height;
	r->g.rgb = malloc((size_t)r->g.w * r->g.h * 3);
	assert_non_null(r->g.rgb);
	assert_int_equal(lumen_control_create(r->src, &r->pr.ctl), 0);
	pc.source = r->src;
	pc.out_fmt = LUMEN_PIX_RGB24;
	pc.out_buffers = 3;
	pc.control = probe_frame;
	pc.control_opaque = &r->pr;
	/* the sensor's tuning file (measured with lumen calibrate) */
	assert_int_equal(lumen_control_isp_defaults(r->b.sensor, &pc.isp, &tuning,
						    NULL, 0), 0);
	assert_true(pc.isp.contrast == 0);	/* plain sRGB curve */
	assert_non_null(pc.isp.lsc);		/* each board's lens is shaded */
	assert_int_equal(lumen_pipeline_create(&pc, &r->pl), 0);
	assert_true(lumen_pipeline_add_sink(r->pl, "grab", &grab_ops, &r->g, 1, 0) >= 0);
	assert_int_equal(lumen_pipeline_start(r->pl), 0);
}

static void rig_stop(struct rig *r)
{
	assert_int_equal(lumen_pipeline_check_accounting(r->pl), 0);
	lumen_pipeline_stop(r->pl);
	assert_int_equal(lumen_pipeline_check_accounting(r->pl), 0);
	lumen_pipeline_destroy(r->pl);
	lumen_control_destroy(r->pr.ctl);
	r->src->ops->destroy(r->src);
	free(r->g.rgb);
	pthread_cond_destroy(&r->g.cond);
	pthread_mutex_destroy(&r->g.lock);
	pthread_mutex_destroy(&r->pr.lock);
}

static void chart_colour_and_3a(const char *board)
{
	static const double white_a[3] = { 1.09850, 1.0, 0.35585 };
	static struct rig rig;
	struct lumen_control_state cs;
	struct probe *pr = &rig.pr;
	struct lumen_scene *scene;
	double mean, max, scale;
	int first, n, worst, ae_frames, awb_frames;
	struct rec before, r0;
	int64_t t;

	rig_start(&rig, board, LUMEN_SCENE_CHART);
	scene = lumen_virtual_source_scene(rig.src);

	/* 1. converge, then take a frame */
	n = frames_until(pr, 0, 40, both_converged, &first, 300);
	lumen_control_get(pr->ctl, &cs);
	printf("%s: 3A converged after %d frames (ae error %+.1f%%, exposure "
	       "%.2f ms, gain %.2fx; awb R %.3f B %.3f)\n", board, n,
	       cs.ae.error * 100, cs.ae.exposure_s * 1e3, cs.ae.gain,
	       cs.awb.r_gain, cs.awb.b_gain);
	assert_true(n > 0);
	assert_true(grab_after(&rig.g, pr, 1));
	chart_delta_e(&rig.g, &mean, &max, &scale, &worst);
	printf("%s: chart dE00 mean %.2f max %.2f (patch %d), exposure scale on "
	       "the neutrals %.3f\n", board, mean, max, worst, scale);

	/* 2. four stops darker while streaming */
	lumen_scene_set_light(scene, lumen_scene_get_light(scene) / 16);
	t = mono_ns();
	ae_frames = frames_until(pr, t, 30, ae_within_10, &first, 300);
	assert_true(first >= 0);
	r0 = probe_get(pr, first);
	printf("%s: ae_step_frames: %d (first frame after the step: error "
	       "%+.1f%%)\n", board, ae_frames, r0.ae_error * 100);
	printf("%s: ae error per frame after the step:", board);
	for (int i = first; i < first + ae_frames && ae_frames > 0; i++) {
		struct rec r = probe_get(pr, i);

		printf(" %+.0f%% (%u/%u -> %u/%u)", r.ae_error * 100, r.lines,
		       r.gain_q8, r.req_lines, r.req_gain_q8);
	}
	printf("\n");
	assert_true(r0.ae_error < -0.5);	/* the step was seen */
	assert_true(ae_frames > 0);

	/* 3. daylight -> CIE A (grey world is broken by nothing here, but
	 * the gains must move a long way) */
	before = probe_get(pr, probe_count(pr) - 1);
	lumen_scene_set_illuminant(scene, white_a);
	t = mono_ns();
	awb_frames = awb_settle(pr, t, 30, 300);
	lumen_control_get(pr->ctl, &cs);
	printf("%s: awb_settle_frames: %d (gains R %.3f B %.3f -> R %.3f B %.3f)\n",
	       board, awb_frames, before.r_gain, before.b_gain, cs.awb.r_gain,
	       cs.awb.b_gain);
	assert_true(awb_frames > 0);
	/* tungsten: much less blue, more red than daylight */
	assert_true(cs.awb.b_gain > 1.5 * before.b_gain);
	assert_true(cs.awb.r_gain < before.r_gain);

	rig_stop(&rig);
	assert_true(mean <= 3.0);
}

/*
 * The emulated lens shades the corners (0.55 of the centre's light for the
 * imou board's sensor); the lens-shading grid that `lumen calibrate --flat`
 * measured on the same board's flat field, in the sensor's tuning file,
 * must make a flat field flat again in the live pipeline. Without the grid
 * (the parameters changed while streaming) the corners are dark again.
 */
static void flat_field_lens_shading(void **state)
{
	static struct rig rig;
	struct lumen_isp_params ip;
	double with_grid, without;
	int first;

	(void)state;
	rig_start(&rig, "imou-bullet3", LUMEN_SCENE_FLAT);
	assert_true(frames_until(&rig.pr, 0, 40, both_converged, &first, 300) > 0);
	assert_true(grab_after(&rig.g, &rig.pr, 1));
	with_grid = corner_ratio(&rig.g);

	lumen_pipeline_get_isp_params(rig.pl, &ip);
	ip.lsc = NULL;
	lumen_pipeline_set_isp_params(rig.pl, &ip);
	assert_true(grab_after(&rig.g, &rig.pr, 3));
	without = corner_ratio(&rig.g);
	printf("flat field, worst corner / centre (green, sRGB codes): %.3f with "
	       "the tuning's lens-shading grid, %.3f without\n", with_grid, without);
	rig_stop(&rig);
	assert_true(fabs(with_grid - 1) < 0.04);
	assert_true(without < 0.85);
}

static void chart_imou(void **state)
{
	(void)state;
	chart_colour_and_3a("imou-bullet3");
}

static void chart_t31(void **state)
{
	(void)state;
	chart_colour_and_3a("t31-sc2336");
}

static void chart_pinephone(void **state)
{
	(void)state;
	chart_colour_and_3a("pinephone-pro-rear");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthy_boards_stream_clean_frames),
		cmocka_unit_test(fault_lanes),
		cmocka_unit_test(fault_pad),
		cmocka_unit_test(fault_mclk),
		cmocka_unit_test(fault_i2c_addr),
		cmocka_unit_test(fault_no_stream),
		cmocka_unit_test(fault_link_noise),
		cmocka_unit_test(fault_receiver_unconfigured),
		cmocka_unit_test(fault_few_buffers),
		cmocka_unit_test(fault_stalled_consumer),
		cmocka_unit_test(bad_board_and_unknown_sensor),
		cmocka_unit_test(source_start_stop_cycles),
		cmocka_unit_test(pipeline_start_stop_cycles),
		cmocka_unit_test(flat_field_lens_shading),
		cmocka_unit_test(chart_imou),
		cmocka_unit_test(chart_t31),
		cmocka_unit_test(chart_pinephone),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* LUMEN_TEST_ONLY='fault_*' runs a subset (testutil.h) */
	return lumen_test_run_group(tests, NULL, NULL);
}

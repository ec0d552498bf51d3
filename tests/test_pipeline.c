// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pipeline runtime against a synthetic source (a Bayer ramp that moves
 * one step per frame, from a fixed pool, paced like a sensor): frames reach
 * every sink in order, a stalled sink loses frames at its own queue while
 * the others keep their rate, accounting holds throughout, and start/stop
 * cycles are clean (run under ASan in CI to catch leaks).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core/pool.h"
#include "pipeline/pipeline.h"
#include "testutil.h"

struct synth {
	struct lumen_source src;
	struct lumen_pool pool;
	int64_t period_ns, next_ns;
	uint64_t seq;
	int starts, stops;
	uint32_t exposure, gain;
	int fail_start;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int synth_start(struct lumen_source *src)
{
	struct synth *s = src->priv;

	if (s->fail_start) {
		snprintf(src->error, sizeof(src->error), "sensor did not answer");
		return -ENXIO;
	}
	s->starts++;
	s->next_ns = mono_ns();
	return 0;
}

static void synth_stop(struct lumen_source *src)
{
	((struct synth *)src->priv)->stops++;
}

static int synth_dequeue(struct lumen_source *src, struct lumen_frame **out,
			 struct lumen_capture_info *info, int timeout_ms)
{
	struct synth *s = src->priv;
	int64_t now = mono_ns();
	struct lumen_frame *f;

	if (s->next_ns - now > (int64_t)timeout_ms * 1000000)
		return -ETIMEDOUT;
	if (s->next_ns > now) {
		struct timespec ts = { 0, (long)(s->next_ns - now) };

		nanosleep(&ts, NULL);
	}
	s->next_ns += s->period_ns;
	f = lumen_pool_get(&s->pool);
	if (!f)
		return -ENOBUFS;
	for (int y = 0; y < f->height; y++) {
		uint16_t *row = (uint16_t *)(void *)(f->data[0] + y * f->stride[0]);

		for (int x = 0; x < f->width; x++)
			row[x] = (uint16_t)(64 + ((x + y + s->seq) % 900));
	}
	f->bayer = LUMEN_BAYER_RGGB;
	f->bits = 10;
	for (int i = 0; i < 4; i++)
		f->black[i] = 64;
	f->white = 1023;
	f->timestamp_ns = mono_ns();
	f->sequence = ++s->seq;
	*out = f;
	info->exposure_lines = s->exposure;
	info->gain_q8 = s->gain;
	return 0;
}

static void synth_release(struct lumen_source *src, struct lumen_frame *f)
{
	struct synth *s = src->priv;

	assert_int_equal(lumen_pool_put(&s->pool, f), 0);
}

static const struct lumen_source_ops synth_ops = {
	.name = "synthetic",
	.start = synth_start,
	.stop = synth_stop,
	.dequeue = synth_dequeue,
	.release = synth_release,
};

static void synth_init(struct synth *s, int w, int h, double fps)
{
	memset(s, 0, sizeof(*s));
	assert_int_equal(lumen_pool_init(&s->pool, 3, LUMEN_PIX_BAYER16, w, h), 0);
	s->src.ops = &synth_ops;
	s->src.priv = s;
	s->src.width = w;
	s->src.height = h;
	s->src.fmt = LUMEN_PIX_BAYER16;
	s->period_ns = (int64_t)(1e9 / fps);
	s->exposure = 100;
	s->gain = 256;
}

struct counting_sink {
	pthread_mutex_t lock;
	uint64_t frames, last_seq, out_of_order;
	int w, h;
	double mean_y;
};

static int count_consume(void *opaque, const struct lumen_frame *f,
			 const struct lumen_frame_info *info)
{
	struct counting_sink *c = opaque;
	uint64_t sum = 0;

	for (int x = 0; x < f->width; x++)
		sum += f->data[0][(f->height / 2) * f->stride[0] + x];
	pthread_mutex_lock(&c->lock);
	if (info->sequence <= c->last_seq)
		c->out_of_order++;
	c->last_seq = info->sequence;
	c->frames++;
	c->w = f->width;
	c->h = f->height;
	c->mean_y = (double)sum / f->width;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

static const struct lumen_sink_ops count_ops = { .consume = count_consume };

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void frames_flow_to_every_sink(void **state)
{
	struct synth s;
	struct lumen_pipeline_config cfg = { 0 };
	struct lumen_pipeline *pl;
	struct counting_sink a = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct counting_sink b = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct lumen_stage_status st[8];
	int n;

	(void)state;
	synth_init(&s, 128, 96, 100);
	cfg.source = &s.src;
	lumen_isp_params_default(&cfg.isp);
	assert_int_equal(lumen_pipeline_create(&cfg, &pl), 0);
	assert_int_equal(lumen_pipeline_add_sink(pl, "a", &count_ops, &a, 2, 0), 0);
	/* b is thinned to 25 fps out of 100 */
	assert_int_equal(lumen_pipeline_add_sink(pl, "b", &count_ops, &b, 2, 25), 1);
	assert_int_equal(lumen_pipeline_start(pl), 0);
	sleep_ms(500);
	lumen_pipeline_stop(pl);

	assert_true(a.frames >= 30);
	assert_int_equal(a.out_of_order, 0);
	assert_int_equal(a.w, 128);
	assert_int_equal(a.h, 96);
	/* the ISP made a picture: not black, not clipped */
	assert_true(a.mean_y > 20 && a.mean_y < 235);
	/* thinning: about a quarter of a's frames */
	assert_true(b.frames * 3 < a.frames && b.frames * 6 > a.frames);

	n = lumen_pipeline_status(pl, st, 8);
	assert_int_equal(n, 3);
	assert_string_equal(st[0].name, "isp");
	assert_true(st[0].frames_out >= a.frames);
	assert_string_equal(st[1].name, "a");
	assert_int_equal(st[1].frames_out, a.frames);
	assert_true(lumen_status_get(&st[2], "skipped", -1) > 0);
	assert_int_equal(lumen_pipeline_check_accounting(pl), 0);
	lumen_pipeline_destroy(pl);
	lumen_pool_destroy(&s.pool);
}

/* Waits (bounded) until @c has seen more than @n frames. */
/* Waits until the sink got more than @n frames: up to 5 s, 60 s under
 * emulation (the quality demosaic and the DPC's C code are 50-200x slower
 * in qemu-user). Returns the count it saw. */
static uint64_t wait_frames(struct counting_sink *c, uint64_t n)
{
	const int tries = lumen_test_emulated() ? 6000 : 500;
	uint64_t got = 0;

	for (int i = 0; i < tries; i++) {
		pthread_mutex_lock(&c->lock);
		got = c->frames;
		pthread_mutex_unlock(&c->lock);
		if (got > n)
			break;
		sleep_ms(10);
	}
	return got;
}

/*
 * The demosaic method switched live, fast -> ri -> quality -> ri -> fast:
 * the ri and quality methods' larger scratch is allocated by the thread that sets the
 * parameters and handed to the ISP thread (under TSan in CI: the hand-over
 * is race-free); frames keep flowing through every switch.
 */
static void demosaic_switch_live(void **state)
{
	struct synth s;
	struct lumen_pipeline_config cfg = { 0 };
	struct lumen_pipeline *pl;
	struct counting_sink a = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct lumen_isp_params p;
	struct lumen_stage_status st[4];
	uint64_t n;

	(void)state;
	synth_init(&s, 128, 96, 100);
	cfg.source = &s.src;
	lumen_isp_params_default(&cfg.isp);
	assert_int_equal(lumen_pipeline_create(&cfg, &pl), 0);
	assert_int_equal(lumen_pipeline_add_sink(pl, "a", &count_ops, &a, 2, 0), 0);
	assert_int_equal(lumen_pipeline_start(pl), 0);
	n = wait_frames(&a, 2);
	for (int round = 0; round < 2; round++) {
		lumen_pipeline_get_isp_params(pl, &p);
		p.demosaic = LUMEN_DEMOSAIC_RI;
		lumen_pipeline_set_isp_params(pl, &p);
		n = wait_frames(&a, n + 3);
		p.demosaic = LUMEN_DEMOSAIC_QUALITY;
		lumen_pipeline_set_isp_params(pl, &p);
		n = wait_frames(&a, n + 3);
		p.demosaic = LUMEN_DEMOSAIC_RI;
		lumen_pipeline_set_isp_params(pl, &p);
		n = wait_frames(&a, n + 3);
		p.demosaic = LUMEN_DEMOSAIC_FAST;
		lumen_pipeline_set_isp_params(pl, &p);
		n = wait_frames(&a, n + 3);
	}
	lumen_pipeline_stop(pl);
	assert_true(n > 24);
	assert_int_equal(a.out_of_order, 0);
	assert_true(lumen_pipeline_status(pl, st, 4) >= 1);
	assert_int_equal(st[0].errors, 0);
	assert_int_equal(lumen_pipeline_check_accounting(pl), 0);
	lumen_pipeline_destroy(pl);
	lumen_pool_destroy(&s.pool);
}

static void stalled_sink_drops_only_itself(void **state)
{
	struct synth s;
	struct lumen_pipeline_config cfg = { 0 };
	struct lumen_pipeline *pl;
	struct counting_sink fast = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct counting_sink slow = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct lumen_stage_status st[8];
	uint64_t before, after, isp_before;

	(void)state;
	synth_init(&s, 64, 48, 100);
	cfg.source = &s.src;
	lumen_isp_params_default(&cfg.isp);
	assert_int_equal(lumen_pipeline_create(&cfg, &pl), 0);
	assert_int_equal(lumen_pipeline_add_sink(pl, "fast", &count_ops, &fast, 2, 0), 0);
	assert_int_equal(lumen_pipeline_add_sink(pl, "slow", &count_ops, &slow, 3, 0), 1);
	assert_int_equal(lumen_pipeline_start(pl), 0);
	sleep_ms(200);
	lumen_pipeline_stall_sink(pl, 1, true);
	sleep_ms(100);
	pthread_mutex_lock(&fast.lock);
	before = fast.frames;
	pthread_mutex_unlock(&fast.lock);
	lumen_pipeline_status(pl, st, 8);
	isp_before = st[0].frames_out;
	/* capture and the other sink go on (20 frames, 0.2 s at the source's
	 * pace) while the stalled sink's full queue drops: waited for as
	 * events, up to 10 s, so that a loaded machine only makes it slower */
	for (int i = 0; i < 1000; i++) {
		sleep_ms(10);
		pthread_mutex_lock(&fast.lock);
		after = fast.frames;
		pthread_mutex_unlock(&fast.lock);
		lumen_pipeline_status(pl, st, 8);
		if (after - before >= 20 && st[0].frames_out - isp_before >= 20 &&
		    st[2].drops >= 15)
			break;
	}
	assert_true(after - before >= 20);
	assert_true(st[0].frames_out - isp_before >= 20);
	assert_true(st[2].drops >= 15);
	assert_int_equal(lumen_status_get(&st[2], "queued", -1), 3);
	assert_string_equal(st[2].note, "stalled");
	assert_int_equal(lumen_pipeline_check_accounting(pl), 0);
	lumen_pipeline_stop(pl);
	assert_int_equal(lumen_pipeline_check_accounting(pl), 0);
	/* every output frame came home */
	lumen_pipeline_status(pl, st, 8);
	assert_int_equal(lumen_status_get(&st[0], "out_free", -1),
			 lumen_status_get(&st[0], "out_buffers", -2));
	lumen_pipeline_destroy(pl);
	lumen_pool_destroy(&s.pool);
}

static void failed_start_reports_source_error(void **state)
{
	struct synth s;
	struct lumen_pipeline_config cfg = { 0 };
	struct lumen_pipeline *pl;
	struct counting_sink a = { .lock = PTHREAD_MUTEX_INITIALIZER };

	(void)state;
	synth_init(&s, 64, 48, 100);
	s.fail_start = 1;
	cfg.source = &s.src;
	lumen_isp_params_default(&cfg.isp);
	assert_int_equal(lumen_pipeline_create(&cfg, &pl), 0);
	assert_int_equal(lumen_pipeline_add_sink(pl, "a", &count_ops, &a, 2, 0), 0);
	assert_int_equal(lumen_pipeline_start(pl), -ENXIO);
	assert_false(lumen_pipeline_running(pl));
	assert_string_equal(s.src.error, "sensor did not answer");
	lumen_pipeline_stop(pl);	/* harmless when not running */
	lumen_pipeline_destroy(pl);
	lumen_pool_destroy(&s.pool);
}

static void start_stop_cycles(void **state)
{
	struct synth s;
	struct lumen_pipeline_config cfg = { 0 };
	struct lumen_pipeline *pl;
	struct counting_sink a = { .lock = PTHREAD_MUTEX_INITIALIZER };
	const char *env = getenv("LUMEN_CYCLES");
	int cycles = env ? atoi(env) : 1000;

	(void)state;
	synth_init(&s, 32, 16, 5000);
	cfg.source = &s.src;
	lumen_isp_params_default(&cfg.isp);
	assert_int_equal(lumen_pipeline_create(&cfg, &pl), 0);
	assert_int_equal(lumen_pipeline_add_sink(pl, "a", &count_ops, &a, 2, 0), 0);
	for (int i = 0; i < cycles; i++) {
		assert_int_equal(lumen_pipeline_start(pl), 0);
		if (i % 100 == 0)
			sleep_ms(2);
		lumen_pipeline_stop(pl);
		assert_int_equal(lumen_pipeline_check_accounting(pl), 0);
		/* the source's pool is whole again after every stop */
		assert_int_equal(s.pool.nfree, 3);
	}
	assert_int_equal(s.starts, cycles);
	assert_int_equal(s.stops, cycles);
	assert_true(a.frames > 0);
	lumen_pipeline_destroy(pl);
	lumen_pool_destroy(&s.pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frames_flow_to_every_sink),
		cmocka_unit_test(demosaic_switch_live),
		cmocka_unit_test(stalled_sink_drops_only_itself),
		cmocka_unit_test(failed_start_reports_source_error),
		cmocka_unit_test(start_stop_cycles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

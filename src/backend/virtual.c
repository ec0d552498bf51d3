// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The virtual board source (see virtual.h). Locking: vb->lock guards the
 * frame-info ring and the hardware thread's state; the emulated sensor,
 * the SoC and the DMA queue have their own locks, and the sensor driver is
 * only used by the thread that currently owns the board (control thread in
 * start/stop, ISP thread in between).
 */
#include "backend/virtual.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board/board.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/thread.h"
#include "i2c/i2c.h"
#include "link/csi2.h"
#include "soc/refsoc.h"
#include "virt/emu_sensor.h"

static const char *const fault_names[LUMEN_FAULT_COUNT] = {
	[LUMEN_FAULT_LANES] = "lanes",
	[LUMEN_FAULT_PAD] = "pad",
	[LUMEN_FAULT_MCLK] = "mclk",
	[LUMEN_FAULT_NO_STREAM] = "no-stream",
	[LUMEN_FAULT_I2C_ADDR] = "i2c-addr",
	[LUMEN_FAULT_LINK_NOISE] = "link-noise",
	[LUMEN_FAULT_RECEIVER_UNCONFIGURED] = "receiver-unconfigured",
	[LUMEN_FAULT_FEW_BUFFERS] = "few-buffers",
	[LUMEN_FAULT_STALLED_CONSUMER] = "stalled-consumer",
};

const char *lumen_fault_name(enum lumen_fault f)
{
	return (unsigned)f < LUMEN_FAULT_COUNT ? fault_names[f] : NULL;
}

int lumen_fault_parse(const char *name, enum lumen_fault *out)
{
	for (int i = 0; i < LUMEN_FAULT_COUNT; i++)
		if (!strcmp(name, fault_names[i])) {
			*out = (enum lumen_fault)i;
			return 0;
		}
	return -EINVAL;
}

void lumen_virtual_config_from_board(const struct lumen_board *b,
				     struct lumen_virtual_config *vc)
{
	memset(vc, 0, sizeof(*vc));
	vc->soc = b->soc;
	vc->sensor = b->sensor;
	vc->i2c_bus = b->i2c_bus;
	vc->i2c_addr = b->i2c_addr;
	vc->pad = b->pad;
	vc->lanes = b->lanes;
	vc->mclk_hz = b->mclk_hz;
	vc->pre_probe = b->pre_probe;
	vc->npre_probe = b->npre_probe;
	if (b->has_crop) {
		vc->crop_x = b->crop_x;
		vc->crop_y = b->crop_y;
		vc->crop_w = b->crop_w;
		vc->crop_h = b->crop_h;
	}
	vc->buffers = b->buffers;
	vc->fps = b->fps;
	vc->scene.kind = LUMEN_SCENE_CHART;
	vc->scene.light = 1.0;
}

/* > the largest DMA pool a board may ask for (64): a frame's record is
 * still there when the consumer dequeues it */
#define INFO_RING 128
/* Rows the virtual sensor renders before its link sends them: 80 KB at
 * 2560 wide, in cache, where a whole frame would take 7.4 MB. */
#define BAND_ROWS 16

/* What the sensor did for one frame, noted before it is sent. */
struct frame_note {
	struct lumen_capture_info cap;
	int64_t start_ns;
};

struct vboard {
	struct lumen_source src;
	struct lumen_virtual_config cfg;
	struct lumen_regval *pre_probe;		/* own copy */
	const struct lumen_sensor_info *info;
	const struct lumen_sensor_mode *mode;
	const struct lumen_soc_model *soc_model;

	/* how the hardware really is */
	int wired_pad;
	uint16_t strap_addr;
	uint64_t mclk_on_hz;

	struct lumen_i2c_bus *bus;
	struct lumen_scene *scene;
	struct lumen_emu_sensor *emu;
	struct lumen_sensor sensor;
	struct lumen_soc *soc;
	bool rx_configured_by_sw;

	/* hardware thread */
	pthread_t thread;
	atomic_bool running;
	bool thread_started;
	struct lumen_frame band;		/* BAND_ROWS rows of BAYER16 */
	struct lumen_csi2_tx *tx;
	int tx_lanes;
	uint8_t tx_dt;
	int tx_width;

	pthread_mutex_t lock;
	struct frame_note ring[INFO_RING];	/* by DMA delivery index */
	uint64_t delivered_base, dequeued;	/* since the last start */
	uint64_t frames_rendered, frames_sent, tx_errors;
	atomic_bool powered;	/* read by vb_status() on any thread */
};

static void sleep_until(int64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000LL), (long)(t % 1000000000LL) };

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* (Re)creates the transmitter when the sensor's output format changes. */
static int ensure_tx(struct vboard *vb, const struct lumen_emu_output *o)
{
	struct lumen_csi2_tx_config tc = { 0 };

	if (vb->tx && vb->tx_lanes == o->lanes && vb->tx_dt == o->dt &&
	    vb->tx_width >= o->width)
		return 0;
	lumen_csi2_tx_destroy(vb->tx);
	vb->tx = NULL;
	tc.nlanes = o->lanes;
	tc.vc = 0;
	tc.dt = o->dt;
	tc.max_width = o->width;
	tc.line_sync = false;
	tc.faults.truncate_line = -1;
	if (vb->cfg.faults & (1u << LUMEN_FAULT_LINK_NOISE)) {
		/* a marginal link: a few header bits per frame flip (ECC fixes
		 * nearly all of them) and about one payload bit per frame, so
		 * some frames fail their CRC and are dropped */
		tc.faults.seed = vb->cfg.seed ? vb->cfg.seed : 1;
		tc.faults.header_bit_prob = 2e-4;
		tc.faults.payload_bit_prob = 1.0 /
			((double)o->width * o->height * o->bits);
	}
	vb->tx_lanes = o->lanes;
	vb->tx_dt = o->dt;
	vb->tx_width = o->width;
	return lumen_csi2_tx_create(&tc, &vb->tx);
}

/* Lockstep mode: waits (up to 10 ms) for an empty DMA queue with a free
 * buffer; false when there is none yet or the board is stopping. */
static bool consumer_ready(struct vboard *vb)
{
	for (int i = 0; i < 10 && atomic_load(&vb->running); i++) {
		struct lumen_soc_dma_counters dc;
		struct timespec ts = { 0, 1000000L };

		if (lumen_soc_dma_counters(vb->soc, 0, &dc) == 0 &&
		    dc.queued == 0 && dc.free > 0)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* Rows [@y, @y + BAND_ROWS) of the frame (fewer at its end) into @view,
 * a window of vb->band. */
static int render_band(struct vboard *vb, const struct lumen_emu_frame *fr,
		       int y, struct lumen_frame *view)
{
	int rows = fr->height - y < BAND_ROWS ? fr->height - y : BAND_ROWS;

	if (lumen_frame_crop(&vb->band, 0, 0, fr->width, rows, view))
		return -EINVAL;
	return lumen_emu_sensor_frame_rows(vb->emu, fr, y, view);
}

/* Sends the frame whose first band is in @view, rendering the others as
 * the link takes them: as a sensor reads out, no whole frame is held. */
static int send_bands(struct vboard *vb, const struct lumen_emu_frame *fr,
		      struct lumen_frame *view)
{
	int err = lumen_csi2_tx_frame_start(vb->tx, lumen_soc_burst_cb,
					    lumen_soc_pad_sink(vb->soc,
							       vb->wired_pad));

	for (int y = 0; !err && y < fr->height; y += BAND_ROWS) {
		if (y)
			err = render_band(vb, fr, y, view);
		if (!err)
			err = lumen_csi2_tx_rows(vb->tx, view);
	}
	/* ended even after an error: the receiver sees a short frame */
	if (lumen_csi2_tx_frame_end(vb->tx) && !err)
		err = -EIO;
	return err;
}

/* The sensor and its wires: renders at the frame period, sends bursts to
 * the pad it is really wired to, notes what each delivered frame had. */
static void *hardware_main(void *arg)
{
	struct vboard *vb = arg;
	int64_t next = lumen_now_ns();

	lumen_thread_name("sensor-virt", NULL);
	while (atomic_load(&vb->running)) {
		struct lumen_emu_output o;
		struct lumen_soc_dma_counters dc;
		struct lumen_emu_frame fr;
		struct lumen_frame view;
		double period;
		struct frame_note *note;
		int64_t t_start;
		int err;

		lumen_emu_sensor_output(vb->emu, &o);
		if (!o.streaming) {
			next = lumen_now_ns() + 10000000LL;
			sleep_until(next);
			continue;
		}
		period = vb->cfg.fps > 0 ? 1.0 / vb->cfg.fps : o.frame_period_s;
		if (o.frame_period_s > period)
			period = o.frame_period_s;
		sleep_until(next);
		if (vb->cfg.lockstep && !consumer_ready(vb))
			continue;
		next += (int64_t)(period * 1e9);
		if (next < lumen_now_ns())	/* rendering is slower than the sensor */
			next = lumen_now_ns();

		/* frame start: the frame shows the scene as it is from here */
		t_start = lumen_now_ns();
		if (lumen_emu_sensor_begin_frame(vb->emu, &fr))
			continue;
		if (fr.width != o.width || fr.height != o.height ||
		    fr.width > vb->band.width)
			continue;	/* the mode changed since the output was read */
		/* the first band before anything goes out: a frame that cannot
		 * be rendered (no memory for the mean plane) is not started */
		if (render_band(vb, &fr, 0, &view))
			continue;
		/* note the frame under the delivery index it will have if the
		 * DMA takes it (a dropped frame's note is overwritten by the
		 * next): the consumer may dequeue it before the transmit call
		 * returns */
		lumen_soc_dma_counters(vb->soc, 0, &dc);
		pthread_mutex_lock(&vb->lock);
		note = &vb->ring[dc.delivered % INFO_RING];
		note->cap.exposure_lines = o.exposure_lines;
		note->cap.gain_q8 = (uint32_t)(o.analog_gain * o.digital_gain *
					       256 + 0.5);
		note->cap.line_time_s = lumen_sensor_line_time(&vb->sensor);
		note->start_ns = t_start;
		pthread_mutex_unlock(&vb->lock);
		err = ensure_tx(vb, &o);
		if (!err)
			err = send_bands(vb, &fr, &view);
		pthread_mutex_lock(&vb->lock);
		vb->frames_rendered++;
		if (err)
			vb->tx_errors++;
		else
			vb->frames_sent++;
		pthread_mutex_unlock(&vb->lock);
	}
	return NULL;
}

static int fail(struct vboard *vb, const char *stage, int err,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct vboard *vb, const char *stage, int err,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vb->src.error, sizeof(vb->src.error), fmt, ap);
	va_end(ap);
	snprintf(vb->src.failed_stage, sizeof(vb->src.failed_stage), "%s",
		 stage);
	lumen_err("%s", vb->src.error);
	return err;
}

static void vb_stop(struct lumen_source *src)
{
	struct vboard *vb = src->priv;

	if (vb->thread_started) {
		atomic_store(&vb->running, false);
		pthread_join(vb->thread, NULL);
		vb->thread_started = false;
	}
	if (vb->sensor.streaming)
		lumen_sensor_stream(&vb->sensor, false);
	lumen_soc_vif_mask(vb->soc, 0);
	lumen_soc_rx_unconfigure(vb->soc, vb->cfg.pad);
	lumen_emu_sensor_set_power(vb->emu, false, 0);
	vb->powered = false;
}

static int vb_start(struct lumen_source *src)
{
	struct vboard *vb = src->priv;
	const struct lumen_virtual_config *c = &vb->cfg;
	struct lumen_soc_rx_config rc = { 0 };
	struct lumen_soc_vif_config vc = { 0 };
	struct lumen_soc_dma_counters dc;
	char msg[200];
	int err;

	vb->src.error[0] = 0;
	vb->src.failed_stage[0] = 0;

	/* rails up, reset released, MCLK as the clock tree really runs it */
	lumen_emu_sensor_set_power(vb->emu, true, vb->mclk_on_hz);
	vb->powered = true;

	lumen_sensor_bind(&vb->sensor, vb->info, vb->bus, c->i2c_addr);
	if (vb->pre_probe) {
		err = lumen_sensor_write_table(&vb->sensor, vb->pre_probe,
					       c->npre_probe);
		if (err) {
			err = fail(vb, "i2c", err, "board pre-probe writes: %s",
				   vb->bus->last_error);
			goto power_off;
		}
	}
	err = lumen_sensor_probe(&vb->sensor);
	if (err) {
		err = fail(vb, err == -ENODEV ? "sensor" : "i2c", err,
			   "%s probe: %s", vb->info->name, vb->bus->last_error);
		goto power_off;
	}
	err = lumen_sensor_init(&vb->sensor, vb->mode);
	if (err) {
		err = fail(vb, "sensor", err, "%s init %s: %s", vb->info->name,
			   vb->mode->name, vb->bus->last_error);
		goto power_off;
	}
	if (c->fps > 0) {
		double vts = (double)vb->mode->pclk_hz /
			((double)vb->mode->hts * c->fps);

		if (vts > vb->mode->vts)
			lumen_sensor_set_vts(&vb->sensor, (uint32_t)(vts + 0.5));
	}

	/* software's view: the receiver of the board file's pad */
	if (!(c->faults & (1u << LUMEN_FAULT_RECEIVER_UNCONFIGURED))) {
		rc.lanes = c->lanes;
		if (c->faults & (1u << LUMEN_FAULT_LANES))
			rc.lanes = c->lanes > 1 ? c->lanes / 2 : 2;
		rc.vc = 0;
		rc.dt = vb->mode->csi_dt;
		rc.width = vb->mode->width;
		rc.height = vb->mode->height;
		rc.bayer = vb->mode->bayer;
		err = lumen_soc_rx_configure(vb->soc, c->pad, &rc, msg, sizeof(msg));
		if (err) {
			err = fail(vb, "receiver", err, "%s", msg);
			goto stop_sensor;
		}
	}
	vc.pad = c->pad;
	vc.in_width = vb->mode->width;
	vc.in_height = vb->mode->height;
	vc.crop_x = c->crop_x;
	vc.crop_y = c->crop_y;
	vc.crop_w = vb->src.width;
	vc.crop_h = vb->src.height;
	err = lumen_soc_vif_configure(vb->soc, 0, &vc, msg, sizeof(msg));
	if (err) {
		err = fail(vb, "vif", err, "%s", msg);
		goto unconfigure_rx;
	}
	err = lumen_soc_dma_configure(vb->soc, 0, c->buffers, msg, sizeof(msg));
	if (err) {
		err = fail(vb, "dma", err, "%s", msg);
		goto unconfigure_rx;
	}
	/* the DMA queue is FIFO: the n-th frame dequeued from now on is
	 * delivery number base + n */
	lumen_soc_dma_counters(vb->soc, 0, &dc);
	pthread_mutex_lock(&vb->lock);
	vb->delivered_base = dc.delivered;
	vb->dequeued = 0;
	pthread_mutex_unlock(&vb->lock);
	/* vendor streamers log a refused unmask and carry on: so do we, and
	 * the counters show the rest */
	err = lumen_soc_vif_unmask(vb->soc, 0, msg, sizeof(msg));
	if (err < 0 && err != -EIO)	/* -EIO: the VIF logged it itself */
		lumen_warn("%s", msg);

	if (!(c->faults & (1u << LUMEN_FAULT_NO_STREAM))) {
		err = lumen_sensor_stream(&vb->sensor, true);
		if (err) {
			err = fail(vb, "sensor", err, "%s stream on: %s",
				   vb->info->name, vb->bus->last_error);
			goto mask_vif;
		}
	}
	atomic_store(&vb->running, true);
	if (pthread_create(&vb->thread, NULL, hardware_main, vb)) {
		atomic_store(&vb->running, false);
		err = fail(vb, "power", -EAGAIN, "cannot start the board thread");
		goto mask_vif;
	}
	vb->thread_started = true;
	return 0;

mask_vif:
	lumen_soc_vif_mask(vb->soc, 0);
unconfigure_rx:
	lumen_soc_rx_unconfigure(vb->soc, c->pad);
stop_sensor:
	if (vb->sensor.streaming)
		lumen_sensor_stream(&vb->sensor, false);
power_off:
	lumen_emu_sensor_set_power(vb->emu, false, 0);
	vb->powered = false;
	return err;
}

static int vb_dequeue(struct lumen_source *src, struct lumen_frame **out,
		      struct lumen_capture_info *info, int timeout_ms)
{
	struct vboard *vb = src->priv;
	struct frame_note *note;
	int err = lumen_soc_dma_dequeue(vb->soc, 0, timeout_ms, out);

	if (err)
		return err;
	pthread_mutex_lock(&vb->lock);
	note = &vb->ring[(vb->delivered_base + vb->dequeued) % INFO_RING];
	*info = note->cap;
	/* sensor start of frame (the DMA stamps frame done) */
	(*out)->timestamp_ns = note->start_ns;
	vb->dequeued++;
	pthread_mutex_unlock(&vb->lock);
	/* the raw format as the driver's tables state it */
	(*out)->bits = vb->mode->bits;
	(*out)->white = (uint16_t)((1u << vb->mode->bits) - 1);
	for (int i = 0; i < 4; i++)
		(*out)->black[i] = vb->info->black_level;
	return 0;
}

static void vb_release(struct lumen_source *src, struct lumen_frame *f)
{
	struct vboard *vb = src->priv;

	lumen_soc_dma_release(vb->soc, 0, f);
}

static int vb_set_exposure_gain(struct lumen_source *src, uint32_t lines,
				uint32_t gain_q8)
{
	struct vboard *vb = src->priv;
	int err = lumen_sensor_set_exposure(&vb->sensor, lines);

	if (!err)
		err = lumen_sensor_set_gain(&vb->sensor, gain_q8);
	return err;
}

static int vb_get_limits(struct lumen_source *src,
			 struct lumen_exposure_limits *l)
{
	struct vboard *vb = src->priv;
	const struct lumen_sensor_info *in = vb->info;

	if (!vb->sensor.mode)
		return -ENODEV;
	l->exposure_min = in->exposure_min ? in->exposure_min : 1;
	l->exposure_max = vb->sensor.vts - in->exposure_margin;
	l->gain_min_q8 = in->gain_min_q8;
	l->gain_max_q8 = in->gain_max_q8;
	l->line_time_s = lumen_sensor_line_time(&vb->sensor);
	l->frame_time_s = lumen_sensor_frame_time(&vb->sensor);
	l->exposure_delay = in->exposure_delay;
	l->gain_delay = in->gain_delay;
	return 0;
}

static int vb_status(struct lumen_source *src, struct lumen_stage_status *st,
		     int max)
{
	struct vboard *vb = src->priv;
	struct lumen_soc_rx_counters rx;
	struct lumen_soc_vif_counters vif;
	struct lumen_soc_dma_counters dma;
	struct lumen_emu_output o;
	struct lumen_stage_status *s;
	int n = 0;

	lumen_emu_sensor_output(vb->emu, &o);
	if ((s = lumen_status_next(st, &n, max, "power"))) {
		lumen_status_extra(s, "powered", vb->powered);
		lumen_status_extra(s, "mclk_hz", vb->powered ?
				   (int64_t)vb->mclk_on_hz : 0);
	}
	if ((s = lumen_status_next(st, &n, max, "i2c"))) {
		struct lumen_i2c_counters ic;

		/* the ISP thread may be writing exposure on this bus now */
		lumen_i2c_shown(vb->bus, &ic, s->note, sizeof(s->note));
		s->errors = ic.errors;
		lumen_status_extra(s, "bus", vb->bus->number);
		lumen_status_extra(s, "addr", vb->cfg.i2c_addr);
		lumen_status_extra(s, "transfers", (int64_t)ic.transfers);
		lumen_status_extra(s, "nacks", (int64_t)ic.nacks);
		lumen_status_extra(s, "retries", (int64_t)ic.retries);
	}
	pthread_mutex_lock(&vb->lock);
	if ((s = lumen_status_next(st, &n, max, "sensor"))) {
		s->frames_out = vb->frames_rendered;
		lumen_status_extra(s, "stream_reg", o.streaming);
		lumen_status_extra(s, "exposure_lines", o.exposure_lines);
		lumen_status_extra(s, "gain_q8", (int64_t)(o.analog_gain *
						  o.digital_gain * 256 + 0.5));
		lumen_status_extra(s, "width", o.width);
		lumen_status_extra(s, "height", o.height);
		lumen_status_extra(s, "lanes", o.lanes);
		lumen_status_extra(s, "frame_us", (int64_t)(o.frame_period_s * 1e6));
		snprintf(s->note, sizeof(s->note), "%s%s", vb->info->name,
			 vb->sensor.mode ? "" : " (not initialised)");
	}
	if ((s = lumen_status_next(st, &n, max, "link"))) {
		s->frames_in = vb->frames_rendered;
		s->frames_out = vb->frames_sent;
		s->errors = vb->tx_errors;
		for (int p = 0; p < vb->soc_model->npads; p++) {
			char key[32];

			if (lumen_soc_rx_counters(vb->soc, p, &rx))
				continue;
			snprintf(key, sizeof(key), "pad%d_hs_bursts", p);
			lumen_status_extra(s, key, (int64_t)rx.phy.hs_bursts);
		}
	}
	pthread_mutex_unlock(&vb->lock);
	if ((s = lumen_status_next(st, &n, max, "receiver")) &&
	    !lumen_soc_rx_counters(vb->soc, vb->cfg.pad, &rx)) {
		s->frames_in = rx.rx.frame_start;
		s->frames_out = rx.rx.frames_ok;
		s->drops = rx.rx.frames_dropped;
		s->errors = rx.rx.ecc_uncorrectable + rx.rx.crc_errors +
			rx.rx.sot_errors;
		lumen_status_extra(s, "configured", rx.configured);
		lumen_status_extra(s, "pad", vb->cfg.pad);
		lumen_status_extra(s, "lanes", rx.lanes);
		lumen_status_extra(s, "unclaimed_bursts", (int64_t)rx.phy.unclaimed);
		lumen_status_extra(s, "frame_start", (int64_t)rx.rx.frame_start);
		lumen_status_extra(s, "frame_end", (int64_t)rx.rx.frame_end);
		lumen_status_extra(s, "ecc_corrected", (int64_t)rx.rx.ecc_corrected);
		lumen_status_extra(s, "ecc_uncorrectable",
				   (int64_t)rx.rx.ecc_uncorrectable);
		lumen_status_extra(s, "crc_errors", (int64_t)rx.rx.crc_errors);
		lumen_status_extra(s, "sot_errors", (int64_t)rx.rx.sot_errors);
		lumen_status_extra(s, "cur_w", rx.rx.cur_w);
		lumen_status_extra(s, "cur_h", rx.rx.cur_h);
	}
	if ((s = lumen_status_next(st, &n, max, "vif")) &&
	    !lumen_soc_vif_counters(vb->soc, 0, &vif)) {
		s->frames_in = vif.frames_in;
		s->frames_out = vif.frames_out;
		s->drops = vif.masked_drops;
		s->errors = vif.unmask_failures + vif.size_mismatches;
		lumen_status_extra(s, "masked", vif.masked);
		lumen_status_extra(s, "unmask_failures", (int64_t)vif.unmask_failures);
		lumen_status_extra(s, "size_mismatches", (int64_t)vif.size_mismatches);
	}
	if ((s = lumen_status_next(st, &n, max, "dma")) &&
	    !lumen_soc_dma_counters(vb->soc, 0, &dma)) {
		s->frames_in = dma.delivered + dma.no_buffer;
		s->frames_out = dma.delivered;
		s->drops = dma.no_buffer;
		lumen_status_extra(s, "buffers", dma.count);
		lumen_status_extra(s, "free", dma.free);
		lumen_status_extra(s, "queued", dma.queued);
		lumen_status_extra(s, "in_flight", dma.in_flight);
	}
	return n;
}

static int vb_dump(struct lumen_source *src, char *buf, size_t size)
{
	struct vboard *vb = src->priv;

	return lumen_soc_dump_all(vb->soc, buf, size);
}

static void vb_destroy(struct lumen_source *src)
{
	struct vboard *vb = src->priv;

	vb_stop(src);
	lumen_csi2_tx_destroy(vb->tx);
	lumen_soc_destroy(vb->soc);
	lumen_frame_free(&vb->band);
	lumen_i2c_close(vb->bus);
	lumen_emu_sensor_destroy(vb->emu);
	lumen_scene_destroy(vb->scene);
	pthread_mutex_destroy(&vb->lock);
	free(vb->pre_probe);
	free(vb);
}

static const struct lumen_source_ops virtual_ops = {
	.name = "virtual",
	.start = vb_start,
	.stop = vb_stop,
	.dequeue = vb_dequeue,
	.release = vb_release,
	.set_exposure_gain = vb_set_exposure_gain,
	.get_limits = vb_get_limits,
	.status = vb_status,
	.dump = vb_dump,
	.destroy = vb_destroy,
};

int lumen_virtual_source_create(const struct lumen_virtual_config *cfg,
				struct lumen_source **out, char *err,
				size_t errlen)
{
	struct lumen_scene_config sc;
	struct vboard *vb;
	char msg[256];
	int ret = -ENOMEM;

	if (err && errlen)
		err[0] = 0;
	vb = calloc(1, sizeof(*vb));
	if (!vb)
		return -ENOMEM;
	vb->cfg = *cfg;
	vb->info = lumen_sensor_find(cfg->sensor);
	if (!vb->info) {
		snprintf(err, errlen, "unknown sensor '%s'", cfg->sensor);
		ret = -ENOENT;
		goto free_vb;
	}
	vb->mode = &vb->info->modes[0];
	if (cfg->mode) {
		vb->mode = NULL;
		for (size_t i = 0; i < vb->info->nmodes; i++)
			if (!strcmp(vb->info->modes[i].name, cfg->mode))
				vb->mode = &vb->info->modes[i];
		if (!vb->mode) {
			snprintf(err, errlen, "sensor %s has no mode '%s'",
				 vb->info->name, cfg->mode);
			ret = -ENOENT;
			goto free_vb;
		}
	}
	vb->soc_model = lumen_soc_model_find(cfg->soc);
	if (!vb->soc_model) {
		snprintf(err, errlen, "unknown SoC model '%s'", cfg->soc);
		ret = -ENOENT;
		goto free_vb;
	}
	if (cfg->pad < 0 || cfg->pad >= vb->soc_model->npads) {
		snprintf(err, errlen, "pad %d: %s has pads 0..%d", cfg->pad,
			 vb->soc_model->name, vb->soc_model->npads - 1);
		ret = -EINVAL;
		goto free_vb;
	}
	if (cfg->npre_probe) {
		vb->pre_probe = calloc(cfg->npre_probe, sizeof(*vb->pre_probe));
		if (!vb->pre_probe)
			goto free_vb;
		memcpy(vb->pre_probe, cfg->pre_probe,
		       cfg->npre_probe * sizeof(*vb->pre_probe));
	}
	if (!vb->cfg.buffers)
		vb->cfg.buffers = 4;
	if (cfg->faults & (1u << LUMEN_FAULT_FEW_BUFFERS))
		vb->cfg.buffers = 1;

	/* the hardware as it is */
	vb->wired_pad = cfg->pad;
	if (cfg->faults & (1u << LUMEN_FAULT_PAD))
		vb->wired_pad = (cfg->pad + 1) % vb->soc_model->npads;
	vb->strap_addr = cfg->i2c_addr;
	/* the chip's other strap address: SmartSens SID 0x30/0x32, Sony
	 * IMX258 0x1a/0x10 */
	if (cfg->faults & (1u << LUMEN_FAULT_I2C_ADDR))
		vb->strap_addr = cfg->i2c_addr == 0x1a ? 0x10 :
			cfg->i2c_addr == 0x10 ? 0x1a : cfg->i2c_addr ^ 0x02;
	vb->mclk_on_hz = cfg->faults & (1u << LUMEN_FAULT_MCLK) ? 0 :
		(cfg->mclk_hz ? cfg->mclk_hz : vb->info->mclk_hz);

	vb->src.width = cfg->crop_w > 0 ? cfg->crop_w : vb->mode->width - cfg->crop_x;
	vb->src.height = cfg->crop_h > 0 ? cfg->crop_h : vb->mode->height - cfg->crop_y;
	vb->src.fmt = LUMEN_PIX_BAYER16;
	vb->src.ops = &virtual_ops;
	vb->src.priv = vb;
	if (pthread_mutex_init(&vb->lock, NULL))
		goto free_pre;

	sc = cfg->scene;
	sc.width = vb->mode->width;
	sc.height = vb->mode->height;
	if (sc.light <= 0)
		sc.light = 1.0;
	ret = lumen_scene_create(&sc, &vb->scene, msg, sizeof(msg));
	if (ret) {
		snprintf(err, errlen, "scene: %s", msg);
		goto destroy_lock;
	}
	ret = lumen_emu_sensor_create(vb->info->name, vb->scene, &vb->emu);
	if (ret) {
		snprintf(err, errlen, "no emulated %s: %s", vb->info->name,
			 strerror(-ret));
		goto destroy_scene;
	}
	ret = lumen_i2c_virtual_create(cfg->i2c_bus, &vb->bus);
	if (ret)
		goto destroy_emu;
	ret = lumen_i2c_virtual_attach(vb->bus, vb->strap_addr,
				       &lumen_emu_sensor_i2c_ops, vb->emu);
	if (ret)
		goto close_bus;
	ret = lumen_soc_create(vb->soc_model, &vb->soc);
	if (ret)
		goto close_bus;
	ret = lumen_frame_alloc(&vb->band, LUMEN_PIX_BAYER16,
				vb->mode->width, BAND_ROWS);
	if (ret)
		goto destroy_soc;
	lumen_sensor_bind(&vb->sensor, vb->info, vb->bus, cfg->i2c_addr);
	*out = &vb->src;
	return 0;

destroy_soc:
	lumen_soc_destroy(vb->soc);
close_bus:
	lumen_i2c_close(vb->bus);
destroy_emu:
	lumen_emu_sensor_destroy(vb->emu);
destroy_scene:
	lumen_scene_destroy(vb->scene);
destroy_lock:
	pthread_mutex_destroy(&vb->lock);
free_pre:
	free(vb->pre_probe);
free_vb:
	if (ret == -ENOMEM && err && errlen && !err[0])
		snprintf(err, errlen, "out of memory");
	free(vb);
	return ret;
}

struct lumen_i2c_bus *lumen_virtual_source_bus(struct lumen_source *src)
{
	return ((struct vboard *)src->priv)->bus;
}

struct lumen_sensor *lumen_virtual_source_sensor(struct lumen_source *src)
{
	return &((struct vboard *)src->priv)->sensor;
}

struct lumen_scene *lumen_virtual_source_scene(struct lumen_source *src)
{
	return ((struct vboard *)src->priv)->scene;
}

int lumen_virtual_source_power(struct lumen_source *src, bool on)
{
	struct vboard *vb = src->priv;

	if (vb->thread_started)
		return -EBUSY;
	lumen_emu_sensor_set_power(vb->emu, on, on ? vb->mclk_on_hz : 0);
	vb->powered = on;
	return 0;
}

int lumen_virtual_source_i2cdetect(struct lumen_source *src, char *buf,
				   size_t size)
{
	struct vboard *vb = src->priv;
	bool was_powered = vb->powered;
	size_t len = 0;
	int n;

	if (!was_powered)
		lumen_emu_sensor_set_power(vb->emu, true, vb->mclk_on_hz);
	n = snprintf(buf, size, "     0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f\n");
	len += n > 0 ? (size_t)n : 0;
	for (int row = 0; row < 0x80; row += 16) {
		n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0,
			     "%02x:", row);
		len += n > 0 ? (size_t)n : 0;
		for (int a = row; a < row + 16; a++) {
			uint8_t byte;
			struct lumen_i2c_msg m = { (uint16_t)a, LUMEN_I2C_M_RD, 1, &byte };
			const char *cell = "   ";
			char hex[4];

			if (a >= 0x08 && a <= 0x77) {
				/* one read, as i2cdetect -r probes */
				if (vb->bus->ops->transfer(vb->bus, &m, 1) == 0) {
					snprintf(hex, sizeof(hex), "%02x", a);
					cell = hex;
				} else {
					cell = "--";
				}
			}
			n = snprintf(len < size ? buf + len : NULL,
				     len < size ? size - len : 0, " %s", cell);
			len += n > 0 ? (size_t)n : 0;
		}
		n = snprintf(len < size ? buf + len : NULL, len < size ? size - len : 0, "\n");
		len += n > 0 ? (size_t)n : 0;
	}
	if (!was_powered)
		lumen_emu_sensor_set_power(vb->emu, false, 0);
	return (int)len;
}

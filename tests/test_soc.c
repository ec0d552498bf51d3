// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reference SoC: frames sent by the CSI-2 transmitter into sensor pads,
 * through receiver, VIF and DMA, and the symptoms of each misconfiguration.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/pack.h"
#include "link/csi2.h"
#include "soc/refsoc.h"

#define W 64
#define H 32

static void make_source(struct lumen_frame *f, unsigned seed)
{
	assert_int_equal(lumen_frame_alloc(f, LUMEN_PIX_BAYER16, W, H), 0);
	f->bits = 10;
	f->bayer = LUMEN_BAYER_BGGR;
	for (int y = 0; y < H; y++) {
		uint16_t *row = (uint16_t *)(void *)(f->data[0] + (size_t)y * f->stride[0]);

		for (int x = 0; x < W; x++)
			row[x] = (uint16_t)((x * 37 + y * 101 + seed * 7) & 0x3ff);
	}
}

/* Sends @n frames of @src from a @lanes-lane sensor into @pad. */
static void send(struct lumen_soc *soc, int pad, int lanes,
		 const struct lumen_frame *src, int n)
{
	struct lumen_csi2_tx_config tc = {
		.nlanes = lanes, .vc = 0, .dt = LUMEN_CSI2_DT_RAW10,
		.max_width = W, .line_sync = true,
	};
	struct lumen_csi2_tx *tx;

	assert_int_equal(lumen_csi2_tx_create(&tc, &tx), 0);
	for (int i = 0; i < n; i++)
		assert_int_equal(lumen_csi2_tx_frame_cb(tx, src, lumen_soc_burst_cb,
				 lumen_soc_pad_sink(soc, pad)), 0);
	lumen_csi2_tx_destroy(tx);
}

static struct lumen_soc *make_soc(const char *model)
{
	struct lumen_soc *soc;

	assert_non_null(lumen_soc_model_find(model));
	assert_int_equal(lumen_soc_create(lumen_soc_model_find(model), &soc), 0);
	return soc;
}

static void rx_on(struct lumen_soc *soc, int pad, int lanes)
{
	struct lumen_soc_rx_config rc = {
		.lanes = lanes, .vc = 0, .dt = LUMEN_CSI2_DT_RAW10,
		.width = W, .height = H, .bayer = LUMEN_BAYER_BGGR,
	};
	char err[256] = "";

	assert_int_equal(lumen_soc_rx_configure(soc, pad, &rc, err, sizeof(err)), 0);
}

static void vif_on(struct lumen_soc *soc, int ch, int pad, int x, int y,
		   int w, int h, int nbuf)
{
	struct lumen_soc_vif_config vc = {
		.pad = pad, .crop_x = x, .crop_y = y, .crop_w = w, .crop_h = h,
	};
	char err[256] = "";

	assert_int_equal(lumen_soc_vif_configure(soc, ch, &vc, err, sizeof(err)), 0);
	assert_int_equal(lumen_soc_vif_unmask(soc, ch, err, sizeof(err)), 0);
	assert_int_equal(lumen_soc_dma_configure(soc, ch, nbuf, err, sizeof(err)), 0);
}

static void assert_invariant(struct lumen_soc *soc, int ch)
{
	struct lumen_soc_dma_counters d;

	assert_int_equal(lumen_soc_dma_counters(soc, ch, &d), 0);
	assert_true(d.free >= 0 && d.queued >= 0 && d.in_flight >= 0);
	assert_int_equal(d.free + d.queued + d.in_flight, d.count);
}

/*
 * A window on whole RAW10 groups is stored packed, as the wire carried it
 * (5 bytes per 4 pixels); one that is not is unpacked to 16 bits. Both
 * hold the same samples and the CFA phase of their origin.
 */
static void test_packed_or_unpacked_window(void **state)
{
	static const struct { int x, y, w, h; enum lumen_pixfmt fmt;
			      enum lumen_bayer bayer; } cases[] = {
		{ 0, 0, W, H, LUMEN_PIX_BAYER10P, LUMEN_BAYER_BGGR },
		{ 8, 1, 40, 20, LUMEN_PIX_BAYER10P, LUMEN_BAYER_GRBG },
		{ 6, 2, 40, 20, LUMEN_PIX_BAYER16, LUMEN_BAYER_BGGR },
		{ 1, 0, 61, 9, LUMEN_PIX_BAYER16, LUMEN_BAYER_GBRG },
		{ 4, 0, 58, 9, LUMEN_PIX_BAYER16, LUMEN_BAYER_BGGR },
	};
	struct lumen_frame src, *f;

	(void)state;
	make_source(&src, 3);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct lumen_soc *soc = make_soc("ssc377");

		rx_on(soc, 0, 2);
		vif_on(soc, 0, 0, cases[c].x, cases[c].y, cases[c].w, cases[c].h, 2);
		send(soc, 0, 2, &src, 1);
		assert_int_equal(lumen_soc_dma_dequeue(soc, 0, 100, &f), 0);
		assert_int_equal(f->fmt, cases[c].fmt);
		assert_int_equal(f->width, cases[c].w);
		assert_int_equal(f->height, cases[c].h);
		assert_int_equal(f->bits, 10);
		assert_int_equal(f->bayer, cases[c].bayer);
		if (f->fmt == LUMEN_PIX_BAYER10P)
			assert_int_equal(f->stride[0] >= (size_t)cases[c].w / 4 * 5, 1);
		for (int y = 0; y < cases[c].h; y++)
			for (int x = 0; x < cases[c].w; x++)
				assert_int_equal(lumen_frame_raw_at(f, x, y),
						 lumen_frame_raw_at(&src, x + cases[c].x,
								    y + cases[c].y));
		assert_int_equal(lumen_soc_dma_release(soc, 0, f), 0);
		lumen_soc_destroy(soc);
	}
	lumen_frame_free(&src);
}

/* The configured pad delivers cropped, bit-exact frames into the pool. */
static void test_delivers_cropped(void **state)
{
	struct lumen_soc *soc = make_soc("ssc377");
	struct lumen_soc_rx_counters rc;
	struct lumen_soc_vif_counters vc;
	struct lumen_soc_dma_counters dc;
	struct lumen_frame src, *f;
	char *dump = malloc(16384);

	(void)state;
	make_source(&src, 1);
	rx_on(soc, 2, 2);
	vif_on(soc, 0, 2, 5, 3, 32, 16, 4);
	send(soc, 2, 2, &src, 3);

	for (int i = 0; i < 3; i++) {
		assert_int_equal(lumen_soc_dma_dequeue(soc, 0, 100, &f), 0);
		assert_int_equal(f->width, 32);
		assert_int_equal(f->height, 16);
		assert_int_equal(f->bits, 10);
		/* origin (5,3) flips both CFA parities: BGGR -> RGGB */
		assert_int_equal(f->bayer, LUMEN_BAYER_RGGB);
		assert_int_equal(f->sequence, (uint64_t)i + 1);
		for (int y = 0; y < 16; y++)
			for (int x = 0; x < 32; x++)
				assert_int_equal(lumen_frame_raw_at(f, x, y),
						 lumen_frame_raw_at(&src, x + 5, y + 3));
		assert_int_equal(lumen_soc_dma_release(soc, 0, f), 0);
		/* a second release is refused */
		assert_int_equal(lumen_soc_dma_release(soc, 0, f), -EINVAL);
	}
	assert_int_equal(lumen_soc_dma_dequeue(soc, 0, 0, &f), -ETIMEDOUT);

	lumen_soc_rx_counters(soc, 2, &rc);
	assert_true(rc.configured);
	assert_int_equal(rc.rx.frame_start, 3);
	assert_int_equal(rc.rx.frames_ok, 3);
	assert_int_equal(rc.rx.cur_w, W);
	assert_int_equal(rc.rx.cur_h, H);
	assert_int_equal(rc.phy.unclaimed, 0);
	assert_int_equal(rc.phy.lane_hs[0], rc.phy.hs_bursts);
	assert_int_equal(rc.phy.lane_hs[1], rc.phy.hs_bursts);
	lumen_soc_vif_counters(soc, 0, &vc);
	assert_int_equal(vc.frames_in, 3);
	assert_int_equal(vc.frames_out, 3);
	assert_int_equal(vc.crop_w, 32);
	assert_int_equal(vc.crop_h, 16);
	assert_int_equal(vc.masked_drops, 0);
	lumen_soc_dma_counters(soc, 0, &dc);
	assert_int_equal(dc.delivered, 3);
	assert_int_equal(dc.no_buffer, 0);
	assert_int_equal(dc.free, 4);
	assert_invariant(soc, 0);

	/* the text says the same */
	assert_true(lumen_soc_dump_all(soc, dump, 16384) < 16384);
	assert_non_null(strstr(dump, "== MIPI2 info ==\nLANE_NUM = 2\n"));
	assert_non_null(strstr(dump, "IDEAL_RECV_SIZE = 64, 32\nCUR_RECV_SIZE = 64, 32\n"));
	assert_non_null(strstr(dump, "FS_CNT = 3\n"));
	assert_non_null(strstr(dump, "SRC: MIPI2\n"));
	assert_non_null(strstr(dump, "CROP_START_X: 5 - 36\nCROP_START_Y: 3 - 18\n"));
	assert_non_null(strstr(dump, "FRAME_DONE = 3\n"));
	assert_non_null(strstr(dump, "frame_done 3 no_buffer_drop 0"));
	assert_non_null(strstr(dump, "         3  GIC-0     90 Level     ms_csi2\n"));
	assert_non_null(strstr(dump, "ms_vif_ch0\n"));
	/* pads 0, 1 and 3 read like an idle SigmaStar receiver */
	assert_non_null(strstr(dump, "== MIPI0 info ==\nLANE_NUM = 0\n"
				     "IDEAL_RECV_SIZE = 0, 0\nCUR_RECV_SIZE = 0, 0\n"));
	/* a short buffer: truncated, terminated, length still reported */
	{
		char small[32];
		int n = lumen_soc_dump_csi(soc, small, sizeof(small));

		assert_true(n > (int)sizeof(small));
		assert_int_equal(strlen(small), sizeof(small) - 1);
	}
	free(dump);
	lumen_frame_free(&src);
	lumen_soc_destroy(soc);
}

/* The sensor on pad 2, the receiver on pad 0: the IMOU Bullet 3 case. */
static void test_unconfigured_pad(void **state)
{
	struct lumen_soc *soc = make_soc("ssc377");
	struct lumen_soc_rx_counters r0, r2;
	struct lumen_soc_vif_counters vc;
	struct lumen_frame src, *f;
	char dump[8192];

	(void)state;
	make_source(&src, 2);
	rx_on(soc, 0, 2);
	vif_on(soc, 0, 0, 0, 0, 0, 0, 3);
	send(soc, 2, 2, &src, 2);

	lumen_soc_rx_counters(soc, 2, &r2);
	assert_false(r2.configured);
	assert_true(r2.phy.hs_bursts > 2 * H);
	assert_int_equal(r2.phy.unclaimed, r2.phy.hs_bursts);
	assert_int_equal(r2.phy.lane_hs[0], r2.phy.hs_bursts);
	assert_int_equal(r2.rx.packets, 0);
	assert_int_equal(r2.frames_to_vif, 0);
	lumen_soc_rx_counters(soc, 0, &r0);
	assert_true(r0.configured);
	assert_int_equal(r0.phy.hs_bursts, 0);
	assert_int_equal(r0.rx.frame_start, 0);
	lumen_soc_vif_counters(soc, 0, &vc);
	assert_int_equal(vc.frames_in, 0);
	assert_int_equal(lumen_soc_dma_dequeue(soc, 0, 20, &f), -ETIMEDOUT);

	lumen_soc_dump_csi(soc, dump, sizeof(dump));
	assert_non_null(strstr(dump, "== MIPI0 info ==\nLANE_NUM = 2\n"));
	assert_non_null(strstr(dump, "IDEAL_RECV_SIZE = 64, 32\nCUR_RECV_SIZE = 0, 0\n"));
	assert_non_null(strstr(dump, "== MIPI2 info ==\nLANE_NUM = 0\n"
				     "IDEAL_RECV_SIZE = 0, 0\nCUR_RECV_SIZE = 0, 0\n"));
	{
		char want[64];

		snprintf(want, sizeof(want), "PHY_HS_CNT = %llu\n",
			 (unsigned long long)r2.phy.hs_bursts);
		assert_non_null(strstr(dump, want));
	}
	lumen_soc_dump_interrupts(soc, dump, sizeof(dump));
	assert_non_null(strstr(dump, "         0  GIC-0     88 Level     ms_csi0\n"));
	lumen_frame_free(&src);
	lumen_soc_destroy(soc);
}

/* Lane count mismatch: the symptoms the receiver gives, and no frame. */
static void test_lane_mismatch(void **state)
{
	struct lumen_soc *soc = make_soc("ssc377");
	struct lumen_soc_rx_counters rc;
	struct lumen_soc_dma_counters dc;
	struct lumen_soc_rx_config bad = {
		.lanes = 4, .dt = LUMEN_CSI2_DT_RAW10, .width = W, .height = H,
	};
	struct lumen_frame src;
	char err[256] = "";

	(void)state;
	make_source(&src, 3);
	/* pad 2 has a 2-lane D-PHY: 4 lanes cannot be configured there */
	assert_int_equal(lumen_soc_rx_configure(soc, 2, &bad, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "MIPI2: 4 lanes requested, the pad's D-PHY has 2"));

	/* 4-lane receiver on pad 0, 2-lane sensor: no SoT on lanes 2, 3 */
	rx_on(soc, 0, 4);
	vif_on(soc, 0, 0, 0, 0, 0, 0, 2);
	send(soc, 0, 2, &src, 2);
	lumen_soc_rx_counters(soc, 0, &rc);
	assert_true(rc.rx.bursts > 0);
	assert_int_equal(rc.rx.sot_errors, rc.rx.bursts);
	assert_int_equal(rc.rx.packets, 0);
	assert_int_equal(rc.rx.frame_start, 0);
	assert_int_equal(rc.phy.lane_hs[2], 0);
	lumen_soc_dma_counters(soc, 0, &dc);
	assert_int_equal(dc.delivered, 0);

	/* 1-lane receiver, 2-lane sensor: headers from the wrong bytes */
	rx_on(soc, 0, 1);
	send(soc, 0, 2, &src, 2);
	lumen_soc_rx_counters(soc, 0, &rc);
	assert_int_equal(rc.rx.sot_errors, 0);
	assert_true(rc.rx.ecc_uncorrectable > 0);
	assert_int_equal(rc.rx.frame_start, 0);
	assert_int_equal(rc.rx.frames_ok, 0);
	assert_int_equal(rc.rx.cur_w, 0);
	assert_int_equal(rc.frames_to_vif, 0);
	lumen_soc_dma_counters(soc, 0, &dc);
	assert_int_equal(dc.delivered, 0);
	lumen_frame_free(&src);
	lumen_soc_destroy(soc);
}

/* The VIF mask opens only once the receiver is configured. */
static void test_unmask_before_receiver(void **state)
{
	struct lumen_soc *soc = make_soc("ssc377");
	struct lumen_soc_vif_config cfg = { .pad = 2 };
	struct lumen_soc_vif_counters vc;
	struct lumen_soc_dma_counters dc;
	struct lumen_frame src;
	char err[256] = "", log[2048], dump[8192];

	(void)state;
	make_source(&src, 4);
	assert_int_equal(lumen_soc_vif_configure(soc, 0, &cfg, err, sizeof(err)), 0);
	assert_int_equal(lumen_soc_vif_unmask(soc, 0, err, sizeof(err)), -EIO);
	assert_string_equal(err, "VIF ch0: unmask failed: receiver for pad 2 not configured");
	lumen_soc_log_dump(soc, log, sizeof(log));
	assert_non_null(strstr(log, "MHal_VIF_InputMask vif dev 0 unmask fail"));
	/* no window is known yet, so there is no DMA either */
	assert_int_equal(lumen_soc_dma_configure(soc, 0, 2, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "DMA ch0"));

	send(soc, 2, 2, &src, 1);
	lumen_soc_vif_counters(soc, 0, &vc);
	assert_true(vc.masked);
	assert_int_equal(vc.unmask_failures, 1);
	assert_int_equal(vc.frames_in, 0);
	lumen_soc_dump_vif(soc, dump, sizeof(dump));
	assert_non_null(strstr(dump, "INTF_MODE = 4\nSRC: MIPI2\nMASK = 1\n"));
	assert_non_null(strstr(dump, "UNMASK_FAIL = 1\n"));

	/* receiver configured, still masked: frames reach the VIF and stop */
	rx_on(soc, 2, 2);
	assert_int_equal(lumen_soc_dma_configure(soc, 0, 2, err, sizeof(err)), 0);
	send(soc, 2, 2, &src, 2);
	lumen_soc_vif_counters(soc, 0, &vc);
	assert_int_equal(vc.frames_in, 2);
	assert_int_equal(vc.masked_drops, 2);
	assert_int_equal(vc.frames_out, 0);

	/* now it opens and frames flow */
	assert_int_equal(lumen_soc_vif_unmask(soc, 0, err, sizeof(err)), 0);
	send(soc, 2, 2, &src, 1);
	lumen_soc_dma_counters(soc, 0, &dc);
	assert_int_equal(dc.delivered, 1);
	lumen_frame_free(&src);
	lumen_soc_destroy(soc);
}

/* One buffer, held by the consumer: drops are counted, accounting holds. */
static void test_too_few_buffers(void **state)
{
	struct lumen_soc *soc = make_soc("t31");
	struct lumen_soc_dma_counters dc;
	struct lumen_frame src, *held, *f;
	char dump[8192];

	(void)state;
	make_source(&src, 5);
	rx_on(soc, 0, 2);
	vif_on(soc, 0, 0, 0, 0, 0, 0, 1);
	send(soc, 0, 2, &src, 1);
	assert_int_equal(lumen_soc_dma_dequeue(soc, 0, 100, &held), 0);
	send(soc, 0, 2, &src, 3);
	lumen_soc_dma_counters(soc, 0, &dc);
	assert_int_equal(dc.count, 1);
	assert_int_equal(dc.delivered, 1);
	assert_int_equal(dc.no_buffer, 3);
	assert_int_equal(dc.in_flight, 1);
	assert_int_equal(dc.free, 0);
	assert_invariant(soc, 0);
	assert_int_equal(lumen_soc_dma_dequeue(soc, 0, 10, &f), -ETIMEDOUT);
	/* the pool cannot be replaced under the consumer's feet */
	assert_int_equal(lumen_soc_dma_configure(soc, 0, 4, NULL, 0), -EBUSY);

	/* Ingenic text: VIC frame count and the dma overflow slot */
	lumen_soc_dump_vif(soc, dump, sizeof(dump));
	assert_non_null(strstr(dump, "# cat /proc/jz/isp/isp-w02\n 4, 3\n"
				     "0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0\n"));

	assert_int_equal(lumen_soc_dma_release(soc, 0, held), 0);
	send(soc, 0, 2, &src, 1);
	lumen_soc_dma_counters(soc, 0, &dc);
	assert_int_equal(dc.delivered, 2);
	assert_int_equal(dc.queued, 1);
	assert_invariant(soc, 0);
	lumen_frame_free(&src);
	lumen_soc_destroy(soc);
}

/* Crop windows outside the input are refused with a message. */
static void test_crop_outside(void **state)
{
	struct lumen_soc *soc = make_soc("rk3399");
	struct lumen_soc_vif_config cfg = {
		.pad = 1, .crop_x = 40, .crop_y = 0, .crop_w = 32, .crop_h = 16,
	};
	struct lumen_soc_rx_config small = {
		.lanes = 4, .dt = LUMEN_CSI2_DT_RAW10, .width = 32, .height = 16,
	};
	char err[256] = "";

	(void)state;
	rx_on(soc, 1, 4);
	assert_int_equal(lumen_soc_vif_configure(soc, 0, &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "VIF ch0: crop window 32x16 at (40,0) is outside "
				 "the 64x32 input of pad 1");
	cfg.crop_x = -1;
	assert_int_equal(lumen_soc_vif_configure(soc, 0, &cfg, err, sizeof(err)), -EINVAL);
	cfg.pad = 7;
	assert_int_equal(lumen_soc_vif_configure(soc, 0, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "input pad 7 does not exist"));

	/* a window that fits, then a smaller receiver: unmask refuses */
	cfg = (struct lumen_soc_vif_config){ .pad = 1, .crop_x = 16, .crop_w = 32 };
	assert_int_equal(lumen_soc_vif_configure(soc, 0, &cfg, err, sizeof(err)), 0);
	assert_int_equal(lumen_soc_rx_configure(soc, 1, &small, err, sizeof(err)), 0);
	assert_int_equal(lumen_soc_vif_unmask(soc, 0, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "outside the 32x16 input"));
	lumen_soc_destroy(soc);
}

/* The VIF programmed for another size than the receiver delivers. */
static void test_size_mismatch(void **state)
{
	struct lumen_soc *soc = make_soc("ssc377");
	struct lumen_soc_vif_config cfg = { .pad = 1, .in_width = 48, .in_height = 32 };
	struct lumen_soc_vif_counters vc;
	struct lumen_frame src;
	char err[256] = "";

	(void)state;
	make_source(&src, 6);
	rx_on(soc, 1, 2);
	assert_int_equal(lumen_soc_vif_configure(soc, 1, &cfg, err, sizeof(err)), 0);
	assert_int_equal(lumen_soc_vif_unmask(soc, 1, err, sizeof(err)), 0);
	assert_int_equal(lumen_soc_dma_configure(soc, 1, 2, err, sizeof(err)), 0);
	send(soc, 1, 2, &src, 2);
	lumen_soc_vif_counters(soc, 1, &vc);
	assert_int_equal(vc.frames_in, 2);
	assert_int_equal(vc.size_mismatches, 2);
	assert_int_equal(vc.frames_out, 0);
	lumen_frame_free(&src);
	lumen_soc_destroy(soc);
}

struct consumer {
	struct lumen_soc *soc;
	int got;
	atomic_int stop;
};

static void *consume(void *arg)
{
	struct consumer *c = arg;
	struct lumen_frame *f;

	while (!atomic_load(&c->stop)) {
		if (lumen_soc_dma_dequeue(c->soc, 0, 5, &f))
			continue;
		c->got++;
		if (lumen_soc_dma_release(c->soc, 0, f))
			abort();
	}
	return NULL;
}

/* A consumer thread waiting on frame done while the producer runs. */
static void test_threaded_consumer(void **state)
{
	struct lumen_soc *soc = make_soc("ssc377");
	struct lumen_soc_dma_counters dc;
	struct consumer c = { .soc = NULL };
	struct lumen_frame src, *f;
	pthread_t th;

	(void)state;
	make_source(&src, 7);
	rx_on(soc, 2, 2);
	vif_on(soc, 0, 2, 0, 0, 0, 0, 2);
	c.soc = soc;
	assert_int_equal(pthread_create(&th, NULL, consume, &c), 0);
	send(soc, 2, 2, &src, 20);
	atomic_store(&c.stop, 1);
	pthread_join(th, NULL);
	while (lumen_soc_dma_dequeue(soc, 0, 0, &f) == 0) {
		c.got++;
		lumen_soc_dma_release(soc, 0, f);
	}
	lumen_soc_dma_counters(soc, 0, &dc);
	assert_int_equal(dc.delivered + dc.no_buffer, 20);
	assert_int_equal(dc.dequeued, dc.delivered);
	assert_int_equal(dc.released, dc.delivered);
	assert_int_equal((uint64_t)c.got, dc.delivered);
	assert_int_equal(dc.free, 2);
	assert_invariant(soc, 0);
	lumen_frame_free(&src);
	lumen_soc_destroy(soc);
}

static void test_models(void **state)
{
	(void)state;
	assert_null(lumen_soc_model_find("ssc999"));
	assert_null(lumen_soc_model_find(NULL));
	for (int i = 0; lumen_soc_models[i]; i++) {
		struct lumen_soc *soc;
		char *buf = malloc(32768);

		assert_int_equal(lumen_soc_create(lumen_soc_models[i], &soc), 0);
		/* every flavour dumps something for an idle SoC */
		assert_true(lumen_soc_dump_all(soc, buf, 32768) > 0);
		assert_non_null(strstr(buf, "# cat /proc/interrupts"));
		assert_int_equal(lumen_soc_rx_configure(soc, 9, &(struct lumen_soc_rx_config){
			.lanes = 1, .dt = LUMEN_CSI2_DT_RAW10, .width = W, .height = H },
			NULL, 0), -EINVAL);
		lumen_soc_destroy(soc);
		free(buf);
	}
}

/*
 * A VIF channel that takes the whole frame has the receiver write into a
 * DMA buffer from FS on (no staging copy). The counters are those of the
 * staged path: no free buffer at FS falls back to staging, then counts a
 * no-buffer drop at FE; a channel masked mid-frame counts a masked drop
 * and hands the buffer back; the pool cannot be reconfigured under the
 * receiver; the frame holds the samples that were sent.
 */
static void test_direct_receive(void **state)
{
	struct lumen_csi2_tx_config tc = {
		.nlanes = 2, .vc = 0, .dt = LUMEN_CSI2_DT_RAW10,
		.max_width = W, .line_sync = true,
	};
	struct lumen_soc *soc = make_soc("ssc377");
	struct lumen_soc_dma_counters d;
	struct lumen_soc_vif_counters v;
	struct lumen_frame src, view, *f;
	struct lumen_csi2_tx *tx;
	char err[256] = "";

	(void)state;
	make_source(&src, 5);
	rx_on(soc, 0, 2);
	vif_on(soc, 0, 0, 0, 0, W, H, 2);
	send(soc, 0, 2, &src, 3);	/* two buffers, nobody consuming */
	assert_int_equal(lumen_soc_dma_counters(soc, 0, &d), 0);
	assert_int_equal(d.delivered, 2);
	assert_int_equal(d.no_buffer, 1);
	assert_int_equal(lumen_soc_vif_counters(soc, 0, &v), 0);
	assert_int_equal(v.frames_in, 3);
	assert_int_equal(v.frames_out, 3);
	assert_invariant(soc, 0);
	assert_int_equal(lumen_soc_dma_dequeue(soc, 0, 100, &f), 0);
	assert_int_equal(f->fmt, LUMEN_PIX_BAYER10P);
	assert_int_equal(f->bayer, LUMEN_BAYER_BGGR);
	assert_int_equal(f->bits, 10);
	for (int y = 0; y < H; y++) {
		uint16_t got[W];

		lumen_unpack_raw10(f->data[0] + (size_t)y * f->stride[0], got, W);
		assert_memory_equal(got, src.data[0] + (size_t)y * src.stride[0],
				    sizeof(got));
	}
	assert_int_equal(lumen_soc_dma_release(soc, 0, f), 0);

	/* half a frame in: the receiver holds a buffer */
	assert_int_equal(lumen_csi2_tx_create(&tc, &tx), 0);
	assert_int_equal(lumen_csi2_tx_frame_start(tx, lumen_soc_burst_cb,
						   lumen_soc_pad_sink(soc, 0)), 0);
	assert_int_equal(lumen_frame_crop(&src, 0, 0, W, H / 2, &view), 0);
	assert_int_equal(lumen_csi2_tx_rows(tx, &view), 0);
	assert_int_equal(lumen_soc_dma_configure(soc, 0, 2, err, sizeof(err)),
			 -EBUSY);
	assert_non_null(strstr(err, "receiver"));
	lumen_soc_vif_mask(soc, 0);
	assert_int_equal(lumen_frame_crop(&src, 0, H / 2, W, H - H / 2, &view), 0);
	assert_int_equal(lumen_csi2_tx_rows(tx, &view), 0);
	assert_int_equal(lumen_csi2_tx_frame_end(tx), 0);
	assert_int_equal(lumen_soc_vif_counters(soc, 0, &v), 0);
	assert_int_equal(v.masked_drops, 1);
	assert_int_equal(lumen_soc_dma_counters(soc, 0, &d), 0);
	assert_int_equal(d.delivered, 2);
	assert_invariant(soc, 0);

	/* unmasked again: the next frame is delivered */
	assert_int_equal(lumen_soc_vif_unmask(soc, 0, err, sizeof(err)), 0);
	assert_int_equal(lumen_csi2_tx_frame_cb(tx, &src, lumen_soc_burst_cb,
						lumen_soc_pad_sink(soc, 0)), 0);
	assert_int_equal(lumen_soc_dma_counters(soc, 0, &d), 0);
	assert_int_equal(d.delivered, 3);
	assert_invariant(soc, 0);
	lumen_csi2_tx_destroy(tx);
	lumen_soc_destroy(soc);
	lumen_frame_free(&src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delivers_cropped),
		cmocka_unit_test(test_packed_or_unpacked_window),
		cmocka_unit_test(test_direct_receive),
		cmocka_unit_test(test_unconfigured_pad),
		cmocka_unit_test(test_lane_mismatch),
		cmocka_unit_test(test_unmask_before_receiver),
		cmocka_unit_test(test_too_few_buffers),
		cmocka_unit_test(test_crop_outside),
		cmocka_unit_test(test_size_mismatch),
		cmocka_unit_test(test_threaded_consumer),
		cmocka_unit_test(test_models),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reference SoC per-frame cost: one 2560x1440 RAW10 frame (the SC4336P
 * mode) from the CSI-2 transmitter over 2 lanes into pad 2 of an ssc377,
 * through the receiver, the VIF (full window) and the DMA copy into a pool
 * buffer, dequeued and released. Prints ms per frame for the whole chain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "soc/refsoc.h"

#define W 2560
#define H 1440
#define FRAMES 10

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
	struct lumen_soc_rx_config rc = {
		.lanes = 2, .dt = LUMEN_CSI2_DT_RAW10, .width = W, .height = H,
	};
	struct lumen_soc_vif_config vc = { .pad = 2 };
	struct lumen_csi2_tx_config tc = {
		.nlanes = 2, .dt = LUMEN_CSI2_DT_RAW10, .max_width = W,
	};
	struct lumen_soc_dma_counters d;
	struct lumen_csi2_tx *tx;
	struct lumen_soc *soc;
	struct lumen_frame src, *f;
	char err[256] = "";
	double t0, t1;

	if (lumen_soc_create(lumen_soc_model_find("ssc377"), &soc) ||
	    lumen_frame_alloc(&src, LUMEN_PIX_BAYER16, W, H) ||
	    lumen_soc_rx_configure(soc, 2, &rc, err, sizeof(err)) ||
	    lumen_soc_vif_configure(soc, 0, &vc, err, sizeof(err)) ||
	    lumen_soc_vif_unmask(soc, 0, err, sizeof(err)) ||
	    lumen_soc_dma_configure(soc, 0, 4, err, sizeof(err)) ||
	    lumen_csi2_tx_create(&tc, &tx)) {
		fprintf(stderr, "bench_soc: setup failed: %s\n", err);
		return 1;
	}
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			((uint16_t *)(void *)(src.data[0] + (size_t)y * src.stride[0]))[x] =
				(uint16_t)((x ^ y) & 0x3ff);
	t0 = now();
	for (int i = 0; i < FRAMES; i++) {
		lumen_csi2_tx_frame_cb(tx, &src, lumen_soc_burst_cb,
				       lumen_soc_pad_sink(soc, 2));
		if (!lumen_soc_dma_dequeue(soc, 0, 0, &f))
			lumen_soc_dma_release(soc, 0, f);
	}
	t1 = now();
	lumen_soc_dma_counters(soc, 0, &d);
	printf("soc_chain_2560x1440_raw10_2lane: %.1f ms/frame\n",
	       (t1 - t0) * 1e3 / FRAMES);
	printf("soc_frames_delivered: %llu of %d\n",
	       (unsigned long long)d.delivered, FRAMES);
	lumen_csi2_tx_destroy(tx);
	lumen_frame_free(&src);
	lumen_soc_destroy(soc);
	return d.delivered == FRAMES ? 0 : 1;
}

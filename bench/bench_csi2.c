// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CSI-2 packet layer throughput: one 2560x1440 RAW10 frame (the SC4336P
 * mode) sent from a BAYER16 frame over 2 lanes into link buffers, and
 * received back into a BAYER16 frame. MB/s counts RAW10 payload bytes
 * (10^6 bytes), so both figures compare with a link rate directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/frame.h"
#include "link/csi2.h"

#define W 2560
#define H 1440
#define LANES 2

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct pool {
	struct lumen_frame f;
	int ok;
};

static struct lumen_frame *pool_get(void *opaque)
{
	return &((struct pool *)opaque)->f;
}

static void pool_put(void *opaque, struct lumen_frame *f, bool ok)
{
	(void)f;
	((struct pool *)opaque)->ok += ok;
}

int main(void)
{
	struct lumen_frame src;
	struct pool pool = { 0 };
	struct lumen_csi2_tx_config tc = {
		.nlanes = LANES, .dt = LUMEN_CSI2_DT_RAW10, .max_width = W,
	};
	struct lumen_csi2_rx_config rc = {
		.nlanes = LANES, .dt = LUMEN_CSI2_DT_RAW10, .width = W, .height = H,
		.pool = { pool_get, pool_put, &pool },
	};
	struct lumen_csi2_link link = { .nlanes = LANES };
	struct lumen_csi2_tx *tx;
	struct lumen_csi2_rx *rx;
	double payload = (double)W * H * 10 / 8, t0, t_tx = 0, t_rx = 0;
	unsigned seed = 1;
	int n = 0, ret = 1;

	if (lumen_frame_alloc(&src, LUMEN_PIX_BAYER16, W, H) ||
	    lumen_frame_alloc(&pool.f, LUMEN_PIX_BAYER16, W, H))
		return 1;
	for (int y = 0; y < H; y++) {
		uint16_t *row = (uint16_t *)(void *)(src.data[0] + (size_t)y * src.stride[0]);

		for (int x = 0; x < W; x++) {
			seed = seed * 1103515245u + 12345u;
			row[x] = (uint16_t)(seed >> 16 & 0x3FF);
		}
	}
	if (lumen_csi2_tx_create(&tc, &tx) || lumen_csi2_rx_create(&rc, &rx))
		return 1;
	link.lane_cap = lumen_csi2_tx_lane_bytes(tx, W, H);
	link.burst_cap = lumen_csi2_tx_bursts(tx, H);
	link.burst_end = malloc(link.burst_cap * sizeof(*link.burst_end));
	for (int l = 0; l < LANES; l++)
		link.lane[l] = malloc(link.lane_cap);

	/* one warm-up frame, then at least 1 s of each */
	while (n < 2 || t_tx < 1.0 || t_rx < 1.0) {
		lumen_csi2_link_clear(&link);
		t0 = now();
		if (lumen_csi2_tx_frame(tx, &src, &link))
			goto out;
		if (n)
			t_tx += now() - t0;
		t0 = now();
		lumen_csi2_rx_link(rx, &link);
		if (n)
			t_rx += now() - t0;
		n++;
	}
	if (pool.ok != n)
		goto out;
	printf("csi2.tx.throughput: %.0f MB/s\n", payload * (n - 1) / t_tx / 1e6);
	printf("csi2.rx.throughput: %.0f MB/s\n", payload * (n - 1) / t_rx / 1e6);
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "bench_csi2: round trip failed\n");
	lumen_csi2_rx_destroy(rx);
	lumen_csi2_tx_destroy(tx);
	for (int l = 0; l < LANES; l++)
		free(link.lane[l]);
	free(link.burst_end);
	lumen_frame_free(&src);
	lumen_frame_free(&pool.f);
	return ret;
}

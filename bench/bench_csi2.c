// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CSI-2 packet layer throughput, and the virtual sensor's whole cost per
 * frame: one 2560x1440 RAW10 frame (the SC4336P mode) over 2 lanes.
 *
 *   csi2.tx/rx.throughput   buffer mode (tx into link buffers, rx from
 *                           them), RAW10 payload MB/s (10^6 bytes)
 *   virt.*_ms               ms per frame of each piece on its own, and
 *   virt.frame_ms           the whole of it as the virtual board runs it:
 *                           the scene rendered for a new frame (same
 *                           exposure: the steady state), sent in callback
 *                           mode straight into the receiver, unpacked
 *
 * Times are the minimum over several runs of the calling thread's CPU
 * time (other load on a shared machine inflates the rest), so they compare
 * with a one-core budget.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/frame.h"
#include "core/pack.h"
#include "link/csi2.h"
#include "virt/scene.h"

#define W 2560
#define H 1440
#define LANES 2
#define RUNS 7

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
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

static const struct lumen_sensor_model model = {
	.cam_from_xyz = { { 0.60, 0.50, 0.05 }, { 0.10, 0.90, 0.10 },
			  { 0.00, 0.20, 0.80 } },
	.electrons_per_unit = 100000, .full_well_e = 10000, .read_noise_e = 3,
	.bits = 10, .black = 64, .corner_illumination = 0.6,
};

static uint16_t *row16(const struct lumen_frame *f, int y)
{
	return (uint16_t *)(void *)(f->data[0] + (size_t)y * f->stride[0]);
}

#define MIN_OF_RUNS(best, ...)						\
	do {								\
		(best) = 1e9;						\
		for (int r_ = 0; r_ < RUNS; r_++) {			\
			double t0_ = cpu_now(), t_;			\
			__VA_ARGS__;					\
			t_ = cpu_now() - t0_;				\
			if (t_ < (best))				\
				(best) = t_;				\
		}							\
	} while (0)

/* The pieces one by one, and the whole frame. */
static int pieces(struct lumen_csi2_tx *tx, struct lumen_csi2_rx *rx,
		  struct pool *pool)
{
	struct lumen_scene_config sc = {
		.kind = LUMEN_SCENE_CHART, .width = W, .height = H, .light = 1,
	};
	struct lumen_render_params p = {
		.exposure_s = 0.02, .analog_gain = 2, .digital_gain = 1,
		.bayer = LUMEN_BAYER_BGGR,
	};
	size_t pb = lumen_raw10_bytes(W), plen = lumen_csi2_packet_len(
		LUMEN_CSI2_DT_RAW10, (unsigned)pb);
	uint8_t *packed = malloc(pb * H), *pkt = malloc(plen + 8);
	uint8_t *lane[LANES];
	struct lumen_scene *scene;
	struct lumen_frame f;
	char err[256];
	double t, t_render;
	volatile unsigned sink = 0;
	uint64_t fi = 0;
	int ok0;

	for (int l = 0; l < LANES; l++)
		lane[l] = malloc(lumen_csi2_lane_burst_len(plen, LANES));
	if (!packed || !pkt || lumen_frame_alloc(&f, LUMEN_PIX_BAYER16, W, H) ||
	    lumen_scene_create(&sc, &scene, err, sizeof(err)))
		return 1;

	/* a new exposure every frame: the scene is rendered in full */
	MIN_OF_RUNS(t, {
		p.exposure_s = 0.02 + 1e-4 * r_;
		p.frame_index = fi++;
		lumen_scene_render(scene, &model, &p, &f);
	});
	printf("virt.render_ms: %.2f ms (new exposure)\n", t * 1e3);
	/* the same exposure: a new frame of noise */
	lumen_scene_render(scene, &model, &p, &f);
	MIN_OF_RUNS(t, {
		p.frame_index = fi++;
		lumen_scene_render(scene, &model, &p, &f);
	});
	t_render = t;
	printf("virt.noise_ms: %.2f ms (same exposure, next frame)\n", t * 1e3);

	MIN_OF_RUNS(t, {
		for (int y = 0; y < H; y++)
			lumen_pack_raw10(row16(&f, y), packed + pb * (size_t)y, W);
	});
	printf("virt.pack_ms: %.2f ms (RAW10, tx)\n", t * 1e3);
	MIN_OF_RUNS(t, {
		for (int y = 0; y < H; y++)
			sink += lumen_csi2_crc16(packed + pb * (size_t)y, pb);
	});
	printf("virt.crc_ms: %.2f ms (one side; tx and rx each pay it)\n", t * 1e3);
	MIN_OF_RUNS(t, {
		for (int y = 0; y < H + 2; y++) {
			struct lumen_csi2_header h = { 0, LUMEN_CSI2_DT_RAW10,
						       (uint16_t)(pb + (size_t)y) };
			uint8_t hdr[4];

			lumen_csi2_header_build(&h, hdr);
			sink += lumen_csi2_header_parse(hdr, &h, NULL) + h.wc;
		}
	});
	printf("virt.ecc_ms: %.3f ms (build + check, every packet)\n", t * 1e3);
	MIN_OF_RUNS(t, {
		for (int y = 0; y < H; y++)
			lumen_csi2_distribute(packed + pb * (size_t)y, plen - 6,
					      LANES, lane);
	});
	printf("virt.lanes_ms: %.2f ms (tx distribution over %d lanes)\n",
	       t * 1e3, LANES);
	MIN_OF_RUNS(t, {
		for (int y = 0; y < H; y++)
			lumen_unpack_raw10(packed + pb * (size_t)y, row16(&pool->f, y), W);
	});
	printf("virt.unpack_ms: %.2f ms (RAW10, rx)\n", t * 1e3);

	{
		double tx_best = 1e9, rx_best = 1e9;
		struct lumen_csi2_link link = { .nlanes = LANES };

		link.lane_cap = lumen_csi2_tx_lane_bytes(tx, W, H);
		link.burst_cap = lumen_csi2_tx_bursts(tx, H);
		link.burst_end = malloc(link.burst_cap * sizeof(*link.burst_end));
		for (int l = 0; l < LANES; l++)
			link.lane[l] = malloc(link.lane_cap);
		for (int r = 0; r < RUNS; r++) {
			double t0;

			lumen_csi2_link_clear(&link);
			t0 = cpu_now();
			if (lumen_csi2_tx_frame(tx, &f, &link))
				return 1;
			t = cpu_now() - t0;
			tx_best = t < tx_best ? t : tx_best;
			t0 = cpu_now();
			lumen_csi2_rx_link(rx, &link);
			t = cpu_now() - t0;
			rx_best = t < rx_best ? t : rx_best;
		}
		printf("virt.tx_ms: %.2f ms (whole transmitter: pack, CRC, ECC, lanes)\n",
		       tx_best * 1e3);
		printf("virt.rx_ms: %.2f ms (whole receiver: merge, ECC, CRC check, unpack)\n",
		       rx_best * 1e3);
		for (int l = 0; l < LANES; l++)
			free(link.lane[l]);
		free(link.burst_end);
	}

	ok0 = pool->ok;
	MIN_OF_RUNS(t, {
		p.frame_index = fi++;
		lumen_scene_render(scene, &model, &p, &f);
		lumen_csi2_tx_frame_cb(tx, &f, lumen_csi2_rx_burst_cb, rx);
	});
	if (pool->ok - ok0 != RUNS) {
		fprintf(stderr, "bench_csi2: frames lost in the callback path\n");
		return 1;
	}
	printf("virt.link_ms: %.2f ms (tx -> rx in callback mode)\n",
	       (t - t_render) * 1e3);
	printf("virt.frame_ms: %.2f ms (scene noise + tx + rx, one core; "
	       "budget 6 ms)\n", t * 1e3);

	(void)sink;
	lumen_scene_destroy(scene);
	lumen_frame_free(&f);
	for (int l = 0; l < LANES; l++)
		free(lane[l]);
	free(pkt);
	free(packed);
	return 0;
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
		uint16_t *row = row16(&src, y);

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
	ret = pieces(tx, rx, &pool);
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

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sensor pads and CSI-2 receivers of the reference SoC. Each pad has a
 * D-PHY whose activity is always counted; the packet layer (link/csi2_rx.c)
 * only runs once software configured the pad's receiver. Complete frames
 * go to the VIF channels reading that pad.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "soc/soc_priv.h"

/* ---- the receiver's frame source: one staging frame per pad ------------- */

/*
 * The staging frame keeps the payload as it came off the wire: MIPI RAW10
 * and RAW12 packed, RAW8 as bytes (as unicam or rkisp1 write CSI-2 data to
 * memory); other data types are widened to 16 bits.
 */
enum lumen_pixfmt soc_rx_stage_fmt(uint8_t dt)
{
	switch (dt) {
	case LUMEN_CSI2_DT_RAW8:
		return LUMEN_PIX_BAYER8;
	case LUMEN_CSI2_DT_RAW10:
		return LUMEN_PIX_BAYER10P;
	case LUMEN_CSI2_DT_RAW12:
		return LUMEN_PIX_BAYER12P;
	default:
		return LUMEN_PIX_BAYER16;
	}
}

/* The dummy frame of @p, its one row allocated on first use; false
 * without memory (the receiver then counts a frame with no buffer). */
static bool dummy_make(struct soc_pad *p)
{
	uint8_t *row = p->dummy.data[0];

	if (!row && !(row = malloc(p->stage.stride[0])))
		return false;
	p->dummy = p->stage;
	p->dummy.data[0] = row;
	p->dummy.stride[0] = 0;
	return true;
}

/* Runs inside lumen_csi2_rx_burst() at FS, i.e. with soc->lock held. */
static struct lumen_frame *stage_get(void *opaque)
{
	struct soc_pad *p = opaque;
	int ch;

	if (p->stage_busy)
		return NULL;
	/* straight into the DMA buffer when the VIF takes the whole frame
	 * and a buffer is free; else staged and copied at FE, as before */
	ch = soc_vif_direct_channel(p->soc, p->index);
	if (ch >= 0) {
		bool none_free;

		p->direct = soc_dma_take_direct(p->soc, ch, p->stage.fmt,
						p->stage.width, p->stage.height,
						&none_free);
		if (p->direct) {
			p->direct_ch = ch;
			p->stage_busy = true;
			return p->direct;
		}
		/* no free buffer: the frame goes to the dummy, not to a
		 * staging frame the DMA could not take at FE either */
		if (none_free && dummy_make(p)) {
			p->direct_ch = ch;
			p->stage_busy = true;
			return &p->dummy;
		}
	}
	if (!p->stage.data[0]) {
		struct lumen_frame meta = p->stage;

		/* first staged frame: allocated here, once (NULL: the
		 * receiver counts a frame with no buffer) */
		if (lumen_frame_alloc(&p->stage, meta.fmt, meta.width, meta.height))
			return NULL;
		p->stage.bits = meta.bits;
		p->stage.bayer = meta.bayer;
		p->stage.white = meta.white;
	}
	p->stage_busy = true;
	return &p->stage;
}

/* Runs inside lumen_csi2_rx_burst(), i.e. with soc->lock held. */
static void stage_put(void *opaque, struct lumen_frame *f, bool ok)
{
	struct soc_pad *p = opaque;

	if (f == &p->dummy) {
		if (ok) {
			p->frames_to_vif++;
			soc_vif_frame_direct(p->soc, p->index, p->direct_ch, NULL,
					     &p->stage);
		}
	} else if (f == p->direct) {
		p->direct = NULL;
		if (ok) {
			p->frames_to_vif++;
			soc_vif_frame_direct(p->soc, p->index, p->direct_ch, f,
					     &p->stage);
		} else {
			soc_dma_return_direct(p->soc, p->direct_ch, f);
		}
	} else if (ok) {
		p->frames_to_vif++;
		soc_vif_frame(p->soc, p->index, f);
	}
	p->stage_busy = false;
}

void soc_rx_init(struct lumen_soc *soc)
{
	for (int i = 0; i < LUMEN_SOC_MAX_PADS; i++) {
		soc->pad[i].soc = soc;
		soc->pad[i].index = i;
	}
}

static void rx_release(struct soc_pad *p)
{
	lumen_csi2_rx_destroy(p->rx);	/* hands a held stage back first */
	p->rx = NULL;
	lumen_frame_free(&p->stage);
	free(p->dummy.data[0]);
	memset(&p->dummy, 0, sizeof(p->dummy));
	p->stage_busy = false;
	memset(&p->cfg, 0, sizeof(p->cfg));
	p->frames_to_vif = 0;
}

void soc_rx_fini(struct lumen_soc *soc)
{
	for (int i = 0; i < LUMEN_SOC_MAX_PADS; i++)
		if (soc->pad[i].rx)
			rx_release(&soc->pad[i]);
}

static bool pad_ok(const struct lumen_soc *soc, int pad)
{
	return pad >= 0 && pad < soc->model->npads;
}

int lumen_soc_rx_configure(struct lumen_soc *soc, int pad,
			   const struct lumen_soc_rx_config *cfg, char *err,
			   size_t errlen)
{
	struct lumen_csi2_rx_config rc;
	struct soc_pad *p;
	enum lumen_pixfmt fmt;
	int bpp, ret;

	if (!soc || !cfg)
		return -EINVAL;
	if (!pad_ok(soc, pad))
		return lumen_fail(-EINVAL, err, errlen,
				"MIPI%d: no such sensor pad (%s has pads 0..%d)",
				pad, soc->model->name, soc->model->npads - 1);
	if (cfg->lanes < 1 || cfg->lanes > soc->model->pad_lanes[pad])
		return lumen_fail(-EINVAL, err, errlen,
				"MIPI%d: %d lanes requested, the pad's D-PHY has %d",
				pad, cfg->lanes, soc->model->pad_lanes[pad]);
	bpp = lumen_csi2_dt_bpp(cfg->dt);
	if (!bpp || cfg->vc > 3)
		return lumen_fail(-EINVAL, err, errlen,
				"MIPI%d: unsupported VC %u / data type 0x%02x",
				pad, cfg->vc, cfg->dt);
	if (cfg->width < 1 || cfg->height < 1 || cfg->width > LUMEN_MAX_DIM ||
	    cfg->height > LUMEN_MAX_DIM ||
	    (size_t)cfg->width * (size_t)bpp % 8 ||
	    (size_t)cfg->width * (size_t)bpp / 8 > LUMEN_CSI2_MAX_WC)
		return lumen_fail(-EINVAL, err, errlen,
				"MIPI%d: bad frame size %dx%d for %s", pad,
				cfg->width, cfg->height,
				lumen_csi2_dt_name(cfg->dt));

	fmt = soc_rx_stage_fmt(cfg->dt);
	pthread_mutex_lock(&soc->lock);
	p = &soc->pad[pad];
	if (p->rx)
		rx_release(p);
	/* described now, allocated when a frame first needs staging */
	memset(&p->stage, 0, sizeof(p->stage));
	if (lumen_frame_layout(&p->stage, fmt, cfg->width, cfg->height, 32) < 0) {
		ret = lumen_fail(-EINVAL, err, errlen,
				 "MIPI%d: no layout for a %dx%d frame", pad,
				 cfg->width, cfg->height);
		goto unlock;
	}
	p->stage.bits = bpp;
	p->stage.bayer = cfg->bayer;
	p->stage.white = (uint16_t)((1u << bpp) - 1);
	rc = (struct lumen_csi2_rx_config){
		.nlanes = cfg->lanes, .vc = cfg->vc, .dt = cfg->dt,
		.width = cfg->width, .height = cfg->height,
		.pool = { stage_get, stage_put, p }, .index = pad,
	};
	ret = lumen_csi2_rx_create(&rc, &p->rx);
	if (ret) {
		lumen_fail(ret, err, errlen, "MIPI%d: receiver create failed (%s)",
			 pad, strerror(-ret));
		goto free_stage;
	}
	p->cfg = *cfg;
	pthread_mutex_unlock(&soc->lock);
	return 0;

free_stage:
	lumen_frame_free(&p->stage);
	p->rx = NULL;
unlock:
	pthread_mutex_unlock(&soc->lock);
	return ret;
}

void lumen_soc_rx_unconfigure(struct lumen_soc *soc, int pad)
{
	if (!soc || !pad_ok(soc, pad))
		return;
	pthread_mutex_lock(&soc->lock);
	if (soc->pad[pad].rx)
		rx_release(&soc->pad[pad]);
	pthread_mutex_unlock(&soc->lock);
}

bool lumen_soc_rx_configured(const struct lumen_soc *soc, int pad)
{
	/* a pointer read: the answer may be stale by the time it is used */
	return soc && pad_ok(soc, pad) && soc->pad[pad].rx;
}

bool soc_rx_size(const struct lumen_soc *soc, int pad, int *w, int *h)
{
	if (!pad_ok(soc, pad) || !soc->pad[pad].rx)
		return false;
	*w = soc->pad[pad].cfg.width;
	*h = soc->pad[pad].cfg.height;
	return true;
}

void lumen_soc_pad_burst(struct lumen_soc *soc, int pad,
			 const uint8_t *const lane[], int nlanes, size_t len)
{
	struct soc_pad *p;
	int wired;

	if (!soc || !pad_ok(soc, pad) || nlanes < 0)
		return;
	wired = soc->model->pad_lanes[pad];
	if (nlanes > wired)
		nlanes = wired;	/* the sensor drives lanes this pad lacks */
	pthread_mutex_lock(&soc->lock);
	p = &soc->pad[pad];
	p->phy.hs_bursts++;
	for (int l = 0; l < nlanes; l++)
		if (lane[l]) {
			p->phy.bytes += len;
			if (len && lane[l][0] == LUMEN_CSI2_SYNC)
				p->phy.lane_hs[l]++;
		}
	if (p->rx)
		lumen_csi2_rx_burst(p->rx, lane, nlanes, len);
	else
		p->phy.unclaimed++;
	pthread_mutex_unlock(&soc->lock);
}

void lumen_soc_pad_link(struct lumen_soc *soc, int pad,
			const struct lumen_csi2_link *link)
{
	size_t start = 0;

	for (size_t b = 0; b < link->nbursts; b++) {
		const uint8_t *lanes[LUMEN_CSI2_MAX_LANES] = { NULL };
		size_t end = link->burst_end[b];

		for (int l = 0; l < link->nlanes && l < LUMEN_CSI2_MAX_LANES; l++)
			if (!(link->dead_mask >> l & 1))
				lanes[l] = link->lane[l] + start;
		lumen_soc_pad_burst(soc, pad, lanes, link->nlanes, end - start);
		start = end;
	}
}

void *lumen_soc_pad_sink(struct lumen_soc *soc, int pad)
{
	if (!soc || !pad_ok(soc, pad))
		return NULL;
	return &soc->pad[pad];
}

int lumen_soc_burst_cb(void *sink, const uint8_t *const lane[], int nlanes,
		       size_t len)
{
	struct soc_pad *p = sink;

	if (p)
		lumen_soc_pad_burst(p->soc, p->index, lane, nlanes, len);
	return 0;
}

int lumen_soc_rx_counters(struct lumen_soc *soc, int pad,
			  struct lumen_soc_rx_counters *out)
{
	struct soc_pad *p;

	if (!soc || !out || !pad_ok(soc, pad))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&soc->lock);
	p = &soc->pad[pad];
	out->configured = p->rx != NULL;
	out->lanes = p->rx ? p->cfg.lanes : 0;
	out->phy = p->phy;
	if (p->rx)
		lumen_csi2_rx_counters(p->rx, &out->rx);
	out->frames_to_vif = p->frames_to_vif;
	pthread_mutex_unlock(&soc->lock);
	return 0;
}

/* ---- status text -------------------------------------------------------- */

/* A pad without a receiver reads like the SigmaStar one: all zero. */
static const char *const zero_keys[] = {
	"IDEAL_RECV_SIZE = 0, 0", "CUR_RECV_SIZE = 0, 0", "FRAME_NUM = 0",
	"FS_CNT = 0", "FE_CNT = 0", "LS_CNT = 0, LE_CNT = 0", "LINE_CNT = 0",
	"FRAME_OK = 0", "FRAME_DROP = 0", "SOT_SYNC_ERR = 0",
	"ECC_CORRECTED = 0", "ECC_ERR = 0", "CRC_ERR = 0",
};

static void phy_lines(struct soc_text *t, const struct soc_pad *p, int wired)
{
	soc_printf(t, "PHY_HS_CNT = %" PRIu64 "\n", p->phy.hs_bursts);
	soc_printf(t, "PHY_LANE_HS =");
	for (int l = 0; l < wired; l++)
		soc_printf(t, " %" PRIu64, p->phy.lane_hs[l]);
	soc_printf(t, "\n");
}

static void dump_sigmastar(struct lumen_soc *soc, struct soc_text *t)
{
	char tmp[2048];

	soc_printf(t, "# cat /sys/devices/virtual/mstar/csi/csi_info\n");
	for (int i = 0; i < soc->model->npads; i++) {
		struct soc_pad *p = &soc->pad[i];

		if (p->rx) {
			lumen_csi2_rx_dump(p->rx, tmp, sizeof(tmp));
			soc_printf(t, "%s", tmp);
		} else {
			soc_printf(t, "== MIPI%d info ==\nLANE_NUM = 0\n", i);
			for (size_t k = 0; k < sizeof(zero_keys) / sizeof(*zero_keys); k++)
				soc_printf(t, "%s\n", zero_keys[k]);
		}
		phy_lines(t, p, soc->model->pad_lanes[i]);
	}
}

/* Modelled: the T31's CSI node prints little; these keys are ours. */
static void dump_ingenic(struct lumen_soc *soc, struct soc_text *t)
{
	struct lumen_csi2_rx_counters c;

	soc_printf(t, "# cat /proc/jz/isp/isp-w01\n");
	for (int i = 0; i < soc->model->npads; i++) {
		struct soc_pad *p = &soc->pad[i];

		memset(&c, 0, sizeof(c));
		if (p->rx)
			lumen_csi2_rx_counters(p->rx, &c);
		soc_printf(t,
			"csi%d: %s, lanes %d, phy hs %" PRIu64 "\n"
			"  size ideal %dx%d current %dx%d\n"
			"  frame start %" PRIu64 " end %" PRIu64 " ok %" PRIu64
			" drop %" PRIu64 "\n"
			"  sot err %" PRIu64 ", ecc 1bit %" PRIu64 ", ecc 2bit %"
			PRIu64 ", crc err %" PRIu64 "\n"
			"  short line %" PRIu64 ", long line %" PRIu64 "\n",
			i, p->rx ? "enabled" : "disabled",
			p->rx ? p->cfg.lanes : 0, p->phy.hs_bursts,
			c.ideal_w, c.ideal_h, c.cur_w, c.cur_h, c.frame_start,
			c.frame_end, c.frames_ok, c.frames_dropped,
			c.sot_errors, c.ecc_corrected, c.ecc_uncorrectable,
			c.crc_errors, c.short_lines, c.long_lines);
	}
}

/* rkisp1 keeps one mipi_error count in debugfs; the rest is ours. */
static void dump_rockchip(struct lumen_soc *soc, struct soc_text *t)
{
	struct lumen_csi2_rx_counters c;

	uint64_t sum = 0;

	soc_printf(t, "# grep . /sys/kernel/debug/rkisp1/mipi*\n");
	for (int i = 0; i < soc->model->npads; i++)
		if (soc->pad[i].rx) {
			lumen_csi2_rx_counters(soc->pad[i].rx, &c);
			sum += c.ecc_uncorrectable + c.crc_errors + c.sot_errors;
		}
	/* the one real rkisp1 name: MIPI error interrupts, all causes */
	soc_printf(t, "/sys/kernel/debug/rkisp1/mipi_error:%" PRIu64 "\n", sum);
	for (int i = 0; i < soc->model->npads; i++) {
		struct soc_pad *p = &soc->pad[i];

		memset(&c, 0, sizeof(c));
		if (p->rx)
			lumen_csi2_rx_counters(p->rx, &c);
		soc_printf(t,
			"/sys/kernel/debug/rkisp1/mipi%d_error:%" PRIu64 "\n"
			"/sys/kernel/debug/rkisp1/mipi%d_sot_error:%" PRIu64 "\n"
			"/sys/kernel/debug/rkisp1/mipi%d_frame_start:%" PRIu64 "\n"
			"/sys/kernel/debug/rkisp1/mipi%d_phy_hs:%" PRIu64 "\n",
			i, c.ecc_uncorrectable + c.crc_errors, i, c.sot_errors,
			i, c.frame_start, i, p->phy.hs_bursts);
	}
}

void soc_rx_dump(struct lumen_soc *soc, struct soc_text *t)
{
	switch (soc->model->flavour) {
	case LUMEN_SOC_SIGMASTAR:
		dump_sigmastar(soc, t);
		break;
	case LUMEN_SOC_INGENIC:
		dump_ingenic(soc, t);
		break;
	case LUMEN_SOC_ROCKCHIP:
		dump_rockchip(soc, t);
		break;
	}
}

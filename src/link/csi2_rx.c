// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CSI-2 receiver: the SoC side of the virtual board. Merges the lanes of a
 * burst, finds the SoT sync, corrects headers with the ECC, checks payload
 * CRCs, assembles lines between FS and FE into frames from the caller's pool
 * and counts every symptom. It never labels a fault: a wrong lane count
 * shows up the way it does on hardware, as SoT or ECC errors and no frame.
 */
#include "link/csi2.h"
#include "link/csi2_dsp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pack.h"

struct lumen_csi2_rx {
	struct lumen_csi2_rx_config cfg;
	struct lumen_csi2_rx_counters cnt;
	int bpp;
	size_t line_wc;			/* expected payload bytes per line */

	/* frame assembly */
	bool in_frame;
	bool bad;			/* something went wrong in this frame */
	struct lumen_frame *cur;	/* pool frame being filled, or NULL */
	int line;			/* video lines seen since FS */
	int last_w;			/* pixels in the last video line */
	uint16_t fnum;			/* frame number of the FS */

	uint8_t merge[LUMEN_CSI2_MAX_PACKET + LUMEN_CSI2_MAX_LANES];
};

int lumen_csi2_rx_create(const struct lumen_csi2_rx_config *cfg,
			 struct lumen_csi2_rx **out)
{
	struct lumen_csi2_rx *rx;
	int bpp = lumen_csi2_dt_bpp(cfg->dt);

	if (cfg->nlanes < 1 || cfg->nlanes > LUMEN_CSI2_MAX_LANES ||
	    cfg->vc > 3 || !bpp || cfg->width < 1 || cfg->height < 1 ||
	    cfg->width > LUMEN_MAX_DIM || cfg->height > LUMEN_MAX_DIM ||
	    (size_t)cfg->width * (size_t)bpp / 8 > LUMEN_CSI2_MAX_WC ||
	    (size_t)cfg->width * (size_t)bpp % 8 ||
	    !cfg->pool.get || !cfg->pool.put)
		return -EINVAL;
	rx = calloc(1, sizeof(*rx));
	if (!rx)
		return -ENOMEM;
	rx->cfg = *cfg;
	rx->bpp = bpp;
	rx->line_wc = (size_t)cfg->width * (size_t)bpp / 8;
	lumen_csi2_rx_reset_counters(rx);
	*out = rx;
	return 0;
}

static void end_frame(struct lumen_csi2_rx *rx, bool ok)
{
	if (ok) {
		rx->cnt.frames_ok++;
		rx->cur->bits = rx->bpp;
		rx->cur->sequence = rx->cnt.frame_start;
		rx->cfg.pool.put(rx->cfg.pool.opaque, rx->cur, true);
	} else {
		rx->cnt.frames_dropped++;
		if (rx->cur)
			rx->cfg.pool.put(rx->cfg.pool.opaque, rx->cur, false);
	}
	rx->cur = NULL;
	rx->in_frame = false;
}

void lumen_csi2_rx_destroy(struct lumen_csi2_rx *rx)
{
	if (!rx)
		return;
	if (rx->cur)
		rx->cfg.pool.put(rx->cfg.pool.opaque, rx->cur, false);
	free(rx);
}

void lumen_csi2_rx_counters(const struct lumen_csi2_rx *rx,
			    struct lumen_csi2_rx_counters *out)
{
	*out = rx->cnt;
}

void lumen_csi2_rx_reset_counters(struct lumen_csi2_rx *rx)
{
	memset(&rx->cnt, 0, sizeof(rx->cnt));
	rx->cnt.ideal_w = rx->cfg.width;
	rx->cnt.ideal_h = rx->cfg.height;
}

/* A pool frame we can write lines of this DT into. */
static bool frame_fits(const struct lumen_csi2_rx *rx,
		       const struct lumen_frame *f)
{
	if (f->width != rx->cfg.width || f->height != rx->cfg.height ||
	    !f->data[0])
		return false;
	switch (f->fmt) {
	case LUMEN_PIX_BAYER16:
		/* stride 0: a dummy buffer, every line onto one row */
		return !f->stride[0] || f->stride[0] >= 2 * (size_t)f->width;
	case LUMEN_PIX_BAYER8:
		return rx->cfg.dt == LUMEN_CSI2_DT_RAW8;
	case LUMEN_PIX_BAYER10P:
		return rx->cfg.dt == LUMEN_CSI2_DT_RAW10;
	case LUMEN_PIX_BAYER12P:
		return rx->cfg.dt == LUMEN_CSI2_DT_RAW12;
	default:
		return false;
	}
}

static void start_frame(struct lumen_csi2_rx *rx, uint16_t fnum)
{
	rx->cnt.frame_start++;
	if (rx->in_frame) {
		/* the FE of the previous frame never came */
		rx->cnt.fs_without_fe++;
		end_frame(rx, false);
	}
	rx->in_frame = true;
	rx->bad = false;
	rx->line = 0;
	rx->last_w = 0;
	rx->fnum = fnum;
	rx->cur = rx->cfg.pool.get(rx->cfg.pool.opaque);
	if (rx->cur && !frame_fits(rx, rx->cur)) {
		rx->cfg.pool.put(rx->cfg.pool.opaque, rx->cur, false);
		rx->cur = NULL;
	}
	if (!rx->cur)
		rx->cnt.no_buffer++;
}

static void finish_frame(struct lumen_csi2_rx *rx, uint16_t fnum)
{
	rx->cnt.frame_end++;
	if (!rx->in_frame) {
		rx->cnt.fe_without_fs++;
		return;
	}
	if (fnum != rx->fnum) {
		rx->cnt.frame_number_errors++;
		rx->bad = true;
	}
	if (rx->line < rx->cfg.height) {
		rx->cnt.missing_lines += (uint64_t)(rx->cfg.height - rx->line);
		rx->bad = true;
	}
	rx->cnt.cur_w = rx->last_w;
	rx->cnt.cur_h = rx->line;
	rx->cnt.last_frame_number = rx->fnum;
	end_frame(rx, !rx->bad && rx->cur);
}

/* Stores a verified line of exactly line_wc bytes. */
static void store_line(struct lumen_csi2_rx *rx, const uint8_t *p)
{
	struct lumen_frame *f = rx->cur;
	uint8_t *row = f->data[0] + (size_t)rx->line * f->stride[0];
	uint16_t *row16 = (uint16_t *)(void *)row;
	size_t w = (size_t)f->width;

	if (f->fmt != LUMEN_PIX_BAYER16) {
		memcpy(row, p, rx->line_wc);
		return;
	}
	switch (rx->cfg.dt) {
	case LUMEN_CSI2_DT_RAW10:
		lumen_unpack_raw10(p, row16, w);
		break;
	case LUMEN_CSI2_DT_RAW12:
		lumen_unpack_raw12(p, row16, w);
		break;
	default:
		for (size_t x = 0; x < w; x++)
			row16[x] = p[x];
		break;
	}
}

/* A long packet of our VC and DT, complete in the burst. */
static void video_line(struct lumen_csi2_rx *rx, const uint8_t *payload,
		       size_t wc)
{
	bool good = true;

	rx->cnt.lines++;
	if (!rx->in_frame) {
		rx->cnt.lines_outside_frame++;
		return;
	}
	if (lumen_csi2_crc16(payload, wc) !=
	    (uint16_t)(payload[wc] | payload[wc + 1] << 8)) {
		rx->cnt.crc_errors++;
		good = false;
	}
	rx->last_w = (int)(wc * 8 / (size_t)rx->bpp);
	if (wc < rx->line_wc) {
		rx->cnt.short_lines++;
		good = false;
	} else if (wc > rx->line_wc) {
		rx->cnt.long_lines++;
		good = false;
	}
	if (rx->line >= rx->cfg.height) {
		rx->cnt.extra_lines++;
		good = false;
	}
	if (!good)
		rx->bad = true;
	else if (!rx->bad && rx->cur)
		store_line(rx, payload);
	rx->line++;
}

/*
 * Parses the packet at @p with @avail merged bytes behind it. Returns the
 * bytes it used, or 0 when the rest of the burst must be dropped (header
 * beyond repair, or a packet longer than the burst).
 */
static size_t parse_packet(struct lumen_csi2_rx *rx, const uint8_t *p,
			   size_t avail)
{
	struct lumen_csi2_header h;
	size_t need;

	switch (lumen_csi2_header_parse(p, &h, NULL)) {
	case LUMEN_CSI2_ECC_UNCORRECTABLE:
		/* packet boundaries are lost until the next SoT */
		rx->cnt.ecc_uncorrectable++;
		return 0;
	case LUMEN_CSI2_ECC_CORRECTED:
		rx->cnt.ecc_corrected++;
		break;
	default:
		break;
	}
	rx->cnt.packets++;
	need = lumen_csi2_packet_len(h.dt, h.wc);

	if (h.vc != rx->cfg.vc) {
		rx->cnt.other_vc++;
		return need <= avail ? need : 0;
	}
	if (lumen_csi2_dt_is_short(h.dt)) {
		switch (h.dt) {
		case LUMEN_CSI2_DT_FS:
			start_frame(rx, h.wc);
			break;
		case LUMEN_CSI2_DT_FE:
			finish_frame(rx, h.wc);
			break;
		case LUMEN_CSI2_DT_LS:
			rx->cnt.line_start++;
			break;
		case LUMEN_CSI2_DT_LE:
			rx->cnt.line_end++;
			break;
		default:
			break;	/* generic short packets carry nothing for us */
		}
		return need;
	}
	if (h.dt != rx->cfg.dt) {
		rx->cnt.unknown_dt++;
		return need <= avail ? need : 0;
	}
	if (need > avail) {
		/* EoT came before WC + CRC bytes: the line is short */
		rx->cnt.truncated_packets++;
		rx->cnt.lines++;
		if (rx->in_frame) {
			rx->cnt.short_lines++;
			rx->last_w = (int)((avail - LUMEN_CSI2_HDR_LEN) * 8 /
					   (size_t)rx->bpp);
			rx->bad = true;
			rx->line++;
		} else {
			rx->cnt.lines_outside_frame++;
		}
		return 0;
	}
	video_line(rx, p + LUMEN_CSI2_HDR_LEN, h.wc);
	return need;
}

void lumen_csi2_rx_burst(struct lumen_csi2_rx *rx, const uint8_t *const lane[],
			 int present, size_t len)
{
	int n = rx->cfg.nlanes;
	size_t per, total, pos = 0;
	const uint8_t *p;

	rx->cnt.bursts++;
	/* every lane we listen to must start its burst with the sync byte */
	for (int l = 0; l < n; l++)
		if (l >= present || !lane[l] || len < 1 ||
		    lane[l][0] != LUMEN_CSI2_SYNC) {
			rx->cnt.sot_errors++;
			return;
		}
	per = len - 1;
	if (n == 1) {
		p = lane[0] + 1;
		total = per;
	} else {
		size_t cap = sizeof(rx->merge) / (size_t)n;
		uint8_t *restrict m = rx->merge;

		if (per > cap)
			per = cap;	/* longer than any packet: keep the head */
		if (n == 2) {
			const uint8_t *const l2[2] = { lane[0] + 1, lane[1] + 1 };

			lumen_csi2_dsp()->merge2(l2, per, m);
		} else if (n == 4) {
			const uint8_t *const l4[4] = { lane[0] + 1, lane[1] + 1,
						       lane[2] + 1, lane[3] + 1 };

			lumen_csi2_dsp()->merge4(l4, per, m);
		} else {
			for (size_t j = 0; j < per; j++)
				for (int l = 0; l < n; l++)
					m[j * (size_t)n + (size_t)l] = lane[l][1 + j];
		}
		p = m;
		total = per * (size_t)n;
	}
	/* lane padding is shorter than a header, so this stops at the end */
	while (total - pos >= LUMEN_CSI2_HDR_LEN) {
		size_t used = parse_packet(rx, p + pos, total - pos);

		if (!used)
			break;
		pos += used;
	}
}

void lumen_csi2_rx_link(struct lumen_csi2_rx *rx,
			const struct lumen_csi2_link *link)
{
	size_t start = 0;

	for (size_t b = 0; b < link->nbursts; b++) {
		const uint8_t *lanes[LUMEN_CSI2_MAX_LANES] = { NULL };
		size_t end = link->burst_end[b];

		for (int l = 0; l < link->nlanes; l++)
			if (!(link->dead_mask >> l & 1))
				lanes[l] = link->lane[l] + start;
		lumen_csi2_rx_burst(rx, lanes, link->nlanes, end - start);
		start = end;
	}
}

int lumen_csi2_rx_burst_cb(void *rx, const uint8_t *const lane[], int nlanes,
			   size_t len)
{
	lumen_csi2_rx_burst(rx, lane, nlanes, len);
	return 0;
}

int lumen_csi2_rx_dump(const struct lumen_csi2_rx *rx, char *buf, size_t size)
{
	const struct lumen_csi2_rx_counters *c = &rx->cnt;

	return snprintf(buf, size,
		"== MIPI%d info ==\n"
		"LANE_NUM = %d\n"
		"VC = %u, DT = 0x%02x (%s)\n"
		"IDEAL_RECV_SIZE = %d, %d\n"
		"CUR_RECV_SIZE = %d, %d\n"
		"FRAME_NUM = %u\n"
		"FS_CNT = %" PRIu64 "\n"
		"FE_CNT = %" PRIu64 "\n"
		"LS_CNT = %" PRIu64 ", LE_CNT = %" PRIu64 "\n"
		"LINE_CNT = %" PRIu64 "\n"
		"FRAME_OK = %" PRIu64 "\n"
		"FRAME_DROP = %" PRIu64 "\n"
		"SOT_SYNC_ERR = %" PRIu64 "\n"
		"ECC_CORRECTED = %" PRIu64 "\n"
		"ECC_ERR = %" PRIu64 "\n"
		"CRC_ERR = %" PRIu64 "\n"
		"PKT_TRUNCATED = %" PRIu64 "\n"
		"SHORT_LINE = %" PRIu64 ", LONG_LINE = %" PRIu64 "\n"
		"MISSING_LINE = %" PRIu64 ", EXTRA_LINE = %" PRIu64 "\n"
		"FS_NO_FE = %" PRIu64 ", FE_NO_FS = %" PRIu64 ", FRAME_NUM_ERR = %" PRIu64 "\n"
		"LINE_NO_FS = %" PRIu64 "\n"
		"UNKNOWN_DT = %" PRIu64 ", OTHER_VC = %" PRIu64 "\n"
		"NO_BUFFER = %" PRIu64 "\n",
		rx->cfg.index, rx->cfg.nlanes, rx->cfg.vc, rx->cfg.dt,
		lumen_csi2_dt_name(rx->cfg.dt), c->ideal_w, c->ideal_h,
		c->cur_w, c->cur_h, c->last_frame_number, c->frame_start,
		c->frame_end, c->line_start, c->line_end, c->lines,
		c->frames_ok, c->frames_dropped, c->sot_errors,
		c->ecc_corrected, c->ecc_uncorrectable, c->crc_errors,
		c->truncated_packets, c->short_lines, c->long_lines,
		c->missing_lines, c->extra_lines, c->fs_without_fe,
		c->fe_without_fs, c->frame_number_errors,
		c->lines_outside_frame, c->unknown_dt, c->other_vc,
		c->no_buffer);
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CSI-2 transmitter: the sensor side of the virtual board. Turns a raw frame
 * into FS, [LS] line [LE] ..., FE packets, one HS burst each, spread over the
 * lanes; applies the configured faults on the way out.
 */
#include "link/csi2.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/pack.h"

struct lumen_csi2_tx {
	struct lumen_csi2_tx_config cfg;
	uint16_t frame_number;		/* carried by the next FS */
	uint32_t rng;			/* xorshift32 state of the noise */
	uint64_t gap;			/* payload bits until the next flip */
	size_t pkt_cap;
	uint8_t *pkt;			/* one packet being built */
	size_t lane_cap;
	uint8_t *lane_buf[LUMEN_CSI2_MAX_LANES];	/* callback mode */
	/* band mode: the frame between lumen_csi2_tx_frame_start() and
	 * lumen_csi2_tx_frame_end() */
	struct {
		lumen_csi2_burst_fn fn;
		void *opaque;
		uint16_t fnum;
		int next_line;
		bool open;
	} band;
};

/* Where the bursts go: a link (buffer mode) or a callback. */
struct tx_sink {
	struct lumen_csi2_link *link;
	lumen_csi2_burst_fn fn;
	void *opaque;
};

static size_t payload_bytes(unsigned dt, int width)
{
	return (size_t)width * (size_t)lumen_csi2_dt_bpp(dt) / 8;
}

static uint32_t rng_next(struct lumen_csi2_tx *tx)
{
	uint32_t x = tx->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return tx->rng = x;
}

/* Bits to skip before the next flip: geometric with success @p. */
static uint64_t draw_gap(struct lumen_csi2_tx *tx, double p)
{
	double u, g;

	if (p >= 1.0)
		return 0;
	u = ((double)rng_next(tx) + 1.0) / 4294967296.0;	/* (0, 1] */
	g = floor(log(u) / log1p(-p));
	return g > 1e18 ? (uint64_t)1e18 : (uint64_t)g;
}

void lumen_csi2_tx_set_faults(struct lumen_csi2_tx *tx,
			      const struct lumen_csi2_tx_faults *faults)
{
	tx->cfg.faults = *faults;
	tx->rng = faults->seed ? faults->seed : 1;
	if (faults->payload_bit_prob > 0)
		tx->gap = draw_gap(tx, faults->payload_bit_prob);
}

int lumen_csi2_tx_create(const struct lumen_csi2_tx_config *cfg,
			 struct lumen_csi2_tx **out)
{
	struct lumen_csi2_tx *tx;
	size_t wc;

	if (cfg->nlanes < 1 || cfg->nlanes > LUMEN_CSI2_MAX_LANES ||
	    cfg->vc > 3 || !lumen_csi2_dt_bpp(cfg->dt) || cfg->max_width < 1)
		return -EINVAL;
	wc = payload_bytes(cfg->dt, cfg->max_width);
	if (wc > LUMEN_CSI2_MAX_WC)
		return -EINVAL;

	tx = calloc(1, sizeof(*tx));
	if (!tx)
		return -ENOMEM;
	tx->cfg = *cfg;
	tx->frame_number = 1;
	tx->pkt_cap = lumen_csi2_packet_len(cfg->dt, (unsigned)wc) + 8;
	tx->pkt = malloc(tx->pkt_cap);
	if (!tx->pkt)
		goto err_free_tx;
	tx->lane_cap = lumen_csi2_lane_burst_len(tx->pkt_cap, 1);
	for (int l = 0; l < cfg->nlanes; l++) {
		tx->lane_buf[l] = malloc(tx->lane_cap);
		if (!tx->lane_buf[l])
			goto err_free_lanes;
	}
	lumen_csi2_tx_set_faults(tx, &cfg->faults);
	*out = tx;
	return 0;

err_free_lanes:
	for (int l = 0; l < cfg->nlanes; l++)
		free(tx->lane_buf[l]);
	free(tx->pkt);
err_free_tx:
	free(tx);
	return -ENOMEM;
}

void lumen_csi2_tx_destroy(struct lumen_csi2_tx *tx)
{
	if (!tx)
		return;
	for (int l = 0; l < LUMEN_CSI2_MAX_LANES; l++)
		free(tx->lane_buf[l]);
	free(tx->pkt);
	free(tx);
}

uint16_t lumen_csi2_tx_next_frame_number(const struct lumen_csi2_tx *tx)
{
	return tx->frame_number;
}

size_t lumen_csi2_tx_bursts(const struct lumen_csi2_tx *tx, int height)
{
	return 2 + (size_t)height * (tx->cfg.line_sync ? 3 : 1);
}

size_t lumen_csi2_tx_lane_bytes(const struct lumen_csi2_tx *tx, int width,
				int height)
{
	int n = tx->cfg.nlanes;
	size_t shortb = lumen_csi2_lane_burst_len(LUMEN_CSI2_HDR_LEN, n);
	size_t line = lumen_csi2_lane_burst_len(
		lumen_csi2_packet_len(tx->cfg.dt,
				      (unsigned)payload_bytes(tx->cfg.dt, width)), n);

	return 2 * shortb + (size_t)height *
		(line + (tx->cfg.line_sync ? 2 * shortb : 0));
}

/* Flips each of the 32 header bits with the configured probability. */
static void noise_header(struct lumen_csi2_tx *tx, uint8_t *hdr)
{
	double p = tx->cfg.faults.header_bit_prob;
	uint32_t thr;

	if (p <= 0)
		return;
	thr = p >= 1.0 ? UINT32_MAX : (uint32_t)(p * 4294967296.0);
	for (int b = 0; b < 32; b++)
		if (rng_next(tx) < thr)
			hdr[b >> 3] ^= (uint8_t)(1u << (b & 7));
}

/* Flips payload bits: skips geometric gaps, so a clean link costs nothing. */
static void noise_payload(struct lumen_csi2_tx *tx, uint8_t *p, size_t n)
{
	double prob = tx->cfg.faults.payload_bit_prob;
	uint64_t nbits = (uint64_t)n * 8, pos = 0;

	if (prob <= 0)
		return;
	for (;;) {
		if (tx->gap >= nbits - pos) {
			tx->gap -= nbits - pos;
			return;
		}
		pos += tx->gap;
		p[pos >> 3] ^= (uint8_t)(1u << (pos & 7));
		pos++;
		tx->gap = draw_gap(tx, prob);
	}
}

/* Sends @len packet bytes in tx->pkt as one burst. */
static int emit(struct lumen_csi2_tx *tx, size_t len, const struct tx_sink *s)
{
	int n = tx->cfg.nlanes;
	uint32_t dead = tx->cfg.faults.dead_lane_mask;
	size_t bl = lumen_csi2_lane_burst_len(len, n);

	if (s->link) {
		struct lumen_csi2_link *k = s->link;
		uint8_t *lanes[LUMEN_CSI2_MAX_LANES];

		if (k->nlanes != n || k->lane_len + bl > k->lane_cap ||
		    k->nbursts >= k->burst_cap)
			return -ENOSPC;
		for (int l = 0; l < n; l++)
			lanes[l] = k->lane[l] + k->lane_len;
		lumen_csi2_distribute(tx->pkt, len, n, lanes);
		k->lane_len += bl;
		k->burst_end[k->nbursts++] = (uint32_t)k->lane_len;
		k->dead_mask = dead;
		return 0;
	} else {
		const uint8_t *lanes[LUMEN_CSI2_MAX_LANES];

		lumen_csi2_distribute(tx->pkt, len, n, tx->lane_buf);
		for (int l = 0; l < n; l++)
			lanes[l] = (dead >> l & 1) ? NULL : tx->lane_buf[l];
		return s->fn(s->opaque, lanes, n, bl);
	}
}

static int send_short(struct lumen_csi2_tx *tx, unsigned dt, uint16_t data,
		      const struct tx_sink *s)
{
	lumen_csi2_short_packet(tx->cfg.vc, dt, data, tx->pkt);
	noise_header(tx, tx->pkt);
	return emit(tx, LUMEN_CSI2_HDR_LEN, s);
}

/* Writes line @y of @f as packed payload into @dst. */
static void pack_line(const struct lumen_csi2_tx *tx,
		      const struct lumen_frame *f, int y, uint8_t *dst)
{
	const uint8_t *row = f->data[0] + (size_t)y * f->stride[0];
	const uint16_t *row16 = (const uint16_t *)(const void *)row;
	size_t w = (size_t)f->width;

	switch (f->fmt) {
	case LUMEN_PIX_BAYER16:
		if (tx->cfg.dt == LUMEN_CSI2_DT_RAW10)
			lumen_pack_raw10(row16, dst, w);
		else if (tx->cfg.dt == LUMEN_CSI2_DT_RAW12)
			lumen_pack_raw12(row16, dst, w);
		else
			for (size_t x = 0; x < w; x++)
				dst[x] = (uint8_t)row16[x];
		break;
	default:	/* BAYER8, BAYER10P, BAYER12P: already in wire order */
		memcpy(dst, row, payload_bytes(tx->cfg.dt, f->width));
		break;
	}
}

static int check_frame(const struct lumen_csi2_tx *tx,
		       const struct lumen_frame *f)
{
	unsigned dt = tx->cfg.dt;

	if (f->width < 1 || f->width > tx->cfg.max_width || f->height < 1 ||
	    f->height > LUMEN_MAX_DIM || !f->data[0])
		return -EINVAL;
	switch (f->fmt) {
	case LUMEN_PIX_BAYER8:
		return dt == LUMEN_CSI2_DT_RAW8 ? 0 : -EINVAL;
	case LUMEN_PIX_BAYER10P:
		return dt == LUMEN_CSI2_DT_RAW10 ? 0 : -EINVAL;
	case LUMEN_PIX_BAYER12P:
		return dt == LUMEN_CSI2_DT_RAW12 ? 0 : -EINVAL;
	case LUMEN_PIX_BAYER16:
		if ((dt == LUMEN_CSI2_DT_RAW10 && f->width % 4) ||
		    (dt == LUMEN_CSI2_DT_RAW12 && f->width % 2))
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

static bool truncated(const struct lumen_csi2_tx *tx, int y)
{
	const struct lumen_csi2_tx_faults *fl = &tx->cfg.faults;

	return fl->truncate_bytes > 0 &&
	       (fl->truncate_line == -2 || fl->truncate_line == y);
}

/* The rows of @f as lines @first_line.. of the frame being sent. */
static int send_lines(struct lumen_csi2_tx *tx, const struct lumen_frame *f,
		      int first_line, const struct tx_sink *s)
{
	unsigned vc = tx->cfg.vc, dt = tx->cfg.dt;
	uint16_t wc = (uint16_t)payload_bytes(dt, f->width);
	int ret = 0;

	for (int r = 0; !ret && r < f->height; r++) {
		int y = first_line + r;
		uint8_t *payload = tx->pkt + LUMEN_CSI2_HDR_LEN;
		uint16_t sent = wc, hdr_wc = wc;
		size_t len;
		uint16_t crc;

		if (tx->cfg.line_sync) {
			ret = send_short(tx, LUMEN_CSI2_DT_LS, (uint16_t)(y + 1), s);
			if (ret)
				break;
		}
		pack_line(tx, f, r, payload);
		if (truncated(tx, y)) {
			int tb = tx->cfg.faults.truncate_bytes;

			sent = tb >= wc ? 0 : (uint16_t)(wc - tb);
			if (!tx->cfg.faults.truncate_at_eot)
				hdr_wc = sent;
		}
		{
			struct lumen_csi2_header h = { (uint8_t)vc, (uint8_t)dt, hdr_wc };

			lumen_csi2_header_build(&h, tx->pkt);
		}
		crc = lumen_csi2_crc16(payload, sent);
		payload[sent] = (uint8_t)(crc & 0xFF);
		payload[sent + 1] = (uint8_t)(crc >> 8);
		len = LUMEN_CSI2_HDR_LEN + (size_t)sent +
		      (hdr_wc == sent ? LUMEN_CSI2_CRC_LEN : 0);
		noise_header(tx, tx->pkt);
		noise_payload(tx, payload, len - LUMEN_CSI2_HDR_LEN);
		ret = emit(tx, len, s);
		if (!ret && tx->cfg.line_sync)
			ret = send_short(tx, LUMEN_CSI2_DT_LE, (uint16_t)(y + 1), s);
	}
	return ret;
}

/* Takes the frame number the FS carries. */
static uint16_t take_frame_number(struct lumen_csi2_tx *tx)
{
	uint16_t fnum = tx->frame_number;

	tx->frame_number = fnum == 0xFFFF ? 1 : (uint16_t)(fnum + 1);
	return fnum;
}

static int send_frame(struct lumen_csi2_tx *tx, const struct lumen_frame *f,
		      const struct tx_sink *s)
{
	uint16_t fnum;
	int ret = check_frame(tx, f);

	if (ret)
		return ret;
	fnum = take_frame_number(tx);
	ret = send_short(tx, LUMEN_CSI2_DT_FS, fnum, s);
	if (!ret)
		ret = send_lines(tx, f, 0, s);
	if (!ret)
		ret = send_short(tx, LUMEN_CSI2_DT_FE, fnum, s);
	return ret;
}

int lumen_csi2_tx_frame_start(struct lumen_csi2_tx *tx, lumen_csi2_burst_fn fn,
			      void *opaque)
{
	struct tx_sink s = { .fn = fn, .opaque = opaque };

	if (!tx || !fn)
		return -EINVAL;
	tx->band.fn = fn;
	tx->band.opaque = opaque;
	tx->band.fnum = take_frame_number(tx);
	tx->band.next_line = 0;
	tx->band.open = true;
	return send_short(tx, LUMEN_CSI2_DT_FS, tx->band.fnum, &s);
}

int lumen_csi2_tx_rows(struct lumen_csi2_tx *tx, const struct lumen_frame *band)
{
	struct tx_sink s;
	int ret;

	if (!tx || !band || !tx->band.open)
		return -EINVAL;
	ret = check_frame(tx, band);
	if (ret)
		return ret;
	if (band->height > LUMEN_MAX_DIM - tx->band.next_line)
		return -EINVAL;
	s = (struct tx_sink){ .fn = tx->band.fn, .opaque = tx->band.opaque };
	ret = send_lines(tx, band, tx->band.next_line, &s);
	tx->band.next_line += band->height;
	return ret;
}

int lumen_csi2_tx_frame_end(struct lumen_csi2_tx *tx)
{
	struct tx_sink s;

	if (!tx || !tx->band.open)
		return -EINVAL;
	tx->band.open = false;
	s = (struct tx_sink){ .fn = tx->band.fn, .opaque = tx->band.opaque };
	return send_short(tx, LUMEN_CSI2_DT_FE, tx->band.fnum, &s);
}

int lumen_csi2_tx_frame(struct lumen_csi2_tx *tx, const struct lumen_frame *f,
			struct lumen_csi2_link *link)
{
	struct tx_sink s = { .link = link };

	if (!link || link->nlanes != tx->cfg.nlanes)
		return -EINVAL;
	return send_frame(tx, f, &s);
}

int lumen_csi2_tx_frame_cb(struct lumen_csi2_tx *tx,
			   const struct lumen_frame *f,
			   lumen_csi2_burst_fn fn, void *opaque)
{
	struct tx_sink s = { .fn = fn, .opaque = opaque };

	if (!fn)
		return -EINVAL;
	return send_frame(tx, f, &s);
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MIPI CSI-2 packet layer of the virtual board: the packet format (header,
 * ECC, CRC), the lane model, a transmitter (the sensor side) and a receiver
 * (the SoC side) with the counters a real one exposes.
 *
 * Packet format (CSI-2 v1.x, D-PHY):
 *   long:  DI | WC lo | WC hi | ECC | payload (WC bytes) | CRC lo | CRC hi
 *   short: DI | data lo | data hi | ECC
 * DI = VC[7:6] | DT[5:0]. The ECC is the CSI-2 v1.x Hamming code over the
 * 24 header bits (D0 = DI bit 0 ... D23 = WC bit 15) in ECC[5:0]; ECC[7:6]
 * are sent as 0. (CSI-2 v2.0 reuses ECC[7:6] for the VC extension bits; this
 * layer implements the v1.x form and the receiver ignores ECC[7:6].)
 * The CRC is CRC-16 x^16+x^12+x^5+1, seed 0xFFFF, bits fed LSB first, no
 * final XOR (the catalogue's CRC-16/MCRF4XX), sent LS byte first.
 *
 * Lane model (see docs/csi2.md): every packet is one HS burst. On each lane
 * a burst is the SoT sync byte 0xB8 followed by that lane's share of the
 * packet: byte k of the packet goes to lane k % nlanes. Lanes that run out
 * first are padded with their HS-trail (the complement of their last bit,
 * repeated) so that all lanes of a burst have the same length,
 * 1 + ceil(len / nlanes). The gap between bursts (LP-11 on the wire) is kept
 * out of band, as the burst boundaries of struct lumen_csi2_link or as one
 * callback per burst.
 *
 * Contract: nothing here allocates except the create functions; the data
 * path (send/receive) runs in fixed buffers. Errors are negative errno.
 * A tx or rx handle belongs to one thread at a time.
 */
#ifndef LUMEN_LINK_CSI2_H
#define LUMEN_LINK_CSI2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"

#define LUMEN_CSI2_SYNC		0xB8	/* D-PHY SoT sync sequence 00011101, LSB first */
#define LUMEN_CSI2_MAX_LANES	4
#define LUMEN_CSI2_HDR_LEN	4
#define LUMEN_CSI2_CRC_LEN	2
#define LUMEN_CSI2_MAX_WC	65535
#define LUMEN_CSI2_MAX_PACKET	(LUMEN_CSI2_HDR_LEN + LUMEN_CSI2_MAX_WC + LUMEN_CSI2_CRC_LEN)

/* Data types (include/media/mipi-csi2.h in Linux uses the same values). */
enum lumen_csi2_dt {
	LUMEN_CSI2_DT_FS = 0x00,	/* frame start; WC = frame number */
	LUMEN_CSI2_DT_FE = 0x01,	/* frame end; WC = frame number */
	LUMEN_CSI2_DT_LS = 0x02,	/* line start; WC = line number (optional) */
	LUMEN_CSI2_DT_LE = 0x03,	/* line end */
	LUMEN_CSI2_DT_RAW8 = 0x2A,
	LUMEN_CSI2_DT_RAW10 = 0x2B,
	LUMEN_CSI2_DT_RAW12 = 0x2C,
};

/* DTs 0x00..0x0F are short packets (synchronisation and generic short). */
static inline bool lumen_csi2_dt_is_short(unsigned dt)
{
	return dt < 0x10;
}

/* Bits per pixel of a raw DT, or 0 for one this layer does not carry. */
int lumen_csi2_dt_bpp(unsigned dt);
const char *lumen_csi2_dt_name(unsigned dt);

/* ---- ECC ---------------------------------------------------------------- */

/* The 6-bit ECC of the 24 header bits @hdr24 (bits above 23 ignored). */
uint8_t lumen_csi2_ecc(uint32_t hdr24);

enum lumen_csi2_ecc_status {
	LUMEN_CSI2_ECC_OK = 0,
	LUMEN_CSI2_ECC_CORRECTED = 1,		/* one bit was wrong and is fixed */
	LUMEN_CSI2_ECC_UNCORRECTABLE = 2,	/* two or more bits: drop the packet */
};

/*
 * Checks the 4 header bytes @in and writes the corrected header to @out
 * (may be @in). *@bit (optional) gets the flipped bit: 0..23 for header bit
 * Dn, 24..29 for ECC bit Pn-24, -1 when none or uncorrectable. On
 * UNCORRECTABLE @out is a copy of @in. ECC[7:6] are ignored and copied.
 */
enum lumen_csi2_ecc_status lumen_csi2_ecc_check(const uint8_t in[4],
						uint8_t out[4], int *bit);

/* ---- CRC ---------------------------------------------------------------- */

#define LUMEN_CSI2_CRC_SEED 0xFFFFu

/* Continues a CRC over @n bytes: the fastest kernel of csi2_dsp.h (carry-
 * less multiply folding on x86, the slicing-by-16 tables otherwise). */
uint16_t lumen_csi2_crc16_update(uint16_t crc, const uint8_t *p, size_t n);
/* CRC of a whole payload, seeded with 0xFFFF (0xFFFF for an empty one). */
uint16_t lumen_csi2_crc16(const uint8_t *p, size_t n);
/* Bit-at-a-time reference of the same CRC, for tests. */
uint16_t lumen_csi2_crc16_bitwise(const uint8_t *p, size_t n);

/* ---- headers and packets ------------------------------------------------ */

struct lumen_csi2_header {
	uint8_t vc;	/* 0..3 */
	uint8_t dt;	/* 0..0x3F */
	uint16_t wc;	/* long: payload bytes; short: the 16-bit data field */
};

/* Writes DI, WC (LS byte first) and ECC. Returns 0 or -EINVAL (vc/dt range). */
int lumen_csi2_header_build(const struct lumen_csi2_header *h, uint8_t out[4]);

/* Corrects and decodes 4 header bytes; returns the ECC status (*@bit as in
 * lumen_csi2_ecc_check). @h is filled unless UNCORRECTABLE. */
enum lumen_csi2_ecc_status lumen_csi2_header_parse(const uint8_t in[4],
						   struct lumen_csi2_header *h,
						   int *bit);

/* Byte length of a short packet (4) or a long one with @wc payload bytes. */
static inline size_t lumen_csi2_packet_len(unsigned dt, unsigned wc)
{
	return lumen_csi2_dt_is_short(dt) ? LUMEN_CSI2_HDR_LEN :
		LUMEN_CSI2_HDR_LEN + (size_t)wc + LUMEN_CSI2_CRC_LEN;
}

/* Encodes a short packet into @out (4 bytes). 0 or -EINVAL (not a short DT). */
int lumen_csi2_short_packet(unsigned vc, unsigned dt, uint16_t data,
			    uint8_t out[4]);
/* Encodes a long packet (header, @wc payload bytes, CRC) into @out, which
 * has room for lumen_csi2_packet_len(dt, wc). Returns the length or -EINVAL. */
long lumen_csi2_long_packet(unsigned vc, unsigned dt, const uint8_t *payload,
			    uint16_t wc, uint8_t *out);

/* ---- lanes --------------------------------------------------------------- */

/* Bytes one lane carries for a packet of @len bytes: SoT + ceil(len/n). */
static inline size_t lumen_csi2_lane_burst_len(size_t len, int nlanes)
{
	return 1 + (len + (size_t)nlanes - 1) / (size_t)nlanes;
}

/*
 * Distributes packet bytes @pkt (@len) over @nlanes lanes: writes the SoT
 * byte, the lane's share and the HS-trail padding to lane[i] (each with room
 * for lumen_csi2_lane_burst_len()). Returns the per-lane length.
 */
size_t lumen_csi2_distribute(const uint8_t *pkt, size_t len, int nlanes,
			     uint8_t *const lane[]);

/*
 * The wires between a transmitter and a receiver in buffer mode: one byte
 * stream per lane, all of the same length, cut into bursts (the HS
 * transmissions; between two of them the lanes sit in LP-11).
 * burst_end[i] is the offset where burst i ends on every lane.
 */
struct lumen_csi2_link {
	int nlanes;			/* lanes the transmitter drove */
	uint8_t *lane[LUMEN_CSI2_MAX_LANES];
	size_t lane_cap;		/* bytes each lane buffer holds */
	size_t lane_len;		/* bytes used on each lane */
	uint32_t *burst_end;
	size_t burst_cap, nbursts;
	uint32_t dead_mask;		/* lanes with no HS activity (fault) */
};

/* Empties a link for the next frame (buffers are kept). */
static inline void lumen_csi2_link_clear(struct lumen_csi2_link *link)
{
	link->lane_len = 0;
	link->nbursts = 0;
}

/* ---- transmitter ---------------------------------------------------------- */

/* Fault hooks of the virtual board. All zero = a perfect link. */
struct lumen_csi2_tx_faults {
	uint32_t seed;			/* PRNG seed for the noise (0 = 1) */
	double header_bit_prob;		/* per header bit: flip probability */
	double payload_bit_prob;	/* per payload/CRC bit: flip probability */
	uint32_t dead_lane_mask;	/* lanes that never leave LP (no SoT, no data) */
	int truncate_line;		/* line to cut, -1 = none, -2 = every line */
	int truncate_bytes;		/* payload bytes removed from that line */
	bool truncate_at_eot;		/* true: header keeps the full WC and the burst
					 * just ends early; false: the sensor sends a
					 * consistent shorter packet */
};

struct lumen_csi2_tx_config {
	int nlanes;			/* 1, 2 or 4 (any 1..4 is accepted) */
	uint8_t vc;			/* 0..3 */
	uint8_t dt;			/* RAW8, RAW10 or RAW12 */
	int max_width;			/* widest line that will be sent */
	bool line_sync;			/* send LS/LE around each line */
	struct lumen_csi2_tx_faults faults;
};

struct lumen_csi2_tx;

/*
 * Callback mode: called once per burst with @nlanes lane pointers of @len
 * bytes each (NULL for a dead lane). Returning nonzero stops the frame and
 * lumen_csi2_tx_frame() returns that value.
 */
typedef int (*lumen_csi2_burst_fn)(void *opaque, const uint8_t *const lane[],
				   int nlanes, size_t len);

/* Allocates a transmitter; 0 or -EINVAL / -ENOMEM. */
int lumen_csi2_tx_create(const struct lumen_csi2_tx_config *cfg,
			 struct lumen_csi2_tx **out);
void lumen_csi2_tx_destroy(struct lumen_csi2_tx *tx);
/* Replaces the fault settings (and reseeds the noise). */
void lumen_csi2_tx_set_faults(struct lumen_csi2_tx *tx,
			      const struct lumen_csi2_tx_faults *faults);

/*
 * Worst-case bytes per lane and bursts for one frame of @width x @height
 * with this transmitter's settings: size the link buffers with these.
 */
size_t lumen_csi2_tx_lane_bytes(const struct lumen_csi2_tx *tx, int width,
				int height);
size_t lumen_csi2_tx_bursts(const struct lumen_csi2_tx *tx, int height);

/*
 * Sends one frame: FS (frame number), per line [LS] long packet [LE], FE.
 * @f is BAYER8 (RAW8 only), BAYER16 (packed on the fly to the DT) or
 * BAYER10P/BAYER12P matching the DT. In buffer mode (@link) the bursts are
 * appended to the link; it returns -ENOSPC when the link is full (the link
 * keeps the bursts that fitted). Returns 0 or a negative errno.
 */
int lumen_csi2_tx_frame(struct lumen_csi2_tx *tx, const struct lumen_frame *f,
			struct lumen_csi2_link *link);
int lumen_csi2_tx_frame_cb(struct lumen_csi2_tx *tx,
			   const struct lumen_frame *f,
			   lumen_csi2_burst_fn fn, void *opaque);
/*
 * The same frame in bands (callback mode), for a sender that produces rows
 * as it goes and holds no whole frame (the virtual sensor):
 * lumen_csi2_tx_frame_start() sends FS, each lumen_csi2_tx_rows() sends
 * the rows of @band (same formats as lumen_csi2_tx_frame(), the frame's
 * width) as the next lines, lumen_csi2_tx_frame_end() sends FE. The bursts
 * on the wire are those lumen_csi2_tx_frame_cb() sends for the whole
 * frame. A callback's nonzero return is returned by the call that met it;
 * the caller should end the frame anyway (a receiver sees what a sensor
 * that stopped mid-frame sends). One frame at a time, on one thread.
 * -EINVAL for rows or an end without a start, or a band of another format.
 */
int lumen_csi2_tx_frame_start(struct lumen_csi2_tx *tx, lumen_csi2_burst_fn fn,
			      void *opaque);
int lumen_csi2_tx_rows(struct lumen_csi2_tx *tx, const struct lumen_frame *band);
int lumen_csi2_tx_frame_end(struct lumen_csi2_tx *tx);
/* Frame number the next FS will carry (1..65535, wraps to 1). */
uint16_t lumen_csi2_tx_next_frame_number(const struct lumen_csi2_tx *tx);

/* ---- receiver ------------------------------------------------------------- */

struct lumen_csi2_rx_counters {
	uint64_t bursts;		/* HS transmissions seen */
	uint64_t packets;		/* packet headers accepted (after ECC) */
	uint64_t sot_errors;		/* a configured lane had no SoT sync */
	uint64_t ecc_corrected;		/* single-bit header errors fixed */
	uint64_t ecc_uncorrectable;	/* multi-bit header errors: burst dropped */
	uint64_t crc_errors;		/* payload CRC mismatches */
	uint64_t truncated_packets;	/* burst ended before WC + CRC */
	uint64_t frame_start, frame_end;
	uint64_t line_start, line_end;
	uint64_t lines;			/* long packets of the expected VC/DT */
	uint64_t frames_ok, frames_dropped;
	uint64_t short_lines, long_lines;	/* WC below / above the width */
	uint64_t missing_lines, extra_lines;	/* vs. the expected height */
	uint64_t fe_without_fs, fs_without_fe;
	uint64_t frame_number_errors;	/* FE number differs from FS */
	uint64_t lines_outside_frame;	/* video packet with no FS before */
	uint64_t unknown_dt;		/* packets of another DT on our VC */
	uint64_t other_vc;		/* packets for another virtual channel */
	uint64_t no_buffer;		/* FS while the pool was empty */
	int ideal_w, ideal_h;		/* configured size */
	int cur_w, cur_h;		/* size measured on the last finished frame */
	uint16_t last_frame_number;
};

/*
 * Frame pool callbacks: get() returns an empty frame of the configured size
 * (BAYER16, or BAYER8 for RAW8, or the packed format matching the DT) or
 * NULL; put() hands back every frame got, with @ok true when it is a
 * complete, verified frame and false when it is returned unused.
 * They run on the thread that calls the receive functions.
 */
struct lumen_csi2_rx_pool {
	struct lumen_frame *(*get)(void *opaque);
	void (*put)(void *opaque, struct lumen_frame *f, bool ok);
	void *opaque;
};

struct lumen_csi2_rx_config {
	int nlanes;			/* lanes the receiver listens to */
	uint8_t vc, dt;			/* expected virtual channel and data type */
	int width, height;		/* expected frame size */
	struct lumen_csi2_rx_pool pool;
	int index;			/* N in "MIPIN" of the dump */
};

struct lumen_csi2_rx;

int lumen_csi2_rx_create(const struct lumen_csi2_rx_config *cfg,
			 struct lumen_csi2_rx **out);
/* Returns any frame still held to the pool (ok = false) and frees. */
void lumen_csi2_rx_destroy(struct lumen_csi2_rx *rx);

/*
 * One HS burst as seen on the lanes: @lane[i] holds @len bytes for the
 * @present lanes that carried HS data (NULL entries count as absent). Lanes
 * the receiver listens to but which carry nothing have no SoT.
 */
void lumen_csi2_rx_burst(struct lumen_csi2_rx *rx, const uint8_t *const lane[],
			 int present, size_t len);
/* Feeds every burst of a link (buffer mode). */
void lumen_csi2_rx_link(struct lumen_csi2_rx *rx,
			const struct lumen_csi2_link *link);
/* Adapter: a lumen_csi2_burst_fn whose opaque is the receiver. */
int lumen_csi2_rx_burst_cb(void *rx, const uint8_t *const lane[], int nlanes,
			   size_t len);

void lumen_csi2_rx_counters(const struct lumen_csi2_rx *rx,
			    struct lumen_csi2_rx_counters *out);
void lumen_csi2_rx_reset_counters(struct lumen_csi2_rx *rx);

/*
 * Text dump in the style of SigmaStar's csi_info, into @buf (always
 * NUL-terminated when @size > 0). Returns the length it needed, like
 * snprintf.
 */
int lumen_csi2_rx_dump(const struct lumen_csi2_rx *rx, char *buf, size_t size);

#endif

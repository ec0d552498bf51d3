/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal to src/soc: the state of the blocks and what they call of each
 * other. Every function here runs with soc->lock held unless it says so. */
#ifndef LUMEN_SOC_SOC_PRIV_H
#define LUMEN_SOC_SOC_PRIV_H

#include <pthread.h>
#include <stdarg.h>

#include "core/errmsg.h"
#include "core/pool.h"
#include "soc/refsoc.h"

struct soc_pad {
	struct lumen_soc *soc;		/* back pointer: the burst sink */
	int index;
	struct lumen_soc_phy_counters phy;
	struct lumen_csi2_rx *rx;	/* NULL: receiver not configured */
	struct lumen_soc_rx_config cfg;
	/* the frame the receiver assembles into: a DMA buffer taken at FS
	 * when the one VIF channel reading the pad writes the whole frame
	 * as it arrives (direct, no copy), else the staging frame, allocated
	 * on first use (its fields describe the frame from configure on) */
	struct lumen_frame stage;
	struct lumen_frame *direct;	/* the DMA buffer the receiver holds */
	int direct_ch;
	/* where a direct frame goes when the DMA has no free buffer: one
	 * row, stride 0, so every line lands on it (as unicam's dummy
	 * buffer); the frame is received and checked, then counted as the
	 * DMA's no_buffer drop. Its row is allocated on first use and
	 * stays in data[0] until the receiver is released. */
	struct lumen_frame dummy;
	bool stage_busy;
	uint64_t frames_to_vif;
};

struct soc_vif {
	bool configured, masked;
	struct lumen_soc_vif_config cfg;
	struct lumen_soc_vif_counters c;
};

enum soc_buf_state { SOC_BUF_FREE, SOC_BUF_QUEUED, SOC_BUF_FLIGHT, SOC_BUF_RX };

struct soc_dma {
	pthread_mutex_t lock;		/* pool, ring, states, counters */
	pthread_cond_t done;		/* signalled on every frame queued */
	bool configured;
	struct lumen_pool pool;
	int *ring;			/* queued pool indices, FIFO */
	uint8_t *state;			/* enum soc_buf_state per pool index */
	uint16_t *scratch;		/* one unpacked row (soc_dma_write) */
	size_t scratch_len;		/* in samples */
	int head, nqueued, nflight, nrx;	/* nrx: held by a receiver */
	uint64_t delivered, no_buffer, dequeued, released;
};

#define SOC_LOG_LINES	32
#define SOC_LOG_LEN	160

struct lumen_soc {
	const struct lumen_soc_model *model;
	pthread_mutex_t lock;		/* pads, VIF, log; taken before dma.lock */
	struct soc_pad pad[LUMEN_SOC_MAX_PADS];
	struct soc_vif vif[LUMEN_SOC_MAX_CH];
	struct soc_dma dma[LUMEN_SOC_MAX_CH];
	char log[SOC_LOG_LINES][SOC_LOG_LEN];
	unsigned log_next, log_count;
	uint64_t log_seq;
};

/* Appends to the log ring (what dmesg would show). */
void soc_log(struct lumen_soc *soc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* snprintf-like accumulation into a caller's buffer. */
struct soc_text {
	char *buf;
	size_t size, len;
};
void soc_printf(struct soc_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* csi_rx.c */
void soc_rx_init(struct lumen_soc *soc);
void soc_rx_fini(struct lumen_soc *soc);
void soc_rx_dump(struct lumen_soc *soc, struct soc_text *t);
/* Size the receiver of @pad expects, false when it is not configured. */
bool soc_rx_size(const struct lumen_soc *soc, int pad, int *w, int *h);

/* vif.c: a complete, verified frame from the receiver of @pad */
void soc_vif_frame(struct lumen_soc *soc, int pad, const struct lumen_frame *f);
/*
 * The direct path (soc->lock held). soc_vif_direct_channel(): the VIF
 * channel whose DMA can take @pad's frames as they arrive: the only
 * configured channel reading @pad, unmasked, its window the whole input;
 * -1 when the frame must be staged and copied. soc_vif_frame_direct():
 * the verified frame in @f, a buffer of channel @ch's DMA, is counted as
 * soc_vif_frame() counts a staged one and queued, or handed back when the
 * channel was masked or changed meanwhile; @f NULL: the frame was received
 * into the receiver's dummy since no buffer was free, counted, and dropped
 * at the DMA (soc_dma_no_buffer()).
 */
int soc_vif_direct_channel(const struct lumen_soc *soc, int pad);
void soc_vif_frame_direct(struct lumen_soc *soc, int pad, int ch,
			  struct lumen_frame *f, const struct lumen_frame *meta);
void soc_vif_dump(struct lumen_soc *soc, struct soc_text *t);
/* The window of @ch in its input now: false when the input size is unknown. */
bool soc_vif_window(const struct lumen_soc *soc, int ch, int *x, int *y,
		    int *w, int *h);

/* dma.c */
int soc_dma_init(struct lumen_soc *soc);
void soc_dma_fini(struct lumen_soc *soc);
/* Copies @view into a free buffer and queues it; -ENOBUFS (counted) when
 * none is free or no pool exists, -EINVAL when the size differs. */
/*
 * The DMA of channel @ch writes the window (@x, @y, @w, @h) of @src into a
 * free buffer: bytes as they are when the pool has @src's format (packed
 * windows start and end on whole pixel groups), else unpacked to 16 bits.
 * -EINVAL: the window is not the pool's size, or the pool is packed and
 * @src is not in its format; -ENOBUFS: no free buffer (counted).
 */
int soc_dma_write(struct lumen_soc *soc, int ch, const struct lumen_frame *src,
		  int x, int y, int w, int h);
/* The format the receiver of @dt stages frames in (csi_rx.c). */
enum lumen_pixfmt soc_rx_stage_fmt(uint8_t dt);
/* The format the VIF channel's input arrives in now (its pad's receiver),
 * BAYER16 when no receiver is configured. soc->lock held. */
enum lumen_pixfmt soc_vif_input_fmt(const struct lumen_soc *soc, int ch);
void soc_dma_dump(struct lumen_soc *soc, struct soc_text *t);
/*
 * The receiver's side of the direct path (csi_rx.c, vif.c; soc->lock held,
 * each takes dma.lock). soc_dma_take_direct(): a free buffer of @ch for a
 * frame of @fmt, @w x @h, or NULL (none free: *@none_free set, no pool,
 * or another size or format); nothing is counted. soc_dma_no_buffer()
 * counts a frame dropped for want of a buffer. The buffer is the receiver's (state RX)
 * until soc_dma_queue_direct() queues it as a delivered frame (metadata
 * from @meta, as soc_dma_write() takes it from its source) or
 * soc_dma_return_direct() frees it (a bad frame). A pool with a buffer in
 * a receiver's hands is not reconfigured (-EBUSY).
 */
struct lumen_frame *soc_dma_take_direct(struct lumen_soc *soc, int ch,
					enum lumen_pixfmt fmt, int w, int h,
					bool *none_free);
void soc_dma_no_buffer(struct lumen_soc *soc, int ch);
void soc_dma_queue_direct(struct lumen_soc *soc, int ch, struct lumen_frame *f,
			  const struct lumen_frame *meta);
void soc_dma_return_direct(struct lumen_soc *soc, int ch, struct lumen_frame *f);
/* Pool size of @ch, false when there is no pool. Takes dma.lock. */
bool soc_dma_size(struct lumen_soc *soc, int ch, int *w, int *h);

#endif

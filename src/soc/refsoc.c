// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reference SoC as a whole: the model table, creation, the log ring
 * and the status text that spans blocks (/proc/interrupts, everything).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soc/soc_priv.h"

/*
 * Pads and lanes per pad as modelled: SSC377-like with four MIPI ports
 * (port 0 four lanes, the others two; the IMOU Bullet 3 sensor sits on
 * pad 2), T31-like with one 2-lane MIPI input, RK3399-like with two 4-lane
 * D-PHY receivers (RX0 and TX1RX1).
 */
static const struct lumen_soc_model ssc377 = {
	.name = "ssc377", .flavour = LUMEN_SOC_SIGMASTAR, .npads = 4,
	.pad_lanes = { 4, 2, 2, 2 }, .irq_base = 56,
};
static const struct lumen_soc_model t31 = {
	.name = "t31", .flavour = LUMEN_SOC_INGENIC, .npads = 1,
	.pad_lanes = { 2 }, .irq_base = 30,
};
static const struct lumen_soc_model rk3399 = {
	.name = "rk3399", .flavour = LUMEN_SOC_ROCKCHIP, .npads = 2,
	.pad_lanes = { 4, 4 }, .irq_base = 55,
};

const struct lumen_soc_model *const lumen_soc_models[] = {
	&ssc377, &t31, &rk3399, NULL,
};

const struct lumen_soc_model *lumen_soc_model_find(const char *name)
{
	if (!name)
		return NULL;
	for (int i = 0; lumen_soc_models[i]; i++)
		if (!strcmp(lumen_soc_models[i]->name, name))
			return lumen_soc_models[i];
	return NULL;
}

int lumen_soc_create(const struct lumen_soc_model *model,
		     struct lumen_soc **out)
{
	struct lumen_soc *soc;
	int ret;

	if (!model || !out || model->npads < 1 ||
	    model->npads > LUMEN_SOC_MAX_PADS)
		return -EINVAL;
	for (int i = 0; i < model->npads; i++)
		if (model->pad_lanes[i] < 1 ||
		    model->pad_lanes[i] > LUMEN_CSI2_MAX_LANES)
			return -EINVAL;
	soc = calloc(1, sizeof(*soc));
	if (!soc)
		return -ENOMEM;
	soc->model = model;
	if (pthread_mutex_init(&soc->lock, NULL)) {
		ret = -EAGAIN;
		goto free_soc;
	}
	ret = soc_dma_init(soc);
	if (ret)
		goto destroy_lock;
	soc_rx_init(soc);
	for (int ch = 0; ch < LUMEN_SOC_MAX_CH; ch++) {
		soc->vif[ch].masked = true;
		soc->vif[ch].c.pad = -1;
	}
	*out = soc;
	return 0;

destroy_lock:
	pthread_mutex_destroy(&soc->lock);
free_soc:
	free(soc);
	return ret;
}

void lumen_soc_destroy(struct lumen_soc *soc)
{
	if (!soc)
		return;
	soc_rx_fini(soc);
	soc_dma_fini(soc);
	pthread_mutex_destroy(&soc->lock);
	free(soc);
}

const struct lumen_soc_model *lumen_soc_get_model(const struct lumen_soc *soc)
{
	return soc ? soc->model : NULL;
}

void soc_log(struct lumen_soc *soc, const char *fmt, ...)
{
	char *line = soc->log[soc->log_next];
	va_list ap;
	int n;

	n = snprintf(line, SOC_LOG_LEN, "[%6" PRIu64 ".%06u] ",
		     soc->log_seq / 1000, (unsigned)(soc->log_seq % 1000) * 1000);
	soc->log_seq++;
	va_start(ap, fmt);
	vsnprintf(line + n, SOC_LOG_LEN - (size_t)n, fmt, ap);
	va_end(ap);
	soc->log_next = (soc->log_next + 1) % SOC_LOG_LINES;
	if (soc->log_count < SOC_LOG_LINES)
		soc->log_count++;
}

void soc_printf(struct soc_text *t, const char *fmt, ...)
{
	va_list ap;
	size_t room = t->len < t->size ? t->size - t->len : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? t->buf + t->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n;
}

static int text_end(struct soc_text *t)
{
	if (t->size && t->len >= t->size)
		t->buf[t->size - 1] = 0;
	else if (t->size)
		t->buf[t->len] = 0;
	return t->len > (size_t)0x7fffffff ? 0x7fffffff : (int)t->len;
}

int lumen_soc_dump_csi(struct lumen_soc *soc, char *buf, size_t size)
{
	struct soc_text t = { buf, size, 0 };

	pthread_mutex_lock(&soc->lock);
	soc_rx_dump(soc, &t);
	pthread_mutex_unlock(&soc->lock);
	return text_end(&t);
}

int lumen_soc_dump_vif(struct lumen_soc *soc, char *buf, size_t size)
{
	struct soc_text t = { buf, size, 0 };

	pthread_mutex_lock(&soc->lock);
	soc_vif_dump(soc, &t);
	pthread_mutex_unlock(&soc->lock);
	return text_end(&t);
}

int lumen_soc_dump_dma(struct lumen_soc *soc, char *buf, size_t size)
{
	struct soc_text t = { buf, size, 0 };

	soc_dma_dump(soc, &t);
	return text_end(&t);
}

/*
 * /proc/interrupts lines. The counts are the events a driver takes an
 * interrupt for: a frame start on each receiver, a frame done of each VIF
 * channel, a DMA write done. IRQ numbers and names are modelled.
 */
static void interrupts(struct lumen_soc *soc, struct soc_text *t)
{
	const struct lumen_soc_model *m = soc->model;
	const char *chip = m->flavour == LUMEN_SOC_INGENIC ? "jz-intc" : "GIC-0";
	int irq = m->irq_base;

	soc_printf(t, "# cat /proc/interrupts\n           CPU0\n");
	for (int i = 0; i < m->npads; i++, irq++) {
		struct lumen_csi2_rx_counters c = { 0 };
		char name[32];

		if (soc->pad[i].rx)
			lumen_csi2_rx_counters(soc->pad[i].rx, &c);
		switch (m->flavour) {
		case LUMEN_SOC_SIGMASTAR:
			snprintf(name, sizeof(name), "ms_csi%d", i);
			break;
		case LUMEN_SOC_INGENIC:
			snprintf(name, sizeof(name), "isp-w01");
			break;
		default:
			snprintf(name, sizeof(name), "rkisp1-mipi%d", i);
			break;
		}
		soc_printf(t, "%4d: %10" PRIu64 "  %-8s %3d Level     %s\n",
			   irq, c.frame_start, chip, irq + 32, name);
	}
	for (int ch = 0; ch < m->npads; ch++, irq++) {
		char name[32];

		if (m->flavour == LUMEN_SOC_INGENIC)
			snprintf(name, sizeof(name), "isp-w02");
		else
			snprintf(name, sizeof(name), "%s%d",
				 m->flavour == LUMEN_SOC_SIGMASTAR ? "ms_vif_ch" :
				 "rkisp1-isp", ch);
		soc_printf(t, "%4d: %10" PRIu64 "  %-8s %3d Level     %s\n",
			   irq, soc->vif[ch].c.frames_out, chip, irq + 32, name);
	}
	for (int ch = 0; ch < m->npads; ch++, irq++) {
		struct soc_dma *d = &soc->dma[ch];
		char name[32];
		uint64_t n;

		if (m->flavour == LUMEN_SOC_INGENIC)
			snprintf(name, sizeof(name), "isp-m0");
		else
			snprintf(name, sizeof(name), "%s%d",
				 m->flavour == LUMEN_SOC_SIGMASTAR ? "ms_vif_dma" :
				 "rkisp1-mi", ch);
		pthread_mutex_lock(&d->lock);
		n = d->delivered;
		pthread_mutex_unlock(&d->lock);
		soc_printf(t, "%4d: %10" PRIu64 "  %-8s %3d Level     %s\n",
			   irq, n, chip, irq + 32, name);
	}
}

int lumen_soc_dump_interrupts(struct lumen_soc *soc, char *buf, size_t size)
{
	struct soc_text t = { buf, size, 0 };

	pthread_mutex_lock(&soc->lock);
	interrupts(soc, &t);
	pthread_mutex_unlock(&soc->lock);
	return text_end(&t);
}

static void log_lines(struct lumen_soc *soc, struct soc_text *t)
{
	unsigned first = (soc->log_next + SOC_LOG_LINES - soc->log_count) %
			 SOC_LOG_LINES;

	for (unsigned i = 0; i < soc->log_count; i++)
		soc_printf(t, "%s\n", soc->log[(first + i) % SOC_LOG_LINES]);
}

int lumen_soc_log_dump(struct lumen_soc *soc, char *buf, size_t size)
{
	struct soc_text t = { buf, size, 0 };

	pthread_mutex_lock(&soc->lock);
	log_lines(soc, &t);
	pthread_mutex_unlock(&soc->lock);
	return text_end(&t);
}

int lumen_soc_dump_all(struct lumen_soc *soc, char *buf, size_t size)
{
	struct soc_text t = { buf, size, 0 };

	pthread_mutex_lock(&soc->lock);
	soc_rx_dump(soc, &t);
	soc_vif_dump(soc, &t);
	soc_dma_dump(soc, &t);
	interrupts(soc, &t);
	soc_printf(&t, "# dmesg\n");
	log_lines(soc, &t);
	pthread_mutex_unlock(&soc->lock);
	return text_end(&t);
}

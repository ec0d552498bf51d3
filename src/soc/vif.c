// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VIF of the reference SoC: per channel an input (a sensor pad's receiver),
 * the input size the VIF was programmed for, a crop window and an input
 * mask. The mask only opens once the receiver is configured, as on
 * SigmaStar parts where MHal_VIF_InputMask fails otherwise. Frames arriving
 * while masked, or of another size than programmed, are counted and go no
 * further.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "core/log.h"
#include "soc/soc_priv.h"

static bool ch_ok(const struct lumen_soc *soc, int ch)
{
	return ch >= 0 && ch < soc->model->npads;
}

/* Input size of @v now: programmed, else the receiver's; false if unknown. */
static bool input_size(const struct lumen_soc *soc, const struct soc_vif *v,
		       int *w, int *h)
{
	if (v->cfg.in_width > 0 && v->cfg.in_height > 0) {
		*w = v->cfg.in_width;
		*h = v->cfg.in_height;
		return true;
	}
	return soc_rx_size(soc, v->cfg.pad, w, h);
}

static void resolve(const struct lumen_soc_vif_config *cfg, int in_w, int in_h,
		    int *w, int *h)
{
	*w = cfg->crop_w > 0 ? cfg->crop_w : in_w - cfg->crop_x;
	*h = cfg->crop_h > 0 ? cfg->crop_h : in_h - cfg->crop_y;
}

enum lumen_pixfmt soc_vif_input_fmt(const struct lumen_soc *soc, int ch)
{
	const struct soc_pad *p = &soc->pad[soc->vif[ch].cfg.pad];

	return p->rx ? p->stage.fmt : LUMEN_PIX_BAYER16;
}

bool soc_vif_window(const struct lumen_soc *soc, int ch, int *x, int *y,
		    int *w, int *h)
{
	const struct soc_vif *v = &soc->vif[ch];
	int in_w, in_h;

	if (!v->configured || !input_size(soc, v, &in_w, &in_h))
		return false;
	*x = v->cfg.crop_x;
	*y = v->cfg.crop_y;
	resolve(&v->cfg, in_w, in_h, w, h);
	return true;
}

/* 0 when the window of @cfg fits @in_w x @in_h, else -EINVAL + message. */
static int check_window(int ch, const struct lumen_soc_vif_config *cfg,
			int in_w, int in_h, char *err, size_t errlen)
{
	int w, h;

	resolve(cfg, in_w, in_h, &w, &h);
	if (cfg->crop_x < 0 || cfg->crop_y < 0 || w < 1 || h < 1 ||
	    (long)cfg->crop_x + w > in_w || (long)cfg->crop_y + h > in_h)
		return lumen_fail(-EINVAL, err, errlen,
				"VIF ch%d: crop window %dx%d at (%d,%d) is outside "
				"the %dx%d input of pad %d", ch, w, h,
				cfg->crop_x, cfg->crop_y, in_w, in_h, cfg->pad);
	return 0;
}

int lumen_soc_vif_configure(struct lumen_soc *soc, int ch,
			    const struct lumen_soc_vif_config *cfg, char *err,
			    size_t errlen)
{
	struct soc_vif tmp, *v;
	int in_w, in_h, w, h, pw, ph, ret = 0;

	if (!soc || !cfg)
		return -EINVAL;
	if (!ch_ok(soc, ch))
		return lumen_fail(-EINVAL, err, errlen, "VIF ch%d: no such channel",
				ch);
	if (cfg->pad < 0 || cfg->pad >= soc->model->npads)
		return lumen_fail(-EINVAL, err, errlen,
				"VIF ch%d: input pad %d does not exist (%s has %d)",
				ch, cfg->pad, soc->model->name,
				soc->model->npads);
	if (cfg->in_width < 0 || cfg->in_height < 0 ||
	    cfg->in_width > LUMEN_MAX_DIM || cfg->in_height > LUMEN_MAX_DIM ||
	    cfg->crop_w < 0 || cfg->crop_h < 0)
		return lumen_fail(-EINVAL, err, errlen,
				"VIF ch%d: negative or oversized size", ch);

	pthread_mutex_lock(&soc->lock);
	v = &soc->vif[ch];
	tmp = *v;
	tmp.cfg = *cfg;
	tmp.configured = true;
	if (input_size(soc, &tmp, &in_w, &in_h)) {
		ret = check_window(ch, cfg, in_w, in_h, err, errlen);
		if (ret)
			goto unlock;
		resolve(cfg, in_w, in_h, &w, &h);
		if (soc_dma_size(soc, ch, &pw, &ph) && (pw != w || ph != h)) {
			ret = lumen_fail(-EBUSY, err, errlen,
				       "VIF ch%d: window %dx%d differs from the "
				       "%dx%d DMA buffers; reconfigure the DMA",
				       ch, w, h, pw, ph);
			goto unlock;
		}
	}
	v->cfg = *cfg;
	v->configured = true;
	v->masked = true;
	v->c.pad = cfg->pad;
unlock:
	pthread_mutex_unlock(&soc->lock);
	return ret;
}

int lumen_soc_vif_unmask(struct lumen_soc *soc, int ch, char *err,
			 size_t errlen)
{
	struct soc_vif *v;
	int in_w, in_h, ret = 0;

	if (!soc || !ch_ok(soc, ch))
		return lumen_fail(-EINVAL, err, errlen, "VIF ch%d: no such channel",
				ch);
	pthread_mutex_lock(&soc->lock);
	v = &soc->vif[ch];
	if (!v->configured) {
		ret = lumen_fail(-EINVAL, err, errlen,
			       "VIF ch%d: unmask failed: channel not configured",
			       ch);
		v->c.unmask_failures++;
		goto unlock;
	}
	if (!soc->pad[v->cfg.pad].rx) {
		/* what the vendor driver prints: it names no cause */
		switch (soc->model->flavour) {
		case LUMEN_SOC_SIGMASTAR:
			soc_log(soc, "[MI WRN] [120]:  MHal_VIF_InputMask vif dev %d unmask fail",
				ch);
			break;
		case LUMEN_SOC_INGENIC:
			soc_log(soc, "Err [VIC_INT] : vic%d input not ready, start failed",
				ch);
			break;
		case LUMEN_SOC_ROCKCHIP:
			soc_log(soc, "rkisp1: isp%d input mask: no MIPI stream configured",
				ch);
			break;
		}
		lumen_warn("VIF ch%d: unmask failed: receiver for pad %d not configured",
			   ch, v->cfg.pad);
		ret = lumen_fail(-EIO, err, errlen,
			       "VIF ch%d: unmask failed: receiver for pad %d not configured",
			       ch, v->cfg.pad);
		v->c.unmask_failures++;
		goto unlock;
	}
	input_size(soc, v, &in_w, &in_h);
	ret = check_window(ch, &v->cfg, in_w, in_h, err, errlen);
	if (ret) {
		v->c.unmask_failures++;
		goto unlock;
	}
	v->masked = false;
unlock:
	pthread_mutex_unlock(&soc->lock);
	return ret;
}

void lumen_soc_vif_mask(struct lumen_soc *soc, int ch)
{
	if (!soc || !ch_ok(soc, ch))
		return;
	pthread_mutex_lock(&soc->lock);
	soc->vif[ch].masked = true;
	pthread_mutex_unlock(&soc->lock);
}

void soc_vif_frame(struct lumen_soc *soc, int pad, const struct lumen_frame *f)
{
	for (int ch = 0; ch < soc->model->npads; ch++) {
		struct soc_vif *v = &soc->vif[ch];
		int in_w, in_h, w, h;

		if (!v->configured || v->cfg.pad != pad)
			continue;
		v->c.frames_in++;
		if (v->masked) {
			v->c.masked_drops++;
			continue;
		}
		if (!input_size(soc, v, &in_w, &in_h) || f->width != in_w ||
		    f->height != in_h) {
			v->c.size_mismatches++;
			continue;
		}
		resolve(&v->cfg, in_w, in_h, &w, &h);
		if (v->cfg.crop_x > in_w - w || v->cfg.crop_y > in_h - h) {
			v->c.size_mismatches++;
			continue;
		}
		v->c.frames_out++;
		if (soc_dma_write(soc, ch, f, v->cfg.crop_x, v->cfg.crop_y, w,
				  h) == -EINVAL)
			v->c.size_mismatches++;
	}
}

int soc_vif_direct_channel(const struct lumen_soc *soc, int pad)
{
	int found = -1, in_w, in_h, w, h;

	for (int ch = 0; ch < soc->model->npads; ch++) {
		const struct soc_vif *v = &soc->vif[ch];

		if (!v->configured || v->cfg.pad != pad)
			continue;
		if (found >= 0)
			return -1;	/* two channels: each takes a copy */
		found = ch;
	}
	if (found < 0)
		return -1;
	{
		const struct soc_vif *v = &soc->vif[found];

		if (v->masked || !input_size(soc, v, &in_w, &in_h) ||
		    !soc_rx_size(soc, pad, &w, &h) || w != in_w || h != in_h)
			return -1;
		resolve(&v->cfg, in_w, in_h, &w, &h);
		if (v->cfg.crop_x || v->cfg.crop_y || w != in_w || h != in_h)
			return -1;
	}
	return found;
}

void soc_vif_frame_direct(struct lumen_soc *soc, int pad, int ch,
			  struct lumen_frame *f, const struct lumen_frame *meta)
{
	struct soc_vif *v = &soc->vif[ch];

	if (!f) {
		/* received into the dummy: the DMA had no free buffer at FS */
		if (!v->configured || v->cfg.pad != pad)
			return;
		v->c.frames_in++;
		if (v->masked) {
			v->c.masked_drops++;
			return;
		}
		v->c.frames_out++;
		soc_dma_no_buffer(soc, ch);
		return;
	}
	if (!v->configured || v->cfg.pad != pad ||
	    soc_vif_direct_channel(soc, pad) != ch) {
		/* masked, cropped, reconfigured or joined by another channel
		 * meanwhile: counted and copied as a staged frame would be,
		 * then the buffer goes back (its pool cannot have changed:
		 * soc_dma_take_direct()) */
		f->white = meta->white;
		lumen_frame_raw_phase(meta, 0, 0, f);
		soc_vif_frame(soc, pad, f);
		soc_dma_return_direct(soc, ch, f);
		return;
	}
	/* soc_vif_frame()'s counting, for the one channel the frame is in */
	v->c.frames_in++;
	v->c.frames_out++;
	soc_dma_queue_direct(soc, ch, f, meta);
}

int lumen_soc_vif_counters(struct lumen_soc *soc, int ch,
			   struct lumen_soc_vif_counters *out)
{
	struct soc_vif *v;

	if (!soc || !out || !ch_ok(soc, ch))
		return -EINVAL;
	pthread_mutex_lock(&soc->lock);
	v = &soc->vif[ch];
	*out = v->c;
	out->configured = v->configured;
	out->masked = !v->configured || v->masked;
	out->pad = v->configured ? v->cfg.pad : -1;
	out->in_w = out->in_h = 0;
	out->crop_x = out->crop_y = out->crop_w = out->crop_h = 0;
	if (v->configured && input_size(soc, v, &out->in_w, &out->in_h)) {
		out->crop_x = v->cfg.crop_x;
		out->crop_y = v->cfg.crop_y;
		resolve(&v->cfg, out->in_w, out->in_h, &out->crop_w,
			&out->crop_h);
	}
	pthread_mutex_unlock(&soc->lock);
	return 0;
}

/* ---- status text -------------------------------------------------------- */

/* SigmaStar vif_info: INTF_MODE 4 is MIPI on the parts we model. */
static void dump_sigmastar(struct lumen_soc *soc, struct soc_text *t)
{
	soc_printf(t, "# cat /sys/devices/virtual/mstar/vif/vif_info\n");
	for (int ch = 0; ch < soc->model->npads; ch++) {
		struct lumen_soc_vif_counters c;
		struct soc_vif *v = &soc->vif[ch];

		c = v->c;
		c.in_w = c.in_h = c.crop_w = c.crop_h = 0;
		if (v->configured && input_size(soc, v, &c.in_w, &c.in_h))
			resolve(&v->cfg, c.in_w, c.in_h, &c.crop_w, &c.crop_h);
		soc_printf(t, "== VIF dev %d ==\n", ch);
		if (!v->configured) {
			soc_printf(t, "INTF_MODE = 0\nSRC: NONE\n");
			continue;
		}
		soc_printf(t,
			"INTF_MODE = 4\n"
			"SRC: MIPI%d\n"
			"MASK = %d\n"
			"IN_SIZE = %d, %d\n"
			"CROP_START_X: %d - %d\n"
			"CROP_START_Y: %d - %d\n"
			"FRAME_IN = %" PRIu64 "\n"
			"FRAME_DONE = %" PRIu64 "\n"
			"MASK_DROP = %" PRIu64 "\n"
			"SIZE_MISMATCH = %" PRIu64 "\n"
			"UNMASK_FAIL = %" PRIu64 "\n",
			v->cfg.pad, v->masked ? 1 : 0, c.in_w, c.in_h,
			v->cfg.crop_x, v->cfg.crop_x + c.crop_w - 1,
			v->cfg.crop_y, v->cfg.crop_y + c.crop_h - 1,
			c.frames_in, c.frames_out, c.masked_drops,
			c.size_mismatches, c.unmask_failures);
	}
}

/*
 * Ingenic: isp-w00 (VIN) prints the frame count; isp-w02 (VIC) prints
 * " frames, errors" and then its 13 error counters, the layout of the T31
 * tx-isp driver. The mapping of our counters onto those slots is ours:
 * [1] hor err ch0 <- size mismatches, [2] <- masked drops (frames the VIC
 * refused), [6] dma syfifo ovf <- DMA had no buffer.
 */
static void dump_ingenic(struct lumen_soc *soc, struct soc_text *t)
{
	struct soc_vif *v = &soc->vif[0];
	uint64_t e[13] = { 0 }, total = 0;

	soc_printf(t, "# cat /proc/jz/isp/isp-w00\n%" PRIu64 "\n",
		   soc->pad[0].frames_to_vif);
	e[1] = v->c.size_mismatches;
	e[2] = v->c.masked_drops;
	pthread_mutex_lock(&soc->dma[0].lock);
	e[6] = soc->dma[0].no_buffer;
	pthread_mutex_unlock(&soc->dma[0].lock);
	for (int i = 0; i < 13; i++)
		total += e[i];
	soc_printf(t, "# cat /proc/jz/isp/isp-w02\n %" PRIu64 ", %" PRIu64 "\n",
		   v->c.frames_out, total);
	for (int i = 0; i < 13; i++)
		soc_printf(t, "%" PRIu64 "%s", e[i], i < 12 ? ", " : "\n");
}

/* rkisp1 debugfs names; the values map from our counters. */
static void dump_rockchip(struct lumen_soc *soc, struct soc_text *t)
{
	soc_printf(t, "# grep . /sys/kernel/debug/rkisp1/*\n");
	for (int ch = 0; ch < soc->model->npads; ch++) {
		const struct soc_vif *v = &soc->vif[ch];

		if (!v->configured)
			continue;
		soc_printf(t,
			"/sys/kernel/debug/rkisp1/inform_size_error:%" PRIu64 "\n"
			"/sys/kernel/debug/rkisp1/isp%d_frames_in:%" PRIu64 "\n"
			"/sys/kernel/debug/rkisp1/isp%d_frames_out:%" PRIu64 "\n"
			"/sys/kernel/debug/rkisp1/isp%d_input_masked:%d\n",
			v->c.size_mismatches, ch, v->c.frames_in, ch,
			v->c.frames_out, ch, v->masked ? 1 : 0);
	}
}

void soc_vif_dump(struct lumen_soc *soc, struct soc_text *t)
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

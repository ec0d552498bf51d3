// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The frame path of the emulated sensors: sample the registers at frame
 * start, apply the delays, and render the scene through the chip's model
 * (lumen_scene_render). Kept apart from the register half so that the I2C
 * side can be used without a scene.
 */
#include <errno.h>
#include <string.h>

#include "virt/emu_chip.h"

int lumen_emu_sensor_begin_frame(struct lumen_emu_sensor *emu,
				 struct lumen_emu_frame *fr)
{
	struct lumen_emu_regs_view v;
	struct lumen_emu_sample s;
	struct lumen_render_params *p = &fr->render;
	uint64_t pclk, index;

	if (!emu || !fr)
		return -EINVAL;
	pthread_mutex_lock(&emu->lock);
	lumen_emu_decode(emu, &v);
	pclk = lumen_emu_pclk(emu, &v);
	if (!lumen_emu_running(emu) || !v.streaming || !pclk) {
		pthread_mutex_unlock(&emu->lock);
		return -EAGAIN;
	}
	if (!emu->scene) {
		pthread_mutex_unlock(&emu->lock);
		return -EINVAL;
	}
	index = emu->frame;
	emu->hist[index % LUMEN_EMU_HIST] = (struct lumen_emu_sample){
		v.exposure_lines, v.analog_gain, v.digital_gain };
	emu->frame++;
	lumen_emu_effective(emu, index, &v, &s);
	fr->timestamp_ns = emu->time_ns;
	emu->time_ns += (int64_t)((double)v.hts * v.vts * 1e9 / (double)pclk);
	pthread_mutex_unlock(&emu->lock);

	memset(p, 0, sizeof(*p));
	p->exposure_s = (double)s.exposure_lines * v.hts / (double)pclk;
	p->analog_gain = s.analog_gain;
	p->digital_gain = s.digital_gain;
	p->hflip = v.hflip;
	p->vflip = v.vflip;
	p->bayer = lumen_bayer_flip(emu->chip->bayer, v.hflip, v.vflip,
				    v.width, v.height);
	p->test_pattern = v.test_pattern;
	p->frame_index = index;
	fr->width = v.width;
	fr->height = v.height;
	fr->sequence = index;
	return 0;
}

int lumen_emu_sensor_frame_rows(struct lumen_emu_sensor *emu,
				const struct lumen_emu_frame *fr, int first_row,
				struct lumen_frame *band)
{
	int ret;

	if (!emu || !fr || !band)
		return -EINVAL;
	/* the scene is rendered outside the lock: I2C stays responsive */
	ret = lumen_scene_render_rows(emu->scene, emu->chip->model, &fr->render,
				      fr->width, fr->height, first_row, band);
	if (ret)
		return ret;
	band->sequence = fr->sequence;
	band->timestamp_ns = fr->timestamp_ns;
	return 0;
}

int lumen_emu_sensor_next_frame(struct lumen_emu_sensor *emu,
				struct lumen_frame *out)
{
	struct lumen_emu_frame fr;
	int ret;

	if (!emu || !out)
		return -EINVAL;
	ret = lumen_emu_sensor_begin_frame(emu, &fr);
	if (ret)
		return ret;
	if (out->fmt != LUMEN_PIX_BAYER16 || out->width != fr.width ||
	    out->height != fr.height)
		return -EINVAL;
	return lumen_emu_sensor_frame_rows(emu, &fr, 0, out);
}

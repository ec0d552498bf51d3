// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The common half of every emulated sensor: the I2C register protocol,
 * power and MCLK, soft reset, group hold, the stream bit, and the frame
 * delays of exposure and gain. The chip files only say where things are
 * (emu_chip.h); frames are made in emu_frame.c.
 *
 * Delays: at the start of every frame the emulator samples exposure and
 * gain from the registers into a short history; frame n uses the sample of
 * frame n - delay (or of the first streamed frame, when streaming began
 * later). So a value written before frame k is produced is in effect from
 * frame k + delay, which is what "2-frame delay" means on a real sensor.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "virt/emu_chip.h"

static const struct lumen_emu_chip *const chips[] = {
	&lumen_emu_sc4336p,
	&lumen_emu_sc2336,
	&lumen_emu_imx258,
};

static void power_on_reset(struct lumen_emu_sensor *e)
{
	const struct lumen_emu_chip *c = e->chip;

	memset(e->regs, 0, sizeof(e->regs));
	for (size_t i = 0; i < c->npower_on; i++)
		e->regs[c->power_on[i].reg] = (uint8_t)c->power_on[i].val;
	e->held = false;
	e->npending = 0;
	e->ptr = 0;
}

bool lumen_emu_running(const struct lumen_emu_sensor *e)
{
	return e->powered && e->mclk_hz > 0;
}

void lumen_emu_decode(const struct lumen_emu_sensor *e,
		      struct lumen_emu_regs_view *v)
{
	memset(v, 0, sizeof(*v));
	e->chip->decode(e->regs, v);
}

uint64_t lumen_emu_pclk(const struct lumen_emu_sensor *e,
			const struct lumen_emu_regs_view *v)
{
	/* the PLL multiplies whatever MCLK the board gives it */
	return (uint64_t)((double)v->pclk_hz * (double)e->mclk_hz /
			  (double)e->chip->mclk_hz + 0.5);
}

static void sample_of(const struct lumen_emu_regs_view *v,
		      struct lumen_emu_sample *s)
{
	s->exposure_lines = v->exposure_lines;
	s->analog_gain = v->analog_gain;
	s->digital_gain = v->digital_gain;
}

/* The sample frame @index was (or will be) started with. */
static void sample_at(const struct lumen_emu_sensor *e, int64_t index,
		      const struct lumen_emu_regs_view *now,
		      struct lumen_emu_sample *s)
{
	if (index < (int64_t)e->stream_start)
		index = (int64_t)e->stream_start;
	if (index >= (int64_t)e->frame)
		sample_of(now, s);
	else
		*s = e->hist[index % LUMEN_EMU_HIST];
}

void lumen_emu_effective(const struct lumen_emu_sensor *e, uint64_t index,
			 const struct lumen_emu_regs_view *now,
			 struct lumen_emu_sample *out)
{
	const struct lumen_emu_chip *c = e->chip;
	struct lumen_emu_sample s;
	uint32_t max;

	sample_at(e, (int64_t)index - c->exposure_delay, now, &s);
	out->exposure_lines = s.exposure_lines;
	sample_at(e, (int64_t)index - c->gain_delay, now, &s);
	out->analog_gain = s.analog_gain;
	out->digital_gain = s.digital_gain;

	/* the chip never integrates longer than the frame allows */
	max = now->vts > c->exposure_margin ? now->vts - c->exposure_margin : 0;
	if (out->exposure_lines > max)
		out->exposure_lines = max;
	if (out->exposure_lines < c->exposure_min)
		out->exposure_lines = c->exposure_min;
}

/* One register write as the chip's logic sees it. Caller holds the lock. */
static void reg_write(struct lumen_emu_sensor *e, uint16_t reg, uint8_t val)
{
	const struct lumen_emu_chip *c = e->chip;
	bool was_streaming;

	for (int i = 0; i < 4 && c->read_only[i]; i++)
		if (reg == c->read_only[i])
			return;
	if (reg == c->reset_reg) {
		if (val & 1)
			power_on_reset(e);	/* self-clearing */
		return;
	}
	if (c->hold_reg && reg == c->hold_reg) {
		e->regs[reg] = val;
		if (val == c->hold_start) {
			e->held = true;
		} else if (val == c->hold_end && e->held) {
			e->held = false;
			for (int i = 0; i < e->npending; i++)
				e->regs[e->pending[i].reg] = e->pending[i].val;
			e->npending = 0;
		}
		return;
	}
	if (e->held && reg != c->stream_reg) {
		/* a full group buffer writes through, as a real one overflows */
		if (e->npending < LUMEN_EMU_HOLD_MAX) {
			e->pending[e->npending].reg = reg;
			e->pending[e->npending].val = val;
			e->npending++;
			return;
		}
	}
	was_streaming = e->regs[c->stream_reg] & 1;
	e->regs[reg] = val;
	if (reg == c->stream_reg && !was_streaming && (val & 1))
		e->stream_start = e->frame;
}

static int emu_i2c_write(void *opaque, const uint8_t *buf, size_t len)
{
	struct lumen_emu_sensor *e = opaque;
	int ret = 0;

	pthread_mutex_lock(&e->lock);
	if (!lumen_emu_running(e)) {
		ret = -ENXIO;		/* no clock: no ACK to the address */
	} else if (len < 2) {
		ret = -EIO;		/* a 16-bit register address is needed */
	} else {
		e->ptr = (uint16_t)(buf[0] << 8 | buf[1]);
		for (size_t i = 2; i < len; i++)
			reg_write(e, e->ptr++, buf[i]);
	}
	pthread_mutex_unlock(&e->lock);
	return ret;
}

static int emu_i2c_read(void *opaque, uint8_t *buf, size_t len)
{
	struct lumen_emu_sensor *e = opaque;
	int ret = 0;

	pthread_mutex_lock(&e->lock);
	if (!lumen_emu_running(e))
		ret = -ENXIO;
	else
		for (size_t i = 0; i < len; i++)
			buf[i] = e->regs[e->ptr++];
	pthread_mutex_unlock(&e->lock);
	return ret;
}

const struct lumen_i2c_device_ops lumen_emu_sensor_i2c_ops = {
	.write = emu_i2c_write,
	.read = emu_i2c_read,
};

int lumen_emu_sensor_create(const char *model, struct lumen_scene *scene,
			    struct lumen_emu_sensor **out)
{
	const struct lumen_emu_chip *chip = NULL;
	struct lumen_emu_sensor *e;

	if (!model || !out)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(chips) / sizeof(chips[0]); i++)
		if (!strcmp(chips[i]->name, model))
			chip = chips[i];
	if (!chip)
		return -ENOENT;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	if (pthread_mutex_init(&e->lock, NULL)) {
		free(e);
		return -ENOMEM;
	}
	e->chip = chip;
	e->scene = scene;
	power_on_reset(e);
	*out = e;
	return 0;
}

void lumen_emu_sensor_destroy(struct lumen_emu_sensor *emu)
{
	if (!emu)
		return;
	pthread_mutex_destroy(&emu->lock);
	free(emu);
}

/* Losing power loses the registers; MCLK alone only silences the chip. */
void lumen_emu_sensor_set_power(struct lumen_emu_sensor *emu, bool powered,
				uint64_t mclk_hz)
{
	pthread_mutex_lock(&emu->lock);
	if (powered && !emu->powered)
		power_on_reset(emu);
	emu->powered = powered;
	emu->mclk_hz = mclk_hz;
	pthread_mutex_unlock(&emu->lock);
}

const struct lumen_sensor_model *
lumen_emu_sensor_model(const struct lumen_emu_sensor *emu)
{
	return emu->chip->model;
}

void lumen_emu_sensor_output(struct lumen_emu_sensor *emu,
			     struct lumen_emu_output *out)
{
	struct lumen_emu_regs_view v;
	struct lumen_emu_sample s;
	uint64_t pclk;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&emu->lock);
	lumen_emu_decode(emu, &v);
	lumen_emu_effective(emu, emu->frame, &v, &s);
	pclk = lumen_emu_pclk(emu, &v);
	out->streaming = lumen_emu_running(emu) && v.streaming;
	out->width = v.width;
	out->height = v.height;
	out->lanes = v.lanes;
	out->bits = v.bits;
	out->dt = v.dt;
	out->bayer = lumen_bayer_flip(emu->chip->bayer, v.hflip, v.vflip,
				      v.width, v.height);
	out->frame_period_s = pclk ? (double)v.hts * v.vts / (double)pclk : 0;
	out->exposure_lines = s.exposure_lines;
	out->analog_gain = s.analog_gain;
	out->digital_gain = s.digital_gain;
	pthread_mutex_unlock(&emu->lock);
}

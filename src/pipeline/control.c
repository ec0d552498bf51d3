// SPDX-License-Identifier: GPL-2.0-or-later
#include "pipeline/control.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/tuning.h"

struct lumen_control {
	struct lumen_source *src;
	struct lumen_control_config cfg;
	struct lumen_ae_ctl ae;
	struct lumen_awb_ctl awb;
	struct lumen_ae_exposure last_request;
	pthread_mutex_t lock;
	struct lumen_control_state snap;	/* under lock */
	bool pending;				/* under lock */
	struct lumen_control_config next;	/* under lock */
};

void lumen_control_reconfigure(struct lumen_control *ctl,
			       const struct lumen_control_config *cfg)
{
	pthread_mutex_lock(&ctl->lock);
	ctl->next = *cfg;
	ctl->pending = true;
	pthread_mutex_unlock(&ctl->lock);
}

/* On the ISP thread: takes a pending configuration. */
static void apply_pending(struct lumen_control *ctl)
{
	struct lumen_control_config c;
	bool pending;

	pthread_mutex_lock(&ctl->lock);
	pending = ctl->pending;
	c = ctl->next;
	ctl->pending = false;
	pthread_mutex_unlock(&ctl->lock);
	if (!pending)
		return;
	if (lumen_awb_ctl_init(&ctl->awb, &c.awb_cfg, ctl->awb.st.gain) == 0)
		ctl->cfg.awb_cfg = c.awb_cfg;
	ctl->cfg.ae_cfg = c.ae_cfg;
	ctl->cfg.ae = c.ae;
	ctl->cfg.awb = c.awb;
	ctl->snap.ae_on = c.ae && ctl->src->ops->set_exposure_gain &&
		ctl->src->ops->get_limits;
	ctl->snap.awb_on = c.awb;
	ctl->snap.ae_ready = false;	/* re-init AE from the sensor's state */
}

int lumen_control_create_cfg(struct lumen_source *src,
			     const struct lumen_control_config *cfg,
			     struct lumen_control **out)
{
	struct lumen_control *ctl = calloc(1, sizeof(*ctl));
	int err;

	if (!ctl)
		return -ENOMEM;
	ctl->src = src;
	if (cfg) {
		ctl->cfg = *cfg;
	} else {
		ctl->cfg.ae = ctl->cfg.awb = true;
		ctl->cfg.awb_cfg.method = LUMEN_AWB_GREY_WORLD;
	}
	err = lumen_awb_ctl_init(&ctl->awb, &ctl->cfg.awb_cfg, NULL);
	if (err)
		goto free_ctl;
	if (pthread_mutex_init(&ctl->lock, NULL)) {
		err = -EAGAIN;
		goto free_ctl;
	}
	ctl->snap.ae_on = ctl->cfg.ae && src->ops->set_exposure_gain &&
		src->ops->get_limits;
	ctl->snap.awb_on = ctl->cfg.awb;
	*out = ctl;
	return 0;

free_ctl:
	free(ctl);
	return err;
}

int lumen_control_create(struct lumen_source *src, struct lumen_control **out)
{
	return lumen_control_create_cfg(src, NULL, out);
}

void lumen_control_destroy(struct lumen_control *ctl)
{
	if (!ctl)
		return;
	pthread_mutex_destroy(&ctl->lock);
	free(ctl);
}

/* AE starts from what the sensor has now (or mid exposure, unit gain). */
static bool ae_setup(struct lumen_control *ctl,
		     const struct lumen_capture_info *cap)
{
	struct lumen_exposure_limits l;
	struct lumen_ae_limits al;
	struct lumen_ae_exposure start;

	if (ctl->src->ops->get_limits(ctl->src, &l))
		return false;
	al.exposure_min_lines = l.exposure_min;
	al.exposure_max_lines = l.exposure_max;
	al.gain_min_q8 = l.gain_min_q8;
	al.gain_max_q8 = l.gain_max_q8;
	al.line_time_s = l.line_time_s;
	start.lines = cap->exposure_lines ? cap->exposure_lines :
		l.exposure_max / 2;
	start.gain_q8 = cap->gain_q8 ? cap->gain_q8 : 256;
	if (lumen_ae_ctl_init(&ctl->ae, &ctl->cfg.ae_cfg, &al, &start))
		return false;
	ctl->last_request = start;
	return true;
}

void lumen_control_frame(void *opaque, struct lumen_pipeline *pl,
			 const struct lumen_isp_stats *stats,
			 const struct lumen_capture_info *cap,
			 struct lumen_isp_params *params,
			 struct lumen_frame_info *info)
{
	struct lumen_control *ctl = opaque;
	struct lumen_control_state *s = &ctl->snap;
	bool wrote = false, write_failed = false;

	(void)pl;
	apply_pending(ctl);
	/* the DPC's noise model (the tuning's, at unit gain) follows the
	 * analogue gain of this frame */
	params->dpc_gain = cap->gain_q8 ? (float)cap->gain_q8 / 256.0f : 1.0f;
	if (s->awb_on) {
		float gain[3];

		if (lumen_awb_ctl_process(&ctl->awb, stats, gain) == 0 &&
		    ctl->awb.st.valid)
			memcpy(params->wb, gain, sizeof(gain));
	}
	if (s->ae_on && !s->ae_ready)
		s->ae_ready = ae_setup(ctl, cap);
	if (s->ae_on && s->ae_ready && cap->exposure_lines && cap->gain_q8) {
		struct lumen_ae_exposure captured = {
			cap->exposure_lines, cap->gain_q8
		}, next;

		if (lumen_ae_ctl_process(&ctl->ae, stats, params->wb, &captured,
					 &next) == 0 &&
		    (next.lines != ctl->last_request.lines ||
		     next.gain_q8 != ctl->last_request.gain_q8)) {
			wrote = true;
			write_failed = ctl->src->ops->set_exposure_gain(
				ctl->src, next.lines, next.gain_q8) < 0;
			ctl->last_request = next;
		}
		info->ae_error = ctl->ae.st.error;
	}
	pthread_mutex_lock(&ctl->lock);
	s->ae = ctl->ae.st;
	s->awb = ctl->awb.st;
	s->sensor_writes += wrote;
	s->sensor_write_errors += write_failed;
	pthread_mutex_unlock(&ctl->lock);
}

void lumen_control_get(struct lumen_control *ctl, struct lumen_control_state *out)
{
	pthread_mutex_lock(&ctl->lock);
	*out = ctl->snap;
	pthread_mutex_unlock(&ctl->lock);
}

int lumen_control_format(struct lumen_control *ctl, char *buf, size_t size)
{
	struct lumen_control_state s;

	lumen_control_get(ctl, &s);
	return snprintf(buf, size,
			"ae: %s, %s, exposure %.2f ms, gain %.2fx, mean %.3f, error %+.1f%% (%llu frames, %llu sensor writes, %llu failed)\n"
			"awb: %s, %s, gains R %.3f B %.3f (G = 1), error %.1f%%\n",
			s.ae_on ? "on" : "off",
			s.ae.converged ? "converged" : "adjusting",
			s.ae.exposure_s * 1e3, s.ae.gain, s.ae.mean,
			s.ae.error * 100, (unsigned long long)s.ae.frames,
			(unsigned long long)s.sensor_writes,
			(unsigned long long)s.sensor_write_errors,
			s.awb_on ? "on" : "off",
			s.awb.converged ? "converged" : "adjusting",
			s.awb.r_gain, s.awb.b_gain, s.awb.error * 100);
}

static bool find_tuning(const char *sensor, char *path, size_t size)
{
	const char *dirs[3] = { getenv("LUMEN_TUNING_DIR"),
#ifdef LUMEN_SOURCE_DATA_DIR
				LUMEN_SOURCE_DATA_DIR "/tuning",
#else
				NULL,
#endif
#ifdef LUMEN_INSTALL_DATA_DIR
				LUMEN_INSTALL_DATA_DIR "/tuning",
#else
				NULL,
#endif
	};

	for (int i = 0; i < 3; i++) {
		if (!dirs[i])
			continue;
		snprintf(path, size, "%s/%s.yaml", dirs[i], sensor);
		if (access(path, R_OK) == 0)
			return true;
	}
	return false;
}

int lumen_control_isp_defaults(const char *sensor, struct lumen_isp_params *p,
			       struct lumen_control_tuning *keep, char *err,
			       size_t errsz)
{
	struct lumen_tuning *t = &keep->file;

	lumen_isp_params_default(p);
	p->stats = true;
	p->demosaic = LUMEN_DEMOSAIC_FAST;
	if (err && errsz)
		err[0] = '\0';
	if (!sensor || !find_tuning(sensor, keep->path, sizeof(keep->path))) {
		keep->path[0] = '\0';
		return -ENOENT;
	}
	lumen_tuning_init(t);
	if (lumen_tuning_load(keep->path, t, err, errsz))
		return -EINVAL;
	if (t->has_ccm)
		memcpy(p->ccm, t->ccm, sizeof(p->ccm));
	if (lumen_tuning_lsc_map(t, &keep->lsc))
		p->lsc = &keep->lsc;
	if (lumen_tuning_dpc_map(t, &keep->dpc_map))
		p->dpc_map = &keep->dpc_map;
	if (t->has_noise) {
		/* the noise model drives the DPC and, live, the fast denoise
		 * (times this frame's analogue gain: lumen_control_frame()) */
		memcpy(p->dpc_noise, t->noise, sizeof(p->dpc_noise));
		p->denoise = LUMEN_DENOISE_FAST;
	}
	if (t->has_sharpen)
		p->sharpen = t->sharpen;
	return 0;
}

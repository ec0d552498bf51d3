// SPDX-License-Identifier: GPL-2.0-or-later
/* The camera: board, tuning, source and 3A in one place (see camera.h). */
#include "camera/camera.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/media.h"
#include "sensor/sensor.h"

/* The sources lumen can build, by backend: the factory's table. */
struct source_factory {
	const char *name;
	int (*create)(struct lumen_camera *cam,
		      const struct lumen_camera_config *cfg, char *err,
		      size_t errlen);
};

static int create_virtual(struct lumen_camera *cam,
			  const struct lumen_camera_config *cfg, char *err,
			  size_t errlen)
{
	struct lumen_virtual_config vc;
	char msg[384];
	int ret;

	if (!cam->has_board) {
		snprintf(err, errlen, "the virtual backend needs a board file (--board)");
		return -EINVAL;
	}
	lumen_virtual_config_from_board(&cam->board, &vc);
	vc.faults = cfg->faults;
	vc.scene.kind = cfg->scene;
	vc.scene.image_path = cfg->scene_image;
	if (cfg->light > 0)
		vc.scene.light = cfg->light;
	ret = lumen_virtual_source_create(&vc, &cam->src, msg, sizeof(msg));
	if (ret) {
		snprintf(err, errlen, "board %s: %s", cam->board.name, msg);
		/* an unknown sensor, SoC or mode is the board file's fault */
		return -EINVAL;
	}
	return 0;
}

/* --size through the source's format ops: what the device takes may
 * differ from what was asked, and format_note says so. */
static int set_size(struct lumen_camera *cam, uint32_t w, uint32_t h,
		    uint32_t code, char *err, size_t errlen)
{
	struct lumen_source *src = cam->src;
	struct lumen_source_format f;
	int ret, n;

	/* the code: asked for, or the one configured now */
	memset(&f, 0, sizeof(f));
	for (int i = 0; !code && !src->ops->enum_formats(src, i, &f); i++)
		if (f.fmt == src->fmt)
			break;
	f.code = code ? code : f.code;
	f.width = (int)w;
	f.height = (int)h;
	ret = src->ops->try_format(src, &f);
	if (ret) {
		/* the source says which device, entity, pad and ioctl */
		snprintf(err, errlen, "%ux%u: the device refuses it: %s", w, h,
			 src->error);
		return ret;
	}
	n = 0;
	if ((uint32_t)f.width != w || (uint32_t)f.height != h)
		n = snprintf(cam->format_note, sizeof(cam->format_note),
			     "format: asked %ux%u, the device takes %dx%d\n",
			     w, h, f.width, f.height);
	ret = src->ops->set_format(src, &f);
	if (ret) {
		snprintf(err, errlen, "set format: %s", src->error);
		return ret;
	}
	snprintf(cam->format_note + n, sizeof(cam->format_note) - (size_t)n,
		 "format: %s %dx%d", lumen_media_code_name(f.code), src->width,
		 src->height);
	return 0;
}

static int create_v4l2(struct lumen_camera *cam,
		       const struct lumen_camera_config *cfg, char *err,
		       size_t errlen)
{
	struct lumen_v4l2_config vc = cfg->v4l2;
	int ret;

	if (cfg->faults) {
		snprintf(err, errlen, "faults are for the virtual board; a V4L2 "
			 "device has its own (controls such as vivid's "
			 "'Percentage of Dropped Buffers')");
		return -EINVAL;
	}
	vc.width = vc.height = 0;
	/* the board's graph set-up, when it has one */
	if (cam->has_board && cam->board.has_media)
		vc.plan = &cam->board.media;
	ret = lumen_v4l2_source_create(&vc, &cam->src, err, errlen);
	if (!ret && cfg->width && cfg->height) {
		if (!cam->src->ops->try_format || !cam->src->ops->set_format) {
			snprintf(err, errlen, "this source cannot change its format");
			return -ENOTSUP;
		}
		ret = set_size(cam, cfg->width, cfg->height, vc.code, err, errlen);
	}
	/* a driver's EINVAL is the device refusing, not a usage error
	 * (lumen_camera_open() keeps -EINVAL for those) */
	return ret == -EINVAL ? -EIO : ret;
}

static const struct source_factory factories[] = {
	[LUMEN_CAMERA_VIRTUAL] = { "virtual", create_virtual },
	[LUMEN_CAMERA_V4L2] = { "v4l2", create_v4l2 },
};

int lumen_camera_open(const struct lumen_camera_config *cfg,
		      struct lumen_camera **out, char *err, size_t errlen)
{
	struct lumen_board_opts bopts = { .sensor_known = lumen_sensor_known };
	struct lumen_camera *cam;
	char msg[384];
	int ret;

	cam = calloc(1, sizeof(*cam));
	if (!cam) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	cam->backend = cfg->backend;
	if (cfg->board) {
		if (lumen_board_load_ex(cfg->board, &bopts, &cam->board, msg,
					sizeof(msg))) {
			snprintf(err, errlen, "%s", msg);
			ret = -EINVAL;
			goto free_camera;
		}
		cam->has_board = true;
		if (cam->backend == LUMEN_CAMERA_AS_BOARD)
			cam->backend = cam->board.backend == LUMEN_BACKEND_V4L2 ?
				LUMEN_CAMERA_V4L2 : LUMEN_CAMERA_VIRTUAL;
		/* the tuning of the board's sensor, on either backend */
		ret = lumen_control_isp_defaults(cam->board.sensor, &cam->isp,
						 &cam->tuning, msg, sizeof(msg));
		if (ret == -EINVAL) {
			snprintf(err, errlen, "tuning: %s", msg);
			goto free_camera;
		}
		cam->has_tuning = ret == 0;
	} else {
		/* no tuning: identity colour matrix, AWB from the statistics */
		lumen_isp_params_default(&cam->isp);
	}
	if (cam->backend == LUMEN_CAMERA_AS_BOARD)
		cam->backend = LUMEN_CAMERA_VIRTUAL;
	ret = factories[cam->backend].create(cam, cfg, err, errlen);
	if (ret)
		goto destroy_source;
	*out = cam;
	return 0;

destroy_source:
	if (cam->src)
		cam->src->ops->destroy(cam->src);
free_camera:
	free(cam);
	return ret;
}

void lumen_camera_pipeline_config(struct lumen_camera *cam, bool use_3a,
				  const struct lumen_control_config *cc,
				  struct lumen_pipeline_config *pc)
{
	pc->source = cam->src;
	pc->isp = cam->isp;
	pc->out_fmt = LUMEN_PIX_NV12;
	/* a live source: when the ISP falls behind, outputs and 3A see the
	 * newest frame and older ones count as dropped, not as delay */
	pc->drop_stale = true;
	if (!use_3a)
		return;
	if (!cam->ctl) {
		int ret = cc ? lumen_control_create_cfg(cam->src, cc, &cam->ctl) :
			lumen_control_create(cam->src, &cam->ctl);

		if (ret)
			cam->ctl = NULL;
	}
	if (cam->ctl) {
		pc->control = lumen_control_frame;
		pc->control_opaque = cam->ctl;
	}
}

int lumen_camera_start_report(struct lumen_camera *cam, char *buf, size_t size)
{
	struct lumen_source *src = cam->src;
	int n;

	if (size)
		buf[0] = '\0';
	if (cam->backend == LUMEN_CAMERA_V4L2 && src->ops->dump)
		return src->ops->dump(src, buf, size);
	if (cam->backend == LUMEN_CAMERA_VIRTUAL &&
	    (!strcmp(src->failed_stage, "i2c") ||
	     !strcmp(src->failed_stage, "sensor"))) {
		/* what a bring-up engineer runs next: scan the bus */
		n = snprintf(buf, size, "# i2cdetect -y -r %d\n", cam->board.i2c_bus);
		if (n < 0)
			return 0;
		return n + lumen_virtual_source_i2cdetect(src,
			(size_t)n < size ? buf + n : NULL,
			(size_t)n < size ? size - (size_t)n : 0);
	}
	return 0;
}

const char *lumen_camera_name(const struct lumen_camera *cam)
{
	return cam->has_board ? cam->board.name : factories[cam->backend].name;
}

const char *lumen_camera_sensor(const struct lumen_camera *cam)
{
	if (cam->has_board)
		return cam->board.sensor;
	return cam->backend == LUMEN_CAMERA_V4L2 ?
		lumen_v4l2_source_sensor(cam->src) : "?";
}

void lumen_camera_close(struct lumen_camera *cam)
{
	if (!cam)
		return;
	lumen_control_destroy(cam->ctl);
	if (cam->src)
		cam->src->ops->destroy(cam->src);
	free(cam);
}

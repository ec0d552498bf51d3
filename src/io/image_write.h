/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing frames to image files, the format chosen by the extension:
 *
 *   .jpg .jpeg  RGB24, GRAY8 (TurboJPEG); NV12, I420 straight from the
 *               planes with 4:2:0 subsampling (no RGB round trip)
 *   .png        RGB24, GRAY8, RGB48 (16-bit), BAYER8/BAYER16 as grey
 *   .ppm        RGB24 (P6, maxval 255), RGB48 (P6, 16-bit big-endian)
 *   .pgm        GRAY8, BAYER8 (P5 8-bit), BAYER16/10P/12P (P5 16-bit,
 *               maxval (1 << bits) - 1)
 *   .yuv        NV12, I420: the planes tightly packed, nothing else
 *
 * The file is written as "<path>.tmp" and renamed over @path only when
 * complete, so a failure never leaves a partial (or any new) file.
 */
#ifndef LUMEN_IO_IMAGE_WRITE_H
#define LUMEN_IO_IMAGE_WRITE_H

#include <stddef.h>

#include "core/frame.h"

/*
 * Writes @frame to @path. @quality is the JPEG quality 1..100 (0 = 90),
 * ignored otherwise. Returns 0 or a negative errno: -EINVAL for an unknown
 * extension or a frame format the extension cannot hold (the message says
 * which formats it takes), -errno of the failing open/write/rename, -ENOMEM,
 * -EIO for an encoder failure. The message names @path.
 */
int lumen_image_write(const char *path, const struct lumen_frame *frame,
		      int quality, char *err, size_t errlen);

#endif

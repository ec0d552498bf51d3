/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading 8-bit RGB images (PNG through libpng, TIFF through libtiff with
 * any compression libtiff knows, PackBits included) into RGB24 frames.
 * Used by the benchmarks and by the virtual sensor's scenes.
 */
#ifndef LUMEN_IO_RGB_READ_H
#define LUMEN_IO_RGB_READ_H

#include "core/frame.h"

/*
 * Loads @path into a new RGB24 frame (allocated with lumen_frame_alloc();
 * the caller frees it with lumen_frame_free()). The format is taken from
 * the file's first bytes, not its name. Grey, palette, alpha and 16-bit
 * images are converted to 8-bit RGB (alpha dropped, 16 bits rounded).
 *
 * Returns 0, or a negative errno with *out untouched:
 *   -ENOENT/-EACCES/...  the file cannot be opened (errno of fopen),
 *   -ENOTSUP  not a PNG or TIFF file,
 *   -EIO      a corrupt or truncated file,
 *   -EFBIG    wider or taller than LUMEN_MAX_DIM,
 *   -ENOMEM.
 * Thread-safe apart from libtiff's global warning handler, which prints
 * to stderr.
 */
int lumen_rgb_read(const char *path, struct lumen_frame *out);

#endif

// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/cpu.h"

/* Architectures without SIMD kernels (mipsel): the C references run. */
unsigned lumen_cpu_detect_arch(void)
{
	return 0;
}

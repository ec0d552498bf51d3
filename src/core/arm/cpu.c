// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/cpu.h"

#if defined(__aarch64__)
unsigned lumen_cpu_detect_arch(void)
{
	return LUMEN_CPU_NEON;	/* Advanced SIMD is mandatory on AArch64 */
}
#else
#include <sys/auxv.h>
#ifndef HWCAP_NEON
#define HWCAP_NEON (1 << 12)
#endif
unsigned lumen_cpu_detect_arch(void)
{
	return (getauxval(AT_HWCAP) & HWCAP_NEON) ? LUMEN_CPU_NEON : 0;
}
#endif

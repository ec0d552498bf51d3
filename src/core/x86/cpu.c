// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/cpu.h"

unsigned lumen_cpu_detect_arch(void)
{
	unsigned flags = 0;

	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		flags |= LUMEN_CPU_AVX2;
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
		flags |= LUMEN_CPU_AVX512;
	if (__builtin_cpu_supports("avx512vnni"))
		flags |= LUMEN_CPU_AVX512VNNI;
	return flags;
}

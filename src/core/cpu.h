/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CPU features for kernel dispatch. Each kernel family has a C reference;
 * its init function installs the C version first and then, arch by arch,
 * the fastest version lumen_cpu_flags() allows.
 *
 * LUMEN_CPU_MASK (environment, hex) or lumen_cpu_set_mask() clears flags,
 * so tests and benchmarks can run every level on one machine.
 */
#ifndef LUMEN_CORE_CPU_H
#define LUMEN_CORE_CPU_H

enum {
	LUMEN_CPU_AVX2 = 1u << 0,
	LUMEN_CPU_AVX512 = 1u << 1,	/* F + BW */
	LUMEN_CPU_AVX512VNNI = 1u << 2,	/* VNNI (kernels also need AVX512) */
	LUMEN_CPU_NEON = 1u << 8,
};

/* Detected flags, less any masked ones. Thread-safe after first call. */
unsigned lumen_cpu_flags(void);
void lumen_cpu_set_mask(unsigned allowed);

/* per-arch detection, in core/<arch>/cpu.c (generic build: returns 0) */
unsigned lumen_cpu_detect_arch(void);

#endif

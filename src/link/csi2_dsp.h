/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernels of the CSI-2 layer picked at run time (docs/simd.md): the payload
 * CRC. The C reference is the slicing-by-16 table code of csi2.c
 * (lumen_csi2_crc16_update_c); the x86 version folds 64 bytes per step
 * with carry-less multiplies (PCLMULQDQ) and hands the last 16-byte
 * remainder and the tail to the C code. Both give the same CRC for every
 * input (any pointer alignment, any length, any running value);
 * tests/test_csi2.c compares them. No allocation; caller's thread.
 */
#ifndef LUMEN_LINK_CSI2_DSP_H
#define LUMEN_LINK_CSI2_DSP_H

#include <stddef.h>
#include <stdint.h>

#define LUMEN_CRC16_FN(name) uint16_t name(uint16_t crc, const uint8_t *p, size_t n)
typedef LUMEN_CRC16_FN(lumen_crc16_fn);

struct lumen_csi2_dsp {
	lumen_crc16_fn *crc16;
};

LUMEN_CRC16_FN(lumen_csi2_crc16_update_c);
LUMEN_CRC16_FN(lumen_csi2_crc16_update_clmul);

/*
 * The C kernel, then the fastest lumen_cpu_flags() allows (x86: the AVX2
 * level on a CPU with PCLMULQDQ, which every AVX2 CPU has; ARM keeps the
 * table code: PMULL is not part of NEON and is left for later). The public
 * lumen_csi2_crc16_update() uses a table filled once per process.
 */
void lumen_csi2_dsp_init(struct lumen_csi2_dsp *dsp);
void lumen_csi2_dsp_init_x86(struct lumen_csi2_dsp *dsp);

/*
 * x^n mod P for the CSI-2 polynomial, bit-reflected into a 64-bit fold
 * constant (degree d at bit 63 - d): what the folding kernel multiplies by.
 */
uint64_t lumen_csi2_crc_fold_const(unsigned n);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernels of the CSI-2 layer picked at run time (docs/simd.md): the payload
 * CRC and the byte distribution over 2 or 4 lanes (and its merge).
 *
 * The CRC's C reference is the slicing-by-16 table code of csi2.c
 * (lumen_csi2_crc16_update_c); the x86 (PCLMULQDQ) and arm64 (PMULL)
 * versions fold 64 bytes per step with carry-less multiplies and hand the
 * last 16-byte remainder and the tail to the C code. All give the same CRC
 * for every input (any pointer alignment, any length, any running value).
 * Every kernel gives the C reference's bytes; tests/test_csi2.c compares
 * them. No allocation; caller's thread.
 */
#ifndef LUMEN_LINK_CSI2_DSP_H
#define LUMEN_LINK_CSI2_DSP_H

#include <stddef.h>
#include <stdint.h>

#define LUMEN_CRC16_FN(name) uint16_t name(uint16_t crc, const uint8_t *p, size_t n)
typedef LUMEN_CRC16_FN(lumen_crc16_fn);

/*
 * Lane kernels: split @count groups of 2 (or 4) packet bytes round-robin
 * onto the lanes (byte 2j to lane[0][j], 2j+1 to lane[1][j]; 4j+l to
 * lane[l][j]), and merge them back. They write exactly count bytes per
 * lane or 2 (4) x count merged bytes; buffers must not overlap.
 */
#define LUMEN_LANE_SPLIT_FN(name) void name(const uint8_t *restrict src,	\
	size_t count, uint8_t *const lane[])
#define LUMEN_LANE_MERGE_FN(name) void name(const uint8_t *const lane[],	\
	size_t count, uint8_t *restrict dst)
typedef LUMEN_LANE_SPLIT_FN(lumen_lane_split_fn);
typedef LUMEN_LANE_MERGE_FN(lumen_lane_merge_fn);

struct lumen_csi2_dsp {
	lumen_crc16_fn *crc16;
	lumen_lane_split_fn *split2, *split4;
	lumen_lane_merge_fn *merge2, *merge4;
};

LUMEN_CRC16_FN(lumen_csi2_crc16_update_c);
LUMEN_CRC16_FN(lumen_csi2_crc16_update_clmul);
LUMEN_CRC16_FN(lumen_csi2_crc16_update_pmull);	/* arm64 only */
LUMEN_LANE_SPLIT_FN(lumen_lane_split2_c);
LUMEN_LANE_SPLIT_FN(lumen_lane_split4_c);
LUMEN_LANE_MERGE_FN(lumen_lane_merge2_c);
LUMEN_LANE_MERGE_FN(lumen_lane_merge4_c);
LUMEN_LANE_SPLIT_FN(lumen_lane_split2_avx2);
LUMEN_LANE_SPLIT_FN(lumen_lane_split4_avx2);
LUMEN_LANE_MERGE_FN(lumen_lane_merge2_avx2);
LUMEN_LANE_MERGE_FN(lumen_lane_merge4_avx2);
LUMEN_LANE_SPLIT_FN(lumen_lane_split2_neon);
LUMEN_LANE_SPLIT_FN(lumen_lane_split4_neon);
LUMEN_LANE_MERGE_FN(lumen_lane_merge2_neon);
LUMEN_LANE_MERGE_FN(lumen_lane_merge4_neon);

/* The table filled once per process, as the public functions use it. */
const struct lumen_csi2_dsp *lumen_csi2_dsp(void);

/*
 * The C kernel, then the fastest lumen_cpu_flags() allows (x86: the AVX2
 * level on a CPU with PCLMULQDQ, which every AVX2 CPU has; arm64: the NEON
 * level on a CPU whose HWCAP has PMULL, the crypto extension's polynomial
 * multiply; 32-bit ARM keeps the table CRC; the lane kernels are NEON). The public lumen_csi2_crc16_update(), the transmitter
 * and the receiver use a table filled once per process.
 */
void lumen_csi2_dsp_init(struct lumen_csi2_dsp *dsp);
void lumen_csi2_dsp_init_x86(struct lumen_csi2_dsp *dsp);
void lumen_csi2_dsp_init_arm(struct lumen_csi2_dsp *dsp);

/*
 * x^n mod P for the CSI-2 polynomial, bit-reflected into a 64-bit fold
 * constant (degree d at bit 63 - d): what the folding kernel multiplies by.
 */
uint64_t lumen_csi2_crc_fold_const(unsigned n);

#endif

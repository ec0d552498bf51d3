/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RAW10 row kernels picked at run time (docs/simd.md): the C references are
 * lumen_pack_raw10_c / lumen_unpack_raw10_c in pack.c, whose contract is
 * that of lumen_pack_raw10 / lumen_unpack_raw10 in pack.h (any n >= 0, a
 * padded last group, exactly n samples / lumen_raw10_bytes(n) bytes read or
 * written; a sample above 1023 keeps its bits 2..9 and 0..1, as the C code
 * casts). Every SIMD version gives the same bytes for every input;
 * tests/test_pack.c compares them. Kernels never allocate and run on the
 * caller's thread.
 */
#ifndef LUMEN_CORE_PACK_DSP_H
#define LUMEN_CORE_PACK_DSP_H

#include <stddef.h>
#include <stdint.h>

#define LUMEN_RAW10_UNPACK_FN(name) \
	void name(const uint8_t *src, uint16_t *dst, size_t n)
#define LUMEN_RAW10_PACK_FN(name) \
	void name(const uint16_t *src, uint8_t *dst, size_t n)
typedef LUMEN_RAW10_UNPACK_FN(lumen_raw10_unpack_fn);
typedef LUMEN_RAW10_PACK_FN(lumen_raw10_pack_fn);

struct lumen_pack_dsp {
	lumen_raw10_unpack_fn *unpack10;
	lumen_raw10_pack_fn *pack10;
};

LUMEN_RAW10_UNPACK_FN(lumen_unpack_raw10_c);
LUMEN_RAW10_PACK_FN(lumen_pack_raw10_c);
LUMEN_RAW10_UNPACK_FN(lumen_unpack_raw10_avx2);
LUMEN_RAW10_PACK_FN(lumen_pack_raw10_avx2);
LUMEN_RAW10_UNPACK_FN(lumen_unpack_raw10_neon);
LUMEN_RAW10_PACK_FN(lumen_pack_raw10_neon);

/*
 * The C kernels, then the fastest lumen_cpu_flags() allows. The public
 * lumen_pack_raw10 / lumen_unpack_raw10 use a table filled once per
 * process (so LUMEN_CPU_MASK in the environment applies, a later
 * lumen_cpu_set_mask() does not); tests call this to get a table now.
 */
void lumen_pack_dsp_init(struct lumen_pack_dsp *dsp);
void lumen_pack_dsp_init_x86(struct lumen_pack_dsp *dsp);
void lumen_pack_dsp_init_arm(struct lumen_pack_dsp *dsp);

#endif

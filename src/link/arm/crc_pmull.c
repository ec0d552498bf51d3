// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CSI-2 payload CRC by folding with PMULL (arm64 with the crypto
 * extension's polynomial multiply; csi2_dsp.h). The same folding as
 * x86/crc_clmul.c, whose comment derives it: 64 bytes per step in four
 * accumulators, folded into one, then 16-byte blocks; the remainder and
 * the tail through the table code. Built for arm64 only.
 */
#include <pthread.h>
#include <arm_neon.h>

#include "link/csi2_dsp.h"

#define FOLD_ATTR __attribute__((target("+crypto")))

static uint64x2_t k512, k384, k256, k128;
static pthread_once_t k_once = PTHREAD_ONCE_INIT;

static uint64x2_t pair(unsigned d)
{
	/* low lane (H) times x^(d+63), high lane (L) times x^(d-1) */
	uint64_t k[2] = { lumen_csi2_crc_fold_const(d + 63),
			  lumen_csi2_crc_fold_const(d - 1) };

	return vld1q_u64(k);
}

static void k_init(void)
{
	k512 = pair(512);
	k384 = pair(384);
	k256 = pair(256);
	k128 = pair(128);
}

static FOLD_ATTR inline uint64x2_t fold(uint64x2_t a, uint64x2_t k, uint64x2_t b)
{
	poly128_t lo = vmull_p64((poly64_t)vgetq_lane_u64(a, 0),
				 (poly64_t)vgetq_lane_u64(k, 0));
	poly128_t hi = vmull_high_p64(vreinterpretq_p64_u64(a),
				      vreinterpretq_p64_u64(k));

	return veorq_u64(veorq_u64(vreinterpretq_u64_p128(lo),
				   vreinterpretq_u64_p128(hi)), b);
}

static inline uint64x2_t load(const uint8_t *p)
{
	return vreinterpretq_u64_u8(vld1q_u8(p));
}

FOLD_ATTR LUMEN_CRC16_FN(lumen_csi2_crc16_update_pmull)
{
	uint64x2_t a0, a1, a2, a3;
	uint64_t first[2] = { crc, 0 };
	uint8_t rest[16];

	if (n < 64)
		return lumen_csi2_crc16_update_c(crc, p, n);
	pthread_once(&k_once, k_init);
	a0 = veorq_u64(load(p), vld1q_u64(first));
	a1 = load(p + 16);
	a2 = load(p + 32);
	a3 = load(p + 48);
	p += 64;
	n -= 64;
	for (; n >= 64; n -= 64, p += 64) {
		a0 = fold(a0, k512, load(p));
		a1 = fold(a1, k512, load(p + 16));
		a2 = fold(a2, k512, load(p + 32));
		a3 = fold(a3, k512, load(p + 48));
	}
	a0 = fold(a0, k384, fold(a1, k256, fold(a2, k128, a3)));
	for (; n >= 16; n -= 16, p += 16)
		a0 = fold(a0, k128, load(p));
	vst1q_u8(rest, vreinterpretq_u8_u64(a0));
	return lumen_csi2_crc16_update_c(lumen_csi2_crc16_update_c(0, rest, 16), p, n);
}

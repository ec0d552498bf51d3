// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CSI-2 payload CRC by folding with PCLMULQDQ (csi2_dsp.h).
 *
 * The CRC is reflected (bits LSB first), so a 16-byte block loaded little
 * endian holds the polynomial with degree 127 - i at bit i: its low qword
 * is the high half H (degrees 64..127), its high qword the low half L. A
 * block A followed by the rest of the message at distance D bits
 * contributes A x^D = H x^(D+64) + L x^D, and mod P (degree 16) that is
 * H (x^(D+64) mod P) + L (x^D mod P), a value of fewer than 128 bits that
 * can be added to the block D bits further on. A carry-less product of
 * two reflected 64-bit operands comes out one degree short in the 128-bit
 * frame, hence the constants x^(D+63) and x^(D-1) mod P.
 *
 * Four accumulators fold 64 bytes per step (D = 512), are folded into one
 * (D = 384, 256, 128), whole 16-byte blocks are folded one by one, and
 * the remaining value, which is congruent to the message so far, goes
 * through the table code with a zero start (a CRC of a value congruent mod
 * P is the same), followed by the tail. The running CRC enters as a XOR
 * into the first two bytes, as in the table code.
 */
#include <pthread.h>
#include <immintrin.h>

#include "link/csi2_dsp.h"

#define FOLD_ATTR __attribute__((target("pclmul,sse4.1")))

static __m128i k512, k384, k256, k128;
static pthread_once_t k_once = PTHREAD_ONCE_INIT;

static __m128i pair(unsigned d)
{
	/* low qword (H) times x^(d+63), high qword (L) times x^(d-1) */
	return _mm_set_epi64x((long long)lumen_csi2_crc_fold_const(d - 1),
			      (long long)lumen_csi2_crc_fold_const(d + 63));
}

static void k_init(void)
{
	k512 = pair(512);
	k384 = pair(384);
	k256 = pair(256);
	k128 = pair(128);
}

static FOLD_ATTR inline __m128i fold(__m128i a, __m128i k, __m128i b)
{
	return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00),
					   _mm_clmulepi64_si128(a, k, 0x11)), b);
}

static FOLD_ATTR inline __m128i load(const uint8_t *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

FOLD_ATTR LUMEN_CRC16_FN(lumen_csi2_crc16_update_clmul)
{
	__m128i a0, a1, a2, a3;
	uint8_t rest[16];

	if (n < 64)
		return lumen_csi2_crc16_update_c(crc, p, n);
	pthread_once(&k_once, k_init);
	a0 = _mm_xor_si128(load(p), _mm_cvtsi32_si128(crc));
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
	_mm_storeu_si128((__m128i *)(void *)rest, a0);
	return lumen_csi2_crc16_update_c(lumen_csi2_crc16_update_c(0, rest, 16), p, n);
}

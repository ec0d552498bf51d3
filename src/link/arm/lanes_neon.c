// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lane split and merge in NEON (csi2_dsp.h): the structure loads and stores
 * vld2/vst2 and vld4/vst4 are exactly the round-robin distribution, 16
 * groups per step; the tail in C.
 */
#include <arm_neon.h>

#include "link/csi2_dsp.h"

LUMEN_LANE_SPLIT_FN(lumen_lane_split2_neon)
{
	size_t j = 0;

	for (; j + 16 <= count; j += 16) {
		uint8x16x2_t v = vld2q_u8(src + 2 * j);

		vst1q_u8(lane[0] + j, v.val[0]);
		vst1q_u8(lane[1] + j, v.val[1]);
	}
	for (; j < count; j++) {
		lane[0][j] = src[2 * j];
		lane[1][j] = src[2 * j + 1];
	}
}

LUMEN_LANE_SPLIT_FN(lumen_lane_split4_neon)
{
	size_t j = 0;

	for (; j + 16 <= count; j += 16) {
		uint8x16x4_t v = vld4q_u8(src + 4 * j);

		for (int l = 0; l < 4; l++)
			vst1q_u8(lane[l] + j, v.val[l]);
	}
	for (; j < count; j++)
		for (int l = 0; l < 4; l++)
			lane[l][j] = src[4 * j + (size_t)l];
}

LUMEN_LANE_MERGE_FN(lumen_lane_merge2_neon)
{
	size_t j = 0;

	for (; j + 16 <= count; j += 16) {
		uint8x16x2_t v = { { vld1q_u8(lane[0] + j), vld1q_u8(lane[1] + j) } };

		vst2q_u8(dst + 2 * j, v);
	}
	for (; j < count; j++) {
		dst[2 * j] = lane[0][j];
		dst[2 * j + 1] = lane[1][j];
	}
}

LUMEN_LANE_MERGE_FN(lumen_lane_merge4_neon)
{
	size_t j = 0;

	for (; j + 16 <= count; j += 16) {
		uint8x16x4_t v = { { vld1q_u8(lane[0] + j), vld1q_u8(lane[1] + j),
				     vld1q_u8(lane[2] + j), vld1q_u8(lane[3] + j) } };

		vst4q_u8(dst + 4 * j, v);
	}
	for (; j < count; j++)
		for (int l = 0; l < 4; l++)
			dst[4 * j + (size_t)l] = lane[l][j];
}

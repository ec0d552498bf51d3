// SPDX-License-Identifier: GPL-2.0-or-later
/* Replaced by the first AVX2 kernel. */
int lumen_avx2_unit_placeholder;

// SPDX-License-Identifier: GPL-2.0-or-later
/* Replaced by the first NEON kernel. */
int lumen_neon_unit_placeholder;

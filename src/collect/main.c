// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen-collect: `lumen collect` as a small executable of its own, which
 * links statically (meson -Dstatic_collect=true) for cameras that have no
 * matching C library; no --virtual here (that needs the emulators).
 */
#include "collect/collect.h"

int main(int argc, char **argv)
{
	return lumen_collect_main(argc, argv, "lumen-collect", NULL);
}

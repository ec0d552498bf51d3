/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MD5 (RFC 1321), only for HTTP/RTSP Digest authentication (RFC 2617),
 * where the protocol fixes the algorithm. Not for anything that needs a
 * secure hash. Byte order is handled explicitly (no endianness assumption).
 */
#ifndef LUMEN_NET_MD5_H
#define LUMEN_NET_MD5_H

#include <stddef.h>
#include <stdint.h>

struct lumen_md5 {
	uint32_t h[4];
	uint64_t nbytes;
	uint8_t block[64];
	unsigned fill;
};

void lumen_md5_init(struct lumen_md5 *m);
void lumen_md5_update(struct lumen_md5 *m, const void *data, size_t len);
void lumen_md5_final(struct lumen_md5 *m, uint8_t out[16]);

/* The digest of @len bytes as 32 lowercase hex digits and a NUL. */
void lumen_md5_hex(const void *data, size_t len, char out[33]);
/* Lowercase hex of a finished digest. */
void lumen_md5_tohex(const uint8_t d[16], char out[33]);

#endif

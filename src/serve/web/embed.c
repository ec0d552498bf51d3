// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Build-time tool (runs on the build machine): turns a file into a C source
 * defining `const unsigned char NAME[]` (NUL-terminated, so it can also be
 * used as a string) and `const size_t NAME_len` (without the NUL).
 *   embed IN NAME OUT.c
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	FILE *in, *out;
	unsigned long n = 0;
	int c;

	if (argc != 4) {
		fprintf(stderr, "usage: embed IN NAME OUT.c\n");
		return 2;
	}
	in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	out = fopen(argv[3], "w");
	if (!out) {
		perror(argv[3]);
		fclose(in);
		return 1;
	}
	fprintf(out, "/* generated from %s by embed.c; do not edit */\n"
		"#include <stddef.h>\n\nconst unsigned char %s[] = {", argv[1], argv[2]);
	while ((c = fgetc(in)) != EOF)
		fprintf(out, "%s0x%02x,", n++ % 12 ? " " : "\n\t", c);
	fprintf(out, "\n\t0x00\n};\nconst size_t %s_len = %luu;\n", argv[2], n);
	if (ferror(in) || fclose(out)) {
		fprintf(stderr, "embed: cannot write %s\n", argv[3]);
		fclose(in);
		return 1;
	}
	fclose(in);
	return 0;
}

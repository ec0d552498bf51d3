// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Checks for tests/http_clients.sh, on what curl and chromium saved:
 *   http_check jpeg FILE [W H]       a whole JPEG (SOI..EOI) that decodes, of WxH
 *   http_check mjpeg FILE MIN        multipart/x-mixed-replace body: >= MIN
 *                                    complete parts, each a decodable JPEG of
 *                                    the Content-Length it announces
 *   http_check metrics FILE [NAME]   strict Prometheus text format 0.0.4
 *                                    (and a sample of NAME present)
 *   http_check png FILE MIN_COLOUR   a screenshot that is not blank and has
 *                                    >= MIN_COLOUR strongly coloured pixels
 *                                    (the test picture's colour bars)
 *   http_check raw PORT              sends stdin to 127.0.0.1:PORT as is and
 *                                    prints the response's status line
 * Exit 0 when the check passes, 1 with a message saying why not.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <png.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <turbojpeg.h>
#include <unistd.h>

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!fp) {
		fprintf(stderr, "http_check: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			if (!buf)
				exit(1);
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
	} while (got);
	fclose(fp);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* 0 when @data is one complete JPEG that decodes (size into *w, *h). */
static int check_jpeg(const unsigned char *data, size_t len, int *w, int *h, char *why,
		      size_t whylen)
{
	tjhandle tj;
	int sub, cs, ret = -1;
	unsigned char *rgb;

	if (len < 4 || data[0] != 0xff || data[1] != 0xd8 || data[len - 2] != 0xff ||
	    data[len - 1] != 0xd9) {
		snprintf(why, whylen, "no SOI/EOI markers (%zu bytes)", len);
		return -1;
	}
	tj = tjInitDecompress();
	if (tjDecompressHeader3(tj, data, len, w, h, &sub, &cs)) {
		snprintf(why, whylen, "header: %s", tjGetErrorStr2(tj));
		goto out;
	}
	rgb = malloc((size_t)*w * *h * 3);
	if (rgb && !tjDecompress2(tj, data, len, rgb, *w, 0, *h, TJPF_RGB, 0))
		ret = 0;
	else
		snprintf(why, whylen, "decode: %s", tjGetErrorStr2(tj));
	free(rgb);
out:
	tjDestroy(tj);
	return ret;
}

static int cmd_jpeg(int argc, char **argv)
{
	size_t len;
	unsigned char *d = slurp(argv[2], &len);
	int w, h;
	char why[256];

	if (check_jpeg(d, len, &w, &h, why, sizeof(why))) {
		fprintf(stderr, "jpeg: %s: %s\n", argv[2], why);
		return 1;
	}
	if (argc >= 5 && (w != atoi(argv[3]) || h != atoi(argv[4]))) {
		fprintf(stderr, "jpeg: %s: %dx%d, expected %sx%s\n", argv[2], w, h, argv[3],
			argv[4]);
		return 1;
	}
	printf("jpeg: %s: %dx%d, %zu bytes\n", argv[2], w, h, len);
	free(d);
	return 0;
}

static const unsigned char *find(const unsigned char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(hay + i, needle, k))
			return hay + i;
	return NULL;
}

static int cmd_mjpeg(int argc, char **argv)
{
	size_t len, pos = 0;
	unsigned char *d = slurp(argv[2], &len);
	int min = argc > 3 ? atoi(argv[3]) : 5, parts = 0, w, h;
	const char *boundary = "--lumenframe\r\n";
	char why[256];

	while (pos < len) {
		const unsigned char *end;
		char head[512];
		size_t hl, clen;
		const char *cl;

		if (len - pos < strlen(boundary))
			break;	/* cut while the boundary came */
		if (memcmp(d + pos, boundary, strlen(boundary))) {
			fprintf(stderr, "mjpeg: part %d: no boundary at byte %zu\n", parts + 1, pos);
			return 1;
		}
		pos += strlen(boundary);
		end = find(d + pos, len - pos, "\r\n\r\n");
		if (!end)
			break;	/* cut in the headers */
		hl = (size_t)(end - (d + pos));
		if (hl >= sizeof(head)) {
			fprintf(stderr, "mjpeg: part %d: headers too long\n", parts + 1);
			return 1;
		}
		memcpy(head, d + pos, hl);
		head[hl] = 0;
		for (char *p = head; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		cl = strstr(head, "content-length: ");
		if (!strstr(head, "content-type: image/jpeg") || !cl) {
			fprintf(stderr, "mjpeg: part %d: headers '%s'\n", parts + 1, head);
			return 1;
		}
		clen = strtoul(cl + 16, NULL, 10);
		pos += hl + 4;
		if (len - pos < clen + 2)
			break;	/* cut in the picture: the client hung up */
		if (check_jpeg(d + pos, clen, &w, &h, why, sizeof(why))) {
			fprintf(stderr, "mjpeg: part %d: %s\n", parts + 1, why);
			return 1;
		}
		pos += clen;
		if (memcmp(d + pos, "\r\n", 2)) {
			fprintf(stderr, "mjpeg: part %d: no CRLF after the picture\n", parts + 1);
			return 1;
		}
		pos += 2;
		parts++;
	}
	if (parts < min) {
		fprintf(stderr, "mjpeg: %d complete parts, expected >= %d\n", parts, min);
		return 1;
	}
	printf("mjpeg: %d valid parts\n", parts);
	free(d);
	return 0;
}

/* ---- Prometheus text format 0.0.4, strictly ---- */

static bool name_char(int c, bool first)
{
	return isalpha(c) || c == '_' || c == ':' || (!first && isdigit(c));
}

/* Length of the metric name at @s, 0 if none. */
static size_t metric_name(const char *s)
{
	size_t n = 0;

	while (name_char((unsigned char)s[n], n == 0))
		n++;
	return n;
}

static bool parse_value(const char *s, double *v)
{
	char *end;

	if (!strcmp(s, "NaN") || !strcmp(s, "+Inf") || !strcmp(s, "-Inf")) {
		*v = s[0] == '-' ? -INFINITY : INFINITY;
		return true;
	}
	*v = strtod(s, &end);
	return end != s && *end == 0;
}

/* Labels after '{' at @s; returns the char after '}' or NULL. */
static const char *parse_labels(const char *s, char *why, size_t whylen)
{
	char seen[16][64];
	int nseen = 0;

	while (*s != '}') {
		size_t n = 0;

		while (isalnum((unsigned char)s[n]) || s[n] == '_')
			n++;
		if (!n || isdigit((unsigned char)s[0]) || !strncmp(s, "__", 2) || n >= 64) {
			snprintf(why, whylen, "bad label name at '%.20s'", s);
			return NULL;
		}
		for (int i = 0; i < nseen; i++)
			if (strlen(seen[i]) == n && !strncmp(seen[i], s, n)) {
				snprintf(why, whylen, "repeated label '%.*s'", (int)n, s);
				return NULL;
			}
		if (nseen < 16)
			snprintf(seen[nseen++], 64, "%.*s", (int)n, s);
		s += n;
		if (s[0] != '=' || s[1] != '"') {
			snprintf(why, whylen, "expected =\" after label name");
			return NULL;
		}
		for (s += 2; *s != '"'; s++) {
			if (!*s) {
				snprintf(why, whylen, "unterminated label value");
				return NULL;
			}
			if (*s == '\\') {
				if (s[1] != '\\' && s[1] != '"' && s[1] != 'n') {
					snprintf(why, whylen, "bad escape in label value");
					return NULL;
				}
				s++;
			}
		}
		s++;
		if (*s == ',')
			s++;
		else if (*s != '}') {
			snprintf(why, whylen, "expected , or } after label value");
			return NULL;
		}
	}
	return s + 1;
}

struct family {
	char name[128];
	char type[16];
	bool help, closed, sampled;
};

static int cmd_metrics(int argc, char **argv)
{
	size_t len;
	char *d = (char *)slurp(argv[2], &len), *line, *next;
	static struct family fam[256];
	static char series[4096][200];
	int nfam = 0, cur = -1, nseries = 0, lineno = 0, samples = 0;
	bool want_found = argc < 4;
	char why[200] = "";

	if (!len || d[len - 1] != '\n') {
		fprintf(stderr, "metrics: empty or no final newline\n");
		return 1;
	}
	for (line = d; *line; line = next) {
		char name[128], *sp;
		size_t n;
		int f;
		double v;

		next = strchr(line, '\n');
		*next++ = 0;
		lineno++;
		if (!*line) {
			snprintf(why, sizeof(why), "empty line");
			goto bad;
		}
		if (line[0] == '#') {
			bool help = !strncmp(line, "# HELP ", 7);

			if (!help && strncmp(line, "# TYPE ", 7)) {
				snprintf(why, sizeof(why), "comment that is not HELP or TYPE");
				goto bad;
			}
			n = metric_name(line + 7);
			if (!n || n >= sizeof(name) || line[7 + n] != ' ') {
				snprintf(why, sizeof(why), "bad metric name");
				goto bad;
			}
			snprintf(name, sizeof(name), "%.*s", (int)n, line + 7);
			sp = line + 8 + n;
		} else {
			n = metric_name(line);
			if (!n || n >= sizeof(name)) {
				snprintf(why, sizeof(why), "bad metric name");
				goto bad;
			}
			snprintf(name, sizeof(name), "%.*s", (int)n, line);
			sp = line + n;
		}
		for (f = 0; f < nfam; f++)
			if (!strcmp(fam[f].name, name))
				break;
		if (f == nfam) {
			if (nfam == 256) {
				snprintf(why, sizeof(why), "too many families");
				goto bad;
			}
			snprintf(fam[nfam++].name, sizeof(fam[0].name), "%s", name);
		}
		if (f != cur) {
			if (fam[f].closed) {
				snprintf(why, sizeof(why), "family %s comes back after another", name);
				goto bad;
			}
			if (cur >= 0)
				fam[cur].closed = true;
			cur = f;
		}
		if (line[0] == '#') {
			if (line[2] == 'H') {
				if (fam[f].help) {
					snprintf(why, sizeof(why), "second HELP for %s", name);
					goto bad;
				}
				fam[f].help = true;
				continue;
			}
			if (fam[f].type[0] || fam[f].sampled) {
				snprintf(why, sizeof(why), "TYPE of %s twice or after a sample", name);
				goto bad;
			}
			if (strcmp(sp, "counter") && strcmp(sp, "gauge") && strcmp(sp, "histogram") &&
			    strcmp(sp, "summary") && strcmp(sp, "untyped")) {
				snprintf(why, sizeof(why), "unknown type '%s'", sp);
				goto bad;
			}
			snprintf(fam[f].type, sizeof(fam[f].type), "%s", sp);
			if (!strcmp(sp, "counter") && (n < 7 || strcmp(name + n - 6, "_total"))) {
				snprintf(why, sizeof(why), "counter %s does not end in _total", name);
				goto bad;
			}
			continue;
		}
		if (*sp == '{') {
			sp = (char *)parse_labels(sp + 1, why, sizeof(why));
			if (!sp)
				goto bad;
		}
		if (*sp != ' ') {
			snprintf(why, sizeof(why), "expected a space before the value");
			goto bad;
		}
		*sp++ = 0;
		{
			char *ts = strchr(sp, ' ');

			if (ts) {	/* optional timestamp: an integer */
				char *end;

				*ts++ = 0;
				strtoll(ts, &end, 10);
				if (end == ts || *end) {
					snprintf(why, sizeof(why), "bad timestamp");
					goto bad;
				}
			}
		}
		if (!parse_value(sp, &v)) {
			snprintf(why, sizeof(why), "bad value '%s'", sp);
			goto bad;
		}
		if (!strcmp(fam[f].type, "counter") && !(v >= 0)) {
			snprintf(why, sizeof(why), "counter below 0");
			goto bad;
		}
		for (int i = 0; i < nseries; i++)
			if (!strcmp(series[i], line)) {
				snprintf(why, sizeof(why), "repeated series %s", line);
				goto bad;
			}
		if (nseries < 4096)
			snprintf(series[nseries++], sizeof(series[0]), "%s", line);
		samples++;
		fam[f].sampled = true;
		if (argc >= 4 && !strcmp(name, argv[3]))
			want_found = true;
	}
	if (!samples || !want_found) {
		fprintf(stderr, "metrics: %s\n", samples ? "wanted metric missing" : "no samples");
		return 1;
	}
	printf("metrics: %d samples in %d families, format ok\n", samples, nfam);
	free(d);
	return 0;
bad:
	fprintf(stderr, "metrics: line %d: %s\n", lineno, why);
	return 1;
}

static int cmd_png(int argc, char **argv)
{
	png_image img;
	unsigned char *px;
	long colour = 0, min = argc > 3 ? atol(argv[3]) : 10000;
	double sum = 0, sum2 = 0, sd;
	size_t n;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, argv[2])) {
		fprintf(stderr, "png: %s: %s\n", argv[2], img.message);
		return 1;
	}
	img.format = PNG_FORMAT_RGB;
	n = (size_t)img.width * img.height;
	px = malloc(n * 3);
	if (!px || !png_image_finish_read(&img, NULL, px, 0, NULL)) {
		fprintf(stderr, "png: %s: %s\n", argv[2], img.message);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = px + i * 3;
		int hi = p[0] > p[1] ? p[0] : p[1], lo = p[0] < p[1] ? p[0] : p[1];
		double y = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];

		hi = hi > p[2] ? hi : p[2];
		lo = lo < p[2] ? lo : p[2];
		colour += hi - lo >= 150;
		sum += y;
		sum2 += y * y;
	}
	sd = sqrt(sum2 / n - (sum / n) * (sum / n));
	free(px);
	printf("png: %ux%u, luma sd %.1f, %ld strongly coloured pixels\n", img.width,
	       img.height, sd, colour);
	if (sd < 5) {
		fprintf(stderr, "png: blank (luma sd %.1f)\n", sd);
		return 1;
	}
	if (colour < min) {
		fprintf(stderr, "png: live picture missing (%ld coloured pixels < %ld)\n",
			colour, min);
		return 1;
	}
	return 0;
}

static int cmd_raw(char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { 5, 0 };
	char buf[65536], *eol;
	size_t n = 0;
	ssize_t got;
	int fd;

	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("raw: connect");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while ((got = (ssize_t)fread(buf, 1, sizeof(buf), stdin)) > 0)
		if (send(fd, buf, (size_t)got, MSG_NOSIGNAL) != got)
			break;	/* the server may answer and close early */
	shutdown(fd, SHUT_WR);
	while (n < sizeof(buf) - 1 && (got = recv(fd, buf + n, sizeof(buf) - 1 - n, 0)) > 0)
		n += (size_t)got;
	close(fd);
	buf[n] = 0;
	eol = strstr(buf, "\r\n");
	if (!eol) {
		fprintf(stderr, "raw: no status line (%zu bytes back)\n", n);
		return 1;
	}
	*eol = 0;
	printf("%s\n", buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "jpeg"))
		return cmd_jpeg(argc, argv);
	if (argc >= 3 && !strcmp(argv[1], "mjpeg"))
		return cmd_mjpeg(argc, argv);
	if (argc >= 3 && !strcmp(argv[1], "metrics"))
		return cmd_metrics(argc, argv);
	if (argc >= 3 && !strcmp(argv[1], "png"))
		return cmd_png(argc, argv);
	if (argc >= 3 && !strcmp(argv[1], "raw"))
		return cmd_raw(argv);
	fprintf(stderr, "usage: http_check jpeg|mjpeg|metrics|png|raw ...\n");
	return 2;
}

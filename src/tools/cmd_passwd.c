// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen passwd: sets who may log in to `lumen serve` (both servers).
 *
 *   lumen passwd [--config FILE] USER
 *
 * Reads the password from the terminal without echo (twice), or the first
 * line of stdin when it is not a terminal, and writes auth.user with the
 * two HA1s of Digest (MD5 and SHA-256 of "USER:lumen:PASSWORD") into FILE
 * (default /etc/lumen/lumen.yaml), creating it when missing and keeping
 * its other keys; the password itself is stored nowhere. Keys of the old
 * plain-text scheme (rtsp/http user and password) are dropped from the
 * file. A running `lumen serve` reads the file at start only.
 * Exit status: 0 written, 1 the file could not be read or written, 2 usage.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "net/digest.h"
#include "serve/config.h"
#include "tools/commands.h"

#define DEFAULT_CONFIG "/etc/lumen/lumen.yaml"
#define PASSWORD_MAX 256	/* bytes, without the newline */
#define FILE_MAX (256 * 1024)

static int usage(void)
{
	fprintf(stderr, "usage: lumen passwd [--config FILE] USER   "
		"(password from the terminal or stdin)\n");
	return 2;
}

/* One line of @fp into @out without its newline; -EINVAL when empty or
 * longer than PASSWORD_MAX, -EIO at end of input. */
static int read_line(FILE *fp, char *out, size_t outlen)
{
	size_t n;

	if (!fgets(out, (int)outlen, fp))
		return -EIO;
	n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[--n] = 0;
	else if (n == outlen - 1)
		return -EINVAL;		/* no newline within the limit */
	if (n && out[n - 1] == '\r')
		out[--n] = 0;
	return n ? 0 : -EINVAL;
}

/* The password from the terminal, no echo, asked twice. */
static int ask_tty(char *out, size_t outlen)
{
	char again[PASSWORD_MAX + 2];
	struct termios old, quiet;
	int ret;

	if (tcgetattr(STDIN_FILENO, &old))
		return -errno;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	fprintf(stderr, "Password: ");
	ret = read_line(stdin, out, outlen);
	if (!ret) {
		fprintf(stderr, "Again: ");
		ret = read_line(stdin, again, sizeof(again));
		if (!ret && strcmp(out, again))
			ret = -EAGAIN;
	}
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	memset(again, 0, sizeof(again));
	return ret;
}

/*
 * The text of @path without the lines of removed keys (user: and password:
 * inside the rtsp: and http: sections), so that a file of the old scheme
 * loads. Reads at most FILE_MAX bytes. 0 with a malloc'ed *@text, -ENOENT,
 * or another negative errno.
 */
static int read_without_plain(const char *path, char **text, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char line[1024], section[64] = "", pending[1024] = "";
	char *buf;
	size_t n = 0;
	int ret = 0;

	if (!fp)
		return -errno;
	buf = malloc(FILE_MAX + 1);
	if (!buf) {
		fclose(fp);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), fp)) {
		size_t l = strlen(line);
		const char *k = line + strspn(line, " \t");
		bool top = k == line;

		if (top && *k != '#' && *k != '\n' && *k != '\r') {
			sscanf(k, "%63[a-z0-9_]", section);
			pending[0] = 0;
			/* a section's head waits for a line that stays in it, so
			 * that a section left empty goes too */
			if (!strcmp(section, "rtsp") || !strcmp(section, "http")) {
				snprintf(pending, sizeof(pending), "%s", line);
				continue;
			}
		}
		if (!top && (!strcmp(section, "rtsp") || !strcmp(section, "http")) &&
		    (!strncmp(k, "user:", 5) || !strncmp(k, "password:", 9))) {
			fprintf(stderr, "lumen passwd: %s: dropping %s.%.*s\n", path, section,
				(int)strcspn(k, ":"), k);
			continue;
		}
		if (pending[0] && !top) {
			size_t pl = strlen(pending);

			if (n + pl > FILE_MAX) {
				ret = -EFBIG;
				break;
			}
			memcpy(buf + n, pending, pl);
			n += pl;
			pending[0] = 0;
		}
		if (n + l > FILE_MAX) {
			ret = -EFBIG;
			break;
		}
		memcpy(buf + n, line, l);
		n += l;
	}
	if (ferror(fp))
		ret = -EIO;
	fclose(fp);
	if (ret) {
		free(buf);
		return ret;
	}
	*text = buf;
	*len = n;
	return 0;
}

int lumen_cmd_passwd(int argc, char **argv)
{
	const char *path = DEFAULT_CONFIG, *user = NULL;
	char password[PASSWORD_MAX + 2], err[512];
	struct lumen_config cfg;
	struct lumen_digest_creds creds;
	char *text = NULL;
	size_t len = 0;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			path = argv[++i];
		else if (argv[i][0] == '-' || user)
			return usage();
		else
			user = argv[i];
	}
	if (!user)
		return usage();
	ret = isatty(STDIN_FILENO) ? ask_tty(password, sizeof(password))
				   : read_line(stdin, password, sizeof(password));
	if (ret) {
		fprintf(stderr, "lumen passwd: %s\n",
			ret == -EAGAIN ? "the two passwords differ" :
			ret == -EIO ? "no password given" :
			"the password must be 1.." "256 bytes on one line");
		return 2;
	}
	ret = lumen_digest_make_creds(user, password, &creds);
	memset(password, 0, sizeof(password));
	if (ret) {
		fprintf(stderr, "lumen passwd: user '%s': must be 1..%d bytes without ':', "
			"'\"', '\\' or control bytes\n", user, LUMEN_DIGEST_USER_MAX - 1);
		return 2;
	}
	lumen_config_defaults(&cfg);
	ret = read_without_plain(path, &text, &len);
	if (ret && ret != -ENOENT) {
		fprintf(stderr, "lumen passwd: %s: %s\n", path, strerror(-ret));
		return 1;
	}
	if (!ret) {
		ret = lumen_config_parse(text, len, path, &cfg, err, sizeof(err));
		free(text);
		if (ret) {
			fprintf(stderr, "lumen passwd: %s\n", err);
			return 1;
		}
	}
	cfg.auth = creds;
	if (lumen_config_validate(&cfg, err, sizeof(err)) ||
	    lumen_config_save(path, &cfg, err, sizeof(err))) {
		fprintf(stderr, "lumen passwd: %s\n", err);
		return 1;
	}
	printf("%s: auth.user is %s (HA1s written; restart lumen serve to apply)\n", path,
	       user);
	return 0;
}

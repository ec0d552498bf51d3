// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lumen collect: what is gathered (tables below), the section writer (text
 * or ustar), the command runner (fork/exec with a timeout) and the sensor
 * chip-ID reads. Contracts in collect.h; the list of sources and the I2C
 * safety rule are explained in docs/collect.md.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect/collect.h"
#include "sensor/sensor.h"

#define PATH_LEN 512
#define DIR_FILES_MAX 64	/* files taken from one directory walk */
#define DIR_ENTRIES_MAX 256	/* names sorted per directory */
#define I2C_BUSES_MAX 16
#define TAR_BLOCK 512
#define SEEN_MAX 256
/* kept free of the total for the closing section (tar: its header, one
 * block of text, the two end blocks) */
#define TRAILER_ROOM(tar) ((tar) ? 4 * TAR_BLOCK : 512)

/* ------------------------------------------------------------------ */
/* what is gathered                                                    */

/* Single files, read whole (head kept when over the section limit). */
static const char *const files[] = {
	"/etc/os-release", "/etc/openipc-release", "/proc/version",
	"/proc/cmdline", "/proc/modules", "/proc/interrupts",
	/* HiSilicon / Goke MPP; CVITEK keeps the receiver at /proc/mipi-rx */
	"/proc/umap/sys", "/proc/umap/vb", "/proc/umap/mipi_rx", "/proc/umap/vi",
	"/proc/umap/isp", "/proc/umap/vpss", "/proc/umap/venc", "/proc/mipi-rx",
	NULL,
};

/* Log files a streamer or syslogd writes: the tail is kept. */
static const char *const log_files[] = {
	"/tmp/majestic.log", "/var/log/messages", NULL,
};

/*
 * Directories walked (regular files only, sorted, no symlinked
 * directories below the first level). @match: a file is taken when its
 * name contains one of the words (NULL: every file).
 */
struct dir_source {
	const char *path;
	int depth;			/* 1: files directly inside */
	const char *const *match;
};

static const char *const mstar_words[] = { "csi", "vif", "mipi", NULL };

static const struct dir_source dirs[] = {
	{ "/proc/jz/isp", 1, NULL },			/* Ingenic tx-isp */
	{ "/proc/mi_modules", 3, NULL },		/* SigmaStar MI */
	{ "/sys/class/mstar", 2, mstar_words },		/* SigmaStar csi/vif info */
	{ "/sys/devices/virtual/mstar", 2, mstar_words },
	{ NULL, 0, NULL },
};

/* Scripts whose sensor lines are kept (grep of @words). */
static const char *const script_dirs[] = { "/usr/bin", "/etc/init.d", NULL };
static const char *const script_words[] = { "insmod", "srcfg", "chmap", NULL };

/* A known camera-sensor driver name starts with one of these + a digit. */
static const char *const sensor_prefixes[] = {
	"imx", "ov", "os", "sc", "gc", "jx", "ar", "ps", "mis", "s5k", "hm",
	"mt9", "sp", "bf", "hi", NULL,
};

/* Words that make the doctor take a section title for a reference setup. */
static const char *const reference_words[] = {
	"stock", "original", "factory", "oem", "reference", "known", "vendor",
	NULL,
};

/* ------------------------------------------------------------------ */
/* output                                                              */

struct collect {
	const struct lumen_collect_opts *o;
	const char *root;
	size_t section_max, total_max;
	/* the section being built */
	char title[384];
	char *buf;
	size_t len;
	bool cut;
	/* the output */
	FILE *f;
	bool tar, to_stdout;
	char tmp[PATH_LEN + 8];
	size_t total;			/* bytes written (tar: with headers) */
	int nsections, nskipped, ncut;
	int err;			/* first write error, -errno */
	/* files taken by the directory walks */
	struct file_id { dev_t dev; ino_t ino; } seen[SEEN_MAX];
	int nseen;
};

static void title_set(struct collect *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The title, with control bytes replaced and reference words defused by
 * writing their first letter as %XX (the doctor matches whole words). */
static void title_set(struct collect *c, const char *fmt, ...)
{
	char raw[sizeof(c->title)];
	size_t n = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	for (const char *p = raw; *p && n + 4 < sizeof(c->title); p++) {
		bool word_start = p == raw || !isalnum((unsigned char)p[-1]);
		bool defuse = false;

		for (int i = 0; word_start && reference_words[i]; i++)
			if (!strncasecmp(p, reference_words[i], strlen(reference_words[i])))
				defuse = true;
		if (defuse) {
			n += (size_t)snprintf(c->title + n, sizeof(c->title) - n, "%%%02X",
					      (unsigned char)*p);
			continue;
		}
		c->title[n++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
	}
	c->title[n] = '\0';
}

static void section_begin(struct collect *c)
{
	c->len = 0;
	c->cut = false;
}

/* Appends at most what the section limit allows; text bytes only. */
static void section_add(struct collect *c, const void *data, size_t n)
{
	const unsigned char *s = data;

	if (c->len + n > c->section_max) {
		n = c->section_max - c->len;
		c->cut = true;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char b = s[i];

		c->buf[c->len++] = (b < 0x20 && b != '\n' && b != '\t' && b != '\r') ||
				   b == 0x7f ? '.' : (char)b;
	}
}

static void section_printf(struct collect *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void section_printf(struct collect *c, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		section_add(c, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void out_write(struct collect *c, const void *p, size_t n)
{
	if (c->err || !n)
		return;
	if (fwrite(p, 1, n, c->f) != n)
		c->err = errno ? -errno : -EIO;
	c->total += n;
}

static void octal(char *field, size_t width, uint64_t v)
{
	snprintf(field, width, "%0*llo", (int)width - 1, (unsigned long long)v);
}

/* One ustar header block for a regular file. */
static void tar_header(struct collect *c, const char *name, size_t size)
{
	unsigned char h[TAR_BLOCK];
	unsigned sum = 0;

	memset(h, 0, sizeof(h));
	snprintf((char *)h, 100, "%s", name);
	octal((char *)h + 100, 8, 0644);
	octal((char *)h + 108, 8, 0);
	octal((char *)h + 116, 8, 0);
	octal((char *)h + 124, 12, size);
	octal((char *)h + 136, 12, (uint64_t)time(NULL));
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);	/* then NUL, space */
	h[155] = ' ';
	out_write(c, h, sizeof(h));
}

/* "lumen-collect/07-proc-interrupts.txt" from the title. */
static void member_name(const struct collect *c, char *name, size_t size)
{
	const char *t = c->title;
	size_t n;

	n = (size_t)snprintf(name, size, "lumen-collect/%02d-", c->nsections);
	for (; *t && n + 5 < size && n < 90; t++) {
		bool ok = isalnum((unsigned char)*t) || *t == '.' || *t == '_';

		if (ok)
			name[n++] = *t;
		else if (n && name[n - 1] != '-')
			name[n++] = '-';
	}
	while (n && name[n - 1] == '-')
		n--;
	snprintf(name + n, size - n, ".txt");
}

/*
 * Writes the section built so far under c->title: marker line, content,
 * a final newline, the cut note. A section that would pass the total limit
 * is counted as skipped and not written (@last: the closing summary, which
 * has TRAILER_ROOM kept for it).
 */
static void section_end(struct collect *c, bool last)
{
	char head[sizeof(c->title) + 32], note[128] = "";
	size_t hn, nn = 0, size, room;
	bool nl;

	hn = (size_t)snprintf(head, sizeof(head), "===[ lumen-collect: %s ]===\n", c->title);
	nl = !c->len || c->buf[c->len - 1] != '\n';
	if (c->cut) {
		nn = (size_t)snprintf(note, sizeof(note),
				      "[lumen-collect: section cut at %zu bytes]\n",
				      c->section_max);
		c->ncut++;
	}
	size = hn + c->len + (nl && c->len ? 1 : 0) + nn;
	room = c->total_max - (last ? 0 : TRAILER_ROOM(c->tar));
	if (c->total + size + (c->tar ? 3 * TAR_BLOCK : 0) > room) {
		c->nskipped++;
		return;
	}
	if (c->tar) {
		char name[100];

		member_name(c, name, sizeof(name));
		tar_header(c, name, size);
	}
	out_write(c, head, hn);
	out_write(c, c->buf, c->len);
	if (nl && c->len)
		out_write(c, "\n", 1);
	out_write(c, note, nn);
	if (c->tar && size % TAR_BLOCK) {
		static const char zero[TAR_BLOCK];

		out_write(c, zero, TAR_BLOCK - size % TAR_BLOCK);
	}
	c->nsections++;
}

/* ------------------------------------------------------------------ */
/* files                                                               */

/* "@a/@b"; false (and skipped by callers) when it does not fit. */
static bool join(char *buf, size_t size, const char *a, const char *b)
{
	int n = snprintf(buf, size, "%s/%s", a, b);

	return n > 0 && (size_t)n < size;
}

static void root_path(const struct collect *c, char *buf, size_t size,
		      const char *path)
{
	snprintf(buf, size, "%s%s", c->root, path);
}

/*
 * Reads @path (under the root) into the current section: regular files
 * only, opened non-blocking; @tail keeps the end of a file larger than the
 * section. Returns 0, or -errno when it cannot be read (nothing added).
 */
static int read_into(struct collect *c, const char *path, bool tail)
{
	char full[PATH_LEN], chunk[4096];
	struct stat st;
	ssize_t n;
	int fd;

	root_path(c, full, sizeof(full), path);
	fd = open(full, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (tail && (size_t)st.st_size > c->section_max &&
	    lseek(fd, st.st_size - (off_t)c->section_max, SEEK_SET) >= 0)
		section_printf(c, "[lumen-collect: first %lld bytes left out]\n",
			       (long long)(st.st_size - (off_t)c->section_max));
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (!c->len) {
				int e = -errno;

				close(fd);
				return e;
			}
			section_printf(c, "\n[lumen-collect: read error: %s]\n", strerror(errno));
			break;
		}
		section_add(c, chunk, (size_t)n);
		if (c->cut)
			break;
	}
	close(fd);
	return 0;
}

/* One section for a file that exists; silence for one that does not. */
static void collect_file(struct collect *c, const char *path, bool tail)
{
	section_begin(c);
	if (read_into(c, path, tail))
		return;
	title_set(c, "file %s", path);
	section_end(c, false);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entry names of a directory: the count, with *names allocated
 * when it is > 0 (free_list), or -errno. */
static int list_dir(const char *full, char ***names)
{
	DIR *d = opendir(full);
	struct dirent *e;
	char **v;
	int n = 0;

	*names = NULL;
	if (!d)
		return -errno;
	v = calloc(DIR_ENTRIES_MAX, sizeof(*v));
	if (!v) {
		closedir(d);
		return -ENOMEM;
	}
	while ((e = readdir(d)) && n < DIR_ENTRIES_MAX) {
		if (e->d_name[0] == '.')
			continue;
		v[n] = strdup(e->d_name);
		if (v[n])
			n++;
	}
	closedir(d);
	if (!n) {
		free(v);
		return 0;
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_str);
	*names = v;
	return n;
}

static void free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static bool name_matches(const char *name, const char *const *words)
{
	if (!words)
		return true;
	for (int i = 0; words[i]; i++)
		if (strstr(name, words[i]))
			return true;
	return false;
}

/* Sysfs links that lead back up or across the tree. */
static bool skip_entry(const char *name)
{
	return !strcmp(name, "subsystem") || !strcmp(name, "device") ||
	       !strcmp(name, "driver") || !strcmp(name, "power") ||
	       !strcmp(name, "firmware_node") || !strcmp(name, "of_node");
}

/* Was this file (device, inode) taken already, through another path? */
static bool seen_before(struct collect *c, const struct stat *st)
{
	for (int i = 0; i < c->nseen; i++)
		if (c->seen[i].dev == st->st_dev && c->seen[i].ino == st->st_ino)
			return true;
	if (c->nseen < SEEN_MAX)
		c->seen[c->nseen++] = (struct file_id){ st->st_dev, st->st_ino };
	return false;
}

/*
 * Files under @path, @depth levels deep; a symlinked directory is entered
 * only at the first level (/sys/class/X/dev -> ../../devices/...), so
 * sysfs loops end.
 */
static void walk(struct collect *c, const char *path, int depth, bool top,
		 const char *const *match, int *taken)
{
	char full[PATH_LEN], sub[PATH_LEN];
	char **names;
	int n;

	root_path(c, full, sizeof(full), path);
	n = list_dir(full, &names);
	for (int i = 0; i < n && *taken < DIR_FILES_MAX; i++) {
		struct stat st, lst;
		char subfull[PATH_LEN];

		if (skip_entry(names[i]))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, names[i]);
		root_path(c, subfull, sizeof(subfull), sub);
		if (stat(subfull, &st) || lstat(subfull, &lst))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth > 1 && (top || !S_ISLNK(lst.st_mode)))
				walk(c, sub, depth - 1, false, match, taken);
			continue;
		}
		if (!S_ISREG(st.st_mode) || !(st.st_mode & 0444) ||
		    !name_matches(names[i], match) || seen_before(c, &st))
			continue;
		collect_file(c, sub, false);
		(*taken)++;
	}
	if (n > 0)
		free_list(names, n);
}

/* Lines of the boot scripts that load and configure the sensor. */
static void collect_scripts(struct collect *c)
{
	for (int d = 0; script_dirs[d]; d++) {
		char full[PATH_LEN];
		char **names;
		int n;

		root_path(c, full, sizeof(full), script_dirs[d]);
		n = list_dir(full, &names);
		for (int i = 0; i < n; i++) {
			char path[PATH_LEN], line[1024];
			struct stat st;
			int lineno = 0, hits = 0;
			FILE *f;

			/* /usr/bin: the firmware's load_* scripts only */
			if (d == 0 && strncmp(names[i], "load_", 5))
				continue;
			if (!join(path, sizeof(path), full, names[i]) || stat(path, &st) || !S_ISREG(st.st_mode) || st.st_size > (8 << 20))
				continue;
			f = fopen(path, "r");
			if (!f)
				continue;
			section_begin(c);
			while (fgets(line, sizeof(line), f)) {
				lineno++;
				if (!name_matches(line, script_words))
					continue;
				section_add(c, line, strlen(line));
				hits++;
			}
			fclose(f);
			if (!hits)
				continue;
			title_set(c, "sensor lines of %s/%s", script_dirs[d], names[i]);
			section_end(c, false);
		}
		if (n > 0)
			free_list(names, n);
	}
}

/* "0-0030: sc4336p" for each I2C client, "video0: rkisp1_mainpath" for
 * each V4L2 node: what drivers are bound where. */
static void collect_names(struct collect *c, const char *dir, const char *what)
{
	char full[PATH_LEN];
	char **names;
	int n, lines = 0;

	root_path(c, full, sizeof(full), dir);
	n = list_dir(full, &names);
	if (n <= 0)
		return;
	section_begin(c);
	for (int i = 0; i < n; i++) {
		char path[PATH_LEN], name[128];
		FILE *f;

		char dev[PATH_LEN];

		if (!join(dev, sizeof(dev), full, names[i]) ||
		    !join(path, sizeof(path), dev, "name"))
			continue;
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f)) {
			name[strcspn(name, "\r\n")] = '\0';
			section_printf(c, "%s: %s\n", names[i], name);
			lines++;
		}
		fclose(f);
	}
	free_list(names, n);
	if (!lines)
		return;
	title_set(c, "%s %s/*/name", what, dir);
	section_end(c, false);
}

/*
 * rkisp1 debugfs: each directory of /sys/kernel/debug that has the
 * driver's counters (data_loss, mipi_error) becomes one section of
 * "counter: value" lines; its register dumps (regs/) are left out.
 */
static void collect_rkisp1(struct collect *c)
{
	char full[PATH_LEN];
	char **names;
	int n;

	root_path(c, full, sizeof(full), "/sys/kernel/debug");
	n = list_dir(full, &names);
	for (int i = 0; i < n; i++) {
		char dir[PATH_LEN], probe[PATH_LEN + 16];
		char **files_in;
		int m;

		if (!join(dir, sizeof(dir), full, names[i]) ||
		    !join(probe, sizeof(probe), dir, "mipi_error") || access(probe, R_OK))
			continue;
		m = list_dir(dir, &files_in);
		section_begin(c);
		for (int j = 0; j < m; j++) {
			char path[PATH_LEN + 256], val[128] = "";
			struct stat st;
			FILE *f;

			snprintf(path, sizeof(path), "%s/%s", dir, files_in[j]);
			if (stat(path, &st) || !S_ISREG(st.st_mode))
				continue;
			f = fopen(path, "r");
			if (!f)
				continue;
			if (fgets(val, sizeof(val), f))
				section_printf(c, "%s: %s%s", files_in[j], val,
					       strchr(val, '\n') ? "" : "\n");
			fclose(f);
		}
		if (m > 0)
			free_list(files_in, m);
		title_set(c, "rkisp1 debugfs /sys/kernel/debug/%s", names[i]);
		section_end(c, false);
	}
	if (n > 0)
		free_list(names, n);
}

/* ------------------------------------------------------------------ */
/* commands                                                            */

/* @name found in $PATH as an executable regular file -> @out. */
static bool find_in_path(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH"), *p, *e;

	if (!path || !*path)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	for (p = path; *p; p = *e ? e + 1 : e) {
		struct stat st;

		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		if (e == p)
			continue;
		snprintf(out, size, "%.*s/%s", (int)(e - p), p, name);
		if (!stat(out, &st) && S_ISREG(st.st_mode) && !access(out, X_OK))
			return true;
	}
	return false;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Runs argv (argv[0] found in PATH) with stdin from /dev/null, stdout and
 * stderr into the section; kills it after the timeout. Sets *status to
 * the exit status, or -1 (signal), -2 (timed out). -ENOENT when the
 * command is not installed.
 */
static int run_into(struct collect *c, char *const argv[], int *status)
{
	char exe[PATH_LEN], chunk[4096];
	long long deadline;
	int pfd[2], devnull, ws = 0;
	bool timed_out = false;
	pid_t pid;

	if (!find_in_path(argv[0], exe, sizeof(exe)))
		return -ENOENT;
	if (pipe(pfd))
		return -errno;
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(pfd[0]);
		close(pfd[1]);
		if (devnull >= 0)
			close(devnull);
		return e;
	}
	if (pid == 0) {
		/* its own process group, so that a timeout ends its children too */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		if (devnull >= 0)
			dup2(devnull, 0);
		else
			close(0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execv(exe, argv);
		_exit(127);
	}
	close(pfd[1]);
	if (devnull >= 0)
		close(devnull);
	deadline = now_ms() + c->o->timeout_ms;
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;
		int r;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			timed_out = r == 0;
			break;
		}
		n = read(pfd[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (!c->cut)
			section_add(c, chunk, (size_t)n);	/* past the limit: drained */
	}
	close(pfd[0]);
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		section_printf(c, "\n[lumen-collect: killed after %d ms]\n", c->o->timeout_ms);
		*status = -2;
	} else {
		*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	}
	return 0;
}

static void collect_command(struct collect *c, char *const argv[])
{
	char line[PATH_LEN] = "";
	size_t n = 0;
	int status = 0;

	section_begin(c);
	if (run_into(c, argv, &status))
		return;
	for (int i = 0; argv[i] && n < sizeof(line) - 2; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s", i ? " " : "", argv[i]);
	if (status == -2)
		title_set(c, "command %s (timed out)", line);
	else if (status == -1)
		title_set(c, "command %s (killed by a signal)", line);
	else
		title_set(c, "command %s (exit %d)", line, status);
	section_end(c, false);
}

/* `TOOL ARG... -d /dev/NAME` for each /dev/NAME<digits>. */
static void collect_per_device(struct collect *c, const char *prefix,
			       const char *tool, const char *arg)
{
	char full[PATH_LEN];
	char **names;
	size_t plen = strlen(prefix);
	int n;

	root_path(c, full, sizeof(full), "/dev");
	n = list_dir(full, &names);
	for (int i = 0; i < n; i++) {
		char dev[PATH_LEN + 256];
		const char *d = names[i];

		if (strncmp(d, prefix, plen) || !d[plen] ||
		    strspn(d + plen, "0123456789") != strlen(d + plen))
			continue;
		snprintf(dev, sizeof(dev), "%s/%s", full, d);
		{
			char *argv[] = { (char *)tool, (char *)arg, (char *)"-d", dev, NULL };

			collect_command(c, argv);
		}
	}
	if (n > 0)
		free_list(names, n);
}

static void collect_commands(struct collect *c)
{
	static char *const dmesg[] = { "dmesg", NULL };
	static char *const logread[] = { "logread", NULL };

	collect_command(c, dmesg);
	collect_command(c, logread);
	/* queries only: -p prints the graph, --all reads formats and controls */
	collect_per_device(c, "media", "media-ctl", "-p");
	collect_per_device(c, "video", "v4l2-ctl", "--all");
}

/* ------------------------------------------------------------------ */
/* sensor chip ID over I2C                                             */

struct id_read {
	int bus;
	uint16_t addr, reg;
	int reg_bytes, nbytes;
	uint8_t val[2];
	int ret;			/* 0 or -errno */
	const struct lumen_sensor_info *info;	/* whose ID register */
	bool matched;			/* the group read info's chip ID */
};

#define READS_MAX 64

static bool looks_like_sensor(const char *name)
{
	if (lumen_sensor_find(name))
		return true;
	for (int i = 0; sensor_prefixes[i]; i++) {
		size_t n = strlen(sensor_prefixes[i]);

		if (!strncasecmp(name, sensor_prefixes[i], n) &&
		    isdigit((unsigned char)name[n]))
			return true;
	}
	return false;
}

/*
 * The I2C safety rule: an address is read only when no kernel client sits
 * there (/sys/bus/i2c/devices/N-00AA absent: nobody, or a user-space SDK,
 * drives it) or the client's name is a camera sensor's. Returns NULL when
 * allowed, else the reason.
 */
static const char *i2c_forbidden(struct collect *c, int bus, uint16_t addr,
				 char *why, size_t size)
{
	char path[PATH_LEN], name[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys/bus/i2c/devices/%d-%04x", c->root, bus, addr);
	if (access(path, F_OK))
		return NULL;
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/name");
	f = fopen(path, "r");
	if (f) {
		if (!fgets(name, sizeof(name), f))
			name[0] = '\0';
		fclose(f);
	}
	name[strcspn(name, "\r\n")] = '\0';
	if (name[0] && looks_like_sensor(name))
		return NULL;
	snprintf(why, size, "i2c-%d 0x%02x skipped: a kernel client '%s' that is not a "
		 "camera sensor owns it", bus, addr, name[0] ? name : "?");
	return why;
}

static void read_one(struct lumen_i2c_bus *bus, struct id_read *r)
{
	uint8_t wbuf[2];
	struct lumen_i2c_msg m[2] = {
		{ .addr = r->addr, .flags = 0, .len = (uint16_t)r->reg_bytes, .buf = wbuf },
		{ .addr = r->addr, .flags = LUMEN_I2C_M_RD, .len = (uint16_t)r->nbytes,
		  .buf = r->val },
	};

	if (r->reg_bytes == 2) {
		wbuf[0] = (uint8_t)(r->reg >> 8);
		wbuf[1] = (uint8_t)r->reg;
	} else {
		wbuf[0] = (uint8_t)r->reg;
	}
	r->ret = lumen_i2c_transfer(bus, m, 2);
}

/* The ID reads of every known sensor at its address on @bus. */
static int probe_bus(struct collect *c, struct lumen_i2c_bus *bus,
		     struct id_read *reads, int nreads)
{
	for (int i = 0; lumen_sensor_table[i]; i++) {
		const struct lumen_sensor_info *info = lumen_sensor_table[i];
		int first = nreads, nregs = info->chip_id_reg[1] ? 2 : 1;
		bool dup = false;
		char why[160];
		uint16_t id = 0;

		for (int k = 0; k < nreads; k++)
			if (reads[k].bus == bus->number && reads[k].addr == info->i2c_addr &&
			    reads[k].reg == info->chip_id_reg[0])
				dup = true;
		if (dup)
			continue;
		if (i2c_forbidden(c, bus->number, info->i2c_addr, why, sizeof(why))) {
			section_printf(c, "%s\n", why);
			continue;
		}
		for (int k = 0; k < nregs && nreads < READS_MAX; k++) {
			struct id_read *r = &reads[nreads++];

			*r = (struct id_read){
				.bus = bus->number, .addr = info->i2c_addr,
				.reg = info->chip_id_reg[k], .reg_bytes = info->reg_bytes,
				/* one 16-bit ID register: both bytes in one read */
				.nbytes = nregs == 1 ? 2 : 1, .info = info,
			};
			read_one(bus, r);
			if (r->ret)
				break;
			id = nregs == 1 ? (uint16_t)(r->val[0] << 8 | r->val[1])
					: (uint16_t)(id << 8 | r->val[0]);
		}
		if (nreads - first == nregs && !reads[nreads - 1].ret &&
		    lumen_sensor_find_by_id(id))
			for (int k = first; k < nreads; k++)
				reads[k].matched = true;
	}
	return nreads;
}

static void print_read(struct collect *c, const struct id_read *r)
{
	section_printf(c, "i2ctransfer -f -y %d w%d@0x%02x", r->bus, r->reg_bytes, r->addr);
	if (r->reg_bytes == 2)
		section_printf(c, " 0x%02x", r->reg >> 8);
	section_printf(c, " 0x%02x r%d\n", r->reg & 0xff, r->nbytes);
	if (r->ret) {
		section_printf(c, "Error: Sending messages failed: %s\n", strerror(-r->ret));
		return;
	}
	for (int i = 0; i < r->nbytes; i++)
		section_printf(c, "%s0x%02x", i ? " " : "", r->val[i]);
	section_printf(c, "\n");
}

static int bus_number(const char *name)
{
	char *end;
	long v;

	if (strncmp(name, "i2c-", 4) || !isdigit((unsigned char)name[4]))
		return -1;
	v = strtol(name + 4, &end, 10);
	return *end || v > 1 << 20 ? -1 : (int)v;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void collect_i2c(struct collect *c)
{
	struct id_read *reads = calloc(READS_MAX, sizeof(*reads));
	int nreads = 0, nbuses = 0, buses[I2C_BUSES_MAX];
	bool real_root = !c->root[0] || !strcmp(c->root, "/");

	if (!reads)
		return;
	section_begin(c);
	section_printf(c, "lumen-collect read each known sensor's ID registers at its address "
		       "(ioctl I2C_RDWR: address write, then read; no register is written).\n"
		       "Shown as the equivalent i2c-tools commands and their output, the "
		       "reads whose ID is a known sensor's first.\n");
	if (c->o->bus) {
		nreads = probe_bus(c, c->o->bus, reads, nreads);
	} else if (!real_root) {
		section_printf(c, "not read: the root is %s, not the device's /\n", c->root);
	} else {
		char **names;
		int n = list_dir("/dev", &names);

		for (int i = 0; i < n && nbuses < I2C_BUSES_MAX; i++)
			if (bus_number(names[i]) >= 0)
				buses[nbuses++] = bus_number(names[i]);
		if (n > 0)
			free_list(names, n);
		qsort(buses, (size_t)nbuses, sizeof(int), cmp_int);
		if (!nbuses)
			section_printf(c, "no /dev/i2c-N (is i2c-dev loaded?)\n");
		for (int i = 0; i < nbuses; i++) {
			struct lumen_i2c_bus *bus;
			char err[160];

			if (lumen_i2c_open_dev_msg(buses[i], &bus, err, sizeof(err))) {
				section_printf(c, "%s\n", err);
				continue;
			}
			nreads = probe_bus(c, bus, reads, nreads);
			lumen_i2c_close(bus);
		}
	}
	/* matches first: the doctor takes the first ID it sees */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < nreads; i++)
			if (reads[i].matched == (pass == 0))
				print_read(c, &reads[i]);
	free(reads);
	title_set(c, "sensor chip ID over I2C");
	section_end(c, false);
}

/* ------------------------------------------------------------------ */
/* the run                                                             */

static void collect_about(struct collect *c)
{
	struct utsname u;
	time_t t = time(NULL);
	char when[64] = "";

	section_begin(c);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	section_printf(c, "lumen-collect: a bundle for `lumen doctor`, written %s\n", when);
	if (!uname(&u))
		section_printf(c, "uname: %s %s %s %s\n", u.sysname, u.nodename, u.release,
			       u.machine);
	section_printf(c, "root: %s\ncommands: %s\ni2c: %s\n", c->root[0] ? c->root : "/",
		       c->o->no_commands ? "not run (--no-commands)" : "run",
		       c->o->no_i2c ? "not read (--no-i2c)" : "read");
	title_set(c, "about");
	section_end(c, false);
}

static void collect_trailer(struct collect *c)
{
	section_begin(c);
	section_printf(c, "sections: %d written, %d cut at %zu bytes, %d left out "
		       "(total limit %zu bytes)\n", c->nsections, c->ncut, c->section_max,
		       c->nskipped, c->total_max);
	title_set(c, "end");
	section_end(c, true);
}

static int open_output(struct collect *c, char *err, size_t errlen)
{
	const char *out = c->o->output;
	size_t n;

	if (!out || !strcmp(out, "-")) {
		c->f = stdout;
		c->to_stdout = true;
		return 0;
	}
	n = strlen(out);
	c->tar = n > 4 && !strcmp(out + n - 4, ".tar");
	if (n + 5 > sizeof(c->tmp)) {
		snprintf(err, errlen, "%s: output path too long", out);
		return -ENAMETOOLONG;
	}
	snprintf(c->tmp, sizeof(c->tmp), "%s.tmp", out);
	c->f = fopen(c->tmp, "wbx");
	if (!c->f && errno == EEXIST) {
		/* a leftover of an interrupted run */
		unlink(c->tmp);
		c->f = fopen(c->tmp, "wbx");
	}
	if (!c->f) {
		int e = -errno;

		snprintf(err, errlen, "%s: cannot create: %s", c->tmp, strerror(errno));
		return e;
	}
	return 0;
}

static int close_output(struct collect *c, char *err, size_t errlen)
{
	const char *out = c->o->output;

	if (c->tar && !c->err) {
		static const char zero[2 * TAR_BLOCK];

		out_write(c, zero, sizeof(zero));
	}
	if (c->to_stdout) {
		if (!c->err && fflush(stdout))
			c->err = -errno;
		if (c->err)
			snprintf(err, errlen, "stdout: write failed: %s", strerror(-c->err));
		return c->err;
	}
	if (fflush(c->f) && !c->err)
		c->err = -errno;
	if (fclose(c->f) && !c->err)
		c->err = -errno;
	if (!c->err && rename(c->tmp, out))
		c->err = -errno;
	if (c->err) {
		snprintf(err, errlen, "%s: write failed: %s", out, strerror(-c->err));
		unlink(c->tmp);
	}
	return c->err;
}

int lumen_collect_run(const struct lumen_collect_opts *o, char *err,
		      size_t errlen)
{
	struct lumen_collect_opts opts = *o;
	struct collect c;
	int ret;

	if (!opts.section_max)
		opts.section_max = LUMEN_COLLECT_SECTION_MAX;
	if (!opts.total_max)
		opts.total_max = LUMEN_COLLECT_TOTAL_MAX;
	if (!opts.timeout_ms)
		opts.timeout_ms = LUMEN_COLLECT_TIMEOUT_MS;
	if (opts.total_max < 2 * TRAILER_ROOM(true)) {
		snprintf(err, errlen, "total limit %zu bytes is below the minimum %d",
			 opts.total_max, 2 * TRAILER_ROOM(true));
		return -EINVAL;
	}
	memset(&c, 0, sizeof(c));
	c.o = &opts;
	c.root = opts.root ? opts.root : "";
	if (!strcmp(c.root, "/"))
		c.root = "";
	c.section_max = opts.section_max;
	c.total_max = opts.total_max;
	c.buf = malloc(c.section_max + 1);
	if (!c.buf) {
		snprintf(err, errlen, "out of memory (%zu bytes for a section)", c.section_max);
		return -ENOMEM;
	}
	ret = open_output(&c, err, errlen);
	if (ret) {
		free(c.buf);
		return ret;
	}
	collect_about(&c);
	for (int i = 0; files[i]; i++)
		collect_file(&c, files[i], false);
	for (int i = 0; dirs[i].path; i++) {
		int taken = 0;

		walk(&c, dirs[i].path, dirs[i].depth, true, dirs[i].match, &taken);
	}
	collect_scripts(&c);
	collect_rkisp1(&c);
	collect_names(&c, "/sys/bus/i2c/devices", "I2C clients");
	collect_names(&c, "/sys/class/video4linux", "V4L2 nodes");
	for (int i = 0; log_files[i]; i++)
		collect_file(&c, log_files[i], true);
	if (!opts.no_commands)
		collect_commands(&c);
	if (!opts.no_i2c)
		collect_i2c(&c);
	collect_trailer(&c);
	ret = close_output(&c, err, errlen);
	free(c.buf);
	return ret;
}

/* ------------------------------------------------------------------ */
/* command line                                                        */

static void usage(FILE *f, const char *prog, const struct lumen_collect_virtual *virt)
{
	fprintf(f,
		"usage: %s [-o FILE|FILE.tar] [--root DIR] [--no-commands] [--no-i2c]\n"
		"       [--section-max BYTES] [--total-max BYTES] [--timeout SECONDS]%s\n"
		"Gathers what `lumen doctor` reads into one text file (stdout by default)\n"
		"or a ustar archive (-o *.tar). Reads only; see docs/collect.md.\n",
		prog, virt ? " [--virtual MODEL]" : "");
	if (virt)
		fprintf(f, "  --virtual MODEL  read the chip ID of an emulated sensor (%s)\n",
			virt->models);
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > ((size_t)1 << 30))
		return -EINVAL;
	*out = (size_t)v;
	return 0;
}

int lumen_collect_main(int argc, char **argv, const char *prog,
		       const struct lumen_collect_virtual *virt)
{
	struct lumen_collect_opts o = { 0 };
	const char *model = NULL;
	void *vctx = NULL;
	char err[PATH_LEN + 128];
	int ret;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;
		size_t v;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout, prog, virt);
			return 0;
		} else if (!strcmp(a, "-o") && has) {
			o.output = argv[++i];
		} else if (!strcmp(a, "--root") && has) {
			o.root = argv[++i];
		} else if (!strcmp(a, "--no-commands")) {
			o.no_commands = true;
		} else if (!strcmp(a, "--no-i2c")) {
			o.no_i2c = true;
		} else if (!strcmp(a, "--section-max") && has && !parse_size(argv[i + 1], &v)) {
			o.section_max = v;
			i++;
		} else if (!strcmp(a, "--total-max") && has && !parse_size(argv[i + 1], &v)) {
			o.total_max = v;
			i++;
		} else if (!strcmp(a, "--timeout") && has && !parse_size(argv[i + 1], &v) &&
			   v <= 3600) {
			o.timeout_ms = (int)v * 1000;
			i++;
		} else if (!strcmp(a, "--virtual") && has && virt) {
			model = argv[++i];
		} else {
			fprintf(stderr, "%s: bad argument '%s'\n", prog, a);
			usage(stderr, prog, virt);
			return 2;
		}
	}
	if (model) {
		ret = virt->open(model, &o.bus, &vctx);
		if (ret) {
			fprintf(stderr, "%s: unknown emulated model '%s' (models: %s)\n", prog,
				model, virt->models);
			return 2;
		}
	}
	/* a reader that goes away ends the job with an error, not a signal */
	signal(SIGPIPE, SIG_IGN);
	ret = lumen_collect_run(&o, err, sizeof(err));
	if (model)
		virt->close(o.bus, vctx);
	if (ret) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	return 0;
}

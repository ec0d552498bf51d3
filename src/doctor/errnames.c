// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * errno in the spellings people paste: "-5", "-EIO", "error -121",
 * "returned -1 (Broken pipe)", "Remote I/O error", "errno=110",
 * "ret=-110", "failed: -32". The Linux numbers (asm-generic/errno-base.h,
 * errno.h; identical on arm, arm64 and x86; MIPS renumbers some, but what
 * users paste from MIPS SoCs is printed by the same strerror texts and
 * E-names, so the names and texts are what count) and glibc's strerror
 * texts, plus the kernel-internal EPROBE_DEFER.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "doctor/internal.h"

struct errname {
	int num;
	const char *name;
	const char *text;	/* glibc strerror(), NULL when not distinctive */
};

static const struct errname errnames[] = {
	{ 1, "EPERM", "Operation not permitted" },
	{ 2, "ENOENT", "No such file or directory" },
	{ 5, "EIO", "Input/output error" },
	{ 6, "ENXIO", "No such device or address" },
	{ 9, "EBADF", "Bad file descriptor" },
	{ 11, "EAGAIN", "Resource temporarily unavailable" },
	{ 12, "ENOMEM", "Cannot allocate memory" },
	{ 13, "EACCES", "Permission denied" },
	{ 14, "EFAULT", "Bad address" },
	{ 16, "EBUSY", "Device or resource busy" },
	{ 19, "ENODEV", "No such device" },
	{ 22, "EINVAL", "Invalid argument" },
	{ 25, "ENOTTY", "Inappropriate ioctl for device" },
	{ 28, "ENOSPC", "No space left on device" },
	{ 32, "EPIPE", "Broken pipe" },
	{ 34, "ERANGE", "Numerical result out of range" },
	{ 38, "ENOSYS", "Function not implemented" },
	{ 61, "ENODATA", "No data available" },
	{ 62, "ETIME", "Timer expired" },
	{ 71, "EPROTO", "Protocol error" },
	{ 95, "EOPNOTSUPP", "Operation not supported" },
	{ 98, "EADDRINUSE", "Address already in use" },
	{ 103, "ECONNABORTED", "Software caused connection abort" },
	{ 104, "ECONNRESET", "Connection reset by peer" },
	{ 110, "ETIMEDOUT", "Connection timed out" },
	{ 111, "ECONNREFUSED", "Connection refused" },
	{ 121, "EREMOTEIO", "Remote I/O error" },
	{ 517, "EPROBE_DEFER", NULL },
	{ 524, "ENOTSUPP", NULL },
};
#define NERR (sizeof(errnames) / sizeof(errnames[0]))

const char *ev_errno_name(int e)
{
	for (size_t i = 0; i < NERR; i++)
		if (errnames[i].num == e)
			return errnames[i].name;
	return "E?";
}

static bool word_at(const char *line, const char *p, size_t n)
{
	return (p == line || !isalnum((unsigned char)p[-1])) &&
	       !isalnum((unsigned char)p[n]) && p[n] != '_';
}

/* A number printed as an error code: "-5" after a word that says so
 * ("error -5", "ret=-5", "failed: -5", "(-5)", "returned -5"), or any
 * "-N" in 1..600 standing alone after "err"/"fail" appeared earlier. */
static int numeric(const char *line)
{
	static const char *const lead[] = {
		"error", "err", "ret", "returned", "return", "rc", "status",
		"failed", "fail", "result", "errno", "code", "res",
	};
	bool failing = ev_contains(line, "err") || ev_contains(line, "fail") ||
		       ev_contains(line, "unable") || ev_contains(line, "timeout");

	for (const char *p = line; *p; p++) {
		const char *q, *w;
		long v = 0;
		int digits = 0;
		bool neg;

		if (*p != '-' && !(isdigit((unsigned char)*p) && p > line &&
				   (p[-1] == '=' || p[-1] == ' ')))
			continue;
		neg = *p == '-';
		q = neg ? p + 1 : p;
		if (neg && p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '-'))
			continue;
		while (isdigit((unsigned char)q[digits]) && digits < 5)
			v = v * 10 + (q[digits++] - '0');
		if (!digits || isalnum((unsigned char)q[digits]) || q[digits] == '.' ||
		    v < 1 || v > 600)
			continue;
		/* the word before: "error -5", "ret=-5", "errno 5", "(-5)" */
		w = p;
		while (w > line && (w[-1] == ' ' || w[-1] == '=' || w[-1] == ':' ||
				    w[-1] == '('))
			w--;
		for (size_t i = 0; i < sizeof(lead) / sizeof(lead[0]); i++) {
			size_t n = strlen(lead[i]);

			if ((size_t)(w - line) >= n && !strncasecmp(w - n, lead[i], n) &&
			    (!neg ? !strcmp(lead[i], "errno") || !strcmp(lead[i], "error") : true))
				return (int)v;
		}
		if (neg && p > line && p[-1] == '(' && q[digits] == ')' && failing)
			return (int)v;
		if (neg && failing && (q[digits] == '\0' || q[digits] == ')' ||
				       q[digits] == ',' || q[digits] == ' '))
			if (p > line && (p[-1] == ' ' || p[-1] == '='))
				return (int)v;
	}
	return 0;
}

int ev_errno_in(const char *line)
{
	char lc[EV_LINE_MAX], t[64];
	int v;

	/* the strerror text first: "returned -1 (Broken pipe)" means EPIPE,
	 * not EPERM; compared lower-cased, as people retype them */
	ev_lower(lc, sizeof(lc), line);
	for (size_t i = 0; i < NERR; i++) {
		if (!errnames[i].text)
			continue;
		ev_lower(t, sizeof(t), errnames[i].text);
		if (strstr(lc, t))
			return errnames[i].num;
	}
	if (strstr(lc, "connection timeout") || strstr(lc, "operation timed out"))
		return 110;
	for (size_t i = 0; i < NERR; i++) {
		size_t n = strlen(errnames[i].name);

		for (const char *p = strstr(line, errnames[i].name); p;
		     p = strstr(p + 1, errnames[i].name))
			if (word_at(line, p, n))
				return errnames[i].num;
	}
	v = numeric(line);
	/* "returned -1" alone is the ioctl convention, not EPERM */
	if (v == 1 && (ev_contains(line, "returned -1") || ev_contains(line, "= -1") ||
		       ev_contains(line, "ret -1") || ev_contains(line, "ret=-1")))
		return 0;
	return v;
}

int lumen_doctor_errno_in(const char *text)
{
	return text ? ev_errno_in(text) : 0;
}

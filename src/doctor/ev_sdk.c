// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Vendor media SDKs, read by their structure rather than their messages:
 *
 *  - error codes: HiSilicon/Goke MPP codes are 0xA0000000 | module << 16 |
 *    level << 13 | code (hi_errno.h, hi_common.h MOD_ID_E: VB 1, SYS 2,
 *    VPSS 7, VENC 8, H264E 10, JPEGE 11, H265E 13, VI 16, RC 19, ISP 28);
 *    CVITEK CVI_ERR codes have the same layout under 0xC0000000 but their
 *    module numbers moved between SDK generations, so only the common
 *    error code (no memory, no buffer, not configured, ...) is read from
 *    them; SigmaStar MI codes are read the same way.
 *  - API and log names: HI_MPI_VI_*, MPI_VENC_*, MI_VENC_*, CVI_VI_*,
 *    IMP_FrameSource_*, IMP-ISP tags, "[VENC]" prefixes: the module token
 *    (VI, VIF, VENC, VB, SYS, ISP, VPSS, SNR, MIPI, ...) names the stage,
 *    when the line says something failed.
 *
 * Facts: find.STAGE (evidence.c), sdk.code (the last code decoded, text
 * "MODULE:CODE").
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor/internal.h"

/* SDK module tokens -> stage. Upper case; matched as a whole token. */
static const struct {
	const char *tok;
	int stage;
} modules[] = {
	{ "VI", LUMEN_STAGE_VIF }, { "VIU", LUMEN_STAGE_VIF }, { "VIF", LUMEN_STAGE_VIF },
	{ "VICAP", LUMEN_STAGE_VIF }, { "VIN", LUMEN_STAGE_VIF },
	{ "FRAMESOURCE", LUMEN_STAGE_VIF }, { "FS", LUMEN_STAGE_VIF },
	{ "VENC", LUMEN_STAGE_ENCODER }, { "H264E", LUMEN_STAGE_ENCODER },
	{ "H265E", LUMEN_STAGE_ENCODER }, { "JPEGE", LUMEN_STAGE_ENCODER },
	{ "RC", LUMEN_STAGE_ENCODER }, { "ENCODER", LUMEN_STAGE_ENCODER },
	{ "ENC", LUMEN_STAGE_ENCODER }, { "VB", LUMEN_STAGE_DMA },
	{ "SYS", LUMEN_STAGE_DMA }, { "MMZ", LUMEN_STAGE_DMA }, { "MMA", LUMEN_STAGE_DMA },
	{ "ION", LUMEN_STAGE_DMA }, { "VBPOOL", LUMEN_STAGE_DMA },
	{ "ISP", LUMEN_STAGE_ISP }, { "AE", LUMEN_STAGE_ISP }, { "AWB", LUMEN_STAGE_ISP },
	{ "IQ", LUMEN_STAGE_ISP }, { "AIQ", LUMEN_STAGE_ISP }, { "VPSS", LUMEN_STAGE_ISP },
	{ "VPE", LUMEN_STAGE_ISP }, { "SCL", LUMEN_STAGE_ISP }, { "DIVP", LUMEN_STAGE_ISP },
	{ "SNR", LUMEN_STAGE_SENSOR }, { "SENSOR", LUMEN_STAGE_SENSOR },
	{ "SNS", LUMEN_STAGE_SENSOR }, { "MIPI", LUMEN_STAGE_RECEIVER },
	{ "MIPIRX", LUMEN_STAGE_RECEIVER }, { "CSI", LUMEN_STAGE_RECEIVER },
};

/* API prefixes before the module token. */
static const char *const prefixes[] = {
	"HI_MPI_", "hi_mpi_", "MPI_", "GK_API_", "GK_MPI_", "MI_", "CVI_", "IMP_",
	"IMP-", "AX_", "RK_MPI_", "FH_", "ss_mpi_", "SS_MPI_", "ot_mpi_",
};

/* HiSilicon/Goke MOD_ID_E numbers (hi_common.h, the same in every
 * generation checked: Hi3516A/CV100..CV500, Hi3519). -1: not a stage. */
static int hisi_module_stage(unsigned mod, const char **name)
{
	static const struct { unsigned id; const char *name; int stage; } t[] = {
		{ 1, "VB", LUMEN_STAGE_DMA }, { 2, "SYS", LUMEN_STAGE_DMA },
		{ 7, "VPSS", LUMEN_STAGE_ISP }, { 8, "VENC", LUMEN_STAGE_ENCODER },
		{ 10, "H264E", LUMEN_STAGE_ENCODER }, { 11, "JPEGE", LUMEN_STAGE_ENCODER },
		{ 13, "H265E", LUMEN_STAGE_ENCODER }, { 16, "VI", LUMEN_STAGE_VIF },
		{ 19, "RC", LUMEN_STAGE_ENCODER }, { 28, "ISP", LUMEN_STAGE_ISP },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].id == mod) {
			*name = t[i].name;
			return t[i].stage;
		}
	*name = NULL;
	return -1;
}

/* The common error codes (hi_errno.h EN_ERR_CODE_E, shared by the
 * CVITEK and SigmaStar SDKs). */
static const char *common_code(unsigned code)
{
	static const char *const names[] = {
		[1] = "invalid device", [2] = "invalid channel", [3] = "illegal parameter",
		[4] = "already exists", [5] = "does not exist", [6] = "null pointer",
		[7] = "not configured", [8] = "not supported", [9] = "not permitted",
		[12] = "no memory", [13] = "no buffer", [14] = "buffer empty",
		[15] = "buffer full", [16] = "system not ready", [17] = "bad address",
		[18] = "busy",
	};

	return code < sizeof(names) / sizeof(names[0]) && names[code] ? names[code] : NULL;
}

/* An 0xA0xxxxxx / 0xC0xxxxxx code in the line (also without "0x" after
 * "ret", "err", "error"): true with its value. */
static bool find_code(const char *l, unsigned long *out)
{
	for (const char *p = l; *p; p++) {
		const char *q = p;
		char *end;
		unsigned long v;

		if ((p[0] == '0' && (p[1] == 'x' || p[1] == 'X')))
			q = p + 2;
		else if (p > l && isalnum((unsigned char)p[-1]))
			continue;
		if (!(toupper((unsigned char)q[0]) == 'A' || toupper((unsigned char)q[0]) == 'C') ||
		    q[1] != '0')
			continue;
		v = strtoul(q, &end, 16);
		if (end - q != 8 || isalnum((unsigned char)*end))
			continue;
		if (q == p && !(ev_contains(l, "ret") || ev_contains(l, "err") ||
				ev_contains(l, "fail") || ev_contains(l, "code")))
			continue;
		*out = v;
		return true;
	}
	return false;
}

static bool code_line(struct lumen_doctor_evidence *ev, const char *l)
{
	unsigned long v;
	unsigned mod, code;
	const char *mname, *cname;
	int stage;
	char why[EV_FACT_TEXT], val[32];

	if (!find_code(l, &v))
		return false;
	mod = (unsigned)(v >> 16) & 0xff;
	code = (unsigned)v & 0x1fff;
	cname = common_code(code);
	if ((v >> 24) == 0xa0)
		stage = hisi_module_stage(mod, &mname);
	else
		stage = -1, mname = NULL;
	if (!cname && stage < 0)
		return false;
	if (code == 12 || code == 13)	/* no memory / no buffer: VB, MMZ */
		stage = LUMEN_STAGE_DMA;
	snprintf(why, sizeof(why), "SDK error 0x%08lx: %s%s%s", v, mname ? mname : "module",
		 cname ? " " : "", cname ? cname : "");
	snprintf(val, sizeof(val), "%s:%u", mname ? mname : "?", code);
	ev_set_text(ev, "sdk.code", val, true);
	if (stage < 0)
		return false;	/* the API name may still say which module */
	ev_find(ev, stage, EV_CONF_HIGH, why);
	return true;
}

/* An SDK code for "no memory"/"no buffer", or ENOMEM/ENOSPC. */
static bool no_memory(const char *l)
{
	unsigned long v;
	int e = ev_errno_in(l);

	if (e == 12 || e == 28)
		return true;
	return find_code(l, &v) && ((v & 0x1fff) == 12 || (v & 0x1fff) == 13);
}

/* The module token after an API prefix: "HI_MPI_VENC_CreateChn" -> VENC,
 * "IMP_FrameSource_EnableChn" -> FRAMESOURCE, "[VENC]" -> VENC. */
static int module_stage_at(const char *p, size_t n, char *tok, size_t size)
{
	size_t i;

	for (i = 0; i < n && i + 1 < size; i++)
		tok[i] = (char)toupper((unsigned char)p[i]);
	tok[i] = '\0';
	for (size_t k = 0; k < sizeof(modules) / sizeof(modules[0]); k++)
		if (!strcmp(tok, modules[k].tok))
			return modules[k].stage;
	return -1;
}

static bool name_line(struct lumen_doctor_evidence *ev, const char *l)
{
	char tok[24], why[EV_FACT_TEXT];

	for (const char *p = l; *p; p++) {
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
			size_t n = strlen(prefixes[i]), m = 0;
			int stage;

			if (strncmp(p, prefixes[i], n) || (p > l && isalnum((unsigned char)p[-1])))
				continue;
			while (isalnum((unsigned char)p[n + m]) && m < 20)
				m++;
			stage = module_stage_at(p + n, m, tok, sizeof(tok));
			if (stage < 0)
				continue;
			/* "IMP_ISP_AddSensor", "HI_MPI_ISP_SensorRegCallBack": the
			 * call is about the sensor, whichever module offers it */
			{
				size_t fn = strcspn(p + n + m, " (:[,;");

				for (size_t k = 0; k + 6 <= fn; k++)
					if (!strncasecmp(p + n + m + k, "sensor", 6))
						stage = LUMEN_STAGE_SENSOR;
			}
			if (no_memory(l)) {
				snprintf(why, sizeof(why), "the SDK's %s module has no memory or buffer", tok);
				ev_find(ev, LUMEN_STAGE_DMA, EV_CONF_HIGH, why);
				return true;
			}
			snprintf(why, sizeof(why), "the SDK's %s module reports a failure", tok);
			ev_find(ev, stage, EV_CONF_HIGH, why);
			return true;
		}
		/* "[VENC]", "[vi]", "<VB>": a module tag */
		if ((*p == '[' || *p == '<') && p[1]) {
			size_t m = 0;
			int stage;

			while (isalnum((unsigned char)p[1 + m]) && m < 16)
				m++;
			if (m && (p[1 + m] == ']' || p[1 + m] == '>' || p[1 + m] == ' ') &&
			    (stage = module_stage_at(p + 1, m, tok, sizeof(tok))) >= 0 &&
			    m >= 2) {
				snprintf(why, sizeof(why), "the %s module reports a failure", tok);
				ev_find(ev, stage, EV_CONF_MEDIUM, why);
				return true;
			}
		}
	}
	return false;
}

/* A module named as a word of its own in a failing SDK line: "gets VB
 * of ... fail", "VENC chn 0 create failed". Upper case only: "vi" or
 * "sys" in prose are not module names. */
static bool word_line(struct lumen_doctor_evidence *ev, const char *l)
{
	char tok[24], why[EV_FACT_TEXT];

	for (const char *p = l; *p; p++) {
		size_t m = 0;
		int stage;

		if (p > l && isalnum((unsigned char)p[-1]))
			continue;
		while (isupper((unsigned char)p[m]) || isdigit((unsigned char)p[m]))
			m++;
		if (m < 2 || m > 8 || isalnum((unsigned char)p[m]) || p[m] == '_')
			continue;
		stage = module_stage_at(p, m, tok, sizeof(tok));
		/* only names no other field uses ("SCL" is also I2C's clock
		 * line, "VI", "AE", "SYS" are common words, "MIPI" and "ISP"
		 * are how people name the hardware in prose) */
		if (stage < 0 || !(!strcmp(tok, "VB") || !strcmp(tok, "VENC") ||
				   !strcmp(tok, "VPSS") || !strcmp(tok, "VIF")))
			continue;
		snprintf(why, sizeof(why), "the %s module reports a failure", tok);
		ev_find(ev, stage, EV_CONF_MEDIUM, why);
		return true;
	}
	return false;
}

/*
 * NVIDIA Tegra camera RTCPU notify events ("rtcpu_vinotify_handle_msg:
 * ... tag:CHANSEL_FAULT"): the tag's unit says where it happened (CSIMUX:
 * the CSI mux after the receiver, CHANSEL: the VI channel selector,
 * ATOMP: the memory writer, ISPBUF: the ISP's buffers). Only faults and
 * errors count.
 */
static bool tegra_tag(struct lumen_doctor_evidence *ev, const char *l)
{
	static const struct { const char *unit; int stage; } units[] = {
		{ "CSIMUX", LUMEN_STAGE_RECEIVER }, { "CHANSEL", LUMEN_STAGE_VIF },
		{ "ATOMP", LUMEN_STAGE_DMA }, { "ISPBUF", LUMEN_STAGE_ISP },
	};
	const char *t = strstr(l, "tag:");
	char why[EV_FACT_TEXT];

	if (!t)
		return false;
	t += 4;
	if (!strstr(t, "FAULT") && !strstr(t, "ERR"))
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ev_starts(t, units[i].unit)) {
			snprintf(why, sizeof(why), "the Tegra VI reports %.*s", (int)strcspn(t, " "), t);
			ev_find(ev, units[i].stage, EV_CONF_HIGH, why);
			return true;
		}
	return false;
}

/*
 * The SDKs' error macro names, printed by their tools and by Majestic:
 * "ERR_VENC_NOBUF", "HI_ERR_VB_NOMEM", "CVI_ERR_VI_NOT_CONFIG": the module
 * and the common code, read the same way as the numbers.
 */
static bool macro_line(struct lumen_doctor_evidence *ev, const char *l)
{
	for (const char *p = strstr(l, "ERR_"); p; p = strstr(p + 1, "ERR_")) {
		const char *m = p + 4;
		size_t n = 0;
		char tok[24], why[EV_FACT_TEXT];
		int stage;

		if (p > l && (isalnum((unsigned char)p[-1]) && !(p[-1] == 'I' || p[-1] == 'C')))
			continue;
		while (isupper((unsigned char)m[n]) || isdigit((unsigned char)m[n]))
			n++;
		if (!n || m[n] != '_')
			continue;
		stage = module_stage_at(m, n, tok, sizeof(tok));
		if (stage < 0)
			continue;
		if (ev_starts(m + n + 1, "NOMEM") || ev_starts(m + n + 1, "NOBUF") ||
		    ev_starts(m + n + 1, "NO_MEM") || ev_starts(m + n + 1, "NO_BUF"))
			stage = LUMEN_STAGE_DMA;
		snprintf(why, sizeof(why), "SDK error %.*s", (int)(n + 1 + strcspn(m + n + 1, " :,;)")),
			 m - 4);
		ev_find(ev, stage, EV_CONF_HIGH, why);
		return true;
	}
	return false;
}

static void sdk_line(struct lumen_doctor_evidence *ev, void *st)
{
	const char *l = ev->body;

	(void)st;
	if (ev->line_found || !ev->line_fails ||
	    ev_contains(l, "undefined symbol") || ev_contains(l, "symbol lookup") ||
	    ev_contains(l, "shared object"))	/* the loader's: ev_app.c */
		return;
	/* the API's name says which module; the code's module numbers are
	 * HiSilicon's and differ in the other SDKs */
	if (tegra_tag(ev, l) || macro_line(ev, l) || name_line(ev, l) || code_line(ev, l))
		return;
	word_line(ev, l);
}

const struct ev_family ev_family_sdk = {
	.name = "sdk",
	.line = sdk_line,
};

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel driver lines read by who said them and what they say, not by
 * their wording. A line "DRIVER DEVICE: message" (or "DRIVER: message",
 * "DRIVER: probe of DEVICE failed with error -N") is attributed to a role
 * (roles.c: sensor/bridge, CSI receiver/PHY, ISP, capture/DMA node, I2C
 * adapter, clock/regulator/GPIO, encoder, memory) from the driver's name,
 * else from the device's. When the message says something failed, what
 * failed (the bus, the chip's identity, power, the link, formats, memory,
 * streaming) is read from its errno in any spelling and its words, and
 * the pair (role, what) gives the stage and a confidence (table below).
 *
 * Facts: find.STAGE (evidence.c), kernel.role.ROLE (failing lines by the
 * role that printed them). Reads sensor.bound_dev, set by the knowledge
 * base's patterns, to tell an empty port's failure from a fault.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "doctor/internal.h"

/* What a failing message is about; several can hold, the first of the
 * role's preference list that holds decides. */
enum what {
	W_BUS,		/* an I2C/SCCB transfer failed */
	W_ID_READ,	/* the chip's identity could not be read */
	W_ID_WRONG,	/* read, but not the expected chip */
	W_POWER,	/* clock, regulator, reset/power-down GPIO, deferral */
	W_LINK,		/* lanes, link frequency, endpoints, ECC/CRC/sync */
	W_FORMAT,	/* EPIPE, link validation, pad/bus formats */
	W_MEM,		/* ENOMEM/ENOSPC, allocation, buffers, CMA */
	W_STREAM,	/* start/stop streaming, frame timeouts */
	W_MODE,		/* unsupported mode, resolution, format of the chip */
	W_ANY,		/* some other failure */
	W_COUNT
};

static const char *const what_names[W_COUNT] = {
	"an I2C transfer failed", "the chip ID could not be read",
	"the chip ID is not the expected one", "power, clock or reset",
	"the CSI-2 link (lanes, frequency, endpoint, ECC/CRC)",
	"formats do not match along the pipeline (link validation)",
	"memory or buffers could not be allocated", "streaming did not start or stalled",
	"the mode is not supported", "an error",
};

/* Words that say what; lower case, matched case-insensitively. */
static const char *const bus_words[] = {
	"i2c", "nack", "no ack", "not ack", "read reg", "write reg", "reading reg",
	"writing reg", "read_reg", "write_reg", "i2c_rd", "i2c_wr", "sccb", "xfer",
	"arbitration", "bus busy", "bus error", "no response", "not respond",
	"read register", "write register", "regmap", "cci", NULL,
};
static const char *const id_words[] = {
	"chip id", "chip-id", "chipid", "chip_id", "sensor id", "model id", "module id",
	"product id", "read id", "detect", "identify", "not found", "no sensor",
	"id register", "pid", NULL,
};
static const char *const wrong_words[] = {
	"mismatch", "wrong", "unexpected", "expected", "unsupported", "unknown",
	"not match", "does not match", "doesn't match", "invalid", "not supported",
	NULL,
};
static const char *const power_words[] = {
	"regulator", "supply", "clock", "clk", "mclk", "xclk", "gpio", "reset",
	"pwdn", "powerdown", "power-down", "power on", "power up", "power_on",
	"power", "pinctrl", "defer", NULL,
};
static const char *const link_words[] = {
	"lane", "link freq", "link-freq", "link_freq", "endpoint", "fwnode",
	"bus-type", "bus type", "ecc", "crc", "sync", "sot", "phy", "lp-11",
	"lp11", "deskew", "hs ", "settle", "fifo", "overflow", "packet", "discard",
	"corrupt", "short frame", "incomplete", NULL,
};
static const char *const format_words[] = {
	"link validation", "validate", "format mismatch", "pad format", "mbus",
	"media bus", "bus format", "wrong format", "invalid format", "unsupported format",
	"not configured", "set_fmt", "s_fmt", "pixel format", NULL,
};
static const char *const mem_words[] = {
	"alloc", "out of memory", "oom", "cma", "buffer", "vb2", "dma", "iommu",
	"memory", "page fault", "mmu", NULL,
};
static const char *const stream_words[] = {
	"stream", "timeout waiting", "timed out waiting", "no frame", "frame timeout",
	"frame start", "start", "timed out", "timeout", NULL,
};
static const char *const mode_words[] = {
	"mode", "resolution", "unsupported", "not supported", "framerate", NULL,
};

static bool any(const char *msg, const char *const *w)
{
	for (; *w; w++)
		if (ev_contains(msg, *w))
			return true;
	return false;
}

/* The same over a line already lower-cased (the word lists are). */
static bool any_lc(const char *lc, const char *const *w)
{
	for (; *w; w++)
		if (strstr(lc, *w))
			return true;
	return false;
}

bool ev_says_format(const char *msg)
{
	return any(msg, format_words);
}

/* Failure words; a zero count ("0 errors", "errors: 0") is not one. */
static const char *const fail_words[] = {
	"fail", "error", "err:", "err ", "timeout", "timed out", "unable", "cannot",
	"can't", "could not", "couldn't", "not found", "no such", "refused",
	"denied", "overflow", "abort", "unsupported", "not supported", "lost",
	"stuck", "nack", "no ack", "not respond", "no response", "not detected",
	"wrong", "unexpected", "mismatch", "exceed", "too large", "too big",
	"fatal", "panic", "oops", "segmentation fault", "core dumped", "killed",
	"invalid", "bad ", "missing", "not supported", "not present", "no device",
	"not ready", "warn", "requires", "must be", "only supports", "not allowed",
	"too high", "too many", "too small", "out of range", "no space", "refuse",
	"did not", "didn't", "doesn't", "does not", "won't", "no longer", "crash",
	"sigsegv", "not able", "can not", " fault", "_fault", "not working", "doesn't work",
	"does not work", "stopped working", "not detect", "n't detect", "n't show up",
	"not show up", "not showing up", " bug", NULL,
};

bool ev_says_failure(const char *msg)
{
	static const char *const all_clear[] = {
		"no error", "0 errors", "without error", "error: 0", "errors: 0",
		"error=0", "err=0", "dummy regulator", NULL,
	};
	char lc[EV_LINE_MAX];
	const char *p;

	ev_lower(lc, sizeof(lc), msg);
	if (!any_lc(lc, fail_words))
		return ev_errno_in(msg) != 0;
	if (any_lc(lc, all_clear))
		return false;
	/* "ecc err: 0", "ErrCnt 0x0": a counter at zero (table rows are the
	 * table parsers' business) */
	p = msg + strlen(msg);
	while (p > msg && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	if (p > msg && p[-1] == '0') {
		const char *q = p - 1;

		if (q > msg + 1 && q[-1] == 'x' && q[-2] == '0')
			q -= 2;
		if (q == msg || q[-1] == ' ' || q[-1] == '\t' || q[-1] == ':' || q[-1] == '=')
			return false;
	}
	return true;
}

static bool bus_errno(int e)
{
	return e == 5 || e == 6 || e == 121 || e == 110 || e == 62 || e == 71 ||
	       e == 11 || e == 19;
}

static bool mem_errno(int e)
{
	return e == 12 || e == 28;
}

/* The set of what the message is about. */
static unsigned what_of(const char *msg, int e)
{
	unsigned w = 1u << W_ANY;
	bool id = any(msg, id_words);

	if (any(msg, bus_words) || (bus_errno(e) && e != 19 && e != 11))
		w |= 1u << W_BUS;
	if (id && !any(msg, wrong_words))
		w |= 1u << W_ID_READ;
	if (id && any(msg, wrong_words) && !(bus_errno(e) && e != 19))
		w |= 1u << W_ID_WRONG;
	if (e == 517 || any(msg, power_words))
		w |= 1u << W_POWER;
	if (any(msg, link_words))
		w |= 1u << W_LINK;
	if (e == 32 || any(msg, format_words))
		w |= 1u << W_FORMAT;
	if (mem_errno(e) || any(msg, mem_words))
		w |= 1u << W_MEM;
	if (any(msg, stream_words))
		w |= 1u << W_STREAM;
	if (any(msg, mode_words))
		w |= 1u << W_MODE;
	return w;
}

/* Per role: what decides in which order, and its stage and confidence. */
struct rule {
	enum what what;
	int stage;
	int conf;
};

#define R(w, s, c) { W_##w, LUMEN_STAGE_##s, EV_CONF_##c }
static const struct rule sensor_rules[] = {
	R(ID_WRONG, SENSOR, HIGH), R(BUS, I2C, HIGH), R(ID_READ, I2C, HIGH),
	R(POWER, POWER, MEDIUM), R(FORMAT, RECEIVER, MEDIUM), R(LINK, LINK, MEDIUM),
	R(MEM, DMA, MEDIUM), R(MODE, SENSOR, MEDIUM), R(STREAM, SENSOR, MEDIUM),
	R(ANY, SENSOR, LOW),
};
static const struct rule receiver_rules[] = {
	R(FORMAT, RECEIVER, HIGH), R(LINK, LINK, HIGH), R(MEM, DMA, MEDIUM),
	R(BUS, I2C, MEDIUM), R(STREAM, LINK, MEDIUM), R(ANY, RECEIVER, MEDIUM),
};
/* SoC ISP drivers (Ingenic tx-isp, HiSilicon isp) also own the sensor's
 * bring-up: what they say of the sensor's identity or bus is the
 * sensor's or the bus's */
static const struct rule isp_rules[] = {
	R(ID_WRONG, SENSOR, MEDIUM), R(ID_READ, I2C, MEDIUM), R(FORMAT, RECEIVER, MEDIUM),
	R(MEM, DMA, MEDIUM), R(ANY, ISP, MEDIUM),
};
static const struct rule capture_rules[] = {
	R(FORMAT, RECEIVER, HIGH), R(MEM, DMA, HIGH), R(LINK, LINK, MEDIUM),
	R(STREAM, LINK, LOW), R(ANY, DMA, LOW),
};
static const struct rule i2c_rules[] = {
	R(ANY, I2C, HIGH),
};
static const struct rule power_rules[] = {
	R(ANY, POWER, MEDIUM),
};
static const struct rule encoder_rules[] = {
	R(MEM, DMA, MEDIUM), R(ANY, ENCODER, MEDIUM),
};
static const struct rule memory_rules[] = {
	R(ANY, DMA, HIGH),
};
#undef R

static const struct {
	const struct rule *r;
	size_t n;
} role_rules[EV_ROLE_COUNT] = {
#define E(role, t) [EV_ROLE_##role] = { t, sizeof(t) / sizeof(t[0]) }
	E(SENSOR, sensor_rules), E(RECEIVER, receiver_rules), E(ISP, isp_rules),
	E(CAPTURE, capture_rules), E(I2C, i2c_rules), E(POWER, power_rules),
	E(ENCODER, encoder_rules), E(MEMORY, memory_rules),
#undef E
};

int ev_role_stage(enum ev_role r)
{
	if ((unsigned)r >= EV_ROLE_COUNT || !role_rules[r].n)
		return -1;
	return role_rules[r].r[role_rules[r].n - 1].stage;	/* its W_ANY rule */
}

/* "DRIVER DEVICE: msg", "DRIVER: msg": splits, false when not that form. */
struct kline {
	const char *drv, *dev, *msg;
	size_t ndrv, ndev;
};

static bool drv_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == '@';
}

static bool split_kline(const char *b, struct kline *k)
{
	const char *p = b;

	memset(k, 0, sizeof(*k));
	while (drv_char(*p))
		p++;
	if (p == b || p - b > 48)
		return false;
	k->drv = b;
	k->ndrv = (size_t)(p - b);
	if (*p == ':' && p[1] == ' ') {
		k->msg = p + 2;
		return true;
	}
	if (*p != ' ')
		return false;
	k->dev = ++p;
	while (drv_char(*p) || *p == ':')
		p++;
	if (p - k->dev < 2 || p - k->dev > 64 || p[-1] != ':' || (*p != ' ' && *p))
		return false;
	k->ndev = (size_t)(p - 1 - k->dev);
	k->msg = ev_skip_space(p);
	return true;
}

/* "N-00AA": an I2C client (bus number, 7-bit address). */
static bool i2c_client(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isdigit((unsigned char)s[i]))
		i++;
	return i && i + 5 == n && s[i] == '-' && s[i + 1] == '0' && s[i + 2] == '0' &&
	       isxdigit((unsigned char)s[i + 3]) && isxdigit((unsigned char)s[i + 4]);
}

static enum ev_role kernel_role(const char *drv, size_t ndrv, const char *dev, size_t ndev)
{
	enum ev_role r = ev_role_of_driver(drv, ndrv);

	if (r == EV_ROLE_NONE && dev)
		r = ev_role_of_device(dev, ndev);
	if (r == EV_ROLE_NONE)
		r = ev_role_of_words(drv, ndrv);
	if (r == EV_ROLE_NONE && dev)
		r = ev_role_of_words(dev, ndev);
	/* the I2C core speaks of adapters: "i2c i2c-1: ..." */
	if (r == EV_ROLE_NONE && ndrv == 3 && !strncmp(drv, "i2c", 3))
		r = EV_ROLE_I2C;
	return r;
}

/*
 * A sensor's failure on one I2C client is held until the end: when the
 * same kind of sensor bound on another client (the knowledge base's
 * sensor.bound_dev), the failure is an empty camera port's, which logs it
 * on every boot, not a fault.
 */
#define PENDING_MAX 32
struct pending {
	char dev[16];
	int stage, conf, quote;
	char why[EV_FACT_TEXT];
};

struct kernel_state {
	int npending;
	struct pending p[PENDING_MAX];
};

static void find(struct lumen_doctor_evidence *ev, struct kernel_state *ks,
		 const struct kline *k, bool client, int stage, int conf,
		 const char *why)
{
	struct pending *p;

	if (!client || ks->npending >= PENDING_MAX || ev->reference) {
		ev_find(ev, stage, conf, why);
		return;
	}
	ev->line_found = true;
	p = &ks->p[ks->npending++];
	snprintf(p->dev, sizeof(p->dev), "%.*s", (int)k->ndev, k->dev);
	p->stage = stage;
	p->conf = conf;
	p->quote = ev_quote_line(ev);
	snprintf(p->why, sizeof(p->why), "%s", why);
}

static void judge(struct lumen_doctor_evidence *ev, struct kernel_state *ks,
		  const struct kline *k, bool client, enum ev_role role,
		  const char *who, const char *msg)
{
	int e = ev_errno_in(msg);
	unsigned w = what_of(msg, e);
	char why[EV_FACT_TEXT];

	if (role == EV_ROLE_NONE || !role_rules[role].r)
		return;
	for (size_t i = 0; i < role_rules[role].n; i++) {
		const struct rule *r = &role_rules[role].r[i];

		if (!(w & (1u << r->what)))
			continue;
		snprintf(why, sizeof(why), "%s (%s) reports that %s%s%s", who,
			 ev_role_name(role), what_names[r->what], e ? ": " : "",
			 e ? ev_errno_name(e) : "");
		find(ev, ks, k, client, r->stage, r->conf, why);
		return;
	}
}

static void kernel_line(struct lumen_doctor_evidence *ev, void *st)
{
	struct kernel_state *ks = st;
	struct kline k;
	enum ev_role role;
	char who[64];
	const char *probe;
	bool client = false;

	if (!ev->line_fails || !split_kline(ev->body, &k) || !ev_says_failure(k.msg))
		return;
	role = kernel_role(k.drv, k.ndrv, k.dev, k.ndev);
	/* an unknown driver on an I2C client address that speaks of a
	 * sensor or camera is a sensor driver the table does not know */
	if (role == EV_ROLE_NONE && k.dev && i2c_client(k.dev, k.ndev) &&
	    (ev_contains(k.msg, "sensor") || ev_contains(k.msg, "camera") ||
	     ev_contains(k.msg, "chip id")))
		role = EV_ROLE_SENSOR;
	/* "DRIVER: probe of 10-0010 failed with error -5" */
	probe = strstr(k.msg, "probe of ");
	if (role == EV_ROLE_NONE && probe && k.ndrv >= 3) {
		const char *d = probe + 9;
		size_t n = strcspn(d, " ");

		if (i2c_client(d, n)) {	/* an I2C chip: a sensor only if so named */
			role = ev_role_of_words(k.drv, k.ndrv) == EV_ROLE_SENSOR ?
			       EV_ROLE_SENSOR : EV_ROLE_NONE;
			k.dev = d;
			k.ndev = n;
		} else {
			role = ev_role_of_device(d, n);
		}
	} else if (probe && role == EV_ROLE_SENSOR) {
		k.dev = probe + 9;
		k.ndev = strcspn(k.dev, " ");
	}
	client = role == EV_ROLE_SENSOR && k.dev && i2c_client(k.dev, k.ndev);
	if (role == EV_ROLE_NONE)
		return;
	snprintf(who, sizeof(who), "%.*s", (int)(k.ndrv < 40 ? k.ndrv : 40), k.drv);
	{
		char fact[EV_FACT_NAME];

		snprintf(fact, sizeof(fact), "kernel.role.%s", ev_role_name(role));
		ev_add_num(ev, fact, 1, false);
	}
	judge(ev, ks, &k, client, role, who, k.msg);
}

static void kernel_finish(struct lumen_doctor_evidence *ev, void *st)
{
	struct kernel_state *ks = st;
	const char *bound = lumen_doctor_fact_text(ev, "sensor.bound_dev");

	for (int i = 0; i < ks->npending; i++) {
		const struct pending *p = &ks->p[i];

		if (bound && strcmp(bound, p->dev))
			continue;	/* another port's: see struct pending */
		ev_find_quoted(ev, p->stage, p->conf, p->why, p->quote);
	}
	ks->npending = 0;
}

const struct ev_family ev_family_kernel = {
	.name = "kernel",
	.state_size = sizeof(struct kernel_state),
	.line = kernel_line,
	.finish = kernel_finish,
};

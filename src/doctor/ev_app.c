// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What applications and tools say when a camera pipeline fails, read by
 * concept rather than by sentence: libcamera's log category ("ERROR
 * CameraSensor ...", "ERROR RPI ..."), the V4L2 ioctl that failed and its
 * errno in any spelling (STREAMON + EPIPE is link validation, REQBUFS +
 * ENOMEM is buffers), the dynamic loader's refusals (undefined symbol,
 * wrong ELF class, missing soname) by the library they name, a camera
 * that is absent, an encoder that is missing or refuses a size or level,
 * allocation failures, a streamer's socket errors. A failing line that
 * none of these explains, and no other family explained, still gets a
 * low-confidence finding from its words, so that evidence holding an
 * error is never read as "nothing wrong".
 *
 * Facts: find.STAGE (evidence.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "doctor/internal.h"

static bool any(const char *s, const char *const *w)
{
	for (; *w; w++)
		if (ev_contains(s, *w))
			return true;
	return false;
}

static bool word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = s; *p; p++)
		if (!strncasecmp(p, w, n) && (p == s || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[n]))
			return true;
	return false;
}

/* A word of @w starting at a word boundary of @s ("csi" in "csi2", not
 * in "PicSize"). */
static bool any_start(const char *s, const char *const *w)
{
	for (; *w; w++) {
		size_t n = strlen(*w);

		for (const char *p = s; *p; p++)
			if (!strncasecmp(p, *w, n) && (p == s || !isalnum((unsigned char)p[-1])))
				return true;
	}
	return false;
}

static bool any_word(const char *s, const char *const *w)
{
	for (; *w; w++)
		if (word(s, *w))
			return true;
	return false;
}

/* Concept vocabularies (lower case). */
static const char *const camera_nouns[] = {
	"camera", "cameras", "sensor", "cam0", "cam1", "imager", NULL,
};
static const char *const absent_words[] = {
	"no camera", "no sensor", "not found", "not detected", "not available",
	"unavailable", "cannot find", "can't find", "could not find", "couldn't find",
	"failed to find", "unable to find", "no such", "0 cameras", "missing",
	"not connected", "not present", "none found", "did not find", "no device",
	"list index out of range", "failed to detect", "not recognized", "no supported",
	"0 camera", "no camera", "not detect", "n't detect", "n't recogni", "n't show",
	"not show", "no /dev/video", NULL,
};
static const char *const encoder_nouns[] = {
	"encoder", "encode", "encoding", "venc", "h264", "h.264", "h265", "h.265", "hevc",
	"x264", "openh264", "v4l2m2m", "m2m", "mjpeg", "jpeg enc", "jpegenc", "avc",
	"v4l2h264enc", "omxh264", "video-codec", "bcm2835-codec", NULL,
};
static const char *const limit_words[] = {
	"level", "profile", "width", "height", "resolution", "size", "exceed", "too large",
	"too big", "maximum", "max ", "not supported", "unsupported", "invalid argument",
	"out of range", "4k", "3840", "4096", "2160", "macroblock", NULL,
};
static const char *const oom_words[] = {
	"out of memory", "bad_alloc", "memoryerror", "oom-kill", "oom_kill",
	"page allocation failure", "cma_alloc", "alloc failed", "allocation failed",
	"failed to allocate", "unable to allocate", "could not allocate",
	"cannot allocate", "can't allocate", "not enough memory", "insufficient memory",
	"no memory", "dma_alloc", "out of cma", NULL,
};
static const char *const loader_words[] = {
	"undefined symbol", "symbol lookup error", "wrong elf class", "elfclass",
	"cannot open shared object", "not a dynamic executable", "exec format error",
	"version `", "version '", "abi mismatch", "abi version", "soname",
	"incompatible library", "no such file or directory (lib",
	/* told in prose: "built for libraw 0.20 whereas ... has 0.21" */
	"built for lib", "built against", "compiled against", "compiled for lib",
	"linked against", "rebuilt against", "new build against", "needs rebuild",
	"needs to be rebuilt", "needs a rebuild", NULL,
};
/* a program died: a signal, an assertion, a core dump, a backtrace */
static const char *const crash_words[] = {
	"dumped core", "core dumped", "segmentation fault", "sigsegv", "sigabrt",
	"sigbus", "assertion", "stack trace of thread", "traceback (most recent",
	"aborted (core", "double free", "stack smashing", NULL,
};
/* an application's media pipeline built wrong (GStreamer's words) */
static const char *const pipeline_words[] = {
	"erroneous pipeline", "could not link", "not-negotiated", "no element \"",
	"no such element", "failed to link", "could not negotiate", "caps are not",
	NULL,
};
static const char *const streamer_nouns[] = {
	"rtsp", "rtmp", "webrtc", "hls", "http server", "mediamtx", "go2rtc",
	"ustreamer", "mjpg-streamer", "rtsp-simple-server", "live555", "srt", NULL,
};

static const char *const net_words[] = {
	"rtsp", "rtp", "rtcp", "tcp", "udp", "socket", "client", "send", "http",
	"listen", "bind", "connect", "port", "rtmp", "webrtc", "server", NULL,
};
/* described symptoms (prose): the picture is there but wrong */
static const char *const picture_words[] = {
	"stripes", "striped", "distortion", "distorted", "purple", "green tint",
	"greenish", "pinkish", "washed out", "overexposed", "over-exposed",
	"too dark", "colour cast", "color cast", "wrong colo", "tuning file",
	"iq file", "banding", "artifacts", "artefacts", "tint", "stripe", "distort",
	"magenta", "white balance", "too bright", "underexposed", NULL,
};
/* a colour cast: a colour named with what shows it ("dark green colors",
 * "pink image") */
static const char *const colour_words[] = {
	"green", "pink", "purple", "magenta", "violet", "yellowish", "bluish",
	"reddish", NULL,
};
/* the exposure or sharpness of a picture, with what shows it ("returns
 * a dark image", "the preview is very bright", "blurry video"; batch7) */
static const char *const exposure_words[] = {
	"dark", "darker", "dim", "bright", "brighter", "blurry", "blurred",
	"noisy", "grainy", "unfocused", NULL,
};
static const char *const shown_words[] = {
	"picture", "image", "video", "colo", "frame", "preview", "tint", "cast",
	NULL,
};
/* the capture input carries no signal (an HDMI or analogue source behind
 * a bridge, its cable): the link's far side */
static const char *const no_signal_words[] = {
	"no signal", "signal is not detected", "signal not detected",
	"no input signal", "signal lost", "no hdmi signal", "no valid signal",
	NULL,
};
static const char no_signal_why[] =
	"the capture input carries no signal (its source or cable)";
/* described symptoms: nothing at all */
static const char *const nothing_words[] = {
	"no video", "black screen", "no picture", "no image", "blank image",
	"crashed", "segmentation fault", "sigsegv", "core dumped", "not getting",
	"no more getting", "don't get any", "no stream", "no frames", "no output",
	NULL,
};

/* libcamera log categories -> stage (libcamera/src: LOG_DEFINE_CATEGORY). */
static const struct {
	const char *cat;
	int stage;
} lc_cats[] = {
	{ "CameraSensor", LUMEN_STAGE_SENSOR }, { "CameraSensorProperties", LUMEN_STAGE_SENSOR },
	{ "CameraManager", LUMEN_STAGE_SENSOR }, { "DeviceEnumerator", LUMEN_STAGE_SENSOR },
	{ "MediaDevice", LUMEN_STAGE_RECEIVER }, { "V4L2", LUMEN_STAGE_RECEIVER },
	{ "Buffer", LUMEN_STAGE_DMA }, { "Allocator", LUMEN_STAGE_DMA },
	{ "DmaBufAllocator", LUMEN_STAGE_DMA }, { "DmaHeap", LUMEN_STAGE_DMA },
	{ "RPI", LUMEN_STAGE_ISP }, { "RPiStream", LUMEN_STAGE_ISP },
	{ "PISP", LUMEN_STAGE_ISP }, { "IPAProxy", LUMEN_STAGE_ISP },
	{ "IPAManager", LUMEN_STAGE_ISP }, { "IPAModule", LUMEN_STAGE_ISP },
	{ "IPARPI", LUMEN_STAGE_ISP }, { "IPU3", LUMEN_STAGE_ISP },
	{ "RkISP1", LUMEN_STAGE_ISP }, { "SimplePipeline", LUMEN_STAGE_ISP },
	{ "SoftwareIsp", LUMEN_STAGE_ISP }, { "Pipeline", LUMEN_STAGE_ISP },
	{ "MaliC55", LUMEN_STAGE_ISP }, { "Vimc", LUMEN_STAGE_ISP },
	{ "IPAIPU3", LUMEN_STAGE_ISP }, { "IPARkISP1", LUMEN_STAGE_ISP },
	{ "DelayedControls", LUMEN_STAGE_SENSOR }, { "Camera", LUMEN_STAGE_SENSOR },
};

/* What an errno means at a V4L2 ioctl (or a stream start that names none). */
static bool ioctl_line(struct lumen_doctor_evidence *ev, const char *l, int e)
{
	const char *v = strstr(l, "VIDIOC_");
	char name[24] = "", why[EV_FACT_TEXT];
	int stage = -1, conf = EV_CONF_HIGH;
	size_t n = 0;

	if (v) {
		v += 7;
		while ((isupper((unsigned char)v[n]) || v[n] == '_') && n + 1 < sizeof(name))
			n++;
		memcpy(name, v, n);
		name[n] = '\0';
	} else if (ev_contains(l, "streamon") || ev_contains(l, "stream on ") ||
		   ev_contains(l, "start streaming") || ev_contains(l, "s_stream") ||
		   ev_contains(l, "streaming failed") || ev_contains(l, "start capturing") ||
		   ev_contains(l, "start capture")) {
		snprintf(name, sizeof(name), "STREAMON");
		conf = EV_CONF_MEDIUM;
	} else {
		return false;
	}
	if (!e && !ev->line_fails)
		return false;
	if (e == 12 || e == 28)
		stage = LUMEN_STAGE_DMA;
	else if (!strcmp(name, "STREAMON"))
		stage = e == 32 ? LUMEN_STAGE_RECEIVER :
			(e == 5 || e == 121 || e == 6 || e == 110) ? LUMEN_STAGE_I2C :
			e == 22 ? LUMEN_STAGE_RECEIVER : LUMEN_STAGE_RECEIVER;
	else if (e == 9 || e == 19)	/* the device is gone or was never
					 * opened: an earlier failure's echo */
		stage = LUMEN_STAGE_SENSOR, conf = EV_CONF_GUESS;
	else if (ev_starts(name, "REQBUFS") || ev_starts(name, "CREATE_BUFS") ||
		 ev_starts(name, "QBUF") || ev_starts(name, "EXPBUF") ||
		 ev_starts(name, "PREPARE_BUF"))
		stage = LUMEN_STAGE_DMA;
	else if (ev_starts(name, "DQBUF"))
		stage = LUMEN_STAGE_LINK, conf = EV_CONF_LOW;
	else if (ev_starts(name, "S_FMT") || ev_starts(name, "TRY_FMT") ||
		 ev_starts(name, "SUBDEV_S_FMT") || ev_starts(name, "S_SELECTION"))
		stage = any(l, encoder_nouns) ? LUMEN_STAGE_ENCODER : LUMEN_STAGE_RECEIVER,
		conf = EV_CONF_MEDIUM;
	else if (ev_starts(name, "QUERYCAP") || ev_starts(name, "ENUM"))
		stage = LUMEN_STAGE_SENSOR, conf = EV_CONF_LOW;
	else
		stage = LUMEN_STAGE_RECEIVER, conf = EV_CONF_LOW;
	snprintf(why, sizeof(why), "VIDIOC_%s failed%s%s", name, e ? " with " : "",
		 e ? ev_errno_name(e) : "");
	ev_find(ev, stage, conf, why);
	return true;
}

/* "[0:00:01.2] [1234] ERROR Category file.cpp:12 msg" (stamps gone). */
static bool libcamera_line(struct lumen_doctor_evidence *ev, const char *l, int e)
{
	const char *p = l, *c;
	size_t n;
	char why[EV_FACT_TEXT];

	if (ev_starts(p, "ERROR ") || ev_starts(p, "FATAL "))
		p += 6;
	else if (ev_starts(p, " ERROR ") || ev_starts(p, " FATAL "))
		p += 7;
	else
		return false;
	c = p;
	n = strcspn(c, " ");
	if (!n || !strstr(c + n, ".cpp:"))
		return false;
	for (size_t i = 0; i < sizeof(lc_cats) / sizeof(lc_cats[0]); i++) {
		int stage = lc_cats[i].stage;

		if (strlen(lc_cats[i].cat) != n || strncmp(c, lc_cats[i].cat, n))
			continue;
		if (e == 12 || e == 28)
			stage = LUMEN_STAGE_DMA;
		else if (e == 32)
			stage = LUMEN_STAGE_RECEIVER;
		else if (stage == LUMEN_STAGE_SENSOR &&
			 (e == 5 || e == 121 || e == 6 || e == 110))
			stage = LUMEN_STAGE_I2C;
		snprintf(why, sizeof(why), "libcamera's %.*s reports an error%s%s", (int)n, c,
			 e ? ": " : "", e ? ev_errno_name(e) : "");
		ev_find(ev, stage, stage == lc_cats[i].stage ? EV_CONF_MEDIUM : EV_CONF_HIGH, why);
		return true;
	}
	return false;
}

/* The stage a library belongs to, from its name in a loader message:
 * the camera components' own libraries by name, any other library (libc,
 * libtiff, libraw, glib, ...) is the application's. */
static int library_stage(const char *l)
{
	static const struct { const char *frag; int stage; } libs[] = {
		{ "libcamera", LUMEN_STAGE_ISP }, { "libpisp", LUMEN_STAGE_ISP },
		{ "ipa_", LUMEN_STAGE_ISP }, { "isp", LUMEN_STAGE_ISP },
		{ "libimp", LUMEN_STAGE_ISP }, { "libmi_isp", LUMEN_STAGE_ISP },
		{ "libmi_venc", LUMEN_STAGE_ENCODER }, { "libmi_vif", LUMEN_STAGE_VIF },
		{ "libmi_sensor", LUMEN_STAGE_SENSOR }, { "libsns", LUMEN_STAGE_SENSOR },
		{ "sensor", LUMEN_STAGE_SENSOR }, { "venc", LUMEN_STAGE_ENCODER },
		{ "libavcodec", LUMEN_STAGE_ENCODER }, { "x264", LUMEN_STAGE_ENCODER },
		{ "openh264", LUMEN_STAGE_ENCODER }, { "libmpp", LUMEN_STAGE_ENCODER },
		{ "librockchip_mpp", LUMEN_STAGE_ENCODER }, { "rtsp", LUMEN_STAGE_STREAMER },
		{ "live555", LUMEN_STAGE_STREAMER }, { "libmpi", LUMEN_STAGE_VIF },
		{ "libcvi", LUMEN_STAGE_VIF },
		/* the vendors' camera stacks, which own the ISP */
		{ "libmmal", LUMEN_STAGE_ISP }, { "argus", LUMEN_STAGE_ISP },
	};

	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		if (ev_contains(l, libs[i].frag))
			return libs[i].stage;
	return LUMEN_STAGE_STREAMER;
}

/* Whether a memory failure names an impossible size: a negative count, or
 * one of ten digits or more (beyond 1 GB). That is a caller passing
 * garbage (often a library built for another ABI), not memory running
 * out. */
static bool impossible_size(const char *l)
{
	for (const char *q = l; *q; q++) {
		int n = 0;

		if (*q < '0' || *q > '9' || (q > l && q[-1] >= '0' && q[-1] <= '9'))
			continue;
		while (q[n] >= '0' && q[n] <= '9')
			n++;
		/* -12 is an errno; -942346776 is not */
		if ((q > l && q[-1] == '-' && n >= 4) || n >= 10)
			return true;
		q += n - 1;
	}
	return false;
}

/* Words of a stage, for the last-resort reading of a failing line. */
static const struct {
	const char *const *words;
	int stage;
} stage_words[] = {
	{ (const char *const[]){ "regulator", "mclk", "xclk", "clock", "pwdn",
				 "reset gpio", "power", "supply", NULL }, LUMEN_STAGE_POWER },
	{ (const char *const[]){ "i2c", "sccb", "nack", "chip id", "chipid", "probe", NULL },
	  LUMEN_STAGE_I2C },
	{ (const char *const[]){ "lane", "mipi", "csi", "dphy", "d-phy", "ecc", "crc",
				 "link freq", NULL }, LUMEN_STAGE_LINK },
	{ (const char *const[]){ "streamon", "broken pipe", "link validation", "unicam",
				 "csid", "cfe", NULL }, LUMEN_STAGE_RECEIVER },
	{ (const char *const[]){ "vif", "framesource", "frame source", NULL },
	  LUMEN_STAGE_VIF },
	{ (const char *const[]){ "isp", "ipa", "tuning", "pipeline handler", "3a",
				 "awb", "libcamera", "rkaiq", "aiq", "camera engine",
				 "iq ", "camera helper", NULL }, LUMEN_STAGE_ISP },
	{ (const char *const[]){ "cma", "buffer", "vb pool", "alloc", "memory", "dma",
				 NULL }, LUMEN_STAGE_DMA },
	{ streamer_nouns, LUMEN_STAGE_STREAMER },	/* "rtsp-h264" is a streamer */
	{ encoder_nouns, LUMEN_STAGE_ENCODER },
	{ (const char *const[]){ "sensor", "camera", NULL }, LUMEN_STAGE_SENSOR },
};

static bool camera_absent(const char *l)
{
	return (any_word(l, camera_nouns) || ev_contains(l, "camera(s)") ||
		ev_contains(l, "/dev/video") || ev_contains(l, "video device") ||
		ev_contains(l, "capture device")) && any(l, absent_words);
}

/* libcamera's enumeration: a media device it found, a camera it
 * registered, no camera at all. */
struct app_state {
	bool media_device, registered;
	int media_quote;
	int works_quote;	/* "works fine with X": -1 when not said */
	bool works_elsewhere;
	bool absent;		/* a program lists no camera */
	int absent_quote;
	bool crashed;		/* a crash was reported: backtraces follow */
	bool crash_located;	/* its first library frame was read */
};

/* Whether @l is a backtrace frame ("#1 0x... fn (libtiff.so.6 + 0xc398)",
 * "#2 0x... in fn () from /usr/lib/libx.so") in a library other than the
 * C and C++ runtime, where every crash passes. */
static bool crash_frame_library(const char *l)
{
	static const char *const runtime[] = {
		"libc.so", "libc-", "libpthread", "ld-linux", "libstdc++", "libgcc_s",
		"libm.so", "ld-musl", "libc.musl", NULL,
	};
	const char *q = l;

	while (*q == ' ' || *q == '\t')
		q++;
	if (*q != '#' || q[1] < '0' || q[1] > '9' || !strstr(q, "0x") ||
	    !strstr(q, ".so"))
		return false;
	return !any(q, runtime);
}

/* The camera works with another program, build or stack: sensor, bus and
 * link deliver, the failing software does not. */
static const char *const works_words[] = {
	"works fine", "works perfectly", "work fine", "works ok", "working fine",
	"works well", "works with", "worked with", "is able to find", "able to see",
	"can run libcamera", "just fine", "camera is available", "works great",
	"works correctly", "can show the video", "shows the video", NULL,
};

static void lc_state(struct lumen_doctor_evidence *ev, void *st, const char *l)
{
	struct app_state *as = st;

	if (strstr(l, "New media device") && strstr(l, "created")) {
		if (!as->media_device)
			as->media_quote = ev_quote_line(ev);
		as->media_device = true;
	}
	if (strstr(l, "Registered camera") || strstr(l, "Adding camera"))
		as->registered = true;
	if (!as->works_elsewhere && !ev->line_fails && any(l, works_words)) {
		as->works_elsewhere = true;
		as->works_quote = ev_quote_line(ev);
	}
}

/* A media device libcamera found with no camera registered, and no camera
 * listed: no pipeline handler took it (not built in, or too old for the
 * device); a sensor that did not probe leaves no media device behind it
 * on most platforms, and any I2C failure seen rules this out. */
/* A kernel module that is not there ("modprobe: FATAL: Module imx412 not
 * found", "insmod: can't insert 'sensor_x.ko': No such file"): the stage of
 * its driver's role (roles.c). */
static bool module_missing(struct lumen_doctor_evidence *ev, const char *l)
{
	static const char *const module_words[] = {
		"insmod", "modprobe", "modinfo", "kernel module", ".ko", NULL,
	};
	char why[EV_FACT_TEXT];
	const char *p;
	int stage = -1;

	if (!any(l, module_words) || !(any(l, absent_words) || ev_errno_in(l) == 2))
		return false;
	/* each word of the line that names a driver with a role */
	for (p = l; *p && stage < 0;) {
		size_t n = 0;

		while (*p && !isalnum((unsigned char)*p))
			p++;
		bool compound = false;

		while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '-') {
			compound |= p[n] == '_' || p[n] == '-';
			n++;
		}
		if (n > 2) {
			enum ev_role r = ev_role_of_driver(p, n);

			/* "sensor_sc2335_t31", "bcm2835_unicam": by the words */
			if (r == EV_ROLE_NONE && compound)
				r = ev_role_of_words(p, n);
			stage = ev_role_stage(r);
		}
		p += n;
	}
	if (stage < 0)
		return false;
	snprintf(why, sizeof(why), "the driver module of the %s stage is not installed",
		 lumen_doctor_stage_name(stage));
	ev_find(ev, stage, EV_CONF_HIGH, why);
	return true;
}

/* "no camera": what every failure before it ends in, weaker than any
 * component that says why */
static void camera_absent_found(struct lumen_doctor_evidence *ev, struct app_state *as)
{
	ev_find(ev, LUMEN_STAGE_SENSOR, EV_CONF_LOW,
		"no camera is found (the sensor did not register)");
	if (!as->absent) {
		as->absent = true;
		as->absent_quote = ev_quote_line(ev);
	}
}

static void app_finish(struct lumen_doctor_evidence *ev, void *st)
{
	struct app_state *as = st;

	if (as->media_device && !as->registered && ev_fact_find(ev, "find.sensor") &&
	    !ev_fact_find(ev, "find.i2c"))
		ev_find_quoted(ev, LUMEN_STAGE_ISP, EV_CONF_HIGH,
			       "libcamera found the capture device but registered no camera: no pipeline handler matched it",
			       as->media_quote);
	/* the camera works elsewhere and nothing says why here with any
	 * confidence: the failing program's camera stack (its libcamera
	 * build, pipeline handler, ISP interface) */
	if (as->works_elsewhere && ev_strongest_finding(ev) < EV_CONF_MEDIUM)
		ev_find_quoted(ev, LUMEN_STAGE_ISP, EV_CONF_MEDIUM,
			       "the camera works with another program or build: the failing one's camera stack (libcamera build, pipeline handler, ISP interface)",
			       as->works_quote);
	/* the kernel bound the sensor to its receiver, yet a program lists no
	 * camera: the sensor registered, the camera stack above it (pipeline
	 * handler, the vendor's camera service) does not take it */
	if (as->absent && ev_fact_find(ev, "sensor.bound") &&
	    ev_strongest_finding(ev) < EV_CONF_MEDIUM)
		ev_find_quoted(ev, LUMEN_STAGE_ISP, EV_CONF_MEDIUM,
			       "the kernel bound the sensor, yet the camera stack lists no camera (its pipeline handler or camera service)",
			       as->absent_quote);
	as->media_device = as->registered = as->works_elsewhere = as->absent = false;
	as->crashed = as->crash_located = false;
}

static void app_line(struct lumen_doctor_evidence *ev, void *st)
{
	struct app_state *as = st;
	const char *l = ev->body;
	char why[EV_FACT_TEXT];
	int e;

	if (ev->line_found || ev->reference || ev->line_marker)
		return;
	lc_state(ev, st, l);
	/* a program died, and its backtrace says in which library: that
	 * library's stage (the application's for any general library); low,
	 * as a crash is often what an earlier stage's failure ends in, which
	 * a line naming that stage says better. A crash without a backtrace
	 * locates nothing. */
	if (any(l, crash_words)) {
		as->crashed = true;
	} else if (as->crashed && !as->crash_located && crash_frame_library(l)) {
		as->crash_located = true;
		ev_find(ev, library_stage(l), EV_CONF_LOW,
			"a program crashes in the library its backtrace names first (past the C library)");
		return;
	}
	/* an application's media pipeline that does not build (elements or
	 * caps that do not link): the program's own description; failing
	 * whether or not it says "error" */
	if (any(l, pipeline_words)) {
		ev_find(ev, LUMEN_STAGE_STREAMER, EV_CONF_MEDIUM,
			"the application's media pipeline does not build (elements or caps that do not link)");
		return;
	}
	if (!ev->line_fails) {
		/* a symptom described rather than logged */
		if (camera_absent(l))
			camera_absent_found(ev, as);
		else if (any(l, no_signal_words))
			ev_find(ev, LUMEN_STAGE_LINK, EV_CONF_MEDIUM, no_signal_why);
		else if (any(l, picture_words) ||
			 ((any_word(l, colour_words) || any_word(l, exposure_words)) &&
			  any(l, shown_words)))
			ev_find(ev, LUMEN_STAGE_ISP, EV_CONF_LOW,
				"the picture arrives but looks wrong (colours, stripes, exposure): ISP or its tuning");
		else if (any(l, nothing_words))
			ev_find(ev, LUMEN_STAGE_SENSOR, EV_CONF_GUESS,
				"no picture, and no line names a stage");
		return;
	}
	e = ev_errno_in(l);
	if (any(l, no_signal_words)) {
		ev_find(ev, LUMEN_STAGE_LINK, EV_CONF_MEDIUM, no_signal_why);
		return;
	}
	/* socket errnos on network words: the streamer's */
	if ((e == 98 || e == 104 || e == 111 || e == 113 || (e == 32 && !strstr(l, "VIDIOC"))) &&
	    any(l, net_words)) {
		ev_find(ev, LUMEN_STAGE_STREAMER, EV_CONF_HIGH,
			"the streamer's socket fails (address in use, reset, refused)");
		return;
	}
	/* a chip that answered but is another one */
	if (any(l, (const char *const[]){ "chip", "sensor id", "chip id", "chipid", NULL }) &&
	    any(l, (const char *const[]){ "is not a", "is not an", "not an ", "mismatch",
					   "wrong", "unexpected", "expected", "doesn't match",
					   "does not match", "unsupported", "unknown", NULL }) &&
	    !(e == 5 || e == 121 || e == 6 || e == 110)) {
		ev_find(ev, LUMEN_STAGE_SENSOR, EV_CONF_HIGH,
			"the chip that answers is not the sensor the software expects");
		return;
	}
	if (module_missing(ev, l))
		return;
	if (any(l, loader_words)) {
		ev_find(ev, library_stage(l), EV_CONF_MEDIUM,
			"a library does not load or does not match (ABI, ELF class, soname)");
		return;
	}
	/* a memory-to-memory device's "output" queue is its input: a capture
	 * pipeline has none, an encoder has */
	if (ev_contains(l, "output stream") && !strstr(l, "VIDIOC")) {
		ev_find(ev, LUMEN_STAGE_ENCODER, EV_CONF_MEDIUM,
			"the encoder's (memory-to-memory) output queue does not start");
		return;
	}
	/* frames do not arrive: a wait for a frame/buffer times out */
	if ((e == 110 || e == 62 || any(l, (const char *const[]){ "timeout", "timed out",
								 "expired", NULL })) &&
	    any(l, (const char *const[]){ "frame", "buffer", "image", "dequeue", "frontend",
					  "dqbuf", NULL }) && !any(l, oom_words)) {
		ev_find(ev, LUMEN_STAGE_LINK, EV_CONF_MEDIUM,
			"no frame arrives: waiting for one times out (lanes, link frequency or a stopped sensor)");
		return;
	}
	/* vendor camera stacks that own the ISP (Qualcomm CamX, NVIDIA Argus) */
	if (any(l, (const char *const[]){ "camx", "cam-server", "nvargus", "argus", NULL }) &&
	    !camera_absent(l)) {
		ev_find(ev, LUMEN_STAGE_ISP, EV_CONF_MEDIUM,
			"the vendor's camera/ISP service reports an error");
		return;
	}
	if (libcamera_line(ev, l, e) || ioctl_line(ev, l, e))
		return;
	if ((any(l, oom_words) || ev_contains(l, "alloc")) && impossible_size(l)) {
		ev_find(ev, LUMEN_STAGE_STREAMER, EV_CONF_MEDIUM,
			"an allocation of an impossible size: the program passes garbage (a library built for another ABI?), memory is not short");
		return;
	}
	if (e == 12 || e == 28 || any(l, oom_words) ||
	    (ev_contains(l, "alloc") && !any(l, loader_words))) {
		ev_find(ev, LUMEN_STAGE_DMA, EV_CONF_HIGH,
			"memory or buffers could not be allocated");
		return;
	}
	if (any(l, encoder_nouns) && !any(l, streamer_nouns) &&
	    (any(l, limit_words) || any(l, absent_words) ||
				      e == 22 || e == 19 || e == 2)) {
		ev_find(ev, LUMEN_STAGE_ENCODER, EV_CONF_HIGH,
			any(l, absent_words) || e == 19 || e == 2 ?
			"the encoder is missing" : "the encoder refuses the size, level or format");
		return;
	}
	/* "rtsp-h264", "RTSP server (H264)": a streamer named after its codec */
	if (any(l, encoder_nouns) && !any(l, streamer_nouns)) {
		ev_find(ev, LUMEN_STAGE_ENCODER, EV_CONF_MEDIUM, "the encoder fails");
		return;
	}
	/* "no camera" is what every failure before it ends in: weaker than
	 * any component that says why */
	if (camera_absent(l)) {
		camera_absent_found(ev, as);
		return;
	}
	if (any(l, streamer_nouns) && (e == 98 || e == 111 || e == 104 ||
				       ev_contains(l, "bind") || ev_contains(l, " 401") ||
				       ev_contains(l, " 404") || ev_contains(l, "unauthorized"))) {
		ev_find(ev, LUMEN_STAGE_STREAMER, EV_CONF_MEDIUM,
			"the streamer cannot serve (socket, URL or authentication)");
		return;
	}
	/* formats that do not match between two stages: link validation, as
	 * a kernel driver's line says it (ev_kernel.c) */
	if (ev_says_format(l)) {
		ev_find(ev, LUMEN_STAGE_RECEIVER, EV_CONF_LOW,
			"formats do not match along the pipeline (link validation)");
		return;
	}
	for (size_t i = 0; i < sizeof(stage_words) / sizeof(stage_words[0]); i++)
		if (any_start(l, stage_words[i].words)) {
			snprintf(why, sizeof(why), "a failing line about the %s stage",
				 lumen_doctor_stage_name(stage_words[i].stage));
			ev_find(ev, stage_words[i].stage, EV_CONF_LOW, why);
			return;
		}
	/* a failure that names no stage: frames never came from the source,
	 * as far as anything can tell; say so rather than "nothing wrong" */
	ev_find(ev, LUMEN_STAGE_SENSOR, EV_CONF_GUESS,
		"a failure that names no stage (the source delivers nothing)");
}

const struct ev_family ev_family_app = {
	.name = "app",
	.state_size = sizeof(struct app_state),
	.line = app_line,
	.finish = app_finish,
};

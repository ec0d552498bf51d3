/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration of `lumen serve`: a YAML file in the spirit of
 * majestic.yaml, nested mappings of scalars, e.g.
 *
 *   rtsp:
 *     port: 554
 *   video0:
 *     bitrate_kbps: 4096
 *   isp:
 *     ae:
 *       antiflicker: 50
 *
 * One const table, lumen_config_keys[], describes every key ("video0.fps":
 * type, range or allowed words, where it lives in struct lumen_config,
 * whether a change applies live). Parsing, validation, the JSON of
 * GET /api/v1/config, /api/v1/set?key=value and persisting all walk that
 * table, so a key exists everywhere or nowhere. docs/serve.md lists it.
 *
 * None of these functions lock: the owner of a struct lumen_config
 * serialises access (in `lumen serve` the HTTP server holds its config
 * mutex around lumen_config_set/save, see serve/http.h).
 */
#ifndef LUMEN_SERVE_CONFIG_H
#define LUMEN_SERVE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "net/digest.h"

/* Enumerated keys are stored as the index of their word in the table. */
enum lumen_cfg_log_level { LUMEN_CFG_LOG_ERROR, LUMEN_CFG_LOG_WARN, LUMEN_CFG_LOG_INFO,
			   LUMEN_CFG_LOG_DEBUG };
enum lumen_cfg_backend { LUMEN_CFG_BACKEND_VIRTUAL, LUMEN_CFG_BACKEND_V4L2 };
enum lumen_cfg_codec { LUMEN_CFG_CODEC_H264 };
enum lumen_cfg_profile { LUMEN_CFG_PROFILE_BASELINE, LUMEN_CFG_PROFILE_MAIN,
			 LUMEN_CFG_PROFILE_HIGH };
enum lumen_cfg_rc { LUMEN_CFG_RC_CBR, LUMEN_CFG_RC_VBR };
enum lumen_cfg_demosaic {
	LUMEN_CFG_DEMOSAIC_FAST, LUMEN_CFG_DEMOSAIC_QUALITY, LUMEN_CFG_DEMOSAIC_RI
};
/* the methods of algo/awb.h, by lumen_awb_parse_method's names */
enum lumen_cfg_awb { LUMEN_CFG_AWB_AUTO, LUMEN_CFG_AWB_GREY_WORLD, LUMEN_CFG_AWB_WHITE_PATCH,
		     LUMEN_CFG_AWB_GREY_EDGE, LUMEN_CFG_AWB_GREY_PIXEL };
enum lumen_cfg_antiflicker { LUMEN_CFG_ANTIFLICKER_OFF, LUMEN_CFG_ANTIFLICKER_50,
			     LUMEN_CFG_ANTIFLICKER_60 };

#define LUMEN_CFG_STR 64	/* string keys: up to 63 bytes */

struct lumen_cfg_video {
	bool enabled;
	int codec;		/* enum lumen_cfg_codec */
	int width, height;	/* 0 = the sensor's size */
	int fps;
	int bitrate_kbps;
	int gop;		/* frames between IDRs */
	int profile;		/* enum lumen_cfg_profile */
	int rc;			/* enum lumen_cfg_rc */
};

#define LUMEN_CFG_PATH 256	/* file path keys: up to 255 bytes */

struct lumen_cfg_server {
	bool enabled;
	int port;
	char bind[LUMEN_CFG_STR];	/* IPv4 address to listen on, "" = all */
};

struct lumen_config {
	struct {
		int log_level;	/* enum lumen_cfg_log_level */
	} system;
	struct {
		char name[LUMEN_CFG_STR];
		int backend;	/* enum lumen_cfg_backend */
		/* virtual board faults to inject (1 << enum lumen_fault), from
		 * `lumen serve --fault` only: never read from or saved to a
		 * config file */
		uint32_t faults;
	} board;
	/* who may log in to both servers (HA1s only, never a password:
	 * `lumen passwd` writes them); user[0] == 0 = nobody, and then
	 * nothing that changes state is allowed */
	struct lumen_digest_creds auth;
	bool metrics_public;	/* auth.metrics_public: /metrics without login */
	struct lumen_cfg_server rtsp, http;
	struct {
		char cert[LUMEN_CFG_PATH];	/* PEM paths; both "" = plain HTTP */
		char key[LUMEN_CFG_PATH];
	} tls;			/* http.tls_cert, http.tls_key */
	struct lumen_cfg_video video0, video1;
	struct {
		bool enabled;
		int quality;
		int width, height;	/* 0 = the main channel's size */
	} jpeg;
	struct {
		int fps;
	} mjpeg;
	struct {
		int demosaic;	/* enum lumen_cfg_demosaic */
		int threads;	/* slice threads; 0 = one per online core */
		int awb;	/* enum lumen_cfg_awb */
		struct {
			bool enabled;
			int target;	/* log-average luma, % of full scale */
			int antiflicker;	/* enum lumen_cfg_antiflicker */
		} ae;
	} isp;
};

enum lumen_cfg_type { LUMEN_CFG_BOOL, LUMEN_CFG_INT, LUMEN_CFG_ENUM, LUMEN_CFG_STRING };

/* lumen_config_key.flags */
#define LUMEN_CFG_LIVE   (1u << 0)	/* a change applies without restart */
#define LUMEN_CFG_SECRET (1u << 1)	/* never shown by lumen_config_to_json */
#define LUMEN_CFG_GONE   (1u << 2)	/* a removed key: setting it fails with
					 * its help text; never written or shown */

/* One key of the schema. */
struct lumen_config_key {
	const char *path;		/* "video0.bitrate_kbps" */
	enum lumen_cfg_type type;
	int min, max;			/* INT: inclusive range */
	const char *const *words;	/* ENUM: NULL-terminated, index = value */
	size_t offset;			/* into struct lumen_config */
	size_t size;			/* STRING: buffer size */
	unsigned flags;			/* LUMEN_CFG_LIVE, LUMEN_CFG_SECRET */
	const char *help;		/* one line, for docs and the web page */
};

extern const struct lumen_config_key lumen_config_keys[];
extern const size_t lumen_config_nkeys;

/* The key named @path, or NULL. */
const struct lumen_config_key *lumen_config_find(const char *path);

/* The defaults: what `lumen serve` runs with no file (imou-bullet3 on the
 * virtual backend, RTSP 8554, HTTP 8080 on all addresses, no credentials:
 * viewing is open and nothing can be changed until `lumen passwd`). */
void lumen_config_defaults(struct lumen_config *cfg);

/*
 * Reads @path over the defaults into @cfg. Returns 0, or a negative errno
 * and a one-line message in @err: "path: No such file or directory"
 * (-ENOENT, so a caller can fall back to the defaults), "path:12: key
 * 'video0.bitratee': unknown key", "path:7: key 'video0.fps': 200 is out of
 * range 1..120", a YAML syntax error with its line, or a cross-key rule
 * (see lumen_config_validate). The file goes through the YAML reader and
 * its limits (src/core/yaml_doc.h); a file over 1 MiB is -EINVAL too.
 * @cfg is only written on success.
 */
int lumen_config_load(const char *path, struct lumen_config *cfg, char *err,
		      size_t errlen);

/* The same from memory: @text (@len bytes, no NUL needed) named @name in
 * messages ("name:line: ..."). */
int lumen_config_parse(const char *text, size_t len, const char *name,
		       struct lumen_config *cfg, char *err, size_t errlen);

/* The rules that span keys (even sizes, width and height both 0 or both
 * set, distinct ports, bind addresses that parse, auth.user with both
 * well-formed HA1s or none of the three, TLS cert and key both or neither).
 * 0 or -EINVAL with "key 'x': why" in @err. */
int lumen_config_validate(const struct lumen_config *cfg, char *err, size_t errlen);

/* lumen_config_set() results */
#define LUMEN_CONFIG_APPLIED_LIVE 0
#define LUMEN_CONFIG_NEEDS_RESTART 1

/*
 * Sets @key from its text form @value ("2048", "true", "vbr"), checking
 * type, range and the cross-key rules. Returns LUMEN_CONFIG_APPLIED_LIVE or
 * LUMEN_CONFIG_NEEDS_RESTART (the key's flag; whoever runs the pipeline
 * acts on it), or -EINVAL / -ENOENT (unknown key) with "key 'k': why" in
 * @err; on error @cfg is unchanged.
 */
int lumen_config_set(struct lumen_config *cfg, const char *key, const char *value,
		     char *err, size_t errlen);

/* The same for @n keys at once, all or none: the cross-key rules are
 * checked after the last one, so "video1.width=0&video1.height=0" works.
 * Returns NEEDS_RESTART when any key needs it. */
int lumen_config_set_many(struct lumen_config *cfg, const char *const *keys,
			  const char *const *values, size_t n, char *err, size_t errlen);

/* The text form of @key's value in @cfg (what lumen_config_set accepts),
 * into @out; returns -ENOENT for an unknown key, else 0. */
int lumen_config_get(const struct lumen_config *cfg, const char *key, char *out,
		     size_t outlen);

/*
 * Writes the whole of @cfg to @path: to "path.tmp" first, fsync'ed, then
 * renamed over @path, and the directory fsync'ed, so that a crash leaves
 * either the old or the new file, never a mix. Comments of an edited file
 * are not kept. Returns 0 or a negative errno with "path: why" in @err; on
 * error @path is untouched.
 */
int lumen_config_save(const char *path, const struct lumen_config *cfg, char *err,
		      size_t errlen);

/*
 * The JSON of @cfg, nested like the YAML ({"video0":{"fps":25,...},...}),
 * secrets shown as "set" when set and "" when not; written with
 * snprintf semantics: returns the length it needed (excluding the NUL),
 * writes at most @outlen bytes.
 */
size_t lumen_config_to_json(const struct lumen_config *cfg, char *out, size_t outlen);

#endif

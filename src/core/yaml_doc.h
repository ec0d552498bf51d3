/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one YAML reader of lumen: board, tuning, serve config, doctor
 * knowledge base and raw sidecar files all load through it.
 *
 * It builds a libyaml document from parser events under ONE set of limits,
 * so that a hostile file costs bounded time and memory before any loader
 * looks at it:
 *
 *   LUMEN_YAML_FILE_MAX    bytes in the file or buffer
 *   LUMEN_YAML_NODES_MAX   scalars + sequences + mappings
 *   LUMEN_YAML_DEPTH_MAX   nesting of sequences and mappings (block or flow)
 *   LUMEN_YAML_SCALAR_MAX  bytes in one scalar (key or value)
 *   LUMEN_YAML_ANCHORS_MAX anchors (&name)
 *
 * An alias (*name) may only stand for a single value (a scalar), as vendor
 * ISP configs use them ("r_gain: *r_gain"); it links the anchored node
 * again and counts as a node. An alias of a list or mapping is refused: it
 * is how a "billion laughs" file turns a few lines into a graph that a
 * walker expands exponentially (and libyaml's own loader looks anchors up
 * linearly, quadratic in their number). A NUL byte is refused (not a text file). Keys must be scalars, and a key
 * repeated in one mapping is refused when the file loads, whoever reads it.
 * Only the first document of a stream is read.
 *
 * Every message has the form "name:line: key 'a.b[2].c': why" (the key as
 * the dotted path from the root, where there is one), or "name:line: why".
 * Not thread-safe per struct lumen_yaml; separate ones are independent.
 */
#ifndef LUMEN_CORE_YAML_DOC_H
#define LUMEN_CORE_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#define LUMEN_YAML_FILE_MAX	(1u << 20)
#define LUMEN_YAML_NODES_MAX	65536
#define LUMEN_YAML_DEPTH_MAX	32
#define LUMEN_YAML_SCALAR_MAX	4096
#define LUMEN_YAML_ANCHORS_MAX	64

struct lumen_yaml {
	yaml_document_t doc;
	bool loaded;		/* doc holds a document to delete */
	const char *name;	/* file name in messages (not copied) */
	char *err;		/* the caller's message buffer */
	size_t errlen;
	/*
	 * Optional: put before the key in messages, e.g. "signals[2] (id
	 * 'x')" gives "name:line: signals[2] (id 'x'): key 'stage': why".
	 */
	const char *entry;
	int lines;		/* lines in the input: messages never name more */
};

/*
 * Reads @path (at most LUMEN_YAML_FILE_MAX bytes, a regular file) into @y.
 * Returns 0, or a negative errno with the message in @err: the errno of
 * open(), -EFBIG for a large or irregular file, -EINVAL for a syntax error
 * or a limit, -ENOMEM. On error nothing is left to free (lumen_yaml_free()
 * is still safe). @path must outlive @y; @err is kept for the getters.
 */
int lumen_yaml_load_file(struct lumen_yaml *y, const char *path, char *err,
			 size_t errlen);

/* The same for @len bytes at @buf, named @name; a UTF-8 byte-order mark is
 * allowed. @buf need not be NUL-terminated. */
int lumen_yaml_load_buffer(struct lumen_yaml *y, const char *name,
			   const char *buf, size_t len, char *err,
			   size_t errlen);

/* Releases the document; safe on a zeroed or failed @y, and twice. */
void lumen_yaml_free(struct lumen_yaml *y);

/* The root node; NULL for an empty document (only comments or blanks). */
yaml_node_t *lumen_yaml_root(struct lumen_yaml *y);

/* 1-based line of @n; 1 for NULL. */
int lumen_yaml_line(const yaml_node_t *n);

/*
 * Writes "name:line: [entry: ]key 'KEY': why" ("name:line: why" when @key
 * is NULL) with the line of @n and returns -EINVAL.
 */
int lumen_yaml_fail(struct lumen_yaml *y, const yaml_node_t *n,
		    const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The node with document id @id (pairs and items hold ids). */
yaml_node_t *lumen_yaml_node(struct lumen_yaml *y, int id);

/* The text of scalar @n (NUL-terminated, no NUL inside); NULL otherwise. */
const char *lumen_yaml_text(const yaml_node_t *n);

/* The value of @key in mapping @map; NULL when absent or @map is not a
 * mapping. Keys are unique (the loader refused repeats). */
yaml_node_t *lumen_yaml_get(struct lumen_yaml *y, yaml_node_t *map,
			    const char *key);

/*
 * Checks that @map is a mapping (else "expected a mapping", with @where as
 * the key) whose keys are all in @known (NULL-terminated); an unknown key
 * fails as "key 'WHERE.k': unknown key" (just 'k' when @where is NULL or
 * ""). Returns 0 or -EINVAL.
 */
int lumen_yaml_check_keys(struct lumen_yaml *y, yaml_node_t *map,
			  const char *where, const char *const *known);

/* Number of items of sequence @n; -1 when @n is not a sequence. */
int lumen_yaml_seq_len(const yaml_node_t *n);

/* Item @i of sequence @n (0 <= i < lumen_yaml_seq_len()). */
yaml_node_t *lumen_yaml_item(struct lumen_yaml *y, const yaml_node_t *n, int i);

/*
 * Typed getters of one node; @key names it in messages. Each returns 0 with
 * *@out set, or -EINVAL with a message and *@out unchanged.
 *
 * int:    decimal or 0x hex, optional '-', in [@lo, @hi]: "expected an
 *         integer, got 'x'" / "N is out of range LO..HI"
 * double: a finite strtod() number in [@lo, @hi]: "expected a number, got
 *         'x'" / "N is out of range LO..HI"
 * bool:   true/false/yes/no (any case; on/off too): "expected true or false"
 * string: a scalar shorter than @size: "expected a string" / "longer than
 *         N bytes"
 * word:   one of the NULL-terminated @words (any case), *@out its index:
 *         "'x' is not one of a, b, c"
 */
int lumen_yaml_int(struct lumen_yaml *y, const yaml_node_t *n, const char *key,
		   long long lo, long long hi, long long *out);
int lumen_yaml_double(struct lumen_yaml *y, const yaml_node_t *n,
		      const char *key, double lo, double hi, double *out);
int lumen_yaml_bool(struct lumen_yaml *y, const yaml_node_t *n, const char *key,
		    bool *out);
int lumen_yaml_string(struct lumen_yaml *y, const yaml_node_t *n,
		      const char *key, char *out, size_t size);
int lumen_yaml_word(struct lumen_yaml *y, const yaml_node_t *n, const char *key,
		    const char *const *words, int *out);

#endif

/* json: JSON with comments, parsed by cJSON, plus the line and column of every
 * value so that any later check can say exactly where the input is wrong:
 *
 *     scenarios/x.json:14:9: validators[1].stake: expected a number >= 0, got "lots"
 *
 * `//` and `/ * * /` comments are accepted (blanked out before cJSON sees the text,
 * so offsets stay true); duplicate keys are errors; documents nest at most
 * JSON_MAX_DEPTH deep. */
#ifndef SUBNETSIM_JSON_H
#define SUBNETSIM_JSON_H

#include "core/core.h"

#include <cjson/cJSON.h>

#define JSON_MAX_DEPTH 64

typedef struct jdoc jdoc;

/* Parse `len` bytes of `text`; `name` (a file path, "--set", "<stdin>") starts
 * every message. On error *out is NULL and e says "name:line:col: what". */
int jdoc_parse(const char *name, const char *text, size_t len, jdoc **out, err *e);
/* Read and parse a file of at most max_bytes. */
int jdoc_load(const char *path, size_t max_bytes, jdoc **out, err *e);
void jdoc_free(jdoc *d);

cJSON *jdoc_root(const jdoc *d);
const char *jdoc_name(const jdoc *d);
/* Where a node's value starts (1-based); for an object member, its_key gives
 * where the key starts. Nodes not from this text (added later) report 0:0. */
void jdoc_pos(const jdoc *d, const cJSON *node, int *line, int *col);
void jdoc_key_pos(const jdoc *d, const cJSON *node, int *line, int *col);
/* The document's text from where a node's value starts (comments blanked, so
 * a number's digits are as written: cJSON's valuedouble rounds them); "" for
 * nodes not from this text. Valid until jdoc_free. */
const char *jdoc_value_text(const jdoc *d, const cJSON *node);

/* Fill e with "name:line:col: path: message" for node (the key's position when
 * at_key). Returns ERR_INPUT. d or node may be NULL: then no position. */
int jdoc_errorf(const jdoc *d, const cJSON *node, bool at_key, const char *path, err *e,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Describe a value for messages: `"lots"`, `12.5`, `true`, `an object`, ... */
void json_describe(const cJSON *v, char *out, size_t n);

#endif

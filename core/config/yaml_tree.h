/*
 * core/config/yaml_tree.h - a small, bounded YAML document tree with positions.
 *
 * libyaml's event stream is turned into nodes that remember the line and
 * column they started at, so every later check can say FILE:LINE:COL. The
 * parser is built for untrusted input: the text is bounded, nesting depth
 * and node count are bounded, aliases are refused (no billion laughs),
 * duplicate mapping keys and non-scalar keys are refused.
 */
#ifndef WSP_CORE_YAML_TREE_H
#define WSP_CORE_YAML_TREE_H

#include "diag.h"

#define WSP__YAML_MAX_BYTES (1024 * 1024)
#define WSP__YAML_MAX_DEPTH 32
#define WSP__YAML_MAX_NODES 20000

enum wsp__ytype { WSP__Y_SCALAR = 1, WSP__Y_MAP = 2, WSP__Y_SEQ = 3 };

struct wsp__ynode {
	int type;              /* wsp__ytype */
	unsigned line, col;    /* 1-based start position */
	char *value;           /* scalar text (NUL-terminated), else NULL */
	int plain;             /* scalar was unquoted (so "~" means null) */
	struct wsp__ynode **items; /* SEQ: items; MAP: key, value, key, ... */
	size_t n;              /* number of entries in items */
};

/*
 * Parse one YAML document. An empty document gives *out = NULL. Problems
 * go to d (named by file) and the return is WSP_ECONFIG; WSP_ENOMEM when
 * memory ran out.
 */
WSP_INTERNAL int wsp__yaml_parse(struct wsp__ynode **out, const char *text,
				 size_t len, const char *file,
				 struct wsp__diags *d);

WSP_INTERNAL void wsp__yaml_free(struct wsp__ynode *node);

/* True for a scalar that YAML reads as null: unquoted "", "~", "null". */
WSP_INTERNAL int wsp__yaml_is_null(const struct wsp__ynode *node);

/* Name of a node's type for messages ("a mapping", "a list", ...). */
WSP_INTERNAL const char *wsp__yaml_type_name(const struct wsp__ynode *node);

#endif /* WSP_CORE_YAML_TREE_H */

/*
 * wsp/options.h - how a provider declares its options.
 *
 * A provider lists its options in a table of wsp_option_spec ended by an
 * entry whose name is NULL, and points the descriptor at it. The core
 * validates the YAML `options:` map against that table before the provider
 * sees anything (types, required keys, defaults, unknown keys with a
 * did-you-mean suggestion), resolves ${VAR} references and masks every
 * WSP_OPT_SECRET value in logs and `wsp config show`. The provider then reads
 * typed values through the host table (host->opt_string() and friends).
 */
#ifndef WSP_OPTIONS_H
#define WSP_OPTIONS_H

#include <wsp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Option value types. Stored as uint32_t in the ABI. */
typedef enum wsp_option_type {
	WSP_OPT_STRING = 1,   /* any scalar text */
	WSP_OPT_INT = 2,      /* signed 64-bit decimal */
	WSP_OPT_BOOL = 3,     /* true/false/yes/no/on/off */
	WSP_OPT_DURATION = 4, /* "250ms", "30s", "5m", "1h", "1d"; bare = s */
	WSP_OPT_SIZE = 5,     /* "512", "64KiB", "512MiB", "4GiB", "1GB" */
	WSP_OPT_LIST = 6,     /* YAML sequence of scalars (or one scalar) */
	WSP_OPT_MAP = 7,      /* YAML mapping of scalars to scalars */
	WSP_OPT_SECRET = 8    /* a string that is never shown */
} wsp_option_type;

/* wsp_option_spec.flags */
#define WSP_OPT_REQUIRED (1u << 0) /* must be given (default ignored) */

/*
 * One declared option. The table's element size is the first entry's
 * struct_size, so later ABI minors may append members.
 */
typedef struct wsp_option_spec {
	uint32_t struct_size;       /* sizeof(wsp_option_spec) */
	uint32_t type;              /* wsp_option_type */
	uint32_t flags;             /* WSP_OPT_* */
	uint32_t reserved;          /* zero */
	const char *name;           /* [a-z][a-z0-9_]*; NULL ends the table */
	const char *default_value;  /* text form, parsed like YAML input; NULL = none */
	const char *help;           /* one line, shown by `wsp plugins info` */
	const char *const *choices; /* allowed values for STRING, NULL-terminated; NULL = any */
} wsp_option_spec;

/* Table terminator. */
#define WSP_OPTION_END { sizeof(wsp_option_spec), 0, 0, 0, NULL, NULL, NULL, NULL }

/*
 * A provider instance's validated options. Opaque; owned by the core and
 * valid until the provider's fini() returns.
 */
typedef struct wsp_config wsp_config;

#ifdef __cplusplus
}
#endif
#endif /* WSP_OPTIONS_H */

/*
 * wsp/options.h - how a provider declares its options.
 *
 * A provider lists its options in a table of wsp_option_spec ended by an
 * entry whose name is NULL, and points the descriptor at it. The core
 * validates the YAML `options:` map against that table before the provider
 * sees anything (types, required keys, defaults, unknown keys with a
 * did-you-mean suggestion), resolves ${VAR} references and masks every
 * WSP_OPT_SECRET value in logs and `wsp config show`. The provider then reads
 * typed values through the host table (host->opt_string() and friends), or
 * has them all written into its own struct at once (host->opt_fill() and a
 * table of wsp_option_field, ABI 2.1).
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
 *
 * min_value and max_value (ABI 2.1) bound an INT, DURATION or SIZE option,
 * inclusive, in the option's own text form ("5MiB", "1s", "-1"); NULL is
 * unbounded. The core refuses a value outside them, and a default outside
 * them refuses the plugin, so a provider reads only values in range. A
 * table with bounds needs a 2.1 core (which WSP_PLUGIN_DEFINE requires
 * unless WSP_PLUGIN_MINOR_REQUIRED says otherwise; the loader refuses a
 * plugin that declares bounds yet requires 2.0, where they are not read).
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

	/* ABI 2.1 */
	const char *min_value; /* lowest allowed value; NULL = none */
	const char *max_value; /* highest allowed value; NULL = none */
} wsp_option_spec;

/* Table terminator. */
#define WSP_OPTION_END                                                         \
	{ sizeof(wsp_option_spec), 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL }

/*
 * Entries of a table, so that every provider spells one the same way and
 * none repeats the members it leaves empty:
 *
 *   static const char *const modes[] = { "fast", "safe", NULL };
 *   static const wsp_option_spec options[] = {
 *       WSP_OPTION_REQUIRED(WSP_OPT_STRING, "bucket", "bucket name"),
 *       WSP_OPTION(WSP_OPT_BOOL, "read_only", "false", "refuse changes"),
 *       WSP_OPTION_RANGE(WSP_OPT_SIZE, "chunk_size", "8MiB", "256KiB",
 *                        "1GiB", "upload chunk"),
 *       WSP_OPTION_CHOICE("mode", "safe", modes, "how careful to be"),
 *       WSP_OPTION_END,
 *   };
 *
 * The arguments are the members of the same names; the default, min and
 * max are text (NULL: none), the help comes last because it is the long
 * one. A table that uses WSP_OPTION_RANGE needs a 2.1 core, as above.
 * WSP_OPTION_SPEC spells out every member, for what the others do not
 * cover.
 */
#define WSP_OPTION_SPEC(type, flags, name, def, choices, min, max, help)       \
	{ sizeof(wsp_option_spec), (type), (flags), 0, (name), (def), (help), \
	  (choices), (min), (max) }
#define WSP_OPTION(type, name, def, help)                                      \
	WSP_OPTION_SPEC(type, 0, name, def, NULL, NULL, NULL, help)
#define WSP_OPTION_RANGE(type, name, def, min, max, help)                      \
	WSP_OPTION_SPEC(type, 0, name, def, NULL, min, max, help)
#define WSP_OPTION_REQUIRED(type, name, help)                                  \
	WSP_OPTION_SPEC(type, WSP_OPT_REQUIRED, name, NULL, NULL, NULL, NULL,  \
			help)
#define WSP_OPTION_CHOICE(name, def, choices, help)                            \
	WSP_OPTION_SPEC(WSP_OPT_STRING, 0, name, def, choices, NULL, NULL, help)

/*
 * Where host->opt_fill() (ABI 2.1) writes one option: the member at offset
 * of the provider's struct, of size bytes. Write entries with
 * WSP_OPTION_FIELD and end the table with WSP_OPTION_FIELD_END; the
 * table's element size is the first entry's struct_size, as above.
 *
 * The member's C type follows from the option's type and the size:
 *
 *   STRING, SECRET  const char *           (owned by the wsp_config)
 *   LIST, MAP       const char *const *    (as opt_list / opt_map give)
 *   BOOL            bool or int
 *   INT, DURATION   int64_t or int32_t     (a duration in milliseconds)
 *   SIZE            uint64_t or uint32_t   (bytes)
 *
 * A number the member cannot hold is refused (declare max_value so that
 * it never happens); an option that is not set and has no default leaves
 * its member as the provider initialised it.
 */
typedef struct wsp_option_field {
	uint32_t struct_size; /* sizeof(wsp_option_field) */
	uint32_t reserved;    /* zero */
	const char *name;     /* a declared option; NULL ends the table */
	size_t offset;        /* offsetof(the struct, the member) */
	size_t size;          /* sizeof the member */
} wsp_option_field;

/* { option name, member } of a struct type, e.g.
 * WSP_OPTION_FIELD(struct s3_opts, part_size, "part_size"). */
#define WSP_OPTION_FIELD(type, member, option)                                 \
	{ sizeof(wsp_option_field), 0, (option), offsetof(type, member),       \
	  sizeof(((type *)0)->member) }
#define WSP_OPTION_FIELD_END { sizeof(wsp_option_field), 0, NULL, 0, 0 }

/*
 * A provider instance's validated options. Opaque; owned by the core and
 * valid until the provider's fini() returns.
 */
typedef struct wsp_config wsp_config;

#ifdef __cplusplus
}
#endif
#endif /* WSP_OPTIONS_H */

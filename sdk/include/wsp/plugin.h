/*
 * wsp/plugin.h - the plugin ABI: what a provider .so exports.
 *
 * A provider is a shared object named wsp-<kind>-<name>.so that exports
 * exactly one symbol, wsp_plugin_entry(), returning a const descriptor. The
 * descriptor starts with a frozen header (magic, ABI major, ABI minor,
 * struct size) that no ABI major will ever move, so any core can read any
 * plugin well enough to refuse it with a clear message.
 *
 * Built against vs requires: abi_minor is the SDK minor the provider was
 * built against, abi_minor_required the lowest core minor it can run on.
 * The core loads a plugin when the majors match and its own minor is at
 * least abi_minor_required, whatever abi_minor says. It then copies
 * min(struct_size, sizeof) bytes of the descriptor and of each vtable into
 * zeroed copies: slots an older plugin predates read as NULL ("not
 * supported"), slots and members a newer plugin has past what the core
 * knows are never read.
 *
 * Most providers need only WSP_PLUGIN_DEFINE (bottom of this file).
 */
#ifndef WSP_PLUGIN_H
#define WSP_PLUGIN_H

#include <wsp/common.h>
#include <wsp/options.h>
#include <wsp/http.h>
#include <wsp/host.h>
#include <wsp/fs.h>
#include <wsp/sandbox.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WSP_PLUGIN_MAGIC UINT32_C(0x57535050) /* "WSPP" */
#define WSP_PLUGIN_ABI_MAJOR 2
#define WSP_PLUGIN_ABI_MINOR 1
#define WSP_PLUGIN_ENTRY_SYMBOL "wsp_plugin_entry"

/*
 * The lowest core minor this provider can run on: what WSP_PLUGIN_DEFINE
 * puts in abi_minor_required. It defaults to the SDK's own minor, which is
 * always safe. A provider that fills no slot newer than minor N may
 * #define WSP_PLUGIN_MINOR_REQUIRED N before including <wsp/plugin.h>, so
 * that cores from 2.N on load it. Such a provider must check
 * host->struct_size before calling a host member newer than 2.N (an older
 * core's table ends before it) and expect newer option members to be 0.
 */
#ifndef WSP_PLUGIN_MINOR_REQUIRED
#define WSP_PLUGIN_MINOR_REQUIRED WSP_PLUGIN_ABI_MINOR
#endif
#if WSP_PLUGIN_MINOR_REQUIRED > WSP_PLUGIN_ABI_MINOR
#error "WSP_PLUGIN_MINOR_REQUIRED is newer than this SDK's plugin ABI minor"
#endif

/* Provider kinds: the <kind> of wsp-<kind>-<name>.so. */
typedef enum wsp_plugin_kind {
	WSP_KIND_FS = 1,     /* "fs": implements wsp_fs_vtable */
	WSP_KIND_SANDBOX = 2 /* "sandbox": wsp_sandbox_vtable (+ procmgr) */
} wsp_plugin_kind;

/* Capability flags (wsp_plugin_desc.caps): what `wsp plugins` shows. */
#define WSP_CAP_FS_STREAMING (UINT64_C(1) << 0)  /* read/write stream */
#define WSP_CAP_FS_ATOMIC_WRITE (UINT64_C(1) << 1)
#define WSP_CAP_FS_CONDITIONAL (UINT64_C(1) << 2) /* expected mtime/version */
#define WSP_CAP_FS_SYMLINKS (UINT64_C(1) << 3)
#define WSP_CAP_FS_LOCAL_PATH (UINT64_C(1) << 4) /* host_path works */
#define WSP_CAP_FS_MOUNT_SOURCE (UINT64_C(1) << 5) /* mount_source works */
#define WSP_CAP_SANDBOX_ISOLATION (UINT64_C(1) << 16) /* OS-level isolation */
#define WSP_CAP_SANDBOX_NETWORK_CONTROL (UINT64_C(1) << 17)
#define WSP_CAP_SANDBOX_LIMITS (UINT64_C(1) << 18)    /* memory/cpu/... */
#define WSP_CAP_SANDBOX_RECONNECT (UINT64_C(1) << 19) /* by logical id */
#define WSP_CAP_SANDBOX_PAUSE (UINT64_C(1) << 20)   /* pause and resume */
#define WSP_CAP_SANDBOX_TIMEOUT (UINT64_C(1) << 21) /* set_timeout */
#define WSP_CAP_SANDBOX_PREVIEW (UINT64_C(1) << 22) /* preview */
#define WSP_CAP_SANDBOX_MOUNT (UINT64_C(1) << 23) /* mount, unmount */
#define WSP_CAP_PROC_BACKGROUND (UINT64_C(1) << 24)   /* procmgr present */
#define WSP_CAP_PROC_STDIN (UINT64_C(1) << 25)
#define WSP_CAP_PROC_CLOSE_STDIN (UINT64_C(1) << 26)
#define WSP_CAP_PROC_DETACHED (UINT64_C(1) << 27) /* outlive the caller */
/* read_output follows (WSP_OUTPUT_FOLLOW) by itself, without polling */
#define WSP_CAP_PROC_FOLLOW (UINT64_C(1) << 28)
/* output is kept by the service: a later wsp process reads it again */
#define WSP_CAP_PROC_OUTPUT_HISTORY (UINT64_C(1) << 29)

/*
 * What init() is told about the instance it creates. Owned by the core,
 * valid during init only (copy what you keep; options stays valid until
 * fini).
 */
typedef struct wsp_instance_args {
	uint32_t struct_size;
	uint32_t reserved;
	const char *instance_id;  /* sandbox `id:`, or the mount path ("/data") */
	const wsp_config *options; /* validated options of this instance */
	const char *config_dir;    /* directory of the config file, or cwd */
	const char *state_dir;     /* $XDG_STATE_HOME/wsp, created on demand */
	/*
	 * This instance's state store (<wsp/state.h>), for host->state_*;
	 * NULL when the core has no state directory. Valid until fini.
	 * Test with WSP_HAS_MEMBER(wsp_instance_args, args, state).
	 */
	const wsp_state *state;
} wsp_instance_args;

/*
 * An extension operation: a plain C function the core calls through libffi
 * (`wsp ext PROVIDER OP ARGS...`, or as a tool).
 *
 * signature: argument letters after the instance, in order:
 *   i  int64_t        d  double        b  int (0 or 1)   s  const char *
 * optionally preceded by "r:" when the function returns a string result.
 * The C function's shape is then:
 *   int fn([char **result,] void *self, <args...>, wsp_error *err)
 * returning 0 or a negative wsp_errcode; *result, when set, is allocated
 * with host->alloc and freed by the core. Example: "r:si" is
 *   int fn(char **result, void *self, const char *a, int64_t b, wsp_error *);
 */
typedef void (*wsp_ext_fn)(void);

typedef struct wsp_ext_op {
	uint32_t struct_size; /* element size of the table */
	uint32_t reserved;
	const char *name;      /* [a-z][a-z0-9_-]*; NULL ends the table */
	const char *signature; /* see above */
	wsp_ext_fn fn;         /* cast from the real function type */
	const char *help;      /* one line, with the argument names */
} wsp_ext_op;

#define WSP_EXT_END { sizeof(wsp_ext_op), 0, NULL, NULL, NULL, NULL }

typedef struct wsp_plugin_desc {
	/* Frozen header: identical in every ABI major, forever. */
	uint32_t magic;       /* WSP_PLUGIN_MAGIC */
	uint16_t abi_major;   /* WSP_PLUGIN_ABI_MAJOR at build time */
	uint16_t abi_minor;   /* WSP_PLUGIN_ABI_MINOR: built against */
	uint32_t struct_size; /* sizeof(wsp_plugin_desc) at build time */

	/* ABI 2.0 (in 1.0, kind came right after the header) */
	uint16_t abi_minor_required; /* WSP_PLUGIN_MINOR_REQUIRED: the
					lowest core minor it runs on */
	uint16_t reserved;           /* 0 */
	uint32_t kind;           /* wsp_plugin_kind */
	const char *name;        /* "local": what `provider:` names */
	const char *version;     /* the provider's own version */
	const char *description; /* one line */
	uint64_t caps;           /* WSP_CAP_* */
	const wsp_option_spec *options; /* ended by a NULL name; may be NULL */

	/* Create an instance (`*out_self`); called once per configured use. */
	int (*init)(void **out_self, const wsp_host *host,
		    const wsp_instance_args *args, wsp_error *err);
	void (*fini)(void *self); /* NULL-safe */

	/* Interfaces; those the kind requires must be set. */
	const wsp_fs_vtable *fs;
	const wsp_sandbox_vtable *sandbox;
	const wsp_procmgr_vtable *procmgr; /* sandbox kind only, optional */

	const wsp_ext_op *ext_ops; /* ended by a NULL name; may be NULL */

	/*
	 * Sandbox kind, optional: the sandbox's own files as a filesystem,
	 * called with the sandbox's self (the same instance), so
	 * `mounts: { /: { provider: sandbox } }` puts the file API and the
	 * agent's file tools on the sandbox's disk. Paths are relative to
	 * the sandbox's working directory. NULL: none (the core says so).
	 * WSP_PLUGIN_DEFINE leaves it NULL; set it with
	 * WSP_PLUGIN_DEFINE_SANDBOX_FS.
	 */
	const wsp_fs_vtable *sandbox_fs;

	/* ABI 2.1+: append here, never above */
} wsp_plugin_desc;

/*
 * The entry symbol. The core passes its own ABI version, so a provider may
 * hand an older core an older descriptor.
 */
typedef const wsp_plugin_desc *(*wsp_plugin_entry_fn)(uint32_t host_major,
						       uint32_t host_minor);

/*
 * Define the descriptor and the entry symbol. Use it once per provider:
 *
 *   WSP_PLUGIN_DEFINE(WSP_KIND_FS, "local", "0.1.0", "files on the host",
 *                     WSP_CAP_FS_STREAMING, my_options, my_init, my_fini,
 *                     &my_fs_vtable, NULL, NULL, NULL)
 */
#define WSP_PLUGIN_DEFINE(kind_, name_, version_, descr_, caps_, options_, \
			  init_, fini_, fs_, sandbox_, procmgr_, ext_)    \
	WSP_PLUGIN_DEFINE_SANDBOX_FS(kind_, name_, version_, descr_, caps_, \
				     options_, init_, fini_, fs_, sandbox_, \
				     procmgr_, ext_, NULL)

/* The same, for a sandbox that also offers its files (sandbox_fs_). */
#define WSP_PLUGIN_DEFINE_SANDBOX_FS(kind_, name_, version_, descr_, caps_, \
				     options_, init_, fini_, fs_, sandbox_, \
				     procmgr_, ext_, sandbox_fs_)          \
	static const wsp_plugin_desc wsp__plugin_desc = {                 \
		.magic = WSP_PLUGIN_MAGIC,                                \
		.abi_major = WSP_PLUGIN_ABI_MAJOR,                        \
		.abi_minor = WSP_PLUGIN_ABI_MINOR,                        \
		.struct_size = sizeof(wsp_plugin_desc),                   \
		.abi_minor_required = WSP_PLUGIN_MINOR_REQUIRED,          \
		.kind = (kind_),                                          \
		.name = (name_),                                          \
		.version = (version_),                                    \
		.description = (descr_),                                  \
		.caps = (caps_),                                          \
		.options = (options_),                                    \
		.init = (init_),                                          \
		.fini = (fini_),                                          \
		.fs = (fs_),                                              \
		.sandbox = (sandbox_),                                    \
		.procmgr = (procmgr_),                                    \
		.ext_ops = (ext_),                                        \
		.sandbox_fs = (sandbox_fs_),                              \
	};                                                                \
	WSP_EXPORT const wsp_plugin_desc *wsp_plugin_entry(               \
		uint32_t host_major, uint32_t host_minor);                \
	const wsp_plugin_desc *wsp_plugin_entry(uint32_t host_major,      \
						uint32_t host_minor)      \
	{                                                                 \
		(void)host_major;                                         \
		(void)host_minor;                                         \
		return &wsp__plugin_desc;                                 \
	}

#ifdef __cplusplus
}
#endif
#endif /* WSP_PLUGIN_H */

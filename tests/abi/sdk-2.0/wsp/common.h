/*
 * wsp/common.h - what every wsp header shares: export macros, error codes,
 * the caller-owned error record, cancel tokens, and the struct-size helper.
 *
 * Rules that hold across the whole ABI (plugin and embedding):
 *  - functions return 0 (WSP_OK) or a negative wsp_errcode;
 *  - the caller owns the wsp_error passed last (it may be NULL) and it is
 *    written only on failure;
 *  - every struct that may grow carries a uint32_t struct_size set by whoever
 *    fills it in, and members are only ever appended.
 */
#ifndef WSP_COMMON_H
#define WSP_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* WSP_EXTERN marks the core library's public functions. */
#if defined(WSP_BUILDING_CORE)
#define WSP_EXTERN __attribute__((visibility("default")))
#else
#define WSP_EXTERN
#endif

/* WSP_EXPORT marks the one symbol a provider exports (its entry point). */
#define WSP_EXPORT __attribute__((visibility("default")))

#define WSP_PRINTF(fmt_idx, args_idx) \
	__attribute__((format(printf, fmt_idx, args_idx)))

/*
 * Error codes. Values are ABI: explicit, appended only, never renumbered or
 * reused. A caller treats an unknown negative value as WSP_ERROR.
 */
typedef enum wsp_errcode {
	WSP_OK = 0,
	WSP_ERROR = -1,       /* generic failure, see wsp_error.message */
	WSP_ENOMEM = -2,      /* out of memory */
	WSP_EINVAL = -3,      /* invalid argument */
	WSP_ENOTFOUND = -4,   /* no such file, process, sandbox or plugin */
	WSP_EEXIST = -5,      /* already exists */
	WSP_EISDIR = -6,      /* is a directory */
	WSP_ENOTDIR = -7,     /* not a directory */
	WSP_ENOTEMPTY = -8,   /* directory not empty */
	WSP_EPERM = -9,       /* permission denied (also: path escapes root) */
	WSP_EROFS = -10,      /* read-only filesystem or mount */
	WSP_ESTALE = -11,     /* precondition failed: changed since read */
	WSP_ETIMEDOUT = -12,  /* deadline passed */
	WSP_ECANCELED = -13,  /* canceled through a wsp_cancel token */
	WSP_ENOTSUP = -14,    /* optional operation not provided */
	WSP_EAUTH = -15,      /* authentication or authorisation failed */
	WSP_ERATELIMIT = -16, /* the service asked us to slow down */
	WSP_EUNAVAIL = -17,   /* service unavailable or unreachable */
	WSP_EPROTO = -18,     /* the peer broke the protocol */
	WSP_EIO = -19,        /* I/O error */
	WSP_EABI = -20,       /* plugin built for an incompatible ABI */
	WSP_ENOTPLUGIN = -21, /* shared object is not a wsp plugin */
	WSP_ECONFIG = -22,    /* configuration is invalid */
	WSP_EBUSY = -23,      /* resource busy (e.g. another writer) */
	WSP_ETOOBIG = -24,    /* input exceeds a bound */
	WSP_ELOST = -25       /* process or sandbox vanished (monitor gone) */
} wsp_errcode;

#define WSP_ERROR_MSG_MAX 256
#define WSP_ERROR_CODE_MAX 64

/* wsp_error.flags */
#define WSP_ERROR_RETRYABLE (1u << 0) /* the same call may succeed later */
#define WSP_ERROR_HAS_RETRY_AFTER (1u << 1) /* retry_after_ms is the wait */

/*
 * Caller-owned and fixed size: callers keep it on the stack, so it has no
 * struct_size and its size is ABI (344 bytes, locked by a static assertion
 * in tests/abi). Messages follow Git's style: lower case, no final period,
 * subject in single quotes. Secrets never appear in a message.
 *
 * A remote service's failure keeps its detail: the HTTP status, the
 * service's own code ("NoSuchKey", "sandbox.not_found") and whether trying
 * again may help. The core's HTTP service fills these on every failed
 * response; wsp_error_set() and friends clear them.
 */
typedef struct wsp_error {
	int code;                 /* wsp_errcode */
	int os_errno;             /* errno behind it, 0 if none */
	int32_t http_status;      /* the service's HTTP status, 0 if none */
	uint32_t flags;           /* WSP_ERROR_* */
	int64_t retry_after_ms;   /* with WSP_ERROR_HAS_RETRY_AFTER */
	char service_code[WSP_ERROR_CODE_MAX]; /* "" if none; printable */
	char message[WSP_ERROR_MSG_MAX]; /* NUL-terminated, may be cut */
} wsp_error;

/* Fill err (when not NULL) and return code, so a failure is one line. */
static inline int wsp_error_setv(wsp_error *err, int code, const char *fmt,
				 va_list ap) WSP_PRINTF(3, 0);
static inline int wsp_error_setv(wsp_error *err, int code, const char *fmt,
				 va_list ap)
{
	if (err) {
		err->code = code;
		err->os_errno = 0;
		err->http_status = 0;
		err->flags = 0;
		err->retry_after_ms = 0;
		err->service_code[0] = '\0';
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
	}
	return code;
}

static inline int wsp_error_set(wsp_error *err, int code, const char *fmt,
				...) WSP_PRINTF(3, 4);
static inline int wsp_error_set(wsp_error *err, int code, const char *fmt,
				...)
{
	va_list ap;

	va_start(ap, fmt);
	wsp_error_setv(err, code, fmt, ap);
	va_end(ap);
	return code;
}

/* Same, recording the errno behind the failure. */
static inline int wsp_error_set_os(wsp_error *err, int code, int os_errno,
				   const char *fmt, ...) WSP_PRINTF(4, 5);
static inline int wsp_error_set_os(wsp_error *err, int code, int os_errno,
				   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	wsp_error_setv(err, code, fmt, ap);
	va_end(ap);
	if (err)
		err->os_errno = os_errno;
	return code;
}

/*
 * True when a struct filled in by someone else (with its own struct_size)
 * is large enough to hold member. Read newer members only behind this.
 */
#define WSP_HAS_MEMBER(type, p, member)             \
	((p)->struct_size >= offsetof(type, member) + \
				     sizeof(((type *)0)->member))

/*
 * A cancel token, owned by the core (wsp_cancel_new() in <wsp/wsp.h>).
 * Providers test it through the host table: host->cancel_requested() for a
 * quick check, host->cancel_fd() for a descriptor that becomes readable
 * once the call is canceled, to put in a poll() set. NULL means "never".
 */
typedef struct wsp_cancel wsp_cancel;

/*
 * The call context every slot that can take time receives, right after
 * `self`: how to know the caller gave up. Made by the core, always full
 * size and never NULL (a call without cancel or deadline gets a zeroed
 * one). Providers ask the host whether it expired
 * (host->call_expired), how long is left (host->call_remaining_ms) or for
 * a descriptor to poll (host->call_fd); they never compute time
 * themselves.
 */
typedef struct wsp_call {
	uint32_t struct_size;     /* sizeof(wsp_call) in the core */
	uint32_t flags;           /* reserved, zero */
	const wsp_cancel *cancel; /* NULL = never canceled */
	int64_t deadline_ms;      /* CLOCK_MONOTONIC ms; 0 = no deadline */
} wsp_call;

/*
 * Byte sink: receives data in order. Return 0 to go on, or a negative
 * wsp_errcode to stop the producer, which then returns that code.
 */
typedef int (*wsp_sink_fn)(const void *data, size_t len, void *payload);

/*
 * Byte source: fill buf with up to cap bytes and set *out_n; *out_n == 0
 * means end of data. Return 0, or a negative wsp_errcode to abort.
 */
typedef int (*wsp_source_fn)(void *buf, size_t cap, size_t *out_n,
			     void *payload);

/* One key/value pair of descriptive output (info, metadata). */
typedef int (*wsp_kv_fn)(const char *key, const char *value, void *payload);

#ifdef __cplusplus
}
#endif
#endif /* WSP_COMMON_H */

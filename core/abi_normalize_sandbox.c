/*
 * core/abi_normalize_sandbox.c - the boundary rule (abi_normalize.h) for
 * the sandbox's and the process manager's structs: what a caller hands in
 * becomes the full-size struct with defaults that <wsp/sandbox.h> promises
 * providers, or is refused here, once, for every entry point.
 */
#include "abi_normalize.h"

#include <stddef.h>

#define END_OF(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/*
 * The smallest structs a caller may hand in: far enough to hold what has
 * no default (the command), or, for results, every member the caller
 * must see (an exec result's capture buffers, which it frees).
 */
#define EXEC_OPTS_MIN END_OF(wsp_exec_opts, argv)
#define SPAWN_OPTS_MIN END_OF(wsp_spawn_opts, argv)
#define OUTPUT_OPTS_MIN END_OF(wsp_output_opts, struct_size)
#define EXEC_RESULT_MIN END_OF(wsp_exec_result, stderr_dropped)
#define PROC_STATUS_MIN END_OF(wsp_proc_status, term_signal)
/* A preview came with 2.0 whole: its header must reach the caller. */
#define PREVIEW_MIN END_OF(wsp_preview, header_value)

#define EXEC_FLAGS (WSP_EXEC_NO_CAPTURE | WSP_EXEC_NO_TIMEOUT)
#define SPAWN_FLAGS (WSP_SPAWN_NO_TIMEOUT)
#define OUTPUT_FLAGS (WSP_OUTPUT_FOLLOW | WSP_OUTPUT_STREAM_OFFSETS)

/* What exec and spawn options both must have: known flags, a command. */
static int command_ok(const char *what, uint32_t flags, uint32_t known,
		      const char *shell, const char *const *argv,
		      wsp_error *err)
{
	if (flags & ~known)
		return wsp_error_set(err, WSP_EINVAL, "unknown %s flags %#x",
				     what, flags & ~known);
	if (!shell && !(argv && argv[0]))
		return wsp_error_set(err, WSP_EINVAL,
				     "no command given; set a shell string "
				     "or argv");
	return 0;
}

/* A timeout of ms, 0 or the flag none (named none_name) alone. */
static int timeout_ok(int64_t *ms, uint32_t flags, uint32_t none,
		      const char *none_name, wsp_error *err)
{
	if (*ms < 0)
		return wsp_error_set(err, WSP_EINVAL,
				     "timeout %lld ms is negative; give ms, 0 "
				     "for the configured timeout, or the flag "
				     "%s",
				     (long long)*ms, none_name);
	/* "None" is the flag alone: no stale number rides along with it. */
	if (flags & none)
		*ms = 0;
	return 0;
}

int wsp__exec_opts_normalize(wsp_exec_opts *dst, const wsp_exec_opts *src,
			     wsp_error *err)
{
	int rc;

	if (!src || src->struct_size < EXEC_OPTS_MIN)
		return wsp_error_set(err, WSP_EINVAL,
				     "set struct_size of the exec options "
				     "(use WSP_EXEC_OPTS_INIT)");
	wsp__sized_copy(dst, sizeof(*dst), src);
	rc = command_ok("exec", dst->flags, EXEC_FLAGS, dst->shell, dst->argv,
			err);
	if (rc)
		return rc;
	if (dst->stdin_len && !dst->stdin_data)
		return wsp_error_set(err, WSP_EINVAL,
				     "stdin_len without stdin_data");
	return timeout_ok(&dst->timeout_ms, dst->flags, WSP_EXEC_NO_TIMEOUT,
			  "WSP_EXEC_NO_TIMEOUT", err);
}

int wsp__spawn_opts_normalize(wsp_spawn_opts *dst, const wsp_spawn_opts *src,
			      wsp_error *err)
{
	int rc;

	if (!src || src->struct_size < SPAWN_OPTS_MIN)
		return wsp_error_set(err, WSP_EINVAL,
				     "set struct_size of the spawn options "
				     "(use WSP_SPAWN_OPTS_INIT)");
	wsp__sized_copy(dst, sizeof(*dst), src);
	rc = command_ok("spawn", dst->flags, SPAWN_FLAGS, dst->shell,
			dst->argv, err);
	if (rc)
		return rc;
	if (dst->stdin_mode != WSP_STDIN_PIPE &&
	    dst->stdin_mode != WSP_STDIN_IGNORE)
		return wsp_error_set(err, WSP_EINVAL, "unknown stdin mode %u",
				     dst->stdin_mode);
	rc = timeout_ok(&dst->timeout_ms, dst->flags, WSP_SPAWN_NO_TIMEOUT,
			"WSP_SPAWN_NO_TIMEOUT", err);
	if (rc)
		return rc;
	dst->reserved = 0;
	return 0;
}

int wsp__output_opts_normalize(wsp_output_opts *dst,
			       const wsp_output_opts *src, wsp_error *err)
{
	const uint32_t both = WSP_STDOUT | WSP_STDERR;

	if (src && src->struct_size < OUTPUT_OPTS_MIN)
		return wsp_error_set(err, WSP_EINVAL,
				     "set struct_size of the output options "
				     "(use WSP_OUTPUT_OPTS_INIT)");
	wsp__sized_copy(dst, sizeof(*dst), src);
	if (dst->streams & ~both)
		return wsp_error_set(err, WSP_EINVAL,
				     "unknown output streams %#x",
				     dst->streams & ~both);
	if (!dst->streams)
		dst->streams = both;
	if (dst->wait_ms < -1)
		return wsp_error_set(err, WSP_EINVAL,
				     "wait of %lld ms: give ms, 0 for none or "
				     "-1 for no limit",
				     (long long)dst->wait_ms);
	if (dst->flags & ~(uint32_t)OUTPUT_FLAGS)
		return wsp_error_set(err, WSP_EINVAL,
				     "unknown output flags %#x",
				     dst->flags & ~(uint32_t)OUTPUT_FLAGS);
	if ((dst->flags & WSP_OUTPUT_FOLLOW) && dst->wait_ms)
		return wsp_error_set(err, WSP_EINVAL,
				     "a follow waits for the exit by itself: "
				     "give wait_ms 0 with WSP_OUTPUT_FOLLOW");
	/* Providers read stderr from stderr_offset, always. */
	if (!(dst->flags & WSP_OUTPUT_STREAM_OFFSETS))
		dst->stderr_offset = dst->offset;
	return 0;
}

/* Zero the caller's result as far as it reaches, keeping its size. */
static void clear_caller(void *caller, size_t ours)
{
	uint32_t size;

	memcpy(&size, caller, sizeof(size));
	memset(caller, 0, size < ours ? size : ours);
	memcpy(caller, &size, sizeof(size));
}

/* Copy the full-size result back as far as the caller's reaches. */
static void copy_back(void *caller, const void *full, size_t ours)
{
	uint32_t size;

	memcpy(&size, caller, sizeof(size));
	memcpy(caller, full, size < ours ? size : ours);
	memcpy(caller, &size, sizeof(size));
}

int wsp__exec_result_begin(wsp_exec_result *dst, wsp_exec_result *caller,
			   wsp_error *err)
{
	if (!caller || caller->struct_size < EXEC_RESULT_MIN)
		return wsp_error_set(err, WSP_EINVAL,
				     "set struct_size of the exec result");
	clear_caller(caller, sizeof(*dst));
	wsp__sized_copy(dst, sizeof(*dst), NULL);
	return 0;
}

void wsp__exec_result_end(wsp_exec_result *caller, const wsp_exec_result *dst)
{
	copy_back(caller, dst, sizeof(*dst));
}

int wsp__proc_status_begin(wsp_proc_status *dst, wsp_proc_status *caller,
			   wsp_error *err)
{
	if (!caller || caller->struct_size < PROC_STATUS_MIN)
		return wsp_error_set(err, WSP_EINVAL,
				     "set struct_size of the process status");
	wsp__sized_copy(dst, sizeof(*dst), NULL);
	return 0;
}

void wsp__proc_status_end(wsp_proc_status *caller, const wsp_proc_status *dst)
{
	copy_back(caller, dst, sizeof(*dst));
}

int wsp__preview_begin(wsp_preview *dst, wsp_preview *caller, wsp_error *err)
{
	if (!caller || caller->struct_size < PREVIEW_MIN)
		return wsp_error_set(err, WSP_EINVAL,
				     "set struct_size of the preview result "
				     "(sizeof(wsp_preview))");
	clear_caller(caller, sizeof(*dst));
	wsp__sized_copy(dst, sizeof(*dst), NULL);
	return 0;
}

void wsp__preview_end(wsp_preview *caller, wsp_preview *dst)
{
	/* Whatever the provider wrote, each string ends inside its array. */
	dst->url[sizeof(dst->url) - 1] = '\0';
	dst->header_name[sizeof(dst->header_name) - 1] = '\0';
	dst->header_value[sizeof(dst->header_value) - 1] = '\0';
	copy_back(caller, dst, sizeof(*dst));
	/* The core's copy of the header value is a secret: not left behind. */
	memset(dst->header_value, 0, sizeof(dst->header_value));
}

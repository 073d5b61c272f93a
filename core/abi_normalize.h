/*
 * core/abi_normalize.h - the boundary rule of ABI 2.0: a provider only
 * ever sees a full-size struct with the core's defaults filled in.
 *
 * Callers (embedders, the CLI, tools) may hand the core a struct from an
 * older or newer header. Every public entry point copies it with
 * wsp__sized_copy() into a zeroed struct of this core's size, then applies
 * the defaults of that struct (one normaliser per struct, next to this
 * header: abi_normalize_*.c), and passes only the copy on. Zero means
 * "default" in every options struct, so `{ .struct_size = sizeof x }` is a
 * complete initialiser.
 */
#ifndef WSP_CORE_ABI_NORMALIZE_H
#define WSP_CORE_ABI_NORMALIZE_H

#include <stdint.h>
#include <string.h>

/*
 * Copy a caller's struct (its first member is uint32_t struct_size) into
 * dst, a zeroed struct of dst_size bytes: min(struct_size, dst_size)
 * bytes are taken, members the caller's struct predates stay zero, bytes
 * past ours (a newer caller) are ignored. dst->struct_size becomes
 * dst_size. src may be NULL (all defaults). Returns the caller's size, so
 * the caller can refuse one too small to hold the members that have no
 * default.
 */
static inline uint32_t wsp__sized_copy(void *dst, size_t dst_size,
				       const void *src)
{
	uint32_t theirs = 0, ours = (uint32_t)dst_size;

	memset(dst, 0, dst_size);
	if (src) {
		memcpy(&theirs, src, sizeof(theirs));
		memcpy(dst, src, theirs < ours ? theirs : ours);
	}
	memcpy(dst, &ours, sizeof(ours));
	return theirs;
}

/* ---- filesystem (abi_normalize_fs.c) -------------------------------- */

#include <wsp/fs.h>

/*
 * Each fills a full-size struct of this core from the caller's (NULL: all
 * defaults) and applies the defaults a provider sees (<wsp/fs.h>).
 */

/* length 0 becomes UINT64_MAX ("to the end"). */
void wsp__fs_read_opts_normalize(wsp_fs_read_opts *out,
				 const wsp_fs_read_opts *in);
/* size_hint is zeroed unless WSP_FS_WRITE_SIZE_KNOWN is set. */
void wsp__fs_write_opts_normalize(wsp_fs_write_opts *out,
				  const wsp_fs_write_opts *in);
/* max_depth is zeroed without WSP_FS_RECURSIVE (it means nothing then). */
void wsp__fs_list_opts_normalize(wsp_fs_list_opts *out,
				 const wsp_fs_list_opts *in);

/*
 * Stat results go the other way: a provider fills a zeroed full-size
 * struct (wsp__fs_stat_prepare), and the core copies back what the
 * caller's struct holds (min(its struct_size, ours) bytes, struct_size
 * then naming that many). A caller's struct_size below the first member
 * after struct_size gets nothing written.
 */
void wsp__fs_stat_prepare(wsp_fs_stat *ours);
void wsp__fs_stat_return(wsp_fs_stat *theirs, const wsp_fs_stat *ours);

/* ---- sandbox and process manager (abi_normalize_sandbox.c) ------------ */

#include <wsp/sandbox.h>

/*
 * The options of exec, spawn and read_output: dst becomes the full-size
 * copy a provider sees (what <wsp/sandbox.h> says of each struct), or the
 * call fails with WSP_EINVAL (err set) for a struct_size too small to hold
 * the command, unknown flags or an out-of-range value. src NULL is
 * refused for exec and spawn (they need a command) and means "all
 * defaults" for output options.
 */
int wsp__exec_opts_normalize(wsp_exec_opts *dst, const wsp_exec_opts *src,
			     wsp_error *err);
int wsp__spawn_opts_normalize(wsp_spawn_opts *dst, const wsp_spawn_opts *src,
			      wsp_error *err);
int wsp__output_opts_normalize(wsp_output_opts *dst,
			       const wsp_output_opts *src, wsp_error *err);

/*
 * Result structs the caller hands in: *_begin checks the caller's
 * struct_size (an exec result must reach stderr_dropped so no capture
 * buffer is lost; a process status must reach term_signal) and zeroes
 * dst, the full-size one the provider fills, and the caller's exec result
 * (so a failed exec leaves nothing to free; a refused wait leaves the
 * caller's last status as it was); *_end copies dst back, only as far as
 * the caller's struct reaches, keeping the caller's struct_size.
 */
int wsp__exec_result_begin(wsp_exec_result *dst, wsp_exec_result *caller,
			   wsp_error *err);
void wsp__exec_result_end(wsp_exec_result *caller,
			  const wsp_exec_result *dst);
int wsp__proc_status_begin(wsp_proc_status *dst, wsp_proc_status *caller,
			   wsp_error *err);
void wsp__proc_status_end(wsp_proc_status *caller,
			  const wsp_proc_status *dst);
/*
 * A preview (2.0 whole: the caller's must reach header_value); _end ends
 * every string inside its array, copies back and wipes dst's secret.
 */
int wsp__preview_begin(wsp_preview *dst, wsp_preview *caller,
		       wsp_error *err);
void wsp__preview_end(wsp_preview *caller, wsp_preview *dst);

#endif /* WSP_CORE_ABI_NORMALIZE_H */

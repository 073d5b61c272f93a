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

#endif /* WSP_CORE_ABI_NORMALIZE_H */

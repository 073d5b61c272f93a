/*
 * core/abi_normalize_fs.c - the boundary rule for the filesystem structs:
 * what a caller hands the core becomes what a provider sees (<wsp/fs.h>
 * says which defaults those are), and a provider's stat goes back into a
 * caller's struct of whatever size it has.
 */
#include "abi_normalize.h"
#include "internal.h"

void wsp__fs_read_opts_normalize(wsp_fs_read_opts *out,
				 const wsp_fs_read_opts *in)
{
	wsp__sized_copy(out, sizeof(*out), in);
	if (!out->length)
		out->length = UINT64_MAX;
}

void wsp__fs_write_opts_normalize(wsp_fs_write_opts *out,
				  const wsp_fs_write_opts *in)
{
	wsp__sized_copy(out, sizeof(*out), in);
	if (!(out->flags & WSP_FS_WRITE_SIZE_KNOWN))
		out->size_hint = 0;
}

void wsp__fs_list_opts_normalize(wsp_fs_list_opts *out,
				 const wsp_fs_list_opts *in)
{
	wsp__sized_copy(out, sizeof(*out), in);
	if (!(out->flags & WSP_FS_RECURSIVE))
		out->max_depth = 0;
}

void wsp__fs_stat_prepare(wsp_fs_stat *ours)
{
	memset(ours, 0, sizeof(*ours));
	ours->struct_size = sizeof(*ours);
}

void wsp__fs_stat_return(wsp_fs_stat *theirs, const wsp_fs_stat *ours)
{
	uint32_t n = theirs->struct_size;

	if (n > sizeof(*ours))
		n = sizeof(
			*ours); /* a newer caller: its tail stays as it was */
	if (n <= sizeof(uint32_t))
		return;
	memcpy((char *)theirs + sizeof(uint32_t),
	       (const char *)ours + sizeof(uint32_t), n - sizeof(uint32_t));
	theirs->struct_size = n;
}

/*
 * core/files/mount_source.h - mount sources inside the core (mount_source.c):
 * got from a mount's provider, checked, handed on, wiped.
 */
#ifndef WSP_CORE_MOUNT_SOURCE_H
#define WSP_CORE_MOUNT_SOURCE_H

#include "internal.h"

#include <wsp/mount.h>

/*
 * The store under path (a workspace path) from its mount's provider, in a
 * full-size heap struct checked by wsp__mount_source_check, with
 * WSP_MOUNT_READ_ONLY set when the mount is read_only. c is a full-size
 * call. Free with wsp__mount_source_free.
 */
WSP_INTERNAL int wsp__mount_source_get(wsp_mount_source **out,
				       wsp_workspace *ws, const wsp_call *c,
				       const char *path, wsp_error *err);

/*
 * WSP_EPROTO (naming the field, never a value) unless every string of s
 * is terminated within its buffer and of its allowed bytes, type is
 * [a-z0-9]+, credential keys [a-z0-9_]+, counts and flags within bounds.
 */
WSP_INTERNAL int wsp__mount_source_check(const wsp_mount_source *s,
					 const char *provider, wsp_error *err);

/* Wipe (secrets included) and free; NULL-safe. */
WSP_INTERNAL void wsp__mount_source_free(wsp_mount_source *s);

#endif /* WSP_CORE_MOUNT_SOURCE_H */

/*
 * core/exec/sandbox_mount.h - stores mounted inside the sandbox
 * (sandbox_mount.c), for wsp_sandbox_start.
 */
#ifndef WSP_CORE_SANDBOX_MOUNT_H
#define WSP_CORE_SANDBOX_MOUNT_H

#include "internal.h"

/*
 * Mount every configured mount that has a sandbox_path into the sandbox
 * in (configuration order; the first failure stops it). c is full size.
 */
WSP_INTERNAL int wsp__sandbox_mount_configured(wsp__instance *in,
					       wsp_workspace *ws,
					       const wsp_call *c,
					       wsp_error *err);

#endif /* WSP_CORE_SANDBOX_MOUNT_H */

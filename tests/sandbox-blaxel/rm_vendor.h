/*
 * tests/sandbox-blaxel/rm_vendor.h - what tests/common/remote_s3mount.c
 * and remote_s3missing.c (mounts inside a remote sandbox) need of Blaxel.
 */
#ifndef WSP_TEST_RM_VENDOR_H
#define WSP_TEST_RM_VENDOR_H

#include "bl_env.h"

#define RM_VENDOR     "Blaxel"
#define RM_FAKE_START fake_start_with
/* the sandbox-api runs every command as root */
#define RM_ROOT_OPTS ""
#define RM_HOME	     "/blaxel"
/* the request that starts a command (its body: the command line) */
#define RM_START_SUFFIX "/process"

#endif

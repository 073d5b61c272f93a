/*
 * tests/sandbox-daytona/rm_vendor.h - what tests/common/remote_s3mount.c,
 * remote_gcsmount.c and remote_s3missing.c (mounts inside a remote
 * sandbox) need of Daytona.
 */
#ifndef WSP_TEST_RM_VENDOR_H
#define WSP_TEST_RM_VENDOR_H

#include "dt_env.h"

#define RM_VENDOR     "Daytona"
#define RM_FAKE_START dt_env_start_with
/* the fake's sandbox user 'root' is uid 0 (its 'daytona' has no sudo) */
#define RM_ROOT_OPTS "user: root\n"
#define RM_HOME	     "/home/root"
/* the request that runs a command in a session (its body: the text) */
#define RM_START_SUFFIX "/exec"
/* the options of a user that is neither root nor has sudo */
#define RM_NO_ROOT_OPTS ""

#endif

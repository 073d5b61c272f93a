/*
 * tests/sandbox-e2b/rm_vendor.h - what tests/common/remote_s3mount.c and
 * remote_s3missing.c (mounts inside a remote sandbox) need of E2B.
 */
#ifndef WSP_TEST_RM_VENDOR_H
#define WSP_TEST_RM_VENDOR_H

#include "e2_env.h"

#define RM_VENDOR     "E2B"
#define RM_FAKE_START e2_fake_start_with
/* commands run as root (the fake's 'user' has no sudo) */
#define RM_ROOT_OPTS "user: root\n"
#define RM_HOME	     "/home/user"
/* the request that starts a command (its body: the command line) */
#define RM_START_SUFFIX "/process.Process/Start"
/* the options of a user that is neither root nor has sudo */
#define RM_NO_ROOT_OPTS ""

#endif

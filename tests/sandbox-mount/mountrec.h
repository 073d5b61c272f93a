/*
 * tests/sandbox-mount/mountrec.h - the recording test sandbox's instance,
 * shared by its sandbox slots (mountrec.c) and its files (dirfs.c).
 */
#ifndef WSP_TEST_MOUNTREC_H
#define WSP_TEST_MOUNTREC_H

#include <wsp/plugin.h>

struct rec {
	const wsp_host *host;
	char root[1024]; /* working directory, absolute */
};

/* The working directory as a filesystem (the descriptor's sandbox_fs). */
extern const wsp_fs_vtable mountrec_fs;

#endif

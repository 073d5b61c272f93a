/*
 * core/host/state.h - the host state store behind host->state_* (wsp/state.h):
 * one directory of small files per provider instance, under the state
 * directory, opened only through directory descriptors.
 *
 * state.c         the five operations and the key rules
 * state_store.c   the handle: where an instance's store lives
 * private_dir.c   opening a directory only the caller can write
 */
#ifndef WSP_CORE_STATE_H
#define WSP_CORE_STATE_H

#include "internal.h"

/* Room for an escaped instance id, with its NUL. */
#define WSP__STATE_NAME_MAX 208

struct wsp_state {
	char *root;  /* the state directory (trusted: the core chose it) */
	char *group; /* "<kind>-<escaped provider>" */
	char *inst;  /* the escaped instance id */
};

/*
 * A store for instance id of provider (a kind name such as "sandbox")
 * under state_dir. Nothing is created until the first write. 0, or
 * WSP_ENOMEM.
 */
WSP_INTERNAL int wsp__state_new(wsp_state **out, const char *state_dir,
				const char *kind, const char *provider,
				const char *id);
WSP_INTERNAL void wsp__state_free(wsp_state *st);

/*
 * id as one path component, reversibly: bytes of [A-Za-z0-9_.-] stay
 * (a leading '.' does not), every other byte becomes %xx (lowercase
 * hex), "" becomes "%". When that is longer than 200 bytes the name is
 * "%h" and the SHA-256 of id in hex instead ('h' is no hex digit, so it
 * never equals an escaped name). dst has WSP__STATE_NAME_MAX bytes.
 */
WSP_INTERNAL void wsp__state_escape_id(char dst[WSP__STATE_NAME_MAX],
				       const char *id);

/* The host table's slots (state.c). */
WSP_INTERNAL int wsp__state_get(char **out, size_t *out_len,
				const wsp_host *host, const wsp_state *st,
				const char *key, wsp_error *err);
WSP_INTERNAL int wsp__state_put(const wsp_host *host, const wsp_state *st,
				const char *key, const void *value,
				size_t len, wsp_error *err);
WSP_INTERNAL int wsp__state_update(const wsp_host *host,
				   const wsp_state *st, const char *key,
				   wsp_state_update_fn fn, void *payload,
				   wsp_error *err);
WSP_INTERNAL int wsp__state_delete(const wsp_host *host,
				   const wsp_state *st, const char *key,
				   wsp_error *err);
WSP_INTERNAL int wsp__state_list(const wsp_host *host, const wsp_state *st,
				 const char *prefix, wsp_state_key_fn fn,
				 void *payload, wsp_error *err);

/*
 * Open name under the directory parent as a directory only the caller
 * controls: not a symbolic link, a directory, owned by the effective
 * uid, not writable by group or others. With create, a missing one is
 * made with mode 0700. Returns 0 with *fd set (O_CLOEXEC), WSP_ENOTFOUND
 * when it is missing (and not created), WSP_EPERM with *why set when it
 * is refused, or WSP_EIO with errno set.
 */
WSP_INTERNAL int wsp__private_dir_open(int *fd, int parent, const char *name,
				       int create, const char **why);

#endif /* WSP_CORE_STATE_H */

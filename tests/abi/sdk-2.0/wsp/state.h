/*
 * wsp/state.h - the host state store: small facts a provider instance keeps
 * between separate wsp processes (a logical sandbox id and the remote id it
 * maps to, background process ids, stream offsets).
 *
 * The core makes one store per provider instance and hands it to init as
 * wsp_instance_args.state (NULL when the core has no state directory). The
 * store is reached through the host table: host->state_get, state_put,
 * state_update, state_delete and state_list (see <wsp/host.h>).
 *
 * Keys match [a-z0-9._-]{1,128} and do not start with '.'. Values are
 * opaque bytes, at most WSP_STATE_VALUE_MAX of them. Every operation is
 * safe across threads and across wsp processes sharing the state
 * directory: a reader sees a whole old or a whole new value, and updates
 * through state_update are never lost.
 *
 * On disk: <state_dir>/store/<kind>-<provider>/<instance>/<key>, one file
 * per key, directories 0700 and files 0600 owned by the caller. <instance>
 * is the instance id escaped to one path component (see docs/security.md,
 * "State directory"). A store directory that is a symbolic link, belongs to
 * another user or is writable by group or others is refused (WSP_EPERM);
 * so is a value file that is not a regular file of the caller.
 */
#ifndef WSP_STATE_H
#define WSP_STATE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One instance's store; owned by the core, valid from init until fini. */
typedef struct wsp_state wsp_state;

/* Longest key, in bytes. */
#define WSP_STATE_KEY_MAX 128
/* Largest value, in bytes (64 KiB); larger is WSP_ETOOBIG. */
#define WSP_STATE_VALUE_MAX 65536

/*
 * The step of host->state_update: given the current value (old_value,
 * old_len bytes, NUL-terminated; exists is 0 and old_value NULL when the
 * key is absent), decide the next one. Return 0 with *new_value allocated
 * with host->alloc (the core frees it) and *new_len its length to store
 * it; return 0 with *new_value NULL to delete the key; return a negative
 * wsp_errcode to leave the value untouched (that code is what
 * state_update returns). Called with the store's lock held: do not call
 * the store from inside it.
 */
typedef int (*wsp_state_update_fn)(char **new_value, size_t *new_len,
				   const char *old_value, size_t old_len,
				   int exists, void *payload);

/*
 * Called by host->state_list once per key, in byte order. Return 0 to go
 * on, anything else to stop: state_list then returns that value.
 */
typedef int (*wsp_state_key_fn)(const char *key, void *payload);

#ifdef __cplusplus
}
#endif
#endif /* WSP_STATE_H */

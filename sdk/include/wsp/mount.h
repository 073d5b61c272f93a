/*
 * wsp/mount.h - a mount source: how a filesystem provider's store can be
 * mounted by something other than wsp (s3fs, gcsfuse, rclone inside a
 * sandbox).
 *
 * A filesystem provider whose files live in an object store describes the
 * store here (wsp_fs_vtable.mount_source, capability
 * WSP_CAP_FS_MOUNT_SOURCE), and a sandbox provider that can mount such a
 * store takes it in wsp_sandbox_vtable.mount (WSP_CAP_SANDBOX_MOUNT).
 *
 * Ownership: fixed buffers, no pointers. Whoever asks owns the struct (the
 * core keeps it on the heap, sized by this header) and the provider only
 * writes into it, so nothing has to be released through the host and a
 * source can be handed on to a sandbox without a second copy. The bounds
 * are those of the stores: S3 and GCS bucket names are at most 63 (222
 * with dots) characters, object keys 1024 bytes, and the longest secret a
 * store needs (a GCS service-account key file) stays below 4 KiB.
 *
 * Secrets: the credential values are secrets. The core wipes every source
 * it handled (wsp_mount_source_wipe) once the mount call returns; a
 * provider that copies a value wipes its copy too. A sandbox hands them to
 * the mounting tool only through a file readable by that tool alone (mode
 * 0600 inside the sandbox), never through argv, the environment or a log
 * line, and never quotes one in a wsp_error.
 */
#ifndef WSP_MOUNT_H
#define WSP_MOUNT_H

#include <wsp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WSP_MOUNT_TYPE_MAX 16      /* "s3", "gcs" */
#define WSP_MOUNT_BUCKET_MAX 256
#define WSP_MOUNT_PREFIX_MAX 1024  /* an object key's bound */
#define WSP_MOUNT_ENDPOINT_MAX 512 /* "https://host[:port]" */
#define WSP_MOUNT_REGION_MAX 64
#define WSP_MOUNT_CRED_MAX 4       /* credential pairs */
#define WSP_MOUNT_CRED_KEY_MAX 64
#define WSP_MOUNT_CRED_VALUE_MAX 4096

/* wsp_mount_source.flags, and the flags of wsp_sandbox_vtable.mount */
#define WSP_MOUNT_READ_ONLY (1u << 0)  /* mount it read-only */
#define WSP_MOUNT_PATH_STYLE (1u << 1) /* bucket in the URL's path (S3) */
#define WSP_MOUNT_ANONYMOUS (1u << 2)  /* unsigned requests: no credentials */

/*
 * A store as a mounting tool needs it. Every string is NUL-terminated
 * within its buffer; an empty string is "not set" (the tool's default).
 *
 * type "s3": bucket; prefix (the key prefix, "" or ending in '/'); endpoint
 * (empty: AWS); region; credentials "access_key_id", "secret_access_key"
 * and, for temporary credentials, "session_token".
 * type "gcs": bucket; prefix; endpoint (empty: Google); credentials
 * "credentials_json" (a service-account key file's text).
 * Other types name their keys in their provider's documentation.
 *
 * What a provider sees: a zeroed full-size struct, struct_size set. The
 * core checks what it wrote (strings terminated, type [a-z0-9]+, keys
 * [a-z0-9_]+, n_credentials within bounds) before anyone else sees it.
 */
typedef struct wsp_mount_source {
	uint32_t struct_size; /* set by the caller */
	uint32_t flags;       /* WSP_MOUNT_* */
	char type[WSP_MOUNT_TYPE_MAX];
	char bucket[WSP_MOUNT_BUCKET_MAX];
	char prefix[WSP_MOUNT_PREFIX_MAX];
	char endpoint[WSP_MOUNT_ENDPOINT_MAX];
	char region[WSP_MOUNT_REGION_MAX];
	uint32_t n_credentials; /* pairs used, <= WSP_MOUNT_CRED_MAX */
	uint32_t reserved;
	/* Pair i is credential_keys[i] = credential_values[i] (a secret). */
	char credential_keys[WSP_MOUNT_CRED_MAX][WSP_MOUNT_CRED_KEY_MAX];
	char credential_values[WSP_MOUNT_CRED_MAX][WSP_MOUNT_CRED_VALUE_MAX];
} wsp_mount_source;

/*
 * Zero a source, secrets included, in a way the compiler cannot drop
 * (a plain memset before the memory is freed may be optimised away).
 */
static inline void wsp_mount_source_wipe(wsp_mount_source *src)
{
	volatile unsigned char *p = (volatile unsigned char *)src;
	size_t n = sizeof(*src);

	while (n--)
		*p++ = 0;
}

/*
 * Copy v into a field of src (cap bytes, always terminated; NULL copies
 * as ""). 1 when v did not fit (the field then holds a cut copy: report
 * it rather than hand it on), 0 otherwise. For a filesystem provider
 * filling a source.
 */
static inline int wsp_mount_source_put(char *field, size_t cap, const char *v)
{
	size_t i = 0;

	if (!cap)
		return 1;
	for (; v && v[i] && i < cap - 1; i++)
		field[i] = v[i];
	field[i] = '\0';
	return v && v[i] != '\0';
}

/*
 * Append the secret pair key = value; nothing for a NULL or empty value.
 * 1 when the pairs are full or either string does not fit, 0 otherwise.
 */
static inline int wsp_mount_source_add_credential(wsp_mount_source *src,
						  const char *key,
						  const char *value)
{
	uint32_t i = src->n_credentials;

	if (!value || !*value)
		return 0;
	if (i >= WSP_MOUNT_CRED_MAX ||
	    wsp_mount_source_put(src->credential_keys[i],
				 sizeof(src->credential_keys[i]), key) ||
	    wsp_mount_source_put(src->credential_values[i],
				 sizeof(src->credential_values[i]), value))
		return 1;
	src->n_credentials = i + 1;
	return 0;
}

/*
 * The value of credential key in src, or NULL. For a sandbox provider
 * writing the tool's credentials file.
 */
static inline const char *wsp_mount_source_credential(
	const wsp_mount_source *src, const char *key)
{
	uint32_t i;

	for (i = 0; i < src->n_credentials && i < WSP_MOUNT_CRED_MAX; i++) {
		const char *k = src->credential_keys[i];
		const char *q = key;

		while (*k && *k == *q) {
			k++;
			q++;
		}
		if (!*k && !*q)
			return src->credential_values[i];
	}
	return NULL;
}

#ifdef __cplusplus
}
#endif
#endif /* WSP_MOUNT_H */

/*
 * core/files/mount_source.c - a mount's store as a mount source (<wsp/mount.h>):
 * the provider fills a zeroed full-size struct the core owns, the core
 * checks what came back (a provider's bytes are not trusted to be
 * terminated or bounded), applies the mount's read_only, and only then
 * hands it on: to an embedder (wsp_files_mount_source) or to the
 * sandbox's mount slot (core/exec/sandbox_mount.c). Every copy the core made
 * is wiped, secrets included, before it is freed.
 */
#include "files.h"
#include "mount_source.h"

#include <stdlib.h>
#include <string.h>

/* NUL within cap, and only bytes in the allowed class before it. */
static int field_ok(const char *s, size_t cap, int (*ok)(int c))
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!ok((unsigned char)s[i]))
			return 0;
	return 1;
}

static int is_name(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_key(int c)
{
	return is_name(c) || c == '_';
}

/* Printable ASCII: what a tool's command line or config file can carry. */
static int is_printable(int c)
{
	return c >= 0x20 && c < 0x7f;
}

/* Secrets may hold anything but NUL (a key file holds newlines). */
static int is_any(int c)
{
	return c != 0;
}

int wsp__mount_source_check(const wsp_mount_source *s, const char *provider,
			    wsp_error *err)
{
	const char *bad = NULL;

	if (!field_ok(s->type, sizeof(s->type), is_name) || !s->type[0])
		bad = "type";
	else if (!field_ok(s->bucket, sizeof(s->bucket), is_printable))
		bad = "bucket";
	else if (!field_ok(s->prefix, sizeof(s->prefix), is_printable))
		bad = "prefix";
	else if (!field_ok(s->endpoint, sizeof(s->endpoint), is_printable))
		bad = "endpoint";
	else if (!field_ok(s->region, sizeof(s->region), is_printable))
		bad = "region";
	else if (s->n_credentials > WSP_MOUNT_CRED_MAX)
		bad = "n_credentials";
	else if (s->flags & ~(uint32_t)(WSP_MOUNT_READ_ONLY |
					WSP_MOUNT_PATH_STYLE |
					WSP_MOUNT_ANONYMOUS))
		bad = "flags";
	for (uint32_t i = 0; !bad && i < s->n_credentials; i++) {
		if (!field_ok(s->credential_keys[i],
			      sizeof(s->credential_keys[i]), is_key) ||
		    !s->credential_keys[i][0])
			bad = "credential key";
		else if (!field_ok(s->credential_values[i],
				   sizeof(s->credential_values[i]), is_any))
			bad = "credential value"; /* never quoted */
	}
	if (!bad)
		return 0;
	return wsp_error_set(err, WSP_EPROTO,
			     "provider '%s' gave a mount source with an "
			     "invalid %s",
			     provider, bad);
}

int wsp__mount_source_get(wsp_mount_source **out, wsp_workspace *ws,
			  const wsp_call *c, const char *path, wsp_error *err)
{
	struct wsp__route r;
	wsp_mount_source *s;
	const char *name;
	int rc;

	*out = NULL;
	rc = wsp__route(&r, ws, path, err);
	if (rc == 0)
		rc = wsp__route_enter(&r, ws, c, "describe", path, 0, err);
	if (rc < 0)
		return rc;
	name = r.inst->prov->desc.name;
	if (!r.inst->prov->fs.mount_source)
		return wsp_error_set(err, WSP_ENOTSUP,
				     "mount '%s' (provider '%s') offers no "
				     "mount source",
				     r.mount, name);
	s = calloc(1, sizeof(*s));
	if (!s)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	s->struct_size = sizeof(*s);
	rc = r.inst->prov->fs.mount_source(s, r.inst->self, c, r.rel, 0, err);
	if (rc == 0) {
		s->struct_size = sizeof(*s); /* ours, whatever it wrote */
		rc = wsp__mount_source_check(s, name, err);
	}
	if (rc < 0) {
		wsp__mount_source_free(s);
		return wsp__route_result(rc, &r, err);
	}
	if (r.read_only)
		s->flags |= WSP_MOUNT_READ_ONLY;
	*out = s;
	return 0;
}

void wsp__mount_source_free(wsp_mount_source *s)
{
	if (!s)
		return;
	wsp_mount_source_wipe(s);
	free(s);
}

int wsp_files_mount_source(wsp_mount_source *out, wsp_workspace *ws,
			   const wsp_call *call, const char *path,
			   wsp_error *err)
{
	wsp_mount_source *s;
	wsp_call c;
	size_t n;
	int rc;

	if (!ws || !out || !path)
		return wsp_error_set(err, WSP_EINVAL,
				     "mount source needs a workspace, a path "
				     "and a struct to fill");
	if (out->struct_size < offsetof(wsp_mount_source, type))
		return wsp_error_set(err, WSP_EINVAL,
				     "wsp_mount_source too small (struct_size "
				     "%u)",
				     (unsigned)out->struct_size);
	wsp__files_call_init(&c, call);
	rc = wsp__mount_source_get(&s, ws, &c, path, err);
	if (rc < 0)
		return rc;
	/* The boundary rule for results: what the caller's struct holds. */
	n = out->struct_size < sizeof(*s) ? out->struct_size : sizeof(*s);
	memcpy(out, s, n);
	out->struct_size = (uint32_t)n;
	wsp__mount_source_free(s);
	return 0;
}

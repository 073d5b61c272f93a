/*
 * plugins/sandbox-daytona/volumes.c - the `volumes` option: Daytona
 * volumes (S3-backed, shared between sandboxes) mounted in the sandbox at
 * create, as `VOLUME:MOUNT_PATH[:SUBPATH]` entries (VOLUME: the volume's
 * id or name, which Daytona resolves; SUBPATH: a prefix inside it). Sent
 * in the create request as SandboxVolume objects
 * (`{volumeId, mountPath, subpath}`).
 *
 * A list of scalars, not of maps, because the core's option schema has no
 * list-of-maps type; the parts are checked here, where the option's name
 * can still be told, not by Daytona's less useful 400 at create time.
 */
#include "daytona.h"

#include <stdlib.h>
#include <string.h>

#define BAD(...) wsp_error_set(err, WSP_ECONFIG, __VA_ARGS__)

static int name_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || n > 128)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("._-", s[i])))
			return 0;
	return 1;
}

/* Segments with no "", "." or ".." and no control byte ("a/b", "a"). */
static int segments_ok(const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	for (;;) {
		size_t n = strcspn(s, "/");

		if (!n || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		if (!s[n])
			return 1;
		s += n + 1;
	}
}

static int one(struct dt_volume *v, const char *e, wsp_error *err)
{
	const char *c1 = strchr(e, ':'), *c2;
	size_t mlen;

	if (!c1 || !name_ok(e, (size_t)(c1 - e)))
		return BAD("volumes: '%s' is not VOLUME:/MOUNT/PATH[:SUBPATH] "
			   "(VOLUME a volume's id or name)",
			   e);
	c2 = strchr(c1 + 1, ':');
	mlen = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
	v->volume = strndup(e, (size_t)(c1 - e));
	v->mount = strndup(c1 + 1, mlen);
	v->subpath = c2 && c2[1] ? strdup(c2 + 1) : NULL;
	if (!v->volume || !v->mount || (c2 && c2[1] && !v->subpath))
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	if (v->mount[0] != '/' || mlen > 512 || !segments_ok(v->mount + 1))
		return BAD("volumes: mount path '%s' must be absolute, not "
			   "'/', without '.', '..' or a trailing '/'",
			   v->mount);
	if (c2 && (!v->subpath || v->subpath[0] == '/' ||
		   strlen(v->subpath) > 512 || !segments_ok(v->subpath)))
		return BAD("volumes: subpath '%s' must be relative, without "
			   "'.' or '..'",
			   c2 + 1);
	return 0;
}

int dt_volumes_read(struct dt_config *c, const wsp_host *h,
		    const wsp_config *cfg, wsp_error *err)
{
	const char *const *l = NULL;
	size_t i, j, n = 0;
	int rc = h->opt_list(&l, h, cfg, "volumes", err);

	if (rc == WSP_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	while (l[n])
		n++;
	if (!n)
		return 0;
	c->volumes = calloc(n, sizeof(*c->volumes));
	if (!c->volumes)
		return wsp_error_set(err, WSP_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		c->n_volumes = i + 1; /* freed by dt_volumes_free on failure */
		if ((rc = one(&c->volumes[i], l[i], err)))
			return rc;
		for (j = 0; j < i; j++)
			if (!strcmp(c->volumes[j].mount, c->volumes[i].mount))
				return BAD("volumes: two volumes at '%s'",
					   c->volumes[i].mount);
	}
	return 0;
}

void dt_volumes_free(struct dt_config *c)
{
	size_t i;

	for (i = 0; i < c->n_volumes; i++) {
		free(c->volumes[i].volume);
		free(c->volumes[i].mount);
		free(c->volumes[i].subpath);
	}
	free(c->volumes);
	c->volumes = NULL;
	c->n_volumes = 0;
}

int dt_volumes_add(cJSON *body, const struct dt_config *c)
{
	cJSON *arr, *o;
	size_t i;

	if (!c->n_volumes)
		return 0;
	if (!(arr = cJSON_AddArrayToObject(body, "volumes")))
		return -1;
	for (i = 0; i < c->n_volumes; i++) {
		const struct dt_volume *v = &c->volumes[i];

		if (!(o = cJSON_CreateObject()) ||
		    !cJSON_AddItemToArray(arr, o) ||
		    !cJSON_AddStringToObject(o, "volumeId", v->volume) ||
		    !cJSON_AddStringToObject(o, "mountPath", v->mount) ||
		    (v->subpath &&
		     !cJSON_AddStringToObject(o, "subpath", v->subpath)))
			return -1;
	}
	return 0;
}

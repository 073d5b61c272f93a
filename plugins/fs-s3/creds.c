/*
 * plugins/fs-s3/creds.c - credentials and region, the way AWS tools find
 * them: explicit options, then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN / AWS_REGION (or AWS_DEFAULT_REGION), then the shared
 * credentials file ($AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials)
 * and config file ($AWS_CONFIG_FILE or ~/.aws/config) for the profile
 * (option, $AWS_PROFILE, or "default").
 */
#include "s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The AWS files are a few lines; a larger one is not read past this. */
#define INI_FILE_MAX (1024 * 1024)

static char *dup_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? strdup(v) : NULL;
}

/*
 * Look key up in [section] of an INI file; *out stays NULL when it is
 * absent or the file cannot be read (the AWS tools ignore a missing one).
 */
static int ini_get(char **out, const char *file, const char *section,
		   const char *key)
{
	FILE *f = fopen(file, "r");
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	if (!f)
		return 0;
	text = malloc(INI_FILE_MAX);
	if (!text) {
		fclose(f);
		return WSP_ENOMEM;
	}
	len = fread(text, 1, INI_FILE_MAX, f);
	fclose(f);
	rc = s3_ini_get(out, text, len, section, key);
	free(text);
	return rc;
}

static char *home_file(const char *env, const char *rel)
{
	const char *v = getenv(env);
	const char *home = getenv("HOME");
	char *path;

	if (v && *v)
		return strdup(v);
	if (!home || !*home)
		return NULL;
	if (asprintf(&path, "%s/%s", home, rel) < 0)
		return NULL;
	return path;
}

int s3_creds_resolve(struct s3_creds *c, const char *profile, wsp_error *err)
{
	char *cred_file = NULL, *conf_file = NULL, *section = NULL;
	int rc = 0;

	/* Keys come in pairs: never mix an option's id with an env secret. */
	if (!c->akid && !c->secret) {
		c->akid = dup_env("AWS_ACCESS_KEY_ID");
		c->secret = dup_env("AWS_SECRET_ACCESS_KEY");
		if (c->akid && c->secret && !c->token)
			c->token = dup_env("AWS_SESSION_TOKEN");
	}
	if (!c->region)
		c->region = dup_env("AWS_REGION");
	if (!c->region)
		c->region = dup_env("AWS_DEFAULT_REGION");
	if (!profile || !*profile)
		profile = getenv("AWS_PROFILE");
	if (!profile || !*profile)
		profile = "default";

	cred_file =
		home_file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
	conf_file = home_file("AWS_CONFIG_FILE", ".aws/config");
	if (!c->akid || !c->secret) {
		free(c->akid);
		free(c->secret);
		c->akid = c->secret = NULL;
		if (cred_file) {
			rc = ini_get(&c->akid, cred_file, profile,
				     "aws_access_key_id");
			if (!rc)
				rc = ini_get(&c->secret, cred_file, profile,
					     "aws_secret_access_key");
			if (!rc && !c->token)
				rc = ini_get(&c->token, cred_file, profile,
					     "aws_session_token");
		}
	}
	/* config names profiles "[profile x]", except the default one */
	if (!rc && strcmp(profile, "default")) {
		if (asprintf(&section, "profile %s", profile) < 0)
			section = NULL;
	} else if (!rc) {
		section = strdup(profile);
	}
	if (!rc && !section)
		rc = WSP_ENOMEM;
	if (!rc && conf_file && (!c->akid || !c->secret)) {
		free(c->akid);
		free(c->secret);
		rc = ini_get(&c->akid, conf_file, section, "aws_access_key_id");
		if (!rc)
			rc = ini_get(&c->secret, conf_file, section,
				     "aws_secret_access_key");
	}
	if (!rc && conf_file && !c->region)
		rc = ini_get(&c->region, conf_file, section, "region");
	free(cred_file);
	free(conf_file);
	free(section);
	if (rc)
		return wsp_error_set(err, rc, "out of memory");
	return 0;
}

void s3_creds_free(struct s3_creds *c)
{
	if (c->secret)
		memset(c->secret, 0, strlen(c->secret));
	free(c->akid);
	free(c->secret);
	free(c->token);
	free(c->region);
	memset(c, 0, sizeof(*c));
}

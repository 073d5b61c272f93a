/*
 * plugins/shared/remote_mount.c - see remote_mount.h.
 *
 * Each operation is one fixed shell script run through the provider's
 * exec slot with its values as positional parameters, so nothing is
 * quoted by hand and nothing secret is in them: the credentials (s3fs's
 * passwd_file line "ID:SECRET", or rclone's whole config) go in as the
 * command's stdin and straight into a 0600 file, or, for a provider whose
 * exec would carry stdin inside the command's text (Daytona), as a file
 * uploaded into a 0700 directory the script reads and removes first
 * thing. The script ends by printing one word, "wsp-mount:WORD", which
 * this side turns into a wsp error; stderr's last line (the client's
 * complaint) goes into the message.
 *
 * Not root in the sandbox (E2B's default user): every privileged step
 * runs through `sudo -n`, as E2B's templates allow; the client then gets
 * allow_other, and uid/gid/umask make the files the user's alone.
 *
 * The client missing: installed with apt-get only when the provider's
 * option says so (it needs root or sudo, the network and minutes);
 * otherwise a clear error naming both ways out (an image with it, or the
 * option).
 */
#include "remote_mount.h"
#include "rclone_conf.h"
#include "remote.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MOUNT_TIMEOUT_MS   120000
#define INSTALL_TIMEOUT_MS 600000 /* apt-get update + install */
#define UNMOUNT_TIMEOUT_MS 60000
#define STAGE_TIMEOUT_MS   60000

/* Every script's last words. */
#define SAY "say() { printf 'wsp-mount:%s\\n' \"$1\"; exit \"${2:-1}\"; }\n"

/*
 * $1 mount point, $2 the client's source (s3fs: bucket[:/prefix];
 * rclone: wsp:bucket/prefix), $3 its options (s3fs: -o's, no secret;
 * rclone: ro or rw), $4 directory of the files, $5 their name, $6 the
 * source's identity, $7 install the client when missing (1), $8 a
 * credentials file to write (1), $9 the client (s3fs, rclone), ${10}
 * where the credentials were uploaded ("": they are stdin).
 */
static const char MOUNT_SCRIPT[] =
	"p=$1 src=$2 opts=$3 d=$4 h=$5 want=$6 install=$7 creds=$8 "
	"tool=$9 in=${10}\n" SAY
	/* an upload is read and gone before anything else can fail */
	"if [ -n \"$in\" ]; then\n"
	"  [ -r \"$in\" ] || say creds\n"
	"  exec <\"$in\"; rm -f \"$in\"; rmdir \"${in%/*}\" 2>/dev/null\n"
	"fi\n"
	"S=\n"
	"if [ \"$(id -u)\" != 0 ]; then\n"
	"  command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null "
	"|| say root\n"
	"  S='sudo -n'\n"
	"fi\n"
	"if mountpoint -q \"$p\" 2>/dev/null; then\n"
	"  [ \"$($S cat \"$d/$h.src\" 2>/dev/null)\" = \"$want\" ] "
	"&& say same 0\n"
	"  say busy\n"
	"fi\n"
	"pk=\"$tool fuse\"\n"
	"if [ \"$tool\" = rclone ]; then\n"
	"  command -v fusermount3 >/dev/null 2>&1 || command -v fusermount "
	">/dev/null 2>&1 && pk=rclone || pk='rclone fuse3'\n"
	"fi\n"
	"if ! command -v \"$tool\" >/dev/null 2>&1; then\n"
	"  [ \"$install\" = 1 ] || say missing\n"
	"  { $S apt-get update -qq && $S env DEBIAN_FRONTEND=noninteractive "
	"apt-get install -y -qq $pk; } </dev/null >&2 || say install\n"
	"  command -v \"$tool\" >/dev/null 2>&1 || say install\n"
	"fi\n"
	"[ -e \"$p\" ] && [ ! -d \"$p\" ] && say notdir\n"
	"[ -d \"$p\" ] && [ -n \"$(ls -A \"$p\" 2>/dev/null)\" ] "
	"&& say notempty\n"
	"$S mkdir -p \"$p\" && $S mkdir -p -m 700 \"$d\" && $S chmod 700 "
	"\"$d\" "
	"|| say mkdir\n"
	"u=$(id -u) g=$(id -g)\n"
	"if [ -n \"$S\" ]; then\n"
	"  $S chown \"$u:$g\" \"$p\" || say mkdir\n"
	"fi\n"
	"if [ \"$creds\" = 1 ]; then\n"
	"  $S sh -c 'umask 077 && rm -f \"$1\" && cat >\"$1\"' sh \"$d/$h.pw\" "
	"|| { $S rm -f \"$d/$h.pw\"; say creds; }\n"
	"fi\n"
	"e=$(mktemp) || say mkdir\n"
	/* each forks into the background: no pipe of ours may stay open */
	"if [ \"$tool\" = s3fs ]; then\n"
	"  [ -n \"$S\" ] && opts=\"$opts,allow_other\"\n"
	"  opts=\"$opts,uid=$u,gid=$g,umask=0077,mp_umask=0077\"\n"
	"  [ \"$creds\" = 1 ] && opts=\"$opts,passwd_file=$d/$h.pw\"\n"
	"  $S s3fs \"$src\" \"$p\" -o \"$opts\" </dev/null >/dev/null "
	"2>\"$e\"\n"
	"else\n"
	"  set -- --config \"$d/$h.pw\" --cache-dir \"$d/$h.cache\" "
	"--log-file \"$d/$h.log\" --daemon --daemon-wait 20s --uid \"$u\" "
	"--gid \"$g\" --umask 077 --dir-cache-time 5s\n"
	"  [ -n \"$S\" ] && set -- \"$@\" --allow-other\n"
	"  [ \"$opts\" = ro ] && set -- \"$@\" --read-only\n"
	"  $S rclone mount \"$src\" \"$p\" \"$@\" </dev/null >/dev/null "
	"2>\"$e\"\n"
	"fi\n"
	"rc=$? i=0\n"
	"while [ $rc = 0 ] && ! mountpoint -q \"$p\" && [ $i -lt 50 ]; do\n"
	"  sleep 0.1; i=$((i + 1))\n"
	"done\n"
	"$S rm -f \"$d/$h.pw\"\n"
	"if [ $rc != 0 ] || ! mountpoint -q \"$p\"; then\n"
	"  $S tail -n 3 \"$d/$h.log\" >>\"$e\" 2>/dev/null\n"
	"  $S rm -rf \"$d/$h.log\" \"$d/$h.cache\"\n"
	"  tail -n 3 \"$e\" >&2; rm -f \"$e\"; say fail\n"
	"fi\n"
	"rm -f \"$e\"\n"
	"printf '%s\\n' \"$want\" | $S sh -c 'umask 077 && cat >\"$1\"' sh "
	"\"$d/$h.src\" || say marker\n"
	"say mounted 0\n";

/* $1 mount point, $2 directory of the files, $3 their name. */
static const char UNMOUNT_SCRIPT[] =
	"p=$1 d=$2 h=$3\n" SAY
	"S=\n"
	"[ \"$(id -u)\" != 0 ] && S='sudo -n'\n"
	"f=\"$d/$h.pw $d/$h.src $d/$h.log $d/$h.cache\"\n"
	"if ! mountpoint -q \"$p\" 2>/dev/null; then\n"
	"  $S rm -rf $f 2>/dev/null; say none\n"
	"fi\n"
	"$S test -f \"$d/$h.src\" || say foreign\n"
	"$S fusermount -u \"$p\" 2>/dev/null || $S fusermount3 -u \"$p\" "
	"2>/dev/null || $S umount \"$p\" 2>/dev/null || $S umount -l \"$p\" "
	"|| say busy\n"
	"i=0\n"
	"while mountpoint -q \"$p\" && [ $i -lt 50 ]; do\n"
	"  sleep 0.1; i=$((i + 1))\n"
	"done\n"
	"mountpoint -q \"$p\" && say busy\n"
	/* rclone may still write its cache as it ends: let it end first */
	"i=0\n"
	"while command -v pgrep >/dev/null 2>&1 && "
	"pgrep -f \"$d/$h[.]cache\" >/dev/null && [ $i -lt 50 ]; do\n"
	"  sleep 0.1; i=$((i + 1))\n"
	"done\n"
	"$S rm -rf $f\n"
	"say unmounted 0\n";

/*
 * $1 the directory uploaded credentials go into, $2 make it (1) or only
 * remove it (0). Run as the sandbox's user, without sudo: the upload
 * lands in a directory only that user (and root) may enter.
 */
static const char STAGE_SCRIPT[] =
	"t=$1\n" SAY
	"rm -rf \"$t\" 2>/dev/null\n"
	"[ \"$2\" = 1 ] || say gone 0\n"
	"(umask 077 && mkdir \"$t\") || say mkdir\n"
	"say staged 0\n";

/* The files' name for a mount point: FNV-1a of the path, in hex. */
static void file_name(char out[17], const char *path)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *path; path++) {
		h ^= (unsigned char)*path;
		h *= 0x100000001b3ull;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static void wipe_free(char *s, size_t n)
{
	if (s)
		explicit_bzero(s, n);
	free(s);
}

/* What one script said: its word ("" when none) and stderr's last line. */
struct said {
	char word[32];
	char why[256];
	int exit_code;
};

static void last_line(char *out, size_t cap, const char *s, size_t len)
{
	char buf[512];
	size_t end = len, start;

	while (end && (s[end - 1] == '\n' || s[end - 1] == ' '))
		end--;
	start = end;
	while (start && s[start - 1] != '\n')
		start--;
	if (end - start >= sizeof(buf))
		start = end - (sizeof(buf) - 1);
	memcpy(buf, s + start, end - start);
	buf[end - start] = '\0';
	rmt_message(out, cap, buf, NULL);
}

static void take_word(struct said *s, const char *out, size_t len)
{
	static const char tag[] = "wsp-mount:";
	const char *p = NULL, *q;
	size_t n;

	for (q = out; q && (size_t)(q - out) < len;) {
		q = memmem(q, len - (size_t)(q - out), tag, sizeof(tag) - 1);
		if (q)
			p = q++;
	}
	if (!p)
		return;
	p += sizeof(tag) - 1;
	for (n = 0; n + 1 < sizeof(s->word) && p + n < out + len &&
		    p[n] >= 'a' && p[n] <= 'z';
	     n++)
		s->word[n] = p[n];
	s->word[n] = '\0';
}

/* Run script with args (and stdin), its word and last complaint in *s. */
static int run(struct said *s, const struct rmount_sandbox *sb,
	       const wsp_call *call, const char *script,
	       const char *const *args, const char *in, size_t in_len,
	       int64_t timeout_ms, wsp_error *err)
{
	const char *argv[16] = {"/bin/sh", "-c", script, "wsp-mount"};
	wsp_exec_opts o = WSP_EXEC_OPTS_INIT;
	wsp_exec_result r;
	size_t n = 4;
	int rc;

	for (; args && *args && n + 1 < sizeof(argv) / sizeof(*argv); args++)
		argv[n++] = *args;
	argv[n] = NULL;
	o.argv = argv;
	o.cwd = "/";
	o.stdin_data = in_len ? in : NULL;
	o.stdin_len = in_len;
	o.timeout_ms = timeout_ms;
	o.max_capture = 64 * 1024;
	memset(&r, 0, sizeof(r));
	r.struct_size = sizeof(r);
	memset(s, 0, sizeof(*s));
	rc = sb->exec(&r, sb->self, call, &o, err);
	if (rc)
		return rc;
	s->exit_code = r.exit_code;
	if (r.stdout_data)
		take_word(s, r.stdout_data, r.stdout_len);
	if (r.stderr_data)
		last_line(s->why, sizeof(s->why), r.stderr_data, r.stderr_len);
	sb->host->free(sb->host, r.stdout_data);
	sb->host->free(sb->host, r.stderr_data);
	if (r.flags & WSP_EXEC_TIMED_OUT)
		return wsp_error_set(err, WSP_ETIMEDOUT,
				     "mounting in the %s sandbox took too long",
				     sb->vendor);
	if (r.flags & WSP_EXEC_CANCELED)
		return wsp_error_set(err, WSP_ECANCELED,
				     "mounting in the %s sandbox was canceled",
				     sb->vendor);
	return 0;
}

/* One mount's client and its arguments (none secret but in). */
struct job {
	const char *tool; /* "s3fs", "rclone" */
	char *src, *opts, *want;
	char *in; /* the credentials file's text, or NULL */
	size_t in_len;
};

static void job_free(struct job *j)
{
	wipe_free(j->in, j->in_len);
	free(j->src);
	free(j->opts);
	free(j->want);
}

/* The source checked for what s3fs and its passwd file can take. */
static int s3_check(const struct rmount_sandbox *sb,
		    const wsp_mount_source *src, wsp_error *err)
{
	const char *id = wsp_mount_source_credential(src, "access_key_id");
	const char *key = wsp_mount_source_credential(src, "secret_access_key");

	if (strchr(src->endpoint, ',') || strchr(src->region, ','))
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot pass the store's endpoint or "
				     "region to s3fs: it holds a comma");
	if (src->flags & WSP_MOUNT_ANONYMOUS)
		return 0;
	if (wsp_mount_source_credential(src, "session_token"))
		return wsp_error_set(err, WSP_ENOTSUP,
				     "cannot mount with temporary credentials "
				     "(a session token) in the %s sandbox: "
				     "s3fs takes them only from its "
				     "environment; use a key pair",
				     sb->vendor);
	if (!id || !key)
		return wsp_error_set(err, WSP_EINVAL,
				     "the store has no access key pair to "
				     "mount it with");
	/* never quoted: the values are secrets */
	if (strchr(id, ':') || strpbrk(id, "\r\n") || strpbrk(key, "\r\n"))
		return wsp_error_set(err, WSP_EINVAL,
				     "the store's access key pair cannot go "
				     "into s3fs's passwd file (a ':' in the "
				     "key id, or a line break)");
	return 0;
}

static int oom(wsp_error *err)
{
	return wsp_error_set(err, WSP_ENOMEM, "out of memory");
}

/* s3fs's bucket argument, its options and passwd line. */
static int s3_job(struct job *j, const struct rmount_sandbox *sb,
		  const wsp_mount_source *src, int ro, wsp_error *err)
{
	size_t plen = strlen(src->prefix);
	int pl = (int)(plen && src->prefix[plen - 1] == '/' ? plen - 1 : plen);
	int rc = s3_check(sb, src, err), n;

	if (rc)
		return rc;
	j->tool = "s3fs";
	if (pl)
		n = asprintf(&j->src, "%s:/%.*s", src->bucket, pl, src->prefix);
	else
		n = asprintf(&j->src, "%s", src->bucket);
	if (n < 0 ||
	    asprintf(&j->opts, "%s%s%s%s%s%s%s", ro ? "ro" : "rw",
		     src->endpoint[0] ? ",url=" : "", src->endpoint,
		     src->region[0] ? ",endpoint=" : "", src->region,
		     src->flags & WSP_MOUNT_PATH_STYLE
			     ? ",use_path_request_style"
			     : "",
		     src->flags & WSP_MOUNT_ANONYMOUS ? ",public_bucket=1"
						      : "") < 0 ||
	    /* what the marker holds: the source as s3fs sees it */
	    asprintf(&j->want, "s3 %s %s", j->src, j->opts) < 0)
		return oom(err);
	if (src->flags & WSP_MOUNT_ANONYMOUS)
		return 0;
	n = asprintf(&j->in, "%s:%s\n",
		     wsp_mount_source_credential(src, "access_key_id"),
		     wsp_mount_source_credential(src, "secret_access_key"));
	if (n < 0) {
		j->in = NULL;
		return oom(err);
	}
	j->in_len = (size_t)n;
	return 0;
}

/* rclone's remote, ro/rw, and its whole config (rclone_conf.h). */
static int gcs_job(struct job *j, const wsp_mount_source *src, int ro,
		   wsp_error *err)
{
	struct rclone_conf *c = calloc(1, sizeof(*c));
	char remote[WSP_MOUNT_BUCKET_MAX + WSP_MOUNT_PREFIX_MAX + 8];
	int rc;

	if (!c)
		return oom(err);
	rc = rclone_conf_gcs(c, src);
	if (!rc && (j->in = malloc(c->n + 1))) {
		memcpy(j->in, c->text, c->n + 1);
		j->in_len = c->n;
	}
	rclone_conf_wipe(c);
	free(c);
	if (rc == -EINVAL)
		return wsp_error_set(err, WSP_EINVAL,
				     "cannot hand the store's credentials to "
				     "rclone: they are neither a "
				     "service-account key, a gcloud user file "
				     "nor a token");
	if (rc == -ENAMETOOLONG)
		return wsp_error_set(err, WSP_ETOOBIG,
				     "the store's credentials are too large "
				     "for rclone's config");
	if (rc || !j->in)
		return oom(err);
	j->tool = "rclone";
	rclone_conf_remote(remote, sizeof(remote), src);
	if (!(j->src = strdup(remote)) ||
	    !(j->opts = strdup(ro ? "ro" : "rw")) ||
	    /* the marker: the source as rclone sees it, but the secret */
	    asprintf(&j->want, "gcs %s %s %s %s", remote, j->opts,
		     src->endpoint[0] ? src->endpoint : "google",
		     src->flags & WSP_MOUNT_ANONYMOUS ? "anonymous"
						      : "credentials") < 0)
		return oom(err);
	return 0;
}

/* The wsp error for a mount script's word. */
static int mount_failed(const struct rmount_sandbox *sb, const struct said *s,
			const struct job *j, const wsp_mount_source *src,
			const char *path, wsp_error *err)
{
	const char *w = s->word, *why = s->why, *sep = why[0] ? ": " : "";

	if (!strcmp(w, "busy"))
		return wsp_error_set(err, WSP_EBUSY,
				     "'%s' in the %s sandbox already holds "
				     "another mount",
				     path, sb->vendor);
	if (!strcmp(w, "notempty") || !strcmp(w, "notdir"))
		return wsp_error_set(err, WSP_EBUSY,
				     "cannot mount at '%s' in the %s sandbox: "
				     "%s",
				     path, sb->vendor,
				     w[3] == 'e' ? "the directory is not empty"
						 : "it is not a directory");
	if (!strcmp(w, "root"))
		return wsp_error_set(err, WSP_EPERM,
				     "mounting in the %s sandbox needs root or "
				     "sudo without a password there",
				     sb->vendor);
	if (!strcmp(w, "missing"))
		return wsp_error_set(err, WSP_ENOTSUP,
				     "%s is not installed in the %s sandbox: "
				     "use a template/image with %s (apt-get "
				     "install %s), or set the option "
				     "install_mount_tools: true",
				     j->tool, sb->vendor, j->tool, j->tool);
	if (!strcmp(w, "install"))
		return wsp_error_set(err, WSP_EUNAVAIL,
				     "%s is not installed in the %s sandbox "
				     "and installing it with apt-get "
				     "failed%s%s",
				     j->tool, sb->vendor, sep, why);
	if (!strcmp(w, "fail"))
		return wsp_error_set(err, WSP_EUNAVAIL,
				     "%s could not mount bucket '%s' at '%s' "
				     "in the %s sandbox%s%s",
				     j->tool, src->bucket, path, sb->vendor,
				     sep, why);
	if (!strcmp(w, "mkdir") || !strcmp(w, "creds") || !strcmp(w, "marker"))
		return wsp_error_set(err, WSP_EIO,
				     "cannot prepare the mount at '%s' in the "
				     "%s sandbox (%s)%s%s",
				     path, sb->vendor, w, sep, why);
	return wsp_error_set(err, WSP_EPROTO,
			     "mounting at '%s' in the %s sandbox ended with "
			     "exit %d and no word of why%s%s",
			     path, sb->vendor, s->exit_code, sep, why);
}

/* Make (make 1) or remove (0) the directory uploads go into. */
static int stage(const struct rmount_sandbox *sb, const wsp_call *call,
		 const char *dir, int make, wsp_error *err)
{
	const char *args[] = {dir, make ? "1" : "0", NULL};
	struct said s;
	int rc = run(&s, sb, call, STAGE_SCRIPT, args, NULL, 0,
		     STAGE_TIMEOUT_MS, err);

	if (rc || !strcmp(s.word, make ? "staged" : "gone"))
		return rc;
	return wsp_error_set(err, WSP_EIO,
			     "cannot prepare the mount's credentials in the "
			     "%s sandbox%s%s",
			     sb->vendor, s.why[0] ? ": " : "", s.why);
}

/* The upload's way: the credentials into a file, then the script. */
static int run_uploaded(struct said *s, const struct rmount_sandbox *sb,
			const wsp_call *call, const char *const *args,
			const struct job *j, const char *name,
			int64_t timeout_ms, wsp_error *err)
{
	char dir[sizeof(RMOUNT_DIR) + 24], file[sizeof(dir) + 4];
	const char *argv[12];
	wsp_error ignored = {0};
	int rc, n;

	snprintf(dir, sizeof(dir), RMOUNT_DIR "-in-%s", name);
	snprintf(file, sizeof(file), "%s/in", dir);
	rc = stage(sb, call, dir, 1, err);
	if (!rc)
		rc = sb->put(sb->self, call, file, j->in, j->in_len, err);
	if (!rc) {
		for (n = 0; n < 9; n++)
			argv[n] = args[n];
		argv[n++] = file;
		argv[n] = NULL;
		rc = run(s, sb, call, MOUNT_SCRIPT, argv, NULL, 0, timeout_ms,
			 err);
	}
	/* the script removes it first thing; unless it never ran */
	if (rc)
		stage(sb, call, dir, 0, &ignored);
	return rc;
}

int rmount_mount(const struct rmount_sandbox *sb, const wsp_call *call,
		 const wsp_mount_source *src, const char *path, uint32_t flags,
		 wsp_error *err)
{
	int ro = ((flags | src->flags) & WSP_MOUNT_READ_ONLY) != 0;
	int64_t timeout_ms =
		sb->install ? INSTALL_TIMEOUT_MS : MOUNT_TIMEOUT_MS;
	struct job j = {0};
	char name[17];
	struct said s;
	int rc;

	if (strpbrk(path, "\r\n"))
		return wsp_error_set(err, WSP_EINVAL,
				     "a mount point cannot hold a line break");
	if (!strcmp(src->type, "s3"))
		rc = s3_job(&j, sb, src, ro, err);
	else if (!strcmp(src->type, "gcs"))
		rc = gcs_job(&j, src, ro, err);
	else
		rc = wsp_error_set(err, WSP_ENOTSUP,
				   "the %s sandbox can mount S3 and GCS "
				   "stores only, not '%s'",
				   sb->vendor, src->type);
	if (rc)
		goto out;
	file_name(name, path);
	{
		const char *args[] = {path,
				      j.src,
				      j.opts,
				      RMOUNT_DIR,
				      name,
				      j.want,
				      sb->install ? "1" : "0",
				      j.in ? "1" : "0",
				      j.tool,
				      "",
				      NULL};

		if (j.in && sb->put)
			rc = run_uploaded(&s, sb, call, args, &j, name,
					  timeout_ms, err);
		else
			rc = run(&s, sb, call, MOUNT_SCRIPT, args, j.in,
				 j.in_len, timeout_ms, err);
	}
	if (!rc && strcmp(s.word, "mounted") && strcmp(s.word, "same"))
		rc = mount_failed(sb, &s, &j, src, path, err);
out:
	job_free(&j);
	return rc;
}

int rmount_unmount(const struct rmount_sandbox *sb, const wsp_call *call,
		   const char *path, wsp_error *err)
{
	char name[17];
	struct said s;
	int rc;

	if (strpbrk(path, "\r\n"))
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "nothing is mounted at that path");
	file_name(name, path);
	{
		const char *args[] = {path, RMOUNT_DIR, name, NULL};

		rc = run(&s, sb, call, UNMOUNT_SCRIPT, args, NULL, 0,
			 UNMOUNT_TIMEOUT_MS, err);
	}
	if (rc || !strcmp(s.word, "unmounted"))
		return rc;
	if (!strcmp(s.word, "none") || !strcmp(s.word, "foreign"))
		return wsp_error_set(err, WSP_ENOTFOUND,
				     "nothing wsp mounted is at '%s' in the %s "
				     "sandbox",
				     path, sb->vendor);
	if (!strcmp(s.word, "busy"))
		return wsp_error_set(
			err, WSP_EBUSY,
			"the mount at '%s' in the %s sandbox would "
			"not go%s%s",
			path, sb->vendor, s.why[0] ? ": " : "", s.why);
	return wsp_error_set(err, WSP_EPROTO,
			     "unmounting '%s' in the %s sandbox ended with "
			     "exit %d and no word of why",
			     path, sb->vendor, s.exit_code);
}

/*
 * core/host/curl_lazy.c - libcurl, loaded on first use instead of at start.
 *
 * libcurl brings three dozen libraries with it (TLS, Kerberos, LDAP,
 * SSH, IDN, ...), and loading and relocating them took 5.7 ms of every
 * program linked to libwsp on the development machine, against 0.7 ms for
 * an empty program: most of what `wsp exec -- true` cost on the embedded
 * default (local sandbox, local files), which never speaks HTTP. So libwsp
 * does not link libcurl: the few entry points the core uses are defined
 * here, under their own names, and forward to libcurl's, which are looked
 * up in libcurl.so.4 (its soname since 7.16) the first time one is called.
 * The rest of the core is written against <curl/curl.h> as usual.
 *
 * The variadic setters forward their one argument by the type the option
 * number says it has (curl's own CURLOPTTYPE_ ranges). Cleanup calls made
 * before anything was loaded do nothing rather than load the library.
 * When libcurl cannot be loaded, the calls fail the way libcurl reports
 * failures (CURLE_FAILED_INIT, NULL handles), and every HTTP request says
 * that libcurl failed to initialise.
 */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "lazy_lib.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>

#define CURL_SONAME "libcurl.so.4"

/* The entry points the core uses; keep in step with the wrappers below. */
#define CURL_ENTRY_POINTS(X)                                                \
	X(global_init, CURLcode, (long))                                    \
	X(global_cleanup, void, (void))                                     \
	X(easy_init, CURL *, (void))                                        \
	X(easy_cleanup, void, (CURL *))                                     \
	X(easy_setopt, CURLcode, (CURL *, CURLoption, ...))                 \
	X(easy_getinfo, CURLcode, (CURL *, CURLINFO, ...))                  \
	X(easy_perform, CURLcode, (CURL *))                                 \
	X(easy_pause, CURLcode, (CURL *, int))                              \
	X(easy_strerror, const char *, (CURLcode))                          \
	X(slist_append, struct curl_slist *, (struct curl_slist *,          \
					       const char *))               \
	X(slist_free_all, void, (struct curl_slist *))                      \
	X(share_init, CURLSH *, (void))                                     \
	X(share_cleanup, CURLSHcode, (CURLSH *))                            \
	X(share_setopt, CURLSHcode, (CURLSH *, CURLSHoption, ...))          \
	X(multi_init, CURLM *, (void))                                      \
	X(multi_cleanup, CURLMcode, (CURLM *))                              \
	X(multi_setopt, CURLMcode, (CURLM *, CURLMoption, ...))             \
	X(multi_add_handle, CURLMcode, (CURLM *, CURL *))                   \
	X(multi_remove_handle, CURLMcode, (CURLM *, CURL *))                \
	X(multi_perform, CURLMcode, (CURLM *, int *))                       \
	X(multi_poll, CURLMcode, (CURLM *, struct curl_waitfd *,            \
				  unsigned int, int, int *))                \
	X(multi_info_read, CURLMsg *, (CURLM *, int *))                     \
	X(multi_socket_action, CURLMcode, (CURLM *, curl_socket_t, int,     \
					   int *))                          \
	X(multi_assign, CURLMcode, (CURLM *, curl_socket_t, void *))

#define FIELD(name, ret, args) ret(*name) args;
static struct {
	CURL_ENTRY_POINTS(FIELD)
} real;
#undef FIELD

static struct lazy_lib curl = LAZY_LIB_INIT;

static void load(void)
{
	void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		return;
#define LOOKUP(name, ret, args)                                             \
	*(void **)&real.name = dlsym(lib, "curl_" #name);                   \
	if (!real.name)                                                     \
		return;
	CURL_ENTRY_POINTS(LOOKUP)
#undef LOOKUP
	lazy_lib_loaded(&curl);
}

/* Load libcurl now if need be; true when it is there. */
static int need(void)
{
	return lazy_lib_need(&curl, load);
}

/*
 * Loaded already? Cleanups never load it: what they would free can only
 * exist once it was.
 */
static int have(void)
{
	return lazy_lib_have(&curl);
}

CURLcode curl_global_init(long flags)
{
	return need() ? real.global_init(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void)
{
	if (have())
		real.global_cleanup();
}

CURL *curl_easy_init(void)
{
	return need() ? real.easy_init() : NULL;
}

void curl_easy_cleanup(CURL *h)
{
	if (h && have())
		real.easy_cleanup(h);
}

/* One option's argument, read by the type its number says it has. */
#define FORWARD_OPTION(call, handle, opt, ap)                               \
	((opt) < CURLOPTTYPE_OBJECTPOINT   ? call(handle, opt, va_arg(ap, long)) \
	 : (opt) < CURLOPTTYPE_FUNCTIONPOINT ? call(handle, opt,              \
						   va_arg(ap, void *))      \
	 : (opt) < CURLOPTTYPE_OFF_T ? call(handle, opt,                      \
					    va_arg(ap, void (*)(void)))     \
	 : (opt) < CURLOPTTYPE_BLOB ? call(handle, opt,                       \
					   va_arg(ap, curl_off_t))          \
				    : call(handle, opt, va_arg(ap, void *)))

CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	va_list ap;
	CURLcode rc;

	if (!need())
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	rc = FORWARD_OPTION(real.easy_setopt, h, opt, ap);
	va_end(ap);
	return rc;
}

CURLMcode curl_multi_setopt(CURLM *m, CURLMoption opt, ...)
{
	va_list ap;
	CURLMcode rc;

	if (!need())
		return CURLM_INTERNAL_ERROR;
	va_start(ap, opt);
	rc = FORWARD_OPTION(real.multi_setopt, m, opt, ap);
	va_end(ap);
	return rc;
}

/* Every CURLINFO_ argument is a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	va_list ap;
	void *where;

	if (!need())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	where = va_arg(ap, void *);
	va_end(ap);
	return real.easy_getinfo(h, info, where);
}

CURLSHcode curl_share_setopt(CURLSH *sh, CURLSHoption opt, ...)
{
	va_list ap;
	CURLSHcode rc;

	if (!need())
		return CURLSHE_NOT_BUILT_IN;
	va_start(ap, opt);
	switch (opt) {
	case CURLSHOPT_SHARE:
	case CURLSHOPT_UNSHARE: /* a curl_lock_data, read as int by curl */
		rc = real.share_setopt(sh, opt, va_arg(ap, int));
		break;
	case CURLSHOPT_LOCKFUNC:
	case CURLSHOPT_UNLOCKFUNC:
		rc = real.share_setopt(sh, opt, va_arg(ap, void (*)(void)));
		break;
	default:
		rc = real.share_setopt(sh, opt, va_arg(ap, void *));
		break;
	}
	va_end(ap);
	return rc;
}

CURLcode curl_easy_perform(CURL *h)
{
	return need() ? real.easy_perform(h) : CURLE_FAILED_INIT;
}

CURLcode curl_easy_pause(CURL *h, int bitmask)
{
	return need() ? real.easy_pause(h, bitmask) : CURLE_FAILED_INIT;
}

const char *curl_easy_strerror(CURLcode code)
{
	return need() ? real.easy_strerror(code)
		      : "libcurl (" CURL_SONAME ") could not be loaded";
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s)
{
	return need() ? real.slist_append(list, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
	if (list && have())
		real.slist_free_all(list);
}

CURLSH *curl_share_init(void)
{
	return need() ? real.share_init() : NULL;
}

CURLSHcode curl_share_cleanup(CURLSH *sh)
{
	return sh && have() ? real.share_cleanup(sh) : CURLSHE_OK;
}

CURLM *curl_multi_init(void)
{
	return need() ? real.multi_init() : NULL;
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
	return m && have() ? real.multi_cleanup(m) : CURLM_OK;
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *h)
{
	return need() ? real.multi_add_handle(m, h) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h)
{
	return need() ? real.multi_remove_handle(m, h) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
	return need() ? real.multi_perform(m, running) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd *extra,
			  unsigned int n, int timeout_ms, int *numfds)
{
	return need() ? real.multi_poll(m, extra, n, timeout_ms, numfds)
		      : CURLM_INTERNAL_ERROR;
}

CURLMsg *curl_multi_info_read(CURLM *m, int *left)
{
	return need() ? real.multi_info_read(m, left) : NULL;
}

CURLMcode curl_multi_socket_action(CURLM *m, curl_socket_t s, int ev,
				   int *running)
{
	return need() ? real.multi_socket_action(m, s, ev, running)
		      : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_assign(CURLM *m, curl_socket_t s, void *p)
{
	return need() ? real.multi_assign(m, s, p) : CURLM_INTERNAL_ERROR;
}

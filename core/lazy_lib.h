/*
 * core/lazy_lib.h - a library libwsp loads the first time it is needed
 * instead of at start (core/host/curl_lazy.c: libcurl;
 * core/search_libs.c: libsqlite3 and libm).
 *
 * Each user keeps one struct lazy_lib and a load function that looks up
 * every entry point and calls lazy_lib_loaded() once all were found.
 * lazy_lib_need() runs that function once, whichever thread comes first,
 * and says whether it succeeded; lazy_lib_have() says so without loading,
 * for calls that only make sense on what a loaded library made (cleanups).
 */
#ifndef WSP_CORE_LAZY_LIB_H
#define WSP_CORE_LAZY_LIB_H

#include <pthread.h>

struct lazy_lib {
	pthread_once_t once;
	int loaded; /* every entry point was found */
};

#define LAZY_LIB_INIT {PTHREAD_ONCE_INIT, 0}

/* Load now if need be; true when the library is there. */
static inline int lazy_lib_need(struct lazy_lib *l, void (*load)(void))
{
	pthread_once(&l->once, load);
	return __atomic_load_n(&l->loaded, __ATOMIC_ACQUIRE);
}

/* Loaded already? Never loads. */
static inline int lazy_lib_have(struct lazy_lib *l)
{
	return __atomic_load_n(&l->loaded, __ATOMIC_ACQUIRE);
}

/* For the load function, once every entry point is in place. */
static inline void lazy_lib_loaded(struct lazy_lib *l)
{
	__atomic_store_n(&l->loaded, 1, __ATOMIC_RELEASE);
}

#endif

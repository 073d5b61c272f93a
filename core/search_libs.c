/*
 * core/search_libs.c - the search engine's libraries, SQLite and libm,
 * loaded the first time search needs either instead of at start.
 *
 * Only workspace search (search_*.c) uses them, yet every program linked
 * to libwsp paid for loading them: libsqlite3 and the libm it brings
 * added about 0.8 MiB to the peak resident memory of a client that only
 * runs commands in a remote sandbox (a tenth of its whole, against a goal
 * measured in tenths of the vendors' SDKs). So libwsp links neither: the
 * SQLite entry points the core uses are defined here under their own
 * names and forward to libsqlite3's, and the two maths functions search
 * needs are wsp__search_log and wsp__search_sqrt, all looked up once, the
 * way core/host/curl_lazy.c loads libcurl. The rest of search is written
 * against <sqlite3.h> as usual.
 *
 * Every call but sqlite3_open_v2 takes something only a loaded SQLite
 * made, so only opening loads; the others, called without it (a
 * finalize or close of NULL on a failed open's way out), answer as
 * SQLite does for NULL. When a library cannot be loaded, opening fails
 * with SQLITE_CANTOPEN and wsp__search_libs_error() says why.
 */
#include "lazy_lib.h"
#include "search.h"

#include <dlfcn.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>

#define SQLITE_SONAME "libsqlite3.so.0" /* its soname since 3.0 */
#define LIBM_SONAME   "libm.so.6"

/*
 * X(name, return type, parameters, arguments, answer when not loaded):
 * the SQLite entry points the core uses; keep in step with search_*.c
 * (the link of libwsp with -z defs fails on one missing here).
 */
#define SQLITE_ENTRY_POINTS(X)                                                \
	X(close, int, (sqlite3 * h), (h), SQLITE_OK)                         \
	X(errmsg, const char *, (sqlite3 * h), (h), "out of memory")         \
	X(busy_timeout, int, (sqlite3 * h, int ms), (h, ms), SQLITE_MISUSE)  \
	X(exec, int,                                                          \
	  (sqlite3 * h, const char *sql,                                      \
	   int (*cb)(void *, int, char **, char **), void *arg, char **msg),  \
	  (h, sql, cb, arg, msg), SQLITE_MISUSE)                              \
	X(last_insert_rowid, sqlite3_int64, (sqlite3 * h), (h), 0)           \
	X(prepare_v2, int,                                                    \
	  (sqlite3 * h, const char *sql, int n, sqlite3_stmt **st,            \
	   const char **tail),                                                \
	  (h, sql, n, st, tail), SQLITE_MISUSE)                               \
	X(prepare_v3, int,                                                    \
	  (sqlite3 * h, const char *sql, int n, unsigned int flags,           \
	   sqlite3_stmt **st, const char **tail),                             \
	  (h, sql, n, flags, st, tail), SQLITE_MISUSE)                        \
	X(step, int, (sqlite3_stmt * st), (st), SQLITE_MISUSE)               \
	X(reset, int, (sqlite3_stmt * st), (st), SQLITE_OK)                  \
	X(finalize, int, (sqlite3_stmt * st), (st), SQLITE_OK)               \
	X(bind_blob, int,                                                     \
	  (sqlite3_stmt * st, int i, const void *p, int n,                    \
	   void (*del)(void *)),                                              \
	  (st, i, p, n, del), SQLITE_MISUSE)                                  \
	X(bind_int, int, (sqlite3_stmt * st, int i, int v), (st, i, v),      \
	  SQLITE_MISUSE)                                                      \
	X(bind_int64, int, (sqlite3_stmt * st, int i, sqlite3_int64 v),      \
	  (st, i, v), SQLITE_MISUSE)                                          \
	X(bind_null, int, (sqlite3_stmt * st, int i), (st, i), SQLITE_MISUSE) \
	X(bind_pointer, int,                                                  \
	  (sqlite3_stmt * st, int i, void *p, const char *type,               \
	   void (*del)(void *)),                                              \
	  (st, i, p, type, del), SQLITE_MISUSE)                               \
	X(bind_text, int,                                                     \
	  (sqlite3_stmt * st, int i, const char *p, int n,                    \
	   void (*del)(void *)),                                              \
	  (st, i, p, n, del), SQLITE_MISUSE)                                  \
	X(column_blob, const void *, (sqlite3_stmt * st, int i), (st, i),    \
	  NULL)                                                               \
	X(column_bytes, int, (sqlite3_stmt * st, int i), (st, i), 0)         \
	X(column_double, double, (sqlite3_stmt * st, int i), (st, i), 0)     \
	X(column_int, int, (sqlite3_stmt * st, int i), (st, i), 0)           \
	X(column_int64, sqlite3_int64, (sqlite3_stmt * st, int i), (st, i),  \
	  0)                                                                  \
	X(column_text, const unsigned char *, (sqlite3_stmt * st, int i),    \
	  (st, i), NULL)                                                      \
	X(column_type, int, (sqlite3_stmt * st, int i), (st, i), SQLITE_NULL) \
	X(value_int, int, (sqlite3_value * v), (v), 0)

#define FIELD(name, ret, params, args, missing) ret(*name) params;
static struct {
	int (*open_v2)(const char *path, sqlite3 **h, int flags,
		       const char *vfs);
	SQLITE_ENTRY_POINTS(FIELD)
	/* answers of the ranking function, called by SQLite only */
	void (*result_double)(sqlite3_context *c, double v);
	void (*result_int64)(sqlite3_context *c, sqlite3_int64 v);
	void (*result_error_code)(sqlite3_context *c, int code);
	double (*log)(double);
	double (*sqrt)(double);
} real;
#undef FIELD

static struct lazy_lib libs = LAZY_LIB_INIT;
static char why[256];

/* dlopen's own words, or that a symbol was missing. */
static void *open_lib(const char *soname)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		snprintf(why, sizeof(why), "cannot load %s: %s", soname,
			 dlerror());
	return lib;
}

static int look_up(void **slot, void *lib, const char *soname,
		   const char *name)
{
	*slot = dlsym(lib, name);
	if (!*slot)
		snprintf(why, sizeof(why), "%s has no %s", soname, name);
	return *slot != NULL;
}

static void load(void)
{
	void *sqlite = open_lib(SQLITE_SONAME);
	void *m = sqlite ? open_lib(LIBM_SONAME) : NULL;

	if (!m)
		return;
	if (!look_up((void **)&real.open_v2, sqlite, SQLITE_SONAME,
		     "sqlite3_open_v2"))
		return;
#define LOOKUP(name, ret, params, args, missing)                              \
	if (!look_up((void **)&real.name, sqlite, SQLITE_SONAME,              \
		     "sqlite3_" #name))                                       \
		return;
	SQLITE_ENTRY_POINTS(LOOKUP)
	LOOKUP(result_double, , , , )
	LOOKUP(result_int64, , , , )
	LOOKUP(result_error_code, , , , )
#undef LOOKUP
	if (!look_up((void **)&real.log, m, LIBM_SONAME, "log") ||
	    !look_up((void **)&real.sqrt, m, LIBM_SONAME, "sqrt"))
		return;
	lazy_lib_loaded(&libs);
}

/* Load both now if need be; true when they are there. */
static int need(void)
{
	return lazy_lib_need(&libs, load);
}

/* Loaded already? Only opening loads (see the top of the file). */
static int have(void)
{
	return lazy_lib_have(&libs);
}

const char *wsp__search_libs_error(void)
{
	return need() ? NULL : why;
}

int sqlite3_open_v2(const char *path, sqlite3 **h, int flags, const char *vfs)
{
	if (!need()) {
		*h = NULL;
		return SQLITE_CANTOPEN;
	}
	return real.open_v2(path, h, flags, vfs);
}

#define FORWARD(name, ret, params, args, missing)                             \
	ret sqlite3_##name params                                             \
	{                                                                     \
		if (!have())                                                  \
			return missing;                                       \
		return real.name args;                                        \
	}
SQLITE_ENTRY_POINTS(FORWARD)
#undef FORWARD

/* Only SQLite calls the ranking function that answers with these. */
void sqlite3_result_double(sqlite3_context *c, double v)
{
	real.result_double(c, v);
}

void sqlite3_result_int64(sqlite3_context *c, sqlite3_int64 v)
{
	real.result_int64(c, v);
}

void sqlite3_result_error_code(sqlite3_context *c, int code)
{
	real.result_error_code(c, code);
}

double wsp__search_log(double x)
{
	return need() ? real.log(x) : NAN;
}

double wsp__search_sqrt(double x)
{
	return need() ? real.sqrt(x) : NAN;
}

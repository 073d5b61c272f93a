/*
 * core/program/skip_gnutls_init.c - linked into the programs built on
 * libwsp (the wsp CLI, the E2B keeper, the remote sandbox benchmark),
 * never into libwsp itself: tells GnuTLS not to start itself up when it
 * is loaded.
 *
 * Debian's libcurl speaks TLS through OpenSSL, but its LDAP and RTMP
 * libraries bring GnuTLS, whose load-time constructor initialises the
 * whole library (its PKCS#11 modules through p11-kit included). wsp never
 * asks libcurl for anything but http and https (core/host/http_headers.c),
 * so none of that is ever used, yet it is about 0.85 MiB of every
 * program's peak resident memory: a client that only runs commands in a
 * remote sandbox peaks at about 11 MiB with it. Were GnuTLS ever used
 * after all, libldap and librtmp call gnutls_global_init() themselves
 * before they do.
 *
 * The hook is GnuTLS's own (GNUTLS_SKIP_GLOBAL_INIT in <gnutls/gnutls.h>:
 * the constructor asks this function first). It is meant for programs,
 * and a library must not decide it for the program that loads it (one
 * that uses GnuTLS itself may count on that start-up), so it stays out
 * of libwsp; an embedding program can do the same (docs/sdk.md). The
 * definition must be in the program's dynamic symbol table to be found
 * before GnuTLS's own: visible despite -fvisibility=hidden, and exported
 * by cmake/WspProgram.cmake.
 */
__attribute__((visibility("default"))) int _gnutls_global_init_skip(void);

int _gnutls_global_init_skip(void)
{
	return 1;
}

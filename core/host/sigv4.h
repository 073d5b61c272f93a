/*
 * core/host/sigv4.h - AWS Signature Version 4 signer (internal API).
 *
 * host->sign_aws_v4 points at wsp__sigv4_host_sign(); tests use
 * wsp__sigv4_sign() to see the canonical request and string to sign.
 */
#ifndef WSP_CORE_SIGV4_H
#define WSP_CORE_SIGV4_H

#include <wsp/host.h>
#include <wsp/sigv4.h>

#ifndef WSP_INTERNAL
#define WSP_INTERNAL __attribute__((visibility("hidden")))
#endif

struct wsp__sigv4_out {
	char *canonical_request;
	char *string_to_sign;
	char signature[65];
	char *authorization; /* header mode */
	char *query;	     /* presign mode: the query string to send */
};

/* Sign req; on success free out with wsp__sigv4_out_free(). */
WSP_INTERNAL int wsp__sigv4_sign(struct wsp__sigv4_out *out,
				 const wsp_sigv4_request *req, wsp_error *err);
WSP_INTERNAL void wsp__sigv4_out_free(struct wsp__sigv4_out *out);

/* host->sign_aws_v4 */
WSP_INTERNAL int wsp__sigv4_host_sign(char *out, size_t cap,
				      const wsp_host *host,
				      const wsp_sigv4_request *req,
				      wsp_error *err);

#endif /* WSP_CORE_SIGV4_H */

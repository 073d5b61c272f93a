/*
 * plugins/sandbox-e2b/preview.c - how to reach a port inside the
 * sandbox: E2B's proxy serves it at https://PORT-ID.DOMAIN (the domain of
 * the create or connect answer, else the configured one; as the SDK's
 * getHost, the envd URL never changes it), no request needed. A sandbox
 * made with public_traffic off wants its trafficAccessToken in the
 * e2b-traffic-access-token header: a secret, never logged or in a
 * message (the CLI masks it).
 */
#include "e2b.h"

#include <stdio.h>
#include <string.h>

int e2b_preview(wsp_preview *out, void *self, const wsp_call *call,
		uint32_t port, uint32_t flags, wsp_error *err)
{
	struct e2b *e = self;
	struct e2b_conn c;
	int n, rc;

	(void)flags;
	if (port < 1 || port > 65535)
		return wsp_error_set(err, WSP_EINVAL,
				     "port %u is not a TCP port", port);
	if ((rc = e2b_ready(&c, e, call, err)))
		return rc;
	n = snprintf(out->url, sizeof(out->url), "https://%u-%s.%s", port,
		     c.id, c.domain);
	if (n < 0 || (size_t)n >= sizeof(out->url))
		rc = wsp_error_set(err, WSP_ETOOBIG, "preview URL too long");
	else if (c.traffic[0]) {
		snprintf(out->header_name, sizeof(out->header_name), "%s",
			 "e2b-traffic-access-token");
		snprintf(out->header_value, sizeof(out->header_value), "%s",
			 c.traffic);
	}
	memset(&c, 0, sizeof(c)); /* the tokens */
	return rc;
}

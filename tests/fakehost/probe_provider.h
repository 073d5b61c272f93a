/* tests/fakehost/probe_provider.h - the provider the fake host's tests drive. */
#ifndef WSP_TEST_PROBE_PROVIDER_H
#define WSP_TEST_PROBE_PROVIDER_H

#include <wsp/plugin.h>

const wsp_plugin_desc *probe_descriptor(void);

#endif

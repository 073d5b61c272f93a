/*
 * core/loader/names.h - the names a provider declares and a wsp.yaml
 * writes for it, checked by one rule on both sides (plugin_validate.c), so
 * a name the configuration accepts is one a descriptor may have.
 */
#ifndef WSP_CORE_LOADER_NAMES_H
#define WSP_CORE_LOADER_NAMES_H

#include "internal.h"

/* A provider's name: [a-z0-9][a-z0-9_-]*, at most 64 characters. */
WSP_INTERNAL int wsp__provider_name_ok(const char *s);
/* An extension operation's name: [a-z][a-z0-9_-]*, at most 64. */
WSP_INTERNAL int wsp__ext_op_name_ok(const char *s);

#endif /* WSP_CORE_LOADER_NAMES_H */

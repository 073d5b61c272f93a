/* wsp/version.h - version numbers of the wsp release these headers belong to. */
#ifndef WSP_VERSION_H
#define WSP_VERSION_H

#define WSP_VERSION_MAJOR 0
#define WSP_VERSION_MINOR 3
#define WSP_VERSION_PATCH 0
#define WSP_VERSION_STRING "0.3.0-dev.14"
/*
 * "-dev.N": plugin ABI 2.0 is being built (docs/abi-2.0-design.md) and
 * may still change between dev numbers; it is frozen when 2.0 is released.
 */
/* 0xMMmmpp, for compile-time comparisons */
#define WSP_VERSION_HEX \
	((WSP_VERSION_MAJOR << 16) | (WSP_VERSION_MINOR << 8) | WSP_VERSION_PATCH)

#endif /* WSP_VERSION_H */

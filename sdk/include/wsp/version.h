/* wsp/version.h - version numbers of the wsp release these headers belong to.
 */
#ifndef WSP_VERSION_H
#define WSP_VERSION_H

#define WSP_VERSION_MAJOR  0
#define WSP_VERSION_MINOR  5
#define WSP_VERSION_PATCH  0
#define WSP_VERSION_STRING "0.5.0"
/*
 * 0.3.0 released plugin ABI 2.0, frozen from then on: later 0.x and 1.x
 * releases grow it only by 2.x minors (docs/abi.md; its headers as
 * released are kept in tests/abi/sdk-2.0).
 */
/* 0xMMmmpp, for compile-time comparisons */
#define WSP_VERSION_HEX                                                        \
	((WSP_VERSION_MAJOR << 16) | (WSP_VERSION_MINOR << 8) |                \
	 WSP_VERSION_PATCH)

#endif /* WSP_VERSION_H */

/*
 * core/grow.h - room for one more item in an array that doubles (never
 * installed): the lists the core builds item by item (listings, search
 * rows, skills, state files, YAML nodes) grow the same way.
 */
#ifndef WSP_CORE_GROW_H
#define WSP_CORE_GROW_H

#include "internal.h"

#include <stddef.h>

/*
 * v holds *cap items of size bytes, n of them used. When it is full, it
 * is reallocated to twice as many (first when it had none) and *cap
 * says so. Returns the array to use from now on (v itself when there
 * was room), or NULL when out of memory: then v and *cap are as they
 * were, and v is still the caller's to free.
 */
WSP_INTERNAL void *wsp__grow(void *v, size_t *cap, size_t n, size_t size,
			     size_t first);

#endif /* WSP_CORE_GROW_H */

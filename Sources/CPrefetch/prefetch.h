// A cache prefetch hint, which Swift has no spelling for. Header-only: Swift inlines it, so
// the hint costs one instruction in the loops that use it.
#ifndef GRIDKEEPER_PREFETCH_H
#define GRIDKEEPER_PREFETCH_H

/// Asks the CPU to bring the cache line holding `address` closer (for reading, keep in all
/// levels). A hint only: never faults, whatever the address.
static inline __attribute__((always_inline)) void gk_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif

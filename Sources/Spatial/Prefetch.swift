import CPrefetch

/// Asks the CPU to bring the cache line holding `address` closer, for reading: a hint that
/// never faults, whatever the address. For loops that know a few iterations ahead where they
/// will read, when each of those reads would otherwise miss the cache and wait.
@inlinable @inline(__always)
public func prefetch(_ address: UnsafeRawPointer) {
    gk_prefetch(address)
}

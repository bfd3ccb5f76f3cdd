import Foundation

/// How the process's heap treats big blocks, set once at start-up.
public enum HeapPolicy {
    /// Keeps freed big blocks in the heap for reuse. Bulk work grows big buffers by doubling;
    /// by default glibc maps each block above 128 KiB fresh from the OS and unmaps it when
    /// freed, so every growth faults in new pages (a good part of a bulk run's page faults:
    /// tools/bench/README.md has the figures). Peak memory is unchanged: streaming
    /// work frees and reuses the same blocks. A no-op where the C library has no `mallopt`.
    public static func keepFreedBlocks() {
        // mallopt is glibc's, not in the module Swift imports; M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        _ = mallopt(-3, 256 << 20)
        _ = mallopt(-1, 1 << 30)
    }
}

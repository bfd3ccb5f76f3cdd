import Foundation

/// Memory for the kernel's big arrays (tens of megabytes, written once at load and read by
/// every probe), asked for in transparent huge pages where the system offers them: one page
/// fault per 2 MiB instead of one per 4 KiB, and fewer TLB misses on the probes' scattered
/// reads. Uninitialized; free with `LargeBuffer.free`.
enum LargeBuffer {
    private static let hugePage = 2 << 20

    static func allocate<T>(_ type: T.Type, capacity: Int) -> UnsafeMutableBufferPointer<T> {
        precondition(MemoryLayout<T>.alignment <= 16)
        let bytes = Swift.max(capacity, 1) * MemoryLayout<T>.stride
        var raw: UnsafeMutableRawPointer?
        if bytes >= 2 * hugePage {
            if posix_memalign(&raw, hugePage, bytes) != 0 { raw = nil }
            // Advice only: without huge pages the memory is the same, in small pages.
            if let raw { _ = madvise(raw, bytes, MADV_HUGEPAGE) }
        } else {
            raw = malloc(bytes)
        }
        guard let raw else { fatalError("out of memory for \(bytes) bytes") }
        return UnsafeMutableBufferPointer(start: raw.bindMemory(to: T.self, capacity: Swift.max(capacity, 1)), count: capacity)
    }

    static func free<T>(_ buffer: UnsafeMutableBufferPointer<T>) {
        Foundation.free(buffer.baseAddress)
    }
}

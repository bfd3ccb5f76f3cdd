import Spatial

/// Many short byte strings in one allocation (e.g. every member's CSV-encoded code), so the
/// row formatter appends them without touching any reference count.
///
/// Each string has a slot of the same size (its length, then its bytes): the formatter reads
/// the strings of random members, and a slot costs one cache miss where an offsets table and
/// a separate byte array cost two. Immutable once built; `view` is valid while this object lives.
final class ByteStrings: @unchecked Sendable {
    let view: View

    struct View: @unchecked Sendable {
        fileprivate let base: UnsafeMutableRawPointer
        /// Bytes per slot: 4 for the length, then room for the longest string.
        fileprivate let stride: Int

        @inline(__always)
        subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
            let slot = base + i &* stride
            let count = Int(slot.loadUnaligned(as: UInt32.self))
            return UnsafeBufferPointer(start: (slot + 4).assumingMemoryBound(to: UInt8.self), count: count)
        }

        /// Asks for string i's slot ahead of reading it (see `Spatial.prefetch`).
        @inline(__always)
        func prefetch(_ i: Int) {
            let slot = base + i &* stride
            Spatial.prefetch(slot)
            if stride > 64 { Spatial.prefetch(slot + stride - 1) }
        }
    }

    convenience init(_ strings: [[UInt8]]) {
        self.init(count: strings.count) { i, out in out += strings[i] }
    }

    /// String i is what `write(i, &out)` appends to an empty `out`.
    init(count: Int, _ write: (Int, inout [UInt8]) -> Void) {
        // All strings end to end first (one growing array, no array per string), then in slots.
        var all: [UInt8] = [], ends: [Int] = []
        ends.reserveCapacity(count)
        for i in 0..<count {
            write(i, &all)
            ends.append(all.count)
        }
        var longest = 0
        for i in 0..<count { longest = max(longest, ends[i] - (i == 0 ? 0 : ends[i - 1])) }
        // Rounded up to 8 bytes, so that slots start aligned.
        let stride = (4 + longest + 7) / 8 * 8
        let base = UnsafeMutableRawPointer.allocate(byteCount: max(stride * count, 8), alignment: 8)
        all.withUnsafeBytes { bytes in
            for i in 0..<count {
                let start = i == 0 ? 0 : ends[i - 1], slot = base + i * stride
                slot.storeBytes(of: UInt32(ends[i] - start), as: UInt32.self)
                if ends[i] > start { (slot + 4).copyMemory(from: bytes.baseAddress! + start, byteCount: ends[i] - start) }
            }
        }
        view = View(base: base, stride: stride)
    }

    deinit { view.base.deallocate() }
}

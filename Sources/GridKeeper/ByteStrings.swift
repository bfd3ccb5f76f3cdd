/// Many short byte strings end to end in one allocation (e.g. every member's CSV-encoded
/// code), so the row formatter appends them without touching any reference count.
/// Immutable once built; `view` is valid while this object lives.
final class ByteStrings: @unchecked Sendable {
    let view: View

    struct View: @unchecked Sendable {
        fileprivate let bytes: UnsafeMutableBufferPointer<UInt8>
        /// String i is `bytes[offsets[i]..<offsets[i + 1]]`.
        fileprivate let offsets: UnsafeMutableBufferPointer<Int>

        @inline(__always)
        subscript(i: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: bytes[offsets[i]..<offsets[i + 1]])
        }
    }

    init(_ strings: [[UInt8]]) {
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(strings.reduce(0) { $0 + $1.count }, 1))
        let offsets = UnsafeMutableBufferPointer<Int>.allocate(capacity: strings.count + 1)
        var at = 0
        for (i, s) in strings.enumerated() {
            offsets[i] = at
            for b in s { bytes[at] = b; at += 1 }
        }
        offsets[strings.count] = at
        view = View(bytes: bytes, offsets: offsets)
    }

    deinit {
        view.bytes.deallocate()
        view.offsets.deallocate()
    }
}

import Foundation

/// A growable byte buffer for formatted rows: appends are a bounds check and a copy, with no
/// uniqueness or exclusivity checks (an `[UInt8]` pays those on every append). Reused from
/// chunk to chunk; one per worker, handed to the background writer and back, never used by
/// two threads at once.
final class RowBuffer: @unchecked Sendable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    func removeAll() { count = 0 }

    private func grow(_ needed: Int) {
        var c = capacity * 2
        while c < count + needed { c *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = c
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        if count == capacity { grow(1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func append(_ text: UnsafeBufferPointer<UInt8>) {
        let n = text.count
        if count + n > capacity { grow(n) }
        if n > 0 { (base + count).update(from: text.baseAddress!, count: n) }
        count += n
    }

    func append(_ text: [UInt8]) { text.withUnsafeBufferPointer { append($0) } }

    func append<S: Sequence>(contentsOf text: S) where S.Element == UInt8 {
        for b in text { append(b) }
    }
}

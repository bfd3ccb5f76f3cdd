/// A `CellIndex` as bytes, to keep it and read it back instead of building it again.
///
/// Layout: eight 64-bit words — a byte-order mark, the tolerance, minX, minY and inverseSize
/// as bit patterns, columns, rows and the number of entries — then `cellStart` (Int32,
/// columns × rows + 1 of them) and `entries` (UInt32), in the machine's byte order (the mark
/// tells a file from a machine of the other order, which then builds its own).
extension CellIndex {
    private static let byteOrderMark: UInt64 = 0x0102_0304_0506_0708
    private static let headerWords = 8

    public func encoded() -> [UInt8] {
        let s = storage
        // `entries` has room for one entry at least; the used ones end where the last cell does.
        let entryCount = Int(s.cellStart[s.cellStart.count - 1])
        let header: [UInt64] = [Self.byteOrderMark, s.tolerance.bitPattern, s.minX.bitPattern, s.minY.bitPattern, s.inverseSize.bitPattern,
                                UInt64(s.columns), UInt64(s.rows), UInt64(entryCount)]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(header.count * 8 + s.cellStart.count * 4 + entryCount * 4)
        header.withUnsafeBytes { bytes += $0 }
        bytes += UnsafeRawBufferPointer(s.cellStart)
        bytes += UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(s.entries)[0..<entryCount * 4])
        return bytes
    }

    /// The index `encoded()` made, checked to be a well-formed index over a set of
    /// `memberCount` members (every cell's range inside the entries, every member in the set);
    /// nil when the bytes are not one, so the caller builds it instead.
    public convenience init?(encoded bytes: UnsafeRawBufferPointer, memberCount: Int) {
        self.init(encodedCount: bytes.count, memberCount: memberCount) { buffer, offset in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + buffer.count)]))
            return true
        }
    }

    /// The same, from encoded bytes read piece by piece: `read(buffer, offset)` fills `buffer`
    /// with the `encodedCount` bytes' from `offset` on (false: it cannot). The arrays are read
    /// straight into the index's own memory, e.g. from a `SQLiteBlobReader`.
    public convenience init?(encodedCount: Int, memberCount: Int, read: (UnsafeMutableRawBufferPointer, Int) -> Bool) {
        guard encodedCount >= Self.headerWords * 8 else { return nil }
        var header = [UInt64](repeating: 0, count: Self.headerWords)
        guard header.withUnsafeMutableBytes({ read($0, 0) }) else { return nil }
        let tolerance = Double(bitPattern: header[1]), minX = Double(bitPattern: header[2]), minY = Double(bitPattern: header[3])
        let inverseSize = Double(bitPattern: header[4])
        guard header[0] == Self.byteOrderMark, tolerance >= 0, tolerance.isFinite, minX.isFinite, minY.isFinite,
              inverseSize > 0, inverseSize.isFinite, header[5] >= 1, header[6] >= 1, header[5] < 1 << 31, header[6] < 1 << 31,
              header[7] < 1 << 31 else { return nil }
        let columns = Int(header[5]), rows = Int(header[6]), entryCount = Int(header[7])
        let (cells, overflow) = columns.multipliedReportingOverflow(by: rows)
        guard !overflow, encodedCount == Self.headerWords * 8 + (cells + 1) * 4 + entryCount * 4 else { return nil }
        let cellStart = LargeBuffer.allocate(Int32.self, capacity: cells + 1)
        let entries = LargeBuffer.allocate(UInt32.self, capacity: Swift.max(entryCount, 1))
        let startsAt = Self.headerWords * 8, entriesAt = startsAt + (cells + 1) * 4
        var wellFormed = read(UnsafeMutableRawBufferPointer(cellStart), startsAt)
            && read(UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(entries)[0..<entryCount * 4]), entriesAt)
        wellFormed = wellFormed && cellStart[0] == 0 && Int(cellStart[cells]) == entryCount
        for k in 0..<cells where wellFormed && cellStart[k] > cellStart[k + 1] { wellFormed = false; break }
        for e in 0..<entryCount where wellFormed && Storage.member(entries[e]) >= memberCount { wellFormed = false; break }
        guard wellFormed else {
            LargeBuffer.free(cellStart)
            LargeBuffer.free(entries)
            return nil
        }
        self.init(storage: Storage(tolerance: tolerance, minX: minX, minY: minY, inverseSize: inverseSize,
                                   columns: columns, rows: rows, cellStart: cellStart, entries: entries))
    }
}

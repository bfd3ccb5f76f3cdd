import Foundation

/// The fast path for big point files: a memory-mapped UTF-8 CSV without quotes, cut into
/// lines on one thread and parsed field by field on any thread, straight from the mapped
/// bytes (no String per field). Files with quotes or in another encoding take `CSVReader`.
public final class CSVPointLines: @unchecked Sendable {
    public let file: MappedFile
    public let header: [String]
    public let xColumn: Int, yColumn: Int, idColumn: Int?
    private var position: Int
    private var line = 1

    /// nil when the file does not qualify (quotes, not UTF-8, no coordinate columns): use `CSVReader`.
    public init?(path: String) {
        guard path != "-", let file = try? MappedFile(path: path) else { return nil }
        let bytes = file.bytes
        guard bytes.count > 0 else { return nil }
        // Look for quotes window by window, releasing each window's pages at once: a scan of
        // the whole file would otherwise hold all of it in memory.
        let window = 8 << 20
        for start in stride(from: 0, to: bytes.count, by: window) {
            let n = min(window, bytes.count - start)
            file.prefault(start..<(start + n))
            let quote = memchr(bytes.baseAddress! + start, 0x22, n)
            file.release(before: start + n)
            if quote != nil { return nil }
        }
        // The same rule as CSVReader's detection: the first 64 KiB must be UTF-8.
        // (A character cut at the end of the sample is allowed.)
        let sample = Array(bytes[0..<min(bytes.count, 1 << 16)])
        guard (0...3).contains(where: { String(validating: sample.dropLast($0), as: UTF8.self) != nil }) else { return nil }
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        var end = start
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        var headerEnd = end
        if headerEnd > start && bytes[headerEnd - 1] == 0x0D { headerEnd -= 1 }
        let names = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<headerEnd]), as: UTF8.self)
            .split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        // A header it cannot use is the general reader's to report.
        guard let columns = try? CSVPointSource.columns(of: names) else { return nil }
        self.file = file
        header = names
        xColumn = columns.x; yColumn = columns.y
        idColumn = columns.id
        position = min(end + 1, bytes.count)
        line = 2
    }

    /// A line of the file: byte range (without the line break) and 1-based line number.
    public struct Line: Sendable {
        public let start: Int
        public let end: Int
        public let number: Int
    }

    /// Bytes read so far and in all, for progress.
    public var done: Int { position }
    public var total: Int { file.bytes.count }

    /// Up to `capacity` non-blank lines; empty at the end of the file.
    /// The lines handed out before are done with: their pages are released.
    public func nextLines(_ capacity: Int, into lines: inout [Line]) {
        if let first = lines.first { file.release(before: first.start) }
        lines.removeAll(keepingCapacity: true)
        let bytes = file.bytes
        guard let base = bytes.baseAddress else { return }
        // Lines are rarely longer than 64 bytes; a longer chunk faults in the rest as it goes.
        file.prefault(position..<(position + capacity * 64))
        while lines.count < capacity && position < bytes.count {
            let newline = memchr(base + position, 0x0A, bytes.count - position)
            let end = newline.map { UnsafePointer<UInt8>($0.assumingMemoryBound(to: UInt8.self)) - base } ?? bytes.count
            var contentEnd = end
            if contentEnd > position && bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            if contentEnd > position { lines.append(Line(start: position, end: contentEnd, number: line)) }
            position = end + 1
            line += 1
        }
    }

    /// The byte ranges of a line's fields; false when the count differs from the header's.
    @inline(__always)
    public func fields(of l: Line, into ranges: UnsafeMutableBufferPointer<Range<Int>>) -> Int {
        // Fields are short: a plain loop beats a memchr call per field.
        let base = file.bytes.baseAddress!
        var count = 0, start = l.start, at = l.start
        while count < ranges.count {
            while at < l.end && base[at] != 0x2C { at += 1 }
            ranges[count] = start..<at
            count += 1
            if at == l.end { return count }
            at += 1
            start = at
        }
        return count + 1  // more fields than the header
    }

    /// A field as a finite Double, or nil.
    @inline(__always)
    public func double(_ r: Range<Int>) -> Double? {
        let n = r.count
        guard n > 0, n < 64 else { return nil }
        if let v = DecimalParser.parse(file.bytes.baseAddress! + r.lowerBound, count: n) { return v }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            let base = file.bytes.baseAddress! + r.lowerBound
            for i in 0..<n { buffer[i] = CChar(bitPattern: base[i]) }
            buffer[n] = 0
            var end: UnsafeMutablePointer<CChar>?
            let v = strtod(buffer.baseAddress!, &end)
            guard let end else { return nil }
            var consumed = end - buffer.baseAddress!
            while consumed < n && (buffer[consumed] == 0x20 || buffer[consumed] == 0x09) { consumed += 1 }
            var leading = 0
            while leading < n && (buffer[leading] == 0x20 || buffer[leading] == 0x09) { leading += 1 }
            guard consumed == n, consumed > leading, v.isFinite else { return nil }
            return v
        }
    }

    public func text(_ r: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: file.bytes[r]), as: UTF8.self)
    }
}

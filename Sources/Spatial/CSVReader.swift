import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// `TextEncoding` is declared in TextEncoding.swift.
extension TextEncoding {
    /// On Linux Foundation only knows GB18030 by its CoreFoundation raw value;
    /// the raw value of plain GBK decodes to nil there.
    static let foundationGB18030 = String.Encoding(rawValue: 0x8000_0632)

    /// Strictly decodes `bytes` as a whole; nil when they are not valid text in
    /// this encoding (never repairs with U+FFFD).
    func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        switch self {
        case .utf8:
            // ASCII needs no validation and takes the standard library's fastest path.
            if CSVReader.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
            return String(validating: bytes, as: UTF8.self)
        case .gb18030:
            // ASCII is identical in GB18030; skipping Foundation keeps numeric
            // columns of GBK files fast.
            if CSVReader.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
            guard let base = bytes.baseAddress else { return "" }
            return String(data: Data(bytes: base, count: bytes.count), encoding: Self.foundationGB18030)
        }
    }
}

/// One record (row) of a CSV file.
extension String {
    /// The text without leading and trailing spaces and tabs (what `trimmingCharacters(in:
    /// .whitespaces)` removes from a CSV cell); a cell without any, as most are, is returned
    /// as it is without going through Foundation, which costs a microsecond per cell.
    public var trimmingBlanks: String {
        let u = utf8
        guard let first = u.first, let last = u.last else { return self }
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        guard blank(first) || blank(last) || first >= 0x80 || last >= 0x80 else { return self }
        return trimmingCharacters(in: .whitespaces)
    }
}

public struct CSVRecord: Sendable, Equatable {
    /// Field values, decoded and with quotes removed.
    public let fields: [String]
    /// 1-based physical line on which the record starts (see `CSVReader` for
    /// what counts as a line).
    public let line: Int

    public init(fields: [String], line: Int) {
        self.fields = fields
        self.line = line
    }
}

/// A malformed input, an I/O failure or an invalid option. `description` is a
/// complete sentence meant for the end user.
public struct CSVError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Opening, reading, writing or closing a file failed.
        case io
        /// A quoted field has no closing quote before the end of input.
        case unterminatedQuote
        /// A closing quote is followed by something other than a separator or line end.
        case characterAfterQuote
        /// Bytes are not valid in the chosen or detected encoding, or the
        /// encoding could not be detected.
        case invalidEncoding
        /// A record is longer than the configured maximum.
        case recordTooLarge
        /// The writer's encoding cannot represent a character.
        case unencodableCharacter
        /// An unusable separator or combination of options.
        case invalidOption
    }

    public let kind: Kind
    /// 1-based physical line the problem is on, when it concerns input text.
    public let line: Int?
    public let message: String

    public init(kind: Kind, line: Int?, message: String) {
        self.kind = kind
        self.line = line
        self.message = message
    }

    public var description: String { message }
}

/// Streaming RFC 4180 reader that holds at most one buffer of input (1 MiB
/// reads, growing only to fit a single long record) regardless of file size.
///
/// Exact semantics:
/// - Input is parsed as bytes. A line ends at LF, CRLF or a lone CR; line 1 is
///   the first line of the file. Line breaks inside quoted fields count as lines
///   too, so `CSVRecord.line` and error lines match what an editor shows.
/// - A UTF-8 byte order mark (EF BB BF) at the very start is skipped and does
///   not belong to the first field; so is a GB18030 one (84 31 95 33) when the
///   encoding is GB18030.
/// - Empty lines (no bytes between two line ends) are skipped and produce no
///   record. A line holding only spaces or only `""` is a record with one field.
/// - A field that starts with `"` is quoted: it runs to the next `"` that is not
///   doubled, may contain separators, CR and LF, and `""` in it stands for one
///   `"`. After the closing quote only a separator, a line end or the end of
///   input may follow; anything else is an error. A `"` inside an unquoted field
///   (`12"`) is kept literally, as spreadsheets do.
/// - A separator at the end of a line means a last, empty field.
/// - Fields are decoded one by one after the whole record is buffered, so a
///   multi-byte character is never split; invalid bytes are an error naming
///   the line and field, never replaced.
/// - A record longer than `maxRecordBytes` bytes (without its line end) is an
///   error, which bounds memory on e.g. a 100 MB file without line breaks.
public final class CSVReader {
    public static let defaultMaxRecordBytes = 16 << 20
    static let defaultChunkSize = 1 << 20
    /// How much of the input encoding detection looks at.
    static let detectionWindow = 64 << 10

    /// Encoding the reader decodes with: the one passed in, or the detected one.
    public private(set) var encoding: TextEncoding
    public let separator: UInt8
    public let maxRecordBytes: Int

    private let name: String
    private let descriptor: Int32
    private let closesDescriptor: Bool
    private let memory: [UInt8]?
    private var memoryOffset = 0
    private let chunkSize: Int

    // Unconsumed input is storage[start..<end]; everything before `start` is done.
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var start = 0
    private var end = 0
    private var atEOF = false
    /// Physical line of the byte at `start`.
    private var line = 1
    /// The previous line ended with CR, so an LF right after it finishes that
    /// line break instead of being an empty line.
    private var skipLF = false
    /// Set when a GB18030 trail byte could be mistaken for the separator
    /// (separators in 0x30...0x7E such as '|'); then unquoted fields are scanned
    /// character by character rather than byte by byte.
    private var pairsTrailBytes = false
    private var spans: [FieldSpan] = []
    private var unescaped: [UInt8] = []

    /// Reads the file at `path`, or standard input when `path` is "-".
    /// - Parameter encoding: nil detects it from the first 64 KiB: valid UTF-8
    ///   (a character cut at the 64 KiB mark is fine) means UTF-8, otherwise
    ///   text that decodes as GB18030 means GB18030, otherwise an error.
    ///   Detection cannot see past 64 KiB: a file that is ASCII that far and GBK
    ///   later is read as UTF-8 and fails on the first GBK field.
    /// - Parameter separator: an ASCII byte other than `"`, CR and LF.
    public convenience init(path: String, encoding: TextEncoding? = nil,
                            separator: UInt8 = UInt8(ascii: ","),
                            maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes) throws {
        try self.init(path: path, encoding: encoding, separator: separator,
                      maxRecordBytes: maxRecordBytes, chunkSize: Self.defaultChunkSize)
    }

    /// Reads CSV text held in memory; same options as `init(path:)`.
    public convenience init(bytes: [UInt8], encoding: TextEncoding? = nil,
                            separator: UInt8 = UInt8(ascii: ","),
                            maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes) throws {
        try self.init(bytes: bytes, encoding: encoding, separator: separator,
                      maxRecordBytes: maxRecordBytes, chunkSize: Self.defaultChunkSize)
    }

    /// Reads CSV text held in memory; same options as `init(path:)`.
    public convenience init(data: Data, encoding: TextEncoding? = nil,
                            separator: UInt8 = UInt8(ascii: ","),
                            maxRecordBytes: Int = CSVReader.defaultMaxRecordBytes) throws {
        try self.init(bytes: [UInt8](data), encoding: encoding, separator: separator, maxRecordBytes: maxRecordBytes)
    }

    convenience init(path: String, encoding: TextEncoding?, separator: UInt8,
                     maxRecordBytes: Int, chunkSize: Int) throws {
        if path == "-" {
            try self.init(name: "standard input", descriptor: 0, closesDescriptor: false, memory: nil,
                          encoding: encoding, separator: separator, maxRecordBytes: maxRecordBytes, chunkSize: chunkSize)
            return
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CSVError(kind: .io, line: nil, message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        try self.init(name: path, descriptor: fd, closesDescriptor: true, memory: nil,
                      encoding: encoding, separator: separator, maxRecordBytes: maxRecordBytes, chunkSize: chunkSize)
    }

    /// `chunkSize` is the size of one read; tests make it tiny to put chunk
    /// boundaries inside quoted fields and characters.
    convenience init(bytes: [UInt8], encoding: TextEncoding?, separator: UInt8,
                     maxRecordBytes: Int, chunkSize: Int) throws {
        try self.init(name: "input", descriptor: -1, closesDescriptor: false, memory: bytes,
                      encoding: encoding, separator: separator, maxRecordBytes: maxRecordBytes, chunkSize: chunkSize)
    }

    private init(name: String, descriptor: Int32, closesDescriptor: Bool, memory: [UInt8]?,
                 encoding: TextEncoding?, separator: UInt8, maxRecordBytes: Int, chunkSize: Int) throws {
        self.name = name
        self.descriptor = descriptor
        self.closesDescriptor = closesDescriptor
        self.memory = memory
        self.encoding = encoding ?? .utf8
        self.separator = separator
        self.maxRecordBytes = max(1, maxRecordBytes)
        self.chunkSize = max(1, chunkSize)
        capacity = max(self.chunkSize, 16)
        storage = .allocate(capacity: capacity)
        // From here on deinit runs if we throw, closing the descriptor.

        guard separator < 0x80, separator != Self.quote, separator != Self.lf, separator != Self.cr else {
            throw CSVError(kind: .invalidOption, line: nil,
                           message: "separator must be an ASCII character other than a quote or line break")
        }
        try fill(toAtLeast: 4)
        if hasPrefix([0xEF, 0xBB, 0xBF]) { start += 3 }
        if hasPrefix([0xFF, 0xFE]) || hasPrefix([0xFE, 0xFF]) {
            // Excel's "Unicode Text" export; without this it would only be "invalid UTF-8".
            throw CSVError(kind: .invalidEncoding, line: 1,
                           message: "\(name) is UTF-16 text, which is not supported; save it as CSV UTF-8")
        }
        if encoding == nil {
            try fill(toAtLeast: Self.detectionWindow)
            self.encoding = try detectEncoding()
        }
        if self.encoding == .gb18030 {
            if hasPrefix([0x84, 0x31, 0x95, 0x33]) { start += 4 }
            pairsTrailBytes = (0x30...0x7E).contains(separator)
        }
    }

    deinit {
        storage.deallocate()
        if closesDescriptor { _ = close(descriptor) }
    }

    /// The next record, or nil at the end of input. After an error the reader
    /// should not be used any more.
    public func next() throws -> CSVRecord? {
        while true {
            // Line ends between records: each one is an empty line to skip.
            while start < end {
                let byte = storage[start]
                if byte == Self.lf {
                    if skipLF { skipLF = false } else { line += 1 }
                } else if byte == Self.cr {
                    line += 1
                    skipLF = true
                } else {
                    break
                }
                start += 1
            }
            if start == end {
                if atEOF { return nil }
                try refill(atLeast: 1)
                continue
            }
            skipLF = false

            var spans = self.spans
            self.spans = []  // keeps `spans` uniquely referenced, so no copy on append
            defer { self.spans = spans }
            guard let scan = try scanRecord(into: &spans) else {
                let pending = end - start
                if pending > maxRecordBytes { throw recordTooLarge() }
                // Rescanning restarts at the record start, so for long records
                // read at least as much again as is pending: total work stays
                // linear in the record length.
                try refill(atLeast: pending >= chunkSize ? min(pending, maxRecordBytes + 2 - pending) : 1)
                continue
            }
            if scan.contentEnd - start > maxRecordBytes { throw recordTooLarge() }
            var fields: [String] = []
            fields.reserveCapacity(spans.count)
            for (index, span) in spans.enumerated() {
                fields.append(try decodeField(span, index: index))
            }
            let record = CSVRecord(fields: fields, line: line)
            line += scan.lineBreaks
            start = scan.next
            skipLF = scan.endedWithCR
            return record
        }
    }

    // MARK: - Scanning

    static let quote = UInt8(ascii: "\"")
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")

    /// A field's bytes in `storage`: without the enclosing quotes, and with
    /// `""` still doubled when `escaped`.
    struct FieldSpan {
        var start: Int
        var end: Int
        var escaped: Bool
    }

    struct ScanResult {
        /// End of the record's bytes, before its line end.
        var contentEnd: Int
        /// Where the next record may start.
        var next: Int
        /// Lines the record spans, counting its own line end.
        var lineBreaks: Int
        var endedWithCR: Bool
    }

    /// Splits the record at `start` into field spans. Returns nil when the
    /// buffer ends before the record does and more input may follow; the caller
    /// then reads more and rescans from `start`, which keeps this a pure
    /// function of the buffered bytes.
    private func scanRecord(into spans: inout [FieldSpan]) throws -> ScanResult? {
        let buf = storage, limit = end, sep = separator, eof = atEOF, pairs = pairsTrailBytes
        let quote = Self.quote, lf = Self.lf, cr = Self.cr
        var p = start
        var breaks = 0
        spans.removeAll(keepingCapacity: true)
        while true {
            if p == limit {  // only right after a separator
                guard eof else { return nil }
                spans.append(FieldSpan(start: p, end: p, escaped: false))
                return ScanResult(contentEnd: p, next: p, lineBreaks: breaks, endedWithCR: false)
            }
            if buf[p] == quote {
                let openingLine = line + breaks
                var q = p + 1
                var escaped = false
                while true {
                    while q < limit {
                        let b = buf[q]
                        if b == quote || b == lf || b == cr { break }
                        q += 1
                    }
                    if q == limit {
                        guard eof else { return nil }
                        throw CSVError(kind: .unterminatedQuote, line: openingLine,
                                       message: "unterminated quote starting at line \(openingLine): no closing quote before the end of \(name)")
                    }
                    let b = buf[q]
                    if b != quote {
                        // buf[q - 1] exists: at least the opening quote precedes.
                        if b == cr || buf[q - 1] != cr { breaks += 1 }
                        q += 1
                        continue
                    }
                    if q + 1 == limit {
                        guard eof else { return nil }
                        spans.append(FieldSpan(start: p + 1, end: q, escaped: escaped))
                        return ScanResult(contentEnd: limit, next: limit, lineBreaks: breaks, endedWithCR: false)
                    }
                    let after = buf[q + 1]
                    if after == quote {
                        escaped = true
                        q += 2
                        continue
                    }
                    spans.append(FieldSpan(start: p + 1, end: q, escaped: escaped))
                    p = q + 1
                    if after == sep { break }
                    if after == lf || after == cr {
                        return ScanResult(contentEnd: p, next: p + 1, lineBreaks: breaks + 1, endedWithCR: after == cr)
                    }
                    let badLine = line + breaks
                    throw CSVError(kind: .characterAfterQuote, line: badLine,
                                   message: "unexpected character after a closing quote at line \(badLine) (field \(spans.count)); a quote inside a quoted field must be doubled")
                }
                p += 1  // past the separator
            } else {
                var q = p
                while q < limit {
                    let b = buf[q]
                    if b == sep || b == lf || b == cr { break }
                    if pairs && b >= 0x81 && b != 0xFF {
                        // Step over the byte after a GB18030 lead byte: it may
                        // equal the separator without being one.
                        guard q + 1 < limit else {
                            if eof { q += 1; continue }
                            return nil
                        }
                        let t = buf[q + 1]
                        if t >= 0x30 && t != 0x7F && t != 0xFF && !(0x3A...0x3F).contains(t) { q += 1 }
                    }
                    q += 1
                }
                spans.append(FieldSpan(start: p, end: q, escaped: false))
                if q == limit {
                    guard eof else { return nil }
                    return ScanResult(contentEnd: q, next: q, lineBreaks: breaks, endedWithCR: false)
                }
                let b = buf[q]
                if b != sep {
                    return ScanResult(contentEnd: q, next: q + 1, lineBreaks: breaks + 1, endedWithCR: b == cr)
                }
                p = q + 1
            }
        }
    }

    // MARK: - Decoding

    private func decodeField(_ span: FieldSpan, index: Int) throws -> String {
        let raw = UnsafeBufferPointer(start: storage + span.start, count: span.end - span.start)
        if span.escaped {
            unescaped.removeAll(keepingCapacity: true)
            var i = 0
            while i < raw.count {
                unescaped.append(raw[i])
                i += raw[i] == Self.quote ? 2 : 1  // the scanner only lets `""` through
            }
            return try unescaped.withUnsafeBufferPointer { try decode($0, span: span, index: index) }
        }
        return try decode(raw, span: span, index: index)
    }

    private func decode(_ bytes: UnsafeBufferPointer<UInt8>, span: FieldSpan, index: Int) throws -> String {
        if let text = encoding.decode(bytes) { return text }
        // Count line ends before the field, for fields after a multi-line one.
        var fieldLine = line
        var i = start
        while i < span.start {
            let b = storage[i]
            if b == Self.cr || (b == Self.lf && (i == start || storage[i - 1] != Self.cr)) { fieldLine += 1 }
            i += 1
        }
        var message: String
        switch encoding {
        case .utf8:
            message = "invalid UTF-8 text at line \(fieldLine) (field \(index + 1))"
            if TextEncoding.gb18030.decode(bytes) != nil {
                message += ": file is not UTF-8; it looks like GBK/GB18030: pass --encoding gbk"
            }
        case .gb18030:
            message = "invalid GB18030/GBK text at line \(fieldLine) (field \(index + 1))"
        }
        throw CSVError(kind: .invalidEncoding, line: fieldLine, message: message)
    }

    private func recordTooLarge() -> CSVError {
        CSVError(kind: .recordTooLarge, line: line,
                 message: "record starting at line \(line) is longer than \(maxRecordBytes) bytes (maxRecordBytes); is the file really CSV with line breaks?")
    }

    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var any: UInt8 = 0
        for b in bytes { any |= b }
        return any < 0x80
    }

    // MARK: - Encoding detection

    private func detectEncoding() throws -> TextEncoding {
        let available = end - start
        let window = UnsafeBufferPointer(start: storage + start, count: min(available, Self.detectionWindow))
        // More input may follow the window, so its last character may be cut.
        let cut = available > Self.detectionWindow || !atEOF
        let invalidAt: Int
        switch Self.validateUTF8(window) {
        case .valid: return .utf8
        case .truncated(let offset):
            if cut { return .utf8 }
            invalidAt = offset
        case .invalid(let offset):
            invalidAt = offset
        }
        for drop in 0...(cut ? 3 : 0) where drop < window.count {
            if TextEncoding.gb18030.decode(UnsafeBufferPointer(rebasing: window.dropLast(drop))) != nil {
                return .gb18030
            }
        }
        var badLine = 1
        for i in 0..<invalidAt where window[i] == Self.cr || (window[i] == Self.lf && (i == 0 || window[i - 1] != Self.cr)) {
            badLine += 1
        }
        throw CSVError(kind: .invalidEncoding, line: badLine,
                       message: "cannot detect the text encoding of \(name): invalid UTF-8 at line \(badLine), and the start of the file is not GB18030/GBK either")
    }

    enum UTF8Validity: Equatable {
        case valid
        /// Valid up to a sequence that starts at `offset` and is cut by the end.
        case truncated(at: Int)
        case invalid(at: Int)
    }

    /// Strict UTF-8 check (no overlongs, surrogates or values past U+10FFFF)
    /// that, unlike the standard library's, says whether the only problem is a
    /// character cut at the end.
    static func validateUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> UTF8Validity {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF  // allowed range of the second byte
            switch b {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return .invalid(at: i)
            }
            for k in 1..<length {
                guard i + k < n else { return .truncated(at: i) }
                let c = bytes[i + k]
                let ok = k == 1 ? (low...high).contains(c) : (0x80...0xBF).contains(c)
                if !ok { return .invalid(at: i) }
            }
            i += length
        }
        return .valid
    }

    // MARK: - Input

    private func hasPrefix(_ prefix: [UInt8]) -> Bool {
        guard end - start >= prefix.count else { return false }
        for (k, b) in prefix.enumerated() where storage[start + k] != b { return false }
        return true
    }

    private func fill(toAtLeast count: Int) throws {
        while !atEOF && end - start < count {
            try refill(atLeast: count - (end - start))
        }
    }

    /// Moves unconsumed bytes to the front, grows the buffer if needed, and
    /// reads until `atLeast` new bytes arrived or the input ended.
    private func refill(atLeast: Int) throws {
        if start > 0 {
            let pending = end - start
            if pending > 0 { storage.update(from: storage + start, count: pending) }
            start = 0
            end = pending
        }
        let wanted = max(chunkSize, atLeast)
        if capacity - end < wanted {
            let newCapacity = max(capacity * 2, end + wanted)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: storage, count: end)
            storage.deallocate()
            storage = grown
            capacity = newCapacity
        }
        var got = 0
        while got < atLeast && !atEOF {
            let n = try readInput(into: storage + end, count: min(capacity - end, max(chunkSize, atLeast - got)))
            if n == 0 { atEOF = true }
            end += n
            got += n
        }
    }

    private func readInput(into destination: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        if let memory {
            let n = min(count, memory.count - memoryOffset)
            if n > 0 {
                memory.withUnsafeBufferPointer { destination.update(from: $0.baseAddress! + memoryOffset, count: n) }
                memoryOffset += n
            }
            return n
        }
        while true {
            let n = read(descriptor, destination, count)
            if n >= 0 { return n }
            if errno != EINTR {
                throw CSVError(kind: .io, line: nil, message: "cannot read \(name): \(String(cString: strerror(errno)))")
            }
        }
    }
}

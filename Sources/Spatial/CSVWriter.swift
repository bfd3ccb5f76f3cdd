import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered RFC 4180 writer for a file or standard output.
///
/// Exact semantics:
/// - A field is quoted when it contains the separator, `"`, CR or LF, starts or
///   ends with a space or tab (which many readers would trim), or starts with a
///   UTF-8 byte order mark (which a reader would strip at the start of a file).
///   Inside quotes `"` is doubled.
/// - A record made of one empty field is written as `""`, because readers skip
///   empty lines. An empty array does write an empty line, which readers skip.
/// - Output is buffered and written when 1 MiB has gathered, on `flush()`,
///   `close()` and deinit. Errors can only be reported by `flush()` and
///   `close()`; deinit drops them, so call `close()`.
public final class CSVWriter {
    public enum LineEnding: Sendable, Equatable {
        case lf
        case crlf
    }

    public let encoding: TextEncoding
    public let separator: UInt8
    public let lineEnding: LineEnding
    public let neutralizeFormulas: Bool

    static let flushThreshold = 1 << 20

    private let name: String
    private let descriptor: Int32
    private let closesDescriptor: Bool
    private var buffer: [UInt8] = []
    private var isClosed = false
    private var recordCount = 0

    /// Creates or truncates the file at `path`, or writes to standard output
    /// when `path` is "-".
    /// - Parameter encoding: `.gb18030` is for Excel/WPS on Chinese Windows;
    ///   characters outside GBK become 4-byte GB18030 sequences.
    /// - Parameter bom: start the output with a UTF-8 byte order mark, which
    ///   makes Excel read UTF-8 correctly. Only valid with `.utf8`.
    /// - Parameter neutralizeFormulas: prefix `'` to a field that starts with
    ///   `=`, `+`, `-`, `@`, tab or CR (OWASP CSV injection guidance), so a
    ///   spreadsheet shows it as text instead of evaluating it. A field that is
    ///   a plain decimal number such as `-12.5`, `+3` or `-1e-5` is left as is,
    ///   so negative coordinates stay numbers.
    public convenience init(path: String, encoding: TextEncoding = .utf8, bom: Bool = false,
                            separator: UInt8 = UInt8(ascii: ","), lineEnding: LineEnding = .lf,
                            neutralizeFormulas: Bool = true) throws {
        try self.init(destination: path == "-" ? .standardOutput : .path(path), encoding: encoding, bom: bom,
                      separator: separator, lineEnding: lineEnding, neutralizeFormulas: neutralizeFormulas)
    }

    /// Writes to `descriptor`, open for writing, which the writer now owns: `close()` (or
    /// deinit) closes it, and so does a failing initialiser. `name` is for messages.
    /// The other parameters are as for `init(path:)`.
    public convenience init(descriptor: Int32, name: String, encoding: TextEncoding = .utf8, bom: Bool = false,
                            separator: UInt8 = UInt8(ascii: ","), lineEnding: LineEnding = .lf,
                            neutralizeFormulas: Bool = true) throws {
        try self.init(destination: .descriptor(descriptor, name), encoding: encoding, bom: bom,
                      separator: separator, lineEnding: lineEnding, neutralizeFormulas: neutralizeFormulas)
    }

    private enum Destination {
        case standardOutput
        case path(String)
        case descriptor(Int32, String)
    }

    private init(destination: Destination, encoding: TextEncoding, bom: Bool, separator: UInt8,
                 lineEnding: LineEnding, neutralizeFormulas: Bool) throws {
        guard separator < 0x80, separator != Self.quote, separator != Self.lf, separator != Self.cr else {
            if case .descriptor(let fd, _) = destination { _ = closeDescriptor(fd) }
            throw CSVError(kind: .invalidOption, line: nil,
                           message: "separator must be an ASCII character other than a quote or line break")
        }
        guard !bom || encoding == .utf8 else {
            if case .descriptor(let fd, _) = destination { _ = closeDescriptor(fd) }
            throw CSVError(kind: .invalidOption, line: nil,
                           message: "a byte order mark can only be written with UTF-8; Excel misreads GB18030 files that have one")
        }
        self.encoding = encoding
        self.separator = separator
        self.lineEnding = lineEnding
        self.neutralizeFormulas = neutralizeFormulas
        switch destination {
        case .standardOutput:
            name = "standard output"
            descriptor = 1
            closesDescriptor = false
        case .path(let path):
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw CSVError(kind: .io, line: nil, message: "cannot create \(path): \(String(cString: strerror(errno)))")
            }
            name = path
            descriptor = fd
            closesDescriptor = true
        case .descriptor(let fd, let label):
            name = label
            descriptor = fd
            closesDescriptor = true
        }
        buffer.reserveCapacity(Self.flushThreshold + 64 << 10)
        if bom { buffer.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
    }

    deinit {
        if !isClosed {
            try? flush()
            if closesDescriptor { _ = closeDescriptor(descriptor) }
        }
    }

    /// Appends one record. On error nothing of the record is written.
    public func write(_ fields: [String]) throws {
        guard !isClosed else {
            throw CSVError(kind: .io, line: nil, message: "cannot write to \(name): the writer is closed")
        }
        recordCount += 1
        let recordStart = buffer.count
        do {
            if fields.count == 1 && fields[0].isEmpty {
                buffer.append(Self.quote)
                buffer.append(Self.quote)
            } else {
                for (index, field) in fields.enumerated() {
                    if index > 0 { buffer.append(separator) }
                    try append(field, index: index)
                }
            }
        } catch {
            buffer.removeSubrange(recordStart...)
            throw error
        }
        if lineEnding == .crlf { buffer.append(Self.cr) }
        buffer.append(Self.lf)
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Appends records already encoded by `encodedField` (UTF-8 writers only): lets worker
    /// threads format rows in parallel while one thread writes them in order.
    public func writeEncoded(_ bytes: UnsafeRawBufferPointer) throws {
        guard !isClosed else {
            throw CSVError(kind: .io, line: nil, message: "cannot write to \(name): the writer is closed")
        }
        // A big block (a worker's rows) goes out as it is, without a copy into the buffer.
        if bytes.count >= Self.flushThreshold {
            try flush()
            var written = 0
            try writeAll(bytes, written: &written)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// One field as this writer would write it in UTF-8: quoted when needed, a formula
    /// neutralised, quotes doubled.
    public static func encodedField(_ field: String, separator: UInt8 = UInt8(ascii: ","), neutralizeFormulas: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        appendEncodedField(field, to: &out, separator: separator, neutralizeFormulas: neutralizeFormulas)
        return out
    }

    /// `encodedField`, appended to `out` (no array of its own).
    public static func appendEncodedField(_ field: String, to out: inout [UInt8], separator: UInt8 = UInt8(ascii: ","), neutralizeFormulas: Bool = true) {
        var field = field
        // Native strings are contiguous UTF-8: scanned and copied as a buffer, not byte by byte.
        field.withUTF8 { utf8 in
            let quoted = needsQuotes(utf8, separator: separator)
            // Not reserveCapacity(out.count + …): on a growing array that reallocates on every call.
            if out.isEmpty { out.reserveCapacity(utf8.count + 2) }
            if quoted { out.append(quote) }
            if neutralizeFormulas && looksLikeFormula(utf8) { out.append(UInt8(ascii: "'")) }
            if quoted {
                for b in utf8 {
                    out.append(b)
                    if b == quote { out.append(quote) }
                }
                out.append(quote)
            } else {
                out.append(contentsOf: utf8)
            }
        }
    }

    /// Writes buffered records out.
    public func flush() throws {
        guard !buffer.isEmpty else { return }
        var written = 0
        defer { buffer.removeSubrange(..<written) }
        try buffer.withUnsafeBytes { bytes in try writeAll(bytes, written: &written) }
    }

    /// Writes `bytes` to the descriptor, retrying short writes; `written` counts what went out.
    private func writeAll(_ bytes: UnsafeRawBufferPointer, written: inout Int) throws {
        // Text printed through stdio (print) must come out before ours (the descriptor may
        // be a duplicate of standard output).
        fflush(nil)
        while written < bytes.count {
            let n = writeDescriptor(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                throw CSVError(kind: .io, line: nil, message: "cannot write to \(name): \(String(cString: strerror(errno)))")
            }
            written += n
        }
    }

    /// Flushes and closes the file; later calls do nothing, later writes throw.
    public func close() throws {
        guard !isClosed else { return }
        isClosed = true
        var failure: Error?
        do { try flush() } catch { failure = error }
        if closesDescriptor && closeDescriptor(descriptor) != 0 && failure == nil {
            // Delayed write errors (full disk, NFS) can surface only here.
            failure = CSVError(kind: .io, line: nil, message: "cannot write to \(name): \(String(cString: strerror(errno)))")
        }
        if let failure { throw failure }
    }

    // MARK: - Fields

    static let quote = UInt8(ascii: "\"")
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")

    private func append(_ field: String, index: Int) throws {
        let utf8 = field.utf8
        let quoted = Self.needsQuotes(utf8, separator: separator)
        if quoted { buffer.append(Self.quote) }
        if neutralizeFormulas && Self.looksLikeFormula(field) { buffer.append(UInt8(ascii: "'")) }
        if encoding == .utf8 || utf8.allSatisfy({ $0 < 0x80 }) {
            appendBytes(utf8, doublingQuotes: quoted)
        } else {
            // GB18030 trail bytes are never 0x22, so doubling quotes on the
            // encoded bytes is safe.
            guard let encoded = field.data(using: TextEncoding.foundationGB18030) else {
                let bad = field.unicodeScalars.first { String($0).data(using: TextEncoding.foundationGB18030) == nil }
                let code = bad.map { "U+" + String($0.value, radix: 16, uppercase: true) } ?? "?"
                throw CSVError(kind: .unencodableCharacter, line: nil,
                               message: "character \(code) in field \(index + 1) of record \(recordCount) cannot be written as GB18030")
            }
            appendBytes(encoded, doublingQuotes: quoted)
        }
        if quoted { buffer.append(Self.quote) }
    }

    private func appendBytes<Bytes: Sequence<UInt8>>(_ bytes: Bytes, doublingQuotes: Bool) {
        guard doublingQuotes else {
            buffer.append(contentsOf: bytes)
            return
        }
        for b in bytes {
            buffer.append(b)
            if b == Self.quote { buffer.append(Self.quote) }
        }
    }

    private static func needsQuotes(_ utf8: some BidirectionalCollection<UInt8>, separator: UInt8) -> Bool {
        guard let first = utf8.first, let last = utf8.last else { return false }
        if first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09 { return true }
        if first == 0xEF && utf8.starts(with: [0xEF, 0xBB, 0xBF]) { return true }
        for b in utf8 where b == separator || b == quote || b == lf || b == cr {
            return true
        }
        return false
    }

    /// Whether a spreadsheet could evaluate the field as a formula (OWASP CSV
    /// injection list), except plain numbers.
    static func looksLikeFormula(_ field: String) -> Bool {
        var field = field
        return field.withUTF8 { looksLikeFormula($0) }
    }

    private static func looksLikeFormula(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        switch utf8.first {
        case UInt8(ascii: "="), UInt8(ascii: "@"), 0x09, 0x0D: return true
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return !isPlainNumber(String(decoding: utf8, as: UTF8.self))
        default: return false
        }
    }

    /// `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`, nothing else
    /// (no spaces, thousands separators, inf or nan).
    static func isPlainNumber(_ field: String) -> Bool {
        var i = field.utf8.startIndex
        let end = field.utf8.endIndex
        func skipDigits() -> Int {
            var count = 0
            while i < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(field.utf8[i]) {
                field.utf8.formIndex(after: &i)
                count += 1
            }
            return count
        }
        func skip(_ candidates: UInt8...) -> Bool {
            guard i < end, candidates.contains(field.utf8[i]) else { return false }
            field.utf8.formIndex(after: &i)
            return true
        }
        _ = skip(UInt8(ascii: "+"), UInt8(ascii: "-"))
        var digits = skipDigits()
        if skip(UInt8(ascii: ".")) { digits += skipDigits() }
        guard digits > 0 else { return false }
        if skip(UInt8(ascii: "e"), UInt8(ascii: "E")) {
            _ = skip(UInt8(ascii: "+"), UInt8(ascii: "-"))
            guard skipDigits() > 0 else { return false }
        }
        return i == end
    }
}

// The writer's own write(_:) and close() hide the C functions inside the class.
private func writeDescriptor(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}

private func closeDescriptor(_ fd: Int32) -> Int32 {
    close(fd)
}

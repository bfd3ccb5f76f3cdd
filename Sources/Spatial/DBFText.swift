import Foundation

/// The text of a dBASE table (a Shapefile's .dbf) as stored bytes: its field names and text
/// (type C) values, checked against an encoding before GDAL decodes them, so that a wrong guess
/// is refused instead of imported as mojibake or U+FFFD.
///
/// Header layout (dBASE III+/IV, as Shapefiles use it): byte 29 the language driver ID, bytes
/// 4–7 the record count, 8–9 the header length, 10–11 the record length (little-endian); 32-byte
/// field descriptors from byte 32 up to a 0x0D byte (name in bytes 0–10, NUL-padded; type in
/// byte 11; width in byte 16). Each record starts with its deletion flag byte ('*' = deleted).
public final class DBFText {
    /// A text that is not valid in an encoding.
    public struct Location: Sendable, Equatable {
        /// 1-based record number; nil for a field name.
        public let record: Int?
        /// 1-based field number.
        public let field: Int
        /// The stored bytes, trailing blanks removed.
        public let bytes: [UInt8]
    }

    public let path: String
    /// Byte 29 of the header: the writer's language driver ID; 0 when it recorded none.
    public let languageDriver: UInt8
    /// The field names' stored bytes (NUL padding removed), in table order.
    public let fieldNameBytes: [[UInt8]]
    private let file: MappedFile
    private let textFields: [(index: Int, offset: Int, width: Int)]
    private let recordCount: Int
    private let headerLength: Int
    private let recordLength: Int

    public init(path: String) throws {
        file = try MappedFile(path: path)
        self.path = path
        let b = file.bytes
        func fail(_ why: String) -> SourceError { SourceError(file: path, position: "header", message: "not a dBASE table: \(why)") }
        guard b.count >= 32 else { throw fail("shorter than its 32-byte header") }
        func le(_ at: Int, _ n: Int) -> Int { (0..<n).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) } }
        languageDriver = b[29]
        recordCount = le(4, 4)
        headerLength = le(8, 2)
        recordLength = le(10, 2)
        var names: [[UInt8]] = [], text: [(Int, Int, Int)] = []
        var at = 32, offset = 1
        while at + 32 <= min(headerLength, b.count), b[at] != 0x0D {
            let name = Array(b[at..<at + 11].prefix { $0 != 0 })
            let width = Int(b[at + 16])
            if b[at + 11] == UInt8(ascii: "C") { text.append((names.count + 1, offset, width)) }
            names.append(name)
            offset += width
            at += 32
        }
        guard offset <= recordLength || names.isEmpty else { throw fail("its fields are wider than its records") }
        fieldNameBytes = names
        textFields = text
    }

    /// The first field name or text value, in table order (names first), that is not valid in
    /// `encoding`; nil when all are. Blanks and NULs padding a value are not part of it. A name
    /// of the full 10 bytes may end in a cut character (GDAL cuts UTF-8 names at 10 bytes).
    public func firstUndecodable(in encoding: TextEncoding) -> Location? {
        for (i, name) in fieldNameBytes.enumerated()
        where !name.withUnsafeBufferPointer({ Self.isValid($0, encoding, mayBeCut: name.count == 10) }) {
            return Location(record: nil, field: i + 1, bytes: name)
        }
        let b = file.bytes
        let records = min(recordCount, recordLength > 0 ? max(0, b.count - headerLength) / recordLength : 0)
        for r in 0..<records {
            let start = headerLength + r * recordLength
            // A deleted record ('*') is not read by GDAL either.
            if b[start] == UInt8(ascii: "*") { continue }
            for f in textFields {
                var end = start + f.offset + f.width
                let first = start + f.offset
                while end > first, b[end - 1] == 0x20 || b[end - 1] == 0 { end -= 1 }
                let value = UnsafeBufferPointer(rebasing: b[first..<end])
                if !Self.isValid(value, encoding, mayBeCut: false) {
                    return Location(record: r + 1, field: f.index, bytes: Array(value))
                }
            }
        }
        return nil
    }

    /// The name of field `field` (1-based) as UTF-8, else as GB18030; nil when it is neither.
    public func fieldName(_ field: Int) -> String? {
        fieldNameBytes[field - 1].withUnsafeBufferPointer { TextEncoding.utf8.decode($0) ?? TextEncoding.gb18030.decode($0) }
    }

    /// Whether any field name or text value holds a byte above 0x7F (text whose encoding matters).
    public var hasNonASCII: Bool {
        if fieldNameBytes.contains(where: { $0.contains { $0 >= 0x80 } }) { return true }
        let b = file.bytes
        guard headerLength < b.count else { return false }
        return UnsafeBufferPointer(rebasing: b[headerLength...]).contains { $0 >= 0x80 }
    }

    private static func isValid(_ bytes: UnsafeBufferPointer<UInt8>, _ encoding: TextEncoding, mayBeCut: Bool) -> Bool {
        let valid = { (n: Int) in encoding.decode(UnsafeBufferPointer(rebasing: bytes.dropLast(n))) != nil }
        if valid(0) { return true }
        // A multi-byte character cut by the width: at most 3 bytes of it are left.
        return mayBeCut && !bytes.isEmpty && (1...min(3, bytes.count)).contains(where: valid)
    }
}

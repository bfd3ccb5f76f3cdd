import Foundation

/// A JSON value with integers kept apart from reals, so attribute types survive a round trip.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members in document order.
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.integer(let x), .integer(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }

    public var doubleValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }

    /// Compact JSON text.
    public var text: String { String(decoding: utf8, as: UTF8.self) }

    /// Compact JSON text as UTF-8 bytes (what the service sends).
    public var utf8: [UInt8] {
        var writer = JSONWriter()
        writer.value(self)
        return writer.take()
    }

    /// Appends a real: a whole one keeps a ".0" so that it reads back as a real, not an
    /// integer; one that is not finite is null.
    static func real(_ d: Double, into out: inout [UInt8]) {
        if !d.isFinite {
            out += "null".utf8
        } else if d == d.rounded() && abs(d) < 1e15 {
            digits(Int64(d), into: &out)
            out += ".0".utf8
        } else {
            out += d.description.utf8
        }
    }

    /// Shortest text that reads back as the same Double, without a trailing ".0".
    public static func format(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }

    /// Appends `s` as a JSON string literal. Non-ASCII text stays as UTF-8 (Chinese stays
    /// readable); U+2028/U+2029 are escaped, so the text is also valid JavaScript (map pages).
    public static func quote(_ s: String, into out: inout String) {
        var bytes: [UInt8] = []
        quote(s, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    static func quote(_ s: String, into out: inout [UInt8]) {
        // Most text (codes, names, owners) needs no escape: copied whole.
        let plain = s.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == 0xE2 }) else { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return true
        }
        if plain == true { return }
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += #"\""#.utf8
            case UInt8(ascii: "\\"): out += #"\\"#.utf8
            case UInt8(ascii: "\n"): out += #"\n"#.utf8
            case UInt8(ascii: "\r"): out += #"\r"#.utf8
            case UInt8(ascii: "\t"): out += #"\t"#.utf8
            case 0..<0x20:
                out += #"\u00"#.utf8
                out += [hexDigit(b >> 4), hexDigit(b & 0xF)]
            // U+2028 and U+2029 are E2 80 A8 and E2 80 A9: the last byte is escaped in their place.
            case 0xA8...0xA9 where out.count >= 2 && out[out.count - 2] == 0xE2 && out[out.count - 1] == 0x80:
                out.removeLast(2)
                out += (b == 0xA8 ? #"\u2028"# : #"\u2029"#).utf8
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Appends the decimal digits of `v` (what `String(v)` would say, without the String).
    static func digits(_ v: Int64, into out: inout [UInt8]) {
        if v < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = v.magnitude
        guard magnitude >= 10 else { return out.append(UInt8(ascii: "0") + UInt8(magnitude)) }
        let start = out.count
        while magnitude > 0 {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        }
        out[start...].reverse()
    }

    private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10 }
}

/// A JSON parse error with a 1-based line and column.
public struct JSONError: Error, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A recursive-descent JSON parser over UTF-8 bytes (RFC 8259), with a nesting limit so a
/// hostile file cannot exhaust the stack.
public struct JSONParser {
    public static let maxDepth = 256

    let bytes: UnsafeBufferPointer<UInt8>
    public internal(set) var position: Int

    public init(_ bytes: UnsafeBufferPointer<UInt8>, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// Parses one complete document (trailing whitespace allowed, nothing else).
    public static func parse(_ data: [UInt8]) throws -> JSONValue {
        try data.withUnsafeBufferPointer { buffer in
            var p = JSONParser(buffer)
            p.skipBOM()
            let v = try p.value()
            p.skipWhitespace()
            if !p.atEnd { throw p.error("unexpected text after the JSON value") }
            return v
        }
    }

    public var atEnd: Bool { position >= bytes.count }
    public var peek: UInt8? { atEnd ? nil : bytes[position] }

    public mutating func skipBOM() {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF, position == 0 { position = 3 }
    }

    public mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D, 0x1E: position += 1  // 0x1E: GeoJSONSeq record separator
            default: return
            }
        }
    }

    public func error(_ message: String) -> JSONError {
        var line = 1, column = 1
        for i in 0..<min(position, bytes.count) {
            if bytes[i] == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return JSONError(line: line, column: column, message: message)
    }

    /// Skips whitespace and the next byte (a delimiter the caller has already peeked at).
    public mutating func consume() {
        skipWhitespace()
        position += 1
    }

    public mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard peek == byte else {
            throw error("expected '\(Character(UnicodeScalar(byte)))' but found \(describePeek())")
        }
        position += 1
    }

    func describePeek() -> String {
        guard let p = peek else { return "the end of the file" }
        return p >= 0x20 && p < 0x7F ? "'\(Character(UnicodeScalar(p)))'" : String(format: "byte 0x%02X", p)
    }

    public mutating func value(depth: Int = 0) throws -> JSONValue {
        guard depth < Self.maxDepth else { throw error("JSON nested deeper than \(Self.maxDepth) levels") }
        skipWhitespace()
        guard let c = peek else { throw error("unexpected end of file") }
        switch c {
        case UInt8(ascii: "{"): return try object(depth: depth) { _, _ in nil }
        case UInt8(ascii: "["):
            position += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if peek == UInt8(ascii: "]") { position += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                if peek == UInt8(ascii: ",") { position += 1; continue }
                if peek == UInt8(ascii: "]") { position += 1; return .array(items) }
                throw error("expected ',' or ']' in an array but found \(describePeek())")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "N") where bytes.count > position + 2 && bytes[position + 1] == UInt8(ascii: "a") && bytes[position + 2] == UInt8(ascii: "N"):
            throw error("NaN is not a JSON number")
        case UInt8(ascii: "N"), UInt8(ascii: "T"), UInt8(ascii: "F"): throw error("invalid literal (JSON writes null, true and false)")
        default: return try number()
        }
    }

    /// The object at the parser's position (its `{` peeked at), at nesting `depth`. `read`
    /// may read a member's value itself, from the parser positioned after the member's colon:
    /// it returns the value to keep, or nil with the parser where it was, and the value is
    /// then parsed as JSON.
    mutating func object(depth: Int, read: (inout JSONParser, String) -> JSONValue?) throws -> JSONValue {
        position += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if peek == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw error("expected a member name in quotes but found \(describePeek())") }
            let key = try string()
            try expect(UInt8(ascii: ":"))
            members.append((key, try read(&self, key) ?? value(depth: depth + 1)))
            skipWhitespace()
            if peek == UInt8(ascii: ",") { position += 1; continue }
            if peek == UInt8(ascii: "}") { position += 1; return .object(members) }
            throw error("expected ',' or '}' in an object but found \(describePeek())")
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard position + n <= bytes.count,
              memcmp(bytes.baseAddress! + position, word.utf8Start, n) == 0 else {
            throw error("invalid literal (expected \(word))")
        }
        position += n
    }

    /// Where a number's parts lie: `start` (its sign), its integer digits from `intStart`, and
    /// whether it has a fraction or an exponent.
    struct NumberShape {
        let start: Int, intStart: Int, intDigits: Int
        let isInteger: Bool, hasExponent: Bool
    }

    /// The rule of RFC 8259's grammar a number breaks (or its length, beyond a coordinate's).
    enum NumberFault: Error {
        case noDigits, leadingZero, noFractionDigits, noExponentDigits, tooLong(Int)
    }

    /// Moves past the number at the parser's position, RFC 8259's grammar only:
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, at most 400 characters. On a
    /// fault the parser stays where it was. The one reading of the grammar: `number()` converts
    /// what it gives, the counting read of a geometry only skips it.
    mutating func scanNumber() -> Result<NumberShape, NumberFault> {
        let start = position
        func digits() -> Int {
            var n = 0
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1; n += 1 }
            return n
        }
        func fault(_ f: NumberFault) -> Result<NumberShape, NumberFault> {
            position = start
            return .failure(f)
        }
        if peek == UInt8(ascii: "-") { position += 1 }
        let intStart = position
        let intDigits = digits()
        guard intDigits > 0 else { return fault(.noDigits) }
        if intDigits > 1 && bytes[intStart] == 0x30 { return fault(.leadingZero) }
        var isInteger = true, hasExponent = false
        if peek == UInt8(ascii: ".") {
            position += 1
            isInteger = false
            guard digits() > 0 else { return fault(.noFractionDigits) }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            position += 1
            isInteger = false
            hasExponent = true
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { return fault(.noExponentDigits) }
        }
        guard position - start <= 400 else { return fault(.tooLong(position - start)) }
        return .success(NumberShape(start: start, intStart: intStart, intDigits: intDigits, isInteger: isInteger, hasExponent: hasExponent))
    }

    /// RFC 8259 numbers only (`scanNumber`).
    mutating func number() throws -> JSONValue {
        let shape: NumberShape
        switch scanNumber() {
        case .success(let s): shape = s
        case .failure(let fault):
            switch fault {
            case .noDigits:
                if peek == UInt8(ascii: "I") || (peek == UInt8(ascii: "-") && bytes.count > position + 1 && bytes[position + 1] == UInt8(ascii: "I")) {
                    throw error("Infinity is not a JSON number")
                }
                throw error("unexpected \(describePeek())")
            case .leadingZero: throw error("a JSON number cannot have a leading zero")
            case .noFractionDigits: throw error("a JSON number needs digits after the decimal point")
            case .noExponentDigits: throw error("a JSON number needs digits in its exponent")
            case .tooLong(let length): throw error("a number of \(length) characters is not a coordinate")
            }
        }
        let start = shape.start, intStart = shape.intStart, intDigits = shape.intDigits
        let isInteger = shape.isInteger, hasExponent = shape.hasExponent, length = position - start
        // Coordinates are most of a GeoJSON file: the commonest forms are read straight from
        // the bytes (the same values as below), the rest through a String.
        if isInteger && intDigits <= 18 {
            var i: Int64 = 0
            for k in intStart..<position { i = i &* 10 &+ Int64(bytes[k] &- 48) }
            return .integer(bytes[start] == UInt8(ascii: "-") ? -i : i)
        }
        if !hasExponent, let d = DecimalParser.parse(bytes.baseAddress! + start, count: length) { return .number(d) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if isInteger, let i = Int64(text) { return .integer(i) }
        guard let d = Double(text) else { position = start; throw error("invalid number '\(text.prefix(40))'") }
        guard d.isFinite else { position = start; throw error("number '\(text.prefix(40))' is out of range") }
        return .number(d)
    }

    public mutating func string() throws -> String {
        position += 1  // opening quote
        var out = [UInt8]()
        while true {
            guard position < bytes.count else { throw error("unterminated string") }
            let c = bytes[position]
            position += 1
            if c == UInt8(ascii: "\"") { break }
            if c < 0x20 { position -= 1; throw error("control character in a string (escape it)") }
            if c != UInt8(ascii: "\\") { out.append(c); continue }
            guard position < bytes.count else { throw error("unterminated escape") }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired UTF-16 surrogate in \\u escape")
                    }
                    position += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw error("invalid UTF-16 surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: position -= 1; throw error("invalid escape '\\\(Character(UnicodeScalar(e)))'")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8 (is the file GBK? convert it to UTF-8)") }
        return s
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            position += 1
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v * 16 + d
        }
        return v
    }
}

/// Compact JSON written straight into UTF-8 bytes, member by member, without a `JSONValue`
/// tree first: for answers written by the thousand. The text is `JSONValue`'s, byte for byte
/// (strings, integers and reals go through the same rules; `JSONValue.utf8` is written by it).
///
/// The writer places the commas: each value, key or opened container after the first at its
/// level gets one. It does not check that keys and values alternate; the caller's shape does.
public struct JSONWriter {
    private var bytes: [UInt8]
    /// Whether the next key, value or container at this level follows another.
    private var follows = false

    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); follows = false }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); follows = true }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); follows = false }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); follows = true }

    /// A member's key and its colon; its value comes next.
    public mutating func key(_ k: String) {
        separate()
        JSONValue.quote(k, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        follows = false
    }

    public mutating func null() { separate(); bytes += "null".utf8; follows = true }

    public mutating func string(_ s: String) { separate(); JSONValue.quote(s, into: &bytes); follows = true }

    /// `nil` as null.
    public mutating func string(_ s: String?) { if let s { string(s) } else { null() } }

    public mutating func integer(_ i: Int64) { separate(); JSONValue.digits(i, into: &bytes); follows = true }

    /// A real: keeps a ".0" when whole, so that it reads back as a real; not finite as null.
    public mutating func number(_ d: Double) { separate(); JSONValue.real(d, into: &bytes); follows = true }

    /// A whole value, as `JSONValue` writes it.
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: null()
        case .bool(let b): separate(); bytes += (b ? "true" : "false").utf8; follows = true
        case .integer(let i): integer(i)
        case .number(let d): number(d)
        case .string(let s): string(s)
        case .array(let items):
            beginArray()
            for item in items { value(item) }
            endArray()
        case .object(let members):
            beginObject()
            for (k, item) in members { key(k); value(item) }
            endObject()
        }
    }

    /// The text written, handed over without a copy.
    public consuming func take() -> [UInt8] { bytes }

    private mutating func separate() {
        if follows { bytes.append(UInt8(ascii: ",")) }
    }
}

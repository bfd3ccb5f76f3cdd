import XCTest
@testable import Spatial

final class JSONTests: XCTestCase {
    func testValuesAndTypes() throws {
        let v = try JSONParser.parse(Array(#"{"a": 12, "b": 1.5, "c": -3e2, "d": "长江\n\"路\"", "e": [true, false, null], "f": "\ud83d\ude00"}"#.utf8))
        XCTAssertEqual(v["a"], .integer(12))
        XCTAssertEqual(v["b"], .number(1.5))
        XCTAssertEqual(v["c"], .number(-300))
        XCTAssertEqual(v["d"], .string("长江\n\"路\""))
        XCTAssertEqual(v["e"], .array([.bool(true), .bool(false), .null]))
        XCTAssertEqual(v["f"], .string("😀"))
        XCTAssertEqual(try JSONParser.parse(Array(v.text.utf8)), v)
    }

    /// Text written is read back the same, whatever the string: Chinese (some of whose UTF-8
    /// bytes equal those of U+2028's tail), line and paragraph separators, controls, quotes.
    func testWrittenTextReadsBackTheSame() throws {
        let strings = ["丨乨东城区", "a\u{2028}b\u{2029}c", "\u{2028}", "tab\tnew\nline\r\u{01}\u{1F}", #"quote " back \ slash"#, "—…", "", "🙂"]
        for s in strings {
            let value = JSONValue.object([("k", .string(s)), (s, .array([.string(s), .number(1.5), .integer(2), .null]))])
            XCTAssertEqual(try JSONParser.parse(value.utf8), value, s)
            XCTAssertEqual(value.text, String(decoding: value.utf8, as: UTF8.self))
            XCTAssertFalse(value.text.unicodeScalars.contains { $0 == "\u{2028}" || $0 == "\u{2029}" || $0.value < 0x20 }, s)
        }
    }

    /// The writer places the commas: members, elements and containers, empty ones too, at
    /// every depth. Written member by member, and as whole values.
    func testWriterPlacesCommasAtEveryDepth() throws {
        var w = JSONWriter()
        w.beginObject()
        w.key("a"); w.beginArray(); w.endArray()
        w.key("b"); w.beginObject(); w.endObject()
        w.key("c"); w.beginArray(); w.integer(1); w.beginObject(); w.key("d"); w.string(nil); w.endObject(); w.beginArray(); w.number(2); w.endArray(); w.endArray()
        w.key("e"); w.string("x")
        w.endObject()
        XCTAssertEqual(String(decoding: w.take(), as: UTF8.self), #"{"a":[],"b":{},"c":[1,{"d":null},[2.0]],"e":"x"}"#)

        // Random trees, each written whole and read back.
        var random = SystemRandomNumberGenerator()
        func tree(_ depth: Int) -> JSONValue {
            switch Int.random(in: depth < 4 ? 0...7 : 0...4, using: &random) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &random))
            case 2: return .integer(Int64.random(in: -1000...1000, using: &random))
            case 3: return .number(Double.random(in: -1e6...1e6, using: &random))
            case 4: return .string(["", "长江路", "a\"b", "\u{2028}"].randomElement(using: &random)!)
            case 5, 6: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in tree(depth + 1) })
            default: return .object((0..<Int.random(in: 0...3, using: &random)).map { k in ("k\(k)", tree(depth + 1)) })
            }
        }
        for _ in 0..<2_000 {
            let value = tree(0)
            var writer = JSONWriter()
            writer.value(value)
            let bytes = writer.take()
            XCTAssertEqual(try JSONParser.parse(bytes), value, String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Numbers without an exponent are read from the bytes, not through a String: the same
    /// values as `Int64(text)` and `Double(text)` give, on 20,000 random numbers of every length.
    func testNumbersReadFromBytesEqualTheStandardLibrarys() throws {
        var random = SystemRandomNumberGenerator()
        var texts: [String] = ["0", "-0", "0.0", "-0.0", "999999999999999999", "-999999999999999999", "9999999999999999999",
                               "9007199254740993", "0.1", "123456789012345678901234", "538123.4560000000000000001"]
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...20, using: &random), point = Int.random(in: 0...digits, using: &random)
            var t = Bool.random(using: &random) ? "-" : ""
            t += String(Int.random(in: 1...9, using: &random))
            for _ in 1..<digits { t += String(Int.random(in: 0...9, using: &random)) }
            if point > 0 && point < digits { t.insert(".", at: t.index(t.endIndex, offsetBy: -point)) }
            texts.append(t)
        }
        for t in texts {
            let v = try JSONParser.parse(Array(t.utf8))
            if !t.contains("."), let i = Int64(t) {
                XCTAssertEqual(v, .integer(i), t)
            } else {
                XCTAssertEqual(v, .number(try XCTUnwrap(Double(t))), t)
            }
        }
    }

    /// Numbers are written from their digits, not through String: the same text as
    /// `String(i)` for integers and, for reals, `"\(Int64(d)).0"` when whole, `"\(d)"` otherwise.
    func testNumbersWrittenAsTheStandardLibrarySaysThem() {
        var random = SystemRandomNumberGenerator()
        var integers: [Int64] = [0, -1, 9, 10, -10, 99, 100, .max, .min, .max - 1, .min + 1]
        var reals: [Double] = [0, -0.0, 1, -1, 0.5, 1e15, 1e15 - 1, -1e15 + 1, 1e-7, 123456.789, .pi, -2.5e-300, 541279.242, 31.54607672]
        for _ in 0..<20_000 {
            integers.append(Int64.random(in: .min ... .max, using: &random) >> Int64.random(in: 0...63, using: &random))
            reals.append(Double(bitPattern: UInt64.random(in: 0 ... .max, using: &random)))
            reals.append((Double.random(in: -1e6...1e6, using: &random) * 1000).rounded() / 1000)
            reals.append(Double(Int64.random(in: -999_999_999_999_999...999_999_999_999_999, using: &random)))
        }
        for i in integers { XCTAssertEqual(JSONValue.integer(i).text, String(i)) }
        for d in reals {
            let expected = !d.isFinite ? "null" : (d == d.rounded() && abs(d) < 1e15 ? "\(Int64(d)).0" : "\(d)")
            XCTAssertEqual(JSONValue.number(d).text, expected)
        }
    }

    func testErrorsNameLineAndColumn() {
        XCTAssertThrowsError(try JSONParser.parse(Array("{\n  \"a\": [1, 2,\n}".utf8))) { e in
            let error = e as! JSONError
            XCTAssertEqual(error.line, 3)
        }
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "nul", "NaN", "1e999", "\"abc", "{\"a\":1} x", "[01x]"] {
            XCTAssertThrowsError(try JSONParser.parse(Array(bad.utf8)), bad)
        }
    }

    func testDeepNestingIsRejectedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try JSONParser.parse(Array(deep.utf8))) { e in
            XCTAssertTrue("\(e)".contains("nested"), "\(e)")
        }
    }

    /// RFC 7946 positions: numbers only, wherever they are; a third and further numbers are dropped.
    func testGeoJSONPositionHoldsOnlyNumbers() throws {
        func point(_ position: String) throws -> Geometry? {
            try GeoJSONGeometry.decode(try JSONParser.parse(Array(#"{"type":"Point","coordinates":\#(position)}"#.utf8)))
        }
        XCTAssertEqual(try point("[120.41, 31.51]"), .point(Coordinate(120.41, 31.51)))
        XCTAssertEqual(try point("[120.41, 31.51, 4.5]"), .point(Coordinate(120.41, 31.51)), "altitude dropped")
        XCTAssertEqual(try point("[120.41, 31.51, 4.5, 7]"), .point(Coordinate(120.41, 31.51)), "numbers beyond the altitude are ignored")
        for bad in [#"[120.41, 31.51, "x"]"#, "[120.41, 31.51, null]", "[120.41, 31.51, 4.5, true]", "[120.41, 31.51, [1]]", #"["120.41", 31.51]"#] {
            XCTAssertThrowsError(try point(bad), bad) { e in
                XCTAssertTrue("\(e)".contains("is not a number"), "\(bad): \(e)")
            }
        }
    }
}

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

import KernelVerification
import XCTest
@testable import Spatial

/// `commonGeoJSONGeometry` against the general path (`JSONParser.value` then
/// `GeoJSONGeometry.decode`): wherever the direct reader gives a geometry it is the one the
/// general path gives, it reads the well-formed cases, and it leaves everything else (with the
/// parser where it was) to the general path.
final class GeoJSONGeometryReaderTests: XCTestCase {
    private enum Outcome: Equatable { case geometry(Geometry?), error(String) }

    /// One JSON value read from the start of `text` and decoded, and where the value ended.
    private func general(_ text: String) -> (Outcome, position: Int) {
        Array(text.utf8).withUnsafeBufferPointer { b in
            var p = JSONParser(b)
            do { return (.geometry(try GeoJSONGeometry.decode(try p.value())), p.position) } catch { return (.error("\(error)"), -1) }
        }
    }

    /// A reading of `text` from its start, and where the parser stood after it.
    private func reading<T>(_ text: String, _ read: (inout JSONParser) -> T) -> (T, position: Int) {
        Array(text.utf8).withUnsafeBufferPointer { b in
            var p = JSONParser(b)
            let result = read(&p)
            return (result, p.position)
        }
    }

    /// The direct reading, and where the parser stood after it (the whole text when read).
    private func direct(_ text: String) -> (Geometry?, position: Int) { reading(text) { $0.commonGeoJSONGeometry(depth: 0) } }

    /// The counting reading (`countedGeoJSONGeometry`), and where the parser stood after it.
    private func counted(_ text: String) -> (Int?, position: Int) { reading(text) { $0.countedGeoJSONGeometry(depth: 0) } }

    /// Also: the counting reading counts every geometry the direct one reads, and any count it
    /// gives is the general path's vertex count (or the general path refuses the geometry).
    private func assertAgrees(_ text: String, read expected: Bool? = nil, file: StaticString = #filePath, line: UInt = #line) {
        let (g, position) = direct(text)
        let (n, countedTo) = counted(text)
        let (outcome, end) = general(text)
        if let g {
            XCTAssertEqual(.geometry(g), outcome, text, file: file, line: line)
            XCTAssertEqual(position, end, "read to the object's end: \(text)", file: file, line: line)
            XCTAssertEqual(n, g.vertexCount, "counted: \(text)", file: file, line: line)
        } else {
            XCTAssertEqual(position, 0, "left where it was: \(text)", file: file, line: line)
        }
        if let n, case .geometry(let decoded) = outcome {
            XCTAssertEqual(decoded?.vertexCount, n, "counted: \(text)", file: file, line: line)
            XCTAssertEqual(countedTo, end, "counted to the object's end: \(text)", file: file, line: line)
        } else if n == nil {
            XCTAssertEqual(countedTo, 0, "the counting reading left it where it was: \(text)", file: file, line: line)
        }
        if let expected { XCTAssertEqual(g != nil, expected, text, file: file, line: line) }
    }

    func testTheSixTypesAreReadAsTheGeneralPathReadsThem() {
        assertAgrees(#"{"type":"Point","coordinates":[1.5,-2]}"#, read: true)
        assertAgrees(#"{"coordinates":[1,2,3.25],"type":"Point"}"#, read: true)
        assertAgrees(#"{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}"#, read: true)
        assertAgrees(#"{"type":"LineString","coordinates":[[1,2],[3,4]]}"#, read: true)
        assertAgrees(#"{"type":"MultiLineString","coordinates":[[[1,2],[3,4]],[[5,6],[7,8],[9,9]]]}"#, read: true)
        assertAgrees(#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#, read: true)
        assertAgrees(#"{ "type" : "Polygon" , "bbox": [0,0,9,9], "coordinates" : [ [ [0,0] , [9,0] , [9,9] , [0,0] ] , [[1,1],[2,1],[2,2],[1,1]] ] }"#, read: true)
        assertAgrees(#"{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]}"#, read: true)
        assertAgrees(#"{"type":"Point","coordinates":[1e3,-0.0],"foreign":{"a":[1,{"b":null}]}}"#, read: true)
        assertAgrees(#"{"type":"Point","coordinates":[12345678901234567890,0.1]}"#, read: true)
    }

    func testEverythingElseIsLeftToTheGeneralPath() {
        for text in [
            "null", "[]", "{}", #"{"type":"Point"}"#, #"{"coordinates":[1,2]}"#,
            #"{"type":"GeometryCollection","geometries":[]}"#, #"{"type":"Circle","coordinates":[1,2]}"#,
            #"{"type":"Point","coordinates":[1]}"#, #"{"type":"Point","coordinates":[1,null]}"#,
            #"{"type":"Point","coordinates":[1,2,"z"]}"#, #"{"type":"Point","coordinates":["1",2]}"#,
            #"{"type":"Point","coordinates":[1e999,2]}"#, #"{"type":"Point","coordinates":[01,2]}"#,
            #"{"type":"Point","coordinates":[[1,2]]}"#, #"{"type":"Point","type":"Point","coordinates":[1,2]}"#,
            #"{"type":"Point","coordinates":[1,2],"coordinates":[3,4]}"#, #"{"type":7,"coordinates":[1,2]}"#,
            #"{"type":"LineString","coordinates":[[1,2]]}"#, #"{"type":"LineString","coordinates":[]}"#,
            #"{"type":"MultiPoint","coordinates":[]}"#, #"{"type":"Polygon","coordinates":[]}"#,
            #"{"type":"Polygon","coordinates":[[]]}"#, #"{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}"#,
            #"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}"#, #"{"type":"Polygon","coordinates":[[0,0],[1,0],[1,1],[0,0]]}"#,
            #"{"type":"MultiPolygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}"#, #"{"type":"MultiLineString","coordinates":[[[1,2]]]}"#,
            #"{"type":"Point","coordinates":[1,2]"#, #"{"type":"Point","coordinates":[1,2],}"#, #"{"type":"Point" "coordinates":[1,2]}"#,
            #"{"type":"Point","coordinates":[1,2,]}"#, #"{"type":"Polygon","coordinates":[[[[[0,0]]]]]}"#,
        ] {
            assertAgrees(text, read: false)
        }
    }

    /// Thousands of random geometries, well formed and damaged, in both readings.
    func testRandomGeometriesAgree() {
        var rng = SplitMix64(seed: 20_261_203)
        func number() -> String {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: return String(Int.random(in: -1_000_000...1_000_000, using: &rng))
            case 1: return "\(Double.random(in: -180...180, using: &rng))"
            case 2: return String(format: "%.3fe%d", Double.random(in: -9...9, using: &rng), Int.random(in: -5...5, using: &rng))
            default: return String(format: "%.6f", Double.random(in: 400_000...600_000, using: &rng))
            }
        }
        func position() -> String { "[" + (0..<Int.random(in: 2...3, using: &rng)).map { _ in number() }.joined(separator: ",") + "]" }
        func ring() -> String {
            let first = position()
            return "[" + ([first] + (0..<Int.random(in: 2...8, using: &rng)).map { _ in position() } + [first]).joined(separator: ", ") + "]"
        }
        func list(_ n: ClosedRange<Int>, _ item: () -> String) -> String { "[" + (0..<Int.random(in: n, using: &rng)).map { _ in item() }.joined(separator: ",") + "]" }
        var read = 0
        for _ in 0..<3_000 {
            let (type, coordinates): (String, String) = switch Int.random(in: 0..<6, using: &rng) {
            case 0: ("Point", position())
            case 1: ("MultiPoint", list(1...5, position))
            case 2: ("LineString", list(2...6, position))
            case 3: ("MultiLineString", list(1...3) { list(2...4, position) })
            case 4: ("Polygon", list(1...3, ring))
            default: ("MultiPolygon", list(1...3) { list(1...2, ring) })
            }
            var text = Bool.random(using: &rng) ? #"{"type":"\#(type)","coordinates":\#(coordinates)}"# : #"{"coordinates": \#(coordinates), "type": "\#(type)"}"#
            // One in four damaged: a byte dropped, doubled or changed.
            if Int.random(in: 0..<4, using: &rng) == 0 {
                var bytes = Array(text.utf8)
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes.remove(at: i)
                case 1: bytes.insert(bytes[i], at: i)
                default: bytes[i] = Array("[]{},:\"-0.e x".utf8).randomElement(using: &rng)!
                }
                text = String(decoding: bytes, as: UTF8.self)
            }
            if direct(text).0 != nil { read += 1 }
            assertAgrees(text)
        }
        XCTAssertGreaterThan(read, 2_000, "most random geometries take the direct reading")
    }

    /// `coordinateNumber()` against `number()` on every form: the same Double, bit for bit (or
    /// both refusing), and the parser left at the same place.
    func testCoordinateNumbersAreWhatNumberReads() {
        var rng = SplitMix64(seed: 7)
        func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) }) }
        var texts = ["0", "-0", "-0.0", "0.5", "00.5", "01", "1.", ".5", "-", "1e5", "1E-5", "1.5e3", "9007199254740993", "9007199254740992.5",
                     "123456789012345678", "1234567890123456789", "-1234567890123456789", "0.0000000000000000000001", "1.00000000000000000000001",
                     "12345678901234567890.5", "1.5x", "1-2", "2]", "3,", "-x", "Infinity", "NaN", "1e999", "533009.078", "3487000.0"]
        for _ in 0..<20_000 {
            var t = Bool.random(using: &rng) ? "-" : ""
            t += digits(Int.random(in: 1...20, using: &rng))
            if Int.random(in: 0..<4, using: &rng) > 0 { t += "." + digits(Int.random(in: 0...24, using: &rng)) }
            if Int.random(in: 0..<10, using: &rng) == 0 { t += "e" + String(Int.random(in: -30...30, using: &rng)) }
            t += ["", ",", "]", " ", "x", "."].randomElement(using: &rng)!
            texts.append(t)
        }
        var fast = 0
        for text in texts {
            let (expected, end) = reading(text) { p -> UInt64? in (try? p.number())?.doubleValue?.bitPattern }
            let (got, position) = reading(text) { $0.coordinateNumber()?.bitPattern }
            XCTAssertEqual(got, expected, text)
            if expected != nil { XCTAssertEqual(position, end, text) }
            if got != nil { fast += 1 }
        }
        XCTAssertGreaterThan(fast, 10_000)
    }
}

import XCTest
import KernelVerification
@testable import Spatial

final class CellIndexCodingTests: XCTestCase {
    func polygons(_ count: Int, seed: UInt64) -> PolygonSet {
        var random = SplitMix64(seed: seed)
        return PolygonSet((0..<count).map { k in
            let x = Double(k % 40) * 50 + Double(random.next() % 1000) / 100, y = Double(k / 40) * 50
            return [[[Coordinate(x, y), Coordinate(x + 55, y), Coordinate(x + 40, y + 60), Coordinate(x, y + 50), Coordinate(x, y)]]]
        })
    }

    /// An index read back from its bytes is the index, cell for cell and entry for entry, and
    /// answers every point as the one it came from.
    func testEncodedIndexReadsBackAsItWas() throws {
        let set = polygons(1200, seed: 3)
        for t in [0.0, 1.5] {
            let built = CellIndex(set, tolerance: t)
            let bytes = built.encoded()
            let read = try XCTUnwrap(bytes.withUnsafeBytes { CellIndex(encoded: $0, memberCount: set.count) })
            XCTAssertEqual(Array(read.storage.cellStart), Array(built.storage.cellStart))
            XCTAssertEqual(Array(read.storage.entries[0..<Int(read.storage.cellStart.last!)]),
                           Array(built.storage.entries[0..<Int(built.storage.cellStart.last!)]))
            XCTAssertEqual(read.storage.tolerance, t)
            XCTAssertEqual(read.encoded(), bytes)
            var random = SplitMix64(seed: 5)
            for _ in 0..<5000 {
                let x = Double(random.next() % 220_000) / 100 - 100, y = Double(random.next() % 170_000) / 100 - 100
                XCTAssertEqual(Array(read.storage.entries[read.storage.cell(x, y)]), Array(built.storage.entries[built.storage.cell(x, y)]))
            }
        }
        let empty = CellIndex(PolygonSet([]), tolerance: 0)
        XCTAssertNotNil(empty.encoded().withUnsafeBytes { CellIndex(encoded: $0, memberCount: 0) }, "an index of no member")
    }

    /// Bytes that are no index over the set at hand are refused (the caller builds one):
    /// cut short, a member beyond the set, cells out of order, another byte order.
    func testBytesThatAreNoIndexAreRefused() {
        let set = polygons(300, seed: 4)
        let bytes = CellIndex(set, tolerance: 0).encoded()
        func read(_ b: [UInt8], members: Int = 300) -> CellIndex? { b.withUnsafeBytes { CellIndex(encoded: $0, memberCount: members) } }
        XCTAssertNotNil(read(bytes))
        XCTAssertNil(read(Array(bytes.dropLast(4))))
        XCTAssertNil(read(Array(bytes.prefix(20))))
        XCTAssertNil(read(bytes, members: 299))
        var swapped = bytes
        swapped[0...7].reverse()
        XCTAssertNil(read(swapped))
        var disorder = bytes
        // cellStart[1] := a huge count: above cellStart[2]
        disorder[64 + 4 ..< 64 + 8] = [0xFF, 0xFF, 0xFF, 0x7F]
        XCTAssertNil(read(disorder))
    }

    /// The digest tells a set from one with a single vertex moved by the last bit.
    func testContentDigestSeesOneMovedVertex() {
        let a = PolygonSet([[[[Coordinate(0, 0), Coordinate(10, 0), Coordinate(10, 10), Coordinate(0, 0)]]]])
        let b = PolygonSet([[[[Coordinate(0, 0), Coordinate(10, 0), Coordinate(10, 10.000000000000002), Coordinate(0, 0)]]]])
        let c = PolygonSet([[[[Coordinate(0, 0), Coordinate(10, 0), Coordinate(10, 10), Coordinate(0, 0)]]]])
        func digest(_ s: PolygonSet) -> String { var d = ContentDigest(); s.storage.addContent(to: &d); return d.hex }
        XCTAssertEqual(digest(a), digest(c))
        XCTAssertNotEqual(digest(a), digest(b))
        XCTAssertEqual(digest(a).count, 32)
    }
}

import XCTest
@testable import Spatial

final class WKBTests: XCTestCase {
    let samples: [Geometry] = [
        .point(Coordinate(1.5, -2)),
        .lineString([Coordinate(0, 0), Coordinate(1, 1), Coordinate(2, 0)]),
        .polygon([[Coordinate(0, 0), Coordinate(4, 0), Coordinate(4, 4), Coordinate(0, 0)],
                  [Coordinate(1, 1), Coordinate(2, 1), Coordinate(1, 2), Coordinate(1, 1)]]),
        .multiPoint([Coordinate(1, 2), Coordinate(3, 4)]),
        .multiLineString([[Coordinate(0, 0), Coordinate(1, 0)], [Coordinate(5, 5), Coordinate(6, 6)]]),
        .multiPolygon([[[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 0)]],
                       [[Coordinate(5, 5), Coordinate(6, 5), Coordinate(6, 6), Coordinate(5, 5)]]]),
    ]

    func testRoundTripEveryType() throws {
        for g in samples {
            XCTAssertEqual(try WKB.decode(WKB.encode(g)), g, g.typeName)
        }
    }

    func testGEOSReadsOurWKBAndWeReadGEOS() throws {
        for g in samples {
            let geos = try GeosGeometry(g)
            XCTAssertEqual(geos.typeName, g.typeName)
            XCTAssertEqual(try geos.geometry(), g)
        }
    }

    func testBigEndianAndZDropped() throws {
        // POINT Z (1 2 3), big endian, ISO type 1001.
        var bytes: [UInt8] = [0, 0, 0, 0x03, 0xE9]
        for v in [1.0, 2.0, 3.0] { withUnsafeBytes(of: v.bitPattern.bigEndian) { bytes += $0 } }
        XCTAssertEqual(try WKB.decode(bytes), .point(Coordinate(1, 2)))
    }

    /// A ring of 2D little-endian WKB is copied into the records whole; any other layout is
    /// read vertex by vertex. Both give the same set, and a ring cut short fails either way.
    func testPolygonalWKBCopiedWholeOrReadByVertexGivesTheSameSet() throws {
        var random = SystemRandomNumberGenerator()
        let rings: [[Coordinate]] = (0..<40).map { k in
            let n = Int.random(in: 3...90, using: &random)
            var ring = (0..<n).map { i -> Coordinate in
                let a = 2 * Double.pi * Double(i) / Double(n), r = Double.random(in: 50...100, using: &random)
                return Coordinate(500_000 + 1000 * Double(k) + r * cos(a), 3_400_000 + r * sin(a))
            }
            ring.append(ring[0])
            return ring
        }
        /// POLYGON or POLYGON Z (ISO 1003) of one ring, in either byte order.
        func polygon(_ ring: [Coordinate], bigEndian: Bool, z: Bool) -> [UInt8] {
            var bytes: [UInt8] = [bigEndian ? 0 : 1]
            func word(_ v: UInt32) { withUnsafeBytes(of: bigEndian ? v.bigEndian : v.littleEndian) { bytes += $0 } }
            func double(_ v: Double) { withUnsafeBytes(of: bigEndian ? v.bitPattern.bigEndian : v.bitPattern.littleEndian) { bytes += $0 } }
            word(z ? 1003 : 3)
            word(1)
            word(UInt32(ring.count))
            for c in ring {
                double(c.x); double(c.y)
                if z { double(7) }
            }
            return bytes
        }
        /// The digest of a set's records (the set kept alive while its storage is read).
        func digest(_ set: PolygonSet) -> String {
            var digest = ContentDigest()
            withExtendedLifetime(set) { set.storage.addContent(to: &digest) }
            return digest.hex
        }
        /// The set built from every ring in one layout.
        func set(bigEndian: Bool, z: Bool) throws -> PolygonSet {
            var builder = PolygonSet.Builder()
            for ring in rings {
                XCTAssertTrue(try polygon(ring, bigEndian: bigEndian, z: z).withUnsafeBytes { try WKB.appendPolygonal($0, to: &builder) })
            }
            return PolygonSet(builder)
        }
        for layout in [(false, false), (true, false), (false, true)] {
            var builder = PolygonSet.Builder()
            let cut = polygon(rings[0], bigEndian: layout.0, z: layout.1).dropLast(3)
            XCTAssertThrowsError(try Array(cut).withUnsafeBytes { try WKB.appendPolygonal($0, to: &builder) })
            XCTAssertEqual(builder.count, 0)
        }
        let expected = digest(PolygonSet(rings.map { [[$0]] }))
        XCTAssertEqual(digest(try set(bigEndian: false, z: false)), expected, "copied whole")
        XCTAssertEqual(digest(try set(bigEndian: true, z: false)), expected, "big endian")
        XCTAssertEqual(digest(try set(bigEndian: false, z: true)), expected, "with z")
    }

    func testTruncatedAndHostileBlobsFailCleanly() {
        let full = WKB.encode(samples[2])
        for n in [0, 1, 4, 9, 20, full.count - 1] {
            XCTAssertThrowsError(try WKB.decode(full.prefix(n)), "prefix \(n)")
        }
        // A ring count of 2^32-1 must not allocate: it is rejected against the bytes left.
        XCTAssertThrowsError(try WKB.decode([1, 3, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]))
        XCTAssertThrowsError(try WKB.decode([7, 1, 0, 0, 0]))
    }

    func testGeoPackageBlobHeaderAndEnvelope() throws {
        let g = samples[2]
        let blob = GeoPackageBlob.encode(g, srsID: 4549)
        XCTAssertEqual(Array(blob.prefix(2)), [0x47, 0x50])
        let header = try blob.withUnsafeBytes { try GeoPackageBlob.header($0) }
        XCTAssertEqual(header.srsID, 4549)
        XCTAssertEqual(header.envelope, Envelope(minX: 0, minY: 0, maxX: 4, maxY: 4))
        XCTAssertEqual(try GeoPackageBlob.decode(blob), g)
        // Points carry no envelope; it is computed from the WKB.
        let point = GeoPackageBlob.encode(.point(Coordinate(7, 8)), srsID: 4326)
        XCTAssertEqual(try point.withUnsafeBytes { try GeoPackageBlob.envelope($0) }, Envelope(minX: 7, minY: 8, maxX: 7, maxY: 8))
    }

    /// A layer's polygons go from WKB straight into the kernel's records: the same set as one
    /// built from the decoded geometries, and nothing added for other types, empty polygons
    /// or a blob that fails half way.
    func testPolygonalWKBBuildsTheSameSetAsDecodedGeometries() throws {
        let withHoleAndTail: Geometry = .multiPolygon([
            [[Coordinate(0, 0), Coordinate(10, 0), Coordinate(10, 10), Coordinate(0, 10), Coordinate(0, 0)],
             [Coordinate(2, 2), Coordinate(4, 2), Coordinate(4, 4), Coordinate(2, 2)]],
            [[Coordinate(20, 0), Coordinate(30, 5), Coordinate(20, 10), Coordinate(20, 0)]],
        ])
        var builder = PolygonSet.Builder(), decoded: [[[[Coordinate]]]] = []
        for g in samples + [withHoleAndTail, .polygon([[]]), .multiPolygon([])] {
            let added = try WKB.encode(g).withUnsafeBytes { try WKB.appendPolygonal($0, to: &builder) }
            XCTAssertEqual(added, g.family == .polygon && !g.isEmpty, "\(g)")
            if added { decoded.append(g.polygons) }
            XCTAssertEqual(builder.count, decoded.count)
        }
        // A truncated polygon throws and leaves nothing behind.
        let truncated = WKB.encode(withHoleAndTail).dropLast(5)
        XCTAssertThrowsError(try Array(truncated).withUnsafeBytes { try WKB.appendPolygonal($0, to: &builder) })
        XCTAssertEqual(builder.count, decoded.count)
        let blob = GeoPackageBlob.encode(withHoleAndTail, srsID: 4549)
        XCTAssertTrue(try blob.withUnsafeBytes { try GeoPackageBlob.appendPolygonal($0, to: &builder) })
        decoded.append(withHoleAndTail.polygons)

        let fromWKB = PolygonSet(builder), reference = PolygonSet(decoded)
        XCTAssertEqual(fromWKB.count, 4)
        XCTAssertEqual(fromWKB.storage.edgeCount, reference.storage.edgeCount)
        for m in 0..<reference.count {
            XCTAssertEqual(fromWKB.envelope(m), reference.envelope(m))
            for x in stride(from: -1.0, through: 31, by: 0.5) {
                for y in stride(from: -1.0, through: 11, by: 0.5) {
                    XCTAssertEqual(fromWKB.locate(x, y, in: m), reference.locate(x, y, in: m), "member \(m) at (\(x), \(y))")
                }
            }
        }
        XCTAssertEqual(fromWKB.locate(3, 2.5, in: 3), .exterior, "in the hole")
        XCTAssertEqual(fromWKB.locate(1, 1, in: 3), .interior)
        XCTAssertEqual(fromWKB.locate(30, 5, in: 3), .boundary)
    }

    /// Empty means no coordinate at all, for every kind (as the flattened coordinates say).
    func testIsEmptyMeansNoCoordinates() {
        let c = Coordinate(1, 2)
        let cases: [Geometry] = [
            .point(c), .lineString([]), .lineString([c]), .multiPoint([]), .multiPoint([c]),
            .polygon([]), .polygon([[]]), .polygon([[], [c]]), .multiLineString([[], []]), .multiLineString([[c]]),
            .multiPolygon([]), .multiPolygon([[]]), .multiPolygon([[[]], []]), .multiPolygon([[[]], [[c]]]),
        ]
        for g in cases { XCTAssertEqual(g.isEmpty, g.coordinates.isEmpty, "\(g)") }
        XCTAssertEqual(cases.filter(\.isEmpty).count, 8)
    }
}

import Foundation
import XCTest
import KernelVerification
@testable import Spatial

/// Seeded, bounded fuzzing of every parser that reads user bytes: mutations (flips, inserts,
/// deletions, truncations, splices of JSON punctuation) of valid GeoJSON, CSV, WKB and
/// GeoPackage blobs. Each input must parse or fail with an error — never crash or hang.
/// `FUZZ_ITERATIONS` raises the count (tools/fuzz.sh); `FUZZ_SEED` replays a run.
final class FuzzTests: XCTestCase {
    let iterations = Int(ProcessInfo.processInfo.environment["FUZZ_ITERATIONS"] ?? "") ?? 6000
    let seed = UInt64(ProcessInfo.processInfo.environment["FUZZ_SEED"] ?? "") ?? 20261124

    func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        let interesting: [UInt8] = Array("{}[],:\"\\-0123456789eE.nNtf \n\r\u{1E}\u{0}".utf8) + [0xFF, 0xC3, 0xE4, 0xB6]
        for _ in 0..<(1 + Int(random.next() % 4)) {
            guard !bytes.isEmpty else { bytes = [interesting[Int(random.next() % UInt64(interesting.count))]]; continue }
            let at = Int(random.next() % UInt64(bytes.count))
            switch random.next() % 6 {
            case 0: bytes[at] ^= UInt8(truncatingIfNeeded: 1 << (random.next() % 8))
            case 1: bytes.insert(interesting[Int(random.next() % UInt64(interesting.count))], at: at)
            case 2: bytes.remove(at: at)
            case 3: bytes = Array(bytes[..<at])
            case 4: bytes[at] = interesting[Int(random.next() % UInt64(interesting.count))]
            default:
                // Duplicate a slice: nesting and repeated members.
                let end = min(bytes.count, at + Int(random.next() % 64))
                bytes.insert(contentsOf: bytes[at..<end], at: at)
            }
        }
        return bytes
    }

    func testGeoJSONAndJSON() throws {
        let seed = Array(#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4549"}},"features":[{"type":"Feature","id":7,"properties":{"owner":"市政工程管理处","n":1.5e2,"ok":true,"x":null},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[10,0],[10,10],[0,0]],[[1,1],[2,1],[1,2],[1,1]]]]}},{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#.utf8)
        var random = SplitMix64(seed: self.seed)
        let path = NSTemporaryDirectory() + "fuzz-\(UUID().uuidString).geojson"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var parsed = 0
        for _ in 0..<iterations {
            let bytes = mutate(seed, &random)
            if (try? JSONParser.parse(bytes)) != nil { parsed += 1 }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            if let source = try? GeoJSONFeatureSource(path: path) {
                var n = 0
                while n < 100, let f = try? source.next() { n += 1; _ = f.geometry?.envelope }
            }
        }
        XCTAssertGreaterThan(parsed, 0, "some mutations stay valid JSON: the fuzzer reaches the deep code")
    }

    func testCSV() throws {
        let seed = Array("ObjID,ObjName,经度,纬度,BGID\n3202140101000001,\"上水,井盖\",120.38,31.54,320214001001001\r\n2,\"a \"\"b\"\"\",120.1,31.1,x\n".utf8)
        var random = SplitMix64(seed: self.seed &+ 1)
        for _ in 0..<iterations {
            let bytes = mutate(seed, &random)
            guard let reader = try? CSVReader(bytes: bytes) else { continue }
            var n = 0
            while n < 100, (try? reader.next()) != nil { n += 1 }
        }
    }

    func testWKBAndGeoPackageBlobs() throws {
        let geometries: [Geometry] = [
            .point(Coordinate(1, 2)),
            .polygon([[Coordinate(0, 0), Coordinate(4, 0), Coordinate(4, 4), Coordinate(0, 0)]]),
            .multiLineString([[Coordinate(0, 0), Coordinate(1, 1)], [Coordinate(2, 2), Coordinate(3, 3)]]),
            .multiPolygon([[[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 0)]]]),
        ]
        var random = SplitMix64(seed: self.seed &+ 2)
        for _ in 0..<iterations {
            let g = geometries[Int(random.next() % UInt64(geometries.count))]
            let wkb = mutate(WKB.encode(g), &random)
            if let decoded = try? WKB.decode(wkb), decoded.coordinates.allSatisfy(\.isFinite), !decoded.isEmpty {
                // What decodes must also be safe for GEOS.
                _ = (try? GeosGeometry(decoded))?.validityProblem()
            }
            let blob = mutate(GeoPackageBlob.encode(g, srsID: 4549), &random)
            _ = try? GeoPackageBlob.decode(blob)
            _ = try? blob.withUnsafeBytes { try GeoPackageBlob.envelope($0) }
        }
    }
}

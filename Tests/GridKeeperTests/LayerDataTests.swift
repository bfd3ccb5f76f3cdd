import XCTest
import Spatial
@testable import GridKeeper

final class LayerDataTests: XCTestCase {
    /// Members are the polygonal features in fid order; each keeps its whole geometry, is found
    /// by fid, and its key's rank orders keys by code point (equal keys, equal ranks).
    func testMembersGeometriesFidsAndKeyRanks() throws {
        let scratch = try Scratch()
        try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"乙"}"#, rings: [rect(0, 0, 100, 100)]),
            feature(#"{"owner":"B"}"#, rings: [rect(100, 0, 200, 100), rect(120, 20, 140, 40)]),
            feature(#"{"owner":"乙"}"#, rings: [rect(0, 100, 100, 200)]),
            feature(#"{"owner":"A"}"#, rings: [rect(100, 100, 200, 200)]),
        ]))
        let ws = try scratch.workspace()
        let info = try ws.layer(named: "duty")
        let data = try LayerData(workspace: ws, layer: info, jurisdiction: nil)
        XCTAssertEqual(data.parties.map(\.key), ["乙", "B", "乙", "A"])
        XCTAssertEqual(data.keyRank, [2, 1, 2, 0])
        let stored = try ws.database.query("SELECT fid, geom FROM duty ORDER BY fid")
        XCTAssertEqual(stored.count, 4)
        for (m, row) in stored.enumerated() {
            guard case .integer(let fid) = row[0], case .blob(let blob) = row[1] else { return XCTFail("row \(m)") }
            XCTAssertEqual(data.parties[m].fid, fid)
            XCTAssertEqual(data.member(fid: fid), m)
            XCTAssertEqual(try data.geometry(m), try GeoPackageBlob.decode(blob))
            XCTAssertEqual(data.polygons.envelope(m), try GeoPackageBlob.decode(blob).envelope)
        }
        XCTAssertEqual(try data.geometries().count, 4)
        XCTAssertNil(data.member(fid: 0))
        XCTAssertNil(data.member(fid: 99))
        XCTAssertEqual(data.polygons.locate(130, 30, in: 1), .exterior, "in the hole")
    }
}

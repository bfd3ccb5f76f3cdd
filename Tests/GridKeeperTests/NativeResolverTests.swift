import XCTest
import Spatial
@testable import GridKeeper

/// The bulk path (native kernel) must give the same answer as the GEOS path for every point.
final class NativeResolverTests: XCTestCase {
    func compare(_ ws: Workspace, layers: [String], points: [Coordinate], tolerances: [Double],
                 file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        var compared = 0
        let jurisdiction = try ws.jurisdictionLayer().flatMap { try ws.coverage(layer: $0.name) }
        for name in layers {
            let info = try ws.layer(named: name)
            let cover = try jurisdiction ?? ws.coverage(layer: name)
            let data = try LayerData(workspace: ws, layer: info, jurisdiction: cover)
            let native = NativeResolver(data)
            let reference = try LayerResolver(layer: info, provider: WorkspaceFeatures(workspace: ws, layer: info), jurisdiction: cover)
            for t in tolerances {
                for p in points {
                    let a = try native.answer(x: p.x, y: p.y, tolerance: t)
                    let b = try reference.answer(at: p, tolerance: t)
                    let label = "\(name) at (\(p.x), \(p.y)) tolerance \(t)"
                    XCTAssertEqual(a.status, b.status, label, file: file, line: line)
                    XCTAssertEqual(a.primary >= 0 ? data.parties[Int(a.primary)] : nil, b.primary, label, file: file, line: line)
                    let candidates = a.status == .boundary || a.status == .disputed ? b.candidates : []
                    XCTAssertEqual(a.hasCandidates ? native.candidates.map { data.parties[Int($0)] } : [], candidates, label, file: file, line: line)
                    if let d = b.distance { XCTAssertEqual(a.distance, d, label, file: file, line: line) }
                    compared += 1
                }
            }
        }
        return compared
    }

    func testAgreesOnHandMadeLayersWithHolesOverlapsAndSameOwnerEdges() throws {
        let scratch = try Scratch()
        try scratch.importLayer("grids", kind: .grid, geojson: collection([
            feature(#"{"code":"A"}"#, rings: [rect(0, 0, 100, 100)]), feature(#"{"code":"B"}"#, rings: [rect(100, 0, 200, 100)]),
            feature(#"{"code":"C"}"#, rings: [rect(0, 100, 100, 200)]), feature(#"{"code":"D"}"#, rings: [rect(100, 100, 200, 200)]),
        ]))
        try scratch.importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"P"}"#, rings: [rect(0, 0, 120, 100), rect(20, 20, 40, 40).reversed()]),
            feature(#"{"owner":"P"}"#, rings: [rect(0, 100, 100, 200)]),
            feature(#"{"owner":"Q"}"#, rings: [rect(100, 0, 200, 100)]),
            feature(#"{"owner":"Q"}"#, rings: [rect(150, 100, 200, 200)]),
        ]))
        var points: [Coordinate] = []
        for x in stride(from: -10.0, through: 210, by: 2.5) {
            for y in stride(from: -10.0, through: 210, by: 2.5) { points.append(Coordinate(originX + x, originY + y)) }
        }
        let n = try compare(try scratch.workspace(), layers: ["grids", "duty"], points: points, tolerances: [0, 0.5, 3])
        XCTAssertGreaterThan(n, 40_000)
    }

    func testAgreesOnTheDemoCity() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let scratch = try Scratch()
        for (file, layer, kind) in [("district", "district", LayerKind.area), ("grids", "grids", .grid), ("road_duty", "road_duty", .duty), ("greening_duty", "greening", .duty)] {
            var o = ImportOptions(file: root.appendingPathComponent("geodata/\(file).geojson").path, layer: layer, kind: kind)
            o.jurisdiction = layer == "district"
            _ = try LayerImport.run(o, into: try scratch.workspace())
        }
        let ws = try scratch.workspace()
        // Every vertex of every polygon, edge midpoints, and a lattice through the city.
        var points: [Coordinate] = []
        for layer in ["grids", "road_duty", "greening"] {
            for case .blob(let b) in try ws.database.query("SELECT geom FROM \(layer)").map({ $0[0] }) {
                let cs = try GeoPackageBlob.decode(b).coordinates
                points += cs
                points += zip(cs, cs.dropFirst()).map { Coordinate(($0.x + $1.x) / 2, ($0.y + $1.y) / 2) }
            }
        }
        let e = try XCTUnwrap(try ws.coverage(layer: "district")).envelope
        for x in stride(from: e.minX - 20, through: e.maxX + 20, by: 37.3) {
            for y in stride(from: e.minY - 20, through: e.maxY + 20, by: 41.7) { points.append(Coordinate(x, y)) }
        }
        let n = try compare(ws, layers: ["grids", "road_duty", "greening"], points: points, tolerances: [0, 1])
        XCTAssertGreaterThan(n, 10_000)
    }
}

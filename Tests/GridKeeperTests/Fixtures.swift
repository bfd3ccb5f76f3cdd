import Foundation
import Spatial
@testable import GridKeeper

/// A scratch directory with a fresh workspace in EPSG:4549, removed at deinit.
final class Scratch {
    let directory: String
    let workspacePath: String

    init() throws {
        directory = NSTemporaryDirectory() + "gk-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        workspacePath = directory + "/ws.gpkg"
        _ = try Workspace.create(path: workspacePath, crs: .epsg(4549))
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func workspace() throws -> Workspace { try Workspace.open(path: workspacePath) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func workspaceBytes() throws -> Data { try Data(contentsOf: URL(fileURLWithPath: workspacePath)) }

    /// Imports `text` (GeoJSON in EPSG:4549 unless `crs` says otherwise).
    @discardableResult
    func importLayer(_ name: String, kind: LayerKind, geojson text: String, crs: CRS? = .epsg(4549),
                     configure: (inout ImportOptions) -> Void = { _ in }) throws -> ImportReport {
        let path = try write("\(name)-\(UUID().uuidString.prefix(6)).geojson", text)
        var options = ImportOptions(file: path, layer: name, kind: kind)
        options.crs = crs
        configure(&options)
        return try LayerImport.run(options, into: try workspace())
    }
}

extension Scratch {
    /// The standard test city: grids 320214001001001–004 over (0–200 × 0–200); duty P1
    /// (0–`overlapTo` × 0–100, hole 20–40), P2 (0–100 × 100–200), Q1 (100–200 × 0–100),
    /// Q2 (150–200 × 100–200) — a P/Q overlap, a hole, a gap and a same-owner edge.
    func importGridsAndDuty(overlapTo x: Double = 120) throws {
        try importLayer("grids", kind: .grid, geojson: collection([
            feature(#"{"code":"320214001001001"}"#, rings: [rect(0, 0, 100, 100)]), feature(#"{"code":"320214001001002"}"#, rings: [rect(100, 0, 200, 100)]),
            feature(#"{"code":"320214001001003"}"#, rings: [rect(0, 100, 100, 200)]), feature(#"{"code":"320214001001004"}"#, rings: [rect(100, 100, 200, 200)]),
        ]))
        try importDuty(overlapTo: x)
    }

    func importDuty(overlapTo x: Double, replace: Bool = false) throws {
        try importLayer("duty", kind: .duty, geojson: collection([
            feature(#"{"owner":"P"}"#, rings: [rect(0, 0, x, 100), rect(20, 20, 40, 40).reversed()]),
            feature(#"{"owner":"P"}"#, rings: [rect(0, 100, 100, 200)]),
            feature(#"{"owner":"Q"}"#, rings: [rect(100, 0, 200, 100)]),
            feature(#"{"owner":"Q"}"#, rings: [rect(150, 100, 200, 200)]),
        ])) { $0.replace = replace }
    }
}

/// Local metres near Wuxi in EPSG:4549, so tests write small numbers.
let originX = 535_000.0, originY = 3_491_000.0

func ring(_ pts: [(Double, Double)]) -> String {
    let closed = pts + [pts[0]]
    return "[" + closed.map { "[\(originX + $0.0),\(originY + $0.1)]" }.joined(separator: ",") + "]"
}

func rect(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> [(Double, Double)] {
    [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
}

func feature(_ properties: String, rings: [[(Double, Double)]]) -> String {
    #"{"type":"Feature","properties":\#(properties),"geometry":{"type":"Polygon","coordinates":[\#(rings.map(ring).joined(separator: ","))]}}"#
}

func collection(_ features: [String]) -> String {
    #"{"type":"FeatureCollection","features":[\#(features.joined(separator: ",\n"))]}"#
}

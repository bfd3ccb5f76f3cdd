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

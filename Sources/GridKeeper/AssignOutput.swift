import Foundation
import Spatial

/// Where `assign` and `lookup --input` write one row per point, in input order: CSV (default;
/// "-" is standard output), GeoJSON, GeoJSONSeq or a GeoPackage (a point table `assign`), the
/// spatial ones through the same sinks as `export`. Files are written under a temporary name
/// and renamed into place only when the whole run succeeded. Used by one thread at a time:
/// the assign loop, or its background writer between `submit` and `drain`.
final class AssignOutput: @unchecked Sendable {
    let header: [String]
    private let finalPath: String
    private let temporaryPath: String
    private var csv: CSVWriter?
    private var sink: FeatureSink?

    init(path: String, header: [String], bom: Bool, encoding: TextEncoding) throws {
        self.header = header
        finalPath = path
        let format: Export.Format = path == "-" ? .csv : ((try? Export.format(for: path)) ?? .csv)
        // (Foundation on Linux traps on path operations on "-": never ask it.)
        temporaryPath = path == "-" ? "-" : Self.temporaryName(for: path)
        do {
            switch format {
            case .csv:
                csv = try CSVWriter(path: temporaryPath, encoding: encoding, bom: bom)
                try csv!.write(header)
            case .geojson, .geojsonseq:
                sink = try GeoJSONSink(path: temporaryPath, sequence: format == .geojsonseq, precision: 8, crs: nil)
            case .gpkg:
                sink = try GeoPackageSink(path: temporaryPath, table: "assign", kind: .component, crs: .wgs84,
                                          fields: header.map { FieldDefinition(name: $0, type: .text) })
            }
        } catch let e as GridKeeperError {
            throw e
        } catch {
            throw GridKeeperError.usage("cannot write \(path): \(error)")
        }
    }

    /// A hidden file beside `path`, so that the final rename stays on one file system.
    static func temporaryName(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).gridkeeper-\(getpid()).tmp").path
    }

    var isCSV: Bool { csv != nil }

    /// Whether rows need the point's WGS84 position (the spatial formats).
    var needsLonLat: Bool { sink != nil }

    /// Appends rows already CSV-encoded (by the workers), in order.
    func writeEncoded(_ bytes: UnsafeRawBufferPointer) throws {
        try csv!.writeEncoded(bytes)
    }

    /// One row; `lonLat` is the point in WGS84 for the spatial formats.
    func write(_ row: [String], lonLat: Coordinate) throws {
        if let csv { return try csv.write(row) }
        try sink!.write(Feature(index: 0, line: 0, id: nil, properties: zip(header, row).map { ($0, .string($1)) }, geometry: .point(lonLat)))
    }

    /// Completes the file and moves it into place.
    func finish() throws {
        try csv?.close()
        try sink?.finish()
        guard temporaryPath != "-" else { return }
        do { try Self.moveIntoPlace(temporaryPath, finalPath) } catch {
            discard()
            throw error
        }
    }

    /// Renames a finished temporary file to `path`. rename(2) replaces an existing file in one
    /// step (there is no moment without the old output or the new one) and refuses to replace
    /// a directory (removing it first, as before, deleted a directory given as the output).
    static func moveIntoPlace(_ temporary: String, _ path: String) throws {
        guard rename(temporary, path) == 0 else {
            throw GridKeeperError.usage("cannot put the output in place at \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Drops the partial output.
    func discard() {
        try? csv?.close()
        sink = nil
        if temporaryPath != "-" { try? FileManager.default.removeItem(atPath: temporaryPath) }
    }
}

import Foundation
import Spatial

/// Where `assign` and `lookup --input` write one row per point, in input order: CSV (default;
/// "-" is standard output), GeoJSON, GeoJSONSeq or a GeoPackage (a point table `assign`), the
/// spatial ones through the same sinks as `export`. The path follows `OutputFile`'s rule (a
/// file appears only when the whole run succeeded). Used by one thread at a time: the assign
/// loop, or its background writer between `submit` and `drain`.
final class AssignOutput: @unchecked Sendable {
    let header: [String]
    private let output: OutputFile
    private var csv: CSVWriter?
    private var sink: FeatureSink?

    init(path: String, header: [String], bom: Bool, encoding: TextEncoding) throws {
        self.header = header
        output = try OutputFile(path)
        let format: Export.Format = path == "-" ? .csv : ((try? Export.format(for: path)) ?? .csv)
        do {
            switch format {
            case .csv:
                csv = try CSVWriter(descriptor: try output.openDescriptor(), name: path, encoding: encoding, bom: bom)
                try csv!.write(header)
            case .geojson, .geojsonseq:
                sink = GeoJSONSink(descriptor: try output.openDescriptor(), sequence: format == .geojsonseq, precision: 8, crs: nil)
            case .gpkg:
                sink = try GeoPackageSink(path: try output.stagingPath(), table: "assign", kind: .component, crs: .wgs84,
                                          fields: header.map { FieldDefinition(name: $0, type: .text) })
            case .shp, .kml:
                throw GridKeeperError.usage("\(path): write the answers as .csv, .geojson, .geojsonl or .gpkg (export converts a layer to .\(format.rawValue))")
            }
        } catch let e as GridKeeperError {
            output.discard()
            throw e
        } catch {
            output.discard()
            throw GridKeeperError.usage("cannot write \(path): \(error)")
        }
    }

    var isCSV: Bool { csv != nil }

    /// False for standard output, a FIFO or a device (nothing can be written beside them).
    var isFile: Bool { output.isFile }

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

    /// Completes the file and puts it in place.
    func finish() throws {
        do {
            try csv?.close()
            try sink?.finish()
        } catch {
            discard()
            throw error
        }
        try output.commit()
    }

    /// Drops the partial output.
    func discard() {
        try? csv?.close()
        sink = nil
        output.discard()
    }
}

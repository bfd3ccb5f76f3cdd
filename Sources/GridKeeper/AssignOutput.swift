import Foundation
import Spatial

/// Where `assign` writes one row per point, in input order: CSV (default), GeoJSONSeq
/// (.geojsonl/.geojsonseq) or a GeoPackage (.gpkg, a point table named `assign`). Writes to a
/// temporary file that is renamed into place only when the whole run succeeded.
final class AssignOutput {
    private enum Format { case csv, geoJSONSeq, geoPackage }
    private let format: Format
    let header: [String]
    private let finalPath: String
    private let temporaryPath: String
    private var csv: CSVWriter?
    private var seq: FileHandle?
    private var buffer = ""
    private var gpkg: GeoPackage?
    private var insert: SQLiteStatement?

    init(path: String, header: [String], bom: Bool, encoding: TextEncoding) throws {
        self.header = header
        finalPath = path
        let ext = (path as NSString).pathExtension.lowercased()
        switch ext {
        case "geojsonl", "geojsonseq", "geojsons", "jsonl", "ndjson": format = .geoJSONSeq
        case "gpkg": format = .geoPackage
        case "geojson", "json":
            throw GridKeeperError.usage("\(path): assign streams its output; use .geojsonl (GeoJSONSeq, one feature per line), .csv or .gpkg")
        default: format = .csv
        }
        let directory = (path as NSString).deletingLastPathComponent
        temporaryPath = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).gridkeeper-\(getpid()).tmp"
        do {
            switch format {
            case .csv:
                csv = try CSVWriter(path: temporaryPath, encoding: encoding, bom: bom)
                try csv!.write(header)
            case .geoJSONSeq:
                guard FileManager.default.createFile(atPath: temporaryPath, contents: nil), let h = FileHandle(forWritingAtPath: temporaryPath) else {
                    throw GridKeeperError.usage("cannot write \(path)")
                }
                seq = h
            case .geoPackage:
                try? FileManager.default.removeItem(atPath: temporaryPath)
                let g = try GeoPackage.create(path: temporaryPath, crs: try ProjCatalog.info(epsg: 4326))
                let fields = header.map { FieldDefinition(name: $0, type: .text) }
                try g.database.execute("BEGIN")
                try g.createFeatureTable("assign", geometryType: "POINT", srsID: 4326, fields: fields, description: "gridkeeper assign answers")
                insert = try g.database.prepare("INSERT INTO assign (geom, \(header.map(quoteIdentifier).joined(separator: ", "))) VALUES (?\(String(repeating: ", ?", count: header.count)))")
                gpkg = g
            }
        } catch let e as GridKeeperError {
            throw e
        } catch {
            throw GridKeeperError.usage("cannot write \(path): \(error)")
        }
    }

    var isCSV: Bool { format == .csv }

    /// Appends rows already CSV-encoded (by the workers), in order.
    func writeEncoded(_ bytes: UnsafeRawBufferPointer) throws {
        try csv!.writeEncoded(bytes)
    }

    /// Whether rows need the point's WGS84 position (the spatial formats).
    var needsLonLat: Bool { format != .csv }

    /// One row; `lonLat` is the point in WGS84 for the spatial formats.
    func write(_ row: [String], lonLat: Coordinate) throws {
        switch format {
        case .csv:
            try csv!.write(row)
        case .geoJSONSeq:
            buffer += "{\"type\":\"Feature\",\"properties\":"
            buffer += JSONValue.object(zip(header, row).map { ($0, .string($1)) }).text
            buffer += ",\"geometry\":"
            GeoJSONGeometry.write(.point(lonLat), precision: 8, into: &buffer)
            buffer += "}\n"
            if buffer.utf8.count > 1 << 20 { try flushSequence() }
        case .geoPackage:
            try insert!.bind([.blob(GeoPackageBlob.encode(.point(lonLat), srsID: 4326))] + row.map { .text($0) })
            _ = try insert!.step()
        }
    }

    private func flushSequence() throws {
        try seq?.write(contentsOf: Data(buffer.utf8))
        buffer = ""
    }

    /// Completes the file and moves it into place.
    func finish() throws {
        switch format {
        case .csv: try csv?.close()
        case .geoJSONSeq:
            try flushSequence()
            try seq?.close()
        case .geoPackage:
            insert = nil
            try gpkg?.refreshExtent("assign")
            try gpkg?.database.execute("COMMIT")
            gpkg = nil
        }
        if FileManager.default.fileExists(atPath: finalPath) { try FileManager.default.removeItem(atPath: finalPath) }
        try FileManager.default.moveItem(atPath: temporaryPath, toPath: finalPath)
    }

    /// Drops the partial output.
    func discard() {
        try? csv?.close()
        try? seq?.close()
        insert = nil
        gpkg = nil
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }
}

import Foundation
import Spatial

/// Where batch answers go: CSV (by default), GeoJSON FeatureCollection or GeoJSONSeq, chosen by
/// the output's extension. Writes to a temporary file renamed into place at the end, so a
/// failed run never leaves half an output behind.
final class BatchSink {
    private enum Format { case csv, geoJSON, geoJSONSeq }
    private let format: Format
    private let columns: BatchColumns
    private let finalPath: String
    private let temporaryPath: String
    private var csv: CSVWriter?
    private var handle: FileHandle?
    private var buffer = ""
    private var count = 0

    init(path: String, columns: BatchColumns, bom: Bool, encoding: TextEncoding) throws {
        self.columns = columns
        finalPath = path
        let ext = (path as NSString).pathExtension.lowercased()
        format = ["geojson", "json"].contains(ext) ? .geoJSON : (["geojsonl", "geojsonseq", "geojsons", "jsonl", "ndjson"].contains(ext) ? .geoJSONSeq : .csv)
        temporaryPath = path == "-" ? "-" : "\(path).gridkeeper-\(getpid()).tmp"
        do {
            switch format {
            case .csv:
                csv = try CSVWriter(path: temporaryPath, encoding: encoding, bom: bom)
                try csv!.write(columns.header)
            case .geoJSON, .geoJSONSeq:
                guard FileManager.default.createFile(atPath: temporaryPath, contents: nil), let h = FileHandle(forWritingAtPath: temporaryPath) else {
                    throw GridKeeperError.usage("cannot write \(path)")
                }
                handle = h
                if format == .geoJSON { buffer = "{\"type\":\"FeatureCollection\",\"features\":[\n" }
            }
        } catch let e as CSVError {
            throw GridKeeperError.usage("cannot write \(path): \(e)")
        }
    }

    func write(id: String, answer: PointAnswer, properties: [(String, JSONValue)]) throws {
        let values = columns.values(id: id, answer: answer)
        switch format {
        case .csv:
            try csv!.write(values)
        case .geoJSON, .geoJSONSeq:
            if format == .geoJSON && count > 0 { buffer += ",\n" }
            let props = zip(columns.header, values).map { ($0.0, JSONValue.string($0.1)) }
            buffer += "{\"type\":\"Feature\",\"properties\":"
            buffer += JSONValue.object(props).text
            buffer += ",\"geometry\":"
            GeoJSONGeometry.write(.point(answer.lonLat), precision: 8, into: &buffer)
            buffer += "}"
            if format == .geoJSONSeq { buffer += "\n" }
            if buffer.utf8.count > 1 << 20 { try flushBuffer() }
        }
        count += 1
    }

    private func flushBuffer() throws {
        try handle?.write(contentsOf: Data(buffer.utf8))
        buffer = ""
    }

    func finish() throws {
        switch format {
        case .csv: try csv?.close()
        case .geoJSON, .geoJSONSeq:
            if format == .geoJSON { buffer += "\n]}\n" }
            try flushBuffer()
            try handle?.close()
        }
        if temporaryPath != "-" {
            _ = try? FileManager.default.removeItem(atPath: finalPath)
            try FileManager.default.moveItem(atPath: temporaryPath, toPath: finalPath)
        }
    }

    /// Drops the partial output.
    func abandon() {
        try? handle?.close()
        try? csv?.close()
        if temporaryPath != "-" { try? FileManager.default.removeItem(atPath: temporaryPath) }
    }
}

import Foundation
import Spatial

/// `gridkeeper export`: a layer as RFC 7946 GeoJSON (default), GeoJSONSeq, CSV (WKT or x,y),
/// a stand-alone GeoPackage, or through GDAL's ogr2ogr a Shapefile or KML. Streams: features
/// are read and written one at a time, to the `--out` path by `OutputFile`'s rule.
public enum Export {
    public enum Format: String, Sendable, CaseIterable { case geojson, geojsonseq, csv, gpkg, shp, kml }

    public struct Options: Sendable {
        public var layer: String
        public var out: String
        public var format: Format?
        /// nil = WGS84 lon/lat (RFC 7946).
        public var crs: CRS?
        public var precision = 7
        public var filter: (field: String, value: String)?
        public var bom = false
        /// The Shapefile's attribute encoding (its .cpg); nil = UTF-8.
        public var encoding: TextEncoding?
        public init(layer: String, out: String) { self.layer = layer; self.out = out }
    }

    public struct Result: Sendable {
        public var features = 0
        public var format: Format
        public var crs: CRS
        /// False when the output is GeoJSON in another CRS than WGS84 (then not RFC 7946).
        public var rfc7946: Bool
    }

    public static func format(for path: String) throws -> Format {
        switch (path as NSString).pathExtension.lowercased() {
        case "geojson", "json": .geojson
        case "geojsonl", "geojsons", "geojsonseq", "jsonl", "ndjson": .geojsonseq
        case "csv": .csv
        case "gpkg": .gpkg
        case "shp": .shp
        case "kml": .kml
        case let ext: throw GridKeeperError.usage("\(path): cannot tell the format from '.\(ext)'; use .geojson, .geojsonl, .csv, .gpkg, .shp, .kml or --format")
        }
    }

    public static func run(_ o: Options, workspace ws: Workspace) throws -> Result {
        let info = try ws.layer(named: o.layer)
        guard let workspaceCRS = try ws.crs() else { throw GridKeeperError.workspace("\(ws.path) has no CRS yet") }
        guard (0...15).contains(o.precision) else { throw GridKeeperError.usage("--precision must be 0–15 decimals") }
        let output = try OutputFile(o.out)
        // Standard output, a FIFO or a device has no extension to tell the format: GeoJSON then.
        let format = try o.format ?? (output.isFile ? format(for: o.out) : .geojson)
        let target = o.crs ?? .wgs84
        if case .epsg(let code) = target { _ = try Workspace.catalogInfo(code) }
        let transform = try LayerImport.transform(from: workspaceCRS, to: target)
        let source: GeoPackageFeatureSource
        do {
            source = try GeoPackageFeatureSource(path: ws.path, table: info.name, filter: o.filter)
        } catch let e as SourceError {
            throw GridKeeperError.usage(e.message)
        }
        var result = Result(format: format, crs: target, rfc7946: (format != .geojson && format != .geojsonseq) || target == .wgs84)
        let conversion = try OGRExport(format: format, output: output, crs: target, encoding: o.encoding)
        do {
            let sink: FeatureSink = switch format {
            case .geojson, .geojsonseq: GeoJSONSink(descriptor: try output.openDescriptor(), sequence: format == .geojsonseq, precision: o.precision,
                                                   crs: target == .wgs84 ? nil : target)
            case .csv: try CSVSink(writer: CSVWriter(descriptor: try output.openDescriptor(), name: o.out, bom: o.bom), fields: source.fieldNames, precision: o.precision)
            case .gpkg: try GeoPackageSink(path: try output.stagingPath(), table: info.name, kind: info.kind, crs: target, fields: try ws.gpkg.fields(of: info.name))
            case .shp, .kml: try GeoPackageSink(path: conversion!.source, table: info.name, kind: info.kind, crs: target, fields: try ws.gpkg.fields(of: info.name))
            }
            while let f = try source.next() {
                var feature = f
                feature.geometry = try f.geometry.map { try RingOrientation.rfc7946(Self.simplest(transform.transform($0))) }
                try sink.write(feature)
                result.features += 1
            }
            try sink.finish()
            if let conversion { try conversion.run(layer: info.name) } else { try output.commit() }
        } catch {
            output.discard()
            conversion?.discard()
            if let e = error as? SourceError { throw GridKeeperError.badInput(e.description) }
            throw error
        }
        return result
    }

    /// The workspace stores every polygon as MultiPolygon; a one-part multi goes out as itself.
    static func simplest(_ g: Geometry) -> Geometry {
        switch g {
        case .multiPolygon(let p) where p.count == 1: .polygon(p[0])
        case .multiLineString(let l) where l.count == 1: .lineString(l[0])
        default: g
        }
    }
}

protocol FeatureSink {
    func write(_ f: Feature) throws
    func finish() throws
}

/// GeoJSON FeatureCollection (with `bbox`, written last so the file streams) or GeoJSONSeq,
/// written to a file descriptor as `GeoJSONText` makes it.
final class GeoJSONSink: FeatureSink {
    private let handle: FileHandle
    private var text: GeoJSONText

    /// Writes to `descriptor`, which the sink owns (closed by `finish()` or when it is dropped).
    init(descriptor: Int32, sequence: Bool, precision: Int, crs: CRS?) {
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        text = GeoJSONText(sequence: sequence, precision: precision, crs: crs)
    }

    func write(_ f: Feature) throws {
        text.append(f)
        if text.buffer.utf8.count > 1 << 20 { try flush() }
    }

    private func flush() throws {
        try handle.write(contentsOf: Data(text.buffer.utf8))
        text.buffer = ""
    }

    func finish() throws {
        text.finish()
        try flush()
        try handle.close()
    }
}

/// The one GeoJSON feature writer (export and the service's features): a FeatureCollection
/// (RFC 7946 when `crs` is nil, i.e. WGS84; `bbox` last, so it can stream) or GeoJSONSeq.
/// `buffer` holds what is not yet taken; the caller may take and empty it at any point.
struct GeoJSONText {
    var buffer = ""
    let sequence: Bool
    let precision: Int
    let crs: CRS?
    private var count = 0
    private var bbox = Envelope.empty

    init(sequence: Bool, precision: Int, crs: CRS?) {
        self.sequence = sequence
        self.precision = precision
        self.crs = crs
        if !sequence { buffer = "{\"type\":\"FeatureCollection\",\"features\":[\n" }
    }

    /// The pre-RFC 7946 `crs` member GridKeeper's import reads back: an EPSG URN (GDAL reads it
    /// too), or `urn:gridkeeper:crs:gcj02` / `…:bd09`, which no registry defines.
    static func crsMember(_ crs: CRS) -> String {
        let name = switch crs {
        case .epsg(let code): "urn:ogc:def:crs:EPSG::\(code)"
        case .gcj02, .bd09: GeoJSONFeatureSource.gridKeeperCRSPrefix + crs.description
        }
        return "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"\(name)\"}}"
    }

    mutating func append(_ f: Feature) {
        if !sequence && count > 0 { buffer += ",\n" }
        buffer += "{\"type\":\"Feature\""
        // A sequence has no collection to carry the CRS: each feature does (a foreign member).
        if sequence, let crs { buffer += "," + Self.crsMember(crs) }
        if let id = f.id { buffer += ",\"id\":" + (Int64(id).map { String($0) } ?? JSONValue.string(id).text) }
        buffer += ",\"properties\":" + JSONValue.object(f.properties).text + ",\"geometry\":"
        if let g = f.geometry {
            GeoJSONGeometry.write(g, precision: precision, into: &buffer)
            bbox = bbox.union(g.envelope)
        } else {
            buffer += "null"
        }
        buffer += "}"
        if sequence { buffer += "\n" }
        count += 1
    }

    /// Closes the collection (nothing for a sequence).
    mutating func finish() {
        if !sequence {
            buffer += "\n]"
            if !bbox.isEmpty {
                let precision = precision
                let f = { (v: Double) in GeoJSONGeometry.format(v, precision) }
                buffer += ",\"bbox\":[\(f(bbox.minX)),\(f(bbox.minY)),\(f(bbox.maxX)),\(f(bbox.maxY))]"
            }
            // Not RFC 7946 then, but readers (GDAL, GridKeeper) take the CRS from it.
            if let crs { buffer += "," + Self.crsMember(crs) }
            buffer += "}\n"
        }
    }
}

/// CSV: fid, the attributes, then x,y for points or WKT for the rest.
final class CSVSink: FeatureSink {
    private let writer: CSVWriter
    private let fields: [String]
    private let precision: Int
    private var pointColumns: Bool?

    init(writer: CSVWriter, fields: [String], precision: Int) {
        self.writer = writer
        self.fields = fields
        self.precision = precision
    }

    func write(_ f: Feature) throws {
        let isPoint = if case .point? = f.geometry { true } else { false }
        if pointColumns == nil {
            pointColumns = isPoint
            try writer.write(["fid"] + fields + (isPoint ? ["x", "y"] : ["wkt"]))
        }
        var row = [f.id ?? ""] + fields.map { name in f[name]?.keyText ?? "" }
        if pointColumns!, case .point(let c)? = f.geometry {
            row += [GeoJSONGeometry.format(c.x, precision), GeoJSONGeometry.format(c.y, precision)]
        } else {
            row.append(try f.geometry.map { try GeosGeometry($0).wkt(precision: precision) } ?? "")
        }
        try writer.write(row)
    }

    func finish() throws { try writer.close() }
}

/// A stand-alone GeoPackage with one table, in the chosen CRS.
final class GeoPackageSink: FeatureSink {
    private let gpkg: GeoPackage
    private let table: String
    private let insert: SQLiteStatement
    private let fields: [FieldDefinition]
    private let srs: Int32

    init(path: String, table: String, kind: LayerKind, crs: CRS, fields: [FieldDefinition]) throws {
        try? FileManager.default.removeItem(atPath: path)
        let code: Int
        if case .epsg(let c) = crs {
            gpkg = try GeoPackage.create(path: path, crs: try Workspace.catalogInfo(c))
            code = c
        } else {
            let wgs84 = try Workspace.catalogInfo(4326)
            gpkg = try GeoPackage.create(path: path, crs: wgs84)
            code = try gpkg.addOffsetReference(crs, wgs84: wgs84)
        }
        self.table = table
        self.fields = fields
        srs = Int32(code)
        try gpkg.database.execute("BEGIN")
        // Single and multi parts share one table: polygon and line layers stay Multi* here.
        try gpkg.createFeatureTable(table, geometryType: kind.storedGeometryType, srsID: code, fields: fields)
        let columns = ["fid", GeoPackage.geometryColumn] + fields.map(\.name)
        insert = try gpkg.database.prepare("INSERT INTO \(quoteIdentifier(table)) (\(columns.map(quoteIdentifier).joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))")
    }

    func write(_ f: Feature) throws {
        var g = f.geometry
        if case .polygon(let rings)? = g { g = .multiPolygon([rings]) }
        if case .lineString(let cs)? = g { g = .multiLineString([cs]) }
        var values: [SQLValue] = [f.id.flatMap { Int64($0) }.map { .integer($0) } ?? .null,
                                  g.map { .blob(GeoPackageBlob.encode($0, srsID: srs)) } ?? .null]
        for field in fields {
            let value: SQLValue = switch f[field.name] ?? .null {
            case .integer(let i): .integer(i)
            case .number(let d): .real(d)
            case .string(let s): .text(s)
            case .bool(let b): .integer(b ? 1 : 0)
            default: .null
            }
            values.append(value)
        }
        try insert.bind(values)
        _ = try insert.step()
    }

    func finish() throws {
        try gpkg.refreshExtent(table)
        try gpkg.database.execute("COMMIT")
    }
}

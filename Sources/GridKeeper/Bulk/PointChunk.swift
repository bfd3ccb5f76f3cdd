import Foundation
import Spatial

/// Up to `capacity` input points, columnar: what one round of bulk work holds in memory.
struct PointChunk {
    var ids: [String] = []
    var xs: [Double] = []
    var ys: [Double] = []
    /// 1-based source line (CSV, GeoJSONSeq) or feature number.
    var lines: [Int] = []
    /// The workspace fid when the points are a workspace layer.
    var fids: [Int64] = []
    /// recorded[f][i]: point i's value of the f-th `--against` field.
    var recorded: [[String?]] = []
    var count: Int { xs.count }

    mutating func removeAll(fields: Int) {
        ids.removeAll(keepingCapacity: true); xs.removeAll(keepingCapacity: true); ys.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true); fids.removeAll(keepingCapacity: true)
        if recorded.count != fields { recorded = Array(repeating: [], count: fields) }
        for f in 0..<fields { recorded[f].removeAll(keepingCapacity: true) }
    }

    /// The points at `indexes`, in that order.
    func subset(_ indexes: [Int]) -> PointChunk {
        var c = PointChunk()
        c.ids = indexes.map { ids[$0] }; c.xs = indexes.map { xs[$0] }; c.ys = indexes.map { ys[$0] }
        c.lines = indexes.map { lines[$0] }; c.fids = indexes.map { fids[$0] }
        c.recorded = recorded.map { values in indexes.map { values[$0] } }
        return c
    }
}

/// A rejected input record: where and why.
struct Rejection {
    let line: Int
    let reason: String
}

/// Reads points chunk by chunk from CSV (a fast path straight over the CSV records),
/// GeoJSON/GeoJSONSeq or a GeoPackage table.
final class PointChunkReader {
    let path: String
    let declaredCRS: CRS?
    let idName: String
    /// For a progress ETA: bytes read so far and in all (CSV), or features (GeoPackage).
    private(set) var done = 0
    let total: Int?
    private let csv: CSVReader?
    private let header: [String]
    private let xColumn: Int, yColumn: Int, idColumn: Int?, fieldColumns: [Int]
    private let features: FeatureSource?
    private let fields: [String]
    private let fieldOption: [String: String]
    private var index = 0

    /// `fields`: the fields to carry along (`--against`'s, `--date-field`'s), each with the
    /// option that named it. A missing field is an error.
    init(path: String, table: String?, fields: [(name: String, option: String)], encoding: TextEncoding?) throws {
        self.path = path
        self.fields = fields.map(\.name)
        let option = Dictionary(fields.map { ($0.name, $0.option) }, uniquingKeysWith: { a, _ in a })
        self.fieldOption = option
        let format = try SourceFormat(path: path)
        if format == .csv {
            let names: [String]
            do {
                let reader = try CSVReader(path: path, encoding: encoding)
                guard let first = try reader.next() else { throw GridKeeperError.badInput("\(path): the file is empty (expected a header row)") }
                names = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
                csv = reader
            } catch let e as CSVError {
                throw GridKeeperError.badInput("\(path): \(e)")
            }
            header = names
            let lower = names.map { $0.lowercased() }
            let columns: CSVPointSource.PointColumns
            do { columns = try CSVPointSource.columns(of: names) } catch {
                throw GridKeeperError.badInput("\(path): line 1: \(error)")
            }
            xColumn = columns.x; yColumn = columns.y
            idColumn = columns.id
            fieldColumns = try self.fields.map { f in
                guard let i = names.firstIndex(of: f) ?? lower.firstIndex(of: f.lowercased()) else {
                    throw GridKeeperError.usage("\(path): no column '\(f)' (named by \(option[f]!)); columns: \(names.joined(separator: ", "))")
                }
                return i
            }
            features = nil
            declaredCRS = nil
            idName = idColumn.map { names[$0] } ?? "id"
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            total = size
        } else {
            csv = nil; header = []; xColumn = 0; yColumn = 0; idColumn = nil; fieldColumns = []
            let source = try SourceFormat.open(path: path, sourceLayer: table, encoding: encoding)
            features = source
            declaredCRS = source.declaredCRS
            idName = format == .geoPackage ? "fid" : "id"
            if format == .geoPackage, let gpkg = source as? GeoPackageFeatureSource {
                total = gpkg.featureCount
            } else {
                total = nil
            }
        }
    }

    /// Fills `chunk` with up to `capacity` points; returns false at the end of the input.
    /// A bad record throws, or with `reject` is handed to it and skipped.
    func read(into chunk: inout PointChunk, capacity: Int, reject: ((Rejection) throws -> Void)?) throws -> Bool {
        chunk.removeAll(fields: fields.count)
        while chunk.count < capacity {
            do {
                guard try readOne(into: &chunk) else { break }
            } catch let e as GridKeeperError where e.kind == .badInput {
                guard let reject else { throw e }
                try reject(Rejection(line: lastLine, reason: e.message))
            }
        }
        return chunk.count > 0
    }

    private var lastLine = 0

    private func readOne(into chunk: inout PointChunk) throws -> Bool {
        index += 1
        if let csv {
            let record: CSVRecord
            do {
                guard let r = try csv.next() else { return false }
                record = r
            } catch let e as CSVError {
                lastLine = e.line ?? 0
                throw GridKeeperError.badInput("\(path): \(e)")
            }
            lastLine = record.line
            done += record.fields.reduce(1) { $0 + $1.utf8.count + 1 }
            let f = record.fields
            guard f.count == header.count else {
                throw GridKeeperError.badInput("\(path): line \(record.line): \(f.count) fields, but the header has \(header.count)")
            }
            guard let x = Double(f[xColumn]), let y = Double(f[yColumn]), x.isFinite, y.isFinite else {
                let bad = Double(f[xColumn])?.isFinite == true ? yColumn : xColumn
                throw GridKeeperError.badInput("\(path): line \(record.line), field \(header[bad]): '\(f[bad].prefix(40))' is not a finite number")
            }
            chunk.xs.append(x); chunk.ys.append(y)
            chunk.ids.append(idColumn.map { f[$0] } ?? String(index))
            chunk.lines.append(record.line)
            chunk.fids.append(Int64(index))
            for (k, c) in fieldColumns.enumerated() { chunk.recorded[k].append(f[c].isEmpty ? nil : f[c]) }
            return true
        }
        let feature: Feature
        do {
            guard let next = try features!.next() else { return false }
            feature = next
        } catch let e as SourceError {
            throw GridKeeperError.badInput(e.description)
        }
        done += 1
        lastLine = feature.line > 0 ? feature.line : feature.index + 1
        guard case .point(let c)? = feature.geometry else {
            throw GridKeeperError.badInput("\(path): \(feature.label), field geometry: expected a point, found \(feature.geometry?.typeName ?? "no geometry")")
        }
        chunk.xs.append(c.x); chunk.ys.append(c.y)
        chunk.ids.append(feature.id ?? String(feature.index + 1))
        chunk.lines.append(lastLine)
        chunk.fids.append(Int64(feature.id ?? "") ?? Int64(feature.index + 1))
        for (k, name) in fields.enumerated() {
            guard let value = feature.properties.first(where: { $0.0 == name }) ?? feature.properties.first(where: { $0.0.lowercased() == name.lowercased() }) else {
                throw GridKeeperError.usage("\(path): \(feature.label) has no field '\(name)' (named by \(fieldOption[name]!))")
            }
            chunk.recorded[k].append(value.1.keyText)
        }
        return true
    }
}

extension JSONValue {
    /// A value as a key is compared: text, or a number without a trailing ".0"; nil for null/empty.
    var keyText: String? {
        switch self {
        case .string(let s): s.isEmpty ? nil : s
        case .integer(let i): String(i)
        case .number(let d): JSONValue.format(d)
        case .bool(let b): b ? "true" : "false"
        case .null: nil
        case .array, .object: text
        }
    }
}

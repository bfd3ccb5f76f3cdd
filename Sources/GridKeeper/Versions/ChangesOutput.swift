import Foundation
import Spatial

/// The outputs of `changes` for machines: JSON (areas, matrix, points), RFC 7946 GeoJSON of
/// the areas (WGS84) and CSV, one row per area. Keys and columns are English and stable;
/// areas are m² to 0.0001 (well inside the 0.01 m² the overlay is checked to).
public enum ChangesOutput {
    /// The CSV columns, in order.
    public static let csvColumns = ["id", "change", "old_key", "old_owner", "new_key", "new_owner", "area_m2", "lon", "lat", "old_fid", "new_fid"]

    static func m2(_ v: Double) -> Double { (v * 10_000).rounded() / 10_000 }
    static func degrees(_ v: Double) -> Double { (v * 1e8).rounded() / 1e8 }

    /// Area number k (1-based, in the report's order) as a JSON object.
    static func areaJSON(_ a: Changes.Area, number k: Int) -> JSONValue {
        func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        return .object([
            ("id", .integer(Int64(k))), ("change", .string(a.change)),
            ("old_key", text(a.old?.key)), ("old_owner", text(a.old?.owner)), ("new_key", text(a.new?.key)), ("new_owner", text(a.new?.owner)),
            ("area_m2", .number(m2(a.area))),
            ("lon", a.location.map { .number(degrees($0.x)) } ?? .null), ("lat", a.location.map { .number(degrees($0.y)) } ?? .null),
            ("old_fid", a.old.map { .integer($0.fid) } ?? .null), ("new_fid", a.new.map { .integer($0.fid) } ?? .null),
        ])
    }

    public static func json(_ r: Changes.Report) -> String {
        JSONValue.object([
            ("layer", .string(r.layer.name)), ("kind", .string(r.layer.kind.rawValue)),
            ("from", .string(r.from.text)), ("to", .string(r.to.text)),
            ("from_version", .integer(Int64(r.fromVersion))), ("to_version", .integer(Int64(r.toVersion))),
            ("crs", .string(r.workspaceCRS.description)), ("changed_area_m2", .number(m2(r.changedArea))),
            ("areas", .array(r.areas.enumerated().map { areaJSON($1, number: $0 + 1) })),
            ("matrix", .array(r.matrix.map { .object([("from", .string($0.from)), ("to", .string($0.to)), ("area_m2", .number(m2($0.area)))]) })),
            ("points", .array(r.points.map { p in
                .object([
                    ("layer", .string(p.layer)), ("points", .integer(Int64(p.points))), ("unchanged", .integer(Int64(p.unchanged))),
                    ("changed", .integer(Int64(p.changed))), ("undecided", .integer(Int64(p.undecided))),
                    ("transfers", .array(p.transfers.sorted { ($0.key.from, $0.key.to) < ($1.key.from, $1.key.to) }.map {
                        .object([("from", .string($0.key.from)), ("to", .string($0.key.to)), ("count", .integer(Int64($0.value)))])
                    })),
                ])
            })),
        ]).text + "\n"
    }

    /// RFC 7946: WGS84 lon/lat, rings counter-clockwise (holes clockwise), 7 decimals.
    public static func geoJSON(_ r: Changes.Report) throws -> String {
        let toLonLat = try LayerImport.transform(from: r.workspaceCRS, to: .wgs84)
        var out = "{\"type\":\"FeatureCollection\",\"features\":[\n"
        for (k, a) in r.areas.enumerated() {
            if k > 0 { out += ",\n" }
            out += "{\"type\":\"Feature\",\"id\":\(k + 1),\"properties\":\(areaJSON(a, number: k + 1).text),\"geometry\":"
            GeoJSONGeometry.write(RingOrientation.rfc7946(try toLonLat.transform(a.geometry)), precision: 7, into: &out)
            out += "}"
        }
        out += "\n]}\n"
        return out
    }

    /// One row per area in `csvColumns`; cells that begin with `= + - @` are neutralised.
    public static func writeCSV(_ r: Changes.Report, to path: String) throws {
        let output = try OutputFile(path)
        do {
            let w = try CSVWriter(descriptor: try output.openDescriptor(), name: path)
            try w.write(csvColumns)
            for (k, a) in r.areas.enumerated() {
                let at = a.location.map { [String(format: "%.8f", $0.x), String(format: "%.8f", $0.y)] } ?? ["", ""]
                try w.write([String(k + 1), a.change, a.old?.key ?? "", a.old?.owner ?? "", a.new?.key ?? "", a.new?.owner ?? "",
                             String(format: "%.4f", a.area)] + at + [a.old.map { String($0.fid) } ?? "", a.new.map { String($0.fid) } ?? ""])
            }
            try w.close()
        } catch {
            output.discard()
            throw error as? GridKeeperError ?? GridKeeperError.usage("cannot write \(path): \(error)")
        }
        try output.commit()
    }
}

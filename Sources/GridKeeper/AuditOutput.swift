import Foundation
import Spatial

/// The audit's outputs: JSON for machines, RFC 7946 GeoJSON of the defects, and one
/// self-contained HTML page (inline SVG map, no network) for people.
public enum AuditOutput {
    /// One defect; a dispute also carries its register state (open, ruled, review, resolved)
    /// and ruled owner, null for other kinds and for a dispute not registered yet.
    static func defectJSON(_ d: Defect, _ entry: DisputeRegister.Entry?) -> JSONValue {
        .object([
            ("id", .string(d.id)), ("kind", .string(d.kind.rawValue)), ("layer", .string(d.layer)),
            ("parties", .array(d.keys.map { .string($0) })), ("fids", .array(d.fids.map { .integer($0) })),
            ("area_m2", .number((d.area * 100).rounded() / 100)), ("length_m", .number((d.length * 100).rounded() / 100)),
            ("lon", d.location.map { .number(($0.x * 1e8).rounded() / 1e8) } ?? .null),
            ("lat", d.location.map { .number(($0.y * 1e8).rounded() / 1e8) } ?? .null),
            ("notice", .bool(d.kind.isNotice)), ("detail", .string(d.detail)),
            ("state", entry.map { .string($0.status) } ?? .null), ("ruled_owner", entry?.ruledOwner.map { .string($0) } ?? .null),
        ])
    }

    public static func json(_ r: Audit.Report) -> String {
        var counts: [String: Int] = [:]
        for d in r.defects { counts[d.kind.rawValue, default: 0] += 1 }
        return JSONValue.object([
            ("layers", .array(r.layers.map { .string($0.name) })),
            ("crs", .string(r.workspaceCRS.description)),
            ("findings", .integer(Int64(r.findingCount))),
            ("counts", .object(counts.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) })),
            ("register", .object([("new", .integer(Int64(r.registered.added))), ("open", .integer(Int64(r.registered.stillOpen))),
                                  ("ruled", .integer(Int64(r.registered.ruled))),
                                  ("resolved", .integer(Int64(r.registered.resolved))), ("to_review", .integer(Int64(r.registered.toReview)))])),
            ("defects", .array(r.defects.map { defectJSON($0, r.register[$0.id]) })),
        ]).text + "\n"
    }

    /// RFC 7946: WGS84 lon/lat, rings counter-clockwise (holes clockwise), 7 decimals.
    public static func geoJSON(_ r: Audit.Report) throws -> String {
        let toLonLat = try LayerImport.transform(from: r.workspaceCRS, to: .wgs84)
        var out = "{\"type\":\"FeatureCollection\",\"features\":[\n"
        var first = true
        for d in r.defects {
            let geometry: Geometry? = try d.geometry.map { try RingOrientation.rfc7946(toLonLat.transform($0)) } ?? d.location.map { .point($0) }
            guard let geometry else { continue }
            if !first { out += ",\n" }
            first = false
            out += "{\"type\":\"Feature\",\"id\":\(JSONValue.string(d.id).text),\"properties\":\(defectJSON(d, r.register[d.id]).text),\"geometry\":"
            GeoJSONGeometry.write(geometry, precision: 7, into: &out)
            out += "}"
        }
        out += "\n]}\n"
        return out
    }
}

/// RFC 7946 winding: exterior rings counter-clockwise, holes clockwise (GEOS has no
/// orient function in 3.11, so it is done here by the shoelace sign).
public enum RingOrientation {
    public static func rfc7946(_ g: Geometry) -> Geometry {
        func orient(_ rings: [[Coordinate]]) -> [[Coordinate]] {
            rings.enumerated().map { i, r in
                let ccw = Orientation.signedArea(r) > 0
                return (i == 0) == ccw ? r : r.reversed()
            }
        }
        switch g {
        case .polygon(let rings): return .polygon(orient(rings))
        case .multiPolygon(let polys): return .multiPolygon(polys.map(orient))
        default: return g
        }
    }
}

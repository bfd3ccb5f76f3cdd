import Spatial

/// The `disputes list --json` / `disputes show --json` shapes, for the CLI and the service's
/// `GET /v1/disputes[/{id}]`. Machines read them: keep them stable.
public enum DisputeJSON {
    /// One register entry (`disputes list --json` is an array of these).
    public static func encode(_ e: DisputeRegister.Entry) -> JSONValue {
        func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        return .object([
            ("id", .string(e.id)), ("layer", .string(e.layer)), ("status", .string(e.status)),
            ("parties", .array(e.owners.map { .string($0) })), ("fids", .array(e.fids.map { .integer($0) })),
            ("area_m2", .number(e.area)), ("length_m", .number(e.length)), ("lon", e.location.map { .number($0.x) } ?? .null), ("lat", e.location.map { .number($0.y) } ?? .null),
            ("first_seen", .string(e.firstSeen)), ("last_seen", .string(e.lastSeen)), ("ruled_owner", text(e.ruledOwner)),
            ("note", text(e.note)), ("ruled_by", text(e.ruledBy)), ("ruled_at", text(e.ruledAt)),
        ])
    }

    /// The entries, each with its area (or stretch) as RFC 7946 geometry in WGS84 under
    /// `geometry` (null when the register has none): `GET /v1/disputes?geometry=true`, which
    /// the map page outlines.
    public static func encode(_ entries: [DisputeRegister.Entry], geometryIn ws: Workspace) throws -> JSONValue {
        guard !entries.isEmpty else { return .array([]) }
        let toWGS84 = try LayerImport.transform(from: try ws.answeringCRS(), to: .wgs84)
        return .array(try entries.map { e in
            guard case .object(let members) = encode(e) else { return encode(e) }
            var geometry = JSONValue.null
            if let g = e.geometry {
                var text = ""
                GeoJSONGeometry.write(RingOrientation.rfc7946(Export.simplest(try toWGS84.transform(g))), into: &text)
                geometry = try JSONParser.parse(Array(text.utf8))
            }
            return .object(members + [("geometry", geometry)])
        })
    }

    /// One entry with its earlier rulings (`disputes show --json`).
    public static func encode(_ e: DisputeRegister.Entry, history: [DisputeRegister.Ruling]) -> JSONValue {
        guard case .object(let members) = encode(e) else { return encode(e) }
        return .object(members + [("history", .array(history.map(encode)))])
    }

    static func encode(_ h: DisputeRegister.Ruling) -> JSONValue {
        .object([("ruled_owner", .string(h.owner)), ("note", h.note.map { .string($0) } ?? .null), ("ruled_by", h.by.map { .string($0) } ?? .null),
                 ("ruled_at", h.at.map { .string($0) } ?? .null), ("replaced_at", .string(h.replacedAt))])
    }
}

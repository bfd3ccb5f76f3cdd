import Spatial

/// `gridkeeper ledger`: the 管养一览表 — per layer, owner and service (a polygon's own service
/// field, else the layer's `--service`; a stake range's service column): how many polygons and
/// how many m² each owner maintains, how much of that is disputed, and (when the workspace has
/// a road layer) how many km of road centreline lie in the owner's polygons.
///
/// Area counts every polygon in full, so an owner's area includes what it disputes with
/// another (the disputed m² are shown on their own); a layer's total is the sum of its
/// polygons' areas, and it equals the sum of its owners' rows.
public enum Ledger {
    public struct Row: Sendable, Equatable {
        public var layer: String
        public var service: String
        public var owner: String
        public var features: Int
        public var area: Double
        public var disputedArea: Double
        /// Kilometres of road centreline inside the owner's polygons, when a road layer exists.
        public var roadKm: Double?
    }

    public static func compute(workspace ws: Workspace, layer: String?) throws -> [Row] {
        let layers = try layer.map { [try ws.layer(named: $0)] } ?? ws.layers().filter { $0.kind == .duty || $0.kind == .roadduty }
        guard !layers.isEmpty else { throw GridKeeperError.usage("the workspace has no duty layer; name a layer with --layer") }
        // Road centrelines, when the workspace has them: each owner's km is the length of road
        // inside its polygons (a road on the edge between two owners counts for neither).
        let roads: GeosGeometry? = try ws.layers().first { $0.kind == .road }.flatMap { roadLayer in
            let lines = try ws.read { try ws.database.query("SELECT geom FROM \(quoteIdentifier(roadLayer.name))") }.compactMap { row -> GeosGeometry? in
                guard case .blob(let b) = row[0] else { return nil }
                return try GeosGeometry(try GeoPackageBlob.decode(b))
            }
            return lines.isEmpty ? nil : try GeosGeometry.unaryUnion(lines)
        }
        var rows: [Row] = []
        for info in layers {
            if info.kind == .roadduty {
                rows += try stakeRanges(info, workspace: ws)
                continue
            }
            guard info.kind.geometryFamily == .polygon else { throw GridKeeperError.usage("layer '\(info.name)' is a \(info.kind.rawValue) layer; the ledger sums polygon layers") }
            let data = try ws.read { try LayerData(workspace: ws, layer: info, jurisdiction: nil) }
            var audit = Audit.Options()
            audit.layers = [info.name]
            audit.register = false
            let disputes = try Audit.run(audit, workspace: ws).defects.filter { $0.kind == .dispute }
            let services = try ws.read { try ws.featureServices(of: info) }
            // One row per owner and service: a polygon's own service field, else the layer's.
            func key(_ m: Int) -> RowKey { RowKey(owner: data.parties[m].key, service: services[data.parties[m].fid] ?? info.service ?? "") }
            var byKey: [RowKey: Row] = [:]
            for (m, g) in try data.geometries().enumerated() {
                let k = key(m)
                byKey[k, default: Row(layer: info.name, service: k.service, owner: k.owner, features: 0, area: 0, disputedArea: 0,
                                      roadKm: roads == nil ? nil : 0)].features += 1
                let polygon = try GeosGeometry(g)
                byKey[k]!.area += try polygon.area()
                if let roads { byKey[k]!.roadKm! += try polygon.intersection(roads).length() / 1000 }
            }
            // A dispute counts once for each party's row (the rows of the polygons involved).
            for d in disputes {
                for k in Set(d.fids.compactMap { data.member(fid: $0) }.map(key)) { byKey[k]?.disputedArea += d.area }
            }
            rows += sorted(byKey)
        }
        return rows
    }

    /// Road km per owner from a road-duty layer's stake ranges (the stretches as imported,
    /// clipped to the road).
    private static func stakeRanges(_ info: LayerInfo, workspace ws: Workspace) throws -> [Row] {
        var byKey: [RowKey: Row] = [:]
        for r in try ws.read({ try ws.database.query("SELECT owner, service, geom FROM \(quoteIdentifier(info.name))") }) {
            guard let owner = r[0].text, case .blob(let b) = r[2] else { continue }
            let km = try GeosGeometry(try GeoPackageBlob.decode(b)).length() / 1000
            let k = RowKey(owner: owner, service: r[1].text ?? info.service ?? "")
            byKey[k, default: Row(layer: info.name, service: k.service, owner: owner, features: 0, area: 0, disputedArea: 0, roadKm: 0)].features += 1
            byKey[k]!.roadKm! += km
        }
        return sorted(byKey)
    }

    private struct RowKey: Hashable {
        let owner: String
        let service: String
    }

    private static func sorted(_ rows: [RowKey: Row]) -> [Row] {
        rows.values.sorted { $0.owner != $1.owner ? codePointOrder($0.owner, $1.owner) : codePointOrder($0.service, $1.service) }
    }

    /// Writes the ledger as CSV (cells that begin with = + - @ are neutralised), one total
    /// row per layer, to `path` by `OutputFile`'s rule.
    public static func writeCSV(_ rows: [Row], to path: String, bom: Bool) throws {
        let output = try OutputFile(path)
        do {
            try writeCSV(rows, to: try CSVWriter(descriptor: try output.openDescriptor(), name: path, bom: bom))
        } catch {
            output.discard()
            throw error as? GridKeeperError ?? GridKeeperError.usage("cannot write \(path): \(error)")
        }
        try output.commit()
    }

    private static func writeCSV(_ rows: [Row], to w: CSVWriter) throws {
        func m2(_ v: Double) -> String { String(format: "%.2f", v) }
        try w.write(["layer", "service", "owner", "features", "area_m2", "disputed_m2", "road_km"])
        var layers: [String] = []
        for r in rows where !layers.contains(r.layer) { layers.append(r.layer) }
        for layer in layers {
            let part = rows.filter { $0.layer == layer }
            func km(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "" }
            for r in part { try w.write([r.layer, r.service, r.owner, String(r.features), m2(r.area), m2(r.disputedArea), km(r.roadKm)]) }
            // The total row names the service only when the whole layer has one.
            let services = Set(part.map(\.service))
            try w.write([layer, services.count == 1 ? services.first! : "", "(total)", String(part.reduce(0) { $0 + $1.features }),
                         m2(part.reduce(0) { $0 + $1.area }), "", ""])
        }
        try w.close()
    }
}

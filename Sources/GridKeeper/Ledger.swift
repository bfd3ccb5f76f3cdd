import Spatial

/// `gridkeeper ledger`: the 管养一览表 — per layer, owner and service (a polygon's own service
/// field, else the layer's `--service`; a stake range's service column): how many polygons and
/// how many m² each owner maintains, how much of that is disputed, and (when the workspace has
/// a road layer) how many km of road centreline lie in the owner's polygons.
///
/// Area counts every polygon in full, so an owner's area includes what it disputes with
/// another (the disputed m², still unruled, are shown on their own and counted for each
/// party) — except a ruled dispute (`disputes rule`, state `ruled` in the register): its area
/// counts for the ruled owner alone (shown as its ruled m²) and is taken off the other parties'
/// area and road km. A layer's total is the sum of its owners' rows: its polygons' areas with
/// each ruled overlap counted once. Road duty: a ruled stretch counts for the ruled owner's km only.
public enum Ledger {
    public struct Row: Sendable, Equatable {
        public var layer: String
        public var service: String
        public var owner: String
        public var features: Int
        public var area: Double
        /// Overlaps with another owner that no ruling settled yet, counted for each party.
        public var disputedArea: Double
        /// Overlaps a ruling gave to this owner (part of `area`).
        public var ruledArea: Double = 0
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
            let disputes = try currentDisputes(info, workspace: ws)
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
            // A dispute counts once for each party's row (the rows of the polygons involved); a
            // ruled one only for the ruled owner's.
            for (d, winner) in disputes {
                let parties = Set(d.fids.compactMap { data.member(fid: $0) }.map(key))
                guard let winner else {
                    for k in parties { byKey[k]?.disputedArea += d.area }
                    continue
                }
                let km = try roads.flatMap { r in try d.geometry.map { try GeosGeometry($0).intersection(r).length() / 1000 } } ?? 0
                for k in parties {
                    if k.owner == winner {
                        byKey[k]?.ruledArea += d.area
                    } else {
                        byKey[k]?.area -= d.area
                        byKey[k]?.roadKm? -= km
                    }
                }
            }
            rows += sorted(byKey)
        }
        return rows
    }

    /// The disputes audit finds in the layer now, each with the owner a ruling in force gave
    /// it to (nil while open).
    private static func currentDisputes(_ info: LayerInfo, workspace ws: Workspace) throws -> [(dispute: Defect, ruledOwner: String?)] {
        var options = Audit.Options()
        options.layers = [info.name]
        options.register = false
        let report = try Audit.run(options, workspace: ws)
        return report.defects.filter { $0.kind == .dispute }.map { d in
            (d, report.register[d.id].flatMap { $0.status == "ruled" ? $0.ruledOwner : nil })
        }
    }

    /// Road km per owner from a road-duty layer's stake ranges (the stretches as imported,
    /// clipped to the road); a ruled overlap of ranges counts for the ruled owner only.
    private static func stakeRanges(_ info: LayerInfo, workspace ws: Workspace) throws -> [Row] {
        var byKey: [RowKey: Row] = [:]
        var keyOfFid: [Int64: RowKey] = [:]
        for r in try ws.read({ try ws.database.query("SELECT fid, owner, service, geom FROM \(quoteIdentifier(info.name))") }) {
            guard case .integer(let fid) = r[0], let owner = r[1].text, case .blob(let b) = r[3] else { continue }
            let km = try GeosGeometry(try GeoPackageBlob.decode(b)).length() / 1000
            let k = RowKey(owner: owner, service: r[2].text ?? info.service ?? "")
            keyOfFid[fid] = k
            byKey[k, default: Row(layer: info.name, service: k.service, owner: owner, features: 0, area: 0, disputedArea: 0, roadKm: 0)].features += 1
            byKey[k]!.roadKm! += km
        }
        for (d, winner) in try currentDisputes(info, workspace: ws) {
            guard let winner else { continue }
            for k in Set(d.fids.compactMap { keyOfFid[$0] }) where k.owner != winner { byKey[k]?.roadKm? -= d.length / 1000 }
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
        try w.write(["layer", "service", "owner", "features", "area_m2", "disputed_m2", "ruled_m2", "road_km"])
        var layers: [String] = []
        for r in rows where !layers.contains(r.layer) { layers.append(r.layer) }
        for layer in layers {
            let part = rows.filter { $0.layer == layer }
            func km(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "" }
            for r in part { try w.write([r.layer, r.service, r.owner, String(r.features), m2(r.area), m2(r.disputedArea), m2(r.ruledArea), km(r.roadKm)]) }
            // The total row names the service only when the whole layer has one.
            let services = Set(part.map(\.service))
            try w.write([layer, services.count == 1 ? services.first! : "", "(total)", String(part.reduce(0) { $0 + $1.features }),
                         m2(part.reduce(0) { $0 + $1.area }), "", "", ""])
        }
        try w.close()
    }
}

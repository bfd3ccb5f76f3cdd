import Spatial

/// The size of each key of a layer in the map in force on one day, which per-area figures
/// divide by: km² of the key's polygons, each polygon in full (as `ledger` counts area), or
/// for road duty km of its stake ranges; with the key's owner and, for polygon layers, its
/// shapes (the choropleth draws them).
struct KeyMeasure {
    var sizes: [String: Double] = [:]
    var owners: [String: String] = [:]
    var shapes: [(key: String, geometry: Geometry)] = []

    /// `day` nil, or a day with no version in force: the current map.
    init(_ current: LayerInfo, at day: CalendarDay?, workspace ws: Workspace) throws {
        let info = try day.flatMap { try LayerVersions.layer(current, at: $0, workspace: ws) } ?? current
        if info.kind == .roadduty {
            for r in try ws.read({ try ws.database.query("SELECT owner, geom FROM \(quoteIdentifier(info.table))") }) {
                guard let owner = r[0].text, case .blob(let b) = r[1] else { continue }
                sizes[owner, default: 0] += try GeosGeometry(try GeoPackageBlob.decode(b)).length() / 1000
                owners[owner] = owner
            }
            return
        }
        let data = try ws.read { try LayerData(workspace: ws, layer: info, jurisdiction: nil) }
        for (m, g) in try data.geometries().enumerated() {
            let party = data.parties[m]
            sizes[party.key, default: 0] += try GeosGeometry(g).area() / 1_000_000
            if owners[party.key] == nil, let owner = party.owner ?? party.name { owners[party.key] = owner }
            shapes.append((party.key, g))
        }
    }
}

import Spatial

/// The batch output columns of DESIGN: the input's id first, then per layer `<layer>`,
/// `<layer>_owner`, `<layer>_status`, `<layer>_candidates` (`|`-separated keys, only for
/// boundary and disputed).
struct BatchColumns {
    let idName: String
    let layers: [LayerInfo]

    var header: [String] {
        [idName] + layers.flatMap { l in
            [l.name, "\(l.name)_owner", "\(l.name)_status", "\(l.name)_candidates"] + (l.kind == .roadduty ? ["\(l.name)_stake", "\(l.name)_distance_m"] : [])
        }
    }

    func values(id: String, answer: PointAnswer) -> [String] {
        [id] + answer.layers.flatMap(Self.fields)
    }

    /// One layer's columns of a row.
    static func fields(_ a: LayerAnswer) -> [String] {
        let p = a.primary
        var row = [p.map { $0.code ?? $0.name ?? "" } ?? "", p?.owner ?? "", a.status.rawValue,
                   a.status == .boundary || a.status == .disputed || a.status == .ruled ? a.candidates.map(\.key).joined(separator: "|") : ""]
        if a.kind == .roadduty {
            row.append(a.road?.stake ?? "")
            row.append(a.road.map { String(format: "%.1f", $0.distance) } ?? "")
        }
        return row
    }
}

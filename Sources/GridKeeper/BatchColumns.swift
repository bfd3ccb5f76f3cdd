import Spatial

/// The batch output columns of DESIGN: the input's id first, then per layer `<layer>`,
/// `<layer>_owner`, `<layer>_status`, `<layer>_candidates` (`|`-separated keys, only for
/// boundary and disputed).
struct BatchColumns {
    let idName: String
    let layers: [LayerInfo]

    var header: [String] {
        [idName] + layers.flatMap { [$0.name, "\($0.name)_owner", "\($0.name)_status", "\($0.name)_candidates"] }
    }

    func values(id: String, answer: PointAnswer) -> [String] {
        var row = [id]
        for a in answer.layers {
            let p = a.primary
            row.append(p.map { $0.code ?? $0.name ?? "" } ?? "")
            row.append(p?.owner ?? "")
            row.append(a.status.rawValue)
            row.append(a.status == .boundary || a.status == .disputed || a.status == .ruled ? a.candidates.map(\.key).joined(separator: "|") : "")
        }
        return row
    }
}

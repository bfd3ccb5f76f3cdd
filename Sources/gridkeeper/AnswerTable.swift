import GridKeeper

/// The human form of one point's answer: where the point is, then a row per layer.
enum AnswerTable {
    static func render(_ a: PointAnswer) -> String {
        let out = String(format: "%@ %.8f, %.8f → lon/lat %.8f, %.8f; %@ x=%.3f y=%.3f\n",
                         a.inputCRS.description, a.input.x, a.input.y, a.lonLat.x, a.lonLat.y,
                         a.workspaceCRS.description, a.position.x, a.position.y)
        var table = TextTable(["layer", "kind", "status", "answer", "owner", "candidates / fallback"])
        for l in a.layers {
            let answer = l.primary?.label ?? "—"
            var extra = ""
            if l.status == .boundary || l.status == .disputed { extra = l.candidates.map(\.key).joined(separator: " | ") }
            if l.status == .ruled { extra = "ruled among " + l.candidates.map(\.key).joined(separator: " | ") }
            if let r = l.road { extra = String(format: "%@ %@, %.1f m off", r.road, r.stake, r.distance) + (extra.isEmpty ? "" : "; " + extra) }
            if let f = l.fallback {
                extra = "属地兜底 \(f.party.name ?? f.party.code ?? f.party.key) (\(f.layer)\(f.party.code.map { " \($0)" } ?? ""))"
            }
            table.add([l.layer, l.kind.rawValue, l.status.rawValue, answer, l.primary?.owner ?? "", extra])
        }
        return out + table.render()
    }
}

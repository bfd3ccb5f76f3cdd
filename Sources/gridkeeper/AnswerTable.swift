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
        return out + table.render() + staff(a)
    }

    /// Who to call, under the table, one line per layer with a roster: the primary's staff, or
    /// for a boundary or disputed answer each candidate's. The CLI shows the mobiles.
    static func staff(_ a: PointAnswer) -> String {
        func people(_ staff: [StaffMember]) -> String {
            staff.isEmpty ? "nobody on duty" : staff.map { ([$0.publicText] + ($0.mobile.isEmpty ? [] : ["手机 " + $0.mobile])).joined(separator: " ") }.joined(separator: "; ")
        }
        var out = ""
        for l in a.layers where l.staffed {
            if l.status == .boundary || l.status == .disputed {
                for c in l.candidates { out += "staff \(l.layer) \(c.key): \(people(c.staff))\n" }
            } else if let p = l.primary {
                out += "staff \(l.layer) \(p.key): \(people(p.staff))\n"
            }
        }
        return out
    }
}

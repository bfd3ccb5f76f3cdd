import GridKeeper

/// The human and JSON forms of an assign summary.
enum AssignReport {
    static let statusOrder: [Status] = [.inside, .boundary, .disputed, .ruled, .gap, .none, .outside]

    static func text(_ s: AssignSummary) -> String {
        var out = "assigned \(s.points) points" + (s.rejected > 0 ? " (\(s.rejected) rejected)" : "") + "\n\n"
        var table = TextTable(["layer"] + statusOrder.map(\.rawValue))
        for layer in s.layers {
            let counts = s.statuses[layer] ?? [:]
            table.add([layer] + statusOrder.map { String(counts[$0] ?? 0) })
        }
        out += table.render()
        for (pair, c) in s.comparisons.sorted(by: { $0.key.field < $1.key.field }) {
            out += "\n\(pair.field) against \(pair.layer): \(c.unchanged) unchanged, \(c.changed) changed, \(c.undecided) undecided (for a person to decide)\n"
            let moves = (s.transfers[pair] ?? [:]).filter { $0.key.from != $0.key.to }.sorted { $0.value > $1.value }
            if !moves.isEmpty {
                var matrix = TextTable(["recorded", "→ new", "points"])
                for (t, n) in moves.prefix(15) { matrix.add([t.from.isEmpty ? "(empty)" : t.from, t.to == "?" ? "(undecided)" : t.to, String(n)]) }
                out += matrix.render()
                if moves.count > 15 { out += "… \(moves.count - 15) more in the transfers file\n" }
            }
        }
        if let id = s.appliedLogID {
            out += "\napplied \(s.appliedChanges) change(s) as gk_log entry \(id); undo with: gridkeeper assign --revert \(id)\n"
        }
        out += "\nwrote " + s.outputs.joined(separator: ", ") + "\n"
        return out
    }

    static func json(_ s: AssignSummary) -> String {
        let layers: [(String, JSONValue)] = s.layers.map { layer in
            (layer, .object(statusOrder.map { ($0.rawValue, .integer(Int64(s.statuses[layer]?[$0] ?? 0))) }))
        }
        let against: [JSONValue] = s.comparisons.sorted(by: { $0.key.field < $1.key.field }).map { pair, c in
            .object([("field", .string(pair.field)), ("layer", .string(pair.layer)), ("unchanged", .integer(Int64(c.unchanged))),
                     ("changed", .integer(Int64(c.changed))), ("undecided", .integer(Int64(c.undecided)))])
        }
        return JSONValue.object([
            ("points", .integer(Int64(s.points))), ("rejected", .integer(Int64(s.rejected))), ("statuses", .object(layers)),
            ("against", .array(against)), ("applied_log_id", s.appliedLogID.map { .integer($0) } ?? .null),
            ("applied", .integer(Int64(s.appliedChanges))), ("outputs", .array(s.outputs.map { .string($0) })),
        ]).text
    }
}

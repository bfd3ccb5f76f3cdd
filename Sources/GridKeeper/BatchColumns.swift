import Spatial

/// The batch output row (ARCHITECTURE.md, "Output shapes"): the input's id first, then per
/// layer `<layer>` (the primary's code, else its name), `<layer>_owner`, `<layer>_status`,
/// `<layer>_candidates` (`|`-separated keys, for boundary, disputed and ruled), and for
/// road-duty layers `<layer>_stake` and `<layer>_distance_m`; last, for a layer with a roster,
/// `<layer>_staff` (see `staffField`), so rows of workspaces without rosters keep their columns.
///
/// The one definition of a row's fields: the pipe builds its rows here, and the bulk
/// formatter (`AssignWorker`) writes the same bytes from texts made here once per feature.
public struct BatchColumns: Sendable {
    let idName: String
    let layers: [LayerInfo]

    public init(idName: String, layers: [LayerInfo]) {
        self.idName = idName
        self.layers = layers
    }

    public var header: [String] {
        [idName] + layers.flatMap { l in
            [l.name, "\(l.name)_owner", "\(l.name)_status", "\(l.name)_candidates"] + (l.kind == .roadduty ? ["\(l.name)_stake", "\(l.name)_distance_m"] : [])
                + (l.staffed ? ["\(l.name)_staff"] : [])
        }
    }

    public func values(id: String, answer: PointAnswer) -> [String] {
        [id] + answer.layers.flatMap(Self.fields)
    }

    /// The row of a point that could not be answered: every layer's status is `error`.
    public func errorValues(id: String) -> [String] {
        [id] + layers.flatMap { l in ["", "", "error", ""] + (l.kind == .roadduty ? ["", ""] : []) + (l.staffed ? [""] : []) }
    }

    /// One CSV line of `fields`, each encoded as every CSV output encodes it (quoted where
    /// needed, formulas neutralised).
    public func csvLine(_ fields: [String]) -> String {
        var out: [UInt8] = []
        for (k, field) in fields.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            CSVWriter.appendEncodedField(field, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One layer's columns of a row.
    static func fields(_ a: LayerAnswer) -> [String] {
        let p = a.primary
        var row = [p.map(partyField) ?? "", p?.owner ?? "", a.status.rawValue, listsCandidates(a.status) ? candidatesField(a.candidates.map(\.key)) : ""]
        if a.kind == .roadduty {
            row.append(a.road?.stake ?? "")
            row.append(a.road.map { String(format: "%.1f", $0.distance) } ?? "")
        }
        if a.staffed {
            row.append(staffField(a.status, primary: p?.staff ?? [], candidates: a.candidates.map { ($0.key, $0.staff) }))
        }
        return row
    }

    /// `<layer>_staff`: who to call, office phones only (never the mobile). For a boundary or
    /// disputed answer every candidate's staff, each group after its key
    /// (`key: role name phone; … | key2: …`); otherwise the primary's (`role name phone; …`:
    /// for `ruled`, the ruled owner's), empty for gap, none and outside.
    static func staffField(_ status: Status, primary: [StaffMember], candidates: [(key: String, staff: [StaffMember])]) -> String {
        guard status == .boundary || status == .disputed else { return StaffMember.publicText(primary) }
        return candidates.filter { !$0.staff.isEmpty }.map { "\($0.key): " + StaffMember.publicText($0.staff) }.joined(separator: " | ")
    }

    /// `<layer>`: what names the primary in a row.
    static func partyField(_ p: Party) -> String { p.code ?? p.name ?? "" }

    /// Whether `<layer>_candidates` lists the parties.
    static func listsCandidates(_ status: Status) -> Bool { status == .boundary || status == .disputed || status == .ruled }

    static func candidatesField(_ keys: [String]) -> String { keys.joined(separator: "|") }

    /// Whether `key` may stand as it is in an encoded `<layer>_candidates` field: keys that all
    /// are, joined with `|`, encode to themselves (no quoting, no neutralising), so the bulk
    /// formatter can copy their bytes. A key with a separator, quote or line break, or with a
    /// space, tab or BOM at either end, or that starts like a formula, is not; nor is one
    /// starting with `+` or `-` (alone a number, joined with others a formula).
    static func isVerbatimCandidate(_ key: String) -> Bool {
        if let first = key.utf8.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { return false }
        return CSVWriter.encodedField(key) == Array(key.utf8)
    }
}
